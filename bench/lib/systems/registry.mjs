// System name -> adapter module, loaded on demand (the startup child loads exactly one).
export const SYSTEMS = {
  wasmgrad: './wasmgrad.mjs',
  'tfjs-wasm': './tfjs.mjs',
  'tfjs-cpu': './tfjs.mjs',
  'jax-js': './jax.mjs',
  'jax-js-jit': './jax.mjs',
};

export const SYSTEM_NAMES = Object.keys(SYSTEMS);
export const PEERS = SYSTEM_NAMES.filter((n) => n !== 'wasmgrad');

export async function loadSystem(name) {
  const mod = await import(new URL(SYSTEMS[name], import.meta.url));
  return mod.systems.find((s) => s.name === name);
}

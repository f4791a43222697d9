// The bundle case: gzip -9 bytes of everything a browser downloads to run unary_grad2.
// Each system's entry (lib/bundle/*.js) is bundled by esbuild for the browser, minified, as ESM
// with code splitting; what counts is the entry chunk, the chunks it imports statically (not
// the lazily imported ones, e.g. jax-js's WebGPU/WebGL backends) and the .wasm files it fetches.
import { readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, relative, resolve } from 'node:path';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const BENCH = here('..');

const TF_WASM = '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.js';
const CONFIG = {
  // The wasm the binding loads: dist/wasmgrad.wasm unless WASMGRAD_WASM names another build.
  wasmgrad: { entry: 'wasmgrad.js', assets: [process.env.WASMGRAD_WASM ?? '../dist/wasmgrad.wasm'] },
  'tfjs-wasm': {
    entry: 'tfjs.js', alias: { 'tfjs-backend': TF_WASM }, define: { BACKEND: '"wasm"' },
    // Without cross-origin isolation a browser loads the SIMD, non-threaded module.
    assets: ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'],
  },
  'tfjs-cpu': { entry: 'tfjs.js', alias: { 'tfjs-backend': '@tensorflow/tfjs-backend-cpu' }, define: { BACKEND: '"cpu"' } },
  // jax-js generates its wasm kernels at run time: no .wasm file to fetch.
  'jax-js': { entry: 'jax-js.js', define: { USE_JIT: 'false' } },
  'jax-js-jit': { entry: 'jax-js.js', define: { USE_JIT: 'true' } },
};

/** `gzip -9` as BENCH.md says (and scripts/build.sh prints); zlib level 9 where gzip is absent. */
function gzipSize(file) {
  const r = spawnSync('gzip', ['-9', '-c', file], { maxBuffer: 1 << 28 });
  return r.status === 0 ? r.stdout.length : gzipSync(readFileSync(file), { level: 9 }).length;
}

/** { gzip, files: [{ file, raw, gzip }] } for one system. */
export async function bundleSize(system) {
  const { build } = await import('esbuild');
  const cfg = CONFIG[system];
  const outdir = join(BENCH, '.cache', 'bundle', system);
  rmSync(outdir, { recursive: true, force: true });
  const { metafile } = await build({
    absWorkingDir: BENCH,
    entryPoints: [join(BENCH, 'lib/bundle', cfg.entry)],
    bundle: true, minify: true, format: 'esm', splitting: true, platform: 'browser',
    target: 'es2022', outdir, metafile: true, logLevel: 'error',
    alias: cfg.alias, define: cfg.define,
    external: ['node:*'], // wasmgrad's Node-only file loading, behind a dynamic import
  });
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((o) => outputs[o].entryPoint);
  const seen = new Set();
  const visit = (out) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const imp of outputs[out].imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(entry);
  const files = [...seen, ...(cfg.assets ?? [])].map((f) => {
    const file = resolve(BENCH, f);
    return { file: relative(BENCH, file), raw: readFileSync(file).length, gzip: gzipSize(file) };
  });
  return { gzip: files.reduce((s, f) => s + f.gzip, 0), files };
}

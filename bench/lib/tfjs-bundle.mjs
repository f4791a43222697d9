// Node 20 cannot load TF.js with gradients directly: tfjs-core's Node entry registers none, and
// dist/register_all_gradients.js uses extension-less imports that Node's ESM loader rejects.
// So tfjs-entry.js is bundled by esbuild (platform node, ESM sources so that there is one
// tfjs-core instance, CommonJS output because the wasm backend's Emscripten glue calls require())
// into .cache/, rebuilt when the installed versions change.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const require = createRequire(import.meta.url);

const version = (pkg) => JSON.parse(readFileSync(here(`../node_modules/${pkg}/package.json`), 'utf8')).version;
const tag = ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm'].map((p) => version(`@tensorflow/${p}`)).join('-');

export const TF_BUNDLE = here(`../.cache/tfjs-node-${tag}.cjs`);
export const TF_WASM_DIR = here('../node_modules/@tensorflow/tfjs-backend-wasm/dist/');

export async function ensureTfBundle() {
  if (existsSync(TF_BUNDLE)) return;
  const { build } = await import('esbuild'); // lazily: the startup case loads this module too
  await build({
    entryPoints: [here('./tfjs-entry.js')],
    bundle: true, platform: 'node', format: 'cjs',
    mainFields: ['module', 'main'],
    outfile: TF_BUNDLE, logLevel: 'error',
  });
}

/** The bundled TF.js namespace (call ensureTfBundle() first). */
export const loadTf = () => require(TF_BUNDLE);

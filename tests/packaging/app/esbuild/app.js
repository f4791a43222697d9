// Bundled by esbuild (tests/packaging/run.mjs) to site/js/app.js. esbuild leaves
// new URL('../dist/wasmgrad.wasm', import.meta.url) as it is, so the site has the wasm at
// site/dist/wasmgrad.wasm, next to js/ as in the package.
import * as wasmgrad from 'wasmgrad';
import { compute } from '../compute.js';

try {
  await wasmgrad.init();
  window.__result = compute(wasmgrad);
} catch (e) {
  window.__result = { error: String(e?.stack ?? e) };
}

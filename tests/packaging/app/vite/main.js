// Bundled by Vite: the wasm is found through new URL('../dist/wasmgrad.wasm', import.meta.url)
// in the package and emitted as an asset. Runs on the main thread and in a module worker.
import * as wasmgrad from 'wasmgrad';
import { compute } from '../compute.js';

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const fromWorker = new Promise((resolve) => {
  worker.onmessage = (e) => resolve(e.data);
  worker.onerror = (e) => resolve({ error: `worker error: ${e.message}` });
});
try {
  await wasmgrad.init();
  window.__result = { main: compute(wasmgrad), worker: await fromWorker };
} catch (e) {
  window.__result = { error: String(e?.stack ?? e) };
}

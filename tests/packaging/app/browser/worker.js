// A module worker (no import maps in workers): the installed package's readable source by path.
import * as wasmgrad from '/node_modules/wasmgrad/js/index.js';
import { compute } from '/compute.js';

try {
  await wasmgrad.init();
  postMessage({ ...compute(wasmgrad), inWorker: typeof document === 'undefined' && typeof importScripts === 'function' });
} catch (e) {
  postMessage({ error: String(e?.stack ?? e) });
}

import * as wasmgrad from 'wasmgrad';
import { compute } from '../compute.js';

try {
  await wasmgrad.init();
  postMessage(compute(wasmgrad));
} catch (e) {
  postMessage({ error: String(e?.stack ?? e) });
}

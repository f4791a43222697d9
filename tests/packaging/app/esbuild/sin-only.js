// Tree-shaking: an app that uses only nd.sin. run.mjs reports the size of its bundle.
import { init, nd } from 'wasmgrad';

try {
  await init();
  window.__result = { sin: nd.sin(nd.array([1, 2, 3], { dtype: 'float64' })).toArray() };
} catch (e) {
  window.__result = { error: String(e?.stack ?? e) };
}

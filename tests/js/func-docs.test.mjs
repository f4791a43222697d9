// docs/api.md: every ```js example runs, each on its own, with the API in scope and init()
// awaited (its `import ... from 'wasmgrad'` and `await init()` lines are left out).
import { test, before } from 'node:test';
import { readFileSync } from 'node:fs';
import * as wasmgrad from '../../js/index.js';

const { init, nd } = wasmgrad;
const NAMES = ['init', 'nd', 'autograd', 'func', 'NDArray', 'WasmgradError'];
const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => ({
  line: doc.slice(0, m.index).split('\n').length,
  code: m[1].split('\n').filter((l) => !/^import .* from 'wasmgrad';$|^await init\(\);/.test(l)).join('\n'),
}));

before(async () => {
  await init();
});

test('docs/api.md has examples', () => {
  if (blocks.length < 20) throw new Error(`only ${blocks.length} js examples found`);
});
for (const { line, code } of blocks) {
  test(`docs/api.md example at line ${line} runs`, () => {
    const run = new Function(...NAMES, code);
    nd.tidy(() => {
      run(...NAMES.map((name) => wasmgrad[name]));
    });
  });
}

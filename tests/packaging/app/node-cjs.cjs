// CommonJS: require('wasmgrad') gives the wrapper of js/index.cjs; init() loads the ES module.
const assert = require('node:assert/strict');
const wasmgrad = require('wasmgrad');

assert.throws(() => wasmgrad.nd, { code: 'NOT_INITIALIZED', message: /init\(\)/ }, 'nd before init');
assert.equal(typeof wasmgrad.init, 'function');
(async () => {
  const api = await wasmgrad.init();
  const esm = await import('wasmgrad');
  for (const name of ['nd', 'autograd', 'func', 'NDArray', 'WasmgradError']) {
    assert.equal(api[name], esm[name], `init() resolves to the ES module's ${name}`);
    assert.equal(wasmgrad[name], esm[name], `require('wasmgrad').${name} after init`);
  }
  assert.equal(await wasmgrad.init(), api, 'init() again resolves to the same API');
  const { compute } = await import('./compute.js');
  const { compare } = await import('./expected.mjs');
  const problems = compare(compute(api));
  assert.deepEqual(problems, []);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

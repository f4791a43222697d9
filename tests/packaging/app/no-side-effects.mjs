// Importing (or requiring) the package does no work: no fetch, no wasm compiled or
// instantiated, until init() is called.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const calls = [];
const spy = (owner, name) => {
  const original = owner[name];
  if (typeof original !== 'function') return;
  owner[name] = function (...args) {
    calls.push(name);
    return original.apply(this, args);
  };
};
// In Node, init() compiles and instantiates with the synchronous constructors.
const spyNew = (owner, name) => {
  owner[name] = new Proxy(owner[name], {
    construct(target, args, newTarget) {
      calls.push(name);
      return Reflect.construct(target, args, newTarget);
    },
  });
};
spy(globalThis, 'fetch');
for (const name of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) spy(WebAssembly, name);
for (const name of ['Module', 'Instance']) spyNew(WebAssembly, name);

const wasmgrad = await import('wasmgrad');
createRequire(import.meta.url)('wasmgrad');
await new Promise((resolve) => setTimeout(resolve, 100));
assert.deepEqual(calls, [], 'nothing is fetched, compiled or instantiated on import');
assert.throws(() => wasmgrad.nd.array([1]), { code: 'NOT_INITIALIZED' });
assert.throws(() => wasmgrad.nd.sin(1), { code: 'NOT_INITIALIZED' });
assert.throws(() => wasmgrad.autograd.isRecording(), { code: 'NOT_INITIALIZED' });
await wasmgrad.init();
assert.ok(calls.includes('Module') && calls.includes('Instance'), `init() loads the wasm (calls: ${calls})`);

// Node 20 before 20.16 has no process.getBuiltinModule: init() then reads the wasm through an
// import of fs/promises instead of a sync read.
import assert from 'node:assert/strict';
import { compute } from './compute.js';
import { compare } from './expected.mjs';

delete process.getBuiltinModule;
assert.equal(process.getBuiltinModule, undefined);
const wasmgrad = await import('wasmgrad');
await wasmgrad.init();
assert.deepEqual(compare(compute(wasmgrad)), []);

// Isolation: instances of the library do not interfere.
// - A Worker (node:worker_threads) has its own instance: its own wasm memory, arrays and
//   recording flag. Main thread and worker compute gradients at the same time and both get
//   exact results; errors (bad input, OUT_OF_MEMORY) in one leave the other computing.
// - An NDArray cannot travel: posted to a worker it arrives as a plain object and is refused;
//   a disposed array is DISPOSED.
// - Two copies of the library in one thread (js/ and the dist bundle) are independent too.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { init, nd, autograd } from '../../js/index.js';
import { assertWgError, assertClose } from './helpers/check.mjs';

const INDEX = new URL('../../js/index.js', import.meta.url).href;
const BUNDLE = fileURLToPath(new URL('../../dist/wasmgrad.mjs', import.meta.url));

// The worker: a small RPC server over its own instance of the library.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { init, nd, autograd } = await import(workerData.index);
  await init();
  let held = [];
  const work = ${work.toString()};
  const badCalls = ${badCalls.toString()};
  const handlers = {
    memory: () => nd.memory(),
    hold: ({ n }) => { for (let i = 0; i < n; i++) held.push(nd.ones([16])); return nd.memory().arrays; },
    free: () => { held.forEach((x) => x.dispose()); held = []; return nd.memory().arrays; },
    work: ({ steps, withErrors }) => work(nd, autograd, steps, withErrors ? badCalls : null),
    use: ({ value }) => nd.sin(value).toArray(),
    sinOf: ({ values }) => nd.sin(nd.array(values)).toArray(),
    oom: () => nd.zeros([30000, 30000], { dtype: 'float64' }),
    recordingWhileMainRecords: ({ sab }) => {
      const flag = new Int32Array(sab);
      Atomics.wait(flag, 0, 0); // until the main thread is inside autograd.record
      const seen = autograd.isRecording();
      Atomics.store(flag, 1, 1);
      Atomics.notify(flag, 1);
      return seen;
    },
  };
  parentPort.on('message', (msg) => {
    try {
      parentPort.postMessage({ id: msg.id, ok: true, value: handlers[msg.op](msg) });
    } catch (e) {
      parentPort.postMessage({ id: msg.id, ok: false, name: e?.constructor?.name, code: e?.code, message: e?.message });
    }
  });
  parentPort.postMessage({ ready: true });
})();`;

/**
 * steps × (x = 12 values, attachGrad, y = sum(x sin x), dy/dx = sin x + x cos x): the sum of all
 * gradients. Every `badCalls` step also makes bad calls, which must throw WasmgradErrors.
 */
function work(nd, autograd, steps, badCalls) {
  let total = 0;
  for (let s = 0; s < steps; s++) {
    nd.tidy(() => {
      const x = nd.arange(-6, 6, 1, { dtype: 'float64' }).mul(0.25).attachGrad();
      const y = autograd.record(() => x.sin().mul(x).sum());
      y.backward();
      if (badCalls) badCalls(nd, autograd, x);
      total += x.grad.sum().item();
    });
  }
  return total;
}

function badCalls(nd, autograd, x) {
  const attempts = [
    () => nd.add(x, nd.ones([5])),
    () => nd.sum(x, { axis: 3 }),
    () => nd.zeros([-1]),
    () => autograd.grad(x.mul(2), x),
    () => nd.array([1, 'a']),
    () => nd.zeros([30000, 30000], { dtype: 'float64' }),
  ];
  for (const attempt of attempts) {
    let ok = false;
    try {
      attempt();
    } catch (e) {
      ok = e?.name === 'WasmgradError';
    }
    if (!ok) throw new Error(`a bad call did not throw a WasmgradError: ${attempt}`);
  }
}

const EXPECTED_PER_STEP = Array.from({ length: 12 }, (_, i) => (i - 6) * 0.25)
  .reduce((s, v) => s + Math.sin(v) + v * Math.cos(v), 0);

let worker;
let nextId = 0;
const pending = new Map();
function call(op, args = {}) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, op, ...args });
  });
}

before(async () => {
  await init();
  worker = new Worker(WORKER, { eval: true, workerData: { index: INDEX }, env: process.env });
  await new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (msg) => {
      if (msg.ready) return resolve();
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p.resolve(msg);
    });
  });
});
after(() => worker.terminate());

describe('a Worker has its own instance', () => {
  test('arrays and memory are counted separately', async () => {
    const mainBefore = nd.memory().arrays;
    const workerBefore = (await call('memory')).value.arrays;
    const mine = Array.from({ length: 100 }, () => nd.ones([8]));
    assert.equal((await call('memory')).value.arrays, workerBefore, 'the worker does not see main-thread arrays');
    assert.equal((await call('hold', { n: 50 })).value, workerBefore + 50);
    assert.equal(nd.memory().arrays, mainBefore + 100, 'main does not see worker arrays');
    mine.forEach((x) => x.dispose());
    assert.equal((await call('free')).value, workerBefore);
    assert.equal(nd.memory().arrays, mainBefore);
  });

  test('main thread and worker compute gradients at the same time, both exactly', async () => {
    const steps = 3000;
    const inWorker = call('work', { steps, withErrors: false }); // runs while the main thread computes
    const inMain = work(nd, autograd, steps, null);
    const fromWorker = await inWorker;
    assert.ok(fromWorker.ok, fromWorker.message);
    assertClose(inMain, steps * EXPECTED_PER_STEP, { rtol: 1e-12, what: 'main thread' });
    assertClose(fromWorker.value, steps * EXPECTED_PER_STEP, { rtol: 1e-12, what: 'worker' });
  });

  test('errors in one do not disturb the other (both ways, concurrently)', async () => {
    const steps = 1500;
    const workerWithErrors = call('work', { steps, withErrors: true });
    const mainClean = work(nd, autograd, steps, null);
    const r1 = await workerWithErrors;
    assert.ok(r1.ok, r1.message);
    assertClose(mainClean, steps * EXPECTED_PER_STEP, { rtol: 1e-12, what: 'main, while the worker fails' });
    assertClose(r1.value, steps * EXPECTED_PER_STEP, { rtol: 1e-12, what: 'worker, with its own errors' });

    const workerClean = call('work', { steps, withErrors: false });
    const mainWithErrors = work(nd, autograd, steps, badCalls);
    const r2 = await workerClean;
    assertClose(r2.value, steps * EXPECTED_PER_STEP, { rtol: 1e-12, what: 'worker, while main fails' });
    assertClose(mainWithErrors, steps * EXPECTED_PER_STEP, { rtol: 1e-12, what: 'main, with its own errors' });
  });

  test('OUT_OF_MEMORY in the worker leaves it working', async () => {
    const r = await call('oom');
    assert.equal(r.ok, false);
    assert.equal(r.name, 'WasmgradError');
    assert.equal(r.code, 'OUT_OF_MEMORY');
    assertClose((await call('work', { steps: 3 })).value, 3 * EXPECTED_PER_STEP, { rtol: 1e-12 });
  });

  test('recording in the main thread is not recording in the worker', async () => {
    const sab = new SharedArrayBuffer(8);
    const flag = new Int32Array(sab);
    const seen = call('recordingWhileMainRecords', { sab });
    autograd.record(() => {
      assert.equal(autograd.isRecording(), true);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      Atomics.wait(flag, 1, 0, 10_000); // the worker looks while this thread records
    });
    const r = await seen;
    assert.equal(r.value, false, 'the worker is not recording');
    assert.equal(autograd.isRecording(), false);
  });
});

describe('arrays do not travel between instances', () => {
  test('an NDArray posted to a worker arrives as a plain object and is refused', async () => {
    const x = nd.array([1, 2, 3]);
    const r = await call('use', { value: x });
    assert.equal(r.ok, false);
    assert.equal(r.name, 'WasmgradError');
    assert.equal(r.code, 'INVALID_ARGUMENT');
    assert.match(r.message, /^nd\.sin: x must be an NDArray/);
    // what does travel: the values
    const r2 = await call('sinOf', { values: x.toTypedArray() });
    assert.deepEqual(r2.value, [1, 2, 3].map((v) => Math.fround(Math.sin(v))));
    assert.deepEqual(x.toArray(), [1, 2, 3], 'the original is untouched');
    x.dispose();
  });

  test('a disposed array is DISPOSED, in any function', () => {
    const x = nd.array([1, 2, 3]);
    x.dispose();
    assertWgError(() => nd.sin(x), 'DISPOSED', /^nd\.sin/, /dispose/);
    assertWgError(() => autograd.grad(x, x), 'DISPOSED', /^autograd\.grad/);
    assertWgError(() => nd.concat([nd.ones([3]), x]), 'DISPOSED', /^nd\.concat/, /xs\[1\]/);
  });

  test('two copies of the library in one thread are independent', async (t) => {
    let B;
    try {
      B = await import(BUNDLE);
      await B.init();
    } catch {
      t.skip('dist/wasmgrad.mjs is not built');
      return;
    }
    const a = nd.array([0.5, 1], { dtype: 'float64' }).attachGrad();
    const b = B.nd.array([0.5, 1], { dtype: 'float64' }).attachGrad();
    const before = nd.memory().arrays;
    const ya = autograd.record(() => {
      assert.equal(B.autograd.isRecording(), false, 'the other copy is not recording');
      return nd.tidy(() => a.exp().sum());
    });
    const yb = B.autograd.record(() => B.nd.tidy(() => b.mul(b).sum()));
    assert.equal(nd.memory().arrays, before + 1, 'arrays of the other copy are not counted here');
    ya.backward();
    yb.backward();
    assert.deepEqual(Array.from(a.grad.toTypedArray()), [Math.exp(0.5), Math.exp(1)]);
    assert.deepEqual(Array.from(b.grad.toTypedArray()), [1, 2]);
    assertWgError(() => nd.add(a, b), 'INVALID_ARGUMENT', /another instance/);
    [a, ya].forEach((x) => x.dispose());
    [b, yb].forEach((x) => x.dispose());
  });
});

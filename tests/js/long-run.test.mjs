// Long runs: memory stays flat, and what users forget is reclaimed.
// - 100,000 steps of a tiny MLP's Hessian-vector product (a createGraph gradient, then the
//   gradient of its product with a direction), each step in nd.tidy: live arrays, their bytes,
//   graph bytes and the wasm memory size are the same after 1,000 and after 100,000 steps,
//   and the HVP is still right (float64 central differences of the gradient).
// - arrays and recorded graphs that are never disposed are freed by the FinalizationRegistry
//   once garbage-collected (a child process with --expose-gc).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, nd, autograd } from '../../js/index.js';
import { assertClose, valuesOf } from './helpers/check.mjs';

const INDEX = fileURLToPath(new URL('../../js/index.js', import.meta.url));

before(async () => {
  await init();
});

const f64 = (data) => nd.array(data, { dtype: 'float64' });

test('100,000 Hessian-vector products of an MLP with flat memory', () => {
  const x = f64([[0.5, -1], [1.5, 0.25], [-0.75, 2], [0.1, 0.2]]);
  const t = f64([[1], [0], [-1], [0.5]]);
  const W1 = f64([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]]).attachGrad();
  const W2 = f64([[0.7, -0.3, 0.2]]).attachGrad();
  const V1 = f64([[1, 0], [0, 1], [1, 1]]);
  const V2 = f64([[0.5, -0.5, 1]]);
  const loss = (w1, w2) => nd.fullyConnected(nd.tanh(nd.fullyConnected(x, w1)), w2).sub(t).square().sum();
  const hvp = () => nd.tidy(() => {
    const L = autograd.record(() => loss(W1, W2));
    const [g1, g2] = autograd.grad(L, [W1, W2], { createGraph: true });
    const gv = autograd.record(() => g1.mul(V1).sum().add(g2.mul(V2).sum()));
    const [h1, h2] = autograd.grad(gv, [W1, W2]);
    return [...h1.toTypedArray(), ...h2.toTypedArray()];
  });

  const first = hvp();
  let atWarm;
  const STEPS = 100_000;
  for (let step = 1; step <= STEPS; step++) {
    const h = hvp();
    if (step === 1000) atWarm = nd.memory();
    if (step % 25_000 === 0) {
      assert.deepEqual(nd.memory(), atWarm, `memory after ${step} steps equals memory after 1,000`);
      assert.deepEqual(h, first, `step ${step} computes what step 0 did`);
    }
  }

  // the HVP against central differences of the (first-order) gradient along V
  const eps = 1e-6;
  const gradAt = (sign) => nd.tidy(() => {
    const w1 = W1.detach().add(V1.mul(sign * eps)).attachGrad();
    const w2 = W2.detach().add(V2.mul(sign * eps)).attachGrad();
    return autograd.grad(autograd.record(() => loss(w1, w2)), [w1, w2]).flatMap((g) => Array.from(valuesOf(g)));
  });
  const plus = gradAt(1);
  const minus = gradAt(-1);
  assertClose(first, plus.map((p, i) => (p - minus[i]) / (2 * eps)), { rtol: 1e-6, atol: 1e-8, what: 'HVP' });
  [x, t, W1, W2, V1, V2].forEach((a) => a.dispose());
});

test('forgotten arrays and graphs are freed by the FinalizationRegistry (--expose-gc)', () => {
  const script = `
    import { init, nd, autograd } from ${JSON.stringify(INDEX)};
    await init();
    const base = nd.memory();
    const x = nd.ones([64]).attachGrad();
    (() => {
      for (let i = 0; i < 2000; i++) nd.ones([256]).mul(2);         // 4,000 arrays never disposed
      for (let i = 0; i < 500; i++) autograd.record(() => x.sin().mul(x).sum()); // and graphs
    })();
    const forgotten = nd.memory();
    for (let k = 0; k < 50 && nd.memory().arrays > base.arrays + 1; k++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 5)); // finalizers run after the GC
    }
    const after = nd.memory();
    console.log(JSON.stringify({ base, forgotten, after }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script],
    { encoding: 'utf8', env: process.env, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const { base, forgotten, after } = JSON.parse(r.stdout.trim().split('\n').at(-1));
  assert.ok(forgotten.arrays >= base.arrays + 1000, `arrays were alive before GC: ${forgotten.arrays}`);
  assert.equal(after.arrays, base.arrays + 1, 'only x is left');
  assert.equal(after.bytes, base.bytes + 2 * 64 * 4, 'only x and its gradient hold bytes');
  assert.equal(after.graphBytes, 0, 'no graph is left');
});

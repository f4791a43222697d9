// Lifetimes: dispose, tidy, nd.memory(), and graphs that outlive their handles.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd } from '../../js/index.js';
import { assertClose, assertWgError, valuesOf } from './helpers/check.mjs';

before(async () => {
  await init();
});

describe('dispose', () => {
  test('isDisposed, and DISPOSED on any use', () => {
    const x = nd.array([1, 2, 3]);
    const other = nd.array([4, 5, 6]);
    assert.equal(x.isDisposed, false);
    x.dispose();
    assert.equal(x.isDisposed, true);
    assertWgError(() => x.toArray(), 'DISPOSED');
    assertWgError(() => x.toTypedArray(), 'DISPOSED');
    assertWgError(() => nd.add(x, 1), 'DISPOSED');
    assertWgError(() => other.add(x), 'DISPOSED');
    assertWgError(() => x.sin(), 'DISPOSED');
    assertWgError(() => x.attachGrad(), 'DISPOSED');
    assert.deepEqual(other.toArray(), [4, 5, 6]);
    other.dispose();
  });
  test('dispose frees the handle in nd.memory()', () => {
    const before = nd.memory();
    const x = nd.zeros([10]);
    const during = nd.memory();
    assert.equal(during.arrays, before.arrays + 1);
    assert.ok(during.bytes >= before.bytes + 40, `bytes grew by ${during.bytes - before.bytes}, expected >= 40`);
    x.dispose();
    const after = nd.memory();
    assert.equal(after.arrays, before.arrays);
    assert.equal(after.bytes, before.bytes);
  });
  test('nd.memory() has the four fields as numbers', () => {
    const m = nd.memory();
    for (const k of ['arrays', 'bytes', 'graphBytes', 'wasmBytes']) {
      assert.equal(typeof m[k], 'number', k);
      assert.ok(m[k] >= 0, k);
    }
    assert.ok(m.wasmBytes >= 65536 && m.wasmBytes % 65536 === 0, 'wasm memory is whole pages');
  });
});

describe('tidy', () => {
  test('disposes everything not returned', () => {
    const outside = nd.ones([2]);
    let temp;
    const kept = nd.tidy(() => {
      temp = nd.ones([2]).mul(3);
      return temp.add(outside);
    });
    assert.equal(temp.isDisposed, true);
    assert.equal(kept.isDisposed, false);
    assert.equal(outside.isDisposed, false, 'arrays created outside are untouched');
    assert.deepEqual(kept.toArray(), [4, 4]);
    kept.dispose();
    outside.dispose();
  });
  test('keeps NDArrays inside returned arrays and objects', () => {
    let temp;
    const before = nd.memory().arrays;
    const { a, list } = nd.tidy(() => {
      temp = nd.zeros([3]);
      return { a: temp.add(1), list: [temp.add(2), { deep: temp.add(3) }] };
    });
    assert.equal(temp.isDisposed, true);
    assert.deepEqual(a.toArray(), [1, 1, 1]);
    assert.deepEqual(list[0].toArray(), [2, 2, 2]);
    assert.deepEqual(list[1].deep.toArray(), [3, 3, 3]);
    assert.equal(nd.memory().arrays, before + 3);
    [a, list[0], list[1].deep].forEach((x) => x.dispose());
  });
  test('nested tidy: inner results belong to the outer scope', () => {
    let innerTemp, innerKept;
    const before = nd.memory().arrays;
    nd.tidy(() => {
      innerKept = nd.tidy(() => {
        innerTemp = nd.ones([2]);
        return innerTemp.mul(2);
      });
      assert.equal(innerTemp.isDisposed, true);
      assert.equal(innerKept.isDisposed, false);
    });
    assert.equal(innerKept.isDisposed, true, 'the outer tidy returned nothing');
    assert.equal(nd.memory().arrays, before);
  });
  test('a tidy whose function throws still disposes, and rethrows', () => {
    let temp;
    const before = nd.memory().arrays;
    assert.throws(() => nd.tidy(() => {
      temp = nd.ones([4]);
      throw new RangeError('boom');
    }), RangeError);
    assert.equal(temp.isDisposed, true);
    assert.equal(nd.memory().arrays, before);
  });
});

describe('graphs outlive their handles', () => {
  test('disposing the intermediate handles does not break a later backward', () => {
    const xs = [0.4, -1.3, 2.2];
    const x = nd.array(xs, { dtype: 'float64' });
    x.attachGrad();
    const y = autograd.record(() => {
      const s = nd.sin(x);
      const t = s.mul(x);
      const out = nd.exp(t);
      s.dispose();
      t.dispose();
      return out;
    });
    y.backward();
    // d/dx exp(x sin x) = exp(x sin x) (sin x + x cos x)
    const expected = xs.map((v) => Math.exp(v * Math.sin(v)) * (Math.sin(v) + v * Math.cos(v)));
    assertClose(valuesOf(x.grad), expected, { rtol: 1e-13, what: 'x.grad' });
    y.dispose();
    x.dispose();
  });
  test('second order after disposing the first-order handle inputs', () => {
    const x = nd.array([0.7], { dtype: 'float64' });
    x.attachGrad();
    const s = autograd.record(() => nd.sin(x));
    const y = autograd.record(() => s.mul(s));
    s.dispose();
    const g = autograd.grad(y, x, { createGraph: true })[0];
    y.dispose();
    g.backward();
    // y = sin^2 x, y'' = 2 cos 2x
    assertClose(valuesOf(x.grad), [2 * Math.cos(1.4)], { rtol: 1e-13, what: "y''" });
    g.dispose();
    x.dispose();
  });
  test('graphBytes > 0 while a retained graph is alive, back to the baseline after its heads are disposed', () => {
    const base = nd.memory().graphBytes;
    const x = nd.array([1, 2, 3, 4], { dtype: 'float64' });
    x.attachGrad();
    const y = autograd.record(() => nd.tidy(() => nd.exp(nd.sin(x).mul(x))));
    y.backward(undefined, { retainGraph: true });
    assert.ok(nd.memory().graphBytes > base, `graphBytes ${nd.memory().graphBytes}, baseline ${base}`);
    y.dispose();
    assert.equal(nd.memory().graphBytes, base);
    x.dispose();
  });
});

test('memory stays flat over 1,000 iterations of record -> grad(createGraph) -> backward', () => {
  const x = nd.array([0.3, -0.8, 1.7, 2.5], { dtype: 'float64' });
  x.attachGrad();
  const step = () =>
    nd.tidy(() => {
      const y = autograd.record(() => nd.sum(nd.tanh(x).mul(x)));
      const g = autograd.grad(y, x, { createGraph: true })[0];
      g.backward();
    });
  for (let i = 0; i < 20; i++) step();
  const warm = nd.memory();
  for (let i = 0; i < 1000; i++) step();
  const after = nd.memory();
  assert.equal(after.arrays, warm.arrays, 'arrays');
  assert.equal(after.bytes, warm.bytes, 'bytes');
  assert.equal(after.graphBytes, warm.graphBytes, 'graphBytes');
  assert.ok(after.wasmBytes <= warm.wasmBytes, `wasmBytes grew from ${warm.wasmBytes} to ${after.wasmBytes}`);
  // and the last backward wrote the right second derivative of sum(x tanh x):
  // (x t)'' = 2 (1 - t^2) - 2 x t (1 - t^2)
  const expected = [0.3, -0.8, 1.7, 2.5].map((v) => {
    const t = Math.tanh(v);
    return 2 * (1 - t * t) - 2 * v * t * (1 - t * t);
  });
  assertClose(valuesOf(x.grad), expected, { rtol: 1e-12, what: 'x.grad' });
  x.dispose();
});

// Deferred, fused elementwise operators (src/fusion.c) seen from JS: values against float64
// references, every derivative order identical with fusion on and off (the same kernels run,
// blockwise), and lifetimes (dispose, tidy, nd.memory()) as if nothing were deferred.
// tests/c/test_fusion.c covers random chains and the limits of a program.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd } from '../../js/index.js';
import { wg } from '../../js/loader.js';
import { handleOf } from '../../js/ndarray.js';
import { assertWgError } from './helpers/check.mjs';

before(async () => {
  await init();
});
after(() => {
  wg.wg_set_fusion(1);
});

/** deterministic values in [-1, 1) */
function values(count, seed) {
  const out = new Float64Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 2 ** 23 - 1;
  }
  return out;
}

/** f run with fusion on and with it off; both results as typed arrays */
function bothWays(f) {
  const got = [1, 0].map((on) => {
    wg.wg_set_fusion(on);
    try {
      return nd.tidy(f);
    } finally {
      wg.wg_set_fusion(1);
    }
  });
  return { fused: got[0], plain: got[1] };
}

const bits = (a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

describe('values', () => {
  for (const dtype of ['float32', 'float64']) {
    test(`x * y + x with a broadcast row, ${dtype}: against float64, and a block edge`, () => {
      // 3 rows of 1500: a row is longer than one fused block (1024 elements)
      const [m, n] = [3, 1500];
      const xs = values(m * n, 1), ys = values(n, 2);
      const round = dtype === 'float32' ? Math.fround : (v) => v;
      const { fused, plain } = bothWays(() => {
        const x = nd.array(xs, { shape: [m, n], dtype }), y = nd.array(ys, { shape: [1, n], dtype });
        return x.mul(y).add(x).toTypedArray();
      });
      assert.deepEqual(bits(fused), bits(plain));
      for (let i = 0; i < m * n; i++) {
        const x = round(xs[i]), y = round(ys[i % n]);
        assert.equal(fused[i], round(round(x * y) + x), `element ${i}`);
      }
    });
  }

  test('a deferred result longer than a read block (16384) is read out block by block: the unfused bits, twice, and still usable', () => {
    for (const dtype of ['float32', 'float64']) {
      const [m, n] = [3, 7001]; // 21003 elements: two blocks, the second partial and starting mid-row
      const xs = values(m * n, 5), ys = values(n, 6);
      const { fused, plain } = bothWays(() => {
        const x = nd.array(xs, { shape: [m, n], dtype }), y = nd.array(ys, { shape: [1, n], dtype });
        const z = x.mul(y).sub(x.mul(0.5));
        const first = z.toTypedArray(), again = z.toTypedArray();
        assert.deepEqual(bits(again), bits(first));
        const total = z.sum({ axis: 1 }).toTypedArray();
        const out = new Float64Array(first.length + total.length);
        out.set(first);
        out.set(total, first.length);
        return out;
      });
      assert.deepEqual(bits(fused), bits(plain), dtype);
      // and the values themselves: each operator rounded to the dtype, as the kernels do
      const round = dtype === 'float32' ? Math.fround : (v) => v;
      for (let i = 0; i < m * n; i++) {
        const x = round(xs[i]), y = round(ys[i % n]);
        assert.equal(fused[i], round(round(x * y) - round(x * 0.5)), `${dtype} element ${i}`);
      }
    }
  });

  test('a deferred gradient longer than a read block is written as it is read out: the same bits again once the graph is freed', () => {
    let waitedOnce = false;
    for (const dtype of ['float32', 'float64']) {
      const xs = values(2 * 16384 + 1000, 7);
      const round = dtype === 'float32' ? Math.fround : (v) => v;
      const { fused, plain } = bothWays(() => {
        const x = nd.array(xs, { dtype });
        x.attachGrad();
        let t;
        const s = autograd.record(() => (t = nd.tanh(x)).sum());
        s.backward();
        const grad = x.grad;
        const waited = wg.wg_tensor_deferred(handleOf(grad, 'test')) !== 0; // (1 - t^2) g, waiting on t
        const first = grad.toTypedArray();
        // read in full, in order: its data is written, so freeing t cannot make it run again
        if (waited) assert.equal(wg.wg_tensor_deferred(handleOf(grad, 'test')), 0, dtype);
        waitedOnce ||= waited;
        const ts = t.toTypedArray();
        t.dispose();
        s.dispose();
        assert.deepEqual(bits(grad.toTypedArray()), bits(first), dtype);
        assert.deepEqual(bits(grad.mul(1).toTypedArray()), bits(first), dtype);
        for (let i = 0; i < xs.length; i++) assert.equal(first[i], round(1 - round(ts[i] * ts[i])), `${dtype} element ${i}`);
        return first;
      });
      assert.deepEqual(bits(fused), bits(plain), dtype);
    }
    assert.ok(waitedOnce, 'with fusion on, the gradient waits as a program: else this test checks nothing of it');
  });

  test('tanh(x w + b) in one pass: the unfused bits, within 3 ulp of float64 tanh at each float32 step', () => {
    const xs = values(2000, 3), w = 0.75, b = values(1, 4)[0];
    const { fused, plain } = bothWays(() => nd.array(xs, { dtype: 'float32' }).mul(w).add(b).tanh().toTypedArray());
    assert.deepEqual(bits(fused), bits(plain));
    for (let i = 0; i < xs.length; i++) {
      const u = Math.fround(Math.fround(Math.fround(xs[i]) * w) + Math.fround(b));
      const want = Math.fround(Math.tanh(u)); // the float32 kernel's bound: 3 ulp of the rounded value
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23);
      assert.ok(Math.abs(fused[i] - want) <= 3 * ulp, `tanh at ${u}: ${fused[i]} vs ${want}`);
    }
  });
});

describe('derivatives are the same with fusion on and off', () => {
  // compositions whose rules are chains of cheap operators around one expensive one
  const FUNCTIONS = {
    'x exp(x)': (x) => x.mul(x.exp()),
    'x tanh(x)': (x) => x.mul(x.tanh()),
    'SiLU x sigmoid(x)': (x) => x.mul(x.sigmoid()),
    'softplus': (x) => x.softplus(),
    '(x y + x)^2 / 2, y a broadcast row': (x, y) => x.mul(y).add(x).square().mul(0.5),
    'relu(x) - x^2 + |x| * 3': (x) => x.relu().sub(x.square()).add(x.abs().mul(3)),
    'where(x > y, x^2 y, -x), y a broadcast row': (x, y) => nd.where(x.greater(y), x.square().mul(y), x.neg()),
    'where(x > 0, x^3, 0.25), a constant branch': (x) => nd.where(x.greater(0), x.square().mul(x), 0.25),
  };
  for (const [name, f] of Object.entries(FUNCTIONS)) {
    for (const dtype of ['float32', 'float64']) {
      test(`${name}, ${dtype}, orders 1 to 3`, () => {
        const { fused, plain } = bothWays(() => {
          const x = nd.array(values(12, 5), { shape: [3, 4], dtype });
          const y = nd.array(values(4, 6), { shape: [1, 4], dtype });
          x.attachGrad();
          const out = [];
          autograd.record(() => {
            let g = f(x, y);
            for (let k = 1; k <= 3; k++) {
              [g] = autograd.grad(g.sum(), x, { createGraph: true, retainGraph: true });
              out.push(...g.toTypedArray());
            }
          });
          return dtype === 'float32' ? Float32Array.from(out) : Float64Array.from(out);
        });
        assert.deepEqual(bits(fused), bits(plain));
      });
    }
  }

  test('x exp(x) against its analytic derivatives (x + k) e^x, float64', () => {
    const xs = values(8, 7);
    const x = nd.array(xs);
    x.attachGrad();
    nd.tidy(() => autograd.record(() => {
      let g = x.mul(x.exp());
      for (let k = 1; k <= 3; k++) {
        [g] = autograd.grad(g.sum(), x, { createGraph: true, retainGraph: true });
        g.toTypedArray().forEach((v, i) => {
          const want = (xs[i] + k) * Math.exp(xs[i]);
          assert.ok(Math.abs(v - want) <= 1e-15 * (1 + Math.abs(want)), `order ${k} at ${xs[i]}: ${v} vs ${want}`);
        });
      }
    }));
    x.dispose();
  });
});

describe('lifetimes', () => {
  test('nd.memory() and dispose: the same with fusion on and off', () => {
    const stats = [1, 0].map((on) => {
      wg.wg_set_fusion(on);
      const before = nd.memory();
      const x = nd.array(values(1000, 8)), y = nd.array(values(1000, 9));
      const xy = x.mul(y);
      const z = xy.add(1); // pending with fusion: reads x and y, not xy
      const during = nd.memory();
      x.dispose(); // frees x now: z is computed first
      const afterDispose = nd.memory();
      const sum = nd.tidy(() => z.sum().item());
      y.dispose();
      xy.dispose();
      z.dispose();
      const after = nd.memory();
      wg.wg_set_fusion(1);
      return [during.bytes - before.bytes, afterDispose.bytes - before.bytes, after.bytes - before.bytes,
        during.graphBytes, afterDispose.graphBytes, sum];
    });
    assert.deepEqual(stats[0], stats[1]);
    assert.deepEqual(stats[0].slice(0, 3), [4 * 8000, 3 * 8000, 0]);
  });

  test('a result whose intermediates and inputs nd.tidy disposed', () => {
    const xs = values(50, 10);
    const x = nd.array(xs);
    const z = nd.tidy(() => {
      const y = nd.array(values(50, 11));
      return x.mul(2).add(y).mul(3).sub(y);
    });
    const ys = values(50, 11);
    assert.deepEqual(Array.from(z.toTypedArray()), Array.from(xs, (v, i) => (v * 2 + ys[i]) * 3 - ys[i]));
    x.dispose();
    z.dispose();
  });

  test('an error in a chain leaves its pending inputs intact', () => {
    const x = nd.array([1, 2, 3]);
    const t = x.mul(2);
    assertWgError(() => t.add(nd.array([1, 2])), 'SHAPE_MISMATCH');
    assert.deepEqual(t.toArray(), [2, 4, 6]);
    x.dispose();
    t.dispose();
  });
});

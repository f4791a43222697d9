// The matmul kernel through every public path that reaches it, against a float64 triple
// loop, for sizes around its tile and block edges (1..9, 17, 33, 65, and larger ragged ones):
//   nd.matmul(a, b)                  op(a) = a,  op(b) = b
//   nd.fullyConnected(x, w)          x wᵀ: b read transposed in place
//   gradients of sum(G * (a @ b))    G bᵀ (b transposed) and aᵀ G (a transposed)
//   batched and broadcast batches    one kernel call per matrix pair
// float32 results must be within the bound of any summation order, (k + 1) u Σ|a b|
// (u = 2^-24, on the float32-rounded inputs); float64 within the same bound with u = 2^-53.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd } from '../../js/index.js';

before(async () => {
  await init();
});

const DTYPES = ['float32', 'float64'];
const U = { float32: 2 ** -24, float64: 2 ** -53 };

/** deterministic values in [-1, 1), rounded to the dtype */
function values(count, seed, dtype) {
  const out = new Float64Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 2 ** 23 - 1;
  }
  return dtype === 'float32' ? Float64Array.from(Float32Array.from(out)) : out;
}

/**
 * Compares got (m x n, row-major) with sum_p A(i, p) B(p, j), where A(i, p) and B(p, j)
 * are element accessors; fails with the first element outside the bound.
 */
function assertProduct(got, m, k, n, A, B, dtype, what) {
  assert.equal(got.length, m * n, `${what}: size`);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0, scale = 0;
      for (let p = 0; p < k; p++) {
        const t = A(i, p) * B(p, j);
        s += t;
        scale += Math.abs(t);
      }
      const bound = (k + 1) * U[dtype] * scale;
      const g = got[i * n + j];
      if (!(Math.abs(g - s) <= bound))
        assert.fail(`${what}: element [${i}, ${j}] is ${g}, want ${s} (bound ${bound.toExponential(2)})`);
    }
}

/** a @ b, a wᵀ and both gradients of sum(G * (a @ b)) for one [m, k] @ [k, n] */
function checkAllPaths(m, k, n, dtype, seed) {
  const a = values(m * k, seed, dtype), b = values(k * n, seed + 1, dtype), G = values(m * n, seed + 2, dtype);
  const label = `${dtype} [${m},${k}] @ [${k},${n}]`;
  nd.tidy(() => {
    const A = nd.array(a, { shape: [m, k], dtype }), B = nd.array(b, { shape: [k, n], dtype });
    // a @ b
    assertProduct(nd.matmul(A, B).toTypedArray(), m, k, n, (i, p) => a[i * k + p], (p, j) => b[p * n + j], dtype, `${label}`);
    // x wᵀ with w = bᵀ stored [n, k]
    const bt = new Float64Array(n * k);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
    const W = nd.array(bt, { shape: [n, k], dtype });
    assertProduct(nd.fullyConnected(A, W).toTypedArray(), m, k, n, (i, p) => a[i * k + p], (p, j) => bt[j * k + p], dtype,
      `${label} as fullyConnected (b transposed)`);
    // d/da = G bᵀ: [m, n] @ [n, k] with b transposed; d/db = aᵀ G: [k, m] @ [m, n] with a transposed
    A.attachGrad();
    B.attachGrad();
    const headGrads = nd.array(G, { shape: [m, n], dtype });
    const [ga, gb] = autograd.grad(autograd.record(() => nd.matmul(A, B)), [A, B], { headGrads });
    assertProduct(ga.toTypedArray(), m, n, k, (i, p) => G[i * n + p], (p, j) => b[j * n + p], dtype, `${label}: G bᵀ`);
    assertProduct(gb.toTypedArray(), k, m, n, (i, p) => a[p * k + i], (p, j) => G[p * n + j], dtype, `${label}: aᵀ G`);
  });
}

const SMALL = [1, 2, 3, 4, 5, 7, 8, 9, 12, 17, 33];

describe('matmul kernel: every shape around the tile edges', () => {
  for (const dtype of DTYPES)
    test(`${dtype}: m, k, n in ${SMALL.join(', ')}, plain, b transposed, a transposed`, () => {
      let seed = 1;
      for (const m of SMALL) for (const k of SMALL) for (const n of SMALL) checkAllPaths(m, k, n, dtype, (seed += 3));
    });
});

describe('matmul kernel: larger ragged shapes', () => {
  const SHAPES = [[65, 65, 65], [130, 257, 67], [64, 784, 128], [37, 600, 11], [300, 9, 301]];
  for (const dtype of DTYPES)
    for (const [m, k, n] of SHAPES)
      test(`${dtype} [${m},${k}] @ [${k},${n}], all paths`, () => checkAllPaths(m, k, n, dtype, m + k + n));
});

describe('matmul kernel: batches', () => {
  for (const dtype of DTYPES)
    test(`${dtype}: [3,m,k] @ [3,k,n] and [2,1,m,k] @ [3,k,n] (broadcast)`, () => {
      for (const [m, k, n] of [[5, 7, 9], [17, 3, 33], [1, 33, 4]]) {
        const a = values(3 * m * k, m, dtype), b = values(3 * k * n, n, dtype);
        nd.tidy(() => {
          const got = nd.matmul(nd.array(a, { shape: [3, m, k], dtype }), nd.array(b, { shape: [3, k, n], dtype })).toTypedArray();
          for (let t = 0; t < 3; t++)
            assertProduct(got.subarray(t * m * n, (t + 1) * m * n), m, k, n, (i, p) => a[t * m * k + i * k + p],
              (p, j) => b[t * k * n + p * n + j], dtype, `batch ${t} of [3,${m},${k}] @ [3,${k},${n}]`);
          const a2 = a.subarray(0, 2 * m * k);
          const out = nd.matmul(nd.array(a2, { shape: [2, 1, m, k], dtype }), nd.array(b, { shape: [3, k, n], dtype }));
          assert.deepEqual(out.shape, [2, 3, m, n]);
          const g = out.toTypedArray();
          for (let s = 0; s < 2; s++)
            for (let t = 0; t < 3; t++)
              assertProduct(g.subarray((s * 3 + t) * m * n, (s * 3 + t + 1) * m * n), m, k, n, (i, p) => a2[s * m * k + i * k + p],
                (p, j) => b[t * k * n + p * n + j], dtype, `batch [${s}, ${t}] of [2,1,${m},${k}] @ [3,${k},${n}]`);
        });
      }
    });
});

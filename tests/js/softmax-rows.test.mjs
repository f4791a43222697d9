// softmax (one fused kernel, src/kernels/softmax.c) and logSoftmax (x - logsumexp x) row by row
// against a float64 reference written here: long rows whose lengths are not multiples of the vector width, rows
// along an outer axis (gathered), large magnitudes that would overflow exp without the shift,
// and the non-finite rows, whose values follow from the shift rule (a row whose max is not
// finite is not shifted).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';

before(async () => {
  await init();
});

function referenceRow(row, log) {
  let m = -Infinity, nan = false;
  for (const v of row) { if (v > m) m = v; if (Number.isNaN(v)) nan = true; }
  if (nan || !Number.isFinite(m)) m = 0;
  const s = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
  return row.map((v) => (log ? v - m - Math.log(s) : Math.exp(v - m) / s));
}

/** reference of op along `axis` of a C-ordered array */
function reference(data, shape, axis, log) {
  const out = new Float64Array(data.length);
  const n = shape[axis], inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = data.length / (n * inner);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const idx = Array.from({ length: n }, (_, i) => (o * n + i) * inner + j);
      const r = referenceRow(idx.map((k) => data[k]), log);
      idx.forEach((k, i) => { out[k] = r[i]; });
    }
  return out;
}

/** |got - want| <= tol max(1, |want|, size): logSoftmax is x - logsumexp(x), whose absolute
 * error scales with the inputs' magnitude `size` */
function close(got, want, tol, size = 1) {
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) { assert.ok(Number.isNaN(got[i]), `entry ${i}: ${got[i]}, want NaN`); continue; }
    if (!Number.isFinite(want[i])) { assert.equal(got[i], want[i], `entry ${i}`); continue; }
    const err = Math.abs(got[i] - want[i]);
    assert.ok(err <= tol * Math.max(1, Math.abs(want[i]), size), `entry ${i}: ${got[i]}, want ${want[i]}`);
  }
}

let seed = 7;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

describe('softmax / logSoftmax rows', () => {
  for (const dtype of ['float32', 'float64']) {
    const tol = dtype === 'float32' ? 4e-6 : 1e-13;
    for (const op of ['softmax', 'logSoftmax']) {
      // inner sizes past the kernel's groups of 16 gathered rows, ragged: [40, 37] axis 0, [3, 20, 18] axis 1
      for (const [shape, axis, scale] of [[[3, 1027], 1, 10], [[1027, 3], 0, 10], [[2, 33, 5], 1, 1], [[4, 300], -1, 2000],
        [[40, 37], 0, 10], [[3, 20, 18], 1, 3]]) {
        test(`${op} ${dtype} [${shape}] axis ${axis}, values within +-${scale}`, () => {
          const data = Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() * 2 - 1) * scale);
          const x = nd.array(dtype === 'float32' ? Float32Array.from(data) : data, { shape, dtype });
          const exact = dtype === 'float32' ? Float64Array.from(Float32Array.from(data)) : data;
          close(nd.tidy(() => nd[op](x, axis).toTypedArray()), reference(exact, shape, axis < 0 ? axis + shape.length : axis, op === 'logSoftmax'), tol,
            op === 'logSoftmax' ? scale : 1);
          x.dispose();
        });
      }
      test(`${op} ${dtype}: rows with inf, -inf and NaN`, () => {
        const rows = [[1, Infinity, 2], [-Infinity, -Infinity, -Infinity], [-Infinity, 0, 1], [NaN, 1, 2], [1e30, -1e30, 0]];
        const data = rows.flat();
        const got = nd.tidy(() => nd[op](nd.array(data, { shape: [5, 3], dtype })).toTypedArray());
        close(got, reference(Float64Array.from(dtype === 'float32' ? Float32Array.from(data) : data), [5, 3], 1, op === 'logSoftmax'), tol);
      });
      test(`${op} ${dtype}: the same rows as columns, along an outer axis with 20 of them`, () => {
        // rows 16 or more apart go through the shared kernels (op_softmax_columns), not the row kernel
        const rows = [[1, Infinity, 2], [-Infinity, -Infinity, -Infinity], [-Infinity, 0, 1], [NaN, 1, 2], [1e30, -1e30, 0]];
        const cols = 20, data = [];
        for (let i = 0; i < 3; i++) for (let c = 0; c < cols; c++) data.push(rows[c % rows.length][i]);
        const got = nd.tidy(() => nd[op](nd.array(data, { shape: [3, cols], dtype }), 0).toTypedArray());
        close(got, reference(Float64Array.from(dtype === 'float32' ? Float32Array.from(data) : data), [3, cols], 0, op === 'logSoftmax'), tol);
      });
    }
  }
});

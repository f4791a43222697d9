// The layout kernels of src/kernels/copy.c at sizes past their tile and vector edges, against
// index arithmetic in JS: transposes (copied in 32 x 32 tiles when the source is read across
// rows), flips (a reversed vector loop), and where (typed loops when the mask has the data's
// dtype, the generic loop otherwise), in float32 and float64, with broadcast operands.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';

before(async () => {
  await init();
});

/** distinct values, so that any element copied from the wrong place shows */
const iota = (n) => Float64Array.from({ length: n }, (_, i) => i * 0.5 - 7);
const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** element at multi-index idx of a row-major array of shape */
function at(data, shape, idx) {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
  return data[flat];
}

/** every multi-index of shape, in row-major order */
function* indices(shape) {
  const idx = shape.map(() => 0);
  for (let k = 0; k < size(shape); k++) {
    yield idx.slice();
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

describe('transpose', () => {
  const CASES = [
    [[70, 45], [1, 0]],
    [[33, 32], [1, 0]],
    [[1, 100], [1, 0]],
    [[3, 70, 45], [0, 2, 1]],
    [[3, 40, 35], [2, 1, 0]],
    [[5, 6, 7], [1, 2, 0]],
    [[40, 3, 37], [2, 0, 1]],
  ];
  for (const dtype of ['float32', 'float64']) {
    for (const [shape, perm] of CASES) {
      test(`[${shape}] by (${perm}), ${dtype}`, () => {
        const data = iota(size(shape));
        const got = nd.tidy(() => nd.array(data, { shape, dtype }).transpose(perm).toTypedArray());
        const outShape = perm.map((p) => shape[p]);
        let k = 0;
        for (const idx of indices(outShape)) {
          const src = shape.map((_, d) => idx[perm.indexOf(d)]);
          assert.equal(got[k++], at(data, shape, src), `element [${idx}]`);
        }
      });
    }
  }
});

describe('flip', () => {
  for (const dtype of ['float32', 'float64']) {
    test(`[7, 67] along each axis and both, ${dtype}`, () => {
      const shape = [7, 67];
      const data = iota(size(shape));
      for (const axes of [[0], [1], [0, 1]]) {
        const got = nd.tidy(() => nd.array(data, { shape, dtype }).flip(axes).toTypedArray());
        let k = 0;
        for (const [i, j] of indices(shape)) {
          const src = [axes.includes(0) ? shape[0] - 1 - i : i, axes.includes(1) ? shape[1] - 1 - j : j];
          assert.equal(got[k++], at(data, shape, src), `axes ${axes}, element [${i},${j}]`);
        }
      }
    });
  }
});

describe('where', () => {
  const SHAPES = [
    ['same shapes [9, 70]', [9, 70], [9, 70], [9, 70]],
    ['mask row [1, 70], b a number', [1, 70], [9, 70], []],
    ['mask column [9, 1], a a row [70]', [9, 1], [70], [9, 70]],
  ];
  for (const dtype of ['float32', 'float64']) {
    for (const maskDtype of [dtype, 'int32', dtype === 'float32' ? 'float64' : 'float32']) {
      for (const [what, cs, as, bs] of SHAPES) {
        test(`${what}, data ${dtype}, mask ${maskDtype}`, () => {
          const outShape = [9, 70];
          const mask = Float64Array.from({ length: size(cs) }, (_, i) => (i * 7) % 3 === 0 ? 0 : (i % 5) - 2);
          const a = iota(size(as)), b = iota(size(bs)).map((v) => -v - 100);
          const got = nd.tidy(() => nd.where(nd.array(mask, { shape: cs, dtype: maskDtype }),
            nd.array(a, { shape: as, dtype }), nd.array(b, { shape: bs, dtype })).toTypedArray());
          const pick = (data, shape, idx) => at(data, shape, idx.slice(idx.length - shape.length).map((v, d) => (shape[d] === 1 ? 0 : v)));
          let k = 0;
          for (const idx of indices(outShape)) {
            const want = pick(mask, cs, idx) !== 0 ? pick(a, as, idx) : pick(b, bs, idx);
            assert.equal(got[k++], want, `element [${idx}]`);
          }
        });
      }
    }
  }
});

// The conventions at kinks and domain edges (helpers/kinks.mjs), point by point, in float32 and
// float64: the gradients of orders 1, 2, ... with head gradients of ones.
import { describe, test, before } from 'node:test';
import { init } from '../../js/index.js';
import { assertClose } from './helpers/check.mjs';
import { gradValues } from './helpers/grad.mjs';
import { KINKS } from './helpers/kinks.mjs';

before(async () => {
  await init();
});

for (const [op, { convention, points }] of Object.entries(KINKS)) {
  describe(`${op}: ${convention}`, () => {
    for (const dtype of ['float32', 'float64']) {
      points.forEach(({ f, x, grads }, i) => {
        test(`point ${i} (x = [${x}]) ${dtype}`, () => {
          const input = { shape: [x.length], data: Float64Array.from(x) };
          grads.forEach((expected, k) => {
            const [g] = gradValues(f, [input], dtype, new Array(k).fill(0));
            const round = dtype === 'float32' ? expected.map(Math.fround) : expected;
            assertClose(g.data, round, { rtol: 1e-15, what: `${op} order ${k + 1} at [${x}]` });
          });
        });
      });
    }
  });
}

// Creating arrays and reading them back.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';
import { assertClose } from './helpers/check.mjs';

before(async () => {
  await init();
});

const TYPED = { float32: Float32Array, float64: Float64Array, int32: Int32Array };
const ITEM_BYTES = { float32: 4, float64: 8, int32: 4 };

/** shape, dtype, size, ndim and the flat values of x */
function assertArray(x, { shape, dtype, values }) {
  assert.deepEqual(x.shape, shape, 'shape');
  assert.equal(x.dtype, dtype, 'dtype');
  assert.equal(x.size, values.length, 'size');
  assert.equal(x.ndim, shape.length, 'ndim');
  const flat = x.toTypedArray();
  assert.ok(flat instanceof TYPED[dtype], `toTypedArray gives a ${TYPED[dtype].name}`);
  assert.deepEqual(Array.from(flat), values);
}
const inTidy = (name, fn) => test(name, () => nd.tidy(fn));

describe('nd.array', () => {
  inTidy('nested arrays default to float32', () => {
    const x = nd.array([[1, 2, 3], [4, 5, 6]]);
    assertArray(x, { shape: [2, 3], dtype: 'float32', values: [1, 2, 3, 4, 5, 6] });
    assert.deepEqual(x.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.equal(x.grad, null, 'no gradient before attachGrad');
  });
  inTidy('a number gives a 0-d array; toArray gives a number', () => {
    const x = nd.array(2.5);
    assertArray(x, { shape: [], dtype: 'float32', values: [2.5] });
    assert.equal(x.toArray(), 2.5);
    assert.equal(x.item(), 2.5);
  });
  for (const dtype of ['float32', 'float64', 'int32']) {
    inTidy(`dtype ${dtype}`, () => {
      const v = [1, -2, 3, 7];
      assertArray(nd.array(v, { dtype }), { shape: [4], dtype, values: v });
      assertArray(nd.array(TYPED[dtype].from(v), { dtype }), { shape: [4], dtype, values: v });
    });
  }
  inTidy('float32 rounds and float64 keeps the value', () => {
    assert.equal(nd.array([0.1]).toTypedArray()[0], Math.fround(0.1));
    assert.equal(nd.array([0.1], { dtype: 'float64' }).toTypedArray()[0], 0.1);
    assert.equal(nd.array([1 / 3], { dtype: 'float64' }).item(), 1 / 3);
  });
  inTidy('the shape option reshapes flat data, typed or not', () => {
    const x = nd.array(new Float64Array([1, 2, 3, 4, 5, 6]), { dtype: 'float64', shape: [3, 2] });
    assert.deepEqual(x.toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(nd.array([1, 2, 3, 4], { shape: [2, 1, 2] }).toArray(), [[[1, 2]], [[3, 4]]]);
  });
  inTidy('toTypedArray is a copy', () => {
    const x = nd.array([1, 2, 3]);
    const t = x.toTypedArray();
    t[0] = 99;
    assert.deepEqual(x.toArray(), [1, 2, 3]);
  });
  inTidy('empty dimensions', () => {
    const x = nd.zeros([2, 0]);
    assert.deepEqual(x.shape, [2, 0]);
    assert.equal(x.size, 0);
    assert.deepEqual(x.toArray(), [[], []]);
  });
  inTidy('nd.memory() counts the bytes of each dtype', () => {
    for (const dtype of ['float32', 'float64', 'int32']) {
      const before = nd.memory().bytes;
      const x = nd.zeros([100], { dtype });
      const grown = nd.memory().bytes - before;
      assert.ok(grown >= 100 * ITEM_BYTES[dtype] && grown <= 100 * ITEM_BYTES[dtype] + 64, `${dtype}: ${grown} bytes`);
      x.dispose();
    }
  });
});

describe('constructors', () => {
  inTidy('zeros, ones, full', () => {
    assertArray(nd.zeros([2, 2]), { shape: [2, 2], dtype: 'float32', values: [0, 0, 0, 0] });
    assertArray(nd.ones([3], { dtype: 'float64' }), { shape: [3], dtype: 'float64', values: [1, 1, 1] });
    assertArray(nd.full([2, 1], 7, { dtype: 'int32' }), { shape: [2, 1], dtype: 'int32', values: [7, 7] });
    assertArray(nd.full([2], 0.1, { dtype: 'float64' }), { shape: [2], dtype: 'float64', values: [0.1, 0.1] });
    assertArray(nd.zeros([]), { shape: [], dtype: 'float32', values: [0] });
  });
  inTidy('arange (NumPy semantics: stop excluded)', () => {
    assertArray(nd.arange(0, 5, 1), { shape: [5], dtype: 'float32', values: [0, 1, 2, 3, 4] });
    assertArray(nd.arange(1, 2, 0.25, { dtype: 'float64' }), { shape: [4], dtype: 'float64', values: [1, 1.25, 1.5, 1.75] });
    assertArray(nd.arange(5, 0, -2, { dtype: 'int32' }), { shape: [3], dtype: 'int32', values: [5, 3, 1] });
  });
  inTidy('linspace includes both ends', () => {
    assertArray(nd.linspace(0, 1, 5, { dtype: 'float64' }), { shape: [5], dtype: 'float64', values: [0, 0.25, 0.5, 0.75, 1] });
    const x = nd.linspace(-1, 1, 7, { dtype: 'float64' });
    assertClose(x.toTypedArray(), [-1, -2 / 3, -1 / 3, 0, 1 / 3, 2 / 3, 1], { rtol: 1e-15, atol: 1e-16, what: 'linspace' });
  });
  inTidy('eye', () => {
    assertArray(nd.eye(3), { shape: [3, 3], dtype: 'float32', values: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    assertArray(nd.eye(2, { dtype: 'float64' }), { shape: [2, 2], dtype: 'float64', values: [1, 0, 0, 1] });
  });
  inTidy('zerosLike and onesLike keep shape and dtype', () => {
    const x = nd.array([[1, 2], [3, 4], [5, 6]], { dtype: 'float64' });
    assertArray(nd.zerosLike(x), { shape: [3, 2], dtype: 'float64', values: [0, 0, 0, 0, 0, 0] });
    assertArray(nd.onesLike(x), { shape: [3, 2], dtype: 'float64', values: [1, 1, 1, 1, 1, 1] });
  });
});

describe('reading and converting', () => {
  inTidy('item of a one-element array of any shape', () => {
    assert.equal(nd.array([[4.5]]).item(), 4.5);
    assert.equal(nd.array([-3], { dtype: 'int32' }).item(), -3);
  });
  inTidy('astype', () => {
    const x = nd.array([1.75, -1.75, 2.5], { dtype: 'float64' });
    assertArray(x.astype('int32'), { shape: [3], dtype: 'int32', values: [1, -1, 2] });
    assertArray(x.astype('float32'), { shape: [3], dtype: 'float32', values: [1.75, -1.75, 2.5] });
    assertArray(nd.array([0.1], { dtype: 'float64' }).astype('float32'), { shape: [1], dtype: 'float32', values: [Math.fround(0.1)] });
    assertArray(nd.array([3, -4], { dtype: 'int32' }).astype('float64'), { shape: [2], dtype: 'float64', values: [3, -4] });
    assert.deepEqual(x.toArray(), [1.75, -1.75, 2.5], 'astype leaves x alone');
  });
  // small copies are zeroed typed arrays, large ones (>= 64 KB) in Node are not zeroed first:
  // either way every element is the array's, in a buffer of its own of exactly that size
  inTidy('toTypedArray: a copy of every element in its own exactly sized buffer, small and large', () => {
    for (const dtype of ['float32', 'float64', 'int32']) {
      for (const size of [5, 16383, 16385, 70001]) {
        const data = Array.from({ length: size }, (_, i) => (i % 2 ? -1 : 1) * ((i * 7919) % 65521) - 0.5 * (dtype !== 'int32'));
        const x = nd.array(data, { dtype });
        const copy = x.toTypedArray();
        assert.ok(copy instanceof TYPED[dtype], `${dtype} ${size}`);
        assert.equal(copy.byteOffset, 0);
        assert.equal(copy.buffer.byteLength, size * ITEM_BYTES[dtype]);
        const want = TYPED[dtype].from(data);
        assert.ok(copy.every((v, i) => v === want[i]), `${dtype} ${size}: the values`);
        copy.fill(3);
        assert.equal(x.toTypedArray()[size - 1], want[size - 1], 'a copy: writing it leaves x alone');
      }
    }
  });
});

describe('random', () => {
  const draw = (seed, fn) => nd.tidy(() => {
    nd.random.seed(seed);
    return Array.from(fn().toTypedArray());
  });
  test('the same seed gives the same values, another seed other values', () => {
    const u = () => nd.random.uniform(0, 1, [50], { dtype: 'float64' });
    const n = () => nd.random.normal(0, 1, [50], { dtype: 'float64' });
    assert.deepEqual(draw(42, u), draw(42, u));
    assert.deepEqual(draw(42, n), draw(42, n));
    assert.notDeepEqual(draw(42, u), draw(43, u));
  });
  for (const dtype of ['float32', 'float64']) {
    test(`uniform(low, high) lies in [low, high) and covers it (${dtype})`, () => {
      const v = draw(1, () => nd.random.uniform(-2, 3, [100, 100], { dtype }));
      assert.equal(v.length, 10000);
      // float32: low + (high - low) * u may round up to high, as in NumPy
      assert.ok(v.every((x) => x >= -2 && (x < 3 || (dtype === 'float32' && x === 3))), 'in range');
      assert.ok(Math.min(...v) < -1.9 && Math.max(...v) > 2.9, 'covers the range');
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      assert.ok(Math.abs(mean - 0.5) < 0.1, `mean ${mean}`);
    });
    test(`normal(mean, std): sample mean and std roughly right over 10k samples (${dtype})`, () => {
      const v = draw(2, () => nd.random.normal(1.5, 2, [10000], { dtype }));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      assert.ok(Math.abs(mean - 1.5) < 0.1, `mean ${mean}`);
      assert.ok(Math.abs(std - 2) < 0.1, `std ${std}`);
      const within1 = v.filter((x) => Math.abs(x - 1.5) < 2).length / v.length;
      assert.ok(Math.abs(within1 - 0.6827) < 0.03, `fraction within one std ${within1}`);
    });
  }
  inTidy('the default dtype is float32 and the shape is honoured', () => {
    const u = nd.random.uniform(0, 1, [2, 3]);
    assert.equal(u.dtype, 'float32');
    assert.deepEqual(u.shape, [2, 3]);
  });
});

// Assertions shared by the test files.
import assert from 'node:assert/strict';
import { WasmgradError } from '../../../js/index.js';

const fmt = (v) => (Object.is(v, -0) ? '-0' : String(v));

/**
 * |actual - expected| <= atol + rtol * |expected| elementwise (NaN matches NaN).
 * actual/expected: numbers, arrays or typed arrays (flat).
 */
export function assertClose(actual, expected, { rtol = 1e-10, atol = 0, what = 'value' } = {}) {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `${what}: length ${a.length}, expected ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(e[i]) && Number.isNaN(a[i])) continue;
    const ok = a[i] === e[i] || Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
    if (!ok) {
      assert.fail(
        `${what}[${i}] = ${fmt(a[i])}, expected ${fmt(e[i])} ` +
          `(abs err ${Math.abs(a[i] - e[i]).toExponential(2)}, rtol ${rtol}, atol ${atol})\n` +
          `  actual:   [${a.map(fmt).join(', ')}]\n  expected: [${e.map(fmt).join(', ')}]`,
      );
    }
  }
}

/** the values of an NDArray as a flat float64 array */
export const valuesOf = (x) => Float64Array.from(x.toTypedArray());

export const CODES = [
  'NOT_INITIALIZED', 'INVALID_ARGUMENT', 'SHAPE_MISMATCH', 'DTYPE_MISMATCH', 'DISPOSED',
  'GRAPH_FREED', 'NOT_RECORDED', 'NOT_DIFFERENTIABLE', 'OUT_OF_MEMORY',
];

/**
 * fn() must throw a WasmgradError with this code (null: any code of API.md) whose message matches every regex.
 * Returns the error for further checks.
 */
export function assertWgError(fn, code, ...patterns) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a WasmgradError ${code}, nothing was thrown`);
  assert.ok(err instanceof WasmgradError, `expected a WasmgradError, got ${err?.constructor?.name}: ${err?.message}`);
  assert.ok(err instanceof Error, 'a WasmgradError is an Error');
  if (code === null) assert.ok(CODES.includes(err.code), `a code of API.md, got ${err.code}`);
  else assert.equal(err.code, code, `code (message: ${err.message})`);
  for (const p of patterns) assert.match(err.message, p, `message of ${code}`);
  return err;
}

/** a regex for a shape in a message: [2,3], [2, 3] or (2, 3); [] or () for 0-d */
export function shapeRe(shape) {
  const inner = shape.map(String).join('\\s*[,x×]\\s*');
  return new RegExp(`[\\[(]\\s*${inner}\\s*,?\\s*[\\])]`);
}

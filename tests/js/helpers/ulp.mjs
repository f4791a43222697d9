// Distance in units in the last place between two floats of the same format.
// +0 and -0 are the same point; NaN is at distance 0 from NaN and Infinity from anything else.

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** a monotonic integer key of a float64: consecutive doubles have consecutive keys */
function key64(x) {
  f64[0] = x;
  const b = i64[0];
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

function key32(x) {
  f32[0] = x;
  const b = i32[0];
  return b < 0 ? -(b & 0x7fffffff) : b;
}

export function ulpDistance64(a, b) {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const d = key64(a) - key64(b);
  return Number(d < 0n ? -d : d);
}

/** a and b must be float32 values (e.g. read from a Float32Array or Math.fround) */
export function ulpDistance32(a, b) {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(key32(a) - key32(b));
}

// A tiny seeded PRNG (mulberry32) so that every random test input is reproducible.
// It is ours, not wasmgrad's: test inputs must not depend on the library under test.

export function makeRng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const uniform = (lo, hi) => lo + (hi - lo) * next();
  return {
    next,
    uniform,
    /** n values uniform in [lo, hi) */
    array: (n, lo = -1, hi = 1) => Float64Array.from({ length: n }, () => uniform(lo, hi)),
    /** n values with |v| in [lo, hi) and a random sign */
    signedAway: (n, lo, hi) =>
      Float64Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1) * uniform(lo, hi)),
  };
}

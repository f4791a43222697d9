// Checking a result against its float64 reference, and timing runs.
import { maxAbs } from './reference.mjs';

/** Relative error above which a float32 result counts as wrong (float32 rounding is ~1e-7). */
export const TOLERANCE = 1e-3;

/**
 * Max over outputs of max|got - want| / max|want|: NaN, a missing output or a wrong length
 * gives Infinity. `want` entries are Float64Arrays or { index, value } subsets.
 */
export function relativeError(got, want) {
  const outs = Array.isArray(got) ? got : [got];
  if (outs.length !== want.length) return Infinity;
  let worst = 0;
  want.forEach((w, k) => {
    const g = outs[k];
    const index = w.index, value = w.value ?? w;
    if (!g || (!index && g.length !== value.length)) { worst = Infinity; return; }
    let diff = 0;
    for (let i = 0; i < value.length; i++) {
      const d = Math.abs(g[index ? index[i] : i] - value[i]);
      diff = d > diff || Number.isNaN(d) ? (Number.isNaN(d) ? Infinity : d) : diff;
    }
    worst = Math.max(worst, diff / Math.max(maxAbs(value), 1e-30));
  });
  return worst;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs `run` until at least `runs` samples and `seconds` have passed; returns the ms samples. */
export function sample(run, { runs, seconds }) {
  const out = [];
  const start = performance.now();
  while (out.length < runs || performance.now() - start < seconds * 1000) {
    const t0 = performance.now();
    run();
    out.push(performance.now() - t0);
  }
  return out;
}

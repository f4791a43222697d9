// Newton's method and gradient descent on functions of two variables, with the gradient and
// the Hessian from wasmgrad (func.valueAndGrad, func.hessian). Used by web/newton.html.
import { nd, func } from 'wasmgrad';

/** The test functions: f(x, y) of NDArrays (elementwise), the plotted domain, the known minima. */
export const FUNCTIONS = {
  rosenbrock: {
    label: 'Rosenbrock  (1 − x)² + 100 (y − x²)²',
    f: (x, y) => x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)),
    domain: [[-2, 2], [-1, 3]], start: [-1.2, 1], minima: [[1, 1]], gdMaxSteps: 20000,
  },
  himmelblau: {
    label: 'Himmelblau  (x² + y − 11)² + (x + y² − 7)²',
    f: (x, y) => x.square().add(y).sub(11).square().add(x.add(y.square()).sub(7).square()),
    domain: [[-5, 5], [-5, 5]], start: [-0.5, 0.2],
    minima: [[3, 2], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]], gdMaxSteps: 20000,
  },
  saddle: {
    label: 'a saddle at the origin  x²/2 + y⁴/4 − y²/2',
    f: (x, y) => x.square().mul(0.5).add(y.square().square().mul(0.25)).sub(y.square().mul(0.5)),
    domain: [[-2, 2], [-2, 2]], start: [1.5, 0.05], minima: [[0, 1], [0, -1]], saddles: [[0, 0]], gdMaxSteps: 20000,
  },
};

/** value, gradient and Hessian of fn at a point [x, y] (float64), as plain numbers. */
export function objective(fn) {
  const F = (p) => fn.f(p.slice([0], [1]), p.slice([1], [2])).sum();
  const valueAndGrad = func.valueAndGrad(F);
  const hessian = func.hessian(F);
  const at = (p, body) => nd.tidy(() => body(nd.array(p, { dtype: 'float64' })));
  return {
    value: (p) => at(p, (a) => F(a).item()),
    valueAndGrad: (p) => at(p, (a) => {
      const [v, g] = valueAndGrad(a);
      return [v.item(), Array.from(g.toTypedArray())];
    }),
    hessian: (p) => at(p, (a) => hessian(a).toArray()),
  };
}

/** Eigenvalues (ascending) and unit eigenvectors of a symmetric 2×2 matrix. */
export function eigen2([[a, b], [, c]]) {
  const mean = (a + c) / 2, radius = Math.hypot((a - c) / 2, b);
  const values = [mean - radius, mean + radius];
  const vectors = values.map((l) => {
    // (A − l I) v = 0: v ⟂ a row of A − l I; pick the larger row for accuracy
    const [r0, r1] = [[a - l, b], [b, c - l]];
    const row = Math.hypot(...r0) >= Math.hypot(...r1) ? r0 : r1;
    const v = Math.hypot(...row) < 1e-300 ? (l === values[0] ? [1, 0] : [0, 1]) : [-row[1], row[0]];
    const n = Math.hypot(...v);
    return [v[0] / n, v[1] / n];
  });
  return { values, vectors };
}

/** Backtracking (Armijo) along direction d from p: the largest t = t0·2⁻ᵏ with sufficient decrease. */
function lineSearch(obj, p, value, g, d, t0 = 1) {
  const slope = g[0] * d[0] + g[1] * d[1];
  let t = t0;
  for (let k = 0; k < 60; k++, t /= 2) {
    const q = [p[0] + t * d[0], p[1] + t * d[1]];
    const fq = obj.value(q);
    if (Number.isFinite(fq) && fq <= value + 1e-4 * t * slope) return { t, next: q };
  }
  return { t: 0, next: p };
}

export const TOLERANCE = 1e-8;

/**
 * One Newton step from p. Where the Hessian is not positive definite its eigenvalues are
 * replaced by their absolute values (at least 1e-6·max|λ|, the saddle-free Newton of Dauphin et
 * al.), which keeps the step a descent direction; then a backtracking line search damps it.
 * Plain Newton (regularise: false) takes the raw step −H⁻¹g with t = 1, saddles and all.
 */
export function newtonStep(obj, p, { regularise = true } = {}) {
  const [value, g] = obj.valueAndGrad(p);
  const H = obj.hessian(p);
  const gradNorm = Math.hypot(...g);
  const { values, vectors } = eigen2(H);
  const positiveDefinite = values[0] > 0;
  if (gradNorm < TOLERANCE) return { next: p, value, gradNorm, H, positiveDefinite, t: 0, converged: true };
  const floor = 1e-6 * Math.max(1e-12, Math.abs(values[0]), Math.abs(values[1]));
  const used = regularise ? values.map((l) => Math.max(Math.abs(l), floor)) : values;
  // d = −Σ (vᵢ·g / λᵢ) vᵢ
  const d = [0, 0];
  vectors.forEach((v, i) => {
    const c = (v[0] * g[0] + v[1] * g[1]) / used[i];
    d[0] -= c * v[0];
    d[1] -= c * v[1];
  });
  if (!regularise) return { next: [p[0] + d[0], p[1] + d[1]], value, gradNorm, H, positiveDefinite, t: 1, converged: false };
  const { t, next } = lineSearch(obj, p, value, g, d);
  return { next, value, gradNorm, H, positiveDefinite, t, converged: t === 0 };
}

/** One gradient-descent step with backtracking; the trial step grows from the previous one (state.t). */
export function gradientStep(obj, p, state = {}) {
  const [value, g] = obj.valueAndGrad(p);
  const gradNorm = Math.hypot(...g);
  if (gradNorm < TOLERANCE) return { next: p, value, gradNorm, t: 0, converged: true };
  const { t, next } = lineSearch(obj, p, value, g, [-g[0], -g[1]], Math.min(1, 2 * (state.t ?? 1e-2)));
  state.t = t || 1e-2;
  return { next, value, gradNorm, t, converged: t === 0 };
}

/** f on an nx × ny grid of the domain, vectorised: { xs, ys, values: [row j (y)][col i (x)] }. */
export function gridValues(fn, nx, ny) {
  const [[x0, x1], [y0, y1]] = fn.domain;
  return nd.tidy(() => {
    const X = nd.linspace(x0, x1, nx, { dtype: 'float64' }).reshape([1, nx]);
    const Y = nd.linspace(y0, y1, ny, { dtype: 'float64' }).reshape([ny, 1]);
    const values = fn.f(X.broadcastTo([ny, nx]), Y.broadcastTo([ny, nx])).toArray();
    return { xs: Array.from(X.toTypedArray()), ys: Array.from(Y.toTypedArray()), values };
  });
}

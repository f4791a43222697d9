// Newton's method on logistic regression, with the Hessian never formed: Newton-CG solves
// H p = −g by conjugate gradients, and every H·v comes from func.hvp (a gradient of a
// gradient). Compared with gradient descent on the same synthetic data (float64).
//
//   node demos/newton-logistic.mjs
import { init, nd, func } from '../js/index.js';
import { isMain } from './lib/main.js';

/**
 * Synthetic data: n points with d features (the last a constant 1, the bias) of scales from 0.2
 * to 5 (an ill-conditioned problem, as raw features often are), labels drawn from the logistic
 * model with weights wTrue. Returns { X: [n, d], y: [n], wTrue: [d] } (float64).
 */
export function makeData({ n = 500, d = 6, seed = 0 } = {}) {
  nd.random.seed(seed);
  return nd.tidy(() => {
    const dtype = 'float64';
    const scales = nd.array(Array.from({ length: d - 1 }, (_, j) => 0.2 * 25 ** (j / Math.max(1, d - 2))), { dtype });
    const features = nd.random.normal(0, 1, [n, d - 1], { dtype }).mul(scales);
    const X = nd.concat([features, nd.ones([n, 1], { dtype })], 1);
    const wTrue = nd.random.normal(0, 1, [d], { dtype }).div(nd.concat([scales, nd.ones([1], { dtype })], 0));
    const p = nd.sigmoid(nd.dot(X, wTrue));
    const y = nd.random.uniform(0, 1, [n], { dtype }).less(p);
    return { X, y, wTrue };
  });
}

/** The mean logistic loss plus (l2/2)‖w‖²: mean(softplus(Xw) − y·Xw) + (l2/2) w·w. */
export function logisticLoss(X, y, l2 = 1e-3) {
  return (w) => {
    const z = nd.dot(X, w);
    return nd.softplus(z).sub(y.mul(z)).mean().add(w.square().sum().mul(l2 / 2));
  };
}

const dot = (a, b) => nd.dot(a, b).item();

/** Conjugate gradients for H p = b with H given as a function v ↦ H v (H symmetric positive definite). */
export function conjugateGradient(hvp, b, { tol = 1e-12, maxIter = 2 * b.size } = {}) {
  let x = nd.zerosLike(b);
  let r = b;
  let p = r;
  let rr = dot(r, r);
  let iterations = 0;
  while (iterations < maxIter && Math.sqrt(rr) > tol) {
    const hp = hvp(p);
    const alpha = rr / dot(p, hp);
    x = x.add(p.mul(alpha));
    r = r.sub(hp.mul(alpha));
    const next = dot(r, r);
    p = r.add(p.mul(next / rr));
    rr = next;
    iterations++;
  }
  return { x, iterations };
}

/** Newton-CG from w = 0 until ‖∇L‖ < tol: [{ step, loss, gradNorm, cgIterations }]. */
export function newtonCG(loss, d, { steps = 20, tol = 1e-10 } = {}) {
  let w = nd.zeros([d], { dtype: 'float64' });
  const history = [];
  const valueAndGrad = func.valueAndGrad(loss);
  for (let step = 0; ; step++) {
    const { done, next } = nd.tidy(() => {
      const [value, g] = valueAndGrad(w);
      const gradNorm = Math.sqrt(dot(g, g));
      const entry = { step, loss: value.item(), gradNorm };
      history.push(entry);
      if (gradNorm < tol || step === steps) return { done: true };
      const { x: p, iterations } = conjugateGradient((v) => func.hvp(loss, [w], [v])[0], g.neg());
      entry.cgIterations = iterations;
      return { done: false, next: w.add(p) };
    });
    if (done) break;
    w.dispose();
    w = next;
  }
  return { w, history };
}

/**
 * The largest curvature of the loss anywhere: for the logistic loss the Hessian is largest at
 * w = 0 (σ(1 − σ) ≤ 1/4 there), so λ_max of func.hessian at 0 (by power iteration) bounds it.
 */
export function largestCurvature(loss, d) {
  const H = nd.tidy(() => func.hessian(loss)(nd.zeros([d], { dtype: 'float64' })).toArray());
  let v = new Array(d).fill(1), lambda = 0;
  for (let i = 0; i < 200; i++) {
    const hv = H.map((row) => row.reduce((s, h, j) => s + h * v[j], 0));
    lambda = Math.hypot(...hv);
    v = hv.map((x) => x / lambda);
  }
  return lambda;
}

/** Gradient descent with a fixed step size: the loss and ‖∇L‖ at the recorded steps. */
export function gradientDescent(loss, d, { steps = 1000, lr, every = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } = {}) {
  let w = nd.zeros([d], { dtype: 'float64' });
  const history = [];
  const valueAndGrad = func.valueAndGrad(loss);
  for (let step = 0; step <= steps; step++) {
    const next = nd.tidy(() => {
      const [value, g] = valueAndGrad(w);
      if (every.includes(step) || step === steps) history.push({ step, loss: value.item(), gradNorm: Math.sqrt(dot(g, g)) });
      return w.sub(g.mul(lr));
    });
    w.dispose();
    w = next;
  }
  return { w, history };
}

/** max |H v − hessian(L) v| for a random v: the HVP against the full Hessian. */
export function checkHvp(loss, d) {
  return nd.tidy(() => {
    const w = nd.random.normal(0, 1, [d], { dtype: 'float64' });
    const v = nd.random.normal(0, 1, [d], { dtype: 'float64' });
    const viaHessian = nd.dot(func.hessian(loss)(w), v).toTypedArray();
    const viaHvp = func.hvp(loss, [w], [v])[0].toTypedArray();
    return viaHvp.reduce((m, h, i) => Math.max(m, Math.abs(h - viaHessian[i])), 0);
  });
}

async function main() {
  await init();
  const n = 500, d = 6;
  const { X, y } = makeData({ n, d });
  const loss = logisticLoss(X, y);
  console.log(`logistic regression, ${n} points, ${d} weights (bias included), L2 1e-3, float64`);
  console.log(`H·v from func.hvp vs the full func.hessian: max difference ${checkHvp(loss, d).toExponential(2)}`);

  const newton = newtonCG(loss, d);
  console.log('\nNewton-CG (H·v products only, no Hessian matrix)');
  console.log(' step            loss          ‖∇L‖   CG iterations');
  for (const h of newton.history) {
    console.log(`${String(h.step).padStart(5)}  ${h.loss.toFixed(12).padStart(14)}  ${h.gradNorm.toExponential(3).padStart(12)}   ${h.cgIterations ?? ''}`);
  }
  const L = largestCurvature(loss, d);
  const gd = gradientDescent(loss, d, { steps: 1000, lr: 1 / L });
  console.log(`\ngradient descent, step size 1/L = ${(1 / L).toPrecision(3)} (L = ${L.toPrecision(3)}, the largest curvature)`);
  console.log(' step            loss          ‖∇L‖');
  for (const h of gd.history) console.log(`${String(h.step).padStart(5)}  ${h.loss.toFixed(12).padStart(14)}  ${h.gradNorm.toExponential(3).padStart(12)}`);
  const newtonSteps = newton.history.length - 1;
  console.log(`\nNewton-CG: ‖∇L‖ < 1e-10 after ${newtonSteps} steps; gradient descent: ‖∇L‖ = ${gd.history.at(-1).gradNorm.toExponential(2)} after 1000 steps`);
}

if (isMain(import.meta.url)) await main();

// WGAN-GP (Gulrajani et al. 2017) on a toy 2-D distribution, a ring of 8 Gaussians, written
// with wasmgrad's nd operators. Shared by demos/wgan-gp.mjs (Node) and web/wgan.html.
//
// The gradient penalty is a second-order term: the critic's gradient with respect to its
// INPUT (autograd.grad with createGraph: true) enters the critic's loss, which is then
// differentiated with respect to the critic's WEIGHTS.
import { nd, autograd, func } from '../../js/index.js';
import { mlpParams, mlp, Adam } from './nn.js';

/** n points of the ring: `modes` Gaussians of std `std` evenly spaced on a circle of `radius`. */
export function sampleRing(n, { modes = 8, radius = 2, std = 0.05, dtype = 'float32' } = {}) {
  return nd.tidy(() => {
    const k = nd.random.uniform(0, modes, [n, 1], { dtype }).floor();
    const angle = k.mul(2 * Math.PI / modes);
    const centres = nd.concat([angle.cos(), angle.sin()], 1).mul(radius);
    return centres.add(nd.random.normal(0, std, [n, 2], { dtype }));
  });
}

/** The centres of the ring's modes as [[x, y], ...]. */
export function ringCentres({ modes = 8, radius = 2 } = {}) {
  return Array.from({ length: modes }, (_, k) => [radius * Math.cos(2 * Math.PI * k / modes), radius * Math.sin(2 * Math.PI * k / modes)]);
}

/**
 * lambda · mean_i (‖∇ₓ critic(xᵢ)‖₂ − 1)² at the given points ([n, 2]). The input gradient is
 * taken with createGraph, so the result stays differentiable with respect to the critic's
 * parameters. Records on its own, so it may be called anywhere (also from func transforms).
 */
export function gradientPenalty(criticParams, points, lambda = 0.1, activation = 'tanh') {
  return autograd.record(() => {
    const x = points.detach().attachGrad();
    const out = mlp(criticParams, x, activation);
    const [g] = autograd.grad(out, x, { createGraph: true }); // d critic / d input, per row
    const norms = g.square().sum({ axis: 1 }).add(1e-12).sqrt();
    return norms.sub(1).square().mean().mul(lambda);
  });
}

/**
 * func.checkGrad of the penalty as a function of each critic weight matrix and bias (float64,
 * the other parameters fixed): the derivative of an input-gradient norm with respect to the
 * weights, against central finite differences. Returns one checkGrad result per parameter.
 */
export function checkPenaltyGradient({ hidden = 8, points = 16, seed = 0 } = {}) {
  nd.random.seed(seed);
  return nd.tidy(() => {
    const params = mlpParams([2, hidden, hidden, 1], { dtype: 'float64' });
    const x = sampleRing(points, { dtype: 'float64' }).mul(0.5);
    return params.map((_, i) => func.checkGrad((p) => gradientPenalty(params.map((q, j) => (j === i ? p : q)), x, 1), [params[i]]));
  });
}

/** A generator (noise → 2-D point) and a critic (2-D point → score), trained by WGAN-GP. */
export class WGANGP {
  constructor({
    hidden = 64, noiseDim = 2, batch = 128, nCritic = 5, lambda = 0.1, lr = 1e-3,
    betas = [0.5, 0.9], activation = 'tanh', dtype = 'float32', ring = {},
  } = {}) {
    Object.assign(this, { noiseDim, batch, nCritic, lambda, activation, dtype, ring: { ...ring, dtype } });
    const adam = { lr, beta1: betas[0], beta2: betas[1] };
    this.critic = new Adam(mlpParams([2, hidden, hidden, 1], { dtype }), adam);
    this.generator = new Adam(mlpParams([noiseDim, hidden, hidden, 2], { dtype }), adam);
    this.iterations = 0;
  }

  /** Generator output for n noise vectors (not recorded). */
  generate(n) {
    return nd.tidy(() => mlp(this.generator.params, nd.random.normal(0, 1, [n, this.noiseDim], { dtype: this.dtype }), this.activation));
  }

  /** Critic scores ([n, 1]) of points ([n, 2]), not recorded. */
  score(points) {
    return mlp(this.critic.params, points, this.activation);
  }

  /** One critic update: minimise E[D(fake)] − E[D(real)] + GP. Returns the numbers of the step. */
  criticStep() {
    const { batch, lambda, activation, dtype } = this;
    return this.critic.step((D) => {
      const real = sampleRing(batch, this.ring);
      const fake = this.generate(batch);
      const eps = nd.random.uniform(0, 1, [batch, 1], { dtype });
      const between = real.mul(eps).add(fake.mul(eps.neg().add(1)));
      const { loss, gp, distance } = autograd.record(() => {
        const distance = mlp(D, real, activation).mean().sub(mlp(D, fake, activation).mean());
        const gp = gradientPenalty(D, between, lambda, activation);
        return { loss: gp.sub(distance), gp, distance };
      });
      const grads = autograd.grad(loss, D); // through the penalty: a second-order gradient
      return { grads, criticLoss: loss.item(), gp: gp.item(), distance: distance.item() };
    });
  }

  /** One generator update: maximise E[D(G(z))]. */
  generatorStep() {
    const { batch, activation, dtype } = this;
    return this.generator.step((G) => {
      const z = nd.random.normal(0, 1, [batch, this.noiseDim], { dtype });
      const loss = autograd.record(() => mlp(this.critic.params, mlp(G, z, activation), activation).mean().neg());
      return { grads: autograd.grad(loss, G), generatorLoss: loss.item() };
    });
  }

  /** nCritic critic steps then one generator step; the numbers of the last critic step and the generator step. */
  iteration() {
    let critic;
    for (let i = 0; i < this.nCritic; i++) critic = this.criticStep();
    const generator = this.generatorStep();
    this.iterations++;
    return { iteration: this.iterations, ...critic, ...generator };
  }

  dispose() {
    for (const opt of [this.critic, this.generator]) {
      opt.params.forEach((p) => p.dispose());
      opt.dispose();
    }
  }
}

/**
 * How well points ([[x, y], ...]) cover the ring: for each point its nearest centre;
 * `modesCovered` counts centres that at least `minShare` of the points chose, `meanDistance`
 * is the mean distance to the nearest centre (≈ std·√(π/2) for a perfect generator).
 */
export function ringCoverage(points, { modes = 8, radius = 2, minShare = 0.02 } = {}) {
  const centres = ringCentres({ modes, radius });
  const counts = new Array(modes).fill(0);
  let total = 0;
  for (const [x, y] of points) {
    let best = 0, bestD = Infinity;
    centres.forEach(([cx, cy], k) => {
      const d = Math.hypot(x - cx, y - cy);
      if (d < bestD) [best, bestD] = [k, d];
    });
    counts[best]++;
    total += bestD;
  }
  return {
    modesCovered: counts.filter((c) => c >= minShare * points.length).length,
    meanDistance: total / points.length,
    counts,
  };
}

// A physics-informed neural network (Raissi et al. 2019): a small tanh network u(x) learns to
// satisfy u'' = -u on [0, π] with u(0) = 0 and u'(0) = 1, whose solution is sin(x). Nothing
// tells the network about sin; the loss is the equation itself. u' and u'' are derivatives
// with respect to the network's INPUT (nested autograd.grad with createGraph), and training
// differentiates that loss again with respect to the weights: third-order graphs throughout.
//
//   node demos/pinn.mjs [steps]
import { init, nd, autograd } from '../js/index.js';
import { mlpParams, mlp, Adam } from './lib/nn.js';
import { isMain } from './lib/main.js';

/** d^order out / d x^order as a recorded array (x a variable, out computed from it row by row). */
function derivative(out, x, order) {
  let d = out;
  for (let k = 0; k < order; k++) [d] = autograd.grad(d, x, { createGraph: true });
  return d;
}

/**
 * Trains the network and returns { maxError, rmsError, loss, losses, steps } against sin(x) on
 * a fine grid. Options: steps, hidden, points (collocation points), lr, seed, dtype.
 */
export function trainPinn({ steps = 2000, hidden = 16, points = 32, lr = 0.01, seed = 0, dtype = 'float64', log } = {}) {
  nd.random.seed(seed);
  const opt = new Adam(mlpParams([1, hidden, hidden, 1], { dtype }), { lr });
  const xs = nd.linspace(0, Math.PI, points, { dtype }).reshape([points, 1]);
  const zero = nd.zeros([1, 1], { dtype });
  const losses = [];
  for (let step = 1; step <= steps; step++) {
    const { loss } = opt.step((params) => {
      const x = xs.detach().attachGrad();
      const x0 = zero.detach().attachGrad();
      const total = autograd.record(() => {
        const u = mlp(params, x);
        const residual = derivative(u, x, 2).add(u);     // u'' + u
        const u0 = mlp(params, x0);
        const du0 = derivative(u0, x0, 1);
        return residual.square().mean().add(u0.square().sum()).add(du0.sub(1).square().sum());
      });
      return { grads: autograd.grad(total, params), loss: total.item() };
    });
    losses.push(loss);
    if (log && (step % log === 0 || step === steps)) console.log(`  step ${String(step).padStart(5)}  loss ${loss.toExponential(3)}`);
  }
  // Compare with sin on a grid finer than the collocation points.
  const grid = nd.linspace(0, Math.PI, 201, { dtype });
  const u = nd.tidy(() => mlp(opt.params, grid.reshape([201, 1])).toTypedArray());
  const xsGrid = grid.toTypedArray();
  const errors = Array.from(u, (v, i) => Math.abs(v - Math.sin(xsGrid[i])));
  for (const a of [...opt.params, xs, zero, grid]) a.dispose();
  opt.dispose();
  return {
    steps, loss: losses.at(-1), losses,
    maxError: Math.max(...errors),
    rmsError: Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length),
    samples: [0, 50, 100, 150, 200].map((i) => ({ x: xsGrid[i], u: u[i], sin: Math.sin(xsGrid[i]) })),
  };
}

async function main() {
  await init();
  const steps = Number(process.argv[2] ?? 2000);
  console.log(`PINN for u'' = -u, u(0) = 0, u'(0) = 1 on [0, π]: 1-16-16-1 tanh network, Adam, ${steps} steps`);
  const t0 = performance.now();
  const r = trainPinn({ steps, log: Math.max(1, Math.round(steps / 5)) });
  console.log(`\n  ${'x'.padStart(7)} ${'u(x)'.padStart(10)} ${'sin(x)'.padStart(10)}`);
  for (const s of r.samples) console.log(`  ${s.x.toFixed(4).padStart(7)} ${s.u.toFixed(6).padStart(10)} ${s.sin.toFixed(6).padStart(10)}`);
  console.log(`\nmax |u - sin| on 201 points: ${r.maxError.toExponential(2)}  (rms ${r.rmsError.toExponential(2)}), ` +
    `${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (isMain(import.meta.url)) await main();

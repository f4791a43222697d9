// MAML (Finn et al. 2017) on sine regression: learn an initialisation θ of a small network such
// that ONE gradient step on K examples of a new sine wave fits that wave.
//
// Inner step: θ' = θ − α ∇L_support(θ). The meta-gradient ∇_θ L_query(θ') goes through the
// inner gradient, so it contains the Hessian term (I − α ∇²L_support(θ)): wasmgrad gets it by
// taking the inner gradient with createGraph: true. First-order MAML drops that term (the inner
// gradient is a constant). The demo shows how far apart the two meta-gradients are, then
// meta-trains and compares the loss after adaptation on held-out tasks before and after.
//
//   node demos/maml-sine.mjs [iterations]
import { init, nd, autograd, func } from '../js/index.js';
import { mlpParams, mlp, Adam } from './lib/nn.js';
import { isMain } from './lib/main.js';

/**
 * `count` sine tasks y = A sin(x − φ), A ∈ [0.1, 5], φ ∈ [0, π], each with K support and K query
 * points x ∈ [−5, 5]: [{ support: [x, y], query: [x, y] }] with x, y of shape [K, 1].
 */
export function sineTasks(count, k, dtype = 'float64') {
  return Array.from({ length: count }, () => {
    const amplitude = nd.random.uniform(0.1, 5, [], { dtype });
    const phase = nd.random.uniform(0, Math.PI, [], { dtype });
    const set = () => {
      const x = nd.random.uniform(-5, 5, [k, 1], { dtype });
      return [x, x.sub(phase).sin().mul(amplitude)];
    };
    return { support: set(), query: set() };
  });
}

const mse = (params, [x, y]) => mlp(params, x).sub(y).square().mean();

/**
 * θ' after `steps` inner gradient steps on the support set. With secondOrder the inner
 * gradients come from func.grad called while recording: nested, so they are taken with
 * createGraph and stay connected to θ (any number of steps). Without it they are taken on
 * detached copies: constants, the first-order approximation.
 */
export function adapt(params, support, { alpha, steps = 1, secondOrder = true }) {
  const lossGrad = func.grad((...ps) => mse(ps, support), { argnums: params.map((_, i) => i) });
  let fast = params;
  for (let s = 0; s < steps; s++) {
    const grads = secondOrder ? lossGrad(...fast) : firstOrderGrads(fast, support);
    fast = fast.map((p, i) => p.sub(grads[i].mul(alpha)));
  }
  return fast;
}

function firstOrderGrads(params, support) {
  const vars = params.map((p) => p.detach().attachGrad());
  return autograd.grad(autograd.record(() => mse(vars, support)), vars);
}

/** The meta-loss (mean query loss after adaptation) and its gradient with respect to θ. */
export function metaGradient(params, tasks, { alpha, secondOrder }) {
  const loss = autograd.record(() => tasks
    .map((t) => mse(adapt(params, t.support, { alpha, secondOrder }), t.query))
    .reduce((a, b) => a.add(b)).div(tasks.length));
  return { loss: loss.item(), grads: autograd.grad(loss, params) };
}

/** Mean query loss after `steps` adaptation steps, over the given tasks. */
export function postAdaptationLoss(params, tasks, { alpha, steps = 1 }) {
  return nd.tidy(() => {
    const total = tasks.reduce((s, t) => s + mse(adapt(params, t.support, { alpha, steps, secondOrder: false }), t.query).item(), 0);
    return total / tasks.length;
  });
}

function flatten(arrays) {
  return arrays.flatMap((a) => Array.from(a.toTypedArray()));
}

/**
 * Runs the experiment: compares the second-order and first-order meta-gradients at the initial
 * θ, then meta-trains (second order) for `iterations` and measures held-out post-adaptation loss.
 */
export function runMaml({
  iterations = 300, metaBatch = 5, k = 10, hidden = 32, alpha = 0.01, lr = 3e-3, heldOut = 20, seed = 0,
  dtype = 'float64', log,
} = {}) {
  nd.random.seed(seed);
  const opt = new Adam(mlpParams([1, hidden, hidden, 1], { dtype }), { lr });
  const testTasks = sineTasks(heldOut, k, dtype);

  // 1. The two meta-gradients at the same θ on the same tasks.
  const comparison = nd.tidy(() => {
    const tasks = sineTasks(metaBatch, k, dtype);
    const second = flatten(metaGradient(opt.params, tasks, { alpha, secondOrder: true }).grads);
    const first = flatten(metaGradient(opt.params, tasks, { alpha, secondOrder: false }).grads);
    const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
    const norm = (a) => Math.sqrt(dot(a, a));
    return {
      relativeDifference: norm(second.map((v, i) => v - first[i])) / norm(second),
      cosine: dot(second, first) / (norm(second) * norm(first)),
      norms: [norm(second), norm(first)],
      size: second.length,
    };
  });

  // 2. Meta-training with the exact (second-order) meta-gradient.
  const before = postAdaptationLoss(opt.params, testTasks, { alpha });
  const beforeNoAdapt = postAdaptationLoss(opt.params, testTasks, { alpha, steps: 0 });
  const losses = [];
  for (let it = 1; it <= iterations; it++) {
    const { loss } = opt.step((params) => metaGradient(params, sineTasks(metaBatch, k, dtype), { alpha, secondOrder: true }));
    losses.push(loss);
    if (log && (it % log === 0 || it === iterations)) console.log(`  iteration ${String(it).padStart(5)}  meta-loss ${loss.toFixed(4)}`);
  }
  const after = postAdaptationLoss(opt.params, testTasks, { alpha });
  const afterNoAdapt = postAdaptationLoss(opt.params, testTasks, { alpha, steps: 0 });

  for (const t of testTasks) for (const a of [...t.support, ...t.query]) a.dispose();
  opt.params.forEach((p) => p.dispose());
  opt.dispose();
  return { comparison, before, beforeNoAdapt, after, afterNoAdapt, losses };
}

async function main() {
  await init();
  const iterations = Number(process.argv[2] ?? 1000);
  console.log(`MAML on sine regression: 1-32-32-1 tanh network, K = 10 shots, one inner step (α = 0.01), ${iterations} meta-iterations of 5 tasks`);
  const t0 = performance.now();
  const r = runMaml({ iterations, log: Math.max(1, Math.round(iterations / 5)) });
  const c = r.comparison;
  console.log(`\nmeta-gradient at the initial θ (${c.size} parameters): second-order (exact) vs first-order (FOMAML)`);
  console.log(`  ‖g₂‖ = ${c.norms[0].toFixed(4)}, ‖g₁‖ = ${c.norms[1].toFixed(4)}, ‖g₂ − g₁‖ / ‖g₂‖ = ${c.relativeDifference.toFixed(4)}, cosine = ${c.cosine.toFixed(4)}`);
  console.log('\nmean squared error on 20 held-out tasks     before   after meta-training');
  console.log(`  without adaptation                      ${r.beforeNoAdapt.toFixed(4).padStart(7)}  ${r.afterNoAdapt.toFixed(4).padStart(7)}`);
  console.log(`  after 1 gradient step on 10 examples    ${r.before.toFixed(4).padStart(7)}  ${r.after.toFixed(4).padStart(7)}`);
  console.log(`\n${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (isMain(import.meta.url)) await main();

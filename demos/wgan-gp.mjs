// WGAN-GP on a ring of 8 Gaussians (the model is in demos/lib/wgan.js, shared with
// web/wgan.html). First checks the second-order part, the gradient of the gradient penalty with
// respect to the critic's weights, against finite differences; then trains and reports how the
// generated points cover the ring, with a text scatter plot.
//
//   node demos/wgan-gp.mjs [iterations]
import { init, nd } from '../js/index.js';
import { WGANGP, ringCoverage, checkPenaltyGradient } from './lib/wgan.js';
import { isMain } from './lib/main.js';

/** Trains for `iterations` (each nCritic critic steps and one generator step); the log and the final coverage. */
export function trainWGAN({ iterations = 500, seed = 0, log, samples = 1000, ...options } = {}) {
  nd.random.seed(seed);
  const gan = new WGANGP(options);
  const history = [];
  const coverage = () => {
    const points = gan.generate(samples);
    const list = points.toArray();
    points.dispose();
    return { ...ringCoverage(list), points: list };
  };
  const start = coverage();
  for (let i = 1; i <= iterations; i++) {
    const r = gan.iteration();
    history.push(r);
    if (log && (i % log === 0 || i === iterations)) {
      const { meanDistance } = coverage();
      console.log(`${String(i).padStart(6)}  ${r.criticLoss.toFixed(4).padStart(11)}  ${r.gp.toFixed(4).padStart(8)}  ` +
        `${r.distance.toFixed(4).padStart(10)}  ${meanDistance.toFixed(3).padStart(14)}`);
    }
  }
  const end = coverage();
  gan.dispose();
  return { history, start, end, memory: nd.memory() };
}

/** A text scatter plot of points in [-3, 3]²: '+' marks the ring's centres, digits count points. */
export function textScatter(points, { width = 49, height = 21, extent = 3 } = {}) {
  const counts = Array.from({ length: height }, () => new Array(width).fill(0));
  const cell = (x, y) => [Math.round((x + extent) / (2 * extent) * (width - 1)), Math.round((extent - y) / (2 * extent) * (height - 1))];
  for (const [x, y] of points) {
    const [c, r] = cell(x, y);
    if (r >= 0 && r < height && c >= 0 && c < width) counts[r][c]++;
  }
  return counts.map((row) => row.map((n) => (n === 0 ? '·' : n < 10 ? String(n) : '#')).join('')).join('\n');
}

async function main() {
  await init();
  const iterations = Number(process.argv[2] ?? 1000);
  const checks = checkPenaltyGradient();
  const worst = Math.max(...checks.map((c) => c.maxRelError));
  console.log(`gradient penalty, d GP / d critic weights vs central differences (float64, ${checks.length} parameter arrays): ` +
    `${checks.every((c) => c.ok) ? 'ok' : 'MISMATCH'}, largest relative error ${worst.toExponential(2)}`);

  console.log(`\ntraining: generator and critic 2-64-64 tanh MLPs, batch 128, 5 critic steps per generator step, λ = 0.1, Adam 1e-3`);
  console.log(' iter  critic loss        GP  W-distance  mean dist. to mode');
  const t0 = performance.now();
  const r = trainWGAN({ iterations, log: Math.max(1, Math.round(iterations / 10)) });
  console.log(`\n${iterations} iterations in ${((performance.now() - t0) / 1000).toFixed(1)} s; live arrays afterwards: ${r.memory.arrays}`);
  console.log(`modes covered ${r.start.modesCovered} → ${r.end.modesCovered} of 8; mean distance to the nearest mode ${r.start.meanDistance.toFixed(3)} → ${r.end.meanDistance.toFixed(3)}`);
  console.log('\n1000 generated points (digits: points per cell):');
  console.log(textScatter(r.end.points));
}

if (isMain(import.meta.url)) await main();

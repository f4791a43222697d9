// The demos of demos/ (and the expression parser of web/): each demo's result checked with small
// sizes and fixed seeds, and each script run once as a user would, with short arguments.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, nd, func } from '../../js/index.js';
import { assertClose } from './helpers/check.mjs';
import { tanhPolynomials, evaluatePolynomial, tanhDerivatives, maxErrors, toSVG } from '../../demos/tanh-derivatives-svg.mjs';
import { makeData, logisticLoss, newtonCG, gradientDescent, checkHvp, largestCurvature } from '../../demos/newton-logistic.mjs';
import { sineTasks, adapt, runMaml } from '../../demos/maml-sine.mjs';
import { trainWGAN } from '../../demos/wgan-gp.mjs';
import { checkPenaltyGradient, sampleRing, ringCoverage } from '../../demos/lib/wgan.js';
import { trainPinn } from '../../demos/pinn.mjs';
import { mlpParams, mlp } from '../../demos/lib/nn.js';
import { derivativesOnGrid } from '../../demos/lib/derivatives.js';
import { parse, format, compile, ParseError } from '../../web/lib/expr.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

before(async () => {
  await init();
});

/** Runs `node demos/<script> ...args`; returns stdout (fails the test on a non-zero exit). */
function runScript(script, ...args) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'demos', script), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `node demos/${script} ${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// ---- tanh and its derivatives -------------------------------------------------------------------

test('tanh polynomials: the recurrence gives the known closed forms', () => {
  const p = tanhPolynomials(3);
  assert.deepEqual(p[0], [0, 1]);
  assert.deepEqual(p[1], [1, 0, -1]);                 // 1 − t²
  assert.deepEqual(p[2], [0, -2, 0, 2]);              // −2t + 2t³
  assert.deepEqual(p[3], [-2, 0, 8, 0, -6]);          // −2 + 8t² − 6t⁴
  assert.equal(evaluatePolynomial(p[3], 0.5), -2 + 8 * 0.25 - 6 * 0.0625);
});

test('tanh derivatives up to order 6 from nested grad match P_n(tanh x), float64 and float32', () => {
  const r64 = tanhDerivatives({ points: 141 });
  assert.equal(r64.values.length, 7);
  maxErrors(r64).forEach((e, n) => assert.ok(e < 1e-12 * 10 ** (n / 2), `order ${n}: max error ${e}`));
  const r32 = tanhDerivatives({ points: 141, dtype: 'float32' });
  assert.ok(r32.values[6] instanceof Float32Array);
  // float32: relative to the size of each curve (the 6th derivative reaches 52)
  const peaks = r64.values.map((ys) => Math.max(...ys.map(Math.abs)));
  maxErrors(r32).forEach((e, n) => assert.ok(e < 2e-6 * peaks[n] + 1e-6, `float32 order ${n}: max error ${e}, peak ${peaks[n]}`));
  const svg = toSVG(r64);
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/<path /g).length, 7);
});

test('demos/tanh-derivatives-svg.mjs writes the SVG to the path given', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmgrad-demo-'));
  try {
    const file = path.join(dir, 'tanh.svg');
    const out = runScript('tanh-derivatives-svg.mjs', file);
    assert.match(out, /wrote /);
    assert.match(readFileSync(file, 'utf8'), /<svg[^]*<\/svg>$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- Newton-CG on logistic regression ----------------------------------------------------------

test('Newton-CG (HVPs only) converges in a few steps where gradient descent crawls', () => {
  const { X, y } = makeData({ n: 200, d: 4, seed: 1 });
  const loss = logisticLoss(X, y);
  assert.ok(checkHvp(loss, 4) < 1e-13, 'func.hvp agrees with func.hessian · v');
  const newton = newtonCG(loss, 4);
  const h = newton.history;
  assert.ok(h.at(-1).gradNorm < 1e-10 && h.length - 1 <= 8, `Newton: ${h.length - 1} steps, ‖g‖ ${h.at(-1).gradNorm}`);
  for (let i = 1; i < h.length; i++) assert.ok(h[i].loss <= h[i - 1].loss + 1e-15, 'the loss decreases');
  const gd = gradientDescent(loss, 4, { steps: 100, lr: 1 / largestCurvature(loss, 4) });
  assert.ok(gd.history.at(-1).gradNorm > 1e-4, `gradient descent after 100 steps: ‖g‖ ${gd.history.at(-1).gradNorm}`);
  assert.ok(gd.history.at(-1).loss > h.at(-1).loss);
  for (const a of [X, y, newton.w, gd.w]) a.dispose();
});

test('demos/newton-logistic.mjs prints both methods', () => {
  const out = runScript('newton-logistic.mjs');
  assert.match(out, /Newton-CG: ‖∇L‖ < 1e-10 after \d steps; gradient descent: ‖∇L‖ = [\d.e+-]+ after 1000 steps/);
});

// ---- MAML ---------------------------------------------------------------------------------------

test('MAML: the second-order meta-gradient matches finite differences, the first-order one does not', () => {
  nd.random.seed(3);
  nd.tidy(() => {
    const params = mlpParams([1, 8, 8, 1], { dtype: 'float64' });
    const tasks = sineTasks(2, 5);
    const mse = (ps, [x, yy]) => mlp(ps, x).sub(yy).square().mean();
    for (const steps of [1, 2]) {
      const metaLoss = (secondOrder) => (W) => {
        const ps = [W, ...params.slice(1)];
        return tasks.map((t) => mse(adapt(ps, t.support, { alpha: 0.05, steps, secondOrder }), t.query)).reduce((a, b) => a.add(b));
      };
      const exact = func.checkGrad(metaLoss(true), [params[0]], { atol: 1e-8, rtol: 1e-6 });
      assert.ok(exact.ok, `${steps} inner step(s), second order: ${JSON.stringify(exact.details)}`);
      const firstOrder = func.checkGrad(metaLoss(false), [params[0]], { atol: 1e-8, rtol: 1e-6 });
      assert.ok(!firstOrder.ok && firstOrder.maxRelError > 1e-2, `${steps} inner step(s), first order should differ: ${JSON.stringify(firstOrder.details)}`);
    }
  });
});

test('MAML: meta-training makes one adaptation step on a new task effective', () => {
  // A larger inner step (α = 0.05) than the demo's 0.01, so that 300 meta-iterations show it.
  const r = runMaml({ iterations: 300, alpha: 0.05, seed: 0 });
  assert.ok(r.comparison.relativeDifference > 0.05 && r.comparison.cosine < 0.9999, `the two meta-gradients differ: ${JSON.stringify(r.comparison)}`);
  assert.ok(r.losses.every(Number.isFinite));
  assert.ok(r.after < 0.5 * r.before, `held-out loss after one step: ${r.before} before meta-training, ${r.after} after`);
  assert.ok(r.after < 0.6 * r.afterNoAdapt, `after meta-training, adapting helps: ${r.afterNoAdapt} without the step, ${r.after} with it`);
});

test('demos/maml-sine.mjs runs', () => {
  assert.match(runScript('maml-sine.mjs', '20'), /after 1 gradient step on 10 examples +[\d.]+ +[\d.]+/);
});

// ---- WGAN-GP ------------------------------------------------------------------------------------

test('WGAN-GP: the penalty is differentiable w.r.t. the critic weights (checkGrad, float64)', () => {
  const checks = checkPenaltyGradient({ hidden: 6, points: 8, seed: 2 });
  assert.equal(checks.length, 6);
  for (const c of checks) assert.ok(c.ok, JSON.stringify(c.details));
});

test('WGAN-GP: short training has finite losses, a positive penalty, flat memory, and moves towards the ring', () => {
  const before = nd.memory().arrays;
  const r = trainWGAN({ iterations: 60, hidden: 32, batch: 64, seed: 0 });
  assert.equal(r.history.length, 60);
  for (const h of r.history) {
    for (const k of ['criticLoss', 'gp', 'distance', 'generatorLoss']) assert.ok(Number.isFinite(h[k]), `${k} at ${h.iteration}: ${h[k]}`);
    assert.ok(h.gp > 0);
  }
  assert.equal(r.memory.arrays, before, 'every array of the run was freed');
  assert.equal(r.memory.graphBytes, 0);
  assert.ok(r.end.meanDistance < r.start.meanDistance, `mean distance to the ring's modes ${r.start.meanDistance} → ${r.end.meanDistance}`);
});

test('WGAN-GP: ring samples and coverage', () => {
  nd.random.seed(5);
  const points = nd.tidy(() => sampleRing(800, { std: 0.01 }).toArray());
  const c = ringCoverage(points);
  assert.equal(c.modesCovered, 8);
  assert.ok(c.meanDistance < 0.03);
});

test('demos/wgan-gp.mjs runs', () => {
  const out = runScript('wgan-gp.mjs', '10');
  assert.match(out, /vs central differences \(float64, 6 parameter arrays\): ok/);
  assert.match(out, /live arrays afterwards: 0/);
});

// ---- PINN ---------------------------------------------------------------------------------------

test('PINN: u\'\' = −u, u(0) = 0, u\'(0) = 1 learns sin(x) (fixed seed, short training)', () => {
  const untrained = trainPinn({ steps: 0 });
  assert.ok(untrained.maxError > 0.3, `untrained max error ${untrained.maxError}`);
  const r = trainPinn({ steps: 300, seed: 0 });
  assert.ok(r.maxError < 5e-3, `max |u − sin| = ${r.maxError}`);
  assert.ok(r.loss < r.losses[0] / 100);
});

test('demos/pinn.mjs runs', () => {
  assert.match(runScript('pinn.mjs', '50'), /max \|u - sin\| on 201 points: [\d.e+-]+/);
});

// ---- the derivative explorer's parser and grid derivatives ---------------------------------------

test('expression parser: precedence, implicit multiplication, names', () => {
  const cases = {
    'sin(x) * exp(-x^2/4)': 'sin(x) * exp(-x^2 / 4)',
    'tanh(3x)': 'tanh(3 * x)',
    'x^3 - 2x': 'x^3 - 2 * x',
    '-x^2': '-x^2',
    '2^3^2': '2^3^2',
    '2^-x': '2^(-x)',
    'xsin(x)': 'x * sin(x)',
    '2pix': '2 * pi * x',
    '(x+1)(x-1)': '(x + 1) * (x - 1)',
    'x - (x - 1)': 'x - (x - 1)',
    'x**2': 'x^2',
    'max(x, 0) + atan2(x, 1)': 'max(x, 0) + atan2(x, 1)',
    'ln(x)': 'ln(x)',
    'exp(x)': 'exp(x)',
  };
  for (const [text, expected] of Object.entries(cases)) assert.equal(format(parse(text)), expected, text);
  const xs = [-0.7, 0.3, 1.9];
  const x = nd.array(xs, { dtype: 'float64' });
  const values = (text) => compile(parse(text), nd)(x).toTypedArray();
  assertClose(values('sin(x) * exp(-x^2/4)'), xs.map((v) => Math.sin(v) * Math.exp(-v * v / 4)), { rtol: 1e-15, what: 'sin·exp' });
  assertClose(values('2^3^2 + 0x'), [512, 512, 512], { what: '2^3^2' });
  assertClose(values('-x^2'), xs.map((v) => -(v * v)), { what: '-x^2' });
  assertClose(values('3'), [3, 3, 3], { what: 'a constant keeps the shape of x' });
  assertClose(values('sin(2) * x'), xs.map((v) => Math.sin(2) * v), { rtol: 1e-15, what: 'constant subexpression' });
});

test('expression parser: errors say what and where, and nothing else is accepted', () => {
  const cases = [
    ['sin(x', "expected ')'", 5], ['foo(x)', "unknown name 'foo'", 0], ['x +', 'incomplete', 3], ['x)', "unmatched ')'", 1],
    ['sin x', 'needs parentheses', 0], ['pow(x)', 'takes 2 arguments', 0], ['2 3', 'missing operator', 2], ['3.5.2', 'malformed number', 0],
    ['x; alert(1)', "unexpected character ';'", 1], ['', 'type an expression', 0], ['x = 1', "unexpected character '='", 2],
    ['constructor', "unknown name 'constructor'", 0], ['__proto__', "unexpected character '_'", 0],
  ];
  for (const [text, message, start] of cases) {
    assert.throws(() => parse(text), (e) => e instanceof ParseError && e.message.includes(message) && e.start === start,
      `${JSON.stringify(text)} should fail with "${message}" at ${start}`);
  }
});

test('derivativesOnGrid: constants and lines give exact zeros at higher orders', () => {
  const x = nd.linspace(-1, 1, 5, { dtype: 'float64' });
  const constant = derivativesOnGrid(compile(parse('3'), nd), x, 3);
  assert.deepEqual(constant.map((v) => Array.from(v)), [[3, 3, 3, 3, 3], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
  const line = derivativesOnGrid(compile(parse('2x + 1'), nd), x, 2);
  assert.deepEqual(line.map((v) => Array.from(v)), [[-1, 0, 1, 2, 3], [2, 2, 2, 2, 2], [0, 0, 0, 0, 0]]);
  x.dispose();
});

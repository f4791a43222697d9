// Browser test of the demo pages in web/: serves the repo root (web/serve.mjs), opens each page
// in headless Chromium (Debian's /usr/bin/chromium through playwright-core), interacts with it
// (types expressions, drags the Taylor point, clicks start points, pauses training) and checks
// the numbers each page publishes in window.__demo against analytic values. Any console error,
// page error or failed request fails the page's checks. Screenshots: test-results/demos-*.png.
// Last line: "N passed, N failed"; exit code 1 on any failure.
//   node tests/browser/demos.mjs          (npm run test:demos; CHROMIUM=/path/to/chrome for another browser)
import path from 'node:path';
import { check, watchPage, withChromium, RESULTS } from './harness.mjs';
import { tanhPolynomials, evaluatePolynomial } from '../../demos/tanh-derivatives-svg.mjs';


// ---- checks ----------------------------------------------------------------------------------
/** Compares actual[i] with expected(i) within atol + rtol·|expected|; reports the worst point. */
function checkValues(name, actual, expected, { atol, rtol = 0 }) {
  if (!Array.isArray(actual) || actual.length === 0) return check(name, false, `no values (got ${JSON.stringify(actual)?.slice(0, 80)})`);
  let worst = null;
  actual.forEach((a, i) => {
    const e = expected(i);
    const excess = Number.isFinite(a) ? Math.abs(a - e) - (atol + rtol * Math.abs(e)) : Infinity;
    if (excess > 0 && (!worst || excess > worst.excess)) worst = { i, a, e, excess };
  });
  return check(name, !worst, worst && `at index ${worst.i}: got ${worst.a}, expected ${worst.e} (|diff| ${Math.abs(worst.a - worst.e)})`);
}
const factorial = (k) => (k <= 1 ? 1 : k * factorial(k - 1));

// ---- page helpers ----------------------------------------------------------------------------

/** Opens a page and records every problem (console errors, page errors, failed requests). */
async function open(context, url, { allow = [] } = {}) {
  const page = await context.newPage();
  const problems = watchPage(page, allow);
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return { page, problems };
}

/** Waits until predicate(arg) holds in the page (it reads window.__demo); returns __demo. */
async function waitDemo(page, predicate, what, { arg = null, timeout = 20_000 } = {}) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
  } catch {
    const state = await page.evaluate(() => JSON.stringify(window.__demo)?.slice(0, 300)).catch(() => '?');
    throw new Error(`timed out waiting for ${what}; window.__demo = ${state}`);
  }
  return demo(page);
}

/** window.__demo with typed arrays turned into plain arrays. */
function demo(page) {
  return page.evaluate(() => {
    const plain = (v) => (ArrayBuffer.isView(v) ? Array.from(v) : Array.isArray(v) ? v.map(plain) : v);
    return Object.fromEntries(Object.entries(window.__demo ?? {}).map(([k, v]) => [k, plain(v)]));
  });
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(RESULTS, `demos-${name}.png`), fullPage: true }).catch(() => {});
}

/** Page coordinates of the data point (x, y) of a canvas plot described by __demo.plotBox. */
async function toPage(page, canvasSelector, box, x, y) {
  const r = await page.locator(canvasSelector).boundingBox();
  const px = box.left + (x - box.xRange[0]) / (box.xRange[1] - box.xRange[0]) * (box.right - box.left);
  const py = box.bottom - (y - box.yRange[0]) / (box.yRange[1] - box.yRange[0]) * (box.bottom - box.top);
  return [r.x + px, r.y + py];
}

/** Runs a page's checks; a thrown error or any recorded problem fails it. */
async function section(name, context, url, body, opts) {
  let opened = null;
  const t0 = Date.now();
  try {
    opened = await open(context, url, opts);
    await body(opened.page);
  } catch (e) {
    check(`${name}: checks ran to the end`, false, e.stack ?? String(e));
  }
  if (opened) {
    await screenshot(opened.page, name);
    check(`${name}: no console errors, page errors or failed requests`, opened.problems.length === 0, opened.problems.join('\n'));
    await opened.page.close();
  }
  console.log(`       (${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

// ---- the pages -------------------------------------------------------------------------------

async function indexPage(page, base) {
  const links = await page.$$eval('main a', (as) => as.map((a) => a.getAttribute('href')));
  check('index: links the three demos', ['explorer.html', 'newton.html', 'wgan.html'].every((h) => links.includes(h)), `links: ${links}`);
  for (const href of links) {
    const status = (await page.request.get(new URL(href, `${base}/web/`).href)).status();
    check(`index: ${href} is served`, status === 200, `HTTP ${status}`);
  }
}

async function explorerPage(page, { variant = 'wasi', full = true } = {}) {
  const tag = variant === 'wasi' ? 'explorer' : `explorer [${variant}]`;
  let d = await waitDemo(page, () => window.__demo?.ready, 'the explorer to load');
  const f0 = (x) => Math.sin(x) * Math.exp(-x * x / 4);
  check(`${tag}: 1,000 grid points`, d.xs?.length === 1000, `got ${d.xs?.length}`);
  checkValues(`${tag}: default f = sin(x)·exp(−x²/4) matches Math`, d.values?.[0], (i) => f0(d.xs[i]), { atol: 1e-12 });

  // Type sin(x), show all six derivatives, compare with ±sin/±cos at every grid point.
  await page.fill('#expr', 'sin(x)');
  await page.selectOption('#order', '6');
  d = await waitDemo(page, () => window.__demo?.expression === 'sin(x)' && window.__demo.order === 6 && window.__demo.values?.length === 7, 'sin(x) to order 6');
  const sinDerivative = (k, x) => [Math.sin, Math.cos, (v) => -Math.sin(v), (v) => -Math.cos(v)][k % 4](x);
  for (let k = 0; k <= 6; k++) {
    checkValues(`${tag}: d${k}/dx${k} sin(x) at the 1,000 points, float64`, d.values[k], (i) => sinDerivative(k, d.xs[i]), { atol: 1e-12 });
  }
  if (!full) return;

  // float32
  await page.check('input[name=dtype][value=float32]');
  d = await waitDemo(page, () => window.__demo?.dtype === 'float32' && window.__demo.values?.length === 7, 'float32');
  check('explorer: float32 switch gives float32 arrays', await page.evaluate(() => window.__demo.values[6] instanceof Float32Array));
  for (const k of [1, 3, 6]) {
    checkValues(`explorer: d${k}/dx${k} sin(x), float32`, d.values[k], (i) => sinDerivative(k, d.xs[i]), { atol: 2e-5 });
  }
  await page.check('input[name=dtype][value=float64]');

  // tanh(3x) with implicit multiplication: 3ⁿ Pₙ(tanh 3x).
  await page.fill('#expr', 'tanh(3x)');
  d = await waitDemo(page, () => window.__demo?.expression === 'tanh(3x)' && window.__demo.dtype === 'float64' && window.__demo.values?.length === 7, 'tanh(3x)');
  check('explorer: tanh(3x) parsed with implicit multiplication', d.parsed === 'tanh(3 * x)', `parsed as ${d.parsed}`);
  const polys = tanhPolynomials(6);
  for (const k of [1, 2, 6]) {
    checkValues(`explorer: d${k}/dx${k} tanh(3x) = 3^${k} P${k}(tanh 3x)`, d.values[k],
      (i) => 3 ** k * evaluatePolynomial(polys[k], Math.tanh(3 * d.xs[i])), { atol: 1e-9, rtol: 1e-9 });
  }

  // x^3 − 2x: polynomial derivatives (the last two are zero).
  await page.fill('#expr', 'x^3 - 2x');
  d = await waitDemo(page, () => window.__demo?.expression === 'x^3 - 2x' && window.__demo.values?.length === 7, 'x^3 - 2x');
  const cubic = [(x) => x ** 3 - 2 * x, (x) => 3 * x * x - 2, (x) => 6 * x, () => 6, () => 0];
  for (let k = 0; k <= 4; k++) checkValues(`explorer: d${k}/dx${k} (x³ − 2x)`, d.values[k], (i) => cubic[k](d.xs[i]), { atol: 1e-9, rtol: 1e-12 });

  // Parse errors: shown under the input, nothing computed.
  for (const [text, message] of [['sin(x', "expected ')'"], ['foo(x)', "unknown name 'foo'"], ['2 +* x', "unexpected '*'"]]) {
    await page.fill('#expr', text);
    d = await waitDemo(page, (t) => window.__demo?.expression === t, `the error for ${text}`, { arg: text });
    const shown = await page.textContent('#parse-message');
    check(`explorer: '${text}' gives a parse error under the input`,
      d.error?.includes(message) && shown.includes(message) && shown.includes('^') && d.parsed === null &&
      await page.$eval('#expr', (el) => el.classList.contains('invalid')), `error ${JSON.stringify(d.error)}, shown ${JSON.stringify(shown)}`);
  }

  // Drag the Taylor point of sin(x) from x = 0.5 to x = 2; the table then holds the derivatives there.
  await page.fill('#expr', 'sin(x)');
  await page.selectOption('#taylor-order', '5');
  d = await waitDemo(page, () => window.__demo?.expression === 'sin(x)' && window.__demo.taylor?.order === 5, 'sin(x), Taylor order 5');
  const [x0, y0] = await toPage(page, '#plot', d.plotBox, 0.5, 0);
  const [x1, y1] = await toPage(page, '#plot', d.plotBox, 2, 0.5);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move((x0 + x1) / 2, y0, { steps: 4 });
  await page.mouse.move(x1, y1, { steps: 4 });
  await page.mouse.up();
  d = await waitDemo(page, () => Math.abs(window.__demo?.taylor?.a - 2) < 0.05, 'the Taylor point to reach x = 2');
  const a = d.taylor.a;
  check(`explorer: dragging moved the Taylor point to x ≈ 2 (a = ${a.toFixed(4)})`, Math.abs(a - 2) < 0.05);
  checkValues('explorer: derivatives at the Taylor point = sin, cos, −sin, … at a', d.taylor.derivatives, (k) => sinDerivative(k, a), { atol: 1e-12 });
  checkValues('explorer: Taylor coefficients = f⁽ᵏ⁾(a)/k!', d.taylor.coefficients, (k) => sinDerivative(k, a) / factorial(k), { atol: 1e-12 });
  check('explorer: the side table shows f(a)', (await page.textContent('#point-table')).includes(String(Number(Math.sin(a).toPrecision(8)))));
}

async function newtonPage(page) {
  let d = await waitDemo(page, () => window.__demo?.ready && window.__demo.plotBox, 'the Newton page to load');
  // Click a start point on the Rosenbrock contour plot.
  const [cx, cy] = await toPage(page, '#plot', d.plotBox, -1.2, 1);
  await page.mouse.click(cx, cy);
  d = await waitDemo(page, () => window.__demo?.start && Math.abs(window.__demo.start[0] + 1.2) < 0.02 && Math.abs(window.__demo.start[1] - 1) < 0.02, 'the clicked start point');
  const [x, y] = d.start;
  const grad = [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
  const hess = [[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200]];
  checkValues(`newton: gradient at the clicked start (${x.toFixed(3)}, ${y.toFixed(3)}) from wasmgrad = analytic`, d.startInfo.grad, (i) => grad[i], { atol: 1e-9, rtol: 1e-12 });
  checkValues('newton: Hessian from func.hessian = analytic', d.startInfo.hessian.flat(), (i) => hess[Math.floor(i / 2)][i % 2], { atol: 1e-9, rtol: 1e-12 });

  // Step once (pauses the animation that the click started), then run to the end.
  await page.click('#step');
  d = await waitDemo(page, () => window.__demo && !window.__demo.playing, 'the pause after Step');
  const afterStep = d.methods.newton.steps;
  await page.click('#step');
  d = await waitDemo(page, (n) => window.__demo?.methods?.newton?.steps === n + 1 || window.__demo?.methods?.newton?.done, 'one more step', { arg: afterStep });
  check('newton: Step advances Newton by one step', d.methods.newton.steps === afterStep + 1 || d.methods.newton.done, `${afterStep} → ${d.methods.newton.steps}`);
  await page.click('#run');
  d = await waitDemo(page, () => window.__demo?.methods?.newton?.done && window.__demo.methods.gd.done, 'both methods to finish', { timeout: 30_000 });
  const n = d.methods.newton, g = d.methods.gd;
  check(`newton: Newton reaches (1, 1) on Rosenbrock in ${n.steps} steps`,
    n.converged && Math.hypot(n.point[0] - 1, n.point[1] - 1) < 1e-6 && n.steps <= 40, JSON.stringify(n));
  check(`newton: gradient descent needs far more steps (${g.steps})`, g.steps > 20 * n.steps, JSON.stringify(g));
  const text = await page.textContent('#progress');
  check('newton: the step counts are shown', text.includes(String(n.steps)) && text.includes(String(g.steps)), text);
  await screenshot(page, 'newton-rosenbrock');

  // The saddle: plain Newton is attracted to the saddle point, the regularised one reaches a minimum.
  await page.selectOption('#function', 'saddle');
  await page.check('#plain');
  d = await waitDemo(page, () => window.__demo?.fn === 'saddle' && window.__demo.methods?.plain, 'the saddle function');
  const [sx, sy] = await toPage(page, '#plot', d.plotBox, 1.5, 0.1);
  await page.mouse.click(sx, sy);
  await page.click('#run');
  d = await waitDemo(page, () => window.__demo?.methods?.plain?.done && window.__demo.methods.newton.done, 'the saddle runs');
  const [hx, hy] = d.start;
  checkValues('newton: saddle Hessian = diag(1, 3y² − 1)', d.startInfo.hessian.flat(), (i) => [1, 0, 0, 3 * hy * hy - 1][i], { atol: 1e-12 });
  check('newton: plain Newton stops at the saddle (0, 0)', Math.hypot(...d.methods.plain.point) < 1e-6, JSON.stringify(d.methods.plain));
  check('newton: regularised Newton reaches a minimum (0, ±1)',
    d.methods.newton.converged && Math.abs(Math.abs(d.methods.newton.point[1]) - 1) < 1e-6 && Math.abs(d.methods.newton.point[0]) < 1e-6,
    JSON.stringify(d.methods.newton));
  check(`newton: start (${hx.toFixed(2)}, ${hy.toFixed(2)}) came from the click`, Math.abs(hx - 1.5) < 0.03 && Math.abs(hy - 0.1) < 0.03);
}

async function wganPage(page) {
  let d = await waitDemo(page, () => window.__demo?.ready && window.__demo.iteration >= 30, '30 WGAN iterations', { timeout: 60_000 });
  check(`wgan: the penalty's gradient w.r.t. critic weights matches finite differences (rel. error ${d.gpCheck?.maxRelError})`, d.gpCheck?.ok === true);
  const l = d.last;
  check('wgan: losses are finite', ['criticLoss', 'gp', 'distance', 'generatorLoss'].every((k) => Number.isFinite(l[k])), JSON.stringify(l));
  check(`wgan: gradient penalty computed (${l.gp})`, l.gp > 0, JSON.stringify(l));
  const arrays = d.memory.arrays;
  d = await waitDemo(page, (n) => window.__demo.iteration >= n, '100 more iterations', { arg: d.iteration + 100, timeout: 60_000 });
  check(`wgan: memory stays flat (${arrays} → ${d.memory.arrays} live arrays, graphBytes ${d.memory.graphBytes})`,
    d.memory.arrays === arrays && d.memory.graphBytes === 0);

  await page.click('#pause');
  d = await waitDemo(page, () => window.__demo.running === false, 'pause');
  await page.waitForTimeout(400);
  const frozen = (await demo(page)).iteration;
  await page.waitForTimeout(600);
  const still = (await demo(page)).iteration;
  check(`wgan: pause stops training (iteration ${frozen} → ${still})`, frozen === still && (await page.textContent('#pause')) === 'Resume');
  await page.click('#pause');
  d = await waitDemo(page, (n) => window.__demo.running && window.__demo.iteration > n, 'resume', { arg: still });
  check('wgan: resume continues training', d.iteration > still);
  // Let it train a little longer for the screenshot.
  d = await waitDemo(page, () => window.__demo.iteration >= 400, '400 iterations', { timeout: 60_000 });
  const spread = d.generatedSample.reduce((s, [px, py]) => s + Math.abs(Math.hypot(px, py) - 2), 0) / d.generatedSample.length;
  check(`wgan: after ${d.iteration} iterations generated points lie near the ring (mean | |p| − 2 | = ${spread.toFixed(3)})`, spread < 0.5);
}

async function loadFailure(context, base) {
  // The wasm request fails: the page must say so in a banner rather than stay blank.
  const page = await context.newPage();
  await page.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await page.goto(`${base}/web/explorer.html`, { waitUntil: 'load' });
  const banner = await page.waitForSelector('#banner', { timeout: 10_000 }).then((b) => b.textContent()).catch(() => null);
  check('load failure: a banner says wasmgrad could not load', banner?.includes('Could not load wasmgrad'), `banner: ${banner}`);
  await screenshot(page, 'load-error');
  await page.close();
}

// ---- main ------------------------------------------------------------------------------------
await withChromium({ name: 'demos browser test', timeLimitMs: 240_000, viewport: { width: 1200, height: 900 },
  screenshots: 'demos-*.png' }, async (context, base) => {
  await section('index', context, `${base}/web/`, (page) => indexPage(page, base));
  await section('explorer', context, `${base}/web/explorer.html`, (page) => explorerPage(page));
  await section('explorer-emscripten', context, `${base}/web/explorer.html?wasm=emscripten`, (page) => explorerPage(page, { variant: 'emscripten', full: false }));
  await section('newton', context, `${base}/web/newton.html`, newtonPage);
  await section('wgan', context, `${base}/web/wgan.html`, wganPage);
  await loadFailure(context, base);
});

// Browser test: serves the repo root over http on 127.0.0.1, opens tests/browser/seed.html in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) once per wasm build,
// and checks the numbers that the page computed against Math.sin / Math.cos.
// Any console error, page error or failed request fails the run. Screenshots: test-results/.
// Last line: "N passed, N failed"; exit code 1 on any failure.
//   node tests/browser/run.mjs            CHROMIUM=/path/to/chrome to use another browser
import path from 'node:path';
import { check, watchPage, withChromium, RESULTS } from './harness.mjs';

const VARIANTS = ['wasi', 'emscripten'];
const TOL = { float32: 1e-5, float64: 1e-12 };

// ---- checks ----------------------------------------------------------------------------------
function checkClose(name, actual, xs, f, tol) {
  const expected = xs.map(f);
  const bad = !Array.isArray(actual) || actual.length !== expected.length
    ? `expected an array of ${expected.length}, got ${JSON.stringify(actual)}`
    : actual.map((a, i) => (Number.isFinite(a) && Math.abs(a - expected[i]) <= tol ? null
      : `x=${xs[i]}: got ${a}, expected ${expected[i]} (|diff| ${Math.abs(a - expected[i])} > ${tol})`))
      .filter(Boolean).join('; ');
  check(name, !bad, bad);
}

async function runVariant(context, base, variant) {
  const page = await context.newPage();
  const problems = watchPage(page);

  const url = `${base}/tests/browser/seed.html${variant === 'wasi' ? '' : `?wasm=${variant}`}`;
  let result = null;
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    // Wait for the page's result; stop early when the page already failed (a module that did
    // not load never reports).
    const deadline = Date.now() + 30_000;
    let failedSince = 0;
    for (;;) {
      result = await page.evaluate(() => window.__wasmgrad);
      if (result?.done) break;
      if (problems.length && !failedSince) failedSince = Date.now();
      if (failedSince && Date.now() - failedSince > 2_000) { result = { error: 'the page stopped with errors' }; break; }
      if (Date.now() > deadline) { result = { error: 'the page did not finish in 30 s' }; break; }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    result = { error: `page did not finish: ${e.message.split('\n')[0]}` };
  }
  await page.screenshot({ path: path.join(RESULTS, `browser-${variant}.png`), fullPage: true }).catch(() => {});
  await page.close();

  const tag = `[${variant}]`;
  check(`${tag} page ran without errors`, !result.error && problems.length === 0,
    [result.error, ...problems].filter(Boolean).join('\n         '));
  if (result.error) return;
  const { seed, third } = result;
  const tol32 = TOL.float32;
  checkClose(`${tag} seed: sin(x)`, seed.y, seed.x, Math.sin, tol32);
  checkClose(`${tag} seed: grad(y, x, createGraph) = cos(x)`, seed.dy, seed.x, Math.cos, tol32);
  checkClose(`${tag} seed: x.grad after dy.backward() = -sin(x)`, seed.grad, seed.x, (v) => -Math.sin(v), tol32);
  for (const dtype of ['float32', 'float64']) {
    const r = third[dtype];
    check(`${tag} third derivative keeps dtype ${dtype}`, r.dtype === dtype, `got ${r.dtype}`);
    checkClose(`${tag} d3/dx3 sin = -cos, ${dtype}`, r.values, third.x, (v) => -Math.cos(v), TOL[dtype]);
  }
}

// ---- main ------------------------------------------------------------------------------------
await withChromium({ name: 'browser test', timeLimitMs: 180_000, viewport: { width: 900, height: 900 },
  screenshots: `browser-{${VARIANTS.join(',')}}.png` }, async (context, base) => {
  for (const variant of VARIANTS) await runVariant(context, base, variant);
});

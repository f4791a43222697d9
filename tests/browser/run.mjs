// Browser test: serves the repo root over http on 127.0.0.1, opens tests/browser/seed.html in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) once per wasm build,
// and checks the numbers that the page computed against Math.sin / Math.cos.
// Any console error, page error or failed request fails the run. Screenshots: test-results/.
// Last line: "N passed, N failed"; exit code 1 on any failure.
//   node tests/browser/run.mjs            CHROMIUM=/path/to/chrome to use another browser
import http from 'node:http';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = path.join(ROOT, 'test-results');
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const VARIANTS = ['wasi', 'emscripten'];
const TOL = { float32: 1e-5, float64: 1e-12 };

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.css': 'text/css', '.map': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
};

// ---- a static file server for the repo root ------------------------------------------------
function serve() {
  const server = http.createServer(async (req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      const { pathname } = new URL(req.url, 'http://localhost');
      const file = path.join(ROOT, path.normalize(decodeURIComponent(pathname)));
      if (file !== ROOT && !file.startsWith(ROOT + path.sep)) return send(403, 'forbidden');
      if (!(await stat(file).catch(() => null))?.isFile()) return send(404, `not found: ${pathname}`);
      send(200, await readFile(file), MIME[path.extname(file)] ?? 'application/octet-stream');
    } catch (e) {
      send(500, String(e));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- checks ----------------------------------------------------------------------------------
let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name}${!ok && detail ? `\n         ${detail}` : ''}`);
}
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
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });

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
  mkdirSync(RESULTS, { recursive: true });
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
const watchdog = setTimeout(() => {
  console.log('FAILED browser test timed out after 180 s');
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 180_000);

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const profile = mkdtempSync(path.join(tmpdir(), 'wasmgrad-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    viewport: { width: 900, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  console.log(`Chromium ${context.browser()?.version() ?? ''} at ${EXECUTABLE}, serving ${ROOT} on ${base}`);
  for (const variant of VARIANTS) await runVariant(context, base, variant);
} catch (e) {
  check('launch Chromium and run the pages', false, e.stack ?? String(e));
} finally {
  await context?.close().catch(() => {});
  server.close();
  rmSync(profile, { recursive: true, force: true });
  clearTimeout(watchdog);
}
console.log(`screenshots: ${path.relative(process.cwd(), RESULTS) || '.'}/browser-{${VARIANTS.join(',')}}.png`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

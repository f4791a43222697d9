// What the browser tests share: pass/fail counting, and one run of headless Chromium (Debian's
// /usr/bin/chromium through playwright-core, with the flags this machine needs) against the
// repository served over http on 127.0.0.1 (web/serve.mjs). Each test file calls
// withChromium(...) once; it prints "N passed, N failed" last and exits 1 on any failure.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serveDirectory, ROOT } from '../../web/serve.mjs';

export { ROOT };
export const RESULTS = path.join(ROOT, 'test-results');
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling hosts this network refuses.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let passed = 0, failed = 0;

/** Counts one check and prints it; returns ok. */
export function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name}${!ok && detail ? `\n         ${String(detail).split('\n').join('\n         ')}` : ''}`);
  return ok;
}

/** Collects console errors, page errors, failed requests and HTTP errors of a page, except
 * those matching a regular expression in `allow` (a page that is meant to fail). */
export function watchPage(page, allow = []) {
  const problems = [];
  const note = (msg) => { if (!allow.some((re) => re.test(msg))) problems.push(msg); };
  page.on('console', (m) => { if (m.type() === 'error') note(`console.error: ${m.text()}`); });
  page.on('pageerror', (e) => note(`page error: ${e.message}`));
  page.on('requestfailed', (r) => note(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) note(`HTTP ${r.status()}: ${r.url()}`); });
  return problems;
}

/** Serves the repo, launches Chromium, runs body(context, base), cleans up, reports, exits. */
export async function withChromium({ name, timeLimitMs, viewport, screenshots }, body) {
  mkdirSync(RESULTS, { recursive: true });
  const watchdog = setTimeout(() => {
    console.log(`FAILED ${name} timed out after ${timeLimitMs / 1000} s`);
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  }, timeLimitMs);
  const server = await serveDirectory(ROOT);
  const base = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(path.join(tmpdir(), 'wasmgrad-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: EXECUTABLE, headless: true, viewport, args: ARGS });
    console.log(`Chromium ${context.browser()?.version() ?? ''} at ${EXECUTABLE}, serving ${ROOT} on ${base}`);
    await body(context, base);
  } catch (e) {
    check(`${name}: launch Chromium and run the pages`, false, e.stack ?? String(e));
  } finally {
    await context?.close().catch(() => {});
    server.close();
    rmSync(profile, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
  console.log(`screenshots: ${path.relative(process.cwd(), RESULTS) || '.'}/${screenshots}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

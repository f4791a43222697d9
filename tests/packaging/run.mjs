// Packaging test: the tarball of `npm pack`, installed into a fresh project (tests/packaging/app),
// works in every JS setup:
//   Node 20 ESM import, CommonJS require, no side effects on import, Node before 20.16, TypeScript types
//   (tsc --strict on tests/types against the installed package), a plain page with an import
//   map, a module Web Worker, an esbuild bundle, a Vite bundle (main thread and worker), and
//   tree-shaking (the esbuild bundle of an app that uses only nd.sin: its size is reported).
// Each setup runs app/compute.js and checks its numbers against Math.* (app/expected.mjs).
// Pages run in Debian's Chromium through playwright-core. Last line: "N passed, N failed".
//   node tests/packaging/run.mjs          CHROMIUM=/path/to/chrome to use another browser
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { chromium } from 'playwright-core';
import { compare } from './app/expected.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TMP = mkdtempSync(path.join(tmpdir(), 'wasmgrad-packaging-'));
const APP = path.join(TMP, 'app');

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name}${!ok && detail ? `\n         ${String(detail).trim().split('\n').join('\n         ')}` : ''}`);
  return ok;
}
/** Runs a command; check passes when it exits 0. Returns its output. */
function run(name, file, args, opts = {}) {
  const env = { ...process.env, ...opts.env };
  delete env.WASMGRAD_WASM; // the installed package must find its own wasm
  try {
    const out = execFileSync(file, args, { cwd: APP, env, encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
    check(name, true);
    return out;
  } catch (e) {
    check(name, false, `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message);
    return null;
  }
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const sizeOf = (file) => {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};

const watchdog = setTimeout(() => {
  console.log('FAILED packaging test timed out after 300 s');
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 300_000);

// ---- the tarball, installed into a fresh project ----------------------------------------------
function packAndInstall() {
  let tarball;
  try {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', TMP], { cwd: ROOT, encoding: 'utf8' });
    tarball = path.join(TMP, out.trim().split('\n').at(-1));
    statSync(tarball);
  } catch (e) {
    check('npm pack', false, e.message);
    return false;
  }
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').map((f) => f.replace(/^package\//, ''));
  for (const f of ['dist/wasmgrad.mjs', 'js/index.js', 'js/index.cjs', 'js/custom.js', 'index.d.ts', 'index.d.cts', 'dist/wasmgrad.wasm']) {
    check(`tarball has ${f}`, files.includes(f));
  }
  cpSync(path.join(HERE, 'app'), APP, { recursive: true });
  cpSync(path.join(ROOT, 'tests/types'), path.join(APP, 'types'), { recursive: true });
  writeFileSync(path.join(APP, 'package.json'), JSON.stringify({ name: 'wasmgrad-packaging-app', private: true, type: 'module' }));
  return run('npm install <tarball> into a fresh project (offline)', 'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball]) !== null;
}

// ---- Node --------------------------------------------------------------------------------------
function nodeChecks() {
  run('Node ESM: import from the installed package, seed, func, custom function', process.execPath, ['node-esm.mjs']);
  run('CommonJS: require, init() resolves to the API, the same objects as the ES module', process.execPath, ['node-cjs.cjs']);
  run('no side effects on import or require: no fetch, no wasm compiled before init()', process.execPath, ['no-side-effects.mjs']);
  run('Node without process.getBuiltinModule (before 20.16): init() reads the wasm through fs/promises', process.execPath, ['node-fs-promises.mjs']);
  run('types: tsc --strict --noEmit on ESM and CommonJS consumers of the installed package', process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'types']);
}

// ---- bundlers -----------------------------------------------------------------------------------
const SITE = path.join(APP, 'site-esbuild');

async function bundles() {
  const sizes = {};
  try {
    const common = { bundle: true, format: 'esm', platform: 'browser', minify: true, logLevel: 'silent', absWorkingDir: APP };
    await esbuild({ ...common, entryPoints: ['esbuild/app.js', 'esbuild/sin-only.js'], outdir: path.join(SITE, 'js') });
    // esbuild does not copy assets named by new URL(): put the wasm where the package has it.
    mkdirSync(path.join(SITE, 'dist'), { recursive: true });
    cpSync(path.join(APP, 'node_modules/wasmgrad/dist/wasmgrad.wasm'), path.join(SITE, 'dist/wasmgrad.wasm'));
    for (const name of ['app', 'sin-only']) {
      writeFileSync(path.join(SITE, `${name}.html`),
        `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./js/${name}.js"></script>`);
    }
    check('esbuild: bundles the app and an nd.sin-only app', true);
    sizes.sinOnly = sizeOf(path.join(SITE, 'js/sin-only.js'));
    sizes.whole = sizeOf(path.join(SITE, 'js/app.js'));
    const sinOnly = readFileSync(path.join(SITE, 'js/sin-only.js'), 'utf8');
    const leftIn = ['checkGrad', 'saveForBackward', 'hessian', 'onceDifferentiable'].filter((w) => sinOnly.includes(w));
    check(`tree-shaking: the nd.sin-only bundle (${kb(sizes.sinOnly.raw)}) has no func or autograd.Function code`,
      leftIn.length === 0 && sizes.sinOnly.raw < sizes.whole.raw, `found: ${leftIn.join(', ')}`);
  } catch (e) {
    check('esbuild: bundles the app and an nd.sin-only app', false, e.stack ?? e);
  }
  try {
    await viteBuild({
      root: path.join(APP, 'vite'), base: './', configFile: false, logLevel: 'warn',
      build: { outDir: path.join(APP, 'site-vite'), emptyOutDir: true },
      worker: { format: 'es' },
    });
    const assets = execFileSync('ls', [path.join(APP, 'site-vite/assets')], { encoding: 'utf8' }).split('\n');
    check('Vite: builds the app and its worker, and emits the wasm as an asset', assets.some((a) => a.endsWith('.wasm')),
      `assets: ${assets.join(' ')}`);
  } catch (e) {
    check('Vite: builds the app and its worker, and emits the wasm as an asset', false, e.stack ?? e);
  }
  return sizes;
}

// ---- pages in Chromium ---------------------------------------------------------------------------
const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm',
};

function serve(root) {
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const file = path.join(root, path.normalize(decodeURIComponent(pathname)));
    const ok = file.startsWith(root + path.sep) && (await stat(file).catch(() => null))?.isFile();
    res.writeHead(ok ? 200 : 404, { 'content-type': ok ? MIME[path.extname(file)] ?? 'application/octet-stream' : 'text/plain' });
    res.end(ok ? await readFile(file) : `not found: ${pathname}`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Opens a page, waits for window.__result, fails on any page error or failed request. */
async function openPage(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  let result;
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
    result = await page.evaluate(() => window.__result);
  } catch (e) {
    result = { error: e.message.split('\n')[0] };
  }
  await page.close();
  if (result?.error) problems.push(result.error);
  return { result, problems };
}

async function pages(base) {
  const context = await chromium.launchPersistentContext(mkdtempSync(path.join(TMP, 'profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const computed = (name, { result, problems }, extra = []) =>
      check(name, problems.length === 0 && extra.length === 0 && compare(result).length === 0,
        [...problems, ...extra, ...compare(result)].join('\n'));

    const importmap = await openPage(context, `${base}/browser/importmap.html`);
    computed('browser, import map: the installed ES module (dist/wasmgrad.mjs) runs the computation', importmap);
    const r = importmap.result ?? {};
    check('browser, import map: nothing is fetched on import; NOT_INITIALIZED before init(); one wasm fetch by init()',
      r.beforeInit === 0 && r.afterInit === 1 && r.notInitialized === 'NOT_INITIALIZED',
      `wasm requests before init ${r.beforeInit}, after ${r.afterInit}; error code before init ${r.notInitialized}`);

    const worker = await openPage(context, `${base}/browser/worker.html`);
    computed('Web Worker (module worker, no bundler, js/index.js by path)', worker, worker.result?.inWorker === true ? [] : ['did not run in a worker']);

    computed('esbuild bundle in Chromium (wasm at ../dist/ next to the bundle)', await openPage(context, `${base}/site-esbuild/app.html`));
    const sinOnly = await openPage(context, `${base}/site-esbuild/sin-only.html`);
    const sin = sinOnly.result?.sin;
    check('esbuild nd.sin-only bundle runs in Chromium', sinOnly.problems.length === 0 && Array.isArray(sin) &&
      sin.every((v, i) => Math.abs(v - Math.sin(i + 1)) < 1e-15), [...sinOnly.problems, JSON.stringify(sinOnly.result)].join('\n'));

    const vite = await openPage(context, `${base}/site-vite/index.html`);
    computed('Vite bundle in Chromium, main thread', { result: vite.result?.main, problems: vite.problems });
    computed('Vite bundle in Chromium, module worker', { result: vite.result?.worker, problems: [] });
  } finally {
    await context.close();
  }
}

// ---- main ----------------------------------------------------------------------------------------
let sizes = {};
try {
  if (packAndInstall()) {
    nodeChecks();
    sizes = await bundles();
    const server = await serve(APP);
    try {
      await pages(`http://127.0.0.1:${server.address().port}`);
    } catch (e) {
      check('launch Chromium and open the pages', false, e.stack ?? e);
    } finally {
      server.close();
    }
  }
} finally {
  clearTimeout(watchdog);
  rmSync(TMP, { recursive: true, force: true });
}
if (sizes.sinOnly) {
  const wasm = sizeOf(path.join(ROOT, 'dist/wasmgrad.wasm'));
  console.log(`sizes (esbuild --minify): nd.sin-only app ${kb(sizes.sinOnly.raw)} (${kb(sizes.sinOnly.gzip)} gzip), ` +
    `the whole API ${kb(sizes.whole.raw)} (${kb(sizes.whole.gzip)} gzip); wasm ${kb(wasm.raw)} (${kb(wasm.gzip)} gzip)`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

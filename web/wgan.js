// WGAN-GP training loop in the page: a few iterations per animation frame, then a redraw.
// The model (and the check of the penalty's gradient) is demos/lib/wgan.js, shared with Node.
import { nd } from 'wasmgrad';
import { loadWasmgrad, showBanner, fmt } from './lib/page.js';
import { Plot, COLORS } from './lib/plot.js';
import { WGANGP, sampleRing, checkPenaltyGradient } from '../demos/lib/wgan.js';

const $ = (id) => document.getElementById(id);
const SEED = 1;
const FRAME_BUDGET_MS = 28;   // training time per animation frame
const SHOWN = 512;            // points drawn of each kind
const FIELD = 40;             // critic background resolution
const EXTENT = 3;

const scatter = new Plot($('scatter'), { margin: { left: 30, right: 8, top: 8, bottom: 22 } });
const losses = new Plot($('losses'), { margin: { left: 48, right: 10, top: 10, bottom: 26 } });
let gan = null, real = [], history = [], running = true, frameId = 0, field = null, msPerIteration = 0, gpCheck = null;
window.__demo = { ready: false };

function reset() {
  gan?.dispose();
  nd.random.seed(SEED);
  gan = new WGANGP({ hidden: 64, batch: 128, nCritic: 5, lambda: 0.1, lr: 1e-3 });
  real = nd.tidy(() => sampleRing(SHOWN).toArray());
  history = [];
  field = null;
}

/** Critic scores on a grid over the plotted square (not recorded, freed at once). */
function criticField() {
  return nd.tidy(() => {
    const t = nd.linspace(-EXTENT, EXTENT, FIELD);
    const xs = t.reshape([1, FIELD]).broadcastTo([FIELD, FIELD]).reshape([FIELD * FIELD, 1]);
    const ys = t.reshape([FIELD, 1]).broadcastTo([FIELD, FIELD]).reshape([FIELD * FIELD, 1]);
    const scores = gan.score(nd.concat([xs, ys], 1)).toTypedArray();
    return Array.from({ length: FIELD }, (_, r) => Array.from(scores.subarray(r * FIELD, (r + 1) * FIELD)));
  });
}

function fieldColor(lo, hi) {
  return (v) => {
    const t = Math.max(-1, Math.min(1, (2 * (v - lo)) / (hi - lo || 1) - 1)); // -1 … 1
    const a = Math.abs(t) * 0.55;
    return t > 0 ? [255, Math.round(255 * (1 - a)), Math.round(255 * (1 - a))] : [Math.round(255 * (1 - a)), Math.round(255 * (1 - a * 0.6)), 255];
  };
}

function smooth(values, alpha = 0.05) {
  let s = values[0];
  return values.map((v) => (s = s + alpha * (v - s)));
}

function draw(generated) {
  scatter.resize();
  scatter.setRange([-EXTENT, EXTENT], [-EXTENT, EXTENT]);
  scatter.clear();
  if ($('show-critic').checked && field) {
    const flat = field.flat();
    scatter.drawField(field, fieldColor(Math.min(...flat), Math.max(...flat)));
  }
  scatter.drawAxes({ xTicks: 6, yTicks: 6, grid: 'rgba(0,0,0,0.07)', zero: 'rgba(0,0,0,0.25)' });
  scatter.drawPoints(real, { color: 'rgba(110,110,110,0.55)', radius: 2 });
  scatter.drawPoints(generated, { color: 'rgba(214,39,40,0.75)', radius: 2 });

  losses.resize();
  losses.clear();
  const n = history.length;
  const its = history.map((h) => h.iteration);
  const series = [
    [history.map((h) => h.distance), COLORS[1]],
    [history.map((h) => h.gp), COLORS[3]],
    [history.map((h) => h.criticLoss), COLORS[2]],
  ].map(([v, c]) => [smooth(v), c, v]);
  let lo = 0, hi = 0.1;
  for (const [s] of series) for (const v of s) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  losses.setRange([0, Math.max(50, n ? its[n - 1] : 0)], [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)]);
  losses.drawAxes({ xTicks: 6, yTicks: 5 });
  for (const [s, c, raw] of series) {
    losses.drawCurve(its, raw, { color: `${c}33`, width: 1 });
    losses.drawCurve(its, s, { color: c, width: 2 });
  }
  drawStats();
}

function drawStats() {
  const h = history.at(-1);
  const mem = nd.memory();
  const rows = [
    ['iteration', gan.iterations],
    ['critic steps per G step', gan.nCritic],
    ['critic loss', h ? fmt(h.criticLoss, 4) : '–'],
    ['W-distance estimate', h ? fmt(h.distance, 4) : '–'],
    ['gradient penalty', h ? fmt(h.gp, 4) : '–'],
    ['generator loss', h ? fmt(h.generatorLoss, 4) : '–'],
    ['ms per iteration', msPerIteration ? msPerIteration.toFixed(1) : '–'],
    ['live NDArrays', mem.arrays],
    ['array bytes', `${(mem.bytes / 1024).toFixed(0)} KiB`],
    ['wasm memory', `${(mem.wasmBytes / 2 ** 20).toFixed(1)} MiB`],
  ];
  const half = Math.ceil(rows.length / 2); // two columns of pairs
  $('stats').innerHTML = rows.slice(0, half).map(([k, v], i) => {
    const [k2, v2] = rows[half + i] ?? ['', ''];
    return `<tr><td>${k}</td><td>${v}</td><td>${k2}</td><td>${v2}</td></tr>`;
  }).join('');
  $('status').textContent = running ? 'training…' : 'paused';
}

function publish(generated) {
  const mem = nd.memory();
  window.__demo = {
    ready: true, running, iteration: gan.iterations, last: history.at(-1) ?? null, historyLength: history.length,
    memory: mem, gpCheck, generatedSample: generated.slice(0, 64), msPerIteration,
  };
}

function frame() {
  frameId = 0;
  try {
    if (running) {
      const t0 = performance.now();
      let count = 0;
      do {
        history.push(gan.iteration());
        count++;
      } while (performance.now() - t0 < FRAME_BUDGET_MS);
      const ms = (performance.now() - t0) / count;
      msPerIteration = msPerIteration ? 0.9 * msPerIteration + 0.1 * ms : ms;
      if (!field || gan.iterations % 10 < count) field = criticField();
    }
    const generated = nd.tidy(() => gan.generate(SHOWN).toArray());
    draw(generated);
    publish(generated);
  } catch (e) {
    running = false;
    showBanner(`Training stopped: ${e.message}`);
    throw e;
  }
  if (running) frameId = requestAnimationFrame(frame);
}

function setRunning(on) {
  running = on;
  $('pause').textContent = running ? 'Pause' : 'Resume';
  if (!frameId) frameId = requestAnimationFrame(frame);
}

$('pause').addEventListener('click', () => setRunning(!running));
$('reset').addEventListener('click', () => { reset(); setRunning(true); });
$('show-critic').addEventListener('change', () => { if (!running && !frameId) frameId = requestAnimationFrame(frame); });
window.addEventListener('resize', () => { if (!frameId) frameId = requestAnimationFrame(frame); });

try {
  await loadWasmgrad();
  // The second-order term, checked once against finite differences (float64, a small critic).
  const checks = checkPenaltyGradient();
  gpCheck = { ok: checks.every((c) => c.ok), maxRelError: Math.max(...checks.map((c) => c.maxRelError)) };
  $('gp-check').className = gpCheck.ok ? 'ok' : 'error';
  $('gp-check').textContent = `d(penalty)/d(critic weights) vs finite differences: ${gpCheck.ok ? 'match' : 'MISMATCH'} ` +
    `(largest relative error ${gpCheck.maxRelError.toExponential(1)})`;
  reset();
  setRunning(true);
} catch (e) {
  window.__demo = { ready: false, loadError: String(e?.message ?? e) };
  if (!document.getElementById('banner')) showBanner(`Error: ${e.message}`);
}

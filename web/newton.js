// Newton versus gradient descent on 2-D functions: contour plot, click to start, paths step by step.
import { loadWasmgrad, showBanner, guarded, fmt } from './lib/page.js';
import { Plot } from './lib/plot.js';
import { FUNCTIONS, objective, newtonStep, gradientStep, gridValues, eigen2 } from './lib/optim2d.js';

const $ = (id) => document.getElementById(id);
const GRID = 150;
const NEWTON_MAX_STEPS = 200;
const METHODS = {
  newton: { label: 'Newton', color: '#d62728', dash: [] },
  gd: { label: 'gradient descent', color: '#1f77b4', dash: [] },
  plain: { label: 'plain Newton', color: '#ff7f0e', dash: [5, 4] },
};

const plot = new Plot($('plot'), { margin: { left: 40, right: 10, top: 10, bottom: 26 } });
let fn, obj, field, runs = {}, start = null, startInfo = null, playing = false, timer = 0;
window.__demo = { ready: false };

for (const [key, f] of Object.entries(FUNCTIONS)) $('function').add(new Option(f.label, key));

// ---- the methods ------------------------------------------------------------------------------

function newRun(kind) {
  return { kind, path: [start], steps: 0, done: false, converged: false, last: null, state: {} };
}

/** Advances one method by one step (no-op when done). */
function advance(run) {
  if (run.done) return;
  const p = run.path.at(-1);
  const r = run.kind === 'gd' ? gradientStep(obj, p, run.state) : newtonStep(obj, p, { regularise: run.kind === 'newton' });
  run.last = r;
  if (r.converged) {
    run.done = run.converged = true;
    return;
  }
  run.path.push(r.next);
  run.steps++;
  const max = run.kind === 'gd' ? fn.gdMaxSteps : NEWTON_MAX_STEPS;
  if (!Number.isFinite(r.next[0]) || !Number.isFinite(r.next[1]) || Math.hypot(...r.next) > 1e6) run.done = true; // diverged
  else if (run.steps >= max) run.done = true;
}

function activeRuns() {
  return Object.values(runs).filter((r) => r.kind !== 'plain' || $('plain').checked);
}

function stepAll(n = 1) {
  for (let i = 0; i < n; i++) for (const r of activeRuns()) advance(r);
}

function setStart(p) {
  start = p;
  runs = { newton: newRun('newton'), gd: newRun('gd'), plain: newRun('plain') };
  const [value, grad] = obj.valueAndGrad(p);
  startInfo = { point: p, value, grad, hessian: obj.hessian(p) };
}

// ---- drawing ----------------------------------------------------------------------------------

function computeField() {
  const { xs, ys, values } = gridValues(fn, GRID, GRID);
  let min = Infinity, max = -Infinity;
  for (const row of values) for (const v of row) { min = Math.min(min, v); max = Math.max(max, v); }
  // log scale above the minimum, so that both the valley floor and the walls show
  const shift = (v) => Math.log10(v - min + 1e-5 * (max - min) + 1e-12);
  const logs = values.map((row) => row.map(shift));
  const [lo, hi] = [shift(min), shift(max)];
  const levels = Array.from({ length: 18 }, (_, k) => lo + (hi - lo) * (k + 0.5) / 18);
  field = { xs, ys, logs, lo, hi, levels };
}

function color(v) {
  const t = Math.max(0, Math.min(1, (v - field.lo) / (field.hi - field.lo)));
  // light yellow (low) → light green → light blue → grey-violet (high)
  const stops = [[255, 253, 228], [222, 242, 208], [205, 228, 240], [196, 202, 226]];
  const s = t * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(s)), u = s - i;
  return stops[i].map((c, k) => Math.round(c + u * (stops[i + 1][k] - c)));
}

function draw() {
  plot.resize();
  plot.setRange(...fn.domain);
  plot.clear();
  plot.drawField(field.logs, color);
  plot.drawContours(field.logs, field.xs, field.ys, field.levels, { color: 'rgba(60,60,90,0.45)' });
  plot.drawAxes({ grid: 'rgba(0,0,0,0.06)', zero: 'rgba(0,0,0,0.25)' });
  const ctx = plot.ctx;
  plot.clipped(() => {
    ctx.fillStyle = '#222';
    ctx.font = '14px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const [x, y] of fn.minima) ctx.fillText('◆', plot.px(x), plot.py(y));
    for (const [x, y] of fn.saddles ?? []) ctx.fillText('✕', plot.px(x), plot.py(y));
  });
  for (const r of activeRuns()) {
    const m = METHODS[r.kind];
    const xs = r.path.map((p) => p[0]), ys = r.path.map((p) => p[1]);
    plot.drawCurve(xs, ys, { color: m.color, width: 2, dash: m.dash });
    if (r.path.length <= 300) plot.drawPoints(r.path, { color: m.color, radius: r.kind === 'gd' ? 2 : 3.5, stroke: '#fff' });
  }
  if (start) plot.drawPoints([start], { color: '#000', radius: 5, stroke: '#fff' });
  else {
    ctx.fillStyle = 'rgba(0,0,0,0.6)';
    ctx.font = '15px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText('click to choose a start point', (plot.left + plot.right) / 2, plot.top + 24);
  }
  drawSide();
  publish();
}

function drawSide() {
  const rows = activeRuns().map((r) => {
    const m = METHODS[r.kind];
    const p = r.path.at(-1);
    const status = !r.converged ? (r.done ? '<span class="error">stopped</span>' : 'running')
      : r.last?.positiveDefinite === false ? '<span class="error">stuck: not a minimum</span>' : '<span class="ok">converged</span>';
    return `<tr><td class="method" style="color:${m.color}">${m.label}</td><td>${r.steps}</td><td>${status}</td></tr>` +
      `<tr><td colspan="3" class="muted">(${fmt(p[0], 7)}, ${fmt(p[1], 7)}) · f = ${fmt(r.last?.value ?? startInfo.value, 5)} · ‖∇f‖ = ${fmt(r.last?.gradNorm ?? Math.hypot(...startInfo.grad), 3)}</td></tr>`;
  });
  $('progress').innerHTML = start ? `<tr><th>method</th><th>steps</th><th></th></tr>${rows.join('')}` : '<tr><td class="muted">no start point yet</td></tr>';
  const r = runs.newton;
  if (!r) {
    $('hessian-info').innerHTML = '';
    return;
  }
  const p = r.path.at(-1);
  const H = r.path.length === 1 ? startInfo.hessian : obj.hessian(p);
  const { values } = eigen2(H);
  $('hessian-info').innerHTML = `<table><tr><td rowspan="2">H =</td><td>${fmt(H[0][0], 5)}</td><td>${fmt(H[0][1], 5)}</td></tr>` +
    `<tr><td>${fmt(H[1][0], 5)}</td><td>${fmt(H[1][1], 5)}</td></tr></table>` +
    `<p>eigenvalues ${fmt(values[0], 4)}, ${fmt(values[1], 4)}: ${values[0] > 0 ? '<span class="ok">positive definite</span>, the Newton step as it is'
      : '<span class="error">not positive definite</span>, |λ| used instead'}` +
    `${r.last && r.last.t ? `<br>last step length t = ${fmt(r.last.t, 4)}${r.last.t < 1 ? ' (damped)' : ''}` : ''}</p>`;
}

function publish() {
  const summary = (r) => ({ steps: r.steps, done: r.done, converged: r.converged, point: r.path.at(-1), gradNorm: r.last?.gradNorm ?? null });
  window.__demo = {
    ready: true, fn: $('function').value, playing, start, startInfo,
    methods: Object.fromEntries(activeRuns().map((r) => [r.kind, summary(r)])),
    plotBox: { left: plot.left, right: plot.right, top: plot.top, bottom: plot.bottom, xRange: plot.xRange, yRange: plot.yRange },
  };
}

// ---- controls ---------------------------------------------------------------------------------

function allDone() {
  return activeRuns().every((r) => r.done);
}

function setPlaying(on) {
  playing = on && Boolean(start) && !allDone();
  $('play').textContent = playing ? 'Pause' : 'Play';
  clearInterval(timer);
  if (playing) {
    const rate = Number($('speed').value);
    const interval = Math.max(16, 1000 / rate);
    const perTick = Math.max(1, Math.round(rate * interval / 1000));
    timer = setInterval(() => guarded(() => {
      stepAll(perTick);
      if (allDone()) setPlaying(false);
      draw();
    }), interval);
  }
  publish();
}

function selectFunction() {
  fn = FUNCTIONS[$('function').value];
  obj = objective(fn);
  computeField();
  setPlaying(false);
  setStart(fn.start);
  draw();
}

$('function').addEventListener('change', () => guarded(selectFunction));
$('plot').addEventListener('click', (e) => guarded(() => {
  const [x, y] = plot.eventToData(e);
  const [[x0, x1], [y0, y1]] = fn.domain;
  if (x < x0 || x > x1 || y < y0 || y > y1) return;
  setStart([x, y]);
  draw();
  setPlaying(true);
}));
$('step').addEventListener('click', () => guarded(() => {
  setPlaying(false);
  stepAll(1);
  draw();
}));
$('play').addEventListener('click', () => guarded(() => setPlaying(!playing)));
$('speed').addEventListener('change', () => { if (playing) setPlaying(true); });
$('run').addEventListener('click', () => guarded(() => {
  setPlaying(false);
  const t0 = performance.now();
  while (!allDone() && performance.now() - t0 < 5000) stepAll(1);
  draw();
}));
$('plain').addEventListener('change', () => {
  $('plain-legend').hidden = !$('plain').checked;
  draw();
});
window.addEventListener('resize', () => guarded(draw));

try {
  await loadWasmgrad();
  $('status').textContent = 'Click anywhere on the plot to start there (the start shown is the classic one).';
  selectFunction();
} catch (e) {
  window.__demo = { ready: false, loadError: String(e?.message ?? e) };
  if (!document.getElementById('banner')) showBanner(`Error: ${e.message}`);
}

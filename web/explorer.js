// The derivative explorer: parse → wasmgrad operators → derivatives of every order over one
// 1,000-point array → canvas. State for the browser test is mirrored in window.__demo.
import { nd } from 'wasmgrad';
import { loadWasmgrad, showBanner, fmt } from './lib/page.js';
import { parse, format, compile, ParseError } from './lib/expr.js';
import { Plot, COLORS } from './lib/plot.js';
import { derivativesOnGrid } from '../demos/lib/derivatives.js';

const POINTS = 1000;
const MAX_ORDER = 6;
const EXAMPLES = ['sin(x) * exp(-x^2/4)', 'tanh(3x)', 'x^3 - 2x', 'sigmoid(x)', 'log(1 + x^2)', 'sqrt(x)', 'erf(x)', 'softplus(2x)/2', 'arctan(x)', 'exp(-abs(x))'];
const $ = (id) => document.getElementById(id);
const NAMES = ['f', "f′", "f″", "f‴", 'f⁽⁴⁾', 'f⁽⁵⁾', 'f⁽⁶⁾'];

const state = {
  text: '', f: null, parsed: '', error: null, dtype: 'float64', xmin: -6, xmax: 6, order: 3, taylorOrder: 3, a: 1,
  normalise: false, xs: null, values: null, taylor: null, computeMs: 0, updates: 0,
};
window.__demo = { ready: false };

const plot = new Plot($('plot'));

for (const [id, value] of [['order', state.order], ['taylor-order', state.taylorOrder]]) {
  for (let k = 0; k <= MAX_ORDER; k++) $(id).add(new Option(String(k), String(k), false, k === value));
}
for (const example of EXAMPLES) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = example;
  b.addEventListener('click', () => { $('expr').value = example; onInput(); });
  $('examples').append(b);
}

// ---- computing ------------------------------------------------------------------------------

/** Parses the input; on failure shows the message with a caret under the offending text. */
function parseInput() {
  state.text = $('expr').value;
  const message = $('parse-message');
  try {
    const tree = parse(state.text);
    state.f = compile(tree, nd);
    state.parsed = format(tree);
    state.error = null;
    $('expr').classList.remove('invalid');
    message.className = 'muted';
    message.textContent = `parsed as  ${state.parsed}`;
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    state.f = null;
    state.error = e.message;
    $('expr').classList.add('invalid');
    message.className = 'error';
    const width = Math.max(1, Math.min(e.end, state.text.length + 1) - e.start);
    message.textContent = `${state.text}\n${' '.repeat(e.start)}${'^'.repeat(width)} ${e.message}`;
  }
}

function compute() {
  if (!state.f) return;
  const t0 = performance.now();
  try {
    const x = nd.linspace(state.xmin, state.xmax, POINTS, { dtype: state.dtype });
    state.values = derivativesOnGrid(state.f, x, state.order);
    state.xs = x.toTypedArray();
    x.dispose();
    computeTaylor();
  } catch (e) {
    // wasmgrad refused the expression (it reports what and why): show it like a parse error.
    state.values = null;
    state.error = e.message;
    $('parse-message').className = 'error';
    $('parse-message').textContent = `wasmgrad: ${e.message}`;
  }
  state.computeMs = performance.now() - t0;
}

/** f and its derivatives at a (one point), the Taylor coefficients f⁽ᵏ⁾(a)/k!, the polynomial on the grid. */
function computeTaylor() {
  if (!state.xs) return;
  const a = nd.array([state.a], { dtype: state.dtype });
  const derivatives = derivativesOnGrid(state.f, a, state.taylorOrder).map((v) => v[0]);
  a.dispose();
  let factorial = 1;
  const coefficients = derivatives.map((d, k) => (k > 0 && (factorial *= k), d / factorial));
  const curve = Float64Array.from(state.xs, (x) => coefficients.reduceRight((acc, c) => acc * (x - state.a) + c, 0));
  state.taylor = { a: state.a, order: state.taylorOrder, derivatives, coefficients, curve };
}

// ---- drawing --------------------------------------------------------------------------------

/** [lo, hi] holding the central 98% of the finite values. */
function robustRange(values) {
  const finite = values.filter(Number.isFinite).sort((p, q) => p - q);
  if (finite.length === 0) return null;
  return [finite[Math.floor(0.01 * (finite.length - 1))], finite[Math.ceil(0.99 * (finite.length - 1))]];
}

/**
 * The y range: what the curves span, but at most 4× the span of f around f, so that one
 * steep derivative (or a singularity) does not flatten f itself. 'scale each curve' shows the rest.
 */
function yRange(curves) {
  const all = robustRange(curves.flatMap((c) => Array.from(c)));
  if (!all) return [-1, 1];
  const f = robustRange(Array.from(curves[0])) ?? all;
  const mid = (f[0] + f[1]) / 2;
  const half = Math.max((f[1] - f[0]) / 2, 0.5 * Math.abs(mid), 1e-6);
  let lo = Math.max(all[0], mid - 4 * half), hi = Math.min(all[1], mid + 4 * half);
  if (!(hi - lo > 1e-9)) { lo = mid - half; hi = mid + half; }
  const pad = 0.08 * (hi - lo);
  return [lo - pad, hi + pad];
}

function draw() {
  plot.resize();
  plot.clear();
  const legend = [];
  if (state.values) {
    const scales = state.values.map((ys) => (state.normalise ? 1 / Math.max(1e-300, ...Array.from(ys, (v) => (Number.isFinite(v) ? Math.abs(v) : 0))) : 1));
    const curves = state.values.map((ys, k) => (scales[k] === 1 ? ys : Array.from(ys, (v) => v * scales[k])));
    plot.setRange([state.xmin, state.xmax], state.normalise ? [-1.1, 1.1] : yRange(curves));
    plot.drawAxes();
    curves.forEach((ys, k) => {
      plot.drawCurve(state.xs, ys, { color: COLORS[k], width: k === 0 ? 2.5 : 1.6 });
      legend.push(`<span style="--c:${COLORS[k]}">${NAMES[k]}${scales[k] === 1 ? '' : ` × ${fmt(scales[k], 3)}`}</span>`);
    });
    const t = state.taylor;
    if (t) {
      const s = scales[0];
      plot.drawCurve(state.xs, s === 1 ? t.curve : Array.from(t.curve, (v) => v * s), { color: '#e0218a', width: 2, dash: [6, 4] });
      plot.drawPoints([[t.a, t.derivatives[0] * s]], { color: '#e0218a', radius: 5, stroke: '#fff' });
      legend.push(`<span class="dashed" style="--c:#e0218a">Taylor, order ${t.order}, at a = ${fmt(t.a, 4)}</span>`);
    }
  } else {
    plot.setRange([state.xmin, state.xmax], [-1, 1]);
    plot.drawAxes();
  }
  $('legend').innerHTML = legend.join('');
  drawTable();
}

function drawTable() {
  const t = state.taylor;
  if (!t || !state.values) {
    $('point-table').innerHTML = '';
    $('taylor-text').textContent = '';
    return;
  }
  const rows = t.derivatives.map((d, k) => `<tr><td>${NAMES[k]}(a)</td><td>${fmt(d, 8)}</td><td>${fmt(t.coefficients[k], 6)}</td></tr>`);
  $('point-table').innerHTML = `<tr><th></th><th>value</th><th>/ k!</th></tr>${rows.join('')}`;
  const bad = state.values.map((ys, k) => [k, ys.filter((v) => !Number.isFinite(v)).length]).filter(([, n]) => n > 0);
  $('taylor-text').innerHTML = `a = ${fmt(t.a, 8)} (${state.dtype}). ` +
    `${POINTS} points × ${state.order + 1} orders in ${state.computeMs.toFixed(1)} ms.` +
    (bad.length ? `<br><span class="error">not finite: ${bad.map(([k, n]) => `${NAMES[k]} at ${n} points`).join(', ')} (outside the domain?)</span>` : '');
}

function publish() {
  state.updates++;
  const t = state.taylor;
  window.__demo = {
    ready: true, updates: state.updates, expression: state.text, parsed: state.f ? state.parsed : null, error: state.error,
    dtype: state.dtype, order: state.order, xmin: state.xmin, xmax: state.xmax, computeMs: state.computeMs,
    xs: state.f && state.xs, values: state.f && state.values,
    taylor: state.f && t ? { a: t.a, order: t.order, derivatives: t.derivatives, coefficients: t.coefficients } : null,
    plotBox: { left: plot.left, right: plot.right, top: plot.top, bottom: plot.bottom, xRange: plot.xRange, yRange: plot.yRange },
  };
}

// ---- events -----------------------------------------------------------------------------------

let frame = 0;
function update({ reparse = false, grid = true } = {}) {
  if (reparse) parseInput();
  if (state.f) {
    if (grid) compute(); else computeTaylor();
  }
  draw();
  publish();
}
/** Coalesces bursts of input (typing, dragging) into one update per animation frame. */
function schedule(opts) {
  const pending = schedule.pending ?? {};
  schedule.pending = { reparse: pending.reparse || opts.reparse, grid: pending.grid || opts.grid };
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const o = schedule.pending;
    schedule.pending = null;
    update(o);
  });
}

function readNumber(id, fallback) {
  const v = Number($(id).value);
  return $(id).value.trim() !== '' && Number.isFinite(v) ? v : fallback;
}

function onInput() { schedule({ reparse: true, grid: true }); }
function onControls() {
  const xmin = readNumber('xmin', state.xmin), xmax = readNumber('xmax', state.xmax);
  if (xmin < xmax) Object.assign(state, { xmin, xmax });
  state.order = Number($('order').value);
  state.taylorOrder = Number($('taylor-order').value);
  state.dtype = document.querySelector('input[name=dtype]:checked').value;
  state.normalise = $('normalise').checked;
  state.a = readNumber('taylor-a', state.a);
  schedule({ grid: true });
}

$('expr').addEventListener('input', onInput);
for (const id of ['xmin', 'xmax', 'order', 'taylor-order', 'normalise', 'taylor-a']) $(id).addEventListener('change', onControls);
for (const radio of document.querySelectorAll('input[name=dtype]')) radio.addEventListener('change', onControls);

// Dragging on the plot moves the Taylor point.
let dragging = false;
function moveTaylorPoint(event) {
  const [x] = plot.eventToData(event);
  state.a = Math.min(state.xmax, Math.max(state.xmin, x));
  $('taylor-a').value = String(Number(state.a.toPrecision(6)));
  schedule({ grid: false });
}
$('plot').addEventListener('pointerdown', (e) => {
  dragging = true;
  $('plot').setPointerCapture(e.pointerId);
  moveTaylorPoint(e);
});
$('plot').addEventListener('pointermove', (e) => { if (dragging) moveTaylorPoint(e); });
$('plot').addEventListener('pointerup', () => { dragging = false; });
$('plot').addEventListener('pointercancel', () => { dragging = false; });
window.addEventListener('resize', () => schedule({}));

try {
  await loadWasmgrad();
  $('status').textContent = '';
  update({ reparse: true });
} catch (e) {
  window.__demo = { ready: false, loadError: String(e?.message ?? e) };
  if (!document.getElementById('banner')) showBanner(`Error: ${e.message}`);
}

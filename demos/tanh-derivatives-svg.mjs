// The classic autograd picture: tanh and its first six derivatives, computed by nesting
// autograd.grad with createGraph over one grid of 701 points (float64), drawn as an SVG file.
// Each curve is checked against the exact derivative: with t = tanh x, tanh^(n)(x) = P_n(t) for
// polynomials P_0 = t, P_{n+1}(t) = P_n'(t) (1 − t²).
//
//   node demos/tanh-derivatives-svg.mjs [out.svg]      (default test-results/tanh.svg)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { init, nd } from '../js/index.js';
import { derivativesOnGrid } from './lib/derivatives.js';
import { isMain } from './lib/main.js';

export const ORDER = 6;
const COLORS = ['#000000', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** Coefficient lists (lowest power first) of P_0 .. P_order, with tanh^(n)(x) = P_n(tanh x). */
export function tanhPolynomials(order = ORDER) {
  const polys = [[0, 1]];
  for (let n = 1; n <= order; n++) {
    const p = polys[n - 1];
    const dp = p.slice(1).map((c, i) => c * (i + 1)); // P'
    const next = new Array(dp.length + 2).fill(0);     // P' · (1 − t²)
    dp.forEach((c, i) => { next[i] += c; next[i + 2] -= c; });
    polys.push(next);
  }
  return polys;
}

/** P(t) by Horner's rule. */
export function evaluatePolynomial(coefficients, t) {
  return coefficients.reduceRight((acc, c) => acc * t + c, 0);
}

/** { xs, values: [tanh, tanh', ..., tanh^(order)] } on `points` points of [lo, hi]. */
export function tanhDerivatives({ lo = -7, hi = 7, points = 701, order = ORDER, dtype = 'float64' } = {}) {
  const x = nd.linspace(lo, hi, points, { dtype });
  const values = derivativesOnGrid(nd.tanh, x, order);
  const xs = x.toTypedArray();
  x.dispose();
  return { xs, values };
}

/** Largest |computed − P_n(tanh x)| of each order. */
export function maxErrors({ xs, values }) {
  const polys = tanhPolynomials(values.length - 1);
  return values.map((ys, n) => ys.reduce((m, y, i) => Math.max(m, Math.abs(y - evaluatePolynomial(polys[n], Math.tanh(xs[i])))), 0));
}

/** An SVG line chart of the curves (no dependencies). */
export function toSVG({ xs, values }, { width = 800, height = 500, yRange = [-5, 5] } = {}) {
  const margin = { left: 50, right: 110, top: 30, bottom: 40 };
  const [x0, x1] = [xs[0], xs[xs.length - 1]];
  const [y0, y1] = yRange;
  const px = (x) => margin.left + (x - x0) / (x1 - x0) * (width - margin.left - margin.right);
  const py = (y) => margin.top + (y1 - y) / (y1 - y0) * (height - margin.top - margin.bottom);
  const f = (v) => v.toFixed(2);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">tanh(x) and its derivatives up to order ${values.length - 1} (wasmgrad, nested autograd.grad)</text>`,
    `<clipPath id="plot"><rect x="${margin.left}" y="${margin.top}" width="${width - margin.left - margin.right}" height="${height - margin.top - margin.bottom}"/></clipPath>`,
  ];
  for (let x = Math.ceil(x0); x <= x1; x++) {
    out.push(`<line x1="${f(px(x))}" y1="${margin.top}" x2="${f(px(x))}" y2="${height - margin.bottom}" stroke="#eee"/>`,
      `<text x="${f(px(x))}" y="${height - margin.bottom + 16}" text-anchor="middle">${x}</text>`);
  }
  for (let y = Math.ceil(y0); y <= y1; y++) {
    out.push(`<line x1="${margin.left}" y1="${f(py(y))}" x2="${width - margin.right}" y2="${f(py(y))}" stroke="${y === 0 ? '#999' : '#eee'}"/>`,
      `<text x="${margin.left - 6}" y="${f(py(y) + 4)}" text-anchor="end">${y}</text>`);
  }
  values.forEach((ys, n) => {
    const d = Array.from(ys, (y, i) => `${i ? 'L' : 'M'}${f(px(xs[i]))},${f(py(Math.max(y0 - 1, Math.min(y1 + 1, y))))}`).join('');
    out.push(`<path d="${d}" fill="none" stroke="${COLORS[n % COLORS.length]}" stroke-width="${n ? 1.5 : 2.5}" clip-path="url(#plot)"/>`,
      `<line x1="${width - margin.right + 12}" y1="${margin.top + 10 + n * 20}" x2="${width - margin.right + 36}" y2="${margin.top + 10 + n * 20}" stroke="${COLORS[n % COLORS.length]}" stroke-width="2"/>`,
      `<text x="${width - margin.right + 42}" y="${margin.top + 14 + n * 20}">${n === 0 ? 'tanh' : `order ${n}`}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

async function main() {
  await init();
  const file = process.argv[2] ?? 'test-results/tanh.svg';
  const result = tanhDerivatives();
  const errors = maxErrors(result);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, toSVG(result));
  console.log(`tanh and its derivatives up to order ${ORDER} on ${result.xs.length} points of [-7, 7], float64`);
  console.log('order  max |wasmgrad − P_n(tanh x)|   max |value|');
  errors.forEach((e, n) => {
    const peak = result.values[n].reduce((m, y) => Math.max(m, Math.abs(y)), 0);
    console.log(`${String(n).padStart(5)}  ${e.toExponential(2).padStart(27)}   ${peak.toFixed(3).padStart(11)}`);
  });
  console.log(`wrote ${file}`);
}

if (isMain(import.meta.url)) await main();

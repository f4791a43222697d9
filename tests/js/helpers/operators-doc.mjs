// docs/operators.md, rendered from the test tables (operators.mjs, kinks.mjs, accuracy.mjs) and
// from measurements of the loaded build. scripts/operators-doc.mjs writes it; operators-doc.test.mjs
// renders it again and fails when the committed file differs.
import { nd } from '../../../js/index.js';
import { CASES, API_GROUPS, DTYPES, ORDERS, materialize, varIndices, ndArgs, refArgs, refValue } from './operators.mjs';
import { KINKS } from './kinks.mjs';
import { UNARY_REFERENCES, BINARY_REFERENCES, measureUnary, measureBinary, bound } from './accuracy.mjs';
import { FD_EPS } from './fd.mjs';

export const DOC_PATH = 'docs/operators.md';
export const REGENERATE = 'npm run docs:operators';

/** the analytic oracle of each kind of case, as a code of the legend */
const ORACLE = { elementwise: 'P', linear: 'L', multiaffine: 'M', nonlinear: 'V' };
const VIEW_CODE = { transpose: 'T', slice: 'S', flip: 'F', broadcastTo: 'B' };
const LEGEND = [
  '- **FD**: the float64 order-k gradient against central finite differences (eps %EPS%) of the',
  '  order-(k-1) one, with random head gradients and random directions (gradcheck/gradgradcheck).',
  '- **P**: every mixed partial derivative written out in JS, orders 1-3, along every path of variables.',
  '- **L** (linear): the gradient is the adjoint of the JS reference, the next order is 0, and sin(f) is',
  '  checked to order 3 (Lᵀ(H sin⁽ᵏ⁾(Lx) L h₁ … L hₖ₋₁)).',
  '- **M** (affine in each input): the adjoint at order 1, exact mixed second differences of the JS',
  '  reference at order 2, 0 at order 3; FD and float32 on sin(f).',
  '- **V**: the vector-Jacobian product written out in JS (order 1); **H**: also the Hessian-vector',
  '  product (order 2); orders 2-3 otherwise by FD.',
  '- **32**: every order in float32 against float64 at the same (float32) inputs and head gradients.',
  '- **views**: cases where an input first goes through **T**ranspose, **S**lice, **F**lip or',
  '  **B**roadcastTo (the oracles follow through the view\'s adjoint).',
];

/** how a float64 reference is computed, for the table */
function referenceName(fn) {
  if (Object.values(Object.getOwnPropertyDescriptors(Math)).some((d) => d.value === fn)) return `Math.${fn.name}`;
  if (!String(fn).includes('=>')) return `${fn.name} (helpers/${fn.name}.mjs)`;
  return String(fn).replace(/\s+/g, ' ');
}

// ---- forward error of the non-sweep operators on their test inputs ----------------------------
// In ulps of the largest |value| of each output: sums and products of several terms are judged at
// their own scale (a matmul entry near 0 has no meaningful ulp of its own).
function forwardError(c, dtype) {
  const raw = materialize(c);
  const f32 = dtype === 'float32';
  const vals = varIndices(c).map((i) => (f32 ? { shape: raw[i].shape, data: raw[i].data.map(Math.fround) } : raw[i]));
  const expected = refValue(c, refArgs(c, raw, vals)).data;
  const got = nd.tidy(() => c.f(...ndArgs(c, raw, vals.map((t) => nd.array(Float64Array.from(t.data), { dtype, shape: t.shape })))).toTypedArray());
  const round = f32 ? Math.fround : (v) => v;
  const scale = round(expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
  const ulp = scale === 0 ? (f32 ? 2 ** -149 : 2 ** -1074) : 2 ** (Math.floor(Math.log2(scale)) - (f32 ? 23 : 52));
  return Math.max(0, ...Array.from(got, (g, i) => Math.abs(g - round(expected[i])) / ulp));
}

/** { op: { float32, float64, how } }: the worst forward error of every operator */
function measureAll() {
  const out = {};
  for (const [refs, measure, group] of [[UNARY_REFERENCES, measureUnary, 'unary'], [BINARY_REFERENCES, measureBinary, 'binary']]) {
    for (const [op, [fn, kind]] of Object.entries(refs)) {
      const m = Object.fromEntries(DTYPES.map((d) => [d, measure(op, d)]));
      out[op] = {
        ...Object.fromEntries(DTYPES.map((d) => [d, `${m[d].worst} (≤ ${bound(kind, d)})`])),
        how: `ulp vs \`${referenceName(fn)}\` over ${m.float64.count} / ${m.float32.count} ${group} sweep points`,
      };
    }
  }
  for (const c of CASES) {
    if (c.op in UNARY_REFERENCES || c.op in BINARY_REFERENCES) continue;
    const row = (out[c.op] ??= { float32: 0, float64: 0 });
    for (const d of DTYPES) row[d] = Math.max(row[d], Math.round(forwardError(c, d) * 10) / 10);
  }
  return out;
}

// ---- the document ------------------------------------------------------------------------------
const cell = (s) => String(s).replace(/\|/g, '\\|');

/** the groups of API.md without a derivative: what their tests check instead */
const ONLY_VALUES = {
  Comparisons: 'Not differentiable: 0/1 in the operands\' dtype and a constant inside a graph (no gradient at any ' +
    'order: x * (x > 0) differentiates to the mask; a comparison alone is NOT_RECORDED). Checked in float32, ' +
    'float64 and int32 against JS (NaN compares unequal), with broadcasting, JS numbers on either side and the ' +
    'method (tests/js/comparisons-creation.test.mjs). Forward error: none (exact).',
  'Creation and random': 'Not differentiable: they create constants. Checked in float32 and float64: values, shape ' +
    'and dtype; seeded sampling gives the same values again, and others for another seed ' +
    '(tests/js/comparisons-creation.test.mjs, tests/js/creation.test.mjs).',
};

function operatorRow(op, cases, errors) {
  const codes = ['FD', ...new Set(cases.map((c) => ORACLE[c.kind])), ...(cases.some((c) => c.hvp) ? ['H'] : []), '32'];
  const views = [...new Set(cases.flatMap((c) => c.inputs.map((i) => VIEW_CODE[i?.view]).filter(Boolean)))];
  const e = errors[op];
  const kink = KINKS[op]?.convention ?? 'smooth on its domain';
  return `| \`${op}\` | ${cases.length} | ${views.join(' ') || '—'} | ${ORDERS.join(' ')} | ${DTYPES.join(' ')} | ${codes.join(' ')} | ${e.float32} | ${e.float64} | ${cell(kink)} |`;
}

const groupBy = (xs, key) => xs.reduce((acc, x) => ((acc[key(x)] ??= []).push(x), acc), {});

const INTRO = [
  '# Operators: what the tests verify',
  '',
  `<!-- generated by \`${REGENERATE}\` (scripts/operators-doc.mjs) from tests/js/helpers/operators.mjs,`,
  '     kinks.mjs and accuracy.mjs, and from measurements of the wasm build; `node --test tests/js/`',
  '     renders it again with each build and fails when this file differs. Do not edit by hand. -->',
  '',
];

const HOW = [
  'Every case (tests/js/ops-orders.test.mjs) checks the forward value in float64 and float32 against a',
  'plain-JS reference, that the NDArray method gives the same bits as the `nd.` function and that the',
  'dtype is kept (float64 stays float64 through every order), and then each order with these oracles:',
  '',
  ...LEGEND.map((l) => l.replace('%EPS%', FD_EPS.toExponential())),
  '',
  'Also (tests/js/): kinks and edges point by point (kinks.test.mjs); the second and third derivatives',
  'where TensorFlow.js and MXNet are known to fail (known-failures.test.mjs); orders up to 8 against',
  'closed forms (high-orders.test.mjs); float32 with float64 operands at orders 1-3 (mixed-dtypes.test.mjs);',
  'axes of size 0 (empty-axes.test.mjs); forward ulp bounds over sweeps with 0, ±denormals, large',
  'arguments, ±inf and NaN (forward.test.mjs).',
  '',
  '**Worst float32 / float64**: the worst forward error measured. Elementwise operators: in ulp',
  'against the reference over the sweep, with the bound the test enforces in parentheses (float64: 0',
  'exact, 2 libm, 4 a short formula; float32: 4 ulp of Math.fround of the float64 reference, 0 where',
  'exact). Other operators: in ulps of the output\'s largest magnitude, on the test inputs, against a',
  'float64 JS implementation (tests/js/helpers/ref.mjs).',
  '',
];

/** the markdown of docs/operators.md for the loaded build */
export function renderOperatorsDoc() {
  const errors = measureAll();
  const byOp = groupBy(CASES, (c) => c.op);
  const lines = [
    ...INTRO,
    `${Object.keys(byOp).length} differentiable operators of the API ([api.md](api.md)), each at orders`,
    `${ORDERS.join(', ')} in ${DTYPES.join(' and ')}, over ${CASES.length} cases (shapes, broadcasting, JS numbers, axes,`,
    'keepdims, and inputs that come out of transpose, slice, flip and broadcastTo).',
    '',
    ...HOW,
  ];
  for (const [group, ops] of Object.entries(API_GROUPS)) {
    lines.push(`## ${group}`, '');
    if (ONLY_VALUES[group]) {
      lines.push(ONLY_VALUES[group], '', ops.map((op) => `\`${op}\``).join(' · '), '');
      continue;
    }
    lines.push('| operator | cases | views | orders | dtypes | oracles | worst float32 | worst float64 | kinks and edges |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |', ...ops.map((op) => operatorRow(op, byOp[op], errors)), '');
  }
  lines.push('## Forward references', '', '| operator | how the worst error is measured |', '| --- | --- |',
    ...Object.entries(errors).filter(([, e]) => e.how).map(([op, e]) => `| \`${op}\` | ${cell(e.how)} |`), '',
    '## Cases', '', ...Object.entries(byOp).map(([op, cases]) => `- \`${op}\`: ${cases.map((c) => cell(c.label)).join('; ')}`), '');
  return lines.join('\n');
}

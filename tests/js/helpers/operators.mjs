// Every operator of API.md as test cases: the one table that ops-orders.test.mjs runs (each
// case x orders 1..3 x {float32, float64}) and scripts/operators-doc.mjs documents.
//
// A case: { op, label, inputs, f, method?, kind, ... }
//   op      the API operator it verifies (a docs/operators.md row)
//   inputs  specs: var(shape, gen) differentiable, cond(shape) a float 0/1 constant,
//           ints(shape, values) int32 indices or labels, or a plain JS number
//   f       (...args) => NDArray with the nd function; method: the same with the NDArray method
//   value   the forward value in plain JS over reference tensors (helpers/ref.mjs)
//   kind    which analytic oracle applies, besides float64 finite differences at every order:
//     'elementwise'  partial(counts, ...args): every mixed partial, so every order, every path
//     'linear'       value is linear in the inputs: the gradient is its adjoint, the next order 0,
//                    and every order of sin(f) follows (L^T(H sin^(k)(Lx) L h1 ... L h_{k-1}))
//     'multiaffine'  affine in each input (matmul, dot, fullyConnected): order 1 the adjoint,
//                    order 2 the mixed second difference of value (exact), order 3 zero
//     'nonlinear'    vjp(H, ...inputs) for order 1, hvp(H, h1, ...inputs) for order 2 where given
//   views   a variable that reaches the operator through transpose/slice/flip/broadcastTo
//           (VIEWS below): arrays made by a layout operator, not the ones nd.array made.
import { nd } from '../../../js/index.js';
import { makeRng } from './prng.mjs';
import * as ref from './ref.mjs';
import { UNARY_DERIVS, BINARY_PARTIALS, powerConstExponent, powerConstBase, clipDerivs, wherePartial } from './analytic.mjs';

export const DTYPES = ['float32', 'float64'];
export const ORDERS = [1, 2, 3];

// ---- inputs -------------------------------------------------------------------------------
// A generator gen(n, rng) gives n values. Domains keep finite differences (eps 1e-6) away from
// singularities and kinks; the kinks themselves are tested in kinks.test.mjs.
export const uniform = (lo, hi) => (n, rng) => rng.array(n, lo, hi);
/** random signs, |x| in [lo, hi) */
export const away = (lo, hi) => (n, rng) => rng.signedAway(n, lo, hi);
/** uniform in [lo, hi) but at least 0.05 from each of `points` */
const avoiding = (points, lo, hi) => (n, rng) => Float64Array.from({ length: n }, () => {
  for (;;) {
    const x = rng.uniform(lo, hi);
    if (points.every((p) => Math.abs(x - p) > 0.05)) return x;
  }
});
/** off the integers and the half-integers: where floor, ceil, round and trunc are smooth */
const offGrid = (n, rng) => Float64Array.from({ length: n }, () =>
  Math.floor(rng.uniform(-3, 3)) + (rng.next() < 0.5 ? 0.1 : 0.6) + 0.3 * rng.next());
/** distinct values at least 0.1 apart (no ties for max, min and the infinity norm) */
const distinct = (n, rng) => {
  const v = Array.from({ length: n }, (_, i) => -2 + (4 * i) / n + 0.05 * rng.next());
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return Float64Array.from(v);
};
/** fixed values */
const values = (...v) => () => Float64Array.from(v);

const input = (kind) => (shape, gen = uniform(-2, 2), extra = {}) => ({ kind, shape, gen, ...extra });
export const v = input('var');
export const cond = (shape) => ({ kind: 'cond', shape, gen: (n, rng) => Float64Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0)) });
export const ints = (shape, data) => ({ kind: 'int', shape, data });

/** a seed from a label, so that each case draws the same inputs however the table is run */
const seedOf = (label) => [...label].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7);

/** the reference tensors of a case's inputs (numbers stay numbers; views give the variable's own shape) */
export function materialize(c) {
  const rng = makeRng(seedOf(c.label));
  return c.inputs.map((s) => {
    if (typeof s === 'number') return s;
    if (s.kind === 'int') return { shape: s.shape, data: Float64Array.from(s.data.flat(Infinity)) };
    const shape = s.view ? VIEWS[s.view].from(s.shape) : s.shape;
    return { shape, data: Float64Array.from(s.gen(ref.sizeOf(shape), rng)) };
  });
}

/** the indices of a case's variables among its inputs */
export const varIndices = (c) => c.inputs.flatMap((s, i) => (s?.kind === 'var' ? [i] : []));

/**
 * The operator's arguments for variables `vars` (NDArrays, one per variable, all of one dtype):
 * views applied, constants made in the variables' dtype, int32 inputs as int32 arrays.
 */
export function ndArgs(c, raw, vars) {
  const varIdx = varIndices(c);
  return c.inputs.map((s, i) => {
    if (typeof s === 'number') return s;
    if (s.kind === 'var') {
      const u = vars[varIdx.indexOf(i)];
      return s.view ? VIEWS[s.view].nd(u, s.shape) : u;
    }
    if (s.kind === 'int') return nd.array(Int32Array.from(raw[i].data), { dtype: 'int32', shape: s.shape });
    return nd.array(Float64Array.from(raw[i].data), { dtype: vars[0].dtype, shape: s.shape });
  });
}

/** what the operator sees (reference tensors) for these variable values: views applied by their JS references */
export function refArgs(c, raw, vals) {
  const varIdx = varIndices(c);
  return c.inputs.map((s, i) => {
    if (s?.kind !== 'var') return raw[i];
    const u = vals[varIdx.indexOf(i)];
    return s.view ? VIEWS[s.view].ref(u, s.shape) : u;
  });
}

/** the forward value in JS of a case at reference inputs x (refArgs) */
export const refValue = (c, x) => (c.kind === 'elementwise' ? ref.zipWith(x, (...a) => c.partial(a.map(() => 0), ...a)) : c.value(...x));

// ---- views: how a variable reaches the operator -----------------------------------------------
// from(shape): the variable's shape for an operator input of `shape`; nd(u, shape): the layout
// op; ref(u, shape): its JS reference (linear, so the analytic oracles carry over through its adjoint).
export const VIEWS = {
  transpose: {
    from: (s) => [...s].reverse(),
    nd: (u) => nd.transpose(u),
    ref: (u) => ref.transpose(u),
  },
  slice: { // every other row, from the second: a strided window of a bigger array
    from: (s) => [2 * s[0], ...s.slice(1)],
    nd: (u) => nd.slice(u, [1], null, [2]),
    ref: (u) => ref.slice(u, [1], [], [2]),
  },
  flip: {
    from: (s) => s,
    nd: (u) => nd.flip(u),
    ref: (u) => ref.flip(u),
  },
  broadcastTo: { // one row repeated
    from: (s) => [1, ...s.slice(1)],
    nd: (u, s) => nd.broadcastTo(u, s),
    ref: (u, s) => ref.broadcastTo(u, s),
  },
};
export const VIEW_NAMES = Object.keys(VIEWS);

// ---- elementwise ----------------------------------------------------------------------------

/** the domain of each unary operator's random inputs */
export const UNARY_DOMAINS = {
  negative: uniform(-2, 2), abs: away(0.1, 2), sign: away(0.1, 2), square: uniform(-2, 2),
  sqrt: uniform(0.5, 3), cbrt: away(0.5, 2), rsqrt: uniform(0.5, 3), rcbrt: away(0.5, 2),
  reciprocal: away(0.5, 2), exp: uniform(-2, 2), expm1: uniform(-2, 2), log: uniform(0.5, 3),
  log2: uniform(0.5, 3), log10: uniform(0.5, 3), log1p: uniform(-0.5, 2), sin: uniform(-3, 3),
  cos: uniform(-3, 3), tan: uniform(-1.2, 1.2), arcsin: uniform(-0.8, 0.8), arccos: uniform(-0.8, 0.8),
  arctan: uniform(-2, 2), sinh: uniform(-2, 2), cosh: uniform(-2, 2), tanh: uniform(-2, 2),
  arcsinh: uniform(-2, 2), arccosh: uniform(1.2, 3), arctanh: uniform(-0.8, 0.8), sigmoid: uniform(-4, 4),
  softsign: away(0.1, 2), relu: away(0.1, 2), softplus: uniform(-4, 4), erf: uniform(-2, 2),
  degrees: uniform(-2, 2), radians: uniform(-2, 2), floor: offGrid, ceil: offGrid, round: offGrid, trunc: offGrid,
};
export const UNARY_OPS = Object.keys(UNARY_DOMAINS);

const derivsPartial = (derivs) => ([n], x) => derivs[n](x);

function unaryCases(op) {
  const gen = UNARY_DOMAINS[op];
  const base = { op, kind: 'elementwise', f: (x) => nd[op](x), method: (x) => x[op](), partial: derivsPartial(UNARY_DERIVS[op]) };
  return [
    { ...base, label: `${op} [2,3]`, inputs: [v([2, 3], gen)] },
    { ...base, label: `${op} [37] (SIMD body and tail)`, inputs: [v([37], gen)] },
    { ...base, label: `${op} 0-d`, inputs: [v([], gen)] },
    ...VIEW_NAMES.map((view) => ({ ...base, label: `${op} of a ${view} [2,3]`, inputs: [v([2, 3], gen, { view })] })),
  ];
}

const BINARY_DOMAINS = {
  power: [uniform(0.5, 2), uniform(-1.5, 2.5)],
  divide: [uniform(-2, 2), away(0.5, 2)],
};
/** a JS number operand inside each operator's domain */
const BINARY_NUMBERS = { power: [1.3, 2.5], divide: [-0.7, 1.25] };
const BINARY_SHAPES = [
  [[2, 3], [2, 3]], [[2, 3], [3]], [[2, 1], [1, 3]], [[], [2, 3]], [[3, 7], [7]], [[2, 3], 'number'], ['number', [2, 3]],
];
export const BINARY_OPS = Object.keys(BINARY_PARTIALS);
const METHOD = { add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', power: 'pow' };
const shapeLabel = (s) => (s === 'number' ? 'number' : `[${s}]`);

function binaryCases(op) {
  const gens = BINARY_DOMAINS[op] ?? [uniform(-2, 2), uniform(-2, 2)];
  const numbers = BINARY_NUMBERS[op] ?? [0.65, -0.35];
  const m = METHOD[op] ?? op;
  const base = { op, kind: 'elementwise', f: (a, b) => nd[op](a, b), method: (a, b) => a[m](b),
    partial: ([na, nb], a, b) => BINARY_PARTIALS[op](na, nb, a, b) };
  const side = (s, k) => (s === 'number' ? numbers[k] : v(s, gens[k]));
  return [
    ...BINARY_SHAPES.map(([sa, sb]) => ({
      ...base, label: `${op} ${shapeLabel(sa)} with ${shapeLabel(sb)}`, inputs: [side(sa, 0), side(sb, 1)],
      method: sa === 'number' ? undefined : base.method,
    })),
    { ...base, label: `${op} of a transpose [2,3] with a flip [3]`, inputs: [v([2, 3], gens[0], { view: 'transpose' }), v([3], gens[1], { view: 'flip' })] },
    { ...base, label: `${op} of a slice [2,3] with a broadcastTo [2,3]`, inputs: [v([2, 3], gens[0], { view: 'slice' }), v([2, 3], gens[1], { view: 'broadcastTo' })] },
  ];
}

/** power with constant exponents and bases (the scalar paths of the rule) */
const POWER_CONSTANTS = [
  { label: 'power(x, 3) via x.pow(3)', f: (x) => x.pow(3), derivs: powerConstExponent(3), gen: uniform(-2, 2) },
  { label: 'power(x, -1.5)', f: (x) => nd.power(x, -1.5), derivs: powerConstExponent(-1.5), gen: uniform(0.5, 2) },
  { label: 'power(x, 0.5)', f: (x) => nd.power(x, 0.5), derivs: powerConstExponent(0.5), gen: uniform(0.5, 2) },
  { label: 'power(1.7, x)', f: (x) => nd.power(1.7, x), derivs: powerConstBase(1.7), gen: uniform(-2, 2) },
].map((c) => ({ op: 'power', kind: 'elementwise', label: c.label, inputs: [v([2, 3], c.gen)], f: c.f, partial: derivsPartial(c.derivs) }));

/** x^x: with L = 1 + ln x, f' = f L, f'' = f (L^2 + 1/x), f''' = f (L^3 + 3L/x - 1/x^2) */
const selfPower = [
  (x) => x ** x,
  (x) => x ** x * (1 + Math.log(x)),
  (x) => x ** x * ((1 + Math.log(x)) ** 2 + 1 / x),
  (x) => { const L = 1 + Math.log(x); return x ** x * (L ** 3 + (3 * L) / x - 1 / (x * x)); },
];
const constant = (f) => [f, () => 0, () => 0, () => 0];
/** one variable on both sides of a binary operator: the engine adds the two gradients, at every order */
const SAME_VARIABLE = [
  ['power', selfPower, uniform(0.5, 2)],
  ['multiply', UNARY_DERIVS.square, uniform(-2, 2)],
  ['subtract', constant(() => 0), uniform(-2, 2)],
  ['divide', constant(() => 1), away(0.5, 2)],
  ['hypot', [(x) => Math.SQRT2 * Math.abs(x), (x) => Math.SQRT2 * Math.sign(x), () => 0, () => 0], away(0.2, 2)],
  ['arctan2', constant((x) => Math.atan2(x, x)), away(0.2, 2)],
  ['maximum', [(x) => x, () => 1, () => 0, () => 0], uniform(-2, 2)], // a tie everywhere: 0.5 + 0.5
].map(([op, derivs, gen]) => ({
  op, kind: 'elementwise', label: `${op}(x, x): one variable on both sides`, inputs: [v([2, 3], gen)],
  f: (x) => nd[op](x, x), method: (x) => x[METHOD[op] ?? op](x), partial: derivsPartial(derivs),
}));

const CLIP_CASES = [[-0.5, 0.8], [null, 0.5], [-0.5, null]].map(([lo, hi]) => ({
  op: 'clip', kind: 'elementwise', label: `clip(x, ${lo}, ${hi})`,
  inputs: [v([2, 3], avoiding([lo, hi].filter((b) => b !== null), -2, 2))],
  f: (x) => nd.clip(x, lo, hi), method: (x) => x.clip(lo, hi), partial: derivsPartial(clipDerivs(lo, hi)),
}));
CLIP_CASES.push({ ...CLIP_CASES[0], label: 'clip of a flip [2,3]', inputs: [v([2, 3], avoiding([-0.5, 0.8], -2, 2), { view: 'flip' })] });

const WHERE_CASES = [
  { label: 'where(cond [2,3], a [2,3], b [3])', inputs: [cond([2, 3]), v([2, 3]), v([3])] },
  { label: 'where(cond [3], a [2,1], b [2,3])', inputs: [cond([3]), v([2, 1]), v([2, 3])] },
  { label: 'where(cond [2,3], a [2,3], 2.5)', inputs: [cond([2, 3]), v([2, 3]), 2.5] },
  { label: 'where(cond [2,3], a of a transpose, b)', inputs: [cond([2, 3]), v([2, 3], uniform(-2, 2), { view: 'transpose' }), v([2, 3])] },
].map((c) => ({ ...c, op: 'where', kind: 'elementwise', f: (k, a, b) => nd.where(k, a, b), method: (k, a, b) => k.where(a, b), partial: wherePartial }));

// ---- reductions ----------------------------------------------------------------------------
const REDUCE_OPTIONS = [
  {}, { axis: 1 }, { axis: [0, 2] }, { axis: -1 }, { axis: 1, keepdims: true }, { keepdims: true }, { axis: [-1, 0], keepdims: true },
];
const optsLabel = (o) => JSON.stringify(o, (k, x) => (x === Infinity ? 'Infinity' : x)).replace(/"/g, '');

/** per group: the gradient of the reduction of `vals` with head gradient h (a number) */
const othersProduct = (vals, ...skip) => vals.reduce((p, x, j) => (skip.includes(j) ? p : p * x), 1);
const extremumVjp = (pick) => (vals, h) => {
  const m = pick(...vals);
  const n = vals.filter((x) => x === m).length;
  return vals.map((x) => (x === m ? h / n : 0));
};
const GROUP_VJP = {
  prod: (vals, h) => vals.map((_, i) => h * othersProduct(vals, i)),
  max: extremumVjp(Math.max),
  min: extremumVjp(Math.min),
  logsumexp: (vals, h) => ref.softmaxOf(vals).map((s) => h * s),
};
const normVjp = (ord) => (vals, h) => {
  const r = ref.normOf(ord)(vals);
  if (ord === Infinity) return GROUP_VJP.max(vals.map(Math.abs), h).map((g, i) => g * Math.sign(vals[i]));
  return vals.map((x) => (h * Math.sign(x) * Math.abs(x) ** (ord - 1)) / r ** (ord - 1));
};

/** per group: the Hessian of the reduction times the group's values of h1, times the head h */
const zeroHvp = (vals) => vals.map(() => 0);
const GROUP_HVP = {
  prod: (vals, v, h) => vals.map((_, i) => h * v.reduce((acc, vj, j) => (j === i ? acc : acc + vj * othersProduct(vals, i, j)), 0)),
  max: zeroHvp,
  min: zeroHvp,
  logsumexp: (vals, v, h) => {
    const s = ref.softmaxOf(vals);
    const sv = s.reduce((acc, si, j) => acc + si * v[j], 0);
    return s.map((si, j) => h * si * (v[j] - sv));
  },
};
/** norm 2: (v - u <u, v>) / r with u = x / r; norms 1 and Infinity are piecewise linear */
const NORM_HVP = {
  2: (vals, v, h) => {
    const r = ref.normOf(2)(vals);
    const uv = vals.reduce((acc, x, j) => acc + (x / r) * v[j], 0);
    return vals.map((x, j) => (h * (v[j] - (x / r) * uv)) / r);
  },
  1: zeroHvp,
  [Infinity]: zeroHvp,
};

/** a reduction's vjp (or with h1, its Hessian-vector product) from one function per group */
const perGroup = (groupFn, opts) => (H, ...rest) => {
  const x = rest.at(-1);
  const h1 = rest.length > 1 ? rest[0] : null;
  const g = new Float64Array(x.data.length);
  ref.groups(x.shape, opts.axis).forEach((idx, k) => {
    const vals = idx.map((i) => x.data[i]);
    const out = h1 ? groupFn(vals, idx.map((i) => h1.data[i]), H.data[k]) : groupFn(vals, H.data[k]);
    out.forEach((d, j) => (g[idx[j]] = d));
  });
  return [{ shape: x.shape, data: g }];
};

const LINEAR_REDUCTIONS = ['sum', 'mean'].flatMap((op) => [
  ...REDUCE_OPTIONS.map((o) => ({ op, label: `${op} [2,3,4] ${optsLabel(o)}`, inputs: [v([2, 3, 4])], opts: o })),
  ...[{ axis: 1 }, { axis: 0 }, {}].map((o) => ({ op, label: `${op} [3,17] ${optsLabel(o)}`, inputs: [v([3, 17])], opts: o })),
  { op, label: `${op} of a transpose [2,3,4] {axis:1}`, inputs: [v([2, 3, 4], uniform(-2, 2), { view: 'transpose' })], opts: { axis: 1 } },
  { op, label: `${op} of a broadcastTo [2,3] {axis:0}`, inputs: [v([2, 3], uniform(-2, 2), { view: 'broadcastTo' })], opts: { axis: 0 } },
].map((c) => ({ ...c, kind: 'linear', f: (x) => nd[op](x, c.opts), method: (x) => x[op](c.opts), value: (x) => ref.reduceWith(x, c.opts, ref.REDUCERS[op]) })));

const REDUCTION_DOMAINS = { prod: away(0.5, 1.5), max: distinct, min: distinct, logsumexp: uniform(-2, 2) };
const NONLINEAR_REDUCTIONS = [
  ...Object.entries(REDUCTION_DOMAINS).flatMap(([op, gen]) => [
    ...REDUCE_OPTIONS.map((o) => ({ op, label: `${op} [2,3,4] ${optsLabel(o)}`, opts: o, inputs: [v([2, 3, 4], gen)] })),
    { op, label: `${op} of a slice [2,3,4] {axis:2}`, opts: { axis: 2 }, inputs: [v([2, 3, 4], gen, { view: 'slice' })] },
  ]).map((c) => ({
    ...c, f: (x) => nd[c.op](x, c.opts), method: (x) => x[c.op](c.opts), value: (x) => ref.reduceWith(x, c.opts, ref.REDUCERS[c.op]),
    vjp: perGroup(GROUP_VJP[c.op], c.opts), hvp: perGroup(GROUP_HVP[c.op], c.opts),
  })),
  // prod is a polynomial: exact next to zeros at every order, and finite differences work there
  ...[
    ['one zero in a group', values(0, 2, -1.5, 0.5, 1.2, -0.8), { axis: 1 }],
    ['two zeros in a group', values(0, 0, 1.5, -2, 0.5, 3), { axis: 1 }],
    ['zeros in every group, all axes', values(0, 1.1, -0.7, 0, 0.9, 1.3), {}],
  ].map(([what, gen, opts]) => ({
    op: 'prod', label: `prod [2,3] ${optsLabel(opts)}, ${what}`, opts, inputs: [v([2, 3], gen)],
    f: (x) => nd.prod(x, opts), value: (x) => ref.reduceWith(x, opts, ref.REDUCERS.prod), vjp: perGroup(GROUP_VJP.prod, opts), hvp: perGroup(GROUP_HVP.prod, opts),
  })),
  ...[
    [{}, away(0.2, 2)], [{ axis: 1 }, away(0.2, 2)], [{ axis: [0, 2], keepdims: true }, away(0.2, 2)], [{ axis: -1 }, away(0.2, 2)],
    [{ ord: 1, axis: 1 }, away(0.2, 2)], [{ ord: 3 }, away(0.2, 2)], [{ ord: Infinity, axis: 1 }, distinct],
  ].map(([opts, gen]) => ({
    op: 'norm', label: `norm [2,3,4] ${optsLabel(opts)}`, opts, inputs: [v([2, 3, 4], gen)],
    f: (x) => nd.norm(x, opts), method: (x) => x.norm(opts),
    value: (x) => ref.reduceWith(x, opts, ref.normOf(opts.ord ?? 2)), vjp: perGroup(normVjp(opts.ord ?? 2), opts),
    hvp: NORM_HVP[opts.ord ?? 2] && perGroup(NORM_HVP[opts.ord ?? 2], opts),
  })),
].map((c) => ({ ...c, kind: 'nonlinear' }));

// ---- layout (linear) --------------------------------------------------------------------------
const idx = (shape, data) => ({ shape, data: Float64Array.from(data.flat(Infinity)) });
const LAYOUT = [
  ...[[6, 4], [4, -1], [24], [2, 3, 4, 1]].map((to) => ({ op: 'reshape', label: `reshape [2,3,4] to [${to}]`, inputs: [v([2, 3, 4])],
    f: (x) => nd.reshape(x, to), method: (x) => x.reshape(to),
    value: (x) => ref.withShape(x, to.includes(-1) ? to.map((n) => (n === -1 ? x.data.length / -ref.sizeOf(to) : n)) : to) })),
  ...[[2, 0, 1], [1, 0, 2], undefined].map((perm) => ({ op: 'transpose', label: `transpose [2,3,4] ${perm ? `[${perm}]` : '(reversed)'}`,
    inputs: [v([2, 3, 4])], f: (x) => nd.transpose(x, perm), method: (x) => x.transpose(perm), value: (x) => ref.transpose(x, perm) })),
  ...[0, 1, 2, -1].map((axis) => ({ op: 'expandDims', label: `expandDims [2,3] axis ${axis}`, inputs: [v([2, 3])],
    f: (x) => nd.expandDims(x, axis), method: (x) => x.expandDims(axis),
    value: (x) => { const s = [...x.shape]; s.splice(axis < 0 ? s.length + 1 + axis : axis, 0, 1); return ref.withShape(x, s); } })),
  ...[[undefined, [2, 3]], [1, [2, 3, 1]], [[1, -1], [2, 3]]].map(([axis, to]) => ({ op: 'squeeze',
    label: `squeeze [2,1,3,1] ${axis === undefined ? '(all)' : `axis ${JSON.stringify(axis)}`}`, inputs: [v([2, 1, 3, 1])],
    f: (x) => nd.squeeze(x, axis), method: (x) => x.squeeze(axis), value: (x) => ref.withShape(x, to) })),
  ...[[[3, 1], [2, 3, 4]], [[4], [2, 3, 4]], [[], [2, 3]], [[2, 1, 4], [2, 3, 4]]].map(([from, to]) => ({ op: 'broadcastTo',
    label: `broadcastTo [${from}] to [${to}]`, inputs: [v(from)], f: (x) => nd.broadcastTo(x, to), method: (x) => x.broadcastTo(to),
    value: (x) => ref.broadcastTo(x, to) })),
  ...[[[[2, 3], [2, 1]], 1], [[[2, 3], [1, 3], [3, 3]], 0], [[[2, 2], [2, 3]], -1]].map(([shapes, axis]) => ({ op: 'concat',
    label: `concat ${shapes.map((s) => `[${s}]`).join(' ')} axis ${axis}`, inputs: shapes.map((s) => v(s)),
    f: (...xs) => nd.concat(xs, axis), method: (x, ...rest) => x.concat(rest, axis), value: (...xs) => ref.concat(xs, axis) })),
  ...[0, 1, -1].map((axis) => ({ op: 'stack', label: `stack [2,3] [2,3] axis ${axis}`, inputs: [v([2, 3]), v([2, 3])],
    f: (a, b) => nd.stack([a, b], axis), method: (a, b) => a.stack(b, axis), value: (a, b) => ref.stack([a, b], axis) })),
  ...[[[1, 0], [3, 5], [1, 2]], [[null, -1], [null, null], [1, -2]], [[-3], [null], [1]], [[3, 4], [0, 0], [-2, -3]]].map(([b, e, s]) => ({
    op: 'slice', label: `slice [4,5] begin ${JSON.stringify(b)} end ${JSON.stringify(e)} step ${JSON.stringify(s)}`, inputs: [v([4, 5])],
    f: (x) => nd.slice(x, b, e, s), method: (x) => x.slice(b, e, s), value: (x) => ref.slice(x, b, e, s) })),
  ...[0, [0, 2], undefined, -1].map((axis) => ({ op: 'flip', label: `flip [2,3,4] ${axis === undefined ? '(all)' : `axis ${JSON.stringify(axis)}`}`,
    inputs: [v([2, 3, 4])], f: (x) => nd.flip(x, axis), method: (x) => x.flip(axis), value: (x) => ref.flip(x, axis) })),
  ...[[[4, 3], [3], [2, 0, 2], 0], [[2, 3], [2, 2], [[0, 1], [2, -1]], 1], [[2, 3, 2], [3], [1, 1, -1], -2]].map(([shape, is, data, axis]) => ({
    op: 'take', label: `take [${shape}] indices ${JSON.stringify(data)} axis ${axis}`, inputs: [v(shape), ints(is, data)],
    f: (x, i) => nd.take(x, i, axis), method: (x, i) => x.take(i, axis), value: (x) => ref.take(x, idx(is, data), axis) })),
  { op: 'take', label: 'take with JS indices [1, 0, 1]', inputs: [v([3, 2])], f: (x) => nd.take(x, [1, 0, 1]), value: (x) => ref.take(x, idx([3], [1, 0, 1])) },
  { op: 'transpose', label: 'transpose of a slice [2,3]', inputs: [v([2, 3], uniform(-2, 2), { view: 'slice' })], f: (x) => nd.transpose(x), value: (x) => ref.transpose(x) },
  { op: 'concat', label: 'concat of a flip and a broadcastTo', inputs: [v([2, 3], uniform(-2, 2), { view: 'flip' }), v([2, 3], uniform(-2, 2), { view: 'broadcastTo' })],
    f: (a, b) => nd.concat([a, b], 1), value: (a, b) => ref.concat([a, b], 1) },
].map((c) => ({ ...c, kind: 'linear' }));

// ---- linear algebra (affine in each input) -----------------------------------------------------
const MATMUL_SHAPES = [
  [[2, 3], [3, 4]], [[2, 2, 3], [3, 4]], [[2, 3], [2, 3, 4]], [[2, 1, 2, 3], [3, 3, 2]], [[5, 9], [9, 7]], [[1, 1], [1, 1]],
  [[3], [3, 4]], [[2, 3], [3]], [[3], [3]], [[2, 3], [2, 3, 1]], [[9, 17], [17, 13]],
];
const matmulRef = (a, b) => {
  const a2 = a.shape.length === 1 ? ref.withShape(a, [1, ...a.shape]) : a;
  const b2 = b.shape.length === 1 ? ref.withShape(b, [...b.shape, 1]) : b;
  const r = ref.matmul(a2, b2);
  const shape = [...r.shape];
  if (b.shape.length === 1) shape.pop();
  if (a.shape.length === 1) shape.splice(shape.length - (b.shape.length === 1 ? 1 : 2), 1);
  return ref.withShape(r, shape);
};
const LINALG = [
  ...MATMUL_SHAPES.map(([sa, sb]) => ({ op: 'matmul', label: `matmul [${sa}] @ [${sb}]`, inputs: [v(sa, uniform(-1.5, 1.5)), v(sb, uniform(-1.5, 1.5))],
    f: (a, b) => nd.matmul(a, b), method: (a, b) => a.matmul(b), value: matmulRef })),
  { op: 'matmul', label: 'matmul of a transpose [3,2] @ a slice [2,4]', inputs: [v([3, 2], uniform(-1.5, 1.5), { view: 'transpose' }), v([2, 4], uniform(-1.5, 1.5), { view: 'slice' })],
    f: (a, b) => nd.matmul(a, b), value: matmulRef },
  ...[[[3], [3]], [[2, 3], [3, 4]], [[3], [3, 2]], [[2, 3], [3]]].map(([sa, sb]) => ({ op: 'dot', label: `dot [${sa}] . [${sb}]`,
    inputs: [v(sa), v(sb)], f: (a, b) => nd.dot(a, b), method: (a, b) => a.dot(b), value: ref.dot2 })),
  { op: 'dot', label: 'dot of a flip [2,3] . a transpose [3,2]', inputs: [v([2, 3], uniform(-2, 2), { view: 'flip' }), v([3, 2], uniform(-2, 2), { view: 'transpose' })],
    f: (a, b) => nd.dot(a, b), value: ref.dot2 },
  { op: 'fullyConnected', label: 'fullyConnected x [2,3] w [4,3] bias [4]', inputs: [v([2, 3]), v([4, 3]), v([4])],
    f: (x, w, b) => nd.fullyConnected(x, w, b), method: (x, w, b) => x.fullyConnected(w, b), value: ref.fullyConnected },
  { op: 'fullyConnected', label: 'fullyConnected x [2,2,3] (flattened) w [2,6], no bias', inputs: [v([2, 2, 3]), v([2, 6])],
    f: (x, w) => nd.fullyConnected(x, w), value: (x, w) => ref.fullyConnected(x, w) },
  { op: 'fullyConnected', label: 'fullyConnected x [3] (one sample) w [2,3] bias [2]', inputs: [v([3]), v([2, 3]), v([2])],
    f: (x, w, b) => nd.fullyConnected(x, w, b), value: ref.fullyConnected },
  { op: 'fullyConnected', label: 'fullyConnected of a transpose x and a flip bias', inputs: [v([2, 3], uniform(-2, 2), { view: 'transpose' }), v([4, 3]), v([4], uniform(-2, 2), { view: 'flip' })],
    f: (x, w, b) => nd.fullyConnected(x, w, b), value: ref.fullyConnected },
].map((c) => ({ ...c, kind: 'multiaffine' }));

/** X Xᵀ: one variable on both sides of matmul; with S = H + Hᵀ the gradient is S X, the next order S h1 */
const symmetric = (H) => ref.zipWith([H, ref.transpose(H)], (a, b) => a + b);
LINALG.push({
  op: 'matmul', kind: 'nonlinear', label: 'matmul(x, transpose(x)): one variable on both sides', inputs: [v([2, 3])],
  f: (x) => nd.matmul(x, nd.transpose(x)), method: (x) => x.matmul(x.transpose()),
  value: (x) => ref.matmul(x, ref.transpose(x)),
  vjp: (H, x) => [ref.matmul(symmetric(H), x)], hvp: (H, h1) => [ref.matmul(symmetric(H), h1)],
});

// ---- softmax family ---------------------------------------------------------------------------
/**
 * A derivative along an axis from one function per group of the axis: fn(x, H) or, with h1,
 * fn(x, H, h1), each the group's values
 */
const alongAxis = (axis, fn) => (H, ...rest) => {
  const x = rest.at(-1);
  const h1 = rest.length > 1 ? rest[0] : null;
  const g = new Float64Array(x.data.length);
  for (const ix of ref.groups(x.shape, [axis < 0 ? axis + x.shape.length : axis])) {
    const at = (t) => ix.map((i) => t.data[i]);
    fn(at(x), at(H), ...(h1 ? [at(h1)] : [])).forEach((d, j) => (g[ix[j]] = d));
  }
  return [{ shape: x.shape, data: g }];
};
const dot = (u, w) => u.reduce((acc, ui, i) => acc + ui * w[i], 0);
/** the change of softmax along v: s (v - <s, v>) */
const softmaxAlong = (s, v) => s.map((si, i) => si * (v[i] - dot(s, v)));
// softmax: g = s (H - <H, s>), and (g's Jacobian is symmetric) its change along h1:
// ds (H - <H, s>) - s <H, ds>; logSoftmax: g = H - s sum(H), change -ds sum(H)
const SOFTMAX_VJP = {
  softmax: (x, H) => { const s = ref.softmaxOf(x); return s.map((si, i) => si * (H[i] - dot(H, s))); },
  logSoftmax: (x, H) => { const s = ref.softmaxOf(x); const sum = H.reduce((a, b) => a + b, 0); return H.map((hi, i) => hi - s[i] * sum); },
};
const SOFTMAX_HVP = {
  softmax: (x, H, v) => {
    const s = ref.softmaxOf(x);
    const ds = softmaxAlong(s, v);
    return s.map((si, i) => ds[i] * (H[i] - dot(H, s)) - si * dot(H, ds));
  },
  logSoftmax: (x, H, v) => { const sum = H.reduce((a, b) => a + b, 0); return softmaxAlong(ref.softmaxOf(x), v).map((d) => -d * sum); },
};
const SOFTMAX_VALUE = {
  softmax: ref.softmaxOf,
  logSoftmax: (vals) => { const l = ref.logsumexpOf(vals); return vals.map((x) => x - l); },
};
/**
 * softmax cross-entropy of logits x [n, c]: the gradient (s - onehot) / n, or with h1 the
 * Hessian-vector product (s h1 - s <s, h1>) / n per row; both times the head H
 */
function crossEntropyDerivative(x, labels, H, h1) {
  const [n, c] = x.shape;
  const s = ref.mapGroups(x, [1], ref.softmaxOf).data;
  const g = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    const row = [...Array(c).keys()].map((j) => i * c + j);
    const sh = h1 ? row.reduce((acc, k) => acc + s[k] * h1.data[k], 0) : 0;
    for (const k of row) g[k] = (H * (h1 ? s[k] * (h1.data[k] - sh) : s[k])) / n;
    if (!h1) g[i * c + labels[i]] -= H / n;
  }
  return [{ shape: x.shape, data: g }];
}

const NEURAL = [
  ...['softmax', 'logSoftmax'].flatMap((op) => [
    [[2, 3], undefined, (x) => nd[op](x), (x) => x[op]()],
    [[2, 3], 0, (x) => nd[op](x, 0), (x) => x[op](0)],
    [[2, 3, 4], 1, (x) => nd[op](x, { axis: 1 }), (x) => x[op]({ axis: 1 })],
    [[4], undefined, (x) => nd[op](x), undefined],
  ].map(([shape, axis, f, method]) => ({
    op, label: `${op} [${shape}] axis ${axis ?? '(default -1)'}`, inputs: [v(shape)], f, method,
    value: (x) => ref.mapGroups(x, [(axis ?? -1) < 0 ? (axis ?? -1) + shape.length : axis], SOFTMAX_VALUE[op]),
    vjp: alongAxis(axis ?? -1, SOFTMAX_VJP[op]), hvp: alongAxis(axis ?? -1, SOFTMAX_HVP[op]),
  }))),
  ...['softmax', 'logSoftmax'].map((op) => ({
    op, label: `${op} of a transpose [3,2]`, inputs: [v([3, 2], uniform(-2, 2), { view: 'transpose' })], f: (x) => nd[op](x),
    value: (x) => ref.mapGroups(x, [1], SOFTMAX_VALUE[op]), vjp: alongAxis(-1, SOFTMAX_VJP[op]), hvp: alongAxis(-1, SOFTMAX_HVP[op]),
  })),
  ...[
    ['logits [3,4], labels int32 [0,3,1]', [3, 4], [0, 3, 1], (x, l) => nd.softmaxCrossEntropy(x, l), (x, l) => x.softmaxCrossEntropy(l)],
    ['logits [1,5], labels JS [4]', [1, 5], [4], (x) => nd.softmaxCrossEntropy(x, [4]), undefined, null, false],
    ['logits of a flip [2,3], labels [2,2]', [2, 3], [2, 2], (x, l) => nd.softmaxCrossEntropy(x, l), undefined, 'flip'],
  ].map(([what, shape, labels, f, method, view, asInput = true]) => ({
    op: 'softmaxCrossEntropy', label: `softmaxCrossEntropy ${what}`, f, method,
    inputs: [v(shape, uniform(-2, 2), view ? { view } : {}), ...(asInput ? [ints([labels.length], labels)] : [])],
    value: (x) => ref.softmaxCrossEntropy(x, labels),
    vjp: (H, x) => crossEntropyDerivative(x, labels, H.data[0], null),
    hvp: (H, h1, x) => crossEntropyDerivative(x, labels, H.data[0], h1),
  })),
].map((c) => ({ ...c, kind: 'nonlinear' }));

// ---- the table --------------------------------------------------------------------------------
export const CASES = [
  ...UNARY_OPS.flatMap(unaryCases),
  ...BINARY_OPS.flatMap(binaryCases),
  ...POWER_CONSTANTS,
  ...SAME_VARIABLE,
  ...CLIP_CASES,
  ...WHERE_CASES,
  ...LINEAR_REDUCTIONS,
  ...NONLINEAR_REDUCTIONS,
  ...LAYOUT,
  ...LINALG,
  ...NEURAL,
];

/** API.md's operators by group, in its order: the rows of docs/operators.md */
export const API_GROUPS = {
  Unary: UNARY_OPS,
  Binary: [...BINARY_OPS, 'clip', 'where'],
  Comparisons: ['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'],
  Reductions: ['sum', 'mean', 'prod', 'max', 'min', 'logsumexp', 'norm'],
  Shape: ['reshape', 'transpose', 'expandDims', 'squeeze', 'broadcastTo', 'concat', 'stack', 'slice', 'flip', 'take'],
  'Linear algebra': ['dot', 'matmul', 'fullyConnected'],
  Neural: ['softmax', 'logSoftmax', 'softmaxCrossEntropy'],
  'Creation and random': ['array', 'zeros', 'ones', 'full', 'arange', 'linspace', 'eye', 'zerosLike', 'onesLike',
    'random.seed', 'random.uniform', 'random.normal'],
};

// Reference tensors in plain JS float64: { shape, data: Float64Array }, row-major.
// These are the independent oracle for broadcasting, reductions, layout ops and matmul.

export const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);

export function tensor(shape, data) {
  const d = Float64Array.from(data);
  if (d.length !== sizeOf(shape)) throw new Error(`ref.tensor: ${d.length} values for shape [${shape}]`);
  return { shape: [...shape], data: d };
}

export const fromFn = (shape, fn) => tensor(shape, Array.from({ length: sizeOf(shape) }, (_, i) => fn(i)));

function strides(shape) {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** multi-index of flat index i in shape */
export function unravel(i, shape) {
  const idx = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function broadcastShape(...shapes) {
  const n = Math.max(...shapes.map((s) => s.length));
  const out = new Array(n).fill(1);
  for (const s of shapes) {
    for (let k = 0; k < s.length; k++) {
      const d = n - s.length + k;
      if (s[k] === out[d] || s[k] === 1) continue;
      if (out[d] !== 1) throw new Error(`ref.broadcastShape: [${shapes.join('] [')}]`);
      out[d] = s[k];
    }
  }
  return out;
}

/** flat index into `shape` of the element that broadcasts to multi-index `idx` of a larger shape */
function sourceIndex(idx, shape) {
  const off = idx.length - shape.length;
  let flat = 0;
  for (let k = 0; k < shape.length; k++) flat = flat * shape[k] + (shape[k] === 1 ? 0 : idx[off + k]);
  return flat;
}

export function broadcastTo(t, shape) {
  return fromFn(shape, (i) => t.data[sourceIndex(unravel(i, shape), t.shape)]);
}

/** the adjoint of broadcastTo: sum a broadcast tensor back to `shape` */
export function sumTo(t, shape) {
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < t.data.length; i++) out[sourceIndex(unravel(i, t.shape), shape)] += t.data[i];
  return { shape: [...shape], data: out };
}

/** elementwise fn over broadcast inputs (ref tensors or numbers) */
export function zipWith(inputs, fn) {
  const shape = broadcastShape(...inputs.filter((x) => typeof x !== 'number').map((x) => x.shape));
  const bs = inputs.map((x) => (typeof x === 'number' ? null : broadcastTo(x, shape)));
  return fromFn(shape, (i) => fn(...inputs.map((x, j) => (bs[j] ? bs[j].data[i] : x))));
}

export const map = (t, fn) => zipWith([t], fn);

export function normalizeAxes(axis, ndim) {
  if (axis === undefined || axis === null) return [...Array(ndim).keys()];
  const list = Array.isArray(axis) ? axis : [axis];
  return list.map((a) => (a < 0 ? a + ndim : a));
}

/** NumPy sum: axis a number, an array or undefined (all) */
export function reduceSum(t, { axis, keepdims = false } = {}) {
  const axes = normalizeAxes(axis, t.shape.length);
  const kept = t.shape.map((n, d) => (axes.includes(d) ? 1 : n));
  const r = sumTo(t, kept);
  return keepdims ? r : { shape: kept.filter((_, d) => !axes.includes(d)), data: r.data };
}

/** the adjoint of reduceSum: broadcast g (the reduced shape) back to `shape` */
export function unreduce(g, shape, { axis } = {}) {
  const axes = normalizeAxes(axis, shape.length);
  const kept = shape.map((n, d) => (axes.includes(d) ? 1 : n));
  return broadcastTo({ shape: kept, data: g.data }, shape);
}

export function transpose(t, perm) {
  const p = perm ?? [...t.shape.keys()].reverse();
  const shape = p.map((d) => t.shape[d]);
  const st = strides(t.shape);
  return fromFn(shape, (i) => {
    const idx = unravel(i, shape);
    return t.data[idx.reduce((acc, v, k) => acc + v * st[p[k]], 0)];
  });
}

export const inversePerm = (perm) => {
  const inv = new Array(perm.length);
  perm.forEach((d, k) => (inv[d] = k));
  return inv;
};

/** batched matmul with NumPy batch broadcasting, both inputs at least 2-D */
export function matmul(a, b) {
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) throw new Error('ref.matmul: inner sizes');
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const ab = broadcastTo(a, [...batch, m, k]);
  const bb = broadcastTo(b, [...batch, k, n]);
  return fromFn(shape, (i) => {
    const idx = unravel(i, shape);
    const bi = Math.floor(i / (m * n));
    const [r, c] = idx.slice(-2);
    let s = 0;
    for (let j = 0; j < k; j++) s += ab.data[bi * m * k + r * k + j] * bb.data[bi * k * n + j * n + c];
    return s;
  });
}

/** swap the last two axes */
export const mT = (t) => {
  const perm = [...t.shape.keys()];
  perm.push(...perm.splice(-2).reverse());
  return transpose(t, perm);
};

export const dot = (a, b) => a.data.reduce((s, v, i) => s + v * b.data[i], 0);

// ---- reductions and softmax along axes ---------------------------------------------------

/** the flat indices of each group of a reduction over `axis` (one group per output element, in order) */
export function groups(shape, axis) {
  const axes = normalizeAxes(axis, shape.length);
  const kept = shape.map((n, d) => (axes.includes(d) ? 1 : n));
  const out = Array.from({ length: sizeOf(kept) }, () => []);
  for (let i = 0; i < sizeOf(shape); i++) out[sourceIndex(unravel(i, shape), kept)].push(i);
  return out;
}

/** NumPy-style reduction with fn(values of a group) -> number */
export function reduceWith(t, { axis, keepdims = false } = {}, fn) {
  const axes = normalizeAxes(axis, t.shape.length);
  const kept = t.shape.map((n, d) => (axes.includes(d) ? 1 : n));
  const data = groups(t.shape, axis).map((g) => fn(g.map((i) => t.data[i])));
  return { shape: keepdims ? kept : kept.filter((_, d) => !axes.includes(d)), data: Float64Array.from(data) };
}

/** fn(values of a group) -> values of the same length, written back in place of each group */
export function mapGroups(t, axis, fn) {
  const data = new Float64Array(t.data.length);
  for (const g of groups(t.shape, axis)) {
    const v = fn(g.map((i) => t.data[i]));
    g.forEach((i, k) => (data[i] = v[k]));
  }
  return { shape: [...t.shape], data };
}

const maxOf = (v) => v.reduce((m, x) => Math.max(m, x), -Infinity);
export const logsumexpOf = (v) => {
  const m = maxOf(v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
};
export const softmaxOf = (v) => {
  const lse = logsumexpOf(v);
  return v.map((x) => Math.exp(x - lse));
};
export const REDUCERS = {
  sum: (v) => v.reduce((s, x) => s + x, 0),
  mean: (v) => v.reduce((s, x) => s + x, 0) / v.length,
  prod: (v) => v.reduce((s, x) => s * x, 1),
  max: maxOf,
  min: (v) => v.reduce((m, x) => Math.min(m, x), Infinity),
  logsumexp: logsumexpOf,
};
export const normOf = (ord) => (v) => {
  if (ord === Infinity) return maxOf(v.map(Math.abs));
  return v.reduce((s, x) => s + Math.abs(x) ** ord, 0) ** (1 / ord);
};

/** softmax cross-entropy: mean over rows of -log softmax(logits[i])[labels[i]] */
export function softmaxCrossEntropy(logits, labels) {
  const rows = groups(logits.shape, 1);
  const sum = rows.reduce((s, g, i) => s - Math.log(softmaxOf(g.map((j) => logits.data[j]))[labels[i]]), 0);
  return { shape: [], data: Float64Array.of(sum / rows.length) };
}

// ---- layout ---------------------------------------------------------------------------------

/** the elements at the outer product of per-axis index lists (the general slice) */
export function gather(t, indexLists) {
  const shape = indexLists.map((l) => l.length);
  const st = strides(t.shape);
  return fromFn(shape, (i) => t.data[unravel(i, shape).reduce((acc, v, d) => acc + indexLists[d][v] * st[d], 0)]);
}

/** Python slice semantics per axis; missing or null entries take the whole axis */
export function slice(t, begin = [], end = [], step = []) {
  return gather(t, t.shape.map((n, d) => {
    const s = step[d] ?? 1;
    const norm = (v, lo, hi) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
    const b = begin[d] == null ? (s > 0 ? 0 : n - 1) : norm(begin[d], s > 0 ? 0 : -1, s > 0 ? n : n - 1);
    const e = end[d] == null ? (s > 0 ? n : -1) : norm(end[d], s > 0 ? 0 : -1, s > 0 ? n : n - 1);
    const idx = [];
    for (let i = b; s > 0 ? i < e : i > e; i += s) idx.push(i);
    return idx;
  }));
}

/** flip the listed axes (all when axis is undefined) */
export function flip(t, axis) {
  const axes = normalizeAxes(axis, t.shape.length);
  return gather(t, t.shape.map((n, d) => [...Array(n).keys()].map((i) => (axes.includes(d) ? n - 1 - i : i))));
}

/** NumPy take along one axis: x.shape[:axis] + indices.shape + x.shape[axis+1:] */
export function take(t, indices, axis = 0) {
  const a = axis < 0 ? axis + t.shape.length : axis;
  const n = t.shape[a];
  const flat = indices.data.map((i) => (i < 0 ? i + n : i));
  const g = gather(t, t.shape.map((m, d) => (d === a ? Array.from(flat) : [...Array(m).keys()])));
  return { shape: [...t.shape.slice(0, a), ...indices.shape, ...t.shape.slice(a + 1)], data: g.data };
}

/** joins tensors along an existing axis */
export function concat(ts, axis = 0) {
  const a = axis < 0 ? axis + ts[0].shape.length : axis;
  const shape = [...ts[0].shape];
  shape[a] = ts.reduce((s, t) => s + t.shape[a], 0);
  const starts = ts.map((_, k) => ts.slice(0, k).reduce((s, t) => s + t.shape[a], 0));
  return fromFn(shape, (i) => {
    const idx = unravel(i, shape);
    const k = starts.findLastIndex((s) => s <= idx[a]);
    const local = idx.map((v, d) => (d === a ? v - starts[k] : v));
    return ts[k].data[local.reduce((acc, v, d) => acc * ts[k].shape[d] + v, 0)];
  });
}

export const withShape = (t, shape) => ({ shape, data: t.data });

/** joins tensors along a new axis */
export function stack(ts, axis = 0) {
  const a = axis < 0 ? axis + ts[0].shape.length + 1 : axis;
  const expanded = ts.map((t) => withShape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)]));
  return concat(expanded, a);
}

// ---- linear algebra --------------------------------------------------------------------------

/** NumPy dot for 1-D and 2-D operands */
export function dot2(a, b) {
  const a2 = a.shape.length === 1 ? withShape(a, [1, a.shape[0]]) : a;
  const b2 = b.shape.length === 1 ? withShape(b, [b.shape[0], 1]) : b;
  const r = matmul(a2, b2);
  const shape = [...(a.shape.length === 2 ? [a.shape[0]] : []), ...(b.shape.length === 2 ? [b.shape[1]] : [])];
  return withShape(r, shape);
}

/** MXNet FullyConnected: x (flattened to [batch, in], a 1-D x is one row) · wᵀ + bias */
export function fullyConnected(x, w, bias) {
  const rows = x.shape.length === 1 ? 1 : x.shape[0];
  let y = matmul(withShape(x, [rows, x.data.length / rows]), mT(w));
  if (bias) y = zipWith([y, bias], (u, v) => u + v);
  return x.shape.length === 1 ? withShape(y, [w.shape[0]]) : y;
}

/**
 * The columns of the Jacobian of a map that is affine in input j (the others fixed):
 * column i is L(..., e_i, ...) - L(..., 0, ...), computed with the reference L (no finite steps).
 * Returns { apply(h): L_j h, adjoint(g): L_jᵀ g } for the linear part.
 */
export function linearPart(L, inputs, j) {
  const at = (data) => L(...inputs.map((x, k) => (k === j ? { shape: x.shape, data } : x)));
  const n = sizeOf(inputs[j].shape);
  const base = at(new Float64Array(n));
  const columns = Array.from({ length: n }, (_, i) => {
    const e = new Float64Array(n);
    e[i] = 1;
    return at(e).data.map((v, k) => v - base.data[k]);
  });
  return {
    apply: (h) => ({ shape: base.shape, data: columns.reduce((acc, c, i) => acc.map((v, k) => v + c[k] * h.data[i]), new Float64Array(base.data.length)) }),
    adjoint: (g) => ({ shape: inputs[j].shape, data: Float64Array.from(columns, (c) => c.reduce((s, v, k) => s + v * g.data[k], 0)) }),
  };
}

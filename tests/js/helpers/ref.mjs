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

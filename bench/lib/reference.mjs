// Float64 references in plain JS, computed from the same float32 inputs the systems get.
// Each returns a list of expected outputs; an output is a Float64Array (every entry) or
// { index, value } (a subset of entries, for matmul).

const { tanh, sin, cos, exp, log } = Math;

/** The k-th derivative of each unary op, as a function of x (k = 0 is the op itself). */
const UNARY = {
  tanh: [
    (x) => tanh(x),
    (x) => 1 - tanh(x) ** 2,
    (x) => { const t = tanh(x); return -2 * t * (1 - t * t); },
    (x) => { const t = tanh(x); return (1 - t * t) * (6 * t * t - 2); },
  ],
  sin: [sin, cos, (x) => -sin(x), (x) => -cos(x)],
  // GELU x Phi(x): from the second derivative on, Phi is gone: (2 - x^2) phi, (x^3 - 4x) phi
  gelu: [undefined, undefined, (x) => (2 - x * x) * phi(x), (x) => (x * x - 4) * x * phi(x)],
};

/** the standard normal density */
function phi(x) {
  return exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
}

export function unary({ x }, { op, order }) {
  const f = UNARY[op][order];
  return [Float64Array.from(x.data, f)];
}

export function bcast({ x, y }) {
  const [, cols] = x.shape;
  return [Float64Array.from(x.data, (v, i) => v * y.data[i % cols] + v)];
}

export function reduceSum({ x }) {
  const [rows, cols] = x.shape;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += x.data[r * cols + c];
    out[r] = s;
  }
  return [out];
}

/** Every 7th row (and the last) of a @ b, all columns: enough to catch any indexing error. */
export function matmul({ a, b }) {
  const [n, k] = a.shape, m = b.shape[1];
  const rows = [];
  for (let r = 0; r < n; r += 7) rows.push(r);
  if (rows.at(-1) !== n - 1) rows.push(n - 1);
  const index = new Int32Array(rows.length * m), value = new Float64Array(rows.length * m);
  let j = 0;
  for (const r of rows) {
    for (let c = 0; c < m; c++, j++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += a.data[r * k + i] * b.data[i * m + c];
      index[j] = r * m + c;
      value[j] = s;
    }
  }
  return [{ index, value }];
}

// ---- the MLP: loss = mean softmaxCrossEntropy(tanh(X W1 + b1) W2 + b2, labels) ----

/** C[m,n] = op(A) op(B) with A [m,k] (or [k,m] if ta), B [k,n] (or [n,k] if tb). */
function mm(A, B, m, k, n, { ta = false, tb = false } = {}) {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const a = ta ? A[p * m + i] : A[i * k + p];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) C[i * n + j] += a * (tb ? B[j * k + p] : B[p * n + j]);
    }
  }
  return C;
}

const colSum = (M, rows, cols) => {
  const out = new Float64Array(cols);
  for (let i = 0; i < rows * cols; i++) out[i % cols] += M[i];
  return out;
};
const addRow = (M, row) => M.map((v, i) => v + row[i % row.length]);
const f64 = (t) => Float64Array.from(t.data);
export const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Loss, the four gradients, and (given V) the directional derivative of dLoss/dW1 along V,
 * i.e. the Hessian-vector product, by forward-over-reverse differentiation written out by hand.
 */
export function mlpAll(p) {
  const [B, D] = p.X.shape, H = p.W1.shape[1], C = p.W2.shape[1];
  const X = f64(p.X), W1 = f64(p.W1), b1 = f64(p.b1), W2 = f64(p.W2), b2 = f64(p.b2);
  const y = p.labels.data;
  const Hh = addRow(mm(X, W1, B, D, H), b1).map(tanh);
  const Z = addRow(mm(Hh, W2, B, H, C), b2);
  const P = new Float64Array(B * C);
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const row = Z.subarray(i * C, (i + 1) * C);
    const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
    let s = 0;
    for (let j = 0; j < C; j++) s += exp(row[j] - max);
    for (let j = 0; j < C; j++) P[i * C + j] = exp(row[j] - max) / s;
    loss -= (row[y[i]] - max - log(s)) / B;
  }
  const dZ = P.map((v, i) => (v - (i % C === y[Math.floor(i / C)] ? 1 : 0)) / B);
  const dH = mm(dZ, W2, B, C, H, { tb: true });
  const dA = dH.map((v, i) => v * (1 - Hh[i] * Hh[i]));
  const grads = {
    W1: mm(X, dA, D, B, H, { ta: true }),
    b1: colSum(dA, B, H),
    W2: mm(Hh, dZ, H, B, C, { ta: true }),
    b2: colSum(dZ, B, C),
  };
  if (!p.V) return { loss, grads };
  // Tangents along W1 -> W1 + t V.
  const Hd = mm(X, f64(p.V), B, D, H).map((v, i) => v * (1 - Hh[i] * Hh[i]));
  const Zd = mm(Hd, W2, B, H, C);
  const dZd = new Float64Array(B * C);
  for (let i = 0; i < B; i++) {
    let s = 0;
    for (let j = 0; j < C; j++) s += P[i * C + j] * Zd[i * C + j];
    for (let j = 0; j < C; j++) dZd[i * C + j] = (P[i * C + j] * (Zd[i * C + j] - s)) / B;
  }
  const dHd = mm(dZd, W2, B, C, H, { tb: true });
  const dAd = dHd.map((v, i) => v * (1 - Hh[i] * Hh[i]) - 2 * dH[i] * Hh[i] * Hd[i]);
  return { loss, grads, hvp: mm(X, dAd, D, B, H, { ta: true }) };
}

export const mlpGrad = (p) => { const { grads } = mlpAll(p); return [grads.W1, grads.b1, grads.W2, grads.b2]; };
export const mlpHvp = (p) => [mlpAll(p).hvp];

/**
 * Checks the hand-written MLP derivatives against central finite differences in float64:
 * a few gradient entries of each parameter, and the whole HVP against the difference of gradients
 * along V. Returns the worst relative error (the reference is trusted only if it is small).
 */
export function selfCheckMlp(p) {
  const shifted = (name, delta) => ({ ...p, V: undefined, [name]: { ...p[name], data: delta(f64(p[name])) } });
  const { grads, hvp } = mlpAll(p);
  let worst = 0;
  const rel = (a, b, scale) => Math.abs(a - b) / Math.max(scale, 1e-12);
  for (const name of ['W1', 'b1', 'W2', 'b2']) {
    const g = grads[name], scale = maxAbs(g);
    for (const i of [0, 1, Math.floor(g.length / 3), g.length - 1]) {
      const h = 1e-6;
      const at = (s) => mlpAll(shifted(name, (d) => { d[i] += s; return d; })).loss;
      worst = Math.max(worst, rel((at(h) - at(-h)) / (2 * h), g[i], scale));
    }
  }
  const h = 1e-5, V = f64(p.V);
  const gradAt = (s) => mlpAll(shifted('W1', (d) => d.map((v, i) => v + s * V[i]))).grads.W1;
  const plus = gradAt(h), minus = gradAt(-h), scale = maxAbs(hvp);
  for (let i = 0; i < hvp.length; i++) worst = Math.max(worst, rel((plus[i] - minus[i]) / (2 * h), hvp[i], scale));
  return worst;
}

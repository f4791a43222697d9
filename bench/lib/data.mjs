// Inputs shared by every system: fixed-seed uniform(-1, 1) float32 data (or int labels),
// generated once per case on the host and handed to each adapter as typed arrays.

/** mulberry32: a small, fast, well-mixed 32-bit generator. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: each named input gets its own stream, stable across --only runs. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export const SEED = 20240601;

const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** uniform(-1, 1) * scale as float32, from the stream named `name`. */
export function uniform(name, shape, scale = 1) {
  const next = mulberry32(SEED ^ hash(name));
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * scale;
  return { data, shape, dtype: 'float32' };
}

/** Integer class labels in [0, classes). */
export function labels(name, n, classes) {
  const next = mulberry32(SEED ^ hash(name));
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.floor(next() * classes);
  return { data, shape: [n], dtype: 'int32', classes };
}

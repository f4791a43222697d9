// Moving values between reference tensors ({shape, data}) and NDArrays.
import { nd } from '../../../js/index.js';

/** an NDArray of `dtype` with the values of a reference tensor */
export function toNd(t, dtype = 'float64') {
  if (t.shape.length === 0) return nd.array(t.data[0], { dtype });
  return nd.array(Float64Array.from(t.data), { dtype, shape: t.shape });
}

/** a reference tensor (float64) with the shape and values of an NDArray */
export const fromNd = (x) => ({ shape: [...x.shape], data: Float64Array.from(x.toTypedArray()) });

/** the values a reference tensor has once stored in `dtype` (what the library actually sees) */
export function roundTo(t, dtype) {
  if (typeof t === 'number') return dtype === 'float32' ? Math.fround(t) : t;
  return dtype === 'float32' ? { shape: t.shape, data: t.data.map(Math.fround) } : t;
}

// What compute.js must return, from Math.*; compare(result) lists the mismatches.
import { SEED_X, X64, HVP, CUBE_X } from './compute.js';

const close = (a, b, tol) => typeof a === 'number' && Math.abs(a - b) <= tol;
const all = (got, want, tol) => Array.isArray(got) && got.length === want.length && got.every((g, i) => close(g, want[i], tol));

export function compare(r) {
  if (!r || typeof r !== 'object') return [`no result: ${JSON.stringify(r)}`];
  const checks = {
    'seed sin(x)': all(r.sin, SEED_X.map(Math.sin), 1e-6),
    'seed dy = cos(x)': all(r.cos, SEED_X.map(Math.cos), 1e-6),
    'seed x.grad = -sin(x)': all(r.negSin, SEED_X.map((v) => -Math.sin(v)), 1e-6),
    'func.grad^3 sin = -cos': close(r.third, -Math.cos(X64), 1e-12),
    'func.hvp': all(r.hvp, HVP.x.map((v, i) => -Math.sin(v) * HVP.t[i]), 1e-12),
    'custom cube orders 1..3': all(r.cube, [3 * CUBE_X ** 2, 6 * CUBE_X, 6], 1e-12),
    'func.checkGrad ok': r.checkGrad === true,
    'WasmgradError code': r.errorCode === 'INVALID_ARGUMENT',
  };
  return Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => `${name}: got ${JSON.stringify(r)}`);
}

// Every operator of API.md (the table of helpers/operators.mjs) x orders 1..3 x {float32, float64}:
// - forward: float64 against a plain-JS reference, float32 against it too, the NDArray method
//   against the nd function (bit for bit), the dtype kept;
// - order k, float64, against central finite differences of the order-(k-1) quantity, with random
//   head gradients and random directions (gradcheck/gradgradcheck, helpers/grad.mjs checkByFD);
// - order k, float64, against analytic formulas along every path of variables (see `kind` in
//   operators.mjs), through the adjoint of the layout operator a variable passed first (views);
// - order k, float32 against float64 at the same (float32) inputs and heads.
// Linear and multiaffine operators are differentiated inside sin(.) for finite differences and
// float32, so that orders 2 and 3 are not trivially zero.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';
import { makeRng } from './helpers/prng.mjs';
import * as ref from './helpers/ref.mjs';
import { toNd, fromNd, roundTo } from './helpers/bridge.mjs';
import { assertClose } from './helpers/check.mjs';
import { allPaths, gradValues, checkByFD, outShape } from './helpers/grad.mjs';
import { expectedElementwise } from './helpers/analytic.mjs';
import { CASES, DTYPES, ORDERS, VIEWS, materialize, varIndices, ndArgs, refArgs, refValue } from './helpers/operators.mjs';

before(async () => {
  await init();
});

const rng = makeRng(20240601);
const maxAbs = (data) => data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
/** |a - e| <= rtol |e| + atol max(1, max |e|): relative, with an absolute floor at the data's scale */
const closeAtScale = (actual, expected, rtol, atol, what) =>
  assertClose(actual, expected, { rtol, atol: atol * Math.max(1, maxAbs(expected)), what });

const ANALYTIC_TOL = [1e-10, 1e-12];
/** float32 vs float64: the roundings of float32 arithmetic, more of them at each order */
const F32_TOL = { 0: [2e-6, 1e-6], 1: [2e-5, 2e-6], 2: [1e-4, 1e-5], 3: [2e-4, 2e-5] };

/**
 * A case made runnable: its variables (reference tensors), `build(...vars)` and `buildMethod`
 * over NDArrays of one dtype, and `opInputs(values)`: what the operator sees for these
 * variable values (views applied by their JS references, constants in place).
 */
function prepare(c) {
  const raw = materialize(c);
  const varIdx = varIndices(c);
  const using = (fn) => fn && ((...vars) => fn(...ndArgs(c, raw, vars)));
  // the linear map u -> view(u) of each variable, for carrying op-level gradients back
  const viewOf = varIdx.map((i) => {
    const s = c.inputs[i];
    return s.view ? ref.linearPart((u) => VIEWS[s.view].ref(u, s.shape), [raw[i]], 0) : null;
  });
  return {
    vars: varIdx.map((i) => raw[i]), varIdx, build: using(c.f), buildMethod: using(c.method),
    opInputs: (vals) => refArgs(c, raw, vals), viewOf,
  };
}

const zerosLike = (t) => ({ shape: t.shape, data: new Float64Array(t.data.length) });
const mulAll = (...ts) => ts.reduce((a, b) => ref.zipWith([a, b], (u, w) => u * w));
const SIN_DERIVS = [0, 1, 2, 3].map((k) => (u) => Math.sin(u + (k * Math.PI) / 2));

/**
 * The expected order-k gradients at the operator's inputs x (op-level indices), one per
 * variable: wrt[j] is the op input index of variable j, path the op input indices followed,
 * heads [H, h1, ...] at the operator's output and inputs. `outer` 'sin' differentiates sin(f).
 */
function opLevelExpected(c, x, wrt, path, heads, outer) {
  const [H, ...hs] = heads;
  const k = path.length + 1;
  const part = (j) => ref.linearPart(c.value, x, j);
  switch (outer ? `${c.kind} ${outer}` : c.kind) {
    case 'elementwise':
      return wrt.map((w) => expectedElementwise(c.partial, x, path, w, heads));
    case 'linear sin': {
      const inner = mulAll(H, ref.map(c.value(...x), SIN_DERIVS[k]), ...hs.map((h, i) => part(path[i]).apply(h)));
      return wrt.map((w) => part(w).adjoint(inner));
    }
    case 'linear':
    case 'multiaffine':
      if (k === 1) return wrt.map((w) => part(w).adjoint(H));
      if (k === 3 || c.kind === 'linear') return wrt.map((w) => zerosLike(x[w]));
      return wrt.map((w) => {
        if (w === path[0]) return zerosLike(x[w]);
        const along = (...xs) => {
          const at = (h) => c.value(...xs.map((t, i) => (i === path[0] ? h : t)));
          return ref.zipWith([at(hs[0]), at(zerosLike(x[path[0]]))], (a, b) => a - b);
        };
        return ref.linearPart(along, x, w).adjoint(H);
      });
    case 'nonlinear':
      return k === 1 ? c.vjp(H, ...x) : c.hvp(H, hs[0], ...x);
    default:
      throw new Error(`no analytic oracle for ${c.kind} ${outer}`);
  }
}

/** which (case, outer, order) have an analytic oracle */
function hasAnalytic(c, outer, k) {
  if (c.kind === 'nonlinear') return k === 1 || (k === 2 && Boolean(c.hvp));
  if (outer) return c.kind === 'linear';
  return true;
}

/** opLevelExpected for the variables: heads mapped through the views, gradients back through their adjoints */
function expectedGrads(c, p, vals, path, heads, outer) {
  const x = p.opInputs(vals);
  const viewed = (j, t) => (p.viewOf[j] ? p.viewOf[j].apply(t) : t);
  const opHeads = heads.map((h, i) => (i === 0 ? h : viewed(path[i - 1], h)));
  const grads = opLevelExpected(c, x, p.varIdx, path.map((j) => p.varIdx[j]), opHeads, outer);
  return grads.map((g, j) => (p.viewOf[j] ? p.viewOf[j].adjoint(g) : g));
}

const randomLike = (shape) => ({ shape, data: rng.array(ref.sizeOf(shape), -1, 1) });

function caseSuite(c) {
  describe(c.label, () => {
    const p = prepare(c);
    const outer = c.kind === 'linear' || c.kind === 'multiaffine' ? 'sin' : null;
    const target = outer ? (...vs) => nd.sin(p.build(...vs)) : p.build;
    const outShapeOf = (f) => outShape(f, p.vars);

    it('forward: float64 and float32 against the JS reference; method = nd function; dtype kept', () => {
      for (const dtype of DTYPES) {
        const vals = p.vars.map((t) => roundTo(t, dtype));
        const expected = refValue(c, p.opInputs(vals));
        const got = nd.tidy(() => {
          const y = p.build(...vals.map((t) => toNd(t, dtype)));
          assert.equal(y.dtype, dtype, `${dtype} in, ${dtype} out`);
          if (p.buildMethod) {
            const m = p.buildMethod(...vals.map((t) => toNd(t, dtype)));
            assert.deepEqual(Array.from(m.toTypedArray()), Array.from(y.toTypedArray()), 'the method gives the same values');
          }
          return fromNd(y);
        });
        assert.deepEqual(got.shape, expected.shape, 'shape');
        const [rtol, atol] = dtype === 'float64' ? ANALYTIC_TOL : F32_TOL[0];
        closeAtScale(got.data, expected.data, rtol, atol, `${c.label} ${dtype}`);
      }
    });

    for (const k of ORDERS) {
      it(`order ${k} float64: finite differences of order ${k - 1}`, () => checkByFD(target, p.vars, k, rng));

      for (const o of outer ? [null, outer] : [null]) {
        if (!hasAnalytic(c, o, k)) continue;
        const f = o ? target : p.build;
        it(`order ${k} float64: analytic${o ? ` (of ${o}(f))` : ''}, every path, random heads`, () => {
          for (const path of allPaths(p.vars.length, k - 1)) {
            const heads = [randomLike(outShapeOf(f)), ...path.map((j) => randomLike(p.vars[j].shape))];
            const got = gradValues(f, p.vars, 'float64', path, heads);
            expectedGrads(c, p, p.vars, path, heads, o).forEach((e, j) =>
              closeAtScale(got[j].data, e.data, ...ANALYTIC_TOL, `order ${k} path [${path}] d/d(var ${j})`));
          }
        });
      }

      it(`order ${k} float32 against float64 at the same inputs and heads`, () => {
        const vals = p.vars.map((t) => roundTo(t, 'float32'));
        for (const path of allPaths(p.vars.length, k - 1)) {
          const heads = [randomLike(outShapeOf(target)), ...path.map((j) => randomLike(p.vars[j].shape))].map((h) => roundTo(h, 'float32'));
          const g32 = gradValues(target, vals, 'float32', path, heads);
          const g64 = gradValues(target, vals, 'float64', path, heads);
          g32.forEach((g, j) => closeAtScale(g.data, g64[j].data, ...F32_TOL[k], `order ${k} path [${path}] d/d(var ${j})`));
        }
      });
    }
  });
}

for (const c of CASES) caseSuite(c);

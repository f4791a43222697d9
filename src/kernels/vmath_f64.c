/* vmath_f64.c: float64 exp, log, sin, cos, tanh, sigmoid and softplus two lanes at a time
 * (f64x2), on the exp and log of exp_log_f64x2.h. Lanes outside a kernel's range (results that
 * would be denormal or infinite, NaN, huge sin/cos arguments...) are left to libm, as in
 * vmath_f32.c's DEFINE_VMAP. */
#include <math.h>
#include <string.h>
#include "kernels.h"
#include "../simd/vec64.h"
#include "exp_log_f64x2.h"

/* the lanes exp2x computes: where exp's result is a normal double */
static inline i64x2 in_exp_range(f64x2 x) { return (x >= d_splat(-708.0)) & (x <= d_splat(709.4)); }

/* the lanes outside a kernel's range are recomputed one by one with libm */
static inline f64x2 patch(f64x2 r, f64x2 v, i64x2 inside, double (*f)(double)) {
    for (int k = 0; k < 2; k++)
        if (!inside[k]) r[k] = f(v[k]);
    return r;
}

/* positive, normal and finite: the lanes log2x computes */
static inline i64x2 in_log_range(f64x2 x) { return (x >= d_splat(0x1p-1022)) & (x < d_splat(INFINITY)); }

/* tanh |x| = u / (u + 2) with u = e^(2|x|) - 1 = (scale - 1) + scale (s_hi + s_lo): no
 * cancellation near 0 (there u is s itself), so one formula serves every |x| <= 19, past
 * which tanh rounds to 1 (those lanes, inf and NaN go to libm). The sign is x's. */
static inline f64x2 tanh2x(f64x2 x) {
    u64x2 sign = d_ubits(x) & 0x8000000000000000ull;
    f64x2 a = d_from_ubits(d_ubits(x) ^ sign), scale, s_hi, s_lo;
    exp_parts(a + a, &scale, &s_hi, &s_lo);
    /* u = e^(2|x|) - 1 and d = u + 2, each as a rounded part and its error (Fast2Sum where
       the first term is the larger: for n >= 1, scale - 1 >= scale / 2 > |scale s_hi|, and
       for n = 0 the sum is exact anyway; 2 + u needs the general TwoSum), then t = u / d
       to first order in the error parts. Dropping either error cost up to an ulp of tanh;
       carried, only the division's rounding is left: within 1 ulp. */
    f64x2 m = scale - d_splat(1.0), hs = scale * s_hi;
    f64x2 u1 = m + hs, rest = ((m - u1) + hs) + scale * s_lo;
    f64x2 u = u1 + rest, u_err = (u1 - u) + rest;
    f64x2 d = u + d_splat(2.0), back = d - u;
    f64x2 d_err = ((u - (d - back)) + (d_splat(2.0) - back)) + u_err;
    f64x2 t0 = u / d, t = t0 + (u_err - t0 * d_err) / d;
    return d_from_ubits(d_ubits(t) | sign);
}

static inline i64x2 in_tanh_range(f64x2 x) { return (x <= d_splat(19.0)) & (x >= d_splat(-19.0)); }

/* sigmoid: t = e^-|x|, then 1 / (1 + t) for x >= 0 and t / (1 + t) below, one division */
static inline f64x2 sigmoid2x(f64x2 v) {
    f64x2 a = d_from_ubits(d_ubits(v) & 0x7fffffffffffffffull);
    f64x2 t = exp2x(-a);
    i64x2 negative = v < d_splat(0.0);
    f64x2 num = d_from_ubits((d_ubits(t) & (u64x2)negative) | (d_ubits(d_splat(1.0)) & ~(u64x2)negative));
    return num / (d_splat(1.0) + t);
}
/* |x| <= 708, where e^-|x| is a normal double (sigmoid, softplus) */
static inline i64x2 in_sigmoid_range(f64x2 v) { return (v >= d_splat(-708.0)) & (v <= d_splat(708.0)); }
static double sigmoid_scalar(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

/* softplus: max(x, 0) + log1p(t) with t = e^-|x| in (0, 1]; log1p(t) = log(u) + (t - (u - 1)) / u
 * for u = 1 + t rounded, which puts back what the rounding of u lost */
static inline f64x2 softplus2x(f64x2 v) {
    f64x2 t = exp2x(-d_from_ubits(d_ubits(v) & 0x7fffffffffffffffull));
    f64x2 u = d_splat(1.0) + t;
    f64x2 log1p_t = log2x(u) + (t - (u - d_splat(1.0))) / u;
    i64x2 positive = v > d_splat(0.0);
    return d_from_ubits(d_ubits(v) & (u64x2)positive) + log1p_t;
}
static double softplus_scalar(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

/* sin and cos: y0 + y1 = |x| - n pi/2 by fdlibm's medium-range reduction with all three of
 * its steps taken always (pi/2 in 33-bit pieces, so each n p is exact for n < 2^20; each
 * step's rounding error is carried into the next: about 150 bits of pi/2, enough near every
 * multiple of pi/2 up to |x| = 8e5, past which libm takes the lanes), then fdlibm's kernels,
 * which take the tail y1 as a first-order correction: < 1 ulp. */
static inline f64x2 sincos2x(f64x2 x, int shift) {
    u64x2 sign = d_ubits(x) & 0x8000000000000000ull;
    f64x2 ax = d_from_ubits(d_ubits(x) ^ sign);
    f64x2 t = ax * d_splat(0.63661977236758134308) + d_splat(D_ROUND_MAGIC);
    u64x2 n = d_ubits(t) - d_ubits(d_splat(D_ROUND_MAGIC));
    f64x2 fn = t - d_splat(D_ROUND_MAGIC);
    f64x2 r1 = ax - fn * d_splat(0x1.921fb544p+0);                       /* exact */
    f64x2 w2 = fn * d_splat(0x1.0b4611a6p-34), r2 = r1 - w2, e2 = (r1 - r2) - w2;
    f64x2 w3 = fn * d_splat(0x1.3198a2ep-69), r3 = r2 - w3, e3 = (r2 - r3) - w3;
    f64x2 c = (e3 + e2) - fn * d_splat(0x1.b839a252049c1p-104);
    f64x2 y0 = r3 + c, y1 = (r3 - y0) + c;
    f64x2 z = y0 * y0, z2 = z * z, v = z * y0;
    f64x2 rs = (d_splat(8.33333333332248946124e-03) + z * d_splat(-1.98412698298579493134e-04)) +
               z2 * ((d_splat(2.75573137070700676789e-06) + z * d_splat(-2.50507602534068634195e-08)) +
                     z2 * d_splat(1.58969099521155010221e-10));
    f64x2 s = y0 - ((z * (d_splat(0.5) * y1 - v * rs) - y1) - v * d_splat(-1.66666666666666324348e-01));
    f64x2 rc = z * ((d_splat(4.16666666666666019037e-02) + z * d_splat(-1.38888888888741095749e-03)) +
                    z2 * ((d_splat(2.48015872894767294178e-05) + z * d_splat(-2.75573143513906633035e-07)) +
                          z2 * (d_splat(2.08757232129817482790e-09) + z * d_splat(-1.13596475577881948265e-11))));
    f64x2 hz = d_splat(0.5) * z, w = d_splat(1.0) - hz;
    f64x2 co = w + (((d_splat(1.0) - w) - hz) + (z * rc - y0 * y1));
    u64x2 q = n + (u64x2){ (uint64_t)shift, (uint64_t)shift };
    u64x2 odd = (u64x2){ 0, 0 } - (q & 1);                 /* odd quadrants: the other one */
    f64x2 res = d_from_ubits((d_ubits(co) & odd) | (d_ubits(s) & ~odd));
    u64x2 neg = (q << 62) & 0x8000000000000000ull;         /* quadrants 2 and 3: negative */
    if (!shift) neg ^= sign;                               /* sin is odd */
    return d_from_ubits(d_ubits(res) ^ neg);
}
static inline f64x2 sin2x(f64x2 x) { return sincos2x(x, 0); }
static inline f64x2 cos2x(f64x2 x) { return sincos2x(x, 1); }
static inline i64x2 in_trig_range(f64x2 x) { return (x < d_splat(8e5)) & (x > d_splat(-8e5)); }

/* Runs vf over n doubles two at a time, the odd last one in a pair padded with 0, so that a
 * value's result does not depend on where it is in the array (fused kernels run blocks of
 * any length). The padded pair goes through the same loop body as the others: the module then
 * holds one copy of the inlined kernel, not two (6.5 KB less raw, 0.2 KB gzip; sin 5% slower). Lanes outside vf's
 * range go to the scalar function (vmath_f32.c's DEFINE_VMAP, for two lanes). */
#define DEFINE_VMAP64(name, vf, range, scalar) \
    void wg_f64_##name(size_t n, const double *x, double *y) { \
        for (size_t i = 0; i < n; i += 2) { \
            int whole = i + 2 <= n; \
            f64x2 v = { x[i], 0 }, r; \
            if (whole) memcpy(&v, x + i, sizeof v); \
            r = vf(v); \
            i64x2 inside = range(v); \
            if (!(inside[0] & inside[1])) r = patch(r, v, inside, scalar); \
            if (whole) memcpy(y + i, &r, sizeof r); \
            else y[i] = r[0]; \
        } \
    }
DEFINE_VMAP64(vexp, exp2x, in_exp_range, exp)
DEFINE_VMAP64(vlog, log2x, in_log_range, log)
DEFINE_VMAP64(vsin, sin2x, in_trig_range, sin)
DEFINE_VMAP64(vcos, cos2x, in_trig_range, cos)
DEFINE_VMAP64(vtanh, tanh2x, in_tanh_range, tanh)
DEFINE_VMAP64(vsigmoid, sigmoid2x, in_sigmoid_range, sigmoid_scalar)
DEFINE_VMAP64(vsoftplus, softplus2x, in_sigmoid_range, softplus_scalar)

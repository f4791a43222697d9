/* vmath_f32.c: float32 transcendental functions, four lanes at a time (simd/vec.h).
 *
 * The recipes are Cephes' single-precision ones (S. Moshier), which reach about 1 ulp:
 * a range reduction with constants split so the reduction is exact, a short polynomial
 * on the reduced argument, then explicit handling of the lanes outside the polynomial's
 * range (overflow, underflow, NaN, infinities). tests/c/test_vmath.c measures every one
 * against libm over sweeps that include the cut-offs, denormals, +-inf and NaN.
 * float64 keeps libm: users pick it to check derivatives, so it may not be approximated. */
#include <math.h>
#include "kernels.h"
#include "../simd/vec.h"

/* exp: n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two so n*C1 is exact),
 * e^r by a degree-7 polynomial, then times 2^n applied in two halves so results down in
 * the denormal range round only once. */
/* the shared core: n = round(x / ln 2) and e^r for r = x - n ln 2 */
static inline f32x4 exp_reduced(f32x4 x, f32x4 *n_out) {
    f32x4 n = v_round(x * v_splat(1.44269504088896341f));
    f32x4 r = x - n * v_splat(0.693359375f) - n * v_splat(-2.12194440e-4f);
    f32x4 p = v_splat(1.9875691500e-4f);
    p = p * r + v_splat(1.3981999507e-3f);
    p = p * r + v_splat(8.3334519073e-3f);
    p = p * r + v_splat(4.1665795894e-2f);
    p = p * r + v_splat(1.6666665459e-1f);
    p = p * r + v_splat(5.0000001201e-1f);
    *n_out = n;
    return p * (r * r) + r + v_splat(1.0f);
}

static inline f32x4 v_exp(f32x4 x) {
    f32x4 n, p = exp_reduced(v_min(v_max(x, v_splat(-104.0f)), v_splat(89.0f)), &n);
    i32x4 ni = v_to_int(n), n1 = ni >> 1, n2 = ni - n1;
    f32x4 y = p * v_from_bits((n1 + 127) << 23) * v_from_bits((n2 + 127) << 23);
    y = v_select(x > v_splat(88.72283935546875f), v_splat(INFINITY), y);
    y = v_select(x < v_splat(-103.97208f), v_splat(0.0f), y);
    return v_select(x != x, x, y);
}

/* log: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(1 + (m-1)) by a degree-9 polynomial,
 * e ln 2 added in two parts. Denormal inputs are scaled by 2^23 first. */
static inline f32x4 v_log(f32x4 x) {
    i32x4 tiny = x < v_splat(0x1p-126f);
    f32x4 xs = v_select(tiny, x * v_splat(0x1p23f), x);
    i32x4 bits = v_bits(xs);
    f32x4 e = v_to_float(((bits >> 23) & 0xff) - 126) - v_select(tiny, v_splat(23.0f), v_splat(0.0f));
    f32x4 m = v_from_bits((bits & 0x007fffff) | 0x3f000000); /* in [0.5, 1) */
    i32x4 low = m < v_splat(0.707106781186547524f);
    e = e - v_select(low, v_splat(1.0f), v_splat(0.0f));
    m = v_select(low, m + m, m) - v_splat(1.0f);
    f32x4 z = m * m;
    f32x4 p = v_splat(7.0376836292e-2f);
    p = p * m + v_splat(-1.1514610310e-1f);
    p = p * m + v_splat(1.1676998740e-1f);
    p = p * m + v_splat(-1.2420140846e-1f);
    p = p * m + v_splat(1.4249322787e-1f);
    p = p * m + v_splat(-1.6668057665e-1f);
    p = p * m + v_splat(2.0000714765e-1f);
    p = p * m + v_splat(-2.4999993993e-1f);
    p = p * m + v_splat(3.3333331174e-1f);
    f32x4 y = p * m * z + e * v_splat(-2.12194440e-4f) - v_splat(0.5f) * z;
    y = m + y + e * v_splat(0.693359375f);
    y = v_select(x == v_splat(0.0f), v_splat(-INFINITY), y);
    y = v_select(x == v_splat(INFINITY), x, y);
    return v_select((x < v_splat(0.0f)) | (x != x), v_splat(NAN), y);
}

/* e^t for 0 <= t <= 18.5 only (tanh's use): no overflow, underflow or NaN lanes to mend,
 * so 2^n is a single exponent add. Same reduction and polynomial as v_exp. */
static inline f32x4 v_exp_tanh_range(f32x4 t) {
    f32x4 n, p = exp_reduced(t, &n);
    return v_from_bits(v_bits(p) + (v_to_int(n) << 23));
}

/* tanh: an odd polynomial below |x| = 0.625, 1 - 2 / (e^(2|x|) + 1) above (no cancellation
 * there, the result is > 0.55), the sign copied from x last. |x| is capped at 9.2, where tanh is
 * already 1 in float32, which keeps e^(2|x|) finite and NaN on the polynomial side. */
static inline f32x4 v_tanh(f32x4 x) {
    f32x4 ax = v_abs(x);
    f32x4 t = v_min(ax, v_splat(9.2f));
    f32x4 big = v_splat(1.0f) - v_splat(2.0f) / (v_exp_tanh_range(t + t) + v_splat(1.0f));
    f32x4 z = x * x;
    f32x4 p = v_splat(-5.70498872745e-3f);
    p = p * z + v_splat(2.06390887954e-2f);
    p = p * z + v_splat(-5.37397155531e-2f);
    p = p * z + v_splat(1.33314422036e-1f);
    p = p * z + v_splat(-3.33332819422e-1f);
    f32x4 small = p * z * x + x;
    /* tanh is odd: take the sign from x, which also keeps tanh(-0) = -0 */
    return v_copysign(v_select(ax > v_splat(0.625f), big, small), x);
}

/* sigmoid: with t = e^-|x| (never overflows), 1 / (1 + t) for x >= 0 and t / (1 + t)
 * below, which keeps full relative accuracy down into the denormals */
static inline f32x4 v_sigmoid(f32x4 x) {
    f32x4 t = v_exp(-v_abs(x));
    f32x4 r = v_splat(1.0f) / (v_splat(1.0f) + t);
    return v_select(x < v_splat(0.0f), t * r, r);
}

/* sin and cos: j = the even integer nearest |x| 4/pi, z = |x| - j pi/4 with pi/4 split in
 * three (exact for |x| < 8192), quadrant q = j/2. sin and cos of z by their polynomials on
 * [-pi/4, pi/4]; quadrant q + shift picks which and its sign (shift 0 for sin, 1 for cos).
 * Lanes beyond 8192 (or inf/NaN) are left to libm. */
static inline f32x4 v_sincos(f32x4 x, int shift) {
    f32x4 ax = v_abs(x);
    i32x4 j = v_to_int(ax * v_splat(1.27323954473516f));
    j = (j + 1) & ~1;
    f32x4 y = v_to_float(j);
    f32x4 z = ((ax - y * v_splat(0.78515625f)) - y * v_splat(2.4187564849853515625e-4f)) -
              y * v_splat(3.77489497744594108e-8f);
    f32x4 zz = z * z;
    f32x4 c = v_splat(2.443315711809948e-5f);
    c = c * zz + v_splat(-1.388731625493765e-3f);
    c = c * zz + v_splat(4.166664568298827e-2f);
    c = c * zz * zz - v_splat(0.5f) * zz + v_splat(1.0f);
    f32x4 s = v_splat(-1.9515295891e-4f);
    s = s * zz + v_splat(8.3321608736e-3f);
    s = s * zz + v_splat(-1.6666654611e-1f);
    s = s * zz * z + z;
    i32x4 q = (j >> 1) + shift;
    f32x4 r = v_select((q & 1) != 0, c, s);
    i32x4 negative = (q & 2) != 0;
    if (!shift) negative ^= v_bits(x) >> 31; /* sin is odd; the sign bit also catches -0 */
    return v_from_bits(v_bits(r) ^ (negative & (int32_t)0x80000000));
}

static inline f32x4 v_sin(f32x4 x) { return v_sincos(x, 0); }
static inline f32x4 v_cos(f32x4 x) { return v_sincos(x, 1); }

/* expm1: below |x| = 0.5 the Taylor series to x^9 (truncation < 1e-8 relative there),
 * above it e^x - 1, whose cancellation costs at most a factor e^0.5 / (e^0.5 - 1) < 2.6. */
static inline f32x4 v_expm1(f32x4 x) {
    f32x4 p = v_splat(1.0f / 362880);
    p = p * x + v_splat(1.0f / 40320);
    p = p * x + v_splat(1.0f / 5040);
    p = p * x + v_splat(1.0f / 720);
    p = p * x + v_splat(1.0f / 120);
    p = p * x + v_splat(1.0f / 24);
    p = p * x + v_splat(1.0f / 6);
    p = p * x + v_splat(0.5f);
    f32x4 small = p * (x * x) + x;
    f32x4 big = v_exp(x) - v_splat(1.0f);
    f32x4 r = v_select(v_abs(x) < v_splat(0.5f), small, big);
    return v_select(x == v_splat(0.0f), x, r); /* expm1(-0) = -0 */
}

/* log1p: with u = 1 + x rounded, log(u) * x / (u - 1) cancels u's rounding error (the
 * classic correction); where u == 1 the answer is x itself. */
static inline f32x4 v_log1p(f32x4 x) {
    f32x4 u = v_splat(1.0f) + x;
    f32x4 d = u - v_splat(1.0f);
    f32x4 corrected = v_log(u) * (x / d);
    f32x4 r = v_select(d == v_splat(0.0f), x, corrected);
    r = v_select(u == v_splat(INFINITY), u, r);                     /* x = +inf: +inf */
    return v_select(x == v_splat(-1.0f), v_splat(-INFINITY), r);   /* log(0) */
}

/* softplus: max(x, 0) + log1p(e^-|x|); e^-|x| is in (0, 1], so nothing overflows */
static inline f32x4 v_softplus(f32x4 x) {
    return v_max(x, v_splat(0.0f)) + v_log1p(v_exp(-v_abs(x)));
}

/* Runs f over n floats: whole vectors, then the tail through a padded copy. */
#define DEFINE_VMAP(name, vf, guard, fallback) \
    void wg_f32_##name(size_t n, const float *x, float *y) { \
        size_t i = 0; \
        for (; i + 4 <= n; i += 4) { \
            f32x4 v = v_load(x + i); \
            if (guard) { for (int k = 0; k < 4; k++) y[i + k] = fallback(x[i + k]); continue; } \
            v_store(y + i, vf(v)); \
        } \
        if (i < n) { \
            float tmp[4] = { 0, 0, 0, 0 }; \
            memcpy(tmp, x + i, (n - i) * sizeof(float)); \
            f32x4 v = v_load(tmp); \
            if (guard) for (int k = 0; k < 4; k++) tmp[k] = fallback(tmp[k]); \
            else v_store(tmp, vf(v)); \
            memcpy(y + i, tmp, (n - i) * sizeof(float)); \
        } \
    }

#define NO_GUARD 0
#define TRIG_GUARD v_any(~(v_abs(v) <= v_splat(8192.0f)))
DEFINE_VMAP(vexp, v_exp, NO_GUARD, expf)
DEFINE_VMAP(vlog, v_log, NO_GUARD, logf)
DEFINE_VMAP(vtanh, v_tanh, NO_GUARD, tanhf)
DEFINE_VMAP(vsigmoid, v_sigmoid, NO_GUARD, expf)
DEFINE_VMAP(vsin, v_sin, TRIG_GUARD, sinf)
DEFINE_VMAP(vcos, v_cos, TRIG_GUARD, cosf)
DEFINE_VMAP(vexpm1, v_expm1, NO_GUARD, expm1f)
DEFINE_VMAP(vlog1p, v_log1p, NO_GUARD, log1pf)
DEFINE_VMAP(vsoftplus, v_softplus, NO_GUARD, expf)

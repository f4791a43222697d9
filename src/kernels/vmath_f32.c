/* vmath_f32.c: float32 transcendental functions, four lanes at a time (simd/vec.h).
 *
 * Most recipes are Cephes' single-precision ones (S. Moshier), which reach about 1 ulp:
 * a range reduction with constants split so the reduction is exact, a short polynomial
 * on the reduced argument, then explicit handling of the lanes outside the polynomial's
 * range (overflow, underflow, NaN, infinities). tanh trades 2 ulp for speed (3 ulp at worst,
 * see v_tanh). tests/c/test_vmath.c measures every one
 * against libm over sweeps that include the cut-offs, denormals, +-inf and NaN.
 * float64 has its own kernels, within 1 ulp (vmath_f64.c, vmath_f64_inv.c, pow_f64.c). */
#include <math.h>
#include "kernels.h"
#include "../simd/vec.h"
#include "../simd/horner.h"

DEFINE_HORNER(horner, f32x4, float, v_splat)
#define HORNER(x, c) horner(x, c, HORNER_COUNT(c))

/* exp: n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two so n*C1 is exact),
 * e^r by a degree-7 polynomial, then times 2^n applied in two halves so results down in
 * the denormal range round only once. */
/* the shared core: e^r for r = x - n ln 2, with n = round(x / ln 2) also as integers */
static const float exp_poly[] = { 1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                   4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f };
static inline f32x4 exp_reduced(f32x4 x, i32x4 *n_int) {
    f32x4 n = v_round_int(x * v_splat(1.44269504088896341f), n_int);
    f32x4 r = x - n * v_splat(0.693359375f) - n * v_splat(-2.12194440e-4f);
    return HORNER(r, exp_poly) * (r * r) + r + v_splat(1.0f);
}

/* The clamp to [-104, 89] keeps 2^n representable in two halves and lets the special
 * lanes come out of the arithmetic itself, with no select: above 88.72 the product
 * overflows to inf, below -103.97 it rounds to 0, and a NaN passes the clamp (v_max and
 * v_min return their second operand for it) and the polynomial. */
static inline f32x4 v_exp(f32x4 x) {
    i32x4 n;
    f32x4 p = exp_reduced(v_min(v_splat(89.0f), v_max(v_splat(-104.0f), x)), &n);
    i32x4 n1 = n >> 1, n2 = n - n1;
    return p * v_pow2(n1) * v_pow2(n2);
}

/* log of a positive, normal, finite x (the other lanes are patched, see LOG_RANGE):
 * x = (1 + m) 2^e with 1 + m in [sqrt(1/2), sqrt(2)), found with integer steps only:
 * subtracting sqrt(1/2)'s bits makes the exponent field e; adding them back to the
 * mantissa field rebuilds 1 + m. log(1 + m) by a degree-9 polynomial, e ln 2 added in two
 * parts. The pieces are shared with log2, log10 and the inverse hyperbolic functions.
 * log_reduce returns m, and e plus k (an integer per lane: the log of x 2^k). */
static inline f32x4 log_reduce(f32x4 x, i32x4 k, f32x4 *e) {
    i32x4 ix = v_wrap(v_ubits(x) - 0x3f3504f3);
    *e = v_to_float((ix >> 23) + k);
    return v_from_bits((ix & 0x007fffff) + 0x3f3504f3) - v_splat(1.0f);
}

/* log(1 + m) = m - m^2/2 + m^3 P(m) for m in [sqrt(1/2) - 1, sqrt(2) - 1): m^3 P(m) */
static inline f32x4 log_poly(f32x4 m) {
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
    return p * m * z;
}

/* log((1 + m) 2^e) + c for a small correction c: e ln 2 added in two parts, c with the small
 * terms; log_join has no c (x + -0 is x: the compiler drops it) */
static inline f32x4 log_join_plus(f32x4 m, f32x4 e, f32x4 c) {
    return m + (log_poly(m) + e * v_splat(-2.12194440e-4f) - v_splat(0.5f) * (m * m) + c) + e * v_splat(0.693359375f);
}
static inline f32x4 log_join(f32x4 m, f32x4 e) { return log_join_plus(m, e, v_splat(-0.0f)); }

/* log(x 2^k) for x positive, normal, finite: k is added to the exponent, exactly */
static inline f32x4 log_scaled(f32x4 x, i32x4 k) {
    f32x4 e, m = log_reduce(x, k, &e);
    return log_join(m, e);
}

static inline f32x4 log_normal(f32x4 x) { return log_scaled(x, (i32x4){ 0, 0, 0, 0 }); }

/* log2 and log10 from the same parts: log(1 + m) = m + y is scaled by log2(e) (or log10(e))
 * split as a short head and a tail, the small products first, the exponent term last: e is
 * exact, and at powers of 2 m = y = 0, so log2(2^k) = k exactly. */
static inline f32x4 v_log2(f32x4 x) {
    f32x4 e, m = log_reduce(x, (i32x4){ 0, 0, 0, 0 }, &e), y = log_poly(m) - v_splat(0.5f) * (m * m);
    const f32x4 tail = v_splat(0.44269504088896341f); /* log2(e) - 1 */
    return y * tail + m * tail + y + m + e;
}

static inline f32x4 v_log10(f32x4 x) {
    f32x4 e, m = log_reduce(x, (i32x4){ 0, 0, 0, 0 }, &e), y = log_poly(m) - v_splat(0.5f) * (m * m);
    const f32x4 e_hi = v_splat(0.43359375f), e_lo = v_splat(7.00731903251827651e-4f); /* log10(e) */
    const f32x4 two_hi = v_splat(0.30078125f), two_lo = v_splat(2.48745663981195214e-4f); /* log10(2) */
    return y * e_lo + m * e_lo + e * two_lo + y * e_hi + m * e_hi + e * two_hi;
}

/* e^t for -87 <= t <= 88 only, where e^t is a normal float (sigmoid's, softplus's and erf's
 * use): no overflow, underflow or NaN lanes to mend, so 2^n is a single exponent add (erf 2.7 ->
 * 2.3 ms per 1M against v_exp). A NaN t gives any bits: callers make sure a NaN reaches their result
 * another way. Same reduction and polynomial as v_exp. */
static inline f32x4 v_exp_normal_range(f32x4 t) {
    i32x4 n;
    f32x4 p = exp_reduced(t, &n);
    return v_from_bits(v_wrap(v_ubits(p) + ((u32x4)n << 23)));
}

/* tanh(|x|) = -m / (m + 2) with m = e^t - 1, t = -2|x| <= 0: one formula for every lane, no
 * cancellation anywhere (m is in (-1, 0]), 1.9 -> 1.3 ms per 1M against computing both a
 * polynomial and 1 - 2 / (e^2|x| + 1) and selecting (which was within 1 ulp; this is within 3).
 * t = n ln 2 + r with n = round(t / ln 2 + 1/2), so r is in [-ln 2, 0] and n <= 0: then
 * m = 2^n (e^r - 1) + (2^n - 1) adds two numbers of the same sign, exactly for n = 0.
 * e^r - 1 = r + r^2/2 + r^3 P(r), P a minimax fit (relative error 1.7e-8 on [-ln 2, 0]), the
 * small terms summed first. |x| is capped at 9.02, past which tanh rounds to 1 (the cap's
 * operand order lets NaN through: it comes out of the arithmetic); the sign is x's, which keeps
 * tanh(-0) = -0. */
static inline f32x4 v_tanh(f32x4 x) {
    f32x4 t = v_splat(-2.0f) * v_min(v_splat(9.02f), v_abs(x));
    i32x4 n;
    f32x4 nf = v_round_int(t * v_splat(1.44269504088896341f) + v_splat(0.5f), &n);
    f32x4 r = t - nf * v_splat(0.693359375f) - nf * v_splat(-2.12194440e-4f);
    f32x4 p = v_splat(1.0641308258e-03f);
    p = p * r + v_splat(8.1238677539e-03f);
    p = p * r + v_splat(4.1608712693e-02f);
    p = p * r + v_splat(1.6666107391e-01f);
    f32x4 r2 = r * r;
    f32x4 em1_r = r + (v_splat(0.5f) * r2 + p * (r2 * r));
    f32x4 two_n = v_from_bits(v_bits(v_splat(1.0f)) + (n << 23));
    f32x4 m = two_n * em1_r + (two_n - v_splat(1.0f));
    return v_copysign(-m / (m + v_splat(2.0f)), x);
}

/* sigmoid: with t = e^-|x| (never overflows), 1 / (1 + t) for x >= 0 and t / (1 + t)
 * below, one division for both. For |x| <= 87 (SIGMOID_RANGE), where t is a normal float and
 * the exponent-add exp serves (1.55 -> 1.25 ms per 1M); the denormal results beyond and NaN
 * are patched. */
static inline f32x4 v_sigmoid(f32x4 x) {
    f32x4 t = v_exp_normal_range(-v_abs(x));
    return v_select(x < v_splat(0.0f), t, v_splat(1.0f)) / (v_splat(1.0f) + t);
}

/* sin and cos: h = the integer nearest |x| 2/pi, z = |x| - h pi/2, so z is in [-pi/4, pi/4]
 * and h is the quadrant. pi/2 is split in four (Cody-Waite): the first three have at most 11
 * significant bits, so their products with h are exact and so are the first two differences;
 * near a multiple of pi/2, where z is tiny and every bit of it counts, the error left is
 * 2^-24 of z plus h times the 8e-20 that the four parts miss. (Three parts, as in Cephes,
 * miss 4.5e-15 per h: up to 480 ulp at |x| ~ 1000.) sin and cos of z by their polynomials;
 * quadrant q = h + shift picks which and its sign (shift 0 for sin, 1 for cos). Lanes beyond
 * 8192 (or inf/NaN) are left to libm. */
static inline f32x4 reduce_half_pi(f32x4 ax, i32x4 *h) {
    f32x4 y = v_round_int(ax * v_splat(0.636619772367581343f), h);
    return (((ax - y * v_splat(0x1.92p0f)) - y * v_splat(0x1.fb4p-12f)) - y * v_splat(0x1.444p-24f)) -
           y * v_splat(0x1.68c234p-39f);
}

/* the quadrant h of |x| and the polynomials for sin z and cos z of the reduced z */
static inline i32x4 quadrant_sin_cos(f32x4 ax, f32x4 *sin_z, f32x4 *cos_z) {
    i32x4 h;
    f32x4 z = reduce_half_pi(ax, &h);
    f32x4 zz = z * z;
    f32x4 c = v_splat(2.443315711809948e-5f);
    c = c * zz + v_splat(-1.388731625493765e-3f);
    c = c * zz + v_splat(4.166664568298827e-2f);
    *cos_z = c * zz * zz - v_splat(0.5f) * zz + v_splat(1.0f);
    f32x4 s = v_splat(-1.9515295891e-4f);
    s = s * zz + v_splat(8.3321608736e-3f);
    s = s * zz + v_splat(-1.6666654611e-1f);
    *sin_z = s * zz * z + z;
    return h;
}

#define SIGN_BIT(v) (v_bits(v) & (int32_t)0x80000000)

static inline f32x4 v_sincos(f32x4 x, int shift) {
    f32x4 s, c;
    i32x4 q = quadrant_sin_cos(v_abs(x), &s, &c) + shift;
    f32x4 r = v_select(-(q & 1), c, s);                        /* odd quadrants: the other one */
    i32x4 sign = v_wrap((u32x4)q << 30) & (int32_t)0x80000000; /* quadrants 2 and 3: negative */
    if (!shift) sign ^= SIGN_BIT(x);                           /* sin is odd; this keeps -0 too */
    return v_from_bits(v_bits(r) ^ sign);
}

/* tan: the reduction of sin/cos, then tan z by its own polynomial on [-pi/4, pi/4] (Cephes'
 * single-precision one); odd quadrants give -1 / tan z. Odd in x. (sin z / cos z from the two
 * polynomials above would cost no polynomial but is off by up to 4 ulp.) Within 2 ulp for |x| < 8
 * (every float checked); TAN_RANGE leaves the rest to libm. */
static const float tan_poly[] = { 9.38540185543e-3f, 3.11992232697e-3f, 2.44301354525e-2f,
                                   5.34112807005e-2f, 1.33387994085e-1f, 3.33331568548e-1f };
static inline f32x4 v_tan(f32x4 x) {
    f32x4 ax = v_abs(x);
    i32x4 h;
    f32x4 z = reduce_half_pi(ax, &h);
    f32x4 zz = z * z;
    f32x4 t = HORNER(zz, tan_poly) * zz * z + z;
    i32x4 odd = -(h & 1);
    t = v_select(odd, v_splat(-1.0f) / t, t);
    return v_from_bits(v_bits(t) ^ SIGN_BIT(x));
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

/* erf, odd: on |x| < 1, x P(x^2); from 1 on, 1 - e^(-x^2) R(1/|x|) with R = erfc(x) e^(x^2),
 * which is smooth; from 3.92 on erf rounds to 1 (erfc < half an ulp of 1), which the clamp
 * gives. Both polynomials are Chebyshev fits (mpmath.chebyfit; errors 1.2e-9 and 2.1e-8),
 * with float coefficients; e^(-x^2) with x^2 rounded is good enough here: its error times
 * erfc stays under 0.2 ulp of the result. NaN passes the clamp and the arithmetic (the
 * polynomial in 1/|x| is NaN, whatever e^-x^2 gives). */
static const float erf_small[] = { 7.875874871e-05f, -8.016864303e-04f, 5.189087242e-03f, -2.685421146e-02f,
                                   1.128359437e-01f, -3.761262596e-01f, 1.128379107e+00f };
static const float erfc_scaled[] = { -5.206738599e-03f, 7.134828251e-03f, 6.989988685e-02f, -2.972330451e-01f,
                                     5.372298360e-01f, -4.898149967e-01f, 4.695525393e-02f, 5.583014488e-01f,
                                     3.170904529e-04f };
static inline f32x4 v_erf(f32x4 x) {
    f32x4 ax = v_min(v_splat(3.92f), v_abs(x));
    f32x4 xx = ax * ax;
    f32x4 small = ax * HORNER(xx, erf_small);
    f32x4 big = v_splat(1.0f) - v_exp_normal_range(-xx) * HORNER(v_splat(1.0f) / ax, erfc_scaled);
    return v_from_bits(v_bits(v_select(ax < v_splat(1.0f), small, big)) | SIGN_BIT(x));
}


#ifdef __wasm_simd128__
static inline f32x4 v_sqrt(f32x4 v) { return (f32x4)wasm_f32x4_sqrt((v128_t)v); }
#else
static inline f32x4 v_sqrt(f32x4 v) {
    for (int k = 0; k < 4; k++) v[k] = sqrtf(v[k]);
    return v;
}
#endif

/* e^|x| / 2 for |x| = ax >= 0 (inf and NaN too): exp_reduced with 2^(n-1) applied in two
 * halves, so it reaches the 89.4 where cosh overflows (e^89.4 itself would not fit). Beyond
 * 90 the clamp makes it overflow to inf; NaN passes the clamp and the arithmetic. */
static inline f32x4 v_exp_half(f32x4 ax) {
    i32x4 n;
    f32x4 p = exp_reduced(v_min(v_splat(90.0f), ax), &n);
    n = n - 1;
    i32x4 n1 = n >> 1;
    return p * v_pow2(n1) * v_pow2(n - n1);
}

/* sinh: below |x| = 1 x + x^3 P(x^2) (Chebyshev fit, error 2e-10); above, h - 1/(4h) with
 * h = e^|x| / 2, which cancels by at most 1.16 there. Odd: the sign of x last (keeps -0). */
static const float sinh_small[] = { 2.806280236e-06f, 1.983810216e-04f, 8.333339356e-03f, 1.666666716e-01f };
static inline f32x4 v_sinh(f32x4 x) {
    f32x4 ax = v_abs(x);
    f32x4 h = v_exp_half(ax);
    f32x4 small = ax + ax * (ax * ax) * HORNER(ax * ax, sinh_small);
    f32x4 big = h - v_splat(0.25f) / h;
    return v_from_bits(v_bits(v_select(ax < v_splat(1.0f), small, big)) | SIGN_BIT(x));
}

static inline f32x4 v_cosh(f32x4 x) {
    f32x4 h = v_exp_half(v_abs(x));
    return h + v_splat(0.25f) / h;
}

/* arctan, odd: |x| above tan(3pi/8) becomes pi/2 + atan(-1/|x|), above tan(pi/8)
 * pi/4 + atan((|x| - 1)/(|x| + 1)), so the argument t of the polynomial t + t^3 P(t^2) is
 * within tan(pi/8) (Chebyshev fit, error 3e-9): one division picks all three. */
static const float atan_poly[] = { -6.451927871e-02f, 1.074373126e-01f, -1.426395625e-01f, 1.999953985e-01f,
                                   -3.333333135e-01f };
static inline f32x4 v_atan(f32x4 x) {
    f32x4 ax = v_abs(x), one = v_splat(1.0f);
    i32x4 big = ax > v_splat(2.41421356f), mid = ax > v_splat(0.414213562f);
    f32x4 num = v_select(big, -one, v_select(mid, ax - one, ax));
    f32x4 den = v_select(big, ax, v_select(mid, ax + one, one));
    f32x4 t = num / den, z = t * t;
    f32x4 base = v_select(big, v_splat(1.57079637f), v_select(mid, v_splat(0.785398185f), v_splat(0.0f)));
    f32x4 base_lo = v_select(big, v_splat(-4.37113883e-8f), v_select(mid, v_splat(-2.18556941e-8f), v_splat(0.0f)));
    f32x4 r = base + (t + (t * z * HORNER(z, atan_poly) + base_lo));
    return v_from_bits(v_bits(r) | SIGN_BIT(x));
}

/* arctan2(y, x): with num = min(|y|, |x|) and den = max, atan(num/den), or above tan(pi/8)
 * pi/4 + atan((num - den)/(num + den)), as v_atan; then pi/2 - that when |y| > |x| and pi - that
 * when x < 0. Every case is m pi/4 +- (t + t^3 P(t^2)) for an integer m <= 4, and pi/4 is split
 * with a 21-bit head, so m Q_HI is exact and the sum rounds once at the end. The sign is y's.
 * Zeros, denormals, infinities, NaN and |x|, |y| > 2^125 are left to double atan2
 * (ATAN2_INSIDE). */
static inline f32x4 v_atan2(f32x4 y, f32x4 x) {
    const f32x4 one = v_splat(1.0f), zero = v_splat(0.0f);
    f32x4 ay = v_abs(y), ax = v_abs(x), num = v_min(ay, ax), den = v_max(ay, ax);
    i32x4 mid = num > den * v_splat(0.414213562f), swap = ay > ax, neg = x < zero;
    f32x4 t = v_select(mid, num - den, num) / v_select(mid, num + den, den), z = t * t;
    f32x4 s = v_select(swap ^ neg, -one, one);
    f32x4 m = v_select(swap, v_splat(2.0f), v_select(neg, v_splat(4.0f), zero)) + s * v_select(mid, one, zero);
    f32x4 r = m * v_splat(0.785398006439209f) + (s * (t + t * z * HORNER(z, atan_poly)) + m * v_splat(1.5695823663e-7f));
    return v_copysign(r, y);
}
#define ATAN2_INSIDE(y, x) ((v_abs(y) >= v_splat(0x1p-126f)) & (v_abs(y) <= v_splat(0x1p125f)) & \
                            (v_abs(x) >= v_splat(0x1p-126f)) & (v_abs(x) <= v_splat(0x1p125f)))

/* asin of s = |x| up to 1/2, or of s = sqrt((1 - |x|)/2) above (asin|x| = pi/2 - 2 asin s):
 * s + c with c = s^3 P(s^2) (Chebyshev fit, error 2e-8), kept apart for the callers to add
 * last. |x| > 1 gives sqrt of a negative: NaN. */
static const float asin_poly[] = { 3.808502480e-02f, 2.655454166e-02f, 4.500138015e-02f, 7.498855144e-02f,
                                   1.666667312e-01f };
static inline f32x4 asin_core(f32x4 ax, i32x4 *big, f32x4 *c) {
    *big = ax > v_splat(0.5f);
    f32x4 z = v_select(*big, v_splat(0.5f) - v_splat(0.5f) * ax, ax * ax);
    f32x4 s = v_select(*big, v_sqrt(z), ax);
    *c = s * z * HORNER(z, asin_poly);
    return s;
}

/* pi/2 - 2 asin s as (pi/2 - 2s) - (2c - the tail of pi/2): near |x| = 1/2 the result is a third
 * of pi/2 and the first difference is exact, so the cancellation does not magnify s + c's rounding */
#define PIO2_HI 1.57079637f
#define PIO2_LO -4.37113883e-8f
static inline f32x4 v_asin(f32x4 x) {
    i32x4 big;
    f32x4 c, s = asin_core(v_abs(x), &big, &c);
    f32x4 a = v_select(big, (v_splat(PIO2_HI) - (s + s)) - (c + c - v_splat(PIO2_LO)), s + c);
    return v_from_bits(v_bits(a) | SIGN_BIT(x));
}

/* acos x = pi/2 - asin x up to |x| = 1/2; above, 2 asin s for x > 0 and pi - 2 asin s below */
static inline f32x4 v_acos(f32x4 x) {
    i32x4 big;
    f32x4 c, s = asin_core(v_abs(x), &big, &c), r = s + c;
    f32x4 sr = v_from_bits(v_bits(r) ^ SIGN_BIT(x)), rr = r + r;
    f32x4 small = v_splat(PIO2_HI) - (sr - v_splat(PIO2_LO));
    f32x4 neg = (v_splat(2 * PIO2_HI) - (s + s)) - (c + c - v_splat(2 * PIO2_LO));
    return v_select(big, v_select(x < v_splat(0.0f), neg, rr), small);
}

/* log(1 + w) for w > -1, or for the lanes in big log(2a). For 1 + w in [sqrt(1/2), sqrt(2)), w is the
 * polynomial's m itself (no rounding of 1 + w); elsewhere u = 1 + w (or a, with its exponent
 * raised by one) is reduced, and u's rounding error w - (u - 1) (exact) is added back as
 * (w - (u - 1)) / u among the small terms, where it costs no rounding of its own. */
static inline f32x4 log1p_or_log2x(f32x4 w, f32x4 a, i32x4 big) {
    f32x4 u = v_select(big, a, v_splat(1.0f) + w), e;
    f32x4 m = log_reduce(u, -big, &e);
    i32x4 direct = (w < v_splat(0.414213562f)) & (w >= v_splat(-0.292893219f)); /* 1 + w in [sqrt(1/2), sqrt(2)) */
    f32x4 c = v_select(direct | big, v_splat(0.0f), (w - (u - v_splat(1.0f))) / u);
    return log_join_plus(v_select(direct, w, m), v_select(direct, v_splat(0.0f), e), c);
}

/* log1p for x in (-1, inf) (LOG1P_RANGE): the same (for -1 < w < 0, u - 1 and w - (u - 1) are
 * exact as well), with log1p(-0) = -0 */
static inline f32x4 v_log1p(f32x4 x) {
    return v_select(x == v_splat(0.0f), x, log1p_or_log2x(x, x, (i32x4){ 0, 0, 0, 0 }));
}

/* softplus: max(x, 0) + log1p(e^-|x|); e^-|x| is in [0, 1], so nothing overflows.
 * |x| > 87 (e^-|x| not a normal float) and NaN lanes are patched (SOFTPLUS_RANGE). Two passes
 * (DEFINE_VMAP2): e^-|x|, then the rest. */
static inline f32x4 softplus_first(f32x4 x) { return v_exp_normal_range(-v_abs(x)); }
static inline f32x4 softplus_second(f32x4 x, f32x4 t) { return v_max(x, v_splat(0.0f)) + v_log1p(t); }

/* arcsinh |x| = log1p(a + a^2 / (1 + sqrt(1 + a^2))), which keeps a's accuracy near 0;
 * beyond 2^12 log(2a) (sqrt(a^2 + 1) rounds to a there). Odd. inf is patched (ASINH_RANGE). */
static inline f32x4 asinh_first(f32x4 x) {
    f32x4 c = v_min(v_splat(0x1p12f), v_abs(x)), cc = c * c;
    return c + cc / (v_splat(1.0f) + v_sqrt(v_splat(1.0f) + cc));
}
static inline f32x4 asinh_second(f32x4 x, f32x4 w) {
    f32x4 a = v_abs(x), r = log1p_or_log2x(w, a, a > v_splat(0x1p12f));
    return v_from_bits(v_bits(r) | SIGN_BIT(x));
}

/* arccosh x = log1p(t + sqrt(t (t + 2))) with t = x - 1 (exact), for x in [1, inf)
 * (ACOSH_RANGE); beyond 2^12 log(2x). arccosh(1) = +0. */
static inline f32x4 acosh_first(f32x4 x) {
    f32x4 t = v_min(v_splat(0x1p12f), x) - v_splat(1.0f);
    return t + v_sqrt(t * (t + v_splat(2.0f)));
}
static inline f32x4 acosh_second(f32x4 x, f32x4 w) { return log1p_or_log2x(w, x, x > v_splat(0x1p12f)); }

/* arctanh |x| = log1p(2a + 2a^2 / (1 - a)) / 2 for |x| < 1 (ATANH_RANGE): the rounding of
 * 1 - a only touches the smaller term while a is small. Odd. */
static inline f32x4 atanh_first(f32x4 x) {
    f32x4 a = v_abs(x), t = a + a;
    return t + t * a / (v_splat(1.0f) - a);
}
static inline f32x4 atanh_second(f32x4 x, f32x4 w) {
    f32x4 r = v_splat(0.5f) * log1p_or_log2x(w, v_abs(x), (i32x4){ 0, 0, 0, 0 });
    return v_from_bits(v_bits(r) | SIGN_BIT(x));
}

/* cbrt of a normal, finite, non-zero x (CBRT_RANGE): |x| = m 2^(3q + r) with m in [1, 2) and
 * r in {0, 1, 2} (q by a multiply and shift: floor(n / 3) = n 43691 >> 17 for n < 2^15);
 * cbrt(m) by a cubic (Chebyshev fit, error 9.4e-5) times 2^(r/3), one Newton step on
 * t = m 2^r (error squared: 9e-9), times 2^q exactly, x's sign last. */
static const float cbrt_poly[] = { 2.214869857e-02f, -1.586624533e-01f, 5.808264017e-01f, 5.557909608e-01f };
static inline f32x4 v_cbrt(f32x4 x) {
    i32x4 ix = v_bits(x) & 0x7fffffff, mant = ix & 0x007fffff;
    i32x4 q = ((ix >> 23) + 2) * 43691 >> 17, r = (ix >> 23) + 2 - 3 * q;
    f32x4 m = v_from_bits(mant | 0x3f800000), t = v_from_bits(mant | ((r + 127) << 23));
    f32x4 c = v_select(r == 0, v_splat(1.0f), v_select(r == 1, v_splat(1.25992105f), v_splat(1.58740105f)));
    f32x4 y = HORNER(m, cbrt_poly) * c;
    y = y + (t / (y * y) - y) * v_splat(1.0f / 3);
    return v_from_bits(v_bits(y * v_pow2(q - 43)) | SIGN_BIT(x));
}

/* The lanes a kernel does not cover (see the _RANGE masks below) are recomputed with
 * double libm, which the float64 kernels link anyway (libm's float versions would add
 * their own code and tables to the download), rounded once to float. */
static float sin_lane(float x) { return (float)sin(x); }
static float cos_lane(float x) { return (float)cos(x); }
static float tan_lane(float x) { return (float)tan(x); }
static float log_lane(float x) { return (float)log(x); }
static float log1p_lane(float x) { return (float)wg_edge_log1p(x); }
/* log2, log10, cbrt and 1/cbrt of the lanes left out (zeros, negatives, denormals, inf, NaN):
 * the float64 kernel's value (a float's denormal is a normal double), rounded once */
#define THROUGH_F64(name, kernel) \
    static float name(float x) { \
        double d = x; \
        kernel(1, &d, &d); \
        return (float)d; \
    }
THROUGH_F64(log2_lane, wg_f64_vlog2)
THROUGH_F64(log10_lane, wg_f64_vlog10)
THROUGH_F64(cbrt_lane, wg_f64_vcbrt)
THROUGH_F64(rcbrt_lane, wg_f64_vrcbrt)
static float asinh_lane(float x) { return (float)wg_edge_asinh(x); }
static float acosh_lane(float x) { return (float)wg_edge_acosh(x); }
static float atanh_lane(float x) { return (float)wg_edge_atanh(x); }
static inline f32x4 v_rcbrt(f32x4 x) { return v_splat(1.0f) / v_cbrt(x); }
/* sigmoid and softplus as elementwise.c's scalar formulas, for |x| > 87 and NaN (where log1p of
 * e^-|x| rounds to e^-|x| in double) */
static float sigmoid_lane(float x) { return (float)(x >= 0 ? 1 / (1 + exp(-(double)x)) : exp(x) / (1 + exp(x))); }
static float softplus_lane(float x) { return (float)(x > 0 ? x + exp(-(double)x) : exp(x)); }

static f32x4 patch_lanes(f32x4 r, f32x4 v, i32x4 outside, float (*fallback)(float)) {
    for (int k = 0; k < 4; k++)
        if (outside[k]) r[k] = fallback(v[k]);
    return r;
}

/* r, with the lanes of v outside the kernel's range recomputed by fallback */
static inline f32x4 patched(f32x4 r, f32x4 v, i32x4 outside, float (*fallback)(float)) {
    return v_any(outside) ? patch_lanes(r, v, outside, fallback) : r;
}

/* Runs f over n floats: whole vectors, then the tail through a padded copy. The vector
 * function runs on every vector and the rare lanes outside its range are patched after:
 * had the loop branched around it instead, V8 would rebuild every constant of the kernel
 * inside the branch on each iteration (three instructions each; sin took 2.2 ms per
 * million floats that way instead of 1.5). */
#define VMAP_TAIL(vf, outside_of, fallback, i) \
    if (i < n) { \
        float tmp[4] = { 0, 0, 0, 0 }; \
        memcpy(tmp, x + i, (n - i) * sizeof(float)); \
        f32x4 v = v_load(tmp); \
        v_store(tmp, patched(vf(v), v, outside_of(v), fallback)); \
        memcpy(y + i, tmp, (n - i) * sizeof(float)); \
    }
#define DEFINE_VMAP(name, vf, outside_of, fallback) \
    void wg_f32_##name(size_t n, const float *x, float *y) { \
        size_t i = 0; \
        for (; i + 4 <= n; i += 4) { \
            f32x4 v = v_load(x + i); \
            v_store(y + i, patched(vf(v), v, outside_of(v), fallback)); \
        } \
        VMAP_TAIL(vf, outside_of, fallback, i) \
    }

/* The same for a function computed in two steps, second(x, first(x)), each step in a loop of its
 * own over blocks of 256 floats, the intermediate in a stack buffer. In V8 one loop doing both
 * ran much slower than the two (softplus 4.8 -> 3.1 ms per 1M floats; the long loop body's
 * register allocation, as far as we can tell); the results are the same bits. */
#define VMAP2_BLOCK 64 /* vectors */
#define DEFINE_VMAP2(name, first, second, outside_of, fallback) \
    static inline f32x4 name##_both(f32x4 v) { return second(v, first(v)); } \
    void wg_f32_##name(size_t n, const float *x, float *y) { \
        f32x4 mid[VMAP2_BLOCK]; \
        size_t i = 0; \
        while (i + 4 <= n) { \
            size_t vectors = (n - i) / 4 < VMAP2_BLOCK ? (n - i) / 4 : VMAP2_BLOCK; \
            for (size_t k = 0; k < vectors; k++) mid[k] = first(v_load(x + i + 4 * k)); \
            for (size_t k = 0; k < vectors; k++, i += 4) { \
                f32x4 v = v_load(x + i); \
                v_store(y + i, patched(second(v, mid[k]), v, outside_of(v), fallback)); \
            } \
        } \
        VMAP_TAIL(name##_both, outside_of, fallback, i) \
    }

/* which lanes each kernel leaves to its libm fallback: a mask per lane */
#define COVERS_ALL(v) ((i32x4){ 0, 0, 0, 0 })
#define TRIG_RANGE(v) (~(v_abs(v) <= v_splat(8192.0f)))            /* and inf, NaN */
#define TAN_RANGE(v) (~(v_abs(v) < v_splat(8.0f))) /* beyond 8 the reduction's last rounding costs 3 ulp */
#define LOG_RANGE(v) (~((v >= v_splat(0x1p-126f)) & (v < v_splat(INFINITY)))) /* <= 0, denormal, inf, NaN */
#define LOG1P_RANGE(v) (~((v > v_splat(-1.0f)) & (v < v_splat(INFINITY))))
#define SOFTPLUS_RANGE(v) (~(v_abs(v) <= v_splat(87.0f))) /* and NaN */
#define SIGMOID_RANGE(v) SOFTPLUS_RANGE(v)
#define ASINH_RANGE(v) (~(v_abs(v) < v_splat(INFINITY)))                      /* inf, NaN */
#define ACOSH_RANGE(v) (~((v >= v_splat(1.0f)) & (v < v_splat(INFINITY)))) /* < 1, inf, NaN */
#define CBRT_RANGE(v) (~((v_abs(v) >= v_splat(0x1p-126f)) & (v_abs(v) < v_splat(INFINITY)))) /* 0, denormal, inf, NaN */
#define ATANH_RANGE(v) (~(v_abs(v) < v_splat(1.0f)))                         /* |x| >= 1, NaN */
DEFINE_VMAP(vexp, v_exp, COVERS_ALL, NULL)
DEFINE_VMAP(vlog, log_normal, LOG_RANGE, log_lane)
DEFINE_VMAP(vtanh, v_tanh, COVERS_ALL, NULL)
DEFINE_VMAP(vsigmoid, v_sigmoid, SIGMOID_RANGE, sigmoid_lane)
DEFINE_VMAP(vsin, v_sin, TRIG_RANGE, sin_lane)
DEFINE_VMAP(vcos, v_cos, TRIG_RANGE, cos_lane)
DEFINE_VMAP(vtan, v_tan, TAN_RANGE, tan_lane)
DEFINE_VMAP(vexpm1, v_expm1, COVERS_ALL, NULL)
DEFINE_VMAP(vlog1p, v_log1p, LOG1P_RANGE, log1p_lane)
DEFINE_VMAP(verf, v_erf, COVERS_ALL, NULL)
DEFINE_VMAP2(vsoftplus, softplus_first, softplus_second, SOFTPLUS_RANGE, softplus_lane)
DEFINE_VMAP(vlog2, v_log2, LOG_RANGE, log2_lane)
DEFINE_VMAP(vlog10, v_log10, LOG_RANGE, log10_lane)
DEFINE_VMAP(vsinh, v_sinh, COVERS_ALL, NULL)
DEFINE_VMAP(vcosh, v_cosh, COVERS_ALL, NULL)
DEFINE_VMAP(varctan, v_atan, COVERS_ALL, NULL)
DEFINE_VMAP(varcsin, v_asin, COVERS_ALL, NULL)
DEFINE_VMAP(varccos, v_acos, COVERS_ALL, NULL)
DEFINE_VMAP2(varcsinh, asinh_first, asinh_second, ASINH_RANGE, asinh_lane)
DEFINE_VMAP2(varccosh, acosh_first, acosh_second, ACOSH_RANGE, acosh_lane)
DEFINE_VMAP2(varctanh, atanh_first, atanh_second, ATANH_RANGE, atanh_lane)
DEFINE_VMAP(vcbrt, v_cbrt, CBRT_RANGE, cbrt_lane)
DEFINE_VMAP(vrcbrt, v_rcbrt, CBRT_RANGE, rcbrt_lane)

/* arctan2 over a run with strides (0: one number for the run), as wg_f32_vpow: the vector loop
 * makes no calls, the last partial vector goes through a padded copy (a value's result does
 * not depend on where it is, which fused blocks need), and lanes outside ATAN2_INSIDE are
 * redone with double atan2 afterwards */
void wg_f32_varctan2(size_t n, const float *y, ptrdiff_t sy, const float *x, ptrdiff_t sx, float *out) {
    size_t i = 0;
    i32x4 all_inside = ~(i32x4){ 0 };
    for (; i + 4 <= n; i += 4) {
        f32x4 vy = v_gather(y + i * sy, sy), vx = v_gather(x + i * sx, sx);
        all_inside &= ATAN2_INSIDE(vy, vx);
        v_store(out + i, v_atan2(vy, vx));
    }
    if (i < n) {
        float ty[4] = { 1, 1, 1, 1 }, tx[4] = { 1, 1, 1, 1 }, tr[4];
        for (size_t k = 0; i + k < n; k++) ty[k] = y[(i + k) * sy], tx[k] = x[(i + k) * sx];
        f32x4 vy = v_load(ty), vx = v_load(tx);
        all_inside &= ATAN2_INSIDE(vy, vx);
        v_store(tr, v_atan2(vy, vx));
        memcpy(out + i, tr, (n - i) * sizeof(float));
    }
    if (v_any(~all_inside))
        for (i = 0; i < n; i++) {
            float a = fabsf(y[i * sy]), b = fabsf(x[i * sx]);
            if (!(a >= 0x1p-126f && a <= 0x1p125f && b >= 0x1p-126f && b <= 0x1p125f))
                out[i] = (float)wg_edge_atan2(y[i * sy], x[i * sx]); /* the float64 kernel's, rounded */
        }
}

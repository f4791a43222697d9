/* exp_log_f64x2.h: double-precision e^x and log x two lanes at a time (f64x2), within 1 ulp:
 * the float64 kernels of vmath_f64.c are built on them (float32 power, pow_f32.c, on the
 * reduction of log only: it needs less precision, and takes less time).
 *
 * exp: n = round(x / ln 2) by the magic-number trick (the sum's low bits are n), r = x - n ln 2
 * with ln 2 in two parts (the first has 32 significant bits, so n times it is exact), then
 * e^r = 1 + r + r^2 Q(r) with Q the Taylor series to r^13 (|r| <= 0.347: the rest is
 * < 4e-17) evaluated in Estrin's order (a short dependency chain; Horner's would be 12
 * multiply-adds long), the sum carried in two parts so that it rounds once: within 1 ulp
 * of the correctly rounded value, and equal to it but for near-ties. Valid for x in
 * [-708, 709.4], where 2^n is a normal double. */
#ifndef WG_KERNELS_EXP_LOG_F64X2_H
#define WG_KERNELS_EXP_LOG_F64X2_H

#include <math.h>
#include "../simd/vec64.h"

/* e^x = scale (1 + s_hi + s_lo), with |s_hi + s_lo| < 0.42 and scale = 2^n a normal double */
static inline void exp_parts(f64x2 x, f64x2 *scale, f64x2 *s_hi, f64x2 *s_lo) {
    f64x2 t = x * d_splat(1.44269504088896340736) + d_splat(D_ROUND_MAGIC);
    u64x2 n = d_ubits(t) - d_ubits(d_splat(D_ROUND_MAGIC));
    f64x2 nd = t - d_splat(D_ROUND_MAGIC);
    f64x2 r_hi = x - nd * d_splat(0x1.62e42feep-1), r_lo = -(nd * d_splat(0x1.a39ef35793c76p-33));
    f64x2 r = r_hi + r_lo, r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    f64x2 q = ((d_splat(1.0 / 2) + r * d_splat(1.0 / 6)) + r2 * (d_splat(1.0 / 24) + r * d_splat(1.0 / 120))) +
              r4 * ((d_splat(1.0 / 720) + r * d_splat(1.0 / 5040)) + r2 * (d_splat(1.0 / 40320) + r * d_splat(1.0 / 362880))) +
              r8 * ((d_splat(1.0 / 3628800) + r * d_splat(1.0 / 39916800)) +
                    r2 * (d_splat(1.0 / 479001600) + r * d_splat(1.0 / 6227020800.0)));
    *scale = d_from_ubits((n + 1023) << 52);
    *s_hi = r_hi;
    *s_lo = r_lo + r2 * q;
}

static inline f64x2 exp2x(f64x2 x) {
    f64x2 scale, s_hi, s_lo;
    exp_parts(x, &scale, &s_hi, &s_lo);
    /* 1 + s_hi + s_lo with the first sum's rounding error carried (Fast2Sum, 1 >= |s_hi|):
       what is left is the final rounding, so exp(1) is Math.E */
    f64x2 u = d_splat(1.0) + s_hi, u_err = (d_splat(1.0) - u) + s_hi;
    return (u + (u_err + s_lo)) * scale;
}

/* log of a positive, normal, finite x (the other lanes are patched): x = 2^e (1 + f) with
 * 1 + f in [sqrt(1/2), sqrt(2)) by integer steps (a logical shift of the biased exponent:
 * V8 has no native i64x2 arithmetic shift), then fdlibm's recipe: s = f / (2 + f), R(s^2)
 * the minimax series of (log((1+s)/(1-s)) - 2s) / s (its coefficients Lg1..Lg7, in Estrin's
 * order), log(1 + f) = f - (f^2/2 - s (f^2/2 + R)), and e ln 2 in two parts: < 1 ulp.
 * log_reduce2x returns f and sets e; log_join2x adds a small correction c among the small terms
 * (log1p's: what the rounding of 1 + x lost); log2x has none (x + -0 is x, the compiler drops it). */
static inline f64x2 log_reduce2x(f64x2 x, f64x2 *e) {
    u64x2 ix = d_ubits(x) - 0x3fe6a09e667f3bcdull; /* minus sqrt(1/2)'s bits */
    u64x2 biased = (ix + (1023ull << 52)) >> 52;
    *e = d_from_ubits(biased + d_ubits(d_splat(D_ROUND_MAGIC))) - d_splat(D_ROUND_MAGIC + 1023);
    return d_from_ubits((ix & 0x000fffffffffffffull) + 0x3fe6a09e667f3bcdull) - d_splat(1.0);
}

/* log(1 + f) = f - hfsq + the returned value, hfsq = f^2 / 2 (log_join2x; vmath_f64.c's log2 and log10) */
static inline f64x2 log_poly2x(f64x2 f, f64x2 *hfsq) {
    f64x2 s = f / (d_splat(2.0) + f), z = s * s, z2 = z * z, z4 = z2 * z2;
    f64x2 r = z * ((d_splat(6.666666666666735130e-01) + z * d_splat(3.999999999940941908e-01)) +
                   z2 * (d_splat(2.857142874366239149e-01) + z * d_splat(2.222219843214978396e-01)) +
                   z4 * ((d_splat(1.818357216161805012e-01) + z * d_splat(1.531383769920937332e-01)) +
                         z2 * d_splat(1.479819860511658591e-01)));
    *hfsq = d_splat(0.5) * f * f;
    return s * (*hfsq + r);
}

static inline f64x2 log_join2x(f64x2 f, f64x2 e, f64x2 c) {
    f64x2 hfsq, sr = log_poly2x(f, &hfsq);
    return e * d_splat(0x1.62e42feep-1) - ((hfsq - (sr + (e * d_splat(0x1.a39ef35793c76p-33) + c))) - f);
}

static inline f64x2 log2x(f64x2 x) {
    f64x2 e, f = log_reduce2x(x, &e);
    return log_join2x(f, e, d_splat(-0.0));
}

#endif

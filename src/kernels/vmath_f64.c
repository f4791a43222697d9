/* vmath_f64.c: float64 exp and sigmoid two lanes at a time (f64x2).
 *
 * exp: n = round(x / ln 2) by the magic-number trick (the sum's low bits are n), r = x - n ln 2
 * with ln 2 in two parts (the first has 32 significant bits, so n times it is exact), then
 * e^r = 1 + r + r^2 Q(r) with Q the Taylor series to r^13 (|r| <= 0.347: the rest is
 * < 4e-17) evaluated in Estrin's order (a short dependency chain; Horner's would be 12
 * multiply-adds long), the sum carried in two parts so that it rounds once: within 1 ulp
 * of the correctly rounded value, and equal to it but for near-ties. Lanes whose result would be denormal, infinite or NaN
 * (x outside [-708, 709.4]: 2^n must be a normal double) are left to libm, as in vmath_f32.c's DEFINE_VMAP. */
#include <math.h>
#include <string.h>
#include "kernels.h"
#include "../simd/vec64.h"

static inline f64x2 exp2x(f64x2 x) {
    f64x2 t = x * d_splat(1.44269504088896340736) + d_splat(D_ROUND_MAGIC);
    u64x2 n = d_ubits(t) - d_ubits(d_splat(D_ROUND_MAGIC));
    f64x2 nd = t - d_splat(D_ROUND_MAGIC);
    f64x2 r_hi = x - nd * d_splat(0x1.62e42feep-1), r_lo = -(nd * d_splat(0x1.a39ef35793c76p-33));
    f64x2 r = r_hi + r_lo, r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    f64x2 q = ((d_splat(1.0 / 2) + r * d_splat(1.0 / 6)) + r2 * (d_splat(1.0 / 24) + r * d_splat(1.0 / 120))) +
              r4 * ((d_splat(1.0 / 720) + r * d_splat(1.0 / 5040)) + r2 * (d_splat(1.0 / 40320) + r * d_splat(1.0 / 362880))) +
              r8 * ((d_splat(1.0 / 3628800) + r * d_splat(1.0 / 39916800)) +
                    r2 * (d_splat(1.0 / 479001600) + r * d_splat(1.0 / 6227020800.0)));
    /* 1 + r_hi + (r_lo + r^2 q) with the first sum's rounding error carried (Fast2Sum,
       1 >= |r_hi|): what is left is the final rounding, so exp(1) is Math.E */
    f64x2 u = d_splat(1.0) + r_hi, u_err = (d_splat(1.0) - u) + r_hi;
    f64x2 p = u + (u_err + (r_lo + r2 * q));
    return p * d_from_ubits((n + 1023) << 52);
}

/* lanes where exp's result is a normal double, the only ones exp2x computes */
static inline int all_in_exp_range(f64x2 x) {
    i64x2 ok = (x >= d_splat(-708.0)) & (x <= d_splat(709.4));
    return ok[0] & ok[1];
}

static double sigmoid_scalar(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

void wg_f64_vexp(size_t n, const double *x, double *y) {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        f64x2 v;
        memcpy(&v, x + i, sizeof v);
        f64x2 r = exp2x(v);
        if (!all_in_exp_range(v)) r = (f64x2){ exp(v[0]), exp(v[1]) };
        memcpy(y + i, &r, sizeof r);
    }
    for (; i < n; i++) y[i] = exp(x[i]);
}

/* sigmoid: t = e^-|x|, then 1 / (1 + t) for x >= 0 and t / (1 + t) below, one division */
void wg_f64_vsigmoid(size_t n, const double *x, double *y) {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        f64x2 v;
        memcpy(&v, x + i, sizeof v);
        f64x2 a = d_from_ubits(d_ubits(v) & 0x7fffffffffffffffull);
        f64x2 t = exp2x(-a);
        i64x2 negative = v < d_splat(0.0);
        f64x2 num = d_from_ubits((d_ubits(t) & (u64x2)negative) | (d_ubits(d_splat(1.0)) & ~(u64x2)negative));
        f64x2 r = num / (d_splat(1.0) + t);
        if (!all_in_exp_range(-a)) r = (f64x2){ sigmoid_scalar(v[0]), sigmoid_scalar(v[1]) };
        memcpy(y + i, &r, sizeof r);
    }
    for (; i < n; i++) y[i] = sigmoid_scalar(x[i]);
}

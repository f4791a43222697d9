/* pow_f64.c: float64 x^y for any exponent, two lanes at a time (f64x2), within 1 ulp.
 *
 * x^y = e^(y log x) needs log x to ~2^-66 relative: |y log x| reaches 745 before the result
 * underflows, and an error e in y log x is a relative error e in x^y. So, as in the scalar pow
 * of src/libm/exp_log.c (whose method and tables these are):
 *   log x = k ln2 + log c + 2 atanh(s), x = 2^k m, c = j/32 nearest m, s = (m - c)/(m + c),
 *   |s| < 2^-6.5, carried as hi + lo, hi cut to 26 bits; y log x as z + z_lo from exact
 *   products of y's halves with hi (SIMD128 has no FMA for Dekker's product);
 *   e^(z + z_lo) = 2^(n/8) e^r, |r| <= ln2/16, with z_lo folded into r.
 * The lanes it covers: |x| >= DBL_MIN finite (x < 0 when y is an integer below 2^51: the sign
 * by its parity), and y log x in [-708, 709.7], where the result is a normal double. The others
 * (zeros, infinities, NaN, denormal x or results, overflow, x < 0 with y not an integer) are
 * left to the scalar pow, which holds C's special cases. */
#include <math.h>
#include <string.h>
#include "kernels.h"
#include "../simd/vec64.h"
#include "exp_log_f64x2.h"
#include "pow_tables.h"

/* log(j/32) = hi, lo for j = 23..45 (mpmath) */
const double wg_log_j32[23][2] = {
    {-0x1.522ae0738a3d8p-2, 0x1.8f7e9b38a6979p-57},  {-0x1.269621134db92p-2, -0x1.e0efadd9db02bp-56},
    {-0x1.f991c6cb3b379p-3, -0x1.f665066f980a2p-57}, {-0x1.a93ed3c8ad9e3p-3, -0x1.bcafa9de97203p-57},
    {-0x1.5bf406b543db2p-3, 0x1.1f5b44c0df7e7p-61},  {-0x1.1178e8227e47cp-3, 0x1.0e63a5f01c691p-58},
    {-0x1.9335e5d594989p-4, 0x1.478a85704ccb7p-58},  {-0x1.08598b59e3a07p-4, 0x1.dd7009902bf32p-58},
    {-0x1.0415d89e74444p-5, -0x1.c05cf1d753622p-59}, {0, 0},
    {0x1.f829b0e783300p-6, 0x1.33e3f04f1ef23p-60},   {0x1.f0a30c01162a6p-5, 0x1.85f325c5bbacdp-59},
    {0x1.6f0d28ae56b4cp-4, -0x1.906d99184b992p-58},  {0x1.e27076e2af2e6p-4, -0x1.61578001e0162p-60},
    {0x1.29552f81ff523p-3, 0x1.301771c407dbfp-57},   {0x1.5ff3070a793d4p-3, -0x1.bc60efafc6f6ep-58},
    {0x1.9525a9cf456b4p-3, 0x1.d904c1d4e2e26p-57},   {0x1.c8ff7c79a9a22p-3, -0x1.4f689f8434012p-57},
    {0x1.fb9186d5e3e2bp-3, -0x1.caaae64f21acbp-57},  {0x1.1675cababa60ep-2, 0x1.ce63eab883717p-61},
    {0x1.2e8e2bae11d31p-2, -0x1.8f4cdb95ebdf9p-56},  {0x1.4618bc21c5ec2p-2, 0x1.f42decdeccf1dp-56},
    {0x1.5d1bdbf5809cap-2, 0x1.4236383dc7fe1p-56},
};

/* 2^(j/8) = hi, lo for j = 0..7 (mpmath) */
const double wg_exp2_j8[8][2] = {
    {0x1p+0, 0},                                   {0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55},
    {0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55}, {0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56},
    {0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54}, {0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54},
    {0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54},  {0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55},
};

/* row idx[k] of a {hi, lo} table for lane k: one 16-byte load a lane and two shuffles (no
 * gather in SIMD128) */
static inline void table_pair(const double (*t)[2], u64x2 idx, f64x2 *hi, f64x2 *lo) {
    f64x2 a, b;
    memcpy(&a, t[(size_t)idx[0]], sizeof a);
    memcpy(&b, t[(size_t)idx[1]], sizeof b);
    *hi = __builtin_shufflevector(a, b, 0, 2);
    *lo = __builtin_shufflevector(a, b, 1, 3);
}


/* a + b = s + *err exactly, for |a| >= |b| or a = 0 */
static inline f64x2 fast_two_sum(f64x2 a, f64x2 b, f64x2 *err) {
    f64x2 s = a + b;
    *err = (a - s) + b;
    return s;
}

/* log x = hi + *lo for x >= DBL_MIN finite, relative error < 2^-66; hi has 26 significant bits
 * (so that y hi splits into two exact products) */
static inline f64x2 log_dd(f64x2 x, f64x2 *lo) {
    f64x2 k, f = log_reduce2x(x, &k), m = f + d_splat(1.0); /* m in [sqrt(1/2), sqrt(2)), both exact */
    f64x2 t = f * d_splat(32.0) + d_splat(D_ROUND_MAGIC);   /* j - 32 = round(32 f), in [-9, 13] */
    f64x2 c1 = (t - d_splat(D_ROUND_MAGIC)) * d_splat(0x1p-5), c = c1 + d_splat(1.0); /* c - 1, c */
    f64x2 log_hi, log_lo;
    table_pair(wg_log_j32, d_ubits(t) - d_ubits(d_splat(D_ROUND_MAGIC - 9)), &log_hi, &log_lo);
    f64x2 u = f - c1, v = m + c;                            /* u = m - c exactly */
    f64x2 v_hi = d_head(v, 32), v_lo = m - (v_hi - c);         /* v = m + c exactly */
    /* w = 2s = w_hi + w_lo: w_hi v_hi is exact, and so is 2u minus it */
    f64x2 inv = d_splat(1.0) / v, u2 = u + u, w = u2 * inv, w_hi = d_head(w, 32);
    f64x2 w_lo = ((u2 - w_hi * v_hi) - w_hi * v_lo) * inv;
    /* 2 atanh s = w + w^3/12 + w^5/80 + w^7/448 + w^9/2304 (the next term is < 2^-68 w) */
    f64x2 ww = w * w;
    f64x2 tail = w * ww * (d_splat(0x1.5555555555555p-4) + ww * (d_splat(0x1.999999999999ap-7) +
                           ww * (d_splat(0x1.2492492492492p-9) + ww * d_splat(0x1.c71c71c71c71cp-12))));
    /* k ln2 + log c + w_hi: each term smaller than the sum before it (|k ln2| >= 0.69 > |log c|
       >= 0.03 > |w| or the sum before is 0), so Fast2Sum keeps what the roundings lose */
    f64x2 e1, e2;
    f64x2 h = fast_two_sum(k * d_splat(0x1.62e42feep-1), log_hi, &e1);
    h = fast_two_sum(h, w_hi, &e2);
    f64x2 l = k * d_splat(0x1.a39ef35793c76p-33) + log_lo + e1 + e2 + w_lo + tail;
    f64x2 hi = d_head(h + l, 27);
    *lo = (h - hi) + l; /* |l| < 2^-13 |h|: h - hi is exact */
    return hi;
}

/* e^(z + z_lo) for z in [-708, 709.7] (other lanes: anything) and |z_lo| tiny next to z:
 * z = (8 k + j) ln2/8 + r, e^z = 2^k 2^(j/8) e^r, e^r - 1 by its Taylor polynomial of degree 8
 * (|r| <= ln2/16: truncation < 2^-59) in Estrin's order; rounded once at the end */
static inline f64x2 exp_dd(f64x2 z, f64x2 z_lo) {
    f64x2 t = z * d_splat(0x1.71547652b82fep+3) + d_splat(D_ROUND_MAGIC);
    u64x2 n = d_ubits(t) - d_ubits(d_splat(D_ROUND_MAGIC));
    f64x2 nd = t - d_splat(D_ROUND_MAGIC);
    /* nd ln2_hi/8 has <= 46 bits and is within a factor 2 of z: the difference is exact */
    f64x2 r = (z - nd * d_splat(0x1.62e42feep-4)) - (nd * d_splat(0x1.a39ef35793c76p-36) - z_lo);
    f64x2 r2 = r * r, r4 = r2 * r2;
    f64x2 p = r + r2 * (d_splat(0.5) + r * d_splat(0x1.5555555555555p-3)) +
              r4 * ((d_splat(0x1.5555555555555p-5) + r * d_splat(0x1.1111111111111p-7)) +
                    r2 * (d_splat(0x1.6c16c16c16c17p-10) + r * d_splat(0x1.a01a01a01a01ap-13)) +
                    r4 * d_splat(0x1.a01a01a01a01ap-16));
    f64x2 t_hi, t_lo;
    table_pair(wg_exp2_j8, n & 7, &t_hi, &t_lo);
    /* times 2^k, n = 8 k + j: k added to the exponent field (the result is normal) */
    return d_from_ubits(d_ubits(t_hi + (t_hi * p + t_lo)) + ((n & ~7ull) << 49));
}

/* x^y where the lanes are covered; elsewhere a NaN, and *inside cleared */
static inline f64x2 pow2x(f64x2 x, f64x2 y, i64x2 *inside) {
    /* y an integer: y + 1.5 2^52 has it in its low bits (|y| < 2^51), the last one its parity */
    f64x2 ay = d_abs(y), ax = d_abs(x);
    f64x2 yt = y + d_splat(D_ROUND_MAGIC);
    i64x2 y_int = ((yt - d_splat(D_ROUND_MAGIC)) == y) & (ay < d_splat(0x1p51));
    u64x2 sign = (d_ubits(yt) << 63) & d_signbit(x);
    /* y log x = z + z_lo: y = y_hi + y_lo in 26 and 27 bits, both products with l_hi exact */
    f64x2 l_lo, l_hi = log_dd(ax, &l_lo), y_hi = d_head(y, 27) /* 26 bits */;
    f64x2 p1 = y_hi * l_hi, p2 = (y - y_hi) * l_hi, z_lo;
    f64x2 z = fast_two_sum(p1, p2, &z_lo);
    z_lo += y * l_lo;
    i64x2 in = (ax >= d_splat(0x1p-1022)) & (ax < d_splat(INFINITY)) & ((x > d_splat(0.0)) | y_int) &
               (z >= d_splat(-708.0)) & (z <= d_splat(709.7));
    *inside &= in;
    /* a select, not an OR with ~in: clang rebuilds a negated mask with i64x2.shr_s (slow in V8) */
    return d_select(in, d_from_ubits(d_ubits(exp_dd(z, z_lo)) ^ sign), d_splat(NAN));
}

/* two doubles stride apart (1: one load) */
static inline f64x2 d_gather(const double *p, ptrdiff_t stride) {
    if (stride == 1) { f64x2 v; memcpy(&v, p, sizeof v); return v; }
    return (f64x2){ p[0], p[stride] };
}

/* n a multiple of 2; no calls inside (V8 would spill and rebuild every constant around them).
 * Returns whether any lane was left to the scalar pow (NaN in out). */
__attribute__((noinline)) static int pow_lanes(size_t n, const double *a, ptrdiff_t sa, const double *b,
                                                ptrdiff_t sb, double *out) {
    i64x2 inside = { -1, -1 };
    for (size_t i = 0; i < n; i += 2) {
        f64x2 r = pow2x(d_gather(a + i * sa, sa), d_gather(b + i * sb, sb), &inside);
        memcpy(out + i, &r, sizeof r);
    }
    return (inside[0] & inside[1]) == 0;
}

/* out does not overlap a or b. An odd last element goes through the vector code too, so that
 * a value's result does not depend on where it stands. */
void wg_f64_vpow(size_t n, const double *a, ptrdiff_t sa, const double *b, ptrdiff_t sb, double *out) {
    size_t even = n & ~(size_t)1;
    int patch = pow_lanes(even, a, sa, b, sb, out);
    if (even < n) {
        double x[2] = { a[even * sa], 1 }, y[2] = { b[even * sb], 1 }, r[2];
        patch |= pow_lanes(2, x, 1, y, 1, r);
        out[even] = r[0];
    }
    if (patch)
        for (size_t i = 0; i < n; i++)
            if (isnan(out[i])) out[i] = pow(a[i * sa], b[i * sb]);
}

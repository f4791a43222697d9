/* exp_log.c: exp, log, log2 and pow for the wasm builds, replacing the C library's.
 *
 * Why: musl's versions look up 128-entry tables (exp, log, log2 and pow: 12.7 KB of data
 * that gzip cannot shrink), a quarter of the download. Here: log and log2 are table-free
 * (fdlibm's method and minimax coefficients); exp uses 2^(j/8) for j < 8 and a Taylor
 * polynomial (no division: fdlibm's rational form was twice as slow as musl's exp in V8);
 * pow carries log x in double-double through log(j/32) for 23 values of j. All below 1 ulp
 * (max 0.97 for exp and 0.99 for pow over 40,000 and 65,000 points against mpmath); in V8,
 * per element, exp 5.3 ns (musl 3.6), log 7.7 (4.4), log2 8.8 (5.5), pow 29 (13).
 * tests/js/libm.test.mjs checks them. Only the wasm builds compile this directory
 * (CMakeLists.txt): natively the C library's functions stay, and the C tests use them.
 *
 * No errno, no floating-point exception flags: WebAssembly has neither. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "../kernels/pow_tables.h" /* 2^(j/8) and log(j/32) in two parts, shared with pow_f64.c */

static inline uint64_t bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double from_bits(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
/* x with its low 32 significand bits cleared: 21 significant bits, so a product of two of
 * these is exact */
static inline double trunc21(double x) { return from_bits(bits(x) & 0xffffffff00000000ull); }

/* ln 2 = LN2_HI + LN2_LO; LN2_HI has 32 significant bits, so k * LN2_HI is exact for |k| < 2^21 */
static const double LN2_HI = 0x1.62e42feep-1, LN2_LO = 0x1.a39ef35793c76p-33;

/* ---- exp ------------------------------------------------------------------------------ */

/* y * 2^k for y in [0.5, 2.1] and -1080 < k < 1030: one rounding, also into subnormals */
static inline double scale(double y, int k) {
    if ((unsigned)(k + 1021) <= 2044) return y * from_bits((uint64_t)(k + 1023) << 52); /* normal 2^k */
    if (k > 0) return y * 2 * 0x1p1023;
    return y * from_bits((uint64_t)(k + 1000 + 1023) << 52) * 0x1p-1000;
}

/* exp(x + xl) for x in [-746, 710] and |xl| tiny next to x (pow passes the low part of
 * y log x). x = (8k + j) ln2/8 + r with |r| <= ln2/16, exp(x) = 2^k 2^(j/8) e^r, and e^r - 1
 * by its Taylor polynomial of degree 8 (truncation error < 2^-59). An 8-entry table instead
 * of none: no division (fdlibm's rational form took twice the time of musl's exp). */
static inline double exp_core(double x, double xl) {
    /* n = round(x 8/ln2): adding 1.5 * 2^52 rounds to an integer, n is then in the low bits */
    const double SHIFT = 0x1.8p52;
    double nd = x * 0x1.71547652b82fep+3 + SHIFT;
    int n = (int)(uint32_t)bits(nd);
    nd -= SHIFT;
    double hi = x - nd * (LN2_HI / 8); /* exact: nd * LN2_HI has <= 46 bits and cancels with x */
    double r = hi - (nd * (LN2_LO / 8) - xl);
    /* Estrin's scheme: a shorter dependency chain than Horner's, which set the speed */
    double r2 = r * r, r4 = r2 * r2;
    double p = r + r2 * (0.5 + r * 0x1.5555555555555p-3) +
               r4 * ((0x1.5555555555555p-5 + r * 0x1.1111111111111p-7) +
                     r2 * (0x1.6c16c16c16c17p-10 + r * 0x1.a01a01a01a01ap-13) + r4 * 0x1.a01a01a01a01ap-16);
    const double *t = wg_exp2_j8[n & 7];
    return scale(t[0] + (t[0] * p + t[1]), n >> 3);  /* t (1 + p), rounded once */
}

double exp(double x) {
    if (x != x) return x;
    if (x > 0x1.62e42fefa39efp+9) return INFINITY;     /* above log(DBL_MAX) */
    if (x < -0x1.74910d52d3051p+9) return 0;           /* below log(2^-1075) */
    return exp_core(x, 0);
}

/* ---- log, log2 ------------------------------------------------------------------------- */

/* x = 2^k m with m in [sqrt(1/2), sqrt(2)), for x > 0 finite (subnormals too) */
static double reduce(double x, int *k) {
    uint64_t ix = bits(x);
    int e = 0;
    if (ix < 0x0010000000000000ull) { ix = bits(x * 0x1p54); e = -54; }
    /* Shift the high word so that sqrt(1/2)'s lands on 1.0's: the exponent field is then k,
     * and putting back the offset rebuilds m. */
    uint32_t hx = (uint32_t)(ix >> 32) + (0x3ff00000 - 0x3fe6a09e);
    *k = e + (int)(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffff) + 0x3fe6a09e;
    return from_bits((uint64_t)hx << 32 | (ix & 0xffffffff));
}

/* With m = 1 + f from reduce: log(m) = f - f^2/2 + s (f^2/2 + R), s = f / (2 + f), where
 * R approximates log(1+f) - 2s - ... by a minimax polynomial in s^2 (error < 2^-58).
 * Returns s (f^2/2 + R) and sets *hfsq = f^2/2. */
static double log_tail(double f, double *hfsq) {
    double s = f / (2 + f), z = s * s, w = z * z;
    double t1 = w * (0x1.999999997fa04p-2 + w * (0x1.c71c51d8e78afp-3 + w * 0x1.39a09d078c69fp-3));
    double t2 = z * (0x1.5555555555593p-1 + w * (0x1.2492494229359p-2 + w * (0x1.7466496cb03dep-3 +
                w * 0x1.2f112df3e5244p-3)));
    *hfsq = 0.5 * f * f;
    return s * (*hfsq + t1 + t2);
}

/* The cases log and log2 share: NaN for x < 0, -inf at 0, x itself for +inf and NaN.
 * Returns false when *out holds the answer. */
static int log_domain(double x, double *out) {
    if (x > 0 && x < INFINITY) return 1;
    *out = x == 0 ? -INFINITY : x < 0 ? NAN : x;
    return 0;
}

double log(double x) {
    double out, hfsq;
    if (!log_domain(x, &out)) return out;
    int k;
    double f = reduce(x, &k) - 1, dk = k;
    double t = log_tail(f, &hfsq);
    return t + dk * LN2_LO - hfsq + f + dk * LN2_HI;
}

/* log2 = log / ln2 with log(m) split into hi + lo first, hi short enough for an exact
 * product with the high part of 1/ln2, so that k + log2(m) loses nothing to rounding */
double log2(double x) {
    double out, hfsq;
    if (!log_domain(x, &out)) return out;
    int k;
    double f = reduce(x, &k) - 1;
    double t = log_tail(f, &hfsq);
    double hi = trunc21(f - hfsq);
    double lo = (f - hi) - hfsq + t;
    const double IVLN2_HI = 0x1.7154765200000p+0, IVLN2_LO = 0x1.705fc2eefa200p-33;
    double vhi = hi * IVLN2_HI, vlo = (lo + hi) * IVLN2_LO + lo * IVLN2_HI;
    double dk = k, w = dk + vhi;
    vlo += (dk - w) + vhi;
    return vlo + w;
}

/* ---- pow ------------------------------------------------------------------------------- */

/* s = a + b exactly as s + *err */
static inline double two_sum(double a, double b, double *err) {
    double s = a + b, bb = s - a;
    *err = (a - (s - bb)) + (b - bb);
    return s;
}

/* log(x) = hi + *lo with a relative error below 2^-66, for x > 0 finite. pow needs it: an
 * error e in log x becomes a relative error |y log x| e <= 745 e in x^y.
 * x = 2^k m, c = j/32 nearest m: log x = k ln2 + log c + log(m/c), and
 * log(m/c) = 2 atanh(s) = 2s + 2s^3/3 + 2s^5/5 + ..., s = (m - c)/(m + c), |s| < 2^-6.5,
 * with s itself carried as s_h + s_l. */
static double log_dd(double x, double *lo) {
    int k;
    double m = reduce(x, &k);
    int j = (int)rint(m * 32);
    double c = j * 0x1p-5;
    double u = m - c, v = m + c;          /* u is exact (Sterbenz) */
    double t_h = trunc21(v);
    double t_l = m - (t_h - c);           /* v = t_h + t_l exactly */
    double inv = 1 / v;                   /* one division; s_l corrects s's rounding */
    double s = u * inv, s_h = trunc21(s);
    double s_l = ((u - s_h * t_h) - s_h * t_l) * inv; /* s_h * t_h is exact, and so is u minus it */
    double z = s * s;
    double tail = s * z * (0x1.5555555555555p-1 + z * (0x1.999999999999ap-2 + z * (0x1.2492492492492p-2 +
                  z * 0x1.c71c71c71c71cp-3)));  /* 2/3, 2/5, 2/7, 2/9 */
    double dk = k, e1, e2;
    double h = two_sum(dk * LN2_HI, wg_log_j32[j - 23][0], &e1);
    h = two_sum(h, 2 * s_h, &e2);
    double l = dk * LN2_LO + wg_log_j32[j - 23][1] + e1 + e2 + 2 * s_l + tail;
    double hi = h + l;
    *lo = l - (hi - h);
    return hi;
}

/* a * b = p + *err exactly (Dekker: both split into 26-bit halves; no overflow for the
 * magnitudes pow passes) */
static inline double two_prod(double a, double b, double *err) {
    const double SPLIT = 0x1p27 + 1;
    double p = a * b;
    double ta = SPLIT * a, ah = ta - (ta - a), al = a - ah;
    double tb = SPLIT * b, bh = tb - (tb - b), bl = b - bh;
    *err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    return p;
}

/* C99 Annex F's special cases, then x^y = exp(y log x) with log in double-double */
double pow(double x, double y) {
    if (y == 0 || x == 1) return 1;  /* even for NaN */
    if (x != x || y != y) return x + y;
    double ax = fabs(x), ay = fabs(y);
    if (ay == INFINITY) return ax == 1 ? 1 : (ax > 1) == (y > 0) ? INFINITY : 0;
    double sign = 1;
    if (!(x > 0 && x < INFINITY)) { /* zeros, infinities and x < 0: the sign and parity of y matter */
        int y_int = rint(y) == y;
        int y_odd = y_int && ay < 0x1p53 && rint(y * 0.5) != y * 0.5;
        if (signbit(x) && y_odd) sign = -1;
        if (ax == 0) return sign * (y < 0 ? INFINITY : 0);
        if (ax == INFINITY) return sign * (y < 0 ? 0 : INFINITY);
        if (!y_int) return NAN;  /* x < 0 */
    }
    double l_lo, l_hi = log_dd(ax, &l_lo);
    double z = y * l_hi;
    if (z > 710) return sign * INFINITY;  /* past the overflow and underflow thresholds */
    if (z < -746) return sign * 0;       /* (also catches y * l_hi = +-inf) */
    double z_lo, z_hi = two_prod(y, l_hi, &z_lo); /* |y| < 2^63 here: no overflow */
    z_lo += y * l_lo;
    return sign * exp_core(z_hi, z_lo);
}

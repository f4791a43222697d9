/* vmath_f64_inv.c: float64 cbrt, 1/cbrt, arctan, arcsin, arccos and arctan2 two lanes at a time
 * (f64x2), within 1 ulp. Three cores: cbrt_core (cube roots), atan2_core (arctan, arctan2) and
 * asin_core (arcsin, arccos). As in vmath_f64.c, lanes outside a kernel's range (zeros, infinities,
 * NaN, |x| >= 1 for arcsin/arccos) are patched afterwards with libm, which sets their values. */
#include <math.h>
#include <string.h>
#include "kernels.h"
#include "../simd/vec64.h"
#include "vmap64.h"


/* atan2(num, den) for num, den >= 0, or pi minus it where neg. fdlibm's atan intervals of t = num / den
 * (cut at 7/16, 11/16, 19/16, 39/16) as one rotation: u = (a num - b den) / (a den + b num) =
 * tan(atan t - atan(b/a)) with (a, b) = (1, 0), (2, 1), (1, 1), (1, 2), (0, 1), so |u| <= 7/16,
 * and a num - b den is exact (Sterbenz) for atan2 too, where den is not 1. atan(b/a) and pi
 * have 26-bit heads: pi - head is exact, and the sum rounds once, last. atan u = u - u z P(z),
 * z = u^2, with fdlibm's coefficients (error 2^-57.6 relative). */
#define ATAN_HALF_HI 0x1.dac6708p-2
#define ATAN_HALF_LO -0x1.4f22584ba901cp-29
#define PIO4_HI 0x1.921fb58p-1
#define PIO4_LO -0x1.dde973dcb3b3ap-28
#define ATAN_TWO_HI 0x1.1b6e19p+0
#define ATAN_TWO_LO 0x1.75df2236368cdp-27
#define PIO2_HI 0x1.921fb58p+0
#define PIO2_LO -0x1.dde973dcb3b3ap-27
#define PI_HI 0x1.921fb58p+1
#define PI_LO -0x1.dde973dcb3b3ap-26
static inline f64x2 atan2_core(f64x2 num, f64x2 den, i64x2 neg, int fix) {
    const f64x2 one = d_splat(1.0);
    i64x2 m1 = num > den * d_splat(0.4375), m2 = num > den * d_splat(0.6875); /* 0 / 0 would be NaN */
    i64x2 m3 = num > den * d_splat(1.1875), m4 = num > den * d_splat(2.4375);
    /* each interval adds its step on the one below (the masks are nested) */
    f64x2 a = ((one + d_and(one, m1)) - d_and(one, m2)) - d_and(one, m4);
    f64x2 b = (d_and(one, m1) + d_and(one, m3)) - d_and(one, m4);
    f64x2 hi = ((d_and(d_splat(ATAN_HALF_HI), m1) + d_and(d_splat(PIO4_HI - ATAN_HALF_HI), m2)) +
                d_and(d_splat(ATAN_TWO_HI - PIO4_HI), m3)) + d_and(d_splat(PIO2_HI - ATAN_TWO_HI), m4);
    f64x2 lo = ((d_and(d_splat(ATAN_HALF_LO), m1) + d_and(d_splat(PIO4_LO - ATAN_HALF_LO), m2)) +
                d_and(d_splat(ATAN_TWO_LO - PIO4_LO), m3)) + d_and(d_splat(PIO2_LO - ATAN_TWO_LO), m4);
    f64x2 num_r = a * num - b * den, den_a = a * den, den_b = b * num, den_r = den_a + den_b;
    f64x2 u = num_r / den_r;
    /* fix: what the roundings of den_r and u lost, as a correction to atan u: d = num_r - u (den_r + den_e)
     * exactly (den_e by TwoSum, u den_r by Dekker's split), atan(u + d/den_r) = atan u + d / (den_r (1 + u^2)).
     * Without it a quotient just above a power of 2 whose arctan is just below it was 2 ulp off (arctan
     * has no such quotient: den = 1, num_r is x where den_r is 1; it goes without, 40% faster).
     * Left out where |num_r| < 2^-968 (products with denormal results are not exact): there |u| < 2^-68
     * or the result is near a base of at least 0.46, so the correction is below its last place
     * (atan2 leaves lanes with both |y| and |x| below 2^-900 to libm). */
    f64x2 du = d_splat(0.0);
    if (fix) {
        f64x2 back = den_r - den_a, den_e = (den_a - (den_r - back)) + (den_b - back);
        f64x2 u1 = d_head(u, 27), u2 = u - u1, d1 = d_head(den_r, 27), d2 = den_r - d1;
        f64x2 rem = ((((num_r - u1 * d1) - u1 * d2) - u2 * d1) - u2 * d2) - u * den_e;
        du = d_and(rem / (den_r + u * num_r), d_abs(num_r) >= d_splat(0x1p-968));
    }
    u64x2 flip = (u64x2)neg & D_SIGN; /* pi - (base + atan u) */
    f64x2 su = d_xor(u, flip);
    f64x2 base_hi = d_and(d_splat(PI_HI), neg) + d_xor(hi, flip);
    f64x2 base_lo = d_and(d_splat(PI_LO), neg) + d_xor(lo, flip);
    f64x2 z = u * u, w = z * z, w2 = w * w; /* P(z) in Estrin's order: 5% faster than fdlibm's two chains */
    f64x2 p = (((d_splat(3.33333333333329318027e-01) + z * d_splat(-1.99999999998764832476e-01)) +
                w * (d_splat(1.42857142725034663711e-01) + z * d_splat(-1.11111104054623557880e-01))) +
               w2 * ((d_splat(9.09088713343650656196e-02) + z * d_splat(-7.69187620504482999495e-02)) +
                     w * (d_splat(6.66107313738753120669e-02) + z * d_splat(-5.83357013379057348645e-02)))) +
              (w2 * w2) * ((d_splat(4.97687799461593236017e-02) + z * d_splat(-3.65315727442169155270e-02)) +
                           w * d_splat(1.62858201153657823623e-02));
    return base_hi + (su + ((base_lo + d_xor(du, flip)) - su * (z * p)));
}

static inline f64x2 atan2x(f64x2 x) {
    return d_xor(atan2_core(d_abs(x), d_splat(1.0), (i64x2){ 0, 0 }, 0), d_signbit(x));
}
static inline i64x2 is_finite(f64x2 x) { return d_abs(x) < d_splat(INFINITY); }

/* arcsin and arccos share fdlibm's pieces: for a = |x| <= 1/2, z = a^2; above, z = (1 - a)/2 (exact)
 * and s = sqrt z, with df = s cut to 21 bits and c = (z - df^2) / (s + df), so that df + c is s to
 * far more than a double (df^2 is exact). r = R(z) = z P(z) / Q(z) is fdlibm's rational fit of
 * asin(sqrt z) / sqrt z - 1 (error 2^-60). Both functions then take fdlibm's formulas as selects:
 * fdlibm's asin and acos are within 1 ulp, and so are these (the sweep: see the tests). */
#define PIO2_1 1.57079632679489655800e+00  /* pi/2 rounded */
#define PIO2_1T 6.12323399573676603587e-17 /* pi/2 - PIO2_1 */
#define PIO4_1 7.85398163397448278999e-01
static inline i64x2 asin_core(f64x2 a, f64x2 *r, f64x2 *s, f64x2 *df, f64x2 *c) {
    i64x2 big = a > d_splat(0.5);
    f64x2 z = d_select(big, d_splat(0.5) - d_splat(0.5) * a, a * a);
    f64x2 p = z * (d_splat(1.66666666666666657415e-01) +
                   z * (d_splat(-3.25565818622400915405e-01) +
                        z * (d_splat(2.01212532134862925881e-01) +
                             z * (d_splat(-4.00555345006794114027e-02) +
                                  z * (d_splat(7.91534994289814532176e-04) + z * d_splat(3.47933107596021167570e-05))))));
    f64x2 q = d_splat(1.0) + z * (d_splat(-2.40339491173441421878e+00) +
                                  z * (d_splat(2.02094576023350569471e+00) +
                                       z * (d_splat(-6.88283971605453293030e-01) + z * d_splat(7.70381505559019352791e-02))));
    *r = p / q;
    *s = d_sqrt(z);
    *df = d_head(*s, 32);
    *c = (z - *df * *df) / (*s + *df);
    return big;
}

/* |x| <= 1/2: a + a r; above: pi/2 - 2 asin s, as pi/4 - ((2 s r - (PIO2_1T - 2c)) - (pi/4 - 2 df)) */
static inline f64x2 asin2x(f64x2 x) {
    f64x2 a = d_abs(x), r, s, df, c;
    i64x2 big = asin_core(a, &r, &s, &df, &c);
    f64x2 sr = s * r;
    f64x2 hi = d_splat(PIO4_1) - (((sr + sr) - (d_splat(PIO2_1T) - (c + c))) - (d_splat(PIO4_1) - (df + df)));
    return d_xor(d_select(big, hi, a + a * r), d_signbit(x));
}

/* |x| <= 1/2: pi/2 - (x - (PIO2_1T - x r)); x > 1/2: 2 (df + (s r + c)); x < -1/2: pi - 2 (s + (s r - PIO2_1T)) */
static inline f64x2 acos2x(f64x2 x) {
    f64x2 r, s, df, c;
    i64x2 big = asin_core(d_abs(x), &r, &s, &df, &c);
    f64x2 sr = s * r;
    f64x2 pos = d_splat(2.0) * (df + (sr + c)), neg = d_splat(2 * PIO2_1) - d_splat(2.0) * (s + (sr - d_splat(PIO2_1T)));
    f64x2 mid = d_splat(PIO2_1) - (x - (d_splat(PIO2_1T) - x * r));
    return d_select(big, d_select(x > d_splat(0.0), pos, neg), mid);
}
static inline i64x2 in_asin_range(f64x2 x) { return d_abs(x) < d_splat(1.0); }

/* cbrt |x| = 2^q (t + t r) with t, r set here (r ~ 2^-24), for |x| nonzero and finite. |x| =
 * 2^(3q + k) m, m in [1, 2), k in {0, 1, 2} (normal |x|: see cbrt_lane); cbrt m by a
 * degree-6 Chebyshev fit (2^-22), times cbrt 2^k, rounded to t of 24 bits; then one Halley step
 * on M = 2^k m: cbrt M = t (1 + r), r = (M - t^3) / (2 t^3 + M) + O(2^-64), with M - t^3 exact
 * (t^2 is exact, split in two halves whose products with t are exact; Sterbenz for the rest). */
static inline f64x2 cbrt_core(f64x2 ax, f64x2 *r, u64x2 *q) {
    u64x2 bits = d_ubits(ax), mant = bits & 0x000fffffffffffffull;
    const f64x2 magic = d_splat(D_ROUND_MAGIC);
    f64x2 e = d_from_ubits((bits >> 52) + d_ubits(magic)) - d_splat(D_ROUND_MAGIC + 1023); /* the exponent */
    f64x2 qm = (e - d_splat(1.0)) * d_splat(1.0 / 3) + magic, kd = e - d_splat(3.0) * (qm - magic); /* 0, 1, 2 */
    *q = d_ubits(qm) - d_ubits(magic);
    f64x2 big_m = d_from_ubits(mant | ((d_ubits(kd + magic) - d_ubits(magic) + 1023) << 52));
    f64x2 f = d_from_ubits(mant | (1023ull << 52)) - d_splat(1.5), f2 = f * f, f4 = f2 * f2;
    f64x2 p = ((d_splat(1.1447142425533319) + f * d_splat(0.2543834538641129)) +
               f2 * (d_splat(-0.05653050145458267) + f * d_splat(0.020857149295410677))) +
              f4 * ((d_splat(-0.009260767947361154) + f * d_splat(0.005166699418206393)) +
                    f2 * d_splat(-0.002703333870412061));
    p *= d_splat(1.0) + kd * (d_splat(0.2261415738056466) + kd * d_splat(0.03377947608922657)); /* cbrt 2^k */
    f64x2 t = d_from_ubits((d_ubits(p) + (1ull << 28)) & (~0ull << 29));
    f64x2 s = t * t, s_hi = d_head(s, 29), t3 = t * s;
    *r = ((big_m - t * s_hi) - t * (s - s_hi)) / (t3 + t3 + big_m);
    return t;
}
static inline f64x2 pow2i(u64x2 n) { return d_from_ubits((n + 1023) << 52); }

static inline f64x2 cbrt2x(f64x2 x) {
    f64x2 r;
    u64x2 q;
    f64x2 t = cbrt_core(d_abs(x), &r, &q);
    return d_xor((t + t * r) * pow2i(q), d_signbit(x));
}

/* 1 / cbrt: y = 1/t rounded, e = 1 - y t exactly (y split as cbrt_core splits t^2), then
 * 1 / (t (1 + r)) = y (1 + e) (1 - r + r^2) to 2^-70 */
static inline f64x2 rcbrt2x(f64x2 x) {
    f64x2 r;
    u64x2 q;
    f64x2 t = cbrt_core(d_abs(x), &r, &q);
    f64x2 y = d_splat(1.0) / t, y_hi = d_head(y, 29);
    f64x2 e = (d_splat(1.0) - y_hi * t) - (y - y_hi) * t;
    return d_xor((y + y * ((e + r * r) - r)) * pow2i((u64x2){ 0, 0 } - q), d_signbit(x));
}
static inline i64x2 in_cbrt_range(f64x2 x) {
    return (d_abs(x) < d_splat(INFINITY)) & (d_abs(x) >= d_splat(0x1p-1022));
}
/* the other lanes: a denormal scaled by 2^54 goes through the kernel again (a select for them in
 * the loop cost 10%); 0, inf and NaN are their own cube roots */
static double cbrt_lane(double x) {
    if (x == 0 || !(fabs(x) < 0x1p-1022)) return x;
    x *= 0x1p54;
    wg_f64_vcbrt(1, &x, &x);
    return x * 0x1p-18;
}
static double rcbrt_lane(double x) {
    if (x == 0 || !(fabs(x) < 0x1p-1022)) return 1 / x;
    x *= 0x1p54;
    wg_f64_vrcbrt(1, &x, &x);
    return x * 0x1p18;
}

/* +-inf and NaN */
double wg_edge_atan(double x) { return x != x ? x : copysign(0x1.921fb54442d18p+0, x); }
DEFINE_VMAP64(varctan, atan2x, is_finite, wg_edge_atan)
/* |x| >= 1 and NaN: pi/2 and pi rounded, as libm gives them */
double wg_edge_asin(double x) { return fabs(x) == 1 ? copysign(0x1.921fb54442d18p+0, x) : NAN; }
double wg_edge_acos(double x) { return x == 1 ? 0 : x == -1 ? 0x1.921fb54442d18p+1 : NAN; }
DEFINE_VMAP64(varcsin, asin2x, in_asin_range, wg_edge_asin)
DEFINE_VMAP64(varccos, acos2x, in_asin_range, wg_edge_acos)
DEFINE_VMAP64(vcbrt, cbrt2x, in_cbrt_range, cbrt_lane)
DEFINE_VMAP64(vrcbrt, rcbrt2x, in_cbrt_range, rcbrt_lane)

/* arctan2(y, x) = atan2_core(|y|, |x|) with y's sign. Left to libm: NaN, infinities, |y| or |x|
 * above 2^1021 (a den + b num would overflow), and both below 2^-900 (both zero, denormals whose
 * products with the cut-offs lose too much to choose the interval, or too small for the correction
 * of atan2_core). */
static inline f64x2 vatan2(f64x2 y, f64x2 x) {
    return d_xor(atan2_core(d_abs(y), d_abs(x), x < d_splat(0.0), 1), d_signbit(y));
}
static inline i64x2 atan2_inside(f64x2 y, f64x2 x) {
    f64x2 ay = d_abs(y), ax = d_abs(x);
    return (ay <= d_splat(0x1p1021)) & (ax <= d_splat(0x1p1021)) & ((ay >= d_splat(0x1p-900)) | (ax >= d_splat(0x1p-900)));
}

/* atan2 of any pair (those atan2_inside leaves out, and float32's): NaN, infinities and two
 * zeros by their values, as C99 (Annex F) has them; finite pairs through the kernel, scaled by a
 * power of 2 into its range where they are outside it, which keeps their
 * quotient (an operand that underflows there is under 2^-1900 of the other, where atan2 rounds
 * to 0, pi or pi/2 anyway). */
double wg_edge_atan2(double y, double x) {
    const double pi = 0x1.921fb54442d18p+1, pio2 = 0x1.921fb54442d18p+0;
    if (y != y || x != x) return y + x;
    if (isinf(x)) return copysign(isinf(y) ? (x > 0 ? pi / 4 : 3 * pi / 4) : (x > 0 ? 0 : pi), y);
    if (isinf(y)) return copysign(pio2, y);
    if (y == 0 && x == 0) return copysign(signbit(x) ? pi : 0, y);
    double ay = fabs(y), ax = fabs(x), r;
    double scale = ay > 0x1p1021 || ax > 0x1p1021 ? 0x1p-64 : ay < 0x1p-900 && ax < 0x1p-900 ? 0x1p1000 : 1;
    y *= scale;
    x *= scale;
    wg_f64_varctan2(1, &y, 1, &x, 1, &r);
    return r;
}

/* over a run with strides 1 or 0 (one number for the run), as wg_f32_varctan2: no calls in the
 * vector loop, the odd last pair padded with 1, outside lanes redone afterwards */
/* noinline: wg_edge_atan2 calls it for single pairs, and a second inlined copy cost 0.55 KB gzip */
__attribute__((noinline)) void wg_f64_varctan2(size_t n, const double *y, ptrdiff_t sy, const double *x, ptrdiff_t sx,
                                                double *out) {
    i64x2 all_inside = ~(i64x2){ 0, 0 };
    for (size_t i = 0; i < n; i += 2) {
        int whole = i + 2 <= n;
        f64x2 vy = { y[i * sy], whole ? y[(i + 1) * sy] : 1 }, vx = { x[i * sx], whole ? x[(i + 1) * sx] : 1 };
        all_inside &= atan2_inside(vy, vx);
        store_pair(out, i, n, vatan2(vy, vx));
    }
    if (!(all_inside[0] & all_inside[1]))
        for (size_t i = 0; i < n; i++)
            if (!atan2_inside(d_splat(y[i * sy]), d_splat(x[i * sx]))[0]) out[i] = wg_edge_atan2(y[i * sy], x[i * sx]);
}

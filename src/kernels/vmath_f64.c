/* vmath_f64.c: float64 exp, log, sin, cos, tanh, sigmoid, softplus, expm1, log1p, tan and erf
 * two lanes at a time (f64x2), on the exp and log of exp_log_f64x2.h. Lanes outside a kernel's range (results that
 * would be denormal or infinite, NaN, huge sin/cos arguments...) are left to libm, as in
 * vmath_f32.c's DEFINE_VMAP. */
#include <math.h>
#include <string.h>
#include "kernels.h"
#include "../simd/vec64.h"
#include "vmap64.h"
#include "../simd/horner.h"
#include "exp_log_f64x2.h"

/* the lanes exp2x computes: where exp's result is a normal double */
static inline i64x2 in_exp_range(f64x2 x) { return (x >= d_splat(-708.0)) & (x <= d_splat(709.4)); }

/* positive, normal and finite: the lanes log2x computes */
static inline i64x2 in_log_range(f64x2 x) { return (x >= d_splat(0x1p-1022)) & (x < d_splat(INFINITY)); }

/* e^x - 1 = u + u_err (u rounded, u_err what that rounding lost, to first order) for x in
 * [-708, 709.4]: (scale - 1) + scale s_hi + scale s_lo with exp_parts' pieces, each sum's
 * error carried (Fast2Sum where the first term is the larger: for n >= 1, scale - 1 >= scale / 2
 * > |scale s_hi|, for n <= -1 |scale - 1| >= 1/2 > |scale s_hi|, and for n = 0 the sum is exact),
 * and the -1 that scale - 1 drops once n > 53. No cancellation near 0: there u is s itself. */
static inline f64x2 expm1_parts(f64x2 x, f64x2 *u_err) {
    f64x2 scale, s_hi, s_lo;
    exp_parts(x, &scale, &s_hi, &s_lo);
    f64x2 m = scale - d_splat(1.0), hs = scale * s_hi;
    f64x2 m_err = (scale - m) - d_splat(1.0); /* 0, or -1 where 2^n - 1 rounds to 2^n */
    f64x2 u1 = m + hs, rest = (((m - u1) + hs) + scale * s_lo) + m_err;
    f64x2 u = u1 + rest;
    *u_err = (u1 - u) + rest;
    return u;
}

/* expm1: the sign of x copied onto u, which only matters for -0 (the arithmetic gives +0) */
static inline f64x2 expm1_2x(f64x2 x) {
    f64x2 u_err;
    return d_from_ubits(d_ubits(expm1_parts(x, &u_err)) | d_signbit(x));
}

/* tanh |x| = u / (u + 2) with u = e^(2|x|) - 1 from expm1_parts: one formula serves every
 * |x| <= 22, past which tanh rounds to 1 (from 19.06 on; those lanes, inf and NaN are
 * wg_edge_tanh's). The sign is x's.
 * d = u + 2 with its error too (TwoSum), then t = u / d to first order in the error parts.
 * Dropping either error cost up to an ulp of tanh; carried, only the division's rounding is
 * left: within 1 ulp. */
static inline f64x2 tanh2x(f64x2 x) {
    u64x2 sign = d_signbit(x);
    f64x2 a = d_xor(x, sign), u_err;
    f64x2 u = expm1_parts(a + a, &u_err);
    f64x2 d = u + d_splat(2.0), back = d - u;
    f64x2 d_err = ((u - (d - back)) + (d_splat(2.0) - back)) + u_err;
    f64x2 t0 = u / d, t = t0 + (u_err - t0 * d_err) / d;
    return d_from_ubits(d_ubits(t) | sign);
}

static inline i64x2 in_tanh_range(f64x2 x) { return (x <= d_splat(22.0)) & (x >= d_splat(-22.0)); }

/* sigmoid: t = e^-|x|, then 1 / (1 + t) for x >= 0 and t / (1 + t) below, one division */
static inline f64x2 sigmoid2x(f64x2 v) {
    f64x2 a = d_abs(v);
    f64x2 t = exp2x(-a);
    i64x2 negative = v < d_splat(0.0);
    f64x2 num = d_from_ubits((d_ubits(t) & (u64x2)negative) | (d_ubits(d_splat(1.0)) & ~(u64x2)negative));
    return num / (d_splat(1.0) + t);
}
/* |x| <= 708, where e^-|x| is a normal double (sigmoid, softplus) */
static inline i64x2 in_sigmoid_range(f64x2 v) { return (v >= d_splat(-708.0)) & (v <= d_splat(708.0)); }
static double sigmoid_scalar(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

/* log1p: u = 1 + x rounded, reduced as log's argument, with what the rounding lost,
 * c = x - (u - 1) (exact, and so is u - 1), added as c / u among the small terms (fdlibm's
 * log1p). For x in (-1, inf); x's sign is copied on, which only matters for -0. */
static inline f64x2 log1p2x(f64x2 x) {
    f64x2 u = d_splat(1.0) + x, e;
    f64x2 f = log_reduce2x(u, &e);
    f64x2 r = log_join2x(f, e, (x - (u - d_splat(1.0))) / u);
    return d_from_ubits(d_ubits(r) | d_signbit(x));
}
static inline i64x2 in_log1p_range(f64x2 x) { return (x > d_splat(-1.0)) & (x < d_splat(INFINITY)); }

/* softplus: max(x, 0) + log1p(t) with t = e^-|x| in (0, 1] */
/* in two steps (DEFINE_VMAP64_2): e^-|x|, then the rest */
static inline f64x2 softplus_first(f64x2 v) { return exp2x(-d_abs(v)); }
static inline f64x2 softplus_second(f64x2 v, f64x2 t) {
    i64x2 positive = v > d_splat(0.0);
    return d_from_ubits(d_ubits(v) & (u64x2)positive) + log1p2x(t);
}
/* |x| > 708 and NaN: there log1p(e^-|x|) is e^-|x| itself */
static double softplus_scalar(double x) { return x > 0 ? x + exp(-x) : exp(x); }

/* y0 + y1 = |x| - n pi/2, returns n: fdlibm's medium-range reduction with all three of its
 * steps taken always (pi/2 in 33-bit pieces, so each n p is exact for n < 2^20; each step's
 * rounding error is carried into the next: about 150 bits of pi/2, enough near every multiple
 * of pi/2 up to |x| = 8e5, past which libm takes the lanes). */
static inline u64x2 reduce_pio2(f64x2 ax, f64x2 *y0, f64x2 *y1) {
    f64x2 t = ax * d_splat(0.63661977236758134308) + d_splat(D_ROUND_MAGIC);
    f64x2 fn = t - d_splat(D_ROUND_MAGIC);
    f64x2 r1 = ax - fn * d_splat(0x1.921fb544p+0);                       /* exact */
    f64x2 w2 = fn * d_splat(0x1.0b4611a6p-34), r2 = r1 - w2, e2 = (r1 - r2) - w2;
    f64x2 w3 = fn * d_splat(0x1.3198a2ep-69), r3 = r2 - w3, e3 = (r2 - r3) - w3;
    f64x2 c = (e3 + e2) - fn * d_splat(0x1.b839a252049c1p-104);
    *y0 = r3 + c;
    *y1 = (r3 - *y0) + c;
    return d_ubits(t) - d_ubits(d_splat(D_ROUND_MAGIC));
}

/* sin and cos: reduce_pio2, then fdlibm's kernels, which take the tail y1 as a first-order
 * correction: < 1 ulp. */
static inline f64x2 sincos2x(f64x2 x, int shift) {
    u64x2 sign = d_signbit(x);
    f64x2 y0, y1;
    u64x2 n = reduce_pio2(d_xor(x, sign), &y0, &y1);
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
    f64x2 res = d_select(d_wrap((u64x2){ 0, 0 } - (q & 1)), co, s); /* odd quadrants: the other one */
    u64x2 neg = (q << 62) & D_SIGN;                                   /* quadrants 2 and 3: negative */
    if (!shift) neg ^= sign;                                          /* sin is odd */
    return d_xor(res, neg);
}
static inline f64x2 sin2x(f64x2 x) { return sincos2x(x, 0); }
static inline f64x2 cos2x(f64x2 x) { return sincos2x(x, 1); }

DEFINE_HORNER(horner2x, f64x2, double, d_splat)
#define HORNER2X(x, c) horner2x(x, c, HORNER_COUNT(c))

/* tan: reduce_pio2, then fdlibm's __kernel_tan on y0 + y1 with its branches as selects. tan is
 * odd, so it works on |y0| (y1 flipped with it) and puts the sign back last. From |y0| = 0.6744
 * on, y = pi/4 - |y0| and tan(pi/4 - y) = 1 - 2 (tan y - tan^2 y / (1 + tan y)); odd quadrants
 * want -1 / tan, which the bare division gets up to 2 ulp wrong, so one correction step
 * follows it. One division serves both cases. */
static inline f64x2 tan2x(f64x2 x) {
    u64x2 sign = d_signbit(x);
    f64x2 y0, y1;
    u64x2 n = reduce_pio2(d_xor(x, sign), &y0, &y1), ysign = d_signbit(y0);
    f64x2 a = d_xor(y0, ysign), b = d_xor(y1, ysign);
    i64x2 big = a >= d_splat(0x1.59428p-1);
    f64x2 xr = d_select(big, (d_splat(0x1.921fb54442d18p-1) - a) + (d_splat(0x1.1a62633145c07p-55) - b), a);
    f64x2 yr = d_from_ubits(d_ubits(b) & ~(u64x2)big);
    /* tan y = y + y^3 (T0 + z T1 + z^2 T2 + ... + z^12 T12) with z = y^2, in Estrin's order */
    f64x2 z = xr * xr, w = z * z, w2 = w * w, s = z * xr;
    f64x2 p = ((d_splat(1.33333333333201242699e-01) + z * d_splat(5.39682539762260521377e-02)) +
               w * (d_splat(2.18694882948595424599e-02) + z * d_splat(8.86323982359930005737e-03))) +
              w2 * (((d_splat(3.59207910759131235356e-03) + z * d_splat(1.45620945432529025516e-03)) +
                     w * (d_splat(5.88041240820264096874e-04) + z * d_splat(2.46463134818469906812e-04))) +
                    w2 * ((d_splat(7.81794442939557092300e-05) + z * d_splat(7.14072491382608190305e-05)) +
                          w * (d_splat(-1.85586374855275456654e-05) + z * d_splat(2.59073051863633712884e-05))));
    f64x2 r = yr + z * (s * p + yr) + s * d_splat(3.33333333333334091986e-01);
    f64x2 t = xr + r;
    i64x2 odd = d_wrap((u64x2){ 0, 0 } - (n & 1));
    f64x2 one_or_minus = d_from_ubits(d_ubits(d_splat(1.0)) | (n << 63)); /* 1 - 2 (n & 1) */
    f64x2 q = d_select(big, t * t, d_splat(-1.0)) / d_select(big, t + one_or_minus, t);
    f64x2 big_res = one_or_minus - d_splat(2.0) * (xr + (r - q));
    /* -1/t = q0 + q (1 + q0 t0 + q0 v) with q0, t0 the heads of q, t (low 32 bits cleared) */
    const u64x2 head = (u64x2){ 0xffffffff00000000ull, 0xffffffff00000000ull };
    f64x2 t0 = d_from_ubits(d_ubits(t) & head), q0 = d_from_ubits(d_ubits(q) & head);
    f64x2 inv = q0 + q * (d_splat(1.0) + q0 * t0 + q0 * (r - (t0 - xr)));
    return d_xor(d_select(big, big_res, d_select(odd, inv, t)), sign ^ ysign);
}
static inline i64x2 in_trig_range(f64x2 x) { return (x < d_splat(8e5)) & (x > d_splat(-8e5)); }

/* erf: fdlibm's, its intervals as selects, all computed. |x| < 0.84375: x + x P/Q in x^2,
 * computed 8 times larger and scaled back: the same for normal results, and for denormal x the
 * value of the wasm build's libm (musl's 0.125 (8x + 8x efx), where glibc scales by 16 and
 * differs in the last place for 15% of the denormals); below 1.25: erx + P/Q in |x| - 1; then 1 - erfc with erfc = e^(-x^2 - 0.5625 + R/S) / |x|,
 * R/S in 1/x^2 from one of two fits. That erfc is < 0.08, so x^2 rounded is good enough here
 * (where erfc itself would want it in two parts). From 6 on erf rounds to 1: the clamp gives
 * that for +-inf too; NaN is patched. */
static const double erf_pp[] = { -2.37630166566501626084e-05, -5.77027029648944159157e-03, -2.84817495755985104766e-02,
                                 -3.25042107247001499370e-01, 0x1.06eba8214db69p-3 /* libm's efx8 / 8 */ };
static const double erf_qq[] = { -3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03,
                                 6.50222499887672944485e-02, 3.97917223959155352819e-01, 1.0 };
static const double erf_pa[] = { -2.16637559486879084300e-03, 3.54783043256182359371e-02, -1.10894694282396677476e-01,
                                 3.18346619901161753674e-01, -3.72207876035701323847e-01, 4.14856118683748331666e-01,
                                 -2.36211856075265944077e-03 };
static const double erf_qa[] = { 1.19844998467991074170e-02, 1.36370839120290507362e-02, 1.26171219808761642112e-01,
                                 7.18286544141962662868e-02, 5.40397917702171048937e-01, 1.06420880400844228286e-01, 1.0 };
static const double erf_ra[] = { -9.81432934416914548592e+00, -8.12874355063065934246e+01, -1.84605092906711035994e+02,
                                 -1.62396669462573470355e+02, -6.23753324503260060396e+01, -1.05586262253232909814e+01,
                                 -6.93858572707181764372e-01, -9.86494403484714822705e-03 };
static const double erf_sa[] = { -6.04244152148580987438e-02, 6.57024977031928170135e+00, 1.08635005541779435134e+02,
                                 4.29008140027567833386e+02, 6.45387271733267880336e+02, 4.34565877475229228821e+02,
                                 1.37657754143519042600e+02, 1.96512716674392571292e+01, 1.0 };
static const double erf_rb[] = { -4.83519191608651397019e+02, -1.02509513161107724954e+03, -6.37566443368389627722e+02,
                                 -1.60636384855821916062e+02, -1.77579549177547519889e+01, -7.99283237680523006574e-01,
                                 -9.86494292470009928597e-03 };
static const double erf_sb[] = { -2.24409524465858183362e+01, 4.74528541206955367215e+02, 2.55305040643316442583e+03,
                                 3.19985821950859553908e+03, 1.53672958608443695994e+03, 3.25792512996573918826e+02,
                                 3.03380607434824582924e+01, 1.0 };
static inline f64x2 erf2x(f64x2 x) {
    u64x2 sign = d_signbit(x);
    f64x2 ax = d_xor(x, sign);
    f64x2 a = d_select(ax < d_splat(6.0), ax, d_splat(6.0));
    f64x2 z = a * a, t = d_splat(1.0) / z, a8 = d_splat(8.0) * a;
    f64x2 small = d_splat(0.125) * (a8 + a8 * (HORNER2X(z, erf_pp) / HORNER2X(z, erf_qq)));
    f64x2 m = a - d_splat(1.0);
    f64x2 mid = d_splat(8.45062911510467529297e-01) + HORNER2X(m, erf_pa) / HORNER2X(m, erf_qa);
    i64x2 near = a < d_splat(0x1.6db6dp+1); /* 1 / 0.35 */
    f64x2 rs = d_select(near, HORNER2X(t, erf_ra), HORNER2X(t, erf_rb)) / d_select(near, HORNER2X(t, erf_sa), HORNER2X(t, erf_sb));
    f64x2 tail = d_splat(1.0) - exp2x((d_splat(-0.5625) - z) + rs) * (a * t);
    return d_xor(d_select(a < d_splat(0.84375), small, d_select(a < d_splat(1.25), mid, tail)), sign);
}
static inline i64x2 is_number(f64x2 x) { return x == x; }

DEFINE_VMAP64(vexp, exp2x, in_exp_range, exp)
DEFINE_VMAP64(vlog, log2x, in_log_range, log)
DEFINE_VMAP64(vsin, sin2x, in_trig_range, sin)
DEFINE_VMAP64(vcos, cos2x, in_trig_range, cos)
DEFINE_VMAP64(vtanh, tanh2x, in_tanh_range, wg_edge_tanh)
DEFINE_VMAP64(vsigmoid, sigmoid2x, in_sigmoid_range, sigmoid_scalar)
DEFINE_VMAP64_2(vsoftplus, softplus_first, softplus_second, in_sigmoid_range, softplus_scalar)
DEFINE_VMAP64(vexpm1, expm1_2x, in_exp_range, wg_edge_expm1)
DEFINE_VMAP64(vlog1p, log1p2x, in_log1p_range, wg_edge_log1p)
DEFINE_VMAP64(vtan, tan2x, in_trig_range, tan)
DEFINE_VMAP64(verf, erf2x, is_number, wg_edge_erf)

/* ---- log2, log10, arcsinh, arccosh, arctanh, sinh, cosh ----
 * Each carries its argument or result in two parts (hi + lo) where one rounding before the
 * last would cost up to an ulp; products are made exact by splitting factors in halves of
 * 26 and 27 bits with a mask (Dekker's product without the constant multiply). */

/* hi + lo = a b: exact but for al bl's rounding (2^-106 of the product) */
static inline f64x2 two_prod(f64x2 a, f64x2 b, f64x2 *lo) {
    f64x2 ah = d_head(a, 27), al = a - ah;
    f64x2 bh = d_head(b, 27), bl = b - bh, hi = a * b;
    *lo = (((ah * bh - hi) + ah * bl) + al * bh) + al * bl;
    return hi;
}

/* log_b x = e log_b 2 + log(1 + f) / ln b with log(1 + f) = hi + lo, hi the top 21 bits
 * (so hi ivb_hi is exact) and 1 / ln b, log_b 2 in two parts (fdlibm's log2 and log10).
 * log2 of 2^e is e and log10 of 10^k is k (k = 0..22). One loop serves both bases, their
 * constants its arguments (splat once, before the loop): 0.9 KB less than two. */
static inline f64x2 log_base2x(f64x2 x, f64x2 ivb_hi, f64x2 ivb_lo, f64x2 l2_hi, f64x2 l2_lo, f64x2 shift) {
    f64x2 e, hfsq, f = log_reduce2x(x, &e), r = log_poly2x(f, &hfsq);
    e += shift; /* of the exponent, exactly; -0 in the loop, where the compiler drops it */
    f64x2 hi = d_from_ubits(d_ubits(f - hfsq) & 0xffffffff00000000ull), lo = ((f - hi) - hfsq) + r;
    f64x2 y = e * l2_hi, v_hi = hi * ivb_hi, v_lo = e * l2_lo + ((lo + hi) * ivb_lo + lo * ivb_hi);
    f64x2 w = y + v_hi; /* |y| >= 0.3 > |v_hi| unless e = 0: Fast2Sum */
    return (v_lo + ((y - w) + v_hi)) + w;
}
__attribute__((noinline)) static void log_base_map(size_t n, const double *x, double *y, double ivb_hi, double ivb_lo,
                                                   double l2_hi, double l2_lo, double (*scalar)(double)) {
    f64x2 k0 = d_splat(ivb_hi), k1 = d_splat(ivb_lo), k2 = d_splat(l2_hi), k3 = d_splat(l2_lo);
#define LOG_BASE(v) log_base2x(v, k0, k1, k2, k3, d_splat(-0.0))
    VMAP64_LOOP(LOG_BASE, in_log_range, scalar)
#undef LOG_BASE
}
/* the lanes the loop leaves out: NaN, inf, zeros, negatives, and denormals, which go through
 * the formula scaled by 2^54, the exponent shifted back */
__attribute__((noinline)) static double log_base_edge(double x, double ivb_hi, double ivb_lo, double l2_hi, double l2_lo) {
    if (!(x < INFINITY)) return x; /* NaN, inf */
    if (x <= 0) return x == 0 ? -INFINITY : NAN;
    return log_base2x(d_splat(x * 0x1p54), d_splat(ivb_hi), d_splat(ivb_lo), d_splat(l2_hi), d_splat(l2_lo), d_splat(-54.0))[0];
}
#define LOG2_CONSTANTS 0x1.7154765200000p+0, 0x1.705fc2eefa200p-33, 1.0, 0.0
double wg_edge_log2(double x) { return log_base_edge(x, LOG2_CONSTANTS); }
void wg_f64_vlog2(size_t n, const double *x, double *y) { log_base_map(n, x, y, LOG2_CONSTANTS, wg_edge_log2); }
#define LOG10_CONSTANTS 0x1.bcb7b15200000p-2, 0x1.b9438ca9aadd5p-36, 0x1.34413509f6000p-2, 0x1.9fef311f12b36p-42
double wg_edge_log10(double x) { return log_base_edge(x, LOG10_CONSTANTS); }
void wg_f64_vlog10(size_t n, const double *x, double *y) { log_base_map(n, x, y, LOG10_CONSTANTS, wg_edge_log10); }

/* log(u (1 + c)) + k ln 2 for a positive normal u and a small c: log1p2x's join */
static inline f64x2 log_dd2x(f64x2 u, f64x2 c, f64x2 k) {
    f64x2 e, f = log_reduce2x(u, &e);
    return log_join2x(f, e + k, c);
}


/* s + s_lo = a + b exactly (Knuth's TwoSum: either may be the larger) */
static inline f64x2 two_sum(f64x2 a, f64x2 b, f64x2 *lo) {
    f64x2 s = a + b, bb = s - a;
    *lo = (a - (s - bb)) + (b - bb);
    return s;
}

/* arcsinh |x| = log(a + sqrt(a^2 + 1)) (one = 1) and arccosh x = log(x + sqrt(x^2 - 1))
 * (one = -1, x > 1: its sign bit is 0): a^2 + one in two parts, its root with the first-order
 * correction, the sum with its rounding error, passed to log as u (1 + c). From a = 2^28 on,
 * where a^2 may overflow, the log is that of 2a: the rest, one / (4 a^2) < 2^-58, is under
 * 2^-10 ulp of it. Below 2^-26 arcsinh a rounds to a: there the join would lose up to an ulp
 * to cancellation between 1 + a's rounding and its error. */
static inline f64x2 log_root2x(f64x2 x, f64x2 one) {
    u64x2 sign = d_signbit(x);
    f64x2 a = d_xor(x, sign), p_lo, p = two_prod(a, a, &p_lo), h_lo, h = two_sum(p, one, &h_lo);
    f64x2 s = d_sqrt(h), q_lo, q = two_prod(s, s, &q_lo), w_lo;
    f64x2 s_lo = (((h - q) - q_lo) + (h_lo + p_lo)) / (s + s), w = two_sum(a, s, &w_lo);
    i64x2 big = a >= d_splat(0x1p28);
    f64x2 c_num = d_from_ubits(d_ubits(w_lo + s_lo) & ~(u64x2)big), u = d_select(big, a, w);
    f64x2 c = c_num - c_num * (u - d_splat(1.0)) / u; /* c_num / u, exact where u is near 1 */
    f64x2 r = log_dd2x(u, c, d_from_ubits(d_ubits(d_splat(1.0)) & (u64x2)big));
    return d_from_ubits(d_ubits(d_select(a < d_splat(0x1p-26), a, r)) | sign);
}
/* from lower (excluded) to inf: where the formula holds */
__attribute__((noinline)) static void log_root_map(size_t n, const double *x, double *y, double one, double lower,
                                                   double (*scalar)(double)) {
    f64x2 k_one = d_splat(one), k_lower = d_splat(lower);
#define LOG_ROOT(v) log_root2x(v, k_one)
#define IN_RANGE(v) (((v) > k_lower) & ((v) < d_splat(INFINITY)))
    VMAP64_LOOP(LOG_ROOT, IN_RANGE, scalar)
#undef LOG_ROOT
#undef IN_RANGE
}
/* the lanes the kernels leave out: +-inf and NaN (arcsinh); x <= 1, inf and NaN (arccosh; musl's acosh
 * gives finite values for some x <= -2, elementwise.c's formula guards it too); |x| >= 1 and NaN
 * (arctanh); past the overflow and NaN (sinh, cosh) */
double wg_edge_tanh(double x) { return x != x ? x : copysign(1.0, x); } /* |x| > 22, NaN */
double wg_edge_erf(double x) { return x; }                              /* NaN */
/* x < -708, where it rounds to -1, and x > 709.4, where e^x - 1 is e^x (and NaN) */
double wg_edge_expm1(double x) { return x < -708 ? -1 : exp(x); }
double wg_edge_log1p(double x) { return x == -1 ? -INFINITY : x < -1 ? NAN : x; } /* x <= -1, inf, NaN */
double wg_edge_asinh(double x) { return x; }
double wg_edge_acosh(double x) { return x < 1 ? NAN : x == 1 ? 0 : x; }
double wg_edge_atanh(double x) { return fabs(x) == 1 ? copysign(INFINITY, x) : NAN; }
double wg_edge_sinh(double x) { return x * INFINITY; }
double wg_edge_cosh(double x) { return fabs(x) * INFINITY; }
void wg_f64_varcsinh(size_t n, const double *x, double *y) { log_root_map(n, x, y, 1.0, -INFINITY, wg_edge_asinh); }
void wg_f64_varccosh(size_t n, const double *x, double *y) { log_root_map(n, x, y, -1.0, 1.0, wg_edge_acosh); }

/* hi + lo = n / d for n, d in two parts: the quotient, then the exact remainder divided again.
 * inv is 1 / d_hi (or any value within an ulp of it). */
static inline f64x2 div_dd(f64x2 n, f64x2 n_lo, f64x2 d, f64x2 d_lo, f64x2 inv, f64x2 *lo) {
    f64x2 q = n * inv, p_lo, p = two_prod(q, d, &p_lo);
    *lo = ((((n - p) - p_lo) + n_lo) - q * d_lo) * inv; /* n - p exact: p is within ulps of n */
    return q;
}

/* arctanh a = log((1 + a) / (1 - a)) / 2 for 0 <= a < 1, the quotient in two parts; below
 * 2^-27 a itself, as arcsinh's below 2^-26 (a^3/3 is under half an ulp of a there) */
static inline f64x2 atanh2x(f64x2 x) {
    u64x2 sign = d_signbit(x);
    f64x2 a = d_xor(x, sign), one = d_splat(1.0);
    f64x2 n = one + a, d = one - a, q_lo;
    f64x2 q = div_dd(n, (one - n) + a, d, (one - d) - a, one / d, &q_lo);
    f64x2 r = d_splat(0.5) * log_dd2x(q, q_lo - q_lo * (q - one) / q, d_splat(0.0));
    return d_from_ubits(d_ubits(d_select(a < d_splat(0x1p-27), a, r)) | sign); /* a + a^3/3 rounds to a */
}
static inline i64x2 in_atanh_range(f64x2 x) { return (x < d_splat(1.0)) & (x > d_splat(-1.0)); }
DEFINE_VMAP64(varctanh, atanh2x, in_atanh_range, wg_edge_atanh)

/* sinh a = (E - 1/E) / 2 and cosh a = (E + 1/E) / 2 with E = e^a = scale (1 + s_hi + s_lo)
 * from exp_parts, E and 1/E in two parts. is_sinh is all ones for sinh (1/E negated, x's sign
 * kept), 0 for cosh. Near 0 E - 1/E cancels to 2a, which the two parts hold to 2^-104: within
 * an ulp, and below a = 2^-26, where sinh a rounds to a, a itself. Past a = 700 (1/E is
 * nothing there) scale is divided by 4 (its exponent field: 2^n itself overflows from
 * a = 709.8) and the result is 2 (E +- 1/E), so that exp_parts' reduction serves up to n = 1025
 * (a = 710.8), past the overflow at 710.48, in one rounding where libm's has two (2 ulp). */
static inline f64x2 sinh_cosh2x(f64x2 x, u64x2 is_sinh) {
    u64x2 sign = d_signbit(x), flip = is_sinh & D_SIGN;
    f64x2 a = d_xor(x, sign), scale, s_hi, s_lo, one = d_splat(1.0), i_lo;
    exp_parts(a, &scale, &s_hi, &s_lo);
    u64x2 down = (u64x2)(a > d_splat(700.0)) & (2ull << 52);
    scale = d_from_ubits(d_ubits(scale) - down);
    f64x2 m = one + s_hi, m_lo = ((one - m) + s_hi) + s_lo; /* |s_hi| < 1 */
    f64x2 E = m + m_lo, E_lo = scale * ((m - E) + m_lo); /* s_lo is not small: renormalise */
    E = scale * E;
    f64x2 i = d_xor(div_dd(one, d_splat(0.0), E, E_lo, one / E, &i_lo), flip);
    f64x2 t = E + i, t_lo = (((E - t) + i) + E_lo) + d_xor(i_lo, flip); /* E >= 1/E */
    f64x2 r = d_from_ubits(d_ubits(d_splat(0.5)) + down) * (t + t_lo);
    r = d_select((a < d_splat(0x1p-26)) & d_wrap(is_sinh), a, r);
    return d_from_ubits(d_ubits(r) | (sign & flip));
}
static inline i64x2 in_sinh_range(f64x2 x) { return (x <= d_splat(710.8)) & (x >= d_splat(-710.8)); }

/* one loop each: the shared loop with is_sinh an argument cost cosh 15% (8.1 -> 7.0 ms per 1M)
 * for 11 bytes of gzip */
static inline f64x2 sinh2x(f64x2 x) { return sinh_cosh2x(x, (u64x2){ ~0ull, ~0ull }); }
static inline f64x2 cosh2x(f64x2 x) { return sinh_cosh2x(x, (u64x2){ 0, 0 }); }
DEFINE_VMAP64(vsinh, sinh2x, in_sinh_range, wg_edge_sinh)
DEFINE_VMAP64(vcosh, cosh2x, in_sinh_range, wg_edge_cosh)

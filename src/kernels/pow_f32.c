/* pow_f32.c: float32 x^y for any exponent, four lanes at a time.
 *
 * e^(y log x) in double lanes, log and exp each to ~2^-37 relative (below), so that the one
 * rounding to float at the end is nearly all the error left: the result is the correctly
 * rounded double pow but for 39 of 42M pairs swept, each 1 ulp off (near-ties). Every float is
 * a normal double, the range log needs.
 * Lanes with x <= 0, x or y not finite, are left to double pow (the signs, zeros and
 * infinities of C's pow are all there); past y log x = -110 or 100 the float result has
 * underflowed or overflowed, so it is clamped there (inside exp's range) and the
 * conversion to float gives 0 or inf. */
#include <math.h>
#include <string.h>
#include "kernels.h"
#include "../simd/vec.h"
#include "../simd/vec64.h"
#include "exp_log_f64x2.h"

/* log x of a widened float (positive and normal) to ~2^-37 relative, what a float result needs
 * (the float64 log, within 1 ulp of a double, took a fifth longer in pow): x = 2^e (1 + f) as
 * for that log (log_reduce2x), log(1 + f) = 2 atanh(s) with s = f / (2 + f), |s| < 0.172, by
 * its series to s^13 (the first term left out, 2 s^15 / 15, is under 2^-37 of the sum) */
static inline f64x2 log_for_float(f64x2 x) {
    f64x2 e, f = log_reduce2x(x, &e);
    f64x2 s = f / (d_splat(2.0) + f), z = s * s, z2 = z * z;
    f64x2 p = (d_splat(2.0 / 3) + z * d_splat(2.0 / 5)) +
              z2 * ((d_splat(2.0 / 7) + z * d_splat(2.0 / 9)) + z2 * (d_splat(2.0 / 11) + z * d_splat(2.0 / 13)));
    return e * d_splat(0x1.62e42fefa39efp-1) + ((s + s) + s * z * p);
}

/* e^t for |t| <= 110 to ~2^-39: t = n ln 2 + r, |r| <= ln 2 / 2, e^r by its Taylor series to
 * r^10 (the first term left out is under 3e-13), 2^n by its bits (a normal double here) */
static inline f64x2 exp_for_float(f64x2 t) {
    f64x2 k = t * d_splat(1.44269504088896340736) + d_splat(D_ROUND_MAGIC);
    u64x2 n = d_ubits(k) - d_ubits(d_splat(D_ROUND_MAGIC));
    f64x2 nd = k - d_splat(D_ROUND_MAGIC);
    f64x2 r = (t - nd * d_splat(0x1.62e42feep-1)) - nd * d_splat(0x1.a39ef35793c76p-33);
    f64x2 r2 = r * r, r4 = r2 * r2;
    f64x2 q = ((d_splat(1.0 / 2) + r * d_splat(1.0 / 6)) + r2 * (d_splat(1.0 / 24) + r * d_splat(1.0 / 120))) +
              r4 * ((d_splat(1.0 / 720) + r * d_splat(1.0 / 5040)) +
                    r2 * (d_splat(1.0 / 40320) + r * d_splat(1.0 / 362880))) +
              r4 * r4 * d_splat(1.0 / 3628800);
    return (d_splat(1.0) + (r + r2 * q)) * d_from_ubits((n + 1023) << 52);
}

static inline f64x2 pow_pos(f64x2 x, f64x2 y) {
    f64x2 t = y * log_for_float(x);
    i64x2 low = t < d_splat(-110.0), high = t > d_splat(100.0);
    t = d_from_bits((d_bits(t) & ~(low | high)) | (d_bits(d_splat(-110.0)) & low) | (d_bits(d_splat(100.0)) & high));
    return exp_for_float(t);
}

static float pow_lane(float x, float y) { return (float)pow(x, y); }

/* float lanes to double and back: spelled with the wasm intrinsics, which clang otherwise
 * turns into one scalar conversion per lane here */
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
static inline f64x2 widen_lo(f32x4 v) { return (f64x2)wasm_f64x2_promote_low_f32x4((v128_t)v); }
static inline f64x2 widen_hi(f32x4 v) {
    return (f64x2)wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle((v128_t)v, (v128_t)v, 2, 3, 2, 3));
}
static inline f32x4 narrow(f64x2 lo, f64x2 hi) {
    return (f32x4)wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero((v128_t)lo),
                                     wasm_f32x4_demote_f64x2_zero((v128_t)hi), 0, 1, 4, 5);
}
#else
typedef float f32x2 __attribute__((vector_size(8)));
static inline f64x2 widen_lo(f32x4 v) { return __builtin_convertvector(__builtin_shufflevector(v, v, 0, 1), f64x2); }
static inline f64x2 widen_hi(f32x4 v) { return __builtin_convertvector(__builtin_shufflevector(v, v, 2, 3), f64x2); }
static inline f32x4 narrow(f64x2 lo, f64x2 hi) {
    f32x2 a = __builtin_convertvector(lo, f32x2), b = __builtin_convertvector(hi, f32x2);
    return __builtin_shufflevector(a, b, 0, 1, 2, 3);
}
#endif

/* x > 0 finite and y finite, the lanes pow_pos covers */
static inline i32x4 inside(f32x4 x, f32x4 y) {
    return (x > v_splat(0.0f)) & (x < v_splat(INFINITY)) & (v_abs(y) < v_splat(INFINITY));
}

static inline f32x4 pow4(f32x4 x, f32x4 y) {
    return narrow(pow_pos(widen_lo(x), widen_lo(y)), pow_pos(widen_hi(x), widen_hi(y)));
}

/* The vector loop makes no calls (V8 would spill and rebuild every constant around them);
 * the lanes outside (C's pow's special cases: x <= 0, inf, NaN) are redone afterwards with
 * double pow, if there were any. out does not overlap a or b. */
void wg_f32_vpow(size_t n, const float *a, ptrdiff_t sa, const float *b, ptrdiff_t sb, float *out) {
    size_t i = 0;
    i32x4 all_inside = ~(i32x4){ 0 };
    /* eight lanes a step: the polynomial chains are long, two groups keep the CPU busy
       (5.5 ms per million against 7.1 with four) */
    for (; i + 8 <= n; i += 8) {
        f32x4 x0 = v_gather(a + i * sa, sa), y0 = v_gather(b + i * sb, sb);
        f32x4 x1 = v_gather(a + (i + 4) * sa, sa), y1 = v_gather(b + (i + 4) * sb, sb);
        all_inside &= inside(x0, y0) & inside(x1, y1);
        v_store(out + i, pow4(x0, y0));
        v_store(out + i + 4, pow4(x1, y1));
    }
    size_t vector_end = i;
    for (; i < n; i++) out[i] = pow_lane(a[i * sa], b[i * sb]);
    if (v_any(~all_inside))
        for (i = 0; i < vector_end; i++) {
            float x = a[i * sa], y = b[i * sb];
            if (!(x > 0 && x < INFINITY && fabsf(y) < INFINITY)) out[i] = pow_lane(x, y);
        }
}

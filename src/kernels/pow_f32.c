/* pow_f32.c: float32 x^y for any exponent, four lanes at a time.
 *
 * 2^(y log2 x) in double lanes (f64x2), each step good to about 1e-11, so the one rounding
 * to float at the end is all the error left (<= 0.5 ulp plus a hair). Every float is a
 * normal double, so log2 needs no denormal case: x = 2^e m with m in [sqrt(1/2), sqrt(2))
 * by integer steps, log m = 2 atanh(s) with s = (m - 1) / (m + 1), |s| < 0.172, by its
 * series to s^13. 2^t = 2^n e^(r ln 2) with n = round(t), |r| <= 1/2, by Taylor to degree
 * 9. Lanes with x <= 0, x or y not finite, are left to double pow (the signs, zeros and
 * infinities of C's pow are all there); past |t| = 200 the float result has overflowed or
 * underflowed, so t is clamped there and the conversion to float gives inf or 0. */
#include <math.h>
#include <string.h>
#include "kernels.h"
#include "../simd/vec.h"
#include "../simd/vec64.h"


static inline f64x2 log2_pos(f64x2 x) {
    i64x2 ix = d_wrap(d_ubits(x) - 0x3fe6a09e667f3bcdull); /* minus sqrt(1/2)'s bits */
    /* the exponent e + 1023 by a logical shift (i64x2 has no native arithmetic one in V8) */
    u64x2 biased = ((u64x2)ix + (1023ull << 52)) >> 52;
    f64x2 ed = d_from_bits(d_wrap(biased + d_ubits(d_splat(D_ROUND_MAGIC)))) - d_splat(D_ROUND_MAGIC + 1023);
    f64x2 m = d_from_bits((ix & 0x000fffffffffffffll) + 0x3fe6a09e667f3bcdll);
    f64x2 s = (m - d_splat(1.0)) / (m + d_splat(1.0)), z = s * s, z2 = z * z;
    /* 1 + z/3 + ... + z^6/13 in Estrin's order: a chain 4 deep where Horner's is 12 */
    f64x2 p = (d_splat(1.0) + z * d_splat(1.0 / 3)) + z2 * (d_splat(1.0 / 5) + z * d_splat(1.0 / 7)) +
              z2 * z2 * ((d_splat(1.0 / 9) + z * d_splat(1.0 / 11)) + z2 * d_splat(1.0 / 13));
    return ed + s * p * d_splat(2 * 1.44269504088896340736); /* 2 atanh(s) / ln 2 */
}

static inline f64x2 exp2_clamped(f64x2 t) {
    i64x2 low = t < d_splat(-200.0), high = t > d_splat(200.0);
    t = d_from_bits((d_bits(t) & ~(low | high)) | (d_bits(d_splat(-200.0)) & low) | (d_bits(d_splat(200.0)) & high));
    f64x2 tn = t + d_splat(D_ROUND_MAGIC);
    i64x2 n = d_wrap(d_ubits(tn) - d_ubits(d_splat(D_ROUND_MAGIC)));
    f64x2 u = (t - (tn - d_splat(D_ROUND_MAGIC))) * d_splat(0.69314718055994530942);
    /* e^u to degree 9 (|u| <= 0.35: the rest is < 7e-12), in Estrin's order */
    f64x2 u2 = u * u, u4 = u2 * u2;
    f64x2 p = (d_splat(1.0) + u) + u2 * (d_splat(1.0 / 2) + u * d_splat(1.0 / 6)) +
              u4 * ((d_splat(1.0 / 24) + u * d_splat(1.0 / 120)) + u2 * (d_splat(1.0 / 720) + u * d_splat(1.0 / 5040))) +
              u4 * u4 * (d_splat(1.0 / 40320) + u * d_splat(1.0 / 362880));
    return p * d_from_bits(d_wrap(((u64x2)n + 1023) << 52));
}

static inline f64x2 pow_pos(f64x2 x, f64x2 y) { return exp2_clamped(y * log2_pos(x)); }

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

static inline f32x4 gather4(const float *p, ptrdiff_t stride) {
    if (stride == 1) return v_load(p);
    if (stride == 0) return v_splat(p[0]);
    return (f32x4){ p[0], p[stride], p[2 * stride], p[3 * stride] };
}

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
        f32x4 x0 = gather4(a + i * sa, sa), y0 = gather4(b + i * sb, sb);
        f32x4 x1 = gather4(a + (i + 4) * sa, sa), y1 = gather4(b + (i + 4) * sb, sb);
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

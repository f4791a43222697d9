/* vec.h: a 4 x float32 vector written with GCC/Clang vector extensions. In wasm with
 * -msimd128 every operation below is one SIMD128 instruction (v128.load, f32x4.mul,
 * i32x4.shl, v128.bitselect, ...); natively it becomes SSE/NEON, so the same kernels are
 * tested natively under the sanitizers. Comparisons give lane masks (all ones or zero).
 * SIMD128 has no FMA: polynomials are written as mul then add. */
#ifndef WG_SIMD_VEC_H
#define WG_SIMD_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));

static inline f32x4 v_load(const float *p) { f32x4 v; memcpy(&v, p, sizeof v); return v; }
static inline void v_store(float *p, f32x4 v) { memcpy(p, &v, sizeof v); }
static inline f32x4 v_splat(float s) { return (f32x4){ s, s, s, s }; }
/* four floats stride elements apart (1: a load, 0: one float in every lane) */
static inline f32x4 v_gather(const float *p, ptrdiff_t stride) {
    if (stride == 1) return v_load(p);
    if (stride == 0) return v_splat(p[0]);
    return (f32x4){ p[0], p[stride], p[2 * stride], p[3 * stride] };
}
static inline i32x4 v_bits(f32x4 v) { i32x4 r; memcpy(&r, &v, sizeof r); return r; }
static inline f32x4 v_from_bits(i32x4 b) { f32x4 r; memcpy(&r, &b, sizeof r); return r; }
/* Bit arithmetic that may wrap (lanes later patched or masked can hold any bits) is done
 * in unsigned lanes, where wrapping is defined; v_wrap reads the result back as signed. */
static inline u32x4 v_ubits(f32x4 v) { u32x4 r; memcpy(&r, &v, sizeof r); return r; }
static inline i32x4 v_wrap(u32x4 u) { i32x4 r; memcpy(&r, &u, sizeof r); return r; }
/* 2^n for integer lanes n in [-126, 127] */
static inline f32x4 v_pow2(i32x4 n) { return v_from_bits(v_wrap(((u32x4)n + 127) << 23)); }
/* lanes of a where mask is set, else b */
static inline f32x4 v_select(i32x4 mask, f32x4 a, f32x4 b) {
    return v_from_bits((v_bits(a) & mask) | (v_bits(b) & ~mask));
}
static inline f32x4 v_abs(f32x4 v) { return v_from_bits(v_bits(v) & 0x7fffffff); }
/* |a| with the sign bit of s */
static inline f32x4 v_copysign(f32x4 a, f32x4 s) {
    return v_from_bits((v_bits(a) & 0x7fffffff) | (v_bits(s) & (int32_t)0x80000000));
}
/* round to nearest (ties to even) for |v| < 2^22 by the magic-number trick: v + 1.5 * 2^23
 * has no bits below 1, so the add rounds; the sum's low mantissa bits are then the integer
 * itself, which v_round_int hands out without a float-to-int conversion (that conversion,
 * i32x4.trunc_sat_f32x4_s, is five instructions in V8 on x64; this is one subtraction) */
#define V_ROUND_MAGIC 0x1.8p23f
static inline f32x4 v_round_int(f32x4 v, i32x4 *n) {
    f32x4 t = v + v_splat(V_ROUND_MAGIC);
    *n = v_wrap(v_ubits(t) - v_ubits(v_splat(V_ROUND_MAGIC)));
    return t - v_splat(V_ROUND_MAGIC);
}
static inline f32x4 v_to_float(i32x4 v) { return __builtin_convertvector(v, f32x4); }
/* v_min(a, b) = a < b ? a : b and v_max(a, b) = a > b ? a : b, so a NaN in a gives b: in wasm
 * these are exactly f32x4.pmin(b, a) / pmax(b, a), one instruction each in V8 (minps/maxps)
 * where the compare-and-select is four */
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
static inline f32x4 v_min(f32x4 a, f32x4 b) { return (f32x4)wasm_f32x4_pmin((v128_t)b, (v128_t)a); }
static inline f32x4 v_max(f32x4 a, f32x4 b) { return (f32x4)wasm_f32x4_pmax((v128_t)b, (v128_t)a); }
static inline int v_any(i32x4 mask) { return wasm_v128_any_true((v128_t)mask); }
#else
static inline f32x4 v_min(f32x4 a, f32x4 b) { return v_select(a < b, a, b); }
static inline f32x4 v_max(f32x4 a, f32x4 b) { return v_select(a > b, a, b); }
static inline int v_any(i32x4 mask) { return (mask[0] | mask[1] | mask[2] | mask[3]) != 0; }
#endif

#endif

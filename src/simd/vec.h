/* vec.h: a 4 x float32 vector written with GCC/Clang vector extensions. In wasm with
 * -msimd128 every operation below is one SIMD128 instruction (v128.load, f32x4.mul,
 * i32x4.shl, v128.bitselect, ...); natively it becomes SSE/NEON, so the same kernels are
 * tested natively under the sanitizers. Comparisons give lane masks (all ones or zero).
 * SIMD128 has no FMA: polynomials are written as mul then add. */
#ifndef WG_SIMD_VEC_H
#define WG_SIMD_VEC_H

#include <stdint.h>
#include <string.h>

typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));

static inline f32x4 v_load(const float *p) { f32x4 v; memcpy(&v, p, sizeof v); return v; }
static inline void v_store(float *p, f32x4 v) { memcpy(p, &v, sizeof v); }
static inline f32x4 v_splat(float s) { return (f32x4){ s, s, s, s }; }
static inline i32x4 v_bits(f32x4 v) { i32x4 r; memcpy(&r, &v, sizeof r); return r; }
static inline f32x4 v_from_bits(i32x4 b) { f32x4 r; memcpy(&r, &b, sizeof r); return r; }
/* lanes of a where mask is set, else b */
static inline f32x4 v_select(i32x4 mask, f32x4 a, f32x4 b) {
    return v_from_bits((v_bits(a) & mask) | (v_bits(b) & ~mask));
}
static inline f32x4 v_abs(f32x4 v) { return v_from_bits(v_bits(v) & 0x7fffffff); }
/* |a| with the sign bit of s */
static inline f32x4 v_copysign(f32x4 a, f32x4 s) {
    return v_from_bits((v_bits(a) & 0x7fffffff) | (v_bits(s) & (int32_t)0x80000000));
}
static inline f32x4 v_min(f32x4 a, f32x4 b) { return v_select(a < b, a, b); }
static inline f32x4 v_max(f32x4 a, f32x4 b) { return v_select(a > b, a, b); }
/* round to nearest (ties to even) for |v| < 2^22, by the magic-number trick */
static inline f32x4 v_round(f32x4 v) {
    const f32x4 magic = v_splat(0x1.8p23f);
    return (v + magic) - magic;
}
static inline i32x4 v_to_int(f32x4 v) { return __builtin_convertvector(v, i32x4); }
static inline f32x4 v_to_float(i32x4 v) { return __builtin_convertvector(v, f32x4); }
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
static inline int v_any(i32x4 mask) { return wasm_v128_any_true((v128_t)mask); }
#else
static inline int v_any(i32x4 mask) { return (mask[0] | mask[1] | mask[2] | mask[3]) != 0; }
#endif

#endif

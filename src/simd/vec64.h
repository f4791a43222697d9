/* vec64.h: 2 x float64 lanes with GCC/Clang vector extensions, the twin of vec.h (which has
 * the float32 ones and explains the conventions). In wasm each operation is one SIMD128
 * instruction; natively SSE2. Integer views are for bit manipulation: unsigned where the
 * arithmetic may wrap. */
#ifndef WG_SIMD_VEC64_H
#define WG_SIMD_VEC64_H

#include <stdint.h>
#include <string.h>

typedef double f64x2 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));

static inline f64x2 d_splat(double s) { return (f64x2){ s, s }; }
static inline i64x2 d_bits(f64x2 v) { i64x2 r; memcpy(&r, &v, sizeof r); return r; }
static inline u64x2 d_ubits(f64x2 v) { u64x2 r; memcpy(&r, &v, sizeof r); return r; }
static inline f64x2 d_from_bits(i64x2 b) { f64x2 r; memcpy(&r, &b, sizeof r); return r; }
static inline f64x2 d_from_ubits(u64x2 b) { f64x2 r; memcpy(&r, &b, sizeof r); return r; }
static inline i64x2 d_wrap(u64x2 u) { i64x2 r; memcpy(&r, &u, sizeof r); return r; }

/* mask ? a : b per lane, for masks from comparisons (all ones or all zeros) */
static inline f64x2 d_select(i64x2 mask, f64x2 a, f64x2 b) {
    return d_from_ubits((d_ubits(a) & (u64x2)mask) | (d_ubits(b) & ~(u64x2)mask));
}

#define D_SIGN 0x8000000000000000ull
static inline u64x2 d_signbit(f64x2 v) { return d_ubits(v) & D_SIGN; }
static inline f64x2 d_xor(f64x2 v, u64x2 bits) { return d_from_ubits(d_ubits(v) ^ bits); }
static inline f64x2 d_abs(f64x2 v) { return d_from_ubits(d_ubits(v) & ~D_SIGN); }
/* v where mask is set, else +0 */
static inline f64x2 d_and(f64x2 v, i64x2 mask) { return d_from_ubits(d_ubits(v) & (u64x2)mask); }
/* v with its low k significand bits cleared (53 - k significant bits), for exact products */
static inline f64x2 d_head(f64x2 v, int k) { return d_from_ubits(d_ubits(v) & (uint64_t)(~0ull << k)); }

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
static inline f64x2 d_sqrt(f64x2 v) { return (f64x2)wasm_f64x2_sqrt((v128_t)v); }
#else
#include <math.h>
static inline f64x2 d_sqrt(f64x2 v) { return (f64x2){ sqrt(v[0]), sqrt(v[1]) }; }
#endif

/* t + D_ROUND_MAGIC rounds t (|t| < 2^51) to an integer, which the sum's low bits then hold */
#define D_ROUND_MAGIC 0x1.8p52

#endif

/* matmul.c: c[m,n] = op(a) @ op(b) for one matrix pair, where op transposes when asked
 * (ta: a is stored [k,m]; tb: b is stored [n,k]). The backward of matmul needs a^T g and
 * g b^T, so transposed operands are read in place, never materialised.
 *
 * The recipe is the classic packed GEMM (Goto; XNNPACK's wasmsimd microkernels): b is
 * packed into panels of NR columns ([k][NR] each, zero-padded), a into panels of MR rows
 * ([k][MR]), and a register-blocked MR x NR microkernel walks k keeping all MR*NR sums in
 * vector registers: per step NR/W vector loads of b, MR broadcast loads of a,
 * MR*NR/W mul+adds (SIMD128 has no FMA). Packing costs O(mk + kn) against the O(mkn)
 * product and makes every inner load contiguous whatever the operands' layout. */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#define MR 4

/* A splat is written as a vector literal, which becomes one v128.load32_splat/load64_splat
 * from the packed panel: V8 emits a broadcast from memory (vbroadcastss, movddup), which
 * runs on a load port. Not `(V){ 0 } + s` (clang must keep that add, -0.0 + 0 being +0),
 * nor one vector load shuffled into four lanes: the shuffles compete with the multiplies
 * and adds for the same vector ports (4x8 float32: 33 -> 40 GFLOP/s, float64 13 -> 19). */
#define SPLAT_f32(s) ((f32v){ s, s, s, s })
#define SPLAT_f64(s) ((f64v){ s, s })

/* Hides a pointer's value from the optimiser for one loop step. Without it, clang's loop
 * strength reduction rebases the panel pointers so that some loads sit at negative
 * offsets, which wasm cannot encode: each becomes an i32.add and, in V8, a lea competing
 * for the ports the multiplies need. Opaque, every load of a step is pointer + constant
 * offset, folded into the x64 address (float32 +2%, float64 +9%). */
#define OPAQUE(p) __asm__("" : "+r"(p))

#define DEFINE_GEMM(T, V, W, suffix) \
    typedef T V __attribute__((vector_size(16))); \
    enum { NR_##suffix = 2 * W }; \
    static inline V load_##suffix(const T *p) { V v; memcpy(&v, p, sizeof v); return v; } \
    \
    /* One packed panel: dst[p*width + r] = src[r*rs + p*ps] for r < rows, 0 for rows <= r < width. \
       For a row panel of op(a) the r are rows, for a column panel of op(b) columns; one of \
       the strides is 1 (the storage order): the inner loop runs along it. */ \
    static inline void pack_##suffix(const T *src, size_t rs, size_t ps, int32_t rows, int32_t k, int width, T *dst) { \
        if (rs == 1 && rows == width) /* a full step is contiguous: one copy of width elements */ \
            for (int32_t p = 0; p < k; p++) memcpy(dst + (size_t)p * width, src + p * ps, sizeof(T) * width); \
        else if (rs == 1) \
            for (int32_t p = 0; p < k; p++) \
                for (int r = 0; r < width; r++) dst[(size_t)p * width + r] = r < rows ? src[p * ps + r] : 0; \
        else \
            for (int r = 0; r < width; r++) \
                for (int32_t p = 0; p < k; p++) dst[(size_t)p * width + r] = r < rows ? src[r * rs + p * ps] : 0; \
    } \
    /* the MR x NR tile at (i, j), keeping only its in-range part. Written out by hand: the \
       wasm backend keeps named vectors in registers but spills an accumulator array. Not \
       inlined into the loops over tiles, whose live values made V8 spill the k counter. */ \
    __attribute__((noinline)) static void tile_##suffix(int32_t k, const T *ap, const T *bp, T *c, int32_t n, int32_t rows, int32_t cols) { \
        enum { NR = NR_##suffix }; \
        V z = SPLAT_##suffix(0); \
        V c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z; \
        for (int32_t p = 0; p < k; p++) { \
            OPAQUE(ap); \
            OPAQUE(bp); \
            V b0 = load_##suffix(bp), b1 = load_##suffix(bp + W); \
            V a0 = SPLAT_##suffix(ap[0]), a1 = SPLAT_##suffix(ap[1]), a2 = SPLAT_##suffix(ap[2]), a3 = SPLAT_##suffix(ap[3]); \
            c00 += a0 * b0; c01 += a0 * b1; \
            c10 += a1 * b0; c11 += a1 * b1; \
            c20 += a2 * b0; c21 += a2 * b1; \
            c30 += a3 * b0; c31 += a3 * b1; \
            ap += MR; \
            bp += NR; \
        } \
        V acc[MR][2] = { { c00, c01 }, { c10, c11 }, { c20, c21 }, { c30, c31 } }; \
        if (rows == MR && cols == NR) { \
            for (int r = 0; r < MR; r++) memcpy(c + (size_t)r * n, acc[r], sizeof acc[r]); \
            return; \
        } \
        for (int r = 0; r < rows; r++) memcpy(c + (size_t)r * n, acc[r], sizeof(T) * (size_t)cols); \
    } \
    static int gemm_##suffix(int32_t m, int32_t k, int32_t n, const T *a, int ta, const T *b, int tb, T *c) { \
        enum { NR = NR_##suffix }; \
        int32_t mp = (m + MR - 1) / MR, np = (n + NR - 1) / NR; \
        T *ap = malloc(sizeof(T) * ((size_t)mp * MR * (size_t)k + 1)); \
        T *bp = malloc(sizeof(T) * ((size_t)np * NR * (size_t)k + 1)); \
        if (!ap || !bp) { free(ap); free(bp); return -1; } \
        /* op(a)[i][p] = a[i*ars + p*aps], op(b)[p][j] = b[j*brs + p*bps] */ \
        size_t ars = ta ? 1 : (size_t)k, aps = ta ? (size_t)m : 1, brs = tb ? (size_t)k : 1, bps = tb ? 1 : (size_t)n; \
        for (int32_t i = 0; i < m; i += MR) \
            pack_##suffix(a + i * ars, ars, aps, m - i < MR ? m - i : MR, k, MR, ap + (size_t)i * k); \
        for (int32_t j = 0; j < n; j += NR) \
            pack_##suffix(b + j * brs, brs, bps, n - j < NR ? n - j : NR, k, NR, bp + (size_t)j * k); \
        /* a column panel of b (k x NR) stays in L1 while every row panel of a passes it */ \
        for (int32_t jb = 0; jb < np; jb++) \
            for (int32_t ib = 0; ib < mp; ib++) { \
                int32_t i = ib * MR, j = jb * NR; \
                tile_##suffix(k, ap + (size_t)ib * MR * k, bp + (size_t)jb * NR * k, c + (size_t)i * n + j, n, \
                              m - i < MR ? m - i : MR, n - j < NR ? n - j : NR); \
            } \
        free(ap); \
        free(bp); \
        return 0; \
    }

DEFINE_GEMM(float, f32v, 4, f32)
DEFINE_GEMM(double, f64v, 2, f64)

int wg_kernel_matmul(int dtype, int32_t m, int32_t k, int32_t n, const void *a, int ta, const void *b, int tb,
                     void *c) {
    if (m == 0 || n == 0) return 0;
    if (k == 0) { memset(c, 0, (size_t)m * (size_t)n * (dtype == WG_F64 ? 8 : 4)); return 0; }
    return dtype == WG_F32 ? gemm_f32(m, k, n, a, ta, b, tb, c) : gemm_f64(m, k, n, a, ta, b, tb, c);
}

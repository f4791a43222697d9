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

#define DEFINE_GEMM(T, V, W, suffix) \
    typedef T V __attribute__((vector_size(16))); \
    enum { NR_##suffix = 2 * W }; \
    static inline V load_##suffix(const T *p) { V v; memcpy(&v, p, sizeof v); return v; } \
    \
    /* panel of MR rows of op(a) starting at row i: ap[p*MR + r] = op(a)[i+r][p], zero past m */ \
    static void pack_a_##suffix(const T *a, int ta, int32_t m, int32_t k, int32_t i, T *ap) { \
        for (int32_t p = 0; p < k; p++) \
            for (int r = 0; r < MR; r++) \
                ap[p * MR + r] = i + r < m ? (ta ? a[(size_t)p * m + i + r] : a[(size_t)(i + r) * k + p]) : 0; \
    } \
    /* panel of NR columns of op(b) starting at column j: bp[p*NR + c] = op(b)[p][j+c] */ \
    static void pack_b_##suffix(const T *b, int tb, int32_t k, int32_t n, int32_t j, T *bp) { \
        enum { NR = NR_##suffix }; \
        for (int32_t p = 0; p < k; p++) \
            for (int c = 0; c < NR; c++) \
                bp[p * NR + c] = j + c < n ? (tb ? b[(size_t)(j + c) * k + p] : b[(size_t)p * n + j + c]) : 0; \
    } \
    /* the MR x NR tile at (i, j), keeping only its in-range part. Written out by hand: the \
       wasm backend keeps named vectors in registers but spills an accumulator array. */ \
    static void tile_##suffix(int32_t k, const T *ap, const T *bp, T *c, int32_t n, int32_t rows, int32_t cols) { \
        enum { NR = NR_##suffix }; \
        V z = SPLAT_##suffix(0); \
        V c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z; \
        for (int32_t p = 0; p < k; p++) { \
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
        for (int32_t ib = 0; ib < mp; ib++) pack_a_##suffix(a, ta, m, k, ib * MR, ap + (size_t)ib * MR * k); \
        for (int32_t jb = 0; jb < np; jb++) pack_b_##suffix(b, tb, k, n, jb * NR, bp + (size_t)jb * NR * k); \
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

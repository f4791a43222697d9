/* matmul.c: c[m,n] = op(a) @ op(b) for one matrix pair, where op transposes when asked
 * (ta: a is stored [k,m]; tb: b is stored [n,k]). The backward of matmul needs a^T g and
 * g b^T, so transposed operands are read in place, never materialised.
 *
 * The recipe is the classic packed GEMM (Goto; XNNPACK's wasmsimd microkernels): b is
 * packed into panels of NR columns ([k][NR] each, zero-padded), a into panels of MR rows
 * ([k][MR]), and a register-blocked MR x NR microkernel walks k keeping all MR*NR sums in
 * vector registers: per step NR/W vector loads of b, MR broadcast loads of a,
 * MR*NR/W mul+adds (SIMD128 has no FMA). Packing costs O(mk + kn) against the O(mkn)
 * product and makes every inner load contiguous whatever the operands' layout.
 *
 * With 4 x 8 float32 the inner loop is 16 multiplies and adds per step and nothing else
 * on the vector ports, about the limit of x64 without FMA (Sapphire Rapids, Node 20:
 * 45 GFLOP/s). Measured and not kept: 5 x 8 (V8 spills: 35), two k steps per loop
 * iteration (37), k blocked in 128..384 steps (no change at 256 or 512: a's packed
 * 512 x 512 float32 fits in L2 and each b panel in L1). */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#define MR 4

typedef float f32v __attribute__((vector_size(16)));
typedef double f64v __attribute__((vector_size(16)));

/* A splat is written as a vector literal, which becomes one v128.load32_splat/load64_splat
 * from the packed panel: V8 emits a broadcast from memory (vbroadcastss, movddup), which
 * runs on a load port. Not `(V){ 0 } + s` (clang must keep that add, -0.0 + 0 being +0),
 * nor one vector load shuffled into four lanes: the shuffles compete with the multiplies
 * and adds for the same vector ports (4x8 float32: 33 -> 40 GFLOP/s, float64 13 -> 19). */
#define SPLAT_f32(s) ((f32v){ s, s, s, s })
#define SPLAT_f64(s) ((f64v){ s, s })

/* Hides a pointer's value from the optimiser for one loop step. In the tile: without it,
 * clang's loop strength reduction rebases the panel pointers so that some loads sit at
 * negative offsets, which wasm cannot encode: each becomes an i32.add and, in V8, a lea
 * competing for the ports the multiplies need. Opaque, every load of a step is pointer +
 * constant offset, folded into the x64 address (float32 +2%, float64 +9%). */
#define OPAQUE(p) __asm__("" : "+r"(p))

/* W x W blocks transposed in registers, for packing where the source runs along k:
 * rows s, s + rs, ... (W elements each) become steps d, d + ds, ... */
static inline void transpose_f32(const float *s, size_t rs, float *d, size_t ds) {
    f32v x0, x1, x2, x3;
    memcpy(&x0, s, 16); memcpy(&x1, s + rs, 16); memcpy(&x2, s + 2 * rs, 16); memcpy(&x3, s + 3 * rs, 16);
    f32v t0 = __builtin_shufflevector(x0, x1, 0, 4, 1, 5), t1 = __builtin_shufflevector(x2, x3, 0, 4, 1, 5);
    f32v t2 = __builtin_shufflevector(x0, x1, 2, 6, 3, 7), t3 = __builtin_shufflevector(x2, x3, 2, 6, 3, 7);
    f32v y0 = __builtin_shufflevector(t0, t1, 0, 1, 4, 5), y1 = __builtin_shufflevector(t0, t1, 2, 3, 6, 7);
    f32v y2 = __builtin_shufflevector(t2, t3, 0, 1, 4, 5), y3 = __builtin_shufflevector(t2, t3, 2, 3, 6, 7);
    memcpy(d, &y0, 16); memcpy(d + ds, &y1, 16); memcpy(d + 2 * ds, &y2, 16); memcpy(d + 3 * ds, &y3, 16);
}
static inline void transpose_f64(const double *s, size_t rs, double *d, size_t ds) {
    f64v x0, x1;
    memcpy(&x0, s, 16); memcpy(&x1, s + rs, 16);
    f64v y0 = __builtin_shufflevector(x0, x1, 0, 2), y1 = __builtin_shufflevector(x0, x1, 1, 3);
    memcpy(d, &y0, 16); memcpy(d + ds, &y1, 16);
}

#define DEFINE_GEMM(T, V, W, suffix) \
    enum { NR_##suffix = 2 * W }; \
    static inline V load_##suffix(const T *p) { V v; memcpy(&v, p, sizeof v); return v; } \
    /* elements from one packed panel of `width` rows to the next: a 64-byte line more than \
       its k steps, so that panels of a power-of-two size do not all map to one cache set \
       (packing p outer writes one step of every panel in turn) */ \
    static inline uint64_t panel_##suffix(int width, int32_t k) { return (uint64_t)width * (uint64_t)k + 64 / sizeof(T); } \
    /* room for the panels of `rows` rows; NULL when that is more than the address space \
       (wasm32's size_t: a [2^28, 1] float32 b would pack into 8 GB) or malloc fails */ \
    static T *alloc_panels_##suffix(int32_t rows, int width, int32_t k) { \
        uint64_t bytes = ((uint64_t)rows + width - 1) / width * panel_##suffix(width, k) * sizeof(T); \
        return bytes <= SIZE_MAX ? malloc((size_t)bytes) : NULL; \
    } \
    \
    /* Packs rows 0..rows-1 of a matrix given by element (r, p) = src[r*rs + p*ps] into panels \
       of `width` rows, step p of row r at panel(r / width) + p*width + r%width, zeros past the \
       last row. For op(a) the r are its rows, for op(b) its columns. One of the strides is 1 \
       (the storage order) and the loops walk the source along it: with the panel padding, \
       256 x 256 float32 b packs in 12 us instead of 28 reading down 1 KB strides. Inlined \
       so that `width` is a constant and a full step's memcpy a pair of vector moves. */ \
    __attribute__((always_inline)) static inline void pack_##suffix(const T *src, size_t rs, size_t ps, int32_t rows, int32_t k, int width, T *dst) { \
        if (rs == 1) /* step p of every panel is contiguous in the source: p outer */ \
            for (int32_t p = 0; p < k; p++) \
                for (int32_t r0 = 0; r0 < rows; r0 += width) { \
                    T *d = dst + (size_t)(r0 / width) * (size_t)panel_##suffix(width, k) + (size_t)p * width; \
                    const T *s = src + p * ps + r0; \
                    if (rows - r0 >= width) memcpy(d, s, sizeof(T) * (size_t)width); \
                    else for (int r = 0; r < width; r++) d[r] = r0 + r < rows ? s[r] : 0; \
                } \
        else { /* each row is contiguous along p: W rows at a time, W steps by W steps */ \
            int32_t r = 0; \
            for (; r + W <= rows; r += W) { \
                T *d = dst + (size_t)(r / width) * (size_t)panel_##suffix(width, k) + r % width; \
                const T *s = src + r * rs; \
                int32_t p = 0; \
                for (; p + W <= k; p += W) transpose_##suffix(s + p * ps, rs, d + (size_t)p * width, (size_t)width); \
                for (; p < k; p++) \
                    for (int q = 0; q < W; q++) d[(size_t)p * width + q] = s[q * rs + p * ps]; \
            } \
            /* the last rows, zeros past them; scalar (OPAQUE): vectorised, this cold loop \
               was a fifth of the kernels' wasm */ \
            for (; r < (rows + width - 1) / width * width; r++) { \
                T *d = dst + (size_t)(r / width) * (size_t)panel_##suffix(width, k) + r % width; \
                for (int32_t p = 0; p < k; p++) { \
                    OPAQUE(d); \
                    d[(size_t)p * width] = r < rows ? src[r * rs + p * ps] : 0; \
                } \
            } \
        } \
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
        T *ap = alloc_panels_##suffix(m, MR, k), *bp = alloc_panels_##suffix(n, NR, k); \
        if (!ap || !bp) { free(ap); free(bp); return -1; } \
        /* op(a)[i][p] = a[i*ars + p*aps], op(b)[p][j] = b[j*brs + p*bps] */ \
        size_t ars = ta ? 1 : (size_t)k, aps = ta ? (size_t)m : 1, brs = tb ? (size_t)k : 1, bps = tb ? 1 : (size_t)n; \
        pack_##suffix(a, ars, aps, m, k, MR, ap); \
        pack_##suffix(b, brs, bps, n, k, NR, bp); \
        /* a column panel of b (k x NR) stays in L1 while every row panel of a passes it */ \
        for (int32_t jb = 0; jb < np; jb++) \
            for (int32_t ib = 0; ib < mp; ib++) { \
                int32_t i = ib * MR, j = jb * NR; \
                tile_##suffix(k, ap + (size_t)ib * (size_t)panel_##suffix(MR, k), bp + (size_t)jb * (size_t)panel_##suffix(NR, k), \
                              c + (size_t)i * n + j, n, m - i < MR ? m - i : MR, n - j < NR ? n - j : NR); \
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

/* copy.c: layout changes (strided copies), dtype conversion, where, accumulation. */
#include <string.h>
#include "kernels.h"
#include "../simd/vec.h"
#include "../simd/vec64.h"

/* A run copies with the innermost strides; when the source is read across rows there (a
 * transpose: stride 1 is on the next dimension out), the last two dimensions are copied in
 * TILE x TILE tiles instead, so the TILE source lines a tile touches stay in cache while each
 * is read TILE times (1024 x 1024 float32: 8.3 ms a run at a time, 1.6 ms in tiles). */
#define TILE 32
#define DEFINE_COPY(T, suffix) \
    static void copy_##suffix(const wg_loop *L, T *dst, const T *src) { \
        int32_t idx[WG_MAX_DIMS] = {0}; \
        ptrdiff_t off[WG_LOOP_OPS] = {0}; \
        int in = L->ndim - 1; \
        int32_t n = L->shape[in]; \
        ptrdiff_t sd = L->stride[0][in], ss = L->stride[1][in]; \
        if (n == 0) return; \
        if (in > 0 && ss != 1 && L->stride[1][in - 1] == 1) { \
            wg_loop rows = *L; /* walks all but the last two dimensions */ \
            rows.ndim--; \
            int32_t m = L->shape[in - 1]; \
            ptrdiff_t rd = L->stride[0][in - 1], rs = L->stride[1][in - 1]; \
            do { \
                T *d = dst + off[0]; const T *s = src + off[1]; \
                for (int32_t r0 = 0; r0 < m; r0 += TILE) \
                    for (int32_t c0 = 0; c0 < n; c0 += TILE) { \
                        int32_t r1 = r0 + TILE < m ? r0 + TILE : m, c1 = c0 + TILE < n ? c0 + TILE : n; \
                        WG_SCALAR_LOOP for (int32_t r = r0; r < r1; r++) \
                            WG_SCALAR_LOOP for (int32_t c = c0; c < c1; c++) d[r * rd + c * sd] = s[r * rs + c * ss]; \
                    } \
            } while (wg_loop_step(&rows, idx, off)); \
            return; \
        } \
        do { \
            T *d = dst + off[0]; const T *s = src + off[1]; \
            if (sd == 1 && ss == 1) memcpy(d, s, sizeof(T) * (size_t)n); \
            else if (sd == 1 && ss == -1) WG_VECTOR_LOOP for (int32_t i = 0; i < n; i++) d[i] = s[-i]; /* flip */ \
            else WG_SCALAR_LOOP for (int32_t i = 0; i < n; i++) d[i * sd] = s[i * ss]; \
        } while (wg_loop_step(L, idx, off)); \
    }
DEFINE_COPY(uint32_t, 4)
DEFINE_COPY(uint64_t, 8)

void wg_kernel_copy(size_t elsize, const wg_loop *L, void *dst, const void *src) {
    if (elsize == 4) copy_4(L, dst, src);
    else copy_8(L, dst, src);
}

#define CONVERT(FROM, TO) { const FROM *X = x; TO *Y = y; for (size_t i = 0; i < n; i++) Y[i] = (TO)X[i]; }

void wg_kernel_convert(int from, int to, size_t n, const void *x, void *y) {
    if (from == to) { memcpy(y, x, n * (from == WG_F64 ? 8 : 4)); return; }
    if (from == WG_F32 && to == WG_F64) CONVERT(float, double)
    else if (from == WG_F64 && to == WG_F32) CONVERT(double, float)
    else if (from == WG_I32 && to == WG_F32) CONVERT(int32_t, float)
    else if (from == WG_I32 && to == WG_F64) CONVERT(int32_t, double)
    else { /* float -> int32: truncate toward zero, NaN and out-of-range values saturate
              (a plain C cast would be undefined there) */
        for (size_t i = 0; i < n; i++) {
            double v = from == WG_F32 ? ((const float *)x)[i] : ((const double *)x)[i];
            int32_t r = v != v ? 0 : v >= 2147483647.0 ? INT32_MAX : v <= -2147483648.0 ? INT32_MIN : (int32_t)v;
            ((int32_t *)y)[i] = r;
        }
    }
}

static int truthy(int dtype, const void *p, ptrdiff_t i) {
    switch (dtype) {
    case WG_F32: return ((const float *)p)[i] != 0;
    case WG_F64: return ((const double *)p)[i] != 0;
    default: return ((const int32_t *)p)[i] != 0;
    }
}

/* A run of where: a vector select on the mask (c != 0) where every operand is contiguous,
 * written out because clang leaves the loop scalar (four pointers that may overlap). */
#define DEFINE_WHERE_RUN(C, E, V, M, suffix) \
    static void where_run_##suffix(size_t n, const C *c, ptrdiff_t sc, const E *a, ptrdiff_t sa, const E *b, \
                                   ptrdiff_t sb, E *o) { \
        enum { LANES = sizeof(V) / sizeof(C) }; \
        size_t i = 0; \
        if (sc == 1 && sa == 1 && sb == 1) \
            for (; i + LANES <= n; i += LANES) { \
                V cv; \
                M av, bv; \
                memcpy(&cv, c + i, sizeof cv); \
                memcpy(&av, a + i, sizeof av); \
                memcpy(&bv, b + i, sizeof bv); \
                M take = (M)(cv != 0); \
                av = (av & take) | (bv & ~take); \
                memcpy(o + i, &av, sizeof av); \
            } \
        WG_SCALAR_LOOP for (; i < n; i++) o[i] = c[i * sc] != 0 ? a[i * sa] : b[i * sb]; \
    }
DEFINE_WHERE_RUN(float, uint32_t, f32x4, u32x4, f32)
DEFINE_WHERE_RUN(double, uint64_t, f64x2, u64x2, f64)

/* where with a mask of the data's own dtype (a comparison's result, the usual case), over a
 * walk: each run of a contiguous output goes to where_run (1M floats took 14 ms through the
 * generic element-by-element loop below) */
#define DEFINE_WHERE(C, E, suffix) \
    static void where_##suffix(const wg_loop *L, const C *c, const E *a, const E *b, E *o) { \
        int32_t idx[WG_MAX_DIMS] = {0}; \
        ptrdiff_t off[WG_LOOP_OPS] = {0}; \
        int in = L->ndim - 1; \
        int32_t n = L->shape[in]; \
        ptrdiff_t so = L->stride[0][in], sc = L->stride[1][in], sa = L->stride[2][in], sb = L->stride[3][in]; \
        do { \
            const C *cr = c + off[1]; const E *ar = a + off[2], *br = b + off[3]; E *or_ = o + off[0]; \
            if (so == 1) \
                where_run_##suffix((size_t)n, cr, sc, ar, sa, br, sb, or_); \
            else \
                WG_SCALAR_LOOP for (int32_t i = 0; i < n; i++) or_[i * so] = cr[i * sc] != 0 ? ar[i * sa] : br[i * sb]; \
        } while (wg_loop_step(L, idx, off)); \
    }
DEFINE_WHERE(float, uint32_t, f32)
DEFINE_WHERE(double, uint64_t, f64)

void wg_kernel_where_run(int dtype, size_t n, const void *c, ptrdiff_t sc, const void *a, ptrdiff_t sa,
                         const void *b, ptrdiff_t sb, void *out) {
    if (dtype == WG_F32) where_run_f32(n, c, sc, a, sa, b, sb, out);
    else where_run_f64(n, c, sc, a, sa, b, sb, out);
}

void wg_kernel_where(int cond_dtype, size_t elsize, const wg_loop *L, const void *cond,
                     const void *a, const void *b, void *out) {
    int in = L->ndim - 1;
    int32_t n = L->shape[in];
    if (n == 0) return;
    if (cond_dtype == WG_F32 && elsize == 4) { where_f32(L, cond, a, b, out); return; }
    if (cond_dtype == WG_F64 && elsize == 8) { where_f64(L, cond, a, b, out); return; }
    int32_t idx[WG_MAX_DIMS] = {0};
    ptrdiff_t off[WG_LOOP_OPS] = {0};
    do {
        for (int32_t i = 0; i < n; i++) {
            ptrdiff_t ic = off[1] + i * L->stride[1][in];
            ptrdiff_t ia = off[2] + i * L->stride[2][in], ib = off[3] + i * L->stride[3][in];
            ptrdiff_t io = off[0] + i * L->stride[0][in];
            const char *src = truthy(cond_dtype, cond, ic) ? (const char *)a + ia * (ptrdiff_t)elsize
                                                           : (const char *)b + ib * (ptrdiff_t)elsize;
            memcpy((char *)out + io * (ptrdiff_t)elsize, src, elsize);
        }
    } while (wg_loop_step(L, idx, off));
}

void wg_kernel_accumulate(int dtype, size_t n, const void *x, void *y) {
    if (dtype == WG_F32) { const float *X = x; float *Y = y; for (size_t i = 0; i < n; i++) Y[i] += X[i]; }
    else { const double *X = x; double *Y = y; for (size_t i = 0; i < n; i++) Y[i] += X[i]; }
}

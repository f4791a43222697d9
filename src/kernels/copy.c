/* copy.c: layout changes (strided copies), dtype conversion, where, accumulation. */
#include <string.h>
#include "kernels.h"

#define DEFINE_COPY(T, suffix) \
    static void copy_##suffix(const wg_loop *L, T *dst, const T *src) { \
        int32_t idx[WG_MAX_DIMS] = {0}; \
        ptrdiff_t off[WG_LOOP_OPS] = {0}; \
        int in = L->ndim - 1; \
        int32_t n = L->shape[in]; \
        ptrdiff_t sd = L->stride[0][in], ss = L->stride[1][in]; \
        if (n == 0) return; \
        do { \
            T *d = dst + off[0]; const T *s = src + off[1]; \
            if (sd == 1 && ss == 1) memcpy(d, s, sizeof(T) * (size_t)n); \
            else for (int32_t i = 0; i < n; i++) d[i * sd] = s[i * ss]; \
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

void wg_kernel_where(int cond_dtype, size_t elsize, const wg_loop *L, const void *cond,
                     const void *a, const void *b, void *out) {
    int32_t idx[WG_MAX_DIMS] = {0};
    ptrdiff_t off[WG_LOOP_OPS] = {0};
    int in = L->ndim - 1;
    int32_t n = L->shape[in];
    if (n == 0) return;
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

/* softmax.c: softmax along one axis, a row at a time.
 *
 * Written as five recorded operators (max, subtract, exp, sum, divide) a softmax makes five
 * passes over memory and five tape nodes; here each row is read once for its max and once
 * more while it is in cache. The shift by the row's max keeps exp from overflowing; a row
 * whose max is not finite is shifted by 0 instead (so +inf gives NaN and an all -inf row
 * gives NaN, as the unfused composition does). Rows along a non-innermost axis are
 * gathered into a buffer first, several at a time. */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

/* float32 rows are vectorised; float64 ones stay scalar (half the code, see elementwise.c) */
#define LOOP_f32 WG_VECTOR_LOOP for
#define LOOP_f64 WG_SCALAR_LOOP for

#define DEFINE_SOFTMAX_ROW(T, suffix, dtype, exp_row, sum_row) \
    static void row_##suffix(int32_t n, const T *restrict x, T *restrict y) { \
        T m = (T)wg_kernel_max_run(dtype, x, n); \
        if (m - m != 0) m = 0; /* NaN or +-inf: no usable shift */ \
        LOOP_##suffix (int32_t i = 0; i < n; i++) y[i] = x[i] - m; \
        exp_row(n, y, y); \
        T s = (T)sum_row(y, n); \
        LOOP_##suffix (int32_t i = 0; i < n; i++) y[i] = y[i] / s; \
    }

DEFINE_SOFTMAX_ROW(float, f32, WG_F32, wg_f32_vexp, wg_kernel_sum_f32)
DEFINE_SOFTMAX_ROW(double, f64, WG_F64, wg_f64_vexp, wg_kernel_sum_f64)

/* one row, in the array's dtype */
__attribute__((noinline)) static void row(int dtype, int32_t n, const void *x, void *y) {
    if (dtype == WG_F64) row_f64(n, x, y);
    else row_f32(n, x, y);
}

/* dst[i di + c dc] = src[i si + c sc] for i < n, c < g: copy.c's strided copy (which tiles
 * the reads that go across rows) */
static void copy2d(size_t item, int32_t n, int32_t g, const void *src, ptrdiff_t si, ptrdiff_t sc, void *dst,
                   ptrdiff_t di, ptrdiff_t dc) {
    ptrdiff_t strides[2][WG_MAX_DIMS] = { { di, dc }, { si, sc } };
    wg_loop L;
    wg_loop_init(&L, 2, (const int32_t[]){ n, g }, 2, strides);
    wg_kernel_copy(item, &L, dst, src);
}

/* rows along an outer axis are strided: GROUP of them (neighbours in memory) are gathered into
 * a buffer together, so that every cache line read serves GROUP rows (one row at a time, a
 * softmax along axis 0 of [1024, 1024] took 38 ms; 9 ms now) */
enum { GROUP = 16 };

int wg_kernel_softmax(int dtype, int32_t outer, int32_t n, int32_t inner, const void *x, void *y) {
    if (n == 0 || outer == 0 || inner == 0) return 0;
    size_t item = dtype == WG_F64 ? sizeof(double) : sizeof(float);
    if (inner == 1) {
        for (int32_t o = 0; o < outer; o++)
            row(dtype, n, (const char *)x + (size_t)o * (size_t)n * item, (char *)y + (size_t)o * (size_t)n * item);
        return 0;
    }
    char *in = malloc(2 * item * (size_t)n * GROUP);
    if (!in) return -1;
    char *out = in + item * (size_t)n * GROUP;
    for (int32_t o = 0; o < outer; o++)
        for (int32_t j0 = 0; j0 < inner; j0 += GROUP) {
            int32_t g = inner - j0 < GROUP ? inner - j0 : GROUP;
            size_t first = ((size_t)o * (size_t)n * (size_t)inner + (size_t)j0) * item; /* element [o, 0, j0] */
            /* the g columns [o, :, j0 + c] become the rows of `in`, and back from `out` */
            copy2d(item, n, g, (const char *)x + first, inner, 1, in, 1, n);
            for (int32_t c = 0; c < g; c++) row(dtype, n, in + (size_t)c * (size_t)n * item, out + (size_t)c * (size_t)n * item);
            copy2d(item, n, g, out, 1, n, (char *)y + first, inner, 1);
        }
    free(in);
    return 0;
}

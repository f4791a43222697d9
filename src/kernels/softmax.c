/* softmax.c: softmax along one axis, a row at a time.
 *
 * Written as five recorded operators (max, subtract, exp, sum, divide) a softmax makes five
 * passes over memory and five tape nodes; here each row is read once for its max and once
 * more while it is in cache. The shift by the row's max keeps exp from overflowing; a row
 * whose max is not finite is shifted by 0 instead (so +inf gives NaN and an all -inf row
 * gives NaN, as the unfused composition does). A row along a non-innermost axis is
 * gathered into a buffer first. */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

/* float32 rows are vectorised; float64 ones stay scalar (half the code, see elementwise.c) */
#define LOOP_f32 WG_VECTOR_LOOP for
#define LOOP_f64 WG_SCALAR_LOOP for

#define DEFINE_SOFTMAX_ROW(T, suffix, exp_row, sum_row) \
    static void row_##suffix(int32_t n, const T *restrict x, T *restrict y) { \
        T m = x[0]; \
        int nan = 0; \
        LOOP_##suffix (int32_t i = 0; i < n; i++) { m = x[i] > m ? x[i] : m; nan |= x[i] != x[i]; } \
        if (nan || m - m != 0) m = 0; /* NaN or +-inf: no usable shift */ \
        LOOP_##suffix (int32_t i = 0; i < n; i++) y[i] = x[i] - m; \
        exp_row(n, y, y); \
        T s = (T)sum_row(y, n); \
        LOOP_##suffix (int32_t i = 0; i < n; i++) y[i] = y[i] / s; \
    }

DEFINE_SOFTMAX_ROW(float, f32, wg_f32_vexp, wg_kernel_sum_f32)
DEFINE_SOFTMAX_ROW(double, f64, wg_f64_vexp, wg_kernel_sum_f64)

int wg_kernel_softmax(int dtype, int32_t outer, int32_t n, int32_t inner, const void *x, void *y) {
    if (n == 0 || outer == 0 || inner == 0) return 0;
    size_t item = dtype == WG_F64 ? sizeof(double) : sizeof(float);
    /* rows along an outer axis are strided: gather each into a buffer (in, out) */
    char *buf = inner > 1 ? malloc(2 * item * (size_t)n) : NULL;
    if (inner > 1 && !buf) return -1;
    for (int32_t o = 0; o < outer; o++)
        for (int32_t j = 0; j < inner; j++) {
            size_t first = (size_t)o * (size_t)n * (size_t)inner + (size_t)j;
            const char *xs = (const char *)x + first * item;
            char *ys = (char *)y + first * item;
            const void *in = xs;
            void *out = ys;
            if (inner > 1) {
                in = buf, out = buf + item * (size_t)n;
                for (int32_t i = 0; i < n; i++) memcpy(buf + item * (size_t)i, xs + item * (size_t)i * (size_t)inner, item);
            }
            if (dtype == WG_F64) row_f64(n, in, out);
            else row_f32(n, in, out);
            if (inner > 1)
                for (int32_t i = 0; i < n; i++) memcpy(ys + item * (size_t)i * (size_t)inner, (char *)out + item * (size_t)i, item);
        }
    free(buf);
    return 0;
}

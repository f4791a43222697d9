/* matmul.c: c = a @ b for one matrix pair, row-major. The i-p-j loop order streams rows
 * of b and c, which the compiler vectorises; register blocking comes with SIMD128. */
#include <string.h>
#include "kernels.h"

#define DEFINE_MATMUL(T, suffix) \
    static void matmul_##suffix(int32_t m, int32_t k, int32_t n, const T *a, const T *b, T *c) { \
        memset(c, 0, sizeof(T) * (size_t)m * (size_t)n); \
        for (int32_t i = 0; i < m; i++) { \
            T *ci = c + (size_t)i * n; \
            for (int32_t p = 0; p < k; p++) { \
                T aip = a[(size_t)i * k + p]; \
                const T *bp = b + (size_t)p * n; \
                for (int32_t j = 0; j < n; j++) ci[j] += aip * bp[j]; \
            } \
        } \
    }
DEFINE_MATMUL(float, f32)
DEFINE_MATMUL(double, f64)

void wg_kernel_matmul(int dtype, int32_t m, int32_t k, int32_t n, const void *a, const void *b, void *c) {
    if (dtype == WG_F32) matmul_f32(m, k, n, a, b, c);
    else matmul_f64(m, k, n, a, b, c);
}

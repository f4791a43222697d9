/* wg_kernel_matmul against a double triple loop, for every (ta, tb), both float dtypes and
 * sizes around the kernel's tile and block edges (1..9, 17, 33, 65, ...): each operand
 * sits in a buffer of exactly its size, so under AddressSanitizer an edge tile that reads
 * past a row or column fails here. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "kernels/kernels.h"

static double value(int dtype, const void *p, size_t i) {
    return dtype == WG_F32 ? ((const float *)p)[i] : ((const double *)p)[i];
}

/* buffer of n random values in [-1, 1) (a small LCG: the same numbers on every run) */
static void *random_buffer(int dtype, size_t n, uint32_t *seed) {
    void *p = malloc((n ? n : 1) * (dtype == WG_F32 ? 4 : 8));
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        double v = (double)(*seed >> 8) / (1 << 23) - 1;
        if (dtype == WG_F32) ((float *)p)[i] = (float)v;
        else ((double *)p)[i] = v;
    }
    return p;
}

/* one product; returns its largest error in units of the bound for any summation order,
 * (k + 1) u sum_p |a b| (u the unit roundoff): at most 1 unless the kernel is wrong */
static double check_one(int dtype, int32_t m, int32_t k, int32_t n, int ta, int tb, uint32_t *seed) {
    void *a = random_buffer(dtype, (size_t)m * k, seed), *b = random_buffer(dtype, (size_t)k * n, seed);
    size_t es = dtype == WG_F32 ? 4 : 8;
    void *c = malloc((size_t)m * n * es + 1);
    memset(c, 0x7f, (size_t)m * n * es); /* garbage (about 3e38): the kernel must overwrite, not add */
    CHECK(wg_kernel_matmul(dtype, m, k, n, a, ta, b, tb, c) == 0);
    double worst = 0;
    for (int32_t i = 0; i < m; i++)
        for (int32_t j = 0; j < n; j++) {
            double s = 0, scale = 0;
            for (int32_t p = 0; p < k; p++) {
                double x = value(dtype, a, ta ? (size_t)p * m + i : (size_t)i * k + p);
                double y = value(dtype, b, tb ? (size_t)j * k + p : (size_t)p * n + j);
                s += x * y;
                scale += fabs(x * y);
            }
            double u = dtype == WG_F32 ? 0x1p-24 : 0x1p-53;
            double err = fabs(value(dtype, c, (size_t)i * n + j) - s) / ((k + 1) * u * (scale > 0 ? scale : 1));
            if (!(err <= worst)) worst = isnan(err) ? INFINITY : err;
        }
    free(a);
    free(b);
    free(c);
    return worst;
}

int main(void) {
    static const int32_t sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 33, 65 };
    enum { NS = sizeof sizes / sizeof sizes[0] };
    uint32_t seed = 12345;
    for (int dtype = WG_F32; dtype <= WG_F64; dtype++) {
        double tol = 1, worst = 0;
        for (int t = 0; t < 4; t++)
            for (int im = 0; im < NS; im++)
                for (int ik = 0; ik < NS; ik++)
                    for (int in = 0; in < NS; in++) {
                        int32_t m = sizes[im], k = sizes[ik], n = sizes[in];
                        double err = check_one(dtype, m, k, n, t & 1, t >> 1, &seed);
                        if (!(err <= tol))
                            fprintf(stderr, "%s m=%d k=%d n=%d ta=%d tb=%d: error %g x the bound\n",
                                    dtype == WG_F32 ? "f32" : "f64", m, k, n, t & 1, t >> 1, err);
                        CHECK(err <= tol);
                        if (err > worst) worst = err;
                    }
        /* larger than one block of every kind, with ragged edges */
        static const int32_t big[][3] = { { 300, 301, 129 }, { 129, 520, 300 }, { 70, 1030, 33 } };
        for (int t = 0; t < 4; t++)
            for (int s = 0; s < 3; s++) {
                double err = check_one(dtype, big[s][0], big[s][1], big[s][2], t & 1, t >> 1, &seed);
                CHECK(err <= tol);
                if (err > worst) worst = err;
            }
        printf("%s: worst error %.3g x the bound\n", dtype == WG_F32 ? "float32" : "float64", worst);
    }
    /* nothing to multiply: k = 0 gives zeros, m or n = 0 touches nothing */
    float z[6];
    memset(z, 0x7f, sizeof z);
    CHECK(wg_kernel_matmul(WG_F32, 2, 0, 3, NULL, 0, NULL, 0, z) == 0);
    for (int i = 0; i < 6; i++) CHECK(z[i] == 0);
    CHECK(wg_kernel_matmul(WG_F64, 0, 5, 3, NULL, 0, NULL, 1, NULL) == 0);
    return check_summary("test_matmul_kernel");
}

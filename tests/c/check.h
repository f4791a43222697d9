/* check.h: a tiny test harness for the C tests (ctest runs each file as one program). */
#ifndef WG_CHECK_H
#define WG_CHECK_H
#include <math.h>
#include <stdio.h>
#include "wasmgrad.h"

static int g_checks, g_failures;

#define CHECK(cond) do { g_checks++; if (!(cond)) { g_failures++; \
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_NEAR(got, want, tol) do { double g_ = (got), w_ = (want); g_checks++; \
    if (!(fabs(g_ - w_) <= (tol) * (1 + fabs(w_)))) { g_failures++; \
    fprintf(stderr, "%s:%d: %s = %.17g, want %.17g\n", __FILE__, __LINE__, #got, g_, w_); } } while (0)

static int check_summary(const char *name) {
    printf("%s: %d checks, %d failed\n", name, g_checks, g_failures);
    return g_failures ? 1 : 0;
}

/* element i of a float tensor as double */
__attribute__((unused)) static double at(wg_tensor *t, int i) {
    return wg_tensor_dtype(t) == WG_F32 ? ((float *)wg_tensor_data(t))[i] : ((double *)wg_tensor_data(t))[i];
}

__attribute__((unused)) static wg_tensor *vec(int dtype, int n, const double *v) {
    int32_t shape[1] = { n };
    wg_tensor *t = wg_empty(dtype, 1, shape);
    for (int i = 0; i < n; i++) {
        if (dtype == WG_F32) ((float *)wg_tensor_data(t))[i] = (float)v[i];
        else ((double *)wg_tensor_data(t))[i] = v[i];
    }
    return t;
}
#endif

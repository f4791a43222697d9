/* reduce.c: sum, prod, max, min along any set of axes, without a transposing copy.
 *
 * The walk goes over the input in memory order; the accumulator (one double per output
 * element, so float32 sums keep float64 precision) is addressed with stride 0 on the
 * reduced axes. A reduced innermost run folds into a register first. */
#include <string.h>
#include "kernels.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

static double identity(int op) {
    switch (op) {
    case WG_OP_PROD: return 1.0;
    case WG_OP_MAX: return -__builtin_inf();
    case WG_OP_MIN: return __builtin_inf();
    default: return 0.0;
    }
}

void wg_kernel_reduce_init(int op, size_t n, double *acc) {
    double v = identity(op);
    for (size_t i = 0; i < n; i++) acc[i] = v;
}

/* max/min: a NaN wins and stays (NumPy) */
#define COMBINE(op, acc, x) \
    switch (op) { \
    case WG_OP_SUM: acc += (x); break; \
    case WG_OP_PROD: acc *= (x); break; \
    case WG_OP_MAX: if ((x) > acc || (x) != (x)) acc = (acc != acc) ? acc : (x); break; \
    default: if ((x) < acc || (x) != (x)) acc = (acc != acc) ? acc : (x); break; \
    }

/* Sum of a contiguous run in double precision, with independent accumulators so the adds
 * pipeline (and vectorise: f32x4 -> 2 x f64x2 per step in wasm). */
typedef double f64x2 __attribute__((vector_size(16)));
typedef float f32x2 __attribute__((vector_size(8)));

static double sum_run_f32(const float *x, int32_t n) {
    f64x2 a0 = { 0, 0 }, a1 = { 0, 0 }, a2 = { 0, 0 }, a3 = { 0, 0 };
    int32_t i = 0;
    for (; i + 8 <= n; i += 8) { /* four chains of f64x2 adds hide the add latency */
#ifdef __wasm_simd128__ /* per vector: one load, two f64x2.promote_low_f32x4 */
        v128_t v = wasm_v128_load(x + i), w = wasm_v128_load(x + i + 4);
        a0 += (f64x2)wasm_f64x2_promote_low_f32x4(v);
        a1 += (f64x2)wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3));
        a2 += (f64x2)wasm_f64x2_promote_low_f32x4(w);
        a3 += (f64x2)wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(w, w, 2, 3, 2, 3));
#else
        f32x2 q[4];
        memcpy(q, x + i, sizeof q);
        a0 += __builtin_convertvector(q[0], f64x2);
        a1 += __builtin_convertvector(q[1], f64x2);
        a2 += __builtin_convertvector(q[2], f64x2);
        a3 += __builtin_convertvector(q[3], f64x2);
#endif
    }
    f64x2 a = (a0 + a1) + (a2 + a3);
    double r = a[0] + a[1];
    for (; i < n; i++) r += x[i];
    return r;
}

static double sum_run_f64(const double *x, int32_t n) {
    f64x2 a0 = { 0, 0 }, a1 = { 0, 0 };
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f64x2 lo, hi;
        memcpy(&lo, x + i, sizeof lo);
        memcpy(&hi, x + i + 2, sizeof hi);
        a0 += lo;
        a1 += hi;
    }
    double r = (a0[0] + a1[0]) + (a0[1] + a1[1]);
    for (; i < n; i++) r += x[i];
    return r;
}

/* max or min of a contiguous float32 run, four lanes at a time; a NaN anywhere wins
 * (tracked apart, so the compare-select needs no NaN case) */
typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));

static double extreme_run_f32(int op, const float *x, int32_t n) {
    float id = (float)identity(op);
    f32x4 m = { id, id, id, id };
    i32x4 nan = { 0, 0, 0, 0 };
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f32x4 v;
        memcpy(&v, x + i, sizeof v);
        i32x4 take = op == WG_OP_MAX ? v > m : v < m;
        m = (f32x4)(((i32x4)v & take) | ((i32x4)m & ~take));
        nan |= v != v;
    }
    double r = identity(op);
    for (int l = 0; l < 4; l++) { COMBINE(op, r, (double)m[l]); }
    if (nan[0] | nan[1] | nan[2] | nan[3]) return __builtin_nan("");
    for (; i < n; i++) { double v = x[i]; COMBINE(op, r, v); }
    return r;
}

#define DEFINE_REDUCE(T, suffix) \
    static void reduce_##suffix(int op, const wg_loop *L, const T *x, double *acc) { \
        int32_t idx[WG_MAX_DIMS] = {0}; \
        ptrdiff_t off[WG_LOOP_OPS] = {0}; \
        int in = L->ndim - 1; \
        int32_t n = L->shape[in]; \
        ptrdiff_t sa = L->stride[0][in], sx = L->stride[1][in]; \
        if (n == 0) return; \
        do { \
            const T *xs = x + off[1]; \
            double *as = acc + off[0]; \
            if (op == WG_OP_SUM && sa == 0 && sx == 1) { \
                *as += sum_run_##suffix(xs, n); \
            } else if (sizeof(T) == 4 && (op == WG_OP_MAX || op == WG_OP_MIN) && sa == 0 && sx == 1) { \
                double r = extreme_run_f32(op, (const float *)xs, n); \
                COMBINE(op, *as, r); \
            } else if (op == WG_OP_SUM && sa == 1 && sx == 1) { \
                for (int32_t i = 0; i < n; i++) as[i] += xs[i]; \
            } else if (sa == 0) { \
                double r = identity(op); \
                if (op == WG_OP_SUM) for (int32_t i = 0; i < n; i++) r += xs[i * sx]; \
                else for (int32_t i = 0; i < n; i++) { double v = xs[i * sx]; COMBINE(op, r, v); } \
                COMBINE(op, *as, r); \
            } else { \
                for (int32_t i = 0; i < n; i++) { double v = xs[i * sx]; COMBINE(op, as[i * sa], v); } \
            } \
        } while (wg_loop_step(L, idx, off)); \
    }
DEFINE_REDUCE(float, f32)
DEFINE_REDUCE(double, f64)

void wg_kernel_reduce(int dtype, int op, const wg_loop *L, const void *x, double *acc) {
    if (dtype == WG_F32) reduce_f32(op, L, x, acc);
    else reduce_f64(op, L, x, acc);
}

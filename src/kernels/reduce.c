/* reduce.c: sum, prod, max, min along any set of axes, without a transposing copy.
 *
 * The walk goes over the input in memory order; the accumulator (one double per output
 * element) is addressed with stride 0 on the reduced axes. A reduced innermost run folds
 * into registers first (float32 sums in float32 blocks of 64, see wg_kernel_sum_f32). */
#include <string.h>
#include "kernels.h"
#include "../simd/vec.h"
#include "../simd/vec64.h"

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

/* Sum of a contiguous float32 run: blocks of 64 are summed in float32 lanes (four vector
 * accumulators, so each lane adds four values and the adds pipeline), and each block's sum
 * goes into a double. The error is that of a 16-term float32 sum per block (NumPy's pairwise
 * float32 sum is of the same order); promoting every element to double instead cost half as
 * much time again (1024 rows of 1024 in V8: 0.23 ms against 0.15 ms).
 * A run may come in pieces (fused.c computes it a block at a time): state carries the double
 * accumulators from one piece to the next, and as long as every piece but the last is a
 * multiple of 64 elements the sum is the same as of the whole run at once. */
__attribute__((noinline)) double wg_kernel_sum_piece_f32(const float *x, int32_t n, double *state, int last) {
    f64x2 total = { state[0], state[1] };
    int32_t i = 0;
    while (n - i >= 16) {
        int32_t end = n - i >= 64 ? i + 64 : n - (n - i) % 16;
        f32x4 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
        for (; i < end; i += 16) {
            f32x4 v[4];
            memcpy(v, x + i, sizeof v);
            s0 += v[0]; s1 += v[1]; s2 += v[2]; s3 += v[3];
        }
        f32x4 s = (s0 + s1) + (s2 + s3); /* in wasm the two conversions are f64x2.promote_low_f32x4 */
        total += __builtin_convertvector(__builtin_shufflevector(s, s, 0, 1), f64x2) +
                 __builtin_convertvector(__builtin_shufflevector(s, s, 2, 3), f64x2);
    }
    state[0] = total[0];
    state[1] = total[1];
    if (!last) return 0;
    double r = total[0] + total[1];
    for (; i < n; i++) r += x[i];
    return r;
}

/* the same for float64, four at a time in two pairs of lanes; pieces a multiple of 4 */
__attribute__((noinline)) double wg_kernel_sum_piece_f64(const double *x, int32_t n, double *state, int last) {
    f64x2 a0 = { state[0], state[1] }, a1 = { state[2], state[3] };
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        f64x2 lo, hi;
        memcpy(&lo, x + i, sizeof lo);
        memcpy(&hi, x + i + 2, sizeof hi);
        a0 += lo;
        a1 += hi;
    }
    memcpy(state, &a0, sizeof a0);
    memcpy(state + 2, &a1, sizeof a1);
    if (!last) return 0;
    double r = (a0[0] + a1[0]) + (a0[1] + a1[1]);
    for (; i < n; i++) r += x[i];
    return r;
}

double wg_kernel_sum_f32(const float *x, int32_t n) {
    double state[2] = { 0, 0 };
    return wg_kernel_sum_piece_f32(x, n, state, 1);
}

double wg_kernel_sum_f64(const double *x, int32_t n) {
    double state[4] = { 0, 0, 0, 0 };
    return wg_kernel_sum_piece_f64(x, n, state, 1);
}

/* max or min of a contiguous run, two vectors at a time: a NaN anywhere wins (tracked apart,
 * so the compare-select needs no NaN case); min is the max of the negated values, negated
 * back (negation keeps every comparison, so the result is one of the run's own values, a
 * zero with its sign); two running maxima halve the chain of compare-select latencies that
 * one would wait on. [1024, 1024] along the last axis: float64 max and min 1.9 -> 0.47 ms (a
 * compare and branch per element before), float32 max 0.8 -> 0.35, min 0.68 -> 0.3 (one
 * running vector); of all elements, float64 1.8 -> 0.45, float32 0.67 -> 0.26. */
#define EXTREME_STEP(V, M, p, flip, m, nan) \
    do { \
        V v_; \
        memcpy(&v_, p, sizeof v_); \
        v_ = (V)((M)v_ ^ (flip)); \
        M take_ = v_ > (m); \
        (m) = (V)(((M)v_ & take_) | ((M)(m) & ~take_)); \
        (nan) |= v_ != v_; \
    } while (0)
#define DEFINE_EXTREME_RUN(T, V, M, suffix) \
    __attribute__((noinline)) static double extreme_run_##suffix(int op, const T *x, int32_t n) { \
        enum { LANES = sizeof(V) / sizeof(T) }; \
        V m0 = (V){ 0 } - (T)__builtin_inf(), m1 = m0; \
        M flip = op == WG_OP_MAX ? (M){ 0 } : (M)(-(V){ 0 }), nan = { 0 }; /* min: the sign bits */ \
        int32_t i = 0; \
        for (; i + 2 * LANES <= n; i += 2 * LANES) { \
            EXTREME_STEP(V, M, x + i, flip, m0, nan); \
            EXTREME_STEP(V, M, x + i + LANES, flip, m1, nan); \
        } \
        T r = m0[0], sign = op == WG_OP_MAX ? 1 : -1; /* r, too, is a max of negated values for min */ \
        for (int l = 0; l < LANES; l++) { \
            if (nan[l]) return __builtin_nan(""); \
            r = m0[l] > r ? m0[l] : r; \
            r = m1[l] > r ? m1[l] : r; \
        } \
        for (; i < n; i++) { \
            T v = sign * x[i]; \
            if (v != v) return __builtin_nan(""); \
            r = v > r ? v : r; \
        } \
        return sign * r; \
    }
DEFINE_EXTREME_RUN(float, f32x4, i32x4, f32)
DEFINE_EXTREME_RUN(double, f64x2, i64x2, f64)

double wg_kernel_max_run(int dtype, const void *x, int32_t n) {
    return dtype == WG_F64 ? extreme_run_f64(WG_OP_MAX, x, n) : extreme_run_f32(WG_OP_MAX, x, n);
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
                *as += wg_kernel_sum_##suffix(xs, n); \
            } else if ((op == WG_OP_MAX || op == WG_OP_MIN) && sa == 0 && sx == 1) { \
                double r = extreme_run_##suffix(op, xs, n); \
                COMBINE(op, *as, r); \
            } else if (op == WG_OP_SUM && sa == 1 && sx == 1) { \
                for (int32_t i = 0; i < n; i++) as[i] += xs[i]; \
            } else if (op == WG_OP_PROD && sa == 1 && sx == 1) { /* vectorised, as sum: 0.9 -> 0.45 ms */ \
                for (int32_t i = 0; i < n; i++) as[i] *= xs[i]; \
            } else if (op == WG_OP_MAX && sa == 1 && sx == 1) { /* along an outer axis: selects, no branch */ \
                /* v wins unless v <= a (so a NaN v wins, an equal one does not) or a is NaN: \
                   two comparisons (three before: float32 [1024, 1024] along axis 0 0.93 -> 0.55 ms) */ \
                WG_VECTOR_LOOP for (int32_t i = 0; i < n; i++) { \
                    double v = xs[i], a = as[i]; \
                    as[i] = !(v <= a) && a == a ? v : a; \
                } \
            } else if (op == WG_OP_MIN && sa == 1 && sx == 1) { \
                WG_VECTOR_LOOP for (int32_t i = 0; i < n; i++) { \
                    double v = xs[i], a = as[i]; \
                    as[i] = !(v >= a) && a == a ? v : a; \
                } \
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

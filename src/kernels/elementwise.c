/* elementwise.c: unary and broadcasting binary kernels for float32 and float64.
 *
 * Each operator's formula is written once, type-generically (tgmath.h picks sinf or sin),
 * and expanded for both dtypes. These are the scalar twins; SIMD128 versions of the hot
 * ones replace them per operator. */
#include <stdbool.h>
#include <tgmath.h>
#include "kernels.h"

#define PI_ 3.14159265358979323846

/* The formulas. x is the input, T the type they compute in. Kind N computes in the
 * array's own type (exact or correctly rounded there: arithmetic, sqrt, rounding); kind D
 * computes in double and rounds once, so float32 results are as accurate as double libm
 * allows and only the double libm is linked in. Kind V is N in a vector loop for float64 too
 * (as a scalar loop, a select on the sign cost float64 relu and sign 5.5 ns an element).
 * Chosen for accuracy at the tails: sigmoid and softplus never overflow exp, sign and relu
 * keep NaN. */
#define UNARY_FORMULAS(X) \
    X(NEG, N,        -x) \
    X(ABS, N,        fabs(x)) \
    X(SIGN, V,       x > 0 ? (T)1 : x < 0 ? (T)-1 : x) \
    X(SQUARE, N,     x * x) \
    X(SQRT, N,       sqrt(x)) \
    X(CBRT, D,       cbrt(x)) \
    X(RSQRT, N,      (T)1 / sqrt(x)) \
    X(RCBRT, D,      (T)1 / cbrt(x)) \
    X(RECIPROCAL, N, (T)1 / x) \
    X(EXP, D,        exp(x)) \
    X(EXPM1, D,      expm1(x)) \
    X(LOG, D,        log(x)) \
    X(LOG2, D,       log2(x)) \
    X(LOG10, D,      log10(x)) \
    X(LOG1P, D,      log1p(x)) \
    X(SIN, D,        sin(x)) \
    X(COS, D,        cos(x)) \
    X(TAN, D,        tan(x)) \
    X(ARCSIN, D,     asin(x)) \
    X(ARCCOS, D,     acos(x)) \
    X(ARCTAN, D,     atan(x)) \
    X(SINH, D,       sinh(x)) \
    X(COSH, D,       cosh(x)) \
    X(TANH, D,       tanh(x)) \
    X(ARCSINH, D,    asinh(x)) \
    X(ARCCOSH, D,    x < 1 ? (T)NAN : acosh(x)) /* musl's acosh gives finite values for some x <= -2 */ \
    X(ARCTANH, D,    atanh(x)) \
    X(SIGMOID, D,    x >= 0 ? (T)1 / ((T)1 + exp(-x)) : exp(x) / ((T)1 + exp(x))) \
    X(SOFTSIGN, N,   fabs(x) == (T)INFINITY ? copysign((T)1, x) : x / ((T)1 + fabs(x))) /* not inf/inf */ \
    X(RELU, V,       x < 0 ? (T)0 : x) \
    X(SOFTPLUS, D,   x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))) \
    X(ERF, D,        erf(x)) \
    X(DEGREES, N,    x * (T)(180.0 / PI_)) \
    X(RADIANS, N,    x * (T)(PI_ / 180.0)) \
    X(FLOOR, N,      floor(x)) \
    X(CEIL, N,       ceil(x)) \
    X(ROUND, N,      sizeof(T) == sizeof(double) ? round(x) /* halves away from 0; float32 as a vector loop \
                     (x - trunc(x) is exact) where libm's round is a call per element (8.8 -> 1.0 ms per 1M); \
                     float64 loops are scalar, and there libm's round is faster than the select */ \
                     : fabs(x - trunc(x)) >= (T)0.5 ? trunc(x) + copysign((T)1, x) : trunc(x)) \
    X(TRUNC, N,      trunc(x))

/* a, b are the operands. maximum/minimum propagate NaN as NumPy does. */
#define BINARY_FORMULAS(X) \
    X(ADD, N,           a + b) \
    X(SUB, N,           a - b) \
    X(MUL, N,           a * b) \
    X(DIV, N,           a / b) \
    X(POW, D,           pow(a, b)) \
    X(MAXIMUM, N,       (a > b || a != a) ? a : b) \
    X(MINIMUM, N,       (a < b || a != a) ? a : b) \
    X(HYPOT, D,         sizeof(native_t) == sizeof(float) /* the squares of floats are exact in double and \
                        cannot overflow: double hypot's result in a loop that vectorises (7 -> 1.5 ms per 1M) */ \
                        ? (fabs(a) == (T)INFINITY || fabs(b) == (T)INFINITY ? (T)INFINITY : sqrt(a * a + b * b)) \
                        : hypot(a, b)) /* C99: an infinite side wins over NaN */ \
    X(ARCTAN2, D,       atan2(a, b)) \
    X(TANH_GRAD, N,     a * ((T)1 - b * b)) \
    X(SIGMOID_GRAD, N,  a * b * ((T)1 - b)) \
    X(EQUAL, N,         (T)(a == b)) \
    X(NOT_EQUAL, N,     (T)(a != b)) \
    X(GREATER, N,       (T)(a > b)) \
    X(GREATER_EQUAL, N, (T)(a >= b)) \
    X(LESS, N,          (T)(a < b)) \
    X(LESS_EQUAL, N,    (T)(a <= b))

/* the loop each binary formula runs in (see DEFINE_BINARY): the dtype's own loop (vector for
 * float32, scalar for float64) for the arithmetic backward passes are made of, vector loops in
 * both dtypes for the comparisons (the masks of rules, relu's g (x > 0): a scalar loop that
 * converts each bool to a float took 5 ns an element), the compiler's choice for the rest
 * (their cost is in the function) */
#define LOOP_OF_ADD LOOP
#define LOOP_OF_SUB LOOP
#define LOOP_OF_MUL LOOP
#define LOOP_OF_DIV LOOP
#define LOOP_OF_TANH_GRAD LOOP
#define LOOP_OF_SIGMOID_GRAD LOOP
#define LOOP_OF_POW for
#define LOOP_OF_MAXIMUM for
#define LOOP_OF_MINIMUM for
#define LOOP_OF_HYPOT for
#define LOOP_OF_ARCTAN2 for
#define LOOP_OF_EQUAL WG_VECTOR_LOOP for
#define LOOP_OF_NOT_EQUAL WG_VECTOR_LOOP for
#define LOOP_OF_GREATER WG_VECTOR_LOOP for
#define LOOP_OF_GREATER_EQUAL WG_VECTOR_LOOP for
#define LOOP_OF_LESS WG_VECTOR_LOOP for
#define LOOP_OF_LESS_EQUAL WG_VECTOR_LOOP for

/* float32 loops are vectorised but not also unrolled (memory is the limit anyway);
 * float64, the checking dtype, stays scalar: half the code for what matters less */
#define LOOP_VECTOR WG_VECTOR_LOOP for
#define LOOP_SCALAR WG_SCALAR_LOOP for
#define CALC_N native_t
#define CALC_D double
#define CALC_V native_t
#define UNARY_LOOP_N LOOP
#define UNARY_LOOP_D LOOP
#define UNARY_LOOP_V WG_VECTOR_LOOP for
#define UNARY_CASE(id, kind, expr) \
    case WG_OP_##id: if (SCALAR_UNUSED(native_t, WG_OP_##id)) break; { \
        typedef CALC_##kind T; \
        UNARY_LOOP_##kind (size_t i = 0; i < n; i++) { T x = X[i]; Y[i] = (native_t)(expr); } \
    } break;

#define DEFINE_UNARY(TYPE, suffix) \
    static void unary_##suffix(int op, size_t n, const TYPE *X, TYPE *Y) { \
        typedef TYPE native_t; \
        switch (op) { UNARY_FORMULAS(UNARY_CASE) default: break; } \
    }

/* defined at the end of the file, once per dtype */
static void unary_f32(int op, size_t n, const float *X, float *Y);
static void unary_f64(int op, size_t n, const double *X, double *Y);

/* float32 operators with a SIMD kernel of their own (vmath_f32.c) */
static void (*const simd_f32[WG_OP_COUNT])(size_t, const float *, float *) = {
    [WG_OP_EXP] = wg_f32_vexp, [WG_OP_LOG] = wg_f32_vlog, [WG_OP_TANH] = wg_f32_vtanh,
    [WG_OP_SIGMOID] = wg_f32_vsigmoid, [WG_OP_SIN] = wg_f32_vsin, [WG_OP_COS] = wg_f32_vcos, [WG_OP_TAN] = wg_f32_vtan,
    [WG_OP_EXPM1] = wg_f32_vexpm1, [WG_OP_LOG1P] = wg_f32_vlog1p, [WG_OP_SOFTPLUS] = wg_f32_vsoftplus, [WG_OP_ERF] = wg_f32_verf,
    [WG_OP_LOG2] = wg_f32_vlog2, [WG_OP_LOG10] = wg_f32_vlog10, [WG_OP_SINH] = wg_f32_vsinh, [WG_OP_COSH] = wg_f32_vcosh,
    [WG_OP_ARCTAN] = wg_f32_varctan, [WG_OP_ARCSIN] = wg_f32_varcsin, [WG_OP_ARCCOS] = wg_f32_varccos,
    [WG_OP_ARCSINH] = wg_f32_varcsinh, [WG_OP_ARCCOSH] = wg_f32_varccosh, [WG_OP_ARCTANH] = wg_f32_varctanh,
    [WG_OP_CBRT] = wg_f32_vcbrt, [WG_OP_RCBRT] = wg_f32_vrcbrt,
};

/* float64 operators with a SIMD kernel of their own (vmath_f64.c, vmath_f64_inv.c) */
static void (*const simd_f64[WG_OP_COUNT])(size_t, const double *, double *) = {
    [WG_OP_EXP] = wg_f64_vexp, [WG_OP_LOG] = wg_f64_vlog, [WG_OP_SIN] = wg_f64_vsin, [WG_OP_COS] = wg_f64_vcos, [WG_OP_TANH] = wg_f64_vtanh, [WG_OP_SIGMOID] = wg_f64_vsigmoid,
    [WG_OP_SOFTPLUS] = wg_f64_vsoftplus, [WG_OP_EXPM1] = wg_f64_vexpm1, [WG_OP_LOG1P] = wg_f64_vlog1p,
    [WG_OP_TAN] = wg_f64_vtan, [WG_OP_ERF] = wg_f64_verf,
    [WG_OP_LOG2] = wg_f64_vlog2, [WG_OP_LOG10] = wg_f64_vlog10, [WG_OP_ARCSINH] = wg_f64_varcsinh,
    [WG_OP_ARCCOSH] = wg_f64_varccosh, [WG_OP_ARCTANH] = wg_f64_varctanh, [WG_OP_SINH] = wg_f64_vsinh, [WG_OP_COSH] = wg_f64_vcosh,
    /* vmath_f64_inv.c */
    [WG_OP_CBRT] = wg_f64_vcbrt, [WG_OP_RCBRT] = wg_f64_vrcbrt, [WG_OP_ARCTAN] = wg_f64_varctan,
    [WG_OP_ARCSIN] = wg_f64_varcsin, [WG_OP_ARCCOS] = wg_f64_varccos,
};

/* In the wasm module operators with a SIMD kernel never reach the scalar loops, so
 * those are left out (the test that compares the two runs natively): a constant condition
 * the compiler folds, as simd_f32 is a constant table. */
#ifdef __wasm__
#define SCALAR_UNUSED(T, op) (sizeof(T) == sizeof(float) ? simd_f32[op] != NULL : simd_f64[op] != NULL)
#else
#define SCALAR_UNUSED(T, op) 0
#endif

void wg_kernel_unary(int dtype, int op, size_t n, const void *x, void *y) {
    if (dtype == WG_F32 && simd_f32[op]) simd_f32[op](n, x, y);
    else if (dtype == WG_F32) unary_f32(op, n, x, y);
    else if (simd_f64[op]) simd_f64[op](n, x, y);
    else unary_f64(op, n, x, y);
}

/* the scalar formulas, for tests that compare the SIMD kernels with them */
void wg_kernel_unary_scalar(int dtype, int op, size_t n, const void *x, void *y) {
    if (dtype == WG_F32) unary_f32(op, n, x, y);
    else unary_f64(op, n, x, y);
}

/* One contiguous run of a binary operator: each formula once, in its loop. arctan2 never gets
 * here in the wasm module (its SIMD kernels take every run), so its scalar loop is left out. */
#ifdef __wasm__
#define BINARY_UNUSED(op) ((op) == WG_OP_ARCTAN2)
#else
#define BINARY_UNUSED(op) 0
#endif
#define BINARY_CASE(id, kind, expr) \
    case WG_OP_##id: if (BINARY_UNUSED(WG_OP_##id)) break; { typedef CALC_##kind T; \
        LOOP_OF_##id (size_t i = 0; i < n; i++) { T a = A[i], b = B[i]; O[i] = (native_t)(expr); } \
    } break;

/* power with one exponent for the whole run (x ** 2 in user code, and power's own rule,
 * b x^(b-1), at every order): the common exponents without pow, which costs ~30 ns an element.
 * The products are rounded once in double, which float32 results then round from; -0 and
 * -inf keep pow's values (pow(-0, 0.5) = +0 where sqrt gives -0, pow(-inf, 0.5) = +inf). */
#define DEFINE_POW_BY_SCALAR(TYPE, suffix) \
    static bool pow_by_scalar_##suffix(size_t n, const TYPE *restrict A, ptrdiff_t sa, double b, \
                                       TYPE *restrict O) { \
        if (b == 2) LOOP (size_t i = 0; i < n; i++) { TYPE a = A[i * sa]; O[i] = a * a; } \
        else if (b == 1) LOOP (size_t i = 0; i < n; i++) O[i] = A[i * sa]; \
        else if (b == 0) LOOP (size_t i = 0; i < n; i++) O[i] = 1; \
        else if (b == -1) LOOP (size_t i = 0; i < n; i++) O[i] = (TYPE)1 / A[i * sa]; \
        else if (b == 3) LOOP (size_t i = 0; i < n; i++) { double a = A[i * sa]; O[i] = (TYPE)(a * a * a); } \
        else if (b == -2) LOOP (size_t i = 0; i < n; i++) { double a = A[i * sa]; O[i] = (TYPE)(1 / (a * a)); } \
        else if (b == 0.5) \
            LOOP (size_t i = 0; i < n; i++) { TYPE a = A[i * sa]; O[i] = a == -(TYPE)INFINITY ? (TYPE)INFINITY : sqrt(a) + 0; } \
        else return false; \
        return true; \
    }

/* power's SIMD kernels (pow_f32.c, pow_f64.c) */
#define POW_SIMD_f32(n, A, sa, B, sb, O) (wg_f32_vpow(n, A, sa, B, sb, O), true)
#define POW_SIMD_f64(n, A, sa, B, sb, O) (wg_f64_vpow(n, A, sa, B, sb, O), true)
/* and arctan2 (vmath_f32.c, vmath_f64_inv.c) */
#define ATAN2_SIMD_f32(n, A, sa, B, sb, O) (wg_f32_varctan2(n, A, sa, B, sb, O), true)
#define ATAN2_SIMD_f64(n, A, sa, B, sb, O) (wg_f64_varctan2(n, A, sa, B, sb, O), true)

/* A run of a binary operator: n outputs, each operand contiguous (stride 1) or one number for
 * the whole run (stride 0), which is all a walk over contiguous operands produces. A number is
 * spread into a buffer first, so that the formulas need one loop each, not one per stride
 * case (0.7 KB gzip less, and no slower: 1M-element x * 3, x * row and x * column measured the
 * same in both dtypes). */
#define SPREAD 256
#define DEFINE_BINARY(TYPE, suffix) \
    DEFINE_POW_BY_SCALAR(TYPE, suffix) \
    __attribute__((noinline)) static void contiguous_##suffix(int op, size_t n, const TYPE *restrict A, \
                                                              const TYPE *restrict B, TYPE *restrict O) { \
        typedef TYPE native_t; \
        switch (op) { BINARY_FORMULAS(BINARY_CASE) default: break; } \
    } \
    static void binary_run_##suffix(int op, size_t n, const TYPE *A, ptrdiff_t sa, const TYPE *B, ptrdiff_t sb, \
                                    TYPE *O) { \
        if (op == WG_OP_POW && sb == 0 && pow_by_scalar_##suffix(n, A, sa, B[0], O)) return; \
        if (op == WG_OP_POW && POW_SIMD_##suffix(n, A, sa, B, sb, O)) return; \
        if (op == WG_OP_ARCTAN2 && ATAN2_SIMD_##suffix(n, A, sa, B, sb, O)) return; \
        if (sa == 1 && sb == 1) { contiguous_##suffix(op, n, A, B, O); return; } \
        TYPE spread_a[SPREAD], spread_b[SPREAD]; \
        size_t m = n < SPREAD ? n : SPREAD; \
        for (size_t i = 0; i < m; i++) { if (!sa) spread_a[i] = A[0]; if (!sb) spread_b[i] = B[0]; } \
        for (size_t start = 0; start < n; start += SPREAD) { \
            size_t k = n - start < SPREAD ? n - start : SPREAD; \
            contiguous_##suffix(op, k, sa ? A + start : spread_a, sb ? B + start : spread_b, O + start); \
        } \
    } \
    static void binary_##suffix(int op, const wg_loop *L, const TYPE *a, const TYPE *b, TYPE *out) { \
        int32_t idx[WG_MAX_DIMS] = {0}; \
        ptrdiff_t off[WG_LOOP_OPS] = {0}; \
        int in = L->ndim - 1; \
        if (L->shape[in] == 0) return; \
        do binary_run_##suffix(op, (size_t)L->shape[in], a + off[1], L->stride[1][in], b + off[2], \
                               L->stride[2][in], out + off[0]); \
        while (wg_loop_step(L, idx, off)); \
    }
#define LOOP LOOP_VECTOR
DEFINE_UNARY(float, f32)
DEFINE_BINARY(float, f32)
#undef LOOP
#define LOOP LOOP_SCALAR
DEFINE_UNARY(double, f64)
DEFINE_BINARY(double, f64)
#undef LOOP

void wg_kernel_binary(int dtype, int op, const wg_loop *L, const void *a, const void *b, void *out) {
    if (dtype == WG_F32) binary_f32(op, L, a, b, out);
    else binary_f64(op, L, a, b, out);
}

void wg_kernel_binary_run(int dtype, int op, size_t n, const void *a, ptrdiff_t sa, const void *b, ptrdiff_t sb,
                          void *out) {
    if (dtype == WG_F32) binary_run_f32(op, n, a, sa, b, sb, out);
    else binary_run_f64(op, n, a, sa, b, sb, out);
}

/* clip: NaN bounds mean unbounded; NaN inputs stay NaN */
#define DEFINE_CLIP(T, suffix) \
    static void clip_##suffix(size_t n, const T *X, T *Y, double lo, double hi) { \
        T l = (T)lo, h = (T)hi; int has_lo = lo == lo, has_hi = hi == hi; \
        for (size_t i = 0; i < n; i++) { \
            T x = X[i]; \
            if (has_lo && x < l) x = l; \
            if (has_hi && x > h) x = h; \
            Y[i] = x; \
        } \
    }
DEFINE_CLIP(float, f32)
DEFINE_CLIP(double, f64)

void wg_kernel_clip(int dtype, size_t n, const void *x, void *y, double lo, double hi) {
    if (dtype == WG_F32) clip_f32(n, x, y, lo, hi);
    else clip_f64(n, x, y, lo, hi);
}

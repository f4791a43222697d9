/* elementwise.c: unary and broadcasting binary kernels for float32 and float64.
 *
 * Each operator's formula is written once, type-generically (tgmath.h picks sinf or sin),
 * and expanded for both dtypes. These are the scalar twins; SIMD128 versions of the hot
 * ones replace them per operator. */
#include <tgmath.h>
#include "kernels.h"

#define PI_ 3.14159265358979323846

/* The formulas. x is the input, T its type. Chosen for accuracy at the tails:
 * sigmoid and softplus never overflow exp, sign and relu keep NaN. */
#define UNARY_FORMULAS(X) \
    X(NEG,        -x) \
    X(ABS,        fabs(x)) \
    X(SIGN,       x > 0 ? (T)1 : x < 0 ? (T)-1 : x) \
    X(SQUARE,     x * x) \
    X(SQRT,       sqrt(x)) \
    X(CBRT,       cbrt(x)) \
    X(RSQRT,      (T)1 / sqrt(x)) \
    X(RCBRT,      (T)1 / cbrt(x)) \
    X(RECIPROCAL, (T)1 / x) \
    X(EXP,        exp(x)) \
    X(EXPM1,      expm1(x)) \
    X(LOG,        log(x)) \
    X(LOG2,       log2(x)) \
    X(LOG10,      log10(x)) \
    X(LOG1P,      log1p(x)) \
    X(SIN,        sin(x)) \
    X(COS,        cos(x)) \
    X(TAN,        tan(x)) \
    X(ARCSIN,     asin(x)) \
    X(ARCCOS,     acos(x)) \
    X(ARCTAN,     atan(x)) \
    X(SINH,       sinh(x)) \
    X(COSH,       cosh(x)) \
    X(TANH,       tanh(x)) \
    X(ARCSINH,    asinh(x)) \
    X(ARCCOSH,    acosh(x)) \
    X(ARCTANH,    atanh(x)) \
    X(SIGMOID,    x >= 0 ? (T)1 / ((T)1 + exp(-x)) : exp(x) / ((T)1 + exp(x))) \
    X(SOFTSIGN,   x / ((T)1 + fabs(x))) \
    X(RELU,       x < 0 ? (T)0 : x) \
    X(SOFTPLUS,   x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))) \
    X(ERF,        erf(x)) \
    X(DEGREES,    x * (T)(180.0 / PI_)) \
    X(RADIANS,    x * (T)(PI_ / 180.0)) \
    X(FLOOR,      floor(x)) \
    X(CEIL,       ceil(x)) \
    X(ROUND,      round(x)) \
    X(TRUNC,      trunc(x))

/* a, b are the operands. maximum/minimum propagate NaN as NumPy does. */
#define BINARY_FORMULAS(X) \
    X(ADD,           a + b) \
    X(SUB,           a - b) \
    X(MUL,           a * b) \
    X(DIV,           a / b) \
    X(POW,           pow(a, b)) \
    X(MAXIMUM,       (a > b || a != a) ? a : b) \
    X(MINIMUM,       (a < b || a != a) ? a : b) \
    X(HYPOT,         hypot(a, b)) \
    X(ARCTAN2,       atan2(a, b)) \
    X(EQUAL,         (T)(a == b)) \
    X(NOT_EQUAL,     (T)(a != b)) \
    X(GREATER,       (T)(a > b)) \
    X(GREATER_EQUAL, (T)(a >= b)) \
    X(LESS,          (T)(a < b)) \
    X(LESS_EQUAL,    (T)(a <= b))

#define UNARY_CASE(id, expr) \
    case WG_OP_##id: for (size_t i = 0; i < n; i++) { T x = X[i]; Y[i] = (expr); } break;

#define DEFINE_UNARY(TYPE, suffix) \
    static void unary_##suffix(int op, size_t n, const TYPE *X, TYPE *Y) { \
        typedef TYPE T; \
        switch (op) { UNARY_FORMULAS(UNARY_CASE) default: break; } \
    }
DEFINE_UNARY(float, f32)
DEFINE_UNARY(double, f64)

/* float32 operators with a SIMD kernel of their own (vmath_f32.c) */
static void (*const simd_f32[WG_OP_COUNT])(size_t, const float *, float *) = {
    [WG_OP_EXP] = wg_f32_vexp, [WG_OP_LOG] = wg_f32_vlog, [WG_OP_TANH] = wg_f32_vtanh,
    [WG_OP_SIGMOID] = wg_f32_vsigmoid, [WG_OP_SIN] = wg_f32_vsin, [WG_OP_COS] = wg_f32_vcos,
};

void wg_kernel_unary(int dtype, int op, size_t n, const void *x, void *y) {
    if (dtype == WG_F32 && simd_f32[op]) simd_f32[op](n, x, y);
    else if (dtype == WG_F32) unary_f32(op, n, x, y);
    else unary_f64(op, n, x, y);
}

/* the scalar formulas, for tests that compare the SIMD kernels with them */
void wg_kernel_unary_scalar(int dtype, int op, size_t n, const void *x, void *y) {
    if (dtype == WG_F32) unary_f32(op, n, x, y);
    else unary_f64(op, n, x, y);
}

/* One run of a binary operator: n outputs, operand strides sa and sb (0 = broadcast).
 * The contiguous and broadcast cases get their own loops so the compiler vectorises them. */
#define BINARY_CASE(id, expr) \
    case WG_OP_##id: \
        if (sa == 1 && sb == 1) for (size_t i = 0; i < n; i++) { T a = A[i], b = B[i]; O[i] = (expr); } \
        else if (sa == 1 && sb == 0) { T b = B[0]; for (size_t i = 0; i < n; i++) { T a = A[i]; O[i] = (expr); } } \
        else if (sa == 0 && sb == 1) { T a = A[0]; for (size_t i = 0; i < n; i++) { T b = B[i]; O[i] = (expr); } } \
        else for (size_t i = 0; i < n; i++) { T a = A[i * sa], b = B[i * sb]; O[i] = (expr); } \
        break;

#define DEFINE_BINARY(TYPE, suffix) \
    static void binary_run_##suffix(int op, size_t n, const TYPE *A, ptrdiff_t sa, const TYPE *B, ptrdiff_t sb, \
                                    TYPE *O) { \
        typedef TYPE T; \
        switch (op) { BINARY_FORMULAS(BINARY_CASE) default: break; } \
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
DEFINE_BINARY(float, f32)
DEFINE_BINARY(double, f64)

void wg_kernel_binary(int dtype, int op, const wg_loop *L, const void *a, const void *b, void *out) {
    if (dtype == WG_F32) binary_f32(op, L, a, b, out);
    else binary_f64(op, L, a, b, out);
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

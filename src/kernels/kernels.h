/* kernels.h: the compute loops. They know nothing about autograd and never fail on
 * shapes (the caller validated them); only matmul allocates (see below). */
#ifndef WG_KERNELS_H
#define WG_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "../wasmgrad.h"

/* A strided walk over an output shape for up to 4 operands (operand 0 is the output).
 * Strides are in elements; 0 means broadcast. wg_loop_init merges dimensions that are
 * contiguous for every operand, so the innermost run is as long as possible. */
#define WG_LOOP_OPS 5
typedef struct {
    int ndim;                                 /* >= 1 after init */
    int nops;
    int32_t shape[WG_MAX_DIMS];
    ptrdiff_t stride[WG_LOOP_OPS][WG_MAX_DIMS];
} wg_loop;

void wg_loop_init(wg_loop *L, int ndim, const int32_t *shape, int nops,
                  ptrdiff_t (*strides)[WG_MAX_DIMS]);
int64_t wg_loop_size(const wg_loop *L);

/* Advances the multi-index over all but the innermost dimension and updates the
 * per-operand offsets. Returns false after the last run. */
/* Loop pragmas: WG_VECTOR_LOOP vectorises without also interleaving or unrolling (the loops
 * are memory-bound; the download is not); WG_SCALAR_LOOP keeps a loop scalar where vector code
 * would only be bigger (strided loops become gathers, and the loops over at most 5 operands
 * below, inlined into every kernel, were vectorised too). */
#ifdef __clang__
#define WG_VECTOR_LOOP _Pragma("clang loop interleave_count(1) unroll(disable)")
#define WG_SCALAR_LOOP _Pragma("clang loop vectorize(disable) unroll(disable)")
#else
#define WG_VECTOR_LOOP
#define WG_SCALAR_LOOP
#endif
static inline int wg_loop_step(const wg_loop *L, int32_t *idx, ptrdiff_t *off) {
    for (int d = L->ndim - 2; d >= 0; d--) {
        if (++idx[d] < L->shape[d]) {
            WG_SCALAR_LOOP for (int k = 0; k < L->nops; k++) off[k] += L->stride[k][d];
            return 1;
        }
        idx[d] = 0;
        WG_SCALAR_LOOP for (int k = 0; k < L->nops; k++) off[k] -= L->stride[k][d] * (ptrdiff_t)(L->shape[d] - 1);
    }
    return 0;
}

/* elementwise (elementwise.c): contiguous unary; broadcasting binary over a wg_loop whose
 * operands are (out, a, b) */
void wg_kernel_unary(int dtype, int op, size_t n, const void *x, void *y);
void wg_kernel_unary_scalar(int dtype, int op, size_t n, const void *x, void *y); /* no SIMD; native builds only (tests) */
void wg_kernel_binary(int dtype, int op, const wg_loop *L, const void *a, const void *b, void *out);
/* one run of n outputs; sa, sb are 1 (contiguous) or 0 (one number for the whole run) */
void wg_kernel_binary_run(int dtype, int op, size_t n, const void *a, ptrdiff_t sa, const void *b, ptrdiff_t sb,
                          void *out);
void wg_kernel_clip(int dtype, size_t n, const void *x, void *y, double lo, double hi);

/* fused.c: a chain of elementwise operators in one pass. Values are numbered: leaves (input
 * arrays, operands 1.. of the wg_loop over the output), then constants, then the steps' results;
 * the last step is the output. */
#define WG_FUSE_LEAVES 4
#define WG_FUSE_CONSTS 4
#define WG_FUSE_STEPS 8
#define WG_FUSE_VALUES (WG_FUSE_LEAVES + WG_FUSE_CONSTS + WG_FUSE_STEPS)
#define WG_FUSE_STEP0 (WG_FUSE_LEAVES + WG_FUSE_CONSTS) /* value number of step 0's result */
typedef struct { uint8_t op, nargs, arg[3]; } wg_fuse_step; /* a unary or binary operator, or where */
typedef struct {
    int nleaves, nconsts, nsteps;
    double consts[WG_FUSE_CONSTS];
    wg_fuse_step step[WG_FUSE_STEPS];
} wg_fuse_prog;
/* outputs [first, first + count) of the walk (in its order) into out */
void wg_kernel_fused(int dtype, const wg_fuse_prog *p, const wg_loop *L, const void *const *leaves, int64_t first,
                     int64_t count, void *out);
/* acc += sums of the program's output, walked by R (operands acc and the output, as
 * wg_kernel_reduce): what reducing the computed output would give, bit for bit */
void wg_kernel_fused_sum(int dtype, const wg_fuse_prog *p, const wg_loop *L, const void *const *leaves,
                         const wg_loop *R, double *acc);

/* vmath_f32.c: SIMD float32 transcendentals (about 1 ulp, tanh 3; see the file) */
void wg_f32_vexp(size_t n, const float *x, float *y);
void wg_f32_vlog(size_t n, const float *x, float *y);
void wg_f32_vtanh(size_t n, const float *x, float *y);
void wg_f32_vsigmoid(size_t n, const float *x, float *y);
void wg_f32_vsin(size_t n, const float *x, float *y);
void wg_f32_vcos(size_t n, const float *x, float *y);
void wg_f32_vtan(size_t n, const float *x, float *y);
/* float64 exp, log, sin, cos, tanh, sigmoid, softplus, expm1, log1p, tan and erf, vmath_f64.c */
void wg_f64_vexp(size_t n, const double *x, double *y);
void wg_f64_vlog(size_t n, const double *x, double *y);
void wg_f64_vsin(size_t n, const double *x, double *y);
void wg_f64_vcos(size_t n, const double *x, double *y);
void wg_f64_vtanh(size_t n, const double *x, double *y);
void wg_f64_vsigmoid(size_t n, const double *x, double *y);
void wg_f64_vsoftplus(size_t n, const double *x, double *y);
void wg_f64_vexpm1(size_t n, const double *x, double *y);
void wg_f64_vlog1p(size_t n, const double *x, double *y);
void wg_f64_vtan(size_t n, const double *x, double *y);
void wg_f64_verf(size_t n, const double *x, double *y);
/* and log2, log10, arcsinh, arccosh, arctanh, sinh, cosh (<= 1 ulp) */
void wg_f64_vlog2(size_t n, const double *x, double *y);
void wg_f64_vlog10(size_t n, const double *x, double *y);
void wg_f64_varcsinh(size_t n, const double *x, double *y);
void wg_f64_varccosh(size_t n, const double *x, double *y);
void wg_f64_varctanh(size_t n, const double *x, double *y);
void wg_f64_vsinh(size_t n, const double *x, double *y);
void wg_f64_vcosh(size_t n, const double *x, double *y);
/* What the float32 and float64 kernels give at the lanes they leave out where those hold only
 * infinities, NaN and domain edges (vmath_f64.c, vmath_f64_inv.c): libm's values, without
 * linking libm's log2, log10, tanh, erf, expm1, log1p, asinh, acosh, atanh, sinh, cosh, asin, acos
 * and cbrt into the module (log2's and log10's also take the denormals). */
double wg_edge_atan(double x);
double wg_edge_atan2(double y, double x);
double wg_edge_log2(double x);
double wg_edge_log10(double x);
double wg_edge_tanh(double x);
double wg_edge_erf(double x);
double wg_edge_expm1(double x);
double wg_edge_log1p(double x);
double wg_edge_asinh(double x);
double wg_edge_acosh(double x);
double wg_edge_atanh(double x);
double wg_edge_sinh(double x);
double wg_edge_cosh(double x);
double wg_edge_asin(double x);
double wg_edge_acos(double x);
/* float64 arctan, arcsin, arccos, cbrt, 1/cbrt and arctan2 (strides as wg_f32_varctan2), vmath_f64_inv.c */
void wg_f64_varctan(size_t n, const double *x, double *y);
void wg_f64_varcsin(size_t n, const double *x, double *y);
void wg_f64_varccos(size_t n, const double *x, double *y);
void wg_f64_vcbrt(size_t n, const double *x, double *y);
void wg_f64_vrcbrt(size_t n, const double *x, double *y);
void wg_f64_varctan2(size_t n, const double *y, ptrdiff_t sy, const double *x, ptrdiff_t sx, double *out);
/* float32 arctan2(y, x) over a run with strides (0: broadcast), vmath_f32.c */
void wg_f32_varctan2(size_t n, const float *y, ptrdiff_t sy, const float *x, ptrdiff_t sx, float *out);
/* float32 power over a run with strides (0: broadcast), pow_f32.c */
void wg_f32_vpow(size_t n, const float *a, ptrdiff_t sa, const float *b, ptrdiff_t sb, float *out);
/* float64 power, the same way, pow_f64.c */
void wg_f64_vpow(size_t n, const double *a, ptrdiff_t sa, const double *b, ptrdiff_t sb, double *out);
void wg_f32_vexpm1(size_t n, const float *x, float *y);
void wg_f32_vlog1p(size_t n, const float *x, float *y);
void wg_f32_vsoftplus(size_t n, const float *x, float *y);
void wg_f32_verf(size_t n, const float *x, float *y);
void wg_f32_vlog2(size_t n, const float *x, float *y);
void wg_f32_vlog10(size_t n, const float *x, float *y);
void wg_f32_vsinh(size_t n, const float *x, float *y);
void wg_f32_vcosh(size_t n, const float *x, float *y);
void wg_f32_varctan(size_t n, const float *x, float *y);
void wg_f32_varcsin(size_t n, const float *x, float *y);
void wg_f32_varccos(size_t n, const float *x, float *y);
void wg_f32_varcsinh(size_t n, const float *x, float *y);
void wg_f32_varccosh(size_t n, const float *x, float *y);
void wg_f32_varctanh(size_t n, const float *x, float *y);
void wg_f32_vcbrt(size_t n, const float *x, float *y);
void wg_f32_vrcbrt(size_t n, const float *x, float *y);

/* reduce.c: operands of L are (acc, x) over x's shape; acc holds one double per output
 * element, initialised by wg_kernel_reduce_init. */
void wg_kernel_reduce_init(int op, size_t n, double *acc);
void wg_kernel_reduce(int dtype, int op, const wg_loop *L, const void *x, double *acc);
/* the sum of a contiguous run, as reduce uses it */
double wg_kernel_sum_f32(const float *x, int32_t n);
double wg_kernel_sum_f64(const double *x, int32_t n);
/* the max of a contiguous run of n >= 1, NaN if the run holds one (softmax's rows) */
double wg_kernel_max_run(int dtype, const void *x, int32_t n);
/* the same sum fed in pieces, all but the last a multiple of 64 elements: state (4 doubles,
 * zeroed before the first piece) carries it over; the last piece (last != 0) returns it */
double wg_kernel_sum_piece_f32(const float *x, int32_t n, double *state, int last);
double wg_kernel_sum_piece_f64(const double *x, int32_t n, double *state, int last);
/* softmax along the middle axis of [outer, n, inner]; -1: out of memory for the row buffer */
int wg_kernel_softmax(int dtype, int32_t outer, int32_t n, int32_t inner, const void *x, void *y);

/* matmul.c: c[m,n] = op(a) @ op(b), row-major; ta: a is stored [k,m], tb: b is stored [n,k].
 * The one kernel that allocates (packing buffers): returns -1 when that fails, else 0. */
int wg_kernel_matmul(int dtype, int32_t m, int32_t k, int32_t n, const void *a, int ta, const void *b, int tb,
                     void *c);

/* copy.c */
void wg_kernel_copy(size_t elsize, const wg_loop *L, void *dst, const void *src); /* operands (dst, src) */
void wg_kernel_convert(int from, int to, size_t n, const void *x, void *y);
/* operands (out, cond, a, b); a, b and out share a dtype, cond has its own */
void wg_kernel_where(int cond_dtype, size_t elsize, const wg_loop *L, const void *cond,
                     const void *a, const void *b, void *out);
/* one run of where(c, a, b) with c of the data's dtype; each operand contiguous (stride 1) or
 * one value (stride 0); the elements are copied as bits */
void wg_kernel_where_run(int dtype, size_t n, const void *c, ptrdiff_t sc, const void *a, ptrdiff_t sa,
                         const void *b, ptrdiff_t sb, void *out);
/* y += x for n elements of a float dtype */
void wg_kernel_accumulate(int dtype, size_t n, const void *x, void *y);

#endif

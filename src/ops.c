/* ops.c: the primitive operators. Each one validates its inputs (a user mistake becomes an
 * error naming the operator, the shapes and the fix), runs its kernel into a new tensor,
 * and records a tape node when an input requires a gradient. Their derivative rules are
 * in grad.c. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

const char *const wg_op_names[WG_OP_COUNT] = {
#define OP(id, name, cls) name,
#include "ops.def"
#undef OP
};

#define DATA(t) wg_data(t)

static T *require_float(const char *who, T *x) {
    if (!wg_is_float(x->dtype))
        return wg_fail(WG_DTYPE_MISMATCH, "%s: got an int32 array of shape %S, but %s computes in float32 or "
                       "float64; convert it first with x.astype('float32')", who, x, who);
    return x;
}

/* ---- recording ----------------------------------------------------------------------- */
T *wg_record(T *out, int op, int nin, T *const *in) {
    if (!out || !wg_recording) return out;
    bool any = false;
    for (int i = 0; i < nin; i++) any |= in[i] && in[i]->requires_grad;
    if (!any) return out;
    wg_node *n = calloc(1, sizeof *n);
    T **refs = n ? malloc(sizeof(T *) * (size_t)nin) : NULL;
    if (!refs) {
        free(n);
        wg_unref(out);
        return wg_fail(WG_OUT_OF_MEMORY, "%s: out of memory recording the operation", wg_op_names[op]);
    }
    for (int i = 0; i < nin; i++) refs[i] = wg_ref(in[i]);
    n->op = op;
    n->nin = nin;
    n->in = refs;
    n->out = out;
    out->node = n;
    out->requires_grad = true;
    return out;
}

/* parameters of the node just recorded, if any */
static wg_node *node_of(T *t) { return t ? t->node : NULL; }

/* ---- broadcasting -------------------------------------------------------------------- */
/* NumPy rules: align shapes on the right; each pair of sizes is equal or one of them is 1. */
static bool broadcast_shape(const char *who, int n, T *const *xs, int *ndim, int32_t *shape) {
    int nd = 0;
    for (int i = 0; i < n; i++) if (xs[i]->ndim > nd) nd = xs[i]->ndim;
    for (int d = 0; d < nd; d++) shape[d] = 1;
    for (int i = 0; i < n; i++) {
        const T *x = xs[i];
        for (int d = 0; d < x->ndim; d++) {
            int32_t s = x->shape[d], *o = &shape[nd - x->ndim + d];
            if (s == *o || s == 1) continue;
            if (*o == 1) { *o = s; continue; }
            if (n == 2)
                wg_fail(WG_SHAPE_MISMATCH, "%s: shapes %S and %S do not broadcast (sizes %d and %d differ and "
                        "neither is 1); reshape or expandDims one operand so that trailing sizes match",
                        who, xs[0], xs[1], *o, s);
            else
                wg_fail(WG_SHAPE_MISMATCH, "%s: shapes %S, %S and %S do not broadcast (NumPy rules: trailing "
                        "sizes must be equal or 1)", who, xs[0], xs[1], xs[2]);
            return false;
        }
    }
    *ndim = nd;
    return true;
}

static void contiguous_strides(int ndim, const int32_t *shape, ptrdiff_t *strides) {
    ptrdiff_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) { strides[d] = s; s *= shape[d]; }
}

/* float32 with float64 gives float64, int32 with a float gives the float (NumPy). The cast
 * is itself a recorded op, so gradients flow back in the input's own dtype. */
static int promoted_dtype(int a, int b) {
    if (a == WG_F64 || b == WG_F64) return WG_F64;
    if (a == WG_F32 || b == WG_F32) return WG_F32;
    return WG_I32;
}

/* ---- elementwise --------------------------------------------------------------------- */
/* The last few results of expensive unary operators (the transcendental ones), so that the
 * same operator on the same array, while both are alive, shares the first result's data
 * instead of computing it again (arrays never change once made). Derivatives ask for this:
 * the rule of cos x is -sin(x) g, so the second derivative of sin computes sin(x) forward and
 * again in its last rule (1.6 ms per 1M floats), the third cos(x) twice. An input that is
 * still a pending program matches another with the same program over the same arrays: erf's
 * rule builds exp(-u^2) anew each time it runs (GELU'' ran it twice). An entry goes when
 * either array is freed (wg_memo_forget), so a new array at a freed one's address never
 * matches; a pending input holds the arrays its program reads. */
#define MEMO_SIZE 8
static struct { int op; const T *in; T *out; } g_memo[MEMO_SIZE];
static int g_memo_next;

void wg_memo_forget(const T *t) {
    for (int i = 0; i < MEMO_SIZE; i++)
        if (g_memo[i].in == t || g_memo[i].out == t) g_memo[i].in = g_memo[i].out = NULL;
}

static T *memo_find(int op, const T *x) {
    for (int i = 0; i < MEMO_SIZE; i++)
        if (g_memo[i].out && g_memo[i].op == op && (g_memo[i].in == x || wg_pending_same(g_memo[i].in, x)))
            return g_memo[i].out;
    return NULL;
}

T *op_unary(int op, T *x) {
    if (!x) return NULL;
    const char *who = wg_op_names[op];
    if (!require_float(who, x)) return NULL;
    bool expensive = !wg_op_is_cheap(op);
    T *earlier = expensive ? memo_find(op, x) : NULL;
    /* a new array either way, recorded as usual: only the computation is shared */
    T *y = earlier ? wg_tensor_view(earlier, x->ndim, x->shape) : wg_tensor_new(x->dtype, x->ndim, x->shape, who);
    if (!y) return NULL;
    if (!earlier) {
        if (!wg_fuse(op, 1, &x, y)) wg_kernel_unary(x->dtype, op, (size_t)x->size, DATA(x), DATA(y));
        if (expensive) {
            g_memo[g_memo_next].op = op;
            g_memo[g_memo_next].in = x;
            g_memo[g_memo_next].out = y;
            g_memo_next = (g_memo_next + 1) % MEMO_SIZE;
        }
    }
    return wg_record(y, op, 1, &x);
}

static bool is_compare(int op) { return op >= WG_OP_EQUAL && op <= WG_OP_LESS_EQUAL; }

T *op_binary(int op, T *a, T *b) {
    if (!a || !b) return NULL;
    const char *who = wg_op_names[op];
    int dtype = promoted_dtype(a->dtype, b->dtype);
    if (dtype == WG_I32) {
        if (!is_compare(op))
            return wg_fail(WG_DTYPE_MISMATCH, "%s: both operands are int32 (shapes %S and %S), but %s computes "
                           "in float32 or float64; convert one with x.astype('float32')", who, a, b, who);
        /* int32 comparisons run in float64 (exact for every int32) and return int32 0/1 */
        int mark = wg_scope_begin();
        T *r = wg_scoped(op_binary(op, wg_scoped(op_astype(a, WG_F64)), wg_scoped(op_astype(b, WG_F64))));
        T *out = op_astype(r, WG_I32);
        wg_scope_end(mark);
        return out;
    }
    if (a->dtype != dtype || b->dtype != dtype) {
        int mark = wg_scope_begin();
        T *out = op_binary(op, wg_scoped(op_astype(a, dtype)), wg_scoped(op_astype(b, dtype)));
        wg_scope_end(mark);
        return out;
    }
    T *ab[2] = { a, b };
    int ndim;
    int32_t shape[WG_MAX_DIMS];
    if (!broadcast_shape(who, 2, ab, &ndim, shape)) return NULL;
    T *out = wg_tensor_new(dtype, ndim, shape, who);
    if (!out) return NULL;
    if (!wg_fuse(op, 2, ab, out)) {
        ptrdiff_t strides[3][WG_MAX_DIMS];
        contiguous_strides(ndim, shape, strides[0]);
        wg_broadcast_strides(a, ndim, strides[1]);
        wg_broadcast_strides(b, ndim, strides[2]);
        wg_loop L;
        wg_loop_init(&L, ndim, shape, 3, strides);
        wg_kernel_binary(dtype, op, &L, DATA(a), DATA(b), DATA(out));
    }
    if (is_compare(op)) return out; /* 0/1 masks carry no gradient */
    return wg_record(out, op, 2, ab);
}

T *op_binary_scalar(int op, T *a, double s, bool scalar_first) {
    if (!a) return NULL;
    int mark = wg_scope_begin();
    /* the number takes the array's dtype; for an int32 array only comparisons are defined,
       and those must see the number exactly, so it stays float64 there */
    T *st = wg_scoped(a->dtype == WG_I32 && is_compare(op) ? wg_tensor_new(WG_F64, 0, NULL, "scalar")
                                                           : wg_scalar_like(a, s));
    T *out = NULL;
    if (st) {
        wg_set(st, 0, s);
        out = scalar_first ? op_binary(op, st, a) : op_binary(op, a, st);
        if (out && a->dtype == WG_I32 && out->dtype != WG_I32) out = op_astype(wg_scoped(out), WG_I32);
    }
    wg_scope_end(mark);
    return out;
}

T *op_clip(T *x, double lo, double hi) {
    if (!x || !require_float("clip", x)) return NULL;
    if (lo == lo && hi == hi && lo > hi)
        return wg_fail(WG_INVALID_ARGUMENT, "clip: min %g is greater than max %g; pass min <= max", lo, hi);
    T *y = wg_tensor_new(x->dtype, x->ndim, x->shape, "clip");
    if (!y) return NULL;
    wg_kernel_clip(x->dtype, (size_t)x->size, DATA(x), DATA(y), lo, hi);
    y = wg_record(y, WG_OP_CLIP, 1, &x);
    if (node_of(y)) { y->node->p[0] = lo; y->node->p[1] = hi; }
    return y;
}

T *op_where(T *cond, T *a, T *b) {
    if (!cond || !a || !b) return NULL;
    int dtype = promoted_dtype(a->dtype, b->dtype);
    if (a->dtype != dtype || b->dtype != dtype) {
        int mark = wg_scope_begin();
        T *out = op_where(cond, wg_scoped(op_astype(a, dtype)), wg_scoped(op_astype(b, dtype)));
        wg_scope_end(mark);
        return out;
    }
    T *in[3] = { cond, a, b };
    int ndim;
    int32_t shape[WG_MAX_DIMS];
    if (!broadcast_shape("where", 3, in, &ndim, shape)) return NULL;
    T *out = wg_tensor_new(dtype, ndim, shape, "where");
    if (!out) return NULL;
    if (!wg_fuse(WG_OP_WHERE, 3, in, out)) { /* deferred when the mask has the data's dtype */
        ptrdiff_t strides[4][WG_MAX_DIMS];
        contiguous_strides(ndim, shape, strides[0]);
        for (int i = 0; i < 3; i++) wg_broadcast_strides(in[i], ndim, strides[i + 1]);
        wg_loop L;
        wg_loop_init(&L, ndim, shape, 4, strides);
        wg_kernel_where(cond->dtype, wg_dtype_size(dtype), &L, DATA(cond), DATA(a), DATA(b), DATA(out));
    }
    return wg_record(out, WG_OP_WHERE, 3, in);
}

T *op_astype(T *x, int dtype) {
    if (!x) return NULL;
    if (!wg_dtype_valid(dtype)) return wg_fail(WG_INVALID_ARGUMENT, "astype: unknown dtype code %d", dtype);
    if (x->dtype == dtype) return wg_ref(x); /* tensors are immutable: the same one will do */
    T *y = wg_tensor_new(dtype, x->ndim, x->shape, "astype");
    if (!y) return NULL;
    wg_kernel_convert(x->dtype, dtype, (size_t)x->size, DATA(x), DATA(y));
    return wg_is_float(dtype) ? wg_record(y, WG_OP_ASTYPE, 1, &x) : y;
}

/* ---- reductions ---------------------------------------------------------------------- */
bool wg_axes_mask(const char *who, const T *x, int naxes, const int32_t *axes, uint32_t *mask) {
    *mask = 0;
    if (naxes < 0) { *mask = (1u << x->ndim) - 1; return true; }
    for (int i = 0; i < naxes; i++) {
        int a = axes[i] < 0 ? axes[i] + x->ndim : axes[i];
        if (a < 0 || a >= x->ndim) {
            wg_fail(WG_INVALID_ARGUMENT, "%s: axis %d is out of range for an array of shape %S (%d dimensions); "
                    "use an axis in [-%d, %d)", who, axes[i], x, x->ndim, x->ndim, x->ndim);
            return false;
        }
        if (*mask & (1u << a)) {
            wg_fail(WG_INVALID_ARGUMENT, "%s: axis %d is repeated in axes %A; list each axis once",
                    who, axes[i], naxes, axes);
            return false;
        }
        *mask |= 1u << a;
    }
    return true;
}

static int reduced_shape(const T *x, uint32_t mask, bool keepdims, int32_t *shape) {
    int nd = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (!(mask & (1u << d))) shape[nd++] = x->shape[d];
        else if (keepdims) shape[nd++] = 1;
    }
    return nd;
}

T *op_reduce(int op, T *x, uint32_t mask, bool keepdims) {
    if (!x) return NULL;
    const char *who = wg_op_names[op];
    if (!require_float(who, x)) return NULL;
    if (op == WG_OP_MAX || op == WG_OP_MIN)
        for (int d = 0; d < x->ndim; d++)
            if ((mask & (1u << d)) && x->shape[d] == 0)
                return wg_fail(WG_INVALID_ARGUMENT, "%s: cannot reduce axis %d of size 0 (shape %S): the %s of "
                               "no elements is undefined", who, d, x, who);
    int32_t shape[WG_MAX_DIMS], kshape[WG_MAX_DIMS];
    int nd = reduced_shape(x, mask, keepdims, shape);
    reduced_shape(x, mask, true, kshape);
    T *out = wg_tensor_new(x->dtype, nd, shape, who);
    if (!out) return NULL;
    double *acc = malloc(sizeof(double) * (size_t)(out->size ? out->size : 1));
    if (!acc) {
        wg_unref(out);
        return wg_fail(WG_OUT_OF_MEMORY, "%s: out of memory for the accumulator", who);
    }
    ptrdiff_t strides[2][WG_MAX_DIMS];
    contiguous_strides(x->ndim, kshape, strides[0]);
    for (int d = 0; d < x->ndim; d++) if (mask & (1u << d)) strides[0][d] = 0;
    contiguous_strides(x->ndim, x->shape, strides[1]);
    wg_loop L;
    wg_loop_init(&L, x->ndim, x->shape, 2, strides);
    wg_kernel_reduce_init(op, (size_t)out->size, acc);
    if (op != WG_OP_SUM || !wg_fuse_sum(x, &L, acc)) wg_kernel_reduce(x->dtype, op, &L, DATA(x), acc);
    wg_kernel_convert(WG_F64, x->dtype, (size_t)out->size, acc, DATA(out));
    free(acc);
    out = wg_record(out, op, 1, &x);
    if (node_of(out)) { out->node->ip[0] = (int32_t)mask; out->node->ip[1] = keepdims; }
    return out;
}

/* ---- shape and layout ---------------------------------------------------------------- */
T *op_reshape(T *x, int ndim, const int32_t *shape_in) {
    if (!x) return NULL;
    if (ndim < 0 || ndim > WG_MAX_DIMS)
        return wg_fail(WG_INVALID_ARGUMENT, "reshape: %d dimensions requested, wasmgrad supports at most %d",
                       ndim, WG_MAX_DIMS);
    int32_t shape[WG_MAX_DIMS];
    int infer = -1;
    double known = 1;
    for (int d = 0; d < ndim; d++) {
        shape[d] = shape_in[d];
        if (shape[d] == -1 && infer < 0) { infer = d; continue; }
        if (shape[d] < 0)
            return wg_fail(WG_INVALID_ARGUMENT, "reshape: bad size %d in shape %A; sizes are >= 0, with at most "
                           "one -1 to infer", shape[d], ndim, shape_in);
        known *= shape[d];
    }
    if (infer >= 0) {
        if (known == 0 || (int64_t)x->size % (int64_t)known != 0)
            return wg_fail(WG_SHAPE_MISMATCH, "reshape: cannot reshape an array of shape %S (%d elements) into %A",
                           x, x->size, ndim, shape_in);
        shape[infer] = (int32_t)(x->size / (int64_t)known);
        known *= shape[infer];
    }
    if (known != (double)x->size)
        return wg_fail(WG_SHAPE_MISMATCH, "reshape: cannot reshape an array of shape %S (%d elements) into %A "
                       "(%g elements); the sizes must multiply to the same count", x, x->size, ndim, shape_in, known);
    if (!wg_shape_fits("reshape", x->dtype, ndim, shape)) return NULL; /* [0] -> [0, 2^31-1, 2] */
    T *y = wg_tensor_view(x, ndim, shape);
    return wg_record(y, WG_OP_RESHAPE, 1, &x);
}

/* Copies src into a new tensor of shape (ndim, shape), reading element i of the walk from
 * src at base + sum(idx[d] * src_strides[d]). Transpose, broadcast, slice and flip are all
 * this one copy with different strides. */
static T *strided_copy(const char *who, T *src, int ndim, const int32_t *shape, ptrdiff_t base,
                       ptrdiff_t *src_strides) {
    T *out = wg_tensor_new(src->dtype, ndim, shape, who);
    if (!out) return NULL;
    ptrdiff_t strides[2][WG_MAX_DIMS];
    contiguous_strides(ndim, shape, strides[0]);
    memcpy(strides[1], src_strides, sizeof(ptrdiff_t) * (size_t)ndim);
    wg_loop L;
    wg_loop_init(&L, ndim, shape, 2, strides);
    size_t es = wg_dtype_size(src->dtype);
    wg_kernel_copy(es, &L, DATA(out), (const char *)DATA(src) + base * (ptrdiff_t)es);
    return out;
}

T *op_transpose(T *x, const int32_t *perm) {
    if (!x) return NULL;
    uint32_t seen = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (perm[d] < 0 || perm[d] >= x->ndim || (seen & (1u << perm[d])))
            return wg_fail(WG_INVALID_ARGUMENT, "transpose: axes %A are not a permutation of 0..%d for shape "
                           "%S; list each axis once", x->ndim, perm, x->ndim - 1, x);
        seen |= 1u << perm[d];
    }
    int32_t shape[WG_MAX_DIMS], own[WG_MAX_DIMS];
    ptrdiff_t src[WG_MAX_DIMS];
    wg_contiguous_strides(x->ndim, x->shape, own);
    for (int d = 0; d < x->ndim; d++) { shape[d] = x->shape[perm[d]]; src[d] = own[perm[d]]; }
    T *y = strided_copy("transpose", x, x->ndim, shape, 0, src);
    y = wg_record(y, WG_OP_TRANSPOSE, 1, &x);
    if (node_of(y)) memcpy(y->node->ip, perm, sizeof(int32_t) * (size_t)x->ndim);
    return y;
}

T *op_broadcast_to(T *x, int ndim, const int32_t *shape) {
    if (!x) return NULL;
    bool ok = ndim >= x->ndim && ndim <= WG_MAX_DIMS;
    for (int d = 0; ok && d < x->ndim; d++) {
        int32_t s = x->shape[d], o = shape[ndim - x->ndim + d];
        ok = s == o || s == 1;
    }
    for (int d = 0; ok && d < ndim; d++) ok = shape[d] >= 0;
    if (!ok)
        return wg_fail(WG_SHAPE_MISMATCH, "broadcastTo: cannot broadcast shape %S to %A; each size of the input "
                       "(aligned on the right) must equal the target size or be 1", x, ndim, shape);
    ptrdiff_t src[WG_MAX_DIMS];
    wg_broadcast_strides(x, ndim, src);
    T *y = strided_copy("broadcastTo", x, ndim, shape, 0, src);
    return wg_record(y, WG_OP_BROADCAST, 1, &x);
}

static int32_t slice_len(int32_t begin, int32_t end, int32_t step) {
    int64_t n = step > 0 ? ((int64_t)end - begin + step - 1) / step : ((int64_t)begin - end - step - 1) / -(int64_t)step; /* step may be INT32_MIN */
    return n > 0 ? (int32_t)n : 0;
}

static void store_slice_params(T *y, int ndim, const int32_t *begin, const int32_t *end, const int32_t *step) {
    if (!node_of(y)) return;
    for (int d = 0; d < ndim; d++) {
        y->node->ip[d] = begin[d];
        y->node->ip[WG_MAX_DIMS + d] = end[d];
        y->node->ip[2 * WG_MAX_DIMS + d] = step[d];
    }
}

/* begin/end/step are already normalised by the caller: 0 <= begin <= len (or -1 for a
 * negative step's empty end), step != 0 */
T *op_slice(T *x, const int32_t *begin, const int32_t *end, const int32_t *step) {
    if (!x) return NULL;
    int32_t shape[WG_MAX_DIMS], own[WG_MAX_DIMS];
    ptrdiff_t src[WG_MAX_DIMS], base = 0;
    wg_contiguous_strides(x->ndim, x->shape, own);
    for (int d = 0; d < x->ndim; d++) {
        shape[d] = slice_len(begin[d], end[d], step[d]);
        src[d] = (ptrdiff_t)own[d] * step[d];
        if (shape[d]) base += (ptrdiff_t)own[d] * begin[d];
    }
    T *y = strided_copy("slice", x, x->ndim, shape, base, src);
    y = wg_record(y, WG_OP_SLICE, 1, &x);
    store_slice_params(y, x->ndim, begin, end, step);
    return y;
}

/* zeros shaped like `like`, with g written where op_slice would have read */
T *op_slice_grad(T *g, const T *like, const int32_t *begin, const int32_t *end, const int32_t *step) {
    if (!g) return NULL;
    T *out = wg_tensor_new(g->dtype, like->ndim, like->shape, "slice backward");
    if (!out) return NULL;
    memset(DATA(out), 0, out->storage->bytes);
    int32_t own[WG_MAX_DIMS];
    ptrdiff_t strides[2][WG_MAX_DIMS], base = 0;
    wg_contiguous_strides(like->ndim, like->shape, own);
    for (int d = 0; d < like->ndim; d++) {
        strides[0][d] = (ptrdiff_t)own[d] * step[d];
        if (g->shape[d]) base += (ptrdiff_t)own[d] * begin[d];
    }
    contiguous_strides(g->ndim, g->shape, strides[1]);
    wg_loop L;
    wg_loop_init(&L, g->ndim, g->shape, 2, strides);
    size_t es = wg_dtype_size(g->dtype);
    wg_kernel_copy(es, &L, (char *)DATA(out) + base * (ptrdiff_t)es, DATA(g));
    out = wg_record(out, WG_OP_SLICE_GRAD, 1, &g);
    store_slice_params(out, like->ndim, begin, end, step);
    return out;
}

T *op_concat(int n, T *const *xs, int axis) {
    for (int i = 0; i < n; i++) if (!xs[i]) return NULL;
    if (n < 1) return wg_fail(WG_INVALID_ARGUMENT, "concat: needs at least one array");
    const T *x0 = xs[0];
    int dtype = x0->dtype;
    for (int i = 1; i < n; i++) dtype = promoted_dtype(dtype, xs[i]->dtype);
    bool cast = false;
    for (int i = 0; i < n; i++) cast |= xs[i]->dtype != dtype;
    if (cast) {
        int mark = wg_scope_begin();
        T **same = malloc(sizeof(T *) * (size_t)n);
        T *out = NULL;
        if (same) {
            for (int i = 0; i < n; i++) same[i] = wg_scoped(op_astype(xs[i], dtype));
            out = op_concat(n, same, axis);
            free(same);
        } else wg_fail(WG_OUT_OF_MEMORY, "concat: out of memory");
        wg_scope_end(mark);
        return out;
    }
    int ax = axis < 0 ? axis + x0->ndim : axis;
    if (x0->ndim == 0 || ax < 0 || ax >= x0->ndim)
        return wg_fail(WG_INVALID_ARGUMENT, "concat: axis %d is out of range for arrays of shape %S; use an axis "
                       "in [-%d, %d)", axis, x0, x0->ndim, x0->ndim);
    int32_t shape[WG_MAX_DIMS];
    memcpy(shape, x0->shape, sizeof shape);
    shape[ax] = 0;
    for (int i = 0; i < n; i++) {
        const T *x = xs[i];
        bool ok = x->ndim == x0->ndim;
        for (int d = 0; ok && d < x->ndim; d++) ok = d == ax || x->shape[d] == x0->shape[d];
        if (!ok)
            return wg_fail(WG_SHAPE_MISMATCH, "concat: array %d has shape %S but array 0 has shape %S; all sizes "
                           "except along axis %d must match", i, x, x0, ax);
        shape[ax] += x->shape[ax];
    }
    T *out = wg_tensor_new(dtype, x0->ndim, shape, "concat");
    if (!out) return NULL;
    int32_t own[WG_MAX_DIMS];
    wg_contiguous_strides(x0->ndim, shape, own);
    size_t es = wg_dtype_size(dtype);
    ptrdiff_t offset = 0;
    for (int i = 0; i < n; i++) {
        ptrdiff_t strides[2][WG_MAX_DIMS];
        for (int d = 0; d < x0->ndim; d++) strides[0][d] = own[d];
        contiguous_strides(xs[i]->ndim, xs[i]->shape, strides[1]);
        wg_loop L;
        wg_loop_init(&L, xs[i]->ndim, xs[i]->shape, 2, strides);
        wg_kernel_copy(es, &L, (char *)DATA(out) + offset * (ptrdiff_t)es, DATA(xs[i]));
        offset += (ptrdiff_t)xs[i]->shape[ax] * own[ax];
    }
    out = wg_record(out, WG_OP_CONCAT, n, xs);
    if (node_of(out)) out->node->ip[0] = ax;
    return out;
}

T *op_flip(T *x, uint32_t mask) {
    if (!x) return NULL;
    int32_t own[WG_MAX_DIMS];
    ptrdiff_t src[WG_MAX_DIMS], base = 0;
    wg_contiguous_strides(x->ndim, x->shape, own);
    for (int d = 0; d < x->ndim; d++) {
        bool f = (mask & (1u << d)) && x->shape[d] > 0;
        src[d] = f ? -(ptrdiff_t)own[d] : own[d];
        if (f) base += (ptrdiff_t)own[d] * (x->shape[d] - 1);
    }
    T *y = strided_copy("flip", x, x->ndim, x->shape, base, src);
    y = wg_record(y, WG_OP_FLIP, 1, &x);
    if (node_of(y)) y->node->ip[0] = (int32_t)mask;
    return y;
}

/* shape of take's output: x[:axis] + indices.shape + x[axis+1:] */
static int take_shape(const char *who, const int32_t *xshape, int xndim, int axis, const T *idx, int32_t *shape) {
    int nd = xndim - 1 + idx->ndim;
    if (nd > WG_MAX_DIMS) {
        wg_fail(WG_INVALID_ARGUMENT, "%s: the result would have %d dimensions, wasmgrad supports at most %d",
                who, nd, WG_MAX_DIMS);
        return -1;
    }
    int k = 0;
    for (int d = 0; d < axis; d++) shape[k++] = xshape[d];
    for (int d = 0; d < idx->ndim; d++) shape[k++] = idx->shape[d];
    for (int d = axis + 1; d < xndim; d++) shape[k++] = xshape[d];
    return nd;
}

static int64_t prod_range(const int32_t *shape, int from, int to) {
    int64_t p = 1;
    for (int d = from; d < to; d++) p *= shape[d];
    return p;
}

static bool check_indices(const char *who, const T *idx, int32_t len, const T *x, int axis) {
    if (idx->dtype != WG_I32) {
        wg_fail(WG_DTYPE_MISMATCH, "%s: indices must be int32, got %D; build them with "
                "nd.array(list, { dtype: 'int32' })", who, idx->dtype);
        return false;
    }
    const int32_t *iv = DATA(idx);
    for (int32_t j = 0; j < idx->size; j++)
        if (iv[j] < -len || iv[j] >= len) {
            wg_fail(WG_INVALID_ARGUMENT, "%s: index %d at position %d is out of range for axis %d of size %d "
                    "(shape %S); indices must lie in [-%d, %d)", who, iv[j], j, axis, len, x, len, len);
            return false;
        }
    return true;
}

T *op_take(T *x, T *idx, int axis) {
    if (!x || !idx) return NULL;
    int ax = axis < 0 ? axis + x->ndim : axis;
    if (ax < 0 || ax >= x->ndim)
        return wg_fail(WG_INVALID_ARGUMENT, "take: axis %d is out of range for an array of shape %S; use an axis "
                       "in [-%d, %d)", axis, x, x->ndim, x->ndim);
    int32_t len = x->shape[ax];
    if (!check_indices("take", idx, len, x, ax)) return NULL;
    int32_t shape[WG_MAX_DIMS];
    int nd = take_shape("take", x->shape, x->ndim, ax, idx, shape);
    if (nd < 0) return NULL;
    T *out = wg_tensor_new(x->dtype, nd, shape, "take");
    if (!out) return NULL;
    int64_t outer = prod_range(x->shape, 0, ax), inner = prod_range(x->shape, ax + 1, x->ndim);
    size_t es = wg_dtype_size(x->dtype), run = es * (size_t)inner;
    const int32_t *iv = DATA(idx);
    const char *xd = DATA(x);
    char *o = DATA(out);
    for (int64_t a = 0; a < outer; a++)
        for (int32_t j = 0; j < idx->size; j++) {
            int32_t i = iv[j] < 0 ? iv[j] + len : iv[j];
            const char *src = xd + ((size_t)a * (size_t)len + (size_t)i) * run;
            /* along the last axis a row is one element: a memcpy call each cost 8 ns */
            if (run == 4) memcpy(o, src, 4);
            else if (run == 8) memcpy(o, src, 8);
            else memcpy(o, src, run);
            o += run;
        }
    T *in[2] = { x, idx };
    out = wg_record(out, WG_OP_TAKE, 2, in);
    if (node_of(out)) out->node->ip[0] = ax;
    return out;
}

/* the transpose of take: rows of g added into zeros at their indices (repeats add up) */
T *op_take_grad(T *g, T *idx, int axis, int32_t len) {
    if (!g || !idx) return NULL;
    int32_t shape[WG_MAX_DIMS];
    int nd = g->ndim - idx->ndim + 1;
    for (int d = 0; d < axis; d++) shape[d] = g->shape[d];
    shape[axis] = len;
    for (int d = axis + 1; d < nd; d++) shape[d] = g->shape[d - 1 + idx->ndim];
    T *out = wg_tensor_new(g->dtype, nd, shape, "take backward");
    if (!out) return NULL;
    memset(DATA(out), 0, out->storage->bytes);
    int64_t outer = prod_range(shape, 0, axis), inner = prod_range(shape, axis + 1, nd);
    size_t es = wg_dtype_size(g->dtype);
    const int32_t *iv = DATA(idx);
    const char *src = DATA(g);
    char *od = DATA(out);
    for (int64_t a = 0; a < outer; a++)
        for (int32_t j = 0; j < idx->size; j++) {
            int32_t i = iv[j] < 0 ? iv[j] + len : iv[j];
            char *dst = od + ((size_t)a * (size_t)len + (size_t)i) * (size_t)inner * es;
            if (inner == 1 && g->dtype == WG_F32) *(float *)dst += *(const float *)src; /* no call per element */
            else if (inner == 1) *(double *)dst += *(const double *)src;
            else wg_kernel_accumulate(g->dtype, (size_t)inner, src, dst);
            src += (size_t)inner * es;
        }
    T *in[2] = { g, idx };
    out = wg_record(out, WG_OP_TAKE_GRAD, 2, in);
    if (node_of(out)) { out->node->ip[0] = axis; out->node->ip[1] = len; }
    return out;
}

/* ---- matmul -------------------------------------------------------------------------- */
/* op(a) @ op(b) over broadcast batch dimensions; ta/tb transpose the last two axes of an
 * operand in place (the backward's a^T g and g b^T need no transposing copy) */
T *op_matmul_t(T *a, T *b, bool ta, bool tb) {
    if (!a || !b) return NULL;
    if (!require_float("matmul", a) || !require_float("matmul", b)) return NULL;
    int dtype = promoted_dtype(a->dtype, b->dtype);
    if (a->dtype != dtype || b->dtype != dtype) {
        int mark = wg_scope_begin();
        T *out = op_matmul_t(wg_scoped(op_astype(a, dtype)), wg_scoped(op_astype(b, dtype)), ta, tb);
        wg_scope_end(mark);
        return out;
    }
    WG_ASSERT(a->ndim >= 2 && b->ndim >= 2);
    int32_t ar = a->shape[a->ndim - 2], ac = a->shape[a->ndim - 1];
    int32_t br = b->shape[b->ndim - 2], bc = b->shape[b->ndim - 1];
    int32_t m = ta ? ac : ar, k = ta ? ar : ac, k2 = tb ? bc : br, n = tb ? br : bc;
    if (k != k2)
        return wg_fail(WG_SHAPE_MISMATCH, "matmul: inner sizes differ: %S @ %S (%d vs %d); the last axis of the "
                       "first operand must equal the second-to-last axis of the second", a, b, k, k2);
    /* batch dimensions broadcast like an elementwise op; strides count whole matrices */
    int bnd = (a->ndim > b->ndim ? a->ndim : b->ndim) - 2;
    int32_t shape[WG_MAX_DIMS];
    ptrdiff_t sa[WG_MAX_DIMS], sb[WG_MAX_DIMS], ma = 1, mb = 1;
    for (int d = bnd - 1; d >= 0; d--) {
        int da = d - (bnd - (a->ndim - 2)), db = d - (bnd - (b->ndim - 2));
        int32_t xa = da >= 0 ? a->shape[da] : 1, xb = db >= 0 ? b->shape[db] : 1;
        if (xa != xb && xa != 1 && xb != 1)
            return wg_fail(WG_SHAPE_MISMATCH, "matmul: batch dimensions of %S and %S do not broadcast (%d vs %d)",
                           a, b, xa, xb);
        shape[d] = xa == 1 ? xb : xa;
        sa[d] = xa == 1 ? 0 : ma;
        sb[d] = xb == 1 ? 0 : mb;
        ma *= xa;
        mb *= xb;
    }
    shape[bnd] = m;
    shape[bnd + 1] = n;
    T *out = wg_tensor_new(dtype, bnd + 2, shape, "matmul");
    if (!out) return NULL;
    int64_t batches = prod_range(shape, 0, bnd);
    size_t es = wg_dtype_size(dtype);
    for (int64_t i = 0; i < batches; i++) {
        ptrdiff_t oa = 0, ob = 0;
        int64_t rest = i;
        for (int d = bnd - 1; d >= 0; d--) {
            int64_t c = rest % shape[d];
            rest /= shape[d];
            oa += (ptrdiff_t)c * sa[d];
            ob += (ptrdiff_t)c * sb[d];
        }
        if (wg_kernel_matmul(dtype, m, k, n, (const char *)DATA(a) + (size_t)oa * (size_t)m * (size_t)k * es, ta,
                             (const char *)DATA(b) + (size_t)ob * (size_t)k * (size_t)n * es, tb,
                             (char *)DATA(out) + (size_t)i * (size_t)m * (size_t)n * es) != 0) {
            wg_unref(out);
            return wg_fail(WG_OUT_OF_MEMORY, "matmul: out of memory packing operands %S and %S", a, b);
        }
    }
    T *in[2] = { a, b };
    out = wg_record(out, WG_OP_MATMUL, 2, in);
    if (node_of(out)) { out->node->ip[0] = ta; out->node->ip[1] = tb; }
    return out;
}

T *op_matmul(T *a, T *b) { return op_matmul_t(a, b, false, false); }

/* ---- softmax ------------------------------------------------------------------------- */
/* rows along an outer axis at least this far apart go through the shared kernels instead
 * (op_softmax_columns): vector passes along the inner dimension need it a few vectors long */
#define SOFTMAX_COLUMNS 16

/* softmax of x along a valid axis, as one recorded node */
T *op_softmax(T *x, int axis) {
    if (!x) return NULL;
    if (!require_float("softmax", x)) return NULL;
    int32_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= x->shape[d];
    for (int d = axis + 1; d < x->ndim; d++) inner *= x->shape[d];
    T *y;
    if (inner >= SOFTMAX_COLUMNS && x->size) {
        if (!(y = op_softmax_columns(x, axis))) /* only memory can run out there */
            return wg_fail(WG_OUT_OF_MEMORY, "softmax: out of memory for the temporaries of shape %S (axis %d)", x, axis);
    } else {
        if (!(y = wg_tensor_new(x->dtype, x->ndim, x->shape, "softmax"))) return NULL;
        if (x->size && wg_kernel_softmax(x->dtype, outer, x->shape[axis], inner, DATA(x), DATA(y)) != 0) {
            wg_unref(y);
            return wg_fail(WG_OUT_OF_MEMORY, "softmax: out of memory for a row buffer (shape %S, axis %d)", x, axis);
        }
    }
    y = wg_record(y, WG_OP_SOFTMAX, 1, &x);
    if (node_of(y)) y->node->ip[0] = axis;
    return y;
}

/* ---- autograd plumbing --------------------------------------------------------------- */
T *op_connect(T *g, T *var) {
    if (!g || !var) return NULL;
    /* a view would compute a pending g now, where nothing may ever need its data (the next
       order's sum of it reads its program) */
    T *y = g->pending ? wg_pending_copy(g) : wg_tensor_view(g, g->ndim, g->shape);
    T *in[2] = { g, var };
    return wg_record(y, WG_OP_CONNECT, 2, in);
}

T *op_custom(int32_t fn, int nin, T *const *inputs, T *output) {
    bool ok = output != NULL;
    for (int i = 0; i < nin; i++) ok = ok && inputs[i];
    T *y = ok ? wg_tensor_view(output, output->ndim, output->shape) : NULL;
    y = wg_record(y, WG_OP_CUSTOM, nin, inputs);
    if (node_of(y)) y->node->ip[0] = fn;
    else wg_host_release(fn); /* nothing will ever call it */
    return y;
}

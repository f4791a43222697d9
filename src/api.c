/* api.c: the exported C ABI (wasmgrad.h). Each entry clears the error slot, checks what
 * only the boundary can know (op codes, counts), calls the core and marks the returned
 * reference as held from outside, which is what nd.memory() counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

int wg_run_backward(int nheads, T *const *heads, T *const *head_grads, int retain, int train);
int wg_run_grad(int nheads, T *const *heads, T *const *head_grads, int nvars, T *const *vars, T **out,
                int retain, int create, int train, int allow_unused);
int wg_make_variable(T *x, int grad_req);

static const unsigned char op_classes[WG_OP_COUNT] = {
#define OP(id, name, cls) WG_CLASS_##cls,
#include "ops.def"
#undef OP
};

static T *exported(T *t) {
    if (t) t->ext_refs++;
    return t;
}

#define BEGIN wg_clear_error()

WG_API int wg_op_count(void) { return WG_OP_COUNT; }
WG_API const char *wg_op_name(int op) { return op >= 0 && op < WG_OP_COUNT ? wg_op_names[op] : ""; }
WG_API int wg_op_class(int op) { return op >= 0 && op < WG_OP_COUNT ? op_classes[op] : -1; }

static int32_t g_scratch[WG_SCRATCH_INTS] __attribute__((aligned(16)));
WG_API int32_t *wg_scratch(void) { return g_scratch; }

/* ---- tensors ------------------------------------------------------------------------- */
WG_API void wg_release(wg_tensor *t) {
    if (!t) return;
    t->ext_refs--;
    wg_unref(t);
}
WG_API wg_tensor *wg_retain(wg_tensor *t) { return exported(wg_ref(t)); }
WG_API int wg_tensor_dtype(const wg_tensor *t) { return t->dtype; }
WG_API int wg_tensor_ndim(const wg_tensor *t) { return t->ndim; }
WG_API const int32_t *wg_tensor_shape(const wg_tensor *t) { return t->shape; }
WG_API int32_t wg_tensor_size(const wg_tensor *t) { return t->size; }
WG_API void *wg_tensor_data(const wg_tensor *t) { return wg_data(t); }
WG_API int wg_tensor_deferred(const wg_tensor *t) { return t->pending != NULL; }
WG_API const void *wg_tensor_read_block(const wg_tensor *t, int32_t first, int32_t count) {
    BEGIN;
    if (first < 0 || count < 0 || count > WG_READ_BLOCK || first > t->size - count)
        return wg_fail(WG_INVALID_ARGUMENT,
                       "wg_tensor_read_block: %d elements from element %d of an array of %d; at most %d at once", count,
                       first, t->size, WG_READ_BLOCK);
    if (t->pending) return wg_pending_block((T *)t, first, count); /* computing it does not change its value */
    return (const char *)wg_data(t) + (size_t)first * wg_dtype_size(t->dtype);
}

/* ---- operators ----------------------------------------------------------------------- */
static bool op_of_class(const char *who, int op, int cls, int cls2) {
    if (op >= 0 && op < WG_OP_COUNT && (op_classes[op] == cls || op_classes[op] == cls2)) return true;
    wg_fail(WG_INVALID_ARGUMENT, "%s: %d is not an operator code of this kind", who, op);
    return false;
}

WG_API wg_tensor *wg_unary(int op, wg_tensor *x) {
    BEGIN;
    return op_of_class("unary", op, WG_CLASS_UNARY, -1) ? exported(op_unary(op, x)) : NULL;
}
WG_API wg_tensor *wg_binary(int op, wg_tensor *a, wg_tensor *b) {
    BEGIN;
    return op_of_class("binary", op, WG_CLASS_BINARY, WG_CLASS_COMPARE) ? exported(op_binary(op, a, b)) : NULL;
}
WG_API wg_tensor *wg_binary_scalar(int op, wg_tensor *a, double s, int scalar_first) {
    BEGIN;
    if (!op_of_class("binary", op, WG_CLASS_BINARY, WG_CLASS_COMPARE)) return NULL;
    return exported(op_binary_scalar(op, a, s, scalar_first != 0));
}
WG_API wg_tensor *wg_reduce(int op, wg_tensor *x, int naxes, const int32_t *axes, int keepdims) {
    BEGIN;
    uint32_t mask;
    if (!op_of_class("reduce", op, WG_CLASS_REDUCE, -1) || !wg_axes_mask(wg_op_names[op], x, naxes, axes, &mask))
        return NULL;
    return exported(op_reduce(op, x, mask, keepdims != 0));
}
WG_API wg_tensor *wg_mean(wg_tensor *x, int naxes, const int32_t *axes, int keepdims) {
    BEGIN;
    uint32_t mask;
    if (!wg_axes_mask("mean", x, naxes, axes, &mask)) return NULL;
    if (!wg_is_float(x->dtype))
        return wg_fail(WG_DTYPE_MISMATCH, "mean: got an int32 array of shape %S; convert it first with "
                       "x.astype('float32')", x);
    return exported(op_mean(x, mask, keepdims != 0));
}
WG_API wg_tensor *wg_logsumexp(wg_tensor *x, int naxes, const int32_t *axes, int keepdims) {
    BEGIN;
    uint32_t mask;
    if (!wg_axes_mask("logsumexp", x, naxes, axes, &mask)) return NULL;
    return exported(op_logsumexp(x, mask, keepdims != 0));
}
WG_API wg_tensor *wg_norm(wg_tensor *x, double ord, int naxes, const int32_t *axes, int keepdims) {
    BEGIN;
    uint32_t mask;
    if (!wg_axes_mask("norm", x, naxes, axes, &mask)) return NULL;
    return exported(cp_norm(x, ord, mask, keepdims != 0));
}
WG_API wg_tensor *wg_clip(wg_tensor *x, double lo, double hi) { BEGIN; return exported(op_clip(x, lo, hi)); }
WG_API wg_tensor *wg_where(wg_tensor *c, wg_tensor *a, wg_tensor *b) { BEGIN; return exported(op_where(c, a, b)); }
WG_API wg_tensor *wg_astype(wg_tensor *x, int dtype) { BEGIN; return exported(op_astype(x, dtype)); }

/* ---- shape --------------------------------------------------------------------------- */
WG_API wg_tensor *wg_reshape(wg_tensor *x, int ndim, const int32_t *shape) {
    BEGIN;
    return exported(op_reshape(x, ndim, shape));
}
WG_API wg_tensor *wg_transpose(wg_tensor *x, int naxes, const int32_t *perm) {
    BEGIN;
    int32_t reversed[WG_MAX_DIMS];
    if (naxes == 0) {
        for (int d = 0; d < x->ndim; d++) reversed[d] = x->ndim - 1 - d;
        perm = reversed;
    } else if (naxes != x->ndim) {
        return wg_fail(WG_INVALID_ARGUMENT, "transpose: %d axes given for an array of shape %S; give all %d axes "
                       "or none", naxes, x, x->ndim);
    } else {
        for (int d = 0; d < naxes; d++) reversed[d] = perm[d] < 0 ? perm[d] + x->ndim : perm[d];
        perm = reversed;
    }
    return exported(op_transpose(x, perm));
}
WG_API wg_tensor *wg_broadcast_to(wg_tensor *x, int ndim, const int32_t *shape) {
    BEGIN;
    return exported(op_broadcast_to(x, ndim, shape));
}
WG_API wg_tensor *wg_expand_dims(wg_tensor *x, int axis) { BEGIN; return exported(cp_expand_dims(x, axis)); }
WG_API wg_tensor *wg_squeeze(wg_tensor *x, int naxes, const int32_t *axes) {
    BEGIN;
    return exported(cp_squeeze(x, naxes, axes));
}
WG_API wg_tensor *wg_concat(int n, wg_tensor *const *xs, int axis) { BEGIN; return exported(op_concat(n, xs, axis)); }
WG_API wg_tensor *wg_stack(int n, wg_tensor *const *xs, int axis) { BEGIN; return exported(cp_stack(n, xs, axis)); }

/* Python slice semantics per axis: negative indices count from the end, out-of-range ones
 * clamp, end = INT32_MAX means "to the end" (or to the start for a negative step). */
WG_API wg_tensor *wg_slice(wg_tensor *x, int ndim, const int32_t *begin, const int32_t *end, const int32_t *step) {
    BEGIN;
    if (ndim < 0 || ndim > x->ndim)
        return wg_fail(WG_INVALID_ARGUMENT, "slice: %d axes given for an array of shape %S", ndim, x);
    int32_t b[WG_MAX_DIMS], e[WG_MAX_DIMS], s[WG_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) {
        int64_t len = x->shape[d];
        int64_t st = d < ndim ? step[d] : 1;
        if (st == 0) return wg_fail(WG_INVALID_ARGUMENT, "slice: step 0 on axis %d; use a non-zero step", d);
        int64_t lo = st > 0 ? 0 : -1, hi = st > 0 ? len : len - 1;
        int64_t bb = d < ndim && begin[d] != INT32_MAX ? begin[d] : (st > 0 ? 0 : len - 1);
        int64_t ee = d < ndim && end[d] != INT32_MAX ? end[d] : (st > 0 ? len : -1);
        bool end_default = !(d < ndim && end[d] != INT32_MAX);
        if (d < ndim && begin[d] != INT32_MAX && bb < 0) bb += len;
        if (!end_default && ee < 0) ee += len;
        bb = bb < lo ? lo : bb > hi ? hi : bb;
        if (!end_default) ee = ee < lo ? lo : ee > hi ? hi : ee;
        b[d] = (int32_t)bb; e[d] = (int32_t)ee; s[d] = (int32_t)st;
    }
    return exported(op_slice(x, b, e, s));
}
WG_API wg_tensor *wg_flip(wg_tensor *x, int naxes, const int32_t *axes) {
    BEGIN;
    uint32_t mask;
    if (!wg_axes_mask("flip", x, naxes, axes, &mask)) return NULL;
    return exported(op_flip(x, mask));
}
WG_API wg_tensor *wg_take(wg_tensor *x, wg_tensor *idx, int axis) { BEGIN; return exported(op_take(x, idx, axis)); }

/* ---- linear algebra and neural -------------------------------------------------------- */
WG_API wg_tensor *wg_matmul(wg_tensor *a, wg_tensor *b) { BEGIN; return exported(op_matmul_any(a, b)); }
WG_API wg_tensor *wg_dot(wg_tensor *a, wg_tensor *b) { BEGIN; return exported(cp_dot(a, b)); }
WG_API wg_tensor *wg_fully_connected(wg_tensor *x, wg_tensor *w, wg_tensor *b) {
    BEGIN;
    return exported(cp_fully_connected(x, w, b));
}
WG_API wg_tensor *wg_softmax(wg_tensor *x, int axis) { BEGIN; return exported(cp_softmax(x, axis)); }
WG_API wg_tensor *wg_log_softmax(wg_tensor *x, int axis) { BEGIN; return exported(cp_log_softmax(x, axis)); }
WG_API wg_tensor *wg_softmax_cross_entropy(wg_tensor *logits, wg_tensor *labels) {
    BEGIN;
    return exported(cp_softmax_cross_entropy(logits, labels));
}

WG_API wg_tensor *wg_custom(int32_t fn, int nin, wg_tensor *const *inputs, wg_tensor *output) {
    BEGIN;
    return exported(op_custom(fn, nin, inputs, output));
}

/* ---- autograd ------------------------------------------------------------------------ */
WG_API int wg_attach_grad(wg_tensor *x, int grad_req) { BEGIN; return wg_make_variable(x, grad_req); }
WG_API wg_tensor *wg_grad_of(wg_tensor *x) { BEGIN; return exported(wg_ref(x->grad)); }
WG_API int wg_is_variable(const wg_tensor *x) { return x->is_variable; }
WG_API int wg_is_recorded(const wg_tensor *x) { return x->node && !x->node->freed; }
WG_API wg_tensor *wg_detach(wg_tensor *x) { BEGIN; return exported(op_detach(x)); }

WG_API int wg_backward(int nheads, wg_tensor *const *heads, wg_tensor *const *head_grads, int retain_graph,
                       int train_mode) {
    BEGIN;
    return wg_run_backward(nheads, heads, head_grads, retain_graph, train_mode);
}
WG_API int wg_grad(int nheads, wg_tensor *const *heads, wg_tensor *const *head_grads, int nvars,
                   wg_tensor *const *vars, wg_tensor **out, int retain_graph, int create_graph, int train_mode,
                   int allow_unused) {
    BEGIN;
    int status = wg_run_grad(nheads, heads, head_grads, nvars, vars, out, retain_graph, create_graph, train_mode,
                             allow_unused);
    if (status == WG_OK) for (int j = 0; j < nvars; j++) exported(out[j]);
    return status;
}

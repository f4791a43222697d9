/* composite.c: operators built only from other operators. They have no derivative rules:
 * their gradients, of every order, come from the primitives they are made of. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define S wg_scoped

T *op_detach(T *x) {
    return x ? wg_tensor_view(x, x->ndim, x->shape) : NULL;
}

/* the shape x would have after reducing the masked axes with keepdims */
T *op_keepdims_shape(T *g, const T *x, uint32_t mask) {
    if (!g) return NULL;
    int32_t shape[WG_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) shape[d] = (mask & (1u << d)) ? 1 : x->shape[d];
    if (g->ndim == x->ndim && memcmp(g->shape, shape, sizeof(int32_t) * (size_t)x->ndim) == 0) return wg_ref(g);
    return op_reshape(g, x->ndim, shape);
}

/* Sums x over the axes where it is larger than `shape` (leading extra axes, and axes where
 * shape has 1): the result broadcasts to `shape` but may stay smaller than it. The engine
 * keeps such "lazy" gradients unexpanded as long as the rules that use them broadcast. */
T *op_sum_toward(T *x, int ndim, const int32_t *shape) {
    if (!x) return NULL;
    int lead = x->ndim > ndim ? x->ndim - ndim : 0;
    uint32_t mask = 0;
    for (int d = 0; d < x->ndim; d++) {
        int sd = d - (x->ndim - ndim);
        if (d < lead || (sd >= 0 && shape[sd] == 1 && x->shape[d] != 1)) mask |= 1u << d;
    }
    if (!mask) return wg_ref(x);
    int mark = wg_scope_begin();
    T *r = S(op_reduce(WG_OP_SUM, x, mask, true));
    T *out = r ? op_reshape(r, r->ndim - lead, r->shape + lead) : NULL;
    wg_scope_end(mark);
    return out;
}

T *op_sum_all(T *x) {
    return x ? op_reduce(WG_OP_SUM, x, (1u << x->ndim) - 1, false) : NULL;
}

T *op_mean(T *x, uint32_t mask, bool keepdims) {
    if (!x) return NULL;
    double n = 1;
    for (int d = 0; d < x->ndim; d++) if (mask & (1u << d)) n *= x->shape[d];
    int mark = wg_scope_begin();
    T *out = op_binary_scalar(WG_OP_MUL, S(op_reduce(WG_OP_SUM, x, mask, keepdims)), 1.0 / n, false);
    wg_scope_end(mark);
    return out;
}

/* max over the masked axes (keepdims), as a constant: non-finite entries become 0 so that
 * x - m stays finite. Shifting by a constant does not change logsumexp, so its
 * (zero) derivative is the right one at every order. */
static T *stabilising_shift(T *x, uint32_t mask) {
    bool was = wg_recording;
    wg_recording = false;
    /* no max of an empty group: shift by its sum, 0, so that logsumexp = log(0) = -inf there */
    T *m = op_reduce(x->size ? WG_OP_MAX : WG_OP_SUM, x, mask, true);
    wg_recording = was;
    if (m) /* m is fresh and ours alone, so fixing it in place is safe */
        for (int32_t i = 0; i < m->size; i++) {
            double v = wg_get(m, i);
            if (v - v != 0) wg_set(m, i, 0);
        }
    return m;
}

T *op_logsumexp(T *x, uint32_t mask, bool keepdims) {
    if (!x) return NULL;
    int mark = wg_scope_begin();
    T *m = S(stabilising_shift(x, mask));
    T *s = S(op_reduce(WG_OP_SUM, S(op_unary(WG_OP_EXP, S(op_binary(WG_OP_SUB, x, m)))), mask, true));
    T *r = S(op_binary(WG_OP_ADD, S(op_unary(WG_OP_LOG, s)), m));
    T *out = NULL;
    if (r) {
        if (keepdims) out = wg_ref(r);
        else {
            int32_t shape[WG_MAX_DIMS];
            int nd = 0;
            for (int d = 0; d < x->ndim; d++) if (!(mask & (1u << d))) shape[nd++] = x->shape[d];
            out = op_reshape(r, nd, shape);
        }
    }
    wg_scope_end(mark);
    return out;
}

static T *drop_axis(T *x, int axis) {
    if (!x) return NULL;
    int32_t shape[WG_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < x->ndim; d++) if (d != axis) shape[nd++] = x->shape[d];
    return op_reshape(x, nd, shape);
}

static T *insert_axis(T *x, int axis) {
    if (!x) return NULL;
    int32_t shape[WG_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d <= x->ndim; d++) {
        if (d == axis) shape[nd++] = 1;
        if (d < x->ndim) shape[nd++] = x->shape[d];
    }
    return op_reshape(x, nd, shape);
}

/* NumPy matmul: a 1-D first operand is a row, a 1-D second operand a column, and the
 * added axis is removed from the result. */
T *op_matmul_any(T *a, T *b) {
    if (!a || !b) return NULL;
    if (a->ndim == 0 || b->ndim == 0)
        return wg_fail(WG_INVALID_ARGUMENT, "matmul: operands must have at least 1 dimension, got shapes %S and "
                       "%S; use multiply for scalars", a, b);
    int mark = wg_scope_begin();
    T *a2 = a->ndim == 1 ? S(insert_axis(a, 0)) : a;
    T *b2 = b->ndim == 1 ? S(insert_axis(b, 1)) : b;
    T *r = S(op_matmul(a2, b2));
    if (r && b->ndim == 1) r = S(drop_axis(r, r->ndim - 1));
    if (r && a->ndim == 1) r = S(drop_axis(r, r->ndim - (b->ndim == 1 ? 1 : 2)));
    T *out = wg_ref(r);
    wg_scope_end(mark);
    return out;
}

/* ---- composites behind their own API entry points ------------------------------------ */
/* s^(1/ord) with a zero gradient where s == 0 (PyTorch's norm at 0): there it is computed
 * from s = 1 and replaced by 0, so no inf * 0 = NaN reaches any order */
static T *norm_root(T *s, double ord) {
    if (!s) return NULL;
    bool zero = false;
    for (int32_t i = 0; i < s->size; i++) zero |= wg_get(s, i) == 0;
    T *m = zero ? S(op_binary_scalar(WG_OP_EQUAL, s, 0, false)) : NULL;
    if (zero && !m) return NULL; /* out of memory, not "no zero" (fuzzing) */
    T *safe = m ? S(op_where(m, S(wg_scalar_like(s, 1)), s)) : s;
    T *r = ord == 2 ? S(op_unary(WG_OP_SQRT, safe)) : S(op_binary_scalar(WG_OP_POW, safe, 1.0 / ord, false));
    if (!r) return NULL;
    return m ? op_where(m, S(wg_scalar_like(s, 0)), r) : wg_ref(r);
}

T *cp_norm(T *x, double ord, uint32_t mask, bool keepdims) {
    if (!x) return NULL;
    if (!(ord > 0))
        return wg_fail(WG_INVALID_ARGUMENT, "norm: ord %g is not supported; use a positive number or Infinity",
                       ord);
    int mark = wg_scope_begin();
    T *out = NULL;
    /* not for ord 2: an unused |x| that failed to allocate left an error on a success (fuzzing) */
    T *ax = ord == 2 ? NULL : S(op_unary(WG_OP_ABS, x));
    if (ord == 2) out = norm_root(S(op_reduce(WG_OP_SUM, S(op_unary(WG_OP_SQUARE, x)), mask, keepdims)), 2);
    else if (ord == 1) out = op_reduce(WG_OP_SUM, ax, mask, keepdims);
    else if (ord == __builtin_inf()) out = op_reduce(WG_OP_MAX, ax, mask, keepdims);
    else out = norm_root(S(op_reduce(WG_OP_SUM, S(op_binary_scalar(WG_OP_POW, ax, ord, false)), mask, keepdims)), ord);
    wg_scope_end(mark);
    return out;
}

static bool axis_in_range(const char *who, const T *x, int axis, int extra, int *out) {
    int n = x->ndim + extra, a = axis < 0 ? axis + n : axis;
    if (a < 0 || a >= n) {
        wg_fail(WG_INVALID_ARGUMENT, "%s: axis %d is out of range for an array of shape %S; use an axis in [-%d, %d)",
                who, axis, x, n, n);
        return false;
    }
    *out = a;
    return true;
}

/* The value of softmax along an outer axis (rows strided by inner >= SOFTMAX_COLUMNS), made of
 * the shared kernels, unrecorded: the max along the axis, exp(x - m), its sum, a division; each
 * a vector pass along the contiguous inner dimension, where the row kernel gathers columns
 * into rows first ([1024, 1024] float32 along axis 0, read out: 8.5 -> 4.8 ms). */
T *op_softmax_columns(T *x, int axis) {
    uint32_t mask = 1u << axis;
    bool was = wg_recording;
    int mark = wg_scope_begin();
    T *m = S(stabilising_shift(x, mask));
    wg_recording = false;
    T *e = S(op_unary(WG_OP_EXP, S(op_binary(WG_OP_SUB, x, m))));
    T *y = op_binary(WG_OP_DIV, e, S(op_reduce(WG_OP_SUM, e, mask, true)));
    wg_recording = was;
    wg_scope_end(mark);
    return y;
}

T *cp_softmax(T *x, int axis) {
    int a;
    if (!x || !axis_in_range("softmax", x, axis, 0, &a)) return NULL;
    return op_softmax(x, a);
}

T *cp_log_softmax(T *x, int axis) {
    int a;
    if (!x || !axis_in_range("logSoftmax", x, axis, 0, &a)) return NULL;
    /* not fused like softmax: as a composite its backward reuses logsumexp's forward exp,
       where a fused op's rule (g - e^y sum g) pays for another exp pass (measured slower) */
    int mark = wg_scope_begin();
    T *out = op_binary(WG_OP_SUB, x, S(op_logsumexp(x, 1u << a, true)));
    wg_scope_end(mark);
    return out;
}

/* mean over the batch of -log softmax(logits)[label] */
T *cp_softmax_cross_entropy(T *logits, T *labels) {
    if (!logits || !labels) return NULL;
    if (logits->ndim != 2 || labels->ndim != 1 || labels->shape[0] != logits->shape[0])
        return wg_fail(WG_SHAPE_MISMATCH, "softmaxCrossEntropy: logits must be [batch, classes] and labels "
                       "[batch], got %S and %S", logits, labels);
    if (labels->dtype != WG_I32)
        return wg_fail(WG_DTYPE_MISMATCH, "softmaxCrossEntropy: labels must be int32 class indices, got %D; build "
                       "them with nd.array(list, { dtype: 'int32' })", labels->dtype);
    int32_t n = logits->shape[0], c = logits->shape[1];
    const int32_t *lv = wg_data(labels);
    for (int32_t i = 0; i < n; i++)
        if (lv[i] < 0 || lv[i] >= c)
            return wg_fail(WG_INVALID_ARGUMENT, "softmaxCrossEntropy: label %d at position %d is not a class index "
                           "in [0, %d)", lv[i], i, c);
    int mark = wg_scope_begin();
    T *onehot = S(wg_tensor_new(logits->dtype, 2, logits->shape, "softmaxCrossEntropy"));
    if (onehot) {
        memset(onehot->storage->data, 0, onehot->storage->bytes);
        for (int32_t i = 0; i < n; i++) wg_set(onehot, i * c + lv[i], 1);
    }
    T *picked = S(op_sum_all(S(op_binary(WG_OP_MUL, S(cp_log_softmax(logits, 1)), onehot))));
    T *out = op_binary_scalar(WG_OP_MUL, picked, -1.0 / n, false);
    wg_scope_end(mark);
    return out;
}

T *cp_dot(T *a, T *b) {
    if (!a || !b) return NULL;
    if (a->ndim == 0 || b->ndim == 0) return op_binary(WG_OP_MUL, a, b);
    if (a->ndim > 2 || b->ndim > 2)
        return wg_fail(WG_INVALID_ARGUMENT, "dot: supports 1-D and 2-D operands, got %S and %S; use matmul for "
                       "batched products", a, b);
    int32_t ka = a->shape[a->ndim - 1], kb = b->shape[0];
    if (ka != kb)
        return wg_fail(WG_SHAPE_MISMATCH, "dot: shapes %S and %S are not aligned (%d vs %d); the last axis of the "
                       "first must equal the first axis of the second", a, b, ka, kb);
    return op_matmul_any(a, b);
}

/* x [batch, ...] is flattened to [batch, in]; weight is [out, in]; bias [out] or NULL */
T *cp_fully_connected(T *x, T *w, T *bias) {
    if (!x || !w) return NULL;
    if (x->ndim < 1 || w->ndim != 2)
        return wg_fail(WG_SHAPE_MISMATCH, "fullyConnected: x must be at least 1-D and weight [out, in], got %S "
                       "and %S", x, w);
    int mark = wg_scope_begin();
    T *x2 = x;
    if (x->ndim != 2) { /* a single sample is one row; more dimensions flatten into features */
        int32_t shape[2] = { x->ndim == 1 ? 1 : x->shape[0], -1 };
        x2 = S(op_reshape(x, 2, shape));
    }
    T *out = NULL;
    if (x2 && x2->shape[x2->ndim - 1] != w->shape[1])
        wg_fail(WG_SHAPE_MISMATCH, "fullyConnected: x %S has %d input features but weight %S expects %d; weight is "
                "[out, in]", x, x2->shape[x2->ndim - 1], w, w->shape[1]);
    else if (bias && (bias->ndim != 1 || bias->shape[0] != w->shape[0]))
        wg_fail(WG_SHAPE_MISMATCH, "fullyConnected: bias must be [%d] (one per output of weight %S), got %S",
                w->shape[0], w, bias);
    else {
        T *y = S(op_matmul_t(x2, w, false, true)); /* x w^T without transposing w */
        if (y && bias) y = S(op_binary(WG_OP_ADD, y, bias));
        if (y && x->ndim == 1) y = S(drop_axis(y, 0));
        out = wg_ref(y);
    }
    wg_scope_end(mark);
    return out;
}

T *cp_expand_dims(T *x, int axis) {
    int a;
    if (!x || !axis_in_range("expandDims", x, axis, 1, &a)) return NULL;
    if (x->ndim >= WG_MAX_DIMS)
        return wg_fail(WG_INVALID_ARGUMENT, "expandDims: shape %S already has %d dimensions, the most wasmgrad "
                       "supports", x, WG_MAX_DIMS);
    return insert_axis(x, a);
}

T *cp_squeeze(T *x, int naxes, const int32_t *axes) {
    if (!x) return NULL;
    uint32_t mask = 0;
    if (naxes < 0) {
        for (int d = 0; d < x->ndim; d++) if (x->shape[d] == 1) mask |= 1u << d;
    } else {
        if (!wg_axes_mask("squeeze", x, naxes, axes, &mask)) return NULL;
        for (int d = 0; d < x->ndim; d++)
            if ((mask & (1u << d)) && x->shape[d] != 1)
                return wg_fail(WG_INVALID_ARGUMENT, "squeeze: axis %d of shape %S has size %d, only axes of size 1 "
                               "can be removed", d, x, x->shape[d]);
    }
    int32_t shape[WG_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < x->ndim; d++) if (!(mask & (1u << d))) shape[nd++] = x->shape[d];
    return op_reshape(x, nd, shape);
}

T *cp_stack(int n, T *const *xs, int axis) {
    for (int i = 0; i < n; i++) if (!xs[i]) return NULL;
    if (n < 1) return wg_fail(WG_INVALID_ARGUMENT, "stack: needs at least one array");
    for (int i = 1; i < n; i++)
        if (!wg_same_shape(xs[i], xs[0]))
            return wg_fail(WG_SHAPE_MISMATCH, "stack: array %d has shape %S but array 0 has shape %S; stacked "
                           "arrays must have the same shape", i, xs[i], xs[0]);
    int a;
    if (!axis_in_range("stack", xs[0], axis, 1, &a)) return NULL;
    T **expanded = malloc(sizeof(T *) * (size_t)n);
    if (!expanded) return wg_fail(WG_OUT_OF_MEMORY, "stack: out of memory");
    int mark = wg_scope_begin();
    for (int i = 0; i < n; i++) expanded[i] = S(cp_expand_dims(xs[i], a));
    T *out = op_concat(n, expanded, a);
    wg_scope_end(mark);
    free(expanded);
    return out;
}

/* tensor.c: storage, reference counting, views, temporaries and memory statistics. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static T *g_live;            /* every tensor alive, for wg_memory_stats */
static size_t g_storage_bytes;

size_t wg_dtype_size(int dtype) { return dtype == WG_F64 ? 8 : 4; }
bool wg_dtype_valid(int dtype) { return dtype == WG_F32 || dtype == WG_F64 || dtype == WG_I32; }
const char *wg_dtype_name(int dtype) {
    switch (dtype) {
    case WG_F32: return "float32";
    case WG_F64: return "float64";
    case WG_I32: return "int32";
    default: return "unknown dtype";
    }
}

/* Data is 16-byte aligned and followed by 16 bytes of padding, so SIMD kernels may read
 * (never write) a partial vector past the end. */
static wg_storage *storage_new(size_t bytes, const char *who, int ndim, const int32_t *shape) {
    wg_storage *s = malloc(sizeof *s);
    void *data;
    size_t padded = ((bytes + 15) & ~(size_t)15) + 16;
    if (s && (data = aligned_alloc(16, padded)) != NULL) {
        s->refcount = 1;
        s->bytes = bytes;
        s->data = data;
        s->mark = 0;
        g_storage_bytes += bytes;
        return s;
    }
    free(s);
    return wg_fail(WG_OUT_OF_MEMORY,
                   "%s: out of memory allocating %g bytes for an array of shape %A; dispose() arrays "
                   "you no longer need or wrap loops in nd.tidy()",
                   who, (double)bytes, ndim, shape);
}

static void storage_unref(wg_storage *s) {
    if (s && --s->refcount == 0) {
        g_storage_bytes -= s->bytes;
        free(s->data);
        free(s);
    }
}

static T *tensor_alloc(int dtype, int ndim, const int32_t *shape, int32_t size) {
    T *t = calloc(1, sizeof *t);
    if (!t) return wg_fail(WG_OUT_OF_MEMORY, "out of memory allocating an array header");
    t->refcount = 1;
    t->dtype = dtype;
    t->ndim = ndim;
    if (ndim) memcpy(t->shape, shape, sizeof(int32_t) * (size_t)ndim);
    t->size = size;
    t->topo = -1;
    t->next_live = g_live;
    if (g_live) g_live->prev_live = t;
    g_live = t;
    return t;
}

/* wasm32 addresses at most 4 GiB: anything beyond 2^31 bytes can never be allocated. Empty
 * arrays obey the same bound on their non-zero sizes (as NumPy), so that no stride or
 * merged loop size of any array overflows int32 (found by fuzzing: [0, 2^31-1, 2]). */
bool wg_shape_fits(const char *who, int dtype, int ndim, const int32_t *shape) {
    double size = 1, nonzero = 1, es = (double)wg_dtype_size(dtype);
    for (int d = 0; d < ndim; d++) {
        size *= shape[d];
        if (shape[d]) nonzero *= shape[d];
    }
    if (size * es > 2147483647.0)
        return wg_fail(WG_OUT_OF_MEMORY, "%s: an array of shape %A and dtype %D needs %g bytes, more than "
                       "wasm memory can hold", who, ndim, shape, dtype, size * es), false;
    if (nonzero * es > 2147483647.0)
        return wg_fail(WG_OUT_OF_MEMORY, "%s: shape %A is too big even for an empty array: its non-zero sizes "
                       "multiply to %g bytes of %D, more than wasm memory can hold", who, ndim, shape,
                       nonzero * es, dtype), false;
    return true;
}

T *wg_tensor_new(int dtype, int ndim, const int32_t *shape, const char *who) {
    if (!wg_dtype_valid(dtype)) return wg_fail(WG_INVALID_ARGUMENT, "%s: unknown dtype code %d", who, dtype);
    if (ndim < 0 || ndim > WG_MAX_DIMS)
        return wg_fail(WG_INVALID_ARGUMENT, "%s: %d dimensions requested, wasmgrad supports at most %d",
                       who, ndim, WG_MAX_DIMS);
    double size = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            return wg_fail(WG_INVALID_ARGUMENT, "%s: negative size in shape %A; sizes must be >= 0", who, ndim, shape);
        size *= shape[d];
    }
    if (!wg_shape_fits(who, dtype, ndim, shape)) return NULL;
    wg_storage *s = storage_new((size_t)size * wg_dtype_size(dtype), who, ndim, shape);
    if (!s) return NULL;
    T *t = tensor_alloc(dtype, ndim, shape, (int32_t)size);
    if (!t) { storage_unref(s); return NULL; }
    t->storage = s;
    return t;
}

T *wg_tensor_view(T *x, int ndim, const int32_t *shape) {
    if (!x) return NULL;
    wg_force(x); /* the view shares the data, which must exist first */
    T *t = tensor_alloc(x->dtype, ndim, shape, x->size);
    if (!t) return NULL;
    t->storage = x->storage;
    t->storage->refcount++;
    return t;
}

T *wg_ref(T *t) {
    if (t) t->refcount++;
    return t;
}

/* Freeing a tensor releases its node's inputs, which may free them in turn: a chain of a
 * million recorded ops must not recurse a million deep, so dying tensors go through a
 * worklist threaded through their (no longer needed) live-list pointer. */
static T *g_dying;
static bool g_draining;

void wg_node_free(wg_node *n) {
    if (!n) return;
    if (n->op == WG_OP_CUSTOM && !n->freed) wg_host_release(n->ip[0]);
    for (int i = 0; i < n->nin; i++) wg_unref(n->in[i]);
    free(n->in);
    free(n);
}

/* While a batch of releases is open (wg_unref_batch), the lifetime rule below waits: an array
 * that only waiting programs hold is noted, with a reference, and looked at again when the
 * batch closes. By then the releases after it may have freed those programs' owners too, and
 * their programs were dropped instead of run. free_graph releases a whole graph so: holding
 * every array while it drops the nodes' references, it used to run the pending gradient terms
 * that read the graph's temporaries one by one, just before freeing most of them (5 passes
 * over 1M floats in the second derivative of GELU). */
static T **g_noted;
static int g_noted_count, g_noted_cap, g_batch_depth;

static bool note_for_batch(T *t) {
    if (g_noted_count == g_noted_cap) {
        int cap = g_noted_cap ? 2 * g_noted_cap : 64;
        T **grown = realloc(g_noted, sizeof(T *) * (size_t)cap);
        if (!grown) return false; /* the rule runs now instead */
        g_noted = grown;
        g_noted_cap = cap;
    }
    g_noted[g_noted_count++] = wg_ref(t);
    return true;
}

void wg_unref_batch(bool open) {
    if (open) {
        g_batch_depth++;
        return;
    }
    if (--g_batch_depth > 0) return;
    /* each noted reference goes, and the rule applies to what is left */
    for (int i = 0; i < g_noted_count; i++) wg_unref(g_noted[i]);
    g_noted_count = 0;
}

void wg_unref(T *t) {
    if (!t) return;
    if (--t->refcount > 0) {
        /* only waiting programs keep t now, where eager code would have freed it: run them, so
           that fusion never holds memory longer (they release t, which then dies) */
        if (t->refcount == t->pending_readers && !(g_batch_depth && note_for_batch(t))) wg_force_readers(t);
        return;
    }
    WG_ASSERT(t->refcount == 0);
    if (t->prev_live) t->prev_live->next_live = t->next_live;
    else g_live = t->next_live;
    if (t->next_live) t->next_live->prev_live = t->prev_live;
    t->next_live = g_dying;
    g_dying = t;
    if (g_draining) return;
    g_draining = true;
    while (g_dying) {
        T *d = g_dying;
        g_dying = d->next_live;
        wg_node_free(d->node);
        wg_pending_drop(d);
        wg_memo_forget(d);
        wg_unref(d->grad);
        storage_unref(d->storage);
        free(d);
    }
    g_draining = false;
}

bool wg_same_shape(const T *a, const T *b) {
    return a->ndim == b->ndim && memcmp(a->shape, b->shape, sizeof(int32_t) * (size_t)a->ndim) == 0;
}

void wg_contiguous_strides(int ndim, const int32_t *shape, int32_t *strides) {
    int32_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        strides[d] = s;
        s *= shape[d];
    }
}

/* element strides of x seen in an output of rank ndim (x's shape aligned on the right) */
void wg_broadcast_strides(const T *x, int ndim, ptrdiff_t *strides) {
    int32_t own[WG_MAX_DIMS];
    wg_contiguous_strides(x->ndim, x->shape, own);
    for (int d = 0; d < ndim; d++) {
        int xd = d - (ndim - x->ndim);
        strides[d] = (xd < 0 || x->shape[xd] == 1) ? 0 : own[xd];
    }
}

double wg_get(const T *t, int32_t i) {
    const void *data = wg_data(t);
    switch (t->dtype) {
    case WG_F32: return ((const float *)data)[i];
    case WG_F64: return ((const double *)data)[i];
    default: return ((const int32_t *)data)[i];
    }
}

/* only on arrays being made: every array is immutable once an operator has returned it */
void wg_set(T *t, int32_t i, double v) {
    WG_ASSERT(t->pending == NULL);
    switch (t->dtype) {
    case WG_F32: ((float *)t->storage->data)[i] = (float)v; break;
    case WG_F64: ((double *)t->storage->data)[i] = v; break;
    /* saturating, NaN -> 0, as wg_kernel_convert: a plain cast of NaN or inf is undefined (found by fuzzing) */
    default: ((int32_t *)t->storage->data)[i] = v != v ? 0 : v >= 2147483647.0 ? INT32_MAX
                                              : v <= -2147483648.0 ? INT32_MIN : (int32_t)v; break;
    }
}

/* every element v (rounded once by wg_set, then copied as bits: a wg_set call per element
 * cost 5 ns, 5 ms for the constant gradient of a 1M-element sum) */
void wg_fill(T *t, double v) {
    if (!t->size) return;
    wg_set(t, 0, v);
    if (t->dtype == WG_F64) {
        uint64_t *d = t->storage->data;
        for (int32_t i = 1; i < t->size; i++) d[i] = d[0];
    } else {
        uint32_t *d = t->storage->data;
        for (int32_t i = 1; i < t->size; i++) d[i] = d[0];
    }
}

T *wg_full_like(const T *x, double v) {
    T *t = wg_tensor_new(x->dtype, x->ndim, x->shape, "full");
    if (t) wg_fill(t, v);
    return t;
}

T *wg_scalar_like(const T *x, double v) {
    T *t = wg_tensor_new(x->dtype, 0, NULL, "scalar");
    if (t) wg_set(t, 0, v);
    return t;
}

/* ---- temporaries --------------------------------------------------------------------- */
static T **g_scope;
static int g_scope_len, g_scope_cap;

int wg_scope_begin(void) { return g_scope_len; }

T *wg_scoped(T *t) {
    if (!t) return NULL;
    if (g_scope_len == g_scope_cap) {
        int cap = g_scope_cap ? 2 * g_scope_cap : 256;
        T **grown = realloc(g_scope, sizeof(T *) * (size_t)cap);
        if (!grown) {
            wg_unref(t);
            return wg_fail(WG_OUT_OF_MEMORY, "out of memory keeping a temporary");
        }
        g_scope = grown;
        g_scope_cap = cap;
    }
    g_scope[g_scope_len++] = t;
    return t;
}

void wg_scope_end(int mark) {
    while (g_scope_len > mark) wg_unref(g_scope[--g_scope_len]);
}

/* ---- memory statistics --------------------------------------------------------------- */
static unsigned g_stats_epoch;

static size_t count_storage(wg_storage *s) {
    if (!s || s->mark == g_stats_epoch) return 0;
    s->mark = g_stats_epoch;
    return s->bytes;
}

WG_API void wg_memory_stats(double *out) {
    g_stats_epoch++;
    double handles = 0, held = 0;
    for (T *t = g_live; t; t = t->next_live) {
        if (t->ext_refs <= 0) continue;
        handles += t->ext_refs;
        held += (double)count_storage(t->storage);
        if (t->grad) held += (double)count_storage(t->grad->storage);
    }
    out[0] = handles;
    out[1] = held;
    out[2] = (double)g_storage_bytes - held;
    out[3] = (double)g_storage_bytes;
}

/* internal.h: what the C files of the core share and the outside never sees.
 *
 * Ownership: every function that returns a wg_tensor* returns a new reference (or NULL
 * with the error slot set). Every operator returns NULL at once, without touching the
 * error slot, when one of its tensor inputs is NULL: a chain of calls can then be written
 * without a check after each step, and the first failure is the one reported. */
#ifndef WG_INTERNAL_H
#define WG_INTERNAL_H

#include "wasmgrad.h"
#include <stdbool.h>
#include "kernels/kernels.h"

typedef wg_tensor T;

/* ---- storage and tensors (tensor.c) -------------------------------------------------- */
typedef struct wg_storage {
    int refcount;
    size_t bytes;
    void *data;
    unsigned mark; /* epoch stamp used by wg_memory_stats */
} wg_storage;

#define WG_MAX_NODE_INTS (3 * WG_MAX_DIMS)

/* A tape node: how its output tensor was computed. It is owned by that output tensor and
 * lives exactly as long as it, so a rule may use the output (n->out) freely: it is alive and
 * still carries its own node, which keeps higher orders connected. */
typedef struct wg_node {
    int op;
    int nin;
    bool freed;        /* the graph was freed by a backward without retain_graph */
    T **in;            /* the inputs, one reference each (NULL'ed when freed) */
    T *out;            /* back-pointer, not a reference */
    double p[2];       /* scalar parameters (clip bounds) */
    int32_t ip[WG_MAX_NODE_INTS]; /* integer parameters (axes, begin/end/step, ...) */
} wg_node;

struct wg_tensor {
    int refcount;
    int ext_refs;          /* references held outside the core (JS handles) */
    int dtype;             /* a wg_dtype */
    int ndim;
    int32_t shape[WG_MAX_DIMS];
    int32_t size;
    wg_storage *storage;
    wg_node *node;         /* NULL: a leaf, or computed without recording */
    struct wg_pending *pending; /* not computed yet: the program that will (fusion.c) */
    int pending_readers;   /* programs waiting to read it (each holds one of its references) */
    T *grad;               /* variables: the gradient of the latest backward */
    bool requires_grad;    /* a variable, or recorded from one */
    bool is_variable;
    uint8_t grad_req;
    unsigned visit;        /* engine scratch: epoch of the last visit */
    int32_t topo;          /* engine scratch: index in the current topological order */
    T *prev_live, *next_live; /* list of all live tensors, for memory stats */
};

size_t wg_dtype_size(int dtype);
const char *wg_dtype_name(int dtype);
bool wg_dtype_valid(int dtype);
static inline bool wg_is_float(int dtype) { return dtype == WG_F32 || dtype == WG_F64; }

T *wg_tensor_new(int dtype, int ndim, const int32_t *shape, const char *who);
bool wg_shape_fits(const char *who, int dtype, int ndim, const int32_t *shape); /* else OUT_OF_MEMORY */
T *wg_tensor_view(T *x, int ndim, const int32_t *shape); /* shares storage, no graph */
T *wg_ref(T *t);                       /* internal reference, returns t */
void wg_unref(T *t);
void wg_node_free(wg_node *n);         /* releases the inputs (and a custom node's host function) */
bool wg_same_shape(const T *a, const T *b);
void wg_contiguous_strides(int ndim, const int32_t *shape, int32_t *strides);
T *wg_scalar_like(const T *x, double v); /* 0-d tensor of x's dtype */
void wg_fill(T *t, double v);        /* every element of a new array = v */
T *wg_full_like(const T *x, double v);
void wg_broadcast_strides(const T *x, int ndim, ptrdiff_t *strides); /* in an output of rank ndim; 0: broadcast */
double wg_get(const T *t, int32_t i);  /* element i as a double (any dtype) */
void wg_set(T *t, int32_t i, double v);

/* Temporaries of a composite or a rule: register them, release them all at the end.
 *   int mark = wg_scope_begin(); ... wg_scoped(tmp) ...; out = wg_ref(result); wg_scope_end(mark); */
int wg_scope_begin(void);
T *wg_scoped(T *t);
void wg_scope_end(int mark);

/* ---- deferred elementwise operators (fusion.c) ----------------------------------------- */
/* Computes out's data now, or defers it, from the elementwise operator op on in (nin = 1 or
 * 2, all of out's dtype, broadcast to out's shape). false: the caller runs the kernel itself. */
bool wg_fuse(int op, int nin, T *const *in, T *out);
/* memory-bound operators, which fusion defers; op_unary reuses the results of the others */
bool wg_op_is_cheap(int op);
/* t is being freed: forget the results of op_unary it took part in */
void wg_memo_forget(const T *t);
void *wg_data(const T *t);          /* t's data, computed first if pending: the only way to read it */
void wg_force(T *t);                /* compute a pending array's data now */
/* a new array whose value is pending x's program, which it copies: x is not computed */
T *wg_pending_copy(T *x);
/* a and b are both pending, with the same shape and the same program over the same inputs:
 * the same values */
bool wg_pending_same(const T *a, const T *b);
/* elements [first, first + count) of pending t, count <= WG_READ_BLOCK, computed now: into t's
 * data if the core holds t too (then t stops being pending once read to the end in order),
 * else into a scratch buffer valid until the next call */
const void *wg_pending_block(T *t, int32_t first, int32_t count);
/* acc += the sums of x over the walk R of op_reduce, if x is pending (x stays pending) */
bool wg_fuse_sum(T *x, const wg_loop *R, double *acc);
void wg_force_readers(const T *x);  /* compute every pending array whose program reads x */
/* open (true) or close a batch of releases, during which wg_unref's lifetime rule waits (tensor.c) */
void wg_unref_batch(bool open);
void wg_pending_drop(T *t);         /* t dies: forget its program */

/* ---- errors (error.c) ---------------------------------------------------------------- */
/* fmt understands %s (string), %d (int), %g (double), %S (shape of a T*),
 * %D (dtype name from an int), %A (an int32 list: count, then pointer). Returns NULL. */
void *wg_fail(int status, const char *fmt, ...);
bool wg_failed(void);
#define WG_ASSERT(c) ((c) ? (void)0 : wg_assert_failed(#c, __FILE__, __LINE__))
_Noreturn void wg_assert_failed(const char *what, const char *file, int line);

/* ---- recording state (grad.c) -------------------------------------------------------- */
extern bool wg_recording;
extern bool wg_training;
/* Attach a node to out if recording and an input requires a gradient. Returns out
 * (released and NULL on allocation failure). */
T *wg_record(T *out, int op, int nin, T *const *in);

/* ---- primitive operators (ops.c) ----------------------------------------------------- */
/* Axes in (naxes, axes) may be negative; they are normalised into a bit mask. */
bool wg_axes_mask(const char *who, const T *x, int naxes, const int32_t *axes, uint32_t *mask);
T *op_unary(int op, T *x);
T *op_binary(int op, T *a, T *b);
T *op_binary_scalar(int op, T *a, double s, bool scalar_first);
T *op_reduce(int op, T *x, uint32_t mask, bool keepdims);
T *op_clip(T *x, double lo, double hi);
T *op_where(T *cond, T *a, T *b);
T *op_astype(T *x, int dtype);
T *op_reshape(T *x, int ndim, const int32_t *shape);
T *op_transpose(T *x, const int32_t *perm);
T *op_broadcast_to(T *x, int ndim, const int32_t *shape);
T *op_slice(T *x, const int32_t *begin, const int32_t *end, const int32_t *step); /* normalised, ndim each */
T *op_slice_grad(T *g, const T *like, const int32_t *begin, const int32_t *end, const int32_t *step);
T *op_concat(int n, T *const *xs, int axis);
T *op_flip(T *x, uint32_t mask);
T *op_take(T *x, T *indices, int axis);
T *op_take_grad(T *g, T *indices, int axis, int32_t axis_len);
T *op_matmul(T *a, T *b);            /* both at least 2-D */
T *op_matmul_t(T *a, T *b, bool ta, bool tb); /* op(a) @ op(b), op transposing the last two axes */
T *op_connect(T *g, T *var);
T *op_custom(int32_t fn, int nin, T *const *inputs, T *output);

/* ---- the host's side of custom functions (wasmgrad.h); see host.c ------------------- */
int wg_host_vjp(int32_t fn, T *g, int nin, T *const *inputs, const int32_t *needs, T **gin);
void wg_host_release(int32_t fn);

/* ---- composites (composite.c): built from primitives only, no rules of their own ----- */
T *op_sum_toward(T *x, int ndim, const int32_t *shape);
T *op_sum_all(T *x);
T *op_mean(T *x, uint32_t mask, bool keepdims);
T *op_logsumexp(T *x, uint32_t mask, bool keepdims);
T *op_keepdims_shape(T *g, const T *x, uint32_t mask); /* reshape a reduced g to x's rank */
T *op_detach(T *x);
T *op_matmul_any(T *a, T *b);        /* NumPy matmul incl. 1-D operands */
T *cp_norm(T *x, double ord, uint32_t mask, bool keepdims);
T *op_softmax(T *x, int axis);
T *op_softmax_columns(T *x, int axis); /* its value along an outer axis, unrecorded */
T *cp_softmax(T *x, int axis);
T *cp_log_softmax(T *x, int axis);
T *cp_softmax_cross_entropy(T *logits, T *labels);
T *cp_dot(T *a, T *b);
T *cp_fully_connected(T *x, T *w, T *bias);
T *cp_expand_dims(T *x, int axis);
T *cp_squeeze(T *x, int naxes, const int32_t *axes);
T *cp_stack(int n, T *const *xs, int axis);
extern const char *const wg_op_names[WG_OP_COUNT];

#endif

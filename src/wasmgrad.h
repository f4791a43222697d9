/* wasmgrad.h: the one public C header of wasmgrad.
 *
 * This is also the C ABI that the wasm module exports to the JS binding: every function
 * declared with WG_API is exported under its own name (the build greps this file for them).
 * Only plain integers, doubles and pointers cross the boundary, so the same calls work
 * from C, from wasm32 and from JS.
 *
 * Conventions
 * - A function that returns a tensor returns a NEW reference (release it with wg_release),
 *   or NULL on error. A function that returns int returns WG_OK (0) or an error status.
 * - After an error, wg_status() and wg_message() describe it. Every WG_API call clears the
 *   previous error first. Errors never change an existing tensor.
 * - Shapes and axes are passed as (count, pointer to int32). wg_scratch() gives a static
 *   area for the binding to write them into.
 * - All tensors are contiguous and row-major; operators that change the layout copy.
 *   Tensors are immutable once returned, so views (reshape, detach) may share storage.
 */
#ifndef WASMGRAD_H
#define WASMGRAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WG_API __attribute__((used, visibility("default")))

#define WG_MAX_DIMS 8

typedef struct wg_tensor wg_tensor;

/* ---- status -------------------------------------------------------------------------- */
typedef enum {
    WG_OK = 0,
    WG_INVALID_ARGUMENT = 1,
    WG_SHAPE_MISMATCH = 2,
    WG_DTYPE_MISMATCH = 3,
    WG_GRAPH_FREED = 4,
    WG_NOT_RECORDED = 5,
    WG_NOT_DIFFERENTIABLE = 6,
    WG_OUT_OF_MEMORY = 7
} wg_status_code;

WG_API int wg_status(void);              /* status of the last failed call, WG_OK if none */
WG_API const char *wg_message(void);     /* its message, NUL-terminated ("" if none) */
WG_API void wg_clear_error(void);

/* ---- dtypes -------------------------------------------------------------------------- */
typedef enum { WG_F32 = 0, WG_F64 = 1, WG_I32 = 2 } wg_dtype;

/* ---- operators (ops.def) ------------------------------------------------------------- */
typedef enum {
#define OP(id, name, cls) WG_OP_##id,
#include "ops.def"
#undef OP
    WG_OP_COUNT
} wg_op;

typedef enum { WG_CLASS_UNARY, WG_CLASS_BINARY, WG_CLASS_COMPARE, WG_CLASS_REDUCE, WG_CLASS_OTHER } wg_class;

WG_API int wg_op_count(void);
WG_API const char *wg_op_name(int op);   /* the public name, e.g. "negative" */
WG_API int wg_op_class(int op);          /* a wg_class */

/* ---- memory shared with the binding -------------------------------------------------- */
WG_API int32_t *wg_scratch(void);        /* WG_SCRATCH_INTS int32 slots for shapes, axes, handles */
#define WG_SCRATCH_INTS 1024

/* ---- tensors ------------------------------------------------------------------------- */
WG_API void wg_release(wg_tensor *t);               /* drop one reference; NULL is fine */
WG_API wg_tensor *wg_retain(wg_tensor *t);          /* take one more reference, returns t */
WG_API int wg_tensor_dtype(const wg_tensor *t);
WG_API int wg_tensor_ndim(const wg_tensor *t);
WG_API const int32_t *wg_tensor_shape(const wg_tensor *t);
WG_API int32_t wg_tensor_size(const wg_tensor *t);  /* number of elements */
WG_API void *wg_tensor_data(const wg_tensor *t);    /* contiguous data, 16-byte aligned */
/* Elements [first, first + count) of t for the host to copy out, count <= WG_READ_BLOCK: t's
 * data, or, while t's value is a deferred elementwise program (wg_tensor_deferred), that range
 * computed now, valid until the next call. NULL and an error for a bad range. (Read to the
 * end in order, an array that the core holds too stops being deferred.) */
WG_API const void *wg_tensor_read_block(const wg_tensor *t, int32_t first, int32_t count);
WG_API int wg_tensor_deferred(const wg_tensor *t);
#define WG_READ_BLOCK 16384

/* ---- creation ------------------------------------------------------------------------ */
/* uninitialised storage for the binding to fill (nd.array) */
WG_API wg_tensor *wg_empty(int dtype, int ndim, const int32_t *shape);
WG_API wg_tensor *wg_full(int dtype, int ndim, const int32_t *shape, double value);
WG_API wg_tensor *wg_arange(double start, double stop, double step, int dtype);
WG_API wg_tensor *wg_linspace(double start, double stop, int32_t num, int endpoint, int dtype);
WG_API wg_tensor *wg_eye(int32_t n, int32_t m, int32_t k, int dtype);
WG_API void wg_random_seed(double seed);            /* an integer up to 2^53 */
WG_API wg_tensor *wg_random_uniform(double low, double high, int dtype, int ndim, const int32_t *shape);
WG_API wg_tensor *wg_random_normal(double mean, double std, int dtype, int ndim, const int32_t *shape);

/* ---- operators ----------------------------------------------------------------------- */
/* Operators record a tape node when recording is on and an input requires a gradient. */
WG_API wg_tensor *wg_unary(int op, wg_tensor *x);
WG_API wg_tensor *wg_binary(int op, wg_tensor *a, wg_tensor *b);          /* also COMPARE ops */
/* a op s (scalar_first = 0) or s op a (scalar_first = 1); s takes a's dtype */
WG_API wg_tensor *wg_binary_scalar(int op, wg_tensor *a, double s, int scalar_first);
/* naxes < 0: all axes. Axes may be negative. */
WG_API wg_tensor *wg_reduce(int op, wg_tensor *x, int naxes, const int32_t *axes, int keepdims);
WG_API wg_tensor *wg_mean(wg_tensor *x, int naxes, const int32_t *axes, int keepdims);
WG_API wg_tensor *wg_logsumexp(wg_tensor *x, int naxes, const int32_t *axes, int keepdims);
WG_API wg_tensor *wg_norm(wg_tensor *x, double ord, int naxes, const int32_t *axes, int keepdims);
/* lo/hi NaN: that side unbounded */
WG_API wg_tensor *wg_clip(wg_tensor *x, double lo, double hi);
WG_API wg_tensor *wg_where(wg_tensor *cond, wg_tensor *a, wg_tensor *b);
WG_API wg_tensor *wg_astype(wg_tensor *x, int dtype);

/* shape (one -1 allowed in reshape) */
WG_API wg_tensor *wg_reshape(wg_tensor *x, int ndim, const int32_t *shape);
WG_API wg_tensor *wg_transpose(wg_tensor *x, int naxes, const int32_t *perm); /* naxes 0: reverse */
WG_API wg_tensor *wg_broadcast_to(wg_tensor *x, int ndim, const int32_t *shape);
WG_API wg_tensor *wg_expand_dims(wg_tensor *x, int axis);
WG_API wg_tensor *wg_squeeze(wg_tensor *x, int naxes, const int32_t *axes);  /* naxes < 0: all size-1 */
WG_API wg_tensor *wg_concat(int n, wg_tensor *const *xs, int axis);
WG_API wg_tensor *wg_stack(int n, wg_tensor *const *xs, int axis);
/* per axis, for the first ndim axes: begin, end, step; end = INT32_MAX means "to the end" */
WG_API wg_tensor *wg_slice(wg_tensor *x, int ndim, const int32_t *begin, const int32_t *end, const int32_t *step);
WG_API wg_tensor *wg_flip(wg_tensor *x, int naxes, const int32_t *axes);      /* naxes < 0: all */
WG_API wg_tensor *wg_take(wg_tensor *x, wg_tensor *indices, int axis);      /* indices int32 */

/* linear algebra and neural */
WG_API wg_tensor *wg_matmul(wg_tensor *a, wg_tensor *b);
WG_API wg_tensor *wg_dot(wg_tensor *a, wg_tensor *b);
WG_API wg_tensor *wg_fully_connected(wg_tensor *x, wg_tensor *weight, wg_tensor *bias); /* bias may be NULL */
WG_API wg_tensor *wg_softmax(wg_tensor *x, int axis);
WG_API wg_tensor *wg_log_softmax(wg_tensor *x, int axis);
WG_API wg_tensor *wg_softmax_cross_entropy(wg_tensor *logits, wg_tensor *labels);

/* ---- autograd ------------------------------------------------------------------------ */
WG_API int wg_set_recording(int on);     /* returns the previous value */
WG_API int wg_is_recording(void);
WG_API int wg_set_training(int on);      /* returns the previous value */
WG_API int wg_is_training(void);
/* Deferring and fusing elementwise operators (on by default): tests turn it off to compare
 * results with the unfused kernels. Returns the previous value. */
WG_API int wg_set_fusion(int on);

enum { WG_GRAD_WRITE = 0, WG_GRAD_ADD = 1 };
/* Makes x a variable (a leaf, cut from any graph it came from) with a zero gradient. */
WG_API int wg_attach_grad(wg_tensor *x, int grad_req);
WG_API wg_tensor *wg_grad_of(wg_tensor *x);          /* new reference, NULL (status OK) if none */
WG_API int wg_is_variable(const wg_tensor *x);
WG_API int wg_is_recorded(const wg_tensor *x);        /* has a live tape node */
WG_API wg_tensor *wg_detach(wg_tensor *x);           /* same data, no graph */

/* head_grads: NULL, or n entries each NULL (ones) or a tensor of the head's shape.
 * train_mode < 0 keeps the current training flag. */
WG_API int wg_backward(int nheads, wg_tensor *const *heads, wg_tensor *const *head_grads,
                       int retain_graph, int train_mode);
/* Fills out[nvars] with new references. */
WG_API int wg_grad(int nheads, wg_tensor *const *heads, wg_tensor *const *head_grads,
                   int nvars, wg_tensor *const *vars, wg_tensor **out,
                   int retain_graph, int create_graph, int train_mode, int allow_unused);

/* ---- custom functions (autograd.Function) -------------------------------------------
 * The host computes a custom function's forward itself, without recording, and passes
 * the result to wg_custom, which returns it as a new tensor recorded with a node whose
 * derivative rule calls back into the host through two wasm imports (module "env"):
 *
 *   int  wg_host_vjp(int32_t fn, wg_tensor *g, int nin, wg_tensor *const *inputs,
 *                    const int32_t *needs, wg_tensor **gin);
 *       fill gin[i] (for needs[i] != 0) with a gradient of inputs[i]'s shape, obtained
 *       through this API (C takes those references over), or leave it NULL for zero;
 *       return WG_OK, or call wg_set_error and return its status. Recording is on while it
 *       runs exactly when the backward is building a graph (create_graph).
 *   void wg_host_release(int32_t fn);
 *       the node is gone: fn will not be called again.
 * If nothing is recorded (no input requires a gradient), wg_host_release(fn) is called
 * before wg_custom returns. */
WG_API wg_tensor *wg_custom(int32_t fn, int nin, wg_tensor *const *inputs, wg_tensor *output);
WG_API void wg_set_error(int status, const char *message);  /* for the host's callbacks */

/* ---- memory -------------------------------------------------------------------------- */
/* out[0] live tensors held from outside (by JS handles), out[1] bytes of their storage,
 * out[2] bytes held only by graphs, out[3] all tensor storage bytes. */
WG_API void wg_memory_stats(double *out);

#ifdef __cplusplus
}
#endif
#endif

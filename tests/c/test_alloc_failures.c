/* Allocation failures: every operation below is run once per allocation it makes, with that
 * allocation failing (and, in a second pass, every later one too). Each run must fail cleanly
 * with OUT_OF_MEMORY (or succeed if it needed nothing more), change no existing tensor, leave
 * the recording flags as they were, free everything (memory stats, and LeakSanitizer in the
 * ASan build), and the same operation must then work normally.
 *
 * How allocations fail: CMakeLists.txt links this test (test_alloc_failures*) with
 * -Wl,--wrap for malloc, calloc, realloc and aligned_alloc, so every call the library makes
 * goes through the __wrap_ functions below. Nothing in src/ knows about it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);

static long fail_at = -1; /* index of the first allocation to fail; -1: none */
static int fail_all;      /* fail every allocation from fail_at on, not just that one */
static long count;        /* allocations since arm() */
static long hits;         /* failures injected */

static int fail_now(void) {
    long i = count++;
    if (fail_at < 0 || i < fail_at || (!fail_all && i > fail_at)) return 0;
    hits++;
    return 1;
}
void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t s) { return fail_now() ? NULL : __real_calloc(n, s); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { return fail_now() ? NULL : __real_aligned_alloc(a, n); }

static void arm(long at, int all) { fail_at = at; fail_all = all; count = 0; hits = 0; }
static void disarm(void) { fail_at = -1; }

/* ---- inputs, made without failures ------------------------------------------------------ */
enum { NIN = 6 };
static wg_tensor *in[NIN]; /* a [2,3] f32 variable, b [3] f64, c [3,4] f32 variable, lab [2] i32,
                              x0 [3] f64 variable with a zero, s 0-d f32 */
static double in_sum[NIN];

static double checksum(wg_tensor *t) {
    double s = 0;
    for (int i = 0; i < wg_tensor_size(t); i++) {
        double v = wg_tensor_dtype(t) == WG_I32 ? ((int32_t *)wg_tensor_data(t))[i] : at(t, i);
        s += v * (i + 1);
    }
    return s;
}

static wg_tensor *make(int dtype, int ndim, const int32_t *shape, const double *v) {
    wg_tensor *t = wg_empty(dtype, ndim, shape);
    for (int i = 0; i < wg_tensor_size(t); i++) {
        if (dtype == WG_F32) ((float *)wg_tensor_data(t))[i] = (float)v[i];
        else if (dtype == WG_F64) ((double *)wg_tensor_data(t))[i] = v[i];
        else ((int32_t *)wg_tensor_data(t))[i] = (int32_t)v[i];
    }
    return t;
}

static void make_inputs(void) {
    static const double va[6] = { 0.5, -1, 2, 0.25, 3, -0.75 }, vb[3] = { 1.5, -2, 0.5 };
    static const double vc[12] = { 1, 2, -1, 0.5, 0, 3, -2, 1, 0.25, -0.5, 2, 1 };
    static const double vl[2] = { 2, 0 }, vx[3] = { 0, 2, -3 }, vs[1] = { 1.25 };
    int32_t s23[2] = { 2, 3 }, s3[1] = { 3 }, s34[2] = { 3, 4 }, s2[1] = { 2 };
    in[0] = make(WG_F32, 2, s23, va);
    in[1] = make(WG_F64, 1, s3, vb);
    in[2] = make(WG_F32, 2, s34, vc);
    in[3] = make(WG_I32, 1, s2, vl);
    in[4] = make(WG_F64, 1, s3, vx);
    in[5] = make(WG_F32, 0, NULL, vs);
    wg_attach_grad(in[0], WG_GRAD_WRITE);
    wg_attach_grad(in[2], WG_GRAD_ADD);
    wg_attach_grad(in[4], WG_GRAD_WRITE);
    for (int i = 0; i < NIN; i++) in_sum[i] = checksum(in[i]);
}

/* ---- the operations: each returns WG_OK or a status, and its results in out[] ---------- */
enum { NOUT = 8 };
typedef int (*op_fn)(wg_tensor **out);
#define A in[0]
#define B in[1]
#define C in[2]
#define LAB in[3]
#define X0 in[4]
#define SC in[5]

static int ok_if(wg_tensor *t, wg_tensor **out) { out[0] = t; return t ? WG_OK : wg_status(); }

static int op_full(wg_tensor **o) { int32_t s[3] = { 2, 3, 4 }; return ok_if(wg_full(WG_F64, 3, s, 1.5), o); }
static int op_arange(wg_tensor **o) { return ok_if(wg_arange(0, 10, 0.5, WG_F32), o); }
static int op_eye(wg_tensor **o) { return ok_if(wg_eye(4, 5, 1, WG_F64), o); }
static int op_random(wg_tensor **o) { int32_t s[2] = { 3, 3 }; return ok_if(wg_random_normal(0, 1, WG_F32, 2, s), o); }
static int op_unary_(wg_tensor **o) { return ok_if(wg_unary(WG_OP_TANH, A), o); }
static int op_binary_(wg_tensor **o) { return ok_if(wg_binary(WG_OP_MUL, A, B), o); } /* broadcast + promotion */
static int op_compare_i32(wg_tensor **o) { return ok_if(wg_binary_scalar(WG_OP_LESS, LAB, 1, 0), o); }
static int op_reduce_(wg_tensor **o) { int32_t ax = 1; return ok_if(wg_reduce(WG_OP_PROD, C, 1, &ax, 1), o); }
static int op_mean_(wg_tensor **o) { return ok_if(wg_mean(C, -1, NULL, 0), o); }
static int op_lse(wg_tensor **o) { int32_t ax = -1; return ok_if(wg_logsumexp(A, 1, &ax, 0), o); }
static int op_norm2(wg_tensor **o) { return ok_if(wg_norm(X0, 2, -1, NULL, 0), o); }
static int op_norm3(wg_tensor **o) { return ok_if(wg_norm(X0, 3, -1, NULL, 0), o); }
static int op_norm_inf(wg_tensor **o) { return ok_if(wg_norm(C, 1.0 / 0.0, -1, NULL, 0), o); }
static int op_clip_(wg_tensor **o) { return ok_if(wg_clip(A, -0.5, 1), o); }
static int op_where_(wg_tensor **o) { return ok_if(wg_where(LAB, SC, B), o); }
static int op_astype_(wg_tensor **o) { return ok_if(wg_astype(A, WG_I32), o); }
static int op_reshape_(wg_tensor **o) { int32_t s[2] = { -1, 2 }; return ok_if(wg_reshape(C, 2, s), o); }
static int op_transpose_(wg_tensor **o) { return ok_if(wg_transpose(C, 0, NULL), o); }
static int op_broadcast_(wg_tensor **o) { int32_t s[3] = { 2, 2, 3 }; return ok_if(wg_broadcast_to(A, 3, s), o); }
static int op_squeeze_(wg_tensor **o) { return ok_if(wg_expand_dims(A, 1), o); }
static int op_concat_(wg_tensor **o) { wg_tensor *xs[3] = { B, X0, B }; return ok_if(wg_concat(3, xs, 0), o); }
static int op_concat_cast(wg_tensor **o) { wg_tensor *xs[2] = { A, A }; return ok_if(wg_stack(2, xs, -1), o); }
static int op_slice_(wg_tensor **o) {
    int32_t b[2] = { 2, 0 }, e[2] = { INT32_MAX, 4 }, s[2] = { -1, 2 };
    return ok_if(wg_slice(C, 2, b, e, s), o);
}
static int op_flip_(wg_tensor **o) { return ok_if(wg_flip(C, -1, NULL), o); }
static int op_take_(wg_tensor **o) { return ok_if(wg_take(C, LAB, 1), o); }
static int op_matmul_(wg_tensor **o) { return ok_if(wg_matmul(A, C), o); }
static int op_dot_(wg_tensor **o) { return ok_if(wg_dot(B, X0), o); }
static int op_fc(wg_tensor **o) { return ok_if(wg_fully_connected(C, A, NULL), o); } /* [3,4] x [2,3]: error */
static int op_fc2(wg_tensor **o) { return ok_if(wg_fully_connected(A, C, NULL), o); } /* 3 != 4 features: error */
static int op_softmax_(wg_tensor **o) { return ok_if(wg_log_softmax(C, 0), o); }
/* along an outer axis with rows 64 apart: the shared kernels' path (op_softmax_columns) */
static int op_softmax_cols(wg_tensor **o) {
    wg_tensor *c3 = wg_reshape(C, 3, (int32_t[]){ 3, 4, 1 });
    wg_tensor *x = c3 ? wg_broadcast_to(c3, 3, (int32_t[]){ 3, 4, 16 }) : NULL;
    int st = ok_if(x ? wg_softmax(x, 0) : NULL, o);
    wg_release(x);
    wg_release(c3);
    return st;
}
static int op_sce(wg_tensor **o) {
    int32_t s[2] = { 2, 3 };
    wg_tensor *logits = wg_reshape(A, 2, s);
    int st = ok_if(logits ? wg_softmax_cross_entropy(logits, LAB) : NULL, o);
    wg_release(logits);
    return st;
}
static int op_detach_(wg_tensor **o) { return ok_if(wg_detach(A), o); }
static int op_attach(wg_tensor **o) {
    wg_tensor *t = wg_unary(WG_OP_NEG, B);
    if (!t) return wg_status();
    o[0] = t;
    return wg_attach_grad(t, WG_GRAD_WRITE);
}

/* recorded: y = sum(tanh(A @ C) * B-ish) with a broadcast, then backward / grad of order 1-3 */
static wg_tensor *record_loss(void) {
    int was = wg_set_recording(1);
    wg_tensor *m = wg_matmul(A, C), *t = m ? wg_unary(WG_OP_TANH, m) : NULL;
    wg_tensor *p = t ? wg_binary(WG_OP_POW, t, SC) : NULL; /* t^1.25 with t < 0: NaN is fine */
    wg_tensor *q = p ? wg_binary(WG_OP_MAXIMUM, p, t) : NULL;
    wg_tensor *y = q ? wg_reduce(WG_OP_SUM, q, -1, NULL, 0) : NULL;
    wg_set_recording(was);
    wg_release(m); wg_release(t); wg_release(p); wg_release(q);
    return y;
}
static int op_backward(wg_tensor **o) {
    wg_tensor *y = record_loss();
    if (!y) return wg_status();
    o[0] = y;
    return wg_backward(1, &y, NULL, 0, -1);
}
static int op_grad2(wg_tensor **o) {
    wg_tensor *y = record_loss(), *vars[2] = { A, C };
    if (!y) return wg_status();
    o[0] = y;
    int st = wg_grad(1, &y, NULL, 2, vars, o + 1, 1, 1, -1, 0);
    if (st) return st;
    int was = wg_set_recording(1);
    wg_tensor *s = wg_reduce(WG_OP_SUM, o[1], -1, NULL, 0);
    wg_set_recording(was);
    if (!s) return wg_status();
    o[3] = s;
    return wg_grad(1, &s, NULL, 2, vars, o + 4, 1, 1, -1, 1);
}
static int op_grad_prod_zero(wg_tensor **o) { /* prod's rule has a branch for zeros; norm_root too */
    int was = wg_set_recording(1);
    wg_tensor *p = wg_reduce(WG_OP_PROD, X0, -1, NULL, 0), *n = p ? wg_norm(X0, 3, -1, NULL, 0) : NULL;
    wg_tensor *y = n ? wg_binary(WG_OP_ADD, p, n) : NULL;
    wg_set_recording(was);
    o[0] = p; o[1] = n; o[2] = y;
    if (!y) return wg_status();
    int st = wg_grad(1, &y, NULL, 1, &X0, o + 3, 1, 1, -1, 0);
    if (st) return st;
    wg_tensor *s = wg_reduce(WG_OP_SUM, o[3], -1, NULL, 0);
    if (!s) return wg_status();
    o[4] = s;
    return wg_grad(1, &s, NULL, 1, &X0, o + 5, 0, 0, -1, 1);
}

static const struct { const char *name; op_fn fn; } OPS[] = {
    { "full", op_full }, { "arange", op_arange }, { "eye", op_eye }, { "random", op_random },
    { "unary", op_unary_ }, { "binary", op_binary_ }, { "compare int32", op_compare_i32 },
    { "reduce", op_reduce_ }, { "mean", op_mean_ }, { "logsumexp", op_lse }, { "norm 2", op_norm2 },
    { "norm 3", op_norm3 }, { "norm inf", op_norm_inf }, { "clip", op_clip_ }, { "where", op_where_ },
    { "astype", op_astype_ }, { "reshape", op_reshape_ }, { "transpose", op_transpose_ },
    { "broadcast", op_broadcast_ }, { "expand_dims", op_squeeze_ }, { "concat", op_concat_ },
    { "stack", op_concat_cast }, { "slice", op_slice_ }, { "flip", op_flip_ }, { "take", op_take_ },
    { "matmul", op_matmul_ }, { "dot", op_dot_ }, { "fully_connected (bad)", op_fc },
    { "fully_connected (bad 2)", op_fc2 }, { "log_softmax", op_softmax_ }, { "softmax along axis 0", op_softmax_cols },
    { "softmax_cross_entropy", op_sce }, { "detach", op_detach_ }, { "attach_grad", op_attach },
    { "backward", op_backward }, { "grad, orders 1-2", op_grad2 }, { "grad, prod and norm at 0", op_grad_prod_zero },
};

static void release_all(wg_tensor **out) {
    for (int i = 0; i < NOUT; i++) { wg_release(out[i]); out[i] = NULL; }
}

static void check_freed(const char *name, long at, int all) {
    double st[4];
    wg_memory_stats(st);
    if (st[0] != 0 || st[3] != 0)
        fprintf(stderr, "%s (failing allocation %ld%s): %g handles, %g bytes still live\n", name, at,
                all ? " on" : "", st[0], st[3]);
    CHECK(st[0] == 0 && st[3] == 0);
}

static int runs, injected;

static void run_op(const char *name, op_fn fn) {
    wg_tensor *out[NOUT] = { 0 };
    /* the reference run, without failures: its status and how many allocations it makes */
    make_inputs();
    arm(-1, 0);
    int want = fn(out);
    long allocations = count;
    release_all(out);
    for (int i = 0; i < NIN; i++) wg_release(in[i]);
    check_freed(name, -1, 0);
    for (int all = 0; all < 2; all++)
        for (long at = 0; at < allocations; at++) {
            make_inputs();
            int rec = wg_is_recording(), train = wg_is_training();
            arm(at, all);
            int st = fn(out);
            disarm();
            runs++;
            injected += hits > 0;
            if (hits && st == WG_OK && want == WG_OK) {
                /* an operation may not need every allocation of the reference run (none here do) */
                fprintf(stderr, "%s: succeeded although allocation %ld failed\n", name, at);
                CHECK(0);
            }
            if (hits && st != WG_OK && st != want) {
                if (st != WG_OUT_OF_MEMORY || wg_status() != WG_OUT_OF_MEMORY || !wg_message()[0])
                    fprintf(stderr, "%s (failing allocation %ld): status %d (%s)\n", name, at, st, wg_message());
                CHECK(st == WG_OUT_OF_MEMORY && wg_status() == WG_OUT_OF_MEMORY && wg_message()[0]);
            }
            CHECK(wg_is_recording() == rec && wg_is_training() == train);
            for (int i = 0; i < NIN; i++) CHECK(checksum(in[i]) == in_sum[i]);
            release_all(out);
            /* the same operation works again at once */
            CHECK(fn(out) == want);
            release_all(out);
            for (int i = 0; i < NIN; i++) wg_release(in[i]);
            check_freed(name, at, all);
        }
}

int main(void) {
    for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++) run_op(OPS[k].name, OPS[k].fn);
    printf("%d runs with a failing allocation, %d of which hit one\n", runs, injected);
    return check_summary("test_alloc_failures");
}

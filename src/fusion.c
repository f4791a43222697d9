/* fusion.c: deferred elementwise operators, run together in one pass (kernels/fused.c).
 *
 * A cheap elementwise operator (arithmetic, comparisons, where, the fused backward ops: wg_op_is_cheap)
 * does not run when called. Its output is allocated at once, so that running out of memory is
 * still reported by the operator that needed it, and carries a pending program, not data.
 * The next elementwise operator that reads it copies that program into its own rather than
 * reading the array: z = x * y + x makes one pass over x and y and never writes x * y.
 * An expensive operator (tanh, exp, ...) runs at once, but through the program of a pending
 * input: tanh(x w + b) is also one pass. A sum of a pending array reads its program's inputs
 * instead of its data (wg_fuse_sum): sum(g) of a gradient g never writes g out.
 *
 * Results are bit for bit those of the unfused kernels: each step runs the same kernel, in the
 * same dtype, on a block of the output.
 *
 * A pending array runs its program (wg_force) the moment anything else needs its data: any
 * kernel that is not elementwise (ops.c reads data only through wg_data), a view of it, the
 * host reading it (wg_tensor_data). A program holds references to its input arrays, but
 * memory behaves as without fusion: when only waiting programs are left holding an array,
 * they run at once (wg_unref), so that it is freed when eager code would free it (the host
 * disposing it, a rule's temporary at the end of the rule). At most MAX_PENDING programs wait
 * at once (the oldest runs when another one would exceed that). */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* At most MAX_PENDING programs wait at once, in these slots: no allocation, so deferring an
 * operator can never fail. The backward pass of a third derivative keeps more than 16 waiting
 * (16 slots: the third derivative of gelu of 1M floats took 39 ms, the oldest programs running
 * as others came; 32: 32 ms). Programs of 16 steps instead of 8 measured mixed: faster for the
 * third derivative of x tanh(x), slower for that of log1p(x^2). */
#define MAX_PENDING 32
struct wg_pending {
    wg_fuse_prog prog;
    T *leaf[WG_FUSE_LEAVES]; /* one reference each */
    T *owner;                /* the array it computes; NULL: a free slot */
    unsigned age;            /* when it was deferred: the oldest runs when all slots are taken */
    int32_t read_upto;       /* the host has read [0, read_upto) out, computed into owner's data */
};
static struct wg_pending g_slots[MAX_PENDING];
static unsigned g_age;

/* Built with -DWG_TRACE_FUSION (scripts/trace-fusion.sh), every pass over an array of more than
 * 4096 elements is printed to stderr with its steps and why it ran: "data" (something reads
 * it), "no-room" (an operand's program did not fit into a reader's), "lifetime" (wg_unref's
 * rule), "evict" (all slots taken); sums and read-outs of pending arrays too. */
#ifdef WG_TRACE_FUSION
#include <stdio.h>
static const char *g_why = "data";
#define BECAUSE(why, force) do { g_why = why; force; g_why = "data"; } while (0)
static void trace(const char *what, const struct wg_pending *q, const T *t) {
    if (t->size <= 4096) return;
    fprintf(stderr, "  %-16s %9d:", what, (int)t->size);
    for (int j = 0; j < q->prog.nsteps; j++) fprintf(stderr, " %s", wg_op_name(q->prog.step[j].op));
    fprintf(stderr, "\n");
}
#else
#define BECAUSE(why, force) force
#define trace(what, q, t) ((void)0)
#endif

/* Memory-bound operators: worth deferring, and cheap enough to compute again when a pending
 * array is both read by a later program and needed itself. The comparisons and sign are the
 * masks that rules multiply g by (relu: g (x > 0), abs: g sign(x)). */
bool wg_op_is_cheap(int op) {
    switch (op) {
    case WG_OP_NEG: case WG_OP_ABS: case WG_OP_SIGN: case WG_OP_SQUARE: case WG_OP_RELU: case WG_OP_RECIPROCAL:
    case WG_OP_DEGREES: case WG_OP_RADIANS: case WG_OP_SQRT: case WG_OP_SOFTSIGN:
    case WG_OP_FLOOR: case WG_OP_CEIL: case WG_OP_TRUNC: case WG_OP_ROUND:
    case WG_OP_ADD: case WG_OP_SUB: case WG_OP_MUL: case WG_OP_DIV: case WG_OP_MAXIMUM: case WG_OP_MINIMUM:
    case WG_OP_TANH_GRAD: case WG_OP_SIGMOID_GRAD:
    case WG_OP_EQUAL: case WG_OP_NOT_EQUAL: case WG_OP_GREATER: case WG_OP_GREATER_EQUAL: case WG_OP_LESS:
    case WG_OP_LESS_EQUAL: case WG_OP_WHERE:
        return true;
    default:
        return false;
    }
}

/* ---- building a program ---------------------------------------------------------------- */
static int leaf_value(struct wg_pending *q, T *x) {
    for (int k = 0; k < q->prog.nleaves; k++) if (q->leaf[k] == x) return k;
    if (q->prog.nleaves == WG_FUSE_LEAVES) return -1;
    q->leaf[q->prog.nleaves] = x;
    return q->prog.nleaves++;
}

static int const_value(struct wg_pending *q, double c) {
    for (int k = 0; k < q->prog.nconsts; k++)
        if (memcmp(&q->prog.consts[k], &c, sizeof c) == 0) return WG_FUSE_LEAVES + k; /* bits: NaN, -0 */
    if (q->prog.nconsts == WG_FUSE_CONSTS) return -1;
    q->prog.consts[q->prog.nconsts] = c;
    return WG_FUSE_LEAVES + q->prog.nconsts++;
}

static int append_step(struct wg_pending *q, int op, int nargs, const int *args) {
    if (q->prog.nsteps == WG_FUSE_STEPS) return -1;
    wg_fuse_step *s = &q->prog.step[q->prog.nsteps];
    s->op = (uint8_t)op;
    s->nargs = (uint8_t)nargs;
    for (int i = 0; i < 3; i++) s->arg[i] = (uint8_t)(i < nargs ? args[i] : 0);
    return WG_FUSE_STEP0 + q->prog.nsteps++;
}

/* Copies the program of a pending array into q; the value number of its result, or -1 when
 * q has no room for it (q is then partly changed: the caller restores it). */
static int inline_program(struct wg_pending *q, const struct wg_pending *p) {
    int map[WG_FUSE_VALUES];
    for (int k = 0; k < p->prog.nleaves; k++)
        if ((map[k] = leaf_value(q, p->leaf[k])) < 0) return -1;
    for (int c = 0; c < p->prog.nconsts; c++)
        if ((map[WG_FUSE_LEAVES + c] = const_value(q, p->prog.consts[c])) < 0) return -1;
    int v = -1;
    for (int j = 0; j < p->prog.nsteps; j++) {
        const wg_fuse_step *s = &p->prog.step[j];
        int args[3] = { map[s->arg[0]], map[s->arg[1]], map[s->arg[2]] };
        if ((v = map[WG_FUSE_STEP0 + j] = append_step(q, s->op, s->nargs, args)) < 0) return -1;
    }
    return v;
}

/* The value number of operand x of an operator whose output is out: x's own program when it
 * is pending and as large as out (a smaller one would be computed again for every element it
 * is broadcast to), else x's data, as a constant when it is a single number. -1: no room. */
static int operand_value(struct wg_pending *q, T *x, const T *out) {
    if (x->pending && x->size == out->size) {
        struct wg_pending saved = *q;
        int v = inline_program(q, x->pending);
        if (v >= 0) return v;
        *q = saved;
        BECAUSE("no-room", wg_force(x));
    } else {
        wg_force(x);
    }
    return x->size == 1 ? const_value(q, wg_get(x, 0)) : leaf_value(q, x);
}

/* ---- running a program ------------------------------------------------------------------ */
/* the walk of a program over its output's shape: operand 0 the output, then the leaves */
static void program_walk(const struct wg_pending *q, const T *out, wg_loop *L, const void **leaves) {
    ptrdiff_t strides[WG_LOOP_OPS][WG_MAX_DIMS];
    wg_broadcast_strides(out, out->ndim, strides[0]);
    for (int k = 0; k < q->prog.nleaves; k++) {
        WG_ASSERT(q->leaf[k]->pending == NULL);
        wg_broadcast_strides(q->leaf[k], out->ndim, strides[k + 1]);
        leaves[k] = q->leaf[k]->storage->data;
    }
    wg_loop_init(L, out->ndim, out->shape, 1 + q->prog.nleaves, strides);
}

static void run_program(const struct wg_pending *q, T *out) {
    trace(g_why, q, out);
    wg_loop L;
    const void *leaves[WG_FUSE_LEAVES];
    program_walk(q, out, &L, leaves);
    wg_kernel_fused(out->dtype, &q->prog, &L, leaves, 0, out->size, out->storage->data);
}

static void release(struct wg_pending *q) {
    q->owner = NULL;
    for (int k = 0; k < q->prog.nleaves; k++) {
        q->leaf[k]->pending_readers--;
        wg_unref(q->leaf[k]);
    }
}

/* The host reading a pending array out, a block at a time (wg_tensor_read_block): each block
 * is computed where the host copies it from while it is in cache, instead of writing the whole
 * result out first and reading it back from memory (x * y + x of 1M floats read out: see
 * docs/internals.md). Where the block goes depends on who else holds t:
 * - only host handles (a result the host reads and drops): into a scratch buffer; t stays
 *   pending, and its data is never written at all;
 * - something in the core too (a variable's gradient, a recorded graph): into t's own data.
 *   Such an array tends to outlive the arrays its program reads (a gradient outlives the
 *   temporaries of its graph), and when they are freed the program would run in full once more
 *   (wg_unref's rule): the derivatives of tanh of 1M floats spent 0.8-2.1 ms on that. Once the
 *   host has read every element in order, t's data is complete and t stops being pending. */
static double g_read_buf[WG_READ_BLOCK] __attribute__((aligned(16)));

const void *wg_pending_block(T *t, int32_t first, int32_t count) {
    struct wg_pending *q = t->pending;
    if (first == 0) trace("read-out", q, t);
    bool into_data = t->refcount > t->ext_refs;
    char *dst = into_data ? (char *)t->storage->data + (size_t)first * wg_dtype_size(t->dtype) : (char *)g_read_buf;
    wg_loop L;
    const void *leaves[WG_FUSE_LEAVES];
    program_walk(q, t, &L, leaves);
    wg_kernel_fused(t->dtype, &q->prog, &L, leaves, first, count, dst);
    if (into_data && first <= q->read_upto && first + count > q->read_upto) q->read_upto = first + count;
    if (q->read_upto == t->size) wg_pending_drop(t); /* every element written: t's data is its value */
    return dst;
}

bool wg_fuse_sum(T *x, const wg_loop *R, double *acc) {
    if (!x->pending) return false;
    trace("sum of pending", x->pending, x);
    wg_loop L;
    const void *leaves[WG_FUSE_LEAVES];
    program_walk(x->pending, x, &L, leaves);
    wg_kernel_fused_sum(x->dtype, &x->pending->prog, &L, leaves, R, acc);
    return true;
}

void wg_force(T *t) {
    struct wg_pending *q = t->pending;
    if (!q) return;
    t->pending = NULL;
    run_program(q, t);
    release(q);
}

static void force_all(void) {
    for (int i = 0; i < MAX_PENDING; i++) if (g_slots[i].owner) wg_force(g_slots[i].owner);
}

void wg_force_readers(const T *x) {
    for (int i = 0; i < MAX_PENDING; i++) {
        const struct wg_pending *q = &g_slots[i];
        for (int k = 0; q->owner && k < q->prog.nleaves; k++)
            if (q->leaf[k] == x) BECAUSE("lifetime", wg_force(q->owner));
    }
}

void wg_pending_drop(T *t) {
    struct wg_pending *q = t->pending;
    if (!q) return;
    t->pending = NULL;
    release(q);
}

/* a free slot, made by running the oldest program if there is none */
static struct wg_pending *free_slot(void) {
    struct wg_pending *oldest = &g_slots[0];
    for (int i = 0; i < MAX_PENDING; i++) {
        if (!g_slots[i].owner) return &g_slots[i];
        if (g_slots[i].age - g_age < oldest->age - g_age) oldest = &g_slots[i]; /* wraps around */
    }
    BECAUSE("evict", wg_force(oldest->owner));
    return oldest;
}

void *wg_data(const T *t) {
    wg_force((T *)t); /* computing the data of an immutable array does not change it */
    return t->storage->data;
}

/* ---- the operators' side ---------------------------------------------------------------- */
/* out's value becomes program q (copied) */
static void defer(const struct wg_pending *q, T *out) {
    struct wg_pending copy = *q;
    for (int k = 0; k < copy.prog.nleaves; k++) { /* before free_slot, which may run q's own program */
        wg_ref(copy.leaf[k]);
        copy.leaf[k]->pending_readers++;
    }
    struct wg_pending *slot = free_slot();
    *slot = copy;
    slot->owner = out;
    slot->age = g_age++;
    slot->read_upto = 0;
    out->pending = slot;
}

static bool g_fusion = true;

WG_API int wg_set_fusion(int on) {
    bool was = g_fusion;
    g_fusion = on != 0;
    if (!g_fusion) force_all();
    return was;
}

bool wg_fuse(int op, int nin, T *const *in, T *out) {
    if (!g_fusion || out->size == 0 || !wg_is_float(out->dtype)) return false;
    bool cheap = wg_op_is_cheap(op), any_pending = false;
    for (int i = 0; i < nin; i++) {
        if (in[i]->dtype != out->dtype) return false;
        any_pending |= in[i]->pending != NULL;
    }
    if (!cheap && !any_pending) return false; /* the plain kernel is just as good */
    struct wg_pending q = { 0 };
    int args[3] = { 0, 0, 0 };
    for (int i = 0; i < nin; i++) {
        int same = i;
        while (same > 0 && in[same - 1] != in[i]) same--; /* an operand given twice is one value */
        if ((args[i] = same > 0 ? args[same - 1] : operand_value(&q, in[i], out)) < 0)
            return false; /* the caller runs it unfused */
    }
    if (append_step(&q, op, nin, args) < 0) return false;
    if (!cheap) { /* an expensive operator runs now, through the programs of its inputs */
        BECAUSE("expensive op", run_program(&q, out));
        return true;
    }
    defer(&q, out);
    return true;
}

bool wg_pending_same(const T *a, const T *b) {
    const struct wg_pending *p = a->pending, *q = b->pending;
    if (!p || !q || a->dtype != b->dtype || !wg_same_shape(a, b)) return false;
    if (p->prog.nleaves != q->prog.nleaves || p->prog.nconsts != q->prog.nconsts || p->prog.nsteps != q->prog.nsteps)
        return false;
    return memcmp(p->leaf, q->leaf, sizeof(T *) * (size_t)p->prog.nleaves) == 0 &&
           memcmp(p->prog.consts, q->prog.consts, sizeof(double) * (size_t)p->prog.nconsts) == 0 && /* bits */
           memcmp(p->prog.step, q->prog.step, sizeof(wg_fuse_step) * (size_t)p->prog.nsteps) == 0;
}

T *wg_pending_copy(T *x) {
    T *t = wg_tensor_new(x->dtype, x->ndim, x->shape, "wg_pending_copy");
    if (t) defer(x->pending, t);
    return t;
}

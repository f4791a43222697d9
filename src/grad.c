/* grad.c: the derivative table and the backward engine.
 *
 * Every rule is written with the library's own differentiable operators, so running the
 * rules while recording (create_graph) records the backward pass itself, and gradients of
 * every order follow. A rule may return a gradient of a broadcast shape: the engine sums
 * it toward its input's shape (op_sum_toward), the one place that undoes broadcasting.
 * A NULL gradient means "no contribution" (a symbolic zero), never a tensor of zeros.
 *
 * Rules see the node's inputs (n->in), its output (n->out, alive and still recorded, so
 * rules like tanh's g*(1-y^2) stay differentiable), and the output gradient g. They only
 * compute the gradients that needs[] asks for. All temporaries are scoped. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

bool wg_recording = false;
bool wg_training = false;

#define S wg_scoped
#define LN2 0.69314718055994530942
#define LN10 2.30258509299404568402
#define PI_ 3.14159265358979323846
#define TWO_OVER_SQRT_PI 1.12837916709551257390

/* a size-1 constant 1 (the default head gradient): multiplying by it changes nothing */
static bool is_one(const T *t) { return t->size == 1 && !t->requires_grad && wg_get(t, 0) == 1.0; }

/* short names for the operators the rules are written in; each result is scoped */
static T *add(T *a, T *b) { return S(op_binary(WG_OP_ADD, a, b)); }
static T *mul(T *a, T *b) {
    if (a && b && a->dtype == b->dtype) { /* skip a pass over the data for g = ones */
        if (is_one(a) && a->ndim <= b->ndim) return b;
        if (is_one(b) && b->ndim <= a->ndim) return a;
    }
    return S(op_binary(WG_OP_MUL, a, b));
}
static T *dvd(T *a, T *b) { return S(op_binary(WG_OP_DIV, a, b)); }
static T *cmp(int op, T *a, T *b) { return S(op_binary(op, a, b)); }
static T *un(int op, T *x) { return S(op_unary(op, x)); }
static T *neg(T *x) { return un(WG_OP_NEG, x); }
static T *sq(T *x) { return un(WG_OP_SQUARE, x); }
static T *muls(T *x, double s) { return S(op_binary_scalar(WG_OP_MUL, x, s, false)); }
static T *adds(T *x, double s) { return S(op_binary_scalar(WG_OP_ADD, x, s, false)); }
static T *rsubs(double s, T *x) { return S(op_binary_scalar(WG_OP_SUB, x, s, true)); }
static T *cmps(int op, T *x, double s) { return S(op_binary_scalar(op, x, s, false)); }
static T *where0(T *cond, T *a, T *b) { return S(op_where(cond, a, b)); }
static T *zero_like(T *g) { return g ? S(wg_scalar_like(g, 0)) : NULL; }

static bool any_equal(const T *x, double v) {
    for (int32_t i = 0; i < x->size; i++) if (wg_get(x, i) == v) return true;
    return false;
}

/* ---- unary: d/dx f(x) times g --------------------------------------------------------- */
static T *vjp_unary(int op, T *x, T *y, T *g) {
    switch (op) {
    case WG_OP_NEG:        return neg(g);
    case WG_OP_ABS:        return mul(g, un(WG_OP_SIGN, x));          /* 0 at x = 0, as PyTorch */
    case WG_OP_SQUARE:     return mul(g, muls(x, 2));
    case WG_OP_SQRT:       return dvd(g, muls(y, 2));
    case WG_OP_CBRT:       return dvd(g, muls(sq(y), 3));
    case WG_OP_RSQRT:      return mul(g, muls(mul(y, sq(y)), -0.5));  /* -x^(-3/2) / 2 */
    case WG_OP_RCBRT:      return mul(g, muls(sq(sq(y)), -1.0 / 3));  /* -x^(-4/3) / 3 */
    case WG_OP_RECIPROCAL: return mul(g, neg(sq(y)));
    case WG_OP_EXP:        return mul(g, y);
    case WG_OP_EXPM1:      return mul(g, adds(y, 1));
    case WG_OP_LOG:        return dvd(g, x);
    case WG_OP_LOG2:       return dvd(g, muls(x, LN2));
    case WG_OP_LOG10:      return dvd(g, muls(x, LN10));
    case WG_OP_LOG1P:      return dvd(g, adds(x, 1));
    case WG_OP_SIN:        return mul(g, un(WG_OP_COS, x));
    case WG_OP_COS:        return mul(g, neg(un(WG_OP_SIN, x)));
    case WG_OP_TAN:        return mul(g, adds(sq(y), 1));
    case WG_OP_ARCSIN:     return mul(g, un(WG_OP_RSQRT, rsubs(1, sq(x))));
    case WG_OP_ARCCOS:     return neg(mul(g, un(WG_OP_RSQRT, rsubs(1, sq(x)))));
    case WG_OP_ARCTAN:     return dvd(g, adds(sq(x), 1));
    case WG_OP_SINH:       return mul(g, un(WG_OP_COSH, x));
    case WG_OP_COSH:       return mul(g, un(WG_OP_SINH, x));
    case WG_OP_TANH:       return S(op_binary(WG_OP_TANH_GRAD, g, y));
    case WG_OP_ARCSINH:    return mul(g, un(WG_OP_RSQRT, adds(sq(x), 1)));
    case WG_OP_ARCCOSH:    return mul(g, un(WG_OP_RSQRT, mul(adds(x, -1), adds(x, 1))));
    case WG_OP_ARCTANH:    return dvd(g, rsubs(1, sq(x)));
    case WG_OP_SIGMOID:    return S(op_binary(WG_OP_SIGMOID_GRAD, g, y));
    case WG_OP_SOFTSIGN:   return dvd(g, sq(adds(un(WG_OP_ABS, x), 1)));
    case WG_OP_RELU:       return mul(g, cmps(WG_OP_GREATER, x, 0)); /* 0 at x = 0, as PyTorch */
    case WG_OP_SOFTPLUS:   return mul(g, un(WG_OP_SIGMOID, x));
    case WG_OP_ERF:        return mul(g, muls(un(WG_OP_EXP, neg(sq(x))), TWO_OVER_SQRT_PI));
    case WG_OP_DEGREES:    return muls(g, 180.0 / PI_);
    case WG_OP_RADIANS:    return muls(g, PI_ / 180.0);
    default:               return NULL; /* sign, floor, ceil, round, trunc: zero almost everywhere */
    }
}

/* ---- binary: the gradients of a op b for a (gin[0]) and b (gin[1]) -------------------- */
static void vjp_binary(int op, T *a, T *b, T *y, T *g, const bool *needs, T **gin) {
    switch (op) {
    case WG_OP_ADD:
        gin[0] = g; gin[1] = g; break;
    case WG_OP_SUB:
        gin[0] = g; if (needs[1]) gin[1] = neg(g); break;
    case WG_OP_MUL:
        if (needs[0]) gin[0] = mul(g, b);
        if (needs[1]) gin[1] = mul(g, a);
        break;
    case WG_OP_DIV:
        if (needs[0]) gin[0] = dvd(g, b);
        if (needs[1]) gin[1] = neg(dvd(mul(g, y), b));
        break;
    case WG_OP_POW:
        /* b * a^(b-1), taken as 0 where b == 0 (also at a = 0); y * log(a), taken as 0 where
           a == 0 and b >= 0 (PyTorch's conventions). The masks are constants. */
        if (needs[0]) {
            /* masked entries see a = 1, so the next order gets no 0 * inf = NaN from the unused branch */
            T *m = any_equal(b, 0) ? cmps(WG_OP_EQUAL, b, 0) : NULL;
            T *as = m ? where0(m, S(wg_scalar_like(a, 1)), a) : a;
            T *d = mul(b, S(op_binary(WG_OP_POW, as, adds(b, -1))));
            if (m) d = where0(m, zero_like(d), d);
            gin[0] = mul(g, d);
        }
        if (needs[1]) {
            /* log(1) = 0 at the masked entries: no 0 * -inf = NaN at this order or the next */
            T *m = any_equal(a, 0) ? mul(cmps(WG_OP_EQUAL, a, 0), cmps(WG_OP_GREATER_EQUAL, b, 0)) : NULL;
            T *d = mul(y, un(WG_OP_LOG, m ? where0(m, S(wg_scalar_like(a, 1)), a) : a));
            if (m) d = where0(m, zero_like(d), d);
            gin[1] = mul(g, d);
        }
        break;
    case WG_OP_MAXIMUM:
    case WG_OP_MINIMUM: {
        /* the larger (smaller) operand takes the gradient; ties split it evenly (PyTorch) */
        T *wins = cmp(op == WG_OP_MAXIMUM ? WG_OP_GREATER : WG_OP_LESS, a, b);
        T *share = add(wins, muls(cmp(WG_OP_EQUAL, a, b), 0.5));
        if (needs[0]) gin[0] = mul(g, share);
        if (needs[1]) gin[1] = mul(g, rsubs(1, share));
        break;
    }
    case WG_OP_HYPOT:
        if (needs[0]) gin[0] = mul(g, dvd(a, y));
        if (needs[1]) gin[1] = mul(g, dvd(b, y));
        break;
    case WG_OP_TANH_GRAD: /* g (1 - y^2): d/dg = 1 - y^2, d/dy = -2 y g (small factors first) */
        if (needs[0]) gin[0] = S(op_binary(WG_OP_TANH_GRAD, g, b));
        if (needs[1]) gin[1] = mul(b, muls(mul(g, a), -2));
        break;
    case WG_OP_SIGMOID_GRAD: /* g y (1 - y): d/dg = y (1 - y), d/dy = g (1 - 2 y) */
        if (needs[0]) gin[0] = S(op_binary(WG_OP_SIGMOID_GRAD, g, b));
        if (needs[1]) gin[1] = mul(mul(g, a), rsubs(1, muls(b, 2)));
        break;
    case WG_OP_ARCTAN2: {
        T *r2 = add(sq(a), sq(b));
        if (needs[0]) gin[0] = mul(g, dvd(b, r2));
        if (needs[1]) gin[1] = neg(mul(g, dvd(a, r2)));
        break;
    }
    default: break;
    }
}

/* ---- reductions ---------------------------------------------------------------------- */
/* p [K, G] with its columns shifted right by s (0 < s < G) and ones shifted in */
static T *shift_in_ones(T *p, int32_t s) {
    if (!p) return NULL; /* an allocation failed: NULL flows on (test_alloc_failures) */
    int32_t K = p->shape[0], G = p->shape[1];
    int32_t ones_shape[2] = { K, s }, begin[2] = { 0, 0 }, end[2] = { K, G - s }, step[2] = { 1, 1 };
    T *parts[2] = { S(op_broadcast_to(S(wg_scalar_like(p, 1)), 2, ones_shape)), S(op_slice(p, begin, end, step)) };
    return S(op_concat(2, parts, 1));
}

/* prod_{j < i} x[k, j] for x [K, G] by a Hillis-Steele scan (log2 G shifted products) */
static T *exclusive_cumprod(T *x) {
    if (!x) return NULL;
    int32_t G = x->shape[1];
    if (G <= 1) return S(wg_full_like(x, 1)); /* no others (or no entries at all) */
    T *p = x;
    for (int32_t s = 1; p && s < G; s *= 2) p = mul(p, shift_in_ones(p, s));
    return shift_in_ones(p, 1);
}

/* d prod / d x_i = the product of the other entries of its group, as prefix times suffix
 * products: slices, concats and muls only, so exact next to zeros at every order (y / x is
 * not, and masking it gave wrong second derivatives there) */
static T *prod_of_others(T *x, uint32_t mask) {
    int32_t perm[WG_MAX_DIMS], inverse[WG_MAX_DIMS], flat[2] = { 1, 1 };
    int k = 0;
    for (int pass = 0; pass < 2; pass++) /* kept axes first, then the reduced ones */
        for (int d = 0; d < x->ndim; d++)
            if (((mask >> d) & 1u) == (uint32_t)pass) { perm[k++] = d; flat[pass] *= x->shape[d]; }
    for (int d = 0; d < x->ndim; d++) inverse[perm[d]] = d;
    T *xt = S(op_transpose(x, perm));
    T *x2 = S(op_reshape(xt, 2, flat));
    if (!x2) return NULL;
    T *e = mul(exclusive_cumprod(x2), S(op_flip(exclusive_cumprod(S(op_flip(x2, 2u))), 2u)));
    return S(op_transpose(S(op_reshape(e, xt->ndim, xt->shape)), inverse));
}

static T *vjp_reduce(const wg_node *n, T *g) {
    T *x = n->in[0], *y = n->out;
    uint32_t mask = (uint32_t)n->ip[0];
    T *gk = S(op_keepdims_shape(g, x, mask));
    switch (n->op) {
    case WG_OP_SUM:
        return gk; /* lazy: broadcast by whoever uses it (see backward_sweep) */
    case WG_OP_PROD: /* y / x is exact enough for one order, but its derivative cancels huge terms near 0 */
        return mul(gk, wg_recording || any_equal(x, 0) ? prod_of_others(x, mask)
                                                        : dvd(S(op_keepdims_shape(y, x, mask)), x));
    default: { /* max, min: the gradient goes to the extreme entries, split among ties */
        T *hit = cmp(WG_OP_EQUAL, x, S(op_keepdims_shape(y, x, mask)));
        T *count = S(op_reduce(WG_OP_SUM, hit, mask, true));
        return mul(dvd(gk, count), hit);
    }
    }
}

/* ---- custom functions: the rule is the host's ---------------------------------------- */
static void vjp_custom(const wg_node *n, T *g, const bool *needs, T **gin) {
    int32_t *need = calloc((size_t)n->nin, sizeof(int32_t));
    T **got = calloc((size_t)n->nin, sizeof(T *));
    if (!need || !got) {
        free(need); free(got);
        wg_fail(WG_OUT_OF_MEMORY, "custom function: out of memory in backward");
        return;
    }
    for (int k = 0; k < n->nin; k++) need[k] = needs[k];
    int status = wg_host_vjp(n->ip[0], g, n->nin, n->in, need, got);
    if (status != WG_OK && !wg_failed()) wg_fail(status, "custom function: its backward failed");
    for (int k = 0; k < n->nin; k++) {
        T *r = got[k];
        if (!r) continue;
        r->ext_refs--; /* the host's reference becomes ours */
        r = S(r);
        if (wg_failed() || !needs[k]) continue;
        T *x = n->in[k];
        if (!wg_same_shape(r, x) || !wg_is_float(r->dtype)) {
            wg_fail(WG_SHAPE_MISMATCH, "custom function: backward returned a gradient of shape %S and dtype %D for "
                    "input %d of shape %S and dtype %D; return one gradient per input, shaped like it", r, r->dtype,
                    k, x, x->dtype);
            continue;
        }
        gin[k] = r->dtype == x->dtype ? r : S(op_astype(r, x->dtype));
    }
    free(need);
    free(got);
}

/* ---- everything else ----------------------------------------------------------------- */
static void vjp(const wg_node *n, T *g, const bool *needs, T **gin) {
    T *x = n->in[0], *y = n->out;
    const int32_t *ip = n->ip;
    switch (wg_op_class(n->op)) {
    case WG_CLASS_UNARY: gin[0] = vjp_unary(n->op, x, y, g); return;
    case WG_CLASS_BINARY: vjp_binary(n->op, x, n->in[1], y, g, needs, gin); return;
    case WG_CLASS_REDUCE: gin[0] = vjp_reduce(n, g); return;
    default: break;
    }
    switch (n->op) {
    case WG_OP_CLIP: { /* inside [lo, hi] inclusive, as PyTorch's clamp */
        T *m = NULL;
        if (n->p[0] == n->p[0]) m = cmps(WG_OP_GREATER_EQUAL, x, n->p[0]);
        if (n->p[1] == n->p[1]) {
            T *m2 = cmps(WG_OP_LESS_EQUAL, x, n->p[1]);
            m = m ? mul(m, m2) : m2;
        }
        gin[0] = m ? mul(g, m) : g;
        break;
    }
    case WG_OP_WHERE:
        if (needs[1]) gin[1] = where0(x, g, zero_like(g));
        if (needs[2]) gin[2] = where0(x, zero_like(g), g);
        break;
    case WG_OP_ASTYPE: gin[0] = S(op_astype(g, x->dtype)); break;
    case WG_OP_RESHAPE: gin[0] = S(op_reshape(g, x->ndim, x->shape)); break;
    case WG_OP_TRANSPOSE: {
        int32_t inverse[WG_MAX_DIMS];
        for (int d = 0; d < x->ndim; d++) inverse[ip[d]] = d;
        gin[0] = S(op_transpose(g, inverse));
        break;
    }
    case WG_OP_BROADCAST: gin[0] = g; break; /* the engine sums it back */
    case WG_OP_SLICE:
        gin[0] = S(op_slice_grad(g, x, ip, ip + WG_MAX_DIMS, ip + 2 * WG_MAX_DIMS));
        break;
    case WG_OP_SLICE_GRAD:
        gin[0] = S(op_slice(g, ip, ip + WG_MAX_DIMS, ip + 2 * WG_MAX_DIMS));
        break;
    case WG_OP_CONCAT: {
        int axis = ip[0];
        int32_t begin[WG_MAX_DIMS] = {0}, end[WG_MAX_DIMS], step[WG_MAX_DIMS];
        for (int d = 0; d < y->ndim; d++) { end[d] = y->shape[d]; step[d] = 1; }
        for (int i = 0; i < n->nin; i++) {
            end[axis] = begin[axis] + n->in[i]->shape[axis];
            if (needs[i]) gin[i] = S(op_slice(g, begin, end, step));
            begin[axis] = end[axis];
        }
        break;
    }
    case WG_OP_FLIP: gin[0] = S(op_flip(g, (uint32_t)ip[0])); break;
    case WG_OP_TAKE: gin[0] = S(op_take_grad(g, n->in[1], ip[0], x->shape[ip[0]])); break;
    case WG_OP_TAKE_GRAD: gin[0] = S(op_take(g, n->in[1], ip[0])); break;
    case WG_OP_MATMUL: {
        /* C = op(A) op(B): dop(A) = g op(B)^T, dop(B) = op(A)^T g, each written as one matmul
           with flags (no transposing copies); batch broadcasting is summed by the engine */
        T *a = x, *b = n->in[1];
        bool ta = ip[0], tb = ip[1];
        if (needs[0]) gin[0] = S(ta ? op_matmul_t(b, g, tb, true) : op_matmul_t(g, b, false, !tb));
        if (needs[1]) gin[1] = S(tb ? op_matmul_t(g, a, true, ta) : op_matmul_t(a, g, !ta, false));
        break;
    }
    case WG_OP_SOFTMAX: { /* y (g - sum(g y)) along the axis */
        T *gy = mul(g, y);
        gin[0] = S(op_binary(WG_OP_SUB, gy, mul(y, S(op_reduce(WG_OP_SUM, gy, 1u << ip[0], true)))));
        break;
    }
    case WG_OP_CONNECT: gin[0] = g; break;
    case WG_OP_CUSTOM: vjp_custom(n, g, needs, gin); break;
    default: WG_ASSERT(!"an operator without a derivative rule was recorded");
    }
}

/* ---- recording state ----------------------------------------------------------------- */
WG_API int wg_set_recording(int on) { bool was = wg_recording; wg_recording = on != 0; return was; }
WG_API int wg_is_recording(void) { return wg_recording; }
WG_API int wg_set_training(int on) { bool was = wg_training; wg_training = on != 0; return was; }
WG_API int wg_is_training(void) { return wg_training; }

/* ---- the engine ---------------------------------------------------------------------- */
typedef struct {
    T **order;      /* topological: every tensor after its inputs */
    int n;
    T **slot;       /* gradient accumulated for order[i] (a reference, or NULL) */
    bool *reach;    /* order[i] leads to a target variable */
    bool *target;
} sweep;

static unsigned g_epoch;

static void sweep_free(sweep *s) {
    if (s->slot) for (int i = 0; i < s->n; i++) wg_unref(s->slot[i]);
    free(s->order); free(s->slot); free(s->reach); free(s->target);
    memset(s, 0, sizeof *s);
}

static bool freed_error(const char *who, const T *t) {
    wg_fail(WG_GRAPH_FREED, "%s: the graph through an array of shape %S was already freed by an earlier backward; "
            "pass retainGraph: true to the first backward/grad to differentiate through it again", who, t);
    return false;
}

/* Depth-first from the heads, iteratively (graphs can be millions of nodes deep). */
static bool topo_sort(const char *who, int nheads, T *const *heads, sweep *s) {
    int cap = 64, depth = 0;
    T **stack = malloc(sizeof(T *) * (size_t)cap);
    int *next = malloc(sizeof(int) * (size_t)cap);
    int ocap = 64;
    s->order = malloc(sizeof(T *) * (size_t)ocap);
    bool ok = stack && next && s->order;
    g_epoch++;
    for (int h = 0; ok && h < nheads; h++) {
        T *root = heads[h];
        if (root->visit == g_epoch) continue;
        if (root->node && root->node->freed) { ok = freed_error(who, root); break; }
        root->visit = g_epoch;
        stack[0] = root; next[0] = 0; depth = 1;
        while (ok && depth) {
            T *t = stack[depth - 1];
            if (t->node && next[depth - 1] < t->node->nin) {
                T *c = t->node->in[next[depth - 1]++];
                if (!c->requires_grad || c->visit == g_epoch) continue;
                if (c->node && c->node->freed) { ok = freed_error(who, c); break; }
                c->visit = g_epoch;
                if (depth == cap) {
                    cap *= 2;
                    T **s2 = realloc(stack, sizeof(T *) * (size_t)cap);
                    int *n2 = s2 ? realloc(next, sizeof(int) * (size_t)cap) : NULL;
                    if (s2) stack = s2;
                    if (n2) next = n2;
                    if (!s2 || !n2) { ok = false; break; }
                }
                stack[depth] = c; next[depth] = 0; depth++;
            } else {
                if (s->n == ocap) {
                    ocap *= 2;
                    T **o2 = realloc(s->order, sizeof(T *) * (size_t)ocap);
                    if (!o2) { ok = false; break; }
                    s->order = o2;
                }
                t->topo = s->n;
                s->order[s->n++] = t;
                depth--;
            }
        }
    }
    free(stack);
    free(next);
    if (!ok && !wg_failed()) wg_fail(WG_OUT_OF_MEMORY, "%s: out of memory sorting the graph", who);
    if (ok) {
        s->slot = calloc((size_t)s->n + 1, sizeof(T *));
        s->reach = calloc((size_t)s->n + 1, sizeof(bool));
        s->target = calloc((size_t)s->n + 1, sizeof(bool));
        if (!s->slot || !s->reach || !s->target) {
            wg_fail(WG_OUT_OF_MEMORY, "%s: out of memory for the backward pass", who);
            ok = false;
        }
    }
    return ok;
}

static bool visited(const T *t) { return t->visit == g_epoch && t->topo >= 0; }

/* slot[i] += g (takes g's reference) */
static bool accumulate(sweep *s, int i, T *g) {
    if (!s->slot[i]) { s->slot[i] = g; return true; }
    T *sum = op_binary(WG_OP_ADD, s->slot[i], g);
    wg_unref(g);
    if (!sum) return false;
    wg_unref(s->slot[i]);
    s->slot[i] = sum;
    return true;
}

/* rules that only combine g elementwise, so a g that broadcasts to the output will do */
static bool broadcasts_g(int op) {
    int cls = wg_op_class(op);
    return cls == WG_CLASS_UNARY || cls == WG_CLASS_BINARY || op == WG_OP_CONNECT || op == WG_OP_BROADCAST ||
           op == WG_OP_ASTYPE || op == WG_OP_WHERE || op == WG_OP_CLIP;
}

/* The gradient for input c from a rule's gin. gin may be lazy (smaller than what it stands
 * for, see backward_sweep): for an elementwise rule it stands for gin broadcast to the
 * node's output `full`, else for itself. Summing the broadcast axes of c away counts an
 * axis that gin only implies (size 1 in gin, k in full) k times. */
static T *undo_broadcast(T *gin, const T *full, const T *c) {
    int fnd = full ? full->ndim : gin->ndim;
    const int32_t *fs = full ? full->shape : gin->shape;
    double factor = 1;
    for (int d = 0; d < fnd; d++) {
        int cd = d - (fnd - c->ndim), gd = d - (fnd - gin->ndim);
        bool reduced = cd < 0 || (c->shape[cd] == 1 && fs[d] != 1);
        if (reduced && (gd < 0 || gin->shape[gd] == 1)) factor *= fs[d];
    }
    T *r = op_sum_toward(gin, c->ndim, c->shape);
    if (r && factor != 1) {
        T *scaled = op_binary_scalar(WG_OP_MUL, r, factor, false);
        wg_unref(r);
        r = scaled;
    }
    return r;
}

/* Runs every needed rule from the heads down, accumulating into s->slot. */
static bool backward_sweep(const char *who, sweep *s) {
    for (int i = 0; i < s->n; i++) {
        T *t = s->order[i];
        bool r = s->target[i];
        if (t->node) for (int k = 0; k < t->node->nin && !r; k++) {
            T *c = t->node->in[k];
            r = c->requires_grad && visited(c) && s->reach[c->topo];
        }
        s->reach[i] = r;
    }
    for (int i = s->n - 1; i >= 0; i--) {
        T *t = s->order[i];
        T *g = s->slot[i];
        if (!g || !t->node || !s->reach[i]) continue;
        wg_node *n = t->node;
        T **gin = calloc((size_t)n->nin, sizeof(T *));
        bool *needs = calloc((size_t)n->nin, sizeof(bool));
        if (!gin || !needs) {
            free(gin); free(needs);
            return wg_fail(WG_OUT_OF_MEMORY, "%s: out of memory in the backward pass", who), false;
        }
        for (int k = 0; k < n->nin; k++) {
            T *c = n->in[k];
            needs[k] = c->requires_grad && visited(c) && s->reach[c->topo];
        }
        int mark = wg_scope_begin();
        /* Gradients may be "lazy": smaller than their tensor but broadcasting to it (the
           sum rule's g, a default head gradient). Elementwise rules broadcast anyway; any
           other rule gets g expanded to its output's shape first. */
        if (!wg_same_shape(g, t) && !broadcasts_g(n->op)) g = S(op_broadcast_to(g, t->ndim, t->shape));
        if (g) vjp(n, g, needs, gin);
        for (int k = 0; k < n->nin; k++) {
            T *c = n->in[k];
            if (!needs[k] || !gin[k]) continue;
            WG_ASSERT(gin[k]->dtype == c->dtype);
            T *gk = undo_broadcast(gin[k], broadcasts_g(n->op) ? t : NULL, c);
            if (!gk || !accumulate(s, c->topo, gk)) break;
        }
        wg_scope_end(mark);
        free(gin);
        free(needs);
        if (wg_failed()) return false;
        if (!s->target[i]) { wg_unref(s->slot[i]); s->slot[i] = NULL; }
    }
    return true;
}

/* Drops every node's references to its inputs: a later backward through them fails with
 * GRAPH_FREED. All tensors of the order are held while this runs, so none dies midway. */
static void free_graph(sweep *s) {
    wg_unref_batch(true);
    for (int i = 0; i < s->n; i++) wg_ref(s->order[i]);
    for (int i = 0; i < s->n; i++) {
        wg_node *n = s->order[i]->node;
        if (!n || n->freed) continue;
        if (n->op == WG_OP_CUSTOM) wg_host_release(n->ip[0]);
        for (int k = 0; k < n->nin; k++) { wg_unref(n->in[k]); n->in[k] = NULL; }
        n->nin = 0;
        n->freed = true;
    }
    for (int i = 0; i < s->n; i++) wg_unref(s->order[i]);
    wg_unref_batch(false);
}

static bool check_heads(const char *who, int nheads, T *const *heads, T *const *head_grads) {
    if (nheads < 1) return wg_fail(WG_INVALID_ARGUMENT, "%s: needs at least one head", who), false;
    for (int h = 0; h < nheads; h++) {
        T *t = heads[h];
        if (!t) return wg_fail(WG_INVALID_ARGUMENT, "%s: head %d is missing", who, h), false;
        if (t->node && t->node->freed) return freed_error(who, t);
        if (!t->node && !t->is_variable)
            return wg_fail(WG_NOT_RECORDED, "%s: head %d (shape %S) was not recorded, so it has no graph to "
                           "differentiate; compute it inside autograd.record(() => ...) from arrays on which "
                           "attachGrad() was called", who, h, t), false;
        T *hg = head_grads ? head_grads[h] : NULL;
        if (hg && !wg_same_shape(hg, t))
            return wg_fail(WG_SHAPE_MISMATCH, "%s: head gradient %d has shape %S but its head has shape %S; pass "
                           "a head gradient of the head's shape", who, h, hg, t), false;
        if (hg && !wg_is_float(hg->dtype))
            return wg_fail(WG_DTYPE_MISMATCH, "%s: head gradient %d is int32; pass a float32 or float64 array",
                           who, h), false;
    }
    return true;
}

/* Seeds the heads' slots with their head gradients (ones by default). */
static bool seed_heads(int nheads, T *const *heads, T *const *head_grads, sweep *s) {
    for (int h = 0; h < nheads; h++) {
        T *hg = head_grads ? head_grads[h] : NULL;
        T *g = hg ? op_astype(hg, heads[h]->dtype) : wg_scalar_like(heads[h], 1.0); /* lazy ones */
        if (!g || !accumulate(s, heads[h]->topo, g)) return false;
    }
    return true;
}

typedef struct { bool retain, create; int train; } run_opts;

static int g_running; /* the engine's marks live in the tensors: one sweep at a time */

static int run(const char *who, int nheads, T *const *heads, T *const *head_grads, int nvars,
               T *const *vars, T **out, bool allow_unused, run_opts o) {
    if (g_running)
        return wg_fail(WG_INVALID_ARGUMENT, "%s: called inside a custom function's backward; compute the "
                       "gradient with nd operators there instead", who), wg_status();
    if (!check_heads(who, nheads, heads, head_grads)) return wg_status();
    bool grad_mode = vars != NULL;
    for (int j = 0; grad_mode && j < nvars; j++)
        if (!vars[j] || !vars[j]->is_variable)
            return wg_fail(WG_INVALID_ARGUMENT, "%s: variable %d is not a variable; call x.attachGrad() on it "
                           "before recording", who, j), wg_status();
    sweep s = {0};
    bool was_recording = wg_recording, was_training = wg_training;
    T **result = NULL;
    bool ok = topo_sort(who, nheads, heads, &s);
    if (ok) {
        /* targets: the requested variables, or (backward) every variable in the graph */
        for (int j = 0; grad_mode && j < nvars; j++) {
            if (visited(vars[j])) s.target[vars[j]->topo] = true;
            else if (!allow_unused) {
                wg_fail(WG_INVALID_ARGUMENT, "%s: the heads do not depend on variable %d (shape %S); pass "
                        "allowUnused: true to get zeros for it", who, j, vars[j]);
                ok = false;
            }
        }
        if (!grad_mode) for (int i = 0; i < s.n; i++) s.target[i] = s.order[i]->is_variable;
    }
    if (ok) {
        wg_recording = o.create;
        if (o.train >= 0) wg_training = o.train != 0;
        g_running = 1;
        ok = seed_heads(nheads, heads, head_grads, &s) && backward_sweep(who, &s);
        g_running = 0;
    }
    int nres = grad_mode ? nvars : s.n;
    if (ok) {
        result = calloc((size_t)nres + 1, sizeof(T *));
        ok = result != NULL;
        if (!ok) wg_fail(WG_OUT_OF_MEMORY, "%s: out of memory", who);
    }
    /* compute every result before changing anything the caller can see */
    for (int j = 0; ok && j < nres; j++) {
        T *v = grad_mode ? vars[j] : s.order[j];
        if (!grad_mode && !s.target[j]) continue;
        T *g = visited(v) ? s.slot[v->topo] : NULL;
        T *r = !g ? wg_full_like(v, 0) : wg_same_shape(g, v) ? wg_ref(g) : op_broadcast_to(g, v->ndim, v->shape);
        if (r && grad_mode && o.create) { /* keep it connected to v: a constant gives zeros next */
            T *c = op_connect(r, v);
            wg_unref(r);
            r = c;
        }
        if (r && !grad_mode && v->grad_req == WG_GRAD_ADD && v->grad) {
            T *sum = g ? op_binary(WG_OP_ADD, v->grad, r) : wg_ref(v->grad);
            wg_unref(r);
            r = sum;
        }
        /* .grad must not lead back to v: a head gradient passed through unchanged may be v itself,
           recorded from it, or a variable whose own .grad is v (x.grad's backward with x as its
           head gradient), and v->grad -> it -> v would be a cycle never freed (fuzzing) */
        if (r && !grad_mode && (r == v || r->is_variable || (r->node && !r->node->freed))) {
            T *d = op_detach(r);
            wg_unref(r);
            r = d;
        }
        result[j] = r;
        ok = r != NULL;
    }
    wg_recording = was_recording;
    wg_training = was_training;
    if (ok) {
        for (int j = 0; j < nres; j++) {
            if (grad_mode) { out[j] = result[j]; continue; }
            if (!result[j]) continue;
            T *v = s.order[j];
            wg_unref(v->grad);
            v->grad = result[j];
        }
        if (!o.retain) free_graph(&s);
    } else if (result) {
        for (int j = 0; j < nres; j++) wg_unref(result[j]);
    }
    free(result);
    sweep_free(&s);
    return ok ? WG_OK : wg_status();
}

int wg_run_backward(int nheads, T *const *heads, T *const *head_grads, int retain, int train) {
    run_opts o = { retain != 0, false, train };
    return run("backward", nheads, heads, head_grads, 0, NULL, NULL, false, o);
}

int wg_run_grad(int nheads, T *const *heads, T *const *head_grads, int nvars, T *const *vars, T **out,
                int retain, int create, int train, int allow_unused) {
    run_opts o = { retain != 0, create != 0, train };
    for (int j = 0; j < nvars; j++) out[j] = NULL;
    return run("grad", nheads, heads, head_grads, nvars, vars, out, allow_unused != 0, o);
}

/* ---- variables ----------------------------------------------------------------------- */
int wg_make_variable(T *x, int grad_req) {
    if (!wg_is_float(x->dtype))
        return wg_fail(WG_DTYPE_MISMATCH, "attachGrad: an int32 array (shape %S) cannot have a gradient; convert "
                       "it with x.astype('float32') first", x), wg_status();
    if (grad_req != WG_GRAD_WRITE && grad_req != WG_GRAD_ADD)
        return wg_fail(WG_INVALID_ARGUMENT, "attachGrad: gradReq must be 'write' or 'add'"), wg_status();
    T *zeros = wg_full_like(x, 0);
    if (!zeros) return wg_status();
    /* a variable is a leaf: cut it from the graph it came from */
    wg_node_free(x->node);
    x->node = NULL;
    wg_unref(x->grad);
    x->grad = zeros;
    x->is_variable = true;
    x->requires_grad = true;
    x->grad_req = (uint8_t)grad_req;
    return WG_OK;
}

/* Deferred, fused elementwise operators (src/fusion.c, src/kernels/fused.c).
 *
 * Random chains of elementwise operators over broadcast inputs run twice, fused and with
 * fusion off: the results must be identical bit for bit (each step runs the same kernel), also
 * when read out in blocks while still pending, and within a few ulp of the same chain computed
 * here in long double. Then the edges: pending
 * arrays read by every other kind of operator, disposed inputs, more pending arrays than
 * slots, programs longer or wider than one fits, and no array left behind (the sanitizer
 * build also checks for leaks). */
#include <stdlib.h>
#include <string.h>
#include "check.h"

static uint32_t g_seed = 12345;
static uint32_t next_u32(void) { g_seed = g_seed * 1664525u + 1013904223u; return g_seed >> 8; }
static double uniform(double lo, double hi) { return lo + (hi - lo) * (next_u32() / 16777216.0); }

static wg_tensor *filled(int dtype, int ndim, const int32_t *shape, double lo, double hi) {
    wg_tensor *t = wg_empty(dtype, ndim, shape);
    int32_t n = wg_tensor_size(t);
    for (int32_t i = 0; i < n; i++) {
        double v = uniform(lo, hi);
        if (dtype == WG_F32) ((float *)wg_tensor_data(t))[i] = (float)v;
        else ((double *)wg_tensor_data(t))[i] = v;
    }
    return t;
}

/* element i of t, which has shape (ndim, shape) broadcast to out's shape (ondim, oshape), at
 * the flat output index o */
static long double broadcast_at(wg_tensor *t, int ondim, const int32_t *oshape, int32_t o) {
    int ndim = wg_tensor_ndim(t);
    const int32_t *shape = wg_tensor_shape(t);
    int32_t idx = 0, stride = 1;
    for (int d = ondim - 1; d >= 0; d--) {
        int32_t coord = o % oshape[d];
        o /= oshape[d];
        int td = d - (ondim - ndim);
        if (td < 0) continue;
        if (shape[td] != 1) idx += coord * stride;
        stride *= shape[td];
    }
    return at(t, idx);
}

/* the operators a chain draws from, and each one in long double */
static const int UNARY[] = { WG_OP_NEG, WG_OP_SQUARE, WG_OP_ABS, WG_OP_TANH, WG_OP_EXP, WG_OP_SIN, WG_OP_RELU, WG_OP_SIGN };
static const int BINARY[] = { WG_OP_ADD, WG_OP_SUB, WG_OP_MUL, WG_OP_MAXIMUM, WG_OP_MINIMUM, WG_OP_DIV, WG_OP_TANH_GRAD,
                              WG_OP_GREATER, WG_OP_LESS_EQUAL };

static long double apply1(int op, long double x) {
    switch (op) {
    case WG_OP_NEG: return -x;
    case WG_OP_SQUARE: return x * x;
    case WG_OP_ABS: return fabsl(x);
    case WG_OP_TANH: return tanhl(x);
    case WG_OP_EXP: return expl(x);
    case WG_OP_SIN: return sinl(x);
    case WG_OP_SIGN: return x > 0 ? 1 : x < 0 ? -1 : x;
    default: return x < 0 ? 0 : x;
    }
}
static long double apply2(int op, long double a, long double b) {
    switch (op) {
    case WG_OP_ADD: return a + b;
    case WG_OP_SUB: return a - b;
    case WG_OP_MUL: return a * b;
    case WG_OP_MAXIMUM: return a > b ? a : b;
    case WG_OP_MINIMUM: return a < b ? a : b;
    case WG_OP_DIV: return a / b;
    case WG_OP_GREATER: return a > b;
    case WG_OP_LESS_EQUAL: return a <= b;
    default: return a * (1 - b * b);
    }
}

#define MAX_VALUES 24

/* One random chain over the inputs (kept in vals[0..ninputs)), recorded in ops so that it can
 * be replayed: ops[k] = { op, a, b } (b < 0: unary; b >= 1000: number b - 1000 as a scalar),
 * or where(v[a], v[b], v[c]). */
typedef struct { int op, a, b; double s; int c; } step; /* where: v[a] != 0 ? v[b] : v[c] */

static wg_tensor *replay(const step *ops, int nsteps, wg_tensor **vals, int ninputs) {
    wg_tensor *v[MAX_VALUES];
    memcpy(v, vals, sizeof(wg_tensor *) * (size_t)ninputs);
    for (int k = 0; k < nsteps; k++) {
        const step *s = &ops[k];
        v[ninputs + k] = s->op == WG_OP_WHERE ? wg_where(v[s->a], v[s->b], v[s->c])
                       : s->b < 0 ? wg_unary(s->op, v[s->a])
                       : s->b >= 1000 ? wg_binary_scalar(s->op, v[s->a], s->s, 0)
                       : wg_binary(s->op, v[s->a], v[s->b]);
    }
    /* drop the intermediates first, as nd.tidy does: the result must not depend on them */
    for (int k = 0; k < nsteps - 1; k++) wg_release(v[ninputs + k]);
    return v[ninputs + nsteps - 1];
}

/* the chain's value at output element o, in long double */
static long double reference(const step *ops, int nsteps, wg_tensor **inputs, int ninputs, int ndim,
                             const int32_t *shape, int32_t o) {
    long double v[MAX_VALUES];
    for (int i = 0; i < ninputs; i++) v[i] = broadcast_at(inputs[i], ndim, shape, o);
    for (int k = 0; k < nsteps; k++) {
        const step *s = &ops[k];
        v[ninputs + k] = s->op == WG_OP_WHERE ? (v[s->a] != 0 ? v[s->b] : v[s->c])
                       : s->b < 0 ? apply1(s->op, v[s->a]) : apply2(s->op, v[s->a], s->b >= 1000 ? s->s : v[s->b]);
        /* each step rounds to the dtype, as the kernels do */
        if (wg_tensor_dtype(inputs[0]) == WG_F32) v[ninputs + k] = (float)v[ninputs + k];
        else v[ninputs + k] = (double)v[ninputs + k];
    }
    return v[ninputs + nsteps - 1];
}

static int g_deferred_reads; /* chains whose result was read out while still deferred */

static void random_chains(int dtype, int count) {
    for (int c = 0; c < count; c++) {
        /* output [A, B, C]; inner sizes past one fused block (1024) now and then, and many
           short rows, so that blocks span rows */
        int32_t full[3] = { next_u32() % 5 == 0 ? 200 : 1 + (int32_t)(next_u32() % 3), 1 + (int32_t)(next_u32() % 4),
                            next_u32() % 4 == 0 ? 1500 : 1 + (int32_t)(next_u32() % 9) };
        int ninputs = 1 + (int)(next_u32() % 4);
        wg_tensor *inputs[4];
        for (int i = 0; i < ninputs; i++) {
            /* the first input has the full shape; the others drop leading axes or set some to 1 */
            int ndim = i == 0 ? 3 : (int)(next_u32() % 4);
            int32_t shape[3];
            for (int d = 0; d < ndim; d++) {
                int32_t size = full[3 - ndim + d];
                shape[d] = i > 0 && next_u32() % 3 == 0 ? 1 : size;
            }
            inputs[i] = filled(dtype, ndim, shape, -1.5, 1.5);
        }
        step ops[MAX_VALUES];
        int nsteps = 1 + (int)(next_u32() % 12);
        for (int k = 0; k < nsteps; k++) {
            int nvals = ninputs + k;
            /* mostly extend the latest value, so that chains form */
            int a = next_u32() % 3 ? nvals - 1 : (int)(next_u32() % (uint32_t)nvals);
            switch (next_u32() % 4) {
            case 3: /* where, its mask often a comparison */
                ops[k] = (step){ WG_OP_WHERE, a, (int)(next_u32() % (uint32_t)nvals), 0, (int)(next_u32() % (uint32_t)nvals) };
                break;
            case 0: ops[k] = (step){ UNARY[next_u32() % 8], a, -1, 0, -1 }; break;
            case 1: ops[k] = (step){ BINARY[next_u32() % 6], a, 1000, uniform(-2, 2), -1 }; break;
            default: ops[k] = (step){ BINARY[next_u32() % 9], a, (int)(next_u32() % (uint32_t)nvals), 0, -1 }; break;
            }
            /* keep the values in a range where tanh and exp stay well-conditioned */
            if (ops[k].op == WG_OP_EXP || ops[k].op == WG_OP_DIV) ops[k] = (step){ WG_OP_TANH, a, -1, 0, -1 };
        }
        /* a sum over some axes of the result, taken while it is still pending (fused: the
           program is summed without being written) */
        int32_t axes[3], naxes = 0, keep = (int32_t)(next_u32() % 2), pick = (int32_t)next_u32();
        wg_set_fusion(0);
        wg_tensor *plain = replay(ops, nsteps, inputs, ninputs);
        for (int d = 0; plain && d < wg_tensor_ndim(plain); d++) if (pick & (1 << d)) axes[naxes++] = d;
        if (pick & 8) naxes = -1; /* all */
        wg_tensor *plain_sum = wg_reduce(WG_OP_SUM, plain, naxes, axes, keep);
        wg_set_fusion(1);
        wg_tensor *fused = replay(ops, nsteps, inputs, ninputs);
        wg_tensor *fused_sum = wg_reduce(WG_OP_SUM, fused, naxes, axes, keep);
        CHECK(fused_sum && plain_sum && wg_tensor_size(fused_sum) == wg_tensor_size(plain_sum));
        if (fused_sum && plain_sum)
            CHECK(memcmp(wg_tensor_data(fused_sum), wg_tensor_data(plain_sum),
                         (size_t)wg_tensor_size(fused_sum) * (dtype == WG_F32 ? 4 : 8)) == 0);
        wg_release(fused_sum);
        wg_release(plain_sum);
        CHECK(fused && plain);
        if (!fused || !plain) { printf("  %s\n", wg_message()); continue; }
        int32_t n = wg_tensor_size(fused);
        CHECK(n == wg_tensor_size(plain));
        size_t es = dtype == WG_F32 ? 4 : 8;
        /* read out in blocks of random lengths (as the binding reads large arrays) while still
           pending: the same bits, and the array stays pending; then a range past the end */
        int deferred = wg_tensor_deferred(fused);
        g_deferred_reads += deferred;
        for (int32_t first = 0; first < n;) {
            int32_t count = 1 + (int32_t)(next_u32() % 3000);
            if (count > n - first) count = n - first;
            const void *block = wg_tensor_read_block(fused, first, count);
            CHECK(block && memcmp(block, (const char *)wg_tensor_data(plain) + (size_t)first * es, (size_t)count * es) == 0);
            first += count;
        }
        CHECK(wg_tensor_deferred(fused) == deferred);
        CHECK(wg_tensor_read_block(fused, n, 1) == NULL && wg_status() == WG_INVALID_ARGUMENT);
        CHECK(wg_tensor_read_block(fused, 0, WG_READ_BLOCK + 1) == NULL && wg_status() == WG_INVALID_ARGUMENT);
        CHECK(memcmp(wg_tensor_data(fused), wg_tensor_data(plain), (size_t)n * es) == 0);
        CHECK(!wg_tensor_deferred(fused));
        double ulp = dtype == WG_F32 ? 0x1p-23 : 0x1p-52;
        for (int32_t o = 0; o < n; o += 1 + o / 7) {
            long double want = reference(ops, nsteps, inputs, ninputs, wg_tensor_ndim(fused), wg_tensor_shape(fused), o);
            /* each transcendental step is within 2 ulp; error grows through a chain */
            CHECK_NEAR(at(fused, o), (double)want, 64 * ulp);
        }
        wg_release(fused);
        wg_release(plain);
        for (int i = 0; i < ninputs; i++) wg_release(inputs[i]);
    }
}

static double live_bytes(void) {
    double stats[4];
    wg_memory_stats(stats);
    return stats[3];
}

int main(void) {
    random_chains(WG_F32, 300);
    random_chains(WG_F64, 300);
    CHECK(g_deferred_reads > 200); /* about half the chains end in a cheap operator, whose result waits */
    CHECK(live_bytes() == 0);

    int32_t shape[2] = { 3, 5 };
    wg_tensor *x = filled(WG_F64, 2, shape, -1, 1), *y = filled(WG_F64, 2, shape, -1, 1);

    /* a pending array read by operators that are not elementwise, and through a view */
    wg_tensor *p = wg_binary(WG_OP_MUL, x, y);
    wg_tensor *s = wg_reduce(WG_OP_SUM, p, -1, NULL, 0);
    double want = 0;
    for (int i = 0; i < 15; i++) want += at(x, i) * at(y, i);
    CHECK_NEAR(at(s, 0), want, 1e-15);
    int32_t flat[1] = { 15 };
    wg_tensor *q = wg_binary(WG_OP_ADD, x, y), *r = wg_reshape(q, 1, flat);
    for (int i = 0; i < 15; i++) CHECK(at(r, i) == at(x, i) + at(y, i));
    wg_release(r); wg_release(q); wg_release(s); wg_release(p);

    /* disposing an input of a pending array frees it at once (the program runs first) */
    wg_tensor *z = filled(WG_F64, 2, shape, -1, 1);
    double before = live_bytes();
    wg_tensor *zy = wg_binary(WG_OP_SUB, z, y);
    double with_zy = live_bytes();
    CHECK(with_zy == before + 15 * 8);
    wg_release(z);
    CHECK(live_bytes() == with_zy - 15 * 8);
    for (int i = 0; i < 15; i++) CHECK(at(zy, i) == at(zy, i)); /* computed, readable */
    wg_release(zy);

    /* more pending arrays than slots: the oldest run; each still has its value */
    enum { MANY = 40 };
    wg_tensor *many[MANY];
    for (int k = 0; k < MANY; k++) many[k] = wg_binary_scalar(WG_OP_MUL, x, k, 0);
    for (int k = 0; k < MANY; k++)
        for (int i = 0; i < 15; i++) CHECK(at(many[k], i) == at(x, i) * k);
    for (int k = 0; k < MANY; k++) wg_release(many[k]);

    /* a chain longer than one program, and one with more inputs than a program holds */
    wg_tensor *acc = wg_retain(x);
    double expect[15];
    for (int i = 0; i < 15; i++) expect[i] = at(x, i);
    for (int k = 0; k < 30; k++) {
        wg_tensor *next = wg_binary_scalar(k % 2 ? WG_OP_MUL : WG_OP_ADD, acc, 0.5 + k, 0);
        for (int i = 0; i < 15; i++) expect[i] = k % 2 ? expect[i] * (0.5 + k) : expect[i] + (0.5 + k);
        wg_release(acc);
        acc = next;
    }
    for (int i = 0; i < 15; i++) CHECK(at(acc, i) == expect[i]);
    wg_release(acc);
    wg_tensor *ins[7], *sum = wg_retain(x);
    for (int k = 0; k < 7; k++) {
        ins[k] = filled(WG_F64, 2, shape, -1, 1);
        wg_tensor *next = wg_binary(WG_OP_ADD, sum, ins[k]);
        wg_release(sum);
        sum = next;
    }
    for (int i = 0; i < 15; i++) {
        double e = at(x, i);
        for (int k = 0; k < 7; k++) e += at(ins[k], i);
        CHECK(at(sum, i) == e);
    }
    wg_release(sum);
    for (int k = 0; k < 7; k++) wg_release(ins[k]);

    /* A pending array that the core holds too (here a variable's gradient, tanh's rule
       (1 - t^2) g waiting on t) is computed into its own data as the host reads it out: read in
       order to the end, it is no longer pending, and freeing t, its program's input, leaves its
       value as read. Read out of order, it stays pending until its data is needed. */
    for (int in_order = 1; in_order >= 0; in_order--) {
        enum { N = 2 * WG_READ_BLOCK + 1000 };
        static float got[N];
        int32_t n1[1] = { N };
        wg_tensor *v = filled(WG_F32, 1, n1, -2, 2);
        CHECK(wg_attach_grad(v, WG_GRAD_WRITE) == 0);
        wg_set_recording(1);
        wg_tensor *t = wg_unary(WG_OP_TANH, v), *st = wg_reduce(WG_OP_SUM, t, -1, NULL, 0);
        wg_set_recording(0);
        CHECK(wg_backward(1, &st, NULL, 0, -1) == 0);
        wg_tensor *g = wg_grad_of(v);
        CHECK(g && wg_tensor_deferred(g));
        const int32_t firsts[3] = { 0, WG_READ_BLOCK, 2 * WG_READ_BLOCK };
        for (int b = 0; b < 3; b++) {
            int32_t first = firsts[in_order ? b : 2 - b], count = first + WG_READ_BLOCK <= N ? WG_READ_BLOCK : N - first;
            const void *block = wg_tensor_read_block(g, first, count);
            CHECK(block != NULL);
            if (block) memcpy(got + first, block, (size_t)count * sizeof(float));
            CHECK(wg_tensor_deferred(g) == !(in_order && b == 2));
        }
        float tv[N];
        memcpy(tv, wg_tensor_data(t), sizeof tv);
        wg_release(st);
        wg_release(t);
        const float *gd = wg_tensor_data(g);
        for (int32_t i = 0; i < N; i++) {
            CHECK(gd[i] == got[i]);
            CHECK(got[i] == (1.0f - tv[i] * tv[i]) * 1.0f); /* _tanhGrad's formula, in float */
        }
        wg_release(g);
        wg_release(v);
    }

    /* A gradient taken with createGraph that is still a pending program stays one: the
       returned array copies the program (a view of it, as op_connect makes otherwise, would
       compute it), its sum reads that program, and the values and the next order are right. */
    {
        int32_t n1[1] = { 3000 };
        wg_tensor *v = filled(WG_F64, 1, n1, -2, 2), *g = NULL;
        CHECK(wg_attach_grad(v, WG_GRAD_WRITE) == 0);
        wg_set_recording(1);
        wg_tensor *t = wg_unary(WG_OP_TANH, v), *st = wg_reduce(WG_OP_SUM, t, -1, NULL, 0);
        CHECK(wg_grad(1, &st, NULL, 1, &v, &g, 1, 1, -1, 0) == 0);
        CHECK(g && wg_tensor_deferred(g));
        wg_tensor *sg = wg_reduce(WG_OP_SUM, g, -1, NULL, 0);
        CHECK(wg_tensor_deferred(g));
        wg_set_recording(0);
        CHECK(wg_backward(1, &sg, NULL, 0, -1) == 0);
        wg_tensor *g2 = wg_grad_of(v);
        double want_sum = 0;
        for (int32_t i = 0; i < n1[0]; i++) {
            double tt = tanh(at(v, i)), d1 = 1 - tt * tt;
            want_sum += d1;
            CHECK_NEAR(at(g, i), d1, 4e-16);
            CHECK_NEAR(at(g2, i), -2 * tt * d1, 4e-16);
        }
        CHECK_NEAR(at(sg, 0), want_sum, 1e-12);
        wg_release(g2); wg_release(sg); wg_release(g); wg_release(st); wg_release(t); wg_release(v);
    }

    /* The second derivative of gelu(x) = x (1 + erf(x / sqrt 2)) / 2 by grad with createGraph,
       then backward: the gradient terms wait on temporaries of the graph, which free_graph
       releases as a batch (wg_unref_batch). With fusion on and off: the same bits, and once
       the graph is freed the same live bytes (nothing held longer than eager code holds it). */
    {
        enum { N = 5000 };
        static double got[2][N];
        int32_t n1[1] = { N };
        wg_tensor *v = filled(WG_F64, 1, n1, -3, 3);
        double bytes[2] = { 0, 0 };
        CHECK(wg_attach_grad(v, WG_GRAD_WRITE) == 0);
        for (int on = 0; on < 2; on++) {
            double before = live_bytes();
            wg_set_fusion(on);
            wg_set_recording(1);
            wg_tensor *u = wg_binary_scalar(WG_OP_MUL, v, 0.70710678118654752440, 0), *e = wg_unary(WG_OP_ERF, u);
            wg_tensor *e1 = wg_binary_scalar(WG_OP_ADD, e, 1, 0), *xe = wg_binary(WG_OP_MUL, v, e1);
            wg_tensor *y = wg_binary_scalar(WG_OP_MUL, xe, 0.5, 0), *sy = wg_reduce(WG_OP_SUM, y, -1, NULL, 0), *g;
            CHECK(wg_grad(1, &sy, NULL, 1, &v, &g, 1, 1, -1, 0) == 0);
            wg_tensor *sg = wg_reduce(WG_OP_SUM, g, -1, NULL, 0);
            wg_set_recording(0);
            CHECK(wg_backward(1, &sg, NULL, 0, -1) == 0);
            bytes[on] = live_bytes() - before;
            wg_tensor *grad = wg_grad_of(v);
            memcpy(got[on], wg_tensor_data(grad), sizeof got[on]);
            wg_release(grad); wg_release(sg); wg_release(g); wg_release(sy); wg_release(y); wg_release(xe);
            wg_release(e1); wg_release(e); wg_release(u);
        }
        wg_set_fusion(1);
        CHECK(bytes[0] == bytes[1]);
        CHECK(memcmp(got[0], got[1], sizeof got[0]) == 0);
        for (int32_t i = 0; i < N; i++) { /* gelu'' = (2 - x^2) phi(x), phi the normal density */
            double x = at(v, i), phi = exp(-x * x / 2) / sqrt(2 * 3.14159265358979323846);
            CHECK_NEAR(got[1][i], (2 - x * x) * phi, 1e-14);
        }
        wg_release(v);
    }

    /* a shape error in the middle of a chain: reported by that operator, the rest intact */
    int32_t bad[1] = { 4 };
    wg_tensor *w = filled(WG_F64, 1, bad, -1, 1), *xy = wg_binary(WG_OP_ADD, x, y);
    CHECK(wg_binary(WG_OP_MUL, xy, w) == NULL && wg_status() == WG_SHAPE_MISMATCH);
    for (int i = 0; i < 15; i++) CHECK(at(xy, i) == at(x, i) + at(y, i));
    wg_release(xy); wg_release(w);

    wg_release(x); wg_release(y);
    CHECK(live_bytes() == 0);
    return check_summary("test_fusion");
}

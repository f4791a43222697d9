/* trace_fusion.c: the passes over memory that a derivative of a composition makes, printed by a
 * native build of the core with -DWG_TRACE_FUSION (see src/fusion.c). Built and run by
 * scripts/trace-fusion.sh:
 *
 *   bash scripts/trace-fusion.sh gelu 3         GELU''' of 1M float32, one line per pass
 *
 * It does what the benchmark's unary cases do through the C API: record f(x), take order - 1
 * gradients of sums with createGraph, backward the last sum, read x's gradient out block by
 * block, release everything newest first (as nd.tidy does). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasmgrad.h"

static wg_tensor *held[4096];
static int nheld;
static wg_tensor *hold(wg_tensor *t) {
    if (!t || nheld == 4096) { fprintf(stderr, "trace_fusion: %s\n", t ? "too many arrays" : wg_message()); exit(1); }
    return held[nheld++] = t;
}
static wg_tensor *un(int op, wg_tensor *x) { return hold(wg_unary(op, x)); }
static wg_tensor *bin(int op, wg_tensor *a, wg_tensor *b) { return hold(wg_binary(op, a, b)); }
static wg_tensor *scal(int op, wg_tensor *a, double s) { return hold(wg_binary_scalar(op, a, s, 0)); }

static wg_tensor *composition(const char *name, wg_tensor *x) {
    if (!strcmp(name, "tanh")) return un(WG_OP_TANH, x);
    if (!strcmp(name, "sin")) return un(WG_OP_SIN, x);
    if (!strcmp(name, "silu")) return bin(WG_OP_MUL, x, un(WG_OP_SIGMOID, x));
    if (!strcmp(name, "gelu")) /* x (1 + erf(x / sqrt 2)) / 2 */
        return bin(WG_OP_MUL, scal(WG_OP_MUL, x, 0.5), scal(WG_OP_ADD, un(WG_OP_ERF, scal(WG_OP_MUL, x, M_SQRT1_2)), 1));
    if (!strcmp(name, "gelu-tanh")) { /* x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) / 2 */
        wg_tensor *cube = scal(WG_OP_MUL, bin(WG_OP_MUL, bin(WG_OP_MUL, x, x), x), 0.044715);
        wg_tensor *t = un(WG_OP_TANH, scal(WG_OP_MUL, bin(WG_OP_ADD, x, cube), 0.7978845608028654));
        return bin(WG_OP_MUL, scal(WG_OP_MUL, x, 0.5), scal(WG_OP_ADD, t, 1));
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *name = argc > 1 ? argv[1] : "gelu";
    int order = argc > 2 ? atoi(argv[2]) : 2;
    int32_t n = argc > 3 ? atoi(argv[3]) : 1 << 20;
    wg_tensor *x = wg_random_uniform(-2, 2, WG_F32, 1, &n);
    if (!x || order < 1 || wg_attach_grad(x, WG_GRAD_WRITE) != 0) {
        fprintf(stderr, "usage: trace_fusion tanh|sin|silu|gelu|gelu-tanh ORDER>=1 [N]\n");
        return 2;
    }
    fprintf(stderr, "record\n");
    wg_set_recording(1);
    wg_tensor *y = composition(name, x);
    if (!y) { fprintf(stderr, "unknown composition %s\n", name); return 2; }
    for (int k = 1; k < order; k++) {
        wg_tensor *s = hold(wg_reduce(WG_OP_SUM, y, -1, NULL, 0)), *g = NULL;
        fprintf(stderr, "grad, order %d\n", k);
        if (wg_grad(1, &s, NULL, 1, &x, &g, 1, 1, -1, 0) != 0) { fprintf(stderr, "%s\n", wg_message()); return 1; }
        y = hold(g);
    }
    wg_tensor *h = hold(wg_reduce(WG_OP_SUM, y, -1, NULL, 0));
    wg_set_recording(0);
    fprintf(stderr, "backward\n");
    if (wg_backward(1, &h, NULL, 0, -1) != 0) { fprintf(stderr, "%s\n", wg_message()); return 1; }
    fprintf(stderr, "read x.grad\n");
    wg_tensor *gx = hold(wg_grad_of(x));
    for (int32_t first = 0; first < n; first += WG_READ_BLOCK)
        if (!wg_tensor_read_block(gx, first, n - first < WG_READ_BLOCK ? n - first : WG_READ_BLOCK)) return 1;
    fprintf(stderr, "release, newest first\n");
    while (nheld) wg_release(held[--nheld]);
    wg_release(x);
    return 0;
}

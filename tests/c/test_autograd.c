/* The engine end to end from C: orders 1-3 against analytic derivatives, errors, memory. */
#include "check.h"

/* d^k/dx^k of sum(f(x)) elementwise, by nesting grad with create_graph */
static wg_tensor *nth_derivative(int op, wg_tensor *x, int order) {
    wg_set_recording(1);
    wg_tensor *y = wg_unary(op, x);
    wg_tensor *cur = y;
    for (int k = 0; k < order; k++) {
        wg_tensor *g = NULL;
        int st = wg_grad(1, &cur, NULL, 1, &x, &g, 1, 1, -1, 0);
        CHECK(st == WG_OK);
        if (cur != y) wg_release(cur);
        cur = g;
    }
    wg_set_recording(0);
    wg_release(y);
    return cur;
}

static void test_cube(void) {
    /* DESIGN.md's defining test: d/dx and d2/dx2 of x^3 at x = 2 give 12 and 12 */
    double v = 2;
    wg_tensor *x = vec(WG_F64, 1, &v);
    CHECK(wg_attach_grad(x, WG_GRAD_WRITE) == WG_OK);
    wg_set_recording(1);
    wg_tensor *y = wg_binary_scalar(WG_OP_POW, x, 3, 0);
    wg_tensor *g1 = NULL, *g2 = NULL;
    CHECK(wg_grad(1, &y, NULL, 1, &x, &g1, 1, 1, -1, 0) == WG_OK);
    CHECK(wg_grad(1, &g1, NULL, 1, &x, &g2, 1, 1, -1, 0) == WG_OK);
    wg_set_recording(0);
    CHECK_NEAR(at(g1, 0), 12, 1e-15);
    CHECK_NEAR(at(g2, 0), 12, 1e-15);
    wg_release(g2); wg_release(g1); wg_release(y); wg_release(x);
}

static void test_sin_tanh_orders(int dtype, double tol) {
    double v[4] = { -1.5, -0.3, 0.4, 2.0 };
    wg_tensor *x = vec(dtype, 4, v);
    wg_attach_grad(x, WG_GRAD_WRITE);
    for (int order = 1; order <= 3; order++) {
        wg_tensor *ds = nth_derivative(WG_OP_SIN, x, order);
        wg_tensor *dt = nth_derivative(WG_OP_TANH, x, order);
        for (int i = 0; i < 4; i++) {
            double s = sin(v[i]), c = cos(v[i]), t = tanh(v[i]), u = 1 - t * t;
            double want_s = order == 1 ? c : order == 2 ? -s : -c;
            double want_t = order == 1 ? u : order == 2 ? -2 * t * u : -2 * u * (1 - 3 * t * t);
            CHECK_NEAR(at(ds, i), want_s, tol);
            CHECK_NEAR(at(dt, i), want_t, tol);
        }
        wg_release(ds); wg_release(dt);
    }
    wg_release(x);
}

static void test_constant_gradient_connects(void) {
    /* d/dx (2x) = 2, and with create_graph the next order is zeros, not an error */
    double v[2] = { 1, 5 };
    wg_tensor *x = vec(WG_F32, 2, v);
    wg_attach_grad(x, WG_GRAD_WRITE);
    wg_set_recording(1);
    wg_tensor *y = wg_binary_scalar(WG_OP_MUL, x, 2, 0);
    wg_set_recording(0);
    wg_tensor *g1 = NULL, *g2 = NULL;
    CHECK(wg_grad(1, &y, NULL, 1, &x, &g1, 0, 1, -1, 0) == WG_OK);
    CHECK(wg_grad(1, &g1, NULL, 1, &x, &g2, 0, 1, -1, 0) == WG_OK);
    CHECK(at(g1, 0) == 2 && at(g1, 1) == 2);
    CHECK(at(g2, 0) == 0 && at(g2, 1) == 0);
    wg_release(g2); wg_release(g1); wg_release(y); wg_release(x);
}

static void test_graph_freed_and_not_recorded(void) {
    double v[2] = { 0.5, 1 };
    wg_tensor *x = vec(WG_F64, 2, v);
    wg_attach_grad(x, WG_GRAD_WRITE);
    wg_set_recording(1);
    wg_tensor *y = wg_unary(WG_OP_EXP, x);
    wg_set_recording(0);
    CHECK(wg_backward(1, &y, NULL, 0, -1) == WG_OK);
    wg_tensor *g = wg_grad_of(x);
    CHECK_NEAR(at(g, 1), exp(1.0), 1e-15);
    CHECK(wg_backward(1, &y, NULL, 0, -1) == WG_GRAPH_FREED);
    wg_tensor *z = wg_unary(WG_OP_EXP, x); /* not recording */
    CHECK(wg_backward(1, &z, NULL, 0, -1) == WG_NOT_RECORDED);
    wg_release(z); wg_release(g); wg_release(y); wg_release(x);
}

static void test_broadcast_and_matmul(void) {
    /* z = sum((a @ b) * c) with c [3] broadcast over [2,3]; dc = column sums of a @ b */
    double av[4] = { 1, 2, 3, 4 }, bv[6] = { 1, 0, 2, -1, 3, 1 }, cv[3] = { 0.5, -1, 2 };
    int32_t s22[2] = { 2, 2 }, s23[2] = { 2, 3 };
    wg_tensor *a0 = vec(WG_F64, 4, av), *b0 = vec(WG_F64, 6, bv);
    wg_tensor *a = wg_reshape(a0, 2, s22), *b = wg_reshape(b0, 2, s23), *c = vec(WG_F64, 3, cv);
    wg_attach_grad(a, WG_GRAD_WRITE); wg_attach_grad(b, WG_GRAD_WRITE); wg_attach_grad(c, WG_GRAD_WRITE);
    wg_set_recording(1);
    wg_tensor *m = wg_matmul(a, b), *p = wg_binary(WG_OP_MUL, m, c), *z = wg_reduce(WG_OP_SUM, p, -1, NULL, 0);
    wg_set_recording(0);
    CHECK(wg_backward(1, &z, NULL, 0, -1) == WG_OK);
    wg_tensor *gc = wg_grad_of(c), *ga = wg_grad_of(a);
    /* a@b = [[1*1+2*-1, 1*0+2*3, 1*2+2*1], [3-4, 12, 6+4]] = [[-1,6,4],[-1,12,10]] */
    CHECK_NEAR(at(gc, 0), -2, 1e-15); CHECK_NEAR(at(gc, 1), 18, 1e-15); CHECK_NEAR(at(gc, 2), 14, 1e-15);
    /* da = c_row @ b^T: da[i][k] = sum_j c[j] b[k][j] -> [0.5*1 + -1*0 + 2*2, 0.5*-1 + -1*3 + 2*1] */
    CHECK_NEAR(at(ga, 0), 4.5, 1e-15); CHECK_NEAR(at(ga, 1), -1.5, 1e-15);
    CHECK_NEAR(at(ga, 2), 4.5, 1e-15); CHECK_NEAR(at(ga, 3), -1.5, 1e-15);
    wg_release(ga); wg_release(gc); wg_release(z); wg_release(p); wg_release(m);
    wg_release(c); wg_release(b); wg_release(a); wg_release(b0); wg_release(a0);
}

/* Default head gradients and sum's gradient stay unexpanded ("lazy") inside the engine:
 * broadcast axes they only imply must still be counted when summed away. */
static void test_lazy_gradients_count_broadcast_axes(void) {
    double xv[6] = { 1, 2, 3, 4, 5, 6 }, zv[3] = { 0.5, -1, 2 };
    int32_t s23[2] = { 2, 3 };
    wg_tensor *x0 = vec(WG_F64, 6, xv), *x = wg_reshape(x0, 2, s23), *z = vec(WG_F64, 3, zv);
    wg_attach_grad(x, WG_GRAD_WRITE);
    wg_attach_grad(z, WG_GRAD_WRITE);
    wg_set_recording(1);
    wg_tensor *y = wg_binary(WG_OP_ADD, x, z); /* [2,3], head gradient ones */
    int32_t axis0 = 0;
    wg_tensor *p = wg_binary(WG_OP_MUL, x, z), *q = wg_reduce(WG_OP_SUM, p, 1, &axis0, 0); /* [3] */
    wg_set_recording(0);
    CHECK(wg_backward(1, &y, NULL, 0, -1) == WG_OK);
    wg_tensor *gx = wg_grad_of(x), *gz = wg_grad_of(z);
    for (int i = 0; i < 6; i++) CHECK(at(gx, i) == 1);
    for (int j = 0; j < 3; j++) CHECK(at(gz, j) == 2); /* z is added to both rows */
    wg_release(gx); wg_release(gz);
    CHECK(wg_backward(1, &q, NULL, 0, -1) == WG_OK);
    gx = wg_grad_of(x); gz = wg_grad_of(z);
    for (int j = 0; j < 3; j++) {
        CHECK(at(gz, j) == xv[j] + xv[3 + j]);          /* d/dz_j sum_i x_ij z_j */
        CHECK(at(gx, j) == zv[j] && at(gx, 3 + j) == zv[j]);
    }
    wg_release(gx); wg_release(gz); wg_release(q); wg_release(p); wg_release(y);
    wg_release(z); wg_release(x); wg_release(x0);
}

static void test_errors_keep_working(void) {
    double v[3] = { 1, 2, 3 };
    wg_tensor *a = vec(WG_F32, 3, v);
    int32_t s4[1] = { 4 };
    wg_tensor *b = wg_full(WG_F32, 1, s4, 1);
    CHECK(wg_binary(WG_OP_ADD, a, b) == NULL);
    CHECK(wg_status() == WG_SHAPE_MISMATCH);
    printf("  message: %s\n", wg_message());
    int32_t ax[1] = { 3 };
    CHECK(wg_reduce(WG_OP_SUM, a, 1, ax, 0) == NULL && wg_status() == WG_INVALID_ARGUMENT);
    printf("  message: %s\n", wg_message());
    wg_tensor *ok = wg_binary(WG_OP_ADD, a, a);
    CHECK(ok && wg_status() == WG_OK && at(ok, 2) == 6);
    wg_release(ok); wg_release(b); wg_release(a);
}

static void test_expensive_results_shared(void) {
    /* the same expensive operator on the same live array shares the first result's data; each
       call still returns an array of its own, recorded (or not) as that call asks */
    double v[3] = { -0.7, 0.2, 1.9 }, w[3] = { 3.0, -2.5, 0.5 };
    wg_tensor *x = vec(WG_F64, 3, v);
    wg_tensor *a = wg_unary(WG_OP_SIN, x), *b = wg_unary(WG_OP_SIN, x), *c = wg_unary(WG_OP_COS, x);
    CHECK(a != b && wg_tensor_data(a) == wg_tensor_data(b) && wg_tensor_data(c) != wg_tensor_data(a));
    for (int i = 0; i < 3; i++) {
        CHECK_NEAR(at(b, i), sin(v[i]), 4e-16);
        CHECK_NEAR(at(c, i), cos(v[i]), 1e-16);
    }
    /* recorded when the call is: the gradient of sum(sin x) is cos x, and a is still not recorded */
    CHECK(wg_attach_grad(x, WG_GRAD_WRITE) == WG_OK);
    wg_set_recording(1);
    wg_tensor *r = wg_unary(WG_OP_SIN, x), *s = wg_reduce(WG_OP_SUM, r, -1, NULL, 0);
    wg_set_recording(0);
    CHECK(wg_is_recorded(r) && !wg_is_recorded(a) && wg_tensor_data(r) == wg_tensor_data(a));
    CHECK(wg_backward(1, &s, NULL, 0, -1) == WG_OK);
    wg_tensor *g = wg_grad_of(x);
    for (int i = 0; i < 3; i++) CHECK_NEAR(at(g, i), cos(v[i]), 1e-16);
    wg_release(g); wg_release(s); wg_release(r);
    /* the first result freed: b keeps its data, and a new sin computes afresh */
    wg_release(a);
    for (int i = 0; i < 3; i++) CHECK_NEAR(at(b, i), sin(v[i]), 4e-16);
    wg_release(b);
    wg_tensor *d = wg_unary(WG_OP_SIN, x);
    for (int i = 0; i < 3; i++) CHECK_NEAR(at(d, i), sin(v[i]), 4e-16);
    /* the input freed while its result lives: an array made next, maybe at the same address,
       is never taken for it */
    wg_release(x);
    for (int k = 0; k < 4; k++) {
        wg_tensor *y = vec(WG_F64, 3, w), *e = wg_unary(WG_OP_SIN, y);
        for (int i = 0; i < 3; i++) CHECK_NEAR(at(e, i), sin(w[i]), 4e-16);
        wg_release(e); wg_release(y);
    }
    wg_release(d); wg_release(c);

    /* two pending inputs with the same program over the same array (as erf's rule builds
       exp(-u^2) each time it runs) share too; another constant or another array does not */
    wg_tensor *u = vec(WG_F64, 3, v), *u2 = vec(WG_F64, 3, v), *sq[3], *p[4];
    for (int k = 0; k < 3; k++) {
        sq[k] = wg_unary(WG_OP_SQUARE, k < 2 ? u : u2);
        p[k == 2 ? 3 : k] = wg_unary(WG_OP_NEG, sq[k]); /* -u^2 twice, then -u2^2 */
        wg_release(sq[k]); /* as a rule's temporary goes: the program holds what it reads */
    }
    p[2] = wg_binary_scalar(WG_OP_MUL, u, -2, 0);
    wg_tensor *p1 = p[0], *p2 = p[1], *p3 = p[2], *p4 = p[3];
    CHECK(wg_tensor_deferred(p1) && wg_tensor_deferred(p2) && wg_tensor_deferred(p3) && wg_tensor_deferred(p4));
    wg_tensor *e1 = wg_unary(WG_OP_EXP, p1), *e2 = wg_unary(WG_OP_EXP, p2), *e3 = wg_unary(WG_OP_EXP, p3),
              *e4 = wg_unary(WG_OP_EXP, p4);
    CHECK(wg_tensor_data(e1) == wg_tensor_data(e2));
    CHECK(wg_tensor_data(e3) != wg_tensor_data(e1) && wg_tensor_data(e4) != wg_tensor_data(e1));
    for (int i = 0; i < 3; i++) {
        CHECK_NEAR(at(e2, i), exp(-v[i] * v[i]), 4e-16);
        CHECK_NEAR(at(e3, i), exp(-2 * v[i]), 4e-16);
        CHECK_NEAR(at(e4, i), exp(-v[i] * v[i]), 4e-16);
    }
    wg_release(e4); wg_release(e3); wg_release(e2); wg_release(e1);
    wg_release(p4); wg_release(p3); wg_release(p2); wg_release(p1); wg_release(u2); wg_release(u);
}

static void test_grad_cycle_through_head_gradient(void) {
    /* x.grad's backward with x itself as the head gradient: g.grad must not be x, whose .grad
       is g (a cycle that would never be freed; found by fuzzing) */
    double before[4], after[4];
    wg_memory_stats(before);
    wg_tensor *x = wg_full(WG_F64, 0, NULL, 2.0);
    CHECK(wg_attach_grad(x, WG_GRAD_WRITE) == WG_OK);
    wg_tensor *g = wg_grad_of(x);
    CHECK(g && wg_attach_grad(g, WG_GRAD_WRITE) == WG_OK);
    CHECK(wg_backward(1, &g, &x, 0, -1) == WG_OK);
    wg_tensor *gg = wg_grad_of(g);
    CHECK(gg && gg != x && at(gg, 0) == 2.0); /* d g / d g times the head gradient x = 2 */
    wg_release(gg); wg_release(g); wg_release(x);
    wg_memory_stats(after);
    CHECK(after[3] == before[3]);
}

static void test_memory_returns_to_baseline(void) {
    double before[4], after[4];
    wg_memory_stats(before);
    for (int it = 0; it < 100; it++) test_sin_tanh_orders(WG_F32, 1e-4);
    wg_memory_stats(after);
    CHECK(before[0] == after[0]);
    CHECK(before[3] == after[3]);
}

static void test_long_chain(void) {
    /* a chain of 200,000 recorded ops must not overflow the stack, in backward or in freeing */
    double v = 0.5;
    wg_tensor *x = vec(WG_F64, 1, &v);
    wg_attach_grad(x, WG_GRAD_WRITE);
    wg_set_recording(1);
    wg_tensor *cur = wg_retain(x);
    for (int i = 0; i < 200000; i++) {
        wg_tensor *next = wg_binary_scalar(WG_OP_ADD, cur, 1e-6, 0);
        wg_release(cur);
        cur = next;
    }
    wg_set_recording(0);
    CHECK(wg_backward(1, &cur, NULL, 0, -1) == WG_OK);
    wg_tensor *g = wg_grad_of(x);
    CHECK_NEAR(at(g, 0), 1, 0);
    wg_release(g); wg_release(cur); wg_release(x);
}

int main(void) {
    test_cube();
    test_sin_tanh_orders(WG_F64, 1e-14);
    test_sin_tanh_orders(WG_F32, 2e-6);
    test_constant_gradient_connects();
    test_graph_freed_and_not_recorded();
    test_broadcast_and_matmul();
    test_lazy_gradients_count_broadcast_axes();
    test_errors_keep_working();
    test_expensive_results_shared();
    test_grad_cycle_through_head_gradient();
    test_memory_returns_to_baseline();
    test_long_chain();
    return check_summary("test_autograd");
}

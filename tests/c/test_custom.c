/* Custom functions through the host interface, with this test as the host: the custom
 * square's backward (2 x g) is written with API operators, so it differentiates again;
 * function 2 refuses to be differentiated twice (once-differentiable). */
#include "check.h"

static int released[8];

int wg_host_vjp(int32_t fn, wg_tensor *g, int nin, wg_tensor *const *inputs, const int32_t *needs, wg_tensor **gin) {
    (void)nin;
    if (fn == 2 && wg_is_recording()) {
        wg_set_error(WG_NOT_DIFFERENTIABLE, "square_once: its backward is not differentiable");
        return WG_NOT_DIFFERENTIABLE;
    }
    if (needs[0]) {
        wg_tensor *two_x = wg_binary_scalar(WG_OP_MUL, inputs[0], 2, 0);
        gin[0] = wg_binary(WG_OP_MUL, g, two_x);
        wg_release(two_x);
    }
    return WG_OK;
}

void wg_host_release(int32_t fn) { released[fn]++; }

static wg_tensor *custom_square(int32_t fn, wg_tensor *x) {
    int was = wg_set_recording(0);
    wg_tensor *y = wg_unary(WG_OP_SQUARE, x);
    wg_set_recording(was);
    wg_tensor *r = wg_custom(fn, 1, &x, y);
    wg_release(y);
    return r;
}

int main(void) {
    double v[2] = { 1.5, -2 };
    wg_tensor *x = vec(WG_F64, 2, v);
    wg_attach_grad(x, WG_GRAD_WRITE);
    wg_set_recording(1);
    /* sum(custom_square(x)^2) = sum(x^4): first derivative 4x^3, second 12x^2 */
    wg_tensor *y = custom_square(1, x), *y2 = wg_unary(WG_OP_SQUARE, y), *s = wg_reduce(WG_OP_SUM, y2, -1, NULL, 0);
    wg_tensor *g1 = NULL, *g2 = NULL;
    CHECK(wg_grad(1, &s, NULL, 1, &x, &g1, 1, 1, -1, 0) == WG_OK);
    wg_tensor *gs = wg_reduce(WG_OP_SUM, g1, -1, NULL, 0);
    CHECK(wg_grad(1, &gs, NULL, 1, &x, &g2, 1, 1, -1, 0) == WG_OK);
    for (int i = 0; i < 2; i++) {
        CHECK_NEAR(at(g1, i), 4 * pow(v[i], 3), 1e-15);
        CHECK_NEAR(at(g2, i), 12 * v[i] * v[i], 1e-15);
    }
    wg_release(g2); wg_release(gs); wg_release(g1); wg_release(s); wg_release(y2); wg_release(y);
    CHECK(released[1] == 1); /* its node died with the last array that needed it */

    /* once-differentiable: first order fine, second order NOT_DIFFERENTIABLE */
    wg_tensor *z = custom_square(2, x), *zs = wg_reduce(WG_OP_SUM, z, -1, NULL, 0);
    CHECK(wg_grad(1, &zs, NULL, 1, &x, &g1, 1, 0, -1, 0) == WG_OK);
    CHECK_NEAR(at(g1, 0), 3, 1e-15);
    wg_release(g1);
    CHECK(wg_grad(1, &zs, NULL, 1, &x, &g1, 1, 1, -1, 0) == WG_NOT_DIFFERENTIABLE);
    printf("  message: %s\n", wg_message());
    wg_release(zs); wg_release(z);

    /* attachGrad cuts a custom output from its graph: the host may forget its function */
    wg_tensor *w = custom_square(4, x);
    CHECK(released[4] == 0);
    wg_attach_grad(w, WG_GRAD_WRITE);
    CHECK(released[4] == 1);
    wg_release(w);

    /* not recording: the host may forget the function at once */
    wg_set_recording(0);
    wg_tensor *u = custom_square(3, x);
    CHECK(released[3] == 1 && !wg_is_recorded(u));
    wg_release(u);
    wg_release(x);
    return check_summary("test_custom");
}

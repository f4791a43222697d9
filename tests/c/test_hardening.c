/* Regression tests for what fuzzing the C API found (tests/fuzz/fuzz_api.c). Each test
 * names the finding; every one ends with all memory returned. */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "check.h"

static void check_all_freed(const char *what) {
    double st[4];
    wg_memory_stats(st);
    if (st[0] != 0 || st[3] != 0) fprintf(stderr, "%s: %g handles, %g bytes still live\n", what, st[0], st[3]);
    CHECK(st[0] == 0 && st[3] == 0);
}

static int32_t i32_at(wg_tensor *t, int i) { return ((int32_t *)wg_tensor_data(t))[i]; }

/* nd.eye(2^29-1, { m: 0 }) walked half a billion empty rows (seconds in wasm) */
static void test_empty_eye_is_fast(void) {
    clock_t t0 = clock();
    wg_tensor *e = wg_eye((1 << 29) - 1, 0, 0, WG_F32);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(e != NULL && wg_tensor_size(e) == 0);
    CHECK(secs < 0.2);
    wg_release(e);
}

/* a float -> int32 store of NaN or an out-of-range value was undefined behaviour (UBSan);
 * it now saturates like astype: NaN -> 0, beyond the range -> INT32_MIN / INT32_MAX */
static void test_int32_stores_saturate(void) {
    const double v[] = { NAN, INFINITY, -INFINITY, 3e9, -3e9, 2.7, -2.7 };
    const int32_t want[] = { 0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 2, -2 };
    int32_t one = 1;
    for (int i = 0; i < 7; i++) {
        wg_tensor *t = wg_full(WG_I32, 1, &one, v[i]);
        CHECK(t && i32_at(t, 0) == want[i]);
        wg_release(t);
    }
    wg_tensor *l = wg_linspace(0, 1e30, 3, 1, WG_I32);
    CHECK(l && i32_at(l, 0) == 0 && i32_at(l, 1) == INT32_MAX && i32_at(l, 2) == INT32_MAX);
    wg_release(l);
    /* the same values through astype agree */
    double d[2] = { NAN, -INFINITY };
    wg_tensor *x = vec(WG_F64, 2, d), *c = wg_astype(x, WG_I32);
    CHECK(c && i32_at(c, 0) == 0 && i32_at(c, 1) == INT32_MIN);
    wg_release(c);
    wg_release(x);
}

/* an empty array of shape [0, 2^31-1, 2] overflowed int32 strides and loop sizes (UBSan):
 * shapes whose non-zero sizes need more than 2^31 bytes are refused, empty or not */
static void test_huge_empty_shapes_refused(void) {
    int32_t huge[3] = { 0, INT32_MAX, 2 }, big_ok[3] = { 0, 1 << 20, 100 }, zero = 0;
    wg_tensor *t = wg_full(WG_F32, 3, huge, 0);
    CHECK(t == NULL && wg_status() == WG_OUT_OF_MEMORY);
    CHECK(strstr(wg_message(), "nd.full") && strstr(wg_message(), "empty array"));
    wg_tensor *e = wg_full(WG_F32, 1, &zero, 0);
    wg_tensor *r = wg_reshape(e, 3, huge);
    CHECK(r == NULL && wg_status() == WG_OUT_OF_MEMORY && strstr(wg_message(), "reshape"));
    /* an empty shape that fits still works, through reshape and a broadcasting op */
    wg_tensor *ok = wg_reshape(e, 3, big_ok);
    CHECK(ok && wg_tensor_size(ok) == 0 && wg_tensor_shape(ok)[1] == (1 << 20));
    wg_tensor *sum = wg_binary_scalar(WG_OP_ADD, ok, 1, 0), *red = wg_reduce(WG_OP_SUM, ok, -1, NULL, 0);
    CHECK(sum && wg_tensor_size(sum) == 0 && red && at(red, 0) == 0);
    wg_release(red); wg_release(sum); wg_release(ok); wg_release(e);
}

/* slice with step INT32_MIN negated it (UBSan): it is Python's x[::-2**31], one element */
static void test_slice_step_int32_min(void) {
    double v[5] = { 1, 2, 3, 4, 5 };
    wg_tensor *x = vec(WG_F64, 5, v);
    int32_t b = INT32_MAX, e = INT32_MAX, s = INT32_MIN;
    wg_tensor *y = wg_slice(x, 1, &b, &e, &s);
    CHECK(y && wg_tensor_size(y) == 1 && at(y, 0) == 5);
    b = 0;
    wg_tensor *z = wg_slice(x, 1, &b, &e, &s);
    CHECK(z && wg_tensor_size(z) == 1 && at(z, 0) == 1);
    wg_release(z); wg_release(y); wg_release(x);
}

/* backward with a head gradient that reaches a variable unchanged made .grad lead back to
 * the variable (x.grad = x, or a recorded array whose retained graph holds x): a reference
 * cycle, never freed */
static void test_grad_never_cycles(void) {
    double v[3] = { 1, -2, 3 };
    /* a variable as its own head and head gradient */
    wg_tensor *x = vec(WG_F64, 3, v);
    CHECK(wg_attach_grad(x, WG_GRAD_WRITE) == WG_OK);
    CHECK(wg_backward(1, &x, &x, 0, -1) == WG_OK);
    wg_tensor *g = wg_grad_of(x);
    CHECK(g && g != x && at(g, 2) == 3);
    wg_release(g); wg_release(x);
    check_all_freed("x.backward(x)");

    /* z = x + 1, z.backward(z, retainGraph): dz/dx = 1 passes z itself through to x.grad */
    x = vec(WG_F32, 3, v);
    wg_attach_grad(x, WG_GRAD_WRITE);
    wg_set_recording(1);
    wg_tensor *z = wg_binary_scalar(WG_OP_ADD, x, 1, 0);
    wg_set_recording(0);
    CHECK(wg_backward(1, &z, &z, 1, -1) == WG_OK);
    g = wg_grad_of(x);
    CHECK(g && at(g, 0) == 2 && at(g, 1) == -1 && !wg_is_recorded(g));
    wg_release(g); wg_release(z); wg_release(x);
    check_all_freed("z.backward(z, retainGraph)");
}

/* a host callback that fails with an empty (or NULL) message left a failure without one */
int wg_host_vjp(int32_t fn, wg_tensor *g, int nin, wg_tensor *const *inputs, const int32_t *needs, wg_tensor **gin) {
    (void)g; (void)nin; (void)inputs; (void)needs; (void)gin;
    wg_set_error(WG_NOT_DIFFERENTIABLE, fn == 1 ? "" : NULL);
    return WG_NOT_DIFFERENTIABLE;
}

static void test_host_error_without_message(void) {
    double v[2] = { 1, 2 };
    wg_tensor *x = vec(WG_F64, 2, v);
    wg_attach_grad(x, WG_GRAD_WRITE);
    for (int fn = 1; fn <= 2; fn++) {
        wg_set_recording(1);
        wg_tensor *y = wg_custom(fn, 1, &x, x);
        wg_set_recording(0);
        CHECK(wg_backward(1, &y, NULL, 0, -1) == WG_NOT_DIFFERENTIABLE);
        CHECK(wg_status() == WG_NOT_DIFFERENTIABLE && wg_message()[0] != 0);
        wg_release(y);
    }
    wg_release(x);
}

int main(void) {
    test_empty_eye_is_fast();
    test_int32_stores_saturate();
    test_huge_empty_shapes_refused();
    test_slice_step_int32_min();
    test_grad_never_cycles();
    test_host_error_without_message();
    check_all_freed("end");
    return check_summary("test_hardening");
}

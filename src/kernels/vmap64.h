/* vmap64.h: the loops that run a float64 kernel of f64x2 lanes over an array (vmath_f64.c,
 * vmath_f64_inv.c). Lanes outside a kernel's range are recomputed afterwards by a scalar
 * function (libm's, or one that sets the special values). */
#ifndef WG_KERNELS_VMAP64_H
#define WG_KERNELS_VMAP64_H

#include <string.h>
#include "../simd/vec64.h"

/* the lanes outside a kernel's range are recomputed one by one */
static inline f64x2 patch(f64x2 r, f64x2 v, i64x2 inside, double (*f)(double)) {
    for (int k = 0; k < 2; k++)
        if (!inside[k]) r[k] = f(v[k]);
    return r;
}

/* the pair at i of a run of n, the odd last value padded with 0 */
static inline f64x2 load_pair(const double *x, size_t i, size_t n) {
    f64x2 v = { x[i], 0 };
    if (i + 2 <= n) memcpy(&v, x + i, sizeof v);
    return v;
}
static inline void store_pair(double *y, size_t i, size_t n, f64x2 r) {
    if (i + 2 <= n) memcpy(y + i, &r, sizeof r);
    else y[i] = r[0];
}

/* Runs vf over n doubles two at a time. The padded last pair goes through the same loop body,
 * so that a value's result does not depend on where it is in the array (fused kernels run
 * blocks of any length), and the module holds one copy of the inlined kernel, not two (6.5 KB
 * less raw, 0.2 KB gzip; sin 5% slower). vmath_f32.c's DEFINE_VMAP, for two lanes. */
#define VMAP64_LOOP(vf, range, scalar) \
    for (size_t i = 0; i < n; i += 2) { \
        f64x2 v = load_pair(x, i, n), r = vf(v); \
        i64x2 inside = range(v); \
        if (!(inside[0] & inside[1])) r = patch(r, v, inside, scalar); \
        store_pair(y, i, n, r); \
    }
#define DEFINE_VMAP64(name, vf, range, scalar) \
    void wg_f64_##name(size_t n, const double *x, double *y) { VMAP64_LOOP(vf, range, scalar) }

/* The same for a function computed in two steps, second(x, first(x)), each in a loop of its own
 * over blocks of 128 doubles (vmath_f32.c's DEFINE_VMAP2: softplus 7.8 -> 6.1 ms per 1M) */
#define VMAP64_2_BLOCK 64 /* pairs */
#define DEFINE_VMAP64_2(name, first, second, range, scalar) \
    void wg_f64_##name(size_t n, const double *x, double *y) { \
        f64x2 mid[VMAP64_2_BLOCK]; \
        for (size_t start = 0; start < n; start += 2 * VMAP64_2_BLOCK) { \
            size_t end = n - start < 2 * VMAP64_2_BLOCK ? n : start + 2 * VMAP64_2_BLOCK; \
            for (size_t i = start, k = 0; i < end; i += 2, k++) mid[k] = first(load_pair(x, i, end)); \
            for (size_t i = start, k = 0; i < end; i += 2, k++) { \
                f64x2 v = load_pair(x, i, end), r = second(v, mid[k]); \
                i64x2 inside = range(v); \
                if (!(inside[0] & inside[1])) r = patch(r, v, inside, scalar); \
                store_pair(y, i, end, r); \
            } \
        } \
    }

#endif

/* create.c: constructors and the seeded random generator. */
#include <math.h>
#include <string.h>
#include "internal.h"

static T *exported(T *t) {
    if (t) t->ext_refs++;
    return t;
}

WG_API wg_tensor *wg_empty(int dtype, int ndim, const int32_t *shape) {
    wg_clear_error();
    return exported(wg_tensor_new(dtype, ndim, shape, "nd.array"));
}

WG_API wg_tensor *wg_full(int dtype, int ndim, const int32_t *shape, double value) {
    wg_clear_error();
    T *t = wg_tensor_new(dtype, ndim, shape, "nd.full");
    if (t) wg_fill(t, value);
    return exported(t);
}

static bool is_finite(double v) { return v - v == 0; }

WG_API wg_tensor *wg_arange(double start, double stop, double step, int dtype) {
    wg_clear_error();
    if (!is_finite(start) || !is_finite(stop) || !is_finite(step) || step == 0)
        return wg_fail(WG_INVALID_ARGUMENT, "nd.arange: start %g, stop %g and step %g must be finite with a non-zero "
                       "step", start, stop, step);
    double n = ceil((stop - start) / step);
    if (n < 0) n = 0;
    if (n > 2147483647.0)
        return wg_fail(WG_OUT_OF_MEMORY, "nd.arange: %g elements is more than an array can hold", n);
    int32_t shape[1] = { (int32_t)n };
    T *t = wg_tensor_new(dtype, 1, shape, "nd.arange");
    if (t) for (int32_t i = 0; i < t->size; i++) wg_set(t, i, start + i * step);
    return exported(t);
}

WG_API wg_tensor *wg_linspace(double start, double stop, int32_t num, int endpoint, int dtype) {
    wg_clear_error();
    if (!is_finite(start) || !is_finite(stop) || num < 0)
        return wg_fail(WG_INVALID_ARGUMENT, "nd.linspace: start %g and stop %g must be finite and num %d >= 0",
                       start, stop, num);
    int32_t shape[1] = { num };
    T *t = wg_tensor_new(dtype, 1, shape, "nd.linspace");
    if (!t) return NULL;
    double div = endpoint ? num - 1 : num;
    double step = div > 0 ? (stop - start) / div : 0;
    for (int32_t i = 0; i < num; i++) wg_set(t, i, start + i * step);
    if (endpoint && num > 1) wg_set(t, num - 1, stop);
    return exported(t);
}

WG_API wg_tensor *wg_eye(int32_t n, int32_t m, int32_t k, int dtype) {
    wg_clear_error();
    int32_t shape[2] = { n, m };
    T *t = wg_tensor_new(dtype, 2, shape, "nd.eye");
    if (!t) return NULL;
    memset(t->storage->data, 0, t->storage->bytes);
    /* an empty matrix has no diagonal: without this, eye(2^31-1, m = 0) looped for seconds */
    for (int32_t i = 0; t->size && i < n; i++) {
        int64_t j = (int64_t)i + k;
        if (j >= 0 && j < m) wg_set(t, i * m + (int32_t)j, 1);
    }
    return exported(t);
}

/* ---- random: xoshiro256** seeded through splitmix64 --------------------------------- */
static uint64_t g_rng[4] = { 0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull, 0x94d049bb133111ebull, 1 };
static bool g_has_spare;
static double g_spare;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(void) {
    uint64_t *s = g_rng, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

/* uniform in [0, 1) with 53 random bits */
static double next_unit(void) { return (double)(next_u64() >> 11) * 0x1.0p-53; }

WG_API void wg_random_seed(double seed) {
    uint64_t x = (uint64_t)(seed < 0 ? -seed : seed);
    for (int i = 0; i < 4; i++) g_rng[i] = splitmix64(&x);
    g_has_spare = false;
}

static T *random_tensor(const char *who, int dtype, int ndim, const int32_t *shape) {
    if (!wg_is_float(dtype))
        return wg_fail(WG_DTYPE_MISMATCH, "%s: random arrays are float32 or float64, not %D; pass dtype 'float32' or "
                       "'float64' (and astype('int32') the result if needed)", who, dtype);
    return wg_tensor_new(dtype, ndim, shape, who);
}

WG_API wg_tensor *wg_random_uniform(double low, double high, int dtype, int ndim, const int32_t *shape) {
    wg_clear_error();
    if (!is_finite(low) || !is_finite(high) || low > high)
        return wg_fail(WG_INVALID_ARGUMENT, "nd.random.uniform: low %g and high %g must be finite with low <= high",
                       low, high);
    T *t = random_tensor("nd.random.uniform", dtype, ndim, shape);
    if (t)
        for (int32_t i = 0; i < t->size; i++) {
            double v = low + (high - low) * next_unit();
            if (dtype == WG_F32 && (float)v >= (float)high && high > low) v = nextafterf((float)high, (float)low);
            wg_set(t, i, v);
        }
    return exported(t);
}

/* Box-Muller; each pair of uniforms gives two normals */
static double next_normal(void) {
    if (g_has_spare) { g_has_spare = false; return g_spare; }
    double u1, u2;
    do u1 = next_unit(); while (u1 == 0);
    u2 = next_unit();
    double r = sqrt(-2.0 * log(u1)), a = 6.283185307179586 * u2;
    g_spare = r * sin(a);
    g_has_spare = true;
    return r * cos(a);
}

WG_API wg_tensor *wg_random_normal(double mean, double std, int dtype, int ndim, const int32_t *shape) {
    wg_clear_error();
    if (!is_finite(mean) || !is_finite(std) || std < 0)
        return wg_fail(WG_INVALID_ARGUMENT, "nd.random.normal: mean %g and std %g must be finite with std >= 0",
                       mean, std);
    T *t = random_tensor("nd.random.normal", dtype, ndim, shape);
    if (t) for (int32_t i = 0; i < t->size; i++) wg_set(t, i, mean + std * next_normal());
    return exported(t);
}

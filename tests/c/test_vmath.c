/* The SIMD float32 kernels against libm in double precision (rounded to float: a
 * reference within 0.5 ulp), over sweeps with 0, denormals, the cut-offs, +-inf and NaN.
 * Prints the worst error in ulp per function; fails above 4 ulp (issue 3's bound). */
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "kernels/kernels.h"

/* distance in ulps between two floats (or doubles): how many representable values apart,
 * counting through zero; 1e30 for a NaN against a number or an infinity against anything else */
#define DEFINE_ULP_DISTANCE(name, F, I, I_MIN) \
    static double name(F got, F want) { \
        if (isnan(want) || isnan(got)) return isnan(want) && isnan(got) ? 0 : 1e30; \
        if (got == want) return 0; \
        if (isinf(want) || isinf(got)) return 1e30; \
        I a, b; \
        memcpy(&a, &got, sizeof a); \
        memcpy(&b, &want, sizeof b); \
        if (a < 0) a = I_MIN - a; \
        if (b < 0) b = I_MIN - b; \
        return (double)(a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a); /* no signed overflow */ \
    }
DEFINE_ULP_DISTANCE(ulp_distance, float, int32_t, INT32_MIN)
DEFINE_ULP_DISTANCE(ulp_distance64, double, int64_t, INT64_MIN)

#define PI_2 1.57079632679489661923
static double ref(int op, double x) {
    switch (op) {
    case WG_OP_EXP: return exp(x);
    case WG_OP_LOG: return log(x);
    case WG_OP_TANH: return tanh(x);
    case WG_OP_SIGMOID: return 1 / (1 + exp(-x));
    case WG_OP_SIN: return sin(x);
    case WG_OP_TAN: return tan(x);
    case WG_OP_ERF: return erf(x);
    case WG_OP_EXPM1: return expm1(x);
    case WG_OP_LOG1P: return log1p(x);
    case WG_OP_SOFTPLUS: return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
    case WG_OP_LOG2: return log2(x);
    case WG_OP_LOG10: return log10(x);
    case WG_OP_SINH: return sinh(x);
    case WG_OP_COSH: return cosh(x);
    case WG_OP_ARCTAN: return atan(x);
    case WG_OP_ARCSIN: return asin(x);
    case WG_OP_ARCCOS: return acos(x);
    case WG_OP_ARCSINH: return asinh(x);
    case WG_OP_ARCCOSH: return x < 1 ? NAN : acosh(x);
    case WG_OP_ARCTANH: return atanh(x);
    case WG_OP_CBRT: return cbrt(x);
    case WG_OP_RCBRT: return 1 / cbrt(x);
    default: return cos(x); /* WG_OP_COS */
    }
}

static float *sweep(int *count) {
    static const float special[] = { 0.0f, -0.0f, 1e-45f, -1e-45f, 1e-38f, FLT_MIN, 0.625f, -0.625f, 0.6249999f,
                                     88.72283f, 88.7229f, 89.0f, -87.3f, -103.97f, -103.98f, -104.0f, 8191.9f,
                                     8192.0f, 8192.5f, 1e4f, -1e4f, 3.14159265f, 1.5707963f, FLT_MAX, -FLT_MAX,
                                     INFINITY, -INFINITY, NAN, 9.0f, -9.0f, 20.0f, 1.0f, 0.99999994f, -1.0f, 3.92f, -3.9199998f,
                                     /* log2/log10, sinh/cosh's overflow, the inverse functions' cut-offs and domain edges */
                                     2.0f, 0.5f, 1024.0f, 10.0f, 1000.0f, 1e10f, 89.41f, 89.42f, -89.41f, -89.42f, 90.0f,
                                     1.0000001f, -0.99999994f, -1.0000001f, 0.50000006f, -0.5f, 0.41421356f, 2.4142137f,
                                     0.41421354f, 2.4142134f, 4096.0f, 4096.0005f, 4095.9998f, 1e-20f, -1e-20f, 2e-45f };
    /* the floats nearest each multiple of pi/2 below 8192 and their neighbours: there sin or
     * cos is tiny and the range reduction must keep every bit of |x| - k pi/2 */
    enum { N_QUADRANT = 5215, N_NEAR = 3 * N_QUADRANT };
    int n_special = sizeof special / sizeof special[0], n_random = 200000, n = n_special + N_NEAR + n_random;
    float *x = malloc(sizeof(float) * (size_t)n);
    memcpy(x, special, sizeof special);
    for (int k = 1; k <= N_QUADRANT; k++) {
        float f = (float)(k * 1.57079632679489661923);
        x[n_special + 3 * (k - 1)] = f;
        x[n_special + 3 * (k - 1) + 1] = nextafterf(f, 0);
        x[n_special + 3 * (k - 1) + 2] = nextafterf(f, INFINITY);
    }
    n_special += N_NEAR;
    uint64_t state = 12345;
    for (int i = 0; i < n_random; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(state >> 11) * 0x1.0p-53;
        /* a mix of scales: uniform in [-30, 30], and log-uniform magnitudes down to 1e-30 */
        x[n_special + i] = (float)(i % 2 ? (u - 0.5) * 60 : ((i % 4) ? 1 : -1) * pow(10, -30 + 32 * u));
    }
    *count = n;
    return x;
}

/* A binary float32 kernel (n, a, stride a, b, stride b, out) against its double function
 * rounded to float, over a (3 n, for stride 3) and b (n) at strides 1 and 1, 1 and 0, 0 and 1
 * (one_a, one_b are the numbers broadcast at stride 0) and 3 and 1, and at every length 0..9
 * (the last partial vector must give the same values as a long run). */
typedef void binary_kernel(size_t, const float *, ptrdiff_t, const float *, ptrdiff_t, float *);
static void check_binary(const char *name, binary_kernel *kernel, double (*f)(double, double), int n,
                         const float *a, const float *b, float one_a, float one_b, double bound) {
    const struct { ptrdiff_t sa, sb; } runs[] = { { 1, 1 }, { 1, 0 }, { 0, 1 }, { 3, 1 } };
    float *out = malloc(sizeof(float) * (size_t)n);
    for (int r = 0; r < 4; r++) {
        double worst = 0;
        const float *pa = runs[r].sa ? a : &one_a, *pb = runs[r].sb ? b : &one_b;
        kernel((size_t)n, pa, runs[r].sa, pb, runs[r].sb, out);
        for (int len = 0; len < 10; len++) {
            float short_run[10];
            kernel((size_t)len, pa, runs[r].sa, pb, runs[r].sb, short_run);
            for (int i = 0; i < len; i++) CHECK(ulp_distance(short_run[i], out[i]) == 0);
        }
        for (int i = 0; i < n; i++) {
            double d = ulp_distance(out[i], (float)f(pa[i * runs[r].sa], pb[i * runs[r].sb]));
            if (d > worst) worst = d;
        }
        printf("  f32 %-8s strides %td, %td: worst %.0f ulp\n", name, runs[r].sa, runs[r].sb, worst);
        CHECK(worst <= bound);
    }
    free(out);
}

/* float32 power (pow_f32.c): bases from the sweep's mix of scales and specials (mostly
 * positive), exponents mixed too, integers among them */
static void check_pow(void) {
    enum { N = 30000 };
    static float a[3 * N], b[N];
    int count;
    float *x = sweep(&count);
    for (int i = 0; i < 3 * N; i++) a[i] = i % 5 ? fabsf(x[i % count]) : x[i % count];
    for (int i = 0; i < N; i++) b[i] = i % 7 ? x[(i * 7919) % count] / 8 : (float)(i % 13) - 6;
    free(x);
    check_binary("pow", wg_f32_vpow, pow, N, a, b, 1.7f, 2.5f, 1);
}

/* float32 arctan2 (vmath_f32.c): y and x from the sweep (every sign, scale and special), so
 * every quadrant, |y| above and below |x|, and ratios at the branch points tan(pi/8) and 1
 * (a dense native sweep of 49M pairs found 2.18 ulp from the exact value at worst) */
static void check_atan2(void) {
    enum { N = 60000 };
    static float y[3 * N], x[N];
    int count;
    float *s = sweep(&count);
    for (int i = 0; i < N; i++) {
        y[i] = s[i % count];
        x[i] = s[(i * 7919 + 13) % count];
        if (i % 5 == 0) x[i] = y[i] * (i % 10 ? 2.41421356f : -1.0f) * (i % 20 < 10 ? 1 : -1);
        if (i % 7 == 0) x[i] = nextafterf(y[i] / 0.414213562f, (float)(i % 3) - 1);
    }
    for (int i = N; i < 3 * N; i++) y[i] = s[(i * 31) % count];
    free(s);
    check_binary("arctan2", wg_f32_varctan2, atan2, N, y, x, -1.3f, 0.6f, 2);
}

static int long_double_is_wider(void) {
    volatile long double one_and_a_bit = 1.0L + 0x1p-60L;
    return one_and_a_bit != 1.0L;
}

static int same64(double a, double b) { return isnan(a) ? isnan(b) : a == b && signbit(a) == signbit(b); }

/* A binary float64 kernel as check_binary does float32's, at the same four stride cases, over
 * a (3 n) and b (n): within 1 ulp of the long double function rounded (x87's: correctly rounded
 * but for near-ties), and bit for bit libm's value where an operand is 0, +-inf or NaN or libm's
 * value is 0, +-inf, NaN or denormal. Under valgrind, which runs long double arithmetic in double
 * (powl is thousands of ulp off there), the reference is libm's function, within 2. Runs from an
 * odd offset of every length 0..9 give the long run's values. */
typedef void binary_kernel64(size_t, const double *, ptrdiff_t, const double *, ptrdiff_t, double *);
static void check_binary64(const char *name, binary_kernel64 *kernel, double (*lib)(double, double),
                           long double (*ref)(long double, long double), int n, const double *a, const double *b,
                           double one_a, double one_b) {
    const struct { ptrdiff_t sa, sb; } runs[] = { { 1, 1 }, { 1, 0 }, { 0, 1 }, { 3, 1 } };
    const int wider = long_double_is_wider();
    double *out = malloc(sizeof(double) * (size_t)n);
    for (int r = 0; r < 4; r++) {
        const double *pa = runs[r].sa ? a : &one_a, *pb = runs[r].sb ? b : &one_b;
        kernel((size_t)n, pa, runs[r].sa, pb, runs[r].sb, out);
        double worst = 0, worst_a = 0, worst_b = 0;
        int off = 0;
        for (int i = 0; i < n; i++) {
            double x = pa[i * runs[r].sa], y = pb[i * runs[r].sb], want = lib(x, y);
            int special = x == 0 || y == 0 || !isfinite(x) || !isfinite(y) || want == 0 || !isfinite(want) ||
                          fabs(want) < 0x1p-1022;
            if (special) {
                if (!same64(out[i], want)) printf("  f64 %s(%a, %a) = %a, libm %a\n", name, x, y, out[i], want);
                CHECK(same64(out[i], want));
                continue;
            }
            double d = ulp_distance64(out[i], wider ? (double)ref(x, y) : want);
            if (d > worst) { worst = d; worst_a = x; worst_b = y; }
            off += d > 0;
        }
        printf("  f64 %-8s strides %td, %td: worst %.0f ulp (at %.17g, %.17g), %d of %d not the rounded reference\n",
               name, runs[r].sa, runs[r].sb, worst, worst_a, worst_b, off, n);
        CHECK(worst <= (wider ? 1 : 2));
        for (int len = 0; len < 10; len++) {
            double short_run[10];
            kernel((size_t)len, pa + 1001 * runs[r].sa, runs[r].sa, pb + 1001 * runs[r].sb, runs[r].sb, short_run);
            for (int i = 0; i < len; i++) CHECK(same64(short_run[i], out[1001 + i]));
        }
    }
    free(out);
}

/* float64 arctan2 (vmath_f64_inv.c): y of every magnitude, moderate, special; x from y's values,
 * with ratios at arctan's cut-offs, and every pair of specials */
static void check_atan2_f64(void) {
    enum { N = 60000 };
    static double y[3 * N], x[N];
    static const double special[] = { 0.0, -0.0, INFINITY, -INFINITY, NAN, 1.0, -1.0, 4.9e-324, -0x1p-1022, 0x1p1021,
                                      0x1.0000000000001p1021, -1.7976931348623157e308, 0x1p-900, 0x1.fffffffffffffp-901, 2.5, -3.0 };
    enum { NS = sizeof special / sizeof special[0] };
    uint64_t state = 7;
    for (int i = 0; i < 3 * N; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(state >> 11) * 0x1.0p-53, sign = (state >> 3) & 1 ? -1 : 1;
        switch (i % 4) { /* every magnitude, moderate, the special values, ratios at arctan's cut-offs */
        case 0: y[i] = sign * pow(10, -320 + 628 * u); break;
        case 1: y[i] = sign * (u * 8); break;
        case 2: y[i] = special[(state >> 20) % NS]; break;
        default: y[i] = sign * (0.25 + u * 4); break;
        }
    }
    static const double cut[] = { 0.4375, 0.6875, 1.1875, 2.4375, 1.0 };
    for (int i = 0; i < N; i++) {
        x[i] = y[(i * 7919 + 13) % (3 * N)];
        if (i % 5 == 0 && isfinite(y[i]) && y[i] != 0) x[i] = nextafter(y[i] / cut[i % 25 / 5], (double)(i % 3) - 1);
        if (i % 11 == 0) x[i] = -x[i];
    }
    for (int i = 0; i < NS * NS && i < N; i++) y[i] = special[i / NS], x[i] = special[i % NS]; /* every pair */
    check_binary64("arctan2", wg_f64_varctan2, atan2, atan2l, N, y, x, -1.3, 0.6);
    /* y / x just above 2^-4 with its arctan just below, where the quotient's rounding counts
     * double: 2 ulp off (...863) without the remainder's correction. The correctly rounded value by
     * mpmath; the exact one is 0.49 ulp below it, so ...864 is within the bound too. */
    double y1 = 0x1.005f6e0a7e554p+10, x1 = 0x1.ff6669b3d9567p+12, r1;
    wg_f64_varctan2(1, &y1, 1, &x1, 1, &r1);
    CHECK(ulp_distance64(r1, 0x1.feaf31ca31865p-4) <= 1);
}


/* the float64 references: libm's exp, log, sin, cos; sigmoid and softplus from them; tanh from
 * expm1 in long double (on x86 libm's tanh is itself up to 3 ulp off, by mpmath); expm1, log1p,
 * tan, erf, log2, log10, arcsinh, arccosh, arctanh, sinh, cosh, cbrt, 1/cbrt, arctan, arcsin and
 * arccos in long double (x86's 80-bit: rounded to double, the correctly rounded value but for
 * near-ties) */
static double ref64(int op, double x) {
    switch (op) {
    case WG_OP_EXP: return exp(x);
    case WG_OP_LOG: return log(x);
    case WG_OP_SIN: return sin(x);
    case WG_OP_COS: return cos(x);
    case WG_OP_SIGMOID: return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
    case WG_OP_SOFTPLUS: return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
    case WG_OP_EXPM1: return (double)expm1l(x);
    case WG_OP_LOG1P: return (double)log1pl(x);
    case WG_OP_TAN: return (double)tanl(x);
    case WG_OP_ERF: return (double)erfl(x);
    case WG_OP_LOG2: return (double)log2l(x);
    case WG_OP_LOG10: return (double)log10l(x);
    case WG_OP_ARCSINH: return (double)asinhl(x);
    case WG_OP_ARCCOSH: return x < 1 ? NAN : (double)acoshl(x);
    case WG_OP_ARCTANH: return (double)atanhl(x);
    case WG_OP_SINH:
    case WG_OP_COSH:
        /* under valgrind long double is double, where e^x overflows first: 2 e^(x - 2 ln 2) there */
        if (fabs(x) > 709 && fabs(x) < 711 && !long_double_is_wider())
            return copysign(2 * (exp(fabs(x) - 0x1.62e42feep+0) * (1 - 0x1.a39ef35793c76p-32)), op == WG_OP_SINH ? x : 1);
        return (double)(op == WG_OP_SINH ? sinhl(x) : coshl(x));
    /* 0 and inf from double libm: under valgrind (long double run as double) cbrtl's are not */
    case WG_OP_CBRT: return x == 0 || isinf(x) ? cbrt(x) : (double)cbrtl(x);
    case WG_OP_RCBRT: return x == 0 || isinf(x) ? 1 / cbrt(x) : (double)(1 / cbrtl(x));
    case WG_OP_ARCTAN: return (double)atanl(x);
    case WG_OP_ARCSIN: return (double)asinl(x);
    case WG_OP_ARCCOS: return (double)acosl(x);
    default: break; /* WG_OP_TANH */
    }
    if (fabs(x) > 20) return copysign(1.0, x); /* and NaN stays NaN */
    long double u = expm1l(2.0L * x);
    return (double)(u / (u + 2));
}

/* the scalar libm function a kernel leaves its outside lanes to */
static double libm64(int op, double x) {
    switch (op) {
    case WG_OP_EXPM1: return expm1(x);
    case WG_OP_LOG1P: return log1p(x);
    case WG_OP_TAN: return tan(x);
    case WG_OP_ERF: return erf(x);
    case WG_OP_LOG2: return log2(x);
    case WG_OP_LOG10: return log10(x);
    case WG_OP_ARCSINH: return asinh(x);
    case WG_OP_ARCCOSH: return acosh(x);
    case WG_OP_ARCTANH: return atanh(x);
    case WG_OP_SINH: return sinh(x);
    case WG_OP_COSH: return cosh(x);
    case WG_OP_CBRT: return cbrt(x);
    case WG_OP_RCBRT: return 1 / cbrt(x);
    case WG_OP_ARCTAN: return atan(x);
    case WG_OP_ARCSIN: return asin(x);
    case WG_OP_ARCCOS: return acos(x);
    default: return ref64(op, x);
    }
}

/* float64 kernels of vmath_f64.c and vmath_f64_inv.c: exp, log, sin, cos, tanh, expm1, log1p, tan,
 * erf, log2, log10, arcsinh, arccosh, arctanh, sinh, cosh, cbrt, 1/cbrt, arctan, arcsin, arccos
 * (<= 1 ulp), sigmoid and softplus (<= 2) over the special values and cut-offs, six scales of random
 * values and the doubles nearest multiples of pi/2 */
static void check_f64(void) {
    enum { N = 250000, N_SPECIAL = 96 };
    static double x[N], y[N];
    static const double special[N_SPECIAL] = {
        0.0, -0.0, 4.9e-324, -4.9e-324, 0x1.8p-1073, -0x0.fffffffffffffp-1022, 0x0.fffffffffffffp-1022, 0x1p-1022,
        -0x1p-1022, 1e-300, -1e-300, INFINITY, -INFINITY, NAN, 1.7976931348623157e308, -1.7976931348623157e308,
        1.0, -1.0, 0.7071067811865476, 1.4142135623730951,
        /* exp's and expm1's range ends and overflow */
        709.4, 709.5, 709.782712893384, 709.7827128933841, -708.0, -708.5, -745.2, -746, -37.5, -38, 0.34657359027997264,
        /* log1p's domain edge and the ends of its direct range */
        -0.9999999999999999, -1.0000000000000002, -1.5, -0.2928932188134524, 0.41421356237309503, -1e-17,
        /* tan's branch point 0.6744, pi/4, and the end of the reduction */
        0x1.59428p-1, 0x1.59427ffffffffp-1, 0.78539816339744828, 1.5707963267948966, 8e5, 7.9999999999999988e5, -8e5,
        /* erf's intervals and the 6 from which it is 1 */
        0.84375, 0x1.affffffffffffp-1, 1.25, 0x1.3ffffffffffffp+0, 0x1.6db6dp+1, 0x1.6db6cffffffffp+1, 6.0,
        0x1.7ffffffffffffp+2, -6.0, 0x1p-28, 0x1.fffffffffffffp-29, 19.0, -19.0, 20.0, 1e300, -1e300, 2.0, 0.5,
        /* arccosh's and arctanh's domain edges, arctanh's x below 2^-27, the log of 2a from 2^28,
           sinh's and cosh's overflow (710.4758600739439 is the last finite) */
        0.9999999999999999, 1.0000000000000002, 0x1p-27, 0x1.fffffffffffffp-28, -0x1p-27, 0x1p28,
        0x1.fffffffffffffp+27, -0x1p28, 710.4758600739439, 710.475860073944, -710.4758600739439, 710.79,
        710.8, 709.0, 10.0, 1e22,
        /* arctan's cut-offs, arcsin/arccos next to +-1, arcsin's x^3 series below 2^-12, cubes */
        0.4375, 0x1.bffffffffffffp-2, 0.6875, 1.1875, 2.4375, 0x1.3800000000001p+1, 0x1.fffffffffffffp-1,
        -0x1.fffffffffffffp-1, 0x1.8p-25, 0x1p-12, 0x1.fffffffffffffp-13, -0.57775787181762917, 0x1.5p-7,
        27.0, -8.0, 0x1.8p-1040 };
    uint64_t state = 99;
    for (int i = 0; i < N; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(state >> 11) * 0x1.0p-53, c = u - 0.5;
        switch (i % 6) { /* six scales: wide, moderate, tiny, the erf/tan range, every magnitude, near -1 */
        case 0: x[i] = c * 1500; break;
        case 1: x[i] = c * 4; break;
        case 2: x[i] = c * 1e-6; break;
        case 3: x[i] = c * 16; break;
        case 4: x[i] = (i % 12 < 6 ? 1 : -1) * pow(10, -320 + 628 * u); break;
        default: x[i] = -1 + pow(10, -16 * u); break;
        }
    }
    memcpy(x, special, sizeof special);
    /* and the doubles nearest k pi/2 up to the reduction's limit, where sin, cos or tan is tiny or huge */
    for (int k = 1; k <= 20000; k++) {
        double near = k * 25.0 * 1.5707963267948966192;
        x[N - 2 * k] = near;
        x[N - 2 * k + 1] = nextafter(near, 0);
    }
    const struct { int op; const char *name; double bound; } ops[] = {
        { WG_OP_EXP, "exp", 1 }, { WG_OP_LOG, "log", 1 }, { WG_OP_SIN, "sin", 1 }, { WG_OP_COS, "cos", 1 },
        { WG_OP_TANH, "tanh", 1 }, { WG_OP_SIGMOID, "sigmoid", 2 }, { WG_OP_SOFTPLUS, "softplus", 2 },
        { WG_OP_EXPM1, "expm1", 1 }, { WG_OP_LOG1P, "log1p", 1 }, { WG_OP_TAN, "tan", 1 }, { WG_OP_ERF, "erf", 1 },
        { WG_OP_LOG2, "log2", 1 }, { WG_OP_LOG10, "log10", 1 }, { WG_OP_ARCSINH, "arcsinh", 1 },
        { WG_OP_ARCCOSH, "arccosh", 1 }, { WG_OP_ARCTANH, "arctanh", 1 }, { WG_OP_SINH, "sinh", 1 },
        { WG_OP_COSH, "cosh", 1 },
        { WG_OP_CBRT, "cbrt", 1 }, { WG_OP_RCBRT, "rcbrt", 1 }, { WG_OP_ARCTAN, "arctan", 1 }, { WG_OP_ARCSIN, "arcsin", 1 },
        { WG_OP_ARCCOS, "arccos", 1 } };
    for (int k = 0; k < (int)(sizeof ops / sizeof ops[0]); k++) {
        int op = ops[k].op;
        wg_kernel_unary(WG_F64, op, N, x, y);
        double worst = 0, worst_x = 0;
        int off = 0;
        for (int i = 0; i < N; i++) {
            double d = ulp_distance64(y[i], ref64(op, x[i]));
            if (d > worst) { worst = d; worst_x = x[i]; }
            off += d > 0;
        }
        printf("  f64 %-8s SIMD worst %.0f ulp (at x = %.17g), %d of %d not the rounded reference\n", ops[k].name, worst,
               worst_x, off, N);
        /* valgrind runs long double arithmetic in double: the long double references then have 2 ulp of their own */
        int ld_ref = op != WG_OP_EXP && op != WG_OP_LOG && op != WG_OP_SIN && op != WG_OP_COS && op != WG_OP_SIGMOID &&
                     op != WG_OP_SOFTPLUS;
        CHECK(worst <= ops[k].bound + (ld_ref && !long_double_is_wider() ? 2 : 0));
        /* where libm's value is special (+-0, +-inf, NaN, denormal, or x itself), exactly libm's value */
        for (int i = 0; i < N_SPECIAL; i++) {
            double want = libm64(op, x[i]);
            if ((want != 0 && !isnan(want) && !isinf(want) && fabs(want) >= 0x1p-1022 && want != x[i]) ||
                same64(y[i], want))
                continue;
            printf("  f64 %s(%a) = %a, libm %a\n", ops[k].name, x[i], y[i], want);
            CHECK(0);
        }
        /* each value's result is the same wherever it stands: lengths 0..9 and across the two-step
         * kernels' blocks of 128, from an odd offset */
        static const int lengths[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 127, 128, 129, 257, 301 };
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            double out[301];
            int len = lengths[l];
            wg_kernel_unary(WG_F64, op, (size_t)len, x + 1001, out);
            for (int i = 0; i < len; i++) CHECK(same64(out[i], y[1001 + i]));
        }
    }
    /* a few values to the last bit (the correctly rounded ones, from mpmath) */
    const struct { int op; double x, want; } exact[] = {
        { WG_OP_EXP, 1.0, 0x1.5bf0a8b145769p+1 }, { WG_OP_EXPM1, 1.0, 0x1.b7e151628aed3p+0 },
        { WG_OP_EXPM1, 1e-10, 0x1.b7cdfd9dda4e3p-34 }, { WG_OP_LOG1P, 1.0, 0x1.62e42fefa39efp-1 },
        { WG_OP_LOG1P, -0.5, -0x1.62e42fefa39efp-1 }, { WG_OP_ERF, 1.0, 0x1.af767a741088bp-1 },
        { WG_OP_TAN, 0.78539816339744828, 0x1.fffffffffffffp-1 }, { WG_OP_TAN, -1.0, -0x1.8eb245cbee3a6p+0 },
        { WG_OP_ARCTAN, 1.0, 0x1.921fb54442d18p-1 }, { WG_OP_ARCSIN, 0.5, 0x1.0c152382d7366p-1 },
        { WG_OP_ARCCOS, 0.5, 0x1.0c152382d7366p+0 }, { WG_OP_ARCCOS, -0.5, 0x1.0c152382d7366p+1 },
        { WG_OP_CBRT, 2.0, 0x1.428a2f98d728bp+0 }, { WG_OP_RCBRT, 2.0, 0x1.965fea53d6e3dp-1 },
        /* and the limits libm gives */
        { WG_OP_EXPM1, -INFINITY, -1 }, { WG_OP_EXPM1, -746, -1 }, { WG_OP_EXPM1, 710, INFINITY },
        { WG_OP_LOG1P, -1, -INFINITY }, { WG_OP_ERF, INFINITY, 1 }, { WG_OP_ERF, -INFINITY, -1 }, { WG_OP_ERF, 6, 1 },
        { WG_OP_ARCCOSH, 1, 0 }, { WG_OP_ARCTANH, 1, INFINITY }, { WG_OP_ARCTANH, -1, -INFINITY },
        { WG_OP_SINH, 710.4758600739439, 0x1.ffffffffffd3bp+1023 }, { WG_OP_SINH, -710.475860073944, -INFINITY },
        { WG_OP_COSH, -710.4758600739439, 0x1.ffffffffffd3bp+1023 }, { WG_OP_LOG2, 0x1p-1074, -1074 },
        { WG_OP_LOG10, 1e-300, -300 },
        /* below and at the thresholds where arcsinh, sinh and arctanh return x */
        { WG_OP_ARCSINH, 0x1p-26, 0x1p-26 }, { WG_OP_SINH, -0x1p-26, -0x1p-26 },
        { WG_OP_ARCTANH, 0x1.fffffffffffffp-27, 0x1p-26 }, { WG_OP_ARCTANH, 0x1p-27, 0x1p-27 },
        { WG_OP_ARCTAN, INFINITY, 0x1.921fb54442d18p+0 }, { WG_OP_ARCTAN, -INFINITY, -0x1.921fb54442d18p+0 },
        { WG_OP_ARCSIN, 1, 0x1.921fb54442d18p+0 }, { WG_OP_ARCSIN, -1, -0x1.921fb54442d18p+0 },
        { WG_OP_ARCCOS, -1, 0x1.921fb54442d18p+1 }, { WG_OP_RCBRT, INFINITY, 0 }, { WG_OP_RCBRT, -0.0, -INFINITY } };
    for (int i = 0; i < (int)(sizeof exact / sizeof exact[0]); i++) {
        double e;
        wg_kernel_unary(WG_F64, exact[i].op, 1, &exact[i].x, &e);
        if (e != exact[i].want) printf("  f64 op %d (%a) = %a, want %a\n", exact[i].op, exact[i].x, e, exact[i].want);
        CHECK(e == exact[i].want);
    }
    for (int k = -2000; k <= 2000; k++) { /* the cube roots of cubes, and 1/cbrt of 8^k */
        double c = (double)k * k * k, e, p = ldexp(1, 3 * (k / 6));
        wg_kernel_unary(WG_F64, WG_OP_CBRT, 1, &c, &e);
        CHECK(e == k);
        wg_kernel_unary(WG_F64, WG_OP_RCBRT, 1, &p, &e);
        CHECK(e == ldexp(1, -(k / 6)));
    }
    /* log2(2^k) = k, log10(10^k) = k for the powers of 10 that doubles hold, arccosh(x < 1) NaN */
    for (int k = -1074; k <= 1023; k++) {
        double p2 = ldexp(1, k), e;
        wg_kernel_unary(WG_F64, WG_OP_LOG2, 1, &p2, &e);
        CHECK(e == k);
    }
    double p10 = 1;
    for (int k = 0; k <= 22; k++, p10 *= 10) {
        double e;
        wg_kernel_unary(WG_F64, WG_OP_LOG10, 1, &p10, &e);
        CHECK(e == k);
    }
    double below[4] = { 0.9999999999999999, 0, -1, -INFINITY }, e4[4];
    wg_kernel_unary(WG_F64, WG_OP_ARCCOSH, 4, below, e4);
    for (int i = 0; i < 4; i++) CHECK(isnan(e4[i]));
}

/* float64 power (pow_f64.c), by check_binary64 against powl: C's special cases, bases of every
 * magnitude with exponents that take the result anywhere from underflow to overflow, bases near 1
 * with large exponents (where log x must be most accurate) and negative bases with integer
 * exponents. */
static void check_pow64(void) {
    enum { N = 120000 };
    static double a[3 * N], b[N];
    static const double xs[] = { 0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, INFINITY, -INFINITY, NAN, 4.9e-324,
                                 -4.9e-324, 0x1p-1022, 0x0.8p-1022, 1.7976931348623157e308, -3.0, 10.0, 0x1.0000000000001p+0,
                                 0x1.fffffffffffffp-1, 1e-300, -1e300 };
    static const double ys[] = { 0.0, -0.0, 1.0, -1.0, 2.0, 3.0, -3.0, 0.5, -0.5, 2.5, INFINITY, -INFINITY, NAN, 1e300,
                                 -1e300, 0x1p53, 0x1p53 + 2, 0x1p51 + 1, 0x1p52 + 1, 1075.0, -1075.0, 4.9e-324, 1023.5, 7.0 };
    enum { NX = sizeof xs / sizeof xs[0], NY = sizeof ys / sizeof ys[0] };
    uint64_t state = 7;
    for (int i = 0; i < 3 * N; i++) {
        double u[3];
        for (int k = 0; k < 3; k++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            u[k] = (double)(state >> 11) * 0x1.0p-53;
        }
        double x, y;
        switch (i % 4) {
        case 0: /* every magnitude of x, y log x from -760 to 720 */
            x = exp2(-1074 + 2098 * u[0]);
            y = (-760 + 1480 * u[1]) / log(x);
            break;
        case 1: /* x = 1 + d with d down to 2^-53, y large */
            x = 1 + (u[0] - 0.5) * exp2(-52 * u[2]);
            y = x == 1 ? 1e300 * (u[1] - 0.5) : (-720 + 1430 * u[1]) / log(x);
            break;
        case 2: /* x < 0, y an integer (now and then not) */
            x = -exp2(-40 + 80 * u[0]);
            y = floor((u[1] - 0.5) * 2000) + (u[2] < 0.05 ? 0.5 : 0);
            break;
        default: /* everything at once */
            x = (u[0] < 0.2 ? -1 : 1) * exp2(-1080 + 2160 * u[2]);
            y = (u[1] - 0.5) * (u[2] < 0.5 ? 10 : 1e3);
            break;
        }
        if (i % 97 == 5) x = xs[(i / 97) % NX];
        if (i % 89 == 7) y = ys[(i / 89) % NY];
        a[i] = x;
        if (i < N) b[i] = y;
    }
    for (int i = 0; i < NX * NY; i++) { /* and every special pair */
        a[3 * i + 2] = xs[i % NX];
        b[3 * i + 2] = ys[i / NX];
    }
    check_binary64("pow", wg_f64_vpow, pow, powl, N, a, b, 1.7, 2.7);
    /* results that are exact come out exact */
    const double exact[][3] = { { 3, 5, 243 }, { -3, 5, -243 }, { -2, 10, 1024 }, { 10, 22, 1e22 }, { 0.5, -1074, INFINITY }, { 2, -1074, 4.9e-324 },
                                { 2, -1022, 0x1p-1022 }, { 4, 0.25, 0x1.6a09e667f3bcdp+0 }, { 1, NAN, 1 }, { NAN, 0, 1 } };
    for (int i = 0; i < (int)(sizeof exact / sizeof exact[0]); i++) {
        double e;
        wg_f64_vpow(1, &exact[i][0], 1, &exact[i][1], 1, &e);
        if (e != exact[i][2]) printf("  f64 pow(%a, %a) = %a, want %a\n", exact[i][0], exact[i][1], e, exact[i][2]);
        CHECK(e == exact[i][2]);
    }
}

int main(void) {
    int ops[] = { WG_OP_EXP, WG_OP_LOG, WG_OP_TANH, WG_OP_SIGMOID, WG_OP_SIN, WG_OP_COS, WG_OP_TAN, WG_OP_EXPM1,
                  WG_OP_LOG1P, WG_OP_SOFTPLUS, WG_OP_ERF, WG_OP_LOG2, WG_OP_LOG10, WG_OP_SINH, WG_OP_COSH,
                  WG_OP_ARCTAN, WG_OP_ARCSIN, WG_OP_ARCCOS, WG_OP_ARCSINH, WG_OP_ARCCOSH, WG_OP_ARCTANH, WG_OP_CBRT,
                  WG_OP_RCBRT };
    const char *names[] = { "exp", "log", "tanh", "sigmoid", "sin", "cos", "tan", "expm1", "log1p", "softplus", "erf",
                            "log2", "log10", "sinh", "cosh", "arctan", "arcsin", "arccos", "arcsinh", "arccosh", "arctanh", "cbrt",
                            "rcbrt" };
    enum { NOPS = sizeof ops / sizeof ops[0] };
    int n;
    float *x = sweep(&n);
    float *y = malloc(sizeof(float) * (size_t)n), *ys = malloc(sizeof(float) * (size_t)n);
    for (int k = 0; k < NOPS; k++) {
        /* odd lengths exercise the tail path */
        wg_kernel_unary(WG_F32, ops[k], (size_t)n, x, y);
        wg_kernel_unary_scalar(WG_F32, ops[k], (size_t)n, x, ys);
        double worst = 0, worst_scalar = 0;
        float worst_x = 0;
        for (int i = 0; i < n; i++) {
            float want = (float)ref(ops[k], x[i]);
            /* sin/cos/tan of huge arguments are ill-conditioned: only NaN-ness and the range of sin/cos are checked */
            if ((ops[k] == WG_OP_SIN || ops[k] == WG_OP_COS || ops[k] == WG_OP_TAN) && fabsf(x[i]) > 1e5f) {
                CHECK(isnan(y[i]) == isnan(want) && (isnan(want) || ops[k] == WG_OP_TAN || fabsf(y[i]) <= 1));
                continue;
            }
            double d = ulp_distance(y[i], want), ds = ulp_distance(ys[i], want);
            if (d > worst) { worst = d; worst_x = x[i]; }
            if (ds > worst_scalar) worst_scalar = ds;
        }
        printf("  f32 %-8s SIMD worst %.0f ulp (at x = %.9g), scalar libm worst %.0f ulp\n", names[k], worst,
               (double)worst_x, worst_scalar);
        CHECK(worst <= 4);
        /* the odd functions keep the sign of zero */
        if (ops[k] != WG_OP_LOG2 && ops[k] != WG_OP_LOG10 && ops[k] != WG_OP_COSH && ops[k] != WG_OP_ARCCOS &&
            ops[k] != WG_OP_ARCCOSH && ops[k] != WG_OP_LOG && ops[k] != WG_OP_EXP && ops[k] != WG_OP_COS &&
            ops[k] != WG_OP_SIGMOID && ops[k] != WG_OP_SOFTPLUS && ops[k] != WG_OP_RCBRT)
            CHECK(signbit(y[1]) && y[1] == 0 && !signbit(y[0])); /* x[0] = 0, x[1] = -0 */
        if (ops[k] == WG_OP_RCBRT) CHECK(y[0] == INFINITY && y[1] == -INFINITY); /* 1 / cbrt(+-0) */
        /* short runs give the same values as the long run: the tails, and the block edges of
         * the two-pass kernels (256 floats) */
        static const int lengths[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 256, 257, 259, 517 };
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            float out[517];
            int len = lengths[l];
            wg_kernel_unary(WG_F32, ops[k], (size_t)len, x + 1000, out);
            for (int i = 0; i < len; i++) CHECK(ulp_distance(out[i], y[1000 + i]) == 0);
        }
    }
    /* exact values at the edges */
    float in[8], out[8];
    for (int e = -149; e < 128; e++) { /* log2(2^e) = e */
        in[0] = ldexpf(1, e);
        wg_kernel_unary(WG_F32, WG_OP_LOG2, 1, in, out);
        CHECK(out[0] == e);
    }
    float p10 = 1;
    for (int e = 0; e <= 10; e++, p10 *= 10) { /* log10(10^e) = e for the powers of 10 that floats hold */
        wg_kernel_unary(WG_F32, WG_OP_LOG10, 1, &p10, out);
        CHECK(out[0] == e);
    }
    for (int k = -255; k <= 255; k++) { /* cbrt of the cubes of integers */
        in[0] = (float)(k * k * k);
        wg_kernel_unary(WG_F32, WG_OP_CBRT, 1, in, out);
        CHECK(out[0] == k);
    }
    memcpy(in, (float[]){ 1, -1, 0.5f, -INFINITY, 1, -1, 1.0000001f, 0 }, sizeof in);
    wg_kernel_unary(WG_F32, WG_OP_ARCSIN, 2, in, out);
    CHECK(out[0] == (float)(PI_2) && out[1] == -(float)(PI_2));
    wg_kernel_unary(WG_F32, WG_OP_ARCCOS, 2, in, out);
    CHECK(out[0] == 0 && !signbit(out[0]) && out[1] == (float)(2 * PI_2));
    wg_kernel_unary(WG_F32, WG_OP_ARCCOSH, 4, in, out); /* 1, -1, 0.5, -inf */
    CHECK(out[0] == 0 && !signbit(out[0]) && isnan(out[1]) && isnan(out[2]) && isnan(out[3]));
    wg_kernel_unary(WG_F32, WG_OP_ARCTANH, 8, in, out);
    CHECK(out[0] == INFINITY && out[1] == -INFINITY && isnan(out[3]) && isnan(out[6]));
    wg_kernel_unary(WG_F32, WG_OP_ARCSIN, 8, in, out);
    CHECK(isnan(out[3]) && isnan(out[6]));
    free(x); free(y); free(ys);
    check_pow();
    check_atan2();
    check_f64();
    check_pow64();
    check_atan2_f64();
    return check_summary("test_vmath");
}

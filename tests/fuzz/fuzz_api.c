/* fuzz_api.c: libFuzzer harness for the whole C API (wasmgrad.h).
 *
 * The input bytes are a random program over a pool of tensor slots. Each step reads an
 * opcode and its arguments from the bytes: create tensors (0-size dims, f32/f64/i32, NaN,
 * infinities, shapes that cannot be allocated), run every WG_API operator on random pool
 * operands with valid and invalid axes/shapes/parameters, attach_grad, recording, training
 * and fusion on/off, wg_grad / wg_backward with random heads, variables, head gradients and
 * flags, detach, retain/release in random order, custom functions whose host callback (this
 * file) misbehaves in random ways, and allocation failures injected at a random allocation
 * (the build wraps malloc & co, see scripts/fuzz.sh).
 *
 * Every call is checked:
 * - failure: wg_status() is a valid error code and wg_message() a non-empty string; if an
 *   allocation failure was injected during the call, the status is OUT_OF_MEMORY;
 * - success: status OK, empty message, the result is a well-formed tensor (dtype, rank,
 *   non-negative sizes, size = product, aligned data) of the expected shape and dtype;
 * - nothing changes an existing tensor: the data and shape of every tensor in the pool are
 *   hashed when it enters the pool and re-checked after every step;
 * - wg_memory_stats counts exactly the references the harness holds;
 * - each custom function id is released by the core exactly once.
 * At the end everything is released and the core must hold no tensor and no storage byte.
 * Any violation aborts (a libFuzzer crash), as do ASan/UBSan/LSan reports. */
#define _GNU_SOURCE /* memmem */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasmgrad.h"

#define POOL 24
#define MAX_STEPS 200
#define MAX_ELEMS 4096 /* bigger results are released at once, to keep each run fast */
#define MAX_CUSTOM 64

#define FAIL(...) do { fprintf(stderr, "fuzz_api: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)
#define REQUIRE(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

/* ---- input bytes ------------------------------------------------------------------------ */
static const uint8_t *in_data;
static size_t in_size, in_pos;

static unsigned u8(void) { return in_pos < in_size ? in_data[in_pos++] : 0; }
static unsigned u16(void) { unsigned a = u8(); return a | (u8() << 8); }
static int pick(int n) { return n > 0 ? (int)(u8() % (unsigned)n) : 0; }
static int coin(void) { return u8() & 1; }

static const double SPECIAL[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, -2.5, 1e-3, 10.0, 100.0, 1e30, -1e30, 1e-40, 5e-324,
    3.4028234663852886e38, 1.7976931348623157e308, 2147483647.0, -2147483648.0, 4294967296.0,
    INFINITY, -INFINITY, NAN, 0.1, -7.0, 1e-300, 1e300,
};
#define NSPECIAL ((int)(sizeof SPECIAL / sizeof SPECIAL[0]))

static double value(void) {
    unsigned k = u8();
    if (k < 160) return SPECIAL[k % NSPECIAL];
    int16_t raw = (int16_t)u16();
    return raw / 64.0;
}

/* ---- allocation failure injection (malloc & co are wrapped at link time) ---------------- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);

static long fi_skip = -1; /* allocations to let through before failing; -1: off */
static int fi_fail;       /* how many allocations to fail from there */
static int fi_hits;       /* failures injected since the last fi_arm */
static int fi_host_hits;  /* of which inside a host callback (which may swallow or replace them) */
static int fi_late_hits;  /* of which after the call had already failed (the first error is the one reported) */
static int in_host;       /* depth of host callbacks running */

static int fi_now(void) {
    if (fi_skip < 0) return 0;
    if (fi_skip > 0) { fi_skip--; return 0; }
    if (fi_fail > 0) {
        fi_fail--;
        fi_hits++;
        fi_host_hits += in_host > 0;
        fi_late_hits += wg_status() != WG_OK;
        return 1;
    }
    fi_skip = -1;
    return 0;
}
void *__wrap_malloc(size_t n) { return fi_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t s) { return fi_now() ? NULL : __real_calloc(n, s); }
void *__wrap_realloc(void *p, size_t n) { return fi_now() ? NULL : __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { return fi_now() ? NULL : __real_aligned_alloc(a, n); }

static int fi_armed_next; /* set by the FAULT step: the next API call runs with injection */
static void fi_arm(void) {
    fi_hits = fi_host_hits = fi_late_hits = 0;
    if (!fi_armed_next) { fi_skip = -1; return; }
    fi_armed_next = 0;
    fi_skip = (long)pick(48);
    fi_fail = 1 + (coin() ? 0 : pick(1000));
}
static void fi_disarm(void) { fi_skip = -1; }

static int trace; /* FUZZ_TRACE=1: print every call (to read a finding) */
#define TRACE(...) do { if (trace) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* ---- the pool ---------------------------------------------------------------------------- */
static wg_tensor *pool[POOL]; /* each non-NULL slot owns one external reference */
static uint64_t pool_hash[POOL];
static int held; /* non-NULL slots */

static double shape_size(int ndim, const int32_t *shape) {
    double n = 1;
    for (int d = 0; d < ndim; d++) n *= shape[d];
    return n;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static size_t esize(int dtype) { return dtype == WG_F64 ? 8 : 4; }

static uint64_t tensor_hash(wg_tensor *t) {
    int ndim = wg_tensor_ndim(t), dtype = wg_tensor_dtype(t);
    uint64_t h = 0xcbf29ce484222325ull;
    h = fnv(h, &dtype, sizeof dtype);
    h = fnv(h, &ndim, sizeof ndim);
    h = fnv(h, wg_tensor_shape(t), sizeof(int32_t) * (size_t)ndim);
    return fnv(h, wg_tensor_data(t), (size_t)wg_tensor_size(t) * esize(dtype));
}

/* a well-formed tensor: every API result must be one */
static void check_tensor(wg_tensor *t, const char *who) {
    int dtype = wg_tensor_dtype(t), ndim = wg_tensor_ndim(t);
    REQUIRE(dtype == WG_F32 || dtype == WG_F64 || dtype == WG_I32, "%s: bad dtype %d", who, dtype);
    REQUIRE(ndim >= 0 && ndim <= WG_MAX_DIMS, "%s: bad ndim %d", who, ndim);
    const int32_t *shape = wg_tensor_shape(t);
    for (int d = 0; d < ndim; d++) REQUIRE(shape[d] >= 0, "%s: negative size %d", who, shape[d]);
    REQUIRE(shape_size(ndim, shape) == wg_tensor_size(t), "%s: size %d is not the product of the shape", who,
            wg_tensor_size(t));
    REQUIRE(((uintptr_t)wg_tensor_data(t) & 15) == 0, "%s: data not 16-byte aligned", who);
}

static void check_error(const char *who) {
    int s = wg_status();
    const char *m = wg_message();
    REQUIRE(s >= WG_INVALID_ARGUMENT && s <= WG_OUT_OF_MEMORY, "%s failed with status %d", who, s);
    REQUIRE(m && m[0] && strlen(m) < 1024, "%s failed (status %d) without a message", who, s);
    REQUIRE(fi_hits == fi_late_hits || fi_host_hits > 0 || s == WG_OUT_OF_MEMORY,
            "%s: an allocation failed but the status is %d (%s), not OUT_OF_MEMORY", who, s, m);
}

static void check_ok(const char *who) {
    REQUIRE(wg_status() == WG_OK, "%s succeeded but wg_status() is %d (%s)", who, wg_status(), wg_message());
    REQUIRE(wg_message()[0] == 0, "%s succeeded but left a message: %s", who, wg_message());
}

static int free_slot(void) {
    int start = pick(POOL);
    for (int i = 0; i < POOL; i++) if (!pool[(start + i) % POOL]) return (start + i) % POOL;
    return -1;
}

/* nothing may change a tensor that exists: each one is checked against the hash it had on
 * entering the pool when it leaves it (and x after each step), which is as strict as checking
 * after every step (tensors are never modified later) at a fraction of the cost */
static void verify(int i) {
    if (pool[i]) REQUIRE(tensor_hash(pool[i]) == pool_hash[i], "the tensor in slot %d was changed", i);
}

static void drop(int i) {
    if (!pool[i]) return;
    verify(i);
    wg_release(pool[i]);
    pool[i] = NULL;
    held--;
}

/* never evicts: the step may still use every pool tensor, so a full pool drops t instead */
static void put(wg_tensor *t) {
    int i = free_slot();
    if (wg_tensor_size(t) > MAX_ELEMS || i < 0) { wg_release(t); return; }
    pool[i] = t;
    pool_hash[i] = tensor_hash(t);
    held++;
}

/* a random pool tensor, or NULL if the pool is empty */
static wg_tensor *any(void) {
    int start = pick(POOL);
    for (int i = 0; i < POOL; i++) if (pool[(start + i) % POOL]) return pool[(start + i) % POOL];
    return NULL;
}

/* the expected result, when the step knows it: dtype < 0 or ndim < 0 means "not checked" */
typedef struct { int dtype, ndim; int32_t shape[WG_MAX_DIMS]; } expect;
static const expect ANY = { -1, -1, {0} };

static expect like(wg_tensor *x) {
    expect e = { wg_tensor_dtype(x), wg_tensor_ndim(x), {0} };
    memcpy(e.shape, wg_tensor_shape(x), sizeof(int32_t) * (size_t)e.ndim);
    return e;
}

/* takes over the result of an API call that returns a tensor */
static void result(wg_tensor *t, const char *who, expect e) {
    fi_disarm();
    TRACE("  %s -> %p%s%s", who, (void *)t, t ? "" : " error: ", t ? "" : wg_message());
    if (!t) { check_error(who); return; }
    check_ok(who);
    check_tensor(t, who);
    if (e.dtype >= 0) REQUIRE(wg_tensor_dtype(t) == e.dtype, "%s: dtype %d, expected %d", who, wg_tensor_dtype(t), e.dtype);
    if (e.ndim >= 0) {
        REQUIRE(wg_tensor_ndim(t) == e.ndim, "%s: %d dims, expected %d", who, wg_tensor_ndim(t), e.ndim);
        REQUIRE(memcmp(wg_tensor_shape(t), e.shape, sizeof(int32_t) * (size_t)e.ndim) == 0, "%s: wrong shape", who);
    }
    put(t);
}

static void status_result(int st, const char *who) {
    fi_disarm();
    TRACE("  %s -> %d %s", who, st, wg_message());
    if (st != WG_OK) {
        REQUIRE(st == wg_status(), "%s returned %d but wg_status() is %d", who, st, wg_status());
        check_error(who);
    } else {
        check_ok(who);
    }
}

/* ---- argument generators --------------------------------------------------------------- */
static int dtype_arg(void) {
    unsigned k = u8() % 16;
    return k < 5 ? WG_F32 : k < 10 ? WG_F64 : k < 14 ? WG_I32 : k == 14 ? 3 : -1;
}

static int small_dim(void) {
    static const int32_t DIMS[] = { 0, 1, 1, 2, 2, 3, 3, 4, 5, 1, 2, 3, 6, 7, 1, 2 };
    return DIMS[u8() % 16];
}

/* a shape of up to 4 small dims; rarely an invalid or huge one */
static int shape_arg(int32_t *shape) {
    unsigned k = u8();
    if (k < 240) {
        int nd = pick(5);
        for (int d = 0; d < nd; d++) shape[d] = small_dim();
        return nd;
    }
    static const int32_t HUGE_DIMS[] = { -1, -5, 65536, 1 << 20, INT32_MAX, 46341, 0, 1 << 30 };
    int nd = k == 255 ? 9 : 1 + pick(3);
    if (nd > WG_MAX_DIMS) { for (int d = 0; d < nd; d++) shape[d] = 1; return k % 2 ? -1 : nd; }
    double elems = 1;
    for (int d = 0; d < nd; d++) {
        shape[d] = coin() ? HUGE_DIMS[pick(8)] : small_dim();
        elems *= shape[d] < 0 ? 1 : shape[d];
    }
    /* a shape that fits but is large would make the run slow: make it empty instead */
    if (elems > MAX_ELEMS && elems <= (double)(1 << 29)) shape[0] = 0;
    return nd;
}

static int axis_arg(int ndim) {
    unsigned k = u8() % 16;
    if (k < 12) return ndim > 0 ? (int)(u8() % (unsigned)(2 * ndim)) - ndim : 0;
    static const int WILD[] = { -9, 8, 100, INT32_MIN };
    return WILD[k - 12];
}

static int axes_arg(int ndim, int32_t *axes) {
    unsigned k = u8() % 8;
    if (k < 2) return -1;
    int n = k < 7 ? pick(ndim + 1) : pick(10);
    for (int i = 0; i < n; i++) axes[i] = axis_arg(ndim);
    return n;
}

static int op_of_class(int cls) {
    if (u8() % 32 == 0) { static const int BAD[] = { -1, WG_OP_COUNT, 1000, INT32_MIN }; return BAD[pick(4)]; }
    if (u8() % 16 == 0) return pick(WG_OP_COUNT); /* any op, perhaps of another class */
    int ops[WG_OP_COUNT], n = 0; /* uniformly among the operators of the class */
    for (int op = 0; op < wg_op_count(); op++) if (wg_op_class(op) == cls) ops[n++] = op;
    return n ? ops[pick(n)] : 0;
}

/* ---- expected shapes ------------------------------------------------------------------ */
static int promote(int a, int b) {
    return a == WG_F64 || b == WG_F64 ? WG_F64 : a == WG_F32 || b == WG_F32 ? WG_F32 : WG_I32;
}

/* the shape a broadcasts with b to (as if they broadcast), in a's dtype */
static expect broadcast_with(expect a, wg_tensor *b) {
    expect e = { a.dtype, 0, {0} };
    int na = a.ndim, nb = wg_tensor_ndim(b);
    e.ndim = na > nb ? na : nb;
    for (int d = 0; d < e.ndim; d++) {
        int da = d - (e.ndim - na), db = d - (e.ndim - nb);
        int32_t sa = da >= 0 ? a.shape[da] : 1, sb = db >= 0 ? wg_tensor_shape(b)[db] : 1;
        e.shape[d] = sa == 1 ? sb : sa;
    }
    return e;
}

static expect broadcast(wg_tensor *a, wg_tensor *b, int dtype) {
    expect e = like(a);
    e.dtype = dtype;
    return broadcast_with(e, b);
}

static expect reduced(wg_tensor *x, int naxes, const int32_t *axes, int keepdims, int dtype) {
    int nd = wg_tensor_ndim(x);
    uint32_t mask = 0;
    if (naxes < 0) mask = (1u << nd) - 1;
    for (int i = 0; i < naxes; i++) {
        int a = axes[i] < 0 ? axes[i] + nd : axes[i];
        if (a < 0 || a >= nd) return ANY; /* an error is expected */
        mask |= 1u << a;
    }
    expect e = { dtype, 0, {0} };
    for (int d = 0; d < nd; d++) {
        if (!(mask & (1u << d))) e.shape[e.ndim++] = wg_tensor_shape(x)[d];
        else if (keepdims) e.shape[e.ndim++] = 1;
    }
    return e;
}

/* ---- custom functions: this harness is the host ---------------------------------------- */
static int custom_next;
static int custom_released[MAX_CUSTOM];

void wg_host_release(int32_t fn) {
    REQUIRE(fn >= 0 && fn < custom_next, "wg_host_release(%d): not an id given to wg_custom", fn);
    REQUIRE(custom_released[fn] == 0, "wg_host_release(%d): released twice", fn);
    custom_released[fn]++;
}

int wg_host_vjp(int32_t fn, wg_tensor *g, int nin, wg_tensor *const *inputs, const int32_t *needs, wg_tensor **gin) {
    REQUIRE(fn >= 0 && fn < custom_next && !custom_released[fn], "wg_host_vjp(%d) on a released function", fn);
    REQUIRE(g != NULL, "wg_host_vjp: no output gradient");
    check_tensor(g, "wg_host_vjp g");
    for (int i = 0; i < nin; i++) REQUIRE(inputs[i] != NULL, "wg_host_vjp: input %d is NULL", i);
    in_host++;
    int status = WG_OK;
    switch (pick(10)) {
    case 0: case 1: case 2: case 3: /* a proper gradient for each needed input: 2 * x * sum(g) */
        for (int i = 0; i < nin; i++) {
            if (!needs[i]) continue;
            wg_tensor *s = wg_reduce(WG_OP_SUM, g, -1, NULL, 0);
            gin[i] = s ? wg_binary(WG_OP_MUL, inputs[i], s) : NULL;
            wg_release(s);
            if (!gin[i]) { status = wg_status(); break; }
        }
        break;
    case 4: break; /* all zero */
    case 5: { /* an error of its own, with any status */
        static const int ST[] = { 0, 1, 6, 7, 99, -3 };
        wg_set_error(ST[pick(6)], coin() ? "host: backward failed" : "");
        status = coin() ? wg_status() : WG_NOT_DIFFERENTIABLE;
        break;
    }
    case 6: /* the output gradient where an input gradient belongs (wrong shape unless equal) */
        for (int i = 0; i < nin; i++) if (coin()) gin[i] = wg_retain(g);
        break;
    case 7: /* fails without setting an error */
        status = WG_INVALID_ARGUMENT + pick(7);
        break;
    case 8: { /* re-enters the engine: refused */
        wg_tensor *out = NULL;
        int st = coin() ? wg_backward(1, &g, NULL, 0, -1) : wg_grad(1, &g, NULL, 1, &g, &out, 0, 0, -1, 1);
        REQUIRE(st != WG_OK && out == NULL, "the engine ran inside a host callback");
        break;
    }
    default: /* a gradient for every input, needed or not, recorded or not */
        for (int i = 0; i < nin; i++) {
            int was = wg_set_recording(coin());
            gin[i] = wg_unary(WG_OP_NEG, inputs[i]);
            wg_set_recording(was);
        }
        break;
    }
    in_host--;
    return status;
}

/* ---- the steps ------------------------------------------------------------------------ */
enum {
    S_EMPTY, S_FULL, S_ARANGE, S_LINSPACE, S_EYE, S_RANDOM, S_UNARY, S_BINARY, S_BINARY_SCALAR, S_REDUCE,
    S_MEAN_LSE_NORM, S_CLIP, S_WHERE, S_ASTYPE, S_RESHAPE, S_TRANSPOSE, S_BROADCAST, S_EXPAND_SQUEEZE,
    S_CONCAT_STACK, S_SLICE, S_FLIP, S_TAKE, S_MATMUL_DOT, S_FC, S_SOFTMAX, S_SCE, S_RECORD, S_ATTACH,
    S_GRAD_OF, S_DETACH, S_BACKWARD, S_GRAD, S_RETAIN, S_RELEASE, S_CUSTOM, S_FAULT, S_CHAIN, S_QUERY, S_COUNT
};

static void fill(wg_tensor *t) {
    int dtype = wg_tensor_dtype(t);
    int32_t n = wg_tensor_size(t);
    void *p = wg_tensor_data(t);
    int mode = pick(3);
    for (int32_t i = 0; i < n; i++) {
        double v = mode == 0 ? value() : mode == 1 ? (double)(int)(u8() % 7) - 3 : (double)(int8_t)u8() / 16;
        if (dtype == WG_F32) ((float *)p)[i] = (float)v;
        else if (dtype == WG_F64) ((double *)p)[i] = v;
        else ((int32_t *)p)[i] = (int32_t)(u8() % 9) - 4;
    }
}

/* a block of t as the binding reads it out, while t may still be deferred (a chain of cheap
 * operators): its elements once computed; a range past the end is refused */
static void read_block(wg_tensor *t) {
    size_t es = esize(wg_tensor_dtype(t));
    int32_t size = wg_tensor_size(t), first = size ? (int32_t)(u16() % (unsigned)size) : 0;
    int32_t count = (int32_t)(u16() % 72) - 8; /* now and then negative or past the end */
    const void *block = wg_tensor_read_block(t, first, count);
    int valid = count >= 0 && count <= size - first;
    REQUIRE(!block == !valid, "wg_tensor_read_block(%d, %d) of %d elements: %s", first, count, size,
            block ? "accepted" : wg_message());
    if (!block) { check_error("wg_tensor_read_block"); return; }
    unsigned char copy[64 * 8];
    memcpy(copy, block, (size_t)count * es);
    REQUIRE(memcmp(copy, (const char *)wg_tensor_data(t) + (size_t)first * es, (size_t)count * es) == 0,
            "wg_tensor_read_block: not the array's elements %d to %d", first, first + count);
}

/* t read out whole, in order, in blocks of random sizes, as the binding reads a large array:
 * the blocks are its elements (an array the core holds too, e.g. a gradient, stops being
 * deferred on the way: its data written as it was read) */
static void read_out(wg_tensor *t) {
    static unsigned char got[4096 * 8];
    size_t es = esize(wg_tensor_dtype(t));
    int32_t size = wg_tensor_size(t);
    if ((size_t)size * es > sizeof got) return;
    for (int32_t first = 0; first < size;) {
        int32_t count = 1 + (int32_t)(u8() % 72);
        if (count > size - first) count = size - first;
        const void *block = wg_tensor_read_block(t, first, count);
        REQUIRE(block != NULL, "wg_tensor_read_block(%d, %d) of %d elements: %s", first, count, size, wg_message());
        memcpy(got + (size_t)first * es, block, (size_t)count * es);
        first += count;
    }
    REQUIRE(memcmp(got, wg_tensor_data(t), (size_t)size * es) == 0, "wg_tensor_read_block: blocks read in order are not the array");
}

static void step(void) {
    int32_t shape[16], a1[16], a2[16], a3[16];
    wg_tensor *x = any(), *y, *z;
    int k = pick(S_COUNT);
    if (!x && k > S_RANDOM && k != S_FAULT) k = S_EMPTY;
    if (trace) {
        fprintf(stderr, "step %d, x = %p, pool:", k, (void *)x);
        for (int i = 0; i < POOL; i++) if (pool[i]) fprintf(stderr, " %d:%p", i, (void *)pool[i]);
        fputc('\n', stderr);
    }
    fi_arm();
    switch (k) {
    case S_EMPTY: {
        int dtype = dtype_arg(), nd = shape_arg(shape);
        wg_tensor *t = wg_empty(dtype, nd, shape);
        fi_disarm();
        if (t) { check_ok("wg_empty"); check_tensor(t, "wg_empty"); fill(t); }
        else check_error("wg_empty");
        if (t) put(t);
        break;
    }
    case S_FULL: {
        int dtype = dtype_arg(), nd = shape_arg(shape);
        double v = value();
        expect e = { dtype, nd, {0} };
        if (nd > 0 && nd <= WG_MAX_DIMS) memcpy(e.shape, shape, sizeof(int32_t) * (size_t)nd);
        result(wg_full(dtype, nd, shape, v), "wg_full", e);
        break;
    }
    case S_ARANGE: {
        double start = value(), stop = value(), st = value();
        double n = ceil((stop - start) / st);
        if (n > MAX_ELEMS && n < 3e9) stop = start; /* a big range that fits would only be slow */
        result(wg_arange(start, stop, st, dtype_arg()), "wg_arange", ANY);
        break;
    }
    case S_LINSPACE: {
        static const int32_t NUM[] = { 0, 1, 2, 5, 50, -1, INT32_MAX, 7 };
        result(wg_linspace(value(), value(), NUM[pick(8)], coin(), dtype_arg()), "wg_linspace", ANY);
        break;
    }
    case S_EYE: {
        static const int32_t N[] = { 0, 1, 2, 3, 5, -1, INT32_MAX, 65536 };
        int32_t n = N[pick(8)], m = N[pick(8)];
        if ((int64_t)n * m > MAX_ELEMS && (int64_t)n * m < ((int64_t)1 << 29)) n = 0;
        result(wg_eye(n, m, axis_arg(4), dtype_arg()), "wg_eye", ANY);
        break;
    }
    case S_RANDOM: {
        if (coin()) wg_random_seed((double)u16() * (coin() ? 1 : 137438953472.0)); /* up to 2^53 */
        int dtype = dtype_arg(), nd = shape_arg(shape);
        double a = value(), b = value();
        if (coin()) result(wg_random_uniform(a, b, dtype, nd, shape), "wg_random_uniform", ANY);
        else result(wg_random_normal(a, b, dtype, nd, shape), "wg_random_normal", ANY);
        break;
    }
    case S_UNARY: {
        int op = op_of_class(WG_CLASS_UNARY);
        result(wg_unary(op, x), "wg_unary", like(x));
        break;
    }
    case S_BINARY: {
        int op = op_of_class(coin() ? WG_CLASS_BINARY : WG_CLASS_COMPARE);
        y = any();
        expect e = broadcast(x, y, promote(wg_tensor_dtype(x), wg_tensor_dtype(y)));
        result(wg_binary(op, x, y), "wg_binary", e);
        break;
    }
    case S_BINARY_SCALAR: {
        int op = op_of_class(coin() ? WG_CLASS_BINARY : WG_CLASS_COMPARE);
        result(wg_binary_scalar(op, x, value(), coin()), "wg_binary_scalar", like(x));
        break;
    }
    case S_REDUCE: {
        int op = op_of_class(WG_CLASS_REDUCE), n = axes_arg(wg_tensor_ndim(x), a1), keep = coin();
        expect e = reduced(x, n, a1, keep, wg_tensor_dtype(x));
        result(wg_reduce(op, x, n, a1, keep), "wg_reduce", e);
        break;
    }
    case S_MEAN_LSE_NORM: {
        int n = axes_arg(wg_tensor_ndim(x), a1), keep = coin(), which = pick(3);
        expect e = reduced(x, n, a1, keep, wg_tensor_dtype(x));
        if (which == 0) result(wg_mean(x, n, a1, keep), "wg_mean", e);
        else if (which == 1) result(wg_logsumexp(x, n, a1, keep), "wg_logsumexp", e);
        else result(wg_norm(x, value(), n, a1, keep), "wg_norm", e);
        break;
    }
    case S_CLIP: {
        double lo = coin() ? NAN : value(), hi = coin() ? NAN : value();
        result(wg_clip(x, lo, hi), "wg_clip", like(x));
        break;
    }
    case S_WHERE: {
        y = any(); z = any();
        wg_tensor *c = any();
        /* three broadcast operands of up to MAX_ELEMS each can make a result of billions of
           elements that still fits: skip those, which would only be slow (76 s seen) */
        expect all = broadcast_with(broadcast(c, y, WG_F32), z);
        double elems = shape_size(all.ndim, all.shape);
        if (elems > 64.0 * MAX_ELEMS && elems <= (double)(1 << 29)) break;
        result(wg_where(c, y, z), "wg_where", ANY);
        break;
    }
    case S_ASTYPE: {
        int dtype = dtype_arg();
        expect e = like(x);
        e.dtype = dtype;
        result(wg_astype(x, dtype), "wg_astype", e);
        break;
    }
    case S_RESHAPE: {
        int nd = pick(16) == 0 ? pick(12) - 1 : pick(5);
        for (int d = 0; d < 16; d++) shape[d] = pick(12) == 0 ? -1 - pick(2) : small_dim();
        if (coin() && nd > 0) { /* often a valid one: the size times ones, or with a -1 */
            for (int d = 0; d < nd; d++) shape[d] = 1;
            shape[pick(nd)] = coin() ? wg_tensor_size(x) : -1;
        }
        wg_tensor *r = wg_reshape(x, nd, shape);
        if (r) REQUIRE(wg_tensor_size(r) == wg_tensor_size(x), "wg_reshape changed the size");
        result(r, "wg_reshape", ANY);
        break;
    }
    case S_TRANSPOSE: {
        int nd = wg_tensor_ndim(x), n = coin() ? nd : pick(10) == 0 ? pick(10) : 0;
        for (int d = 0; d < 16; d++) a1[d] = d < nd ? d : 0;
        for (int d = nd - 1; d > 0; d--) { int j = pick(d + 1); int32_t t = a1[d]; a1[d] = a1[j]; a1[j] = t; }
        if (pick(8) == 0) a1[pick(16)] = axis_arg(nd);
        if (coin()) for (int d = 0; d < nd; d++) if (coin() && a1[d] >= 0 && a1[d] < nd) a1[d] -= nd; /* negative axes */
        expect e = like(x);
        for (int d = 0; d < nd; d++) {
            int p = n == 0 ? nd - 1 - d : a1[d] < 0 ? a1[d] + nd : a1[d];
            e.shape[d] = p >= 0 && p < nd ? wg_tensor_shape(x)[p] : 0;
        }
        result(wg_transpose(x, n, a1), "wg_transpose", e);
        break;
    }
    case S_BROADCAST: {
        int nd = wg_tensor_ndim(x), extra = pick(3), tnd = nd + extra - (pick(8) == 0);
        if (tnd < 0) tnd = 0;
        if (pick(16) == 0) tnd = 9;
        for (int d = 0; d < 16; d++) shape[d] = small_dim();
        for (int d = 0; d < nd && d + extra < 16; d++) /* mostly a valid target */
            if (pick(6)) shape[d + extra] = wg_tensor_shape(x)[d] == 1 ? small_dim() : wg_tensor_shape(x)[d];
        if (pick(16) == 0) shape[pick(tnd > 0 ? tnd : 1)] = -pick(3);
        if (tnd <= WG_MAX_DIMS && shape_size(tnd, shape) > MAX_ELEMS) break;
        expect e = { wg_tensor_dtype(x), tnd, {0} };
        if (tnd <= WG_MAX_DIMS) memcpy(e.shape, shape, sizeof(int32_t) * (size_t)tnd);
        result(wg_broadcast_to(x, tnd, shape), "wg_broadcast_to", e);
        break;
    }
    case S_EXPAND_SQUEEZE: {
        if (coin()) {
            wg_tensor *r = wg_expand_dims(x, axis_arg(wg_tensor_ndim(x) + 1));
            if (r) REQUIRE(wg_tensor_ndim(r) == wg_tensor_ndim(x) + 1, "wg_expand_dims: wrong rank");
            result(r, "wg_expand_dims", ANY);
        } else {
            int n = axes_arg(wg_tensor_ndim(x), a1);
            wg_tensor *r = wg_squeeze(x, n, a1);
            if (r) REQUIRE(wg_tensor_size(r) == wg_tensor_size(x), "wg_squeeze changed the size");
            result(r, "wg_squeeze", ANY);
        }
        break;
    }
    case S_CONCAT_STACK: {
        wg_tensor *xs[6] = { x, x, x, x, x, x };
        int n = pick(16) == 0 ? 0 : 1 + pick(5);
        for (int i = 0; i < n; i++) xs[i] = any();
        int axis = axis_arg(wg_tensor_ndim(xs[0] ? xs[0] : x) + 1);
        if (n && coin()) { /* stack the same shape: take copies of xs[0] */
            for (int i = 1; i < n; i++) if (coin()) xs[i] = xs[0];
        }
        if (coin()) result(wg_concat(n, xs, axis), "wg_concat", ANY);
        else result(wg_stack(n, xs, axis), "wg_stack", ANY);
        break;
    }
    case S_SLICE: {
        int nd = wg_tensor_ndim(x), n = pick(10) == 0 ? pick(11) - 1 : pick(nd + 1);
        static const int32_t IDX[] = { 0, 1, 2, -1, -2, 3, 5, 100, -100, INT32_MAX, INT32_MIN, INT32_MAX - 1 };
        static const int32_t STEP[] = { 1, 1, 1, 2, -1, -2, 3, 0, INT32_MAX, INT32_MIN, -1, 1 };
        for (int d = 0; d < 16; d++) { a1[d] = IDX[pick(12)]; a2[d] = IDX[pick(12)]; a3[d] = STEP[pick(12)]; }
        wg_tensor *r = wg_slice(x, n, a1, a2, a3);
        if (r) REQUIRE(wg_tensor_ndim(r) == nd, "wg_slice changed the rank");
        result(r, "wg_slice", ANY);
        break;
    }
    case S_FLIP: {
        int n = axes_arg(wg_tensor_ndim(x), a1);
        result(wg_flip(x, n, a1), "wg_flip", like(x));
        break;
    }
    case S_TAKE: {
        wg_tensor *idx = NULL;
        int fresh = 0;
        if (coin()) idx = any();
        else {
            fresh = 1;
            int nd = pick(3);
            for (int d = 0; d < nd; d++) shape[d] = small_dim();
            idx = wg_empty(WG_I32, nd, shape);
            if (!idx) { fi_disarm(); check_error("wg_empty"); break; }
            int32_t *p = wg_tensor_data(idx);
            for (int32_t i = 0; i < wg_tensor_size(idx); i++) p[i] = (int32_t)(int8_t)u8() % 8;
            if (pick(16) == 0 && wg_tensor_size(idx)) p[0] = coin() ? INT32_MIN : INT32_MAX;
        }
        result(wg_take(x, idx, axis_arg(wg_tensor_ndim(x))), "wg_take", ANY);
        if (fresh) put(idx);
        break;
    }
    case S_MATMUL_DOT:
        y = any();
        if (coin()) result(wg_matmul(x, y), "wg_matmul", ANY);
        else result(wg_dot(x, y), "wg_dot", ANY);
        break;
    case S_FC:
        y = any();
        result(wg_fully_connected(x, y, coin() ? NULL : any()), "wg_fully_connected", ANY);
        break;
    case S_SOFTMAX: {
        int axis = axis_arg(wg_tensor_ndim(x));
        if (coin()) result(wg_softmax(x, axis), "wg_softmax", like(x));
        else result(wg_log_softmax(x, axis), "wg_log_softmax", like(x));
        break;
    }
    case S_SCE: {
        y = any();
        wg_tensor *labels = NULL;
        if (coin() && wg_tensor_ndim(x) == 2) { /* good labels */
            shape[0] = wg_tensor_shape(x)[0];
            y = labels = wg_empty(WG_I32, 1, shape);
            if (!y) { fi_disarm(); check_error("wg_empty"); break; }
            int32_t c = wg_tensor_shape(x)[1];
            for (int32_t i = 0; i < shape[0]; i++) ((int32_t *)wg_tensor_data(y))[i] = c ? (int32_t)(u8() % (unsigned)c) : 0;
        }
        result(wg_softmax_cross_entropy(x, y), "wg_softmax_cross_entropy", ANY);
        if (labels) put(labels);
        break;
    }
    case S_RECORD:
        fi_disarm();
        if (coin()) wg_set_recording(coin() || coin());
        else wg_set_training(coin());
        break;
    case S_ATTACH: {
        int req = pick(8) == 0 ? pick(5) - 1 : coin();
        status_result(wg_attach_grad(x, req), "wg_attach_grad");
        break;
    }
    case S_GRAD_OF: {
        wg_tensor *g = wg_grad_of(x);
        fi_disarm();
        if (!g) { REQUIRE(wg_status() == WG_OK, "wg_grad_of failed"); break; }
        if (coin()) read_out(g);
        expect e = like(x);
        result(g, "wg_grad_of", e);
        break;
    }
    case S_DETACH:
        REQUIRE(wg_is_recorded(x) == 0 || wg_is_recorded(x) == 1, "wg_is_recorded");
        result(wg_detach(x), "wg_detach", like(x));
        break;
    case S_BACKWARD:
    case S_GRAD: {
        wg_tensor *heads[4], *hg[4], *vars[4], *out[4];
        int nh = pick(16) == 0 ? 0 : 1 + pick(3), nv = pick(16) == 0 ? 0 : 1 + pick(3);
        for (int i = 0; i < 4; i++) {
            heads[i] = any();
            hg[i] = coin() ? NULL : coin() ? heads[i] : any();
            vars[i] = any();
            out[i] = (wg_tensor *)(uintptr_t)0x1; /* must be overwritten */
        }
        int use_hg = coin(), retain = coin(), create = coin(), train = pick(3) - 1, unused = coin();
        if (k == S_BACKWARD) {
            status_result(wg_backward(nh, heads, use_hg ? hg : NULL, retain, train), "wg_backward");
            break;
        }
        int st = wg_grad(nh, heads, use_hg ? hg : NULL, nv, vars, out, retain, create, train, unused);
        status_result(st, "wg_grad");
        for (int j = 0; j < nv; j++) {
            if (st != WG_OK) { REQUIRE(out[j] == NULL, "wg_grad failed but filled out[%d]", j); continue; }
            REQUIRE(out[j] != NULL, "wg_grad: no gradient for variable %d", j);
            check_tensor(out[j], "wg_grad out");
            expect e = like(vars[j]);
            REQUIRE(wg_tensor_dtype(out[j]) == e.dtype && wg_tensor_ndim(out[j]) == e.ndim &&
                    memcmp(wg_tensor_shape(out[j]), e.shape, sizeof(int32_t) * (size_t)e.ndim) == 0,
                    "wg_grad: gradient %d is not shaped like its variable", j);
            put(out[j]);
        }
        break;
    }
    case S_RETAIN: {
        fi_disarm();
        wg_tensor *r = wg_retain(x);
        REQUIRE(r == x, "wg_retain returned another tensor");
        put(r);
        break;
    }
    case S_RELEASE:
        fi_disarm();
        for (int n = 1 + pick(3); n > 0; n--) drop(pick(POOL));
        break;
    case S_CUSTOM: {
        if (custom_next >= MAX_CUSTOM) { fi_disarm(); break; }
        wg_tensor *ins[4];
        int nin = pick(4);
        for (int i = 0; i < nin; i++) ins[i] = any();
        int fn = custom_next++;
        wg_tensor *r = wg_custom(fn, nin, ins, x);
        if (!r) REQUIRE(custom_released[fn] == 1, "wg_custom failed but kept function %d", fn);
        else if (!wg_is_recorded(r)) REQUIRE(custom_released[fn] == 1, "wg_custom recorded nothing but kept %d", fn);
        else REQUIRE(custom_released[fn] == 0, "wg_custom released a recorded function %d", fn);
        result(r, "wg_custom", like(x));
        break;
    }
    case S_FAULT:
        fi_disarm();
        fi_armed_next = 1;
        break;
    case S_CHAIN: { /* a deep graph: 32..223 operators in a row (the engine's stacks grow past 64) */
        int n = 32 + (int)u16() % 192, op = coin() ? WG_OP_NEG : WG_OP_SIN;
        wg_tensor *h = wg_retain(x);
        for (int i = 0; h && i < n; i++) {
            wg_tensor *next = i % 3 == 2 ? wg_binary(WG_OP_ADD, h, x) : wg_unary(op, h);
            wg_release(h);
            h = next;
        }
        fi_disarm();
        if (h) { check_ok("chain"); check_tensor(h, "chain"); if (coin()) read_out(h); else read_block(h); put(h); }
        else check_error("chain");
        break;
    }
    default: { /* queries and stats */
        fi_disarm();
        double st[4];
        wg_memory_stats(st);
        REQUIRE(st[0] == held, "wg_memory_stats: %g handles counted, the harness holds %d", st[0], held);
        REQUIRE(st[1] >= 0 && st[2] >= 0 && st[3] == st[1] + st[2], "wg_memory_stats: inconsistent bytes");
        REQUIRE(wg_is_variable(x) == 0 || wg_is_variable(x) == 1, "wg_is_variable");
        REQUIRE(wg_is_recording() == 0 || wg_is_recording() == 1, "wg_is_recording");
        REQUIRE(wg_is_training() == 0 || wg_is_training() == 1, "wg_is_training");
        const char *name = wg_op_name(pick(WG_OP_COUNT + 2) - 1);
        REQUIRE(name != NULL, "wg_op_name returned NULL");
        /* now and then fusion off (every waiting program runs at once) or back on: the rest of
           the program then runs with deferred operators or without */
        if (pick(8) == 0) {
            int on = coin();
            TRACE("  wg_set_fusion(%d)", on);
            wg_set_fusion(on);
        }
        break;
    }
    }
    fi_disarm();
    for (int i = 0; i < POOL; i++) if (pool[i] == x) { verify(i); break; }
}

/* one program: the steps, then everything released and checked */
static void run_program(const uint8_t *data, size_t size) {
    in_data = data;
    in_size = size;
    in_pos = 0;
    custom_next = 0;
    memset(custom_released, 0, sizeof custom_released);
    wg_set_recording(0);
    wg_set_training(0);
    wg_set_fusion(1);
    wg_clear_error();
    for (int s = 0; s < MAX_STEPS && in_pos < in_size; s++) step();
    REQUIRE(in_host == 0, "host callback depth");
    fi_disarm();
    fi_armed_next = 0;
    /* release in a random order */
    for (int n = 0; n < 2 * POOL && held; n++) drop(pick(POOL));
    for (int i = 0; i < POOL; i++) drop(i);
    double st[4];
    wg_memory_stats(st);
    REQUIRE(st[0] == 0 && st[3] == 0, "after releasing everything: %g handles, %g storage bytes still live "
            "(a leak or a reference cycle)", st[0], st[3]);
    for (int fn = 0; fn < custom_next; fn++)
        REQUIRE(custom_released[fn] == 1, "custom function %d was never released", fn);
    wg_set_recording(0);
}

/* An input may hold several programs separated by SEPARATOR, each run from a clean state:
 * that packs the committed seed corpus (tests/fuzz/corpus/) into a few files. */
#define SEPARATOR "\n--wg--\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int once;
    if (!once) { once = 1; trace = getenv("FUZZ_TRACE") != NULL; }
    const size_t seplen = sizeof SEPARATOR - 1;
    for (;;) {
        const uint8_t *sep = size >= seplen ? memmem(data, size, SEPARATOR, seplen) : NULL;
        size_t n = sep ? (size_t)(sep - data) : size;
        run_program(data, n);
        if (!sep) return 0;
        data += n + seplen;
        size -= n + seplen;
    }
}

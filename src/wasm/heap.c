/* heap.c: malloc, free, calloc, realloc and aligned_alloc for the wasi build (CMakeLists.txt).
 *
 * Why our own: wasi-libc's dlmalloc is ~4.5 KB gzip of the module; this is a fraction of
 * that and keeps what wasmgrad needs:
 *   - 16-byte aligned payloads (SIMD loads, tensor data);
 *   - reuse: freed blocks merge with free neighbours at once (boundary tags), so a training
 *     loop that frees what it allocates runs in the same memory forever;
 *   - NULL (OUT_OF_MEMORY in the API), never a trap, when memory.grow fails.
 *
 * Layout: one heap from __heap_base to the end of memory, cut into chunks that tile it.
 * A chunk is an 8-byte header { size of the previous chunk, own size | IN_USE } followed by
 * its payload, so payloads sit at 16n and chunks at 16n + 8. Chunk sizes are multiples of 16.
 * The last 8 bytes of memory hold a header of size 0 marked in use (the "end"), which stops
 * merging forwards; the first chunk has prev 0, which stops merging backwards.
 * Free chunks sit in doubly linked lists by size class (exact up to 512 bytes, then four
 * classes per power of two) with a bitmap of non-empty classes: a request takes the first
 * fitting chunk of its class, else any chunk of the next non-empty class (which always fits),
 * and splits off the rest. Without one, memory grows and the new pages join the last chunk.
 *
 * Native builds use the C library's malloc; tests/c/test_heap.c compiles this file natively
 * with WG_HEAP_NAME and WG_HEAP_ARENA defined, on an arena of its own. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef WG_HEAP_NAME
#define WG_HEAP_NAME(f) f
#endif

#define PAGE 65536u

/* WG_HEAP_BASE: where the heap may start; WG_HEAP_LIMIT(): the address after the last byte
 * of memory (up to 2^32); WG_HEAP_GROW(pages): adds pages, returns the old limit, or
 * UINT64_MAX when memory cannot grow. */
#ifndef WG_HEAP_ARENA /* defined by tests/c/test_heap.c with its own three */
extern unsigned char __heap_base;
#define WG_HEAP_BASE ((uintptr_t)&__heap_base)
#define WG_HEAP_LIMIT() ((uint64_t)__builtin_wasm_memory_size(0) * PAGE)
static uint64_t WG_HEAP_GROW(uint64_t pages) {
    size_t old = pages <= 65536 ? __builtin_wasm_memory_grow(0, (size_t)pages) : SIZE_MAX;
    return old == SIZE_MAX ? UINT64_MAX : (uint64_t)old * PAGE;
}
#endif

#define IN_USE 1u
/* header + the two list links of a free chunk: 16 on wasm32 (32 in the native test) */
#define MIN_CHUNK ((uint32_t)(8 + 2 * sizeof(void *) + 15) & ~15u)
#define MAX_REQUEST 0xFFF00000u  /* keeps size arithmetic below 2^32 */
#define NCLASSES 128

typedef struct chunk {
    uint32_t prev;               /* size of the chunk before this one; 0 for the first */
    uint32_t head;               /* size | IN_USE */
    struct chunk *next, *back;   /* free-list links, only while free (inside the payload) */
} chunk;

static chunk *lists[NCLASSES];
static uint32_t nonempty[NCLASSES / 32];
static chunk *end;               /* the end header; NULL before the first call */

#define SIZE(c) ((c)->head & ~15u)
#define AFTER(c) ((chunk *)((char *)(c) + SIZE(c)))
#define PAYLOAD(c) ((void *)((char *)(c) + 8))
#define CHUNK(p) ((chunk *)((char *)(p) - 8))

static unsigned class_of(uint32_t size) {
    if (size <= 512) return size / 16 - 1;
    unsigned log = 31 - (unsigned)__builtin_clz(size);
    unsigned c = 32 + ((log - 9) << 2) + ((size >> (log - 2)) & 3);
    return c < NCLASSES ? c : NCLASSES - 1;
}

static void link_free(chunk *c) {
    unsigned k = class_of(SIZE(c));
    c->back = NULL;
    c->next = lists[k];
    if (c->next) c->next->back = c;
    lists[k] = c;
    nonempty[k / 32] |= 1u << (k % 32);
}

static void unlink_free(chunk *c) {
    if (c->next) c->next->back = c->back;
    if (c->back) {
        c->back->next = c->next;
    } else {
        unsigned k = class_of(SIZE(c));
        lists[k] = c->next;
        if (!c->next) nonempty[k / 32] &= ~(1u << (k % 32));
    }
}

/* Gives chunk c (not in a list, IN_USE clear or not) back: merges it with free neighbours. */
static void release(chunk *c) {
    uint32_t size = SIZE(c);
    chunk *n = AFTER(c);
    if (!(n->head & IN_USE)) {
        unlink_free(n);
        size += SIZE(n);
    }
    if (c->prev) {
        chunk *p = (chunk *)((char *)c - c->prev);
        if (!(p->head & IN_USE)) {
            unlink_free(p);
            size += SIZE(p);
            c = p;
        }
    }
    c->head = size;
    AFTER(c)->prev = size;
    link_free(c);
}

/* Marks free chunk c (already unlinked) in use with `size` bytes; the rest becomes free. */
static void *take(chunk *c, uint32_t size) {
    uint32_t rest = SIZE(c) - size;
    if (rest >= MIN_CHUNK) {
        chunk *r = (chunk *)((char *)c + size);
        r->prev = size;
        r->head = rest;
        AFTER(r)->prev = rest;
        link_free(r); /* the chunk after c is in use (free neighbours are always merged) */
        c->head = size | IN_USE;
    } else {
        c->head |= IN_USE;
    }
    return PAYLOAD(c);
}

/* The smallest chunk of a list that holds `size` bytes (best fit: big blocks stay whole). */
static chunk *fit(chunk *c, uint32_t size) {
    chunk *best = NULL;
    for (; c; c = c->next) {
        if (SIZE(c) >= size && (!best || SIZE(c) < SIZE(best))) {
            best = c;
            if (SIZE(c) == size) break;
        }
    }
    return best;
}

static int start(void) {
    uintptr_t first = ((WG_HEAP_BASE + 15) & ~(uintptr_t)15) + 8;
    uint64_t limit = WG_HEAP_LIMIT();
    if (first + 8 > limit) return 0;
    end = (chunk *)(uintptr_t)(limit - 8);
    end->prev = 0;
    end->head = IN_USE;
    if ((uintptr_t)end > first) { /* the space up to the end is the first free chunk */
        chunk *c = (chunk *)first;
        c->prev = 0;
        c->head = (uint32_t)((uintptr_t)end - first);
        end->prev = c->head;
        link_free(c);
    }
    return 1;
}

/* Grows memory so that the last chunk (merged with the new pages) holds `size` bytes. */
static int grow(uint32_t size) {
    chunk *last = end->prev ? (chunk *)((char *)end - end->prev) : NULL;
    uint64_t have = last && !(last->head & IN_USE) ? SIZE(last) : 0;
    uint64_t pages = have < size ? ((uint64_t)size - have + PAGE - 1) / PAGE : 1;
    /* Ask for an eighth of the memory more (fewer grow calls), or just enough if that fails. */
    uint64_t extra = WG_HEAP_LIMIT() / PAGE / 8;
    if (extra < pages) extra = pages;
    uint64_t old = WG_HEAP_GROW(extra);
    if (old == UINT64_MAX && extra > pages) old = WG_HEAP_GROW(extra = pages);
    if (old == UINT64_MAX) return 0;
    if (old != (uint64_t)(uintptr_t)end + 8) __builtin_trap(); /* someone else grew the memory */
    /* The old end header becomes a chunk of the new bytes, released like any other. */
    chunk *c = end;
    c->head = (uint32_t)(extra * PAGE);
    end = AFTER(c);
    end->prev = c->head;
    end->head = IN_USE;
    release(c);
    return 1;
}

void *WG_HEAP_NAME(malloc)(size_t n) {
    if (n > MAX_REQUEST || (!end && !start())) return NULL;
    uint32_t size = ((uint32_t)n + 8 + 15) & ~15u;
    if (size < MIN_CHUNK) size = MIN_CHUNK;
    for (;;) {
        unsigned k = class_of(size);
        chunk *best = fit(lists[k], size);
        /* else any chunk of a higher class is big enough: the first non-empty one */
        for (unsigned w = (k + 1) / 32; !best && w < NCLASSES / 32; w++) {
            uint32_t bits = nonempty[w];
            if (w == (k + 1) / 32) bits &= ~0u << ((k + 1) % 32);
            if (bits) best = fit(lists[w * 32 + (unsigned)__builtin_ctz(bits)], size);
        }
        if (best) {
            unlink_free(best);
            return take(best, size);
        }
        if (!grow(size)) return NULL;
    }
}

void WG_HEAP_NAME(free)(void *p) {
    if (!p) return;
    chunk *c = CHUNK(p);
    if (!(c->head & IN_USE)) __builtin_trap(); /* double free */
    c->head &= ~IN_USE;
    release(c);
}

void *WG_HEAP_NAME(calloc)(size_t count, size_t size) {
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) return NULL;
    void *p = WG_HEAP_NAME(malloc)(n);
    if (p) memset(p, 0, n);
    return p;
}

void *WG_HEAP_NAME(realloc)(void *p, size_t n) {
    if (!p) return WG_HEAP_NAME(malloc)(n);
    if (n > MAX_REQUEST) return NULL;
    chunk *c = CHUNK(p);
    uint32_t size = ((uint32_t)n + 8 + 15) & ~15u;
    if (size < MIN_CHUNK) size = MIN_CHUNK;
    if (SIZE(c) >= size) return p;
    chunk *next = AFTER(c);
    if (!(next->head & IN_USE) && SIZE(c) + SIZE(next) >= size) { /* grow in place */
        unlink_free(next);
        c->head = (SIZE(c) + SIZE(next)) | IN_USE;
        AFTER(c)->prev = SIZE(c);
        c->head &= ~IN_USE;
        return take(c, size);
    }
    void *q = WG_HEAP_NAME(malloc)(n);
    if (q) {
        memcpy(q, p, SIZE(c) - 8);
        WG_HEAP_NAME(free)(p);
    }
    return q;
}

/* Every payload is 16-aligned; wasmgrad asks for no more (tensor.c). */
void *WG_HEAP_NAME(aligned_alloc)(size_t align, size_t n) {
    return align <= 16 ? WG_HEAP_NAME(malloc)(n) : NULL;
}

int WG_HEAP_NAME(posix_memalign)(void **out, size_t align, size_t n) {
    if (align > 16) return 22; /* EINVAL */
    void *p = WG_HEAP_NAME(malloc)(n);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}

/* The wasi build's allocator (src/wasm/heap.c), compiled natively on an arena of its own:
 * alignment, contents kept by realloc, zeroed calloc, NULL (not a crash) when the arena
 * cannot grow, reuse after free (a steady loop does not grow the arena), and a random
 * mix of sizes from 1 byte to 4 MB checked against overlaps by filling every block. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define ARENA_MAX (256u << 20)
static unsigned char *arena;
static uint64_t arena_pages, arena_cap_pages = ARENA_MAX / 65536;

#define WG_HEAP_NAME(f) heap_##f
#define WG_HEAP_ARENA
#define WG_HEAP_BASE ((uintptr_t)arena + 40) /* a base that is not 16-aligned */
#define WG_HEAP_LIMIT() ((uint64_t)(uintptr_t)arena + arena_pages * 65536)
static uint64_t WG_HEAP_GROW(uint64_t pages) {
    if (arena_pages + pages > arena_cap_pages) return UINT64_MAX;
    uint64_t old = WG_HEAP_LIMIT();
    arena_pages += pages;
    return old;
}
#include "../../src/wasm/heap.c"

static uint32_t rng = 12345;
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

enum { SLOTS = 512 };
static unsigned char *ptr[SLOTS];
static size_t len[SLOTS];

/* every 61st byte and the last one: enough to see an overlap, fast on 4 MB blocks */
static int intact(int i) {
    for (size_t k = 0; k < len[i]; k += 61) if (ptr[i][k] != (unsigned char)(i + k)) return 0;
    return len[i] == 0 || ptr[i][len[i] - 1] == (unsigned char)(i + len[i] - 1);
}
static void fill(int i) {
    for (size_t k = 0; k < len[i]; k += 61) ptr[i][k] = (unsigned char)(i + k);
    if (len[i]) ptr[i][len[i] - 1] = (unsigned char)(i + len[i] - 1);
}

static size_t some_size(void) {
    switch (rnd() % 4) {
    case 0: return rnd() % 64;
    case 1: return rnd() % 1024;
    case 2: return rnd() % 65536;
    default: return rnd() % 5 == 0 ? (4u << 20) : rnd() % (1u << 20);
    }
}

int main(void) {
    arena = aligned_alloc(65536, ARENA_MAX);
    arena_pages = 2;

    /* alignment, calloc, realloc */
    for (size_t n = 0; n < 100; n++) {
        void *p = heap_malloc(n);
        CHECK(p && (uintptr_t)p % 16 == 0);
        heap_free(p);
    }
    unsigned char *z = heap_malloc(5000);
    memset(z, 0xAB, 5000);
    heap_free(z);
    z = heap_calloc(1000, 5);
    int zero = 1;
    for (int i = 0; i < 5000; i++) zero &= z[i] == 0;
    CHECK(zero);
    for (int i = 0; i < 5000; i++) z[i] = (unsigned char)i;
    z = heap_realloc(z, 100000);
    int kept = 1;
    for (int i = 0; i < 5000; i++) kept &= z[i] == (unsigned char)i;
    CHECK(kept);
    heap_free(z);
    CHECK(heap_calloc(SIZE_MAX / 2, 4) == NULL);
    CHECK(heap_aligned_alloc(16, 24) != NULL);

    /* random mix: no block overlaps another, realloc keeps contents */
    int ok = 1;
    for (int step = 0; step < 50000 && ok; step++) {
        int i = (int)(rnd() % SLOTS);
        if (ptr[i]) {
            ok &= intact(i);
            if (rnd() % 4 == 0) {
                size_t n = some_size();
                unsigned char *q = heap_realloc(ptr[i], n);
                if (!q) continue; /* arena full: the old block stays */
                size_t keep = n < len[i] ? n : len[i];
                for (size_t k = 0; k < keep; k += 61) ok &= q[k] == (unsigned char)(i + k);
                ptr[i] = q, len[i] = n;
                fill(i);
                continue;
            }
            heap_free(ptr[i]);
            ptr[i] = NULL;
        } else {
            len[i] = some_size();
            ptr[i] = heap_malloc(len[i]);
            if (ptr[i]) fill(i);
            ok &= ptr[i] == NULL || (uintptr_t)ptr[i] % 16 == 0;
        }
    }
    CHECK(ok);
    for (int i = 0; i < SLOTS; i++) heap_free(ptr[i]), ptr[i] = NULL;

    /* everything freed merges back into one chunk: a steady loop of big and small blocks stays put */
    uint64_t before = arena_pages;
    for (int round = 0; round < 2000; round++) {
        void *big = heap_malloc(4u << 20), *small[8];
        for (int k = 0; k < 8; k++) small[k] = heap_malloc(48 + 16 * (size_t)k);
        void *big2 = heap_malloc((4u << 20) + 16 * (size_t)(round % 7));
        CHECK(big && big2);
        for (int k = 0; k < 8; k++) heap_free(small[k]);
        heap_free(big);
        heap_free(big2);
    }
    CHECK(arena_pages == before);

    /* out of memory is NULL, and memory is usable afterwards */
    arena_cap_pages = arena_pages + 16;
    CHECK(heap_malloc(ARENA_MAX) == NULL);
    CHECK(heap_malloc(0xFFFFFFF0u) == NULL);
    void *p = heap_malloc(1000);
    CHECK(p != NULL);
    heap_free(p);

    free(arena);
    return check_summary("test_heap");
}

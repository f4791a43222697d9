/* fused.c: runs a chain of elementwise operators as one pass over memory.
 *
 * x * y + x as two kernels writes x * y out in full and reads it back; here the output is
 * walked in blocks of FUSED_BLOCK elements, each step of the program runs on the block (the
 * same unary and binary kernels as unfused, so results are bit for bit the same), and only
 * the last step writes to memory. Intermediate blocks stay in cache. */
#include <stdbool.h>
#include "kernels.h"

/* elements per block: 4 KB of float32 (8 of float64) per step, small enough for L1/L2, long enough
 * that the per-block kernel calls cost little */
#define FUSED_BLOCK 1024
/* + 2 doubles: the SIMD kernels may read a partial vector past the end (16 bytes) */
#define BUF_DOUBLES (FUSED_BLOCK + 2)

static double g_step_buf[WG_FUSE_STEPS][BUF_DOUBLES] __attribute__((aligned(16)));
static double g_splat_buf[BUF_DOUBLES] __attribute__((aligned(16)));

/* a value of the program for one block: where it is and whether it varies (stride 1) or is
 * one number for the whole block (stride 0) */
typedef struct { const void *p; ptrdiff_t stride; } block_value;

static void splat(int dtype, size_t n, const void *one, void *dst) {
    if (dtype == WG_F32) { float v = *(const float *)one; for (size_t i = 0; i < n; i++) ((float *)dst)[i] = v; }
    else { double v = *(const double *)one; for (size_t i = 0; i < n; i++) ((double *)dst)[i] = v; }
}

void wg_kernel_fused(int dtype, const wg_fuse_prog *p, const wg_loop *L, const void *const *leaves, void *out) {
    size_t es = dtype == WG_F64 ? 8 : 4;
    /* the constants in the program's dtype, each read with stride 0 */
    union { float f; double d; } consts[WG_FUSE_CONSTS];
    for (int c = 0; c < p->nconsts; c++) {
        if (dtype == WG_F32) consts[c].f = (float)p->consts[c];
        else consts[c].d = p->consts[c];
    }
    int32_t idx[WG_MAX_DIMS] = {0};
    ptrdiff_t off[WG_LOOP_OPS] = {0};
    int in = L->ndim - 1;
    size_t run = (size_t)L->shape[in];
    if (run == 0) return;
    block_value v[WG_FUSE_VALUES];
    do {
        for (size_t start = 0; start < run; start += FUSED_BLOCK) {
            size_t n = run - start < FUSED_BLOCK ? run - start : FUSED_BLOCK;
            /* leaves are contiguous arrays broadcast to the output, so along the innermost
               dimension of the walk each one has stride 1 or 0 */
            for (int k = 0; k < p->nleaves; k++) {
                ptrdiff_t s = L->stride[k + 1][in];
                v[k] = (block_value){ (const char *)leaves[k] + (off[k + 1] + (ptrdiff_t)start * s) * (ptrdiff_t)es, s };
            }
            for (int c = 0; c < p->nconsts; c++) v[WG_FUSE_LEAVES + c] = (block_value){ &consts[c], 0 };
            for (int j = 0; j < p->nsteps; j++) {
                const wg_fuse_step *st = &p->step[j];
                bool last = j == p->nsteps - 1;
                void *dst = last ? (char *)out + (off[0] + (ptrdiff_t)start) * (ptrdiff_t)es : (void *)g_step_buf[j];
                block_value a = v[st->arg[0]];
                if (st->nargs == 1) {
                    /* unary kernels take a contiguous input: spread a block-wide number first */
                    if (a.stride == 0) { splat(dtype, n, a.p, g_splat_buf); a.p = g_splat_buf; }
                    wg_kernel_unary(dtype, st->op, n, a.p, dst);
                } else {
                    block_value b = v[st->arg[1]];
                    wg_kernel_binary_run(dtype, st->op, n, a.p, a.stride, b.p, b.stride, dst);
                }
                v[WG_FUSE_STEP0 + j] = (block_value){ dst, 1 };
            }
        }
    } while (wg_loop_step(L, idx, off));
}

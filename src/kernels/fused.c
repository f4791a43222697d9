/* fused.c: runs a chain of elementwise operators as one pass over memory.
 *
 * x * y + x as two kernels writes x * y out in full and reads it back; here the output is
 * computed a block of up to FUSED_BLOCK elements at a time: each step of the program runs on
 * the block (the same unary and binary kernels as unfused, which give each element the same
 * result wherever it is in a run, so results are bit for bit the same), and only the last
 * step writes to memory. Intermediate blocks stay in cache. A sum of a program never writes
 * the program's output at all (wg_kernel_fused_sum). */
#include <stdbool.h>
#include <string.h>
#include "kernels.h"

/* elements per block: 4 KB of float32 (8 of float64) per step, small enough for L1/L2, long
 * enough that the per-block kernel calls cost little; a multiple of 64 (see wg_kernel_sum_piece) */
#define FUSED_BLOCK 1024
/* + 2 doubles: the SIMD kernels may read a partial vector past the end (16 bytes) */
#define BUF_DOUBLES (FUSED_BLOCK + 2)

static double g_step_buf[WG_FUSE_STEPS][BUF_DOUBLES] __attribute__((aligned(16)));
static double g_leaf_buf[WG_FUSE_LEAVES][BUF_DOUBLES] __attribute__((aligned(16)));
static double g_splat_buf[3][BUF_DOUBLES] __attribute__((aligned(16))); /* a step's block-wide numbers, spread */
static double g_sum_buf[BUF_DOUBLES] __attribute__((aligned(16)));

/* a value of the program for one block: where it is and whether it varies (stride 1) or is
 * one number for the whole block (stride 0) */
typedef struct { const void *p; ptrdiff_t stride; } block_value;

/* one program over the output of its walk L (operand 0 the output, then the leaves) */
typedef struct {
    int dtype;
    size_t es;
    const wg_fuse_prog *p;
    const wg_loop *L;
    const void *const *leaves;
    union { float f; double d; } consts[WG_FUSE_CONSTS];
} program;

static program program_of(int dtype, const wg_fuse_prog *p, const wg_loop *L, const void *const *leaves) {
    program g = { dtype, dtype == WG_F64 ? 8 : 4, p, L, leaves, { { 0 } } };
    for (int c = 0; c < p->nconsts; c++) {
        if (dtype == WG_F32) g.consts[c].f = (float)p->consts[c];
        else g.consts[c].d = p->consts[c];
    }
    return g;
}

/* n copies of one element of es bytes, as bits: the filled part copied onto the rest, doubling
 * (memory.copy; this file is compiled for size, so an element loop would stay scalar) */
static void splat(size_t es, size_t n, const void *one, char *dst) {
    if (n == 0) return;
    memcpy(dst, one, es);
    for (size_t done = 1; done < n;) {
        size_t k = done < n - done ? done : n - done;
        memcpy(dst + done * es, dst, k * es);
        done += k;
    }
}

/* the walk's position at output element `flat`: multi-index and each leaf's offset */
static void locate(const program *g, int64_t flat, int32_t *idx, ptrdiff_t *off) {
    const wg_loop *L = g->L;
    for (int d = L->ndim - 1; d >= 0; d--) {
        idx[d] = (int32_t)(flat % L->shape[d]);
        flat /= L->shape[d];
    }
    for (int k = 1; k < L->nops; k++) {
        off[k] = 0;
        for (int d = 0; d < L->ndim; d++) off[k] += idx[d] * L->stride[k][d];
    }
}

/* Output elements [start, start + n) of the program into dst, n <= FUSED_BLOCK. Leaves are
 * contiguous arrays broadcast to the output, so along the innermost dimension of the walk
 * each has stride 1 or 0: within one run of that dimension they are read in place; a block
 * across runs (short rows) first copies each leaf's pieces into a buffer. */
static void eval_range(const program *g, int64_t start, size_t n, void *dst) {
    const wg_loop *L = g->L;
    const wg_fuse_prog *p = g->p;
    int in = L->ndim - 1;
    int32_t idx[WG_MAX_DIMS];
    ptrdiff_t off[WG_LOOP_OPS];
    locate(g, start, idx, off);
    block_value v[WG_FUSE_VALUES];
    if ((size_t)(L->shape[in] - idx[in]) >= n) {
        for (int k = 0; k < p->nleaves; k++)
            v[k] = (block_value){ (const char *)g->leaves[k] + off[k + 1] * (ptrdiff_t)g->es, L->stride[k + 1][in] };
    } else {
        for (size_t done = 0; done < n;) {
            size_t piece = (size_t)(L->shape[in] - idx[in]);
            if (piece > n - done) piece = n - done;
            for (int k = 0; k < p->nleaves; k++) {
                const char *src = (const char *)g->leaves[k] + off[k + 1] * (ptrdiff_t)g->es;
                char *to = (char *)g_leaf_buf[k] + done * g->es;
                if (L->stride[k + 1][in]) memcpy(to, src, piece * g->es);
                else splat(g->es, piece, src, to);
            }
            done += piece;
            if (done < n) locate(g, start + (int64_t)done, idx, off);
        }
        for (int k = 0; k < p->nleaves; k++) v[k] = (block_value){ g_leaf_buf[k], 1 };
    }
    for (int c = 0; c < p->nconsts; c++) v[WG_FUSE_LEAVES + c] = (block_value){ &g->consts[c], 0 };
    for (int j = 0; j < p->nsteps; j++) {
        const wg_fuse_step *st = &p->step[j];
        void *out = j == p->nsteps - 1 ? dst : (void *)g_step_buf[j];
        block_value a = v[st->arg[0]];
        if (st->nargs == 1) {
            /* unary kernels take a contiguous input: spread a block-wide number first */
            if (a.stride == 0) { splat(g->es, n, a.p, (char *)g_splat_buf[0]); a.p = g_splat_buf[0]; }
            wg_kernel_unary(g->dtype, st->op, n, a.p, out);
        } else if (st->nargs == 2) {
            block_value b = v[st->arg[1]];
            wg_kernel_binary_run(g->dtype, st->op, n, a.p, a.stride, b.p, b.stride, out);
        } else { /* where(a, b, c): its vector loop takes contiguous operands, so a block-wide
                    number (a constant: where(x > 0, x, 0)) is spread first, as for unary */
            block_value w[3] = { a, v[st->arg[1]], v[st->arg[2]] };
            for (int k = 0; k < 3; k++)
                if (w[k].stride == 0) { splat(g->es, n, w[k].p, (char *)g_splat_buf[k]); w[k].p = g_splat_buf[k]; }
            wg_kernel_where_run(g->dtype, n, w[0].p, 1, w[1].p, 1, w[2].p, 1, out);
        }
        v[WG_FUSE_STEP0 + j] = (block_value){ out, 1 };
    }
}

void wg_kernel_fused(int dtype, const wg_fuse_prog *p, const wg_loop *L, const void *const *leaves, int64_t first,
                     int64_t count, void *out) {
    program g = program_of(dtype, p, L, leaves);
    for (int64_t done = 0; done < count; done += FUSED_BLOCK) {
        size_t n = count - done < FUSED_BLOCK ? (size_t)(count - done) : FUSED_BLOCK;
        eval_range(&g, first + done, n, (char *)out + done * (int64_t)g.es);
    }
}

void wg_kernel_fused_sum(int dtype, const wg_fuse_prog *p, const wg_loop *L, const void *const *leaves,
                         const wg_loop *R, double *acc) {
    program g = program_of(dtype, p, L, leaves);
    int32_t idx[WG_MAX_DIMS] = {0};
    ptrdiff_t off[WG_LOOP_OPS] = {0};
    int in = R->ndim - 1;
    int32_t run = R->shape[in];
    ptrdiff_t sa = R->stride[0][in];
    if (run == 0) return;
    do {
        double *as = acc + off[0];
        double state[4] = { 0, 0, 0, 0 };
        for (int32_t start = 0; start < run; start += FUSED_BLOCK) {
            int32_t n = run - start < FUSED_BLOCK ? run - start : FUSED_BLOCK;
            eval_range(&g, off[1] + start, (size_t)n, g_sum_buf);
            int last = start + n == run;
            if (sa == 0) { /* a reduced run: the sum of its pieces as reduce.c sums a whole run */
                double r = dtype == WG_F32 ? wg_kernel_sum_piece_f32((const float *)g_sum_buf, n, state, last)
                                           : wg_kernel_sum_piece_f64(g_sum_buf, n, state, last);
                if (last) *as += r;
            } else if (dtype == WG_F32) { /* a kept axis: element by element, as reduce.c */
                for (int32_t i = 0; i < n; i++) as[(start + i) * sa] += ((const float *)g_sum_buf)[i];
            } else {
                for (int32_t i = 0; i < n; i++) as[(start + i) * sa] += g_sum_buf[i];
            }
        }
    } while (wg_loop_step(R, idx, off));
}

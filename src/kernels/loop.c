/* loop.c: the strided walk shared by every broadcasting or layout-changing kernel. */
#include "kernels.h"

void wg_loop_init(wg_loop *L, int ndim, const int32_t *shape, int nops,
                  ptrdiff_t (*strides)[WG_MAX_DIMS]) {
    L->nops = nops;
    L->ndim = 0;
    /* Keep dimensions of size > 1 and merge each into the previous one when that is
     * contiguous with it for every operand. */
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 1) continue;
        int last = L->ndim - 1;
        int merge = last >= 0;
        for (int k = 0; k < nops && merge; k++)
            merge = strides[k][last] == strides[k][d] * (ptrdiff_t)shape[d];
        if (merge) {
            L->shape[last] *= shape[d];
            for (int k = 0; k < nops; k++) L->stride[k][last] = strides[k][d];
        } else {
            L->shape[L->ndim] = shape[d];
            for (int k = 0; k < nops; k++) L->stride[k][L->ndim] = strides[k][d];
            L->ndim++;
        }
    }
    int has_zero = 0;
    for (int d = 0; d < ndim; d++) has_zero |= shape[d] == 0;
    if (has_zero) { /* an empty walk: one run of length 0 */
        L->ndim = 1;
        L->shape[0] = 0;
        for (int k = 0; k < nops; k++) L->stride[k][0] = 0;
    } else if (L->ndim == 0) {
        L->ndim = 1;
        L->shape[0] = 1;
        for (int k = 0; k < nops; k++) L->stride[k][0] = 0;
    }
}

int64_t wg_loop_size(const wg_loop *L) {
    int64_t n = 1;
    for (int d = 0; d < L->ndim; d++) n *= L->shape[d];
    return n;
}

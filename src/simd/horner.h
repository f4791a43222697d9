/* horner.h: polynomials by Horner's rule for the vector types of vec.h and vec64.h.
 * DEFINE_HORNER(name, V, S, splat) defines name(x, c, n) = c[0] x^(n-1) + ... + c[n-1] for
 * lanes of type V and coefficients of type S; the loop is unrolled at compile time so the
 * coefficients become constants (the kernels are built with -fno-unroll-loops). */
#ifndef WG_SIMD_HORNER_H
#define WG_SIMD_HORNER_H

#ifdef __clang__
#define WG_UNROLL_FULL _Pragma("clang loop unroll(full)")
#else
#define WG_UNROLL_FULL
#endif

#define DEFINE_HORNER(name, V, S, splat) \
    static inline V name(V x, const S *c, int n) { \
        V p = splat(c[0]); \
        WG_UNROLL_FULL \
        for (int i = 1; i < n; i++) p = p * x + splat(c[i]); \
        return p; \
    }

/* the number of coefficients of an array c */
#define HORNER_COUNT(c) (int)(sizeof c / sizeof c[0])

#endif

/* pow_tables.h: the tables of x^y = e^(y log x), defined once in pow_f64.c (the float64
 * power kernel) and shared with the wasm builds' scalar exp and pow (src/libm/exp_log.c). */
#ifndef WG_KERNELS_POW_TABLES_H
#define WG_KERNELS_POW_TABLES_H

extern const double wg_log_j32[23][2]; /* log(j/32) = hi + lo for j = 23..45 */
extern const double wg_exp2_j8[8][2];  /* 2^(j/8) = hi + lo for j = 0..7 */

#endif

/* rem_pio2.c: the huge-argument half of sin/cos/tan's argument reduction, replacing the C
 * library's __rem_pio2_large for the wasm builds.
 *
 * Why: musl's version carries 2/pi to the 16,000 bits that 128-bit long double needs
 * (2.7 KB of table, 3.9 KB of code); a double needs 1,200 bits of it. This is Payne and
 * Hanek's method with plain integer arithmetic: |x| = m 2^e with m < 2^53, and
 * x (2/pi) mod 4 only needs the bits of 2/pi from about 2^-e on, so a 224-bit window of
 * them times m gives the quadrant and ~190 bits of fraction, enough for the closest a
 * double comes to a multiple of pi/2 (about 2^-61 of it away).
 *
 * The interface is musl's, called by __rem_pio2 (double) and __rem_pio2f (float) for
 * |x| >= 2^20 pi/2 and 2^28 pi/2: x[0..nx-1] are the 24-bit chunks of |x| (x[0] scaled by
 * 2^e0, x[i] by 2^(e0 - 24 i)); the result is |x| - n pi/2 = y[0] (+ y[1] when prec > 0)
 * and n mod 8 is returned. */
#include <stdint.h>
#include <string.h>

/* 2/pi in 32-bit words: 2/pi = sum of TWO_OVER_PI[i] 2^(-32 (i + 1)) (from mpmath). For a
 * double, e <= 971 below, so words up to (971 - 2) / 32 + 6 = 36 are used. */
static const uint32_t TWO_OVER_PI[37] = {
    0xA2F9836E, 0x4E441529, 0xFC2757D1, 0xF534DDC0, 0xDB629599, 0x3C439041, 0xFE5163AB, 0xDEBBC561,
    0xB7246E3A, 0x424DD2E0, 0x06492EEA, 0x09D1921C, 0xFE1DEB1C, 0xB129A73E, 0xE88235F5, 0x2EBB4484,
    0xE99C7026, 0xB45F7E41, 0x3991D639, 0x835339F4, 0x9C845F8B, 0xBDF9283B, 0x1FF897FF, 0xDE05980F,
    0xEF2F118B, 0x5A0A6D1F, 0x6D367ECF, 0x27CB09B7, 0x4F463F66, 0x9E5FEA2D, 0x7527BAC7, 0xEBE5F17B,
    0x3D0739F7, 0x8A5292EA, 0x6BFB5FB1, 0x1F8D5D08, 0x56033046,
};

#define WINDOW 7  /* words of 2/pi multiplied by m */

/* 64 bits of the little-endian limb number p starting at bit pos */
static uint64_t bits_at(const uint32_t *p, int pos) {
    int q = pos >> 5, s = pos & 31;
    uint64_t lo = (uint64_t)p[q + 1] << 32 | p[q];
    return s ? lo >> s | (uint64_t)p[q + 2] << (64 - s) : lo;
}

static double pow2(int k) { /* 2^k, normal range */
    uint64_t u = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &u, 8);
    return d;
}

int __rem_pio2_large(double *x, double *y, int e0, int nx, int prec) {
    /* |x| = m 2^e: x[0] has 24 bits, x[1] 24 more and x[2] the last 5 (of a double's 53)
     * in its top bits */
    uint64_t m = (uint64_t)x[0] << 29;
    if (nx > 1) m |= (uint64_t)x[1] << 5;
    if (nx > 2) m |= (uint64_t)x[2] >> 19;
    int e = e0 - 29;

    /* Word i of 2/pi contributes m W[i] 2^(e - 32 i - 32): a multiple of 4, which changes
     * neither the quadrant mod 4 nor the fraction, for every i < j0. */
    int j0 = e >= 2 ? (e - 2) >> 5 : 0;
    uint32_t p[WINDOW + 5] = {0}; /* m times the window, little-endian, padded for bits_at */
    uint32_t mw[2] = {(uint32_t)m, (uint32_t)(m >> 32)};
    for (int a = 0; a < 2; a++) {
        uint64_t carry = 0;
        for (int i = 0; i < WINDOW; i++) {
            uint64_t t = (uint64_t)TWO_OVER_PI[j0 + WINDOW - 1 - i] * mw[a] + p[i + a] + carry;
            p[i + a] = (uint32_t)t;
            carry = t >> 32;
        }
        p[WINDOW + a] = (uint32_t)carry;
    }
    /* p 2^-point = |x| (2/pi) mod 4, point in (190, 222]: bits point+1, point are the
     * quadrant, the 190 below them the fraction */
    int point = 32 * (j0 + WINDOW) - e;
    uint64_t f0 = bits_at(p, point - 62), f1 = bits_at(p, point - 126), f2 = bits_at(p, point - 190);
    int n = (int)(f0 >> 62);
    f0 &= (1ull << 62) - 1;
    int neg = f0 >> 61; /* fraction >= 1/2: round the quadrant up, the remainder is negative */
    if (neg) { /* fraction := 1 - fraction, as a 190-bit two's complement */
        n++;
        f2 = ~f2 + 1;
        f1 = ~f1 + (f2 == 0);
        f0 = ((~f0 + (f1 == 0 && f2 == 0)) & ((1ull << 62) - 1));
    }
    /* normalise: fraction = (f0 2^-64 + f1 2^-128) 2^-scale with f0's top bit set */
    int scale = 0;
    f0 = f0 << 2 | f1 >> 62; /* 190 bits -> 192 */
    f1 = f1 << 2 | f2 >> 62;
    f2 <<= 2;
    while (f0 == 0 && (f1 | f2)) { f0 = f1; f1 = f2; f2 = 0; scale += 64; }
    if (f0) {
        int lz = __builtin_clzll(f0);
        if (lz) { f0 = f0 << lz | f1 >> (64 - lz); f1 = f1 << lz | f2 >> (64 - lz); }
        scale += lz;
    }
    /* fraction = hi + lo, 53 bits each: both conversions are exact */
    double hi = (double)(f0 >> 11) * pow2(-53 - scale);
    double lo = (double)((f0 & 0x7ff) << 42 | f1 >> 22) * pow2(-106 - scale);
    /* r = fraction pi/2 in double-double (Dekker's product for hi * PIO2_HI) */
    const double PIO2_HI = 0x1.921fb54442d18p+0, PIO2_LO = 0x1.1a62633145c07p-54, SPLIT = 0x1p27 + 1;
    double r = hi * PIO2_HI;
    double ta = SPLIT * hi, ah = ta - (ta - hi), al = hi - ah;
    double tb = SPLIT * PIO2_HI, bh = tb - (tb - PIO2_HI), bl = PIO2_HI - bh;
    double err = ((ah * bh - r) + ah * bl + al * bh) + al * bl + hi * PIO2_LO + lo * PIO2_HI;
    double y0 = r + err;
    double y1 = err - (y0 - r);
    y[0] = neg ? -y0 : y0;
    if (prec > 0) y[1] = neg ? -y1 : y1;
    return n & 7;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The float32 tile of AVX2 + FMA (256-bit vectors, 16 registers),
 * included by kernels_impl.h for the sets that name it (KERNEL_TILES). */

ALWAYS_INLINE void
tile (const float *x, gsize ldx, const int R, const float *wp, const int P,
    const int G, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate, const float *init, gsize ldi)
{
  /* a 16-row panel is two 8-float halves; R x 2P <= 12 accumulators */
  __m256 acc[6][8];
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int q = 0; q < 2 * P; q++)
      acc[r][q] = init ? _mm256_loadu_ps (init + r * ldi + q * 8)
          : _mm256_setzero_ps ();
  for (gsize k = 0; k < K; k++) {
    __m256 w[8];
    #pragma GCC unroll 16
    for (int q = 0; q < 2 * P; q++)
      w[q] = _mm256_load_ps (wp + (k * G + (q >> 1)) *
          RNN_PANEL + (q & 1) * 8);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      __m256 xb = _mm256_broadcast_ss (x + r * ldx + k);
      #pragma GCC unroll 16
      for (int q = 0; q < 2 * P; q++)
        acc[r][q] = _mm256_fmadd_ps (w[q], xb, acc[r][q]);
    }
  }
  #pragma GCC unroll 16
  for (int q = 0; q < 2 * P; q++) {
    gsize col = m0 + (gsize) q * 8;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) 8);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      if (valid == 8) {
        __m256 v = acc[r][q];
        if (accumulate)
          v = _mm256_add_ps (v, _mm256_loadu_ps (dst));
        _mm256_storeu_ps (dst, v);
      } else {
        float tmp[8];
        _mm256_storeu_ps (tmp, acc[r][q]);
        for (gsize i = 0; i < valid; i++)
          dst[i] = accumulate ? dst[i] + tmp[i] : tmp[i];
      }
    }
  }
}

#define TILE_R_MAX 3
#define TILE_P_WIDE 4
#define TILE_P 2
/* many rows: 6 rows x 1 panel = 12 accumulators, 2 weight vectors and a
 * broadcast (15 of 16 registers); each weight vector serves 6 FMAs */
#define TILE_RB 6
#define TILE_PB 1

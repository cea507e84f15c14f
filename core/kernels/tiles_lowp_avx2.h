/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bf16 and int8 tiles of AVX2 (256-bit; vpmaddubsw + vpmaddwd for
 * int8), included by kernels_lowp_impl.h for the sets that name them
 * (KERNEL_LOWP_TILES). */

/* ----------------------------------------------------------------- bf16 */

#ifndef LOWP_PF
#define LOWP_PF 8               /* columns ahead to prefetch (0: none) */
#endif

ALWAYS_INLINE void
tile_bf16 (const float *x, gsize ldx, const int R, const guint16 * wp,
    const int P, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  /* per panel: acc[2p] rows 0-7 (low halves), acc[2p+1] rows 8-15 */
  __m256 acc[2][8];
  const __m256i hi_mask = _mm256_set1_epi32 ((int) 0xffff0000u);
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int q = 0; q < 2 * P; q++)
      acc[r][q] = _mm256_setzero_ps ();
  for (gsize k = 0; k < K; k++) {
    __m256 xb[2];
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      xb[r] = _mm256_broadcast_ss (x + r * ldx + k);
#if LOWP_PF
    #pragma GCC unroll 16
    for (int p = 0; p < P; p += 2)
      _mm_prefetch ((const char *) (wp + ((k + LOWP_PF) * RNN_PANEL_GROUP + p)
              * RNN_PANEL), _MM_HINT_T0);
#endif
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++) {
      __m256i v = _mm256_load_si256 ((const __m256i *) (wp +
              (k * RNN_PANEL_GROUP + p) * RNN_PANEL));
      __m256 lo = _mm256_castsi256_ps (_mm256_slli_epi32 (v, 16));
      __m256 hi = _mm256_castsi256_ps (_mm256_and_si256 (v, hi_mask));
      #pragma GCC unroll 16
      for (int r = 0; r < R; r++) {
        acc[r][2 * p] = _mm256_fmadd_ps (lo, xb[r], acc[r][2 * p]);
        acc[r][2 * p + 1] = _mm256_fmadd_ps (hi, xb[r], acc[r][2 * p + 1]);
      }
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

#define BF16_P_WIDE 4           /* panels per tile, one row */
#define BF16_P 2                /* panels per tile, two rows */

/* ----------------------------------------------------------------- int8 */

ALWAYS_INLINE void
tile_i8 (const guint8 * xq, gsize ldq, const float *xs, const int R,
    const gint8 * wp, const int P, gsize K4, const gint32 * bias,
    const float *scale, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  /* per panel: acc[2p] rows 0-7, acc[2p+1] rows 8-15 (int32) */
  __m256i acc[2][8];
  const __m256i ones = _mm256_set1_epi16 (1);
  #pragma GCC unroll 16
  for (int q = 0; q < 2 * P; q++) {
    __m256i b = _mm256_loadu_si256 ((const __m256i *) (bias + q * 8));
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      acc[r][q] = b;
  }
  for (gsize k4 = 0; k4 < K4; k4++) {
    __m256i xb[2];
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      gint32 x4;
      memcpy (&x4, xq + r * ldq + 4 * k4, 4);
      xb[r] = _mm256_set1_epi32 (x4);
    }
#if LOWP_PF
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++)
      _mm_prefetch ((const char *) (wp + ((k4 + LOWP_PF / 2) *
                  RNN_PANEL_GROUP + p) * 64), _MM_HINT_T0);
#endif
    #pragma GCC unroll 16
    for (int q = 0; q < 2 * P; q++) {
      __m256i w = _mm256_load_si256 ((const __m256i *) (wp +
              (k4 * RNN_PANEL_GROUP + (q >> 1)) * 64 + (q & 1) * 32));
      #pragma GCC unroll 16
      for (int r = 0; r < R; r++)
        acc[r][q] = _mm256_add_epi32 (acc[r][q],
            _mm256_madd_epi16 (_mm256_maddubs_epi16 (xb[r], w), ones));
    }
  }
  #pragma GCC unroll 16
  for (int q = 0; q < 2 * P; q++) {
    gsize col = m0 + (gsize) q * 8;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) 8);
    __m256 sv = _mm256_loadu_ps (scale + q * 8);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      __m256 v = _mm256_mul_ps (_mm256_cvtepi32_ps (acc[r][q]),
          _mm256_mul_ps (sv, _mm256_set1_ps (xs[r])));
      if (valid == 8) {
        if (accumulate)
          v = _mm256_add_ps (v, _mm256_loadu_ps (dst));
        _mm256_storeu_ps (dst, v);
      } else {
        float tmp[8];
        _mm256_storeu_ps (tmp, v);
        for (gsize i = 0; i < valid; i++)
          dst[i] = accumulate ? dst[i] + tmp[i] : tmp[i];
      }
    }
  }
}

#define I8_P_WIDE 4
#define I8_P 2

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bf16 and int8 tiles of AVX-512 with AVX512_BW and AVX512_VNNI
 * (512-bit tiles, vpdpbusd for int8), included by kernels_lowp_impl.h for
 * the sets that name them (KERNEL_LOWP_TILES). */

/* ----------------------------------------------------------------- bf16 */

#ifndef LOWP_PF
#define LOWP_PF 8               /* columns ahead to prefetch (0: none) */
#endif

/* One zmm holds 32 bf16, panels p and p+1 (P even): the shift gives rows
 * 0-7 of both, the mask rows 8-15; the store puts them back in order. */
ALWAYS_INLINE void
tile_bf16 (const float *x, gsize ldx, const int R, const guint16 * wp,
    const int P, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  __m512 lo[2][4], hi[2][4];
  const __m512i hi_mask = _mm512_set1_epi32 ((int) 0xffff0000u);
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int q = 0; q < P / 2; q++)
      lo[r][q] = hi[r][q] = _mm512_setzero_ps ();
  for (gsize k = 0; k < K; k++) {
    __m512 xb[2];
#if LOWP_PF
    #pragma GCC unroll 16
    for (int q = 0; q < P / 2; q++)
      _mm_prefetch ((const char *) (wp + ((k + LOWP_PF) * RNN_PANEL_GROUP +
                  2 * q) * RNN_PANEL), _MM_HINT_T0);
#endif
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      xb[r] = _mm512_set1_ps (x[r * ldx + k]);
    #pragma GCC unroll 16
    for (int q = 0; q < P / 2; q++) {
      __m512i v = _mm512_load_si512 ((const void *) (wp +
              (k * RNN_PANEL_GROUP + 2 * q) * RNN_PANEL));
      __m512 l = _mm512_castsi512_ps (_mm512_slli_epi32 (v, 16));
      __m512 h = _mm512_castsi512_ps (_mm512_and_si512 (v, hi_mask));
      #pragma GCC unroll 16
      for (int r = 0; r < R; r++) {
        lo[r][q] = _mm512_fmadd_ps (l, xb[r], lo[r][q]);
        hi[r][q] = _mm512_fmadd_ps (h, xb[r], hi[r][q]);
      }
    }
  }
  /* panel 2q = lo[0..7] hi[0..7], panel 2q+1 = lo[8..15] hi[8..15] */
  const __m512i first = _mm512_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7, 16, 17,
      18, 19, 20, 21, 22, 23);
  const __m512i second = _mm512_setr_epi32 (8, 9, 10, 11, 12, 13, 14, 15,
      24, 25, 26, 27, 28, 29, 30, 31);
  #pragma GCC unroll 16
  for (int p = 0; p < P; p++) {
    gsize col = m0 + (gsize) p * RNN_PANEL;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) RNN_PANEL);
    __mmask16 mask = (__mmask16) ((1u << valid) - 1u);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      __m512 v = _mm512_permutex2var_ps (lo[r][p / 2], p % 2 ? second : first,
          hi[r][p / 2]);
      if (accumulate)
        v = _mm512_add_ps (v, _mm512_maskz_loadu_ps (mask, dst));
      _mm512_mask_storeu_ps (dst, mask, v);
    }
  }
}

#define BF16_P_WIDE 8
#define BF16_P 4

/* ----------------------------------------------------------------- int8 */

/* AVX512_VNNI: one vpdpbusd per panel and row adds 16 rows x 4 columns of
 * u8 x s8 products into int32, the same sums as vpmaddubsw + vpmaddwd. */
ALWAYS_INLINE void
tile_i8 (const guint8 * xq, gsize ldq, const float *xs, const int R,
    const gint8 * wp, const int P, gsize K4, const gint32 * bias,
    const float *scale, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  __m512i acc[2][8];
  #pragma GCC unroll 16
  for (int p = 0; p < P; p++) {
    __m512i b = _mm512_loadu_si512 ((const void *) (bias + p * RNN_PANEL));
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      acc[r][p] = b;
  }
  for (gsize k4 = 0; k4 < K4; k4++) {
    __m512i xb[2];
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      gint32 x4;
      memcpy (&x4, xq + r * ldq + 4 * k4, 4);
      xb[r] = _mm512_set1_epi32 (x4);
    }
#if LOWP_PF
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++)
      _mm_prefetch ((const char *) (wp + ((k4 + LOWP_PF / 2) *
                  RNN_PANEL_GROUP + p) * 64), _MM_HINT_T0);
#endif
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++) {
      __m512i w = _mm512_load_si512 ((const void *) (wp +
              (k4 * RNN_PANEL_GROUP + p) * 64));
      #pragma GCC unroll 16
      for (int r = 0; r < R; r++)
        acc[r][p] = _mm512_dpbusd_epi32 (acc[r][p], xb[r], w);
    }
  }
  #pragma GCC unroll 16
  for (int p = 0; p < P; p++) {
    gsize col = m0 + (gsize) p * RNN_PANEL;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) RNN_PANEL);
    __mmask16 mask = (__mmask16) ((1u << valid) - 1u);
    __m512 sv = _mm512_loadu_ps (scale + p * RNN_PANEL);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      __m512 v = _mm512_mul_ps (_mm512_cvtepi32_ps (acc[r][p]),
          _mm512_mul_ps (sv, _mm512_set1_ps (xs[r])));
      if (accumulate)
        v = _mm512_add_ps (v, _mm512_maskz_loadu_ps (mask, dst));
      _mm512_mask_storeu_ps (dst, mask, v);
    }
  }
}

#define I8_P_WIDE 8
#define I8_P 4

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The float32 tile of AVX-512 (512-bit vectors, 32 registers), included
 * by kernels_impl.h for the sets that name it (KERNEL_TILES). */

ALWAYS_INLINE void
tile (const float *x, gsize ldx, const int R, const float *wp, const int P,
    const int G, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate, const float *init, gsize ldi)
{
  __m512 acc[6][8];
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++)
      acc[r][p] = init ? _mm512_loadu_ps (init + r * ldi + p * RNN_PANEL)
          : _mm512_setzero_ps ();
  for (gsize k = 0; k < K; k++) {
    __m512 w[8];
    /* pull the panels' next columns from L2 ahead of use */
    for (int p = 0; p < (RNN_PREFETCH ? P : 0); p += 2)
      _mm_prefetch ((const char *) (wp + ((k + RNN_PREFETCH) * G
                  + p) * RNN_PANEL), _MM_HINT_T0);
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++)
      w[p] = _mm512_load_ps (wp + (k * G + p) * RNN_PANEL);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      __m512 xb = _mm512_set1_ps (x[r * ldx + k]);
      #pragma GCC unroll 16
      for (int p = 0; p < P; p++)
        acc[r][p] = _mm512_fmadd_ps (w[p], xb, acc[r][p]);
    }
  }
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
      __m512 v = acc[r][p];
      if (accumulate)
        v = _mm512_add_ps (v, _mm512_maskz_loadu_ps (mask, dst));
      _mm512_mask_storeu_ps (dst, mask, v);
    }
  }
}

#define TILE_R_MAX 6
#define TILE_P_WIDE 8           /* panels per tile when R == 1 */
#define TILE_P 4                /* panels per tile when R > 1 */
#define TILE_RB 6               /* many rows: rows x panels of a tile */
#define TILE_PB 4

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The float32 tile of NEON (aarch64 Advanced SIMD, 32 registers),
 * included by kernels_impl.h for the sets that name it (KERNEL_TILES). */

/* A 16-row panel is four 4-float quarters.  32 vector registers: R=3 rows
 * x P=2 panels = 24 accumulators, the 3 rows' inputs (4 columns each) and
 * the weight quarter in use.  Columns go 4 at a time so each input vector
 * loaded serves 4 steps of k (fmla by lane); the weights are read once per
 * step in the packed order, every vector used R times. */
ALWAYS_INLINE void
tile (const float *x, gsize ldx, const int R, const float *wp, const int P,
    const int G, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate, const float *init, gsize ldi)
{
  float32x4_t acc[3][16];
#pragma GCC unroll 3
  for (int r = 0; r < R; r++)
#pragma GCC unroll 16
    for (int q = 0; q < 4 * P; q++)
      acc[r][q] = init ? vld1q_f32 (init + r * ldi + q * 4)
          : vdupq_n_f32 (0.0f);
#define W(k, q) vld1q_f32 (wp + ((k) * G + ((q) >> 2)) * \
      RNN_PANEL + ((q) & 3) * 4)
  gsize k = 0;
  for (; k + 4 <= K; k += 4) {
    float32x4_t xv[3];
#pragma GCC unroll 3
    for (int r = 0; r < R; r++)
      xv[r] = vld1q_f32 (x + r * ldx + k);
    /* fully unrolled (GCC's own limit leaves the q loop rolled, with the
     * accumulators in memory), so acc[][] lives in registers */
#pragma GCC unroll 16
    for (int q = 0; q < 4 * P; q++) {
      /* one weight vector live at a time; the same order of sums as the
       * other sets (k, k+1, k+2, k+3) */
#define STEP(j) do { \
        float32x4_t w = W (k + j, q); \
        _Pragma ("GCC unroll 3") \
        for (int r = 0; r < R; r++) \
          acc[r][q] = vfmaq_laneq_f32 (acc[r][q], w, xv[r], j); \
      } while (0)
      STEP (0);
      STEP (1);
      STEP (2);
      STEP (3);
#undef STEP
    }
  }
  for (; k < K; k++)
#pragma GCC unroll 16
    for (int q = 0; q < 4 * P; q++) {
      float32x4_t w = W (k, q);
#pragma GCC unroll 3
      for (int r = 0; r < R; r++)
        acc[r][q] = vfmaq_n_f32 (acc[r][q], w, x[r * ldx + k]);
    }
#undef W
  /* unrolled too: an acc[][] indexed at run time would live in memory */
#pragma GCC unroll 16
  for (int q = 0; q < 4 * P; q++) {
    gsize col = m0 + (gsize) q * 4;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) 4);
#pragma GCC unroll 3
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      if (valid == 4) {
        float32x4_t v = acc[r][q];
        if (accumulate)
          v = vaddq_f32 (v, vld1q_f32 (dst));
        vst1q_f32 (dst, v);
      } else {
        float tmp[4];
        vst1q_f32 (tmp, acc[r][q]);
        for (gsize i = 0; i < valid; i++)
          dst[i] = accumulate ? dst[i] + tmp[i] : tmp[i];
      }
    }
  }
}

#define TILE_R_MAX 3
#define TILE_P_WIDE 4           /* panels per tile when R == 1 */
#define TILE_P 2                /* panels per tile when R > 1 */
#define TILE_RB 3
#define TILE_PB 2

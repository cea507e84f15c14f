/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The portable bf16 and int8 tiles (plain C the compiler vectorises),
 * included by kernels_lowp_impl.h (KERNEL_LOWP_TILES). */

/* ----------------------------------------------------------------- bf16 */

ALWAYS_INLINE void
tile_bf16 (const float *x, gsize ldx, const int R, const guint16 * wp,
    const int P, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  float acc[2][RNN_PANEL] = { {0} };
  for (gsize k = 0; k < K; k++) {
    const guint16 *v = wp + k * RNN_PANEL_GROUP * RNN_PANEL;
    float w[RNN_PANEL];
    for (int t = 0; t < 8; t++) {
      guint32 lo = (guint32) v[2 * t] << 16, hi = (guint32) v[2 * t + 1] << 16;
      memcpy (&w[t], &lo, 4);
      memcpy (&w[t + 8], &hi, 4);
    }
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float xv = x[r * ldx + k];
      for (int i = 0; i < RNN_PANEL; i++)
        acc[r][i] += w[i] * xv;
    }
  }
  (void) P;
  gsize valid = MIN (M - m0, (gsize) RNN_PANEL);
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++) {
    float *dst = y + r * ldy + m0;
    for (gsize i = 0; i < valid; i++)
      dst[i] = accumulate ? dst[i] + acc[r][i] : acc[r][i];
  }
}

#define BF16_P_WIDE 1
#define BF16_P 1

/* ----------------------------------------------------------------- int8 */

ALWAYS_INLINE void
tile_i8 (const guint8 * xq, gsize ldq, const float *xs, const int R,
    const gint8 * wp, const int P, gsize K4, const gint32 * bias,
    const float *scale, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  gint32 acc[2][RNN_PANEL];
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    for (int i = 0; i < RNN_PANEL; i++)
      acc[r][i] = bias[i];
  for (gsize k4 = 0; k4 < K4; k4++) {
    const gint8 *w = wp + k4 * RNN_PANEL_GROUP * 64;
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      const guint8 *xv = xq + r * ldq + 4 * k4;
      for (int i = 0; i < RNN_PANEL; i++)
        acc[r][i] += xv[0] * w[4 * i] + xv[1] * w[4 * i + 1] +
            xv[2] * w[4 * i + 2] + xv[3] * w[4 * i + 3];
    }
  }
  (void) P;
  gsize valid = MIN (M - m0, (gsize) RNN_PANEL);
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++) {
    float *dst = y + r * ldy + m0;
    for (gsize i = 0; i < valid; i++) {
      float v = (float) acc[r][i] * (scale[i] * xs[r]);
      dst[i] = accumulate ? dst[i] + v : v;
    }
  }
}

#define I8_P_WIDE 1
#define I8_P 1

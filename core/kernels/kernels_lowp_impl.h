/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reduced-precision products (layouts in kernels_lowp.h), written once
 * and compiled per kernel set (through kernels_set.h, from set_NAME.c).
 * The inner tiles are the set's own (KERNEL_LOWP_TILES):
 * tiles_lowp_avx2.h (256-bit intrinsics; also the "avx512" set's, for
 * CPUs without AVX512_VNNI), tiles_lowp_avx512vnni.h (512-bit tiles,
 * VNNI's vpdpbusd for int8, the same numbers) or the portable
 * tiles_lowp_c.h, plain C the compiler vectorises.
 *
 * Measured on a 2-core AMD EPYC (Zen 3, AVX2) for the bf16 choice: the
 * weights widen to float32 in registers for two integer operations per 16
 * weights (a shift and a mask), so bf16 keeps float32's accumulation and
 * adds only the weights' rounding error.  For int8 the products are
 * integer (u8 x s8 -> int16 pairs -> int32, vpmaddubsw + vpmaddwd): 32
 * weights per three operations, where widening int8 to float32 takes four
 * per 8 (see the report in the commit that added this file). */
#include "kernels_lowp.h"

#include <string.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* ----------------------------------------------------------------- bf16 */

#include KERNEL_LOWP_TILES  /* tile_bf16(), tile_i8(), BF16_P*, I8_P* */

ALWAYS_INLINE void
rows_bf16 (const float *x, gsize ldx, const int R, const RnnPacked * w,
    const int P, float *y, gsize ldy, gboolean accumulate)
{
  const gsize K = w->cols;
  const guint16 *q = (const guint16 *) w->data;
  for (gsize p0 = 0; p0 < w->panels && p0 * RNN_PANEL < w->rows; p0 += P) {
    const guint16 *wp = q + ((p0 / RNN_PANEL_GROUP) * K * RNN_PANEL_GROUP
        + p0 % RNN_PANEL_GROUP) * RNN_PANEL;
    tile_bf16 (x, ldx, R, wp, P, K, y, ldy, p0 * RNN_PANEL, w->rows,
        accumulate);
  }
}

static void
k_gemm_bf16 (const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate)
{
  gsize r0 = 0;
  for (; n - r0 >= 2; r0 += 2)
    rows_bf16 (x + r0 * ldx, ldx, 2, w, BF16_P, y + r0 * ldy, ldy,
        accumulate);
  if (r0 < n)
    rows_bf16 (x + r0 * ldx, ldx, 1, w, BF16_P_WIDE, y + r0 * ldy, ldy,
        accumulate);
}

/* ----------------------------------------------------------------- int8 */

/* The quantisation step of one input row (max|x|/63), NaN if the row is
 * not finite; @inv gets its inverse (0 when there is none). */
static float
row_step (const float *x, gsize K, float *inv)
{
  float amax = 0.0f;
  gboolean finite = TRUE;
  for (gsize k = 0; k < K; k++) {
    float a = __builtin_fabsf (x[k]);
    amax = a > amax ? a : amax;
    finite &= a <= 3.4028234e38f;       /* FALSE for inf and NaN */
  }
  if (!finite) {
    *inv = 0.0f;
    return __builtin_nanf ("");
  }
  *inv = amax > 0.0f ? 63.0f / amax : 0.0f;
  return amax / 63.0f;
}

/* u8 = round(x * inv) + 64, within [1, 127]; the tail up to a multiple of
 * 4 is the zero point (its weights are zero). */
static void
quantise (const float *x, gsize kc, float inv, guint8 * xq)
{
  for (gsize k = 0; k < kc; k++) {
    float v = __builtin_rintf (x[k] * inv);
    v = v > 63.0f ? 63.0f : v;
    v = v < -63.0f ? -63.0f : v;
    xq[k] = (guint8) ((int) v + 64);
  }
  for (gsize k = kc; k % 4; k++)
    xq[k] = 64;
}


/* Rows [r0, r0+R) of x, quantised chunk by chunk, against every panel. */
ALWAYS_INLINE void
rows_i8 (const float *x, gsize ldx, const int R, const RnnPacked * w,
    const int P, float *y, gsize ldy, gboolean accumulate)
{
  const gsize K = w->cols, Kp = (K + 3) / 4 * 4;
  const gsize GR = RNN_PANEL * RNN_PANEL_GROUP;
  const gsize chunks = MAX ((gsize) 1, (K + RNN_LOWP_KC - 1) / RNN_LOWP_KC);
  guint8 xq[2 * RNN_LOWP_KC] __attribute__((aligned (32)));
  float xs[2], inv[2];
  const gint8 *q = (const gint8 *) w->data;
  for (int r = 0; r < R; r++)
    xs[r] = row_step (x + r * ldx, K, &inv[r]);
  for (gsize c = 0; c < chunks; c++) {
    gsize k0 = c * RNN_LOWP_KC, kc = MIN (K - k0, (gsize) RNN_LOWP_KC);
    for (int r = 0; r < R; r++)
      quantise (x + r * ldx + k0, kc, inv[r], xq + r * RNN_LOWP_KC);
    for (gsize p0 = 0; p0 < w->panels && p0 * RNN_PANEL < w->rows; p0 += P) {
      gsize g = p0 / RNN_PANEL_GROUP, pg = p0 % RNN_PANEL_GROUP;
      const gint8 *wp = q + ((g * (Kp / 4) + k0 / 4) * RNN_PANEL_GROUP + pg)
          * 64;
      const gint32 *bias = w->rowsum + (g * chunks + c) * GR + pg * RNN_PANEL;
      tile_i8 (xq, RNN_LOWP_KC, xs, R, wp, P, (kc + 3) / 4, bias,
          w->scale + p0 * RNN_PANEL, y, ldy, p0 * RNN_PANEL, w->rows,
          accumulate || c > 0);
    }
  }
}

static void
k_gemm_i8 (const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate)
{
  gsize r0 = 0;
  for (; n - r0 >= 2; r0 += 2)
    rows_i8 (x + r0 * ldx, ldx, 2, w, I8_P, y + r0 * ldy, ldy, accumulate);
  if (r0 < n)
    rows_i8 (x + r0 * ldx, ldx, 1, w, I8_P_WIDE, y + r0 * ldy, ldy,
        accumulate);
}

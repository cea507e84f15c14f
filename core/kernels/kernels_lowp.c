/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reduced-precision weights: packing, per-row quantisation and the choice
 * of products (see kernels_lowp.h for the layouts). */
#include "kernels_lowp.h"

#include <math.h>
#include <string.h>

guint16
rnn_f32_to_bf16 (float f)
{
  guint32 u;
  memcpy (&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return (guint16) ((u >> 16) | 0x40);        /* quiet NaN */
  u += 0x7fffu + ((u >> 16) & 1u);
  return (guint16) (u >> 16);
}

float
rnn_bf16_to_f32 (guint16 b)
{
  guint32 u = (guint32) b << 16;
  float f;
  memcpy (&f, &u, 4);
  return f;
}

static void
pack_bf16 (const float *w, gsize M, gsize K, guint16 * q)
{
  const gsize G = RNN_PANEL_GROUP;
  for (gsize m = 0; m < M; m++) {
    gsize p = m / RNN_PANEL, g = p / G, i = m % RNN_PANEL;
    gsize j = i < 8 ? 2 * i : 2 * (i - 8) + 1;
    for (gsize k = 0; k < K; k++)
      q[((g * K + k) * G + p % G) * RNN_PANEL + j] =
          rnn_f32_to_bf16 (w[m * K + k]);
  }
}

static void
pack_i8 (const float *w, gsize M, gsize K, gsize Kp, gsize chunks,
    gint8 * q, float *scale, gint32 * rowsum)
{
  const gsize G = RNN_PANEL_GROUP, GR = RNN_PANEL * RNN_PANEL_GROUP;
  for (gsize m = 0; m < M; m++) {
    const float *row = w + m * K;
    float amax = 0.0f;
    for (gsize k = 0; k < K; k++)
      amax = MAX (amax, fabsf (row[k]));
    float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    scale[m] = amax / 127.0f;
    gsize p = m / RNN_PANEL, g = p / G, i = m % RNN_PANEL;
    for (gsize k = 0; k < K; k++) {
      float v = rintf (row[k] * inv);
      v = CLAMP (v, -127.0f, 127.0f);
      gint8 b = (gint8) v;
      q[((g * (Kp / 4) + k / 4) * G + p % G) * 64 + i * 4 + k % 4] = b;
      gsize c = k / RNN_LOWP_KC;
      rowsum[(g * chunks + c) * GR + m % GR] -= 64 * (gint32) b;
    }
  }
}

gboolean
rnn_pack_lowp (const float *w, gsize M, gsize K, RnnFormat format,
    const RnnKernels * k, RnnPacked * out)
{
  if (format == RNN_FORMAT_F32) {
    if (!rnn_pack (w, M, K, out))
      return FALSE;
    out->product = k->gemm;
    return TRUE;
  }
  gsize panels = (M + RNN_PANEL - 1) / RNN_PANEL;
  panels = (panels + RNN_PANEL_GROUP - 1) / RNN_PANEL_GROUP * RNN_PANEL_GROUP;
  gsize Kp = (K + 3) / 4 * 4, chunks = MAX ((gsize) 1,
      (K + RNN_LOWP_KC - 1) / RNN_LOWP_KC);
  gsize n, rows = panels * RNN_PANEL;
  if (Kp < K || !g_size_checked_mul (&n, rows, format == RNN_FORMAT_BF16 ?
          K * 2 : Kp) || (format == RNN_FORMAT_BF16 && K > G_MAXSIZE / 2))
    return FALSE;
  memset (out, 0, sizeof *out);
  out->data = g_aligned_alloc0 (1, MAX (n, 64), 64);
  if (!out->data)
    return FALSE;
  out->rows = M;
  out->cols = K;
  out->panels = panels;
  out->format = format;
  out->product = format == RNN_FORMAT_BF16 ? k->gemm_bf16 : k->gemm_i8;
  if (format == RNN_FORMAT_BF16) {
    pack_bf16 (w, M, K, (guint16 *) out->data);
    return TRUE;
  }
  out->scale = g_try_new0 (float, rows);
  out->rowsum = g_try_new0 (gint32, rows * chunks);
  if (!out->scale || !out->rowsum || rows * chunks / chunks != rows) {
    rnn_packed_clear (out);
    return FALSE;
  }
  pack_i8 (w, M, K, Kp, chunks, (gint8 *) out->data, out->scale, out->rowsum);
  return TRUE;
}

void
rnn_lowp_gemm (const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate)
{
  w->product (x, n, ldx, w, y, ldy, accumulate);
}

gboolean
rnn_packed_part (const RnnPacked * w, guint part, guint n_parts,
    RnnPacked * view, gsize * row0)
{
  const gsize GR = RNN_PANEL * RNN_PANEL_GROUP;      /* rows per group */
  gsize groups = (w->rows + GR - 1) / GR;
  gsize g0 = groups * part / n_parts, g1 = groups * (part + 1) / n_parts;
  if (g0 >= g1)
    return FALSE;
  *view = *w;
  view->rows = MIN (w->rows, g1 * GR) - g0 * GR;
  view->panels = (g1 - g0) * RNN_PANEL_GROUP;
  *row0 = g0 * GR;
  if (w->format == RNN_FORMAT_F32) {
    /* the slice layout, if added meanwhile, has the same offsets */
    float *many = __atomic_load_n (&w->many, __ATOMIC_ACQUIRE);
    view->data = w->data + g0 * w->cols * GR;
    view->many = many ? many + g0 * w->cols * GR : NULL;
  } else if (w->format == RNN_FORMAT_BF16) {
    view->data = (float *) ((guint16 *) w->data + g0 * w->cols * GR);
  } else {
    gsize Kp = (w->cols + 3) / 4 * 4, chunks = MAX ((gsize) 1,
        (w->cols + RNN_LOWP_KC - 1) / RNN_LOWP_KC);
    view->data = (float *) ((gint8 *) w->data + g0 * Kp * GR);
    view->scale = w->scale + g0 * GR;
    view->rowsum = w->rowsum + g0 * chunks * GR;
  }
  return TRUE;
}

void
rnn_lowp_gemm_part (const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate, guint part, guint n_parts)
{
  RnnPacked view;
  gsize row0;

  if (rnn_packed_part (w, part, n_parts, &view, &row0))
    rnn_lowp_gemm (x, n, ldx, &view, y + row0, ldy, accumulate);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Weight packing and run-time choice of the kernel set. */
#include "kernels.h"

#include <string.h>

gboolean
rnn_pack (const float *w, gsize M, gsize K, RnnPacked * out)
{
  gsize panels = (M + RNN_PANEL - 1) / RNN_PANEL;
  panels = (panels + RNN_PANEL_GROUP - 1) / RNN_PANEL_GROUP * RNN_PANEL_GROUP;
  gsize n;
  if (!g_size_checked_mul (&n, panels, K) ||
      !g_size_checked_mul (&n, n, RNN_PANEL * sizeof (float)))
    return FALSE;
  float *d = g_aligned_alloc0 (1, MAX (n, 64), 64);
  if (!d)
    return FALSE;
  const gsize G = RNN_PANEL_GROUP;
  for (gsize m = 0; m < M; m++) {
    gsize p = m / RNN_PANEL, g = p / G;
    for (gsize k = 0; k < K; k++)
      d[((g * K + k) * G + p % G) * RNN_PANEL + m % RNN_PANEL] = w[m * K + k];
  }
  memset (out, 0, sizeof *out);        /* format F32, no scales */
  out->data = d;
  out->rows = M;
  out->cols = K;
  out->panels = panels;
  return TRUE;
}

gboolean
rnn_pack_slices (RnnPacked * p, guint slice_panels)
{
  g_return_val_if_fail (p->format == RNN_FORMAT_F32 && p->many == NULL,
      FALSE);
  g_return_val_if_fail (slice_panels > 0
      && RNN_PANEL_GROUP % slice_panels == 0, FALSE);
  const gsize K = p->cols, G = RNN_PANEL_GROUP, S = slice_panels;
  gsize n = p->panels * K * RNN_PANEL;  /* fits: rnn_pack allocated it */
  float *d = g_aligned_alloc (1, MAX (n, 16) * sizeof (float), 64);
  if (!d)
    return FALSE;
  for (gsize pn = 0; pn < p->panels; pn++) {
    const float *src = p->data + ((pn / G) * K * G + pn % G) * RNN_PANEL;
    float *dst = d + ((pn / S) * K * S + pn % S) * RNN_PANEL;
    for (gsize k = 0; k < K; k++)
      memcpy (dst + k * S * RNN_PANEL, src + k * G * RNN_PANEL,
          RNN_PANEL * sizeof (float));
  }
  g_atomic_pointer_set (&p->many, d);
  return TRUE;
}

void
rnn_packed_clear (RnnPacked * p)
{
  g_aligned_free (p->many);
  g_aligned_free (p->data);
  g_free (p->scale);
  g_free (p->rowsum);
  memset (p, 0, sizeof *p);
}

static const RnnKernels *const all_sets[] = {
#define X(name) &rnn_kernels_##name,
  RNN_KERNEL_SETS
#undef X
};

const RnnKernels *const *
rnn_kernels_all (guint * n)
{
  *n = G_N_ELEMENTS (all_sets);
  return all_sets;
}

/* The RnnCpuFeature bits of this CPU (a new feature: one bit in
 * kernels.h, one line here). */
static guint
cpu_features (void)
{
  guint f = 0;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init ();
  f |= __builtin_cpu_supports ("avx2") ? RNN_CPU_AVX2 : 0;
  f |= __builtin_cpu_supports ("fma") ? RNN_CPU_FMA : 0;
  f |= __builtin_cpu_supports ("avx512f") ? RNN_CPU_AVX512F : 0;
  f |= __builtin_cpu_supports ("avx512bw") ? RNN_CPU_AVX512BW : 0;
  f |= __builtin_cpu_supports ("avx512vl") ? RNN_CPU_AVX512VL : 0;
  f |= __builtin_cpu_supports ("avx512vnni") ? RNN_CPU_AVX512VNNI : 0;
#endif
  return f;
}

gboolean
rnn_kernels_cpu_can (const RnnKernels * k)
{
  return (k->needs & ~cpu_features ()) == 0;
}

const RnnKernels *
rnn_kernels_select (void)
{
  const char *want = g_getenv ("RNN_KERNEL");
  if (want && *want) {
    for (guint i = 0; i < G_N_ELEMENTS (all_sets); i++)
      if (strcmp (all_sets[i]->name, want) == 0
          && rnn_kernels_cpu_can (all_sets[i]))
        return all_sets[i];
    GString *known = g_string_new (NULL);
    for (guint i = 0; i < G_N_ELEMENTS (all_sets); i++)
      if (rnn_kernels_cpu_can (all_sets[i]))
        g_string_append_printf (known, "%s%s", known->len ? ", " : "",
            all_sets[i]->name);
    g_warning ("RNN_KERNEL=%s: no such kernel set on this CPU (here: %s); "
        "using the best available", want, known->str);
    g_string_free (known, TRUE);
  }
  for (guint i = 0; i < G_N_ELEMENTS (all_sets); i++)
    if (rnn_kernels_cpu_can (all_sets[i]))
      return all_sets[i];
  return &rnn_kernels_c;
}

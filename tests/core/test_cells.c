/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cells' pointwise step (RnnKernels.rnn, .lstm, .gru) of every kernel
 * set this CPU runs, against PyTorch's formulas in double precision: the
 * bias handed to the cell is added to the products' sums (kernels.h), and
 * hidden sizes cover each set's vector widths and their tails (8 lanes in
 * avx2, 16 in the avx512 sets, two vectors at a time in the LSTM).  The
 * rows are strided (ldp > G*H) and the bytes past each row are left
 * alone. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "kernels.h"

static const guint sizes[] = { 1, 7, 8, 16, 17, 40, 71, 96 };
#define B 3
#define BOUND 2e-6              /* sigmoid/tanh ~3e-7 each, compounded */

static double
sig (double x)
{
  return 1.0 / (1.0 + exp (-x));
}

static float
rnd (guint32 * s, float scale)
{
  *s = *s * 1664525u + 1013904223u;
  return ((float) (*s >> 8) / 16777216.0f - 0.5f) * 2.0f * scale;
}

typedef struct {
  guint H, G;
  gsize ldp;
  float *pre, *gh, *bias, *b_hn, *h0, *c0, *h, *c;
} Case;

static void
case_init (Case * k, guint H, guint G, guint32 seed)
{
  k->H = H;
  k->G = G;
  k->ldp = (gsize) G * H + 5;
  k->pre = g_new (float, B * k->ldp);
  k->gh = g_new (float, (gsize) B * G * H);
  k->bias = g_new (float, (gsize) G * H);
  k->b_hn = g_new (float, H);
  k->h0 = g_new (float, (gsize) B * H + 1);
  k->c0 = g_new (float, (gsize) B * H);
  k->h = g_new (float, (gsize) B * H + 1);
  k->c = g_new (float, (gsize) B * H);
  for (gsize i = 0; i < B * k->ldp; i++)
    k->pre[i] = rnd (&seed, 4.0f);
  for (gsize i = 0; i < (gsize) B * G * H; i++)
    k->gh[i] = rnd (&seed, 3.0f);
  for (gsize i = 0; i < (gsize) G * H; i++)
    k->bias[i] = rnd (&seed, 2.0f);
  for (gsize i = 0; i < H; i++)
    k->b_hn[i] = rnd (&seed, 1.0f);
  for (gsize i = 0; i < (gsize) B * H + 1; i++)
    k->h0[i] = rnd (&seed, 1.0f);
  for (gsize i = 0; i < (gsize) B * H; i++)
    k->c0[i] = rnd (&seed, 2.0f);
}

static void
case_clear (Case * k)
{
  g_free (k->pre);
  g_free (k->gh);
  g_free (k->bias);
  g_free (k->b_hn);
  g_free (k->h0);
  g_free (k->c0);
  g_free (k->h);
  g_free (k->c);
}

/* pre + bias of row b, gate block q, unit j, in double */
static double
at (const Case * k, guint b, guint q, guint j)
{
  gsize col = (gsize) q * k->H + j;
  return (double) k->pre[b * k->ldp + col] + k->bias[col];
}

static void
check (const char *set, const char *cell, guint H, const float *got,
    double want, guint b, guint j)
{
  ck_assert_msg (fabs (got[(gsize) b * H + j] - want) <= BOUND,
      "%s %s H=%u stream %u unit %u: %.9g, PyTorch's formula %.9g", set, cell,
      H, b, j, got[(gsize) b * H + j], want);
}

START_TEST (test_cells)
{
  const guint H = sizes[_i];
  guint n;
  const RnnKernels *const *all = rnn_kernels_all (&n);
  for (guint s = 0; s < n; s++) {
    const RnnKernels *ks = all[s];
    if (!rnn_kernels_cpu_can (ks))
      continue;
    Case k;
    for (int relu = 0; relu < 2; relu++) {     /* RNN tanh, relu */
      case_init (&k, H, 1, 11u + H);
      memcpy (k.h, k.h0, ((gsize) B * H + 1) * sizeof (float));
      ks->rnn (k.pre, k.ldp, k.bias, k.h, B, H, relu);
      for (guint b = 0; b < B; b++)
        for (guint j = 0; j < H; j++) {
          double v = at (&k, b, 0, j);
          check (ks->name, relu ? "rnn_relu" : "rnn_tanh", H, k.h,
              relu ? (v < 0 ? 0 : v) : tanh (v), b, j);
        }
      ck_assert (k.h[(gsize) B * H] == k.h0[(gsize) B * H]);
      case_clear (&k);
    }

    case_init (&k, H, 4, 23u + H);               /* LSTM: i, f, g, o */
    memcpy (k.c, k.c0, (gsize) B * H * sizeof (float));
    ks->lstm (k.pre, k.ldp, k.bias, k.h, k.c, B, H);
    for (guint b = 0; b < B; b++)
      for (guint j = 0; j < H; j++) {
        double i = sig (at (&k, b, 0, j)), f = sig (at (&k, b, 1, j));
        double g = tanh (at (&k, b, 2, j)), o = sig (at (&k, b, 3, j));
        double c = f * k.c0[(gsize) b * H + j] + i * g;
        check (ks->name, "lstm c", H, k.c, c, b, j);
        check (ks->name, "lstm h", H, k.h, o * tanh (c), b, j);
      }
    case_clear (&k);

    case_init (&k, H, 3, 37u + H);               /* GRU: r, z, n */
    memcpy (k.h, k.h0, ((gsize) B * H + 1) * sizeof (float));
    ks->gru (k.pre, k.ldp, k.bias, k.gh, k.b_hn, k.h, B, H);
    for (guint b = 0; b < B; b++)
      for (guint j = 0; j < H; j++) {
        const float *gh = k.gh + (gsize) b * 3 * H;
        double r = sig (at (&k, b, 0, j) + gh[j]);
        double z = sig (at (&k, b, 1, j) + gh[H + j]);
        double nn = tanh (at (&k, b, 2, j) + r * ((double) gh[2 * H + j]
                + k.b_hn[j]));
        check (ks->name, "gru", H, k.h,
            (1 - z) * nn + z * k.h0[(gsize) b * H + j], b, j);
      }
    ck_assert (k.h[(gsize) B * H] == k.h0[(gsize) B * H]);
    case_clear (&k);
  }
}

END_TEST;

int
main (void)
{
  Suite *s = suite_create ("cells");
  TCase *tc = tcase_create ("cells");
  tcase_add_loop_test (tc, test_cells, 0, G_N_ELEMENTS (sizes));
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}

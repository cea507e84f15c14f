/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The matrix product of every kernel set this CPU runs, on shapes that
 * take each of its paths: one row and a few (row tiles over all panels),
 * many rows (weight slices over all rows), long columns (K >= 512: the
 * slice copied contiguous first), partial panels and row-tile remainders;
 * and, with the slice layout (rnn_pack_slices), columns cut into blocks
 * and rows into chunks.  Each set runs with and without the slice layout.
 *   - against a double-precision reference, within float rounding;
 *   - rows run together equal the same rows run one at a time, bit for
 *     bit: a stream's numbers do not depend on how many streams share a
 *     step (core/kernels/kernels_impl.h promises the same sum in the same order). */
#include <check.h>
#include <math.h>
#include <string.h>

#include "kernels.h"

typedef struct {
  gsize n, K, M;
} Shape;

static const Shape shapes[] = {
  {1, 1, 1}, {1, 17, 130}, {2, 64, 16}, {5, 33, 100}, {7, 256, 1040},
  {8, 64, 48}, {13, 100, 130}, {16, 256, 1024}, {64, 45, 160},
  {20, 600, 100}, {64, 1024, 272}, {12, 520, 33},
  {130, 300, 50}, {9, 1100, 40}, {600, 70, 20},
};

/* Every kernel set built (kernels/meson.build's list) that this CPU runs. */
static GPtrArray *
kernel_sets (void)
{
  GPtrArray *a = g_ptr_array_new ();
  guint n;
  const RnnKernels *const *all = rnn_kernels_all (&n);
  for (guint i = 0; i < n; i++)
    if (rnn_kernels_cpu_can (all[i]))
      g_ptr_array_add (a, (gpointer) all[i]);
  return a;
}

static float
rnd (guint32 * s)
{
  *s = *s * 1664525u + 1013904223u;
  return (float) (*s >> 8) / 16777216.0f - 0.5f;
}

START_TEST (test_gemm_shapes)
{
  g_autoptr (GPtrArray) sets = kernel_sets ();
  const Shape *sh = &shapes[_i];
  const gsize n = sh->n, K = sh->K, M = sh->M;
  const gsize ldx = K + 3, ldy = M + 5;        /* strided rows */
  guint32 seed = 77u + (guint32) _i;
  float *x = g_new (float, n * ldx), *w = g_new (float, M * K);
  float *y0 = g_new (float, n * ldy), *y = g_new (float, n * ldy);
  float *y1 = g_new (float, n * ldy);
  for (gsize i = 0; i < n * ldx; i++)
    x[i] = rnd (&seed);
  for (gsize i = 0; i < M * K; i++)
    w[i] = rnd (&seed);
  for (gsize i = 0; i < n * ldy; i++)
    y0[i] = rnd (&seed);
  RnnPacked p;
  ck_assert (rnn_pack (w, M, K, &p));

  for (guint s = 0; s < 2 * sets->len; s++) {
    const RnnKernels *k = g_ptr_array_index (sets, s / 2);
    /* the matrix as packed at load, then also in this set's slices (a
     * model runs one set: its slices are that set's width) */
    rnn_packed_clear (&p);
    ck_assert (rnn_pack (w, M, K, &p));
    if (s % 2)
      ck_assert (rnn_pack_slices (&p, k->slice_panels));
    for (int acc = 0; acc < 2; acc++) {
      memcpy (y, y0, n * ldy * sizeof (float));
      k->gemm (x, n, ldx, &p, y, ldy, acc);
      double worst = 0;
      for (gsize r = 0; r < n; r++)
        for (gsize m = 0; m < M; m++) {
          double ref = acc ? y0[r * ldy + m] : 0.0, mag = fabs (ref);
          for (gsize j = 0; j < K; j++) {
            ref += (double) x[r * ldx + j] * w[m * K + j];
            mag += fabs ((double) x[r * ldx + j] * w[m * K + j]);
          }
          /* float sums of K terms: error below K * eps * sum |terms| */
          double err = fabs (y[r * ldy + m] - ref) / (mag * K * 1.2e-7 + 1e-30);
          worst = MAX (worst, err);
        }
      ck_assert_msg (worst <= 1.0, "%s%s: %" G_GSIZE_FORMAT "x%"
          G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT " accumulate=%d: error %.2f x "
          "the float bound", k->name, p.many ? " (slices)" : "", n, K, M, acc,
          worst);
      /* the gaps between rows are left alone */
      for (gsize r = 0; r < n; r++)
        for (gsize m = M; m < ldy; m++)
          ck_assert (y[r * ldy + m] == y0[r * ldy + m]);
      /* row by row: the same bits */
      memcpy (y1, y0, n * ldy * sizeof (float));
      for (gsize r = 0; r < n; r++)
        k->gemm (x + r * ldx, 1, ldx, &p, y1 + r * ldy, ldy, acc);
      ck_assert_msg (memcmp (y, y1, n * ldy * sizeof (float)) == 0,
          "%s%s: %" G_GSIZE_FORMAT " rows together differ from one at a time "
          "(K %" G_GSIZE_FORMAT ", M %" G_GSIZE_FORMAT ")", k->name,
          p.many ? " (slices)" : "", n, K, M);
    }
  }
  rnn_packed_clear (&p);
  g_free (x);
  g_free (w);
  g_free (y0);
  g_free (y);
  g_free (y1);
}

END_TEST;

/* The one list of kernel sets (kernels/meson.build): the sets the C side
 * finds this CPU runs are the ones meson found in /proc/cpuinfo, and so
 * ran the conformance tests under (RNN_TEST_SETS_HERE); names are
 * unique, the portable set is built and comes last, every set has its
 * three products, and $RNN_KERNEL picks each set it names. */
START_TEST (test_one_list)
{
  guint n;
  const RnnKernels *const *all = rnn_kernels_all (&n);
  g_autoptr (GPtrArray) here = kernel_sets ();
  GString *names = g_string_new (NULL);
  for (guint i = 0; i < here->len; i++)
    g_string_append_printf (names, "%s%s", i ? "," : "",
        ((const RnnKernels *) g_ptr_array_index (here, i))->name);
  const char *want = g_getenv ("RNN_TEST_SETS_HERE");
  ck_assert_msg (want != NULL, "RNN_TEST_SETS_HERE unset (meson sets it)");
  ck_assert_str_eq (names->str, want);
  g_string_free (names, TRUE);
  ck_assert_uint_ge (n, 1);
  ck_assert_str_eq (all[n - 1]->name, "c");
  ck_assert_uint_eq (all[n - 1]->needs, 0);
  for (guint i = 0; i < n; i++) {
    ck_assert (all[i]->gemm && all[i]->gemm_bf16 && all[i]->gemm_i8);
    for (guint j = 0; j < i; j++)
      ck_assert_str_ne (all[i]->name, all[j]->name);
  }
  for (guint i = 0; i < here->len; i++) {
    const RnnKernels *k = g_ptr_array_index (here, i);
    g_setenv ("RNN_KERNEL", k->name, TRUE);
    ck_assert_ptr_eq (rnn_kernels_select (), k);
  }
  g_unsetenv ("RNN_KERNEL");
  ck_assert_ptr_eq (rnn_kernels_select (), g_ptr_array_index (here, 0));
}

END_TEST;

int
main (void)
{
  Suite *s = suite_create ("kernels");
  TCase *tc = tcase_create ("gemm");
  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_gemm_shapes, 0, G_N_ELEMENTS (shapes));
  tcase_add_test (tc, test_one_list);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}

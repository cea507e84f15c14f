/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnn_runner_set_input_checked(): a caller that scanned its input (the
 * element, to report non-finite values) tells the runner, which then
 * does not scan it again.  Under non-finite=zero a NaN the caller did not
 * report is replaced by 0 (the runner's own scan); one in a block the
 * caller called finite is taken as it is (the scan skipped), which shows
 * the runner trusted the caller; FALSE restores the scan. */
#include <check.h>
#include <math.h>

#include "rnn.h"
#include "rnn-test-util.h"

#define T 6

static void
state_reset (RnnRunner * runner, guint stream, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* Run @x (T frames of 1 stream) through a fresh n-to-n runner under
 * zero, with the input checked as @checked; returns whether the output
 * is all finite.  *@resets: states found non-finite and reset. */
static gboolean
run_zero (RnnModel * m, const float *x, gboolean checked, guint * resets)
{
  RnnRunConfig cfg = { 0, };
  GError *err = NULL;
  RnnRunner *r;
  float *y = g_new0 (float, (gsize) T * rnn_model_get_output_size (m));
  gboolean finite;

  cfg.mode = RNN_MODE_N_TO_N;
  cfg.batch = 1;
  cfg.non_finite = RNN_NON_FINITE_ZERO;
  r = rnn_runner_new (m, NULL, &cfg, &err);
  ck_assert_msg (r != NULL, "%s", err ? err->message : "");
  rnn_runner_set_non_finite_func (r, state_reset, resets);
  rnn_runner_set_input_checked (r, checked);
  ck_assert (rnn_runner_process (r, x, T, y, &err));
  finite = rnn_floats_all_finite (y, (gsize) T *
      rnn_model_get_output_size (m));
  rnn_runner_free (r);
  g_free (y);
  return finite;
}

START_TEST (test_checked_skips_scan)
{
  RnnTestCase *fx = rnn_test_case_load ("gru_l3_bias_uni_b3_bf");
  GError *err = NULL;
  RnnModel *m = rnn_model_load (fx->model_path, NULL, &err);
  guint F, resets = 0;
  float *x;

  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  F = rnn_model_get_input_size (m);
  x = g_new0 (float, (gsize) T * F);
  for (gsize i = 0; i < (gsize) T * F; i++)
    x[i] = 0.1f * (float) (i % 7) - 0.3f;
  x[2 * F] = NAN;

  /* not checked: the runner scans and zeroes the NaN */
  ck_assert (run_zero (m, x, FALSE, &resets));
  ck_assert_uint_eq (resets, 0);
  /* checked (wrongly) as finite: the NaN goes in as it is, the state
   * turns non-finite and is reset */
  ck_assert (!run_zero (m, x, TRUE, &resets));
  ck_assert_uint_eq (resets, 1);
  /* a finite block checked as finite runs as it would unchecked */
  x[2 * F] = 0.0f;
  ck_assert (run_zero (m, x, TRUE, &resets));
  ck_assert_uint_eq (resets, 1);

  g_free (x);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}

END_TEST;

static Suite *
input_checked_suite (void)
{
  Suite *s = suite_create ("input-checked");
  TCase *tc = tcase_create ("runner");

  tcase_add_test (tc, test_checked_skips_scan);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (input_checked_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}

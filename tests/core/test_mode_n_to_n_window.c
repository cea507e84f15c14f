/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* N-to-N on windows (bidirectional models): every bidirectional PyTorch
 * fixture without h0, its whole input as one window pushed in uneven
 * blocks (the result must be PyTorch's output), and the same input as an
 * incomplete window at the end (run, or dropped, per the partial policy). */
#include <string.h>

#include "run-test.h"

static GPtrArray *cases;

static void
run_case (const RnnTestCase * c, guint window, RnnPartial partial,
    gboolean expect_result)
{
  RnnRunConfig cfg = {.mode = RNN_MODE_N_TO_N,.batch = c->B,
    .batch_first = c->batch_first,.window = window
  };
  GError *err = NULL;
  RnnModel *m = rnn_model_load (c->model_path, NULL, &err);
  RnnRunner *r = rnn_runner_new (m, NULL, &cfg, &err);
  const RnnRunInfo *info;
  RnnTestResults *res;

  ck_assert_msg (r != NULL, "%s: %s", c->name, err ? err->message : "");
  info = rnn_runner_get_info (r);
  ck_assert_int_eq (info->output, RNN_OUTPUT_WINDOW_FRAMES);
  ck_assert_uint_eq (info->latency, window);
  ck_assert_uint_eq (info->frames_per_result, window);
  res = rnn_test_push_all (r, c->input, c->T, c->batch_first, partial,
      (gsize) c->B * c->O);
  ck_assert_uint_eq (res->data->len, expect_result ? 1 : 0);
  if (expect_result) {
    ck_assert_uint_eq (g_array_index (res->start, guint64, 0), 0);
    ck_assert_uint_eq (g_array_index (res->n_frames, guint, 0), c->T);
    ck_assert_uint_eq (g_array_index (res->n_out, guint, 0), c->T);
    rnn_test_check_close (c->name, "window output",
        g_ptr_array_index (res->data, 0), c->output,
        (gsize) c->T * c->B * c->O);
  }
  rnn_test_results_free (res);
  rnn_runner_free (r);
  rnn_model_unref (m);
}

START_TEST (test_window_fixture)
{
  const RnnTestCase *c = g_ptr_array_index (cases, _i);

  if (!c->bidirectional || c->has_h0)
    return;                     /* windows start from zero */
  /* a full window, then nothing left to drain */
  run_case (c, c->T, RNN_PARTIAL_DROP, TRUE);
  /* an incomplete window at the end: run (auto = run here) or dropped */
  run_case (c, c->T + 5, RNN_PARTIAL_AUTO, TRUE);
  run_case (c, c->T + 5, RNN_PARTIAL_DROP, FALSE);
}

END_TEST;

/* Consecutive windows are independent: the second of two identical
 * windows gives the same output as the first. */
START_TEST (test_windows_independent)
{
  const RnnTestCase *c = NULL;
  RnnRunConfig cfg = { 0 };
  RnnModel *m;
  RnnRunner *r;
  RnnTestResults *res;
  g_autofree float *twice = NULL;
  gsize frame;

  for (guint i = 0; i < cases->len && !c; i++) {
    const RnnTestCase *x = g_ptr_array_index (cases, i);
    if (x->bidirectional && !x->has_h0 && !x->batch_first)
      c = x;
  }
  ck_assert_ptr_nonnull (c);
  frame = (gsize) c->B * c->F;
  twice = g_new (float, 2 * c->T * frame);
  memcpy (twice, c->input, c->T * frame * 4);
  memcpy (twice + c->T * frame, c->input, c->T * frame * 4);
  cfg.mode = RNN_MODE_N_TO_N;
  cfg.batch = c->B;
  cfg.window = c->T;
  m = rnn_model_load (c->model_path, NULL, NULL);
  r = rnn_runner_new (m, NULL, &cfg, NULL);
  res = rnn_test_push_all (r, twice, 2 * c->T, FALSE, RNN_PARTIAL_AUTO,
      (gsize) c->B * c->O);
  ck_assert_uint_eq (res->data->len, 2);
  ck_assert_uint_eq (g_array_index (res->start, guint64, 1), c->T);
  rnn_test_check_close (c->name, "second window",
      g_ptr_array_index (res->data, 1), c->output,
      (gsize) c->T * c->B * c->O);
  rnn_test_results_free (res);
  rnn_runner_free (r);
  rnn_model_unref (m);
}

END_TEST;

int
main (void)
{
  Suite *s = suite_create ("mode-n-to-n-window");
  TCase *tc = tcase_create ("window");
  SRunner *sr;
  int failed;

  cases = rnn_test_cases_load ();
  g_assert (cases->len > 0);
  tcase_add_loop_test (tc, test_window_fixture, 0, cases->len);
  tcase_add_test (tc, test_windows_independent);
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_ptr_array_unref (cases);
  return failed ? 1 : 0;
}

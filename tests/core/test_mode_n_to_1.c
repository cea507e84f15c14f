/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The N-to-1 structure: every n-to-1 PyTorch fixture of gen_modes.py
 * (windows, hops, every pooling, uni- and bidirectional, carried state,
 * both layouts) pushed in uneven blocks: one result per window, at the
 * window's first frame, with PyTorch's scores; the incomplete window at the
 * end is dropped by default and matches PyTorch when run. */
#include <string.h>

#include "run-test.h"

static GPtrArray *all, *cases;

static void
run_case (const RnnModeCase * c, RnnPartial partial)
{
  RnnRunConfig cfg = rnn_test_mode_config (c);
  RnnModel *dec, *m = rnn_test_mode_model (c, &dec);
  GError *err = NULL;
  RnnRunner *r = rnn_runner_new (m, NULL, &cfg, &err);
  gboolean tail = partial == RNN_PARTIAL_RUN && c->tail_frames > 0;
  gsize BO = (gsize) c->B * c->O;
  RnnTestResults *res;

  ck_assert_msg (r != NULL, "%s: %s", c->name, err ? err->message : "");
  ck_assert_int_eq (rnn_runner_get_info (r)->output,
      RNN_OUTPUT_WINDOW_SCORES);
  ck_assert_uint_eq (rnn_runner_get_info (r)->latency, 0);
  res = rnn_test_push_all (r, c->input, c->T, c->batch_first, partial, BO);
  ck_assert_uint_eq (res->data->len, c->n_windows + (tail ? 1 : 0));
  for (guint w = 0; w < c->n_windows; w++) {
    g_autofree gchar *what = g_strdup_printf ("window %u", w);

    ck_assert_uint_eq (g_array_index (res->start, guint64, w),
        (guint64) c->starts[w]);
    ck_assert_uint_eq (g_array_index (res->n_frames, guint, w), c->window);
    rnn_test_check_close (c->name, what, g_ptr_array_index (res->data, w),
        c->scores + w * BO, BO);
  }
  if (tail) {
    ck_assert_uint_eq (g_array_index (res->start, guint64, c->n_windows),
        c->tail_start);
    ck_assert_uint_eq (g_array_index (res->n_frames, guint, c->n_windows),
        c->tail_frames);
    rnn_test_check_close (c->name, "partial window",
        g_ptr_array_index (res->data, c->n_windows), c->tail, BO);
  }
  rnn_test_results_free (res);
  rnn_runner_free (r);
  rnn_model_unref (m);
}

START_TEST (test_n_to_1_fixture)
{
  const RnnModeCase *c = g_ptr_array_index (cases, _i);

  run_case (c, RNN_PARTIAL_AUTO);
  run_case (c, RNN_PARTIAL_RUN);
}

END_TEST;

/* A reset drops the incomplete window and counts frames from zero. */
START_TEST (test_reset_drops_window)
{
  const RnnModeCase *c = g_ptr_array_index (cases, 0);
  RnnRunConfig cfg = rnn_test_mode_config (c);
  RnnModel *dec, *m = rnn_test_mode_model (c, &dec);
  RnnRunner *r = rnn_runner_new (m, NULL, &cfg, NULL);
  gsize cursor = 0, BO = (gsize) c->B * c->O;
  g_autofree float *head = rnn_test_slice (c->input, c->T, c->B, c->F,
      c->batch_first, 0, c->window - 1);
  RnnTestResults *res;
  RnnResult result;

  ck_assert (rnn_runner_push (r, head, c->window - 1, &cursor, &result,
          NULL));
  ck_assert_ptr_null (result.data);
  rnn_runner_reset (r);
  ck_assert_uint_eq (rnn_runner_get_frames_in (r), 0);
  res = rnn_test_push_all (r, c->input, c->T, c->batch_first,
      RNN_PARTIAL_DROP, BO);
  ck_assert_uint_eq (res->data->len, c->n_windows);
  rnn_test_check_close (c->name, "first window after a reset",
      g_ptr_array_index (res->data, 0), c->scores, BO);
  rnn_test_results_free (res);
  rnn_runner_free (r);
  rnn_model_unref (m);
}

END_TEST;

START_TEST (test_window_required)
{
  const RnnModeCase *c = g_ptr_array_index (cases, 0);
  RnnRunConfig cfg = rnn_test_mode_config (c);
  GError *err = NULL;

  cfg.window = 0;
  ck_assert (!rnn_run_config_check (&cfg, NULL, NULL, NULL, &err));
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_CONFIG));
  ck_assert_msg (strstr (err->message, "n-to-1") &&
      strstr (err->message, "'window'"), "%s", err->message);
  g_error_free (err);
}

END_TEST;

int
main (void)
{
  Suite *s = suite_create ("mode-n-to-1");
  TCase *tc = tcase_create ("n-to-1");
  SRunner *sr;
  int failed;

  all = rnn_test_mode_cases_load ();
  cases = rnn_test_mode_cases_of (all, "n-to-1");
  tcase_add_loop_test (tc, test_n_to_1_fixture, 0, cases->len);
  tcase_add_test (tc, test_reset_drops_window);
  tcase_add_test (tc, test_window_required);
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_ptr_array_unref (cases);
  g_ptr_array_unref (all);
  return failed ? 1 : 0;
}

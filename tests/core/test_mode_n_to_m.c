/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The N-to-M structure: every n-to-m PyTorch fixture of gen_modes.py
 * (encoder-decoder files, feed context and feedback, carried state, heads,
 * both layouts) pushed in uneven blocks: one forecast of `steps` frames per
 * window, as PyTorch computes it, and the incomplete window at the end when
 * asked to run it. */
#include <string.h>

#include "run-test.h"

static GPtrArray *all, *cases;

static void
run_case (const RnnModeCase * c, RnnPartial partial)
{
  RnnRunConfig cfg = rnn_test_mode_config (c);
  RnnModel *dec, *m = rnn_test_mode_model (c, &dec);
  GError *err = NULL;
  RnnRunner *r = rnn_runner_new (m, dec, &cfg, &err);
  gboolean tail = partial == RNN_PARTIAL_RUN && c->tail_frames > 0;
  gsize BO = (gsize) c->B * c->O, per = BO * c->steps;
  RnnTestResults *res;

  ck_assert_msg (r != NULL, "%s: %s", c->name, err ? err->message : "");
  ck_assert_int_eq (rnn_runner_get_info (r)->output,
      RNN_OUTPUT_WINDOW_FRAMES);
  ck_assert_uint_eq (rnn_runner_get_info (r)->frames_per_result, c->steps);
  ck_assert (!rnn_runner_get_info (r)->contiguous);
  res = rnn_test_push_all (r, c->input, c->T, c->batch_first, partial, BO);
  ck_assert_uint_eq (res->data->len, c->n_windows + (tail ? 1 : 0));
  for (guint w = 0; w < c->n_windows; w++) {
    g_autofree gchar *what = g_strdup_printf ("forecast %u", w);

    ck_assert_uint_eq (g_array_index (res->start, guint64, w),
        (guint64) c->starts[w]);
    ck_assert_uint_eq (g_array_index (res->n_out, guint, w), c->steps);
    rnn_test_check_close (c->name, what, g_ptr_array_index (res->data, w),
        c->output + w * per, per);
  }
  if (tail) {
    ck_assert_uint_eq (g_array_index (res->n_frames, guint, c->n_windows),
        c->tail_frames);
    rnn_test_check_close (c->name, "forecast of the partial window",
        g_ptr_array_index (res->data, c->n_windows), c->tail, per);
  }
  rnn_test_results_free (res);
  rnn_runner_free (r);
  rnn_model_unref (m);
  rnn_model_unref (dec);
}

START_TEST (test_n_to_m_fixture)
{
  const RnnModeCase *c = g_ptr_array_index (cases, _i);

  run_case (c, RNN_PARTIAL_AUTO);
  run_case (c, RNN_PARTIAL_RUN);
}

END_TEST;

/* An encoder whose final state does not fit the decoder is refused,
 * naming both shapes; a file without a decoder says so. */
START_TEST (test_models_refused)
{
  const RnnModeCase *c = g_ptr_array_index (cases, 0);
  RnnRunConfig cfg = rnn_test_mode_config (c);
  gchar *path = g_build_filename (rnn_test_tmpdir (), "s2s-bad.safetensors",
      NULL);
  GError *err = NULL;
  RnnModel *enc, *dec;

  rnn_test_write_gru_seq2seq (path, 2, 3, 3, 4);
  enc = rnn_model_load_encoder_decoder (path, &dec, &err);
  ck_assert_ptr_nonnull (enc);
  cfg.batch = 1;
  ck_assert_ptr_null (rnn_runner_new (enc, dec, &cfg, &err));
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_CONFIG));
  ck_assert_msg (strstr (err->message, "hidden 3") &&
      strstr (err->message, "hidden 4"), "%s", err->message);
  g_clear_error (&err);
  rnn_model_unref (enc);
  rnn_model_unref (dec);

  rnn_test_write_gru_seq2seq (path, 2, 3, 0, 0);
  ck_assert_ptr_null (rnn_model_load_encoder_decoder (path, &dec, &err));
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_MODEL));
  ck_assert_msg (strstr (err->message, "no usable decoder"), "%s",
      err->message);
  g_clear_error (&err);
  g_free (path);
}

END_TEST;

int
main (void)
{
  Suite *s = suite_create ("mode-n-to-m");
  TCase *tc = tcase_create ("n-to-m");
  SRunner *sr;
  int failed;

  all = rnn_test_mode_cases_load ();
  cases = rnn_test_mode_cases_of (all, "n-to-m");
  tcase_add_loop_test (tc, test_n_to_m_fixture, 0, cases->len);
  tcase_add_test (tc, test_models_refused);
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

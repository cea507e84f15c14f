/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The 1-to-N structure: every 1-to-n PyTorch fixture of gen_modes.py
 * (feed repeat, first and feedback, carried state or not, heads, both
 * layouts) through rnn_runner_process() in uneven, partly unaligned
 * blocks: `steps` output frames per input frame, as PyTorch computes them. */
#include <string.h>

#include "run-test.h"

static GPtrArray *all, *cases;

START_TEST (test_1_to_n_fixture)
{
  const RnnModeCase *c = g_ptr_array_index (cases, _i);
  RnnRunConfig cfg = rnn_test_mode_config (c);
  RnnModel *dec, *m = rnn_test_mode_model (c, &dec);
  GError *err = NULL;
  RnnRunner *r = rnn_runner_new (m, NULL, &cfg, &err);
  guint S = c->steps, TS = c->T * S, t = 0, i = 0;
  g_autofree float *out = g_new0 (float, (gsize) TS * c->B * c->O);

  ck_assert_msg (r != NULL, "%s: %s", c->name, err ? err->message : "");
  ck_assert_int_eq (rnn_runner_get_info (r)->output, RNN_OUTPUT_BLOCK);
  ck_assert_uint_eq (rnn_runner_get_info (r)->frames_per_input, S);
  while (t < c->T) {
    guint k = MIN (rnn_run_test_splits[i % 8], c->T - t);
    gsize n_out = (gsize) k * S * c->B * c->O;
    RnnTestBlock in;
    guint8 *o = g_malloc (n_out * 4 + 1);
    g_autofree float *part = NULL;

    rnn_test_block_cut (&in, c->input, c->T, c->B, c->F, c->batch_first, t,
        k, i % 2 == 0);
    ck_assert_msg (rnn_runner_process (r, in.data, k, o + i % 2, &err),
        "%s: %s", c->name, err ? err->message : "");
    part = g_memdup2 (o + i % 2, n_out * 4);
    for (guint b = 0; b < c->B; b++)
      for (guint j = 0; j < k * S; j++) {
        gsize dst = c->batch_first ? ((gsize) b * TS + t * S + j) * c->O :
            ((gsize) (t * S + j) * c->B + b) * c->O;
        gsize src = c->batch_first ? ((gsize) b * k * S + j) * c->O :
            ((gsize) j * c->B + b) * c->O;
        memcpy (out + dst, part + src, c->O * 4);
      }
    g_free (o);
    rnn_test_block_clear (&in);
    t += k;
    i++;
  }
  rnn_test_check_close (c->name, "output", out, c->output,
      (gsize) TS * c->B * c->O);
  rnn_runner_free (r);
  rnn_model_unref (m);
}

END_TEST;

/* feed=feedback needs output size == input size; context needs n-to-m. */
START_TEST (test_feed_refused)
{
  RnnRunConfig cfg = {.mode = RNN_MODE_1_TO_N,.batch = 1,.steps = 2,
    .feed = RNN_FEED_CONTEXT
  };
  GError *err = NULL;

  ck_assert (!rnn_run_config_check (&cfg, NULL, NULL, NULL, &err));
  ck_assert_msg (strstr (err->message, "'feed'") &&
      strstr (err->message, "context") && strstr (err->message, "1-to-n"),
      "%s", err->message);
  g_clear_error (&err);

  for (guint i = 0; i < cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (cases, i);
    RnnModel *dec, *m = rnn_test_mode_model (c, &dec);

    cfg.feed = RNN_FEED_FEEDBACK;
    if (rnn_model_get_output_size (m) != rnn_model_get_input_size (m)) {
      ck_assert (!rnn_run_config_check (&cfg, m, NULL, NULL, &err));
      ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_CONFIG));
      ck_assert_msg (strstr (err->message, "feedback") &&
          strstr (err->message, "output size"), "%s", err->message);
      g_clear_error (&err);
    }
    rnn_model_unref (m);
  }
}

END_TEST;

int
main (void)
{
  Suite *s = suite_create ("mode-1-to-n");
  TCase *tc = tcase_create ("1-to-n");
  SRunner *sr;
  int failed;

  all = rnn_test_mode_cases_load ();
  cases = rnn_test_mode_cases_of (all, "1-to-n");
  tcase_add_loop_test (tc, test_1_to_n_fixture, 0, cases->len);
  tcase_add_test (tc, test_feed_refused);
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

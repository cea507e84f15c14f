/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The N-to-N structure, streaming: every unidirectional PyTorch fixture
 * (tests/conformance/fixtures) through rnn_runner_process() in uneven,
 * partly unaligned blocks, in its own layout, from its h0: the outputs
 * and h_n/c_n must match PyTorch. */
#include <math.h>
#include <string.h>

#include "run-test.h"

static GPtrArray *cases;

/* Run case @c in blocks: one whole block (@whole) or the uneven splits. */
static void
run_case (const RnnTestCase * c, gboolean whole)
{
  RnnRunConfig cfg = {.mode = RNN_MODE_N_TO_N,.batch = c->B,
    .batch_first = c->batch_first
  };
  GError *err = NULL;
  RnnModel *m = rnn_model_load (c->model_path, NULL, &err);
  RnnRunner *r;
  const float *h0 = rnn_test_case_tensor (c, "h0", NULL);
  const float *c0 = rnn_test_case_tensor (c, "c0", NULL);
  const float *hn = rnn_test_case_tensor (c, "h_n", NULL);
  const float *cn = rnn_test_case_tensor (c, "c_n", NULL);
  g_autofree float *out = NULL, *h = NULL, *cc = NULL;
  guint t = 0, i = 0;

  ck_assert_msg (m != NULL, "%s: %s", c->name, err ? err->message : "");
  r = rnn_runner_new (m, NULL, &cfg, &err);
  ck_assert_msg (r != NULL, "%s: %s", c->name, err ? err->message : "");
  ck_assert_int_eq (rnn_runner_get_info (r)->output, RNN_OUTPUT_BLOCK);
  ck_assert_uint_eq (rnn_runner_get_info (r)->output_size, c->O);
  if (h0)
    rnn_state_set (rnn_runner_get_state (r), h0, c0);

  out = g_new0 (float, (gsize) c->T * c->B * c->O);
  while (t < c->T) {
    guint k = whole ? c->T : MIN (rnn_run_test_splits[i % 8], c->T - t);
    RnnTestBlock in;
    guint8 *o = g_malloc ((gsize) k * c->B * c->O * 4 + 1);
    g_autofree float *part = NULL;

    rnn_test_block_cut (&in, c->input, c->T, c->B, c->F, c->batch_first, t,
        k, i % 2 == 1);
    ck_assert_msg (rnn_runner_process (r, in.data, k, o + i % 2, &err),
        "%s: %s", c->name, err ? err->message : "");
    /* put the block back at frame t of the whole output */
    part = g_memdup2 (o + i % 2, (gsize) k * c->B * c->O * 4);
    for (guint b = 0; b < c->B; b++)
      for (guint j = 0; j < k; j++) {
        gsize dst = c->batch_first ? ((gsize) b * c->T + t + j) * c->O :
            ((gsize) (t + j) * c->B + b) * c->O;
        gsize src = c->batch_first ? ((gsize) b * k + j) * c->O :
            ((gsize) j * c->B + b) * c->O;
        memcpy (out + dst, part + src, c->O * 4);
      }
    g_free (o);
    rnn_test_block_clear (&in);
    t += k;
    i++;
  }
  ck_assert_uint_eq (rnn_runner_get_frames_in (r), c->T);
  rnn_test_check_close (c->name, "output", out, c->output,
      (gsize) c->T * c->B * c->O);

  h = g_new0 (float, rnn_model_get_h_size (m, c->B));
  cc = g_new0 (float, MAX (1, rnn_model_get_c_size (m, c->B)));
  rnn_state_get (rnn_runner_get_state (r), h, cc);
  rnn_test_check_close (c->name, "h_n", h, hn, rnn_model_get_h_size (m,
          c->B));
  if (cn)
    rnn_test_check_close (c->name, "c_n", cc, cn, rnn_model_get_c_size (m,
            c->B));
  rnn_runner_free (r);
  rnn_model_unref (m);
}

START_TEST (test_stream_fixture)
{
  const RnnTestCase *c = g_ptr_array_index (cases, _i);

  if (c->bidirectional)
    return;                     /* test_mode_n_to_n_window.c */
  run_case (c, FALSE);
  run_case (c, TRUE);
}

END_TEST;

/* A bidirectional model cannot stream: refused, saying how to run it. */
START_TEST (test_bidirectional_needs_window)
{
  RnnRunConfig cfg = {.mode = RNN_MODE_N_TO_N,.batch = 1 };
  GError *err = NULL;
  RnnModel *m = NULL;

  for (guint i = 0; i < cases->len && !m; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);
    if (c->bidirectional)
      m = rnn_model_load (c->model_path, NULL, NULL);
  }
  ck_assert_ptr_nonnull (m);
  ck_assert_ptr_null (rnn_runner_new (m, NULL, &cfg, &err));
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_CONFIG));
  ck_assert_msg (strstr (err->message, "bidirectional") &&
      strstr (err->message, "window=N"), "%s", err->message);
  g_error_free (err);
  rnn_model_unref (m);
}

END_TEST;

/* A NaN in stream 1 under reset-stream: that frame is computed as it is,
 * then stream 1 starts again from zero; stream 0 is not touched. */
START_TEST (test_reset_stream_policy)
{
  const RnnTestCase *c = NULL;
  RnnRunConfig cfg = {.mode = RNN_MODE_N_TO_N };
  RnnModel *m;
  RnnRunner *r, *fresh;
  g_autofree float *in = NULL, *out = NULL, *ref = NULL;
  guint T, B, F, O, bad = 40;

  for (guint i = 0; i < cases->len && !c; i++) {
    const RnnTestCase *x = g_ptr_array_index (cases, i);
    if (!x->bidirectional && !x->has_h0 && !x->batch_first && x->B == 3)
      c = x;
  }
  ck_assert_ptr_nonnull (c);
  T = c->T, B = c->B, F = c->F, O = c->O;
  cfg.batch = B;
  m = rnn_model_load (c->model_path, NULL, NULL);
  r = rnn_runner_new (m, NULL, &cfg, NULL);
  fresh = rnn_runner_new (m, NULL, &cfg, NULL);
  in = g_memdup2 (c->input, (gsize) T * B * F * 4);
  in[((gsize) bad * B + 1) * F] = NAN;
  out = g_new (float, (gsize) T * B * O);
  ref = g_new (float, (gsize) T * B * O);
  ck_assert (rnn_runner_process (r, in, T, out, NULL));
  /* frames after the bad one, from zero */
  ck_assert (rnn_runner_process (fresh, in + (gsize) (bad + 1) * B * F,
          T - bad - 1, ref, NULL));
  rnn_test_check_close (c->name, "stream 0", out, c->output,
      (gsize) bad * B * O);
  for (guint t = bad + 1; t < T; t++) {
    rnn_test_check_close (c->name, "stream 0 after the NaN",
        out + ((gsize) t * B) * O, c->output + ((gsize) t * B) * O, O);
    rnn_test_check_close (c->name, "stream 1 after the NaN",
        out + ((gsize) t * B + 1) * O,
        ref + ((gsize) (t - bad - 1) * B + 1) * O, O);
  }
  rnn_runner_free (r);
  rnn_runner_free (fresh);
  rnn_model_unref (m);
}

END_TEST;

int
main (void)
{
  Suite *s = suite_create ("mode-n-to-n");
  TCase *tc = tcase_create ("stream");
  SRunner *sr;
  int failed;

  cases = rnn_test_cases_load ();
  g_assert (cases->len > 0);
  tcase_add_loop_test (tc, test_stream_fixture, 0, cases->len);
  tcase_add_test (tc, test_bidirectional_needs_window);
  tcase_add_test (tc, test_reset_stream_policy);
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_ptr_array_unref (cases);
  return failed ? 1 : 0;
}

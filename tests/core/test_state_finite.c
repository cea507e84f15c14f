/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnn_state_is_finite() and rnn_state_stream_is_finite(): a NaN or Inf
 * anywhere in h (any layer and direction) or, for an LSTM, c of a stream
 * is found in place, in that stream only, and a reset of the stream
 * clears it; nothing is allocated.  Models come from the conformance
 * fixtures. */
#include <check.h>
#include <math.h>

#include "rnn.h"
#include "rnn-test-util.h"

#include "alloc-count.h"

static const char *const models[] = {
  "lstm_l2_bias_uni_b3_tm_h0",  /* h and c */
  "gru_l3_bias_uni_b3_bf",
  "lstmp_l2_bias_uni_b3_bf_h0", /* h of P, c of H */
  "gru_l2_bias_bi_b3_tm_h0",    /* two directions */
};

static RnnModel *
load_case (const char *name)
{
  GError *err = NULL;
  RnnTestCase *fx = rnn_test_case_load (name);
  RnnModel *m = rnn_model_load (fx->model_path, NULL, &err);

  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  rnn_test_case_free (fx);
  return m;
}

/* Every float of h, then of c, made non-finite in turn: only its stream
 * reads non-finite. */
START_TEST (test_each_value)
{
  RnnModel *m = load_case (models[_i]);
  const guint B = 3;
  RnnState *s = rnn_state_new (m, B, 8, NULL);
  gsize nh = rnn_model_get_h_size (m, B), nc = rnn_model_get_c_size (m, B);
  guint LD = rnn_model_get_num_layers (m) *
      (rnn_model_is_bidirectional (m) ? 2 : 1);
  float *h = g_new0 (float, nh), *c = g_new0 (float, MAX (nc, 1));
  const float bad[] = { NAN, INFINITY, -INFINITY };

  ck_assert (rnn_state_is_finite (s));
  for (gsize i = 0; i < nh + nc; i++) {
    gboolean in_h = i < nh;
    gsize j = in_h ? i : i - nh;
    guint per = (guint) ((in_h ? nh : nc) / (LD * B));
    guint b = (guint) (j / per % B);
    gboolean all, each[3];
#ifdef RNN_TEST_COUNT_ALLOCS
    gint before;
#endif

    (in_h ? h : c)[j] = bad[i % 3];
    rnn_state_set (s, h, c);
#ifdef RNN_TEST_COUNT_ALLOCS
    before = rnn_test_alloc_count ();
#endif
    all = rnn_state_is_finite (s);
    for (guint k = 0; k < B; k++)
      each[k] = rnn_state_stream_is_finite (s, k);
#ifdef RNN_TEST_COUNT_ALLOCS
    ck_assert_int_eq (rnn_test_alloc_count (), before);
#endif
    ck_assert_msg (!all, "%s: value %zu", models[_i], i);
    for (guint k = 0; k < B; k++)
      ck_assert_msg (each[k] == (k != b),
          "%s: value %zu (stream %u), stream %u", models[_i], i, b, k);
    rnn_state_reset_stream (s, b);
    ck_assert (rnn_state_is_finite (s));
    (in_h ? h : c)[j] = 0.0f;
  }
  rnn_state_free (s);
  rnn_model_unref (m);
  g_free (h);
  g_free (c);
}

END_TEST;

static Suite *
state_finite_suite (void)
{
  Suite *s = suite_create ("state-finite");
  TCase *tc = tcase_create ("finite");

  tcase_add_loop_test (tc, test_each_value, 0, G_N_ELEMENTS (models));
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (state_finite_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}

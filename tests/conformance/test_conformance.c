/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Conformance: every fixture written by gen_fixtures.py (PyTorch 1.13) must
 * be reproduced within RNN_TEST_TOLERANCE, run as one window and, for
 * unidirectional models, streamed in the fixture's uneven block splits
 * with a state whose capacity forces internal chunking too. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rnn.h"
#include "rnn-test-util.h"
#include "kernels.h"

static GPtrArray *cases;

typedef struct {
  const RnnTestCase *fx;
  RnnModel *model;
  const float *in, *out_ref, *raw_ref, *h0, *c0, *hn_ref, *cn_ref;
  gsize n_in, n_out, n_raw, n_h, n_c;
  guint O;
} Case;

static void
case_load (Case * c, int i)
{
  GError *err = NULL;
  memset (c, 0, sizeof *c);
  c->fx = g_ptr_array_index (cases, i);
  c->model = rnn_model_load (c->fx->model_path, NULL, &err);
  ck_assert_msg (c->model != NULL, "%s: %s", c->fx->name,
      err ? err->message : "?");
  c->in = rnn_test_case_tensor (c->fx, "input", &c->n_in);
  c->out_ref = rnn_test_case_tensor (c->fx, "output", &c->n_out);
  c->raw_ref = rnn_test_case_tensor (c->fx, "raw_output", &c->n_raw);
  c->h0 = rnn_test_case_tensor (c->fx, "h0", NULL);
  c->c0 = rnn_test_case_tensor (c->fx, "c0", NULL);
  c->hn_ref = rnn_test_case_tensor (c->fx, "h_n", &c->n_h);
  c->cn_ref = rnn_test_case_tensor (c->fx, "c_n", &c->n_c);
  ck_assert_ptr_nonnull (c->hn_ref);
  c->O = rnn_model_get_output_size (c->model);
  ck_assert_uint_eq (rnn_model_get_input_size (c->model), c->fx->F);
  ck_assert_uint_eq (c->n_out, (gsize) c->fx->T * c->fx->B * c->O);
  ck_assert_uint_eq (c->n_h, rnn_model_get_h_size (c->model, c->fx->B));
  ck_assert_uint_eq (c->cn_ref ? c->n_c : 0,
      rnn_model_get_c_size (c->model, c->fx->B));
  ck_assert_int_eq (rnn_model_is_bidirectional (c->model),
      c->fx->bidirectional);
}

/* A state with $RNN_TEST_THREADS threads (default 1): the conformance run
 * under threads, where products split by columns (few streams) or calls
 * split by streams (many). */
static RnnState *
new_state (RnnModel * m, guint batch, guint frames, GError ** error)
{
  RnnState *s = rnn_state_new (m, batch, frames, error);
  const char *nt = g_getenv ("RNN_TEST_THREADS");
  if (s && nt && atoi (nt) > 1 &&
      !rnn_state_set_threads (s, (guint) atoi (nt), NULL))
    g_error ("cannot start %s threads", nt);
  return s;
}

static void
case_free (Case * c)
{
  rnn_model_unref (c->model);
}

static void
check_close (const Case * c, const char *what, const float *got,
    const float *want, gsize n)
{
  double err = rnn_test_max_err (got, want, n);
  ck_assert_msg (err <= RNN_TEST_TOLERANCE,
      "%s: %s differs from PyTorch by %g (tolerance %g)", c->fx->name, what,
      err, RNN_TEST_TOLERANCE);
}

static void
check_final_state (const Case * c, RnnState * s, const char *how)
{
  g_autofree float *hn = g_new0 (float, c->n_h);
  g_autofree float *cn = g_new0 (float, MAX (c->n_c, 1));
  rnn_state_get (s, hn, cn);
  g_autofree char *wh = g_strdup_printf ("h_n (%s)", how);
  check_close (c, wh, hn, c->hn_ref, c->n_h);
  if (c->cn_ref) {
    g_autofree char *wc = g_strdup_printf ("c_n (%s)", how);
    check_close (c, wc, cn, c->cn_ref, c->n_c);
  }
}

static RnnRunFlags
layout (const Case * c)
{
  return c->fx->batch_first ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE;
}

START_TEST (test_whole_window)
{
  Case c;
  GError *err = NULL;
  case_load (&c, _i);
  RnnState *s = new_state (c.model, c.fx->B, c.fx->T, &err);
  ck_assert_ptr_nonnull (s);
  rnn_state_set (s, c.h0, c.c0);
  g_autofree float *out = g_new0 (float, c.n_out);
  ck_assert_msg (rnn_state_process_window (s, c.in, c.fx->T, layout (&c), out,
          &err), "%s", err ? err->message : "");
  check_close (&c, "output (whole window)", out, c.out_ref, c.n_out);
  check_final_state (&c, s, "whole window");

  if (c.raw_ref) {
    g_autofree float *raw = g_new0 (float, c.n_raw);
    rnn_state_set (s, c.h0, c.c0);
    ck_assert (rnn_state_process_window (s, c.in, c.fx->T,
            layout (&c) | RNN_RUN_NO_HEAD, raw, NULL));
    check_close (&c, "raw_output (no head)", raw, c.raw_ref, c.n_raw);
  }

  /* Reset really returns to zero: a reset state run gives what a fresh
   * state gives. */
  if (c.h0) {
    RnnState *fresh = new_state (c.model, c.fx->B, c.fx->T, NULL);
    g_autofree float *a = g_new0 (float, c.n_out);
    g_autofree float *b = g_new0 (float, c.n_out);
    rnn_state_reset (s);
    ck_assert (rnn_state_process_window (s, c.in, c.fx->T, layout (&c), a,
            NULL));
    ck_assert (rnn_state_process_window (fresh, c.in, c.fx->T, layout (&c),
            b, NULL));
    ck_assert (memcmp (a, b, c.n_out * sizeof (float)) == 0);
    ck_assert (rnn_test_max_err (a, c.out_ref, c.n_out) > RNN_TEST_TOLERANCE);
    rnn_state_free (fresh);
  }
  rnn_state_free (s);
  case_free (&c);
}
END_TEST

/* Slice frames [t0, t0+k) of a (B, T, W) or (T, B, W) array into a
 * contiguous block of the same layout. */
static void
slice (const float *src, guint T, guint B, guint W, gboolean bf, guint t0,
    guint k, float *dst)
{
  if (!bf) {
    memcpy (dst, src + (gsize) t0 * B * W, (gsize) k * B * W * sizeof (float));
    return;
  }
  for (guint b = 0; b < B; b++)
    memcpy (dst + (gsize) b * k * W, src + ((gsize) b * T + t0) * W,
        (gsize) k * W * sizeof (float));
}

START_TEST (test_streamed_splits)
{
  Case c;
  GError *err = NULL;
  case_load (&c, _i);
  if (c.fx->bidirectional) {
    /* Streaming a bidirectional model must be refused, not approximated. */
    RnnState *s = new_state (c.model, c.fx->B, 8, NULL);
    float dummy_out[4096];
    ck_assert (!rnn_state_process (s, c.in, 1, layout (&c), dummy_out, &err));
    ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_USAGE));
    ck_assert (strstr (err->message, "bidirectional") != NULL);
    g_clear_error (&err);
    rnn_state_free (s);
    case_free (&c);
    return;
  }
  const guint T = c.fx->T, B = c.fx->B, F = c.fx->F, O = c.O;
  /* Capacity 16 < the 64-frame block: the core must chunk internally. */
  RnnState *s = new_state (c.model, B, 16, &err);
  ck_assert_ptr_nonnull (s);
  rnn_state_set (s, c.h0, c.c0);
  g_autofree float *out = g_new0 (float, c.n_out);
  g_autofree float *blk_in = g_new0 (float, (gsize) T * B * F);
  g_autofree float *blk_out = g_new0 (float, (gsize) T * B * O);
  guint t0 = 0;
  for (guint i = 0; i < c.fx->n_splits; i++) {
    guint k = c.fx->splits[i];
    slice (c.in, T, B, F, c.fx->batch_first, t0, k, blk_in);
    ck_assert_msg (rnn_state_process (s, blk_in, k, layout (&c), blk_out,
            &err), "%s", err ? err->message : "");
    /* scatter the block back into the full-sequence layout */
    if (c.fx->batch_first) {
      for (guint b = 0; b < B; b++)
        memcpy (out + ((gsize) b * T + t0) * O, blk_out + (gsize) b * k * O,
            (gsize) k * O * sizeof (float));
    } else {
      memcpy (out + (gsize) t0 * B * O, blk_out, (gsize) k * B * O *
          sizeof (float));
    }
    t0 += k;
  }
  check_close (&c, "output (streamed in splits)", out, c.out_ref, c.n_out);
  check_final_state (&c, s, "streamed in splits");

  /* One frame per call, the element's worst case. */
  rnn_state_set (s, c.h0, c.c0);
  for (guint t = 0; t < T; t++) {
    slice (c.in, T, B, F, c.fx->batch_first, t, 1, blk_in);
    ck_assert (rnn_state_process (s, blk_in, 1, layout (&c), blk_out, NULL));
    if (c.fx->batch_first) {
      for (guint b = 0; b < B; b++)
        memcpy (out + ((gsize) b * T + t) * O, blk_out + (gsize) b * O,
            O * sizeof (float));
    } else {
      memcpy (out + (gsize) t * B * O, blk_out, (gsize) B * O *
          sizeof (float));
    }
  }
  check_close (&c, "output (one frame per call)", out, c.out_ref, c.n_out);
  check_final_state (&c, s, "one frame per call");
  rnn_state_free (s);
  case_free (&c);
}
END_TEST

/* The largest error over every fixture's whole-window output and h_n,
 * measured in this process (the checks run in forked children), so the
 * log shows the margin under the tolerance; -1 if a case fails to run
 * (its test reports why). */
static double
whole_window_max_err (void)
{
  double worst = 0.0;
  for (guint i = 0; i < cases->len; i++) {
    const RnnTestCase *fx = g_ptr_array_index (cases, i);
    gsize n_out, n_h;
    const float *in = rnn_test_case_tensor (fx, "input", NULL);
    const float *want = rnn_test_case_tensor (fx, "output", &n_out);
    const float *hn_ref = rnn_test_case_tensor (fx, "h_n", &n_h);
    RnnModel *m = rnn_model_load (fx->model_path, NULL, NULL);
    RnnState *s = m ? new_state (m, fx->B, fx->T, NULL) : NULL;
    g_autofree float *out = g_new0 (float, n_out);
    g_autofree float *hn = g_new0 (float, n_h);
    gboolean ok = s && want && hn_ref && n_h == rnn_model_get_h_size (m, fx->B);
    if (ok) {
      rnn_state_set (s, rnn_test_case_tensor (fx, "h0", NULL),
          rnn_test_case_tensor (fx, "c0", NULL));
      ok = rnn_state_process_window (s, in, fx->T, fx->batch_first ?
          RNN_RUN_BATCH_FIRST : RNN_RUN_NONE, out, NULL);
    }
    if (ok) {
      rnn_state_get (s, hn, NULL);
      worst = MAX (worst, rnn_test_max_err (out, want, n_out));
      worst = MAX (worst, rnn_test_max_err (hn, hn_ref, n_h));
    }
    if (s)
      rnn_state_free (s);
    if (m)
      rnn_model_unref (m);
    if (!ok)
      return -1.0;
  }
  return worst;
}

static Suite *
conformance_suite (void)
{
  Suite *s = suite_create ("conformance");
  TCase *tc = tcase_create ("pytorch");
  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_whole_window, 0, (int) cases->len);
  tcase_add_loop_test (tc, test_streamed_splits, 0, (int) cases->len);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  cases = rnn_test_cases_load ();
  if (cases->len < 30)
    g_error ("expected the conformance fixtures in %s, found %u cases",
        rnn_test_fixture_dir (), cases->len);
  /* The kernel set under test ($RNN_KERNEL) must really be the one used. */
  const char *want = g_getenv ("RNN_KERNEL");
  const char *got = rnn_kernels_select ()->name;
  if (want && *want && strcmp (want, got) != 0)
    g_error ("RNN_KERNEL=%s requested but kernel set '%s' selected", want,
        got);
  /* ... and the one the public API names (what the benchmark prints) */
  if (strcmp (rnn_model_get_kernel_set (NULL), got) != 0)
    g_error ("rnn_model_get_kernel_set (NULL) says '%s', the core runs '%s'",
        rnn_model_get_kernel_set (NULL), got);
  g_print ("%u PyTorch fixtures, tolerance %g, kernels %s\n", cases->len,
      RNN_TEST_TOLERANCE, got);
  g_print ("largest error, whole-window output and h_n: %g\n",
      whole_window_max_err ());
  SRunner *sr = srunner_create (conformance_suite ());
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_ptr_array_unref (cases);
  return failed ? 1 : 0;
}

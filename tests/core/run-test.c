/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run-test.h"

#include <string.h>

const guint rnn_run_test_splits[8] = { 1, 7, 3, 13, 2, 29, 5, 64 };

void
rnn_test_block_cut (RnnTestBlock * blk, const float *data, guint T, guint B,
    guint W, gboolean batch_first, guint t0, guint k, gboolean unaligned)
{
  g_autofree float *slice = rnn_test_slice (data, T, B, W, batch_first, t0,
      k);
  gsize bytes = (gsize) k * B * W * sizeof (float);

  blk->mem = g_malloc (bytes + 1);
  blk->data = blk->mem + (unaligned ? 1 : 0);
  memcpy (blk->data, slice, bytes);
}

void
rnn_test_block_clear (RnnTestBlock * blk)
{
  g_clear_pointer (&blk->mem, g_free);
  blk->data = NULL;
}

static void
keep (RnnTestResults * res, const RnnResult * r, gsize floats_per_out)
{
  guint64 start = r->start;
  guint n_frames = r->n_frames, n_out = r->n_out;

  g_ptr_array_add (res->data, g_memdup2 (r->data,
          (gsize) r->n_out * floats_per_out * sizeof (float)));
  g_array_append_val (res->start, start);
  g_array_append_val (res->n_frames, n_frames);
  g_array_append_val (res->n_out, n_out);
}

RnnTestResults *
rnn_test_push_all (RnnRunner * r, const float *input, guint T,
    gboolean batch_first, RnnPartial partial, gsize floats_per_out)
{
  const RnnRunConfig *cfg = rnn_runner_get_config (r);
  const RnnRunInfo *info = rnn_runner_get_info (r);
  RnnTestResults *res = g_new0 (RnnTestResults, 1);
  GError *err = NULL;
  RnnResult result;
  guint t = 0, i = 0;

  res->data = g_ptr_array_new_with_free_func (g_free);
  res->start = g_array_new (FALSE, FALSE, sizeof (guint64));
  res->n_frames = g_array_new (FALSE, FALSE, sizeof (guint));
  res->n_out = g_array_new (FALSE, FALSE, sizeof (guint));
  while (t < T) {
    guint k = MIN (rnn_run_test_splits[i % 8], T - t);
    RnnTestBlock blk;
    gsize cursor = 0;

    rnn_test_block_cut (&blk, input, T, cfg->batch, info->input_size,
        batch_first, t, k, i % 2 == 1);
    do {
      ck_assert_msg (rnn_runner_push (r, blk.data, k, &cursor, &result,
              &err), "push: %s", err ? err->message : "?");
      if (result.data)
        keep (res, &result, floats_per_out);
    } while (cursor < k);
    rnn_test_block_clear (&blk);
    t += k;
    i++;
  }
  ck_assert_msg (rnn_runner_drain (r, partial, &result, &err), "drain: %s",
      err ? err->message : "?");
  if (result.data)
    keep (res, &result, floats_per_out);
  return res;
}

void
rnn_test_results_free (RnnTestResults * res)
{
  g_ptr_array_unref (res->data);
  g_array_unref (res->start);
  g_array_unref (res->n_frames);
  g_array_unref (res->n_out);
  g_free (res);
}

void
rnn_test_check_close (const char *name, const char *what, const float *got,
    const float *want, gsize n)
{
  double err = rnn_test_max_err (got, want, n);
  /* $RNN_TEST_PRECISION runs (meson: the -bf16/-int8 tests) widen the
   * tolerance to their bound and log every error for the report */
  const char *bound = g_getenv ("RNN_TEST_BOUND");
  double tol = bound ? g_ascii_strtod (bound, NULL) : RNN_TEST_TOLERANCE;

  if (g_getenv ("RNN_TEST_PRECISION"))
    g_print ("precision-error %s %s %s %g\n", g_getenv ("RNN_TEST_PRECISION"),
        name, what, err);
  ck_assert_msg (err <= tol,
      "%s: %s differs from PyTorch by %g (tolerance %g)", name, what, err,
      tol);
}

RnnRunConfig
rnn_test_mode_config (const RnnModeCase * c)
{
  static const char *const feeds[] = { "", "repeat", "first", "feedback",
    "context"
  };
  RnnRunConfig cfg = { 0 };

  if (strcmp (c->mode, "n-to-1") == 0)
    cfg.mode = RNN_MODE_N_TO_1;
  else if (strcmp (c->mode, "1-to-n") == 0)
    cfg.mode = RNN_MODE_1_TO_N;
  else if (strcmp (c->mode, "n-to-m") == 0)
    cfg.mode = RNN_MODE_N_TO_M;
  else
    ck_abort_msg ("%s: unknown mode %s", c->name, c->mode);
  cfg.batch = c->B;
  cfg.batch_first = c->batch_first;
  cfg.window = c->window;
  cfg.hop = c->hop;
  cfg.steps = c->steps;
  cfg.carry_state = c->carry;
  cfg.feed = RNN_FEED_AUTO;
  for (guint i = 1; i < G_N_ELEMENTS (feeds); i++)
    if (c->feed && strcmp (c->feed, feeds[i]) == 0)
      cfg.feed = (RnnFeed) i;
  return cfg;
}

RnnModel *
rnn_test_mode_model (const RnnModeCase * c, RnnModel ** decoder)
{
  GError *err = NULL;
  RnnModel *m;

  RnnLoadOptions o = { 0 };

  *decoder = NULL;
  /* $RNN_TEST_PRECISION: the weights in bf16 or int8 */
  if (g_getenv ("RNN_TEST_PRECISION"))
    ck_assert (rnn_precision_from_name (g_getenv ("RNN_TEST_PRECISION"),
            &o.precision));
  if (strcmp (c->mode, "n-to-m") == 0)
    m = rnn_model_load_encoder_decoder_precision (c->model_path, o.precision,
        decoder, &err);
  else
    m = rnn_model_load (c->model_path, &o, &err);
  ck_assert_msg (m != NULL, "%s: %s", c->name, err ? err->message : "");
  return m;
}

GPtrArray *
rnn_test_mode_cases_of (GPtrArray * all, const char *mode)
{
  GPtrArray *some = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (all, i);
    if (strcmp (c->mode, mode) == 0)
      g_ptr_array_add (some, (gpointer) c);
  }
  g_assert (some->len > 0);
  return some;
}

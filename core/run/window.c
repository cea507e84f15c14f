/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The window ring shared by N-to-1 and N-to-M: every `hop` frames, the
 * last `window` frames run as one sequence. */
#include "run-private.h"

#include <string.h>

void
rnn_ring_init (RnnWindowRing * ring, RnnRunner * r)
{
  guint W = r->cfg.window;
  guint R = rnn_model_get_rnn_output_size (r->model);

  memset (ring, 0, sizeof (*ring));
  ring->window = W;
  ring->hop = r->cfg.hop;
  ring->ring = g_try_new (float, (gsize) W * r->B * r->F);
  ring->seq_in = g_try_new (float, (gsize) W * r->B * r->F);
  ring->seq_out = g_try_new (float, (gsize) W * r->B * R);
}

void
rnn_ring_clear (RnnWindowRing * ring)
{
  g_clear_pointer (&ring->ring, g_free);
  g_clear_pointer (&ring->seq_in, g_free);
  g_clear_pointer (&ring->seq_out, g_free);
}

void
rnn_ring_reset (RnnWindowRing * ring)
{
  ring->next_start = 0;
  ring->covered_end = 0;
}

/* Take frames of the block until the window [next_start, next_start +
 * window) is complete (TRUE) or the block ends (FALSE). */
static gboolean
rnn_ring_feed (RnnWindowRing * ring, RnnRunner * r, const guint8 * data,
    gsize n, gsize * cursor)
{
  guint W = ring->window;

  while (*cursor < n) {
    guint64 i = r->frames_in;
    guint64 end = ring->next_start + W;
    guint slot;
    gsize k;

    if (i < ring->next_start) {
      /* frames between windows (hop > window) */
      k = MIN (n - *cursor, ring->next_start - i);
      r->frames_in += k;
      *cursor += k;
      continue;
    }
    slot = i % W;
    k = MIN (n - *cursor, end - i);
    k = MIN (k, W - slot);
    rnn_runner_copy_input (r, ring->ring, W, slot, data, n, *cursor, k);
    r->frames_in += k;
    *cursor += k;
    if (r->frames_in == end)
      return TRUE;
  }
  return FALSE;
}

gboolean
rnn_ring_run (RnnWindowRing * ring, RnnRunner * r, guint64 start, guint len,
    GError ** error)
{
  gsize frame = (gsize) r->B * r->F;
  guint slot = start % ring->window;
  guint first = MIN (len, ring->window - slot);

  /* unroll the ring into a time-major sequence */
  memcpy (ring->seq_in, ring->ring + slot * frame,
      first * frame * sizeof (float));
  if (len > first)
    memcpy (ring->seq_in + first * frame, ring->ring,
        (len - first) * frame * sizeof (float));

  if (!r->cfg.carry_state)
    rnn_state_reset (r->state);
  return rnn_state_process_window (r->state, ring->seq_in, len,
      RNN_RUN_NO_HEAD, ring->seq_out, error);
}

/* Bookkeeping once the window at next_start has run; guards a carried
 * state. */
static gboolean
rnn_ring_done (RnnWindowRing * ring, RnnRunner * r, guint len,
    GError ** error)
{
  ring->covered_end = ring->next_start + len;
  ring->next_start += ring->hop;
  return !r->cfg.carry_state
      || rnn_runner_guard_carried (r, ring->seq_in, len, error);
}

/* End of the sequence: is there a tail [next_start, frames_in) holding
 * frames no window covered, and is it to run?  *@len: its length. */
static gboolean
ring_tail (RnnWindowRing * ring, RnnRunner * r, gboolean run_partial,
    guint * len)
{
  *len = 0;
  if (r->frames_in <= ring->next_start || r->frames_in <= ring->covered_end)
    return FALSE;
  *len = (guint) (r->frames_in - ring->next_start);
  return run_partial;
}

gboolean
rnn_ring_push (RnnWindowRing * ring, RnnRunner * r, const guint8 * in,
    gsize n, gsize * cursor, RnnWindowFunc run, RnnResult * result,
    GError ** error)
{
  if (!rnn_ring_feed (ring, r, in, n, cursor))
    return TRUE;
  if (!run (r, ring->window, result, error))
    return FALSE;
  if (!rnn_ring_done (ring, r, ring->window, error)) {
    result->data = NULL;
    return FALSE;
  }
  return TRUE;
}

gboolean
rnn_ring_drain (RnnWindowRing * ring, RnnRunner * r, gboolean run_partial,
    RnnWindowFunc run, RnnResult * result, GError ** error)
{
  gboolean ok = TRUE;
  guint len;

  if (ring_tail (ring, r, run_partial, &len)) {
    ok = run (r, len, result, error);
    /* the sequence ends here: a carried state is not checked */
    if (ok)
      rnn_ring_done (ring, r, len, NULL);
  }
  r->frames_in = 0;
  rnn_ring_reset (ring);
  return ok;
}

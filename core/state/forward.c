/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The forward pass: a state's streams through every layer and frame,
 * then the head; its products split among the state's threads (pool.h)
 * by output rows, or whole calls split by streams.  The state itself
 * (memory, values, threads) is state.c. */
#include "state-private.h"

#include <string.h>

/* A worker that finishes its part this many pause loops after the caller
 * (tens of microseconds, where a running one takes under one) was not
 * running: the OS gave its core to another process. */
#define LAG_SPINS 3000
#define LAG_IN_A_ROW 4          /* lagging products before going solo */
#define SOLO_PRODUCTS 512       /* products the caller then does alone */

static void run_streams (RnnState * s, const float *x, guint T, guint b0,
    guint b1, gboolean split, float *top);

/* One product split by panel groups (disjoint output rows of W). */
typedef struct {
  const float *x;
  gsize n, ldx;
  const RnnPacked *w;
  float *y;
  gsize ldy;
  gboolean accumulate;
} ProductJob;

/* A whole call split by streams: each thread runs its streams through
 * every layer and frame. */
typedef struct {
  RnnState *state;
  const float *x;
  guint T;
  float *top;                   /* the top layer's output */
} StreamsJob;

static void
product_part (gpointer data, guint part, guint n_parts)
{
  const ProductJob *j = data;
  RnnPacked view;
  gsize row0;

  if (rnn_packed_part (j->w, part, n_parts, &view, &row0))
    view.product (j->x, j->n, j->ldx, &view, j->y + row0, j->ldy,
        j->accumulate);
}

/* Part i runs streams [bounds[i], bounds[i+1]) and writes its time, from
 * the job's start (its publication, so that a late start counts too), to
 * part_us[i]. */
static void
streams_part (gpointer data, guint part, guint n_parts)
{
  const StreamsJob *j = data;
  RnnThreads *th = &j->state->threads;
  guint b0 = th->bounds[part], b1 = th->bounds[part + 1];
  gint64 start = th->part_us[part];

  (void) n_parts;
  if (b0 < b1)
    run_streams (j->state, j->x, j->T, b0, b1, FALSE, j->top);
  th->part_us[part] = g_get_monotonic_time () - start;
}

/* y = x . W^T (or +=), split among the state's threads when it has them
 * and the product is worth it (at least two panel groups).  Workers that
 * keep lagging are not getting a core (another process has it): the
 * caller then does the next products alone, and tries again after. */
static void
gemm (RnnState * s, const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate)
{
  RnnThreads *th = &s->threads;
  if (!th->pool || w->rows <= RNN_PANEL * RNN_PANEL_GROUP || th->solo > 0) {
    /* the same kernel over all the rows: the same numbers */
    if (th->solo > 0)
      th->solo--;
    w->product (x, n, ldx, w, y, ldy, accumulate);
    return;
  }
  ProductJob job = { x, n, ldx, w, y, ldy, accumulate };
  if (rnn_pool_run (th->pool, product_part, &job) < LAG_SPINS)
    th->lagged = 0;
  else if (++th->lagged >= LAG_IN_A_ROW) {
    th->lagged = 0;
    th->solo = SOLO_PRODUCTS;
  }
}

/* y = x . W^T (or +=) on this thread alone (@split FALSE) or split among
 * the state's threads. */
static inline void
product (RnnState * s, gboolean split, const float *x, gsize n, gsize ldx,
    const RnnPacked * w, float *y, gsize ldy, gboolean accumulate)
{
  if (split)
    gemm (s, x, n, ldx, w, y, ldy, accumulate);
  else
    w->product (x, n, ldx, w, y, ldy, accumulate);
}

/* Streams [b0, b1) of the batch through all layers over @T frames of
 * time-major input x (T, B, F), from the current state; the top layer's
 * output (T, B, D*H_out) goes to @top (the caller's output, or a scratch
 * buffer: top_scratch()); @top does not overlap @x.
 * Every buffer is indexed by (frame, stream), so disjoint stream ranges
 * can run on different threads.  The state ends as after the last frame
 * (for a reverse direction: after frame 0, as PyTorch's h_n).  @split:
 * products may be split among the state's threads. */
static void
run_streams (RnnState * s, const float *x, guint T, guint b0, guint b1,
    gboolean split, float *top)
{
  const RnnModel *m = s->model;
  const guint B = s->batch, H = m->hidden_size, Ho = m->h_out;
  const guint D = m->num_dirs, GH = m->gates * H, nb = b1 - b0;
  const gsize DHo = (gsize) D * Ho;
  const RnnKernels *k = m->k;
  /* one product over all frames, or one per step */
  const gboolean per_step = nb != B || B >= RNN_BATCH_MIN;
  const float *in = x;

  for (guint l = 0; l < m->num_layers; l++) {
    float *out = l + 1 == m->num_layers ? top : s->y[l & 1];
    for (guint d = 0; d < D; d++) {
      const RnnLayerDir *lay = &m->ld[l * D + d];
      const gsize in_w = lay->w_ih.cols;
      /* this range's rows of (B, .) buffers */
      float *h = s->h + ((gsize) (l * D + d) * B + b0) * Ho;
      float *c = s->c ? s->c + ((gsize) (l * D + d) * B + b0) * H : NULL;
      float *gh = s->gh + (gsize) b0 * GH;
      float *hc = s->hc + (gsize) b0 * H;

      if (!per_step) {
        /* gx (T*B, G*H) = in (T*B, in_w) . W_ih^T: one GEMM (the cells
         * add bias_x) */
        product (s, split, in, (gsize) T * B, in_w, &lay->w_ih, s->gx, GH,
            FALSE);
      }

      for (guint step = 0; step < T; step++) {
        guint t = d ? T - 1 - step : step;
        /* (nb, G*H): per step, the first frame's rows every step, so the
         * gates stay in cache instead of walking T*B*G*H fresh floats */
        float *gx = s->gx + ((gsize) (per_step ? 0 : t) * B + b0) * GH;
        if (per_step)
          product (s, split, in + ((gsize) t * B + b0) * in_w, nb, in_w,
              &lay->w_ih, gx, GH, FALSE);
        switch (m->cell) {
          case RNN_CELL_RNN_TANH:
          case RNN_CELL_RNN_RELU:
            /* gx += h . W_hh^T, then the activation of gx + bias_x */
            product (s, split, h, nb, Ho, &lay->w_hh, gx, GH, TRUE);
            k->rnn (gx, GH, lay->bias_x, h, nb, H,
                m->cell == RNN_CELL_RNN_RELU);
            break;
          case RNN_CELL_GRU:
            /* gh (nb, 3H) = h . W_hh^T (b_hn is applied inside r*()) */
            product (s, split, h, nb, Ho, &lay->w_hh, gh, GH, FALSE);
            k->gru (gx, GH, lay->bias_x, gh, lay->b_hn, h, nb, H);
            break;
          case RNN_CELL_LSTM:
            product (s, split, h, nb, Ho, &lay->w_hh, gx, GH, TRUE);
            if (lay->w_hr.data) {
              k->lstm (gx, GH, lay->bias_x, hc, c, nb, H);
              product (s, split, hc, nb, H, &lay->w_hr, h, Ho, FALSE);
            } else {
              k->lstm (gx, GH, lay->bias_x, h, c, nb, H);
            }
            break;
        }
        float *o = out + ((gsize) t * B + b0) * DHo + (gsize) d * Ho;
        for (guint b = 0; b < nb; b++)
          memcpy (o + b * DHo, h + (gsize) b * Ho, Ho * sizeof (float));
      }
    }
    in = out;
  }
}

/* A scratch buffer for the top layer's output that the layers below do
 * not use. */
static float *
top_scratch (const RnnState * s)
{
  return s->y[(s->model->num_layers - 1) & 1];
}

void
rnn_split_streams (const double *share, guint n, guint B, guint * bounds)
{
  const guint min = MIN (RNN_BATCH_MIN, B / n);
  double total = 0, acc = 0;
  for (guint i = 0; i < n; i++)
    total += share[i];
  bounds[0] = 0;
  for (guint i = 0; i < n; i++) {
    acc += share[i];
    guint b = i + 1 == n ? B : (guint) (acc / total * B + 0.5);
    bounds[i + 1] = CLAMP (b, bounds[i] + min, B - (n - 1 - i) * min);
  }
}

void
rnn_update_shares (double *share, guint n, const guint * bounds,
    const gint64 * part_us)
{
  double rate[RNN_POOL_MAX_THREADS], sum = 0;
  g_return_if_fail (n <= RNN_POOL_MAX_THREADS);
  for (guint i = 0; i < n; i++) {
    guint ns = bounds[i + 1] - bounds[i];
    if (ns == 0 || part_us[i] <= 0)
      return;                   /* too short to tell */
    rate[i] = ns / (double) part_us[i];
    sum += rate[i];
  }
  for (guint i = 0; i < n; i++)
    share[i] = 0.75 * share[i] + 0.25 * rate[i] / sum;
}

/* Run all streams through all layers over @T frames (see run_streams),
 * split by streams among the state's threads when there are enough.  The
 * streams are shared out by how fast each thread ran its part of the last
 * call, timed from the call's hand-off (so that a worker that starts late
 * counts as slow): one CPU of a shared VM (measured here: the FMA loop at
 * 53-73 GFLOP/s on one vCPU while the other ran 90) or a little core runs
 * slower than the other for seconds, and an even split waits for it.  Any
 * split gives the same numbers (each stream's sums do not depend on its
 * neighbours). */
static void
run_layers (RnnState * s, const float *x, guint T, float *top)
{
  RnnThreads *th = &s->threads;
  if (!th->pool || th->solo > 0 || s->batch < 2 * RNN_BATCH_MIN) {
    run_streams (s, x, T, 0, s->batch, TRUE, top);
    return;
  }
  guint n = rnn_pool_get_n_threads (th->pool);
  rnn_split_streams (th->share, n, s->batch, th->bounds);
  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    th->part_us[i] = start;
  StreamsJob job = { s, x, T, top };
  rnn_pool_run (th->pool, streams_part, &job);
  rnn_update_shares (th->share, n, th->bounds, th->part_us);
}

void
rnn_model_apply_head (const RnnModel * m, const float *in, gsize n,
    float *out)
{
  gsize in_w = (gsize) m->num_dirs * m->h_out;
  if (!m->has_head) {
    memcpy (out, in, n * in_w * sizeof (float));
    return;
  }
  gsize O = m->head_out;
  for (gsize r = 0; r < n; r++)
    memcpy (out + r * O, m->head_b, O * sizeof (float));
  m->head_w.product (in, n, in_w, &m->head_w, out, O, TRUE);
  for (gsize r = 0; r < n; r++) {
    if (m->head_act == RNN_ACTIVATION_SOFTMAX)
      m->k->softmax (out + r * O, O);
    else if (m->head_act == RNN_ACTIVATION_SIGMOID)
      m->k->sigmoid (out + r * O, O);
  }
}

/* Frames [t0, t0+k) of a sequence of T frames. */
static void
run_chunk (RnnState * s, const float *in, gsize T, gsize t0, guint k,
    RnnRunFlags flags, float *out)
{
  const RnnModel *m = s->model;
  const guint B = s->batch, F = m->input_size;
  const gboolean bf = (flags & RNN_RUN_BATCH_FIRST) != 0;
  const gboolean head = m->has_head && !(flags & RNN_RUN_NO_HEAD);
  const gsize O = head ? m->head_out : (gsize) m->num_dirs * m->h_out;
  const float *x;

  if (bf && B > 1) {
    /* (B, T, F) -> (k, B, F) */
    for (guint t = 0; t < k; t++)
      for (guint b = 0; b < B; b++)
        memcpy (s->xt + ((gsize) t * B + b) * F,
            in + ((gsize) b * T + t0 + t) * F, F * sizeof (float));
    x = s->xt;
  } else {
    x = in + t0 * B * F;        /* with B = 1 both layouts agree */
  }

  /* time-major, the results go straight to @out: the top layer's, or
   * the head's from the top layer's in scratch */
  float *direct = bf && B > 1 ? NULL : out + t0 * B * O;
  float *top = direct && !head ? direct : top_scratch (s);
  run_layers (s, x, k, top);
  if (head)
    rnn_model_apply_head (m, top, (gsize) k * B, direct ? direct : s->head);
  if (!direct) {
    const float *res = head ? s->head : top;
    for (guint t = 0; t < k; t++)
      for (guint b = 0; b < B; b++)
        memcpy (out + ((gsize) b * T + t0 + t) * O,
            res + ((gsize) t * B + b) * O, O * sizeof (float));
  }
}

gboolean
rnn_state_process (RnnState * s, const float *in, gsize n_frames,
    RnnRunFlags flags, float *out, GError ** error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (n_frames == 0 || (in != NULL && out != NULL), FALSE);
  if (s->model->num_dirs == 2) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: a bidirectional model cannot run frame by frame (its reverse "
        "direction needs the end of the sequence first); run whole windows "
        "with rnn_state_process_window()", s->model->name);
    return FALSE;
  }
  for (gsize t0 = 0; t0 < n_frames; t0 += s->max_frames) {
    guint k = (guint) MIN (n_frames - t0, (gsize) s->max_frames);
    run_chunk (s, in, n_frames, t0, k, flags, out);
  }
  return TRUE;
}

gboolean
rnn_state_process_window (RnnState * s, const float *in, gsize n_frames,
    RnnRunFlags flags, float *out, GError ** error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  if (n_frames == 0 || n_frames > s->max_frames) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: window of %" G_GSIZE_FORMAT " frames, this state holds 1 to %u",
        s->model->name, n_frames, s->max_frames);
    return FALSE;
  }
  g_return_val_if_fail (in != NULL && out != NULL, FALSE);
  run_chunk (s, in, n_frames, 0, (guint) n_frames, flags, out);
  return TRUE;
}

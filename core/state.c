/* Per-stream state and the forward pass. */
#include "rnn-private.h"
#include "kernels.h"
#include "kernels_lowp.h"

#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause ()
#else
#define CPU_RELAX() do { } while (0)
#endif

/* From this many streams, a step's products take the rows of all the
 * streams at once, over the model's slice layout (added by the first such
 * state; kernels_impl.h gemm_blocked), and the input projection is made
 * per step, so the step's gates stay in cache between the products and
 * the gate math; below it, the input projection of the whole call is one
 * product.  With threads, from twice this many streams a call is split by
 * streams. */
#define RNN_BATCH_MIN 8

#define MAX_THREADS 8
#define SPIN_LIMIT 4000         /* pause loops (~100 us) before sleeping */
/* A worker that finishes its part this many pause loops after the caller
 * (tens of microseconds, where a running one takes under one) was not
 * running: the OS gave its core to another process. */
#define LAG_SPINS 3000
#define LAG_IN_A_ROW 4          /* lagging products before going solo */
#define SOLO_PRODUCTS 512       /* products the caller then does alone */

/* Work split among threads, written by the caller before it bumps
 * `generation`: one product split by panel groups (disjoint output
 * columns), or, with many streams, a whole call split by streams (each
 * thread runs its streams through every layer and frame). */
typedef struct {
  gboolean streams;             /* TRUE: a call split by streams */
  const RnnKernels *k;
  const float *x;
  gsize n, ldx;
  const RnnPacked *w;
  float *y;
  gsize ldy;
  gboolean accumulate;
  RnnState *state;              /* streams: the state, input, frames, */
  guint T;
  float *top;                   /* the top layer's output, */
  const guint *bounds;          /* part i runs streams [bounds[i], [i+1]) */
  gint64 *part_us;              /* and writes its time to part_us[i]: */
  gint64 start;                 /* from this (the job's publication, so
                                 * that a late start counts too) */
} Job;

typedef struct _Pool Pool;

typedef struct {
  Pool *pool;
  guint index;                  /* 1 .. n_threads-1; 0 is the caller */
  GThread *thread;
} Worker;

struct _Pool {
  guint n_threads;
  Job job;
  gint generation;              /* bumped once per job (atomic) */
  gint done;                    /* workers finished with this job (atomic) */
  gint quit;
  gint sleepers;                /* workers blocked on cond */
  guint lagged;                 /* products in a row a worker lagged */
  guint solo;                   /* products left to do without workers */
  /* calls split by streams: each thread's share of the streams (its
   * measured speed over all of theirs, smoothed), the bounds and times of
   * the last parts */
  double share[MAX_THREADS];
  guint bounds[MAX_THREADS + 1];
  gint64 part_us[MAX_THREADS];
  GMutex lock;
  GCond cond;
  Worker workers[MAX_THREADS];
};

static void pool_free (Pool * p);
static void run_streams (RnnState * s, const float *x, guint T, guint b0,
    guint b1, gboolean split, float *top);

struct _RnnState {
  RnnModel *model;
  guint batch;                  /* B */
  guint max_frames;             /* frames per internal chunk */
  float *h;                     /* (L*D, B, H_out) */
  float *c;                     /* (L*D, B, H), LSTM only */
  /* Scratch, sized once in rnn_state_new(). */
  float *xt;                    /* (max_frames, B, F) batch-first input, transposed */
  float *gx;                    /* (max_frames, B, G*H) input projection */
  float *gh;                    /* (B, G*H) recurrent projection */
  float *hc;                    /* (B, H) o*tanh(c) before the LSTM projection */
  float *y[2];                  /* (max_frames, B, D*H_out) layer outputs */
  float *head;                  /* (max_frames, B, O) */
  float *mem;                   /* one block holding all of the above */
  Pool *pool;                   /* NULL: single-threaded */
};

/* Sum of n products a*b into *total, overflow-checked. */
static gboolean
add_size (gsize * total, gsize a, gsize b, gsize c)
{
  gsize p;
  return g_size_checked_mul (&p, a, b) && g_size_checked_mul (&p, p, c)
      && g_size_checked_add (total, *total, p);
}

RnnState *
rnn_state_new (RnnModel * model, guint batch, guint max_frames,
    GError ** error)
{
  g_return_val_if_fail (model != NULL, NULL);
  if (batch == 0 || max_frames == 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: a state needs at least 1 stream and 1 frame (batch %u, frames "
        "%u)", model->name, batch, max_frames);
    return NULL;
  }
  const RnnModel *m = model;
  gsize LD = (gsize) m->num_layers * m->num_dirs;
  gsize GH = (gsize) m->gates * m->hidden_size;
  gsize DHo = (gsize) m->num_dirs * m->h_out;
  gsize sizes[9] = { 0 };
  gboolean ok = add_size (&sizes[0], LD, batch, m->h_out)
      && add_size (&sizes[1], LD, batch,
      m->cell == RNN_CELL_LSTM ? m->hidden_size : 0)
      && add_size (&sizes[2], max_frames, batch, m->input_size)
      && add_size (&sizes[3], max_frames, batch, GH)
      && add_size (&sizes[4], 1, batch, GH)
      && add_size (&sizes[5], 1, batch, m->hidden_size)
      && add_size (&sizes[6], max_frames, batch, DHo)
      && add_size (&sizes[7], max_frames, batch, DHo)
      && add_size (&sizes[8], max_frames, batch, m->has_head ? m->head_out : 0);
  gsize total = 0;
  for (guint i = 0; ok && i < G_N_ELEMENTS (sizes); i++)
    ok = g_size_checked_add (&total, total, sizes[i] + 16);
  float *mem = NULL;
  if (ok && total < G_MAXSIZE / sizeof (float))
    mem = g_try_malloc0 (total * sizeof (float));
  if (!mem) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: cannot allocate the state for %u stream(s) x %u frame(s)",
        m->name, batch, max_frames);
    return NULL;
  }
  if (batch >= RNN_BATCH_MIN)
    rnn_model_pack_slices (model);
  RnnState *s = g_new0 (RnnState, 1);
  s->model = rnn_model_ref (model);
  s->batch = batch;
  s->max_frames = max_frames;
  s->mem = mem;
  /* Carve the block; each region starts 64-byte aligned relative to mem. */
  float **dst[9] = { &s->h, &s->c, &s->xt, &s->gx, &s->gh, &s->hc, &s->y[0],
    &s->y[1], &s->head
  };
  float *p = mem;
  for (guint i = 0; i < 9; i++) {
    *dst[i] = sizes[i] ? p : NULL;
    p += (sizes[i] + 15) & ~(gsize) 15;
  }
  return s;
}

void
rnn_state_free (RnnState * s)
{
  if (!s)
    return;
  pool_free (s->pool);
  rnn_model_unref (s->model);
  g_free (s->mem);
  g_free (s);
}

float *
rnn_state_h (const RnnState * s)
{
  return s->h;
}

float *
rnn_state_c (const RnnState * s)
{
  return s->c;
}

RnnModel *
rnn_state_get_model (const RnnState * s)
{
  return s->model;
}

guint
rnn_state_get_batch (const RnnState * s)
{
  return s->batch;
}

guint
rnn_state_get_max_frames (const RnnState * s)
{
  return s->max_frames;
}

void
rnn_state_reset (RnnState * s)
{
  memset (s->h, 0, rnn_model_get_h_size (s->model, s->batch) * sizeof (float));
  if (s->c)
    memset (s->c, 0,
        rnn_model_get_c_size (s->model, s->batch) * sizeof (float));
}

void
rnn_state_reset_stream (RnnState * s, guint b)
{
  const RnnModel *m = s->model;
  g_return_if_fail (b < s->batch);
  for (guint ld = 0; ld < m->num_layers * m->num_dirs; ld++) {
    memset (s->h + ((gsize) ld * s->batch + b) * m->h_out, 0,
        m->h_out * sizeof (float));
    if (s->c)
      memset (s->c + ((gsize) ld * s->batch + b) * m->hidden_size, 0,
          m->hidden_size * sizeof (float));
  }
}

void
rnn_state_set (RnnState * s, const float *h0, const float *c0)
{
  if (h0)
    memcpy (s->h, h0, rnn_model_get_h_size (s->model, s->batch) *
        sizeof (float));
  else
    memset (s->h, 0, rnn_model_get_h_size (s->model, s->batch) *
        sizeof (float));
  if (s->c) {
    gsize n = rnn_model_get_c_size (s->model, s->batch) * sizeof (float);
    if (c0)
      memcpy (s->c, c0, n);
    else
      memset (s->c, 0, n);
  }
}

void
rnn_state_get (const RnnState * s, float *h_n, float *c_n)
{
  if (h_n)
    memcpy (h_n, s->h, rnn_model_get_h_size (s->model, s->batch) *
        sizeof (float));
  if (c_n && s->c)
    memcpy (c_n, s->c, rnn_model_get_c_size (s->model, s->batch) *
        sizeof (float));
}


/* ------------------------------------------------------------- threads */

/* Panel groups [g0, g1) of the job's product: a view of the packed matrix
 * (no copy) and of the output columns. */
static void
job_part (const Job * j, guint part, guint n_parts)
{
  if (j->streams) {
    guint b0 = j->bounds[part], b1 = j->bounds[part + 1];
    if (b0 < b1)
      run_streams (j->state, j->x, j->T, b0, b1, FALSE, j->top);
    j->part_us[part] = g_get_monotonic_time () - j->start;
    return;
  }
  const RnnPacked *w = j->w;
  if (w->format != RNN_FORMAT_F32) {
    rnn_lowp_gemm_part (j->x, j->n, j->ldx, w, j->y, j->ldy, j->accumulate,
        part, n_parts);
    return;
  }
  const gsize cols = RNN_PANEL * RNN_PANEL_GROUP;     /* rows of W per group */
  gsize groups = (w->rows + cols - 1) / cols;
  gsize g0 = groups * part / n_parts, g1 = groups * (part + 1) / n_parts;
  if (g0 >= g1)
    return;
  float *many = __atomic_load_n (&w->many, __ATOMIC_ACQUIRE);
  RnnPacked view = {
    .data = w->data + g0 * w->cols * cols,
    .many = many ? many + g0 * w->cols * cols : NULL,  /* same offsets */
    .rows = MIN (w->rows, g1 * cols) - g0 * cols,
    .cols = w->cols,
    .panels = (g1 - g0) * RNN_PANEL_GROUP,
  };
  j->k->gemm (j->x, j->n, j->ldx, &view, j->y + g0 * cols, j->ldy,
      j->accumulate);
}

static gpointer
worker_main (gpointer data)
{
  Worker *wk = data;
  Pool *p = wk->pool;
  gint seen = 0;
  for (;;) {
    guint spins = 0;
    gint gen;
    while ((gen = g_atomic_int_get (&p->generation)) == seen &&
        !g_atomic_int_get (&p->quit)) {
      if (++spins < SPIN_LIMIT) {
        CPU_RELAX ();
        continue;
      }
      g_mutex_lock (&p->lock);
      g_atomic_int_inc (&p->sleepers);
      while (g_atomic_int_get (&p->generation) == seen &&
          !g_atomic_int_get (&p->quit))
        g_cond_wait (&p->cond, &p->lock);
      g_atomic_int_add (&p->sleepers, -1);
      g_mutex_unlock (&p->lock);
      spins = 0;
    }
    if (g_atomic_int_get (&p->quit))
      return NULL;
    seen = gen;
    job_part (&p->job, wk->index, p->n_threads);
    g_atomic_int_inc (&p->done);
  }
}

static void
pool_free (Pool * p)
{
  if (!p)
    return;
  g_mutex_lock (&p->lock);
  g_atomic_int_set (&p->quit, 1);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
  for (guint i = 1; i < p->n_threads; i++)
    if (p->workers[i].thread)
      g_thread_join (p->workers[i].thread);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
}

static void pool_run (Pool * p);

/* y = x . W^T (or +=), split among the state's threads when it has them
 * and the product is worth it (at least two panel groups). */
static void
gemm (RnnState * s, const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate)
{
  const RnnKernels *k = s->model->k;
  Pool *p = s->pool;
  if (!p || w->rows <= RNN_PANEL * RNN_PANEL_GROUP || p->solo > 0) {
    /* the same kernel over all the rows: the same numbers */
    if (p && p->solo > 0)
      p->solo--;
    if (w->format != RNN_FORMAT_F32)
      rnn_lowp_gemm (x, n, ldx, w, y, ldy, accumulate);
    else
      k->gemm (x, n, ldx, w, y, ldy, accumulate);
    return;
  }
  p->job = (Job) { FALSE, k, x, n, ldx, w, y, ldy, accumulate, NULL, 0,
    NULL
  };
  pool_run (p);
}

/* Runs p->job on every thread and waits for all parts. */
static void
pool_run (Pool * p)
{
  g_atomic_int_set (&p->done, 0);
  g_atomic_int_inc (&p->generation);        /* publishes the job */
  if (g_atomic_int_get (&p->sleepers)) {
    g_mutex_lock (&p->lock);
    g_cond_broadcast (&p->cond);
    g_mutex_unlock (&p->lock);
  }
  job_part (&p->job, 0, p->n_threads);
  /* spin briefly for the workers, then let the OS run one it has
   * descheduled rather than burn the rest of the time slice */
  guint spins = 0;
  for (; g_atomic_int_get (&p->done) != (gint) p->n_threads - 1; spins++) {
    if (spins < SPIN_LIMIT)
      CPU_RELAX ();
    else
      g_thread_yield ();
  }
  /* workers that keep lagging are not getting a core (another process has
   * it): do the next products alone, then try again.  (A call split by
   * streams takes milliseconds: tens of microseconds are no lag there.) */
  if (p->job.streams)
    return;
  if (spins < LAG_SPINS)
    p->lagged = 0;
  else if (++p->lagged >= LAG_IN_A_ROW) {
    p->lagged = 0;
    p->solo = SOLO_PRODUCTS;
  }
}

gboolean
rnn_state_set_threads (RnnState * s, guint n_threads, GError ** error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  if (n_threads < 1 || n_threads > MAX_THREADS) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: %u threads requested, 1 to %u supported", s->model->name,
        n_threads, MAX_THREADS);
    return FALSE;
  }
  /* more threads than CPUs would only wait for each other */
  n_threads = MIN (n_threads, MAX (1u, g_get_num_processors ()));
  if ((s->pool ? s->pool->n_threads : 1) == n_threads)
    return TRUE;
  pool_free (s->pool);
  s->pool = NULL;
  if (n_threads == 1)
    return TRUE;
  Pool *p = g_new0 (Pool, 1);
  p->n_threads = n_threads;
  for (guint i = 0; i < n_threads; i++)
    p->share[i] = 1.0 / n_threads;
  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  for (guint i = 1; i < n_threads; i++) {
    p->workers[i].pool = p;
    p->workers[i].index = i;
    p->workers[i].thread = g_thread_try_new ("rnn-worker", worker_main,
        &p->workers[i], error);
    if (!p->workers[i].thread) {
      p->n_threads = i;         /* join the ones started */
      pool_free (p);
      return FALSE;
    }
  }
  s->pool = p;
  return TRUE;
}

guint
rnn_state_get_threads (const RnnState * s)
{
  return s->pool ? s->pool->n_threads : 1;
}

/* y = x . W^T (or +=) on this thread alone (@split FALSE) or split among
 * the state's threads. */
static inline void
product (RnnState * s, gboolean split, const float *x, gsize n, gsize ldx,
    const RnnPacked * w, float *y, gsize ldy, gboolean accumulate)
{
  if (split)
    gemm (s, x, n, ldx, w, y, ldy, accumulate);
  else if (w->format != RNN_FORMAT_F32)
    rnn_lowp_gemm (x, n, ldx, w, y, ldy, accumulate);
  else
    s->model->k->gemm (x, n, ldx, w, y, ldy, accumulate);
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
        /* gx (T*B, G*H) = bias_x + in (T*B, in_w) . W_ih^T: one GEMM */
        gsize rows = (gsize) T * B;
        for (gsize r = 0; r < rows; r++)
          memcpy (s->gx + r * GH, lay->bias_x, GH * sizeof (float));
        product (s, split, in, rows, in_w, &lay->w_ih, s->gx, GH, TRUE);
      }

      for (guint step = 0; step < T; step++) {
        guint t = d ? T - 1 - step : step;
        /* (nb, G*H): per step, the first frame's rows every step, so the
         * gates stay in cache instead of walking T*B*G*H fresh floats */
        float *gx = s->gx + ((gsize) (per_step ? 0 : t) * B + b0) * GH;
        if (per_step) {
          for (guint r = 0; r < nb; r++)
            memcpy (gx + (gsize) r * GH, lay->bias_x, GH * sizeof (float));
          product (s, split, in + ((gsize) t * B + b0) * in_w, nb, in_w,
              &lay->w_ih, gx, GH, TRUE);
        }
        switch (m->cell) {
          case RNN_CELL_RNN_TANH:
          case RNN_CELL_RNN_RELU:
            /* gx += h . W_hh^T, then the activation */
            product (s, split, h, nb, Ho, &lay->w_hh, gx, GH, TRUE);
            k->rnn (gx, GH, h, nb, H, m->cell == RNN_CELL_RNN_RELU);
            break;
          case RNN_CELL_GRU:
            /* gh (nb, 3H) = h . W_hh^T (b_hn is applied inside r*()) */
            product (s, split, h, nb, Ho, &lay->w_hh, gh, GH, FALSE);
            k->gru (gx, GH, gh, lay->b_hn, h, nb, H);
            break;
          case RNN_CELL_LSTM:
            product (s, split, h, nb, Ho, &lay->w_hh, gx, GH, TRUE);
            if (lay->w_hr.data) {
              k->lstm (gx, GH, hc, c, nb, H);
              product (s, split, hc, nb, H, &lay->w_hr, h, Ho, FALSE);
            } else {
              k->lstm (gx, GH, h, c, nb, H);
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
  double rate[MAX_THREADS], sum = 0;
  g_return_if_fail (n <= MAX_THREADS);
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
  Pool *p = s->pool;
  if (!p || p->solo > 0 || s->batch < 2 * RNN_BATCH_MIN) {
    run_streams (s, x, T, 0, s->batch, TRUE, top);
    return;
  }
  rnn_split_streams (p->share, p->n_threads, s->batch, p->bounds);
  p->job = (Job) { .streams = TRUE, .state = s, .x = x, .T = T, .top = top,
    .bounds = p->bounds, .part_us = p->part_us,
    .start = g_get_monotonic_time ()
  };
  pool_run (p);
  rnn_update_shares (p->share, p->n_threads, p->bounds, p->part_us);
}

gboolean
rnn_state_set_shares (RnnState * s, const double *shares)
{
  g_return_val_if_fail (s != NULL && shares != NULL, FALSE);
  if (!s->pool)
    return FALSE;
  for (guint i = 0; i < s->pool->n_threads; i++)
    s->pool->share[i] = MAX (shares[i], 1e-6);
  return TRUE;
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
  if (m->head_w.format != RNN_FORMAT_F32)
    rnn_lowp_gemm (in, n, in_w, &m->head_w, out, O, TRUE);
  else
    m->k->gemm (in, n, in_w, &m->head_w, out, O, TRUE);
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

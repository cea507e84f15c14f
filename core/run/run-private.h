/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the runner and the interface every input/output structure
 * implements (one file per structure: mode_*.c).
 *
 * Adding a structure: a new mode_*.c defining an RnnStructure, its
 * RnnMode value in rnn.h and its entry in run.c's table. */
#ifndef RNN_RUN_PRIVATE_H
#define RNN_RUN_PRIVATE_H

#include "rnn-private.h"

G_BEGIN_DECLS

typedef struct _RnnStructure RnnStructure;

struct _RnnRunner {
  const RnnStructure *klass;
  RnnRunConfig cfg;             /* feed, hop and steps resolved */
  RnnRunInfo info;
  RnnModel *model;              /* the network; the encoder in N-to-M */
  RnnModel *decoder;            /* N-to-M only */
  RnnState *state;              /* carried state (the encoder's) */
  guint B, F;
  RnnNonFinite policy;
  gboolean input_checked;       /* the caller found the input finite
                                 * (rnn_runner_set_input_checked()) */
  RnnNonFiniteFunc nf_func;
  gpointer nf_data;
  guint64 frames_in;            /* input frames since the last reset */
  float *h_buf;                 /* (L * D, B, H_out) of model: h_n */
  float *c_buf;                 /* (L * D, B, H): c_n (LSTM), else 1 float */
  gpointer priv;                /* the structure's own scratch */
};

/* One input/output structure.  Every function but check gets a runner
 * whose cfg, info, model(s), B, F and h/c buffers are set. */
struct _RnnStructure {
  const char *name;             /* "n-to-n", "n-to-n windows", ... */
  /* Check @model (and @decoder) against @cfg (resolved) and fill the
   * fields of @info other than input_size, feed and hop.  Errors are
   * RNN_ERROR_CONFIG. */
  gboolean (*check) (const RnnRunConfig * cfg, const RnnModel * model,
      const RnnModel * decoder, RnnRunInfo * info, GError ** error);
  /* Make r->state (and anything else) and r->priv. */
  gboolean (*init) (RnnRunner * r, GError ** error);
  void (*clear) (RnnRunner * r);
  /* After rnn_runner_reset() zeroed r->state and frames_in. */
  void (*reset) (RnnRunner * r);
  /* RNN_OUTPUT_BLOCK */
  gboolean (*process) (RnnRunner * r, const guint8 * in, gsize n,
      guint8 * out, GError ** error);
  /* window outputs */
  gboolean (*push) (RnnRunner * r, const guint8 * in, gsize n,
      gsize * cursor, RnnResult * result, GError ** error);
  gboolean (*drain) (RnnRunner * r, gboolean run_partial, RnnResult * result,
      GError ** error);
  RnnPartial partial_default;   /* what RNN_PARTIAL_AUTO means */
};

extern const RnnStructure rnn_structure_n_to_n;
extern const RnnStructure rnn_structure_n_to_n_window;
extern const RnnStructure rnn_structure_n_to_1;
extern const RnnStructure rnn_structure_1_to_n;
extern const RnnStructure rnn_structure_n_to_m;

/* --- shared by the structures (run.c) */

/* A new state of @model for the runner's B streams and threads. */
RnnState *rnn_runner_new_state (RnnRunner * r, RnnModel * model,
    guint max_frames, GError ** error);

/* Copy @n frames of @B streams of @W floats from @src (a block of @src_T
 * frames, layout @src_bf, from frame @src_t) to @dst (a block of @dst_T
 * frames, layout @dst_bf, at frame @dst_t).  Either may be unaligned. */
void rnn_frames_copy (guint8 * dst, gsize dst_T, gsize dst_t, gboolean dst_bf,
    const guint8 * src, gsize src_T, gsize src_t, gboolean src_bf, gsize n,
    guint B, guint W);

/* Replace the non-finite values among @n floats by 0. */
void rnn_floats_sanitize (float *p, gsize n);

/* Does stream @b of frame @t of an input block of @n frames hold a
 * non-finite value? */
gboolean rnn_runner_frame_bad (const RnnRunner * r, const guint8 * in,
    gsize n, gsize t, guint b);

/* Copy @k input frames [@src_t, @src_t + k) of a block of @src_T frames
 * into time-major scratch (@dst of @dst_T frames, at @dst_t); under
 * RNN_NON_FINITE_ZERO non-finite values become 0. */
void rnn_runner_copy_input (RnnRunner * r, float *dst, gsize dst_T,
    gsize dst_t, const guint8 * src, gsize src_T, gsize src_t, gsize k);

/* Reset the streams of @state whose h (or c) turned non-finite and call
 * the callback; RNN_NON_FINITE_ERROR fails instead.  No-op for
 * PROPAGATE. */
gboolean rnn_runner_check_state (RnnRunner * r, RnnState * state,
    GError ** error);

/* After @n time-major frames at @in ran from a carried state: under
 * RESET_STREAM a stream whose input held a non-finite value starts the
 * next one from zero; then rnn_runner_check_state(). */
gboolean rnn_runner_guard_carried (RnnRunner * r, const float *in, gsize n,
    GError ** error);

/* --- the window ring of N-to-1 and N-to-M (window.c) */

/* The last `window` input frames; frame i (counted from the last reset)
 * sits in slot i % window. */
typedef struct {
  guint window, hop;
  float *ring;                  /* (window, B, F), time-major */
  float *seq_in;                /* (window, B, F): the window being run */
  float *seq_out;               /* (window, B, R): its top-layer outputs */
  guint64 next_start;           /* first frame of the next window */
  guint64 covered_end;          /* one past the last frame of the last
                                 * window run (0: none yet) */
} RnnWindowRing;

void rnn_ring_init (RnnWindowRing * ring, RnnRunner * r);
void rnn_ring_clear (RnnWindowRing * ring);
void rnn_ring_reset (RnnWindowRing * ring);
/* Run the @len frames from frame @start through r->state (from zero
 * unless carry_state), top-layer outputs into seq_out. */
gboolean rnn_ring_run (RnnWindowRing * ring, RnnRunner * r, guint64 start,
    guint len, GError ** error);
/* Run the window of @len frames from ring->next_start into @result (a
 * structure's own step: pooling and head, decoding...). */
typedef gboolean (*RnnWindowFunc) (RnnRunner * r, guint len,
    RnnResult * result, GError ** error);

/* push() and drain() of a ring structure: feed frames until a window is
 * complete, then @run it and do the bookkeeping; at the end of the
 * sequence, @run the tail if it is due, then count frames from zero. */
gboolean rnn_ring_push (RnnWindowRing * ring, RnnRunner * r,
    const guint8 * in, gsize n, gsize * cursor, RnnWindowFunc run,
    RnnResult * result, GError ** error);
gboolean rnn_ring_drain (RnnWindowRing * ring, RnnRunner * r,
    gboolean run_partial, RnnWindowFunc run, RnnResult * result,
    GError ** error);

G_END_DECLS

#endif

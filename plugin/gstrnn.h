/* GStreamer rnn element: stateful recurrent network inference on streams.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_RNN_H__
#define __GST_RNN_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

#include "rnn.h"

G_BEGIN_DECLS

#define GST_TYPE_RNN (gst_rnn_get_type ())
G_DECLARE_FINAL_TYPE (GstRnn, gst_rnn, GST, RNN, GstBaseTransform)

/**
 * GstRnnMode:
 * @GST_RNN_MODE_N_TO_N: one output frame per input frame
 * @GST_RNN_MODE_N_TO_1: one result per window of input frames, attached to
 *   the (unchanged) audio as a #GstCustomMeta and posted on the bus
 * @GST_RNN_MODE_1_TO_N: #GstRnn:steps output frames generated from every
 *   input frame
 * @GST_RNN_MODE_N_TO_M: encoder-decoder: an encoder reads each window, a
 *   decoder generates #GstRnn:steps frames from its final state
 *
 * How input time steps map to output time steps.
 */
typedef enum
{
  GST_RNN_MODE_N_TO_N,
  GST_RNN_MODE_N_TO_1,
  GST_RNN_MODE_1_TO_N,
  GST_RNN_MODE_N_TO_M
} GstRnnMode;

/**
 * GstRnnFeed:
 * @GST_RNN_FEED_AUTO: the mode's default: `repeat` in 1-to-n, `context` in
 *   n-to-m
 * @GST_RNN_FEED_REPEAT: 1-to-n: the input frame at every step
 * @GST_RNN_FEED_FIRST: 1-to-n: the input frame at the first step, zeros
 *   after
 * @GST_RNN_FEED_FEEDBACK: the previous step's output (1-to-n: the input
 *   frame at the first step; n-to-m: the window's last input frame)
 * @GST_RNN_FEED_CONTEXT: n-to-m: the encoder's final top-layer output at
 *   every step
 *
 * What a generating network (1-to-n, or the decoder in n-to-m) is fed at
 * each step.
 */
typedef enum
{
  GST_RNN_FEED_AUTO,
  GST_RNN_FEED_REPEAT,
  GST_RNN_FEED_FIRST,
  GST_RNN_FEED_FEEDBACK,
  GST_RNN_FEED_CONTEXT
} GstRnnFeed;

/**
 * GstRnnPartialWindow:
 * @GST_RNN_PARTIAL_WINDOW_AUTO: the mode's default: `run` in n-to-n
 *   (bidirectional models), `drop` in n-to-1 and n-to-m
 * @GST_RNN_PARTIAL_WINDOW_DROP: frames that do not fill a window are
 *   dropped at the end of the stream
 * @GST_RNN_PARTIAL_WINDOW_RUN: they are run as a shorter window
 *
 * What happens to an incomplete window when the stream ends.
 */
typedef enum
{
  GST_RNN_PARTIAL_WINDOW_AUTO,
  GST_RNN_PARTIAL_WINDOW_DROP,
  GST_RNN_PARTIAL_WINDOW_RUN
} GstRnnPartialWindow;

/**
 * GstRnnNonFinite:
 * @GST_RNN_NON_FINITE_RESET_STREAM: a frame holding a NaN or Inf in
 *   stream b is computed as PyTorch would (its output in stream b is
 *   usually NaN), then stream b's state is reset to zero; a state that
 *   becomes non-finite from finite inputs is reset too.  A warning is
 *   posted.
 * @GST_RNN_NON_FINITE_PROPAGATE: no check at all: compute as PyTorch
 *   would; a NaN stays in the state until the next reset
 * @GST_RNN_NON_FINITE_ZERO: non-finite input values are replaced by 0
 *   before computing; a state that becomes non-finite is reset.  A warning
 *   is posted.
 * @GST_RNN_NON_FINITE_ERROR: a non-finite input value, or a non-finite
 *   state, is a stream error
 *
 * What the element does with non-finite (NaN, +-Inf) input values.
 */
typedef enum
{
  GST_RNN_NON_FINITE_RESET_STREAM,
  GST_RNN_NON_FINITE_PROPAGATE,
  GST_RNN_NON_FINITE_ZERO,
  GST_RNN_NON_FINITE_ERROR
} GstRnnNonFinite;

/* Name of the custom meta (gst_meta_register_custom(), no tags) that
 * carries an n-to-1 result on a buffer; read it with
 * gst_buffer_get_custom_meta (buffer, GST_RNN_RESULT_META_NAME). */
#define GST_RNN_RESULT_META_NAME "GstRnnResultMeta"

#define GST_TYPE_RNN_MODE (gst_rnn_mode_get_type ())
GType gst_rnn_mode_get_type (void);
#define GST_TYPE_RNN_FEED (gst_rnn_feed_get_type ())
GType gst_rnn_feed_get_type (void);
#define GST_TYPE_RNN_PARTIAL_WINDOW (gst_rnn_partial_window_get_type ())
GType gst_rnn_partial_window_get_type (void);
#define GST_TYPE_RNN_NON_FINITE (gst_rnn_non_finite_get_type ())
GType gst_rnn_non_finite_get_type (void);

/* At most this many tensor dimensions in other/tensors caps (NNStreamer 2.x
 * allows 16; 1.x uses 4). */
#define GST_RNN_MAX_DIMS 16

/* The negotiated format of one pad. */
typedef struct
{
  gboolean tensors;             /* other/tensors, else audio/x-raw */
  guint dims[GST_RNN_MAX_DIMS]; /* tensors only: innermost first */
  guint rank;                   /* tensors only */
  guint width;                  /* floats in the innermost dimension:
                                 * audio channels or dims[0] */
  gint steps_n, steps_d;        /* time steps per second; 0/1 = unknown */
} GstRnnFormat;

struct _GstRnn
{
  GstBaseTransform parent;

  /* Properties.  Protected by the object lock.  batch_first, mode,
   * window, hop, steps, feed and carry_state only change in NULL or READY;
   * the others at any time (model_path: a hot swap, see pending_model). */
  gchar *model_path;
  gboolean batch_first;
  GstRnnMode mode;
  gboolean reset_on_discont;
  guint window;
  guint hop;
  guint steps;
  GstRnnFeed feed;
  gboolean carry_state;
  guint threads;                /* threads per state (rnn_state_set_threads) */
  gboolean post_messages;
  GstRnnPartialWindow partial_window;
  GstRnnNonFinite non_finite;
  gint64 timestamp_tolerance;   /* ns; -1 = half a frame */

  /* Requests from application threads, consumed by the streaming thread
   * at the next input buffer.  Protected by the object lock. */
  RnnModel *pending_model;      /* hot swap: loaded, checked, not running
                                 * yet (the encoder in n-to-m) */
  RnnModel *pending_decoder;    /* n-to-m */
  gchar *pending_path;          /* file of pending_model */
  GBytes *pending_restore;      /* "restore" signal */

  /* What transform_caps and the LATENCY query need from the loaded model
   * and mode.  Written in start()/stop() and at a hot swap, read from any
   * thread, under the object lock.  in_size == 0: no model is loaded. */
  GstRnnMode run_mode;          /* mode snapshot taken at start */
  guint in_size;                /* F (the encoder's in n-to-m) */
  guint out_size;               /* O (the decoder's in n-to-m) */
  gboolean windowed;            /* n-to-n: bidirectional model run window
                                 * by window */
  guint window_frames;          /* frames per window when windowed */
  guint out_steps;              /* 1-to-n: output frames per input frame;
                                 * n-to-m: frames per forecast */
  guint run_window;             /* window and resolved feed in force: a */
  GstRnnFeed run_feed;          /* hot-swapped model is checked with them */

  /* Set by the "reset" action signal from any thread; consumed at the
   * start of the next buffer.  Atomic. */
  gint reset_requested;

  /* Held by the streaming thread while it uses or replaces the model,
   * the states and the stream buffers below (never while pushing), and by
   * the "snapshot" and "restore" signals: a snapshot is therefore taken
   * between two buffers.  Recursive, so that a bus sync handler running in
   * the streaming thread may emit those signals.  Taken before the object
   * lock, never after it. */
  GRecMutex state_lock;

  /* Streaming thread only (start/stop, set_caps, buffers, serialized
   * events), under state_lock. */
  RnnModel *model;              /* the network; the encoder in n-to-m */
  gchar *running_path;          /* file of the running model */
  RnnModel *decoder;            /* n-to-m only */
  RnnState *state;
  RnnState *dec_state;          /* n-to-m only */
  GstCaps *in_caps;             /* caps the state was made for */
  GstRnnFormat in_fmt;          /* written under the object lock (the
                                 * LATENCY query reads it) */
  gboolean cfg_batch_first;     /* snapshots taken at start */
  GstRnnMode cfg_mode;
  guint cfg_window;             /* n-to-1, n-to-m: frames per window */
  guint cfg_hop;                /* n-to-1, n-to-m: frames between starts */
  guint cfg_steps;              /* 1-to-n, n-to-m */
  GstRnnFeed cfg_feed;          /* resolved: never AUTO */
  gboolean cfg_carry;
  guint batch;                  /* B */
  gsize in_frame_bytes;         /* B * F * 4 */
  gsize out_frame_bytes;        /* B * O * 4 */
  gboolean discont_pending;     /* mark the next output DISCONT */

  /* Robustness, streaming thread. */
  GstClockTime next_pts;        /* expected PTS of the next input buffer
                                 * (NONE: unknown) */
  GstClockTime frame_dur;       /* one frame, from the rate or the last
                                 * buffer (NONE: unknown) */
  gboolean after_gap;           /* the last input buffer was a GAP */
  gboolean mark_discont;        /* n-to-1: flag this buffer DISCONT */
  GstRnnNonFinite buf_policy;   /* non-finite policy for this buffer */
  gboolean buf_nonfinite;       /* this buffer holds a NaN or Inf */
  GstClockTime buf_pts;         /* this buffer's PTS, for messages */
  gboolean *nf_now;             /* (B) stream warned about in this buffer */
  gboolean *nf_before;          /* (B) ... in the previous buffer */

  /* Unaligned-memory fallback, sized in set_caps. */
  guint chunk_frames;
  float *chunk_in;              /* (chunk, B, F) or (B, chunk, F) */
  float *chunk_out;             /* (chunk, B, O) or (B, chunk, O) */

  /* n-to-n windowed (bidirectional) mode, sized in set_caps. */
  float *win_in;                /* (window, B, F), time-major */
  float *win_out;               /* (window, B, O), time-major */
  guint win_fill;               /* frames in win_in */
  GstClockTime win_pts;         /* time of the window's first frame */
  guint64 win_offset;           /* offset of the window's first frame */
  GstBuffer *win_inbuf;         /* input being cut into windows (also
                                 * n-to-m) */
  guint win_cursor;             /* frames of win_inbuf consumed */

  /* n-to-1 and n-to-m: the last `window` input frames, sized in set_caps.
   * Frame i (counted from the last reset) sits in slot i % window. */
  float *ring;                  /* (window, B, F), time-major */
  GstClockTime *ring_pts;       /* (window): time of each slot's frame */
  guint64 *ring_offset;         /* (window): offset of each slot's frame */
  guint64 frames_in;            /* frames received since the last reset */
  guint64 next_start;           /* first frame of the next window */
  guint64 covered_end;          /* one past the last frame of the last
                                 * window run (0: none yet) */
  float *seq_in;                /* (window, B, F): the window being run */
  float *seq_out;               /* (window, B, R): its top-layer outputs,
                                 * R = rnn_model_get_rnn_output_size() */
  float *pooled;                /* n-to-1: (B, R) */
  float *scores;                /* n-to-1: (B, O) */
  float *h_buf;                 /* (L * D, B, H_out): h_n */
  float *c_buf;                 /* (L * D, B, H): c_n (LSTM) */

  /* 1-to-n and n-to-m generation, sized in set_caps. */
  float *gen_in;                /* (steps, B, F_gen), time-major */
  float *gen_out;               /* (steps, B, O), time-major */
};

GST_ELEMENT_REGISTER_DECLARE (rnn);

G_END_DECLS

#endif /* __GST_RNN_H__ */

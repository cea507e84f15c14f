/* GStreamer rnn element: what its source files share.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_RNN_PRIVATE_H__
#define __GST_RNN_PRIVATE_H__

#include "gstrnn.h"
#include "rnn.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_rnn_debug);
#define GST_CAT_DEFAULT gst_rnn_debug

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

/* How caps map across the element: for a model of in_size inputs and
 * out_size outputs (0: no model loaded) run in mode, out_T output frames
 * per tensor (0: as many as the input) and t_mul output frames per input
 * frame, in the layout batch_first. */
typedef struct
{
  GstRnnMode mode;
  guint in_size;
  guint out_size;
  guint out_T;
  guint t_mul;
  gboolean batch_first;
} GstRnnCapsMap;

/* The property values.  Protected by the object lock.  batch_first,
 * mode, window, hop, steps, feed, carry_state and threads only change in
 * NULL or READY; the others at any time (model_path: a hot swap, see
 * GstRnnRequests). */
typedef struct
{
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
} GstRnnSettings;

/* Requests from application threads, consumed by the streaming thread at
 * the start of the next input buffer.  Protected by the object lock,
 * except reset, which is atomic. */
typedef struct
{
  RnnModel *model;              /* hot swap: loaded, checked, not running
                                 * yet (the encoder in n-to-m) */
  RnnModel *decoder;            /* n-to-m */
  gchar *path;                  /* file of model */
  GBytes *restore;              /* "restore" signal */
  gint reset;                   /* "reset" signal; atomic */
} GstRnnRequests;

/* The configuration in force: the mode and its parameters as start()
 * resolved them from the properties, and the sizes of the running model.
 * Written in start() and stop() and at a hot swap (out_size, windowed),
 * under the object lock: transform_caps, fixate_caps, the LATENCY query
 * and the 'model' property read it under that lock from any thread; the
 * streaming thread, the only writer while data flows, reads it without.
 * in_size == 0: no model is loaded. */
typedef struct
{
  GstRnnMode mode;
  gboolean batch_first;
  guint window;                 /* frames per window in n-to-1 and n-to-m,
                                 * and in n-to-n when windowed */
  guint hop;                    /* n-to-1, n-to-m: frames between window
                                 * starts (never 0) */
  guint steps;                  /* 1-to-n: output frames per input frame;
                                 * n-to-m: frames per forecast; else 1 */
  GstRnnFeed feed;              /* resolved: auto only where unused
                                 * (n-to-n, n-to-1) */
  gboolean carry;               /* carry-state */
  guint in_size;                /* F (the encoder's in n-to-m) */
  guint out_size;               /* O (the decoder's in n-to-m) */
  gboolean windowed;            /* n-to-n: a bidirectional model, run
                                 * window by window */
} GstRnnConfig;

/* The per-stream runtime: the running model, the states and the scratch
 * memory made for the caps, and what is known of the stream so far.
 * Streaming thread only (start/stop, set_caps, buffers, serialized
 * events), under the state lock, which the "snapshot" and "restore"
 * actions also take to read the model and the state. */
typedef struct
{
  RnnModel *model;              /* the network; the encoder in n-to-m */
  gchar *running_path;          /* file of the running model */
  RnnModel *decoder;            /* n-to-m only */
  RnnState *state;
  RnnState *dec_state;          /* n-to-m only */
  GstCaps *in_caps;             /* caps the state was made for */
  GstRnnFormat in_fmt;          /* written under the object lock (the
                                 * LATENCY query reads it) */
  guint batch;                  /* B */
  gsize in_frame_bytes;         /* B * F * 4 */
  gsize out_frame_bytes;        /* B * O * 4 */
  gboolean discont_pending;     /* mark the next output DISCONT */

  /* Robustness. */
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
} GstRnnStream;

struct _GstRnn
{
  GstBaseTransform parent;

  /* Property values.  Object lock. */
  GstRnnSettings settings;

  /* Requests from application threads.  Object lock, but reset. */
  GstRnnRequests requests;

  /* Configuration in force.  Object lock; the streaming thread reads it
   * without. */
  GstRnnConfig config;

  /* Held by the streaming thread while it uses or replaces the model,
   * the states and the stream buffers below (never while pushing), and by
   * the "snapshot" and "restore" signals: a snapshot is therefore taken
   * between two buffers.  Recursive, so that a bus sync handler running in
   * the streaming thread may emit those signals.  Taken before the object
   * lock, never after it. */
  GRecMutex state_lock;

  /* Per-stream runtime.  State lock. */
  GstRnnStream stream;
};

/* The functions the element's files share.  None is exported: the plugin
 * is built with hidden symbol visibility. */

/* gstrnnenums.c */
const gchar *gst_rnn_mode_nick (GstRnnMode mode);
const gchar *gst_rnn_feed_nick (GstRnnFeed feed);

/* gstrnntime.c */
GstClockTime gst_rnn_frames_to_time (GstRnn * self, guint64 frames);
GstClockTime gst_rnn_buffer_frame_time (GstRnn * self, guint64 t);
gboolean gst_rnn_detect_discont (GstRnn * self, GstBuffer * inbuf, gsize n,
    gint64 tolerance);
GstClockTime gst_rnn_latency (GstRnn * self);

/* gstrnnresults.c */
const GstMetaInfo *gst_rnn_result_meta_get_info (void);
void gst_rnn_emit_results (GstRnn * self, GstBuffer * buf, guint64 start,
    guint len, gboolean post);

/* gstrnnnonfinite.c */
void gst_rnn_sanitize (float *p, gsize n);
gboolean gst_rnn_frame_bad (GstRnn * self, const guint8 * in, gsize n,
    gsize t, guint b);
GstFlowReturn gst_rnn_check_input (GstRnn * self, GstBuffer * inbuf,
    gsize n);
gboolean gst_rnn_check_state (GstRnn * self, RnnState * state);
gboolean gst_rnn_guard_carried (GstRnn * self, const float *in, gsize n);

/* gstrnncaps.c */
GstCaps *gst_rnn_map_caps (GstPadDirection direction, GstCaps * caps,
    const GstRnnCapsMap * m);
GstCaps *gst_rnn_caps_transform (GstRnn * self, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter);
GstCaps *gst_rnn_caps_fixate (GstRnn * self, GstCaps * othercaps);
gboolean gst_rnn_check_caps (GstRnn * self, GstCaps * incaps,
    GstCaps * outcaps, GstRnnFormat * in, guint * batch);

/* gstrnnstream.c */
void gst_rnn_reset_state (GstRnn * self, const gchar * why);
void gst_rnn_free_stream (GstRnn * self);
gboolean gst_rnn_configure (GstRnn * self, GstCaps * incaps,
    GstCaps * outcaps);
GstFlowReturn gst_rnn_begin_buffer (GstRnn * self, GstBuffer * inbuf,
    gboolean * reset);

/* gstrnnmodes.c */
GstFlowReturn gst_rnn_run_failed (GstRnn * self, GError * err);
gboolean gst_rnn_process (GstRnn * self, const guint8 * in, guint8 * out,
    gsize n, GError ** err);
gboolean gst_rnn_generate_frames (GstRnn * self, const guint8 * in,
    guint8 * out, gsize n, GError ** err);
GstFlowReturn gst_rnn_generate_window (GstRnn * self, GstBuffer ** outbuf);
GstFlowReturn gst_rnn_annotate (GstRnn * self, GstBuffer * buf,
    const guint8 * data, gsize n, gboolean post);
GstFlowReturn gst_rnn_generate_forecast (GstRnn * self, GstBuffer ** outbuf);
GstFlowReturn gst_rnn_drain_tail (GstRnn * self);
GstFlowReturn gst_rnn_drain_window (GstRnn * self);

/* gstrnnmodel.c */
RnnModel *gst_rnn_load_configured (GstRnn * self, RnnModel ** decoder,
    gchar ** path);
void gst_rnn_set_model (GstRnn * self, const gchar * path);
gboolean gst_rnn_swap_pending (GstRnn * self);
void gst_rnn_swap_configure (GstRnn * self);
void gst_rnn_apply_restore (GstRnn * self);
GBytes *gst_rnn_snapshot_action (GstRnn * self);
gboolean gst_rnn_restore_action (GstRnn * self, GBytes * snapshot);

G_END_DECLS

#endif /* __GST_RNN_PRIVATE_H__ */

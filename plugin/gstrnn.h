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
 * @GST_RNN_MODE_N_TO_1: one output per window of input frames (not yet
 *   supported)
 * @GST_RNN_MODE_1_TO_N: a sequence generated from one input (not yet
 *   supported)
 * @GST_RNN_MODE_N_TO_M: encoder-decoder, sequence to sequence (not yet
 *   supported)
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

#define GST_TYPE_RNN_MODE (gst_rnn_mode_get_type ())
GType gst_rnn_mode_get_type (void);

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

  /* Properties.  Protected by the object lock.  model_path, batch_first,
   * mode and window only change in NULL or READY. */
  gchar *model_path;
  gboolean batch_first;
  GstRnnMode mode;
  gboolean reset_on_discont;
  guint window;

  /* What transform_caps needs from the loaded model.  Written in
   * start()/stop() and read from any thread, under the object lock.
   * in_size == 0 means no model is loaded. */
  guint in_size;                /* F */
  guint out_size;               /* O */
  gboolean windowed;            /* bidirectional model run window by window */
  guint window_frames;          /* frames per window when windowed */

  /* Set by the "reset" action signal from any thread; consumed at the
   * start of the next buffer.  Atomic. */
  gint reset_requested;

  /* Streaming thread only (start/stop, set_caps, buffers, serialized
   * events). */
  RnnModel *model;
  RnnState *state;
  GstCaps *in_caps;             /* caps the state was made for */
  GstRnnFormat in_fmt;          /* written under the object lock (the
                                 * LATENCY query reads it) */
  gboolean cfg_batch_first;     /* batch-first snapshot taken at start */
  guint batch;                  /* B */
  gsize in_frame_bytes;         /* B * F * 4 */
  gsize out_frame_bytes;        /* B * O * 4 */
  gboolean discont_pending;     /* mark the next output DISCONT */

  /* Unaligned-memory fallback, sized in set_caps. */
  guint chunk_frames;
  float *chunk_in;              /* (chunk, B, F) or (B, chunk, F) */
  float *chunk_out;             /* (chunk, B, O) or (B, chunk, O) */

  /* Windowed (bidirectional) mode, sized in set_caps. */
  float *win_in;                /* (window, B, F), time-major */
  float *win_out;               /* (window, B, O), time-major */
  guint win_fill;               /* frames in win_in */
  GstClockTime win_pts;         /* time of the window's first frame */
  guint64 win_offset;           /* offset of the window's first frame */
  GstBuffer *win_inbuf;         /* input being cut into windows */
  guint win_cursor;             /* frames of win_inbuf consumed */
};

GST_ELEMENT_REGISTER_DECLARE (rnn);

G_END_DECLS

#endif /* __GST_RNN_H__ */

/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* the results meta: its name and fields (installed as <gst/rnn/gstrnnmeta.h>) */
#include <gst/rnn/gstrnnmeta.h>

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

/**
 * GstRnnPrecision:
 * @GST_RNN_PRECISION_AUTO: the model's rnn.precision metadata, else f32
 * @GST_RNN_PRECISION_F32: float32 weights (PyTorch's numbers)
 * @GST_RNN_PRECISION_BF16: bfloat16 weights
 * @GST_RNN_PRECISION_INT8: int8 weights with a scale per row
 *
 * How the weights are stored (RnnPrecision of the core, same values).
 */
typedef enum
{
  GST_RNN_PRECISION_AUTO,
  GST_RNN_PRECISION_F32,
  GST_RNN_PRECISION_BF16,
  GST_RNN_PRECISION_INT8
} GstRnnPrecision;

#define GST_TYPE_RNN_MODE (gst_rnn_mode_get_type ())
GType gst_rnn_mode_get_type (void);
#define GST_TYPE_RNN_FEED (gst_rnn_feed_get_type ())
GType gst_rnn_feed_get_type (void);
#define GST_TYPE_RNN_PARTIAL_WINDOW (gst_rnn_partial_window_get_type ())
GType gst_rnn_partial_window_get_type (void);
#define GST_TYPE_RNN_NON_FINITE (gst_rnn_non_finite_get_type ())
GType gst_rnn_non_finite_get_type (void);
#define GST_TYPE_RNN_PRECISION (gst_rnn_precision_get_type ())
GType gst_rnn_precision_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (rnn);

G_END_DECLS

#endif /* __GST_RNN_H__ */

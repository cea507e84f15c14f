/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: the enumerations of its properties.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

/* The element's enums are cast to the core's (gstrnnmodel.c,
 * gstrnnadapter.c): the same values, checked here at build time. */
#define SAME(a, b) G_STATIC_ASSERT ((int) (a) == (int) (b))
SAME (GST_RNN_MODE_N_TO_N, RNN_MODE_N_TO_N);
SAME (GST_RNN_MODE_N_TO_1, RNN_MODE_N_TO_1);
SAME (GST_RNN_MODE_1_TO_N, RNN_MODE_1_TO_N);
SAME (GST_RNN_MODE_N_TO_M, RNN_MODE_N_TO_M);
SAME (GST_RNN_FEED_AUTO, RNN_FEED_AUTO);
SAME (GST_RNN_FEED_REPEAT, RNN_FEED_REPEAT);
SAME (GST_RNN_FEED_FIRST, RNN_FEED_FIRST);
SAME (GST_RNN_FEED_FEEDBACK, RNN_FEED_FEEDBACK);
SAME (GST_RNN_FEED_CONTEXT, RNN_FEED_CONTEXT);
SAME (GST_RNN_PARTIAL_WINDOW_AUTO, RNN_PARTIAL_AUTO);
SAME (GST_RNN_PARTIAL_WINDOW_DROP, RNN_PARTIAL_DROP);
SAME (GST_RNN_PARTIAL_WINDOW_RUN, RNN_PARTIAL_RUN);
SAME (GST_RNN_PRECISION_AUTO, RNN_PRECISION_AUTO);
SAME (GST_RNN_PRECISION_F32, RNN_PRECISION_F32);
SAME (GST_RNN_PRECISION_BF16, RNN_PRECISION_BF16);
SAME (GST_RNN_PRECISION_INT8, RNN_PRECISION_INT8);
#undef SAME

GType
gst_rnn_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_MODE_N_TO_N, "One output frame per input frame", "n-to-n"},
    {GST_RNN_MODE_N_TO_1, "One result per window, attached to the "
          "unchanged input as a meta and posted on the bus", "n-to-1"},
    {GST_RNN_MODE_1_TO_N, "'steps' output frames generated from every "
          "input frame", "1-to-n"},
    {GST_RNN_MODE_N_TO_M, "Encoder-decoder: 'steps' frames forecast from "
          "every window", "n-to-m"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_rnn_feed_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_FEED_AUTO, "The mode's default: repeat in 1-to-n, context in "
          "n-to-m", "auto"},
    {GST_RNN_FEED_REPEAT, "1-to-n: the input frame at every step", "repeat"},
    {GST_RNN_FEED_FIRST, "1-to-n: the input frame at the first step, zeros "
          "after", "first"},
    {GST_RNN_FEED_FEEDBACK, "The previous step's output (the first step "
          "gets the input frame, in n-to-m the window's last frame)",
        "feedback"},
    {GST_RNN_FEED_CONTEXT, "n-to-m: the encoder's final top-layer output at "
          "every step", "context"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnFeed", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_rnn_partial_window_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_PARTIAL_WINDOW_AUTO, "The mode's default: run in n-to-n, drop "
          "in n-to-1 and n-to-m", "auto"},
    {GST_RNN_PARTIAL_WINDOW_DROP, "Drop the frames of an incomplete window",
        "drop"},
    {GST_RNN_PARTIAL_WINDOW_RUN, "Run an incomplete window as a shorter "
          "sequence", "run"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnPartialWindow", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_rnn_non_finite_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_NON_FINITE_RESET_STREAM, "Compute the frame as PyTorch would, "
          "then reset that stream's state to zero, and warn; a state that "
          "turns non-finite is reset too", "reset-stream"},
    {GST_RNN_NON_FINITE_PROPAGATE, "No check: compute as PyTorch would, a "
          "NaN stays in the state until the next reset", "propagate"},
    {GST_RNN_NON_FINITE_ZERO, "Replace non-finite input values by 0, and "
          "warn; a state that turns non-finite is reset", "zero"},
    {GST_RNN_NON_FINITE_ERROR, "Fail with a stream error", "error"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnNonFinite", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_rnn_precision_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_PRECISION_AUTO, "The model's rnn.precision metadata, else f32",
        "auto"},
    {GST_RNN_PRECISION_F32, "float32 weights: PyTorch's numbers", "f32"},
    {GST_RNN_PRECISION_BF16, "bfloat16 weights: half the bytes, errors "
          "~1e-3..1e-2", "bf16"},
    {GST_RNN_PRECISION_INT8, "int8 weights, a scale per row, inputs of "
          "each product quantised per frame: a quarter of the bytes, errors "
          "~1e-2..5e-2", "int8"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnPrecision", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

const gchar *
gst_rnn_mode_nick (GstRnnMode mode)
{
  GEnumClass *klass = g_type_class_peek (GST_TYPE_RNN_MODE);
  GEnumValue *value = klass ? g_enum_get_value (klass, mode) : NULL;

  return value ? value->value_nick : "unknown";
}

const gchar *
gst_rnn_feed_nick (GstRnnFeed feed)
{
  GEnumClass *klass = g_type_class_peek (GST_TYPE_RNN_FEED);
  GEnumValue *value = klass ? g_enum_get_value (klass, feed) : NULL;

  return value ? value->value_nick : "unknown";
}

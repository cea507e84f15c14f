/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: the settings.  The property values, kept under
 * the object lock: their defaults, and reading and writing them (the
 * 'model' property loads a file: gstrnnmodel.c).  mode, window, hop,
 * steps, feed and carry-state note in user_set that the application set
 * them: the others take the model file's run settings at each start
 * (gstrnnmodelsettings.c).  The property table, one sentence per
 * property (gst-inspect-1.0) and the details in its doc comments, is
 * gst_rnn_install_properties() below.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

/* The property values at their defaults. */
void
gst_rnn_settings_init (GstRnnSettings * settings)
{
  settings->model_path = g_strdup (DEFAULT_MODEL);
  settings->batch_first = DEFAULT_BATCH_FIRST;
  settings->mode = DEFAULT_MODE;
  settings->reset_on_discont = DEFAULT_RESET_ON_DISCONT;
  settings->window = DEFAULT_WINDOW;
  settings->hop = DEFAULT_HOP;
  settings->steps = DEFAULT_STEPS;
  settings->feed = DEFAULT_FEED;
  settings->carry_state = DEFAULT_CARRY_STATE;
  settings->threads = DEFAULT_THREADS;
  settings->post_messages = DEFAULT_POST_MESSAGES;
  settings->partial_window = DEFAULT_PARTIAL_WINDOW;
  settings->non_finite = DEFAULT_NON_FINITE;
  settings->timestamp_tolerance = DEFAULT_TIMESTAMP_TOLERANCE;
  settings->timestamp_policy = DEFAULT_TIMESTAMP_POLICY;
  settings->precision = DEFAULT_PRECISION;
  settings->user_set = 0;      /* nothing set: the model file decides */
}

void
gst_rnn_settings_snapshot (GstRnn * self, GstRnnBufferSettings * snap)
{
  GST_OBJECT_LOCK (self);
  snap->reset_on_discont = self->settings.reset_on_discont;
  snap->post_messages = self->settings.post_messages;
  snap->partial_window = self->settings.partial_window;
  snap->non_finite = self->settings.non_finite;
  snap->timestamp_tolerance = self->settings.timestamp_tolerance;
  snap->timestamp_policy = self->settings.timestamp_policy;
  GST_OBJECT_UNLOCK (self);
}

/* The properties flagged GST_PARAM_MUTABLE_READY need a reload or a
 * renegotiation: they only change in NULL or READY; set later, the value
 * is ignored with a warning.  @pspec's flags say which, in one place. */
static gboolean
gst_rnn_refuse_running (GstRnn * self, GParamSpec * pspec)
{
  if (!(pspec->flags & GST_PARAM_MUTABLE_READY)
      || GST_STATE (self) <= GST_STATE_READY)
    return FALSE;
  GST_WARNING_OBJECT (self, "property '%s' can only be changed in the "
      "NULL or READY state; ignoring the new value", pspec->name);
  return TRUE;
}

void
gst_rnn_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRnn *self = GST_RNN (object);

  /* may load a file: not under the object lock */
  if (prop_id == PROP_MODEL) {
    gst_rnn_set_model (self, g_value_get_string (value));
    return;
  }

  GST_OBJECT_LOCK (self);
  if (gst_rnn_refuse_running (self, pspec)) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_BATCH_FIRST:
      self->settings.batch_first = g_value_get_boolean (value);
      break;
    case PROP_PRECISION:
      /* read at the next load: start, and a hot swap (which keeps it) */
      self->settings.precision = g_value_get_enum (value);
      break;
    case PROP_MODE:
      self->settings.mode = g_value_get_enum (value);
      self->settings.user_set |= RNN_SETTING_MODE;
      break;
    case PROP_RESET_ON_DISCONT:
      self->settings.reset_on_discont = g_value_get_boolean (value);
      break;
    case PROP_WINDOW:
      self->settings.window = g_value_get_uint (value);
      self->settings.user_set |= RNN_SETTING_WINDOW;
      break;
    case PROP_HOP:
      self->settings.hop = g_value_get_uint (value);
      self->settings.user_set |= RNN_SETTING_HOP;
      break;
    case PROP_STEPS:
      self->settings.steps = g_value_get_uint (value);
      self->settings.user_set |= RNN_SETTING_STEPS;
      break;
    case PROP_FEED:
      self->settings.feed = g_value_get_enum (value);
      self->settings.user_set |= RNN_SETTING_FEED;
      break;
    case PROP_CARRY_STATE:
      self->settings.carry_state = g_value_get_boolean (value);
      self->settings.user_set |= RNN_SETTING_CARRY_STATE;
      break;
    case PROP_THREADS:
      self->settings.threads = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->settings.post_messages = g_value_get_boolean (value);
      break;
    case PROP_PARTIAL_WINDOW:
      self->settings.partial_window = g_value_get_enum (value);
      break;
    case PROP_NON_FINITE:
      self->settings.non_finite = g_value_get_enum (value);
      break;
    case PROP_TIMESTAMP_TOLERANCE:
      self->settings.timestamp_tolerance = g_value_get_int64 (value);
      break;
    case PROP_TIMESTAMP_POLICY:
      self->settings.timestamp_policy = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

void
gst_rnn_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstRnn *self = GST_RNN (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->settings.model_path);
      break;
    case PROP_PRECISION:
      g_value_set_enum (value, self->settings.precision);
      break;
    case PROP_BATCH_FIRST:
      g_value_set_boolean (value, self->settings.batch_first);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->settings.mode);
      break;
    case PROP_RESET_ON_DISCONT:
      g_value_set_boolean (value, self->settings.reset_on_discont);
      break;
    case PROP_WINDOW:
      g_value_set_uint (value, self->settings.window);
      break;
    case PROP_HOP:
      g_value_set_uint (value, self->settings.hop);
      break;
    case PROP_STEPS:
      g_value_set_uint (value, self->settings.steps);
      break;
    case PROP_FEED:
      g_value_set_enum (value, self->settings.feed);
      break;
    case PROP_CARRY_STATE:
      g_value_set_boolean (value, self->settings.carry_state);
      break;
    case PROP_THREADS:
      g_value_set_uint (value, self->settings.threads);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->settings.post_messages);
      break;
    case PROP_PARTIAL_WINDOW:
      g_value_set_enum (value, self->settings.partial_window);
      break;
    case PROP_NON_FINITE:
      g_value_set_enum (value, self->settings.non_finite);
      break;
    case PROP_TIMESTAMP_TOLERANCE:
      g_value_set_int64 (value, self->settings.timestamp_tolerance);
      break;
    case PROP_TIMESTAMP_POLICY:
      g_value_set_enum (value, self->settings.timestamp_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* The element's properties: installed once, by the class.  Their values
 * live in GstRnnSettings (above); the prose is in docs/rnn.md. */
void
gst_rnn_install_properties (GObjectClass * gobject_class)
{
  /**
   * GstRnn:model:
   *
   * Path of the safetensors file holding the network, loaded going to
   * PAUSED, or swapped in at the next buffer when set in PAUSED or PLAYING.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Path of the model file holding the network's weights",
          DEFAULT_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:batch-first:
   *
   * Whether a buffer of T frames is (B, T, F), as PyTorch's
   * `batch_first=True`, rather than (T, B, F), plain interleaved audio.
   */
  g_object_class_install_property (gobject_class, PROP_BATCH_FIRST,
      g_param_spec_boolean ("batch-first", "Batch first",
          "Whether each stream's frames are contiguous in a buffer (B, T, F) "
          "rather than interleaved (T, B, F)",
          DEFAULT_BATCH_FIRST,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:mode:
   *
   * How input frames map to output frames.
   */
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "How input frames map to output frames",
          GST_TYPE_RNN_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:reset-on-discont:
   *
   * Whether a discontinuity (a DISCONT or GAP buffer, a timestamp jump)
   * resets the state to zero.
   */
  g_object_class_install_property (gobject_class, PROP_RESET_ON_DISCONT,
      g_param_spec_boolean ("reset-on-discont", "Reset on discont",
          "Whether a discontinuity resets the state of every stream to zero",
          DEFAULT_RESET_ON_DISCONT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:window:
   *
   * Frames per window in `n-to-1` and `n-to-m`, and in `n-to-n` for a
   * bidirectional model, which then runs on independent windows.
   */
  g_object_class_install_property (gobject_class, PROP_WINDOW,
      g_param_spec_uint ("window", "Window",
          "Frames per window (0: no windows)",
          0, GST_RNN_MAX_WINDOW, DEFAULT_WINDOW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:hop:
   *
   * Frames between the starts of consecutive windows in `n-to-1` and
   * `n-to-m` (0: #GstRnn:window).
   */
  g_object_class_install_property (gobject_class, PROP_HOP,
      g_param_spec_uint ("hop", "Hop",
          "Frames between the starts of consecutive windows (0: the window)",
          0, GST_RNN_MAX_WINDOW, DEFAULT_HOP,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:steps:
   *
   * Frames generated per input frame in `1-to-n`, or per window in
   * `n-to-m`.
   */
  g_object_class_install_property (gobject_class, PROP_STEPS,
      g_param_spec_uint ("steps", "Steps",
          "Frames generated per input frame (1-to-n) or per window (n-to-m)",
          1, GST_RNN_MAX_STEPS, DEFAULT_STEPS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:feed:
   *
   * What the generating network (`1-to-n`, the `n-to-m` decoder) reads at
   * each step.
   */
  g_object_class_install_property (gobject_class, PROP_FEED,
      g_param_spec_enum ("feed", "Feed",
          "What the generating network reads at each step",
          GST_TYPE_RNN_FEED, DEFAULT_FEED,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:carry-state:
   *
   * Whether each window (`n-to-1`, `n-to-m`) or input frame (`1-to-n`)
   * starts from the state the previous one left instead of zero.
   */
  g_object_class_install_property (gobject_class, PROP_CARRY_STATE,
      g_param_spec_boolean ("carry-state", "Carry state",
          "Whether each window starts from the state the previous one left "
          "instead of zeros",
          DEFAULT_CARRY_STATE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:threads:
   *
   * Threads that share each matrix product of the network, with outputs
   * identical to one thread's.  With 16 or more streams a buffer is split
   * by streams instead, each thread's share following its measured speed
   * in the previous buffer.
   */
  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_uint ("threads", "Threads",
          "Number of threads that share the work of each buffer",
          1, 8, DEFAULT_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:post-messages:
   *
   * Whether `n-to-1` posts every result as an `rnn` element message.
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Whether to post each n-to-1 result as an 'rnn' element message",
          DEFAULT_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:partial-window:
   *
   * What happens at EOS to frames that fill no window.
   */
  g_object_class_install_property (gobject_class, PROP_PARTIAL_WINDOW,
      g_param_spec_enum ("partial-window", "Partial window",
          "What to do at EOS with frames that fill no whole window",
          GST_TYPE_RNN_PARTIAL_WINDOW, DEFAULT_PARTIAL_WINDOW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:non-finite:
   *
   * What happens to NaN and infinite input values, and to a state that
   * becomes non-finite.
   */
  g_object_class_install_property (gobject_class, PROP_NON_FINITE,
      g_param_spec_enum ("non-finite", "Non-finite",
          "What to do with NaN and infinite input values and states",
          GST_TYPE_RNN_NON_FINITE, DEFAULT_NON_FINITE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:precision:
   *
   * How the weights are stored and multiplied: f32 (PyTorch's numbers),
   * bf16 or int8 (smaller, faster at batch 1, approximate), or auto (the
   * model's rnn.precision metadata, else f32).
   */
  g_object_class_install_property (gobject_class, PROP_PRECISION,
      g_param_spec_enum ("precision", "Precision",
          "How the weights of the model are stored and multiplied",
          GST_TYPE_RNN_PRECISION, DEFAULT_PRECISION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:timestamp-tolerance:
   *
   * How far in nanoseconds a buffer may start from where it was expected
   * (#GstRnn:timestamp-policy) before it is a discontinuity (default 40
   * ms, as GStreamer's audio sinks; -1: half a frame).
   */
  g_object_class_install_property (gobject_class, PROP_TIMESTAMP_TOLERANCE,
      g_param_spec_int64 ("timestamp-tolerance", "Timestamp tolerance",
          "Largest timestamp deviation in ns that is not a discontinuity "
          "(-1: half a frame)",
          -1, G_MAXINT64, DEFAULT_TIMESTAMP_TOLERANCE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:timestamp-policy:
   *
   * Where a buffer is expected to start and how outputs are stamped:
   * `strict`, at the end of the previous buffer, outputs keeping the
   * input's timestamps; `perfect`, at the first timestamp plus the frames
   * counted since, jitter below a frame or within #GstRnn:timestamp-tolerance
   * keeping the state, outputs stamped from that count (for sources that
   * stamp buffers as they are pushed).
   */
  g_object_class_install_property (gobject_class, PROP_TIMESTAMP_POLICY,
      g_param_spec_enum ("timestamp-policy", "Timestamp policy",
          "Where a buffer is expected to start and how outputs are stamped",
          GST_TYPE_RNN_TIMESTAMP_POLICY, DEFAULT_TIMESTAMP_POLICY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
}

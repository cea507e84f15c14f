/* GStreamer rnn element: the settings.  The property values, kept under
 * the object lock: their defaults, and reading and writing them (the
 * 'model' property loads a file: gstrnnmodel.c).  The property table
 * itself, with one sentence per property, is in gstrnn.c's class_init.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

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
  settings->precision = DEFAULT_PRECISION;
}

/* Properties that need a reload or renegotiation only change in NULL or
 * READY.  Call with the object lock held. */
static gboolean
gst_rnn_check_mutable_ready (GstRnn * self, GParamSpec * pspec)
{
  if (GST_STATE (self) > GST_STATE_READY) {
    GST_WARNING_OBJECT (self, "property '%s' can only be changed in the "
        "NULL or READY state; ignoring the new value", pspec->name);
    return FALSE;
  }
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
  switch (prop_id) {
    case PROP_BATCH_FIRST:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.batch_first = g_value_get_boolean (value);
      break;
    case PROP_PRECISION:
      /* read at the next load: start, and a hot swap (which keeps it) */
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.precision = g_value_get_enum (value);
      break;
    case PROP_MODE:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.mode = g_value_get_enum (value);
      break;
    case PROP_RESET_ON_DISCONT:
      self->settings.reset_on_discont = g_value_get_boolean (value);
      break;
    case PROP_WINDOW:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.window = g_value_get_uint (value);
      break;
    case PROP_HOP:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.hop = g_value_get_uint (value);
      break;
    case PROP_STEPS:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.steps = g_value_get_uint (value);
      break;
    case PROP_FEED:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.feed = g_value_get_enum (value);
      break;
    case PROP_CARRY_STATE:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.carry_state = g_value_get_boolean (value);
      break;
    case PROP_THREADS:
      if (gst_rnn_check_mutable_ready (self, pspec))
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}


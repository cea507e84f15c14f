/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: stateful recurrent network inference on streams.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-rnn
 * @title: rnn
 *
 * Runs a recurrent neural network (PyTorch `nn.RNN`, `nn.LSTM` or `nn.GRU`,
 * optionally followed by a `nn.Linear` head, saved as a safetensors file)
 * on F32 audio or NNStreamer float32 tensors, one time step per frame,
 * keeping the hidden state of every stream across buffers.  #GstRnn:mode
 * chooses how input frames map to output: `n-to-n` gives one output frame
 * per input frame; `n-to-1` attaches one result per window to the
 * unchanged input as a `GstRnnResultMeta` and posts it on the bus as an
 * `rnn` element message; `1-to-n` generates #GstRnn:steps frames from
 * every input frame; `n-to-m` encodes each window and forecasts
 * #GstRnn:steps frames.  A model file may carry its run settings
 * (`rnn.mode`, `rnn.window`, `rnn.hop`, `rnn.steps`, `rnn.feed`,
 * `rnn.carry_state`): they are the defaults of those properties, which
 * override them when set; `rnn-inspect FILE` prints them.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 audiotestsrc wave=square num-buffers=4 ! \
 *     audio/x-raw,format=F32LE,rate=8000,channels=1 ! \
 *     rnn model=examples/models/waveform-gru.safetensors ! \
 *     filesink location=probabilities.f32
 * ]| n-to-n: the probabilities of 5 waveforms for every sample.
 * |[
 * gst-launch-1.0 -m audiotestsrc is-live=true wave=square \
 *         samplesperbuffer=800 num-buffers=10 ! \
 *     audio/x-raw,format=F32LE,rate=8000,channels=1 ! \
 *     rnn mode=n-to-1 window=400 \
 *         model=examples/models/waveform-gru.safetensors ! \
 *     fakesink
 * ]| n-to-1: the waveform of every 50 ms window, printed as `rnn` messages.
 * |[
 * gst-launch-1.0 audiotestsrc wave=saw freq=0.5 samplesperbuffer=10 \
 *         num-buffers=2 ! \
 *     audio/x-raw,format=F32LE,rate=10,channels=1 ! \
 *     rnn mode=1-to-n steps=64 model=examples/models/pluck-gru.safetensors ! \
 *     filesink location=plucks.f32
 * ]| 1-to-n: 64 frames of a tone generated from every control frame.
 * |[
 * gst-launch-1.0 audiotestsrc wave=sine freq=3 samplesperbuffer=25 \
 *         num-buffers=20 ! \
 *     audio/x-raw,format=F32LE,rate=100,channels=1 ! \
 *     rnn mode=n-to-m window=50 hop=25 steps=25 \
 *         model=examples/models/sine-forecast-gru.safetensors ! \
 *     filesink location=forecast.f32
 * ]| n-to-m: every 25 frames, the last 50 encoded and the next 25 forecast.
 */

#include <string.h>

#include "gstrnn-private.h"

GST_DEBUG_CATEGORY (gst_rnn_debug);

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define RNN_F32_FORMAT "F32LE"
#else
#define RNN_F32_FORMAT "F32BE"
#endif

#define RNN_CAPS \
  "audio/x-raw, format = (string) " RNN_F32_FORMAT ", " \
  "layout = (string) interleaved, rate = (int) [ 1, MAX ], " \
  "channels = (int) [ 1, MAX ]; " \
  "other/tensors, format = (string) static, num_tensors = (int) 1, " \
  "types = (string) float32, framerate = (fraction) [ 0/1, MAX ]"

enum
{
  SIGNAL_RESET,
  SIGNAL_SNAPSHOT,
  SIGNAL_RESTORE,
  LAST_SIGNAL
};

static guint gst_rnn_signals[LAST_SIGNAL] = { 0 };

static GstStaticPadTemplate gst_rnn_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (RNN_CAPS));

static GstStaticPadTemplate gst_rnn_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (RNN_CAPS));

#define gst_rnn_parent_class parent_class
G_DEFINE_TYPE (GstRnn, gst_rnn, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (rnn, "rnn", GST_RANK_NONE, GST_TYPE_RNN);

static void gst_rnn_finalize (GObject * object);

static gboolean gst_rnn_start (GstBaseTransform * trans);
static gboolean gst_rnn_stop (GstBaseTransform * trans);
static GstCaps *gst_rnn_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter);
static GstCaps *gst_rnn_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps);
static gboolean gst_rnn_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps);
static gboolean gst_rnn_transform_size (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, gsize size,
    GstCaps * othercaps, gsize * othersize);
static gboolean gst_rnn_decide_allocation (GstBaseTransform * trans,
    GstQuery * query);
static GstFlowReturn gst_rnn_generate_output (GstBaseTransform * trans,
    GstBuffer ** outbuf);
static GstFlowReturn gst_rnn_transform (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer * outbuf);
static GstFlowReturn gst_rnn_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);
static gboolean gst_rnn_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_rnn_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static GstFlowReturn gst_rnn_submit_input_buffer (GstBaseTransform * trans,
    gboolean is_discont, GstBuffer * input);
static void gst_rnn_reset_action (GstRnn * self);

static void
gst_rnn_class_init (GstRnnClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_rnn_debug, "rnn", 0,
      "recurrent neural network inference");

  gobject_class->finalize = gst_rnn_finalize;
  gobject_class->set_property = gst_rnn_set_property;
  gobject_class->get_property = gst_rnn_get_property;

  gst_rnn_install_properties (gobject_class);

  /**
   * GstRnn::reset:
   * @rnn: the #GstRnn
   *
   * Action signal: reset the state of every stream to zero at the next
   * buffer.
   */
  gst_rnn_signals[SIGNAL_RESET] =
      g_signal_new_class_handler ("reset", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_rnn_reset_action), NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GstRnn::snapshot:
   * @rnn: the #GstRnn
   *
   * Action signal: the state of every stream, taken between two buffers.
   *
   * Returns: (transfer full) (nullable): the snapshot (see
   * rnn_state_snapshot()), or %NULL before the caps are known
   */
  gst_rnn_signals[SIGNAL_SNAPSHOT] =
      g_signal_new_class_handler ("snapshot", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_rnn_snapshot_action), NULL, NULL, NULL, G_TYPE_BYTES,
      0);

  /**
   * GstRnn::restore:
   * @rnn: the #GstRnn
   * @snapshot: bytes from #GstRnn::snapshot
   *
   * Action signal: start the next buffer from the state in @snapshot.
   *
   * Returns: %TRUE if the snapshot was accepted
   */
  gst_rnn_signals[SIGNAL_RESTORE] =
      g_signal_new_class_handler ("restore", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_rnn_restore_action), NULL, NULL, NULL, G_TYPE_BOOLEAN,
      1, G_TYPE_BYTES);

  gst_element_class_add_static_pad_template (element_class,
      &gst_rnn_src_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_rnn_sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Recurrent neural network", "Filter/Analyzer/Audio",
      "Runs a PyTorch RNN, LSTM or GRU on a stream, one time step per "
      "frame, keeping the state across buffers",
      "gst-rnn developers <" PACKAGE_ORIGIN ">");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_rnn_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_rnn_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_rnn_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR (gst_rnn_fixate_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_rnn_set_caps);
  trans_class->transform_size = GST_DEBUG_FUNCPTR (gst_rnn_transform_size);
  trans_class->decide_allocation =
      GST_DEBUG_FUNCPTR (gst_rnn_decide_allocation);
  trans_class->submit_input_buffer =
      GST_DEBUG_FUNCPTR (gst_rnn_submit_input_buffer);
  trans_class->generate_output = GST_DEBUG_FUNCPTR (gst_rnn_generate_output);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_rnn_transform);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_rnn_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_rnn_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_rnn_query);
  trans_class->passthrough_on_same_caps = FALSE;

  gst_type_mark_as_plugin_api (GST_TYPE_RNN_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_FEED, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_PARTIAL_WINDOW, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_NON_FINITE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_PRECISION, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_TIMESTAMP_POLICY, 0);

  gst_rnn_result_meta_register ();
}

static void
gst_rnn_init (GstRnn * self)
{
  gst_rnn_settings_init (&self->settings);
  self->stream.discont_pending = TRUE;
  gst_rnn_time_init (&self->stream.time);
  gst_rnn_posted_init (&self->stream.posted);
  g_rec_mutex_init (&self->state_lock);
}

static void
gst_rnn_finalize (GObject * object)
{
  GstRnn *self = GST_RNN (object);

  g_free (self->settings.model_path);
  g_clear_pointer (&self->requests.model, rnn_model_unref);
  g_clear_pointer (&self->requests.decoder, rnn_model_unref);
  g_free (self->requests.path);
  g_clear_pointer (&self->requests.restore, g_bytes_unref);
  g_rec_mutex_clear (&self->state_lock);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_rnn_reset_action (GstRnn * self)
{
  GST_INFO_OBJECT (self, "reset requested");
  g_atomic_int_set (&self->requests.reset, 1);
}

static gboolean
gst_rnn_start (GstBaseTransform * trans)
{
  GstRnn *self = GST_RNN (trans);
  RnnModel *model, *decoder;
  gchar *path;

  g_atomic_int_set (&self->refusal_posted, 0);
  model = gst_rnn_load_configured (self, &decoder, &path);
  if (model == NULL)
    return FALSE;

  g_rec_mutex_lock (&self->state_lock);
  self->stream.model = model;
  self->stream.decoder = decoder;
  g_free (self->stream.running_path);
  self->stream.running_path = path;
  gst_rnn_reset (self, GST_RNN_RESET_START, "start");
  g_rec_mutex_unlock (&self->state_lock);

  /* a structure whose results ride on the input annotates the buffers in
   * place; the others make new output buffers */
  gst_base_transform_set_in_place (trans,
      self->config.info.output == RNN_OUTPUT_WINDOW_SCORES);
  return TRUE;
}

static gboolean
gst_rnn_stop (GstBaseTransform * trans)
{
  GstRnn *self = GST_RNN (trans);
  RnnModel *pending, *pending_dec;
  GBytes *restore;

  GST_OBJECT_LOCK (self);
  memset (&self->config, 0, sizeof (self->config));
  /* a swap or restore not consumed yet dies with the stream; the 'model'
   * property already names the swapped-in file, loaded on the next
   * start */
  pending = g_steal_pointer (&self->requests.model);
  pending_dec = g_steal_pointer (&self->requests.decoder);
  g_clear_pointer (&self->requests.path, g_free);
  restore = g_steal_pointer (&self->requests.restore);
  GST_OBJECT_UNLOCK (self);

  g_clear_pointer (&pending, rnn_model_unref);
  g_clear_pointer (&pending_dec, rnn_model_unref);
  g_clear_pointer (&restore, g_bytes_unref);

  g_rec_mutex_lock (&self->state_lock);
  gst_rnn_free_stream (self);
  g_clear_pointer (&self->stream.model, rnn_model_unref);
  g_clear_pointer (&self->stream.decoder, rnn_model_unref);
  g_clear_pointer (&self->stream.running_path, g_free);
  gst_caps_replace (&self->stream.refused_caps, NULL);
  self->stream.last_batch = 0;
  self->stream.discont_pending = TRUE;
  g_rec_mutex_unlock (&self->state_lock);

  return TRUE;
}

static GstCaps *
gst_rnn_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  return gst_rnn_caps_transform (GST_RNN (trans), direction, caps, filter);
}

static GstCaps *
gst_rnn_fixate_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * othercaps)
{
  return gst_rnn_caps_fixate (GST_RNN (trans), othercaps);
}

static gboolean
gst_rnn_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstRnn *self = GST_RNN (trans);
  gboolean ret;

  g_rec_mutex_lock (&self->state_lock);
  ret = gst_rnn_configure (self, incaps, outcaps);
  g_rec_mutex_unlock (&self->state_lock);
  return ret;
}

static gboolean
gst_rnn_transform_size (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, gsize size, GstCaps * othercaps, gsize * othersize)
{
  GstRnn *self = GST_RNN (trans);
  gsize unit = direction == GST_PAD_SINK ?
      self->stream.in_frame_bytes : self->stream.out_frame_bytes;
  gsize other = direction == GST_PAD_SINK ?
      self->stream.out_frame_bytes : self->stream.in_frame_bytes;

  guint mul = MAX (1, self->config.info.frames_per_input);

  if (unit == 0 || size % unit != 0)
    return FALSE;
  /* frames_per_input output frames per input frame (1-to-n) */
  if (direction == GST_PAD_SINK) {
    if (!g_size_checked_mul (othersize, size / unit, other)
        || !g_size_checked_mul (othersize, *othersize, mul)
        || *othersize > GST_RNN_MAX_BUFFER_BYTES) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED,
          ("A buffer of %" G_GSIZE_FORMAT " frames would make %" G_GSIZE_FORMAT
              " x %u frames of %" G_GSIZE_FORMAT " bytes: more than the %"
              G_GSIZE_FORMAT " bytes an output buffer may hold. Push smaller "
              "buffers or lower 'steps'.", size / unit, size / unit, mul,
              other, GST_RNN_MAX_BUFFER_BYTES), (NULL));
      return FALSE;
    }
  } else if ((size / unit) % mul != 0) {
    return FALSE;
  } else {
    *othersize = size / unit / mul * other;
  }
  return TRUE;
}

static gboolean
gst_rnn_decide_allocation (GstBaseTransform * trans, GstQuery * query)
{
  /* Output buffers follow the input buffers' sizes: a downstream pool of
   * fixed-size buffers does not fit, allocate with the allocator only. */
  while (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_remove_nth_allocation_pool (query, 0);

  return GST_BASE_TRANSFORM_CLASS (parent_class)->decide_allocation (trans,
      query);
}

static GstFlowReturn
gst_rnn_transform (GstBaseTransform * trans, GstBuffer * inbuf,
    GstBuffer * outbuf)
{
  return gst_rnn_process_block (GST_RNN (trans), inbuf, outbuf);
}

static GstFlowReturn
gst_rnn_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  return gst_rnn_annotate (GST_RNN (trans), buf);
}

static GstFlowReturn
gst_rnn_generate_output_locked (GstRnn * self, GstBuffer ** outbuf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstFlowReturn ret;
  GstRnnReset reset;

  if (self->config.info.output == RNN_OUTPUT_WINDOW_FRAMES)
    return gst_rnn_generate_windows (self, outbuf);

  if (trans->queued_buf != NULL) {
    ret = gst_rnn_begin_buffer (self, trans->queued_buf, &reset);
    if (ret != GST_FLOW_OK) {
      gst_buffer_replace (&trans->queued_buf, NULL);
      *outbuf = NULL;
      return ret;
    }
    if (reset != GST_RNN_KEEP)
      gst_rnn_reset (self, reset, "discontinuity or reset signal");
    gst_rnn_apply_restore (self);
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->generate_output (trans,
      outbuf);
}

/* Everything a buffer does to the state happens under the state lock, so
 * that "snapshot" and "restore" see buffer boundaries; the base class
 * pushes the output after this returns, without the lock. */
static GstFlowReturn
gst_rnn_generate_output (GstBaseTransform * trans, GstBuffer ** outbuf)
{
  GstRnn *self = GST_RNN (trans);
  GstFlowReturn ret;

  g_rec_mutex_lock (&self->state_lock);
  ret = gst_rnn_generate_output_locked (self, outbuf);
  g_rec_mutex_unlock (&self->state_lock);
  return ret;
}

/* Are @caps those the runner was made for?  Then a CAPS event changes
 * nothing. */
static gboolean
gst_rnn_same_caps (GstRnn * self, GstEvent * event)
{
  GstCaps *caps;
  gboolean same;

  gst_event_parse_caps (event, &caps);
  g_rec_mutex_lock (&self->state_lock);
  same = self->stream.in_caps && gst_caps_is_equal (caps,
      self->stream.in_caps);
  g_rec_mutex_unlock (&self->state_lock);
  return same;
}

/* A GAP event: no data for a while.  Frames held back are pushed first,
 * so that downstream sees them before the gap; the state restarts after
 * it as after a GAP buffer (no data is missing: no DISCONT). */
static void
gst_rnn_gap (GstRnn * self, GstEvent * event,
    const GstRnnBufferSettings * now)
{
  GstClockTime ts, dur;

  if (gst_rnn_holds_frames (self))
    gst_rnn_drain (self, now);
  gst_event_parse_gap (event, &ts, &dur);
  g_rec_mutex_lock (&self->state_lock);
  if (now->reset_on_discont)
    gst_rnn_reset (self, GST_RNN_RESET_QUIET, "GAP event");
  gst_rnn_continuity_gap_event (&self->stream.time.cont, ts, dur);
  g_rec_mutex_unlock (&self->state_lock);
}

static gboolean
gst_rnn_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstRnn *self = GST_RNN (trans);
  GstRnnBufferSettings now;

  /* events between buffers run with the settings in force now */
  if (GST_EVENT_IS_SERIALIZED (event))
    gst_rnn_settings_snapshot (self, &now);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      g_rec_mutex_lock (&self->state_lock);
      gst_rnn_reset (self, GST_RNN_RESET_FLUSH, "flush");
      g_rec_mutex_unlock (&self->state_lock);
      break;
    case GST_EVENT_SEGMENT:
      if (gst_rnn_holds_frames (self))
        gst_rnn_drain (self, &now);
      g_rec_mutex_lock (&self->state_lock);
      gst_rnn_reset (self, GST_RNN_RESET_SEGMENT, "new segment");
      g_rec_mutex_unlock (&self->state_lock);
      break;
    case GST_EVENT_CAPS:
      /* the same caps again change nothing: the window goes on */
      if (gst_rnn_holds_frames (self) && !gst_rnn_same_caps (self, event))
        gst_rnn_drain (self, &now);
      break;
    case GST_EVENT_GAP:
      gst_rnn_gap (self, event, &now);
      break;
    case GST_EVENT_TAG:
      /* the codec and bitrate of the audio do not describe our output */
      event = gst_rnn_tag_event (self, event);
      if (event == NULL)
        return TRUE;
      break;
    case GST_EVENT_SEGMENT_DONE:
    case GST_EVENT_EOS:
      /* the end of the (segment's) data: run what is pending */
      gst_rnn_drain (self, &now);
      break;
    default:
      break;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* An answer to upstream that refuses what it offers (an empty caps
 * result for a filter, accept-caps FALSE): say why (gstrnnrefuse.c). */
static void
gst_rnn_check_offer (GstRnn * self, GstQuery * query)
{
  GstCaps *caps, *res;
  gboolean ok;

  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
    gst_query_parse_caps (query, &caps);
    gst_query_parse_caps_result (query, &res);
    if (caps && !gst_caps_is_empty (caps) && res && gst_caps_is_empty (res))
      gst_rnn_caps_refused (self, caps);
  } else if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
    gst_query_parse_accept_caps (query, &caps);
    gst_query_parse_accept_caps_result (query, &ok);
    if (!ok)
      gst_rnn_caps_refused (self, caps);
  }
}

static gboolean
gst_rnn_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstRnn *self = GST_RNN (trans);
  gboolean ret, handled = FALSE;

  if (GST_QUERY_TYPE (query) == GST_QUERY_CONVERT) {
    /* in this pad's own units (the rates differ but in n-to-1) */
    ret = gst_rnn_convert_query (self, direction, query, &handled);
    if (handled)
      return ret;
  }
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS
      && gst_rnn_caps_query (self, direction, query))
    ret = TRUE;
  else
    ret = GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
        query);
  if (ret && direction == GST_PAD_SINK)
    gst_rnn_check_offer (self, query);

  if (ret && direction == GST_PAD_SRC
      && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    GstClockTime min, max, ours = gst_rnn_latency (self);
    gboolean live;

    gst_query_parse_latency (query, &live, &min, &max);
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    gst_query_set_latency (query, live, min, max);
    GST_DEBUG_OBJECT (self, "latency: ours %" GST_TIME_FORMAT ", total min %"
        GST_TIME_FORMAT " max %" GST_TIME_FORMAT, GST_TIME_ARGS (ours),
        GST_TIME_ARGS (min), GST_TIME_ARGS (max));
  }
  return ret;
}

static GstFlowReturn
gst_rnn_submit_input_buffer (GstBaseTransform * trans, gboolean is_discont,
    GstBuffer * input)
{
  GstRnn *self = GST_RNN (trans);
  gboolean swapped = gst_rnn_swap_pending (self);
  GstFlowReturn ret;

  ret = GST_BASE_TRANSFORM_CLASS (parent_class)->submit_input_buffer (trans,
      is_discont, input);

  if (swapped && (ret == GST_FLOW_OK
          || ret == GST_BASE_TRANSFORM_FLOW_DROPPED))
    gst_rnn_swap_configure (self);
  return ret;
}


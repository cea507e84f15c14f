/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-melspec
 * @title: melspec
 *
 * Turns audio into the features a speech or audio model is trained on:
 * mel filter bank energies (torchaudio's `MelSpectrogram(center=False)`,
 * optionally in ln or dB), MFCCs (`MFCC`, n-mfcc > 0), or Kaldi filter
 * banks (`compliance.kaldi.fbank(dither=0)`, preset=kaldi-fbank, whose
 * unset properties take fbank's defaults), equal to torchaudio 0.13's to
 * 1e-4.  Input it cannot take (another format or layout, a rate other
 * than the model's) is an error naming the converter to add.
 *
 * Input: F32LE or S16LE (scaled by 1/32768 as torchaudio.load does)
 * interleaved audio, any rate, each of the B channels an independent
 * stream.  Output: F32LE "audio" at rate / hop-length frames per second
 * with B x n_features channels, stream-major (channel b * n_features + m):
 * the (B, F) frames the rnn element takes.  The input rate must be a
 * multiple of hop-length.
 *
 * Frame i covers samples [i * hop-length, i * hop-length + n-fft) (with
 * preset=kaldi-fbank: + win-length) counted from the first buffer after a
 * reset, and is output as soon as its last sample arrives; a partial frame
 * is kept across buffers, the tail at EOS is dropped (center=False).  Its
 * timestamp is the time of its first sample: with timestamp-policy=perfect
 * (the default) the first buffer's PTS plus i * hop-length samples; with
 * strict, the PTS of the buffer holding that sample plus its place in it.
 * The latency added is one frame (n-fft samples).  DISCONT buffers,
 * timestamp jumps beyond timestamp-tolerance (40 ms), GAP buffers and
 * events, FLUSH and caps changes drop the partial frame and restart the
 * count (the next output is marked DISCONT), under the rules rnn applies
 * (gstrnncontinuity.h).
 *
 * model=FILE takes the properties from the model's rnn.frontend.*
 * metadata, so training and deployment use the same features; a key that
 * names no front-end property is ignored with a WARNING.  Sizes are
 * limited before anything is allocated, the same for properties, model
 * file and caps (gstmelspecdsp.h: GST_MELSPEC_MAX_*), and n-fft must be
 * a size GstFFT computes fast (factors 2, 3 and 5).  The front-end
 * properties and model can only be changed in NULL or READY.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=speech.wav ! wavparse ! audioconvert !
 *     audioresample ! audio/x-raw,rate=16000 ! melspec log=ln !
 *     rnn model=kws.safetensors mode=n-to-1 window=100 ! fakesink
 * gst-launch-1.0 audiotestsrc ! audio/x-raw,rate=16000 !
 *     melspec model=kws.safetensors ! fakesink
 * ]|
 */

#include <string.h>

#include "gstmelspec-private.h"

GST_DEBUG_CATEGORY (gst_melspec_debug);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) { F32LE, S16LE }, "
        "layout = (string) interleaved, rate = (int) [ 1, MAX ], "
        "channels = (int) [ 1, MAX ]"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) F32LE, "
        "layout = (string) interleaved, rate = (int) [ 1, MAX ], "
        "channels = (int) [ 1, MAX ]"));

G_DEFINE_TYPE (GstMelspec, gst_melspec, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (melspec, "melspec", GST_RANK_NONE,
    GST_TYPE_MELSPEC);

/* ------------------------------------------------------------- state */

/* Drop the partial frame and restart the frame count: called on FLUSH,
 * caps, DISCONT, GAP and stop.  Streaming thread (or with it stopped). */
static void
gst_melspec_reset (GstMelspec * self)
{
  self->have = 0;
  self->skip = 0;
  self->frames = 0;
  self->discont = TRUE;
}

static void
gst_melspec_clear (GstMelspec * self)
{
  g_clear_pointer (&self->dsp, gst_melspec_dsp_free);
  g_clear_pointer (&self->hist, g_free);
  GST_OBJECT_LOCK (self);
  self->rate = 0;
  self->frame_len = 0;
  gst_audio_info_init (&self->in_info);
  gst_audio_info_init (&self->out_info);
  GST_OBJECT_UNLOCK (self);
}

/* Time of the sample @samples samples after the last reset's first one,
 * under the timestamp policy. */
static GstClockTime
sample_time (GstMelspec * self, guint64 samples)
{
  return gst_rnn_continuity_time (&self->time, samples);
}

/* ------------------------------------------------------------- caps */


static gboolean
gst_melspec_set_caps (GstMelspec * self, GstCaps * caps)
{
  GstAudioInfo info;
  GstMelspecParams at_rate;
  GstMelspecDsp *dsp;
  GError *err = NULL;
  GstCaps *out;
  guint F;
  gboolean ok;

  gst_melspec_clear (self);
  if (!gst_audio_info_from_caps (&info, caps)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("invalid caps %" GST_PTR_FORMAT, caps));
    return FALSE;
  }
  /* the channels against the limits before anything is allocated */
  gst_melspec_params_at_rate (&self->params, GST_AUDIO_INFO_RATE (&info),
      &at_rate);
  if (gst_melspec_check_limits (&at_rate, GST_AUDIO_INFO_CHANNELS (&info),
          &err))
    dsp = gst_melspec_dsp_new (&self->params, GST_AUDIO_INFO_RATE (&info),
        &err);
  else
    dsp = NULL;
  if (!dsp) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", err->message),
        ("caps %" GST_PTR_FORMAT, caps));
    g_error_free (err);
    return FALSE;
  }
  self->dsp = dsp;
  if (dsp->zero_bands > 0)
    /* torchaudio 0.13's functional.melscale_fbanks warning, word for
     * word */
    GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("At least one mel "
            "filterbank has all zero values. The value for `n_mels` (%u) "
            "may be set too high. Or, the value for `n_freqs` (%u) may be "
            "set too low.", dsp->n_mels, dsp->n_bins), ("%u of the %u bands "
            "are all zero at %d Hz (FFT size %u): their features are "
            "constant", dsp->zero_bands, dsp->n_mels,
            GST_AUDIO_INFO_RATE (&info), dsp->fft_len));
  self->channels = GST_AUDIO_INFO_CHANNELS (&info);
  self->s16 = GST_AUDIO_INFO_FORMAT (&info) == GST_AUDIO_FORMAT_S16LE;
  self->hist = g_new0 (float, (gsize) self->channels * dsp->frame_len);
  GST_OBJECT_LOCK (self);
  self->rate = GST_AUDIO_INFO_RATE (&info);
  self->frame_len = dsp->frame_len;
  GST_OBJECT_UNLOCK (self);
  gst_melspec_reset (self);
  gst_rnn_continuity_reanchor (&self->time);

  F = dsp->n_out;
  if ((guint64) F * self->channels > G_MAXINT) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%u streams of %u features "
            "are too many channels", self->channels, F), (NULL));
    return FALSE;
  }
  out = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
      "layout", G_TYPE_STRING, "interleaved",
      "rate", G_TYPE_INT, self->rate / dsp->hop,
      "channels", G_TYPE_INT, (gint) (F * self->channels),
      "channel-mask", GST_TYPE_BITMASK, (guint64) 0, NULL);
  GST_OBJECT_LOCK (self);
  self->in_info = info;
  gst_audio_info_from_caps (&self->out_info, out);
  GST_OBJECT_UNLOCK (self);
  gst_melspec_post_latency_if_changed (self);
  GST_INFO_OBJECT (self, "%d Hz x %u streams -> %u features at %d frames/s "
      "(frame %u samples, FFT %u, hop %u)", self->rate, self->channels, F,
      self->rate / dsp->hop, dsp->frame_len, dsp->fft_len, dsp->hop);
  ok = gst_pad_set_caps (self->srcpad, out);
  gst_caps_unref (out);
  return ok;
}

/* ------------------------------------------------------------ events */

static gboolean
gst_melspec_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstMelspec *self = GST_MELSPEC (parent);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps, *cur = gst_pad_get_current_caps (pad);
      gboolean ok;

      gst_event_parse_caps (event, &caps);
      /* the same caps again: keep the partial frame */
      ok = cur && self->dsp && gst_caps_is_equal (cur, caps);
      gst_clear_caps (&cur);
      if (!ok)
        ok = gst_melspec_set_caps (self, caps);
      gst_event_unref (event);
      return ok;
    }
    case GST_EVENT_TAG:
      event = gst_rnn_tags_strip_audio (event);
      if (!event)
        return TRUE;
      break;
    case GST_EVENT_FLUSH_STOP:
      gst_melspec_reset (self);
      gst_rnn_continuity_restart (&self->time);
      break;
    case GST_EVENT_GAP:{
      GstClockTime ts, dur;

      gst_event_parse_gap (event, &ts, &dur);
      gst_melspec_reset (self);
      gst_rnn_continuity_gap_event (&self->time, ts, dur);
      break;
    }
    default:
      break;
  }
  return gst_pad_event_default (pad, parent, event);
}

static gboolean
gst_melspec_src_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstMelspec *self = GST_MELSPEC (parent);
  GstClockTime min, max, ours = 0;
  gboolean live;

  if (GST_QUERY_TYPE (query) == GST_QUERY_CONVERT)
    return gst_melspec_convert_query (self, &self->out_info, query);
  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return gst_pad_query_default (pad, parent, query);
  if (!gst_pad_peer_query (self->sinkpad, query))
    return FALSE;
  GST_OBJECT_LOCK (self);
  if (self->rate > 0)
    ours = gst_util_uint64_scale (self->frame_len, GST_SECOND, self->rate);
  GST_OBJECT_UNLOCK (self);
  gst_query_parse_latency (query, &live, &min, &max);
  min += ours;
  if (GST_CLOCK_TIME_IS_VALID (max))
    max += ours;
  gst_query_set_latency (query, live, min, max);
  GST_DEBUG_OBJECT (self, "latency: ours %" GST_TIME_FORMAT ", total min %"
      GST_TIME_FORMAT " max %" GST_TIME_FORMAT, GST_TIME_ARGS (ours),
      GST_TIME_ARGS (min), GST_TIME_ARGS (max));
  return TRUE;
}

/* ------------------------------------------------------------ buffers */

/* Is @buf (@n samples per stream) a discontinuity under the rules
 * melspec shares with rnn (gstrnncontinuity.h): DISCONT flag, GAP, first
 * buffer after a GAP, or a start more than timestamp-tolerance away from
 * where it was expected?  Counts it.  The first timestamp jump not
 * flagged DISCONT is posted as a WARNING naming the properties to set. */
static gboolean
is_discont (GstMelspec * self, GstBuffer * buf, guint n)
{
  GstRnnTimestampPolicy policy;
  GstRnnDiscont d;
  gint64 tolerance;

  GST_OBJECT_LOCK (self);
  policy = self->ts_policy;
  tolerance = self->ts_tolerance;
  GST_OBJECT_UNLOCK (self);
  d = gst_rnn_continuity_check (&self->time, buf, n, self->rate, 1, policy,
      tolerance);
  if (d & GST_RNN_DISCONT_JUMP) {
    GST_INFO_OBJECT (self, "buffer at %" GST_TIME_FORMAT " where %"
        GST_TIME_FORMAT " was expected (%" GST_STIME_FORMAT " beyond %"
        G_GINT64_FORMAT " ns, %s): handled as DISCONT",
        GST_TIME_ARGS (self->time.jump.pts),
        GST_TIME_ARGS (self->time.jump.expected),
        GST_STIME_ARGS (self->time.jump.diff), self->time.jump.tolerance,
        gst_rnn_timestamp_policy_nick (policy));
    if (!(d & GST_RNN_DISCONT_FLAG))
      gst_rnn_continuity_warn (&self->time, GST_ELEMENT (self),
          "the partial frame was dropped");
  }
  return d != GST_RNN_CONTINUOUS;
}

/* Frames the next @n samples per stream complete. */
static guint
frames_in (GstMelspec * self, guint n)
{
  guint L = self->frame_len, hop = self->dsp->hop;
  guint64 avail;

  if (n <= self->skip)
    return 0;
  avail = (guint64) self->have + n - self->skip;
  return avail < L ? 0 : 1 + (guint) ((avail - L) / hop);
}

/* Feed @n interleaved samples per stream of @in, writing the frames they
 * complete to @out ((frames, B, F) floats). */
static void
feed (GstMelspec * self, const guint8 * in, guint n, float *out)
{
  const guint B = self->channels, L = self->frame_len, F = self->dsp->n_out;
  const guint hop = self->dsp->hop;
  guint i = 0;

  while (i < n) {
    guint k;

    if (self->skip > 0) {
      k = MIN (self->skip, n - i);
      self->skip -= k;
      i += k;
      continue;
    }
    k = MIN (L - self->have, n - i);
    for (guint b = 0; b < B; b++) {
      float *h = self->hist + (gsize) b * L + self->have;

      if (self->s16) {
        const gint16 *s = (const gint16 *) in + (gsize) i * B + b;

        for (guint j = 0; j < k; j++)
          h[j] = GINT16_FROM_LE (s[(gsize) j * B]) / 32768.0f;
      } else {
        const float *s = (const float *) in + (gsize) i * B + b;

        for (guint j = 0; j < k; j++)
          h[j] = s[(gsize) j * B];
      }
    }
    self->have += k;
    i += k;
    if (self->have < L)
      continue;
    for (guint b = 0; b < B; b++)
      gst_melspec_dsp_frame (self->dsp, self->hist + (gsize) b * L,
          out + (gsize) b * F);
    out += (gsize) B *F;
    if (hop < L) {
      for (guint b = 0; b < B; b++)
        memmove (self->hist + (gsize) b * L, self->hist + (gsize) b * L + hop,
            (L - hop) * sizeof (float));
      self->have = L - hop;
    } else {
      self->have = 0;
      self->skip = hop - L;
    }
  }
}

/* A GAP buffer @inbuf (taken) of @n samples per stream: a GAP event
 * over its time.  Without a PTS it starts at @expected, where the count
 * put the next buffer (NONE: there is no time to say and nothing is
 * pushed); without a duration it lasts its samples.  A refused event
 * returns the flow of the pad (FLUSHING, NOT_LINKED) as a push of data
 * would; downstream not handling GAP is no error. */
static GstFlowReturn
push_gap (GstMelspec * self, GstBuffer * inbuf, guint n,
    GstClockTime expected)
{
  GstClockTime ts = GST_BUFFER_PTS (inbuf);
  GstClockTime dur = GST_BUFFER_DURATION (inbuf);

  gst_buffer_unref (inbuf);
  if (!GST_CLOCK_TIME_IS_VALID (ts))
    ts = expected;
  if (!GST_CLOCK_TIME_IS_VALID (dur) && self->rate > 0)
    dur = gst_util_uint64_scale (n, GST_SECOND, self->rate);
  if (!GST_CLOCK_TIME_IS_VALID (ts)) {
    GST_DEBUG_OBJECT (self, "GAP buffer without a timestamp: no GAP event");
    return GST_FLOW_OK;
  }
  if (gst_pad_push_event (self->srcpad, gst_event_new_gap (ts, dur)))
    return GST_FLOW_OK;
  if (GST_PAD_IS_FLUSHING (self->srcpad))
    return GST_FLOW_FLUSHING;
  if (!gst_pad_is_linked (self->srcpad))
    return GST_FLOW_NOT_LINKED;
  GST_DEBUG_OBJECT (self, "downstream refused the GAP event");
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_melspec_chain (GstPad * pad, GstObject * parent, GstBuffer * inbuf)
{
  GstMelspec *self = GST_MELSPEC (parent);
  GstMapInfo im, om;
  GstBuffer *out;
  GstClockTime gap_ts = GST_CLOCK_TIME_NONE;
  guint n, frames;
  gsize bpf;

  if (!self->dsp) {
    gst_buffer_unref (inbuf);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  bpf = (gsize) self->channels * (self->s16 ? 2 : 4);
  /* where the count puts a GAP buffer without a PTS: the end of the
   * previous buffer (before the check re-anchors at this one) */
  if (GST_BUFFER_FLAG_IS_SET (inbuf, GST_BUFFER_FLAG_GAP)
      && !GST_BUFFER_PTS_IS_VALID (inbuf))
    gap_ts = gst_rnn_continuity_time (&self->time, self->time.count);
  if (is_discont (self, inbuf, gst_buffer_get_size (inbuf) / bpf)) {
    /* frames count from this buffer on */
    gst_melspec_reset (self);
    gst_rnn_continuity_rebase (&self->time);
  }
  if (GST_BUFFER_FLAG_IS_SET (inbuf, GST_BUFFER_FLAG_GAP))
    return push_gap (self, inbuf, gst_buffer_get_size (inbuf) / bpf, gap_ts);
  if (!gst_buffer_map (inbuf, &im, GST_MAP_READ)) {
    gst_buffer_unref (inbuf);
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL), ("cannot map input"));
    return GST_FLOW_ERROR;
  }
  n = im.size / bpf;
  frames = frames_in (self, n);
  GST_LOG_OBJECT (self, "%u samples -> %u frames", n, frames);
  if (frames == 0) {
    feed (self, im.data, n, NULL);
    gst_buffer_unmap (inbuf, &im);
    gst_buffer_unref (inbuf);
    return GST_FLOW_OK;
  }

  out = gst_buffer_new_allocate (NULL, (gsize) frames * self->channels *
      self->dsp->n_out * sizeof (float), NULL);
  gst_buffer_map (out, &om, GST_MAP_WRITE);
  feed (self, im.data, n, (float *) om.data);
  gst_buffer_unmap (out, &om);
  gst_buffer_unmap (inbuf, &im);
  gst_buffer_unref (inbuf);

  GST_BUFFER_PTS (out) = sample_time (self, self->frames * self->dsp->hop);
  if (GST_BUFFER_PTS_IS_VALID (out))
    GST_BUFFER_DURATION (out) = sample_time (self,
        (self->frames + frames) * self->dsp->hop) - GST_BUFFER_PTS (out);
  GST_BUFFER_OFFSET (out) = self->frames;
  GST_BUFFER_OFFSET_END (out) = self->frames + frames;
  if (self->discont) {
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
    self->discont = FALSE;
  }
  self->frames += frames;
  return gst_pad_push (self->srcpad, out);
}

/* --------------------------------------------------------- lifecycle */

static GstStateChangeReturn
gst_melspec_change_state (GstElement * element, GstStateChange transition)
{
  GstMelspec *self = GST_MELSPEC (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    if (!gst_melspec_load_params (self))
      return GST_STATE_CHANGE_FAILURE;
    gst_rnn_continuity_init (&self->time);
    g_atomic_int_set (&self->refusal_posted, 0);
    self->latency = 0;
    gst_melspec_reset (self);
  }
  ret = GST_ELEMENT_CLASS (gst_melspec_parent_class)->change_state (element,
      transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    gst_melspec_clear (self);
  return ret;
}

static void
gst_melspec_finalize (GObject * object)
{
  GstMelspec *self = GST_MELSPEC (object);

  gst_melspec_clear (self);
  g_free (self->model);
  G_OBJECT_CLASS (gst_melspec_parent_class)->finalize (object);
}

static void
gst_melspec_class_init (GstMelspecClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_melspec_debug, "melspec", 0,
      "audio to mel / MFCC features");
  gobject_class->set_property = gst_melspec_set_property;
  gobject_class->get_property = gst_melspec_get_property;
  gobject_class->finalize = gst_melspec_finalize;
  gst_melspec_install_properties (gobject_class);

  element_class->change_state = gst_melspec_change_state;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Mel spectrogram / MFCC features", "Filter/Converter/Audio",
      "Audio to log-mel, MFCC or Kaldi filter bank feature frames, as "
      "torchaudio computes them",
      "gst-rnn developers <https://github.com/gst-rnn/gst-rnn>");
}

static void
gst_melspec_init (GstMelspec * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_melspec_chain));
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_melspec_sink_event));
  gst_pad_set_query_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_melspec_sink_query));
  /* accept any caps of the template, so that a wrong rate reaches
   * set_caps and its error naming both rates */
  GST_PAD_SET_ACCEPT_TEMPLATE (self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_query_function (self->srcpad,
      GST_DEBUG_FUNCPTR (gst_melspec_src_query));
  gst_pad_use_fixed_caps (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  gst_melspec_params_init (&self->settings);
  self->params = self->settings;
  gst_audio_info_init (&self->in_info);
  gst_audio_info_init (&self->out_info);
  self->ts_tolerance = GST_MELSPEC_TIMESTAMP_TOLERANCE;
  self->ts_policy = GST_MELSPEC_TIMESTAMP_POLICY;
  gst_rnn_continuity_init (&self->time);
}

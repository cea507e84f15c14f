/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: what its files share (gstmelspec.c the
 * element and its stream, gstmelspecsettings.c the properties and the
 * model file, gstmelspecdsp.c the maths).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_MELSPEC_PRIVATE_H__
#define __GST_MELSPEC_PRIVATE_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>

#include "gstmelspec.h"
#include "gstmelspecdsp.h"
#include "gstrnncontinuity.h"
#include "gstrnntags.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_melspec_debug);
#define GST_CAT_DEFAULT gst_melspec_debug

/* as the rnn element's timestamp-tolerance default (audiobasesink's
 * alignment-threshold) */
#define GST_MELSPEC_TIMESTAMP_TOLERANCE (40 * GST_MSECOND)
/* frames straddle input buffers: stamped from the sample count, as
 * GstAudioEncoder does */
#define GST_MELSPEC_TIMESTAMP_POLICY GST_RNN_TIMESTAMP_POLICY_PERFECT

/* Property ids: every one before PROP_MODEL is a front-end parameter that
 * a model file may carry as rnn.frontend.<name>. */
enum
{
  PROP_0,
  PROP_SAMPLE_RATE,
  PROP_N_FFT,
  PROP_WIN_LENGTH,
  PROP_HOP_LENGTH,
  PROP_N_MELS,
  PROP_F_MIN,
  PROP_F_MAX,
  PROP_WINDOW,
  PROP_POWER,
  PROP_MEL_SCALE,
  PROP_NORM,
  PROP_LOG,
  PROP_LOG_OFFSET,
  PROP_N_MFCC,
  PROP_PRESET,
  PROP_MODEL,
  PROP_TIMESTAMP_TOLERANCE,
  PROP_TIMESTAMP_POLICY,
  N_PROPS
};

struct _GstMelspec
{
  GstElement parent;
  GstPad *sinkpad, *srcpad;

  /* settings: under the object lock */
  GstMelspecParams settings;
  guint explicit_props;         /* bit (1 << PROP_*) set by the user */
  gchar *model;
  gint64 ts_tolerance;          /* timestamp-tolerance, ns */
  GstRnnTimestampPolicy ts_policy;

  /* configuration in force: written at READY -> PAUSED (params) and on
   * CAPS (the rest) in the streaming thread; rate and frame_len are read
   * by the latency query under the object lock */
  GstMelspecParams params;      /* settings with the model file's values */
  GstMelspecDsp *dsp;
  gint rate;                    /* input Hz */
  guint channels;               /* B streams */
  gboolean s16;                 /* S16LE in, else F32LE */
  guint frame_len;              /* samples one frame reads */
  GstAudioInfo in_info, out_info;       /* the caps, for CONVERT queries
                                         * (object lock; unknown before
                                         * caps) */
  GstClockTime latency;         /* ours as last in force: a caps change
                                 * that alters it posts LATENCY */

  /* per-stream runtime (streaming thread) */
  float *hist;                  /* (B, frame_len): the partial frame */
  guint have;                   /* samples held per stream */
  guint skip;                   /* samples to drop (hop > frame_len) */
  GstRnnContinuity time;        /* samples since reset, in time
                                 * (gstrnncontinuity.h) */
  guint64 frames;               /* frames output since reset */
  gboolean discont;             /* mark the next output DISCONT */
  gint refusal_posted;          /* atomic: refused input caps were posted
                                 * (once per start; gstmelspeccaps.c) */
};

/* gstmelspeccaps.c: the sink pad's query function; posts the error
 * naming the converter when upstream offers caps the sink refuses */
gboolean gst_melspec_sink_query (GstPad * pad, GstObject * parent,
    GstQuery * query);

/* gstmelspecquery.c: post a LATENCY message if ours (one frame at the
 * rate, read under the object lock) differs from self->latency, and
 * remember it.  Streaming thread, after caps. */
void gst_melspec_post_latency_if_changed (GstMelspec * self);
/* gstmelspecquery.c: answer the CONVERT @query in the units of @info (the
 * input's for the sink pad, the features' for the source pad; read under
 * the object lock).  FALSE before caps, unless the formats are the same.
 * Any thread. */
gboolean gst_melspec_convert_query (GstMelspec * self,
    const GstAudioInfo * info, GstQuery * query);

/* gstmelspecsettings.c */
void gst_melspec_install_properties (GObjectClass * klass);
void gst_melspec_params_init (GstMelspecParams * p);
void gst_melspec_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
void gst_melspec_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
/* self->params from the settings and the model file, if any: FALSE with
 * an element error posted on failure.  Any thread but the streaming one
 * while it runs (READY -> PAUSED). */
gboolean gst_melspec_load_params (GstMelspec * self);

#define GST_TYPE_MELSPEC_WINDOW (gst_melspec_window_get_type ())
#define GST_TYPE_MELSPEC_MEL_SCALE (gst_melspec_mel_scale_get_type ())
#define GST_TYPE_MELSPEC_NORM (gst_melspec_norm_get_type ())
#define GST_TYPE_MELSPEC_LOG (gst_melspec_log_get_type ())
#define GST_TYPE_MELSPEC_PRESET (gst_melspec_preset_get_type ())
GType gst_melspec_window_get_type (void);
GType gst_melspec_mel_scale_get_type (void);
GType gst_melspec_norm_get_type (void);
GType gst_melspec_log_get_type (void);
GType gst_melspec_preset_get_type (void);

G_END_DECLS

#endif /* __GST_MELSPEC_PRIVATE_H__ */

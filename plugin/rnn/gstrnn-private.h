/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
#include "gstrnncontinuity.h"
#include "rnn.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_rnn_debug);
#define GST_CAT_DEFAULT gst_rnn_debug

/* At most this many tensor dimensions in other/tensors caps (NNStreamer 2.x
 * allows 16; 1.x uses 4). */
#define GST_RNN_MAX_DIMS 16

/* The most floats one frame of all streams may hold (B x F, B x O): 64 M
 * (256 MB a frame); caps asking for more are refused. */
#define GST_RNN_MAX_FLOATS (64u << 20)
/* The largest output buffer (1-to-n: frames x steps x B x O floats). */
#define GST_RNN_MAX_BUFFER_BYTES ((gsize) 1 << 30)
/* Result messages that may wait unread on the bus: an application that
 * never reads its bus must not grow without bound (beyond this, results
 * are carried by the metas only, and one WARNING says so). */
#define GST_RNN_MAX_UNREAD 4096

/* Property maxima: frames per window or hop, and generated steps. */
#define GST_RNN_MAX_WINDOW (1u << 20)
#define GST_RNN_MAX_STEPS (1u << 16)

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
 * out_size outputs (0: no model loaded), out_T output frames per tensor
 * (0: as many as the input) and t_mul output frames per input frame, in
 * the layout batch_first.  passthrough: the input leaves unchanged (the
 * results ride on it); fixed_rate: the output frames form a stream at a
 * rate (else one tensor per window, at no fixed rate). */
typedef struct
{
  gboolean passthrough;
  gboolean fixed_rate;
  guint in_size;
  guint out_size;
  guint out_T;
  guint t_mul;
  gboolean batch_first;
} GstRnnCapsMap;

/* The properties, their ids and defaults (gstrnnsettings.c). */
#define DEFAULT_MODEL NULL
#define DEFAULT_BATCH_FIRST FALSE
#define DEFAULT_MODE GST_RNN_MODE_N_TO_N
#define DEFAULT_RESET_ON_DISCONT TRUE
#define DEFAULT_WINDOW 0
#define DEFAULT_HOP 0
#define DEFAULT_STEPS 1
#define DEFAULT_FEED GST_RNN_FEED_AUTO
#define DEFAULT_CARRY_STATE FALSE
#define DEFAULT_THREADS 1
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_PARTIAL_WINDOW GST_RNN_PARTIAL_WINDOW_AUTO
#define DEFAULT_NON_FINITE GST_RNN_NON_FINITE_RESET_STREAM
#define DEFAULT_PRECISION GST_RNN_PRECISION_AUTO
/* as audiobasesink's alignment-threshold and audiorate's tolerance */
#define DEFAULT_TIMESTAMP_TOLERANCE (40 * GST_MSECOND)
#define DEFAULT_TIMESTAMP_POLICY GST_RNN_TIMESTAMP_POLICY_STRICT

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_BATCH_FIRST,
  PROP_MODE,
  PROP_RESET_ON_DISCONT,
  PROP_WINDOW,
  PROP_HOP,
  PROP_STEPS,
  PROP_FEED,
  PROP_CARRY_STATE,
  PROP_POST_MESSAGES,
  PROP_PARTIAL_WINDOW,
  PROP_NON_FINITE,
  PROP_TIMESTAMP_TOLERANCE,
  PROP_TIMESTAMP_POLICY,
  PROP_THREADS,
  PROP_PRECISION
};

/* The property values.  Protected by the object lock.  Those whose pspec
 * is flagged GST_PARAM_MUTABLE_READY (batch_first, mode, window, hop,
 * steps, feed, carry_state, threads, precision) only change in NULL or
 * READY; the others at any time (model_path: a hot swap, see
 * GstRnnRequests), read once per buffer (GstRnnBufferSettings). */
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
  GstRnnTimestampPolicy timestamp_policy;
  GstRnnPrecision precision;    /* weights of the models loaded next */
  guint user_set;               /* RnnSettingFlags of the properties the
                                 * application set (mode, window, hop,
                                 * steps, feed, carry-state): the model
                                 * file's run settings do not replace them */
} GstRnnSettings;

/* The settings one input buffer runs with (the properties that may change
 * while playing): copied from GstRnnSettings under the object lock once,
 * at the buffer's start (gst_rnn_settings_snapshot()), then read without
 * it, so that a property set meanwhile takes effect at the next buffer. */
typedef struct
{
  gboolean reset_on_discont;
  gboolean post_messages;
  GstRnnPartialWindow partial_window;
  GstRnnNonFinite non_finite;
  gint64 timestamp_tolerance;
  GstRnnTimestampPolicy timestamp_policy;
} GstRnnBufferSettings;

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

/* The configuration in force: the structure and its parameters as start()
 * resolved them from the properties (run: batch, threads and non-finite
 * policy are set per stream), and what the running model makes of them
 * (info).  Written in start() and stop() and at a hot swap, under the
 * object lock: transform_caps, fixate_caps, the LATENCY query and the
 * 'model' property read it under that lock from any thread; the streaming
 * thread, the only writer while data flows, reads it without.
 * info.input_size == 0: no model is loaded. */
typedef struct
{
  RnnRunConfig run;
  RnnRunInfo info;
} GstRnnConfig;

/* Where the frames of a buffer came from, for the window structures: the
 * index of the buffer's first frame and its timestamps, for the last few
 * buffers (a window spans at most `window` of them). */
typedef struct
{
  guint64 first;
  GstClockTime pts;
  guint64 offset;
} GstRnnStamp;

typedef struct
{
  GstRnnStamp *ring;            /* (size) */
  guint size, head, count;
} GstRnnTimeline;

/* What a reset of the state does, and why (gst_rnn_reset()). */
typedef enum
{
  GST_RNN_KEEP,                 /* carry on (no reset) */
  GST_RNN_RESET,                /* a discontinuity in the input, the reset
                                 * signal, a new model: the next output is
                                 * DISCONT */
  GST_RNN_RESET_QUIET,          /* a GAP buffer or event: time goes on, no
                                 * DISCONT */
  GST_RNN_RESET_FLUSH,          /* FLUSH_STOP: the input being cut goes
                                 * too; time restarts */
  GST_RNN_RESET_SEGMENT,        /* a new segment: time restarts */
  GST_RNN_RESET_CAPS,           /* new caps: the frame count restarts at
                                 * the new rate */
  GST_RNN_RESET_START           /* start(): everything is forgotten */
} GstRnnReset;

/* Time (gstrnntime.c): where the input is in time, and where the frames
 * of the last few buffers came from.  Streaming thread, state lock. */
typedef struct
{
  GstRnnContinuity cont;        /* where the input is in time, and how
                                 * outputs are stamped (gstrnncontinuity.h) */
  gboolean mark_discont;        /* passthrough: flag this buffer DISCONT */
  GstRnnTimeline timeline;      /* window structures */
} GstRnnTime;

/* Non-finite reporting (gstrnnnonfinite.c): what this buffer's warnings
 * need, and which streams were warned about in this buffer and the one
 * before (one WARNING per run of consecutive buffers).  Streaming thread,
 * state lock. */
typedef struct
{
  GstRnnNonFinite policy;       /* policy for this buffer */
  GstClockTime buf_pts;         /* this buffer's PTS, for messages */
  gboolean *now;                /* (B) stream warned about in this buffer */
  gboolean *before;             /* (B) ... in the previous buffer */
  guint batch;                  /* B of now and before (0: none) */
  gboolean error_posted;        /* a non-finite state error is posted */
} GstRnnNonFiniteReport;

/* Result messages (gstrnnresults.c) posted and maybe not read yet: a ring
 * of our refs (a message whose only ref is ours has been read).
 * Streaming thread, state lock. */
typedef struct
{
  GstMessage **ring;            /* (GST_RNN_MAX_UNREAD), made at the first
                                 * post */
  guint head, count;
  guint64 unposted;             /* results not posted: the bus is full */
} GstRnnPosted;

/* The per-stream runtime: the running model, the runner made for the caps,
 * and what is known of the stream so far.  Streaming thread only
 * (start/stop, set_caps, buffers, serialized events), under the state
 * lock, which the "snapshot" and "restore" actions also take to read the
 * model and the state. */
typedef struct
{
  RnnModel *model;              /* the network; the encoder in n-to-m */
  gchar *running_path;          /* file of the running model */
  RnnModel *decoder;            /* n-to-m only */
  RnnRunner *runner;            /* the structure, made for the caps */
  GstCaps *in_caps;             /* caps the runner was made for */
  GstCaps *refused_caps;        /* input caps refused (posted once) */
  GstRnnFormat in_fmt;          /* written under the object lock (the
                                 * LATENCY query reads it) */
  guint batch;                  /* B (0: no runner) */
  guint last_batch;             /* B of the last runner, kept across a hot
                                 * swap until the next one is made */
  gsize in_frame_bytes;         /* B * F * 4 */
  gsize out_frame_bytes;        /* B * O * 4 (the input's when the input
                                 * passes through) */
  gboolean discont_pending;     /* mark the next output DISCONT */
  GstRnnBufferSettings now;     /* the settings of the current buffer */

  GstRnnTime time;              /* gstrnntime.c */
  GstRnnNonFiniteReport nf;     /* gstrnnnonfinite.c */
  GstRnnPosted posted;          /* gstrnnresults.c */

  /* Window structures with frames out: the input buffer being cut into
   * windows, mapped for reading while it is held, and how far. */
  GstBuffer *inbuf;
  GstMapInfo inmap;
  gsize cursor;
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

  /* Refused input caps were posted (once per start).  Atomic. */
  gint refusal_posted;
};

/* The functions the element's files share.  None is exported: the plugin
 * is built with hidden symbol visibility. */

/* gstrnnsettings.c */
void gst_rnn_settings_init (GstRnnSettings * settings);
void gst_rnn_install_properties (GObjectClass * gobject_class);
void gst_rnn_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
void gst_rnn_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec);
/* Copy the settings a buffer runs with into *@snap.  Takes the object
 * lock: any thread, without it. */
void gst_rnn_settings_snapshot (GstRnn * self, GstRnnBufferSettings * snap);

/* gstrnnmodelsettings.c.  @s is a snapshot of the settings (no lock
 * held): the properties the application did not set take the model
 * file's values @ms (else their defaults); those it set stay, with a
 * WARNING where they contradict how the model was trained.  Posts
 * messages: call without the object lock. */
void gst_rnn_settings_from_model (GstRnn * self, GstRnnSettings * s,
    const RnnModelSettings * ms, const gchar * path);
/* Read the run settings of the file @s->model_path into *@ms and apply
 * them to @s (gst_rnn_settings_from_model()); on failure (unreadable, not
 * safetensors, a bad value) post the ERROR and return FALSE.  The
 * streaming or state-change thread, without the object lock. */
gboolean gst_rnn_settings_read_model (GstRnn * self, GstRnnSettings * s,
    RnnModelSettings * ms);
/* The settings @s took from the file's @ms, as "mode=n-to-1 (rnn.mode),
 * ...": a new string, or NULL if none.  Pure. */
gchar *gst_rnn_settings_from_file_text (const GstRnnSettings * s,
    const RnnModelSettings * ms);
/* After a start with @s in force: the properties the application has not
 * set read back the values in force.  Takes the object lock. */
void gst_rnn_settings_publish (GstRnn * self, const GstRnnSettings * s);
/* A hot swap to @model (file @path) while @cfg is in force, which it
 * keeps: a WARNING for each run setting of the file @cfg contradicts.
 * Any thread, without the object lock. */
void gst_rnn_settings_check_swap (GstRnn * self, const RnnModel * model,
    const gchar * path, const RnnRunConfig * cfg);
/* A WARNING naming the unknown rnn.* keys of @model, if any.  Any thread,
 * without the object lock. */
void gst_rnn_warn_ignored_keys (GstRnn * self, const RnnModel * model,
    const gchar * path);

/* gstrnnenums.c */
const gchar *gst_rnn_mode_nick (GstRnnMode mode);
const gchar *gst_rnn_feed_nick (GstRnnFeed feed);

/* gstrnntime.c */
GstClockTime gst_rnn_frames_to_time (GstRnn * self, guint64 frames);
GstClockTime gst_rnn_buffer_frame_time (GstRnn * self, guint64 t);
GstRnnDiscont gst_rnn_detect_discont (GstRnn * self, GstBuffer * inbuf,
    gsize n, GstRnnTimestampPolicy policy, gint64 tolerance,
    gboolean resets);
void gst_rnn_restamp (GstRnn * self, GstBuffer * buf, gsize n);
GstClockTime gst_rnn_latency (GstRnn * self);
/* The time of a stream: @t forgets everything (the timestamp warning
 * included) and holds no memory.  Instance init and start. */
void gst_rnn_time_init (GstRnnTime * t);
/* What a reset for @why does to @t: the timeline is emptied; FLUSH and
 * SEGMENT restart the time line, CAPS re-anchors the frame count, START
 * is gst_rnn_time_init().  No allocation, no lock. */
void gst_rnn_time_reset (GstRnnTime * t, GstRnnReset why);
/* Free the timeline's memory (new caps, stop); @t stays usable. */
void gst_rnn_time_clear (GstRnnTime * t);
/* Room in @tl for the buffers of @size frames (a window): allocates;
 * set_caps only.  Freed by gst_rnn_time_clear(). */
void gst_rnn_timeline_init (GstRnnTimeline * tl, guint size);
void gst_rnn_timeline_note (GstRnnTimeline * tl, guint64 first,
    GstClockTime pts, guint64 offset);
void gst_rnn_timeline_lookup (GstRnn * self, guint64 frame,
    GstClockTime * pts, guint64 * offset);
void gst_rnn_stamp_result (GstRnn * self, const RnnResult * result,
    GstBuffer * buf);

/* gstrnnresults.c */
const GstMetaInfo *gst_rnn_result_meta_register (void);
/* The messages posted: @p holds none and no memory (instance init).  A
 * reset drops our refs on the messages the application has read; clear
 * drops them all and the ring (new caps, stop).  Streaming thread, state
 * lock; no lock taken. */
void gst_rnn_posted_init (GstRnnPosted * p);
void gst_rnn_posted_reset (GstRnnPosted * p);
void gst_rnn_posted_clear (GstRnnPosted * p);
void gst_rnn_emit_results (GstRnn * self, GstBuffer * buf,
    const RnnResult * result, gboolean post);

/* gstrnnnonfinite.c */
/* Room in @nf for the warnings of @batch streams (allocates: set_caps
 * only; @nf was cleared or never used).  Freed by
 * gst_rnn_non_finite_clear(), after which @nf holds no memory. */
void gst_rnn_non_finite_init (GstRnnNonFiniteReport * nf, guint batch);
/* A reset: no error is posted for the new sequence.  Which streams were
 * warned about is kept (one WARNING per run of buffers, a reset or not).
 * No allocation, no lock. */
void gst_rnn_non_finite_reset (GstRnnNonFiniteReport * nf);
void gst_rnn_non_finite_clear (GstRnnNonFiniteReport * nf);
/* At the start of an input buffer stamped @pts, to run under @policy:
 * forget which streams were warned about in the buffer before last.  No
 * allocation, no lock. */
void gst_rnn_non_finite_begin (GstRnnNonFiniteReport * nf,
    GstRnnNonFinite policy, GstClockTime pts);
/* The one scan of the current input buffer, mapped at @in (@n frames),
 * for non-finite values, under the buffer's policy: warnings, or the
 * error (posted; GST_FLOW_ERROR).  Tells the runner whether the buffer is
 * all finite, so that it does not scan it again.  Once per buffer, where
 * it is mapped; streaming thread, state lock held. */
GstFlowReturn gst_rnn_check_input (GstRnn * self, const guint8 * in,
    gsize n);
void gst_rnn_state_non_finite (RnnRunner * runner, guint stream,
    gpointer user_data);

/* gstrnncapsmap.c */
GstCaps *gst_rnn_map_caps (GstPadDirection direction, GstCaps * caps,
    const GstRnnCapsMap * m);
void gst_rnn_caps_map_for (GstRnnCapsMap * m, const RnnRunInfo * info,
    gboolean batch_first);
/* FALSE when @caps are not a format the element knows (or lack a field). */
gboolean gst_rnn_parse_format (GstCaps * caps, GstRnnFormat * fmt);
/* gstrnncaps.c */
GstCaps *gst_rnn_caps_transform (GstRnn * self, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter);
GstCaps *gst_rnn_caps_fixate (GstRnn * self, GstCaps * othercaps);
/* gstrnnrefuse.c: post the error naming the converter for @offered,
 * which a caps or accept-caps query on the sink pad refused, if the sink
 * itself cannot take it.  Any thread; @offered is not taken. */
void gst_rnn_caps_refused (GstRnn * self, GstCaps * offered);

gboolean gst_rnn_caps_query (GstRnn * self, GstPadDirection direction,
    GstQuery * query);
gboolean gst_rnn_check_caps (GstRnn * self, GstCaps * incaps,
    GstCaps * outcaps, GstRnnFormat * in, guint * batch);

/* gstrnnquery.c */
/* @event (a TAG event, taken) as rnn passes it on: unchanged where the
 * input passes through (n-to-1), else without the audio's codec and
 * bitrate tags (gstrnntags.h), which no longer describe the output; NULL:
 * send nothing.  Any thread (takes the object lock). */
GstEvent *gst_rnn_tag_event (GstRnn * self, GstEvent * event);
/* Answer the CONVERT @query on the pad of @direction in that pad's own
 * negotiated units (TIME, DEFAULT = time steps, BYTES), as GstAudioFilter
 * does with its pad's caps: *@answered is FALSE before caps (the caller
 * then forwards it); else the query is ours and the return value says
 * whether the conversion could be made (no TIME without a rate).  Any
 * thread; @query is not taken. */
gboolean gst_rnn_convert_query (GstRnn * self, GstPadDirection direction,
    GstQuery * query, gboolean * answered);

/* gstrnnstream.c */
/* The one reset of the per-stream runtime: zero the state of every
 * stream, forget any pending window, and reset time (gst_rnn_time_reset),
 * non-finite reporting and posted messages as @why says; the next output
 * is marked DISCONT but for GST_RNN_RESET_QUIET.  @text says why in the
 * log.  Streaming thread (or start), state lock held. */
void gst_rnn_reset (GstRnn * self, GstRnnReset why, const gchar * text);
/* Free what was made for the caps (the runner, the time line, the
 * warnings, the posted messages' refs).  State lock held. */
void gst_rnn_free_stream (GstRnn * self);
gboolean gst_rnn_configure (GstRnn * self, GstCaps * incaps,
    GstCaps * outcaps);
GstFlowReturn gst_rnn_begin_buffer (GstRnn * self, GstBuffer * inbuf,
    GstRnnReset * reset);
void gst_rnn_apply_restore (GstRnn * self);

/* gstrnnadapter.c */
GstFlowReturn gst_rnn_run_failed (GstRnn * self, GError * err);
GstFlowReturn gst_rnn_process_block (GstRnn * self, GstBuffer * inbuf,
    GstBuffer * outbuf);
GstFlowReturn gst_rnn_annotate (GstRnn * self, GstBuffer * buf);
GstFlowReturn gst_rnn_generate_windows (GstRnn * self, GstBuffer ** outbuf);
GstFlowReturn gst_rnn_drain (GstRnn * self,
    const GstRnnBufferSettings * now);
gboolean gst_rnn_holds_frames (GstRnn * self);
/* Unmap and drop the input buffer being cut into windows, if any.  State
 * lock held. */
void gst_rnn_release_input (GstRnn * self);

/* gstrnnerror.c */
/* A core load error @err for @path as an element error (domain
 * GST_RESOURCE_ERROR) with the code and debug text (new, or NULL) the
 * element posts. */
void gst_rnn_load_error (const gchar * path, GError * err, GError ** error,
    gchar ** debug);
/* Post @error (GST_RESOURCE_ERROR domain) as an ERROR or WARNING message;
 * takes @debug.  Without the object lock. */
void gst_rnn_post_gerror (GstRnn * self, GstMessageType type, GError * error,
    gchar * debug, const gchar * function, gint line);
/* gstrnnmodel.c */
RnnModel *gst_rnn_load_configured (GstRnn * self, RnnModel ** decoder,
    gchar ** path);
void gst_rnn_set_model (GstRnn * self, const gchar * path);
gboolean gst_rnn_swap_pending (GstRnn * self);
void gst_rnn_swap_configure (GstRnn * self);
GBytes *gst_rnn_snapshot_action (GstRnn * self);
gboolean gst_rnn_restore_action (GstRnn * self, GBytes * snapshot);

G_END_DECLS

#endif /* __GST_RNN_PRIVATE_H__ */

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: what its files share (gstrnntext.c, the
 * element; gstrnntextcues.c, the cue timing and latency).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_RNN_TEXT_PRIVATE_H__
#define __GST_RNN_TEXT_PRIVATE_H__

#include <gst/rnn/gstrnnmeta.h>
#include "gstrnntext.h"
#include "gstrnntexttemplate.h"
#include "gstrnntextpost.h"

G_BEGIN_DECLS

/**
 * GstRnnTextCueTime:
 * @GST_RNN_TEXT_CUE_TIME_START: the window's start (the text is late by
 *     a window: muxers and overlays must wait that long)
 * @GST_RNN_TEXT_CUE_TIME_CENTRE: the window's centre
 * @GST_RNN_TEXT_CUE_TIME_END: the window's end, when its result is known
 *
 * Where in its window a cue starts.
 */
typedef enum
{
  GST_RNN_TEXT_CUE_TIME_START,
  GST_RNN_TEXT_CUE_TIME_CENTRE,
  GST_RNN_TEXT_CUE_TIME_END
} GstRnnTextCueTime;

#define GST_TYPE_RNN_TEXT_CUE_TIME (gst_rnn_text_cue_time_get_type ())
/* The GEnum of GstRnnTextCueTime (gstrnntextcues.c); any thread. */
GType gst_rnn_text_cue_time_get_type (void);

GST_DEBUG_CATEGORY_EXTERN (gst_rnn_text_debug);
#define GST_CAT_DEFAULT gst_rnn_text_debug

struct _GstRnnText
{
  GstElement parent;

  GstPad *sinkpad, *srcpad;

  /* Settings: the object lock protects them (set from any thread; the
   * streaming thread takes a snapshot of the scalars at each buffer and
   * renders under the lock). */
  gchar *template_str;
  GstRnnTextTemplate *tpl;      /* template_str compiled; never NULL (a
                                 * template that does not compile is
                                 * refused, the previous one kept) */
  gchar *source;                /* the rnn element whose results are
                                 * rendered; NULL: the first one seen */
  gint stream;
  gfloat min_confidence;
  gchar *separator;
  gboolean merge;
  gboolean newline;
  gchar *ignore_labels;         /* as set: comma-separated */
  gchar **ignore;               /* split; NULL when empty */
  GstRnnTextPost post;          /* smoothing, thresholds... (gstrnntextpost.h) */
  GstRnnTextCueTime cue_time;
  GstClockTime max_hold;        /* merge: longest cue held; NONE: no limit */

  /* Streaming state: the streaming thread only (state changes touch it
   * when no data flows).  Allocated going to PAUSED. */
  GString *window_text;         /* the text of the window being read */
  GString *pending_text;        /* the cue held until a later window ends it */
  gboolean has_pending;
  GstClockTime pending_start, pending_end;
  GstClockTime position;        /* src: covered up to here (cues, gaps) */
  GstClockTime window;          /* longest window seen: how far back a
                                 * future window may start */
  GstClockTime last_start;      /* start of the last window */
  GstClockTime last_cue;        /* cue time of the last window */
  GstClockTime hop;             /* between window starts: the results'
                                 * hop field, else the last two starts */
  gboolean warned_stream;
  guint64 buffers_seen, results_seen;   /* since start */
  gboolean warned_no_results;
  /* Which rnn element's results are read (gstrnntextsource.c), since
   * start: */
  gchar *source_in_use;         /* copy of source taken at a buffer */
  gchar *first_source;          /* the first element seen (source unset) */
  gboolean have_first_source;   /* first_source is set (may be NULL: a
                                 * result without an element field) */
  gchar *other_source;          /* the first element not read, if any */
  gboolean source_seen;         /* a result of source_in_use came */
  gboolean warned_source;       /* the second-element WARNING was posted */
};

/* The snapshot of the scalar settings a buffer is read with. */
typedef struct
{
  gint stream;
  gfloat min_confidence;
  gboolean merge, newline;
  GstRnnTextCueTime cue_time;
  GstClockTime max_hold;
} Snapshot;

/* The cue timing (gstrnntextcues.c), streaming thread only.  Each push
 * returns the flow of the src pad. */

/* Announce with a GAP event that nothing comes before @t. */
void gst_rnn_text_gap_to (GstRnnText * self, GstClockTime t);
/* Send the held cue (if any), ending at @end at the latest
 * (GST_CLOCK_TIME_NONE: one hop after its last window). */
GstFlowReturn gst_rnn_text_send_pending (GstRnnText * self,
    GstClockTime end, gboolean newline);
/* The window [start, start + dur) gave @text (may be empty); @hop is the
 * result's hop field (NONE: learn it from the window starts). */
GstFlowReturn gst_rnn_text_window (GstRnnText * self, GstClockTime start,
    GstClockTime dur, GstClockTime hop, const GString * text,
    const Snapshot * set);
/* After an input buffer ending at @end: a GAP up to the earliest time a
 * cue may still start. */
void gst_rnn_text_gap_after (GstRnnText * self, GstClockTime end,
    GstRnnTextCueTime cue_time);
/* How much later than its window's start a cue of a window of @dur
 * starts. */
GstClockTime gst_rnn_text_cue_shift (GstRnnTextCueTime cue_time,
    GstClockTime dur);
/* What the element adds to upstream's latency (object lock held). */
GstClockTime gst_rnn_text_own_latency (GstRnnText * self);
/* The src pad's query function: LATENCY answered, the rest by default.
 * Any thread. */
gboolean gst_rnn_text_src_query (GstPad * pad, GstObject * parent,
    GstQuery * query);
/* gstrnntextnoresults.c, streaming thread: count @buf and whether it
 * carries results; at EOS, warn once (naming the rnn upstream and its
 * mode) if buffers came and none carried a result. */
void gst_rnn_text_count_buffer (GstRnnText * self, GstBuffer * buf);
void gst_rnn_text_check_results_seen (GstRnnText * self);

/* Forget the held cue and what was sent (flush, start, stop). */
void gst_rnn_text_reset (GstRnnText * self);

/* gstrnntextsource.c: which rnn element's results are read.  Streaming
 * thread only, except where said. */
/* Take the source property for the buffer about to be read (takes the
 * object lock; allocates only when the property changed since, and then
 * restarts the post-processing state, which belongs to one element). */
void gst_rnn_text_source_snapshot (GstRnnText * self);
/* Whether the result @s (borrowed) comes from the element whose results
 * are read: the source property's, else the first element seen.  The
 * first result of a second element with source unset posts one WARNING
 * naming both elements and the property. */
gboolean gst_rnn_text_source_accepts (GstRnnText * self,
    const GstStructure * s);
/* At EOS: one WARNING if source names an element none of the results
 * came from, naming one they came from. */
void gst_rnn_text_source_check_eos (GstRnnText * self);
/* Forget the elements seen and free the streaming copies (start, stop,
 * finalize; no data flowing). */
void gst_rnn_text_source_clear (GstRnnText * self);

G_END_DECLS

/* gstrnntextsettings.c: the properties (class_init) and their defaults
 * (instance init). */
void gst_rnn_text_install_properties (GObjectClass * gobject_class);
void gst_rnn_text_settings_init (GstRnnText * self);
/* gstrnntext.c: compile @tpl as the template (object lock held or not
 * yet shared).  On a template that does not compile, keeps the previous
 * one and returns FALSE with @error set (naming the template and the
 * reason; the caller frees it). */
gboolean gst_rnn_text_set_template (GstRnnText * self, const gchar * tpl,
    GError ** error);

#endif /* __GST_RNN_TEXT_PRIVATE_H__ */

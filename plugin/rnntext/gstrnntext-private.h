/* GStreamer rnntext element: what its files share (gstrnntext.c, the
 * element; gstrnntextcues.c, the cue timing).
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
  GstRnnTextTemplate *tpl;      /* template_str compiled; NULL if invalid */
  gchar *template_error;        /* why tpl is NULL */
  gint stream;
  gfloat min_confidence;
  gchar *separator;
  gboolean merge;
  gboolean newline;
  gchar *ignore_labels;         /* as set: comma-separated */
  gchar **ignore;               /* split; NULL when empty */
  GstRnnTextPost post;          /* smoothing, thresholds... (gstrnntextpost.h) */

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
  GstClockTime hop;             /* between the last two window starts */
  gboolean warned_stream;
  guint64 buffers_seen, results_seen;   /* since start */
  gboolean warned_no_results;
};

/* The snapshot of the scalar settings a buffer is read with. */
typedef struct
{
  gint stream;
  gfloat min_confidence;
  gboolean merge, newline;
} Snapshot;

/* The cue timing (gstrnntextcues.c), streaming thread only.  Each push
 * returns the flow of the src pad. */

/* Announce with a GAP event that nothing comes before @t. */
void gst_rnn_text_gap_to (GstRnnText * self, GstClockTime t);
/* Send the held cue (if any), ending at @end at the latest
 * (GST_CLOCK_TIME_NONE: one hop after its last window). */
GstFlowReturn gst_rnn_text_send_pending (GstRnnText * self,
    GstClockTime end, gboolean newline);
/* The window [start, start + dur) gave @text (may be empty). */
GstFlowReturn gst_rnn_text_window (GstRnnText * self, GstClockTime start,
    GstClockTime dur, const GString * text, const Snapshot * set);
/* gstrnntextnoresults.c, streaming thread: count @buf and whether it
 * carries results; at EOS, warn once (naming the rnn upstream and its
 * mode) if buffers came and none carried a result. */
void gst_rnn_text_count_buffer (GstRnnText * self, GstBuffer * buf);
void gst_rnn_text_check_results_seen (GstRnnText * self);

/* Forget the held cue and what was sent (flush, start, stop). */
void gst_rnn_text_reset (GstRnnText * self);

G_END_DECLS

#endif /* __GST_RNN_TEXT_PRIVATE_H__ */

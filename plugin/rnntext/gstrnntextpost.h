/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: label post-processing (smoothing over the
 * last results, per-class thresholds, minimum duration, hysteresis),
 * deciding which label, if any, a window's result gives.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_RNN_TEXT_POST_H__
#define __GST_RNN_TEXT_POST_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* How the last #GstRnnText:smoothing results of a stream are combined. */
typedef enum
{
  GST_RNN_TEXT_SMOOTHING_MEAN,
  GST_RNN_TEXT_SMOOTHING_MAJORITY
} GstRnnTextSmoothing;

#define GST_TYPE_RNN_TEXT_SMOOTHING (gst_rnn_text_smoothing_get_type ())
GType gst_rnn_text_smoothing_get_type (void);

/* The largest smoothing depth (results per stream kept). */
#define GST_RNN_TEXT_POST_MAX_DEPTH 256

/* One stream's decision state. */
typedef struct
{
  guint filled, head;           /* results in the history ring */
  gint active;                  /* class of the cue under way, -1: none */
  GstClockTime last_pass;       /* start of its last window that passed */
  gint run;                     /* class waiting for min-duration, -1 */
  GstClockTime run_start;       /* start of its first window */
} GstRnnTextPostStream;

/* Settings and state, embedded in the element.  Settings (the first
 * block) are read and written under the element's object lock; the
 * state only by the streaming thread (and at state changes, when no data
 * flows).  The arrays are (re)allocated when the shape of the results
 * (streams, classes) or the smoothing depth changes, never per buffer. */
typedef struct
{
  /* settings */
  guint smoothing;              /* 1: none */
  GstRnnTextSmoothing mode;
  gchar *thresholds_str;        /* as set */
  gchar **thr_labels;           /* parsed; NULL when none */
  gdouble *thr_values;
  guint n_thr;
  GstClockTime min_duration;
  gfloat end_threshold;         /* G_MAXFLOAT: unset */
  GstClockTime hold;

  /* state */
  guint n_streams, n_classes, depth;
  gdouble *history;             /* [n_streams][depth][n_classes] */
  gdouble *mean;                /* [n_classes] scratch */
  guint *votes;                 /* [n_classes] scratch */
  gchar **class_labels;         /* [n_classes], learned from results */
  GstRnnTextPostStream *streams;        /* [n_streams] */
} GstRnnTextPost;

/* What a result gives: no text, or @label (owned by the post state,
 * valid until the next call) with class @cls and @confidence. */
typedef struct
{
  const gchar *label;
  guint cls;
  gdouble confidence;
} GstRnnTextDecision;

/* Set the defaults (nothing set: gst_rnn_text_post_active() is FALSE). */
void gst_rnn_text_post_init (GstRnnTextPost * post);
/* Free everything @post holds (finalize). */
void gst_rnn_text_post_clear (GstRnnTextPost * post);

/* Install the properties smoothing, smoothing-mode, thresholds,
 * min-duration, end-threshold and hold with ids @first_id and on. */
void gst_rnn_text_post_install_properties (GObjectClass * klass,
    guint first_id);
/* Set/get the property @id - first_id (object lock held); FALSE if it is
 * not one of them.  A thresholds list with a bad entry is refused: the
 * thresholds in force stay and *@refused (else set to NULL) says why,
 * naming the entry (the caller g_free()s it). */
gboolean gst_rnn_text_post_set_property (GstRnnTextPost * post, guint id,
    const GValue * value, gchar ** refused);
gboolean gst_rnn_text_post_get_property (GstRnnTextPost * post, guint id,
    GValue * value);

/* Whether any post-processing property is set (object lock held); when
 * not, the element's results go through unchanged. */
gboolean gst_rnn_text_post_active (const GstRnnTextPost * post);
/* Decide what the result @s (a GstRnnResultMeta structure) gives, with
 * @min_confidence the threshold of labels the thresholds property does
 * not name and @ignore the labels that never start a cue (may be NULL).
 * Object lock held, streaming thread.  TRUE and @out filled when it
 * gives text.  Allocates only when the results' shape changes. */
gboolean gst_rnn_text_post_decide (GstRnnTextPost * post,
    const GstStructure * s, gfloat min_confidence,
    const gchar * const *ignore, GstRnnTextDecision * out);

/* Forget the history and cues of every stream (flush, segment, GAP,
 * DISCONT, start, stop); streaming thread or no data flowing. */
void gst_rnn_text_post_reset (GstRnnTextPost * post);
/* Reset if @event starts over (FLUSH_STOP, SEGMENT, GAP). */
void gst_rnn_text_post_event (GstRnnTextPost * post, GstEvent * event);

G_END_DECLS

#endif /* __GST_RNN_TEXT_POST_H__ */

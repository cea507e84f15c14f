/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the rnntext element tests (test-rnntext-*.c), over the rnn
 * element's harness (rnn-test-gst.h): results made as the rnn element
 * makes them (plugin/rnn/gstrnnresults.c), an rnntext harness, and the cues
 * and GAP events it sends. */
#ifndef RNNTEXT_TEST_H
#define RNNTEXT_TEST_H

#include "rnn-test-gst.h"

G_BEGIN_DECLS

#define MS (GST_MSECOND)

/* A result as gstrnnresults.c attaches it. */
typedef struct
{
  guint stream;
  GstClockTime ts, duration;
  const gchar *label;           /* NULL: the class index as text */
  guint cls;
  gfloat confidence;
  gboolean valid;
  GstClockTime hop;             /* 0: no hop field (rnntext then learns the
                                 * hop from the window starts) */
} FakeResult;

/* Attach @r to @buf as a GstRnnResultMeta with the fields the rnn element
 * sets (element "rnn0", model "m.safetensors", frames = duration in
 * 10 ms frames, scores with the confidence at the class index). */
void add_result (GstBuffer * buf, const FakeResult * r);
/* An empty audio buffer [pts, pts + dur) carrying @n results. */
GstBuffer *results_buffer (GstClockTime pts, GstClockTime dur,
    const FakeResult * r, guint n);
/* ... carrying one valid result per stream (0..n-1) for the window
 * [ts, ts + wdur), labels[b] at confidence 0.9. */
GstBuffer *window_buffer (GstClockTime pts, GstClockTime dur,
    GstClockTime ts, GstClockTime wdur, const gchar * const *labels,
    guint n);

/* A buffer [ts, ts + hop) carrying one valid result of stream 0 for the
 * window [ts, ts + wdur), hop @hop, with the @n scores @scores (its
 * class and confidence their largest, its label labels[class]), as the
 * post-processing tests (test-rnntext-smoothing, -thresholds...) need. */
GstBuffer *scores_buffer (GstClockTime ts, GstClockTime wdur,
    GstClockTime hop, const gchar * const *labels, const gdouble * scores,
    guint n);

/* A harness around a new rnntext (cue-time=start, max-hold=-1, then the
 * properties as for gst_object_set: name/value pairs, NULL-terminated)
 * fed F32 audio caps, with a bus. */
GstHarness *text_harness (const gchar * first_prop, ...) G_GNUC_NULL_TERMINATED;

/* Pull one cue (fails if none comes within 60 s). */
void expect_cue (GstHarness * h, const gchar * text, GstClockTime start,
    GstClockTime end);
/* No buffer waits on the harness. */
void expect_no_cue (GstHarness * h);
/* Pop the events waiting at the harness's sink; return the end of the
 * last GAP among them (GST_CLOCK_TIME_NONE if none), checking that the
 * GAPs are contiguous from @from (GST_CLOCK_TIME_NONE: do not check). */
GstClockTime drain_gaps (GstHarness * h, GstClockTime from);

G_END_DECLS

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stream continuity: the rules every element of the plugin that follows a
 * stream of frames in time (rnn, melspec) applies to its input buffers,
 * so that they agree on what a gap, an overlap, a DISCONT and the
 * tolerance are, and on how outputs are stamped.  Not installed.
 *
 * The rules, for a buffer of n frames (samples for melspec) at PTS p:
 *
 *  - flagged DISCONT: a discontinuity (GST_RNN_DISCONT_FLAG);
 *  - flagged GAP, or the first buffer after a GAP buffer: a new sequence
 *    (GST_RNN_DISCONT_GAP), with no data missing;
 *  - p more than the tolerance away from where the buffer was expected to
 *    start: later, data was dropped (a gap); earlier, data was repeated
 *    (an overlap): a discontinuity (GST_RNN_DISCONT_JUMP).  The tolerance
 *    is timestamp-tolerance in ns, -1 = half a frame.
 *
 * Where a buffer is expected, and how outputs are stamped, is the
 * timestamp policy:
 *
 *  - strict: at the end of the previous buffer (its PTS plus its duration,
 *    or plus its frames at the rate); outputs carry the input's own
 *    timestamps;
 *  - perfect: at the anchor (the PTS of the first buffer after a
 *    discontinuity, a GAP, a flush, a segment or a caps change) plus the frames
 *    counted since, at the rate, as GstAudioEncoder, audiorate and the
 *    audio sinks count; a difference of less than one frame is never a
 *    discontinuity (it cannot be a lost frame); outputs are stamped from
 *    that count, so they tile the time line whatever the input's jitter,
 *    and buffers without a PTS are stamped too.  A discontinuity moves the
 *    anchor to the buffer's PTS.  Without a frame duration (no rate, no
 *    buffer duration) it acts as strict.
 *
 * Thread rules: a GstRnnContinuity belongs to one element's streaming
 * thread (or is used with it stopped); no function locks anything or
 * allocates, but gst_rnn_continuity_warn(), once per start.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_RNN_CONTINUITY_H__
#define __GST_RNN_CONTINUITY_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * GstRnnTimestampPolicy:
 * @GST_RNN_TIMESTAMP_POLICY_STRICT: a buffer should start where the
 * previous one ended; outputs carry the input's timestamps
 * @GST_RNN_TIMESTAMP_POLICY_PERFECT: a buffer should start at the first
 * timestamp plus the frames counted since; jitter below a frame or within
 * the tolerance is ignored and outputs are stamped from the count
 *
 * How the elements follow their input's timestamps (see
 * gstrnncontinuity.h).
 */
typedef enum
{
  GST_RNN_TIMESTAMP_POLICY_STRICT,
  GST_RNN_TIMESTAMP_POLICY_PERFECT
} GstRnnTimestampPolicy;

#define GST_TYPE_RNN_TIMESTAMP_POLICY (gst_rnn_timestamp_policy_get_type ())
GType gst_rnn_timestamp_policy_get_type (void);

/* Nick of @policy ("strict", "perfect"). */
const gchar *gst_rnn_timestamp_policy_nick (GstRnnTimestampPolicy policy);

/* What makes an input buffer a discontinuity. */
typedef enum
{
  GST_RNN_CONTINUOUS = 0,
  GST_RNN_DISCONT_FLAG = 1 << 0,        /* flagged DISCONT upstream */
  GST_RNN_DISCONT_JUMP = 1 << 1,        /* not where it was expected: data
                                         * dropped or repeated */
  GST_RNN_DISCONT_GAP = 1 << 2  /* a GAP buffer or the first after one: no
                                 * data is missing */
} GstRnnDiscont;

/* The last timestamp jump found. */
typedef struct
{
  GstClockTime pts;             /* the buffer's */
  GstClockTime expected;        /* where it should have started */
  GstClockTimeDiff diff;        /* pts - expected: > 0 a gap, < 0 an
                                 * overlap */
  gint64 tolerance;             /* the tolerance in force, ns */
  GstRnnTimestampPolicy policy;
} GstRnnJump;

/* Where a stream is in time.  Fields are read-only outside
 * gstrnncontinuity.c, except as said. */
typedef struct
{
  /* this buffer's settings (gst_rnn_continuity_check) */
  GstRnnTimestampPolicy policy;
  gint rate_n, rate_d;          /* frames per second (0: unknown) */
  GstClockTime frame;           /* one frame, from the rate or the last
                                 * buffer's duration (NONE: unknown) */

  GstClockTime anchor;          /* perfect: time of frame 0 (NONE: the next
                                 * buffer with a PTS sets it) */
  guint64 count;                /* frames since the anchor, up to the end
                                 * of the last buffer checked */
  guint64 buf_start;            /* ... up to the start of that buffer */
  GstClockTime buf_pts;         /* that buffer's PTS */
  GstClockTime next;            /* strict: where the next buffer should
                                 * start (NONE: unknown) */
  gboolean after_gap;           /* the last buffer was a GAP buffer */
  gboolean warned;              /* a jump was posted as a WARNING */
  GstRnnJump jump;              /* the last jump (GST_RNN_DISCONT_JUMP) */
} GstRnnContinuity;

/* Forget everything, the warning included: at start. */
void gst_rnn_continuity_init (GstRnnContinuity * c);

/* Forget where the next buffer should start and re-anchor at it: on
 * FLUSH_STOP, SEGMENT. */
void gst_rnn_continuity_restart (GstRnnContinuity * c);

/* The frame duration changes (new caps): re-anchor the count at the next
 * buffer; a strict expectation is kept. */
void gst_rnn_continuity_reanchor (GstRnnContinuity * c);

/* A GAP event over [@ts, @ts + @dur): the next buffer should start at its
 * end; the count is re-anchored there. */
void gst_rnn_continuity_gap_event (GstRnnContinuity * c, GstClockTime ts,
    GstClockTime dur);

/* Check @buf, of @n frames at @rate_n / @rate_d frames per second (0:
 * unknown; a frame is then the buffer's duration / @n, or the last one
 * known), under @policy and @tolerance (ns, -1 = half a frame), against
 * what came before, and count it.  Returns why it
 * is a discontinuity (GST_RNN_CONTINUOUS: it is not); a jump is described
 * in c->jump.  A discontinuity or a GAP moves the anchor to @buf's PTS. */
GstRnnDiscont gst_rnn_continuity_check (GstRnnContinuity * c,
    GstBuffer * buf, guint64 n, gint rate_n, gint rate_d,
    GstRnnTimestampPolicy policy, gint64 tolerance);

/* The element restarts its own frame count at the last buffer checked
 * (e.g. melspec after a GAP buffer): positions count from its start from
 * now on, the anchor moving there (perfect: time goes on). */
void gst_rnn_continuity_rebase (GstRnnContinuity * c);

/* Time of the frame at @position, counted from the anchor (c->buf_start +
 * t is frame t of the last buffer checked; it may lie in an earlier
 * buffer), under the policy of the last check: perfect, anchor +
 * position frames; strict, the buffer's PTS plus (position - buf_start)
 * frames.  NONE when unknown. */
GstClockTime gst_rnn_continuity_time (const GstRnnContinuity * c,
    guint64 position);

/* Post c->jump as a WARNING of @element, once per start (later jumps:
 * FALSE, nothing posted), saying @consequence ("the state was reset"),
 * the jump, the tolerance and the properties to set.  Its details hold
 * timestamp, expected, jump (gint64 ns), tolerance, policy and
 * suggested-tolerance.  Returns whether it posted. */
gboolean gst_rnn_continuity_warn (GstRnnContinuity * c, GstElement * element,
    const gchar * consequence);

/* The tolerance the WARNING suggests for a jump of @diff: twice its size,
 * rounded up to 10 ms. */
gint64 gst_rnn_continuity_suggest_tolerance (GstClockTimeDiff diff);

G_END_DECLS

#endif /* __GST_RNN_CONTINUITY_H__ */

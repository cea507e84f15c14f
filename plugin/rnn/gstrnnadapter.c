/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: the adapter between buffers and the core's
 * input/output structures (rnn.h, "structures").  A structure gives its
 * output in one of three ways, and each has one path here, chosen by
 * RnnRunInfo.output, never by the mode:
 *
 *   RNN_OUTPUT_BLOCK          transform(): every input buffer maps to an
 *                             output buffer of frames_per_input x its
 *                             frames (n-to-n, 1-to-n);
 *   RNN_OUTPUT_WINDOW_SCORES  transform_ip(): the buffer passes through and
 *                             carries the results of the windows that end
 *                             in it (n-to-1);
 *   RNN_OUTPUT_WINDOW_FRAMES  generate_output(): one new buffer per window
 *                             (n-to-n on windows, n-to-m).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "gstrnn-private.h"

/* The core failed (@err, taken): post it, unless the element already
 * posted the reason (a non-finite state under non-finite=error). */
GstFlowReturn
gst_rnn_run_failed (GstRnn * self, GError * err)
{
  if (err == NULL || self->stream.nf.error_posted) {
    g_clear_error (&err);
    return GST_FLOW_ERROR;
  }
  GST_ELEMENT_ERROR (self, STREAM, FAILED,
      ("The model failed to run: %s", err->message), (NULL));
  g_clear_error (&err);
  return GST_FLOW_ERROR;
}

/* Does the structure hold input frames back (a window not yet run)?  Such
 * frames end a sequence at a discontinuity, a new segment or new caps:
 * they are drained (gst_rnn_drain()) rather than cut. */
gboolean
gst_rnn_holds_frames (GstRnn * self)
{
  return self->config.info.latency > 0;
}

/* ------------------------------------------------------------- blocks */

GstFlowReturn
gst_rnn_process_block (GstRnn * self, GstBuffer * inbuf, GstBuffer * outbuf)
{
  guint mul = self->config.info.frames_per_input;
  GstMapInfo inmap, outmap;
  GError *err = NULL;
  GstFlowReturn ret;
  gboolean ok;
  gsize n;

  if (!gst_buffer_map (inbuf, &inmap, GST_MAP_READ))
    goto map_failed;
  if (!gst_buffer_map (outbuf, &outmap, GST_MAP_WRITE)) {
    gst_buffer_unmap (inbuf, &inmap);
    goto map_failed;
  }
  n = inmap.size / self->stream.in_frame_bytes;
  g_assert (outmap.size == n * mul * self->stream.out_frame_bytes);
  ret = gst_rnn_check_input (self, inmap.data, n);
  ok = ret == GST_FLOW_OK && rnn_runner_process (self->stream.runner,
      inmap.data, n, outmap.data, &err);
  gst_buffer_unmap (outbuf, &outmap);
  gst_buffer_unmap (inbuf, &inmap);
  if (ret != GST_FLOW_OK)
    return ret;
  if (!ok)
    return gst_rnn_run_failed (self, err);

  if (mul != 1) {
    guint64 off = GST_BUFFER_OFFSET (inbuf);
    guint64 end = GST_BUFFER_OFFSET_END (inbuf);

    GST_BUFFER_OFFSET (outbuf) = off != GST_BUFFER_OFFSET_NONE ?
        off * mul : GST_BUFFER_OFFSET_NONE;
    GST_BUFFER_OFFSET_END (outbuf) = end != GST_BUFFER_OFFSET_NONE ?
        end * mul : GST_BUFFER_OFFSET_NONE;
  }
  gst_rnn_restamp (self, outbuf, n);
  if (self->stream.discont_pending) {
    GST_BUFFER_FLAG_SET (outbuf, GST_BUFFER_FLAG_DISCONT);
    self->stream.discont_pending = FALSE;
  }
  GST_LOG_OBJECT (self, "processed %" G_GSIZE_FORMAT " frame(s) at %"
      GST_TIME_FORMAT, n, GST_TIME_ARGS (GST_BUFFER_PTS (inbuf)));
  return GST_FLOW_OK;

map_failed:
  GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
      (NULL));
  return GST_FLOW_ERROR;
}

/* -------------------------------------------------------- annotations */

/* Run every window that ends in @buf and attach its results; the data is
 * not touched. */
GstFlowReturn
gst_rnn_annotate (GstRnn * self, GstBuffer * buf)
{
  RnnRunner *r = self->stream.runner;
  GError *err = NULL;
  RnnResult result;
  GstMapInfo map;
  gboolean post = self->stream.now.post_messages, ok;
  gsize n, cursor = 0;

  /* a gap found from the timestamps: say so downstream */
  if (self->stream.time.mark_discont)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = map.size / self->stream.in_frame_bytes;
  if (gst_rnn_check_input (self, map.data, n) != GST_FLOW_OK) {
    gst_buffer_unmap (buf, &map);
    return GST_FLOW_ERROR;
  }
  gst_rnn_restamp (self, buf, n);
  gst_rnn_timeline_note (&self->stream.time.timeline,
      rnn_runner_get_frames_in (r), GST_BUFFER_PTS (buf),
      GST_BUFFER_OFFSET (buf));
  while ((ok = rnn_runner_push (r, map.data, n, &cursor, &result, &err))
      && result.data)
    gst_rnn_emit_results (self, buf, &result, post);
  gst_buffer_unmap (buf, &map);
  return ok ? GST_FLOW_OK : gst_rnn_run_failed (self, err);
}

/* ------------------------------------------------------ window frames */

/* A new buffer holding the frames of @result, stamped. */
static GstBuffer *
gst_rnn_result_buffer (GstRnn * self, const RnnResult * result)
{
  gsize size = (gsize) result->n_out * self->stream.out_frame_bytes;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);

  gst_buffer_fill (buf, 0, result->data, size);
  gst_rnn_stamp_result (self, result, buf);
  if (self->stream.discont_pending) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    self->stream.discont_pending = FALSE;
  }
  GST_LOG_OBJECT (self, "%u frame(s) at %" GST_TIME_FORMAT " from the "
      "window of %u frame(s) at frame %" G_GUINT64_FORMAT, result->n_out,
      GST_TIME_ARGS (GST_BUFFER_PTS (buf)), result->n_frames, result->start);
  return buf;
}

/* The end of a sequence: run or drop the incomplete window (partial-window
 * of @now) into *@outbuf (frames) or the bus (scores).  State lock
 * held. */
static GstFlowReturn
gst_rnn_drain_locked (GstRnn * self, const GstRnnBufferSettings * now,
    GstBuffer ** outbuf)
{
  GError *err = NULL;
  RnnResult result;

  *outbuf = NULL;
  if (self->stream.runner == NULL)
    return GST_FLOW_OK;
  if (!rnn_runner_drain (self->stream.runner,
          (RnnPartial) now->partial_window, &result, &err))
    return gst_rnn_run_failed (self, err);
  if (result.data == NULL) {
    GST_DEBUG_OBJECT (self, "no partial window to run");
  } else if (self->config.info.output == RNN_OUTPUT_WINDOW_SCORES) {
    /* the buffers the window came in are gone: the bus only */
    gst_rnn_emit_results (self, NULL, &result, now->post_messages);
  } else {
    *outbuf = gst_rnn_result_buffer (self, &result);
  }
  return GST_FLOW_OK;
}

/* Drain and push what it gives (never with the state lock held:
 * downstream may block).  An event, between buffers: with the settings
 * in force now, @now. */
GstFlowReturn
gst_rnn_drain (GstRnn * self, const GstRnnBufferSettings * now)
{
  GstBuffer *buf = NULL;
  GstFlowReturn ret;

  g_rec_mutex_lock (&self->state_lock);
  ret = gst_rnn_drain_locked (self, now, &buf);
  g_rec_mutex_unlock (&self->state_lock);
  if (ret == GST_FLOW_OK && buf != NULL)
    ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
  return ret;
}

void
gst_rnn_release_input (GstRnn * self)
{
  if (self->stream.inbuf == NULL)
    return;
  gst_buffer_unmap (self->stream.inbuf, &self->stream.inmap);
  gst_buffer_replace (&self->stream.inbuf, NULL);
}

/* Take the queued input buffer: the checks and resets due at its start,
 * then it is mapped, scanned and cut into windows.  A reset drains a held
 * window first, into *@outbuf. */
static GstFlowReturn
gst_rnn_take_input (GstRnn * self, GstBuffer ** outbuf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstBuffer *inbuf = trans->queued_buf;
  GstFlowReturn ret = GST_FLOW_OK;
  GstRnnReset reset;
  GstMapInfo map;

  trans->queued_buf = NULL;
  ret = gst_rnn_begin_buffer (self, inbuf, &reset);
  if (ret == GST_FLOW_OK && !gst_buffer_map (inbuf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
        (NULL));
    ret = GST_FLOW_ERROR;
  } else if (ret == GST_FLOW_OK) {
    ret = gst_rnn_check_input (self, map.data,
        map.size / self->stream.in_frame_bytes);
    if (ret != GST_FLOW_OK)
      gst_buffer_unmap (inbuf, &map);
  }
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref (inbuf);
    return ret;
  }
  if (reset != GST_RNN_KEEP) {
    /* held frames end a sequence: run them now */
    if (gst_rnn_holds_frames (self))
      ret = gst_rnn_drain_locked (self, &self->stream.now, outbuf);
    gst_rnn_reset (self, reset, "discontinuity or reset signal");
  }
  gst_rnn_apply_restore (self);
  self->stream.inbuf = inbuf;
  self->stream.inmap = map;
  self->stream.cursor = 0;
  gst_rnn_timeline_note (&self->stream.time.timeline,
      rnn_runner_get_frames_in (self->stream.runner),
      gst_rnn_buffer_frame_time (self, 0), GST_BUFFER_OFFSET (inbuf));
  return ret;
}

/* Cut the input into windows; one output buffer per window.  Called
 * repeatedly by the base class until it returns no buffer, which happens
 * only once every input buffer it handed over is used up: a buffer that
 * ends without completing a window goes straight on to the next queued
 * one (the base class pushes nothing in between, and after a push that
 * did not return OK it queues the next buffer without asking for the
 * rest).  State lock held. */
GstFlowReturn
gst_rnn_generate_windows (GstRnn * self, GstBuffer ** outbuf)
{
  GError *err = NULL;
  GstFlowReturn ret;
  RnnResult result;
  gboolean ok;
  gsize n;

  *outbuf = NULL;
  for (;;) {
    if (self->stream.inbuf == NULL) {
      if (GST_BASE_TRANSFORM (self)->queued_buf == NULL)
        return GST_FLOW_OK;
      ret = gst_rnn_take_input (self, outbuf);
      if (ret != GST_FLOW_OK || *outbuf != NULL)
        return ret;
    }

    n = self->stream.inmap.size / self->stream.in_frame_bytes;
    ok = rnn_runner_push (self->stream.runner, self->stream.inmap.data, n,
        &self->stream.cursor, &result, &err);
    if (self->stream.cursor >= n)
      gst_rnn_release_input (self);
    if (!ok)
      return gst_rnn_run_failed (self, err);
    if (result.data) {
      *outbuf = gst_rnn_result_buffer (self, &result);
      return GST_FLOW_OK;
    }
  }
}

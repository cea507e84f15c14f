/* GStreamer rnn element: the frame-level paths of the four modes.
 *
 * n-to-n runs the frames of a buffer (or, for a bidirectional model,
 * windows of them); n-to-1 runs windows from a ring of the last input
 * frames and pools them into results; 1-to-n generates frames from every
 * input frame; n-to-m encodes windows and decodes forecasts.  State lock
 * held throughout.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstrnn-private.h"

/* Copy @n frames of @B streams of @W floats from @src (a block of @src_T
 * frames, layout @src_bf, starting at frame @src_t) to @dst (block of @dst_T
 * frames, layout @dst_bf, starting at @dst_t).  Byte pointers: either side
 * may be unaligned. */
static void
gst_rnn_copy_frames (guint8 * dst, gsize dst_T, gsize dst_t, gboolean dst_bf,
    const guint8 * src, gsize src_T, gsize src_t, gboolean src_bf,
    gsize n, guint B, guint W)
{
  gsize fb = (gsize) W * sizeof (float);
  gsize t;
  guint b;

  if (!dst_bf && !src_bf) {
    memcpy (dst + dst_t * B * fb, src + src_t * B * fb, n * B * fb);
  } else if (dst_bf && src_bf) {
    for (b = 0; b < B; b++)
      memcpy (dst + (b * dst_T + dst_t) * fb, src + (b * src_T + src_t) * fb,
          n * fb);
  } else {
    for (t = 0; t < n; t++) {
      for (b = 0; b < B; b++) {
        gsize di = dst_bf ? b * dst_T + dst_t + t : (dst_t + t) * B + b;
        gsize si = src_bf ? b * src_T + src_t + t : (src_t + t) * B + b;
        memcpy (dst + di * fb, src + si * fb, fb);
      }
    }
  }
}

GstFlowReturn
gst_rnn_run_failed (GstRnn * self, GError * err)
{
  if (err == NULL)
    return GST_FLOW_ERROR;      /* already posted (non-finite=error) */
  GST_ELEMENT_ERROR (self, STREAM, FAILED,
      ("The model failed to run: %s", err ? err->message : "unknown error"),
      (NULL));
  g_clear_error (&err);
  return GST_FLOW_ERROR;
}

/* Copy @k input frames into time-major scratch memory (@dst of @dst_T
 * frames, at frame @dst_t), replacing non-finite values by 0 under
 * non-finite=zero. */
static void
gst_rnn_copy_input (GstRnn * self, float *dst, gsize dst_T, gsize dst_t,
    const guint8 * src, gsize src_T, gsize src_t, gsize k)
{
  guint F = rnn_model_get_input_size (self->stream.model);

  gst_rnn_copy_frames ((guint8 *) dst, dst_T, dst_t, FALSE, src, src_T, src_t,
      self->config.batch_first, k, self->stream.batch, F);
  if (self->stream.buf_nonfinite
      && self->stream.buf_policy == GST_RNN_NON_FINITE_ZERO)
    gst_rnn_sanitize (dst + dst_t * self->stream.batch * F,
        k * self->stream.batch * F);
}

/* Run frames [@t0, @t1) of an input block of @n frames.  Goes through the
 * aligned scratch buffers when the memory is not float-aligned, when a
 * batch-first block is cut, or to replace non-finite values (@sanitize). */
static gboolean
gst_rnn_process_range (GstRnn * self, const guint8 * in, guint8 * out,
    gsize n, gsize t0, gsize t1, gboolean sanitize, GError ** err)
{
  RnnRunFlags flags = self->config.batch_first ? RNN_RUN_BATCH_FIRST : 0;
  gboolean bf = self->config.batch_first;
  guint B = self->stream.batch;
  guint F = rnn_model_get_input_size (self->stream.model);
  guint O = rnn_model_get_output_size (self->stream.model);
  gsize t;

  if (t1 <= t0)
    return TRUE;
  if (!sanitize && (!bf || (t0 == 0 && t1 == n))
      && ((guintptr) in % G_ALIGNOF (float)) == 0
      && ((guintptr) out % G_ALIGNOF (float)) == 0)
    return rnn_state_process (self->stream.state,
        (const float *) (in + t0 * B * F * sizeof (float)), t1 - t0, flags,
        (float *) (out + t0 * B * O * sizeof (float)), err);

  GST_LOG_OBJECT (self, "frames [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
      ") through scratch", t0, t1);
  for (t = t0; t < t1; t += self->stream.chunk_frames) {
    gsize k = MIN (self->stream.chunk_frames, t1 - t);

    gst_rnn_copy_frames ((guint8 *) self->stream.chunk_in, k, 0, bf, in, n,
        t, bf, k, B, F);
    if (sanitize)
      gst_rnn_sanitize (self->stream.chunk_in, k * B * F);
    if (!rnn_state_process (self->stream.state, self->stream.chunk_in, k, flags,
            self->stream.chunk_out, err))
      return FALSE;
    gst_rnn_copy_frames (out, n, t, bf,
        (const guint8 *) self->stream.chunk_out, k, 0, bf, k, B, O);
  }
  return TRUE;
}

/* n-to-n: run the @n frames at @in, applying the non-finite policy. */
gboolean
gst_rnn_process (GstRnn * self, const guint8 * in, guint8 * out, gsize n,
    GError ** err)
{
  gsize pos = 0;
  guint b;

  if (n == 0)
    return TRUE;
  if (!self->stream.buf_nonfinite)
    return gst_rnn_process_range (self, in, out, n, 0, n, FALSE, err);
  if (self->stream.buf_policy == GST_RNN_NON_FINITE_ZERO)
    return gst_rnn_process_range (self, in, out, n, 0, n, TRUE, err);

  /* reset-stream: cut the block after every frame that holds a non-finite
   * value and reset the streams concerned there. */
  while (pos < n) {
    gsize t;
    gboolean any = FALSE;

    for (t = pos; t < n && !any; t++)
      for (b = 0; b < self->stream.batch && !any; b++)
        any = gst_rnn_frame_bad (self, in, n, t, b);
    /* t is one past the first bad frame, or n */
    if (!gst_rnn_process_range (self, in, out, n, pos, t, FALSE, err))
      return FALSE;
    if (any)
      for (b = 0; b < self->stream.batch; b++)
        if (gst_rnn_frame_bad (self, in, n, t - 1, b)) {
          GST_LOG_OBJECT (self, "stream %u: reset after frame %" G_GSIZE_FORMAT,
              b, t - 1);
          rnn_state_reset_stream (self->stream.state, b);
        }
    pos = t;
  }
  return TRUE;
}

/* 1-to-n: every one of the @n input frames at @in drives config.steps
 * output frames, written to @out in the buffer layout. */
gboolean
gst_rnn_generate_frames (GstRnn * self, const guint8 * in, guint8 * out,
    gsize n, GError ** err)
{
  guint B = self->stream.batch;
  guint F = rnn_model_get_input_size (self->stream.model);
  guint O = rnn_model_get_output_size (self->stream.model);
  guint steps = self->config.steps;
  gboolean bf = self->config.batch_first;
  gsize frame = (gsize) B * F;  /* floats in one step of gen_in */
  gsize t;
  guint k;

  for (t = 0; t < n; t++) {
    /* the input frame becomes step 0 of gen_in (steps, B, F) */
    gst_rnn_copy_input (self, self->stream.gen_in, steps, 0, in, n, t, 1);
    if (!self->config.carry)
      rnn_state_reset (self->stream.state);

    if (self->config.feed == GST_RNN_FEED_FEEDBACK) {
      /* O == F: each output frame is the next step's input */
      if (!rnn_state_process (self->stream.state, self->stream.gen_in, 1,
              RNN_RUN_NONE, self->stream.gen_out, err))
        return FALSE;
      for (k = 1; k < steps; k++)
        if (!rnn_state_process (self->stream.state,
                self->stream.gen_out + (gsize) (k - 1) * B * O, 1, RNN_RUN_NONE,
                self->stream.gen_out + (gsize) k * B * O, err))
          return FALSE;
    } else {
      /* repeat: the frame at every step; first: steps 1.. stay zero */
      if (self->config.feed == GST_RNN_FEED_REPEAT)
        for (k = 1; k < steps; k++)
          memcpy (self->stream.gen_in + k * frame, self->stream.gen_in,
              frame * sizeof (float));
      if (!rnn_state_process (self->stream.state, self->stream.gen_in, steps,
              RNN_RUN_NONE, self->stream.gen_out, err))
        return FALSE;
    }
    gst_rnn_copy_frames (out, n * steps, t * steps, bf,
        (const guint8 *) self->stream.gen_out, steps, 0, FALSE, steps, B, O);

    /* the state carried to the next frame must not stay poisoned */
    if (self->config.carry
        && !gst_rnn_guard_carried (self, self->stream.gen_in, 1))
      return FALSE;
  }
  return TRUE;
}

/* n-to-n windowed: is a partial window run (partial-window=auto|run) or
 * dropped? */
static gboolean
gst_rnn_run_partial (GstRnn * self)
{
  GstRnnPartialWindow policy;

  GST_OBJECT_LOCK (self);
  policy = self->settings.partial_window;
  GST_OBJECT_UNLOCK (self);
  return policy != GST_RNN_PARTIAL_WINDOW_DROP;
}

/* Run the collected (possibly partial) window as one independent sequence
 * and wrap the result in a new buffer. */
static GstFlowReturn
gst_rnn_finish_window (GstRnn * self, GstBuffer ** outbuf)
{
  guint B = self->stream.batch;
  guint O = rnn_model_get_output_size (self->stream.model);
  gsize n = self->stream.win_fill;
  GError *err = NULL;
  GstMapInfo map;
  GstBuffer *buf;

  *outbuf = NULL;
  if (n == 0)
    return GST_FLOW_OK;

  rnn_state_reset (self->stream.state);
  if (!rnn_state_process_window (self->stream.state, self->stream.win_in, n,
          RNN_RUN_NONE, self->stream.win_out, &err))
    return gst_rnn_run_failed (self, err);

  buf = gst_buffer_new_allocate (NULL, n * self->stream.out_frame_bytes, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  gst_rnn_copy_frames (map.data, n, 0, self->config.batch_first,
      (const guint8 *) self->stream.win_out, n, 0, FALSE, n, B, O);
  gst_buffer_unmap (buf, &map);

  GST_BUFFER_PTS (buf) = self->stream.win_pts;
  GST_BUFFER_DURATION (buf) = gst_rnn_frames_to_time (self, n);
  GST_BUFFER_OFFSET (buf) = self->stream.win_offset;
  if (self->stream.win_offset != GST_BUFFER_OFFSET_NONE)
    GST_BUFFER_OFFSET_END (buf) = self->stream.win_offset + n;
  if (self->stream.discont_pending) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    self->stream.discont_pending = FALSE;
  }

  GST_LOG_OBJECT (self, "window of %" G_GSIZE_FORMAT " frame(s) at %"
      GST_TIME_FORMAT, n, GST_TIME_ARGS (self->stream.win_pts));

  self->stream.win_fill = 0;
  self->stream.win_pts = GST_CLOCK_TIME_NONE;
  self->stream.win_offset = GST_BUFFER_OFFSET_NONE;
  *outbuf = buf;
  return GST_FLOW_OK;
}

/* Windowed mode: cut the input into windows; one output buffer per full
 * window.  Called repeatedly by the base class until it returns no
 * buffer. */
GstFlowReturn
gst_rnn_generate_window (GstRnn * self, GstBuffer ** outbuf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  guint window = self->config.window;
  GstFlowReturn ret;
  GstMapInfo map;
  gsize n;

  *outbuf = NULL;

  if (self->stream.win_inbuf == NULL) {
    GstBuffer *inbuf = trans->queued_buf;
    gboolean reset;

    trans->queued_buf = NULL;
    if (inbuf == NULL)
      return GST_FLOW_OK;

    ret = gst_rnn_begin_buffer (self, inbuf, &reset);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref (inbuf);
      return ret;
    }
    self->stream.win_inbuf = inbuf;
    self->stream.win_cursor = 0;
    if (reset) {
      /* The frames collected so far end a sequence: run them now. */
      if (!gst_rnn_run_partial (self))
        self->stream.win_fill = 0;
      ret = gst_rnn_finish_window (self, outbuf);
      gst_rnn_reset_state (self, "discont or reset signal");
      gst_rnn_apply_restore (self);
      if (ret != GST_FLOW_OK || *outbuf != NULL)
        return ret;
    } else {
      gst_rnn_apply_restore (self);
    }
  }

  if (!gst_buffer_map (self->stream.win_inbuf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = map.size / self->stream.in_frame_bytes;

  if (self->stream.win_cursor < n) {
    gsize k = MIN (window - self->stream.win_fill, n - self->stream.win_cursor);

    if (self->stream.win_fill == 0) {
      GstClockTime pts = GST_BUFFER_PTS (self->stream.win_inbuf);
      guint64 offset = GST_BUFFER_OFFSET (self->stream.win_inbuf);

      if (self->stream.win_cursor == 0) {
        self->stream.win_pts = pts;
      } else {
        GstClockTime d = gst_rnn_frames_to_time (self, self->stream.win_cursor);
        self->stream.win_pts = GST_CLOCK_TIME_IS_VALID (pts)
            && GST_CLOCK_TIME_IS_VALID (d) ? pts + d : GST_CLOCK_TIME_NONE;
      }
      self->stream.win_offset = offset != GST_BUFFER_OFFSET_NONE ?
          offset + self->stream.win_cursor : GST_BUFFER_OFFSET_NONE;
    }
    gst_rnn_copy_input (self, self->stream.win_in, window,
        self->stream.win_fill, map.data, n, self->stream.win_cursor, k);
    self->stream.win_fill += k;
    self->stream.win_cursor += k;
  }
  gst_buffer_unmap (self->stream.win_inbuf, &map);

  if (self->stream.win_cursor >= n)
    gst_buffer_replace (&self->stream.win_inbuf, NULL);

  if (self->stream.win_fill == window)
    return gst_rnn_finish_window (self, outbuf);

  return GST_FLOW_OK;
}

/* Copy the frames of an input buffer (@n frames at @data, starting at
 * *@cursor) into the ring until a window is complete or the buffer ends.
 * Frames before the next window's start (hop > window) are skipped.
 * Returns TRUE when frames [next_start, next_start + window) are all in
 * the ring. */
static gboolean
gst_rnn_ring_feed (GstRnn * self, const guint8 * data, gsize n,
    gsize * cursor, GstClockTime pts, guint64 offset)
{
  guint W = self->config.window;

  while (*cursor < n) {
    guint64 i = self->stream.frames_in;
    guint64 end = self->stream.next_start + W;
    gsize k, j;
    guint slot;

    if (i < self->stream.next_start) {
      k = MIN (n - *cursor, self->stream.next_start - i);
      self->stream.frames_in += k;
      *cursor += k;
      continue;
    }
    slot = i % W;
    k = MIN (n - *cursor, end - i);
    k = MIN (k, W - slot);
    gst_rnn_copy_input (self, self->stream.ring, W, slot, data, n, *cursor, k);
    for (j = 0; j < k; j++) {
      GstClockTime d = gst_rnn_frames_to_time (self, *cursor + j);

      self->stream.ring_pts[slot + j] = GST_CLOCK_TIME_IS_VALID (pts)
          && GST_CLOCK_TIME_IS_VALID (d) ? pts + d : GST_CLOCK_TIME_NONE;
      self->stream.ring_offset[slot + j] = offset != GST_BUFFER_OFFSET_NONE ?
          offset + *cursor + j : GST_BUFFER_OFFSET_NONE;
    }
    self->stream.frames_in += k;
    *cursor += k;
    if (self->stream.frames_in == end)
      return TRUE;
  }
  return FALSE;
}

/* Run the @len frames starting at frame @start (all in the ring) through
 * the network, from a zero state unless carry-state: the top layer's
 * outputs land in seq_out (len, B, R), the final state in the state. */
static gboolean
gst_rnn_run_window (GstRnn * self, guint64 start, guint len, GError ** err)
{
  guint W = self->config.window;
  gsize frame = (gsize) self->stream.batch *
      rnn_model_get_input_size (self->stream.model);
  guint slot = start % W;
  guint first = MIN (len, W - slot);

  /* unroll the ring into a time-major sequence */
  memcpy (self->stream.seq_in, self->stream.ring + slot * frame,
      first * frame * sizeof (float));
  if (len > first)
    memcpy (self->stream.seq_in + first * frame, self->stream.ring,
        (len - first) * frame * sizeof (float));

  if (!self->config.carry)
    rnn_state_reset (self->stream.state);
  return rnn_state_process_window (self->stream.state, self->stream.seq_in, len,
      RNN_RUN_NO_HEAD, self->stream.seq_out, err);
}

/* n-to-1: pool the window's outputs (rnn.pooling) and apply the head:
 * scores (B, O). */
static void
gst_rnn_pool_window (GstRnn * self, guint len)
{
  RnnModel *m = self->stream.model;
  guint B = self->stream.batch;
  guint R = rnn_model_get_rnn_output_size (m);
  gsize i, t;

  switch (rnn_model_get_pooling (m)) {
    case RNN_POOLING_LAST:
      memcpy (self->stream.pooled,
          self->stream.seq_out + (gsize) (len - 1) * B * R,
          (gsize) B * R * sizeof (float));
      break;
    case RNN_POOLING_MEAN:
      for (i = 0; i < (gsize) B * R; i++) {
        double acc = 0.0;

        for (t = 0; t < len; t++)
          acc += self->stream.seq_out[t * B * R + i];
        self->stream.pooled[i] = (float) (acc / len);
      }
      break;
    case RNN_POOLING_FINAL_STATE:{
      /* h_n is (L * D, B, H_out): the top layer's directions, joined */
      guint L = rnn_model_get_num_layers (m);
      guint D = rnn_model_is_bidirectional (m) ? 2 : 1;
      guint Hout = R / D;
      guint b, d;

      rnn_state_get (self->stream.state, self->stream.h_buf, NULL);
      for (b = 0; b < B; b++)
        for (d = 0; d < D; d++)
          memcpy (self->stream.pooled + (gsize) b * R + d * Hout,
              self->stream.h_buf + (((gsize) (L - 1) * D + d) * B + b) * Hout,
              Hout * sizeof (float));
      break;
    }
  }
  rnn_model_apply_head (m, self->stream.pooled, B, self->stream.scores);
}

/* Bookkeeping after the window starting at next_start has run and its
 * result is out.  A carried state must not stay poisoned: FALSE when
 * non-finite=error found it so (the error is posted). */
static gboolean
gst_rnn_window_done (GstRnn * self, guint len)
{
  self->stream.covered_end = self->stream.next_start + len;
  self->stream.next_start += self->config.hop;
  return !self->config.carry
      || gst_rnn_guard_carried (self, self->stream.seq_in, len);
}

/* n-to-1: run every window that ends in the @n frames at @data, the
 * mapped input buffer @buf, and attach the results to @buf; post them too
 * if @post.  The data is not touched. */
GstFlowReturn
gst_rnn_annotate (GstRnn * self, GstBuffer * buf, const guint8 * data,
    gsize n, gboolean post)
{
  GstClockTime pts = GST_BUFFER_PTS (buf);
  guint64 offset = GST_BUFFER_OFFSET (buf);
  guint W = self->config.window;
  GError *err = NULL;
  gsize cursor = 0;

  while (gst_rnn_ring_feed (self, data, n, &cursor, pts, offset)) {
    if (!gst_rnn_run_window (self, self->stream.next_start, W, &err))
      return gst_rnn_run_failed (self, err);
    gst_rnn_pool_window (self, W);
    gst_rnn_emit_results (self, buf, self->stream.next_start, W, post);
    if (!gst_rnn_window_done (self, W))
      return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

/* n-to-m: decode the window that just ran through the encoder (@len
 * frames, the last input frame in seq_in) into a new buffer of config.steps
 * frames stamped as the continuation after the window. */
static GstFlowReturn
gst_rnn_decode_window (GstRnn * self, guint len, GstBuffer ** outbuf)
{
  RnnModel *enc = self->stream.model, *dec = self->stream.decoder;
  guint B = self->stream.batch;
  guint steps = self->config.steps;
  guint O = rnn_model_get_output_size (dec);
  guint Fd = rnn_model_get_input_size (dec);
  guint R = rnn_model_get_rnn_output_size (enc);
  guint last = (self->stream.next_start + len - 1) % self->config.window;
  GstClockTime pts = self->stream.ring_pts[last];
  guint64 offset = self->stream.ring_offset[last];
  GstClockTime frame_dur = gst_rnn_frames_to_time (self, 1);
  GError *err = NULL;
  GstMapInfo map;
  GstBuffer *buf;
  guint k;

  /* the encoder's final state starts the decoder (same shapes: checked
   * at start) */
  rnn_state_get (self->stream.state, self->stream.h_buf,
      rnn_model_get_cell (enc) == RNN_CELL_LSTM ? self->stream.c_buf : NULL);
  rnn_state_set (self->stream.dec_state, self->stream.h_buf,
      rnn_model_get_cell (enc) == RNN_CELL_LSTM ? self->stream.c_buf : NULL);

  if (self->config.feed == GST_RNN_FEED_CONTEXT) {
    /* the encoder's last top-layer output at every step */
    const float *ctx = self->stream.seq_out + (gsize) (len - 1) * B * R;

    g_assert (Fd == R);
    for (k = 0; k < steps; k++)
      memcpy (self->stream.gen_in + (gsize) k * B * Fd, ctx,
          (gsize) B * R * sizeof (float));
    if (!rnn_state_process (self->stream.dec_state, self->stream.gen_in, steps,
            RNN_RUN_NONE, self->stream.gen_out, &err))
      return gst_rnn_run_failed (self, err);
  } else {
    /* the window's last frame, then each output (Fd == O) */
    if (!rnn_state_process (self->stream.dec_state,
            self->stream.seq_in + (gsize) (len - 1) * B * Fd, 1, RNN_RUN_NONE,
            self->stream.gen_out, &err))
      return gst_rnn_run_failed (self, err);
    for (k = 1; k < steps; k++)
      if (!rnn_state_process (self->stream.dec_state,
              self->stream.gen_out + (gsize) (k - 1) * B * O, 1, RNN_RUN_NONE,
              self->stream.gen_out + (gsize) k * B * O, &err))
        return gst_rnn_run_failed (self, err);
  }

  buf = gst_buffer_new_allocate (NULL,
      (gsize) steps * self->stream.out_frame_bytes, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  gst_rnn_copy_frames (map.data, steps, 0, self->config.batch_first,
      (const guint8 *) self->stream.gen_out, steps, 0, FALSE, steps, B, O);
  gst_buffer_unmap (buf, &map);

  GST_BUFFER_PTS (buf) = GST_CLOCK_TIME_IS_VALID (pts)
      && GST_CLOCK_TIME_IS_VALID (frame_dur) ? pts + frame_dur :
      GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = gst_rnn_frames_to_time (self, steps);
  if (offset != GST_BUFFER_OFFSET_NONE) {
    GST_BUFFER_OFFSET (buf) = offset + 1;
    GST_BUFFER_OFFSET_END (buf) = offset + 1 + steps;
  }
  if (self->stream.discont_pending) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    self->stream.discont_pending = FALSE;
  }
  GST_LOG_OBJECT (self, "forecast of %u frame(s) at %" GST_TIME_FORMAT
      " from a window of %u", steps, GST_TIME_ARGS (GST_BUFFER_PTS (buf)),
      len);
  *outbuf = buf;
  return GST_FLOW_OK;
}

/* n-to-m: cut the input into windows; one forecast buffer per window.
 * Called repeatedly by the base class until it returns no buffer. */
GstFlowReturn
gst_rnn_generate_forecast (GstRnn * self, GstBuffer ** outbuf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  guint W = self->config.window;
  GError *err = NULL;
  GstFlowReturn ret;
  GstMapInfo map;
  gboolean complete;
  gsize n, cursor;

  *outbuf = NULL;

  if (self->stream.win_inbuf == NULL) {
    GstBuffer *inbuf = trans->queued_buf;
    gboolean reset;

    trans->queued_buf = NULL;
    if (inbuf == NULL)
      return GST_FLOW_OK;

    ret = gst_rnn_begin_buffer (self, inbuf, &reset);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref (inbuf);
      return ret;
    }
    if (reset)
      gst_rnn_reset_state (self, "discont or reset signal");
    gst_rnn_apply_restore (self);
    self->stream.win_inbuf = inbuf;
    self->stream.win_cursor = 0;
  }

  if (!gst_buffer_map (self->stream.win_inbuf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = map.size / self->stream.in_frame_bytes;
  cursor = self->stream.win_cursor;
  complete = gst_rnn_ring_feed (self, map.data, n, &cursor,
      GST_BUFFER_PTS (self->stream.win_inbuf),
      GST_BUFFER_OFFSET (self->stream.win_inbuf));
  self->stream.win_cursor = cursor;
  gst_buffer_unmap (self->stream.win_inbuf, &map);

  if (self->stream.win_cursor >= n)
    gst_buffer_replace (&self->stream.win_inbuf, NULL);

  if (!complete)
    return GST_FLOW_OK;

  if (!gst_rnn_run_window (self, self->stream.next_start, W, &err))
    return gst_rnn_run_failed (self, err);
  ret = gst_rnn_decode_window (self, W, outbuf);
  if (!gst_rnn_window_done (self, W) && ret == GST_FLOW_OK) {
    gst_buffer_replace (outbuf, NULL);
    ret = GST_FLOW_ERROR;
  }
  return ret;
}

/* Is the end-of-stream tail [next_start, frames_in) to be run?  It must
 * hold frames no earlier window covered. */
static gboolean
gst_rnn_tail_due (GstRnn * self, guint * len)
{
  GstRnnPartialWindow policy;

  GST_OBJECT_LOCK (self);
  policy = self->settings.partial_window;
  GST_OBJECT_UNLOCK (self);

  *len = 0;
  if (self->stream.ring == NULL
      || self->stream.frames_in <= self->stream.next_start
      || self->stream.frames_in <= self->stream.covered_end)
    return FALSE;
  *len = (guint) (self->stream.frames_in - self->stream.next_start);
  if (policy != GST_RNN_PARTIAL_WINDOW_RUN) {
    GST_DEBUG_OBJECT (self, "dropping a partial window of %u frame(s)", *len);
    return FALSE;
  }
  return TRUE;
}

/* EOS in n-to-1 / n-to-m: run the partial window if due.  n-to-1 can only
 * post its result (the buffers are gone); n-to-m pushes a forecast. */
GstFlowReturn
gst_rnn_drain_tail (GstRnn * self)
{
  GError *err = NULL;
  GstBuffer *buf = NULL;
  GstFlowReturn ret = GST_FLOW_OK;
  gboolean post;
  guint len;

  g_rec_mutex_lock (&self->state_lock);
  if (!gst_rnn_tail_due (self, &len))
    goto done;

  GST_DEBUG_OBJECT (self, "running a partial window of %u frame(s)", len);
  if (!gst_rnn_run_window (self, self->stream.next_start, len, &err)) {
    ret = gst_rnn_run_failed (self, err);
    goto done;
  }

  if (self->config.mode == GST_RNN_MODE_N_TO_1) {
    GST_OBJECT_LOCK (self);
    post = self->settings.post_messages;
    GST_OBJECT_UNLOCK (self);
    gst_rnn_pool_window (self, len);
    gst_rnn_emit_results (self, NULL, self->stream.next_start, len, post);
  } else {
    ret = gst_rnn_decode_window (self, len, &buf);
  }
  gst_rnn_window_done (self, len);
  self->stream.frames_in = self->stream.next_start =
      self->stream.covered_end = 0;

done:
  g_rec_mutex_unlock (&self->state_lock);
  /* never push with the state lock held: downstream may block */
  if (buf != NULL)
    ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
  return ret;
}

/* Run a partial window before an event that ends the sequence. */
GstFlowReturn
gst_rnn_drain_window (GstRnn * self)
{
  GstBuffer *buf = NULL;
  GstFlowReturn ret = GST_FLOW_OK;

  g_rec_mutex_lock (&self->state_lock);
  if (self->stream.win_in == NULL || self->stream.win_fill == 0) {
    /* nothing pending */
  } else if (!gst_rnn_run_partial (self)) {
    GST_DEBUG_OBJECT (self, "dropping a partial window of %u frame(s)",
        self->stream.win_fill);
    self->stream.win_fill = 0;
  } else {
    GST_DEBUG_OBJECT (self, "draining a partial window of %u frame(s)",
        self->stream.win_fill);
    ret = gst_rnn_finish_window (self, &buf);
  }
  g_rec_mutex_unlock (&self->state_lock);

  /* never push with the state lock held: downstream may block */
  if (ret == GST_FLOW_OK && buf != NULL)
    ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
  return ret;
}

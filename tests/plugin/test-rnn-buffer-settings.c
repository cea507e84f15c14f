/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One settings snapshot per buffer: the properties that may change while
 * playing are read once, at the start of each input buffer, so a buffer
 * runs with the values in force when it arrived, and a value set while it
 * runs takes effect at the next one.  Here the value is set from inside
 * the buffer: a bus sync handler (streaming thread) turns post-messages
 * off when the timestamp-jump WARNING, posted at the buffer's start, goes
 * by.  That buffer's result is still posted; the next one's is not. */
#include "rnn-test-gst.h"

#define BS_F 1
#define BS_H 4
#define BS_W 4                  /* window = frames per buffer */

typedef struct
{
  GstElement *rnn;
  guint warnings;
} Handler;

static GstBusSyncReply
post_off_on_warning (GstBus * bus, GstMessage * msg, gpointer data)
{
  Handler *hd = data;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
    hd->warnings++;
    g_object_set (hd->rnn, "post-messages", FALSE, NULL);
  }
  return GST_BUS_PASS;
}

/* Push frames [t0, t0 + BS_W) stamped @late ns late; the results the
 * buffer's meta carries must be one window, and the bus @n_messages. */
static void
push_window (GstHarness * h, const float *x, guint t0, GstClockTime late,
    guint n_messages, const gchar * what)
{
  GstBuffer *in = tm_frames (x, 1, BS_F, t0, BS_W), *out;
  GArray *metas, *msgs;

  GST_BUFFER_PTS (in) += late;
  out = push_pull (h, in);
  metas = buffer_results (out);
  fail_unless_equals_int (metas->len, 1);
  msgs = bus_results (harness_bus (h));
  fail_unless (msgs->len == n_messages, "%s: %u result messages, expected "
      "%u", what, msgs->len, n_messages);
  g_array_unref (msgs);
  g_array_unref (metas);
  gst_buffer_unref (out);
}

GST_START_TEST (test_set_during_buffer)
{
  gchar *model = tiny_model (BS_F, BS_H);
  float *x = rnn_test_make_input (3 * BS_W, 1, BS_F, 0.3f);
  GstElement *rnn = make_plain_rnn (model, "n-to-1");
  Handler hd = { rnn, 0 };
  GstHarness *h;
  gboolean post;

  g_object_set (rnn, "window", BS_W, NULL);
  h = harness_audio (rnn, BS_F);
  gst_bus_set_sync_handler (harness_bus (h), post_off_on_warning, &hd, NULL);

  push_window (h, x, 0, 0, 1, "first buffer");
  /* one second late: a jump, warned about at the buffer's start, where
   * the handler turns post-messages off */
  push_window (h, x, BS_W, GST_SECOND, 1, "buffer during which "
      "post-messages was set");
  fail_unless_equals_int (hd.warnings, 1);
  g_object_get (rnn, "post-messages", &post, NULL);
  fail_if (post);
  /* the next buffer runs with the new value */
  push_window (h, x, 2 * BS_W, GST_SECOND, 0, "next buffer");

  gst_bus_set_sync_handler (harness_bus (h), NULL, NULL, NULL);
  harness_done (h);
  g_free (x);
  g_free (model);
}

GST_END_TEST;

static Suite *
rnn_buffer_settings_suite (void)
{
  Suite *s = suite_create ("rnn-buffer-settings");
  TCase *tc = tcase_create ("snapshot");

  tcase_add_test (tc, test_set_during_buffer);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_buffer_settings);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext behind an rnn that makes no results (mode=n-to-n outputs
 * frames, no results meta) used to write nothing and end without a word:
 * it now posts one WARNING at EOS naming the rnn upstream, its mode and
 * the mode that makes results; the pipeline still ends with EOS.  With
 * results (mode=n-to-1) there is no such warning. */
#include <string.h>

#include "rnn-test-gst.h"

/* Run @desc to EOS (30 s at most); returns the WARNING messages rnntext0
 * posted, joined by '\n' (g_free), or NULL. */
static gchar *
rnntext_warnings (const gchar * desc)
{
  GError *perr = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &perr);
  GString *warnings = g_string_new (NULL);
  GstBus *bus;
  GstMessage *msg;
  gboolean done = FALSE;

  fail_unless (pipeline != NULL && perr == NULL, "%s: %s", desc,
      perr ? perr->message : "");
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (!done) {
    msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
    fail_unless (msg != NULL, "%s: no EOS in 30 s", desc);
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR, "%s: ERROR", desc);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING
        && g_str_equal (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), "rnntext0")) {
      GError *err = NULL;

      gst_message_parse_warning (msg, &err, NULL);
      g_string_append_printf (warnings, "%s%s", warnings->len ? "\n" : "",
          err->message);
      g_error_free (err);
    }
    done = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return g_string_free (warnings, warnings->len == 0);
}

static gchar *
desc_for (const gchar * rnn_args)
{
  gchar *model = tiny_model (1, 3);
  gchar *desc = g_strdup_printf ("audiotestsrc num-buffers=10 "
      "samplesperbuffer=100 ! audio/x-raw, format=F32LE, rate=1000, "
      "channels=1 ! rnn name=rnn0 model=%s %s ! queue ! rnntext "
      "name=rnntext0 ! fakesink", model, rnn_args);

  g_free (model);
  return desc;
}

GST_START_TEST (test_n_to_n_warns)
{
  gchar *desc = desc_for ("");
  gchar *w = rnntext_warnings (desc);
  const gchar *needles[] = { "received 10 buffers and no results",
    "rnn0 runs mode=n-to-n", "set mode=n-to-1", NULL
  };

  fail_unless (w != NULL, "%s: no WARNING from rnntext", desc);
  fail_if (strchr (w, '\n') != NULL, "more than one WARNING: %s", w);
  for (guint i = 0; needles[i]; i++)
    fail_unless (strstr (w, needles[i]) != NULL,
        "WARNING \"%s\" does not mention \"%s\"", w, needles[i]);
  g_free (w);
  g_free (desc);
}

GST_END_TEST;

/* n-to-1 with a window longer than the stream: no result either */
GST_START_TEST (test_window_too_long_warns)
{
  gchar *desc = desc_for ("mode=n-to-1 window=5000 partial-window=drop");
  gchar *w = rnntext_warnings (desc);

  fail_unless (w != NULL, "%s: no WARNING from rnntext", desc);
  fail_unless (strstr (w, "mode=n-to-1 with window=5000") != NULL, "%s", w);
  g_free (w);
  g_free (desc);
}

GST_END_TEST;

GST_START_TEST (test_results_no_warning)
{
  gchar *desc = desc_for ("mode=n-to-1 window=100");
  gchar *w = rnntext_warnings (desc);

  fail_unless (w == NULL, "%s: unexpected WARNING %s", desc, w);
  g_free (desc);
}

GST_END_TEST;

static Suite *
rnntext_suite (void)
{
  Suite *s = suite_create ("rnntext-no-results");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_n_to_n_warns);
  tcase_add_test (tc, test_window_too_long_warns);
  tcase_add_test (tc, test_results_no_warning);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec over its hostile-model corpus (tests/plugin/melspec-malformed,
 * written by gen_melspec_malformed.py): each model carries rnn.frontend.*
 * metadata that is hostile one way, and expected.txt says what melspec
 * model=FILE must do with it: refuse the start or the caps with an error
 * naming the key and the numbers, start with a WARNING, or start quietly.
 * Never a crash, a CRITICAL (gstcheck fails on one) or a huge
 * allocation. */
#include "melspec-test.h"

#define CAPS "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, " \
    "channels=1"

static const gchar *
corpus_dir (void)
{
  const gchar *d = g_getenv ("MELSPEC_MALFORMED_DIR");

  fail_unless (d != NULL, "MELSPEC_MALFORMED_DIR not set");
  return d;
}

/* Caps, a segment and one frame of silence into @h: the flow. */
static GstFlowReturn
feed_frame (GstHarness * h)
{
  GstSegment segment;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 400 * 4, NULL);

  push_caps_str (h, CAPS);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  gst_buffer_memset (buf, 0, 0, 400 * 4);
  return gst_harness_push (h, buf);
}

static void
check_entry (const gchar * path, const gchar * code,
    const gchar * const *needles)
{
  GstElement *e = make_melspec ();
  GPtrArray *all = g_ptr_array_new ();

  g_object_set (e, "model", path, NULL);
  if (g_str_has_prefix (code, "START-")) {
    g_ptr_array_add (all, (gpointer) path);
    for (guint i = 0; needles[i]; i++)
      g_ptr_array_add (all, (gpointer) needles[i]);
    g_ptr_array_add (all, NULL);
    gboolean lib = g_str_equal (code, "START-LIB");

    check_start_error (e, lib ? GST_LIBRARY_ERROR : GST_RESOURCE_ERROR,
        lib ? GST_LIBRARY_ERROR_SETTINGS : GST_RESOURCE_ERROR_SETTINGS,
        (const gchar * const *) all->pdata);
  } else {
    GstHarness *h;
    GstBus *bus = gst_bus_new ();

    /* start on a bus of our own to see the start's warnings */
    gst_element_set_bus (e, bus);
    fail_unless (gst_element_set_state (e, GST_STATE_READY) ==
        GST_STATE_CHANGE_SUCCESS, "%s", path);
    h = harness_new (e, NULL);
    if (g_str_equal (code, "CAPS")) {
      fail_unless_equals_int (feed_frame (h), GST_FLOW_NOT_NEGOTIATED);
      check_bus_error (harness_bus (h), GST_CORE_ERROR,
          GST_CORE_ERROR_NEGOTIATION, needles);
    } else {
      fail_unless_equals_int (feed_frame (h), GST_FLOW_OK);
      if (g_str_equal (code, "WARN"))
        check_one_warning (bus, needles);
      else
        expect_no_warning (bus);
    }
    gst_object_unref (bus);
    harness_done (h);
  }
  g_ptr_array_unref (all);
}

GST_START_TEST (test_corpus)
{
  g_autofree gchar *file = g_build_filename (corpus_dir (), "expected.txt",
      NULL);
  gchar *text = NULL, **lines;
  guint n = 0;

  fail_unless (g_file_get_contents (file, &text, NULL, NULL), "%s", file);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    gchar **f;
    g_autofree gchar *path = NULL;

    if (!*lines[i] || lines[i][0] == '#')
      continue;
    f = g_strsplit (lines[i], " | ", -1);
    fail_unless (f[0] && f[1], "bad line %s", lines[i]);
    path = g_build_filename (corpus_dir (), f[0], NULL);
    GST_INFO ("%s: %s", f[0], f[1]);
    check_entry (path, f[1], (const gchar * const *) f + 2);
    g_strfreev (f);
    n++;
  }
  fail_unless (n >= 20, "only %u entries", n);
  g_strfreev (lines);
  g_free (text);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-malformed");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_corpus);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

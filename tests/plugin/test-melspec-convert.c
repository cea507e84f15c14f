/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CONVERT queries are answered in each pad's own units: on the source pad
 * the features' (rate / hop-length frames per second, frames of
 * channels x features floats), on the sink pad the input's; before caps
 * there is nothing to convert with.  Main forwarded the source pad's
 * query upstream and answered in input samples (1 s = 16000). */
#include "melspec-test.h"

#define CAPS "audio/x-raw, format=S16LE, layout=interleaved, rate=16000, " \
    "channels=2"

static gboolean
convert (GstPad * pad, GstFormat from, gint64 v, GstFormat to, gint64 * out)
{
  GstQuery *q = gst_query_new_convert (from, v, to);
  gboolean ok = gst_pad_query (pad, q);

  if (ok)
    gst_query_parse_convert (q, NULL, NULL, NULL, out);
  gst_query_unref (q);
  return ok;
}

GST_START_TEST (test_convert_units)
{
  GstElement *e = make_melspec ();
  GstHarness *h;
  GstPad *src, *sink;
  gint64 v;

  g_object_set (e, "n-mels", 40, "hop-length", 160, NULL);
  h = harness_new (e, NULL);
  src = gst_element_get_static_pad (e, "src");
  sink = gst_element_get_static_pad (e, "sink");
  fail_if (convert (src, GST_FORMAT_TIME, GST_SECOND, GST_FORMAT_DEFAULT,
          &v));
  gst_harness_set_src_caps_str (h, CAPS);

  /* 1 s of features: 100 frames of 2 x 40 floats */
  fail_unless (convert (src, GST_FORMAT_TIME, GST_SECOND, GST_FORMAT_DEFAULT,
          &v));
  fail_unless_equals_int64 (v, 100);
  fail_unless (convert (src, GST_FORMAT_DEFAULT, 100, GST_FORMAT_BYTES, &v));
  fail_unless_equals_int64 (v, 100 * 2 * 40 * 4);
  fail_unless (convert (src, GST_FORMAT_BYTES, 320, GST_FORMAT_TIME, &v));
  fail_unless_equals_int64 (v, 10 * GST_MSECOND);
  /* the input: 16000 samples of 2 x 2 bytes */
  fail_unless (convert (sink, GST_FORMAT_TIME, GST_SECOND,
          GST_FORMAT_DEFAULT, &v));
  fail_unless_equals_int64 (v, 16000);
  fail_unless (convert (sink, GST_FORMAT_DEFAULT, 16000, GST_FORMAT_BYTES,
          &v));
  fail_unless_equals_int64 (v, 64000);
  gst_object_unref (src);
  gst_object_unref (sink);
  harness_done (h);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-convert");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_convert_units);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

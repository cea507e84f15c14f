/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec converts audio to feature frames: its klass is that of a
 * converter (Filter/Converter/Audio, audioconvert's), not an analyser
 * (spectrum's Filter/Analyzer/Audio posts messages and passes the audio
 * on). */
#include "melspec-test.h"

GST_START_TEST (test_klass)
{
  GstElement *e = make_melspec ();
  const gchar *klass = gst_element_get_metadata (e,
      GST_ELEMENT_METADATA_KLASS);

  fail_unless_equals_string (klass, "Filter/Converter/Audio");
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-klass");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_klass);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The front-end properties and model are GST_PARAM_MUTABLE_READY: set in
 * PAUSED or PLAYING they are refused with a WARNING naming the property,
 * read back the value in force and leave the features as they were;
 * timestamp-tolerance and timestamp-policy (MUTABLE_PLAYING) still apply
 * at once.  In READY they are taken at the next start. */
#include "melspec-test.h"

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })
#define CAPS "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, " \
    "channels=1"

static GstBuffer *
zeros (guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * 4, NULL);

  gst_buffer_memset (buf, 0, 0, n * 4);
  return buf;
}

GST_START_TEST (test_set_while_playing)
{
  GstHarness *h = harness_new (make_melspec (), CAPS);
  GstBuffer *out;
  gint n_mels;
  gchar *model;
  gint64 tolerance;

  out = push_pull (h, zeros (400));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 40 * 4);
  gst_buffer_unref (out);

  g_object_set (h->element, "n-mels", 64, NULL);
  check_one_warning (harness_bus (h), NEEDLES ("n-mels=64", "n-mels",
          "READY"));
  g_object_get (h->element, "n-mels", &n_mels, NULL);
  fail_unless_equals_int (n_mels, 40);
  g_object_set (h->element, "model", "other.safetensors", NULL);
  check_one_warning (harness_bus (h), NEEDLES ("model", "other.safetensors"));
  g_object_get (h->element, "model", &model, NULL);
  fail_unless (model == NULL);
  /* the features are still 40 bands */
  out = push_pull (h, zeros (160));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 40 * 4);
  gst_buffer_unref (out);

  /* mutable in PLAYING: taken at once, no warning */
  g_object_set (h->element, "timestamp-tolerance", (gint64) 0, NULL);
  g_object_get (h->element, "timestamp-tolerance", &tolerance, NULL);
  fail_unless_equals_int64 (tolerance, 0);
  expect_no_warning (harness_bus (h));
  harness_done (h);
}

GST_END_TEST;

GST_START_TEST (test_set_in_ready)
{
  GstElement *e = make_melspec ();
  gint n_mels;

  fail_unless (gst_element_set_state (e, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  g_object_set (e, "n-mels", 64, NULL);
  g_object_get (e, "n-mels", &n_mels, NULL);
  fail_unless_equals_int (n_mels, 64);
  gst_element_set_state (e, GST_STATE_NULL);
  {
    GstHarness *h = harness_new (e, CAPS);
    GstBuffer *out = push_pull (h, zeros (400));

    fail_unless_equals_uint64 (gst_buffer_get_size (out), 64 * 4);
    gst_buffer_unref (out);
    harness_done (h);
  }
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-properties");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_set_while_playing);
  tcase_add_test (tc, test_set_in_ready);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

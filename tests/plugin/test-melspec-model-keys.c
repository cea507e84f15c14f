/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A model file sets only melspec's own front-end properties: an
 * rnn.frontend.* key naming anything else (a later version's parameter, a
 * misspelling, GstObject's "name", the element's "model" or timestamp
 * settings) is ignored with one WARNING naming the keys, as the core and
 * the rnn element do with unknown rnn.* keys, and the file still loads. */
#include "melspec-test.h"

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })

/* Start melspec on @meta; it must reach PAUSED with one WARNING naming
 * @needles; returns the element (in NULL; unref it). */
static GstElement *
start_with_warning (const gchar * name, const gchar ** meta,
    const gchar * const *needles)
{
  gchar *path = mel_model (name, 64, meta);
  GstElement *e = make_melspec ();
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (e, bus);
  g_object_set (e, "model", path, NULL);
  fail_unless (gst_element_set_state (e, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE);
  check_one_warning (bus, needles);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  g_free (path);
  return e;
}

GST_START_TEST (test_unknown_keys_warn)
{
  const gchar *meta[] = { "rnn.frontend", "melspec",
    "rnn.frontend.n-mels", "64", "rnn.frontend.n-bands", "40",
    "rnn.frontend.pre-emphasis", "0.97", NULL
  };
  GstElement *e = start_with_warning ("unknown-keys", meta,
      NEEDLES ("rnn.frontend.n-bands", "rnn.frontend.pre-emphasis",
          "ignored"));

  /* the known key still applies: the caps say 64 features */
  {
    GstHarness *h = harness_new (e, "audio/x-raw, format=F32LE, "
        "layout=interleaved, rate=16000, channels=1");
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 400 * 4, NULL);
    GstBuffer *out;

    gst_buffer_memset (buf, 0, 0, 400 * 4);
    out = push_pull (h, buf);
    fail_unless_equals_uint64 (gst_buffer_get_size (out), 64 * 4);
    gst_buffer_unref (out);
    harness_done (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_object_name_not_set)
{
  const gchar *meta[] = { "rnn.frontend", "melspec",
    "rnn.frontend.name", "evil", "rnn.frontend.model", "other.safetensors",
    "rnn.frontend.timestamp-tolerance", "0", NULL
  };
  GstElement *e = start_with_warning ("object-name", meta,
      NEEDLES ("rnn.frontend.name", "rnn.frontend.model",
          "rnn.frontend.timestamp-tolerance"));
  gchar *model;
  gint64 tolerance;

  fail_if (g_str_equal (GST_OBJECT_NAME (e), "evil"));
  g_object_get (e, "model", &model, "timestamp-tolerance", &tolerance, NULL);
  fail_unless (g_str_has_suffix (model, "object-name.safetensors"));
  fail_unless_equals_int64 (tolerance, 40 * GST_MSECOND);
  g_free (model);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-model-keys");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_unknown_keys_warn);
  tcase_add_test (tc, test_object_name_not_set);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

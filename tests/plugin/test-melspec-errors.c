/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec refuses what it cannot do, naming the property, file or key and
 * the numbers that clash, with an ERROR on the bus and no crash: a rate
 * that is not a multiple of hop-length, bad property combinations (at
 * start or, when they depend on the rate, at caps), the wrong input rate
 * for sample-rate, and model files without a front end, with an invalid
 * rnn.frontend.* value (unknown keys: test-melspec-model-keys.c), or
 * conflicting with an explicitly set property. */
#include "melspec-test.h"

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })

/* @e (taken) with caps @caps must be refused with an error mentioning the
 * needles. */
static void
check_caps_error (GstElement * e, const gchar * caps,
    const gchar * const *needles)
{
  GstHarness *h = harness_new (e, NULL);
  GstSegment segment;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 64, NULL);

  push_caps_str (h, caps);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  gst_buffer_memset (buf, 0, 0, 64);
  /* data is refused, and nothing comes out */
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_NOT_NEGOTIATED);
  check_bus_error (harness_bus (h), GST_CORE_ERROR,
      GST_CORE_ERROR_NEGOTIATION, needles);
  fail_unless (gst_harness_try_pull (h) == NULL);
  harness_done (h);
}

static GstElement *
melspec_with (const gchar * props)
{
  GstElement *e = make_melspec ();
  gchar **kv = g_strsplit (props, " ", -1);

  for (guint i = 0; kv[i] && *kv[i]; i++) {
    gchar **p = g_strsplit (kv[i], "=", 2);

    gst_util_set_object_arg (G_OBJECT (e), p[0], p[1]);
    g_strfreev (p);
  }
  g_strfreev (kv);
  return e;
}

GST_START_TEST (test_rate_not_multiple_of_hop)
{
  check_caps_error (melspec_with ("hop-length=160"),
      "audio/x-raw, format=F32LE, layout=interleaved, rate=22050, "
      "channels=1", NEEDLES ("22050", "hop-length=160", "137.8125"));
  /* the same hop at 16 kHz is fine */
  {
    GstHarness *h = harness_new (melspec_with ("hop-length=160"),
        "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, "
        "channels=1");
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 400 * 4, NULL);
    GstBuffer *out;

    gst_buffer_memset (buf, 0, 0, 400 * 4);
    out = push_pull (h, buf);
    fail_unless_equals_uint64 (gst_buffer_get_size (out), 40 * 4);
    gst_buffer_unref (out);
    harness_done (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_rate_dependent_combos)
{
  const gchar *caps8k = "audio/x-raw, format=S16LE, layout=interleaved, "
      "rate=8000, channels=2";

  check_caps_error (melspec_with ("f-max=5000 hop-length=80"), caps8k,
      NEEDLES ("f-max=5000", "8000", "4000"));
  check_caps_error (melspec_with ("sample-rate=16000 hop-length=80"), caps8k,
      NEEDLES ("8000", "sample-rate=16000"));
  /* f-min above the default f-max (half the rate) */
  check_caps_error (melspec_with ("f-min=4000 hop-length=80"), caps8k,
      NEEDLES ("f-min=4000", "f-max=4000"));
}

GST_END_TEST;

GST_START_TEST (test_property_combos)
{
  check_start_error (melspec_with ("n-mels=40 n-mfcc=50"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("n-mfcc=50", "n-mels=40"));
  check_start_error (melspec_with ("n-fft=256 win-length=400"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("win-length=400", "n-fft=256"));
  check_start_error (melspec_with ("n-fft=401"), GST_LIBRARY_ERROR,
      GST_LIBRARY_ERROR_SETTINGS, NEEDLES ("n-fft=401", "even"));
  check_start_error (melspec_with ("f-min=3000 f-max=2000"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("f-min=3000", "f-max=2000"));
  check_start_error (melspec_with ("log=ln log-offset=0"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("log-offset=0", "log=ln"));
  check_start_error (melspec_with ("preset=kaldi-fbank window=hamming"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("window=hamming", "kaldi-fbank"));
  check_start_error (melspec_with ("preset=kaldi-fbank log=db"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("log=db", "kaldi-fbank"));
  check_start_error (melspec_with ("preset=kaldi-fbank power=1.5"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("power=1.5", "kaldi-fbank"));
  check_start_error (melspec_with ("preset=kaldi-fbank n-mfcc=13"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("n-mfcc=13", "kaldi-fbank"));
  check_start_error (melspec_with ("preset=kaldi-fbank mel-scale=slaney"),
      GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      NEEDLES ("mel-scale=slaney", "kaldi-fbank"));
}

GST_END_TEST;

static void
check_model_error (const gchar * name, const gchar ** meta,
    const gchar * props, const gchar * const *needles)
{
  gchar *path = mel_model (name, 40, meta);
  GstElement *e = melspec_with (props);
  GPtrArray *all = g_ptr_array_new ();

  g_object_set (e, "model", path, NULL);
  g_ptr_array_add (all, path);
  for (guint i = 0; needles[i]; i++)
    g_ptr_array_add (all, (gpointer) needles[i]);
  g_ptr_array_add (all, NULL);
  check_start_error (e, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      (const gchar * const *) all->pdata);
  g_ptr_array_unref (all);
  g_free (path);
}

GST_START_TEST (test_model_without_frontend)
{
  const gchar *labels[] = { "rnn.cell", "gru", NULL };

  check_model_error ("no-frontend", NULL, "",
      NEEDLES ("no audio front end", "rnn.frontend"));
  check_model_error ("no-frontend-meta", labels, "",
      NEEDLES ("no audio front end"));
}

GST_END_TEST;

GST_START_TEST (test_model_bad_keys)
{
  const gchar *other[] = { "rnn.frontend", "mfcc-v2", NULL };
  const gchar *bad_enum[] = { "rnn.frontend", "melspec",
    "rnn.frontend.window", "blackman", NULL
  };
  const gchar *bad_int[] = { "rnn.frontend", "melspec",
    "rnn.frontend.n-mels", "forty", NULL
  };
  const gchar *out_of_range[] = { "rnn.frontend", "melspec",
    "rnn.frontend.hop-length", "0", NULL
  };

  check_model_error ("other", other, "", NEEDLES ("mfcc-v2", "melspec"));
  check_model_error ("bad-enum", bad_enum, "",
      NEEDLES ("rnn.frontend.window", "blackman"));
  check_model_error ("bad-int", bad_int, "",
      NEEDLES ("rnn.frontend.n-mels", "forty"));
  check_model_error ("out-of-range", out_of_range, "",
      NEEDLES ("rnn.frontend.hop-length", "\"0\""));
}

GST_END_TEST;

GST_START_TEST (test_model_conflict)
{
  const gchar *meta[] = { "rnn.frontend", "melspec",
    "rnn.frontend.n-mels", "64", "rnn.frontend.log", "ln", NULL
  };
  gchar *path = mel_model ("conflict-ok", 64, meta);
  GstElement *e;

  check_model_error ("conflict", meta, "n-mels=40",
      NEEDLES ("n-mels=40", "rnn.frontend.n-mels", "\"64\""));
  check_model_error ("conflict-enum", meta, "log=db",
      NEEDLES ("log=db", "rnn.frontend.log", "\"ln\""));

  /* an explicit property equal to the file's value is no conflict */
  e = melspec_with ("n-mels=64 log=ln");
  g_object_set (e, "model", path, NULL);
  fail_unless (gst_element_set_state (e, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_object_unref (e);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_model_missing)
{
  GstElement *e = make_melspec ();

  g_object_set (e, "model", "/nonexistent/kws.safetensors", NULL);
  check_start_error (e, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      NEEDLES ("/nonexistent/kws.safetensors"));
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-errors");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_rate_not_multiple_of_hop);
  tcase_add_test (tc, test_rate_dependent_combos);
  tcase_add_test (tc, test_property_combos);
  tcase_add_test (tc, test_model_without_frontend);
  tcase_add_test (tc, test_model_bad_keys);
  tcase_add_test (tc, test_model_conflict);
  tcase_add_test (tc, test_model_missing);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

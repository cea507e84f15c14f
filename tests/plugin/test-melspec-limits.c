/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec refuses hostile sizes with the numbers, before it allocates
 * anything, with the same limits (gst_melspec_check_limits()) whether the
 * sizes come from the properties, a model file's rnn.frontend.* keys or
 * the caps; and it refuses an even n-fft with a large prime factor (which
 * GstFFT computes hundreds of times slower) naming the nearest fast
 * sizes. */
#include "melspec-test.h"

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })

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

static void
check_settings_error (GstElement * e, const gchar * const *needles)
{
  check_start_error (e, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS,
      needles);
}

GST_START_TEST (test_property_sizes)
{
  /* the 8.6 GB filter bank */
  check_settings_error (melspec_with ("n-fft=1048576 n-mels=4096"),
      NEEDLES ("n-fft=1048576", "65536"));
  /* each limit alone, just above it (what main allocated without a
   * word: 2048 x 32769 weights) */
  check_settings_error (melspec_with ("n-fft=65536 n-mels=2048"),
      NEEDLES ("n-mels=2048", "1024"));
  check_settings_error (melspec_with ("n-fft=131072 n-mels=40"),
      NEEDLES ("n-fft=131072", "65536"));
  check_settings_error (melspec_with ("preset=kaldi-fbank win-length=70000"),
      NEEDLES ("win-length=70000", "65536"));
  /* the filter bank as a whole: 1024 bands over 32769 bins */
  check_settings_error (melspec_with ("n-fft=65536 n-mels=1024"),
      NEEDLES ("n-mels=1024", "32769", "33555456"));
}

GST_END_TEST;

GST_START_TEST (test_model_sizes)
{
  const gchar *meta[] = { "rnn.frontend", "melspec",
    "rnn.frontend.n-fft", "65536", "rnn.frontend.n-mels", "2048", NULL
  };
  gchar *path = mel_model ("hostile-sizes", 2048, meta);
  GstElement *e = make_melspec ();

  g_object_set (e, "model", path, NULL);
  check_settings_error (e, NEEDLES ("n-mels=2048", "1024"));
  g_free (path);
}

GST_END_TEST;

static void
check_caps_refused (GstElement * e, const gchar * caps,
    const gchar * const *needles)
{
  GstHarness *h = harness_new (e, NULL);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 64, NULL);

  GstSegment segment;

  push_caps_str (h, caps);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  gst_buffer_memset (buf, 0, 0, 64);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_NOT_NEGOTIATED);
  check_bus_error (harness_bus (h), GST_CORE_ERROR,
      GST_CORE_ERROR_NEGOTIATION, needles);
  fail_unless (gst_harness_try_pull (h) == NULL);
  harness_done (h);
}

GST_START_TEST (test_caps_channels)
{
  /* main aborted in g_new0 of the per-channel partial frames */
  check_caps_refused (make_melspec (), "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=16000, channels=2147483647, "
      "channel-mask=(bitmask)0",
      NEEDLES ("2147483647 channels", "1024"));
  check_caps_refused (make_melspec (), "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=16000, channels=1025, "
      "channel-mask=(bitmask)0",
      NEEDLES ("1025 channels", "1024"));
  /* channels x frame: 1024 streams of 65536-sample frames */
  check_caps_refused (melspec_with ("n-fft=65536 n-mels=8"),
      "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, "
      "channels=1024, channel-mask=(bitmask)0", NEEDLES ("1024 channels", "65536", "67108864"));
  /* streams x features */
  check_caps_refused (melspec_with ("n-mels=128"),
      "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, "
      "channels=1000, channel-mask=(bitmask)0", NEEDLES ("1000 channels of 128 features", "128000",
          "65536"));
}

GST_END_TEST;

GST_START_TEST (test_slow_fft_sizes)
{
  /* 65498 = 2 x 32749 (prime): GstFFT's generic butterfly */
  check_settings_error (melspec_with ("n-fft=65498"),
      NEEDLES ("n-fft=65498", "prime factor", "n-fft=64800",
          "n-fft=65536"));
  check_settings_error (melspec_with ("n-fft=882 win-length=800"),
      NEEDLES ("n-fft=882", "n-fft=864", "n-fft=900", "win-length=800"));
  /* a model file can set it too */
  {
    const gchar *meta[] = { "rnn.frontend", "melspec",
      "rnn.frontend.n-fft", "131042", NULL
    };
    gchar *path = mel_model ("slow-fft", 40, meta);
    GstElement *e = make_melspec ();

    g_object_set (e, "model", path, NULL);
    check_settings_error (e, NEEDLES ("n-fft=131042", "65536"));
    g_free (path);
  }
}

GST_END_TEST;

GST_START_TEST (test_limits_leave_real_sizes)
{
  const gchar *ok[] = { "n-fft=400", "n-fft=512 n-mels=128",
    "n-fft=8192 n-mels=256", "n-fft=65536 n-mels=256", "n-fft=320",
    "n-fft=480 n-mels=80", "preset=kaldi-fbank win-length=882 n-fft=882",
    NULL
  };

  for (guint i = 0; ok[i]; i++) {
    GstElement *e = melspec_with (ok[i]);

    fail_unless (gst_element_set_state (e, GST_STATE_PAUSED) !=
        GST_STATE_CHANGE_FAILURE, "%s refused", ok[i]);
    gst_element_set_state (e, GST_STATE_NULL);
    gst_object_unref (e);
  }
  /* and 64 channels of 40 bands at 16 kHz */
  {
    GstHarness *h = harness_new (make_melspec (), "audio/x-raw, "
        "format=F32LE, layout=interleaved, rate=16000, channels=64, "
        "channel-mask=(bitmask)0");
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 400 * 64 * 4, NULL);
    GstBuffer *out;

    gst_buffer_memset (buf, 0, 0, 400 * 64 * 4);
    out = push_pull (h, buf);
    fail_unless_equals_uint64 (gst_buffer_get_size (out), 64 * 40 * 4);
    gst_buffer_unref (out);
    harness_done (h);
  }
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-limits");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_property_sizes);
  tcase_add_test (tc, test_model_sizes);
  tcase_add_test (tc, test_caps_channels);
  tcase_add_test (tc, test_slow_fft_sizes);
  tcase_add_test (tc, test_limits_leave_real_sizes);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

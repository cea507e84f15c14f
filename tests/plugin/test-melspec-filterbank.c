/* Filter banks that cannot give sound features: mel points that do not
 * increase (f-max=1e-300, whose mel value is f-min's) are refused instead
 * of making every feature NaN; bands left with no weight (n-fft=4
 * n-mels=200) give torchaudio 0.13's own warning of
 * functional.melscale_fbanks, as a WARNING, under its condition (any band
 * all zero).  The message and its numbers are torchaudio's:
 * melscale_fbanks (3, 0, 8000, 200, 16000) warns with n_mels 200 and
 * n_freqs 3; (201, 0, 8000, 40, 16000), the defaults, does not. */
#include "melspec-test.h"

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })
#define CAPS "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, " \
    "channels=1"

static GstElement *
melspec_with (const gchar * props)
{
  GstElement *e = make_melspec ();

  gst_util_set_object_arg (G_OBJECT (e), "n-fft", "4");
  gst_util_set_object_arg (G_OBJECT (e), "n-mels", "200");
  if (props) {
    gchar **p = g_strsplit (props, "=", 2);

    gst_util_set_object_arg (G_OBJECT (e), p[0], p[1]);
    g_strfreev (p);
  }
  return e;
}

static GstBuffer *
zeros (guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * 4, NULL);

  gst_buffer_memset (buf, 0, 0, n * 4);
  GST_BUFFER_PTS (buf) = 0;
  return buf;
}

GST_START_TEST (test_zero_bands_warn)
{
  GstHarness *h = harness_new (melspec_with (NULL), CAPS);
  GstBuffer *out;

  out = push_pull (h, zeros (400));
  gst_buffer_unref (out);
  check_one_warning (harness_bus (h), NEEDLES ("At least one mel "
          "filterbank has all zero values. The value for `n_mels` (200) "
          "may be set too high. Or, the value for `n_freqs` (3) may be set "
          "too low."));
  harness_done (h);
}

GST_END_TEST;

GST_START_TEST (test_full_bands_quiet)
{
  GstHarness *h = harness_new (make_melspec (), CAPS);
  GstBuffer *out = push_pull (h, zeros (400));

  gst_buffer_unref (out);
  expect_no_warning (harness_bus (h));
  harness_done (h);
}

GST_END_TEST;

GST_START_TEST (test_tiny_f_max_refused)
{
  const gchar *props[] = { "f-max=1e-300", NULL };

  for (guint i = 0; props[i]; i++) {
    GstElement *e = make_melspec ();
    GstHarness *h;
    GstSegment segment;
    gchar **kv = g_strsplit (props[i], "=", 2);

    gst_util_set_object_arg (G_OBJECT (e), kv[0], kv[1]);
    g_strfreev (kv);
    h = harness_new (e, NULL);
    push_caps_str (h, CAPS);
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_harness_push_event (h, gst_event_new_segment (&segment));
    fail_unless_equals_int (gst_harness_push (h, zeros (400)),
        GST_FLOW_NOT_NEGOTIATED);
    check_bus_error (harness_bus (h), GST_CORE_ERROR,
        GST_CORE_ERROR_NEGOTIATION, NEEDLES ("f-max=1e-300", "f-min=0",
            "40 mel bands"));
    fail_unless (gst_harness_try_pull (h) == NULL);
    harness_done (h);
  }
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-filterbank");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_zero_bands_warn);
  tcase_add_test (tc, test_full_bands_quiet);
  tcase_add_test (tc, test_tiny_f_max_refused);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filter banks that cannot give sound features: mel points that do not
 * increase (f-max=1e-300, whose mel value is f-min's) are refused instead
 * of making every feature NaN; bands left with no weight (n-fft=4
 * n-mels=200) give torchaudio 0.13's own warning of
 * functional.melscale_fbanks, as a WARNING, under its condition (any band
 * all zero): the cases, and torchaudio's message for each (or none), are
 * tests/features/fixtures/fbank_warnings.txt, written by
 * gen_fbank_warnings.py. */
#include <stdio.h>
#include <string.h>

#include "melspec-test.h"

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })
#define CAPS "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, " \
    "channels=1"

static GstBuffer *
zeros (guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * 4, NULL);

  gst_buffer_memset (buf, 0, 0, n * 4);
  GST_BUFFER_PTS (buf) = 0;
  return buf;
}

/* Each case of fixtures/fbank_warnings.txt (gen_fbank_warnings.py): a
 * WARNING with torchaudio's message exactly when torchaudio warns. */
GST_START_TEST (test_zero_bands_warn)
{
  g_autofree gchar *file = g_build_filename (mel_fixture_dir (),
      "fbank_warnings.txt", NULL);
  gchar *text = NULL, **lines;
  guint n = 0, warned = 0;

  fail_unless (g_file_get_contents (file, &text, NULL, NULL), "%s", file);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    gint n_fft, n_mels, rate;
    gchar *msg = strstr (lines[i], " | ");
    GstElement *e;
    GstHarness *h;
    gchar *caps;
    GstBuffer *out;

    if (!*lines[i] || lines[i][0] == '#')
      continue;
    fail_unless (msg && sscanf (lines[i], "%d %d %d", &n_fft, &n_mels,
            &rate) == 3, "bad line %s", lines[i]);
    msg += 3;
    e = make_melspec ();
    g_object_set (e, "n-fft", n_fft, "n-mels", n_mels, "hop-length",
        rate / 100, NULL);
    caps = g_strdup_printf ("audio/x-raw, format=F32LE, layout=interleaved, "
        "rate=%d, channels=1", rate);
    h = harness_new (e, caps);
    out = push_pull (h, zeros (n_fft));
    gst_buffer_unref (out);
    if (g_str_equal (msg, "-")) {
      expect_no_warning (harness_bus (h));
    } else {
      check_one_warning (harness_bus (h), NEEDLES (msg));
      warned++;
    }
    harness_done (h);
    g_free (caps);
    n++;
  }
  /* the fixture has cases of both kinds */
  fail_unless (n >= 2 && warned >= 1 && warned < n);
  g_strfreev (lines);
  g_free (text);
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
  tcase_add_test (tc, test_tiny_f_max_refused);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec: input caps the element cannot take end the pipeline with an
 * ERROR from melspec itself naming what was offered, what it takes and the
 * converter to add (audioconvert for the format or layout, audioresample
 * for the rate that sample-rate or the model asks for), instead of a bare
 * "not-negotiated" from the source; with that converter in place the same
 * pipelines run.  A source that asks first (basesrc's caps query) and one
 * that sends its caps without asking (rawaudioparse) are both covered. */
#include <string.h>

#include "rnn-test-gst.h"

static gchar *raw_path;

static void
setup (void)
{
  gchar *zeros = g_malloc0 (64000);

  raw_path = g_build_filename (rnn_test_tmpdir (), "zeros.raw", NULL);
  fail_unless (g_file_set_contents (raw_path, zeros, 64000, NULL));
  g_free (zeros);
}

static void
teardown (void)
{
  g_clear_pointer (&raw_path, g_free);
}

/* The pipeline must end with an ERROR posted by melspec0 that mentions
 * every needle. */
static void
expect_melspec_error (const gchar * desc, const gchar * const *needles)
{
  gchar *src = NULL, *msg = pipeline_first_error (desc, &src);

  fail_unless (msg != NULL, "%s: ran to EOS", desc);
  GST_INFO ("%s -> %s: %s", desc, src, msg);
  fail_unless_equals_string (src, "melspec0");
  for (guint i = 0; needles[i]; i++)
    fail_unless (strstr (msg, needles[i]) != NULL,
        "error \"%s\" does not mention \"%s\"", msg, needles[i]);
  g_free (msg);
  g_free (src);
}

static void
expect_eos (const gchar * desc)
{
  gchar *msg = pipeline_first_error (desc, NULL);

  fail_unless (msg == NULL, "%s: %s", desc, msg);
}

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })

GST_START_TEST (test_rate_property)
{
  expect_melspec_error ("audiotestsrc num-buffers=2 ! audio/x-raw, rate=44100 "
      "! melspec name=melspec0 sample-rate=16000 ! fakesink",
      NEEDLES ("rate 44100 Hz", "takes 16000 Hz", "sample-rate",
          "add audioresample before melspec0"));
}

GST_END_TEST;

GST_START_TEST (test_rate_model)
{
  gchar *model = g_build_filename (g_getenv ("RNN_EXAMPLES_MODELS"),
      "kws-gru.safetensors", NULL);
  gchar *desc = g_strdup_printf ("audiotestsrc num-buffers=2 ! "
      "audio/x-raw, rate=44100 ! melspec name=melspec0 model=%s ! fakesink",
      model);

  expect_melspec_error (desc, NEEDLES ("rate 44100 Hz", "takes 16000 Hz",
          "the rate of the model", "kws-gru.safetensors",
          "add audioresample before melspec0"));
  g_free (desc);
  g_free (model);
}

GST_END_TEST;

GST_START_TEST (test_format_sent)
{
  gchar *desc = g_strdup_printf ("filesrc location=%s ! rawaudioparse "
      "use-sink-caps=false format=pcm pcm-format=f64le num-channels=1 "
      "sample-rate=16000 ! melspec name=melspec0 ! fakesink", raw_path);

  expect_melspec_error (desc, NEEDLES ("format F64LE", "F32LE or S16LE",
          "add audioconvert before melspec0"));
  g_free (desc);
}

GST_END_TEST;

GST_START_TEST (test_format_asked)
{
  expect_melspec_error ("appsrc caps=\"audio/x-raw, format=S32LE, "
      "layout=interleaved, rate=16000, channels=1\" ! melspec name=melspec0 "
      "! fakesink", NEEDLES ("format S32LE", "F32LE or S16LE",
          "add audioconvert before melspec0"));
}

GST_END_TEST;

GST_START_TEST (test_layout)
{
  expect_melspec_error ("appsrc caps=\"audio/x-raw, format=F32LE, "
      "layout=non-interleaved, rate=16000, channels=2\" ! "
      "melspec name=melspec0 ! fakesink",
      NEEDLES ("layout non-interleaved", "add audioconvert before melspec0"));
}

GST_END_TEST;

/* The converters the errors name make the same sources negotiate. */
GST_START_TEST (test_converters_negotiate)
{
  gchar *desc = g_strdup_printf ("filesrc location=%s ! rawaudioparse "
      "use-sink-caps=false format=pcm pcm-format=f64le num-channels=1 "
      "sample-rate=16000 ! audioconvert ! melspec name=melspec0 ! fakesink",
      raw_path);

  expect_eos (desc);
  expect_eos ("audiotestsrc num-buffers=2 ! audio/x-raw, rate=44100 ! "
      "audioresample ! melspec sample-rate=16000 ! fakesink");
  g_free (desc);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-caps-errors");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_rate_property);
  tcase_add_test (tc, test_rate_model);
  tcase_add_test (tc, test_format_sent);
  tcase_add_test (tc, test_format_asked);
  tcase_add_test (tc, test_layout);
  tcase_add_test (tc, test_converters_negotiate);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

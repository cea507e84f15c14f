/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnn: input caps the element cannot take end the pipeline with an ERROR
 * from rnn itself that names what was offered, what the element takes and
 * the converter to add, instead of a bare "not-negotiated" from the
 * source; with the converter in place the same pipelines run.  Both ways a
 * refusal happens are covered: a source that asks first (appsrc, basesrc's
 * caps query with its caps as the filter) and one that sends its caps
 * without asking (rawaudioparse: the accept-caps check of the CAPS
 * event). */
#include <string.h>

#include "rnn-test-gst.h"

static gchar *model2, *model4, *raw_path;

static void
setup (void)
{
  gchar *zeros = g_malloc0 (4096);

  model2 = tiny_model (2, 3);
  model4 = tiny_model (4, 3);
  raw_path = g_build_filename (rnn_test_tmpdir (), "zeros.raw", NULL);
  fail_unless (g_file_set_contents (raw_path, zeros, 4096, NULL));
  g_free (zeros);
}

static void
teardown (void)
{
  g_clear_pointer (&model2, g_free);
  g_clear_pointer (&model4, g_free);
  g_clear_pointer (&raw_path, g_free);
}

/* The pipeline must end with an ERROR posted by rnn0 that mentions every
 * needle. */
static void
expect_rnn_error (const gchar * desc, const gchar * const *needles)
{
  gchar *src = NULL, *msg = pipeline_first_error (desc, &src);

  fail_unless (msg != NULL, "%s: ran to EOS", desc);
  GST_INFO ("%s -> %s: %s", desc, src, msg);
  fail_unless_equals_string (src, "rnn0");
  for (guint i = 0; needles[i]; i++)
    fail_unless (strstr (msg, needles[i]) != NULL,
        "error \"%s\" does not mention \"%s\"", msg, needles[i]);
  g_free (msg);
  g_free (src);
}

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })

GST_START_TEST (test_s16_asked)
{
  gchar *desc = g_strdup_printf ("appsrc caps=\"audio/x-raw, format=S16LE, "
      "layout=interleaved, rate=8000, channels=2\" ! rnn name=rnn0 model=%s "
      "! fakesink", model2);

  expect_rnn_error (desc, NEEDLES ("format S16LE", "F32LE",
          "add audioconvert before rnn0"));
  g_free (desc);
}

GST_END_TEST;

GST_START_TEST (test_s16_sent)
{
  gchar *desc = g_strdup_printf ("filesrc location=%s ! rawaudioparse "
      "use-sink-caps=false format=pcm pcm-format=s16le num-channels=2 "
      "sample-rate=8000 ! rnn name=rnn0 model=%s ! fakesink", raw_path,
      model2);

  expect_rnn_error (desc, NEEDLES ("format S16LE", "F32LE",
          "add audioconvert before rnn0"));
  g_free (desc);
}

GST_END_TEST;

GST_START_TEST (test_non_interleaved)
{
  gchar *desc = g_strdup_printf ("appsrc caps=\"audio/x-raw, format=F32LE, "
      "layout=non-interleaved, rate=8000, channels=2\" ! rnn name=rnn0 "
      "model=%s ! fakesink", model2);

  expect_rnn_error (desc, NEEDLES ("layout non-interleaved", "interleaved",
          "add audioconvert before rnn0"));
  g_free (desc);
}

GST_END_TEST;

/* 3 channels for a model of 4 inputs: known only once the model is
 * loaded, so the link succeeds and set_caps refuses it */
GST_START_TEST (test_frame_size)
{
  gchar *desc = g_strdup_printf ("appsrc caps=\"audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=100, channels=3\" ! rnn name=rnn0 model=%s "
      "! fakesink", model4);

  expect_rnn_error (desc, NEEDLES ("3 channels", "input size 4",
          "B x 4 for B streams", "audioconvert before rnn0"));
  g_free (desc);
}

GST_END_TEST;

/* a range of channel counts none of which is whole streams of 4 */
GST_START_TEST (test_frame_size_range)
{
  gchar *desc = g_strdup_printf ("audiotestsrc num-buffers=1 ! "
      "audio/x-raw, format=F32LE, rate=100, channels=(int)[ 5, 7 ] ! "
      "rnn name=rnn0 model=%s ! fakesink", model4);

  expect_rnn_error (desc, NEEDLES ("channels [ 5, 7 ]",
          "reads 4 values per frame", "B x 4 channels", "audioconvert"));
  g_free (desc);
}

GST_END_TEST;

/* The converters the errors name make the same sources negotiate: the
 * caps the element answers are honest. */
GST_START_TEST (test_converters_negotiate)
{
  gchar *d1 = g_strdup_printf ("filesrc location=%s ! rawaudioparse "
      "use-sink-caps=false format=pcm pcm-format=s16le num-channels=2 "
      "sample-rate=8000 ! audioconvert ! rnn name=rnn0 model=%s ! fakesink",
      raw_path, model2);
  gchar *d2 = g_strdup_printf ("audiotestsrc num-buffers=3 ! "
      "audio/x-raw, format=S16LE, rate=100, channels=1 ! audioconvert ! "
      "rnn name=rnn0 model=%s ! fakesink", model4);
  gchar *e1 = pipeline_first_error (d1, NULL);
  gchar *e2 = pipeline_first_error (d2, NULL);

  fail_unless (e1 == NULL, "%s: %s", d1, e1);
  fail_unless (e2 == NULL, "%s: %s", d2, e2);
  g_free (d1);
  g_free (d2);
}

GST_END_TEST;

static Suite *
rnn_suite (void)
{
  Suite *s = suite_create ("rnn-caps-errors");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_s16_asked);
  tcase_add_test (tc, test_s16_sent);
  tcase_add_test (tc, test_non_interleaved);
  tcase_add_test (tc, test_frame_size);
  tcase_add_test (tc, test_frame_size_range);
  tcase_add_test (tc, test_converters_negotiate);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn);

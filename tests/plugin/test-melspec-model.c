/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec model=FILE takes its parameters from the model's rnn.frontend.*
 * metadata: with no property set, the element reproduces the torchaudio
 * fixture whose parameters the file carries (output caps and numbers),
 * properties set to the file's values are accepted, and the file's
 * sample-rate refuses other input rates. */
#include "melspec-test.h"

#define NEEDLES(...) ((const gchar * const []) { __VA_ARGS__, NULL })

static void
check_model_case (const gchar * name, const gchar * also_set)
{
  MelCase *c = mel_case_load (name);
  gchar *path = mel_case_model (c, name);
  GstElement *e = make_melspec ();
  GstHarness *h;
  guint T;
  float *got;
  gint n_mels;

  g_object_set (e, "model", path, NULL);
  if (also_set)
    gst_util_set_object_arg (G_OBJECT (e), also_set,
        mel_case_prop (c, also_set));
  h = mel_harness (e, c);
  got = mel_run (h, c, 2, &T);
  fail_unless_equals_int (T, c->T);
  fail_unless (mel_error (c, got) <= (c->rel ? MEL_REL_TOLERANCE :
          MEL_ABS_TOLERANCE), "%s from the model file: error %g", name,
      mel_error (c, got));
  /* the properties read back are the user's: the file does not write
   * them */
  g_object_get (e, "n-mels", &n_mels, NULL);
  fail_unless_equals_int (n_mels, also_set
      && g_str_equal (also_set, "n-mels") ? (gint) c->F : 40);
  g_free (got);
  harness_done (h);
  g_free (path);
  mel_case_free (c);
}

GST_START_TEST (test_model_mel)
{
  check_model_case ("mel_22k_povey_slaney_norm", NULL);
}

GST_END_TEST;

GST_START_TEST (test_model_mfcc)
{
  check_model_case ("mfcc_16k_ln_b2_s16", NULL);
}

GST_END_TEST;

GST_START_TEST (test_model_kaldi)
{
  check_model_case ("kaldi_8k_pow1_b2_s16", NULL);
}

GST_END_TEST;

GST_START_TEST (test_model_agreeing_property)
{
  check_model_case ("mel_22k_povey_slaney_norm", "n-mels");
  check_model_case ("mel_22k_povey_slaney_norm", "window");
}

GST_END_TEST;

GST_START_TEST (test_model_sample_rate)
{
  MelCase *c = mel_case_load ("mfcc_16k_ln_b2_s16");
  gchar *path = mel_case_model (c, "rate");
  GstElement *e = make_melspec ();
  GstHarness *h;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 64, NULL);

  g_object_set (e, "model", path, NULL);
  h = harness_new (e, "audio/x-raw, format=S16LE, layout=interleaved, "
      "rate=32000, channels=2");
  gst_buffer_memset (buf, 0, 0, 64);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_NOT_NEGOTIATED);
  check_bus_error (harness_bus (h), GST_CORE_ERROR,
      GST_CORE_ERROR_NEGOTIATION, NEEDLES ("32000", "sample-rate=16000"));
  harness_done (h);
  g_free (path);
  mel_case_free (c);
}

GST_END_TEST;

/* A resampler in front converts to the model's rate: the sink pad offers
 * only that rate once the element has started. */
GST_START_TEST (test_model_sample_rate_resampled)
{
  MelCase *c = mel_case_load ("mfcc_16k_ln_b2_s16");
  gchar *path = mel_case_model (c, "resampled");
  gchar *desc = g_strdup_printf ("audiotestsrc num-buffers=10 ! "
      "audio/x-raw,format=S16LE,rate=32000,channels=2 ! audioresample ! "
      "melspec name=m model=\"%s\" ! fakesink name=sink", path);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch (desc, &err);
  GstMessage *msg;
  GstElement *sink;
  GstPad *pad;
  GstCaps *caps;
  GstStructure *st;
  gint rate = 0;

  fail_unless (pipe != NULL, "%s", err ? err->message : "");
  /* the sink pad's caps query, once started, names the model's rate */
  fail_unless (gst_element_set_state (pipe, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe), 10 * GST_SECOND,
      GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR);
  if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *e = NULL;
    gst_message_parse_error (msg, &e, NULL);
    fail ("pipeline did not preroll: %s", e->message);
  }
  fail_unless (msg != NULL, "pipeline did not preroll in 10 s");
  gst_message_unref (msg);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "m");
  pad = gst_element_get_static_pad (sink, "sink");
  caps = gst_pad_get_current_caps (pad);
  st = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_get_int (st, "rate", &rate));
  fail_unless_equals_int (rate, 16000);
  gst_caps_unref (caps);
  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe), 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "no EOS (error?)");
  gst_message_unref (msg);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  g_free (desc);
  g_free (path);
  mel_case_free (c);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-model");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_model_mel);
  tcase_add_test (tc, test_model_mfcc);
  tcase_add_test (tc, test_model_kaldi);
  tcase_add_test (tc, test_model_agreeing_property);
  tcase_add_test (tc, test_model_sample_rate);
  tcase_add_test (tc, test_model_sample_rate_resampled);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

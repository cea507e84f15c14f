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
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The 'precision' property: weights in f32, bf16 or int8.
 *  - default auto, settable in NULL/READY only;
 *  - the element gives the core's numbers for that precision, and a hot
 *    swap loads the new model in the same precision;
 *  - the bundled waveform classifier (examples/demo.py's schedule of
 *    audiotestsrc waveforms, one fresh state per waveform as the demo's
 *    reset) names the same class as f32 on >= 99.5% of the frames in
 *    bf16 and in int8, all three fed the same samples through a tee
 *    (white noise is random: each precision must see the same samples). */
#include <string.h>

#include "rnn-test-gst.h"

#define SW_F 2
#define SW_B 2

static float *
core_ref (const gchar * path, RnnPrecision p, const float *x, guint T)
{
  RnnLoadOptions o = {.precision = p };
  RnnModel *m = rnn_model_load (path, &o, NULL);
  RnnState *s;
  float *out;

  fail_unless (m != NULL);
  s = rnn_state_new (m, SW_B, T, NULL);
  out = g_new0 (float, (gsize) T * SW_B * rnn_model_get_output_size (m));
  fail_unless (rnn_state_process (s, x, T, RNN_RUN_NONE, out, NULL));
  rnn_state_free (s);
  rnn_model_unref (m);
  return out;
}

GST_START_TEST (test_property)
{
  gchar *model = gru_model (SW_F, 4, 1.0f);
  GstElement *e = make_rnn (model);
  GstHarness *h;
  gint v = -1;

  g_object_get (e, "precision", &v, NULL);
  fail_unless_equals_int (v, 0);        /* auto */
  gst_util_set_object_arg (G_OBJECT (e), "precision", "bf16");
  g_object_get (e, "precision", &v, NULL);
  fail_unless_equals_int (v, RNN_PRECISION_BF16);

  h = harness_audio (e, SW_B * SW_F);
  /* running: the value stays (changeable in NULL or READY only) */
  gst_util_set_object_arg (G_OBJECT (e), "precision", "int8");
  g_object_get (e, "precision", &v, NULL);
  fail_unless_equals_int (v, RNN_PRECISION_BF16);
  harness_done (h);
  g_free (model);
}

GST_END_TEST;

/* int8 in the element is the core's int8; a hot swap keeps int8. */
GST_START_TEST (test_numbers_and_hot_swap)
{
  gchar *a = gru_model (SW_F, 4, 1.0f), *b = gru_model (SW_F, 4, 2.0f);
  float *x = rnn_test_make_input (40, SW_B, SW_F, 0.7f);
  GstElement *e = make_rnn (a);
  GstHarness *h;
  GstBuffer *out;
  float *ref, *f32;

  gst_util_set_object_arg (G_OBJECT (e), "precision", "int8");
  h = harness_audio (e, SW_B * SW_F);

  out = push_pull (h, tm_frames (x, SW_B, SW_F, 0, 20));
  ref = core_ref (a, RNN_PRECISION_INT8, x, 20);
  f32 = core_ref (a, RNN_PRECISION_F32, x, 20);
  check_buffer (out, ref, 20 * SW_B * 4, CORE_TOLERANCE, "int8, model a");
  fail_unless (buffer_error (out, f32, 20 * SW_B * 4) > 1e-4,
      "int8 gave the float32 numbers");
  gst_buffer_unref (out);
  g_free (ref);
  g_free (f32);

  g_object_set (e, "model", b, NULL);
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 20, 20));
  ref = core_ref (b, RNN_PRECISION_INT8, x + 20 * SW_B * SW_F, 20);
  f32 = core_ref (b, RNN_PRECISION_F32, x + 20 * SW_B * SW_F, 20);
  check_buffer (out, ref, 20 * SW_B * 4, CORE_TOLERANCE,
      "int8, model b after the swap");
  fail_unless (buffer_error (out, f32, 20 * SW_B * 4) > 1e-4,
      "the swapped-in model runs in float32");
  gst_buffer_unref (out);
  g_free (ref);
  g_free (f32);

  harness_done (h);
  g_free (x);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* ------------------------------------------------------------ classifier */

#define DEMO_RATE 8000
#define SECONDS_PER_WAVE 1.5    /* demo.py's default */
#define N_CLASSES 5

/* examples/demo.py's SCHEDULE */
static const struct
{
  const gchar *wave;
  gint freq;
  gdouble volume;
} schedule[] = {
  {"sine", 440, 0.8}, {"square", 220, 0.8}, {"saw", 880, 0.8},
  {"triangle", 330, 0.8}, {"white-noise", 440, 0.8},
  {"triangle", 880, 0.3}, {"saw", 220, 0.3}, {"sine", 660, 0.3},
  {"white-noise", 440, 0.3}, {"square", 550, 0.3},
};

static const gchar *const precisions[] = { "f32", "bf16", "int8" };

/* fakesink handoff: append every frame's class (argmax of the 5
 * outputs) to @cls (one array per branch, filled by its streaming thread
 * only). */
static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, GArray * cls)
{
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  const float *p = (const float *) map.data;
  gsize frames = map.size / (N_CLASSES * sizeof (float));
  for (gsize t = 0; t < frames; t++) {
    guint8 best = 0;
    for (guint8 k = 1; k < N_CLASSES; k++)
      if (p[t * N_CLASSES + k] > p[t * N_CLASSES + best])
        best = k;
    g_array_append_val (cls, best);
  }
  gst_buffer_unmap (buf, &map);
}

GST_START_TEST (test_classifier_agreement)
{
  gchar *model = g_build_filename (g_getenv ("RNN_EXAMPLES_MODELS"),
      "waveform-gru.safetensors", NULL);
  guint frames = 0, same[3] = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (schedule); i++) {
    GString *desc = g_string_new (NULL);
    GError *err = NULL;
    guint n_samples = (guint) (SECONDS_PER_WAVE * DEMO_RATE);

    g_string_append_printf (desc, "audiotestsrc wave=%s freq=%d volume=%g "
        "samplesperbuffer=400 num-buffers=%u ! audio/x-raw,format=F32LE,"
        "rate=%d,channels=1 ! tee name=t", schedule[i].wave,
        schedule[i].freq, schedule[i].volume, n_samples / 400, DEMO_RATE);
    for (guint p = 0; p < 3; p++)
      g_string_append_printf (desc, " t. ! queue max-size-buffers=0 "
          "max-size-bytes=0 max-size-time=0 ! rnn model=\"%s\" precision=%s "
          "! fakesink name=s%u sync=false signal-handoffs=true", model,
          precisions[p], p);
    GstElement *pipe = gst_parse_launch (desc->str, &err);
    fail_unless (pipe != NULL, "%s", err ? err->message : "");
    g_string_free (desc, TRUE);
    GArray *cls[3];
    for (guint p = 0; p < 3; p++) {
      gchar *name = g_strdup_printf ("s%u", p);
      GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), name);
      cls[p] = g_array_new (FALSE, FALSE, sizeof (guint8));
      g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), cls[p]);
      gst_object_unref (sink);
      g_free (name);
    }

    fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus (pipe);
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gchar *dbg = NULL;
      gst_message_parse_error (msg, &err, &dbg);
      fail ("%s: %s (%s)", schedule[i].wave, err->message, dbg);
    }
    fail_unless (msg != NULL, "%s: no EOS after 60 s", schedule[i].wave);
    gst_message_unref (msg);
    gst_object_unref (bus);

    gst_element_set_state (pipe, GST_STATE_NULL);
    fail_unless_equals_int (cls[0]->len, n_samples);
    guint seg_same[3] = { 0 };
    for (guint p = 1; p < 3; p++) {
      fail_unless_equals_int (cls[p]->len, cls[0]->len);
      for (guint t = 0; t < cls[0]->len; t++)
        seg_same[p] += g_array_index (cls[p], guint8, t) ==
            g_array_index (cls[0], guint8, t);
      same[p] += seg_same[p];
    }
    g_print ("%-11s %4d Hz vol %.1f: bf16 %5.2f%%, int8 %5.2f%% of %u "
        "frames agree with f32\n", schedule[i].wave, schedule[i].freq,
        schedule[i].volume, 100.0 * seg_same[1] / cls[0]->len,
        100.0 * seg_same[2] / cls[0]->len, cls[0]->len);
    frames += cls[0]->len;
    for (guint p = 0; p < 3; p++)
      g_array_unref (cls[p]);
    gst_object_unref (pipe);
  }
  for (guint p = 1; p < 3; p++) {
    double agree = (double) same[p] / frames;
    g_print ("waveform classifier, %s: same class as f32 on %.3f%% of %u "
        "frames\n", precisions[p], 100 * agree, frames);
    fail_unless (agree >= 0.995, "%s agrees with f32 on %.3f%% of frames "
        "(need 99.5%%)", precisions[p], 100 * agree);
  }
  g_free (model);
}

GST_END_TEST;

static Suite *
rnn_precision_suite (void)
{
  Suite *s = suite_create ("rnn-precision");
  TCase *tc = tcase_create ("precision");

  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_property);
  tcase_add_test (tc, test_numbers_and_hot_swap);
  tcase_add_test (tc, test_classifier_agreement);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_precision);

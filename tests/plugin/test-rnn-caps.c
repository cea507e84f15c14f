/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Caps of the rnn element: F32 audio with B * F channels in, B * O out
 * (n-to-n), the input caps again (n-to-1), steps times the rate (1-to-n);
 * NNStreamer other/tensors in every mode and both layouts; caps queries
 * mapping channels both ways; channel counts the model cannot read. */
#include "rnn-test-gst.h"

/* The output caps are other/tensors of float32 with @dims. */
static void
check_tensor_caps (GstHarness * h, const gchar * dims)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  const GstStructure *s;

  fail_unless (caps != NULL);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "other/tensors"),
      "output caps %" GST_PTR_FORMAT, caps);
  fail_unless_equals_string (gst_structure_get_string (s, "dimensions"), dims);
  fail_unless_equals_string (gst_structure_get_string (s, "types"),
      "float32");
  gst_caps_unref (caps);
}

static GstHarness *
tensor_harness (GstElement * rnn, const gchar * dims)
{
  gchar *caps = tensor_caps (dims, RATE);
  GstHarness *h = harness_new (rnn, caps);

  g_free (caps);
  return h;
}

/* ----------------------------------------------------------- n-to-n */

/* Caps queries map channels both ways once the model is loaded. */
GST_START_TEST (test_caps_query)
{
  const RnnTestCase *c = need_case (3, FALSE, 1);
  GstHarness *h = harness_case (make_case_rnn (c), c);
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstPad *sinkpad = gst_element_get_static_pad (h->element, "sink");
  GstCaps *filter, *res;
  gchar *str;
  gint channels;

  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "channels", &channels));
  fail_unless_equals_int (channels, c->B * c->O);
  gst_caps_unref (caps);

  /* which input channels give 2 x O output channels? */
  str = g_strdup_printf ("audio/x-raw, channels=%u", 2 * c->O);
  gst_harness_set_sink_caps_str (h, str);
  g_free (str);
  filter = gst_caps_from_string ("audio/x-raw, format=F32LE");
  res = gst_pad_query_caps (sinkpad, filter);
  fail_unless (!gst_caps_is_empty (res));
  fail_unless (gst_structure_get_int (gst_caps_get_structure (res, 0),
          "channels", &channels), "%" GST_PTR_FORMAT, res);
  fail_unless_equals_int (channels, 2 * c->F);
  gst_caps_unref (res);
  gst_caps_unref (filter);
  gst_object_unref (sinkpad);
  harness_done (h);
}

GST_END_TEST;

/* Input caps the element must refuse, naming the numbers or the reason,
 * with one error for one cause (the base class asks again at every
 * buffer), for a model of input size F and hidden size H:
 * - a width that is not a multiple of the input size: audio of 3
 *   channels, 5:1 tensors;
 * - products that overflow 32 bits (a batch of 65536 x 65536 wrapped to 0
 *   and crashed; 641 x 6700417 wrapped to 1; 2^31-1 channels x 2 outputs
 *   wrapped) or exceed 64 M floats a frame;
 * - batch-first=true on audio, which is interleaved, (T, B, F), and
 *   cannot carry (B, T, F). */
#define AUDIO_CAPS(ch) "audio/x-raw, format=F32LE, layout=interleaved, " \
  "rate=100, channels=" ch
#define TENSOR_CAPS(d) "other/tensors, format=static, num_tensors=1, " \
  "types=float32, dimensions=(string)" d ", framerate=10/1"
static const struct
{
  const gchar *caps;
  guint F, H;
  gboolean batch_first;
  const gchar *needles[4];       /* NULL-terminated */
} refused[] = {
  {AUDIO_CAPS ("3"), 2, 3, FALSE, {"3 channels", "input size 2"}},
  {TENSOR_CAPS ("5:1"), 2, 3, FALSE, {"5", "input size 2"}},
  {AUDIO_CAPS ("2147483647"), 1, 2, FALSE,
      {"2147483647 streams", "floats per frame"}},
  {TENSOR_CAPS ("1:1:65536:65536"), 1, 2, TRUE,
      {"more than 2147483647 streams", "floats per frame"}},
  {TENSOR_CAPS ("1:1:641:6700417"), 1, 2, TRUE,
      {"more than 2147483647 streams", "floats per frame"}},
  {TENSOR_CAPS ("1:1:16384:8192"), 1, 2, TRUE,
      {"134217728 streams", "floats per frame"}},
  {AUDIO_CAPS ("4"), 2, 3, TRUE, {"batch-first", "(B, T, F)",
          "other/tensors"}},
};

GST_START_TEST (test_caps_refused)
{
  gchar *model = tiny_model (refused[__i__].F, refused[__i__].H);
  GstElement *rnn = make_rnn (model);
  GstHarness *h;
  GstSegment segment;
  GstBuffer *buf;

  g_object_set (rnn, "batch-first", refused[__i__].batch_first, NULL);
  h = harness_new (rnn, NULL);
  push_caps_str (h, refused[__i__].caps);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  buf = gst_buffer_new_allocate (NULL, 16, NULL);
  gst_buffer_memset (buf, 0, 0, 16);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_NOT_NEGOTIATED);
  check_bus_error (harness_bus (h), GST_CORE_ERROR,
      GST_CORE_ERROR_NEGOTIATION, refused[__i__].needles);
  fail_unless (gst_bus_pop_filtered (harness_bus (h), GST_MESSAGE_ERROR)
      == NULL, "one cause, one error");
  harness_done (h);
  g_free (model);
}

GST_END_TEST;

/* (T, B, F) as C:1 tensors, one frame per buffer. */
GST_START_TEST (test_tensors_time_major)
{
  const RnnTestCase *c = need_case (3, FALSE, 2);
  gchar *in_dims = g_strdup_printf ("%u:1", c->B * c->F);
  gchar *out_dims = g_strdup_printf ("%u:1", c->B * c->O);
  GstHarness *h = tensor_harness (make_case_rnn (c), in_dims);
  guint t;

  for (t = 0; t < c->T; t++) {
    GstBuffer *out = push_pull (h, case_frames (c, t, 1));

    if (t == 0)
      check_tensor_caps (h, out_dims);
    check_case_output (out, c, t, 1, "tensor frame");
    gst_buffer_unref (out);
  }
  harness_done (h);
  g_free (in_dims);
  g_free (out_dims);
}

GST_END_TEST;

/* (B, T, F) as F:T:B tensors with batch-first=true. */
GST_START_TEST (test_tensors_batch_first)
{
  const RnnTestCase *c = need_case (3, TRUE, 1);
  gchar *in_dims, *out_dims;
  GstHarness *h;
  GstBuffer *out;

  fail_unless (c->batch_first, "no batch-first fixture");
  in_dims = g_strdup_printf ("%u:%u:%u", c->F, c->T, c->B);
  out_dims = g_strdup_printf ("%u:%u:%u", c->O, c->T, c->B);
  h = tensor_harness (make_case_rnn (c), in_dims);
  out = push_pull (h, case_frames (c, 0, c->T));
  check_tensor_caps (h, out_dims);
  check_case_output (out, c, 0, c->T, "batch-first tensor");
  gst_buffer_unref (out);
  harness_done (h);
  g_free (in_dims);
  g_free (out_dims);
}

GST_END_TEST;

/* ------------------------------------------------------ other modes */

/* n-to-1: the output caps are the input caps. */
GST_START_TEST (test_n1_caps)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 3, FALSE);
  GstHarness *h = harness_mode (make_mode_rnn (c), c);
  GstCaps *in, *out;

  gst_buffer_unref (gst_harness_push_and_pull (h, case_frames (c, 0, 1)));
  in = gst_pad_get_current_caps (h->srcpad);
  out = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_caps_is_equal (in, out), "%" GST_PTR_FORMAT " vs %"
      GST_PTR_FORMAT, in, out);
  gst_caps_unref (in);
  gst_caps_unref (out);
  harness_done (h);
}

GST_END_TEST;

/* n-to-1 on tensors: passed through with the same caps, the results on
 * the buffers. */
GST_START_TEST (test_n1_tensors)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 0, FALSE);
  gchar *dims = g_strdup_printf ("%u:1", c->B * c->F);
  GstHarness *h = tensor_harness (make_mode_rnn (c), dims);
  GstCaps *caps;
  const GstStructure *s;
  guint t, results = 0;

  for (t = 0; t < c->T; t++) {
    GstBuffer *out = gst_harness_push_and_pull (h, case_frames (c, t, 1));
    GArray *a = buffer_results (out);

    results += a->len;
    g_array_unref (a);
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (results, c->n_windows * c->B);
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (caps != NULL);
  s = gst_caps_get_structure (caps, 0);
  fail_unless_equals_string (gst_structure_get_string (s, "dimensions"),
      dims);
  gst_caps_unref (caps);
  harness_done (h);
  g_free (dims);
}

GST_END_TEST;

/* 1-to-n on C:1 tensors: the output tensors are O*B:steps. */
GST_START_TEST (test_1n_tensors)
{
  const RnnModeCase *c = need_mode_case ("1-to-n", 0, FALSE);
  gchar *dims = g_strdup_printf ("%u:1", c->B * c->F);
  gchar *out_dims = g_strdup_printf ("%u:%u", c->B * c->O, c->steps);
  GstHarness *h = tensor_harness (make_mode_rnn (c), dims);
  guint t;

  for (t = 0; t < c->T; t++) {
    GstBuffer *out = gst_harness_push_and_pull (h, case_frames (c, t, 1));
    float *exp = rnn_test_slice (c->output, c->T * c->steps, c->B, c->O,
        FALSE, t * c->steps, c->steps);

    if (t == 0)
      check_tensor_caps (h, out_dims);
    check_buffer (out, exp, (gsize) c->steps * c->B * c->O,
        RNN_TEST_TOLERANCE, "1-to-n tensor");
    gst_buffer_unref (out);
    g_free (exp);
  }
  harness_done (h);
  g_free (dims);
  g_free (out_dims);
}

GST_END_TEST;

/* n-to-m on tensors: one O*B:steps tensor per window, framerate 0/1. */
GST_START_TEST (test_nm_tensors)
{
  const RnnModeCase *c = need_mode_case ("n-to-m", 0, FALSE);
  gchar *dims = g_strdup_printf ("%u:1", c->B * c->F);
  gchar *out_dims = g_strdup_printf ("%u:%u", c->B * c->O, c->steps);
  GstHarness *h = tensor_harness (make_mode_rnn (c), dims);
  GstBuffer *out;
  GstCaps *caps;
  const GstStructure *s;
  gint fps_n, fps_d;
  guint t;

  for (t = 0; t < c->window; t++)
    fail_unless_equals_int (gst_harness_push (h, case_frames (c, t, 1)),
        GST_FLOW_OK);
  out = gst_harness_pull (h);
  check_forecast (c, out, c->output, c->window, "tensor");
  gst_buffer_unref (out);
  check_tensor_caps (h, out_dims);
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d));
  fail_unless_equals_int (fps_n, 0);
  gst_caps_unref (caps);
  harness_done (h);
  g_free (dims);
  g_free (out_dims);
}

GST_END_TEST;

static Suite *
rnn_caps_suite (void)
{
  Suite *s = suite_create ("rnn-caps");
  TCase *tc;

  tc = tcase_create ("n-to-n");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_caps_query);
  tcase_add_loop_test (tc, test_caps_refused, 0, G_N_ELEMENTS (refused));
  tcase_add_test (tc, test_tensors_time_major);
  tcase_add_test (tc, test_tensors_batch_first);
  suite_add_tcase (s, tc);

  tc = tcase_create ("modes");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_n1_caps);
  tcase_add_test (tc, test_n1_tensors);
  tcase_add_test (tc, test_1n_tensors);
  tcase_add_test (tc, test_nm_tensors);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_caps);

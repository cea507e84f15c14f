/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CONVERT queries are answered on each pad in that pad's own units, as
 * GstAudioFilter answers them from its pad's caps: in 1-to-n with steps=S
 * the source pad runs at S times the input rate, so 1 s is RATE * S
 * frames there and RATE on the sink pad (which used to refuse the query,
 * and the source pad answered with the input's units); DEFAULT is time
 * steps, BYTES steps times the floats of one step.  Before caps the query
 * goes on as GstBaseTransform sends it. */
#include "rnn-test-gst.h"

/* The element's pad @name converts @val from @from to @to as @expect. */
static void
check_convert (GstHarness * h, const gchar * name, GstFormat from,
    gint64 val, GstFormat to, gint64 expect)
{
  GstPad *pad = gst_element_get_static_pad (h->element, name);
  GstQuery *q = gst_query_new_convert (from, val, to);
  gint64 got = -2;

  fail_unless (gst_pad_query (pad, q), "%s pad refused %s -> %s", name,
      gst_format_get_name (from), gst_format_get_name (to));
  gst_query_parse_convert (q, NULL, NULL, NULL, &got);
  fail_unless_equals_int64 (got, expect);
  gst_query_unref (q);
  gst_object_unref (pad);
}

/* 1-to-n, audio caps: the source pad at RATE * S frames per second. */
GST_START_TEST (test_1_to_n_units)
{
  const RnnModeCase *c = need_mode_case ("1-to-n", 0, FALSE);
  GstHarness *h = harness_mode (make_mode_rnn (c), c);
  GstBuffer *out;
  guint S = c->steps, in_w = c->B * c->F, out_w = c->B * c->O;

  fail_unless (S > 1, "%s: steps=%u", c->name, S);
  out = gst_harness_push_and_pull (h, case_frames (c, 0, 1));
  gst_buffer_unref (out);

  check_convert (h, "src", GST_FORMAT_TIME, GST_SECOND, GST_FORMAT_DEFAULT,
      (gint64) RATE * S);
  check_convert (h, "sink", GST_FORMAT_TIME, GST_SECOND, GST_FORMAT_DEFAULT,
      RATE);
  check_convert (h, "src", GST_FORMAT_DEFAULT, (gint64) RATE * S,
      GST_FORMAT_TIME, GST_SECOND);
  check_convert (h, "sink", GST_FORMAT_DEFAULT, RATE / 2, GST_FORMAT_TIME,
      GST_SECOND / 2);
  check_convert (h, "src", GST_FORMAT_TIME, GST_SECOND, GST_FORMAT_BYTES,
      (gint64) RATE * S * out_w * sizeof (float));
  check_convert (h, "sink", GST_FORMAT_BYTES,
      (gint64) RATE * in_w * sizeof (float), GST_FORMAT_TIME, GST_SECOND);
  check_convert (h, "src", GST_FORMAT_TIME, -1, GST_FORMAT_DEFAULT, -1);
  harness_done (h);
}

GST_END_TEST;

/* The first n-to-m case whose forecasts do not tile the time line
 * (steps != hop): tensors, one per window, at no fixed rate. */
static const RnnModeCase *
need_untiled_n_to_m (void)
{
  for (guint i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);

    if (is_mode (c, "n-to-m") && !c->batch_first && c->steps != c->hop)
      return c;
  }
  fail ("no n-to-m case with steps != hop");
  return NULL;
}

/* n-to-m forecasts on tensors at no fixed rate: steps and bytes still
 * convert on the source pad, time cannot (refused rather than answered in
 * the input's units); the sink pad keeps the input's rate. */
GST_START_TEST (test_n_to_m_no_rate)
{
  const RnnModeCase *c = need_untiled_n_to_m ();
  GstHarness *h = harness_mode (make_mode_rnn (c), c);
  GstPad *src = gst_element_get_static_pad (h->element, "src");
  GstCaps *caps;
  GstQuery *q;
  GstBuffer *out;
  gint fps_n = -1, fps_d = 1;
  const GstStructure *s;

  gst_harness_push (h, case_frames (c, 0, c->T));
  while ((out = gst_harness_try_pull (h)))
    gst_buffer_unref (out);
  caps = gst_pad_get_current_caps (src);
  fail_unless (caps != NULL);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "other/tensors"));
  fail_unless (!gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d)
      || fps_n == 0, "%s: framerate %d/%d", c->name, fps_n, fps_d);
  gst_caps_unref (caps);

  q = gst_query_new_convert (GST_FORMAT_TIME, GST_SECOND,
      GST_FORMAT_DEFAULT);
  fail_if (gst_pad_query (src, q), "time converted without a rate");
  gst_query_unref (q);
  check_convert (h, "src", GST_FORMAT_DEFAULT, 2, GST_FORMAT_BYTES,
      (gint64) 2 * c->B * c->O * sizeof (float));
  check_convert (h, "sink", GST_FORMAT_TIME, GST_SECOND, GST_FORMAT_DEFAULT,
      RATE);
  gst_object_unref (src);
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnn_convert_suite (void)
{
  Suite *s = suite_create ("rnn-convert");
  TCase *tc = tcase_create ("general");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_1_to_n_units);
  tcase_add_test (tc, test_n_to_m_no_rate);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_convert);

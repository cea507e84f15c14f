/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext: the text of a cue.  The default template is the label and a
 * newline; every placeholder renders its field; braces escape; an unknown
 * placeholder or a lone brace is refused (the previous template kept,
 * a WARNING naming it), before and while playing; the template may
 * change while playing; the source caps are fixed
 * utf8 text whatever the input. */
#include <string.h>

#include "rnntext-test.h"

static const FakeResult yes = { 0, 0, 500 * MS, "yes", 2, 0.875f, TRUE };

GST_START_TEST (test_default)
{
  GstHarness *h = text_harness (NULL, NULL);
  GstCaps *caps;
  GstStructure *s;

  /* the first window is held until the next one starts (hop unknown),
   * then lasts until then: here the windows tile the time line */
  gst_harness_push (h, results_buffer (0, 500 * MS, &yes, 1));
  expect_no_cue (h);
  gst_harness_push (h, window_buffer (500 * MS, 500 * MS, 500 * MS,
          500 * MS, (const gchar *[]) {
          "no"}, 1));
  expect_cue (h, "yes\n", 0, 500 * MS);
  /* with the hop known, a cue is sent as its window is read */
  expect_cue (h, "no\n", 500 * MS, 1000 * MS);

  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (caps != NULL);
  fail_unless (gst_caps_is_fixed (caps));
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "text/x-raw"));
  fail_unless_equals_string (gst_structure_get_string (s, "format"), "utf8");
  gst_caps_unref (caps);
  harness_done (h);
}

GST_END_TEST;

/* Every placeholder, braces, no newline; a UTF-8 label passes intact. */
GST_START_TEST (test_placeholders)
{
  GstHarness *h = text_harness ("template", "{{{stream}}} {label}/{class} "
      "{confidence} [{start}, {end}) {duration} s {frames} {model} "
      "{element}", "newline", FALSE, NULL);
  FakeResult r = yes;

  r.stream = 0;
  r.ts = 1250 * MS;
  r.label = "sí ✓";
  gst_harness_push (h, results_buffer (1250 * MS, 500 * MS, &r, 1));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "{0} sí ✓/2 0.88 [1.250, 1.750) 0.500 s 50 "
      "m.safetensors rnn0", 1250 * MS, 1750 * MS);
  harness_done (h);
}

GST_END_TEST;

/* No label in the model: the label is the class index as text. */
GST_START_TEST (test_index_label)
{
  GstHarness *h = text_harness ("template", "{label}={class}", NULL);
  FakeResult r = yes;

  r.label = NULL;
  gst_harness_push (h, results_buffer (0, 500 * MS, &r, 1));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "2=2\n", 0, 500 * MS);
  harness_done (h);
}

GST_END_TEST;

static const struct
{
  const gchar *tpl, *needle;
} bad_templates[] = {
  {"{label} {colour}", "{colour}"},
  {"{label", "not closed"},
  {"label}", "lone '}'"},
  {"{}", "unknown placeholder {}"},
};

/* A template that does not compile is refused as GStreamer's elements
 * refuse an invalid property value: the previous template stays (read
 * back, and used), and a WARNING names the template and what is wrong,
 * listing the placeholders that exist; set before the element runs it
 * is also a g_warning (gst-launch-1.0 sets properties with no bus yet). */
GST_START_TEST (test_bad_template)
{
  GstHarness *h;
  GstElement *e = gst_element_factory_make ("rnntext", NULL);
  GstBus *bus = gst_bus_new ();
  const gchar *needles[] = { "template", bad_templates[__i__].needle,
    bad_templates[__i__].tpl, "{label}", NULL
  };
  gchar *got = NULL;

  gst_element_set_bus (e, bus);
  g_object_set (e, "template", "{label}", NULL);
  ASSERT_WARNING (g_object_set (e, "template", bad_templates[__i__].tpl,
          NULL));
  g_object_get (e, "template", &got, NULL);
  fail_unless_equals_string (got, "{label}");
  g_free (got);
  check_one_warning (bus, needles);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);

  /* and it runs with the template kept (cue-time=end: the cue starts at
   * the window's end) */
  h = harness_audio (e, 1);
  gst_harness_push (h, results_buffer (0, 500 * MS, &yes, 1));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "yes\n", 500 * MS, 1000 * MS);
  harness_done (h);
}

GST_END_TEST;

/* The template may change while playing; a bad one set while playing is
 * refused: the previous one stays in use, a WARNING names the bad one
 * and why, and the stream goes on (no error). */
GST_START_TEST (test_template_while_playing)
{
  GstHarness *h = text_harness ("template", "a:{label}", NULL);
  const gchar *needles[] = { "template", "{nope}", "unknown placeholder",
    "b:{label}", NULL
  };
  FakeResult r = yes;
  gchar *got = NULL;

  gst_harness_push (h, results_buffer (0, 500 * MS, &r, 1));
  g_object_set (h->element, "template", "b:{label}", NULL);
  r.ts = 500 * MS;
  gst_harness_push (h, results_buffer (500 * MS, 500 * MS, &r, 1));
  /* the first was rendered when its window was read */
  expect_cue (h, "a:yes\n", 0, 500 * MS);
  expect_cue (h, "b:yes\n", 500 * MS, 1000 * MS);

  g_object_set (h->element, "template", "{nope}", NULL);
  check_one_warning (harness_bus (h), needles);
  g_object_get (h->element, "template", &got, NULL);
  fail_unless_equals_string (got, "b:{label}");
  g_free (got);
  r.ts = 1000 * MS;
  fail_unless_equals_int (gst_harness_push (h, results_buffer (1000 * MS,
              500 * MS, &r, 1)), GST_FLOW_OK);
  expect_cue (h, "b:yes\n", 1000 * MS, 1500 * MS);
  fail_unless (gst_bus_pop_filtered (harness_bus (h), GST_MESSAGE_ERROR)
      == NULL, "an ERROR on the bus");
  harness_done (h);
}

GST_END_TEST;

static Suite *
rnntext_template_suite (void)
{
  Suite *s = suite_create ("rnntext-template");
  TCase *tc = tcase_create ("template");

  tcase_add_test (tc, test_default);
  tcase_add_test (tc, test_placeholders);
  tcase_add_test (tc, test_index_label);
  tcase_add_loop_test (tc, test_bad_template, 0,
      G_N_ELEMENTS (bad_templates));
  tcase_add_test (tc, test_template_while_playing);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_template);

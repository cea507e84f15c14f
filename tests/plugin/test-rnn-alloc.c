/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* No allocation on the per-buffer path beyond the output buffer: malloc is
 * interposed for the whole process and counted while buffers flow through
 * the element, against the same flow through `identity`.  Not run under
 * AddressSanitizer (which owns malloc) nor valgrind (suite plugin-alloc,
 * outside the valgrind run). */
#include "rnn-test-gst.h"

#include "alloc-count.h"

#ifdef RNN_TEST_COUNT_ALLOCS
/* Allocations per buffer in steady state: push/pull @n buffers of @frames
 * frames (after a warm-up) through @h. */
static double
allocs_per_buffer (GstHarness * h, guint frames, guint n)
{
  gsize bytes = (gsize) frames * sizeof (float);
  float *x = g_new0 (float, frames);
  for (guint i = 0; i < frames; i++)
    x[i] = 0.5f * (float) ((i % 40) < 20);
  GstBuffer *tmpl = gst_buffer_new_wrapped (x, bytes);
  for (guint i = 0; i < 20; i++) {
    gst_harness_push (h, gst_buffer_copy_deep (tmpl));
    gst_buffer_unref (gst_harness_pull (h));
  }
  /* the input buffers are made before counting: only the element's work
   * and the harness's plumbing are counted */
  GstBuffer **in = g_new (GstBuffer *, n);
  for (guint i = 0; i < n; i++)
    in[i] = gst_buffer_copy_deep (tmpl);
  gint before = rnn_test_alloc_count ();
  for (guint i = 0; i < n; i++) {
    gst_harness_push (h, in[i]);
    gst_buffer_unref (gst_harness_pull (h));
  }
  gint after = rnn_test_alloc_count ();
  g_free (in);
  gst_buffer_unref (tmpl);
  return (double) (after - before) / n;
}

static GstHarness *
harness_for (const gchar * launch)
{
  GstHarness *h = gst_harness_new_parse (launch);
  gchar *caps = audio_caps (1, 8000);

  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  return h;
}

GST_START_TEST (test_no_allocation_per_buffer)
{
  gchar *model = g_strdup_printf ("%s/waveform-gru.safetensors",
      g_getenv ("RNN_EXAMPLES_MODELS"));
  gchar *launch = g_strdup_printf ("rnn model=%s", model);
  GstHarness *ref = harness_for ("identity");
  GstHarness *h = harness_for (launch);

  double base = allocs_per_buffer (ref, 256, 200);
  double small = allocs_per_buffer (h, 256, 200);
  double big = allocs_per_buffer (h, 4096, 200);
  GST_INFO ("allocations per buffer: identity %.2f, rnn 256 frames %.2f, "
      "rnn 4096 frames %.2f", base, small, big);
  g_print ("allocations per buffer: identity %.2f, rnn %.2f (256 frames), "
      "%.2f (4096 frames)\n", base, small, big);
  /* the output buffer (GstBuffer, GstMemory, data) and nothing else */
  fail_unless (small <= base + 3.0, "rnn allocates %.2f per buffer, "
      "identity %.2f", small, base);
  /* and nothing that grows with the buffer (no per-frame allocation) */
  fail_unless (big <= small + 0.5, "256 frames: %.2f, 4096 frames: %.2f",
      small, big);
  /* the counter works */
  gint before = rnn_test_alloc_count ();
  g_free (g_malloc (8));
  fail_unless (rnn_test_alloc_count () > before);

  gst_harness_teardown (h);
  gst_harness_teardown (ref);
  g_free (launch);
  g_free (model);
}

GST_END_TEST;
#endif

static Suite *
rnn_alloc_suite (void)
{
  Suite *s = suite_create ("rnn-alloc");
  TCase *tc = tcase_create ("alloc");
  suite_add_tcase (s, tc);
#ifdef RNN_TEST_COUNT_ALLOCS
  tcase_add_test (tc, test_no_allocation_per_buffer);
#endif
  return s;
}

GST_CHECK_MAIN (rnn_alloc);

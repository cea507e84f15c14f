/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext behind a real rnn element (mode=n-to-1) on every n-to-1 fixture
 * of tests/conformance/gen_modes.py ($RNN_MODES_DIR): one cue per window,
 * starting at the window start (its first frame at 100 frames/s) and
 * lasting min(window, hop) frames, whose text names, for every stream,
 * PyTorch's best class (its label from the model, else its index) and
 * score.  Expected values come from the fixture (PyTorch), not from the
 * element. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnntext-test.h"

/* rnn ! rnntext in a bin, the rnn configured as the case. */
static GstHarness *
rnn_text_harness (const RnnModeCase * c)
{
  GstElement *bin = gst_bin_new (NULL), *rnn = make_mode_rnn (c);
  GstElement *text = gst_element_factory_make ("rnntext", NULL);
  GstPad *pad;

  fail_unless (text != NULL);
  g_object_set (text, "template", "{stream}:{label}:{confidence}",
      "separator", "|", "newline", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (text), "cue-time", "start");
  gst_bin_add_many (GST_BIN (bin), rnn, text, NULL);
  fail_unless (gst_element_link (rnn, text));
  pad = gst_element_get_static_pad (rnn, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (text, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  gst_object_unref (pad);
  return harness_streams (bin, c->B, c->F, c->batch_first);
}

/* @text (one window: B entries "stream:label:confidence" joined by '|')
 * against PyTorch's scores of window @w. */
static void
check_text (const RnnModeCase * c, const char *const *labels, guint w,
    const gchar * text)
{
  gchar **entries = g_strsplit (text, "|", -1);
  guint b, i;

  fail_unless_equals_int (g_strv_length (entries), c->B);
  for (b = 0; b < c->B; b++) {
    const float *exp = c->scores + ((gsize) w * c->B + b) * c->O;
    gchar **f = g_strsplit (entries[b], ":", -1);
    guint top = 0, got_cls = G_MAXUINT;
    double conf;

    fail_unless_equals_int (g_strv_length (f), 3);
    fail_unless_equals_int (atoi (f[0]), b);
    for (i = 1; i < c->O; i++)
      if (exp[i] > exp[top])
        top = i;
    /* the class it names */
    for (i = 0; i < c->O; i++) {
      gchar idx[16];

      g_snprintf (idx, sizeof (idx), "%u", i);
      if (g_str_equal (f[1], labels ? labels[i] : idx))
        got_cls = i;
    }
    fail_unless (got_cls < c->O, "%s window %u stream %u: unknown label "
        "'%s'", c->name, w, b, f[1]);
    /* PyTorch's best, or a tie within the tolerance */
    fail_unless (exp[got_cls] >= exp[top] - 2 * RNN_TEST_TOLERANCE,
        "%s window %u stream %u: '%s' (PyTorch %g), PyTorch's best is %u "
        "(%g)", c->name, w, b, f[1], exp[got_cls], top, exp[top]);
    /* printed with two decimals */
    conf = g_ascii_strtod (f[2], NULL);
    fail_unless (fabs (conf - exp[top]) <= 0.005 + 2 * RNN_TEST_TOLERANCE,
        "%s window %u stream %u: confidence %s, PyTorch %g", c->name, w, b,
        f[2], exp[top]);
    g_strfreev (f);
  }
  g_strfreev (entries);
}

static void
run_case (const RnnModeCase * c)
{
  GstHarness *h = rnn_text_harness (c);
  RnnModel *model;
  const char *const *labels = case_labels (c, &model);
  guint t0 = 0, s = 0, w;
  guint cue_frames = c->n_windows > 1 ? MIN (c->window, c->hop) : c->window;

  while (t0 < c->T) {
    guint k = MIN (split_size (s++), c->T - t0);

    fail_unless_equals_int (gst_harness_push (h, case_frames (c, t0, k)),
        GST_FLOW_OK);
    t0 += k;
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), c->n_windows);
  for (w = 0; w < c->n_windows; w++) {
    GstBuffer *buf = gst_harness_pull (h);
    GstMapInfo map;
    gchar *text;

    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf),
        FRAME_TIME ((guint) c->starts[w]));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf),
        FRAME_TIME (cue_frames));
    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    text = g_strndup ((const gchar *) map.data, map.size);
    fail_unless (g_utf8_validate (text, -1, NULL));
    check_text (c, labels, w, text);
    g_free (text);
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
  }
  rnn_model_unref (model);
  harness_done (h);
}

GST_START_TEST (test_fixtures)
{
  guint i, ran = 0;
  gboolean overlap = FALSE, b3 = FALSE, named = FALSE;

  fail_unless (mode_cases->len > 0, "no fixtures in %s",
      rnn_test_modes_dir ());
  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);
    RnnModel *m;

    if (!is_mode (c, "n-to-1"))
      continue;
    GST_INFO ("%s", c->name);
    run_case (c);
    overlap |= c->hop < c->window;
    b3 |= c->B == 3;
    named |= case_labels (c, &m) != NULL;
    rnn_model_unref (m);
    ran++;
  }
  fail_unless (ran > 0);
  fail_unless (overlap && b3 && named, "the n-to-1 fixtures do not cover "
      "overlapping windows, B = 3 and labelled models");
}

GST_END_TEST;

static Suite *
rnntext_rnn_suite (void)
{
  Suite *s = suite_create ("rnntext-rnn");
  TCase *tc = tcase_create ("pytorch");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_fixtures);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_rnn);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors of the rnn element common to every mode: a buffer that is not a
 * whole number of frames, a model that is missing, absent, garbage or not
 * a recurrent model, a mode or model that needs a window and has none, a
 * feed the mode does not take.  Each must fail with a GStreamer error
 * whose message names the cause.  (Models a mode refuses: the mode's
 * file; caps the model cannot read: test-rnn-caps.c; non-finite=error:
 * test-rnn-non-finite.c.) */
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "rnn-test-gst.h"

GST_START_TEST (test_partial_frame_buffer)
{
  gchar *model = tiny_model (2, 3);
  GstHarness *h = harness_new (make_rnn (model), NULL);
  const gchar *needles[] = { "12 bytes", "whole number of frames", NULL };
  GstBuffer *buf;

  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=100, channels=2");
  /* 1.5 frames of 2 floats */
  buf = gst_buffer_new_allocate (NULL, 12, NULL);
  gst_buffer_memset (buf, 0, 0, 12);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_ERROR);
  check_bus_error (harness_bus (h), GST_STREAM_ERROR,
      GST_STREAM_ERROR_FORMAT, needles);
  fail_unless (gst_harness_try_pull (h) == NULL);
  harness_done (h);
  g_free (model);
}

GST_END_TEST;

/* Sizes set by properties are bounded: window and hop at most 2^20
 * frames, steps at most 2^16 (documented); an output buffer that would
 * exceed 1 GiB (1-to-n: frames x steps x B x O floats) is refused with
 * the numbers, never an abort in the allocator (steps=1073741823 with 8
 * channels tried to allocate 32 GiB). */
GST_START_TEST (test_sizes_bounded)
{
  gchar *model = tiny_model (1, 2);
  GstElement *rnn = make_plain_rnn (model, "1-to-n");
  const gchar *needles[] = { "512 frames", "65536", "bytes an output buffer",
    NULL
  };
  GObjectClass *klass = G_OBJECT_GET_CLASS (rnn);
  GstHarness *h;
  GstBuffer *buf;

  fail_unless_equals_int (G_PARAM_SPEC_UINT (g_object_class_find_property
          (klass, "steps"))->maximum, 65536);
  fail_unless_equals_int (G_PARAM_SPEC_UINT (g_object_class_find_property
          (klass, "window"))->maximum, 1 << 20);
  fail_unless_equals_int (G_PARAM_SPEC_UINT (g_object_class_find_property
          (klass, "hop"))->maximum, 1 << 20);

  g_object_set (rnn, "steps", 65536, NULL);
  h = harness_audio (rnn, 8);
  buf = gst_buffer_new_allocate (NULL, 512 * 8 * sizeof (float), NULL);
  gst_buffer_memset (buf, 0, 0, 512 * 8 * sizeof (float));
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_ERROR);
  check_bus_error (harness_bus (h), GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
      needles);
  harness_done (h);
  g_free (model);
}

GST_END_TEST;

/* ------------------------------------------------------------ models */

static gchar *
no_model (void)
{
  return NULL;
}

static gchar *
missing_model (void)
{
  return tmp_model ("does-not-exist");
}

static gchar *
garbage_model (void)
{
  gchar *path = tmp_model ("garbage");
  guint8 junk[100];
  guint i;

  for (i = 0; i < sizeof (junk); i++)
    junk[i] = (guint8) (i * 37 + 11);
  fail_unless (g_file_set_contents (path, (const gchar *) junk, sizeof (junk),
          NULL));
  return path;
}

/* A valid safetensors file that is not a recurrent model. */
static gchar *
not_a_model (void)
{
  gchar *path = tmp_model ("not-a-model");
  gsize shape[1] = { 4 };
  const gsize *shapes[] = { shape };
  guint ndims[] = { 1 };
  float v[4] = { 1, 2, 3, 4 };
  const float *data[] = { v };
  const gchar *names[] = { "fc.weight", NULL };

  rnn_test_write_safetensors (path, names, shapes, ndims, data, NULL);
  return path;
}

/* A FIFO: opening it for reading would wait for a writer forever (the
 * start, or the thread setting 'model', hung). */
static gchar *
fifo_model (void)
{
  gchar *path = tmp_model ("fifo");

  g_unlink (path);
  fail_unless (mkfifo (path, 0600) == 0);
  return path;
}

static const struct
{
  gchar *(*write) (void);
  gint code;
  gboolean core_reason;         /* the message carries the core's reason */
} model_errors[] = {
  {no_model, GST_RESOURCE_ERROR_NOT_FOUND, FALSE},
  {missing_model, GST_RESOURCE_ERROR_NOT_FOUND, FALSE},
  {garbage_model, GST_RESOURCE_ERROR_FAILED, TRUE},
  {not_a_model, GST_RESOURCE_ERROR_FAILED, FALSE},
  {fifo_model, GST_RESOURCE_ERROR_OPEN_READ, TRUE},
};

/* The element refuses to start, naming the file (or the 'model'
 * property when none is set). */
GST_START_TEST (test_model_error)
{
  gchar *path = model_errors[__i__].write ();
  const gchar *needles[] = { path ? path : "model", NULL, NULL };
  GError *core_err = NULL;

  if (model_errors[__i__].core_reason) {
    RnnModel *m = rnn_model_load (path, NULL, &core_err);

    fail_unless (m == NULL && core_err != NULL);
    needles[1] = core_err->message;
  }
  check_start_error (make_rnn (path), GST_RESOURCE_ERROR,
      model_errors[__i__].code, needles);
  g_clear_error (&core_err);
  g_free (path);
}

GST_END_TEST;

/* ---------------------------------------------------------- settings */

/* Without a window: a bidirectional model in n-to-n (row 0), n-to-1 (row
 * 1), n-to-m (row 2). */
GST_START_TEST (test_window_required)
{
  gchar *tiny = NULL;
  const gchar *needles[4] = { NULL, };
  GstElement *rnn;

  if (__i__ == 0) {
    const RnnTestCase *c = need_bidi_case ();

    needles[0] = "bidirectional";
    needles[1] = "window";
    needles[2] = c->model_path;
    rnn = make_case_rnn (c);
  } else if (__i__ == 1) {
    tiny = tiny_model (1, 2);
    needles[0] = "n-to-1";
    needles[1] = "'window'";
    rnn = make_plain_rnn (tiny, "n-to-1");
  } else {
    const RnnModeCase *c = need_mode_case ("n-to-m", 0, FALSE);

    needles[0] = "n-to-m";
    needles[1] = "'window'";
    rnn = make_plain_rnn (c->model_path, "n-to-m");
  }
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      needles);
  g_free (tiny);
}

GST_END_TEST;

/* feed values a mode does not take fail at start naming 'feed'. */
static const struct
{
  const gchar *mode, *feed, *needles[4];
} bad_feeds[] = {
  {"1-to-n", "context", {"'feed'", "context", "1-to-n", NULL}},
  {"n-to-m", "repeat", {"'feed'", "repeat", "n-to-m", NULL}},
  {"n-to-1", "first", {"'feed'", "first", "n-to-1", NULL}},
};

GST_START_TEST (test_bad_feed)
{
  const gchar *mode = bad_feeds[__i__].mode;
  const RnnModeCase *c = need_mode_case (mode, 0, FALSE);
  GstElement *rnn = make_plain_rnn (c->model_path, mode);

  if (!g_str_equal (mode, "1-to-n"))
    g_object_set (rnn, "window", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "feed", bad_feeds[__i__].feed);
  check_start_error (rnn, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      bad_feeds[__i__].needles);
}

GST_END_TEST;

static Suite *
rnn_errors_suite (void)
{
  Suite *s = suite_create ("rnn-errors");
  TCase *tc;

  tc = tcase_create ("input");
  tcase_add_test (tc, test_partial_frame_buffer);
  tcase_add_test (tc, test_sizes_bounded);
  suite_add_tcase (s, tc);

  tc = tcase_create ("model");
  tcase_add_loop_test (tc, test_model_error, 0, G_N_ELEMENTS (model_errors));
  suite_add_tcase (s, tc);

  tc = tcase_create ("settings");
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_loop_test (tc, test_window_required, 0, 3);
  tcase_add_loop_test (tc, test_bad_feed, 0, G_N_ELEMENTS (bad_feeds));
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_errors);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rnn element in real pipelines: filesrc ! rawaudioparse ! rnn !
 * filesink against PyTorch's numbers, a live audiotestsrc pipeline, a
 * pipeline that must fail going to PAUSED, and one pipeline per streaming
 * mode (n-to-1 read back from appsink and the bus, 1-to-n and n-to-m to a
 * file).  (appsrc ! rnn ! appsink across a restart:
 * test-rnn-snapshots.c.) */
#include <string.h>

#include "rnn-test-gst.h"

/* Run @pipeline to EOS (or ERROR); returns the error message or NULL. */
static gchar *
run_to_eos (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gchar *result = NULL;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "pipeline timed out");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    result = g_strdup_printf ("%s (%s)", err->message, dbg);
    g_error_free (err);
    g_free (dbg);
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  return result;
}

/* For every time-major streamable fixture: write the input as a raw f32
 * file, run it through a real pipeline in odd-sized reads and compare the
 * output file with PyTorch's output. */
GST_START_TEST (test_filesrc_to_filesink)
{
  guint i, ran = 0;

  for (i = 0; i < cases->len; i++) {
    const RnnTestCase *c = g_ptr_array_index (cases, i);
    gchar *in_path, *out_path, *desc, *err, *contents = NULL;
    gsize len = 0, n = (gsize) c->T * c->B * c->O;
    GstElement *pipeline;
    GError *perr = NULL;
    double e;

    if (!rnn_test_case_streamable (c) || c->batch_first)
      continue;

    in_path = g_strdup_printf ("%s/%s.in.f32", rnn_test_tmpdir (), c->name);
    out_path = g_strdup_printf ("%s/%s.out.f32", rnn_test_tmpdir (), c->name);
    fail_unless (g_file_set_contents (in_path, (const gchar *) c->input,
            (gssize) c->T * c->B * c->F * sizeof (float), NULL));
    /* blocksize: not a multiple of the frame size, so rawaudioparse sees
     * uneven reads and emits buffers of varying frame counts.
     * rawaudioparse has no default channel positions beyond 8 channels:
     * give it unpositioned caps from upstream then. */
    if (c->B * c->F <= 8)
      desc = g_strdup_printf ("filesrc location=\"%s\" blocksize=52 ! "
          "rawaudioparse use-sink-caps=false format=pcm pcm-format=f32le "
          "sample-rate=100 num-channels=%u ! rnn model=\"%s\" ! "
          "filesink location=\"%s\"", in_path, c->B * c->F, c->model_path,
          out_path);
    else
      desc = g_strdup_printf ("filesrc location=\"%s\" blocksize=52 ! "
          "audio/x-raw,format=F32LE,layout=interleaved,rate=100,"
          "channels=%u,channel-mask=(bitmask)0 ! queue ! "
          "rawaudioparse use-sink-caps=true ! rnn model=\"%s\" ! "
          "filesink location=\"%s\"", in_path, c->B * c->F, c->model_path,
          out_path);
    pipeline = gst_parse_launch (desc, &perr);
    fail_unless (pipeline != NULL, "%s: %s", desc, perr ? perr->message : "");
    err = run_to_eos (pipeline);
    fail_unless (err == NULL, "%s: pipeline error: %s", c->name, err);
    gst_object_unref (pipeline);

    fail_unless (g_file_get_contents (out_path, &contents, &len, NULL));
    fail_unless_equals_uint64 (len, n * sizeof (float));
    e = rnn_test_max_err ((const float *) contents, c->output, n);
    fail_unless (e <= RNN_TEST_TOLERANCE, "%s: pipeline output max error %g", c->name, e);

    g_free (contents);
    g_free (desc);
    g_free (in_path);
    g_free (out_path);
    ran++;
  }
  fail_unless (ran > 0, "no time-major streamable fixture in %s",
      rnn_test_fixture_dir ());
}

GST_END_TEST;

/* A live source through the element, with an audio converter after it
 * (checks the output caps are valid audio caps), reaches EOS. */
GST_START_TEST (test_live_pipeline)
{
  /* input size 1, hidden 4: one mono stream in, 4 channels out */
  gchar *model = tiny_model (1, 4);
  gchar *desc, *err;
  GstElement *pipeline, *rnn;
  GstQuery *q;
  gboolean live;
  GstClockTime min, max;

  desc = g_strdup_printf ("audiotestsrc is-live=true num-buffers=10 "
      "samplesperbuffer=10 wave=sine freq=2 ! "
      "audio/x-raw,format=F32LE,channels=1,rate=100 ! "
      "rnn name=rnn model=\"%s\" ! audioconvert ! "
      "audio/x-raw,format=F32LE,channels=4 ! fakesink sync=true", model);
  pipeline = gst_parse_launch (desc, NULL);
  fail_unless (pipeline != NULL);
  err = run_to_eos (pipeline);
  fail_unless (err == NULL, "live pipeline error: %s", err);

  /* the latency query through the element works and says live */
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (pipeline, NULL, NULL,
          10 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS);
  rnn = gst_bin_get_by_name (GST_BIN (pipeline), "rnn");
  q = gst_query_new_latency ();
  fail_unless (gst_element_query (rnn, q));
  gst_query_parse_latency (q, &live, &min, &max);
  fail_unless (live);
  gst_query_unref (q);
  gst_object_unref (rnn);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  gst_object_unref (pipeline);
  g_free (desc);
  g_free (model);
}

GST_END_TEST;

/* Several streams of a 1-input model in one interleaved buffer. */
GST_START_TEST (test_live_multistream)
{
  gchar *model = tiny_model (1, 2);
  gchar *desc, *err;
  GstElement *pipeline;

  desc = g_strdup_printf ("audiotestsrc is-live=true num-buffers=5 "
      "samplesperbuffer=7 ! audio/x-raw,format=F32LE,channels=3,rate=50 ! "
      "rnn model=\"%s\" ! audio/x-raw,channels=6 ! fakesink", model);
  pipeline = gst_parse_launch (desc, NULL);
  fail_unless (pipeline != NULL);
  err = run_to_eos (pipeline);
  fail_unless (err == NULL, "multistream pipeline error: %s", err);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (model);
}

GST_END_TEST;

/* A converter in front adapts to the model: a mono S16 source and a
 * 2-input model negotiate 2 channels of F32 (B = 1 preferred), in n-to-n
 * (row 0) and n-to-1 (row 1), whose output is the input itself. */
GST_START_TEST (test_converter_adapts)
{
  gchar *model = tiny_model (2, 3);
  gchar *desc, *err;
  GstElement *pipeline, *rnn;
  GstPad *sink;
  GstCaps *caps;
  gint channels = 0;

  desc = g_strdup_printf ("audiotestsrc num-buffers=5 samplesperbuffer=40 ! "
      "audio/x-raw,format=S16LE,channels=1,rate=8000 ! audioconvert ! "
      "rnn name=rnn %s model=\"%s\" ! fakesink",
      __i__ ? "mode=n-to-1 window=20" : "", model);
  pipeline = gst_parse_launch (desc, NULL);
  fail_unless (pipeline != NULL);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (pipeline, NULL, NULL,
          10 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS);
  rnn = gst_bin_get_by_name (GST_BIN (pipeline), "rnn");
  sink = gst_element_get_static_pad (rnn, "sink");
  caps = gst_pad_get_current_caps (sink);
  fail_unless (caps != NULL);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "channels", &channels));
  fail_unless_equals_int (channels, 2);
  gst_caps_unref (caps);
  gst_object_unref (sink);
  gst_object_unref (rnn);
  err = run_to_eos (pipeline);
  fail_unless (err == NULL, "pipeline error: %s", err);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (model);
}

GST_END_TEST;

/* A missing model: the pipeline fails going to PAUSED with an ERROR
 * naming the file. */
GST_START_TEST (test_pipeline_missing_model)
{
  GstElement *pipeline = gst_parse_launch ("audiotestsrc num-buffers=1 ! "
      "audio/x-raw,format=F32LE,channels=1 ! "
      "rnn model=/nonexistent/model.safetensors ! fakesink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  const gchar *needles[] = { "/nonexistent/model.safetensors", NULL };

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  check_bus_error (bus, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
      needles);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* ------------------------------------------------------------ modes */

/* The rnn properties of a streaming-mode case, as gst-launch text. */
static gchar *
mode_args (const RnnModeCase * c)
{
  return g_strdup_printf ("mode=%s window=%u hop=%u steps=%u%s%s "
      "carry-state=%s", c->mode, c->window, c->hop, MAX (c->steps, 1),
      c->feed && *c->feed ? " feed=" : "", c->feed ? c->feed : "",
      c->carry ? "true" : "false");
}

/* filesrc ! [queue !] rawaudioparse for the case's input written to
 * @in_path, in odd-sized reads. */
static gchar *
mode_source (const RnnModeCase * c, const gchar * in_path)
{
  fail_unless (g_file_set_contents (in_path, (const gchar *) c->input,
          (gssize) c->T * c->B * c->F * sizeof (float), NULL));
  if (c->B * c->F <= 8)
    return g_strdup_printf ("filesrc location=\"%s\" blocksize=52 ! queue ! "
        "rawaudioparse use-sink-caps=false format=pcm pcm-format=f32le "
        "sample-rate=100 num-channels=%u", in_path, c->B * c->F);
  return g_strdup_printf ("filesrc location=\"%s\" blocksize=52 ! "
      "audio/x-raw,format=F32LE,layout=interleaved,rate=100,"
      "channels=%u,channel-mask=(bitmask)0 ! queue ! "
      "rawaudioparse use-sink-caps=true", in_path, c->B * c->F);
}

/* n-to-1 in a pipeline: the results survive audioconvert (to S16) on the
 * buffers and arrive on the bus; both equal PyTorch's. */
GST_START_TEST (test_n1_pipeline)
{
  guint i, ran = 0;

  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);
    gchar *in_path, *src, *args, *desc;
    GstElement *pipeline, *sink;
    GstSample *sample;
    GstBus *bus;
    GstMessage *msg;
    guint metas = 0, msgs = 0;

    if (!g_str_equal (c->mode, "n-to-1") || c->batch_first)
      continue;
    in_path = g_strdup_printf ("%s/%s.in.f32", rnn_test_tmpdir (), c->name);
    src = mode_source (c, in_path);
    args = mode_args (c);
    desc = g_strdup_printf ("%s ! rnn model=\"%s\" %s ! audioconvert ! "
        "audio/x-raw,format=S16LE ! appsink name=sink sync=false", src,
        c->model_path, args);
    pipeline = gst_parse_launch (desc, NULL);
    fail_unless (pipeline != NULL, "%s", desc);
    sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
    bus = gst_element_get_bus (pipeline);
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    fail_unless (gst_rnn_result_meta_get_info () != NULL);

    while (TRUE) {
      GstBuffer *buf;
      GstCustomMeta *m;
      guint j;

      g_signal_emit_by_name (sink, "pull-sample", &sample);
      if (sample == NULL)
        break;
      buf = gst_sample_get_buffer (sample);
      m = gst_rnn_buffer_get_result_meta (buf);
      for (j = 0; j < gst_rnn_result_meta_get_n_results (m); j++) {
        const GstStructure *s = gst_rnn_result_meta_get_result (m, j);
        const GValue *arr = gst_structure_get_value (s, "scores");
        guint stream, w, k;
        guint64 ts;
        float got[16];

        fail_unless (gst_structure_get_uint (s, "stream", &stream));
        fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
        w = (guint) (ts / (GST_SECOND / 100));
        for (k = 0; k < c->n_windows && (guint) c->starts[k] != w; k++);
        fail_unless (k < c->n_windows, "%s: no window starts at %u", c->name,
            w);
        fail_unless_equals_int (gst_value_array_get_size (arr), c->O);
        for (w = 0; w < c->O; w++)
          got[w] = g_value_get_double (gst_value_array_get_value (arr, w));
        fail_unless (rnn_test_max_err (got, c->scores + ((gsize) k * c->B +
                    stream) * c->O, c->O) <= RNN_TEST_TOLERANCE, "%s: window %u", c->name,
            k);
        metas++;
      }
      gst_sample_unref (sample);
    }
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT |
                GST_MESSAGE_ERROR))) {
      fail_unless (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT);
      if (gst_structure_has_name (gst_message_get_structure (msg), "rnn"))
        msgs++;
      gst_message_unref (msg);
    }
    fail_unless_equals_int (metas, c->n_windows * c->B);
    fail_unless_equals_int (msgs, c->n_windows * c->B);

    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (bus);
    gst_object_unref (sink);
    gst_object_unref (pipeline);
    g_free (desc);
    g_free (args);
    g_free (src);
    g_free (in_path);
    ran++;
  }
  fail_unless (ran > 0, "no time-major n-to-1 fixture in %s",
      rnn_test_modes_dir ());
}

GST_END_TEST;

/* 1-to-n and n-to-m to a file: the file is PyTorch's output (for n-to-m,
 * the forecasts of every window, one after the other). */
static void
run_file_modes (const gchar * mode)
{
  guint i, ran = 0;

  for (i = 0; i < mode_cases->len; i++) {
    const RnnModeCase *c = g_ptr_array_index (mode_cases, i);
    gchar *in_path, *out_path, *src, *args, *desc, *err, *contents = NULL;
    gsize len = 0, n;
    GstElement *pipeline;
    double e;

    /* raw files travel as audio: time-major, forecasts that tile */
    if (!g_str_equal (c->mode, mode) || c->batch_first
        || (g_str_equal (mode, "n-to-m") && c->steps != c->hop))
      continue;
    n = g_str_equal (mode, "1-to-n") ?
        (gsize) c->T * c->steps * c->B * c->O :
        (gsize) c->n_windows * c->steps * c->B * c->O;
    in_path = g_strdup_printf ("%s/%s.in.f32", rnn_test_tmpdir (), c->name);
    out_path = g_strdup_printf ("%s/%s.out.f32", rnn_test_tmpdir (), c->name);
    src = mode_source (c, in_path);
    args = mode_args (c);
    desc = g_strdup_printf ("%s ! rnn model=\"%s\" %s ! filesink "
        "location=\"%s\"", src, c->model_path, args, out_path);
    pipeline = gst_parse_launch (desc, NULL);
    fail_unless (pipeline != NULL, "%s", desc);
    err = run_to_eos (pipeline);
    fail_unless (err == NULL, "%s: pipeline error: %s", c->name, err);
    gst_object_unref (pipeline);

    fail_unless (g_file_get_contents (out_path, &contents, &len, NULL));
    fail_unless_equals_uint64 (len, n * sizeof (float));
    e = rnn_test_max_err ((const float *) contents, c->output, n);
    fail_unless (e <= RNN_TEST_TOLERANCE, "%s: pipeline output max error %g", c->name, e);
    g_free (contents);
    g_free (desc);
    g_free (args);
    g_free (src);
    g_free (in_path);
    g_free (out_path);
    ran++;
  }
  fail_unless (ran > 0, "no time-major %s fixture", mode);
}

static const gchar *const file_modes[] = { "1-to-n", "n-to-m" };

GST_START_TEST (test_file_modes_pipeline)
{
  run_file_modes (file_modes[__i__]);
}

GST_END_TEST;

static Suite *
rnn_pipeline_suite (void)
{
  Suite *s = suite_create ("rnn-pipeline");
  TCase *tc = tcase_create ("pipeline");

  tcase_set_timeout (tc, 120);
  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_filesrc_to_filesink);
  tcase_add_test (tc, test_live_pipeline);
  tcase_add_test (tc, test_live_multistream);
  tcase_add_loop_test (tc, test_converter_adapts, 0, 2);
  tcase_add_test (tc, test_pipeline_missing_model);
  tcase_add_test (tc, test_n1_pipeline);
  tcase_add_loop_test (tc, test_file_modes_pipeline, 0,
      G_N_ELEMENTS (file_modes));
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_pipeline);

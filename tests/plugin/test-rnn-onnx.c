/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnn model=FILE.onnx: a graph exported by torch.onnx.export
 * (tests/conformance/onnx, gen_onnx.py) runs in the element as its
 * safetensors equivalent does, PyTorch's output within 1e-5 in one buffer
 * and in blocks; a graph the reader refuses stops the element at start
 * with the reader's message naming the node. */
#include "rnn-test-gst.h"

#include <string.h>

static const gchar *
onnx_dir (void)
{
  const gchar *d = g_getenv ("RNN_ONNX_DIR");
  fail_unless (d != NULL, "RNN_ONNX_DIR is not set");
  return d;
}

/* Fixture @name of the ONNX set as an RnnTestCase (the fields the
 * harness reads); free with free_onnx_case(). */
static RnnTestCase *
onnx_case (const gchar * name)
{
  RnnTestCase *c = g_new0 (RnnTestCase, 1);
  gchar *dp = g_strdup_printf ("%s/%s.data.safetensors", onnx_dir (), name);
  GError *err = NULL;
  const RnnTestTensor *in, *out;

  c->name = g_strdup (name);
  c->model_path = g_strdup_printf ("%s/%s.onnx", onnx_dir (), name);
  c->data = rnn_test_file_load (dp, &err);
  fail_unless (c->data != NULL, "%s: %s", dp, err ? err->message : "");
  in = rnn_test_file_get (c->data, "input");
  out = rnn_test_file_get (c->data, "output");
  c->batch_first = g_str_equal (rnn_test_file_meta (c->data, "batch_first"),
      "1");
  c->input = in->data;
  c->output = out->data;
  c->T = in->shape[c->batch_first ? 1 : 0];
  c->B = in->shape[c->batch_first ? 0 : 1];
  c->F = in->shape[2];
  c->O = out->shape[2];
  g_free (dp);
  return c;
}

static void
free_onnx_case (RnnTestCase * c)
{
  rnn_test_file_free (c->data);
  g_free (c->model_path);
  g_free (c->name);
  g_free (c);
}

/* A batch-first GRU (2 streams, as other/tensors) and a time-major LSTM
 * with a Linear head, each in one buffer (row 0) and in blocks of 3 and 4
 * frames with the state carried (row 1). */
static const gchar *const streamed[] = {
  "gru_l1_bias_uni_bf", "lstm_l1_bias_uni_tm_head-none_meta",
  "rnn_l1_bias_uni_tm"
};

GST_START_TEST (test_onnx_matches_pytorch)
{
  gboolean one_buffer = __i__ % 2 == 0;
  RnnTestCase *c = onnx_case (streamed[__i__ / 2]);
  GstHarness *h = harness_case (make_case_rnn (c), c);
  guint t0 = 0;

  fail_unless_equals_int (c->T, 7);
  while (t0 < c->T) {
    guint k = one_buffer ? c->T : MIN (t0 ? 4 : 3, c->T - t0);
    GstBuffer *out = push_pull (h, case_frames (c, t0, k));

    check_case_output (out, c, t0, k, one_buffer ? "one buffer" : "blocks");
    gst_buffer_unref (out);
    t0 += k;
  }
  harness_done (h);
  free_onnx_case (c);
}

GST_END_TEST;

GST_START_TEST (test_onnx_refused_at_start)
{
  gchar *path = g_strdup_printf ("%s/refused/tanh-after-gru.onnx",
      onnx_dir ());
  const gchar *needles[] = { path, "node '/Tanh' (Tanh)",
    "op is not supported", NULL
  };

  check_start_error (make_rnn (path), GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_FAILED, needles);
  g_free (path);
}

GST_END_TEST;

static Suite *
rnn_onnx_suite (void)
{
  Suite *s = suite_create ("rnn-onnx");
  TCase *tc = tcase_create ("onnx");

  tcase_add_loop_test (tc, test_onnx_matches_pytorch, 0,
      2 * G_N_ELEMENTS (streamed));
  tcase_add_test (tc, test_onnx_refused_at_start);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_onnx);

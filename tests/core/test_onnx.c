/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ONNX models: every graph of tests/conformance/onnx (exported by
 * gen_onnx.py with torch.onnx.export, opset 14) loads through
 * rnn_model_load() and reproduces PyTorch's output and final state within
 * RNN_TEST_TOLERANCE, run as one window. */
#include <check.h>
#include <string.h>

#include "rnn.h"
#include "rnn-test-util.h"
#include "onnx.pb-c.h"              /* generated from onnx.proto (core/) */

static const char *onnx_dir;
static GPtrArray *names;        /* fixture names, sorted */

static void
check_close (const char *name, const char *what, const float *got,
    const float *want, gsize n)
{
  double err = rnn_test_max_err (got, want, n);
  ck_assert_msg (err <= RNN_TEST_TOLERANCE,
      "%s: %s differs from PyTorch by %g (tolerance %g)", name, what, err,
      RNN_TEST_TOLERANCE);
}

START_TEST (test_matches_pytorch)
{
  const char *name = g_ptr_array_index (names, _i);
  g_autofree char *mp = g_strdup_printf ("%s/%s.onnx", onnx_dir, name);
  g_autofree char *dp = g_strdup_printf ("%s/%s.data.safetensors", onnx_dir,
      name);
  GError *err = NULL;
  RnnTestFile *d = rnn_test_file_load (dp, &err);
  ck_assert_msg (d != NULL, "%s", err ? err->message : "");
  RnnModel *m = rnn_model_load (mp, NULL, &err);
  ck_assert_msg (m != NULL, "%s: %s", name, err ? err->message : "");

  const RnnTestTensor *in = rnn_test_file_get (d, "input");
  const RnnTestTensor *out = rnn_test_file_get (d, "output");
  const RnnTestTensor *hn = rnn_test_file_get (d, "h_n");
  const RnnTestTensor *cn = rnn_test_file_get (d, "c_n");
  gboolean bf = g_str_equal (rnn_test_file_meta (d, "batch_first"), "1");
  guint B = in->shape[bf ? 0 : 1], T = in->shape[bf ? 1 : 0];
  ck_assert_uint_eq (rnn_model_get_input_size (m), in->shape[2]);
  ck_assert_uint_eq (rnn_model_get_output_size (m), out->shape[2]);
  ck_assert_int_eq (rnn_model_is_bidirectional (m),
      g_str_equal (rnn_test_file_meta (d, "bidirectional"), "1"));
  ck_assert_int_eq (rnn_model_has_head (m), strstr (name, "_head-") != NULL);
  ck_assert_uint_eq (hn->numel, rnn_model_get_h_size (m, B));
  ck_assert_uint_eq (cn ? cn->numel : 0, rnn_model_get_c_size (m, B));

  RnnState *s = rnn_state_new (m, B, T, &err);
  ck_assert_ptr_nonnull (s);
  g_autofree float *y = g_new0 (float, out->numel);
  ck_assert_msg (rnn_state_process_window (s, in->data, T,
          bf ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE, y, &err), "%s",
      err ? err->message : "");
  check_close (name, "output", y, out->data, out->numel);
  g_autofree float *h = g_new0 (float, hn->numel);
  g_autofree float *c = g_new0 (float, cn ? cn->numel : 1);
  rnn_state_get (s, h, cn ? c : NULL);
  check_close (name, "h_n", h, hn->data, hn->numel);
  if (cn)
    check_close (name, "c_n", c, cn->data, cn->numel);
  rnn_state_free (s);
  rnn_model_unref (m);
  rnn_test_file_free (d);
}
END_TEST

/* metadata_props reach the model as safetensors metadata does. */
START_TEST (test_metadata_props)
{
  g_autofree char *mp = g_strdup_printf
      ("%s/lstm_l1_bias_uni_tm_head-none_meta.onnx", onnx_dir);
  GError *err = NULL;
  RnnModel *m = rnn_model_load (mp, NULL, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  const char *const *labels = rnn_model_get_labels (m);
  ck_assert_ptr_nonnull (labels);
  ck_assert_str_eq (labels[0], "yes");
  ck_assert_str_eq (labels[2], "maybe");
  ck_assert_ptr_null (labels[3]);
  ck_assert_int_eq (rnn_model_get_head_activation (m), RNN_ACTIVATION_NONE);
  ck_assert_str_eq (rnn_model_get_metadata (m, "rnn.cell"), "lstm");
  rnn_model_unref (m);
}
END_TEST

/* The same bytes load from memory, found by their content. */
START_TEST (test_from_memory)
{
  g_autofree char *mp = g_strdup_printf ("%s/gru_l1_bias_uni_bf.onnx",
      onnx_dir);
  g_autofree char *bytes = NULL;
  gsize n = 0;
  ck_assert (g_file_get_contents (mp, &bytes, &n, NULL));
  GError *err = NULL;
  RnnModel *m = rnn_model_load_from_data ((const guint8 *) bytes, n, NULL,
      NULL, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_GRU);
  rnn_model_unref (m);
}
END_TEST

/* Initializers given as float_data instead of raw_data (as other
 * exporters write them): the same numbers.  The exported fixture is
 * rewritten with protobuf-c, every initializer's raw_data moved to
 * float_data, and must still match PyTorch. */
START_TEST (test_float_data)
{
  const char *name = "lstm_l1_bias_uni_tm_head-none_meta";
  g_autofree char *mp = g_strdup_printf ("%s/%s.onnx", onnx_dir, name);
  g_autofree char *dp = g_strdup_printf ("%s/%s.data.safetensors", onnx_dir,
      name);
  g_autofree char *bytes = NULL;
  gsize n = 0;
  ck_assert (g_file_get_contents (mp, &bytes, &n, NULL));
  Onnx__ModelProto *pm = onnx__model_proto__unpack (NULL, n,
      (const guint8 *) bytes);
  ck_assert_ptr_nonnull (pm);
  guint moved = 0;
  for (size_t i = 0; i < pm->graph->n_initializer; i++) {
    Onnx__TensorProto *t = pm->graph->initializer[i];
    if (!t->has_raw_data || t->data_type != 1)
      continue;
    t->n_float_data = t->raw_data.len / 4;
    t->float_data = (float *) t->raw_data.data;     /* little-endian host */
    t->has_raw_data = FALSE;
    moved++;
  }
  ck_assert_uint_ge (moved, 4);
  gsize len = onnx__model_proto__get_packed_size (pm);
  g_autofree guint8 *out = g_malloc (len);
  onnx__model_proto__pack (pm, out);
  for (size_t i = 0; i < pm->graph->n_initializer; i++) {
    Onnx__TensorProto *t = pm->graph->initializer[i];
    if (t->n_float_data) {        /* give raw_data its buffer back to free */
      t->has_raw_data = TRUE;
      t->float_data = NULL;
      t->n_float_data = 0;
    }
  }
  onnx__model_proto__free_unpacked (pm, NULL);

  GError *err = NULL;
  RnnModel *m = rnn_model_load_from_data (out, len, "float-data.onnx", NULL,
      &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  RnnTestFile *d = rnn_test_file_load (dp, &err);
  ck_assert_ptr_nonnull (d);
  const RnnTestTensor *in = rnn_test_file_get (d, "input");
  const RnnTestTensor *ref = rnn_test_file_get (d, "output");
  RnnState *s = rnn_state_new (m, 1, in->shape[0], &err);
  g_autofree float *y = g_new0 (float, ref->numel);
  ck_assert (rnn_state_process_window (s, in->data, in->shape[0],
          RNN_RUN_NONE, y, &err));
  check_close ("float_data", "output", y, ref->data, ref->numel);
  rnn_state_free (s);
  rnn_model_unref (m);
  rnn_test_file_free (d);
}
END_TEST

/* A Gemm head (transB=1, as nn.Linear on 2-D input is exported): the
 * fixture's MatMul + Add head rewritten as one Gemm with the weight
 * transposed to (O, in); PyTorch's numbers still. */
START_TEST (test_gemm_head)
{
  const char *name = "lstm_l1_bias_uni_tm_head-none_meta";
  g_autofree char *mp = g_strdup_printf ("%s/%s.onnx", onnx_dir, name);
  g_autofree char *dp = g_strdup_printf ("%s/%s.data.safetensors", onnx_dir,
      name);
  g_autofree char *bytes = NULL;
  gsize n = 0;
  ck_assert (g_file_get_contents (mp, &bytes, &n, NULL));
  Onnx__ModelProto *pm = onnx__model_proto__unpack (NULL, n,
      (const guint8 *) bytes);
  ck_assert_ptr_nonnull (pm);
  Onnx__GraphProto g2 = *pm->graph;
  Onnx__ModelProto m2 = *pm;
  m2.graph = &g2;
  Onnx__NodeProto *mm = NULL, *add = NULL;
  g_autofree Onnx__NodeProto **nodes = g_new0 (Onnx__NodeProto *, g2.n_node);
  g2.n_node = 0;
  for (size_t i = 0; i < pm->graph->n_node; i++) {
    Onnx__NodeProto *nd = pm->graph->node[i];
    if (!strcmp (nd->op_type, "MatMul"))
      mm = nd;
    else if (!strcmp (nd->op_type, "Add"))
      add = nd;
    else
      nodes[g2.n_node++] = nd;
  }
  ck_assert (mm && add);
  const char *bias = strcmp (add->input[0], mm->output[0]) ? add->input[0] :
      add->input[1];
  /* the weight, transposed */
  g_autofree Onnx__TensorProto **inits = g_memdup2 (g2.initializer,
      g2.n_initializer * sizeof (gpointer));
  Onnx__TensorProto wt;
  int64_t dims[2];
  g_autofree float *wdata = NULL;
  for (size_t i = 0; i < g2.n_initializer; i++) {
    Onnx__TensorProto *t = inits[i];
    if (strcmp (t->name, mm->input[1]))
      continue;
    guint rows = t->dims[0], cols = t->dims[1];
    const float *src = (const float *) t->raw_data.data;
    wdata = g_new (float, rows * cols);
    for (guint r = 0; r < rows; r++)
      for (guint c = 0; c < cols; c++)
        wdata[c * rows + r] = src[r * cols + c];
    wt = *t;
    dims[0] = cols;
    dims[1] = rows;
    wt.dims = dims;
    wt.raw_data.data = (guint8 *) wdata;
    inits[i] = &wt;
  }
  ck_assert_ptr_nonnull (wdata);
  g2.initializer = inits;
  Onnx__NodeProto gemm = ONNX__NODE_PROTO__INIT;
  Onnx__AttributeProto tb = ONNX__ATTRIBUTE_PROTO__INIT;
  Onnx__AttributeProto *attrs[] = { &tb };
  char *gin[] = { mm->input[0], mm->input[1], (char *) bias };
  char *gout[] = { add->output[0] };
  tb.name = (char *) "transB";
  tb.has_type = TRUE;
  tb.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  tb.has_i = TRUE;
  tb.i = 1;
  gemm.name = (char *) "/fc/Gemm";
  gemm.op_type = (char *) "Gemm";
  gemm.n_input = 3;
  gemm.input = gin;
  gemm.n_output = 1;
  gemm.output = gout;
  gemm.n_attribute = 1;
  gemm.attribute = attrs;
  /* Gemm where the MatMul was: before the nodes that read its output */
  g_autofree Onnx__NodeProto **ordered = g_new0 (Onnx__NodeProto *,
      g2.n_node + 1);
  size_t k = 0;
  for (size_t i = 0; i < g2.n_node; i++) {
    for (size_t j = 0; j < nodes[i]->n_input && k == i; j++)
      if (!strcmp (nodes[i]->input[j], add->output[0]))
        ordered[k++] = &gemm;
    ordered[k++] = nodes[i];
  }
  if (k == g2.n_node)
    ordered[k++] = &gemm;
  g2.node = ordered;
  g2.n_node = k;
  gsize len = onnx__model_proto__get_packed_size (&m2);
  g_autofree guint8 *out = g_malloc (len);
  onnx__model_proto__pack (&m2, out);
  onnx__model_proto__free_unpacked (pm, NULL);

  GError *err = NULL;
  RnnModel *m = rnn_model_load_from_data (out, len, "gemm.onnx", NULL, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  ck_assert (rnn_model_has_head (m));
  RnnTestFile *d = rnn_test_file_load (dp, &err);
  ck_assert_ptr_nonnull (d);
  const RnnTestTensor *in = rnn_test_file_get (d, "input");
  const RnnTestTensor *ref = rnn_test_file_get (d, "output");
  RnnState *s = rnn_state_new (m, 1, in->shape[0], &err);
  g_autofree float *y = g_new0 (float, ref->numel);
  ck_assert (rnn_state_process_window (s, in->data, in->shape[0],
          RNN_RUN_NONE, y, &err));
  check_close ("gemm", "output", y, ref->data, ref->numel);
  rnn_state_free (s);
  rnn_model_unref (m);
  rnn_test_file_free (d);
}
END_TEST

int
main (int argc, char **argv)
{
  onnx_dir = argc > 1 ? argv[1] : "tests/conformance/onnx";
  names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (onnx_dir, 0, NULL);
  const char *f;
  while (dir && (f = g_dir_read_name (dir)))
    if (g_str_has_suffix (f, ".onnx"))
      g_ptr_array_add (names, g_strndup (f, strlen (f) - 5));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  if (names->len < 8)
    g_error ("%s: %u ONNX fixtures, expected 8 (run gen_onnx.py)", onnx_dir,
        names->len);

  Suite *su = suite_create ("onnx");
  TCase *tc = tcase_create ("onnx");
  tcase_add_loop_test (tc, test_matches_pytorch, 0, (int) names->len);
  tcase_add_test (tc, test_metadata_props);
  tcase_add_test (tc, test_from_memory);
  tcase_add_test (tc, test_float_data);
  tcase_add_test (tc, test_gemm_head);
  suite_add_tcase (su, tc);
  SRunner *sr = srunner_create (su);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_ptr_array_unref (names);
  return failed ? 1 : 0;
}

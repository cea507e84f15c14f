/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ONNX models the reader must refuse, each with a clear error naming the
 * file, the node, its op and the reason: graphs torch writes with ops or
 * slices the core does not run (tests/conformance/onnx/refused, written by
 * gen_onnx.py), fixtures with one field changed, and hostile files
 * (truncated, garbage, nested graphs thousands deep). */
#define _GNU_SOURCE             /* memmem */
#include <check.h>
#include <string.h>

#include "rnn.h"
#include "rnn-test-util.h"
#include "onnx.pb-c.h"              /* generated from onnx.proto (core/) */

static const char *onnx_dir;

static void
expect_refused (const char *path, int code, const char *const *subs)
{
  GError *err = NULL;
  RnnModel *m = rnn_model_load (path, NULL, &err);
  ck_assert_msg (m == NULL, "%s loaded but must be refused", path);
  ck_assert_msg (g_error_matches (err, RNN_ERROR, code), "%s: code %d: %s",
      path, err->code, err->message);
  ck_assert_msg (strstr (err->message, path) != NULL, "no file name: %s",
      err->message);
  for (guint i = 0; subs[i]; i++)
    ck_assert_msg (strstr (err->message, subs[i]) != NULL,
        "'%s' not in: %s", subs[i], err->message);
  g_error_free (err);
}

static const struct {
  const char *file;
  const char *subs[4];
} refused[] = {
  {"tanh-after-gru", {"node '/Tanh' (Tanh)", "op is not supported", NULL}},
  {"last-step-only", {"node '/Gather' (Gather)", "changes the sequence",
          NULL}},
  {"meta-cell-contradicts", {"rnn.cell is \"gru\"", "graph says \"lstm\"",
          NULL}},
  /* torch.onnx.export(opset_version=8): refused by its opset, not by the
   * ConstantFill it holds */
  {"opset-8", {"opset_import: ai.onnx opset 8 is not supported",
          "opsets 9 to 17", NULL}},
};

START_TEST (test_graphs_torch_writes)
{
  g_autofree char *p = g_strdup_printf ("%s/refused/%s.onnx", onnx_dir,
      refused[_i].file);
  expect_refused (p, RNN_ERROR_MODEL, refused[_i].subs);
}
END_TEST

/* Fixture @name with the first @from replaced by @to (same length),
 * written to a temporary .onnx file. */
static char *
mutated (const char *name, const char *from, const char *to, gsize n)
{
  g_autofree char *src = g_strdup_printf ("%s/%s.onnx", onnx_dir, name);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  ck_assert (g_file_get_contents (src, &bytes, &len, NULL));
  char *hit = memmem (bytes, len, from, n);
  ck_assert_msg (hit != NULL, "%s: bytes to change not found", src);
  memcpy (hit, to, n);
  char *path = g_strdup_printf ("%s/%s-mutated.onnx", rnn_test_tmpdir (),
      name);
  ck_assert (g_file_set_contents (path, bytes, len, NULL));
  return path;
}

START_TEST (test_unknown_op)
{
  /* NodeProto.op_type (field 4, 3 bytes) "GRU" -> "GRX" */
  g_autofree char *p = mutated ("gru_l1_bias_uni_bf", "\x22\x03GRU",
      "\x22\x03GRX", 5);
  const char *subs[] = { "node '/rnn/GRU' (GRX)", "op is not supported", NULL };
  expect_refused (p, RNN_ERROR_MODEL, subs);
}
END_TEST

START_TEST (test_gru_linear_before_reset_0)
{
  g_autofree char *p = mutated ("gru_l1_bias_uni_bf",
      "linear_before_reset\x18\x01", "linear_before_reset\x18\x00", 21);
  const char *subs[] = { "node '/rnn/GRU' (GRU)", "linear_before_reset must be 1",
    NULL
  };
  expect_refused (p, RNN_ERROR_MODEL, subs);
}
END_TEST

/* A softmax over another axis than the last: the opset-11 fixture writes
 * axis=2 on the rank-3 head output (the last axis, taken); axis=1 is not
 * PyTorch's softmax(dim=-1). */
START_TEST (test_softmax_other_axis)
{
  g_autofree char *p = mutated ("lstm_l2_bias_bi_tm_head-softmax_h0_op11",
      "\x0a\x04" "axis\x18\x02", "\x0a\x04" "axis\x18\x01", 8);
  const char *subs[] = { "node '/Softmax' (Softmax)", "only a softmax over the "
        "last axis (axis=-1 or 2) is supported, not axis 1", NULL
  };
  expect_refused (p, RNN_ERROR_MODEL, subs);
}
END_TEST

START_TEST (test_hidden_size_clash)
{
  /* hidden_size 5 -> 127: the weights no longer fit */
  g_autofree char *p = mutated ("rnn_l1_bias_uni_tm", "hidden_size\x18\x05",
      "hidden_size\x18\x7f", 13);
  const char *subs[] = { "(RNN)", "input W: shape [1, 5, 3]",
    "1 direction(s) x 127 rows", NULL
  };
  expect_refused (p, RNN_ERROR_MODEL, subs);
}
END_TEST

START_TEST (test_truncated)
{
  g_autofree char *src = g_strdup_printf ("%s/lstm_l1_nobias_uni_bf.onnx",
      onnx_dir);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  ck_assert (g_file_get_contents (src, &bytes, &len, NULL));
  g_autofree char *p = g_strdup_printf ("%s/truncated.onnx",
      rnn_test_tmpdir ());
  const char *subs[] = { "not an ONNX model", NULL };
  /* cut anywhere: the wire walk or protobuf-c refuses, never a crash */
  for (gsize cut = 1; cut < len; cut += 97) {
    ck_assert (g_file_set_contents (p, bytes, cut, NULL));
    GError *err = NULL;
    RnnModel *m = rnn_model_load (p, NULL, &err);
    ck_assert_msg (m == NULL, "cut at %zu loaded", cut);
    g_error_free (err);
  }
  ck_assert (g_file_set_contents (p, bytes, len / 2, NULL));
  expect_refused (p, RNN_ERROR_FORMAT, subs);
}
END_TEST

/* A fixture whose opset_import names only another domain: no ai.onnx
 * opset, refused as such. */
START_TEST (test_no_ai_onnx_opset)
{
  g_autofree char *p = mutated ("gru_l1_bias_uni_bf", "\x42\x02\x10\x0e",
      "\x42\x02\x18\x0e", 4);     /* OperatorSetIdProto {version 14} -> an unknown field 3 */
  const char *subs[] = { "opset_import", "imports no ai.onnx opset", NULL };
  expect_refused (p, RNN_ERROR_MODEL, subs);
}
END_TEST

START_TEST (test_garbage)
{
  char junk[256];
  memset (junk, 0xff, sizeof junk);
  g_autofree char *p = g_strdup_printf ("%s/garbage.onnx",
      rnn_test_tmpdir ());
  ck_assert (g_file_set_contents (p, junk, sizeof junk, NULL));
  const char *subs[] = { "not an ONNX model", NULL };
  expect_refused (p, RNN_ERROR_FORMAT, subs);
}
END_TEST

/* metadata_props (ModelProto field 14) appended to a fixture: a key
 * whose value is not UTF-8 is refused, as a safetensors header is. */
START_TEST (test_metadata_not_utf8)
{
  g_autofree char *src = g_strdup_printf ("%s/rnn_l1_bias_uni_tm.onnx",
      onnx_dir);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  ck_assert (g_file_get_contents (src, &bytes, &len, NULL));
  static const char prop[] = "\x72\x0a\x0a\x05x.key\x12\x01\xff";
  GString *b = g_string_new_len (bytes, len);
  g_string_append_len (b, prop, sizeof prop - 1);
  g_autofree char *p = g_strdup_printf ("%s/meta-utf8.onnx",
      rnn_test_tmpdir ());
  ck_assert (g_file_set_contents (p, b->str, b->len, NULL));
  g_string_free (b, TRUE);
  const char *subs[] = { "metadata_props: key 'x.key'", "not UTF-8", NULL };
  expect_refused (p, RNN_ERROR_FORMAT, subs);
}
END_TEST

/* @inner wrapped as length-delimited field @field. */
static GByteArray *
wrap (GByteArray * inner, guint field)
{
  GByteArray *o = g_byte_array_new ();
  guint8 tag = (guint8) (field << 3 | 2);
  g_byte_array_append (o, &tag, 1);
  for (guint64 v = inner->len;; v >>= 7) {
    guint8 b = (v & 0x7f) | (v >> 7 ? 0x80 : 0);
    g_byte_array_append (o, &b, 1);
    if (!(v >> 7))
      break;
  }
  g_byte_array_append (o, inner->data, inner->len);
  g_byte_array_unref (inner);
  return o;
}

START_TEST (test_nested_graphs)
{
  /* graph { node { attribute { g { node { ... } } } } }, 3000 deep:
   * protobuf-c would recurse once per level */
  GByteArray *b = g_byte_array_new ();
  for (guint i = 0; i < 3000; i++)
    b = wrap (wrap (wrap (b, 6), 5), 1);        /* Attribute.g, Node.attribute, Graph.node */
  b = wrap (b, 7);              /* ModelProto.graph */
  g_autofree char *p = g_strdup_printf ("%s/nested.onnx", rnn_test_tmpdir ());
  ck_assert (g_file_set_contents (p, (const char *) b->data, b->len, NULL));
  g_byte_array_unref (b);
  const char *subs[] = { "not an ONNX model", "nested more than 32 deep", NULL };
  expect_refused (p, RNN_ERROR_FORMAT, subs);
}
END_TEST

/* What torch never writes, added to the exported LSTM with protobuf-c:
 * an attribute on the LSTM node (int or string), the first initializer's
 * data moved to an external file, or a constant as its sequence_lens,
 * initial_h or peephole input. */
static const struct {
  const char *attr;             /* NULL: external data */
  gint64 i;
  const char *s;
  const char *why;
  int input;                    /* > 0: set this LSTM input instead */
} unsupported[] = {
  {"clip", 3, NULL, "attribute 'clip' is not supported (PyTorch does not "
        "clip)"},
  {"activation_alpha", 1, NULL, "attribute 'activation_alpha' is not "
        "supported"},
  {"layout", 1, NULL, "layout 1 is not supported"},
  {"input_forget", 1, NULL, "input_forget is not supported"},
  {"direction", 0, "reverse", "direction 'reverse' is not supported"},
  {"activations", 0, "Relu", "activations: 1 given, expected 3"},
  {NULL, 0, NULL, "external or segmented data is not supported"},
  {NULL, 0, NULL, "sequence_lens input is not supported", 4},
  {NULL, 0, NULL, "is neither zeros nor from a graph input", 5},
  {NULL, 0, NULL, "peephole (P) input is not supported", 7},
};

START_TEST (test_unsupported_attributes)
{
  g_autofree char *src = g_strdup_printf ("%s/lstm_l1_nobias_uni_bf.onnx",
      onnx_dir);
  g_autofree char *bytes = NULL;
  gsize n = 0;
  ck_assert (g_file_get_contents (src, &bytes, &n, NULL));
  Onnx__ModelProto *pm = onnx__model_proto__unpack (NULL, n,
      (const guint8 *) bytes);
  ck_assert_ptr_nonnull (pm);
  Onnx__NodeProto *lstm = NULL;
  for (size_t i = 0; i < pm->graph->n_node; i++)
    if (!strcmp (pm->graph->node[i]->op_type, "LSTM"))
      lstm = pm->graph->node[i];
  ck_assert_ptr_nonnull (lstm);
  Onnx__AttributeProto a = ONNX__ATTRIBUTE_PROTO__INIT;
  ProtobufCBinaryData str = { 0, NULL };
  g_autofree Onnx__AttributeProto **attrs = g_new0 (Onnx__AttributeProto *,
      lstm->n_attribute + 1);
  Onnx__AttributeProto **old_attrs = lstm->attribute;
  size_t old_n = lstm->n_attribute, k = 0;
  Onnx__TensorProto *t0 = pm->graph->initializer[0];
  for (size_t i = 0; i < old_n; i++)   /* a replaced attribute goes */
    if (!unsupported[_i].attr || strcmp (old_attrs[i]->name,
            unsupported[_i].attr))
      attrs[k++] = old_attrs[i];
  if (unsupported[_i].attr) {
    a.name = (char *) unsupported[_i].attr;
    a.has_type = TRUE;
    if (unsupported[_i].s) {
      str.data = (guint8 *) unsupported[_i].s;
      str.len = strlen (unsupported[_i].s);
      if (!strcmp (a.name, "activations")) {
        a.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
        a.n_strings = 1;
        a.strings = &str;
      } else {
        a.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
        a.has_s = TRUE;
        a.s = str;
      }
    } else {
      a.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
      a.has_i = TRUE;
      a.i = unsupported[_i].i;
    }
    attrs[k++] = &a;
  } else if (unsupported[_i].input) {
    /* the input: a non-zero constant (the first initializer) */
    guint idx = unsupported[_i].input;
    size_t ni = MAX (lstm->n_input, idx + 1);
    char **ins = g_new0 (char *, ni);
    for (size_t i = 0; i < ni; i++)
      ins[i] = i < lstm->n_input ? lstm->input[i] : (char *) "";
    ins[idx] = t0->name;
    char **old_in = lstm->input;
    size_t old_ni = lstm->n_input;
    lstm->input = ins;
    lstm->n_input = ni;
    gsize l = onnx__model_proto__get_packed_size (pm);
    g_autofree guint8 *o = g_malloc (l);
    onnx__model_proto__pack (pm, o);
    lstm->input = old_in;
    lstm->n_input = old_ni;
    g_free (ins);
    onnx__model_proto__free_unpacked (pm, NULL);
    g_autofree char *p = g_strdup_printf ("%s/unsupported-%d.onnx",
        rnn_test_tmpdir (), _i);
    ck_assert (g_file_set_contents (p, (const char *) o, l, NULL));
    const char *subs[] = { "(LSTM)", unsupported[_i].why, NULL };
    expect_refused (p, RNN_ERROR_MODEL, subs);
    return;
  } else {
    t0->has_data_location = TRUE;
    t0->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  }
  lstm->attribute = attrs;
  lstm->n_attribute = k;
  gsize len = onnx__model_proto__get_packed_size (pm);
  g_autofree guint8 *out = g_malloc (len);
  onnx__model_proto__pack (pm, out);
  lstm->attribute = old_attrs;  /* the unpacked model frees its own */
  lstm->n_attribute = old_n;
  onnx__model_proto__free_unpacked (pm, NULL);
  g_autofree char *p = g_strdup_printf ("%s/unsupported-%d.onnx",
      rnn_test_tmpdir (), _i);
  ck_assert (g_file_set_contents (p, (const char *) out, len, NULL));
  const char *subs[] = { "(LSTM)", unsupported[_i].why, NULL };
  if (!unsupported[_i].attr)
    subs[0] = "node";
  expect_refused (p, RNN_ERROR_MODEL, subs);
}
END_TEST

int
main (int argc, char **argv)
{
  onnx_dir = argc > 1 ? argv[1] : "tests/conformance/onnx";
  Suite *su = suite_create ("onnx-refused");
  TCase *tc = tcase_create ("onnx-refused");
  tcase_add_loop_test (tc, test_graphs_torch_writes, 0,
      G_N_ELEMENTS (refused));
  tcase_add_test (tc, test_unknown_op);
  tcase_add_test (tc, test_gru_linear_before_reset_0);
  tcase_add_test (tc, test_hidden_size_clash);
  tcase_add_test (tc, test_softmax_other_axis);
  tcase_add_test (tc, test_truncated);
  tcase_add_test (tc, test_garbage);
  tcase_add_test (tc, test_no_ai_onnx_opset);
  tcase_add_test (tc, test_nested_graphs);
  tcase_add_test (tc, test_metadata_not_utf8);
  tcase_add_loop_test (tc, test_unsupported_attributes, 0,
      G_N_ELEMENTS (unsupported));
  suite_add_tcase (su, tc);
  SRunner *sr = srunner_create (su);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}

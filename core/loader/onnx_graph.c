/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ONNX: the graph walk (which nodes make which layer, the head, the glue
 * between them); onnx.c parses the file and owns the result.  See onnx.h. */
#include "onnx-private.h"

#ifdef RNN_HAVE_ONNX

#include <string.h>

/* PyTorch's gate block b comes from ONNX block order[b]: LSTM i,f,g,o from
 * ONNX i,o,f,c; GRU r,z,n from ONNX z,r,h. */
static const guint lstm_order[] = { 0, 2, 3, 1 };
static const guint gru_order[] = { 1, 0, 2 };
static const guint rnn_order[] = { 0 };

/* Rows of direction @d of a (D, G*H, C) ONNX array, gate blocks reordered:
 * a new (G*H, C) array. */
static float *
reorder (const float *src, guint d, guint G, guint H, guint C,
    const guint * order)
{
  float *out = g_new (float, (gsize) G * H * C);
  for (guint b = 0; b < G; b++)
    memcpy (out + (gsize) b * H * C,
        src + ((gsize) d * G + order[b]) * H * C,
        (gsize) H * C * sizeof (float));
  return out;
}

static gboolean
check_activations (P * p, const Onnx__NodeProto * n, GError ** error)
{
  const Onnx__AttributeProto *a = onnx_attr (n, "activations");
  static const char *const lstm[] = { "Sigmoid", "Tanh", "Tanh" };
  static const char *const gru[] = { "Sigmoid", "Tanh" };
  const char *const *want = strcmp (n->op_type, "LSTM") == 0 ? lstm :
      strcmp (n->op_type, "GRU") == 0 ? gru : NULL;
  guint per = want == lstm ? 3 : want == gru ? 2 : 1;
  gboolean relu = FALSE;
  if (a && a->n_strings != per * p->D)
    return onnx_refuse (p, n, error, "activations: %zu given, expected %u",
        a->n_strings, per * p->D);
  for (size_t i = 0; a && i < a->n_strings; i++) {
    g_autofree char *s = g_strndup ((const char *) a->strings[i].data,
        a->strings[i].len);
    if (!want && (strcmp (s, "Relu") == 0 || strcmp (s, "Tanh") == 0)) {
      gboolean r = strcmp (s, "Relu") == 0;
      if (i > 0 && r != relu)
        return onnx_refuse (p, n, error, "activations differ between directions");
      relu = r;
      continue;
    }
    if (!want || strcmp (s, want[i % per]) != 0) {
      g_autofree char *e = g_strescape (s, NULL);
      return onnx_refuse (p, n, error, "activation '%s' is not PyTorch's (%s)",
          e, want ? want[i % per] : "Tanh or Relu");
    }
  }
  if (p->L > 0 && relu != p->relu)
    return onnx_refuse (p, n, error, "nonlinearity differs from layer 0's");
  p->relu = relu;
  return TRUE;
}

static gboolean
check_rnn_attrs (P * p, const Onnx__NodeProto * n, GError ** error)
{
  static const char *const known[] = { "hidden_size", "direction",
    "activations", "linear_before_reset", "layout", "input_forget", NULL
  };
  for (size_t i = 0; i < n->n_attribute; i++) {
    const char *an = n->attribute[i]->name ? n->attribute[i]->name : "";
    if (!g_strv_contains (known, an)) {
      g_autofree char *e = g_strescape (an, NULL);
      return onnx_refuse (p, n, error, "attribute '%s' is not supported%s", e,
          strcmp (an, "clip") == 0 ? " (PyTorch does not clip)" : "");
    }
  }
  gint64 H = onnx_attr_int (n, "hidden_size", 0);
  if (H <= 0 || H > G_MAXINT / 8)
    return onnx_refuse (p, n, error, "hidden_size %" G_GINT64_FORMAT " is not a "
        "size", H);
  const Onnx__AttributeProto *dir = onnx_attr (n, "direction");
  guint D = 1;
  if (dir && dir->has_s) {
    if (dir->s.len == 13 && memcmp (dir->s.data, "bidirectional", 13) == 0)
      D = 2;
    else if (!(dir->s.len == 7 && memcmp (dir->s.data, "forward", 7) == 0))
      return onnx_refuse (p, n, error, "direction '%.*s' is not supported "
          "(forward or bidirectional)", (int) MIN (dir->s.len, 32),
          dir->s.data);
  }
  if (onnx_attr_int (n, "layout", 0) != 0)
    return onnx_refuse (p, n, error, "layout 1 is not supported (torch writes 0)");
  if (onnx_attr_int (n, "input_forget", 0) != 0)
    return onnx_refuse (p, n, error, "input_forget is not supported");
  if (strcmp (n->op_type, "GRU") == 0 &&
      onnx_attr_int (n, "linear_before_reset", 0) != 1)
    return onnx_refuse (p, n, error, "linear_before_reset must be 1 (PyTorch's "
        "GRU applies the reset gate after the linear map)");
  if (p->L > 0 && (strcmp (p->op, n->op_type) || p->H != H || p->D != D))
    return onnx_refuse (p, n, error, "layer %u is not a %s of hidden size %u, "
        "%s as layer 0", p->L, p->op, p->H, p->D == 2 ? "bidirectional" :
        "forward");
  p->op = n->op_type;
  p->H = (guint) H;
  p->D = D;
  return check_activations (p, n, error);
}

/* Input @i of recurrent node @n: a constant tensor of (D, @rows, @cols)
 * (cols 0: 2-D), or for @i >= 4 an initial state or nothing. */
static float *
rnn_weight (P * p, const Onnx__NodeProto * n, guint i, guint rows,
    guint * cols, GError ** error)
{
  static const char *const what[] = { "X", "W", "R", "B" };
  const Val *v = onnx_val (p, n->input[i]);
  guint64 dims[3];
  if (!v || v->tag != V_CONST || !v->t) {
    onnx_refuse (p, n, error, "input %s is not a constant", what[i]);
    return NULL;
  }
  float *w = onnx_tensor_floats (p, n, what[i], v->t, cols ? 3 : 2, dims, error);
  if (!w)
    return NULL;
  if (dims[0] != p->D || dims[1] != rows || (cols && *cols &&
          dims[2] != *cols) || (cols && dims[2] == 0)) {
    char sh[256];
    g_free (w);
    onnx_refuse (p, n, error, "input %s: shape %s does not fit %u "
        "direction(s) x %u rows%s", what[i], rnn_shape_to_string (dims,
            cols ? 3 : 2, sh, sizeof sh), p->D, rows, cols && *cols ?
        " x the layer's input" : "");
    return NULL;
  }
  if (cols)
    *cols = (guint) dims[2];
  return w;
}

static gboolean
rnn_node (P * p, const Onnx__NodeProto * n, GError ** error)
{
  if (n->n_input < 3)
    return onnx_refuse (p, n, error, "needs inputs X, W and R");
  const Val *x = onnx_val (p, n->input[0]);
  if (!x || x->tag != V_SEQ || x->level != p->L)
    return onnx_refuse (p, n, error, "input X is not %s", p->L ?
        "the previous layer's output" : "the graph's first input");
  if (!check_rnn_attrs (p, n, error))
    return FALSE;
  for (guint i = 4; i < n->n_input; i++) {
    const Val *v = onnx_val (p, n->input[i]);
    if (!*n->input[i])
      continue;
    if (i == 4 || i == 7)
      return onnx_refuse (p, n, error, "%s input is not supported", i == 4 ?
          "sequence_lens" : "peephole (P)");
    if (!v || !(v->tag == V_ZERO || v->tag == V_STATE_IN || onnx_all_zero (v)))
      return onnx_refuse (p, n, error, "initial state '%s' is neither zeros nor "
          "from a graph input", n->input[i]);
  }
  guint G = strcmp (p->op, "LSTM") == 0 ? 4 : strcmp (p->op, "GRU") == 0 ?
      3 : 1;
  const guint *order = G == 4 ? lstm_order : G == 3 ? gru_order : rnn_order;
  guint H = p->H, GH = G * H, in = p->L ? p->D * H : 0, hc = H;
  gboolean bias = n->n_input > 3 && *n->input[3];
  if (p->L > 0 && bias != p->bias)
    return onnx_refuse (p, n, error, "has %s bias but layer 0 %s", bias ? "a" :
        "no", p->bias ? "has one" : "has none");
  p->bias = bias;
  g_autofree float *W = rnn_weight (p, n, 1, GH, &in, error);
  if (!W)
    return FALSE;
  g_autofree float *R = rnn_weight (p, n, 2, GH, &hc, error);
  if (!R)
    return FALSE;
  g_autofree float *B = bias ? rnn_weight (p, n, 3, 2 * GH, NULL, error) :
      NULL;
  if (bias && !B)
    return FALSE;
  if (p->L == 0)
    p->F = in;
  for (guint d = 0; d < p->D; d++) {
    const char *sfx = d ? "_reverse" : "";
    char k[64];
    g_snprintf (k, sizeof k, "weight_ih_l%u%s", p->L, sfx);
    onnx_emit (p, k, reorder (W, d, G, H, in, order), 2, GH, in);
    g_snprintf (k, sizeof k, "weight_hh_l%u%s", p->L, sfx);
    onnx_emit (p, k, reorder (R, d, G, H, H, order), 2, GH, H);
    if (!bias)
      continue;
    /* B is (D, 2*G*H): Wb then Rb, i.e. 2 x G blocks of H */
    g_snprintf (k, sizeof k, "bias_ih_l%u%s", p->L, sfx);
    onnx_emit (p, k, reorder (B, 2 * d, G, H, 1, order), 1, GH, 0);
    g_snprintf (k, sizeof k, "bias_hh_l%u%s", p->L, sfx);
    onnx_emit (p, k, reorder (B, 2 * d + 1, G, H, 1, order), 1, GH, 0);
  }
  p->L++;
  if (n->n_output > 0 && *n->output[0])
    onnx_add_val (p, n->output[0], V_SEQ, p->L, NULL)->rank = 4;  /* (T, D, B, H) */
  for (size_t i = 1; i < n->n_output; i++)
    if (*n->output[i])
      onnx_add_val (p, n->output[i], V_LAYER_STATE, 0, NULL);
  return TRUE;
}

/* The head's matrix: @w (rows x cols as stored), into fc.weight (O, in). */
static gboolean
head_matrix (P * p, const Onnx__NodeProto * n, const Val * w,
    gboolean transposed, GError ** error)
{
  guint64 dims[2];
  guint in = p->D * p->H;
  if (p->head_w)
    return onnx_refuse (p, n, error, "a second head layer is not supported");
  if (!w || w->tag != V_CONST || !w->t)
    return onnx_refuse (p, n, error, "the head's weight is not a constant");
  g_autofree float *m = onnx_tensor_floats (p, n, "head weight", w->t, 2, dims,
      error);
  if (!m)
    return FALSE;
  guint64 O = transposed ? dims[0] : dims[1];
  if ((transposed ? dims[1] : dims[0]) != in || O == 0)
    return onnx_refuse (p, n, error, "weight shape [%" G_GUINT64_FORMAT ", %"
        G_GUINT64_FORMAT "] does not take the RNN's %u outputs", dims[0],
        dims[1], in);
  float *out = g_new (float, O * in);
  for (guint64 o = 0; o < O; o++)
    for (guint i = 0; i < in; i++)
      out[o * in + i] = transposed ? m[o * in + i] : m[(gsize) i * O + o];
  onnx_emit (p, "fc.weight", out, 2, O, in);
  p->head_w = TRUE;
  p->head_o = (guint) O;
  return TRUE;
}

static gboolean
head_bias (P * p, const Onnx__NodeProto * n, const Val * b, GError ** error)
{
  guint64 dims[1];
  if (!b || b->tag != V_CONST || !b->t)
    return onnx_refuse (p, n, error, "the head's bias is not a constant");
  float *v = onnx_tensor_floats (p, n, "head bias", b->t, 1, dims, error);
  if (!v)
    return FALSE;
  if (dims[0] != p->head_o) {
    g_free (v);
    return onnx_refuse (p, n, error, "bias of %" G_GUINT64_FORMAT " values for "
        "a head of %u outputs", dims[0], p->head_o);
  }
  onnx_emit (p, "fc.bias", v, 1, dims[0], 0);
  p->head_b = TRUE;
  return TRUE;
}

/* Gemm, MatMul, Add, Softmax, Sigmoid applied to the RNN's output. */
static gboolean
head_node (P * p, const Onnx__NodeProto * n, GError ** error)
{
  const char *op = n->op_type;
  const Val *a = onnx_val (p, n->input[0]);
  const Val *b = n->n_input > 1 ? onnx_val (p, n->input[1]) : NULL;
  const Val *seq = a && a->tag == V_SEQ ? a : b && b->tag == V_SEQ ? b : NULL;
  const Val *head = a && a->tag == V_HEAD ? a : b && b->tag == V_HEAD ? b :
      NULL;
  if (n->n_output != 1)
    return onnx_refuse (p, n, error, "expected one output");
  Val *out = g_new0 (Val, 1);
  out->tag = V_HEAD;
  g_hash_table_replace (p->vals, n->output[0], out);
  if (seq && (p->L == 0 || seq->level != p->L))
    return onnx_refuse (p, n, error, "applies to an inner layer's output");
  if (strcmp (op, "MatMul") == 0 && seq == a && n->n_input == 2) {
    out->rank = a->rank;        /* (..., in) x (in, O) */
    return head_matrix (p, n, b, FALSE, error);
  }
  if (strcmp (op, "Gemm") == 0 && seq == a && n->n_input >= 2) {
    out->rank = 2;
    if (onnx_attr_int (n, "transA", 0) != 0 || onnx_attr_int (n, "transB", 0) != 1 ||
        (onnx_attr (n, "alpha") && onnx_attr (n, "alpha")->f != 1.0f) ||
        (onnx_attr (n, "beta") && onnx_attr (n, "beta")->f != 1.0f))
      return onnx_refuse (p, n, error, "only transA=0, transB=1, alpha=beta=1 "
          "(nn.Linear) is supported");
    out->head_bias = n->n_input > 2 && *n->input[2];
    return head_matrix (p, n, b, TRUE, error) &&
        (!out->head_bias || head_bias (p, n, onnx_val (p, n->input[2]), error));
  }
  if (strcmp (op, "Add") == 0 && head && !head->head_bias &&
      !head->head_act && n->n_input == 2) {
    out->head_bias = TRUE;
    out->rank = head->rank;
    return head_bias (p, n, head == a ? b : a, error);
  }
  if ((strcmp (op, "Softmax") == 0 || strcmp (op, "Sigmoid") == 0) &&
      head && !head->head_act && n->n_input == 1) {
    /* the default axis is 1 before opset 13 (which flattens the input to
     * 2-D there), -1 from 13 on; either way the last axis is PyTorch's
     * softmax(dim=-1): axis -1, or rank - 1 (torch writes 2 at opset < 13) */
    gint64 axis = onnx_attr_int (n, "axis", p->opset < 13 ? 1 : -1);
    if (op[1] == 'o' && axis != -1 && (head->rank == 0 ||
            axis != (gint64) head->rank - 1))
      return onnx_refuse (p, n, error, "only a softmax over the last axis "
          "(axis=-1%s) is supported, not axis %" G_GINT64_FORMAT, head->rank ?
          (head->rank == 3 ? " or 2" : " or rank - 1") : "", axis);
    *out = *head;
    out->head_act = op[1] == 'o' ? "softmax" : "sigmoid";
    return TRUE;
  }
  return onnx_refuse (p, n, error, "not a head this reader runs (Gemm or MatMul "
      "+ Add on the RNN's output, then Softmax or Sigmoid)");
}

/* Ops that only move data around: what torch writes between the layers,
 * for the initial states and for batch_first. */
static const char *const glue_ops[] = {
  "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice",
  "Transpose", "Reshape", "Expand", "ConstantOfShape", "Identity", "Cast",
  NULL
};

static gboolean
transpose_ok (const Onnx__NodeProto * n)
{
  const Onnx__AttributeProto *a = onnx_attr (n, "perm");
  static const gint64 swap[] = { 1, 0, 2 }, dirs[] = { 0, 2, 1, 3 };
  return a && ((a->n_ints == 3 && !memcmp (a->ints, swap, sizeof swap)) ||
      (a->n_ints == 4 && !memcmp (a->ints, dirs, sizeof dirs)));
}

/* How many values the 1-D integer constant @name holds (a Squeeze's
 * axes, a Reshape's shape), or -1 when it is not such a constant. */
static gint64
const_len (P * p, const char *name)
{
  const Val *v = onnx_val (p, name);
  if (!v || v->tag != V_CONST || !v->t)
    return -1;
  if (v->t->n_dims == 0)
    return 1;
  return v->t->n_dims == 1 && v->t->dims[0] >= 0 ? v->t->dims[0] : -1;
}

/* The rank after layout op @n (Squeeze, Unsqueeze, Transpose, Reshape,
 * Identity) of a value of rank @r (0 = unknown; so is the result when the
 * op's axes or shape are not constants).  Axes are an attribute before
 * opset 13 and an input from 13 on: both are read. */
static guint
moved_rank (P * p, const Onnx__NodeProto * n, guint r)
{
  const char *op = n->op_type;
  const Onnx__AttributeProto *a = onnx_attr (n, op[0] == 'T' ? "perm" : "axes");
  gint64 k = a ? (gint64) a->n_ints : n->n_input > 1 ? const_len (p,
      n->input[1]) : -1;
  if (!strcmp (op, "Identity"))
    return r;
  if (!strcmp (op, "Transpose"))
    return a ? (guint) a->n_ints : 0;
  if (!strcmp (op, "Reshape"))
    return k > 0 && k <= 8 ? (guint) k : 0;
  if (r == 0 || k < 0 || k > 8)
    return 0;                   /* unknown, or Squeeze of every 1 */
  if (op[0] == 'U')
    return r + (guint) k;
  return (gint64) r > k ? r - (guint) k : 0;
}

static gboolean
glue_node (P * p, const Onnx__NodeProto * n, GError ** error)
{
  const char *op = n->op_type;
  const Val *data = NULL;
  for (size_t i = 0; i < n->n_input; i++) {
    const Val *v = onnx_val (p, n->input[i]);
    if (!v || v->tag == V_CONST || v->tag == V_SHAPE)
      continue;
    if (data && (data->tag != v->tag || data->level != v->level))
      return onnx_refuse (p, n, error, "mixes two different values (input '%s')",
          n->input[i]);
    data = v;
  }
  Tag tag = V_SHAPE;
  guint level = 0, rank = 0;
  const Onnx__TensorProto *t = NULL;
  if (strcmp (op, "Constant") == 0) {
    const Onnx__AttributeProto *a = onnx_attr (n, "value");
    tag = V_CONST;
    t = a ? a->t : NULL;
  } else if (strcmp (op, "Shape") == 0) {
    tag = V_SHAPE;
  } else if (data) {
    tag = data->tag;
    level = data->level;
    gboolean moves = strcmp (op, "Squeeze") == 0 || strcmp (op, "Reshape") ==
        0 || strcmp (op, "Unsqueeze") == 0 || strcmp (op, "Identity") == 0 ||
        (strcmp (op, "Transpose") == 0 && transpose_ok (n));
    if ((tag == V_SEQ || tag == V_HEAD) && !moves)
      return onnx_refuse (p, n, error, "changes the %s (only the whole sequence, "
          "transposed for batch_first, is supported)", tag == V_SEQ ?
          "sequence" : "head's output");
    rank = moved_rank (p, n, data->rank);
  } else if (strcmp (op, "Expand") == 0 || strcmp (op, "ConstantOfShape") ==
      0) {
    const Val *z = n->n_input ? onnx_val (p, n->input[0]) : NULL;
    const Onnx__AttributeProto *a = onnx_attr (n, "value");
    Val cv = {.tag = V_CONST,.t = a ? a->t : NULL };
    if (op[0] == 'E' ? z && onnx_all_zero (z) : !a || onnx_all_zero (&cv))
      tag = V_ZERO;
  }
  for (size_t i = 0; i < n->n_output; i++)
    if (*n->output[i])
      onnx_add_val (p, n->output[i], tag, level, t)->rank = rank;
  return TRUE;
}

gboolean
onnx_walk_graph (P * p, GError ** error)
{
  const Onnx__GraphProto *g = p->m->graph;
  for (size_t i = 0; i < g->n_initializer; i++)
    if (g->initializer[i]->name)
      onnx_add_val (p, g->initializer[i]->name, V_CONST, 0, g->initializer[i]);
  gboolean first = TRUE;
  for (size_t i = 0; i < g->n_input; i++) {
    const char *nm = g->input[i]->name;
    if (!nm || onnx_val (p, nm))
      continue;
    onnx_add_val (p, nm, first ? V_SEQ : V_STATE_IN, 0, NULL);
    first = FALSE;
  }
  for (size_t i = 0; i < g->n_node; i++) {
    const Onnx__NodeProto *n = g->node[i];
    if (!n->op_type || !*n->op_type)
      return onnx_refuse (p, n, error, "has no op_type");
    if (n->domain && *n->domain && strcmp (n->domain, "ai.onnx"))
      return onnx_refuse (p, n, error, "op from domain '%s' is not supported",
          n->domain);
    for (size_t j = 0; j < n->n_input; j++)
      if (*n->input[j] && !onnx_val (p, n->input[j]))
        return onnx_refuse (p, n, error, "input '%s' is not produced before it",
            n->input[j]);
    const char *op = n->op_type;
    gboolean ok;
    if (!strcmp (op, "RNN") || !strcmp (op, "LSTM") || !strcmp (op, "GRU"))
      ok = rnn_node (p, n, error);
    else if (!strcmp (op, "Gemm") || !strcmp (op, "MatMul") ||
        !strcmp (op, "Add") || !strcmp (op, "Softmax") ||
        !strcmp (op, "Sigmoid"))
      ok = n->n_input > 0 ? head_node (p, n, error) :
          onnx_refuse (p, n, error, "has no input");
    else if (g_strv_contains (glue_ops, op))
      ok = glue_node (p, n, error);
    else
      ok = onnx_refuse (p, n, error, "op is not supported (only RNN, LSTM, GRU, "
          "their glue and a Gemm/MatMul+Add head with Softmax/Sigmoid)");
    if (!ok)
      return FALSE;
  }
  if (p->L == 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: the graph has no RNN, LSTM or GRU node", p->file);
    return FALSE;
  }
  const Val *out = g->n_output && g->output[0]->name ?
      onnx_val (p, g->output[0]->name) : NULL;
  if (!out || !((out->tag == V_SEQ && out->level == p->L) ||
          out->tag == V_HEAD)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: the graph's first output is neither the last layer's output "
        "nor the head's", p->file);
    return FALSE;
  }
  if (out->tag == V_SEQ && p->head_w) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: the graph has a head, but its first output is the RNN's", p->file);
    return FALSE;
  }
  if (out->tag == V_SEQ)
    return TRUE;
  if (p->head_b && !out->head_bias) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: the graph's first output is the head before its bias", p->file);
    return FALSE;
  }
  return onnx_graph_says (p, "rnn.head", "fc.", error) &&
      onnx_graph_says (p, "rnn.head_activation", out->head_act ? out->head_act :
      "none", error);
}

#endif /* RNN_HAVE_ONNX */

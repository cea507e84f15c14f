/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hot model swap: setting `model` while playing.  The next buffer runs
 * the new model from a zero state, flagged DISCONT, with an element
 * message; an unusable file (junk, missing, another input size, refused
 * downstream) gives a WARNING and the running model carries on; a new
 * output width renegotiates; windows, n-to-1, 1-to-n and n-to-m switch
 * cleanly; a stress test swaps from another thread while buffers flow.
 * References come from the core on the same frames. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "rnn-test-gst.h"

static gchar *
garbage_model (void)
{
  gchar *path = tmp_model ("garbage");

  fail_unless (g_file_set_contents (path, "this is not a safetensors file",
          -1, NULL));
  return path;
}

#define SW_F 2
#define SW_B 2

typedef struct
{
  gchar *a, *b, *c, *d, *bad;   /* a, b: H 4; c: H 6; d: F 3; bad: junk */
} SwapModels;

static void
swap_models (SwapModels * s)
{
  s->a = gru_model (SW_F, 4, 1.0f);
  s->b = gru_model (SW_F, 4, 2.0f);
  s->c = gru_model (SW_F, 6, 3.0f);
  s->d = gru_model (3, 4, 4.0f);
  s->bad = garbage_model ();
}

static void
swap_models_free (SwapModels * s)
{
  g_free (s->a);
  g_free (s->b);
  g_free (s->c);
  g_free (s->d);
  g_free (s->bad);
}

/* Output of @model on frames [t0, t0 + k) of @x (SW_B streams), from a
 * zero state at frame @from. */
static float *
model_ref (const gchar * model, const float *x, guint from, guint t0, guint k)
{
  RnnModel *m = load_model (model);
  RnnState *s = rnn_state_new (m, SW_B, 256, NULL);
  guint O = rnn_model_get_output_size (m);
  float *all = core_run (s, x + (gsize) from * SW_B * SW_F, t0 + k - from);
  float *out = g_memdup2 (all + (gsize) (t0 - from) * SW_B * O,
      (gsize) k * SW_B * O * sizeof (float));

  g_free (all);
  rnn_state_free (s);
  rnn_model_unref (m);
  return out;
}

static gchar *
get_model (GstHarness * h)
{
  gchar *p = NULL;

  g_object_get (h->element, "model", &p, NULL);
  return p;
}

/* Setting model=B in PLAYING: the next buffer runs B from a zero state,
 * flagged DISCONT; an element message says so. */
GST_START_TEST (test_swap_resets_and_switches)
{
  SwapModels s;
  float *x = rnn_test_make_input (60, SW_B, SW_F, 0.7f);
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstMessage *msg;
  const GstStructure *st;
  float *ref;
  gchar *p;

  swap_models (&s);
  h = harness_audio (make_rnn (s.a), SW_B * SW_F);
  bus = harness_bus (h);
  gst_buffer_unref (push_pull (h, tm_frames (x, SW_B, SW_F, 0, 20)));

  g_object_set (h->element, "model", s.b, NULL);
  p = get_model (h);
  fail_unless_equals_string (p, s.b);
  g_free (p);
  expect_no_warning (bus);

  out = push_pull (h, tm_frames (x, SW_B, SW_F, 20, 20));
  ref = model_ref (s.b, x, 20, 20, 20);
  check_buffer (out, ref, 20 * SW_B * 4, 0.0, "first buffer after the swap");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  g_free (ref);

  /* and it carries on with B */
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 40, 20));
  ref = model_ref (s.b, x, 20, 40, 20);
  check_buffer (out, ref, 20 * SW_B * 4, CORE_TOLERANCE, "second buffer after");
  fail_unless (!GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  g_free (ref);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  fail_unless (msg != NULL, "no rnn-model-changed message");
  st = gst_message_get_structure (msg);
  fail_unless (gst_structure_has_name (st, "rnn-model-changed"));
  fail_unless_equals_string (gst_structure_get_string (st, "model"), s.b);
  fail_unless_equals_string (gst_structure_get_string (st, "previous-model"),
      s.a);
  gst_message_unref (msg);

  harness_done (h);
  swap_models_free (&s);
  g_free (x);
}

GST_END_TEST;

/* Unusable files in PLAYING: a WARNING naming the file and the reason,
 * the property keeps its value, and model A runs on undisturbed (no
 * reset). */
GST_START_TEST (test_swap_bad_file_keeps_old)
{
  SwapModels s;
  float *x = rnn_test_make_input (80, SW_B, SW_F, 0.7f);
  gchar *missing = tmp_model ("does-not-exist");
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstStructure *d;
  float *ref;
  gchar *p;
  guint i;

  swap_models (&s);
  h = harness_audio (make_rnn (s.a), SW_B * SW_F);
  bus = harness_bus (h);
  gst_buffer_unref (push_pull (h, tm_frames (x, SW_B, SW_F, 0, 20)));

  {
    const gchar *needles[] = { s.bad, "Keeping the running model", s.a, NULL };
    g_object_set (h->element, "model", s.bad, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  {
    const gchar *needles[] = { missing, "Keeping", NULL };
    g_object_set (h->element, "model", missing, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  {
    /* a FIFO: refused at once (opening it would wait for a writer) */
    gchar *fifo = tmp_model ("swap-fifo");
    const gchar *needles[] = { fifo, "a FIFO", "Keeping", NULL };

    g_unlink (fifo);
    fail_unless (mkfifo (fifo, 0600) == 0);
    g_object_set (h->element, "model", fifo, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
    g_unlink (fifo);
    g_free (fifo);
  }
  {
    /* input size 3 vs 2: both sizes named */
    const gchar *needles[] = { s.d, "reads 3 values", "reads 2",
      "Keeping", NULL
    };
    g_object_set (h->element, "model", s.d, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  p = get_model (h);
  fail_unless_equals_string (p, s.a);
  g_free (p);

  for (i = 1; i < 4; i++) {
    out = push_pull (h, tm_frames (x, SW_B, SW_F, 20 * i, 20));
    ref = model_ref (s.a, x, 0, 20 * i, 20);
    check_buffer (out, ref, 20 * SW_B * 4, CORE_TOLERANCE, "model A, state carried");
    fail_unless (!GST_BUFFER_IS_DISCONT (out));
    gst_buffer_unref (out);
    g_free (ref);
  }
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);

  harness_done (h);
  swap_models_free (&s);
  g_free (missing);
  g_free (x);
}

GST_END_TEST;

/* A new output width renegotiates: the caps downstream change with the
 * first buffer of the new model. */
GST_START_TEST (test_swap_output_width)
{
  SwapModels s;
  float *x = rnn_test_make_input (40, SW_B, SW_F, 0.7f);
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstCaps *caps;
  gint channels = 0;
  float *ref;

  swap_models (&s);
  h = harness_audio (make_rnn (s.a), SW_B * SW_F);
  bus = harness_bus (h);
  gst_buffer_unref (push_pull (h, tm_frames (x, SW_B, SW_F, 0, 20)));
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "channels", &channels));
  fail_unless_equals_int (channels, SW_B * 4);
  gst_caps_unref (caps);

  g_object_set (h->element, "model", s.c, NULL);
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 20, 20));
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "channels", &channels));
  fail_unless_equals_int (channels, SW_B * 6);
  gst_caps_unref (caps);
  ref = model_ref (s.c, x, 20, 20, 20);
  check_buffer (out, ref, 20 * SW_B * 6, 0.0, "model C after the swap");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  g_free (ref);
  expect_no_warning (bus);

  harness_done (h);
  swap_models_free (&s);
  g_free (x);
}

GST_END_TEST;

/* While a swap renegotiates the caps (between the new model taking over
 * and the element making its new state for the new caps), "snapshot" from
 * another thread still returns the state in force (the new model's,
 * reset), never NULL. */
typedef struct
{
  GstElement *rnn;
  gint stop;
  guint taken, null;
} Snapper;

static gpointer
snapper_thread (gpointer data)
{
  Snapper *sn = data;

  while (!g_atomic_int_get (&sn->stop)) {
    GBytes *snap = NULL;

    g_signal_emit_by_name (sn->rnn, "snapshot", &snap);
    sn->taken++;
    if (snap == NULL)
      sn->null++;
    else
      g_bytes_unref (snap);
  }
  return NULL;
}

GST_START_TEST (test_snapshot_during_swap)
{
  SwapModels s;
  float *x = rnn_test_make_input (10, SW_B, SW_F, 0.7f);
  Snapper sn = { 0 };
  GstHarness *h;
  GThread *thread;
  guint i;

  swap_models (&s);
  h = harness_audio (make_rnn (s.a), SW_B * SW_F);
  gst_buffer_unref (push_pull (h, tm_frames (x, SW_B, SW_F, 0, 10)));
  sn.rnn = h->element;
  thread = g_thread_new ("snapshots", snapper_thread, &sn);
  /* A and C differ in output width: every swap renegotiates */
  for (i = 0; i < 300; i++) {
    g_object_set (h->element, "model", i % 2 ? s.a : s.c, NULL);
    gst_buffer_unref (push_pull (h, tm_frames (x, SW_B, SW_F, 0, 10)));
  }
  g_atomic_int_set (&sn.stop, 1);
  g_thread_join (thread);
  GST_INFO ("%u snapshots during 300 swaps", sn.taken);
  fail_unless (sn.taken > 0);
  fail_unless_equals_int (sn.null, 0);
  harness_done (h);
  swap_models_free (&s);
  g_free (x);
}

GST_END_TEST;

/* Downstream that only takes the old width: the new model is refused with
 * a WARNING, the old one runs on. */
GST_START_TEST (test_swap_refused_by_downstream)
{
  SwapModels s;
  float *x = rnn_test_make_input (40, SW_B, SW_F, 0.7f);
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstStructure *d;
  float *ref;
  gchar *caps, *p;
  const gchar *needles[] = { "downstream does not accept", NULL };

  swap_models (&s);
  h = harness_audio (make_rnn (s.a), SW_B * SW_F);
  bus = harness_bus (h);
  caps = audio_caps (SW_B * 4, RATE);
  gst_harness_set_sink_caps_str (h, caps);
  g_free (caps);
  gst_buffer_unref (push_pull (h, tm_frames (x, SW_B, SW_F, 0, 20)));

  g_object_set (h->element, "model", s.c, NULL);
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 20, 20));
  d = expect_one_warning (bus, needles);
  g_clear_pointer (&d, gst_structure_free);
  ref = model_ref (s.a, x, 0, 20, 20);
  check_buffer (out, ref, 20 * SW_B * 4, CORE_TOLERANCE, "model A kept");
  gst_buffer_unref (out);
  g_free (ref);
  p = get_model (h);
  fail_unless_equals_string (p, s.a);
  g_free (p);

  harness_done (h);
  swap_models_free (&s);
  g_free (x);
}

GST_END_TEST;

typedef struct
{
  GstElement *rnn;
  SwapModels *models;
  gint stop;
  guint sets;
} Setter;

static gpointer
setter_thread (gpointer data)
{
  Setter *st = data;
  const gchar *seq[] = { st->models->a, st->models->bad, st->models->b,
    st->models->b, st->models->a, st->models->d
  };
  guint i = 0;

  while (!g_atomic_int_get (&st->stop)) {
    g_object_set (st->rnn, "model", seq[i % G_N_ELEMENTS (seq)], NULL);
    i++;
    g_usleep (10 + 23 * (i % 5));
  }
  st->sets = i;
  return NULL;
}

/* Another thread sets model A, junk, B, A, a model of another input size
 * ... while buffers flow, every one flagged DISCONT: each output buffer
 * must be, bit for bit, model A's or model B's output for that buffer
 * from a zero state; none is lost or doubled. */
GST_START_TEST (test_swap_stress)
{
  SwapModels s;
  const guint n_buffers = 2000;
  float *x;
  guint T = 0, i, from_a = 0, from_b = 0, t0 = 0;
  guint *sizes = g_new (guint, n_buffers);
  GRand *rand = g_rand_new_with_seed (7);
  RnnModel *ma, *mb;
  RnnState *sa, *sb;
  GstHarness *h;
  GstBus *bus;
  GstMessage *msg;
  Setter st = { 0 };
  GThread *thread;
  guint warnings = 0;

  swap_models (&s);
  for (i = 0; i < n_buffers; i++)
    T += sizes[i] = g_rand_int_range (rand, 1, 48);
  x = rnn_test_make_input (T, SW_B, SW_F, 0.3f);
  ma = load_model (s.a);
  mb = load_model (s.b);
  sa = rnn_state_new (ma, SW_B, 256, NULL);
  sb = rnn_state_new (mb, SW_B, 256, NULL);

  h = harness_audio (make_rnn (s.a), SW_B * SW_F);
  bus = harness_bus (h);
  st.rnn = h->element;
  st.models = &s;
  thread = g_thread_new ("setter", setter_thread, &st);

  for (i = 0; i < n_buffers; i++) {
    GstBuffer *in = tm_frames (x, SW_B, SW_F, t0, sizes[i]), *out;
    gsize n = (gsize) sizes[i] * SW_B * 4;
    float *ra, *rb;
    GstMapInfo map;
    gboolean is_a, is_b;

    GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_try_pull (h);
    fail_unless (out != NULL, "buffer %u: no output", i);
    fail_unless (gst_harness_try_pull (h) == NULL, "buffer %u: two outputs",
        i);

    rnn_state_reset (sa);
    rnn_state_reset (sb);
    ra = core_run (sa, x + (gsize) t0 * SW_B * SW_F, sizes[i]);
    rb = core_run (sb, x + (gsize) t0 * SW_B * SW_F, sizes[i]);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless_equals_uint64 (map.size, n * sizeof (float));
    is_a = memcmp (map.data, ra, n * sizeof (float)) == 0;
    is_b = memcmp (map.data, rb, n * sizeof (float)) == 0;
    fail_unless (is_a || is_b, "buffer %u (%u frames): neither model A's "
        "nor model B's output (errors %g, %g)", i, sizes[i],
        rnn_test_max_err ((const float *) map.data, ra, n),
        rnn_test_max_err ((const float *) map.data, rb, n));
    from_a += is_a;
    from_b += is_b && !is_a;
    fail_unless (GST_BUFFER_IS_DISCONT (out));
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    g_free (ra);
    g_free (rb);
    t0 += sizes[i];
  }
  g_atomic_int_set (&st.stop, 1);
  g_thread_join (thread);
  GST_INFO ("%u property sets; %u buffers from A, %u from B", st.sets,
      from_a, from_b);
  fail_unless_equals_int (gst_harness_buffers_received (h), n_buffers);

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    warnings++;
    gst_message_unref (msg);
  }
  fail_unless (warnings > 0, "no warning for the junk file");
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);

  /* both models were used (when the machine is so loaded that the setter
   * never ran between two buffers, force it) */
  g_object_set (h->element, "model", s.b, NULL);
  {
    GstBuffer *in = tm_frames (x, SW_B, SW_F, 0, 10), *out;
    float *rb;

    out = push_pull (h, in);
    rnn_state_reset (sb);
    rb = core_run (sb, x, 10);
    check_buffer (out, rb, 10 * SW_B * 4, 0.0, "model B at the end");
    gst_buffer_unref (out);
    g_free (rb);
  }

  harness_done (h);
  rnn_state_free (sa);
  rnn_state_free (sb);
  rnn_model_unref (ma);
  rnn_model_unref (mb);
  g_rand_free (rand);
  g_free (sizes);
  g_free (x);
  swap_models_free (&s);
}

GST_END_TEST;

/* n-to-n, bidirectional model run on windows of 4 -> unidirectional model
 * of the same output width: the frames collected for the old model are
 * run (as a shorter window) before the switch, the latency changes. */
GST_START_TEST (test_swap_windowed)
{
  gchar *bi = bigru_model (SW_F, 3), *uni = gru_model (SW_F, 6, 5.0f);
  float *x = rnn_test_make_input (20, SW_B, SW_F, 0.9f);
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  GstMessage *msg;
  RnnModel *m = load_model (bi);
  RnnState *s = rnn_state_new (m, SW_B, 4, NULL);
  float win[4 * SW_B * 6], *ref;

  rnn = make_rnn (bi);
  g_object_set (rnn, "window", 4, NULL);
  h = harness_audio (rnn, SW_B * SW_F);
  bus = harness_bus (h);

  /* 6 frames: one window out, 2 frames pending */
  fail_unless_equals_int (gst_harness_push (h, tm_frames (x, SW_B, SW_F,
              0, 6)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 4 * SW_B * 6 * 4);
  fail_unless (rnn_state_process_window (s, x, 4, RNN_RUN_NONE, win, NULL));
  check_buffer (out, win, 4 * SW_B * 6, CORE_TOLERANCE, "first window");
  gst_buffer_unref (out);
  fail_unless (gst_harness_try_pull (h) == NULL);

  g_object_set (h->element, "model", uni, NULL);
  fail_unless_equals_int (gst_harness_push (h, tm_frames (x, SW_B, SW_F,
              6, 5)), GST_FLOW_OK);
  /* the pending 2 frames, run with the bidirectional model */
  out = gst_harness_pull (h);
  rnn_state_reset (s);
  fail_unless (rnn_state_process_window (s, x + 4 * SW_B * SW_F, 2,
          RNN_RUN_NONE, win, NULL));
  check_buffer (out, win, 2 * SW_B * 6, CORE_TOLERANCE, "partial window at the swap");
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (4));
  gst_buffer_unref (out);
  /* then the unidirectional model, frame by frame, from zero */
  out = gst_harness_pull (h);
  ref = model_ref (uni, x, 6, 6, 5);
  check_buffer (out, ref, 5 * SW_B * 6, 0.0, "unidirectional after");
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), FRAME_TIME (6));
  gst_buffer_unref (out);
  g_free (ref);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY);
  fail_unless (msg != NULL, "no LATENCY message after the latency changed");
  gst_message_unref (msg);
  expect_no_warning (bus);

  harness_done (h);
  rnn_state_free (s);
  rnn_model_unref (m);
  g_free (x);
  g_free (bi);
  g_free (uni);
}

GST_END_TEST;

/* n-to-1: the window in progress is dropped at the swap (a reset), the
 * next window is the new model's, from a zero state. */
GST_START_TEST (test_swap_n_to_1)
{
  SwapModels sm;
  float *x = rnn_test_make_input (20, SW_B, SW_F, 0.9f);
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;
  float *ref;
  GstCustomMeta *meta;
  guint n = 0, k;

  swap_models (&sm);
  rnn = make_rnn (sm.a);
  g_object_set (rnn, "window", 5, "post-messages", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "n-to-1");
  h = harness_audio (rnn, SW_B * SW_F);
  bus = harness_bus (h);
  fail_unless (gst_rnn_result_meta_get_info () != NULL);
  gst_buffer_unref (push_pull (h, tm_frames (x, SW_B, SW_F, 0, 7)));

  g_object_set (h->element, "model", sm.b, NULL);
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 7, 5));
  ref = model_ref (sm.b, x, 7, 7, 5);   /* (5, B, 4) */
  meta = gst_rnn_buffer_get_result_meta (out);
  for (n = 0; n < gst_rnn_result_meta_get_n_results (meta); n++) {
    const GstStructure *st = gst_rnn_result_meta_get_result (meta, n);
    const GValue *scores = gst_structure_get_value (st, "scores");
    guint64 ts;

    fail_unless (gst_structure_get_uint64 (st, "timestamp", &ts));
    fail_unless_equals_uint64 (ts, FRAME_TIME (7));
    for (k = 0; k < 4; k++)
      fail_unless (fabs (g_value_get_double (gst_value_array_get_value
                  (scores, k)) - ref[(4 * SW_B + n) * 4 + k]) < 1e-6);
  }
  fail_unless_equals_int (n, SW_B);
  gst_buffer_unref (out);
  g_free (ref);
  expect_no_warning (bus);
  harness_done (h);
  swap_models_free (&sm);
  g_free (x);
}

GST_END_TEST;

/* 1-to-n and n-to-m: a swap while playing gives output of the new widths
 * (renegotiated) and no error. */
GST_START_TEST (test_swap_generating_modes)
{
  gchar *a = gru_model (SW_F, 4, 1.0f), *c = gru_model (SW_F, 6, 3.0f);
  gchar *s2s_a = tmp_model ("s2s-a"), *s2s_b = tmp_model ("s2s-b");
  float *x = rnn_test_make_input (40, SW_B, SW_F, 0.9f);
  GstElement *rnn;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *out;

  /* 1-to-n, 3 steps: 4 -> 6 outputs per step */
  rnn = make_rnn (a);
  g_object_set (rnn, "steps", 3, "carry-state", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "1-to-n");
  h = harness_audio (rnn, SW_B * SW_F);
  bus = harness_bus (h);
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 0, 5));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 5 * 3 * SW_B * 4 * 4);
  gst_buffer_unref (out);
  g_object_set (h->element, "model", c, NULL);
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 5, 5));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 5 * 3 * SW_B * 6 * 4);
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  expect_no_warning (bus);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  harness_done (h);

  /* n-to-m: encoder 2 -> 4, decoder (context) 4 -> 4, then 2 -> 5, 5 -> 5 */
  rnn_test_write_gru_seq2seq (s2s_a, SW_F, 4, 4, 4);
  rnn_test_write_gru_seq2seq (s2s_b, SW_F, 5, 5, 5);
  rnn = make_rnn (s2s_a);
  /* steps = hop (= window): forecasts tile the time line, as audio needs */
  g_object_set (rnn, "window", 4, "steps", 4, NULL);
  gst_util_set_object_arg (G_OBJECT (rnn), "mode", "n-to-m");
  h = harness_audio (rnn, SW_B * SW_F);
  bus = harness_bus (h);
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 0, 4));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 4 * SW_B * 4 * 4);
  gst_buffer_unref (out);
  g_object_set (h->element, "model", s2s_b, NULL);
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 4, 4));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 4 * SW_B * 5 * 4);
  fail_unless (GST_BUFFER_IS_DISCONT (out));
  gst_buffer_unref (out);
  /* a plain GRU is no encoder-decoder: refused, the pair keeps running */
  {
    const gchar *needles[] = { a, "encoder", "Keeping", NULL };
    GstStructure *d;

    g_object_set (h->element, "model", a, NULL);
    d = expect_one_warning (bus, needles);
    g_clear_pointer (&d, gst_structure_free);
  }
  out = push_pull (h, tm_frames (x, SW_B, SW_F, 8, 4));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), 4 * SW_B * 5 * 4);
  gst_buffer_unref (out);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  harness_done (h);

  g_free (x);
  g_free (a);
  g_free (c);
  g_free (s2s_a);
  g_free (s2s_b);
}

GST_END_TEST;

static Suite *
rnn_hot_swap_suite (void)
{
  Suite *s = suite_create ("rnn-hot-swap");
  TCase *tc;

  tc = tcase_create ("n-to-n");
  tcase_add_test (tc, test_swap_resets_and_switches);
  tcase_add_test (tc, test_swap_bad_file_keeps_old);
  tcase_add_test (tc, test_swap_output_width);
  tcase_add_test (tc, test_swap_refused_by_downstream);
  tcase_add_test (tc, test_snapshot_during_swap);
  tcase_add_test (tc, test_swap_stress);
  suite_add_tcase (s, tc);

  tc = tcase_create ("modes");
  tcase_add_test (tc, test_swap_windowed);
  tcase_add_test (tc, test_swap_n_to_1);
  tcase_add_test (tc, test_swap_generating_modes);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_hot_swap);

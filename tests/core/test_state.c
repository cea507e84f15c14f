/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the state API: independence of streams, per-stream reset,
 * layouts, h0/h_n round trips, usage errors, and that a call allocates
 * nothing.  Models come from the conformance fixtures. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "rnn.h"
#include "rnn-private.h"           /* rnn_state_set_shares */
#include "rnn-test-util.h"

#include "alloc-count.h"

/* ---- helpers */

static RnnModel *
load_case (const char *name, RnnTestCase ** fx_out)
{
  GError *err = NULL;
  RnnTestCase *fx = rnn_test_case_load (name);
  RnnModel *m = rnn_model_load (fx->model_path, NULL, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  *fx_out = fx;
  return m;
}

static float *
random_input (gsize n, guint seed)
{
  float *x = g_new (float, n);
  GRand *r = g_rand_new_with_seed (seed);
  for (gsize i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (r, -1.0, 1.0);
  g_rand_free (r);
  return x;
}

static const char *const models[] = {
  "lstm_l2_bias_uni_b3_tm_h0",
  "gru_l3_bias_uni_b3_bf",
  "rnn_l1_bias_uni_b3_tm_head-sigmoid",
  "lstmp_l2_bias_uni_b3_bf_h0",
};

/* Three streams in one state give what each stream gives alone. */
START_TEST (test_streams_independent)
{
  RnnTestCase *fx;
  RnnModel *m = load_case (models[_i], &fx);
  const guint T = 50, B = 3, F = rnn_model_get_input_size (m);
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *x = random_input ((gsize) T * B * F, 1);
  g_autofree float *y = g_new0 (float, (gsize) T * B * O);
  RnnState *s3 = rnn_state_new (m, B, 64, NULL);
  ck_assert (rnn_state_process (s3, x, T, RNN_RUN_NONE, y, NULL));
  for (guint b = 0; b < B; b++) {
    g_autofree float *xb = g_new (float, (gsize) T * F);
    g_autofree float *yb = g_new (float, (gsize) T * O);
    for (guint t = 0; t < T; t++)
      memcpy (xb + (gsize) t * F, x + ((gsize) t * B + b) * F,
          F * sizeof (float));
    RnnState *s1 = rnn_state_new (m, 1, 7, NULL);
    ck_assert (rnn_state_process (s1, xb, T, RNN_RUN_NONE, yb, NULL));
    for (guint t = 0; t < T; t++)
      ck_assert (rnn_test_max_err (yb + (gsize) t * O,
              y + ((gsize) t * B + b) * O, O) <= RNN_TEST_TOLERANCE);
    rnn_state_free (s1);
  }
  rnn_state_free (s3);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST

/* batch-first input gives the batch-first transpose of the output. */
START_TEST (test_layouts_agree)
{
  RnnTestCase *fx;
  RnnModel *m = load_case (models[_i], &fx);
  const guint T = 33, B = 3, F = rnn_model_get_input_size (m);
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *x = random_input ((gsize) T * B * F, 2);
  g_autofree float *xbf = rnn_test_to_batch_first (x, T, B, F);
  g_autofree float *y = g_new0 (float, (gsize) T * B * O);
  g_autofree float *ybf = g_new0 (float, (gsize) T * B * O);
  RnnState *a = rnn_state_new (m, B, 10, NULL);
  RnnState *b = rnn_state_new (m, B, 10, NULL);
  ck_assert (rnn_state_process (a, x, T, RNN_RUN_NONE, y, NULL));
  ck_assert (rnn_state_process (b, xbf, T, RNN_RUN_BATCH_FIRST, ybf, NULL));
  g_autofree float *want = rnn_test_to_batch_first (y, T, B, O);
  ck_assert (memcmp (want, ybf, (gsize) T * B * O * sizeof (float)) == 0);
  rnn_state_free (a);
  rnn_state_free (b);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST

/* Resetting stream 1 alone: stream 1 restarts from zero, 0 and 2 carry. */
START_TEST (test_reset_stream)
{
  RnnTestCase *fx;
  RnnModel *m = load_case (models[_i], &fx);
  const guint T = 20, B = 3, F = rnn_model_get_input_size (m);
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *x = random_input ((gsize) 2 * T * B * F, 3);
  g_autofree float *y_carry = g_new0 (float, (gsize) T * B * O);
  g_autofree float *y_reset = g_new0 (float, (gsize) T * B * O);
  g_autofree float *y_fresh = g_new0 (float, (gsize) T * B * O);
  RnnState *carry = rnn_state_new (m, B, 64, NULL);
  RnnState *part = rnn_state_new (m, B, 64, NULL);
  RnnState *fresh = rnn_state_new (m, B, 64, NULL);
  const float *x2 = x + (gsize) T * B * F;
  ck_assert (rnn_state_process (carry, x, T, 0, y_carry, NULL));
  ck_assert (rnn_state_process (part, x, T, 0, y_reset, NULL));
  ck_assert (rnn_state_process (carry, x2, T, 0, y_carry, NULL));
  rnn_state_reset_stream (part, 1);
  ck_assert (rnn_state_process (part, x2, T, 0, y_reset, NULL));
  ck_assert (rnn_state_process (fresh, x2, T, 0, y_fresh, NULL));
  for (guint t = 0; t < T; t++) {
    for (guint b = 0; b < B; b++) {
      gsize off = ((gsize) t * B + b) * O;
      const float *want = b == 1 ? y_fresh + off : y_carry + off;
      ck_assert_msg (memcmp (y_reset + off, want, O * sizeof (float)) == 0,
          "frame %u stream %u", t, b);
    }
  }
  /* and the carried stream 1 really differs from a fresh start */
  ck_assert (rnn_test_max_err (y_carry + O, y_fresh + O, O) > 1e-4);
  rnn_state_free (carry);
  rnn_state_free (part);
  rnn_state_free (fresh);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST

/* rnn_state_set / rnn_state_get round-trip exactly; reset gives zeros. */
START_TEST (test_set_get)
{
  RnnTestCase *fx;
  RnnModel *m = load_case (models[_i], &fx);
  const guint B = 3;
  gsize nh = rnn_model_get_h_size (m, B), nc = rnn_model_get_c_size (m, B);
  g_autofree float *h0 = random_input (nh, 4);
  g_autofree float *c0 = random_input (MAX (nc, 1), 5);
  g_autofree float *h = g_new0 (float, nh);
  g_autofree float *c = g_new0 (float, MAX (nc, 1));
  RnnState *s = rnn_state_new (m, B, 4, NULL);
  rnn_state_set (s, h0, c0);
  rnn_state_get (s, h, c);
  ck_assert (memcmp (h, h0, nh * sizeof (float)) == 0);
  ck_assert (memcmp (c, c0, nc * sizeof (float)) == 0);
  rnn_state_reset (s);
  rnn_state_get (s, h, c);
  for (gsize i = 0; i < nh; i++)
    ck_assert (h[i] == 0.0f);
  for (gsize i = 0; i < nc; i++)
    ck_assert (c[i] == 0.0f);
  rnn_state_free (s);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST

START_TEST (test_window_limits)
{
  RnnTestCase *fx;
  GError *err = NULL;
  RnnModel *m = load_case ("gru_l2_bias_bi_b3_tm_h0", &fx);
  float in[64 * 3 * 8] = { 0 }, out[64 * 3 * 64];
  ck_assert_uint_le (rnn_model_get_input_size (m), 8);
  RnnState *s = rnn_state_new (m, 3, 4, NULL);
  ck_assert (!rnn_state_process_window (s, in, 5, 0, out, &err));
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_USAGE));
  ck_assert (strstr (err->message, "5 frames") != NULL);
  g_clear_error (&err);
  ck_assert (!rnn_state_process_window (s, in, 0, 0, out, &err));
  g_clear_error (&err);
  ck_assert (rnn_state_process_window (s, in, 4, 0, out, &err));
  ck_assert (!rnn_state_process (s, in, 1, 0, out, &err));
  ck_assert (strstr (err->message, "bidirectional") != NULL);
  g_clear_error (&err);
  rnn_state_free (s);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST

#ifdef RNN_TEST_COUNT_ALLOCS
/* Once a state exists, neither streaming nor window calls allocate. */
START_TEST (test_no_allocation_per_call)
{
  RnnTestCase *fx;
  RnnModel *m = load_case (models[_i], &fx);
  const guint T = 40, B = 3, F = rnn_model_get_input_size (m);
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *x = random_input ((gsize) T * B * F, 6);
  g_autofree float *y = g_new0 (float, (gsize) T * B * O);
  RnnState *s = rnn_state_new (m, B, 16, NULL);
  /* warm up: OpenBLAS may set up its buffers on first use */
  ck_assert (rnn_state_process (s, x, T, 0, y, NULL));
  /* (no ck_assert inside: Check allocates to record passed assertions) */
  gboolean ok = TRUE;
  gint before = rnn_test_alloc_count ();
  for (int rep = 0; rep < 10; rep++) {
    ok &= rnn_state_process (s, x, T, 0, y, NULL);
    ok &= rnn_state_process (s, x, 1, RNN_RUN_BATCH_FIRST, y, NULL);
    ok &= rnn_state_process_window (s, x, 16, 0, y, NULL);
    rnn_model_apply_head (m, x, 1, y);
    rnn_state_reset (s);
  }
  gint after = rnn_test_alloc_count ();
  ck_assert (ok);
  ck_assert_int_eq (after - before, 0);
  /* the counter itself works */
  g_free (g_malloc (16));
  ck_assert_int_gt (rnn_test_alloc_count (), after);
  rnn_state_free (s);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST
#endif

START_TEST (test_accessors)
{
  RnnTestCase *fx;
  RnnModel *m = load_case ("lstmp_l2_bias_bi_b3_tm_h0", &fx);
  ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_LSTM);
  ck_assert_str_eq (rnn_cell_name (rnn_model_get_cell (m)), "lstm");
  ck_assert_uint_eq (rnn_model_get_num_layers (m), 2);
  ck_assert (rnn_model_is_bidirectional (m));
  ck_assert (rnn_model_has_bias (m));
  guint P = rnn_model_get_proj_size (m);
  ck_assert_uint_gt (P, 0);
  ck_assert_uint_lt (P, rnn_model_get_hidden_size (m));
  ck_assert_uint_eq (rnn_model_get_rnn_output_size (m), 2 * P);
  ck_assert_uint_eq (rnn_model_get_h_size (m, 3), 2 * 2 * 3 * P);
  ck_assert_uint_eq (rnn_model_get_c_size (m, 3),
      2 * 2 * 3 * rnn_model_get_hidden_size (m));
  RnnModel *r = rnn_model_ref (m);
  ck_assert_ptr_eq (r, m);
  rnn_model_unref (r);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST


/* stop, snapshot, reload the model, restore: the continuation equals a run
 * that never stopped. */
START_TEST (test_snapshot_restore)
{
  RnnTestCase *fx;
  RnnModel *m = load_case (models[_i], &fx);
  const guint T = 30, B = 3, F = rnn_model_get_input_size (m);
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *x = random_input ((gsize) 2 * T * B * F, 7);
  const float *x2 = x + (gsize) T * B * F;
  g_autofree float *y_ref = g_new0 (float, (gsize) T * B * O);
  g_autofree float *y = g_new0 (float, (gsize) T * B * O);
  RnnState *ref = rnn_state_new (m, B, 8, NULL);
  ck_assert (rnn_state_process (ref, x, T, 0, y_ref, NULL));
  GBytes *snap = rnn_state_snapshot (ref);
  ck_assert (rnn_state_process (ref, x2, T, 0, y_ref, NULL));
  rnn_state_free (ref);

  /* "restart": a new model object loaded from the same file */
  GError *err = NULL;
  RnnModel *m2 = rnn_model_load (fx->model_path, NULL, &err);
  ck_assert_ptr_nonnull (m2);
  ck_assert (rnn_model_get_fingerprint (m2) == rnn_model_get_fingerprint (m));
  RnnState *s = rnn_state_new (m2, B, 8, NULL);
  ck_assert_msg (rnn_state_restore (s, snap, &err), "%s",
      err ? err->message : "");
  ck_assert (rnn_state_process (s, x2, T, 0, y, NULL));
  ck_assert (memcmp (y, y_ref, (gsize) T * B * O * sizeof (float)) == 0);

  /* wrong batch: refused, naming the field and both numbers */
  RnnState *s1 = rnn_state_new (m2, 1, 8, NULL);
  ck_assert (!rnn_state_restore (s1, snap, &err));
  ck_assert_msg (strstr (err->message, "batch is 3, this state has 1"),
      "%s", err->message);
  g_clear_error (&err);
  rnn_state_free (s1);

  /* truncated, or not a snapshot: refused, state unchanged */
  gsize size;
  const guint8 *data = g_bytes_get_data (snap, &size);
  GBytes *cut = g_bytes_new (data, size - 4);
  GBytes *junk = g_bytes_new ("0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef", 64);
  g_autofree float *h_before = g_new0 (float, rnn_model_get_h_size (m2, B));
  g_autofree float *h_after = g_new0 (float, rnn_model_get_h_size (m2, B));
  rnn_state_get (s, h_before, NULL);
  ck_assert (!rnn_state_restore (s, cut, &err));
  ck_assert_msg (strstr (err->message, "bytes of state"), "%s", err->message);
  g_clear_error (&err);
  ck_assert (!rnn_state_restore (s, junk, &err));
  ck_assert_msg (strstr (err->message, "not a state snapshot"), "%s",
      err->message);
  g_clear_error (&err);
  rnn_state_get (s, h_after, NULL);
  ck_assert (memcmp (h_before, h_after,
          rnn_model_get_h_size (m2, B) * sizeof (float)) == 0);
  g_bytes_unref (cut);
  g_bytes_unref (junk);
  rnn_state_free (s);
  rnn_model_unref (m2);
  g_bytes_unref (snap);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST

/* A snapshot is refused by a model of the same shape with other weights
 * (one weight's low mantissa byte changed), and by a model of another
 * shape. */
START_TEST (test_snapshot_other_model)
{
  GError *err = NULL;
  RnnTestCase *fa, *fb;
  RnnModel *a = load_case ("gru_l1_bias_uni_b1_tm", &fa);
  g_autofree char *bytes = NULL;
  gsize len;
  ck_assert (g_file_get_contents (fa->model_path, &bytes, &len, NULL));
  bytes[len - 4] ^= 1;          /* last float of the last tensor, LSB */
  RnnModel *a2 = rnn_model_load_from_data ((const guint8 *) bytes, len,
      "a2", NULL, &err);
  ck_assert_ptr_nonnull (a2);
  RnnModel *b = load_case ("lstm_l1_bias_uni_b1_tm", &fb);
  RnnState *sa = rnn_state_new (a, 1, 4, NULL);
  RnnState *sa2 = rnn_state_new (a2, 1, 4, NULL);
  RnnState *sb = rnn_state_new (b, 1, 4, NULL);
  GBytes *snap = rnn_state_snapshot (sa);
  ck_assert (!rnn_state_restore (sa2, snap, &err));
  ck_assert_msg (strstr (err->message, "other weights") != NULL, "%s",
      err->message);
  g_clear_error (&err);
  ck_assert (!rnn_state_restore (sb, snap, &err));
  ck_assert_msg (strstr (err->message, "snapshot cell is") != NULL, "%s",
      err->message);
  g_clear_error (&err);
  g_bytes_unref (snap);
  rnn_state_free (sa);
  rnn_state_free (sa2);
  rnn_state_free (sb);
  rnn_model_unref (a);
  rnn_model_unref (a2);
  rnn_model_unref (b);
  rnn_test_case_free (fa);
  rnn_test_case_free (fb);
}
END_TEST


/* A random unidirectional model in memory, big enough (G*H > 128 rows)
 * that the threaded products really split. */
static RnnModel *
make_model (guint G, guint F, guint H, guint L, guint seed)
{
  GString *hdr = g_string_new ("{");
  GByteArray *data = g_byte_array_new ();
  GRand *r = g_rand_new_with_seed (seed);
  for (guint l = 0; l < L; l++) {
    const char *names[4] = { "weight_ih_l", "weight_hh_l", "bias_ih_l",
      "bias_hh_l"
    };
    for (guint t = 0; t < 4; t++) {
      gsize rows = (gsize) G * H, cols = t == 0 ? (l ? H : F) : t == 1 ? H : 0;
      gsize n = rows * (cols ? cols : 1);
      g_autofree char *name = g_strdup_printf ("%s%u", names[t], l);
      g_string_append_printf (hdr, "%s\"%s\":{\"dtype\":\"F32\",\"shape\":",
          hdr->len > 1 ? "," : "", name);
      if (cols)
        g_string_append_printf (hdr, "[%zu,%zu]", rows, cols);
      else
        g_string_append_printf (hdr, "[%zu]", rows);
      g_string_append_printf (hdr, ",\"data_offsets\":[%u,%zu]}", data->len,
          data->len + 4 * n);
      for (gsize i = 0; i < n; i++) {
        float v = (float) g_rand_double_range (r, -0.2, 0.2);
        g_byte_array_append (data, (const guint8 *) &v, 4);
      }
    }
  }
  g_string_append (hdr, "}");
  guint64 hl = hdr->len;
  GByteArray *file = g_byte_array_new ();
  g_byte_array_append (file, (const guint8 *) &hl, 8);
  g_byte_array_append (file, (const guint8 *) hdr->str, hdr->len);
  g_byte_array_append (file, data->data, data->len);
  GError *err = NULL;
  RnnModel *m = rnn_model_load_from_data (file->data, file->len, "made", NULL,
      &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  g_byte_array_unref (file);
  g_byte_array_unref (data);
  g_string_free (hdr, TRUE);
  g_rand_free (r);
  return m;
}

/* Two or three threads give exactly the single-thread numbers (the count
 * is clamped to the CPUs the process may use). */
START_TEST (test_threads_identical)
{
  static const guint gates[] = { 1, 3, 4 };
  /* at least 200 rows of weights: two panel groups or more to split */
  RnnModel *m = make_model (gates[_i % 3], 16, gates[_i % 3] == 1 ? 200 : 100,
      2, 11 + _i);
  const guint T = 37, B = _i < 3 ? 1 : 5;
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *x = random_input ((gsize) T * B * 16, 8);
  g_autofree float *y1 = g_new0 (float, (gsize) T * B * O);
  g_autofree float *y2 = g_new0 (float, (gsize) T * B * O);
  RnnState *s1 = rnn_state_new (m, B, 16, NULL);
  RnnState *s2 = rnn_state_new (m, B, 16, NULL);
  GError *err = NULL;
  guint cpus = MAX (1u, g_get_num_processors ());
  ck_assert (rnn_state_set_threads (s2, 2 + _i % 2, &err));
  ck_assert_uint_eq (rnn_state_get_threads (s2), MIN (2u + _i % 2, cpus));
  /* more threads than CPUs would only wait for each other */
  ck_assert (rnn_state_set_threads (s2, 8, &err));
  ck_assert_uint_eq (rnn_state_get_threads (s2), MIN (8u, cpus));
  ck_assert (rnn_state_process (s1, x, T, 0, y1, NULL));
  ck_assert (rnn_state_process (s2, x, T, 0, y2, NULL));
  ck_assert (memcmp (y1, y2, (gsize) T * B * O * sizeof (float)) == 0);
  ck_assert (rnn_test_max_err (y1, y2, 1) == 0.0);
  /* back to one thread, and a bad count */
  ck_assert (rnn_state_set_threads (s2, 1, NULL));
  ck_assert (!rnn_state_set_threads (s2, 0, &err));
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_USAGE));
  g_clear_error (&err);
  rnn_state_free (s1);
  rnn_state_free (s2);
  rnn_model_unref (m);
}
END_TEST


/* Stream @b of x (T, B, F) alone through a fresh batch-1 state. */
static float *
run_alone (RnnModel * m, const float *x, guint T, guint B, guint b)
{
  const guint F = rnn_model_get_input_size (m);
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *xb = g_new (float, (gsize) T * F);
  float *yb = g_new0 (float, (gsize) T * O);
  for (guint t = 0; t < T; t++)
    memcpy (xb + (gsize) t * F, x + ((gsize) t * B + b) * F,
        F * sizeof (float));
  RnnState *s1 = rnn_state_new (m, 1, 16, NULL);
  ck_assert (rnn_state_process (s1, xb, T, 0, yb, NULL));
  rnn_state_free (s1);
  return yb;
}

/* A stream's numbers do not depend on how many streams share its steps:
 * alone (before and after the model has its layout for many streams) and
 * among 9 or 20 (the products over many rows, on one thread and on two),
 * bit for bit. */
START_TEST (test_alone_or_among_many)
{
  static const guint gates[] = { 1, 3, 4 };
  const guint G = gates[_i % 3], B = _i < 3 ? 9 : 20, T = 23, F = 16;
  RnnModel *m = make_model (G, F, 40, 2, 31 + _i);
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *x = random_input ((gsize) T * B * F, 12);
  const guint picks[3] = { 0, B / 2, B - 1 };
  float *alone[3];
  for (guint i = 0; i < 3; i++)
    alone[i] = run_alone (m, x, T, B, picks[i]);
  for (guint threads = 1; threads <= 2; threads++) {
    g_autofree float *y = g_new0 (float, (gsize) T * B * O);
    RnnState *s = rnn_state_new (m, B, 16, NULL);
    ck_assert (rnn_state_set_threads (s, threads, NULL));
    ck_assert (rnn_state_process (s, x, T, 0, y, NULL));
    for (guint i = 0; i < 3; i++)
      for (guint t = 0; t < T; t++)
        ck_assert_msg (memcmp (alone[i] + (gsize) t * O,
                y + ((gsize) t * B + picks[i]) * O, O * sizeof (float)) == 0,
            "G=%u B=%u threads=%u: stream %u, frame %u differs from the "
            "stream alone", G, B, threads, picks[i], t);
    rnn_state_free (s);
  }
  /* alone again, now that the model has the second layout */
  for (guint i = 0; i < 3; i++) {
    g_autofree float *again = run_alone (m, x, T, B, picks[i]);
    ck_assert (memcmp (again, alone[i], (gsize) T * O * sizeof (float)) == 0);
    g_free (alone[i]);
  }
  rnn_model_unref (m);
}
END_TEST

/* A call split by streams between two threads shares the streams out
 * unevenly when one thread ran slower, and moves the split from call to
 * call: every split gives the one-thread output, bit for bit.  The uneven
 * shares are forced before each call. */
START_TEST (test_uneven_split)
{
  static const guint gates[] = { 1, 3, 4 };
  const guint G = gates[_i], B = 40, T = 100, F = 16, calls = 3;
  RnnModel *m = make_model (G, F, 40, 2, 55 + _i);
  const guint O = rnn_model_get_output_size (m);
  const gsize frame_in = (gsize) B * F, frame_out = (gsize) B * O;
  g_autofree float *x = random_input (calls * T * frame_in, 21 + _i);
  g_autofree float *ref = g_new0 (float, calls * T * frame_out);
  g_autofree float *y = g_new0 (float, calls * T * frame_out);
  static const double shares[][2] = { {0.85, 0.15}, {0.1, 0.9}, {0.6, 0.4} };

  RnnState *one = rnn_state_new (m, B, T, NULL);
  ck_assert (!rnn_state_set_shares (one, shares[0]));   /* one thread */
  ck_assert (rnn_state_process (one, x, calls * T, 0, ref, NULL));
  rnn_state_free (one);

  RnnState *s = rnn_state_new (m, B, T, NULL);
  ck_assert (rnn_state_set_threads (s, 2, NULL));
  const gboolean two = rnn_state_get_threads (s) == 2;
  for (guint c = 0; c < calls; c++) {
    ck_assert (rnn_state_set_shares (s, shares[c]) == two);
    ck_assert (rnn_state_process (s, x + c * T * frame_in, T, 0,
            y + c * T * frame_out, NULL));
  }
  for (gsize t = 0; t < calls * T; t++)
    for (guint b = 0; b < B; b++)
      ck_assert_msg (memcmp (ref + t * frame_out + (gsize) b * O,
              y + t * frame_out + (gsize) b * O, O * sizeof (float)) == 0,
          "G=%u: frame %" G_GSIZE_FORMAT ", stream %u differs from one "
          "thread", G, t, b);
  rnn_state_free (s);
  rnn_model_unref (m);
}
END_TEST

/* The split follows the shares, keeps 8 streams per thread (fewer only
 * when there are not 8 per thread), and covers every stream once; the
 * shares move towards the measured speeds. */
START_TEST (test_split_follows_speed)
{
  guint b[9];
  const double even[2] = { 1, 1 }, skew[2] = { 3, 1 }, tiny[2] = { 99, 1 };
  rnn_split_streams (even, 2, 64, b);
  ck_assert_uint_eq (b[0], 0);
  ck_assert_uint_eq (b[1], 32);
  ck_assert_uint_eq (b[2], 64);
  rnn_split_streams (skew, 2, 64, b);
  ck_assert_uint_eq (b[1], 48);
  ck_assert_uint_eq (b[2], 64);
  rnn_split_streams (tiny, 2, 64, b);   /* 63 wanted, 8 kept for thread 1 */
  ck_assert_uint_eq (b[1], 56);
  rnn_split_streams (tiny, 2, 12, b);   /* 12 streams: 6 each at least */
  ck_assert_uint_eq (b[1], 6);
  const double four[4] = { 1, 2, 3, 4 };
  rnn_split_streams (four, 4, 100, b);
  ck_assert_uint_eq (b[0], 0);
  ck_assert_uint_eq (b[1], 10);
  ck_assert_uint_eq (b[2], 30);
  ck_assert_uint_eq (b[3], 60);
  ck_assert_uint_eq (b[4], 100);

  /* thread 1 took twice as long for as many streams: its speed share is
   * 1/3, and the shares move a quarter of the way there from 1/2 */
  double share[2] = { 0.5, 0.5 };
  const guint half[3] = { 0, 32, 64 };
  const gint64 us[2] = { 1000, 2000 }, none[2] = { 1000, 0 };
  rnn_update_shares (share, 2, half, us);
  ck_assert_double_eq_tol (share[0], 0.75 * 0.5 + 0.25 * 2.0 / 3, 1e-12);
  ck_assert_double_eq_tol (share[1], 0.75 * 0.5 + 0.25 * 1.0 / 3, 1e-12);
  double kept[2] = { 0.7, 0.3 };
  rnn_update_shares (kept, 2, half, none);      /* nothing measured */
  ck_assert_double_eq (kept[0], 0.7);
  ck_assert_double_eq (kept[1], 0.3);
  /* repeated, the split settles where both take the same time */
  double s2[2] = { 0.5, 0.5 };
  for (int r = 0; r < 30; r++) {
    guint bb[3];
    rnn_split_streams (s2, 2, 90, bb);
    gint64 t[2] = { (bb[1] - bb[0]) * 10, (bb[2] - bb[1]) * 20 };
    rnn_update_shares (s2, 2, bb, t);
  }
  rnn_split_streams (s2, 2, 90, b);
  ck_assert_uint_eq (b[1], 60);
}
END_TEST

typedef struct {
  RnnModel *m;
  const float *x, *ref;
  guint T, B, runs;
  gint same;
} AloneJob;

static gpointer
alone_again (gpointer data)
{
  AloneJob *j = data;
  const gsize n = (gsize) j->T * rnn_model_get_output_size (j->m);
  for (guint r = 0; r < j->runs; r++) {
    g_autofree float *y = run_alone (j->m, j->x, j->T, j->B, 0);
    if (memcmp (y, j->ref, n * sizeof (float)) == 0)
      g_atomic_int_inc (&j->same);
  }
  return NULL;
}

/* The first state of many streams adds a layout to a model that a state
 * of one stream is using on another thread: that one keeps working and
 * keeps its numbers. */
START_TEST (test_layout_added_while_running)
{
  const guint T = 40, B = 8, F = 16;
  RnnModel *m = make_model (4, F, 64, 1, 77);
  g_autofree float *x = random_input ((gsize) T * B * F, 13);
  g_autofree float *ref = run_alone (m, x, T, B, 0);
  AloneJob j = { m, x, ref, T, B, 50, 0 };
  GThread *th = g_thread_new ("alone", alone_again, &j);
  g_usleep (2000);
  RnnState *s = rnn_state_new (m, B, T, NULL);
  g_autofree float *y = g_new0 (float,
      (gsize) T * B * rnn_model_get_output_size (m));
  ck_assert (rnn_state_process (s, x, T, 0, y, NULL));
  g_thread_join (th);
  ck_assert_int_eq (j.same, (gint) j.runs);
  rnn_state_free (s);
  rnn_model_unref (m);
}
END_TEST

/* A NaN input propagates as in PyTorch: every output and the state become
 * NaN (relu included: torch.relu(nan) is nan), for every cell kind. */
START_TEST (test_nan_propagates)
{
  static const char *const nan_models[] = {
    "rnnrelu_l1_bias_uni_b1_tm", "rnn_l1_bias_uni_b1_tm",
    "lstm_l1_bias_uni_b1_tm", "gru_l1_bias_uni_b1_tm", "lstmp_l1_bias_uni_b1_tm",
  };
  RnnTestCase *fx;
  RnnModel *m = load_case (nan_models[_i], &fx);
  const guint F = rnn_model_get_input_size (m);
  const guint O = rnn_model_get_output_size (m);
  g_autofree float *x = g_new0 (float, F);
  g_autofree float *y = g_new0 (float, O);
  g_autofree float *h = g_new0 (float, rnn_model_get_h_size (m, 1));
  x[0] = NAN;
  RnnState *s = rnn_state_new (m, 1, 4, NULL);
  ck_assert (rnn_state_process (s, x, 1, 0, y, NULL));
  for (guint i = 0; i < O; i++)
    ck_assert_msg (isnan (y[i]), "%s: output %u is %g", nan_models[_i], i,
        y[i]);
  rnn_state_get (s, h, NULL);
  for (gsize i = 0; i < rnn_model_get_h_size (m, 1); i++)
    ck_assert (isnan (h[i]));
  rnn_state_free (s);
  rnn_model_unref (m);
  rnn_test_case_free (fx);
}
END_TEST

static Suite *
state_suite (void)
{
  Suite *s = suite_create ("state");
  TCase *tc = tcase_create ("state");
  tcase_set_timeout (tc, 60);   /* under qemu (tests/cross) 4 s is short */
  int n = G_N_ELEMENTS (models);
  tcase_add_loop_test (tc, test_streams_independent, 0, n);
  tcase_add_loop_test (tc, test_layouts_agree, 0, n);
  tcase_add_loop_test (tc, test_reset_stream, 0, n);
  tcase_add_loop_test (tc, test_set_get, 0, n);
#ifdef RNN_TEST_COUNT_ALLOCS
  tcase_add_loop_test (tc, test_no_allocation_per_call, 0, n);
#endif
  tcase_add_loop_test (tc, test_snapshot_restore, 0, n);
  tcase_add_test (tc, test_snapshot_other_model);
  tcase_add_loop_test (tc, test_threads_identical, 0, 6);
  tcase_add_loop_test (tc, test_alone_or_among_many, 0, 6);
  tcase_add_test (tc, test_layout_added_while_running);
  tcase_add_loop_test (tc, test_uneven_split, 0, 3);
  tcase_add_test (tc, test_split_follows_speed);
  tcase_add_loop_test (tc, test_nan_propagates, 0, 5);
  tcase_add_test (tc, test_window_limits);
  tcase_add_test (tc, test_accessors);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (state_suite ());
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}

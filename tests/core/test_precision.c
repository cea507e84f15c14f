/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reduced precision (RnnLoadOptions.precision, metadata rnn.precision):
 *  - every PyTorch conformance fixture (float32 reference) within
 *    1e-2 in bf16 and 5e-2 in int8, outputs, h_n and c_n, run as one
 *    window, streamed one frame per call, and on two threads;
 *  - the products against an independent scalar implementation of the
 *    documented quantisation (kernels_lowp.h), odd sizes, several
 *    chunks, NaN rows;
 *  - f32 asked explicitly gives today's numbers bit for bit; the option
 *    beats the metadata; a bad metadata value is refused by name.
 * Run once per kernel set ($RNN_KERNEL, see meson.build).  Prints the
 * largest error per precision over every fixture. */
#include <check.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "rnn.h"
#include "rnn-test-util.h"
#include "kernels.h"
#include "kernels_lowp.h"

#define BF16_BOUND 1e-2
#define INT8_BOUND 5e-2

static GPtrArray *cases;

static const RnnPrecision lowp[] = { RNN_PRECISION_BF16, RNN_PRECISION_INT8 };

static double
bound (RnnPrecision p)
{
  return p == RNN_PRECISION_BF16 ? BF16_BOUND : INT8_BOUND;
}

static RnnModel *
load (const char *path, RnnPrecision p)
{
  GError *err = NULL;
  RnnLoadOptions o = {.precision = p };
  RnnModel *m = rnn_model_load (path, &o, &err);
  /* g_error, not ck_assert: print_errors() runs outside the tests */
  if (!m || rnn_model_get_precision (m) != p)
    g_error ("%s: %s", path, err ? err->message : "wrong precision");
  return m;
}

/* The largest error of the case's whole-window output, h_n and c_n in
 * precision @p (threads 1 or 2), or of one-frame-per-call streaming. */
static double
case_err (const RnnTestCase * fx, RnnPrecision p, guint threads,
    gboolean frame_by_frame)
{
  gsize n_out, n_h, n_c = 0;
  const float *want = rnn_test_case_tensor (fx, "output", &n_out);
  const float *hn_ref = rnn_test_case_tensor (fx, "h_n", &n_h);
  const float *cn_ref = rnn_test_case_tensor (fx, "c_n", &n_c);
  RnnModel *m = load (fx->model_path, p);
  RnnState *s = rnn_state_new (m, fx->B, fx->T, NULL);
  if (!s || !rnn_state_set_threads (s, threads, NULL))
    g_error ("%s: no state", fx->name);
  g_autofree float *out = g_new0 (float, n_out);
  g_autofree float *hn = g_new0 (float, n_h);
  g_autofree float *cn = g_new0 (float, MAX (n_c, 1));
  RnnRunFlags fl = fx->batch_first ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE;
  rnn_state_set (s, rnn_test_case_tensor (fx, "h0", NULL),
      rnn_test_case_tensor (fx, "c0", NULL));
  if (!frame_by_frame) {
    if (!rnn_state_process_window (s, fx->input, fx->T, fl, out, NULL))
      g_error ("%s: process_window failed", fx->name);
  } else {
    guint O = fx->O;
    g_autofree float *o1 = g_new0 (float, (gsize) fx->B * O);
    for (guint t = 0; t < fx->T; t++) {
      g_autofree float *in = rnn_test_slice (fx->input, fx->T, fx->B, fx->F,
          fx->batch_first, t, 1);
      if (!rnn_state_process (s, in, 1, fl, o1, NULL))
        g_error ("%s: process failed", fx->name);
      for (guint b = 0; b < fx->B; b++)
        memcpy (out + (fx->batch_first ? ((gsize) b * fx->T + t) * O :
                ((gsize) t * fx->B + b) * O), o1 + (gsize) b * O,
            O * sizeof (float));
    }
  }
  rnn_state_get (s, hn, cn);
  double e = rnn_test_max_err (out, want, n_out);
  e = MAX (e, rnn_test_max_err (hn, hn_ref, n_h));
  if (cn_ref)
    e = MAX (e, rnn_test_max_err (cn, cn_ref, n_c));
  rnn_state_free (s);
  rnn_model_unref (m);
  return e;
}

START_TEST (test_fixture_whole_window)
{
  const RnnTestCase *fx = g_ptr_array_index (cases, _i);
  for (guint i = 0; i < G_N_ELEMENTS (lowp); i++) {
    double e = case_err (fx, lowp[i], 1, FALSE);
    ck_assert_msg (e <= bound (lowp[i]), "%s in %s: max error %g vs PyTorch "
        "float32 (bound %g)", fx->name, rnn_precision_name (lowp[i]), e,
        bound (lowp[i]));
    /* not the float32 numbers: the weights really are reduced (except
     * bf16 weights stored in bf16) */
    if (!(lowp[i] == RNN_PRECISION_BF16 && g_str_has_suffix (fx->name,
                "_bf16")))
      ck_assert_msg (e > RNN_TEST_TOLERANCE / 10, "%s in %s: error %g",
        fx->name, rnn_precision_name (lowp[i]), e);
    /* two threads split the columns: the same numbers */
    if (!fx->bidirectional)
      ck_assert (case_err (fx, lowp[i], 2, FALSE) == e);
  }
}
END_TEST

START_TEST (test_fixture_frame_by_frame)
{
  const RnnTestCase *fx = g_ptr_array_index (cases, _i);
  if (fx->bidirectional)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (lowp); i++) {
    double e = case_err (fx, lowp[i], 1, TRUE);
    ck_assert_msg (e <= bound (lowp[i]), "%s in %s, one frame per call: "
        "max error %g (bound %g)", fx->name, rnn_precision_name (lowp[i]), e,
        bound (lowp[i]));
  }
}
END_TEST

/* f32 asked for is the default, bit for bit. */
START_TEST (test_f32_unchanged)
{
  const RnnTestCase *fx = g_ptr_array_index (cases, _i);
  RnnModel *a = rnn_model_load (fx->model_path, NULL, NULL);
  RnnModel *b = load (fx->model_path, RNN_PRECISION_F32);
  ck_assert_int_eq (rnn_model_get_precision (a), RNN_PRECISION_F32);
  gsize n_out;
  rnn_test_case_tensor (fx, "output", &n_out);
  g_autofree float *oa = g_new0 (float, n_out);
  g_autofree float *ob = g_new0 (float, n_out);
  RnnRunFlags fl = fx->batch_first ? RNN_RUN_BATCH_FIRST : RNN_RUN_NONE;
  RnnState *sa = rnn_state_new (a, fx->B, fx->T, NULL);
  RnnState *sb = rnn_state_new (b, fx->B, fx->T, NULL);
  ck_assert (rnn_state_process_window (sa, fx->input, fx->T, fl, oa, NULL));
  ck_assert (rnn_state_process_window (sb, fx->input, fx->T, fl, ob, NULL));
  ck_assert (memcmp (oa, ob, n_out * sizeof (float)) == 0);
  ck_assert_uint_eq (rnn_model_get_fingerprint (a),
      rnn_model_get_fingerprint (b));
  rnn_state_free (sa);
  rnn_state_free (sb);
  rnn_model_unref (a);
  rnn_model_unref (b);
}
END_TEST

/* Snapshots hold float32 state and the weights' fingerprint, which the
 * precision does not change: a bf16 state's snapshot restores into an int8
 * state of the same file, and carries on as that state would. */
START_TEST (test_snapshot_across_precisions)
{
  const RnnTestCase *fx = rnn_test_case_load ("lstm_l2_bias_uni_b3_tm_h0");
  RnnModel *a = load (fx->model_path, RNN_PRECISION_BF16);
  RnnModel *b = load (fx->model_path, RNN_PRECISION_INT8);
  RnnState *sa = rnn_state_new (a, fx->B, fx->T, NULL);
  RnnState *sb = rnn_state_new (b, fx->B, fx->T, NULL);
  RnnState *sc = rnn_state_new (b, fx->B, fx->T, NULL);
  guint half = fx->T / 2, O = fx->O;
  gsize n = (gsize) (fx->T - half) * fx->B * O;
  g_autofree float *o1 = g_new0 (float, (gsize) fx->T * fx->B * O);
  g_autofree float *o2 = g_new0 (float, n);
  g_autofree float *o3 = g_new0 (float, n);
  GError *err = NULL;

  ck_assert_uint_eq (rnn_model_get_fingerprint (a),
      rnn_model_get_fingerprint (b));
  ck_assert (rnn_state_process (sa, fx->input, half, RNN_RUN_NONE, o1, NULL));
  GBytes *snap = rnn_state_snapshot (sa);
  ck_assert_msg (rnn_state_restore (sb, snap, &err), "%s",
      err ? err->message : "");
  /* sc: the same h and c set directly */
  g_autofree float *h = g_new0 (float, rnn_model_get_h_size (a, fx->B));
  g_autofree float *c = g_new0 (float, rnn_model_get_c_size (a, fx->B));
  rnn_state_get (sa, h, c);
  rnn_state_set (sc, h, c);
  const float *rest = fx->input + (gsize) half * fx->B * fx->F;
  ck_assert (rnn_state_process (sb, rest, fx->T - half, RNN_RUN_NONE, o2,
          NULL));
  ck_assert (rnn_state_process (sc, rest, fx->T - half, RNN_RUN_NONE, o3,
          NULL));
  ck_assert (memcmp (o2, o3, n * sizeof (float)) == 0);
  g_bytes_unref (snap);
  rnn_state_free (sa);
  rnn_state_free (sb);
  rnn_state_free (sc);
  rnn_model_unref (a);
  rnn_model_unref (b);
  rnn_test_case_free ((RnnTestCase *) fx);
}
END_TEST

/* ---------------------------------------------------------- products */

static float
urand (guint32 * s)
{
  *s = *s * 1664525u + 1013904223u;
  return (float) (*s >> 8) / 8388608.0f - 1.0f;
}

/* The spec of kernels_lowp.h written out plainly, in double. */
static void
ref_product (RnnFormat f, const float *w, gsize M, gsize K, const float *x,
    gsize n, double *y)
{
  for (gsize r = 0; r < n; r++) {
    const float *xr = x + r * K;
    double amax = 0;
    gboolean finite = TRUE;
    for (gsize k = 0; k < K; k++) {
      finite &= isfinite (xr[k]);
      amax = MAX (amax, fabs (xr[k]));
    }
    for (gsize m = 0; m < M; m++) {
      const float *wm = w + m * K;
      double acc = 0;
      if (f == RNN_FORMAT_BF16) {
        for (gsize k = 0; k < K; k++)
          acc += (double) rnn_bf16_to_f32 (rnn_f32_to_bf16 (wm[k])) * xr[k];
      } else if (!finite) {
        acc = NAN;
      } else {
        double wmax = 0;
        for (gsize k = 0; k < K; k++)
          wmax = MAX (wmax, fabs (wm[k]));
        float ws = (float) wmax / 127.0f, xs = (float) amax / 63.0f;
        float wi = wmax > 0 ? 127.0f / (float) wmax : 0;
        float xi = amax > 0 ? 63.0f / (float) amax : 0;
        for (gsize k = 0; k < K; k++) {
          double qw = CLAMP (rintf (wm[k] * wi), -127, 127);
          double qx = CLAMP (rintf (xr[k] * xi), -63, 63);
          acc += qw * qx;
        }
        acc *= (double) ws *xs;
      }
      y[r * M + m] = acc;
    }
  }
}

static void
check_product (RnnFormat f, gsize M, gsize K, gsize n, gboolean nan_row)
{
  guint32 seed = (guint32) (M * 31 + K * 7 + n);
  g_autofree float *w = g_new (float, M * K);
  g_autofree float *x = g_new (float, n * K);
  for (gsize i = 0; i < M * K; i++)
    w[i] = urand (&seed) * 0.3f;
  for (gsize i = 0; i < n * K; i++)
    x[i] = urand (&seed) * 2.0f;
  if (nan_row)
    x[(n - 1) * K + K / 2] = NAN;
  RnnPacked p;
  const RnnKernels *k = rnn_kernels_select ();
  ck_assert (rnn_pack_lowp (w, M, K, f, k, &p));
  ck_assert (p.product == (f == RNN_FORMAT_BF16 ? k->gemm_bf16 : k->gemm_i8));
  g_autofree float *y = g_new (float, n * M);
  g_autofree double *ref = g_new (double, n * M);
  for (gsize i = 0; i < n * M; i++)
    y[i] = 1.0f;
  rnn_lowp_gemm (x, n, K, &p, y, M, TRUE);      /* y = 1 + x . W^T */
  ref_product (f, w, M, K, x, n, ref);
  for (gsize r = 0; r < n; r++) {
    for (gsize m = 0; m < M; m++) {
      double want = 1.0 + ref[r * M + m], got = y[r * M + m];
      if (nan_row && r == n - 1 && f == RNN_FORMAT_I8) {
        ck_assert_msg (isnan (got), "row with NaN gave %g", got);
        continue;
      }
      if (nan_row && r == n - 1)
        continue;
      /* float32 sums of K terms against double */
      double tol = 1e-6 * (double) K + 1e-5;
      ck_assert_msg (fabs (got - want) <= tol, "%s M %zu K %zu n %zu: "
          "y[%zu][%zu] = %.7g, reference %.7g", f == RNN_FORMAT_BF16 ?
          "bf16" : "int8", M, K, n, r, m, got, want);
    }
  }
  /* the thread split: two halves give the whole */
  g_autofree float *y2 = g_new0 (float, n * M);
  rnn_lowp_gemm (x, n, K, &p, y, M, FALSE);
  rnn_lowp_gemm_part (x, n, K, &p, y2, M, FALSE, 0, 2);
  rnn_lowp_gemm_part (x, n, K, &p, y2, M, FALSE, 1, 2);
  ck_assert (memcmp (y, y2, n * M * sizeof (float)) == 0 || nan_row);
  rnn_packed_clear (&p);
}

START_TEST (test_products)
{
  static const gsize sizes[][3] = {
    {1, 1, 1}, {5, 3, 1}, {16, 4, 2}, {37, 5, 3}, {130, 17, 5},
    {300, 64, 1}, {257, 130, 4}, {40, 4099, 2}, {20, 8200, 3},
  };
  for (guint f = RNN_FORMAT_BF16; f <= RNN_FORMAT_I8; f++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
      check_product (f, sizes[i][0], sizes[i][1], sizes[i][2], FALSE);
      check_product (f, sizes[i][0], sizes[i][1], sizes[i][2] + 1, TRUE);
    }
  ck_assert_uint_eq (rnn_f32_to_bf16 (1.0f), 0x3f80);
  ck_assert_uint_eq (rnn_f32_to_bf16 (1.00390625f), 0x3f80);     /* tie: even */
  ck_assert_uint_eq (rnn_f32_to_bf16 (1.01171875f), 0x3f82);     /* tie: even */
  ck_assert_uint_eq (rnn_f32_to_bf16 (-2.0f), 0xc000);
  ck_assert (isnan (rnn_bf16_to_f32 (rnn_f32_to_bf16 (NAN))));
}
END_TEST

/* ---------------------------------------------------------- metadata */

static gchar *
write_gru (const char *dir, const char *precision_meta)
{
  const gsize shp_w[] = { 6, 3 }, shp_h[] = { 6, 2 };
  const gsize *shapes[] = { shp_w, shp_h };
  const guint ndims[] = { 2, 2 };
  const float wi[18] = { 0.1f, -0.2f, 0.3f, 0.05f, 0.4f, -0.1f, 0.2f, 0.2f,
    -0.3f, 0.1f, 0.0f, 0.25f, -0.15f, 0.35f, 0.1f, 0.3f, -0.2f, 0.05f
  };
  const float wh[12] = { 0.3f, -0.1f, 0.2f, 0.4f, -0.25f, 0.1f, 0.15f, 0.2f,
    -0.3f, 0.05f, 0.1f, -0.4f
  };
  const float *data[] = { wi, wh };
  const gchar *names[] = { "weight_ih_l0", "weight_hh_l0", NULL };
  const gchar *meta[] = { "rnn.precision", precision_meta, NULL };
  gchar *path = g_build_filename (dir, "gru.safetensors", NULL);
  rnn_test_write_safetensors (path, names, shapes, ndims, data,
      precision_meta ? meta : NULL);
  return path;
}

START_TEST (test_metadata)
{
  g_autofree gchar *dir = g_dir_make_tmp ("rnn-precision-XXXXXX", NULL);
  GError *err = NULL;
  const char *names[] = { "f32", "bf16", "int8" };
  const RnnPrecision want[] = { RNN_PRECISION_F32, RNN_PRECISION_BF16,
    RNN_PRECISION_INT8
  };
  for (guint i = 0; i < 3; i++) {
    g_autofree gchar *path = write_gru (dir, names[i]);
    RnnModel *m = rnn_model_load (path, NULL, &err);
    ck_assert_msg (m != NULL, "%s", err ? err->message : "");
    ck_assert_int_eq (rnn_model_get_precision (m), want[i]);
    ck_assert_str_eq (rnn_precision_name (rnn_model_get_precision (m)),
        names[i]);
    rnn_model_unref (m);
    /* the load option wins over the metadata */
    m = load (path, RNN_PRECISION_F32);
    rnn_model_unref (m);
    g_unlink (path);
  }
  g_autofree gchar *bad = write_gru (dir, "fp16");
  ck_assert (rnn_model_load (bad, NULL, &err) == NULL);
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_MODEL));
  ck_assert_msg (strstr (err->message, "rnn.precision") &&
      strstr (err->message, "\"fp16\"") && strstr (err->message, "int8"),
      "%s", err->message);
  g_clear_error (&err);
  /* a nonsense option value is refused too */
  RnnLoadOptions o = {.precision = (RnnPrecision) 9 };
  ck_assert (rnn_model_load (bad, &o, &err) == NULL);
  g_clear_error (&err);
  g_unlink (bad);
  g_autofree gchar *plain = write_gru (dir, NULL);
  RnnModel *m = rnn_model_load (plain, NULL, NULL);
  ck_assert_int_eq (rnn_model_get_precision (m), RNN_PRECISION_F32);
  rnn_model_unref (m);
  g_unlink (plain);
  g_rmdir (dir);
}
END_TEST

/* The largest error per precision over every fixture, and per cell
 * family (the name's first word: rnn, rnnrelu, lstm, lstmp, gru), for the
 * log. */
static void
print_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (lowp); i++) {
    double worst = 0;
    const char *where = "";
    g_autoptr (GHashTable) fam = g_hash_table_new_full (g_str_hash,
        g_str_equal, g_free, g_free);
    for (guint c = 0; c < cases->len; c++) {
      const RnnTestCase *fx = g_ptr_array_index (cases, c);
      double e = case_err (fx, lowp[i], 1, FALSE);
      if (e > worst) {
        worst = e;
        where = fx->name;
      }
      gchar *f = g_strndup (fx->name, strcspn (fx->name, "_"));
      double *old = g_hash_table_lookup (fam, f);
      if (!old || *old < e)
        g_hash_table_insert (fam, f, g_memdup2 (&e, sizeof e));
      else
        g_free (f);
    }
    g_print ("%s: largest error over %u fixtures (output, h_n, c_n): %.3g "
        "(%s; bound %g)\n", rnn_precision_name (lowp[i]), cases->len, worst,
        where, bound (lowp[i]));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, fam);
    while (g_hash_table_iter_next (&it, &k, &v))
      g_print ("  %s %s: %.3g\n", rnn_precision_name (lowp[i]),
          (const char *) k, *(double *) v);
  }
}

int
main (void)
{
  cases = rnn_test_cases_load ();
  if (cases->len < 30)
    g_error ("expected the conformance fixtures in %s, found %u cases",
        rnn_test_fixture_dir (), cases->len);
  const char *want = g_getenv ("RNN_KERNEL");
  const char *got = rnn_kernels_select ()->name;
  if (want && *want && strcmp (want, got) != 0)
    g_error ("RNN_KERNEL=%s requested but kernel set '%s' selected", want,
        got);
  g_print ("kernels %s\n", got);
  print_errors ();
  Suite *s = suite_create ("precision");
  TCase *tc = tcase_create ("precision");
  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_fixture_whole_window, 0, (int) cases->len);
  tcase_add_loop_test (tc, test_fixture_frame_by_frame, 0, (int) cases->len);
  tcase_add_loop_test (tc, test_f32_unchanged, 0, (int) cases->len);
  tcase_add_test (tc, test_products);
  tcase_add_test (tc, test_snapshot_across_precisions);
  tcase_add_test (tc, test_metadata);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_ptr_array_unref (cases);
  return failed ? 1 : 0;
}

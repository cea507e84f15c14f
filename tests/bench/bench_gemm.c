/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The matrix products of a recurrent step: this core's kernel against
 * OpenBLAS's SGEMM on the same shapes, one thread.
 *
 *   bench_gemm [--reps N] [--target-ms X] [SHAPE...]
 *
 * A SHAPE is NAME:n:K:M, the product y (n, M) = x (n, K) . W^T with W
 * (M, K) as PyTorch stores it: n rows (streams, or frames x streams), K
 * inputs, M outputs (G*H).  Without shapes, the products of the batched
 * benchmark rows are timed.  Prints one JSON line per shape and library:
 *   {"type": "gemm", "name": ..., "lib": "core"|"openblas", "n": .., "K": ..,
 *    "M": .., "us": median us per product, "gflops": ..}
 * plus {"type": "gemm_info", "openblas_core": ..., "kernels": ...}.
 *
 * Both add to y (y += x . W^T, SGEMM's beta = 1), as a step's products
 * add to the gates.  The core's weights are packed once (as at model load),
 * with the slice layout for many rows (as a state of 8 or more streams
 * has it; BENCH_NO_SLICES=1 times without), and OpenBLAS gets
 * the row-major matrix as it is (cblas_sgemm with W transposed), which is
 * how a caller of SGEMM would use it; 0.3.21 has no pre-packed API.  The
 * two results are compared (max abs difference printed).
 *
 *   bench_gemm --step NAME:MODEL:B [--reps N]
 *
 * A one-layer model's step of B streams against its two products alone,
 * in the same process, alternating: rnn_state_process() over 160 frames,
 * then the same 160 steps of only the input projection (B x F) and the
 * recurrent product (B x H) over the model's own packed weights, into
 * buffers of a step's size; N times each.  Prints
 *   {"type": "step_products", "name": .., "step_us": .., "products_us": ..,
 *    "ratio": median of the per-round step / products}
 * (us per step, medians): what the gate math, bias and copies add to the
 * products, each ratio from two timings a fraction of a second apart
 * (the medians of the two columns can come from different rounds).  The
 * products are the step's: the input projection writes the gates (the
 * cells add the bias); the recurrent product adds to them (RNN, LSTM) or,
 * for a GRU, writes its own buffer. */
#include "kernels.h"
#include "rnn.h"
#include "rnn-private.h"
#include "bench_common.h"

#include <math.h>

#ifdef BENCH_HAVE_OPENBLAS
#include <cblas.h>
extern char *openblas_get_corename (void);
#endif

typedef struct {
  char name[64];
  int n, K, M;
} Shape;

/* The products of bench.py's batched rows (160 frames per call): for each
 * row the recurrent product of one step (B rows, K = H) and the input
 * projection of one step (B rows, K = F), the two products of a batched
 * step; and the batch-1 recurrent product and input projection of a
 * whole call (160 rows, K = F). */
static const Shape defaults[] = {
  {"lstm_h256_b1_rec", 1, 256, 1024},
  {"lstm_h256_b1_in_call", 160, 64, 1024},
  {"lstm_h256_b16_rec", 16, 256, 1024},
  {"lstm_h256_b16_in", 16, 64, 1024},
  {"lstm_h256_b64_rec", 64, 256, 1024},
  {"lstm_h256_b64_in", 64, 64, 1024},
  {"lstm_h256_b256_rec", 256, 256, 1024},
  {"lstm_h256_b256_in", 256, 64, 1024},
  {"gru_h256_b16_rec", 16, 256, 768},
  {"gru_h256_b16_in", 16, 64, 768},
  {"gru_h256_b64_rec", 64, 256, 768},
  {"gru_h256_b64_in", 64, 64, 768},
  {"gru_h256_b256_rec", 256, 256, 768},
  {"gru_h256_b256_in", 256, 64, 768},
  {"lstm_h1024_b16_rec", 16, 1024, 4096},
  {"lstm_h1024_b16_in", 16, 256, 4096},
  {"lstm_h1024_b64_rec", 64, 1024, 4096},
  {"lstm_h1024_b64_in", 64, 256, 4096},
  {"gru_h1024_b16_rec", 16, 1024, 3072},
  {"gru_h1024_b16_in", 16, 256, 3072},
  {"gru_h1024_b64_rec", 64, 1024, 3072},
  {"gru_h1024_b64_in", 64, 256, 3072},
};

typedef struct {
  const Shape *s;
  const float *x, *w;
  float *y;
  const RnnPacked *packed;
  const RnnKernels *k;
} Ctx;

static void
run_core (const Ctx * c)
{
  c->k->gemm (c->x, c->s->n, c->s->K, c->packed, c->y, c->s->M, TRUE);
}

#ifdef BENCH_HAVE_OPENBLAS
static void
run_blas (const Ctx * c)
{
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, c->s->n, c->s->M,
      c->s->K, 1.0f, c->x, c->s->K, c->w, c->s->K, 1.0f, c->y, c->s->M);
}
#endif

/* Median us per product over @reps repetitions of about @target_ms. */
static double
time_it (void (*fn) (const Ctx *), const Ctx * c, int reps, double target_ms)
{
  int iters = 1;
  for (;;) {
    double t0 = bench_now ();
    for (int i = 0; i < iters; i++)
      fn (c);
    double dt = bench_now () - t0;
    if (dt * 1e3 > target_ms || iters > (1 << 24))
      break;
    iters *= 2;
  }
  double v[64];
  reps = reps > 64 ? 64 : reps;
  for (int r = 0; r < reps; r++) {
    double t0 = bench_now ();
    for (int i = 0; i < iters; i++)
      fn (c);
    v[r] = (bench_now () - t0) / iters * 1e6;
  }
  return bench_median (v, reps);
}

static void
report (const Shape * s, const char *lib, double us, double diff)
{
  double flops = 2.0 * s->n * s->K * s->M;
  printf ("{\"type\": \"gemm\", \"name\": \"%s\", \"lib\": \"%s\", \"n\": %d, "
      "\"K\": %d, \"M\": %d, \"us\": %.3f, \"gflops\": %.2f, "
      "\"max_diff\": %.3g}\n", s->name, lib, s->n, s->K, s->M, us,
      flops / us * 1e-3, diff);
  fflush (stdout);
}

/* One shape: both libraries timed, their results compared; 1 on an
 * error. */
static int
bench_shape (const Shape * s, int i, const RnnKernels * k, int reps,
    double target_ms)
{
  size_t nx = (size_t) s->n * s->K, nw = (size_t) s->M * s->K;
  size_t ny = (size_t) s->n * s->M;
  float *x = bench_alloc (nx * 4), *w = bench_alloc (nw * 4);
  float *y = bench_alloc (ny * 4), *y2 = bench_alloc (ny * 4);
  unsigned seed = 12345u + (unsigned) i;
  for (size_t j = 0; j < nx; j++)
    x[j] = (float) ((seed = seed * 1103515245u + 12345u) >> 8) / 16777216.0f
        - 0.5f;
  for (size_t j = 0; j < nw; j++)
    w[j] = (float) ((seed = seed * 1103515245u + 12345u) >> 8) / 16777216.0f
        - 0.5f;
  RnnPacked packed;
  gboolean packed_ok = rnn_pack (w, (gsize) s->M, (gsize) s->K, &packed);
  if (!packed_ok || (!getenv ("BENCH_NO_SLICES") && s->n > 1
          && !rnn_pack_slices (&packed, k->slice_panels))) {
    fprintf (stderr, "cannot pack %s%s\n", s->name, packed_ok ? " in slices" : "");
    if (packed_ok)
      rnn_packed_clear (&packed);
    free (x);
    free (w);
    free (y);
    free (y2);
    return 1;
  }
  Ctx c = { s, x, w, y, &packed, k };
#ifdef BENCH_HAVE_OPENBLAS
  Ctx b = c;
  b.y = y2;
  memset (y, 0, ny * 4);        /* one product each from zero, compared */
  memset (y2, 0, ny * 4);
  run_core (&c);
  run_blas (&b);
  double diff = 0;
  for (size_t j = 0; j < ny; j++)
    diff = fmax (diff, fabs ((double) y[j] - (double) y2[j]));
#endif
  double us = time_it (run_core, &c, reps, target_ms);
  report (s, "core", us, 0.0);
#ifdef BENCH_HAVE_OPENBLAS
  double ub = time_it (run_blas, &b, reps, target_ms);
  report (s, "openblas", ub, diff);
#endif
  rnn_packed_clear (&packed);
  free (x);
  free (w);
  free (y);
  free (y2);
  return 0;
}

#define STEP_T 160

/* --step NAME:MODEL:B (see the top); returns 0, or 1 on an error. */
static int
step_products (const char *spec, int reps)
{
  char name[64], path[1024];
  int B;
  if (sscanf (spec, "%63[^:]:%1023[^:]:%d", name, path, &B) != 3 || B < 1) {
    fprintf (stderr, "--step wants NAME:MODEL:B, not %s\n", spec);
    return 1;
  }
  GError *err = NULL;
  RnnModel *m = rnn_model_load (path, NULL, &err);
  RnnState *st = m ? rnn_state_new (m, (guint) B, STEP_T, &err) : NULL;
  if (!st || m->num_layers != 1 || m->num_dirs != 1
      || m->ld[0].w_ih.format != RNN_FORMAT_F32) {
    if (err)
      fprintf (stderr, "%s\n", err->message);
    else
      fprintf (stderr, "%s: --step takes a one-layer, one-direction float32 "
          "model\n", path);
    g_clear_error (&err);
    if (st)
      rnn_state_free (st);
    if (m)
      rnn_model_unref (m);
    return 1;
  }
  const RnnLayerDir *ld = &m->ld[0];
  const gsize F = ld->w_ih.cols, H = ld->w_hh.cols, GH = ld->w_hh.rows;
  const gsize O = rnn_model_get_rnn_output_size (m);
  float *in = bench_alloc ((size_t) STEP_T * B * F * 4);
  float *out = bench_alloc ((size_t) STEP_T * B * O * 4);
  float *h = bench_alloc ((size_t) B * H * 4), *gx = bench_alloc ((size_t) B * GH * 4);
  float *gh = bench_alloc ((size_t) B * GH * 4);
  const gboolean gru = m->cell == RNN_CELL_GRU;
  unsigned seed = 777u;
  for (size_t j = 0; j < (size_t) STEP_T * B * F; j++)
    in[j] = (float) ((seed = seed * 1103515245u + 12345u) >> 8) / 8388608.0f
        - 1.0f;
  for (size_t j = 0; j < (size_t) B * H; j++)
    h[j] = 0.01f * (float) (j % 97);
  memset (gx, 0, (size_t) B * GH * 4);
  memset (gh, 0, (size_t) B * GH * 4);
  const RnnKernels *k = m->k;
  double ts[64], tp[64], tr[64];
  reps = CLAMP (reps, 1, 64);
  gboolean ok = rnn_state_process (st, in, STEP_T, RNN_RUN_NONE, out, &err);
  for (int r = 0; ok && r < reps; r++) {  /* the first call above: warm-up */
    double t0 = bench_now ();
    ok = rnn_state_process (st, in, STEP_T, RNN_RUN_NONE, out, &err);
    ts[r] = (bench_now () - t0) * 1e6 / STEP_T;
    t0 = bench_now ();
    for (int t = 0; t < STEP_T; t++) {
      k->gemm (in + (size_t) t * B * F, (gsize) B, F, &ld->w_ih, gx, GH, FALSE);
      k->gemm (h, (gsize) B, H, &ld->w_hh, gru ? gh : gx, GH, !gru);
    }
    tp[r] = (bench_now () - t0) * 1e6 / STEP_T;
    tr[r] = ts[r] / tp[r];
  }
  if (ok)
    printf ("{\"type\": \"step_products\", \"name\": \"%s\", \"B\": %d, "
        "\"step_us\": %.3f, \"products_us\": %.3f, \"ratio\": %.4f}\n",
        name, B, bench_median (ts, reps), bench_median (tp, reps),
        bench_median (tr, reps));
  else
    fprintf (stderr, "%s\n", err->message);
  fflush (stdout);
  g_clear_error (&err);
  free (in);
  free (out);
  free (h);
  free (gx);
  free (gh);
  rnn_state_free (st);
  rnn_model_unref (m);
  return ok ? 0 : 1;
}

int
main (int argc, char **argv)
{
  int reps = 7;
  double target_ms = 20.0;
  Shape shapes[64];
  int ns = 0;
  const char *steps[64];
  int nsteps = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--reps") == 0 && i + 1 < argc)
      reps = atoi (argv[++i]);
    else if (strcmp (argv[i], "--step") == 0 && i + 1 < argc && nsteps < 64)
      steps[nsteps++] = argv[++i];
    else if (strcmp (argv[i], "--target-ms") == 0 && i + 1 < argc)
      target_ms = atof (argv[++i]);
    else if (ns < 64 && sscanf (argv[i], "%63[^:]:%d:%d:%d", shapes[ns].name,
            &shapes[ns].n, &shapes[ns].K, &shapes[ns].M) == 4)
      ns++;
    else {
      fprintf (stderr, "usage: %s [--reps N] [--target-ms X] [NAME:n:K:M...]\n"
          "       %s --step NAME:MODEL:B [--step ...] [--reps N]\n", argv[0],
          argv[0]);
      return 2;
    }
  }
  if (nsteps) {
    for (int i = 0; i < nsteps; i++)
      if (step_products (steps[i], reps))
        return 1;
    return 0;
  }
  if (ns == 0) {
    ns = (int) (sizeof defaults / sizeof defaults[0]);
    memcpy (shapes, defaults, sizeof defaults);
  }
  const RnnKernels *k = rnn_kernels_select ();
  printf ("{\"type\": \"gemm_info\", \"kernels\": \"%s\", \"openblas_core\": ",
      k->name);
#ifdef BENCH_HAVE_OPENBLAS
  bench_print_json_string (openblas_get_corename ());
#else
  bench_print_json_string (NULL);
#endif
  printf ("}\n");

  for (int i = 0; i < ns; i++)
    if (bench_shape (&shapes[i], i, k, reps, target_ms))
      return 1;
  return 0;
}

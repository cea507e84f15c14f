/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark of the gst-rnn core (core/rnn.h) and of this machine's floors.
 *
 *   bench_core --plan FILE --input FILE [options]   time every configuration
 *   bench_core --info                               print the environment only
 *
 * Prints JSON lines on stdout (see bench_common.h for the protocol):
 *   {"type": "info", ...}    OpenBLAS core name and threads, CPU, kernels
 *   {"type": "peak", ...}    single-thread FMA peak (AVX-512 and AVX2)
 *   {"type": "two_cores", ...}  (--two-cores) FMA rate of one thread and
 *                            of two threads at once, and their ratio
 *   {"type": "floor", ...}   per configuration: bytes and flops per step,
 *                            the cache bandwidth measured on a buffer of
 *                            that size, and the resulting floor in us/step
 *   {"type": "result", ...}  per configuration: us per time step
 *   {"type": "memory", ...}  VmRSS / VmHWM
 *
 * The floor of a configuration (cell with G gates, L layers, input F,
 * hidden H, batch B, n frames per call) is max(mem_us, compute_us):
 *   weights read every step  rec = L*G*H*H floats (recurrent),
 *                            inp = G*H*F + (L-1)*G*H*H floats (input),
 *                            read once per call, so inp/n per step;
 *   bytes_per_step = 4*(rec + inp/n)
 *   mem_us = bytes_per_step / bandwidth, the bandwidth measured by summing a
 *            buffer of 4*rec bytes (4*(rec+inp) when n == 1) over and over
 *            with vector loads: the cache level those weights live in;
 *   compute_us = 2*B*(rec + inp) flops / the FMA peak of one core.
 */
#ifdef __linux__
#define _GNU_SOURCE             /* sched_setaffinity (RNN_BENCH_PIN) */
#include <sched.h>
#endif
#include "rnn.h"
#include "bench_common.h"

#include <math.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BENCH_X86 1
#else
#define BENCH_X86 0
#endif

/* OpenBLAS extensions (declared here: cblas.h is not needed otherwise).
 * Without OpenBLAS (optional in meson) the info line says "" and 0. */
#ifdef BENCH_HAVE_OPENBLAS
extern char *openblas_get_corename (void);
extern int openblas_get_num_threads (void);
extern char *openblas_get_config (void);
#else
#define openblas_get_corename() ((char *) NULL)
#define openblas_get_num_threads() 0
#define openblas_get_config() ((char *) NULL)
#endif

#define CONTENDER contender

/* --precision P: weights in f32, bf16 or int8 (the load option); results
 * are reported as contender "core-P" and the floors use P's weight bytes. */
static const char *contender = "core";
static double weight_bytes = 4;
static RnnPrecision precision = RNN_PRECISION_AUTO;
static char contender_buf[32];

static volatile float sink;

/* ------------------------------------------------------------ bandwidth */

static float
sum_c (const float *p, size_t n)
{
  float a[8] = { 0 };
  for (size_t i = 0; i < n; i += 8)
    for (int k = 0; k < 8; k++)
      a[k] += p[i + k];
  return a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7];
}

#if BENCH_X86
/* n is a multiple of 128 floats, p 64-byte aligned. */
__attribute__((target ("avx512f")))
static float
sum_avx512 (const float *p, size_t n)
{
  __m512 a0 = _mm512_setzero_ps (), a1 = a0, a2 = a0, a3 = a0, a4 = a0,
      a5 = a0, a6 = a0, a7 = a0;
  for (size_t i = 0; i < n; i += 128) {
    a0 = _mm512_add_ps (a0, _mm512_load_ps (p + i));
    a1 = _mm512_add_ps (a1, _mm512_load_ps (p + i + 16));
    a2 = _mm512_add_ps (a2, _mm512_load_ps (p + i + 32));
    a3 = _mm512_add_ps (a3, _mm512_load_ps (p + i + 48));
    a4 = _mm512_add_ps (a4, _mm512_load_ps (p + i + 64));
    a5 = _mm512_add_ps (a5, _mm512_load_ps (p + i + 80));
    a6 = _mm512_add_ps (a6, _mm512_load_ps (p + i + 96));
    a7 = _mm512_add_ps (a7, _mm512_load_ps (p + i + 112));
  }
  a0 = _mm512_add_ps (_mm512_add_ps (a0, a1), _mm512_add_ps (a2, a3));
  a4 = _mm512_add_ps (_mm512_add_ps (a4, a5), _mm512_add_ps (a6, a7));
  return _mm512_reduce_add_ps (_mm512_add_ps (a0, a4));
}

__attribute__((target ("avx2")))
static float
sum_avx2 (const float *p, size_t n)
{
  __m256 a0 = _mm256_setzero_ps (), a1 = a0, a2 = a0, a3 = a0, a4 = a0,
      a5 = a0, a6 = a0, a7 = a0;
  for (size_t i = 0; i < n; i += 64) {
    a0 = _mm256_add_ps (a0, _mm256_load_ps (p + i));
    a1 = _mm256_add_ps (a1, _mm256_load_ps (p + i + 8));
    a2 = _mm256_add_ps (a2, _mm256_load_ps (p + i + 16));
    a3 = _mm256_add_ps (a3, _mm256_load_ps (p + i + 24));
    a4 = _mm256_add_ps (a4, _mm256_load_ps (p + i + 32));
    a5 = _mm256_add_ps (a5, _mm256_load_ps (p + i + 40));
    a6 = _mm256_add_ps (a6, _mm256_load_ps (p + i + 48));
    a7 = _mm256_add_ps (a7, _mm256_load_ps (p + i + 56));
  }
  a0 = _mm256_add_ps (_mm256_add_ps (a0, a1), _mm256_add_ps (a2, a3));
  a4 = _mm256_add_ps (_mm256_add_ps (a4, a5), _mm256_add_ps (a6, a7));
  a0 = _mm256_add_ps (a0, a4);
  float t[8];
  _mm256_storeu_ps (t, a0);
  return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#endif

typedef float (*SumFn) (const float *p, size_t n);

static SumFn
pick_sum (const char **name)
{
#if BENCH_X86
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f")) {
    *name = "avx512";
    return sum_avx512;
  }
  if (__builtin_cpu_supports ("avx2")) {
    *name = "avx2";
    return sum_avx2;
  }
#endif
  *name = "c";
  return sum_c;
}

/* Best read bandwidth in bytes/s over a buffer of @bytes (rounded up to
 * 512), re-read from cache; memoised per size. */
static double
measure_bandwidth (size_t bytes)
{
  static size_t cache_size[64];
  static double cache_bw[64];
  static int cached;
  bytes = (bytes + 511) & ~(size_t) 511;
  for (int i = 0; i < cached; i++)
    if (cache_size[i] == bytes)
      return cache_bw[i];

  const char *name;
  SumFn sum = pick_sum (&name);
  size_t n = bytes / sizeof (float);
  float *buf = (float *) bench_alloc (bytes);
  for (size_t i = 0; i < n; i++)
    buf[i] = (float) (i % 7) * 1e-3f;
  /* ~0.5 GB read per trial (~5-10 ms from L2); the best of 15 trials, so
   * that one quiet moment of a busy machine is enough */
  size_t passes = (size_t) (0.5e9 / (double) bytes) + 1;
  double best = 0;
  float acc = 0;
  for (int trial = 0; trial < 16; trial++) {
    double t0 = bench_now ();
    for (size_t p = 0; p < passes; p++)
      acc += sum (buf, n);
    double dt = bench_now () - t0;
    double bw = (double) bytes * (double) passes / dt;
    if (trial > 0 && bw > best)   /* trial 0 is the warm-up */
      best = bw;
  }
  sink = acc;
  free (buf);
  if (cached < 64) {
    cache_size[cached] = bytes;
    cache_bw[cached++] = best;
  }
  return best;
}

/* RNN_BENCH_PIN (with RNN_BENCH_THREADS): this thread on CPU 0 and the
 * core's workers ("rnn-worker") on CPUs 1, 2, ..., so that a load put on
 * CPU 1 from outside (`taskset -c 1 sh -c 'while :; do :; done'`) makes
 * one worker steadily slower, as a busy SMT sibling or a little core
 * would.  Linux only; elsewhere nothing. */
static void
pin_threads (void)
{
#ifdef __linux__
  GDir *d = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  int next = 1;
  cpu_set_t set;
  CPU_ZERO (&set);
  CPU_SET (0, &set);
  sched_setaffinity (0, sizeof set, &set);
  while (d && (tid = g_dir_read_name (d))) {
    char *path = g_strdup_printf ("/proc/self/task/%s/comm", tid), *comm = NULL;
    if (g_file_get_contents (path, &comm, NULL, NULL) &&
        g_str_has_prefix (comm, "rnn-worker")) {
      CPU_ZERO (&set);
      CPU_SET (next++ % CPU_SETSIZE, &set);
      sched_setaffinity ((pid_t) atoi (tid), sizeof set, &set);
    }
    g_free (comm);
    g_free (path);
  }
  if (d)
    g_dir_close (d);
#endif
}

#include "bench_peak.h"     /* peak_avx512, peak_avx2, peak_c, best_peak */

/* The same loop on two threads at once (the OS puts them on two CPUs):
 * what the machine's second core adds to pure arithmetic, in flops/s
 * summed over both, best of five trials of @iters. */
typedef struct {
  PeakFn fn;
  long iters;
  double flops;
} PeakJob;

static gpointer
peak_thread (gpointer data)
{
  PeakJob *j = data;
  j->flops = j->fn (j->iters);
  return NULL;
}

static double
best_peak_two (PeakFn fn, double one)
{
  /* iterations for 20-40 ms at the one-thread rate */
  long iters = (long) (one * 0.04 / (12 * 16 * 2)) + 1;
  double r = 0;
  for (int t = 0; t < 5; t++) {
    PeakJob other = { fn, iters, 0 };
    GThread *th = g_thread_try_new ("peak", peak_thread, &other, NULL);
    double mine = fn (iters);
    if (!th)
      return 0;
    g_thread_join (th);
    if (mine + other.flops > r)
      r = mine + other.flops;
  }
  return r;
}

static double peak_flops;       /* best of the ISAs below */

static void
measure_peak (void)
{
  double p512 = 0, p2 = 0, pc;
#if BENCH_X86
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    p512 = best_peak (peak_avx512);
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    p2 = best_peak (peak_avx2);
#endif
  pc = p512 || p2 ? 0 : best_peak (peak_c);
  peak_flops = p512 > p2 ? p512 : p2;
  if (peak_flops < pc)
    peak_flops = pc;
  printf ("{\"type\": \"peak\", \"avx512_gflops\": %.2f, "
      "\"avx2_gflops\": %.2f, \"c_gflops\": %.2f, \"peak_gflops\": %.2f}\n",
      p512 * 1e-9, p2 * 1e-9, pc * 1e-9, peak_flops * 1e-9);
  fflush (stdout);
}

/* --two-cores: the best ISA's loop on one thread, then on two at once. */
static void
measure_two_cores (void)
{
  PeakFn fn = peak_c;
#if BENCH_X86
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    fn = peak_avx512;
  else if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    fn = peak_avx2;
#endif
  double one = best_peak (fn);
  double two = g_get_num_processors () >= 2 ? best_peak_two (fn, one) : 0;
  printf ("{\"type\": \"two_cores\", \"one_gflops\": %.2f, "
      "\"two_gflops\": %.2f, \"scaling\": %.3f}\n", one * 1e-9,
      two * 1e-9, one > 0 ? two / one : 0);
  fflush (stdout);
}

/* ------------------------------------------------------------------ floors */

static int
cell_gates (const char *cell)
{
  if (strcmp (cell, "lstm") == 0)
    return 4;
  if (strcmp (cell, "gru") == 0)
    return 3;
  return 1;
}

static void
print_floor (const BenchConfig * c)
{
  double G = cell_gates (c->cell), H = c->H, F = c->F, L = c->layers;
  double rec = L * G * H * H;
  double inp = G * H * F + (L - 1) * G * H * H;
  double bytes = weight_bytes * (rec + inp / c->n);
  size_t buffer = (size_t) (weight_bytes * (rec + (c->n == 1 ? inp : 0)));
  double bw = measure_bandwidth (buffer);
  double flops = 2.0 * c->B * (rec + inp);
  double mem_us = bytes / bw * 1e6;
  double compute_us = flops / peak_flops * 1e6;
  printf ("{\"type\": \"floor\", \"contender\": \"%s\", "
      "\"name\": \"%s\", \"bytes_per_step\": %.0f, "
      "\"buffer_bytes\": %zu, \"bw_gbs\": %.2f, \"flops_per_step\": %.0f, "
      "\"peak_gflops\": %.2f, \"mem_us\": %.4f, \"compute_us\": %.4f, "
      "\"floor_us\": %.4f}\n", contender, c->name, bytes, buffer, bw * 1e-9, flops,
      peak_flops * 1e-9, mem_us, compute_us,
      mem_us > compute_us ? mem_us : compute_us);
  fflush (stdout);
}

/* ------------------------------------------------------------------- core */

typedef struct {
  RnnState *state;
  gsize n;
} CoreCtx;

static void
core_call (void *p, const float *in, float *out)
{
  CoreCtx *x = (CoreCtx *) p;
  GError *err = NULL;
  if (!rnn_state_process (x->state, in, x->n, RNN_RUN_NONE, out, &err)) {
    fprintf (stderr, "core: %s\n", err->message);
    exit (1);
  }
}

static void
core_reset (void *p)
{
  rnn_state_reset (((CoreCtx *) p)->state);
}

static void
print_info (void)
{
  char cpu[256];
  bench_cpu_model (cpu, sizeof cpu);
  const char *sum_name;
  pick_sum (&sum_name);
  printf ("{\"type\": \"info\", \"contender\": \"%s\", "
      "\"openblas_core\": ", CONTENDER);
  bench_print_json_string (openblas_get_corename ());
  printf (", \"openblas_threads\": %d, \"openblas_config\": ",
      openblas_get_num_threads ());
  bench_print_json_string (openblas_get_config ());
  printf (", \"cpu\": ");
  bench_print_json_string (cpu);
  printf (", \"vector_isa\": \"%s\", \"kernel_set\": \"%s\", "
      "\"rnn_kernel_env\": ", sum_name, rnn_model_get_kernel_set (NULL));
  bench_print_json_string (getenv ("RNN_KERNEL"));
  printf ("}\n");
  fflush (stdout);
}

static void
print_memory (const char *name)
{
  long rss, hwm;
  bench_memory_kb (&rss, &hwm);
  printf ("{\"type\": \"memory\", \"contender\": \"%s\", "
      "\"name\": \"%s\", \"rss_kb\": %ld, \"hwm_kb\": %ld}\n", CONTENDER, name,
      rss, hwm);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  BenchOptions o;
  bench_options_init (&o);
  int info_only = 0, floors = 1, bw_sweep = 0, two_cores = 0;
  for (int i = 1; i < argc; i++) {
    int r = bench_parse_option (&o, argc, argv, &i);
    if (r < 0) {
      fprintf (stderr, "%s needs a value\n", argv[i]);
      return 2;
    } else if (r > 0) {
      continue;
    } else if (strcmp (argv[i], "--info") == 0) {
      info_only = 1;
    } else if (strcmp (argv[i], "--no-floors") == 0) {
      floors = 0;
    } else if (strcmp (argv[i], "--bw-sweep") == 0) {
      bw_sweep = 1;
    } else if (strcmp (argv[i], "--two-cores") == 0) {
      two_cores = 1;
    } else if (strcmp (argv[i], "--precision") == 0 && i + 1 < argc &&
        rnn_precision_from_name (argv[i + 1], &precision) &&
        precision != RNN_PRECISION_AUTO) {
      i++;
      snprintf (contender_buf, sizeof contender_buf, "core-%s",
          rnn_precision_name (precision));
      contender = contender_buf;
      weight_bytes = precision == RNN_PRECISION_BF16 ? 2 :
          precision == RNN_PRECISION_INT8 ? 1 : 4;
    } else {
      fprintf (stderr, "usage: %s --plan FILE --input FILE [options]\n"
          "       %s --info\n" BENCH_COMMON_USAGE
          "  --no-floors          skip the bandwidth and FMA measurements\n"
          "  --bw-sweep           print the read bandwidth for buffers of 4 kB\n"
          "                       to 64 MB (the cache hierarchy) and exit\n"
          "  --two-cores          print the FMA rate of one thread and of two\n"
          "                       at once (what a second core adds) and exit\n"
          "  --precision P        weights in f32, bf16 or int8 (contender\n"
          "                       core-P, floors with P's weight bytes)\n",
          argv[0], argv[0]);
      return 2;
    }
  }
  print_info ();
  if (info_only)
    return 0;
  if (two_cores) {
    measure_two_cores ();
    return 0;
  }
  if (bw_sweep) {
    measure_peak ();
    for (size_t kb = 4; kb <= 64 * 1024; kb *= 2) {
      printf ("{\"type\": \"bandwidth\", \"kb\": %zu, \"gbs\": %.1f}\n",
          kb, measure_bandwidth (kb * 1024) * 1e-9);
      fflush (stdout);
    }
    return 0;
  }
  if (!o.plan || !o.input) {
    fprintf (stderr, "--plan and --input are required\n");
    return 2;
  }

  static BenchConfig cfg[BENCH_MAX_CONFIGS];
  int nc = bench_read_plan (o.plan, cfg, BENCH_MAX_CONFIGS);
  if (nc < 0)
    return 1;
  size_t n_in;
  float *input = bench_read_input (o.input, &n_in);
  if (!input)
    return 1;

  if (floors) {
    measure_peak ();
    for (int i = 0; i < nc; i++)
      if (!o.only || strstr (cfg[i].name, o.only))
        print_floor (&cfg[i]);
  }

  RnnModel *model = NULL;
  char model_path[1024] = "";
  for (int i = 0; i < nc; i++) {
    const BenchConfig *c = &cfg[i];
    if (o.only && !strstr (c->name, o.only))
      continue;
    GError *err = NULL;
    if (strcmp (model_path, c->model) != 0) {
      if (model)
        rnn_model_unref (model);
      RnnLoadOptions lo = {.precision = precision };
      model = rnn_model_load (c->model, &lo, &err);
      snprintf (model_path, sizeof model_path, "%s", model ? c->model : "");
      if (!model) {
        bench_print_error (CONTENDER, c, err->message);
        g_clear_error (&err);
        continue;
      }
    }
    if ((int) rnn_model_get_input_size (model) != c->F
        || (int) rnn_model_get_hidden_size (model) != c->H
        || (int) rnn_model_get_num_layers (model) != c->layers
        || strcmp (rnn_cell_name (rnn_model_get_cell (model)), c->cell)) {
      bench_print_error (CONTENDER, c, "model does not match the plan line");
      continue;
    }
    CoreCtx x;
    x.n = (gsize) c->n;
    x.state = rnn_state_new (model, (guint) c->B, (guint) c->n, &err);
    /* RNN_BENCH_THREADS=2: the products of one stream on two threads
     * (rnn_state_set_threads); results are reported as contender "core"
     * still, the driver tells the runs apart. */
    const char *nt = getenv ("RNN_BENCH_THREADS");
    if (x.state && nt && atoi (nt) > 1 &&
        !rnn_state_set_threads (x.state, (guint) atoi (nt), &err)) {
      rnn_state_free (x.state);
      x.state = NULL;
    }
    if (x.state && nt && getenv ("RNN_BENCH_PIN"))
      pin_threads ();
    if (!x.state) {
      bench_print_error (CONTENDER, c, err->message);
      g_clear_error (&err);
      continue;
    }
    int O = (int) rnn_model_get_output_size (model);
    float *out = (float *) bench_alloc ((size_t) c->n * c->B * O *
        sizeof (float));
    BenchResult r;
    if (bench_measure (&o, c, CONTENDER, input, n_in, O, core_call,
            core_reset, &x, out, &r) == 0)
      bench_print_result (CONTENDER, "stream", c, &r);
    else
      bench_print_error (CONTENDER, c, "input too short");
    print_memory (c->name);
    free (out);
    rnn_state_free (x.state);
  }
  if (model)
    rnn_model_unref (model);
  free (input);
  print_memory ("end");
  return 0;
}

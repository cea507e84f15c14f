/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the benchmark contenders written in C and C++ (bench_core.c,
 * bench_dnnl.cpp, bench_element.c): the plan file, the input file, the
 * timing protocol and the JSON lines they print.  Header-only, valid C and
 * C++.  bench_torch.py implements the same protocol in Python.
 *
 * Plan file: one configuration a line, '#' starts a comment:
 *
 *   name cell layers F H B n model_path
 *
 * cell is rnn_tanh, lstm or gru; n is the frames per call.  The input file
 * is a flat array of little-endian float32; a configuration with batch B
 * reads its first T*B*F floats as a (T, B, F) tensor.
 *
 * Protocol, per configuration (the same for every contender):
 *   1. verification: from the zero state, run the first V frames in calls of
 *      n frames and (with --dump DIR) write the outputs of streams 0 and B-1
 *      (only 0 when B == 1) as (V, streams, O) float32 to
 *      DIR/<contender>-<name>.f32;
 *   2. calibration: time one unit (160 frames) to estimate the step time,
 *      choose the steps per repetition (a multiple of the unit) so one
 *      repetition takes about --target-ms, at least --min-steps and at most
 *      --max-steps (and what the input holds);
 *   3. one warm-up repetition, then --reps timed repetitions, each running
 *      frames [0, steps) of the input in calls of n frames with the state
 *      carried over from call to call (and from repetition to repetition);
 *   4. report the median (and min) of the repetitions in us per time step
 *      (one time step = one frame of all B streams).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_UNIT 160          /* frames: lcm of the frames-per-call values */
#define BENCH_MAX_CONFIGS 256

typedef struct {
  char name[96];
  char cell[16];
  int layers, F, H, B, n;
  char model[1024];
} BenchConfig;

typedef struct {
  const char *plan;
  const char *input;
  const char *dump;             /* directory or NULL */
  const char *only;             /* run only configs whose name contains it */
  int reps;
  double target_ms;
  int min_steps;
  int max_steps;
  int verify_frames;
} BenchOptions;

typedef struct {
  double median_us;             /* per time step */
  double min_us;
  int steps;                    /* per repetition */
  int reps;
} BenchResult;

static inline void
bench_options_init (BenchOptions * o)
{
  memset (o, 0, sizeof *o);
  o->reps = 7;
  o->target_ms = 60.0;
  o->min_steps = 320;
  o->max_steps = 3200;
  o->verify_frames = 320;
}

/* Parses the common options; returns 1 if argv[*i] was one of them (and
 * advances *i past its value), 0 if not, -1 on a missing value. */
static inline int
bench_parse_option (BenchOptions * o, int argc, char **argv, int *i)
{
  const char *a = argv[*i];
  const char *names[] = { "--plan", "--input", "--dump", "--only", "--reps",
    "--target-ms", "--min-steps", "--max-steps", "--verify-frames"
  };
  int k;
  for (k = 0; k < (int) (sizeof names / sizeof names[0]); k++)
    if (strcmp (a, names[k]) == 0)
      break;
  if (k == (int) (sizeof names / sizeof names[0]))
    return 0;
  if (*i + 1 >= argc)
    return -1;
  const char *v = argv[++*i];
  switch (k) {
    case 0: o->plan = v; break;
    case 1: o->input = v; break;
    case 2: o->dump = v; break;
    case 3: o->only = v; break;
    case 4: o->reps = atoi (v); break;
    case 5: o->target_ms = atof (v); break;
    case 6: o->min_steps = atoi (v); break;
    case 7: o->max_steps = atoi (v); break;
    case 8: o->verify_frames = atoi (v); break;
  }
  return 1;
}

#define BENCH_COMMON_USAGE \
  "  --plan FILE          configurations (name cell layers F H B n model)\n" \
  "  --input FILE         float32 input data\n" \
  "  --dump DIR           write verification outputs there\n" \
  "  --only TEXT          run only configurations whose name contains TEXT\n" \
  "  --reps N             timed repetitions (7)\n" \
  "  --target-ms X        time of one repetition (60)\n" \
  "  --min-steps N        steps per repetition, at least (320)\n" \
  "  --max-steps N        steps per repetition, at most (3200)\n" \
  "  --verify-frames N    frames in the verification run (320)\n"

/* Returns the number of configurations read, or -1. */
static inline int
bench_read_plan (const char *path, BenchConfig * cfg, int max)
{
  FILE *f = fopen (path, "r");
  if (!f) {
    fprintf (stderr, "cannot open plan %s: %s\n", path, strerror (errno));
    return -1;
  }
  char line[2048];
  int n = 0;
  while (fgets (line, sizeof line, f) && n < max) {
    char *p = line;
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '#' || *p == '\n' || *p == 0)
      continue;
    BenchConfig *c = &cfg[n];
    memset (c, 0, sizeof *c);
    if (sscanf (p, "%95s %15s %d %d %d %d %d %1023s", c->name, c->cell,
            &c->layers, &c->F, &c->H, &c->B, &c->n, c->model) != 8
        || c->layers < 1 || c->F < 1 || c->H < 1 || c->B < 1 || c->n < 1) {
      fprintf (stderr, "%s: bad line: %s", path, line);
      fclose (f);
      return -1;
    }
    n++;
  }
  fclose (f);
  return n;
}

/* Reads the whole file into a 64-byte aligned buffer; *n_floats is set. */
static inline float *
bench_read_input (const char *path, size_t * n_floats)
{
  FILE *f = fopen (path, "rb");
  if (!f) {
    fprintf (stderr, "cannot open input %s: %s\n", path, strerror (errno));
    return NULL;
  }
  fseek (f, 0, SEEK_END);
  long size = ftell (f);
  fseek (f, 0, SEEK_SET);
  void *buf = NULL;
  if (size <= 0 || posix_memalign (&buf, 64, (size_t) size + 64) != 0) {
    fclose (f);
    return NULL;
  }
  if (fread (buf, 1, (size_t) size, f) != (size_t) size) {
    fclose (f);
    free (buf);
    return NULL;
  }
  fclose (f);
  *n_floats = (size_t) size / sizeof (float);
  return (float *) buf;
}

static inline void *
bench_alloc (size_t bytes)
{
  void *p = NULL;
  if (posix_memalign (&p, 64, bytes ? bytes : 64) != 0) {
    fprintf (stderr, "out of memory (%zu bytes)\n", bytes);
    exit (1);
  }
  memset (p, 0, bytes);
  return p;
}

static inline double
bench_now (void)
{
  struct timespec ts;
  /* RNN_BENCH_CPU_TIME=1: the process's CPU time instead of the wall
   * clock, for one-thread runs on a machine shared with other work (the
   * caches are still shared; the published tables use the wall clock) */
  static int cpu = -1;
  if (cpu < 0) {
    const char *e = getenv ("RNN_BENCH_CPU_TIME");
    cpu = e && *e == '1';
  }
  clock_gettime (cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static inline int
bench_cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static inline double
bench_median (double *v, int n)
{
  qsort (v, (size_t) n, sizeof *v, bench_cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Frames per unit of work: a multiple of n covering BENCH_UNIT frames. */
static inline int
bench_unit (int n)
{
  return ((BENCH_UNIT + n - 1) / n) * n;
}

/* One call: run cfg->n frames of all streams from @in (n, B, F) into @out
 * (n, B, O), carrying the state.  reset: zero the state. */
typedef void (*BenchCallFn) (void *ctx, const float *in, float *out);
typedef void (*BenchResetFn) (void *ctx);

static inline void
bench_run_frames (const BenchConfig * c, const float *input, int frames,
    BenchCallFn call, void *ctx, float *out)
{
  size_t stride = (size_t) c->n * c->B * c->F;
  for (int f = 0; f + c->n <= frames; f += c->n, input += stride)
    call (ctx, input, out);
}

/* Runs the protocol described at the top of this file.  @out must hold
 * n*B*O floats.  Returns 0, or -1 if the input is too short. */
static inline int
bench_measure (const BenchOptions * o, const BenchConfig * c, const char
    *contender, const float *input, size_t input_floats, int O,
    BenchCallFn call, BenchResetFn reset, void *ctx, float *out,
    BenchResult * res)
{
  int unit = bench_unit (c->n);
  long avail = (long) (input_floats / ((size_t) c->B * c->F));
  avail -= avail % unit;
  if (avail < unit) {
    fprintf (stderr, "%s: input too short for %s\n", contender, c->name);
    return -1;
  }

  /* 1. verification */
  int V = o->verify_frames;
  V -= V % unit;
  if (V < unit)
    V = unit;
  if (V > avail)
    V = (int) avail;
  reset (ctx);
  if (o->dump) {
    int ns = c->B > 1 ? 2 : 1;
    int streams[2] = { 0, c->B - 1 };
    float *d = (float *) bench_alloc ((size_t) V * ns * O * sizeof (float));
    size_t stride = (size_t) c->n * c->B * c->F;
    const float *in = input;
    for (int f = 0; f + c->n <= V; f += c->n, in += stride) {
      call (ctx, in, out);
      for (int t = 0; t < c->n; t++)
        for (int s = 0; s < ns; s++)
          memcpy (d + ((size_t) (f + t) * ns + s) * O,
              out + ((size_t) t * c->B + streams[s]) * O,
              (size_t) O * sizeof (float));
    }
    size_t plen = strlen (o->dump) + strlen (contender) + strlen (c->name) + 8;
    char *path = (char *) bench_alloc (plen);
    snprintf (path, plen, "%s/%s-%s.f32", o->dump, contender, c->name);
    FILE *f = fopen (path, "wb");
    if (!f || fwrite (d, sizeof (float), (size_t) V * ns * O, f)
        != (size_t) V * ns * O)
      fprintf (stderr, "%s: cannot write %s\n", contender, path);
    if (f)
      fclose (f);
    free (path);
    free (d);
  } else {
    bench_run_frames (c, input, V, call, ctx, out);
  }

  /* 2. calibration */
  double t0 = bench_now ();
  bench_run_frames (c, input, unit, call, ctx, out);
  double est = (bench_now () - t0) / unit;
  long steps = (long) (o->target_ms * 1e-3 / (est > 1e-9 ? est : 1e-9));
  steps = (steps + unit - 1) / unit * unit;
  if (steps < o->min_steps)
    steps = (o->min_steps + unit - 1) / unit * unit;
  if (steps > o->max_steps)
    steps = o->max_steps - o->max_steps % unit;
  if (steps < unit)
    steps = unit;
  if (steps > avail)
    steps = avail;

  /* 3. warm-up and repetitions */
  bench_run_frames (c, input, (int) steps, call, ctx, out);
  int reps = o->reps > 0 ? o->reps : 1;
  double *t = (double *) bench_alloc ((size_t) reps * sizeof (double));
  for (int r = 0; r < reps; r++) {
    t0 = bench_now ();
    bench_run_frames (c, input, (int) steps, call, ctx, out);
    t[r] = (bench_now () - t0) * 1e6 / (double) steps;
  }
  res->median_us = bench_median (t, reps);
  res->min_us = t[0];
  res->steps = (int) steps;
  res->reps = reps;
  free (t);
  return 0;
}

static inline void
bench_print_result (const char *contender, const char *mode,
    const BenchConfig * c, const BenchResult * r)
{
  printf ("{\"type\": \"result\", \"contender\": \"%s\", \"mode\": \"%s\", "
      "\"name\": \"%s\", \"us_per_step\": %.4f, \"min_us\": %.4f, "
      "\"steps\": %d, \"reps\": %d}\n", contender, mode, c->name,
      r->median_us, r->min_us, r->steps, r->reps);
  fflush (stdout);
}

static inline void
bench_print_error (const char *contender, const BenchConfig * c,
    const char *msg)
{
  printf ("{\"type\": \"error\", \"contender\": \"%s\", \"name\": \"%s\", "
      "\"message\": \"", contender, c ? c->name : "");
  for (const char *p = msg; *p; p++) {
    if (*p == '"' || *p == '\\')
      putchar ('\\');
    if ((unsigned char) *p >= 0x20)
      putchar (*p);
  }
  printf ("\"}\n");
  fflush (stdout);
}

/* A JSON string value (escaped), for the info lines. */
static inline void
bench_print_json_string (const char *s)
{
  putchar ('"');
  for (const char *p = s ? s : ""; *p; p++) {
    if (*p == '"' || *p == '\\')
      putchar ('\\');
    if ((unsigned char) *p >= 0x20)
      putchar (*p);
  }
  putchar ('"');
}

/* VmRSS and VmHWM in kB from /proc/self/status (0 if unknown). */
static inline void
bench_memory_kb (long *rss, long *hwm)
{
  *rss = *hwm = 0;
  FILE *f = fopen ("/proc/self/status", "r");
  if (!f)
    return;
  char line[256];
  while (fgets (line, sizeof line, f)) {
    if (strncmp (line, "VmRSS:", 6) == 0)
      *rss = atol (line + 6);
    else if (strncmp (line, "VmHWM:", 6) == 0)
      *hwm = atol (line + 6);
  }
  fclose (f);
}

/* The "model name" line of /proc/cpuinfo, into @buf. */
static inline void
bench_cpu_model (char *buf, size_t size)
{
  snprintf (buf, size, "unknown");
  FILE *f = fopen ("/proc/cpuinfo", "r");
  if (!f)
    return;
  char line[512];
  while (fgets (line, sizeof line, f)) {
    if (strncmp (line, "model name", 10) == 0) {
      char *p = strchr (line, ':');
      if (p) {
        p++;
        while (*p == ' ')
          p++;
        p[strcspn (p, "\n")] = 0;
        snprintf (buf, size, "%s", p);
      }
      break;
    }
  }
  fclose (f);
}

#endif

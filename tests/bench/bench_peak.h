/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The FMA peak of one core: a loop of independent fused multiply-adds on
 * the widest vectors the CPU has (AVX-512, AVX2+FMA, else portable C), in
 * flops per second.  Header-only, valid C and C++ (bench_core.c and
 * bench_dnnl.cpp's --pair rounds). */
#ifndef BENCH_PEAK_H
#define BENCH_PEAK_H

#include "bench_common.h"

#include <math.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BENCH_PEAK_X86 1
#else
#define BENCH_PEAK_X86 0
#endif

static volatile float bench_sink;

/* ----------------------------------------------------------- FMA peak */

#if BENCH_PEAK_X86
#define FMA12(T, fma) \
  a0 = fma (a0, m, c); a1 = fma (a1, m, c); a2 = fma (a2, m, c); \
  a3 = fma (a3, m, c); a4 = fma (a4, m, c); a5 = fma (a5, m, c); \
  a6 = fma (a6, m, c); a7 = fma (a7, m, c); a8 = fma (a8, m, c); \
  a9 = fma (a9, m, c); a10 = fma (a10, m, c); a11 = fma (a11, m, c)

/* Returns flops per second of one core. */
__attribute__((target ("avx512f")))
static inline double
peak_avx512 (long iters)
{
  __m512 m = _mm512_set1_ps (0.999999f), c = _mm512_set1_ps (1e-7f);
  /* twelve different starting values: equal ones are one value to the
   * compiler, which then runs a single chain of FMAs (latency-bound) and
   * the count of twelve overstates the peak by 1.5x or more */
  __m512 a0 = _mm512_set1_ps (1.0f), a1 = _mm512_set1_ps (1.01f),
      a2 = _mm512_set1_ps (1.02f), a3 = _mm512_set1_ps (1.03f),
      a4 = _mm512_set1_ps (1.04f), a5 = _mm512_set1_ps (1.05f),
      a6 = _mm512_set1_ps (1.06f), a7 = _mm512_set1_ps (1.07f),
      a8 = _mm512_set1_ps (1.08f), a9 = _mm512_set1_ps (1.09f),
      a10 = _mm512_set1_ps (1.10f), a11 = _mm512_set1_ps (1.11f);
  double t0 = bench_now ();
  for (long i = 0; i < iters; i++) {
    FMA12 (__m512, _mm512_fmadd_ps);
  }
  double dt = bench_now () - t0;
  a0 = _mm512_add_ps (_mm512_add_ps (_mm512_add_ps (a0, a1),
          _mm512_add_ps (a2, a3)), _mm512_add_ps (_mm512_add_ps (a4, a5),
          _mm512_add_ps (a6, a7)));
  a8 = _mm512_add_ps (_mm512_add_ps (a8, a9), _mm512_add_ps (a10, a11));
  float t[16];
  _mm512_storeu_ps (t, _mm512_add_ps (a0, a8));
  bench_sink = t[0] + t[15];
  return (double) iters * 12 * 16 * 2 / dt;
}

__attribute__((target ("avx2,fma")))
static inline double
peak_avx2 (long iters)
{
  __m256 m = _mm256_set1_ps (0.999999f), c = _mm256_set1_ps (1e-7f);
  __m256 a0 = _mm256_set1_ps (1.0f), a1 = _mm256_set1_ps (1.01f),
      a2 = _mm256_set1_ps (1.02f), a3 = _mm256_set1_ps (1.03f),
      a4 = _mm256_set1_ps (1.04f), a5 = _mm256_set1_ps (1.05f),
      a6 = _mm256_set1_ps (1.06f), a7 = _mm256_set1_ps (1.07f),
      a8 = _mm256_set1_ps (1.08f), a9 = _mm256_set1_ps (1.09f),
      a10 = _mm256_set1_ps (1.10f), a11 = _mm256_set1_ps (1.11f);
  double t0 = bench_now ();
  for (long i = 0; i < iters; i++) {
    FMA12 (__m256, _mm256_fmadd_ps);
  }
  double dt = bench_now () - t0;
  a0 = _mm256_add_ps (_mm256_add_ps (_mm256_add_ps (a0, a1),
          _mm256_add_ps (a2, a3)), _mm256_add_ps (_mm256_add_ps (a4, a5),
          _mm256_add_ps (a6, a7)));
  a8 = _mm256_add_ps (_mm256_add_ps (a8, a9), _mm256_add_ps (a10, a11));
  a0 = _mm256_add_ps (a0, a8);
  float t[8];
  _mm256_storeu_ps (t, a0);
  bench_sink = t[0] + t[7];
  return (double) iters * 12 * 8 * 2 / dt;
}
#endif

static inline double
peak_c (long iters)
{
  float a[16], m = 0.999999f, c = 1e-7f;
  for (int k = 0; k < 16; k++)
    a[k] = 1.0f + 0.01f * k;
  double t0 = bench_now ();
  for (long i = 0; i < iters; i++)
    for (int k = 0; k < 16; k++)
      a[k] = fmaf (a[k], m, c);
  double dt = bench_now () - t0;
  bench_sink = a[0] + a[15];
  return (double) iters * 16 * 2 / dt;
}

typedef double (*PeakFn) (long iters);

/* Best of several trials of ~20 ms each, in flops/s. */
static inline double
best_peak (PeakFn fn)
{
  long iters = 1000;
  double r = 0;
  while (iters < (1L << 40)) {  /* grow until one trial takes ~20 ms */
    double t0 = bench_now ();
    fn (iters);
    if (bench_now () - t0 > 0.02)
      break;
    iters *= 2;
  }
  for (int t = 0; t < 5; t++) {
    double f = fn (iters);
    if (f > r)
      r = f;
  }
  return r;
}

/* The widest loop this CPU runs. */
static inline PeakFn
bench_peak_fn (void)
{
#if BENCH_PEAK_X86
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    return peak_avx512;
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return peak_avx2;
#endif
  return peak_c;
}

#endif

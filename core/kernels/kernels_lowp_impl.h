/* The reduced-precision products (layouts in kernels_lowp.h), written once
 * and compiled per instruction set by kernels_lowp_c.c, kernels_lowp_avx2.c,
 * kernels_lowp_avx512.c, kernels_lowp_avx512vnni.c and kernels_lowp_neon.c,
 * which define LOWP_KERNEL_SET and LOWP_KERNEL_NAME (the RnnKernels set
 * they go with).  AVX2 uses 256-bit intrinsics (and so does the "avx512"
 * set on a CPU without AVX512_VNNI); kernels_lowp_avx512vnni.c defines
 * LOWP_AVX512 (built with -mavx512bw -mavx512vnni): 512-bit tiles, VNNI's
 * vpdpbusd for int8, the same numbers.  The rest is portable C the
 * compiler vectorises.
 *
 * Measured on a 2-core AMD EPYC (Zen 3, AVX2) for the bf16 choice: the
 * weights widen to float32 in registers for two integer operations per 16
 * weights (a shift and a mask), so bf16 keeps float32's accumulation and
 * adds only the weights' rounding error.  For int8 the products are
 * integer (u8 x s8 -> int16 pairs -> int32, vpmaddubsw + vpmaddwd): 32
 * weights per three operations, where widening int8 to float32 takes four
 * per 8 (see the report in the commit that added this file). */
#include "kernels_lowp.h"

#include <string.h>
#if defined(__AVX2__) || defined(LOWP_AVX512)
#include <immintrin.h>
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* ----------------------------------------------------------------- bf16 */

#if defined(LOWP_AVX512)

#ifndef LOWP_PF
#define LOWP_PF 8               /* columns ahead to prefetch (0: none) */
#endif

/* One zmm holds 32 bf16, panels p and p+1 (P even): the shift gives rows
 * 0-7 of both, the mask rows 8-15; the store puts them back in order. */
ALWAYS_INLINE void
tile_bf16 (const float *x, gsize ldx, const int R, const guint16 * wp,
    const int P, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  __m512 lo[2][4], hi[2][4];
  const __m512i hi_mask = _mm512_set1_epi32 ((int) 0xffff0000u);
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int q = 0; q < P / 2; q++)
      lo[r][q] = hi[r][q] = _mm512_setzero_ps ();
  for (gsize k = 0; k < K; k++) {
    __m512 xb[2];
#if LOWP_PF
    #pragma GCC unroll 16
    for (int q = 0; q < P / 2; q++)
      _mm_prefetch ((const char *) (wp + ((k + LOWP_PF) * RNN_PANEL_GROUP +
                  2 * q) * RNN_PANEL), _MM_HINT_T0);
#endif
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      xb[r] = _mm512_set1_ps (x[r * ldx + k]);
    #pragma GCC unroll 16
    for (int q = 0; q < P / 2; q++) {
      __m512i v = _mm512_load_si512 ((const void *) (wp +
              (k * RNN_PANEL_GROUP + 2 * q) * RNN_PANEL));
      __m512 l = _mm512_castsi512_ps (_mm512_slli_epi32 (v, 16));
      __m512 h = _mm512_castsi512_ps (_mm512_and_si512 (v, hi_mask));
      #pragma GCC unroll 16
      for (int r = 0; r < R; r++) {
        lo[r][q] = _mm512_fmadd_ps (l, xb[r], lo[r][q]);
        hi[r][q] = _mm512_fmadd_ps (h, xb[r], hi[r][q]);
      }
    }
  }
  /* panel 2q = lo[0..7] hi[0..7], panel 2q+1 = lo[8..15] hi[8..15] */
  const __m512i first = _mm512_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7, 16, 17,
      18, 19, 20, 21, 22, 23);
  const __m512i second = _mm512_setr_epi32 (8, 9, 10, 11, 12, 13, 14, 15,
      24, 25, 26, 27, 28, 29, 30, 31);
  #pragma GCC unroll 16
  for (int p = 0; p < P; p++) {
    gsize col = m0 + (gsize) p * RNN_PANEL;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) RNN_PANEL);
    __mmask16 mask = (__mmask16) ((1u << valid) - 1u);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      __m512 v = _mm512_permutex2var_ps (lo[r][p / 2], p % 2 ? second : first,
          hi[r][p / 2]);
      if (accumulate)
        v = _mm512_add_ps (v, _mm512_maskz_loadu_ps (mask, dst));
      _mm512_mask_storeu_ps (dst, mask, v);
    }
  }
}

#define BF16_P_WIDE 8
#define BF16_P 4

#elif defined(__AVX2__)

#ifndef LOWP_PF
#define LOWP_PF 8               /* columns ahead to prefetch (0: none) */
#endif

ALWAYS_INLINE void
tile_bf16 (const float *x, gsize ldx, const int R, const guint16 * wp,
    const int P, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  /* per panel: acc[2p] rows 0-7 (low halves), acc[2p+1] rows 8-15 */
  __m256 acc[2][8];
  const __m256i hi_mask = _mm256_set1_epi32 ((int) 0xffff0000u);
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int q = 0; q < 2 * P; q++)
      acc[r][q] = _mm256_setzero_ps ();
  for (gsize k = 0; k < K; k++) {
    __m256 xb[2];
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      xb[r] = _mm256_broadcast_ss (x + r * ldx + k);
#if LOWP_PF
    #pragma GCC unroll 16
    for (int p = 0; p < P; p += 2)
      _mm_prefetch ((const char *) (wp + ((k + LOWP_PF) * RNN_PANEL_GROUP + p)
              * RNN_PANEL), _MM_HINT_T0);
#endif
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++) {
      __m256i v = _mm256_load_si256 ((const __m256i *) (wp +
              (k * RNN_PANEL_GROUP + p) * RNN_PANEL));
      __m256 lo = _mm256_castsi256_ps (_mm256_slli_epi32 (v, 16));
      __m256 hi = _mm256_castsi256_ps (_mm256_and_si256 (v, hi_mask));
      #pragma GCC unroll 16
      for (int r = 0; r < R; r++) {
        acc[r][2 * p] = _mm256_fmadd_ps (lo, xb[r], acc[r][2 * p]);
        acc[r][2 * p + 1] = _mm256_fmadd_ps (hi, xb[r], acc[r][2 * p + 1]);
      }
    }
  }
  #pragma GCC unroll 16
  for (int q = 0; q < 2 * P; q++) {
    gsize col = m0 + (gsize) q * 8;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) 8);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      if (valid == 8) {
        __m256 v = acc[r][q];
        if (accumulate)
          v = _mm256_add_ps (v, _mm256_loadu_ps (dst));
        _mm256_storeu_ps (dst, v);
      } else {
        float tmp[8];
        _mm256_storeu_ps (tmp, acc[r][q]);
        for (gsize i = 0; i < valid; i++)
          dst[i] = accumulate ? dst[i] + tmp[i] : tmp[i];
      }
    }
  }
}

#define BF16_P_WIDE 4           /* panels per tile, one row */
#define BF16_P 2                /* panels per tile, two rows */

#else

ALWAYS_INLINE void
tile_bf16 (const float *x, gsize ldx, const int R, const guint16 * wp,
    const int P, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  float acc[2][RNN_PANEL] = { {0} };
  for (gsize k = 0; k < K; k++) {
    const guint16 *v = wp + k * RNN_PANEL_GROUP * RNN_PANEL;
    float w[RNN_PANEL];
    for (int t = 0; t < 8; t++) {
      guint32 lo = (guint32) v[2 * t] << 16, hi = (guint32) v[2 * t + 1] << 16;
      memcpy (&w[t], &lo, 4);
      memcpy (&w[t + 8], &hi, 4);
    }
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float xv = x[r * ldx + k];
      for (int i = 0; i < RNN_PANEL; i++)
        acc[r][i] += w[i] * xv;
    }
  }
  (void) P;
  gsize valid = MIN (M - m0, (gsize) RNN_PANEL);
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++) {
    float *dst = y + r * ldy + m0;
    for (gsize i = 0; i < valid; i++)
      dst[i] = accumulate ? dst[i] + acc[r][i] : acc[r][i];
  }
}

#define BF16_P_WIDE 1
#define BF16_P 1

#endif

ALWAYS_INLINE void
rows_bf16 (const float *x, gsize ldx, const int R, const RnnPacked * w,
    const int P, float *y, gsize ldy, gboolean accumulate)
{
  const gsize K = w->cols;
  const guint16 *q = (const guint16 *) w->data;
  for (gsize p0 = 0; p0 < w->panels && p0 * RNN_PANEL < w->rows; p0 += P) {
    const guint16 *wp = q + ((p0 / RNN_PANEL_GROUP) * K * RNN_PANEL_GROUP
        + p0 % RNN_PANEL_GROUP) * RNN_PANEL;
    tile_bf16 (x, ldx, R, wp, P, K, y, ldy, p0 * RNN_PANEL, w->rows,
        accumulate);
  }
}

static void
k_gemm_bf16 (const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate)
{
  gsize r0 = 0;
  for (; n - r0 >= 2; r0 += 2)
    rows_bf16 (x + r0 * ldx, ldx, 2, w, BF16_P, y + r0 * ldy, ldy,
        accumulate);
  if (r0 < n)
    rows_bf16 (x + r0 * ldx, ldx, 1, w, BF16_P_WIDE, y + r0 * ldy, ldy,
        accumulate);
}

/* ----------------------------------------------------------------- int8 */

/* The quantisation step of one input row (max|x|/63), NaN if the row is
 * not finite; @inv gets its inverse (0 when there is none). */
static float
row_step (const float *x, gsize K, float *inv)
{
  float amax = 0.0f;
  gboolean finite = TRUE;
  for (gsize k = 0; k < K; k++) {
    float a = __builtin_fabsf (x[k]);
    amax = a > amax ? a : amax;
    finite &= a <= 3.4028234e38f;       /* FALSE for inf and NaN */
  }
  if (!finite) {
    *inv = 0.0f;
    return __builtin_nanf ("");
  }
  *inv = amax > 0.0f ? 63.0f / amax : 0.0f;
  return amax / 63.0f;
}

/* u8 = round(x * inv) + 64, within [1, 127]; the tail up to a multiple of
 * 4 is the zero point (its weights are zero). */
static void
quantise (const float *x, gsize kc, float inv, guint8 * xq)
{
  for (gsize k = 0; k < kc; k++) {
    float v = __builtin_rintf (x[k] * inv);
    v = v > 63.0f ? 63.0f : v;
    v = v < -63.0f ? -63.0f : v;
    xq[k] = (guint8) ((int) v + 64);
  }
  for (gsize k = kc; k % 4; k++)
    xq[k] = 64;
}

#if defined(LOWP_AVX512)

/* AVX512_VNNI: one vpdpbusd per panel and row adds 16 rows x 4 columns of
 * u8 x s8 products into int32, the same sums as vpmaddubsw + vpmaddwd. */
ALWAYS_INLINE void
tile_i8 (const guint8 * xq, gsize ldq, const float *xs, const int R,
    const gint8 * wp, const int P, gsize K4, const gint32 * bias,
    const float *scale, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  __m512i acc[2][8];
  #pragma GCC unroll 16
  for (int p = 0; p < P; p++) {
    __m512i b = _mm512_loadu_si512 ((const void *) (bias + p * RNN_PANEL));
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      acc[r][p] = b;
  }
  for (gsize k4 = 0; k4 < K4; k4++) {
    __m512i xb[2];
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      gint32 x4;
      memcpy (&x4, xq + r * ldq + 4 * k4, 4);
      xb[r] = _mm512_set1_epi32 (x4);
    }
#if LOWP_PF
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++)
      _mm_prefetch ((const char *) (wp + ((k4 + LOWP_PF / 2) *
                  RNN_PANEL_GROUP + p) * 64), _MM_HINT_T0);
#endif
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++) {
      __m512i w = _mm512_load_si512 ((const void *) (wp +
              (k4 * RNN_PANEL_GROUP + p) * 64));
      #pragma GCC unroll 16
      for (int r = 0; r < R; r++)
        acc[r][p] = _mm512_dpbusd_epi32 (acc[r][p], xb[r], w);
    }
  }
  #pragma GCC unroll 16
  for (int p = 0; p < P; p++) {
    gsize col = m0 + (gsize) p * RNN_PANEL;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) RNN_PANEL);
    __mmask16 mask = (__mmask16) ((1u << valid) - 1u);
    __m512 sv = _mm512_loadu_ps (scale + p * RNN_PANEL);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      __m512 v = _mm512_mul_ps (_mm512_cvtepi32_ps (acc[r][p]),
          _mm512_mul_ps (sv, _mm512_set1_ps (xs[r])));
      if (accumulate)
        v = _mm512_add_ps (v, _mm512_maskz_loadu_ps (mask, dst));
      _mm512_mask_storeu_ps (dst, mask, v);
    }
  }
}

#define I8_P_WIDE 8
#define I8_P 4

#elif defined(__AVX2__)

ALWAYS_INLINE void
tile_i8 (const guint8 * xq, gsize ldq, const float *xs, const int R,
    const gint8 * wp, const int P, gsize K4, const gint32 * bias,
    const float *scale, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  /* per panel: acc[2p] rows 0-7, acc[2p+1] rows 8-15 (int32) */
  __m256i acc[2][8];
  const __m256i ones = _mm256_set1_epi16 (1);
  #pragma GCC unroll 16
  for (int q = 0; q < 2 * P; q++) {
    __m256i b = _mm256_loadu_si256 ((const __m256i *) (bias + q * 8));
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      acc[r][q] = b;
  }
  for (gsize k4 = 0; k4 < K4; k4++) {
    __m256i xb[2];
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      gint32 x4;
      memcpy (&x4, xq + r * ldq + 4 * k4, 4);
      xb[r] = _mm256_set1_epi32 (x4);
    }
#if LOWP_PF
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++)
      _mm_prefetch ((const char *) (wp + ((k4 + LOWP_PF / 2) *
                  RNN_PANEL_GROUP + p) * 64), _MM_HINT_T0);
#endif
    #pragma GCC unroll 16
    for (int q = 0; q < 2 * P; q++) {
      __m256i w = _mm256_load_si256 ((const __m256i *) (wp +
              (k4 * RNN_PANEL_GROUP + (q >> 1)) * 64 + (q & 1) * 32));
      #pragma GCC unroll 16
      for (int r = 0; r < R; r++)
        acc[r][q] = _mm256_add_epi32 (acc[r][q],
            _mm256_madd_epi16 (_mm256_maddubs_epi16 (xb[r], w), ones));
    }
  }
  #pragma GCC unroll 16
  for (int q = 0; q < 2 * P; q++) {
    gsize col = m0 + (gsize) q * 8;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) 8);
    __m256 sv = _mm256_loadu_ps (scale + q * 8);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      __m256 v = _mm256_mul_ps (_mm256_cvtepi32_ps (acc[r][q]),
          _mm256_mul_ps (sv, _mm256_set1_ps (xs[r])));
      if (valid == 8) {
        if (accumulate)
          v = _mm256_add_ps (v, _mm256_loadu_ps (dst));
        _mm256_storeu_ps (dst, v);
      } else {
        float tmp[8];
        _mm256_storeu_ps (tmp, v);
        for (gsize i = 0; i < valid; i++)
          dst[i] = accumulate ? dst[i] + tmp[i] : tmp[i];
      }
    }
  }
}

#define I8_P_WIDE 4
#define I8_P 2

#else

ALWAYS_INLINE void
tile_i8 (const guint8 * xq, gsize ldq, const float *xs, const int R,
    const gint8 * wp, const int P, gsize K4, const gint32 * bias,
    const float *scale, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate)
{
  gint32 acc[2][RNN_PANEL];
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    for (int i = 0; i < RNN_PANEL; i++)
      acc[r][i] = bias[i];
  for (gsize k4 = 0; k4 < K4; k4++) {
    const gint8 *w = wp + k4 * RNN_PANEL_GROUP * 64;
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      const guint8 *xv = xq + r * ldq + 4 * k4;
      for (int i = 0; i < RNN_PANEL; i++)
        acc[r][i] += xv[0] * w[4 * i] + xv[1] * w[4 * i + 1] +
            xv[2] * w[4 * i + 2] + xv[3] * w[4 * i + 3];
    }
  }
  (void) P;
  gsize valid = MIN (M - m0, (gsize) RNN_PANEL);
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++) {
    float *dst = y + r * ldy + m0;
    for (gsize i = 0; i < valid; i++) {
      float v = (float) acc[r][i] * (scale[i] * xs[r]);
      dst[i] = accumulate ? dst[i] + v : v;
    }
  }
}

#define I8_P_WIDE 1
#define I8_P 1

#endif

/* Rows [r0, r0+R) of x, quantised chunk by chunk, against every panel. */
ALWAYS_INLINE void
rows_i8 (const float *x, gsize ldx, const int R, const RnnPacked * w,
    const int P, float *y, gsize ldy, gboolean accumulate)
{
  const gsize K = w->cols, Kp = (K + 3) / 4 * 4;
  const gsize GR = RNN_PANEL * RNN_PANEL_GROUP;
  const gsize chunks = MAX ((gsize) 1, (K + RNN_LOWP_KC - 1) / RNN_LOWP_KC);
  guint8 xq[2 * RNN_LOWP_KC] __attribute__((aligned (32)));
  float xs[2], inv[2];
  const gint8 *q = (const gint8 *) w->data;
  for (int r = 0; r < R; r++)
    xs[r] = row_step (x + r * ldx, K, &inv[r]);
  for (gsize c = 0; c < chunks; c++) {
    gsize k0 = c * RNN_LOWP_KC, kc = MIN (K - k0, (gsize) RNN_LOWP_KC);
    for (int r = 0; r < R; r++)
      quantise (x + r * ldx + k0, kc, inv[r], xq + r * RNN_LOWP_KC);
    for (gsize p0 = 0; p0 < w->panels && p0 * RNN_PANEL < w->rows; p0 += P) {
      gsize g = p0 / RNN_PANEL_GROUP, pg = p0 % RNN_PANEL_GROUP;
      const gint8 *wp = q + ((g * (Kp / 4) + k0 / 4) * RNN_PANEL_GROUP + pg)
          * 64;
      const gint32 *bias = w->rowsum + (g * chunks + c) * GR + pg * RNN_PANEL;
      tile_i8 (xq, RNN_LOWP_KC, xs, R, wp, P, (kc + 3) / 4, bias,
          w->scale + p0 * RNN_PANEL, y, ldy, p0 * RNN_PANEL, w->rows,
          accumulate || c > 0);
    }
  }
}

static void
k_gemm_i8 (const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate)
{
  gsize r0 = 0;
  for (; n - r0 >= 2; r0 += 2)
    rows_i8 (x + r0 * ldx, ldx, 2, w, I8_P, y + r0 * ldy, ldy, accumulate);
  if (r0 < n)
    rows_i8 (x + r0 * ldx, ldx, 1, w, I8_P_WIDE, y + r0 * ldy, ldy,
        accumulate);
}

const RnnLowpKernels LOWP_KERNEL_SET = {
  .name = LOWP_KERNEL_NAME,
  .gemm_bf16 = k_gemm_bf16,
  .gemm_i8 = k_gemm_i8,
};

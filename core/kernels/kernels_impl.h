/* The kernels, written once and compiled per instruction set by
 * kernels_c.c, kernels_avx2.c and kernels_avx512.c (which define
 * KERNEL_SET to the table's name and pass the -m flags) and, on aarch64,
 * kernels_neon.c (which defines KERNEL_NEON).  The pointwise code
 * (kernels_act.h) is plain C that the compiler vectorises for the target,
 * with explicit vectors on AVX2; the products use intrinsics where the
 * target has them. */
#include "kernels.h"

#include <string.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__aarch64__) && defined(KERNEL_NEON)
#include <arm_neon.h>
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))
#ifndef RNN_PREFETCH
#define RNN_PREFETCH 8          /* columns ahead (8 x 512 bytes) */
#endif

#include "kernels_act.h"

/* ----------------------------------------------------------------- GEMM
 * y (n, M) = x (n, K) . W^T over the packed panels.  A tile computes R
 * rows x P panels with every accumulator in a register: each weight
 * vector loaded is used R times, each broadcast input P times. */

#if defined(__AVX512F__)

ALWAYS_INLINE void
tile (const float *x, gsize ldx, const int R, const float *wp, const int P,
    const int G, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate, const float *init, gsize ldi)
{
  __m512 acc[6][8];
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++)
      acc[r][p] = init ? _mm512_loadu_ps (init + r * ldi + p * RNN_PANEL)
          : _mm512_setzero_ps ();
  for (gsize k = 0; k < K; k++) {
    __m512 w[8];
    /* pull the panels' next columns from L2 ahead of use */
    for (int p = 0; p < (RNN_PREFETCH ? P : 0); p += 2)
      _mm_prefetch ((const char *) (wp + ((k + RNN_PREFETCH) * G
                  + p) * RNN_PANEL), _MM_HINT_T0);
    #pragma GCC unroll 16
    for (int p = 0; p < P; p++)
      w[p] = _mm512_load_ps (wp + (k * G + p) * RNN_PANEL);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      __m512 xb = _mm512_set1_ps (x[r * ldx + k]);
      #pragma GCC unroll 16
      for (int p = 0; p < P; p++)
        acc[r][p] = _mm512_fmadd_ps (w[p], xb, acc[r][p]);
    }
  }
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
      __m512 v = acc[r][p];
      if (accumulate)
        v = _mm512_add_ps (v, _mm512_maskz_loadu_ps (mask, dst));
      _mm512_mask_storeu_ps (dst, mask, v);
    }
  }
}

#define TILE_R_MAX 6
#define TILE_P_WIDE 8           /* panels per tile when R == 1 */
#define TILE_P 4                /* panels per tile when R > 1 */
#define TILE_RB 6               /* many rows: rows x panels of a tile */
#define TILE_PB 4

#elif defined(__AVX2__)

ALWAYS_INLINE void
tile (const float *x, gsize ldx, const int R, const float *wp, const int P,
    const int G, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate, const float *init, gsize ldi)
{
  /* a 16-row panel is two 8-float halves; R x 2P <= 12 accumulators */
  __m256 acc[6][8];
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int q = 0; q < 2 * P; q++)
      acc[r][q] = init ? _mm256_loadu_ps (init + r * ldi + q * 8)
          : _mm256_setzero_ps ();
  for (gsize k = 0; k < K; k++) {
    __m256 w[8];
    #pragma GCC unroll 16
    for (int q = 0; q < 2 * P; q++)
      w[q] = _mm256_load_ps (wp + (k * G + (q >> 1)) *
          RNN_PANEL + (q & 1) * 8);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      __m256 xb = _mm256_broadcast_ss (x + r * ldx + k);
      #pragma GCC unroll 16
      for (int q = 0; q < 2 * P; q++)
        acc[r][q] = _mm256_fmadd_ps (w[q], xb, acc[r][q]);
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

#define TILE_R_MAX 3
#define TILE_P_WIDE 4
#define TILE_P 2
/* many rows: 6 rows x 1 panel = 12 accumulators, 2 weight vectors and a
 * broadcast (15 of 16 registers); each weight vector serves 6 FMAs */
#define TILE_RB 6
#define TILE_PB 1

#elif defined(__aarch64__) && defined(KERNEL_NEON)

/* A 16-row panel is four 4-float quarters.  32 vector registers: R=3 rows
 * x P=2 panels = 24 accumulators, the 3 rows' inputs (4 columns each) and
 * the weight quarter in use.  Columns go 4 at a time so each input vector
 * loaded serves 4 steps of k (fmla by lane); the weights are read once per
 * step in the packed order, every vector used R times. */
ALWAYS_INLINE void
tile (const float *x, gsize ldx, const int R, const float *wp, const int P,
    const int G, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate, const float *init, gsize ldi)
{
  float32x4_t acc[3][16];
#pragma GCC unroll 3
  for (int r = 0; r < R; r++)
#pragma GCC unroll 16
    for (int q = 0; q < 4 * P; q++)
      acc[r][q] = init ? vld1q_f32 (init + r * ldi + q * 4)
          : vdupq_n_f32 (0.0f);
#define W(k, q) vld1q_f32 (wp + ((k) * G + ((q) >> 2)) * \
      RNN_PANEL + ((q) & 3) * 4)
  gsize k = 0;
  for (; k + 4 <= K; k += 4) {
    float32x4_t xv[3];
#pragma GCC unroll 3
    for (int r = 0; r < R; r++)
      xv[r] = vld1q_f32 (x + r * ldx + k);
    /* fully unrolled (GCC's own limit leaves the q loop rolled, with the
     * accumulators in memory), so acc[][] lives in registers */
#pragma GCC unroll 16
    for (int q = 0; q < 4 * P; q++) {
      /* one weight vector live at a time; the same order of sums as the
       * other sets (k, k+1, k+2, k+3) */
#define STEP(j) do { \
        float32x4_t w = W (k + j, q); \
        _Pragma ("GCC unroll 3") \
        for (int r = 0; r < R; r++) \
          acc[r][q] = vfmaq_laneq_f32 (acc[r][q], w, xv[r], j); \
      } while (0)
      STEP (0);
      STEP (1);
      STEP (2);
      STEP (3);
#undef STEP
    }
  }
  for (; k < K; k++)
#pragma GCC unroll 16
    for (int q = 0; q < 4 * P; q++) {
      float32x4_t w = W (k, q);
#pragma GCC unroll 3
      for (int r = 0; r < R; r++)
        acc[r][q] = vfmaq_n_f32 (acc[r][q], w, x[r * ldx + k]);
    }
#undef W
  /* unrolled too: an acc[][] indexed at run time would live in memory */
#pragma GCC unroll 16
  for (int q = 0; q < 4 * P; q++) {
    gsize col = m0 + (gsize) q * 4;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) 4);
#pragma GCC unroll 3
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      if (valid == 4) {
        float32x4_t v = acc[r][q];
        if (accumulate)
          v = vaddq_f32 (v, vld1q_f32 (dst));
        vst1q_f32 (dst, v);
      } else {
        float tmp[4];
        vst1q_f32 (tmp, acc[r][q]);
        for (gsize i = 0; i < valid; i++)
          dst[i] = accumulate ? dst[i] + tmp[i] : tmp[i];
      }
    }
  }
}

#define TILE_R_MAX 3
#define TILE_P_WIDE 4           /* panels per tile when R == 1 */
#define TILE_P 2                /* panels per tile when R > 1 */
#define TILE_RB 3
#define TILE_PB 2

#else /* portable: GCC/Clang vector extensions, 4 floats a vector (SSE2
       * on baseline x86-64, NEON on ARM, plain registers elsewhere) */

typedef float v4sf __attribute__((vector_size (16), aligned (16), may_alias));
typedef float v4sf_u __attribute__((vector_size (16), aligned (4), may_alias));

ALWAYS_INLINE void
tile (const float *x, gsize ldx, const int R, const float *wp, const int P,
    const int G, gsize K, float *y, gsize ldy, gsize m0, gsize M,
    gboolean accumulate, const float *init, gsize ldi)
{
  /* a 16-row panel is four 4-float quarters; packed panels are 64-byte
   * aligned */
  v4sf acc[3][8];
  #pragma GCC unroll 16
  for (int r = 0; r < R; r++)
    #pragma GCC unroll 16
    for (int q = 0; q < 4 * P; q++)
      acc[r][q] = (v4sf) { 0, 0, 0, 0 };
  if (init)
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++)
      #pragma GCC unroll 16
      for (int q = 0; q < 4 * P; q++)
        acc[r][q] = *(const v4sf_u *) (init + r * ldi + q * 4);
  for (gsize k = 0; k < K; k++) {
    v4sf w[8];
    #pragma GCC unroll 16
    for (int q = 0; q < 4 * P; q++)
      w[q] = *(const v4sf *) (wp + (k * G + (q >> 2)) *
          RNN_PANEL + (q & 3) * 4);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float xv = x[r * ldx + k];
      v4sf xb = { xv, xv, xv, xv };
      #pragma GCC unroll 16
      for (int q = 0; q < 4 * P; q++)
        acc[r][q] += w[q] * xb;
    }
  }
  #pragma GCC unroll 16
  for (int q = 0; q < 4 * P; q++) {
    gsize col = m0 + (gsize) q * 4;
    if (col >= M)
      break;
    gsize valid = MIN (M - col, (gsize) 4);
    #pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      float *dst = y + r * ldy + col;
      if (valid == 4) {
        v4sf v = acc[r][q];
        if (accumulate)
          v += *(const v4sf_u *) dst;
        *(v4sf_u *) dst = v;
      } else {
        float tmp[4];
        memcpy (tmp, &acc[r][q], sizeof tmp);
        for (gsize i = 0; i < valid; i++)
          dst[i] = accumulate ? dst[i] + tmp[i] : tmp[i];
      }
    }
  }
}

#define TILE_R_MAX 3
#define TILE_P_WIDE 2
#define TILE_P 1
#define TILE_RB 3
#define TILE_PB 1

#endif

/* All panel groups for R rows (R, P compile-time at each call site). */
ALWAYS_INLINE void
rows_tile (const float *x, gsize ldx, const int R, const RnnPacked * w,
    const int P, float *y, gsize ldy, gboolean accumulate)
{
  const gsize K = w->cols;
  for (gsize p0 = 0; p0 < w->panels; p0 += P) {
    if (p0 * RNN_PANEL >= w->rows)
      break;
    /* panel p0 of group p0/8: data[g][0][p0%8] */
    const float *wp = w->data + ((p0 / RNN_PANEL_GROUP) * K * RNN_PANEL_GROUP
        + p0 % RNN_PANEL_GROUP) * RNN_PANEL;
    tile (x, ldx, R, wp, P, RNN_PANEL_GROUP, K, y, ldy, p0 * RNN_PANEL,
        w->rows, accumulate, NULL, 0);
  }
}

/* Rows [0, n) in tiles of TILE_RB rows (the rest in one smaller tile)
 * over the TILE_PB panels at @wp, whose columns are @G panels apart.
 * @init (rows @ldi apart): the partial sums to start from, or NULL. */
ALWAYS_INLINE void
panel_rows (const float *x, gsize n, gsize ldx, const float *wp, const int G,
    gsize K, float *y, gsize ldy, gsize m0, gsize M, gboolean accumulate,
    const float *init, gsize ldi, const char *pf, gsize pf_lines)
{
  gsize r0 = 0;
  /* @pf_lines cache lines at @pf (the next block of weights) are asked
   * into L2, a share before each row tile */
  const gsize share = pf_lines / (n / TILE_RB + 1) + 1;
  for (; n - r0 >= TILE_RB; r0 += TILE_RB) {
    for (gsize i = 0; pf && i < share && pf_lines; i++, pf_lines--, pf += 64)
      __builtin_prefetch (pf, 0, 2);
    tile (x + r0 * ldx, ldx, TILE_RB, wp, TILE_PB, G, K, y + r0 * ldy, ldy,
        m0, M, accumulate, init ? init + r0 * ldi : NULL, ldi);
  }
  x += r0 * ldx;
  y += r0 * ldy;
  if (init)
    init += r0 * ldi;
#define T_(R) tile (x, ldx, R, wp, TILE_PB, G, K, y, ldy, m0, M, accumulate, \
    init, ldi)
  switch (n - r0) {             /* R must be a constant at each call */
#if TILE_RB > 5
    case 5: T_ (5); break;
    case 4: T_ (4); break;
    case 3: T_ (3); break;
#endif
    case 2: T_ (2); break;
    case 1: T_ (1); break;
    default: break;
  }
#undef T_
}

/* Weights of one slice copied contiguous, at most this many floats (64
 * KB, on the stack): beyond, the slice is read in place. */
#define SLICE_MAX 16384

/* Many rows (a batch of streams, or many frames): the weights stay put.
 * For each slice of TILE_PB panels (16 x TILE_PB outputs, K x 64 x
 * TILE_PB bytes of weights), every row tile; the rows (n x K floats) stay
 * in L2.  The other order re-streams the whole matrix from L3 once per
 * row tile.  With long columns (K >= 512) and enough row tiles, the slice
 * is first copied contiguous: in place its columns are 512 bytes apart,
 * which maps them to 1/8 of the cache sets.  Measured on a 2-core AMD EPYC
 * (AVX2), min of 3: 64 x 1024 x 4096 9.6 ms copied vs 12.8 in place,
 * 16 x 1024 x 4096 5.3 vs 6.1; with K = 256 the copy lost (16 rows: 161 vs
 * 131 us), so it is not made there.  Each output is the same sum in the same order as in the
 * few-rows path, so results are identical. */
static void
gemm_many (const float *x, gsize n, gsize ldx, const RnnPacked * w, float *y,
    gsize ldy, gboolean accumulate)
{
  const gsize K = w->cols;
  const gsize slice = K * TILE_PB * RNN_PANEL;
  const gboolean copy = n >= 2 * TILE_RB && K >= 512 && slice <= SLICE_MAX;
  float buf[SLICE_MAX] __attribute__((aligned (64)));
  for (gsize p0 = 0; p0 < w->panels && p0 * RNN_PANEL < w->rows;
      p0 += TILE_PB) {
    const float *wp = w->data + ((p0 / RNN_PANEL_GROUP) * K * RNN_PANEL_GROUP
        + p0 % RNN_PANEL_GROUP) * RNN_PANEL;
    if (copy) {
      for (gsize k = 0; k < K; k++)
        memcpy (buf + k * TILE_PB * RNN_PANEL,
            wp + k * RNN_PANEL_GROUP * RNN_PANEL,
            TILE_PB * RNN_PANEL * sizeof (float));
      panel_rows (x, n, ldx, buf, TILE_PB, K, y, ldy, p0 * RNN_PANEL,
          w->rows, accumulate, NULL, 0, NULL, 0);
    } else {
      panel_rows (x, n, ldx, wp, RNN_PANEL_GROUP, K, y, ldy, p0 * RNN_PANEL,
          w->rows, accumulate, NULL, 0, NULL, 0);
    }
  }
}

/* Floats of weights per slice block (TILE_PB panels x BLOCK_K columns).
 * One-panel slices (AVX2, c): 4 KB, 64 columns.  Against 16 KB blocks on
 * AVX2 (AMD EPYC, bench_gemm, best of 4-5 alternated runs, three series):
 * 0.66-0.94x the time on the h1024 recurrent products (16 and 64 x 1024
 * x 4096, 64 x 1024 x 3072), 0.76-1.05x on 64 x 256 x 4096, 0.78-1.07x
 * on the h256 ones, where an unchanged shape moved by up to 1.26x; whole
 * steps (bench_core, best of 4): h1024 0.82-0.97x, h256 0.83-1.04x.
 * Wider slices (AVX-512, NEON) keep 16 KB, half of a 32 KB L1: not
 * measured with less, no such CPU here. */
#if TILE_PB == 1
#define BLOCK_FLOATS 1024
#else
#define BLOCK_FLOATS 4096
#endif
#define BLOCK_K (BLOCK_FLOATS / (TILE_PB * RNN_PANEL))
/* Rows per chunk: their inputs over one block (rows x BLOCK_K floats) stay
 * in L2 while every slice passes over them; their partial sums (rows x
 * TILE_PB x 16 floats, 32 KB at most, on the stack) stay in L1 or L2. */
#define CHUNK_FLOATS 32768
#define PART_FLOATS 8192

/* Many rows over the weights in the slice layout (w->many, see kernels.h):
 * a block of each slice is read contiguously from L1 by every row tile of
 * a chunk of rows.  Long columns are cut into blocks of BLOCK_K; a tile
 * leaves its sums in @part between blocks and picks them up again, so each
 * output is still the one sum over k = 0 .. K-1 in order (then + y with
 * @accumulate), bit for bit the sum of the other paths. */
static void
gemm_blocked (const float *x, gsize n, gsize ldx, const RnnPacked * w,
    const float *many, float *y, gsize ldy, gboolean accumulate)
{
  const gsize K = w->cols, S = TILE_PB * RNN_PANEL;    /* outputs per slice */
  const gsize kc = MIN (K, (gsize) BLOCK_K);
  gsize mc = MIN (CHUNK_FLOATS / kc, PART_FLOATS / S);
  mc = MAX (mc / TILE_RB, 1) * TILE_RB;
  float part[PART_FLOATS] __attribute__((aligned (64)));
  for (gsize r0 = 0; r0 < n; r0 += mc) {
    const gsize nr = MIN (mc, n - r0);
    const float *xr = x + r0 * ldx;
    float *yr = y + r0 * ldy;
    for (gsize p0 = 0; p0 < w->panels && p0 * RNN_PANEL < w->rows;
        p0 += TILE_PB) {
      const float *ws = many + p0 * K * RNN_PANEL;      /* (K, TILE_PB, 16) */
      const gboolean last_slice = p0 + TILE_PB >= w->panels;
      for (gsize k0 = 0; k0 < K; k0 += kc) {
        const gsize kn = MIN (kc, K - k0);
        const float *init = k0 ? part : NULL;
        /* the next block: of this slice, or the next slice's first */
        const gboolean next = RNN_PREFETCH && !(last_slice && k0 + kn == K);
        const char *pf = next ? (const char *) (ws + (k0 + kn) * S) : NULL;
        const gsize next_k = k0 + kn < K ? MIN (kc, K - (k0 + kn)) : kc;
        const gsize pf_lines = next ? next_k * S * sizeof (float) / 64 : 0;
        if (k0 + kn == K)
          panel_rows (xr + k0, nr, ldx, ws + k0 * S, TILE_PB, kn, yr, ldy,
              p0 * RNN_PANEL, w->rows, accumulate, init, S, pf, pf_lines);
        else
          panel_rows (xr + k0, nr, ldx, ws + k0 * S, TILE_PB, kn, part, S,
              0, S, FALSE, init, S, pf, pf_lines);
      }
    }
  }
}

#ifndef RNN_GEMM_MANY_ROWS
#define RNN_GEMM_MANY_ROWS 8    /* from this many rows ... */
#endif
#define RNN_GEMM_MANY_K 128     /* ... and columns this long: gemm_many */

/* Which order by shape: with short columns (an input of 64 features) the
 * row tiles over all panels were as fast or faster (AMD EPYC, AVX2, min
 * of 3: 64x64x1024 95 us vs 117, 160x64x1024 233 vs 259); with K >= 128
 * the weight slices won (16x256x1024 100 vs 137, 160x256x1024 1005 vs
 * 1293). */
static void
k_gemm (const float *x, gsize n, gsize ldx, const RnnPacked * w, float *y,
    gsize ldy, gboolean accumulate)
{
  const float *many = __atomic_load_n (&w->many, __ATOMIC_ACQUIRE);
  if (n >= RNN_GEMM_MANY_ROWS && many) {
    gemm_blocked (x, n, ldx, w, many, y, ldy, accumulate);
    return;
  }
  if (n >= RNN_GEMM_MANY_ROWS && w->cols >= RNN_GEMM_MANY_K) {
    gemm_many (x, n, ldx, w, y, ldy, accumulate);
    return;
  }
  gsize r0 = 0;
#if TILE_R_MAX >= 6
  for (; n - r0 >= 6; r0 += 6)
    rows_tile (x + r0 * ldx, ldx, 6, w, TILE_P, y + r0 * ldy, ldy,
        accumulate);
  if (n - r0 >= 4) {
    rows_tile (x + r0 * ldx, ldx, 4, w, TILE_P, y + r0 * ldy, ldy,
        accumulate);
    r0 += 4;
  }
#endif
#if TILE_R_MAX >= 3
  for (; n - r0 >= 3; r0 += 3)
    rows_tile (x + r0 * ldx, ldx, 3, w, TILE_P, y + r0 * ldy, ldy,
        accumulate);
  if (n - r0 >= 2) {
    rows_tile (x + r0 * ldx, ldx, 2, w, TILE_P, y + r0 * ldy, ldy,
        accumulate);
    r0 += 2;
  }
#endif
  for (; r0 < n; r0++)
    rows_tile (x + r0 * ldx, ldx, 1, w, TILE_P_WIDE, y + r0 * ldy, ldy,
        accumulate);
}

const RnnKernels KERNEL_SET = {
  .name = KERNEL_NAME,
  .slice_panels = TILE_PB,
  .gemm = k_gemm,
  .rnn = k_rnn,
  .lstm = k_lstm,
  .gru = k_gru,
  .softmax = k_softmax,
  .sigmoid = k_sigmoid_vec,
};

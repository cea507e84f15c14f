/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The float32 kernels, written once and compiled per kernel set (through
 * kernels_set.h, from set_NAME.c, built with the set's -m flags).  The
 * products' inner tile is the set's own (KERNEL_TILES: tiles_avx512.h,
 * tiles_avx2.h, tiles_neon.h or the portable tiles_c.h); the rest here
 * (row and slice orders, blocking) is shared.  The pointwise code
 * (kernels_act.h) is plain C that the compiler vectorises for the target,
 * with explicit vectors on AVX2. */
#include "kernels.h"

#include <string.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
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

#include KERNEL_TILES       /* tile(), TILE_* (the set file names it) */

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

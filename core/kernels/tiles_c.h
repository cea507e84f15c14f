/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The portable float32 tile: GCC/Clang vector extensions, 4 floats a
 * vector (SSE2 on baseline x86-64, NEON on ARM, plain registers
 * elsewhere); included by kernels_impl.h (KERNEL_TILES). */

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

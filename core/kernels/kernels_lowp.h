/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: weights in reduced precision (bfloat16, int8), packed once at
 * load, and their products.  Pure functions over the caller's buffers; no
 * allocation (except rnn_pack_lowp), no global mutable state.
 *
 * The activations and the state stay float32; only the weights shrink:
 *
 * BF16: each weight rounded to bfloat16 (nearest even).  A product widens
 *   the weights back to float32 in registers (a shift or a mask: bf16 is
 *   the top half of a float32) and accumulates in float32, so its only
 *   error is the weights' rounding (relative 2^-9).
 *   Layout (in RnnPacked.data): the panels and groups of RnnPacked, 16 bf16 per
 *   (column k, panel), rows interleaved so that 32-bit lane t holds row t
 *   in its low half and row t+8 in its high half:
 *     q[((g*K + k)*8 + p)*16 + 2t]   = W[(g*8+p)*16 + t][k]
 *     q[((g*K + k)*8 + p)*16 + 2t+1] = W[(g*8+p)*16 + 8 + t][k]
 *
 * I8: each row m of W scaled by s_m = max|W[m]|/127 and rounded to int8
 *   (symmetric, -127..127).  A product quantises each input row x_r per
 *   call to 7 bits, u8 = round(x/a_r) + 64 with a_r = max|x_r|/63 (the
 *   "reduce_range" of PyTorch's dynamic quantisation on x86: u8 x s8
 *   pairs then fit an int16, so AVX2's vpmaddubsw never saturates), sums
 *   the u8 x s8 products in int32 (exact, the same in every kernel set),
 *   removes the zero point with the precomputed -64 * sum_k q[m][k], and
 *   scales by a_r * s_m.  A row of x holding NaN or infinity gives NaN.
 *   Layout (in RnnPacked.data): K padded to Kp (a multiple of 4, zero weights), 4 consecutive
 *   columns of a row in one 32-bit lane (the VNNI order):
 *     q[((g*Kp/4 + k/4)*8 + p)*64 + i*4 + k%4] = Q[(g*8+p)*16 + i][k]
 *   scale[m] = s_m; columns are summed in chunks of RNN_LOWP_KC (one for
 *   K <= 4096) and rowsum holds -64 * sum of row m over chunk c at
 *   rowsum[(g*chunks + c)*128 + m%128] (group-major, so a range of groups
 *   is a contiguous view, as for the float32 panels). */
#ifndef RNN_KERNELS_LOWP_H
#define RNN_KERNELS_LOWP_H

#include "kernels.h"

G_BEGIN_DECLS

#define RNN_LOWP_KC 4096        /* int8: columns per quantised chunk */

/* Pack W (M, K) row-major in @format (RNN_FORMAT_F32 is rnn_pack()), for
 * the products of kernel set @k, and choose its product (RnnPacked
 * .product).  FALSE on allocation failure.  Free with rnn_packed_clear(). */
gboolean rnn_pack_lowp (const float *w, gsize M, gsize K, RnnFormat format,
    const RnnKernels * k, RnnPacked * out);

/* y (n, M) = x . W^T (or +=) for a W in a reduced format: its product
 * (RnnPacked.product). */
void rnn_lowp_gemm (const float *x, gsize n, gsize ldx, const RnnPacked * w,
    float *y, gsize ldy, gboolean accumulate);

/* Part @part of @n_parts of that product (rnn_packed_part()). */
void rnn_lowp_gemm_part (const float *x, gsize n, gsize ldx,
    const RnnPacked * w, float *y, gsize ldy, gboolean accumulate,
    guint part, guint n_parts);

/* bfloat16 <-> float32 (round to nearest even; NaN stays NaN). */
guint16 rnn_f32_to_bf16 (float f);
float rnn_bf16_to_f32 (guint16 b);

G_END_DECLS

#endif

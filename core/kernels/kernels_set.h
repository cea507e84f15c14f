/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One kernel set: the float32 kernels (kernels_impl.h) and the bf16 and
 * int8 products (kernels_lowp_impl.h) compiled for one instruction set,
 * and its table, rnn_kernels_ID.  Included once, by set_ID.c, which
 * defines before it:
 *   KERNEL_ID          the set's name as a bare word (avx2)
 *   KERNEL_NEEDS       the RnnCpuFeature bits it needs (0: none)
 *   KERNEL_TILES       its float32 tile file ("tiles_avx2.h")
 *   KERNEL_LOWP_TILES  its bf16/int8 tile file ("tiles_lowp_avx2.h")
 * and is built with the set's -m flags (kernels/meson.build, whose list of
 * sets also names it). */
#include "kernels_impl.h"
#include "kernels_lowp_impl.h"

#define KERNEL_CAT_(a, b) a##b
#define KERNEL_CAT(a, b) KERNEL_CAT_(a, b)
#define KERNEL_STR_(a) #a
#define KERNEL_STR(a) KERNEL_STR_(a)

const RnnKernels KERNEL_CAT (rnn_kernels_, KERNEL_ID) = {
  .name = KERNEL_STR (KERNEL_ID),
  .needs = KERNEL_NEEDS,
  .slice_panels = TILE_PB,
  .gemm = k_gemm,
  .gemm_bf16 = k_gemm_bf16,
  .gemm_i8 = k_gemm_i8,
  .rnn = k_rnn,
  .lstm = k_lstm,
  .gru = k_gru,
  .softmax = k_softmax,
  .sigmoid = k_sigmoid_vec,
};

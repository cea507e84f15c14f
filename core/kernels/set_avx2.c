/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel set "avx2": AVX2 + FMA, 256-bit tiles for all three formats. */
#define KERNEL_ID avx2
#define KERNEL_NEEDS (RNN_CPU_AVX2 | RNN_CPU_FMA)
#define KERNEL_TILES "tiles_avx2.h"
#define KERNEL_LOWP_TILES "tiles_lowp_avx2.h"
#include "kernels_set.h"

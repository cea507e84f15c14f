/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel set "avx512": AVX-512 F/VL float32 tiles; bf16 and int8 on the
 * AVX2 tiles (for CPUs without AVX512_BW and AVX512_VNNI). */
#define KERNEL_ID avx512
#define KERNEL_NEEDS (RNN_CPU_AVX512F | RNN_CPU_AVX512VL | RNN_CPU_AVX2 | RNN_CPU_FMA)
#define KERNEL_TILES "tiles_avx512.h"
#define KERNEL_LOWP_TILES "tiles_lowp_avx2.h"
#include "kernels_set.h"

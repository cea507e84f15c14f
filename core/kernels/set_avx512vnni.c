/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel set "avx512vnni": the AVX-512 float32 tiles; bf16 and int8 on
 * 512-bit tiles, int8 through VNNI's vpdpbusd. */
#define KERNEL_ID avx512vnni
#define KERNEL_NEEDS (RNN_CPU_AVX512F | RNN_CPU_AVX512VL | RNN_CPU_AVX512BW | RNN_CPU_AVX512VNNI | RNN_CPU_AVX2 | RNN_CPU_FMA)
#define KERNEL_TILES "tiles_avx512.h"
#define KERNEL_LOWP_TILES "tiles_lowp_avx512vnni.h"
#include "kernels_set.h"

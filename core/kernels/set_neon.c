/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel set "neon": aarch64 Advanced SIMD (baseline there) for float32;
 * bf16 and int8 on the portable tiles. */
#define KERNEL_ID neon
#define KERNEL_NEEDS 0
#define KERNEL_TILES "tiles_neon.h"
#define KERNEL_LOWP_TILES "tiles_lowp_c.h"
#include "kernels_set.h"

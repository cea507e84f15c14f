/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel set "c": portable C (vector extensions), on every CPU. */
#define KERNEL_ID c
#define KERNEL_NEEDS 0
#define KERNEL_TILES "tiles_c.h"
#define KERNEL_LOWP_TILES "tiles_lowp_c.h"
#include "kernels_set.h"

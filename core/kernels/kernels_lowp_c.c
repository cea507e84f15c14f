/* The reduced-precision products for kernel set "c"; see
 * kernels_lowp_impl.h. */
#define LOWP_KERNEL_SET rnn_lowp_kernels_c
#define LOWP_KERNEL_NAME "c"
#include "kernels_lowp_impl.h"

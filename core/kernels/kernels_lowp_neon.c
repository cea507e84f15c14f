/* The reduced-precision products for kernel set "neon"; see
 * kernels_lowp_impl.h. */
#define LOWP_KERNEL_SET rnn_lowp_kernels_neon
#define LOWP_KERNEL_NAME "neon"
#include "kernels_lowp_impl.h"

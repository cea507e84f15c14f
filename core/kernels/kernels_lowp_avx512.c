/* The reduced-precision products for kernel set "avx512"; see
 * kernels_lowp_impl.h. */
#define LOWP_KERNEL_SET rnn_lowp_kernels_avx512
#define LOWP_KERNEL_NAME "avx512"
#include "kernels_lowp_impl.h"

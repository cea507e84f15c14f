/* The reduced-precision products for kernel set "avx2"; see
 * kernels_lowp_impl.h. */
#define LOWP_KERNEL_SET rnn_lowp_kernels_avx2
#define LOWP_KERNEL_NAME "avx2"
#include "kernels_lowp_impl.h"

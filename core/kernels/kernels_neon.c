/* The kernel set "neon" (aarch64; Advanced SIMD is baseline there); see
 * kernels_impl.h. */
#define KERNEL_SET rnn_kernels_neon
#define KERNEL_NAME "neon"
#define KERNEL_NEON 1
#include "kernels_impl.h"

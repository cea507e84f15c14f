/* The kernel set "avx512"; see kernels_impl.h. */
#define KERNEL_SET rnn_kernels_avx512
#define KERNEL_NAME "avx512"
#include "kernels_impl.h"

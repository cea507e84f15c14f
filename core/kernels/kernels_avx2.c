/* The kernel set "avx2"; see kernels_impl.h. */
#define KERNEL_SET rnn_kernels_avx2
#define KERNEL_NAME "avx2"
#include "kernels_impl.h"

/* The kernel set "c"; see kernels_impl.h. */
#define KERNEL_SET rnn_kernels_c
#define KERNEL_NAME "c"
#include "kernels_impl.h"

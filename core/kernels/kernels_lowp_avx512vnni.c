/* The reduced-precision products for kernel set "avx512" on a CPU with
 * AVX512_BW and AVX512_VNNI (chosen at run time by rnn_lowp_kernels_for;
 * built with those -m flags, in this object only); see
 * kernels_lowp_impl.h. */
#define LOWP_KERNEL_SET rnn_lowp_kernels_avx512vnni
#define LOWP_KERNEL_NAME "avx512"
#define LOWP_AVX512 1
#include "kernels_lowp_impl.h"

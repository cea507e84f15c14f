/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the compute kernels.  Pure functions over the caller's buffers;
 * no allocation (except rnn_pack), no global mutable state.
 *
 * A kernel set is one table (RnnKernels) holding an instruction set's
 * float32, bf16 and int8 products and its cells, compiled from one file,
 * set_NAME.c, which names the tiles it uses (tiles_*.h) and the CPU
 * features it needs; kernels_set.h turns that into the table.  The sets,
 * best first, are listed once, in kernels/meson.build: it builds them,
 * hands the list to kernels.c (RNN_KERNEL_SETS, read by
 * rnn_kernels_all() and so by the choice below, its warning and the
 * tests) and runs the conformance tests once per set the CPU has.
 * rnn_kernels_select() picks the best one the CPU runs (or the one named
 * by $RNN_KERNEL); the model keeps the pointer, so a model always runs
 * one kernel set. */
#ifndef RNN_KERNELS_H
#define RNN_KERNELS_H

#include <glib.h>

G_BEGIN_DECLS

#define RNN_PANEL 16            /* output rows per packed panel */
#define RNN_PANEL_GROUP 8       /* panel count is padded to a multiple */

/* A weight matrix W (M, K), row-major in PyTorch, packed once at load into
 * panels of 16 rows, and panels into groups of 8 interleaved by column:
 *   data[g][k][p][i] = W[(g*8 + p)*16 + i][k]   (zero beyond M)
 * so a product streams the weights contiguously (128 rows x 1 column =
 * 512 bytes per step of k) with no horizontal sums. */
typedef enum {
  RNN_FORMAT_F32 = 0,           /* data as above (the default) */
  RNN_FORMAT_BF16,              /* bfloat16 panels, kernels_lowp.h */
  RNN_FORMAT_I8                 /* int8 panels + per-row scale */
} RnnFormat;

typedef struct _RnnPacked RnnPacked;

/* y (n, M) (row stride ldy) = x (n, K) (row stride ldx) . W^T, or y += ...
 * with @accumulate: the one signature of every product. */
typedef void (*RnnGemmFunc) (const float *x, gsize n, gsize ldx,
    const RnnPacked * w, float *y, gsize ldy, gboolean accumulate);

struct _RnnPacked {
  float *data;                  /* (groups, K, 8, 16), 64-byte aligned;
                                 * other formats: kernels_lowp.h layouts */
  gsize rows;                   /* M */
  gsize cols;                   /* K */
  gsize panels;                 /* ceil(M/16) rounded up to RNN_PANEL_GROUP */
  /* The product for this matrix, chosen once when rnn_pack_lowp() packs
   * it, for its format and kernel set: RnnKernels.gemm for F32, the
   * RnnKernels.gemm_bf16 or .gemm_i8 of the same set otherwise.  Callers never test
   * the format: they call w->product (x, n, ldx, w, y, ldy, acc).  NULL
   * after a bare rnn_pack() (tests and benchmarks call a set's gemm). */
  RnnGemmFunc product;
  /* Reduced precision (kernels_lowp.h); all zero for RNN_FORMAT_F32. */
  RnnFormat format;
  float *scale;                 /* I8: (panels*16) per-row scales */
  gint32 *rowsum;               /* I8: -64 x row sums per column chunk */
  /* F32 only, NULL until rnn_pack_slices(): the same matrix in the slice
   * layout of one kernel set, whose slices are S = RnnKernels.slice_panels
   * panels:
   *   many[s][k][p][i] = W[(s*S + p)*16 + i][k]   (zero beyond M)
   * so the K columns of a slice are contiguous (K x S x 64 bytes) and a
   * block of them stays in L1 while many rows pass.  Panel p starts at
   * float p*K*16 in both layouts.  Written once (atomically) and read with
   * g_atomic_pointer_get(): products running meanwhile use data. */
  float *many;
};

/* Returns FALSE on allocation failure (sizes too large). */
gboolean rnn_pack (const float *w, gsize M, gsize K, RnnPacked * out);
/* Adds the slice layout for slices of @slice_panels panels (a divisor of
 * RNN_PANEL_GROUP) to an F32 matrix that has none.  FALSE on allocation
 * failure (the matrix is unchanged and still usable).  Not thread-safe
 * against another rnn_pack_slices() of the same matrix: callers
 * serialise. */
gboolean rnn_pack_slices (RnnPacked * p, guint slice_panels);
void rnn_packed_clear (RnnPacked * p);
/* Part @part of @n_parts of @w, for threads that split one product by
 * output rows: the panel groups [groups*part/n_parts,
 * groups*(part+1)/n_parts) as a view of @w (no copy; same format and
 * product) into @view, whose output rows start at row *@row0.  FALSE
 * when the part is empty.  Any format (kernels_lowp.c knows them all). */
gboolean rnn_packed_part (const RnnPacked * w, guint part, guint n_parts,
    RnnPacked * view, gsize * row0);

/* CPU features a kernel set needs (RnnKernels.needs). */
typedef enum {
  RNN_CPU_AVX2 = 1 << 0,
  RNN_CPU_FMA = 1 << 1,
  RNN_CPU_AVX512F = 1 << 2,
  RNN_CPU_AVX512BW = 1 << 3,
  RNN_CPU_AVX512VL = 1 << 4,
  RNN_CPU_AVX512VNNI = 1 << 5,
} RnnCpuFeature;

typedef struct {
  const char *name;             /* as $RNN_KERNEL names it */
  guint needs;                  /* RnnCpuFeature bits; 0: runs anywhere
                                 * it is built */
  guint slice_panels;           /* panels per slice of RnnPacked.many */
  /* y (n, M) (row stride ldy) = x (n, K) (row stride ldx) . W^T,
   * or y += ... with @accumulate.  From 8 rows it reads w->many when the
   * matrix has it (packed for this set); each output is the same sum in
   * the same order either way. */
  RnnGemmFunc gemm;
  /* The same product for W in RNN_FORMAT_BF16 and RNN_FORMAT_I8
   * (kernels_lowp.h); RnnPacked.product points to one of these three. */
  RnnGemmFunc gemm_bf16;
  RnnGemmFunc gemm_i8;
  /* One step of B streams.  pre: (B, G*H) rows of stride ldp holding
   * W_ih x + W_hh h (all blocks; GRU: see below); @bias (G*H) is added
   * to each row first thing (pre + bias, the same order on every path,
   * so a stream's numbers do not depend on the batch).  Pure functions
   * of their arguments: any thread, no allocation.
   * RNN:  h = act(pre + bias)
   * LSTM: c = f*c + i*g; hc = o*tanh(c)   (hc is h without projection)
   * GRU:  gx (B, 3H) stride ldp = W_ih x, @bias = b_ih + [b_hr, b_hz, 0],
   *       gh (B, 3H) contiguous = W_hh h;  h = (1-z)*n + z*h. */
  void (*rnn) (const float *pre, gsize ldp, const float *bias, float *h,
      guint B, guint H, gboolean relu);
  void (*lstm) (const float *pre, gsize ldp, const float *bias, float *hc,
      float *c, guint B, guint H);
  void (*gru) (const float *gx, gsize ldp, const float *bias,
      const float *gh, const float *b_hn, float *h, guint B, guint H);
  void (*softmax) (float *x, gsize n);
  void (*sigmoid) (float *x, gsize n);
} RnnKernels;

/* The sets built, best first: X(name) for each, from kernels/meson.build
 * (RNN_KERNEL_SETS; the portable set alone when a build does not say). */
#ifndef RNN_KERNEL_SETS
#define RNN_KERNEL_SETS X(c)
#endif
#define X(name) extern const RnnKernels rnn_kernels_##name;
RNN_KERNEL_SETS
#undef X

/* Every kernel set built, best first (@n gets the count); static data.
 * Thread-safe. */
const RnnKernels *const *rnn_kernels_all (guint * n);
/* Whether this CPU has every feature @k needs.  Thread-safe. */
gboolean rnn_kernels_cpu_can (const RnnKernels * k);
/* The kernel set for this CPU, honouring $RNN_KERNEL when the CPU can run
 * it.  Thread-safe. */
const RnnKernels *rnn_kernels_select (void);

G_END_DECLS

#endif

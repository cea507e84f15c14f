/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the structure tests (test_mode_*.c): drive an RnnRunner
 * with the input of a PyTorch fixture cut into uneven blocks, and compare
 * within RNN_TEST_TOLERANCE.  Test code only. */
#ifndef RNN_RUN_TEST_H
#define RNN_RUN_TEST_H

#include <check.h>

#include "rnn.h"
#include "rnn-test-util.h"

G_BEGIN_DECLS

/* Block sizes that cut a stream unevenly (cycled). */
extern const guint rnn_run_test_splits[8];

/* A copy of frames [t0, t0 + k) of a (T, B, W) / (B, T, W) block, one
 * byte past a float boundary when @unaligned (the runner must cope). */
typedef struct {
  guint8 *mem;
  guint8 *data;
} RnnTestBlock;

void rnn_test_block_cut (RnnTestBlock * blk, const float *data, guint T,
    guint B, guint W, gboolean batch_first, guint t0, guint k,
    gboolean unaligned);
void rnn_test_block_clear (RnnTestBlock * blk);

/* Results of pushing a whole input through a window structure: every
 * result's data copied, in order. */
typedef struct {
  GPtrArray *data;              /* float* per result */
  GArray *start;                /* guint64 */
  GArray *n_frames;             /* guint */
  GArray *n_out;                /* guint */
} RnnTestResults;

/* Push @T frames of @input in uneven blocks (unaligned every other block),
 * then drain with @partial; @floats_per_out: floats in one output frame of
 * all streams (B x O). */
RnnTestResults *rnn_test_push_all (RnnRunner * r, const float *input,
    guint T, gboolean batch_first, RnnPartial partial, gsize floats_per_out);
void rnn_test_results_free (RnnTestResults * res);

/* The run configuration of a streaming-mode fixture (gen_modes.py). */
RnnRunConfig rnn_test_mode_config (const RnnModeCase * c);
/* Its model(s): the encoder (and *@decoder) in n-to-m. */
RnnModel *rnn_test_mode_model (const RnnModeCase * c, RnnModel ** decoder);
/* The mode cases of one mode ("n-to-1", ...), borrowed from @all. */
GPtrArray *rnn_test_mode_cases_of (GPtrArray * all, const char *mode);

/* Fail the test unless |got - want| <= RNN_TEST_TOLERANCE everywhere. */
void rnn_test_check_close (const char *name, const char *what,
    const float *got, const float *want, gsize n);

G_END_DECLS

#endif

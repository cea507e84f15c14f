/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the RnnState, shared by its lifecycle (state.c) and the
 * forward pass (forward.c), and the thread bookkeeping of the forward
 * pass.  Thread rules as rnn.h says for RnnState: one thread at a time. */
#ifndef RNN_STATE_PRIVATE_H
#define RNN_STATE_PRIVATE_H

#include "rnn-private.h"
#include "kernels.h"
#include "pool.h"

G_BEGIN_DECLS

/* From this many streams, a step's products take the rows of all the
 * streams at once, over the model's slice layout (added by the first such
 * state; kernels_impl.h gemm_blocked), and the input projection is made
 * per step, so the step's gates stay in cache between the products and
 * the gate math; below it, the input projection of the whole call is one
 * product.  With threads, from twice this many streams a call is split by
 * streams. */
#define RNN_BATCH_MIN 8

/* The forward pass's threads: the pool (NULL: single-threaded), whether
 * its workers lag, and, for calls split by streams, each thread's share
 * of the streams (its measured speed over all of theirs, smoothed), the
 * bounds and times of the last parts. */
typedef struct {
  RnnPool *pool;
  guint lagged;                 /* products in a row a worker lagged */
  guint solo;                   /* products left to do without workers */
  double share[RNN_POOL_MAX_THREADS];
  guint bounds[RNN_POOL_MAX_THREADS + 1];
  gint64 part_us[RNN_POOL_MAX_THREADS];
} RnnThreads;

struct _RnnState {
  RnnModel *model;
  guint batch;                  /* B */
  guint max_frames;             /* frames per internal chunk */
  float *h;                     /* (L*D, B, H_out) */
  float *c;                     /* (L*D, B, H), LSTM only */
  /* Scratch, sized once in rnn_state_new(). */
  float *xt;                    /* (max_frames, B, F) batch-first input, transposed */
  float *gx;                    /* (max_frames, B, G*H) input projection */
  float *gh;                    /* (B, G*H) recurrent projection */
  float *hc;                    /* (B, H) o*tanh(c) before the LSTM projection */
  float *y[2];                  /* (max_frames, B, D*H_out) layer outputs */
  float *head;                  /* (max_frames, B, O) */
  float *mem;                   /* one block holding all of the above */
  RnnThreads threads;
};

G_END_DECLS

#endif

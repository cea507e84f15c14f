/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: a pool of worker threads that runs one job at a time, split
 * into parts.  It knows nothing of states, weights or products: a job is
 * a function and its data.
 *
 * Thread rules: a pool has one owner thread, the only one that may call
 * rnn_pool_run() and rnn_pool_free(); the workers only run the parts the
 * owner hands them.  rnn_pool_new() may be called from any thread.  The
 * owner spins briefly while parts run, so a pool is for jobs of
 * microseconds to milliseconds, many per second. */
#ifndef RNN_POOL_H
#define RNN_POOL_H

#include <glib.h>

G_BEGIN_DECLS

#define RNN_POOL_MAX_THREADS 8

typedef struct _RnnPool RnnPool;

/* Part @part (0 .. @n_parts - 1) of a job.  Parts of one job run at once
 * on different threads: each must write its own memory. */
typedef void (*RnnPoolFunc) (gpointer job, guint part, guint n_parts);

/* A pool of @n_threads threads in all (2 .. RNN_POOL_MAX_THREADS): the
 * owner and n_threads - 1 workers, started here.  NULL with @error set
 * when a thread cannot be started (none is left running). */
RnnPool *rnn_pool_new (guint n_threads, GError ** error);
/* Stops and joins the workers.  NULL is ignored.  Owner thread only. */
void rnn_pool_free (RnnPool * p);
/* The thread count given to rnn_pool_new().  Any thread. */
guint rnn_pool_get_n_threads (const RnnPool * p);
/* Runs @fn (@job, part, n) for every part: part 0 on the calling (owner)
 * thread, the others on the workers, and returns when all are done.
 * @job must stay valid until then.  Returns how long the owner waited for
 * the workers after its own part, in pause loops (about 25 ns each): a
 * worker the OS has descheduled shows as thousands. */
guint rnn_pool_run (RnnPool * p, RnnPoolFunc fn, gpointer job);

G_END_DECLS

#endif

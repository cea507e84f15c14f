/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A pool of worker threads (pool.h): workers spin briefly for the next
 * job, then sleep on a condition variable. */
#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause ()
#else
#define CPU_RELAX() do { } while (0)
#endif

#define SPIN_LIMIT 4000         /* pause loops (~100 us) before sleeping */

typedef struct {
  RnnPool *pool;
  guint index;                  /* 1 .. n_threads-1; 0 is the owner */
  GThread *thread;
} Worker;

struct _RnnPool {
  guint n_threads;
  RnnPoolFunc fn;               /* the job, written by the owner before */
  gpointer job;                 /* it bumps `generation` */
  gint generation;              /* bumped once per job (atomic) */
  gint done;                    /* workers finished with this job (atomic) */
  gint quit;
  gint sleepers;                /* workers blocked on cond */
  GMutex lock;
  GCond cond;
  Worker workers[RNN_POOL_MAX_THREADS];
};

static gpointer
worker_main (gpointer data)
{
  Worker *wk = data;
  RnnPool *p = wk->pool;
  gint seen = 0;
  for (;;) {
    guint spins = 0;
    gint gen;
    while ((gen = g_atomic_int_get (&p->generation)) == seen &&
        !g_atomic_int_get (&p->quit)) {
      if (++spins < SPIN_LIMIT) {
        CPU_RELAX ();
        continue;
      }
      g_mutex_lock (&p->lock);
      g_atomic_int_inc (&p->sleepers);
      while (g_atomic_int_get (&p->generation) == seen &&
          !g_atomic_int_get (&p->quit))
        g_cond_wait (&p->cond, &p->lock);
      g_atomic_int_add (&p->sleepers, -1);
      g_mutex_unlock (&p->lock);
      spins = 0;
    }
    if (g_atomic_int_get (&p->quit))
      return NULL;
    seen = gen;
    p->fn (p->job, wk->index, p->n_threads);
    g_atomic_int_inc (&p->done);
  }
}

RnnPool *
rnn_pool_new (guint n_threads, GError ** error)
{
  g_return_val_if_fail (n_threads >= 2 && n_threads <= RNN_POOL_MAX_THREADS,
      NULL);
  RnnPool *p = g_new0 (RnnPool, 1);
  p->n_threads = n_threads;
  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  for (guint i = 1; i < n_threads; i++) {
    p->workers[i].pool = p;
    p->workers[i].index = i;
    p->workers[i].thread = g_thread_try_new ("rnn-worker", worker_main,
        &p->workers[i], error);
    if (!p->workers[i].thread) {
      p->n_threads = i;         /* join the ones started */
      rnn_pool_free (p);
      return NULL;
    }
  }
  return p;
}

void
rnn_pool_free (RnnPool * p)
{
  if (!p)
    return;
  g_mutex_lock (&p->lock);
  g_atomic_int_set (&p->quit, 1);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
  for (guint i = 1; i < p->n_threads; i++)
    if (p->workers[i].thread)
      g_thread_join (p->workers[i].thread);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
}

guint
rnn_pool_get_n_threads (const RnnPool * p)
{
  return p->n_threads;
}

guint
rnn_pool_run (RnnPool * p, RnnPoolFunc fn, gpointer job)
{
  p->fn = fn;
  p->job = job;
  g_atomic_int_set (&p->done, 0);
  g_atomic_int_inc (&p->generation);        /* publishes the job */
  if (g_atomic_int_get (&p->sleepers)) {
    g_mutex_lock (&p->lock);
    g_cond_broadcast (&p->cond);
    g_mutex_unlock (&p->lock);
  }
  fn (job, 0, p->n_threads);
  /* spin briefly for the workers, then let the OS run one it has
   * descheduled rather than burn the rest of the time slice */
  guint spins = 0;
  for (; g_atomic_int_get (&p->done) != (gint) p->n_threads - 1; spins++) {
    if (spins < SPIN_LIMIT)
      CPU_RELAX ();
    else
      g_thread_yield ();
  }
  return spins;
}

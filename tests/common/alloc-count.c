/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "alloc-count.h"

#ifdef RNN_TEST_COUNT_ALLOCS
#include <stddef.h>

extern void *__libc_malloc (size_t);
extern void *__libc_calloc (size_t, size_t);
extern void *__libc_realloc (void *, size_t);
extern void *__libc_memalign (size_t, size_t);
extern void __libc_free (void *);

static volatile gint n_allocs;

void *malloc (size_t n);
void *calloc (size_t a, size_t b);
void *realloc (void *p, size_t n);
void free (void *p);
int posix_memalign (void **p, size_t align, size_t n);
void *aligned_alloc (size_t align, size_t n);
void *memalign (size_t align, size_t n);

gint
rnn_test_alloc_count (void)
{
  return g_atomic_int_get (&n_allocs);
}

void *
malloc (size_t n)
{
  g_atomic_int_inc (&n_allocs);
  return __libc_malloc (n);
}

void *
calloc (size_t a, size_t b)
{
  g_atomic_int_inc (&n_allocs);
  return __libc_calloc (a, b);
}

void *
realloc (void *p, size_t n)
{
  g_atomic_int_inc (&n_allocs);
  return __libc_realloc (p, n);
}

int
posix_memalign (void **p, size_t align, size_t n)
{
  g_atomic_int_inc (&n_allocs);
  *p = __libc_memalign (align, n);
  return *p ? 0 : 12;
}

void *
aligned_alloc (size_t align, size_t n)
{
  g_atomic_int_inc (&n_allocs);
  return __libc_memalign (align, n);
}

void *
memalign (size_t align, size_t n)
{
  g_atomic_int_inc (&n_allocs);
  return __libc_memalign (align, n);
}

void
free (void *p)
{
  __libc_free (p);
}
#endif

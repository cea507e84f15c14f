/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: counts every malloc, calloc, realloc and aligned
 * allocation of the whole process (the definitions interpose libc's), so a
 * test can show that a code path allocates nothing.  Link alloc-count.c
 * into the test executable itself.  Compiled out under AddressSanitizer,
 * which owns malloc: RNN_TEST_COUNT_ALLOCS is then undefined. */
#ifndef RNN_TEST_ALLOC_COUNT_H
#define RNN_TEST_ALLOC_COUNT_H

#include <glib.h>

#ifndef __SANITIZE_ADDRESS__
#define RNN_TEST_COUNT_ALLOCS 1
/* Allocations made so far by the process (any thread). */
gint rnn_test_alloc_count (void);
#endif

#endif

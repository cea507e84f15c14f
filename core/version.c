/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The version of the library running (rnn.h, rnn-version.h). */
#include "rnn.h"

void
rnn_version (guint * major, guint * minor, guint * micro)
{
  if (major)
    *major = RNN_VERSION_MAJOR;
  if (minor)
    *minor = RNN_VERSION_MINOR;
  if (micro)
    *micro = RNN_VERSION_MICRO;
}

const char *
rnn_version_string (void)
{
  return RNN_VERSION_STRING;
}

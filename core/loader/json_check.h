/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: a strict RFC 8259 check of a safetensors header, run before
 * json-glib parses it.  json-glib 1.6 accepts comments, single quotes, hex
 * and leading-zero numbers and text after the root value, keeps the last
 * of duplicate keys and recurses without limit; this check refuses all of
 * that, duplicate keys in any object (compared unescaped), "\u0000", and
 * headers deeper or wider than a safetensors header can be (limits in
 * json_check.c), before json-glib would build a tree of gigabytes.
 * Pure function, no allocation but the GError; any thread. */
#ifndef RNN_JSON_CHECK_H
#define RNN_JSON_CHECK_H

#include <glib.h>

G_BEGIN_DECLS

/* TRUE if @json (@len bytes, valid UTF-8) is one JSON object within the
 * limits; else FALSE with an RNN_ERROR_FORMAT error naming @file and the
 * byte offset. */
gboolean rnn_json_check (const char *json, gsize len, const char *file,
    GError ** error);

G_END_DECLS

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The strict JSON check of a safetensors header, before json-glib parses
 * it; see json_check.h. */
#include "json_check.h"
#include "safetensors.h"              /* RNN_ST_MAX_DIMS */
#include "rnn.h"

#include <string.h>

/* Strict RFC 8259 check of the header before json-glib sees it: json-glib
 * 1.6 accepts comments, single quotes, hex and leading-zero numbers and
 * text after the root value, keeps the last of duplicate keys, and recurses
 * without limit (a few hundred KB of '[' overflow the stack).  Also refuses
 * duplicate keys in any object (compared unescaped) and "\u0000". */
#define JSON_MAX_DEPTH 32

/* What a safetensors header can hold, checked before json-glib builds its
 * tree (a 100 MB header of tiny values would take gigabytes and tens of
 * seconds there): an array is a shape (at most RNN_ST_MAX_DIMS) or a pair
 * of offsets; an object is the root (one member per tensor, plus
 * __metadata__), a tensor's entry (dtype, shape, data_offsets) or the
 * metadata map. */
#define JSON_MAX_ARRAY 64
#define JSON_MAX_TENSORS 10000
#define JSON_MAX_MEMBERS 10000      /* metadata entries; tensor entries */

typedef struct {
  const char *s;
  gsize n, i;
  const char *file;
  GError **error;
} Lex;

static gboolean
lex_fail (Lex * lx, const char *what)
{
  g_set_error (lx->error, RNN_ERROR, RNN_ERROR_FORMAT,
      "%s: header is not valid JSON: %s at byte %" G_GSIZE_FORMAT, lx->file,
      what, lx->i);
  return FALSE;
}

static void
lex_ws (Lex * lx)
{
  while (lx->i < lx->n && (lx->s[lx->i] == ' ' || lx->s[lx->i] == '\t' ||
          lx->s[lx->i] == '\n' || lx->s[lx->i] == '\r'))
    lx->i++;
}

static gboolean
lex_hex4 (Lex * lx, gunichar * out)
{
  *out = 0;
  for (int k = 0; k < 4; k++, lx->i++) {
    int d = lx->i < lx->n ? g_ascii_xdigit_value (lx->s[lx->i]) : -1;
    if (d < 0)
      return lex_fail (lx, "bad \\u escape");
    *out = *out << 4 | (gunichar) d;
  }
  return TRUE;
}

/* A string at lx->i (on the opening quote); unescaped into @out if given. */
static gboolean
lex_string (Lex * lx, GString * out)
{
  lx->i++;
  while (lx->i < lx->n) {
    guchar c = (guchar) lx->s[lx->i];
    if (c == '"') {
      lx->i++;
      return TRUE;
    }
    if (c < 0x20)
      return lex_fail (lx, "control character in a string");
    if (c != '\\') {
      if (out)
        g_string_append_c (out, (char) c);
      lx->i++;
      continue;
    }
    if (++lx->i >= lx->n)
      break;
    const char *esc = strchr ("\"\\/bfnrt", lx->s[lx->i]);
    if (esc && *esc) {
      static const char map[] = "\"\\/\b\f\n\r\t";
      if (out)
        g_string_append_c (out, map[esc - "\"\\/bfnrt"]);
      lx->i++;
      continue;
    }
    if (lx->s[lx->i] != 'u')
      return lex_fail (lx, "bad escape in a string");
    lx->i++;
    gunichar cp, lo;
    if (!lex_hex4 (lx, &cp))
      return FALSE;
    if (cp >= 0xd800 && cp < 0xdc00) {
      if (lx->i + 1 >= lx->n || lx->s[lx->i] != '\\' || lx->s[lx->i + 1] != 'u')
        return lex_fail (lx, "lone surrogate in a string");
      lx->i += 2;
      if (!lex_hex4 (lx, &lo))
        return FALSE;
      if (lo < 0xdc00 || lo >= 0xe000)
        return lex_fail (lx, "lone surrogate in a string");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (cp >= 0xdc00 && cp < 0xe000) {
      return lex_fail (lx, "lone surrogate in a string");
    } else if (cp == 0) {
      return lex_fail (lx, "\\u0000 in a string");
    }
    if (out)
      g_string_append_unichar (out, cp);
  }
  return lex_fail (lx, "unterminated string");
}

static gboolean
lex_digits (Lex * lx)
{
  gsize start = lx->i;
  while (lx->i < lx->n && g_ascii_isdigit (lx->s[lx->i]))
    lx->i++;
  return lx->i > start || lex_fail (lx, "bad number");
}

static gboolean
lex_number (Lex * lx)
{
  if (lx->s[lx->i] == '-')
    lx->i++;
  if (lx->i < lx->n && lx->s[lx->i] == '0')
    lx->i++;
  else if (!lex_digits (lx))
    return FALSE;
  if (lx->i < lx->n && lx->s[lx->i] == '.') {
    lx->i++;
    if (!lex_digits (lx))
      return FALSE;
  }
  if (lx->i < lx->n && (lx->s[lx->i] == 'e' || lx->s[lx->i] == 'E')) {
    lx->i++;
    if (lx->i < lx->n && (lx->s[lx->i] == '+' || lx->s[lx->i] == '-'))
      lx->i++;
    if (!lex_digits (lx))
      return FALSE;
  }
  return TRUE;
}

/* Keys name tensors and metadata, and end up in error messages: a key
 * holding a control character (escaped in the JSON, since raw ones are
 * invalid) is refused, shown escaped.  Takes @key on failure. */
static gboolean
key_printable (Lex * lx, char *key)
{
  for (const char *p = key; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (g_unichar_iscntrl (c)) {
      g_autofree char *shown = g_strescape (key, NULL);
      g_set_error (lx->error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: header key \"%s\" holds a control character (U+%04X): "
          "tensor names and metadata keys must be printable", lx->file, shown,
          c);
      g_free (key);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
lex_value (Lex * lx, int depth)
{
  lex_ws (lx);
  if (lx->i >= lx->n)
    return lex_fail (lx, "unexpected end");
  char c = lx->s[lx->i];
  if (c == '"')
    return lex_string (lx, NULL);
  if (c == '-' || g_ascii_isdigit (c))
    return lex_number (lx);
  static const char *const words[] = { "true", "false", "null" };
  for (guint k = 0; k < G_N_ELEMENTS (words); k++) {
    gsize len = strlen (words[k]);
    if (lx->n - lx->i >= len && memcmp (lx->s + lx->i, words[k], len) == 0) {
      lx->i += len;
      return TRUE;
    }
  }
  if (c != '{' && c != '[')
    return lex_fail (lx, "unexpected character");
  if (depth >= JSON_MAX_DEPTH)
    return lex_fail (lx, "nested more than 32 levels deep");
  gboolean is_obj = c == '{';
  char close = is_obj ? '}' : ']';
  g_autoptr (GHashTable) keys = is_obj ? g_hash_table_new_full (g_str_hash,
      g_str_equal, g_free, NULL) : NULL;
  lx->i++;
  lex_ws (lx);
  if (lx->i < lx->n && lx->s[lx->i] == close) {
    lx->i++;
    return TRUE;
  }
  guint count = 0;
  guint limit = !is_obj ? JSON_MAX_ARRAY :
      depth == 0 ? JSON_MAX_TENSORS + 1 : JSON_MAX_MEMBERS;
  for (;;) {
    if (++count > limit) {
      g_set_error (lx->error, RNN_ERROR, RNN_ERROR_FORMAT,
          "%s: header %s at byte %" G_GSIZE_FORMAT " has more than %u %s "
          "(a safetensors header holds at most %u tensors, %u metadata "
          "entries and shapes of %u dimensions)", lx->file,
          is_obj ? (depth == 0 ? "object" : "nested object") : "array", lx->i,
          limit, is_obj ? "members" : "elements", JSON_MAX_TENSORS,
          JSON_MAX_MEMBERS, RNN_ST_MAX_DIMS);
      return FALSE;
    }
    if (is_obj) {
      lex_ws (lx);
      if (lx->i >= lx->n || lx->s[lx->i] != '"')
        return lex_fail (lx, "expected a key string");
      GString *k = g_string_new (NULL);
      if (!lex_string (lx, k)) {
        g_string_free (k, TRUE);
        return FALSE;
      }
      char *key = g_string_free (k, FALSE);
      if (!key_printable (lx, key))
        return FALSE;
      if (g_hash_table_contains (keys, key)) {
        g_set_error (lx->error, RNN_ERROR, RNN_ERROR_FORMAT,
            "%s: header has the key \"%s\" twice", lx->file, key);
        g_free (key);
        return FALSE;
      }
      g_hash_table_add (keys, key);
      lex_ws (lx);
      if (lx->i >= lx->n || lx->s[lx->i] != ':')
        return lex_fail (lx, "expected ':'");
      lx->i++;
    }
    if (!lex_value (lx, depth + 1))
      return FALSE;
    lex_ws (lx);
    if (lx->i < lx->n && lx->s[lx->i] == ',') {
      lx->i++;
      continue;
    }
    if (lx->i < lx->n && lx->s[lx->i] == close) {
      lx->i++;
      return TRUE;
    }
    return lex_fail (lx, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

gboolean
rnn_json_check (const char *json, gsize len, const char *file,
    GError ** error)
{
  Lex lx = { json, len, 0, file, error };
  if (!lex_value (&lx, 0))
    return FALSE;
  lex_ws (&lx);
  return lx.i == len || lex_fail (&lx, "text after the header object");
}

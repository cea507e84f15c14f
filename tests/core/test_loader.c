/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loader tests: every safetensors container rule and every model rule is
 * refused with a GError (RNN_ERROR domain, right code) whose message names
 * the file, the tensor or key and the numbers involved; valid models load
 * with the right structure.  Files are built in memory. */
#include <check.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "rnn.h"
#include "safetensors.h"

#define BAD "bad.safetensors"

/* ------------------------------------------------------------ builder */

typedef struct {
  GString *hdr;                 /* tensor entries, comma separated */
  GString *meta;                /* metadata entries, comma separated */
  GByteArray *data;
  const char *skip[4];          /* names add_t() drops, once each */
} Builder;

static Builder *
bnew (void)
{
  Builder *b = g_new0 (Builder, 1);
  b->hdr = g_string_new (NULL);
  b->meta = g_string_new (NULL);
  b->data = g_byte_array_new ();
  return b;
}

static guint16
f2h (float f)                   /* exact values only */
{
  guint32 u;
  memcpy (&u, &f, 4);
  guint32 s = (u >> 16) & 0x8000;
  if ((u & 0x7fffffff) == 0)
    return s;
  int e = (int) ((u >> 23) & 0xff) - 127 + 15;
  g_assert (e > 0 && e < 31 && (u & 0x1fff) == 0);
  return s | (guint32) e << 10 | ((u >> 13) & 0x3ff);
}

/* Deterministic values exact in every float dtype. */
static double
pattern (guint64 i)
{
  return ((double) ((i * 7) % 13) - 6.0) / 16.0;
}

static void
add_t (Builder * b, const char *name, const char *dtype, const double *vals,
    guint nd, const guint64 * shape)
{
  for (guint i = 0; i < G_N_ELEMENTS (b->skip) && b->skip[i]; i++)
    if (strcmp (b->skip[i], name) == 0) {
      b->skip[i] = "";          /* a later add_t() of the name goes in */
      return;
    }
  guint64 n = 1;
  GString *sh = g_string_new ("[");
  for (guint i = 0; i < nd; i++) {
    n *= shape[i];
    g_string_append_printf (sh, "%s%" G_GUINT64_FORMAT, i ? "," : "",
        shape[i]);
  }
  g_string_append_c (sh, ']');
  guint begin = b->data->len;
  for (guint64 i = 0; i < n; i++) {
    double v = vals ? vals[i] : pattern (i);
    guint8 buf[8];
    guint sz;
    if (!strcmp (dtype, "F64")) {
      memcpy (buf, &v, 8);
      sz = 8;
    } else if (!strcmp (dtype, "F16")) {
      guint16 h = GUINT16_TO_LE (f2h ((float) v));
      memcpy (buf, &h, 2);
      sz = 2;
    } else if (!strcmp (dtype, "BF16")) {
      float f = (float) v;
      guint32 u;
      memcpy (&u, &f, 4);
      g_assert ((u & 0xffff) == 0);
      guint16 h = GUINT16_TO_LE (u >> 16);
      memcpy (buf, &h, 2);
      sz = 2;
    } else if (!strcmp (dtype, "I32")) {
      gint32 x = GINT32_TO_LE ((gint32) v);
      memcpy (buf, &x, 4);
      sz = 4;
    } else if (!strcmp (dtype, "U8")) {
      buf[0] = (guint8) (v * 16 + 6);
      sz = 1;
    } else {
      g_assert (!strcmp (dtype, "F32"));
      float f = (float) v;
      memcpy (buf, &f, 4);
      sz = 4;
    }
    g_byte_array_append (b->data, buf, sz);
  }
  g_string_append_printf (b->hdr, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":%s,"
      "\"data_offsets\":[%u,%u]}", b->hdr->len ? "," : "", name, dtype,
      sh->str, begin, b->data->len);
  g_string_free (sh, TRUE);
}

#define NDIM(...) (sizeof ((guint64[]){__VA_ARGS__}) / sizeof (guint64))
#define T(b, name, dtype, vals, ...) \
  add_t (b, name, dtype, vals, NDIM (__VA_ARGS__), (const guint64[]){__VA_ARGS__})
#define M(b, name, r, c) T (b, name, "F32", NULL, r, c)
#define V(b, name, n) T (b, name, "F32", NULL, n)

static void
meta (Builder * b, const char *key, const char *value)
{
  g_string_append_printf (b->meta, "%s\"%s\":\"%s\"", b->meta->len ? "," : "",
      key, value);
}

/* The state_dict of an nn.RNN (G=1), nn.GRU (G=3) or nn.LSTM (G=4), in
 * PyTorch's key order. */
static void
add_rnn (Builder * b, const char *pfx, guint G, guint F, guint H, guint L,
    guint D, gboolean bias, guint P)
{
  guint hout = P ? P : H;
  for (guint l = 0; l < L; l++) {
    for (guint d = 0; d < D; d++) {
      const char *s = d ? "_reverse" : "";
      g_autofree char *ih = g_strdup_printf ("%sweight_ih_l%u%s", pfx, l, s);
      g_autofree char *hh = g_strdup_printf ("%sweight_hh_l%u%s", pfx, l, s);
      g_autofree char *bi = g_strdup_printf ("%sbias_ih_l%u%s", pfx, l, s);
      g_autofree char *bh = g_strdup_printf ("%sbias_hh_l%u%s", pfx, l, s);
      g_autofree char *hr = g_strdup_printf ("%sweight_hr_l%u%s", pfx, l, s);
      M (b, ih, G * H, l ? D * hout : F);
      M (b, hh, G * H, hout);
      if (bias) {
        V (b, bi, G * H);
        V (b, bh, G * H);
      }
      if (P)
        M (b, hr, P, H);
    }
  }
}

/* Finish: JSON header padded with spaces to a multiple of 8, as writers
 * do.  Frees the builder. */
static GBytes *
bfinish (Builder * b)
{
  GString *h = g_string_new ("{");
  if (b->meta->len)
    g_string_append_printf (h, "\"__metadata__\":{%s}%s", b->meta->str,
        b->hdr->len ? "," : "");
  g_string_append_printf (h, "%s}", b->hdr->str);
  while (h->len % 8)
    g_string_append_c (h, ' ');
  GByteArray *out = g_byte_array_new ();
  guint64 n = GUINT64_TO_LE (h->len);
  g_byte_array_append (out, (guint8 *) & n, 8);
  g_byte_array_append (out, (guint8 *) h->str, h->len);
  g_byte_array_append (out, b->data->data, b->data->len);
  g_string_free (h, TRUE);
  g_string_free (b->hdr, TRUE);
  g_string_free (b->meta, TRUE);
  g_byte_array_unref (b->data);
  g_free (b);
  return g_byte_array_free_to_bytes (out);
}

/* A raw file: 8-byte length, @header as is, @n_data zero bytes. */
static GBytes *
raw_file (const char *header, gsize n_data)
{
  gsize n = strlen (header);
  guint8 *p = g_malloc0 (8 + n + n_data);
  guint64 le = GUINT64_TO_LE (n);
  memcpy (p, &le, 8);
  memcpy (p + 8, header, n);
  return g_bytes_new_take (p, 8 + n + n_data);
}

static RnnModel *
load (GBytes * f, const RnnLoadOptions * o, GError ** err)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (f, &n);
  return rnn_model_load_from_data (p ? p : (const guint8 *) "", n, BAD, o,
      err);
}

/* Load @f (consumed) expecting a refusal; NULL if it is refused with
 * @code and a message holding the file name and every string of @subs,
 * else a description of what went wrong. */
static char *
check_fail (GBytes * f, const RnnLoadOptions * o, int code,
    const char *const *subs)
{
  GError *err = NULL;
  RnnModel *m = load (f, o, &err);
  g_bytes_unref (f);
  char *why = NULL;
  if (m) {
    rnn_model_unref (m);
    return g_strdup ("the file was accepted");
  }
  if (!err)
    return g_strdup ("NULL returned without an error");
  if (err->domain != RNN_ERROR || err->code != code)
    why = g_strdup_printf ("error %s/%d, expected code %d: %s",
        g_quark_to_string (err->domain), err->code, code, err->message);
  else if (!strstr (err->message, BAD))
    why = g_strdup_printf ("message lacks the file name: %s", err->message);
  for (guint i = 0; !why && subs[i]; i++)
    if (!strstr (err->message, subs[i]))
      why = g_strdup_printf ("message lacks '%s': %s", subs[i], err->message);
  g_error_free (err);
  return why;
}

#define EXPECT_FAIL(f, o, code, ...) do { \
    char *why_ = check_fail (f, o, code, (const char *const[]){__VA_ARGS__, NULL}); \
    ck_assert_msg (why_ == NULL, "%s", why_); } while (0)

static RnnModel *
load_ok (GBytes * f, const RnnLoadOptions * o)
{
  GError *err = NULL;
  RnnModel *m = load (f, o, &err);
  g_bytes_unref (f);
  ck_assert_msg (m != NULL, "valid model refused: %s", err->message);
  return m;
}

/* -------------------------------------------------- container rules */

typedef struct {
  const char *name;
  const char *header;
  gsize n_data;
  const char *subs[4];
} RawCase;

#define E(n) "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}" n "}"
#define TENSOR(name, dt, shape, offs) \
  "\"" name "\":{\"dtype\":" dt ",\"shape\":" shape ",\"data_offsets\":" offs "}"

static const RawCase raw_cases[] = {
  {"empty header", "", 0, {"starting with '{'"}},
  {"invalid UTF-8", "{\"w\xff\":{}}", 0, {"not valid UTF-8", "at byte 3"}},
  {"NUL in header", "{\"w\":{}}\0", 0, {"not valid UTF-8", "at byte 8"}},
  {"invalid JSON", "{\"w\": }", 0, {"not valid JSON"}},
  {"truncated JSON", "{\"w\":{\"dtype\":\"F32\"", 0, {"not valid JSON"}},
  {"header is an array", "[]", 0, {"JSON object"}},
  {"header is a string", "\"{}\"", 0, {"JSON object"}},
  {"leading space", " {}", 0, {"JSON object starting with '{'"}},
  {"duplicate key", "{" TENSOR ("w", "\"F32\"", "[1]", "[0,4]") ","
        TENSOR ("w", "\"F32\"", "[1]", "[4,8]") "}", 8,
      {"\"w\" twice"}},
  {"duplicate __metadata__", "{\"__metadata__\":{},\"__metadata__\":{}}", 0,
      {"\"__metadata__\" twice"}},
  {"entry is a number", "{\"w\":5}", 0, {"'w'", "must be an object"}},
  {"entry is an array", "{\"w\":[0,4]}", 0, {"'w'", "must be an object"}},
  {"dtype missing", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
      {"'w'", "\"dtype\" missing"}},
  {"dtype not a string", "{" TENSOR ("w", "32", "[1]", "[0,4]") "}", 4,
      {"'w'", "\"dtype\" missing or not a string"}},
  {"unknown dtype", "{" TENSOR ("w", "\"F33\"", "[1]", "[0,4]") "}", 4,
      {"'w'", "unknown dtype \"F33\""}},
  {"lower-case dtype", "{" TENSOR ("w", "\"f32\"", "[1]", "[0,4]") "}", 4,
      {"'w'", "unknown dtype \"f32\""}},
  {"shape missing", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4,
      {"'w'", "\"shape\" must be an array"}},
  {"shape not an array", "{" TENSOR ("w", "\"F32\"", "1", "[0,4]") "}", 4,
      {"'w'", "\"shape\" must be an array"}},
  {"shape negative", "{" TENSOR ("w", "\"F32\"", "[2,-1]", "[0,4]") "}", 4,
      {"'w'", "\"shape\" entry 1 is not a non-negative integer"}},
  {"shape non-integer", "{" TENSOR ("w", "\"F32\"", "[1.5]", "[0,4]") "}", 4,
      {"'w'", "\"shape\" entry 0 is not a non-negative integer"}},
  {"shape string", "{" TENSOR ("w", "\"F32\"", "[\"1\"]", "[0,4]") "}", 4,
      {"'w'", "\"shape\" entry 0"}},
  {"shape above 2^63", "{" TENSOR ("w", "\"F32\"", "[9223372036854775808]",
            "[0,4]") "}", 4, {"'w'", "\"shape\" entry 0"}},
  {"shape above 2^64", "{" TENSOR ("w", "\"F32\"", "[18446744073709551617]",
            "[0,4]") "}", 4, {"'w'", "\"shape\" entry 0"}},
  {"too many dims", "{" TENSOR ("w", "\"F32\"", "[1,1,1,1,1,1,1,1,1]",
            "[0,4]") "}", 4, {"'w'", "9 entries, at most 8"}},
  {"data_offsets missing", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4,
      {"'w'", "\"data_offsets\" must be an array"}},
  {"data_offsets one entry", "{" TENSOR ("w", "\"F32\"", "[1]", "[4]") "}", 4,
      {"'w'", "\"data_offsets\" must be [begin, end]"}},
  {"data_offsets three entries", "{" TENSOR ("w", "\"F32\"", "[1]",
            "[0,4,4]") "}", 4, {"'w'", "\"data_offsets\" has 3 entries"}},
  {"data_offsets negative", "{" TENSOR ("w", "\"F32\"", "[1]", "[-4,0]") "}",
      4, {"'w'", "\"data_offsets\" entry 0"}},
  {"begin > end", "{" TENSOR ("w", "\"F32\"", "[0]", "[4,0]") "}", 4,
      {"'w'", "begin <= end"}},
  {"numel * itemsize != end - begin", "{" TENSOR ("w", "\"F32\"", "[2,3]",
            "[0,20]") "}", 20,
      {"'w'", "[2, 3]", "needs 6 x 4 bytes", "[0, 20] hold 20 bytes"}},
  {"F16 size mismatch", "{" TENSOR ("w", "\"F16\"", "[3]", "[0,12]") "}", 12,
      {"'w'", "of F16 needs 3 x 2 bytes", "hold 12 bytes"}},
  {"shape product overflow", "{" TENSOR ("w", "\"F32\"",
            "[4294967296,4294967296,16]", "[0,4]") "}", 4,
      {"'w'", "[4294967296, 4294967296, 16]", "more elements than fit"}},
  {"byte size overflow", "{" TENSOR ("w", "\"F32\"",
            "[4611686018427387904]", "[0,4]") "}", 4,
      {"'w'", "needs 4611686018427387904 x 4 bytes", "hold 4 bytes"}},
  {"offsets overlap", "{" TENSOR ("a", "\"F32\"", "[2]", "[0,8]") ","
        TENSOR ("b", "\"F32\"", "[2]", "[4,12]") "}", 12,
      {"'b'", "begin at 4, expected 8", "overlaps"}},
  {"same offsets twice", "{" TENSOR ("a", "\"F32\"", "[1]", "[0,4]") ","
        TENSOR ("b", "\"F32\"", "[1]", "[0,4]") "}", 4,
      {"begin at 0, expected 4", "overlaps"}},
  {"hole between tensors", "{" TENSOR ("a", "\"F32\"", "[1]", "[0,4]") ","
        TENSOR ("b", "\"F32\"", "[1]", "[8,12]") "}", 12,
      {"'b'", "begin at 8, expected 4", "hole"}},
  {"first tensor not at 0", "{" TENSOR ("a", "\"F32\"", "[1]", "[4,8]") "}", 8,
      {"'a'", "begin at 4, expected 0", "hole"}},
  {"bytes left over", E (""), 6,
      {"end at data offset 4", "holds 6 data bytes", "left over"}},
  {"bytes left, no tensor", "{}", 3,
      {"end at data offset 0", "holds 3 data bytes", "left over"}},
  {"data truncated", "{" TENSOR ("a", "\"F32\"", "[2]", "[0,8]") "}", 5,
      {"end at data offset 8", "holds 5 data bytes", "truncated"}},
  {"__metadata__ is an array", E (",\"__metadata__\":[]"), 4,
      {"\"__metadata__\" must be an object"}},
  {"__metadata__ is a string", E (",\"__metadata__\":\"x\""), 4,
      {"\"__metadata__\" must be an object"}},
  {"metadata value is a number", E (",\"__metadata__\":{\"k\":1}"), 4,
      {"metadata key 'k'", "must be a string"}},
  {"metadata value is an object", E (",\"__metadata__\":{\"k\":{}}"), 4,
      {"metadata key 'k'", "must be a string"}},
  {"metadata value is null", E (",\"__metadata__\":{\"k\":null}"), 4,
      {"metadata key 'k'", "must be a string"}},
};

START_TEST (test_container_rule)
{
  const RawCase *c = &raw_cases[_i];
  /* The NUL case needs its length spelled out: strlen stops at the NUL. */
  GBytes *f;
  if (strcmp (c->name, "NUL in header") == 0) {
    guint8 p[8 + 9] = { 9 };
    memcpy (p + 8, "{\"w\":{}}", 8);
    f = g_bytes_new (p, sizeof p);
  } else {
    f = raw_file (c->header, c->n_data);
  }
  const char *subs[G_N_ELEMENTS (c->subs) + 1] = { NULL };
  memcpy (subs, c->subs, sizeof c->subs);
  char *why = check_fail (f, NULL, RNN_ERROR_FORMAT, subs);
  ck_assert_msg (why == NULL, "%s: %s", c->name, why);
}
END_TEST

START_TEST (test_file_too_short)
{
  for (gsize n = 0; n < 8; n++) {
    g_autofree char *want = g_strdup_printf ("file is %" G_GSIZE_FORMAT
        " bytes, too short", n);
    EXPECT_FAIL (g_bytes_new ("{}{}{}{}", n), NULL, RNN_ERROR_FORMAT, want);
  }
}
END_TEST

START_TEST (test_header_too_long)
{
  guint8 p[16] = { 0 };
  guint64 n = GUINT64_TO_LE (100000001);
  memcpy (p, &n, 8);
  EXPECT_FAIL (g_bytes_new (p, 16), NULL, RNN_ERROR_FORMAT,
      "header length 100000001", "limit of 100000000");
  n = G_MAXUINT64;              /* must not wrap when added to 8 */
  memcpy (p, &n, 8);
  EXPECT_FAIL (g_bytes_new (p, 16), NULL, RNN_ERROR_FORMAT,
      "header length 18446744073709551615");
}
END_TEST

START_TEST (test_header_past_end)
{
  GByteArray *a = g_byte_array_new ();
  guint64 n = GUINT64_TO_LE (100);
  g_byte_array_append (a, (guint8 *) & n, 8);
  g_byte_array_append (a, (guint8 *) "{}                                   "
      "             ", 50);
  EXPECT_FAIL (g_byte_array_free_to_bytes (a), NULL, RNN_ERROR_FORMAT,
      "header length 100 runs past the end", "(50 bytes after the length)");
}
END_TEST

static GBytes *
valid_gru (void)
{
  Builder *b = bnew ();
  add_rnn (b, "rnn.", 3, 2, 3, 1, 1, TRUE, 0);
  M (b, "fc.weight", 2, 3);
  V (b, "fc.bias", 2);
  meta (b, "rnn.head_activation", "softmax");
  return bfinish (b);
}

/* Every proper prefix of a valid file is refused as FORMAT; run under
 * valgrind each copy is exactly sized so an over-read is caught. */
START_TEST (test_truncated_everywhere)
{
  GBytes *f = valid_gru ();
  gsize size;
  const guint8 *p = g_bytes_get_data (f, &size);
  for (gsize n = 0; n < size; n++) {
    GBytes *cut = g_bytes_new (p, n);
    char *why = check_fail (cut, NULL, RNN_ERROR_FORMAT,
        (const char *const[]){NULL});
    ck_assert_msg (why == NULL, "prefix of %" G_GSIZE_FORMAT " of %"
        G_GSIZE_FORMAT " bytes: %s", n, size, why);
  }
  g_bytes_unref (f);
}
END_TEST

/* Flip bits in every header byte: no crash, and any refusal sets a
 * RNN_ERROR naming the file. */
START_TEST (test_header_corruption)
{
  GBytes *f = valid_gru ();
  gsize size;
  const guint8 *p = g_bytes_get_data (f, &size);
  guint64 hlen = GUINT64_FROM_LE (*(const guint64 *) p);
  for (gsize i = 8; i < 8 + hlen; i++) {
    for (guint bit = 0; bit < 8; bit += 3) {
      guint8 *q = g_memdup2 (p, size);
      q[i] ^= 1u << bit;
      GError *err = NULL;
      RnnModel *m = rnn_model_load_from_data (q, size, BAD, NULL, &err);
      if (m) {
        rnn_model_unref (m);
      } else {
        ck_assert_msg (err && err->domain == RNN_ERROR &&
            strstr (err->message, BAD), "byte %" G_GSIZE_FORMAT " bit %u",
            i, bit);
        g_error_free (err);
      }
      g_free (q);
    }
  }
  g_bytes_unref (f);
}
END_TEST

/* ------------------------------------------------------ model rules */

typedef struct {
  const char *name;
  void (*build) (Builder * b);
  int code;
  const char *subs[5];
  RnnLoadOptions opt;
} ModelCase;

/* GRU F=3 H=4 (weight_hh [12, 4]) with @skip left out. */
#define GRU(b, pfx, L, D, bias) add_rnn (b, pfx, 3, 3, 4, L, D, bias, 0)

static void b_no_rnn (Builder * b) { M (b, "fc.weight", 2, 3); V (b, "fc.bias", 2); }
static void b_two_modules (Builder * b) { GRU (b, "enc.", 1, 1, 1); GRU (b, "dec.", 1, 1, 1); }
static void b_hh_1d (Builder * b) { b->skip[0] = "weight_hh_l0"; GRU (b, "", 1, 1, 1); V (b, "weight_hh_l0", 12); }
static void b_hh_3d (Builder * b) { b->skip[0] = "weight_hh_l0"; GRU (b, "", 1, 1, 1); T (b, "weight_hh_l0", "F32", NULL, 3, 4, 4); }
static void b_hh_g2 (Builder * b) { M (b, "weight_ih_l0", 8, 3); M (b, "weight_hh_l0", 8, 4); }
static void b_hh_g5 (Builder * b) { M (b, "weight_ih_l0", 20, 3); M (b, "weight_hh_l0", 20, 4); }
static void b_hh_ragged (Builder * b) { M (b, "weight_ih_l0", 10, 3); M (b, "weight_hh_l0", 10, 4); }
static void b_hidden0 (Builder * b) { M (b, "weight_ih_l0", 0, 3); M (b, "weight_hh_l0", 0, 0); }
static void b_input0 (Builder * b) { M (b, "weight_ih_l0", 12, 0); M (b, "weight_hh_l0", 12, 4); }
static void b_ih_rows (Builder * b) { M (b, "weight_ih_l0", 11, 3); M (b, "weight_hh_l0", 12, 4); }
static void b_proj_eq (Builder * b) { add_rnn (b, "", 4, 3, 4, 1, 1, 1, 4); }
static void b_proj_gt (Builder * b) { M (b, "weight_ih_l0", 16, 3); M (b, "weight_hh_l0", 16, 5); M (b, "weight_hr_l0", 5, 4); }
static void b_proj_hh (Builder * b) { M (b, "weight_ih_l0", 16, 3); M (b, "weight_hh_l0", 16, 4); M (b, "weight_hr_l0", 2, 4); }
static void b_proj_gru (Builder * b) { M (b, "weight_ih_l0", 12, 3); M (b, "weight_hh_l0", 12, 2); M (b, "weight_hr_l0", 2, 4); }
static void b_proj_l1 (Builder * b) { b->skip[0] = "weight_hr_l1"; add_rnn (b, "", 4, 3, 4, 2, 1, 1, 2); }
static void b_miss_hh1 (Builder * b) { b->skip[0] = "weight_hh_l1"; GRU (b, "", 2, 1, 1); }
static void b_ih1_shape (Builder * b) { b->skip[0] = "weight_ih_l1"; GRU (b, "", 2, 1, 1); M (b, "weight_ih_l1", 12, 5); }
static void b_ih1_bidir (Builder * b) { b->skip[0] = "weight_ih_l1_reverse"; GRU (b, "", 2, 2, 1); M (b, "weight_ih_l1_reverse", 12, 4); }
static void b_hh1_shape (Builder * b) { b->skip[0] = "weight_hh_l1"; GRU (b, "", 2, 1, 1); M (b, "weight_hh_l1", 16, 4); }
static void b_no_bias_hh (Builder * b) { b->skip[0] = "bias_hh_l0"; GRU (b, "", 1, 1, 1); }
static void b_bias_len (Builder * b) { b->skip[0] = "bias_ih_l0"; GRU (b, "", 1, 1, 1); V (b, "bias_ih_l0", 11); }
static void b_bias_2d (Builder * b) { b->skip[0] = "bias_hh_l0"; GRU (b, "", 1, 1, 1); M (b, "bias_hh_l0", 12, 1); }
static void b_skip_ih2 (Builder * b) { GRU (b, "", 2, 1, 1); M (b, "weight_hh_l2", 12, 4); }
static void b_gap_l3 (Builder * b) { GRU (b, "", 2, 1, 1); M (b, "weight_ih_l3", 12, 4); }
static void b_bias_l1 (Builder * b) { GRU (b, "", 2, 1, 0); V (b, "bias_ih_l1", 12); }
static void b_rev_l1 (Builder * b) { GRU (b, "", 2, 1, 1); M (b, "weight_ih_l1_reverse", 12, 4); }
static void b_rev_l0 (Builder * b) { GRU (b, "", 2, 1, 1); M (b, "weight_ih_l0_reverse", 12, 3); }
static void b_rev_hh (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "weight_hh_l0_reverse", 12, 4); }
static void b_stray_hr (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "weight_hr_l0", 4, 4); }
static void b_i32 (Builder * b) { b->skip[0] = "weight_ih_l0"; GRU (b, "", 1, 1, 1); T (b, "weight_ih_l0", "I32", NULL, 12, 3); }
static void b_i32_hh (Builder * b) { b->skip[0] = "weight_hh_l0"; GRU (b, "", 1, 1, 1); T (b, "weight_hh_l0", "I32", NULL, 12, 4); }
static void b_u8_bias (Builder * b) { b->skip[0] = "bias_hh_l0"; GRU (b, "", 1, 1, 1); T (b, "bias_hh_l0", "U8", NULL, 12); }

static double bad_vals[48];
static void b_nonfinite (Builder * b, const char *dt, double v)
{
  for (guint i = 0; i < 48; i++)
    bad_vals[i] = i == 5 ? v : 0.25;
  b->skip[0] = "weight_hh_l0";
  GRU (b, "", 1, 1, 1);
  T (b, "weight_hh_l0", dt, bad_vals, 12, 4);
}
static void b_nan (Builder * b) { b_nonfinite (b, "F32", NAN); }
static void b_inf (Builder * b) { b_nonfinite (b, "F32", -INFINITY); }
static void b_f64_big (Builder * b) { b_nonfinite (b, "F64", 1e39); }
static void b_f64_nan (Builder * b) { b_nonfinite (b, "F64", NAN); }
static void b_head_nan (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "fc.weight", 2, 4); for (guint i = 0; i < 2; i++) bad_vals[i] = NAN; T (b, "fc.bias", "F32", bad_vals, 2); }
static void b_head_wide (Builder * b) { GRU (b, "rnn.", 1, 1, 1); M (b, "fc.weight", 2, 5); V (b, "fc.bias", 2); }
static void b_head_bidir (Builder * b) { GRU (b, "rnn.", 1, 2, 1); M (b, "fc.weight", 2, 4); V (b, "fc.bias", 2); }
static void b_head_1d (Builder * b) { GRU (b, "", 1, 1, 1); V (b, "fc.weight", 4); meta (b, "rnn.head", "fc."); }
static void b_head_bias (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "fc.weight", 3, 4); V (b, "fc.bias", 2); }
static void b_two_heads (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "a.weight", 2, 4); V (b, "a.bias", 2); M (b, "b.weight", 5, 4); V (b, "b.bias", 5); }
static void b_meta_head (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "fc.weight", 2, 4); V (b, "fc.bias", 2); meta (b, "rnn.head", "cls."); }
static void b_opt_head (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "fc.weight", 2, 4); V (b, "fc.bias", 2); }
static void b_bad_nonlin (Builder * b) { add_rnn (b, "", 1, 3, 4, 1, 1, 1, 0); meta (b, "rnn.nonlinearity", "sigmoid"); }
static void b_relu_lstm (Builder * b) { add_rnn (b, "", 4, 3, 4, 1, 1, 1, 0); meta (b, "rnn.nonlinearity", "relu"); }
static void b_relu_gru (Builder * b) { GRU (b, "", 1, 1, 1); meta (b, "rnn.nonlinearity", "relu"); }
static void b_cell_wrong (Builder * b) { GRU (b, "", 1, 1, 1); meta (b, "rnn.cell", "lstm"); }
static void b_cell_rnn (Builder * b) { add_rnn (b, "", 4, 3, 2, 1, 1, 1, 0); meta (b, "rnn.cell", "rnn"); }
static void b_cell_bad (Builder * b) { GRU (b, "", 1, 1, 1); meta (b, "rnn.cell", "GRU"); }
static void b_act_bad (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "fc.weight", 2, 4); V (b, "fc.bias", 2); meta (b, "rnn.head_activation", "tanh"); }
static void b_act_nohead (Builder * b) { GRU (b, "", 1, 1, 1); meta (b, "rnn.head_activation", "softmax"); }
static void b_pool_bad (Builder * b) { GRU (b, "", 1, 1, 1); meta (b, "rnn.pooling", "max"); }
static void b_labels (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "fc.weight", 3, 4); V (b, "fc.bias", 3); meta (b, "rnn.labels", "a,b"); }
static void b_labels_empty (Builder * b) { GRU (b, "", 1, 1, 1); M (b, "fc.weight", 3, 4); V (b, "fc.bias", 3); meta (b, "rnn.labels", "a,,c"); }
static void b_labels_nohead (Builder * b) { GRU (b, "", 1, 1, 1); meta (b, "rnn.labels", "a,b,c"); }

#define CASE(n, f, code, ...) {n, f, RNN_ERROR_##code, {__VA_ARGS__}, {0}}
#define CASE_OPT(n, f, code, o, ...) {n, f, RNN_ERROR_##code, {__VA_ARGS__}, o}

static const ModelCase model_cases[] = {
  CASE ("no weight_ih_l0", b_no_rnn, MODEL, "no recurrent layer found",
      "'weight_ih_l0'", "the file has 2 tensors"),
  CASE ("two recurrent modules", b_two_modules, MODEL,
      "2 recurrent modules found", "'enc.'", "'dec.'"),
  CASE_OPT ("prefix option not found", b_two_modules, MODEL,
      ((RnnLoadOptions) {.prefix = "zz."}), "'zz.weight_ih_l0' is missing",
      "prefix 'zz.'"),
  CASE ("weight_hh 1-D", b_hh_1d, MODEL, "'weight_hh_l0'",
      "expected a matrix (2 dimensions), found shape [12]"),
  CASE ("weight_hh 3-D", b_hh_3d, MODEL, "'weight_hh_l0'", "[3, 4, 4]"),
  CASE ("weight_hh G=2", b_hh_g2, MODEL, "'weight_hh_l0'", "[8, 4]",
      "G = 1 (RNN), 3 (GRU) or 4 (LSTM)"),
  CASE ("weight_hh G=5", b_hh_g5, MODEL, "'weight_hh_l0'", "[20, 4]"),
  CASE ("weight_hh rows not a multiple", b_hh_ragged, MODEL,
      "'weight_hh_l0'", "[10, 4]"),
  CASE ("hidden size 0", b_hidden0, MODEL, "'weight_hh_l0'", "[0, 0]"),
  CASE ("input size 0", b_input0, MODEL, "'weight_ih_l0'", "input size is 0"),
  CASE ("weight_ih rows", b_ih_rows, MODEL, "'weight_ih_l0'",
      "expected shape [12, 3], found [11, 3]"),
  CASE ("proj P == H", b_proj_eq, MODEL, "'weight_hr_l0'", "[4, 4]",
      "0 < proj_size < hidden_size"),
  CASE ("proj P > H", b_proj_gt, MODEL, "'weight_hr_l0'", "[5, 4]"),
  CASE ("proj with wrong weight_hh", b_proj_hh, MODEL, "'weight_hh_l0'",
      "hidden 4, proj 2", "needs shape [16, 2], found [16, 4]"),
  CASE ("proj on a GRU", b_proj_gru, MODEL, "'weight_hh_l0'",
      "needs shape [16, 2], found [12, 2]"),
  CASE ("proj missing in layer 1", b_proj_l1, MODEL,
      "'weight_hr_l1' is missing", "[2, 4]"),
  CASE ("missing weight_hh_l1", b_miss_hh1, MODEL,
      "'weight_hh_l1' is missing", "expected shape [12, 4]"),
  CASE ("weight_ih_l1 disagrees", b_ih1_shape, MODEL, "'weight_ih_l1'",
      "expected shape [12, 4], found [12, 5]"),
  CASE ("weight_ih_l1_reverse disagrees", b_ih1_bidir, MODEL,
      "'weight_ih_l1_reverse'", "expected shape [12, 8], found [12, 4]"),
  CASE ("weight_hh_l1 disagrees", b_hh1_shape, MODEL, "'weight_hh_l1'",
      "expected shape [12, 4], found [16, 4]"),
  CASE ("missing bias_hh", b_no_bias_hh, MODEL, "'bias_hh_l0' is missing",
      "expected shape [12]"),
  CASE ("bias wrong length", b_bias_len, MODEL, "'bias_ih_l0'",
      "expected shape [12], found [11]"),
  CASE ("bias 2-D", b_bias_2d, MODEL, "'bias_hh_l0'",
      "expected shape [12], found [12, 1]"),
  CASE ("weight_hh_l2 without weight_ih_l2", b_skip_ih2, MODEL,
      "unexpected tensor 'weight_hh_l2'", "2 layer(s)"),
  CASE ("weight_ih_l3 after a gap", b_gap_l3, MODEL,
      "unexpected tensor 'weight_ih_l3'", "2 layer(s)"),
  CASE ("bias in layer 1 only", b_bias_l1, MODEL,
      "unexpected tensor 'bias_ih_l1'", "no bias (no bias_ih_l0)"),
  CASE ("reverse in layer 1 only", b_rev_l1, MODEL,
      "unexpected tensor 'weight_ih_l1_reverse'", "unidirectional"),
  CASE ("reverse in layer 0 only", b_rev_l0, MODEL,
      "'weight_hh_l0_reverse' is missing", "[12, 4]"),
  CASE ("stray weight_hh_l0_reverse", b_rev_hh, MODEL,
      "unexpected tensor 'weight_hh_l0_reverse'", "unidirectional"),
  CASE ("stray weight_hr_l0 on a GRU", b_stray_hr, MODEL, "'weight_hr_l0'"),
  CASE ("I32 weight_ih", b_i32, MODEL, "'weight_ih_l0'",
      "dtype I32 is not supported", "F32, F16, BF16 or F64"),
  CASE ("I32 weight_hh", b_i32_hh, MODEL, "'weight_hh_l0'",
      "dtype I32 is not supported"),
  CASE ("U8 bias", b_u8_bias, MODEL, "'bias_hh_l0'", "dtype U8"),
  CASE ("NaN weight", b_nan, MODEL, "'weight_hh_l0'", "element 5 is NaN",
      "finite"),
  CASE ("Inf weight", b_inf, MODEL, "'weight_hh_l0'", "element 5 is infinite"),
  CASE ("F64 too large for F32", b_f64_big, MODEL, "'weight_hh_l0'",
      "element 5 is infinite", "F64 values must fit in F32"),
  CASE ("F64 NaN", b_f64_nan, MODEL, "'weight_hh_l0'", "element 5 is NaN"),
  CASE ("NaN head bias", b_head_nan, MODEL, "'fc.bias'", "element 0 is NaN"),
  CASE ("head too wide", b_head_wide, MODEL, "head tensor 'fc.weight'",
      "expected shape [out, 4]", "found [2, 5]", "the only Linear layer"),
  CASE ("head ignores bidirectional", b_head_bidir, MODEL,
      "head tensor 'fc.weight'", "expected shape [out, 8]",
      "2 direction(s) x 4", "found [2, 4]"),
  CASE ("head weight 1-D", b_head_1d, MODEL, "metadata rnn.head",
      "'fc.weight'", "found shape [4]"),
  CASE ("head bias length", b_head_bias, MODEL, "'fc.bias'",
      "expected shape [3], found [2]"),
  CASE ("two heads fit", b_two_heads, MODEL, "2 Linear layers", "'a.'",
      "'b.'", "width 4", "rnn.head"),
  CASE ("rnn.head names a missing tensor", b_meta_head, MODEL,
      "head from metadata rnn.head", "'cls.weight' is missing"),
  CASE_OPT ("head_prefix names a missing tensor", b_opt_head, MODEL,
      ((RnnLoadOptions) {.head_prefix = "out."}),
      "head from load option head_prefix", "'out.weight' is missing"),
  CASE ("bad rnn.nonlinearity", b_bad_nonlin, MODEL, "rnn.nonlinearity",
      "unknown value \"sigmoid\"", "tanh or relu"),
  CASE ("relu with an LSTM", b_relu_lstm, MODEL, "\"relu\" applies to nn.RNN",
      "are an nn.LSTM"),
  CASE ("relu with a GRU", b_relu_gru, MODEL, "\"relu\"", "are an nn.GRU"),
  CASE ("rnn.cell contradicts", b_cell_wrong, MODEL,
      "rnn.cell says \"lstm\"", "weights are an nn.GRU", "3 gate blocks"),
  CASE ("rnn.cell rnn on an LSTM", b_cell_rnn, MODEL,
      "rnn.cell says \"rnn\"", "weights are an nn.LSTM", "4 gate blocks"),
  CASE ("bad rnn.cell", b_cell_bad, MODEL, "rnn.cell",
      "unknown value \"GRU\"", "rnn, lstm or gru"),
  CASE ("bad rnn.head_activation", b_act_bad, MODEL, "rnn.head_activation",
      "unknown value \"tanh\"", "none, softmax or sigmoid"),
  CASE ("softmax without a head", b_act_nohead, MODEL,
      "rnn.head_activation is \"softmax\"", "no head"),
  CASE ("bad rnn.pooling", b_pool_bad, MODEL, "rnn.pooling",
      "unknown value \"max\"", "last, final-state or mean"),
  CASE ("labels count vs head", b_labels, MODEL, "rnn.labels",
      "2 label(s)", "outputs 3 value(s)"),
  CASE ("labels count without head", b_labels_nohead, MODEL, "rnn.labels",
      "3 label(s)", "outputs 4 value(s)"),
  CASE ("empty label", b_labels_empty, MODEL, "rnn.labels",
      "label 2 of 3", "empty"),
};

START_TEST (test_model_rule)
{
  const ModelCase *c = &model_cases[_i];
  Builder *b = bnew ();
  c->build (b);
  const char *subs[G_N_ELEMENTS (c->subs) + 1] = { NULL };
  memcpy (subs, c->subs, sizeof c->subs);
  char *why = check_fail (bfinish (b), &c->opt, c->code, subs);
  ck_assert_msg (why == NULL, "%s: %s", c->name, why);
}
END_TEST

/* ------------------------------------------------------- valid models */

START_TEST (test_gru_minimal)
{
  Builder *b = bnew ();
  GRU (b, "", 1, 1, 1);
  RnnModel *m = load_ok (bfinish (b), NULL);
  ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_GRU);
  ck_assert_str_eq (rnn_cell_name (rnn_model_get_cell (m)), "gru");
  ck_assert_uint_eq (rnn_model_get_input_size (m), 3);
  ck_assert_uint_eq (rnn_model_get_hidden_size (m), 4);
  ck_assert_uint_eq (rnn_model_get_proj_size (m), 0);
  ck_assert_uint_eq (rnn_model_get_num_layers (m), 1);
  ck_assert (rnn_model_has_bias (m));
  ck_assert (!rnn_model_is_bidirectional (m));
  ck_assert (!rnn_model_has_head (m));
  ck_assert_uint_eq (rnn_model_get_rnn_output_size (m), 4);
  ck_assert_uint_eq (rnn_model_get_output_size (m), 4);
  ck_assert_uint_eq (rnn_model_get_h_size (m, 2), 8);
  ck_assert_uint_eq (rnn_model_get_c_size (m, 2), 0);
  ck_assert_int_eq (rnn_model_get_head_activation (m), RNN_ACTIVATION_NONE);
  ck_assert_int_eq (rnn_model_get_pooling (m), RNN_POOLING_LAST);
  ck_assert_ptr_null (rnn_model_get_labels (m));
  ck_assert_ptr_null (rnn_model_get_metadata (m, "rnn.cell"));
  ck_assert_ptr_eq (rnn_model_ref (m), m);
  rnn_model_unref (m);
  rnn_model_unref (m);
}
END_TEST

START_TEST (test_lstm_proj_bidir_head)
{
  Builder *b = bnew ();
  add_rnn (b, "rnn.", 4, 5, 6, 2, 2, TRUE, 2);
  M (b, "fc.weight", 3, 4);
  V (b, "fc.bias", 3);
  meta (b, "rnn.cell", "lstm");
  RnnModel *m = load_ok (bfinish (b), NULL);
  ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_LSTM);
  ck_assert_uint_eq (rnn_model_get_input_size (m), 5);
  ck_assert_uint_eq (rnn_model_get_hidden_size (m), 6);
  ck_assert_uint_eq (rnn_model_get_proj_size (m), 2);
  ck_assert_uint_eq (rnn_model_get_num_layers (m), 2);
  ck_assert (rnn_model_is_bidirectional (m));
  ck_assert (rnn_model_has_bias (m));
  ck_assert (rnn_model_has_head (m));
  ck_assert_uint_eq (rnn_model_get_rnn_output_size (m), 4);
  ck_assert_uint_eq (rnn_model_get_output_size (m), 3);
  ck_assert_uint_eq (rnn_model_get_h_size (m, 3), 2 * 2 * 3 * 2);
  ck_assert_uint_eq (rnn_model_get_c_size (m, 3), 2 * 2 * 3 * 6);
  ck_assert_str_eq (rnn_model_get_metadata (m, "rnn.cell"), "lstm");
  rnn_model_unref (m);
}
END_TEST

/* Nested prefix, no bias; an unrelated Linear that does not fit is ignored
 * and the one that fits becomes the head. */
START_TEST (test_rnn_nested_prefix)
{
  Builder *b = bnew ();
  add_rnn (b, "model.encoder.rnn.", 1, 2, 5, 3, 1, FALSE, 0);
  M (b, "model.embed.weight", 7, 2);
  V (b, "model.embed.bias", 7);
  M (b, "model.decoder.weight", 4, 5);
  V (b, "model.decoder.bias", 4);
  meta (b, "format", "pt");
  RnnModel *m = load_ok (bfinish (b), NULL);
  ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_RNN_TANH);
  ck_assert_str_eq (rnn_cell_name (RNN_CELL_RNN_TANH), "rnn_tanh");
  ck_assert_uint_eq (rnn_model_get_num_layers (m), 3);
  ck_assert (!rnn_model_has_bias (m));
  ck_assert (rnn_model_has_head (m));
  ck_assert_uint_eq (rnn_model_get_output_size (m), 4);
  ck_assert_str_eq (rnn_model_get_metadata (m, "format"), "pt");
  ck_assert_ptr_null (rnn_model_get_metadata (m, "missing"));
  rnn_model_unref (m);
}
END_TEST

/* Two unrelated Linear pairs, neither fitting: no head. */
START_TEST (test_unrelated_linears)
{
  Builder *b = bnew ();
  GRU (b, "rnn.", 1, 1, 1);
  M (b, "a.weight", 2, 7);
  V (b, "a.bias", 2);
  M (b, "b.weight", 2, 9);
  V (b, "b.bias", 2);
  RnnModel *m = load_ok (bfinish (b), NULL);
  ck_assert (!rnn_model_has_head (m));
  ck_assert_uint_eq (rnn_model_get_output_size (m), 4);
  rnn_model_unref (m);
}
END_TEST

START_TEST (test_relu_and_metadata)
{
  Builder *b = bnew ();
  add_rnn (b, "rnn.", 1, 3, 4, 1, 1, TRUE, 0);
  M (b, "fc.weight", 3, 4);
  V (b, "fc.bias", 3);
  meta (b, "rnn.nonlinearity", "relu");
  meta (b, "rnn.cell", "rnn");
  meta (b, "rnn.head_activation", "sigmoid");
  meta (b, "rnn.pooling", "final-state");
  meta (b, "rnn.labels", " yes, no ,maybe ");
  RnnModel *m = load_ok (bfinish (b), NULL);
  ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_RNN_RELU);
  ck_assert_str_eq (rnn_cell_name (rnn_model_get_cell (m)), "rnn_relu");
  ck_assert_int_eq (rnn_model_get_head_activation (m), RNN_ACTIVATION_SIGMOID);
  ck_assert_int_eq (rnn_model_get_pooling (m), RNN_POOLING_FINAL_STATE);
  const char *const *lab = rnn_model_get_labels (m);
  ck_assert_ptr_nonnull (lab);
  ck_assert_str_eq (lab[0], "yes");
  ck_assert_str_eq (lab[1], "no");
  ck_assert_str_eq (lab[2], "maybe");
  ck_assert_ptr_null (lab[3]);
  ck_assert_str_eq (rnn_model_get_metadata (m, "rnn.nonlinearity"), "relu");
  rnn_model_unref (m);
}
END_TEST

START_TEST (test_tanh_softmax_mean)
{
  Builder *b = bnew ();
  add_rnn (b, "", 1, 3, 4, 1, 1, TRUE, 0);
  M (b, "fc.weight", 2, 4);
  meta (b, "rnn.nonlinearity", "tanh");
  meta (b, "rnn.head", "fc.");    /* no bias: only named heads may lack one */
  meta (b, "rnn.head_activation", "softmax");
  meta (b, "rnn.pooling", "mean");
  RnnModel *m = load_ok (bfinish (b), NULL);
  ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_RNN_TANH);
  ck_assert (rnn_model_has_head (m));
  ck_assert_uint_eq (rnn_model_get_output_size (m), 2);
  ck_assert_int_eq (rnn_model_get_head_activation (m), RNN_ACTIVATION_SOFTMAX);
  ck_assert_int_eq (rnn_model_get_pooling (m), RNN_POOLING_MEAN);
  float in[4] = { 0, 0, 1, 0 }, out[2];
  rnn_model_apply_head (m, in, 1, out);      /* softmax of column 2, no bias */
  double e0 = exp (pattern (2)), e1 = exp (pattern (6));
  ck_assert_msg (fabs (out[0] - e0 / (e0 + e1)) < 1e-6, "%g", out[0]);
  ck_assert_msg (fabs (out[1] - e1 / (e0 + e1)) < 1e-6, "%g", out[1]);
  rnn_model_unref (m);
}
END_TEST

/* Options: explicit prefix picks one of two modules; head_prefix picks one
 * of two fitting heads; no_head drops a head. */
START_TEST (test_options)
{
  for (int pass = 0; pass < 3; pass++) {
    Builder *b = bnew ();
    GRU (b, "enc.", 1, 1, 1);
    add_rnn (b, "dec.", 4, 4, 4, 1, 1, TRUE, 0);
    M (b, "a.weight", 2, 4);
    V (b, "a.bias", 2);
    M (b, "b.weight", 5, 4);
    V (b, "b.bias", 5);
    RnnLoadOptions o = { 0 };
    o.prefix = pass == 0 ? "enc." : "dec.";
    o.head_prefix = pass == 2 ? NULL : "b.";
    o.no_head = pass == 2;
    RnnModel *m = load_ok (bfinish (b), &o);
    ck_assert_int_eq (rnn_model_get_cell (m),
        pass == 0 ? RNN_CELL_GRU : RNN_CELL_LSTM);
    ck_assert_uint_eq (rnn_model_get_input_size (m), pass == 0 ? 3 : 4);
    ck_assert_int_eq (rnn_model_has_head (m), pass != 2);
    ck_assert_uint_eq (rnn_model_get_output_size (m), pass == 2 ? 4 : 5);
    rnn_model_unref (m);
  }
}
END_TEST

/* A header written without padding, with whitespace and newlines. */
START_TEST (test_header_whitespace)
{
  GBytes *f = raw_file ("{ \"__metadata__\" : { \"k\" : \"v\" } ,\n"
      " \"weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[1,1],"
      "\"data_offsets\":[0,4]},\n \"weight_hh_l0\" : {\"shape\" : [1, 1], "
      "\"dtype\":\"F32\", \"data_offsets\" : [ 4 , 8 ] } }\n\t", 8);
  RnnModel *m = load_ok (f, NULL);
  ck_assert_uint_eq (rnn_model_get_hidden_size (m), 1);
  ck_assert (!rnn_model_has_bias (m));
  ck_assert_str_eq (rnn_model_get_metadata (m, "k"), "v");
  rnn_model_unref (m);
}
END_TEST

START_TEST (test_half_to_float)
{
  static const struct { guint16 h; float f; } v[] = {
    {0x0000, 0.0f}, {0x3c00, 1.0f}, {0xc000, -2.0f}, {0x3555, 0.333251953125f},
    {0x7bff, 65504.0f}, {0x0400, 6.103515625e-05f}, {0x0001, 5.9604644775390625e-08f},
    {0x83ff, -6.09755516052246094e-05f}, {0x3800, 0.5f}, {0xb400, -0.25f},
  };
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    ck_assert_msg (rnn_half_to_float (v[i].h) == v[i].f,
        "0x%04x -> %.9g, expected %.9g", v[i].h, rnn_half_to_float (v[i].h),
        v[i].f);
  float nz = rnn_half_to_float (0x8000);
  ck_assert (nz == 0.0f && signbit (nz));
  ck_assert (isinf (rnn_half_to_float (0x7c00)) && rnn_half_to_float (0x7c00) > 0);
  ck_assert (isinf (rnn_half_to_float (0xfc00)) && rnn_half_to_float (0xfc00) < 0);
  ck_assert (isnan (rnn_half_to_float (0x7e00)));
}
END_TEST

/* F64, F16 and BF16 tensors convert exactly: the reader's conversion on a
 * weight, and the loaded head (rnn_model_apply_head() on unit vectors gives
 * W's columns plus the bias, exactly).  Mixed dtypes in one file are fine. */
START_TEST (test_dtypes_convert)
{
  static const char *const dts[] = { "F64", "F16", "BF16", "F32" };
  for (guint k = 0; k < G_N_ELEMENTS (dts); k++) {
    Builder *b = bnew ();
    T (b, "weight_ih_l0", dts[k], NULL, 12, 3);
    T (b, "weight_hh_l0", dts[k], NULL, 12, 4);
    T (b, "bias_ih_l0", "F32", NULL, 12);
    T (b, "bias_hh_l0", dts[k], NULL, 12);
    T (b, "fc.weight", dts[k], NULL, 3, 4);
    T (b, "fc.bias", dts[k], NULL, 3);
    GBytes *f = bfinish (b);

    gsize n;
    const guint8 *p = g_bytes_get_data (f, &n);
    GError *err = NULL;
    RnnSafetensors *st = rnn_safetensors_parse (p, n, BAD, &err);
    ck_assert_msg (st != NULL, "%s", err ? err->message : "?");
    const RnnTensorInfo *t = rnn_safetensors_get (st, "weight_hh_l0");
    ck_assert_ptr_nonnull (t);
    ck_assert_str_eq (t->dtype_name, dts[k]);
    ck_assert_uint_eq (t->numel, 48);
    float w[48];
    rnn_tensor_to_f32 (t, w);
    for (guint i = 0; i < 48; i++)
      ck_assert_msg (w[i] == (float) pattern (i), "%s [%u]: %g", dts[k], i,
          w[i]);
    rnn_safetensors_free (st);

    RnnModel *m = load_ok (f, NULL);
    ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_GRU);
    ck_assert_uint_eq (rnn_model_get_output_size (m), 3);
    float in[4 * 4] = { 0 }, out[4 * 3];
    for (guint j = 0; j < 4; j++)
      in[j * 4 + j] = 1.0f;
    rnn_model_apply_head (m, in, 4, out);
    for (guint j = 0; j < 4; j++)
      for (guint i = 0; i < 3; i++)
        ck_assert_msg (out[j * 3 + i] ==
            (float) (pattern (i * 4 + j) + pattern (i)), "%s head [%u][%u]",
            dts[k], i, j);
    rnn_model_unref (m);
  }
}
END_TEST

START_TEST (test_load_missing_path)
{
  GError *err = NULL;
  const char *path = "/nonexistent/dir/model.safetensors";
  ck_assert_ptr_null (rnn_model_load (path, NULL, &err));
  ck_assert_ptr_nonnull (err);
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_IO));
  ck_assert_msg (strstr (err->message, path), "%s", err->message);
  g_error_free (err);
}
END_TEST

START_TEST (test_load_file)
{
  GError *err = NULL;
  char *dir = g_dir_make_tmp ("rnn-loader-XXXXXX", &err);
  ck_assert_msg (dir != NULL, "%s", err ? err->message : "?");
  char *good = g_build_filename (dir, "good.safetensors", NULL);
  char *empty = g_build_filename (dir, "empty.safetensors", NULL);
  GBytes *f = valid_gru ();
  gsize n;
  const char *p = g_bytes_get_data (f, &n);
  ck_assert (g_file_set_contents (good, p, (gssize) n, NULL));
  ck_assert (g_file_set_contents (empty, "", 0, NULL));
  g_bytes_unref (f);

  RnnModel *m = rnn_model_load (good, NULL, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "?");
  ck_assert_int_eq (rnn_model_get_cell (m), RNN_CELL_GRU);
  ck_assert_uint_eq (rnn_model_get_output_size (m), 2);
  ck_assert_int_eq (rnn_model_get_head_activation (m), RNN_ACTIVATION_SOFTMAX);
  rnn_model_unref (m);

  ck_assert_ptr_null (rnn_model_load (empty, NULL, &err));
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_FORMAT));
  ck_assert_msg (strstr (err->message, empty) &&
      strstr (err->message, "0 bytes"), "%s", err->message);
  g_clear_error (&err);

  ck_assert_ptr_null (rnn_model_load (dir, NULL, &err));   /* a directory */
  ck_assert_ptr_nonnull (err);
  ck_assert_msg (err->domain == RNN_ERROR && strstr (err->message, dir), "%s",
      err->message);
  g_clear_error (&err);

  g_unlink (good);
  g_unlink (empty);
  g_rmdir (dir);
  g_free (good);
  g_free (empty);
  g_free (dir);
}
END_TEST

/* ------------------------------------------------------------ strict JSON
 * Rules json-glib 1.6 alone does not enforce (it is lenient and recursive),
 * now checked by the loader's own strict pass; and no_head with head
 * metadata. */

static const RawCase strict_raw[] = {
  {"duplicate key, escaped", "{" TENSOR ("w", "\"F32\"", "[1]", "[0,4]") ","
        TENSOR ("\\u0077", "\"F32\"", "[1]", "[0,4]") "}", 4, {"twice"}},
  {"key aliased by \\u0000", "{" TENSOR ("w", "\"F32\"", "[1]", "[0,4]") ","
        TENSOR ("w\\u0000x", "\"F32\"", "[1]", "[0,4]") "}", 4, {"JSON"}},
  {"duplicate field in an entry", "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"I32\","
        "\"shape\":[1],\"data_offsets\":[0,4]}}", 4, {"twice"}},
  {"text after the object", E ("") "{}", 4, {"JSON"}},
  {"comment", "{/* x */}", 0, {"JSON"}},
  {"single quotes", "{'__metadata__':{}}", 0, {"JSON"}},
  {"hex number", "{" TENSOR ("w", "\"F32\"", "[0x1]", "[0,4]") "}", 4,
      {"JSON"}},
  {"leading zero", "{" TENSOR ("w", "\"F32\"", "[01]", "[0,4]") "}", 4,
      {"JSON"}},
};

START_TEST (test_strict_container)
{
  const RawCase *c = &strict_raw[_i];
  const char *subs[G_N_ELEMENTS (c->subs) + 1] = { NULL };
  memcpy (subs, c->subs, sizeof c->subs);
  char *why = check_fail (raw_file (c->header, c->n_data), NULL,
      RNN_ERROR_FORMAT, subs);
  ck_assert_msg (why == NULL, "%s: %s", c->name, why);
}
END_TEST

/* 200 KB of '[' must be refused, not overflow the stack. */
START_TEST (test_strict_deep_nesting)
{
  GString *h = g_string_new ("{\"__metadata__\":");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (h, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (h, ']');
  g_string_append_c (h, '}');
  EXPECT_FAIL (raw_file (h->str, 0), NULL, RNN_ERROR_FORMAT, "JSON");
  g_string_free (h, TRUE);
}
END_TEST

/* no_head loads the encoder of a classifier: its head metadata is moot. */
START_TEST (test_strict_no_head_metadata)
{
  Builder *b = bnew ();
  GRU (b, "rnn.", 1, 1, 1);
  M (b, "fc.weight", 2, 4);
  V (b, "fc.bias", 2);
  meta (b, "rnn.head_activation", "softmax");
  meta (b, "rnn.labels", "yes,no");
  RnnLoadOptions o = {.no_head = TRUE };
  RnnModel *m = load_ok (bfinish (b), &o);
  ck_assert (!rnn_model_has_head (m));
  ck_assert_uint_eq (rnn_model_get_output_size (m), 4);
  rnn_model_unref (m);
}
END_TEST

static Suite *
loader_suite (void)
{
  Suite *s = suite_create ("loader");
  TCase *tc = tcase_create ("container");
  tcase_add_loop_test (tc, test_container_rule, 0, G_N_ELEMENTS (raw_cases));
  tcase_add_test (tc, test_file_too_short);
  tcase_add_test (tc, test_header_too_long);
  tcase_add_test (tc, test_header_past_end);
  tcase_add_test (tc, test_truncated_everywhere);
  tcase_add_test (tc, test_header_corruption);
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);

  tc = tcase_create ("model");
  tcase_add_loop_test (tc, test_model_rule, 0, G_N_ELEMENTS (model_cases));
  suite_add_tcase (s, tc);

  tc = tcase_create ("valid");
  tcase_add_test (tc, test_gru_minimal);
  tcase_add_test (tc, test_lstm_proj_bidir_head);
  tcase_add_test (tc, test_rnn_nested_prefix);
  tcase_add_test (tc, test_unrelated_linears);
  tcase_add_test (tc, test_relu_and_metadata);
  tcase_add_test (tc, test_tanh_softmax_mean);
  tcase_add_test (tc, test_options);
  tcase_add_test (tc, test_header_whitespace);
  tcase_add_test (tc, test_half_to_float);
  tcase_add_test (tc, test_dtypes_convert);
  tcase_add_test (tc, test_load_missing_path);
  tcase_add_test (tc, test_load_file);
  suite_add_tcase (s, tc);

  tc = tcase_create ("strict-json");
  tcase_add_loop_test (tc, test_strict_container, 0,
      G_N_ELEMENTS (strict_raw));
  tcase_add_test (tc, test_strict_deep_nesting);
  tcase_add_test (tc, test_strict_no_head_metadata);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (loader_suite ());
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}

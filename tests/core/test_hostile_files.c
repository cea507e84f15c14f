/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Model files that attack the loader rather than merely being malformed:
 * a FIFO (opening it for reading would block forever), a directory, a file
 * another process rewrites while it loads (through a memory map that was a
 * SIGBUS), headers of many tiny JSON values that json-glib would build
 * into gigabytes, and ONNX files of a million tiny repeated entries that
 * protobuf-c would allocate one by one.  Each is refused with a GError naming the file and the
 * reason, quickly and in bounded memory; none crashes or hangs. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rnn.h"

static gchar *tmpdir;

static gchar *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* A field of /proc/self/status, in kB. */
static gint64
status_kb (const char *field)
{
  gchar *text = NULL, *line;
  gint64 v = -1;

  g_file_get_contents ("/proc/self/status", &text, NULL, NULL);
  line = text ? strstr (text, field) : NULL;
  if (line)
    v = g_ascii_strtoll (line + strlen (field), NULL, 10);
  g_free (text);
  return v;
}

/* Reset the peak resident size (VmHWM) to the current one. */
static void
reset_peak (void)
{
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

/* ------------------------------------------------------------ FIFO */

typedef struct {
  gchar *path;
  RnnModel *model;
  GError *error;
  gint done;
} Load;

static gpointer
load_thread (gpointer data)
{
  Load *l = data;

  l->model = rnn_model_load (l->path, NULL, &l->error);
  g_atomic_int_set (&l->done, 1);
  return NULL;
}

START_TEST (test_fifo_refused)
{
  Load l = { tmp_path ("model.fifo"), NULL, NULL, 0 };
  GThread *t;
  gint64 until;

  g_unlink (l.path);
  ck_assert_int_eq (mkfifo (l.path, 0600), 0);
  t = g_thread_new ("load", load_thread, &l);
  until = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!g_atomic_int_get (&l.done) && g_get_monotonic_time () < until)
    g_usleep (1000);
  if (!g_atomic_int_get (&l.done)) {
    /* release the blocked open() so the test can report */
    int fd = open (l.path, O_WRONLY | O_NONBLOCK);
    if (fd >= 0)
      close (fd);
    g_thread_join (t);
    ck_abort_msg ("loading a FIFO blocked for 10 s");
  }
  g_thread_join (t);
  ck_assert_ptr_null (l.model);
  ck_assert (g_error_matches (l.error, RNN_ERROR, RNN_ERROR_IO));
  ck_assert_msg (strstr (l.error->message, l.path) &&
      strstr (l.error->message, "a FIFO") &&
      strstr (l.error->message, "regular file"), "%s", l.error->message);
  g_error_free (l.error);
  g_unlink (l.path);
  g_free (l.path);
}

END_TEST;

START_TEST (test_directory_refused)
{
  GError *err = NULL;

  ck_assert_ptr_null (rnn_model_load (tmpdir, NULL, &err));
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_IO));
  ck_assert_msg (strstr (err->message, "a directory"), "%s", err->message);
  g_error_free (err);
}

END_TEST;

/* ------------------------------------------ rewritten while loading */

/* A 1-layer GRU of input @F, hidden @H, no bias: a few MB, so that a load
 * takes long enough to be caught by a rewrite. */
static GBytes *
gru_file (guint F, guint H)
{
  gsize n_ih = (gsize) 3 * H * F, n_hh = (gsize) 3 * H * H;
  gchar *hdr = g_strdup_printf ("{\"weight_ih_l0\":{\"dtype\":\"F32\","
      "\"shape\":[%u,%u],\"data_offsets\":[0,%" G_GSIZE_FORMAT "]},"
      "\"weight_hh_l0\":{\"dtype\":\"F32\",\"shape\":[%u,%u],"
      "\"data_offsets\":[%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT "]}}",
      3 * H, F, 4 * n_ih, 3 * H, H, 4 * n_ih, 4 * (n_ih + n_hh));
  gsize hl = (strlen (hdr) + 7) / 8 * 8;
  gsize size = 8 + hl + 4 * (n_ih + n_hh);
  guint8 *p = g_malloc0 (size);
  guint64 n = hl;

  for (int i = 0; i < 8; i++)
    p[i] = (guint8) (n >> (8 * i));
  memset (p + 8, ' ', hl);
  memcpy (p + 8, hdr, strlen (hdr));
  for (gsize i = 0; i < n_ih + n_hh; i++) {
    float v = (float) ((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    memcpy (p + 8 + hl + 4 * i, &v, 4);
  }
  g_free (hdr);
  return g_bytes_new_take (p, size);
}

typedef struct {
  const gchar *path;
  GBytes *bytes;
  gint stop;
} Writer;

/* Like a trainer saving over the file in place: truncate, then write it
 * back in chunks, again and again. */
static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  gsize size;
  const guint8 *p = g_bytes_get_data (w->bytes, &size);

  while (!g_atomic_int_get (&w->stop)) {
    int fd = open (w->path, O_WRONLY);
    gsize off = 0;

    g_assert (fd >= 0);
    g_assert (ftruncate (fd, 0) == 0);
    while (off < size) {
      gsize k = MIN (size - off, 256 * 1024);
      g_assert (write (fd, p + off, k) == (gssize) k);
      off += k;
    }
    close (fd);
  }
  return NULL;
}

START_TEST (test_rewritten_while_loading)
{
  gchar *path = tmp_path ("rewritten.safetensors");
  Writer w = { path, gru_file (64, 512), 0 };
  GThread *t;
  guint loaded = 0, refused = 0;
  gint64 until;

  ck_assert (g_file_set_contents (path, g_bytes_get_data (w.bytes, NULL),
          g_bytes_get_size (w.bytes), NULL));
  t = g_thread_new ("writer", writer_thread, &w);
  until = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < until) {
    GError *err = NULL;
    RnnModel *m = rnn_model_load (path, NULL, &err);

    if (m) {
      /* a load that succeeded saw the whole file */
      ck_assert_uint_eq (rnn_model_get_hidden_size (m), 512);
      rnn_model_unref (m);
      loaded++;
    } else {
      ck_assert_msg (strstr (err->message, path), "%s", err->message);
      g_error_free (err);
      refused++;
    }
  }
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (t);
  g_print ("rewritten while loading: %u loads whole, %u refused\n", loaded,
      refused);
  ck_assert_uint_gt (loaded + refused, 0);
  g_bytes_unref (w.bytes);
  g_unlink (path);
  g_free (path);
}

END_TEST;

/* ------------------------------------------------ hostile headers */

/* Write a safetensors file whose header is @json (padded) and no data. */
static gchar *
header_file (const char *name, GString * json)
{
  gchar *path = tmp_path (name);
  guint64 n;
  GString *f = g_string_new (NULL);

  while (json->len % 8)
    g_string_append_c (json, ' ');
  n = json->len;
  for (int i = 0; i < 8; i++)
    g_string_append_c (f, (char) (n >> (8 * i)));
  g_string_append_len (f, json->str, json->len);
  ck_assert (g_file_set_contents (path, f->str, f->len, NULL));
  g_string_free (f, TRUE);
  return path;
}

typedef struct {
  const char *name;
  guint count;                  /* values or members */
  const char *needle;
} Hostile;

static const Hostile hostile[] = {
  /* one shape of 12.5 million zeros: 25 MB of header */
  {"array", 12500000, "more than 64 elements"},
  /* 200,000 tensors of 56 bytes each */
  {"tensors", 200000, "more than 10001 members"},
  /* 2 million metadata entries */
  {"metadata", 2000000, "more than 10000 members"},
};

START_TEST (test_hostile_header)
{
  const Hostile *h = &hostile[_i];
  GString *json = g_string_new ("{");
  GError *err = NULL;
  gchar *path;
  gint64 rss0, t0;
  gsize size;

  if (strcmp (h->name, "array") == 0) {
    g_string_append (json, "\"a\":{\"dtype\":\"F32\",\"shape\":[0");
    for (guint i = 1; i < h->count; i++)
      g_string_append (json, ",0");
    g_string_append (json, "],\"data_offsets\":[0,0]}");
  } else if (strcmp (h->name, "tensors") == 0) {
    for (guint i = 0; i < h->count; i++)
      g_string_append_printf (json, "%s\"t%u\":{\"dtype\":\"F32\",\"shape\":"
          "[0],\"data_offsets\":[0,0]}", i ? "," : "", i);
  } else {
    g_string_append (json, "\"__metadata__\":{");
    for (guint i = 0; i < h->count; i++)
      g_string_append_printf (json, "%s\"k%u\":\"\"", i ? "," : "", i);
    g_string_append (json, "}");
  }
  g_string_append (json, "}");
  size = json->len + 8;
  path = header_file (h->name, json);
  g_string_free (json, TRUE);

  rss0 = status_kb ("VmRSS:");
  reset_peak ();
  t0 = g_get_monotonic_time ();
  ck_assert_ptr_null (rnn_model_load (path, NULL, &err));
  g_print ("hostile header '%s' (%" G_GSIZE_FORMAT " bytes): refused in %.3f "
      "s, peak memory +%" G_GINT64_FORMAT " KB\n", h->name, size,
      (g_get_monotonic_time () - t0) / 1e6, status_kb ("VmHWM:") - rss0);
  ck_assert (g_error_matches (err, RNN_ERROR, RNN_ERROR_FORMAT));
  ck_assert_msg (strstr (err->message, path) &&
      strstr (err->message, h->needle), "%s", err->message);
  /* refused before anything large is built: a few times the file's size
   * (json-glib's tree of the same header took 4-10 GB) */
  ck_assert_int_le (status_kb ("VmHWM:") - rss0,
      3 * (gint64) (size / 1024) + 16 * 1024);
  g_error_free (err);
  g_unlink (path);
  g_free (path);
}

END_TEST;

/* ------------------------------------------------ hostile ONNX files */

#ifdef RNN_HAVE_ONNX
/* A ModelProto of one huge repeated field of 2-byte entries, each of which
 * protobuf-c would allocate on its own (a message of some 100 bytes, or a
 * string): a million empty graph nodes, node inputs or metadata_props.
 * Refused by counting before decoding, in memory of the file's order. */
static const struct
{
  const char *name;
  const char *prefix;           /* bytes before the entries */
  gsize prefix_len;
  guint8 entry;                 /* the field's tag byte, then length 0 */
  gboolean in_graph;            /* entries inside ModelProto.graph */
} hostile_onnx[] = {
  {"graph-nodes", "", 0, 0x0a, TRUE},   /* GraphProto.node */
  {"node-inputs", "\x0a", 1, 0x0a, TRUE},        /* one node's input strings */
  {"metadata-props", "", 0, 0x72, FALSE},       /* ModelProto.metadata_props */
};

static void
append_varint (GString * s, guint64 v)
{
  do {
    g_string_append_c (s, (char) ((v & 0x7f) | (v >> 7 ? 0x80 : 0)));
    v >>= 7;
  } while (v);
}

START_TEST (test_hostile_onnx)
{
  const guint N = 1000000;
  GString *inner = g_string_new (NULL), *file = g_string_new ("\x08\x08");
  GError *err = NULL;
  gint64 rss0, t0;

  for (guint i = 0; i < N; i++) {
    g_string_append_c (inner, (char) hostile_onnx[_i].entry);
    g_string_append_c (inner, 0);       /* length 0 */
  }
  if (hostile_onnx[_i].prefix_len) {   /* node { input: "" x N } */
    GString *node = g_string_new (NULL);
    g_string_append_len (node, hostile_onnx[_i].prefix, 1);
    append_varint (node, inner->len);
    g_string_append_len (node, inner->str, inner->len);
    g_string_free (inner, TRUE);
    inner = node;
  }
  if (hostile_onnx[_i].in_graph) {
    g_string_append_c (file, 0x3a);     /* ModelProto.graph */
    append_varint (file, inner->len);
  }
  g_string_append_len (file, inner->str, inner->len);
  g_string_append (file, "\x42\x02\x10\x0e");   /* opset_import { version 14 } */
  g_autofree gchar *name = g_strdup_printf ("%s.onnx", hostile_onnx[_i].name);
  g_autofree gchar *path = tmp_path (name);
  ck_assert (g_file_set_contents (path, file->str, file->len, NULL));
  gsize size = file->len;
  g_string_free (inner, TRUE);
  g_string_free (file, TRUE);

  rss0 = status_kb ("VmRSS:");
  reset_peak ();
  t0 = g_get_monotonic_time ();
  ck_assert_ptr_null (rnn_model_load (path, NULL, &err));
  g_print ("hostile ONNX '%s' (%" G_GSIZE_FORMAT " bytes): refused in %.3f "
      "s, peak memory +%" G_GINT64_FORMAT " KB\n", hostile_onnx[_i].name,
      size, (g_get_monotonic_time () - t0) / 1e6,
      status_kb ("VmHWM:") - rss0);
  ck_assert_msg (g_error_matches (err, RNN_ERROR, RNN_ERROR_FORMAT), "%s",
      err->message);
  ck_assert_msg (strstr (err->message, path) &&
      strstr (err->message, "more than 65536 messages and strings"), "%s",
      err->message);
  /* the file is read whole: a few times its size, never the ~100 bytes
   * per entry protobuf-c would allocate */
  ck_assert_int_le (status_kb ("VmHWM:") - rss0,
      3 * (gint64) (size / 1024) + 16 * 1024);
  g_error_free (err);
  g_unlink (path);
}

END_TEST;
#endif

/* ------------------------------------------------ control characters */

/* No raw control character of a file reaches an error message: a key
 * (tensor name, metadata key) holding one is refused, shown escaped; a
 * metadata value holding one (an ANSI escape sequence) is escaped. */
static const struct
{
  const char *json;
  const char *needle;
} controls[] = {
  {"{\"a\\u0007b\":{\"dtype\":\"F32\",\"shape\":[0],"
        "\"data_offsets\":[0,0]}}", "U+0007"},
  {"{\"__metadata__\":{\"rnn.\\u001bcell\":\"gru\"}}", "U+001B"},
  {"{\"__metadata__\":{\"rnn.cell\":\"\\u001b[31mgru\"},"
        "\"weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[3,1],"
        "\"data_offsets\":[0,12]},\"weight_hh_l0\":{\"dtype\":\"F32\","
        "\"shape\":[3,1],\"data_offsets\":[12,24]}}", "\\033[31mgru"},
};

START_TEST (test_control_characters)
{
  GString *json = g_string_new (controls[_i].json);
  gchar *path;
  GError *err = NULL;
  GString *file;

  /* header, then 24 zero bytes of data for the third file */
  while (json->len % 8)
    g_string_append_c (json, ' ');
  file = g_string_new (NULL);
  for (int i = 0; i < 8; i++)
    g_string_append_c (file, (char) ((guint64) json->len >> (8 * i)));
  g_string_append_len (file, json->str, json->len);
  for (int i = 0; i < 24 && _i == 2; i++)
    g_string_append_c (file, 0);
  path = tmp_path ("controls.safetensors");
  ck_assert (g_file_set_contents (path, file->str, file->len, NULL));
  ck_assert_ptr_null (rnn_model_load (path, NULL, &err));
  ck_assert_msg (strstr (err->message, controls[_i].needle), "%s",
      err->message);
  for (const char *p = err->message; *p; p++)
    ck_assert_msg ((guchar) * p >= 0x20 && *p != 0x7f,
        "raw control character in: %s", err->message);
  g_error_free (err);
  g_string_free (json, TRUE);
  g_string_free (file, TRUE);
  g_unlink (path);
  g_free (path);
}

END_TEST;

static Suite *
hostile_suite (void)
{
  Suite *s = suite_create ("hostile-files");
  TCase *tc = tcase_create ("files");

  tcase_add_test (tc, test_fifo_refused);
  tcase_add_test (tc, test_directory_refused);
  tcase_add_test (tc, test_rewritten_while_loading);
  tcase_add_loop_test (tc, test_hostile_header, 0, G_N_ELEMENTS (hostile));
  tcase_add_loop_test (tc, test_control_characters, 0,
      G_N_ELEMENTS (controls));
#ifdef RNN_HAVE_ONNX
  tcase_add_loop_test (tc, test_hostile_onnx, 0, G_N_ELEMENTS (hostile_onnx));
#endif
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr;
  int failed;

  tmpdir = g_dir_make_tmp ("rnn-hostile-XXXXXX", NULL);
  g_assert (tmpdir);
  sr = srunner_create (hostile_suite ());
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return failed ? 1 : 0;
}

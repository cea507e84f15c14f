/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The malformed-model corpus (tests/core/malformed, written by
 * gen_malformed.py): every file listed in expected.txt is loaded from disk
 * with rnn_model_load() and must be refused with the listed error code and
 * a message holding the file's path and the listed substrings, or, for the
 * valid files, load with the listed properties.  Every *.safetensors and
 * *.onnx in the directory must be listed.
 *
 *   test_malformed [DIR]     (default: $RNN_MALFORMED_DIR) */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rnn.h"

typedef struct {
  char *file;
  char *code;                   /* "FORMAT", "MODEL" or "OK" */
  char **subs;                  /* NULL-terminated */
  guint line;
} Entry;

static char *corpus_dir;
static GPtrArray *entries;      /* Entry* */
static char *parse_error;       /* a malformed expected.txt */

static void
entry_free (gpointer p)
{
  Entry *e = p;
  g_free (e->file);
  g_free (e->code);
  g_strfreev (e->subs);
  g_free (e);
}

/* Lines "FILE | CODE | SUBSTRING | ..."; '#' lines and blank lines are
 * comments. */
static void
read_expected (void)
{
  g_autofree char *path = g_build_filename (corpus_dir, "expected.txt", NULL);
  g_autofree char *text = NULL;
  GError *err = NULL;
  entries = g_ptr_array_new_with_free_func (entry_free);
  if (!g_file_get_contents (path, &text, NULL, &err)) {
    parse_error = g_strdup (err->message);
    g_error_free (err);
    return;
  }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    char *l = g_strstrip (lines[i]);
    if (!*l || *l == '#')
      continue;
    g_auto (GStrv) f = g_strsplit (l, " | ", -1);
    guint n = g_strv_length (f);
    if (n < 2 || (strcmp (f[1], "OK") && strcmp (f[1], "FORMAT") &&
            strcmp (f[1], "MODEL")) || (strcmp (f[1], "OK") && n < 3)) {
      parse_error = g_strdup_printf ("%s:%u: expected 'FILE | OK|FORMAT|MODEL "
          "| SUBSTRING...', found '%s'", path, i + 1, l);
      return;
    }
    Entry *e = g_new0 (Entry, 1);
    e->file = g_strdup (f[0]);
    e->code = g_strdup (f[1]);
    e->subs = g_new0 (char *, n - 1);
    for (guint k = 2; k < n; k++)
      e->subs[k - 2] = g_strdup (f[k]);
    e->line = i + 1;
    g_ptr_array_add (entries, e);
  }
}

START_TEST (test_expected_parses)
{
  ck_assert_msg (parse_error == NULL, "%s", parse_error);
  ck_assert_uint_gt (entries->len, 0);
}
END_TEST

/* Every corpus file is listed, once. */
START_TEST (test_all_listed)
{
  GError *err = NULL;
  GDir *d = g_dir_open (corpus_dir, 0, &err);
  ck_assert_msg (d != NULL, "%s", err ? err->message : "");
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < entries->len; i++) {
    Entry *e = g_ptr_array_index (entries, i);
    ck_assert_msg (g_hash_table_add (listed, e->file),
        "%s is listed twice in expected.txt", e->file);
  }
  guint n = 0;
  const char *f;
  while ((f = g_dir_read_name (d))) {
    if (!g_str_has_suffix (f, ".safetensors") && !g_str_has_suffix (f, ".onnx"))
      continue;
    n++;
    if (!g_hash_table_contains (listed, f)) {
      g_dir_close (d);
      ck_abort_msg ("%s/%s is not listed in expected.txt (no test)",
          corpus_dir, f);
    }
  }
  g_dir_close (d);
  ck_assert_uint_eq (n, entries->len);
}
END_TEST

/* A key=value property of a loaded model, as text. */
static char *
model_property (RnnModel * m, const char *key)
{
  if (!strcmp (key, "cell"))
    return g_strdup (rnn_cell_name (rnn_model_get_cell (m)));
  if (!strcmp (key, "input"))
    return g_strdup_printf ("%u", rnn_model_get_input_size (m));
  if (!strcmp (key, "hidden"))
    return g_strdup_printf ("%u", rnn_model_get_hidden_size (m));
  if (!strcmp (key, "proj"))
    return g_strdup_printf ("%u", rnn_model_get_proj_size (m));
  if (!strcmp (key, "layers"))
    return g_strdup_printf ("%u", rnn_model_get_num_layers (m));
  if (!strcmp (key, "dirs"))
    return g_strdup_printf ("%d", rnn_model_is_bidirectional (m) ? 2 : 1);
  if (!strcmp (key, "bias"))
    return g_strdup_printf ("%d", rnn_model_has_bias (m) ? 1 : 0);
  if (!strcmp (key, "head"))
    return g_strdup_printf ("%d", rnn_model_has_head (m) ? 1 : 0);
  if (!strcmp (key, "out"))
    return g_strdup_printf ("%u", rnn_model_get_output_size (m));
  const RnnModelSettings *rs = rnn_model_get_settings (m);
  if (!strcmp (key, "mode"))
    return g_strdup ((rs->set & RNN_SETTING_MODE) ?
        rnn_mode_name (rs->mode) : "-");
  if (!strcmp (key, "window") && (rs->set & RNN_SETTING_WINDOW))
    return g_strdup_printf ("%u", rs->window);
  if (!strcmp (key, "hop") && (rs->set & RNN_SETTING_HOP))
    return g_strdup_printf ("%u", rs->hop);
  if (!strcmp (key, "steps") && (rs->set & RNN_SETTING_STEPS))
    return g_strdup_printf ("%u", rs->steps);
  if (!strcmp (key, "window") || !strcmp (key, "hop")
      || !strcmp (key, "steps"))
    return g_strdup ("-");
  if (!strcmp (key, "feed"))
    return g_strdup ((rs->set & RNN_SETTING_FEED) ?
        rnn_feed_name (rs->feed) : "-");
  if (!strcmp (key, "carry"))
    return g_strdup (!(rs->set & RNN_SETTING_CARRY_STATE) ? "-" :
        rs->carry_state ? "true" : "false");
  if (!strcmp (key, "ignored")) {
    const char *const *k = rnn_model_get_ignored_keys (m);
    return k ? g_strjoinv (",", (char **) k) : g_strdup ("");
  }
  if (!strcmp (key, "labels")) {
    const char *const *l = rnn_model_get_labels (m);
    return g_strdup_printf ("%u", l ? g_strv_length ((char **) l) : 0);
  }
  return NULL;
}

/* NULL if @e's file behaves as listed, else why not. */
static char *
check_entry (const Entry * e)
{
  g_autofree char *path = g_build_filename (corpus_dir, e->file, NULL);
  GError *err = NULL;
  RnnModel *m = rnn_model_load (path, NULL, &err);
  char *why = NULL;

#ifndef RNN_HAVE_ONNX
  /* A build without the ONNX reader (e.g. the aarch64 cross build) refuses
   * every .onnx file, valid or not, saying so and naming it. */
  if (g_str_has_suffix (e->file, ".onnx")) {
    if (m) {
      rnn_model_unref (m);
      return g_strdup ("loaded by a build without ONNX support");
    }
    if (!strstr (err->message, "no ONNX support")
        || !strstr (err->message, path))
      why = g_strdup_printf ("not the no-ONNX-support error: %s",
          err->message);
    g_error_free (err);
    return why;
  }
#endif

  if (!strcmp (e->code, "OK")) {
    if (!m) {
      why = g_strdup_printf ("valid file refused: %s", err->message);
      g_error_free (err);
      return why;
    }
    for (guint i = 0; !why && e->subs[i]; i++) {
      g_auto (GStrv) kv = g_strsplit (e->subs[i], "=", 2);
      g_autofree char *got = kv[1] ? model_property (m, kv[0]) : NULL;
      if (!got)
        why = g_strdup_printf ("expected.txt:%u: unknown property '%s'",
            e->line, e->subs[i]);
      else if (strcmp (got, kv[1]))
        why = g_strdup_printf ("%s is %s, expected %s", kv[0], got, kv[1]);
    }
    rnn_model_unref (m);
    return why;
  }

  int code = !strcmp (e->code, "FORMAT") ? RNN_ERROR_FORMAT : RNN_ERROR_MODEL;
  if (m) {
    rnn_model_unref (m);
    return g_strdup ("the file was accepted");
  }
  if (!err)
    return g_strdup ("NULL returned without an error");
  if (err->domain != RNN_ERROR || err->code != code)
    why = g_strdup_printf ("error %s/%d, expected RNN_ERROR_%s (%d): %s",
        g_quark_to_string (err->domain), err->code, e->code, code,
        err->message);
  else if (!strstr (err->message, path))
    why = g_strdup_printf ("message lacks the path '%s': %s", path,
        err->message);
  for (guint i = 0; !why && e->subs[i]; i++)
    if (!strstr (err->message, e->subs[i]))
      why = g_strdup_printf ("message lacks '%s': %s", e->subs[i],
          err->message);
  g_error_free (err);
  return why;
}

START_TEST (test_file)
{
  ck_assert_msg (parse_error == NULL, "%s", parse_error);
  Entry *e = g_ptr_array_index (entries, _i);
  char *why = check_entry (e);
  if (why) {
    g_autofree char *msg = g_strdup_printf ("%s (%s): %s", e->file, e->code,
        why);
    g_free (why);
    ck_abort_msg ("%s", msg);
  }
}
END_TEST

/* The same files loaded from memory give the same outcome, with the name
 * given in place of the path. */
START_TEST (test_from_data_same)
{
  Entry *e = g_ptr_array_index (entries, _i);
  g_autofree char *path = g_build_filename (corpus_dir, e->file, NULL);
  g_autofree char *buf = NULL;
  gsize len;
  ck_assert (g_file_get_contents (path, &buf, &len, NULL));
  GError *e1 = NULL, *e2 = NULL;
  RnnModel *m1 = rnn_model_load (path, NULL, &e1);
  RnnModel *m2 = rnn_model_load_from_data ((const guint8 *) buf, len, path,
      NULL, &e2);
  ck_assert_msg ((m1 == NULL) == (m2 == NULL), "%s: file and memory differ",
      e->file);
  if (m1) {
    ck_assert_uint_eq (rnn_model_get_fingerprint (m1),
        rnn_model_get_fingerprint (m2));
    rnn_model_unref (m1);
    rnn_model_unref (m2);
  } else {
    ck_assert_int_eq (e1->code, e2->code);
    ck_assert_str_eq (e1->message, e2->message);
    g_error_free (e1);
    g_error_free (e2);
  }
}
END_TEST

static Suite *
malformed_suite (void)
{
  Suite *s = suite_create ("malformed");
  TCase *tc = tcase_create ("corpus");
  tcase_add_test (tc, test_expected_parses);
  tcase_add_test (tc, test_all_listed);
  tcase_add_loop_test (tc, test_file, 0, (int) entries->len);
  tcase_add_loop_test (tc, test_from_data_same, 0, (int) entries->len);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : g_getenv ("RNN_MALFORMED_DIR");
  if (!dir) {
    g_printerr ("usage: %s CORPUS_DIR (or set RNN_MALFORMED_DIR)\n", argv[0]);
    return 2;
  }
  corpus_dir = g_strdup (dir);
  read_expected ();
  SRunner *sr = srunner_create (malformed_suite ());
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_ptr_array_unref (entries);
  g_free (corpus_dir);
  g_free (parse_error);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

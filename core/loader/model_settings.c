/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The run settings a model file carries: the "rnn.mode", "rnn.window",
 * "rnn.hop", "rnn.steps", "rnn.feed" and "rnn.carry_state" metadata keys
 * (how the network was trained to be run), parsed and checked on their
 * own; and which metadata keys the loader knows.  Pure functions over the
 * metadata table: no global mutable state, any thread. */
#include "rnn-private.h"
#include "safetensors.h"
#include "onnx.h"

#include <string.h>

/* Metadata keys this version understands.  Other "rnn.*" keys are kept,
 * listed by rnn_model_get_ignored_keys() and otherwise ignored: a file
 * written for a later version still loads (callers warn about them). */
static const char *const known_keys[] = {
  "rnn.nonlinearity", "rnn.cell", "rnn.head", "rnn.head_activation",
  "rnn.labels", "rnn.pooling", "rnn.precision",
  "rnn.mode", "rnn.window", "rnn.hop", "rnn.steps", "rnn.feed",
  "rnn.carry_state", NULL
};

static const char *const mode_names[] = {
  [RNN_MODE_N_TO_N] = "n-to-n",
  [RNN_MODE_N_TO_1] = "n-to-1",
  [RNN_MODE_1_TO_N] = "1-to-n",
  [RNN_MODE_N_TO_M] = "n-to-m",
};

/* a file names a feed the model was trained with: never "auto" */
static const char *const feed_names[] = {
  [RNN_FEED_AUTO] = "auto",
  [RNN_FEED_REPEAT] = "repeat",
  [RNN_FEED_FIRST] = "first",
  [RNN_FEED_FEEDBACK] = "feedback",
  [RNN_FEED_CONTEXT] = "context",
};

const char *const *
rnn_metadata_known_keys (void)
{
  return known_keys;
}

gboolean
rnn_metadata_key_is_ignored (const char *key)
{
  return g_str_has_prefix (key, "rnn.")
      && !g_str_equal (key, "rnn.frontend")
      && !g_str_has_prefix (key, "rnn.frontend.")
      && !g_strv_contains (known_keys, key);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char **
rnn_metadata_ignored_keys (GHashTable * metadata)
{
  GPtrArray *ignored = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init (&it, metadata);
  while (g_hash_table_iter_next (&it, &k, NULL))
    if (rnn_metadata_key_is_ignored (k))
      g_ptr_array_add (ignored, g_strdup (k));
  if (ignored->len == 0) {
    g_ptr_array_free (ignored, TRUE);
    return NULL;
  }
  g_ptr_array_sort (ignored, compare_strings);
  g_ptr_array_add (ignored, NULL);
  return (char **) g_ptr_array_free (ignored, FALSE);
}

const char *
rnn_mode_name (RnnMode mode)
{
  return (guint) mode < G_N_ELEMENTS (mode_names) ? mode_names[mode] : NULL;
}

const char *
rnn_feed_name (RnnFeed feed)
{
  return (guint) feed < G_N_ELEMENTS (feed_names) ? feed_names[feed] : NULL;
}

static gboolean
bad_setting (GError ** error, const char *file, const char *key,
    const char *value, const char *allowed)
{
  /* anyone's text: escaped, so no control character reaches a terminal */
  g_autofree char *v = g_strescape (value, NULL);
  g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
      "%s: metadata %s: \"%s\" is not %s", file, key, v, allowed);
  return FALSE;
}

/* A count: decimal digits only (no sign, space or exponent), 1 .. @max. */
static gboolean
parse_count (const char *file, const char *key, const char *s, guint max,
    guint * out, GError ** error)
{
  guint64 v = 0;
  gsize n = strlen (s);
  g_autofree char *allowed = g_strdup_printf ("a whole number from 1 to %u",
      max);

  if (n == 0 || n > 10 || strspn (s, "0123456789") != n)
    return bad_setting (error, file, key, s, allowed);
  for (gsize i = 0; i < n; i++)
    v = v * 10 + (guint64) (s[i] - '0');
  if (v < 1 || v > max)
    return bad_setting (error, file, key, s, allowed);
  *out = (guint) v;
  return TRUE;
}

static gboolean
parse_name (const char *file, const char *key, const char *s,
    const char *const *names, guint n_names, guint first, guint * out,
    GError ** error)
{
  for (guint i = first; i < n_names; i++) {
    if (names[i] && strcmp (s, names[i]) == 0) {
      *out = i;
      return TRUE;
    }
  }
  GString *allowed = g_string_new ("one of ");
  for (guint i = first; i < n_names; i++)
    g_string_append_printf (allowed, "%s%s", i > first ? ", " : "", names[i]);
  bad_setting (error, file, key, s, allowed->str);
  g_string_free (allowed, TRUE);
  return FALSE;
}

gboolean
rnn_settings_parse (GHashTable * metadata, const char *file,
    RnnModelSettings * out, GError ** error)
{
  RnnModelSettings s = { 0 };
  const char *v;
  guint e;

  if ((v = g_hash_table_lookup (metadata, "rnn.mode"))) {
    if (!parse_name (file, "rnn.mode", v, mode_names,
            G_N_ELEMENTS (mode_names), 0, &e, error))
      return FALSE;
    s.mode = (RnnMode) e;
    s.set |= RNN_SETTING_MODE;
  }
  if ((v = g_hash_table_lookup (metadata, "rnn.window"))) {
    if (!parse_count (file, "rnn.window", v, RNN_MAX_WINDOW, &s.window,
            error))
      return FALSE;
    s.set |= RNN_SETTING_WINDOW;
  }
  if ((v = g_hash_table_lookup (metadata, "rnn.hop"))) {
    if (!parse_count (file, "rnn.hop", v, RNN_MAX_WINDOW, &s.hop, error))
      return FALSE;
    s.set |= RNN_SETTING_HOP;
  }
  if ((v = g_hash_table_lookup (metadata, "rnn.steps"))) {
    if (!parse_count (file, "rnn.steps", v, RNN_MAX_STEPS, &s.steps, error))
      return FALSE;
    s.set |= RNN_SETTING_STEPS;
  }
  if ((v = g_hash_table_lookup (metadata, "rnn.feed"))) {
    if (!parse_name (file, "rnn.feed", v, feed_names,
            G_N_ELEMENTS (feed_names), RNN_FEED_REPEAT, &e, error))
      return FALSE;
    s.feed = (RnnFeed) e;
    s.set |= RNN_SETTING_FEED;
  }
  if ((v = g_hash_table_lookup (metadata, "rnn.carry_state"))) {
    if (strcmp (v, "true") == 0)
      s.carry_state = TRUE;
    else if (strcmp (v, "false") != 0)
      return bad_setting (error, file, "rnn.carry_state", v,
          "true or false");
    s.set |= RNN_SETTING_CARRY_STATE;
  }
  /* what the keys say among themselves */
  if ((s.set & RNN_SETTING_MODE) && s.mode == RNN_MODE_N_TO_N
      && (s.set & (RNN_SETTING_HOP | RNN_SETTING_STEPS))) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
        "%s: metadata rnn.%s applies to the windowed or generating modes, "
        "but rnn.mode is \"n-to-n\"", file,
        (s.set & RNN_SETTING_HOP) ? "hop" : "steps");
    return FALSE;
  }
  if ((s.set & RNN_SETTING_FEED) && (s.set & RNN_SETTING_MODE)) {
    gboolean ok = s.mode == RNN_MODE_1_TO_N ? s.feed != RNN_FEED_CONTEXT :
        s.mode == RNN_MODE_N_TO_M ? (s.feed == RNN_FEED_CONTEXT
        || s.feed == RNN_FEED_FEEDBACK) : FALSE;
    if (!ok) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_MODEL,
          "%s: metadata rnn.feed \"%s\" does not apply to rnn.mode \"%s\" "
          "(1-to-n takes repeat, first or feedback; n-to-m context or "
          "feedback)", file, feed_names[s.feed], mode_names[s.mode]);
      return FALSE;
    }
  }
  *out = s;
  return TRUE;
}

gboolean
rnn_model_read_settings (const char *path, RnnModelSettings * settings,
    GError ** error)
{
  g_return_val_if_fail (path != NULL && settings != NULL, FALSE);
  gsize size = 0;
  g_autofree guint8 *data = rnn_file_read (path, &size, error);
  if (!data)
    return FALSE;
  /* an ONNX file carries them in metadata_props (onnx.h) */
  RnnSafetensors *st = rnn_onnx_looks_like (data, size, path) ?
      rnn_onnx_parse (data, size, path, error) :
      rnn_safetensors_parse (data, size, path, error);
  if (!st)
    return FALSE;
  gboolean ok = rnn_settings_parse (st->metadata, path, settings, error);
  rnn_safetensors_free (st);
  return ok;
}

const RnnModelSettings *
rnn_model_get_settings (const RnnModel * m)
{
  return &m->settings;
}

const char *const *
rnn_model_get_ignored_keys (const RnnModel * m)
{
  return (const char *const *) m->ignored_keys;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rnn element's properties and action signals: every default in one
 * table, the enum values, the properties that may change while playing,
 * the signals, and threads=2 giving the threads=1 numbers.  (What each
 * property does is tested with its behaviour.) */
#include <math.h>
#include <string.h>

#include "rnn-test-gst.h"

/* A property as text: enums as "value:nick", booleans as true/false,
 * strings as themselves or "NULL", numbers in decimal. */
static gchar *
prop_string (GObject * obj, const gchar * name)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (obj),
      name);
  GValue v = G_VALUE_INIT;
  gchar *s;

  fail_unless (pspec != NULL, "no property %s", name);
  g_value_init (&v, pspec->value_type);
  g_object_get_property (obj, name, &v);
  if (G_VALUE_HOLDS_ENUM (&v)) {
    GEnumValue *e = g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
        g_value_get_enum (&v));

    s = g_strdup_printf ("%d:%s", g_value_get_enum (&v),
        e ? e->value_nick : "?");
  } else if (G_VALUE_HOLDS_STRING (&v)) {
    s = g_strdup (g_value_get_string (&v) ? g_value_get_string (&v) : "NULL");
  } else {
    s = gst_value_serialize (&v);
  }
  g_value_unset (&v);
  return s;
}

/* Every property a new element has, with its default. */
GST_START_TEST (test_defaults)
{
  static const gchar *const defaults[][2] = {
    {"model", "NULL"},
    {"batch-first", "false"},
    {"reset-on-discont", "true"},
    {"mode", "0:n-to-n"},
    {"window", "0"},
    {"hop", "0"},
    {"steps", "1"},
    {"carry-state", "false"},
    {"post-messages", "true"},
    {"feed", "0:auto"},
    {"partial-window", "0:auto"},
    {"non-finite", "0:reset-stream"},
    {"timestamp-tolerance", "40000000"},
  };
  GstElement *rnn = make_rnn (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (defaults); i++) {
    gchar *got = prop_string (G_OBJECT (rnn), defaults[i][0]);

    fail_unless (g_str_equal (got, defaults[i][1]), "%s: default %s, not %s",
        defaults[i][0], got, defaults[i][1]);
    g_free (got);
  }
  gst_object_unref (rnn);
}

GST_END_TEST;

/* The enum values that exist, and setting some by nick. */
/* The element's metadata as gst-plugins-good writes it: a klass of known
 * words and an author string with a contact in angle brackets. */
GST_START_TEST (test_metadata)
{
  GstElementFactory *f = gst_element_factory_find ("rnn");
  const gchar *author, *klass;

  fail_unless (f != NULL);
  author = gst_element_factory_get_metadata (f, GST_ELEMENT_METADATA_AUTHOR);
  klass = gst_element_factory_get_metadata (f, GST_ELEMENT_METADATA_KLASS);
  fail_unless (author && strchr (author, '<') && strchr (author, '>')
      && strchr (author, '<') < strchr (author, '>'), "author: %s", author);
  fail_unless_equals_string (klass, "Filter/Analyzer/Audio");
  gst_object_unref (f);
}

GST_END_TEST;

GST_START_TEST (test_enum_values)
{
  static const gchar *const nicks[][2] = {
    {"mode", "n-to-n"}, {"mode", "n-to-m"},
    {"non-finite", "reset-stream"}, {"non-finite", "propagate"},
    {"non-finite", "zero"}, {"non-finite", "error"},
  };
  /* property, nick set, value read back */
  static const struct
  {
    const gchar *prop, *nick;
    gint value;
  } sets[] = {
    {"feed", "feedback", 3},
    {"partial-window", "run", 2},
  };
  GstElement *rnn = make_rnn (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (nicks); i++) {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS
        (rnn), nicks[i][0]);

    fail_unless (pspec != NULL, "%s", nicks[i][0]);
    fail_unless (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM
            (pspec)->enum_class, nicks[i][1]) != NULL, "%s: no %s",
        nicks[i][0], nicks[i][1]);
  }
  for (i = 0; i < G_N_ELEMENTS (sets); i++) {
    gint v = -1;

    gst_util_set_object_arg (G_OBJECT (rnn), sets[i].prop, sets[i].nick);
    g_object_get (rnn, sets[i].prop, &v, NULL);
    fail_unless_equals_int (v, sets[i].value);
  }
  gst_object_unref (rnn);
}

GST_END_TEST;

/* model, non-finite and timestamp-tolerance may change while playing
 * and are documented. */
GST_START_TEST (test_mutable_playing)
{
  GstElement *rnn = make_rnn (NULL);
  const gchar *props[] = { "model", "non-finite", "timestamp-tolerance",
    NULL
  };
  guint i;

  for (i = 0; props[i]; i++) {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS
        (rnn), props[i]);

    fail_unless (pspec != NULL, "%s", props[i]);
    fail_unless (g_param_spec_get_blurb (pspec) != NULL
        && strlen (g_param_spec_get_blurb (pspec)) > 20, "%s", props[i]);
    fail_unless (pspec->flags & GST_PARAM_MUTABLE_PLAYING, "%s", props[i]);
  }
  gst_object_unref (rnn);
}

GST_END_TEST;

/* A value of @pspec other than @cur, in @other (initialised here). */
static void
other_value (GParamSpec * pspec, const GValue * cur, GValue * other)
{
  g_value_init (other, pspec->value_type);
  if (G_IS_PARAM_SPEC_BOOLEAN (pspec)) {
    g_value_set_boolean (other, !g_value_get_boolean (cur));
  } else if (G_IS_PARAM_SPEC_UINT (pspec)) {
    GParamSpecUInt *u = G_PARAM_SPEC_UINT (pspec);
    guint v = g_value_get_uint (cur);

    g_value_set_uint (other, v < u->maximum ? v + 1 : u->minimum);
  } else if (G_IS_PARAM_SPEC_INT64 (pspec)) {
    GParamSpecInt64 *i = G_PARAM_SPEC_INT64 (pspec);
    gint64 v = g_value_get_int64 (cur);

    g_value_set_int64 (other, v < i->maximum ? v + 1 : i->minimum);
  } else if (G_IS_PARAM_SPEC_ENUM (pspec)) {
    GEnumClass *e = G_PARAM_SPEC_ENUM (pspec)->enum_class;
    gint v = g_value_get_enum (cur);

    fail_unless (e->n_values > 1, "%s", pspec->name);
    g_value_set_enum (other, e->values[0].value == v ? e->values[1].value :
        e->values[0].value);
  } else {
    fail ("property %s: type %s not covered", pspec->name,
        g_type_name (pspec->value_type));
  }
}

/* Set every property of the element (but model, a hot swap) to another
 * value while it runs: those flagged GST_PARAM_MUTABLE_READY keep the
 * value in force, the others take the new one.  Back in READY, all
 * take it. */
GST_START_TEST (test_ready_only_from_flags)
{
  gchar *model = tiny_model (1, 4);
  GstElement *rnn = make_rnn (model);
  GstHarness *h = harness_audio (gst_object_ref (rnn), 1);
  GParamSpec **props;
  guint n, i, ready = 0;

  props = g_object_class_list_properties (G_OBJECT_GET_CLASS (rnn), &n);
  for (i = 0; i < n; i++) {
    GParamSpec *pspec = props[i];
    GValue cur = G_VALUE_INIT, other = G_VALUE_INIT, now = G_VALUE_INIT;
    gboolean ready_only = (pspec->flags & GST_PARAM_MUTABLE_READY) != 0;
    gint cmp;

    if (pspec->owner_type != G_OBJECT_TYPE (rnn)
        || !strcmp (pspec->name, "model"))
      continue;
    g_value_init (&cur, pspec->value_type);
    g_value_init (&now, pspec->value_type);
    g_object_get_property (G_OBJECT (rnn), pspec->name, &cur);
    other_value (pspec, &cur, &other);

    g_object_set_property (G_OBJECT (rnn), pspec->name, &other);
    g_object_get_property (G_OBJECT (rnn), pspec->name, &now);
    cmp = gst_value_compare (&now, ready_only ? &cur : &other);
    fail_unless (cmp == GST_VALUE_EQUAL, "%s (%s) set while playing: %s",
        pspec->name, ready_only ? "ready only" : "mutable",
        ready_only ? "taken" : "refused");
    ready += ready_only;

    g_value_unset (&cur);
    g_value_unset (&other);
    g_value_unset (&now);
  }
  /* batch-first, mode, window, hop, steps, feed, carry-state, threads,
   * precision */
  fail_unless_equals_int (ready, 9);

  fail_unless (gst_element_set_state (rnn, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  for (i = 0; i < n; i++) {
    GParamSpec *pspec = props[i];
    GValue cur = G_VALUE_INIT, other = G_VALUE_INIT, now = G_VALUE_INIT;

    if (pspec->owner_type != G_OBJECT_TYPE (rnn)
        || !(pspec->flags & GST_PARAM_MUTABLE_READY))
      continue;
    g_value_init (&cur, pspec->value_type);
    g_value_init (&now, pspec->value_type);
    g_object_get_property (G_OBJECT (rnn), pspec->name, &cur);
    other_value (pspec, &cur, &other);
    g_object_set_property (G_OBJECT (rnn), pspec->name, &other);
    g_object_get_property (G_OBJECT (rnn), pspec->name, &now);
    fail_unless (gst_value_compare (&now, &other) == GST_VALUE_EQUAL,
        "%s refused in READY", pspec->name);
    g_value_unset (&cur);
    g_value_unset (&other);
    g_value_unset (&now);
  }
  g_free (props);
  harness_done (h);
  gst_object_unref (rnn);
  g_free (model);
}

GST_END_TEST;

GST_START_TEST (test_signals)
{
  GstElement *rnn = make_rnn (NULL);
  const gchar *signals[] = { "reset", "snapshot", "restore" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (signals); i++)
    fail_unless (g_signal_lookup (signals[i], G_OBJECT_TYPE (rnn)) != 0,
        "no signal %s", signals[i]);
  gst_object_unref (rnn);
}

GST_END_TEST;

/* threads=2 splits the products of a 64-unit GRU (192 rows of weights)
 * between two threads: the outputs are bit-identical to threads=1. */
GST_START_TEST (test_threads_identical)
{
  gchar *model = tiny_model (3, 64);
  float x[3 * 2 * 50];
  GstBuffer *out[2];
  GstMapInfo m0, m1;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = sinf (0.37f * i);
  for (i = 0; i < 2; i++) {
    GstElement *rnn = make_rnn (model);
    GstHarness *h;
    guint threads = 0;

    g_object_set (rnn, "threads", i + 1, NULL);
    g_object_get (rnn, "threads", &threads, NULL);
    fail_unless_equals_int (threads, i + 1);
    h = harness_audio (rnn, 6);
    out[i] = push_pull (h, frames_buffer (x, 50, 2, 3, FALSE, 0, 50));
    harness_done (h);
  }
  fail_unless (gst_buffer_map (out[0], &m0, GST_MAP_READ));
  fail_unless (gst_buffer_map (out[1], &m1, GST_MAP_READ));
  fail_unless_equals_int (m0.size, m1.size);
  fail_unless_equals_int (m0.size, 50 * 2 * 64 * sizeof (float));
  fail_unless (memcmp (m0.data, m1.data, m0.size) == 0);
  gst_buffer_unmap (out[0], &m0);
  gst_buffer_unmap (out[1], &m1);
  gst_buffer_unref (out[0]);
  gst_buffer_unref (out[1]);
  g_free (model);
}

GST_END_TEST;

static Suite *
rnn_properties_suite (void)
{
  Suite *s = suite_create ("rnn-properties");
  TCase *tc = tcase_create ("properties");

  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_enum_values);
  tcase_add_test (tc, test_mutable_playing);
  tcase_add_test (tc, test_ready_only_from_flags);
  tcase_add_test (tc, test_signals);
  tcase_add_test (tc, test_metadata);
  tcase_add_test (tc, test_threads_identical);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_properties);

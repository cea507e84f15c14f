/* The rnn element's properties and action signals: every default in one
 * table, the enum values, the signals.  (What each property does is
 * tested with its behaviour.) */

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
GST_START_TEST (test_enum_values)
{
  static const gchar *const nicks[][2] = {
    {"mode", "n-to-n"}, {"mode", "n-to-m"},
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

GST_START_TEST (test_signals)
{
  GstElement *rnn = make_rnn (NULL);
  const gchar *signals[] = { "reset" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (signals); i++)
    fail_unless (g_signal_lookup (signals[i], G_OBJECT_TYPE (rnn)) != 0,
        "no signal %s", signals[i]);
  gst_object_unref (rnn);
}

GST_END_TEST;

static Suite *
rnn_properties_suite (void)
{
  Suite *s = suite_create ("rnn-properties");
  TCase *tc = tcase_create ("properties");

  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_enum_values);
  tcase_add_test (tc, test_signals);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnn_properties);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext's properties as gst-inspect-1.0 shows them: every blurb is one
 * short sentence (GStreamer's style: no ';', no second sentence, at most
 * 100 characters; the details are in the element's documentation), and
 * every property may be set while PLAYING (GST_PARAM_MUTABLE_PLAYING:
 * none needs a restart); its author string is the one rnn and melspec
 * give (the three elements of one plugin). */
#include <string.h>

#include "rnntext-test.h"

GST_START_TEST (test_blurbs)
{
  GstElement *e = gst_element_factory_make ("rnntext", NULL);
  GParamSpec **specs;
  guint n, i, ours = 0;

  fail_unless (e != NULL);
  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (e), &n);
  for (i = 0; i < n; i++) {
    const gchar *name = g_param_spec_get_name (specs[i]);
    const gchar *blurb = g_param_spec_get_blurb (specs[i]);
    const gchar *dot;

    if (specs[i]->owner_type != G_OBJECT_TYPE (e))
      continue;                 /* GstObject's name and parent */
    ours++;
    fail_unless (blurb != NULL && *blurb != '\0', "%s: no blurb", name);
    fail_unless (strlen (blurb) <= 100, "%s: blurb of %u characters: %s",
        name, (guint) strlen (blurb), blurb);
    fail_unless (strchr (blurb, ';') == NULL, "%s: blurb with ';': %s", name,
        blurb);
    for (dot = strstr (blurb, ". "); dot; dot = strstr (dot + 1, ". "))
      fail_unless (!g_ascii_isupper (dot[2]), "%s: blurb of two sentences: "
          "%s", name, blurb);
    fail_unless (specs[i]->flags & GST_PARAM_MUTABLE_PLAYING,
        "%s: not GST_PARAM_MUTABLE_PLAYING", name);
  }
  fail_unless (ours >= 16, "%u properties", ours);
  g_free (specs);
  gst_object_unref (e);
}

GST_END_TEST;

static gchar *
author_of (const gchar * factory)
{
  GstElementFactory *f = gst_element_factory_find (factory);
  gchar *author;

  fail_unless (f != NULL, "no element %s", factory);
  author = g_strdup (gst_element_factory_get_metadata (f,
          GST_ELEMENT_METADATA_AUTHOR));
  gst_object_unref (f);
  return author;
}

GST_START_TEST (test_author)
{
  gchar *text = author_of ("rnntext"), *rnn = author_of ("rnn"), *mel;

  fail_unless_equals_string (text, rnn);
  mel = author_of ("melspec");
  fail_unless_equals_string (mel, rnn);
  g_free (text);
  g_free (rnn);
  g_free (mel);
}

GST_END_TEST;

static Suite *
rnntext_properties_suite (void)
{
  Suite *s = suite_create ("rnntext-properties");
  TCase *tc = tcase_create ("properties");

  tcase_add_test (tc, test_blurbs);
  tcase_add_test (tc, test_author);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_properties);

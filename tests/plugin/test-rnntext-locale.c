/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext's text does not follow the locale: under de_DE.UTF-8, whose
 * decimal separator is a comma, times and confidence are still written
 * with a decimal point (the text is data: examples/kws/demo.py and other
 * programs parse it).  The locale is compiled by localedef (Debian
 * packages libc-bin and locales) into a temporary LOCPATH, so the test
 * needs no locale installed system-wide. */
#include <locale.h>
#include <stdio.h>

#include "rnntext-test.h"

static gchar *locdir;

/* Compile de_DE.UTF-8 into a temporary directory and switch to it. */
static void
use_german_locale (void)
{
  gchar *out = NULL, *err = NULL, *path, *num;
  gint status = 0;
  GError *e = NULL;

  locdir = g_dir_make_tmp ("rnntext-locale-XXXXXX", &e);
  fail_unless (locdir != NULL, "%s", e ? e->message : "");
  path = g_build_filename (locdir, "de_DE.UTF-8", NULL);
  {
    const gchar *argv[] = { "localedef", "-i", "de_DE", "-f", "UTF-8",
      path, NULL
    };

    /* exit status 1 means warnings only; the locale is usable */
    fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL,
            G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &e),
        "localedef: %s", e ? e->message : "");
  }
  fail_unless (g_file_test (path, G_FILE_TEST_IS_DIR), "localedef could not "
      "compile de_DE.UTF-8 (install the Debian package 'locales'): %s", err);
  g_free (out);
  g_free (err);
  g_free (path);
  g_setenv ("LOCPATH", locdir, TRUE);
  fail_unless (setlocale (LC_ALL, "de_DE.UTF-8") != NULL);
  /* the locale is in force: printf writes a decimal comma */
  num = g_strdup_printf ("%.1f", 0.5);
  fail_unless_equals_string (num, "0,5");
  g_free (num);
}

static void
drop_german_locale (void)
{
  const gchar *argv[] = { "rm", "-rf", locdir, NULL };

  setlocale (LC_ALL, "C");
  g_unsetenv ("LOCPATH");
  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
      NULL, NULL, NULL, NULL);
  g_clear_pointer (&locdir, g_free);
}

GST_START_TEST (test_decimal_point)
{
  GstHarness *h;
  FakeResult r = { 0, 1250 * MS, 500 * MS, "yes", 2, 0.875f, TRUE };

  use_german_locale ();
  h = text_harness ("template", "{start} {end} {duration} {confidence}",
      "newline", FALSE, NULL);
  gst_harness_push (h, results_buffer (1250 * MS, 500 * MS, &r, 1));
  gst_harness_push_event (h, gst_event_new_eos ());
  expect_cue (h, "1.250 1.750 0.500 0.88", 1250 * MS, 1750 * MS);
  harness_done (h);
  drop_german_locale ();
}

GST_END_TEST;

static Suite *
rnntext_locale_suite (void)
{
  Suite *s = suite_create ("rnntext-locale");
  TCase *tc = tcase_create ("locale");

  tcase_add_test (tc, test_decimal_point);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_locale);

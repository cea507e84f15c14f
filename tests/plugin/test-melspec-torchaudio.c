/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melspec against torchaudio 0.13: every fixture of tests/features (mel
 * spectrograms with and without ln / dB, MFCCs, Kaldi filter banks; 8 to
 * 44.1 kHz; S16LE and F32LE; 1 and 2 streams) fed whole, one sample per
 * buffer, and in uneven and pseudo-random splits that do not align with
 * the hop: the frames must be torchaudio's within 1e-4 (absolute on log
 * features, relative on linear energies), whatever the split. */
#include "melspec-test.h"

static GPtrArray *mel_cases;

static void
setup (void)
{
  mel_cases = mel_cases_load ();
}

static void
teardown (void)
{
  g_clear_pointer (&mel_cases, g_ptr_array_unref);
}

/* Case @i in split @kind: frame count and values. */
static double
run_case (const MelCase * c, guint kind)
{
  GstHarness *h = mel_harness (make_case_melspec (c), c);
  guint T;
  float *got = mel_run (h, c, kind, &T);
  double err;

  fail_unless_equals_int (T, c->T);
  err = mel_error (c, got);
  fail_unless (err <= (c->rel ? MEL_REL_TOLERANCE : MEL_ABS_TOLERANCE),
      "%s, %s split: %s error %g against torchaudio", c->name,
      mel_split_names[kind], c->rel ? "relative" : "absolute", err);
  g_free (got);
  harness_done (h);
  return err;
}

GST_START_TEST (test_fixtures)
{
  for (guint i = 0; i < mel_cases->len; i++) {
    const MelCase *c = g_ptr_array_index (mel_cases, i);
    double worst = 0, first = -1;

    for (guint kind = 0; kind < 4; kind++) {
      double e = run_case (c, kind);

      /* the split must not change a single bit */
      if (first < 0)
        first = e;
      fail_unless (e == first, "%s: %s split gives error %g, whole %g",
          c->name, mel_split_names[kind], e, first);
      worst = MAX (worst, e);
    }
    g_print ("%-28s %s error %.3g (T=%u, F=%u, B=%u)\n", c->name,
        c->rel ? "relative" : "absolute", worst, c->T, c->F, c->B);
  }
}

GST_END_TEST;

/* At least one case of each kind the issue names is present, so that a
 * lost fixture cannot pass silently. */
GST_START_TEST (test_coverage)
{
  const gchar *need[] = { "mel_", "mfcc_", "kaldi_", NULL };
  gboolean s16 = FALSE, f32 = FALSE, b2 = FALSE, rel = FALSE, abs_ = FALSE;
  GHashTable *rates = g_hash_table_new (NULL, NULL);

  for (guint n = 0; need[n]; n++) {
    gboolean found = FALSE;

    for (guint i = 0; i < mel_cases->len; i++)
      found |= g_str_has_prefix (((MelCase *)
              g_ptr_array_index (mel_cases, i))->name, need[n]);
    fail_unless (found, "no %s* fixture", need[n]);
  }
  for (guint i = 0; i < mel_cases->len; i++) {
    const MelCase *c = g_ptr_array_index (mel_cases, i);

    s16 |= c->s16;
    f32 |= !c->s16;
    b2 |= c->B == 2;
    rel |= c->rel;
    abs_ |= !c->rel;
    g_hash_table_add (rates, GINT_TO_POINTER (c->rate));
  }
  fail_unless (s16 && f32 && b2 && rel && abs_);
  fail_unless (g_hash_table_size (rates) >= 3);
  g_hash_table_unref (rates);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-torchaudio");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_coverage);
  tcase_add_test (tc, test_fixtures);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

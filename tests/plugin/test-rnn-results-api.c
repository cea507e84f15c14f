/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public results API (plugin/common/gst/rnn/gstrnnmeta.h, installed as
 * <gst/rnn/gstrnnmeta.h>), used as an application uses it: the meta info
 * found before any rnn element exists (the plugin not yet loaded), one
 * meta per buffer holding every result, two rnn elements appending to the
 * same meta, and doubles that gst_structure_get_double() reads.  The
 * scores themselves are checked against PyTorch in test-rnn-n-to-1.c,
 * through the same API (buffer_results()). */
#include <string.h>

#include "rnn-test-gst.h"

/* Run in a process of its own (this program with --child), after the
 * parent has written the registry: the rnn plugin is known but not
 * loaded, no rnn element exists, and the meta is not registered yet. */
static int
child_main (void)
{
  GstPlugin *plugin;
  gboolean loaded;

  gst_init (NULL, NULL);
  plugin = gst_registry_find_plugin (gst_registry_get (), "rnn");
  if (plugin == NULL) {
    g_printerr ("child: the rnn plugin is not in the registry\n");
    return 2;
  }
  loaded = gst_plugin_is_loaded (plugin);
  gst_object_unref (plugin);
  if (loaded || gst_meta_get_info (GST_RNN_RESULT_META_NAME) != NULL) {
    g_printerr ("child: the plugin is loaded already: nothing to test\n");
    return 3;
  }
  if (gst_rnn_result_meta_get_info () == NULL) {
    g_printerr ("child: gst_rnn_result_meta_get_info() returned NULL\n");
    return 1;
  }
  /* and the meta is the one the element attaches */
  return gst_rnn_result_meta_get_info () ==
      gst_meta_get_info (GST_RNN_RESULT_META_NAME) ? 0 : 4;
}

/* The C snippet (then in the README, now in docs/embedding.md) looked
 * the meta up before any rnn existed and crashed on NULL: the getter
 * loads the plugin instead. */
GST_START_TEST (test_info_before_any_rnn)
{
  gchar *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  gchar *argv[] = { self_exe, (gchar *) "--child", NULL };
  gchar *err = NULL;
  gint status = -1;

  fail_unless (self_exe != NULL);
  fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
          NULL, &err, &status, NULL));
  fail_unless (g_spawn_check_wait_status (status, NULL),
      "child exited with %d: %s", status, err);
  g_free (err);
  g_free (self_exe);
}

GST_END_TEST;

/* Two rnn elements in a row, each 2 windows per buffer for B streams:
 * one meta on the buffer, 2 * 2 * B results, the first element's first,
 * each naming its element; scores and confidence are doubles. */
GST_START_TEST (test_two_rnn_one_meta)
{
  const RnnModeCase *c = need_mode_case ("n-to-1", 3, FALSE);
  gchar *desc = g_strdup_printf ("rnn name=first model=\"%s\" mode=n-to-1 "
      "window=%u hop=%u ! rnn name=second model=\"%s\" mode=n-to-1 "
      "window=%u hop=%u", c->model_path, c->window, c->hop, c->model_path,
      c->window, c->hop);
  GstHarness *h = gst_harness_new_parse (desc);
  gchar *caps = audio_caps (c->B * c->F, RATE);
  guint frames = c->window + c->hop, i, n, metas = 0;
  const GstMetaInfo *info = gst_rnn_result_meta_get_info ();
  GstCustomMeta *meta;
  gpointer state = NULL;
  GstBuffer *out;

  fail_unless (info != NULL);
  fail_unless (frames <= c->T);
  gst_harness_set_src_caps_str (h, caps);
  out = push_pull (h, case_frames (c, 0, frames));
  while (gst_buffer_iterate_meta_filtered (out, &state, info->api))
    metas++;
  fail_unless_equals_int (metas, 1);
  meta = gst_rnn_buffer_get_result_meta (out);
  n = gst_rnn_result_meta_get_n_results (meta);
  fail_unless_equals_int (n, 2 * 2 * c->B);
  for (i = 0; i < n; i++) {
    const GstStructure *s = gst_rnn_result_meta_get_result (meta, i);
    const GstStructure *twin = gst_rnn_result_meta_get_result (meta,
        (i + n / 2) % n);
    const GValue *scores = gst_structure_get_value (s,
        GST_RNN_RESULT_FIELD_SCORES);
    gdouble conf, twin_conf;
    guint cls, k;

    fail_unless_equals_string (gst_structure_get_string (s,
            GST_RNN_RESULT_FIELD_ELEMENT), i < n / 2 ? "first" : "second");
    fail_unless (gst_structure_get_uint (s, GST_RNN_RESULT_FIELD_CLASS,
            &cls));
    fail_unless (gst_structure_get_double (s,
            GST_RNN_RESULT_FIELD_CONFIDENCE, &conf));
    fail_unless (G_VALUE_HOLDS_DOUBLE (gst_value_array_get_value (scores,
                cls)));
    fail_unless (conf == g_value_get_double (gst_value_array_get_value
            (scores, cls)));
    for (k = 0; k < gst_value_array_get_size (scores); k++)
      fail_unless (g_value_get_double (gst_value_array_get_value (scores,
                  k)) <= conf);
    /* the same model on the same frames: the same numbers */
    fail_unless (gst_structure_get_double (twin,
            GST_RNN_RESULT_FIELD_CONFIDENCE, &twin_conf));
    fail_unless (conf == twin_conf);
  }
  fail_unless (gst_rnn_result_meta_get_result (meta, n) == NULL);
  /* and a buffer without results has no meta */
  fail_unless (gst_rnn_result_meta_get_n_results (NULL) == 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  g_free (caps);
  g_free (desc);
}

GST_END_TEST;

static Suite *
rnn_results_api_suite (void)
{
  Suite *s = suite_create ("rnn-results-api");
  TCase *tc = tcase_create ("api");

  tcase_add_unchecked_fixture (tc, load_cases, free_cases);
  tcase_add_test (tc, test_info_before_any_rnn);
  tcase_add_test (tc, test_two_rnn_one_meta);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  Suite *s;

  if (argc > 1 && strcmp (argv[1], "--child") == 0)
    return child_main ();
  gst_check_init (&argc, &argv);
  s = rnn_results_api_suite ();
  return gst_check_run_suite (s, "rnn-results-api", __FILE__);
}

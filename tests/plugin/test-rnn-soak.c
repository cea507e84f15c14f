/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Soak test of the rnn element: one hour of stream time, run as fast as
 * the machine goes, through a GstHarness in buffers of varying sizes.
 *
 * $SOAK_RATE frames per second (default 100) of a 1-input GRU (hidden 8)
 * for $SOAK_SECONDS of stream time (default 3600).  Checks that
 *  - every output equals, bit for bit, the core (rnn_state_process) run
 *    on the same frames in the same blocks from a state carried along;
 *  - a snapshot taken through the element every 1000 buffers equals the
 *    core state's snapshot, byte for byte;
 *  - resident memory (VmRSS) at the end is within 1 MB of what it was
 *    after a warm-up (skipped under valgrind and AddressSanitizer, whose
 *    own bookkeeping grows);
 *  - no warning or error is posted.
 * Deterministic: the buffer sizes and the signal come from a fixed seed.
 */
#include <math.h>
#include <string.h>

#include "rnn-test-gst.h"

#define H 8
#define RSS_BOUND_KB 1024

/* Resident memory in kB, from /proc/self/status; 0 if unknown. */
static guint64
vm_rss_kb (void)
{
  gchar *status = NULL, *line;
  guint64 kb = 0;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  if (line)
    kb = g_ascii_strtoull (line + 6, NULL, 10);
  g_free (status);
  return kb;
}

/* Under valgrind or ASan the RSS says more about the checker than about
 * us. */
static gboolean
rss_meaningful (void)
{
  const gchar *preload = g_getenv ("LD_PRELOAD");

#if defined(__SANITIZE_ADDRESS__)
  return FALSE;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return FALSE;
#endif
#endif
  return !(preload && strstr (preload, "vgpreload"));
}

static guint
env_uint (const gchar * name, guint def)
{
  const gchar *v = g_getenv (name);

  return v && *v ? (guint) g_ascii_strtoull (v, NULL, 10) : def;
}

GST_START_TEST (test_soak)
{
  guint rate = env_uint ("SOAK_RATE", 100);
  guint seconds = env_uint ("SOAK_SECONDS", 3600);
  guint64 total = (guint64) rate * seconds, t0 = 0, warm_at = total / 20;
  guint max_buf = MAX (2, rate / 5);    /* up to 200 ms per buffer */
  gchar *model = g_strdup_printf ("%s/soak-gru.safetensors",
      rnn_test_tmpdir ());
  GRand *rand = g_rand_new_with_seed (20240601);
  float *in = g_new (float, max_buf), *ref = g_new (float, max_buf * H);
  guint64 rss_warm = 0, rss_end, n_buffers = 0, snapshots = 0;
  GstHarness *h;
  GstMessage *msg;
  RnnModel *m;
  RnnState *s;
  GError *err = NULL;
  gchar *caps;
  gint64 start = g_get_monotonic_time ();
  double phase = 0.0;

  rnn_test_write_gru_phase (model, 1, H, 0.5f);
  m = rnn_model_load (model, NULL, &err);
  fail_unless (m != NULL, "%s", err ? err->message : "");
  /* the element's state is sized for 256 frames; split the same way */
  s = rnn_state_new (m, 1, 256, &err);

  caps = audio_caps (1, rate);
  h = harness_new (make_rnn (model), caps);
  g_free (caps);

  while (t0 < total) {
    guint n = (guint) MIN ((guint64) g_rand_int_range (rand, 1, max_buf + 1),
        total - t0);
    GstBuffer *buf, *out;
    GstMapInfo map;
    guint i;

    /* a slow sine with a little noise, in [-1, 1] */
    for (i = 0; i < n; i++) {
      phase += 2.0 * G_PI * 0.7 / rate;
      in[i] = (float) (0.8 * sin (phase) + 0.2 * g_rand_double_range (rand,
              -1.0, 1.0));
    }
    fail_unless (rnn_state_process (s, in, n, RNN_RUN_NONE, ref, NULL));

    buf = gst_buffer_new_allocate (NULL, n * sizeof (float), NULL);
    gst_buffer_fill (buf, 0, in, n * sizeof (float));
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (t0, GST_SECOND, rate);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (t0 + n, GST_SECOND,
        rate) - GST_BUFFER_PTS (buf);
    GST_BUFFER_OFFSET (buf) = t0;
    GST_BUFFER_OFFSET_END (buf) = t0 + n;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    out = gst_harness_try_pull (h);
    fail_unless (out != NULL, "no output at frame %" G_GUINT64_FORMAT, t0);

    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless_equals_uint64 (map.size, (gsize) n * H * sizeof (float));
    if (memcmp (map.data, ref, map.size) != 0)
      fail ("frames [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") differ "
          "from the core's: max error %g", t0, t0 + n,
          rnn_test_max_err ((const float *) map.data, ref, (gsize) n * H));
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);

    if (++n_buffers % 1000 == 0) {
      GBytes *a = NULL, *b = rnn_state_snapshot (s);

      g_signal_emit_by_name (h->element, "snapshot", &a);
      fail_unless (a != NULL && g_bytes_equal (a, b),
          "snapshot at frame %" G_GUINT64_FORMAT " differs from the core's",
          t0 + n);
      g_bytes_unref (a);
      g_bytes_unref (b);
      snapshots++;
    }

    t0 += n;
    if (rss_warm == 0 && t0 >= warm_at)
      rss_warm = vm_rss_kb ();
  }
  rss_end = vm_rss_kb ();

  GST_INFO ("%" G_GUINT64_FORMAT " frames (%u s at %u Hz) in %"
      G_GUINT64_FORMAT " buffers, %" G_GUINT64_FORMAT " snapshots, %.2f s; "
      "VmRSS %" G_GUINT64_FORMAT " kB after warm-up, %" G_GUINT64_FORMAT
      " kB at the end", total, seconds, rate, n_buffers, snapshots,
      (g_get_monotonic_time () - start) / 1e6, rss_warm, rss_end);
  g_print ("soak: %" G_GUINT64_FORMAT " frames (%u s of stream at %u Hz) in %"
      G_GUINT64_FORMAT " buffers, %.2f s; VmRSS %" G_GUINT64_FORMAT
      " kB after warm-up, %" G_GUINT64_FORMAT " kB at the end\n", total,
      seconds, rate, n_buffers, (g_get_monotonic_time () - start) / 1e6,
      rss_warm, rss_end);

  if (rss_meaningful () && rss_warm > 0) {
    fail_unless (rss_end <= rss_warm + RSS_BOUND_KB,
        "resident memory grew from %" G_GUINT64_FORMAT " kB to %"
        G_GUINT64_FORMAT " kB", rss_warm, rss_end);
  } else {
    g_print ("soak: resident memory not checked (valgrind or ASan)\n");
  }

  msg = gst_bus_pop_filtered (harness_bus (h),
      GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
  fail_unless (msg == NULL, "unexpected %s message",
      msg ? GST_MESSAGE_TYPE_NAME (msg) : "");

  harness_done (h);
  rnn_state_free (s);
  rnn_model_unref (m);
  g_rand_free (rand);
  g_free (in);
  g_free (ref);
  g_free (model);
}

GST_END_TEST;

static Suite *
rnn_soak_suite (void)
{
  Suite *s = suite_create ("rnn-soak");
  TCase *tc = tcase_create ("soak");

  /* CK_DEFAULT_TIMEOUT from the environment (meson sets it) */
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_soak);
  return s;
}

GST_CHECK_MAIN (rnn_soak);

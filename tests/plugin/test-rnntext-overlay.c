/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The overlay line of docs/rnntext.md, as typed: live video through textoverlay
 * fed by rnntext (melspec ! rnn mode=n-to-1 window=100 hop=10 on a live
 * audio source), into a synchronised sink with a video sink's
 * max-lateness (20 ms) and QoS.  The LATENCY answers must cover the
 * text's delay, so the sink drops no more frames than the same pipeline
 * without rnn and rnntext, with wait-text true (the default) or false,
 * with cues at the window's start and with merged cues;
 * and the text is on the frames it belongs to: no frame outside every
 * cue carries text and, with wait-text=true, every frame inside a cue
 * [start, end) does (told by comparing each frame before and after
 * textoverlay). */
#include <string.h>

#include "rnntext-test.h"

#define FRAMES 120              /* 4 s at 30 frames/s */
#define FRAME_DUR (GST_SECOND / 30)

typedef struct
{
  GMutex lock;
  GHashTable *before;           /* frame pts -> checksum at the input */
  GArray *cues;                 /* GstClockTime pairs: start, end */
  GArray *texted, *plain;       /* frame pts with and without text */
} Seen;

static gchar *
frame_sum (GstBuffer * buf)
{
  GstMapInfo map;
  gchar *sum;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  sum = g_compute_checksum_for_data (G_CHECKSUM_MD5, map.data, map.size);
  gst_buffer_unmap (buf, &map);
  return sum;
}

static GstPadProbeReturn
video_in (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Seen *seen = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gchar *sum = frame_sum (buf);

  g_mutex_lock (&seen->lock);
  g_hash_table_insert (seen->before,
      g_memdup2 (&GST_BUFFER_PTS (buf), sizeof (GstClockTime)), sum);
  g_mutex_unlock (&seen->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
video_out (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Seen *seen = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  gchar *sum = frame_sum (buf);
  const gchar *was;

  g_mutex_lock (&seen->lock);
  was = g_hash_table_lookup (seen->before, &pts);
  fail_unless (was != NULL);
  g_array_append_val (g_str_equal (was, sum) ? seen->plain : seen->texted,
      pts);
  g_mutex_unlock (&seen->lock);
  g_free (sum);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
text_in (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Seen *seen = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime c[2] = { GST_BUFFER_PTS (buf),
    GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf)
  };

  if (gst_buffer_get_size (buf) == 0)
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&seen->lock);
  g_array_append_vals (seen->cues, c, 2);
  g_mutex_unlock (&seen->lock);
  return GST_PAD_PROBE_OK;
}

static void
probe (GstElement * p, const gchar * name, const gchar * pad_name,
    GstPadProbeCallback cb, Seen * seen)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (p), name);
  GstPad *pad = gst_element_get_static_pad (e, pad_name);

  fail_unless (pad != NULL);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, cb, seen, NULL);
  gst_object_unref (pad);
  gst_object_unref (e);
}

/* Run the video line, with the labels when @labels; the sink's dropped
 * frames. */
static guint64
run_overlay (gboolean labels, gboolean wait_text, const gchar * props,
    Seen * seen)
{
  gchar *m = g_strdup_printf ("%s/kws-gru.safetensors",
      g_getenv ("RNN_EXAMPLES_MODELS"));
  gchar *text = labels ? g_strdup_printf ("audiotestsrc is-live=true "
      "wave=pink-noise samplesperbuffer=1600 ! "
      "audio/x-raw,rate=16000,channels=1 ! audioconvert ! melspec model=%s ! "
      "rnn model=%s mode=n-to-1 window=100 hop=10 ! rnntext newline=false %s ! "
      "o.text_sink", m, m, props) : g_strdup ("");
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true num-buffers=%d ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "textoverlay name=o wait-text=%d ! fakesink name=sink sync=true "
      "max-lateness=20000000 qos=true %s", FRAMES, wait_text, text);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err), *sink;
  GstStructure *stats;
  GstMessage *msg;
  GstBus *bus;
  guint64 rendered = 0, dropped = 0;

  fail_unless (p != NULL, "%s: %s", desc, err ? err->message : "?");
  probe (p, "o", "video_sink", video_in, seen);
  probe (p, "o", "src", video_out, seen);
  if (labels)
    probe (p, "o", "text_sink", text_in, seen);
  bus = gst_element_get_bus (p);
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "stalled: %s", desc);
  fail_unless (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS, "error: %s", desc);
  gst_message_unref (msg);
  sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  g_object_get (sink, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "rendered", &rendered);
  gst_structure_get_uint64 (stats, "dropped", &dropped);
  GST_INFO ("labels %d wait-text %d: %" G_GUINT64_FORMAT " rendered, %"
      G_GUINT64_FORMAT " dropped", labels, wait_text, rendered, dropped);
  g_test_message ("labels %d wait-text %d: %" G_GUINT64_FORMAT " rendered, %"
      G_GUINT64_FORMAT " dropped", labels, wait_text, rendered, dropped);
  fail_unless_equals_uint64 (rendered + dropped, FRAMES);
  gst_structure_free (stats);
  gst_object_unref (sink);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  g_free (desc);
  g_free (text);
  g_free (m);
  return dropped;
}

static void
seen_init (Seen * seen)
{
  g_mutex_init (&seen->lock);
  seen->before = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      g_free);
  seen->cues = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  seen->texted = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  seen->plain = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
}

static void
seen_clear (Seen * seen)
{
  g_hash_table_unref (seen->before);
  g_array_unref (seen->cues);
  g_array_unref (seen->texted);
  g_array_unref (seen->plain);
  g_mutex_clear (&seen->lock);
}

/* 0: no cue overlaps frame [pts, pts + FRAME_DUR); 1: one holds it
 * whole; -1: it straddles a cue's edge. */
static gint
covered (const Seen * seen, GstClockTime pts)
{
  guint i;
  gint r = 0;

  for (i = 0; i < seen->cues->len; i += 2) {
    GstClockTime s = g_array_index (seen->cues, GstClockTime, i);
    GstClockTime e = g_array_index (seen->cues, GstClockTime, i + 1);

    if (pts >= s && pts + FRAME_DUR <= e)
      return 1;
    if (pts < e && pts + FRAME_DUR > s)
      r = -1;
  }
  return r;
}

/* The line as in docs/rnntext.md, wait-text=false, and the other timings:
 * cues at the window's start (as late as the rnn element's latency
 * allows) and merged cues (held up to max-hold, which rnntext adds). */
static const struct
{
  gboolean wait_text;
  const gchar *props;
} variants[] = {
  {TRUE, ""}, {FALSE, ""}, {TRUE, "cue-time=start"}, {TRUE, "merge=true"},
};

GST_START_TEST (test_overlay)
{
  gboolean wait_text = variants[__i__].wait_text;
  Seen plain, labelled;
  guint64 base, dropped;
  guint i, with_text = 0;

  seen_init (&plain);
  seen_init (&labelled);
  base = run_overlay (FALSE, wait_text, "", &plain);
  dropped = run_overlay (TRUE, wait_text, variants[__i__].props, &labelled);
  fail_unless (dropped <= base + 2, "wait-text=%d %s: %" G_GUINT64_FORMAT
      " frames dropped with rnntext, %" G_GUINT64_FORMAT " without",
      wait_text, variants[__i__].props, dropped, base);

  fail_unless (labelled.cues->len >= 2 * 10, "%u cues",
      labelled.cues->len / 2);
  for (i = 0; i < labelled.texted->len; i++) {
    GstClockTime pts = g_array_index (labelled.texted, GstClockTime, i);

    fail_unless (covered (&labelled, pts) != 0, "text on frame %"
        GST_TIME_FORMAT ", in no cue", GST_TIME_ARGS (pts));
    with_text++;
  }
  /* wait-text=false lets a frame through before its text has come (the
   * text of a window is known after the window): only some frames get
   * it; the default waits, and every frame gets its text */
  for (i = 0; wait_text && i < labelled.plain->len; i++) {
    GstClockTime pts = g_array_index (labelled.plain, GstClockTime, i);

    fail_unless (covered (&labelled, pts) != 1, "no text on frame %"
        GST_TIME_FORMAT ", inside a cue", GST_TIME_ARGS (pts));
  }
  /* the first cue ends the first 1 s window: text from there on */
  fail_unless (with_text >= (wait_text ? FRAMES / 2 : 1), "text on %u "
      "frames", with_text);
  g_test_message ("wait-text=%d %s: text on %u of %u frames", wait_text,
      variants[__i__].props, with_text,
      labelled.texted->len + labelled.plain->len);
  seen_clear (&plain);
  seen_clear (&labelled);
}

GST_END_TEST;

static Suite *
rnntext_overlay_suite (void)
{
  Suite *s = suite_create ("rnntext-overlay");
  TCase *tc = tcase_create ("textoverlay");

  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_overlay, 0, G_N_ELEMENTS (variants));
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_overlay);

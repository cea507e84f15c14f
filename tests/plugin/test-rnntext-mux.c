/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The subtitle launch lines of docs/rnntext.md ("Subtitles and
 * overlays"; the file line is also in README.md), as a user types them
 * (default queues): audio and labels into one Matroska or MP4 file,
 * from a WAV file (filesrc ! wavparse) and from a live source, with and
 * without merge.
 * Each must reach EOS (a pipeline that stalls for 30 s fails), and the
 * file, read back by an independent reader (ffmpeg's, converting the
 * subtitle track to SRT), must hold one cue per result of the rnn element
 * (its bus messages of the same run) at the default cue-time=end:
 * [window end, window end + hop), or with merge one cue per run of equal
 * labels cut every max-hold (200 ms). */
#include <stdio.h>
#include <string.h>

#include "rnntext-test.h"

#define MAX_HOLD (200 * MS)

typedef struct
{
  gint64 start, end;            /* ms */
  gchar *text;
} Cue;

static void
cue_clear (gpointer p)
{
  g_free (((Cue *) p)->text);
}

static GArray *
cue_array (void)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Cue));

  g_array_set_clear_func (a, cue_clear);
  return a;
}

static const struct
{
  gboolean live;
  const gchar *mux, *encoder, *ext;
  gboolean merge;
} lines[] = {
  {FALSE, "matroskamux", "vorbisenc", "mkv", FALSE},
  {FALSE, "matroskamux", "vorbisenc", "mkv", TRUE},
  {FALSE, "mp4mux", "opusenc", "mp4", FALSE},
  {FALSE, "mp4mux", "opusenc", "mp4", TRUE},
  {TRUE, "matroskamux", "vorbisenc", "mkv", FALSE},
  {TRUE, "matroskamux", "vorbisenc", "mkv", TRUE},
  {TRUE, "mp4mux", "opusenc", "mp4", FALSE},
  {TRUE, "mp4mux", "opusenc", "mp4", TRUE},
};

/* 6 s of 16 kHz noise as a WAV file, the input of the file lines. */
static gchar *
make_wav (void)
{
  gchar *path = g_strdup_printf ("%s/rnntext-mux.wav", rnn_test_tmpdir ());
  gchar *desc = g_strdup_printf ("audiotestsrc wave=pink-noise "
      "samplesperbuffer=1600 num-buffers=60 ! "
      "audio/x-raw,format=S16LE,rate=16000,channels=1 ! wavenc ! "
      "filesink location=%s", path);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstBus *bus;
  GstMessage *msg;

  fail_unless (p != NULL, "%s: %s", desc, err ? err->message : "?");
  bus = gst_element_get_bus (p);
  gst_element_set_state (p, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  g_free (desc);
  return path;
}

/* Run @desc to EOS (no bus message for 30 s: stalled); the rnn results
 * as the cues cue-time=end makes of them. */
static GArray *
run_line (const gchar * desc)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GArray *cues = cue_array ();
  GstBus *bus;
  gboolean done = FALSE;

  fail_unless (p != NULL, "%s: %s", desc, err ? err->message : "?");
  bus = gst_element_get_bus (p);
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop (bus, 30 * GST_SECOND);

    fail_unless (msg != NULL, "stalled: no message for 30 s: %s", desc);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gchar *dbg = NULL;

      gst_message_parse_error (msg, &err, &dbg);
      fail ("%s: %s (%s)", desc, err->message, dbg);
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
      done = TRUE;
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_message_has_name (msg, "rnn")) {
      const GstStructure *s = gst_message_get_structure (msg);
      guint64 ts, dur, hop;
      Cue c;

      fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts)
          && gst_structure_get_uint64 (s, "duration", &dur)
          && gst_structure_get_uint64 (s, "hop", &hop));
      c.start = (gint64) ((ts + dur) / GST_MSECOND);
      c.end = c.start + (gint64) (MIN (hop, dur) / GST_MSECOND);
      c.text = g_strdup (gst_structure_get_string (s, "label"));
      g_array_append_val (cues, c);
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  return cues;
}

/* merge: runs of equal, touching cues as one, cut once max-hold long. */
static GArray *
merged (GArray * cues)
{
  GArray *out = cue_array ();
  gboolean open = FALSE;
  guint i;

  for (i = 0; i < cues->len; i++) {
    Cue *c = &g_array_index (cues, Cue, i);
    Cue *last = out->len ? &g_array_index (out, Cue, out->len - 1) : NULL;

    if (open && g_str_equal (last->text, c->text) && c->start <= last->end) {
      last->end = c->end;
    } else {
      Cue n = { c->start, c->end, g_strdup (c->text) };

      g_array_append_val (out, n);
      last = &g_array_index (out, Cue, out->len - 1);
    }
    open = last->end - last->start < (gint64) (MAX_HOLD / GST_MSECOND);
  }
  return out;
}

static gint64
srt_ms (const gchar * t)
{
  guint h, m, s, ms;

  fail_unless (sscanf (t, "%u:%u:%u,%u", &h, &m, &s, &ms) == 4, "%s", t);
  return ((h * 60 + m) * 60 + s) * (gint64) 1000 + ms;
}

/* The subtitle track of @path as ffmpeg reads it (SRT, tags removed). */
static GArray *
read_back (const gchar * path)
{
  gchar *argv[] = { (gchar *) "ffmpeg", (gchar *) "-v", (gchar *) "error",
    (gchar *) "-i", (gchar *) path, (gchar *) "-map", (gchar *) "0:s:0",
    (gchar *) "-f", (gchar *) "srt", (gchar *) "-", NULL
  };
  gchar *out = NULL, *errs = NULL, **blocks;
  GError *err = NULL;
  GArray *cues = cue_array ();
  gint status = 0;
  guint i;

  fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
          NULL, &out, &errs, &status, &err), "ffmpeg (Debian package "
      "ffmpeg, .ci/deps.sh tests) could not run: %s", err ? err->message : "");
  fail_unless (g_spawn_check_wait_status (status, NULL), "ffmpeg failed on "
      "%s: %s", path, errs);
  blocks = g_strsplit (out, "\n\n", -1);
  for (i = 0; blocks[i]; i++) {
    gchar **rows = g_strsplit (g_strstrip (blocks[i]), "\n", -1);
    GRegex *tags = g_regex_new ("<[^>]*>", 0, 0, NULL);
    Cue c;

    if (g_strv_length (rows) >= 3) {
      gchar **times = g_strsplit (rows[1], " --> ", 2);

      c.start = srt_ms (times[0]);
      c.end = srt_ms (times[1]);
      c.text = g_regex_replace_literal (tags, rows[2], -1, 0, "", 0, NULL);
      g_strstrip (c.text);
      g_array_append_val (cues, c);
      g_strfreev (times);
    }
    g_regex_unref (tags);
    g_strfreev (rows);
  }
  g_strfreev (blocks);
  g_free (out);
  g_free (errs);
  return cues;
}

GST_START_TEST (test_line)
{
  const gchar *model = g_getenv ("RNN_EXAMPLES_MODELS");
  gchar *m = g_strdup_printf ("%s/kws-gru.safetensors", model);
  gchar *wav = lines[__i__].live ? NULL : make_wav ();
  gchar *src = lines[__i__].live ?
      g_strdup ("audiotestsrc is-live=true wave=pink-noise "
      "samplesperbuffer=1600 num-buffers=40 ! "
      "audio/x-raw,rate=16000,channels=1") :
      g_strdup_printf ("filesrc location=%s ! wavparse", wav);
  gchar *path = g_strdup_printf ("%s/rnntext-mux-%d.%s", rnn_test_tmpdir (),
      __i__, lines[__i__].ext);
  gchar *desc = g_strdup_printf ("%s ! tee name=t "
      "t. ! queue ! audioconvert ! audioresample ! melspec model=%s ! "
      "rnn model=%s mode=n-to-1 window=100 hop=10 ! "
      "rnntext newline=false%s ! queue ! mux.subtitle_0 "
      "t. ! queue ! audioconvert ! audioresample ! %s ! mux. "
      "%s name=mux ! filesink location=%s", src, m, m,
      lines[__i__].merge ? " merge=true" : "", lines[__i__].encoder,
      lines[__i__].mux, path);
  GArray *results, *expected, *cues;
  gint64 offset;
  guint i;

  g_test_message ("%s", desc);
  results = run_line (desc);
  fail_unless (results->len >= 25, "%u results", results->len);
  expected = lines[__i__].merge ? merged (results) : g_array_ref (results);
  cues = read_back (path);
  fail_unless_equals_int (cues->len, expected->len);
  /* a live source stamps from the running time it started at; the muxers
   * start the file at its first buffer */
  offset = g_array_index (expected, Cue, 0).start -
      g_array_index (cues, Cue, 0).start;
  fail_unless (offset >= 0 && offset < (lines[__i__].live ? 100 : 1),
      "the file's cues start %" G_GINT64_FORMAT " ms before the results",
      offset);
  for (i = 0; i < cues->len; i++) {
    Cue *c = &g_array_index (cues, Cue, i), *e = &g_array_index (expected,
        Cue, i);
    /* MP4 (qtmux) gives its last text sample no duration */
    gboolean last_mp4 = i + 1 == cues->len && g_str_equal (lines[__i__].ext,
        "mp4");

    c->start += offset;
    c->end += offset;
    fail_unless (ABS (c->start - e->start) <= 1 && (last_mp4
            || ABS (c->end - e->end) <= 1)
        && g_str_equal (c->text, e->text), "cue %u: %" G_GINT64_FORMAT
        "-%" G_GINT64_FORMAT " ms '%s', expected %" G_GINT64_FORMAT "-%"
        G_GINT64_FORMAT " ms '%s'", i, c->start, c->end, c->text, e->start,
        e->end, e->text);
  }
  g_array_unref (cues);
  g_array_unref (expected);
  g_array_unref (results);
  g_free (desc);
  g_free (path);
  g_free (src);
  g_free (wav);
  g_free (m);
}

GST_END_TEST;

static Suite *
rnntext_mux_suite (void)
{
  Suite *s = suite_create ("rnntext-mux");
  TCase *tc = tcase_create ("launch-lines");

  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_line, 0, G_N_ELEMENTS (lines));
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_mux);

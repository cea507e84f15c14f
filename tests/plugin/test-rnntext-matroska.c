/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnntext in a pipeline: audiotestsrc (its waveform switched while it
 * plays) -> tee -> rnn mode=n-to-1 (the bundled waveform classifier) ->
 * rnntext -> matroskamux subtitle track, the other branch raw audio ->
 * matroskamux audio track -> a file; the file is read back with
 * matroskademux, and its subtitle cues must be the rnn element's results
 * (its "rnn" bus messages of the same run): text, start and duration,
 * one cue per window (merge=false, overlapping windows: one hop each) or
 * one per run of equal labels (merge=true); the audio track holds every
 * sample.  Default queues suffice without merge: the GAP events keep the
 * muxer going. */
#include <string.h>

#include "rnntext-test.h"

#define SAMPLES_PER_BUFFER 800
#define N_BUFFERS 30
#define WINDOW 800              /* 100 ms at 8 kHz */
#define HOP 400                 /* 50 ms */
#define HOP_TIME (50 * MS)

typedef struct
{
  GstClockTime start, end;
  gchar *label;
} Cue;

static void
cue_clear (gpointer p)
{
  g_free (((Cue *) p)->label);
}

static GArray *
cue_array (void)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Cue));

  g_array_set_clear_func (a, cue_clear);
  return a;
}

/* Switch the waveform every 10 buffers. */
static GstPadProbeReturn
switch_wave (GstPad * pad, GstPadProbeInfo * info, gpointer src)
{
  static const gchar *waves[] = { "sine", "square", "saw" };
  guint64 n = GST_BUFFER_OFFSET (GST_PAD_PROBE_INFO_BUFFER (info));
  guint k = (guint) (n / (10 * SAMPLES_PER_BUFFER));

  if (n % (10 * SAMPLES_PER_BUFFER) == 9 * SAMPLES_PER_BUFFER && k < 2)
    gst_util_set_object_arg (G_OBJECT (src), "wave", waves[k + 1]);
  return GST_PAD_PROBE_OK;
}

/* Run @desc to EOS; return the valid results of the "rnn" messages as
 * cues [ts, ts + min(duration, hop)), in window order. */
static GArray *
run_writer (const gchar * desc)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err), *src;
  GstBus *bus;
  GstMessage *msg;
  GstPad *pad;
  GArray *results = cue_array ();
  gboolean done = FALSE;

  fail_unless (p != NULL, "%s: %s", desc, err ? err->message : "?");
  src = gst_bin_get_by_name (GST_BIN (p), "src");
  pad = gst_element_get_static_pad (src, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, switch_wave, src, NULL);
  gst_object_unref (pad);
  bus = gst_element_get_bus (p);
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while (!done) {
    msg = gst_bus_timed_pop (bus, 60 * GST_SECOND);
    fail_unless (msg != NULL, "the writer pipeline stalled");
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ERROR:{
        gchar *dbg = NULL;

        gst_message_parse_error (msg, &err, &dbg);
        fail ("writer error: %s (%s)", err->message, dbg);
        break;
      }
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      case GST_MESSAGE_ELEMENT:{
        const GstStructure *s = gst_message_get_structure (msg);
        gboolean valid = FALSE;
        guint64 ts, dur;
        Cue c;

        if (!gst_structure_has_name (s, "rnn"))
          break;
        fail_unless (gst_structure_get_boolean (s, "valid", &valid));
        fail_unless (valid);
        fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
        fail_unless (gst_structure_get_uint64 (s, "duration", &dur));
        fail_unless_equals_uint64 (dur, WINDOW * GST_SECOND / 8000);
        c.start = ts;
        c.end = ts + MIN (dur, HOP_TIME);
        c.label = g_strdup (gst_structure_get_string (s, "label"));
        g_array_append_val (results, c);
        break;
      }
      default:
        break;
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (p);
  return results;
}

/* Consecutive cues with the same label, touching, as one. */
static GArray *
merged (GArray * cues)
{
  GArray *out = cue_array ();
  guint i;

  for (i = 0; i < cues->len; i++) {
    Cue *c = &g_array_index (cues, Cue, i);
    Cue *last = out->len ? &g_array_index (out, Cue, out->len - 1) : NULL;

    if (last && g_str_equal (last->label, c->label) && c->start <= last->end) {
      last->end = c->end;
    } else {
      Cue n = { c->start, c->end, g_strdup (c->label) };

      g_array_append_val (out, n);
    }
  }
  return out;
}

/* Read @path back: its subtitle cues, and the number of audio bytes (a
 * queue per branch: each appsink blocks the demuxer's thread in preroll
 * otherwise). */
static GArray *
read_back (const gchar * path, gsize * audio_bytes)
{
  gchar *desc = g_strdup_printf ("filesrc location=%s ! matroskademux name=d "
      "d.subtitle_0 ! queue ! appsink name=text sync=false wait-on-eos=false "
      "d.audio_0 ! queue ! appsink name=audio sync=false wait-on-eos=false", path);
  GstElement *p = gst_parse_launch (desc, NULL), *text, *audio;
  GArray *cues = cue_array ();
  GstSample *sample;
  GstBus *bus;
  GstMessage *msg;

  fail_unless (p != NULL);
  text = gst_bin_get_by_name (GST_BIN (p), "text");
  audio = gst_bin_get_by_name (GST_BIN (p), "audio");
  bus = gst_element_get_bus (p);
  gst_element_set_state (p, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "reading %s back failed", path);
  gst_message_unref (msg);

  for (;;) {
    GstBuffer *buf;
    GstMapInfo map;
    Cue c;

    g_signal_emit_by_name (text, "try-pull-sample", (GstClockTime) 0,
        &sample);
    if (sample == NULL)
      break;
    buf = gst_sample_get_buffer (sample);
    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    /* matroskademux hands S_TEXT/UTF8 out as pango markup: the labels
     * here hold no markup characters */
    c.label = g_strndup ((const gchar *) map.data, map.size);
    gst_buffer_unmap (buf, &map);
    c.start = GST_BUFFER_PTS (buf);
    c.end = c.start + GST_BUFFER_DURATION (buf);
    g_array_append_val (cues, c);
    gst_sample_unref (sample);
  }
  *audio_bytes = 0;
  for (;;) {
    g_signal_emit_by_name (audio, "try-pull-sample", (GstClockTime) 0,
        &sample);
    if (sample == NULL)
      break;
    *audio_bytes += gst_buffer_get_size (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (text);
  gst_object_unref (audio);
  gst_object_unref (p);
  g_free (desc);
  return cues;
}

/* 0: a cue per window; 1: merge=true; 2: one waveform's second of
 * windows gives no text (ignore-labels), which the muxer must not wait
 * for. */
GST_START_TEST (test_subtitle_track)
{
  gboolean merge = __i__ == 1;
  const gchar *ignore = __i__ == 2 ? "square" : "";
  gchar *model = g_build_filename (g_getenv ("RNN_EXAMPLES_MODELS"),
      "waveform-gru.safetensors", NULL);
  gchar *path = g_strdup_printf ("%s/rnntext-%d.mkv", rnn_test_tmpdir (),
      __i__);
  /* merge holds a cue while its label lasts (up to 1 s here): the audio
   * queue must hold that much more */
  const gchar *queue = merge ? "queue max-size-time=0 max-size-buffers=0 "
      "max-size-bytes=0" : "queue";
  gchar *desc = g_strdup_printf ("audiotestsrc name=src wave=sine "
      "samplesperbuffer=%u num-buffers=%u ! "
      "audio/x-raw,format=F32LE,rate=8000,channels=1 ! tee name=t "
      "t. ! queue ! rnn mode=n-to-1 window=%u hop=%u model=%s ! "
      "rnntext newline=false cue-time=start max-hold=-1 merge=%d "
      "ignore-labels=\"%s\" ! "
      "mux.subtitle_%%u "
      "t. ! %s ! mux.audio_%%u "
      "matroskamux name=mux ! filesink location=%s",
      SAMPLES_PER_BUFFER, N_BUFFERS, WINDOW, HOP, model, merge, ignore,
      queue, path);
  GArray *results, *expected, *cues;
  gsize audio_bytes;
  guint i;
  gboolean changes = FALSE;

  results = run_writer (desc);
  /* windows every hop from 0 to the end of the audio */
  fail_unless_equals_int (results->len,
      (N_BUFFERS * SAMPLES_PER_BUFFER - WINDOW) / HOP + 1);
  if (*ignore) {
    guint n = results->len;

    for (i = results->len; i-- > 0;)
      if (g_str_equal (g_array_index (results, Cue, i).label, ignore))
        g_array_remove_index (results, i);
    fail_unless (results->len < n - 10, "'%s' was not played", ignore);
  }
  expected = merge ? merged (results) : g_array_ref (results);
  if (merge)
    fail_unless (expected->len >= 3 && expected->len < results->len / 2,
        "%u runs of labels in %u windows", expected->len, results->len);
  for (i = 1; i < results->len; i++)
    changes |= !g_str_equal (g_array_index (results, Cue, i).label,
        g_array_index (results, Cue, i - 1).label);
  fail_unless (changes, "the classifier saw one waveform only");

  cues = read_back (path, &audio_bytes);
  fail_unless_equals_uint64 (audio_bytes,
      (guint64) N_BUFFERS * SAMPLES_PER_BUFFER * sizeof (float));
  fail_unless_equals_int (cues->len, expected->len);
  for (i = 0; i < cues->len; i++) {
    Cue *c = &g_array_index (cues, Cue, i), *e = &g_array_index (expected,
        Cue, i);

    fail_unless_equals_string (c->label, e->label);
    /* Matroska keeps milliseconds: these times are whole ones */
    fail_unless_equals_uint64 (c->start, e->start);
    fail_unless_equals_uint64 (c->end, e->end);
    if (i > 0)
      fail_unless (c->start >= g_array_index (cues, Cue, i - 1).end,
          "cues %u and %u overlap", i - 1, i);
  }
  g_array_unref (cues);
  g_array_unref (expected);
  g_array_unref (results);
  g_free (desc);
  g_free (path);
  g_free (model);
}

GST_END_TEST;

static Suite *
rnntext_matroska_suite (void)
{
  Suite *s = suite_create ("rnntext-matroska");
  TCase *tc = tcase_create ("pipeline");

  tcase_add_loop_test (tc, test_subtitle_track, 0, 3);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (rnntext_matroska);

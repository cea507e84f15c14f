/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Embedding the rnn element in a C application.
 *
 *   appsrc ! rnn mode=n-to-1 window=400 model=MODEL ! appsink
 *
 * The application computes two streams of 8 kHz audio and pushes them as
 * one 2-channel interleaved stream: the waveform model has 1 input, so the
 * element sees a batch of B = 2 independent streams.  It classifies every
 * window of 400 samples (50 ms) of each stream and the application reads
 * each result twice:
 *
 *  - from the buffer meta: the buffer in which windows end carries one
 *    results meta holding every result (all windows, all streams), read
 *    with the installed header <gst/rnn/gstrnnmeta.h>:
 *    gst_rnn_buffer_get_result_meta(), gst_rnn_result_meta_get_n_results()
 *    and gst_rnn_result_meta_get_result();
 *  - from the bus: the element posts an element message named "rnn" per
 *    result.
 *
 * Part A (0.475 s): stream 0 plays a square wave, stream 1 a triangle.
 * Then the application emits the element's "reset" action signal: the
 * state goes back to zero and the 200 frames of the unfinished window are
 * dropped, so no window mixes the two parts.  Part B (0.5 s): stream 0
 * plays a sine, stream 1 a saw.  The windows of part B start at its first
 * frame.
 *
 * Build: meson compile -C build (this is build/examples/embed).  Run from
 * the repository root with the element findable:
 *
 *   GST_PLUGIN_PATH=build/plugin build/examples/embed \
 *       [examples/models/waveform-gru.safetensors]
 *
 * Exit status: 0 when every window of every stream was given the label of
 * the wave that was playing, from both the meta and the bus; 1 otherwise.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <gst/rnn/gstrnnmeta.h>

#define RATE 8000
#define STREAMS 2
#define WINDOW 400              /* frames: 50 ms at 8 kHz */
#define BUFFER_FRAMES 160       /* 20 ms per buffer, as audio sources push */

typedef enum
{ SINE, SQUARE, SAW, TRIANGLE } Wave;

static const gchar *wave_names[] = { "sine", "square", "saw", "triangle" };

typedef struct
{
  const gchar *name;
  guint64 start;                /* first frame */
  guint frames;
  Wave wave[STREAMS];
  double freq[STREAMS];
} Part;

static const Part parts[] = {
  {"A", 0, 3800, {SQUARE, TRIANGLE}, {440.0, 330.0}},
  {"B", 3800, 4000, {SINE, SAW}, {550.0, 220.0}},
};

/* One sample of @wave at @freq Hz, frame @n, amplitude 0.8 (audiotestsrc's
 * default volume; the model was trained on audiotestsrc's waves). */
static float
wave_sample (Wave wave, double freq, guint64 n)
{
  double phase = fmod (freq * (double) n / RATE, 1.0);  /* cycles, [0, 1) */

  switch (wave) {
    case SINE:
      return (float) (0.8 * sin (2 * G_PI * phase));
    case SQUARE:
      return phase < 0.5 ? 0.8f : -0.8f;
    case SAW:
      return (float) (0.8 * (2 * phase - 1));
    case TRIANGLE:
    default:
      return (float) (0.8 * (phase < 0.5 ? 4 * phase - 1 : 3 - 4 * phase));
  }
}

typedef struct
{
  const gchar *from;            /* "meta" or "bus" */
  guint checked;                /* results compared with the truth */
  guint wrong;
  GString *line;                /* the results of one window, all streams */
  guint64 line_ts;
} Tally;

static void
flush_line (Tally * t)
{
  if (t->line->len)
    g_print ("  %-4s %s\n", t->from, t->line->str);
  g_string_truncate (t->line, 0);
}

/* Compares one result (from a meta or a message) with what its stream
 * played in @part (the label, and a window that lies in the part, on the
 * grid that starts at the part's first frame), and prints it: one line per
 * window. */
static void
check_result (const GstStructure * s, const Part * part, Tally * t)
{
  guint stream = 0, frames = 0;
  guint64 ts = 0, start;
  const gchar *label = gst_structure_get_string (s, "label");
  gdouble conf = 0.0;
  gboolean right;

  gst_structure_get_double (s, GST_RNN_RESULT_FIELD_CONFIDENCE, &conf);
  gst_structure_get_uint (s, "stream", &stream);
  gst_structure_get_uint (s, "frames", &frames);
  gst_structure_get_uint64 (s, "timestamp", &ts);
  start = gst_util_uint64_scale_round (ts, RATE, GST_SECOND);
  right = stream < STREAMS && label != NULL && frames == WINDOW &&
      strcmp (label, wave_names[part->wave[stream]]) == 0 &&
      start >= part->start && (start - part->start) % WINDOW == 0 &&
      start + WINDOW <= part->start + part->frames;
  t->checked++;
  if (!right)
    t->wrong++;

  if (t->line->len && ts != t->line_ts)
    flush_line (t);
  if (t->line->len == 0)
    g_string_append_printf (t->line, "window at %.3f s:", (double) ts / GST_SECOND);
  t->line_ts = ts;
  g_string_append_printf (t->line, "  stream %u %-8s %.3f%s", stream,
      label ? label : "(none)", conf,
      right ? "" : " (WRONG)");
}

/* Every result of @buf: one per stream for each window that ends in it,
 * all in its one results meta (none: no window ended here). */
static void
read_metas (GstBuffer * buf, const Part * part, Tally * t)
{
  GstCustomMeta *meta = gst_rnn_buffer_get_result_meta (buf);
  guint i;

  for (i = 0; i < gst_rnn_result_meta_get_n_results (meta); i++)
    check_result (gst_rnn_result_meta_get_result (meta, i), part, t);
}

/* The "rnn" element messages waiting on the bus; FALSE on an error. */
static gboolean
read_bus (GstBus * bus, const Part * part, Tally * t, gboolean * eos,
    GstClockTime timeout)
{
  GstMessage *msg;

  while ((msg = gst_bus_timed_pop_filtered (bus, timeout,
              GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR | GST_MESSAGE_EOS))) {
    gboolean ok = TRUE;

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_error (msg, &err, &dbg);
      g_printerr ("error from %s: %s\n%s\n", GST_OBJECT_NAME (msg->src),
          err->message, dbg ? dbg : "");
      g_clear_error (&err);
      g_free (dbg);
      ok = FALSE;
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
      *eos = TRUE;
    } else if (gst_message_has_name (msg, "rnn")) {
      check_result (gst_message_get_structure (msg), part, t);
    }
    gst_message_unref (msg);
    if (!ok)
      return FALSE;
    if (*eos)
      break;
  }
  return TRUE;
}

/* Pushes @part as buffers of BUFFER_FRAMES frames; returns the number of
 * buffers. */
static guint
push_part (GstAppSrc * src, const Part * part)
{
  guint done = 0, n_buffers = 0;
  guint64 frame = part->start;

  while (done < part->frames) {
    guint n = MIN (BUFFER_FRAMES, part->frames - done), i, b;
    GstBuffer *buf = gst_buffer_new_allocate (NULL,
        (gsize) n * STREAMS * sizeof (float), NULL);
    GstMapInfo map;
    float *x;

    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    x = (float *) map.data;
    for (i = 0; i < n; i++)     /* interleaved: frame i = (stream 0, 1) */
      for (b = 0; b < STREAMS; b++)
        x[i * STREAMS + b] = wave_sample (part->wave[b], part->freq[b],
            frame + i);
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (frame, GST_SECOND, RATE);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (frame + n,
        GST_SECOND, RATE) - GST_BUFFER_PTS (buf);
    GST_BUFFER_OFFSET (buf) = frame;
    GST_BUFFER_OFFSET_END (buf) = frame + n;
    gst_app_src_push_buffer (src, buf);  /* takes the buffer */
    frame += n;
    done += n;
    n_buffers++;
  }
  return n_buffers;
}

int
main (int argc, char **argv)
{
  const gchar *model = argc > 1 ? argv[1] :
      "examples/models/waveform-gru.safetensors";
  GstElement *pipeline, *rnn;
  GstAppSrc *src;
  GstAppSink *sink;
  GstBus *bus;
  GError *err = NULL;
  gchar *desc;
  Tally meta_t = { "meta", 0, 0, g_string_new (NULL), 0 };
  Tally bus_t = { "bus", 0, 0, g_string_new (NULL), 0 };
  guint p, expected = 0;
  gboolean eos = FALSE, ok = TRUE;

  gst_init (&argc, &argv);

  desc = g_strdup_printf ("appsrc name=src format=time caps=audio/x-raw,"
      "format=F32LE,layout=interleaved,rate=%d,channels=%d ! "
      "rnn name=rnn mode=n-to-1 window=%d model=\"%s\" ! "
      "appsink name=sink sync=false", RATE, STREAMS, WINDOW, model);
  pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  if (pipeline == NULL) {
    /* no rnn element: GST_PLUGIN_PATH=build/plugin, or meson devenv */
    g_printerr ("embed: %s\n", err->message);
    g_clear_error (&err);
    return 1;
  }
  src = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (pipeline), "src"));
  sink = GST_APP_SINK (gst_bin_get_by_name (GST_BIN (pipeline), "sink"));
  rnn = gst_bin_get_by_name (GST_BIN (pipeline), "rnn");
  bus = gst_element_get_bus (pipeline);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    read_bus (bus, &parts[0], &bus_t, &eos, 0);  /* prints the error */
    g_printerr ("embed: the pipeline did not start (model %s)\n", model);
    ok = FALSE;
    goto out;
  }

  for (p = 0; p < G_N_ELEMENTS (parts) && ok; p++) {
    const Part *part = &parts[p];
    guint n_buffers, i;

    g_print ("part %s: stream 0 %s %.0f Hz, stream 1 %s %.0f Hz, %.3f s\n",
        part->name, wave_names[part->wave[0]], part->freq[0],
        wave_names[part->wave[1]], part->freq[1], (double) part->frames / RATE);
    if (p > 0) {
      /* Back to a zero state; the unfinished window is dropped.  The
       * element applies it before the next buffer it processes: every
       * buffer of the previous part has come out of the appsink. */
      g_print ("  emitting \"reset\"\n");
      g_signal_emit_by_name (rnn, "reset");
    }
    n_buffers = push_part (src, part);
    if (p == G_N_ELEMENTS (parts) - 1)
      gst_app_src_end_of_stream (src);
    expected += STREAMS * (part->frames / WINDOW);

    /* The buffers come out unchanged, with the results attached. */
    for (i = 0; i < n_buffers; i++) {
      GstSample *sample = gst_app_sink_pull_sample (sink);

      if (sample == NULL) {
        g_printerr ("embed: the stream ended early\n");
        ok = FALSE;
        break;
      }
      read_metas (gst_sample_get_buffer (sample), part, &meta_t);
      gst_sample_unref (sample);
    }
    flush_line (&meta_t);
    /* The messages of these buffers were posted before they were pushed. */
    if (!read_bus (bus, part, &bus_t, &eos, 0))
      ok = FALSE;
    flush_line (&bus_t);
  }
  if (ok && !eos && !read_bus (bus, &parts[G_N_ELEMENTS (parts) - 1], &bus_t,
          &eos, 10 * GST_SECOND))
    ok = FALSE;
  flush_line (&bus_t);
  if (ok && !eos) {
    g_printerr ("embed: no EOS\n");
    ok = FALSE;
  }

  g_print ("%u results from metas (%u wrong), %u from the bus (%u wrong), "
      "%u expected from each\n", meta_t.checked, meta_t.wrong, bus_t.checked,
      bus_t.wrong, expected);
  if (meta_t.checked != expected || bus_t.checked != expected ||
      meta_t.wrong || bus_t.wrong)
    ok = FALSE;
  g_print ("%s\n", ok ? "OK" : "FAILED");

out:
  g_string_free (meta_t.line, TRUE);
  g_string_free (bus_t.line, TRUE);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (rnn);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return ok ? 0 : 1;
}

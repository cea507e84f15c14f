/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rnn element in a pipeline against the core alone, on the same data.
 *
 *   bench_element --model M.safetensors --input FILE --frames N
 *                 [--channels F] [--rate R] [--reps R]
 *
 * Writes the first N frames of F floats of FILE to FILE.long-N.f32 (once)
 * and times, R times each (median reported):
 *
 *   pipeline  filesrc ! rawaudioparse ! rnn model=M ! fakesink: wall time
 *             from the PLAYING request to EOS;
 *   identity  the same pipeline with identity in place of rnn (what the
 *             rest of the pipeline costs);
 *   element   time spent inside the rnn element: for every buffer, from its
 *             arrival on rnn's sink pad to its output leaving rnn's src pad
 *             (pad probes), summed;
 *   element_wall  pipeline - identity;
 *   core      rnn_state_process() alone over the same data, split into
 *             buffers of exactly the sizes the element received.
 *
 * Prints JSON lines {"type": "element", "what": ..., "ms": ...,
 * "us_per_frame": ...}; without the rnn element (GST_PLUGIN_PATH not set
 * to the build's plugin directory, or the plugin not built) one
 * {"type": "unavailable"} line, exit 0.
 */
#include "rnn.h"
#include "bench_common.h"

#include <gst/gst.h>

typedef struct {
  GArray *sizes;                /* frames of each buffer entering rnn */
  guint frame_bytes;
  gint64 t_in;                  /* monotonic us of the buffer being processed */
  gint64 inside;                /* sum of in->out times, us */
  guint64 frames;
} ProbeData;

static GstPadProbeReturn
sink_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user)
{
  ProbeData *d = user;
  d->t_in = g_get_monotonic_time ();
  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info);
    guint f = (guint) (gst_buffer_get_size (b) / d->frame_bytes);
    g_array_append_val (d->sizes, f);
    d->frames += f;
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
src_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user)
{
  ProbeData *d = user;
  if (d->t_in) {
    d->inside += g_get_monotonic_time () - d->t_in;
    d->t_in = 0;
  }
  return GST_PAD_PROBE_OK;
}

/* Runs the pipeline once; returns the seconds from PLAYING to EOS, or a
 * negative value on error.  @probe: attach probes to the element "e". */
static double
run_pipeline (const char *desc, ProbeData * probe)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  if (!p) {
    fprintf (stderr, "bench_element: %s: %s\n", desc, err->message);
    g_error_free (err);
    return -1;
  }
  if (probe) {
    GstElement *e = gst_bin_get_by_name (GST_BIN (p), "e");
    GstPad *sink = gst_element_get_static_pad (e, "sink");
    GstPad *src = gst_element_get_static_pad (e, "src");
    gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_BUFFER_LIST, sink_probe, probe, NULL);
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_BUFFER_LIST, src_probe, probe, NULL);
    gst_object_unref (sink);
    gst_object_unref (src);
    gst_object_unref (e);
  }
  GstBus *bus = gst_element_get_bus (p);
  double t0 = bench_now ();
  gst_element_set_state (p, GST_STATE_PLAYING);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 600 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  double dt = bench_now () - t0;
  if (!m || GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    if (m) {
      GError *e = NULL;
      gchar *dbg = NULL;
      gst_message_parse_error (m, &e, &dbg);
      fprintf (stderr, "bench_element: %s\n  %s\n", e->message,
          dbg ? dbg : "");
      g_error_free (e);
      g_free (dbg);
    } else {
      fprintf (stderr, "bench_element: no EOS after 600 s\n");
    }
    dt = -1;
  }
  if (m)
    gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  return dt;
}

static void
print_line (const char *what, double ms, guint64 frames, guint buffers)
{
  printf ("{\"type\": \"element\", \"what\": \"%s\", \"ms\": %.3f, "
      "\"us_per_frame\": %.4f, \"frames\": %" G_GUINT64_FORMAT
      ", \"buffers\": %u, \"frames_per_buffer\": %.1f}\n", what, ms,
      frames ? ms * 1e3 / (double) frames : 0.0, frames, buffers,
      buffers ? (double) frames / buffers : 0.0);
  fflush (stdout);
}

static void
unavailable (const char *msg)
{
  printf ("{\"type\": \"unavailable\", \"contender\": \"element\", "
      "\"message\": ");
  bench_print_json_string (msg);
  printf ("}\n");
}

int
main (int argc, char **argv)
{
  const char *model_path = NULL, *input = NULL;
  int frames = 32000, channels = 64, rate = 16000, reps = 5;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      fprintf (stderr, "%s needs a value\n", a);
      return 2;
    }
    i++;
    if (!strcmp (a, "--model"))
      model_path = v;
    else if (!strcmp (a, "--input"))
      input = v;
    else if (!strcmp (a, "--frames"))
      frames = atoi (v);
    else if (!strcmp (a, "--channels"))
      channels = atoi (v);
    else if (!strcmp (a, "--rate"))
      rate = atoi (v);
    else if (!strcmp (a, "--reps"))
      reps = atoi (v);
    else {
      fprintf (stderr, "usage: %s --model M --input FILE --frames N "
          "[--channels F] [--rate R] [--reps R]\n", argv[0]);
      return 2;
    }
  }
  if (!model_path || !input || frames < 1 || channels < 1 || reps < 1) {
    fprintf (stderr, "--model, --input and --frames are required\n");
    return 2;
  }
  gst_init (&argc, &argv);

  GstElementFactory *fac = gst_element_factory_find ("rnn");
  if (!fac) {
    const char *pp = g_getenv ("GST_PLUGIN_PATH");
    char msg[1024];
    snprintf (msg, sizeof msg, "no rnn element (GST_PLUGIN_PATH=%s)",
        pp ? pp : "unset");
    unavailable (msg);
    return 0;
  }
  gst_object_unref (fac);

  /* The long input file: the first @frames frames of @input. */
  size_t n_in;
  float *data = bench_read_input (input, &n_in);
  if (!data)
    return 1;
  if ((size_t) frames * channels > n_in)
    frames = (int) (n_in / channels);
  size_t n = (size_t) frames * channels;
  char *long_path = g_strdup_printf ("%s.long-%d.f32", input, frames);
  if (!g_file_test (long_path, G_FILE_TEST_EXISTS)) {
    GError *err = NULL;
    if (!g_file_set_contents (long_path, (const char *) data,
            (gssize) (n * sizeof (float)), &err)) {
      fprintf (stderr, "%s\n", err->message);
      return 1;
    }
  }

  char *src = g_strdup_printf ("filesrc location=\"%s\" ! rawaudioparse "
      "use-sink-caps=false format=pcm pcm-format=f32le sample-rate=%d "
      "num-channels=%d", long_path, rate, channels);
  char *desc_rnn = g_strdup_printf ("%s ! rnn name=e model=\"%s\" ! "
      "fakesink sync=false", src, model_path);
  char *desc_id = g_strdup_printf ("%s ! identity name=e ! fakesink "
      "sync=false", src);

  double *t_pipe = g_new0 (double, reps), *t_id = g_new0 (double, reps);
  double *t_in = g_new0 (double, reps), *t_core = g_new0 (double, reps);
  double *ratio = g_new0 (double, reps);

  /* Warm-up (page cache, registry, model file) that also records the
   * buffer sizes the element receives. */
  ProbeData pd = { 0 };
  pd.frame_bytes = (guint) (channels * sizeof (float));
  pd.sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  if (run_pipeline (desc_rnn, &pd) < 0 || run_pipeline (desc_id, NULL) < 0) {
    unavailable ("the rnn pipeline failed (see stderr)");
    return 0;
  }
  GArray *sizes = pd.sizes;
  guint64 seen = pd.frames;

  /* The core alone on the same buffers. */
  GError *err = NULL;
  RnnModel *model = rnn_model_load (model_path, NULL, &err);
  if (!model) {
    fprintf (stderr, "%s\n", err->message);
    return 1;
  }
  guint maxf = 1;
  for (guint i = 0; i < sizes->len; i++)
    maxf = MAX (maxf, g_array_index (sizes, guint, i));
  RnnState *st = rnn_state_new (model, 1, maxf, &err);
  if (!st) {
    fprintf (stderr, "%s\n", err->message);
    return 1;
  }
  guint O = rnn_model_get_output_size (model);
  float *out = bench_alloc ((size_t) maxf * O * sizeof (float));

  /* Repetitions: the three runs alternate, so that a change in the load of
   * the machine hits them alike. */
  for (int r = -1; r < reps; r++) {     /* r = -1: warm-up of the core */
    if (r >= 0) {
      ProbeData d = { 0 };
      d.frame_bytes = pd.frame_bytes;
      d.sizes = g_array_new (FALSE, FALSE, sizeof (guint));
      t_pipe[r] = run_pipeline (desc_rnn, &d);
      t_id[r] = run_pipeline (desc_id, NULL);
      t_in[r] = (double) d.inside * 1e-6;
      g_array_unref (d.sizes);
      if (t_pipe[r] < 0 || t_id[r] < 0) {
        unavailable ("the rnn pipeline failed (see stderr)");
        return 0;
      }
    }
    rnn_state_reset (st);
    const float *p = data;
    double t0 = bench_now ();
    for (guint i = 0; i < sizes->len; i++) {
      guint f = g_array_index (sizes, guint, i);
      if (!rnn_state_process (st, p, f, RNN_RUN_NONE, out, &err)) {
        fprintf (stderr, "%s\n", err->message);
        return 1;
      }
      p += (size_t) f * channels;
    }
    if (r >= 0) {
      t_core[r] = bench_now () - t0;
      ratio[r] = t_in[r] / t_core[r];
    }
  }

  double wall[64];
  int nw = reps < 64 ? reps : 64;
  for (int r = 0; r < nw; r++)
    wall[r] = t_pipe[r] - t_id[r];
  guint nb = sizes->len;
  print_line ("pipeline", 1e3 * bench_median (t_pipe, reps), seen, nb);
  print_line ("identity", 1e3 * bench_median (t_id, reps), seen, nb);
  print_line ("element_wall", 1e3 * bench_median (wall, nw), seen, nb);
  print_line ("element", 1e3 * bench_median (t_in, reps), seen, nb);
  print_line ("core", 1e3 * bench_median (t_core, reps), seen, nb);
  printf ("{\"type\": \"element\", \"what\": \"ratio\", "
      "\"element_over_core\": %.4f}\n", bench_median (ratio, reps));
  long rss, hwm;
  bench_memory_kb (&rss, &hwm);
  printf ("{\"type\": \"memory\", \"contender\": \"element\", \"name\": "
      "\"end\", \"rss_kb\": %ld, \"hwm_kb\": %ld}\n", rss, hwm);

  free (out);
  rnn_state_free (st);
  rnn_model_unref (model);
  g_array_unref (sizes);
  g_free (t_pipe);
  g_free (t_id);
  g_free (t_in);
  g_free (t_core);
  g_free (ratio);
  g_free (src);
  g_free (desc_rnn);
  g_free (desc_id);
  g_free (long_path);
  free (data);
  return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* N-vs-1 classification with the core library alone (no GStreamer).
 *
 *   classify MODEL INPUT --window W [--hop H] [--batch B] [--batch-first]
 *            [--carry-state] [--partial run|drop] [--blocks N[,N...]]
 *
 * Every H frames (default H = W) the last W frames of each of the B
 * streams run through the model as one sequence; the top layer's outputs
 * are pooled as the model file says (metadata "rnn.pooling": last, mean or
 * final-state) and the model's head is applied.  All of that is the core's
 * RNN_MODE_N_TO_1 runner: this program only reads files, feeds frames and
 * prints results.
 *
 * MODEL   a safetensors model as rnn_model_load() takes it (the element's
 *         model files; examples/export.py writes them).
 * INPUT   raw float32 little-endian frames, nothing else in the file:
 *         (T, B, F) - frame by frame, the B streams of a frame next to each
 *         other - or (B, T, F) with --batch-first.  F is the model's input
 *         size and T is the file size / (4 * B * F).  From numpy:
 *         x.astype("<f4").tofile("input.f32").
 *
 * Options:
 *   --window W      frames per window (>= 1)
 *   --hop H         frames between window starts (default W; H < W
 *                   overlaps windows, H > W skips frames between them)
 *   --batch B       independent streams in INPUT (default 1)
 *   --batch-first   INPUT is (B, T, F)
 *   --carry-state   each window starts from the previous window's final
 *                   state instead of zeros
 *   --partial P     the incomplete window at the end of INPUT: drop (the
 *                   default, as the model was trained on whole windows) or
 *                   run it as a shorter sequence
 *   --blocks LIST   sizes, in frames, of the blocks INPUT is pushed in,
 *                   used in turn (default 7,1,30,3,12): how the frames are
 *                   split never changes a result
 *
 * Output (stdout): one comment line starting with '#', then one line per
 * window and stream, tab-separated:
 *
 *   start  frames  stream  class  label  score_0 ... score_{O-1}
 *
 * start is the index of the window's first frame (from 0), frames its
 * length (< W for a partial window), class the index of the highest score,
 * label that class's name from the model's "rnn.labels" ("-" if none).
 * Scores are printed with 9 significant digits (exact float32).
 *
 * Build: meson compile -C build (this is build/examples/classify), or,
 * with the library installed, on its own:
 *
 *   cc classify.c $(pkg-config --cflags --libs rnn-core) -o classify
 *
 * Run (a case of the conformance fixtures; its input is made raw first):
 *
 *   build/examples/classify model.safetensors input.f32 --window 20
 *
 * Exit status: 0 on success, 1 on any error (the message, on stderr,
 * names the file and the numbers that clash).
 */

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rnn.h>                /* pkg-config rnn-core: GLib only */

typedef struct
{
  gint window, hop, batch;
  gboolean batch_first, carry_state;
  gchar *partial, *blocks;
} Options;

static const char *
pooling_name (RnnPooling pooling)
{
  switch (pooling) {
    case RNN_POOLING_LAST:
      return "last";
    case RNN_POOLING_MEAN:
      return "mean";
    case RNN_POOLING_FINAL_STATE:
      return "final-state";
  }
  return "?";
}

/* "7,1,30" -> {7, 1, 30}; every size >= 1. */
static gboolean
parse_blocks (const char *text, GArray * sizes, GError ** error)
{
  gchar **parts = g_strsplit (text, ",", -1);
  gboolean ok = TRUE;

  for (guint i = 0; parts[i] != NULL && ok; i++) {
    guint64 v = 0;

    if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1,
            G_MAXUINT32, &v, NULL)) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--blocks: '%s' is not a block size >= 1 (in \"%s\")", parts[i],
          text);
      ok = FALSE;
    } else {
      gsize n = (gsize) v;

      g_array_append_val (sizes, n);
    }
  }
  g_strfreev (parts);
  if (ok && sizes->len == 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--blocks: no block size given");
    ok = FALSE;
  }
  return ok;
}

/* One line per stream of a window's result: scores are (B, O). */
static void
print_result (const RnnResult * result, guint B, guint O,
    const char *const *labels)
{
  guint n_labels = labels ? g_strv_length ((gchar **) labels) : 0;

  for (guint b = 0; b < B; b++) {
    const float *scores = result->data + (gsize) b * O;
    guint best = 0;

    for (guint o = 1; o < O; o++)
      if (scores[o] > scores[best])
        best = o;
    printf ("%" G_GUINT64_FORMAT "\t%u\t%u\t%u\t%s", result->start,
        result->n_frames, b, best, best < n_labels ? labels[best] : "-");
    for (guint o = 0; o < O; o++)
      printf ("\t%.9g", scores[o]);
    putchar ('\n');
  }
}

int
main (int argc, char **argv)
{
  Options opt = {.window = 0,.hop = 0,.batch = 1 };
  GOptionEntry entries[] = {
    {"window", 0, 0, G_OPTION_ARG_INT, &opt.window, "Frames per window", "W"},
    {"hop", 0, 0, G_OPTION_ARG_INT, &opt.hop,
        "Frames between window starts (default: W)", "H"},
    {"batch", 0, 0, G_OPTION_ARG_INT, &opt.batch,
        "Independent streams in INPUT (default 1)", "B"},
    {"batch-first", 0, 0, G_OPTION_ARG_NONE, &opt.batch_first,
        "INPUT is (B, T, F) instead of (T, B, F)", NULL},
    {"carry-state", 0, 0, G_OPTION_ARG_NONE, &opt.carry_state,
        "Start each window from the previous one's final state", NULL},
    {"partial", 0, 0, G_OPTION_ARG_STRING, &opt.partial,
        "Incomplete window at the end: drop (default) or run", "run|drop"},
    {"blocks", 0, 0, G_OPTION_ARG_STRING, &opt.blocks,
        "Push INPUT in blocks of these sizes (default 7,1,30,3,12)", "N,..."},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  GArray *blocks = g_array_new (FALSE, FALSE, sizeof (gsize));
  RnnModel *model = NULL;
  RnnRunner *runner = NULL;
  RnnPartial partial = RNN_PARTIAL_DROP;
  const char *model_path, *input_path;
  gchar *data = NULL;
  gsize size = 0;
  float *frames, *block = NULL;
  guint F, O, B;
  gsize frame_bytes, T, t;
  RnnRunConfig config = { 0 };
  int status = 1;

  setlocale (LC_CTYPE, "");     /* messages in the terminal's charset; the
                                 * numbers keep the C locale's '.' */
  ctx = g_option_context_new ("MODEL INPUT - N-vs-1 classification "
      "with rnn-core");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    goto out;
  if (argc != 3) {
    g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
        "expected MODEL and INPUT, got %d argument(s) (see --help)",
        argc - 1);
    goto out;
  }
  model_path = argv[1];
  input_path = argv[2];
  if (opt.window < 1 || opt.batch < 1 || opt.hop < 0) {
    g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--window %d --batch %d --hop %d: the window and the batch must be "
        ">= 1 (--window is required), the hop >= 0 (0 = the window)",
        opt.window, opt.batch, opt.hop);
    goto out;
  }
  if (opt.partial == NULL || g_str_equal (opt.partial, "drop"))
    partial = RNN_PARTIAL_DROP;
  else if (g_str_equal (opt.partial, "run"))
    partial = RNN_PARTIAL_RUN;
  else {
    g_set_error (&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--partial '%s': expected 'run' or 'drop'", opt.partial);
    goto out;
  }
  if (!parse_blocks (opt.blocks ? opt.blocks : "7,1,30,3,12", blocks, &err))
    goto out;

  /* 1. The model.  Errors name the file, the tensor or key and the
   * expected versus found value. */
  model = rnn_model_load (model_path, NULL, &err);
  if (model == NULL)
    goto out;

  /* 2. The runner: N-to-1 over B streams.  Pooling is not configured
   * here: it is the model's (rnn_model_get_pooling()), as is the head.
   * rnn_runner_new() checks the configuration against the model
   * (rnn_run_config_check()) and sizes all memory; pushing allocates
   * nothing. */
  config.mode = RNN_MODE_N_TO_1;
  config.batch = (guint) opt.batch;
  config.batch_first = opt.batch_first;
  config.window = (guint) opt.window;
  config.hop = (guint) opt.hop; /* 0 = window */
  config.carry_state = opt.carry_state;
  /* config.non_finite = RNN_NON_FINITE_RESET_STREAM (0): a NaN resets the
   * stream it is in; finite input is computed exactly as PyTorch does. */
  runner = rnn_runner_new (model, NULL, &config, &err);
  if (runner == NULL)
    goto out;
  F = rnn_runner_get_info (runner)->input_size;
  O = rnn_runner_get_info (runner)->output_size;        /* scores per stream */
  B = config.batch;

  /* 3. The input: whole frames of B streams x F floats. */
  if (!g_file_get_contents (input_path, &data, &size, &err))
    goto out;
  frame_bytes = (gsize) B * F * sizeof (float);
  if (size % frame_bytes != 0) {
    g_set_error (&err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: %" G_GSIZE_FORMAT " bytes is not a whole number of frames: a "
        "frame is B=%u stream(s) x F=%u float32 (the input size of %s) = %"
        G_GSIZE_FORMAT " bytes; %" G_GSIZE_FORMAT " bytes left over",
        input_path, size, B, F, model_path, frame_bytes, size % frame_bytes);
    goto out;
  }
  T = size / frame_bytes;
  frames = (float *) data;
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < size / 4; i++) {        /* the file is little-endian */
    guint32 u;

    memcpy (&u, &frames[i], 4);
    u = GUINT32_FROM_LE (u);
    memcpy (&frames[i], &u, 4);
  }
#endif
  if (T < (gsize) opt.window && partial == RNN_PARTIAL_DROP)
    g_printerr ("%s: %" G_GSIZE_FORMAT " frame(s), fewer than one window "
        "(%d): no result unless --partial run\n", input_path, T, opt.window);

  printf ("# %s: %s, pooling %s, %u score(s) per window; %s: %" G_GSIZE_FORMAT
      " frame(s) x %u stream(s)\n# start\tframes\tstream\tclass\tlabel\t"
      "scores\n", model_path, rnn_cell_name (rnn_model_get_cell (model)),
      pooling_name (rnn_model_get_pooling (model)), O, input_path, T, B);

  /* 4. Push the frames in uneven blocks.  A block of n frames is laid out
   * as the runner's input: (n, B, F), or (B, n, F) with batch_first.
   * Time-major frames [t, t + n) are contiguous in the file; batch-first
   * ones are B pieces, gathered into a block buffer. */
  if (opt.batch_first) {
    gsize largest = 1;

    for (guint k = 0; k < blocks->len; k++)
      largest = MAX (largest, g_array_index (blocks, gsize, k));
    block = g_new (float, (gsize) B * MIN (largest, MAX (T, 1)) * F);
  }
  t = 0;
  for (gsize i = 0; t < T; i++) {
    gsize n = MIN (g_array_index (blocks, gsize, i % blocks->len), T - t);
    const float *in = frames + t * B * F;
    gsize cursor = 0;

    if (opt.batch_first) {
      for (guint b = 0; b < B; b++)
        memcpy (block + (gsize) b * n * F, frames + ((gsize) b * T + t) * F,
            n * F * sizeof (float));
      in = block;
    }
    /* push takes frames from the cursor on until a window is complete or
     * the block is used up: a result (data != NULL) is valid until the
     * next call, so print it before pushing the rest of the block. */
    while (cursor < n) {
      RnnResult result;

      if (!rnn_runner_push (runner, in, n, &cursor, &result, &err))
        goto out;
      if (result.data != NULL)
        print_result (&result, B, O, rnn_model_get_labels (model));
    }
    t += n;
  }

  /* 5. End of input: the incomplete window, if any, run or dropped. */
  {
    RnnResult result;

    if (!rnn_runner_drain (runner, partial, &result, &err))
      goto out;
    if (result.data != NULL)
      print_result (&result, B, O, rnn_model_get_labels (model));
  }
  if (fflush (stdout) != 0) {
    g_set_error (&err, G_FILE_ERROR, g_file_error_from_errno (errno),
        "stdout: %s", g_strerror (errno));
    goto out;
  }
  status = 0;

out:
  if (err != NULL) {
    g_printerr ("classify: %s\n", err->message);
    g_error_free (err);
  }
  g_free (block);
  g_free (data);
  rnn_runner_free (runner);
  if (model != NULL)
    rnn_model_unref (model);
  g_array_unref (blocks);
  g_free (opt.partial);
  g_free (opt.blocks);
  g_option_context_free (ctx);
  return status;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rnn-inspect: print what a model file holds, as gst-inspect-1.0 does for
 * elements: the network (cell, sizes, layers, directions, head, labels,
 * pooling, precision), the run settings it carries (the defaults of the
 * rnn element's properties), its audio front end (rnn.frontend.*, read
 * by melspec model=FILE) and any other metadata.  Built on the public
 * core API only (core/rnn.h).
 *
 *   rnn-inspect FILE...     one report per file; exit 1 if one is refused
 *   rnn-inspect --keys      the rnn.* metadata keys this version knows
 */
#include "rnn.h"

#include <stdio.h>
#include <string.h>

static const char *
activation_name (RnnActivation a)
{
  return a == RNN_ACTIVATION_SOFTMAX ? "softmax" :
      a == RNN_ACTIVATION_SIGMOID ? "sigmoid" : "none";
}

static const char *
pooling_name (RnnPooling p)
{
  return p == RNN_POOLING_FINAL_STATE ? "final-state" :
      p == RNN_POOLING_MEAN ? "mean" : "last";
}

/* The network of @m, each line indented by @indent. */
static void
print_network (const RnnModel * m, const char *indent)
{
  guint P = rnn_model_get_proj_size (m);
  const char *const *labels = rnn_model_get_labels (m);

  printf ("%sCell:            %s\n", indent,
      rnn_cell_name (rnn_model_get_cell (m)));
  printf ("%sInput size:      %u values per frame\n", indent,
      rnn_model_get_input_size (m));
  printf ("%sHidden size:     %u\n", indent, rnn_model_get_hidden_size (m));
  if (P)
    printf ("%sProjection:      %u (LSTM proj_size)\n", indent, P);
  printf ("%sLayers:          %u\n", indent, rnn_model_get_num_layers (m));
  printf ("%sDirections:      %s\n", indent, rnn_model_is_bidirectional (m) ?
      "2 (bidirectional: runs on whole windows)" : "1");
  printf ("%sBias:            %s\n", indent, rnn_model_has_bias (m) ?
      "yes" : "no");
  if (rnn_model_has_head (m))
    printf ("%sHead:            Linear %u -> %u, activation %s\n", indent,
        rnn_model_get_rnn_output_size (m), rnn_model_get_output_size (m),
        activation_name (rnn_model_get_head_activation (m)));
  else
    printf ("%sHead:            none\n", indent);
  printf ("%sOutput size:     %u values per frame\n", indent,
      rnn_model_get_output_size (m));
  if (labels) {
    gchar *l = g_strjoinv (", ", (gchar **) labels);
    printf ("%sLabels:          %s\n", indent, l);
    g_free (l);
  }
  printf ("%sPooling:         %s (n-to-1)\n", indent,
      pooling_name (rnn_model_get_pooling (m)));
  printf ("%sPrecision:       %s\n", indent,
      rnn_precision_name (rnn_model_get_precision (m)));
  printf ("%sFingerprint:     %016" G_GINT64_MODIFIER "x\n", indent,
      rnn_model_get_fingerprint (m));
}

static void
print_setting (const char *prop, const char *key, gboolean set,
    const char *value)
{
  printf ("  %-12s %-10s (%s%s)\n", prop, set ? value : "-", key,
      set ? "" : " not set: the property's default");
}

static void
print_settings (const RnnModelSettings * s)
{
  char buf[32];

  printf ("Run settings (defaults of the rnn element's properties):\n");
  print_setting ("mode", "rnn.mode", s->set & RNN_SETTING_MODE,
      rnn_mode_name (s->mode));
  g_snprintf (buf, sizeof buf, "%u", s->window);
  print_setting ("window", "rnn.window", s->set & RNN_SETTING_WINDOW, buf);
  g_snprintf (buf, sizeof buf, "%u", s->hop);
  print_setting ("hop", "rnn.hop", s->set & RNN_SETTING_HOP, buf);
  g_snprintf (buf, sizeof buf, "%u", s->steps);
  print_setting ("steps", "rnn.steps", s->set & RNN_SETTING_STEPS, buf);
  print_setting ("feed", "rnn.feed", s->set & RNN_SETTING_FEED,
      rnn_feed_name (s->feed));
  print_setting ("carry-state", "rnn.carry_state",
      s->set & RNN_SETTING_CARRY_STATE, s->carry_state ? "true" : "false");
}

/* The metadata outside the run settings and the network's own keys:
 * the front end, other rnn.* keys ignored, and the application's. */
static void
print_metadata (const RnnModel * m)
{
  gchar **keys = rnn_model_get_metadata_keys (m);
  const char *const *ignored = rnn_model_get_ignored_keys (m);
  gboolean frontend = FALSE, other = FALSE;

  for (guint i = 0; keys[i]; i++) {
    if (g_str_equal (keys[i], "rnn.frontend")
        || g_str_has_prefix (keys[i], "rnn.frontend.")) {
      if (!frontend)
        printf ("Front end (melspec model=FILE):\n");
      frontend = TRUE;
      gchar *v = g_strescape (rnn_model_get_metadata (m, keys[i]), NULL);
      printf ("  %-32s %s\n", keys[i], v);
      g_free (v);
    }
  }
  if (!frontend)
    printf ("Front end:       none (no rnn.frontend metadata)\n");
  for (guint i = 0; keys[i]; i++) {
    if (g_str_has_prefix (keys[i], "rnn."))
      continue;
    if (!other)
      printf ("Other metadata:\n");
    other = TRUE;
    gchar *v = g_strescape (rnn_model_get_metadata (m, keys[i]), NULL);
    printf ("  %-32s %s\n", keys[i], v);
    g_free (v);
  }
  if (ignored) {
    gchar *l = g_strjoinv (", ", (gchar **) ignored);
    printf ("Ignored keys:    %s (unknown rnn.* keys: a typo, or a later "
        "version's)\n", l);
    g_free (l);
  }
  g_strfreev (keys);
}

static gboolean
inspect (const char *path)
{
  RnnModelSettings s;
  RnnModel *m, *dec = NULL;
  GError *err = NULL;

  if (!rnn_model_read_settings (path, &s, &err)) {
    fprintf (stderr, "rnn-inspect: %s\n", err->message);
    g_error_free (err);
    return FALSE;
  }
  /* an encoder-decoder (n-to-m) file holds two networks */
  if ((s.set & RNN_SETTING_MODE) && s.mode == RNN_MODE_N_TO_M)
    m = rnn_model_load_encoder_decoder (path, &dec, &err);
  else
    m = rnn_model_load (path, NULL, &err);
  if (m == NULL && !(s.set & RNN_SETTING_MODE)) {
    GError *err2 = NULL;

    m = rnn_model_load_encoder_decoder (path, &dec, &err2);
    if (m == NULL)
      g_error_free (err2);
    else
      g_clear_error (&err);
  }
  if (m == NULL) {
    fprintf (stderr, "rnn-inspect: %s\n", err->message);
    g_error_free (err);
    return FALSE;
  }

  printf ("File:            %s\n", path);
  if (dec) {
    printf ("Networks:        encoder-decoder (keys encoder.*, decoder.*; "
        "mode n-to-m)\nEncoder:\n");
    print_network (m, "  ");
    printf ("Decoder:\n");
    print_network (dec, "  ");
  } else {
    print_network (m, "");
  }
  print_settings (&s);
  print_metadata (m);
  rnn_model_unref (m);
  if (dec)
    rnn_model_unref (dec);
  return TRUE;
}

int
main (int argc, char **argv)
{
  gboolean keys = FALSE;
  GOptionEntry entries[] = {
    {"keys", 0, 0, G_OPTION_ARG_NONE, &keys,
        "List the rnn.* metadata keys this version knows", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("FILE... - print what a "
      "gst-rnn model file holds");
  GError *err = NULL;
  int status = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "rnn-inspect: %s\n", err->message);
    g_error_free (err);
    g_option_context_free (ctx);
    return 2;
  }
  g_option_context_free (ctx);
  if (keys) {
    for (const char *const *k = rnn_metadata_known_keys (); *k; k++)
      printf ("%s\n", *k);
    printf ("rnn.frontend, rnn.frontend.<melspec property>\n");
    return 0;
  }
  if (argc < 2) {
    fprintf (stderr, "usage: rnn-inspect FILE... | --keys\n");
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    if (i > 1)
      printf ("\n");
    if (!inspect (argv[i]))
      status = 1;
  }
  return status;
}

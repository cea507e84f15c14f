/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: the run settings a model file carries
 * (rnn.mode, rnn.window, rnn.hop, rnn.steps, rnn.feed, rnn.carry_state;
 * read and checked by the core, rnn_model_get_settings()).  They are the
 * defaults of the matching properties: a property the application set
 * keeps its value (with a WARNING where it contradicts how the model was
 * trained), the others take the file's value, or their default when the
 * file has none, at each start.  Reading a property back gives the value
 * in force.  A hot swap keeps the configuration in force and warns where
 * the new file asks for another.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

/* One setting: its flag, property, metadata key, and whether a value
 * other than the file's changes what the network computes (a WARNING) or
 * only which frames it sees (hop, steps: an INFO). */
typedef struct
{
  guint flag;
  const gchar *property;
  const gchar *key;
  gboolean trained;
} GstRnnModelSetting;

static const GstRnnModelSetting settings_table[] = {
  {RNN_SETTING_MODE, "mode", "rnn.mode", TRUE},
  {RNN_SETTING_WINDOW, "window", "rnn.window", TRUE},
  {RNN_SETTING_HOP, "hop", "rnn.hop", FALSE},
  {RNN_SETTING_STEPS, "steps", "rnn.steps", FALSE},
  {RNN_SETTING_FEED, "feed", "rnn.feed", TRUE},
  {RNN_SETTING_CARRY_STATE, "carry-state", "rnn.carry_state", TRUE},
};

static guint
settings_value (const GstRnnSettings * s, guint flag)
{
  switch (flag) {
    case RNN_SETTING_MODE:
      return s->mode;
    case RNN_SETTING_WINDOW:
      return s->window;
    case RNN_SETTING_HOP:
      return s->hop;
    case RNN_SETTING_STEPS:
      return s->steps;
    case RNN_SETTING_FEED:
      return s->feed;
    default:
      return s->carry_state;
  }
}

static void
settings_set_value (GstRnnSettings * s, guint flag, guint v)
{
  switch (flag) {
    case RNN_SETTING_MODE:
      s->mode = (GstRnnMode) v;
      break;
    case RNN_SETTING_WINDOW:
      s->window = v;
      break;
    case RNN_SETTING_HOP:
      s->hop = v;
      break;
    case RNN_SETTING_STEPS:
      s->steps = v;
      break;
    case RNN_SETTING_FEED:
      s->feed = (GstRnnFeed) v;
      break;
    default:
      s->carry_state = v != 0;
      break;
  }
}

static guint
file_value (const RnnModelSettings * ms, guint flag)
{
  switch (flag) {
    case RNN_SETTING_MODE:
      return ms->mode;
    case RNN_SETTING_WINDOW:
      return ms->window;
    case RNN_SETTING_HOP:
      return ms->hop;
    case RNN_SETTING_STEPS:
      return ms->steps;
    case RNN_SETTING_FEED:
      return ms->feed;
    default:
      return ms->carry_state;
  }
}

static guint
config_value (const RnnRunConfig * cfg, guint flag)
{
  switch (flag) {
    case RNN_SETTING_MODE:
      return cfg->mode;
    case RNN_SETTING_WINDOW:
      return cfg->window;
    case RNN_SETTING_HOP:
      return cfg->hop;
    case RNN_SETTING_STEPS:
      return cfg->steps;
    case RNN_SETTING_FEED:
      return cfg->feed;
    default:
      return cfg->carry_state;
  }
}

static guint
default_value (guint flag)
{
  GstRnnSettings d = { NULL, };

  d.mode = DEFAULT_MODE;
  d.window = DEFAULT_WINDOW;
  d.hop = DEFAULT_HOP;
  d.steps = DEFAULT_STEPS;
  d.feed = DEFAULT_FEED;
  d.carry_state = DEFAULT_CARRY_STATE;
  return settings_value (&d, flag);
}

/* The value as a launch line writes it. */
static gchar *
value_text (guint flag, guint v)
{
  switch (flag) {
    case RNN_SETTING_MODE:
      return g_strdup (gst_rnn_mode_nick ((GstRnnMode) v));
    case RNN_SETTING_FEED:
      return g_strdup (gst_rnn_feed_nick ((GstRnnFeed) v));
    case RNN_SETTING_CARRY_STATE:
      return g_strdup (v ? "true" : "false");
    default:
      return g_strdup_printf ("%u", v);
  }
}

/* Whether a setting means anything in @mode (a window in n-to-n is a
 * bidirectional model's: a file carries none for another). */
static gboolean
setting_applies (guint flag, GstRnnMode mode)
{
  switch (flag) {
    case RNN_SETTING_WINDOW:
      return mode != GST_RNN_MODE_1_TO_N;
    case RNN_SETTING_HOP:
      return mode == GST_RNN_MODE_N_TO_1 || mode == GST_RNN_MODE_N_TO_M;
    case RNN_SETTING_STEPS:
    case RNN_SETTING_FEED:
      return mode == GST_RNN_MODE_1_TO_N || mode == GST_RNN_MODE_N_TO_M;
    case RNN_SETTING_CARRY_STATE:
      return mode != GST_RNN_MODE_N_TO_N;
    default:
      return TRUE;
  }
}

/* A value in force that is not the one the file names: WARNING (or INFO
 * for hop and steps), saying which wins and how to change it. */
static void
gst_rnn_setting_differs (GstRnn * self, const GstRnnModelSetting * e,
    const gchar * path, guint want, guint have, const gchar * why)
{
  gchar *w = value_text (e->flag, want), *h = value_text (e->flag, have);

  if (e->trained)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Model \"%s\" was made to run with %s=%s (metadata %s), but %s=%s "
            "is in force (%s): its results may be wrong.", path,
            e->property, w, e->key, e->property, h, why), (NULL));
  else
    GST_INFO_OBJECT (self, "model \"%s\" carries %s=%s (%s); %s=%s is in "
        "force (%s)", path, e->property, w, e->key, e->property, h, why);
  g_free (w);
  g_free (h);
}

void
gst_rnn_settings_from_model (GstRnn * self, GstRnnSettings * s,
    const RnnModelSettings * ms, const gchar * path)
{
  guint i;

  /* the mode first: it decides which of the others apply */
  for (i = 0; i < G_N_ELEMENTS (settings_table); i++) {
    const GstRnnModelSetting *e = &settings_table[i];

    if (s->user_set & e->flag)
      continue;
    settings_set_value (s, e->flag, (ms->set & e->flag) ?
        file_value (ms, e->flag) : default_value (e->flag));
    if (ms->set & e->flag)
      GST_INFO_OBJECT (self, "%s from the model's %s", e->property, e->key);
  }
  for (i = 0; i < G_N_ELEMENTS (settings_table); i++) {
    const GstRnnModelSetting *e = &settings_table[i];

    if ((s->user_set & e->flag) && (ms->set & e->flag)
        && setting_applies (e->flag, s->mode)
        && settings_value (s, e->flag) != file_value (ms, e->flag))
      gst_rnn_setting_differs (self, e, path, file_value (ms, e->flag),
          settings_value (s, e->flag), "the property set overrides the file");
  }
}

gchar *
gst_rnn_settings_from_file_text (const GstRnnSettings * s,
    const RnnModelSettings * ms)
{
  GString *t = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (settings_table); i++) {
    const GstRnnModelSetting *e = &settings_table[i];
    gchar *v;

    if (!(ms->set & e->flag) || (s->user_set & e->flag))
      continue;
    v = value_text (e->flag, file_value (ms, e->flag));
    if (t == NULL)
      t = g_string_new ("");
    else
      g_string_append (t, ", ");
    g_string_append_printf (t, "%s=%s (%s)", e->property, v, e->key);
    g_free (v);
  }
  return t ? g_string_free (t, FALSE) : NULL;
}

gboolean
gst_rnn_settings_read_model (GstRnn * self, GstRnnSettings * s,
    RnnModelSettings * ms)
{
  GError *err = NULL, *gerr = NULL;
  gchar *debug = NULL;

  if (rnn_model_read_settings (s->model_path, ms, &err)) {
    gst_rnn_settings_from_model (self, s, ms, s->model_path);
    return TRUE;
  }
  gst_rnn_load_error (s->model_path, err, &gerr, &debug);
  gst_rnn_post_gerror (self, GST_MESSAGE_ERROR, gerr, debug, GST_FUNCTION,
      __LINE__);
  g_clear_error (&gerr);
  g_clear_error (&err);
  return FALSE;
}

void
gst_rnn_settings_publish (GstRnn * self, const GstRnnSettings * s)
{
  guint i;

  GST_OBJECT_LOCK (self);
  for (i = 0; i < G_N_ELEMENTS (settings_table); i++) {
    guint flag = settings_table[i].flag;

    if (!(self->settings.user_set & flag))
      settings_set_value (&self->settings, flag, settings_value (s, flag));
  }
  GST_OBJECT_UNLOCK (self);
}

void
gst_rnn_settings_check_swap (GstRnn * self, const RnnModel * model,
    const gchar * path, const RnnRunConfig * cfg)
{
  const RnnModelSettings *ms = rnn_model_get_settings (model);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (settings_table); i++) {
    const GstRnnModelSetting *e = &settings_table[i];

    if ((ms->set & e->flag) && setting_applies (e->flag,
            (GstRnnMode) cfg->mode)
        && config_value (cfg, e->flag) != file_value (ms, e->flag))
      gst_rnn_setting_differs (self, e, path, file_value (ms, e->flag),
          config_value (cfg, e->flag), "a model swapped in while running "
          "keeps the configuration; set it in the READY state to use its "
          "settings");
  }
}

void
gst_rnn_warn_ignored_keys (GstRnn * self, const RnnModel * model,
    const gchar * path)
{
  const char *const *keys = rnn_model_get_ignored_keys (model);
  gchar *list;

  if (keys == NULL)
    return;
  list = g_strjoinv ("', '", (gchar **) keys);
  GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
      ("Model \"%s\": metadata key(s) '%s' unknown to this version of the "
          "rnn element, ignored (a misspelt key does nothing).", path, list),
      ("keys known: see 'rnn-inspect --keys' or docs/model-file.md, "
          "\"The model file\""));
  g_free (list);
}

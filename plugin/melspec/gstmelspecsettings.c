/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: its properties, their enumerations, and the
 * model file that can carry them (rnn.frontend.* metadata).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "gstmelspec-private.h"
#include "rnn.h"

#define DEFAULT_SAMPLE_RATE 0
#define DEFAULT_N_FFT 400
#define DEFAULT_WIN_LENGTH 0
#define DEFAULT_HOP_LENGTH 160
#define DEFAULT_N_MELS 40
#define DEFAULT_F_MIN 0.0
#define DEFAULT_F_MAX 0.0
#define DEFAULT_WINDOW GST_MELSPEC_WINDOW_HANN
#define DEFAULT_POWER 2.0
#define DEFAULT_MEL_SCALE GST_MELSPEC_MEL_SCALE_HTK
#define DEFAULT_NORM GST_MELSPEC_NORM_NONE
#define DEFAULT_LOG GST_MELSPEC_LOG_NONE
#define DEFAULT_LOG_OFFSET 1e-6
#define DEFAULT_N_MFCC 0
#define DEFAULT_PRESET GST_MELSPEC_PRESET_NONE

#define FRONTEND_KEY "rnn.frontend"
#define FRONTEND_PREFIX "rnn.frontend."

/* ------------------------------------------------------- enumerations */

#define DEFINE_ENUM(fn, name, ...)                                      \
GType                                                                   \
fn (void)                                                               \
{                                                                       \
  static GType type = 0;                                                \
  static const GEnumValue values[] = { __VA_ARGS__, {0, NULL, NULL} };  \
  if (g_once_init_enter (&type)) {                                      \
    GType t = g_enum_register_static (name, values);                    \
    g_once_init_leave (&type, t);                                       \
  }                                                                     \
  return type;                                                          \
}

DEFINE_ENUM (gst_melspec_window_get_type, "GstMelspecWindow",
    {GST_MELSPEC_WINDOW_HANN, "Periodic Hann (torch.hann_window)", "hann"},
    {GST_MELSPEC_WINDOW_HAMMING, "Periodic Hamming (torch.hamming_window)",
        "hamming"},
    {GST_MELSPEC_WINDOW_POVEY, "Kaldi's povey: symmetric Hann to the power "
          "0.85", "povey"});

DEFINE_ENUM (gst_melspec_mel_scale_get_type, "GstMelspecMelScale",
    {GST_MELSPEC_MEL_SCALE_HTK, "HTK: 2595 log10 (1 + f / 700)", "htk"},
    {GST_MELSPEC_MEL_SCALE_SLANEY, "Slaney: linear below 1 kHz, "
          "logarithmic above", "slaney"});

DEFINE_ENUM (gst_melspec_norm_get_type, "GstMelspecNorm",
    {GST_MELSPEC_NORM_NONE, "Triangles of height 1", "none"},
    {GST_MELSPEC_NORM_SLANEY, "Triangles of area 1 (divided by their "
          "width in Hz / 2)", "slaney"});

DEFINE_ENUM (gst_melspec_log_get_type, "GstMelspecLog",
    {GST_MELSPEC_LOG_NONE, "Linear mel energies", "none"},
    {GST_MELSPEC_LOG_LN, "ln (x + log-offset); with preset=kaldi-fbank "
          "ln (max (x, FLT_EPSILON))", "ln"},
    {GST_MELSPEC_LOG_DB, "10 log10 (max (x, 1e-10)): torchaudio's "
          "AmplitudeToDB() without top_db", "db"});

DEFINE_ENUM (gst_melspec_preset_get_type, "GstMelspecPreset",
    {GST_MELSPEC_PRESET_NONE, "torchaudio's MelSpectrogram / MFCC with "
          "center=False", "none"},
    {GST_MELSPEC_PRESET_KALDI_FBANK, "torchaudio.compliance.kaldi.fbank "
          "with dither=0: win-length frames (snip_edges), DC removal, "
          "pre-emphasis 0.97, povey window, FFT of the next power of two, "
          "Kaldi's mel banks; properties left unset take fbank's defaults "
          "(23 bands from 20 Hz, ln, 25 ms frames every 10 ms)",
        "kaldi-fbank"});

/* ---------------------------------------------------------- properties */

void
gst_melspec_params_init (GstMelspecParams * p)
{
  memset (p, 0, sizeof (*p));
  p->sample_rate = DEFAULT_SAMPLE_RATE;
  p->n_fft = DEFAULT_N_FFT;
  p->win_length = DEFAULT_WIN_LENGTH;
  p->hop_length = DEFAULT_HOP_LENGTH;
  p->n_mels = DEFAULT_N_MELS;
  p->n_mfcc = DEFAULT_N_MFCC;
  p->f_min = DEFAULT_F_MIN;
  p->f_max = DEFAULT_F_MAX;
  p->power = DEFAULT_POWER;
  p->log_offset = DEFAULT_LOG_OFFSET;
  p->window = DEFAULT_WINDOW;
  p->mel_scale = DEFAULT_MEL_SCALE;
  p->norm = DEFAULT_NORM;
  p->log = DEFAULT_LOG;
  p->preset = DEFAULT_PRESET;
}

void
gst_melspec_install_properties (GObjectClass * klass)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;
  GParamSpec *props[N_PROPS] = { NULL, };

  props[PROP_SAMPLE_RATE] = g_param_spec_int ("sample-rate", "Sample rate",
      "The only input rate accepted, in Hz (0: any)", 0, G_MAXINT,
      DEFAULT_SAMPLE_RATE, rw);
  props[PROP_N_FFT] = g_param_spec_int ("n-fft", "FFT size",
      "Samples per frame and FFT size", 2, 1 << 20, DEFAULT_N_FFT, rw);
  props[PROP_WIN_LENGTH] = g_param_spec_int ("win-length", "Window length",
      "Window length in samples (0: n-fft)",
      0, 1 << 20, DEFAULT_WIN_LENGTH, rw);
  props[PROP_HOP_LENGTH] = g_param_spec_int ("hop-length", "Hop length",
      "Samples between the starts of consecutive frames",
      1, G_MAXINT, DEFAULT_HOP_LENGTH, rw);
  props[PROP_N_MELS] = g_param_spec_int ("n-mels", "Mel bands",
      "Number of mel filters",
      1, 4096, DEFAULT_N_MELS, rw);
  props[PROP_F_MIN] = g_param_spec_double ("f-min", "Lowest frequency",
      "Lower edge of the first mel filter in Hz", 0, G_MAXDOUBLE,
      DEFAULT_F_MIN, rw);
  props[PROP_F_MAX] = g_param_spec_double ("f-max", "Highest frequency",
      "Upper edge of the last mel filter in Hz (0: half the rate)", 0,
      G_MAXDOUBLE, DEFAULT_F_MAX, rw);
  props[PROP_WINDOW] = g_param_spec_enum ("window", "Window",
      "Window function", GST_TYPE_MELSPEC_WINDOW, DEFAULT_WINDOW, rw);
  props[PROP_POWER] = g_param_spec_double ("power", "Power",
      "Exponent of the magnitude spectrum (1: magnitude, 2: power)",
      1e-6, 1e6, DEFAULT_POWER, rw);
  props[PROP_MEL_SCALE] = g_param_spec_enum ("mel-scale", "Mel scale",
      "Mel scale of the filter bank", GST_TYPE_MELSPEC_MEL_SCALE,
      DEFAULT_MEL_SCALE, rw);
  props[PROP_NORM] = g_param_spec_enum ("norm", "Filter normalisation",
      "Normalisation of the mel filters", GST_TYPE_MELSPEC_NORM,
      DEFAULT_NORM, rw);
  props[PROP_LOG] = g_param_spec_enum ("log", "Log",
      "Logarithm applied to the mel energies",
      GST_TYPE_MELSPEC_LOG,
      DEFAULT_LOG, rw);
  props[PROP_LOG_OFFSET] = g_param_spec_double ("log-offset", "Log offset",
      "Added to the mel energies before log=ln", 0, G_MAXDOUBLE,
      DEFAULT_LOG_OFFSET, rw);
  props[PROP_N_MFCC] = g_param_spec_int ("n-mfcc", "MFCCs",
      "Number of MFCCs to output (0: the mel bands)", 0, 4096, DEFAULT_N_MFCC, rw);
  props[PROP_PRESET] = g_param_spec_enum ("preset", "Preset",
      "Framing and maths of a reference implementation",
      GST_TYPE_MELSPEC_PRESET, DEFAULT_PRESET, rw);
  props[PROP_MODEL] = g_param_spec_string ("model", "Model file",
      "A safetensors model whose rnn.frontend.* metadata sets the other "
      "properties", NULL, rw);
  props[PROP_TIMESTAMP_TOLERANCE] = g_param_spec_int64 ("timestamp-tolerance",
      "Timestamp tolerance", "Largest timestamp deviation in ns that is not "
      "a discontinuity (-1: half a sample)", -1, G_MAXINT64,
      GST_MELSPEC_TIMESTAMP_TOLERANCE, G_PARAM_READWRITE |
      G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  props[PROP_TIMESTAMP_POLICY] = g_param_spec_enum ("timestamp-policy",
      "Timestamp policy", "Where a buffer is expected to start and how "
      "frames are stamped",
      GST_TYPE_RNN_TIMESTAMP_POLICY, GST_MELSPEC_TIMESTAMP_POLICY,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_properties (klass, N_PROPS, props);

  gst_type_mark_as_plugin_api (GST_TYPE_MELSPEC_WINDOW, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MELSPEC_MEL_SCALE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MELSPEC_NORM, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MELSPEC_LOG, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_MELSPEC_PRESET, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_TIMESTAMP_POLICY, 0);
}

/* Store @value of front-end property @prop_id in @p. */
static void
params_set (GstMelspecParams * p, guint prop_id, const GValue * value)
{
  switch (prop_id) {
    case PROP_SAMPLE_RATE:
      p->sample_rate = g_value_get_int (value);
      break;
    case PROP_N_FFT:
      p->n_fft = g_value_get_int (value);
      break;
    case PROP_WIN_LENGTH:
      p->win_length = g_value_get_int (value);
      break;
    case PROP_HOP_LENGTH:
      p->hop_length = g_value_get_int (value);
      break;
    case PROP_N_MELS:
      p->n_mels = g_value_get_int (value);
      break;
    case PROP_F_MIN:
      p->f_min = g_value_get_double (value);
      break;
    case PROP_F_MAX:
      p->f_max = g_value_get_double (value);
      break;
    case PROP_WINDOW:
      p->window = g_value_get_enum (value);
      break;
    case PROP_POWER:
      p->power = g_value_get_double (value);
      break;
    case PROP_MEL_SCALE:
      p->mel_scale = g_value_get_enum (value);
      break;
    case PROP_NORM:
      p->norm = g_value_get_enum (value);
      break;
    case PROP_LOG:
      p->log = g_value_get_enum (value);
      break;
    case PROP_LOG_OFFSET:
      p->log_offset = g_value_get_double (value);
      break;
    case PROP_N_MFCC:
      p->n_mfcc = g_value_get_int (value);
      break;
    case PROP_PRESET:
      p->preset = g_value_get_enum (value);
      break;
    default:
      g_assert_not_reached ();
  }
}

static void
params_get (const GstMelspecParams * p, guint prop_id, GValue * value)
{
  switch (prop_id) {
    case PROP_SAMPLE_RATE:
      g_value_set_int (value, p->sample_rate);
      break;
    case PROP_N_FFT:
      g_value_set_int (value, p->n_fft);
      break;
    case PROP_WIN_LENGTH:
      g_value_set_int (value, p->win_length);
      break;
    case PROP_HOP_LENGTH:
      g_value_set_int (value, p->hop_length);
      break;
    case PROP_N_MELS:
      g_value_set_int (value, p->n_mels);
      break;
    case PROP_F_MIN:
      g_value_set_double (value, p->f_min);
      break;
    case PROP_F_MAX:
      g_value_set_double (value, p->f_max);
      break;
    case PROP_WINDOW:
      g_value_set_enum (value, p->window);
      break;
    case PROP_POWER:
      g_value_set_double (value, p->power);
      break;
    case PROP_MEL_SCALE:
      g_value_set_enum (value, p->mel_scale);
      break;
    case PROP_NORM:
      g_value_set_enum (value, p->norm);
      break;
    case PROP_LOG:
      g_value_set_enum (value, p->log);
      break;
    case PROP_LOG_OFFSET:
      g_value_set_double (value, p->log_offset);
      break;
    case PROP_N_MFCC:
      g_value_set_int (value, p->n_mfcc);
      break;
    case PROP_PRESET:
      g_value_set_enum (value, p->preset);
      break;
    default:
      g_assert_not_reached ();
  }
}

/* @pspec (GST_PARAM_MUTABLE_READY) set to @value in PAUSED or PLAYING:
 * the configuration is made at start, so the value is refused, with a
 * WARNING, and the one in force is still what the property reads.  Any
 * thread, without the object lock. */
static void
refuse_running (GstMelspec * self, GParamSpec * pspec, const GValue * value)
{
  gchar *v = g_strdup_value_contents (value);

  GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
      ("%s=%s ignored: melspec's %s can only be changed in the NULL or "
          "READY state; the value in force stays until the next start",
          pspec->name, v, pspec->name), ("state %s",
          gst_element_state_get_name (GST_STATE (self))));
  g_free (v);
}

void
gst_melspec_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstMelspec *self = GST_MELSPEC (object);

  if (prop_id == 0 || prop_id >= N_PROPS) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  GST_OBJECT_LOCK (self);
  if ((pspec->flags & GST_PARAM_MUTABLE_READY)
      && GST_STATE (self) > GST_STATE_READY) {
    GST_OBJECT_UNLOCK (self);
    refuse_running (self, pspec, value);
    return;
  }
  if (prop_id == PROP_MODEL) {
    g_free (self->model);
    self->model = g_value_dup_string (value);
  } else if (prop_id == PROP_TIMESTAMP_TOLERANCE) {
    self->ts_tolerance = g_value_get_int64 (value);
  } else if (prop_id == PROP_TIMESTAMP_POLICY) {
    self->ts_policy = g_value_get_enum (value);
  } else {
    params_set (&self->settings, prop_id, value);
    self->explicit_props |= 1u << prop_id;
  }
  GST_OBJECT_UNLOCK (self);
}

void
gst_melspec_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstMelspec *self = GST_MELSPEC (object);

  if (prop_id == 0 || prop_id >= N_PROPS) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  GST_OBJECT_LOCK (self);
  if (prop_id == PROP_MODEL)
    g_value_set_string (value, self->model);
  else if (prop_id == PROP_TIMESTAMP_TOLERANCE)
    g_value_set_int64 (value, self->ts_tolerance);
  else if (prop_id == PROP_TIMESTAMP_POLICY)
    g_value_set_enum (value, self->ts_policy);
  else
    params_get (&self->settings, prop_id, value);
  GST_OBJECT_UNLOCK (self);
}

/* --------------------------------------------------------- model file */

/* Apply one rnn.frontend.<name> = @text of @file to @p: the text must
 * parse as the property's type and range, and agree with an explicitly
 * set property.  A name that is not one of melspec's own front-end
 * properties (a later version's key, a misspelling, GstObject's "name",
 * "model") sets nothing: it is added to @ignored. */
static gboolean
apply_key (GstMelspec * self, const gchar * file, const gchar * key,
    const gchar * text, const GstMelspecParams * explicit_values,
    guint explicit_props, GstMelspecParams * p, guint * model_props,
    GPtrArray * ignored, GError ** error)
{
  const gchar *name = key + strlen (FRONTEND_PREFIX);
  GParamSpec *pspec =
      g_object_class_find_property (G_OBJECT_GET_CLASS (self), name);
  GValue v = G_VALUE_INIT, mine = G_VALUE_INIT;
  gboolean ok = FALSE;

  if (!pspec || pspec->owner_type != GST_TYPE_MELSPEC
      || pspec->param_id >= PROP_MODEL) {
    g_ptr_array_add (ignored, (gpointer) key);
    return TRUE;
  }
  g_value_init (&v, pspec->value_type);
  g_value_init (&mine, pspec->value_type);
  if (!gst_value_deserialize (&v, text) || g_param_value_validate (pspec, &v)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "%s: metadata %s = \"%s\" is not a valid value of property %s",
        file, key, text, name);
    goto done;
  }
  params_get (explicit_values, pspec->param_id, &mine);
  if ((explicit_props & (1u << pspec->param_id))
      && gst_value_compare (&v, &mine) != GST_VALUE_EQUAL) {
    g_autofree gchar *s = gst_value_serialize (&mine);

    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "property %s=%s conflicts with %s = \"%s\" in %s (leave %s unset to "
        "take the model's value)", name, s, key, text, file, name);
    goto done;
  }
  params_set (p, pspec->param_id, &v);
  *model_props |= 1u << pspec->param_id;
  GST_INFO_OBJECT (self, "%s: %s=%s", file, name, text);
  ok = TRUE;
done:
  g_value_unset (&v);
  g_value_unset (&mine);
  return ok;
}

/* @p from the rnn.frontend.* metadata of @file over @explicit_values;
 * the properties the file sets are added to *@model_props. */
static gboolean
read_model (GstMelspec * self, const gchar * file,
    const GstMelspecParams * explicit_values, guint explicit_props,
    GstMelspecParams * p, guint * model_props, GError ** error)
{
  RnnModel *model = rnn_model_load (file, NULL, error);
  const char *kind;
  gchar **keys;
  GPtrArray *ignored;
  gboolean ok = TRUE;

  if (!model)
    return FALSE;
  kind = rnn_model_get_metadata (model, FRONTEND_KEY);
  if (!kind || strcmp (kind, "melspec") != 0) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        kind ? "%s: metadata " FRONTEND_KEY " is \"%s\", not \"melspec\"" :
        "%s: the model carries no audio front end (no " FRONTEND_KEY
        " metadata): set the melspec properties instead of model", file,
        kind);
    rnn_model_unref (model);
    return FALSE;
  }
  keys = rnn_model_get_metadata_keys (model);
  ignored = g_ptr_array_new ();
  for (gchar ** k = keys; ok && *k; k++) {
    if (g_str_has_prefix (*k, FRONTEND_PREFIX))
      ok = apply_key (self, file, *k, rnn_model_get_metadata (model, *k),
          explicit_values, explicit_props, p, model_props, ignored, error);
  }
  if (ok && ignored->len > 0) {
    gchar *list;

    g_ptr_array_add (ignored, NULL);
    list = g_strjoinv ("', '", (gchar **) ignored->pdata);
    /* as the core and the rnn element do with unknown rnn.* keys: a file
     * of a later version still loads */
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Model \"%s\": metadata key(s) '%s' name no front-end property "
            "of this version of melspec, ignored (a misspelt key does "
            "nothing).", file, list),
        ("the front-end keys are rnn.frontend.<property> for the melspec "
            "properties before 'model' (gst-inspect-1.0 melspec)"));
    g_free (list);
  }
  g_ptr_array_unref (ignored);
  g_strfreev (keys);
  rnn_model_unref (model);
  return ok;
}

/* preset=kaldi-fbank takes torchaudio.compliance.kaldi.fbank's defaults
 * for what neither the user (@set) nor the model file set: 23 bands from
 * 20 Hz, the log (use_log_fbank), frames of 25 ms every 10 ms (made
 * samples at the input rate, see gst_melspec_params_at_rate()). */
static void
kaldi_defaults (GstMelspecParams * p, guint set)
{
#define UNSET(prop) (!(set & (1u << (prop))))
  if (p->preset != GST_MELSPEC_PRESET_KALDI_FBANK)
    return;
  if (UNSET (PROP_N_MELS))
    p->n_mels = GST_MELSPEC_KALDI_N_MELS;
  if (UNSET (PROP_F_MIN))
    p->f_min = GST_MELSPEC_KALDI_F_MIN;
  if (UNSET (PROP_LOG))
    p->log = GST_MELSPEC_LOG_LN;
  if (UNSET (PROP_WINDOW))
    p->window = GST_MELSPEC_WINDOW_POVEY;
  if (UNSET (PROP_N_FFT) && UNSET (PROP_WIN_LENGTH))
    p->frame_ms = GST_MELSPEC_KALDI_FRAME_MS;
  if (UNSET (PROP_HOP_LENGTH))
    p->shift_ms = GST_MELSPEC_KALDI_SHIFT_MS;
#undef UNSET
}

gboolean
gst_melspec_load_params (GstMelspec * self)
{
  GstMelspecParams settings, p;
  guint explicit_props, model_props = 0;
  gchar *model;
  GError *err = NULL;
  gboolean ok = TRUE;

  GST_OBJECT_LOCK (self);
  settings = self->settings;
  explicit_props = self->explicit_props;
  model = g_strdup (self->model);
  GST_OBJECT_UNLOCK (self);

  p = settings;
  if (model && *model) {
    ok = read_model (self, model, &settings, explicit_props, &p,
        &model_props, &err);
    if (!ok)
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Could not take the front-end parameters from model \"%s\": %s",
              model, err->message), ("model=%s", model));
  }
  if (ok)
    kaldi_defaults (&p, explicit_props | model_props);
  if (ok && !gst_melspec_params_check (&p, 0, &err)) {
    ok = FALSE;
    if (model_props)            /* the file's values take part: name it */
      GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s (front-end "
              "parameters from model \"%s\")", err->message, model),
          ("model=%s", model));
    else
      GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", err->message),
          ("model=%s", model ? model : "(none)"));
  }
  if (ok) {
    GST_OBJECT_LOCK (self);     /* the caps query reads the rate */
    self->params = p;
    GST_OBJECT_UNLOCK (self);
  }
  g_clear_error (&err);
  g_free (model);
  return ok;
}

/* GStreamer rnn element: stateful recurrent network inference on streams.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-rnn
 * @title: rnn
 *
 * Runs a recurrent neural network (PyTorch `nn.RNN`, `nn.LSTM` or `nn.GRU`,
 * optionally followed by a `nn.Linear` head) saved as a safetensors file
 * on a stream, one time step per frame, and keeps the hidden state alive
 * from buffer to buffer.  Pushing a sequence as one buffer or as any number
 * of buffers of any sizes gives the same numbers as PyTorch running the
 * whole sequence.
 *
 * ## Caps
 *
 * * `audio/x-raw, format=F32LE, layout=interleaved`: one audio frame is one
 *   time step.  `channels` must be B x F, where F is the model's input size:
 *   the channels carry B independent streams (batch entries) of F features
 *   each.  The output has the same rate and B x O channels, O being the
 *   head's width (or the top layer's width when there is no head).  When
 *   the channel count is not a multiple of F, negotiation fails with an
 *   error naming both numbers.
 *
 * * `other/tensors, format=static, num_tensors=1, types=float32` (the
 *   NNStreamer tensor stream).  Dimensions are written innermost first, as
 *   NNStreamer does.  With #GstRnn:batch-first=false a buffer is (T, B, F)
 *   and `dimensions` is `C:T` (or `C`, `C:1`, `C:T:1:1`) with C = B x F; the
 *   output is `B*O:T`.  With #GstRnn:batch-first=true a buffer is (B, T, F)
 *   and `dimensions` is `F:T:B`; the output is `O:T:B`.  The element
 *   processes any whole number of frames per buffer; the output buffer has
 *   as many frames as the input buffer.  `framerate` is copied.  In caps
 *   strings write `dimensions=(string)4:1`: an untyped `4:1` parses as a
 *   flagset.
 *
 * ## Layout
 *
 * With #GstRnn:batch-first=false (the default) a buffer of T frames is
 * (T, B, F) row-major, which is plain interleaved audio.  With
 * #GstRnn:batch-first=true it is (B, T, F), as PyTorch's
 * `batch_first=True`: each stream's T frames are contiguous.  The output
 * uses the same layout as the input.
 *
 * ## State
 *
 * The hidden state (and the LSTM cell state) starts at zero and is carried
 * from buffer to buffer.  It is reset to zero
 *
 * * on FLUSH_STOP (flushing seek),
 * * on every SEGMENT event (a new segment, e.g. after a seek),
 * * when the caps change,
 * * when the element stops (PAUSED to READY),
 * * on a buffer flagged DISCONT, unless #GstRnn:reset-on-discont is false,
 * * when the application emits the #GstRnn::reset action signal.
 *
 * The first output buffer after a reset carries the DISCONT flag.
 *
 * ## Bidirectional models
 *
 * The reverse direction of a bidirectional model reads the sequence from
 * its end, so it cannot run frame by frame.  Such a model is refused unless
 * #GstRnn:window is set: with window=N the element collects N frames, runs
 * them as one independent sequence (from a zero state) and outputs them,
 * which adds N frames of latency (reported in the LATENCY query).  At EOS,
 * on a DISCONT buffer, a new segment or a caps change, a partial window is
 * run as a shorter sequence; on a flush it is dropped.
 *
 * ## Timestamps
 *
 * Output buffers carry the timestamps, duration and offsets of the input
 * buffer they come from.  In windowed mode an output buffer is one window;
 * its timestamp is the time of the window's first frame.  The element does
 * no QoS by default; enabling the base class's #GstBaseTransform:qos lets
 * it skip late buffers, and the state then misses those frames.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.f32 ! \
 *     rawaudioparse use-sink-caps=false format=pcm pcm-format=f32le \
 *         num-channels=4 sample-rate=100 ! \
 *     rnn model=model.safetensors ! filesink location=out.f32
 * ]| Runs a model with input size 4 (or 2 streams of a model with input
 * size 2) over a raw file of 32-bit floats, 4 per frame, and writes the
 * outputs as raw floats.
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true wave=sine freq=2 \
 *         samplesperbuffer=10 ! \
 *     audio/x-raw,format=F32LE,channels=1,rate=100 ! \
 *     rnn model=model.safetensors ! fakesink
 * ]| Runs a model with input size 1 on a live 100 Hz signal, 10 frames per
 * buffer.
 * |[
 * gst-launch-1.0 filesrc location=in.f32 ! \
 *     audio/x-raw,format=F32LE,layout=interleaved,rate=100,channels=12,channel-mask=(bitmask)0 ! \
 *     queue ! rawaudioparse use-sink-caps=true ! \
 *     rnn model=model.safetensors ! filesink location=out.f32
 * ]| rawaudioparse has no default channel positions beyond 8 channels: for
 * wider frames give it unpositioned caps from upstream.
 * |[
 * gst-launch-1.0 filesrc location=in.f32 ! \
 *     rawaudioparse use-sink-caps=false format=pcm pcm-format=f32le \
 *         num-channels=2 sample-rate=100 ! \
 *     rnn model=bidirectional.safetensors window=50 ! filesink location=out.f32
 * ]| Runs a bidirectional model on independent windows of 50 frames
 * (0.5 s of latency).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstrnn.h"

GST_DEBUG_CATEGORY_STATIC (gst_rnn_debug);
#define GST_CAT_DEFAULT gst_rnn_debug

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define RNN_F32_FORMAT "F32LE"
#else
#define RNN_F32_FORMAT "F32BE"
#endif

#define RNN_CAPS \
  "audio/x-raw, format = (string) " RNN_F32_FORMAT ", " \
  "layout = (string) interleaved, rate = (int) [ 1, MAX ], " \
  "channels = (int) [ 1, MAX ]; " \
  "other/tensors, format = (string) static, num_tensors = (int) 1, " \
  "types = (string) float32, framerate = (fraction) [ 0/1, MAX ]"

/* Frames the state's scratch memory is sized for outside windowed mode;
 * the core splits longer buffers internally. */
#define RNN_STATE_FRAMES 256

enum
{
  SIGNAL_RESET,
  LAST_SIGNAL
};

#define DEFAULT_MODEL NULL
#define DEFAULT_BATCH_FIRST FALSE
#define DEFAULT_MODE GST_RNN_MODE_N_TO_N
#define DEFAULT_RESET_ON_DISCONT TRUE
#define DEFAULT_WINDOW 0

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_BATCH_FIRST,
  PROP_MODE,
  PROP_RESET_ON_DISCONT,
  PROP_WINDOW
};

static guint gst_rnn_signals[LAST_SIGNAL] = { 0 };

static GstStaticPadTemplate gst_rnn_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (RNN_CAPS));

static GstStaticPadTemplate gst_rnn_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (RNN_CAPS));

GType
gst_rnn_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_MODE_N_TO_N, "One output frame per input frame", "n-to-n"},
    {GST_RNN_MODE_N_TO_1, "One output per window of input frames "
          "(not yet supported)", "n-to-1"},
    {GST_RNN_MODE_1_TO_N, "A sequence generated from one input "
          "(not yet supported)", "1-to-n"},
    {GST_RNN_MODE_N_TO_M, "Sequence to sequence, encoder-decoder "
          "(not yet supported)", "n-to-m"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

#define gst_rnn_parent_class parent_class
G_DEFINE_TYPE (GstRnn, gst_rnn, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (rnn, "rnn", GST_RANK_NONE, GST_TYPE_RNN);

static void gst_rnn_finalize (GObject * object);
static void gst_rnn_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_rnn_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

static gboolean gst_rnn_start (GstBaseTransform * trans);
static gboolean gst_rnn_stop (GstBaseTransform * trans);
static GstCaps *gst_rnn_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter);
static GstCaps *gst_rnn_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps);
static gboolean gst_rnn_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps);
static gboolean gst_rnn_transform_size (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, gsize size,
    GstCaps * othercaps, gsize * othersize);
static gboolean gst_rnn_decide_allocation (GstBaseTransform * trans,
    GstQuery * query);
static GstFlowReturn gst_rnn_generate_output (GstBaseTransform * trans,
    GstBuffer ** outbuf);
static GstFlowReturn gst_rnn_transform (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer * outbuf);
static gboolean gst_rnn_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_rnn_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static void gst_rnn_reset_action (GstRnn * self);

static void
gst_rnn_class_init (GstRnnClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_rnn_debug, "rnn", 0,
      "recurrent neural network inference");

  gobject_class->finalize = gst_rnn_finalize;
  gobject_class->set_property = gst_rnn_set_property;
  gobject_class->get_property = gst_rnn_get_property;

  /**
   * GstRnn:model:
   *
   * Path of the safetensors file holding the PyTorch state_dict of an
   * RNN, LSTM or GRU (and an optional Linear head).  Loaded when the
   * element goes from READY to PAUSED; a missing or unusable file makes
   * that state change fail with an error naming the file and the reason.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Path of the safetensors file with the PyTorch RNN/LSTM/GRU "
          "weights (and optional Linear head); loaded on READY->PAUSED, "
          "so it can only be changed in NULL or READY",
          DEFAULT_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:batch-first:
   *
   * Layout of a buffer of T frames: false is (T, B, F), i.e. plain
   * interleaved audio where each frame holds F features of each of the B
   * streams; true is (B, T, F) as PyTorch's `batch_first=True`.  The
   * output uses the same layout.
   */
  g_object_class_install_property (gobject_class, PROP_BATCH_FIRST,
      g_param_spec_boolean ("batch-first", "Batch first",
          "Buffer layout: FALSE = (T, B, F) time-major, plain interleaved "
          "audio; TRUE = (B, T, F), each stream's frames contiguous, as "
          "PyTorch's batch_first=True.  Output uses the same layout",
          DEFAULT_BATCH_FIRST,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:mode:
   *
   * How input frames map to output frames.  Only `n-to-n` (one output
   * frame per input frame) is implemented; selecting another mode makes
   * the element fail to start with a "not yet supported" error.
   */
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "How input frames map to output frames; only n-to-n is "
          "implemented yet, the other modes make the element fail to start",
          GST_TYPE_RNN_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:reset-on-discont:
   *
   * Whether a buffer flagged DISCONT (data was lost or skipped upstream)
   * resets the state to zero before it is processed.  Set to false to carry
   * the state across such gaps.
   */
  g_object_class_install_property (gobject_class, PROP_RESET_ON_DISCONT,
      g_param_spec_boolean ("reset-on-discont", "Reset on discont",
          "Reset the state to zero on a buffer flagged DISCONT; FALSE "
          "carries the state across discontinuities",
          DEFAULT_RESET_ON_DISCONT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:window:
   *
   * Frames per window for a bidirectional model.  A bidirectional model
   * needs the whole sequence, so with 0 it is refused; with N > 0 the
   * element runs it on consecutive independent windows of N frames, each
   * from a zero state, adding N frames of latency.  Ignored for
   * unidirectional models, which run frame by frame.
   */
  g_object_class_install_property (gobject_class, PROP_WINDOW,
      g_param_spec_uint ("window", "Window",
          "Frames per window for a bidirectional model (0 = refuse such "
          "models); each window runs as an independent sequence and adds "
          "its length to the latency.  Ignored for unidirectional models",
          0, G_MAXINT, DEFAULT_WINDOW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn::reset:
   * @rnn: the #GstRnn
   *
   * Action signal: reset the state of every stream to zero before the next
   * buffer is processed.  May be emitted from any thread.  The next output
   * buffer carries the DISCONT flag.
   */
  gst_rnn_signals[SIGNAL_RESET] =
      g_signal_new_class_handler ("reset", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_rnn_reset_action), NULL, NULL, NULL, G_TYPE_NONE, 0);

  gst_element_class_add_static_pad_template (element_class,
      &gst_rnn_src_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_rnn_sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Recurrent neural network", "Filter/Analyzer/Audio",
      "Runs a PyTorch RNN, LSTM or GRU on a stream, one time step per "
      "frame, keeping the state across buffers",
      "gst-rnn developers");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_rnn_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_rnn_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_rnn_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR (gst_rnn_fixate_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_rnn_set_caps);
  trans_class->transform_size = GST_DEBUG_FUNCPTR (gst_rnn_transform_size);
  trans_class->decide_allocation =
      GST_DEBUG_FUNCPTR (gst_rnn_decide_allocation);
  trans_class->generate_output = GST_DEBUG_FUNCPTR (gst_rnn_generate_output);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_rnn_transform);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_rnn_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_rnn_query);
  trans_class->passthrough_on_same_caps = FALSE;

  gst_type_mark_as_plugin_api (GST_TYPE_RNN_MODE, 0);
}

static void
gst_rnn_init (GstRnn * self)
{
  self->model_path = g_strdup (DEFAULT_MODEL);
  self->batch_first = DEFAULT_BATCH_FIRST;
  self->mode = DEFAULT_MODE;
  self->reset_on_discont = DEFAULT_RESET_ON_DISCONT;
  self->window = DEFAULT_WINDOW;
  self->win_pts = GST_CLOCK_TIME_NONE;
  self->win_offset = GST_BUFFER_OFFSET_NONE;
  self->discont_pending = TRUE;
}

static void
gst_rnn_finalize (GObject * object)
{
  GstRnn *self = GST_RNN (object);

  g_free (self->model_path);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static const gchar *
gst_rnn_mode_nick (GstRnnMode mode)
{
  GEnumClass *klass = g_type_class_peek (GST_TYPE_RNN_MODE);
  GEnumValue *value = klass ? g_enum_get_value (klass, mode) : NULL;

  return value ? value->value_nick : "unknown";
}

/* Properties that need a reload or renegotiation only change in NULL or
 * READY.  Call with the object lock held. */
static gboolean
gst_rnn_check_mutable_ready (GstRnn * self, GParamSpec * pspec)
{
  if (GST_STATE (self) > GST_STATE_READY) {
    GST_WARNING_OBJECT (self, "property '%s' can only be changed in the "
        "NULL or READY state; ignoring the new value", pspec->name);
    return FALSE;
  }
  return TRUE;
}

static void
gst_rnn_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRnn *self = GST_RNN (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      if (gst_rnn_check_mutable_ready (self, pspec)) {
        g_free (self->model_path);
        self->model_path = g_value_dup_string (value);
      }
      break;
    case PROP_BATCH_FIRST:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->batch_first = g_value_get_boolean (value);
      break;
    case PROP_MODE:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->mode = g_value_get_enum (value);
      break;
    case PROP_RESET_ON_DISCONT:
      self->reset_on_discont = g_value_get_boolean (value);
      break;
    case PROP_WINDOW:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->window = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_rnn_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstRnn *self = GST_RNN (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model_path);
      break;
    case PROP_BATCH_FIRST:
      g_value_set_boolean (value, self->batch_first);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_RESET_ON_DISCONT:
      g_value_set_boolean (value, self->reset_on_discont);
      break;
    case PROP_WINDOW:
      g_value_set_uint (value, self->window);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ------------------------------------------------------------ state */

static void
gst_rnn_reset_action (GstRnn * self)
{
  GST_INFO_OBJECT (self, "reset requested");
  g_atomic_int_set (&self->reset_requested, 1);
}

/* Zero the state of every stream; the next output is marked DISCONT.
 * Streaming thread (or with the stream lock held). */
static void
gst_rnn_reset_state (GstRnn * self, const gchar * why)
{
  GST_DEBUG_OBJECT (self, "resetting state: %s", why);
  if (self->state)
    rnn_state_reset (self->state);
  self->win_fill = 0;
  self->win_pts = GST_CLOCK_TIME_NONE;
  self->win_offset = GST_BUFFER_OFFSET_NONE;
  self->discont_pending = TRUE;
}

static void
gst_rnn_free_stream (GstRnn * self)
{
  g_clear_pointer (&self->state, rnn_state_free);
  g_clear_pointer (&self->chunk_in, g_free);
  g_clear_pointer (&self->chunk_out, g_free);
  g_clear_pointer (&self->win_in, g_free);
  g_clear_pointer (&self->win_out, g_free);
  gst_buffer_replace (&self->win_inbuf, NULL);
  gst_caps_replace (&self->in_caps, NULL);
  self->win_cursor = 0;
  self->batch = 0;
  self->in_frame_bytes = 0;
  self->out_frame_bytes = 0;
}

static void
gst_rnn_post_load_error (GstRnn * self, const gchar * path, GError * err)
{
  if (g_error_matches (err, RNN_ERROR, RNN_ERROR_IO)) {
    if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
          ("Could not load model \"%s\": %s", path, err->message),
          ("the file does not exist"));
    } else {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not load model \"%s\": %s", path, err->message), (NULL));
    }
  } else {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Could not load model \"%s\": %s", path, err->message),
        ("the file is not a model the rnn core can run (error %d)",
            err->code));
  }
}

static gboolean
gst_rnn_start (GstBaseTransform * trans)
{
  GstRnn *self = GST_RNN (trans);
  GError *err = NULL;
  RnnModel *model;
  gchar *path;
  GstRnnMode mode;
  guint window;
  gboolean batch_first, bidirectional;

  GST_OBJECT_LOCK (self);
  path = g_strdup (self->model_path);
  mode = self->mode;
  window = self->window;
  batch_first = self->batch_first;
  GST_OBJECT_UNLOCK (self);

  if (mode != GST_RNN_MODE_N_TO_N) {
    GST_ELEMENT_ERROR (self, CORE, NOT_IMPLEMENTED,
        ("mode '%s' is not yet supported: only 'n-to-n' is implemented.",
            gst_rnn_mode_nick (mode)), (NULL));
    goto failed;
  }

  if (path == NULL || path[0] == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No model given: set the 'model' property to a safetensors file."),
        (NULL));
    goto failed;
  }

  model = rnn_model_load (path, NULL, &err);
  if (model == NULL) {
    gst_rnn_post_load_error (self, path, err);
    g_clear_error (&err);
    goto failed;
  }

  bidirectional = rnn_model_is_bidirectional (model);
  if (bidirectional && window == 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Model \"%s\" is bidirectional: its reverse direction reads the "
            "sequence from the end, so it needs the whole sequence and "
            "cannot run frame by frame on a stream. Set window=N to run it "
            "on independent windows of N frames (adds N frames of latency).",
            path), (NULL));
    rnn_model_unref (model);
    goto failed;
  }
  if (!bidirectional && window > 0)
    GST_INFO_OBJECT (self, "window=%u ignored: the model is unidirectional "
        "and runs frame by frame", window);

  GST_INFO_OBJECT (self, "loaded \"%s\": %s, input %u, hidden %u, proj %u, "
      "%u layer(s), %s, %s, output %u", path,
      rnn_cell_name (rnn_model_get_cell (model)),
      rnn_model_get_input_size (model), rnn_model_get_hidden_size (model),
      rnn_model_get_proj_size (model), rnn_model_get_num_layers (model),
      bidirectional ? "bidirectional" : "unidirectional",
      rnn_model_has_head (model) ? "with head" : "no head",
      rnn_model_get_output_size (model));

  self->model = model;
  self->cfg_batch_first = batch_first;
  self->discont_pending = TRUE;
  self->win_fill = 0;
  g_atomic_int_set (&self->reset_requested, 0);

  GST_OBJECT_LOCK (self);
  self->in_size = rnn_model_get_input_size (model);
  self->out_size = rnn_model_get_output_size (model);
  self->windowed = bidirectional;
  self->window_frames = bidirectional ? window : 0;
  GST_OBJECT_UNLOCK (self);

  g_free (path);
  return TRUE;

failed:
  g_free (path);
  return FALSE;
}

static gboolean
gst_rnn_stop (GstBaseTransform * trans)
{
  GstRnn *self = GST_RNN (trans);

  GST_OBJECT_LOCK (self);
  self->in_size = 0;
  self->out_size = 0;
  self->windowed = FALSE;
  self->window_frames = 0;
  GST_OBJECT_UNLOCK (self);

  gst_rnn_free_stream (self);
  g_clear_pointer (&self->model, rnn_model_unref);
  self->win_fill = 0;
  self->discont_pending = TRUE;

  return TRUE;
}

/* ------------------------------------------------------------- caps */

/* Parse "C:T:1:1" (innermost first).  Returns FALSE on a malformed
 * string. */
static gboolean
gst_rnn_parse_dims (const gchar * str, guint * dims, guint * rank)
{
  gchar **parts;
  guint i, n;
  gboolean ok = TRUE;

  if (str == NULL)
    return FALSE;
  parts = g_strsplit (str, ":", -1);
  n = g_strv_length (parts);
  if (n == 0 || n > GST_RNN_MAX_DIMS)
    ok = FALSE;
  for (i = 0; ok && i < n; i++) {
    guint64 v;
    gchar *s = g_strstrip (parts[i]);

    if (!g_ascii_string_to_unsigned (s, 10, 1, G_MAXINT, &v, NULL))
      ok = FALSE;
    else
      dims[i] = (guint) v;
  }
  *rank = n;
  g_strfreev (parts);
  return ok;
}

static gchar *
gst_rnn_dims_to_string (const guint * dims, guint rank)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < rank; i++)
    g_string_append_printf (s, "%s%u", i ? ":" : "", dims[i]);
  return g_string_free (s, FALSE);
}

/* Map fixed tensor dimensions across the element.  Returns FALSE when no
 * dimensions on the other side correspond. */
static gboolean
gst_rnn_map_dims (guint * dims, guint * rank, GstPadDirection direction,
    gboolean batch_first, guint in_size, guint out_size, guint window)
{
  guint from = direction == GST_PAD_SINK ? in_size : out_size;
  guint to = direction == GST_PAD_SINK ? out_size : in_size;

  if (batch_first) {
    /* (B, T, F) is F:T:B */
    if (dims[0] != from)
      return FALSE;
    dims[0] = to;
  } else {
    /* (T, B, F) is (B*F):T */
    if (dims[0] % from != 0)
      return FALSE;
    dims[0] = dims[0] / from * to;
  }

  if (window > 0) {
    if (direction != GST_PAD_SINK)
      return FALSE;             /* any T upstream: caller drops the field */
    if (*rank < 2) {
      dims[1] = 1;
      *rank = 2;
    }
    dims[1] = window;
  }
  return TRUE;
}

static GstCaps *
gst_rnn_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstRnn *self = GST_RNN (trans);
  guint in_size, out_size, window;
  gboolean batch_first;
  GstCaps *ret;
  guint i, n;

  GST_OBJECT_LOCK (self);
  in_size = self->in_size;
  out_size = self->out_size;
  window = self->windowed ? self->window_frames : 0;
  batch_first = self->batch_first;
  GST_OBJECT_UNLOCK (self);

  if (gst_caps_is_any (caps)) {
    GstPad *other = direction == GST_PAD_SINK ?
        GST_BASE_TRANSFORM_SRC_PAD (trans) :
        GST_BASE_TRANSFORM_SINK_PAD (trans);
    ret = gst_pad_get_pad_template_caps (other);
    goto done;
  }

  ret = gst_caps_new_empty ();
  n = gst_caps_get_size (caps);
  for (i = 0; i < n; i++) {
    const GstStructure *s = gst_caps_get_structure (caps, i);
    GstStructure *ns = gst_structure_copy (s);

    if (gst_structure_has_name (s, "audio/x-raw")) {
      gint channels, other = -1;

      gst_structure_remove_field (ns, "channel-mask");
      if (in_size > 0 && gst_structure_get_int (s, "channels", &channels)
          && channels > 0) {
        if (direction == GST_PAD_SINK) {
          /* Not a multiple: leave the output open so that set_caps runs
           * and says which numbers clash. */
          if (channels % in_size == 0)
            other = channels / in_size * out_size;
        } else {
          if (channels % out_size != 0) {
            gst_structure_free (ns);
            continue;
          }
          other = channels / out_size * in_size;
        }
      }
      if (other > 0) {
        gst_structure_set (ns, "channels", G_TYPE_INT, other, NULL);
        if (other > 2)
          gst_structure_set (ns, "channel-mask", GST_TYPE_BITMASK,
              (guint64) 0, NULL);
      } else {
        gst_structure_set (ns, "channels", GST_TYPE_INT_RANGE, 1, G_MAXINT,
            NULL);
      }
    } else if (gst_structure_has_name (s, "other/tensors")) {
      const gchar *str = gst_structure_get_string (s, "dimensions");
      guint dims[GST_RNN_MAX_DIMS], rank;

      if (in_size > 0 && str && gst_rnn_parse_dims (str, dims, &rank)) {
        if (gst_rnn_map_dims (dims, &rank, direction, batch_first, in_size,
                out_size, window)) {
          gchar *d = gst_rnn_dims_to_string (dims, rank);
          gst_structure_set (ns, "dimensions", G_TYPE_STRING, d, NULL);
          g_free (d);
        } else if (direction == GST_PAD_SRC && window == 0) {
          gst_structure_free (ns);
          continue;
        } else {
          gst_structure_remove_field (ns, "dimensions");
        }
      } else {
        gst_structure_remove_field (ns, "dimensions");
      }
    } else {
      gst_structure_free (ns);
      continue;
    }
    ret = gst_caps_merge_structure (ret, ns);
  }

done:
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, ret,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (ret);
    ret = tmp;
  }
  GST_DEBUG_OBJECT (self, "%s caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, ret);
  return ret;
}

static GstCaps *
gst_rnn_fixate_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * othercaps)
{
  GstStructure *s;
  gint channels;

  othercaps = gst_caps_truncate (othercaps);
  othercaps = gst_caps_make_writable (othercaps);
  othercaps = gst_caps_fixate (othercaps);

  /* More than two channels of unpositioned audio need an explicit zero
   * channel-mask for GstAudioInfo-based peers. */
  s = gst_caps_get_structure (othercaps, 0);
  if (gst_structure_has_name (s, "audio/x-raw")
      && gst_structure_get_int (s, "channels", &channels) && channels > 2
      && !gst_structure_has_field (s, "channel-mask"))
    gst_structure_set (s, "channel-mask", GST_TYPE_BITMASK, (guint64) 0,
        NULL);

  return othercaps;
}

static gboolean
gst_rnn_parse_format (GstCaps * caps, GstRnnFormat * fmt)
{
  const GstStructure *s;

  memset (fmt, 0, sizeof (*fmt));
  fmt->steps_d = 1;
  if (caps == NULL || gst_caps_get_size (caps) < 1)
    return FALSE;
  s = gst_caps_get_structure (caps, 0);

  if (gst_structure_has_name (s, "audio/x-raw")) {
    gint channels, rate;

    if (!gst_structure_get_int (s, "channels", &channels)
        || !gst_structure_get_int (s, "rate", &rate) || channels <= 0
        || rate <= 0)
      return FALSE;
    fmt->width = channels;
    fmt->steps_n = rate;
    fmt->steps_d = 1;
    return TRUE;
  }

  if (gst_structure_has_name (s, "other/tensors")) {
    gint fps_n = 0, fps_d = 1;
    guint frames;

    fmt->tensors = TRUE;
    if (!gst_rnn_parse_dims (gst_structure_get_string (s, "dimensions"),
            fmt->dims, &fmt->rank))
      return FALSE;
    fmt->width = fmt->dims[0];
    frames = fmt->rank > 1 ? fmt->dims[1] : 1;
    if (gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d)
        && fps_n > 0 && fps_d > 0 && (guint64) fps_n * frames <= G_MAXINT) {
      fmt->steps_n = fps_n * frames;
      fmt->steps_d = fps_d;
    }
    return TRUE;
  }
  return FALSE;
}

static gboolean
gst_rnn_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstRnn *self = GST_RNN (trans);
  GstRnnFormat in, out;
  guint F, O, B, window, max_frames, expect;
  gboolean bf = self->cfg_batch_first;
  GError *err = NULL;
  gboolean windowed;

  if (self->model == NULL)
    return FALSE;

  if (self->in_caps && self->state && gst_caps_is_equal (incaps,
          self->in_caps)) {
    GST_DEBUG_OBJECT (self, "same caps, keeping the state");
    return TRUE;
  }

  F = rnn_model_get_input_size (self->model);
  O = rnn_model_get_output_size (self->model);
  GST_OBJECT_LOCK (self);
  windowed = self->windowed;
  window = self->window_frames;
  GST_OBJECT_UNLOCK (self);

  if (!gst_rnn_parse_format (incaps, &in)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Could not parse the input caps (tensor dimensions must be a "
            "string such as dimensions=(string)4:1)."),
        ("in %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }

  if (in.tensors && bf) {
    guint i;

    if (in.width != F) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Input tensor's innermost dimension is %u but the model's input "
              "size is %u (batch-first tensors are F:T:B).", in.width, F),
          (NULL));
      return FALSE;
    }
    B = 1;
    for (i = 2; i < in.rank; i++)
      B *= in.dims[i];
    expect = O;
  } else {
    if (in.width % F != 0) {
      if (in.tensors)
        GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
            ("Input tensor's innermost dimension %u is not a multiple of the "
                "model's input size %u (it must be B x %u for B streams).",
                in.width, F, F), (NULL));
      else
        GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
            ("Input has %u channels, which is not a multiple of the model's "
                "input size %u (channels must be B x %u for B streams).",
                in.width, F, F), (NULL));
      return FALSE;
    }
    B = in.width / F;
    expect = B * O;
  }

  if (!gst_rnn_parse_format (outcaps, &out)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Could not parse the output caps."),
        ("out %" GST_PTR_FORMAT, outcaps));
    return FALSE;
  }
  if (out.width != expect || out.tensors != in.tensors) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Output caps have width %u but %u streams of the model's output "
            "size %u need %u.", out.width, B, O, B * O),
        ("out %" GST_PTR_FORMAT, outcaps));
    return FALSE;
  }

  gst_rnn_free_stream (self);

  max_frames = windowed ? window : RNN_STATE_FRAMES;
  self->state = rnn_state_new (self->model, B, max_frames, &err);
  if (self->state == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
        ("Could not create the state for %u streams: %s", B, err->message),
        (NULL));
    g_clear_error (&err);
    return FALSE;
  }

  self->batch = B;
  GST_OBJECT_LOCK (self);
  self->in_fmt = in;
  GST_OBJECT_UNLOCK (self);
  self->in_frame_bytes = (gsize) B * F * sizeof (float);
  self->out_frame_bytes = (gsize) B * O * sizeof (float);
  self->chunk_frames = max_frames;
  self->chunk_in = g_new (float, (gsize) max_frames * B * F);
  self->chunk_out = g_new (float, (gsize) max_frames * B * O);
  if (windowed) {
    self->win_in = g_new (float, (gsize) window * B * F);
    self->win_out = g_new (float, (gsize) window * B * O);
  }
  self->in_caps = gst_caps_ref (incaps);

  gst_rnn_reset_state (self, "caps changed");

  GST_INFO_OBJECT (self, "%u stream(s) of %u -> %u floats per frame, %s, "
      "%d/%d steps/s%s", B, F, O, bf ? "(B, T, F)" : "(T, B, F)",
      in.steps_n, in.steps_d, windowed ? ", windowed" : "");
  return TRUE;
}

static gboolean
gst_rnn_transform_size (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, gsize size, GstCaps * othercaps, gsize * othersize)
{
  GstRnn *self = GST_RNN (trans);
  gsize unit = direction == GST_PAD_SINK ?
      self->in_frame_bytes : self->out_frame_bytes;
  gsize other = direction == GST_PAD_SINK ?
      self->out_frame_bytes : self->in_frame_bytes;

  if (unit == 0 || size % unit != 0)
    return FALSE;
  *othersize = size / unit * other;
  return TRUE;
}

static gboolean
gst_rnn_decide_allocation (GstBaseTransform * trans, GstQuery * query)
{
  /* Output buffers follow the input buffers' sizes: a downstream pool of
   * fixed-size buffers does not fit, allocate with the allocator only. */
  while (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_remove_nth_allocation_pool (query, 0);

  return GST_BASE_TRANSFORM_CLASS (parent_class)->decide_allocation (trans,
      query);
}

/* ------------------------------------------------------------ buffers */

/* Copy @n frames of @B streams of @W floats from @src (a block of @src_T
 * frames, layout @src_bf, starting at frame @src_t) to @dst (block of @dst_T
 * frames, layout @dst_bf, starting at @dst_t).  Byte pointers: either side
 * may be unaligned. */
static void
gst_rnn_copy_frames (guint8 * dst, gsize dst_T, gsize dst_t, gboolean dst_bf,
    const guint8 * src, gsize src_T, gsize src_t, gboolean src_bf,
    gsize n, guint B, guint W)
{
  gsize fb = (gsize) W * sizeof (float);
  gsize t;
  guint b;

  if (!dst_bf && !src_bf) {
    memcpy (dst + dst_t * B * fb, src + src_t * B * fb, n * B * fb);
  } else if (dst_bf && src_bf) {
    for (b = 0; b < B; b++)
      memcpy (dst + (b * dst_T + dst_t) * fb, src + (b * src_T + src_t) * fb,
          n * fb);
  } else {
    for (t = 0; t < n; t++) {
      for (b = 0; b < B; b++) {
        gsize di = dst_bf ? b * dst_T + dst_t + t : (dst_t + t) * B + b;
        gsize si = src_bf ? b * src_T + src_t + t : (src_t + t) * B + b;
        memcpy (dst + di * fb, src + si * fb, fb);
      }
    }
  }
}

static GstFlowReturn
gst_rnn_run_failed (GstRnn * self, GError * err)
{
  GST_ELEMENT_ERROR (self, STREAM, FAILED,
      ("The model failed to run: %s", err ? err->message : "unknown error"),
      (NULL));
  g_clear_error (&err);
  return GST_FLOW_ERROR;
}

/* Checks and resets due at the start of an input buffer. */
static GstFlowReturn
gst_rnn_begin_buffer (GstRnn * self, GstBuffer * inbuf, gboolean * reset)
{
  gsize size = gst_buffer_get_size (inbuf);
  gboolean reset_on_discont;

  *reset = FALSE;
  if (self->state == NULL || self->in_frame_bytes == 0)
    return GST_FLOW_NOT_NEGOTIATED;

  if (size % self->in_frame_bytes != 0) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
            "frames: one frame is %u stream(s) x %u floats = %" G_GSIZE_FORMAT
            " bytes.", size, self->batch,
            rnn_model_get_input_size (self->model), self->in_frame_bytes),
        (NULL));
    return GST_FLOW_ERROR;
  }

  GST_OBJECT_LOCK (self);
  reset_on_discont = self->reset_on_discont;
  GST_OBJECT_UNLOCK (self);

  if (g_atomic_int_compare_and_exchange (&self->reset_requested, 1, 0)) {
    GST_INFO_OBJECT (self, "resetting on the reset signal");
    *reset = TRUE;
  }
  if (GST_BUFFER_IS_DISCONT (inbuf)) {
    if (reset_on_discont) {
      GST_DEBUG_OBJECT (self, "DISCONT buffer: resetting");
      *reset = TRUE;
    } else {
      GST_DEBUG_OBJECT (self, "DISCONT buffer: keeping the state");
    }
  }
  return GST_FLOW_OK;
}

/* Run @n frames through the state.  Falls back to the aligned scratch
 * buffers when the memory is not float-aligned. */
static gboolean
gst_rnn_process (GstRnn * self, const guint8 * in, guint8 * out, gsize n,
    GError ** err)
{
  RnnRunFlags flags = self->cfg_batch_first ? RNN_RUN_BATCH_FIRST : 0;
  guint B = self->batch;
  guint F = rnn_model_get_input_size (self->model);
  guint O = rnn_model_get_output_size (self->model);
  gsize t;

  if (n == 0)
    return TRUE;
  if (((guintptr) in % G_ALIGNOF (float)) == 0
      && ((guintptr) out % G_ALIGNOF (float)) == 0)
    return rnn_state_process (self->state, (const float *) in, n, flags,
        (float *) out, err);

  GST_LOG_OBJECT (self, "unaligned memory, going through scratch");
  for (t = 0; t < n; t += self->chunk_frames) {
    gsize k = MIN (self->chunk_frames, n - t);

    gst_rnn_copy_frames ((guint8 *) self->chunk_in, k, 0,
        self->cfg_batch_first, in, n, t, self->cfg_batch_first, k, B, F);
    if (!rnn_state_process (self->state, self->chunk_in, k, flags,
            self->chunk_out, err))
      return FALSE;
    gst_rnn_copy_frames (out, n, t, self->cfg_batch_first,
        (const guint8 *) self->chunk_out, k, 0, self->cfg_batch_first, k, B,
        O);
  }
  return TRUE;
}

static GstFlowReturn
gst_rnn_transform (GstBaseTransform * trans, GstBuffer * inbuf,
    GstBuffer * outbuf)
{
  GstRnn *self = GST_RNN (trans);
  GstMapInfo inmap, outmap;
  GError *err = NULL;
  gsize n;
  gboolean ok;

  if (!gst_buffer_map (inbuf, &inmap, GST_MAP_READ))
    goto map_failed;
  if (!gst_buffer_map (outbuf, &outmap, GST_MAP_WRITE)) {
    gst_buffer_unmap (inbuf, &inmap);
    goto map_failed;
  }

  n = inmap.size / self->in_frame_bytes;
  g_assert (outmap.size == n * self->out_frame_bytes);

  ok = gst_rnn_process (self, inmap.data, outmap.data, n, &err);

  gst_buffer_unmap (outbuf, &outmap);
  gst_buffer_unmap (inbuf, &inmap);

  if (!ok)
    return gst_rnn_run_failed (self, err);

  if (self->discont_pending) {
    GST_BUFFER_FLAG_SET (outbuf, GST_BUFFER_FLAG_DISCONT);
    self->discont_pending = FALSE;
  }
  GST_LOG_OBJECT (self, "processed %" G_GSIZE_FORMAT " frame(s) at %"
      GST_TIME_FORMAT, n, GST_TIME_ARGS (GST_BUFFER_PTS (inbuf)));
  return GST_FLOW_OK;

map_failed:
  GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
      (NULL));
  return GST_FLOW_ERROR;
}

/* Duration of @frames time steps, or NONE when the rate is unknown. */
static GstClockTime
gst_rnn_frames_to_time (GstRnn * self, guint64 frames)
{
  if (self->in_fmt.steps_n <= 0)
    return GST_CLOCK_TIME_NONE;
  return gst_util_uint64_scale (frames, GST_SECOND * self->in_fmt.steps_d,
      self->in_fmt.steps_n);
}

/* Run the collected (possibly partial) window as one independent sequence
 * and wrap the result in a new buffer. */
static GstFlowReturn
gst_rnn_finish_window (GstRnn * self, GstBuffer ** outbuf)
{
  guint B = self->batch;
  guint O = rnn_model_get_output_size (self->model);
  gsize n = self->win_fill;
  GError *err = NULL;
  GstMapInfo map;
  GstBuffer *buf;

  *outbuf = NULL;
  if (n == 0)
    return GST_FLOW_OK;

  rnn_state_reset (self->state);
  if (!rnn_state_process_window (self->state, self->win_in, n, RNN_RUN_NONE,
          self->win_out, &err))
    return gst_rnn_run_failed (self, err);

  buf = gst_buffer_new_allocate (NULL, n * self->out_frame_bytes, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  gst_rnn_copy_frames (map.data, n, 0, self->cfg_batch_first,
      (const guint8 *) self->win_out, n, 0, FALSE, n, B, O);
  gst_buffer_unmap (buf, &map);

  GST_BUFFER_PTS (buf) = self->win_pts;
  GST_BUFFER_DURATION (buf) = gst_rnn_frames_to_time (self, n);
  GST_BUFFER_OFFSET (buf) = self->win_offset;
  if (self->win_offset != GST_BUFFER_OFFSET_NONE)
    GST_BUFFER_OFFSET_END (buf) = self->win_offset + n;
  if (self->discont_pending) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    self->discont_pending = FALSE;
  }

  GST_LOG_OBJECT (self, "window of %" G_GSIZE_FORMAT " frame(s) at %"
      GST_TIME_FORMAT, n, GST_TIME_ARGS (self->win_pts));

  self->win_fill = 0;
  self->win_pts = GST_CLOCK_TIME_NONE;
  self->win_offset = GST_BUFFER_OFFSET_NONE;
  *outbuf = buf;
  return GST_FLOW_OK;
}

/* Windowed mode: cut the input into windows; one output buffer per full
 * window.  Called repeatedly by the base class until it returns no
 * buffer. */
static GstFlowReturn
gst_rnn_generate_window (GstRnn * self, GstBuffer ** outbuf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  guint B = self->batch;
  guint F = rnn_model_get_input_size (self->model);
  guint window = self->window_frames;
  GstFlowReturn ret;
  GstMapInfo map;
  gsize n;

  *outbuf = NULL;

  if (self->win_inbuf == NULL) {
    GstBuffer *inbuf = trans->queued_buf;
    gboolean reset;

    trans->queued_buf = NULL;
    if (inbuf == NULL)
      return GST_FLOW_OK;

    ret = gst_rnn_begin_buffer (self, inbuf, &reset);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref (inbuf);
      return ret;
    }
    self->win_inbuf = inbuf;
    self->win_cursor = 0;
    if (reset) {
      /* The frames collected so far end a sequence: run them now. */
      ret = gst_rnn_finish_window (self, outbuf);
      gst_rnn_reset_state (self, "discont or reset signal");
      if (ret != GST_FLOW_OK || *outbuf != NULL)
        return ret;
    }
  }

  if (!gst_buffer_map (self->win_inbuf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = map.size / self->in_frame_bytes;

  if (self->win_cursor < n) {
    gsize k = MIN (window - self->win_fill, n - self->win_cursor);

    if (self->win_fill == 0) {
      GstClockTime pts = GST_BUFFER_PTS (self->win_inbuf);
      guint64 offset = GST_BUFFER_OFFSET (self->win_inbuf);

      if (self->win_cursor == 0) {
        self->win_pts = pts;
      } else {
        GstClockTime d = gst_rnn_frames_to_time (self, self->win_cursor);
        self->win_pts = GST_CLOCK_TIME_IS_VALID (pts)
            && GST_CLOCK_TIME_IS_VALID (d) ? pts + d : GST_CLOCK_TIME_NONE;
      }
      self->win_offset = offset != GST_BUFFER_OFFSET_NONE ?
          offset + self->win_cursor : GST_BUFFER_OFFSET_NONE;
    }
    gst_rnn_copy_frames ((guint8 *) self->win_in, window, self->win_fill,
        FALSE, map.data, n, self->win_cursor, self->cfg_batch_first, k, B, F);
    self->win_fill += k;
    self->win_cursor += k;
  }
  gst_buffer_unmap (self->win_inbuf, &map);

  if (self->win_cursor >= n)
    gst_buffer_replace (&self->win_inbuf, NULL);

  if (self->win_fill == window)
    return gst_rnn_finish_window (self, outbuf);

  return GST_FLOW_OK;
}

static GstFlowReturn
gst_rnn_generate_output (GstBaseTransform * trans, GstBuffer ** outbuf)
{
  GstRnn *self = GST_RNN (trans);
  GstFlowReturn ret;
  gboolean reset;

  if (self->win_in != NULL)
    return gst_rnn_generate_window (self, outbuf);

  if (trans->queued_buf != NULL) {
    ret = gst_rnn_begin_buffer (self, trans->queued_buf, &reset);
    if (ret != GST_FLOW_OK) {
      gst_buffer_replace (&trans->queued_buf, NULL);
      *outbuf = NULL;
      return ret;
    }
    if (reset)
      gst_rnn_reset_state (self, "discont or reset signal");
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->generate_output (trans,
      outbuf);
}

/* Run a partial window before an event that ends the sequence. */
static GstFlowReturn
gst_rnn_drain_window (GstRnn * self)
{
  GstBuffer *buf = NULL;
  GstFlowReturn ret;

  if (self->win_in == NULL || self->win_fill == 0)
    return GST_FLOW_OK;

  GST_DEBUG_OBJECT (self, "draining a partial window of %u frame(s)",
      self->win_fill);
  ret = gst_rnn_finish_window (self, &buf);
  if (ret == GST_FLOW_OK && buf != NULL)
    ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
  return ret;
}

static gboolean
gst_rnn_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstRnn *self = GST_RNN (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      gst_buffer_replace (&self->win_inbuf, NULL);
      gst_rnn_reset_state (self, "flush");
      break;
    case GST_EVENT_SEGMENT:
      gst_rnn_drain_window (self);
      gst_rnn_reset_state (self, "new segment");
      break;
    case GST_EVENT_CAPS:
    case GST_EVENT_EOS:
      gst_rnn_drain_window (self);
      break;
    default:
      break;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_rnn_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstRnn *self = GST_RNN (trans);
  gboolean ret;

  ret = GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
      query);

  if (ret && direction == GST_PAD_SRC
      && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max, ours = 0;
    guint window;
    gint steps_n, steps_d;

    GST_OBJECT_LOCK (self);
    window = self->windowed ? self->window_frames : 0;
    steps_n = self->in_fmt.steps_n;
    steps_d = self->in_fmt.steps_d;
    GST_OBJECT_UNLOCK (self);

    if (window > 0 && steps_n > 0)
      ours = gst_util_uint64_scale (window, GST_SECOND * steps_d, steps_n);

    gst_query_parse_latency (query, &live, &min, &max);
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    gst_query_set_latency (query, live, min, max);
    GST_DEBUG_OBJECT (self, "latency: ours %" GST_TIME_FORMAT ", total min %"
        GST_TIME_FORMAT " max %" GST_TIME_FORMAT, GST_TIME_ARGS (ours),
        GST_TIME_ARGS (min), GST_TIME_ARGS (max));
  }
  return ret;
}

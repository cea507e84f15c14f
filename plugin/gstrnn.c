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
 * on a stream.  #GstRnn:mode chooses how input frames (time steps) map to
 * output:
 *
 * * `n-to-n` (default): one output frame per input frame, the hidden state
 *   kept alive from buffer to buffer.  Pushing a sequence as one buffer or
 *   as any number of buffers of any sizes gives the same numbers as
 *   PyTorch running the whole sequence.
 * * `n-to-1`: one result per window (classification, detection), attached
 *   to the unchanged input and posted on the bus.
 * * `1-to-n`: #GstRnn:steps output frames generated from every input frame.
 * * `n-to-m`: encoder-decoder; each window is encoded and a decoder
 *   forecasts #GstRnn:steps frames.
 *
 * ## Caps
 *
 * * `audio/x-raw, format=F32LE, layout=interleaved`: one audio frame is one
 *   time step.  `channels` must be B x F, where F is the model's input size:
 *   the channels carry B independent streams (batch entries) of F features
 *   each.  In n-to-n the output has the same rate and B x O channels, O
 *   being the head's width (or the top layer's width when there is no
 *   head); the other modes are described below.  When the channel count is
 *   not a multiple of F, negotiation fails with an error naming both
 *   numbers.
 *
 * * `other/tensors, format=static, num_tensors=1, types=float32` (the
 *   NNStreamer tensor stream).  Dimensions are written innermost first, as
 *   NNStreamer does.  With #GstRnn:batch-first=false a buffer is (T, B, F)
 *   and `dimensions` is `C:T` (or `C`, `C:1`, `C:T:1:1`) with C = B x F; the
 *   output is `B*O:T`.  With #GstRnn:batch-first=true a buffer is (B, T, F)
 *   and `dimensions` is `F:T:B`; the output is `O:T:B`.  The element
 *   processes any whole number of frames per buffer; in n-to-n the output
 *   buffer has as many frames as the input buffer.  `framerate` is copied.
 *   In caps strings write `dimensions=(string)4:1`: an untyped `4:1` parses
 *   as a flagset.
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
 * from buffer to buffer (in n-to-1, n-to-m and 1-to-n, see
 * #GstRnn:carry-state).  It is reset to zero, and a pending window is
 * dropped,
 *
 * * on FLUSH_STOP (flushing seek),
 * * on every SEGMENT event (a new segment, e.g. after a seek),
 * * when the caps change,
 * * when the element stops (PAUSED to READY),
 * * on a buffer flagged DISCONT, unless #GstRnn:reset-on-discont is false,
 * * when the application emits the #GstRnn::reset action signal.
 *
 * The first output buffer after a reset carries the DISCONT flag (in
 * n-to-1 the buffers pass through with their own flags).
 *
 * ## N-vs-1: one result per window (mode=n-to-1)
 *
 * Every #GstRnn:hop frames (default: the window) a window of
 * #GstRnn:window frames is run as one sequence, from a zero state (the way
 * such models are trained) unless #GstRnn:carry-state is true.  Its result
 * is the head (Linear + activation, `rnn.head_activation`) applied to the
 * top layer's outputs pooled as the model's metadata `rnn.pooling` says:
 * `last` (the output at the window's last frame, the default),
 * `final-state` (the top layer's final hidden state h_n, both directions
 * joined for a bidirectional model: forward state after the last frame,
 * reverse state after the first) or `mean` (the mean of the outputs over
 * the window).  Bidirectional models are fine here.
 *
 * The input passes through unchanged (same caps, same data, same
 * timestamps): the result is an annotation.  For every window and every
 * stream of the batch, the buffer in which the window ends gets a custom
 * meta named `GstRnnResultMeta` (gst_meta_register_custom(), no tags, so
 * `audioconvert` and other elements keep it), and, when
 * #GstRnn:post-messages is true (default), an element message named `rnn`
 * is posted on the bus (`gst-launch-1.0 -m` prints it).  Both carry a
 * structure with
 *
 * * `stream` (guint): the stream (batch entry) index, 0 .. B-1,
 * * `timestamp` (guint64): time of the window's first frame,
 * * `duration` (guint64): the window's duration,
 * * `frames` (guint): frames in the window,
 * * `scores` (GstValueArray of gfloat): the O outputs of the head,
 * * `class` (guint): the index of the largest score,
 * * `label` (string): its name from the model's `rnn.labels`, else the
 *   index as text,
 * * `confidence` (gfloat): the largest score,
 *
 * and the message adds `running-time` and `stream-time` of the window
 * start, as `level` does.  In C read the metas with
 * gst_buffer_iterate_meta_filtered() (several per buffer when B > 1 or
 * several windows end in one buffer; they come in window, then stream,
 * order) or gst_buffer_get_custom_meta() (the first).  From Python,
 * `buf.get_custom_meta("GstRnnResultMeta").get_structure()` reads the
 * first result of a buffer; PyGObject cannot iterate over the others, so
 * with several results per buffer read the bus messages
 * (tests/plugin/read_meta.py shows both).
 *
 * The element adds no latency in this mode: it holds no data (a result is
 * known when the buffer holding the window's last frame arrives, and rides
 * on that buffer).
 *
 * ## 1-vs-N: generation (mode=1-to-n)
 *
 * Every input frame drives #GstRnn:steps output frames of a unidirectional
 * model, starting from a zero state (or, with #GstRnn:carry-state, from the
 * state the previous frame left).  #GstRnn:feed chooses the model's input
 * at each step: `repeat` (the input frame at every step, the default),
 * `first` (the input frame at the first step, zeros after) or `feedback`
 * (the input frame at the first step, then the previous step's output;
 * the output size must equal the input size).  The output caps have the
 * input rate x steps and B x O channels (tensors: T x steps frames per
 * tensor); an output buffer holds the frames generated from one input
 * buffer and carries its timestamp and duration, so each input frame's
 * time is divided evenly between its steps; offsets are multiplied by
 * steps.  No latency is added.
 *
 * ## N-vs-M: encoder-decoder (mode=n-to-m)
 *
 * The model file holds two recurrent modules of the same cell kind, layer
 * count and sizes: the encoder under the key prefix `encoder.` and the
 * decoder under `decoder.` (a PyTorch module with attributes `encoder` and
 * `decoder`), plus an optional head for the decoder, found as for any
 * model: the `rnn.head` metadata, else the one Linear layer whose input
 * width fits (e.g. `fc.`).  The encoder runs over each window
 * (#GstRnn:window, #GstRnn:hop; from a zero state unless
 * #GstRnn:carry-state), its final state (h_n, c_n) becomes the decoder's
 * initial state, and the decoder generates #GstRnn:steps frames fed as
 * #GstRnn:feed says: `context` (the encoder's last top-layer output at
 * every step, the default; decoder input size = encoder hidden size) or
 * `feedback` (the window's last input frame, then each output; decoder
 * input = output = encoder input size).
 *
 * The output is a sequence of forecasts: one buffer of #GstRnn:steps
 * frames per window, with the input's rate and B x O channels (tensors:
 * `B*O:steps`, or `O:steps:B` batch-first, with framerate 0/1), stamped as
 * the continuation of the window: timestamp = the end of the window's
 * last frame, duration = steps frames, offset = the input offset there.
 * With steps = hop the forecasts tile the time line; with steps > hop
 * consecutive forecasts overlap, with steps < hop there are gaps.  A
 * forecast is pushed when its window's last frame arrives, i.e. at its
 * own timestamp: no latency is added.
 *
 * ## Windows and the end of the stream
 *
 * In n-to-1 and n-to-m, frames that fill no window when the stream ends
 * are dropped by default (the models are trained on whole windows);
 * #GstRnn:partial-window=run runs them at EOS as one shorter window
 * starting at the next window start, provided some of them were not
 * covered by an earlier window (in n-to-1 the result is then only posted
 * on the bus: the buffer it ended in has already left).  Resets always
 * drop a pending window.
 *
 * ## Bidirectional models in n-to-n
 *
 * The reverse direction of a bidirectional model reads the sequence from
 * its end, so it cannot run frame by frame.  Such a model is refused unless
 * #GstRnn:window is set: with window=N the element collects N frames, runs
 * them as one independent sequence (from a zero state) and outputs them,
 * which adds N frames of latency (reported in the LATENCY query).  At EOS,
 * on a DISCONT buffer, a new segment or a caps change, a partial window is
 * run as a shorter sequence (unless #GstRnn:partial-window=drop); on a
 * flush it is dropped.  1-to-n and the n-to-m decoder refuse bidirectional
 * models.
 *
 * ## Timestamps
 *
 * In n-to-n, output buffers carry the timestamps, duration and offsets of
 * the input buffer they come from.  With a window an output buffer is one
 * window; its timestamp is the time of the window's first frame.  The
 * other modes are described above.  The element does no QoS by default;
 * enabling the base class's #GstBaseTransform:qos lets it skip late
 * buffers, and the state then misses those frames.
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
 * |[
 * gst-launch-1.0 -m filesrc location=in.f32 ! \
 *     rawaudioparse use-sink-caps=false format=pcm pcm-format=f32le \
 *         num-channels=3 sample-rate=100 ! \
 *     rnn mode=n-to-1 window=20 model=classifier.safetensors ! \
 *     audioconvert ! audio/x-raw,format=S16LE ! fakesink
 * ]| Classifies windows of 20 frames (0.2 s) of a 3-feature stream; every
 * result is printed as an `rnn` element message such as
 * `rnn, stream=(uint)0, timestamp=(guint64)200000000,
 * duration=(guint64)200000000, frames=(uint)20, scores=(float)< 0.42,
 * 0.22, 0.35 >, class=(uint)0, label=(string)yes, confidence=(float)0.42,
 * running-time=(guint64)200000000, stream-time=(guint64)200000000;` and
 * rides on the (converted) audio buffers as a `GstRnnResultMeta`.
 * |[
 * gst-launch-1.0 -m audiotestsrc is-live=true wave=sine freq=2 \
 *         samplesperbuffer=10 num-buffers=100 ! \
 *     audio/x-raw,format=F32LE,channels=9,rate=100 ! \
 *     rnn mode=n-to-1 window=50 hop=25 model=classifier.safetensors ! \
 *     fakesink sync=true
 * ]| Three streams of a 3-input classifier, live: a result per stream every
 * 0.25 s for the last 0.5 s.
 * |[
 * gst-launch-1.0 filesrc location=in.f32 ! \
 *     rawaudioparse use-sink-caps=false format=pcm pcm-format=f32le \
 *         num-channels=3 sample-rate=100 ! \
 *     rnn mode=1-to-n steps=4 feed=feedback model=generator.safetensors ! \
 *     audio/x-raw,rate=400 ! filesink location=out.f32
 * ]| Generates 4 frames per input frame, each step fed the previous
 * output: the output runs at 400 frames per second.
 * |[
 * gst-launch-1.0 filesrc location=in.f32 ! \
 *     rawaudioparse use-sink-caps=false format=pcm pcm-format=f32le \
 *         num-channels=3 sample-rate=100 ! \
 *     rnn mode=n-to-m window=10 hop=5 steps=5 model=seq2seq.safetensors ! \
 *     filesink location=forecast.f32
 * ]| Encodes the last 10 frames every 5 frames and forecasts the next 5:
 * the forecasts follow each other without gaps or overlaps.
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
#define DEFAULT_HOP 0
#define DEFAULT_STEPS 1
#define DEFAULT_FEED GST_RNN_FEED_AUTO
#define DEFAULT_CARRY_STATE FALSE
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_PARTIAL_WINDOW GST_RNN_PARTIAL_WINDOW_AUTO

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_BATCH_FIRST,
  PROP_MODE,
  PROP_RESET_ON_DISCONT,
  PROP_WINDOW,
  PROP_HOP,
  PROP_STEPS,
  PROP_FEED,
  PROP_CARRY_STATE,
  PROP_POST_MESSAGES,
  PROP_PARTIAL_WINDOW
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
    {GST_RNN_MODE_N_TO_1, "One result per window, attached to the "
          "unchanged input as a meta and posted on the bus", "n-to-1"},
    {GST_RNN_MODE_1_TO_N, "'steps' output frames generated from every "
          "input frame", "1-to-n"},
    {GST_RNN_MODE_N_TO_M, "Encoder-decoder: 'steps' frames forecast from "
          "every window", "n-to-m"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_rnn_feed_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_FEED_AUTO, "The mode's default: repeat in 1-to-n, context in "
          "n-to-m", "auto"},
    {GST_RNN_FEED_REPEAT, "1-to-n: the input frame at every step", "repeat"},
    {GST_RNN_FEED_FIRST, "1-to-n: the input frame at the first step, zeros "
          "after", "first"},
    {GST_RNN_FEED_FEEDBACK, "The previous step's output (the first step "
          "gets the input frame, in n-to-m the window's last frame)",
        "feedback"},
    {GST_RNN_FEED_CONTEXT, "n-to-m: the encoder's final top-layer output at "
          "every step", "context"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnFeed", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_rnn_partial_window_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_RNN_PARTIAL_WINDOW_AUTO, "The mode's default: run in n-to-n, drop "
          "in n-to-1 and n-to-m", "auto"},
    {GST_RNN_PARTIAL_WINDOW_DROP, "Drop the frames of an incomplete window",
        "drop"},
    {GST_RNN_PARTIAL_WINDOW_RUN, "Run an incomplete window as a shorter "
          "sequence", "run"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstRnnPartialWindow", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* The custom meta of n-to-1 results: no tags, so that elements which
 * drop metas tied to the audio format (audioconvert, ...) keep it. */
static const GstMetaInfo *
gst_rnn_result_meta_get_info (void)
{
  static gsize info = 0;

  if (g_once_init_enter (&info)) {
    const gchar *tags[] = { NULL };
    const GstMetaInfo *i = gst_meta_get_info (GST_RNN_RESULT_META_NAME);

    if (i == NULL)
      i = gst_meta_register_custom (GST_RNN_RESULT_META_NAME, tags, NULL,
          NULL, NULL);
    g_once_init_leave (&info, (gsize) i);
  }
  return (const GstMetaInfo *) info;
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
static GstFlowReturn gst_rnn_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);
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
   * How input frames map to output frames: `n-to-n` (one output frame
   * per input frame), `n-to-1` (one result per window of #GstRnn:window
   * frames, attached to the unchanged input as a meta and posted on the
   * bus), `1-to-n` (#GstRnn:steps frames generated from every input frame)
   * or `n-to-m` (an encoder reads each window, a decoder forecasts
   * #GstRnn:steps frames).  See the element documentation for the caps and
   * timestamps of each mode.
   */
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "How input frames map to output frames: n-to-n (frame by frame), "
          "n-to-1 (one result per window, attached to the unchanged input "
          "as a GstRnnResultMeta and posted as an 'rnn' element message), "
          "1-to-n ('steps' frames generated per input frame) or n-to-m "
          "(encoder-decoder: 'steps' frames forecast per window)",
          GST_TYPE_RNN_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:reset-on-discont:
   *
   * Whether a buffer flagged DISCONT (data was lost or skipped upstream)
   * resets the state to zero (and drops a pending window) before it is
   * processed.  Set to false to carry the state across such gaps.
   */
  g_object_class_install_property (gobject_class, PROP_RESET_ON_DISCONT,
      g_param_spec_boolean ("reset-on-discont", "Reset on discont",
          "Reset the state to zero (and drop a pending window) on a buffer "
          "flagged DISCONT; FALSE carries the state across discontinuities",
          DEFAULT_RESET_ON_DISCONT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:window:
   *
   * Frames per window.  In `n-to-1` and `n-to-m` it is required (>= 1):
   * every #GstRnn:hop frames a window of this many frames is run as one
   * sequence.  In `n-to-n` it only matters for a bidirectional model,
   * which needs the whole sequence: with 0 such a model is refused, with N
   * the element runs it on consecutive independent windows of N frames,
   * adding N frames of latency; unidirectional models run frame by frame
   * and ignore it.  Ignored in `1-to-n`.
   */
  g_object_class_install_property (gobject_class, PROP_WINDOW,
      g_param_spec_uint ("window", "Window",
          "Frames per window: required in n-to-1 and n-to-m; in n-to-n only "
          "for a bidirectional model (0 = refuse such models), which then "
          "runs on independent windows with that latency; ignored in 1-to-n",
          0, G_MAXINT, DEFAULT_WINDOW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:hop:
   *
   * Frames between the starts of consecutive windows in `n-to-1` and
   * `n-to-m`.  0 means #GstRnn:window (back-to-back windows); smaller
   * values make windows overlap (every frame is then run once per window
   * that contains it); larger values leave frames between windows
   * unprocessed.
   */
  g_object_class_install_property (gobject_class, PROP_HOP,
      g_param_spec_uint ("hop", "Hop",
          "n-to-1 and n-to-m: frames between window starts (0 = the window, "
          "no overlap; smaller overlaps windows; larger skips frames)",
          0, G_MAXINT, DEFAULT_HOP,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:steps:
   *
   * Frames generated: in `1-to-n` per input frame (the output rate is the
   * input rate x steps), in `n-to-m` per window (one forecast of this many
   * frames).  Ignored in the other modes.
   */
  g_object_class_install_property (gobject_class, PROP_STEPS,
      g_param_spec_uint ("steps", "Steps",
          "Frames generated per input frame (1-to-n; output rate = input "
          "rate x steps) or per window (n-to-m); ignored otherwise",
          1, G_MAXINT / 2, DEFAULT_STEPS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:feed:
   *
   * What the generating network reads at each step.  In `1-to-n`:
   * `repeat` (the input frame at every step, the default), `first` (the
   * input frame at the first step, zeros after) or `feedback` (the input
   * frame at the first step, then the previous step's output; needs the
   * model's output size to equal its input size).  In `n-to-m`: `context`
   * (the encoder's final top-layer output at every step, the default;
   * needs the decoder's input size to equal the encoder's output width) or
   * `feedback` (the window's last input frame at the first step, then the
   * previous output; needs decoder input = output = encoder input size).
   * `auto` picks the mode's default.  Any other combination, or a value
   * other than `auto` in n-to-n or n-to-1, makes the element fail to start
   * with an error naming this property.
   */
  g_object_class_install_property (gobject_class, PROP_FEED,
      g_param_spec_enum ("feed", "Feed",
          "Input of each generation step: 1-to-n takes repeat (default), "
          "first or feedback; n-to-m takes context (default) or feedback; "
          "auto = the mode's default",
          GST_TYPE_RNN_FEED, DEFAULT_FEED,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:carry-state:
   *
   * In `n-to-1` and `n-to-m` every window normally runs from a zero state,
   * the way such models are trained, and in `1-to-n` every input frame
   * starts from a zero state.  With true the state left by the previous
   * window (the encoder's in n-to-m) or input frame is carried into the
   * next one instead, as PyTorch's `out, h = rnn(x, h)` in a loop.
   * (`n-to-n` always carries.)
   */
  g_object_class_install_property (gobject_class, PROP_CARRY_STATE,
      g_param_spec_boolean ("carry-state", "Carry state",
          "n-to-1, n-to-m: start each window from the previous window's "
          "final state instead of zeros; 1-to-n: the same across input "
          "frames",
          DEFAULT_CARRY_STATE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRnn:post-messages:
   *
   * In `n-to-1`, post every result as an element message named `rnn` on
   * the bus (`gst-launch-1.0 -m` prints them).  The result meta on the
   * buffers is attached either way.
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "n-to-1: post each result as an 'rnn' element message on the bus",
          DEFAULT_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:partial-window:
   *
   * What happens at the end of the stream (EOS) to frames that did not
   * fill a window: `drop` them, or `run` them as one shorter window.
   * `auto` (default) runs them in `n-to-n` (a bidirectional model's last
   * window, as before) and drops them in `n-to-1` and `n-to-m`, whose
   * models are trained on whole windows.  In `n-to-1` a partial result can
   * only be posted on the bus: the buffer it ends in has already left.
   * Flushes, new segments, DISCONT buffers and the #GstRnn::reset signal
   * always drop a pending window in n-to-1 and n-to-m.
   */
  g_object_class_install_property (gobject_class, PROP_PARTIAL_WINDOW,
      g_param_spec_enum ("partial-window", "Partial window",
          "At EOS, an incomplete window is dropped or run as a shorter "
          "sequence; auto = run in n-to-n, drop in n-to-1 and n-to-m",
          GST_TYPE_RNN_PARTIAL_WINDOW, DEFAULT_PARTIAL_WINDOW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

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
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_rnn_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_rnn_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_rnn_query);
  trans_class->passthrough_on_same_caps = FALSE;

  gst_type_mark_as_plugin_api (GST_TYPE_RNN_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_FEED, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_PARTIAL_WINDOW, 0);

  gst_rnn_result_meta_get_info ();
}

static void
gst_rnn_init (GstRnn * self)
{
  self->model_path = g_strdup (DEFAULT_MODEL);
  self->batch_first = DEFAULT_BATCH_FIRST;
  self->mode = DEFAULT_MODE;
  self->reset_on_discont = DEFAULT_RESET_ON_DISCONT;
  self->window = DEFAULT_WINDOW;
  self->hop = DEFAULT_HOP;
  self->steps = DEFAULT_STEPS;
  self->feed = DEFAULT_FEED;
  self->carry_state = DEFAULT_CARRY_STATE;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->partial_window = DEFAULT_PARTIAL_WINDOW;
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
    case PROP_HOP:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->hop = g_value_get_uint (value);
      break;
    case PROP_STEPS:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->steps = g_value_get_uint (value);
      break;
    case PROP_FEED:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->feed = g_value_get_enum (value);
      break;
    case PROP_CARRY_STATE:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->carry_state = g_value_get_boolean (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_PARTIAL_WINDOW:
      self->partial_window = g_value_get_enum (value);
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
    case PROP_HOP:
      g_value_set_uint (value, self->hop);
      break;
    case PROP_STEPS:
      g_value_set_uint (value, self->steps);
      break;
    case PROP_FEED:
      g_value_set_enum (value, self->feed);
      break;
    case PROP_CARRY_STATE:
      g_value_set_boolean (value, self->carry_state);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_PARTIAL_WINDOW:
      g_value_set_enum (value, self->partial_window);
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
  if (self->dec_state)
    rnn_state_reset (self->dec_state);
  self->win_fill = 0;
  self->win_pts = GST_CLOCK_TIME_NONE;
  self->win_offset = GST_BUFFER_OFFSET_NONE;
  self->frames_in = 0;
  self->next_start = 0;
  self->covered_end = 0;
  self->discont_pending = TRUE;
}

static void
gst_rnn_free_stream (GstRnn * self)
{
  g_clear_pointer (&self->state, rnn_state_free);
  g_clear_pointer (&self->dec_state, rnn_state_free);
  g_clear_pointer (&self->chunk_in, g_free);
  g_clear_pointer (&self->chunk_out, g_free);
  g_clear_pointer (&self->win_in, g_free);
  g_clear_pointer (&self->win_out, g_free);
  g_clear_pointer (&self->ring, g_free);
  g_clear_pointer (&self->ring_pts, g_free);
  g_clear_pointer (&self->ring_offset, g_free);
  g_clear_pointer (&self->seq_in, g_free);
  g_clear_pointer (&self->seq_out, g_free);
  g_clear_pointer (&self->pooled, g_free);
  g_clear_pointer (&self->scores, g_free);
  g_clear_pointer (&self->h_buf, g_free);
  g_clear_pointer (&self->c_buf, g_free);
  g_clear_pointer (&self->gen_in, g_free);
  g_clear_pointer (&self->gen_out, g_free);
  self->frames_in = 0;
  self->next_start = 0;
  self->covered_end = 0;
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

static const gchar *
gst_rnn_feed_nick (GstRnnFeed feed)
{
  GEnumClass *klass = g_type_class_peek (GST_TYPE_RNN_FEED);
  GEnumValue *value = klass ? g_enum_get_value (klass, feed) : NULL;

  return value ? value->value_nick : "unknown";
}

/* Check the property combination of @mode and resolve feed=auto.  Posts
 * an error naming the property and returns FALSE on a bad one. */
static gboolean
gst_rnn_check_config (GstRnn * self, GstRnnMode mode, guint window,
    GstRnnFeed * feed)
{
  const gchar *mode_nick = gst_rnn_mode_nick (mode);

  switch (mode) {
    case GST_RNN_MODE_N_TO_N:
    case GST_RNN_MODE_N_TO_1:
      if (*feed != GST_RNN_FEED_AUTO) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Property 'feed' (%s) does not apply to mode=%s: it chooses "
                "the input of generation steps in modes 1-to-n and n-to-m. "
                "Leave it at 'auto'.", gst_rnn_feed_nick (*feed), mode_nick),
            (NULL));
        return FALSE;
      }
      break;
    case GST_RNN_MODE_1_TO_N:
      if (*feed == GST_RNN_FEED_AUTO)
        *feed = GST_RNN_FEED_REPEAT;
      if (*feed == GST_RNN_FEED_CONTEXT) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Property 'feed' is 'context', which needs an encoder "
                "(mode=n-to-m); mode=1-to-n takes feed=repeat, first or "
                "feedback."), (NULL));
        return FALSE;
      }
      break;
    case GST_RNN_MODE_N_TO_M:
      if (*feed == GST_RNN_FEED_AUTO)
        *feed = GST_RNN_FEED_CONTEXT;
      if (*feed != GST_RNN_FEED_CONTEXT && *feed != GST_RNN_FEED_FEEDBACK) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Property 'feed' is '%s', which mode=n-to-m does not take: the "
                "decoder is fed feed=context or feed=feedback.",
                gst_rnn_feed_nick (*feed)), (NULL));
        return FALSE;
      }
      break;
  }

  if ((mode == GST_RNN_MODE_N_TO_1 || mode == GST_RNN_MODE_N_TO_M)
      && window == 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("mode=%s needs a window: set the 'window' property to the number "
            "of frames per window (>= 1).", mode_nick), (NULL));
    return FALSE;
  }
  return TRUE;
}

/* n-to-m: the encoder's final state must fit the decoder, and the feed
 * must fit both. */
static gboolean
gst_rnn_check_seq2seq (GstRnn * self, const gchar * path, RnnModel * enc,
    RnnModel * dec, GstRnnFeed feed)
{
  if (rnn_model_is_bidirectional (dec)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The decoder of \"%s\" is bidirectional: it generates frame by "
            "frame, which a bidirectional network cannot do.", path), (NULL));
    return FALSE;
  }
  if (rnn_model_get_cell (enc) != rnn_model_get_cell (dec)
      || rnn_model_get_num_layers (enc) != rnn_model_get_num_layers (dec)
      || rnn_model_is_bidirectional (enc)
      || rnn_model_get_hidden_size (enc) != rnn_model_get_hidden_size (dec)
      || rnn_model_get_proj_size (enc) != rnn_model_get_proj_size (dec)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The encoder's final state cannot initialise the decoder in \"%s\": "
            "encoder %s, %u layer(s), %u direction(s), hidden %u, proj %u "
            "(h_n %" G_GSIZE_FORMAT " values per stream) vs decoder %s, %u "
            "layer(s), 1 direction, hidden %u, proj %u (h0 %" G_GSIZE_FORMAT
            " values per stream). They need the same cell, layers, "
            "directions and sizes.", path,
            rnn_cell_name (rnn_model_get_cell (enc)),
            rnn_model_get_num_layers (enc),
            rnn_model_is_bidirectional (enc) ? 2 : 1,
            rnn_model_get_hidden_size (enc), rnn_model_get_proj_size (enc),
            rnn_model_get_h_size (enc, 1),
            rnn_cell_name (rnn_model_get_cell (dec)),
            rnn_model_get_num_layers (dec), rnn_model_get_hidden_size (dec),
            rnn_model_get_proj_size (dec), rnn_model_get_h_size (dec, 1)),
        (NULL));
    return FALSE;
  }
  if (feed == GST_RNN_FEED_CONTEXT && rnn_model_get_input_size (dec) !=
      rnn_model_get_rnn_output_size (enc)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("feed=context feeds the encoder's top-layer output (%u values) to "
            "the decoder at every step, but the decoder's input size is %u "
            "(model \"%s\").", rnn_model_get_rnn_output_size (enc),
            rnn_model_get_input_size (dec), path), (NULL));
    return FALSE;
  }
  if (feed == GST_RNN_FEED_FEEDBACK && (rnn_model_get_input_size (dec) !=
          rnn_model_get_output_size (dec) || rnn_model_get_input_size (dec) !=
          rnn_model_get_input_size (enc))) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("feed=feedback feeds the window's last input frame and then each "
            "output back to the decoder, so the decoder's input size (%u), "
            "its output size (%u) and the encoder's input size (%u) must be "
            "equal (model \"%s\").", rnn_model_get_input_size (dec),
            rnn_model_get_output_size (dec), rnn_model_get_input_size (enc),
            path), (NULL));
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_rnn_start (GstBaseTransform * trans)
{
  GstRnn *self = GST_RNN (trans);
  GError *err = NULL;
  RnnModel *model = NULL, *decoder = NULL;
  gchar *path;
  GstRnnMode mode;
  GstRnnFeed feed;
  guint window, hop, steps;
  gboolean batch_first, carry, bidirectional;

  GST_OBJECT_LOCK (self);
  path = g_strdup (self->model_path);
  mode = self->mode;
  window = self->window;
  hop = self->hop;
  steps = self->steps;
  feed = self->feed;
  carry = self->carry_state;
  batch_first = self->batch_first;
  GST_OBJECT_UNLOCK (self);

  if (path == NULL || path[0] == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No model given: set the 'model' property to a safetensors file."),
        (NULL));
    goto failed;
  }

  if (!gst_rnn_check_config (self, mode, window, &feed))
    goto failed;

  if (mode == GST_RNN_MODE_N_TO_M) {
    /* One file, two recurrent modules; the head (if any) belongs to the
     * decoder and is found as for any model (rnn.head, else the one
     * Linear layer whose input fits). */
    RnnLoadOptions enc_opt = {.prefix = "encoder.",.no_head = TRUE };
    RnnLoadOptions dec_opt = {.prefix = "decoder." };

    model = rnn_model_load (path, &enc_opt, &err);
    if (model == NULL) {
      if (g_error_matches (err, RNN_ERROR, RNN_ERROR_MODEL))
        GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
            ("mode=n-to-m needs an encoder-decoder model (keys 'encoder.*' "
                "and 'decoder.*'), but the encoder of \"%s\" cannot be "
                "loaded: %s", path, err->message), (NULL));
      else
        gst_rnn_post_load_error (self, path, err);
      g_clear_error (&err);
      goto failed;
    }
    decoder = rnn_model_load (path, &dec_opt, &err);
    if (decoder == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
          ("mode=n-to-m needs an encoder-decoder model, but \"%s\" has no "
              "usable decoder (keys 'decoder.*'): %s", path, err->message),
          (NULL));
      g_clear_error (&err);
      goto failed;
    }
    if (!gst_rnn_check_seq2seq (self, path, model, decoder, feed))
      goto failed;
  } else {
    model = rnn_model_load (path, NULL, &err);
    if (model == NULL) {
      gst_rnn_post_load_error (self, path, err);
      g_clear_error (&err);
      goto failed;
    }
  }

  bidirectional = rnn_model_is_bidirectional (model);
  switch (mode) {
    case GST_RNN_MODE_N_TO_N:
      if (bidirectional && window == 0) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Model \"%s\" is bidirectional: its reverse direction reads the "
                "sequence from the end, so it needs the whole sequence and "
                "cannot run frame by frame on a stream. Set window=N to run "
                "it on independent windows of N frames (adds N frames of "
                "latency).", path), (NULL));
        goto failed;
      }
      if (!bidirectional && window > 0)
        GST_INFO_OBJECT (self, "window=%u ignored: the model is "
            "unidirectional and runs frame by frame", window);
      break;
    case GST_RNN_MODE_1_TO_N:
      if (bidirectional) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Model \"%s\" is bidirectional, but mode=1-to-n generates "
                "frames one step at a time, which a bidirectional network "
                "cannot do (its reverse direction needs the whole "
                "sequence). Use a unidirectional model.", path), (NULL));
        goto failed;
      }
      if (feed == GST_RNN_FEED_FEEDBACK && rnn_model_get_output_size (model)
          != rnn_model_get_input_size (model)) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("feed=feedback feeds each output back as the next input, so "
                "the model's output size (%u) must equal its input size (%u) "
                "(model \"%s\").", rnn_model_get_output_size (model),
                rnn_model_get_input_size (model), path), (NULL));
        goto failed;
      }
      break;
    case GST_RNN_MODE_N_TO_1:
    case GST_RNN_MODE_N_TO_M:
      break;
  }

  GST_INFO_OBJECT (self, "loaded \"%s\": %s, input %u, hidden %u, proj %u, "
      "%u layer(s), %s, %s, output %u; mode %s", path,
      rnn_cell_name (rnn_model_get_cell (model)),
      rnn_model_get_input_size (model), rnn_model_get_hidden_size (model),
      rnn_model_get_proj_size (model), rnn_model_get_num_layers (model),
      bidirectional ? "bidirectional" : "unidirectional",
      rnn_model_has_head (model) ? "with head" : "no head",
      rnn_model_get_output_size (model), gst_rnn_mode_nick (mode));
  if (mode == GST_RNN_MODE_N_TO_1 || mode == GST_RNN_MODE_N_TO_M)
    GST_INFO_OBJECT (self, "window %u, hop %u%s, steps %u, feed %s, %s",
        window, hop ? hop : window, hop ? "" : " (= window)", steps,
        gst_rnn_feed_nick (feed), carry ? "state carried" : "zero state");

  self->model = model;
  self->decoder = decoder;
  self->cfg_batch_first = batch_first;
  self->cfg_mode = mode;
  self->cfg_window = window;
  self->cfg_hop = hop ? hop : window;
  self->cfg_steps = steps;
  self->cfg_feed = feed;
  self->cfg_carry = carry;
  self->discont_pending = TRUE;
  self->win_fill = 0;
  self->frames_in = self->next_start = self->covered_end = 0;
  g_atomic_int_set (&self->reset_requested, 0);

  /* n-to-1 annotates the input buffers in place; the others make new
   * output buffers. */
  gst_base_transform_set_in_place (trans, mode == GST_RNN_MODE_N_TO_1);

  GST_OBJECT_LOCK (self);
  self->run_mode = mode;
  self->in_size = rnn_model_get_input_size (model);
  self->out_size = rnn_model_get_output_size (decoder ? decoder : model);
  self->windowed = mode == GST_RNN_MODE_N_TO_N && bidirectional;
  self->window_frames = self->windowed ? window : 0;
  self->out_steps = (mode == GST_RNN_MODE_1_TO_N
      || mode == GST_RNN_MODE_N_TO_M) ? steps : 1;
  GST_OBJECT_UNLOCK (self);

  g_free (path);
  return TRUE;

failed:
  g_clear_pointer (&model, rnn_model_unref);
  g_clear_pointer (&decoder, rnn_model_unref);
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
  self->out_steps = 1;
  self->run_mode = GST_RNN_MODE_N_TO_N;
  GST_OBJECT_UNLOCK (self);

  gst_rnn_free_stream (self);
  g_clear_pointer (&self->model, rnn_model_unref);
  g_clear_pointer (&self->decoder, rnn_model_unref);
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

/* Map fixed tensor dimensions across the element.  @out_T > 0: every
 * output tensor has that many frames (windowed n-to-n, n-to-m); @t_mul > 1:
 * the output has t_mul frames per input frame (1-to-n).  Returns FALSE when
 * no dimensions on the other side correspond. */
static gboolean
gst_rnn_map_dims (guint * dims, guint * rank, GstPadDirection direction,
    gboolean batch_first, guint in_size, guint out_size, guint out_T,
    guint t_mul)
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

  if (*rank < 2 && (out_T > 0 || t_mul > 1)) {
    dims[1] = 1;
    *rank = 2;
  }
  if (out_T > 0) {
    if (direction != GST_PAD_SINK)
      return FALSE;             /* any T upstream: caller drops the field */
    dims[1] = out_T;
  } else if (t_mul > 1) {
    if (direction == GST_PAD_SINK) {
      if (dims[1] > G_MAXINT / t_mul)
        return FALSE;
      dims[1] *= t_mul;
    } else {
      if (dims[1] % t_mul != 0)
        return FALSE;
      dims[1] /= t_mul;
    }
  }
  return TRUE;
}

/* 1-to-n: the output rate is the input rate x @mul.  FALSE: no rate on the
 * other side corresponds. */
static gboolean
gst_rnn_map_rate (GstStructure * s, GstPadDirection direction, guint mul)
{
  gint rate;

  if (mul <= 1 || !gst_structure_has_field (s, "rate"))
    return TRUE;
  if (gst_structure_get_int (s, "rate", &rate)) {
    if (direction == GST_PAD_SINK) {
      if (rate > G_MAXINT / (gint) mul)
        return FALSE;
      rate *= mul;
    } else {
      if (rate % mul != 0)
        return FALSE;
      rate /= mul;
    }
    gst_structure_set (s, "rate", G_TYPE_INT, rate, NULL);
  } else {
    gst_structure_set (s, "rate", GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
  }
  return TRUE;
}

static GstCaps *
gst_rnn_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstRnn *self = GST_RNN (trans);
  guint in_size, out_size, out_T, t_mul;
  gboolean batch_first;
  GstRnnMode mode;
  GstCaps *ret;
  guint i, n;

  GST_OBJECT_LOCK (self);
  mode = self->in_size > 0 ? self->run_mode : self->mode;
  in_size = self->in_size;
  out_size = self->out_size;
  out_T = self->windowed ? self->window_frames : 0;
  if (mode == GST_RNN_MODE_N_TO_M)
    out_T = self->out_steps;
  t_mul = mode == GST_RNN_MODE_1_TO_N ? self->out_steps : 1;
  batch_first = self->batch_first;
  GST_OBJECT_UNLOCK (self);

  if (gst_caps_is_any (caps)) {
    GstPad *other = direction == GST_PAD_SINK ?
        GST_BASE_TRANSFORM_SRC_PAD (trans) :
        GST_BASE_TRANSFORM_SINK_PAD (trans);
    ret = gst_pad_get_pad_template_caps (other);
    goto done;
  }

  /* n-to-1 passes the input through: same caps on both sides. */
  if (mode == GST_RNN_MODE_N_TO_1) {
    ret = gst_caps_ref (caps);
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
      if (!gst_rnn_map_rate (ns, direction, t_mul)) {
        gst_structure_free (ns);
        continue;
      }
    } else if (gst_structure_has_name (s, "other/tensors")) {
      const gchar *str = gst_structure_get_string (s, "dimensions");
      guint dims[GST_RNN_MAX_DIMS], rank;

      if (in_size > 0 && str && gst_rnn_parse_dims (str, dims, &rank)) {
        if (gst_rnn_map_dims (dims, &rank, direction, batch_first, in_size,
                out_size, out_T, t_mul)) {
          gchar *d = gst_rnn_dims_to_string (dims, rank);
          gst_structure_set (ns, "dimensions", G_TYPE_STRING, d, NULL);
          g_free (d);
        } else if (direction == GST_PAD_SRC && out_T == 0) {
          gst_structure_free (ns);
          continue;
        } else {
          gst_structure_remove_field (ns, "dimensions");
        }
      } else {
        gst_structure_remove_field (ns, "dimensions");
      }
      /* n-to-m: one tensor per window, at no fixed rate. */
      if (mode == GST_RNN_MODE_N_TO_M) {
        if (direction == GST_PAD_SINK)
          gst_structure_set (ns, "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
        else
          gst_structure_remove_field (ns, "framerate");
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
  gboolean passthrough;

  othercaps = gst_caps_truncate (othercaps);
  othercaps = gst_caps_make_writable (othercaps);
  othercaps = gst_caps_fixate (othercaps);

  /* n-to-1 passes the input through as it is */
  GST_OBJECT_LOCK (trans);
  passthrough = GST_RNN (trans)->run_mode == GST_RNN_MODE_N_TO_1;
  GST_OBJECT_UNLOCK (trans);
  if (passthrough)
    return othercaps;

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
  GstRnnMode mode = self->cfg_mode;
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
  O = rnn_model_get_output_size (self->decoder ? self->decoder : self->model);
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
  if (mode == GST_RNN_MODE_N_TO_1) {
    /* the input passes through */
    if (out.width != in.width || out.tensors != in.tensors) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("mode=n-to-1 passes the input through, but the output caps have "
              "width %u and the input %u.", out.width, in.width),
          ("out %" GST_PTR_FORMAT, outcaps));
      return FALSE;
    }
  } else if (out.width != expect || out.tensors != in.tensors) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Output caps have width %u but %u streams of the model's output "
            "size %u need %u.", out.width, B, O, B * O),
        ("out %" GST_PTR_FORMAT, outcaps));
    return FALSE;
  }

  gst_rnn_free_stream (self);

  switch (mode) {
    case GST_RNN_MODE_N_TO_N:
      max_frames = windowed ? window : RNN_STATE_FRAMES;
      break;
    case GST_RNN_MODE_1_TO_N:
      max_frames = MIN (self->cfg_steps, RNN_STATE_FRAMES);
      break;
    default:
      max_frames = self->cfg_window;
      break;
  }
  self->state = rnn_state_new (self->model, B, max_frames, &err);
  if (self->state != NULL && mode == GST_RNN_MODE_N_TO_M)
    self->dec_state = rnn_state_new (self->decoder, B,
        MIN (self->cfg_steps, RNN_STATE_FRAMES), &err);
  if (self->state == NULL || (mode == GST_RNN_MODE_N_TO_M
          && self->dec_state == NULL)) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
        ("Could not create the state for %u streams: %s", B, err->message),
        (NULL));
    g_clear_error (&err);
    gst_rnn_free_stream (self);
    return FALSE;
  }

  self->batch = B;
  GST_OBJECT_LOCK (self);
  self->in_fmt = in;
  GST_OBJECT_UNLOCK (self);
  self->in_frame_bytes = (gsize) B * F * sizeof (float);
  self->out_frame_bytes = mode == GST_RNN_MODE_N_TO_1 ?
      self->in_frame_bytes : (gsize) B * O * sizeof (float);
  self->chunk_frames = max_frames;
  self->chunk_in = g_new (float, (gsize) max_frames * B * F);
  self->chunk_out = g_new (float, (gsize) max_frames * B * O);
  if (windowed) {
    self->win_in = g_new (float, (gsize) window * B * F);
    self->win_out = g_new (float, (gsize) window * B * O);
  }
  if (mode == GST_RNN_MODE_N_TO_1 || mode == GST_RNN_MODE_N_TO_M) {
    guint W = self->cfg_window;
    guint R = rnn_model_get_rnn_output_size (self->model);

    self->ring = g_new (float, (gsize) W * B * F);
    self->ring_pts = g_new (GstClockTime, W);
    self->ring_offset = g_new (guint64, W);
    self->seq_in = g_new (float, (gsize) W * B * F);
    self->seq_out = g_new (float, (gsize) W * B * R);
    self->pooled = g_new (float, (gsize) B * R);
    self->scores = g_new (float, (gsize) B * O);
    self->h_buf = g_new (float, rnn_model_get_h_size (self->model, B));
    self->c_buf = g_new (float, MAX (1,
            rnn_model_get_c_size (self->model, B)));
  }
  if (mode == GST_RNN_MODE_1_TO_N || mode == GST_RNN_MODE_N_TO_M) {
    RnnModel *gen = self->decoder ? self->decoder : self->model;
    guint Fg = rnn_model_get_input_size (gen);

    /* zero-filled: feed=first relies on the steps after the first */
    self->gen_in = g_new0 (float, (gsize) self->cfg_steps * B * Fg);
    self->gen_out = g_new0 (float, (gsize) self->cfg_steps * B * O);
  }
  self->in_caps = gst_caps_ref (incaps);

  gst_rnn_reset_state (self, "caps changed");

  GST_INFO_OBJECT (self, "%u stream(s) of %u -> %u floats per frame, %s, "
      "%d/%d steps/s, mode %s%s", B, F, O, bf ? "(B, T, F)" : "(T, B, F)",
      in.steps_n, in.steps_d, gst_rnn_mode_nick (mode),
      windowed ? ", windowed" : "");
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
  /* 1-to-n: steps output frames per input frame */
  if (self->cfg_mode == GST_RNN_MODE_1_TO_N) {
    if (direction == GST_PAD_SINK)
      *othersize *= self->cfg_steps;
    else if ((size / unit) % self->cfg_steps != 0)
      return FALSE;
    else
      *othersize /= self->cfg_steps;
  }
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

/* 1-to-n: every one of the @n input frames at @in drives cfg_steps output
 * frames, written to @out in the buffer layout. */
static gboolean
gst_rnn_generate_frames (GstRnn * self, const guint8 * in, guint8 * out,
    gsize n, GError ** err)
{
  guint B = self->batch;
  guint F = rnn_model_get_input_size (self->model);
  guint O = rnn_model_get_output_size (self->model);
  guint steps = self->cfg_steps;
  gboolean bf = self->cfg_batch_first;
  gsize frame = (gsize) B * F;  /* floats in one step of gen_in */
  gsize t;
  guint k;

  for (t = 0; t < n; t++) {
    /* the input frame becomes step 0 of gen_in (steps, B, F) */
    gst_rnn_copy_frames ((guint8 *) self->gen_in, steps, 0, FALSE, in, n, t,
        bf, 1, B, F);
    if (!self->cfg_carry)
      rnn_state_reset (self->state);

    if (self->cfg_feed == GST_RNN_FEED_FEEDBACK) {
      /* O == F: each output frame is the next step's input */
      if (!rnn_state_process (self->state, self->gen_in, 1, RNN_RUN_NONE,
              self->gen_out, err))
        return FALSE;
      for (k = 1; k < steps; k++)
        if (!rnn_state_process (self->state,
                self->gen_out + (gsize) (k - 1) * B * O, 1, RNN_RUN_NONE,
                self->gen_out + (gsize) k * B * O, err))
          return FALSE;
    } else {
      /* repeat: the frame at every step; first: steps 1.. stay zero */
      if (self->cfg_feed == GST_RNN_FEED_REPEAT)
        for (k = 1; k < steps; k++)
          memcpy (self->gen_in + k * frame, self->gen_in,
              frame * sizeof (float));
      if (!rnn_state_process (self->state, self->gen_in, steps, RNN_RUN_NONE,
              self->gen_out, err))
        return FALSE;
    }
    gst_rnn_copy_frames (out, n * steps, t * steps, bf,
        (const guint8 *) self->gen_out, steps, 0, FALSE, steps, B, O);
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
  if (self->cfg_mode == GST_RNN_MODE_1_TO_N) {
    g_assert (outmap.size == n * self->cfg_steps * self->out_frame_bytes);
    ok = gst_rnn_generate_frames (self, inmap.data, outmap.data, n, &err);
  } else {
    g_assert (outmap.size == n * self->out_frame_bytes);
    ok = gst_rnn_process (self, inmap.data, outmap.data, n, &err);
  }

  gst_buffer_unmap (outbuf, &outmap);
  gst_buffer_unmap (inbuf, &inmap);

  if (!ok)
    return gst_rnn_run_failed (self, err);

  if (self->cfg_mode == GST_RNN_MODE_1_TO_N) {
    guint64 off = GST_BUFFER_OFFSET (inbuf), end = GST_BUFFER_OFFSET_END (inbuf);

    GST_BUFFER_OFFSET (outbuf) = off != GST_BUFFER_OFFSET_NONE ?
        off * self->cfg_steps : GST_BUFFER_OFFSET_NONE;
    GST_BUFFER_OFFSET_END (outbuf) = end != GST_BUFFER_OFFSET_NONE ?
        end * self->cfg_steps : GST_BUFFER_OFFSET_NONE;
  }
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

/* n-to-n windowed: is a partial window run (partial-window=auto|run) or
 * dropped? */
static gboolean
gst_rnn_run_partial (GstRnn * self)
{
  GstRnnPartialWindow policy;

  GST_OBJECT_LOCK (self);
  policy = self->partial_window;
  GST_OBJECT_UNLOCK (self);
  return policy != GST_RNN_PARTIAL_WINDOW_DROP;
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
      if (!gst_rnn_run_partial (self))
        self->win_fill = 0;
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

/* ------------------------------------------- n-to-1 and n-to-m windows */

/* Copy the frames of an input buffer (@n frames at @data, starting at
 * *@cursor) into the ring until a window is complete or the buffer ends.
 * Frames before the next window's start (hop > window) are skipped.
 * Returns TRUE when frames [next_start, next_start + window) are all in
 * the ring. */
static gboolean
gst_rnn_ring_feed (GstRnn * self, const guint8 * data, gsize n,
    gsize * cursor, GstClockTime pts, guint64 offset)
{
  guint W = self->cfg_window;
  guint B = self->batch;
  guint F = rnn_model_get_input_size (self->model);

  while (*cursor < n) {
    guint64 i = self->frames_in;
    guint64 end = self->next_start + W;
    gsize k, j;
    guint slot;

    if (i < self->next_start) {
      k = MIN (n - *cursor, self->next_start - i);
      self->frames_in += k;
      *cursor += k;
      continue;
    }
    slot = i % W;
    k = MIN (n - *cursor, end - i);
    k = MIN (k, W - slot);
    gst_rnn_copy_frames ((guint8 *) self->ring, W, slot, FALSE, data, n,
        *cursor, self->cfg_batch_first, k, B, F);
    for (j = 0; j < k; j++) {
      GstClockTime d = gst_rnn_frames_to_time (self, *cursor + j);

      self->ring_pts[slot + j] = GST_CLOCK_TIME_IS_VALID (pts)
          && GST_CLOCK_TIME_IS_VALID (d) ? pts + d : GST_CLOCK_TIME_NONE;
      self->ring_offset[slot + j] = offset != GST_BUFFER_OFFSET_NONE ?
          offset + *cursor + j : GST_BUFFER_OFFSET_NONE;
    }
    self->frames_in += k;
    *cursor += k;
    if (self->frames_in == end)
      return TRUE;
  }
  return FALSE;
}

/* Run the @len frames starting at frame @start (all in the ring) through
 * the network, from a zero state unless carry-state: the top layer's
 * outputs land in seq_out (len, B, R), the final state in the state. */
static gboolean
gst_rnn_run_window (GstRnn * self, guint64 start, guint len, GError ** err)
{
  guint W = self->cfg_window;
  gsize frame = (gsize) self->batch * rnn_model_get_input_size (self->model);
  guint slot = start % W;
  guint first = MIN (len, W - slot);

  /* unroll the ring into a time-major sequence */
  memcpy (self->seq_in, self->ring + slot * frame,
      first * frame * sizeof (float));
  if (len > first)
    memcpy (self->seq_in + first * frame, self->ring,
        (len - first) * frame * sizeof (float));

  if (!self->cfg_carry)
    rnn_state_reset (self->state);
  return rnn_state_process_window (self->state, self->seq_in, len,
      RNN_RUN_NO_HEAD, self->seq_out, err);
}

/* n-to-1: pool the window's outputs (rnn.pooling) and apply the head:
 * scores (B, O). */
static void
gst_rnn_pool_window (GstRnn * self, guint len)
{
  RnnModel *m = self->model;
  guint B = self->batch;
  guint R = rnn_model_get_rnn_output_size (m);
  gsize i, t;

  switch (rnn_model_get_pooling (m)) {
    case RNN_POOLING_LAST:
      memcpy (self->pooled, self->seq_out + (gsize) (len - 1) * B * R,
          (gsize) B * R * sizeof (float));
      break;
    case RNN_POOLING_MEAN:
      for (i = 0; i < (gsize) B * R; i++) {
        double acc = 0.0;

        for (t = 0; t < len; t++)
          acc += self->seq_out[t * B * R + i];
        self->pooled[i] = (float) (acc / len);
      }
      break;
    case RNN_POOLING_FINAL_STATE:{
      /* h_n is (L * D, B, H_out): the top layer's directions, joined */
      guint L = rnn_model_get_num_layers (m);
      guint D = rnn_model_is_bidirectional (m) ? 2 : 1;
      guint Hout = R / D;
      guint b, d;

      rnn_state_get (self->state, self->h_buf, NULL);
      for (b = 0; b < B; b++)
        for (d = 0; d < D; d++)
          memcpy (self->pooled + (gsize) b * R + d * Hout,
              self->h_buf + (((gsize) (L - 1) * D + d) * B + b) * Hout,
              Hout * sizeof (float));
      break;
    }
  }
  rnn_model_apply_head (m, self->pooled, B, self->scores);
}

static void
gst_rnn_set_result_fields (GstStructure * s, guint stream, GstClockTime ts,
    GstClockTime duration, guint frames, const float *scores, guint O,
    guint top, const gchar * label)
{
  GValue arr = G_VALUE_INIT;
  guint i;

  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; i < O; i++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_FLOAT);
    g_value_set_float (&v, scores[i]);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_set (s, "stream", G_TYPE_UINT, stream,
      "timestamp", G_TYPE_UINT64, ts, "duration", G_TYPE_UINT64, duration,
      "frames", G_TYPE_UINT, frames, NULL);
  gst_structure_take_value (s, "scores", &arr);
  gst_structure_set (s, "class", G_TYPE_UINT, top, "label", G_TYPE_STRING,
      label, "confidence", G_TYPE_FLOAT, scores[top], NULL);
}

/* n-to-1: attach one result meta per stream to @buf (if any) and post one
 * element message per stream (if @post), for the window of @len frames
 * starting at frame @start whose scores are in self->scores. */
static void
gst_rnn_emit_results (GstRnn * self, GstBuffer * buf, guint64 start,
    guint len, gboolean post)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  const char *const *labels = rnn_model_get_labels (self->model);
  guint O = rnn_model_get_output_size (self->model);
  GstClockTime ts = self->ring_pts[start % self->cfg_window];
  GstClockTime dur = gst_rnn_frames_to_time (self, len);
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  guint b, i;

  if (post && GST_CLOCK_TIME_IS_VALID (ts)
      && trans->segment.format == GST_FORMAT_TIME) {
    running_time = gst_segment_to_running_time (&trans->segment,
        GST_FORMAT_TIME, ts);
    stream_time = gst_segment_to_stream_time (&trans->segment,
        GST_FORMAT_TIME, ts);
  }

  for (b = 0; b < self->batch; b++) {
    const float *sc = self->scores + (gsize) b * O;
    gchar index[16];
    const gchar *label;
    guint top = 0;

    for (i = 1; i < O; i++)
      if (sc[i] > sc[top])
        top = i;
    if (labels) {
      label = labels[top];
    } else {
      g_snprintf (index, sizeof (index), "%u", top);
      label = index;
    }
    GST_LOG_OBJECT (self, "stream %u, window at %" GST_TIME_FORMAT
        " (%u frames): class %u '%s' %f", b, GST_TIME_ARGS (ts), len, top,
        label, sc[top]);

    if (buf) {
      GstCustomMeta *meta = gst_buffer_add_custom_meta (buf,
          GST_RNN_RESULT_META_NAME);

      gst_rnn_set_result_fields (gst_custom_meta_get_structure (meta), b, ts,
          dur, len, sc, O, top, label);
    }
    if (post) {
      GstStructure *s = gst_structure_new_empty ("rnn");

      gst_rnn_set_result_fields (s, b, ts, dur, len, sc, O, top, label);
      gst_structure_set (s, "running-time", G_TYPE_UINT64, running_time,
          "stream-time", G_TYPE_UINT64, stream_time, NULL);
      gst_element_post_message (GST_ELEMENT (self),
          gst_message_new_element (GST_OBJECT (self), s));
    }
  }
}

/* Bookkeeping after the window starting at next_start has run. */
static void
gst_rnn_window_done (GstRnn * self, guint len)
{
  self->covered_end = self->next_start + len;
  self->next_start += self->cfg_hop;
}

/* n-to-1: read the buffer, run every window that ends in it and attach
 * the results.  The data is not touched. */
static GstFlowReturn
gst_rnn_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstRnn *self = GST_RNN (trans);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  guint64 offset = GST_BUFFER_OFFSET (buf);
  guint W = self->cfg_window;
  GError *err = NULL;
  GstMapInfo map;
  gboolean post;
  gsize n, cursor = 0;

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = map.size / self->in_frame_bytes;

  while (gst_rnn_ring_feed (self, map.data, n, &cursor, pts, offset)) {
    if (!gst_rnn_run_window (self, self->next_start, W, &err)) {
      gst_buffer_unmap (buf, &map);
      return gst_rnn_run_failed (self, err);
    }
    gst_rnn_pool_window (self, W);
    gst_rnn_emit_results (self, buf, self->next_start, W, post);
    gst_rnn_window_done (self, W);
  }
  gst_buffer_unmap (buf, &map);
  return GST_FLOW_OK;
}

/* n-to-m: decode the window that just ran through the encoder (@len
 * frames, the last input frame in seq_in) into a new buffer of cfg_steps
 * frames stamped as the continuation after the window. */
static GstFlowReturn
gst_rnn_decode_window (GstRnn * self, guint len, GstBuffer ** outbuf)
{
  RnnModel *enc = self->model, *dec = self->decoder;
  guint B = self->batch;
  guint steps = self->cfg_steps;
  guint O = rnn_model_get_output_size (dec);
  guint Fd = rnn_model_get_input_size (dec);
  guint R = rnn_model_get_rnn_output_size (enc);
  guint last = (self->next_start + len - 1) % self->cfg_window;
  GstClockTime pts = self->ring_pts[last];
  guint64 offset = self->ring_offset[last];
  GstClockTime frame_dur = gst_rnn_frames_to_time (self, 1);
  GError *err = NULL;
  GstMapInfo map;
  GstBuffer *buf;
  guint k;

  /* the encoder's final state starts the decoder (same shapes: checked
   * at start) */
  rnn_state_get (self->state, self->h_buf,
      rnn_model_get_cell (enc) == RNN_CELL_LSTM ? self->c_buf : NULL);
  rnn_state_set (self->dec_state, self->h_buf,
      rnn_model_get_cell (enc) == RNN_CELL_LSTM ? self->c_buf : NULL);

  if (self->cfg_feed == GST_RNN_FEED_CONTEXT) {
    /* the encoder's last top-layer output at every step */
    const float *ctx = self->seq_out + (gsize) (len - 1) * B * R;

    g_assert (Fd == R);
    for (k = 0; k < steps; k++)
      memcpy (self->gen_in + (gsize) k * B * Fd, ctx,
          (gsize) B * R * sizeof (float));
    if (!rnn_state_process (self->dec_state, self->gen_in, steps,
            RNN_RUN_NONE, self->gen_out, &err))
      return gst_rnn_run_failed (self, err);
  } else {
    /* the window's last frame, then each output (Fd == O) */
    if (!rnn_state_process (self->dec_state,
            self->seq_in + (gsize) (len - 1) * B * Fd, 1, RNN_RUN_NONE,
            self->gen_out, &err))
      return gst_rnn_run_failed (self, err);
    for (k = 1; k < steps; k++)
      if (!rnn_state_process (self->dec_state,
              self->gen_out + (gsize) (k - 1) * B * O, 1, RNN_RUN_NONE,
              self->gen_out + (gsize) k * B * O, &err))
        return gst_rnn_run_failed (self, err);
  }

  buf = gst_buffer_new_allocate (NULL, (gsize) steps * self->out_frame_bytes,
      NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  gst_rnn_copy_frames (map.data, steps, 0, self->cfg_batch_first,
      (const guint8 *) self->gen_out, steps, 0, FALSE, steps, B, O);
  gst_buffer_unmap (buf, &map);

  GST_BUFFER_PTS (buf) = GST_CLOCK_TIME_IS_VALID (pts)
      && GST_CLOCK_TIME_IS_VALID (frame_dur) ? pts + frame_dur :
      GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = gst_rnn_frames_to_time (self, steps);
  if (offset != GST_BUFFER_OFFSET_NONE) {
    GST_BUFFER_OFFSET (buf) = offset + 1;
    GST_BUFFER_OFFSET_END (buf) = offset + 1 + steps;
  }
  if (self->discont_pending) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    self->discont_pending = FALSE;
  }
  GST_LOG_OBJECT (self, "forecast of %u frame(s) at %" GST_TIME_FORMAT
      " from a window of %u", steps, GST_TIME_ARGS (GST_BUFFER_PTS (buf)),
      len);
  *outbuf = buf;
  return GST_FLOW_OK;
}

/* n-to-m: cut the input into windows; one forecast buffer per window.
 * Called repeatedly by the base class until it returns no buffer. */
static GstFlowReturn
gst_rnn_generate_forecast (GstRnn * self, GstBuffer ** outbuf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  guint W = self->cfg_window;
  GError *err = NULL;
  GstFlowReturn ret;
  GstMapInfo map;
  gboolean complete;
  gsize n, cursor;

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
    if (reset)
      gst_rnn_reset_state (self, "discont or reset signal");
    self->win_inbuf = inbuf;
    self->win_cursor = 0;
  }

  if (!gst_buffer_map (self->win_inbuf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = map.size / self->in_frame_bytes;
  cursor = self->win_cursor;
  complete = gst_rnn_ring_feed (self, map.data, n, &cursor,
      GST_BUFFER_PTS (self->win_inbuf), GST_BUFFER_OFFSET (self->win_inbuf));
  self->win_cursor = cursor;
  gst_buffer_unmap (self->win_inbuf, &map);

  if (self->win_cursor >= n)
    gst_buffer_replace (&self->win_inbuf, NULL);

  if (!complete)
    return GST_FLOW_OK;

  if (!gst_rnn_run_window (self, self->next_start, W, &err))
    return gst_rnn_run_failed (self, err);
  ret = gst_rnn_decode_window (self, W, outbuf);
  gst_rnn_window_done (self, W);
  return ret;
}

/* Is the end-of-stream tail [next_start, frames_in) to be run?  It must
 * hold frames no earlier window covered. */
static gboolean
gst_rnn_tail_due (GstRnn * self, guint * len)
{
  GstRnnPartialWindow policy;

  GST_OBJECT_LOCK (self);
  policy = self->partial_window;
  GST_OBJECT_UNLOCK (self);

  *len = 0;
  if (self->ring == NULL || self->frames_in <= self->next_start
      || self->frames_in <= self->covered_end)
    return FALSE;
  *len = (guint) (self->frames_in - self->next_start);
  if (policy != GST_RNN_PARTIAL_WINDOW_RUN) {
    GST_DEBUG_OBJECT (self, "dropping a partial window of %u frame(s)", *len);
    return FALSE;
  }
  return TRUE;
}

/* EOS in n-to-1 / n-to-m: run the partial window if due.  n-to-1 can only
 * post its result (the buffers are gone); n-to-m pushes a forecast. */
static GstFlowReturn
gst_rnn_drain_tail (GstRnn * self)
{
  GError *err = NULL;
  GstBuffer *buf = NULL;
  GstFlowReturn ret = GST_FLOW_OK;
  gboolean post;
  guint len;

  if (!gst_rnn_tail_due (self, &len))
    return GST_FLOW_OK;

  GST_DEBUG_OBJECT (self, "running a partial window of %u frame(s)", len);
  if (!gst_rnn_run_window (self, self->next_start, len, &err))
    return gst_rnn_run_failed (self, err);

  if (self->cfg_mode == GST_RNN_MODE_N_TO_1) {
    GST_OBJECT_LOCK (self);
    post = self->post_messages;
    GST_OBJECT_UNLOCK (self);
    gst_rnn_pool_window (self, len);
    gst_rnn_emit_results (self, NULL, self->next_start, len, post);
  } else {
    ret = gst_rnn_decode_window (self, len, &buf);
    if (ret == GST_FLOW_OK && buf != NULL)
      ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), buf);
  }
  gst_rnn_window_done (self, len);
  self->frames_in = self->next_start = self->covered_end = 0;
  return ret;
}

static GstFlowReturn
gst_rnn_generate_output (GstBaseTransform * trans, GstBuffer ** outbuf)
{
  GstRnn *self = GST_RNN (trans);
  GstFlowReturn ret;
  gboolean reset;

  if (self->win_in != NULL)
    return gst_rnn_generate_window (self, outbuf);
  if (self->cfg_mode == GST_RNN_MODE_N_TO_M)
    return gst_rnn_generate_forecast (self, outbuf);

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
  if (!gst_rnn_run_partial (self)) {
    GST_DEBUG_OBJECT (self, "dropping a partial window of %u frame(s)",
        self->win_fill);
    self->win_fill = 0;
    return GST_FLOW_OK;
  }

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
  gboolean n_to_n = self->cfg_mode == GST_RNN_MODE_N_TO_N;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      gst_buffer_replace (&self->win_inbuf, NULL);
      gst_rnn_reset_state (self, "flush");
      break;
    case GST_EVENT_SEGMENT:
      if (n_to_n)
        gst_rnn_drain_window (self);
      gst_rnn_reset_state (self, "new segment");
      break;
    case GST_EVENT_CAPS:
      if (n_to_n)
        gst_rnn_drain_window (self);
      break;
    case GST_EVENT_EOS:
      if (n_to_n)
        gst_rnn_drain_window (self);
      else
        gst_rnn_drain_tail (self);
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

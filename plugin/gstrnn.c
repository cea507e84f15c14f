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
 * * on a buffer flagged DISCONT, on a buffer that does not start where the
 *   previous one ended (dropped or late data) and around GAP buffers,
 *   unless #GstRnn:reset-on-discont is false (see "Dropped, late and
 *   missing data" below),
 * * when the application emits the #GstRnn::reset action signal,
 * * when #GstRnn:model is set while playing (hot swap, below).
 *
 * One stream alone is reset after a non-finite input value or state (see
 * #GstRnn:non-finite).  The state can be saved and restored with the
 * #GstRnn::snapshot and #GstRnn::restore action signals.
 *
 * The first output buffer after a reset carries the DISCONT flag (in
 * n-to-1 the buffers pass through with their own flags, plus DISCONT on a
 * buffer found to follow a timestamp gap).
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
 * buffers: the next buffer then starts later than expected, which resets
 * the state (see below).
 *
 * ## Robustness: what is guaranteed
 *
 * A model file may come from anyone and a live pipeline runs for weeks.
 * The element is built and tested (tests/plugin/test-rnn-robust.c,
 * test-rnn-soak.c, under valgrind and AddressSanitizer) so that:
 *
 * ### Model files
 *
 * A file that is not a model the core can run (truncated, malformed,
 * inconsistent shapes, NaN or Inf weights, ...; the loader is fuzzed) is
 * refused with an ERROR message naming the file and the exact reason when
 * the element starts, or with a WARNING when it is set while playing (see
 * below).  Nothing of it is ever run.
 *
 * ### Non-finite values (#GstRnn:non-finite)
 *
 * A NaN or infinite input value must not leave a stream's state poisoned
 * forever (in PyTorch one NaN makes every later output of that stream
 * NaN).  Every input buffer is scanned (one pass, no allocation, not
 * measurable next to the network) and, after each run, the state of every
 * stream (h, and c for an LSTM) is checked:
 *
 * * `reset-stream` (default): a frame holding a non-finite value in
 *   stream b is computed as it is (its output in stream b is what the
 *   network gives, usually NaN), then stream b's state is reset to zero,
 *   right after that frame: the following frames of stream b, in the same
 *   buffer and after, are computed as after a DISCONT.  Other streams are
 *   untouched.  A state that becomes non-finite although its input was
 *   finite (values so large that the network overflows) is reset at the
 *   end of that buffer.  Where a window is run as a whole (n-to-1, n-to-m,
 *   bidirectional n-to-n) the window's result for that stream is what the
 *   network gives, and a carried state (#GstRnn:carry-state, 1-to-n with
 *   carry) is reset after that window or input frame.
 * * `zero`: non-finite input values are replaced by 0 before they reach
 *   the network (in n-to-1 the buffer itself passes through unchanged);
 *   a state that still becomes non-finite is reset as above.
 * * `propagate`: no check; the element computes exactly what PyTorch
 *   would, and a NaN stays in the stream's state until the next reset.
 * * `error`: a non-finite input value, or a state that becomes non-finite,
 *   stops the stream with a STREAM DECODE error naming the stream, the
 *   time and the frame.
 *
 * With `reset-stream` and `zero` a WARNING message says what happened,
 * e.g. "Stream 1 has a non-finite input value (NaN or Inf) at
 * 0:00:00.130000000: that frame is computed as it is and the stream's
 * state is reset to zero after it.".  Its details structure
 * (gst_message_parse_warning_details()) has `stream` (guint),
 * `timestamp` (guint64, the time of the first bad frame or of the
 * buffer), `running-time`, `buffer-timestamp`, `frame` (guint64, index in
 * the buffer; input only), `reason` ("input" or "state") and `policy`.
 * One warning is posted per stream and per run of consecutive buffers
 * holding non-finite values in that stream, so a stream that stays NaN
 * does not flood the bus.
 *
 * ### Dropped, late and missing data
 *
 * The element knows where the next buffer should start: the previous
 * buffer's timestamp plus its duration (or its frame count at the caps'
 * rate).  A buffer that starts elsewhere by more than
 * #GstRnn:timestamp-tolerance (default: half a frame), later (data was
 * dropped, e.g. by a QoS-enabled element upstream or a network source) or
 * earlier (data repeated), is a discontinuity, handled as a buffer flagged
 * DISCONT: the state is reset (unless #GstRnn:reset-on-discont is false)
 * and the output is flagged DISCONT; the element logs it (INFO).  A
 * buffer flagged GAP holds no real data: it is a discontinuity at both
 * ends, the state is reset before it and before the first non-GAP buffer
 * after it.  Its frames are computed as any others (the output is not
 * flagged GAP: the network's answer to filler is not neutral data).
 * Buffers without a timestamp, or without a duration when the rate is
 * unknown (tensors at framerate 0/1), are not checked.  Half a frame
 * suits sources that stamp buffers from their sample count; a source
 * whose timestamps jitter more needs a larger tolerance.
 *
 * ### Hot model swap
 *
 * Setting #GstRnn:model in PAUSED or PLAYING loads and checks the new file
 * in the thread that sets the property, outside any lock the streaming
 * thread takes, so buffers keep flowing meanwhile.  The streaming thread
 * switches models between two input buffers: every buffer is computed
 * entirely by one model, none is dropped or computed twice.  At the
 * switch:
 *
 * * the state of every stream is reset (the first output after it is
 *   flagged DISCONT; in n-to-1 and n-to-m a window in progress is
 *   dropped; a bidirectional model's pending frames are first run, as a
 *   shorter window, with the model they came for);
 * * if the output width (or, for tensors, the window) changes, the output
 *   caps are renegotiated before the first buffer of the new model;
 *   LATENCY is posted if the latency changes;
 * * an element message `rnn-model-changed` (fields `model`,
 *   `previous-model`, `output-size`) is posted.
 *
 * The running model stays, a WARNING names the file and the reason, and
 * the property keeps its previous value, when the new file cannot be
 * loaded, does not fit the mode (e.g. a plain model in n-to-m, a
 * bidirectional one in n-to-n without a window), reads another number of
 * values per frame (the input caps cannot change while playing: the
 * warning names both sizes), or outputs a width downstream does not
 * accept.  Setting the same file again reloads it (and resets the state).
 * Setting the property from several threads is safe; the last file set
 * wins.  Tested by a thread switching between two models and junk files
 * while buffers flow: every output equals, bit for bit, one model's.
 *
 * ### State snapshots
 *
 * The #GstRnn::snapshot action signal returns the state of every stream
 * (the encoder's in n-to-m) as bytes with a small versioned header naming
 * the model (rnn_state_snapshot()), taken between two buffers.  The
 * #GstRnn::restore action signal makes the next buffer start from such a
 * snapshot, after any reset due at that buffer (so a source's first
 * buffer, flagged DISCONT, does not wipe it).  A snapshot of another model
 * (other shapes or other weights) or of another number of streams is
 * refused: restore returns FALSE and posts a WARNING with the reason
 * ("snapshot was taken with other weights", "snapshot batch is 2, this
 * state has 3").  Both signals may be emitted from any thread (a bus sync
 * handler included), in PAUSED or PLAYING; restore may also be emitted in
 * NULL or READY (the snapshot is then checked at the first buffer).  The
 * state is what carries a stream across buffers in n-to-n, and across
 * windows or frames with #GstRnn:carry-state; without it, windows start
 * from zero and a restore has no effect.
 * |[
 * GBytes *snap = NULL;
 * gboolean ok = FALSE;
 *
 * g_signal_emit_by_name (rnn, "snapshot", &snap);   // before stopping
 * // ... save it, restart, build a new pipeline, set it to PLAYING ...
 * g_signal_emit_by_name (rnn, "restore", snap, &ok); // before the data
 * g_bytes_unref (snap);
 * ]|
 * Stopping after half a sequence, restoring into a new pipeline and
 * running the second half gives the same outputs, bit for bit, as a run
 * that never stopped.
 *
 * ### Long runs
 *
 * Once the caps are set the element allocates nothing per buffer but the
 * output buffer (messages aside).  A soak test runs one hour of stream
 * time (100 Hz in the element tests, 16 kHz in suite `soak`) in buffers of
 * varying sizes: every output equals the core's, bit for bit, snapshots
 * through the element equal the core's, and resident memory after a
 * warm-up and at the end differ by less than 1 MB.
 *
 * ### Threads
 *
 * Properties may be set and the action signals emitted from any thread.
 * The streaming thread never holds a lock while pushing downstream, so a
 * snapshot does not wait for a blocked sink.
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
 * |[
 * gst-launch-1.0 udpsrc port=5004 \
 *         caps="application/x-rtp,media=audio,clock-rate=16000,encoding-name=L16,channels=1" ! \
 *     rtpjitterbuffer ! rtpL16depay ! audioconvert ! \
 *     audio/x-raw,format=F32LE ! \
 *     rnn model=model.safetensors ! fakesink
 * ]| A mono 16 kHz RTP stream: the state restarts where packets were lost
 * (the depayloader flags DISCONT, or the timestamps jump) instead of
 * running across the hole.
 * |[
 * gst-launch-1.0 -m filesrc location=sensor.f32 ! \
 *     rawaudioparse use-sink-caps=false format=pcm pcm-format=f32le \
 *         num-channels=3 sample-rate=100 ! \
 *     rnn model=model.safetensors non-finite=zero ! filesink location=out.f32
 * ]| NaN or Inf readings count as 0, with a WARNING naming the stream and
 * the time (`-m` prints it).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstrnn-private.h"

GST_DEBUG_CATEGORY (gst_rnn_debug);

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

enum
{
  SIGNAL_RESET,
  SIGNAL_SNAPSHOT,
  SIGNAL_RESTORE,
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
#define DEFAULT_THREADS 1
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_PARTIAL_WINDOW GST_RNN_PARTIAL_WINDOW_AUTO
#define DEFAULT_NON_FINITE GST_RNN_NON_FINITE_RESET_STREAM
#define DEFAULT_TIMESTAMP_TOLERANCE -1

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
  PROP_PARTIAL_WINDOW,
  PROP_NON_FINITE,
  PROP_TIMESTAMP_TOLERANCE,
  PROP_THREADS
};

static guint gst_rnn_signals[LAST_SIGNAL] = { 0 };

static GstStaticPadTemplate gst_rnn_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (RNN_CAPS));

static GstStaticPadTemplate gst_rnn_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (RNN_CAPS));

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
static GstFlowReturn gst_rnn_submit_input_buffer (GstBaseTransform * trans,
    gboolean is_discont, GstBuffer * input);
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
   *
   * May be set in PAUSED or PLAYING: the new file is loaded and checked in
   * the thread that sets the property, and the streaming thread switches
   * to it before the next input buffer, resetting the state (see "Hot
   * model swap" in the element documentation).  A file that cannot be
   * used leaves the running model in place, posts a WARNING message and
   * the property keeps its previous value.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Path of the safetensors file with the PyTorch RNN/LSTM/GRU "
          "weights (and optional Linear head); loaded on READY->PAUSED; "
          "setting it in PAUSED/PLAYING loads the new file and switches to "
          "it at the next buffer (state reset), or keeps the old model and "
          "posts a warning if the file is unusable",
          DEFAULT_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

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
   * processed.  The same holds for the discontinuities the element finds
   * itself: a buffer that does not start where the previous one ended
   * (#GstRnn:timestamp-tolerance) and GAP buffers.  Set to false to carry
   * the state across such gaps (the output is still flagged DISCONT).
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
   * GstRnn:threads:
   *
   * Threads for the matrix products of this element's streams (1 to 8;
   * default 1).  With 2 on a 2-core machine, the rows of every weight
   * matrix are split between the cores, so each reads half of the
   * recurrent weights from its own cache: a batch-1 LSTM with 256 hidden
   * units runs about 2x faster per step (see the README's Speed section);
   * small models (under 129 rows of weights) are not split.  Outputs are
   * identical to one thread.  The worker threads spin briefly between
   * steps, then sleep.  Applied when the stream starts.
   */
  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_uint ("threads", "Threads",
          "Threads sharing each matrix product of the network (1 = the "
          "streaming thread only); outputs are identical whatever the count",
          1, 8, DEFAULT_THREADS,
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
   * GstRnn:non-finite:
   *
   * What happens to non-finite input values (NaN, +Inf, -Inf):
   *
   * * `reset-stream` (default): the frame is computed as PyTorch would
   *   compute it (its output in that stream is usually NaN), then that
   *   stream's state is reset to zero, so the following frames are
   *   computed as after a DISCONT; the other streams are not touched.  A
   *   state that becomes non-finite although the input was finite (values
   *   so large that the network overflows) is reset too.
   * * `propagate`: nothing is checked, as in PyTorch: a NaN stays in the
   *   stream's state, and every later output of that stream is NaN, until
   *   the next reset.
   * * `zero`: non-finite input values are replaced by 0 before computing
   *   (in n-to-1 only what the network reads: the buffer passes through
   *   unchanged); a state that becomes non-finite is reset.
   * * `error`: a non-finite input value, or a state that becomes
   *   non-finite, stops the stream with an error naming the stream and
   *   the time.
   *
   * With `reset-stream` and `zero`, a WARNING message names the stream,
   * the time and what was done; see "Non-finite values" in the element
   * documentation.
   */
  g_object_class_install_property (gobject_class, PROP_NON_FINITE,
      g_param_spec_enum ("non-finite", "Non-finite",
          "What to do with NaN/Inf input values: reset-stream (compute, "
          "then reset that stream's state, warn), propagate (no check, as "
          "PyTorch: the state stays NaN until a reset), zero (replace them "
          "by 0, warn) or error (fail the stream)",
          GST_TYPE_RNN_NON_FINITE, DEFAULT_NON_FINITE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRnn:timestamp-tolerance:
   *
   * A buffer whose timestamp differs from the end of the previous buffer
   * (its timestamp plus its duration, or its frame count at the caps'
   * rate) by more than this many nanoseconds is a discontinuity: frames
   * were dropped or arrived late.  It is handled as a buffer flagged
   * DISCONT (the state is reset unless #GstRnn:reset-on-discont is false)
   * and the output is flagged DISCONT.  -1 (default) means half a frame,
   * right for sources that stamp buffers from their sample count (audio
   * sources, parsers, RTP depayloaders, an application counting frames).
   * A source whose timestamps jitter (e.g. capture times of network
   * packets) needs more, e.g. 40 ms as audiobasesink's
   * alignment-threshold.  G_MAXINT64 turns the check off.
   */
  g_object_class_install_property (gobject_class, PROP_TIMESTAMP_TOLERANCE,
      g_param_spec_int64 ("timestamp-tolerance", "Timestamp tolerance",
          "Largest difference in ns between a buffer's timestamp and the end "
          "of the previous buffer that is not a discontinuity (dropped or "
          "late data, handled as DISCONT); -1 = half a frame, G_MAXINT64 = "
          "never",
          -1, G_MAXINT64, DEFAULT_TIMESTAMP_TOLERANCE,
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

  /**
   * GstRnn::snapshot:
   * @rnn: the #GstRnn
   *
   * Action signal: a copy of the hidden state of every stream (the
   * encoder's in n-to-m), as bytes with a small versioned header naming
   * the model (see rnn_state_snapshot()), taken between two buffers.
   * Works in PAUSED and PLAYING once the caps are known.
   *
   * Returns: (transfer full) (nullable): the snapshot, or %NULL when the
   * element has no state yet (no caps received)
   */
  gst_rnn_signals[SIGNAL_SNAPSHOT] =
      g_signal_new_class_handler ("snapshot", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_rnn_snapshot_action), NULL, NULL, NULL, G_TYPE_BYTES,
      0);

  /**
   * GstRnn::restore:
   * @rnn: the #GstRnn
   * @snapshot: bytes from #GstRnn::snapshot
   *
   * Action signal: the next buffer starts from the state in @snapshot
   * (after any reset due at that buffer, such as its DISCONT flag).  The
   * snapshot must come from the same model (same weights) and the same
   * number of streams: otherwise it is refused, a WARNING message says
   * why, and %FALSE is returned.  In NULL or READY the model is not
   * loaded yet: the snapshot is kept and checked at the first buffer.
   *
   * Returns: %TRUE if the snapshot was accepted
   */
  gst_rnn_signals[SIGNAL_RESTORE] =
      g_signal_new_class_handler ("restore", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_rnn_restore_action), NULL, NULL, NULL, G_TYPE_BOOLEAN,
      1, G_TYPE_BYTES);

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
  trans_class->submit_input_buffer =
      GST_DEBUG_FUNCPTR (gst_rnn_submit_input_buffer);
  trans_class->generate_output = GST_DEBUG_FUNCPTR (gst_rnn_generate_output);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_rnn_transform);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_rnn_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_rnn_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_rnn_query);
  trans_class->passthrough_on_same_caps = FALSE;

  gst_type_mark_as_plugin_api (GST_TYPE_RNN_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_FEED, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_PARTIAL_WINDOW, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RNN_NON_FINITE, 0);

  gst_rnn_result_meta_get_info ();
}

static void
gst_rnn_init (GstRnn * self)
{
  self->settings.model_path = g_strdup (DEFAULT_MODEL);
  self->settings.batch_first = DEFAULT_BATCH_FIRST;
  self->settings.mode = DEFAULT_MODE;
  self->settings.reset_on_discont = DEFAULT_RESET_ON_DISCONT;
  self->settings.window = DEFAULT_WINDOW;
  self->settings.hop = DEFAULT_HOP;
  self->settings.steps = DEFAULT_STEPS;
  self->settings.feed = DEFAULT_FEED;
  self->settings.carry_state = DEFAULT_CARRY_STATE;
  self->settings.threads = DEFAULT_THREADS;
  self->settings.post_messages = DEFAULT_POST_MESSAGES;
  self->settings.partial_window = DEFAULT_PARTIAL_WINDOW;
  self->settings.non_finite = DEFAULT_NON_FINITE;
  self->settings.timestamp_tolerance = DEFAULT_TIMESTAMP_TOLERANCE;
  self->stream.win_pts = GST_CLOCK_TIME_NONE;
  self->stream.win_offset = GST_BUFFER_OFFSET_NONE;
  self->stream.discont_pending = TRUE;
  self->stream.next_pts = GST_CLOCK_TIME_NONE;
  self->stream.frame_dur = GST_CLOCK_TIME_NONE;
  g_rec_mutex_init (&self->state_lock);
}

static void
gst_rnn_finalize (GObject * object)
{
  GstRnn *self = GST_RNN (object);

  g_free (self->settings.model_path);
  g_clear_pointer (&self->requests.model, rnn_model_unref);
  g_clear_pointer (&self->requests.decoder, rnn_model_unref);
  g_free (self->requests.path);
  g_clear_pointer (&self->requests.restore, g_bytes_unref);
  g_rec_mutex_clear (&self->state_lock);

  G_OBJECT_CLASS (parent_class)->finalize (object);
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

  /* may load a file: not under the object lock */
  if (prop_id == PROP_MODEL) {
    gst_rnn_set_model (self, g_value_get_string (value));
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_BATCH_FIRST:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.batch_first = g_value_get_boolean (value);
      break;
    case PROP_MODE:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.mode = g_value_get_enum (value);
      break;
    case PROP_RESET_ON_DISCONT:
      self->settings.reset_on_discont = g_value_get_boolean (value);
      break;
    case PROP_WINDOW:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.window = g_value_get_uint (value);
      break;
    case PROP_HOP:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.hop = g_value_get_uint (value);
      break;
    case PROP_STEPS:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.steps = g_value_get_uint (value);
      break;
    case PROP_FEED:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.feed = g_value_get_enum (value);
      break;
    case PROP_CARRY_STATE:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.carry_state = g_value_get_boolean (value);
      break;
    case PROP_THREADS:
      if (gst_rnn_check_mutable_ready (self, pspec))
        self->settings.threads = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->settings.post_messages = g_value_get_boolean (value);
      break;
    case PROP_PARTIAL_WINDOW:
      self->settings.partial_window = g_value_get_enum (value);
      break;
    case PROP_NON_FINITE:
      self->settings.non_finite = g_value_get_enum (value);
      break;
    case PROP_TIMESTAMP_TOLERANCE:
      self->settings.timestamp_tolerance = g_value_get_int64 (value);
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
      g_value_set_string (value, self->settings.model_path);
      break;
    case PROP_BATCH_FIRST:
      g_value_set_boolean (value, self->settings.batch_first);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->settings.mode);
      break;
    case PROP_RESET_ON_DISCONT:
      g_value_set_boolean (value, self->settings.reset_on_discont);
      break;
    case PROP_WINDOW:
      g_value_set_uint (value, self->settings.window);
      break;
    case PROP_HOP:
      g_value_set_uint (value, self->settings.hop);
      break;
    case PROP_STEPS:
      g_value_set_uint (value, self->settings.steps);
      break;
    case PROP_FEED:
      g_value_set_enum (value, self->settings.feed);
      break;
    case PROP_CARRY_STATE:
      g_value_set_boolean (value, self->settings.carry_state);
      break;
    case PROP_THREADS:
      g_value_set_uint (value, self->settings.threads);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->settings.post_messages);
      break;
    case PROP_PARTIAL_WINDOW:
      g_value_set_enum (value, self->settings.partial_window);
      break;
    case PROP_NON_FINITE:
      g_value_set_enum (value, self->settings.non_finite);
      break;
    case PROP_TIMESTAMP_TOLERANCE:
      g_value_set_int64 (value, self->settings.timestamp_tolerance);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_rnn_reset_action (GstRnn * self)
{
  GST_INFO_OBJECT (self, "reset requested");
  g_atomic_int_set (&self->requests.reset, 1);
}

static gboolean
gst_rnn_start (GstBaseTransform * trans)
{
  GstRnn *self = GST_RNN (trans);
  RnnModel *model, *decoder;
  gchar *path;

  model = gst_rnn_load_configured (self, &decoder, &path);
  if (model == NULL)
    return FALSE;

  g_rec_mutex_lock (&self->state_lock);
  self->stream.model = model;
  self->stream.decoder = decoder;
  g_free (self->stream.running_path);
  self->stream.running_path = path;
  self->stream.discont_pending = TRUE;
  self->stream.win_fill = 0;
  self->stream.frames_in = self->stream.next_start =
      self->stream.covered_end = 0;
  self->stream.next_pts = GST_CLOCK_TIME_NONE;
  self->stream.frame_dur = GST_CLOCK_TIME_NONE;
  self->stream.after_gap = FALSE;
  g_atomic_int_set (&self->requests.reset, 0);
  g_rec_mutex_unlock (&self->state_lock);

  /* n-to-1 annotates the input buffers in place; the others make new
   * output buffers. */
  gst_base_transform_set_in_place (trans,
      self->config.mode == GST_RNN_MODE_N_TO_1);
  return TRUE;
}

static gboolean
gst_rnn_stop (GstBaseTransform * trans)
{
  GstRnn *self = GST_RNN (trans);
  RnnModel *pending, *pending_dec;
  GBytes *restore;

  GST_OBJECT_LOCK (self);
  self->config.in_size = 0;
  self->config.out_size = 0;
  self->config.windowed = FALSE;
  self->config.steps = 1;
  self->config.mode = GST_RNN_MODE_N_TO_N;
  /* a swap or restore not consumed yet dies with the stream; the 'model'
   * property already names the swapped-in file, loaded on the next
   * start */
  pending = g_steal_pointer (&self->requests.model);
  pending_dec = g_steal_pointer (&self->requests.decoder);
  g_clear_pointer (&self->requests.path, g_free);
  restore = g_steal_pointer (&self->requests.restore);
  GST_OBJECT_UNLOCK (self);

  g_clear_pointer (&pending, rnn_model_unref);
  g_clear_pointer (&pending_dec, rnn_model_unref);
  g_clear_pointer (&restore, g_bytes_unref);

  g_rec_mutex_lock (&self->state_lock);
  gst_rnn_free_stream (self);
  g_clear_pointer (&self->stream.model, rnn_model_unref);
  g_clear_pointer (&self->stream.decoder, rnn_model_unref);
  g_clear_pointer (&self->stream.running_path, g_free);
  self->stream.win_fill = 0;
  self->stream.discont_pending = TRUE;
  g_rec_mutex_unlock (&self->state_lock);

  return TRUE;
}

static GstCaps *
gst_rnn_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  return gst_rnn_caps_transform (GST_RNN (trans), direction, caps, filter);
}

static GstCaps *
gst_rnn_fixate_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * othercaps)
{
  return gst_rnn_caps_fixate (GST_RNN (trans), othercaps);
}

static gboolean
gst_rnn_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstRnn *self = GST_RNN (trans);
  gboolean ret;

  g_rec_mutex_lock (&self->state_lock);
  ret = gst_rnn_configure (self, incaps, outcaps);
  g_rec_mutex_unlock (&self->state_lock);
  return ret;
}

static gboolean
gst_rnn_transform_size (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, gsize size, GstCaps * othercaps, gsize * othersize)
{
  GstRnn *self = GST_RNN (trans);
  gsize unit = direction == GST_PAD_SINK ?
      self->stream.in_frame_bytes : self->stream.out_frame_bytes;
  gsize other = direction == GST_PAD_SINK ?
      self->stream.out_frame_bytes : self->stream.in_frame_bytes;

  if (unit == 0 || size % unit != 0)
    return FALSE;
  *othersize = size / unit * other;
  /* 1-to-n: steps output frames per input frame */
  if (self->config.mode == GST_RNN_MODE_1_TO_N) {
    if (direction == GST_PAD_SINK)
      *othersize *= self->config.steps;
    else if ((size / unit) % self->config.steps != 0)
      return FALSE;
    else
      *othersize /= self->config.steps;
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

  n = inmap.size / self->stream.in_frame_bytes;
  if (self->config.mode == GST_RNN_MODE_1_TO_N) {
    g_assert (outmap.size ==
        n * self->config.steps * self->stream.out_frame_bytes);
    ok = gst_rnn_generate_frames (self, inmap.data, outmap.data, n, &err);
  } else {
    g_assert (outmap.size == n * self->stream.out_frame_bytes);
    ok = gst_rnn_process (self, inmap.data, outmap.data, n, &err);
  }

  gst_buffer_unmap (outbuf, &outmap);
  gst_buffer_unmap (inbuf, &inmap);

  if (!ok)
    return gst_rnn_run_failed (self, err);
  if (self->config.mode == GST_RNN_MODE_N_TO_N
      && !gst_rnn_check_state (self, self->stream.state))
    return GST_FLOW_ERROR;

  if (self->config.mode == GST_RNN_MODE_1_TO_N) {
    guint64 off = GST_BUFFER_OFFSET (inbuf);
    guint64 end = GST_BUFFER_OFFSET_END (inbuf);

    GST_BUFFER_OFFSET (outbuf) = off != GST_BUFFER_OFFSET_NONE ?
        off * self->config.steps : GST_BUFFER_OFFSET_NONE;
    GST_BUFFER_OFFSET_END (outbuf) = end != GST_BUFFER_OFFSET_NONE ?
        end * self->config.steps : GST_BUFFER_OFFSET_NONE;
  }
  if (self->stream.discont_pending) {
    GST_BUFFER_FLAG_SET (outbuf, GST_BUFFER_FLAG_DISCONT);
    self->stream.discont_pending = FALSE;
  }
  GST_LOG_OBJECT (self, "processed %" G_GSIZE_FORMAT " frame(s) at %"
      GST_TIME_FORMAT, n, GST_TIME_ARGS (GST_BUFFER_PTS (inbuf)));
  return GST_FLOW_OK;

map_failed:
  GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
      (NULL));
  return GST_FLOW_ERROR;
}

/* n-to-1: read the buffer, run every window that ends in it and attach
 * the results.  The data is not touched. */
static GstFlowReturn
gst_rnn_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstRnn *self = GST_RNN (trans);
  GstFlowReturn ret;
  GstMapInfo map;
  gboolean post;

  GST_OBJECT_LOCK (self);
  post = self->settings.post_messages;
  GST_OBJECT_UNLOCK (self);

  /* a gap found from the timestamps: say so downstream */
  if (self->stream.mark_discont)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a buffer."),
        (NULL));
    return GST_FLOW_ERROR;
  }
  ret = gst_rnn_annotate (self, buf, map.data,
      map.size / self->stream.in_frame_bytes, post);
  gst_buffer_unmap (buf, &map);
  return ret;
}

static GstFlowReturn
gst_rnn_generate_output_locked (GstRnn * self, GstBuffer ** outbuf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstFlowReturn ret;
  gboolean reset;

  if (self->stream.win_in != NULL)
    return gst_rnn_generate_window (self, outbuf);
  if (self->config.mode == GST_RNN_MODE_N_TO_M)
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
    gst_rnn_apply_restore (self);
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->generate_output (trans,
      outbuf);
}

/* Everything a buffer does to the state happens under the state lock, so
 * that "snapshot" and "restore" see buffer boundaries; the base class
 * pushes the output after this returns, without the lock. */
static GstFlowReturn
gst_rnn_generate_output (GstBaseTransform * trans, GstBuffer ** outbuf)
{
  GstRnn *self = GST_RNN (trans);
  GstFlowReturn ret;

  g_rec_mutex_lock (&self->state_lock);
  ret = gst_rnn_generate_output_locked (self, outbuf);
  g_rec_mutex_unlock (&self->state_lock);
  return ret;
}

static gboolean
gst_rnn_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstRnn *self = GST_RNN (trans);
  gboolean n_to_n = self->config.mode == GST_RNN_MODE_N_TO_N;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      g_rec_mutex_lock (&self->state_lock);
      gst_buffer_replace (&self->stream.win_inbuf, NULL);
      gst_rnn_reset_state (self, "flush");
      self->stream.next_pts = GST_CLOCK_TIME_NONE;
      self->stream.after_gap = FALSE;
      g_rec_mutex_unlock (&self->state_lock);
      break;
    case GST_EVENT_SEGMENT:
      if (n_to_n)
        gst_rnn_drain_window (self);
      g_rec_mutex_lock (&self->state_lock);
      gst_rnn_reset_state (self, "new segment");
      self->stream.next_pts = GST_CLOCK_TIME_NONE;
      self->stream.after_gap = FALSE;
      g_rec_mutex_unlock (&self->state_lock);
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
    GstClockTime min, max, ours = gst_rnn_latency (self);
    gboolean live;

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

static GstFlowReturn
gst_rnn_submit_input_buffer (GstBaseTransform * trans, gboolean is_discont,
    GstBuffer * input)
{
  GstRnn *self = GST_RNN (trans);
  gboolean swapped = gst_rnn_swap_pending (self);
  GstFlowReturn ret;

  ret = GST_BASE_TRANSFORM_CLASS (parent_class)->submit_input_buffer (trans,
      is_discont, input);

  if (swapped && (ret == GST_FLOW_OK
          || ret == GST_BASE_TRANSFORM_FLOW_DROPPED))
    gst_rnn_swap_configure (self);
  return ret;
}


/* gst-rnn core: PyTorch-exact RNN / LSTM / GRU inference on streams.
 *
 * Two objects:
 *
 *   RnnModel  the weights of one recurrent network (plus an optional
 *             Linear head), loaded from a safetensors file.  Immutable after
 *             load and reference counted: one model may be shared by any
 *             number of states and threads without locking.
 *             rnn_model_ref()/rnn_model_unref() are thread-safe.
 *
 *   RnnState  the hidden state of B independent streams running one model,
 *             plus the scratch memory a call needs.  A state belongs to one
 *             stream (one thread) at a time; calls on the same state must be
 *             serialised by the caller.  Different states may run
 *             concurrently on the same model.  A state holds a reference on
 *             its model.
 *
 * Shapes follow PyTorch exactly (F = input size, B = batch / streams,
 * T = frames, L = layers, D = 2 if bidirectional else 1,
 * H = hidden size, P = H_out = projection size if any else H):
 *
 *   input   (T, B, F)   or (B, T, F) with RNN_RUN_BATCH_FIRST
 *   output  (T, B, O)   or (B, T, O); O = rnn_model_get_output_size():
 *                       the head's width, or D * H_out without a head (or
 *                       with RNN_RUN_NO_HEAD)
 *   h0/h_n  (L * D, B, H_out), index = layer * D + direction
 *   c0/c_n  (L * D, B, H)      (LSTM only)
 *
 * All floats are host-endian IEEE-754 binary32.
 *
 * Errors: loading returns NULL and sets a GError in the RNN_ERROR domain
 * whose message names the file, the tensor or key and the expected versus
 * found value.  Run-time functions only fail on caller mistakes (a
 * bidirectional model fed frame by frame, a window larger than the state's
 * capacity) and say so in the GError.
 *
 * Memory: nothing is allocated by rnn_state_process(),
 * rnn_state_process_window() or rnn_model_apply_head() once the state
 * exists (except the GError on failure).
 */
#ifndef RNN_CORE_H
#define RNN_CORE_H

#include <glib.h>

G_BEGIN_DECLS

#ifndef RNN_API
#define RNN_API __attribute__((visibility("default")))
#endif

#define RNN_ERROR (rnn_error_quark ())
RNN_API GQuark rnn_error_quark (void);

typedef enum {
  RNN_ERROR_IO,        /* file cannot be read */
  RNN_ERROR_FORMAT,    /* not a valid safetensors file */
  RNN_ERROR_MODEL,     /* valid safetensors, but not a model we can run */
  RNN_ERROR_USAGE      /* a run-time call the model or state cannot serve */
} RnnError;

typedef enum {
  RNN_CELL_RNN_TANH,
  RNN_CELL_RNN_RELU,
  RNN_CELL_LSTM,
  RNN_CELL_GRU
} RnnCell;

typedef enum {
  RNN_ACTIVATION_NONE,
  RNN_ACTIVATION_SOFTMAX,
  RNN_ACTIVATION_SIGMOID
} RnnActivation;

typedef enum {
  RNN_POOLING_LAST,         /* output at the last frame of the window */
  RNN_POOLING_FINAL_STATE,  /* top layer's final h, both directions joined */
  RNN_POOLING_MEAN          /* mean of the outputs over the window */
} RnnPooling;

typedef struct _RnnModel RnnModel;
typedef struct _RnnState RnnState;

/* ------------------------------------------------------------------ model */

/* Load options.  Zero-initialise and set what you need. */
typedef struct {
  /* Key prefix of the recurrent module ("rnn.", "encoder.").  NULL: found
   * automatically (the one prefix that has "weight_ih_l0"). */
  const char *prefix;
  /* Key prefix of the Linear head ("fc.", "decoder.fc.").  NULL: the
   * "rnn.head" metadata, else the single remaining X.weight/X.bias pair
   * whose input width fits, else no head. */
  const char *head_prefix;
  /* TRUE: never attach a head (e.g. an encoder). */
  gboolean no_head;
} RnnLoadOptions;

/* Load a model from a safetensors file.  Returns a new model (free with
 * rnn_model_unref()) or NULL with @error set.  @options may be NULL.
 * Thread-safe (no shared state). */
RNN_API RnnModel *rnn_model_load (const char *path,
    const RnnLoadOptions * options, GError ** error);

/* Same, from memory.  @name is used in error messages in place of the file
 * name.  @data is not referenced after the call returns. */
RNN_API RnnModel *rnn_model_load_from_data (const guint8 * data, gsize size,
    const char *name, const RnnLoadOptions * options, GError ** error);

RNN_API RnnModel *rnn_model_ref (RnnModel * model);
RNN_API void rnn_model_unref (RnnModel * model);

/* Accessors.  All are cheap and thread-safe.  Returned strings and arrays
 * are owned by the model and live as long as it does. */
RNN_API RnnCell rnn_model_get_cell (const RnnModel * model);
RNN_API const char *rnn_cell_name (RnnCell cell);  /* "rnn_tanh", "lstm", ... */
RNN_API guint rnn_model_get_input_size (const RnnModel * model);    /* F */
RNN_API guint rnn_model_get_hidden_size (const RnnModel * model);   /* H */
RNN_API guint rnn_model_get_proj_size (const RnnModel * model);     /* P, 0 = none */
RNN_API guint rnn_model_get_num_layers (const RnnModel * model);    /* L */
RNN_API gboolean rnn_model_is_bidirectional (const RnnModel * model);
RNN_API gboolean rnn_model_has_bias (const RnnModel * model);
/* D * H_out: width of the top layer's output. */
RNN_API guint rnn_model_get_rnn_output_size (const RnnModel * model);
/* Width of one output frame: the head's width, or D * H_out. */
RNN_API guint rnn_model_get_output_size (const RnnModel * model);
RNN_API gboolean rnn_model_has_head (const RnnModel * model);
RNN_API RnnActivation rnn_model_get_head_activation (const RnnModel * model);
RNN_API RnnPooling rnn_model_get_pooling (const RnnModel * model);
/* NULL-terminated class names from "rnn.labels", or NULL. */
RNN_API const char *const *rnn_model_get_labels (const RnnModel * model);
/* Any "__metadata__" value, or NULL. */
RNN_API const char *rnn_model_get_metadata (const RnnModel * model,
    const char *key);
/* A 64-bit fingerprint of the weights actually used (FNV-1a over tensor
 * names and bytes, and the cell): equal for two loads of the same file. */
RNN_API guint64 rnn_model_get_fingerprint (const RnnModel * model);
/* Elements in one h0/h_n (resp. c0/c_n) for a batch of @batch. */
RNN_API gsize rnn_model_get_h_size (const RnnModel * model, guint batch);
RNN_API gsize rnn_model_get_c_size (const RnnModel * model, guint batch);

/* Apply the head (Linear + activation) to @n rows of
 * rnn_model_get_rnn_output_size() floats at @in, writing @n rows of
 * rnn_model_get_output_size() floats to @out.  @in and @out must not
 * overlap.  Without a head this copies.  Thread-safe, allocates nothing. */
RNN_API void rnn_model_apply_head (const RnnModel * model, const float *in,
    gsize n, float *out);

/* ------------------------------------------------------------------ state */

typedef enum {
  RNN_RUN_NONE = 0,
  RNN_RUN_BATCH_FIRST = 1 << 0,  /* input/output are (B, T, *) */
  RNN_RUN_NO_HEAD = 1 << 1       /* output the top layer, skip the head */
} RnnRunFlags;

/* New state for @batch streams (>= 1), zeroed.  @max_frames (>= 1) sizes
 * the scratch memory: rnn_state_process() splits longer blocks internally;
 * rnn_state_process_window() accepts at most @max_frames frames.  Returns
 * NULL and sets @error if the sizes overflow memory.  Takes a reference on
 * @model.  Free with rnn_state_free(). */
RNN_API RnnState *rnn_state_new (RnnModel * model, guint batch,
    guint max_frames, GError ** error);
RNN_API void rnn_state_free (RnnState * state);

RNN_API RnnModel *rnn_state_get_model (const RnnState * state);  /* no ref */
RNN_API guint rnn_state_get_batch (const RnnState * state);
RNN_API guint rnn_state_get_max_frames (const RnnState * state);

/* Run this state's matrix products on @n_threads threads (1, the
 * default, to 8): each product is split by rows of the weights, so with
 * two cores each reads half of the recurrent weights from its own cache.
 * The n-1 worker threads are created here and live until the state is
 * freed or the count is changed; between calls they spin briefly, then
 * sleep.  Results are identical to one thread (same kernels, disjoint
 * outputs).  Call only while no rnn_state_process*() runs on @state. */
RNN_API gboolean rnn_state_set_threads (RnnState * state, guint n_threads,
    GError ** error);
RNN_API guint rnn_state_get_threads (const RnnState * state);

/* Zero h (and c) of every stream: call on seek, flush or discontinuity. */
RNN_API void rnn_state_reset (RnnState * state);
/* Zero the state of stream @b only. */
RNN_API void rnn_state_reset_stream (RnnState * state, guint b);

/* Set the state from PyTorch-shaped h0 (L*D, B, H_out) and, for LSTM,
 * c0 (L*D, B, H); @c0 is ignored for other cells and may be NULL (zeros).
 * Copies; the caller keeps ownership. */
RNN_API void rnn_state_set (RnnState * state, const float *h0,
    const float *c0);
/* Copy out the current state as h_n (L*D, B, H_out) and c_n (L*D, B, H).
 * Either pointer may be NULL. */
RNN_API void rnn_state_get (const RnnState * state, float *h_n, float *c_n);

/* Snapshot of the state of all B streams, to restore later (e.g. after a
 * restart).  Format, little-endian: "GRNNSTAT", u32 version (1), u32
 * header size (64), u64 model fingerprint, u32 cell, layers, directions,
 * input size, hidden size, H_out, batch, reserved; then h (L*D, B, H_out)
 * and, for LSTM, c (L*D, B, H) as float32.  Returns new bytes; free with
 * g_bytes_unref().  The state is unchanged. */
RNN_API GBytes *rnn_state_snapshot (const RnnState * state);

/* Restore a snapshot taken from a state of the same model (same
 * fingerprint) and batch size.  On any mismatch (bad magic or version,
 * truncated data, another model, another batch) returns FALSE with an
 * RNN_ERROR_USAGE error naming the field and both values, and leaves the
 * state unchanged. */
RNN_API gboolean rnn_state_restore (RnnState * state, GBytes * snapshot,
    GError ** error);

/* Streaming step: run @n_frames frames of all B streams starting from the
 * current state and leave the final state in @state, so that any split of
 * a sequence into calls gives the same output as one call.  @in holds
 * n_frames * B * F floats, @out receives n_frames * B * O floats, in the
 * layout @flags chooses.  @n_frames may be 0.  Refuses bidirectional
 * models (they need the whole window: use rnn_state_process_window()). */
RNN_API gboolean rnn_state_process (RnnState * state, const float *in,
    gsize n_frames, RnnRunFlags flags, float *out, GError ** error);

/* Whole-window run, as one call of PyTorch's module: starts from the
 * current state (zeros after a reset, or what rnn_state_set() gave, for
 * both directions as PyTorch's h0), and leaves h_n/c_n as PyTorch returns
 * them.  Works for every model, bidirectional included.  @n_frames must be
 * 1 .. max_frames. */
RNN_API gboolean rnn_state_process_window (RnnState * state,
    const float *in, gsize n_frames, RnnRunFlags flags, float *out,
    GError ** error);

G_END_DECLS

#endif /* RNN_CORE_H */

/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

#include "rnn-version.h"

G_BEGIN_DECLS

#ifndef RNN_API
#define RNN_API __attribute__((visibility("default")))
#endif

/* The version of the library running, which may be later than the
 * headers' RNN_VERSION_* (rnn-version.h).  NULL pointers are skipped; the
 * string is static.  Any thread. */
RNN_API void rnn_version (guint * major, guint * minor, guint * micro);
RNN_API const char *rnn_version_string (void);

#define RNN_ERROR (rnn_error_quark ())
RNN_API GQuark rnn_error_quark (void);

typedef enum {
  RNN_ERROR_IO,        /* file cannot be read */
  RNN_ERROR_FORMAT,    /* not a valid safetensors file */
  RNN_ERROR_MODEL,     /* valid safetensors, but not a model we can run */
  RNN_ERROR_USAGE,     /* a run-time call the model or state cannot serve */
  RNN_ERROR_CONFIG,    /* a run configuration the model cannot serve */
  RNN_ERROR_NON_FINITE /* a state turned non-finite (RNN_NON_FINITE_ERROR) */
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

/* How the weights are stored and multiplied.  The state, the activations
 * and the accumulation stay float32 in every precision. */
typedef enum {
  RNN_PRECISION_AUTO,   /* load option only: the model's rnn.precision
                         * metadata, else f32 */
  RNN_PRECISION_F32,    /* float32 weights: PyTorch's numbers */
  RNN_PRECISION_BF16,   /* bfloat16 weights (half the bytes) */
  RNN_PRECISION_INT8    /* int8 weights, a float scale per output row, and
                         * the inputs of each product quantised per call to
                         * 7 bits (a quarter of the bytes) */
} RnnPrecision;

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
  /* Precision of every weight matrix (input, recurrent, projection and
   * head).  AUTO (0): the "rnn.precision" metadata ("f32", "bf16",
   * "int8"), else f32. */
  RnnPrecision precision;
  /* Room for fields of later versions (keep zero). */
  gpointer _rnn_reserved[4];
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
/* The name given at load (the file's path): used in error messages. */
RNN_API const char *rnn_model_get_name (const RnnModel * model);
RNN_API RnnCell rnn_model_get_cell (const RnnModel * model);
RNN_API const char *rnn_cell_name (RnnCell cell);  /* "rnn_tanh", "lstm", ... */
/* The precision the weights were loaded in (never AUTO). */
RNN_API RnnPrecision rnn_model_get_precision (const RnnModel * model);
/* "auto", "f32", "bf16", "int8"; NULL for other values. */
RNN_API const char *rnn_precision_name (RnnPrecision precision);
/* The precision named @name (as above), FALSE if none. */
RNN_API gboolean rnn_precision_from_name (const char *name,
    RnnPrecision * precision);
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
/* The kernel set the model runs on ("avx512vnni", "avx512", "avx2",
 * "neon", "c": the best this CPU runs, or $RNN_KERNEL's); static string.
 * With NULL, the set a model loaded now would get.  Any thread. */
RNN_API const char *rnn_model_get_kernel_set (const RnnModel * model);
RNN_API gboolean rnn_model_has_head (const RnnModel * model);
RNN_API RnnActivation rnn_model_get_head_activation (const RnnModel * model);
RNN_API RnnPooling rnn_model_get_pooling (const RnnModel * model);
/* NULL-terminated class names from "rnn.labels", or NULL. */
RNN_API const char *const *rnn_model_get_labels (const RnnModel * model);
/* Any "__metadata__" value, or NULL. */
RNN_API const char *rnn_model_get_metadata (const RnnModel * model,
    const char *key);
/* All "__metadata__" keys, sorted, NULL-terminated: a new array the
 * caller frees with g_strfreev(). */
RNN_API char **rnn_model_get_metadata_keys (const RnnModel * model);
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
 * NULL and sets @error if a size is 0 or the sizes overflow memory.  Takes
 * a reference on @model.  Free with rnn_state_free().
 * From 8 streams, the first such state also gives @model a second copy of
 * its float32 weights, laid out for products over many streams (the model
 * frees it; later states share it).  That is the one time this touches a
 * model shared with other states, and it is safe while they run.
 * Thread-safe for different states. */
RNN_API RnnState *rnn_state_new (RnnModel * model, guint batch,
    guint max_frames, GError ** error);
RNN_API void rnn_state_free (RnnState * state);

RNN_API RnnModel *rnn_state_get_model (const RnnState * state);  /* no ref */
RNN_API guint rnn_state_get_batch (const RnnState * state);
RNN_API guint rnn_state_get_max_frames (const RnnState * state);

/* Run this state's matrix products on @n_threads threads (1, the
 * default, to 8; fewer if the process may run on fewer CPUs: more would
 * only wait for each other): each product is split by rows of the
 * weights, so with two cores each reads half of the recurrent weights from
 * its own cache.  When the workers keep lagging (the OS gave their core
 * to another process), the calling thread does the next products alone
 * for a while, then tries again.  The n-1 worker threads are created here and live until the state is
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
/* Is the state (h and, for LSTM, c) of every stream all finite (no NaN or
 * Inf)?  Of stream @b only?  Read in place, nothing copied or allocated;
 * the same thread rules as the other calls on @state. */
RNN_API gboolean rnn_state_is_finite (const RnnState * state);
RNN_API gboolean rnn_state_stream_is_finite (const RnnState * state,
    guint b);

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
 * layout @flags chooses; @in and @out must not overlap (time-major, the
 * top layer writes its outputs straight into @out).  @n_frames may be 0.
 * Refuses bidirectional models (they need the whole window: use
 * rnn_state_process_window()). */
RNN_API gboolean rnn_state_process (RnnState * state, const float *in,
    gsize n_frames, RnnRunFlags flags, float *out, GError ** error);

/* Whole-window run, as one call of PyTorch's module: starts from the
 * current state (zeros after a reset, or what rnn_state_set() gave, for
 * both directions as PyTorch's h0), and leaves h_n/c_n as PyTorch returns
 * them.  Works for every model, bidirectional included.  @n_frames must be
 * 1 .. max_frames; @in and @out must not overlap. */
RNN_API gboolean rnn_state_process_window (RnnState * state,
    const float *in, gsize n_frames, RnnRunFlags flags, float *out,
    GError ** error);

/* Check a snapshot against @model without a state: magic, version, the
 * model's shape and fingerprint, and the size.  @batch 0 accepts the batch
 * the snapshot was taken with (written to *@snapshot_batch if non-NULL);
 * otherwise it must be @batch.  The errors are rnn_state_restore()'s.
 * Thread-safe. */
RNN_API gboolean rnn_snapshot_check (const RnnModel * model, guint batch,
    GBytes * snapshot, guint * snapshot_batch, GError ** error);

/* ------------------------------------------------------------- structures
 *
 * The input/output structures of a recurrent network on a stream, on
 * frames (one frame = one time step of B streams):
 *
 *   RNN_MODE_N_TO_N  one output frame per input frame, the state carried
 *                    from call to call.  A bidirectional model needs whole
 *                    sequences: it runs on consecutive independent windows
 *                    of `window` frames, one result per window.
 *   RNN_MODE_N_TO_1  every `hop` frames, the last `window` frames run as one
 *                    sequence; the top layer's outputs are pooled
 *                    (rnn_model_get_pooling()) and the head applied: one
 *                    result of B x O scores per window.
 *   RNN_MODE_1_TO_N  `steps` output frames generated from every input frame
 *                    (what each step reads: `feed`).
 *   RNN_MODE_N_TO_M  encoder-decoder: every `hop` frames the encoder reads
 *                    the last `window` frames, its final state starts the
 *                    decoder, which generates `steps` frames (a forecast of
 *                    what follows the window).
 *
 * An RnnRunner drives one structure for B streams.  What it gives back
 * (RnnRunInfo.output):
 *
 *   RNN_OUTPUT_BLOCK          every block of input frames maps at once to a
 *                             block of output frames: rnn_runner_process()
 *                             (streaming N-to-N, 1-to-N);
 *   RNN_OUTPUT_WINDOW_FRAMES  a block of output frames per window:
 *                             rnn_runner_push(), rnn_runner_drain()
 *                             (N-to-N on windows, N-to-M);
 *   RNN_OUTPUT_WINDOW_SCORES  B x O scores per window, the input unchanged:
 *                             rnn_runner_push(), rnn_runner_drain() (N-to-1).
 *
 * Blocks of frames are (T, B, W) or, with batch_first, (B, T, W), as in
 * rnn_state_process(); they may be unaligned.  Input frames are counted
 * from the last rnn_runner_reset(): a result says which frames it covers.
 *
 * Ownership and threads: a runner holds a reference on its model(s) and
 * owns its states and scratch memory, all sized in rnn_runner_new(): no
 * call allocates afterwards (except a GError).  A runner belongs to one
 * thread at a time; calls on it must be serialised by the caller.
 * Different runners may share models and run concurrently.
 */

typedef enum {
  RNN_MODE_N_TO_N,
  RNN_MODE_N_TO_1,
  RNN_MODE_1_TO_N,
  RNN_MODE_N_TO_M
} RnnMode;

/* What a generating network (1-to-N, or the decoder in N-to-M) reads at
 * each step. */
typedef enum {
  RNN_FEED_AUTO,       /* the mode's default: REPEAT in 1-to-N, CONTEXT in
                        * N-to-M */
  RNN_FEED_REPEAT,     /* 1-to-N: the input frame at every step */
  RNN_FEED_FIRST,      /* 1-to-N: the input frame, then zeros */
  RNN_FEED_FEEDBACK,   /* the previous step's output (first step: the input
                        * frame; N-to-M: the window's last frame) */
  RNN_FEED_CONTEXT     /* N-to-M: the encoder's last top-layer output */
} RnnFeed;

/* "n-to-n", "n-to-1", "1-to-n", "n-to-m" (the element's mode names);
 * NULL for other values. */
RNN_API const char *rnn_mode_name (RnnMode mode);
/* "auto", "repeat", "first", "feedback", "context"; NULL for others. */
RNN_API const char *rnn_feed_name (RnnFeed feed);

/* Largest window or hop, and largest step count, a model file's run
 * settings may name (the element's property maxima). */
#define RNN_MAX_WINDOW (1u << 20)
#define RNN_MAX_STEPS (1u << 16)

/* Which run settings a model file carries. */
typedef enum {
  RNN_SETTING_MODE = 1 << 0,         /* "rnn.mode": n-to-n | n-to-1 | ... */
  RNN_SETTING_WINDOW = 1 << 1,       /* "rnn.window": 1 .. RNN_MAX_WINDOW */
  RNN_SETTING_HOP = 1 << 2,          /* "rnn.hop": 1 .. RNN_MAX_WINDOW */
  RNN_SETTING_STEPS = 1 << 3,        /* "rnn.steps": 1 .. RNN_MAX_STEPS */
  RNN_SETTING_FEED = 1 << 4,         /* "rnn.feed": repeat | first |
                                      * feedback | context (not auto) */
  RNN_SETTING_CARRY_STATE = 1 << 5   /* "rnn.carry_state": true | false */
} RnnSettingFlags;

/* How a model was trained to be run, from its file's metadata: defaults
 * for an RnnRunConfig, which a caller may override.  Only the fields
 * whose flag is in @set were in the file; the others are 0. */
typedef struct {
  guint set;                    /* RnnSettingFlags */
  RnnMode mode;
  guint window;
  guint hop;
  guint steps;
  RnnFeed feed;
  gboolean carry_state;
  /* Room for fields of later versions (keep zero). */
  gpointer _rnn_reserved[4];
} RnnModelSettings;

/* The run settings of a loaded model (checked at load: a value out of
 * range or a key that contradicts another refuses the file).  Owned by
 * the model; thread-safe. */
RNN_API const RnnModelSettings *rnn_model_get_settings (const RnnModel *
    model);

/* The same, read from the header of the safetensors file @path without
 * loading the weights (e.g. to learn the mode, which decides how to load
 * it).  Returns FALSE with @error set (the file, the key and the value) if
 * the file cannot be read, is not safetensors, or a setting is invalid.
 * Thread-safe. */
RNN_API gboolean rnn_model_read_settings (const char *path,
    RnnModelSettings * settings, GError ** error);

/* The file's "rnn.*" metadata keys this version does not know (sorted,
 * NULL-terminated; NULL when there are none): they are ignored, so that a
 * file written for a later version loads; callers should warn about them
 * (a typo does nothing).  Owned by the model. */
RNN_API const char *const *rnn_model_get_ignored_keys (const RnnModel *
    model);
/* The "rnn.*" metadata keys this version knows, NULL-terminated, static
 * (the "rnn.frontend.*" keys of the melspec element apart). */
RNN_API const char *const *rnn_metadata_known_keys (void);

/* What happens to non-finite (NaN, +-Inf) values. */
typedef enum {
  RNN_NON_FINITE_RESET_STREAM,  /* input: computed as PyTorch would, then
                                 * that stream's state is reset; a state
                                 * turned non-finite is reset */
  RNN_NON_FINITE_PROPAGATE,     /* nothing checked, as PyTorch */
  RNN_NON_FINITE_ZERO,          /* input values replaced by 0; a state
                                 * turned non-finite is reset */
  RNN_NON_FINITE_ERROR          /* a state turned non-finite is an error
                                 * (RNN_ERROR_NON_FINITE); input is the
                                 * caller's to check (rnn_runner_find_non_finite()) */
} RnnNonFinite;

/* An incomplete window at the end of a sequence. */
typedef enum {
  RNN_PARTIAL_AUTO,    /* the structure's default: RUN for N-to-N windows,
                        * DROP for N-to-1 and N-to-M (trained on whole
                        * windows) */
  RNN_PARTIAL_DROP,
  RNN_PARTIAL_RUN      /* run as a shorter window */
} RnnPartial;

typedef enum {
  RNN_OUTPUT_BLOCK,
  RNN_OUTPUT_WINDOW_FRAMES,
  RNN_OUTPUT_WINDOW_SCORES
} RnnOutputKind;

/* Zero-initialise and set what you need. */
typedef struct {
  RnnMode mode;
  guint batch;                  /* B >= 1 (rnn_run_config_check() ignores it) */
  gboolean batch_first;         /* blocks are (B, T, *) */
  guint window;                 /* N-to-1, N-to-M: frames per window (>= 1);
                                 * N-to-N: 0 refuses a bidirectional model,
                                 * else its window; 1-to-N: ignored */
  guint hop;                    /* N-to-1, N-to-M: frames between window
                                 * starts; 0 = window */
  guint steps;                  /* 1-to-N, N-to-M: frames generated; 0 = 1 */
  RnnFeed feed;
  gboolean carry_state;         /* N-to-1, N-to-M: each window starts from
                                 * the previous one's final state (else
                                 * zeros); 1-to-N: likewise across input
                                 * frames.  N-to-N always carries. */
  RnnNonFinite non_finite;
  guint threads;                /* rnn_state_set_threads(); 0 = 1 */
  /* Room for fields of later versions (keep zero). */
  gpointer _rnn_reserved[4];
} RnnRunConfig;

/* What a configuration makes of a model, for mapping formats before any
 * data (GStreamer caps, buffer sizes). */
typedef struct {
  RnnOutputKind output;
  guint input_size;             /* F: floats per stream and input frame (the
                                 * encoder's in N-to-M) */
  guint output_size;            /* O: floats per stream and output frame, or
                                 * scores per stream (N-to-1) */
  guint frames_per_input;       /* BLOCK: output frames per input frame */
  guint frames_per_result;      /* WINDOW_FRAMES: output frames of a full
                                 * window's result, else 0 */
  guint latency;                /* frames an input frame waits for its
                                 * output (held until a window is full) */
  gboolean contiguous;          /* output frames tile the input's time line
                                 * at frames_per_input x its rate (FALSE for
                                 * N-to-M forecasts and N-to-1 scores) */
  RnnFeed feed;                 /* resolved, never AUTO */
  guint hop;                    /* resolved, never 0 where it applies */
  /* Room for fields of later versions (keep zero). */
  gpointer _rnn_reserved[4];
} RnnRunInfo;

/* One window's result, owned by the runner: valid until the next call on
 * it. */
typedef struct {
  guint64 start;                /* first input frame of the window */
  guint n_frames;               /* input frames in it (< window for a
                                 * partial window) */
  const float *data;            /* NULL: no result.  WINDOW_FRAMES:
                                 * n_out frames in the configured layout;
                                 * WINDOW_SCORES: (B, O) */
  guint n_out;                  /* output frames (1 for scores) */
} RnnResult;

typedef struct _RnnRunner RnnRunner;

/* Called from inside process/push/drain when stream @stream's state turned
 * non-finite: after it was reset (RESET_STREAM, ZERO), or before the call
 * fails with RNN_ERROR_NON_FINITE (ERROR). */
typedef void (*RnnNonFiniteFunc) (RnnRunner * runner, guint stream,
    gpointer user_data);

/* Check that @config can run @model (and, in N-to-M, @decoder: the decoder
 * network, NULL in the other modes) and fill @info (may be NULL).  With
 * @model NULL only the settings are checked among themselves (feed against
 * mode, a window where one is needed) and only info->feed and info->hop
 * are filled.  Errors (RNN_ERROR_CONFIG) name the setting, the model and
 * the numbers that clash.  config->batch is not looked at.  Thread-safe. */
RNN_API gboolean rnn_run_config_check (const RnnRunConfig * config,
    const RnnModel * model, const RnnModel * decoder, RnnRunInfo * info,
    GError ** error);

/* Load the encoder and decoder of an N-to-M model saved as one file (keys
 * "encoder.*" and "decoder.*", the head if any belonging to the decoder).
 * Returns the encoder (and the decoder in *@decoder) or NULL with @error:
 * the core's own error when the file cannot be read or parsed, else
 * RNN_ERROR_MODEL saying which half is missing.  Thread-safe. */
RNN_API RnnModel *rnn_model_load_encoder_decoder (const char *path,
    RnnModel ** decoder, GError ** error);
/* The same with both networks' weights in @precision (RnnLoadOptions). */
RNN_API RnnModel *rnn_model_load_encoder_decoder_precision (const char *path,
    RnnPrecision precision, RnnModel ** decoder, GError ** error);

/* New runner: checks as rnn_run_config_check(), then makes the state(s)
 * and scratch memory for config->batch streams.  Takes references on the
 * models.  Free with rnn_runner_free(). */
RNN_API RnnRunner *rnn_runner_new (RnnModel * model, RnnModel * decoder,
    const RnnRunConfig * config, GError ** error);
RNN_API void rnn_runner_free (RnnRunner * runner);

RNN_API const RnnRunInfo *rnn_runner_get_info (const RnnRunner * runner);
RNN_API const RnnRunConfig *rnn_runner_get_config (const RnnRunner * runner);
RNN_API RnnModel *rnn_runner_get_model (const RnnRunner * runner);  /* no ref */
/* The state carried across calls (the encoder's in N-to-M): snapshots,
 * restores.  Owned by the runner. */
RNN_API RnnState *rnn_runner_get_state (const RnnRunner * runner);
/* Input frames received since the last reset (the next frame's index). */
RNN_API guint64 rnn_runner_get_frames_in (const RnnRunner * runner);

/* Change the non-finite policy (e.g. per buffer) and the callback. */
RNN_API void rnn_runner_set_non_finite (RnnRunner * runner,
    RnnNonFinite policy);
RNN_API void rnn_runner_set_non_finite_func (RnnRunner * runner,
    RnnNonFiniteFunc func, gpointer user_data);
/* The caller has scanned the input blocks it passes next for non-finite
 * values (e.g. with rnn_floats_all_finite(), to report them): TRUE says
 * they are all finite, and the runner then skips its own scans of them as
 * they come in (a non-finite value in them would be taken as it is,
 * whatever the policy); FALSE, the default, makes it scan them as the
 * policy says.  (A window run from frames of several blocks is still
 * scanned under RNN_NON_FINITE_RESET_STREAM.)
 * Stays until the next call (rnn_runner_reset() keeps it).  Same thread
 * as the other calls on @runner. */
RNN_API void rnn_runner_set_input_checked (RnnRunner * runner,
    gboolean all_finite);

/* Zero every state, drop any pending window and count frames from 0: on a
 * seek, flush or discontinuity. */
RNN_API void rnn_runner_reset (RnnRunner * runner);

/* RNN_OUTPUT_BLOCK: run @n frames at @in and write n * frames_per_input
 * frames to @out. */
RNN_API gboolean rnn_runner_process (RnnRunner * runner, const void *in,
    gsize n, void *out, GError ** error);

/* Window structures: take frames [*@cursor, @n) of the block at @in, until
 * a window is complete or the block is used up; *@cursor moves past the
 * frames taken.  A completed window's result is in @result (data != NULL):
 * call again with the same block and cursor for the next one.  Returns
 * FALSE on error. */
RNN_API gboolean rnn_runner_push (RnnRunner * runner, const void *in,
    gsize n, gsize * cursor, RnnResult * result, GError ** error);

/* End of a sequence (end of stream, or before a reset when
 * RnnRunInfo.latency > 0 holds frames back): run the incomplete window per
 * @partial into @result (data NULL if there is none or it is dropped).
 * The frames are gone afterwards either way.  A no-op for
 * RNN_OUTPUT_BLOCK structures, which hold nothing back. */
RNN_API gboolean rnn_runner_drain (RnnRunner * runner, RnnPartial partial,
    RnnResult * result, GError ** error);

/* Index of the first of @n frames (block at @in, the runner's layout) in
 * which stream @stream holds a NaN or Inf, or @n if none. */
RNN_API gsize rnn_runner_find_non_finite (const RnnRunner * runner,
    const void *in, gsize n, guint stream);
/* Are the @n floats at @p (any alignment) all finite? */
RNN_API gboolean rnn_floats_all_finite (const void *p, gsize n);

G_END_DECLS

#endif /* RNN_CORE_H */

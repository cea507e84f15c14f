/* Helpers for the rnn element tests: a tiny safetensors reader/writer,
 * fixture cases, frame slicing and tolerant comparison. */
#ifndef RNN_TEST_UTIL_H
#define RNN_TEST_UTIL_H

#include <glib.h>

G_BEGIN_DECLS

/* One F32 tensor read from a safetensors file. */
typedef struct {
  gchar *name;
  guint ndim;
  gsize shape[8];
  gsize numel;
  float *data;                  /* numel floats, host order */
} RnnTestTensor;

typedef struct {
  GHashTable *tensors;          /* name -> RnnTestTensor* (F32 only) */
  GHashTable *metadata;         /* string -> string */
} RnnTestFile;

RnnTestFile *rnn_test_file_load (const gchar * path, GError ** error);
void rnn_test_file_free (RnnTestFile * f);
const RnnTestTensor *rnn_test_file_get (const RnnTestFile * f,
    const gchar * name);
const gchar *rnn_test_file_meta (const RnnTestFile * f, const gchar * key);

/* Write F32 tensors (NULL-terminated names) and optional metadata
 * (NULL-terminated key, value pairs) as a safetensors file. */
void rnn_test_write_safetensors (const gchar * path, const gchar ** names,
    const gsize * const *shapes, const guint * ndims,
    const float *const *data, const gchar ** metadata);

/* Write a 1-layer GRU of input @F and hidden @H with deterministic weights
 * (no head): output size is H. */
void rnn_test_write_tiny_gru (const gchar * path, guint F, guint H);

/* Same shapes, other weights: a 1-layer GRU whose weights depend on
 * @phase (two phases give two models with different fingerprints). */
void rnn_test_write_gru_phase (const gchar * path, guint F, guint H,
    float phase);

/* One conformance fixture case (tests/conformance/fixtures). */
typedef struct {
  gchar *name;
  gchar *model_path;
  RnnTestFile *data;
  const float *input;           /* (T, B, F) or (B, T, F) */
  const float *output;          /* (T, B, O) or (B, T, O) */
  guint T, B, F, O;
  gboolean batch_first;
  gboolean bidirectional;
  gboolean has_h0;
  guint *splits;                /* block sizes summing to T */
  guint n_splits;
} RnnTestCase;

/* All cases in $RNN_FIXTURE_DIR, sorted by name.  Empty when the directory
 * is missing. */
GPtrArray *rnn_test_cases_load (void);
/* A case usable by the streaming element: unidirectional, zero h0. */
gboolean rnn_test_case_streamable (const RnnTestCase * c);

/* One streaming-mode fixture case (tests/conformance/modes, written by
 * gen_modes.py; see its docstring for the format). */
typedef struct {
  gchar *name;
  gchar *model_path;
  RnnTestFile *data;
  const gchar *mode;            /* "n-to-1", "1-to-n", "n-to-m" */
  gboolean batch_first, carry;
  guint window, hop, steps;
  const gchar *feed, *pooling;
  guint tail_start, tail_frames;
  guint T, B, F, O;
  const float *input;           /* (T, B, F) or (B, T, F) */
  const float *scores;          /* n-to-1: (NW, B, O) */
  const float *output;          /* 1-to-n: (T*steps, B, O) / (B, T*steps, O);
                                 * n-to-m: (NW, steps, B, O) / (NW, B, steps, O) */
  const float *tail;            /* tail_scores (B, O) or tail_output, or NULL */
  const float *starts;          /* (NW) window starts (n-to-1, n-to-m) */
  guint n_windows;              /* NW */
} RnnModeCase;

/* All cases in $RNN_MODES_DIR, sorted by name. */
GPtrArray *rnn_test_mode_cases_load (void);

/* Write a safetensors file of an encoder-decoder pair of 1-layer GRUs
 * (keys encoder.* and decoder.*) with deterministic weights, no head.
 * @dec_F == 0: the encoder only. */
void rnn_test_write_gru_seq2seq (const gchar * path, guint enc_F, guint enc_H,
    guint dec_F, guint dec_H);

/* Copy frames [t0, t0 + k) of a (T, B, W) / (B, T, W) block into a new
 * (k, B, W) / (B, k, W) block.  g_free() the result. */
float *rnn_test_slice (const float *data, guint T, guint B, guint W,
    gboolean batch_first, guint t0, guint k);

/* Largest |a - b| / max (1, |b|) over @n floats. */
double rnn_test_max_err (const float *a, const float *b, gsize n);

/* A temporary directory for the whole test run (removed at exit is not
 * needed: it lives in the build dir or /tmp). */
const gchar *rnn_test_tmpdir (void);

G_END_DECLS

#endif /* RNN_TEST_UTIL_H */

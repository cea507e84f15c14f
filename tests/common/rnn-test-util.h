/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers shared by the core and the element tests (GLib and
 * json-glib only, no GStreamer, no core internals): a small safetensors
 * reader and writer, the PyTorch fixture cases of tests/conformance, model
 * writers, frame slicing, and the one error measure and tolerance every
 * comparison against PyTorch uses.  Test code only. */
#ifndef RNN_TEST_UTIL_H
#define RNN_TEST_UTIL_H

#include <glib.h>

G_BEGIN_DECLS

/* The conformance standard: outputs match PyTorch to 1e-5, measured by
 * rnn_test_max_err() (maximum absolute error). */
#define RNN_TEST_TOLERANCE 1e-5

/* Largest |a[i] - b[i]| over @n floats.  A NaN facing a NaN and equal
 * infinities count as equal (0); any other disagreement on finiteness
 * gives INFINITY. */
double rnn_test_max_err (const float *a, const float *b, gsize n);

/* ------------------------------------------------------------ files */

/* One tensor read from a safetensors file, converted to float. */
typedef struct {
  gchar *name;
  guint ndim;
  gsize shape[8];
  gsize numel;
  float *data;                  /* numel floats, host order */
} RnnTestTensor;

typedef struct {
  GHashTable *tensors;          /* name -> RnnTestTensor* */
  GHashTable *metadata;         /* string -> string */
} RnnTestFile;

/* Reads F32, F64, F16 and BF16 tensors (as floats); tensors of other
 * dtypes are left out. */
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

/* ------------------------------------------------------------ models */

/* Write a 1-layer GRU of input @F and hidden @H with deterministic weights
 * (no head): output size is H. */
void rnn_test_write_tiny_gru (const gchar * path, guint F, guint H);

/* Same shapes, other weights: a 1-layer GRU whose weights depend on
 * @phase (two phases give two models with different fingerprints). */
void rnn_test_write_gru_phase (const gchar * path, guint F, guint H,
    float phase);

/* A 1-layer bidirectional GRU without biases, @H per direction (output
 * size 2H). */
void rnn_test_write_bigru (const gchar * path, guint F, guint H);

/* Write a safetensors file of an encoder-decoder pair of 1-layer GRUs
 * (keys encoder.* and decoder.*) with deterministic weights, no head.
 * @dec_F == 0: the encoder only. */
void rnn_test_write_gru_seq2seq (const gchar * path, guint enc_F, guint enc_H,
    guint dec_F, guint dec_H);

/* ---------------------------------------------------------- fixtures */

/* $RNN_FIXTURE_DIR (tests/conformance/fixtures) and $RNN_MODES_DIR
 * (tests/conformance/modes), else the directories compiled in. */
const gchar *rnn_test_fixture_dir (void);
const gchar *rnn_test_modes_dir (void);

/* One conformance fixture case (tests/conformance/fixtures, written by
 * gen_fixtures.py). */
typedef struct {
  gchar *name;                  /* e.g. "lstm_l2_bias_uni_b3_tm" */
  gchar *model_path;
  RnnTestFile *data;            /* every tensor: input, output, h0, h_n... */
  const float *input;           /* (T, B, F) or (B, T, F) */
  const float *output;          /* (T, B, O) or (B, T, O) */
  guint T, B, F, O;
  gboolean batch_first;
  gboolean bidirectional;
  gboolean has_h0;
  guint *splits;                /* block sizes summing to T */
  guint n_splits;
} RnnTestCase;

/* All cases of rnn_test_fixture_dir(), sorted by name; empty when the
 * directory is missing.  An unreadable or inconsistent fixture aborts
 * (g_error): coverage is never lost silently. */
GPtrArray *rnn_test_cases_load (void);
/* One case by name; aborts if it is missing. */
RnnTestCase *rnn_test_case_load (const gchar * name);
void rnn_test_case_free (RnnTestCase * c);
/* A tensor of the case's data file (borrowed), or NULL; @numel receives
 * its element count. */
const float *rnn_test_case_tensor (const RnnTestCase * c,
    const gchar * name, gsize * numel);
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

/* All cases of rnn_test_modes_dir(), sorted by name (aborts on an
 * unreadable one, as rnn_test_cases_load()). */
GPtrArray *rnn_test_mode_cases_load (void);

/* ------------------------------------------------------------- data */

/* Copy frames [t0, t0 + k) of a (T, B, W) / (B, T, W) block into a new
 * (k, B, W) / (B, k, W) block.  g_free() the result. */
float *rnn_test_slice (const float *data, guint T, guint B, guint W,
    gboolean batch_first, guint t0, guint k);

/* The first @T frames of a time-major (T', B, W) block as a new (B, T, W)
 * block.  g_free() the result. */
float *rnn_test_to_batch_first (const float *x, guint T, guint B, guint W);

/* Deterministic smooth input (T, B, F), time-major, set by @seed. */
float *rnn_test_make_input (guint T, guint B, guint F, float seed);

/* A temporary directory for the whole test run (removed at exit is not
 * needed: it lives in /tmp). */
const gchar *rnn_test_tmpdir (void);

G_END_DECLS

#endif /* RNN_TEST_UTIL_H */

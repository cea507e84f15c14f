/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the melspec element tests: the torchaudio fixtures
 * (tests/features/fixtures, written by tests/features/gen_features.py),
 * the element configured as a fixture says, the waveform cut into buffers
 * of any split, and the error measures.  Test code only. */
#ifndef MELSPEC_TEST_H
#define MELSPEC_TEST_H

#include "rnn-test-gst.h"

G_BEGIN_DECLS

/* The tolerances against torchaudio: absolute on log features,
 * relative on linear energies. */
#define MEL_ABS_TOLERANCE 1e-4
#define MEL_REL_TOLERANCE 1e-4

typedef struct
{
  gchar *name;
  gint rate;
  gboolean s16;                 /* S16LE, else F32LE */
  gboolean rel;                 /* compare relative errors (linear power) */
  guint B, N;                   /* streams, samples per stream */
  guint T, F;                   /* frames, features per frame */
  const float *input;           /* (B, N); S16: the integer values */
  const float *expected;        /* (T, B, F) */
  guint hop;                    /* prop.hop-length */
  RnnTestFile *file;            /* owns the data */
} MelCase;

/* $RNN_FEATURES_DIR, else the directory compiled in. */
const gchar *mel_fixture_dir (void);
/* All fixtures, sorted by name (free with g_ptr_array_unref()). */
GPtrArray *mel_cases_load (void);
MelCase *mel_case_load (const gchar * name);
void mel_case_free (MelCase * c);
/* The fixture's prop.@name, or NULL. */
const gchar *mel_case_prop (const MelCase * c, const gchar * name);

/* A new melspec element (fails the test if the plugin is not found). */
GstElement *make_melspec (void);
/* ... with the fixture's properties. */
GstElement *make_case_melspec (const MelCase * c);
/* "audio/x-raw, format=..., rate=..., channels=..." of the case. */
gchar *mel_case_caps (const MelCase * c);
/* A harness (with a bus) around @e fed with the case's caps. */
GstHarness *mel_harness (GstElement * e, const MelCase * c);

/* Samples [s0, s0 + n) of every stream, interleaved in the case's format,
 * stamped with their time (PTS, duration) from 0. */
GstBuffer *mel_case_samples (const MelCase * c, guint s0, guint n);
#define SAMPLE_TIME(c, s) gst_util_uint64_scale ((s), GST_SECOND, (c)->rate)

/* Buffer sizes: split @kind = 0 whole, 1 one sample, 2 the uneven
 * split_size() pattern, 3 pseudo-random sizes 1 .. 3 hops (seeded). */
guint mel_split (guint kind, guint i, guint * seed, guint hop);
extern const gchar *const mel_split_names[4];

/* Push the whole waveform in buffers of split @kind, pull every output
 * and return the frames ((T, B, F), g_free()); *@T frames. */
float *mel_run (GstHarness * h, const MelCase * c, guint kind, guint * T);

/* Largest error of @got (T frames) against the case's expected frames:
 * absolute, or relative (|a - b| / |b|) for a `rel` case. */
double mel_error (const MelCase * c, const float *got);
/* ... of @T frames against the expected frames [t0, t0 + T). */
double mel_error_at (const MelCase * c, const float *got, guint t0, guint T);

/* Pop all output buffers waiting in @h, concatenated ((frames, W),
 * g_free()), count in *@frames; the buffers are checked contiguous in
 * offset.  @first_buf (may be NULL) receives the first buffer (unref it), or
 * NULL. */
float *mel_pull_all (GstHarness * h, guint W, guint * frames,
    GstBuffer ** first_buf);

/* A 1-layer GRU (input @F, hidden 4, deterministic weights) with
 * @metadata (NULL-terminated key, value pairs; may be NULL) as
 * @name.safetensors in the run's temporary directory (g_free() the
 * path). */
gchar *mel_model (const gchar * name, guint F, const gchar ** metadata);
/* ... with rnn.frontend=melspec and the case's properties as
 * rnn.frontend.* keys, plus sample-rate. */
gchar *mel_case_model (const MelCase * c, const gchar * name);

G_END_DECLS

#endif

/* Test helpers: read conformance fixtures (tests/conformance/fixtures) with
 * the core's internal safetensors reader, and compare floats with a
 * tolerance.  Test code only. */
#ifndef RNN_TEST_FIXTURE_H
#define RNN_TEST_FIXTURE_H

#include <glib.h>
#include "safetensors.h"

G_BEGIN_DECLS

/* Conformance tolerance: maximum absolute error against PyTorch. */
#define RNN_TEST_TOLERANCE 1e-5

typedef struct {
  char *name;                   /* case name, e.g. "lstm_l2_bias_uni_b3_tm" */
  char *model_path;
  guint8 *bytes;                /* the data file's contents */
  gsize size;
  RnnSafetensors *st;
  gboolean batch_first;
  gboolean bidirectional;
  guint T, B, F;
  guint n_splits;
  guint *splits;
} RnnFixture;

/* Sorted case names found in @dir (from *.data.safetensors). */
GPtrArray *rnn_fixture_list (const char *dir);
/* Load one case; aborts the test (g_error) on an unreadable fixture. */
RnnFixture *rnn_fixture_load (const char *dir, const char *name);
void rnn_fixture_free (RnnFixture * fx);
/* A tensor of the data file as a new float array, or NULL if absent;
 * @numel receives its element count. */
float *rnn_fixture_tensor (RnnFixture * fx, const char *tensor, gsize * numel);

/* Maximum absolute difference (inf if any value is not finite where the
 * other is, or differs in NaN-ness). */
double rnn_max_abs_diff (const float *a, const float *b, gsize n);

/* The fixture directory: $RNN_FIXTURE_DIR or the compiled-in default. */
const char *rnn_fixture_dir (void);

G_END_DECLS

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one harness of the rnn element tests, over gst-check and GstHarness:
 * the element made from a fixture case, harnesses with a bus of their own,
 * frame buffers, comparisons with a tolerance, bus errors and warnings,
 * n-to-1 results, and references from the core.  The GLib-only fixture
 * code is tests/common/rnn-test-util.[ch]. */
#ifndef RNN_TEST_GST_H
#define RNN_TEST_GST_H

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <gst/rnn/gstrnnmeta.h> /* the public results API, under test */
#include "rnn.h"
#include "rnn-test-util.h"

G_BEGIN_DECLS

/* Every test stream runs at RATE frames per second. */
#define RATE 100
#define FRAME_TIME(t) gst_util_uint64_scale ((t), GST_SECOND, RATE)
/* The n-to-1 result meta (gstrnnmeta.h). */
#define META_NAME GST_RNN_RESULT_META_NAME
/* The element against the core on the same frames by another path
 * (windows, resets, swaps): tighter than RNN_TEST_TOLERANCE, which is for
 * comparisons against PyTorch. */
#define CORE_TOLERANCE 1e-6

/* ------------------------------------------------------------ fixtures */

/* Both fixture sets, loaded by load_cases() (an unchecked fixture). */
extern GPtrArray *cases;        /* RnnTestCase *, tests/conformance/fixtures */
extern GPtrArray *mode_cases;   /* RnnModeCase *, tests/conformance/modes */
void load_cases (void);
void free_cases (void);

/* The first streamable case with @B streams in the layout and at least
 * @min_T frames, else any streamable one with @min_T frames; fails the
 * test if there is none. */
const RnnTestCase *need_case (guint B, gboolean batch_first, guint min_T);
/* The first bidirectional case without h0. */
const RnnTestCase *need_bidi_case (void);
gboolean is_mode (const RnnModeCase * c, const gchar * mode);
/* The first @mode case with @B streams (0: any) in the layout. */
const RnnModeCase *need_mode_case (const gchar * mode, guint B,
    gboolean batch_first);

/* ---------------------------------------------------- models and element */

/* @name.safetensors in the run's temporary directory. */
gchar *tmp_model (const gchar * name);
/* GRUs written to the temporary directory (rnn_test_write_tiny_gru,
 * rnn_test_write_gru_phase); g_free() the path. */
gchar *tiny_model (guint F, guint H);
gchar *gru_model (guint F, guint H, float phase);
/* rnn_test_write_bigru to "bigru". */
gchar *bigru_model (guint F, guint H);

/* A new rnn element with @model (may be NULL); fails if the plugin is not
 * found. */
GstElement *make_rnn (const gchar * model);
/* ... with the case's model and layout. */
GstElement *make_case_rnn (const RnnTestCase * c);
/* ... configured as the mode case: mode, layout, carry-state, window,
 * hop, steps, feed. */
GstElement *make_mode_rnn (const RnnModeCase * c);
/* ... with @model and @mode only. */
GstElement *make_plain_rnn (const gchar * model, const gchar * mode);

gchar *audio_caps (guint channels, gint rate);
gchar *tensor_caps (const gchar * dims, gint rate);

/* A harness around @rnn (its reference is taken) with a bus of its own;
 * @caps (may be NULL) are set as the source caps. */
GstHarness *harness_new (GstElement * rnn, const gchar * caps);
/* ... with F32 audio of @channels at RATE. */
GstHarness *harness_audio (GstElement * rnn, guint channels);
/* ... for B streams of F inputs in the layout: F32 audio of B * F
 * channels at RATE, or, batch-first ((B, T, F), which audio cannot
 * carry), other/tensors F:1:B at RATE frames per second. */
GstHarness *harness_streams (GstElement * rnn, guint B, guint F,
    gboolean batch_first);
/* ... for a mode case: as harness_streams(), and tensors C:1 for n-to-m
 * forecasts that do not tile the time line (steps != hop), which audio
 * caps refuse. */
GstHarness *harness_mode (GstElement * rnn, const RnnModeCase * c);
/* ... for a case (an RnnTestCase or RnnModeCase). */
#define harness_case(rnn, c) harness_streams ((rnn), (c)->B, (c)->F, \
    (c)->batch_first)
/* The harness's bus (borrowed). */
GstBus *harness_bus (GstHarness * h);
void harness_done (GstHarness * h);

/* ------------------------------------------------------------ buffers */

/* Frames [t0, t0 + k) of a (T, B, F) / (B, T, F) block as a buffer
 * stamped at frame @t0 (PTS, duration, offsets). */
GstBuffer *frames_buffer (const float *x, guint T, guint B, guint F,
    gboolean batch_first, guint t0, guint k);
/* ... of a case's input (an RnnTestCase or RnnModeCase). */
#define case_frames(c, t0, k) frames_buffer ((c)->input, (c)->T, (c)->B, \
    (c)->F, (c)->batch_first, (t0), (k))

/* Frames [t0, t0 + k) of a time-major (T, B, F) block. */
#define tm_frames(x, B, F, t0, k) frames_buffer ((x), (t0) + (k), (B), (F), \
    FALSE, (t0), (k))

/* Uneven block sizes for the mode fixtures: 7, 1, 13, 2, 30, 5, 1, 11, ...
 * for i = 0, 1, 2, ... */
guint split_size (guint i);

/* Push (must be accepted) and pull one buffer. */
GstBuffer *push_pull (GstHarness * h, GstBuffer * in);
/* Push a caps event without asserting it is accepted. */
gboolean push_caps_str (GstHarness * h, const gchar * str);

/* PTS, duration and offsets of @out are those of frames [t0, t0 + k). */
void check_frame_stamps (GstBuffer * out, guint t0, guint k);

/* -------------------------------------------------------- comparisons */

/* rnn_test_max_err of @out (which must hold @n floats) against @ref. */
double buffer_error (GstBuffer * out, const float *ref, gsize n);
/* @out holds @n floats within @tol of @ref. */
void check_buffer (GstBuffer * out, const float *ref, gsize n, double tol,
    const gchar * what);
/* Pull one buffer and check it as check_buffer(); returns it. */
GstBuffer *pull_checked (GstHarness * h, const float *ref, gsize n,
    double tol, const gchar * what);
/* Error of @out against PyTorch's output frames [t0, t0 + k) of @c. */
double case_output_error (GstBuffer * out, const RnnTestCase * c, guint t0,
    guint k);
/* @out is PyTorch's output frames [t0, t0 + k) of @c within
 * RNN_TEST_TOLERANCE. */
void check_case_output (GstBuffer * out, const RnnTestCase * c, guint t0,
    guint k, const gchar * what);

/* --------------------------------------------------- errors, warnings */

/* Pop the first ERROR from @bus and check its domain, code and that its
 * message contains every needle (NULL-terminated, may be NULL). */
void check_bus_error (GstBus * bus, GQuark domain, gint code,
    const gchar * const *needles);
/* The element must refuse READY -> PAUSED and post the given error.
 * Takes ownership of @rnn. */
void check_start_error (GstElement * rnn, GQuark domain, gint code,
    const gchar * const *needles);
/* Run the gst_parse_launch() pipeline @desc to its first ERROR or EOS
 * (fails the test after 30 s: a hang).  Returns the ERROR's message (NULL
 * at EOS) and in *@src (may be NULL) the name of the element that posted
 * it; g_free() both.  The pipeline ends in NULL, freed. */
gchar *pipeline_first_error (const gchar * desc, gchar ** src);
/* All WARNING messages on @bus, oldest first (unref them). */
GList *pop_warnings (GstBus * bus);
/* The one WARNING waiting on @bus must mention every needle; returns a
 * copy of its details (or NULL). */
GstStructure *expect_one_warning (GstBus * bus, const gchar * const *needles);
/* ... the same, details dropped. */
void check_one_warning (GstBus * bus, const gchar * const *needles);
/* No WARNING waits on @bus. */
void expect_no_warning (GstBus * bus);

/* ----------------------------------------------------- n-to-1 results */

/* A result as found in a meta or a message.  An invalid result (scores
 * not all finite) has no class, label or confidence. */
typedef struct
{
  guint stream, frames, cls;
  GstClockTime ts, duration, running_time, stream_time;
  float scores[64];
  guint n_scores;
  gchar *label;
  gdouble confidence;
  GstClockTime hop;
  gboolean valid;
  gchar *element, *model;       /* which element, running which file */
} Result;

/* All results of @buf (its one results meta, read through gstrnnmeta.h),
 * sorted by (timestamp, stream). */
GArray *buffer_results (GstBuffer * buf);
/* All "rnn" element messages waiting on @bus, in posting order. */
GArray *bus_results (GstBus * bus);
/* The model's labels (@model is loaded, unref it). */
const char *const *case_labels (const RnnModeCase * c, RnnModel ** model);
/* Check @r against PyTorch's scores @exp (O floats) of stream @b of the
 * window starting at @start with @len frames. */
void check_result (const RnnModeCase * c, const Result * r, const float *exp,
    guint b, guint start, guint len, const char *const *labels,
    const gchar * what);

/* --------------------------------------------------- n-to-m forecasts */

/* @out is the forecast @exp (steps * B * O floats, within
 * RNN_TEST_TOLERANCE) made at the end of a window ending at frame @end,
 * stamped with the frames [end, end + steps). */
void check_forecast (const RnnModeCase * c, GstBuffer * out,
    const float *exp, guint end, const gchar * what);

/* --------------------------------------------------- core references */

RnnModel *load_model (const gchar * path);
/* The core on @T time-major frames from the state @s. */
float *core_run (RnnState * s, const float *in, gsize T);

G_END_DECLS

#endif

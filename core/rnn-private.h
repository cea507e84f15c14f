/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal structures shared by the core's source files. */
#ifndef RNN_PRIVATE_H
#define RNN_PRIVATE_H

#include "rnn.h"
#include "kernels.h"

G_BEGIN_DECLS

/* One layer in one direction, PyTorch's row-major layouts.  G = gates
 * (1 RNN, 3 GRU, 4 LSTM), blocks in PyTorch's order (LSTM i,f,g,o; GRU
 * r,z,n). */
typedef struct {
  guint in_size;                /* F for layer 0, else D * H_out */
  RnnPacked w_ih;               /* (G*H, in_size) */
  RnnPacked w_hh;               /* (G*H, H_out) */
  RnnPacked w_hr;               /* (H_out, H), LSTM projection, else empty */
  /* Bias added to the input projection: b_ih + b_hh for every block,
   * except GRU's n block, which takes b_ih only (b_hn sits inside r*()). */
  float *bias_x;                /* (G*H) */
  float *b_hn;                  /* (H), GRU only */
} RnnLayerDir;

struct _RnnModel {
  gint ref_count;
  char *name;                   /* file name, for messages */
  RnnCell cell;
  guint gates;                  /* G */
  guint input_size;             /* F */
  guint hidden_size;            /* H */
  guint proj_size;              /* P or 0 */
  guint h_out;                  /* P if P else H */
  guint num_layers;             /* L */
  guint num_dirs;               /* D */
  gboolean bias;
  RnnLayerDir *ld;              /* (L * D), index layer * D + dir */

  /* Head: Linear (O, D*H_out) + activation, or none. */
  gboolean has_head;
  RnnPacked head_w;             /* (O, D*H_out) */
  float *head_b;                /* (O) (zeros when the Linear has no bias) */
  guint head_out;               /* O */
  RnnActivation head_act;
  RnnPooling pooling;
  char **labels;                /* NULL-terminated or NULL */
  GHashTable *metadata;         /* char* -> char* */
  RnnModelSettings settings;    /* rnn.mode, rnn.window, ... */
  char **ignored_keys;          /* unknown rnn.* keys, sorted, or NULL */
  const RnnKernels *k;          /* kernel set chosen at load */
  RnnPrecision precision;       /* of every weight matrix (never AUTO) */
  guint64 fingerprint;          /* FNV-1a of every tensor used, name + bytes */
  GMutex slices_lock;           /* serialises rnn_model_pack_slices() */
  gboolean slices;              /* it ran (under slices_lock) */
};

/* model.c: adds the slice layout (kernels.h, RnnPacked.many) to every
 * float32 matrix of @m, the first time only: the weights for many rows.
 * Thread-safe; states running meanwhile keep working (they see the new
 * layout at their next product).  On allocation failure a matrix keeps
 * only its first layout, which gives the same numbers, slower. */
void rnn_model_pack_slices (RnnModel * m);

/* state.c: the state's h (L*D, B, H_out) and c (L*D, B, H; NULL but for
 * LSTM), for snapshot.c.  Owned by the state. */
float *rnn_state_h (const RnnState * s);
float *rnn_state_c (const RnnState * s);

/* forward.c: how a call split by streams shares B streams among n threads
 * (n <= 8): bounds[i] .. bounds[i+1] (n + 1 values written) in proportion
 * to @share (n values > 0, any sum), at least 8 streams each (B / n if
 * that is fewer), so that a slow thread still runs a part and is measured
 * again.  Pure functions. */
void rnn_split_streams (const double *share, guint n, guint B,
    guint * bounds);

/* forward.c: after a part each, each thread's speed (streams per us of
 * @part_us) over all of theirs, and @share moved a quarter of the way
 * towards it (a slow spell of one call moves the split a little).
 * Unchanged when a part was empty or took no measurable time. */
void rnn_update_shares (double *share, guint n, const guint * bounds,
    const gint64 * part_us);

/* state.c: in calls split by streams (2 or more threads, 16 or more
 * streams), share the streams among the threads in proportion to
 * @shares (one per thread, > 0), until the first measured part moves
 * them; for tests that need an uneven split.  FALSE (and nothing done)
 * when the state has one thread.  Not thread-safe: the state's thread. */
gboolean rnn_state_set_shares (RnnState * s, const double *shares);

/* model_settings.c: whether @key is an "rnn.*" key outside
 * rnn_metadata_known_keys() (the rnn.frontend.* keys belong to melspec:
 * not ignored). */
gboolean rnn_metadata_key_is_ignored (const char *key);
/* model_settings.c: the ignored keys of @metadata, sorted, as a new
 * NULL-terminated array (g_strfreev()), or NULL when there are none. */
char **rnn_metadata_ignored_keys (GHashTable * metadata);

/* model_settings.c: the run settings in @metadata (char* -> char*) of
 * @file into *@out; FALSE with @error naming the file, key and value. */
gboolean rnn_settings_parse (GHashTable * metadata, const char *file,
    RnnModelSettings * out, GError ** error);

G_END_DECLS

#endif

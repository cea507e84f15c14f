/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State snapshots: the hidden state of every stream as bytes (a 64-byte
 * header naming the model and the shapes, then little-endian floats), and
 * back.  Over the state's own buffers (rnn_state_h/c): no allocation but
 * the snapshot's own bytes. */
#include "rnn-private.h"

#include <string.h>

/* ---------------------------------------------------------- snapshots */

#define SNAP_MAGIC "GRNNSTAT"
#define SNAP_VERSION 1u
#define SNAP_HEADER 64u

static void
put_u32 (guint8 * p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static guint32
get_u32 (const guint8 * p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 |
      (guint32) p[3] << 24;
}

static void
put_floats (guint8 * p, const float *f, gsize n)
{
  for (gsize i = 0; i < n; i++) {
    guint32 u;
    memcpy (&u, &f[i], 4);
    put_u32 (p + 4 * i, u);
  }
}

static void
get_floats (float *f, const guint8 * p, gsize n)
{
  for (gsize i = 0; i < n; i++) {
    guint32 u = get_u32 (p + 4 * i);
    memcpy (&f[i], &u, 4);
  }
}

/* The header fields after the fingerprint, in order, for @batch streams
 * of @m. */
static void
snap_fields (const RnnModel * m, guint batch, guint32 f[8])
{
  f[0] = m->cell;
  f[1] = m->num_layers;
  f[2] = m->num_dirs;
  f[3] = m->input_size;
  f[4] = m->hidden_size;
  f[5] = m->h_out;
  f[6] = batch;
  f[7] = 0;
}

/* Check @p (@size bytes) as a snapshot of @batch streams of @m (0: the
 * batch it says, returned in *@out_batch).  @who says whose fields the
 * snapshot's are compared with ("this state", "the model"). */
static gboolean
snap_validate (const RnnModel * m, guint batch, const guint8 * p, gsize size,
    const char *who, guint * out_batch, GError ** error)
{
  static const char *const names[8] = {
    "cell", "layers", "directions", "input size", "hidden size", "H_out",
    "batch", "reserved"
  };
  const char *model = m->name;
  if (size < SNAP_HEADER || memcmp (p, SNAP_MAGIC, 8) != 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: not a state snapshot (%" G_GSIZE_FORMAT " bytes, no %s header)",
        model, size, SNAP_MAGIC);
    return FALSE;
  }
  if (get_u32 (p + 8) != SNAP_VERSION || get_u32 (p + 12) != SNAP_HEADER) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: snapshot version %u (header %u bytes), expected version %u",
        model, get_u32 (p + 8), get_u32 (p + 12), SNAP_VERSION);
    return FALSE;
  }
  if (batch == 0)
    batch = get_u32 (p + 24 + 4 * 6);
  guint32 f[8];
  snap_fields (m, batch, f);
  for (int i = 0; i < 8; i++) {
    guint32 v = get_u32 (p + 24 + 4 * i);
    if (v != f[i]) {
      g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
          "%s: snapshot %s is %u, %s has %u", model, names[i], v, who, f[i]);
      return FALSE;
    }
  }
  guint64 fp = (guint64) get_u32 (p + 16) | (guint64) get_u32 (p + 20) << 32;
  if (fp != m->fingerprint) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: snapshot was taken with other weights (fingerprint %016"
        G_GINT64_MODIFIER "x, this model %016" G_GINT64_MODIFIER "x)", model,
        fp, m->fingerprint);
    return FALSE;
  }
  /* (size - header) / 4 floats of state: compare without overflow */
  gsize per = rnn_model_get_h_size (m, 1) + rnn_model_get_c_size (m, 1);
  gsize floats = (size - SNAP_HEADER) / 4;
  if (batch == 0 || (size - SNAP_HEADER) % 4 != 0
      || floats / batch != per || floats % batch != 0) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_USAGE,
        "%s: snapshot holds %" G_GSIZE_FORMAT " bytes of state, expected %"
        G_GSIZE_FORMAT " (%u stream(s) x %" G_GSIZE_FORMAT " floats)", model,
        size - SNAP_HEADER, (gsize) batch * per * 4, batch, per);
    return FALSE;
  }
  if (out_batch)
    *out_batch = batch;
  return TRUE;
}

GBytes *
rnn_state_snapshot (const RnnState * s)
{
  const RnnModel *m = rnn_state_get_model (s);
  const guint B = rnn_state_get_batch (s);
  gsize nh = rnn_model_get_h_size (m, B);
  gsize nc = rnn_model_get_c_size (m, B);
  gsize size = SNAP_HEADER + 4 * (nh + nc);
  guint8 *p = g_malloc0 (size);
  memcpy (p, SNAP_MAGIC, 8);
  put_u32 (p + 8, SNAP_VERSION);
  put_u32 (p + 12, SNAP_HEADER);
  guint64 fp = rnn_state_get_model (s)->fingerprint;
  put_u32 (p + 16, (guint32) fp);
  put_u32 (p + 20, (guint32) (fp >> 32));
  guint32 f[8];
  snap_fields (m, B, f);
  for (int i = 0; i < 8; i++)
    put_u32 (p + 24 + 4 * i, f[i]);
  put_floats (p + SNAP_HEADER, rnn_state_h (s), nh);
  if (nc)
    put_floats (p + SNAP_HEADER + 4 * nh, rnn_state_c (s), nc);
  return g_bytes_new_take (p, size);
}

gboolean
rnn_state_restore (RnnState * s, GBytes * snapshot, GError ** error)
{
  const RnnModel *m = rnn_state_get_model (s);
  const guint B = rnn_state_get_batch (s);
  gsize size;
  const guint8 *p = g_bytes_get_data (snapshot, &size);
  if (!snap_validate (m, B, p, size, "this state", NULL,
          error))
    return FALSE;
  gsize nh = rnn_model_get_h_size (m, B);
  gsize nc = rnn_model_get_c_size (m, B);
  get_floats (rnn_state_h (s), p + SNAP_HEADER, nh);
  if (nc)
    get_floats (rnn_state_c (s), p + SNAP_HEADER + 4 * nh, nc);
  return TRUE;
}

gboolean
rnn_snapshot_check (const RnnModel * model, guint batch, GBytes * snapshot,
    guint * snapshot_batch, GError ** error)
{
  gsize size;
  const guint8 *p;

  g_return_val_if_fail (model != NULL && snapshot != NULL, FALSE);
  p = g_bytes_get_data (snapshot, &size);
  return snap_validate (model, batch, p, size, batch ? "this state" :
      "the model", snapshot_batch, error);
}

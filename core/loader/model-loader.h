/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the state of one safetensors load (model.c) and the tensor
 * side of it (model_tensors.c): the recurrent module's prefix, its layers
 * and the head, each tensor checked (dtype, shape, finite) and packed.
 * One Loader belongs to one load, on one thread. */
#ifndef RNN_MODEL_LOADER_H
#define RNN_MODEL_LOADER_H

#include "rnn-private.h"
#include "safetensors.h"

G_BEGIN_DECLS

typedef struct {
  const char *file;
  RnnSafetensors *st;
  GHashTable *used;             /* tensor names consumed */
  guint64 fingerprint;          /* FNV-1a over the tensors taken */
  RnnFormat format;             /* of the weight matrices */
  const RnnKernels *k;          /* the model's kernel set */
} Loader;

static inline guint64
rnn_fnv1a (guint64 h, const guint8 * p, gsize n)
{
  for (gsize i = 0; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/* The recurrent module's key prefix (the load option's, else the one
 * prefix with a weight_ih_l0); new string into *@prefix. */
gboolean rnn_loader_find_prefix (Loader * ld, const RnnLoadOptions * opt,
    char **prefix, GError ** error);
/* Every layer and direction of the module at @pfx into @m, checked. */
gboolean rnn_loader_load_layers (Loader * ld, RnnModel * m, const char *pfx,
    GError ** error);
/* The head (named by the option or rnn.head, else the one Linear layer
 * that fits), if any, into @m. */
gboolean rnn_loader_load_head (Loader * ld, RnnModel * m,
    const RnnLoadOptions * opt, GError ** error);

G_END_DECLS

#endif

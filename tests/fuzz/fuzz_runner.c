/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the input/output structures (rnn.h, RnnRunner): a
 * byte string picks a model, a mode and its settings, then drives the
 * runner with blocks of any size holding any floats (NaN and Inf
 * included), drains, resets and policy changes in any order.  Every call
 * must either succeed or fail with an RNN_ERROR; results must stay
 * within the frames pushed and have the shapes RnnRunInfo announced.
 * Built by tests/fuzz/run.sh (clang, ASan, UBSan); also linked into the
 * plain replay driver (regress.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rnn.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* ------------------------------------------------------------ models */

typedef struct {
  GString *hdr;
  GByteArray *data;
} File;

static void
add (File * f, const char *name, guint rows, guint cols, float scale)
{
  gsize n = (gsize) rows * cols, off = f->data->len;
  g_string_append_printf (f->hdr, "%s\"%s\":{\"dtype\":\"F32\",\"shape\":"
      "[%u,%u],\"data_offsets\":[%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT "]}",
      f->hdr->len > 1 ? "," : "", name, rows, cols, off, off + 4 * n);
  for (gsize i = 0; i < n; i++) {
    float v = scale * ((float) ((i * 37 + rows * 11 + cols) % 19) / 9.0f - 1.0f);
    g_byte_array_append (f->data, (const guint8 *) &v, 4);
  }
}

/* A recurrent module of G gates: layer 0, optionally reversed. */
static void
add_rnn (File * f, const char *pfx, guint G, guint F, guint H, gboolean bi)
{
  for (int d = 0; d < (bi ? 2 : 1); d++) {
    const char *sfx = d ? "_reverse" : "";
    g_autofree char *ih = g_strdup_printf ("%sweight_ih_l0%s", pfx, sfx);
    g_autofree char *hh = g_strdup_printf ("%sweight_hh_l0%s", pfx, sfx);
    add (f, ih, G * H, F, 0.8f);
    add (f, hh, G * H, H, 0.6f);
  }
}

static RnnModel *
finish (File * f, const char *opts_prefix, RnnModel ** decoder)
{
  g_string_append_c (f->hdr, '}');
  while (f->hdr->len % 8)
    g_string_append_c (f->hdr, ' ');
  GByteArray *all = g_byte_array_new ();
  guint64 n = f->hdr->len;
  for (int i = 0; i < 8; i++) {
    guint8 b = (guint8) (n >> (8 * i));
    g_byte_array_append (all, &b, 1);
  }
  g_byte_array_append (all, (const guint8 *) f->hdr->str, f->hdr->len);
  g_byte_array_append (all, f->data->data, f->data->len);
  RnnModel *m;
  if (decoder) {
    RnnLoadOptions eo = {.prefix = "encoder.",.no_head = TRUE };
    RnnLoadOptions dopt = {.prefix = "decoder." };
    m = rnn_model_load_from_data (all->data, all->len, "s2s", &eo, NULL);
    *decoder = rnn_model_load_from_data (all->data, all->len, "s2s", &dopt,
        NULL);
  } else {
    m = rnn_model_load_from_data (all->data, all->len, opts_prefix, NULL,
        NULL);
  }
  g_byte_array_unref (all);
  g_string_free (f->hdr, TRUE);
  g_byte_array_unref (f->data);
  if (!m)
    abort ();
  return m;
}

#define N_MODELS 4
static RnnModel *models[N_MODELS], *decoder;

static void
make_models (void)
{
  File f;
  /* 0: GRU F=2 H=3; 1: bidirectional LSTM F=1 H=2; 2: tanh RNN F=3 H=3;
   * 3: encoder GRU F=2 H=3, decoder GRU F=3 H=3 (context or feedback) */
  f = (File) { g_string_new ("{"), g_byte_array_new () };
  add_rnn (&f, "", 3, 2, 3, FALSE);
  models[0] = finish (&f, "gru", NULL);
  f = (File) { g_string_new ("{"), g_byte_array_new () };
  add_rnn (&f, "", 4, 1, 2, TRUE);
  models[1] = finish (&f, "bilstm", NULL);
  f = (File) { g_string_new ("{"), g_byte_array_new () };
  add_rnn (&f, "", 1, 3, 3, FALSE);
  models[2] = finish (&f, "rnn", NULL);
  f = (File) { g_string_new ("{"), g_byte_array_new () };
  add_rnn (&f, "encoder.", 3, 3, 3, FALSE);
  add_rnn (&f, "decoder.", 3, 3, 3, FALSE);
  models[3] = finish (&f, NULL, &decoder);
  if (!decoder)
    abort ();
}

/* ------------------------------------------------------------- input */

typedef struct {
  const uint8_t *p;
  size_t n;
} Bytes;

static guint
take (Bytes * b)
{
  if (b->n == 0)
    return 0;
  b->n--;
  return *b->p++;
}

static void
check_result (const RnnRunner * r, const RnnResult * res)
{
  const RnnRunInfo *info = rnn_runner_get_info (r);
  if (!res->data)
    return;
  if (res->n_frames == 0 || res->start + res->n_frames >
      rnn_runner_get_frames_in (r))
    abort ();                   /* a result beyond the frames pushed */
  if (info->output == RNN_OUTPUT_WINDOW_SCORES && res->n_out != 1)
    abort ();
  if (info->output == RNN_OUTPUT_WINDOW_FRAMES && (res->n_out == 0
          || (info->latency == 0 && res->n_out != info->frames_per_result)))
    abort ();
}

/* A run may fail only with the core's own error for non-finite=error.
 * Clears *@err. */
static gboolean
acceptable (GError ** err)
{
  gboolean ok = *err && (*err)->domain == RNN_ERROR
      && (*err)->code == RNN_ERROR_NON_FINITE && (*err)->message[0];
  g_clear_error (err);
  return ok;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static gboolean made;
  Bytes b = { data, size };
  RnnRunConfig cfg = { 0 };
  GError *err = NULL;

  if (!made) {
    make_models ();
    made = TRUE;
  }
  guint pick = take (&b) % N_MODELS;
  cfg.mode = (RnnMode) (take (&b) % 4);
  cfg.batch = 1 + take (&b) % 4;
  cfg.window = take (&b) % 9;
  cfg.hop = take (&b) % 10;
  cfg.steps = take (&b) % 7;
  cfg.feed = (RnnFeed) (take (&b) % 5);
  guint flags = take (&b);
  cfg.batch_first = flags & 1;
  cfg.carry_state = (flags >> 1) & 1;
  cfg.non_finite = (RnnNonFinite) ((flags >> 2) % 4);
  RnnPartial partial = (RnnPartial) ((flags >> 4) % 3);

  RnnModel *m = models[pick];
  RnnModel *dec = pick == 3 ? decoder : NULL;
  RnnRunInfo info;
  if (!rnn_run_config_check (&cfg, m, dec, &info, &err)) {
    if (!err || err->domain != RNN_ERROR || err->code != RNN_ERROR_CONFIG)
      abort ();
    g_clear_error (&err);
    return 0;
  }
  RnnRunner *r = rnn_runner_new (m, dec, &cfg, &err);
  if (!r)
    abort ();                   /* a checked configuration must run */
  const RnnRunInfo *ri = rnn_runner_get_info (r);
  gsize in_frame = (gsize) cfg.batch * ri->input_size;
  gsize out_frame = (gsize) cfg.batch * ri->output_size;
  /* blocks of up to 16 frames, at an odd address every other time */
  guint8 *in = g_malloc0 (16 * in_frame * 4 + 1);
  guint8 *out = g_malloc0 (16 * out_frame * 4 * MAX (1,
          ri->frames_per_input) + 1);

  for (guint ops = 0; b.n > 0 && ops < 64; ops++) {
    guint op = take (&b);
    RnnResult res;
    switch (op % 5) {
      case 0:
      case 1:{
        gsize k = take (&b) % 17;
        guint8 *blk = in + ((op & 8) ? 1 : 0);
        /* any floats, NaN and Inf included */
        for (gsize i = 0; i < k * in_frame; i++) {
          guint32 u = take (&b) | take (&b) << 8 | take (&b) << 16 |
              (guint32) take (&b) << 24;
          memcpy (blk + 4 * i, &u, 4);
        }
        if (ri->output == RNN_OUTPUT_BLOCK) {
          if (!rnn_runner_process (r, blk, k, out + ((op & 16) ? 1 : 0),
                  &err) && !acceptable (&err))
            abort ();
        } else {
          gsize cursor = 0;
          do {
            if (!rnn_runner_push (r, blk, k, &cursor, &res, &err)) {
              if (!acceptable (&err))
                abort ();
              break;
            }
            check_result (r, &res);
          } while (cursor < k);
        }
        break;
      }
      case 2:
        if (!rnn_runner_drain (r, partial, &res, &err)) {
          if (!acceptable (&err))
            abort ();
        } else if (res.data && res.n_frames == 0) {
          abort ();
        }
        break;
      case 3:
        rnn_runner_reset (r);
        if (rnn_runner_get_frames_in (r) != 0)
          abort ();
        break;
      case 4:
        rnn_runner_set_non_finite (r, (RnnNonFinite) (take (&b) % 4));
        break;
    }
  }
  g_free (in);
  g_free (out);
  rnn_runner_free (r);
  return 0;
}

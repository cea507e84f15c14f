/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the model loader: any byte string must be either
 * refused with an RNN_ERROR or loaded into a model that then runs a few
 * frames without fault.  Built by tests/fuzz/run.sh (clang, ASan, UBSan);
 * also linked into a plain test driver (regress.c) that replays the
 * regression files and the seeds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rnn.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *err = NULL;
  RnnModel *m = rnn_model_load_from_data (data, size, "fuzz.safetensors",
      NULL, &err);
  if (!m) {
    if (!err || err->domain != RNN_ERROR || !err->message[0])
      abort ();                 /* refusal without a proper error */
    g_error_free (err);
    return 0;
  }
  /* Keep the run small: skip models whose one step would be huge. */
  gsize F = rnn_model_get_input_size (m);
  gsize O = rnn_model_get_output_size (m);
  gsize H = rnn_model_get_hidden_size (m);
  if (F <= 4096 && O <= 4096 && H <= 4096) {
    RnnState *s = rnn_state_new (m, 2, 3, NULL);
    float *in = g_new0 (float, 3 * 2 * F);
    float *out = g_new0 (float, 3 * 2 * O);
    for (gsize i = 0; i < 3 * 2 * F; i++)
      in[i] = (float) (i % 7) - 3.0f;
    if (s) {
      if (rnn_model_is_bidirectional (m)) {
        if (!rnn_state_process_window (s, in, 3, RNN_RUN_BATCH_FIRST, out,
                NULL))
          abort ();
      } else if (!rnn_state_process (s, in, 3, RNN_RUN_NONE, out, NULL)) {
        abort ();
      }
      rnn_state_free (s);
    }
    g_free (in);
    g_free (out);
  }
  rnn_model_unref (m);
  return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn plugin.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/gst.h>

#include "gstrnn-private.h"
#ifdef RNN_HAVE_MELSPEC
#include "gstmelspec.h"
#endif
#include "gstrnntext.h"

/* Every element must register: a plugin missing one would load with a
 * pipeline failing later for a reason nobody would guess. */
static gboolean
plugin_init (GstPlugin * plugin)
{
  /* loading the plugin registers the results meta, which is what
   * gst_rnn_result_meta_get_info() (gstrnnmeta.h) relies on */
  if (gst_rnn_result_meta_register () == NULL)
    return FALSE;
  return GST_ELEMENT_REGISTER (rnn, plugin)
#ifdef RNN_HAVE_MELSPEC
      && GST_ELEMENT_REGISTER (melspec, plugin)
#endif
      && GST_ELEMENT_REGISTER (rnntext, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, rnn,
    "Stateful recurrent neural network (RNN, LSTM, GRU) inference, audio features and text labels",
    plugin_init, PACKAGE_VERSION, "LGPL", PACKAGE_NAME, PACKAGE_ORIGIN)

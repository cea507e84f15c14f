/* GStreamer rnn plugin.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstrnn.h"
#include "gstmelspec.h"
#include "gstrnntext.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = FALSE;

  ok |= GST_ELEMENT_REGISTER (rnn, plugin);
  ok |= GST_ELEMENT_REGISTER (melspec, plugin);
  ok |= GST_ELEMENT_REGISTER (rnntext, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, rnn,
    "Stateful recurrent neural network (RNN, LSTM, GRU) inference",
    plugin_init, PACKAGE_VERSION, "LGPL", PACKAGE_NAME, PACKAGE_ORIGIN)

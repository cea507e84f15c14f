/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnn element: a core error (a model file refused) as the
 * element's error, and posting it; used by the model's loading
 * (gstrnnmodel.c) and its run settings (gstrnnmodelsettings.c).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstrnn-private.h"

void
gst_rnn_load_error (const gchar * path, GError * err, GError ** error,
    gchar ** debug)
{
  if (g_error_matches (err, RNN_ERROR, RNN_ERROR_IO)) {
    if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
          "Could not load model \"%s\": %s", path, err->message);
      *debug = g_strdup ("the file does not exist");
    } else {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
          "Could not load model \"%s\": %s", path, err->message);
    }
  } else {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "Could not load model \"%s\": %s", path, err->message);
    *debug = g_strdup_printf ("the file is not a model the rnn core can run "
        "(error %d)", err->code);
  }
}

void
gst_rnn_post_gerror (GstRnn * self, GstMessageType type, GError * error,
    gchar * debug, const gchar * function, gint line)
{
  GST_CAT_LEVEL_LOG (GST_CAT_DEFAULT, type == GST_MESSAGE_ERROR ?
      GST_LEVEL_ERROR : GST_LEVEL_WARNING, self, "%s", error->message);
  gst_element_message_full (GST_ELEMENT (self), type, error->domain,
      error->code, g_strdup (error->message), debug, __FILE__, function,
      line);
}

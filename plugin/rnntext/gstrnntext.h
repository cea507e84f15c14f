/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: n-to-1 results of the rnn element as text.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_RNN_TEXT_H__
#define __GST_RNN_TEXT_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RNN_TEXT (gst_rnn_text_get_type ())
G_DECLARE_FINAL_TYPE (GstRnnText, gst_rnn_text, GST, RNN_TEXT, GstElement)

GST_ELEMENT_REGISTER_DECLARE (rnntext);

G_END_DECLS

#endif /* __GST_RNN_TEXT_H__ */

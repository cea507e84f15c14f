/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: audio to mel filter bank / MFCC features.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_MELSPEC_H__
#define __GST_MELSPEC_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_MELSPEC (gst_melspec_get_type ())
G_DECLARE_FINAL_TYPE (GstMelspec, gst_melspec, GST, MELSPEC, GstElement);

GST_ELEMENT_REGISTER_DECLARE (melspec);

G_END_DECLS

#endif /* __GST_MELSPEC_H__ */

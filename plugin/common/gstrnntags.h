/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tags an element of the plugin passes on when its output is not the
 * input audio (melspec's features, rnn's output frames): the audio's
 * codec and bitrate tags no longer describe it and are dropped, as
 * decoders and converters drop them; the others (title, artist, ...)
 * still do and go on, with the list's scope.  Not installed.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_RNN_TAGS_H__
#define __GST_RNN_TAGS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* @event (a TAG event; taken) without the audio's codec and bitrate tags
 * (audio-codec, codec, bitrate, nominal-, minimum-, maximum-bitrate): a
 * new event with the same scope, @event itself if it had none of them, or
 * NULL if nothing is left (then send no event).  No global state: any
 * thread. */
GstEvent *gst_rnn_tags_strip_audio (GstEvent * event);

G_END_DECLS

#endif /* __GST_RNN_TAGS_H__ */

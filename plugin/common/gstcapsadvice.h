/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-rnn: telling a user which caps field refused their input.
 *
 * When upstream offers caps an element cannot take (S16LE into rnn, a
 * 44.1 kHz stream into a 16 kHz melspec), GStreamer's own answer is a bare
 * "not-negotiated" from the source.  These helpers find which fields of
 * the offer clash with what the element takes, each field on its own, so
 * that the element can post an error naming the value offered, the value
 * expected and the converter to add.  Internal to the plugin (not
 * installed).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_CAPS_ADVICE_H__
#define __GST_CAPS_ADVICE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* A @fields[i] bit is set in the result when @offered and @accepted have
 * no value of that field in common, every other field being ignored (a
 * structure without the field takes any value of it).  Bit 31 is set when
 * no media type (structure name) of @offered is in @accepted.  @fields is
 * NULL-terminated, at most 31 names.  Neither caps is modified; any
 * thread; allocates (for the caps queries that fail, never per buffer). */
#define GST_CAPS_ADVICE_NAME_CLASH (1u << 31)
guint gst_caps_advice_clashes (const GstCaps * offered,
    const GstCaps * accepted, const gchar * const *fields);

/* The values of @field in the structures of @caps, as gst-launch writes
 * them ("S16LE", "[ 1, 2147483647 ]"), distinct ones joined by " or "; "any"
 * when a structure does not constrain it.  Returns a new string (g_free);
 * any thread. */
gchar *gst_caps_advice_value (const GstCaps * caps, const gchar * field);

/* Whether this refusal may be posted: the element @element is PAUSED or
 * PLAYING (a refusal while linking or probing in NULL/READY is not an
 * error) and *@posted was 0 (it becomes 1: one error per start; clear it
 * at READY to PAUSED).  *@posted is only accessed atomically.  Any
 * thread. */
gboolean gst_caps_advice_should_post (GstElement * element, gint * posted);

G_END_DECLS

#endif /* __GST_CAPS_ADVICE_H__ */

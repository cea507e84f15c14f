/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: whose results are read when several rnn
 * elements on one path attach theirs to the same buffers (each result
 * names its element, GST_RNN_RESULT_FIELD_ELEMENT).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * With the source property set, only the results of the element it
 * names are read.  Unset, the first element whose results arrive is the
 * one read for the rest of the run (until the element goes back to
 * READY); the first result of any other posts one WARNING naming both
 * and the property.  The names are copied when they change (a new source
 * value, the first element seen), never per buffer.
 */

#include <string.h>

#include "gstrnntext-private.h"

void
gst_rnn_text_source_snapshot (GstRnnText * self)
{
  gboolean changed = FALSE;

  GST_OBJECT_LOCK (self);
  if (g_strcmp0 (self->source, self->source_in_use) != 0) {
    g_free (self->source_in_use);
    self->source_in_use = g_strdup (self->source);
    changed = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  if (changed) {
    GST_INFO_OBJECT (self, "reading the results of %s",
        self->source_in_use ? self->source_in_use : "the first rnn element");
    /* the histories were another element's */
    self->source_seen = FALSE;
    gst_rnn_text_post_reset (&self->post);
  }
}

/* The WARNING for results of a second element when source is unset. */
static void
warn_second_source (GstRnnText * self, const gchar * other)
{
  const gchar *first = self->first_source ? self->first_source : "(unnamed)";

  self->warned_source = TRUE;
  GST_ELEMENT_WARNING_WITH_DETAILS (self, STREAM, FAILED,
      ("Results of two rnn elements reach %s: it renders those of %s (the "
          "first seen) and ignores those of %s. Set the source property "
          "(source=%s) to render the other's.", GST_OBJECT_NAME (self),
          first, other ? other : "(unnamed)", other ? other : ""), (NULL),
      ("rendered", G_TYPE_STRING, first, "ignored", G_TYPE_STRING, other,
          NULL));
}

gboolean
gst_rnn_text_source_accepts (GstRnnText * self, const GstStructure * s)
{
  const gchar *el = gst_structure_get_string (s, GST_RNN_RESULT_FIELD_ELEMENT);
  const gchar *want;

  if (self->source_in_use && *self->source_in_use) {
    want = self->source_in_use;
  } else {
    if (!self->have_first_source) {
      self->first_source = g_strdup (el);
      self->have_first_source = TRUE;
      GST_INFO_OBJECT (self, "rendering the results of %s (the first rnn "
          "element seen)", el ? el : "(unnamed)");
    }
    want = self->first_source;
  }
  if (g_strcmp0 (el, want) == 0) {
    self->source_seen = TRUE;
    return TRUE;
  }
  if (!self->other_source && el)
    self->other_source = g_strdup (el);
  if (!(self->source_in_use && *self->source_in_use) && !self->warned_source)
    warn_second_source (self, el);
  return FALSE;
}

void
gst_rnn_text_source_check_eos (GstRnnText * self)
{
  if (!self->source_in_use || !*self->source_in_use || self->source_seen
      || !self->other_source || self->warned_source)
    return;
  self->warned_source = TRUE;
  GST_ELEMENT_WARNING (self, STREAM, WRONG_TYPE,
      ("Property source=%s selects no results: they came from %s, so %s "
          "wrote no text. Set source to the name of the rnn element whose "
          "results to render (empty: the first one seen).",
          self->source_in_use, self->other_source, GST_OBJECT_NAME (self)),
      (NULL));
}

void
gst_rnn_text_source_clear (GstRnnText * self)
{
  g_clear_pointer (&self->source_in_use, g_free);
  g_clear_pointer (&self->first_source, g_free);
  g_clear_pointer (&self->other_source, g_free);
  self->have_first_source = FALSE;
  self->source_seen = FALSE;
  self->warned_source = FALSE;
}

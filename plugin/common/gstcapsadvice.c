/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-rnn: telling a user which caps field refused their input (see
 * gstcapsadvice.h).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "gstcapsadvice.h"

static gboolean
keep_field (GQuark id, GValue * value, gpointer field)
{
  return id == GPOINTER_TO_UINT (field);
}

/* @caps with every field but @field (0: none) removed, features dropped */
static GstCaps *
only_field (const GstCaps * caps, GQuark field)
{
  GstCaps *ret = gst_caps_new_empty ();

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_structure_copy (gst_caps_get_structure (caps, i));

    gst_structure_filter_and_map_in_place (s, keep_field,
        GUINT_TO_POINTER (field));
    ret = gst_caps_merge_structure (ret, s);
  }
  return ret;
}

static gboolean
intersect_on (const GstCaps * offered, const GstCaps * accepted, GQuark f)
{
  GstCaps *a = only_field (offered, f), *b = only_field (accepted, f);
  gboolean ok = gst_caps_can_intersect (a, b);

  gst_caps_unref (a);
  gst_caps_unref (b);
  return ok;
}

guint
gst_caps_advice_clashes (const GstCaps * offered, const GstCaps * accepted,
    const gchar * const *fields)
{
  guint mask = 0;

  if (!intersect_on (offered, accepted, 0))
    return GST_CAPS_ADVICE_NAME_CLASH;
  for (guint i = 0; fields[i] && i < 31; i++)
    if (!intersect_on (offered, accepted, g_quark_from_string (fields[i])))
      mask |= 1u << i;
  return mask;
}

gchar *
gst_caps_advice_value (const GstCaps * caps, const gchar * field)
{
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  gchar *ret;

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    const GValue *v = gst_structure_get_value (gst_caps_get_structure (caps,
            i), field);
    gchar *s = v ? gst_value_serialize (v) : g_strdup ("any");
    gboolean dup = FALSE;

    for (guint j = 0; j < seen->len && !dup; j++)
      dup = strcmp (g_ptr_array_index (seen, j), s) == 0;
    if (dup)
      g_free (s);
    else
      g_ptr_array_add (seen, s);
  }
  g_ptr_array_add (seen, NULL);
  ret = g_strjoinv (" or ", (gchar **) seen->pdata);
  g_ptr_array_unref (seen);
  return ret;
}

gboolean
gst_caps_advice_should_post (GstElement * element, gint * posted)
{
  GstState state;

  GST_OBJECT_LOCK (element);
  state = MAX (GST_STATE (element), GST_STATE_NEXT (element));
  GST_OBJECT_UNLOCK (element);
  if (state < GST_STATE_PAUSED)
    return FALSE;
  return g_atomic_int_compare_and_exchange (posted, 0, 1);
}

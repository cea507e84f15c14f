/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: the text template, compiled once and rendered
 * for every n-to-1 result.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_RNN_TEXT_TEMPLATE_H__
#define __GST_RNN_TEXT_TEMPLATE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* A template such as "{stream}: {label} ({confidence})" split into
 * literal text and placeholders.  Immutable once compiled: it may be
 * rendered from any thread, freed by its owner only. */
typedef struct _GstRnnTextTemplate GstRnnTextTemplate;

/* The placeholders a template takes, as a human-readable list
 * ("{label}, {class}, ..."), for error messages and property blurbs. */
#define GST_RNN_TEXT_PLACEHOLDERS "{label}, {class}, {confidence}, " \
  "{stream}, {start}, {end}, {duration}, {frames}, {model}, {element}"

#define GST_RNN_TEXT_TEMPLATE_ERROR \
  (g_quark_from_static_string ("gst-rnn-text-template-error"))

/* Compile @str (not NULL).  "{{" and "}}" stand for literal braces.  On an
 * unknown placeholder or an unclosed or lone brace, returns NULL and sets
 * @error (GST_RNN_TEXT_TEMPLATE_ERROR, code 0) naming it and its position.  The
 * caller owns the result: free it with gst_rnn_text_template_free(). */
GstRnnTextTemplate *gst_rnn_text_template_compile (const gchar * str,
    GError ** error);
void gst_rnn_text_template_free (GstRnnTextTemplate * tpl);

/* Append to @out the template rendered for the result @s (the fields of a
 * GstRnnResultMeta structure, which must be valid: label, class and
 * confidence present).  Times are in seconds with three decimals,
 * {confidence} with two decimals.  Allocates nothing unless
 * @out must grow. */
void gst_rnn_text_template_render (const GstRnnTextTemplate * tpl,
    const GstStructure * s, GString * out);

/* As gst_rnn_text_template_render(), with {label}, {class} and
 * {confidence} given by @label, @cls and @confidence (the decision of the
 * post-processing, gstrnntextpost.h) instead of @s's fields. */
void gst_rnn_text_template_render_as (const GstRnnTextTemplate * tpl,
    const GstStructure * s, const gchar * label, guint cls,
    gdouble confidence, GString * out);

G_END_DECLS

#endif /* __GST_RNN_TEXT_TEMPLATE_H__ */

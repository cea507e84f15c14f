/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer rnntext element: the text template.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "gstrnntexttemplate.h"

typedef enum
{
  PART_LITERAL,
  PART_LABEL,
  PART_CLASS,
  PART_CONFIDENCE,
  PART_STREAM,
  PART_START,
  PART_END,
  PART_DURATION,
  PART_FRAMES,
  PART_MODEL,
  PART_ELEMENT
} PartKind;

/* Placeholder names, indexed by PartKind (PART_LITERAL has none). */
static const gchar *const part_names[] = {
  NULL, "label", "class", "confidence", "stream", "start", "end",
  "duration", "frames", "model", "element"
};

typedef struct
{
  PartKind kind;
  gchar *text;                  /* PART_LITERAL only */
} Part;

struct _GstRnnTextTemplate
{
  Part *parts;
  guint n_parts;
};

static void
add_part (GArray * parts, PartKind kind, GString * lit)
{
  Part p = { kind, NULL };

  if (kind == PART_LITERAL) {
    if (lit->len == 0)
      return;
    p.text = g_strndup (lit->str, lit->len);
    g_string_truncate (lit, 0);
  }
  g_array_append_val (parts, p);
}

/* The placeholder named by @name (@len bytes), or PART_LITERAL. */
static PartKind
lookup_part (const gchar * name, gsize len)
{
  guint k;

  for (k = 1; k < G_N_ELEMENTS (part_names); k++)
    if (strlen (part_names[k]) == len && strncmp (part_names[k], name,
            len) == 0)
      return (PartKind) k;
  return PART_LITERAL;
}

GstRnnTextTemplate *
gst_rnn_text_template_compile (const gchar * str, GError ** error)
{
  GArray *parts = g_array_new (FALSE, FALSE, sizeof (Part));
  GString *lit = g_string_new (NULL);
  GstRnnTextTemplate *tpl;
  const gchar *p = str;

  while (*p) {
    if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
      g_string_append_c (lit, p[0]);
      p += 2;
    } else if (p[0] == '}') {
      g_set_error (error, GST_RNN_TEXT_TEMPLATE_ERROR, 0,
          "template \"%s\": lone '}' at byte %u (write \"}}\" for a brace)",
          str, (guint) (p - str));
      goto fail;
    } else if (p[0] == '{') {
      const gchar *close = strchr (p + 1, '}');
      PartKind kind;

      if (close == NULL) {
        g_set_error (error, GST_RNN_TEXT_TEMPLATE_ERROR, 0,
            "template \"%s\": '{' at byte %u is not closed (write \"{{\" for "
            "a brace)", str, (guint) (p - str));
        goto fail;
      }
      kind = lookup_part (p + 1, close - p - 1);
      if (kind == PART_LITERAL) {
        g_set_error (error, GST_RNN_TEXT_TEMPLATE_ERROR, 0,
            "template \"%s\": unknown placeholder {%.*s} at byte %u; known: "
            GST_RNN_TEXT_PLACEHOLDERS, str, (int) (close - p - 1), p + 1,
            (guint) (p - str));
        goto fail;
      }
      add_part (parts, PART_LITERAL, lit);
      add_part (parts, kind, lit);
      p = close + 1;
    } else {
      g_string_append_c (lit, *p++);
    }
  }
  add_part (parts, PART_LITERAL, lit);
  g_string_free (lit, TRUE);
  tpl = g_new0 (GstRnnTextTemplate, 1);
  tpl->n_parts = parts->len;
  tpl->parts = (Part *) g_array_free (parts, FALSE);
  return tpl;

fail:
  {
    guint i;

    for (i = 0; i < parts->len; i++)
      g_free (g_array_index (parts, Part, i).text);
    g_array_free (parts, TRUE);
    g_string_free (lit, TRUE);
    return NULL;
  }
}

void
gst_rnn_text_template_free (GstRnnTextTemplate * tpl)
{
  guint i;

  if (tpl == NULL)
    return;
  for (i = 0; i < tpl->n_parts; i++)
    g_free (tpl->parts[i].text);
  g_free (tpl->parts);
  g_free (tpl);
}

/* @t in seconds with three decimals and a decimal point whatever the
 * locale (LC_NUMERIC): the text is data, read back by programs. */
static void
append_seconds (GString * out, GstClockTime t)
{
  gchar num[G_ASCII_DTOSTR_BUF_SIZE];

  if (GST_CLOCK_TIME_IS_VALID (t))
    g_string_append (out, g_ascii_formatd (num, sizeof (num), "%.3f",
            (gdouble) t / GST_SECOND));
  else
    g_string_append (out, "?");
}

static void
append_uint (GString * out, const GstStructure * s, const gchar * field)
{
  guint v;

  if (gst_structure_get_uint (s, field, &v))
    g_string_append_printf (out, "%u", v);
  else
    g_string_append (out, "?");
}

static void
append_string (GString * out, const GstStructure * s, const gchar * field)
{
  const gchar *v = gst_structure_get_string (s, field);

  g_string_append (out, v ? v : "?");
}

/* Render @tpl for @s; with @over, {label}, {class} and {confidence} are
 * @label, @cls and @over_conf. */
static void
render (const GstRnnTextTemplate * tpl, const GstStructure * s,
    gboolean over, const gchar * label, guint cls, gdouble over_conf,
    GString * out)
{
  guint64 ts = GST_CLOCK_TIME_NONE, dur = GST_CLOCK_TIME_NONE;
  gdouble conf = 0.0;
  guint i;

  gst_structure_get_uint64 (s, "timestamp", &ts);
  gst_structure_get_uint64 (s, "duration", &dur);
  for (i = 0; i < tpl->n_parts; i++) {
    switch (tpl->parts[i].kind) {
      case PART_LITERAL:
        g_string_append (out, tpl->parts[i].text);
        break;
      case PART_LABEL:
        if (over)
          g_string_append (out, label);
        else
          append_string (out, s, "label");
        break;
      case PART_CLASS:
        if (over)
          g_string_append_printf (out, "%u", cls);
        else
          append_uint (out, s, "class");
        break;
      case PART_CONFIDENCE:
        if (over)
          conf = over_conf;
        if (over || gst_structure_get_double (s, "confidence", &conf)) {
          gchar num[G_ASCII_DTOSTR_BUF_SIZE];

          /* not the locale's decimal comma: the text is data */
          g_string_append (out, g_ascii_formatd (num, sizeof (num), "%.2f",
                  conf));
        } else {
          g_string_append (out, "?");
        }
        break;
      case PART_STREAM:
        append_uint (out, s, "stream");
        break;
      case PART_START:
        append_seconds (out, ts);
        break;
      case PART_END:
        append_seconds (out, GST_CLOCK_TIME_IS_VALID (ts)
            && GST_CLOCK_TIME_IS_VALID (dur) ? ts + dur : GST_CLOCK_TIME_NONE);
        break;
      case PART_DURATION:
        append_seconds (out, dur);
        break;
      case PART_FRAMES:
        append_uint (out, s, "frames");
        break;
      case PART_MODEL:
        append_string (out, s, "model");
        break;
      case PART_ELEMENT:
        append_string (out, s, "element");
        break;
    }
  }
}

void
gst_rnn_text_template_render (const GstRnnTextTemplate * tpl,
    const GstStructure * s, GString * out)
{
  render (tpl, s, FALSE, NULL, 0, 0.0, out);
}

void
gst_rnn_text_template_render_as (const GstRnnTextTemplate * tpl,
    const GstStructure * s, const gchar * label, guint cls,
    gdouble confidence, GString * out)
{
  render (tpl, s, TRUE, label, cls, confidence, out);
}

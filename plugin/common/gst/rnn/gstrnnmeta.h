/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-rnn: the results of the rnn element, as applications read them.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Installed as <gst/rnn/gstrnnmeta.h>.  Header only: it needs
 * gstreamer-1.0 and nothing of gst-rnn's at link time, so an application
 * includes it and links GStreamer alone.  The elements (rnn writes, rnntext
 * reads) use the same names, so the contract is written once, here.
 *
 * ## What a buffer carries
 *
 * In mode n-to-1, every buffer in which at least one window ends carries
 * ONE custom meta named GST_RNN_RESULT_META_NAME (registered with
 * gst_meta_register_custom() and no tags, so audioconvert and other
 * elements that drop format-bound metas keep it).  Its structure holds one
 * field, GST_RNN_RESULT_FIELD_RESULTS: a GstValueArray of GstStructures
 * named GST_RNN_RESULT_STRUCTURE_NAME, every result that ended in this
 * buffer, in window order, then stream order.  A second rnn element on the
 * same path appends its results to the same array (tell them apart by
 * GST_RNN_RESULT_FIELD_ELEMENT, the element's name: rnntext's `source`
 * property picks one by it).
 *
 * ## One result
 *
 * | field        | type             | meaning                                       |
 * |--------------|------------------|-----------------------------------------------|
 * | element      | string           | the rnn element's name                        |
 * | model        | string           | its model file                                |
 * | stream       | guint            | the batch entry, 0..B-1                       |
 * | timestamp    | guint64 (ns)     | the window's start, on the buffers' timeline  |
 * | duration     | guint64 (ns)     | the window's length                           |
 * | hop          | guint64 (ns)     | the time between window starts                |
 * | frames       | guint            | frames in the window                          |
 * | scores       | GstValueArray of gdouble | the head's O outputs                  |
 * | valid        | gboolean         | FALSE when a score is NaN or Inf              |
 * | class        | guint            | (valid only) the largest score's index        |
 * | label        | string           | (valid only) its name, else the index as text |
 * | confidence   | gdouble          | (valid only) the largest score                |
 *
 * The bus message (GST_MESSAGE_ELEMENT, structure named
 * GST_RNN_RESULT_MESSAGE_NAME) of each result has the same fields, plus
 * running-time and stream-time (guint64) of the window start, as `level`.
 *
 * ## Thread rules
 *
 * All functions here may be called from any thread after gst_init().  The
 * structures returned belong to the meta (and so to the buffer): valid
 * while the caller holds the buffer, never to be freed or modified.
 */
#ifndef __GST_RNN_META_H__
#define __GST_RNN_META_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_RNN_RESULT_META_NAME "GstRnnResultMeta"
#define GST_RNN_RESULT_STRUCTURE_NAME "rnn-result"
#define GST_RNN_RESULT_MESSAGE_NAME "rnn"

#define GST_RNN_RESULT_FIELD_RESULTS "results"
#define GST_RNN_RESULT_FIELD_ELEMENT "element"
#define GST_RNN_RESULT_FIELD_MODEL "model"
#define GST_RNN_RESULT_FIELD_STREAM "stream"
#define GST_RNN_RESULT_FIELD_TIMESTAMP "timestamp"
#define GST_RNN_RESULT_FIELD_DURATION "duration"
#define GST_RNN_RESULT_FIELD_HOP "hop"
#define GST_RNN_RESULT_FIELD_FRAMES "frames"
#define GST_RNN_RESULT_FIELD_SCORES "scores"
#define GST_RNN_RESULT_FIELD_VALID "valid"
#define GST_RNN_RESULT_FIELD_CLASS "class"
#define GST_RNN_RESULT_FIELD_LABEL "label"
#define GST_RNN_RESULT_FIELD_CONFIDENCE "confidence"
#define GST_RNN_RESULT_FIELD_RUNNING_TIME "running-time"
#define GST_RNN_RESULT_FIELD_STREAM_TIME "stream-time"

/**
 * gst_rnn_result_meta_get_info:
 *
 * The meta's info, at any time: when no rnn element exists yet, the
 * plugin is loaded (which registers the meta).  Returns NULL only when the
 * rnn plugin is not installed.  Never free the result.
 */
static inline const GstMetaInfo *
gst_rnn_result_meta_get_info (void)
{
  const GstMetaInfo *info = gst_meta_get_info (GST_RNN_RESULT_META_NAME);

  if (info == NULL) {
    GstPluginFeature *f = gst_registry_find_feature (gst_registry_get (),
        "rnn", GST_TYPE_ELEMENT_FACTORY);

    if (f != NULL) {
      GstPluginFeature *loaded = gst_plugin_feature_load (f);

      if (loaded != NULL)
        gst_object_unref (loaded);
      gst_object_unref (f);
      info = gst_meta_get_info (GST_RNN_RESULT_META_NAME);
    }
  }
  return info;
}

/**
 * gst_rnn_buffer_get_result_meta:
 * @buffer: a buffer (not consumed)
 *
 * The results meta of @buffer, or NULL when no window ended in it (or no
 * rnn element ever ran).  Owned by @buffer.
 */
static inline GstCustomMeta *
gst_rnn_buffer_get_result_meta (GstBuffer * buffer)
{
  return gst_buffer_get_custom_meta (buffer, GST_RNN_RESULT_META_NAME);
}

/**
 * gst_rnn_result_meta_get_n_results:
 * @meta: (nullable): a results meta
 *
 * How many results @meta holds (0 for NULL).
 */
static inline guint
gst_rnn_result_meta_get_n_results (GstCustomMeta * meta)
{
  const GValue *arr;

  if (meta == NULL)
    return 0;
  arr = gst_structure_get_value (gst_custom_meta_get_structure (meta),
      GST_RNN_RESULT_FIELD_RESULTS);
  return arr != NULL && GST_VALUE_HOLDS_ARRAY (arr) ?
      gst_value_array_get_size (arr) : 0;
}

/**
 * gst_rnn_result_meta_get_result:
 * @meta: a results meta
 * @index: 0 .. gst_rnn_result_meta_get_n_results() - 1
 *
 * The @index-th result (structure GST_RNN_RESULT_STRUCTURE_NAME), owned
 * by @meta; NULL past the end.
 */
static inline const GstStructure *
gst_rnn_result_meta_get_result (GstCustomMeta * meta, guint index)
{
  const GValue *arr, *v;

  if (index >= gst_rnn_result_meta_get_n_results (meta))
    return NULL;
  arr = gst_structure_get_value (gst_custom_meta_get_structure (meta),
      GST_RNN_RESULT_FIELD_RESULTS);
  v = gst_value_array_get_value (arr, index);
  return GST_VALUE_HOLDS_STRUCTURE (v) ? gst_value_get_structure (v) : NULL;
}

G_END_DECLS

#endif /* __GST_RNN_META_H__ */

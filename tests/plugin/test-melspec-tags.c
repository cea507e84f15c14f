/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tags that describe the audio, not the features (audio-codec, codec,
 * bitrate, nominal/minimum/maximum-bitrate), are dropped from the tag
 * events melspec passes on, as decoders and converters drop them; the
 * other tags go through with their scope, and a tag event left empty is
 * not sent. */
#include "melspec-test.h"

#define CAPS "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, " \
    "channels=1"

/* The last TAG event waiting on @h (unref it), or NULL. */
static GstEvent *
pull_tags (GstHarness * h)
{
  GstEvent *ev, *tags = NULL;

  while ((ev = gst_harness_try_pull_event (h))) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_TAG) {
      if (tags)
        gst_event_unref (tags);
      tags = ev;
    } else {
      gst_event_unref (ev);
    }
  }
  return tags;
}

GST_START_TEST (test_audio_tags_dropped)
{
  GstHarness *h = harness_new (make_melspec (), CAPS);
  GstTagList *in = gst_tag_list_new (GST_TAG_AUDIO_CODEC, "MPEG-1 Layer 3",
      GST_TAG_BITRATE, 128000, GST_TAG_NOMINAL_BITRATE, 128000,
      GST_TAG_TITLE, "speech", NULL);
  GstTagList *out;
  GstEvent *ev;
  gchar *title = NULL;

  gst_tag_list_set_scope (in, GST_TAG_SCOPE_STREAM);
  while ((ev = gst_harness_try_pull_event (h)))
    gst_event_unref (ev);
  fail_unless (gst_harness_push_event (h, gst_event_new_tag (in)));
  ev = pull_tags (h);
  fail_unless (ev != NULL);
  gst_event_parse_tag (ev, &out);
  fail_unless_equals_int (gst_tag_list_get_tag_size (out,
          GST_TAG_AUDIO_CODEC), 0);
  fail_unless_equals_int (gst_tag_list_get_tag_size (out, GST_TAG_BITRATE),
      0);
  fail_unless_equals_int (gst_tag_list_get_tag_size (out,
          GST_TAG_NOMINAL_BITRATE), 0);
  fail_unless (gst_tag_list_get_string (out, GST_TAG_TITLE, &title));
  fail_unless_equals_string (title, "speech");
  fail_unless_equals_int (gst_tag_list_get_scope (out), GST_TAG_SCOPE_STREAM);
  g_free (title);
  gst_event_unref (ev);

  /* codec tags alone: no tag event at all */
  fail_unless (gst_harness_push_event (h, gst_event_new_tag
          (gst_tag_list_new (GST_TAG_AUDIO_CODEC, "Vorbis", NULL))));
  fail_unless (pull_tags (h) == NULL);
  harness_done (h);
}

GST_END_TEST;

static Suite *
melspec_suite (void)
{
  Suite *s = suite_create ("melspec-tags");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_audio_tags_dropped);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (melspec);

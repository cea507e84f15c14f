/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for melspec's model file: any byte string given as
 * melspec model=FILE must either be refused at start (or its caps
 * refused) with an error, or configure the element, which then takes
 * 16 kHz mono caps and computes a frame, without fault, CRITICAL or huge
 * allocation (the limits of gstmelspeclimits.c: run with
 * -malloc_limit_mb).  The element is compiled in (no plugin loading);
 * built by tests/fuzz/run.sh (clang, ASan, UBSan) and linked into
 * regress.c, which replays tests/plugin/melspec-malformed and the
 * findings in tests/fuzz/melspec-regressions. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "gstmelspec.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static gchar *path;             /* the model file the inputs are written to */

/* gst_init, the element type, a temporary file, and CRITICALs fatal:
 * once per process. */
static void
setup (void)
{
  gint fd;

  gst_init (NULL, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  fd = g_file_open_tmp ("fuzz-melspec-XXXXXX.safetensors", &path, NULL);
  if (fd < 0)
    abort ();
  close (fd);
}

/* One frame of 400 samples through @e's sink pad (in PAUSED). */
static void
feed (GstElement * e)
{
  GstPad *sink = gst_element_get_static_pad (e, "sink");
  GstCaps *caps = gst_caps_from_string ("audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=16000, channels=1");
  GstSegment segment;

  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_send_event (sink, gst_event_new_stream_start ("fuzz"));
  if (gst_pad_send_event (sink, gst_event_new_caps (caps))) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 400 * 4, NULL);

    gst_buffer_memset (buf, 0, 0, 400 * 4);
    gst_pad_send_event (sink, gst_event_new_segment (&segment));
    gst_pad_chain (sink, buf);  /* NOT_LINKED: no peer */
  }
  gst_caps_unref (caps);
  gst_object_unref (sink);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static gsize once = 0;
  GstElement *e;

  if (g_once_init_enter (&once)) {
    setup ();
    g_once_init_leave (&once, 1);
  }
  if (!g_file_set_contents (path, (const gchar *) data, size, NULL))
    abort ();
  e = g_object_new (GST_TYPE_MELSPEC, NULL);
  g_object_set (e, "model", path, NULL);
  if (gst_element_set_state (e, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE)
    feed (e);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_object_unref (e);
  return 0;
}

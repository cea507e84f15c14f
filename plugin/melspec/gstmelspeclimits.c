/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: the sizes it refuses before allocating
 * anything, the same whether they come from the properties, a model
 * file's rnn.frontend.* keys (both checked at start, and again at the
 * rate of the caps) or the caps (channels), and the FFT sizes it takes.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/gst.h>
#include <gst/fft/gstfft.h>

#include "gstmelspecdsp.h"

static gboolean
fail (GError ** error, const gchar * format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError ** error, const gchar * format, ...)
{
  va_list args;

  va_start (args, format);
  if (error)
    *error = g_error_new_valist (GST_LIBRARY_ERROR,
        GST_LIBRARY_ERROR_SETTINGS, format, args);
  va_end (args);
  return FALSE;
}

/* Is @n an FFT size GstFFT computes fast (only factors 2, 3 and 5) and
 * that its real FFT takes (even)? */
static gboolean
fast_even (gint n)
{
  return n >= 2 && n % 2 == 0 && gst_fft_next_fast_length (n) == n;
}

gint
gst_melspec_fast_fft_above (gint n)
{
  gint m = MAX (n, 2);

  while (m < G_MAXINT / 2 && !fast_even (m))
    m = gst_fft_next_fast_length (m + 1);
  return m;
}

gint
gst_melspec_fast_fft_below (gint n)
{
  for (gint m = n - (n % 2); m >= 2; m -= 2)
    if (fast_even (m))
      return m;
  return 0;
}

gboolean
gst_melspec_check_limits (const GstMelspecParams * p, guint channels,
    GError ** error)
{
  gboolean kaldi = p->preset == GST_MELSPEC_PRESET_KALDI_FBANK;
  guint64 frame = kaldi ? (guint) MAX (p->win_length, 0) : (guint)
      MAX (p->n_fft, 0);
  guint64 fft, bins;

  if (kaldi && frame == 0)
    frame = MAX (p->n_fft, 0);
  if (frame > GST_MELSPEC_MAX_FRAME)
    return fail (error, "%s=%" G_GUINT64_FORMAT " is larger than %u, the "
        "largest frame melspec takes (%.2f s at 48 kHz)",
        kaldi ? "win-length" : "n-fft", frame, GST_MELSPEC_MAX_FRAME,
        GST_MELSPEC_MAX_FRAME / 48000.0);
  if (p->n_mels > (gint) GST_MELSPEC_MAX_MELS)
    return fail (error, "n-mels=%d is more than %u, the most mel bands "
        "melspec computes", p->n_mels, GST_MELSPEC_MAX_MELS);
  if (!kaldi && p->n_fft >= 2 && p->n_fft % 2 == 0 && !fast_even (p->n_fft)) {
    gint below = gst_melspec_fast_fft_below (p->n_fft);
    gint above = gst_melspec_fast_fft_above (p->n_fft);

    return fail (error, "n-fft=%d has a prime factor above 5, for which "
        "GStreamer's FFT takes its slow generic path: use the nearest fast "
        "size, n-fft=%d%s%.0d (sizes whose only factors are 2, 3 and 5), "
        "with win-length=%d to keep the window", p->n_fft, below ? below : above, below ? " or n-fft=" : "",
        below ? above : 0, p->win_length > 0 ? p->win_length : p->n_fft);
  }
  if (channels > GST_MELSPEC_MAX_CHANNELS)
    return fail (error, "%u channels: melspec takes at most %u streams",
        channels, GST_MELSPEC_MAX_CHANNELS);
  fft = kaldi ? (frame > 1 ? 1u << g_bit_storage (frame - 1) : 2) : frame;
  bins = fft / 2 + 1;
  if ((guint64) channels * frame > GST_MELSPEC_MAX_HISTORY)
    return fail (error, "%u channels of %" G_GUINT64_FORMAT "-sample frames "
        "(%s) would keep %" G_GUINT64_FORMAT " samples in memory, more than "
        "the %u melspec allows", channels, frame, kaldi ? "win-length" :
        "n-fft", (guint64) channels * frame, GST_MELSPEC_MAX_HISTORY);
  if ((guint64) channels * MAX (p->n_mfcc > 0 ? p->n_mfcc : p->n_mels, 0)
      > GST_MELSPEC_MAX_OUT_CHANNELS)
    return fail (error, "%u channels of %d features would be %"
        G_GUINT64_FORMAT " output channels, more than the %u melspec "
        "outputs", channels, p->n_mfcc > 0 ? p->n_mfcc : p->n_mels,
        (guint64) channels * (p->n_mfcc > 0 ? p->n_mfcc : p->n_mels),
        GST_MELSPEC_MAX_OUT_CHANNELS);
  if (p->n_mels > 0 && bins * p->n_mels > GST_MELSPEC_MAX_FBANK)
    return fail (error, "n-mels=%d bands over %" G_GUINT64_FORMAT " FFT bins "
        "(FFT size %" G_GUINT64_FORMAT ") make a filter bank of %"
        G_GUINT64_FORMAT " weights, more than the %u melspec allows",
        p->n_mels, bins, fft, bins * p->n_mels, GST_MELSPEC_MAX_FBANK);
  return TRUE;
}

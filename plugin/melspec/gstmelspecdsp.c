/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: the feature maths.
 *
 * torchaudio 0.13 as the reference:
 *  - MelSpectrogram(center=False): a frame is n-fft samples; the window
 *    (win-length) sits centred in it (torch.stft pads it with
 *    (n-fft - win-length) / 2 zeros on the left); |rfft|^power; triangular
 *    mel filters (functional.melscale_fbanks); optional log;
 *  - MFCC: DCT-II with norm="ortho" (functional.create_dct) of the log mel
 *    bands;
 *  - compliance.kaldi.fbank (preset kaldi-fbank, dither 0): a frame is
 *    win-length samples, DC removed, pre-emphasis 0.97 (the first sample
 *    against itself), povey window, zero-padded to the next power of two,
 *    Kaldi's mel banks (1127 ln (1 + f / 700), no filter on the Nyquist
 *    bin), ln max (x, FLT_EPSILON).
 * Tables are computed in double and stored as float (torchaudio's are
 * float32).  A frame is computed in double, with GStreamer's double FFT
 * (GstFFTF64): with GstFFTF32 the rounding of the FFT alone puts weak bands
 * (60 dB below the frame's strongest, e.g. Kaldi's lowest bands after
 * pre-emphasis) ~9e-5 (relative) off the exact value, which on top of
 * torchaudio's own float32 error (~7.5e-5 there) breaks the 1e-4 match.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/gst.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "gstmelspecdsp.h"

#define KALDI_PREEMPHASIS 0.97

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

static guint
win_length (const GstMelspecParams * p)
{
  return p->win_length > 0 ? p->win_length : p->n_fft;
}

void
gst_melspec_params_at_rate (const GstMelspecParams * p, gint rate,
    GstMelspecParams * out)
{
  *out = *p;
  if (rate <= 0)
    return;
  /* the same double arithmetic as torchaudio's int (rate * ms * 0.001) */
  if (p->frame_ms > 0)
    out->win_length = out->n_fft = (gint) ((gdouble) rate * p->frame_ms *
        0.001);
  if (p->shift_ms > 0)
    out->hop_length = (gint) ((gdouble) rate * p->shift_ms * 0.001);
}

guint
gst_melspec_params_n_features (const GstMelspecParams * p)
{
  return p->n_mfcc > 0 ? p->n_mfcc : p->n_mels;
}

guint
gst_melspec_params_frame_len (const GstMelspecParams * p)
{
  return p->preset == GST_MELSPEC_PRESET_KALDI_FBANK ? win_length (p) :
      (guint) p->n_fft;
}

/* The upper band edge: f-max, or 0 = the Nyquist frequency as torchaudio
 * takes it (float (rate // 2)), Kaldi's 0.5 * rate. */
static gdouble
f_max (const GstMelspecParams * p, gint rate)
{
  if (p->f_max > 0)
    return p->f_max;
  return p->preset == GST_MELSPEC_PRESET_KALDI_FBANK ? 0.5 * rate :
      (gdouble) (rate / 2);
}

/* The preset's own choices: a property set to something else is an
 * error, not silently ignored. */
static gboolean
check_kaldi (const GstMelspecParams * p, GError ** error)
{
  if (p->window == GST_MELSPEC_WINDOW_HAMMING)
    return fail (error, "window=hamming does not apply with "
        "preset=kaldi-fbank, which uses the povey window");
  if (p->mel_scale != GST_MELSPEC_MEL_SCALE_HTK)
    return fail (error, "mel-scale=slaney does not apply with "
        "preset=kaldi-fbank, which uses Kaldi's mel scale");
  if (p->norm != GST_MELSPEC_NORM_NONE)
    return fail (error, "norm=slaney does not apply with "
        "preset=kaldi-fbank");
  if (p->log == GST_MELSPEC_LOG_DB)
    return fail (error, "log=db does not apply with preset=kaldi-fbank "
        "(log=ln is Kaldi's log, log=none its linear energies)");
  if (p->power != 1.0 && p->power != 2.0)
    return fail (error, "power=%g with preset=kaldi-fbank: Kaldi computes "
        "the magnitude (power=1) or the power (power=2) only", p->power);
  if (p->n_mfcc > 0)
    return fail (error, "n-mfcc=%d with preset=kaldi-fbank: the preset "
        "computes Kaldi's filter bank energies, not MFCCs", p->n_mfcc);
  if (win_length (p) < 2)
    return fail (error, "win-length=%u with preset=kaldi-fbank: a frame "
        "needs at least 2 samples", win_length (p));
  return TRUE;
}

/* n-fft, win-length and hop-length against each other and the rate. */
static gboolean
check_framing (const GstMelspecParams * p, gint rate, GError ** error)
{
  gboolean kaldi = p->preset == GST_MELSPEC_PRESET_KALDI_FBANK;

  if (p->hop_length < 1)
    return fail (error, "hop-length=%d: must be at least 1%s", p->hop_length,
        p->shift_ms > 0 ? " (preset=kaldi-fbank's 10 ms at this rate)" : "");
  if (rate > 0 && rate % p->hop_length != 0)
    return fail (error, "the input rate %d Hz is not a multiple of "
        "hop-length=%d%s: the frame rate %d/%d = %.4f frames/s is not an "
        "integer (choose a hop-length that divides %d)", rate,
        p->hop_length, p->shift_ms > 0 ? " (preset=kaldi-fbank's frame "
        "shift of 10 ms)" : "", rate, p->hop_length,
        (gdouble) rate / p->hop_length, rate);
  if (kaldi)
    return check_kaldi (p, error);
  if (p->n_fft < 2 || p->n_fft % 2 != 0)
    return fail (error, "n-fft=%d: GStreamer's FFT needs an even size of "
        "at least 2", p->n_fft);
  if (win_length (p) > (guint) p->n_fft)
    return fail (error, "win-length=%d is larger than n-fft=%d",
        p->win_length, p->n_fft);
  return TRUE;
}

gboolean
gst_melspec_params_check (const GstMelspecParams * params, gint rate,
    GError ** error)
{
  GstMelspecParams at_rate, *p = &at_rate;
  gdouble fmax;

  /* rate 0: the rate is not known yet, check what does not depend on it */
  gst_melspec_params_at_rate (params, rate, &at_rate);
  fmax = rate > 0 ? f_max (p, rate) : p->f_max > 0 ? p->f_max :
      G_MAXDOUBLE;

  if (rate > 0 && p->sample_rate > 0 && p->sample_rate != rate)
    return fail (error, "the input rate is %d Hz but sample-rate=%d (the "
        "rate the features were designed for): add audioresample before "
        "melspec to convert to %d Hz", rate, p->sample_rate, p->sample_rate);
  if (!gst_melspec_check_limits (p, 0, error))
    return FALSE;
  if (!check_framing (p, rate, error))
    return FALSE;
  if (p->n_mels < 1)
    return fail (error, "n-mels=%d: must be at least 1", p->n_mels);
  if (p->n_mfcc > p->n_mels)
    return fail (error, "n-mfcc=%d is larger than n-mels=%d", p->n_mfcc,
        p->n_mels);
  if (rate > 0 && fmax > 0.5 * rate)
    return fail (error, "f-max=%g Hz is above half the input rate "
        "(%d / 2 = %g Hz)", fmax, rate, 0.5 * rate);
  if (p->f_min < 0 || p->f_min >= fmax)
    return fail (error, "f-min=%g Hz must be at least 0 and below "
        "f-max=%g Hz", p->f_min, fmax);
  if (!(p->power > 0))
    return fail (error, "power=%g: must be positive", p->power);
  if (p->log == GST_MELSPEC_LOG_LN && p->preset == GST_MELSPEC_PRESET_NONE
      && !(p->log_offset > 0))
    return fail (error, "log-offset=%g with log=ln: must be positive "
        "(ln 0 is -infinity)", p->log_offset);
  return TRUE;
}

/* ------------------------------------------------------------ tables */

static double
hz_to_mel (double f, GstMelspecMelScale scale)
{
  const double f_sp = 200.0 / 3, min_log_hz = 1000.0;
  const double min_log_mel = min_log_hz / f_sp, logstep = log (6.4) / 27.0;

  if (scale == GST_MELSPEC_MEL_SCALE_HTK)
    return 2595.0 * log10 (1.0 + f / 700.0);
  if (f >= min_log_hz)
    return min_log_mel + log (f / min_log_hz) / logstep;
  return f / f_sp;
}

static double
mel_to_hz (double m, GstMelspecMelScale scale)
{
  const double f_sp = 200.0 / 3, min_log_hz = 1000.0;
  const double min_log_mel = min_log_hz / f_sp, logstep = log (6.4) / 27.0;

  if (scale == GST_MELSPEC_MEL_SCALE_HTK)
    return 700.0 * (pow (10.0, m / 2595.0) - 1.0);
  if (m >= min_log_mel)
    return min_log_hz * exp (logstep * (m - min_log_mel));
  return f_sp * m;
}

static double
window_value (GstMelspecWindow w, guint i, guint n)
{
  switch (w) {
    case GST_MELSPEC_WINDOW_HAMMING:
      return n == 1 ? 1.0 : 0.54 - 0.46 * cos (2 * G_PI * i / n);
    case GST_MELSPEC_WINDOW_POVEY:
      return n == 1 ? 1.0 : pow (0.5 - 0.5 * cos (2 * G_PI * i / (n - 1)),
          0.85);
    case GST_MELSPEC_WINDOW_HANN:
    default:
      return n == 1 ? 1.0 : 0.5 - 0.5 * cos (2 * G_PI * i / n);
  }
}

/* functional.melscale_fbanks (transposed: one row per band). */
static void
torchaudio_fbank (GstMelspecDsp * d)
{
  const GstMelspecParams *p = &d->p;
  double m_min = hz_to_mel (p->f_min, p->mel_scale);
  double m_max = hz_to_mel (f_max (p, d->rate), p->mel_scale);
  double nyq = (double) (d->rate / 2);
  double *f_pts = g_new (double, d->n_mels + 2);

  for (guint i = 0; i < d->n_mels + 2; i++)
    f_pts[i] = mel_to_hz (m_min + (m_max - m_min) * i / (d->n_mels + 1),
        p->mel_scale);
  for (guint m = 0; m < d->n_mels; m++) {
    double enorm = p->norm == GST_MELSPEC_NORM_SLANEY ?
        2.0 / (f_pts[m + 2] - f_pts[m]) : 1.0;

    for (guint k = 0; k < d->n_bins; k++) {
      double f = nyq * k / (d->n_bins - 1);
      double up = (f - f_pts[m]) / (f_pts[m + 1] - f_pts[m]);
      double down = (f_pts[m + 2] - f) / (f_pts[m + 2] - f_pts[m + 1]);

      d->fbank[m * d->n_bins + k] = MAX (0.0, MIN (up, down)) * enorm;
    }
  }
  g_free (f_pts);
}

/* compliance.kaldi.get_mel_banks, without VTLN (warp 1), plus the zero
 * weight of the Nyquist bin. */
static void
kaldi_fbank (GstMelspecDsp * d)
{
  const GstMelspecParams *p = &d->p;
  double mel_lo = 1127.0 * log (1.0 + p->f_min / 700.0);
  double mel_hi = 1127.0 * log (1.0 + f_max (p, d->rate) / 700.0);
  double delta = (mel_hi - mel_lo) / (d->n_mels + 1);
  double bin_width = (double) d->rate / d->fft_len;

  for (guint m = 0; m < d->n_mels; m++) {
    double left = mel_lo + m * delta, center = mel_lo + (m + 1) * delta;
    double right = mel_lo + (m + 2) * delta;

    for (guint k = 0; k < d->n_bins; k++) {
      double mel = 1127.0 * log (1.0 + bin_width * k / 700.0);
      double up = (mel - left) / (center - left);
      double down = (right - mel) / (right - center);

      d->fbank[m * d->n_bins + k] = k + 1 == d->n_bins ? 0.0 :
          MAX (0.0, MIN (up, down));
    }
  }
}

/* functional.create_dct (n_mfcc, n_mels, "ortho"), as (n_out, n_mels). */
static void
make_dct (GstMelspecDsp * d)
{
  d->dct = g_new (double, (gsize) d->n_out * d->n_mels);
  for (guint k = 0; k < d->n_out; k++) {
    double scale = sqrt (2.0 / d->n_mels) * (k == 0 ? sqrt (0.5) : 1.0);

    for (guint n = 0; n < d->n_mels; n++)
      d->dct[k * d->n_mels + n] = scale * cos (G_PI / d->n_mels * (n + 0.5)
          * k);
  }
}

GstMelspecDsp *
gst_melspec_dsp_new (const GstMelspecParams * params, gint rate,
    GError ** error)
{
  const GstMelspecParams *p;
  GstMelspecDsp *d;
  guint win, left;

  if (!gst_melspec_params_check (params, rate, error))
    return NULL;
  d = g_new0 (GstMelspecDsp, 1);
  gst_melspec_params_at_rate (params, rate, &d->p);
  p = &d->p;
  d->rate = rate;
  d->kaldi = p->preset == GST_MELSPEC_PRESET_KALDI_FBANK;
  win = win_length (p);
  d->frame_len = gst_melspec_params_frame_len (p);
  d->hop = p->hop_length;
  d->fft_len = d->kaldi ? 1u << g_bit_storage (win - 1) : (guint) p->n_fft;
  d->n_bins = d->fft_len / 2 + 1;
  d->n_mels = p->n_mels;
  d->n_out = gst_melspec_params_n_features (p);

  /* the window, centred in the frame as torch.stft pads it; rounded to
   * float as torch's float32 window for torch.stft, exact for Kaldi: its
   * weak bands (a pure tone's, 100 dB down) sit near the leakage that a
   * float window's rounding spreads over every bin (3.6e-4 off in ln) */
  d->window = g_new0 (double, d->frame_len);
  left = (d->frame_len - win) / 2;
  for (guint i = 0; i < win; i++)
    d->window[left + i] = d->kaldi ?
        window_value (GST_MELSPEC_WINDOW_POVEY, i, win) :
        (float) window_value (p->window, i, win);

  d->fbank = g_new (float, (gsize) d->n_mels * d->n_bins);
  if (d->kaldi)
    kaldi_fbank (d);
  else
    torchaudio_fbank (d);
  /* mel points that do not increase (f-max = 1e-300: its mel value is 0,
   * that of f-min) make 0 / 0 weights: every feature would be NaN */
  for (gsize i = 0; i < (gsize) d->n_mels * d->n_bins; i++) {
    if (!isfinite (d->fbank[i])) {
      fail (error, "f-min=%g Hz and f-max=%g Hz are too close together for "
          "%u mel bands: the filters have no width (weights of 0 / 0)",
          p->f_min, f_max (p, rate), d->n_mels);
      gst_melspec_dsp_free (d);
      return NULL;
    }
  }
  d->fb_lo = g_new (guint, d->n_mels);
  d->fb_hi = g_new (guint, d->n_mels);
  for (guint m = 0; m < d->n_mels; m++) {
    const float *row = d->fbank + (gsize) m * d->n_bins;
    guint lo = 0, hi = d->n_bins;

    while (lo < hi && row[lo] == 0.0f)
      lo++;
    while (hi > lo && row[hi - 1] == 0.0f)
      hi--;
    d->fb_lo[m] = lo;
    d->fb_hi[m] = hi;
    /* torchaudio's condition: (fb.max(dim=0).values == 0.0).any() */
    if (lo == hi)
      d->zero_bands++;
  }
  if (p->n_mfcc > 0)
    make_dct (d);

  d->fft = gst_fft_f64_new (d->fft_len, FALSE);
  d->fft_in = g_new0 (double, d->fft_len);
  d->spec = g_new (GstFFTF64Complex, d->n_bins);
  d->pow = g_new (double, d->n_bins);
  d->mel = g_new (double, d->n_mels);
  return d;
}

void
gst_melspec_dsp_free (GstMelspecDsp * d)
{
  if (!d)
    return;
  g_free (d->window);
  g_free (d->fbank);
  g_free (d->fb_lo);
  g_free (d->fb_hi);
  g_free (d->dct);
  if (d->fft)
    gst_fft_f64_free (d->fft);
  g_free (d->fft_in);
  g_free (d->spec);
  g_free (d->pow);
  g_free (d->mel);
  g_free (d);
}

/* ------------------------------------------------------------ a frame */

/* Kaldi's per-frame preparation: DC removal, pre-emphasis, window; the
 * rest of fft_in stays zero (the padding). */
static void
kaldi_prepare (GstMelspecDsp * d, const float *x)
{
  guint n = d->frame_len;
  double mean = 0, prev;

  for (guint i = 0; i < n; i++)
    mean += x[i];
  mean /= n;
  prev = x[0] - mean;
  for (guint i = 0; i < n; i++) {
    double v = x[i] - mean;

    d->fft_in[i] = (v - KALDI_PREEMPHASIS * prev) * d->window[i];
    prev = v;
  }
}

void
gst_melspec_dsp_frame (GstMelspecDsp * d, const float *x, float *out)
{
  const GstMelspecParams *p = &d->p;

  if (d->kaldi) {
    kaldi_prepare (d, x);
  } else {
    for (guint i = 0; i < d->frame_len; i++)
      d->fft_in[i] = (double) x[i] * d->window[i];
  }
  gst_fft_f64_fft (d->fft, d->fft_in, d->spec);

  for (guint k = 0; k < d->n_bins; k++) {
    double re = d->spec[k].r, im = d->spec[k].i, p2 = re * re + im * im;

    d->pow[k] = p->power == 2.0 ? p2 : p->power == 1.0 ? sqrt (p2) :
        pow (p2, 0.5 * p->power);
  }

  for (guint m = 0; m < d->n_mels; m++) {
    const float *row = d->fbank + (gsize) m * d->n_bins;
    double s = 0;

    for (guint k = d->fb_lo[m]; k < d->fb_hi[m]; k++)
      s += d->pow[k] * row[k];
    switch (p->log) {
      case GST_MELSPEC_LOG_LN:
        s = d->kaldi ? log (MAX (s, FLT_EPSILON)) : log (s + p->log_offset);
        break;
      case GST_MELSPEC_LOG_DB:
        s = 10.0 * log10 (MAX (s, 1e-10));
        break;
      default:
        break;
    }
    d->mel[m] = s;
  }

  if (!d->dct) {
    for (guint m = 0; m < d->n_mels; m++)
      out[m] = (float) d->mel[m];
    return;
  }
  for (guint k = 0; k < d->n_out; k++) {
    const double *row = d->dct + (gsize) k * d->n_mels;
    double s = 0;

    for (guint m = 0; m < d->n_mels; m++)
      s += row[m] * d->mel[m];
    out[k] = (float) s;
  }
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GStreamer melspec element: the feature maths (windows, FFT, mel filter
 * banks, log, DCT), as torchaudio 0.13 computes them, one frame at a time.
 * No GStreamer element code here.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __GST_MELSPEC_DSP_H__
#define __GST_MELSPEC_DSP_H__

#include <glib.h>
#include <gst/fft/gstfftf64.h>

G_BEGIN_DECLS

typedef enum
{
  GST_MELSPEC_WINDOW_HANN,      /* torch.hann_window (periodic) */
  GST_MELSPEC_WINDOW_HAMMING,   /* torch.hamming_window (periodic) */
  GST_MELSPEC_WINDOW_POVEY,     /* symmetric hann ^ 0.85 (Kaldi) */
} GstMelspecWindow;

typedef enum
{
  GST_MELSPEC_MEL_SCALE_HTK,
  GST_MELSPEC_MEL_SCALE_SLANEY,
} GstMelspecMelScale;

typedef enum
{
  GST_MELSPEC_NORM_NONE,
  GST_MELSPEC_NORM_SLANEY,
} GstMelspecNorm;

typedef enum
{
  GST_MELSPEC_LOG_NONE,
  GST_MELSPEC_LOG_LN,           /* ln (x + log-offset); Kaldi: ln max (x, FLT_EPSILON) */
  GST_MELSPEC_LOG_DB,           /* 10 log10 max (x, 1e-10): AmplitudeToDB("power") */
} GstMelspecLog;

typedef enum
{
  GST_MELSPEC_PRESET_NONE,
  GST_MELSPEC_PRESET_KALDI_FBANK,
} GstMelspecPreset;

/* The element's properties, as set (0 = the documented default). */
typedef struct
{
  gint sample_rate;             /* 0: any rate */
  gint n_fft, win_length, hop_length, n_mels, n_mfcc;
  gdouble f_min, f_max, power, log_offset;
  GstMelspecWindow window;
  GstMelspecMelScale mel_scale;
  GstMelspecNorm norm;
  GstMelspecLog log;
  GstMelspecPreset preset;
  /* preset=kaldi-fbank's defaults in ms (0: the sample counts above are
   * used), turned into samples at the input rate as torchaudio does,
   * int (rate * ms * 0.001), by gst_melspec_params_at_rate() */
  gdouble frame_ms;             /* win-length */
  gdouble shift_ms;             /* hop-length */
} GstMelspecParams;

/* torchaudio.compliance.kaldi.fbank's defaults, which preset=kaldi-fbank
 * takes for the properties neither set nor read from a model. */
#define GST_MELSPEC_KALDI_N_MELS 23
#define GST_MELSPEC_KALDI_F_MIN 20.0
#define GST_MELSPEC_KALDI_FRAME_MS 25.0
#define GST_MELSPEC_KALDI_SHIFT_MS 10.0

/* The maths for one parameter set at one rate: read-only tables plus the
 * scratch of one frame.  Not thread-safe: one thread computes frames. */
typedef struct
{
  GstMelspecParams p;
  gint rate;
  gboolean kaldi;
  guint frame_len;              /* samples a frame reads */
  guint hop;                    /* samples between frame starts */
  guint fft_len;                /* FFT size (>= frame_len, even) */
  guint n_bins;                 /* fft_len / 2 + 1 */
  guint n_mels;
  guint n_out;                  /* features per frame: n_mels or n_mfcc */
  double *window;               /* (frame_len), zero outside the window */
  float *fbank;                 /* (n_mels, n_bins) */
  guint *fb_lo, *fb_hi;         /* (n_mels): non-zero bins [lo, hi) */
  guint zero_bands;             /* bands whose weights are all zero */
  double *dct;                  /* (n_out, n_mels), or NULL */
  GstFFTF64 *fft;
  /* scratch of one frame */
  double *fft_in;               /* (fft_len) */
  GstFFTF64Complex *spec;       /* (n_bins) */
  double *pow;                  /* (n_bins) */
  double *mel;                  /* (n_mels) */
} GstMelspecDsp;

/* The limits gst_melspec_check_limits() applies, far above any real use
 * (speech takes 400-sample frames and 40-128 bands, music 2048-8192 and
 * up to 256), low enough that the tables and the partial frames stay
 * under ~100 MB: a frame (n-fft, or win-length with preset=kaldi-fbank)
 * of at most 65536 samples (1.37 s at 48 kHz), 1024 mel bands, 1024
 * streams, 16 Mi samples of partial frames (channels x frame), a filter
 * bank of 16 Mi weights (n-mels x (FFT size / 2 + 1)) and 65536 output
 * channels (streams x features). */
#define GST_MELSPEC_MAX_FRAME 65536u
#define GST_MELSPEC_MAX_MELS 1024u
#define GST_MELSPEC_MAX_CHANNELS 1024u
#define GST_MELSPEC_MAX_HISTORY (1u << 24)
#define GST_MELSPEC_MAX_FBANK (1u << 24)
#define GST_MELSPEC_MAX_OUT_CHANNELS 65536u

/* gstmelspeclimits.c: the one check of sizes, before anything is
 * allocated, whatever set them (properties, model file, caps): @p as set
 * or at a rate, @channels the input streams (0: not known yet).  Refuses
 * (FALSE, @error naming the property and the numbers) sizes above the
 * limits above and an even n-fft with a prime factor above 5, which
 * GstFFT computes slowly (the error names the nearest fast sizes).
 * No allocation but @error, any thread. */
gboolean gst_melspec_check_limits (const GstMelspecParams * p,
    guint channels, GError ** error);

/* The nearest even FFT sizes at or above / at or below @n that GstFFT
 * computes fast (gst_fft_next_fast_length()); 0 if none below.  Pure. */
gint gst_melspec_fast_fft_above (gint n);
gint gst_melspec_fast_fft_below (gint n);

/* Check @p for input at @rate (0: only the checks that do not need it).
 * FALSE with @error (naming the property and the numbers that clash) if
 * the combination is invalid. */
gboolean gst_melspec_params_check (const GstMelspecParams * p, gint rate,
    GError ** error);

/* @p with frame_ms / shift_ms made samples at @rate (> 0) into @out (a
 * copy of @p; @rate 0 copies @p as it is).  No allocation, any thread. */
void gst_melspec_params_at_rate (const GstMelspecParams * p, gint rate,
    GstMelspecParams * out);

/* Features per frame for @p (n-mfcc, else n-mels). */
guint gst_melspec_params_n_features (const GstMelspecParams * p);

/* Samples one frame reads for @p (n-fft; the window with the Kaldi
 * preset). */
guint gst_melspec_params_frame_len (const GstMelspecParams * p);

/* The tables for @p at @rate (checked with gst_melspec_params_check()).
 * Returns a new object (free with gst_melspec_dsp_free()) or NULL with
 * @error set. */
GstMelspecDsp *gst_melspec_dsp_new (const GstMelspecParams * p, gint rate,
    GError ** error);
void gst_melspec_dsp_free (GstMelspecDsp * dsp);

/* Features of one frame: @x (frame_len samples, scaled to [-1, 1)) to
 * @out (n_out floats).  @x is not modified.  No allocation. */
void gst_melspec_dsp_frame (GstMelspecDsp * dsp, const float *x, float *out);

G_END_DECLS

#endif /* __GST_MELSPEC_DSP_H__ */

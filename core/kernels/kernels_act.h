/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The activations and the cells' pointwise math, part of kernels_impl.h
 * (compiled once per kernel set).  Plain C that the compiler vectorises,
 * and on x86 with AVX2 (the avx2 and avx512 sets) explicit 8-float
 * vectors: the reciprocals of sigmoid and tanh by rcpps and one Newton
 * step instead of a division, whose latency GCC's vectorised loop waited
 * on (an LSTM step of 64 streams x 256 cells spent 12% of its time here).
 * Accuracy: exp ~2e-7 relative, sigmoid and tanh ~3e-7 absolute, the
 * same order as the division (the conformance fixtures check all sets
 * against PyTorch). */

/* ------------------------------------------------------------ activations
 * exp by range reduction (x = n ln2 + r) and Cephes' degree-6 polynomial:
 * relative error about 2e-7 over the clamped range, branch-free so it
 * vectorises.  NaN propagates, +-inf saturate. */
ALWAYS_INLINE float
k_exp (float x)
{
  x = x > 88.0f ? 88.0f : x;
  x = x < -87.0f ? -87.0f : x;
  float fx = x * 1.44269504088896341f;
  fx = __builtin_floorf (fx + 0.5f);
  float r = x - fx * 0.693359375f;
  r = r + fx * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  /* NaN must not reach the int conversion (undefined); p is NaN anyway */
  gint32 n = (gint32) (fx == fx ? fx : 0.0f);
  guint32 bits = (guint32) (n + 127) << 23;
  float scale;
  memcpy (&scale, &bits, 4);
  return p * scale;
}

ALWAYS_INLINE float
k_sigmoid (float x)
{
  return 1.0f / (1.0f + k_exp (-x));
}

/* tanh(x) = 1 - 2 / (exp(2x) + 1): absolute error ~1e-7 everywhere. */
ALWAYS_INLINE float
k_tanh (float x)
{
  return 1.0f - 2.0f / (k_exp (2.0f * x) + 1.0f);
}

#if defined(__AVX2__) && defined(__FMA__)
#define HAVE_V8 1

/* k_exp on 8 floats: the same clamps, reduction and polynomial. */
ALWAYS_INLINE __m256
v_exp (__m256 x)
{
  /* min/max return their second operand for NaN: NaN stays NaN */
  x = _mm256_min_ps (_mm256_set1_ps (88.0f), x);
  x = _mm256_max_ps (_mm256_set1_ps (-87.0f), x);
  __m256 fx = _mm256_floor_ps (_mm256_fmadd_ps (x,
          _mm256_set1_ps (1.44269504088896341f), _mm256_set1_ps (0.5f)));
  __m256 r = _mm256_fnmadd_ps (fx, _mm256_set1_ps (0.693359375f), x);
  r = _mm256_fmadd_ps (fx, _mm256_set1_ps (2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps (1.9875691500e-4f);
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.3981999507e-3f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (8.3334519073e-3f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (4.1665795894e-2f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (1.6666665459e-1f));
  p = _mm256_fmadd_ps (p, r, _mm256_set1_ps (5.0000001201e-1f));
  p = _mm256_fmadd_ps (_mm256_mul_ps (p, r), r, r);
  p = _mm256_add_ps (p, _mm256_set1_ps (1.0f));
  /* NaN converts to INT_MIN: garbage scale, but p is NaN already */
  __m256i n = _mm256_cvttps_epi32 (fx);
  n = _mm256_slli_epi32 (_mm256_add_epi32 (n, _mm256_set1_epi32 (127)), 23);
  return _mm256_mul_ps (p, _mm256_castsi256_ps (n));
}

/* 1/d for d >= 1 (or NaN): rcpps (12 bits) and one Newton step. */
ALWAYS_INLINE __m256
v_rcp (__m256 d)
{
  __m256 r = _mm256_rcp_ps (d);
  return _mm256_mul_ps (r, _mm256_fnmadd_ps (d, r, _mm256_set1_ps (2.0f)));
}

ALWAYS_INLINE __m256
v_sigmoid (__m256 x)
{
  __m256 e = v_exp (_mm256_sub_ps (_mm256_setzero_ps (), x));
  return v_rcp (_mm256_add_ps (e, _mm256_set1_ps (1.0f)));
}

ALWAYS_INLINE __m256
v_tanh (__m256 x)
{
  __m256 e = v_exp (_mm256_add_ps (x, x));
  return _mm256_fnmadd_ps (_mm256_set1_ps (2.0f),
      v_rcp (_mm256_add_ps (e, _mm256_set1_ps (1.0f))),
      _mm256_set1_ps (1.0f));
}

#define LD(p) _mm256_loadu_ps (p)
#define ST(p, v) _mm256_storeu_ps (p, v)
#endif

static void
k_rnn (const float *pre, gsize ldp, float *h, guint B, guint H,
    gboolean relu)
{
  for (guint b = 0; b < B; b++) {
    const float *restrict p = pre + b * ldp;
    float *restrict hb = h + (gsize) b * H;
    gsize j = 0;
    if (relu) {
      for (; j < H; j++)
        hb[j] = p[j] < 0.0f ? 0.0f : p[j];    /* NaN stays NaN, as torch.relu */
      continue;
    }
#ifdef HAVE_V8
    for (; j + 8 <= H; j += 8)
      ST (hb + j, v_tanh (LD (p + j)));
#endif
    for (; j < H; j++)
      hb[j] = k_tanh (p[j]);
  }
}

static void
k_lstm (const float *pre, gsize ldp, float *hc, float *c, guint B, guint H)
{
  for (guint b = 0; b < B; b++) {
    const float *restrict pi = pre + b * ldp;
    const float *restrict pf = pi + H;
    const float *restrict pg = pi + 2 * (gsize) H;
    const float *restrict po = pi + 3 * (gsize) H;
    float *restrict hb = hc + (gsize) b * H;
    float *restrict cb = c + (gsize) b * H;
    gsize j = 0;
#ifdef HAVE_V8
    /* two vectors at a time, stage by stage: each stage is a long chain
     * of dependent operations, and side by side they overlap */
    for (; j + 16 <= H; j += 16) {
      __m256 i[2], f[2], g[2], o[2], cn[2];
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        i[u] = v_sigmoid (LD (pi + j + 8 * u));
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        f[u] = v_sigmoid (LD (pf + j + 8 * u));
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        g[u] = v_tanh (LD (pg + j + 8 * u));
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        o[u] = v_sigmoid (LD (po + j + 8 * u));
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++) {
        cn[u] = _mm256_fmadd_ps (f[u], LD (cb + j + 8 * u),
            _mm256_mul_ps (i[u], g[u]));
        ST (cb + j + 8 * u, cn[u]);
      }
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        ST (hb + j + 8 * u, _mm256_mul_ps (o[u], v_tanh (cn[u])));
    }
    for (; j + 8 <= H; j += 8) {
      __m256 i = v_sigmoid (LD (pi + j)), f = v_sigmoid (LD (pf + j));
      __m256 g = v_tanh (LD (pg + j)), o = v_sigmoid (LD (po + j));
      __m256 cn = _mm256_fmadd_ps (f, LD (cb + j), _mm256_mul_ps (i, g));
      ST (cb + j, cn);
      ST (hb + j, _mm256_mul_ps (o, v_tanh (cn)));
    }
#endif
    for (; j < H; j++) {
      float i = k_sigmoid (pi[j]);
      float f = k_sigmoid (pf[j]);
      float g = k_tanh (pg[j]);
      float o = k_sigmoid (po[j]);
      float cn = f * cb[j] + i * g;
      cb[j] = cn;
      hb[j] = o * k_tanh (cn);
    }
  }
}

static void
k_gru (const float *gx, gsize ldp, const float *gh, const float *b_hn,
    float *h, guint B, guint H)
{
  for (guint b = 0; b < B; b++) {
    const float *restrict xr = gx + b * ldp;
    const float *restrict xz = xr + H;
    const float *restrict xn = xr + 2 * (gsize) H;
    const float *restrict hr = gh + (gsize) b * 3 * H;
    const float *restrict hz = hr + H;
    const float *restrict hn = hr + 2 * (gsize) H;
    float *restrict hb = h + (gsize) b * H;
    gsize j = 0;
#ifdef HAVE_V8
    for (; j + 8 <= H; j += 8) {
      __m256 rg = v_sigmoid (_mm256_add_ps (LD (xr + j), LD (hr + j)));
      __m256 z = v_sigmoid (_mm256_add_ps (LD (xz + j), LD (hz + j)));
      __m256 n = v_tanh (_mm256_fmadd_ps (rg,
              _mm256_add_ps (LD (hn + j), LD (b_hn + j)), LD (xn + j)));
      ST (hb + j, _mm256_fmadd_ps (z, _mm256_sub_ps (LD (hb + j), n), n));
    }
#endif
    for (; j < H; j++) {
      float rg = k_sigmoid (xr[j] + hr[j]);
      float z = k_sigmoid (xz[j] + hz[j]);
      float n = k_tanh (xn[j] + rg * (hn[j] + b_hn[j]));
      hb[j] = n + z * (hb[j] - n);
    }
  }
}

static void
k_softmax (float *x, gsize n)
{
  if (n == 0)
    return;
  float mx = x[0];
  for (gsize i = 1; i < n; i++)
    mx = x[i] > mx ? x[i] : mx;
  float sum = 0.0f;
  for (gsize i = 0; i < n; i++) {
    x[i] = k_exp (x[i] - mx);
    sum += x[i];
  }
  float inv = 1.0f / sum;
  for (gsize i = 0; i < n; i++)
    x[i] *= inv;
}

static void
k_sigmoid_vec (float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = k_sigmoid (x[i]);
}

#ifdef HAVE_V8
#undef LD
#undef ST
#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The activations and the cells' pointwise math, part of kernels_impl.h
 * (compiled once per kernel set).  Plain C that the compiler vectorises,
 * and on x86 explicit vectors, 8 floats in the avx2 set and 16 in the
 * avx512 ones (VW below): the reciprocals of sigmoid and tanh by rcpps and one Newton
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

/* One vector of VW floats: 16 (zmm) in the AVX-512 sets, which the
 * cells' loops then walk 16 lanes at a time (on a CPU with a full 512-bit
 * datapath, half the instructions of 8-lane vectors for the same math),
 * else 8 (ymm).  The same operations in the same order at either width:
 * only the reciprocal's first guess differs (rcp14 against rcpps's 12
 * bits, both refined by one Newton step). */
#if defined(__AVX512F__)
#define VW 16
typedef __m512 vf;
typedef __m512i vi;
#define V_SET1(a) _mm512_set1_ps (a)
#define V_ADD _mm512_add_ps
#define V_SUB _mm512_sub_ps
#define V_MUL _mm512_mul_ps
#define V_MIN _mm512_min_ps
#define V_MAX _mm512_max_ps
#define V_FMADD _mm512_fmadd_ps
#define V_FNMADD _mm512_fnmadd_ps
#define V_FLOOR(a) _mm512_roundscale_ps (a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)
#define V_RCP _mm512_rcp14_ps
#define V_CVTT _mm512_cvttps_epi32
#define V_ADDI _mm512_add_epi32
#define V_SET1I _mm512_set1_epi32
#define V_SLLI _mm512_slli_epi32
#define V_CASTI _mm512_castsi512_ps
#define V_ZERO _mm512_setzero_ps
#define LD(p) _mm512_loadu_ps (p)
#define ST(p, v) _mm512_storeu_ps (p, v)
#else
#define VW 8
typedef __m256 vf;
typedef __m256i vi;
#define V_SET1(a) _mm256_set1_ps (a)
#define V_ADD _mm256_add_ps
#define V_SUB _mm256_sub_ps
#define V_MUL _mm256_mul_ps
#define V_MIN _mm256_min_ps
#define V_MAX _mm256_max_ps
#define V_FMADD _mm256_fmadd_ps
#define V_FNMADD _mm256_fnmadd_ps
#define V_FLOOR(a) _mm256_floor_ps (a)
#define V_RCP _mm256_rcp_ps
#define V_CVTT _mm256_cvttps_epi32
#define V_ADDI _mm256_add_epi32
#define V_SET1I _mm256_set1_epi32
#define V_SLLI _mm256_slli_epi32
#define V_CASTI _mm256_castsi256_ps
#define V_ZERO _mm256_setzero_ps
#define LD(p) _mm256_loadu_ps (p)
#define ST(p, v) _mm256_storeu_ps (p, v)
#endif

/* k_exp on VW floats: the same clamps, reduction and polynomial. */
ALWAYS_INLINE vf
v_exp (vf x)
{
  /* min/max return their second operand for NaN: NaN stays NaN */
  x = V_MIN (V_SET1 (88.0f), x);
  x = V_MAX (V_SET1 (-87.0f), x);
  vf fx = V_FLOOR (V_FMADD (x, V_SET1 (1.44269504088896341f),
          V_SET1 (0.5f)));
  vf r = V_FNMADD (fx, V_SET1 (0.693359375f), x);
  r = V_FMADD (fx, V_SET1 (2.12194440e-4f), r);
  vf p = V_SET1 (1.9875691500e-4f);
  p = V_FMADD (p, r, V_SET1 (1.3981999507e-3f));
  p = V_FMADD (p, r, V_SET1 (8.3334519073e-3f));
  p = V_FMADD (p, r, V_SET1 (4.1665795894e-2f));
  p = V_FMADD (p, r, V_SET1 (1.6666665459e-1f));
  p = V_FMADD (p, r, V_SET1 (5.0000001201e-1f));
  p = V_FMADD (V_MUL (p, r), r, r);
  p = V_ADD (p, V_SET1 (1.0f));
  /* NaN converts to INT_MIN: garbage scale, but p is NaN already */
  vi n = V_CVTT (fx);
  n = V_SLLI (V_ADDI (n, V_SET1I (127)), 23);
  return V_MUL (p, V_CASTI (n));
}

/* 1/d for d >= 1 (or NaN): the first guess (rcpps 12 bits, rcp14 14)
 * and one Newton step. */
ALWAYS_INLINE vf
v_rcp (vf d)
{
  vf r = V_RCP (d);
  return V_MUL (r, V_FNMADD (d, r, V_SET1 (2.0f)));
}

ALWAYS_INLINE vf
v_sigmoid (vf x)
{
  vf e = v_exp (V_SUB (V_ZERO (), x));
  return v_rcp (V_ADD (e, V_SET1 (1.0f)));
}

ALWAYS_INLINE vf
v_tanh (vf x)
{
  vf e = v_exp (V_ADD (x, x));
  return V_FNMADD (V_SET1 (2.0f), v_rcp (V_ADD (e, V_SET1 (1.0f))),
      V_SET1 (1.0f));
}
#endif

static void
k_rnn (const float *pre, gsize ldp, const float *bias, float *h, guint B,
    guint H, gboolean relu)
{
  const float *restrict bi = bias;
  for (guint b = 0; b < B; b++) {
    const float *restrict p = pre + b * ldp;
    float *restrict hb = h + (gsize) b * H;
    gsize j = 0;
    if (relu) {
      for (; j < H; j++) {
        float v = p[j] + bi[j];
        hb[j] = v < 0.0f ? 0.0f : v;    /* NaN stays NaN, as torch.relu */
      }
      continue;
    }
#ifdef HAVE_V8
    for (; j + VW <= H; j += VW)
      ST (hb + j, v_tanh (V_ADD (LD (p + j), LD (bi + j))));
#endif
    for (; j < H; j++)
      hb[j] = k_tanh (p[j] + bi[j]);
  }
}

static void
k_lstm (const float *pre, gsize ldp, const float *bias, float *hc, float *c,
    guint B, guint H)
{
  const float *restrict bi = bias, *restrict bf = bias + H;
  const float *restrict bg = bias + 2 * (gsize) H;
  const float *restrict bo = bias + 3 * (gsize) H;
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
    for (; j + 2 * VW <= H; j += 2 * VW) {
      vf i[2], f[2], g[2], o[2], cn[2];
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        i[u] = v_sigmoid (V_ADD (LD (pi + j + VW * u), LD (bi + j + VW * u)));
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        f[u] = v_sigmoid (V_ADD (LD (pf + j + VW * u), LD (bf + j + VW * u)));
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        g[u] = v_tanh (V_ADD (LD (pg + j + VW * u), LD (bg + j + VW * u)));
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        o[u] = v_sigmoid (V_ADD (LD (po + j + VW * u), LD (bo + j + VW * u)));
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++) {
        cn[u] = V_FMADD (f[u], LD (cb + j + VW * u), V_MUL (i[u], g[u]));
        ST (cb + j + VW * u, cn[u]);
      }
      #pragma GCC unroll 2
      for (int u = 0; u < 2; u++)
        ST (hb + j + VW * u, V_MUL (o[u], v_tanh (cn[u])));
    }
    for (; j + VW <= H; j += VW) {
      vf i = v_sigmoid (V_ADD (LD (pi + j), LD (bi + j)));
      vf f = v_sigmoid (V_ADD (LD (pf + j), LD (bf + j)));
      vf g = v_tanh (V_ADD (LD (pg + j), LD (bg + j)));
      vf o = v_sigmoid (V_ADD (LD (po + j), LD (bo + j)));
      vf cn = V_FMADD (f, LD (cb + j), V_MUL (i, g));
      ST (cb + j, cn);
      ST (hb + j, V_MUL (o, v_tanh (cn)));
    }
#endif
    for (; j < H; j++) {
      float i = k_sigmoid (pi[j] + bi[j]);
      float f = k_sigmoid (pf[j] + bf[j]);
      float g = k_tanh (pg[j] + bg[j]);
      float o = k_sigmoid (po[j] + bo[j]);
      float cn = f * cb[j] + i * g;
      cb[j] = cn;
      hb[j] = o * k_tanh (cn);
    }
  }
}

static void
k_gru (const float *gx, gsize ldp, const float *bias, const float *gh,
    const float *b_hn, float *h, guint B, guint H)
{
  const float *restrict br = bias, *restrict bz = bias + H;
  const float *restrict bn = bias + 2 * (gsize) H;
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
    for (; j + VW <= H; j += VW) {
      vf rg = v_sigmoid (V_ADD (V_ADD (LD (xr + j), LD (br + j)),
              LD (hr + j)));
      vf z = v_sigmoid (V_ADD (V_ADD (LD (xz + j), LD (bz + j)),
              LD (hz + j)));
      vf n = v_tanh (V_FMADD (rg, V_ADD (LD (hn + j), LD (b_hn + j)),
              V_ADD (LD (xn + j), LD (bn + j))));
      ST (hb + j, V_FMADD (z, V_SUB (LD (hb + j), n), n));
    }
#endif
    for (; j < H; j++) {
      float rg = k_sigmoid ((xr[j] + br[j]) + hr[j]);
      float z = k_sigmoid ((xz[j] + bz[j]) + hz[j]);
      float n = k_tanh ((xn[j] + bn[j]) + rg * (hn[j] + b_hn[j]));
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

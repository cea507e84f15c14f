/* Portable C kernels for the recurrent step; OpenBLAS for the products. */
#include "kernels.h"

#include <cblas.h>
#include <math.h>

static inline float
sigmoidf (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

void
rnn_matmul_wt (const float *x, gsize n, gsize k, const float *w, gsize m,
    float *y, gsize ldy, gboolean accumulate)
{
  if (n == 0 || m == 0)
    return;
  if (n == 1) {
    cblas_sgemv (CblasRowMajor, CblasNoTrans, (blasint) m, (blasint) k, 1.0f,
        w, (blasint) k, x, 1, accumulate ? 1.0f : 0.0f, y, 1);
    return;
  }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (blasint) n,
      (blasint) m, (blasint) k, 1.0f, x, (blasint) k, w, (blasint) k,
      accumulate ? 1.0f : 0.0f, y, (blasint) ldy);
}

void
rnn_kernel_rnn (const float *gx, gsize ldgx, const float *gh, float *h,
    guint B, guint H, gboolean relu)
{
  for (guint b = 0; b < B; b++) {
    const float *x = gx + b * ldgx;
    const float *r = gh + (gsize) b * H;
    float *hb = h + (gsize) b * H;
    for (guint j = 0; j < H; j++) {
      float v = x[j] + r[j];
      hb[j] = relu ? (v > 0.0f ? v : 0.0f) : tanhf (v);
    }
  }
}

void
rnn_kernel_lstm (const float *gx, gsize ldgx, const float *gh, float *hc,
    float *c, guint B, guint H)
{
  for (guint b = 0; b < B; b++) {
    const float *x = gx + b * ldgx;
    const float *r = gh + (gsize) b * 4 * H;
    float *hb = hc + (gsize) b * H;
    float *cb = c + (gsize) b * H;
    for (guint j = 0; j < H; j++) {
      float i = sigmoidf (x[j] + r[j]);
      float f = sigmoidf (x[H + j] + r[H + j]);
      float g = tanhf (x[2 * H + j] + r[2 * H + j]);
      float o = sigmoidf (x[3 * H + j] + r[3 * H + j]);
      float cn = f * cb[j] + i * g;
      cb[j] = cn;
      hb[j] = o * tanhf (cn);
    }
  }
}

void
rnn_kernel_gru (const float *gx, gsize ldgx, const float *gh,
    const float *b_hn, float *h, guint B, guint H)
{
  for (guint b = 0; b < B; b++) {
    const float *x = gx + b * ldgx;
    const float *r = gh + (gsize) b * 3 * H;
    float *hb = h + (gsize) b * H;
    for (guint j = 0; j < H; j++) {
      float rg = sigmoidf (x[j] + r[j]);
      float z = sigmoidf (x[H + j] + r[H + j]);
      float n = tanhf (x[2 * H + j] + rg * (r[2 * H + j] + b_hn[j]));
      hb[j] = (1.0f - z) * n + z * hb[j];
    }
  }
}

void
rnn_activation_softmax (float *x, gsize n)
{
  if (n == 0)
    return;
  float mx = x[0];
  for (gsize i = 1; i < n; i++)
    mx = x[i] > mx ? x[i] : mx;
  float sum = 0.0f;
  for (gsize i = 0; i < n; i++) {
    x[i] = expf (x[i] - mx);
    sum += x[i];
  }
  float inv = 1.0f / sum;
  for (gsize i = 0; i < n; i++)
    x[i] *= inv;
}

void
rnn_activation_sigmoid (float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = sigmoidf (x[i]);
}

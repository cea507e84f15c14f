/* Internal: the per-step kernels of each cell.  Pure functions over the
 * caller's buffers; no allocation, no global state. */
#ifndef RNN_KERNELS_H
#define RNN_KERNELS_H

#include <glib.h>

G_BEGIN_DECLS

/* y (n, m) = x (n, k) . W^T, W (m, k) row-major, y row stride ldy.
 * With @accumulate, y += ...; otherwise y = ... */
void rnn_matmul_wt (const float *x, gsize n, gsize k, const float *w,
    gsize m, float *y, gsize ldy, gboolean accumulate);

/* Pointwise updates for one step of B streams.
 * gx: (B, G*H) input projection incl. bias_x, row stride ldgx
 * gh: (B, G*H) W_hh h, contiguous
 * h:  (B, H) updated in place (no projection)
 * c:  (B, H) LSTM cell, updated in place
 * For LSTM with projection, the kernel writes o*tanh(c') to @hc (B, H)
 * instead of h; the caller projects it. */
void rnn_kernel_rnn (const float *gx, gsize ldgx, const float *gh, float *h,
    guint B, guint H, gboolean relu);
void rnn_kernel_lstm (const float *gx, gsize ldgx, const float *gh,
    float *hc, float *c, guint B, guint H);
void rnn_kernel_gru (const float *gx, gsize ldgx, const float *gh,
    const float *b_hn, float *h, guint B, guint H);

void rnn_activation_softmax (float *x, gsize n);
void rnn_activation_sigmoid (float *x, gsize n);

G_END_DECLS

#endif

// The compute kernels of the native trainer addon (plain C over float arrays; no Node-API here). See kernels.c.
#ifndef SCALING_KERNELS_H
#define SCALING_KERNELS_H
#include <stddef.h>
#include <stdint.h>

// C[b] = op(A[b])·op(B[b]) (+ beta·C[b]) for b < batch, row-major, with element strides between batches (0 = shared operand).
void k_sgemm(int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc,
             int batch, ptrdiff_t stride_a, ptrdiff_t stride_b, ptrdiff_t stride_c);

// RMSNorm over rows of x [rows, d] with gain g [d]: y = x·r·g, r = 1/sqrt(mean(x²) + eps) (double accumulation).
void k_rmsnorm(const float *x, const float *g, float *y, float *r, int rows, int d, double eps);
// Its gradient: dx = r·(dy·g − x·r·mean(dy·g·x·r)), dg = Σ_rows dy·x·r.
void k_rmsnorm_grad(const float *dy, const float *x, const float *g, const float *r, float *dx, float *dg, int rows, int d);

// SwiGLU gate: gu [rows, 2f] = [g | u] → h [rows, f] = g·σ(g)·u, and its gradient dgu from dh.
void k_swiglu(const float *gu, float *h, int rows, int f);
void k_swiglu_grad(const float *dh, const float *gu, float *dgu, int rows, int f);

// Causal multi-head attention with RoPE and GQA on the fused projection qkv [B·T, (hq + 2·hkv)·hd] (token-major, heads
// [q… | k… | v…]). cos/sin [T, hq + 2·hkv, hd] are the rotate-half RoPE tables (Q rows carry 1/sqrt(hd); V rows 1/0).
// Writes out [B·T, hq·hd] (heads merged), the rotated projection qkvr (same layout as qkv) and probs [B, hq, T, T]
// (zero above the diagonal), both needed by the backward pass.
void k_attention(const float *qkv, const float *cos, const float *sin, float *out, float *qkvr, float *probs,
                 int B, int T, int hq, int hkv, int hd);
// Gradient with respect to qkv from dout [B·T, hq·hd], the saved qkvr and probs.
int k_attention_grad(const float *dout, const float *qkvr, const float *probs, const float *cos, const float *sin, float *dqkv,
                     int B, int T, int hq, int hkv, int hd);

// Softmax cross-entropy: probs = softmax(logits [n, v]); returns mean −log p[i, t_i] (nats). Targets outside [0, v) → NaN.
double k_xent(const float *logits, const int32_t *targets, float *probs, int n, int v);
// dlogits = (probs − onehot(t))·scale (scale = dloss / n).
void k_xent_grad(const float *probs, const int32_t *targets, float *out, int n, int v, double scale);

// One AdamW update in place (src/train/kernels/adamw-kernel.ts adamwArrays, the same float64 arithmetic in the same order).
void k_adamw(float *theta, const float *grad, float *m, float *v, size_t n, double lr, double beta1, double beta2, double eps,
             double weight_decay, double bc1, double bc2, double scale);
// acc + Σ x² in float64, sequentially (chained over tensors, it is the same sum as the JS kernel's).
double k_sumsq(const float *x, size_t n, double acc);

#endif

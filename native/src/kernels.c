// The compute kernels of the native trainer addon: OpenBLAS sgemm for every matrix product, and fused single-pass loops for
// RMSNorm, SwiGLU, causal RoPE attention, softmax cross-entropy and AdamW. Equations: docs/train-model.md ("Native kernels").
// Built with -ffp-contract=off: no fused multiply-adds, so the float64 loops (RMSNorm, AdamW, the gradient-norm sum) round
// exactly as the JavaScript kernels of src/train/kernels/ do and give the same bits.
#include "kernels.h"
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

static inline size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

void k_sgemm(int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc,
             int batch, ptrdiff_t stride_a, ptrdiff_t stride_b, ptrdiff_t stride_c) {
  for (int i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a + i * stride_a, lda,
                b + i * stride_b, ldb, beta, c + i * stride_c, ldc);
  }
}

// exp(x) in float (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-5 polynomial; relative error < 2e-7 for x in [−87, 88]),
// written branch-free so that loops over it vectorize. Arguments are clamped to that range (softmax and σ never need more).
static inline float fexp(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  const float t = x * 1.44269504088896341f;
  const float n = (t + 12582912.0f) - 12582912.0f; // round to nearest: 1.5·2^23 pushes the fraction out
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

#if defined(__AVX2__)
// fexp on 8 lanes, operation for operation (the same bits as the scalar version). max(lo, x)/min(hi, x) keep a NaN x.
static inline __m256 fexp8(__m256 x) {
  x = _mm256_max_ps(_mm256_set1_ps(-87.0f), x);
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), x);
  const __m256 t = _mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f));
  const __m256 magic = _mm256_set1_ps(12582912.0f);
  const __m256 n = _mm256_sub_ps(_mm256_add_ps(t, magic), magic);
  __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(0.693359375f)));
  r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(-2.12194440e-4f)));
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), _mm256_set1_ps(1.0f));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}
#endif

// x[i] ← exp(x[i] − shift) for i < n.
static void exp_shifted(float *x, int n, float shift) {
  int i = 0;
#if defined(__AVX2__)
  const __m256 sh = _mm256_set1_ps(shift);
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, fexp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)));
#endif
  for (; i < n; i++) x[i] = fexp(x[i] - shift);
}

// max of x[0..n) (n ≥ 1); a NaN anywhere makes the result NaN or leaves it to the exp/sum that follow to turn NaN.
static float max_of(const float *x, int n) {
  float mx = x[0];
  int i = 1;
#if defined(__AVX2__)
  if (n >= 9) {
    __m256 m = _mm256_loadu_ps(x + 1);
    for (i = 9; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
    float lanes[8];
    _mm256_storeu_ps(lanes, m);
    for (int j = 0; j < 8; j++) mx = lanes[j] > mx ? lanes[j] : mx;
  }
#endif
  for (; i < n; i++) mx = x[i] > mx ? x[i] : mx;
  return mx;
}

// σ(x[i]) into s[i] for i < n: 1 / (1 + exp(−x)).
static void sigmoid(const float *x, float *s, int n) {
  int i = 0;
#if defined(__AVX2__)
  const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  for (; i + 8 <= n; i += 8) {
    const __m256 e = fexp8(_mm256_sub_ps(zero, _mm256_loadu_ps(x + i)));
    _mm256_storeu_ps(s + i, _mm256_div_ps(one, _mm256_add_ps(one, e)));
  }
#endif
  for (; i < n; i++) s[i] = 1.0f / (1.0f + fexp(-x[i]));
}

void k_rmsnorm(const float *x, const float *g, float *y, float *r, int rows, int d, double eps) {
  for (int i = 0; i < rows; i++) {
    const float *xi = x + (size_t)i * d;
    float *yi = y + (size_t)i * d;
    double ss = 0;
    for (int j = 0; j < d; j++) ss += (double)xi[j] * (double)xi[j];
    const double inv = 1 / sqrt(ss / d + eps);
    r[i] = (float)inv;
    for (int j = 0; j < d; j++) yi[j] = (float)((double)xi[j] * inv * (double)g[j]);
  }
}

void k_rmsnorm_grad(const float *dy, const float *x, const float *g, const float *r, float *dx, float *dg, int rows, int d) {
  double *acc = calloc((size_t)d, sizeof(double));
  for (int i = 0; i < rows; i++) {
    const float *dyi = dy + (size_t)i * d;
    const float *xi = x + (size_t)i * d;
    float *dxi = dx + (size_t)i * d;
    const double inv = r[i];
    double c = 0;
    for (int j = 0; j < d; j++) {
      const double xh = (double)xi[j] * inv;
      acc[j] += (double)dyi[j] * xh;
      c += (double)dyi[j] * (double)g[j] * xh;
    }
    c /= d;
    for (int j = 0; j < d; j++) dxi[j] = (float)(inv * ((double)dyi[j] * (double)g[j] - (double)xi[j] * inv * c));
  }
  for (int j = 0; j < d; j++) dg[j] = (float)acc[j];
  free(acc);
}

void k_swiglu(const float *gu, float *h, int rows, int f) {
  for (int i = 0; i < rows; i++) {
    const float *g = gu + (size_t)i * 2 * f;
    const float *u = g + f;
    float *hi = h + (size_t)i * f;
    sigmoid(g, hi, f);
    for (int j = 0; j < f; j++) hi[j] = (g[j] * hi[j]) * u[j];
  }
}

void k_swiglu_grad(const float *dh, const float *gu, float *dgu, int rows, int f) {
  for (int i = 0; i < rows; i++) {
    const float *g = gu + (size_t)i * 2 * f;
    const float *u = g + f;
    const float *dhi = dh + (size_t)i * f;
    float *dg = dgu + (size_t)i * 2 * f;
    float *du = dg + f;
    sigmoid(g, du, f); // σ(g) parked in du, read before du[j] is written
    for (int j = 0; j < f; j++) {
      const float s = du[j];
      const float gs = g[j] * s;
      dg[j] = dhi[j] * u[j] * (s + gs * (1.0f - s));
      du[j] = dhi[j] * gs;
    }
  }
}

// Rows of one query block: scores and softmax are computed for rows [r0, r1) against columns [0, r1) only (causality).
enum { ATT_BLOCK = 64 };

void k_attention(const float *qkv, const float *cos, const float *sin, float *out, float *qkvr, float *probs,
                 int B, int T, int hq, int hkv, int hd) {
  const int H = hq + 2 * hkv, W = H * hd, D = hq * hd, rep = hq / hkv, half = hd / 2, rotated = (hq + hkv) * hd;
  // RoPE (rotate-half) on the q and k heads, rounded as the tfjs ops round it: fl(fl(x·cos) + fl(rot(x)·sin)); v is copied.
  for (int n = 0; n < B * T; n++) {
    const int t = n % T;
    const float *x = qkv + (size_t)n * W;
    float *y = qkvr + (size_t)n * W;
    const float *c = cos + (size_t)t * W, *s = sin + (size_t)t * W;
    for (int o = 0; o < rotated; o += hd) {
      for (int j = 0; j < half; j++) {
        const float a = x[o + j] * c[o + j], b = -x[o + j + half] * s[o + j];
        y[o + j] = a + b;
      }
      for (int j = half; j < hd; j++) {
        const float a = x[o + j] * c[o + j], b = x[o + j - half] * s[o + j];
        y[o + j] = a + b;
      }
    }
    memcpy(y + rotated, x + rotated, sizeof(float) * (size_t)hkv * hd);
  }
  for (int b = 0; b < B; b++) {
    for (int h = 0; h < hq; h++) {
      const int kv = h / rep;
      const float *Q = qkvr + (size_t)b * T * W + (size_t)h * hd;
      const float *K = qkvr + (size_t)b * T * W + (size_t)(hq + kv) * hd;
      const float *V = qkvr + (size_t)b * T * W + (size_t)(hq + hkv + kv) * hd;
      float *P = probs + (size_t)(b * hq + h) * T * T;
      float *O = out + (size_t)b * T * D + (size_t)h * hd;
      for (int r0 = 0; r0 < T; r0 += ATT_BLOCK) {
        const int r1 = (int)min_sz((size_t)T, (size_t)r0 + ATT_BLOCK);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r1 - r0, r1, hd, 1.0f, Q + (size_t)r0 * W, W, K, W, 0.0f, P + (size_t)r0 * T, T);
        for (int t = r0; t < r1; t++) {
          float *row = P + (size_t)t * T;
          exp_shifted(row, t + 1, max_of(row, t + 1));
          double sum = 0;
          for (int s = 0; s <= t; s++) sum += row[s];
          const float inv = (float)(1.0 / sum);
          for (int s = 0; s <= t; s++) row[s] *= inv;
          for (int s = t + 1; s < T; s++) row[s] = 0.0f;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r1 - r0, hd, r1, 1.0f, P + (size_t)r0 * T, T, V, W, 0.0f, O + (size_t)r0 * D, D);
      }
    }
  }
}

int k_attention_grad(const float *dout, const float *qkvr, const float *probs, const float *cos, const float *sin, float *dqkv,
                     int B, int T, int hq, int hkv, int hd) {
  const int H = hq + 2 * hkv, W = H * hd, D = hq * hd, rep = hq / hkv, half = hd / 2, rotated = (hq + hkv) * hd;
  float *dS = malloc(sizeof(float) * (size_t)T * T);
  if (!dS) return -1;
  memset(dqkv, 0, sizeof(float) * (size_t)B * T * W); // dq', dk', dv accumulate here (GQA: several q heads per k/v head)
  for (int b = 0; b < B; b++) {
    for (int h = 0; h < hq; h++) {
      const int kv = h / rep;
      const size_t base = (size_t)b * T * W;
      const float *Q = qkvr + base + (size_t)h * hd, *K = qkvr + base + (size_t)(hq + kv) * hd, *V = qkvr + base + (size_t)(hq + hkv + kv) * hd;
      float *dQ = dqkv + base + (size_t)h * hd, *dK = dqkv + base + (size_t)(hq + kv) * hd, *dV = dqkv + base + (size_t)(hq + hkv + kv) * hd;
      const float *dO = dout + (size_t)b * T * D + (size_t)h * hd;
      const float *P = probs + (size_t)(b * hq + h) * T * T;
      for (int r0 = 0; r0 < T; r0 += ATT_BLOCK) {
        const int r1 = (int)min_sz((size_t)T, (size_t)r0 + ATT_BLOCK);
        // dP = dO·Vᵀ, then the softmax gradient dS = P ⊙ (dP − Σ_s P·dP), zero above the diagonal.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r1 - r0, r1, hd, 1.0f, dO + (size_t)r0 * D, D, V, W, 0.0f, dS + (size_t)r0 * T, T);
        for (int t = r0; t < r1; t++) {
          float *row = dS + (size_t)t * T;
          const float *p = P + (size_t)t * T;
          double dot = 0;
          for (int s = 0; s <= t; s++) dot += (double)p[s] * (double)row[s];
          const float fdot = (float)dot;
          for (int s = 0; s <= t; s++) row[s] = p[s] * (row[s] - fdot);
          for (int s = t + 1; s < r1; s++) row[s] = 0.0f;
        }
        // dQ' = dS·K' (rows of this block, columns up to the block's end).
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r1 - r0, hd, r1, 1.0f, dS + (size_t)r0 * T, T, K, W, 0.0f, dQ + (size_t)r0 * W, W);
      }
      for (int c0 = 0; c0 < T; c0 += ATT_BLOCK) {
        const int c1 = (int)min_sz((size_t)T, (size_t)c0 + ATT_BLOCK);
        // dV += Pᵀ·dO and dK' += dSᵀ·Q' for the keys of this block: only queries t ≥ c0 attend to them.
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c1 - c0, hd, T - c0, 1.0f, P + (size_t)c0 * T + c0, T, dO + (size_t)c0 * D, D, 1.0f, dV + (size_t)c0 * W, W);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c1 - c0, hd, T - c0, 1.0f, dS + (size_t)c0 * T + c0, T, Q + (size_t)c0 * W, W, 1.0f, dK + (size_t)c0 * W, W);
      }
    }
  }
  free(dS);
  // Back through RoPE: dx_j = dy_j·cos_j + dy_{j+h}·sin_{j+h} (j < h = hd/2), dx_{j+h} = dy_{j+h}·cos_{j+h} − dy_j·sin_j.
  for (int n = 0; n < B * T; n++) {
    const int t = n % T;
    float *d = dqkv + (size_t)n * W;
    const float *c = cos + (size_t)t * W, *s = sin + (size_t)t * W;
    for (int o = 0; o < rotated; o += hd) {
      for (int j = 0; j < half; j++) {
        const float a = d[o + j], e = d[o + j + half];
        d[o + j] = a * c[o + j] + e * s[o + j + half];
        d[o + j + half] = e * c[o + j + half] - a * s[o + j];
      }
    }
  }
  return 0;
}

double k_xent(const float *logits, const int32_t *targets, float *probs, int n, int v) {
  double loss = 0;
  for (int i = 0; i < n; i++) {
    const float *x = logits + (size_t)i * v;
    float *p = probs + (size_t)i * v;
    const float mx = max_of(x, v);
    memcpy(p, x, sizeof(float) * (size_t)v);
    exp_shifted(p, v, mx);
    double sum = 0;
    for (int j = 0; j < v; j++) sum += p[j];
    const float inv = (float)(1.0 / sum);
    for (int j = 0; j < v; j++) p[j] *= inv;
    const int t = targets[i];
    if (t < 0 || t >= v) return NAN;
    loss -= ((double)x[t] - (double)mx) - log(sum);
  }
  return loss / n;
}

void k_xent_grad(const float *probs, const int32_t *targets, float *out, int n, int v, double scale) {
  const size_t total = (size_t)n * v;
  for (size_t i = 0; i < total; i++) out[i] = (float)((double)probs[i] * scale);
  for (int i = 0; i < n; i++) {
    float *o = out + (size_t)i * v + targets[i];
    *o = (float)((double)*o - scale);
  }
}

void k_adamw(float *theta, const float *grad, float *m, float *v, size_t n, double lr, double beta1, double beta2, double eps,
             double weight_decay, double bc1, double bc2, double scale) {
  const double decay = lr * weight_decay, step = lr / bc1, inv_bc2 = 1 / bc2;
  for (size_t i = 0; i < n; i++) {
    const double g = (double)grad[i] * scale;
    const double mi = beta1 * (double)m[i] + (1 - beta1) * g;
    const double vi = beta2 * (double)v[i] + (1 - beta2) * g * g;
    const double th = theta[i];
    m[i] = (float)mi;
    v[i] = (float)vi;
    theta[i] = (float)(th - decay * th - (step * mi) / (sqrt(vi * inv_bc2) + eps));
  }
}

double k_sumsq(const float *x, size_t n, double acc) {
  double s = acc;
  for (size_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
  return s;
}

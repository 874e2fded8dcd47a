// Node-API glue of the native trainer addon (scaling_blas.node): every function takes the wasm heap's ArrayBuffer and byte
// offsets into it, checks each range against the heap's current length, and runs a kernel of kernels.c on that memory in
// place (no copies). The caller passes the heap's buffer afresh on every call: it is replaced when the wasm memory grows.
// OpenBLAS is limited to one thread when the addon loads (each training worker process owns one core).
#define NAPI_VERSION 8
#include <node_api.h>
#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include "kernels.h"

#define MAX_ARGS 20

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  unsigned char *heap;
  size_t heap_len;
  int failed;
} Call;

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

// Reads the arguments; argument 0 must be an ArrayBuffer (the heap).
static int begin(napi_env env, napi_callback_info info, Call *c, size_t want) {
  c->env = env;
  c->argc = MAX_ARGS;
  c->failed = 0;
  if (napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL) != napi_ok || c->argc < want) {
    char msg[96];
    snprintf(msg, sizeof msg, "scaling_blas: expected %zu arguments, got %zu", want, c->argc);
    fail(env, msg);
    return 0;
  }
  void *data = NULL;
  bool is_ab = false;
  napi_is_arraybuffer(env, c->argv[0], &is_ab);
  if (!is_ab || napi_get_arraybuffer_info(env, c->argv[0], &data, &c->heap_len) != napi_ok) {
    fail(env, "scaling_blas: argument 0 must be the wasm heap's ArrayBuffer");
    return 0;
  }
  c->heap = data;
  return 1;
}

static double num(Call *c, size_t i) {
  double v = 0;
  if (napi_get_value_double(c->env, c->argv[i], &v) != napi_ok) c->failed = 1;
  return v;
}

static int integer(Call *c, size_t i) {
  int32_t v = 0;
  if (napi_get_value_int32(c->env, c->argv[i], &v) != napi_ok) c->failed = 1;
  return v;
}

// A pointer to `count` elements of `size` bytes at byte offset argv[i] of the heap; NULL (and the call marked failed) when
// the range leaves the heap or is misaligned.
static void *ptr(Call *c, size_t i, size_t count, size_t size) {
  const double off = num(c, i);
  if (c->failed || off < 0 || off != (double)(size_t)off) { c->failed = 1; return NULL; }
  const size_t o = (size_t)off;
  if (o % size != 0 || o > c->heap_len || count > (c->heap_len - o) / size) { c->failed = 1; return NULL; }
  return c->heap + o;
}

#define CHECK(c) do { if ((c)->failed) return fail((c)->env, "scaling_blas: bad argument or a range outside the heap"); } while (0)

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static napi_value number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

// sgemm(heap, ta, tb, m, n, k, aOff, lda, bOff, ldb, beta, cOff, ldc, batch, strideA, strideB, strideC)
static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 17)) return NULL;
  const int ta = integer(&c, 1), tb = integer(&c, 2), m = integer(&c, 3), n = integer(&c, 4), k = integer(&c, 5);
  const int lda = integer(&c, 7), ldb = integer(&c, 9), ldc = integer(&c, 12), batch = integer(&c, 13);
  const double beta = num(&c, 10);
  const double sa = num(&c, 14), sb = num(&c, 15), sc = num(&c, 16);
  CHECK(&c);
  if (m <= 0 || n <= 0 || k <= 0 || batch <= 0 || sa < 0 || sb < 0 || sc < 0) return fail(env, "scaling_blas.sgemm: bad sizes");
  const int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  if (lda < ac || ldb < bc || ldc < n) return fail(env, "scaling_blas.sgemm: bad leading dimension");
  // Extent of each operand over all batches (last batch's start + one matrix).
  const size_t ea = (size_t)sa * (batch - 1) + (size_t)(ar - 1) * lda + ac;
  const size_t eb = (size_t)sb * (batch - 1) + (size_t)(br - 1) * ldb + bc;
  const size_t ec = (size_t)sc * (batch - 1) + (size_t)(m - 1) * ldc + n;
  const float *a = ptr(&c, 6, ea, 4), *b = ptr(&c, 8, eb, 4);
  float *out = ptr(&c, 11, ec, 4);
  CHECK(&c);
  k_sgemm(ta, tb, m, n, k, a, lda, b, ldb, (float)beta, out, ldc, batch, (ptrdiff_t)sa, (ptrdiff_t)sb, (ptrdiff_t)sc);
  return undefined(env);
}

// rmsNorm(heap, x, g, y, r, rows, d, eps)
static napi_value js_rmsnorm(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 8)) return NULL;
  const int rows = integer(&c, 5), d = integer(&c, 6);
  const double eps = num(&c, 7);
  CHECK(&c);
  if (rows <= 0 || d <= 0) return fail(env, "scaling_blas.rmsNorm: bad sizes");
  const size_t nx = (size_t)rows * d;
  const float *x = ptr(&c, 1, nx, 4), *g = ptr(&c, 2, (size_t)d, 4);
  float *y = ptr(&c, 3, nx, 4), *r = ptr(&c, 4, (size_t)rows, 4);
  CHECK(&c);
  k_rmsnorm(x, g, y, r, rows, d, eps);
  return undefined(env);
}

// rmsNormGrad(heap, dy, x, g, r, dx, dg, rows, d)
static napi_value js_rmsnorm_grad(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 9)) return NULL;
  const int rows = integer(&c, 7), d = integer(&c, 8);
  CHECK(&c);
  if (rows <= 0 || d <= 0) return fail(env, "scaling_blas.rmsNormGrad: bad sizes");
  const size_t nx = (size_t)rows * d;
  const float *dy = ptr(&c, 1, nx, 4), *x = ptr(&c, 2, nx, 4), *g = ptr(&c, 3, (size_t)d, 4), *r = ptr(&c, 4, (size_t)rows, 4);
  float *dx = ptr(&c, 5, nx, 4), *dg = ptr(&c, 6, (size_t)d, 4);
  CHECK(&c);
  k_rmsnorm_grad(dy, x, g, r, dx, dg, rows, d);
  return undefined(env);
}

// swiglu(heap, gu, h, rows, f)
static napi_value js_swiglu(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 5)) return NULL;
  const int rows = integer(&c, 3), f = integer(&c, 4);
  CHECK(&c);
  if (rows <= 0 || f <= 0) return fail(env, "scaling_blas.swiglu: bad sizes");
  const float *gu = ptr(&c, 1, (size_t)rows * 2 * f, 4);
  float *h = ptr(&c, 2, (size_t)rows * f, 4);
  CHECK(&c);
  k_swiglu(gu, h, rows, f);
  return undefined(env);
}

// swigluGrad(heap, dh, gu, dgu, rows, f)
static napi_value js_swiglu_grad(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 6)) return NULL;
  const int rows = integer(&c, 4), f = integer(&c, 5);
  CHECK(&c);
  if (rows <= 0 || f <= 0) return fail(env, "scaling_blas.swigluGrad: bad sizes");
  const float *dh = ptr(&c, 1, (size_t)rows * f, 4), *gu = ptr(&c, 2, (size_t)rows * 2 * f, 4);
  float *dgu = ptr(&c, 3, (size_t)rows * 2 * f, 4);
  CHECK(&c);
  k_swiglu_grad(dh, gu, dgu, rows, f);
  return undefined(env);
}

static int attention_sizes(Call *c, size_t at, int *B, int *T, int *hq, int *hkv, int *hd) {
  *B = integer(c, at), *T = integer(c, at + 1), *hq = integer(c, at + 2), *hkv = integer(c, at + 3), *hd = integer(c, at + 4);
  return !c->failed && *B > 0 && *T > 0 && *hq > 0 && *hkv > 0 && *hq % *hkv == 0 && *hd > 0 && *hd % 2 == 0;
}

// attention(heap, qkv, cos, sin, out, qkvr, probs, B, T, hq, hkv, hd)
static napi_value js_attention(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 12)) return NULL;
  int B, T, hq, hkv, hd;
  if (!attention_sizes(&c, 7, &B, &T, &hq, &hkv, &hd)) return fail(env, "scaling_blas.attention: bad sizes");
  const size_t W = (size_t)(hq + 2 * hkv) * hd, N = (size_t)B * T;
  const float *qkv = ptr(&c, 1, N * W, 4), *cs = ptr(&c, 2, (size_t)T * W, 4), *sn = ptr(&c, 3, (size_t)T * W, 4);
  float *out = ptr(&c, 4, N * hq * hd, 4), *qkvr = ptr(&c, 5, N * W, 4), *probs = ptr(&c, 6, (size_t)B * hq * T * T, 4);
  CHECK(&c);
  k_attention(qkv, cs, sn, out, qkvr, probs, B, T, hq, hkv, hd);
  return undefined(env);
}

// attentionGrad(heap, dout, qkvr, probs, cos, sin, dqkv, B, T, hq, hkv, hd)
static napi_value js_attention_grad(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 12)) return NULL;
  int B, T, hq, hkv, hd;
  if (!attention_sizes(&c, 7, &B, &T, &hq, &hkv, &hd)) return fail(env, "scaling_blas.attentionGrad: bad sizes");
  const size_t W = (size_t)(hq + 2 * hkv) * hd, N = (size_t)B * T;
  const float *dout = ptr(&c, 1, N * hq * hd, 4), *qkvr = ptr(&c, 2, N * W, 4), *probs = ptr(&c, 3, (size_t)B * hq * T * T, 4);
  const float *cs = ptr(&c, 4, (size_t)T * W, 4), *sn = ptr(&c, 5, (size_t)T * W, 4);
  float *dqkv = ptr(&c, 6, N * W, 4);
  CHECK(&c);
  if (k_attention_grad(dout, qkvr, probs, cs, sn, dqkv, B, T, hq, hkv, hd) != 0) return fail(env, "scaling_blas.attentionGrad: out of memory");
  return undefined(env);
}

// xent(heap, logits, targets, probs, n, v) → mean loss (nats)
static napi_value js_xent(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 6)) return NULL;
  const int n = integer(&c, 4), v = integer(&c, 5);
  CHECK(&c);
  if (n <= 0 || v <= 0) return fail(env, "scaling_blas.xent: bad sizes");
  const float *logits = ptr(&c, 1, (size_t)n * v, 4);
  const int32_t *targets = ptr(&c, 2, (size_t)n, 4);
  float *probs = ptr(&c, 3, (size_t)n * v, 4);
  CHECK(&c);
  return number(env, k_xent(logits, targets, probs, n, v));
}

// xentGrad(heap, probs, targets, out, n, v, scale)
static napi_value js_xent_grad(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 7)) return NULL;
  const int n = integer(&c, 4), v = integer(&c, 5);
  const double scale = num(&c, 6);
  CHECK(&c);
  if (n <= 0 || v <= 0) return fail(env, "scaling_blas.xentGrad: bad sizes");
  const float *probs = ptr(&c, 1, (size_t)n * v, 4);
  const int32_t *targets = ptr(&c, 2, (size_t)n, 4);
  float *out = ptr(&c, 3, (size_t)n * v, 4);
  CHECK(&c);
  for (int i = 0; i < n; i++) if (targets[i] < 0 || targets[i] >= v) return fail(env, "scaling_blas.xentGrad: target outside the vocabulary");
  k_xent_grad(probs, targets, out, n, v, scale);
  return undefined(env);
}

// A Float64Array argument (offset/size tables).
static const double *f64s(Call *c, size_t i, size_t *len) {
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  bool is_ta = false;
  napi_is_typedarray(c->env, c->argv[i], &is_ta);
  if (!is_ta || napi_get_typedarray_info(c->env, c->argv[i], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    c->failed = 1;
    return NULL;
  }
  *len = length;
  return data;
}

// A heap range given by a table entry (byte offset, element count) rather than an argument.
static void *table_ptr(Call *c, double off, double count) {
  if (off < 0 || count < 0 || off != (double)(size_t)off || count != (double)(size_t)count) { c->failed = 1; return NULL; }
  const size_t o = (size_t)off, n = (size_t)count;
  if (o % 4 != 0 || o > c->heap_len || n > (c->heap_len - o) / 4) { c->failed = 1; return NULL; }
  return c->heap + o;
}

// adamw(heap, table, lr, beta1, beta2, eps, bc1, bc2, scale): table = Float64Array of [param, grad, m, v, size, weightDecay]
// per tensor (byte offsets); updates param, m and v in place.
static napi_value js_adamw(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 9)) return NULL;
  size_t len = 0;
  const double *t = f64s(&c, 1, &len);
  const double lr = num(&c, 2), b1 = num(&c, 3), b2 = num(&c, 4), eps = num(&c, 5), bc1 = num(&c, 6), bc2 = num(&c, 7), scale = num(&c, 8);
  CHECK(&c);
  if (len % 6 != 0) return fail(env, "scaling_blas.adamw: the table holds 6 numbers per tensor");
  for (size_t i = 0; i < len; i += 6) { // validate every range before touching any
    for (int j = 0; j < 4; j++) table_ptr(&c, t[i + j], t[i + 4]);
  }
  CHECK(&c);
  for (size_t i = 0; i < len; i += 6) {
    const size_t n = (size_t)t[i + 4];
    k_adamw(table_ptr(&c, t[i], n), table_ptr(&c, t[i + 1], n), table_ptr(&c, t[i + 2], n), table_ptr(&c, t[i + 3], n), n,
            lr, b1, b2, eps, t[i + 5], bc1, bc2, scale);
  }
  return undefined(env);
}

// sumSquares(heap, table): table = Float64Array of [offset, size] per tensor → Σ x² over all, in float64.
static napi_value js_sumsq(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(env, info, &c, 2)) return NULL;
  size_t len = 0;
  const double *t = f64s(&c, 1, &len);
  CHECK(&c);
  if (len % 2 != 0) return fail(env, "scaling_blas.sumSquares: the table holds 2 numbers per tensor");
  double s = 0;
  for (size_t i = 0; i < len; i += 2) {
    const float *x = table_ptr(&c, t[i], t[i + 1]);
    CHECK(&c);
    s = k_sumsq(x, (size_t)t[i + 1], s);
  }
  return number(env, s);
}

static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) return fail(env, "scaling_blas.setThreads: expected a positive integer");
  openblas_set_num_threads(n);
  return undefined(env);
}

static void set_string(napi_env env, napi_value obj, const char *key, const char *value) {
  napi_value v;
  napi_create_string_utf8(env, value ? value : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

// info() → { config, core, threads, procs }: what OpenBLAS says about itself (the provenance of every run trained here).
static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj;
  napi_create_object(env, &obj);
  set_string(env, obj, "config", openblas_get_config());
  set_string(env, obj, "core", openblas_get_corename());
  napi_set_named_property(env, obj, "threads", number(env, openblas_get_num_threads()));
  napi_set_named_property(env, obj, "procs", number(env, openblas_get_num_procs()));
  return obj;
}

static napi_value init(napi_env env, napi_value exports) {
  openblas_set_num_threads(1);
  const struct { const char *name; napi_callback fn; } fns[] = {
    {"sgemm", js_sgemm}, {"rmsNorm", js_rmsnorm}, {"rmsNormGrad", js_rmsnorm_grad}, {"swiglu", js_swiglu},
    {"swigluGrad", js_swiglu_grad}, {"attention", js_attention}, {"attentionGrad", js_attention_grad}, {"xent", js_xent},
    {"xentGrad", js_xent_grad}, {"adamw", js_adamw}, {"sumSquares", js_sumsq}, {"setThreads", js_set_threads}, {"info", js_info},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

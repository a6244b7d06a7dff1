// Shared declarations of the chainrule native backend: dtypes, JS number conversions and the
// persistent thread pool. Kernels assume arguments were validated by the TypeScript wrapper.
#pragma once
#include <cstddef>
#include <cstdint>

namespace cr {

enum DType { F32 = 0, F64 = 1, I32 = 2, U8 = 3 };

// ---- thread pool (pool.cc) -------------------------------------------------------------
// Runs fn(ctx, chunk, n, tid) once for every chunk = 0..n-1, in parallel on up to n threads (n is
// clamped to the pool size). Chunks are claimed dynamically: the caller (tid 0) starts at once and
// takes over the chunks of workers that have not woken up yet, so a descheduled worker on a busy
// machine does not stall the call. `tid` identifies the executing thread (for per-thread scratch).
typedef void (*PoolFn)(void* ctx, int chunk, int n, int tid);
void pool_run(int n, PoolFn fn, void* ctx);
int pool_size();
void pool_set_size(int n);

// Splits [0, total) into pieces of at least `grain` and runs body(begin, end) in parallel.
template <typename F>
struct RangeJob {
  F* body;
  int64_t total;
};

template <typename F>
void range_trampoline(void* ctx, int chunk, int n, int) {
  RangeJob<F>* j = static_cast<RangeJob<F>*>(ctx);
  int64_t per = (j->total + n - 1) / n;
  int64_t b = per * chunk;
  int64_t e = b + per < j->total ? b + per : j->total;
  if (b < e) (*j->body)(b, e);
}

template <typename F>
void parallel_for(int64_t total, int64_t grain, F body) {
  if (total <= 0) return;
  int threads = pool_size();
  int64_t want = total / (grain > 0 ? grain : 1);
  if (threads <= 1 || want < 2) {
    body(int64_t(0), total);
    return;
  }
  int n = want < threads ? int(want) : threads;
  RangeJob<F> j{&body, total};
  pool_run(n, range_trampoline<F>, &j);
}

// Elements per thread before an elementwise kernel uses more than one thread.
constexpr int64_t kElemGrain = 1 << 15;

// ---- JS number semantics ---------------------------------------------------------------
// Storing a JS number into an Int32Array / Uint8Array applies ToInt32 / ToUint8 (truncate,
// wrap modulo 2^32 / 2^8, NaN and infinities become 0).
inline int32_t to_int32(double d) {
  if (d > -2147483649.0 && d < 2147483648.0) return int32_t(d);
  if (!(d - d == 0)) return 0;  // NaN or infinite
  double t = d < 0 ? -__builtin_floor(-d) : __builtin_floor(d);
  double m = __builtin_fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return int32_t(uint32_t(m));
}
inline uint8_t to_uint8(double d) { return uint8_t(uint32_t(to_int32(d))); }

template <typename T>
inline T from_double(double v);
template <>
inline float from_double<float>(double v) { return float(v); }
template <>
inline double from_double<double>(double v) { return v; }
template <>
inline int32_t from_double<int32_t>(double v) { return to_int32(v); }
template <>
inline uint8_t from_double<uint8_t>(double v) { return to_uint8(v); }

// ---- coalesced strided walks -----------------------------------------------------------
constexpr int kMaxRank = 32;

// Shape plus K stride vectors, with size-1 dimensions dropped and mergeable dimensions merged
// (the same rule as the TypeScript backend's coalesce()).
template <int K>
struct Walk {
  int rank;
  int64_t shape[kMaxRank];
  int64_t st[K][kMaxRank];
  int64_t total;
};

template <int K>
void coalesce(int rank, const int64_t* shape, const int64_t* const* strides, Walk<K>& w) {
  w.rank = 0;
  w.total = 1;
  for (int d = 0; d < rank; d++) {
    w.total *= shape[d];
    if (shape[d] == 1) continue;
    int last = w.rank - 1;
    bool merge = last >= 0;
    for (int k = 0; k < K && merge; k++) merge = w.st[k][last] == strides[k][d] * shape[d];
    if (merge) {
      w.shape[last] *= shape[d];
      for (int k = 0; k < K; k++) w.st[k][last] = strides[k][d];
    } else {
      w.shape[w.rank] = shape[d];
      for (int k = 0; k < K; k++) w.st[k][w.rank] = strides[k][d];
      w.rank++;
    }
  }
  if (w.rank == 0) {
    w.shape[0] = 1;
    for (int k = 0; k < K; k++) w.st[k][0] = 0;
    w.rank = 1;
  }
}

// Calls run(offs, count, pos) for every innermost run that covers linear positions [begin, end).
template <int K, typename F>
void walk_range(const Walk<K>& w, int64_t begin, int64_t end, F run) {
  const int r = w.rank;
  int64_t idx[kMaxRank];
  int64_t offs[K];
  int64_t rem = begin;
  for (int k = 0; k < K; k++) offs[k] = 0;
  for (int d = r - 1; d >= 0; d--) {
    idx[d] = rem % w.shape[d];
    rem /= w.shape[d];
    for (int k = 0; k < K; k++) offs[k] += idx[d] * w.st[k][d];
  }
  int64_t pos = begin;
  const int64_t inner = w.shape[r - 1];
  while (pos < end) {
    int64_t cnt = inner - idx[r - 1];
    if (cnt > end - pos) cnt = end - pos;
    run(offs, cnt, pos);
    pos += cnt;
    if (pos >= end) break;
    // the run ended at the end of the innermost dimension: carry into the outer ones
    for (int k = 0; k < K; k++) offs[k] -= idx[r - 1] * w.st[k][r - 1];
    idx[r - 1] = 0;
    for (int d = r - 2; d >= 0; d--) {
      idx[d]++;
      for (int k = 0; k < K; k++) offs[k] += w.st[k][d];
      if (idx[d] < w.shape[d]) break;
      for (int k = 0; k < K; k++) offs[k] -= w.st[k][d] * w.shape[d];
      idx[d] = 0;
    }
  }
}

// ---- kernels (one file each) -------------------------------------------------------------
// elementwise kernels by op code (native/ops.h); false for a code without a C case
bool unary(int op, DType t, const void* x, void* out, int64_t n, double p0, double p1);
// exp / tanh / sigmoid on float32, vectorized (vmath.cc); false for other ops
bool unary_f32_fast(int op, const float* x, float* out, int64_t n);
bool binary(int op, DType t, const void* a, const void* b, void* out, int rank, const int64_t* shape,
            const int64_t* sa, const int64_t* sb);
void where(DType t, const uint8_t* c, const void* a, const void* b, void* out, int rank, const int64_t* shape,
           const int64_t* sc, const int64_t* sa, const int64_t* sb);
void cast(DType from, const void* x, DType to, void* out, int64_t n);
void reduce(int op, DType t, const void* x, int64_t outer, int64_t n, int64_t inner, void* out);
// the gradient of max/min over the dims where rs is 0, float types only (extremumBackward in src/backend/types.ts)
void extremum_backward(DType t, const void* x, const void* r, const void* g, void* out, int rank, const int64_t* shape,
                       const int64_t* rs);
void arg_reduce(bool is_max, DType t, const void* x, int64_t outer, int64_t n, int64_t inner, int32_t* out);
void softmax(DType t, const void* x, int64_t outer, int64_t n, int64_t inner, void* out, bool log);
void strided_copy(DType t, const void* src, int64_t offset, int rank, const int64_t* shape, const int64_t* strides,
                  void* out);
void strided_accumulate(DType t, const void* src, int rank, const int64_t* shape, void* dst, int64_t offset,
                        const int64_t* strides);
void index_select(DType t, const void* x, const int32_t* idx, int64_t m, int64_t outer, int64_t n, int64_t inner,
                  void* out);
// The gradient of a 1-d convolution from a sparse output gradient (conv.cc); shape is
// [N, Cin, L, Cout, K, Lout, stride, dilation]. False (out unspecified) when gy has more than
// max_nonzeros nonzeros or `other` (the weight for input, x for weight) a non-finite value.
bool conv1d_sparse_grad(DType t, bool input, const void* gy, const void* other, void* out, const int64_t* shape, int64_t max_nonzeros);
void index_add(DType t, const void* g, const int32_t* idx, int64_t m, int64_t outer, int64_t n, int64_t inner,
               void* out);
void gather(DType t, const void* x, const int32_t* idx, int64_t outer, int64_t n, int64_t m, int64_t inner, void* out);
void scatter_add(DType t, const void* src, const int32_t* idx, int64_t outer, int64_t n, int64_t m, int64_t inner,
                 void* out);
// flat scatter: op 0 set, 1 sum, 2 prod, 3 amax, 4 amin (src has m values, out n)
void scatter_reduce(int op, DType t, const void* src, const int32_t* idx, int64_t m, void* out, int64_t n,
                    bool include_self);

struct SgdArgs {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first_step;
};
struct AdamArgs {
  double lr, beta1, beta2, eps, weight_decay, step_size, bc2sqrt;
  bool decoupled, amsgrad, maximize;
};
void sgd_step(DType t, void* p, const void* g, void* buf, int64_t n, const SgdArgs& o);
void adam_step(DType t, void* p, const void* g, void* m, void* v, void* vmax, int64_t n, const AdamArgs& o);

// Fused recurrent layers (rnn.cc); kind 0 tanh, 1 relu, 2 gru, 3 lstm. Null pointers: no bias, no
// mask, no cell state (non-LSTM), no upstream gradient, dgh == dgx (non-GRU).
struct RnnArgs {
  int kind;
  int64_t T, B, H;
  bool reverse;
};
void rnn_forward(DType t, const RnnArgs& s, const void* gx, const void* h0, const void* c0, const void* whh,
                 const void* bhh, const uint8_t* mask, void* out, void* hN, void* cN, void* hprev, void* saved);
void rnn_backward(DType t, const RnnArgs& s, const void* whh, const uint8_t* mask, const void* hprev, const void* saved,
                  const void* dout, const void* dhN, const void* dcN, void* dgx, void* dgh, void* dh0, void* dc0);

// Scaled dot-product attention (attention.cc), tiled with an online softmax: q [batch, L, E],
// k [batch, S, E], v [batch, S, Ev], out [batch, L, Ev] and the rows' log-sum-exp lse [batch, L].
// mask 0: none; 1: bool (uint8, nonzero attends); 2: added to the scores (the operands' type),
// element (i, j) of block b at offsets[b] + i*row_stride + j*col_stride. With dropout > 0 weight
// (i, j) of block b is kept where the hash of (b*L + i)*S + j under seed reaches floor(p * 2^32)
// (attentionKeep in src/backend/types.ts, bit for bit).
struct AttnArgs {
  int64_t batch, L, S, E, Ev;
  double scale;
  bool causal;
  int mask;
  int64_t row_stride, col_stride;
  double dropout;
  uint32_t seed;
};
void attention_forward(DType t, const AttnArgs& s, const void* q, const void* k, const void* v, const void* mask,
                       const int32_t* offsets, void* out, void* lse);
void attention_backward(DType t, const AttnArgs& s, const void* q, const void* k, const void* v, const void* mask,
                        const int32_t* offsets, const void* out, const void* lse, const void* dout, void* dq, void* dk,
                        void* dv);
// 2-d pooling over window tables (pooling.cc): planes of H x W pooled to OH x OW; output (i, j)
// reads rows rows[2i] .. rows[2i+1]-1 every row_step and columns cols[2j] .. cols[2j+1]-1 every
// col_step (see PoolWindows in src/backend/types.ts).
struct PoolArgs {
  int64_t planes, H, W, OH, OW;
  const int32_t* rows;
  const int32_t* cols;
  int64_t row_step, col_step;
};
void max_pool2d(DType t, const void* x, const PoolArgs& a, void* out, int32_t* indices);
void avg_pool2d(DType t, const void* x, const PoolArgs& a, const double* row_div, const double* col_div, void* out);
void avg_pool2d_backward(DType t, const void* gy, const PoolArgs& a, const double* row_div, const double* col_div, void* gx);
// The CTC loss (ctc.cc): log-probabilities [T, N, C]; sample n's targets start at offsets[n];
// log_alpha is [N, T, 2·max_target_length + 1] in double precision (see CtcSpec in src/backend/types.ts).
struct CtcArgs {
  int64_t T, N, C, max_target_length, blank;
  bool zero_infinity;
  const int32_t* targets;
  const int32_t* offsets;
  const int32_t* input_lengths;
  const int32_t* target_lengths;
  double* log_alpha;
};
void ctc_loss(DType t, const CtcArgs& a, const void* lp, void* nll);
void ctc_loss_backward(DType t, const CtcArgs& a, const void* lp, const void* nll, const void* gout, void* grad);

}  // namespace cr

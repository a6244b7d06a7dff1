// Fused scaled dot-product attention (the algorithm of FlashAttention-2, on the CPU). The forward
// walks each block of 64 queries over tiles of 64 keys with an online softmax: a tile's scores
// (one GEMM), the running row maximum and sum, the output rescaled and the tile's P·V added (a
// second GEMM); only the rows' log-sum-exp is kept. The backward recomputes every tile's
// probabilities from it and accumulates dV = Pᵀ·dO, dS = P ⊙ (dO·Vᵀ − D) and dK = dSᵀ·Q, dQ = dS·K
// tile by tile. Nothing of size L x S is ever allocated. Causal attention skips the tiles above
// the diagonal. Exponentials are taken in double precision (vmath.h), and rows whose scores are
// all masked, or that hold NaN or +∞, come out NaN as the reference kernel's (src/backend/js/attention.ts).
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"
#include "gemm.h"
#include "vmath.h"

#pragma GCC optimize("no-trapping-math")

namespace cr {
namespace {

constexpr int64_t kBq = 64;  // queries per block
constexpr int64_t kBk = 64;  // keys per tile
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// C[m x n] (+)= A B through strides, on the calling thread.
template <typename T>
void mm(int slot, int64_t m, int64_t n, int64_t k, const T* a, int64_t a_rs, int64_t a_cs, const T* b, int64_t b_rs,
        int64_t b_cs, T* c, int64_t ldc, bool acc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!acc)
      for (int64_t i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(T) * size_t(n));
    return;
  }
  GemmArgs<T> g;
  g.a = a;
  g.b = b;
  g.c = c;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a_rs = a_rs;
  g.a_cs = a_cs;
  g.b_rs = b_rs;
  g.b_cs = b_cs;
  g.ldc = ldc;
  g.accumulate = acc;
  gemm_tile<T>(g, slot);
}

// The row loops below are compiled for AVX-512, AVX2 and baseline (CR_CLONES) and written without
// branches so that they vectorize: scores, masks, exponentials and dropout one row of a tile at a time.

inline uint32_t keep_hash(uint64_t idx, uint32_t seed) { return fmix32(uint32_t(idx) ^ fmix32(uint32_t(idx >> 32) ^ seed)); }

template <typename T>
CR_CLONES void scale_row(T* __restrict row, int64_t n, double scale, const T* __restrict add, int64_t cs) {
  if (!add) {
    for (int64_t c = 0; c < n; c++) row[c] = T(scale * double(row[c]));
  } else if (cs == 1) {
    for (int64_t c = 0; c < n; c++) row[c] = T(scale * double(row[c]) + double(add[c]));
  } else {
    for (int64_t c = 0; c < n; c++) row[c] = T(scale * double(row[c]) + double(add[c * cs]));
  }
}

// -inf where the boolean mask is 0, marking the key removed (no gradient reaches its score)
template <typename T>
CR_CLONES void bool_row(T* __restrict row, int64_t n, const uint8_t* __restrict bm, int64_t cs, uint8_t* __restrict removed) {
  const T ninf = T(kNegInf);
  for (int64_t c = 0; c < n; c++) {
    const bool keep = bm[c * cs] != 0;
    row[c] = keep ? row[c] : ninf;
    removed[c] = removed[c] | uint8_t(!keep);
  }
}

template <typename T>
CR_CLONES double row_max(const T* __restrict row, int64_t n) {
  double m = kNegInf;
  for (int64_t c = 0; c < n; c++) m = double(row[c]) > m ? double(row[c]) : m;
  return m;
}

// row[c] = exp(row[c] - shift) (0 for -inf scores); returns the sum
template <typename T>
CR_CLONES double exp_row(T* __restrict row, int64_t n, double shift) {
  double sum = 0;
  for (int64_t c = 0; c < n; c++) {
    const double x = double(row[c]);
    const double p = x == kNegInf ? 0.0 : vexp(x - shift);
    row[c] = T(p);
    sum += p;
  }
  return sum;
}

// the dropout factors of keys idx0.. of one row: 0, or 1/(1 - p) where attentionKeep keeps the weight
template <typename T>
CR_CLONES void drop_factors(T* __restrict f, int64_t n, uint64_t idx0, uint32_t seed, uint64_t threshold, double inv) {
  for (int64_t c = 0; c < n; c++) f[c] = T(keep_hash(idx0 + uint64_t(c), seed) >= threshold ? inv : 0.0);
}

template <typename T>
CR_CLONES void mul_row(T* __restrict out, const T* __restrict a, const T* __restrict b, int64_t n) {
  for (int64_t c = 0; c < n; c++) out[c] = T(double(a[c]) * double(b[c]));
}

// dS = scale · P ⊙ (F ⊙ dP − D), 0 where the key was removed
template <typename T>
CR_CLONES void ds_row(T* __restrict ds, const T* __restrict p, const T* __restrict f, const uint8_t* __restrict removed, int64_t n,
                      double scale, double d) {
  for (int64_t c = 0; c < n; c++) {
    const double fc = f ? double(f[c]) : 1.0;
    const double v = scale * double(p[c]) * (fc * double(ds[c]) - d);
    ds[c] = removed[c] ? T(0) : T(v);
  }
}

struct Dropout {
  bool on;
  uint32_t seed;
  uint64_t threshold;
  double inv;
  explicit Dropout(const AttnArgs& s)
      : on(s.dropout > 0), seed(s.seed), threshold(uint64_t(s.dropout * 4294967296.0)), inv(1.0 / (1.0 - s.dropout)) {}
};

// The scaled, masked scores of a tile in place: rows i0.., columns j0.. of block b (ld = bk), and
// which keys the causal or boolean mask removed.
template <typename T>
void mask_tile(const AttnArgs& s, const void* mask, const int32_t* offsets, int64_t b, int64_t i0, int64_t bq,
               int64_t j0, int64_t bk, T* tile, uint8_t* removed) {
  memset(removed, 0, size_t(bq * bk));
  for (int64_t r = 0; r < bq; r++) {
    T* row = tile + r * bk;
    const int64_t i = i0 + r;
    const int64_t mo = mask ? offsets[b] + i * s.row_stride + j0 * s.col_stride : 0;
    scale_row<T>(row, bk, s.scale, s.mask == 2 ? static_cast<const T*>(mask) + mo : nullptr, s.col_stride);
    if (s.mask == 1) bool_row<T>(row, bk, static_cast<const uint8_t*>(mask) + mo, s.col_stride, removed + r * bk);
    if (s.causal)
      for (int64_t c = i - j0 + 1 < 0 ? 0 : i - j0 + 1; c < bk; c++) {
        row[c] = T(kNegInf);
        removed[r * bk + c] = 1;
      }
  }
}

template <typename T>
struct Job {
  const AttnArgs* s;
  const T *q, *k, *v;
  const void* mask;
  const int32_t* offsets;
  T *out, *lse;
  const T *cout, *clse, *dout;
  T *dq, *dk, *dv;
  int64_t items;
  std::atomic<int64_t> next{0};
};

template <typename T>
void forward_worker(void* ctx, int, int, int tid) {
  Job<T>* j = static_cast<Job<T>*>(ctx);
  const AttnArgs& s = *j->s;
  const int64_t L = s.L, S = s.S, E = s.E, Ev = s.Ev;
  const int64_t nq = (L + kBq - 1) / kBq;
  std::vector<T> tile(size_t(kBq * kBk)), fac(static_cast<size_t>(kBk));
  std::vector<uint8_t> removed(size_t(kBq * kBk));
  std::vector<double> m(kBq), l(kBq);
  const Dropout drop(s);
  for (int64_t item = j->next++; item < j->items; item = j->next++) {
    const int64_t b = item / nq, i0 = (item % nq) * kBq, bq = min64(kBq, L - i0);
    T* out = j->out + (b * L + i0) * Ev;
    const T* q = j->q + (b * L + i0) * E;
    memset(out, 0, sizeof(T) * size_t(bq * Ev));
    for (int64_t r = 0; r < bq; r++) {
      m[r] = kNegInf;
      l[r] = 0;
    }
    const int64_t jEnd = s.causal ? min64(S, i0 + bq) : S;
    for (int64_t j0 = 0; j0 < jEnd; j0 += kBk) {
      const int64_t bk = min64(kBk, jEnd - j0);
      T* t = tile.data();
      mm<T>(tid, bq, bk, E, q, E, 1, j->k + (b * S + j0) * E, 1, E, t, bk, false);
      mask_tile<T>(s, j->mask, j->offsets, b, i0, bq, j0, bk, t, removed.data());
      for (int64_t r = 0; r < bq; r++) {
        T* row = t + r * bk;
        const double mt = row_max<T>(row, bk);
        const double mn = m[r] > mt ? m[r] : mt;
        // the row's running maximum moved: what was summed so far is rescaled
        const double corr = m[r] == kNegInf ? 0.0 : vexp(m[r] - mn);
        const double sum = exp_row<T>(row, bk, mn);
        if (corr != 1.0) {
          T* o = out + r * Ev;
          for (int64_t e = 0; e < Ev; e++) o[e] = T(double(o[e]) * corr);
        }
        l[r] = l[r] * corr + sum;
        m[r] = mn;
        if (drop.on) {
          drop_factors<T>(fac.data(), bk, uint64_t((b * L + i0 + r) * S + j0), drop.seed, drop.threshold, drop.inv);
          mul_row<T>(row, row, fac.data(), bk);
        }
      }
      mm<T>(tid, bq, Ev, bk, t, bk, 1, j->v + (b * S + j0) * Ev, Ev, 1, out, Ev, true);
    }
    for (int64_t r = 0; r < bq; r++) {
      const double lse = m[r] + std::log(l[r]);
      T* o = out + r * Ev;
      // no key left (lse = -inf): NaN, as the reference's 0/0
      if (std::isfinite(lse)) {
        const double inv = 1.0 / l[r];
        for (int64_t e = 0; e < Ev; e++) o[e] = T(double(o[e]) * inv);
        j->lse[b * L + i0 + r] = T(lse);
      } else {
        for (int64_t e = 0; e < Ev; e++) o[e] = T(kNaN);
        j->lse[b * L + i0 + r] = T(kNaN);
      }
    }
  }
}

// One block (batch entry) per item: its dQ gathers over all key tiles, so no two threads write it.
template <typename T>
void backward_worker(void* ctx, int, int, int tid) {
  Job<T>* j = static_cast<Job<T>*>(ctx);
  const AttnArgs& s = *j->s;
  const int64_t L = s.L, S = s.S, E = s.E, Ev = s.Ev;
  std::vector<T> P(size_t(kBq * kBk)), dS(size_t(kBq * kBk)), F(size_t(kBq * kBk)), PF(size_t(kBq * kBk));
  std::vector<uint8_t> removed(size_t(kBq * kBk));
  std::vector<double> D(static_cast<size_t>(L));
  const Dropout drop(s);
  for (int64_t b = j->next++; b < j->items; b = j->next++) {
    const T* q = j->q + b * L * E;
    const T* k = j->k + b * S * E;
    const T* v = j->v + b * S * Ev;
    const T* o = j->cout + b * L * Ev;
    const T* dO = j->dout + b * L * Ev;
    const T* lse = j->clse + b * L;
    T* dq = j->dq + b * L * E;
    T* dk = j->dk + b * S * E;
    T* dv = j->dv + b * S * Ev;
    memset(dq, 0, sizeof(T) * size_t(L * E));
    memset(dk, 0, sizeof(T) * size_t(S * E));
    memset(dv, 0, sizeof(T) * size_t(S * Ev));
    bool bad = false;
    for (int64_t i = 0; i < L; i++) {
      double d = 0;
      for (int64_t e = 0; e < Ev; e++) d += double(dO[i * Ev + e]) * double(o[i * Ev + e]);
      D[size_t(i)] = d;
      bad = bad || !std::isfinite(double(lse[i]));
    }
    for (int64_t j0 = 0; j0 < S; j0 += kBk) {
      const int64_t bk = min64(kBk, S - j0);
      // causal: queries before j0 see none of these keys
      const int64_t iStart = s.causal ? (j0 / kBq) * kBq : 0;
      for (int64_t i0 = iStart; i0 < L; i0 += kBq) {
        const int64_t bq = min64(kBq, L - i0);
        T* p = P.data();
        mm<T>(tid, bq, bk, E, q + i0 * E, E, 1, k + j0 * E, 1, E, p, bk, false);
        mask_tile<T>(s, j->mask, j->offsets, b, i0, bq, j0, bk, p, removed.data());
        for (int64_t r = 0; r < bq; r++) {
          const double ls = double(lse[i0 + r]);
          // a row without keys is NaN throughout (masked keys too), as the reference's
          if (std::isfinite(ls))
            exp_row<T>(p + r * bk, bk, ls);
          else
            for (int64_t c = 0; c < bk; c++) p[r * bk + c] = T(kNaN);
          if (drop.on) {
            drop_factors<T>(F.data() + r * bk, bk, uint64_t((b * L + i0 + r) * S + j0), drop.seed, drop.threshold, drop.inv);
            mul_row<T>(PF.data() + r * bk, p + r * bk, F.data() + r * bk, bk);
          }
        }
        // dV_j += (P ⊙ F)ᵀ dO_i, F the dropout factors
        mm<T>(tid, bk, Ev, bq, drop.on ? PF.data() : p, 1, bk, dO + i0 * Ev, Ev, 1, dv + j0 * Ev, Ev, true);
        // dP = dO_i V_jᵀ, then dS = scale · P ⊙ (F ⊙ dP − D) where the mask kept the key
        T* ds = dS.data();
        mm<T>(tid, bq, bk, Ev, dO + i0 * Ev, Ev, 1, v + j0 * Ev, 1, Ev, ds, bk, false);
        for (int64_t r = 0; r < bq; r++)
          ds_row<T>(ds + r * bk, p + r * bk, drop.on ? F.data() + r * bk : nullptr, removed.data() + r * bk, bk, s.scale, D[size_t(i0 + r)]);
        // dK_j += dSᵀ Q_i and dQ_i += dS K_j
        mm<T>(tid, bk, E, bq, ds, 1, bk, q + i0 * E, E, 1, dk + j0 * E, E, true);
        mm<T>(tid, bq, E, bk, ds, bk, 1, k + j0 * E, E, 1, dq + i0 * E, E, true);
      }
    }
    // a NaN row makes every probability of its block's rows NaN in the reference, so all of dV
    if (bad)
      for (int64_t x = 0; x < S * Ev; x++) dv[x] = T(kNaN);
  }
}

// Items are claimed one at a time (causal blocks differ in work); tiles are large (64 x 64 x E
// products), so a few items already pay for a hand-off to the pool.
template <typename T>
void run(PoolFn fn, Job<T>& job) {
  const int threads = pool_size();
  const int n = job.items < threads ? int(job.items) : threads;
  if (n <= 1)
    fn(&job, 0, 1, 0);
  else
    pool_run(n, fn, &job);
}

template <typename T>
void forward_t(const AttnArgs& s, const T* q, const T* k, const T* v, const void* mask, const int32_t* offsets, T* out,
               T* lse) {
  Job<T> job;
  job.s = &s;
  job.q = q;
  job.k = k;
  job.v = v;
  job.mask = s.mask ? mask : nullptr;
  job.offsets = offsets;
  job.out = out;
  job.lse = lse;
  job.items = s.batch * ((s.L + kBq - 1) / kBq);
  if (job.items > 0) run<T>(forward_worker<T>, job);
}

template <typename T>
void backward_t(const AttnArgs& s, const T* q, const T* k, const T* v, const void* mask, const int32_t* offsets,
                const T* out, const T* lse, const T* dout, T* dq, T* dk, T* dv) {
  Job<T> job;
  job.s = &s;
  job.q = q;
  job.k = k;
  job.v = v;
  job.mask = s.mask ? mask : nullptr;
  job.offsets = offsets;
  job.cout = out;
  job.clse = lse;
  job.dout = dout;
  job.dq = dq;
  job.dk = dk;
  job.dv = dv;
  job.items = s.batch;
  if (job.items > 0) run<T>(backward_worker<T>, job);
}

}  // namespace

void attention_forward(DType t, const AttnArgs& s, const void* q, const void* k, const void* v, const void* mask,
                       const int32_t* offsets, void* out, void* lse) {
  if (t == F32)
    forward_t<float>(s, static_cast<const float*>(q), static_cast<const float*>(k), static_cast<const float*>(v), mask,
                     offsets, static_cast<float*>(out), static_cast<float*>(lse));
  else
    forward_t<double>(s, static_cast<const double*>(q), static_cast<const double*>(k), static_cast<const double*>(v),
                      mask, offsets, static_cast<double*>(out), static_cast<double*>(lse));
}

void attention_backward(DType t, const AttnArgs& s, const void* q, const void* k, const void* v, const void* mask,
                        const int32_t* offsets, const void* out, const void* lse, const void* dout, void* dq, void* dk,
                        void* dv) {
  if (t == F32)
    backward_t<float>(s, static_cast<const float*>(q), static_cast<const float*>(k), static_cast<const float*>(v), mask,
                      offsets, static_cast<const float*>(out), static_cast<const float*>(lse),
                      static_cast<const float*>(dout), static_cast<float*>(dq), static_cast<float*>(dk),
                      static_cast<float*>(dv));
  else
    backward_t<double>(s, static_cast<const double*>(q), static_cast<const double*>(k), static_cast<const double*>(v),
                       mask, offsets, static_cast<const double*>(out), static_cast<const double*>(lse),
                       static_cast<const double*>(dout), static_cast<double*>(dq), static_cast<double*>(dk),
                       static_cast<double*>(dv));
}

}  // namespace cr

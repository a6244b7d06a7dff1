// The 1-d convolution's gradients from a sparse output gradient (Backend.conv1dSparseGrad in
// src/backend/types.ts; the reference kernel is src/backend/js/conv.ts). Max over time after a
// convolution leaves one nonzero per (batch entry, channel) in the convolution's output gradient,
// so visiting the nonzeros does a 1/Lout share of a dense product's multiply-adds.
#include <cstring>

#include "common.h"

namespace cr {
namespace {

template <typename T>
struct Bits;
template <>
struct Bits<float> {
  using U = uint32_t;
  static constexpr U kExp = 0x7f800000u;
};
template <>
struct Bits<double> {
  using U = uint64_t;
  static constexpr U kExp = 0x7ff0000000000000ull;
};

// Integer tests on the bit patterns, so that the loops vectorize without reassociating float sums.
template <typename T>
bool few_nonzeros(const T* g, int64_t n, int64_t max_nz) {
  using U = typename Bits<T>::U;
  const int64_t block = 4096;
  int64_t nz = 0;
  for (int64_t b = 0; b < n; b += block) {
    const int64_t e = b + block < n ? b + block : n;
    uint32_t cnt = 0;
    for (int64_t i = b; i < e; i++) {
      U u;
      std::memcpy(&u, g + i, sizeof u);
      cnt += (u << 1) != 0;  // +0 and -0 are the only patterns that are zero without the sign
    }
    nz += cnt;
    if (nz > max_nz) return false;
  }
  return true;
}

template <typename T>
bool all_finite(const T* x, int64_t n) {
  using U = typename Bits<T>::U;
  U bad = 0;
  for (int64_t i = 0; i < n; i++) {
    U u;
    std::memcpy(&u, x + i, sizeof u);
    bad |= U((u & Bits<T>::kExp) == Bits<T>::kExp);
  }
  return bad == 0;
}

// Calls f(t, row[t]) for the entries of row[0, n) that are not ±0, testing 16 at a time: the
// gradient is mostly zeros, and a test and branch per entry cost more than the nonzeros' work.
template <typename T, typename F>
inline void for_nonzeros(const T* row, int64_t n, F f) {
  using U = typename Bits<T>::U;
  int64_t t = 0;
  for (; t + 16 <= n; t += 16) {
    U any = 0;
    for (int i = 0; i < 16; i++) {
      U u;
      std::memcpy(&u, row + t + i, sizeof u);
      any |= u << 1;
    }
    if (any == 0) continue;
    for (int i = 0; i < 16; i++)
      if (row[t + i] != T(0)) f(t + i, row[t + i]);
  }
  for (; t < n; t++)
    if (row[t] != T(0)) f(t, row[t]);
}

template <typename T>
bool sparse_grad(bool input, const T* gy, const T* other, T* out, const int64_t* sh, int64_t max_nz) {
  const int64_t N = sh[0], Cin = sh[1], L = sh[2], Cout = sh[3], K = sh[4], Lout = sh[5], s = sh[6], d = sh[7];
  if (!few_nonzeros(gy, N * Cout * Lout, max_nz)) return false;
  if (!all_finite(other, input ? Cout * Cin * K : N * Cin * L)) return false;
  if (input) {
    // gx[n, c, t·s + k·d] += v · W[o, c, k]: batch entries are disjoint, one range of them per thread
    parallel_for(N, 1, [&](int64_t n0, int64_t n1) {
      std::memset(out + n0 * Cin * L, 0, sizeof(T) * size_t((n1 - n0) * Cin * L));
      for (int64_t n = n0; n < n1; n++)
        for (int64_t o = 0; o < Cout; o++) {
          const T* w = other + o * Cin * K;
          for_nonzeros(gy + (n * Cout + o) * Lout, Lout, [&](int64_t t, T v) {
            T* gx = out + n * Cin * L + t * s;
            for (int64_t c = 0; c < Cin; c++)
              for (int64_t k = 0; k < K; k++) gx[c * L + k * d] += v * w[c * K + k];
          });
        }
    });
  } else {
    // gW[o, c, k] += v · x[n, c, t·s + k·d]: output channels are disjoint, one range of them per thread
    parallel_for(Cout, 1, [&](int64_t o0, int64_t o1) {
      std::memset(out + o0 * Cin * K, 0, sizeof(T) * size_t((o1 - o0) * Cin * K));
      for (int64_t n = 0; n < N; n++)
        for (int64_t o = o0; o < o1; o++) {
          T* gw = out + o * Cin * K;
          for_nonzeros(gy + (n * Cout + o) * Lout, Lout, [&](int64_t t, T v) {
            const T* x = other + n * Cin * L + t * s;
            for (int64_t c = 0; c < Cin; c++)
              for (int64_t k = 0; k < K; k++) gw[c * K + k] += v * x[c * L + k * d];
          });
        }
    });
  }
  return true;
}

}  // namespace

bool conv1d_sparse_grad(DType t, bool input, const void* gy, const void* other, void* out, const int64_t* shape, int64_t max_nonzeros) {
  if (t == F32) return sparse_grad<float>(input, static_cast<const float*>(gy), static_cast<const float*>(other), static_cast<float*>(out), shape, max_nonzeros);
  if (t == F64) return sparse_grad<double>(input, static_cast<const double*>(gy), static_cast<const double*>(other), static_cast<double*>(out), shape, max_nonzeros);
  return false;
}

}  // namespace cr

// 2-d pooling over window tables (see PoolWindows in src/backend/types.ts): max pooling with the
// position of each maximum, average pooling and its adjoint. Planes are independent, so threads
// split them; sums are taken in double precision, as the TypeScript kernels take them.
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "common.h"

namespace cr {
namespace {

// Planes per thread chunk so that a chunk has at least kElemGrain window reads.
int64_t plane_grain(const PoolArgs& a) {
  int64_t wr = 1, wc = 1;
  if (a.OH > 0) wr = (a.rows[1] - a.rows[0] + a.row_step - 1) / a.row_step;
  if (a.OW > 0) wc = (a.cols[1] - a.cols[0] + a.col_step - 1) / a.col_step;
  const int64_t per = a.OH * a.OW * (wr > 0 ? wr : 1) * (wc > 0 ? wc : 1) + a.H * a.W;
  return kElemGrain / (per > 0 ? per : 1) + 1;
}

// take ? v : old through the bits (take is 0 or all ones): compilers turn the ternary on floats
// back into a branch, which mispredicts half the time on random data
template <typename T>
inline T pick(int64_t take, T v, T old) {
  typedef typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type U;
  U a, b;
  memcpy(&a, &v, sizeof(T));
  memcpy(&b, &old, sizeof(T));
  const U m = U(take);
  const U r = (a & m) | (b & ~m);
  T out;
  memcpy(&out, &r, sizeof(T));
  return out;
}

// Each output row is swept input row by input row over all its windows, so that the running
// maxima of different windows are independent chains the CPU overlaps (one window at a time is a
// chain of dependent compare-and-selects).
template <typename T>
void max_pool_t(const T* x, const PoolArgs& a, T* out, int32_t* indices) {
  const int64_t plane = a.H * a.W, oplane = a.OH * a.OW;
  parallel_for(a.planes, plane_grain(a), [&](int64_t p0, int64_t p1) {
    std::vector<T> best(size_t(a.OW));
    std::vector<int64_t> at(size_t(a.OW));
    for (int64_t p = p0; p < p1; p++) {
      const T* xp = x + p * plane;
      T* op = out + p * oplane;
      int32_t* ip = indices + p * oplane;
      for (int64_t i = 0; i < a.OH; i++) {
        const int64_t r0 = a.rows[2 * i], r1 = a.rows[2 * i + 1];
        for (int64_t j = 0; j < a.OW; j++) {
          best[j] = -INFINITY;
          at[j] = r0 * a.W + a.cols[2 * j];
        }
        for (int64_t r = r0; r < r1; r += a.row_step) {
          const T* row = xp + r * a.W;
          const int64_t rw = r * a.W;
          for (int64_t j = 0; j < a.OW; j++) {
            T b = best[j];
            int64_t t = at[j];
            for (int64_t c = a.cols[2 * j], c1 = a.cols[2 * j + 1]; c < c1; c += a.col_step) {
              const T v = row[c];
              const int64_t take = -int64_t((v > b) | (v != v));
              b = pick(take, v, b);
              t = (t & ~take) | ((rw + c) & take);
            }
            best[j] = b;
            at[j] = t;
          }
        }
        for (int64_t j = 0; j < a.OW; j++) {
          op[i * a.OW + j] = best[j];
          ip[i * a.OW + j] = int32_t(at[j]);
        }
      }
    }
  });
}

template <typename T>
void avg_pool_t(const T* x, const PoolArgs& a, const double* row_div, const double* col_div, T* out) {
  const int64_t plane = a.H * a.W, oplane = a.OH * a.OW;
  parallel_for(a.planes, plane_grain(a), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const T* xp = x + p * plane;
      T* op = out + p * oplane;
      for (int64_t i = 0; i < a.OH; i++) {
        const int64_t r0 = a.rows[2 * i], r1 = a.rows[2 * i + 1];
        for (int64_t j = 0; j < a.OW; j++) {
          const int64_t c0 = a.cols[2 * j], c1 = a.cols[2 * j + 1];
          if (r0 >= r1 || c0 >= c1) {
            op[i * a.OW + j] = T(0);
            continue;
          }
          double s = 0;
          for (int64_t r = r0; r < r1; r += a.row_step) {
            const T* row = xp + r * a.W;
            for (int64_t c = c0; c < c1; c += a.col_step) s += double(row[c]);
          }
          op[i * a.OW + j] = T(s / (row_div[i] * col_div[j]));
        }
      }
    }
  });
}

template <typename T>
void avg_pool_backward_t(const T* gy, const PoolArgs& a, const double* row_div, const double* col_div, T* gx) {
  const int64_t plane = a.H * a.W, oplane = a.OH * a.OW;
  parallel_for(a.planes, plane_grain(a), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      T* gp = gx + p * plane;
      const T* yp = gy + p * oplane;
      for (int64_t i = 0; i < a.OH; i++) {
        const int64_t r0 = a.rows[2 * i], r1 = a.rows[2 * i + 1];
        for (int64_t j = 0; j < a.OW; j++) {
          const int64_t c0 = a.cols[2 * j], c1 = a.cols[2 * j + 1];
          if (r0 >= r1 || c0 >= c1) continue;
          const double v = double(yp[i * a.OW + j]) / (row_div[i] * col_div[j]);
          for (int64_t r = r0; r < r1; r += a.row_step) {
            T* row = gp + r * a.W;
            for (int64_t c = c0; c < c1; c += a.col_step) row[c] = T(double(row[c]) + v);
          }
        }
      }
    }
  });
}

}  // namespace

void max_pool2d(DType t, const void* x, const PoolArgs& a, void* out, int32_t* indices) {
  if (t == F32) max_pool_t<float>(static_cast<const float*>(x), a, static_cast<float*>(out), indices);
  else max_pool_t<double>(static_cast<const double*>(x), a, static_cast<double*>(out), indices);
}

void avg_pool2d(DType t, const void* x, const PoolArgs& a, const double* row_div, const double* col_div, void* out) {
  if (t == F32) avg_pool_t<float>(static_cast<const float*>(x), a, row_div, col_div, static_cast<float*>(out));
  else avg_pool_t<double>(static_cast<const double*>(x), a, row_div, col_div, static_cast<double*>(out));
}

void avg_pool2d_backward(DType t, const void* gy, const PoolArgs& a, const double* row_div, const double* col_div, void* gx) {
  if (t == F32) avg_pool_backward_t<float>(static_cast<const float*>(gy), a, row_div, col_div, static_cast<float*>(gx));
  else avg_pool_backward_t<double>(static_cast<const double*>(gy), a, row_div, col_div, static_cast<double*>(gx));
}

}  // namespace cr

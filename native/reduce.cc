// Reductions over the middle axis of [outer, n, inner]: sum/prod/max/min (accumulated in double,
// like the TypeScript backend), arg-max/min (first occurrence; NaN wins), softmax/log-softmax.
#include <cmath>
#include <type_traits>
#include <vector>

#include "common.h"

namespace cr {
namespace {

enum ReduceCode { R_SUM, R_MAX, R_MIN, R_PROD };

template <typename T>
double reduce_row(int op, const T* x, int64_t n) {
  switch (op) {
    case R_SUM: {
      double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t j = 0;
      for (; j + 8 <= n; j += 8)
        for (int l = 0; l < 8; l++) s[l] += double(x[j + l]);
      double t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
      for (; j < n; j++) t += double(x[j]);
      return t;
    }
    case R_PROD: {
      double acc = 1;
      for (int64_t j = 0; j < n; j++) acc *= double(x[j]);
      return acc;
    }
    case R_MAX: {
      double acc = -INFINITY;
      for (int64_t j = 0; j < n; j++) {
        const double v = double(x[j]);
        if (v > acc || v != v) acc = v;
        if (acc != acc) break;
      }
      return acc;
    }
    default: {
      double acc = INFINITY;
      for (int64_t j = 0; j < n; j++) {
        const double v = double(x[j]);
        if (v < acc || v != v) acc = v;
        if (acc != acc) break;
      }
      return acc;
    }
  }
}

// max (is_max) or min of a float row in T, 16 lanes at a time (compare-selects the compiler turns
// into vector max/min), or false when the row holds a NaN or its extremum is 0: then reduce_row's
// scalar scan decides, since it returns the first NaN, and which of tied ±0 comes first.
template <typename T>
bool extremum_row_fast(bool is_max, const T* x, int64_t n, T& result) {
  constexpr int L = 16;
  if (n < L) return false;
  T m[L];
  int nan[L];
  for (int l = 0; l < L; l++) {
    m[l] = x[l];
    nan[l] = x[l] != x[l];
  }
  int64_t j = L;
  if (is_max) {
    for (; j + L <= n; j += L)
      for (int l = 0; l < L; l++) {
        const T v = x[j + l];
        m[l] = v > m[l] ? v : m[l];
        nan[l] |= v != v;
      }
  } else {
    for (; j + L <= n; j += L)
      for (int l = 0; l < L; l++) {
        const T v = x[j + l];
        m[l] = v < m[l] ? v : m[l];
        nan[l] |= v != v;
      }
  }
  T best = m[0];
  int any_nan = nan[0];
  for (int l = 1; l < L; l++) {
    best = (is_max ? m[l] > best : m[l] < best) ? m[l] : best;
    any_nan |= nan[l];
  }
  for (; j < n; j++) {
    const T v = x[j];
    best = (is_max ? v > best : v < best) ? v : best;
    any_nan |= v != v;
  }
  if (any_nan || best == 0) return false;
  result = best;
  return true;
}

template <typename T>
void reduce_cols(int op, const T* x, int64_t n, int64_t inner, int64_t i0, int64_t i1, T* out, double* acc) {
  const double init = op == R_SUM ? 0.0 : op == R_PROD ? 1.0 : op == R_MAX ? -INFINITY : INFINITY;
  const int64_t w = i1 - i0;
  for (int64_t i = 0; i < w; i++) acc[i] = init;
  for (int64_t j = 0; j < n; j++) {
    const T* r = x + j * inner + i0;
    switch (op) {
      case R_SUM:
        for (int64_t i = 0; i < w; i++) acc[i] += double(r[i]);
        break;
      case R_PROD:
        for (int64_t i = 0; i < w; i++) acc[i] *= double(r[i]);
        break;
      case R_MAX:
        for (int64_t i = 0; i < w; i++) {
          const double v = double(r[i]);
          if (v > acc[i] || v != v) acc[i] = v;
        }
        break;
      default:
        for (int64_t i = 0; i < w; i++) {
          const double v = double(r[i]);
          if (v < acc[i] || v != v) acc[i] = v;
        }
    }
  }
  for (int64_t i = 0; i < w; i++) out[i0 + i] = from_double<T>(acc[i]);
}

template <typename T>
void reduce_t(int op, const T* x, int64_t outer, int64_t n, int64_t inner, T* out) {
  if (inner == 1) {
    const bool fast = std::is_floating_point<T>::value && (op == R_MAX || op == R_MIN);
    parallel_for(outer, kElemGrain / (n > 0 ? n : 1) + 1, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; o++) {
        T v;
        if (fast && extremum_row_fast(op == R_MAX, x + o * n, n, v)) out[o] = v;
        else out[o] = from_double<T>(reduce_row(op, x + o * n, n));
      }
    });
    return;
  }
  // tasks: (outer row, block of inner columns), so that reducing the leading axis of a matrix
  // still splits across threads
  const int64_t cb = 512;
  const int64_t blocks = (inner + cb - 1) / cb;
  const int64_t grain = kElemGrain / (n * cb > 0 ? n * cb : 1) + 1;
  parallel_for(outer * blocks, grain, [&](int64_t b, int64_t e) {
    double acc[512];
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / blocks, i0 = (t % blocks) * cb;
      const int64_t i1 = i0 + cb < inner ? i0 + cb : inner;
      reduce_cols(op, x + o * n * inner, n, inner, i0, i1, out + o * inner, acc);
    }
  });
}

template <typename T>
void arg_reduce_t(bool is_max, const T* x, int64_t outer, int64_t n, int64_t inner, int32_t* out) {
  parallel_for(outer * inner, kElemGrain / (n > 0 ? n : 1) + 1, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / inner, i = t % inner;
      const T* p = x + o * n * inner + i;
      int32_t best = 0;
      if (n == 0) {
        out[t] = 0;
        continue;
      }
      double bv = double(p[0]);
      for (int64_t j = 1; j < n && bv == bv; j++) {
        const double v = double(p[j * inner]);
        if ((is_max ? v > bv : v < bv) || v != v) {
          bv = v;
          best = int32_t(j);
        }
      }
      out[t] = best;
    }
  });
}

template <typename T>
void softmax_t(const T* x, int64_t outer, int64_t n, int64_t inner, T* out, bool log) {
  if (inner == 1) {
    parallel_for(outer, kElemGrain / (4 * n + 1) + 1, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; o++) {
        const T* r = x + o * n;
        T* w = out + o * n;
        double mx = -INFINITY;
        for (int64_t j = 0; j < n; j++)
          if (double(r[j]) > mx) mx = double(r[j]);
        if (mx == -INFINITY) mx = 0;
        double s = 0;
        for (int64_t j = 0; j < n; j++) s += std::exp(double(r[j]) - mx);
        if (log) {
          // (x - max) - log Σ, as PyTorch: x - (max + log Σ) loses the digits of large logits
          const double ls = std::log(s);
          for (int64_t j = 0; j < n; j++) w[j] = from_double<T>((double(r[j]) - mx) - ls);
        } else {
          const double inv = 1 / s;
          for (int64_t j = 0; j < n; j++) w[j] = from_double<T>(std::exp(double(r[j]) - mx) * inv);
        }
      }
    });
    return;
  }
  parallel_for(outer, kElemGrain / (4 * n * inner + 1) + 1, [&](int64_t b, int64_t e) {
    std::vector<double> mx(inner), s(inner);
    for (int64_t o = b; o < e; o++) {
      const T* base = x + o * n * inner;
      T* ob = out + o * n * inner;
      for (int64_t i = 0; i < inner; i++) {
        mx[i] = -INFINITY;
        s[i] = 0;
      }
      for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < inner; i++)
          if (double(base[j * inner + i]) > mx[i]) mx[i] = double(base[j * inner + i]);
      for (int64_t i = 0; i < inner; i++)
        if (mx[i] == -INFINITY) mx[i] = 0;
      for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < inner; i++) s[i] += std::exp(double(base[j * inner + i]) - mx[i]);
      if (log) {
        for (int64_t i = 0; i < inner; i++) s[i] = std::log(s[i]);
        for (int64_t j = 0; j < n; j++)
          for (int64_t i = 0; i < inner; i++) ob[j * inner + i] = from_double<T>((double(base[j * inner + i]) - mx[i]) - s[i]);
      } else {
        for (int64_t i = 0; i < inner; i++) s[i] = 1 / s[i];
        for (int64_t j = 0; j < n; j++)
          for (int64_t i = 0; i < inner; i++)
            ob[j * inner + i] = from_double<T>(std::exp(double(base[j * inner + i]) - mx[i]) * s[i]);
      }
    }
  });
}

// The gradient of max/min over the dims where rs is 0 (extremumBackward in src/backend/types.ts):
// per extremum, count its ties in its slice, then write (x == r)·(g / count) over the slice. Tasks
// are extrema (the kept positions), so no two threads write one count.
template <typename T>
void extremum_backward_t(const T* x, const T* r, const T* g, T* out, int rank, const int64_t* shape, const int64_t* rs) {
  int64_t xs[kMaxRank];
  int64_t acc = 1;
  for (int d = rank - 1; d >= 0; d--) {
    xs[d] = acc;
    acc *= shape[d];
  }
  if (acc == 0) return;
  int64_t kshape[kMaxRank], kx[kMaxRank], kr[kMaxRank], rshape[kMaxRank], rx[kMaxRank];
  int nk = 0, nr = 0;
  for (int d = 0; d < rank; d++) {
    if (rs[d] == 0 && shape[d] > 1) {
      rshape[nr] = shape[d];
      rx[nr++] = xs[d];
    } else {
      kshape[nk] = shape[d];
      kx[nk] = xs[d];
      kr[nk++] = rs[d];
    }
  }
  const int64_t* kst[2] = {kx, kr};
  const int64_t* rst[1] = {rx};
  Walk<2> kept;
  Walk<1> red;
  coalesce<2>(nk, kshape, kst, kept);
  coalesce<1>(nr, rshape, rst, red);
  const int64_t kxs = kept.st[0][kept.rank - 1], krs = kept.st[1][kept.rank - 1];
  const int64_t step = red.st[0][red.rank - 1];
  parallel_for(kept.total, kElemGrain / red.total + 1, [&](int64_t b, int64_t e) {
    walk_range<2>(kept, b, e, [&](const int64_t* offs, int64_t n, int64_t) {
      for (int64_t t = 0; t < n; t++) {
        const int64_t xo = offs[0] + t * kxs, ro = offs[1] + t * krs;
        const T rv = r[ro];
        int64_t count = 0;
        walk_range<1>(red, 0, red.total, [&](const int64_t* o, int64_t m, int64_t) {
          const T* p = x + xo + o[0];
          if (step == 1) {
            for (int64_t k = 0; k < m; k++) count += p[k] == rv;
          } else {
            for (int64_t k = 0; k < m; k++) count += p[k * step] == rv;
          }
        });
        // in T, as the composite divides: float / float is one correctly rounded division
        const T share = g[ro] / T(count);
        walk_range<1>(red, 0, red.total, [&](const int64_t* o, int64_t m, int64_t) {
          const T* p = x + xo + o[0];
          T* w = out + xo + o[0];
          if (step == 1) {
            for (int64_t k = 0; k < m; k++) w[k] = T(p[k] == rv) * share;
          } else {
            for (int64_t k = 0; k < m; k++) w[k * step] = T(p[k * step] == rv) * share;
          }
        });
      }
    });
  });
}

}  // namespace

#define CR_DISPATCH(t, CALL)                                      \
  switch (t) {                                                    \
    case F32: { typedef float T; CALL; break; }                   \
    case F64: { typedef double T; CALL; break; }                  \
    case I32: { typedef int32_t T; CALL; break; }                 \
    case U8: { typedef uint8_t T; CALL; break; }                  \
  }

void reduce(int op, DType t, const void* x, int64_t outer, int64_t n, int64_t inner, void* out) {
  CR_DISPATCH(t, reduce_t<T>(op, static_cast<const T*>(x), outer, n, inner, static_cast<T*>(out)))
}

void extremum_backward(DType t, const void* x, const void* r, const void* g, void* out, int rank, const int64_t* shape,
                       const int64_t* rs) {
  if (t == F32) {
    extremum_backward_t(static_cast<const float*>(x), static_cast<const float*>(r), static_cast<const float*>(g),
                        static_cast<float*>(out), rank, shape, rs);
  } else if (t == F64) {
    extremum_backward_t(static_cast<const double*>(x), static_cast<const double*>(r), static_cast<const double*>(g),
                        static_cast<double*>(out), rank, shape, rs);
  }
}

void arg_reduce(bool is_max, DType t, const void* x, int64_t outer, int64_t n, int64_t inner, int32_t* out) {
  CR_DISPATCH(t, arg_reduce_t<T>(is_max, static_cast<const T*>(x), outer, n, inner, out))
}

void softmax(DType t, const void* x, int64_t outer, int64_t n, int64_t inner, void* out, bool log) {
  CR_DISPATCH(t, softmax_t<T>(static_cast<const T*>(x), outer, n, inner, static_cast<T*>(out), log))
}

}  // namespace cr

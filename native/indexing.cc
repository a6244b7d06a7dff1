// Data movement: strided copy and its adjoint (strided accumulate), index select / index add
// along an axis, torch-style gather / scatter-add, and the flat scatter of scatter_reduce and
// index_put. Accumulation into int32 and bool arrays wraps like JS typed-array stores do.
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"

namespace cr {
namespace {

// a + b with the wrap-around of JS typed-array stores for integer types
template <typename T>
inline T acc_add(T a, T b) {
  return a + b;
}
template <>
inline int32_t acc_add<int32_t>(int32_t a, int32_t b) {
  return int32_t(uint32_t(a) + uint32_t(b));
}
template <>
inline uint8_t acc_add<uint8_t>(uint8_t a, uint8_t b) {
  return uint8_t(a + b);
}

// a * b with the same wrap-around (int32 products wrap modulo 2^32, as Math.imul)
template <typename T>
inline T acc_mul(T a, T b) {
  return a * b;
}
template <>
inline int32_t acc_mul<int32_t>(int32_t a, int32_t b) {
  return int32_t(uint32_t(a) * uint32_t(b));
}
template <>
inline uint8_t acc_mul<uint8_t>(uint8_t a, uint8_t b) {
  return uint8_t(a * b);
}

template <typename T>
void strided_copy_t(const T* src, int64_t offset, int rank, const int64_t* shape, const int64_t* strides, T* out) {
  int64_t so[kMaxRank];
  int64_t acc = 1;
  for (int d = rank - 1; d >= 0; d--) {
    so[d] = acc;
    acc *= shape[d];
  }
  const int64_t* st[2] = {strides, so};
  Walk<2> w;
  coalesce<2>(rank, shape, st, w);
  if (w.total == 0) return;
  const int64_t step = w.st[0][w.rank - 1];
  const T* s0 = src + offset;
  parallel_for(w.total, kElemGrain, [&](int64_t begin, int64_t end) {
    walk_range<2>(w, begin, end, [&](const int64_t* offs, int64_t n, int64_t pos) {
      const T* s = s0 + offs[0];
      T* o = out + pos;
      if (step == 1) {
        memcpy(o, s, size_t(n) * sizeof(T));
      } else {
        for (int64_t i = 0; i < n; i++) o[i] = s[i * step];
      }
    });
  });
}

// Destinations may overlap (stride 0 or overlapping windows), so this runs on one thread.
template <typename T>
void strided_accumulate_t(const T* src, int rank, const int64_t* shape, T* dst, int64_t offset, const int64_t* strides) {
  int64_t so[kMaxRank];
  int64_t acc = 1;
  for (int d = rank - 1; d >= 0; d--) {
    so[d] = acc;
    acc *= shape[d];
  }
  const int64_t* st[2] = {strides, so};
  Walk<2> w;
  coalesce<2>(rank, shape, st, w);
  if (w.total == 0) return;
  const int64_t step = w.st[0][w.rank - 1];
  T* d0 = dst + offset;
  walk_range<2>(w, 0, w.total, [&](const int64_t* offs, int64_t n, int64_t pos) {
    T* d = d0 + offs[0];
    const T* s = src + pos;
    if (step == 1) {
      for (int64_t i = 0; i < n; i++) d[i] = acc_add(d[i], s[i]);
    } else {
      for (int64_t i = 0; i < n; i++) d[i * step] = acc_add(d[i * step], s[i]);
    }
  });
}

template <typename T>
void index_select_t(const T* x, const int32_t* idx, int64_t m, int64_t outer, int64_t n, int64_t inner, T* out) {
  if (inner == 0 || m == 0 || outer == 0) return;  // empty arrays may have null data
  parallel_for(outer * m, kElemGrain / (inner + 1) + 1, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / m, j = t % m;
      memcpy(out + t * inner, x + (o * n + idx[j]) * inner, size_t(inner) * sizeof(T));
    }
  });
}

// Work split over (outer, block of inner columns): distinct tasks never write the same element
// even when indices repeat.
template <typename F>
void split_outer_inner(int64_t outer, int64_t inner, int64_t rows, F body) {
  const int64_t cb = inner >= 256 ? 128 : inner;
  const int64_t blocks = cb > 0 ? (inner + cb - 1) / cb : 0;
  const int64_t grain = kElemGrain / (rows * cb + 1) + 1;
  parallel_for(outer * blocks, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / blocks, i0 = (t % blocks) * cb;
      body(o, i0, i0 + cb < inner ? i0 + cb : inner);
    }
  });
}

template <typename T>
void index_add_t(const T* g, const int32_t* idx, int64_t m, int64_t outer, int64_t n, int64_t inner, T* out) {
  split_outer_inner(outer, inner, m, [&](int64_t o, int64_t i0, int64_t i1) {
    for (int64_t j = 0; j < m; j++) {
      T* d = out + (o * n + idx[j]) * inner;
      const T* s = g + (o * m + j) * inner;
      for (int64_t i = i0; i < i1; i++) d[i] = acc_add(d[i], s[i]);
    }
  });
}

template <typename T>
void gather_t(const T* x, const int32_t* idx, int64_t outer, int64_t n, int64_t m, int64_t inner, T* out) {
  parallel_for(outer * m, kElemGrain / (inner + 1) + 1, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / m;
      const int64_t r = t * inner;
      for (int64_t i = 0; i < inner; i++) out[r + i] = x[(o * n + idx[r + i]) * inner + i];
    }
  });
}

template <typename T>
void scatter_add_t(const T* src, const int32_t* idx, int64_t outer, int64_t n, int64_t m, int64_t inner, T* out) {
  split_outer_inner(outer, inner, m, [&](int64_t o, int64_t i0, int64_t i1) {
    for (int64_t j = 0; j < m; j++) {
      const int64_t r = (o * m + j) * inner;
      for (int64_t i = i0; i < i1; i++) {
        T& d = out[(o * n + idx[r + i]) * inner + i];
        d = acc_add(d, src[r + i]);
      }
    }
  });
}

// out[idx[j]] = op(out[idx[j]], src[j]) in order (op 0 set, 1 sum, 2 prod, 3 amax, 4 amin; amax
// and amin propagate NaN). Without include_self a position's first write replaces what it held.
// Repeated indices make the order matter, so this runs on one thread.
template <typename T>
void scatter_reduce_t(int op, const T* src, const int32_t* idx, int64_t m, T* out, int64_t n, bool include_self) {
  std::vector<uint8_t> fresh;
  if (!include_self && op != 0) fresh.assign(size_t(n), 1);
  const T nan = std::numeric_limits<T>::quiet_NaN();
  for (int64_t j = 0; j < m; j++) {
    T& d = out[idx[j]];
    const T v = src[j];
    if (!fresh.empty() && fresh[idx[j]]) {
      fresh[idx[j]] = 0;
      d = v;
      continue;
    }
    switch (op) {
      case 0: d = v; break;
      case 1: d = acc_add(d, v); break;
      case 2: d = acc_mul(d, v); break;
      case 3: d = (d != d || v != v) ? nan : (d > v ? d : v); break;
      case 4: d = (d != d || v != v) ? nan : (d < v ? d : v); break;
      default: break;
    }
  }
}

}  // namespace

#define CR_DISPATCH(t, CALL)                                      \
  switch (t) {                                                    \
    case F32: { typedef float T; CALL; break; }                   \
    case F64: { typedef double T; CALL; break; }                  \
    case I32: { typedef int32_t T; CALL; break; }                 \
    case U8: { typedef uint8_t T; CALL; break; }                  \
  }

void strided_copy(DType t, const void* src, int64_t offset, int rank, const int64_t* shape, const int64_t* strides,
                  void* out) {
  CR_DISPATCH(t, strided_copy_t<T>(static_cast<const T*>(src), offset, rank, shape, strides, static_cast<T*>(out)))
}

void strided_accumulate(DType t, const void* src, int rank, const int64_t* shape, void* dst, int64_t offset,
                        const int64_t* strides) {
  CR_DISPATCH(t, strided_accumulate_t<T>(static_cast<const T*>(src), rank, shape, static_cast<T*>(dst), offset, strides))
}

void index_select(DType t, const void* x, const int32_t* idx, int64_t m, int64_t outer, int64_t n, int64_t inner,
                  void* out) {
  CR_DISPATCH(t, index_select_t<T>(static_cast<const T*>(x), idx, m, outer, n, inner, static_cast<T*>(out)))
}

void index_add(DType t, const void* g, const int32_t* idx, int64_t m, int64_t outer, int64_t n, int64_t inner,
               void* out) {
  CR_DISPATCH(t, index_add_t<T>(static_cast<const T*>(g), idx, m, outer, n, inner, static_cast<T*>(out)))
}

void gather(DType t, const void* x, const int32_t* idx, int64_t outer, int64_t n, int64_t m, int64_t inner, void* out) {
  CR_DISPATCH(t, gather_t<T>(static_cast<const T*>(x), idx, outer, n, m, inner, static_cast<T*>(out)))
}

void scatter_add(DType t, const void* src, const int32_t* idx, int64_t outer, int64_t n, int64_t m, int64_t inner,
                 void* out) {
  CR_DISPATCH(t, scatter_add_t<T>(static_cast<const T*>(src), idx, outer, n, m, inner, static_cast<T*>(out)))
}

void scatter_reduce(int op, DType t, const void* src, const int32_t* idx, int64_t m, void* out, int64_t n,
                    bool include_self) {
  CR_DISPATCH(t, scatter_reduce_t<T>(op, static_cast<const T*>(src), idx, m, static_cast<T*>(out), n, include_self))
}

}  // namespace cr

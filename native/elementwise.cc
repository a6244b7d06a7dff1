// Elementwise kernels: unary ops (with parameters), broadcasting binary ops, where, and casts.
// Arithmetic follows the TypeScript backend: values are computed in double precision, as JS
// numbers are, and stored with the conversion of the output array (float rounding, ToInt32,
// ToUint8). Float32 +, -, *, / and comparisons are computed in float directly, which gives the
// same bits (double rounding is innocuous for these operations).
#include <cmath>
#include <cstring>
#include <type_traits>

#include "common.h"

namespace cr {
namespace {

// Op codes: the order of the UnaryOp / BinaryOp lists in src/backend/native/codes.ts.
enum UnaryCode {
  U_NEG, U_EXP, U_LOG, U_SQRT, U_ABS, U_SIN, U_COS, U_TANH, U_SIGMOID, U_RELU, U_SIGN, U_STEP, U_ERF, U_GELU,
  U_GELU_TANH, U_LEAKY_RELU, U_ELU, U_SOFTPLUS, U_POW_SCALAR, U_ADD_SCALAR, U_MUL_SCALAR, U_CLAMP, U_RECIPROCAL,
  U_SQUARE, U_FLOOR
};
enum BinaryCode { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE };

template <typename T, typename F>
void map_unary(const T* x, T* out, int64_t n, F f) {
  parallel_for(n, kElemGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) out[i] = from_double<T>(f(double(x[i])));
  });
}

// JS `**`: unlike C's pow, 1 ** NaN and (-1) ** +-Infinity are NaN.
inline double js_pow(double a, double b) {
  if (std::isnan(b)) return NAN;
  if (std::isinf(b) && std::fabs(a) == 1) return NAN;
  return std::pow(a, b);
}

const double kSqrt2OverPi = 0.7978845608028654;  // Math.sqrt(2 / Math.PI)
const double kInvSqrt2 = 0.7071067811865476;     // Math.SQRT1_2

// Transcendental ops cost ~10x a memory pass: they use more threads on smaller arrays.
constexpr int64_t kMathGrain = 4096;

template <typename T, typename F>
void map_unary_math(const T* x, T* out, int64_t n, F f) {
  parallel_for(n, kMathGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) out[i] = from_double<T>(f(double(x[i])));
  });
}

template <typename T>
void unary_t(int op, const T* x, T* out, int64_t n, double p0, double p1) {
  if (std::is_same<T, float>::value &&
      unary_f32_fast(op, reinterpret_cast<const float*>(x), reinterpret_cast<float*>(out), n)) {
    return;
  }
  switch (op) {
    case U_NEG: return map_unary(x, out, n, [](double v) { return -v; });
    case U_EXP: return map_unary_math(x, out, n, [](double v) { return std::exp(v); });
    case U_LOG: return map_unary_math(x, out, n, [](double v) { return std::log(v); });
    case U_SQRT: return map_unary(x, out, n, [](double v) { return std::sqrt(v); });
    case U_ABS: return map_unary(x, out, n, [](double v) { return std::fabs(v); });
    case U_SIN: return map_unary_math(x, out, n, [](double v) { return std::sin(v); });
    case U_COS: return map_unary_math(x, out, n, [](double v) { return std::cos(v); });
    case U_TANH: return map_unary_math(x, out, n, [](double v) { return std::tanh(v); });
    case U_SIGMOID:
      return map_unary_math(x, out, n, [](double v) {
        if (v >= 0) return 1 / (1 + std::exp(-v));
        const double e = std::exp(v);
        return e / (1 + e);
      });
    case U_RELU: return map_unary(x, out, n, [](double v) { return v > 0 ? v : 0.0; });
    case U_SIGN: return map_unary(x, out, n, [](double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : v == 0 ? 0.0 : NAN; });
    case U_STEP: return map_unary(x, out, n, [](double v) { return v >= 0 ? 1.0 : v < 0 ? 0.0 : NAN; });
    case U_ERF: return map_unary_math(x, out, n, [](double v) { return std::erf(v); });
    case U_GELU: return map_unary_math(x, out, n, [](double v) { return 0.5 * v * (1 + std::erf(v * kInvSqrt2)); });
    case U_GELU_TANH:
      return map_unary_math(x, out, n, [](double v) { return 0.5 * v * (1 + std::tanh(kSqrt2OverPi * (v + 0.044715 * v * v * v))); });
    case U_LEAKY_RELU: return map_unary(x, out, n, [p0](double v) { return v > 0 ? v : p0 * v; });
    case U_ELU: return map_unary_math(x, out, n, [p0](double v) { return v > 0 ? v : p0 * std::expm1(v); });
    case U_SOFTPLUS:
      return map_unary_math(x, out, n, [p0, p1](double v) { return v * p0 > p1 ? v : std::log1p(std::exp(p0 * v)) / p0; });
    case U_POW_SCALAR:
      if (p0 == 2) return map_unary(x, out, n, [](double v) { return v * v; });
      return map_unary_math(x, out, n, [p0](double v) { return js_pow(v, p0); });
    case U_ADD_SCALAR: return map_unary(x, out, n, [p0](double v) { return v + p0; });
    case U_MUL_SCALAR: return map_unary(x, out, n, [p0](double v) { return v * p0; });
    case U_CLAMP:
      return map_unary(x, out, n, [p0, p1](double v) {
        double y = v;
        if (!std::isnan(p0) && y < p0) y = p0;
        if (!std::isnan(p1) && y > p1) y = p1;
        return y;
      });
    case U_RECIPROCAL: return map_unary(x, out, n, [](double v) { return 1 / v; });
    case U_SQUARE: return map_unary(x, out, n, [](double v) { return v * v; });
    case U_FLOOR: return map_unary(x, out, n, [](double v) { return std::floor(v); });
  }
}

// ---- binary ------------------------------------------------------------------------------


template <typename T, typename O, typename F>
void run_binary(const T* a, const T* b, O* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb, F f) {
  int64_t so[kMaxRank];
  int64_t acc = 1;
  for (int d = rank - 1; d >= 0; d--) {
    so[d] = acc;
    acc *= shape[d];
  }
  const int64_t* strides[3] = {sa, sb, so};
  Walk<3> w;
  coalesce<3>(rank, shape, strides, w);
  if (w.total == 0) return;
  const int64_t ia = w.st[0][w.rank - 1], ib = w.st[1][w.rank - 1];
  parallel_for(w.total, kElemGrain, [&](int64_t begin, int64_t end) {
    walk_range<3>(w, begin, end, [&](const int64_t* offs, int64_t n, int64_t pos) {
      const T* pa = a + offs[0];
      const T* pb = b + offs[1];
      O* po = out + pos;
      if (ia == 1 && ib == 1) {
        for (int64_t i = 0; i < n; i++) po[i] = f(pa[i], pb[i]);
      } else if (ia == 1 && ib == 0) {
        const T vb = pb[0];
        for (int64_t i = 0; i < n; i++) po[i] = f(pa[i], vb);
      } else if (ia == 0 && ib == 1) {
        const T va = pa[0];
        for (int64_t i = 0; i < n; i++) po[i] = f(va, pb[i]);
      } else {
        for (int64_t i = 0; i < n; i++) po[i] = f(pa[i * ia], pb[i * ib]);
      }
    });
  });
}

template <typename T>
struct Arith {
  // JS semantics: compute in double, store with the array's conversion
  static T add(T a, T b) { return from_double<T>(double(a) + double(b)); }
  static T sub(T a, T b) { return from_double<T>(double(a) - double(b)); }
  static T mul(T a, T b) { return from_double<T>(double(a) * double(b)); }
  static T div(T a, T b) { return from_double<T>(double(a) / double(b)); }
};
template <>
struct Arith<float> {
  static float add(float a, float b) { return a + b; }
  static float sub(float a, float b) { return a - b; }
  static float mul(float a, float b) { return a * b; }
  static float div(float a, float b) { return a / b; }
};

template <typename T>
void binary_t(int op, const T* a, const T* b, void* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb) {
  T* o = static_cast<T*>(out);
  uint8_t* c = static_cast<uint8_t*>(out);
  switch (op) {
    case B_ADD: return run_binary(a, b, o, rank, shape, sa, sb, [](T x, T y) { return Arith<T>::add(x, y); });
    case B_SUB: return run_binary(a, b, o, rank, shape, sa, sb, [](T x, T y) { return Arith<T>::sub(x, y); });
    case B_MUL: return run_binary(a, b, o, rank, shape, sa, sb, [](T x, T y) { return Arith<T>::mul(x, y); });
    case B_DIV: return run_binary(a, b, o, rank, shape, sa, sb, [](T x, T y) { return Arith<T>::div(x, y); });
    case B_POW:
      return run_binary(a, b, o, rank, shape, sa, sb, [](T x, T y) { return from_double<T>(js_pow(double(x), double(y))); });
    case B_MAX:
      return run_binary(a, b, o, rank, shape, sa, sb, [](T x, T y) {
        if (x != x || y != y) return from_double<T>(NAN);
        return x > y ? x : y;
      });
    case B_MIN:
      return run_binary(a, b, o, rank, shape, sa, sb, [](T x, T y) {
        if (x != x || y != y) return from_double<T>(NAN);
        return x < y ? x : y;
      });
    case B_EQ: return run_binary(a, b, c, rank, shape, sa, sb, [](T x, T y) { return uint8_t(x == y); });
    case B_NE: return run_binary(a, b, c, rank, shape, sa, sb, [](T x, T y) { return uint8_t(x != y); });
    case B_LT: return run_binary(a, b, c, rank, shape, sa, sb, [](T x, T y) { return uint8_t(x < y); });
    case B_LE: return run_binary(a, b, c, rank, shape, sa, sb, [](T x, T y) { return uint8_t(x <= y); });
    case B_GT: return run_binary(a, b, c, rank, shape, sa, sb, [](T x, T y) { return uint8_t(x > y); });
    case B_GE: return run_binary(a, b, c, rank, shape, sa, sb, [](T x, T y) { return uint8_t(x >= y); });
  }
}

template <typename T>
void where_t(const uint8_t* c, const T* a, const T* b, T* out, int rank, const int64_t* shape, const int64_t* sc,
             const int64_t* sa, const int64_t* sb) {
  int64_t so[kMaxRank];
  int64_t acc = 1;
  for (int d = rank - 1; d >= 0; d--) {
    so[d] = acc;
    acc *= shape[d];
  }
  const int64_t* strides[4] = {sc, sa, sb, so};
  Walk<4> w;
  coalesce<4>(rank, shape, strides, w);
  if (w.total == 0) return;
  const int64_t ic = w.st[0][w.rank - 1], ia = w.st[1][w.rank - 1], ib = w.st[2][w.rank - 1];
  parallel_for(w.total, kElemGrain, [&](int64_t begin, int64_t end) {
    walk_range<4>(w, begin, end, [&](const int64_t* offs, int64_t n, int64_t pos) {
      const uint8_t* pc = c + offs[0];
      const T* pa = a + offs[1];
      const T* pb = b + offs[2];
      T* po = out + pos;
      if (ic == 1 && ia == 1 && ib == 1) {
        for (int64_t i = 0; i < n; i++) po[i] = pc[i] ? pa[i] : pb[i];
      } else {
        for (int64_t i = 0; i < n; i++) po[i] = pc[i * ic] ? pa[i * ia] : pb[i * ib];
      }
    });
  });
}

template <typename I, typename O>
void cast_t(const I* x, O* out, int64_t n) {
  parallel_for(n, kElemGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) out[i] = from_double<O>(double(x[i]));
  });
}

template <typename I>
void cast_from(const I* x, DType to, void* out, int64_t n) {
  switch (to) {
    case F32: return cast_t(x, static_cast<float*>(out), n);
    case F64: return cast_t(x, static_cast<double*>(out), n);
    case I32: return cast_t(x, static_cast<int32_t*>(out), n);
    case U8: {
      uint8_t* o = static_cast<uint8_t*>(out);
      parallel_for(n, kElemGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; i++) o[i] = x[i] != 0 ? 1 : 0;  // NaN != 0 is true, as in JS
      });
      return;
    }
  }
}

}  // namespace

void unary(int op, DType t, const void* x, void* out, int64_t n, double p0, double p1) {
  switch (t) {
    case F32: return unary_t(op, static_cast<const float*>(x), static_cast<float*>(out), n, p0, p1);
    case F64: return unary_t(op, static_cast<const double*>(x), static_cast<double*>(out), n, p0, p1);
    case I32: return unary_t(op, static_cast<const int32_t*>(x), static_cast<int32_t*>(out), n, p0, p1);
    case U8: return unary_t(op, static_cast<const uint8_t*>(x), static_cast<uint8_t*>(out), n, p0, p1);
  }
}

void binary(int op, DType t, const void* a, const void* b, void* out, int rank, const int64_t* shape, const int64_t* sa,
            const int64_t* sb) {
  switch (t) {
    case F32: return binary_t(op, static_cast<const float*>(a), static_cast<const float*>(b), out, rank, shape, sa, sb);
    case F64: return binary_t(op, static_cast<const double*>(a), static_cast<const double*>(b), out, rank, shape, sa, sb);
    case I32: return binary_t(op, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b), out, rank, shape, sa, sb);
    case U8: return binary_t(op, static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b), out, rank, shape, sa, sb);
  }
}

void where(DType t, const uint8_t* c, const void* a, const void* b, void* out, int rank, const int64_t* shape,
           const int64_t* sc, const int64_t* sa, const int64_t* sb) {
  switch (t) {
    case F32:
      return where_t(c, static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(out), rank, shape, sc, sa, sb);
    case F64:
      return where_t(c, static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(out), rank, shape, sc, sa, sb);
    case I32:
      return where_t(c, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b), static_cast<int32_t*>(out), rank, shape, sc, sa, sb);
    case U8:
      return where_t(c, static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b), static_cast<uint8_t*>(out), rank, shape, sc, sa, sb);
  }
}

void cast(DType from, const void* x, DType to, void* out, int64_t n) {
  if (n == 0) return;
  if (from == to) {
    static const size_t sizes[] = {4, 8, 4, 1};
    memmove(out, x, size_t(n) * sizes[from]);
    return;
  }
  switch (from) {
    case F32: return cast_from(static_cast<const float*>(x), to, out, n);
    case F64: return cast_from(static_cast<const double*>(x), to, out, n);
    case I32: return cast_from(static_cast<const int32_t*>(x), to, out, n);
    case U8: return cast_from(static_cast<const uint8_t*>(x), to, out, n);
  }
}

}  // namespace cr

// Elementwise kernels: unary ops (with parameters), broadcasting binary ops, where, and casts.
// Arithmetic follows the TypeScript backend: values are computed in double precision, as JS
// numbers are, and stored with the conversion of the output array (float rounding, ToInt32,
// ToUint8). Float32 +, -, *, / and comparisons are computed in float directly, which gives the
// same bits (double rounding is innocuous for these operations).
#include <cmath>
#include <cstring>
#include <type_traits>

#include "common.h"
#include "ops.h"

namespace cr {

#define CR_X(n) #n,
const char* const kUnaryNames[U_COUNT] = {CR_UNARY_KERNELS(CR_X)};
const char* const kBinaryNames[B_COUNT] = {CR_BINARY_KERNELS(CR_X)};
#undef CR_X

namespace {

template <typename T, typename F>
void map_unary(const T* x, T* out, int64_t n, F f) {
  parallel_for(n, kElemGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) out[i] = from_double<T>(f(double(x[i])));
  });
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

// round half to even, as PyTorch (nearbyint in the default rounding mode)
inline double round_even(double v) { return std::nearbyint(v); }

// Python's %: the remainder with the sign of the divisor
inline double py_mod(double a, double b) {
  double r = std::fmod(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

// PyTorch's floor division of floats (remainder's gradient): see floorDivide in src/ops/math.ts
inline double floor_divide(double a, double b) {
  if (b == 0) return a / b;
  const double mod = std::fmod(a, b);
  double q = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) q -= 1;
  if (q == 0) return std::copysign(0.0, a / b);
  const double f = std::floor(q);
  return q - f > 0.5 ? f + 1 : f;
}

// Returns false for a kernel of the table this file has no case for (the caller runs TypeScript's).
template <typename T>
bool unary_t(int op, const T* x, T* out, int64_t n, double p0, double p1) {
  if (std::is_same<T, float>::value &&
      unary_f32_fast(op, reinterpret_cast<const float*>(x), reinterpret_cast<float*>(out), n)) {
    return true;
  }
#define CR_MAP(...) (map_unary(x, out, n, __VA_ARGS__), true)
#define CR_MATH(...) (map_unary_math(x, out, n, __VA_ARGS__), true)
  switch (op) {
    case U_neg: return CR_MAP([](double v) { return -v; });
    case U_exp: return CR_MATH([](double v) { return std::exp(v); });
    case U_expm1: return CR_MATH([](double v) { return std::expm1(v); });
    case U_log: return CR_MATH([](double v) { return std::log(v); });
    case U_log2: return CR_MATH([](double v) { return std::log2(v); });
    case U_log10: return CR_MATH([](double v) { return std::log10(v); });
    case U_log1p: return CR_MATH([](double v) { return std::log1p(v); });
    case U_sqrt: return CR_MAP([](double v) { return std::sqrt(v); });
    case U_rsqrt: return CR_MAP([](double v) { return 1 / std::sqrt(v); });
    case U_abs: return CR_MAP([](double v) { return std::fabs(v); });
    case U_sin: return CR_MATH([](double v) { return std::sin(v); });
    case U_cos: return CR_MATH([](double v) { return std::cos(v); });
    case U_tan: return CR_MATH([](double v) { return std::tan(v); });
    case U_asin: return CR_MATH([](double v) { return std::asin(v); });
    case U_acos: return CR_MATH([](double v) { return std::acos(v); });
    case U_atan: return CR_MATH([](double v) { return std::atan(v); });
    case U_sinh: return CR_MATH([](double v) { return std::sinh(v); });
    case U_cosh: return CR_MATH([](double v) { return std::cosh(v); });
    case U_tanh: return CR_MATH([](double v) { return std::tanh(v); });
    case U_asinh: return CR_MATH([](double v) { return std::asinh(v); });
    case U_acosh: return CR_MATH([](double v) { return std::acosh(v); });
    case U_atanh: return CR_MATH([](double v) { return std::atanh(v); });
    case U_sigmoid:
      return CR_MATH([](double v) {
        if (v >= 0) return 1 / (1 + std::exp(-v));
        const double e = std::exp(v);
        return e / (1 + e);
      });
    // NaN and -0 pass through, as PyTorch's relu
    case U_relu: return CR_MAP([](double v) { return v < 0 ? 0.0 : v; });
    // NaN gives 0, as in PyTorch
    case U_sign: return CR_MAP([](double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; });
    case U_step: return CR_MAP([](double v) { return v >= 0 ? 1.0 : 0.0; });
    case U_floor: return CR_MAP([](double v) { return std::floor(v); });
    case U_ceil: return CR_MAP([](double v) { return std::ceil(v); });
    case U_trunc: return CR_MAP([](double v) { return std::trunc(v); });
    case U_round: return CR_MAP([](double v) { return round_even(v); });
    case U_erf: return CR_MATH([](double v) { return std::erf(v); });
    case U_gelu: return CR_MATH([](double v) { return 0.5 * v * (1 + std::erf(v * kInvSqrt2)); });
    case U_geluTanh:
      return CR_MATH([](double v) { return 0.5 * v * (1 + std::tanh(kSqrt2OverPi * (v + 0.044715 * v * v * v))); });
    case U_leakyRelu: return CR_MAP([p0](double v) { return v > 0 ? v : p0 * v; });
    case U_elu: return CR_MATH([p0](double v) { return v > 0 ? v : p0 * std::expm1(v); });
    case U_softplus:
      return CR_MATH([p0, p1](double v) { return v * p0 > p1 ? v : std::log1p(std::exp(p0 * v)) / p0; });
    // PyTorch's special cases of a constant exponent (see powScalarKernel in src/ops/math.ts)
    case U_powScalar:
      if (p0 == 0.5) return CR_MAP([](double v) { return std::sqrt(v); });
      if (p0 == -0.5) return CR_MAP([](double v) { return 1 / std::sqrt(v); });
      if (p0 == -1) return CR_MAP([](double v) { return 1 / v; });
      if (p0 == 2) return CR_MAP([](double v) { return v * v; });
      if (p0 == 3) return CR_MAP([](double v) { return v * v * v; });
      if (p0 == -2) return CR_MAP([](double v) { return 1 / (v * v); });
      return CR_MATH([p0](double v) { return std::pow(v, p0); });
    case U_addScalar: return CR_MAP([p0](double v) { return v + p0; });
    case U_mulScalar: return CR_MAP([p0](double v) { return v * p0; });
    case U_divScalar: return CR_MAP([p0](double v) { return v / p0; });
    case U_clamp:
      return CR_MAP([p0, p1](double v) {
        double y = v;
        if (!std::isnan(p0) && y < p0) y = p0;
        if (!std::isnan(p1) && y > p1) y = p1;
        return y;
      });
    case U_reciprocal: return CR_MAP([](double v) { return 1 / v; });
    case U_square: return CR_MAP([](double v) { return v * v; });
    default: return false;
  }
#undef CR_MAP
#undef CR_MATH
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
bool binary_t(int op, const T* a, const T* b, void* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb) {
  T* o = static_cast<T*>(out);
  uint8_t* c = static_cast<uint8_t*>(out);
#define CR_RUN(...) (run_binary(a, b, o, rank, shape, sa, sb, __VA_ARGS__), true)
#define CR_CMP(...) (run_binary(a, b, c, rank, shape, sa, sb, __VA_ARGS__), true)
#define CR_MATH2(f) CR_RUN([](T x, T y) { return from_double<T>(f(double(x), double(y))); })
  switch (op) {
    case B_add: return CR_RUN([](T x, T y) { return Arith<T>::add(x, y); });
    case B_sub: return CR_RUN([](T x, T y) { return Arith<T>::sub(x, y); });
    case B_mul: return CR_RUN([](T x, T y) { return Arith<T>::mul(x, y); });
    case B_div: return CR_RUN([](T x, T y) { return Arith<T>::div(x, y); });
    case B_pow: return CR_MATH2(std::pow);
    case B_floorDivide: return CR_MATH2(floor_divide);
    case B_atan2: return CR_MATH2(std::atan2);
    case B_hypot: return CR_MATH2(std::hypot);
    case B_fmod: return CR_MATH2(std::fmod);
    case B_remainder: return CR_MATH2(py_mod);
    case B_maximum:
      return CR_RUN([](T x, T y) {
        if (x != x || y != y) return from_double<T>(NAN);
        return x > y ? x : y;
      });
    case B_minimum:
      return CR_RUN([](T x, T y) {
        if (x != x || y != y) return from_double<T>(NAN);
        return x < y ? x : y;
      });
    // relu's backward: the gradient where the output is positive (NaN included), 0 elsewhere
    case B_reluBackward: return CR_RUN([](T g, T y) { return y <= 0 ? T(0) : g; });
    case B_eq: return CR_CMP([](T x, T y) { return uint8_t(x == y); });
    case B_ne: return CR_CMP([](T x, T y) { return uint8_t(x != y); });
    case B_lt: return CR_CMP([](T x, T y) { return uint8_t(x < y); });
    case B_le: return CR_CMP([](T x, T y) { return uint8_t(x <= y); });
    case B_gt: return CR_CMP([](T x, T y) { return uint8_t(x > y); });
    case B_ge: return CR_CMP([](T x, T y) { return uint8_t(x >= y); });
    // nonzero is true (NaN included), as in PyTorch
    case B_logicalAnd: return CR_CMP([](T x, T y) { return uint8_t(x != 0 && y != 0); });
    case B_logicalOr: return CR_CMP([](T x, T y) { return uint8_t(x != 0 || y != 0); });
    default: return false;
  }
#undef CR_RUN
#undef CR_CMP
#undef CR_MATH2
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

bool unary(int op, DType t, const void* x, void* out, int64_t n, double p0, double p1) {
  switch (t) {
    case F32: return unary_t(op, static_cast<const float*>(x), static_cast<float*>(out), n, p0, p1);
    case F64: return unary_t(op, static_cast<const double*>(x), static_cast<double*>(out), n, p0, p1);
    case I32: return unary_t(op, static_cast<const int32_t*>(x), static_cast<int32_t*>(out), n, p0, p1);
    case U8: return unary_t(op, static_cast<const uint8_t*>(x), static_cast<uint8_t*>(out), n, p0, p1);
  }
  return false;
}

bool binary(int op, DType t, const void* a, const void* b, void* out, int rank, const int64_t* shape, const int64_t* sa,
            const int64_t* sb) {
  switch (t) {
    case F32: return binary_t(op, static_cast<const float*>(a), static_cast<const float*>(b), out, rank, shape, sa, sb);
    case F64: return binary_t(op, static_cast<const double*>(a), static_cast<const double*>(b), out, rank, shape, sa, sb);
    case I32: return binary_t(op, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b), out, rank, shape, sa, sb);
    case U8: return binary_t(op, static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b), out, rank, shape, sa, sb);
  }
  return false;
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

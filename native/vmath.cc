// Vectorized exp, sigmoid and tanh for float32 arrays. The work is done in double precision with
// a branch-free exp (Cody-Waite reduction, degree-11 Taylor polynomial, exponent by bit
// arithmetic), so results round to the same float as the TypeScript backend's double-precision
// Math functions in all but rare ties. GCC compiles each loop for AVX-512, AVX2 and baseline and
// picks one at load time (target_clones).
#include <cstdint>
#include <cstring>

#include "common.h"

// comparisons may not trap here, so the clamps become vector blends instead of branches
#pragma GCC optimize("no-trapping-math")

namespace cr {
namespace {

inline double vexp(double x) {
  // float inputs never need more range; NaN passes through the comparisons unchanged
  x = x < -200.0 ? -200.0 : x;
  x = x > 200.0 ? 200.0 : x;
  const double magic = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  const double t = x * 1.4426950408889634 + magic;
  const double n = t - magic;
  double r = x - n * 0.6931471803691238;  // ln 2 split so that n * hi is exact
  r = r - n * 1.9082149292705877e-10;
  double p = 2.505210838544172e-08;  // 1/11!
  p = p * r + 2.755731922398589e-07;
  p = p * r + 2.755731922398589e-06;
  p = p * r + 2.48015873015873e-05;
  p = p * r + 0.0001984126984126984;
  p = p * r + 0.001388888888888889;
  p = p * r + 0.008333333333333333;
  p = p * r + 0.041666666666666664;
  p = p * r + 0.16666666666666666;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  uint64_t bits;
  memcpy(&bits, &t, sizeof bits);
  bits = (bits - 0x4338000000000000ULL + 1023) << 52;  // 2^n (unsigned: NaN inputs wrap harmlessly)
  double scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
#define CR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CR_CLONES
#endif

CR_CLONES void exp_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = float(vexp(double(x[i])));
}

CR_CLONES void sigmoid_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const double d = double(x[i]);
    const double e = vexp(d < 0 ? d : -d);  // exp(-|x|), never overflows
    const double s = 1.0 / (1.0 + e);
    y[i] = float(d >= 0 ? s : e * s);
  }
}

CR_CLONES void tanh_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const double d = double(x[i]);
    const double a = d < 0 ? -d : d;
    const double e = vexp(-2.0 * a);
    double t = (1.0 - e) / (1.0 + e);
    t = a < 1e-5 ? a : t;  // tanh(a) = a to float precision; avoids the cancellation in 1 - e
    y[i] = float(__builtin_copysign(t, d));
  }
}

// vectorized: ~1 ns per element, so a pool hand-off only pays off on large arrays
constexpr int64_t kMathGrain = 1 << 15;

}  // namespace

bool unary_f32_fast(int op, const float* x, float* out, int64_t n) {
  void (*f)(const float*, float*, int64_t) = nullptr;
  switch (op) {
    case 1: f = exp_f32; break;      // U_EXP
    case 7: f = tanh_f32; break;     // U_TANH
    case 8: f = sigmoid_f32; break;  // U_SIGMOID
    default: return false;
  }
  parallel_for(n, kMathGrain, [&](int64_t b, int64_t e) { f(x + b, out + b, e - b); });
  return true;
}

}  // namespace cr

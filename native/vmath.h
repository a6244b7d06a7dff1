// Branch-free exp in double precision (Cody-Waite reduction, degree-11 Taylor polynomial, exponent
// by bit arithmetic), and the sigmoid and tanh built on it: inline so that loops calling them
// vectorize. Relative error about 1e-15 over the whole double range: below -708 the result is 0
// (e^x is then subnormal, under 3e-308) and above 709 it is infinity, so saturated sigmoid and tanh
// gates are exactly 0 and 1, as in PyTorch, whose gradients through them are then exactly 0.
#pragma once
#include <cstdint>
#include <cstring>

// Loops that call these are compiled for AVX-512, AVX2 and baseline; one is picked at load time.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
#define CR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CR_CLONES
#endif

namespace cr {

__attribute__((always_inline)) inline double vexp(double x0) {
  // the polynomial runs on [-708, 709] (2^n stays a normal double); NaN passes the comparisons unchanged
  double x = x0 < -708.0 ? -708.0 : x0;
  x = x > 709.0 ? 709.0 : x;
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
  const double y = p * scale;
  return x0 < -708.0 ? 0.0 : x0 > 709.0 ? __builtin_inf() : y;
}

// 1 / (1 + e^-x), without overflow for large |x|
__attribute__((always_inline)) inline double vsigmoid(double d) {
  const double e = vexp(d < 0 ? d : -d);  // exp(-|x|)
  const double s = 1.0 / (1.0 + e);
  return d >= 0 ? s : e * s;
}

__attribute__((always_inline)) inline double vtanh(double d) {
  const double a = d < 0 ? -d : d;
  const double e = vexp(-2.0 * a);
  double t = (1.0 - e) / (1.0 + e);
  t = a < 1e-5 ? a - a * a * a / 3 : t;  // small |x|: the series avoids the cancellation in 1 - e
  return __builtin_copysign(t, d);
}

}  // namespace cr

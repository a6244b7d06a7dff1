// Vectorized exp, sigmoid and tanh for float32 arrays. The work is done in double precision with
// a branch-free exp (Cody-Waite reduction, degree-11 Taylor polynomial, exponent by bit
// arithmetic), so results round to the same float as the TypeScript backend's double-precision
// Math functions in all but rare ties. GCC compiles each loop for AVX-512, AVX2 and baseline and
// picks one at load time (target_clones).
#include <cstdint>
#include <cstring>

#include "common.h"
#include "ops.h"
#include "vmath.h"

// comparisons may not trap here, so the clamps become vector blends instead of branches
#pragma GCC optimize("no-trapping-math")

namespace cr {
namespace {

CR_CLONES void exp_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = float(vexp(double(x[i])));
}

CR_CLONES void sigmoid_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = float(vsigmoid(double(x[i])));
}

CR_CLONES void tanh_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = float(vtanh(double(x[i])));
}

// vectorized: ~1 ns per element, so a pool hand-off only pays off on large arrays
constexpr int64_t kMathGrain = 1 << 15;

}  // namespace

bool unary_f32_fast(int op, const float* x, float* out, int64_t n) {
  void (*f)(const float*, float*, int64_t) = nullptr;
  switch (op) {
    case U_exp: f = exp_f32; break;
    case U_tanh: f = tanh_f32; break;
    case U_sigmoid: f = sigmoid_f32; break;
    default: return false;
  }
  parallel_for(n, kMathGrain, [&](int64_t b, int64_t e) { f(x + b, out + b, e - b); });
  return true;
}

}  // namespace cr

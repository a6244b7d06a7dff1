// AVX2/FMA GEMM: 6 x 2-vector micro-tiles (6x16 float, 6x8 double) in 12 ymm accumulators.
// Compiled with -mavx2 -mfma; only called after a runtime CPU check.
#include <immintrin.h>

#include "gemm.h"

namespace cr {
namespace avx2 {

#include "gemm_driver.h"

// ymm vector traits for VecKernel (gemm_driver.h)
template <typename T>
struct Vec;

template <>
struct Vec<float> {
  typedef __m256 R;
  static constexpr int W = 8, kPrefetch = 0;
  static R zero() { return _mm256_setzero_ps(); }
  static R load(const float* p) { return _mm256_load_ps(p); }
  static R loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, R r) { _mm256_storeu_ps(p, r); }
  static R bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
};

template <>
struct Vec<double> {
  typedef __m256d R;
  static constexpr int W = 4, kPrefetch = 0;
  static R zero() { return _mm256_setzero_pd(); }
  static R load(const double* p) { return _mm256_load_pd(p); }
  static R loadu(const double* p) { return _mm256_loadu_pd(p); }
  static void storeu(double* p, R r) { _mm256_storeu_pd(p, r); }
  static R bcast(const double* p) { return _mm256_broadcast_sd(p); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_pd(a, b, c); }
  static R add(R a, R b) { return _mm256_add_pd(a, b); }
};

template <typename T>
using Kernel = VecKernel<T, Vec<T>, 6>;

}  // namespace avx2

const GemmIsa kGemmAvx2{"avx2", avx2::gemm_entry<float, avx2::Kernel<float>>,
                        avx2::gemm_entry<double, avx2::Kernel<double>>,
                        Blocking{144, 256, 3072, false, avx2::Kernel<float>::MR, avx2::Kernel<float>::NR}, Blocking{72, 256, 1536, false, avx2::Kernel<double>::MR, avx2::Kernel<double>::NR}};

}  // namespace cr

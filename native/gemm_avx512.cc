// AVX-512 GEMM: 12 x 2-vector micro-tiles (12x32 float, 12x16 double) keep 24 zmm accumulators,
// enough independent FMA chains to cover two 512-bit FMA pipes at 4-cycle latency; B is
// prefetched 1 KiB ahead. 8 x 2-vector tiles take the products whose row count they pad less (m = 64,
// 100, 128, 256...: gemm_entry_mr). Compiled with -mavx512f; only called after a runtime CPU check.
#include <immintrin.h>

#include "gemm.h"

namespace cr {
namespace avx512 {

#include "gemm_driver.h"

// zmm vector traits for VecKernel (gemm_driver.h)
template <typename T>
struct Vec;

template <>
struct Vec<float> {
  typedef __m512 R;
  static constexpr int W = 16, kPrefetch = 1024;
  static R zero() { return _mm512_setzero_ps(); }
  static R load(const float* p) { return _mm512_load_ps(p); }
  static R loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, R r) { _mm512_storeu_ps(p, r); }
  static R bcast(const float* p) { return _mm512_set1_ps(*p); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static R add(R a, R b) { return _mm512_add_ps(a, b); }
};

template <>
struct Vec<double> {
  typedef __m512d R;
  static constexpr int W = 8, kPrefetch = 1024;
  static R zero() { return _mm512_setzero_pd(); }
  static R load(const double* p) { return _mm512_load_pd(p); }
  static R loadu(const double* p) { return _mm512_loadu_pd(p); }
  static void storeu(double* p, R r) { _mm512_storeu_pd(p, r); }
  static R bcast(const double* p) { return _mm512_set1_pd(*p); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }
  static R add(R a, R b) { return _mm512_add_pd(a, b); }
};

template <typename T>
using Kernel = VecKernel<T, Vec<T>, 12>;
// 8-row tiles for products whose m 12-row tiles would pad more (gemm_entry_mr)
template <typename T>
using Kernel8 = VecKernel<T, Vec<T>, 8>;

}  // namespace avx512

// mc stays a multiple of 24, whole tiles of either kernel
const GemmIsa kGemmAvx512{"avx512", avx512::gemm_entry_mr<float, avx512::Kernel<float>, avx512::Kernel8<float>>,
                          avx512::gemm_entry_mr<double, avx512::Kernel<double>, avx512::Kernel8<double>>,
                          Blocking{192, 384, 3072, false, 24, avx512::Kernel<float>::NR}, Blocking{96, 384, 1536, false, 24, avx512::Kernel<double>::NR}};

}  // namespace cr

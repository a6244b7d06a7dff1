// AVX2/FMA GEMM: 6x16 (float) and 6x8 (double) micro-kernels with 12 ymm accumulators.
// Compiled with -mavx2 -mfma; only called after a runtime CPU check.
#include <immintrin.h>

#include "gemm.h"

namespace cr {
namespace avx2 {

#include "gemm_driver.h"

#define CR_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)

struct SKernel {
  enum { MR = 6, NR = 16 };
  static void run(int64_t kc, const float* __restrict A, const float* __restrict B, float* C, int64_t ldc, bool acc) {
#define DECL(i) __m256 c##i##a = _mm256_setzero_ps(), c##i##b = _mm256_setzero_ps();
    CR_ROWS(DECL)
#undef DECL
    for (int64_t p = 0; p < kc; p++) {
      const __m256 b0 = _mm256_load_ps(B);
      const __m256 b1 = _mm256_load_ps(B + 8);
#define STEP(i)                                    \
  {                                                \
    const __m256 a = _mm256_broadcast_ss(A + i);   \
    c##i##a = _mm256_fmadd_ps(a, b0, c##i##a);     \
    c##i##b = _mm256_fmadd_ps(a, b1, c##i##b);     \
  }
      CR_ROWS(STEP)
#undef STEP
      A += 6;
      B += 16;
    }
#define STORE(i)                                                      \
  {                                                                   \
    float* r = C + (i) * ldc;                                         \
    if (acc) {                                                        \
      c##i##a = _mm256_add_ps(c##i##a, _mm256_loadu_ps(r));           \
      c##i##b = _mm256_add_ps(c##i##b, _mm256_loadu_ps(r + 8));       \
    }                                                                 \
    _mm256_storeu_ps(r, c##i##a);                                     \
    _mm256_storeu_ps(r + 8, c##i##b);                                 \
  }
    CR_ROWS(STORE)
#undef STORE
  }
};

struct DKernel {
  enum { MR = 6, NR = 8 };
  static void run(int64_t kc, const double* __restrict A, const double* __restrict B, double* C, int64_t ldc, bool acc) {
#define DECL(i) __m256d c##i##a = _mm256_setzero_pd(), c##i##b = _mm256_setzero_pd();
    CR_ROWS(DECL)
#undef DECL
    for (int64_t p = 0; p < kc; p++) {
      const __m256d b0 = _mm256_load_pd(B);
      const __m256d b1 = _mm256_load_pd(B + 4);
#define STEP(i)                                    \
  {                                                \
    const __m256d a = _mm256_broadcast_sd(A + i);  \
    c##i##a = _mm256_fmadd_pd(a, b0, c##i##a);     \
    c##i##b = _mm256_fmadd_pd(a, b1, c##i##b);     \
  }
      CR_ROWS(STEP)
#undef STEP
      A += 6;
      B += 8;
    }
#define STORE(i)                                                      \
  {                                                                   \
    double* r = C + (i) * ldc;                                        \
    if (acc) {                                                        \
      c##i##a = _mm256_add_pd(c##i##a, _mm256_loadu_pd(r));           \
      c##i##b = _mm256_add_pd(c##i##b, _mm256_loadu_pd(r + 4));       \
    }                                                                 \
    _mm256_storeu_pd(r, c##i##a);                                     \
    _mm256_storeu_pd(r + 4, c##i##b);                                 \
  }
    CR_ROWS(STORE)
#undef STORE
  }
};

#undef CR_ROWS

}  // namespace avx2

Blocking sgemm_avx2_blocking() { return Blocking{144, 256, 3072, false}; }
Blocking dgemm_avx2_blocking() { return Blocking{72, 256, 1536, false}; }

void sgemm_avx2(const GemmArgs<float>& g, int nthreads, int slot, const Blocking& bl) {
  avx2::gemm_entry<float, avx2::SKernel>(g, nthreads, slot, bl);
}
void dgemm_avx2(const GemmArgs<double>& g, int nthreads, int slot, const Blocking& bl) {
  avx2::gemm_entry<double, avx2::DKernel>(g, nthreads, slot, bl);
}

}  // namespace cr

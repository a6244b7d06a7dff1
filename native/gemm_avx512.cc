// AVX-512 GEMM: 12x32 (float) and 12x16 (double) micro-kernels keep 24 zmm accumulators, enough
// independent FMA chains to cover two 512-bit FMA pipes at 4-cycle latency. Compiled with
// -mavx512f; only called after a runtime CPU check.
#include <immintrin.h>

#include "gemm.h"

namespace cr {
namespace avx512 {

#include "gemm_driver.h"

#define CR_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

struct SKernel {
  enum { MR = 12, NR = 32 };
  static void run(int64_t kc, const float* __restrict A, const float* __restrict B, float* C, int64_t ldc, bool acc) {
#define DECL(i) __m512 c##i##a = _mm512_setzero_ps(), c##i##b = _mm512_setzero_ps();
    CR_ROWS(DECL)
#undef DECL
    for (int64_t p = 0; p < kc; p++) {
      const __m512 b0 = _mm512_load_ps(B);
      const __m512 b1 = _mm512_load_ps(B + 16);
      _mm_prefetch(reinterpret_cast<const char*>(B + 256), _MM_HINT_T0);
#define STEP(i)                                    \
  {                                                \
    const __m512 a = _mm512_set1_ps(A[i]);         \
    c##i##a = _mm512_fmadd_ps(a, b0, c##i##a);     \
    c##i##b = _mm512_fmadd_ps(a, b1, c##i##b);     \
  }
      CR_ROWS(STEP)
#undef STEP
      A += 12;
      B += 32;
    }
#define STORE(i)                                                      \
  {                                                                   \
    float* r = C + (i) * ldc;                                         \
    if (acc) {                                                        \
      c##i##a = _mm512_add_ps(c##i##a, _mm512_loadu_ps(r));           \
      c##i##b = _mm512_add_ps(c##i##b, _mm512_loadu_ps(r + 16));      \
    }                                                                 \
    _mm512_storeu_ps(r, c##i##a);                                     \
    _mm512_storeu_ps(r + 16, c##i##b);                                \
  }
    CR_ROWS(STORE)
#undef STORE
  }
};

struct DKernel {
  enum { MR = 12, NR = 16 };
  static void run(int64_t kc, const double* __restrict A, const double* __restrict B, double* C, int64_t ldc, bool acc) {
#define DECL(i) __m512d c##i##a = _mm512_setzero_pd(), c##i##b = _mm512_setzero_pd();
    CR_ROWS(DECL)
#undef DECL
    for (int64_t p = 0; p < kc; p++) {
      const __m512d b0 = _mm512_load_pd(B);
      const __m512d b1 = _mm512_load_pd(B + 8);
      _mm_prefetch(reinterpret_cast<const char*>(B + 128), _MM_HINT_T0);
#define STEP(i)                                    \
  {                                                \
    const __m512d a = _mm512_set1_pd(A[i]);        \
    c##i##a = _mm512_fmadd_pd(a, b0, c##i##a);     \
    c##i##b = _mm512_fmadd_pd(a, b1, c##i##b);     \
  }
      CR_ROWS(STEP)
#undef STEP
      A += 12;
      B += 16;
    }
#define STORE(i)                                                      \
  {                                                                   \
    double* r = C + (i) * ldc;                                        \
    if (acc) {                                                        \
      c##i##a = _mm512_add_pd(c##i##a, _mm512_loadu_pd(r));           \
      c##i##b = _mm512_add_pd(c##i##b, _mm512_loadu_pd(r + 8));       \
    }                                                                 \
    _mm512_storeu_pd(r, c##i##a);                                     \
    _mm512_storeu_pd(r + 8, c##i##b);                                 \
  }
    CR_ROWS(STORE)
#undef STORE
  }
};

#undef CR_ROWS

}  // namespace avx512

Blocking sgemm_avx512_blocking() { return Blocking{192, 384, 3072, false}; }
Blocking dgemm_avx512_blocking() { return Blocking{96, 384, 1536, false}; }

void sgemm_avx512(const GemmArgs<float>& g, int nthreads, int slot, const Blocking& bl) {
  avx512::gemm_entry<float, avx512::SKernel>(g, nthreads, slot, bl);
}
void dgemm_avx512(const GemmArgs<double>& g, int nthreads, int slot, const Blocking& bl) {
  avx512::gemm_entry<double, avx512::DKernel>(g, nthreads, slot, bl);
}

}  // namespace cr

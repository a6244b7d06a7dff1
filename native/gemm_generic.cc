// Portable GEMM: a 4x8 micro-kernel in plain C++ that the compiler vectorizes for the baseline
// instruction set (SSE2 on x86-64, NEON on arm64).
#include "gemm.h"

namespace cr {
namespace generic {

#include "gemm_driver.h"

template <typename T>
struct Kernel {
  enum { MR = 4, NR = 8 };
  static void run(int64_t kc, const T* __restrict A, const T* __restrict B, T* C, int64_t ldc, bool acc) {
    T c[MR][NR];
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) c[i][j] = T(0);
    for (int64_t p = 0; p < kc; p++) {
      for (int i = 0; i < MR; i++) {
        const T a = A[i];
        for (int j = 0; j < NR; j++) c[i][j] += a * B[j];
      }
      A += MR;
      B += NR;
    }
    for (int i = 0; i < MR; i++) {
      T* r = C + i * ldc;
      if (acc) {
        for (int j = 0; j < NR; j++) r[j] += c[i][j];
      } else {
        for (int j = 0; j < NR; j++) r[j] = c[i][j];
      }
    }
  }
};

}  // namespace generic

Blocking sgemm_generic_blocking() { return Blocking{128, 256, 2048, false}; }
Blocking dgemm_generic_blocking() { return Blocking{64, 256, 1024, false}; }

void sgemm_generic(const GemmArgs<float>& g, int nthreads, int slot, const Blocking& bl) {
  generic::gemm_entry<float, generic::Kernel<float>>(g, nthreads, slot, bl);
}
void dgemm_generic(const GemmArgs<double>& g, int nthreads, int slot, const Blocking& bl) {
  generic::gemm_entry<double, generic::Kernel<double>>(g, nthreads, slot, bl);
}

}  // namespace cr

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

const GemmIsa kGemmGeneric{"generic", generic::gemm_entry<float, generic::Kernel<float>>,
                           generic::gemm_entry<double, generic::Kernel<double>>,
                           Blocking{128, 256, 2048, false, generic::Kernel<float>::MR, generic::Kernel<float>::NR}, Blocking{64, 256, 1024, false, generic::Kernel<double>::MR, generic::Kernel<double>::NR}};

}  // namespace cr

// Stand-alone GEMM checker and microbenchmark (not part of the addon). Build from the repo root:
//   F="-O3 -fno-math-errno -ffp-contract=off -std=gnu++17 -pthread -DCR_X86_KERNELS -Inative"  (as binding.gyp)
//   g++ $F -c native/pool.cc native/gemm.cc native/gemm_generic.cc native/bench_gemm.cc
//   g++ $F -mavx2 -mfma -ffp-contract=fast -c native/gemm_avx2.cc
//   g++ $F -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma -ffp-contract=fast -c native/gemm_avx512.cc
//   g++ -pthread *.o -o bench_gemm && ./bench_gemm [--isa avx512|avx2|generic] [sizes...]
// Checks every transpose combination against a naive product (prints MISMATCH on failure), then
// prints the best GFLOP/s over several runs. Env: CHAINRULE_NUM_THREADS, CHAINRULE_GEMM_BLOCKING,
// BENCH_CPU_TIME=1 (process CPU time instead of wall time).
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "matmul.h"

using namespace cr;

template <typename T>
double check(int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  std::vector<T> a(m * k), b(k * n), c(m * n);
  for (auto& v : a) v = T(rand() % 1000) / 500 - 1;
  for (auto& v : b) v = T(rand() % 1000) / 500 - 1;
  MatmulSpec s{1, m, n, k, ta, tb, 0, 0};
  matmul(sizeof(T) == 4 ? F32 : F64, a.data(), b.data(), c.data(), s);
  double err = 0;
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      double r = 0;
      for (int64_t p = 0; p < k; p++) {
        double av = ta ? a[p * m + i] : a[i * k + p];
        double bv = tb ? b[j * k + p] : b[p * n + j];
        r += av * bv;
      }
      err = std::fmax(err, std::fabs(r - c[i * n + j]));
    }
  return err;
}

// CPU time of the whole process: robust against other processes sharing the machine, and equal
// to wall time times threads when the pool keeps every thread busy.
static double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static bool use_cpu_time = getenv("BENCH_CPU_TIME") != nullptr;

template <typename T>
double gflops(int64_t n, int reps) {
  std::vector<T> a(n * n, T(0.5)), b(n * n, T(0.25)), c(n * n);
  MatmulSpec s{1, n, n, n, false, false, 0, 0};
  DType t = sizeof(T) == 4 ? F32 : F64;
  matmul(t, a.data(), b.data(), c.data(), s);
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_now();
    matmul(t, a.data(), b.data(), c.data(), s);
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (use_cpu_time) dt = (cpu_now() - c0) / pool_size();
    if (dt < best) best = dt;
  }
  return 2.0 * n * n * n / best / 1e9;
}

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--isa") == 0 && i + 1 < argc) {
      if (!gemm_set_isa(argv[++i])) {
        fprintf(stderr, "ISA %s is not available here\n", argv[i]);
        return 1;
      }
    } else {
      sizes.push_back(atoi(argv[i]));
    }
  }
  printf("isa %s threads %d\n", gemm_isa(), pool_size());
  int shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {13, 33, 17}, {100, 70, 300}, {257, 129, 513}, {3, 1000, 40}, {50, 1, 60}};
  for (auto& sh : shapes)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        double e1 = check<float>(sh[0], sh[1], sh[2], ta, tb), e2 = check<double>(sh[0], sh[1], sh[2], ta, tb);
        if (e1 > 1e-3 * sh[2] || e2 > 1e-10 * sh[2]) printf("MISMATCH %d %d %d ta=%d tb=%d: %g %g\n", sh[0], sh[1], sh[2], ta, tb, e1, e2);
      }
  if (sizes.empty()) sizes = {256, 512, 1024, 2048};
  for (int n : sizes) {
    int reps = n >= 2048 ? 5 : n >= 1024 ? 40 : 100;
    printf("n=%5d  sgemm %7.1f GFLOP/s  dgemm %7.1f GFLOP/s\n", n, gflops<float>(n, reps), gflops<double>(n, reps));
  }
}

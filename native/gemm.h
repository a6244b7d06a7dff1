// GEMM entry points. C[m x n] (+)= op(A) @ op(B) where element (i, p) of A is a[i*a_rs + p*a_cs],
// element (p, j) of B is b[p*b_rs + j*b_cs] and element (i, j) of C is c[i*ldc + j*c_cs].
#pragma once
#include <cstddef>
#include <cstdint>

namespace cr {

template <typename T>
struct GemmArgs {
  const T* a;
  const T* b;
  T* c;
  int64_t m, n, k;
  int64_t a_rs, a_cs, b_rs, b_cs, ldc;
  int64_t c_cs = 1;         // C column stride; non-unit strides go through the partial-tile path
  bool accumulate = false;  // C += A B instead of C = A B
  // Optional offset tables replacing a stride: row i of A starts at a + a_ro[i] instead of
  // a + i*a_rs, and so on (a_co: columns of A, b_ro: rows of B, b_co: columns of B). A dimension
  // that is two nested ones (a kernel tap inside a channel) becomes one GEMM dimension this way.
  const int32_t* a_ro = nullptr;
  const int32_t* a_co = nullptr;
  const int32_t* b_ro = nullptr;
  const int32_t* b_co = nullptr;
  // Nonzero: a token shared by products of one batched call that read the same A (same data, strides
  // and tables, not written meanwhile). A thread that runs several of them packs A once, on the first,
  // and reuses the packed blocks for the others (gemm_driver.h, packed_gemm).
  uint64_t a_reuse = 0;
};

// Cache blocking of the packed path (rows of A per block, depth, columns of B per block).
struct Blocking {
  int64_t mc, kc, nc;
  bool a_in_l1;  // loop order: keep the A micro-panel (true) or the B micro-panel (false) in L1
  int64_t mr = 1, nr = 1;  // the micro-tile (mc and nc stay multiples of it when scaled)
};

// Data cache bytes per core (l3: its share per core), 0 where unknown; detected once (gemm.cc).
struct CacheSizes {
  int64_t l1, l2, l3;
};
CacheSizes gemm_caches();
// The blocking in use for float (f64 false) or double products of the selected ISA.
Blocking gemm_blocking(bool f64);

// The micro-tile row count to force where an ISA has two (0: choose per product); starts from
// CHAINRULE_GEMM_MR, set by the addon's gemmRowTile (for measuring and tests).
int gemm_forced_mr();
void gemm_set_forced_mr(int mr);
// Whether batched calls hand out a_reuse tokens (default true; off for measuring).
void gemm_set_reuse_a(bool on);

// 64-byte aligned scratch that lives for the whole process, grown on demand (gemm.cc).
// Slots 0..255 hold packed A per thread, 256..511 packed B, 512..767 the whole packed A that a
// thread reuses across a batch (a_reuse).
void* gemm_scratch(int slot, size_t bytes);
constexpr int kScratchB = 256;
constexpr int kScratchAReuse = 512;
// The largest packed A kept for reuse across a batch, per thread.
constexpr double kAReuseBytes = 4.0 * (1 << 20);

// One instruction set's GEMM: drivers for float and double (nthreads > 1 runs on the pool; with
// nthreads == 1 the call uses the scratch of thread `slot`, so that several single-threaded GEMMs
// can run side by side) and their default cache blocking. Each gemm_<isa>.cc defines one.
struct GemmIsa {
  const char* name;
  void (*s)(const GemmArgs<float>& g, int nthreads, int slot, const Blocking& bl);
  void (*d)(const GemmArgs<double>& g, int nthreads, int slot, const Blocking& bl);
  Blocking sb, db;
};
extern const GemmIsa kGemmAvx512, kGemmAvx2, kGemmGeneric;

// One product on the calling thread with the selected ISA, packing into the scratch of `slot` (a
// pool thread's tid): the building block of kernels that run their own loop over tiles.
template <typename T>
void gemm_tile(const GemmArgs<T>& g, int slot);

// Runs fn(ctx, chunk, n, tid) for chunk = 0..n-1 on the pool (see pool_run in common.h),
// re-declared here so ISA files need no other header.
typedef void (*GemmPoolFn)(void* ctx, int chunk, int n, int tid);
void gemm_pool_run(int n, GemmPoolFn fn, void* ctx);

}  // namespace cr

// Batched matmul on top of the per-ISA GEMM drivers: runtime CPU detection, scratch buffers,
// and the choice between threading inside one product or across a batch.
#include "gemm.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common.h"
#include "matmul.h"

namespace cr {

namespace {

// CR_X86_KERNELS: the AVX2 and AVX-512 files were compiled (x86-64 builds, see binding.gyp)
GemmIsa make_isa(int which) {
#ifdef CR_X86_KERNELS
  if (which == 2) return kGemmAvx512;
  if (which == 1) return kGemmAvx2;
#endif
  (void)which;
  return kGemmGeneric;
}

int best_isa() {
#ifdef CR_X86_KERNELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
  return 0;
}

// Overrides for tuning: CHAINRULE_GEMM_BLOCKING="mc,kc,nc[,a_in_l1]" (float) for the selected ISA
// (after the scaling to the cache sizes).
void apply_env_blocking(GemmIsa& isa) {
  const char* env = getenv("CHAINRULE_GEMM_BLOCKING");
  if (!env) return;
  long mc = 0, kc = 0, nc = 0, order = 0;
  char* end = nullptr;
  mc = strtol(env, &end, 10);
  if (*end == ',') kc = strtol(end + 1, &end, 10);
  if (*end == ',') nc = strtol(end + 1, &end, 10);
  if (*end == ',') order = strtol(end + 1, &end, 10);
  if (mc > 0 && kc > 0 && nc > 0) isa.sb = Blocking{mc, kc, nc, order != 0, isa.sb.mr, isa.sb.nr};
}

// The data cache sizes of this machine, per core (the last level: its share per core that uses it),
// from Linux's sysfs, else sysconf; 0 where unknown.
// CHAINRULE_GEMM_CACHES="l1,l2,l3" (bytes per core) overrides the detection (containers that hide sysfs).
CacheSizes detect_caches() {
  CacheSizes c{0, 0, 0};
  if (const char* env = getenv("CHAINRULE_GEMM_CACHES")) {
    char* end = nullptr;
    c.l1 = strtoll(env, &end, 10);
    if (*end == ',') c.l2 = strtoll(end + 1, &end, 10);
    if (*end == ',') c.l3 = strtoll(end + 1, &end, 10);
    if (c.l1 > 0 && c.l2 > 0 && c.l3 > 0) return c;
    c = CacheSizes{0, 0, 0};
  }
  for (int idx = 0; idx < 8; idx++) {
    char path[96], buf[64];
    auto read = [&](const char* leaf) -> bool {
      snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/%s", idx, leaf);
      FILE* f = fopen(path, "r");
      if (!f) return false;
      const bool ok = fgets(buf, sizeof buf, f) != nullptr;
      fclose(f);
      return ok;
    };
    if (!read("level")) break;
    const int level = atoi(buf);
    if (!read("type") || strncmp(buf, "Instruction", 11) == 0) continue;
    if (!read("size")) continue;
    char* end = nullptr;
    int64_t bytes = strtoll(buf, &end, 10);
    if (*end == 'K') bytes <<= 10;
    else if (*end == 'M') bytes <<= 20;
    // cpus sharing it: count the entries of shared_cpu_list ("0-1,4")
    int64_t sharing = 1;
    if (read("shared_cpu_list")) {
      sharing = 0;
      for (char* q = buf; *q && *q != '\n';) {
        long a = strtol(q, &q, 10), b = a;
        if (*q == '-') b = strtol(q + 1, &q, 10);
        sharing += b - a + 1;
        if (*q == ',') q++;
      }
      if (sharing < 1) sharing = 1;
    }
    if (level == 1) c.l1 = bytes;  // L1 and L2: per core
    if (level == 2) c.l2 = bytes;
    if (level == 3) c.l3 = bytes / sharing;
  }
#ifdef _SC_LEVEL1_DCACHE_SIZE
  if (c.l1 <= 0) c.l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
  if (c.l2 <= 0) c.l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  if (c.l1 < 0) c.l1 = 0;
  if (c.l2 < 0) c.l2 = 0;
  return c;
}

const CacheSizes& caches() {
  static const CacheSizes c = detect_caches();
  return c;
}

// The ISAs' default blocking was tuned on a part with 32 KiB of L1d and 1 MiB of L2 per core and
// 16 MiB of L3 per core: kc follows L1 (the B micro-panel's depth), mc the L2 left for the A block
// at that depth and nc the L3 for the B block, each rescaled by at most 4x either way and kept a
// multiple of the micro-tile.
Blocking scaled(const Blocking& b, const CacheSizes& c) {
  auto ratio = [](int64_t have, double ref) {
    if (have <= 0) return 1.0;
    double r = double(have) / ref;
    return r < 0.25 ? 0.25 : r > 4 ? 4 : r;
  };
  auto round_to = [](double v, int64_t unit, int64_t lo) {
    int64_t n = int64_t(v / double(unit) + 0.5) * unit;
    return n < lo ? lo : n;
  };
  Blocking s = b;
  s.kc = round_to(double(b.kc) * ratio(c.l1, 32768), 16, 64);
  const double depth = double(b.kc) / double(s.kc);
  s.mc = round_to(double(b.mc) * ratio(c.l2, 1 << 20) * depth, b.mr, b.mr);
  s.nc = round_to(double(b.nc) * ratio(c.l3, 16 << 20) * depth, b.nr, b.nr);
  return s;
}

GemmIsa with_blocking(int which) {
  GemmIsa i = make_isa(which);
  i.sb = scaled(i.sb, caches());
  i.db = scaled(i.db, caches());
  apply_env_blocking(i);
  return i;
}

GemmIsa& current() {
  static GemmIsa isa = with_blocking(best_isa());
  return isa;
}

struct Scratch {
  void* p = nullptr;
  size_t size = 0;
};
Scratch scratch[3 * kScratchB];

}  // namespace

void* gemm_scratch(int slot, size_t bytes) {
  Scratch& s = scratch[slot];
  if (s.size < bytes) {
    free(s.p);
    size_t sz = (bytes + 4095) & ~size_t(4095);
    s.p = aligned_alloc(64, sz);
    if (!s.p) abort();
    s.size = sz;
  }
  return s.p;
}

void gemm_pool_run(int n, GemmPoolFn fn, void* ctx) { pool_run(n, fn, ctx); }

namespace {
std::atomic<bool> g_reuse_a{true};
std::atomic<int> g_forced_mr{[] {
  const char* e = getenv("CHAINRULE_GEMM_MR");
  return e ? atoi(e) : 0;
}()};
}  // namespace

int gemm_forced_mr() { return g_forced_mr.load(std::memory_order_relaxed); }

void gemm_set_reuse_a(bool on) { g_reuse_a.store(on, std::memory_order_relaxed); }

void gemm_set_forced_mr(int mr) { g_forced_mr.store(mr < 0 ? 0 : mr, std::memory_order_relaxed); }

const char* gemm_isa() { return current().name; }

Blocking gemm_blocking(bool f64) { return f64 ? current().db : current().sb; }

CacheSizes gemm_caches() { return caches(); }

bool gemm_set_isa(const char* name) {
  int want = strcmp(name, "avx512") == 0 ? 2 : strcmp(name, "avx2") == 0 ? 1 : strcmp(name, "generic") == 0 ? 0 : -1;
  if (want < 0 || want > best_isa()) return false;
  current() = with_blocking(want);
  return true;
}

namespace {

template <typename T>
void run_one(const GemmArgs<T>& g, int nthreads, int slot);

template <>
void run_one<float>(const GemmArgs<float>& g, int nthreads, int slot) {
  current().s(g, nthreads, slot, current().sb);
}
template <>
void run_one<double>(const GemmArgs<double>& g, int nthreads, int slot) {
  current().d(g, nthreads, slot, current().db);
}

template <typename T>
struct BatchJob {
  const T* a;
  const T* b;
  T* c;
  const MatmulSpec* s;
};

template <typename T>
GemmArgs<T> args_for(const T* a, const T* b, T* c, const MatmulSpec& s, int64_t t) {
  GemmArgs<T> g;
  g.a = a + t * s.stride_a;
  g.b = b + t * s.stride_b;
  g.c = c + t * s.m * s.n;
  g.m = s.m;
  g.n = s.n;
  g.k = s.k;
  g.a_rs = s.trans_a ? 1 : s.k;
  g.a_cs = s.trans_a ? s.m : 1;
  g.b_rs = s.trans_b ? 1 : s.n;
  g.b_cs = s.trans_b ? s.k : 1;
  g.ldc = s.n;
  return g;
}

template <typename T>
void batch_worker(void* ctx, int chunk, int nt, int tid) {
  BatchJob<T>* j = static_cast<BatchJob<T>*>(ctx);
  const int64_t b0 = j->s->batch * chunk / nt, b1 = j->s->batch * (chunk + 1) / nt;
  for (int64_t t = b0; t < b1; t++) run_one<T>(args_for<T>(j->a, j->b, j->c, *j->s, t), 1, tid);
}

// Products below this many multiply-adds run on one thread (measured: bench/gemm-threads.ts, whose
// results are in bench/results/gemm-threads.txt); CHAINRULE_GEMM_THREAD_WORK overrides it.
const double kThreadWork = [] {
  const char* env = getenv("CHAINRULE_GEMM_THREAD_WORK");
  return env && *env ? strtod(env, nullptr) : 96.0 * 96 * 96;
}();

template <typename T>
void matmul_t(const T* a, const T* b, T* c, const MatmulSpec& s) {
  if (s.batch == 0 || s.m == 0 || s.n == 0) return;
  if (s.k == 0) {
    memset(c, 0, sizeof(T) * size_t(s.batch * s.m * s.n));
    return;
  }
  const double work = double(s.m) * double(s.n) * double(s.k);
  const int threads = pool_size();
  if (threads > 1 && s.batch > 1 && work < 4 * kThreadWork && work * double(s.batch) >= kThreadWork) {
    BatchJob<T> job{a, b, c, &s};
    int nt = s.batch < threads ? int(s.batch) : threads;
    pool_run(nt, batch_worker<T>, &job);
    return;
  }
  const int nt = work >= kThreadWork ? threads : 1;
  for (int64_t t = 0; t < s.batch; t++) run_one<T>(args_for<T>(a, b, c, s, t), nt, 0);
}

}  // namespace

template <typename T>
void gemm_tile(const GemmArgs<T>& g, int slot) {
  run_one<T>(g, 1, slot);
}
template void gemm_tile<float>(const GemmArgs<float>& g, int slot);
template void gemm_tile<double>(const GemmArgs<double>& g, int slot);

namespace {

// ---- strided batched GEMM -------------------------------------------------------------

template <typename T>
GemmArgs<T> strided_args(const T* a, const T* b, T* c, const GemmSpec& s, int64_t t) {
  GemmArgs<T> g;
  g.a = a + s.a.off + t * s.a.batch;
  g.b = b + s.b.off + t * s.b.batch;
  g.c = c + s.c.off + (s.sum_batch ? 0 : t * s.c.batch);
  g.m = s.m;
  g.n = s.n;
  g.k = s.k;
  g.a_rs = s.a.row;
  g.a_cs = s.a.col;
  g.b_rs = s.b.row;
  g.b_cs = s.b.col;
  g.ldc = s.c.row;
  g.c_cs = s.c.col;
  g.accumulate = s.accumulate;
  g.a_ro = s.a.rows;
  g.a_co = s.a.cols;
  g.b_ro = s.b.rows;
  g.b_co = s.b.cols;
  return g;
}

// The batch is cut into `groups` fixed runs of entries that threads claim one at a time, so a
// thread that is descheduled on a busy machine holds up no more than one run. With sum_batch each
// run sums its entries into its own contiguous m x n partial, and the partials are added into C in
// run order afterwards: the result does not depend on which thread ran what.
template <typename T>
struct StridedJob {
  const T* a;
  const T* b;
  T* c;
  const GemmSpec* s;
  T* partial;
  int64_t groups;
  uint64_t a_reuse;
  std::atomic<int64_t> next{0};
};

// A fresh token for the products of one call that share A (GemmArgs::a_reuse), 0 where they do not.
uint64_t reuse_token(const GemmSpec& s) {
  static std::atomic<uint64_t> last{0};
  return s.a.batch == 0 && s.batch > 1 && g_reuse_a.load(std::memory_order_relaxed) ? ++last : 0;
}

template <typename T>
void strided_worker(void* ctx, int, int, int tid) {
  StridedJob<T>* j = static_cast<StridedJob<T>*>(ctx);
  const GemmSpec& s = *j->s;
  for (int64_t grp = j->next++; grp < j->groups; grp = j->next++) {
    const int64_t b0 = s.batch * grp / j->groups, b1 = s.batch * (grp + 1) / j->groups;
    for (int64_t t = b0; t < b1; t++) {
      GemmArgs<T> g = strided_args<T>(j->a, j->b, j->c, s, t);
      g.a_reuse = j->a_reuse;
      if (j->partial) {
        g.c = j->partial + grp * s.m * s.n;
        g.ldc = s.n;
        g.c_cs = 1;
        g.accumulate = t > b0;
      }
      run_one<T>(g, 1, tid);
    }
  }
}

// C = 0 (unless accumulating): the product of an empty depth or an empty batch sum.
template <typename T>
void strided_zero(T* c, const GemmSpec& s) {
  if (s.accumulate) return;
  const int64_t mats = s.sum_batch ? 1 : s.batch;
  for (int64_t t = 0; t < mats; t++)
    for (int64_t i = 0; i < s.m; i++) {
      T* row = c + s.c.off + t * s.c.batch + i * s.c.row;
      for (int64_t j = 0; j < s.n; j++) row[j * s.c.col] = T(0);
    }
}

template <typename T>
void gemm_t(const T* a, const T* b, T* c, const GemmSpec& s) {
  if (s.m == 0 || s.n == 0) return;
  if (s.k == 0 || s.batch == 0) {
    if (s.batch > 0 || s.sum_batch) strided_zero<T>(c, s);
    return;
  }
  const double work = double(s.m) * double(s.n) * double(s.k);
  const int threads = pool_size();
  if (threads > 1 && s.batch > 1 && work * double(s.batch) >= kThreadWork && (s.batch >= threads || work < 4 * kThreadWork)) {
    // whole products per thread, one thread each
    const int nt = s.batch < threads ? int(s.batch) : threads;
    const int64_t groups = s.batch < 4 * nt ? s.batch : 4 * nt;
    T* partial = nullptr;
    if (s.sum_batch) {
      partial = static_cast<T*>(malloc(sizeof(T) * size_t(groups) * size_t(s.m * s.n)));
      if (!partial) abort();
    }
    StridedJob<T> job{a, b, c, &s, partial, groups, reuse_token(s)};
    pool_run(nt, strided_worker<T>, &job);
    if (partial) {
      const int64_t mn = s.m * s.n;
      parallel_for(s.m, 16, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; i++) {
          T* row = c + s.c.off + i * s.c.row;
          for (int64_t j = 0; j < s.n; j++) {
            T sum = partial[i * s.n + j];
            for (int64_t grp = 1; grp < groups; grp++) sum += partial[grp * mn + i * s.n + j];
            row[j * s.c.col] = s.accumulate ? row[j * s.c.col] + sum : sum;
          }
        }
      });
      free(partial);
    }
    return;
  }
  // one product at a time, threaded inside when it is large enough; a batch sum accumulates in C
  const int nt = work >= kThreadWork ? threads : 1;
  const uint64_t token = nt == 1 ? reuse_token(s) : 0;
  for (int64_t t = 0; t < s.batch; t++) {
    GemmArgs<T> g = strided_args<T>(a, b, c, s, t);
    g.a_reuse = token;
    if (s.sum_batch && t > 0) g.accumulate = true;
    run_one<T>(g, nt, 0);
  }
}

}  // namespace

void gemm(DType t, const void* a, const void* b, void* c, const GemmSpec& s) {
  if (t == F32) gemm_t<float>(static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(c), s);
  else gemm_t<double>(static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(c), s);
}

void matmul(DType t, const void* a, const void* b, void* c, const MatmulSpec& s) {
  if (t == F32) matmul_t<float>(static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(c), s);
  else matmul_t<double>(static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(c), s);
}

}  // namespace cr

// The size-class pool of tensor storage (storage.h).
#include "storage.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace cr {

namespace {

// Class of a request: four sizes per power of two (at most 25% slack); index and class bytes.
constexpr int kClasses = 4 * 64;

inline int class_of(size_t bytes, size_t* cls) {
  if (bytes <= 64) {
    *cls = 64;
    return 0;
  }
  const size_t s = bytes - 1;
  const int e = 63 - __builtin_clzll(s);  // >= 6
  const int m = int((s >> (e - 2)) & 3);
  *cls = size_t(4 + m + 1) << (e - 2);
  return 4 * e + m;
}

struct Pool {
  std::mutex mu;
  std::vector<void*> free_list[kClasses];
  uint64_t live = 0, cached = 0, cap = 0, reused = 0, fresh = 0;
  Pool() {
    const char* env = getenv("CHAINRULE_STORAGE_POOL_MB");
    long mb = env ? strtol(env, nullptr, 10) : 512;
    cap = mb > 0 ? uint64_t(mb) << 20 : 0;
  }
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: V8 may free buffers during process teardown
  return *p;
}

}  // namespace

void* storage_take(size_t bytes, bool zero, size_t* cls) {
  Pool& P = pool();
  const int c = class_of(bytes, cls);
  void* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(P.mu);
    std::vector<void*>& fl = P.free_list[c];
    if (!fl.empty()) {
      p = fl.back();
      fl.pop_back();
      P.cached -= *cls;
      P.reused++;
    } else {
      P.fresh++;
    }
    P.live += *cls;
  }
  if (p) {
    if (zero) memset(p, 0, bytes);
    return p;
  }
  // fresh memory from the system, zeroed here (which faults its pages in once)
  p = aligned_alloc(64, *cls);
  if (!p) {
    std::lock_guard<std::mutex> lock(P.mu);
    P.live -= *cls;
    return nullptr;
  }
  memset(p, 0, bytes);
  return p;
}

void storage_give(void* p, size_t cls) {
  Pool& P = pool();
  size_t ignored;
  const int c = class_of(cls, &ignored);
  {
    std::lock_guard<std::mutex> lock(P.mu);
    P.live -= cls;
    if (P.cached + cls <= P.cap) {
      P.free_list[c].push_back(p);
      P.cached += cls;
      return;
    }
  }
  free(p);
}

StorageStats storage_stats() {
  Pool& P = pool();
  std::lock_guard<std::mutex> lock(P.mu);
  return StorageStats{P.live, P.cached, P.cap, P.reused, P.fresh};
}

void storage_trim() {
  Pool& P = pool();
  std::vector<void*> all;
  {
    std::lock_guard<std::mutex> lock(P.mu);
    for (auto& fl : P.free_list) {
      all.insert(all.end(), fl.begin(), fl.end());
      fl.clear();
    }
    P.cached = 0;
  }
  for (void* p : all) free(p);
}

}  // namespace cr

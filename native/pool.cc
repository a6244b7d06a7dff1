// A persistent pool of worker threads. The calling thread takes part as thread 0; workers spin
// briefly after each job (NN training issues many kernels back to back) and then sleep on a
// condition variable. Size: the number of online CPUs, or CHAINRULE_NUM_THREADS.
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "common.h"

namespace cr {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

constexpr int kMaxThreads = 256;

struct Pool {
  int size = 1;      // threads used by a job, including the caller
  int started = 0;   // workers created so far (1..started-? are live)
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  std::atomic<bool> busy{false};
  PoolFn fn = nullptr;
  void* ctx = nullptr;
  int njobs = 0;
  std::mutex mu;
  std::condition_variable cv;
};

Pool* the_pool() {
  // intentionally leaked: workers are detached and must outlive static destructors at exit
  static Pool* p = [] {
    Pool* q = new Pool();
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cpus > 0 ? int(cpus) : 1;
    const char* env = getenv("CHAINRULE_NUM_THREADS");
    if (env && *env) {
      int v = atoi(env);
      if (v >= 1) n = v;
    }
    q->size = n > kMaxThreads ? kMaxThreads : n;
    return q;
  }();
  return p;
}

void worker(Pool* p, int tid) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t g = p->generation.load(std::memory_order_acquire);
    if (g == seen) {
      int spins = 0;
      while ((g = p->generation.load(std::memory_order_acquire)) == seen && spins < 20000) {
        cpu_relax();
        spins++;
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lk(p->mu);
        p->cv.wait(lk, [&] { return p->generation.load(std::memory_order_acquire) != seen; });
        g = p->generation.load(std::memory_order_acquire);
      }
    }
    seen = g;
    if (tid < p->njobs) {
      p->fn(p->ctx, tid, p->njobs);
      p->pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

void ensure_workers(Pool* p, int n) {
  while (p->started < n - 1) {
    int tid = ++p->started;
    std::thread(worker, p, tid).detach();
  }
}

}  // namespace

int pool_size() { return the_pool()->size; }

void pool_set_size(int n) {
  Pool* p = the_pool();
  if (n < 1) n = 1;
  if (n > kMaxThreads) n = kMaxThreads;
  p->size = n;
}

void pool_run(int n, PoolFn fn, void* ctx) {
  Pool* p = the_pool();
  if (n > p->size) n = p->size;
  bool expected = false;
  if (n <= 1 || !p->busy.compare_exchange_strong(expected, true)) {
    fn(ctx, 0, 1);  // a job told it runs alone does all the work itself
    return;
  }
  ensure_workers(p, n);
  {
    std::lock_guard<std::mutex> lk(p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->njobs = n;
    p->pending.store(n - 1, std::memory_order_relaxed);
    p->generation.fetch_add(1, std::memory_order_acq_rel);
  }
  p->cv.notify_all();
  fn(ctx, 0, n);
  int spins = 0;
  while (p->pending.load(std::memory_order_acquire) != 0) {
    if (++spins < 100000) cpu_relax();
    else sched_yield();
  }
  p->busy.store(false, std::memory_order_release);
}

}  // namespace cr

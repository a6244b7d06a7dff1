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

// Per-worker participation in the current job. The caller sets PENDING for the workers it wants;
// a worker moves PENDING -> RUNNING -> DONE, or the caller cancels it (PENDING -> CANCELLED) when
// all chunks were taken before the worker woke up.
enum State : int { IDLE = 0, PENDING = 1, RUNNING = 2, DONE = 3, CANCELLED = 4 };

struct Pool {
  int size = 1;     // threads used by a job, including the caller
  int started = 0;  // workers created so far (tids 1..started)
  std::atomic<uint64_t> generation{0};
  std::atomic<bool> busy{false};
  std::atomic<int> next_chunk{0};
  std::atomic<int> state[kMaxThreads];
  PoolFn fn = nullptr;
  void* ctx = nullptr;
  int nchunks = 0;
  std::mutex mu;
  std::condition_variable cv;
};

Pool* the_pool() {
  // intentionally leaked: workers are detached and must outlive static destructors at exit
  static Pool* p = [] {
    Pool* q = new Pool();
    for (int t = 0; t < kMaxThreads; t++) q->state[t].store(IDLE, std::memory_order_relaxed);
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

void run_chunks(Pool* p, int tid) {
  int c;
  while ((c = p->next_chunk.fetch_add(1, std::memory_order_acq_rel)) < p->nchunks) p->fn(p->ctx, c, p->nchunks, tid);
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
    int expected = PENDING;
    if (p->state[tid].compare_exchange_strong(expected, RUNNING, std::memory_order_acq_rel)) {
      run_chunks(p, tid);
      p->state[tid].store(DONE, std::memory_order_release);
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
  if (n < 1) return;
  bool expected = false;
  const int threads = n < p->size ? n : p->size;
  if (threads <= 1 || !p->busy.compare_exchange_strong(expected, true)) {
    for (int c = 0; c < n; c++) fn(ctx, c, n, 0);
    return;
  }
  ensure_workers(p, threads);
  {
    std::lock_guard<std::mutex> lk(p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->nchunks = n;
    p->next_chunk.store(0, std::memory_order_relaxed);
    for (int t = 1; t < threads; t++) p->state[t].store(PENDING, std::memory_order_release);
    p->generation.fetch_add(1, std::memory_order_acq_rel);
  }
  p->cv.notify_all();
  run_chunks(p, 0);
  // every chunk is taken: cancel workers that have not started, wait for those that did
  for (int t = 1; t < threads; t++) {
    int st = PENDING;
    if (p->state[t].compare_exchange_strong(st, CANCELLED, std::memory_order_acq_rel)) continue;
    int spins = 0;
    while (p->state[t].load(std::memory_order_acquire) != DONE) {
      if (++spins < 100000) cpu_relax();
      else sched_yield();
    }
  }
  p->busy.store(false, std::memory_order_release);
}

}  // namespace cr

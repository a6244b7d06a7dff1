// Tensor storage reused instead of faulted in (storage.cc): blocks in size classes (four per
// doubling), taken back when V8 frees the ArrayBuffer that wrapped them and handed out again,
// up to a cap of cached bytes. A fresh block from the system is page-faulted and zeroed on first
// touch; a reused one is resident, so an output written by a kernel costs no faults.
#pragma once
#include <cstddef>
#include <cstdint>

namespace cr {

// A block of at least `bytes` (> 0), 64-byte aligned; its first `bytes` bytes are zero when `zero`.
// `cls` receives the block's class size, to pass back to storage_give.
void* storage_take(size_t bytes, bool zero, size_t* cls);
// Returns a block from storage_take (any thread: V8 may free array buffers off the main thread).
void storage_give(void* p, size_t cls);

struct StorageStats {
  uint64_t live_bytes;    // class bytes handed out and not yet given back
  uint64_t cached_bytes;  // class bytes held for reuse
  uint64_t cap_bytes;     // the most bytes held for reuse (CHAINRULE_STORAGE_POOL_MB, default 512)
  uint64_t reused, fresh; // takes served from the cache / from the system
};
StorageStats storage_stats();
// Frees every cached block (the live ones come back later as usual).
void storage_trim();

}  // namespace cr

// The memory budget every fuzz target asserts: while one input is read, the bytes the
// process holds may grow by at most kBytesPerInputByte x its size + kAllowance. Counted from
// every allocation: the heap (under a sanitizer through its allocator hooks, otherwise
// through a replaced operator new) and arrowpack's default pool. An input over the budget
// aborts, so libFuzzer keeps it as a crash and the replay fails.
//
// A target whose reader is not linked into it (python_fuzz: arrowpack is inside the Python
// module it loads) defines ARROWPACK_FUZZ_HEAP_ONLY: only the heap is counted, which under a
// sanitizer is everything; the replay then counts operator new alone.
//
// The targets read with kLimits: ReadLimits whose decoded-bytes allowance is 4 MiB (instead
// of 64), so that the budget is tight and fuzzing fast; the mechanism is the same.
#pragma once

#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#ifndef ARROWPACK_FUZZ_HEAP_ONLY
#include "arrowpack/core/memory_pool.h"
#endif
#include "arrowpack/core/read_limits.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARROWPACK_FUZZ_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ARROWPACK_FUZZ_SANITIZED 1
#endif

namespace fuzz_budget {

inline constexpr std::int64_t kBytesPerInputByte = 64;
inline constexpr std::int64_t kAllowance = std::int64_t{48} << 20;

// A target whose reader runs with the default ReadLimits, which its caller cannot change
// (python_fuzz: the Python package's), may also use their decoded-bytes allowance (64 MiB).
#ifdef ARROWPACK_FUZZ_DEFAULT_LIMITS
inline const std::int64_t kReaderAllowance = arrowpack::ReadLimits{}.decoded_bytes_allowance;
#else
inline const std::int64_t kReaderAllowance = 0;  // limits()' 4 MiB are within kAllowance
#endif

inline arrowpack::ReadLimits limits() {
  arrowpack::ReadLimits l;
  l.decoded_bytes_allowance = std::int64_t{4} << 20;
  return l;
}

inline std::atomic<std::int64_t> live{0};
inline std::atomic<std::int64_t> peak{0};

inline void grew(std::int64_t n) {
  const std::int64_t now = live.fetch_add(n, std::memory_order_relaxed) + n;
  std::int64_t seen = peak.load(std::memory_order_relaxed);
  while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

#ifdef ARROWPACK_FUZZ_HEAP_ONLY
struct NoPool {  // what within_budget asks of the pool, for a target that counts the heap only
  void reset_max_memory() {}
  std::int64_t bytes_allocated() const { return 0; }
  std::int64_t max_memory() const { return 0; }
};
inline NoPool* pool() {
  static NoPool none;
  return &none;
}
#else
inline arrowpack::SystemMemoryPool* pool() {
  return static_cast<arrowpack::SystemMemoryPool*>(arrowpack::default_memory_pool());
}
#endif

/// Runs `f` over an input of `size` bytes and aborts when it took more than the budget.
template <typename F>
void within_budget(std::size_t size, const char* target, F&& f) {
  const std::int64_t heap_before = live.load();
  peak.store(heap_before);
  pool()->reset_max_memory();
  const std::int64_t pool_before = pool()->bytes_allocated();
  f();
#ifdef ARROWPACK_FUZZ_SANITIZED
  (void)pool_before;  // the pool's blocks come from the sanitizer's allocator: counted already
  const std::int64_t used = peak.load() - heap_before;
#else
  const std::int64_t used = (peak.load() - heap_before) + (pool()->max_memory() - pool_before);
#endif
  const std::int64_t budget = kBytesPerInputByte * static_cast<std::int64_t>(size) + kAllowance + kReaderAllowance;
  if (used > budget) {
    std::fprintf(stderr, "%s: an input of %zu bytes made the reader hold %lld bytes more (budget %lld)\n", target, size,
                 static_cast<long long>(used), static_cast<long long>(budget));
    std::abort();
  }
}

}  // namespace fuzz_budget

#ifdef ARROWPACK_FUZZ_SANITIZED
// The sanitizer's allocator tells us of every malloc and free, posix_memalign included.
extern "C" {
void __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                               void (*free_hook)(const volatile void*));
std::size_t __sanitizer_get_allocated_size(const volatile void* p);
}
namespace fuzz_budget {
inline void on_malloc(const volatile void*, std::size_t n) { grew(static_cast<std::int64_t>(n)); }
inline void on_free(const volatile void* p) {
  if (p) live.fetch_sub(static_cast<std::int64_t>(__sanitizer_get_allocated_size(p)), std::memory_order_relaxed);
}
inline const bool kHooked = (__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free), true);
}  // namespace fuzz_budget
#else
// Without a sanitizer: operator new and delete, replaced (the pool is counted apart). They
// are malloc and free underneath, which GCC cannot see through the replacement.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  fuzz_budget::grew(static_cast<std::int64_t>(malloc_usable_size(p)));
  return p;
}
void operator delete(void* p) noexcept {
  if (p) fuzz_budget::live.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }
#endif

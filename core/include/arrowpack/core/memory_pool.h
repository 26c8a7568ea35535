// MemoryPool: where arrowpack's own allocations come from, with byte counters so that
// zero-copy claims can be checked (a read that copies shows up in bytes_allocated()).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "arrowpack/core/status.h"

namespace arrowpack {

/// Alignment of every pool allocation (the Arrow columnar format recommends 64).
inline constexpr std::int64_t kDefaultAlignment = 64;

/// Abstract allocator. Implementations must be thread-safe.
class MemoryPool {
 public:
  virtual ~MemoryPool() = default;

  /// Allocates `size` bytes aligned to `alignment` (a power of two >= 8).
  /// A zero-size allocation returns a valid, non-null pointer that must still be freed.
  /// Errors: Invalid for a negative size or an alignment that is not a power of two >= 8;
  /// CapacityError past the pool's largest allocation; OutOfMemory when the system refuses. (The
  /// system pool's; other pools return the same codes.)
  virtual Status allocate(std::int64_t size, std::int64_t alignment, std::uint8_t** out) = 0;
  /// Resizes an allocation made by this pool, keeping min(old, new) bytes.
  /// The errors of allocate().
  virtual Status reallocate(std::int64_t old_size, std::int64_t new_size, std::int64_t alignment,
                            std::uint8_t** ptr) = 0;
  /// Returns memory obtained from allocate()/reallocate() with the same size and alignment.
  virtual void free(std::uint8_t* ptr, std::int64_t size, std::int64_t alignment) = 0;

  /// With kDefaultAlignment (64). The errors of allocate().
  Status allocate(std::int64_t size, std::uint8_t** out) { return allocate(size, kDefaultAlignment, out); }

  /// Bytes currently allocated from this pool.
  virtual std::int64_t bytes_allocated() const = 0;
  /// Bytes allocated over the pool's lifetime (never decreases; reallocation counts growth).
  virtual std::int64_t total_allocated_bytes() const = 0;
  /// Highest value bytes_allocated() has reached.
  virtual std::int64_t max_memory() const = 0;
  /// Number of allocate/reallocate calls.
  virtual std::int64_t num_allocations() const = 0;
  virtual const char* backend_name() const = 0;
};

/// A pool over the system allocator that counts what it hands out: posix_memalign for
/// blocks under 1 MiB, pages of their own (mmap) for larger ones, which grow with mremap and
/// no copy, and ask for transparent huge pages from 4 MiB (madvise: one page fault per
/// 2 MiB where the system allows). Freed mapped blocks are kept for reuse by the next large
/// allocation of about their size (within a quarter), at most kRetainedBlocks of them and
/// kRetainedBytes bytes in all, shared by every SystemMemoryPool of the process; they are
/// not counted in bytes_allocated(), and release_unused() returns them to the system.
/// Callers must free with the size they were given, as the MemoryPool contract says.
/// Thread-safe.
class SystemMemoryPool : public MemoryPool {
 public:
  Status allocate(std::int64_t size, std::int64_t alignment, std::uint8_t** out) override;
  Status reallocate(std::int64_t old_size, std::int64_t new_size, std::int64_t alignment, std::uint8_t** ptr) override;
  void free(std::uint8_t* ptr, std::int64_t size, std::int64_t alignment) override;
  using MemoryPool::allocate;

  std::int64_t bytes_allocated() const override { return bytes_allocated_.load(); }
  std::int64_t total_allocated_bytes() const override { return total_allocated_.load(); }
  std::int64_t max_memory() const override { return max_memory_.load(); }
  std::int64_t num_allocations() const override { return num_allocations_.load(); }
  const char* backend_name() const override { return "system"; }
  /// Lowers max_memory() to bytes_allocated(), so that the next peak is one operation's (the
  /// fuzz targets measure each input this way).
  void reset_max_memory() { max_memory_.store(bytes_allocated_.load()); }
  /// Returns the freed blocks kept for reuse to the system (pyarrow's release_unused()).
  /// Thread-safe; never fails.
  static void release_unused();

 private:
  void on_grow(std::int64_t diff);
  std::atomic<std::int64_t> bytes_allocated_{0};
  std::atomic<std::int64_t> total_allocated_{0};
  std::atomic<std::int64_t> max_memory_{0};
  std::atomic<std::int64_t> num_allocations_{0};
};

/// Freed mapped blocks a SystemMemoryPool keeps for reuse: how many, and how many bytes.
inline constexpr int kRetainedBlocks = 4;
inline constexpr std::size_t kRetainedBytes = std::size_t{128} << 20;

/// The process-wide pool used when a caller passes none: a SystemMemoryPool, over the
/// process's malloc (glibc's, or whatever allocator the program links or preloads; the
/// measurements behind this choice are in core/README.md, "Which allocator"). Never null;
/// lives until the process exits; thread-safe.
MemoryPool* default_memory_pool();

/// Shorthand for default_memory_pool()->bytes_allocated() (pyarrow's total_allocated_bytes()).
inline std::int64_t total_allocated_bytes() { return default_memory_pool()->bytes_allocated(); }

}  // namespace arrowpack

// Scratch memory for encoding one object: a bump arena that the encoder's columns and
// nodes live in, reset (not freed) between objects, so that encoding a small object
// allocates nothing once the thread is warm. The rendered stream is copied out of it into
// pool memory; nothing outside the encoder ever points into the arena.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "arrowpack/core/memory_pool.h"
#include "arrowpack/core/status.h"

namespace arrowpack::registry_internal {

class ScratchArena {
 public:
  /// The first block, kept across reset(); larger blocks are returned to the system there.
  static constexpr std::size_t kKeptBytes = 64 * 1024;

  ScratchArena() = default;
  ~ScratchArena() { release(true); }
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;

  /// `n` bytes aligned to 16, or OutOfMemory.
  Result<std::uint8_t*> allocate(std::size_t n) {
    n = round(n);
    if (n <= static_cast<std::size_t>(end_ - next_)) [[likely]] {
      std::uint8_t* p = next_;
      next_ += n;
      last_ = p;
      return p;
    }
    return allocate_slow(n);
  }

  /// Grows the allocation `p` of `old_size` bytes to `new_size`, in place when it is the
  /// latest allocation and its block has room, else by copying into a new one.
  Result<std::uint8_t*> grow(std::uint8_t* p, std::size_t old_size, std::size_t new_size) {
    if (p != nullptr && p == last_ && round(new_size) <= static_cast<std::size_t>(end_ - p)) {
      next_ = p + round(new_size);
      return p;
    }
    auto q = allocate(new_size);
    if (q.ok() && old_size > 0) std::memcpy(*q, p, old_size);
    return q;
  }

  /// Large columns live in blocks of their own from the default memory pool, which grows
  /// large blocks by remapping their pages (no copy), and are freed by reset(). `p` is null
  /// or a pointer this function returned for `old_size` bytes; it is invalid afterwards.
  static constexpr std::size_t kHeapBytes = 256 * 1024;
  Result<std::uint8_t*> heap_grow(std::uint8_t* p, std::size_t old_size, std::size_t new_size) {
    MemoryPool* pool = default_memory_pool();
    if (p == nullptr) {
      ARROWPACK_RETURN_NOT_OK(pool->allocate(static_cast<std::int64_t>(new_size), kAlignment, &p));
      heap_.push_back({p, new_size});
      return p;
    }
    for (auto& h : heap_) {
      if (h.data != p) continue;
      ARROWPACK_RETURN_NOT_OK(pool->reallocate(static_cast<std::int64_t>(old_size), static_cast<std::int64_t>(new_size),
                                               kAlignment, &h.data));
      h.size = new_size;
      return h.data;
    }
    return Status::Invalid("internal: an encoder column outside its arena");
  }

  /// Constructs a T in the arena. T must be trivially destructible: reset() runs no
  /// destructors.
  template <typename T, typename... Args>
  Result<T*> make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>);
    static_assert(alignof(T) <= 16);
    auto p = allocate(sizeof(T));
    if (!p.ok()) return p.status();
    return new (*p) T(std::forward<Args>(args)...);
  }

  /// Forgets every allocation; keeps the first block.
  void reset() { release(false); }

 private:
  static std::size_t round(std::size_t n) { return (n + 15) & ~std::size_t{15}; }

  Result<std::uint8_t*> allocate_slow(std::size_t n) {
    std::size_t size = blocks_.empty() ? kKeptBytes : std::max(n, 2 * last_block_size_);
    if (size < n) size = n;
    auto* block = static_cast<std::uint8_t*>(std::aligned_alloc(16, round(size)));
    if (block == nullptr) return Status::OutOfMemory("encoder scratch memory of ", size, " bytes");
    blocks_.push_back(block);
    last_block_size_ = size;
    next_ = block;
    end_ = block + round(size);
    return allocate(n);
  }

  void release(bool all) {
    for (const auto& h : heap_) default_memory_pool()->free(h.data, static_cast<std::int64_t>(h.size), kAlignment);
    heap_.clear();
    const std::size_t keep = all || blocks_.empty() ? 0 : 1;
    for (std::size_t i = keep; i < blocks_.size(); ++i) std::free(blocks_[i]);
    blocks_.resize(keep);
    if (keep == 1) {
      next_ = blocks_[0];
      end_ = blocks_[0] + kKeptBytes;
      last_block_size_ = kKeptBytes;
    } else {
      next_ = end_ = nullptr;
      last_block_size_ = 0;
    }
    last_ = nullptr;
  }

  std::vector<std::uint8_t*> blocks_;
  static constexpr std::int64_t kAlignment = 64;
  struct HeapBlock {
    std::uint8_t* data;
    std::size_t size;
  };
  std::vector<HeapBlock> heap_;
  std::size_t last_block_size_ = 0;
  std::uint8_t* next_ = nullptr;
  std::uint8_t* end_ = nullptr;
  std::uint8_t* last_ = nullptr;  // the latest allocation, which grow() may extend in place
};

/// The calling thread's arena while no other encoder of the thread holds it (a registered
/// type's serializer may serialize another object), else an arena of the lease's own.
class ArenaLease {
 public:
  ArenaLease() {
    if (!in_use()) {
      in_use() = true;
      arena_ = &thread_arena();
    } else {
      own_ = std::make_unique<ScratchArena>();
      arena_ = own_.get();
    }
  }
  ~ArenaLease() {
    if (!own_) {
      arena_->reset();
      in_use() = false;
    }
  }
  ArenaLease(const ArenaLease&) = delete;
  ArenaLease& operator=(const ArenaLease&) = delete;
  ScratchArena& arena() const { return *arena_; }

 private:
  static ScratchArena& thread_arena() {
    thread_local ScratchArena arena;
    return arena;
  }
  static bool& in_use() {
    thread_local bool used = false;
    return used;
  }
  ScratchArena* arena_ = nullptr;
  std::unique_ptr<ScratchArena> own_;
};

}  // namespace arrowpack::registry_internal

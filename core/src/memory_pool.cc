#include "arrowpack/core/memory_pool.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace arrowpack {
namespace {

// Zero-size allocations all share this block so that they cost nothing and are never null.
alignas(kDefaultAlignment) std::uint8_t zero_size_area[1];

// Refuse sizes that cannot be real before asking the system (hostile lengths end here).
constexpr std::int64_t kMaxAllocation = std::numeric_limits<std::int64_t>::max() / 2;

bool valid_alignment(std::int64_t alignment) {
  return alignment >= 8 && alignment <= 4096 && (alignment & (alignment - 1)) == 0;
}

}  // namespace

Status SystemMemoryPool::allocate(std::int64_t size, std::int64_t alignment, std::uint8_t** out) {
  if (size < 0) return Status::Invalid("negative allocation size ", size);
  if (!valid_alignment(alignment)) return Status::Invalid("bad alignment ", alignment);
  if (size > kMaxAllocation) return Status::CapacityError("allocation of ", size, " bytes refused");
  if (size == 0) {
    *out = zero_size_area;
    return Status::OK();
  }
  void* p = nullptr;
  if (posix_memalign(&p, static_cast<std::size_t>(alignment), static_cast<std::size_t>(size)) != 0) {
    return Status::OutOfMemory("failed to allocate ", size, " bytes");
  }
  *out = static_cast<std::uint8_t*>(p);
  num_allocations_.fetch_add(1);
  on_grow(size);
  return Status::OK();
}

Status SystemMemoryPool::reallocate(std::int64_t old_size, std::int64_t new_size, std::int64_t alignment,
                                    std::uint8_t** ptr) {
  if (new_size < 0) return Status::Invalid("negative allocation size ", new_size);
  if (new_size > kMaxAllocation) {
    return Status::CapacityError("allocation of ", new_size, " bytes refused");
  }
  std::uint8_t* fresh = nullptr;
  // Allocate-copy-free keeps the alignment guarantee (realloc() would not).
  if (new_size == 0) {
    free(*ptr, old_size, alignment);
    *ptr = zero_size_area;
    return Status::OK();
  }
  void* p = nullptr;
  if (posix_memalign(&p, static_cast<std::size_t>(alignment), static_cast<std::size_t>(new_size)) != 0) {
    return Status::OutOfMemory("failed to reallocate ", new_size, " bytes");
  }
  fresh = static_cast<std::uint8_t*>(p);
  if (old_size > 0) {
    std::memcpy(fresh, *ptr, static_cast<std::size_t>(std::min(old_size, new_size)));
    std::free(*ptr);
  }
  *ptr = fresh;
  num_allocations_.fetch_add(1);
  on_grow(new_size - old_size);
  return Status::OK();
}

void SystemMemoryPool::free(std::uint8_t* ptr, std::int64_t size, std::int64_t /*alignment*/) {
  if (ptr == zero_size_area || ptr == nullptr) return;
  std::free(ptr);
  bytes_allocated_.fetch_sub(size);
}

void SystemMemoryPool::on_grow(std::int64_t diff) {
  const std::int64_t now = bytes_allocated_.fetch_add(diff) + diff;
  if (diff > 0) total_allocated_.fetch_add(diff);
  std::int64_t seen = max_memory_.load();
  while (now > seen && !max_memory_.compare_exchange_weak(seen, now)) {
  }
}

MemoryPool* default_memory_pool() {
  static SystemMemoryPool pool;
  return &pool;
}

}  // namespace arrowpack

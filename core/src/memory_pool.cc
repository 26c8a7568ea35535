#include "arrowpack/core/memory_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>

namespace arrowpack {
namespace {

// Zero-size allocations all share this block so that they cost nothing and are never null.
alignas(kDefaultAlignment) std::uint8_t zero_size_area[1];

// Refuse sizes that cannot be real before asking the system (hostile lengths end here).
constexpr std::int64_t kMaxAllocation = std::numeric_limits<std::int64_t>::max() / 2;

bool valid_alignment(std::int64_t alignment) {
  return alignment >= 8 && alignment <= 4096 && (alignment & (alignment - 1)) == 0;
}

// Blocks of at least this size are mapped pages of their own (page-aligned, so any valid
// alignment): growing one is mremap(), which moves page tables instead of copying, so a
// buffer that grows as data arrives (a socket, a stream) costs no copy. Under
// AddressSanitizer every block comes from the allocator, whose overflows it catches.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMapLargeBlocks = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kMapLargeBlocks = false;
#else
constexpr bool kMapLargeBlocks = true;
#endif
#else
constexpr bool kMapLargeBlocks = true;
#endif
constexpr std::int64_t kMapThreshold = std::int64_t{1} << 20;
// Smaller blocks carry their offset into a malloc block (obtain()); under AddressSanitizer
// they are exact posix_memalign blocks instead, so that a read past the end is caught at the
// first byte.
constexpr bool kHeaderedBlocks = kMapLargeBlocks;
// Blocks of at least this size ask for transparent huge pages: one page fault per 2 MiB
// instead of one per 4 KiB when the block is first written.
constexpr std::int64_t kHugePageThreshold = std::int64_t{4} << 20;

bool is_mapped(std::int64_t size) { return kMapLargeBlocks && size >= kMapThreshold; }

std::size_t page_rounded(std::int64_t size) {
  static const std::int64_t page = sysconf(_SC_PAGESIZE);
  return static_cast<std::size_t>((size + page - 1) / page * page);
}

// Asks for transparent huge pages over a mapped block of `size` bytes from the threshold on
// (advice: the system may ignore it).
void advise_huge_pages(void* p, std::int64_t size) {
#ifdef MADV_HUGEPAGE
  if (size >= kHugePageThreshold) madvise(p, page_rounded(size), MADV_HUGEPAGE);
#else
  (void)p;
  (void)size;
#endif
}

// Freed mapped blocks kept for the next large allocation of about their size, so that a
// program that serializes one large object after another writes into pages it has already
// faulted in instead of new ones the kernel must zero (glibc's malloc does the same for
// blocks up to 32 MiB by raising its mmap threshold; mimalloc and jemalloc keep freed
// memory too). At most kRetainedBlocks blocks and kRetainedBytes bytes in all; larger
// blocks go back to the system at once. One lock, taken only for mapped blocks.
class RetainedBlocks {
 public:
  // A kept block of at least `length` bytes and at most a quarter more, cut to `length`.
  std::uint8_t* take(std::size_t length) {
    std::lock_guard<std::mutex> lock(mutex_);
    int best = -1;
    for (int i = 0; i < count_; ++i) {
      const std::size_t have = blocks_[i].length;
      if (have >= length && have - length <= length / 4 && (best < 0 || have < blocks_[best].length)) best = i;
    }
    if (best < 0) return nullptr;
    Block b = blocks_[best];
    blocks_[best] = blocks_[--count_];
    bytes_ -= b.length;
    if (b.length > length) munmap(b.data + length, b.length - length);
    return b.data;
  }
  // Keeps a freed block (the oldest make room), or unmaps it when it is too large to keep.
  void give(std::uint8_t* data, std::size_t length) {
    if (length > kRetainedBytes) {
      munmap(data, length);
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    while (count_ > 0 && (count_ == kRetainedBlocks || bytes_ + length > kRetainedBytes)) {
      munmap(blocks_[0].data, blocks_[0].length);
      bytes_ -= blocks_[0].length;
      for (int i = 1; i < count_; ++i) blocks_[i - 1] = blocks_[i];
      --count_;
    }
    blocks_[count_++] = Block{data, length};
    bytes_ += length;
  }
  void release_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int i = 0; i < count_; ++i) munmap(blocks_[i].data, blocks_[i].length);
    count_ = 0;
    bytes_ = 0;
  }

 private:
  struct Block {
    std::uint8_t* data;
    std::size_t length;
  };
  std::mutex mutex_;
  Block blocks_[kRetainedBlocks] = {};
  int count_ = 0;
  std::size_t bytes_ = 0;
};

RetainedBlocks& retained() {
  static auto* blocks = new RetainedBlocks;  // used until exit
  return *blocks;
}

// One block of `size` bytes aligned to `alignment`, or null.
std::uint8_t* obtain(std::int64_t size, std::int64_t alignment) {
  if (is_mapped(size)) {
    if (std::uint8_t* kept = retained().take(page_rounded(size))) return kept;
    void* p = mmap(nullptr, page_rounded(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    advise_huge_pages(p, size);
    return static_cast<std::uint8_t*>(p);
  }
  if constexpr (kHeaderedBlocks) {
    // malloc with room to align: the block starts `offset` bytes into malloc's, and the four
    // bytes before it hold the offset for release(). posix_memalign cost about 950
    // instructions a call in glibc against malloc's hundred or so (callgrind, serializing
    // one small dict: 5% of the call).
    const auto a = static_cast<std::size_t>(alignment);
    auto* raw = static_cast<std::uint8_t*>(std::malloc(static_cast<std::size_t>(size) + a + 4));
    if (raw == nullptr) return nullptr;
    const std::uintptr_t at = (reinterpret_cast<std::uintptr_t>(raw) + 4 + a - 1) & ~(std::uintptr_t{a} - 1);
    const auto offset = static_cast<std::uint32_t>(at - reinterpret_cast<std::uintptr_t>(raw));
    std::memcpy(raw + offset - 4, &offset, 4);
    return raw + offset;
  } else {
    void* p = nullptr;
    if (posix_memalign(&p, static_cast<std::size_t>(alignment), static_cast<std::size_t>(size)) != 0) return nullptr;
    return static_cast<std::uint8_t*>(p);
  }
}

void release(std::uint8_t* p, std::int64_t size) {
  if (is_mapped(size)) {
    retained().give(p, page_rounded(size));
  } else if constexpr (kHeaderedBlocks) {
    std::uint32_t offset;
    std::memcpy(&offset, p - 4, 4);
    std::free(p - offset);
  } else {
    std::free(p);
  }
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
  std::uint8_t* p = obtain(size, alignment);
  if (p == nullptr) return Status::OutOfMemory("failed to allocate ", size, " bytes");
  *out = p;
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
  if (old_size > 0 && is_mapped(old_size) && is_mapped(new_size)) {
    // Mapped to mapped: the pages move, nothing is copied.
    void* p = mremap(*ptr, page_rounded(old_size), page_rounded(new_size), MREMAP_MAYMOVE);
    if (p == MAP_FAILED) return Status::OutOfMemory("failed to reallocate ", new_size, " bytes");
    advise_huge_pages(p, new_size);
    fresh = static_cast<std::uint8_t*>(p);
  } else {
    fresh = obtain(new_size, alignment);
    if (fresh == nullptr) return Status::OutOfMemory("failed to reallocate ", new_size, " bytes");
    if (old_size > 0) {
      std::memcpy(fresh, *ptr, static_cast<std::size_t>(std::min(old_size, new_size)));
      release(*ptr, old_size);
    }
  }
  *ptr = fresh;
  num_allocations_.fetch_add(1);
  on_grow(new_size - old_size);
  return Status::OK();
}

void SystemMemoryPool::release_unused() { retained().release_all(); }

void SystemMemoryPool::free(std::uint8_t* ptr, std::int64_t size, std::int64_t /*alignment*/) {
  if (ptr == zero_size_area || ptr == nullptr) return;
  release(ptr, size);
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

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/hash.h"

using namespace arrowpack;

TEST_CASE("the default pool aligns to 64 bytes and counts what it hands out") {
  SystemMemoryPool pool;
  CHECK(pool.bytes_allocated() == 0);
  {
    auto buf = allocate_buffer(100, &pool).value_or_throw();
    CHECK(reinterpret_cast<std::uintptr_t>(buf->data()) % 64 == 0);
    CHECK(buf->size() == 100);
    CHECK(buf->capacity() == 128);
    CHECK(pool.bytes_allocated() == 128);
    CHECK(pool.total_allocated_bytes() == 128);
  }
  CHECK(pool.bytes_allocated() == 0);
  CHECK(pool.total_allocated_bytes() == 128);
  CHECK(pool.max_memory() == 128);
}

TEST_CASE("every alignment, small and large sizes: aligned, writable, kept across reallocate, freed") {
  SystemMemoryPool pool;
  for (std::int64_t alignment = 8; alignment <= 4096; alignment *= 2) {
    std::vector<std::pair<std::uint8_t*, std::int64_t>> blocks;
    for (std::int64_t size : {1, 7, 64, 100, 4095, 70000, (1 << 20) + 3}) {
      std::uint8_t* p = nullptr;
      REQUIRE(pool.allocate(size, alignment, &p).ok());
      CHECK(reinterpret_cast<std::uintptr_t>(p) % static_cast<std::uintptr_t>(alignment) == 0);
      std::memset(p, 0x5a, static_cast<std::size_t>(size));
      const std::int64_t grown = size * 3 + 1;
      REQUIRE(pool.reallocate(size, grown, alignment, &p).ok());
      CHECK(reinterpret_cast<std::uintptr_t>(p) % static_cast<std::uintptr_t>(alignment) == 0);
      CHECK(std::all_of(p, p + size, [](std::uint8_t b) { return b == 0x5a; }));
      std::memset(p, 0x3c, static_cast<std::size_t>(grown));
      blocks.emplace_back(p, grown);
    }
    for (auto [p, size] : blocks) pool.free(p, size, alignment);
  }
  CHECK(pool.bytes_allocated() == 0);
}

TEST_CASE("the pool refuses negative and absurd sizes") {
  SystemMemoryPool pool;
  std::uint8_t* p = nullptr;
  CHECK(pool.allocate(-1, &p).is_invalid());
  CHECK(pool.allocate(std::int64_t{1} << 62, &p).is_capacity_error());
  CHECK(allocate_buffer(-5, &pool).status().is_invalid());
}

#if defined(__SANITIZE_ADDRESS__)
#define ARROWPACK_TEST_MAPPED_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARROWPACK_TEST_MAPPED_BLOCKS 0
#endif
#endif
#ifndef ARROWPACK_TEST_MAPPED_BLOCKS
#define ARROWPACK_TEST_MAPPED_BLOCKS 1
#endif

TEST_CASE("freed large blocks are reused by the next one of about their size, and released on request") {
  if (!ARROWPACK_TEST_MAPPED_BLOCKS) return;  // under AddressSanitizer every block is malloc's
  SystemMemoryPool::release_unused();
  SystemMemoryPool pool;
  constexpr std::int64_t kSize = std::int64_t{8} << 20;
  std::uint8_t* first = nullptr;
  REQUIRE(pool.allocate(kSize, &first).ok());
  std::memset(first, 0x5A, static_cast<std::size_t>(kSize));
  pool.free(first, kSize, 64);
  CHECK(pool.bytes_allocated() == 0);  // a kept block is not counted
  std::uint8_t* twice = nullptr;       // too large for the kept block: a new mapping
  REQUIRE(pool.allocate(2 * kSize, &twice).ok());
  CHECK(twice != first);
  std::uint8_t* again = nullptr;  // a little smaller: the kept block, cut to size
  REQUIRE(pool.allocate(kSize - kSize / 8, &again).ok());
  CHECK(again == first);
  CHECK(pool.bytes_allocated() == 2 * kSize + kSize - kSize / 8);
  // A reused block grows in place or moves its pages, keeping its bytes.
  REQUIRE(pool.reallocate(kSize - kSize / 8, 3 * kSize, 64, &again).ok());
  CHECK(again[0] == 0x5A);
  CHECK(again[kSize - kSize / 8 - 1] == 0x5A);
  again[3 * kSize - 1] = 1;
  pool.free(again, 3 * kSize, 64);
  pool.free(twice, 2 * kSize, 64);
  CHECK(pool.bytes_allocated() == 0);
  SystemMemoryPool::release_unused();
  std::uint8_t* fresh = nullptr;  // nothing kept: fresh pages, which the system zeroes
  REQUIRE(pool.allocate(2 * kSize, &fresh).ok());
  CHECK(fresh[0] == 0);
  pool.free(fresh, 2 * kSize, 64);
  SystemMemoryPool::release_unused();
}

TEST_CASE("slices are zero-copy views that keep their parent alive") {
  std::shared_ptr<Buffer> slice;
  const std::uint8_t* data = nullptr;
  {
    auto owner = Buffer::from_string("hello arrow world");
    data = owner->data();
    slice = owner->slice(6, 5).value_or_throw();
  }
  // The owner is gone from this scope, but the slice holds it.
  CHECK(slice->data() == data + 6);
  CHECK(slice->view() == "arrow");
  REQUIRE(slice->parent() != nullptr);
  CHECK(slice->parent()->size() == 17);
  auto nested = slice->slice(1).value_or_throw();
  CHECK(nested->view() == "rrow");
  CHECK(nested->parent() == slice);
}

TEST_CASE("out-of-range slices fail with a message naming the range") {
  auto b = Buffer::from_string("abc");
  auto r = b->slice(2, 5);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "buffer slice [2, +5) out of bounds of a 3-byte buffer");
  CHECK_FALSE(b->slice(-1, 1).ok());
  CHECK_FALSE(b->slice(4).ok());
  CHECK((*b->slice(3))->size() == 0);
}

TEST_CASE("resizable buffers grow geometrically and keep their bytes") {
  SystemMemoryPool pool;
  auto buf = allocate_resizable_buffer(3, &pool).value_or_throw();
  std::memcpy(buf->mutable_data(), "abc", 3);
  REQUIRE(buf->resize(1000).ok());
  CHECK(std::memcmp(buf->data(), "abc", 3) == 0);
  CHECK(buf->capacity() >= 1000);
  REQUIRE(buf->resize(10, /*shrink_to_fit=*/true).ok());
  CHECK(buf->capacity() == 64);
  CHECK(pool.bytes_allocated() == 64);
  CHECK(std::memcmp(buf->data(), "abc", 3) == 0);
}

TEST_CASE("wrap and copy_of") {
  const char text[] = "caller memory";
  auto view = Buffer::wrap(text, 6);
  CHECK(view->data() == reinterpret_cast<const std::uint8_t*>(text));
  auto copy = Buffer::copy_of(text, 6).value_or_throw();
  CHECK(copy->data() != view->data());
  CHECK(copy->equals(*view));
  CHECK(copy->to_hex() == "63616c6c6572");
  CHECK(view->contains(text + 5));
  CHECK_FALSE(view->contains(text + 6));
}

TEST_CASE("the keyed hash: incremental, length-aware, and spread") {
  const std::string text = "the quick brown fox jumps over the lazy dog";
  KeyedHasher whole;
  whole.add(text.data(), text.size());
  KeyedHasher pieces;
  for (std::size_t i = 0; i < text.size(); i += 5)
    pieces.add(text.data() + i, std::min<std::size_t>(5, text.size() - i));
  const std::size_t h = whole.finish();
  CHECK(pieces.finish() == h);
  CHECK(KeyedBytesHash{}(text) == h);
  // Trailing zero bytes change the hash (the length is part of the last block).
  CHECK(KeyedBytesHash{}(std::string_view("ab\0", 3)) != KeyedBytesHash{}("ab"));
  CHECK(KeyedBytesHash{}("") != KeyedBytesHash{}(std::string_view("\0", 1)));
  // 10,000 similar keys over 1,024 buckets: no bucket far above the mean of 10.
  std::vector<int> buckets(1024);
  for (int i = 0; i < 10'000; ++i) ++buckets[KeyedBytesHash{}("key" + std::to_string(i)) % 1024];
  CHECK(*std::max_element(buckets.begin(), buckets.end()) < 40);
}

// A keyed hash for keys that an attacker may choose: dictionary values a writer merges, dict
// and set keys a reader decodes, map keys of the typed front door.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace arrowpack {

/// SipHash-1-3 (Aumasson and Bernstein; Python's hash of str and bytes since 3.4) under a
/// 128-bit key drawn from std::random_device once per process. Without the key, inputs that
/// collide cannot be chosen, so a hash table of attacker-chosen keys stays linear; unkeyed
/// hashes (std::hash, MurmurHash) have collisions that do not depend on their seed.
/// Incremental: add() any number of times, then finish() once. Hashes differ between
/// processes: never store or send them. A value type, not shared between threads (the key
/// is initialised thread-safely on first use).
class KeyedHasher {
 public:
  /// A hasher at the start of its input.
  KeyedHasher();
  /// Appends `n` bytes at `data` (which may be null when n is 0).
  void add(const void* data, std::size_t n);
  /// Appends the 8 bytes of `x` in host order.
  void add_u64(std::uint64_t x) { add(&x, 8); }
  /// The hash of everything added. Call once.
  std::size_t finish();

 private:
  void compress(std::uint64_t m);
  void round();
  std::uint64_t v0_, v1_, v2_, v3_;
  unsigned char tail_[8] = {};
  std::size_t pending_ = 0;
  std::size_t length_ = 0;
};

/// KeyedHasher over one byte string: a hasher for std::unordered_map<std::string, T, KeyedBytesHash>
/// (transparent: string_view lookups need no std::string).
struct KeyedBytesHash {
  using is_transparent = void;
  /// The keyed hash of `bytes`.
  std::size_t operator()(std::string_view bytes) const {
    KeyedHasher h;
    h.add(bytes.data(), bytes.size());
    return h.finish();
  }
};

}  // namespace arrowpack

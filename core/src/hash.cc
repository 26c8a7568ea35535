#include "arrowpack/core/hash.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

namespace arrowpack {

namespace {

const std::array<std::uint64_t, 2>& process_key() {
  static const std::array<std::uint64_t, 2> k = [] {
    std::random_device rd;
    std::array<std::uint64_t, 2> out{};
    for (auto& w : out) w = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    return out;
  }();
  return k;
}

std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

}  // namespace

KeyedHasher::KeyedHasher() {
  const auto& k = process_key();
  // SipHash's initialisation constants ("somepseudorandomlygeneratedbytes").
  v0_ = k[0] ^ 0x736f6d6570736575ULL;
  v1_ = k[1] ^ 0x646f72616e646f6dULL;
  v2_ = k[0] ^ 0x6c7967656e657261ULL;
  v3_ = k[1] ^ 0x7465646279746573ULL;
}

void KeyedHasher::add(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  length_ += n;
  while (n > 0) {
    const std::size_t take = std::min<std::size_t>(n, 8 - pending_);
    std::memcpy(tail_ + pending_, p, take);
    pending_ += take;
    p += take;
    n -= take;
    if (pending_ == 8) {
      std::uint64_t m;
      std::memcpy(&m, tail_, 8);
      compress(m);
      pending_ = 0;
    }
  }
}

std::size_t KeyedHasher::finish() {
  // The last block: the remaining bytes, and the length's low byte in the top byte.
  std::uint64_t m = static_cast<std::uint64_t>(length_ & 0xff) << 56;
  for (std::size_t i = 0; i < pending_; ++i) m |= static_cast<std::uint64_t>(tail_[i]) << (8 * i);
  compress(m);
  v2_ ^= 0xff;
  for (int i = 0; i < 3; ++i) round();
  return static_cast<std::size_t>(v0_ ^ v1_ ^ v2_ ^ v3_);
}

void KeyedHasher::round() {
  v0_ += v1_;
  v1_ = rotl(v1_, 13) ^ v0_;
  v0_ = rotl(v0_, 32);
  v2_ += v3_;
  v3_ = rotl(v3_, 16) ^ v2_;
  v0_ += v3_;
  v3_ = rotl(v3_, 21) ^ v0_;
  v2_ += v1_;
  v1_ = rotl(v1_, 17) ^ v2_;
  v2_ = rotl(v2_, 32);
}

void KeyedHasher::compress(std::uint64_t m) {
  v3_ ^= m;
  round();  // one compression round: SipHash-1-3
  v0_ ^= m;
}

}  // namespace arrowpack

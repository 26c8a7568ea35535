// Bit and alignment helpers shared by arrays, builders and IPC.
#pragma once

#include <cstdint>

namespace arrowpack::internal {

inline bool get_bit(const std::uint8_t* bits, std::int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }
inline void set_bit(std::uint8_t* bits, std::int64_t i) {
  bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] | (1u << (i & 7)));
}
inline void clear_bit(std::uint8_t* bits, std::int64_t i) {
  bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] & ~(1u << (i & 7)));
}
inline std::int64_t bytes_for_bits(std::int64_t bits) { return (bits + 7) >> 3; }
inline std::int64_t round_up(std::int64_t n, std::int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }
/// a + b, or false on signed overflow.
inline bool add_overflows(std::int64_t a, std::int64_t b, std::int64_t* out) {
  return __builtin_add_overflow(a, b, out);
}
inline bool mul_overflows(std::int64_t a, std::int64_t b, std::int64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

/// Copies `length` bits from `src` starting at `src_offset` to `dst` starting at bit 0.
void copy_bits(const std::uint8_t* src, std::int64_t src_offset, std::int64_t length, std::uint8_t* dst);

/// True when `data` is valid UTF-8.
bool is_valid_utf8(const std::uint8_t* data, std::int64_t size);

}  // namespace arrowpack::internal

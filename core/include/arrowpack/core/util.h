// Small helpers every layer needs: validity bitmaps, rounding to a multiple, checked integer
// arithmetic, UTF-8 checks and the text of an errno value. The one home of each: core's
// sources, the registry, the adapters and the transports all call these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace arrowpack::util {

/// Bit `i` of an LSB-first bitmap (Arrow's validity layout). `bits` must hold bit `i`.
/// Pure; thread-safe.
inline bool get_bit(const std::uint8_t* bits, std::int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1u; }
/// Sets bit `i` of `bits`.
inline void set_bit(std::uint8_t* bits, std::int64_t i) {
  bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] | (1u << (i & 7)));
}
/// Clears bit `i` of `bits`.
inline void clear_bit(std::uint8_t* bits, std::int64_t i) {
  bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] & ~(1u << (i & 7)));
}
/// Bytes that hold `bits` bits (`bits` >= 0).
constexpr std::int64_t bytes_for_bits(std::int64_t bits) { return (bits + 7) >> 3; }
/// `n` rounded up to a multiple of `multiple` (> 0); `n` >= 0 and small enough not to
/// overflow, which callers check first for sizes read from input.
constexpr std::int64_t round_up(std::int64_t n, std::int64_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}
/// `*out` = a + b; true when that overflows int64 (then `*out` is unspecified).
inline bool add_overflows(std::int64_t a, std::int64_t b, std::int64_t* out) {
  return __builtin_add_overflow(a, b, out);
}
/// `*out` = a * b; true when that overflows int64 (then `*out` is unspecified).
inline bool mul_overflows(std::int64_t a, std::int64_t b, std::int64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

/// Copies `length` bits of `src` from bit `src_offset` to `dst` from bit 0; the bits of the
/// last byte of `dst` past `length` are zero.
void copy_bits(const std::uint8_t* src, std::int64_t src_offset, std::int64_t length, std::uint8_t* dst);

/// True when the `size` bytes at `data` are well-formed UTF-8 (no overlong forms, no
/// surrogates, nothing past U+10FFFF). Linear in `size`; thread-safe.
bool is_valid_utf8(const std::uint8_t* data, std::int64_t size);
/// The same for a string_view.
inline bool is_valid_utf8(std::string_view text) {
  return is_valid_utf8(reinterpret_cast<const std::uint8_t*>(text.data()), static_cast<std::int64_t>(text.size()));
}

/// The system's text for errno value `err` ("Broken pipe"), safe to call from several
/// threads (unlike std::strerror).
std::string errno_text(int err);

}  // namespace arrowpack::util

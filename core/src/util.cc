#include "arrowpack/core/util.h"

#include <cstring>

namespace arrowpack::util {

void copy_bits(const std::uint8_t* src, std::int64_t src_offset, std::int64_t length, std::uint8_t* dst) {
  if (length <= 0) return;
  if ((src_offset & 7) == 0) {
    std::memcpy(dst, src + (src_offset >> 3), static_cast<std::size_t>(bytes_for_bits(length)));
  } else {
    std::memset(dst, 0, static_cast<std::size_t>(bytes_for_bits(length)));
    for (std::int64_t i = 0; i < length; ++i) {
      if (get_bit(src, src_offset + i)) set_bit(dst, i);
    }
  }
  // Bits past `length` in the last byte must be zero so the output is deterministic.
  if (length & 7) dst[length >> 3] &= static_cast<std::uint8_t>((1u << (length & 7)) - 1);
}

namespace {
// Whether s[0, n) is all ASCII: eight bytes at a time, the tail as one overlapping word.
bool is_ascii(const std::uint8_t* s, std::int64_t n) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  if (n < 8) {
    std::uint8_t any = 0;
    for (std::int64_t i = 0; i < n; ++i) any |= s[i];
    return (any & 0x80) == 0;
  }
  std::uint64_t any = 0, w;
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::memcpy(&w, s + i, 8);
    any |= w;
  }
  std::memcpy(&w, s + n - 8, 8);
  return ((any | w) & kHigh) == 0;
}
}  // namespace

bool is_valid_utf8(const std::uint8_t* s, std::int64_t n) {
  if (is_ascii(s, n)) return true;  // the common case, without the decoder below
  std::int64_t i = 0;
  while (i < n) {
    // Fast path over ASCII, eight bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const std::uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= n) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Reject overlong forms, surrogates and code points past U+10FFFF.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

namespace {
// The XSI strerror_r returns an int, the GNU one the message (which may not be `buf`).
[[maybe_unused]] const char* message_of(int rc, const char* buf) { return rc == 0 ? buf : "unknown error"; }
[[maybe_unused]] const char* message_of(const char* message, const char*) { return message; }
}  // namespace

std::string errno_text(int err) {
  char buf[256] = {};
  return message_of(strerror_r(err, buf, sizeof(buf)), buf);
}

}  // namespace arrowpack::util

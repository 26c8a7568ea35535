#include "arrowpack/core/decimal.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace arrowpack {
namespace {

constexpr int kMaxLimbs = 8;  // 256 bits as 32-bit limbs
// Scales up to this many digits are written out in full; larger ones as an exponent.
constexpr std::int32_t kMaxPlainScale = 1000;
using Limbs = std::array<std::uint32_t, kMaxLimbs>;

Limbs load(const std::uint8_t* bytes, int byte_width) {
  Limbs l{};
  std::memcpy(l.data(), bytes, static_cast<std::size_t>(byte_width));  // little-endian host
  return l;
}

void negate(Limbs& l, int n) {
  std::uint64_t carry = 1;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t v = std::uint64_t{static_cast<std::uint32_t>(~l[i])} + carry;
    l[i] = static_cast<std::uint32_t>(v);
    carry = v >> 32;
  }
}

bool is_zero(const Limbs& l, int n) {
  return std::all_of(l.begin(), l.begin() + n, [](std::uint32_t x) { return x == 0; });
}

// l /= d; returns the remainder.
std::uint32_t divide(Limbs& l, int n, std::uint32_t d) {
  std::uint64_t rem = 0;
  for (int i = n - 1; i >= 0; --i) {
    const std::uint64_t cur = (rem << 32) | l[i];
    l[i] = static_cast<std::uint32_t>(cur / d);
    rem = cur % d;
  }
  return static_cast<std::uint32_t>(rem);
}

// l = l * m + a; returns false on overflow of n limbs.
bool multiply_add(Limbs& l, int n, std::uint32_t m, std::uint32_t a) {
  std::uint64_t carry = a;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t v = std::uint64_t{l[i]} * m + carry;
    l[i] = static_cast<std::uint32_t>(v);
    carry = v >> 32;
  }
  return carry == 0;
}

}  // namespace

std::string format_decimal(const std::uint8_t* bytes, int byte_width, std::int32_t scale) {
  const int n = byte_width / 4;
  Limbs l = load(bytes, byte_width);
  const bool negative = (bytes[byte_width - 1] & 0x80) != 0;
  if (negative) negate(l, n);
  // Decimal digits, least significant first (a 256-bit value has at most 78).
  char reversed[96];
  int len = 0;
  while (!is_zero(l, n)) {
    std::uint32_t chunk = divide(l, n, 1000000000u);
    for (int k = 0; k < 9; ++k) {
      reversed[len++] = static_cast<char>('0' + chunk % 10);
      chunk /= 10;
    }
  }
  while (len > 1 && reversed[len - 1] == '0') --len;
  if (len == 0) reversed[len++] = '0';
  const bool zero = len == 1 && reversed[0] == '0';
  if (scale > kMaxPlainScale || scale < -kMaxPlainScale) {
    // A scale this large (hostile metadata, say) is written as an exponent, not as millions
    // of zeros: "123E-1000000".
    std::string out = negative ? "-" : "";
    for (int k = len - 1; k >= 0; --k) out.push_back(reversed[k]);
    out += "E";
    out += std::to_string(-static_cast<std::int64_t>(scale));
    return out;
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(len) + 4 + static_cast<std::size_t>(scale < 0 ? -std::int64_t{scale} : scale));
  if (negative) out.push_back('-');
  auto put = [&](int from, int to) {  // digits [from, to) counted from the most significant
    for (int k = from; k < to; ++k) out.push_back(reversed[len - 1 - k]);
  };
  if (scale > 0 && len <= scale) {
    out.append("0.");
    out.append(static_cast<std::size_t>(scale - len), '0');
    put(0, len);
  } else if (scale > 0) {
    put(0, len - scale);
    out.push_back('.');
    put(len - scale, len);
  } else {
    put(0, len);
    if (scale < 0 && !zero) out.append(static_cast<std::size_t>(-static_cast<std::int64_t>(scale)), '0');
  }
  return out;
}

Status parse_decimal(std::string_view text, std::int32_t precision, std::int32_t scale, int byte_width,
                     std::uint8_t* out) {
  auto bad = [&] { return Status::Invalid("'", text, "' is not a decimal number"); };
  if (scale > kMaxPlainScale || scale < -kMaxPlainScale) {
    return Status::Invalid("cannot parse decimals of scale ", scale, " (at most ", kMaxPlainScale, " either way)");
  }
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const auto point = s.find('.');
  std::string_view whole = s.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view() : s.substr(point + 1);
  if (whole.empty() && fraction.empty()) return bad();
  for (char c : whole) {
    if (c < '0' || c > '9') return bad();
  }
  for (char c : fraction) {
    if (c < '0' || c > '9') return bad();
  }
  // The unscaled digits: whole, then `scale` fractional digits (padded with zeros).
  std::string digits(whole);
  while (!fraction.empty() && fraction.back() == '0' && static_cast<std::int64_t>(fraction.size()) > scale) {
    fraction.remove_suffix(1);
  }
  if (static_cast<std::int64_t>(fraction.size()) > std::max(scale, 0)) {
    return Status::Invalid("'", text, "' has more fractional digits than the scale ", scale, " keeps");
  }
  digits += fraction;
  if (scale > 0) digits.append(static_cast<std::size_t>(scale) - fraction.size(), '0');
  if (scale < 0) {
    // A negative scale drops trailing zeros of the integer part.
    const auto drop = static_cast<std::size_t>(-static_cast<std::int64_t>(scale));
    if (digits.size() < drop || digits.find_first_not_of('0', digits.size() - drop) != std::string::npos) {
      if (digits.find_first_not_of('0') != std::string::npos) {
        return Status::Invalid("'", text, "' is not a multiple of 10^", -static_cast<std::int64_t>(scale));
      }
      digits = "0";
    } else {
      digits.resize(digits.size() - drop);
    }
  }
  const auto first = digits.find_first_not_of('0');
  const std::size_t significant = first == std::string::npos ? 0 : digits.size() - first;
  if (significant > static_cast<std::size_t>(precision)) {
    return Status::Invalid("'", text, "' needs ", significant, " digits, the precision is ", precision);
  }
  const int n = byte_width / 4;
  Limbs l{};
  for (char c : digits) {
    if (!multiply_add(l, n, 10, static_cast<std::uint32_t>(c - '0'))) {
      return Status::Invalid("'", text, "' does not fit ", byte_width * 8, " bits");
    }
  }
  if (negative) negate(l, n);
  std::memcpy(out, l.data(), static_cast<std::size_t>(byte_width));
  return Status::OK();
}

}  // namespace arrowpack

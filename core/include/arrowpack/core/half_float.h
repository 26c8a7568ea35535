// IEEE 754 binary16 (Arrow's float16 / halffloat) to and from double. float16 arrays store
// the raw 16-bit patterns (build them with NumericBuilder<std::uint16_t>(float16())).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace arrowpack {

/// The value of a binary16 bit pattern.
inline double half_to_double(std::uint16_t h) {
  const int sign = (h & 0x8000) ? -1 : 1;
  const int exponent = (h >> 10) & 0x1F;
  const int fraction = h & 0x3FF;
  if (exponent == 0) return sign * std::ldexp(fraction, -24);
  if (exponent == 31) return fraction ? NAN : sign * INFINITY;
  return sign * std::ldexp(1024 + fraction, exponent - 25);
}

/// The binary16 bit pattern nearest to `value` (round to nearest even; overflow to infinity).
inline std::uint16_t double_to_half(double value) {
  float f = static_cast<float>(value);
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000);
  const std::uint32_t abs = x & 0x7FFFFFFF;
  if (abs > 0x7F800000) return static_cast<std::uint16_t>(sign | 0x7E00);   // NaN
  if (abs >= 0x477FF000) return static_cast<std::uint16_t>(sign | 0x7C00);  // >= 65520: inf
  if (abs < 0x38800000) {
    // Subnormal half (or zero): scale to units of 2^-24 and round to nearest even.
    const float scaled = std::fabs(f) * 16777216.0f;
    return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(std::nearbyint(scaled)));
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even.
  std::uint32_t h = ((abs >> 13) - (112u << 10));
  const std::uint32_t rest = abs & 0x1FFF;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

}  // namespace arrowpack

// IEEE 754 binary16 <-> double, for printing and comparing float16 values.
#pragma once

#include <cmath>
#include <cstdint>

namespace arrowpack::internal {

inline double half_to_double(std::uint16_t h) {
  const int sign = (h & 0x8000) ? -1 : 1;
  const int exponent = (h >> 10) & 0x1F;
  const int fraction = h & 0x3FF;
  if (exponent == 0) return sign * std::ldexp(fraction, -24);
  if (exponent == 31) return fraction ? NAN : sign * INFINITY;
  return sign * std::ldexp(1024 + fraction, exponent - 25);
}

}  // namespace arrowpack::internal

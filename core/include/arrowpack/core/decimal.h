// Decimal values as Arrow stores them: two's complement little-endian integers of 4, 8, 16
// or 32 bytes (decimal32 to decimal256), scaled by 10^-scale.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "arrowpack/core/status.h"

namespace arrowpack {

/// The value as text with `scale` applied ("-1.50"); a negative scale appends zeros
/// ("1200" for 12 with scale -2).
std::string format_decimal(const std::uint8_t* bytes, int byte_width, std::int32_t scale);

/// Parses "-12.345" (an optional sign, digits, an optional point and digits) into the
/// unscaled integer for `scale`, written little-endian to `out` (`byte_width` bytes).
/// Refuses text with more fractional digits than `scale` keeps, or more than `precision`
/// significant digits.
/// Errors: Invalid, naming the text, for any of these or for a value that does not fit
/// `byte_width`.
Status parse_decimal(std::string_view text, std::int32_t precision, std::int32_t scale, int byte_width,
                     std::uint8_t* out);

}  // namespace arrowpack

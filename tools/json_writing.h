// Small JSON writing helpers shared by the canonical dump and `inspect --json`.
#pragma once

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace arrowpack::tools::json {

/// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
inline void append_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

/// Lowercase hex digits of `s` (no quotes).
inline void append_hex_digits(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
}

/// Writes NaN, the infinities and -0 as the strings "NaN", "Infinity", "-Infinity", "-0";
/// returns false for ordinary numbers.
inline bool append_special(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else if (v == 0 && std::signbit(v)) {
    out += "\"-0\"";
  } else {
    return false;
  }
  return true;
}

/// A number in shortest round-trip form (specials as strings). float keeps its own
/// shortest form (0.1f prints as 0.1).
template <typename F>
void append_number(F v, std::string& out) {
  if (append_special(static_cast<double>(v), out)) return;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

}  // namespace arrowpack::tools::json

#include "arrowpack/core/status.h"

namespace arrowpack {

std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalid: return "Invalid";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kKeyError: return "KeyError";
    case StatusCode::kTypeError: return "TypeError";
    case StatusCode::kIndexError: return "IndexError";
    case StatusCode::kNotImplemented: return "NotImplemented";
    case StatusCode::kCapacityError: return "CapacityError";
    case StatusCode::kSerializationError: return "SerializationError";
    case StatusCode::kOutOfMemory: return "OutOfMemory";
  }
  return "Unknown";
}

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (0 when it is not one).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  // No overlong forms, surrogates or code points beyond U+10FFFF.
  if (n == 3 && ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) >= 0xA0))) return 0;
  if (n == 4 && ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) >= 0x90))) return 0;
  return n;
}

}  // namespace

std::string escape_message(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] >= 0x20 && text[i] < 0x7f) ++i;
  if (i == text.size() && text.size() <= kMaxMessageBytes) return std::string(text);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(text.substr(0, i));
  while (i < text.size() && out.size() < kMaxMessageBytes) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
    } else if (std::size_t n = c >= 0x80 ? utf8_length(text, i) : 0; n > 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    }
  }
  if (i < text.size()) {
    out += "... (";
    out += std::to_string(text.size() - i);
    out += " more bytes)";
  }
  return out;
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) state_ = std::make_unique<State>(State{code, escape_message(message)});
}

const std::string& Status::message() const noexcept {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  std::string out(status_code_name(code()));
  out += ": ";
  out += message();
  return out;
}

Status Status::with_context(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message();
  return Status(code(), std::move(msg));
}

void Status::throw_if_error() const {
  if (!ok()) throw Error(*this);
}

}  // namespace arrowpack

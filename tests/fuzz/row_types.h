// The row types of row_stream_fuzz, shared with make_corpus (which writes their seeds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fuzz_rows {
struct Record {  // the W4 record
  std::string name;
  double a, b, c, d;
  std::int64_t id;
};
struct Venue {
  std::string name;
  std::optional<std::int32_t> id;
};
struct Trade {  // nested struct columns, nulls, narrow integers, enums, bools
  enum class Side : std::int8_t { kBuy = 1, kSell = -1 };
  std::optional<std::string> symbol;
  float price;
  std::uint16_t lot;
  Side side;
  Venue venue;
  std::optional<Venue> via;
};
struct Flags {  // the most rows per input byte: one bit each
  bool a;
};
}  // namespace fuzz_rows

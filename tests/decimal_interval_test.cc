// Decimals (32 to 256 bits) and calendar intervals: types, text in and out, builders and
// IPC round trips.
#include <catch2/catch.hpp>

#include <cstring>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {
std::string decimal_text(const std::vector<std::uint8_t>& bytes, std::int32_t scale) {
  return format_decimal(bytes.data(), static_cast<int>(bytes.size()), scale);
}
std::vector<std::uint8_t> parsed(std::string_view text, std::int32_t precision, std::int32_t scale, int width) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(width));
  Status st = parse_decimal(text, precision, scale, width, out.data());
  if (!st.ok()) FAIL(st.to_string());
  return out;
}
}  // namespace

TEST_CASE("decimal types: precision limits and Arrow C++ spelling") {
  CHECK(ok_or_die(decimal32(9, 2))->to_string() == "decimal32(9, 2)");
  CHECK(ok_or_die(decimal64(18, -3))->to_string() == "decimal64(18, -3)");
  CHECK(ok_or_die(decimal128(38, 10))->to_string() == "decimal128(38, 10)");
  CHECK(ok_or_die(decimal256(76, 0))->byte_width() == 32);
  CHECK(decimal32(10, 0).status().message() == "decimal32 precision must be in [1, 9], got 10");
  CHECK(decimal128(0, 0).status().is_invalid());
  CHECK(decimal256(77, 0).status().is_invalid());
  CHECK_FALSE(ok_or_die(decimal128(10, 2))->equals(*ok_or_die(decimal128(10, 3))));
  CHECK_FALSE(ok_or_die(decimal128(10, 2))->equals(*ok_or_die(decimal256(10, 2))));
  CHECK(month_interval()->to_string() == "month_interval");
  CHECK(day_time_interval()->byte_width() == 8);
  CHECK(month_day_nano_interval()->to_string() == "month_day_nano_interval");
}

TEST_CASE("decimal text: every width, scales of both signs, the extremes") {
  CHECK(decimal_text(parsed("1.50", 3, 2, 4), 2) == "1.50");
  CHECK(decimal_text(parsed("-0.05", 3, 2, 8), 2) == "-0.05");
  CHECK(decimal_text(parsed("7", 3, 2, 16), 2) == "7.00");
  CHECK(decimal_text(parsed("12000", 5, -3, 16), -3) == "12000");
  CHECK(decimal_text(parsed("0", 1, 0, 4), 0) == "0");
  const std::string nines(76, '9');
  CHECK(decimal_text(parsed(nines, 76, 0, 32), 0) == nines);
  CHECK(decimal_text(parsed("-" + nines, 76, 0, 32), 0) == "-" + nines);
  CHECK(decimal_text(parsed("-99999999999999999999999999999999999.999", 38, 3, 16), 3) ==
        "-99999999999999999999999999999999999.999");
  // The most negative 128-bit value (no positive twin).
  std::vector<std::uint8_t> min128(16, 0);
  min128[15] = 0x80;
  CHECK(decimal_text(min128, 0) == "-170141183460469231731687303715884105728");
  std::uint8_t out[16];
  CHECK(parse_decimal("1.234", 10, 2, 16, out).message() ==
        "'1.234' has more fractional digits than the scale 2 keeps");
  CHECK(parse_decimal("123.4", 3, 1, 16, out).message() == "'123.4' needs 4 digits, the precision is 3");
  CHECK(parse_decimal("1e5", 10, 0, 16, out).is_invalid());
  CHECK(parse_decimal("", 10, 0, 16, out).is_invalid());
  CHECK(parse_decimal("-", 10, 0, 16, out).is_invalid());
  CHECK(parse_decimal("12345", 5, -2, 16, out).message() == "'12345' is not a multiple of 10^2");
  CHECK(decimal_text(parsed("1.2500", 3, 2, 4), 2) == "1.25");  // trailing zeros beyond the scale are fine
  // Hostile scales (a fuzzer found one of 2^30) print as an exponent, not as a gigabyte of zeros.
  CHECK(decimal_text(parsed("-123", 3, 0, 16), 1 << 30) == "-123E-1073741824");
  CHECK(decimal_text(parsed("5", 3, 0, 16), -2000000) == "5E2000000");
  CHECK(decimal_text(parsed("5", 3, 0, 16), 1000).size() == 1002);
  CHECK(parse_decimal("1", 10, 5000, 16, out).is_invalid());
}

TEST_CASE("decimal and interval arrays: builders, printing, equality, IPC") {
  DecimalBuilder b(ok_or_die(decimal128(10, 2)));
  REQUIRE(b.append("3.14").ok());
  REQUIRE(b.append_null().ok());
  REQUIRE(b.append_unscaled(-250).ok());
  CHECK(b.append("1.234").is_invalid());
  auto decimals = ok_or_die(b.finish());
  CHECK(decimals.to_string_compact() == "[3.14,null,-2.50]");
  CHECK(decimals.null_count() == 1);

  DecimalBuilder small(ok_or_die(decimal32(9, 0)));
  CHECK(small.append_unscaled(std::int64_t{1} << 40).is_invalid());

  NumericBuilder<DayTimeInterval> dt(day_time_interval());
  REQUIRE(dt.append(DayTimeInterval{3, 7}).ok());
  NumericBuilder<MonthDayNanoInterval> mdn(month_day_nano_interval());
  REQUIRE(mdn.append(MonthDayNanoInterval{1, -2, 3}).ok());
  auto months = ok_or_die(array<std::int32_t>(month_interval(), {14}));
  auto day_time = ok_or_die(dt.finish());
  auto month_day_nano = ok_or_die(mdn.finish());
  CHECK(months.to_string_compact() == "[14M]");
  CHECK(day_time.to_string_compact() == "[3d7ms]");
  CHECK(month_day_nano.to_string_compact() == "[1M-2d3ns]");
  CHECK(day_time.value<DayTimeInterval>(0) == DayTimeInterval{3, 7});

  auto batch =
      ok_or_die(RecordBatch::make(schema({field("d", decimals.type()), field("m", month_interval()),
                                          field("dt", day_time_interval()), field("mdn", month_day_nano_interval())}),
                                  {ok_or_die(decimals.slice(0, 1)), months, day_time, month_day_nano}));
  for (bool file : {false, true}) {
    auto bytes = arrowpack::testing::write_ipc(*batch, 2, file);
    auto table = file ? ok_or_die(ok_or_die(ipc::open_file(bytes))->read_all())
                      : ok_or_die(ok_or_die(ipc::open_stream(bytes))->read_all());
    REQUIRE(table->num_rows() == 2);
    CHECK(table->schema()->equals(*batch->schema()));
    CHECK(table->batches()[0]->equals(*batch));
  }
}

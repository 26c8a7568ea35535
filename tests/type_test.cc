#include <catch2/catch.hpp>

#include <cmath>

#include "arrowpack/core/half_float.h"
#include "arrowpack/core/type.h"

using namespace arrowpack;

TEST_CASE("type names follow Arrow C++ DataType::ToString()") {
  CHECK(int64()->to_string() == "int64");
  CHECK(uint8()->to_string() == "uint8");
  CHECK(float16()->to_string() == "halffloat");
  CHECK(float32()->to_string() == "float");
  CHECK(float64()->to_string() == "double");
  CHECK(utf8()->to_string() == "string");
  CHECK(large_utf8()->to_string() == "large_string");
  CHECK(large_binary()->to_string() == "large_binary");
  CHECK(fixed_size_binary(16)->to_string() == "fixed_size_binary[16]");
  CHECK(date32()->to_string() == "date32[day]");
  CHECK(date64()->to_string() == "date64[ms]");
  CHECK((*time32(TimeUnit::kMilli))->to_string() == "time32[ms]");
  CHECK((*time64(TimeUnit::kNano))->to_string() == "time64[ns]");
  CHECK(timestamp(TimeUnit::kMilli, "UTC")->to_string() == "timestamp[ms, tz=UTC]");
  CHECK(timestamp(TimeUnit::kMicro)->to_string() == "timestamp[us]");
  CHECK(duration(TimeUnit::kSecond)->to_string() == "duration[s]");
  CHECK(list(int32())->to_string() == "list<item: int32>");
  CHECK(large_list(field("x", utf8(), false))->to_string() == "large_list<x: string not null>");
  CHECK(fixed_size_list(int32(), 4)->to_string() == "fixed_size_list<item: int32>[4]");
  CHECK(struct_({field("a", int32()), field("b", utf8(), false)})->to_string() ==
        "struct<a: int32, b: string not null>");
  CHECK(map(utf8(), int32())->to_string() == "map<string, int32>");
  CHECK(map(utf8(), int32(), true)->to_string() == "map<string, int32, keys_sorted>");
  CHECK((*dense_union({field("a", int32()), field("b", utf8())}, {3, 7}))->to_string() ==
        "dense_union<a: int32=3, b: string=7>");
  CHECK((*sparse_union({field("a", int32())}))->to_string() == "sparse_union<a: int32=0>");
}

TEST_CASE("type parameters are checked") {
  CHECK(time32(TimeUnit::kNano).status().is_invalid());
  CHECK(time64(TimeUnit::kSecond).status().is_invalid());
  CHECK(dense_union({field("a", int32()), field("b", int32())}, {1, 1}).status().message() ==
        "union type code 1 repeats");
  CHECK(sparse_union({field("a", int32())}, {-3}).status().is_invalid());
  CHECK(sparse_union({field("a", int32())}, {1, 2}).status().is_invalid());
  CHECK(map(field("e", int32())).status().is_type_error());
}

TEST_CASE("type, field and schema equality") {
  CHECK(list(int32())->equals(*list(int32())));
  CHECK_FALSE(list(int32())->equals(*list(int64())));
  CHECK_FALSE(timestamp(TimeUnit::kMilli)->equals(*timestamp(TimeUnit::kMilli, "UTC")));
  auto md = key_value_metadata({{"k", "v"}});
  auto a = schema({field("x", int32(), true, md)});
  auto b = schema({field("x", int32())});
  CHECK(a->equals(*b));
  CHECK_FALSE(a->equals(*b, /*check_metadata=*/true));
  CHECK(a->get_field_index("x") == 0);
  CHECK(a->get_field_index("y") == -1);
  CHECK(schema({field("f0", int64()), field("f1", utf8())}, key_value_metadata({{"a", "b"}}))->to_string() ==
        "f0: int64\nf1: string\n-- schema metadata --\na: 'b'");
}

TEST_CASE("fixed widths") {
  CHECK(boolean()->bit_width() == 1);
  CHECK(int16()->byte_width() == 2);
  CHECK(timestamp(TimeUnit::kNano)->byte_width() == 8);
  CHECK(fixed_size_binary(5)->byte_width() == 5);
  CHECK(utf8()->byte_width() == 0);
  CHECK_FALSE(list(int32())->is_fixed_width());
}

TEST_CASE("float16 conversions round to nearest even and keep the specials") {
  CHECK(double_to_half(1.0) == 0x3C00);
  CHECK(double_to_half(-2.0) == 0xC000);
  CHECK(double_to_half(65504.0) == 0x7BFF);
  CHECK(double_to_half(65520.0) == 0x7C00);  // rounds up to infinity
  CHECK(double_to_half(1e-8) == 0x0000);
  CHECK(double_to_half(5.960464477539063e-8) == 0x0001);  // smallest subnormal
  CHECK(double_to_half(-0.0) == 0x8000);
  CHECK((double_to_half(std::nan("")) & 0x7C00) == 0x7C00);
  for (std::uint32_t h = 0; h < 0x7C00; ++h) {
    INFO(h);
    REQUIRE(double_to_half(half_to_double(static_cast<std::uint16_t>(h))) == h);
  }
  CHECK(half_to_double(0x7C00) == INFINITY);
  CHECK(std::isnan(half_to_double(0x7E00)));
}

#include <catch2/catch.hpp>
#include <cstring>
#include <limits>

#include "arrowpack/core/builder.h"
#include "arrowpack/core/record_batch.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {
std::shared_ptr<Buffer> bytes_of(const std::vector<std::int32_t>& v) {
  return ok_or_die(Buffer::copy_of(v.data(), static_cast<std::int64_t>(v.size() * 4)));
}
}  // namespace

TEST_CASE("pa.array(['foo', 'bar', 'baz', None]) in one line") {
  auto a = ok_or_die(array<std::string>({"foo", "bar", "baz", std::nullopt}));
  CHECK(a.type()->equals(*utf8()));
  CHECK(a.length() == 4);
  CHECK(a.null_count() == 1);
  CHECK(a.string_view(1) == "bar");
  CHECK(a.is_null(3));
  CHECK(a.to_string() == "[\n  \"foo\",\n  \"bar\",\n  \"baz\",\n  null\n]");
  CHECK(a.to_string_compact() == "[\"foo\",\"bar\",\"baz\",null]");
  CHECK(a.validate_full().ok());
}

TEST_CASE("the seed batch and its repr") {
  auto batch = arrowpack::testing::seed_batch();
  CHECK(batch->num_rows() == 4);
  CHECK(batch->num_columns() == 3);
  CHECK(batch->to_string() ==
        "arrowpack.RecordBatch\nf0: int64\nf1: string\nf2: bool\n----\n"
        "f0: [1,2,3,4]\nf1: [\"foo\",\"bar\",\"baz\",null]\nf2: [true,null,false,true]");
  CHECK(batch->equals(*arrowpack::testing::seed_batch()));
}

TEST_CASE("arrays are laid out as the columnar spec says") {
  auto a = ok_or_die(array<std::int32_t>({1, std::nullopt, 3}));
  REQUIRE(a.buffer(0));
  CHECK(a.buffer(0)->data()[0] == 0b101);
  CHECK(reinterpret_cast<std::uintptr_t>(a.buffer(1)->data()) % 64 == 0);
  CHECK(a.value<std::int32_t>(2) == 3);
  auto s = ok_or_die(array<std::string>({"ab", "", "cde"}));
  CHECK(s.buffer(0) == nullptr);  // no nulls: no bitmap
  const auto* offsets = reinterpret_cast<const std::int32_t*>(s.buffer(1)->data());
  CHECK(std::vector<std::int32_t>(offsets, offsets + 4) == std::vector<std::int32_t>{0, 2, 2, 5});
  CHECK(s.buffer(2)->view() == "abcde");
}

TEST_CASE("slices share buffers and recount nulls") {
  auto a = ok_or_die(array<std::int64_t>({std::nullopt, 1, 2, std::nullopt, 4}));
  auto s = ok_or_die(a.slice(1, 3));
  CHECK(s.buffer(1) == a.buffer(1));
  CHECK(s.offset() == 1);
  CHECK(s.null_count() == 1);
  CHECK(s.value<std::int64_t>(0) == 1);
  CHECK(s.to_string_compact() == "[1,2,null]");
  CHECK(ok_or_die(a.slice(1, 2)).equals(ok_or_die(array<std::int64_t>({1, 2}))));
  CHECK(a.slice(3, 3).status().is_index_error());
}

TEST_CASE("nested builders") {
  auto type = list(struct_({field("a", int32()), field("b", utf8())}));
  auto b = ok_or_die(make_builder(type));
  auto* lb = dynamic_cast<ListBuilder*>(b.get());
  auto* sb = dynamic_cast<StructBuilder*>(lb->values_builder());
  auto* ab = dynamic_cast<NumericBuilder<std::int32_t>*>(sb->field_builder(0));
  auto* bb = dynamic_cast<BinaryBuilder*>(sb->field_builder(1));
  REQUIRE(lb->append().ok());
  REQUIRE(sb->append().ok());
  REQUIRE(ab->append(1).ok());
  REQUIRE(bb->append("x").ok());
  REQUIRE(lb->append_null().ok());
  REQUIRE(lb->append().ok());
  auto a = ok_or_die(b->finish());
  CHECK(a.to_string_compact() == "[[{a: 1, b: \"x\"}],null,[]]");
  CHECK(a.validate_full().ok());
  CHECK(b->length() == 0);  // reusable
}

TEST_CASE("union builders") {
  auto type = ok_or_die(dense_union({field("i", int64()), field("s", utf8())}, {2, 5}));
  auto b = ok_or_die(make_builder(type));
  auto* ub = dynamic_cast<UnionBuilder*>(b.get());
  REQUIRE(ub->append(2).ok());
  REQUIRE(dynamic_cast<NumericBuilder<std::int64_t>*>(ub->child_builder(0))->append(9).ok());
  REQUIRE(ub->append(5).ok());
  REQUIRE(dynamic_cast<BinaryBuilder*>(ub->child_builder(1))->append("nine").ok());
  CHECK(ub->append(3).is_invalid());
  auto a = ok_or_die(b->finish());
  CHECK(a.to_string_compact() == "[(2: 9),(5: \"nine\")]");
  CHECK(a.union_value_offset(1) == 0);
  CHECK(a.validate_full().ok());
}

TEST_CASE("validate() catches buffers too small for the length") {
  auto values = bytes_of({1, 2});
  auto r = Array::make(int32(), 3, {nullptr, values});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("needs 12 bytes of values, buffer has 8") != std::string::npos);
  CHECK(Array::make(int32(), -1, {nullptr, values}).status().is_invalid());
  CHECK(Array::make(int32(), 1, {nullptr}).status().message().find("buffers") != std::string::npos);
  CHECK(Array::make(int32(), 2, {nullptr, values}, {}, 1).status().message().find("without a validity bitmap") !=
        std::string::npos);
}

TEST_CASE("validate_full() catches offsets that are not monotonic or leave the data") {
  auto data = Buffer::from_string("abcdef");
  auto bad = Array::make(utf8(), 3, {nullptr, bytes_of({0, 4, 2, 6}), data});
  REQUIRE(bad.ok());  // first and last offsets are fine: O(1) checks pass
  auto st = bad->validate_full();
  CHECK(st.is_invalid());
  CHECK(st.message().find("offset 2 is 2 after 4") != std::string::npos);
  auto beyond = Array::make(utf8(), 1, {nullptr, bytes_of({0, 7}), data});
  REQUIRE_FALSE(beyond.ok());
  CHECK(beyond.status().message().find("outside the 6 bytes of data") != std::string::npos);
  auto negative = Array::make(utf8(), 1, {nullptr, bytes_of({-1, 2}), data});
  CHECK_FALSE(negative.ok());
}

TEST_CASE("UTF-8 is checked at every length and position (the ASCII words and their tail)") {
  auto valid = [](const std::string& s) {
    const auto n = static_cast<std::int32_t>(s.size());
    auto a = Array::make(utf8(), 1, {nullptr, bytes_of({0, n}), Buffer::from_string(s)});
    return a.ok() && a->validate_full().ok();
  };
  for (std::size_t n = 0; n <= 24; ++n) {
    const std::string ascii(n, 'a');
    CHECK(valid(ascii));
    for (std::size_t at = 0; at < n; ++at) {
      std::string stray = ascii;
      stray[at] = '\x80';  // a continuation byte alone
      CHECK_FALSE(valid(stray));
      std::string high = ascii;
      high[at] = '\x7F';
      CHECK(valid(high));
      if (at + 1 < n) {
        std::string two = ascii;
        two[at] = '\xC3';  // é
        two[at + 1] = '\xA9';
        CHECK(valid(two));
        two[at + 1] = 'a';  // cut
        CHECK_FALSE(valid(two));
      }
    }
  }
}

TEST_CASE("validate_full() checks UTF-8, union codes and dense offsets") {
  auto bad_utf8 = Array::make(utf8(), 1, {nullptr, bytes_of({0, 2}), Buffer::from_string("\xC3\x28")});
  REQUIRE(bad_utf8.ok());
  CHECK(bad_utf8->validate_full().message() == "string value 0 is not valid UTF-8");

  auto type = ok_or_die(dense_union({field("a", int32())}, {4}));
  auto child = ok_or_die(array<std::int32_t>({7}));
  auto codes = Buffer::from_string(std::string("\x04\x05", 2));
  auto offsets = bytes_of({0, 0});
  auto u = Array::make(type, 2, {nullptr, codes, offsets}, {child}, 0);
  REQUIRE(u.ok());
  CHECK(u->validate_full().message() == "union slot 1 has type code 5, which the type does not declare");
  auto codes_ok = Buffer::from_string(std::string("\x04\x04", 2));
  auto u2 = Array::make(type, 2, {nullptr, codes_ok, bytes_of({0, 1})}, {child}, 0);
  REQUIRE(u2.ok());
  CHECK(u2->validate_full().message() == "dense union slot 1 points at 1 in a child of length 1");
}

TEST_CASE("validate_full() checks the null count against the bitmap") {
  auto values = bytes_of({1, 2, 3});
  auto bitmap = Buffer::from_string(std::string("\x07", 1));
  auto a = Array::make(int32(), 3, {bitmap, values}, {}, 2);
  REQUIRE(a.ok());
  CHECK(a->validate_full().message().find("does not match") != std::string::npos);
}

TEST_CASE("make_nulls of every nested type is valid") {
  for (const auto& t : {list(int32()), struct_({field("a", utf8())}), map(utf8(), int32()), fixed_size_list(int8(), 3),
                        ok_or_die(sparse_union({field("x", int8())})), ok_or_die(dense_union({field("x", int8())})),
                        utf8(), boolean(), null()}) {
    auto a = ok_or_die(Array::make_nulls(t, 4));
    INFO(t->to_string());
    CHECK(a.validate_full().ok());
    CHECK(a.is_null(3));
  }
}

TEST_CASE("tables compare rows across batch boundaries") {
  auto seed = arrowpack::testing::seed_batch();
  auto t1 = ok_or_die(Table::from_batches(seed->schema(), {seed, seed}));
  auto a = ok_or_die(seed->slice(0, 3));
  auto b = ok_or_die(seed->slice(3, 1));
  auto t2 = ok_or_die(Table::from_batches(seed->schema(), {a, b, a, b}));
  CHECK(t1->num_rows() == 8);
  CHECK(t1->equals(*t2));
  auto other = ok_or_die(RecordBatch::from_arrays({ok_or_die(array<std::int32_t>({1}))}, {"x"}));
  CHECK(Table::from_batches(seed->schema(), {other}).status().is_invalid());
}

TEST_CASE("make() checks offset and length before reading the bitmap, data buffers are required") {
  auto bitmap = Buffer::from_string(std::string("\xff", 1));
  auto values = bytes_of({1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(Array::make(int32(), 8, {bitmap, values}, {}, -1, -64).status().is_invalid());
  CHECK(Array::make(int32(), 8, {bitmap, values}, {}, -1, std::numeric_limits<std::int64_t>::max())
            .status()
            .is_invalid());
  auto missing = Array::make(utf8(), 2, {nullptr, bytes_of({0, 0, 0}), nullptr});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "string array of length 2 is missing buffer 2");
  CHECK(ok_or_die(Array::make_nulls(fixed_size_binary(0), 3)).validate_full().ok());
}

TEST_CASE("timestamps at the ends of the int64 range print without overflow") {
  for (auto unit : {TimeUnit::kSecond, TimeUnit::kNano}) {
    auto a = ok_or_die(array<std::int64_t>(
        timestamp(unit, "UTC"), {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}));
    CHECK_FALSE(a.to_string().empty());
  }
  auto long_array = ok_or_die(array<std::int32_t>(std::vector<std::int32_t>(30, 7)));
  CHECK(long_array.to_string_compact(2) == "[7,7,...,7,7]");
}

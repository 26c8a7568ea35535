// The layouts of Arrow 1.4+: binary/string views, list views and run-end encoding — values,
// slices, IPC round trips (including big-endian conversion) and the bad inputs of each.
#include <catch2/catch.hpp>

#include <cstring>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::buffer_of;
using arrowpack::testing::ok_or_die;

namespace {

Array views_of(const std::vector<std::optional<std::string>>& values, DataTypePtr type = utf8_view()) {
  BinaryViewBuilder b(std::move(type));
  for (const auto& v : values) REQUIRE((v ? b.append(*v) : b.append_null()).ok());
  return ok_or_die(b.finish());
}

Array round_trip(const Array& a, bool file) {
  auto batch = ok_or_die(RecordBatch::make(schema({field("c", a.type())}), {a}));
  auto bytes = arrowpack::testing::write_ipc(*batch, 1, file);
  auto table = file ? ok_or_die(ok_or_die(ipc::open_file(bytes))->read_all())
                    : ok_or_die(ok_or_die(ipc::open_stream(bytes))->read_all());
  return table->batches().at(0)->column(0);
}

// A view array from raw parts (no checks but the O(1) ones).
Array raw_views(std::vector<std::uint8_t> views, std::vector<std::shared_ptr<Buffer>> data, std::int64_t n) {
  std::vector<std::shared_ptr<Buffer>> buffers = {nullptr, buffer_of(views)};
  for (auto& d : data) buffers.push_back(std::move(d));
  return ok_or_die(Array::make(utf8_view(), n, std::move(buffers), {}, 0));
}

std::vector<std::uint8_t> view(std::int32_t length, const char* prefix, std::int32_t buffer, std::int32_t offset) {
  std::vector<std::uint8_t> v(16, 0);
  std::memcpy(v.data(), &length, 4);
  std::memcpy(v.data() + 4, prefix, 4);
  std::memcpy(v.data() + 8, &buffer, 4);
  std::memcpy(v.data() + 12, &offset, 4);
  return v;
}

}  // namespace

TEST_CASE("binary and string views: inline and out-of-line values, slices, IPC") {
  const std::string long_value(40, 'L');
  auto a = views_of({"tiny", std::nullopt, long_value, "exactly12byt", ""});
  CHECK(a.type()->to_string() == "string_view");
  CHECK(a.num_buffers() == 3);  // validity, views, one data buffer
  CHECK(a.string_view(0) == "tiny");
  CHECK(a.string_view(2) == long_value);
  CHECK(a.is_null(1));
  CHECK(a.validate_full().ok());
  CHECK(a.to_string_compact() == R"(["tiny",null,")" + long_value + R"(","exactly12byt",""])");
  auto sliced = ok_or_die(a.slice(2, 2));
  for (bool file : {false, true}) {
    CHECK(round_trip(a, file).equals(a));
    CHECK(round_trip(sliced, file).equals(sliced));
  }
  // Many long values spread over several data buffers.
  BinaryViewBuilder many(binary_view());
  for (int i = 0; i < 3000; ++i) REQUIRE(many.append(std::string(1000, static_cast<char>('a' + i % 26))).ok());
  auto big = ok_or_die(many.finish());
  CHECK(big.num_buffers() > 3);
  CHECK(round_trip(big, false).equals(big));
  CHECK(ok_or_die(concatenate({a, sliced}))
            .equals(views_of({"tiny", std::nullopt, long_value, "exactly12byt", "", long_value, "exactly12byt"})));
  CHECK(views_of({"x"}, utf8_view()).equals(views_of({"x"})));
  BinaryViewBuilder strict(utf8_view());
  CHECK(strict.append("\xC3").is_invalid());
}

TEST_CASE("views that point outside their data buffers, or lie about their prefix, are refused") {
  auto data = Buffer::from_string("abcdefghijklmnopqrstuvwxyz");
  CHECK(raw_views(view(20, "abcd", 0, 0), {data}, 1).validate_full().ok());
  CHECK(raw_views(view(20, "abcd", 0, 10), {data}, 1).validate_full().message() ==
        "view 0 [offset 10, length 20] lies outside its data buffer of 26 bytes");
  CHECK(raw_views(view(20, "abcd", 1, 0), {data}, 1).validate_full().message() ==
        "view 0 points at data buffer 1 of 1");
  CHECK(raw_views(view(20, "abcd", -1, 0), {data}, 1).validate_full().is_invalid());
  CHECK(raw_views(view(20, "zzzz", 0, 0), {data}, 1).validate_full().message() ==
        "view 0 has a prefix that differs from its data");
  CHECK(raw_views(view(-3, "abcd", 0, 0), {data}, 1).validate_full().is_invalid());
  // The IPC reader validates: the same lies in a stream are refused.
  auto lying = raw_views(view(20, "abcd", 0, 10), {data}, 1);
  auto batch = ok_or_die(RecordBatch::make(schema({field("v", utf8_view())}), {lying}));
  auto bytes = arrowpack::testing::write_ipc(*batch, 1, false);
  CHECK(ok_or_die(ipc::open_stream(bytes))->read_next_batch().status().is_invalid());
  CHECK(Array::make(utf8_view(), 2, {nullptr, buffer_of(view(1, "a\0\0\0", 0, 0))}, {}, 0).status().is_invalid());
}

TEST_CASE("list views: out of order, overlapping and empty views, builders, IPC, bad views") {
  auto child = ok_or_die(array<std::int32_t>({1, 2, 3, 4, 5}));
  auto a = ok_or_die(
      Array::make(list_view(int32()), 4,
                  {buffer_of(std::vector<std::uint8_t>{0b1011}), buffer_of(std::vector<std::int32_t>{3, 0, 1, 1}),
                   buffer_of(std::vector<std::int32_t>{2, 3, 9, 0})},
                  {child}, -1));
  CHECK(a.type()->to_string() == "list_view<item: int32>");
  CHECK(a.null_count() == 1);
  CHECK(a.validate_full().ok());  // the null view's size 9 is not looked at
  CHECK(a.to_string_compact() == "[[4,5],[1,2,3],null,[]]");
  for (bool file : {false, true}) {
    CHECK(round_trip(a, file).equals(a));
    CHECK(round_trip(ok_or_die(a.slice(1, 2)), file).to_string_compact() == "[[1,2,3],null]");
  }
  auto builder = ok_or_die(make_builder(large_list_view(utf8())));
  auto* lb = static_cast<ListBuilder*>(builder.get());
  auto* vb = static_cast<BinaryBuilder*>(lb->values_builder());
  REQUIRE(lb->append().ok());
  REQUIRE(vb->append("x").ok());
  REQUIRE(vb->append("y").ok());
  REQUIRE(lb->append_null().ok());
  REQUIRE(lb->append().ok());
  auto built = ok_or_die(builder->finish());
  CHECK(built.type()->to_string() == "large_list_view<item: string>");
  CHECK(built.to_string_compact() == R"([["x","y"],null,[]])");
  CHECK(ok_or_die(concatenate({a, ok_or_die(a.slice(0, 2))})).to_string_compact() ==
        "[[4,5],[1,2,3],null,[],[4,5],[1,2,3]]");
  // A view past the child, a negative offset or size.
  for (auto [off, size] : {std::pair{4, 2}, std::pair{-1, 1}, std::pair{0, -1}}) {
    auto bad = ok_or_die(Array::make(
        list_view(int32()), 1,
        {nullptr, buffer_of(std::vector<std::int32_t>{off}), buffer_of(std::vector<std::int32_t>{size})}, {child}, 0));
    CHECK(bad.validate_full().is_invalid());
  }
}

TEST_CASE("run-end encoding: encode, logical access, slices, IPC, bad run ends") {
  auto values = ok_or_die(array<std::string>({"a", "a", "b", std::nullopt, std::nullopt, "a"}));
  auto ree = ok_or_die(run_end_encode(values, int16()));
  CHECK(ree.type()->to_string() == "run_end_encoded<run_ends: int16, values: string>");
  CHECK(ree.child(0).to_string_compact() == "[2,3,5,6]");
  CHECK(ree.child(1).to_string_compact() == R"(["a","b",null,"a"])");
  CHECK(ree.to_string_compact() == R"(["a","a","b",null,null,"a"])");
  CHECK(ree.equals(ok_or_die(run_end_encode(values, int16()))));
  CHECK(ree.is_null(4));
  CHECK(ree.physical_index(4) == 2);
  CHECK(ree.validate_full().ok());
  auto sliced = ok_or_die(ree.slice(1, 3));
  CHECK(sliced.to_string_compact() == R"(["a","b",null])");
  for (bool file : {false, true}) {
    CHECK(round_trip(ree, file).equals(ree));
    auto back = round_trip(sliced, file);
    CHECK(back.equals(sliced));
    CHECK(back.child(0).to_string_compact() == "[1,2,3]");  // rebased to the slice
  }
  CHECK(ok_or_die(concatenate({sliced, ree})).to_string_compact() == R"(["a","b",null,"a","a","b",null,null,"a"])");
  CHECK(run_end_encoded(int8(), utf8()).status().is_type_error());
  CHECK(run_end_encode(ok_or_die(Array::make_nulls(int32(), 40000)), int16()).status().is_capacity_error());
  auto nulls = ok_or_die(Array::make_nulls(ree.type(), 3));
  CHECK(nulls.validate_full().ok());
  CHECK(nulls.is_null(2));
  // Run ends that do not increase, that stop short, or that are null.
  auto two = ok_or_die(array<std::string>({"x", "y"}));
  auto type = ok_or_die(run_end_encoded(int32(), utf8()));
  auto make = [&](std::vector<std::optional<std::int32_t>> ends, std::int64_t length) {
    return Array::make(type, length, {nullptr}, {ok_or_die(array<std::int32_t>(ends)), two}, 0);
  };
  CHECK(ok_or_die(make({3, 3}, 3)).validate_full().message() == "run end 1 is 3 after 3: run ends must increase");
  CHECK(ok_or_die(make({0, 3}, 3)).validate_full().is_invalid());
  CHECK(make({1, 2}, 3).status().message() == "the last run ends at 2, before the array's end 3");
  CHECK(make({1, std::nullopt}, 1).status().message() == "run ends must not be null");
  CHECK(Array::make(type, 1, {nullptr}, {ok_or_die(array<std::int32_t>({1, 2, 3})), two}, 0).status().is_invalid());
  // The same refusal when the bytes come from a stream: run ends [1, 3] patched to [3, 3]
  // (the body starts with the run ends, the empty validity bitmap taking no bytes).
  auto batch = ok_or_die(RecordBatch::make(schema({field("r", type)}), {ok_or_die(make({1, 3}, 3))}));
  auto bytes = arrowpack::testing::write_ipc(*batch, 1, false);
  std::int32_t schema_length, batch_length;
  std::memcpy(&schema_length, bytes->data() + 4, 4);
  const std::int64_t batch_start = 8 + schema_length;
  std::memcpy(&batch_length, bytes->data() + batch_start + 4, 4);
  std::string patched = bytes->to_string();
  const std::int32_t lies[2] = {3, 3};
  std::memcpy(patched.data() + batch_start + 8 + batch_length, lies, 8);
  CHECK(ok_or_die(ipc::open_stream(Buffer::from_string(patched)))
            ->read_next_batch()
            .status()
            .message()
            .find("run ends must increase") != std::string::npos);
}

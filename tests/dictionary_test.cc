// Dictionary encoding: the type, builders, concatenation, and dictionaries in IPC streams
// and files (new, replaced, delta, nested), with the bad inputs of each.
#include <catch2/catch.hpp>

#include <cstring>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

DataTypePtr dict_type(DataTypePtr index = int32(), DataTypePtr values = utf8(), bool ordered = false) {
  return ok_or_die(dictionary(std::move(index), std::move(values), ordered));
}

Array strings_dict(const std::vector<std::optional<std::string>>& values, DataTypePtr index = int32()) {
  return ok_or_die(dictionary_encode(ok_or_die(array<std::string>(values)), std::move(index)));
}

RecordBatchPtr one_column(const std::string& name, const Array& a) {
  return ok_or_die(RecordBatch::make(schema({field(name, a.type())}), {a}));
}

std::shared_ptr<Buffer> write_all(const std::vector<RecordBatchPtr>& batches, bool file,
                                  const ipc::IpcWriteOptions& options, ipc::WriteStats* stats = nullptr) {
  auto sink = ok_or_die(io::BufferOutputStream::create());
  std::shared_ptr<ipc::StreamWriter> writer;
  if (file) {
    writer = ok_or_die(ipc::new_file(sink, batches[0]->schema(), options));
  } else {
    writer = ok_or_die(ipc::new_stream(sink, batches[0]->schema(), options));
  }
  for (const auto& b : batches) REQUIRE(writer->write_batch(*b).ok());
  REQUIRE(writer->close().ok());
  if (stats) *stats = writer->stats();
  return ok_or_die(sink->finish());
}

Result<TablePtr> read_back(const std::shared_ptr<Buffer>& bytes, bool file, ipc::ReadStats* stats = nullptr) {
  if (file) {
    ARROWPACK_ASSIGN_OR_RAISE(auto r, ipc::open_file(bytes));
    ARROWPACK_ASSIGN_OR_RAISE(auto t, r->read_all());
    if (stats) *stats = r->stats();
    return t;
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto r, ipc::open_stream(bytes));
  ARROWPACK_ASSIGN_OR_RAISE(auto t, r->read_all());
  if (stats) *stats = r->stats();
  return t;
}

}  // namespace

TEST_CASE("dictionary types: Arrow C++ spelling, equality, refused parameters") {
  CHECK(dict_type()->to_string() == "dictionary<values=string, indices=int32, ordered=0>");
  CHECK(dict_type(uint8(), int64(), true)->to_string() == "dictionary<values=int64, indices=uint8, ordered=1>");
  CHECK(dict_type()->equals(*dict_type()));
  CHECK_FALSE(dict_type(int8())->equals(*dict_type(int16())));
  CHECK_FALSE(dict_type(int8(), utf8(), true)->equals(*dict_type(int8(), utf8(), false)));
  CHECK(dict_type()->value_type()->equals(*utf8()));
  CHECK(dictionary(float64(), utf8()).status().is_type_error());
  CHECK(dictionary(int8(), dict_type()).status().message() ==
        "the values of a dictionary cannot themselves be dictionary-encoded");
}

TEST_CASE("dictionary_encode and DictionaryBuilder: first appearance order, nulls, memo across arrays") {
  auto a = strings_dict({"b", "a", std::nullopt, "b", "c"}, int8());
  CHECK(a.type()->equals(*dict_type(int8())));
  CHECK(a.dictionary().equals(ok_or_die(array<std::string>({"b", "a", "c"}))));
  CHECK(a.null_count() == 1);
  CHECK(a.dictionary_index(3) == 0);
  CHECK(a.to_string_compact() == R"(["b","a",null,"b","c"])");
  CHECK(a.to_string() ==
        "\n-- dictionary:\n  [\n    \"b\",\n    \"a\",\n    \"c\"\n  ]\n-- indices:\n  [\n    0,\n    1,\n    null,\n  "
        "  0,\n    2\n  ]");
  auto ints = ok_or_die(dictionary_encode(ok_or_die(array<std::int64_t>({7, 7, -1})), uint16()));
  CHECK(ints.dictionary().equals(ok_or_die(array<std::int64_t>({7, -1}))));
  CHECK(dictionary_encode(ok_or_die(array<bool>({true})), int32()).status().is_not_implemented());

  auto builder = ok_or_die(DictionaryBuilder::make(dict_type(int8())));
  REQUIRE(builder->append("x").ok());
  REQUIRE(builder->append_null().ok());
  auto first = ok_or_die(builder->finish());
  REQUIRE(builder->append("x").ok());
  auto same = ok_or_die(builder->finish());
  CHECK(same.data()->dictionary == first.data()->dictionary);  // no new value: the same dictionary
  REQUIRE(builder->append("y").ok());
  auto grown = ok_or_die(builder->finish());
  CHECK(grown.dictionary().equals(ok_or_die(array<std::string>({"x", "y"}))));
  CHECK(builder->append("\xFF").is_invalid());  // not UTF-8
  for (int i = 0; i < 126; ++i) REQUIRE(builder->append("v" + std::to_string(i)).ok());
  CHECK(builder->append("one too many").is_capacity_error());  // int8 indices stop at 127
  auto wide = ok_or_die(DictionaryBuilder::make(dict_type(int32(), int64())));
  CHECK(wide->append_value(std::int32_t{1}).is_invalid());  // 4 bytes for an int64 value
  REQUIRE(wide->append_value(std::int64_t{1}).ok());
  CHECK(DictionaryBuilder::make(dict_type(int32(), list(int32()))).status().is_not_implemented());
}

TEST_CASE("make_dictionary and validate_full check the indices against the dictionary") {
  auto dict = ok_or_die(array<std::string>({"a", "b"}));
  auto good =
      ok_or_die(Array::make_dictionary(dict_type(int16()), ok_or_die(array<std::int16_t>({0, 1, std::nullopt})), dict));
  CHECK(good.validate_full().ok());
  auto bad = Array::make_dictionary(dict_type(int16()), ok_or_die(array<std::int16_t>({0, 2})), dict);
  CHECK(bad.status().message() == "dictionary index 2 at slot 1 is outside the dictionary of 2 values");
  CHECK(Array::make_dictionary(dict_type(int16()), ok_or_die(array<std::int16_t>({-1})), dict).status().is_invalid());
  CHECK(Array::make_dictionary(dict_type(int32()), ok_or_die(array<std::int16_t>({0})), dict).status().is_type_error());
  CHECK(Array::make_dictionary(dict_type(int16(), int64()), ok_or_die(array<std::int16_t>({0})), dict)
            .status()
            .is_type_error());
  // Indices past INT64_MAX in a uint64 index array are out of range, not negative offsets.
  auto huge = ok_or_die(array<std::uint64_t>({std::numeric_limits<std::uint64_t>::max()}));
  CHECK(Array::make_dictionary(dict_type(uint64()), huge, dict).status().is_invalid());
  auto nulls = ok_or_die(Array::make_nulls(dict_type(), 3));
  CHECK(nulls.validate_full().ok());
  CHECK(nulls.null_count() == 3);
}

TEST_CASE("concatenate: every layout, sliced inputs, shared dictionaries") {
  auto ints = ok_or_die(array<std::int32_t>({1, std::nullopt, 3, 4}));
  auto more = ok_or_die(ok_or_die(array<std::int32_t>({9, 5, std::nullopt})).slice(1));
  CHECK(ok_or_die(concatenate({ints, more}))
            .equals(ok_or_die(array<std::int32_t>({1, std::nullopt, 3, 4, 5, std::nullopt}))));
  auto s1 = ok_or_die(ok_or_die(array<std::string>({"skip", "a", std::nullopt})).slice(1));
  auto s2 = ok_or_die(array<std::string>({"bc", ""}));
  CHECK(ok_or_die(concatenate({s1, s2})).equals(ok_or_die(array<std::string>({"a", std::nullopt, "bc", ""}))));
  auto b1 = ok_or_die(array<bool>({true, false, std::nullopt}));
  CHECK(ok_or_die(concatenate({b1, b1}))
            .equals(ok_or_die(array<bool>({true, false, std::nullopt, true, false, std::nullopt}))));
  // Every type of the interop set concatenated with itself equals the slices it was built from.
  for (const auto& [name, batch] : arrowpack::testing::batches_per_type()) {
    INFO(name);
    const Array& a = batch->column(0);
    auto twice = concatenate({a, a});
    REQUIRE(twice.ok());
    CHECK(twice->validate_full().ok());
    CHECK(twice->length() == 2 * a.length());
    CHECK(ok_or_die(twice->slice(0, a.length())).equals(a));
    CHECK(ok_or_die(twice->slice(a.length())).equals(a));
  }
  auto d1 = strings_dict({"a", "b"});
  auto d2 = strings_dict({"b", "a"});
  CHECK(concatenate({d1, d2}).status().is_not_implemented());
  auto joined = ok_or_die(concatenate({d1, ok_or_die(d1.slice(1))}));
  CHECK(joined.data()->dictionary == d1.data()->dictionary);
  CHECK(concatenate({ints, s2}).status().is_type_error());
  CHECK(concatenate({}).status().is_invalid());
}

TEST_CASE("IPC: a growing dictionary goes out as deltas, a changed one as a replacement") {
  auto builder = ok_or_die(DictionaryBuilder::make(dict_type(int16())));
  std::vector<RecordBatchPtr> growing;
  for (const auto& words : std::vector<std::vector<std::string>>{{"a", "b"}, {"b", "c"}, {"a"}, {"d", "a"}}) {
    for (const auto& w : words) REQUIRE(builder->append(w).ok());
    growing.push_back(one_column("w", ok_or_die(builder->finish())));
  }
  for (bool file : {false, true}) {
    INFO((file ? "file" : "stream"));
    ipc::IpcWriteOptions deltas;
    deltas.emit_dictionary_deltas = true;
    ipc::WriteStats ws;
    auto bytes = write_all(growing, file, deltas, &ws);
    CHECK(ws.num_dictionary_batches == 3);  // the first, then "c", then "d"
    CHECK(ws.num_dictionary_deltas == 2);
    ipc::ReadStats rs;
    auto table = ok_or_die(read_back(bytes, file, &rs));
    CHECK(rs.num_dictionary_deltas == 2);
    REQUIRE(table->num_rows() == 7);
    CHECK(table->batches()[3]->column(0).to_string_compact() == R"(["d","a"])");
    CHECK(table->batches()[1]->column(0).to_string_compact() == R"(["b","c"])");
  }
  // Without deltas a stream sends the whole dictionary again each time it grows.
  ipc::WriteStats ws;
  auto replaced = write_all(growing, false, {}, &ws);
  CHECK(ws.num_replaced_dictionaries == 2);
  ipc::ReadStats rs;
  auto table = ok_or_die(read_back(replaced, false, &rs));
  CHECK(rs.num_replaced_dictionaries == 2);
  CHECK(table->batches()[3]->column(0).to_string_compact() == R"(["d","a"])");
  // A file cannot replace: it refuses without deltas, and merges with unify_dictionaries.
  std::vector<RecordBatchPtr> different = {one_column("w", strings_dict({"x", "y"})),
                                           one_column("w", strings_dict({"z", "x", std::nullopt}))};
  {
    auto sink = ok_or_die(io::BufferOutputStream::create());
    auto writer = ok_or_die(ipc::new_file(sink, different[0]->schema()));
    REQUIRE(writer->write_batch(*different[0]).ok());
    CHECK(writer->write_batch(*different[1]).message().find("cannot replace dictionaries") != std::string::npos);
  }
  ipc::IpcWriteOptions unify;
  unify.unify_dictionaries = true;
  auto merged = ok_or_die(read_back(write_all(different, true, unify), true));
  CHECK(merged->batches()[1]->column(0).to_string_compact() == R"(["z","x",null])");
  CHECK(merged->batches()[1]->column(0).dictionary().to_string_compact() == R"(["x","y","z"])");
}

TEST_CASE("IPC: nested and shared dictionaries round-trip, zero-copy from a buffer") {
  auto inner = strings_dict({"p", "q", "p", std::nullopt, "q"}, int8());
  auto offsets = ok_or_die(Buffer::copy_of(std::vector<std::int32_t>{0, 2, 2, 5}.data(), 16));
  auto lists = ok_or_die(Array::make(list(field("item", inner.type())), 3, {nullptr, offsets}, {inner}, 0));
  auto structs = ok_or_die(Array::make(struct_({field("s", inner.type()), field("n", int32())}), 5, {nullptr},
                                       {inner, ok_or_die(array<std::int32_t>({1, 2, 3, 4, 5}))}, 0));
  auto outer = ok_or_die(dictionary_encode(ok_or_die(array<std::int64_t>({10, 20, 10})), uint8()));
  auto batch = ok_or_die(
      RecordBatch::make(schema({field("lists", lists.type()), field("structs", ok_or_die(structs.slice(0, 3)).type()),
                                field("outer", outer.type())}),
                        {lists, ok_or_die(structs.slice(0, 3)), outer}));
  for (bool file : {false, true}) {
    INFO((file ? "file" : "stream"));
    auto bytes = write_all({batch, batch}, file, {});
    auto table = ok_or_die(read_back(bytes, file));
    REQUIRE(table->batches().size() == 2);
    CHECK(table->batches()[1]->equals(*batch));
    for (const auto& c : table->batches()[0]->columns()) CHECK(arrowpack::testing::points_into(c, *bytes));
  }
}

TEST_CASE("IPC: dictionaries that lie or come out of order are refused") {
  auto batch = one_column("w", strings_dict({"a", "b", "a"}));
  auto stream = arrowpack::testing::write_ipc(*batch, 1, false);
  // Messages: schema, dictionary, record batch, end of stream.
  auto reader = std::make_shared<io::BufferReader>(stream);
  auto schema_msg = ok_or_die(ipc::read_message(reader.get()));
  auto dict_msg = ok_or_die(ipc::read_message(reader.get()));
  auto batch_msg = ok_or_die(ipc::read_message(reader.get()));
  REQUIRE(dict_msg->type() == ipc::MessageType::kDictionaryBatch);
  ipc::DictionaryMemo memo;
  auto schema_read = ok_or_die(ipc::read_schema(*schema_msg, &memo));
  CHECK(memo.num_fields() == 1);
  // The record batch before its dictionary.
  CHECK(ipc::read_record_batch(*batch_msg, schema_read, memo).status().message().find("before any dictionary batch") !=
        std::string::npos);
  CHECK(ipc::read_record_batch(*batch_msg, schema_read).status().message().find("read it with its dictionaries") !=
        std::string::npos);
  REQUIRE(ipc::read_dictionary_batch(*dict_msg, &memo).ok());
  CHECK(ok_or_die(ipc::read_record_batch(*batch_msg, schema_read, memo))->equals(*batch));
  // A second non-delta batch: a replacement, refused in the file format.
  CHECK(ipc::read_dictionary_batch(*dict_msg, &memo, {}, false).message().find("cannot replace dictionaries") !=
        std::string::npos);
  // A dictionary batch for an id no field uses.
  ipc::DictionaryMemo empty;
  CHECK(ipc::read_dictionary_batch(*dict_msg, &empty).message() ==
        "dictionary batch for id 0, which no field of the schema uses");
  // Indices past the end of the dictionary (written by a careless producer).
  auto dict = ok_or_die(array<std::string>({"a"}));
  auto indices = ok_or_die(array<std::int32_t>({0, 5}));
  auto lying = std::make_shared<ArrayData>(*indices.data());
  lying->type = dict_type();
  lying->dictionary = std::const_pointer_cast<ArrayData>(dict.data());
  auto bad_batch = ok_or_die(RecordBatch::make(schema({field("w", dict_type())}), 2, {Array(lying)}));
  auto bad = arrowpack::testing::write_ipc(*bad_batch, 1, false);
  CHECK(read_back(bad, false).status().message().find("dictionary index 5 at slot 1 is outside") != std::string::npos);
  auto bad_file = arrowpack::testing::write_ipc(*bad_batch, 1, true);
  CHECK(read_back(bad_file, true).status().is_invalid());
  // Two fields sharing an id must agree on the value type.
  ipc::DictionaryMemo clash;
  REQUIRE(clash.add_field({0}, 7, dict_type()).ok());
  CHECK(clash.add_field({1}, 7, dict_type(int32(), int64())).is_invalid());
  REQUIRE(clash.add_field({2}, 7, dict_type(int8())).ok());
  CHECK(ok_or_die(clash.id_for({2})) == 7);
  CHECK(clash.id_for({3}).status().is_key_error());
}

TEST_CASE("IPC: a delta before its dictionary is refused") {
  auto builder = ok_or_die(DictionaryBuilder::make(dict_type()));
  REQUIRE(builder->append("a").ok());
  auto b1 = one_column("w", ok_or_die(builder->finish()));
  REQUIRE(builder->append("b").ok());
  auto b2 = one_column("w", ok_or_die(builder->finish()));
  ipc::IpcWriteOptions deltas;
  deltas.emit_dictionary_deltas = true;
  auto stream = write_all({b1, b2}, false, deltas);
  auto reader = std::make_shared<io::BufferReader>(stream);
  auto schema_msg = ok_or_die(ipc::read_message(reader.get()));
  auto first = ok_or_die(ipc::read_message(reader.get()));
  (void)ok_or_die(ipc::read_message(reader.get()));  // batch 1
  auto delta = ok_or_die(ipc::read_message(reader.get()));
  REQUIRE(delta->type() == ipc::MessageType::kDictionaryBatch);
  ipc::DictionaryMemo memo;
  (void)ok_or_die(ipc::read_schema(*schema_msg, &memo));
  CHECK(ipc::read_dictionary_batch(*delta, &memo).message() ==
        "delta for dictionary id 0 before its first dictionary batch");
  REQUIRE(ipc::read_dictionary_batch(*first, &memo).ok());
  REQUIRE(ipc::read_dictionary_batch(*delta, &memo).ok());
  CHECK(Array(ok_or_die(memo.dictionary(0))).to_string_compact() == R"(["a","b"])");
}

TEST_CASE("a run of delta dictionaries is joined once, when a batch needs it") {
  SystemMemoryPool pool;  // outlives the memo, which holds the joined dictionary
  ipc::DictionaryMemo memo;
  auto type = dict_type(int32(), int64());
  REQUIRE(memo.add_field({0}, 0, type).ok());
  memo.set_dictionary(0, std::const_pointer_cast<ArrayData>(ok_or_die(array<std::int64_t>({0})).data()));
  for (std::int64_t i = 1; i <= 1000; ++i) {
    memo.add_delta(0, std::const_pointer_cast<ArrayData>(ok_or_die(array<std::int64_t>({i})).data()));
  }
  auto joined = Array(ok_or_die(memo.dictionary(0, &pool)));
  CHECK(joined.length() == 1001);
  CHECK(joined.value<std::int64_t>(1000) == 1000);
  CHECK(pool.num_allocations() <= 2);  // one concatenation, not a thousand
  CHECK(ok_or_die(memo.dictionary(0, &pool)).get() == joined.data().get());
  CHECK(ok_or_die(memo.dictionary(7)) == nullptr);
}

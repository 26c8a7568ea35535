// The Arrow C data interfaces (c/bridge.h): round trips of every type, no copy either way
// (checked by pointers), the release and move rules of the specification, streams, device
// arrays, and hostile structs.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

// Every buffer that the C interface passes is the same memory on both sides.
void check_same_memory(const ArrayData& original, const ArrayData& imported) {
  const TypeInfo& info = original.type->info();
  INFO(original.type->to_string());
  REQUIRE(imported.buffers.size() == original.buffers.size());
  for (std::size_t slot = 0; slot < original.buffers.size(); ++slot) {
    const auto& b = original.buffers[slot];
    if (!b || b->size() == 0) continue;
    if (slot == 0 && (info.buffers[0] != BufferKind::kValidity || original.null_count == 0)) continue;
    REQUIRE(imported.buffers[slot]);
    CHECK(imported.buffers[slot]->data() == b->data());
  }
  REQUIRE(imported.children.size() == original.children.size());
  for (std::size_t i = 0; i < original.children.size(); ++i) {
    check_same_memory(*original.children[i], *imported.children[i]);
  }
  if (original.dictionary) check_same_memory(*original.dictionary, *imported.dictionary);
}

// A hand-made ArrowArray of int32 values, for hostile variations; its release counts calls.
struct HandMade {
  std::vector<std::int32_t> values{1, 2, 3, 4};
  const void* buffers[3] = {nullptr, nullptr, nullptr};
  ArrowArray array{};
  ArrowArray* child_pointer = nullptr;
  int releases = 0;

  static void release(ArrowArray* a) {
    static_cast<HandMade*>(a->private_data)->releases++;
    a->release = nullptr;
  }
  HandMade() {
    buffers[1] = values.data();
    array.length = 4;
    array.n_buffers = 2;
    array.buffers = buffers;
    array.release = &release;
    array.private_data = this;
  }
};

std::string status_message(const Status& st) { return st.to_string(); }

}  // namespace

TEST_CASE("C data interface: every type round-trips through ArrowSchema and ArrowArray without a copy") {
  for (const auto& [name, batch] : arrowpack::testing::batches_per_type()) {
    INFO(name);
    ArrowArray array{};
    ArrowSchema schema{};
    REQUIRE(c::export_record_batch(*batch, &array, &schema).ok());
    CHECK(array.release != nullptr);
    CHECK(schema.release != nullptr);
    CHECK(std::string(schema.format) == "+s");
    auto back = c::import_record_batch(&array, &schema);
    REQUIRE(back.ok());
    CHECK(array.release == nullptr);  // moved into the import
    CHECK(schema.release == nullptr);
    CHECK((*back)->equals(*batch, /*check_metadata=*/true));
    for (int i = 0; i < batch->num_columns(); ++i)
      check_same_memory(*batch->column(i).data(), *(*back)->column(i).data());
  }
}

TEST_CASE("C data interface: format strings, flags and metadata are the specification's") {
  struct Case {
    DataTypePtr type;
    const char* format;
  };
  const std::vector<Case> cases = {
      {int8(), "c"},
      {uint64(), "L"},
      {float16(), "e"},
      {large_utf8(), "U"},
      {utf8_view(), "vu"},
      {fixed_size_binary(7), "w:7"},
      {ok_or_die(decimal128(38, 10)), "d:38,10"},
      {ok_or_die(decimal256(40, -2)), "d:40,-2,256"},
      {ok_or_die(decimal32(9, 2)), "d:9,2,32"},
      {ok_or_die(time32(TimeUnit::kMilli)), "ttm"},
      {ok_or_die(time64(TimeUnit::kNano)), "ttn"},
      {timestamp(TimeUnit::kMicro, "Europe/Paris"), "tsu:Europe/Paris"},
      {timestamp(TimeUnit::kSecond), "tss:"},
      {duration(TimeUnit::kNano), "tDn"},
      {month_day_nano_interval(), "tin"},
      {list(int8()), "+l"},
      {large_list_view(int8()), "+vL"},
      {fixed_size_list(int8(), 3), "+w:3"},
      {ok_or_die(dense_union({field("a", int8()), field("b", utf8())}, {5, 9})), "+ud:5,9"},
      {ok_or_die(run_end_encoded(int32(), utf8())), "+r"},
      {ok_or_die(dictionary(int16(), utf8(), true)), "s"},
  };
  for (const auto& c : cases) {
    INFO(c.type->to_string());
    ArrowSchema schema{};
    REQUIRE(c::export_type(*c.type, &schema).ok());
    CHECK(std::string(schema.format) == c.format);
    auto back = c::import_type(&schema);
    REQUIRE(back.ok());
    CHECK((*back)->equals(*c.type));
  }
  // Flags: nullable, ordered dictionaries, sorted map keys; metadata of fields and schemas.
  ArrowSchema schema{};
  auto s =
      arrowpack::schema({field("d", ok_or_die(dictionary(int8(), utf8(), true)), false),
                         field("m", map(utf8(), int32(), true), true, key_value_metadata({{"k", "v"}, {"", "x"}}))},
                        key_value_metadata({{"schema", "level"}}));
  REQUIRE(c::export_schema(*s, &schema).ok());
  CHECK(schema.children[0]->flags == ARROW_FLAG_DICTIONARY_ORDERED);
  CHECK(schema.children[1]->flags == (ARROW_FLAG_NULLABLE | ARROW_FLAG_MAP_KEYS_SORTED));
  auto back = c::import_schema(&schema);
  REQUIRE(back.ok());
  CHECK((*back)->equals(*s, /*check_metadata=*/true));
}

TEST_CASE("C data interface: release and move semantics") {
  auto batch = arrowpack::testing::seed_batch();
  SECTION("a child moved out of an exported array outlives its parent") {
    ArrowArray array{};
    REQUIRE(c::export_record_batch(*batch, &array).ok());
    ArrowArray moved = *array.children[0];
    array.children[0]->release = nullptr;  // the consumer took it
    array.release(&array);
    CHECK(array.release == nullptr);
    // The moved child still reads (ASan would catch freed memory) and imports.
    auto column = c::import_array(&moved, batch->column(0).type());
    REQUIRE(column.ok());
    CHECK(column->equals(batch->column(0)));
  }
  SECTION("an imported array releases the producer's struct when its last buffer goes") {
    HandMade made;
    auto imported = c::import_array(&made.array, int32());
    REQUIRE(imported.ok());
    CHECK(made.array.release == nullptr);  // moved
    CHECK(made.releases == 0);
    CHECK(imported->value<std::int32_t>(3) == 4);
    CHECK(reinterpret_cast<const void*>(imported->buffer(1)->data()) == made.values.data());
    auto slice = ok_or_die(imported->slice(1, 2));
    imported = Array();
    CHECK(made.releases == 0);  // the slice still views the memory
    slice = Array();
    CHECK(made.releases == 1);
  }
  SECTION("a failed import still releases what it took") {
    HandMade made;
    made.array.n_buffers = 3;  // int32 has two
    auto imported = c::import_array(&made.array, int32());
    CHECK(imported.status().code() == StatusCode::kInvalid);
    CHECK(made.releases == 1);
  }
  SECTION("exported memory stays alive after the arrowpack objects are gone") {
    ArrowArray array{};
    {
      auto copy = arrowpack::testing::seed_batch();
      REQUIRE(c::export_record_batch(*copy, &array).ok());
    }
    auto back = c::import_record_batch(&array, batch->schema());
    REQUIRE(back.ok());
    CHECK((*back)->equals(*batch));
  }
}

TEST_CASE("C stream interface: tables out, batches back, producer errors as IOError") {
  auto batch = arrowpack::testing::seed_batch();
  auto table = ok_or_die(Table::from_batches(batch->schema(), {batch, batch, batch}));
  ArrowArrayStream stream{};
  REQUIRE(c::export_table(table, &stream).ok());
  auto reader = ok_or_die(c::StreamImporter::open(&stream));
  CHECK(stream.release == nullptr);
  CHECK(reader->schema()->equals(*batch->schema()));
  auto back = ok_or_die(reader->read_all());
  CHECK(back->equals(*table));
  CHECK(ok_or_die(reader->read_next_batch()) == nullptr);

  int calls = 0;
  ArrowArrayStream failing{};
  REQUIRE(c::export_stream(
              batch->schema(),
              [&]() -> Result<RecordBatchPtr> {
                if (++calls == 2) return Status::Invalid("the source broke at 'x\x01'");
                return batch;
              },
              &failing)
              .ok());
  auto r = ok_or_die(c::StreamImporter::open(&failing));
  CHECK(ok_or_die(r->read_next_batch()) != nullptr);
  auto err = r->read_next_batch();
  CHECK(err.status().code() == StatusCode::kIOError);
  CHECK_THAT(status_message(err.status()), Catch::Contains("the source broke") && Catch::Contains("\\x01"));
}

TEST_CASE("C device interface: CPU arrays round-trip, other devices are refused and released") {
  auto batch = arrowpack::testing::seed_batch();
  ArrowDeviceArray device{};
  REQUIRE(c::export_device_array(batch->column(0), &device).ok());
  CHECK(device.device_type == ARROW_DEVICE_CPU);
  CHECK(device.device_id == -1);
  auto back = ok_or_die(c::import_device_array(&device, batch->column(0).type()));
  CHECK(back.equals(batch->column(0)));

  HandMade made;
  ArrowDeviceArray gpu{};
  gpu.array = made.array;
  made.array.release = nullptr;
  gpu.device_type = 2;  // CUDA
  auto refused = c::import_device_array(&gpu, int32());
  CHECK(refused.status().code() == StatusCode::kNotImplemented);
  CHECK(made.releases == 1);
}

TEST_CASE("C data interface: hostile structs get typed errors") {
  auto code_of = [](auto&& result) { return result.status().code(); };
  SECTION("inconsistent arrays") {
    {
      HandMade made;
      made.array.length = -1;
      CHECK(code_of(c::import_array(&made.array, int32())) == StatusCode::kInvalid);
    }
    {
      HandMade made;
      made.array.null_count = 5;  // more than the length, and no bitmap
      CHECK(code_of(c::import_array(&made.array, int32())) == StatusCode::kInvalid);
    }
    {
      HandMade made;
      made.buffers[1] = nullptr;  // values needed
      CHECK(code_of(c::import_array(&made.array, int32())) == StatusCode::kInvalid);
    }
    {
      HandMade made;
      made.array.n_children = 1;
      CHECK(code_of(c::import_array(&made.array, int32())) == StatusCode::kInvalid);
    }
    {
      HandMade made;
      made.array.release = nullptr;
      CHECK(code_of(c::import_array(&made.array, int32())) == StatusCode::kInvalid);
    }
  }
  SECTION("a struct whose child is shorter than the struct") {
    HandMade child;
    child.array.length = 2;
    HandMade parent;
    parent.array.length = 4;
    parent.array.n_buffers = 1;
    parent.array.n_children = 1;
    ArrowArray* children[] = {&child.array};
    parent.array.children = children;
    auto st = c::import_array(&parent.array, struct_({field("a", int32())}));
    CHECK(st.status().code() == StatusCode::kInvalid);
    CHECK_THAT(status_message(st.status()), Catch::Contains("shorter"));
  }
  SECTION("offsets that point past the data, or go backwards") {
    std::vector<std::int32_t> offsets{0, 3, 2, 4};
    const char data[] = "abcd";
    const void* buffers[] = {nullptr, offsets.data(), data};
    ArrowArray a{};
    a.length = 3;
    a.n_buffers = 3;
    a.buffers = buffers;
    a.release = [](ArrowArray* x) { x->release = nullptr; };
    auto st = c::import_array(&a, utf8());
    CHECK(st.status().code() == StatusCode::kInvalid);
    offsets = {0, -8, 1, 1};
    a.release = [](ArrowArray* x) { x->release = nullptr; };
    CHECK(code_of(c::import_array(&a, utf8())) == StatusCode::kInvalid);
  }
  SECTION("formats and schemas") {
    auto import_format = [](const char* format, std::int64_t n_children = 0, ArrowSchema** children = nullptr) {
      ArrowSchema s{};
      s.format = format;
      s.n_children = n_children;
      s.children = children;
      s.release = [](ArrowSchema* x) { x->release = nullptr; };
      return c::import_type(&s).status();
    };
    CHECK(import_format("w:abc").code() == StatusCode::kInvalid);
    CHECK(import_format("w:-3").code() == StatusCode::kInvalid);
    CHECK(import_format("d:1").code() == StatusCode::kInvalid);
    CHECK(import_format("d:10,2,48").code() == StatusCode::kInvalid);
    CHECK(import_format("tsx:").code() == StatusCode::kInvalid);
    CHECK(import_format("+l").code() == StatusCode::kInvalid);  // no child
    CHECK(import_format("+us:200").code() == StatusCode::kInvalid);
    CHECK(import_format("zz\xff").code() == StatusCode::kNotImplemented);
    CHECK_THAT(import_format("zz\xff").to_string(), Catch::Contains("\\xff"));
    CHECK(import_format(nullptr).code() == StatusCode::kInvalid);
    CHECK(import_format("+s", 2, nullptr).code() == StatusCode::kInvalid);
    // Metadata that announces more than the limit allows.
    std::vector<std::int32_t> metadata{1, 1 << 30};
    ArrowSchema s{};
    s.format = "i";
    s.metadata = reinterpret_cast<const char*>(metadata.data());
    s.release = [](ArrowSchema* x) { x->release = nullptr; };
    CHECK(c::import_field(&s).status().code() == StatusCode::kCapacityError);
    metadata = {-1};
    s.release = [](ArrowSchema* x) { x->release = nullptr; };
    CHECK(c::import_field(&s).status().code() == StatusCode::kInvalid);
  }
  SECTION("a schema that is its own child nests until the depth limit") {
    ArrowSchema s{};
    ArrowSchema* self[] = {&s};
    s.format = "+l";
    s.n_children = 1;
    s.children = self;
    s.release = [](ArrowSchema* x) { x->release = nullptr; };
    ArrowSchema* root = &s;
    // The importer marks only the root released, so the cycle stays readable to the end.
    CHECK(c::import_type(root).status().code() == StatusCode::kCapacityError);
  }
}

TEST_CASE("C data interface: a field name or timezone holding a NUL byte is refused, not cut short") {
  // An IPC stream may carry such names; the C structs hold them as C strings.
  using namespace std::string_literals;
  const auto cut_name = field("ab\0cd"s, int32());
  const auto cut_zone = field("t", timestamp(TimeUnit::kMicro, "Europe\0/Paris"s));
  const auto nested = field("s", struct_({field("x", int8()), field("y\0"s, utf8())}));
  for (const auto& f : {cut_name, cut_zone, nested}) {
    ArrowSchema out;
    std::memset(&out, 0xAB, sizeof out);  // as a caller's uninitialised struct
    const Status st = c::export_field(*f, &out);
    CHECK(st.code() == StatusCode::kInvalid);
    CHECK_THAT(st.message(), Catch::Contains("NUL byte") && Catch::Contains("\\x00"));
    CHECK(out.release == nullptr);
    ArrowSchema whole{};
    CHECK(c::export_schema(*schema({field("ok", int8()), f}), &whole).code() == StatusCode::kInvalid);
    CHECK(whole.release == nullptr);
  }
  CHECK(c::export_type(*timestamp(TimeUnit::kMicro, "Europe\0/Paris"s), nullptr).code() == StatusCode::kInvalid);
  ArrowSchema fine{};
  REQUIRE(c::export_field(*field("t", timestamp(TimeUnit::kMicro, "Europe/Paris")), &fine).ok());
  CHECK(std::string(fine.format) == "tsu:Europe/Paris");
  fine.release(&fine);
}

TEST_CASE("C data interface: a decimal of any int32 scale round-trips, as the IPC reader takes it") {
  for (const std::int32_t scale : {67108866, -2147483647 - 1, 2147483647, 0, -5}) {
    const auto type = ok_or_die(decimal128(9, scale));
    ArrowSchema out{};
    REQUIRE(c::export_type(*type, &out).ok());
    auto back = ok_or_die(c::import_type(&out));
    CHECK(back->equals(*type));
  }
  ArrowSchema too_big{};
  too_big.format = "d:9,2147483648";
  too_big.release = [](ArrowSchema* s) { s->release = nullptr; };
  CHECK_THAT(c::import_type(&too_big).status().message(), Catch::Contains("out of range"));
}

TEST_CASE("C data interface: run_end_encoded children keep their names through it, as through IPC") {
  const auto named = std::make_shared<DataType>(TypeId::kRunEndEncoded,
                                                FieldVector{field("ends", int32(), false), field("v", utf8(), false)},
                                                DataType::Params{});
  ArrowSchema out{};
  REQUIRE(c::export_type(*named, &out).ok());
  auto back = ok_or_die(c::import_type(&out));
  CHECK(back->equals(*named));
  CHECK(back->field(0)->name() == "ends");
  CHECK(!back->field(1)->nullable());
  // Run ends flagged nullable by a producer are taken as never null.
  ArrowSchema lenient{};
  REQUIRE(c::export_type(*ok_or_die(run_end_encoded(int16(), int8())), &lenient).ok());
  lenient.children[0]->flags |= ARROW_FLAG_NULLABLE;
  auto taken = ok_or_die(c::import_type(&lenient));
  CHECK(!taken->field(0)->nullable());
  CHECK(taken->equals(*ok_or_die(run_end_encoded(int16(), int8()))));
}

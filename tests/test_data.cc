#include "test_data.h"

#include <stdexcept>

#include <functional>
#include <limits>

namespace arrowpack::testing {

std::string shared_dir() { return ARROWPACK_SHARED_DIR; }
std::string gold_integration_dir() { return ARROWPACK_GOLD_INTEGRATION_DIR; }
std::string gold_malformed_dir() { return ARROWPACK_GOLD_MALFORMED_DIR; }
std::string scratch_dir() { return ARROWPACK_SCRATCH_DIR; }

RecordBatchPtr seed_batch() {
  auto f0 = ok_or_die(array<std::int64_t>({1, 2, 3, 4}));
  auto f1 = ok_or_die(array<std::string>({"foo", "bar", "baz", std::nullopt}));
  auto f2 = ok_or_die(array<bool>({true, std::nullopt, false, true}));
  return ok_or_die(RecordBatch::from_arrays({f0, f1, f2}, {"f0", "f1", "f2"}));
}

std::shared_ptr<Buffer> write_ipc(const RecordBatch& batch, int times, bool file, const ipc::IpcWriteOptions& options) {
  auto sink = ok_or_die(io::BufferOutputStream::create());
  std::shared_ptr<ipc::StreamWriter> writer;
  if (file) {
    writer = ok_or_die(ipc::new_file(sink, batch.schema(), options));
  } else {
    writer = ok_or_die(ipc::new_stream(sink, batch.schema(), options));
  }
  for (int i = 0; i < times; ++i) writer->write_batch(batch).throw_if_error();
  writer->close().throw_if_error();
  return ok_or_die(sink->finish());
}

bool points_into(const Array& array, const Buffer& region) {
  for (int i = 0; i < array.num_buffers(); ++i) {
    const auto& b = array.buffer(i);
    if (b && b->size() > 0 && !region.contains(b->data(), b->size())) return false;
  }
  for (int c = 0; c < array.num_children(); ++c) {
    if (!points_into(array.child(c), region)) return false;
  }
  if (array.type_id() == TypeId::kDictionary && !points_into(array.dictionary(), region)) return false;
  return true;
}

namespace {

RecordBatchPtr one(const std::string& name, Array a, bool nullable = true, MetadataPtr md = nullptr) {
  auto s = schema({field(name, a.type(), nullable, std::move(md))});
  return ok_or_die(RecordBatch::make(s, {a}));
}

template <typename T>
Array ints(const DataTypePtr& type) {
  using L = std::numeric_limits<T>;
  return ok_or_die(array<T>(type, {L::min(), T(0), std::nullopt, L::max(), T(1), T(42)}));
}

Array build_nested(const DataTypePtr& type, const std::function<Status(ArrayBuilder*)>& fill) {
  auto b = ok_or_die(make_builder(type));
  fill(b.get()).throw_if_error();
  return ok_or_die(b->finish());
}

}  // namespace

std::vector<std::pair<std::string, RecordBatchPtr>> batches_per_type() {
  std::vector<std::pair<std::string, RecordBatchPtr>> out;
  auto add = [&](const std::string& name, Array a) { out.emplace_back(name, one(name, std::move(a))); };

  add("null", ok_or_die(Array::make_nulls(null(), 5)));
  add("bool", ok_or_die(array<bool>({true, false, std::nullopt, true, true, false, false, true, true})));
  add("int8", ints<std::int8_t>(int8()));
  add("int16", ints<std::int16_t>(int16()));
  add("int32", ints<std::int32_t>(int32()));
  add("int64", ints<std::int64_t>(int64()));
  add("uint8", ints<std::uint8_t>(uint8()));
  add("uint16", ints<std::uint16_t>(uint16()));
  add("uint32", ints<std::uint32_t>(uint32()));
  add("uint64", ints<std::uint64_t>(uint64()));
  // float16 bit patterns: 1.0, -2.0, null, 65504 (max), +inf, NaN, -0
  add("float16",
      ok_or_die(array<std::uint16_t>(float16(), {0x3C00, 0xC000, std::nullopt, 0x7BFF, 0x7C00, 0x7E00, 0x8000})));
  add("float32", ok_or_die(array<float>({1.5f, -0.1f, std::nullopt, std::numeric_limits<float>::max(),
                                         std::numeric_limits<float>::infinity(), -0.0f})));
  add("float64", ok_or_die(array<double>({1.5, -0.1, std::nullopt, 1e300, -std::numeric_limits<double>::infinity(),
                                          std::numeric_limits<double>::quiet_NaN(), -0.0, 5e-324})));
  add("utf8", ok_or_die(array<std::string>({"foo", "", std::nullopt, "h\xC3\xA9llo \xE2\x82\xAC", "\"quoted\"\n"})));
  add("large_utf8", ok_or_die(array<std::string>(large_utf8(), {"a", std::nullopt, "large", ""})));
  add("binary", ok_or_die(array<std::string>(binary(), {std::string("\x00\x01\xFF", 3), std::nullopt, "", "abc"})));
  add("large_binary", ok_or_die(array<std::string>(large_binary(), {std::string("\xDE\xAD", 2), std::nullopt})));
  {
    FixedSizeBinaryBuilder b(fixed_size_binary(3));
    (void)b.append("abc");
    (void)b.append_null();
    (void)b.append(std::string("\x00\x01\x02", 3));
    add("fixed_size_binary", ok_or_die(b.finish()));
  }
  add("date32", ok_or_die(array<std::int32_t>(date32(), {0, 18262, std::nullopt, -719162})));
  add("date64", ok_or_die(array<std::int64_t>(date64(), {0, 1577836800000, std::nullopt})));
  add("time32_s", ok_or_die(array<std::int32_t>(ok_or_die(time32(TimeUnit::kSecond)), {0, 86399, std::nullopt})));
  add("time32_ms", ok_or_die(array<std::int32_t>(ok_or_die(time32(TimeUnit::kMilli)), {1, std::nullopt})));
  add("time64_us", ok_or_die(array<std::int64_t>(ok_or_die(time64(TimeUnit::kMicro)), {86399999999, std::nullopt})));
  add("time64_ns", ok_or_die(array<std::int64_t>(ok_or_die(time64(TimeUnit::kNano)), {1, 2, std::nullopt})));
  add("timestamp_s", ok_or_die(array<std::int64_t>(timestamp(TimeUnit::kSecond), {0, -1, std::nullopt})));
  add("timestamp_ms_utc",
      ok_or_die(array<std::int64_t>(timestamp(TimeUnit::kMilli, "UTC"), {1577836800000, std::nullopt})));
  add("timestamp_us_tz",
      ok_or_die(array<std::int64_t>(timestamp(TimeUnit::kMicro, "Europe/Paris"), {1, std::nullopt, 3})));
  add("timestamp_ns", ok_or_die(array<std::int64_t>(timestamp(TimeUnit::kNano),
                                                    {std::numeric_limits<std::int64_t>::max(), std::nullopt})));
  add("duration_s", ok_or_die(array<std::int64_t>(duration(TimeUnit::kSecond), {-5, std::nullopt, 5})));
  add("duration_ns", ok_or_die(array<std::int64_t>(duration(TimeUnit::kNano), {1, std::nullopt})));

  auto list_of = [](const DataTypePtr& type) {
    return build_nested(type, [](ArrayBuilder* b) -> Status {
      auto* lb = dynamic_cast<ListBuilder*>(b);
      auto* vb = dynamic_cast<NumericBuilder<std::int32_t>*>(lb->values_builder());
      ARROWPACK_RETURN_NOT_OK(lb->append());
      ARROWPACK_RETURN_NOT_OK(vb->append(1));
      ARROWPACK_RETURN_NOT_OK(vb->append_null());
      ARROWPACK_RETURN_NOT_OK(lb->append_null());
      ARROWPACK_RETURN_NOT_OK(lb->append());
      ARROWPACK_RETURN_NOT_OK(lb->append());
      ARROWPACK_RETURN_NOT_OK(vb->append(3));
      ARROWPACK_RETURN_NOT_OK(vb->append(4));
      return vb->append(5);
    });
  };
  add("list", list_of(list(int32())));
  add("large_list", list_of(large_list(int32())));
  add("fixed_size_list", build_nested(fixed_size_list(utf8(), 2), [](ArrayBuilder* b) -> Status {
        auto* lb = dynamic_cast<FixedSizeListBuilder*>(b);
        auto* vb = dynamic_cast<BinaryBuilder*>(lb->values_builder());
        ARROWPACK_RETURN_NOT_OK(lb->append());
        ARROWPACK_RETURN_NOT_OK(vb->append("x"));
        ARROWPACK_RETURN_NOT_OK(vb->append_null());
        ARROWPACK_RETURN_NOT_OK(lb->append_null());
        ARROWPACK_RETURN_NOT_OK(lb->append());
        ARROWPACK_RETURN_NOT_OK(vb->append("y"));
        return vb->append("z");
      }));
  auto struct_type = struct_({field("a", int32()), field("b", utf8(), false)});
  add("struct", build_nested(struct_type, [](ArrayBuilder* b) -> Status {
        auto* sb = dynamic_cast<StructBuilder*>(b);
        auto* a = dynamic_cast<NumericBuilder<std::int32_t>*>(sb->field_builder(0));
        auto* s = dynamic_cast<BinaryBuilder*>(sb->field_builder(1));
        ARROWPACK_RETURN_NOT_OK(sb->append());
        ARROWPACK_RETURN_NOT_OK(a->append(1));
        ARROWPACK_RETURN_NOT_OK(s->append("one"));
        ARROWPACK_RETURN_NOT_OK(sb->append_null());
        ARROWPACK_RETURN_NOT_OK(sb->append());
        ARROWPACK_RETURN_NOT_OK(a->append_null());
        return s->append("three");
      }));
  add("map", build_nested(map(utf8(), int64()), [](ArrayBuilder* b) -> Status {
        auto* mb = dynamic_cast<ListBuilder*>(b);
        auto* entries = dynamic_cast<StructBuilder*>(mb->values_builder());
        auto* k = dynamic_cast<BinaryBuilder*>(entries->field_builder(0));
        auto* v = dynamic_cast<NumericBuilder<std::int64_t>*>(entries->field_builder(1));
        ARROWPACK_RETURN_NOT_OK(mb->append());
        ARROWPACK_RETURN_NOT_OK(entries->append());
        ARROWPACK_RETURN_NOT_OK(k->append("k1"));
        ARROWPACK_RETURN_NOT_OK(v->append(10));
        ARROWPACK_RETURN_NOT_OK(entries->append());
        ARROWPACK_RETURN_NOT_OK(k->append("k2"));
        ARROWPACK_RETURN_NOT_OK(v->append_null());
        ARROWPACK_RETURN_NOT_OK(mb->append_null());
        return mb->append();
      }));
  auto union_fill = [](ArrayBuilder* b) -> Status {
    auto* ub = dynamic_cast<UnionBuilder*>(b);
    auto* i = dynamic_cast<NumericBuilder<std::int64_t>*>(ub->child_builder(0));
    auto* s = dynamic_cast<BinaryBuilder*>(ub->child_builder(1));
    ARROWPACK_RETURN_NOT_OK(ub->append(5));
    ARROWPACK_RETURN_NOT_OK(i->append(7));
    ARROWPACK_RETURN_NOT_OK(ub->append(9));
    ARROWPACK_RETURN_NOT_OK(s->append("seven"));
    ARROWPACK_RETURN_NOT_OK(ub->append(9));
    ARROWPACK_RETURN_NOT_OK(s->append_null());
    ARROWPACK_RETURN_NOT_OK(ub->append(5));
    return i->append(-1);
  };
  auto members = FieldVector{field("i", int64()), field("s", utf8())};
  add("dense_union", build_nested(ok_or_die(dense_union(members, {5, 9})), union_fill));
  add("sparse_union", build_nested(ok_or_die(sparse_union(members, {5, 9})), union_fill));

  auto decimals = [](Result<DataTypePtr> type, std::vector<std::optional<std::string>> texts) {
    DecimalBuilder b(ok_or_die(std::move(type)));
    for (const auto& t : texts) {
      Status st = t ? b.append(*t) : b.append_null();
      if (!st.ok()) throw std::runtime_error(st.to_string());
    }
    return ok_or_die(b.finish());
  };
  add("decimal32", decimals(decimal32(9, 2), {"1.50", "-1234567.89", std::nullopt, "0"}));
  add("decimal64", decimals(decimal64(18, 4), {"99999999999999.9999", std::nullopt, "-0.0001"}));
  add("decimal128", decimals(decimal128(38, 10), {"1234567890123456789012345678.9012345678", "-1", std::nullopt}));
  add("decimal256", decimals(decimal256(76, 0), {std::string(76, '9'), "-" + std::string(76, '9'), std::nullopt, "7"}));
  add("decimal128_negative_scale", decimals(decimal128(5, -3), {"12345000", "-1000", std::nullopt}));
  add("month_interval", ok_or_die(array<std::int32_t>(month_interval(), {1, -13, std::nullopt, 0})));
  {
    NumericBuilder<DayTimeInterval> b(day_time_interval());
    (void)b.append(DayTimeInterval{1, 500});
    (void)b.append_null();
    (void)b.append(DayTimeInterval{-2, -86399999});
    add("day_time_interval", ok_or_die(b.finish()));
  }
  {
    NumericBuilder<MonthDayNanoInterval> b(month_day_nano_interval());
    (void)b.append(MonthDayNanoInterval{1, 2, 3000000000});
    (void)b.append(MonthDayNanoInterval{-1, 0, std::numeric_limits<std::int64_t>::min()});
    (void)b.append_null();
    add("month_day_nano_interval", ok_or_die(b.finish()));
  }

  {
    auto words = ok_or_die(array<std::string>({"red", "green", std::nullopt, "red", "blue", "green"}));
    add("dictionary_utf8", ok_or_die(dictionary_encode(words, int8())));
    auto numbers = ok_or_die(array<std::int64_t>({5, std::nullopt, -5, 5}));
    auto ordered = ok_or_die(dictionary(uint16(), int64(), true));
    auto encoded = ok_or_die(dictionary_encode(numbers, uint16()));
    add("dictionary_uint16_ordered", ok_or_die(Array::make_dictionary(ordered, Array(std::make_shared<ArrayData>([&] {
                                                                        ArrayData d = *encoded.data();
                                                                        d.type = uint16();
                                                                        d.dictionary = nullptr;
                                                                        return d;
                                                                      }())),
                                                                      encoded.dictionary())));
    auto inner = ok_or_die(dictionary_encode(ok_or_die(array<std::string>({"x", "y", "x"})), int32()));
    auto offsets = ok_or_die(Buffer::copy_of(std::vector<std::int32_t>{0, 1, 1, 3}.data(), 16));
    auto validity = ok_or_die(Buffer::copy_of(std::vector<std::uint8_t>{0b101}.data(), 1));
    add("list_of_dictionary",
        ok_or_die(Array::make(list(field("item", inner.type())), 3, {validity, offsets}, {inner}, 1)));
  }

  for (const auto& type : {utf8_view(), binary_view()}) {
    BinaryViewBuilder b(type);
    for (const char* v : {"short", "", "exactly12byt", "a value longer than twelve bytes"}) (void)b.append(v);
    (void)b.append_null();
    (void)b.append(std::string(3000, 'x'));
    add(type->id() == TypeId::kStringView ? "string_view" : "binary_view", ok_or_die(b.finish()));
  }
  {
    // Views in any order, overlapping, and one empty: offsets [3,0,1], sizes [2,3,0].
    auto child = ok_or_die(array<std::int32_t>({1, 2, 3, 4, 5}));
    auto offsets = ok_or_die(Buffer::copy_of(std::vector<std::int32_t>{3, 0, 1, 0}.data(), 16));
    auto sizes = ok_or_die(Buffer::copy_of(std::vector<std::int32_t>{2, 3, 0, 0}.data(), 16));
    auto validity = ok_or_die(Buffer::copy_of(std::vector<std::uint8_t>{0b0111}.data(), 1));
    add("list_view", ok_or_die(Array::make(list_view(int32()), 4, {validity, offsets, sizes}, {child}, 1)));
    auto big_offsets = ok_or_die(Buffer::copy_of(std::vector<std::int64_t>{4, 0}.data(), 16));
    auto big_sizes = ok_or_die(Buffer::copy_of(std::vector<std::int64_t>{1, 5}.data(), 16));
    add("large_list_view",
        ok_or_die(Array::make(large_list_view(int32()), 2, {nullptr, big_offsets, big_sizes}, {child}, 0)));
  }
  {
    auto words = ok_or_die(array<std::string>({"a", "a", "a", std::nullopt, std::nullopt, "b", "a", "a"}));
    add("run_end_encoded", ok_or_die(run_end_encode(words, int32())));
    auto numbers = ok_or_die(array<std::int64_t>({7, 7, 8, 8, 8, 9}));
    auto ree16 = ok_or_die(run_end_encode(numbers, int16()));
    add("run_end_encoded_sliced", ok_or_die(ree16.slice(1, 4)));
  }

  // Sliced columns exercise the writer's rebasing of offsets and bitmaps.
  auto strings = ok_or_die(array<std::string>({"skip", "me", "keep", std::nullopt, "this", "and", "that"}));
  add("utf8_sliced", ok_or_die(strings.slice(2, 4)));
  auto bools = ok_or_die(array<bool>({true, true, false, std::nullopt, true, false, std::nullopt, true, false, true}));
  add("bool_sliced", ok_or_die(bools.slice(3, 6)));
  add("list_sliced", ok_or_die(list_of(list(int32())).slice(2, 2)));
  {
    BinaryViewBuilder b(utf8_view());
    for (const char* v : {"dropped", "kept but longer than twelve", "tiny", "also dropped"}) (void)b.append(v);
    add("string_view_sliced", ok_or_die(ok_or_die(b.finish()).slice(1, 2)));
  }

  // Field and schema metadata.
  auto md_batch = one("with_metadata", ok_or_die(array<std::int32_t>({1, 2})), false,
                      key_value_metadata({{"unit", "metres"}, {"k", "v"}}));
  out.emplace_back("custom_metadata",
                   ok_or_die(RecordBatch::make(
                       md_batch->schema()->with_metadata(key_value_metadata({{"origin", "arrowpack"}, {"empty", ""}})),
                       md_batch->columns())));
  return out;
}

}  // namespace arrowpack::testing

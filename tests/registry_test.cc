#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>

#include "Message_generated.h"
#include "arrowpack/core/api.h"
#include "arrowpack/registry/context.h"
#include "arrowpack/registry/object_reader.h"
#include "arrowpack/registry/object_writer.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

struct StaticallyRegistered {
  std::int64_t n = 0;
};
ARROWPACK_REGISTER_TYPE(
    StaticallyRegistered, "test.StaticallyRegistered", [](const StaticallyRegistered& s) { return Value(s.n); },
    [](const Value& v) { return StaticallyRegistered{*v.as<std::int64_t>()}; });

namespace {

struct MyData {
  std::string name;
  std::vector<std::int64_t> data;
};

Value serialize_my_data(const MyData& d) {
  std::vector<Value> items(d.data.begin(), d.data.end());
  return Value::dict({{"name", d.name}, {"data", Value::list(items)}});
}

Result<MyData> deserialize_my_data(const Value& v) {
  const Dict* d = v.as<Dict>();
  if (!d) return Status::TypeError("MyData expects a dict");
  const Value* name = d->find("name");
  const Value* data = d->find("data");
  if (!name || !name->as<std::string>() || !data || !data->as<List>()) {
    return Status::TypeError("MyData expects 'name' and 'data'");
  }
  MyData out{*name->as<std::string>(), {}};
  for (const auto& item : data->as<List>()->items) out.data.push_back(*item.as<std::int64_t>());
  return out;
}

TensorPtr iota_tensor(std::int64_t rows, std::int64_t cols) {
  auto buf = ok_or_die(allocate_buffer(rows * cols * 8));
  auto* p = reinterpret_cast<double*>(buf->mutable_data());
  std::iota(p, p + rows * cols, 0.0);
  return ok_or_die(Tensor::make(float64(), buf, {rows, cols}));
}

Value roundtrip_buffer(const Value& v, const SerializationContext& ctx = SerializationContext::default_context()) {
  auto so = ok_or_die(serialize(v, ctx));
  return ok_or_die(deserialize(ok_or_die(so.to_buffer()), ctx));
}

Value roundtrip_components(const Value& v, const SerializationContext& ctx = SerializationContext::default_context()) {
  auto so = ok_or_die(serialize(v, ctx));
  return ok_or_die(deserialize_components(ok_or_die(so.to_components()), ctx));
}

}  // namespace

TEST_CASE("Values are built by hand and inspected") {
  auto t = iota_tensor(2, 3);
  Value v = Value::dict({{0, t}, {"name", "x"}, {Value::tuple({1, 2}), Value::list({1.5, nullptr, true})}});
  const Dict* d = v.as<Dict>();
  REQUIRE(d);
  CHECK(d->size() == 3);
  CHECK(d->find(Value(0))->is_tensor());
  CHECK(*d->find("name")->as<std::string>() == "x");
  CHECK(d->find(Value::tuple({1, 2}))->as<List>()->items.size() == 3);
  CHECK(v.as<List>() == nullptr);
  CHECK(Value(1).equals(Value(1.0)));
  CHECK(Value(true).equals(Value(1)));
  CHECK(Value::set({1, 2, 2, 3}).as<Set>()->items.size() == 3);
  CHECK(Value::list({1, "two", Value::bytes("3")}).to_string() == "[1, 'two', b'3']");
  CHECK(Value::tuple({1}).to_string() == "(1,)");
  CHECK_FALSE(Value::list().is_hashable());
  CHECK(Value::tuple({1, "a"}).is_hashable());
}

TEST_CASE("every kind of value round-trips through to_buffer and to_components") {
  auto t = iota_tensor(3, 4);
  auto raw = Buffer::from_string("raw bytes");
  const Value v =
      Value::list({nullptr,
                   true,
                   false,
                   0,
                   -1,
                   std::int64_t{1} << 62,
                   1.5,
                   2.5f,
                   Value::half(0x3C00),
                   Value::date64_micros(1577836800000000),
                   "text \xE2\x82\xAC",
                   Value::bytes(std::string("\x00\xFF", 2)),
                   Value::list(),
                   Value::tuple({1, Value::tuple({2, 3})}),
                   Value::set({1, "a"}),
                   Value::dict({{"k", Value::list({1, 2})}, {7, nullptr}, {Value::tuple({1, 2}), "tuple key"}}),
                   t,
                   Value::ndarray(t),
                   raw,
                   Value::list({Value::list({Value::list({"deep"})})})});
  for (const auto& back : {roundtrip_buffer(v), roundtrip_components(v)}) {
    INFO(back.to_string());
    CHECK(back.equals(v));
    const auto& items = back.as<List>()->items;
    CHECK(items[7].kind() == Value::Kind::kFloat);
    CHECK(items[8].kind() == Value::Kind::kHalf);
    CHECK(items[16].is_tensor());
    CHECK(items[17].is_ndarray());
    CHECK(items[18].is_buffer());
  }
  CHECK(roundtrip_buffer(Value(42)).equals(Value(42)));
  CHECK(roundtrip_buffer(Value()).is_none());
}

TEST_CASE("the encoder renders the bytes the IPC writer writes for the same structure batch") {
  auto t = iota_tensor(2, 2);
  const std::vector<Value> values = {
      Value(),
      Value(1),
      Value("text"),
      Value::list(),
      Value::dict(),
      Value::list({Value::list(), Value::dict(), Value::tuple(), Value::set({})}),
      Value::list({nullptr, true, false, true, 0, 1.5, 2.5f, Value::half(0x3C00), Value::date64_micros(7), "a",
                   Value::bytes("b"), t, Value::ndarray(t), Buffer::from_string("c")}),
      Value::dict({{"k", Value::list({1, 2})}, {7, nullptr}, {Value::tuple({1, 2}), "tuple key"}}),
      Value::tuple({"record", 1.0, 2.0, 3.0, 4.0, 7}),
      Value::list({Value::list({Value::list({Value::dict({{"deep", Value::set({1, 2, 3})}})})})}),
  };
  for (const auto& v : values) {
    INFO(v.to_string());
    auto made = ok_or_die(serialize(v));
    // The same batch through the IPC stream writer (an object built from a batch renders it so).
    SerializedObject rebuilt(made.batch(), made.tensors(), made.ndarrays(), made.buffers(), made.sparse_tensors());
    REQUIRE(made.batch());
    CHECK(ok_or_die(made.structure_stream())->to_hex() == ok_or_die(rebuilt.structure_stream())->to_hex());
    CHECK(ok_or_die(made.to_buffer())->to_hex() == ok_or_die(rebuilt.to_buffer())->to_hex());
    CHECK(ok_or_die(made.total_bytes()) == ok_or_die(rebuilt.total_bytes()));
  }
  // Without out-of-band items the blob is the memory the structure was rendered into.
  auto object = ok_or_die(serialize(Value::tuple({"record", 1.0, 7})));
  auto blob = ok_or_die(object.to_buffer());
  CHECK(ok_or_die(object.to_buffer())->data() == blob->data());
  CHECK(ok_or_die(object.structure_stream())->data() == blob->data() + 16);
  CHECK(ok_or_die(object.to_components()).data[0]->data() == blob->data() + 16);
}

TEST_CASE("tensors of one shape share their metadata in components and are read without decoding it again") {
  auto a = iota_tensor(3, 4), b = iota_tensor(3, 4), other = iota_tensor(4, 3);
  const Value v = Value::list({Value::ndarray(a), Value::ndarray(b), Value::ndarray(other), Value::ndarray(a)});
  auto c = ok_or_die(ok_or_die(serialize(v)).to_components());
  REQUIRE(c.num_ndarrays == 4);
  CHECK(c.data[1] == c.data[3]);  // one flatbuffer for the two 3x4 tensors
  CHECK(c.data[1] != c.data[5]);
  CHECK(c.data[1]->equals(*c.data[7]));
  auto object = ok_or_die(SerializedObject::from_components(c));
  for (int i = 0; i < 4; ++i) {
    INFO(i);
    const auto& t = object.ndarrays()[static_cast<std::size_t>(i)];
    CHECK(t->data()->data() == c.data[static_cast<std::size_t>(2 + 2 * i)]->data());  // views, not copies
  }
  CHECK(ok_or_die(deserialize(object)).equals(v));
  // A body that does not fit the shared metadata is read (and refused) as any other.
  Components cut = c;
  cut.data[4] = ok_or_die(c.data[4]->slice(0, c.data[4]->size() - 8));
  CHECK(!SerializedObject::from_components(cut).ok());

  // The contiguous form too: a tensor after one of its layout shares that tensor's geometry
  // (the same shape vector, not a decoded copy) and views the blob.
  auto blob = ok_or_die(ok_or_die(serialize(v)).to_buffer());
  auto read = ok_or_die(SerializedObject::read_from(blob));
  const auto& nd = read.ndarrays();
  REQUIRE(nd.size() == 4);
  CHECK(&nd[1]->shape() == &nd[0]->shape());
  CHECK(&nd[2]->shape() != &nd[0]->shape());
  CHECK(&nd[3]->shape() != &nd[0]->shape());  // after the 4x3 one: decoded again
  for (const auto& t : nd) {
    CHECK(t->data()->data() >= blob->data());
    CHECK(t->data()->data() + t->data()->size() <= blob->data() + blob->size());
  }
  CHECK(ok_or_die(deserialize(read)).equals(v));

  // A repeated header is only a shortcut when its body is all there: the blob cut anywhere
  // after the first tensor reads as the same object (cut in the final padding) or is refused.
  const auto first_body = nd[0]->data()->data() - blob->data();
  for (std::int64_t n = first_body; n < blob->size(); ++n) {
    auto cut_blob = ok_or_die(blob->slice(0, n));
    auto r = SerializedObject::read_from(cut_blob);
    if (r.ok()) CHECK(ok_or_die(deserialize(*r)).equals(v));
  }
  // A header one byte different from the last one is decoded, not taken as a repeat.
  std::string bytes = blob->to_string();
  const auto second_header = static_cast<std::size_t>(nd[0]->data()->data() - blob->data() + nd[0]->data()->size());
  bool changed = false;
  for (std::size_t i = second_header + 8; i + 8 < static_cast<std::size_t>(nd[1]->data()->data() - blob->data()); ++i) {
    std::string tampered = bytes;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    auto r = SerializedObject::read_from(Buffer::from_string(tampered));
    if (!r.ok() || r->ndarrays().size() != 4) continue;
    changed = changed || &r->ndarrays()[1]->shape() != &r->ndarrays()[0]->shape();
  }
  CHECK(changed);
}

TEST_CASE("the structure is pyarrow's: one dense-union column named list, children named by tag") {
  auto so = ok_or_die(serialize(Value::list({1, "a", Value::dict({{"k", 2.0}}), nullptr})));
  const auto& schema = *so.batch()->schema();
  REQUIRE(schema.num_fields() == 1);
  CHECK(schema.field(0)->name() == "list");
  CHECK(schema.metadata()->get("arrowpack.format_version") == "1");
  CHECK(so.batch()->num_rows() == 1);
  // The top union holds the list (child "10"); its values union grew children on first use.
  CHECK(schema.field(0)->type()->to_string() ==
        "dense_union<0: null=0, 10: list<item: dense_union<0: null=0, 2: int64=1, 5: string=2, "
        "11: list<item: struct<keys: dense_union<0: null=0, 5: string=1>, vals: dense_union<0: "
        "null=0, "
        "8: double=1>>>=3>>=1>");
}

TEST_CASE("the contiguous layout: counts, the stream, 64-byte aligned tensors, sized buffers") {
  auto t = iota_tensor(4, 4);
  auto so = ok_or_die(serialize(Value::list({t, Value::ndarray(t), Buffer::from_string("abc")})));
  auto buf = ok_or_die(so.to_buffer());
  CHECK(buf->size() == ok_or_die(so.total_bytes()));
  std::int32_t counts[4];
  std::memcpy(counts, buf->data(), 16);
  CHECK(counts[0] == 1);
  CHECK(counts[1] == 0);
  CHECK(counts[2] == 1);
  CHECK(counts[3] == 1);
  std::uint32_t marker;
  std::memcpy(&marker, buf->data() + 16, 4);
  CHECK(marker == 0xFFFFFFFFu);
  // The raw buffer ends the blob: int64 length then the bytes.
  CHECK(buf->view().substr(buf->size() - 11) == std::string_view("\x03\0\0\0\0\0\0\0abc", 11));
  auto sink = ok_or_die(io::BufferOutputStream::create());
  REQUIRE(so.write_to(sink.get()).ok());
  CHECK(ok_or_die(sink->finish())->equals(*buf));
}

TEST_CASE("to_buffer copies the data once, deserialize from a buffer copies nothing") {
  auto big = iota_tensor(500, 500);  // 2 MB
  SystemMemoryPool pool;
  auto so = ok_or_die(serialize(Value::dict({{0, Value::ndarray(big)}, {1, big}})));
  auto buf = ok_or_die(so.to_buffer(&pool));
  CHECK(pool.total_allocated_bytes() == buf->capacity());  // one allocation, the blob itself
  CHECK(pool.num_allocations() == 1);

  DeserializeOptions options;
  SystemMemoryPool read_pool;
  options.pool = &read_pool;
  auto v = ok_or_die(deserialize(buf, SerializationContext::default_context(), options));
  const Dict& d = *v.as<Dict>();
  const auto& nd = d.find(Value(0))->as<Ndarray>()->tensor;
  const auto& ts = *d.find(Value(1))->as<TensorPtr>();
  CHECK(buf->contains(nd->data()->data(), nd->data()->size()));
  CHECK(buf->contains(ts->data()->data(), ts->data()->size()));
  CHECK(reinterpret_cast<std::uintptr_t>(nd->data()->data()) % 64 == 0);
  CHECK(nd->equals(*big));
  CHECK(read_pool.total_allocated_bytes() < 64 * 1024);
}

TEST_CASE("components point at the caller's memory and reassemble without copies") {
  auto big = iota_tensor(500, 500);
  auto raw = Buffer::from_string(std::string(100000, 'z'));
  auto so = ok_or_die(serialize(Value::list({big, Value::ndarray(big), raw})));
  auto c = ok_or_die(so.to_components());
  CHECK(c.num_tensors == 1);
  CHECK(c.num_ndarrays == 1);
  CHECK(c.num_buffers == 1);
  REQUIRE(c.data.size() == 6);
  CHECK(c.data[2]->data() == big->data()->data());  // tensor body: the tensor's own memory
  // The Message flatbuffers and the structure stream are rendered once per object.
  auto again = ok_or_die(so.to_components());
  CHECK(again.data[0] == c.data[0]);
  CHECK(again.data[1] == c.data[1]);
  CHECK(again.data[3] == c.data[3]);
  CHECK(c.data[4]->data() == big->data()->data());
  CHECK(c.data[5] == raw);
  // Each buffer can go through a span and back (memoryview / py_buffer twins); the spans
  // view memory that `originals` keeps alive.
  const auto originals = c.data;
  for (auto& b : c.data) b = from_span(as_span(*b));
  const std::int64_t before = default_memory_pool()->bytes_allocated();
  auto v = ok_or_die(deserialize_components(c));
  CHECK(default_memory_pool()->bytes_allocated() - before < 64 * 1024);
  const auto& items = v.as<List>()->items;
  CHECK((*items[0].as<TensorPtr>())->data()->data() == big->data()->data());
  CHECK(items[1].as<Ndarray>()->tensor->data()->data() == big->data()->data());
  CHECK((*items[2].as<std::shared_ptr<Buffer>>())->data() == raw->data());
  c.data.pop_back();
  CHECK(deserialize_components(c).status().message() == "components hold 5 buffers, their counts announce 6");
}

TEST_CASE("registered types: the MyData example") {
  SerializationContext context;
  REQUIRE(context.register_type<MyData>("MyData", serialize_my_data, deserialize_my_data).ok());
  CHECK(context.has_type("MyData"));
  CHECK(context.has_type<MyData>());
  auto buf = ok_or_die(ok_or_die(context.serialize_object(MyData{"foo", {1, 2, 3}})).to_buffer());
  MyData back = ok_or_die(context.deserialize_object<MyData>(buf));
  CHECK(back.name == "foo");
  CHECK(back.data == std::vector<std::int64_t>{1, 2, 3});
  // The wire form is pyarrow's: {"data": {...}, "_pytype_": "MyData"}.
  auto v = ok_or_die(deserialize(buf, SerializationContext::default_context(), DeserializeOptions{{}, true}));
  REQUIRE(v.is_object());
  CHECK(v.as<Object>()->type_name == "MyData");
  CHECK(v.as<Object>()->payload == nullptr);
  CHECK(v.as<Object>()->fields->to_string() == "{'data': {'name': 'foo', 'data': [1, 2, 3]}, '_pytype_': 'MyData'}");
  // Objects nest inside containers.
  auto list = ok_or_die(deserialize(
      ok_or_die(ok_or_die(context.serialize(Value::list({Value::object("MyData", MyData{"a", {}}), 5}))).to_buffer()),
      context));
  CHECK(list.as<List>()->items[0].as_object<MyData>()->name == "a");
}

TEST_CASE("registry errors: duplicates, unknown names, throwing callbacks") {
  SerializationContext context;
  REQUIRE(context.register_type<MyData>("MyData", serialize_my_data, deserialize_my_data).ok());
  CHECK(context.register_type<MyData>("Other", serialize_my_data, deserialize_my_data).message() ==
        "this C++ type is already registered as 'MyData'");
  CHECK(context
            .register_type<int>(
                "MyData", [](const int&) { return Value(); }, [](const Value&) { return 0; })
            .message() == "type name 'MyData' is already registered");
  auto buf = ok_or_die(ok_or_die(context.serialize_object(MyData{"x", {}})).to_buffer());
  SerializationContext empty;
  auto st = empty.deserialize(buf).status();
  CHECK(st.is_key_error());
  CHECK(st.message() == "type 'MyData' is not registered in this context (no code was run for it)");
  CHECK(empty.serialize_object(MyData{}).status().is_key_error());
  REQUIRE(context.unregister("MyData").ok());
  CHECK_FALSE(context.has_type("MyData"));
  CHECK(context.unregister("MyData").is_key_error());

  SerializationContext throwing;
  REQUIRE(throwing
              .register_type<MyData>(
                  "MyData", [](const MyData&) -> Value { throw std::runtime_error("boom"); }, deserialize_my_data)
              .ok());
  auto err = throwing.serialize_object(MyData{}).status();
  CHECK(err.code() == StatusCode::kSerializationError);
  CHECK(err.message() == "serializer of 'MyData' threw: boom");
}

TEST_CASE("an opaque object read without its type goes back out unchanged") {
  SerializationContext context;
  REQUIRE(context.register_type<MyData>("MyData", serialize_my_data, deserialize_my_data).ok());
  auto first = ok_or_die(ok_or_die(context.serialize_object(MyData{"keep", {4}})).to_buffer());
  SerializationContext relay;  // knows nothing of MyData
  DeserializeOptions opaque;
  opaque.allow_unknown_types = true;
  auto v = ok_or_die(relay.deserialize(first, opaque));
  auto second = ok_or_die(ok_or_die(relay.serialize(v)).to_buffer());
  CHECK(ok_or_die(context.deserialize_object<MyData>(second)).name == "keep");
}

TEST_CASE("limits and type errors while serializing") {
  auto cyclic = Value::list();
  cyclic.as_mutable<List>()->items.push_back(cyclic);
  CHECK(serialize(cyclic).status().is_capacity_error());
  cyclic.as_mutable<List>()->items.clear();  // break the cycle so it can be freed
  ReadLimits small;
  small.max_elements = 10;
  CHECK(serialize(Value::list(std::vector<Value>(20, 1)), SerializationContext::default_context(), small)
            .status()
            .is_capacity_error());
  CHECK(serialize(Value::dict({{Value::list(), 1}})).status().message() == "dict key of kind list is not hashable");
  CHECK(serialize(Value(std::string("\xC3\x28"))).status().is_type_error());
}

TEST_CASE("malformed blobs: truncated, lying counts, unknown union children") {
  auto t = iota_tensor(2, 2);
  auto buf = ok_or_die(ok_or_die(serialize(Value::list({t, Buffer::from_string("xyz"), "s"}))).to_buffer());
  for (std::int64_t n = 0; n < buf->size(); ++n) {
    INFO(n);
    CHECK_FALSE(deserialize(ok_or_die(buf->slice(0, n))).ok());
  }
  auto lying = ok_or_die(Buffer::copy_of(buf->data(), buf->size()));
  std::int32_t zero = 0;
  std::memcpy(const_cast<std::uint8_t*>(lying->data()), &zero, 4);  // "no tensors"
  CHECK(deserialize(lying).status().message().find("the structure refers to 1 tensors") != std::string::npos);
  auto too_many = ok_or_die(Buffer::copy_of(buf->data(), buf->size()));
  std::int32_t huge = 1 << 30;
  std::memcpy(const_cast<std::uint8_t*>(too_many->data()) + 12, &huge, 4);
  CHECK(deserialize(too_many).status().message().find("items but only") != std::string::npos);

  // A structure whose union child is not a known tag.
  auto ints = ok_or_die(array<std::int64_t>({5}));
  auto type = ok_or_die(dense_union({field("0", null()), field("99", int64())}));
  auto codes = Buffer::from_string(std::string("\x01", 1));
  auto offsets = Buffer::from_string(std::string(4, '\0'));
  auto u =
      ok_or_die(Array::make(type, 1, {nullptr, codes, offsets}, {ok_or_die(Array::make_nulls(null(), 0)), ints}, 0));
  SerializedObject bad(ok_or_die(RecordBatch::from_arrays({u}, {"list"})), {}, {}, {});
  CHECK(deserialize(bad).status().message() == "union child '99' is not a known type code");
  auto wrong = ok_or_die(dense_union({field("0", null()), field("5", int64())}));
  auto u2 =
      ok_or_die(Array::make(wrong, 1, {nullptr, codes, offsets}, {ok_or_die(Array::make_nulls(null(), 0)), ints}, 0));
  SerializedObject bad2(ok_or_die(RecordBatch::from_arrays({u2}, {"list"})), {}, {}, {});
  CHECK(deserialize(bad2).status().message() == "union child '5' has type int64, expected string");
}

TEST_CASE("a blob from a newer arrowpack format is refused") {
  auto so = ok_or_die(serialize(Value(1)));
  auto schema = so.batch()->schema()->with_metadata(key_value_metadata({{"arrowpack.format_version", "2"}}));
  SerializedObject newer(ok_or_die(RecordBatch::make(schema, so.batch()->columns())), {}, {}, {});
  auto st = deserialize(ok_or_die(newer.to_buffer())).status();
  CHECK(st.is_not_implemented());
  CHECK(st.message().find("format version 2") != std::string::npos);
}

TEST_CASE("FormatMark::kPyarrow writes pyarrow's structure: no schema metadata, the same stream otherwise") {
  const Value v = Value::list({1, "a", Value::dict({{"k", 2.0}}), nullptr});
  auto write = [&](FormatMark mark) {
    ObjectWriter w(SerializationContext::default_context(), {}, default_memory_pool(), mark);
    REQUIRE(w.value(v).ok());
    return ok_or_die(w.finish());
  };
  auto versioned = write(FormatMark::kVersioned);
  auto plain = write(FormatMark::kPyarrow);
  CHECK(versioned.batch()->schema()->metadata()->get("arrowpack.format_version") == "1");
  const auto& md = plain.batch()->schema()->metadata();
  CHECK((md == nullptr || md->size() == 0));
  CHECK(plain.batch()->schema()->field(0)->type()->equals(*versioned.batch()->schema()->field(0)->type()));
  // The schema cache holds one message per mark: writing versioned again still carries it.
  CHECK(write(FormatMark::kVersioned).batch()->schema()->metadata()->get("arrowpack.format_version") == "1");
  // A blob without the key reads as format version 1, to the same value.
  auto back = ok_or_die(deserialize(ok_or_die(plain.to_buffer())));
  CHECK(back == v);
  CHECK(ok_or_die(plain.to_buffer())->size() < ok_or_die(versioned.to_buffer())->size());
}

namespace {
// A blob in the layout of pyarrow 0.12-0.15: three counts (tensors, ndarrays, buffers) and
// padding, the structure stream (legacy framing before 0.15), then the same tail.
std::shared_ptr<Buffer> three_count_blob(const SerializedObject& so, bool legacy_framing) {
  auto sink = ok_or_die(io::BufferOutputStream::create());
  const std::int32_t header[4] = {static_cast<std::int32_t>(so.tensors().size()),
                                  static_cast<std::int32_t>(so.ndarrays().size()),
                                  static_cast<std::int32_t>(so.buffers().size()), 0};
  REQUIRE(sink->write(header, 16).ok());
  ipc::IpcWriteOptions options;
  options.alignment = 8;
  options.write_legacy_ipc_format = legacy_framing;
  auto writer = ok_or_die(ipc::new_stream(sink, so.batch()->schema(), options));
  REQUIRE(writer->write_batch(*so.batch()).ok());
  REQUIRE(writer->close().ok());
  auto pad = [&] {
    const std::int64_t pos = ok_or_die(sink->tell());
    const std::string zeros(static_cast<std::size_t>((64 - pos % 64) % 64), '\0');
    REQUIRE(sink->write(zeros).ok());
  };
  pad();
  for (const auto* list : {&so.tensors(), &so.ndarrays()}) {
    for (const auto& t : *list) {
      REQUIRE(ipc::write_tensor(*t, sink.get()).ok());
      pad();
    }
  }
  for (const auto& b : so.buffers()) {
    const std::int64_t n = b->size();
    REQUIRE(sink->write(&n, 8).ok());
    REQUIRE(sink->write(b).ok());
  }
  return ok_or_die(sink->finish());
}
}  // namespace

TEST_CASE("the three-count header of pyarrow 0.12-0.15 is read where it can be told apart") {
  auto nd = iota_tensor(2, 2);
  const Value v = Value::list({Value::ndarray(nd), Buffer::from_string("tail bytes"), "x"});
  auto so = ok_or_die(serialize(v));
  for (bool legacy : {true, false}) {
    INFO(legacy);
    auto back = ok_or_die(deserialize(three_count_blob(so, legacy)));
    CHECK(back.equals(v));
  }
  // Only buffers: with three counts [0, 0, 1] the fourth word is padding.
  const Value only_buffer = Value::list({Buffer::from_string("abc")});
  auto so2 = ok_or_die(serialize(only_buffer));
  CHECK(ok_or_die(deserialize(three_count_blob(so2, false))).equals(only_buffer));
}

TEST_CASE("ARROWPACK_REGISTER_TYPE registers in the default context at start-up") {
  CHECK(SerializationContext::default_context().has_type("test.StaticallyRegistered"));
  CHECK(SerializationContext::default_context().has_type<StaticallyRegistered>());
  auto buf = ok_or_die(
      ok_or_die(SerializationContext::default_context().serialize_object(StaticallyRegistered{9})).to_buffer());
  CHECK(ok_or_die(SerializationContext::default_context().deserialize_object<StaticallyRegistered>(buf)).n == 9);
}

TEST_CASE("ObjectWriter streams the same bytes serialize(Value) makes") {
  auto t = iota_tensor(2, 2);
  ObjectWriter w(SerializationContext::default_context());
  REQUIRE(w.begin_dict().ok());
  REQUIRE(w.string("a").ok());
  REQUIRE(w.begin_list().ok());
  REQUIRE(w.integer(1).ok());
  REQUIRE(w.none().ok());
  REQUIRE(w.float32(0.5f).ok());
  REQUIRE(w.begin_tuple().ok());
  REQUIRE(w.end().ok());
  REQUIRE(w.end().ok());
  REQUIRE(w.integer(7).ok());
  REQUIRE(w.tensor(t).ok());
  REQUIRE(w.string("v").ok());
  REQUIRE(w.value(Value::set({1, 2})).ok());
  REQUIRE(w.end().ok());
  auto streamed = ok_or_die(ok_or_die(w.finish()).to_buffer());
  const Value same =
      Value::dict({{"a", Value::list({1, nullptr, 0.5f, Value::tuple()})}, {7, t}, {"v", Value::set({1, 2})}});
  auto built = ok_or_die(ok_or_die(serialize(same)).to_buffer());
  CHECK(streamed->equals(*built));
}

TEST_CASE("numbers in bulk: the same bytes as one call per element, and read back in bulk") {
  const std::vector<double> xs = {1.5, -0.0, 1e300, 4};
  const std::vector<std::int64_t> is = {1, -2, std::numeric_limits<std::int64_t>::max()};
  ObjectWriter w(SerializationContext::default_context());
  REQUIRE(w.begin_tuple().ok());
  REQUIRE(w.begin_list().ok());
  REQUIRE(w.float64s(xs).ok());
  REQUIRE(w.integer(9).ok());  // mixes with single appends
  REQUIRE(w.float64s({}).ok());
  REQUIRE(w.end().ok());
  REQUIRE(w.begin_set().ok());
  REQUIRE(w.integers(is).ok());
  REQUIRE(w.end().ok());
  REQUIRE(w.end().ok());
  auto streamed = ok_or_die(ok_or_die(w.finish()).to_buffer());
  const Value same = Value::tuple({Value::list({1.5, -0.0, 1e300, 4.0, 9}), Value::set({1, -2, is[2]})});
  CHECK(streamed->equals(*ok_or_die(ok_or_die(serialize(same)).to_buffer())));

  auto reader = ok_or_die(
      ObjectReader::open(ok_or_die(SerializedObject::read_from(streamed)), SerializationContext::default_context()));
  auto root = ok_or_die(reader->root());
  auto list = ok_or_die(root.element(0));
  std::vector<double> back(5);
  REQUIRE(list.float64s(back).ok());
  CHECK(back == std::vector<double>{1.5, -0.0, 1e300, 4, 9});
  std::vector<std::int64_t> ints(5);
  CHECK(list.integers(ints).message() == "element 0: expected an integer, got double");
  std::vector<std::int64_t> set_back(3);
  REQUIRE(ok_or_die(root.element(1)).integers(set_back).ok());
  CHECK(set_back == is);
  std::vector<double> short_out(2);
  CHECK(list.float64s(short_out).message() == "room for 2 elements, the container holds 5");
  CHECK(root.float64s(back).is_invalid());  // a tuple of 2 containers into 5 slots
  std::vector<double> two(2);
  CHECK(root.float64s(two).message() == "element 0: expected a number, got list");
  CHECK(ok_or_die(list.element(0)).float64s(back).is_type_error());
}

TEST_CASE("numbers in bulk: a none or a string among them is named") {
  auto so = ok_or_die(serialize(Value::list({1.0, nullptr, "x"})));
  auto reader = ok_or_die(ObjectReader::open(so, SerializationContext::default_context()));
  auto root = ok_or_die(reader->root());
  std::vector<double> out(3);
  CHECK(root.float64s(out).message() == "element 1: expected a number, got none");
  auto so2 = ok_or_die(serialize(Value::list({1.0, "x"})));
  auto reader2 = ok_or_die(ObjectReader::open(so2, SerializationContext::default_context()));
  std::vector<double> out2(2);
  CHECK(ok_or_die(reader2->root()).float64s(out2).message() == "element 1: expected a number, got string");
}

TEST_CASE("numbers in bulk need an open list, tuple or set and count toward the limits") {
  const std::vector<double> xs(10, 1.0);
  {
    ObjectWriter w(SerializationContext::default_context());
    CHECK(w.float64s(xs).message() == "ObjectWriter: several numbers at once need an open list, tuple or set");
  }
  {
    ObjectWriter w(SerializationContext::default_context());
    REQUIRE(w.begin_dict().ok());
    CHECK(w.float64s(xs).is_invalid());
    CHECK(w.end().is_invalid());  // the writer remembers its first failure
  }
  {
    ReadLimits few;
    few.max_elements = 5;
    ObjectWriter w(SerializationContext::default_context(), few);
    REQUIRE(w.begin_list().ok());
    CHECK(w.float64s(xs).is_capacity_error());
  }
  {
    auto blob = ok_or_die(ok_or_die(serialize(Value::list({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}))).to_buffer());
    DeserializeOptions few;
    few.limits.max_elements = 4;
    auto reader = ok_or_die(ObjectReader::open(ok_or_die(SerializedObject::read_from(blob, few)),
                                               SerializationContext::default_context(), few));
    std::vector<double> out(6);
    CHECK(ok_or_die(reader->root()).float64s(out).is_capacity_error());
  }
}

TEST_CASE("ObjectWriter refuses unbalanced or incomplete objects") {
  const auto& ctx = SerializationContext::default_context();
  {
    ObjectWriter w(ctx);
    REQUIRE(w.begin_list().ok());
    CHECK(w.finish().status().message() == "ObjectWriter: 1 containers still open");
  }
  {
    ObjectWriter w(ctx);
    REQUIRE(w.begin_dict().ok());
    REQUIRE(w.integer(1).ok());
    CHECK(w.end().message() == "ObjectWriter: a dict key without a value");
    CHECK_FALSE(w.finish().ok());  // a failed writer stays failed
  }
  {
    ObjectWriter w(ctx);
    REQUIRE(w.integer(1).ok());
    CHECK(w.integer(2).message() == "ObjectWriter: only one top-level value");
    CHECK(w.end().is_invalid());
  }
  {
    ObjectWriter w(ctx);
    CHECK(w.finish().status().message() == "ObjectWriter: no value was written");
  }
  {
    ReadLimits shallow;
    shallow.max_depth = 3;
    ObjectWriter w(ctx, shallow);
    Status st;
    for (int i = 0; i < 10 && st.ok(); ++i) st = w.begin_list();
    CHECK(st.is_capacity_error());
  }
}

TEST_CASE("ObjectReader cursors walk a serialized object without building Values") {
  auto t = iota_tensor(2, 2);
  const Value v = Value::dict({{"name", "x"}, {"items", Value::list({1, 2.5, nullptr, Value::bytes("b")})}, {3, t}});
  auto so = ok_or_die(serialize(v));
  auto reader = ok_or_die(ObjectReader::open(so, SerializationContext::default_context()));
  auto root = ok_or_die(reader->root());
  CHECK(root.kind() == Value::Kind::kDict);
  CHECK(*root.size() == 3);
  CHECK(*ok_or_die(root.key(0)).string() == "name");
  CHECK(*ok_or_die(root.value_of(0)).string() == "x");
  auto items = ok_or_die(root.value_of(1));
  CHECK(items.kind() == Value::Kind::kList);
  CHECK(*ok_or_die(items.element(0)).integer() == 1);
  CHECK(*ok_or_die(items.element(1)).float64() == 2.5);
  CHECK(ok_or_die(items.element(2)).is_none());
  CHECK(*ok_or_die(items.element(3)).bytes() == "b");
  CHECK(items.element(4).status().is_index_error());
  CHECK(ok_or_die(items.element(0)).string().status().message() == "expected a string, got int");
  CHECK(ok_or_die(ok_or_die(root.value_of(2)).tensor())->equals(*t));
  CHECK(ok_or_die(root.value()).equals(v));
  CHECK(root.element(0).status().is_type_error());

  // elements(): a range of cursors at once, the same as element() one by one.
  std::array<ObjectReader::Cursor, 3> some;
  REQUIRE(items.elements(1, some).ok());
  CHECK(*some[0].float64() == 2.5);
  CHECK(some[1].is_none());
  CHECK(*some[2].bytes() == "b");
  CHECK(ok_or_die(some[2].value()).equals(ok_or_die(ok_or_die(items.element(3)).value())));
  CHECK(items.elements(2, some).is_index_error());  // 2..4 of 4 elements
  CHECK(items.elements(-1, std::span(some.data(), 1)).is_index_error());
  CHECK(items.elements(std::numeric_limits<std::int64_t>::max(), some).is_index_error());
  CHECK(items.elements(4, std::span(some.data(), 0)).ok());
  CHECK(root.elements(0, some).is_type_error());
  // A default cursor belongs to no reader and reads as None.
  const ObjectReader::Cursor none;
  CHECK(none.is_none());
  CHECK(ok_or_die(none.value()).is_none());
  CHECK(none.float64().status().is_type_error());
  CHECK(none.size().status().is_type_error());
  CHECK(none.charge(1 << 20).ok());
  CHECK(none.limits().max_depth == ReadLimits{}.max_depth);
}

TEST_CASE("ObjectReader: elements() counts the cursors it makes against max_elements") {
  ReadLimits few;
  few.max_elements = 4;  // the list and three of its five elements
  auto so = ok_or_die(serialize(Value::list({1, 2, 3, 4, 5})));
  DeserializeOptions options;
  options.limits = few;
  auto reader = ok_or_die(ObjectReader::open(so, SerializationContext::default_context(), options));
  auto list = ok_or_die(reader->root());
  std::array<ObjectReader::Cursor, 5> all;
  CHECK(list.elements(0, all).is_capacity_error());
  CHECK(list.elements(0, std::span(all.data(), 3)).ok());
  CHECK(list.elements(3, std::span(all.data(), 1)).is_capacity_error());
}

namespace {
// Writes what a walk hands it as text: "{" n, "[" n (lists), "(" n (tuples), "<" n (sets),
// "}" for an end, scalars as their values, items by kind.
class TraceVisitor final : public ObjectVisitor {
 public:
  std::string trace;
  int fail_after = -1;  // the call that fails (0-based), -1: none
  Status on_none() override { return note("none"); }
  Status on_bool(bool b) override { return note(b ? "true" : "false"); }
  Status on_int(std::int64_t v) override { return note(std::to_string(v)); }
  Status on_float(double v, Value::Kind kind) override {
    return note(std::string(Value::kind_name(kind)) + ":" + std::to_string(v));
  }
  Status on_date64(std::int64_t us) override { return note("date:" + std::to_string(us)); }
  Status on_text(std::string_view s, Value::Kind kind) override {
    return note((kind == Value::Kind::kBytes ? "b'" : "'") + std::string(s) + "'");
  }
  Status on_begin(Value::Kind kind, std::int64_t n) override {
    const char* open = kind == Value::Kind::kDict    ? "{"
                       : kind == Value::Kind::kTuple ? "("
                       : kind == Value::Kind::kSet   ? "<"
                                                     : "[";
    return note(open + std::to_string(n));
  }
  Status on_end() override { return note("}"); }
  Status on_item(const ObjectReader::Cursor& item) override {
    if (item.kind() == Value::Kind::kBuffer) {
      ARROWPACK_ASSIGN_OR_RAISE(auto b, item.buffer());
      return note("buffer:" + std::to_string(b->size()));
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto t, item.tensor());
    return note(std::string(Value::kind_name(item.kind())) + ":" + std::to_string(t->size()));
  }

 private:
  Status note(const std::string& what) {
    if (calls_++ == fail_after) return Status::Invalid("visitor stops at ", what);
    if (!trace.empty()) trace += " ";
    trace += what;
    return Status::OK();
  }
  int calls_ = 0;
};
}  // namespace

TEST_CASE("Cursor::walk hands every element to a visitor, in order, counted as cursors count them") {
  auto t = iota_tensor(2, 2);
  const Value v = Value::dict({{"name", "x"},
                               {"items", Value::list({1, 2.5, nullptr, Value::bytes("b"), true, Value::half(0x3c00)})},
                               {3, t},
                               {"nested", Value::tuple({Value::list({}), Value::dict({}), Value::set({7})})},
                               {"buf", Buffer::from_string("abc")},
                               {"when", Value::date64_micros(-5)},
                               {"f", 1.5f}});
  auto so = ok_or_die(serialize(v));
  auto reader = ok_or_die(ObjectReader::open(so, SerializationContext::default_context()));
  const auto root = ok_or_die(reader->root());
  TraceVisitor all;
  REQUIRE(root.walk(all).ok());
  CHECK(all.trace ==
        "{7 'name' 'x' 'items' [6 1 double:2.500000 none b'b' true half:1.000000 } 3 tensor:4 'nested' (3 [0 } {0 } "
        "<1 7 } } 'buf' buffer:3 'when' date:-5 'f' float:1.500000 }");

  // From an element inside: the walk of its subtree only.
  TraceVisitor items;
  REQUIRE(ok_or_die(root.value_of(1)).walk(items).ok());
  CHECK(items.trace == "[6 1 double:2.500000 none b'b' true half:1.000000 }");
  TraceVisitor none;
  REQUIRE(ObjectReader::Cursor().walk(none).ok());
  CHECK(none.trace == "none");

  // The first error a visitor returns stops the walk and is what walk() returns.
  TraceVisitor stops;
  stops.fail_after = 4;  // at "items"' list
  const Status st = root.walk(stops);
  CHECK(st.code() == StatusCode::kInvalid);
  CHECK(st.message() == "visitor stops at [6");
  CHECK(stops.trace == "{7 'name' 'x' 'items'");

  // The limits: the containers' elements are counted as elements()/entries() count them.
  for (const auto& [max_elements, ok] : std::vector<std::pair<std::int64_t, bool>>{{100, true}, {10, false}}) {
    DeserializeOptions options;
    options.limits.max_elements = max_elements;
    auto limited = ok_or_die(ObjectReader::open(so, SerializationContext::default_context(), options));
    TraceVisitor visitor;
    const Status walked = ok_or_die(limited->root()).walk(visitor);
    CHECK(walked.ok() == ok);
    if (!ok) CHECK(walked.is_capacity_error());
  }
  Value deep = Value::list({1});
  for (int i = 0; i < 6; ++i) deep = Value::list({deep});
  DeserializeOptions shallow;
  shallow.limits.max_depth = 4;
  auto deep_reader =
      ok_or_die(ObjectReader::open(ok_or_die(serialize(deep)), SerializationContext::default_context(), shallow));
  TraceVisitor too_deep;
  const Status deep_status = ok_or_die(deep_reader->root()).walk(too_deep);
  CHECK(deep_status.is_capacity_error());
  CHECK(deep_status.message().find("max_depth") != std::string::npos);
}

TEST_CASE("a structure with a compressed body is refused, by name") {
  const Value v = Value::list({1, "two", 3.0, Value::dict({{"k", nullptr}})});
  auto so = ok_or_die(serialize(v));
  // A blob of no out-of-band items around a structure stream written by the IPC writer.
  auto blob_of = [](const std::shared_ptr<Buffer>& stream) {
    std::string bytes(16, '\0');
    bytes.append(reinterpret_cast<const char*>(stream->data()), static_cast<std::size_t>(stream->size()));
    bytes.resize((bytes.size() + 63) / 64 * 64, '\0');  // the items start 64-byte aligned
    return Buffer::from_string(bytes);
  };
  auto plain = blob_of(arrowpack::testing::write_ipc(*so.batch(), 1, false, {}));
  CHECK(ok_or_die(deserialize(ok_or_die(SerializedObject::read_from(plain)))).equals(v));  // the control

  ipc::IpcWriteOptions lz4;
  lz4.compression = Compression::kLz4Frame;
  auto compressed = SerializedObject::read_from(blob_of(arrowpack::testing::write_ipc(*so.batch(), 1, false, lz4)));
  CHECK(compressed.status().is_not_implemented());
  CHECK(compressed.status().message().find("compressed") != std::string::npos);
}

TEST_CASE("a union whose slots alias one child element is refused (no decode amplification)") {
  auto strings = ok_or_die(array<std::string>({std::string(1000, 'x')}));
  auto type = ok_or_die(dense_union({field("0", null()), field("5", utf8())}));
  auto codes = Buffer::from_string(std::string(3, '\x01'));
  auto offsets = Buffer::from_string(std::string(12, '\0'));  // all three slots -> element 0
  auto slots =
      ok_or_die(Array::make(type, 3, {nullptr, codes, offsets}, {ok_or_die(Array::make_nulls(null(), 0)), strings}, 0));
  auto list_type = list(type);
  std::int32_t list_offsets[2] = {0, 3};
  auto lists = ok_or_die(Array::make(list_type, 1, {nullptr, ok_or_die(Buffer::copy_of(list_offsets, 8))}, {slots}, 0));
  auto top_type = ok_or_die(dense_union({field("0", null()), field("10", list_type)}));
  auto top = ok_or_die(Array::make(
      top_type, 1, {nullptr, Buffer::from_string(std::string(1, '\x01')), Buffer::from_string(std::string(4, '\0'))},
      {ok_or_die(Array::make_nulls(null(), 0)), lists}, 0));
  SerializedObject aliased(ok_or_die(RecordBatch::from_arrays({top}, {"list"})), {}, {}, {});
  auto st = deserialize(aliased).status();
  CHECK(st.code() == StatusCode::kSerializationError);
  CHECK(st.message().find("elements must be used once, in order") != std::string::npos);
}

TEST_CASE("numbers as keys: exact equality, consistent hashing, NaN keys in linear time") {
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  auto d = Value::dict({{big, "int"}, {9007199254740992.0, "double"}});
  CHECK(d.as<Dict>()->size() == 2);
  CHECK(Value::set({1, 1.0, true}).as<Set>()->items.size() == 1);
  CHECK(Value(std::int64_t{1} << 60).equals(Value(1152921504606846976.0)));
  CHECK(Value(std::int64_t{1} << 60).hash() == Value(1152921504606846976.0).hash());
  std::vector<std::pair<Value, Value>> nans;
  for (int i = 0; i < 100000; ++i) nans.emplace_back(std::nan(""), i);
  CHECK(Value::dict(std::move(nans)).as<Dict>()->size() == 100000);
}

TEST_CASE("ObjectWriter: unhashable keys, rejected items are not shipped") {
  const auto& ctx = SerializationContext::default_context();
  {
    ObjectWriter w(ctx);
    REQUIRE(w.begin_dict().ok());
    CHECK(w.begin_list().is_type_error());
    CHECK_FALSE(w.finish().ok());
  }
  {
    ObjectWriter w(ctx);
    REQUIRE(w.begin_set().ok());
    REQUIRE(w.begin_tuple().ok());
    CHECK(w.ndarray(iota_tensor(1, 1)).is_type_error());  // a tuple inside a set must be hashable
  }
  {
    ObjectWriter w(ctx);
    REQUIRE(w.integer(1).ok());
    CHECK(w.tensor(iota_tensor(1, 1)).is_invalid());
    CHECK_FALSE(w.finish().ok());
  }
}

namespace {
struct Particles {
  std::vector<double> xs;
};
}  // namespace

TEST_CASE("what tensors view is kept alive: registered payloads and moved-in values") {
  SerializationContext ctx;
  REQUIRE(ctx.register_type<Particles>(
                 "Particles",
                 [](const Particles& p) {
                   // A view of the payload's own vector (no copy): the payload must outlive the
                   // object.
                   auto t =
                       Tensor::make(float64(), Buffer::wrap(p.xs.data(), static_cast<std::int64_t>(p.xs.size() * 8)),
                                    {static_cast<std::int64_t>(p.xs.size())});
                   return Value::ndarray(t.value_or_throw());
                 },
                 [](const Value& v) {
                   return Particles{};
                   (void)v;
                 })
              .ok());
  SerializedObject so = ok_or_die(ctx.serialize_object(Particles{{1.5, 2.5, 3.5}}));  // the temporary is gone
  SerializationContext reader;  // without the type: the object stays opaque, fields visible
  auto back = ok_or_die(deserialize(ok_or_die(so.to_buffer()), reader, DeserializeOptions{{}, true}));
  const Value* data = back.as<Object>()->fields->as<Dict>()->find("data");
  CHECK(data->as<Ndarray>()->tensor->value<double>({2}) == 3.5);
}

TEST_CASE("a SerializedObject copy shares its state, retain() on a copy is that copy's, a moved-from one is empty") {
  auto matrix = ok_or_die(Tensor::make(float64(), ok_or_die(Buffer::copy_of(std::string(48, 'x').data(), 48)), {2, 3}));
  SerializedObject a = ok_or_die(serialize(Value::dict({{"m", Value::ndarray(matrix)}, {"n", Value(7)}})));
  auto blob = ok_or_die(a.to_buffer());
  SerializedObject read = ok_or_die(SerializedObject::read_from(blob));

  // A copy is the same state (the same vectors, the structure parsed once), not a copy of it.
  SerializedObject b = read;
  CHECK(&b.ndarrays() == &read.ndarrays());
  CHECK(b.structure_validated());

  // retain() on a copy: the owner is kept by b alone, and the state is still the one state.
  auto owner = std::make_shared<int>(1);
  std::weak_ptr<int> watch = owner;
  b.retain(std::move(owner));
  CHECK(&b.ndarrays() == &read.ndarrays());
  CHECK(b.structure_validated());
  CHECK(ok_or_die(b.to_buffer())->equals(*blob));
  b = SerializedObject();
  CHECK(watch.expired());
  CHECK(ok_or_die(deserialize(read, SerializationContext{})).as<Dict>()->find("n")->as<std::int64_t>() != nullptr);

  // The state is never replaced: what batch() and the accessors handed out stays valid after
  // retain() and after every other copy is gone.
  {
    SerializedObject c = ok_or_die(serialize(Value::dict({{"n", Value(1)}})));
    const RecordBatchPtr& batch = c.batch();
    REQUIRE(batch != nullptr);
    SerializedObject d = c;
    d.retain(std::make_shared<int>(2));
    c = SerializedObject();
    CHECK(batch->num_rows() == 1);
    CHECK(&d.batch() == &batch);
  }
  // retain() on shared copies again and again keeps one list of owners per object, and each
  // owner lives as long as an object that retained it.
  {
    SerializedObject e = ok_or_die(serialize(Value(3)));
    std::vector<std::weak_ptr<int>> watched;
    for (int i = 0; i < 1000; ++i) {
      SerializedObject copy = e;
      auto payload = std::make_shared<int>(i);
      watched.push_back(payload);
      e.retain(std::move(payload));
    }
    CHECK(!watched.front().expired());
    CHECK(!watched.back().expired());
    e = SerializedObject();
    for (const auto& w : watched) CHECK(w.expired());
  }

  // A moved-from object is empty: refused by name, its accessors empty.
  SerializedObject moved = std::move(read);
  CHECK(moved.ndarrays().size() == 1);
  CHECK(read.ndarrays().empty());  // NOLINT(bugprone-use-after-move): what moving leaves is documented
  CHECK(read.total_bytes().status().code() == StatusCode::kInvalid);
  CHECK(deserialize(read, SerializationContext{}).status().code() == StatusCode::kInvalid);
  CHECK(read.batch() == nullptr);
}

TEST_CASE("a batch of the last one's shape and layout skips the metadata checks, never the body's") {
  auto blob_of = [](const Value& v) { return ok_or_die(ok_or_die(serialize(v)).to_buffer()); };
  auto good = blob_of(Value::dict({{"k", "text"}}));
  auto copy_with = [&](const std::function<void(std::uint8_t*, std::size_t)>& edit) {
    auto b = ok_or_die(allocate_buffer(good->size()));
    std::memcpy(b->mutable_data(), good->data(), static_cast<std::size_t>(good->size()));
    edit(b->mutable_data(), static_cast<std::size_t>(b->size()));
    return std::shared_ptr<Buffer>(b);
  };
  auto text_at = [](const std::uint8_t* p, std::size_t n) {
    const std::string_view all(reinterpret_cast<const char*>(p), n);
    const std::size_t at = all.rfind("text");
    REQUIRE(at != std::string_view::npos);
    return at;
  };
  auto value_of = [](const std::shared_ptr<Buffer>& b) {
    return std::string(*ok_or_die(deserialize(b, SerializationContext{})).as<Dict>()->find("k")->as<std::string>());
  };
  CHECK(value_of(good) == "text");
  // The same metadata, bytes that are not UTF-8 in the body: refused, as the first time.
  auto not_utf8 =
      copy_with([&](std::uint8_t* p, std::size_t n) { std::memcpy(p + text_at(p, n), "\xff\xfe\xfd\xfc", 4); });
  for (int i = 0; i < 2; ++i) {
    CHECK(SerializedObject::read_from(not_utf8).status().is_invalid());
    DeserializeOptions trusted;
    trusted.validation = Validation::kTrustedBytesOnly;
    CHECK(SerializedObject::read_from(not_utf8, trusted).ok());
  }
  // Its string's offsets (just before its bytes) ending past them: refused.
  auto past_end = copy_with([&](std::uint8_t* p, std::size_t n) {
    const std::size_t at = text_at(p, n) - 4;
    std::int32_t end;
    std::memcpy(&end, p + at, 4);
    REQUIRE(end == 4);
    end = 9;
    std::memcpy(p + at, &end, 4);
  });
  const Status st = SerializedObject::read_from(past_end).status();
  CHECK(st.is_invalid());
  CHECK(st.message().find("offsets end at 9") != std::string::npos);
  CHECK(value_of(good) == "text");
  // Objects of one shape and other layouts in turn: each reads as itself.
  auto longer = blob_of(Value::dict({{"k", "a longer text"}}));
  for (int i = 0; i < 3; ++i) {
    CHECK(value_of(longer) == "a longer text");
    CHECK(value_of(good) == "text");
  }
  // One layout, two shapes (a str and a bytes value of one length): each reads as itself.
  auto as_bytes = blob_of(Value::dict({{"k", Value::bytes("text")}}));
  for (int i = 0; i < 2; ++i) {
    const Value back = ok_or_die(deserialize(as_bytes, SerializationContext{}));
    REQUIRE(back.as<Dict>()->find("k")->as<Bytes>() != nullptr);
    CHECK(back.as<Dict>()->find("k")->as<Bytes>()->data == "text");
    CHECK(value_of(good) == "text");
  }
  // The references are counted on every batch: a header that announces fewer ndarrays than
  // the structure uses is refused after a good read of the same layout.
  auto matrix = ok_or_die(Tensor::make(float64(), ok_or_die(Buffer::copy_of(std::string(16, 'x').data(), 16)), {2}));
  auto with_array = blob_of(Value::dict({{"k", Value::ndarray(matrix)}}));
  REQUIRE(SerializedObject::read_from(with_array).ok());
  auto b = ok_or_die(allocate_buffer(with_array->size()));
  std::memcpy(b->mutable_data(), with_array->data(), static_cast<std::size_t>(with_array->size()));
  const std::int32_t none = 0;
  std::memcpy(b->mutable_data() + 8, &none, 4);  // the third count: ndarrays
  const Status refused = SerializedObject::read_from(std::shared_ptr<Buffer>(b)).status();
  CHECK(refused.code() == StatusCode::kSerializationError);
  CHECK(refused.message().find("refers to 0 tensors, 0 sparse tensors, 1 ndarrays") != std::string::npos);
}

TEST_CASE("tensors in a blob must be contiguous") {
  flatbuffers::FlatBufferBuilder fbb;
  auto type = fb::CreateFloatingPoint(fbb, fb::Precision::DOUBLE);
  std::vector<flatbuffers::Offset<fb::TensorDim>> dims{fb::CreateTensorDim(fbb, 1 << 20),
                                                       fb::CreateTensorDim(fbb, 1 << 20)};
  auto shape = fbb.CreateVector(dims);
  auto strides = fbb.CreateVector(std::vector<std::int64_t>{0, 0});
  fb::Buffer where(0, 8);
  auto t = fb::CreateTensor(fbb, fb::Type::FloatingPoint, type.Union(), shape, strides, &where);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Tensor, t.Union(), 8));
  auto meta = ok_or_die(Buffer::copy_of(fbb.GetBufferPointer(), fbb.GetSize()));
  auto body = Buffer::from_string(std::string(8, '\0'));
  auto so = ok_or_die(serialize(Value::list({iota_tensor(1, 1)})));
  auto c = ok_or_die(so.to_components());
  c.data[1] = meta;
  c.data[2] = body;
  // Zero strides: 2^40 elements over 8 bytes, refused by the Tensor reader itself.
  auto st = deserialize_components(c).status();
  CHECK(st.message().find("its strides make elements share memory") != std::string::npos);
}

TEST_CASE("more shapes than the schema caches hold: each object reads back as itself, in any order") {
  // 1,500 objects of distinct shapes (each a list of a different subset of 11 kinds of item)
  // pass the 1,024 entries of both schema caches, the writer's and the reader's, so both are
  // cleared on the way; objects are then read again in another order, and the same shape
  // twice in a row takes the caches' per-thread shortcut.
  const std::vector<Value> kinds = {Value(1),
                                    Value(2.5),
                                    Value("s"),
                                    Value::bytes("b"),
                                    Value(true),
                                    Value(nullptr),
                                    Value::list({1}),
                                    Value::dict({{1, 2}}),
                                    Value::tuple({1}),
                                    Value::set({1}),
                                    Value::list({Value::list({"x"})})};
  auto object = [&](int i) {
    std::vector<Value> items;
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      if (i & (1 << k)) items.push_back(kinds[k]);
    }
    return Value::list(std::move(items));
  };
  std::vector<std::shared_ptr<Buffer>> blobs;
  for (int i = 1; i <= 1500; ++i) blobs.push_back(ok_or_die(ok_or_die(serialize(object(i))).to_buffer()));
  for (int i = 1; i <= 1500; ++i) REQUIRE(ok_or_die(deserialize(blobs[i - 1])) == object(i));
  for (int i = 1500; i >= 1; i -= 7) {
    REQUIRE(ok_or_die(deserialize(blobs[i - 1])) == object(i));
    REQUIRE(ok_or_die(deserialize(blobs[i - 1])) == object(i));
    // and written again, after the writer's cache has moved on: the same bytes
    CHECK(ok_or_die(ok_or_die(serialize(object(i))).to_buffer())->equals(*blobs[i - 1]));
  }
}

TEST_CASE("registry: a structure whose schema says big-endian is refused by name", "[registry]") {
  // No writer of the format makes one (and arrowpack's IPC writer always writes
  // little-endian schemas), so the structure of None gets a hand-built schema message: the
  // dense union "list" of one null child "0", flagged big-endian; its record batch is kept.
  auto object = ok_or_die(serialize(Value()));
  auto components = ok_or_die(object.to_components());
  const Buffer& stream = *components.data[0];
  std::int32_t schema_length = 0;
  std::memcpy(&schema_length, stream.data() + 4, 4);  // after the continuation marker
  const std::int64_t after_schema = 8 + schema_length;

  flatbuffers::FlatBufferBuilder fbb;
  for (auto endianness : {fb::Endianness::Little, fb::Endianness::Big}) {
    fbb.Clear();
    auto null_child = fb::CreateField(fbb, fbb.CreateString("0"), true, fb::Type::Null, fb::CreateNull(fbb).Union());
    std::vector<flatbuffers::Offset<fb::Field>> children{null_child};
    auto union_type = fb::CreateUnion(fbb, fb::UnionMode::Dense, fbb.CreateVector(std::vector<std::int32_t>{0}));
    auto list = fb::CreateField(fbb, fbb.CreateString("list"), true, fb::Type::Union, union_type.Union(), 0,
                                fbb.CreateVector(children));
    std::vector<flatbuffers::Offset<fb::Field>> fields{list};
    auto schema = fb::CreateSchema(fbb, endianness, fbb.CreateVector(fields));
    fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Schema, schema.Union(), 0));
    const std::span<const std::uint8_t> meta(fbb.GetBufferPointer(), fbb.GetSize());
    std::string bytes(
        static_cast<std::size_t>(ok_or_die(ipc::framed_message_size(static_cast<std::int64_t>(meta.size())))), '\0');
    ipc::frame_message(meta, reinterpret_cast<std::uint8_t*>(bytes.data()));
    bytes.append(reinterpret_cast<const char*>(stream.data()) + after_schema,
                 static_cast<std::size_t>(stream.size() - after_schema));
    Components c = components;
    c.data[0] = ok_or_die(Buffer::copy_of(bytes.data(), static_cast<std::int64_t>(bytes.size())));
    auto back = deserialize_components(c);
    if (endianness == fb::Endianness::Little) {  // the hand-built schema is the real one
      INFO(back.status().to_string());
      REQUIRE(back.ok());
      CHECK(back->is_none());
    } else {
      REQUIRE_FALSE(back.ok());
      CHECK(back.status().code() == StatusCode::kNotImplemented);
      CHECK(back.status().message().find("big-endian structure") != std::string::npos);
    }
  }
}

TEST_CASE("ObjectReader: entries() gives what key() and value_of() give, checked and counted at once") {
  auto so = ok_or_die(serialize(Value::dict({{"a", 1}, {"b", Value::list({2, 3})}, {3, "c"}})));
  auto reader = ok_or_die(ObjectReader::open(so, SerializationContext::default_context()));
  auto root = ok_or_die(reader->root());
  ObjectReader::Cursor keys[3], values[3];
  REQUIRE(root.entries(0, keys, values).ok());
  for (int i = 0; i < 3; ++i) {
    CHECK(ok_or_die(keys[i].value()) == ok_or_die(ok_or_die(root.key(i)).value()));
    CHECK(ok_or_die(values[i].value()) == ok_or_die(ok_or_die(root.value_of(i)).value()));
  }
  ObjectReader::Cursor two[2];
  CHECK(root.entries(2, std::span<ObjectReader::Cursor>(two, 2), std::span<ObjectReader::Cursor>(values, 2))
            .is_index_error());
  CHECK(root.entries(0, std::span<ObjectReader::Cursor>(two, 2), std::span<ObjectReader::Cursor>(values, 3))
            .is_invalid());
  CHECK(values[1]
            .entries(0, std::span<ObjectReader::Cursor>(two, 1), std::span<ObjectReader::Cursor>(keys, 1))
            .is_type_error());
  DeserializeOptions tight;
  tight.limits.max_elements = 4;
  auto limited = ok_or_die(ObjectReader::open(so, SerializationContext::default_context(), tight));
  CHECK(ok_or_die(limited->root()).entries(0, keys, values).is_capacity_error());
}

#include "hostile_inputs.h"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "File_generated.h"
#include "Message_generated.h"
#include "Schema_generated.h"
#include "Tensor_generated.h"
#include "arrowpack/registry/arrow_objects.h"
#include "arrowpack/registry/serialize.h"
#include "test_data.h"

namespace arrowpack::hostile {
namespace {

template <typename T>
T ok(Result<T> r) {
  return std::move(r).value_or_throw();
}

// One encapsulated message of a stream: where its flatbuffer and its body are.
struct Frame {
  std::int64_t start, metadata, metadata_length, body, body_length;
};

// The messages of an IPC stream held in `bytes` from `from` on (continuation framing).
std::vector<Frame> frames_of(const std::string& bytes, std::int64_t from = 0) {
  std::vector<Frame> out;
  std::int64_t pos = from;
  while (pos + 8 <= static_cast<std::int64_t>(bytes.size())) {
    std::int32_t len;
    std::memcpy(&len, bytes.data() + pos + 4, 4);
    if (len == 0) break;
    const auto* m = fb::GetMessage(bytes.data() + pos + 8);
    out.push_back({pos, pos + 8, len, pos + 8 + len, m->bodyLength()});
    pos += 8 + len + m->bodyLength();
  }
  return out;
}

// The flatbuffer Buffer entries of the record batch (or dictionary batch) message `f`, to
// patch in place.
fb::Buffer* buffers_of(std::string& bytes, const Frame& f) {
  const auto* m = fb::GetMessage(bytes.data() + f.metadata);
  const fb::RecordBatch* rb = m->header_type() == fb::MessageHeader::DictionaryBatch
                                  ? m->header_as_DictionaryBatch()->data()
                                  : m->header_as_RecordBatch();
  return reinterpret_cast<fb::Buffer*>(const_cast<std::uint8_t*>(rb->buffers()->Data()));
}
std::size_t num_buffers(const std::string& bytes, const Frame& f) {
  const auto* m = fb::GetMessage(bytes.data() + f.metadata);
  const fb::RecordBatch* rb = m->header_type() == fb::MessageHeader::DictionaryBatch
                                  ? m->header_as_DictionaryBatch()->data()
                                  : m->header_as_RecordBatch();
  return rb->buffers()->size();
}

std::string framed(const std::uint8_t* metadata, std::size_t size, const std::string& body) {
  std::string out;
  const std::uint32_t marker = 0xFFFFFFFFu;
  const std::size_t padded = (size + 7) / 8 * 8;
  const auto len = static_cast<std::int32_t>(padded);
  out.append(reinterpret_cast<const char*>(&marker), 4);
  out.append(reinterpret_cast<const char*>(&len), 4);
  out.append(reinterpret_cast<const char*>(metadata), size);
  out.append(padded - size, '\0');
  out += body;
  return out;
}

// Moves the int64 vector that the uoffset field at `field` (an offset into `fbuf`) points at
// to the end of `fbuf`, placed so that its elements sit at 4 mod 8 from the start.
void move_vector_misaligned(std::string& fbuf, std::size_t field) {
  std::uint32_t rel;
  std::memcpy(&rel, fbuf.data() + field, 4);
  const std::size_t old = field + rel;
  std::uint32_t count;
  std::memcpy(&count, fbuf.data() + old, 4);
  const std::string vec = fbuf.substr(old, 4 + 8 * std::size_t{count});
  while (fbuf.size() % 8 != 0) fbuf.push_back('\0');  // the length prefix at 0 mod 8: elements at 4
  const std::size_t now = fbuf.size();
  fbuf += vec;
  const auto moved = static_cast<std::uint32_t>(now - field);
  std::memcpy(fbuf.data() + field, &moved, 4);
}

// The address, within its table's buffer, of the uoffset field `vt` of `table`.
std::size_t field_at(const void* table, flatbuffers::voffset_t vt, const std::string& fbuf) {
  const auto* t = reinterpret_cast<const flatbuffers::Table*>(table);
  return static_cast<std::size_t>(t->GetAddressOf(vt) - reinterpret_cast<const std::uint8_t*>(fbuf.data()));
}

std::shared_ptr<Buffer> to_buffer(std::string s) { return Buffer::from_string(std::move(s)); }

std::string blob_of(const Value& v) { return ok(ok(serialize(v)).to_buffer())->to_string(); }

// The writer options the regression files were found under: 64-byte body alignment, the
// default until issue #11 made it 8. Pinned so that each file stays the bytes that once failed.
ipc::IpcWriteOptions as_found() {
  ipc::IpcWriteOptions options;
  options.alignment = 64;
  return options;
}

}  // namespace

std::shared_ptr<Buffer> misaligned_variadic_counts() {
  // One view of 20 bytes in data buffer 0, written by hand with the counts vector moved.
  auto schema = arrowpack::schema({field("v", utf8_view())});
  auto schema_message = ok(ipc::make_schema_message(*schema));
  std::string body(64, '\0');
  const std::int32_t view[4] = {20, 0x64636261, 0, 0};
  std::memcpy(body.data(), view, 16);
  std::memcpy(body.data() + 16, "abcdefghijklmnopqrst", 20);
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<fb::FieldNode> nodes{{1, 0}};
  std::vector<fb::Buffer> buffers{{0, 0}, {0, 16}, {16, 20}};
  auto n = fbb.CreateVectorOfStructs(nodes);
  auto b = fbb.CreateVectorOfStructs(buffers);
  auto counts = fbb.CreateVector(std::vector<std::int64_t>{1});
  auto rb = fb::CreateRecordBatch(fbb, 1, n, b, 0, counts);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), 64));
  std::string meta(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  const auto* batch = fb::GetMessage(meta.data())->header_as_RecordBatch();
  move_vector_misaligned(meta, field_at(batch, fb::RecordBatch::VT_VARIADICBUFFERCOUNTS, meta));
  std::string out = framed(schema_message->metadata()->data(), schema_message->metadata()->size(), "");
  out += framed(reinterpret_cast<const std::uint8_t*>(meta.data()), meta.size(), body);
  out.append("\xff\xff\xff\xff\0\0\0\0", 8);
  return to_buffer(std::move(out));
}

std::shared_ptr<Buffer> overlapping_string_views(std::int64_t views, std::int64_t bytes, bool junk) {
  auto schema = arrowpack::schema({field("v", utf8_view(), false)});
  auto schema_message = ok(ipc::make_schema_message(*schema));
  const std::int64_t view_bytes = 16 * views;
  const std::int64_t data_at = (view_bytes + 7) / 8 * 8;
  const std::int64_t data_size = bytes + (junk ? 1 : 0);
  std::string body(static_cast<std::size_t>((data_at + data_size + 7) / 8 * 8), '\0');
  const std::int32_t view[4] = {static_cast<std::int32_t>(bytes), 0x61616161, 0, 0};
  for (std::int64_t i = 0; i < views; ++i) std::memcpy(body.data() + 16 * i, view, 16);
  std::memset(body.data() + data_at, 'a', static_cast<std::size_t>(bytes));
  if (junk) body[static_cast<std::size_t>(data_at + bytes)] = static_cast<char>(0xFF);
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<fb::FieldNode> nodes{{views, 0}};
  std::vector<fb::Buffer> buffers{{0, 0}, {0, view_bytes}, {data_at, data_size}};
  auto n = fbb.CreateVectorOfStructs(nodes);
  auto b = fbb.CreateVectorOfStructs(buffers);
  auto counts = fbb.CreateVector(std::vector<std::int64_t>{1});
  auto rb = fb::CreateRecordBatch(fbb, views, n, b, 0, counts);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(),
                               static_cast<std::int64_t>(body.size())));
  std::string out = framed(schema_message->metadata()->data(), schema_message->metadata()->size(), "");
  out += framed(fbb.GetBufferPointer(), fbb.GetSize(), body);
  out.append("\xff\xff\xff\xff\0\0\0\0", 8);
  return to_buffer(std::move(out));
}

std::shared_ptr<Buffer> misaligned_tensor_strides() {
  flatbuffers::FlatBufferBuilder fbb;
  auto type = fb::CreateFloatingPoint(fbb, fb::Precision::DOUBLE);
  std::vector<flatbuffers::Offset<fb::TensorDim>> dims{fb::CreateTensorDim(fbb, 2), fb::CreateTensorDim(fbb, 3)};
  auto shape = fbb.CreateVector(dims);
  auto strides = fbb.CreateVector(std::vector<std::int64_t>{24, 8});
  fb::Buffer where(0, 48);
  auto t = fb::CreateTensor(fbb, fb::Type::FloatingPoint, type.Union(), shape, strides, &where);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Tensor, t.Union(), 48));
  std::string meta(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  const auto* tensor = fb::GetMessage(meta.data())->header_as_Tensor();
  move_vector_misaligned(meta, field_at(tensor, fb::Tensor::VT_STRIDES, meta));
  std::string body(48, '\0');
  for (int i = 0; i < 6; ++i) {
    const double d = i;
    std::memcpy(body.data() + 8 * i, &d, 8);
  }
  return to_buffer(framed(reinterpret_cast<const std::uint8_t*>(meta.data()), meta.size(), body));
}

std::int64_t misaligned_element_offset(const Buffer& bytes, bool tensor) {
  const std::string s = bytes.to_string();
  const auto frames = frames_of(s);
  const Frame& f = tensor ? frames.at(0) : frames.at(1);
  const auto* m = fb::GetMessage(s.data() + f.metadata);
  const std::uint8_t* first =
      tensor ? m->header_as_Tensor()->strides()->Data() : m->header_as_RecordBatch()->variadicBufferCounts()->Data();
  return first - reinterpret_cast<const std::uint8_t*>(s.data() + f.metadata);
}

std::shared_ptr<Buffer> many_nones(std::int64_t n) {
  return to_buffer(blob_of(Value::list(std::vector<Value>(static_cast<std::size_t>(n)))));
}

std::string components_header(std::int64_t claim) {
  std::string out(64, '\0');  // the framing, padded to 64 bytes
  std::memcpy(out.data(), "APCOMP01", 8);
  const std::int64_t parts = 1;
  std::memcpy(out.data() + 24, &parts, 8);
  std::memcpy(out.data() + 32, &claim, 8);
  return out;
}

std::shared_ptr<Buffer> aliased_strings(int levels, std::int64_t bytes) {
  // Honest: the innermost level holds a string of `bytes` bytes (and a None, so that no list
  // has offsets [0, 1]), every other level "x".
  Value v = Value::list({Value(std::string(static_cast<std::size_t>(bytes), 'x')), Value()});
  for (int i = 1; i < levels; ++i) v = Value::list({Value("x"), std::move(v)});
  std::string blob = blob_of(v);
  // The structure stream follows the 16-byte header. Point every "x" (offsets [0, 1], one
  // data byte) at the big string's offsets [0, bytes] and data.
  const auto frames = frames_of(blob, 16);
  const Frame& batch = frames.at(1);
  fb::Buffer* b = buffers_of(blob, batch);
  const std::size_t n = num_buffers(blob, batch);
  auto entry = [&](std::size_t i) {
    fb::Buffer e;
    std::memcpy(static_cast<void*>(&e), b + i, sizeof(e));
    return e;
  };
  auto holds = [&](const fb::Buffer& e, std::int32_t first, std::int32_t second) {
    std::int32_t o[2];
    std::memcpy(o, blob.data() + batch.body + e.offset(), 8);
    return e.length() == 8 && o[0] == first && o[1] == second;
  };
  std::int64_t big_offsets = -1, big_data = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const fb::Buffer e = entry(i);
    if (holds(e, 0, static_cast<std::int32_t>(bytes))) big_offsets = e.offset();
    if (e.length() == bytes) big_data = e.offset();
  }
  if (big_offsets < 0 || big_data < 0) throw std::logic_error("aliased_strings: the big string was not found");
  for (std::size_t i = 0; i < n; ++i) {
    const fb::Buffer e = entry(i);
    fb::Buffer moved = e;
    if (holds(e, 0, 1)) moved = fb::Buffer(big_offsets, 8);
    if (e.length() == 1 && blob[static_cast<std::size_t>(batch.body + e.offset())] == 'x') {
      moved = fb::Buffer(big_data, bytes);
    }
    std::memcpy(static_cast<void*>(b + i), &moved, sizeof(moved));
  }
  return to_buffer(std::move(blob));
}

std::shared_ptr<Buffer> aliased_columns(int columns, std::int64_t bytes, bool big_endian) {
  const std::int64_t n = bytes / 8;
  // The schema: `columns` int64 fields, little- or big-endian.
  flatbuffers::FlatBufferBuilder sfb;
  std::vector<flatbuffers::Offset<fb::Field>> fields;
  for (int i = 0; i < columns; ++i) {
    auto name = sfb.CreateString("c" + std::to_string(i));
    auto type = fb::CreateInt(sfb, 64, true);
    fields.push_back(fb::CreateField(sfb, name, false, fb::Type::Int, type.Union()));
  }
  auto fs = sfb.CreateVector(fields);
  auto sch = fb::CreateSchema(sfb, big_endian ? fb::Endianness::Big : fb::Endianness::Little, fs);
  sfb.Finish(fb::CreateMessage(sfb, fb::MetadataVersion::V5, fb::MessageHeader::Schema, sch.Union(), 0));
  // One batch whose every column's values are the same region of the body (4 bytes in, so
  // misaligned, when little-endian).
  const std::int64_t start = big_endian ? 0 : 4;
  std::string body(static_cast<std::size_t>(start + 8 * n + 4), '\0');
  for (std::int64_t i = 0; i < n; ++i) std::memcpy(body.data() + start + 8 * i, &i, 8);
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<fb::FieldNode> nodes(static_cast<std::size_t>(columns), fb::FieldNode(n, 0));
  std::vector<fb::Buffer> buffers;
  for (int i = 0; i < columns; ++i) {
    buffers.emplace_back(0, 0);
    buffers.emplace_back(start, 8 * n);
  }
  auto nv = fbb.CreateVectorOfStructs(nodes);
  auto bv = fbb.CreateVectorOfStructs(buffers);
  auto rb = fb::CreateRecordBatch(fbb, n, nv, bv);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(),
                               static_cast<std::int64_t>(body.size())));
  std::string out = framed(sfb.GetBufferPointer(), sfb.GetSize(), "");
  out += framed(fbb.GetBufferPointer(), fbb.GetSize(), body);
  out.append("\xff\xff\xff\xff\0\0\0\0", 8);
  return to_buffer(std::move(out));
}

std::shared_ptr<Buffer> aliased_footer_blocks(int blocks, std::int64_t bytes) {
  // An honest file: a dictionary column whose batches add one small value each, then one
  // value of `bytes` bytes (each a delta, merged by unify_dictionaries).
  auto type = ok(dictionary(int32(), utf8()));
  auto schema = arrowpack::schema({field("d", type)});
  auto sink = ok(io::BufferOutputStream::create());
  ipc::IpcWriteOptions options = as_found();
  options.unify_dictionaries = true;
  auto writer = ok(ipc::new_file(sink, schema, options));
  for (int i = 0; i <= blocks + 1; ++i) {
    const std::string value = i == blocks + 1 ? std::string(static_cast<std::size_t>(bytes), 'y') : std::to_string(i);
    auto values = ok(array<std::string>({value}));
    auto encoded = ok(dictionary_encode(values));
    writer->write_batch(*ok(RecordBatch::make(schema, 1, {encoded}))).throw_if_error();
  }
  writer->close().throw_if_error();
  std::string s = ok(sink->getvalue())->to_string();
  // The footer: every dictionary block after the first now points at the big delta.
  std::int32_t footer_length;
  std::memcpy(&footer_length, s.data() + s.size() - 10, 4);
  const std::size_t footer = s.size() - 10 - static_cast<std::size_t>(footer_length);
  const auto* f = fb::GetFooter(s.data() + footer);
  auto* d = reinterpret_cast<fb::Block*>(const_cast<std::uint8_t*>(f->dictionaries()->Data()));
  const std::size_t n = f->dictionaries()->size();
  fb::Block big;
  std::memcpy(static_cast<void*>(&big), d + n - 1, sizeof(big));
  for (std::size_t i = 1; i < n; ++i) std::memcpy(static_cast<void*>(d + i), &big, sizeof(big));
  return to_buffer(std::move(s));
}

std::shared_ptr<Buffer> delta_stream(int deltas, int value_bytes) {
  // The messages of a two-batch stream with deltas: schema, dictionary, batch, delta, batch.
  auto type = ok(dictionary(int32(), utf8()));
  auto schema = arrowpack::schema({field("d", type)});
  auto two = [&](const std::string& extra) {
    auto builder = ok(DictionaryBuilder::make(type));
    builder->append("v").throw_if_error();
    auto b1 = ok(RecordBatch::make(schema, 1, {ok(builder->finish())}));
    builder->append(extra).throw_if_error();
    auto indices = ok(builder->finish());  // [1] over ["v", extra]
    auto b2 = ok(RecordBatch::make(schema, 1, {indices}));
    ipc::IpcWriteOptions options = as_found();
    options.emit_dictionary_deltas = true;
    auto sink = ok(io::BufferOutputStream::create());
    auto writer = ok(ipc::new_stream(sink, schema, options));
    writer->write_batch(*b1).throw_if_error();
    writer->write_batch(*b2).throw_if_error();
    writer->close().throw_if_error();
    return ok(sink->getvalue())->to_string();
  };
  const std::string first = two(std::string(static_cast<std::size_t>(value_bytes), 'a'));
  const auto frames = frames_of(first);  // schema, dictionary, batch, delta, batch
  auto slice = [](const std::string& s, const Frame& f) {
    return s.substr(static_cast<std::size_t>(f.start), static_cast<std::size_t>(f.body + f.body_length - f.start));
  };
  std::string out = slice(first, frames[0]) + slice(first, frames[1]) + slice(first, frames[2]);
  const std::string batch = slice(first, frames[4]);  // index 1: valid after the first delta
  for (int i = 0; i < deltas; ++i) {
    std::string value = std::to_string(i);
    value.resize(static_cast<std::size_t>(value_bytes), '.');
    const std::string s = two(value);
    out += slice(s, frames_of(s)[3]);
    out += batch;
  }
  out.append("\xff\xff\xff\xff\0\0\0\0", 8);
  return to_buffer(std::move(out));
}

std::shared_ptr<Buffer> replacing_dictionary_stream(int batches, int value_bytes) {
  auto type = ok(dictionary(int32(), utf8()));
  auto schema = arrowpack::schema({field("d", type)});
  auto sink = ok(io::BufferOutputStream::create());
  auto writer = ok(ipc::new_stream(sink, schema, as_found()));
  for (int i = 0; i < batches; ++i) {
    std::string value = std::to_string(i);
    value.resize(static_cast<std::size_t>(value_bytes), '.');
    auto encoded = ok(dictionary_encode(ok(array<std::string>({value}))));
    writer->write_batch(*ok(RecordBatch::make(schema, 1, {encoded}))).throw_if_error();
  }
  writer->close().throw_if_error();
  return ok(sink->getvalue());
}

std::shared_ptr<Buffer> zero_stride_tensor() {
  flatbuffers::FlatBufferBuilder fbb;
  auto type = fb::CreateFloatingPoint(fbb, fb::Precision::DOUBLE);
  std::vector<flatbuffers::Offset<fb::TensorDim>> dims{fb::CreateTensorDim(fbb, std::int64_t{1} << 28),
                                                       fb::CreateTensorDim(fbb, std::int64_t{1} << 28)};
  auto shape = fbb.CreateVector(dims);
  auto strides = fbb.CreateVector(std::vector<std::int64_t>{0, 0});
  fb::Buffer where(0, 8);
  auto t = fb::CreateTensor(fbb, fb::Type::FloatingPoint, type.Union(), shape, strides, &where);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Tensor, t.Union(), 8));
  return to_buffer(framed(fbb.GetBufferPointer(), fbb.GetSize(), std::string(8, '\0')));
}

std::shared_ptr<Buffer> compression_bombs(int messages, std::int64_t values) {
  auto zeros = ok(array<std::int64_t>(std::vector<std::int64_t>(static_cast<std::size_t>(values), 0)));
  auto batch = ok(RecordBatch::make(arrowpack::schema({field("z", int64(), false)}), values, {zeros}));
  ipc::IpcWriteOptions options = as_found();
  options.compression = Compression::kZstd;
  const std::string one = testing::write_ipc(*batch, 1, false, options)->to_string();
  const auto frames = frames_of(one);  // schema, batch
  std::string out = one.substr(0, static_cast<std::size_t>(frames[1].start));
  const std::string message =
      one.substr(static_cast<std::size_t>(frames[1].start),
                 static_cast<std::size_t>(frames[1].body + frames[1].body_length - frames[1].start));
  for (int i = 0; i < messages; ++i) out += message;
  out.append("\xff\xff\xff\xff\0\0\0\0", 8);
  return to_buffer(std::move(out));
}

std::shared_ptr<Buffer> repeated_tensor_reference(std::int64_t bytes) {
  auto data = ok(allocate_buffer(bytes));
  std::memset(data->mutable_data(), 1, static_cast<std::size_t>(bytes));
  auto t = ok(Tensor::make(uint8(), data, {bytes}));
  // An integer between the two keeps the union's offsets ([0, 0, 1]) from looking like the
  // ndarray child's int32 indices [0, 1], which become [0, 0].
  std::string blob = blob_of(Value::list({Value::ndarray(t), 5, Value::ndarray(t)}));
  const auto frames = frames_of(blob, 16);
  const Frame& batch = frames.at(1);
  fb::Buffer* b = buffers_of(blob, batch);
  for (std::size_t i = 0; i < num_buffers(blob, batch); ++i) {
    fb::Buffer e;
    std::memcpy(static_cast<void*>(&e), b + i, sizeof(e));
    const std::int32_t expected[2] = {0, 1};
    char* at = blob.data() + batch.body + e.offset();
    if (e.length() == 8 && std::memcmp(at, expected, 8) == 0) std::memset(at + 4, 0, 4);
  }
  return to_buffer(std::move(blob));
}

std::shared_ptr<Buffer> tuple_keys(int n, bool colliding) {
  std::vector<std::pair<Value, Value>> entries;
  entries.reserve(static_cast<std::size_t>(n));
  constexpr std::uint64_t kTarget = 0x1234567;
  for (int i = 1; i <= n; ++i) {
    const auto a = static_cast<std::uint64_t>(i);
    // (0x345678 ^ a) * 1000003 ^ b == kTarget for every a: the old hash of (a, b) is fixed.
    const std::uint64_t b = colliding ? ((0x345678 ^ a) * 1000003) ^ kTarget : a + 7;
    entries.emplace_back(Value::tuple({Value(static_cast<std::int64_t>(a)), Value(static_cast<std::int64_t>(b))}),
                         Value(i));
  }
  return to_buffer(blob_of(Value::dict(std::move(entries))));
}

Value nested(int depth, bool dicts) {
  Value v(1);
  for (int i = 1; i < depth; ++i) v = dicts ? Value::dict({{Value("k"), std::move(v)}}) : Value::list({std::move(v)});
  return v;
}

std::shared_ptr<Buffer> control_bytes_type_name() {
  return to_buffer(blob_of(
      Value::dict({{Value("_pytype_"), Value(std::string("evil\x1b[2J\n\0name", 14))}, {Value("data"), Value(1)}})));
}

std::shared_ptr<Buffer> huge_child_length() {
  std::string blob = blob_of(Value::list({"ab"}));
  const auto frames = frames_of(blob, 16);  // after the blob's four counts
  const auto* m = fb::GetMessage(blob.data() + frames.at(1).metadata);
  auto* nodes = const_cast<flatbuffers::Vector<const fb::FieldNode*>*>(m->header_as_RecordBatch()->nodes());
  const_cast<fb::FieldNode*>(nodes->Get(nodes->size() - 1))->mutate_length(std::numeric_limits<std::int64_t>::max());
  return to_buffer(std::move(blob));
}

std::shared_ptr<Buffer> null_column_table(std::int64_t rows, int batches) {
  std::vector<Array> columns;
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) {
    columns.push_back(ok(Array::make_nulls(null(), rows)));
    names.push_back(std::to_string(i));
  }
  auto batch = ok(RecordBatch::from_arrays(columns, names));
  auto table = ok(Table::from_batches(batch->schema(), std::vector<RecordBatchPtr>(batches, batch)));
  return to_buffer(blob_of(ok(arrow_objects::table_value(*table))));
}

}  // namespace arrowpack::hostile

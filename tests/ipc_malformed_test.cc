// Hostile and broken inputs: every one must end in a typed error that names the problem,
// never a crash, a hang or a huge allocation (CI runs this under ASan and UBSan).
#include <dirent.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#include "Message_generated.h"
#include "arrowpack/core/api.h"
#include "canonical_json.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;
using arrowpack::testing::seed_batch;
using namespace std::string_literals;

namespace {

std::shared_ptr<Buffer> seed_stream(int times = 2) {
  return arrowpack::testing::write_ipc(*seed_batch(), times, false);
}

std::shared_ptr<Buffer> seed_file() { return arrowpack::testing::write_ipc(*seed_batch(), 1, true); }

// Reads a whole stream; returns the first error (or OK) and counts rows.
Status read_stream(const std::shared_ptr<Buffer>& bytes, std::int64_t* rows = nullptr) {
  ARROWPACK_ASSIGN_OR_RAISE(auto reader, ipc::open_stream(bytes));
  ARROWPACK_ASSIGN_OR_RAISE(auto table, reader->read_all());
  if (rows) *rows = table->num_rows();
  return Status::OK();
}

Status read_file(const std::shared_ptr<Buffer>& bytes) {
  ARROWPACK_ASSIGN_OR_RAISE(auto reader, ipc::open_file(bytes));
  ARROWPACK_ASSIGN_OR_RAISE(auto table, reader->read_all());
  return Status::OK();
}

std::shared_ptr<Buffer> bytes(std::string s) { return Buffer::from_string(std::move(s)); }

std::shared_ptr<Buffer> mutable_copy(const Buffer& b) { return ok_or_die(Buffer::copy_of(b.data(), b.size())); }

// A RecordBatch message with hand-made nodes and buffers over `body`.
Result<std::unique_ptr<ipc::Message>> craft(std::int64_t length, std::vector<fb::FieldNode> nodes,
                                            std::vector<fb::Buffer> buffers, std::shared_ptr<Buffer> body,
                                            const std::vector<std::int64_t>* variadic_counts = nullptr) {
  flatbuffers::FlatBufferBuilder fbb;
  auto n = fbb.CreateVectorOfStructs(nodes);
  auto b = fbb.CreateVectorOfStructs(buffers);
  auto counts = variadic_counts ? fbb.CreateVector(*variadic_counts) : 0;
  auto rb = fb::CreateRecordBatch(fbb, length, n, b, 0, counts);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), body->size()));
  auto meta = ok_or_die(Buffer::copy_of(fbb.GetBufferPointer(), fbb.GetSize()));
  return ipc::Message::open(meta, body);
}

std::string message_of(const Status& s) { return s.message(); }

}  // namespace

TEST_CASE("a stream cut at every byte gives data or a truncation error, never a crash") {
  auto full = seed_stream(2);
  std::int64_t clean_ends = 0;
  for (std::int64_t n = 0; n < full->size(); ++n) {
    auto cut = ok_or_die(full->slice(0, n));
    std::int64_t rows = -1;
    Status st = read_stream(cut, &rows);
    if (st.ok()) {
      ++clean_ends;  // cut exactly between messages
      CHECK(rows % 4 == 0);
    } else {
      INFO(n << ": " << st.to_string());
      CHECK((st.is_invalid() || st.is_io_error()));
    }
  }
  CHECK(clean_ends >= 2);
  std::int64_t rows = 0;
  REQUIRE(read_stream(full, &rows).ok());
  CHECK(rows == 8);
}

TEST_CASE("truncation errors say what was expected") {
  auto full = seed_stream(1);
  CHECK(message_of(read_stream(ok_or_die(full->slice(0, 6)))) ==
        "stream truncated after the continuation marker (2 of 4 length bytes)");
  auto st = read_stream(ok_or_die(full->slice(0, 20)));
  CHECK(st.message().find("stream truncated: message metadata announces") != std::string::npos);
  CHECK(message_of(read_stream(bytes(""))) == "IPC stream is empty: no schema message");
}

TEST_CASE("a file cut anywhere, without footer or with a wrong magic is refused") {
  auto full = seed_file();
  for (std::int64_t n = 0; n < full->size(); ++n) {
    Status st = read_file(ok_or_die(full->slice(0, n)));
    INFO(n);
    CHECK(st.is_invalid());
  }
  auto bad_magic = mutable_copy(*full);
  const_cast<std::uint8_t*>(bad_magic->data())[0] = 'X';
  CHECK(message_of(read_file(bad_magic)) == "not an Arrow IPC file: leading magic 'ARROW1' missing");
  // No footer: a stream behind the file magic.
  auto stream = seed_stream(1);
  auto no_footer = bytes("ARROW1\0\0"s + std::string(stream->view()) + "ARROW1");
  CHECK(read_file(no_footer).message().find("footer") != std::string::npos);
  auto cut_tail = ok_or_die(full->slice(0, full->size() - 1));
  CHECK(read_file(cut_tail).message() == "Arrow IPC file has no trailing 'ARROW1' magic (truncated file?)");
}

TEST_CASE("a footer length beyond the file, and blocks outside the data, are refused") {
  auto full = mutable_copy(*seed_file());
  auto* p = const_cast<std::uint8_t*>(full->data());
  const std::int64_t len_pos = full->size() - 10;
  std::int32_t huge = 1 << 30;
  std::memcpy(p + len_pos, &huge, 4);
  CHECK(read_file(full).message().find("footer length 1073741824 does not fit") != std::string::npos);
  std::int32_t negative = -8;
  std::memcpy(p + len_pos, &negative, 4);
  CHECK(read_file(full).is_invalid());
}

TEST_CASE("metadata lengths that are negative, huge or beyond the data") {
  CHECK(message_of(read_stream(bytes("\xFF\xFF\xFF\xFF\xF0\xFF\xFF\xFF"s))) == "negative message metadata length -16");
  auto st = read_stream(bytes("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x7F"s + std::string(16, '\0')));
  CHECK(st.is_capacity_error());
  st = read_stream(bytes("\xFF\xFF\xFF\xFF\xE8\x03\x00\x00"s + std::string(10, 'x')));
  CHECK(st.message() == "stream truncated: message metadata announces 1000 bytes, 10 remain");
  st = read_stream(bytes("\xFF\xFF\xFF\xFF\x10\x00\x00\x00"s + std::string(16, 'x')));
  CHECK(st.message().find("is not a valid flatbuffer Message") != std::string::npos);
}

TEST_CASE("a body shorter than the metadata announces") {
  auto full = seed_stream(1);
  io::BufferReader r(full);
  auto schema_msg = ok_or_die(ipc::read_message(&r));
  auto batch_msg = ok_or_die(ipc::read_message(&r));
  auto short_body = ok_or_die(batch_msg->body()->slice(0, 8));
  auto st = ipc::Message::open(batch_msg->metadata(), short_body).status();
  CHECK(st.message().find("message body truncated: metadata announces") != std::string::npos);
}

TEST_CASE("record batch buffers and nodes that lie") {
  auto schema = arrowpack::schema({field("x", int32())});
  auto body = ok_or_die(allocate_buffer(64));
  std::memset(body->mutable_data(), 0, 64);
  std::shared_ptr<Buffer> b = body;
  auto decode = [&](std::int64_t length, std::vector<fb::FieldNode> nodes, std::vector<fb::Buffer> buffers) {
    auto m = craft(length, std::move(nodes), std::move(buffers), b);
    if (!m.ok()) return m.status();
    return ipc::read_record_batch(**m, schema).status();
  };
  CHECK(decode(4, {{4, 0}}, {{0, 0}, {0, 16}}).ok());
  CHECK(decode(4, {{4, 0}}, {{0, 0}, {60, 16}}).message() ==
        "reading column 'x': buffer 1 [offset 60, length 16] lies outside the 64-byte message body");
  CHECK(decode(4, {{4, 0}}, {{0, 0}, {-8, 16}}).message().find("lies outside") != std::string::npos);
  CHECK(decode(4, {{4, 0}}, {{0, 0}, {0, -1}}).message().find("lies outside") != std::string::npos);
  CHECK(decode(4, {{-4, 0}}, {{0, 0}, {0, 16}}).message() == "reading column 'x': negative array length -4");
  CHECK(decode(4, {{4, 5}}, {{0, 0}, {0, 16}}).message() == "reading column 'x': null count 5 outside [0, 4]");
  CHECK(decode(4, {{4, 1}}, {{0, 0}, {0, 16}}).message() ==
        "reading column 'x': field 'x' has 1 nulls but no validity bitmap");
  CHECK(decode(4, {}, {{0, 0}, {0, 16}}).message().find("too few field nodes") != std::string::npos);
  CHECK(decode(4, {{4, 0}}, {{0, 0}}).message().find("too few buffers") != std::string::npos);
  CHECK(decode(4, {{4, 0}}, {{0, 0}, {0, 16}, {0, 8}}).message() == "record batch has 3 buffers, the schema uses 2");
  CHECK(decode(5, {{4, 0}}, {{0, 0}, {0, 16}}).message() == "column 'x' has 4 rows, the record batch has 5");
  CHECK(decode(8, {{8, 0}}, {{0, 0}, {0, 16}}).message().find("needs 32 bytes of values") != std::string::npos);
  CHECK(decode(-1, {{4, 0}}, {{0, 0}, {0, 16}}).message() == "negative record batch length -1");
}

TEST_CASE("offsets that are not monotonic, and union codes not declared, in a real message") {
  auto strings = ok_or_die(array<std::string>({"ab", "cd", "ef"}));
  auto batch = ok_or_die(RecordBatch::from_arrays({strings}, {"s"}));
  auto payload = ok_or_die(ipc::make_record_batch_payload(*batch));
  // Body: [validity: empty][offsets 0,2,4,6 at 0][data at 64]; swap offsets 1 and 2.
  auto body = ok_or_die(allocate_buffer(payload.body_length));
  std::int64_t pos = 0;
  for (std::size_t i = 0; i < payload.body_buffers.size(); ++i) {
    if (payload.body_buffers[i]) {
      std::memcpy(body->mutable_data() + pos, payload.body_buffers[i]->data(), payload.body_buffers[i]->size());
      pos += payload.body_buffers[i]->size();
    }
    std::memset(body->mutable_data() + pos, 0, payload.body_padding[i]);
    pos += payload.body_padding[i];
  }
  std::int32_t four = 4, two = 2;
  std::memcpy(body->mutable_data() + 4, &four, 4);
  std::memcpy(body->mutable_data() + 8, &two, 4);
  auto m = ok_or_die(ipc::Message::open(payload.metadata, body));
  auto st = ipc::read_record_batch(*m, batch->schema()).status();
  CHECK(st.message() == "column 's': string offset 2 is 2 after 4: offsets must be non-decreasing and <= 6");

  auto members = FieldVector{field("a", int8())};
  auto utype = ok_or_die(sparse_union(members, {3}));
  auto ub = ok_or_die(make_builder(utype));
  auto* u = dynamic_cast<UnionBuilder*>(ub.get());
  REQUIRE(u->append(3).ok());
  REQUIRE(dynamic_cast<NumericBuilder<std::int8_t>*>(u->child_builder(0))->append(1).ok());
  auto ubatch = ok_or_die(RecordBatch::from_arrays({ok_or_die(ub->finish())}, {"u"}));
  auto upay = ok_or_die(ipc::make_record_batch_payload(*ubatch));
  auto ubody = ok_or_die(allocate_buffer(upay.body_length));
  std::memset(ubody->mutable_data(), 0, upay.body_length);
  std::memcpy(ubody->mutable_data(), upay.body_buffers[0]->data(), 1);
  ubody->mutable_data()[0] = 9;  // type code 9 is not declared
  auto um = ok_or_die(ipc::Message::open(upay.metadata, ubody));
  CHECK(ipc::read_record_batch(*um, ubatch->schema()).status().message() ==
        "column 'u': union slot 0 has type code 9, which the type does not declare");
}

TEST_CASE("random byte flips in a stream of every type never crash the reader") {
  std::vector<std::shared_ptr<Buffer>> streams;
  for (const auto& [name, batch] : arrowpack::testing::batches_per_type()) {
    streams.push_back(arrowpack::testing::write_ipc(*batch, 1, false));
  }
  std::mt19937 rng(1234);
  int errors = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const auto& src = streams[iter % streams.size()];
    auto copy = mutable_copy(*src);
    auto* p = const_cast<std::uint8_t*>(copy->data());
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) p[rng() % copy->size()] = static_cast<std::uint8_t>(rng());
    if (!read_stream(copy).ok()) ++errors;
  }
  CHECK(errors > 0);
}

TEST_CASE("the fuzzer-found inputs of arrow-testing give an error or data", "[gold]") {
  const std::string dir = arrowpack::testing::gold_malformed_dir();
  DIR* d = opendir(dir.c_str());
  REQUIRE(d != nullptr);
  int files = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string path = dir + "/" + e->d_name;
    struct stat info;
    if (stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
      continue;  // arrow-testing keeps integration/ beside them
    auto buf = ok_or_die(io::read_file(path));
    Status st = read_stream(buf);
    INFO(e->d_name << ": " << st.to_string());
    CHECK((st.ok() || !st.message().empty()));
    ++files;
  }
  closedir(d);
  CHECK(files >= 40);
}

TEST_CASE("a schema claiming metadata version V6 is refused", "[shared]") {
  auto buf = ok_or_die(io::read_file(arrowpack::testing::shared_dir() + "/gold/malformed/schema_v6.arrow"));
  Status st = read_stream(buf);
  CHECK(st.is_invalid());
  CHECK(st.message() == "unknown metadata version V6 (this reader knows V4 and V5)");
}

TEST_CASE("metadata that aliases one large string many times is refused, not expanded") {
  // One KeyValue of 1 MiB referenced 10,000 times: 10 GB if every reference were copied.
  flatbuffers::FlatBufferBuilder fbb;
  auto kv = fb::CreateKeyValue(fbb, fbb.CreateString("k"), fbb.CreateString(std::string(1 << 20, 'x')));
  std::vector<flatbuffers::Offset<fb::KeyValue>> refs(10000, kv);
  auto meta = fbb.CreateVector(refs);
  auto fields = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::Field>>{});
  auto s = fb::CreateSchema(fbb, fb::Endianness::Little, fields, meta);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Schema, s.Union(), 0));
  auto bytes = ok_or_die(Buffer::copy_of(fbb.GetBufferPointer(), fbb.GetSize()));
  auto m = ok_or_die(ipc::Message::open(bytes, nullptr));
  auto st = ipc::read_schema(*m).status();
  CHECK(st.is_capacity_error());
  CHECK(st.message().find("aliased") != std::string::npos);
}

TEST_CASE("a huge null column costs nothing to read, and the JSON dump refuses to print it") {
  auto nulls = ok_or_die(Array::make_nulls(null(), std::int64_t{1} << 40));
  auto batch = ok_or_die(RecordBatch::from_arrays({nulls}, {"n"}));
  auto buf = arrowpack::testing::write_ipc(*batch, 1, false);
  CHECK(buf->size() < 1024);
  auto table = ok_or_die(ok_or_die(ipc::open_stream(buf))->read_all());
  CHECK(table->num_rows() == std::int64_t{1} << 40);
  CHECK(arrowpack::tools::canonical_json(buf, {}, 1000).status().is_capacity_error());
  CHECK(table->batches()[0]->column(0).to_string_compact().size() < 200);
}

TEST_CASE("empty offset arrays are written with their one offset") {
  auto empty = ok_or_die(array<std::string>(std::vector<std::optional<std::string>>{}));
  auto batch = ok_or_die(RecordBatch::from_arrays({empty}, {"s"}));
  auto payload = ok_or_die(ipc::make_record_batch_payload(*batch));
  REQUIRE(payload.body_buffers.size() == 3);
  REQUIRE(payload.body_buffers[1]);
  CHECK(payload.body_buffers[1]->size() == 4);
}

TEST_CASE("variadic buffer counts of view arrays that are missing or lie") {
  auto schema = arrowpack::schema({field("v", utf8_view())});
  // One view of 20 bytes in data buffer 0 at offset 0, then the 20 bytes.
  auto body = ok_or_die(allocate_buffer(64));
  std::memset(body->mutable_data(), 0, 64);
  const std::int32_t view[4] = {20, 0x64636261, 0, 0};
  std::memcpy(body->mutable_data(), view, 16);
  std::memcpy(body->mutable_data() + 16, "abcdefghijklmnopqrst", 20);
  std::shared_ptr<Buffer> b = body;
  auto decode = [&](std::vector<fb::Buffer> buffers, const std::vector<std::int64_t>* counts) {
    auto m = craft(1, {{1, 0}}, std::move(buffers), b, counts);
    if (!m.ok()) return m.status();
    return ipc::read_record_batch(**m, schema).status();
  };
  const std::vector<std::int64_t> one = {1}, none = {}, two = {2}, negative = {-1}, extra = {1, 1};
  CHECK(decode({{0, 0}, {0, 16}, {16, 20}}, &one).ok());
  CHECK(decode({{0, 0}, {0, 16}, {16, 20}}, nullptr).message().find("no variadic buffer count") != std::string::npos);
  CHECK(decode({{0, 0}, {0, 16}, {16, 20}}, &none).message().find("no variadic buffer count") != std::string::npos);
  CHECK(decode({{0, 0}, {0, 16}, {16, 20}}, &two).message().find("announces 2 data buffers, 1 remain") !=
        std::string::npos);
  CHECK(decode({{0, 0}, {0, 16}, {16, 20}}, &negative).message().find("announces -1 data buffers") !=
        std::string::npos);
  CHECK(decode({{0, 0}, {0, 16}, {16, 20}}, &extra).message() ==
        "record batch has 2 variadic buffer counts, the schema uses 1");
  // The view points past its (shorter) data buffer.
  CHECK(decode({{0, 0}, {0, 16}, {16, 10}}, &one).message().find("lies outside its data buffer of 10 bytes") !=
        std::string::npos);
}

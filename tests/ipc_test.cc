#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;
using arrowpack::testing::scratch_dir;
using arrowpack::testing::seed_batch;

namespace {

std::shared_ptr<Buffer> write_stream(const RecordBatch& batch, int times, const ipc::IpcWriteOptions& options = {}) {
  return arrowpack::testing::write_ipc(batch, times, false, options);
}

std::shared_ptr<Buffer> write_file(const RecordBatch& batch, int times, const ipc::IpcWriteOptions& options = {}) {
  return arrowpack::testing::write_ipc(batch, times, true, options);
}

void check_points_into(const Array& a, const Buffer& source) { CHECK(arrowpack::testing::points_into(a, source)); }

}  // namespace

TEST_CASE("stream round trip: the seed batch five times") {
  auto seed = seed_batch();
  auto buf = write_stream(*seed, 5);
  auto reader = ok_or_die(ipc::open_stream(buf));
  CHECK(reader->schema()->equals(*seed->schema()));
  int n = 0;
  for (auto batch : *reader) {
    REQUIRE(batch.ok());
    CHECK((*batch)->equals(*seed));
    ++n;
  }
  CHECK(n == 5);
  CHECK(reader->stats().num_record_batches == 5);
  CHECK(ok_or_die(reader->read_next_batch()) == nullptr);
  auto table = ok_or_die(ok_or_die(ipc::open_stream(buf))->read_all());
  CHECK(table->num_rows() == 20);
  CHECK(table->num_batches() == 5);
}

TEST_CASE("the wire layout: continuation marker, 8-byte framing, aligned bodies, EOS") {
  for (const int alignment : {8, 64}) {
    INFO("alignment " << alignment);
    ipc::IpcWriteOptions options;
    if (alignment == 64) options.alignment = 64;  // 8 is the default
    auto buf = write_stream(*seed_batch(), 1, options);
    const std::uint8_t* p = buf->data();
    std::uint32_t marker;
    std::int32_t meta_len;
    std::memcpy(&marker, p, 4);
    std::memcpy(&meta_len, p + 4, 4);
    CHECK(marker == 0xFFFFFFFFu);
    CHECK((8 + meta_len) % 8 == 0);
    // The body of each message starts on an `alignment` boundary of the stream, and every
    // body buffer is padded to it: f0's 32 bytes of values, f1's validity (1 byte), offsets
    // (20) and characters (9), f2's validity and values (1 each); f0 has no nulls, so no
    // validity buffer.
    const std::int64_t second = 8 + meta_len;
    std::int32_t meta2;
    std::memcpy(&meta2, p + second + 4, 4);
    const std::int64_t body = second + 8 + meta2;
    CHECK(body % alignment == 0);
    const std::int64_t body_length = buf->size() - 8 - body;
    CHECK(body_length % alignment == 0);
    CHECK(body_length == (alignment == 8 ? 32 + 8 + 24 + 16 + 8 + 8 : 6 * 64));
    // Ends with the end-of-stream marker.
    CHECK(std::memcmp(p + buf->size() - 8, "\xFF\xFF\xFF\xFF\x00\x00\x00\x00", 8) == 0);
  }
}

TEST_CASE("file round trip with random access: the seed batch ten times") {
  auto seed = seed_batch();
  auto buf = write_file(*seed, 10);
  CHECK(buf->view().substr(0, 8) == std::string_view("ARROW1\0\0", 8));
  CHECK(buf->view().substr(buf->size() - 6) == "ARROW1");
  auto reader = ok_or_die(ipc::open_file(buf));
  CHECK(reader->num_record_batches() == 10);
  CHECK(reader->metadata_version() == ipc::MetadataVersion::kV5);
  CHECK(ok_or_die(reader->get_batch(7))->equals(*seed));
  CHECK(ok_or_die(reader->get_batch(0))->equals(*seed));
  CHECK(reader->get_batch(10).status().is_index_error());
  CHECK(reader->get_batch(-1).status().is_index_error());
  CHECK(ok_or_die(reader->read_all())->num_rows() == 40);
  // A file is also a valid stream after its 8-byte head.
  auto as_stream = ok_or_die(ipc::open_stream(ok_or_die(buf->slice(8))));
  CHECK(ok_or_die(as_stream->read_all())->num_rows() == 40);
}

TEST_CASE("every supported type round-trips through stream and file, 8- and 64-byte aligned") {
  for (const auto& [name, batch] : arrowpack::testing::batches_per_type()) {
    INFO(name);
    REQUIRE(batch->validate_full().ok());
    for (int alignment : {8, 64}) {
      ipc::IpcWriteOptions options;
      options.alignment = alignment;
      auto s = ok_or_die(ok_or_die(ipc::open_stream(write_stream(*batch, 2, options)))->read_all());
      REQUIRE(s->num_batches() == 2);
      CHECK(s->batches()[0]->equals(*batch, /*check_metadata=*/true));
      CHECK(s->schema()->equals(*batch->schema(), true));
      auto f = ok_or_die(ipc::open_file(write_file(*batch, 2, options)));
      CHECK(ok_or_die(f->get_batch(1))->equals(*batch, true));
    }
  }
}

TEST_CASE("custom metadata on schema and fields round-trips") {
  auto md = key_value_metadata({{"origin", "test"}, {"dup", "1"}, {"dup", "2"}});
  auto fmd = key_value_metadata({{"unit", "m"}});
  auto s = schema({field("x", int32(), false, fmd)}, md);
  auto batch = ok_or_die(RecordBatch::make(s, {ok_or_die(array<std::int32_t>({1, 2}))}));
  auto r = ok_or_die(ipc::open_stream(write_stream(*batch, 1)));
  REQUIRE(r->schema()->metadata());
  CHECK(r->schema()->metadata()->equals(*md));
  CHECK(r->schema()->field(0)->metadata()->get("unit") == "m");
  CHECK_FALSE(r->schema()->field(0)->nullable());
}

TEST_CASE("the writer refuses a batch whose schema differs") {
  auto sink = ok_or_die(io::BufferOutputStream::create());
  auto writer = ok_or_die(ipc::new_stream(sink, seed_batch()->schema()));
  auto other = ok_or_die(RecordBatch::from_arrays({ok_or_die(array<std::int32_t>({1}))}, {"f0"}));
  auto st = writer->write_batch(*other);
  CHECK(st.is_type_error());
  CHECK(st.message().find("does not match the writer's schema") != std::string::npos);
  REQUIRE(writer->close().ok());
  CHECK(writer->write_batch(*seed_batch()).is_invalid());
}

TEST_CASE("legacy framing (no continuation marker) is written and read") {
  ipc::IpcWriteOptions options;
  options.write_legacy_ipc_format = true;
  auto buf = write_stream(*seed_batch(), 3, options);
  std::uint32_t first;
  std::memcpy(&first, buf->data(), 4);
  CHECK(first != 0xFFFFFFFFu);
  CHECK(ok_or_die(ok_or_die(ipc::open_stream(buf))->read_all())->num_rows() == 12);
  auto sink = ok_or_die(io::BufferOutputStream::create());
  CHECK(ipc::new_file(sink, seed_batch()->schema(), options).status().is_invalid());
}

TEST_CASE("a stream that ends without the EOS marker still ends cleanly") {
  auto buf = write_stream(*seed_batch(), 2);
  auto cut = ok_or_die(buf->slice(0, buf->size() - 8));
  CHECK(ok_or_die(ok_or_die(ipc::open_stream(cut))->read_all())->num_rows() == 8);
}

TEST_CASE("reading from a BufferReader is zero-copy: buffers are slices of the source") {
  std::vector<std::int64_t> big(1 << 20);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::int64_t>(i);
  NumericBuilder<std::int64_t> big_builder(int64());
  REQUIRE(big_builder.append_values(big.data(), static_cast<std::int64_t>(big.size())).ok());
  auto big_batch = ok_or_die(RecordBatch::from_arrays({ok_or_die(big_builder.finish())}, {"v"}));
  auto stream = write_stream(*big_batch, 3);
  auto file = write_file(*big_batch, 3);

  SystemMemoryPool pool;
  ipc::IpcReadOptions options;
  options.pool = &pool;
  auto before = default_memory_pool()->bytes_allocated();
  auto sr = ok_or_die(ipc::open_stream(stream, options));
  auto table = ok_or_die(sr->read_all());
  for (const auto& batch_read : table->batches()) check_points_into(batch_read->column(0), *stream);
  auto fr = ok_or_die(ipc::open_file(file, options));
  for (int i = 0; i < fr->num_record_batches(); ++i) {
    auto batch_read = ok_or_die(fr->get_batch(i));
    check_points_into(batch_read->column(0), *file);
    CHECK(batch_read->equals(*big_batch));
  }
  // 24 MB of data read; neither pool allocated anything near that.
  CHECK(pool.total_allocated_bytes() < 4096);
  CHECK(default_memory_pool()->bytes_allocated() - before < (1 << 20));
}

TEST_CASE("reading a memory-mapped file is zero-copy, an OS file copies") {
  const std::string path = scratch_dir() + "/ipc_test_mmap.arrow";
  {
    auto sink = ok_or_die(io::FileOutputStream::open(path));
    ipc::IpcWriteOptions aligned;
    aligned.alignment = 64;  // cache-line buffers in the mapping (the default, 8, is pyarrow's)
    auto writer = ok_or_die(ipc::new_file(sink, seed_batch()->schema(), aligned));
    for (int i = 0; i < 10; ++i) REQUIRE(writer->write_batch(*seed_batch()).ok());
    REQUIRE(writer->close().ok());
  }
  SystemMemoryPool pool;
  ipc::IpcReadOptions options;
  options.pool = &pool;
  auto mm = ok_or_die(io::MemoryMappedFile::open(path));
  auto region = mm->buffer();
  auto reader = ok_or_die(ipc::open_file(mm, options));
  for (int i = 0; i < reader->num_record_batches(); ++i) {
    auto batch = ok_or_die(reader->get_batch(i));
    CHECK(batch->equals(*seed_batch()));
    for (const auto& c : batch->columns()) {
      check_points_into(c, *region);
      // 64-byte aligned in the mapping (the writer aligned bodies and buffers to 64).
      CHECK(reinterpret_cast<std::uintptr_t>(c.buffer(1)->data()) % 64 == 0);
    }
  }
  CHECK(pool.total_allocated_bytes() == 0);

  SystemMemoryPool os_pool;
  auto file = ok_or_die(io::ReadableFile::open(path, &os_pool));
  ipc::IpcReadOptions os_options;
  os_options.pool = &os_pool;
  auto os_reader = ok_or_die(ipc::open_file(file, os_options));
  CHECK(ok_or_die(os_reader->read_all())->num_rows() == 40);
  CHECK(os_pool.total_allocated_bytes() > 0);
}

TEST_CASE("streams over a ReadableFile and a file reader that cannot find a footer") {
  const std::string path = scratch_dir() + "/ipc_test_stream.arrows";
  {
    auto sink = ok_or_die(io::FileOutputStream::open(path));
    auto writer = ok_or_die(ipc::new_stream(sink, seed_batch()->schema()));
    REQUIRE(writer->write_batch(*seed_batch()).ok());
    REQUIRE(writer->close().ok());
  }
  auto in = ok_or_die(io::ReadableFile::open(path));
  CHECK(ok_or_die(ok_or_die(ipc::open_stream(in))->read_all())->num_rows() == 4);
  auto st = ipc::open_file(ok_or_die(io::ReadableFile::open(path))).status();
  CHECK(st.is_invalid());
  CHECK(st.message().find("magic") != std::string::npos);
}

TEST_CASE("arrowpack reads the seed written by Arrow C++ and writes the same structure", "[shared]") {
  const auto dir = arrowpack::testing::shared_dir() + "/gold/arrow-cpp/";
  auto stream = ok_or_die(io::MemoryMappedFile::open(dir + "seed.arrows"));
  auto table = ok_or_die(ok_or_die(ipc::open_stream(stream))->read_all());
  CHECK(table->num_batches() == 5);
  for (const auto& b : table->batches()) CHECK(b->equals(*seed_batch()));
  auto file = ok_or_die(ipc::open_file(ok_or_die(io::MemoryMappedFile::open(dir + "seed.arrow"))));
  CHECK(file->num_record_batches() == 10);
  CHECK(ok_or_die(file->get_batch(9))->equals(*seed_batch()));

  // With the default options (8-byte alignment, as Arrow C++'s) arrowpack writes Arrow C++'s
  // bytes exactly; 64-byte alignment pads every buffer and the stream grows.
  auto ours = write_stream(*seed_batch(), 5);
  auto theirs = ok_or_die(io::read_file(dir + "seed.arrows"));
  REQUIRE(ours->size() == theirs->size());
  CHECK(std::memcmp(ours->data(), theirs->data(), static_cast<std::size_t>(ours->size())) == 0);
  ipc::IpcWriteOptions sixty_four;
  sixty_four.alignment = 64;
  CHECK(write_stream(*seed_batch(), 5, sixty_four)->size() > ours->size());
}

TEST_CASE("Message API: read_message and write_message") {
  auto buf = write_stream(*seed_batch(), 1);
  io::BufferReader reader(buf);
  auto schema_msg = ok_or_die(ipc::read_message(&reader));
  REQUIRE(schema_msg);
  CHECK(schema_msg->type() == ipc::MessageType::kSchema);
  auto schema = ok_or_die(ipc::read_schema(*schema_msg));
  auto batch_msg = ok_or_die(ipc::read_message(&reader));
  REQUIRE(batch_msg);
  CHECK(batch_msg->type() == ipc::MessageType::kRecordBatch);
  CHECK(batch_msg->body()->data() >= buf->data());  // a slice of the source
  CHECK(ok_or_die(ipc::read_record_batch(*batch_msg, schema))->equals(*seed_batch()));
  CHECK(ok_or_die(ipc::read_message(&reader)) == nullptr);
  CHECK(ipc::read_record_batch(*schema_msg, schema).status().is_invalid());

  auto sink = ok_or_die(io::BufferOutputStream::create());
  CHECK(ok_or_die(ipc::write_message(*schema_msg, sink.get())) > 0);
  REQUIRE(ok_or_die(ipc::write_message(*batch_msg, sink.get())) > 0);
  REQUIRE(ipc::write_end_of_stream(sink.get()).ok());
  auto again = ok_or_die(ok_or_die(ipc::open_stream(ok_or_die(sink->finish())))->read_all());
  CHECK(again->batches()[0]->equals(*seed_batch()));
}

TEST_CASE("a record batch's layout read in place equals the one read through a Message") {
  for (const bool legacy : {false, true}) {
    ipc::IpcWriteOptions options;
    options.write_legacy_ipc_format = legacy;
    auto buf = write_stream(*seed_batch(), 1, options);
    const std::span<const std::uint8_t> bytes(buf->data(), static_cast<std::size_t>(buf->size()));
    io::BufferReader reader(buf);
    REQUIRE(ok_or_die(ipc::read_message(&reader)));  // the schema
    const std::int64_t batch_at = ok_or_die(reader.tell());
    auto message = ok_or_die(ipc::read_message(&reader));
    REQUIRE(message);
    ipc::RecordBatchLayout via_message, in_place;
    REQUIRE(ipc::read_record_batch_layout(*message, &via_message).ok());
    REQUIRE(ipc::read_record_batch_layout(bytes, batch_at, {}, &in_place).ok());
    CHECK(in_place.length == via_message.length);
    REQUIRE(in_place.nodes.size() == via_message.nodes.size());
    REQUIRE(in_place.buffers.size() == via_message.buffers.size());
    for (std::size_t i = 0; i < in_place.buffers.size(); ++i) {
      CHECK(in_place.buffers[i].offset == via_message.buffers[i].offset);
      CHECK(in_place.buffers[i].length == via_message.buffers[i].length);
    }
    // The body lies where the Message's body slice starts, and the message ends at the EOS.
    CHECK(buf->data() + in_place.body_offset == message->body()->data());
    CHECK(in_place.body_length == message->body_length());
    CHECK(in_place.end == ok_or_die(reader.tell()));
    std::int64_t end = 0;
    CHECK_FALSE(ipc::end_of_stream_at(bytes, batch_at, &end));
    REQUIRE(ipc::end_of_stream_at(bytes, in_place.end, &end));
    CHECK(end == buf->size());
    CHECK(ipc::end_of_stream_at(bytes, buf->size(), &end));  // nothing more: a clean end
    CHECK(end == buf->size());

    // Not a record batch, cut short, or past the end: typed errors.
    const std::int64_t eos_at = in_place.end;
    CHECK(ipc::read_record_batch_layout(bytes, 0, {}, &in_place).is_invalid());
    CHECK(ipc::read_record_batch_layout(bytes, eos_at, {}, &in_place).is_invalid());
    CHECK(ipc::read_record_batch_layout(bytes.first(static_cast<std::size_t>(batch_at + 20)), batch_at, {}, &in_place)
              .is_invalid());
    CHECK(ipc::read_record_batch_layout(bytes.first(static_cast<std::size_t>(via_message.body_length + batch_at)),
                                        batch_at, {}, &in_place)
              .is_invalid());
    CHECK(ipc::read_record_batch_layout(bytes, buf->size() + 1, {}, &in_place).is_invalid());
    ipc::IpcReadOptions tight;
    tight.limits.max_metadata_bytes = 16;
    CHECK(ipc::read_record_batch_layout(bytes, batch_at, tight, &in_place).is_capacity_error());
  }
}

TEST_CASE("a record batch read again byte for byte takes the last layout, only where its body lies is new") {
  auto ints = [](std::vector<std::int64_t> v) { return ok_or_die(array<std::int64_t>(v)); };
  auto first = write_stream(*ok_or_die(RecordBatch::from_arrays({ints({1, 2, 3})}, {"a"})), 1);
  auto other = write_stream(*ok_or_die(RecordBatch::from_arrays({ints({4, 5, 6, 7, 8})}, {"a"})), 1);
  auto batch_at = [](const std::shared_ptr<Buffer>& buf) {
    io::BufferReader reader(buf);
    REQUIRE(ok_or_die(ipc::read_message(&reader)));
    return ok_or_die(reader.tell());
  };
  const std::int64_t at = batch_at(first);
  REQUIRE(batch_at(other) == at);
  auto span_of = [](const std::shared_ptr<Buffer>& b) {
    return std::span<const std::uint8_t>(b->data(), static_cast<std::size_t>(b->size()));
  };
  ipc::RecordBatchLayout a, again, moved, b;
  REQUIRE(ipc::read_record_batch_layout(span_of(first), at, {}, &a).ok());
  REQUIRE(ipc::read_record_batch_layout(span_of(first), at, {}, &again).ok());
  CHECK(again.length == 3);
  CHECK(again.body_offset == a.body_offset);
  CHECK(again.end == a.end);
  REQUIRE(again.buffers.size() == a.buffers.size());
  // The same bytes 8 bytes further on: the layout of the last read, the body where it is now.
  std::vector<std::uint64_t> words(static_cast<std::size_t>(first->size()) / 8 + 2);
  std::memcpy(reinterpret_cast<std::uint8_t*>(words.data()) + 8, first->data(),
              static_cast<std::size_t>(first->size()));
  const std::span<const std::uint8_t> shifted(reinterpret_cast<const std::uint8_t*>(words.data()),
                                              static_cast<std::size_t>(first->size()) + 8);
  REQUIRE(ipc::read_record_batch_layout(shifted, at + 8, {}, &moved).ok());
  CHECK(moved.body_offset == a.body_offset + 8);
  CHECK(moved.end == a.end + 8);
  CHECK(moved.length == 3);
  // Cut inside the body: refused although the metadata is the last one's.
  CHECK(
      ipc::read_record_batch_layout(shifted.first(static_cast<std::size_t>(moved.body_offset + 1)), at + 8, {}, &moved)
          .is_invalid());
  // Other numbers: the layout of the message read, not the last one's.
  REQUIRE(ipc::read_record_batch_layout(span_of(other), at, {}, &b).ok());
  CHECK(b.length == 5);
  CHECK(b.buffers.back().length != a.buffers.back().length);
  REQUIRE(ipc::read_record_batch_layout(span_of(first), at, {}, &again).ok());
  CHECK(again.length == 3);
  CHECK(again.buffers.back().length == a.buffers.back().length);
}

TEST_CASE("a record batch's layout read in place from misaligned memory") {
  auto buf = write_stream(*seed_batch(), 1);
  io::BufferReader reader(buf);
  REQUIRE(ok_or_die(ipc::read_message(&reader)));
  const std::int64_t batch_at = ok_or_die(reader.tell());
  std::vector<std::uint8_t> shifted(static_cast<std::size_t>(buf->size()) + 1);
  std::memcpy(shifted.data() + 1, buf->data(), static_cast<std::size_t>(buf->size()));
  ipc::RecordBatchLayout aligned, misaligned;
  REQUIRE(ipc::read_record_batch_layout(std::span<const std::uint8_t>(buf->data(), buf->size()), batch_at, {}, &aligned)
              .ok());
  REQUIRE(ipc::read_record_batch_layout(shifted, batch_at + 1, {}, &misaligned).ok());
  CHECK(misaligned.body_offset == aligned.body_offset + 1);
  CHECK(misaligned.nodes.size() == aligned.nodes.size());
  CHECK(misaligned.buffers.size() == aligned.buffers.size());
}

TEST_CASE("record_batch_metadata gives the bytes make_record_batch_payload gives, message after message") {
  // Batches of a few shapes (node and buffer counts, zero rows, an empty body), each shape
  // more than once with other values, and more shapes than the per-thread templates hold.
  auto ints = [](std::vector<std::int64_t> v) { return ok_or_die(array<std::int64_t>(v)); };
  auto texts = [](std::vector<std::string> v) { return ok_or_die(array<std::string>(v)); };
  std::vector<RecordBatchPtr> batches = {
      ok_or_die(RecordBatch::from_arrays({ints({1, 2, 3})}, {"a"})),
      ok_or_die(RecordBatch::from_arrays({ints({7})}, {"a"})),
      ok_or_die(RecordBatch::from_arrays({ints({})}, {"a"})),
      ok_or_die(RecordBatch::from_arrays({texts({"x", "yz"}), ints({4, 5})}, {"s", "i"})),
      ok_or_die(RecordBatch::from_arrays({texts({std::string(300, 'q')}), ints({6})}, {"s", "i"})),
      ok_or_die(RecordBatch::from_arrays({texts({"a", "b", "c"})}, {"s"})),
      ok_or_die(RecordBatch::from_arrays({ints({1}), ints({2}), ints({3})}, {"p", "q", "r"})),
      ok_or_die(RecordBatch::from_arrays({texts({""})}, {"s"})),
      ok_or_die(RecordBatch::from_arrays({ints({9, 9})}, {"a"})),
      ok_or_die(RecordBatch::from_arrays({texts({"last", "one"}), ints({0, 1})}, {"s", "i"})),
  };
  auto check_all = [&] {
    for (const auto& batch : batches) {
      auto payload = ok_or_die(ipc::make_record_batch_payload(*batch));
      std::shared_ptr<Buffer> body = ok_or_die(allocate_buffer(payload.body_length));
      auto message = ok_or_die(ipc::Message::open(payload.metadata, body));
      ipc::RecordBatchLayout layout;
      REQUIRE(ipc::read_record_batch_layout(*message, &layout).ok());
      auto bytes =
          ok_or_die(ipc::record_batch_metadata(layout.length, layout.nodes, layout.buffers, layout.body_length));
      const std::string want(reinterpret_cast<const char*>(payload.metadata->data()),
                             static_cast<std::size_t>(payload.metadata->size()));
      const std::string got(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      CHECK(got.substr(0, want.size()) == want);
      CHECK(got.size() == ((want.size() + 7) & ~std::size_t{7}));
      CHECK(got.find_first_not_of('\0', want.size()) == std::string::npos);
      // A template made from other numbers of the same shape writes these bytes too.
      ipc::RecordBatchLayout other = layout;
      for (auto& n : other.nodes) n = {n.length + 5, n.null_count + 1};
      for (auto& b : other.buffers) b = {b.offset * 3 + 8, b.length + 16};
      if (other.length != 0) other.length += 100;
      if (other.body_length != 0) other.body_length += 1000;
      auto t = ok_or_die(
          ipc::RecordBatchMetadataTemplate::make(other.length, other.nodes, other.buffers, other.body_length));
      REQUIRE(t.fits(layout.length, layout.nodes.size(), layout.buffers.size(), layout.body_length));
      CHECK_FALSE(t.fits(layout.length, layout.nodes.size() + 1, layout.buffers.size(), layout.body_length));
      CHECK_FALSE(t.fits(layout.length, layout.nodes.size(), layout.buffers.size() + 1, layout.body_length));
      CHECK(t.fits(layout.length == 0 ? 1 : 0, layout.nodes.size(), layout.buffers.size(), layout.body_length) ==
            false);
      REQUIRE(t.size() == static_cast<std::int64_t>(got.size()));
      std::string written(got.size(), '\x55');
      t.write(layout.length, layout.nodes, layout.buffers, layout.body_length,
              reinterpret_cast<std::uint8_t*>(written.data()));
      CHECK(written == got);
    }
  };
  check_all();
  check_all();                   // every shape again, from the templates
  std::thread fresh(check_all);  // a thread with no template yet
  fresh.join();
  ipc::FieldNodeLayout negative{-1, 0};
  CHECK(ipc::record_batch_metadata(1, std::span(&negative, 1), {}, 0).status().is_invalid());
  CHECK(ipc::RecordBatchMetadataTemplate::make(1, std::span(&negative, 1), {}, 0).status().is_invalid());
}

TEST_CASE("record batch metadata read in place: a kept shape still has every number checked") {
  // A framed RecordBatch message of one int64 column of 2 rows (16-byte body), as
  // record_batch_metadata lays it out; read once, its shape is kept by this thread.
  const std::vector<ipc::FieldNodeLayout> nodes = {{2, 0}};
  const std::vector<ipc::BodyBufferLayout> extents = {{0, 0}, {0, 16}};
  auto frame = [&](std::int64_t rows, std::int64_t null_count, std::int64_t extent) {
    std::vector<ipc::FieldNodeLayout> n = nodes;
    n[0].null_count = null_count;
    std::vector<ipc::BodyBufferLayout> b = extents;
    b[1].length = extent;
    auto meta = ok_or_die(ipc::record_batch_metadata(rows, n, b, 16));
    std::vector<std::uint8_t> bytes(8 + meta.size() + 16, 0);
    const std::uint32_t prefix[2] = {0xFFFFFFFFu, static_cast<std::uint32_t>(meta.size())};
    std::memcpy(bytes.data(), prefix, 8);
    std::memcpy(bytes.data() + 8, meta.data(), meta.size());
    return bytes;
  };
  auto read = [](const std::vector<std::uint8_t>& bytes, ipc::RecordBatchLayout* layout) {
    return ipc::read_record_batch_layout(std::span<const std::uint8_t>(bytes.data(), bytes.size()), 0, {}, layout);
  };
  ipc::RecordBatchLayout layout;
  REQUIRE(read(frame(2, 0, 16), &layout).ok());
  REQUIRE(read(frame(2, 0, 16), &layout).ok());  // the kept shape
  CHECK(layout.length == 2);
  // Same shape, other numbers: read, and checked.
  REQUIRE(read(frame(5, 1, 8), &layout).ok());
  CHECK(layout.length == 5);
  CHECK(layout.nodes[0].null_count == 1);
  CHECK(layout.buffers[1].length == 8);
  CHECK(read(frame(2, 0, 17), &layout).is_invalid());  // past the 16-byte body
  auto negative = frame(2, 0, 16);
  // The null count of node 0 sits 8 bytes into the node structs: make it negative.
  auto honest = frame(2, 7, 16);
  std::size_t at = 0;
  for (std::size_t i = 8; i + 8 <= honest.size(); ++i) {
    std::int64_t v;
    std::memcpy(&v, honest.data() + i, 8);
    if (v == 7) at = i;
  }
  REQUIRE(at != 0);
  const std::int64_t minus = -7;
  std::memcpy(negative.data() + at, &minus, 8);
  CHECK(read(negative, &layout).is_invalid());
  // A changed byte outside the numbers is verified again: the root offset pointing past the end.
  auto broken = frame(2, 0, 16);
  const std::uint32_t root = 0xFFFF;
  std::memcpy(broken.data() + 8, &root, 4);
  CHECK(read(broken, &layout).is_invalid());
}

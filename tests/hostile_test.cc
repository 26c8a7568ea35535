// The attacks of issue #9, built at full size at run time (tests/hostile_inputs.cc): each
// read ends in data or a typed error, and memory stays within a small multiple of the input
// plus ReadLimits' allowance, checked through the pool's counters. Time is only ever
// compared with an ordinary input of the same size, never with a clock.
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>

#include "arrowpack/adapters/api.h"
#include "arrowpack/core/api.h"
#include "arrowpack/registry/context.h"
#include "arrowpack/transport/shared_memory.h"
#include "arrowpack/transport/stream.h"
#include "canonical_json.h"
#include "hostile_inputs.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

constexpr std::int64_t kMiB = std::int64_t{1} << 20;
const ReadLimits kDefaults;

// What ReadLimits' budget allows for `input` bytes.
std::int64_t budget_for(std::int64_t input) {
  return kDefaults.decoded_bytes_allowance + kDefaults.decoded_bytes_per_input_byte * input;
}

ipc::IpcReadOptions ipc_options(MemoryPool* pool) {
  ipc::IpcReadOptions o;
  o.pool = pool;
  return o;
}

Status read_stream(const std::shared_ptr<Buffer>& bytes, MemoryPool* pool, std::int64_t* rows = nullptr) {
  ARROWPACK_ASSIGN_OR_RAISE(auto reader, ipc::open_stream(bytes, ipc_options(pool)));
  ARROWPACK_ASSIGN_OR_RAISE(auto table, reader->read_all());
  if (rows) *rows = table->num_rows();
  return Status::OK();
}

int open_descriptors() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

template <typename F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool printable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("hostile 1: int64 vectors at 4 mod 8 are read with memcpy loads", "[hostile]") {
  auto stream = hostile::misaligned_variadic_counts();
  CHECK(hostile::misaligned_element_offset(*stream, false) % 8 == 4);
  auto reader = ok_or_die(ipc::open_stream(stream));
  auto batch = ok_or_die(reader->read_next_batch());
  CHECK(batch->column(0).to_string_compact() == R"(["abcdefghijklmnopqrst"])");

  auto tensor_bytes = hostile::misaligned_tensor_strides();
  CHECK(hostile::misaligned_element_offset(*tensor_bytes, true) % 8 == 4);
  io::BufferReader in(tensor_bytes);
  auto tensor = ok_or_die(ipc::read_tensor(&in));
  CHECK(tensor->strides() == std::vector<std::int64_t>{24, 8});
  CHECK(tensor->value<double>({1, 2}) == 5.0);
}

TEST_CASE("hostile 2: a typed read refuses what its blob cannot justify, before allocating", "[hostile]") {
  // 2M Nones: 10 MB. As vectors of 32 KiB arrays they would ask for 64 GiB at once.
  auto blob = hostile::many_nones(2'000'000);
  auto r = deserialize<std::vector<std::array<double, 4096>>>(blob);
  REQUIRE(r.status().is_capacity_error());
  CHECK(r.status().message().find("read budget") != std::string::npos);
  // The same blob read as what it is works.
  CHECK(ok_or_die(deserialize<std::vector<std::optional<int>>>(blob)).size() == 2'000'000);
}

TEST_CASE("hostile 2: a transport header cannot make the reader commit what never arrives", "[hostile]") {
  const std::string header = hostile::components_header(std::int64_t{8} << 30);
  int fds[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  REQUIRE(write(fds[1], header.data(), header.size()) == static_cast<ssize_t>(header.size()));
  close(fds[1]);
  SystemMemoryPool pool;
  transport::ReadOptions options;
  options.pool = &pool;
  auto r = transport::receive(fds[0], options);
  close(fds[0]);
  CHECK(r.status().is_io_error());
  CHECK(r.status().message().find("of the 8589934592 message bytes") != std::string::npos);
  CHECK(pool.max_memory() <= 2 * kMiB);  // 8 GiB announced, 64 bytes received
}

TEST_CASE("hostile 3: string children sharing one buffer are refused, not decoded 100 times", "[hostile]") {
  auto blob = hostile::aliased_strings(100, 8 * kMiB);  // 8.4 MB that would decode to 800 MB
  CHECK(blob->size() < 9 * kMiB);
  SystemMemoryPool pool;
  DeserializeOptions options;
  options.pool = &pool;
  auto r = deserialize(blob, SerializationContext::default_context(), options);
  REQUIRE(r.status().code() == StatusCode::kSerializationError);
  CHECK(r.status().message().find("buffers overlap") != std::string::npos);
  CHECK(deserialize<Value>(blob).status().message().find("buffers overlap") != std::string::npos);
  CHECK(pool.max_memory() <= budget_for(blob->size()));
  // Honest: the same blob before the patch reads.
  CHECK(deserialize(ok_or_die(ok_or_die(serialize(hostile::nested(3, false))).to_buffer())).ok());
}

TEST_CASE("hostile 3: aliased misaligned or big-endian columns are copied once, within the budget", "[hostile]") {
  for (bool big_endian : {false, true}) {
    INFO(big_endian);
    // 100 columns over one 5 MB region: 5.3 MB that copied per column would be 500 MB.
    auto stream = hostile::aliased_columns(100, 5 * kMiB, big_endian);
    SystemMemoryPool pool;
    std::int64_t rows = 0;
    const Status st = read_stream(stream, &pool, &rows);
    CHECK(st.ok());
    CHECK(rows == 5 * kMiB / 8);
    // One copy (or swap) of the region, however many columns alias it.
    CHECK(pool.max_memory() <= 2 * 5 * kMiB + kMiB);
    CHECK(pool.max_memory() <= budget_for(stream->size()));
  }
}

TEST_CASE("hostile 3: footer blocks that overlap are refused", "[hostile]") {
  auto file = hostile::aliased_footer_blocks(100, 8 * kMiB);  // 8.4 MB that joined 830 MB
  SystemMemoryPool pool;
  auto r = ipc::open_file(file, ipc_options(&pool));
  REQUIRE(r.status().is_invalid());
  CHECK(r.status().message().find("blocks that overlap") != std::string::npos);
  CHECK(pool.max_memory() <= budget_for(file->size()));
}

TEST_CASE("hostile 3: 20,000 deltas each followed by a kept batch cost linear memory", "[hostile]") {
  auto stream = hostile::delta_stream(20'000, 300);
  SystemMemoryPool pool;
  std::int64_t rows = 0;
  REQUIRE(read_stream(stream, &pool, &rows).ok());
  CHECK(rows == 20'001);
  // The dictionary ends at 6 MB; every batch sees a prefix of storage grown by doubling
  // (it was 20,000 joins, 60 GB, before).
  const std::int64_t dictionary = 20'000 * 300;
  CHECK(pool.max_memory() <= 4 * dictionary + kMiB);
  CHECK(pool.max_memory() <= budget_for(stream->size()));
  // The last batch sees every value.
  auto reader = ok_or_die(ipc::open_stream(stream));
  RecordBatchPtr last;
  for (auto b : *reader) last = ok_or_die(std::move(b));
  CHECK(Array(last->column(0).data()->dictionary).length() == 20'001);
}

namespace {
// What `arrowpack convert` does to make a file of a stream: read it all, then write it with
// unify_dictionaries (a file cannot replace dictionaries).
std::shared_ptr<Buffer> stream_to_file(const std::shared_ptr<Buffer>& stream) {
  auto table = ok_or_die(ok_or_die(ipc::open_stream(stream))->read_all());
  auto sink = ok_or_die(io::BufferOutputStream::create());
  ipc::IpcWriteOptions options;
  options.unify_dictionaries = true;
  auto writer = ok_or_die(ipc::new_file(sink, table->schema(), options));
  for (const auto& b : table->batches()) REQUIRE(writer->write_batch(*b).ok());
  REQUIRE(writer->close().ok());
  return ok_or_die(sink->getvalue());
}
}  // namespace

TEST_CASE("hostile 3: a stream that replaces its dictionary every batch becomes a file in linear time", "[hostile]") {
  // 20,000 one-value replacements: the merged dictionary grows in place (it was copied whole
  // for every batch, 60 GB), and a grown dictionary is seen to extend the last without
  // comparing its values (which made even a stream of deltas quadratic to rewrite).
  auto replacing = hostile::replacing_dictionary_stream(20'000, 300);
  auto deltas = hostile::delta_stream(20'000, 300);
  INFO("replacing " << replacing->size() << " bytes, deltas " << deltas->size());
  CHECK(std::abs(static_cast<double>(replacing->size() - deltas->size())) < 0.5 * deltas->size());
  std::shared_ptr<Buffer> a, b;
  const double merged = seconds([&] { a = stream_to_file(replacing); });
  const double extended = seconds([&] { b = stream_to_file(deltas); });
  // The merge costs a hash lookup and a remapped index per batch: ordinary work.
  INFO("replacing " << merged << " s, deltas " << extended << " s");
  CHECK(merged < 5 * extended + 0.1);
  auto file = ok_or_die(ipc::open_file(a));
  REQUIRE(file->num_record_batches() == 20'000);
  auto last = ok_or_die(file->get_batch(19'999));
  CHECK(Array(last->column(0).data()->dictionary).length() == 20'000);
  CHECK(last->column(0).dictionary_index(0) == 19'999);
  auto first = ok_or_die(file->get_batch(0));
  CHECK(Array(first->column(0).data()->dictionary).string_view(first->column(0).dictionary_index(0)).substr(0, 2) ==
        "0.");
}

TEST_CASE("hostile 3: string views that all overlap are validated in linear time", "[hostile]") {
  // 100,000 views of one 1 MB string: 2.6 MB that took 100 GB of UTF-8 checks.
  auto valid = hostile::overlapping_string_views(100'000, kMiB, false);
  std::int64_t rows = 0;
  CHECK(read_stream(valid, default_memory_pool(), &rows).ok());
  CHECK(rows == 100'000);
  // Printing them (arrowpack cat, cat --json) is bounded in bytes, not only in values (the
  // fuzzer found `cat --json` writing 30 MB for a 64 KB stream).
  const Status dump = tools::canonical_json(valid).status();
  CHECK(dump.is_capacity_error());
  CHECK(dump.message().find("the JSON dump would exceed") != std::string::npos);
  auto batch = ok_or_die(ok_or_die(ipc::open_stream(valid))->read_next_batch());
  CHECK(batch->column(0).to_string_compact().size() < 5 * kMiB);
  // When the buffer is not UTF-8 as a whole, views are checked one by one, within a bound.
  const Status st = read_stream(hostile::overlapping_string_views(100'000, kMiB, true), default_memory_pool());
  CHECK(st.is_capacity_error());
  CHECK(st.message().find("string views overlap so much") != std::string::npos);
}

TEST_CASE("hostile 3: zero strides are refused before anything visits the elements", "[hostile]") {
  io::BufferReader in(hostile::zero_stride_tensor());
  auto r = ipc::read_tensor(&in);
  REQUIRE(r.status().is_invalid());
  CHECK(r.status().message().find("strides make elements share memory") != std::string::npos);
}

TEST_CASE("hostile 3: decompression across messages is bounded by the read budget", "[hostile]") {
  // 100 messages of a few hundred bytes, each decompressing to 16 MB: 1.6 GB from 100 KB.
  auto stream = hostile::compression_bombs(100, 2 * kMiB);
  CHECK(stream->size() < kMiB);
  SystemMemoryPool pool;
  const Status st = read_stream(stream, &pool);
  REQUIRE(st.is_capacity_error());
  CHECK(st.message().find("ReadLimits::decoded_bytes_allowance") != std::string::npos);
  CHECK(pool.max_memory() <= budget_for(stream->size()) + 16 * kMiB);
  // Raised limits read it: the caller's choice.
  ipc::IpcReadOptions raised = ipc_options(&pool);
  raised.limits.decoded_bytes_allowance = std::int64_t{2} << 30;
  auto reader = ok_or_die(ipc::open_stream(stream, raised));
  int n = 0;
  for (auto b : *reader) n += ok_or_die(std::move(b))->num_rows() > 0;
  CHECK(n == 100);
}

TEST_CASE("hostile 3: an item referred to twice is refused", "[hostile]") {
  auto blob = hostile::repeated_tensor_reference(kMiB);
  auto r = deserialize(blob);
  REQUIRE(r.status().code() == StatusCode::kSerializationError);
  CHECK(r.status().message().find("refers to an ndarray more than once") != std::string::npos);
}

TEST_CASE("hostile 4: keys chosen to collide decode as fast as ordinary keys", "[hostile]") {
  // 40,000 tuple keys that all shared one hash before (7.9 s against 0.03 s).
  auto colliding = hostile::tuple_keys(40'000, true);
  auto ordinary = hostile::tuple_keys(40'000, false);
  CHECK(std::abs(static_cast<double>(colliding->size() - ordinary->size())) < 0.1 * ordinary->size());
  Value a, b;
  const double slow = seconds([&] { a = ok_or_die(deserialize(colliding)); });
  const double fast = seconds([&] { b = ok_or_die(deserialize(ordinary)); });
  CHECK(a.as<Dict>()->size() == 40'000);
  CHECK(b.as<Dict>()->size() == 40'000);
  INFO("colliding " << slow << " s, ordinary " << fast << " s");
  CHECK(slow < 5 * fast + 0.05);
}

TEST_CASE("hostile 4: a typed hash container refuses keys that all share a bucket", "[hostile]") {
  // std::hash is not keyed: keys can be chosen to collide, and filling a std::unordered_map
  // with n of them takes n^2 steps. A hasher that sends every key to one bucket stands in
  // for such keys; the typed read refuses once a bucket holds max_bucket_keys.
  struct OneBucket {
    std::size_t operator()(const std::string&) const { return 0; }
  };
  std::map<std::string, int> m;
  for (int i = 0; i < 1000; ++i) m.emplace("key" + std::to_string(i), i);
  auto blob = ok_or_die(ok_or_die(serialize(m)).to_buffer());
  auto r = deserialize<std::unordered_map<std::string, int, OneBucket>>(blob);
  REQUIRE(r.status().code() == StatusCode::kCapacityError);
  CHECK(r.status().message().find("max_bucket_keys") != std::string::npos);
  auto set = deserialize<std::unordered_set<std::string, OneBucket>>(
      ok_or_die(ok_or_die(serialize(std::set<std::string>{"a", "b"})).to_buffer()));
  CHECK(set.ok());  // a few keys in one bucket are fine
  // The keyed hash, and std::hash over honest keys, read every key.
  CHECK(ok_or_die(deserialize<std::unordered_map<std::string, int, KeyedBytesHash, std::equal_to<>>>(blob)).size() ==
        1000);
  CHECK(ok_or_die(deserialize<std::unordered_map<std::string, int>>(blob)).size() == 1000);
  DeserializeOptions raised;
  raised.limits.max_bucket_keys = 2000;
  CHECK(ok_or_die(deserialize<std::unordered_map<std::string, int, OneBucket>>(
                      blob, SerializationContext::default_context(), raised))
            .size() == 1000);
}

TEST_CASE("hostile 5: one depth limit, on both sides, named when exceeded", "[hostile]") {
  for (bool dicts : {false, true}) {
    INFO(dicts);
    // The deepest value that serializes reads back (dicts nest three types per level).
    int deepest = 0;
    for (int d = 90; d <= 110; ++d) {
      if (serialize(hostile::nested(d, dicts)).ok()) deepest = d;
    }
    REQUIRE(deepest >= 100);
    auto blob = ok_or_die(ok_or_die(serialize(hostile::nested(deepest, dicts))).to_buffer());
    CHECK(ok_or_die(deserialize(blob)).equals(hostile::nested(deepest, dicts)));
    CHECK(ok_or_die(deserialize<Value>(blob)).equals(hostile::nested(deepest, dicts)));
    const Status too_deep = serialize(hostile::nested(deepest + 1, dicts)).status();
    CHECK(too_deep.is_capacity_error());
    CHECK(too_deep.message().find("ReadLimits::max_depth") != std::string::npos);
    // Written with a raised limit, read with the default: the error names the limit.
    ReadLimits raised;
    raised.max_depth = 200;
    auto deeper = ok_or_die(
        ok_or_die(serialize(hostile::nested(deepest + 1, dicts), SerializationContext::default_context(), raised))
            .to_buffer());
    const Status st = deserialize(deeper).status();
    CHECK(st.is_capacity_error());
    CHECK(st.message().find("ReadLimits::max_depth") != std::string::npos);
    DeserializeOptions options;
    options.limits = raised;
    CHECK(deserialize(deeper, SerializationContext::default_context(), options).ok());
    // Its schema is cached now (read under the raised limit): the default limit still refuses it.
    const Status again = deserialize(deeper).status();
    CHECK(again.is_capacity_error());
    CHECK(again.message().find("ReadLimits::max_depth") != std::string::npos);
  }
}

TEST_CASE("hostile 6: a message with several descriptors leaks none", "[hostile]") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  const int before = open_descriptors();
  for (int i = 0; i < 100; ++i) {
    int pair[2];
    REQUIRE(pipe(pair) == 0);
    char byte = 'F';
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    std::memcpy(CMSG_DATA(c), pair, 2 * sizeof(int));
    REQUIRE(sendmsg(sv[0], &msg, 0) == 1);
    close(pair[0]);
    close(pair[1]);
    const Status st = transport::receive_fd(sv[1]).status();
    CHECK(st.message() == "the message carried 2 descriptors where one was expected (all closed)");
  }
  CHECK(open_descriptors() == before);
  close(sv[0]);
  close(sv[1]);
}

TEST_CASE("hostile 7: a named region truncated by its writer after it was taken", "[hostile]") {
  const std::string name = "arrowpack-hostile-" + std::to_string(getpid());
  auto object = ok_or_die(serialize(hostile::nested(5, true)));
  auto region = ok_or_die(transport::send(object, name));
  auto taken = ok_or_die(transport::receive(name));  // the default: a copy
  const int fd = ::open(("/dev/shm/" + name).c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(ftruncate(fd, 0) == 0);  // what a hostile writer can do to a named region
  close(fd);
  CHECK(ok_or_die(deserialize(taken)).equals(hostile::nested(5, true)));  // no SIGBUS
  REQUIRE(transport::remove_region(name).ok());
}

TEST_CASE("hostile: a field node longer than 32-bit offsets allow is refused before any arithmetic", "[hostile]") {
  const auto blob = hostile::huge_child_length();
  const Status st = deserialize(blob).status();
  CHECK(st.is_invalid());
  CHECK(st.message().find("has length 9223372036854775807") != std::string::npos);
  CHECK(deserialize<std::vector<std::string>>(blob).status().is_invalid());
}

TEST_CASE("hostile: a table of null columns is refused as rows before anything is sized or allocated", "[hostile]") {
  struct Record {
    std::string name;
    double a, b, c, d;
    std::int64_t id;
  };
  // 512 batches of 2^52 rows: 2^61 rows, whose size as records overflows an int64.
  const auto blob = hostile::null_column_table(std::int64_t{1} << 52, 512);
  CHECK(blob->size() < 200000);
  SystemMemoryPool pool;
  DeserializeOptions options;
  options.pool = &pool;
  const auto r = deserialize<std::vector<Record>>(blob, SerializationContext::default_context(), options);
  REQUIRE(r.status().is_type_error());
  CHECK(r.status().message().find("column 0: a column of type null for a field of type std::string") !=
        std::string::npos);
  CHECK(pool.max_memory() < (std::int64_t{1} << 20));
  auto table = ok_or_die(deserialize<TablePtr>(blob));
  CHECK(rows_from_table<Record>(*table).status().is_type_error());
}

TEST_CASE("hostile 9: attacker bytes in error messages are escaped", "[hostile]") {
  const Status st = deserialize(hostile::control_bytes_type_name()).status();
  REQUIRE(st.is_key_error());
  CHECK(printable(st.message()));
  CHECK(st.message().find("evil\\x1b[2J\\x0a\\x00name") != std::string::npos);
  // The same for IPC field names, and for very long ones.
  const std::string name = "f\x1b]0;owned\x07\n" + std::string(10000, 'n');
  const Status invalid = Status::Invalid("field '", name, "' is broken");
  CHECK(printable(invalid.message()));
  CHECK(invalid.message().size() < kMaxMessageBytes + 64);
  CHECK(invalid.message().find("more bytes)") != std::string::npos);
  // Well-formed UTF-8 stays as it is.
  CHECK(Status::Invalid("caf\xc3\xa9").message() == "caf\xc3\xa9");
  CHECK(Status::Invalid("bad \xc3").message() == "bad \\xc3");
}

TEST_CASE("hostile 8: only kTrustedBytesOnly skips offset checks, and its name says so", "[hostile]") {
  // Non-monotonic offsets in a string column: refused by the default validation.
  auto batch = ok_or_die(RecordBatch::make(schema({field("s", utf8())}), {ok_or_die(array<std::string>({"ab", "c"}))}));
  std::string bytes = arrowpack::testing::write_ipc(*batch, 1, false)->to_string();
  const std::string offsets("\0\0\0\0\2\0\0\0\3\0\0\0", 12);
  const auto at = bytes.find(offsets);
  REQUIRE(at != std::string::npos);
  const std::int32_t backwards = 1 << 30;
  std::memcpy(bytes.data() + at + 4, &backwards, 4);
  const Status st = read_stream(Buffer::from_string(bytes), default_memory_pool());
  CHECK(st.is_invalid());
}

TEST_CASE("string views that cut a character are refused, over data valid as a whole", "[hostile]") {
  auto check = [](const std::string& data, std::int32_t offset, std::int32_t length) {
    std::string view(16, '\0');
    std::memcpy(view.data(), &length, 4);
    std::memcpy(view.data() + 4, data.data() + offset, 4);
    std::memcpy(view.data() + 12, &offset, 4);
    auto a = Array::make(utf8_view(), 1, {nullptr, Buffer::from_string(view), Buffer::from_string(data)});
    if (!a.ok()) return a.status();
    return a->validate_full();
  };
  const std::string ends_in_e = std::string(20, 'b') + "\xc3\xa9" + "c";  // é at bytes 20-21
  CHECK(check(ends_in_e, 0, 22).ok());
  CHECK(check(ends_in_e, 0, 21).message() == "string value 0 is not valid UTF-8 (it cuts a character)");
  const std::string starts_with_e = "\xc3\xa9" + std::string(20, 'b');
  CHECK(check(starts_with_e, 0, 15).ok());
  CHECK(check(starts_with_e, 1, 14).message() == "string value 0 is not valid UTF-8 (it cuts a character)");
}

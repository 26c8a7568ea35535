// Body compression: the LZ4 frame and ZSTD codecs, IPC bodies written and read with them,
// and compressed data whose lengths lie.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

std::shared_ptr<Buffer> bytes_of(const std::string& s) { return Buffer::from_string(s); }

std::string random_bytes(std::size_t n) {
  std::mt19937 gen(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

std::int32_t load32(const Buffer& b, std::int64_t pos) {
  std::int32_t v;
  std::memcpy(&v, b.data() + pos, 4);
  return v;
}

}  // namespace

TEST_CASE("compress and decompress: both codecs, levels, empty and incompressible data") {
  for (auto codec : {Compression::kLz4Frame, Compression::kZstd}) {
    INFO(compression_name(codec));
    for (const std::string& text : {std::string(), std::string(100000, 'a'), random_bytes(5000)}) {
      auto packed = ok_or_die(compress(codec, *bytes_of(text)));
      if (text.size() == 100000) CHECK(packed->size() < 1000);
      auto back = ok_or_die(decompress(codec, *packed, static_cast<std::int64_t>(text.size())));
      CHECK(back->view() == text);
    }
    auto strong = ok_or_die(compress(codec, *bytes_of(std::string(50000, 'z')), codec == Compression::kZstd ? 19 : 9));
    CHECK(ok_or_die(decompress(codec, *strong, 50000))->size() == 50000);
  }
  CHECK(ok_or_die(compression_from_name("lz4_frame")) == Compression::kLz4Frame);
  CHECK(ok_or_die(compression_from_name("zstd")) == Compression::kZstd);
  CHECK(compression_from_name("snappy").status().message() ==
        "unknown compression 'snappy' (lz4, zstd or uncompressed)");
}

TEST_CASE("decompress refuses sizes that lie, corrupt frames and stray bytes, before allocating") {
  for (auto codec : {Compression::kLz4Frame, Compression::kZstd}) {
    INFO(compression_name(codec));
    auto packed = ok_or_die(compress(codec, *bytes_of(std::string(1000, 'q'))));
    SystemMemoryPool pool;
    // Far more than the frame could ever hold: refused without allocating it.
    auto huge = decompress(codec, *packed, std::int64_t{1} << 40, &pool);
    CHECK(huge.status().is_invalid());
    CHECK(pool.max_memory() == 0);
    // The frame holds 1000 bytes (a ZSTD frame says so in its header; arrowpack's LZ4
    // frames, like Arrow C++'s, do not, and the decoder finds out).
    if (codec == Compression::kZstd) {
      CHECK(decompress(codec, *packed, 999).status().message().find("1000") != std::string::npos);
    }
    CHECK(decompress(codec, *packed, 999).status().is_invalid());
    CHECK(decompress(codec, *packed, 1001).status().is_invalid());
    CHECK(decompress(codec, *packed, -1).status().is_invalid());
    // Truncated and corrupted frames.
    auto cut = ok_or_die(packed->slice(0, packed->size() / 2));
    CHECK(decompress(codec, *cut, 1000).status().is_invalid());
    std::string garbage = packed->to_string();
    for (std::size_t i = 4; i < garbage.size(); i += 3) garbage[i] = static_cast<char>(garbage[i] ^ 0x5A);
    CHECK(decompress(codec, *bytes_of(garbage), 1000).status().is_invalid());
    CHECK(decompress(codec, *bytes_of("not a frame at all"), 10).status().is_invalid());
  }
  // An LZ4 frame followed by more bytes.
  auto packed = ok_or_die(compress(Compression::kLz4Frame, *bytes_of("hello hello hello")));
  CHECK(decompress(Compression::kLz4Frame, *bytes_of(packed->to_string() + "xx"), 17).status().message() ==
        "LZ4 frame followed by 2 stray bytes");
}

TEST_CASE(
    "IPC bodies compressed with LZ4 and ZSTD round-trip, with min_space_savings, incompressible buffers are "
    "stored as they are") {
  auto noise = random_bytes(4096);
  auto batch = ok_or_die(RecordBatch::make(
      schema({field("n", int64()), field("s", utf8()), field("noise", binary())}),
      {ok_or_die(array<std::int64_t>({1, 2, std::nullopt, 4})), ok_or_die(array<std::string>({"a", "bb", "a", ""})),
       ok_or_die(array<std::string>(binary(), {noise, "", std::nullopt, noise.substr(7)}))}));
  for (auto codec : {Compression::kLz4Frame, Compression::kZstd}) {
    for (bool file : {false, true}) {
      INFO(compression_name(codec) << (file ? " file" : " stream"));
      ipc::IpcWriteOptions options;
      options.compression = codec;
      options.alignment = 8;  // so that padding cannot hide the few bytes a frame adds to noise
      // pyarrow's default: every buffer compressed, the noise too (its frames are larger).
      auto always = arrowpack::testing::write_ipc(*batch, 3, file, options);
      options.min_space_savings = 0.0;
      auto bytes = arrowpack::testing::write_ipc(*batch, 3, file, options);
      auto plain = arrowpack::testing::write_ipc(*batch, 3, file);
      CHECK(bytes->size() < plain->size() + 200);
      CHECK(bytes->size() < always->size());
      for (const auto& written : {always, bytes}) {
        auto table = file ? ok_or_die(ok_or_die(ipc::open_file(written))->read_all())
                          : ok_or_die(ok_or_die(ipc::open_stream(written))->read_all());
        REQUIRE(table->batches().size() == 3);
        CHECK(table->batches()[2]->equals(*batch));
      }
    }
  }
}

TEST_CASE("IPC: a compressed buffer whose length prefix lies is refused without a huge allocation") {
  auto batch = ok_or_die(RecordBatch::make(schema({field("n", int64())}),
                                           {ok_or_die(array<std::int64_t>(std::vector<std::int64_t>(1000, 7)))}));
  ipc::IpcWriteOptions options;
  options.compression = Compression::kZstd;
  auto bytes = arrowpack::testing::write_ipc(*batch, 1, false, options);
  // Framing: schema message, then the record batch message; its body starts with the values
  // buffer (the empty validity bitmap takes no bytes), whose first 8 bytes are the length.
  const std::int64_t batch_start = 8 + load32(*bytes, 4);
  const std::int64_t body = batch_start + 8 + load32(*bytes, batch_start + 4);
  std::int64_t announced;
  std::memcpy(&announced, bytes->data() + body, 8);
  REQUIRE(announced == 8000);
  for (std::int64_t lie : {std::int64_t{1} << 50, std::int64_t{-2}, std::int64_t{7999}, std::int64_t{1} << 20}) {
    INFO(lie);
    std::string patched = bytes->to_string();
    std::memcpy(patched.data() + body, &lie, 8);
    SystemMemoryPool pool;
    ipc::IpcReadOptions read_options;
    read_options.pool = &pool;
    auto reader = ok_or_die(ipc::open_stream(bytes_of(patched), read_options));
    auto result = reader->read_next_batch();
    // Beyond ReadLimits::max_decompressed_bytes: a limit; the others: malformed.
    CHECK((lie == std::int64_t{1} << 50 ? result.status().is_capacity_error() : result.status().is_invalid()));
    CHECK(pool.max_memory() < (std::int64_t{1} << 21));
  }
  // -1 means "stored as is": then the bytes are not a valid 8000-byte values buffer.
  std::string stored = bytes->to_string();
  const std::int64_t minus_one = -1;
  std::memcpy(stored.data() + body, &minus_one, 8);
  CHECK(ok_or_die(ipc::open_stream(bytes_of(stored)))->read_next_batch().status().is_invalid());
  // A per-message cap on what the buffers may decompress to.
  ipc::IpcReadOptions small;
  small.limits.max_decompressed_bytes = 4000;
  CHECK(ok_or_die(ipc::open_stream(bytes, small))
            ->read_next_batch()
            .status()
            .message()
            .find("more than the message may decompress to") != std::string::npos);
}

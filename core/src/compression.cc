#include "arrowpack/core/compression.h"

#include <lz4frame.h>
#include <zstd.h>

#include <cstring>

namespace arrowpack {
namespace {

// Arrow C++'s default ZSTD level (pyarrow's too), not the library's (3).
constexpr int kZstdDefaultLevel = 1;

// The largest expansion each format allows: an LZ4 sequence turns at least 1 byte into at
// most 255 per length byte; a ZSTD RLE block turns 4 bytes into up to 128 KiB. A size past
// these bounds is a lie and is refused before allocating.
std::int64_t max_expansion(Compression codec, std::int64_t compressed) {
  switch (codec) {
    case Compression::kLz4Frame: return compressed * 256 + 65536;
    case Compression::kZstd: return compressed * 32768 + (std::int64_t{128} << 10);
    case Compression::kUncompressed: return compressed;
  }
  return compressed;
}

Result<std::shared_ptr<Buffer>> shrink(std::shared_ptr<ResizableBuffer> out, std::int64_t size) {
  ARROWPACK_RETURN_NOT_OK(out->resize(size));
  out->zero_padding();
  return std::shared_ptr<Buffer>(std::move(out));
}

Result<std::shared_ptr<Buffer>> lz4_compress(const Buffer& data, int level, MemoryPool* pool) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  // Arrow C++'s frame: default preferences (64 KB blocks, no content size or checksum in
  // the header), so that the bytes match pyarrow's. Readers know the size from the prefix.
  prefs.compressionLevel = level == kDefaultCompressionLevel ? 0 : level;
  const std::size_t bound = LZ4F_compressFrameBound(static_cast<std::size_t>(data.size()), &prefs);
  ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_resizable_buffer(static_cast<std::int64_t>(bound), pool));
  const std::size_t n =
      LZ4F_compressFrame(out->mutable_data(), bound, data.data(), static_cast<std::size_t>(data.size()), &prefs);
  if (LZ4F_isError(n)) return Status::IOError("LZ4 compression failed: ", LZ4F_getErrorName(n));
  return shrink(std::move(out), static_cast<std::int64_t>(n));
}

Status lz4_decompress(const Buffer& data, std::uint8_t* out, std::int64_t size) {
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) {
    return Status::OutOfMemory("LZ4 decompression context");
  }
  struct Free {
    LZ4F_dctx* ctx;
    ~Free() { LZ4F_freeDecompressionContext(ctx); }
  } free_ctx{ctx};
  const auto* src = data.data();
  std::size_t src_left = static_cast<std::size_t>(data.size());
  std::size_t produced = 0;
  while (true) {
    std::size_t in = src_left;
    std::size_t room = static_cast<std::size_t>(size) - produced;
    const std::size_t hint = LZ4F_decompress(ctx, out + produced, &room, src, &in, nullptr);
    if (LZ4F_isError(hint)) return Status::Invalid("corrupt LZ4 frame: ", LZ4F_getErrorName(hint));
    produced += room;
    src += in;
    src_left -= in;
    if (hint == 0) break;  // the frame is complete
    if (in == 0 && room == 0) {
      return Status::Invalid(produced == static_cast<std::size_t>(size)
                                 ? "LZ4 frame holds more than the announced " + std::to_string(size) + " bytes"
                                 : "LZ4 frame is truncated");
    }
  }
  if (produced != static_cast<std::size_t>(size)) {
    return Status::Invalid("LZ4 frame holds ", produced, " bytes, ", size, " were announced");
  }
  if (src_left != 0) return Status::Invalid("LZ4 frame followed by ", src_left, " stray bytes");
  return Status::OK();
}

Result<std::shared_ptr<Buffer>> zstd_compress(const Buffer& data, int level, MemoryPool* pool) {
  const std::size_t bound = ZSTD_compressBound(static_cast<std::size_t>(data.size()));
  ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_resizable_buffer(static_cast<std::int64_t>(bound), pool));
  const std::size_t n = ZSTD_compress(out->mutable_data(), bound, data.data(), static_cast<std::size_t>(data.size()),
                                      level == kDefaultCompressionLevel ? kZstdDefaultLevel : level);
  if (ZSTD_isError(n)) return Status::IOError("ZSTD compression failed: ", ZSTD_getErrorName(n));
  return shrink(std::move(out), static_cast<std::int64_t>(n));
}

Status zstd_decompress(const Buffer& data, std::uint8_t* out, std::int64_t size) {
  const std::size_t n =
      ZSTD_decompress(out, static_cast<std::size_t>(size), data.data(), static_cast<std::size_t>(data.size()));
  if (ZSTD_isError(n)) return Status::Invalid("corrupt ZSTD frame: ", ZSTD_getErrorName(n));
  if (n != static_cast<std::size_t>(size))
    return Status::Invalid("ZSTD frame holds ", n, " bytes, ", size, " were announced");
  return Status::OK();
}

// The content size a frame declares in its header, when it does (-1 otherwise).
std::int64_t declared_size(Compression codec, const Buffer& data) {
  if (codec == Compression::kZstd) {
    const unsigned long long n = ZSTD_getFrameContentSize(data.data(), static_cast<std::size_t>(data.size()));
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR) return -1;
    return n > static_cast<unsigned long long>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(n);
  }
  if (codec == Compression::kLz4Frame) {
    LZ4F_dctx* ctx = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) return -1;
    LZ4F_frameInfo_t info;
    std::memset(&info, 0, sizeof(info));
    std::size_t in = static_cast<std::size_t>(data.size());
    const std::size_t r = LZ4F_getFrameInfo(ctx, &info, data.data(), &in);
    LZ4F_freeDecompressionContext(ctx);
    if (LZ4F_isError(r) || info.contentSize == 0) return -1;
    return info.contentSize > static_cast<unsigned long long>(INT64_MAX) ? INT64_MAX
                                                                         : static_cast<std::int64_t>(info.contentSize);
  }
  return -1;
}

}  // namespace

std::string_view compression_name(Compression codec) {
  switch (codec) {
    case Compression::kUncompressed: return "uncompressed";
    case Compression::kLz4Frame: return "lz4";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

Result<Compression> compression_from_name(std::string_view name) {
  if (name == "lz4" || name == "lz4_frame") return Compression::kLz4Frame;
  if (name == "zstd") return Compression::kZstd;
  if (name == "uncompressed" || name.empty()) return Compression::kUncompressed;
  return Status::Invalid("unknown compression '", name, "' (lz4, zstd or uncompressed)");
}

Result<std::shared_ptr<Buffer>> compress(Compression codec, const Buffer& data, int level, MemoryPool* pool) {
  switch (codec) {
    case Compression::kLz4Frame: return lz4_compress(data, level, pool);
    case Compression::kZstd: return zstd_compress(data, level, pool);
    case Compression::kUncompressed: return Buffer::copy_of(data.data(), data.size(), pool);
  }
  return Status::Invalid("unknown codec");
}

Result<std::shared_ptr<Buffer>> decompress(Compression codec, const Buffer& data, std::int64_t decompressed_size,
                                           MemoryPool* pool) {
  if (decompressed_size < 0) return Status::Invalid("negative decompressed size ", decompressed_size);
  if (decompressed_size > max_expansion(codec, data.size())) {
    return Status::Invalid(compression_name(codec), " data of ", data.size(), " bytes cannot hold the ",
                           decompressed_size, " bytes announced");
  }
  const std::int64_t declared = declared_size(codec, data);
  if (declared >= 0 && declared != decompressed_size) {
    return Status::Invalid(compression_name(codec), " frame holds ", declared, " bytes, ", decompressed_size,
                           " were announced");
  }
  if (codec == Compression::kUncompressed) {
    if (data.size() != decompressed_size) return Status::Invalid("uncompressed size mismatch");
    return Buffer::copy_of(data.data(), data.size(), pool);
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_buffer(decompressed_size, pool));
  if (codec == Compression::kLz4Frame) {
    ARROWPACK_RETURN_NOT_OK(lz4_decompress(data, out->mutable_data(), decompressed_size));
  } else {
    ARROWPACK_RETURN_NOT_OK(zstd_decompress(data, out->mutable_data(), decompressed_size));
  }
  return std::shared_ptr<Buffer>(std::move(out));
}

}  // namespace arrowpack

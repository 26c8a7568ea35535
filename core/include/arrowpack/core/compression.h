// Buffer compression with the two codecs of Arrow IPC bodies: the LZ4 frame format and
// Zstandard (pyarrow's pa.compress / pa.decompress).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/status.h"

namespace arrowpack {

enum class Compression : std::int8_t { kUncompressed, kLz4Frame, kZstd };

/// "uncompressed", "lz4" or "zstd".
std::string_view compression_name(Compression codec);
/// The codec for a name as pyarrow spells it ("lz4", "lz4_frame", "zstd", "uncompressed").
/// Errors: Invalid for a name it does not know.
Result<Compression> compression_from_name(std::string_view name);

/// The default level when `level` is kDefaultCompressionLevel: Arrow C++'s (LZ4 fast mode,
/// ZSTD level 1), so that arrowpack compresses as pyarrow does.
inline constexpr int kDefaultCompressionLevel = std::numeric_limits<int>::min();

/// `data` compressed with `codec` (one LZ4 frame or one ZSTD frame, holding the size).
/// Errors: IOError when the codec fails; OutOfMemory.
Result<std::shared_ptr<Buffer>> compress(Compression codec, const Buffer& data, int level = kDefaultCompressionLevel,
                                         MemoryPool* pool = default_memory_pool());
/// The `decompressed_size` bytes `data` holds. Fails (Invalid) when the data is not one
/// valid frame of exactly that size; the size is checked against what the frame can hold
/// before anything is allocated.
Result<std::shared_ptr<Buffer>> decompress(Compression codec, const Buffer& data, std::int64_t decompressed_size,
                                           MemoryPool* pool = default_memory_pool());

}  // namespace arrowpack

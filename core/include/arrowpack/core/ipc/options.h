// How the IPC readers and writers work: their options (every limit a reader applies lives in
// ReadLimits, read_limits.h), the metadata versions and the kinds of message.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "arrowpack/core/compression.h"
#include "arrowpack/core/memory_pool.h"
#include "arrowpack/core/read_limits.h"

namespace arrowpack::ipc {

/// IPC metadata versions arrowpack reads (V4: Arrow 0.8 to 0.17) and writes (V5: Arrow 1.0+).
enum class MetadataVersion : std::int8_t { kV4 = 3, kV5 = 4 };

/// The kinds of encapsulated message.
enum class MessageType : std::int8_t { kSchema, kDictionaryBatch, kRecordBatch, kTensor, kSparseTensor };

std::string_view message_type_name(MessageType type);

struct IpcWriteOptions {
  /// Each body buffer is padded to this many bytes (8, 16, 32 or 64; anything else is refused
  /// with Invalid). Message bodies also start at a multiple of it in the output.
  ///
  /// The default, 8, is Arrow C++'s and pyarrow's: arrowpack then writes their bytes exactly,
  /// and a stream of small batches is far smaller (the seed batch x100,000: 35.2 MB at 8,
  /// 64.0 MB at 64, and written 11% faster; `bench/ipc_bench`). Set 64 for files whose mapped
  /// buffers should start on cache-line boundaries; summing a mapped 40 MB int32 column was
  /// within 2% either way.
  std::int32_t alignment = 8;
  /// Pre-0.15 framing without the 0xFFFFFFFF continuation marker (for very old readers).
  bool write_legacy_ipc_format = false;
  /// Where temporary buffers (rebased offsets of sliced arrays) come from.
  MemoryPool* pool = default_memory_pool();
  /// When a batch's dictionary extends the one last written for its field, write only the
  /// new values (a delta dictionary batch) instead of the whole dictionary again. Streams
  /// otherwise replace the dictionary; files refuse a dictionary that changes otherwise.
  bool emit_dictionary_deltas = false;
  /// When a batch's dictionary differs from the one last written for its column, merge it
  /// into that one (its new values appended and sent as a delta, the batch's indices
  /// remapped) instead of replacing it: how batches with different dictionaries go into the
  /// file format. Top-level dictionary columns of fixed-width or binary-like values.
  bool unify_dictionaries = false;
  /// Body compression (pyarrow's IpcWriteOptions(compression=...)): every body buffer is
  /// compressed on its own with LZ4 frames or ZSTD, at `compression_level`.
  Compression compression = Compression::kUncompressed;
  int compression_level = kDefaultCompressionLevel;
  /// pyarrow's IpcWriteOptions(min_space_savings=...): when set (a fraction in [0, 1]), a
  /// buffer whose compression saves less than this share of its size is written as it is
  /// (length -1). Unset, the default as in pyarrow, compresses every buffer.
  std::optional<double> min_space_savings;

  static IpcWriteOptions defaults() { return {}; }
};

/// How the IPC readers read. Every bound on what hostile input may cost is in `limits`.
struct IpcReadOptions {
  /// Depth of type nesting (limits.max_depth), metadata size, the decoded-bytes budget
  /// (copies of misaligned and big-endian buffers, decompressed bodies, joined
  /// dictionaries), dictionary and decompressed bytes.
  ReadLimits limits;
  /// kFull (the default) runs Array::validate_full() on every batch and dictionary read.
  /// kTrustedBytesOnly checks only buffer sizes: for bytes this process wrote itself.
  Validation validation = Validation::kFull;
  /// Big-endian data (a schema that says so) is converted to little-endian as it is read:
  /// every multi-byte value is byte-swapped into new memory. When false it is refused.
  bool ensure_native_endian = true;
  /// Where copies come from when the source is not zero-copy (or a buffer is misaligned).
  MemoryPool* pool = default_memory_pool();

  static IpcReadOptions defaults() { return {}; }
};

}  // namespace arrowpack::ipc

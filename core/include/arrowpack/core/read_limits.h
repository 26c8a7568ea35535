// ReadLimits: what reading untrusted bytes may cost, in one place for every reader of
// arrowpack (IPC streams and files, Tensor messages, serialized objects, typed deserialize,
// components, the transports, the CLI). Modelled on Cap'n Proto's ReaderOptions: each bound
// has a default chosen so that honest input of any size reads, while a small hostile input
// cannot make a reader allocate or work far beyond its own size.
//
// The trust model: a reader never trusts the bytes it is given. It trusts only memory that
// cannot change under it: its own buffers, files it read into memory, and sealed memfds. A
// named /dev/shm region or a memory-mapped file that another process may truncate is
// protected by the readers that open them (see transport/shared_memory.h and io.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "arrowpack/core/status.h"

namespace arrowpack {

/// Bounds on one read. A plain value: copy it, change a field, pass it on. Every reader that
/// takes options (ipc::IpcReadOptions, DeserializeOptions, transport::ReadOptions) embeds one.
/// Exceeding a bound gives a CapacityError whose message names the field to raise.
struct ReadLimits {
  /// Deepest nesting accepted: of values in a serialized object (a list in a dict in ...),
  /// and of types in an IPC schema (a list of structs of ...). 100 is pyarrow's serialize()
  /// limit: every value that serializes within the limits reads back with the same limits.
  int max_depth = 100;
  /// Most values in one serialized object. Each value takes at least 5 bytes of structure,
  /// so this only matters for inputs beyond 1 GiB.
  std::int64_t max_elements = std::int64_t{1} << 28;
  /// Largest input one read accepts: a serialized blob, the sum of a set of components, one
  /// transport message. Announcements beyond it are refused before anything is allocated.
  std::int64_t max_input_bytes = std::int64_t{1} << 40;
  /// Largest flatbuffer metadata of one IPC message or file footer (Arrow C++ has no lower).
  std::int64_t max_metadata_bytes = std::int64_t{64} << 20;
  /// The decoded-bytes budget. A reader may allocate, beyond the input it holds,
  ///   decoded_bytes_allowance + decoded_bytes_per_input_byte × input bytes
  /// for what it makes of it: copies of misaligned or big-endian buffers, decompressed
  /// bodies, dictionaries grown by deltas, tensors made contiguous, the containers of typed
  /// reads. Honest input needs a few times its size at most (a typed read of a million
  /// small strings: 32-byte std::string objects for 5-10 bytes of input each); compressed
  /// bodies are the exception: raise these two to read bodies that expand more than 8x
  /// beyond 64 MiB. 64 MiB is Cap'n Proto's traversal limit.
  std::int64_t decoded_bytes_allowance = std::int64_t{64} << 20;
  std::int64_t decoded_bytes_per_input_byte = 8;
  /// Most bytes the dictionaries of one IPC reader may hold at once (after deltas).
  std::int64_t max_dictionary_bytes = std::int64_t{1} << 32;
  /// Most bytes the compressed buffers of one IPC message may decompress to (the budget
  /// above bounds all messages together).
  std::int64_t max_decompressed_bytes = std::int64_t{1} << 32;
  /// Most frames of one ZeroMQ multipart message.
  std::int64_t max_frames = std::int64_t{1} << 20;
  /// Most buffers of one set of components (one transport message).
  std::int64_t max_buffers = std::int64_t{1} << 20;
  /// Most keys that may share one bucket of a hash container a typed read fills
  /// (std::unordered_map and std::unordered_set, under the caller's hasher). Honest keys
  /// under any reasonable hash share a bucket with a handful of others (fewer than 10 in a
  /// million, at the standard load factor); std::hash of strings and integers is not keyed,
  /// so keys can be chosen that all collide, and filling the container then takes time
  /// quadratic in their number. Use arrowpack::KeyedBytesHash (core/hash.h) for string keys
  /// that come from outside.
  std::int64_t max_bucket_keys = 64;

  /// Nesting of the flatbuffer tables that a schema of `max_depth` type levels needs (the
  /// verifier's depth bound is derived from it, so that a schema within the limits always
  /// verifies and one beyond them fails with the depth in the message).
  int flatbuffer_depth(int type_depth) const { return 2 * type_depth + 16; }
};

/// How much of the input a reader checks.
enum class Validation : std::int8_t {
  /// Every offset, union code, UTF-8 sequence and null count: the only level for bytes that
  /// come from outside this process. The default everywhere.
  kFull,
  /// Only sizes: for bytes this process produced itself (a round trip in memory). Malformed
  /// offsets then make accessors read out of bounds: never use it on received bytes.
  kTrustedBytesOnly,
};

/// The running account of one read against ReadLimits' decoded-bytes budget. Thread-safe
/// (FileReader::get_batch may charge it from several threads).
class ReadBudget {
 public:
  /// A budget for a read of `input_bytes` (more may be added as a stream is read).
  explicit ReadBudget(const ReadLimits& limits, std::int64_t input_bytes = 0)
      : allowance_(limits.decoded_bytes_allowance),
        per_input_byte_(limits.decoded_bytes_per_input_byte),
        input_(input_bytes) {}
  ReadBudget(const ReadBudget&) = delete;
  ReadBudget& operator=(const ReadBudget&) = delete;

  /// Counts `bytes` more of input (a stream reader after each message).
  void add_input(std::int64_t bytes) { input_.fetch_add(bytes, std::memory_order_relaxed); }
  /// Charges `bytes` of copies or decoded data; CapacityError (naming `what` and the two
  /// ReadLimits fields to raise) when the budget would be exceeded.
  Status charge(std::int64_t bytes, std::string_view what);
  /// Bytes charged so far.
  std::int64_t used() const { return used_.load(std::memory_order_relaxed); }
  /// What may be charged in all, for the input counted so far.
  std::int64_t limit() const;

 private:
  std::int64_t allowance_;
  std::int64_t per_input_byte_;
  std::atomic<std::int64_t> input_;
  std::atomic<std::int64_t> used_{0};
};

}  // namespace arrowpack

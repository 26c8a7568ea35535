// Serialized objects over any byte stream (pipes, Unix and TCP sockets): the components go
// out as one framed message, handed to the kernel with scatter-gather writes straight from
// the caller's memory (no user-space copy of tensor data), and come back in one pool
// allocation (the kernel's copy) that deserialize_components() then uses without copying.
//
// Message: "APCOMP01", int32 num_tensors, num_ndarrays, num_buffers, int32 0, int64 count
// of buffers, int64 size of each, then each buffer padded with zeros to 64 bytes (all
// little-endian). Every count and size is checked before anything is allocated.
#pragma once

#include <cstdint>
#include <optional>

#include "arrowpack/core/status.h"
#include "arrowpack/registry/serialize.h"

namespace arrowpack::transport {

struct WriteStats {
  std::int64_t bytes = 0;         ///< framing, buffers and padding written
  std::int64_t system_calls = 0;  ///< writev/sendmsg calls it took
};

/// Writes `components` to `fd` (blocking) as one message. Partial writes and EINTR are
/// retried; a peer that went away is an IOError (no SIGPIPE reaches the process).
Result<WriteStats> write_components(int fd, const Components& components);

struct ReadOptions {
  /// Largest message accepted (framing included); larger announcements are refused before
  /// any allocation.
  std::int64_t max_message_bytes = std::int64_t{1} << 36;
  /// Most buffers one message may carry.
  std::int64_t max_buffers = std::int64_t{1} << 20;
  MemoryPool* pool = default_memory_pool();
};

/// Reads one message from `fd` (blocking): std::nullopt at a clean end of stream (the peer
/// closed between messages), an IOError when it closed inside one. The buffers are slices of
/// one 64-byte aligned pool allocation.
Result<std::optional<Components>> read_components(int fd, const ReadOptions& options = {});

}  // namespace arrowpack::transport

// Serialized objects over any byte stream (pipes, Unix and TCP sockets): the components go
// out as one framed message, handed to the kernel with scatter-gather writes straight from
// the caller's memory (no user-space copy of tensor data), and come back in one pool
// allocation (the kernel's copy) that deserialize_components() then uses without copying.
//
// The framing is the transports' one (transport/README.md, "Framing"): the header, padded to
// 64 bytes, then each buffer padded to 64 bytes. Every count and size is checked before
// anything is allocated, and memory is committed only as the bytes arrive.
#pragma once

#include <cstdint>
#include <optional>

#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/status.h"
#include "arrowpack/registry/serialize.h"

namespace arrowpack::transport {

struct WriteStats {
  std::int64_t bytes = 0;         ///< framing, buffers and padding written
  std::int64_t system_calls = 0;  ///< writev/sendmsg calls it took
};

/// Writes `components` to `fd` (blocking) as one message. Partial writes and EINTR are
/// retried; a peer that went away is an IOError (no SIGPIPE reaches the process).
Result<WriteStats> send(int fd, const Components& components);

/// How the transports read. The bounds on what a peer may make this process commit are in
/// `limits`: max_buffers (buffers of one message), max_input_bytes (bytes of one message),
/// max_frames (ZeroMQ).
struct ReadOptions {
  ReadLimits limits;
  MemoryPool* pool = default_memory_pool();
};

/// Reads one message from `fd` (blocking): std::nullopt at a clean end of stream (the peer
/// closed between messages), an IOError when it closed inside one, Invalid for framing that
/// lies, CapacityError beyond `options.limits`. The buffers are slices of one 64-byte
/// aligned pool allocation, which grows from 1 MiB as the bytes arrive (the default pool
/// moves the pages of large blocks when they grow: no copy).
/// The components are not otherwise checked: deserialize_components() does that.
Result<std::optional<Components>> receive(int fd, const ReadOptions& options = {});

}  // namespace arrowpack::transport

// The one framing of components that every transport of a byte stream or of messages uses
// (stream.cc over descriptors, zmq.cc over ZeroMQ): a header, then the buffers.
//
// Header: "APCOMP01", int32 num_tensors, num_ndarrays, num_buffers, int32 0 (reserved), int64
// count of buffers, then int64 size of each buffer (all little-endian): 32 + 8 x count bytes.
// Over a byte stream the header and each buffer are padded with zeros to 64 bytes; ZeroMQ
// sends the header as the first frame and each buffer as a frame of its own, unpadded.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/status.h"
#include "arrowpack/registry/serialized_object.h"

namespace arrowpack::transport::framing {

/// "APCOMP01": the first bytes of every framed message.
inline constexpr char kMagic[8] = {'A', 'P', 'C', 'O', 'M', 'P', '0', '1'};
/// Bytes of the header before the sizes.
inline constexpr std::int64_t kFixedBytes = 32;
/// Padding of the header and of each buffer over a byte stream.
inline constexpr std::int64_t kStreamAlignment = 64;

/// Bytes of the header of a message of `count` buffers.
constexpr std::int64_t header_bytes(std::int64_t count) { return kFixedBytes + 8 * count; }

/// Whether `components` can be framed: their counts agree with their buffers (Invalid
/// otherwise) and they hold no sparse tensors (NotImplemented: the header has no room for
/// pyarrow's sparse counts; a shared-memory region carries the contiguous form, which does).
Status check_sendable(const Components& components);

/// The header of `components`: header_bytes(number of buffers) bytes.
std::string encode_header(const Components& components);

/// Reads the fixed part of a header (kFixedBytes at `bytes`): the counts go into `*out`, the
/// number of buffers into `*count`. Invalid for a wrong magic or counts that disagree;
/// CapacityError past limits.max_buffers.
Status decode_fixed(const std::uint8_t* bytes, const ReadLimits& limits, Components* out, std::int64_t* count);

/// The `count` buffer sizes a header announces, read from `bytes` (the 8 x count bytes after
/// the fixed part). Never fails: check them with check_sizes().
std::vector<std::int64_t> decode_sizes(const std::uint8_t* bytes, std::int64_t count);

/// Checks the announced buffer sizes: Invalid for a negative one, CapacityError when in all
/// (each padded to `alignment`) they pass limits.max_input_bytes. Returns that total.
Result<std::int64_t> check_sizes(std::span<const std::int64_t> sizes, const ReadLimits& limits, std::int64_t alignment);

/// `n` rounded up to the stream padding.
constexpr std::int64_t padded(std::int64_t n) {
  return (n + kStreamAlignment - 1) / kStreamAlignment * kStreamAlignment;
}

}  // namespace arrowpack::transport::framing

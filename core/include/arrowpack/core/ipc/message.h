// Encapsulated IPC messages: the Message class, reading and writing one message with its
// framing, the framing rule itself (continuation marker, padded metadata length, 8-byte
// padding, end-of-stream marker), and the layouts of RecordBatch messages for the writers and
// readers above core that lay out a batch's body themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc/options.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/type.h"

namespace arrowpack::ipc {

/// One encapsulated message: flatbuffer metadata plus a body. Immutable.
class Message {
 public:
  /// Checks `metadata` (a flatbuffer `Message`, verified) and that `body` is as long as the
  /// metadata says. Both are kept by reference, not copied. Errors: Invalid for metadata that
  /// fails verification, a metadata version before V4, an unknown header or a body of the
  /// wrong length; CapacityError for metadata over ReadLimits::max_metadata_bytes or nesting
  /// past ReadLimits::max_depth.
  static Result<std::unique_ptr<Message>> open(std::shared_ptr<Buffer> metadata, std::shared_ptr<Buffer> body,
                                               const IpcReadOptions& options = {});
  ~Message();

  /// What the message holds.
  MessageType type() const { return type_; }
  /// The version the message's metadata declares (V4 or V5).
  MetadataVersion metadata_version() const { return version_; }
  /// The flatbuffer bytes (without framing).
  const std::shared_ptr<Buffer>& metadata() const { return metadata_; }
  /// The body (may be null when empty) and its length.
  const std::shared_ptr<Buffer>& body() const { return body_; }
  std::int64_t body_length() const { return body_ ? body_->size() : 0; }
  /// Message-level custom metadata (may be null).
  const MetadataPtr& custom_metadata() const { return custom_metadata_; }
  /// The verified flatbuffer root (an `arrowpack::fb::Message`); for arrowpack's own decoders.
  const void* flatbuffer() const { return fb_; }

 private:
  Message() = default;
  // open() for metadata the caller has verified already (read_message reads the body length
  // from it first): the same checks without verifying twice.
  static Result<std::unique_ptr<Message>> open_verified(std::shared_ptr<Buffer> metadata, std::shared_ptr<Buffer> body,
                                                        const IpcReadOptions& options, bool verified);
  friend Result<std::unique_ptr<Message>> read_message(io::InputStream* stream, const IpcReadOptions& options);
  MessageType type_ = MessageType::kSchema;
  MetadataVersion version_ = MetadataVersion::kV5;
  std::shared_ptr<Buffer> metadata_;
  std::shared_ptr<Buffer> body_;
  MetadataPtr custom_metadata_;
  const void* fb_ = nullptr;
};

/// Reads the next message of a stream; null at the end-of-stream marker or at a clean end of
/// input. Accepts the continuation-marker framing and the legacy one. The metadata and body
/// are slices of the stream's memory when it is zero-copy. Errors: Invalid for a truncated
/// or malformed message; CapacityError past options.limits; the stream's IOError.
Result<std::unique_ptr<Message>> read_message(io::InputStream* stream, const IpcReadOptions& options = {});

/// Writes `message` with framing; returns the bytes written (framing + metadata + body).
/// Errors: CapacityError for metadata too large for the framing; the sink's IOError.
Result<std::int64_t> write_message(const Message& message, io::OutputStream* sink, const IpcWriteOptions& options = {});

/// Writes the 8-byte end-of-stream marker (4 bytes in legacy framing); the sink's IOError.
Status write_end_of_stream(io::OutputStream* sink, const IpcWriteOptions& options = {});

/// The framing of a message placed in memory by its writer (the registry's structure
/// streams, the tables of adapters/columnar.h), the rule write_message() follows: the
/// continuation marker, the metadata's padded length as a little-endian int32, the metadata,
/// then zeros up to a multiple of 8 bytes from the start of the framing.
/// framed_message_size() is the number of bytes frame_message() writes for `metadata_bytes`
/// bytes of metadata; CapacityError when the padded length does not fit an int32, Invalid
/// for a negative size. Thread-safe (pure functions).
Result<std::int64_t> framed_message_size(std::int64_t metadata_bytes);
/// Writes the framing and `metadata` at `out` (framed_message_size(metadata.size()) bytes,
/// which the caller has checked); returns the end of what it wrote.
std::uint8_t* frame_message(std::span<const std::uint8_t> metadata, std::uint8_t* out);
/// Writes the framing's prefix (continuation marker, length) of `padded_metadata_bytes`
/// bytes of metadata, already a multiple of 8 that fits an int32 (the caller's checks), at
/// `out`; returns where the metadata goes (8 bytes on).
std::uint8_t* frame_prefix(std::int64_t padded_metadata_bytes, std::uint8_t* out);
/// Bytes of the end-of-stream marker (continuation marker, zero length).
inline constexpr std::int64_t kEndOfStreamBytes = 8;
/// Writes the end-of-stream marker at `out`; returns its end.
std::uint8_t* end_of_stream_marker(std::uint8_t* out);

/// "ARROW1": the magic at both ends of an IPC file.
inline constexpr std::string_view kFileMagic = "ARROW1";

/// One FieldNode of a RecordBatch message: a node's length and null count.
struct FieldNodeLayout {
  std::int64_t length = 0;
  std::int64_t null_count = 0;
};
/// One body buffer of a RecordBatch message: its offset in the body and its length.
struct BodyBufferLayout {
  std::int64_t offset = 0;
  std::int64_t length = 0;
};
/// For writers that lay out a record batch's body themselves (the registry's structure
/// streams): the Message flatbuffer of an uncompressed RecordBatch of `num_rows` rows with
/// these field nodes and body buffers (in the IPC order), zero-padded to a multiple of 8. The
/// bytes are those make_record_batch_payload() gives for a batch of the same layout. They
/// live in a per-thread buffer and stay valid until the next call on the same thread; once
/// warm, the call allocates nothing. Each thread keeps the last four messages it built, one
/// per shape (counts of nodes and buffers, zero or not of `num_rows` and `body_length`), and
/// writes the next message of a kept shape into a copy of it instead of building it again.
/// Thread-safe (all state is per thread). Invalid for a negative length or offset.
Result<std::span<const std::uint8_t>> record_batch_metadata(std::int64_t num_rows,
                                                            std::span<const FieldNodeLayout> nodes,
                                                            std::span<const BodyBufferLayout> buffers,
                                                            std::int64_t body_length);

/// The Message flatbuffer of uncompressed RecordBatches of one shape (counts of field nodes
/// and body buffers, zero or not of the row count and of the body length), built once and
/// written many times: write() copies it and puts the numbers in place, for writers that
/// render many small batches of one shape (the registry's structure streams). The bytes are
/// those record_batch_metadata() gives. A template is immutable once made: const members are
/// thread-safe.
class RecordBatchMetadataTemplate {
 public:
  /// The template for batches shaped as these (only the counts and the zero-or-not of
  /// `num_rows` and `body_length` matter). Invalid for a negative length or offset.
  static Result<RecordBatchMetadataTemplate> make(std::int64_t num_rows, std::span<const FieldNodeLayout> nodes,
                                                  std::span<const BodyBufferLayout> buffers, std::int64_t body_length);
  /// Bytes write() writes: the metadata zero-padded to a multiple of 8.
  std::int64_t size() const { return static_cast<std::int64_t>(bytes_.size()); }
  /// Whether a batch with these numbers has this template's shape.
  bool fits(std::int64_t num_rows, std::size_t num_nodes, std::size_t num_buffers, std::int64_t body_length) const {
    return num_nodes == num_nodes_ && num_buffers == num_buffers_ && (num_rows != 0) == (length_at_ >= 0) &&
           (body_length != 0) == (body_length_at_ >= 0);
  }
  /// Writes the metadata of a batch with these numbers, which fits() said have this shape
  /// and which are not negative (the caller's checks), at `out` (size() bytes).
  void write(std::int64_t num_rows, std::span<const FieldNodeLayout> nodes, std::span<const BodyBufferLayout> buffers,
             std::int64_t body_length, std::uint8_t* out) const;

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t num_nodes_ = 0, num_buffers_ = 0;
  // Offsets in bytes_ of the scalars and the vectors of structs; -1 for a scalar left out.
  std::int64_t length_at_ = -1, body_length_at_ = -1, nodes_at_ = 0, buffers_at_ = 0;
};

/// A RecordBatch message as written: its length, field nodes and body buffer extents, and
/// (when read in place from memory) where its body lies and where the message ends.
struct RecordBatchLayout {
  std::int64_t length = 0;
  std::vector<FieldNodeLayout> nodes;
  std::vector<BodyBufferLayout> buffers;
  MetadataVersion version = MetadataVersion::kV5;
  /// Offset of the body in the bytes read in place (0 when read from a Message).
  std::int64_t body_offset = 0;
  std::int64_t body_length = 0;
  /// Offset just past the message in the bytes read in place.
  std::int64_t end = 0;
};
/// For readers that walk a record batch's body themselves (the registry's structure
/// reader): reads `message`'s layout into `out`, whose vectors keep their capacity. Every
/// length is checked to be non-negative and every buffer to lie inside the body. Invalid
/// when the message is not a RecordBatch or a buffer lies outside the body; NotImplemented
/// for a compressed body or one with variadic buffer counts (no such reader needs them).
Status read_record_batch_layout(const Message& message, RecordBatchLayout* out);
/// The same, in place: reads the framed RecordBatch message that starts at `offset` of
/// `bytes` without copying or allocating anything (once `out`'s vectors are warm). The
/// metadata is verified as read_message() verifies it, and the body must lie inside `bytes`;
/// each thread keeps a few verified messages laid out as record_batch_metadata() lays them
/// out, and metadata equal to one of them but for its numbers (lengths, null counts, buffer
/// extents, which are still checked) is not verified again. Metadata equal byte for byte to
/// the last message the thread read (up to 4 KiB) takes that message's layout, checked then,
/// and only its body's extent is checked again.
/// Invalid for a truncated or malformed message or another message type (an end-of-stream
/// marker included); CapacityError for metadata over ReadLimits::max_metadata_bytes;
/// NotImplemented as above. Metadata that is not 8-byte aligned in memory is read from a
/// per-thread copy; the body is not touched, so its alignment is the caller's concern.
Status read_record_batch_layout(std::span<const std::uint8_t> bytes, std::int64_t offset, const IpcReadOptions& options,
                                RecordBatchLayout* out);
/// Whether `bytes` hold an end-of-stream marker at `offset` (either framing), or nothing
/// more: `*end` is then the offset past it. False, with `*end` untouched, when a message
/// follows there instead.
bool end_of_stream_at(std::span<const std::uint8_t> bytes, std::int64_t offset, std::int64_t* end);

}  // namespace arrowpack::ipc

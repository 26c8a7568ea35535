// The Arrow IPC formats: encapsulated messages, the streaming format and the random-access
// file format, byte-compatible with every Arrow implementation (metadata version V5).
//
// Reading from a BufferReader or a MemoryMappedFile is zero-copy: every array buffer of every
// batch read is a slice of the source. Every length, offset and count read from the bytes is
// checked before use; malformed input gives a Status, never a crash.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/compression.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/core/sparse_tensor.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/tensor.h"
#include "arrowpack/core/type.h"

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

/// The dictionary-encoded fields of a schema and the dictionaries they use. A field is named
/// by its path: child indices from the schema down, through the value types of dictionaries
/// too (a dictionary of lists of dictionaries). Writers number the fields 0, 1, ... in
/// depth-first order; readers learn the ids from the schema message and then hold, per id,
/// the current dictionary (replaced or extended by dictionary batches).
class DictionaryMemo {
 public:
  using FieldPath = std::vector<int>;

  DictionaryMemo();
  ~DictionaryMemo();
  /// A copy shares the dictionaries (immutable arrays) but grows its own from then on.
  DictionaryMemo(const DictionaryMemo& other);
  DictionaryMemo& operator=(const DictionaryMemo& other);
  DictionaryMemo(DictionaryMemo&&) noexcept;
  DictionaryMemo& operator=(DictionaryMemo&&) noexcept;

  /// The dictionary fields of `schema` with ids 0, 1, ... in depth-first order.
  static DictionaryMemo for_schema(const Schema& schema);
  /// Records that the field at `path`, of dictionary type `type`, uses `id`. Fields may share
  /// an id when their value types agree (Invalid otherwise; TypeError for a type that is not
  /// a dictionary).
  Status add_field(FieldPath path, std::int64_t id, DataTypePtr type);
  /// The id of the field at `path` (KeyError when none).
  Result<std::int64_t> id_for(const FieldPath& path) const;
  /// The dictionary type of `id` and the path of the first field that uses it (KeyError).
  Result<std::pair<DataTypePtr, FieldPath>> field_for(std::int64_t id) const;
  std::int64_t num_fields() const { return static_cast<std::int64_t>(ids_.size()); }
  std::int64_t num_ids() const { return static_cast<std::int64_t>(fields_.size()); }

  /// The current values of `id` (null before its first dictionary batch). Deltas received
  /// since the last call are appended now: fixed-width, boolean and binary-like values in
  /// place, into storage from `pool` that grows geometrically (earlier results stay valid:
  /// they are prefixes of it), other layouts by one concatenation. What is allocated is
  /// charged to `budget` when given (CapacityError when it runs out). Not thread-safe while
  /// deltas are pending; readers join them all before sharing the memo.
  Result<std::shared_ptr<ArrayData>> dictionary(std::int64_t id, MemoryPool* pool = default_memory_pool(),
                                                ReadBudget* budget = nullptr) const;
  bool has_dictionary(std::int64_t id) const;
  /// A new or replaced dictionary for `id`.
  void set_dictionary(std::int64_t id, std::shared_ptr<ArrayData> values);
  /// Values to append to the dictionary of `id` (a new dictionary when it has none).
  void add_delta(std::int64_t id, std::shared_ptr<ArrayData> values);
  /// Joins every pending delta (after this, dictionary() only reads).
  Status join_deltas(MemoryPool* pool = default_memory_pool(), ReadBudget* budget = nullptr) const;
  /// Bytes of dictionary values held: current dictionaries and pending deltas, every id.
  std::int64_t dictionary_bytes() const { return bytes_; }

 private:
  struct Dictionary;  // one id's values and the room to grow them (ipc/dictionary.cc)
  std::map<FieldPath, std::int64_t> ids_;
  std::map<std::int64_t, std::pair<DataTypePtr, FieldPath>> fields_;
  std::map<std::int64_t, std::shared_ptr<Dictionary>> dictionaries_;
  std::int64_t bytes_ = 0;
};

/// One encapsulated message: flatbuffer metadata plus a body. Immutable.
class Message {
 public:
  /// Checks `metadata` (a flatbuffer `Message`, verified) and that `body` is as long as the
  /// metadata says. Both are kept by reference, not copied.
  static Result<std::unique_ptr<Message>> open(std::shared_ptr<Buffer> metadata, std::shared_ptr<Buffer> body,
                                               const IpcReadOptions& options = {});
  ~Message();

  MessageType type() const { return type_; }
  MetadataVersion metadata_version() const { return version_; }
  /// The flatbuffer bytes (without framing).
  const std::shared_ptr<Buffer>& metadata() const { return metadata_; }
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
/// input. Accepts the continuation-marker framing and the legacy one.
Result<std::unique_ptr<Message>> read_message(io::InputStream* stream, const IpcReadOptions& options = {});

/// Writes `message` with framing; returns the bytes written (framing + metadata + body).
Result<std::int64_t> write_message(const Message& message, io::OutputStream* sink, const IpcWriteOptions& options = {});

/// Writes the 8-byte end-of-stream marker (4 bytes in legacy framing).
Status write_end_of_stream(io::OutputStream* sink, const IpcWriteOptions& options = {});

/// Decodes a Schema message.
Result<SchemaPtr> read_schema(const Message& message, const IpcReadOptions& options = {});
/// Decodes a RecordBatch message against `schema`; buffers are slices of the message body.
/// Dictionary-encoded columns take their dictionaries from `memo` (required when the schema
/// has any).
Result<RecordBatchPtr> read_record_batch(const Message& message, const SchemaPtr& schema,
                                         const IpcReadOptions& options = {});
Result<RecordBatchPtr> read_record_batch(const Message& message, const SchemaPtr& schema, const DictionaryMemo& memo,
                                         const IpcReadOptions& options = {});
/// Applies a DictionaryBatch message to `memo`: a new or replaced dictionary, or a delta
/// appended to the current one. `allow_replacement` is false for the file format.
Status read_dictionary_batch(const Message& message, DictionaryMemo* memo, const IpcReadOptions& options = {},
                             bool allow_replacement = true, bool big_endian = false);
/// Decodes a Schema message and the dictionary ids of its fields.
Result<SchemaPtr> read_schema(const Message& message, DictionaryMemo* memo, const IpcReadOptions& options = {});
/// Reads a stream's schema message from `stream` (the first message).
Result<SchemaPtr> read_schema(io::InputStream* stream, const IpcReadOptions& options = {});

/// Serialises `schema` as a Schema message (no body).
Result<std::unique_ptr<Message>> make_schema_message(const Schema& schema);
/// Serialises `batch` as a RecordBatch message whose body buffers reference the batch's
/// memory; `body_parts` receives them in order, each followed by its padding length.
struct RecordBatchPayload {
  std::shared_ptr<Buffer> metadata;                   ///< the flatbuffer Message
  std::vector<std::shared_ptr<Buffer>> body_buffers;  ///< the batch's buffers, unpadded
  std::vector<std::int64_t> body_padding;             ///< zero bytes after each buffer
  std::int64_t body_length = 0;                       ///< sum of buffers and padding
};
Result<RecordBatchPayload> make_record_batch_payload(const RecordBatch& batch, const IpcWriteOptions& options = {});

/// The Message flatbuffer of `schema` (zero-padded to a multiple of 8), the bytes a stream
/// writer frames as its first message. Unlike make_schema_message() it is not opened as a
/// Message, so no read limit applies to what this process built itself.
Result<std::shared_ptr<Buffer>> schema_metadata(const Schema& schema, MemoryPool* pool = default_memory_pool());
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
/// Bytes of the end-of-stream marker (continuation marker, zero length).
inline constexpr std::int64_t kEndOfStreamBytes = 8;
/// Writes the end-of-stream marker at `out`; returns its end.
std::uint8_t* end_of_stream_marker(std::uint8_t* out);

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
/// extents, which are still checked) is not verified again.
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

/// What a writer has written so far.
struct WriteStats {
  std::int64_t num_messages = 0;
  std::int64_t num_record_batches = 0;
  std::int64_t num_dictionary_batches = 0;
  std::int64_t num_replaced_dictionaries = 0;
  std::int64_t num_dictionary_deltas = 0;
  std::int64_t total_bytes = 0;
};

/// What a reader has read so far.
struct ReadStats {
  std::int64_t num_messages = 0;
  std::int64_t num_record_batches = 0;
  std::int64_t num_dictionary_batches = 0;
  std::int64_t num_replaced_dictionaries = 0;
  std::int64_t num_dictionary_deltas = 0;
};

/// Writes the IPC streaming format: schema, batches, end-of-stream marker.
class StreamWriter {
 public:
  /// Writes the schema message to `sink` at once.
  static Result<std::shared_ptr<StreamWriter>> open(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                    const IpcWriteOptions& options = {});
  virtual ~StreamWriter();

  /// Writes one batch. Refuses (TypeError) a batch whose schema differs from the writer's.
  Status write_batch(const RecordBatch& batch);
  Status write(const RecordBatch& batch) { return write_batch(batch); }
  Status write_table(const Table& table);
  /// Writes the end-of-stream marker. The sink stays open (it belongs to the caller).
  virtual Status close();
  const SchemaPtr& schema() const { return schema_; }
  WriteStats stats() const { return stats_; }

 protected:
  StreamWriter(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema, IpcWriteOptions options)
      : sink_(std::move(sink)), schema_(std::move(schema)), options_(options) {}
  Status start();
  /// Writes one message; records its offset, metadata length and body length.
  Status write_payload(const std::shared_ptr<Buffer>& metadata, const std::vector<std::shared_ptr<Buffer>>& body,
                       const std::vector<std::int64_t>& padding, std::int64_t body_length, std::int64_t* offset,
                       std::int32_t* metadata_length);
  virtual Status on_batch_written(std::int64_t, std::int32_t, std::int64_t) { return Status::OK(); }
  virtual Status on_dictionary_written(std::int64_t, std::int32_t, std::int64_t) { return Status::OK(); }
  virtual bool allows_dictionary_replacement() const { return true; }
  /// Writes the dictionary batches `batch` needs: new dictionaries, replacements, deltas.
  Status write_dictionaries(const RecordBatch& batch);

  std::shared_ptr<io::OutputStream> sink_;
  SchemaPtr schema_;
  IpcWriteOptions options_;
  WriteStats stats_;
  std::int64_t position_ = 0;
  bool closed_ = false;
  std::string scratch_;                                 // reused across messages to gather small writes
  DictionaryMemo dictionary_memo_;                      // ids of the schema's dictionary fields
  std::map<std::int64_t, Array> written_dictionaries_;  // the last dictionary sent per id
  struct Unified;  // unify_dictionaries: one id's merged dictionary and its index (writer.cc)
  std::map<std::int64_t, std::shared_ptr<Unified>> unified_;
  Result<RecordBatchPtr> unify(const RecordBatch& batch);
};

/// pyarrow's ipc.new_stream(sink, schema).
inline Result<std::shared_ptr<StreamWriter>> new_stream(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                        const IpcWriteOptions& options = {}) {
  return StreamWriter::open(std::move(sink), std::move(schema), options);
}

/// Reads the IPC streaming format, one batch at a time.
class StreamReader {
 public:
  /// Reads the schema message from `source` at once.
  static Result<std::shared_ptr<StreamReader>> open(std::shared_ptr<io::InputStream> source,
                                                    const IpcReadOptions& options = {});
  const SchemaPtr& schema() const { return schema_; }
  /// The next batch, or null at the end of the stream.
  Result<RecordBatchPtr> read_next_batch();
  /// All remaining batches as a Table.
  Result<TablePtr> read_all();
  ReadStats stats() const { return stats_; }

  /// Range-for support: `for (auto batch : *reader)` yields Result<RecordBatchPtr>; the
  /// iteration ends after the last batch or after the first error.
  class Iterator {
   public:
    Iterator() = default;
    explicit Iterator(StreamReader* reader) : reader_(reader) { advance(); }
    const Result<RecordBatchPtr>& operator*() const { return current_; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    bool operator==(const Iterator& other) const { return reader_ == other.reader_; }
    bool operator!=(const Iterator& other) const { return reader_ != other.reader_; }

   private:
    void advance();
    StreamReader* reader_ = nullptr;
    Result<RecordBatchPtr> current_{RecordBatchPtr()};
    bool failed_ = false;
  };
  Iterator begin() { return Iterator(this); }
  Iterator end() { return Iterator(); }

 private:
  StreamReader(std::shared_ptr<io::InputStream> source, IpcReadOptions options)
      : source_(std::move(source)), options_(options), budget_(options_.limits) {}
  std::shared_ptr<io::InputStream> source_;
  IpcReadOptions options_;
  ReadBudget budget_;  // charged by every message of the stream
  SchemaPtr schema_;
  DictionaryMemo memo_;
  ReadStats stats_;
  bool finished_ = false;
  bool swap_ = false;  // big-endian data, converted as it is read
};

/// pyarrow's ipc.open_stream(source).
inline Result<std::shared_ptr<StreamReader>> open_stream(std::shared_ptr<io::InputStream> source,
                                                         const IpcReadOptions& options = {}) {
  return StreamReader::open(std::move(source), options);
}
/// Reads a stream held in a buffer (zero-copy).
Result<std::shared_ptr<StreamReader>> open_stream(std::shared_ptr<Buffer> buffer, const IpcReadOptions& options = {});

/// Writes the IPC file format: "ARROW1" magic, a stream, a footer with the schema and the
/// location of every batch, the footer length and the magic again.
class FileWriter : public StreamWriter {
 public:
  static Result<std::shared_ptr<FileWriter>> open(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                  const IpcWriteOptions& options = {},
                                                  MetadataPtr footer_metadata = nullptr);
  /// Writes the end-of-stream marker, the footer and the trailing magic.
  Status close() override;

 private:
  using StreamWriter::StreamWriter;
  Status on_batch_written(std::int64_t offset, std::int32_t metadata_length, std::int64_t body_length) override;
  Status on_dictionary_written(std::int64_t offset, std::int32_t metadata_length, std::int64_t body_length) override;
  bool allows_dictionary_replacement() const override { return false; }
  struct Block {
    std::int64_t offset;
    std::int32_t metadata_length;
    std::int64_t body_length;
  };
  std::vector<Block> blocks_;
  std::vector<Block> dictionary_blocks_;
  MetadataPtr footer_metadata_;
};

/// pyarrow's ipc.new_file(sink, schema).
inline Result<std::shared_ptr<FileWriter>> new_file(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                    const IpcWriteOptions& options = {}) {
  return FileWriter::open(std::move(sink), std::move(schema), options);
}

/// Reads the IPC file format with random access to its batches. Thread-safe for get_batch()
/// when the source's read_at() is (BufferReader, ReadableFile, MemoryMappedFile).
class FileReader {
 public:
  /// Reads and checks the magic and the footer. The source must be able to seek.
  static Result<std::shared_ptr<FileReader>> open(std::shared_ptr<io::RandomAccessFile> source,
                                                  const IpcReadOptions& options = {});
  const SchemaPtr& schema() const { return schema_; }
  int num_record_batches() const { return static_cast<int>(blocks_.size()); }
  /// Batch i, read at its recorded location.
  Result<RecordBatchPtr> get_batch(int i);
  Result<TablePtr> read_all();
  MetadataVersion metadata_version() const { return version_; }
  /// Custom metadata of the footer (may be null).
  const MetadataPtr& footer_metadata() const { return footer_metadata_; }
  ReadStats stats() const {
    ReadStats out = dictionary_stats_;
    out.num_messages += batches_read_.load();
    out.num_record_batches = batches_read_.load();
    return out;
  }

 private:
  FileReader(std::shared_ptr<io::RandomAccessFile> source, IpcReadOptions options)
      : source_(std::move(source)), options_(options), budget_(options_.limits) {}
  struct Block {
    std::int64_t offset;
    std::int32_t metadata_length;
    std::int64_t body_length;
  };
  Result<std::unique_ptr<Message>> read_block(const Block& block, const std::string& what) const;
  std::shared_ptr<io::RandomAccessFile> source_;
  IpcReadOptions options_;
  ReadBudget budget_;  // for open(), which reads every dictionary: the file's size is the input
  SchemaPtr schema_;
  DictionaryMemo memo_;  // every dictionary of the file, read by open()
  bool swap_ = false;    // big-endian data, converted as it is read
  ReadStats dictionary_stats_;
  std::vector<Block> blocks_;
  MetadataVersion version_ = MetadataVersion::kV5;
  MetadataPtr footer_metadata_;
  std::atomic<std::int64_t> batches_read_{0};  // get_batch() may run on several threads
};

/// pyarrow's ipc.open_file(source).
inline Result<std::shared_ptr<FileReader>> open_file(std::shared_ptr<io::RandomAccessFile> source,
                                                     const IpcReadOptions& options = {}) {
  return FileReader::open(std::move(source), options);
}
/// Reads a file held in a buffer (zero-copy).
Result<std::shared_ptr<FileReader>> open_file(std::shared_ptr<Buffer> buffer, const IpcReadOptions& options = {});

// ---- Tensor messages (pyarrow's ipc.write_tensor / read_tensor / get_tensor_size) --------

/// The two parts of a Tensor message as built for writing (not re-verified): the
/// Message flatbuffer (8-byte padded) and the body, which is the tensor's own memory when
/// it is contiguous.
struct TensorMessageParts {
  std::shared_ptr<Buffer> metadata;
  std::shared_ptr<Buffer> body;
  /// The bytes of the encapsulated message: framing, metadata padded so that the body
  /// starts on a 64-byte boundary, body.
  std::int64_t encapsulated_size() const;
};
Result<TensorMessageParts> make_tensor_message_parts(const Tensor& tensor, MemoryPool* pool = default_memory_pool());
/// Writes parts made by make_tensor_message_parts() as one encapsulated message.
Result<std::int64_t> write_tensor_message(const TensorMessageParts& parts, io::OutputStream* sink);

/// A Tensor message for `tensor`, laid out as Arrow C++ writes it: the body is the element
/// data (the tensor's own memory when it is contiguous, a row-major copy from `pool` when
/// not) and the strides recorded are the body's.
Result<std::unique_ptr<Message>> make_tensor_message(const Tensor& tensor, MemoryPool* pool = default_memory_pool());
/// Writes `tensor` as one encapsulated Tensor message: continuation marker, metadata length,
/// metadata padded so that these three are a multiple of 64 bytes, then the data (unpadded).
/// Byte-identical to arrow::ipc::WriteTensor. Returns the bytes written.
Result<std::int64_t> write_tensor(const Tensor& tensor, io::OutputStream* sink,
                                  MemoryPool* pool = default_memory_pool());
/// The bytes write_tensor() would write.
Result<std::int64_t> tensor_message_size(const Tensor& tensor);
/// Decodes a Tensor message; the tensor's data is a slice of the message body (no copy).
Result<TensorPtr> read_tensor(const Message& message);
/// Reads the next message of `source`, which must be a Tensor message.
Result<TensorPtr> read_tensor(io::InputStream* source, const IpcReadOptions& options = {});

// ---- SparseTensor messages (Arrow C++'s WriteSparseTensor / ReadSparseTensor) -----------

/// The parts of a SparseTensor message as Arrow C++ builds them: the Message flatbuffer
/// (padded to 8) and the body buffers in order -- the index buffers (COO: the coordinates;
/// CSR/CSC: index pointers, indices; CSF: every level's index pointers, then every level's
/// indices) and the values -- unpadded, each the tensor's own memory when contiguous (a
/// row-major copy from `pool` when not). pyarrow's to_components() carries exactly these.
struct SparseTensorMessageParts {
  std::shared_ptr<Buffer> metadata;
  std::vector<std::shared_ptr<Buffer>> body;
  /// The body as written: each buffer padded to 8 bytes.
  std::int64_t body_length() const;
  /// Framing (8 bytes), metadata, body.
  std::int64_t encapsulated_size() const;
};
/// Errors: those of allocation (copies of strided index tensors).
Result<SparseTensorMessageParts> make_sparse_tensor_message_parts(const SparseTensor& tensor,
                                                                  MemoryPool* pool = default_memory_pool());
/// Writes parts made by make_sparse_tensor_message_parts(): continuation marker, metadata
/// length, metadata, then each body buffer padded to 8 bytes. Returns the bytes written.
Result<std::int64_t> write_sparse_tensor_message(const SparseTensorMessageParts& parts, io::OutputStream* sink);
/// Writes `tensor` as one encapsulated SparseTensor message, byte-identical to
/// arrow::ipc::WriteSparseTensor (pyarrow's pa.serialize writes these in its blobs).
Result<std::int64_t> write_sparse_tensor(const SparseTensor& tensor, io::OutputStream* sink,
                                         MemoryPool* pool = default_memory_pool());
/// Decodes a SparseTensor message. The index and values are slices of the message body (no
/// copy). Every index is checked against the shape (SparseTensor's factories); a buffer
/// outside the body, an index kind or compressed axis the format does not define, strided
/// COO coordinates, or a non-zero count that the index contradicts are Invalid.
Result<SparseTensorPtr> read_sparse_tensor(const Message& message);
/// Reads the next message of `source`, which must be a SparseTensor message.
Result<SparseTensorPtr> read_sparse_tensor(io::InputStream* source, const IpcReadOptions& options = {});
/// Decodes a SparseTensor whose metadata (the Message flatbuffer, verified here) and body
/// buffers come separately, as in pyarrow's components: `body` holds one buffer per body
/// buffer, in order, used as they are (zero-copy; an 8-byte aligned copy when misaligned);
/// the offsets in the metadata are not consulted. Invalid when there are more or fewer
/// buffers than the format has, or one is too short.
Result<SparseTensorPtr> read_sparse_tensor(std::shared_ptr<Buffer> metadata,
                                           const std::vector<std::shared_ptr<Buffer>>& body,
                                           const IpcReadOptions& options = {});
/// How many body buffers `tensor`'s message has: COO 2, CSR/CSC 3, CSF 2 x ndim.
std::size_t sparse_tensor_body_buffers(const SparseTensor& tensor);
/// The same, read from a SparseTensor message's metadata (verified here): how many of the
/// buffers that follow it in components are its body. Invalid for other messages.
Result<std::size_t> sparse_tensor_body_buffers(std::shared_ptr<Buffer> metadata, const IpcReadOptions& options = {});

/// "ARROW1": the magic at both ends of an IPC file.
inline constexpr std::string_view kFileMagic = "ARROW1";

}  // namespace arrowpack::ipc

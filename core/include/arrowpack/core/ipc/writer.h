// Writing the IPC formats: Schema and RecordBatch messages, and the writers of the streaming
// format (StreamWriter) and the file format (FileWriter), byte for byte as Arrow C++ writes
// them at the same options (metadata version V5).
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/options.h"
#include "arrowpack/core/memory_pool.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/type.h"

namespace arrowpack::ipc {

/// Serialises `schema` as a Schema message (no body). Errors: NotImplemented for a type the
/// IPC format cannot carry; those of allocation.
Result<std::unique_ptr<Message>> make_schema_message(const Schema& schema);

/// A RecordBatch message ready to be framed: its metadata and its body buffers, which are the
/// batch's own memory (or rebased copies of sliced offsets), each followed by its padding.
struct RecordBatchPayload {
  std::shared_ptr<Buffer> metadata;                   ///< the flatbuffer Message
  std::vector<std::shared_ptr<Buffer>> body_buffers;  ///< the batch's buffers, unpadded
  std::vector<std::int64_t> body_padding;             ///< zero bytes after each buffer
  std::int64_t body_length = 0;                       ///< sum of buffers and padding
};
/// Serialises `batch` as a RecordBatch message whose body buffers reference the batch's
/// memory (no copy but the offsets of sliced arrays, rebased into `options.pool`). Errors:
/// Invalid for an alignment other than 8, 16, 32 or 64; those of compression and allocation.
Result<RecordBatchPayload> make_record_batch_payload(const RecordBatch& batch, const IpcWriteOptions& options = {});

/// The Message flatbuffer of `schema` (zero-padded to a multiple of 8), the bytes a stream
/// writer frames as its first message. Unlike make_schema_message() it is not opened as a
/// Message, so no read limit applies to what this process built itself. Errors: those of
/// make_schema_message().
Result<std::shared_ptr<Buffer>> schema_metadata(const Schema& schema, MemoryPool* pool = default_memory_pool());

/// What a writer has written so far.
struct WriteStats {
  std::int64_t num_messages = 0;
  std::int64_t num_record_batches = 0;
  std::int64_t num_dictionary_batches = 0;
  std::int64_t num_replaced_dictionaries = 0;
  std::int64_t num_dictionary_deltas = 0;
  std::int64_t total_bytes = 0;
};

/// Writes the IPC streaming format: schema, dictionaries and batches, end-of-stream marker.
/// One writer is used from one thread at a time. The sink is shared with the caller, who
/// keeps it open after close().
class StreamWriter {
 public:
  /// Writes the schema message to `sink` at once. Errors: Invalid for a null sink or schema
  /// or an alignment other than 8, 16, 32 or 64; NotImplemented for a type the format cannot
  /// carry; the sink's IOError.
  static Result<std::shared_ptr<StreamWriter>> open(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                    const IpcWriteOptions& options = {});
  virtual ~StreamWriter();
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  /// Writes one batch, after the dictionary batches it needs (new, replaced or delta
  /// dictionaries; see IpcWriteOptions). Errors: Invalid after close(), or (file format) for a
  /// dictionary that changes other than by growing; TypeError for a batch whose schema
  /// differs from the writer's; CapacityError when unify_dictionaries outgrows the index
  /// type; NotImplemented for unify_dictionaries of nested values; the sink's IOError.
  Status write_batch(const RecordBatch& batch);
  /// write_batch(), pyarrow's spelling: the errors of write_batch().
  Status write(const RecordBatch& batch) { return write_batch(batch); }
  /// Writes every batch of `table` in order; the errors of write_batch().
  Status write_table(const Table& table);
  /// Writes the end-of-stream marker (and, for a FileWriter, the footer and the trailing
  /// magic) and flushes the sink; later calls do nothing. The sink's IOError.
  Status close();
  /// The schema every batch must have.
  const SchemaPtr& schema() const;
  /// What has been written so far.
  WriteStats stats() const;

 protected:
  struct Impl;  // the state: dictionaries sent, unification, footer blocks (writer.cc)
  explicit StreamWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// pyarrow's ipc.new_stream(sink, schema): the errors of StreamWriter::open().
inline Result<std::shared_ptr<StreamWriter>> new_stream(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                        const IpcWriteOptions& options = {}) {
  return StreamWriter::open(std::move(sink), std::move(schema), options);
}

/// Writes the IPC file format: "ARROW1" magic, a stream, a footer with the schema and the
/// location of every dictionary and batch, the footer length and the magic again. Files
/// cannot replace a dictionary: write_batch() refuses one that changes other than by growing
/// (with emit_dictionary_deltas or unify_dictionaries).
class FileWriter : public StreamWriter {
 public:
  /// Writes the leading magic and the schema message; `footer_metadata` goes into the footer.
  /// Errors: those of StreamWriter::open(), and Invalid for write_legacy_ipc_format.
  static Result<std::shared_ptr<FileWriter>> open(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                  const IpcWriteOptions& options = {},
                                                  MetadataPtr footer_metadata = nullptr);

 private:
  using StreamWriter::StreamWriter;
};

/// pyarrow's ipc.new_file(sink, schema): the errors of FileWriter::open().
inline Result<std::shared_ptr<FileWriter>> new_file(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                    const IpcWriteOptions& options = {}) {
  return FileWriter::open(std::move(sink), std::move(schema), options);
}

}  // namespace arrowpack::ipc

// Reading the IPC formats: decoding Schema, RecordBatch and DictionaryBatch messages, and the
// readers of the streaming format (StreamReader) and the file format (FileReader).
//
// Reading from a BufferReader or a MemoryMappedFile is zero-copy: every array buffer of every
// batch read is a slice of the source. Every length, offset and count read from the bytes is
// checked before use; malformed input gives a Status, never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc/dictionary.h"
#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/options.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/type.h"

namespace arrowpack::ipc {

// Every reader here checks the bytes in full before use (IpcReadOptions::validation says
// how much of the data), catches what could escape (std::bad_alloc included) and returns:
// Invalid for malformed bytes, CapacityError past IpcReadOptions::limits, NotImplemented for
// a feature of the format arrowpack does not read (or big-endian data when
// ensure_native_endian is off), IOError from the source.

/// Decodes a Schema message. Errors: Invalid when `message` is not a well-formed Schema
/// message; CapacityError past options.limits (nesting depth, metadata size).
Result<SchemaPtr> read_schema(const Message& message, const IpcReadOptions& options = {});
/// The same, recording the dictionary ids of its fields in `memo` (the errors of
/// read_schema(), and Invalid for fields whose dictionary ids disagree).
Result<SchemaPtr> read_schema(const Message& message, DictionaryMemo* memo, const IpcReadOptions& options = {});
/// Reads a stream's schema message from `stream` (its first message). The errors of
/// read_message() and read_schema(); Invalid at the end of the stream.
Result<SchemaPtr> read_schema(io::InputStream* stream, const IpcReadOptions& options = {});
/// Decodes a RecordBatch message against `schema`; buffers are slices of the message body
/// (copies only where the body is compressed, misaligned or big-endian). Errors: Invalid for
/// a malformed message or data that fails validation; CapacityError past options.limits.
Result<RecordBatchPtr> read_record_batch(const Message& message, const SchemaPtr& schema,
                                         const IpcReadOptions& options = {});
/// The same, with dictionary-encoded columns taking their dictionaries from `memo`
/// (KeyError for an id it does not hold).
Result<RecordBatchPtr> read_record_batch(const Message& message, const SchemaPtr& schema, const DictionaryMemo& memo,
                                         const IpcReadOptions& options = {});
/// Applies a DictionaryBatch message to `memo`: a new or replaced dictionary, or a delta
/// appended to the current one. `allow_replacement` is false for the file format and
/// `big_endian` says the producer's schema was big-endian. Errors: Invalid for a malformed
/// message or (without allow_replacement) a replacement; KeyError for an id `memo` does not
/// know; CapacityError past options.limits.
Status read_dictionary_batch(const Message& message, DictionaryMemo* memo, const IpcReadOptions& options = {},
                             bool allow_replacement = true, bool big_endian = false);

/// What a reader has read so far.
struct ReadStats {
  std::int64_t num_messages = 0;
  std::int64_t num_record_batches = 0;
  std::int64_t num_dictionary_batches = 0;
  std::int64_t num_replaced_dictionaries = 0;
  std::int64_t num_dictionary_deltas = 0;
};

/// Reads the IPC streaming format, one batch at a time. One reader is used from one thread at
/// a time; batches it returns are immutable and may be shared. Each message read adds its
/// size to the reader's ReadBudget, so what reading costs stays within options.limits of
/// what was read.
class StreamReader {
 public:
  /// Reads the schema message from `source` at once. Errors: Invalid for a null source, an
  /// empty stream or a malformed schema; those of read_message().
  static Result<std::shared_ptr<StreamReader>> open(std::shared_ptr<io::InputStream> source,
                                                    const IpcReadOptions& options = {});
  ~StreamReader();
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  /// The stream's schema (little-endian whatever the producer's byte order).
  const SchemaPtr& schema() const;
  /// The next batch, after the dictionary batches before it, or null at the end of the
  /// stream (and on every call after it). Errors: as above; Invalid for a message other than
  /// a batch or a dictionary.
  Result<RecordBatchPtr> read_next_batch();
  /// All remaining batches as a Table; the errors of read_next_batch().
  Result<TablePtr> read_all();
  /// What has been read so far.
  ReadStats stats() const;

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
  struct Impl;  // source, options, budget, dictionaries (reader.cc)
  explicit StreamReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// pyarrow's ipc.open_stream(source): the errors of StreamReader::open().
inline Result<std::shared_ptr<StreamReader>> open_stream(std::shared_ptr<io::InputStream> source,
                                                         const IpcReadOptions& options = {}) {
  return StreamReader::open(std::move(source), options);
}
/// Reads a stream held in a buffer (zero-copy: batches are slices of `buffer`, which they
/// keep alive). The errors of StreamReader::open().
Result<std::shared_ptr<StreamReader>> open_stream(std::shared_ptr<Buffer> buffer, const IpcReadOptions& options = {});

/// Reads the IPC file format with random access to its batches. open() reads every
/// dictionary; get_batch() only reads, so it is thread-safe when the source's read_at() is
/// (BufferReader, ReadableFile, MemoryMappedFile). Each batch is charged to a budget of its
/// own block's size.
class FileReader {
 public:
  /// Reads and checks the magic, the footer and every dictionary. The source must be able to
  /// seek. Errors: Invalid for a null source, a missing magic, a footer or block that does
  /// not fit the file, blocks that overlap, or a malformed dictionary; CapacityError past
  /// options.limits; the source's IOError.
  static Result<std::shared_ptr<FileReader>> open(std::shared_ptr<io::RandomAccessFile> source,
                                                  const IpcReadOptions& options = {});
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  /// The file's schema (little-endian whatever the producer's byte order).
  const SchemaPtr& schema() const;
  /// Batches listed in the footer.
  int num_record_batches() const;
  /// Batch i, read at its recorded location. Errors: IndexError for i out of range; Invalid
  /// for a malformed batch or a block that holds another kind of message; CapacityError.
  Result<RecordBatchPtr> get_batch(int i);
  /// Every batch as a Table; the errors of get_batch().
  Result<TablePtr> read_all();
  /// The footer's metadata version (V4 for writers before 0.15, which left it unset).
  MetadataVersion metadata_version() const;
  /// Custom metadata of the footer (may be null).
  const MetadataPtr& footer_metadata() const;
  /// What has been read so far (thread-safe).
  ReadStats stats() const;

 private:
  struct Impl;  // source, options, footer blocks, dictionaries (reader.cc)
  explicit FileReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// pyarrow's ipc.open_file(source): the errors of FileReader::open().
inline Result<std::shared_ptr<FileReader>> open_file(std::shared_ptr<io::RandomAccessFile> source,
                                                     const IpcReadOptions& options = {}) {
  return FileReader::open(std::move(source), options);
}
/// Reads a file held in a buffer (zero-copy, as open_stream(buffer)). The errors of
/// FileReader::open().
Result<std::shared_ptr<FileReader>> open_file(std::shared_ptr<Buffer> buffer, const IpcReadOptions& options = {});

}  // namespace arrowpack::ipc

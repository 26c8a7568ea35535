// Byte streams: in-memory sinks and readers, OS files, memory maps and file descriptors.
// Readers over memory (BufferReader, MemoryMappedFile) hand out slices of their source, so
// IPC reads from them copy nothing (supports_zero_copy() says which ones do).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/status.h"

namespace arrowpack::io {

/// What every stream has: a position, and a close. Not thread-safe unless a class says so.
class FileInterface {
 public:
  virtual ~FileInterface() = default;
  /// Releases the resource; further reads/writes fail with IOError. Idempotent. IOError when
  /// the system refuses (a file's close()).
  virtual Status close() = 0;
  virtual bool closed() const = 0;
  /// The current position in bytes from the start. IOError on a closed stream.
  virtual Result<std::int64_t> tell() const = 0;
};

/// A sink of bytes.
class OutputStream : virtual public FileInterface {
 public:
  /// Writes all `nbytes` bytes (or fails). IOError when the sink is closed or the system
  /// refuses; CapacityError past a fixed-size sink's end; OutOfMemory when a memory sink
  /// cannot grow.
  virtual Status write(const void* data, std::int64_t nbytes) = 0;
  /// Writes a buffer; sinks that can keep a reference instead of copying may do so. The
  /// errors of write(data, nbytes).
  virtual Status write(const std::shared_ptr<Buffer>& data) { return write(data->data(), data->size()); }
  /// Writes `data`'s bytes; the errors of write(data, nbytes).
  Status write(std::string_view data) { return write(data.data(), static_cast<std::int64_t>(data.size())); }
  /// Hands buffered bytes to the system. IOError when it refuses.
  virtual Status flush() { return Status::OK(); }
};

/// A source of bytes read sequentially.
class InputStream : virtual public FileInterface {
 public:
  /// Reads up to `nbytes` into `out`; returns how many were read (0 at end of stream).
  /// Invalid for a negative `nbytes`; IOError when closed or the system refuses.
  virtual Result<std::int64_t> read(std::int64_t nbytes, void* out) = 0;
  /// Reads up to `nbytes` into a buffer: a slice of the source when supports_zero_copy(),
  /// else newly allocated memory. Shorter than asked only at end of stream. The errors of
  /// read(nbytes, out); OutOfMemory when the copy cannot be allocated.
  virtual Result<std::shared_ptr<Buffer>> read(std::int64_t nbytes) = 0;
  /// Skips `nbytes` (fewer at end of stream). The errors of read(nbytes, out).
  virtual Status advance(std::int64_t nbytes);
  /// True when read() returns slices of memory the source already holds (no copy).
  virtual bool supports_zero_copy() const { return false; }
};

/// An input with a known size that can seek and read at any position.
class RandomAccessFile : public InputStream {
 public:
  /// The size in bytes. IOError when closed or the system refuses.
  virtual Result<std::int64_t> get_size() = 0;
  /// Moves the position. Invalid for a negative position; IOError when closed.
  virtual Status seek(std::int64_t position) = 0;
  /// Reads up to `nbytes` at `position` without moving the stream position.
  /// Thread-safe on BufferReader, ReadableFile and MemoryMappedFile. Invalid for a negative
  /// position or size; IOError when closed or the system refuses; OutOfMemory for a copy.
  virtual Result<std::shared_ptr<Buffer>> read_at(std::int64_t position, std::int64_t nbytes) = 0;
  /// The same into `out`; returns how many bytes were read. The errors of read_at().
  virtual Result<std::int64_t> read_at(std::int64_t position, std::int64_t nbytes, void* out);
};

/// An in-memory sink (pyarrow's BufferOutputStream): grows a pool buffer.
class BufferOutputStream : public OutputStream {
 public:
  /// Errors: Invalid for a negative capacity; CapacityError past 2^62 bytes; OutOfMemory.
  static Result<std::shared_ptr<BufferOutputStream>> create(std::int64_t initial_capacity = 4096,
                                                            MemoryPool* pool = default_memory_pool());

  Status write(const void* data, std::int64_t nbytes) override;
  using OutputStream::write;
  Result<std::int64_t> tell() const override;
  Status close() override;
  bool closed() const override { return buffer_ == nullptr; }

  /// Closes the stream and returns what was written (no copy).
  /// Errors: IOError when already closed; OutOfMemory.
  Result<std::shared_ptr<Buffer>> finish();
  /// pyarrow's name for finish().
  /// The errors of finish().
  Result<std::shared_ptr<Buffer>> getvalue() { return finish(); }
  /// Starts over with a fresh buffer.
  /// The errors of create().
  Status reset(std::int64_t initial_capacity = 4096);

 private:
  explicit BufferOutputStream(MemoryPool* pool) : pool_(pool) {}
  MemoryPool* pool_;
  std::shared_ptr<ResizableBuffer> buffer_;
  std::int64_t position_ = 0;
};

/// Writes into a fixed, caller-provided mutable buffer; refuses to write past its end.
class FixedSizeBufferWriter : public OutputStream {
 public:
  explicit FixedSizeBufferWriter(std::shared_ptr<MutableBuffer> buffer)
      : data_(buffer->mutable_data()), size_(buffer->size()), buffer_(std::move(buffer)) {}
  /// Over `size` bytes of memory the caller owns (a mapping, say); it must outlive the writer.
  FixedSizeBufferWriter(std::uint8_t* data, std::int64_t size) : data_(data), size_(size) {}
  Status write(const void* data, std::int64_t nbytes) override;
  using OutputStream::write;
  Result<std::int64_t> tell() const override { return position_; }
  Status close() override {
    closed_ = true;
    return Status::OK();
  }
  bool closed() const override { return closed_; }

 private:
  std::uint8_t* data_;
  std::int64_t size_;
  std::shared_ptr<MutableBuffer> buffer_;  // keeps owned memory alive (null for caller memory)
  std::int64_t position_ = 0;
  bool closed_ = false;
};

/// Counts the bytes written and discards them (Arrow's MockOutputStream): sizes an output
/// before it is written for real.
class MockOutputStream : public OutputStream {
 public:
  Status write(const void* data, std::int64_t nbytes) override;
  using OutputStream::write;
  Status write(const std::shared_ptr<Buffer>& data) override { return write(nullptr, data->size()); }
  Result<std::int64_t> tell() const override { return position_; }
  Status close() override {
    closed_ = true;
    return Status::OK();
  }
  bool closed() const override { return closed_; }

 private:
  std::int64_t position_ = 0;
  bool closed_ = false;
};

/// Reads from a Buffer (pyarrow's BufferReader). Every read is a zero-copy slice.
class BufferReader : public RandomAccessFile {
 public:
  explicit BufferReader(std::shared_ptr<Buffer> buffer) : buffer_(std::move(buffer)) {}
  /// Reads from caller-owned bytes (must outlive every buffer read).
  static std::shared_ptr<BufferReader> from_bytes(const void* data, std::int64_t size) {
    return std::make_shared<BufferReader>(Buffer::wrap(data, size));
  }

  Result<std::int64_t> read(std::int64_t nbytes, void* out) override;
  Result<std::shared_ptr<Buffer>> read(std::int64_t nbytes) override;
  Result<std::shared_ptr<Buffer>> read_at(std::int64_t position, std::int64_t nbytes) override;
  using RandomAccessFile::read_at;
  Result<std::int64_t> get_size() override { return buffer_->size(); }
  Status seek(std::int64_t position) override;
  Result<std::int64_t> tell() const override { return position_; }
  Status close() override {
    closed_ = true;
    return Status::OK();
  }
  bool closed() const override { return closed_; }
  bool supports_zero_copy() const override { return true; }
  const std::shared_ptr<Buffer>& buffer() const { return buffer_; }

 private:
  std::shared_ptr<Buffer> buffer_;
  std::int64_t position_ = 0;
  bool closed_ = false;
};

/// How to open a file.
enum class FileMode { kRead, kWrite, kReadWrite };

/// Writes to a file of the operating system (pyarrow's OSFile in 'wb'/'ab' mode).
class FileOutputStream : public OutputStream {
 public:
  /// Creates or truncates `path` (or appends to it when `append`).
  /// Errors: IOError naming the path and the system's reason (errno text) when it cannot be opened.
  static Result<std::shared_ptr<FileOutputStream>> open(const std::string& path, bool append = false);
  ~FileOutputStream() override;
  Status write(const void* data, std::int64_t nbytes) override;
  using OutputStream::write;
  Result<std::int64_t> tell() const override { return position_; }
  Status close() override;
  bool closed() const override { return fd_ < 0; }
  int fd() const { return fd_; }

 private:
  FileOutputStream(int fd, std::string path, std::int64_t position)
      : fd_(fd), path_(std::move(path)), position_(position) {}
  int fd_;
  std::string path_;
  std::int64_t position_;
};

/// Reads a file of the operating system (pyarrow's OSFile in 'rb' mode).
/// Reads copy into pool memory; read_at uses pread and is thread-safe.
class ReadableFile : public RandomAccessFile {
 public:
  /// Errors: IOError naming the path and the reason when it cannot be opened or is a directory.
  static Result<std::shared_ptr<ReadableFile>> open(const std::string& path, MemoryPool* pool = default_memory_pool());
  ~ReadableFile() override;
  Result<std::int64_t> read(std::int64_t nbytes, void* out) override;
  Result<std::shared_ptr<Buffer>> read(std::int64_t nbytes) override;
  Result<std::shared_ptr<Buffer>> read_at(std::int64_t position, std::int64_t nbytes) override;
  Result<std::int64_t> read_at(std::int64_t position, std::int64_t nbytes, void* out) override;
  Result<std::int64_t> get_size() override;
  Status seek(std::int64_t position) override;
  Result<std::int64_t> tell() const override { return position_; }
  Status close() override;
  bool closed() const override { return fd_ < 0; }

 private:
  ReadableFile(int fd, std::string path, MemoryPool* pool) : fd_(fd), path_(std::move(path)), pool_(pool) {}
  int fd_;
  std::string path_;
  MemoryPool* pool_;
  std::int64_t position_ = 0;
};

/// A file mapped into memory (pyarrow's memory_map). Reads are zero-copy slices of the
/// mapping, which stays mapped until the file and every slice of it are gone.
///
/// Trust: a process that truncates the file while it is mapped makes every reader of the
/// truncated part fault (SIGBUS, which kills the process): map only files that nobody else
/// writes; read the others with ReadableFile or read_file(), whose bytes cannot change.
/// In kReadWrite mode the mapping can also be written (without growing the file).
class MemoryMappedFile : public RandomAccessFile, public OutputStream {
 public:
  /// Errors: Invalid for a write-only mode; IOError naming the path and the reason when it cannot
  /// be opened, is a directory, or mmap fails.
  static Result<std::shared_ptr<MemoryMappedFile>> open(const std::string& path, FileMode mode = FileMode::kRead);
  /// Creates (or truncates) `path` with `size` bytes and maps it read-write.
  /// Errors: Invalid for a negative size; IOError naming the path and the reason when it cannot be
  /// created, resized or mapped.
  static Result<std::shared_ptr<MemoryMappedFile>> create(const std::string& path, std::int64_t size);
  ~MemoryMappedFile() override;

  Result<std::int64_t> read(std::int64_t nbytes, void* out) override;
  Result<std::shared_ptr<Buffer>> read(std::int64_t nbytes) override;
  Result<std::shared_ptr<Buffer>> read_at(std::int64_t position, std::int64_t nbytes) override;
  using RandomAccessFile::read_at;
  Result<std::int64_t> get_size() override;
  Status seek(std::int64_t position) override;
  Result<std::int64_t> tell() const override { return position_; }
  Status close() override;
  bool closed() const override { return closed_; }
  bool supports_zero_copy() const override { return true; }

  Status write(const void* data, std::int64_t nbytes) override;
  using OutputStream::write;
  /// The whole mapping as a Buffer.
  const std::shared_ptr<Buffer>& buffer() const { return region_; }

 private:
  MemoryMappedFile() = default;
  std::shared_ptr<Buffer> region_;
  std::uint8_t* writable_ = nullptr;
  std::int64_t position_ = 0;
  bool closed_ = false;
};

/// Reads from a file descriptor that cannot seek (pipe, socket, terminal).
/// Retries on EINTR; reads copy into pool memory.
class FdInputStream : public InputStream {
 public:
  /// When `owns_fd`, close() closes the descriptor.
  FdInputStream(int fd, bool owns_fd, MemoryPool* pool = default_memory_pool())
      : fd_(fd), owns_fd_(owns_fd), pool_(pool) {}
  ~FdInputStream() override;
  Result<std::int64_t> read(std::int64_t nbytes, void* out) override;
  Result<std::shared_ptr<Buffer>> read(std::int64_t nbytes) override;
  Result<std::int64_t> tell() const override { return position_; }
  Status close() override;
  bool closed() const override { return fd_ < 0; }

 private:
  int fd_;
  bool owns_fd_;
  MemoryPool* pool_;
  std::int64_t position_ = 0;
};

/// Writes to a file descriptor (pipe, socket); retries on EINTR and short writes.
class FdOutputStream : public OutputStream {
 public:
  FdOutputStream(int fd, bool owns_fd) : fd_(fd), owns_fd_(owns_fd) {}
  ~FdOutputStream() override;
  Status write(const void* data, std::int64_t nbytes) override;
  using OutputStream::write;
  Result<std::int64_t> tell() const override { return position_; }
  Status close() override;
  bool closed() const override { return fd_ < 0; }

 private:
  int fd_;
  bool owns_fd_;
  std::int64_t position_ = 0;
};

/// Reads exactly `nbytes` (fewer only at end of stream). On a source that copies, memory
/// grows with the bytes that really arrive, so a lying length cannot force a huge allocation.
/// Errors: Invalid for a negative length; the stream's IOError; OutOfMemory.
Result<std::shared_ptr<Buffer>> read_fully(InputStream* stream, std::int64_t nbytes,
                                           MemoryPool* pool = default_memory_pool());

/// Reads a whole file into memory (pool).
/// Errors: the IOError of ReadableFile::open() or of the read; OutOfMemory.
Result<std::shared_ptr<Buffer>> read_file(const std::string& path, MemoryPool* pool = default_memory_pool());

}  // namespace arrowpack::io

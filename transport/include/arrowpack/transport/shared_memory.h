// Serialized objects (or any bytes, such as an IPC stream or file) in shared memory, for
// processes on the same machine: the writer fills a region and seals it; a reader maps it and
// deserializes with no copy at all -- every tensor of the result points into the mapping.
//
// Like Plasma's create / seal / get: a region becomes visible only when it is complete, so a
// writer that crashes half-way leaves nothing behind. It is handed over either as a file
// descriptor sent over a Unix socket (SCM_RIGHTS; a sealed memfd that nobody can change any
// more), or by name (a file in /dev/shm that appears atomically when sealed). Memory is
// released when the last descriptor and the last mapping are gone (and, for a named region,
// once remove_region() unlinked its name).
//
// The trust model: a reader that does not trust its writer takes sealed memfds (mapped, no
// copy) or copies of named regions (the default of receive(name)); see NamedRegion.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/status.h"
#include "arrowpack/registry/serialize.h"

namespace arrowpack::transport {

/// A sealed region: its descriptor (owned: closed on destruction) and size; `name` is set for
/// a region published in /dev/shm.
class SharedRegion {
 public:
  SharedRegion() = default;
  SharedRegion(int fd, std::int64_t size, std::string name) : fd_(fd), size_(size), name_(std::move(name)) {}
  SharedRegion(SharedRegion&& other) noexcept { *this = std::move(other); }
  SharedRegion& operator=(SharedRegion&& other) noexcept;
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;
  ~SharedRegion();

  int fd() const { return fd_; }
  std::int64_t size() const { return size_; }
  const std::string& name() const { return name_; }
  /// Gives up the descriptor (the caller closes it).
  int release();

 private:
  int fd_ = -1;
  std::int64_t size_ = 0;
  std::string name_;
};

/// A region being written: a writable mapping of `size` bytes, not yet visible to anyone.
class SharedMemoryWriter {
 public:
  /// A memfd, to seal() and hand over as a descriptor; or, with `named`, an unnamed file in
  /// /dev/shm, to publish with seal_as(). IOError when the file cannot be made, sized or
  /// mapped.
  static Result<std::unique_ptr<SharedMemoryWriter>> create(std::int64_t size, bool named = false);
  ~SharedMemoryWriter();
  std::uint8_t* data() { return data_; }
  std::int64_t size() const { return size_; }
  /// A sink over the mapping (refuses to write past its end).
  io::OutputStream* sink() { return sink_.get(); }
  /// Unmaps the writable view and seals the memfd (no write, grow, shrink or further
  /// sealing); returns its descriptor, to send with send_fd(). Invalid when already sealed;
  /// IOError when unmapping or sealing fails.
  Result<SharedRegion> seal();
  /// Unmaps the writable view and publishes the region under /dev/shm/`name` (fails if the
  /// name exists). Until then the name does not exist: nobody sees a partial object. Invalid
  /// for a name that is not a plain file name or a writer made without `named`; IOError.
  Result<SharedRegion> seal_as(const std::string& name);

 private:
  SharedMemoryWriter() = default;
  Status unmap();
  int fd_ = -1;
  bool memfd_ = true;
  std::uint8_t* data_ = nullptr;
  std::int64_t size_ = 0;
  std::unique_ptr<io::OutputStream> sink_;
};

/// Sends `object`: its write_to() form in a new sealed memfd (one copy of the data, into
/// shared memory), to hand over with send_fd(). Errors: those of total_bytes() and write_to();
/// IOError when the region cannot be made.
Result<SharedRegion> send(const SerializedObject& object);
/// ... published under /dev/shm/`name` instead (IOError when the name exists).
Result<SharedRegion> send(const SerializedObject& object, const std::string& name);

/// Receives a region: maps it read-only, with no copy. Its descriptor must be a sealed memfd
/// (Invalid otherwise): nobody can write, grow or shrink it any more, so the mapping is safe to
/// read whoever wrote it. The buffer keeps the mapping alive; the region may be destroyed.
/// IOError when mapping fails.
Result<std::shared_ptr<Buffer>> receive(const SharedRegion& region);
/// How a reader takes a region published by name. Unlike a sealed memfd, a named region can
/// still be truncated by its writer, and touching a mapping of a truncated file kills the
/// reader with SIGBUS: only a reader that trusts the writer may map it.
enum class NamedRegion : std::int8_t {
  kCopy,               ///< read into memory from the pool (one copy): safe whatever the writer does
  kMapTrustingWriter,  ///< mapped read-only, no copy; the writer must never truncate it
};
/// The region published as `name`: a copy (the default), or a read-only mapping when its
/// writer is trusted. KeyError when no such name exists, Invalid for a name that is not a
/// plain file name, IOError when reading fails or the region shrinks while it is copied.
Result<std::shared_ptr<Buffer>> receive(const std::string& name, NamedRegion how = NamedRegion::kCopy,
                                        MemoryPool* pool = default_memory_pool());
/// Unlinks a published name (mappings stay valid until they are dropped). KeyError when the
/// name does not exist.
Status remove_region(const std::string& name);

/// Sends `fd` (a region's, or any descriptor) over the Unix socket `socket` (SCM_RIGHTS),
/// with one byte of data; the sender keeps its own descriptor. IOError on failure.
Status send_fd(int socket, int fd);
/// Receives a descriptor sent by send_fd(), as a SharedRegion that owns it (its size from
/// fstat), to pass to receive(). IOError when the socket fails or closes; Invalid for a message
/// with no descriptor or more than one (every descriptor that arrived is closed).
Result<SharedRegion> receive_fd(int socket);

}  // namespace arrowpack::transport

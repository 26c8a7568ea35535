#include "arrowpack/core/io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "arrowpack/core/util.h"

namespace arrowpack::io {
namespace {

Status errno_status(const char* what, const std::string& path) {
  return Status::IOError(what, " '", path, "': ", util::errno_text(errno));
}

Status closed_error() { return Status::IOError("operation on a closed stream"); }

// Owns a mapping; slices of it keep it alive through their parent pointer.
class MappedRegion : public Buffer {
 public:
  MappedRegion(std::uint8_t* data, std::int64_t size) : Buffer(data, size) {}
  ~MappedRegion() override {
    if (size_ > 0) munmap(const_cast<std::uint8_t*>(data_), static_cast<std::size_t>(size_));
  }
};

Result<std::int64_t> read_fd(int fd, std::int64_t nbytes, void* out) {
  auto* p = static_cast<std::uint8_t*>(out);
  std::int64_t total = 0;
  while (total < nbytes) {
    const ssize_t n = ::read(fd, p + total, static_cast<std::size_t>(nbytes - total));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("read failed: ", util::errno_text(errno));
    }
    if (n == 0) break;
    total += n;
  }
  return total;
}

Status write_fd(int fd, const void* data, std::int64_t nbytes) {
  auto* p = static_cast<const std::uint8_t*>(data);
  while (nbytes > 0) {
    const ssize_t n = ::write(fd, p, static_cast<std::size_t>(nbytes));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write failed: ", util::errno_text(errno));
    }
    p += n;
    nbytes -= n;
  }
  return Status::OK();
}

Status check_read_args(std::int64_t position, std::int64_t nbytes) {
  if (position < 0) return Status::Invalid("negative read position ", position);
  if (nbytes < 0) return Status::Invalid("negative read length ", nbytes);
  return Status::OK();
}

}  // namespace

Status InputStream::advance(std::int64_t nbytes) {
  std::uint8_t scratch[4096];
  while (nbytes > 0) {
    ARROWPACK_ASSIGN_OR_RAISE(auto n, read(std::min<std::int64_t>(nbytes, sizeof(scratch)), scratch));
    if (n == 0) break;
    nbytes -= n;
  }
  return Status::OK();
}

Result<std::int64_t> RandomAccessFile::read_at(std::int64_t position, std::int64_t nbytes, void* out) {
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, read_at(position, nbytes));
  if (buf->size() > 0) std::memcpy(out, buf->data(), static_cast<std::size_t>(buf->size()));
  return buf->size();
}

// ---------------------------------------------------------------- BufferOutputStream

Result<std::shared_ptr<BufferOutputStream>> BufferOutputStream::create(std::int64_t initial_capacity,
                                                                       MemoryPool* pool) {
  std::shared_ptr<BufferOutputStream> out(new BufferOutputStream(pool));
  ARROWPACK_RETURN_NOT_OK(out->reset(initial_capacity));
  return out;
}

Status BufferOutputStream::reset(std::int64_t initial_capacity) {
  ARROWPACK_ASSIGN_OR_RAISE(buffer_, allocate_resizable_buffer(0, pool_));
  ARROWPACK_RETURN_NOT_OK(buffer_->reserve(initial_capacity));
  position_ = 0;
  return Status::OK();
}

Status BufferOutputStream::write(const void* data, std::int64_t nbytes) {
  if (!buffer_) return closed_error();
  if (nbytes < 0) return Status::Invalid("negative write length ", nbytes);
  if (nbytes == 0) return Status::OK();
  ARROWPACK_RETURN_NOT_OK(buffer_->resize(position_ + nbytes));
  std::memcpy(buffer_->mutable_data() + position_, data, static_cast<std::size_t>(nbytes));
  position_ += nbytes;
  return Status::OK();
}

Result<std::int64_t> BufferOutputStream::tell() const {
  if (!buffer_) return closed_error();
  return position_;
}

Status BufferOutputStream::close() {
  buffer_.reset();
  return Status::OK();
}

Result<std::shared_ptr<Buffer>> BufferOutputStream::finish() {
  if (!buffer_) return closed_error();
  ARROWPACK_RETURN_NOT_OK(buffer_->resize(position_));
  buffer_->zero_padding();
  std::shared_ptr<Buffer> out = std::move(buffer_);
  buffer_.reset();
  return out;
}

Status FixedSizeBufferWriter::write(const void* data, std::int64_t nbytes) {
  if (closed_) return closed_error();
  if (nbytes < 0 || nbytes > size_ - position_) {
    return Status::CapacityError("write of ", nbytes, " bytes at ", position_, " exceeds the fixed buffer of ", size_,
                                 " bytes");
  }
  if (nbytes > 0) std::memcpy(data_ + position_, data, nbytes);
  position_ += nbytes;
  return Status::OK();
}

// ---------------------------------------------------------------- MockOutputStream

Status MockOutputStream::write(const void*, std::int64_t nbytes) {
  if (closed_) return closed_error();
  if (nbytes < 0) return Status::Invalid("write of ", nbytes, " bytes");
  position_ += nbytes;
  return Status::OK();
}

// ---------------------------------------------------------------- BufferReader

Result<std::int64_t> BufferReader::read(std::int64_t nbytes, void* out) {
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, read(nbytes));
  if (buf->size() > 0) std::memcpy(out, buf->data(), static_cast<std::size_t>(buf->size()));
  return buf->size();
}

Result<std::shared_ptr<Buffer>> BufferReader::read(std::int64_t nbytes) {
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, read_at(position_, nbytes));
  position_ += buf->size();
  return buf;
}

Result<std::shared_ptr<Buffer>> BufferReader::read_at(std::int64_t position, std::int64_t nbytes) {
  if (closed_) return closed_error();
  ARROWPACK_RETURN_NOT_OK(check_read_args(position, nbytes));
  const std::int64_t size = buffer_->size();
  if (position > size) return Status::IOError("read position ", position, " beyond the end (", size, ")");
  return buffer_->slice(position, std::min(nbytes, size - position));
}

Status BufferReader::seek(std::int64_t position) {
  if (closed_) return closed_error();
  if (position < 0 || position > buffer_->size()) {
    return Status::IOError("seek to ", position, " outside a buffer of ", buffer_->size(), " bytes");
  }
  position_ = position;
  return Status::OK();
}

// ---------------------------------------------------------------- FileOutputStream

Result<std::shared_ptr<FileOutputStream>> FileOutputStream::open(const std::string& path, bool append) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return errno_status("cannot open for writing", path);
  std::int64_t position = 0;
  if (append) {
    struct stat st {};
    if (fstat(fd, &st) == 0) position = st.st_size;
  }
  return std::shared_ptr<FileOutputStream>(new FileOutputStream(fd, path, position));
}

FileOutputStream::~FileOutputStream() { (void)close(); }

Status FileOutputStream::write(const void* data, std::int64_t nbytes) {
  if (fd_ < 0) return closed_error();
  if (nbytes < 0) return Status::Invalid("negative write length ", nbytes);
  ARROWPACK_RETURN_NOT_OK(write_fd(fd_, data, nbytes).with_context(path_));
  position_ += nbytes;
  return Status::OK();
}

Status FileOutputStream::close() {
  if (fd_ < 0) return Status::OK();
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return errno_status("close failed", path_);
  return Status::OK();
}

// ---------------------------------------------------------------- ReadableFile

Result<std::shared_ptr<ReadableFile>> ReadableFile::open(const std::string& path, MemoryPool* pool) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open for reading", path);
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::IOError("cannot open for reading '", path, "': is a directory");
  }
  return std::shared_ptr<ReadableFile>(new ReadableFile(fd, path, pool));
}

ReadableFile::~ReadableFile() { (void)close(); }

Result<std::int64_t> ReadableFile::read_at(std::int64_t position, std::int64_t nbytes, void* out) {
  if (fd_ < 0) return closed_error();
  ARROWPACK_RETURN_NOT_OK(check_read_args(position, nbytes));
  auto* p = static_cast<std::uint8_t*>(out);
  std::int64_t total = 0;
  while (total < nbytes) {
    const ssize_t n =
        ::pread(fd_, p + total, static_cast<std::size_t>(nbytes - total), static_cast<off_t>(position + total));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("read failed", path_);
    }
    if (n == 0) break;
    total += n;
  }
  return total;
}

Result<std::shared_ptr<Buffer>> ReadableFile::read_at(std::int64_t position, std::int64_t nbytes) {
  ARROWPACK_RETURN_NOT_OK(check_read_args(position, nbytes));
  ARROWPACK_ASSIGN_OR_RAISE(auto size, get_size());
  // Never allocate more than the file can deliver.
  nbytes = std::min(nbytes, std::max<std::int64_t>(0, size - position));
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, allocate_buffer(nbytes, pool_));
  ARROWPACK_ASSIGN_OR_RAISE(auto n, read_at(position, nbytes, buf->mutable_data()));
  if (n < nbytes) {
    ARROWPACK_ASSIGN_OR_RAISE(auto shorter, buf->slice(0, n));
    return shorter;
  }
  buf->zero_padding();
  return std::shared_ptr<Buffer>(std::move(buf));
}

Result<std::int64_t> ReadableFile::read(std::int64_t nbytes, void* out) {
  ARROWPACK_ASSIGN_OR_RAISE(auto n, read_at(position_, nbytes, out));
  position_ += n;
  return n;
}

Result<std::shared_ptr<Buffer>> ReadableFile::read(std::int64_t nbytes) {
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, read_at(position_, nbytes));
  position_ += buf->size();
  return buf;
}

Result<std::int64_t> ReadableFile::get_size() {
  if (fd_ < 0) return closed_error();
  struct stat st {};
  if (fstat(fd_, &st) != 0) return errno_status("stat failed", path_);
  return static_cast<std::int64_t>(st.st_size);
}

Status ReadableFile::seek(std::int64_t position) {
  if (fd_ < 0) return closed_error();
  if (position < 0) return Status::IOError("seek to negative position ", position);
  position_ = position;
  return Status::OK();
}

Status ReadableFile::close() {
  if (fd_ < 0) return Status::OK();
  ::close(fd_);
  fd_ = -1;
  return Status::OK();
}

// ---------------------------------------------------------------- MemoryMappedFile

Result<std::shared_ptr<MemoryMappedFile>> MemoryMappedFile::open(const std::string& path, FileMode mode) {
  if (mode == FileMode::kWrite) {
    return Status::Invalid("memory maps are opened for reading or read-write, not write-only");
  }
  const bool writable = mode == FileMode::kReadWrite;
  const int fd = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open for mapping", path);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    Status s = errno_status("stat failed", path);
    ::close(fd);
    return s;
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::IOError("cannot map '", path, "': is a directory");
  }
  std::shared_ptr<MemoryMappedFile> file(new MemoryMappedFile());
  const auto size = static_cast<std::int64_t>(st.st_size);
  std::uint8_t* data = nullptr;
  if (size > 0) {
    void* p = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      Status s = errno_status("mmap failed", path);
      ::close(fd);
      return s;
    }
    data = static_cast<std::uint8_t*>(p);
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  static std::uint8_t empty_area[1];
  file->region_ = std::make_shared<MappedRegion>(size > 0 ? data : empty_area, size);
  if (writable) file->writable_ = size > 0 ? data : empty_area;
  return file;
}

Result<std::shared_ptr<MemoryMappedFile>> MemoryMappedFile::create(const std::string& path, std::int64_t size) {
  if (size < 0) return Status::Invalid("negative memory map size ", size);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot create", path);
  const int rc = ftruncate(fd, static_cast<off_t>(size));
  const int saved = errno;
  ::close(fd);
  if (rc != 0) {
    errno = saved;
    return errno_status("cannot resize", path);
  }
  return open(path, FileMode::kReadWrite);
}

MemoryMappedFile::~MemoryMappedFile() = default;

Result<std::shared_ptr<Buffer>> MemoryMappedFile::read_at(std::int64_t position, std::int64_t nbytes) {
  if (closed_) return closed_error();
  ARROWPACK_RETURN_NOT_OK(check_read_args(position, nbytes));
  const std::int64_t size = region_->size();
  if (position > size) return Status::IOError("read position ", position, " beyond the end (", size, ")");
  return region_->slice(position, std::min(nbytes, size - position));
}

Result<std::shared_ptr<Buffer>> MemoryMappedFile::read(std::int64_t nbytes) {
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, read_at(position_, nbytes));
  position_ += buf->size();
  return buf;
}

Result<std::int64_t> MemoryMappedFile::read(std::int64_t nbytes, void* out) {
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, read(nbytes));
  if (buf->size() > 0) std::memcpy(out, buf->data(), static_cast<std::size_t>(buf->size()));
  return buf->size();
}

Result<std::int64_t> MemoryMappedFile::get_size() {
  if (closed_) return closed_error();
  return region_->size();
}

Status MemoryMappedFile::seek(std::int64_t position) {
  if (closed_) return closed_error();
  if (position < 0 || position > region_->size()) {
    return Status::IOError("seek to ", position, " outside a mapping of ", region_->size(), " bytes");
  }
  position_ = position;
  return Status::OK();
}

Status MemoryMappedFile::write(const void* data, std::int64_t nbytes) {
  if (closed_) return closed_error();
  if (writable_ == nullptr) return Status::IOError("memory map was opened read-only");
  if (nbytes < 0 || nbytes > region_->size() - position_) {
    return Status::CapacityError("write of ", nbytes, " bytes at ", position_, " exceeds the mapping of ",
                                 region_->size(), " bytes");
  }
  if (nbytes > 0) std::memcpy(writable_ + position_, data, static_cast<std::size_t>(nbytes));
  position_ += nbytes;
  return Status::OK();
}

Status MemoryMappedFile::close() {
  // Slices already handed out keep the mapping alive; the file itself lets go.
  closed_ = true;
  region_ = std::make_shared<Buffer>(nullptr, 0);
  writable_ = nullptr;
  return Status::OK();
}

// ---------------------------------------------------------------- descriptors

FdInputStream::~FdInputStream() { (void)close(); }

Result<std::int64_t> FdInputStream::read(std::int64_t nbytes, void* out) {
  if (fd_ < 0) return closed_error();
  if (nbytes < 0) return Status::Invalid("negative read length ", nbytes);
  ARROWPACK_ASSIGN_OR_RAISE(auto n, read_fd(fd_, nbytes, out));
  position_ += n;
  return n;
}

Result<std::shared_ptr<Buffer>> FdInputStream::read(std::int64_t nbytes) { return read_fully(this, nbytes, pool_); }

Status FdInputStream::close() {
  if (fd_ < 0) return Status::OK();
  if (owns_fd_) ::close(fd_);
  fd_ = -1;
  return Status::OK();
}

FdOutputStream::~FdOutputStream() { (void)close(); }

Status FdOutputStream::write(const void* data, std::int64_t nbytes) {
  if (fd_ < 0) return closed_error();
  if (nbytes < 0) return Status::Invalid("negative write length ", nbytes);
  ARROWPACK_RETURN_NOT_OK(write_fd(fd_, data, nbytes));
  position_ += nbytes;
  return Status::OK();
}

Status FdOutputStream::close() {
  if (fd_ < 0) return Status::OK();
  const int rc = owns_fd_ ? ::close(fd_) : 0;
  fd_ = -1;
  if (rc != 0) return Status::IOError("close failed: ", util::errno_text(errno));
  return Status::OK();
}

// ---------------------------------------------------------------- helpers

Result<std::shared_ptr<Buffer>> read_fully(InputStream* stream, std::int64_t nbytes, MemoryPool* pool) {
  if (nbytes < 0) return Status::Invalid("negative read length ", nbytes);
  if (stream->supports_zero_copy()) return stream->read(nbytes);
  // Grow in steps so the memory committed tracks the bytes that actually arrived.
  constexpr std::int64_t kFirstChunk = std::int64_t{1} << 20;
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, allocate_resizable_buffer(std::min(nbytes, kFirstChunk), pool));
  std::int64_t have = 0;
  while (have < nbytes) {
    if (have == buf->size()) {
      ARROWPACK_RETURN_NOT_OK(buf->resize(std::min(nbytes, std::max(have * 2, kFirstChunk))));
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto n, stream->read(buf->size() - have, buf->mutable_data() + have));
    if (n == 0) break;
    have += n;
  }
  ARROWPACK_RETURN_NOT_OK(buf->resize(have));
  buf->zero_padding();
  return std::shared_ptr<Buffer>(std::move(buf));
}

Result<std::shared_ptr<Buffer>> read_file(const std::string& path, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto file, ReadableFile::open(path, pool));
  ARROWPACK_ASSIGN_OR_RAISE(auto size, file->get_size());
  return file->read_at(0, size);
}

}  // namespace arrowpack::io

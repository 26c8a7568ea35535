#include "arrowpack/transport/shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "arrowpack/core/util.h"

namespace arrowpack::transport {
namespace {

constexpr unsigned kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

// A read-only mapping; unmapped when the last buffer (or slice) that holds it goes away.
class MappedBuffer : public Buffer {
 public:
  MappedBuffer(void* addr, std::int64_t size)
      : Buffer(static_cast<const std::uint8_t*>(addr), size), addr_(addr), length_(static_cast<std::size_t>(size)) {}
  ~MappedBuffer() override {
    if (addr_ != nullptr) munmap(addr_, length_);
  }

 private:
  void* addr_;
  std::size_t length_;
};

std::string shm_path(const std::string& name) {
  return "/dev/shm/" + (name.empty() || name[0] != '/' ? name : name.substr(1));
}

Status check_name(const std::string& name) {
  const std::string bare = !name.empty() && name[0] == '/' ? name.substr(1) : name;
  if (bare.empty() || bare.find('/') != std::string::npos || bare == "." || bare == "..") {
    return Status::Invalid("shared-memory name '", name, "' must be one path component");
  }
  return Status::OK();
}

Result<std::shared_ptr<Buffer>> map_fd(int fd, std::int64_t size) {
  if (size == 0) return std::make_shared<Buffer>(nullptr, 0);
  void* addr = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) return Status::IOError("cannot map the shared-memory region: ", util::errno_text(errno));
  return std::shared_ptr<Buffer>(std::make_shared<MappedBuffer>(addr, size));
}

}  // namespace

SharedRegion& SharedRegion::operator=(SharedRegion&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
    size_ = other.size_;
    name_ = std::move(other.name_);
  }
  return *this;
}

SharedRegion::~SharedRegion() {
  if (fd_ >= 0) ::close(fd_);
}

int SharedRegion::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

Result<std::unique_ptr<SharedMemoryWriter>> SharedMemoryWriter::create(std::int64_t size, bool named) {
  if (size < 0) return Status::Invalid("negative region size ", size);
  std::unique_ptr<SharedMemoryWriter> w(new SharedMemoryWriter());
  w->memfd_ = !named;
  // Either way the file has no name yet: a crash before sealing leaves nothing behind.
  w->fd_ = named ? ::open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644)
                 : memfd_create("arrowpack", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (w->fd_ < 0) return Status::IOError("cannot create a shared-memory file: ", util::errno_text(errno));
  if (ftruncate(w->fd_, size) != 0)
    return Status::IOError("cannot size the region to ", size, " bytes: ", util::errno_text(errno));
  w->size_ = size;
  if (size > 0) {
    void* addr = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, w->fd_, 0);
    if (addr == MAP_FAILED) return Status::IOError("cannot map the region for writing: ", util::errno_text(errno));
    w->data_ = static_cast<std::uint8_t*>(addr);
  }
  w->sink_ = std::make_unique<io::FixedSizeBufferWriter>(w->data_, size);
  return w;
}

SharedMemoryWriter::~SharedMemoryWriter() {
  (void)unmap();
  if (fd_ >= 0) ::close(fd_);  // never sealed: the memory goes away with the last descriptor
}

Status SharedMemoryWriter::unmap() {
  if (sink_) (void)sink_->close();
  if (data_ != nullptr && munmap(data_, static_cast<std::size_t>(size_)) != 0) {
    return Status::IOError("munmap failed: ", util::errno_text(errno));
  }
  data_ = nullptr;
  return Status::OK();
}

Result<SharedRegion> SharedMemoryWriter::seal() {
  if (fd_ < 0) return Status::Invalid("region already sealed");
  if (!memfd_) return Status::Invalid("a region created to be named is published with seal_as()");
  // F_SEAL_WRITE needs every writable mapping gone first.
  ARROWPACK_RETURN_NOT_OK(unmap());
  if (fcntl(fd_, F_ADD_SEALS, kSeals) != 0) return Status::IOError("cannot seal the region: ", util::errno_text(errno));
  SharedRegion out(fd_, size_, "");
  fd_ = -1;
  return out;
}

Result<SharedRegion> SharedMemoryWriter::seal_as(const std::string& name) {
  if (fd_ < 0) return Status::Invalid("region already sealed");
  ARROWPACK_RETURN_NOT_OK(check_name(name));
  if (memfd_) return Status::Invalid("a memfd region is handed over with seal() and send_fd()");
  ARROWPACK_RETURN_NOT_OK(unmap());
  // The file gets its name in one step, once complete. linkat through /proc/self/fd needs no
  // privilege, unlike AT_EMPTY_PATH.
  const std::string proc = "/proc/self/fd/" + std::to_string(fd_);
  if (linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, shm_path(name).c_str(), AT_SYMLINK_FOLLOW) != 0) {
    return Status::IOError("cannot publish '", name, "': ", util::errno_text(errno));
  }
  SharedRegion out(fd_, size_, name);
  fd_ = -1;
  return out;
}

Result<SharedRegion> send(const SerializedObject& object) {
  ARROWPACK_ASSIGN_OR_RAISE(auto size, object.total_bytes());
  ARROWPACK_ASSIGN_OR_RAISE(auto writer, SharedMemoryWriter::create(size));
  ARROWPACK_RETURN_NOT_OK(object.write_to(writer->sink()));
  return writer->seal();
}

Result<SharedRegion> send(const SerializedObject& object, const std::string& name) {
  ARROWPACK_ASSIGN_OR_RAISE(auto size, object.total_bytes());
  ARROWPACK_ASSIGN_OR_RAISE(auto writer, SharedMemoryWriter::create(size, true));
  ARROWPACK_RETURN_NOT_OK(object.write_to(writer->sink()));
  return writer->seal_as(name);
}

Result<std::shared_ptr<Buffer>> receive(const SharedRegion& region) {
  const int fd = region.fd();
  const int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0) return Status::Invalid("descriptor ", fd, " is not a sealable shared-memory region");
  if ((static_cast<unsigned>(seals) & (F_SEAL_WRITE | F_SEAL_SHRINK)) != (F_SEAL_WRITE | F_SEAL_SHRINK)) {
    return Status::Invalid("shared-memory region is not sealed: its writer could still change it");
  }
  struct stat st;
  if (fstat(fd, &st) != 0) return Status::IOError("fstat failed: ", util::errno_text(errno));
  return map_fd(fd, st.st_size);
}

Result<std::shared_ptr<Buffer>> receive(const std::string& name, NamedRegion how, MemoryPool* pool) {
  return catch_exceptions("reading a named shared-memory region", [&]() -> Result<std::shared_ptr<Buffer>> {
    ARROWPACK_RETURN_NOT_OK(check_name(name));
    const int fd = ::open(shm_path(name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::KeyError("no shared-memory region named '", name, "': ", util::errno_text(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
      ::close(fd);
      return Status::IOError("fstat failed: ", util::errno_text(errno));
    }
    if (how == NamedRegion::kMapTrustingWriter) {
      auto mapped = map_fd(fd, st.st_size);
      ::close(fd);
      return mapped;
    }
    ::close(fd);
    // A copy: what was read cannot change or vanish, whatever the writer does next.
    ARROWPACK_ASSIGN_OR_RAISE(auto file, io::ReadableFile::open(shm_path(name), pool));
    ARROWPACK_ASSIGN_OR_RAISE(auto bytes, file->read_at(0, st.st_size));
    if (bytes->size() != st.st_size) {
      return Status::IOError("shared-memory region '", name, "' shrank from ", st.st_size, " to ", bytes->size(),
                             " bytes while it was read");
    }
    return bytes;
  });
}

Status remove_region(const std::string& name) {
  ARROWPACK_RETURN_NOT_OK(check_name(name));
  if (::unlink(shm_path(name).c_str()) != 0)
    return Status::KeyError("cannot remove '", name, "': ", util::errno_text(errno));
  return Status::OK();
}

namespace {
// One byte of data and a descriptor: what send_fd() sends. receive_fd() has room for many
// more, so that every descriptor a hostile peer sends arrives and can be closed (those that
// do not fit would be installed all the same on some kernels, or cut with MSG_CTRUNC).
constexpr int kRoomForDescriptors = 64;
struct FdMessage {
  char byte = 'F';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kRoomForDescriptors)] = {};
  msghdr msg{};
  explicit FdMessage(std::size_t descriptors) {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * descriptors);
  }
  FdMessage(const FdMessage&) = delete;
  FdMessage& operator=(const FdMessage&) = delete;
};
}  // namespace

Status send_fd(int socket, int fd) {
  FdMessage m(1);
  msghdr& msg = m.msg;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  while (sendmsg(socket, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return Status::IOError("cannot send the descriptor: ", util::errno_text(errno));
  }
  return Status::OK();
}

Result<SharedRegion> receive_fd(int socket) {
  FdMessage m(kRoomForDescriptors);
  msghdr& msg = m.msg;
  ssize_t n;
  while ((n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return Status::IOError("cannot receive a descriptor: ", util::errno_text(errno));
  }
  // Every descriptor that arrived, whatever the message looks like: none may leak.
  std::vector<int> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0)) continue;
    const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.push_back(fd);
    }
  }
  const bool truncated = (msg.msg_flags & MSG_CTRUNC) != 0;
  if (n == 1 && fds.size() == 1 && !truncated) {
    struct stat st;
    if (fstat(fds[0], &st) != 0) {
      const Status error = Status::IOError("fstat of a received descriptor failed: ", util::errno_text(errno));
      ::close(fds[0]);
      return error;
    }
    return SharedRegion(fds[0], st.st_size, "");
  }
  for (int fd : fds) ::close(fd);
  if (n == 0 && fds.empty()) return Status::IOError("the peer closed the socket before sending a descriptor");
  if (fds.empty()) return Status::Invalid("the message carried no descriptor");
  return Status::Invalid("the message carried ", fds.size(), truncated ? " or more" : "",
                         " descriptors where one was expected (all closed)");
}

}  // namespace arrowpack::transport

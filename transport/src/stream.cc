#include "arrowpack/transport/stream.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "arrowpack/core/io.h"
#include "arrowpack/core/util.h"
#include "framing.h"

namespace arrowpack::transport {
namespace {

using framing::kFixedBytes;
using framing::padded;
constexpr std::uint8_t kZeros[framing::kStreamAlignment] = {};

// One scatter-gather write. Sockets take sendmsg(MSG_NOSIGNAL); anything else (a pipe) takes
// writev with SIGPIPE blocked in this thread, and a SIGPIPE it caused is consumed.
ssize_t gather_write(int fd, iovec* iov, int count, bool* is_socket) {
  if (*is_socket) {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<std::size_t>(count);
    const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n >= 0 || errno != ENOTSOCK) return n;
    *is_socket = false;
  }
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  const ssize_t n = ::writev(fd, iov, count);
  const int saved = errno;
  if (n < 0 && saved == EPIPE) {
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) == SIGPIPE) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return n;
}

}  // namespace

Result<WriteStats> send(int fd, const Components& c) {
  ARROWPACK_RETURN_NOT_OK(framing::check_sendable(c));
  std::string head = framing::encode_header(c);  // iovec takes a non-const pointer
  const auto count = static_cast<std::int64_t>(c.data.size());
  // The framing (padded), then each buffer from its own memory and its padding.
  std::vector<iovec> iov;
  iov.reserve(static_cast<std::size_t>(2 * count + 2));
  const auto head_size = static_cast<std::int64_t>(head.size());
  iov.push_back({head.data(), head.size()});
  if (padded(head_size) > head_size)
    iov.push_back({const_cast<std::uint8_t*>(kZeros), static_cast<std::size_t>(padded(head_size) - head_size)});
  for (const auto& b : c.data) {
    if (b->size() > 0) iov.push_back({const_cast<std::uint8_t*>(b->data()), static_cast<std::size_t>(b->size())});
    const std::int64_t pad = padded(b->size()) - b->size();
    if (pad > 0) iov.push_back({const_cast<std::uint8_t*>(kZeros), static_cast<std::size_t>(pad)});
  }
  WriteStats stats;
  bool is_socket = true;
  std::size_t next = 0;
  while (next < iov.size()) {
    const int batch = static_cast<int>(std::min<std::size_t>(iov.size() - next, IOV_MAX));
    const ssize_t n = gather_write(fd, iov.data() + next, batch, &is_socket);
    ++stats.system_calls;
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write to fd ", fd, " failed after ", stats.bytes, " bytes: ", util::errno_text(errno));
    }
    stats.bytes += n;
    // Skip what went out; a partial write leaves the rest of one iovec for the next call.
    auto left = static_cast<std::size_t>(n);
    while (next < iov.size() && left >= iov[next].iov_len) left -= iov[next++].iov_len;
    if (left > 0) {
      iov[next].iov_base = static_cast<std::uint8_t*>(iov[next].iov_base) + left;
      iov[next].iov_len -= left;
    }
  }
  return stats;
}

Result<std::optional<Components>> receive(int fd, const ReadOptions& options) {
  return catch_exceptions("receiving components from a descriptor", [&]() -> Result<std::optional<Components>> {
    const ReadLimits& limits = options.limits;
    io::FdInputStream in(fd, /*owns_fd=*/false, options.pool);
    auto read_exactly = [&in](std::uint8_t* out, std::int64_t n) { return in.read(n, out); };
    std::uint8_t header[kFixedBytes];
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t got, read_exactly(header, kFixedBytes));
    if (got == 0) return std::optional<Components>();
    if (got < kFixedBytes) {
      return Status::IOError("the peer closed the stream after ", got, " of the ", kFixedBytes, " header bytes");
    }
    Components c;
    std::int64_t count = 0;
    ARROWPACK_RETURN_NOT_OK(framing::decode_fixed(header, limits, &c, &count));
    // The sizes, in bounded steps: room for them grows only as they arrive.
    constexpr std::int64_t kSizesStep = 8192;
    std::vector<std::int64_t> sizes;
    while (static_cast<std::int64_t>(sizes.size()) < count) {
      const std::int64_t have = static_cast<std::int64_t>(sizes.size());
      const std::int64_t step = std::min(kSizesStep, count - have);
      sizes.resize(static_cast<std::size_t>(have + step));
      ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t n,
                                read_exactly(reinterpret_cast<std::uint8_t*>(sizes.data() + have), 8 * step));
      if (n < 8 * step) {
        return Status::IOError("the peer closed the stream inside a message header (", 8 * have + n, " of ", 8 * count,
                               " size bytes)");
      }
    }
    // Where the framing padding ends and each buffer starts; all checked before allocating.
    const std::int64_t framing_bytes = padded(framing::header_bytes(count));
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t total, framing::check_sizes(sizes, limits, framing::kStreamAlignment));
    std::vector<std::int64_t> starts;
    starts.reserve(sizes.size());
    for (std::int64_t at = 0, i = 0; i < count; ++i) {
      starts.push_back(at);
      at += padded(sizes[static_cast<std::size_t>(i)]);
    }
    // The rest of the framing padding.
    std::uint8_t skip[framing::kStreamAlignment];
    const std::int64_t pad = framing_bytes - framing::header_bytes(count);
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t got_pad, read_exactly(skip, pad));
    if (got_pad < pad) return Status::IOError("the peer closed the stream inside a message header");
    // The body, into one allocation that grows (doubling, from 1 MiB) as the bytes arrive,
    // so that a header cannot make this process commit memory its peer never sends. The
    // default pool grows large blocks by remapping their pages: no copy.
    const std::int64_t first = std::min<std::int64_t>(total, 1 << 20);
    ARROWPACK_ASSIGN_OR_RAISE(auto body, allocate_resizable_buffer(first, options.pool));
    std::int64_t have = 0;
    while (have < total) {
      if (have == body->size()) ARROWPACK_RETURN_NOT_OK(body->resize(std::min(total, 2 * have)));
      ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t n, read_exactly(body->mutable_data() + have, body->size() - have));
      have += n;
      if (have < body->size()) {
        return Status::IOError("the peer closed the stream after ", have, " of the ", total, " message bytes");
      }
    }
    ARROWPACK_RETURN_NOT_OK(body->resize(total, /*shrink_to_fit=*/true));  // the last doubling's slack
    std::shared_ptr<Buffer> whole = std::move(body);
    c.data.reserve(sizes.size());
    for (std::int64_t i = 0; i < count; ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(auto part, whole->slice(starts[i], sizes[i]));
      c.data.push_back(std::move(part));
    }
    return std::optional<Components>(std::move(c));
  });
}

}  // namespace arrowpack::transport

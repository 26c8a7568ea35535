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

#include "arrowpack/core/util.h"

namespace arrowpack::transport {
namespace {

constexpr char kMagic[8] = {'A', 'P', 'C', 'O', 'M', 'P', '0', '1'};
constexpr std::int64_t kHeaderBytes = 32;
constexpr std::int64_t kAlignment = 64;
constexpr std::uint8_t kZeros[kAlignment] = {};

std::int64_t padded(std::int64_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

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

// Reads exactly `n` bytes unless the stream ends first; returns how many arrived.
Result<std::int64_t> read_exactly(int fd, std::uint8_t* out, std::int64_t n) {
  std::int64_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, out + got, static_cast<std::size_t>(std::min<std::int64_t>(n - got, SSIZE_MAX)));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("read from fd ", fd, " failed: ", util::errno_text(errno));
    }
    if (r == 0) break;
    got += r;
  }
  return got;
}

}  // namespace

Result<WriteStats> write_components(int fd, const Components& c) {
  ReadLimits unbounded;  // a writer sends what it is given; the reader applies its limits
  unbounded.max_buffers = unbounded.max_input_bytes = std::numeric_limits<std::int64_t>::max();
  ARROWPACK_RETURN_NOT_OK(c.validate(unbounded));
  if (c.num_sparse_tensors.total() > 0) {
    // The framing's header has no room for pyarrow's sparse counts yet (issue #12 gives the
    // transports one framing); a shared-memory region carries the contiguous form, which does.
    return Status::NotImplemented("components with sparse tensors cannot be framed by this transport yet");
  }
  const std::int64_t count = static_cast<std::int64_t>(c.data.size());
  std::string head(kHeaderBytes + 8 * count, '\0');
  std::memcpy(head.data(), kMagic, 8);
  const std::int32_t counts[4] = {c.num_tensors, c.num_ndarrays, c.num_buffers, 0};
  std::memcpy(head.data() + 8, counts, 16);
  std::memcpy(head.data() + 24, &count, 8);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t size = c.data[i]->size();
    std::memcpy(head.data() + kHeaderBytes + 8 * i, &size, 8);
  }
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

Result<std::optional<Components>> read_components(int fd, const ReadOptions& options) {
  return catch_exceptions("reading components from a descriptor", [&]() -> Result<std::optional<Components>> {
    const ReadLimits& limits = options.limits;
    std::uint8_t header[kHeaderBytes];
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t got, read_exactly(fd, header, kHeaderBytes));
    if (got == 0) return std::optional<Components>();
    if (got < kHeaderBytes) {
      return Status::IOError("the peer closed the stream after ", got, " of the ", kHeaderBytes, " header bytes");
    }
    if (std::memcmp(header, kMagic, 8) != 0) return Status::Invalid("not an arrowpack components message (bad magic)");
    std::int32_t counts[4];
    std::int64_t count;
    std::memcpy(counts, header + 8, 16);
    std::memcpy(&count, header + 24, 8);
    Components c;
    c.num_tensors = counts[0];
    c.num_ndarrays = counts[1];
    c.num_buffers = counts[2];
    if (counts[0] < 0 || counts[1] < 0 || counts[2] < 0 || counts[3] != 0 || count != c.expected_size()) {
      return Status::Invalid("components message with inconsistent counts (", counts[0], " tensors, ", counts[1],
                             " ndarrays, ", counts[2], " buffers, ", count, " parts)");
    }
    if (count > limits.max_buffers) {
      return Status::CapacityError("components message of ", count,
                                   " buffers exceeds ReadLimits::max_buffers = ", limits.max_buffers);
    }
    // The sizes, in bounded steps: room for them grows only as they arrive.
    constexpr std::int64_t kSizesStep = 8192;
    std::vector<std::int64_t> sizes;
    while (static_cast<std::int64_t>(sizes.size()) < count) {
      const std::int64_t have = static_cast<std::int64_t>(sizes.size());
      const std::int64_t step = std::min(kSizesStep, count - have);
      sizes.resize(static_cast<std::size_t>(have + step));
      ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t n,
                                read_exactly(fd, reinterpret_cast<std::uint8_t*>(sizes.data() + have), 8 * step));
      if (n < 8 * step) {
        return Status::IOError("the peer closed the stream inside a message header (", 8 * have + n, " of ", 8 * count,
                               " size bytes)");
      }
    }
    // Where the framing padding ends and each buffer starts; all checked before allocating.
    const std::int64_t framing = padded(kHeaderBytes + 8 * count);
    std::int64_t total = 0;
    std::vector<std::int64_t> starts;
    starts.reserve(sizes.size());
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t size = sizes[i];
      if (size < 0 || size > limits.max_input_bytes - total) {
        return Status::Invalid("components message announces a buffer of ", size,
                               " bytes; the message may hold ReadLimits::max_input_bytes = ", limits.max_input_bytes);
      }
      starts.push_back(total);
      total += padded(size);
      if (total > limits.max_input_bytes) {
        return Status::Invalid("components message of more than ReadLimits::max_input_bytes = ", limits.max_input_bytes,
                               " bytes");
      }
    }
    // The rest of the framing padding.
    std::uint8_t skip[kAlignment];
    const std::int64_t pad = framing - (kHeaderBytes + 8 * count);
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t got_pad, read_exactly(fd, skip, pad));
    if (got_pad < pad) return Status::IOError("the peer closed the stream inside a message header");
    // The body, into one allocation that grows (doubling, from 1 MiB) as the bytes arrive,
    // so that a header cannot make this process commit memory its peer never sends. The
    // default pool grows large blocks by remapping their pages: no copy.
    const std::int64_t first = std::min<std::int64_t>(total, 1 << 20);
    ARROWPACK_ASSIGN_OR_RAISE(auto body, allocate_resizable_buffer(first, options.pool));
    std::int64_t have = 0;
    while (have < total) {
      if (have == body->size()) ARROWPACK_RETURN_NOT_OK(body->resize(std::min(total, 2 * have)));
      ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t n,
                                read_exactly(fd, body->mutable_data() + have, body->size() - have));
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

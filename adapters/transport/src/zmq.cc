#include "arrowpack/transport/zmq.h"

#include <cstring>
#include <limits>
#include <new>
#include <vector>

namespace arrowpack::transport {
namespace {

constexpr char kMagic[8] = {'A', 'P', 'Z', 'M', 'Q', '0', '0', '1'};
constexpr std::size_t kHeaderBytes = 24;  // magic, int32 tensors, ndarrays, buffers, 0

// A Buffer over a received frame's memory; owns the frame.
class FrameBuffer : public Buffer {
 public:
  explicit FrameBuffer(std::unique_ptr<zmq::message_t> frame)
      : Buffer(static_cast<const std::uint8_t*>(frame->data()), static_cast<std::int64_t>(frame->size())),
        frame_(std::move(frame)) {}

 private:
  std::unique_ptr<zmq::message_t> frame_;
};

}  // namespace

Status send_components(zmq::socket_ref socket, const Components& c) {
  ReadLimits unbounded;  // a sender sends what it is given; the receiver applies its limits
  unbounded.max_buffers = unbounded.max_input_bytes = std::numeric_limits<std::int64_t>::max();
  ARROWPACK_RETURN_NOT_OK(c.validate(unbounded));
  if (c.num_sparse_tensors.total() > 0) {
    // The framing's header has no room for pyarrow's sparse counts yet (issue #12 gives the
    // transports one framing); a shared-memory region carries the contiguous form, which does.
    return Status::NotImplemented("components with sparse tensors cannot be framed by this transport yet");
  }
  const std::int64_t count = static_cast<std::int64_t>(c.data.size());
  try {
    char header[kHeaderBytes] = {};
    std::memcpy(header, kMagic, 8);
    const std::int32_t counts[4] = {c.num_tensors, c.num_ndarrays, c.num_buffers, 0};
    std::memcpy(header + 8, counts, 16);
    socket.send(zmq::const_buffer(header, kHeaderBytes), zmq::send_flags::sndmore);
    for (std::int64_t i = 0; i < count; ++i) {
      const auto& b = c.data[i];
      // ZeroMQ keeps a reference to the buffer until the frame is sent, then drops it.
      auto hold = std::make_unique<std::shared_ptr<Buffer>>(b);
      zmq::message_t frame(
          const_cast<std::uint8_t*>(b->data()), static_cast<std::size_t>(b->size()),
          [](void*, void* hint) { delete static_cast<std::shared_ptr<Buffer>*>(hint); }, hold.get());
      (void)hold.release();  // the frame owns it now
      socket.send(frame, i + 1 < count ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  } catch (const zmq::error_t& e) {
    return Status::IOError("ZeroMQ send failed: ", e.what());
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory("out of memory while sending a ZeroMQ message");
  }
  return Status::OK();
}

Status limit_message_size(zmq::socket_ref socket, const ReadLimits& limits) {
  try {
    socket.set(zmq::sockopt::maxmsgsize, limits.max_input_bytes);
  } catch (const zmq::error_t& e) {
    return Status::IOError("ZeroMQ setsockopt(ZMQ_MAXMSGSIZE) failed: ", e.what());
  }
  return Status::OK();
}

Result<Components> receive_components(zmq::socket_ref socket, const ReadOptions& options) {
  return catch_exceptions("receiving a ZeroMQ message", [&]() -> Result<Components> {
    const std::int64_t max_frames = options.limits.max_frames;
    std::vector<std::unique_ptr<zmq::message_t>> frames;
    try {
      std::int64_t bytes = 0;
      do {
        if (static_cast<std::int64_t>(frames.size()) > max_frames) {
          // Drain the rest of the message so that the socket stays usable.
          zmq::message_t rest;
          while (socket.get(zmq::sockopt::rcvmore)) (void)socket.recv(rest);
          return Status::CapacityError("ZeroMQ message of more than ReadLimits::max_frames = ", max_frames, " frames");
        }
        auto frame = std::make_unique<zmq::message_t>();
        if (!socket.recv(*frame)) return Status::IOError("ZeroMQ receive would block");
        bytes += static_cast<std::int64_t>(frame->size());
        frames.push_back(std::move(frame));
        if (bytes > options.limits.max_input_bytes) {
          zmq::message_t rest;
          while (socket.get(zmq::sockopt::rcvmore)) (void)socket.recv(rest);
          return Status::CapacityError(
              "ZeroMQ message of more than ReadLimits::max_input_bytes = ", options.limits.max_input_bytes, " bytes");
        }
      } while (socket.get(zmq::sockopt::rcvmore));
    } catch (const zmq::error_t& e) {
      return Status::IOError("ZeroMQ receive failed: ", e.what());
    } catch (const std::bad_alloc&) {
      return Status::OutOfMemory("out of memory while receiving a ZeroMQ message");
    }
    const auto& head = *frames[0];
    if (head.size() != kHeaderBytes || std::memcmp(head.data(), kMagic, 8) != 0) {
      return Status::Invalid("not an arrowpack components message (bad header frame)");
    }
    std::int32_t counts[4];
    std::memcpy(counts, static_cast<const char*>(head.data()) + 8, 16);
    Components c;
    c.num_tensors = counts[0];
    c.num_ndarrays = counts[1];
    c.num_buffers = counts[2];
    const std::int64_t parts = static_cast<std::int64_t>(frames.size()) - 1;
    if (counts[0] < 0 || counts[1] < 0 || counts[2] < 0 || counts[3] != 0 || parts != c.expected_size()) {
      return Status::Invalid("ZeroMQ message of ", parts, " buffer frames does not match its counts (", counts[0],
                             " tensors, ", counts[1], " ndarrays, ", counts[2], " buffers)");
    }
    for (std::size_t i = 1; i < frames.size(); ++i)
      c.data.push_back(std::make_shared<FrameBuffer>(std::move(frames[i])));
    return c;
  });
}

}  // namespace arrowpack::transport

#include "arrowpack/transport/zmq.h"

#include <string>

#include <cstring>
#include <limits>
#include <new>
#include <vector>

#include "arrowpack/transport/frames.h"

namespace arrowpack::transport {
namespace {

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

Status send(zmq::socket_ref socket, const Components& c) {
  ARROWPACK_ASSIGN_OR_RAISE(auto header, header_frame(c));
  const auto count = static_cast<std::int64_t>(c.data.size());
  try {
    socket.send(zmq::const_buffer(header->data(), static_cast<std::size_t>(header->size())),
                count > 0 ? zmq::send_flags::sndmore : zmq::send_flags::none);
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

Result<Components> receive(zmq::socket_ref socket, const ReadOptions& options) {
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
    // The frames' checks (header, counts, sizes) are the framing's (frames.h).
    std::vector<std::shared_ptr<Buffer>> buffers;
    buffers.reserve(frames.size());
    for (auto& f : frames) buffers.push_back(std::make_shared<FrameBuffer>(std::move(f)));
    return from_frames(std::move(buffers), options.limits);
  });
}

}  // namespace arrowpack::transport

// The frames of one message (frames.h): the framing's header as the first frame.
#include "arrowpack/transport/frames.h"

#include "framing.h"

namespace arrowpack::transport {

Result<std::shared_ptr<Buffer>> header_frame(const Components& components) {
  ARROWPACK_RETURN_NOT_OK(framing::check_sendable(components));
  try {
    return Buffer::from_string(framing::encode_header(components));
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory("out of memory for a message header");
  }
}

Result<Components> from_frames(std::vector<std::shared_ptr<Buffer>> frames, const ReadLimits& limits) {
  if (frames.empty()) return Status::Invalid("a message of no frames");
  if (static_cast<std::int64_t>(frames.size()) > limits.max_frames + 1) {
    return Status::CapacityError("message of ", frames.size(),
                                 " frames, more than ReadLimits::max_frames = ", limits.max_frames);
  }
  std::int64_t bytes = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (!frames[i]) return Status::Invalid("frame ", i, " is null");
    bytes += frames[i]->size();
    if (bytes > limits.max_input_bytes) {
      return Status::CapacityError("message of more than ReadLimits::max_input_bytes = ", limits.max_input_bytes,
                                   " bytes");
    }
  }
  const Buffer& head = *frames[0];
  if (head.size() < framing::kFixedBytes) {
    return Status::Invalid("not an arrowpack components message (a header frame of ", head.size(), " bytes)");
  }
  Components c;
  std::int64_t count = 0;
  ARROWPACK_RETURN_NOT_OK(framing::decode_fixed(head.data(), limits, &c, &count));
  const std::int64_t parts = static_cast<std::int64_t>(frames.size()) - 1;
  if (parts != count || head.size() != framing::header_bytes(count)) {
    return Status::Invalid("message of ", parts, " buffer frames and a header of ", head.size(),
                           " bytes does not match its count of ", count, " buffers");
  }
  const std::vector<std::int64_t> sizes = framing::decode_sizes(head.data() + framing::kFixedBytes, count);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t size = sizes[static_cast<std::size_t>(i)];
    const std::int64_t got = frames[static_cast<std::size_t>(i + 1)]->size();
    if (size != got) return Status::Invalid("frame ", i + 1, " of ", got, " bytes, its header announces ", size);
  }
  c.data.assign(std::make_move_iterator(frames.begin() + 1), std::make_move_iterator(frames.end()));
  return c;
}

}  // namespace arrowpack::transport

// Serialized objects as the frames of one message, for any transport that carries messages of
// several frames: a header frame (the framing's header, unpadded; transport/README.md), then
// one frame per component buffer. The ZeroMQ transport (zmq.h) sends and receives these
// frames itself; a peer outside C++ (pyzmq, through the Python package) hands them over here.
#pragma once

#include <memory>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/status.h"
#include "arrowpack/registry/serialized_object.h"

namespace arrowpack::transport {

/// The header frame of a message carrying `components`; the frames after it are
/// components.data as they are (no copy). Invalid for components whose counts disagree with
/// their buffers; NotImplemented for sparse tensors (the header has no room for their
/// counts); OutOfMemory. Thread-safe.
Result<std::shared_ptr<Buffer>> header_frame(const Components& components);

/// The components of one received message's frames: `frames[0]` is the header, each frame
/// after it becomes one buffer as it is (no copy; the frames' owners stay alive through
/// them). Checks, in order: the number of frames against limits.max_frames, their total size
/// against limits.max_input_bytes (CapacityError), the header's magic and counts (Invalid;
/// CapacityError past limits.max_buffers), the number of frames against the header's count
/// and each frame's size against the size it announces (Invalid). The components are
/// otherwise checked by deserialize_components(). Thread-safe.
Result<Components> from_frames(std::vector<std::shared_ptr<Buffer>> frames, const ReadLimits& limits = {});

}  // namespace arrowpack::transport

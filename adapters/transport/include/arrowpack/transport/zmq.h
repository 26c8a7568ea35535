// Serialized objects over ZeroMQ: one multipart message per object -- a header frame, then
// one frame per component buffer. Sending hands ZeroMQ the caller's memory (zero-copy message
// constructors; each frame keeps its buffer alive until ZeroMQ is done with it); receiving
// turns each frame into a Buffer over the frame's memory, so deserialize_components() copies
// nothing. Built when Debian's libzmq3-dev and cppzmq-dev are installed.
#pragma once

#include <zmq.hpp>

#include "arrowpack/core/status.h"
#include "arrowpack/registry/serialize.h"

namespace arrowpack::transport {

/// Sends `components` as one multipart message on `socket`.
Status send_components(zmq::socket_ref socket, const Components& components);

/// Receives one multipart message sent by send_components(). `max_frames` bounds what a
/// peer may announce.
Result<Components> receive_components(zmq::socket_ref socket, std::int64_t max_frames = std::int64_t{1} << 20);

}  // namespace arrowpack::transport

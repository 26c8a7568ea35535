// Serialized objects over ZeroMQ: one multipart message per object -- a header frame (the
// framing's header, transport/README.md), then one frame per component buffer. Sending hands ZeroMQ the caller's memory
// (zero-copy message constructors; each frame keeps its buffer alive until ZeroMQ is done with it); receiving turns
// each frame into a Buffer over the frame's memory, so deserialize_components() copies nothing. Built when Debian's
// libzmq3-dev and cppzmq-dev are installed.
#pragma once

#include <zmq.hpp>

#include "arrowpack/core/status.h"
#include "arrowpack/registry/serialize.h"
#include "arrowpack/transport/stream.h"

namespace arrowpack::transport {

/// Sends `components` as one multipart message on `socket`. Invalid for components whose
/// counts disagree with their buffers; IOError when ZeroMQ refuses.
Status send(zmq::socket_ref socket, const Components& components);

/// Sets ZMQ_MAXMSGSIZE on `socket` to limits.max_input_bytes, so that libzmq itself drops a
/// peer that announces a larger frame instead of allocating for it. Call it before bind() or
/// connect() on every socket that receives from peers it does not trust. IOError on failure.
Status limit_message_size(zmq::socket_ref socket, const ReadLimits& limits = {});

/// Receives one multipart message sent by send(): each frame becomes a Buffer
/// over the frame's memory. Refused with a CapacityError (after the rest of the message is
/// drained, so the socket stays usable) beyond options.limits.max_frames frames or
/// max_input_bytes bytes; Invalid when the header frame or the counts are wrong; IOError
/// when ZeroMQ fails. The components are otherwise checked by deserialize_components().
Result<Components> receive(zmq::socket_ref socket, const ReadOptions& options = {});

}  // namespace arrowpack::transport

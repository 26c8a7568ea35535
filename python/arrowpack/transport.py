"""Serialized objects between processes, the Python end of arrowpack's C++ transports
(transport/README.md has the framing):

- over a Unix socket, a pipe or TCP (any descriptor): send(sock, value) / receive(sock);
- over ZeroMQ with pyzmq: send_zmq(socket, value) / receive_zmq(socket), one multipart
  message per object (a header frame, then one frame per buffer);
- in shared memory: send_shared_memory(value) writes a sealed memfd, send_region(sock,
  region) hands its descriptor over a Unix socket, receive_region(sock) takes it, and
  read_region(region) maps it read-only.

What is received is viewed, not copied: numpy arrays come back as read-only views of the
region's mapping, of pyzmq's frames, or of the one buffer a socket's message was read into.
Values may be Python objects (serialized with the context) or SerializedPyObject objects.
Received bytes are checked as any blob is (hostile input gets typed errors)."""
from . import _arrowpack
from .serialization import SerializedPyObject, deserialize, deserialize_components, serialize

SharedRegion = _arrowpack.SharedRegion


def _components(value, context):
    if not isinstance(value, SerializedPyObject):
        value = serialize(value, context=context)
    return value._to_components()


def send(sock, value, context=None):
    """Writes `value` to `sock` (a socket, a file object or a descriptor) as one framed
    message; arrays and buffers go to the kernel from their own memory."""
    _arrowpack._send_fd(sock, _components(value, context))


def receive(sock, context=None, allow_pickle=False):
    """The next object from `sock`, or None when the peer closed it between messages."""
    components = _arrowpack._receive_fd(sock)
    if components is None:
        return None
    return deserialize_components(components, context=context, allow_pickle=allow_pickle)


def receive_components(sock):
    """The next message from `sock` as pyarrow's components dict (the buffers are views of
    the one buffer the message was read into), or None at a clean end of stream."""
    return _arrowpack._receive_fd(sock)


def components_from_frames(frames):
    """The components dict of one message's frames (pyzmq Frame objects, or anything with
    the buffer protocol), checked against their header and viewed, not copied."""
    return _arrowpack._from_frames([getattr(f, "buffer", f) for f in frames])


def send_zmq(socket, value, context=None, flags=0):
    """Sends `value` on the pyzmq `socket` as one multipart message, without copying its
    arrays (pyzmq keeps the buffers until they are sent)."""
    socket.send_multipart(_arrowpack._frames(_components(value, context)), flags=flags, copy=False)


def receive_zmq(socket, context=None, allow_pickle=False, flags=0):
    """The next object from the pyzmq `socket`; arrays are views of the received frames."""
    frames = socket.recv_multipart(flags=flags, copy=False)
    components = components_from_frames(frames)
    return deserialize_components(components, context=context, allow_pickle=allow_pickle)


def send_shared_memory(value, context=None):
    """`value`'s contiguous form in a new sealed memfd (one copy, into shared memory): a
    SharedRegion to hand over with send_region()."""
    return _arrowpack._send_shared(_components(value, context))


def send_region(sock, region):
    """Sends the region's descriptor over the Unix socket `sock` (SCM_RIGHTS)."""
    _arrowpack._send_region(sock, region)


def receive_region(sock):
    """A SharedRegion whose descriptor arrived on the Unix socket `sock` (sealed memfds only:
    nobody can change a sealed region while it is read)."""
    return _arrowpack._receive_region(sock)


def read_region(region, context=None, allow_pickle=False):
    """The object in `region`, read in place: its arrays are views of the read-only mapping,
    which they keep alive."""
    return deserialize(_arrowpack._map_region(region), context=context, allow_pickle=allow_pickle)


def map_region(region):
    """The region's read-only mapping as an arrowpack.Buffer (no copy)."""
    return _arrowpack._map_region(region)


__all__ = ["SharedRegion", "components_from_frames", "map_region", "read_region", "receive", "receive_components",
           "receive_region", "receive_zmq", "send",
           "send_region", "send_shared_memory", "send_zmq"]

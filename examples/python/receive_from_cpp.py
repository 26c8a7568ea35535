"""The Python end of a C++ program: examples/ship_to_python.cc ships the pyarrow chapter's
dict of 100 matrices 500x500 (200 MB), and this consumer receives it three ways -- over a Unix
socket, as a sealed memfd whose descriptor crosses a Unix socket, and over ZeroMQ (pyzmq, when
installed) -- checks every value, and reports what was copied on the Python side.

    python examples/python/receive_from_cpp.py PATH/TO/ship_to_python
"""
import os
import socket
import subprocess
import sys
import tempfile

import numpy as np

import arrowpack as ap

producer = sys.argv[1]
expected_step = np.arange(500 * 500, dtype=np.float64).reshape(500, 500) * 1e-6


def check(received, where):
    assert sorted(received) == list(range(100)), "the keys are 0..99"
    for i, a in received.items():
        assert a.shape == (500, 500) and a.dtype == np.float64 and not a.flags.writeable
        assert np.array_equal(a, i + expected_step), f"matrix {i} differs"
    inside = sum(where(a.__array_interface__["data"][0]) for a in received.values())
    return inside


def run(*args, **kwargs):
    return subprocess.Popen([producer, *args], **kwargs)


# 1. A Unix socket: the message is read into one buffer, the arrays are views of it.
a, b = socket.socketpair()
child = run("socket", str(a.fileno()), pass_fds=[a.fileno()])
a.close()
before = ap.total_allocated_bytes()
components = ap.transport.receive_components(b)
received_bytes = ap.total_allocated_bytes() - before
before = ap.total_allocated_bytes()
value = ap.deserialize_components(components)
copied = ap.total_allocated_bytes() - before
bodies = [(d.address, d.size) for d in components["data"]]
views = check(value, lambda addr: any(lo <= addr < lo + n for lo, n in bodies))
assert child.wait() == 0 and copied == 0 and views == 100
print(f"socket: 100 matrices equal what was sent; {received_bytes} bytes read from the socket into "
      f"{len(bodies)} views of one buffer, {copied} bytes copied after that")
b.close()
del value, components  # the buffer goes back to the pool before the next measurement

# 2. A sealed memfd: the arrays are views of the read-only mapping.
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
child = run("memfd", str(a.fileno()), pass_fds=[a.fileno()])
a.close()
region = ap.transport.receive_region(b)
before = ap.total_allocated_bytes()
mapping = ap.transport.map_region(region)
value = ap.deserialize(mapping)
copied = ap.total_allocated_bytes() - before
lo, hi = mapping.address, mapping.address + mapping.size
views = check(value, lambda addr: lo <= addr < hi)
assert child.wait() == 0 and copied == 0 and views == 100
print(f"memfd: 100 matrices equal what was sent; a {region.size}-byte sealed region mapped, "
      f"{copied} bytes copied")
b.close()
del value, mapping

# 3. ZeroMQ: the arrays are views of the frames pyzmq received.
try:
    import zmq
except ImportError:
    print("zmq: pyzmq is not installed, skipped")
    sys.exit(0)
with tempfile.TemporaryDirectory() as tmp:
    endpoint = "ipc://" + os.path.join(tmp, "ship.ipc")
    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.bind(endpoint)
    child = run("zmq", endpoint)
    frames = pull.recv_multipart(copy=False)
    before = ap.total_allocated_bytes()
    components = ap.transport.components_from_frames(frames)
    value = ap.deserialize_components(components)
    copied = ap.total_allocated_bytes() - before
    spans = [(d.address, d.size) for d in components["data"]]
    views = check(value, lambda addr: any(lo <= addr < lo + n for lo, n in spans))
    rc = child.wait()
    assert rc == 0 and copied == 0 and views == 100, (rc, copied, views)
    print(f"zmq: 100 matrices equal what was sent; {len(frames)} frames received, {copied} bytes copied")
    pull.close()
    context.term()

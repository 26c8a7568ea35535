"""arrowpack.transport from Python: sockets, shared memory and pyzmq, zero-copy on the
receiving side, and typed errors for what a hostile peer sends."""
import socket
import threading

import numpy as np
import pytest

import arrowpack as ap
from arrowpack import transport


def value():
    return {"big": np.arange(300_000.0), "small": np.ones((3, 4), dtype=np.int32), "name": "x", "n": [1, 2]}


def same(a, b):
    return (np.array_equal(a["big"], b["big"]) and np.array_equal(a["small"], b["small"])
            and a["name"] == b["name"] and a["n"] == b["n"])


def in_thread(f):
    t = threading.Thread(target=f)
    t.start()
    return t


def test_socket_round_trip_and_end_of_stream():
    a, b = socket.socketpair()
    t = in_thread(lambda: (transport.send(a, value()), transport.send(a, ap.serialize([1, 2])), a.close()))
    got = transport.receive(b)
    assert same(got, value()) and not got["big"].flags.writeable
    assert transport.receive(b) == [1, 2]
    assert transport.receive(b) is None  # the peer closed between messages
    t.join()


def test_socket_garbage_and_a_peer_that_dies_mid_message():
    a, b = socket.socketpair()
    a.sendall(b"GARBAGE!" * 16)
    a.close()
    with pytest.raises(ap.ArrowInvalid):
        transport.receive(b)
    a, b = socket.socketpair()
    frames = ap._arrowpack._frames(ap.serialize(value())._to_components())
    a.sendall(bytes(frames[0])[:20])  # the header, cut short
    a.close()
    with pytest.raises(ap.ArrowException):
        transport.receive(b)


def test_shared_memory_is_read_in_place():
    region = transport.send_shared_memory(value())
    a, b = socket.socketpair()
    transport.send_region(a, region)
    got_region = transport.receive_region(b)
    assert got_region.size == region.size
    mapping = transport.map_region(got_region)
    got = ap.deserialize(mapping)
    assert same(got, value())
    address = got["big"].__array_interface__["data"][0]
    assert mapping.address <= address < mapping.address + mapping.size
    assert same(transport.read_region(got_region), value())


def test_an_unsealed_descriptor_is_refused(tmp_path):
    import array
    a, b = socket.socketpair()
    with open(tmp_path / "f", "wb+") as f:
        f.write(b"x" * 100)
        f.flush()
        a.sendmsg([b"r"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [f.fileno()]))])
        region = transport.receive_region(b)
    with pytest.raises(ap.ArrowInvalid, match="seal"):
        transport.map_region(region)


def test_frames_are_checked_and_viewed():
    components = ap.serialize(value())._to_components()
    frames = ap._arrowpack._frames(components)
    back = transport.components_from_frames(frames)
    assert [d.address for d in back["data"]] == [d.address for d in frames[1:]]
    assert same(ap.deserialize_components(back), value())
    with pytest.raises(ap.ArrowInvalid):
        transport.components_from_frames(frames[:-1])
    with pytest.raises(ap.ArrowInvalid):
        transport.components_from_frames([b"NOTMAGIC" + bytes(frames[0])[8:]] + list(frames[1:]))
    with pytest.raises(ap.ArrowInvalid):
        transport.components_from_frames(list(frames[:-1]) + [bytes(frames[-1]) + b"x"])


def test_pyzmq_round_trip_views_the_frames():
    zmq = pytest.importorskip("zmq")
    context = zmq.Context()
    push, pull = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
    push.bind("inproc://arrowpack-test")
    pull.connect("inproc://arrowpack-test")
    transport.send_zmq(push, value())
    frames = pull.recv_multipart(copy=False)
    got = ap.deserialize_components(transport.components_from_frames(frames))
    assert same(got, value())
    address = got["big"].__array_interface__["data"][0]
    starts = [np.frombuffer(f.buffer, np.uint8).__array_interface__["data"][0] for f in frames if len(f.buffer)]
    sizes = [len(f.buffer) for f in frames if len(f.buffer)]
    assert any(lo <= address < lo + n for lo, n in zip(starts, sizes))  # a view of a received frame
    transport.send_zmq(push, [1, "two"])
    assert transport.receive_zmq(pull) == [1, "two"]
    push.send_multipart([b"junk", b"more"])
    with pytest.raises(ap.ArrowInvalid):
        transport.receive_zmq(pull)
    push.close()
    pull.close()
    context.term()

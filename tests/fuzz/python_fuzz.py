"""The Python side of the python fuzz target (tests/fuzz/python_fuzz.cc, which embeds the
interpreter and calls fuzz_one for each input), and the writer of its seed corpus.

An input is one byte choosing the entry point, then the bytes that entry point reads:

  0  deserialize(payload)                                  a blob (pa.serialize's layout)
  1  deserialize_components(components_from_frames(...))   the frames of one transport
     message, each as a 4-byte little-endian length and its bytes
  2  ipc.open_stream(payload): every batch, through the C data interface and back
  3  ipc.open_file(payload): every batch, the same way
  4  read_serialized(payload), then its components, then deserialize_components

Each input gives data or one of the typed errors of EXPECTED (python/tests/test_hostile.py's:
arrowpack's own, or Python refusing a value, such as a list as a dict key); anything else
propagates, and the driver aborts on it. allow_pickle=True is never passed: the default
context registers types with pickle=True, and pickle runs what it is given (that the
default refuses to unpickle is tested in test_hostile.py)."""
import os
import struct
import sys

import arrowpack as ap
from arrowpack import ipc, transport

EXPECTED = (ap.ArrowException, ap.DeserializationCallbackError, TypeError, ValueError, UnicodeDecodeError,
            OverflowError)
# Batches are turned into Python objects only up to this many values: to_pydict makes what
# the caller asks for (a null column of 2**31 rows has no body), not what the stream holds.
MAX_PYDICT_VALUES = 4096


def _frames(payload):
    frames, at = [], 0
    while at + 4 <= len(payload) and len(frames) < 64:
        (n,) = struct.unpack_from("<I", payload, at)
        at += 4
        frames.append(payload[at:at + n])
        at += n
    return frames


def _batch(batch):
    again = ipc.record_batch(batch)  # exported through __arrow_c_array__, imported back
    repr(again)
    again.schema.names
    if batch.num_rows * max(batch.num_columns, 1) <= MAX_PYDICT_VALUES:
        again.to_pydict()


def _read(mode, payload):
    if mode == 0:
        ap.deserialize(payload)
    elif mode == 1:
        ap.deserialize_components(transport.components_from_frames(_frames(payload)))
    elif mode == 2:
        reader = ipc.open_stream(payload)
        for batch in reader:
            _batch(batch)
    elif mode == 3:
        reader = ipc.open_file(payload)
        for i in range(reader.num_record_batches):
            _batch(reader.get_batch(i))
    else:
        serialized = ap.read_serialized(payload)
        ap.deserialize_components(serialized.to_components())


def fuzz_one(data):
    if not data:
        return
    try:
        _read(data[0] % 5, data[1:])
    except EXPECTED:
        pass


def _seed_objects():
    import numpy as np
    return {
        "scalars": {"a": [1, 2.5, "text", b"bytes", None, True], "t": (1, (2, 3)), "s": {1, 2}, "big": 2 ** 70},
        "small_dict": {"a": 1, "b": 2.5, "c": "text", "d": [1, 2, 3]},
        "arrays": [np.arange(12.0).reshape(3, 4), np.ones(5, dtype=np.int16), np.zeros((2, 0))],
        "nested": {"deep": [[[[[1]]]]], "strings": ["x" * 40] * 20, "f16": np.float16(1.5)},
        "sparse": ap.SparseTensor.from_coo([1.0, 2.0], [[0, 1], [1, 0]], (2, 2)),
        "buffer": [ap.serialize(1).to_buffer(), np.int64(7), np.uint8(3)],
    }


def write_seeds(folder):
    """The seed corpus: each seed object as a blob, as transport frames and (mode 4) again
    as a blob; an IPC stream and file of a few columns."""
    os.makedirs(folder, exist_ok=True)

    def put(name, mode, payload):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(bytes([mode]) + bytes(payload))

    for name, obj in _seed_objects().items():
        serialized = ap.serialize(obj)
        blob = serialized.to_buffer()
        put(f"blob-{name}", 0, blob)
        put(f"read-{name}", 4, blob)
        try:
            frames = ap._arrowpack._frames(serialized._to_components())
        except ap.ArrowNotImplementedError:  # sparse tensors go in a shared region, not frames
            continue
        put(f"frames-{name}", 1, b"".join(struct.pack("<I", len(memoryview(f))) + bytes(f) for f in frames))
    batch = ap.record_batch([ap.array([1, 2, None]), ap.array(["a", None, "ccc"]), ap.array([1.5, 2.5, 3.5])],
                            names=["i", "s", "f"])
    for mode, (name, new) in enumerate((("stream", ipc.new_stream), ("file", ipc.new_file)), start=2):
        sink = ipc.BufferOutputStream()
        with new(sink, batch.schema) as writer:
            writer.write(batch)
            writer.write(batch)
        put(f"ipc-{name}", mode, sink.getvalue())


if __name__ == "__main__":
    write_seeds(sys.argv[1])

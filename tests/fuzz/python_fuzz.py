"""The Python side of the python fuzz target (tests/fuzz/python_fuzz.cc, which embeds the
interpreter and calls fuzz_one for each input), and the writer of its seed corpus.

An input is one byte choosing the entry point, then the bytes that entry point reads:

  0  deserialize(payload)                                  a blob (pa.serialize's layout)
  1  deserialize_components(components_from_frames(...))   the frames of one transport
     message, each as a 4-byte little-endian length and its bytes
  2  ipc.open_stream(payload): every batch, through the C data interface and back
  3  ipc.open_file(payload): every batch, the same way
  4  read_serialized(payload), then its components, then deserialize_components

Each read gives data or one of the typed errors of EXPECTED (python/tests/test_hostile.py's:
arrowpack's own, or Python refusing a value, such as a list as a dict key), and what it gave
is then read through (every array's bytes, every batch through the C data interface and
back): anything else propagates, and the driver aborts on it. pyarrow, pandas, scipy and
torch cannot be imported here (see _Blocked). allow_pickle=True is never passed: the default
context registers types with pickle=True, and pickle runs what it is given (that the
default refuses to unpickle is tested in test_hostile.py)."""
import ctypes
import importlib.abc
import os
import struct
import sys


class _Blocked(importlib.abc.MetaPathFinder):
    """The optional packages stay out: the default context imports pyarrow's handlers when
    a blob names "pyarrow.", and would hand fuzz bytes to pyarrow's own reader, which is not
    what is fuzzed here (and not built with coverage). Their import fails, as if they were
    not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pyarrow", "pandas", "scipy", "torch"):
            raise ImportError(f"{name} is kept out of the fuzz target")
        return None


sys.meta_path.insert(0, _Blocked())

import numpy as np  # noqa: E402

import arrowpack as ap  # noqa: E402
from arrowpack import ipc, transport  # noqa: E402

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


def _touch(obj):
    """Reads every part of what a read gave, so that a view past its memory is found."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            _touch(k)
            _touch(v)
    elif isinstance(obj, (list, tuple, set, frozenset)) or type(obj).__name__ == "deque":
        for v in obj:
            _touch(v)
    elif isinstance(obj, np.ndarray):
        obj.tobytes()
    elif isinstance(obj, ap.SparseTensor):
        repr(obj)
        try:
            obj.dim_names
        except UnicodeDecodeError:  # names from the input
            pass
        parts = obj.to_numpy()
        for part in parts:
            for p in part if isinstance(part, list) else [part]:
                p.tobytes()
    elif isinstance(obj, ap.Buffer):
        bytes(memoryview(obj))


class _ArrowSchema(ctypes.Structure):
    pass


class _ArrowArray(ctypes.Structure):
    pass


# The C data interface's structs (Arrow's abi.h), to size what a comparison will walk.
_ArrowSchema._fields_ = [("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
                         ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
                         ("children", ctypes.POINTER(ctypes.POINTER(_ArrowSchema))),
                         ("dictionary", ctypes.POINTER(_ArrowSchema)), ("release", ctypes.c_void_p),
                         ("private_data", ctypes.c_void_p)]
_ArrowArray._fields_ = [("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
                        ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64),
                        ("buffers", ctypes.POINTER(ctypes.c_void_p)),
                        ("children", ctypes.POINTER(ctypes.POINTER(_ArrowArray))),
                        ("dictionary", ctypes.POINTER(_ArrowArray)), ("release", ctypes.c_void_p),
                        ("private_data", ctypes.c_void_p)]
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _comparison_cost(batch):
    """The values Array::equals visits for `batch` (every level's length), or None when a
    comparison may visit values more than once: dictionaries, string and list views and
    dense unions let many rows share one value."""
    schema_capsule, array_capsule = batch.__arrow_c_array__()
    schema = _ArrowSchema.from_address(_capsule_pointer(schema_capsule, b"arrow_schema"))
    array = _ArrowArray.from_address(_capsule_pointer(array_capsule, b"arrow_array"))

    def cost(s, a):
        fmt = s.format or b""
        if s.dictionary or fmt in (b"vu", b"vz", b"+vl", b"+vL") or fmt.startswith(b"+ud"):
            return None
        total = a.length
        for i in range(s.n_children):
            child = cost(s.children[i].contents, a.children[i].contents)
            if child is None:
                return None
            total += child
        return total

    return cost(schema, array)


class _Producer:
    """Any producer of the C data interface: what ipc.record_batch() imports through it."""

    def __init__(self, capsules):
        self.capsules = capsules

    def __arrow_c_array__(self, requested_schema=None):
        return self.capsules


def _batch(batch, payload_bytes):
    # The batch was read and validated: its round trip through the C data interface, its
    # repr and its conversion must work. Only what comes from the input as text may refuse.
    # Comparing and converting take time per value, and values are not bounded by the input
    # (a null or run-end encoded column of 2**31 rows is a few bytes): beyond what the input
    # could hold, they are skipped.
    try:
        capsules = batch.__arrow_c_array__()
    except ap.ArrowInvalid:  # a name or timezone holding a NUL byte, which C strings cannot carry
        again = batch
    else:
        again = ipc.record_batch(_Producer(capsules))  # imported from the C structs: must work
        cost = _comparison_cost(batch)
        if cost is not None and cost <= 8 * payload_bytes + MAX_PYDICT_VALUES:
            assert again.equals(batch), "a batch changed through the C data interface"
    repr(again)
    try:
        again.schema.names
        if batch.num_rows * max(batch.num_columns, 1) <= MAX_PYDICT_VALUES:
            again.to_pydict()
    except (UnicodeDecodeError, ap.ArrowNotImplementedError):  # names from the input; types to_pylist leaves
        pass


def _read(mode, payload):
    """Reads `payload` with the entry point of `mode`. Errors of EXPECTED are caught where
    hostile bytes may cause them (the reads); anything after a read that succeeded must
    work."""
    if mode == 0:
        try:
            obj = ap.deserialize(payload)
        except EXPECTED:
            return
        _touch(obj)
    elif mode == 1:
        try:
            obj = ap.deserialize_components(transport.components_from_frames(_frames(payload)))
        except EXPECTED:
            return
        _touch(obj)
    elif mode == 2:
        try:
            reader = ipc.open_stream(payload)
        except EXPECTED:
            return
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except EXPECTED:
                return
            _batch(batch, len(payload))
    elif mode == 3:
        try:
            reader = ipc.open_file(payload)
        except EXPECTED:
            return
        for i in range(reader.num_record_batches):
            try:
                batch = reader.get_batch(i)
            except EXPECTED:
                continue
            _batch(batch, len(payload))
    else:
        try:
            serialized = ap.read_serialized(payload)
        except EXPECTED:
            return
        components = serialized.to_components()  # of an object read: must work
        try:
            obj = ap.deserialize_components(components)
        except EXPECTED:
            return
        _touch(obj)


def fuzz_one(data):
    if data:
        _read(data[0] % 5, data[1:])


def _seed_objects():
    import collections
    import datetime
    return {
        "registered": [collections.OrderedDict(a=1, b=[2]), collections.defaultdict(None, x=3),
                       collections.Counter("abca"), collections.deque([1, "d"]), np.matrix([[1, 2], [3, 4]]),
                       np.array(["x", "yz"]), np.array([True, False]), np.array([1, "o"], dtype=object)],
        "datetime": [datetime.datetime(2026, 12, 8, 3, 30, 1, 7), -2 ** 63, 2 ** 64],
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

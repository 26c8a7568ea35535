"""Hostile bytes through every Python entry point that reads them (blobs, components, IPC
streams and files, frames, sparse tensors): a deterministic mutation run per entry point.
Each input gives data or one of arrowpack's typed errors (an ArrowException, or a Python
error the decoder raises for a value Python cannot hold: a list as a dict key, bytes that
are not UTF-8), never a crash; and what a read holds stays within a small multiple of the
input (measured with tracemalloc for the Python objects and total_allocated_bytes for
arrowpack's pool)."""
import random
import tracemalloc

import numpy as np
import pytest

import arrowpack as ap

RUNS = 1500
# What a decoder may raise for hostile bytes besides arrowpack's own errors: Python refusing
# a value (unhashable key, undecodable text, a dtype numpy refuses), never anything else.
EXPECTED = (ap.ArrowException, ap.DeserializationCallbackError, TypeError, ValueError, UnicodeDecodeError,
            OverflowError)


def seeds():
    return [
        ap.serialize({"a": [1, 2.5, "text", b"bytes", None, True], "t": (1, (2, 3)), "s": {1, 2}}).to_buffer(),
        ap.serialize([np.arange(12.0).reshape(3, 4), np.ones(5, dtype=np.int16), ap.serialize(1).to_buffer()]
                     ).to_buffer(),
        ap.serialize({"deep": [[[[[1]]]]], "strings": ["x" * 40] * 20}).to_buffer(),
        ap.serialize(ap.SparseTensor.from_coo([1.0, 2.0], [[0, 1], [1, 0]], (2, 2))).to_buffer(),
    ]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.6 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind < 0.75 and data:
            i = rng.randrange(len(data))
            data[i:i + 4] = rng.choice([b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80", b"\xff\xff\xff\xff", b"\0\0\0\0"])
        elif kind < 0.9:
            del data[rng.randrange(len(data) + 1):]
        else:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(data)


def run(read, inputs, seed):
    rng = random.Random(seed)
    worst = 0.0
    for _ in range(RUNS):
        data = mutate(rng, rng.choice(inputs))
        pool_before = ap.total_allocated_bytes()
        tracemalloc.start()
        try:
            result = read(data)
            _, peak = tracemalloc.get_traced_memory()
            pool = ap.total_allocated_bytes() - pool_before
            del result
        except EXPECTED:
            _, peak = tracemalloc.get_traced_memory()
            pool = 0
        finally:
            tracemalloc.stop()
        # Python objects plus arrowpack's pool, against the input and a fixed allowance.
        ratio = (peak + pool - 64 * 1024) / max(len(data), 1)
        worst = max(worst, ratio)
    assert worst <= 64, f"a read held {worst:.1f}x its input beyond 64 KiB"


def test_blobs():
    run(ap.deserialize, seeds(), seed=1)


def test_blobs_with_pickle_allowed_run_no_pickle_of_unregistered_types():
    run(lambda d: ap.deserialize(d, allow_pickle=True), seeds(), seed=2)


def test_components():
    def read(data):
        # The blob's own split, with one part replaced by the mutated bytes.
        c = ap.serialize({"x": np.arange(6.0), "y": ["a", "b"]}).to_components()
        parts = [bytes(d) for d in c["data"]]
        parts[len(data) % len(parts)] = data
        return ap.deserialize_components(dict(c, data=parts))

    run(read, [bytes(d) for d in ap.serialize({"x": np.arange(6.0), "y": ["a", "b"]}).to_components()["data"]],
        seed=3)


def ipc_seeds():
    batch = ap.record_batch([ap.array([1, 2, 3]), ap.array(["a", None, "c"]), ap.array([1.5, 2.5, None])],
                            names=["i", "s", "f"])
    stream, file = ap.BufferOutputStream(), ap.BufferOutputStream()
    with ap.ipc.new_stream(stream, batch.schema) as w:
        w.write_batch(batch)
        w.write_batch(batch)
    with ap.ipc.new_file(file, batch.schema) as w:
        w.write_batch(batch)
    return [bytes(stream.getvalue()), bytes(file.getvalue())]


def test_ipc_streams():
    run(lambda d: [b.to_pydict() for b in ap.ipc.open_stream(d)], ipc_seeds(), seed=4)


def test_ipc_files():
    def read(d):
        r = ap.ipc.open_file(d)
        return [r.get_batch(i).to_pydict() for i in range(r.num_record_batches)]

    run(read, ipc_seeds(), seed=5)


def test_frames():
    c = ap.serialize({"x": np.arange(6.0), "y": "z"})._to_components()
    frames = [bytes(f) for f in ap._arrowpack._frames(c)]

    def read(data):
        parts = list(frames)
        parts[len(data) % len(parts)] = data
        return ap.deserialize_components(ap.transport.components_from_frames(parts))

    run(read, frames, seed=6)


@pytest.mark.parametrize("n", [10, 1000, 100_000])
def test_a_blob_of_many_small_values_costs_a_small_multiple(n):
    blob = ap.serialize([None] * n + ["s"] * n + [1] * n).to_buffer()
    tracemalloc.start()
    value = ap.deserialize(blob)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(value) == 3 * n
    assert peak <= 64 * 1024 + 64 * blob.size


def test_the_pickle_walk():
    # pandas_handlers.py walks each pickle of a blob before unpickling it: mutated pickles get
    # ArrowInvalid or pass (and real ones pass), never anything else.
    import pickle
    import datetime
    real = [pickle.dumps(v, protocol=p) for p in (2, 4, 5)
            for v in ([1, "two", 3.0, None, (4, 5)], {"k": [b"x" * 300, datetime.date(2020, 1, 2)]},
                      list(range(1000)), "é" * 70_000)]
    for data in real:
        ap._arrowpack._check_pickle(data)
    rng = random.Random(7)
    passed = 0
    for _ in range(5 * RUNS):
        data = mutate(rng, rng.choice(real))
        try:
            ap._arrowpack._check_pickle(data)
            passed += 1
        except ap.ArrowInvalid:
            pass
    assert 0 < passed < 5 * RUNS


def test_malformed_objects_of_the_default_handlers_are_typed_errors():
    # A blob may name a registered type and hold anything under it: what the default
    # context's handlers cannot rebuild is a DeserializationCallbackError (a TypeError or
    # ValueError stays one), never a KeyError, IndexError or StopIteration.
    for bad in ({"_pytype_": "collections.defaultdict", "data": ([1], [2])},  # IndexError inside
                {"_pytype_": "collections.OrderedDict", "data": {1: 2}},  # KeyError inside
                {"_pytype_": "np.matrix"},  # no "data"
                {"_pytype_": "collections.Counter", "data": []}):  # IndexError inside
        with pytest.raises(EXPECTED) as raised:
            ap.deserialize(ap.serialize(bad).to_buffer())
        assert not isinstance(raised.value, (LookupError, StopIteration))
    with pytest.raises(ap.DeserializationCallbackError, match="'np.matrix' object of the blob has no 'data'"):
        ap.deserialize(ap.serialize({"_pytype_": "np.matrix"}).to_buffer())
    with pytest.raises(ap.DeserializationCallbackError, match="malformed: IndexError"):
        ap.deserialize(ap.serialize({"_pytype_": "collections.defaultdict", "data": ([1], [2])}).to_buffer())


def test_dim_names_that_are_not_utf8():
    t = ap.SparseTensor.from_coo(np.array([1.0, 2.0]), np.array([[0, 1], [1, 0]]), (2, 2), dim_names=["nq", "zq"])
    blob = bytes(ap.serialize(t).to_buffer())
    assert blob.count(b"nq") == 1
    # Once pyarrow is imported its classes come back, made with the names: the read refuses.
    with pytest.raises(UnicodeDecodeError):
        read = ap.deserialize(blob.replace(b"nq", b"\xffq"))
        assert isinstance(read, ap.SparseTensor) and repr(read)  # the repr names no dimension
        read.dim_names


def test_pyarrow_blocked_in_sys_modules():
    # sys.modules["pyarrow"] = None is how programs keep a package out: arrowpack takes it
    # for "not imported" (it used to take None's attributes for pyarrow's types).
    import subprocess
    import sys
    code = ("import sys; sys.modules['pyarrow'] = None\n"
            "import numpy as np, arrowpack as ap\n"
            "b = ap.serialize([ap.py_buffer(b'xy'), np.arange(3)]).to_buffer()\n"
            "v = ap.deserialize(b); assert bytes(v[0]) == b'xy' and v[1].tolist() == [0, 1, 2]\n"
            "c = ap.serialize(1).to_components(); assert ap.deserialize_components(c) == 1\n"
            "import collections; d = collections.OrderedDict(a=1)\n"  # past the pyarrow type checks
            "assert ap.deserialize(ap.serialize(d).to_buffer()) == d\n"
            "t = ap.SparseTensor.from_coo(np.array([1.0]), np.array([[0, 0]]), (1, 1))\n"
            "assert ap.deserialize(ap.serialize(t).to_buffer()).shape == (1, 1)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_type_id_registered_again_is_the_callers_and_clone_keeps_which_are_arrowpacks():
    import collections
    c = ap.SerializationContext()
    ap.register_default_serialization_handlers(c)
    blob = c.serialize({"_pytype_": "collections.OrderedDict", "data": {1: 2}}).to_buffer()
    with pytest.raises(ap.DeserializationCallbackError):  # arrowpack's handler: typed
        c.clone().deserialize(blob)
    c.register_type(collections.OrderedDict, "collections.OrderedDict",
                    custom_serializer=lambda d: list(d.items()), custom_deserializer=lambda data: data[0])
    with pytest.raises(KeyError):  # the caller's handler raises what it raises, as with pyarrow
        c.deserialize(blob)

"""arrowpack against pyarrow 11 (the last pyarrow with pa.serialize), in the environment
tools/dev/install-deps.sh makes (.deps/py-legacy): the same objects give the same bytes,
and each reads what the other writes, as one buffer and as components."""
import collections
import datetime

import numpy as np
import pytest

import arrowpack as ap

pa = pytest.importorskip("pyarrow")
if not hasattr(pa, "serialize"):
    pytest.skip("this pyarrow has no pa.serialize (removed in 12.0)", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning"),  # pa.serialize is deprecated
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]  # np.matrix


class Point:
    def __init__(self, x, y, label):
        self.x, self.y, self.label = x, y, label

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y, self.label) == (other.x, other.y, other.label)


class Plain:
    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __eq__(self, other):
        return type(other) is Plain and self.__dict__ == other.__dict__


Pair = collections.namedtuple("Pair", ["first", "second"])


def register(context):
    context.register_type(Point, "Point", custom_serializer=lambda p: {"x": p.x, "y": p.y, "label": p.label},
                          custom_deserializer=lambda d: Point(d["x"], d["y"], d["label"]))
    context.register_type(Plain, "Plain")
    context.register_type(Pair, "Pair")
    return context


def contexts():
    return register(ap.default_serialization_context()), register(pa.default_serialization_context())


# Objects whose pyarrow 11 bytes are deterministic (no sets: their order is the hash's).
CASES = {
    "none": None, "bool": True, "int": -42, "int64 max": 2**63 - 1, "big int": 2**80, "float": 2.5,
    "str": "héllo ✓", "bytes": b"\x00\x01\xff", "list": [1, [2, [3, "x"]], None], "tuple": (1, ("a", b"b")),
    "dict": {"a": 1, 2: [3.5], (4, 5): {"k": None}}, "nested empty": [[], (), {}],
    "datetime": datetime.datetime(2021, 3, 4, 5, 6, 7, 891011),
    "numpy scalars": [np.float16(1.5), np.float32(2.5), np.int8(-1), np.uint32(7), np.bool_(False)],
    "int64 array": np.arange(20, dtype=np.int64).reshape(4, 5), "float32 array": np.linspace(0, 1, 7, dtype=np.float32),
    "float16 array": np.array([1, 2, 3], dtype=np.float16), "uint8 array": np.arange(256, dtype=np.uint8),
    "empty array": np.zeros((0, 4)), "fortran array": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
    "strided array": np.arange(30)[::4], "bool array": np.array([True, False, True]),
    "string array": np.array(["a", "bc"]), "object array": np.array([1, "two", None], dtype=object),
    "structured array": np.array([(1, 2.5)], dtype=[("i", "<i4"), ("f", "<f8")]),
    "matrix": np.matrix([[1.0, 2.0], [3.0, 4.0]]),
    "ordered dict": collections.OrderedDict([("z", 1), ("a", 2)]), "counter": collections.Counter("mississippi"),
    "deque": collections.deque([1, "two", 3.0]),
    "pyarrow array": pa.array([1, None, 3]), "pyarrow batch": pa.record_batch([pa.array(["a", "b"])], names=["s"]),
    "pyarrow table": pa.table({"x": [1, 2], "y": ["p", "q"]}), "pyarrow buffer": pa.py_buffer(b"raw bytes"),
    "pyarrow tensor": pa.Tensor.from_numpy(np.arange(6.0).reshape(2, 3)),
    "sparse coo": pa.SparseCOOTensor.from_dense_numpy(np.array([[0, 1.5, 0], [2.0, 0, 3.0]])),
    "sparse csr": pa.SparseCSRMatrix.from_dense_numpy(np.array([[0, 1, 0], [2, 0, 3]], dtype=np.int32)),
    "sparse csc": pa.SparseCSCMatrix.from_dense_numpy(np.eye(4, dtype=np.float32)),
    "sparse csf": pa.SparseCSFTensor.from_dense_numpy(np.arange(24.0).reshape(2, 3, 4) % 3),
    "registered": [Point(1, 2.5, "p"), Plain(a=1, b=[2]), Pair("one", 2)],
    "mixed": {"arrays": [np.ones((3, 3)), np.arange(4)], "meta": {"name": "x", "n": 3}},
}


def equal(a, b):
    if isinstance(a, np.matrix):
        return isinstance(b, np.matrix) and np.array_equal(a, b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, (pa.Array, pa.RecordBatch, pa.Table, pa.Tensor, pa.SparseCOOTensor, pa.SparseCSRMatrix,
                      pa.SparseCSCMatrix, pa.SparseCSFTensor)):
        return type(a) is type(b) and a.equals(b)
    if isinstance(a, pa.Buffer):
        return bytes(a) == bytes(b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(a) is type(b) and list(a) == list(b) and all(equal(a[k], b[k]) for k in a)
    # As pyarrow 11 does: a float16 comes back as np.float16, other numpy scalars as the
    # Python bool, int or float.
    if isinstance(a, np.float16):
        return type(b) is np.float16 and a == b
    if isinstance(a, np.bool_):
        return type(b) is bool and a == b
    if isinstance(a, np.integer):
        return type(b) is int and a == b
    if isinstance(a, np.floating):
        return type(b) is float and a == b
    return a == b


@pytest.mark.parametrize("name", list(CASES))
def test_same_bytes_as_pyarrow_11(name):
    ours, theirs = contexts()
    value = CASES[name]
    a = ap.serialize(value, context=ours)
    p = pa.serialize(value, context=theirs)
    assert bytes(a.to_buffer()) == p.to_buffer().to_pybytes()
    ac, pc = a.to_components(), p.to_components()
    assert {k: v for k, v in ac.items() if k != "data"} == {k: v for k, v in pc.items() if k != "data"}
    assert [bytes(x) for x in ac["data"]] == [x.to_pybytes() for x in pc["data"]]


@pytest.mark.parametrize("name", list(CASES))
def test_pyarrow_11_reads_arrowpack(name):
    ours, theirs = contexts()
    value = CASES[name]
    s = ap.serialize(value, context=ours)
    assert equal(value, pa.deserialize(s.to_buffer(), context=theirs))
    assert equal(value, pa.deserialize_components(s.to_components(), context=theirs))


@pytest.mark.parametrize("name", list(CASES))
def test_arrowpack_reads_pyarrow_11(name):
    ours, theirs = contexts()
    value = CASES[name]
    s = pa.serialize(value, context=theirs)
    assert equal(value, ap.deserialize(s.to_buffer(), context=ours))
    assert equal(value, ap.deserialize_components(s.to_components(), context=ours))


def test_sets_both_ways():
    value = {"s": {1, 2, "three", (4, 5)}, "f": {2.5}}
    assert ap.deserialize(pa.serialize(value).to_buffer()) == value
    assert pa.deserialize(ap.serialize(value).to_buffer()) == value


def test_arrays_from_pyarrow_blobs_are_views():
    value = [np.arange(1000.0), np.ones((10, 10), dtype=np.int32)]
    buf = pa.serialize(value).to_buffer()
    back = ap.deserialize(buf)
    for a in back:
        address = a.__array_interface__["data"][0]
        assert buf.address <= address < buf.address + buf.size and not a.flags.writeable


class Secret:  # at module level, so that pickle finds it
    pass


def test_pyarrow_pickles_are_not_run():
    theirs = pa.default_serialization_context()
    theirs.register_type(Secret, "Secret", pickle=True)
    blob = pa.serialize(Secret(), context=theirs).to_buffer()
    ours = ap.default_serialization_context()
    with pytest.raises(ap.DeserializationCallbackError):
        ap.deserialize(blob, context=ours, allow_pickle=True)  # not registered with pickle=True here
    ours.register_type(Secret, "Secret", pickle=True)
    with pytest.raises(ap.DeserializationCallbackError, match="allow_pickle"):
        ap.deserialize(blob, context=ours)
    assert type(ap.deserialize(blob, context=ours, allow_pickle=True)) is Secret


scipy_sparse = pytest.importorskip("scipy.sparse")


@pytest.mark.parametrize("fmt", ["coo", "csr", "csc"])
def test_scipy_matrices_both_ways(fmt):
    m = scipy_sparse.random(12, 9, density=0.2, format=fmt, random_state=3)
    ours, theirs = contexts()
    a, p = ap.serialize(m, context=ours), pa.serialize(m, context=theirs)
    assert bytes(a.to_buffer()) == p.to_buffer().to_pybytes()
    for back in (pa.deserialize(a.to_buffer(), context=theirs), ap.deserialize(p.to_buffer(), context=ours),
                 ap.deserialize_components(p.to_components(), context=ours)):
        assert type(back) is type(m) and (back != m).nnz == 0

"""Section 2 of issue #10: arrowpack writes (pyarrow_compat write: every Value kind and
adapter type, each by to_buffer, write_to and to_components), pyarrow 11 reads.

pa.deserialize / pa.read_serialized / pa.deserialize_components must give the Python object
listed here under the case's name; numpy arrays must match in values, dtype, shape and
memory order. Where pyarrow, given the same object, writes deterministic bytes, the blobs
are compared too, part by part (registry/FORMAT.md lists where they may differ).
"""
import collections
import datetime
import json
import struct

import numpy as np
import pyarrow as pa
import pytest

from conftest import run

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class Sparse:
    """A pyarrow sparse tensor as arrowpack writes it: its class, shape, dimension names and
    the arrays its to_numpy() gives (values, then the index: COO coordinates; CSR/CSC index
    pointers and indices; CSF the lists of index pointers and of indices), dtypes included."""

    def __init__(self, cls, shape, values, *index, dim_names=()):
        self.cls, self.shape, self.values, self.index, self.dim_names = cls, shape, values, index, dim_names


class Point:
    def __init__(self, x, y, label):
        self.x, self.y, self.label = x, y, label

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y, self.label) == (other.x, other.y, other.label)

    def __repr__(self):
        return f"Point({self.x}, {self.y}, {self.label!r})"


def context():
    c = pa.default_serialization_context()
    c.register_type(Point, "Point", custom_serializer=lambda p: {"x": p.x, "y": p.y, "label": p.label},
                    custom_deserializer=lambda d: Point(d["x"], d["y"], d["label"]))
    return c


def nested_lists(depth):
    """`depth` lists around an int."""
    v = 1
    for _ in range(depth):
        v = [v]
    return v


def nested_dicts(depth):
    """`depth` dicts, the innermost empty."""
    v = {}
    for _ in range(depth - 1):
        v = {"k": v}
    return v


def seed_table(batches):
    batch = pa.record_batch([pa.array([1, 2, 3, 4]), pa.array(["foo", "bar", "baz", None]),
                             pa.array([True, None, False, True])], names=["f0", "f1", "f2"])
    return pa.Table.from_batches([batch] * batches) if batches else batch


def columnar_trades():
    """The table of serialize(columnar(trades)): non-optional fields are not nullable, the
    members of a null struct slot are empty values (as pyarrow's builders leave them)."""
    venue = pa.struct([pa.field("name", pa.string(), nullable=False), pa.field("id", pa.int32())])
    schema = pa.schema([
        pa.field("symbol", pa.string(), nullable=False), pa.field("price", pa.float64(), nullable=False),
        pa.field("qty", pa.int64(), nullable=False), pa.field("fee", pa.float64()),
        pa.field("open", pa.bool_(), nullable=False), pa.field("side", pa.int8(), nullable=False),
        pa.field("lot", pa.uint16(), nullable=False), pa.field("weight", pa.float32(), nullable=False),
        pa.field("venue", venue, nullable=False), pa.field("via", venue), pa.field("note", pa.string())])
    rows = [
        dict(symbol="AAPL", price=189.5, qty=100, fee=0.25, open=True, side=1, lot=1, weight=0.5,
             venue={"name": "XNAS", "id": 7}, via=None, note="first"),
        dict(symbol="héllo 日本", price=-1.0, qty=-5, fee=None, open=False, side=-1, lot=65535, weight=1.5,
             venue={"name": "", "id": None}, via={"name": "relay", "id": 3}, note=None),
        dict(symbol="", price=0.0, qty=INT64_MAX, fee=0.0, open=True, side=1, lot=0, weight=-0.0,
             venue={"name": "XLON", "id": None}, via={"name": "r2", "id": None}, note=""),
    ]
    return pa.Table.from_pylist(rows, schema=schema)


# name -> the Python object (same names as pyarrow_compat_write.cc)
EXPECTED = {
    "value_scalars": [None, True, False, INT64_MIN, INT64_MAX, 0, -1, np.float16(1.5), np.float32(0.1), 2.5, -0.0,
                      datetime.datetime(2020, 2, 28, 23, 59, 59, 999999), "héllo 日本 \U0001F600", "", b"\x00\xff\x7f"],
    "value_containers": {"list": [1, "a", None, 2.5], "tuple": (1, (2, (3,))), "set": {1, 2, 3},
                         "empty": [[], (), set(), {}], 7: "int key", (1, "a"): "tuple key", b"\x01\x02": "bytes key",
                         None: "none key"},
    "value_list_depth_31": nested_lists(31),
    "value_dict_depth_20": nested_dicts(20),
    "value_out_of_band": [pa.Tensor.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3), dim_names=["rows", "cols"]),
                          np.arange(12, dtype=np.int16).reshape(3, 4),
                          None,  # below
                          pa.py_buffer(b"raw bytes \x00\x01")],
    "registered_value": [Point(1.0, 2.0, "p"), {"nested": Point(3.0, 4.0, "q")}],
    "registered_typed": [Point(5.0, 6.0, "r"), Point(7.0, 8.0, "s")],
    "stl_vector_int64": np.array([-1, 0, 1, INT64_MAX], dtype=np.int64),
    "stl_vector_double": np.array([0.5, -1.25]),
    "stl_vector_string": ["a", "héllo", ""],
    "stl_vector_of_vectors": [["a"], [], ["b", "c"]],
    "stl_list": ["x", "y"],
    "stl_array": ["p", "q"],
    "stl_map": {"a": 1.5, "b": -2.0},
    "stl_unordered_map": {1: "one", 2: "two"},
    "stl_map_tuple_keys": {(1, "a"): True},
    "stl_set": {1, 2, 3},
    "stl_unordered_set": {"u", "v"},
    "stl_tuple": (7, "seven", 7.5, True),
    "stl_pair": ("k", 9),
    "stl_optional": [None, "there"],
    "stl_variant": [3, "three"],
    "stl_bytes": b"\x00\xff",
    "stl_uint8_and_float": (np.array([0, 255], dtype=np.uint8), np.array([0.5, 0.1], dtype=np.float32)),
    "span": np.array([1.0, 2.0, 3.0, 4.0]),
    "pfr_aggregate": [("r", 1.5, -2.5, 42, np.array([0.25, 0.5]))],
    "columnar_trades": columnar_trades(),
    "eigen_matrix_col_major": np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4)),
    "eigen_matrix_row_major": np.arange(12, dtype=np.float32).reshape(3, 4),
    "eigen_vector": np.asfortranarray(np.array([[1], [2], [3]], dtype=np.int32)),
    "eigen_tensor": np.arange(24, dtype=np.int64).reshape(2, 3, 4, order="F"),
    "eigen_matrices_map": {i: np.asfortranarray(np.full((2, 2), float(i))) for i in range(3)},
    # Eigen's StorageIndex (int) is the index type
    "eigen_sparse_csr": Sparse(pa.SparseCSRMatrix, (3, 5), np.array([1.5, -2, 3, 0.25]),
                               np.array([0, 1, 3, 4], np.int32), np.array([4, 0, 2, 3], np.int32)),
    "eigen_sparse_csc": Sparse(pa.SparseCSCMatrix, (4, 4), np.array([7, 8, 9], np.float32),
                               np.array([0, 1, 3, 3, 3], np.int32), np.array([3, 0, 2], np.int32)),
    "value_sparse_tensors": {
        "coo": Sparse(pa.SparseCOOTensor, (2, 3, 2), np.array([5, 6, 7, 8], np.int32),
                      np.array([[0, 0, 1], [0, 2, 1], [1, 0, 0], [1, 2, 1]], np.int64)),
        "csf": Sparse(pa.SparseCSFTensor, (2, 3, 2), np.array([5, 6, 7, 8], np.int32),
                      [np.array([0, 2, 4]), np.array([0, 1, 2, 3, 4])],
                      [np.array([0, 1]), np.array([0, 2, 0, 2]), np.array([1, 1, 0, 1])], dim_names=("x", "y", "z")),
        "matrices": [Sparse(pa.SparseCSRMatrix, (2, 2), np.array([1.0, 2.0]), np.array([0, 1, 2]), np.array([1, 0])), 3],
    },
    "arrow_table": seed_table(2),
    "arrow_record_batch": seed_table(0),
    "arrow_array": pa.array(["foo", "bar", "baz", None]),
}
# The int16 ndarray written column-major: element (i, j) is i + 3 j.
EXPECTED["value_out_of_band"][2] = np.asfortranarray(np.arange(12, dtype=np.int16).reshape(4, 3).T)


UNORDERED = {"stl_unordered_map"}  # std::unordered_map: its dict's keys come in hash order


def equal(got, want, where="$", unordered=False):
    """Deep equality that also checks types, numpy dtype/shape/order and Arrow objects."""
    if isinstance(want, Sparse):
        assert type(got) is want.cls, f"{where}: {type(got).__name__}, expected {want.cls.__name__}"
        # Arrow C++ writes an empty name for every dimension of an unnamed tensor (as pyarrow
        # does), and reads them back as such
        names = tuple(got.dim_names) if any(got.dim_names) else ()
        assert got.shape == want.shape and names == tuple(want.dim_names), f"{where}: {got} {got.dim_names}"
        parts = got.to_numpy()
        equal(parts[0].reshape(-1), want.values, f"{where}.values")
        for k, (g, w) in enumerate(zip(parts[1:], want.index)):
            if isinstance(w, list):
                assert len(g) == len(w), f"{where}.index[{k}]: {len(g)} levels"
                for level, (gl, wl) in enumerate(zip(g, w)):
                    equal(gl, wl, f"{where}.index[{k}][{level}]")
            else:
                equal(g, w, f"{where}.index[{k}]")
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: {type(got).__name__}, expected ndarray"
        assert got.dtype == want.dtype and got.shape == want.shape, f"{where}: {got.dtype}{got.shape} != {want.dtype}{want.shape}"
        assert np.array_equal(got, want), f"{where}: values {got} != {want}"
        if want.ndim > 1:  # one dimension is both orders
            assert got.flags.c_contiguous == want.flags.c_contiguous, f"{where}: C order {got.flags.c_contiguous}"
            assert got.flags.f_contiguous == want.flags.f_contiguous, f"{where}: Fortran order {got.flags.f_contiguous}"
    elif isinstance(want, (pa.Tensor, pa.Buffer, pa.Table, pa.RecordBatch, pa.Array)):
        assert type(got) is type(want) and got.equals(want), f"{where}: {got} != {want}"
        if isinstance(want, pa.Tensor):
            assert got.dim_names == want.dim_names, f"{where}: dim_names {got.dim_names}"
    elif isinstance(want, (list, tuple)):
        assert type(got) is type(want) and len(got) == len(want), f"{where}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            equal(g, w, f"{where}[{i}]", unordered)
    elif isinstance(want, np.float32):  # pyarrow 11 reads float32 scalars as Python floats
        assert type(got) is float and got == float(want), f"{where}: {got!r} != {want!r}"
    elif isinstance(want, dict):
        assert type(got) is type(want), f"{where}: {type(got).__name__}, expected dict"
        if unordered:
            assert set(got) == set(want), f"{where}: keys {list(got)} != {list(want)}"
        else:
            assert list(got) == list(want), f"{where}: keys {list(got)} != {list(want)} (in this order)"
        for k in want:
            equal(got[k], want[k], f"{where}[{k!r}]", unordered)
    elif isinstance(want, float) and not isinstance(want, (np.float16, np.float32)) and np.signbit(want):
        assert got == want and np.signbit(got), f"{where}: {got!r} != {want!r}"
    else:
        assert type(got) is type(want) and got == want, f"{where}: {got!r} ({type(got).__name__}) != {want!r}"


@pytest.fixture(scope="session")
def written(scratch, pycompat):
    out = scratch / "arrowpack-writes"
    run(pycompat, "write", out)
    return out


def read_components(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    data = [pa.py_buffer((folder / name).read_bytes()) for name in manifest.pop("data")]
    return {**manifest, "data": data}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_pyarrow_reads_to_buffer(name, written):
    equal(pa.deserialize(pa.py_buffer((written / f"{name}.bin").read_bytes()), context=context()), EXPECTED[name],
          unordered=name in UNORDERED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_pyarrow_reads_write_to(name, written):
    with pa.OSFile(str(written / f"{name}.write_to.bin")) as f:
        equal(pa.read_serialized(f).deserialize(context=context()), EXPECTED[name], unordered=name in UNORDERED)
    assert (written / f"{name}.write_to.bin").read_bytes() == (written / f"{name}.bin").read_bytes()


@pytest.mark.parametrize("name", list(EXPECTED))
def test_pyarrow_reads_components(name, written):
    equal(pa.deserialize_components(read_components(written / f"{name}.components"), context=context()),
          EXPECTED[name], unordered=name in UNORDERED)


# ---- the bytes, where pyarrow's are deterministic for the same object
def parts(blob):
    """(counts, schema, record batch message bytes, out-of-band bytes) of a contiguous blob."""
    counts = struct.unpack_from("<4i", blob, 0)
    reader = pa.BufferReader(pa.py_buffer(blob))
    reader.seek(16)
    schema_message = pa.ipc.read_message(reader)
    batch_message = pa.ipc.read_message(reader)
    eos = reader.read(8)
    assert eos == b"\xff\xff\xff\xff\x00\x00\x00\x00", "the structure stream ends with the end-of-stream marker"
    end = reader.tell()
    tail = blob[(end + 63) // 64 * 64:]
    assert blob[end:(end + 63) // 64 * 64] == bytes(len(blob[end:(end + 63) // 64 * 64])), "zero padding"
    schema = pa.ipc.read_schema(schema_message)
    return counts, schema, batch_message.serialize().to_pybytes(), tail


# Cases whose Python object pa.serialize writes the same way each time (no sets or
# unordered maps, whose order is hash order).
SAME_BYTES = ["value_scalars", "value_list_depth_31", "value_dict_depth_20", "value_out_of_band", "registered_value",
              "registered_typed", "stl_vector_int64", "stl_vector_double", "stl_vector_string", "stl_vector_of_vectors",
              "stl_list", "stl_array", "stl_map", "stl_map_tuple_keys", "stl_tuple", "stl_pair", "stl_optional",
              "stl_variant", "stl_bytes", "stl_uint8_and_float", "span", "pfr_aggregate", "columnar_trades", "eigen_matrix_col_major",
              "eigen_matrix_row_major", "eigen_vector", "eigen_tensor", "eigen_matrices_map"]


@pytest.mark.parametrize("name", SAME_BYTES)
def test_same_bytes_as_pyarrow(name, written):
    ours = parts((written / f"{name}.bin").read_bytes())
    theirs = parts(pa.serialize(EXPECTED[name], context=context()).to_buffer().to_pybytes())
    assert ours[0] == theirs[0], "header counts"
    # The one difference: arrowpack's schema carries arrowpack.format_version (FORMAT.md).
    assert ours[1].metadata == {b"arrowpack.format_version": b"1"} and theirs[1].metadata is None
    assert ours[1].equals(theirs[1], check_metadata=False), f"schema\n{ours[1]}\n!=\n{theirs[1]}"
    assert ours[2] == theirs[2], "record batch message"
    assert ours[3] == theirs[3], "tensors, ndarrays and buffers"


@pytest.mark.parametrize("name", ["value_list_depth_32", "value_dict_depth_21"])
def test_nesting_deeper_than_pyarrow_reads_is_refused_by_pyarrow(name, written):
    """arrowpack writes and reads 100 levels of containers (ReadLimits::max_depth); Arrow
    C++'s IPC reader stops at 64 levels of nested types: pyarrow 11 reads 31 lists or 20
    dicts, no more (registry/FORMAT.md)."""
    with pytest.raises(pa.ArrowInvalid, match="Max recursion depth reached"):
        pa.deserialize(pa.py_buffer((written / f"{name}.bin").read_bytes()))

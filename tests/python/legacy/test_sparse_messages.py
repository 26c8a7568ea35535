"""Section 4 of issue #10: SparseTensor IPC messages, against Arrow C++ 11 (pyarrow 11).

pyarrow has no Python API for standalone SparseTensor messages, but pa.serialize writes
them: its components carry each sparse tensor's Message flatbuffer and its body buffers,
and the contiguous blob holds the framed message itself. From those, each case gives the
message Arrow C++'s WriteSparseTensor writes; arrowpack reads it (`arrowpack cat --json`
equals the JSON computed from pyarrow's own arrays) and writes it again byte for byte.
"""
import struct

import numpy as np
import pyarrow as pa
import pytest
import scipy.sparse

import pyarrow11_cases as p11
from conftest import assert_same_json, run, run_json


def arrow_message(sparse):
    """The framed message Arrow C++ 11 writes for `sparse`, from pa.serialize's components
    (checked against the copy inside the contiguous blob)."""
    serialized = pa.serialize(sparse)
    data = serialized.to_components()["data"]
    metadata, bodies = data[1].to_pybytes(), [b.to_pybytes() for b in data[2:]]
    assert len(metadata) % 8 == 0
    message = b"\xff\xff\xff\xff" + struct.pack("<i", len(metadata)) + metadata
    for body in bodies:
        message += body + bytes(-len(body) % 8)
    blob = serialized.to_buffer().to_pybytes()
    assert blob[512:512 + len(message)] == message, "the blob holds the same message"
    return message


def rng_dense(shape, dtype, density=0.3, seed=3):
    rng = np.random.default_rng(seed)
    values = (rng.standard_normal(shape) * 50).astype(dtype)
    return np.where(rng.random(shape) < density, values, np.zeros(shape, dtype=dtype))


def cases():
    m = np.array([[0, 1.5, 0, 0], [0, 0, 0, 2.5], [3.5, 0, 0, 0]])
    out = {
        "coo_matrix": pa.SparseCOOTensor.from_dense_numpy(m),
        "coo_3d_named": pa.SparseCOOTensor.from_dense_numpy(rng_dense((2, 3, 4), np.float32), dim_names=["a", "b", "c"]),
        "coo_unsorted": pa.SparseCOOTensor.from_numpy(np.array([[4.0], [5.0], [6.0]]),
                                                      np.array([[2, 1], [0, 3], [1, 1]]), shape=(3, 4)),
        "coo_empty": pa.SparseCOOTensor.from_dense_numpy(np.zeros((0, 3))),
        "coo_all_zero": pa.SparseCOOTensor.from_dense_numpy(np.zeros((3, 3), dtype=np.int32)),
        "coo_from_scipy": pa.SparseCOOTensor.from_scipy(scipy.sparse.coo_matrix(m)),
        "csr_matrix": pa.SparseCSRMatrix.from_dense_numpy(m),
        "csr_from_scipy": pa.SparseCSRMatrix.from_scipy(scipy.sparse.random(20, 30, density=0.2, random_state=1,
                                                                            format="csr")),
        "csc_matrix": pa.SparseCSCMatrix.from_dense_numpy(m),
        "csc_from_scipy": pa.SparseCSCMatrix.from_scipy(scipy.sparse.random(7, 5, density=0.4, random_state=2,
                                                                            format="csc")),
        "csf_3d": pa.SparseCSFTensor.from_dense_numpy(rng_dense((2, 3, 4), np.float32), dim_names=["a", "bb", "ccc"]),
        "csf_4d_axis_order": pa.SparseCSFTensor.from_dense_numpy(rng_dense((2, 1, 3, 2), np.float64)),
        "csf_matrix": pa.SparseCSFTensor.from_dense_numpy(m),
    }
    for dt in ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float16"):
        dense = rng_dense((4, 5), dt, seed=len(dt))
        out[f"coo_{dt}"] = pa.SparseCOOTensor.from_dense_numpy(dense)
        out[f"csr_{dt}"] = pa.SparseCSRMatrix.from_dense_numpy(dense)
    return out


CASES = cases()


@pytest.mark.parametrize("name", list(CASES))
def test_arrowpack_reads_and_rewrites_arrow_sparse_messages(name, scratch, cli, pycompat):
    sparse = CASES[name]
    message = arrow_message(sparse)
    path = scratch / f"sparse-{name}.msg"
    path.write_bytes(message)
    got = run_json(cli, "cat", "--json", path)
    assert_same_json(got, {"tensors": [{"sparse_tensor": p11.sparse_json(sparse)}]})
    out = scratch / f"sparse-{name}.arrowpack.msg"
    run(pycompat, "rewrite-tensors", path, out)
    assert out.read_bytes() == message


@pytest.mark.parametrize("name", ["coo_matrix", "coo_3d_named", "coo_all_zero", "coo_empty", "coo_int8", "coo_float16"])
def test_arrowpack_makes_the_coo_form_arrow_makes(name, scratch, pycompat):
    """From the same dense tensor, arrowpack's COO (SparseTensor::coo_from_dense) is Arrow
    C++'s, byte for byte."""
    sparse = CASES[name]
    dense = sparse.to_tensor()
    path = scratch / f"dense-{name}.tensor"
    with pa.OSFile(str(path), "wb") as sink:
        pa.ipc.write_tensor(dense, sink)
    out = scratch / f"coo-{name}.arrowpack.msg"
    run(pycompat, "coo-from-dense", path, out)
    assert out.read_bytes() == arrow_message(pa.SparseCOOTensor.from_tensor(dense))


@pytest.mark.parametrize("name", ["csr_matrix", "csf_3d", "coo_unsorted"])
def test_pyarrow_reads_what_arrowpack_writes(name, scratch, pycompat):
    """pyarrow reads arrowpack's message in place of its own inside a blob (pa.deserialize)."""
    sparse = CASES[name]
    blob = pa.serialize(sparse).to_buffer().to_pybytes()
    path = scratch / f"sparse-{name}.msg"
    path.write_bytes(arrow_message(sparse))
    out = scratch / f"sparse-{name}.arrowpack-for-pyarrow.msg"
    run(pycompat, "rewrite-tensors", path, out)
    ours = out.read_bytes()
    patched = blob[:512] + ours + bytes(-len(ours) % 64)
    back = pa.deserialize(pa.py_buffer(patched))
    assert type(back) is type(sparse) and back.equals(sparse)

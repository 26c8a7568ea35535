"""Sparse tensors and scipy.sparse matrices: arrowpack.SparseTensor made from numpy (views, no
copy), read back as views of the blob, and, with pyarrow 11, the same bytes as pa.serialize
and each side reading the other's blobs."""
import numpy as np
import pytest

import arrowpack as ap


def dense():
    a = np.zeros((4, 6))
    a[0, 1], a[1, 3], a[3, 0], a[3, 5] = 1.5, -2.0, 3.25, 4.0
    return a


def test_coo_from_numpy_views_its_arrays_and_reads_back_as_views():
    data = np.array([1.5, -2.0, 3.25])
    coords = np.array([[0, 1], [1, 3], [3, 0]], dtype=np.int64)
    s = ap.SparseTensor.from_coo(data, coords, (4, 6))
    assert (s.format, s.shape, s.ndim, s.non_zero_length, s.is_canonical) == ("coo", (4, 6), 2, 3, True)
    values, index = s.to_numpy()
    assert values.shape == (3, 1) and np.shares_memory(values, data) and np.shares_memory(index, coords)
    buf = ap.serialize({"m": s}).to_buffer()
    back = ap.deserialize(buf)["m"]
    if isinstance(back, ap.SparseTensor):
        assert back == s
    else:  # pyarrow imported by another test module: pyarrow's class, over the same memory
        assert back.shape == (4, 6) and back.non_zero_length == 3
    values, index = back.to_numpy()
    addr = np.frombuffer(buf, dtype=np.uint8).__array_interface__["data"][0]
    for a in (values, index):
        assert addr <= a.__array_interface__["data"][0] < addr + len(buf) and not a.flags.writeable
    assert np.array_equal(values[:, 0], data) and np.array_equal(index, coords)


def test_unsorted_coordinates_are_not_canonical():
    s = ap.SparseTensor.from_coo([1.0, 2.0], [[1, 0], [0, 0]], (2, 2))
    assert not s.is_canonical
    assert np.array_equal(s.to_dense(), [[2.0, 0.0], [1.0, 0.0]])


def test_csr_csc_csf_and_dense():
    m = dense()
    assert np.array_equal(ap.SparseTensor.from_dense(m).to_dense(), m)
    csr = ap.SparseTensor.from_csr([1.5, -2.0], [0, 1, 2], [1, 3], (2, 6))
    assert csr.format == "csr" and np.array_equal(csr.to_dense()[1], [0, 0, 0, -2.0, 0, 0])
    csc = ap.SparseTensor.from_csc([1.0, 2.0], [0, 1, 1, 2], [0, 1], (2, 3))
    assert np.array_equal(csc.to_dense(), [[1.0, 0, 0], [0, 0, 2.0]])
    # CSF of [[[0, 1], [0, 0]], [[0, 0], [2, 0]]]: levels over axes 0, 1, 2.
    csf = ap.SparseTensor.from_csf([1.0, 2.0], [[0, 1, 2], [0, 1, 2]], [[0, 1], [0, 1], [1, 0]], (2, 2, 2))
    assert np.array_equal(csf.to_dense(), [[[0, 1.0], [0, 0]], [[0, 0], [2.0, 0]]])
    for s in (csr, csc, csf):
        back = ap.deserialize(ap.serialize(s).to_buffer())
        assert np.array_equal(back.to_dense() if isinstance(back, ap.SparseTensor) else back.to_tensor().to_numpy(),
                              s.to_dense())


def test_inconsistent_parts_are_refused():
    with pytest.raises(ap.ArrowInvalid, match="outside|coordinate"):
        ap.SparseTensor.from_coo([1.0], [[5, 0]], (2, 2))
    with pytest.raises(ap.ArrowInvalid):
        ap.SparseTensor.from_csr([1.0], [0, 2, 1], [0], (2, 2))
    with pytest.raises(ap.ArrowTypeError):
        ap.SparseTensor.from_coo(np.array(["a"]), [[0, 0]], (1, 1))


def test_components_count_sparse_tensors():
    c = ap.serialize([ap.SparseTensor.from_dense(dense()), ap.SparseTensor.from_csr([1.0], [0, 1], [0], (1, 1))]
                     ).to_components()
    assert c["num_sparse_tensors"] == {"coo": 1, "csr": 1, "csc": 0, "csf": 0, "ndim_csf": 0}
    back = ap.deserialize_components(c)
    assert len(back) == 2 and back[0].non_zero_length == 4


scipy_sparse = pytest.importorskip("scipy.sparse")


@pytest.mark.parametrize("fmt", ["coo", "csr", "csc"])
def test_scipy_matrices_round_trip(fmt):
    m = scipy_sparse.random(30, 20, density=0.1, format=fmt, random_state=7)
    back = ap.deserialize(ap.serialize({"m": m}).to_buffer())["m"]
    assert type(back) is type(m) and back.shape == m.shape
    assert np.array_equal(back.toarray(), m.toarray())


def test_torch_tensors_after_explicit_registration():
    torch = pytest.importorskip("torch")  # not in the CI environments (its wheel pulls in CUDA)
    context = ap.default_serialization_context()
    ap.register_torch_serialization_handlers(context)
    dense = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    back = ap.deserialize(ap.serialize(dense, context=context).to_buffer(), context=context)
    assert isinstance(back, torch.Tensor) and torch.equal(back, dense)
    sparse = torch.sparse_coo_tensor(torch.tensor([[0, 2], [1, 0]]), torch.tensor([1.5, -2.0]), (3, 2))
    back = ap.deserialize(ap.serialize(sparse, context=context).to_buffer(), context=context)
    assert back.is_sparse and torch.equal(back.to_dense(), sparse.to_dense())

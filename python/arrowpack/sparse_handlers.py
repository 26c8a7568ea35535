"""Sparse data in the default context, as pyarrow 11 registers it: scipy.sparse matrices
(COO, CSR, CSC) travel as a (format, sparse tensor) pair, the sparse tensor being one of the
blob's sparse tensors (a SparseTensor message, no copy of the index or the values); torch
tensors, after register_torch_serialization_handlers(context), as numpy arrays or COO
sparse tensors. The sparse tensors read back as pyarrow's classes once pyarrow has been
imported, as arrowpack.SparseTensor otherwise; both convert to scipy here."""
import warnings

import numpy as np

from ._arrowpack import SparseTensor
from .serialization import registers_own_handlers


def sparse_from_scipy(matrix):
    """An arrowpack.SparseTensor viewing a scipy.sparse COO, CSR or CSC matrix's arrays (copied
    only where the index dtype is not int64). A COO matrix in scipy's canonical form (sorted
    column-major, no duplicates) is sorted row-major first, as pyarrow does, so that the
    tensor's canonical flag holds."""
    import scipy.sparse as sp

    if sp.isspmatrix_coo(matrix):
        row, col, data = matrix.row, matrix.col, matrix.data
        if matrix.has_canonical_format:
            order = np.lexsort((col, row))
            row, col, data = row[order], col[order], data[order]
        coords = np.require(np.vstack([row, col]).T, dtype="i8", requirements="C")
        return SparseTensor.from_coo(data, coords, matrix.shape)
    if sp.isspmatrix_csr(matrix) or sp.isspmatrix_csc(matrix):
        make = SparseTensor.from_csr if sp.isspmatrix_csr(matrix) else SparseTensor.from_csc
        return make(matrix.data, np.require(matrix.indptr, dtype="i8"), np.require(matrix.indices, dtype="i8"),
                    matrix.shape)
    raise TypeError(f"expected a scipy.sparse COO, CSR or CSC matrix, not {type(matrix)}")


def sparse_to_scipy(tensor):
    """The scipy.sparse matrix of a 2-d COO, CSR or CSC sparse tensor (arrowpack's or pyarrow's),
    built over views of its arrays."""
    import scipy.sparse as sp

    fmt = tensor.format if isinstance(tensor, SparseTensor) else _pyarrow_format(tensor)
    parts = tensor.to_numpy()
    if fmt == "coo":
        data, coords = parts
        result = sp.coo_matrix((data[:, 0], (coords[:, 0], coords[:, 1])), shape=tensor.shape)
        canonical = tensor.is_canonical if isinstance(tensor, SparseTensor) else tensor.has_canonical_format
        if canonical:
            result.sum_duplicates()  # scipy's canonical form: sorted column-major
        return result
    if fmt in ("csr", "csc"):
        data, indptr, indices = parts
        make = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
        return make((data[:, 0], indices, indptr), shape=tensor.shape)
    raise TypeError(f"a {fmt.upper()} sparse tensor has no scipy.sparse matrix")


def _pyarrow_format(tensor):
    name = type(tensor).__name__
    return {"SparseCOOTensor": "coo", "SparseCSRMatrix": "csr", "SparseCSCMatrix": "csc",
            "SparseCSFTensor": "csf"}[name]


@registers_own_handlers
def register_scipy_handlers(context):
    """scipy.sparse's coo_matrix, csr_matrix and csc_matrix (and their subclasses) under
    pyarrow 11's names. Other formats (lil, dok, bsr, ...) are not registered, as in pyarrow:
    convert them to one of the three first."""
    import scipy.sparse as sp

    def serialize(matrix):
        if sp.isspmatrix_coo(matrix):
            return "coo", sparse_from_scipy(matrix)
        if sp.isspmatrix_csr(matrix):
            return "csr", sparse_from_scipy(matrix)
        return "csc", sparse_from_scipy(matrix)

    def deserialize(data):
        if not isinstance(data, tuple) or len(data) != 2:
            raise TypeError("a serialized scipy.sparse matrix is a (format, sparse tensor) pair")
        return sparse_to_scipy(data[1])

    for cls, name in ((sp.coo_matrix, "scipy.sparse.coo.coo_matrix"), (sp.csr_matrix, "scipy.sparse.csr.csr_matrix"),
                      (sp.csc_matrix, "scipy.sparse.csc.csc_matrix")):
        context.register_type(cls, name, custom_serializer=serialize, custom_deserializer=deserialize)


@registers_own_handlers
def register_torch_serialization_handlers(context):
    """torch tensors (dense: as numpy arrays viewing their memory; sparse COO: as a COO sparse
    tensor), under pyarrow 11's names ("torch.FloatTensor", ..., "torch.Tensor"). Explicit, as in
    pyarrow: the default context does not import torch."""
    import torch

    def serialize(t):
        if t.is_sparse:
            t = t.coalesce()
            return SparseTensor.from_coo(t.values().detach().numpy(), t.indices().detach().numpy().T.copy(),
                                         list(t.shape))
        return t.detach().numpy()

    def deserialize(data):
        if isinstance(data, np.ndarray):
            # A view of the blob, as in pyarrow (torch warns that the array is read-only: the
            # tensor must not be written to).
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return torch.from_numpy(data)
        values, coords = data.to_numpy()
        return torch.sparse_coo_tensor(indices=coords.T, values=values[:, 0], size=tuple(data.shape))

    for cls in (torch.FloatTensor, torch.DoubleTensor, torch.HalfTensor, torch.ByteTensor, torch.CharTensor,
                torch.ShortTensor, torch.IntTensor, torch.LongTensor, torch.Tensor):
        context.register_type(cls, "torch." + cls.__name__, custom_serializer=serialize, custom_deserializer=deserialize)


SparseTensor.from_scipy = staticmethod(sparse_from_scipy)
SparseTensor.to_scipy = sparse_to_scipy

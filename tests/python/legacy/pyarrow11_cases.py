"""The objects pyarrow 11 serializes for arrowpack to read, and the JSON that
`arrowpack inspect --json` must print for each (computed here from the Python object, by
the rules of pyarrow 11's serialize.cc and serialization.py, not from arrowpack's output).

inspect's JSON (tools/inspect_json.cc): None/bool/int/str as themselves; {"float64": x},
{"float32": x}, {"float16": x}, {"date64": microseconds}, {"bytes": hex}; {"list": [...]},
{"tuple": [...]}, {"set": [...]}, {"dict": [[key, value], ...]}; {"tensor": T},
{"ndarray": T} with T = {"dtype", "shape", ["dim_names"], "values" | "sum"};
{"buffer": {"size", "hex"}}. Registered objects show as the dict pyarrow stored.
"""
import collections
import datetime
import math

import numpy as np
import pyarrow as pa

from tensor_json import element as _element, float_json as _float, tensor_json

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_HEX = 4096  # and shows buffers up to this size in hex
# The deepest nesting pyarrow 11 writes (measured: one more level fails in its IPC writer).
PYARROW_MAX_LIST_DEPTH = 31
PYARROW_MAX_DICT_DEPTH = 19


# ---- classes registered in the custom context (the same names as pyarrow_compat.cc's)
class Point:
    """Registered with callbacks."""

    def __init__(self, x, y, label):
        self.x, self.y, self.label = x, y, label

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y, self.label) == (other.x, other.y, other.label)


class Plain:
    """Registered without callbacks: travels as its __dict__."""

    def __eq__(self, other):
        return type(other) is Plain and self.__dict__ == other.__dict__


Pair = collections.namedtuple("Pair", ["first", "second"])


class Secret:
    """Registered with pickle=True: arrowpack must never unpickle it."""

    def __init__(self, payload):
        self.payload = payload


def make_custom_context():
    context = pa.default_serialization_context()
    context.register_type(Point, "Point",
                          custom_serializer=lambda p: {"x": p.x, "y": p.y, "label": p.label},
                          custom_deserializer=lambda d: Point(d["x"], d["y"], d["label"]))
    context.register_type(Plain, "Plain")
    context.register_type(Pair, "Pair")
    context.register_type(Secret, "Secret", pickle=True)
    return context


# ---- the expected JSON
class Refused(Exception):
    """arrowpack refuses the object, with an error that contains the message."""


SPARSE_TYPES = (pa.SparseCOOTensor, pa.SparseCSRMatrix, pa.SparseCSCMatrix, pa.SparseCSFTensor)


def expected_or_refusal(obj, context):
    """{"json": expected JSON} or {"refused": text the error must contain}."""
    try:
        return {"json": expected(obj, context)}
    except Refused as e:
        return {"refused": str(e)}


def sparse_json(sparse):
    """The JSON of a sparse tensor (tools/inspect_json.cc sparse_tensor_json), from pyarrow's
    arrays (to_numpy, to_tensor). CSF tensors are those of from_dense_numpy, whose axis order
    pyarrow does not expose: it orders the axes by extent (a stable argsort of the shape)."""
    kind = type(sparse).__name__
    fmt = {"SparseCOOTensor": "COO", "SparseCSRMatrix": "CSR", "SparseCSCMatrix": "CSC", "SparseCSFTensor": "CSF"}[kind]
    out = {"format": fmt, "shape": list(sparse.shape)}
    if any(sparse.dim_names):
        out["dim_names"] = list(sparse.dim_names)
    out["non_zero_length"] = sparse.non_zero_length
    if fmt == "COO":
        out["canonical"] = sparse.has_canonical_format
    parts = sparse.to_numpy()
    values = parts[0].reshape(-1)
    if fmt == "CSF":
        out["axis_order"] = [int(a) for a in np.argsort(sparse.shape, kind="stable")]
    out["values"] = tensor_json(values)
    if fmt == "COO":
        out["indices"] = tensor_json(parts[1])
    elif fmt == "CSF":
        out["indices"] = [tensor_json(a) for a in parts[2]]
        out["indptr"] = [tensor_json(a) for a in parts[1]]
    else:
        out["indices"] = tensor_json(parts[2])
        out["indptr"] = tensor_json(parts[1])
    dense = sparse.to_tensor().to_numpy()
    out["dense"] = tensor_json(dense, list(sparse.dim_names) if any(sparse.dim_names) else None)
    return out


def _registered(context, obj):
    """The dict pyarrow's SerializationContext._serialize_callback makes for obj."""
    return context._serialize_callback(obj)


NATIVE_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
                 np.float16, np.float32, np.float64]


def expected(obj, context):
    """inspect's JSON of pa.serialize(obj, context), built from obj."""
    if obj is None:
        return None
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, int) and type(obj) is int or isinstance(obj, np.integer):
        if INT64_MIN <= int(obj) <= INT64_MAX:
            return int(obj)
        return expected(_registered(context, obj), context)
    if isinstance(obj, np.float16):
        return _float("float16", obj)
    if isinstance(obj, np.float32):
        return _float("float32", _element(np.dtype(np.float32), obj))
    if isinstance(obj, float):
        return _float("float64", obj)
    if type(obj) is bytes:
        return {"bytes": obj.hex()}
    if type(obj) is str:
        return obj
    if type(obj) is datetime.datetime:
        epoch = datetime.datetime(1970, 1, 1)
        delta = obj - epoch
        return {"date64": (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds}
    if type(obj) is list:
        return {"list": [expected(x, context) for x in obj]}
    if type(obj) is tuple:
        return {"tuple": [expected(x, context) for x in obj]}
    if type(obj) is set:
        return {"set": [expected(x, context) for x in obj]}
    if type(obj) is dict:
        return {"dict": [[expected(k, context), expected(v, context)] for k, v in obj.items()]}
    if type(obj) is np.ndarray and obj.dtype.type in NATIVE_DTYPES:
        return {"ndarray": tensor_json(obj)}
    if isinstance(obj, pa.Tensor):
        return {"tensor": tensor_json(obj.to_numpy(), [n for n in obj.dim_names] if obj.dim_names else None)}
    if isinstance(obj, SPARSE_TYPES):
        return {"sparse_tensor": sparse_json(obj)}
    if isinstance(obj, pa.Buffer):
        out = {"size": obj.size}
        if obj.size <= MAX_HEX:
            out["hex"] = obj.to_pybytes().hex()
        return {"buffer": out}
    return expected(_registered(context, obj), context)


# ---- the cases: name -> (object, context name); built on demand (some are large)
def _nested(depth, leaf, wrap):
    value = leaf
    for _ in range(depth):
        value = wrap(value)
    return value


def cases():
    rng = np.random.default_rng(7)
    c = {}
    # scalars
    c["none"] = None
    c["bools"] = [True, False]
    c["int_zero"] = 0
    c["int64_extremes"] = [INT64_MIN, INT64_MAX, -1, 1]
    c["int_beyond_int64"] = [2**63, -(2**63) - 1, 2**100, -(10**40)]
    c["bytes"] = [b"", b"\x00\xff\x7fabc", bytes(range(256))]
    c["str_non_ascii"] = ["", "ascii", "héllo wörld", "日本語", "emoji \U0001F600", "nul \x00 inside"]
    c["floats"] = [0.0, -0.0, 1.5, -2.25e300, 5e-324, float("inf"), float("-inf"), float("nan")]
    c["numpy_scalars"] = [np.float16(1.5), np.float16(-65504), np.float32(0.1), np.float32(3.4e38), np.float64(2.5),
                          np.int8(-128), np.uint32(4000000000), np.int64(INT64_MIN), np.bool_(True)]
    c["datetimes"] = [datetime.datetime(1970, 1, 1), datetime.datetime(2020, 2, 29, 23, 59, 59, 999999),
                      datetime.datetime(1900, 1, 1, 0, 0, 0, 1), datetime.datetime(9999, 12, 31)]
    # containers
    c["containers"] = {"list": [1, "a", None, 2.5], "tuple": (1, (2, (3,))), "set": {1, 2, 3, "x"},
                       "empty": [[], (), set(), {}]}
    # As deep as pyarrow 11 can write: serialize() accepts 100 levels, but the structure's
    # IPC stream then fails in Arrow C++'s writer ("Max recursion depth reached": 64 levels
    # of nested types; a list level is list<dense_union>, two; a dict level three).
    c["list_depth_31"] = _nested(PYARROW_MAX_LIST_DEPTH, 1, lambda v: [v])
    c["tuple_depth_31"] = _nested(PYARROW_MAX_LIST_DEPTH, "leaf", lambda v: (v,))
    c["dict_depth_19"] = _nested(PYARROW_MAX_DICT_DEPTH, {}, lambda v: {"k": v})
    c["set_in_lists_depth_31"] = _nested(PYARROW_MAX_LIST_DEPTH - 1, {1, 2}, lambda v: [v])
    c["mixed_depth_30"] = _nested(15, 0, lambda v: [(v, {1})])
    c["dict_keys"] = {1: "int", -5: "negative", (1, "a"): "tuple", b"\x01\x02": "bytes", "s": "str", None: "none",
                      2.5: "float", (): "empty tuple"}
    # numpy arrays pyarrow writes as ndarrays (tag 15)
    for t in NATIVE_DTYPES:
        info = np.iinfo(t) if np.dtype(t).kind in "iu" else np.finfo(t)
        c[f"ndarray_{np.dtype(t).name}"] = np.array([info.min, 0, 1, info.max], dtype=t)
    c["ndarray_c_order"] = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    c["ndarray_fortran_order"] = np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4))
    c["ndarray_non_contiguous"] = np.arange(60, dtype=np.int64).reshape(6, 10)[1:5:2, ::3]
    c["ndarray_0d"] = np.array(42.5)
    c["ndarray_empty"] = [np.zeros((0,), dtype=np.float32), np.zeros((3, 0, 2), dtype=np.int16)]
    c["ndarray_random_float"] = rng.standard_normal((50, 40))
    # ... and those it routes through the default context's 'np.array' handler
    c["ndarray_bool"] = np.array([True, False, True])
    c["ndarray_str"] = np.array(["a", "héllo", ""])
    c["ndarray_object"] = np.array([1, "two", None, [3]], dtype=object)
    c["ndarray_datetime64"] = np.array(["2020-01-01", "1969-12-31"], dtype="datetime64[D]")
    c["ndarray_datetime64_ns"] = np.array([0, 10**18], dtype="datetime64[ns]")
    # Arrow objects
    c["tensor"] = pa.Tensor.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3), dim_names=["rows", "cols"])
    c["tensor_fortran"] = pa.Tensor.from_numpy(np.asfortranarray(np.arange(6, dtype=np.uint16).reshape(3, 2)))
    c["buffers"] = [pa.py_buffer(b"raw bytes"), pa.py_buffer(memoryview(b"from a memoryview")),
                    pa.py_buffer(bytes(5000)), pa.py_buffer(b"")]
    # registered classes (custom context)
    plain = Plain()
    plain.a, plain.b = 1, [2, "three"]
    c["registered"] = ([Point(1.0, 2.0, "p"), plain, Pair(1, "two"), {"nested": Point(3.0, 4.0, "q")}], "custom")
    c["pickled"] = (Secret("do not run me"), "custom")
    c["pickled_type"] = collections.OrderedDict  # the default context pickles types ('type')
    c["pickled_function"] = tensor_json  # ... and functions ('function')
    # pyarrow's default context
    arr = pa.array([1, None, 3], type=pa.int32())
    batch = pa.record_batch([pa.array([1.5, 2.5]), pa.array(["x", None])], names=["f", "s"])
    c["pyarrow_array"] = arr
    c["pyarrow_record_batch"] = batch
    c["pyarrow_table"] = pa.Table.from_batches([batch, batch])
    c["ordered_dict"] = collections.OrderedDict([("b", 1), ("a", 2)])
    c["default_dict"] = collections.defaultdict(list, {"k": [1]})
    c["counter"] = collections.Counter("abracadabra")
    c["deque"] = collections.deque([1, 2, 3])
    c["np_matrix"] = np.matrix([[1.0, 2.0], [3.0, 4.0]])
    # the seed chapter's example: 100 arrays of 500x500 (200 MB)
    c["large_100_arrays_500x500"] = {i: rng.standard_normal((500, 500)) for i in range(100)}
    return c


def pandas_cases():
    import pandas as pd
    c = {}
    c["pandas_numeric_frame"] = pd.DataFrame({"i": np.arange(4, dtype=np.int64), "f": np.linspace(0, 1, 4),
                                              "j": np.arange(4, 8, dtype=np.int64)})
    c["pandas_mixed_frame"] = pd.DataFrame({"n": [1, 2, 3], "s": ["a", "b", None],
                                            "t": pd.to_datetime(["2020-01-01", "2021-06-30", None]),
                                            "c": pd.Categorical(["x", "y", "x"])})
    c["pandas_series"] = pd.Series([1.5, 2.5, None], name="values")
    return c


def scipy_cases():
    import scipy.sparse as sp
    dense = np.array([[0, 1.5, 0], [2.5, 0, 0], [0, 0, 3.5]])
    return {"scipy_coo": sp.coo_matrix(dense), "scipy_csr": sp.csr_matrix(dense), "scipy_csc": sp.csc_matrix(dense)}


def sparse_tensor_cases():
    dense = np.array([[0, 1, 0], [2, 0, 3]], dtype=np.float64)
    return {"sparse_coo": pa.SparseCOOTensor.from_dense_numpy(dense),
            "sparse_csr": pa.SparseCSRMatrix.from_dense_numpy(dense),
            "sparse_csc": pa.SparseCSCMatrix.from_dense_numpy(dense),
            "sparse_csf": pa.SparseCSFTensor.from_dense_numpy(np.arange(8, dtype=np.int64).reshape(2, 2, 2) % 3)}

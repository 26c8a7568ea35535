"""The handlers of the default context: the types pyarrow 11's default context registers,
under the same names and with the same serialized shapes (so that each reads the other's
blobs). numpy is required; pyarrow's and pandas' handlers are added when those packages are
installed, the first time an object or a blob needs them, so that importing arrowpack
imports neither."""
import collections
import sys

import numpy as np

from .serialization import registers_own_handlers


def _descr_to_dtype(descr):
    return np.lib.format.descr_to_dtype(descr)


def _dtype_to_descr(dtype):
    return np.lib.format.dtype_to_descr(dtype)


# ---- numpy: arrays of dtypes the writer does not take itself (bool, strings, structured,
# object), and np.matrix

def _serialize_numpy_array_list(obj):
    if obj.dtype.str != "|O":
        if not obj.flags.c_contiguous:
            obj = np.ascontiguousarray(obj)
        return obj.view("uint8"), _dtype_to_descr(obj.dtype)
    return obj.tolist(), _dtype_to_descr(obj.dtype)


def _deserialize_numpy_array_list(data):
    values, descr = data
    if descr != "|O":
        if not isinstance(values, np.ndarray) or values.dtype != np.uint8:
            raise TypeError("a serialized np.array holds its bytes as a uint8 array")
        return values.view(_descr_to_dtype(descr))
    return np.array(values, dtype=np.dtype(descr))


def _serialize_numpy_matrix(obj):
    if obj.dtype.str != "|O":
        array = np.ascontiguousarray(obj.A)
        return array.view("uint8"), _dtype_to_descr(obj.dtype)
    return obj.A.tolist(), _dtype_to_descr(obj.dtype)


def _deserialize_numpy_matrix(data):
    values, descr = data
    if descr != "|O":
        if not isinstance(values, np.ndarray) or values.dtype != np.uint8:
            raise TypeError("a serialized np.matrix holds its bytes as a uint8 array")
        return np.asmatrix(values.view(_descr_to_dtype(descr)))
    return np.asmatrix(np.array(values, dtype=np.dtype(descr)))


# ---- collections

def _register_collections(context):
    context.register_type(collections.deque, "collections.deque", custom_serializer=list,
                          custom_deserializer=collections.deque)
    context.register_type(collections.OrderedDict, "collections.OrderedDict",
                          custom_serializer=lambda d: (list(d.keys()), list(d.values())),
                          custom_deserializer=lambda data: collections.OrderedDict(zip(data[0], data[1])))
    context.register_type(collections.defaultdict, "collections.defaultdict",
                          custom_serializer=lambda d: (list(d.keys()), list(d.values()), d.default_factory),
                          custom_deserializer=lambda data: collections.defaultdict(data[2], zip(data[0], data[1])))
    context.register_type(collections.Counter, "collections.Counter",
                          custom_serializer=lambda d: (list(d.keys()), list(d.values())),
                          custom_deserializer=lambda data: collections.Counter(dict(zip(data[0], data[1]))))


# ---- pyarrow objects: an IPC stream in a buffer, as pyarrow 11 wrote them

@registers_own_handlers
def _register_pyarrow(context):
    import pyarrow as pa

    def to_stream(obj):
        # A batch or a table as one IPC stream in a buffer, as pyarrow 11's handlers wrote them.
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, obj.schema) as writer:
            writer.write(obj)
        return sink.getvalue()

    def buffer_to_batch(buf):
        with pa.ipc.open_stream(pa.py_buffer(buf)) as reader:
            return reader.read_next_batch()

    def buffer_to_table(buf):
        with pa.ipc.open_stream(pa.py_buffer(buf)) as reader:
            return reader.read_all()

    context.register_type(pa.Array, "pyarrow.Array",
                          custom_serializer=lambda a: to_stream(pa.RecordBatch.from_arrays([a], [""])),
                          custom_deserializer=lambda buf: buffer_to_batch(buf).column(0))
    context.register_type(pa.RecordBatch, "pyarrow.RecordBatch", custom_serializer=to_stream,
                          custom_deserializer=buffer_to_batch)
    context.register_type(pa.Table, "pyarrow.Table", custom_serializer=to_stream,
                          custom_deserializer=buffer_to_table)


# ---- packages whose handlers live in modules of their own, imported when needed

@registers_own_handlers
def _register_pandas(context):
    from .pandas_handlers import register_pandas_handlers
    register_pandas_handlers(context)


@registers_own_handlers
def _register_scipy(context):
    from .sparse_handlers import register_scipy_handlers
    register_scipy_handlers(context)


# Handlers that need an optional package: (module, register function, prefix of their names).
_OPTIONAL = [("pyarrow", _register_pyarrow, "pyarrow."), ("pandas", _register_pandas, "pd."),
             ("scipy", _register_scipy, "scipy.sparse.")]


def add_optional_handlers(context, type_id=None):
    """Registers the handlers of optional packages not registered yet: those already imported
    (an object of their types can only exist then), and, for a blob naming `type_id`, the
    package that name belongs to if it can be imported. Returns whether any was added."""
    added = False
    done = context._optional_done
    for module, register, prefix in _OPTIONAL:
        if module in done:
            continue
        wanted = type_id is not None and type_id.startswith(prefix)
        if module not in sys.modules and not wanted:
            continue
        try:
            register(context)
        except ImportError:
            pass
        done.add(module)
        added = True
    return added


def register_default_serialization_handlers(context):
    """Registers pyarrow 11's default handlers in `context`: int beyond 64 bits (as its
    decimal text), functions and classes (pickled), np.matrix, numpy arrays the writer does
    not take itself, OrderedDict, defaultdict, Counter, deque, pyarrow's Array, RecordBatch
    and Table when pyarrow is installed, pandas' DataFrame, Series, Index and Interval,
    Period and Datetime arrays when pandas is installed (pandas_handlers.py), and scipy.sparse
    COO, CSR and CSC matrices when scipy is installed (sparse_handlers.py)."""
    _register_defaults(context)
    context._optional_done = set()
    add_optional_handlers(context)


@registers_own_handlers
def _register_defaults(context):
    context.register_type(int, "int", custom_serializer=str, custom_deserializer=int)
    context.register_type(type(lambda: 0), "function", pickle=True)
    context.register_type(type, "type", pickle=True)
    context.register_type(np.matrix, "np.matrix", custom_serializer=_serialize_numpy_matrix,
                          custom_deserializer=_deserialize_numpy_matrix)
    context.register_type(np.ndarray, "np.array", custom_serializer=_serialize_numpy_array_list,
                          custom_deserializer=_deserialize_numpy_array_list)
    _register_collections(context)


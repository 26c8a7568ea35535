"""arrowpack for Python: pyarrow 11's serialization API (pa.serialize, SerializationContext,
deserialize_components, ...) over arrowpack's C++ library, byte-compatible with pyarrow 11's
blobs both ways, and the Python end of arrowpack's C++ programs; Arrow IPC streams and
files (arrowpack.ipc) that pyarrow, polars and DuckDB take through the Arrow PyCapsule
interface without a copy; and enough of pyarrow's array API (array, record_batch, schema,
field, the primitive types) to write them, so that pyarrow's chapter "Streaming,
Serialization, and IPC" runs with ``import arrowpack as pa``.

    import arrowpack as pa
    buf = pa.serialize({"a": np.arange(10)}).to_buffer()
    obj = pa.deserialize(buf)          # numpy arrays are read-only views of buf

Unlike pyarrow, deserialize() never unpickles unless it is called with allow_pickle=True,
and then only objects of types registered with pickle=True (see arrowpack.serialization).
"""
from . import ipc, transport
from ._arrowpack import (Array, DataType, Field, RecordBatch, Schema, SparseTensor, Table, array, binary, bool_,
                         date32, date64, field, float16, float32, float64, int8, int16, int32, int64, large_binary,
                         large_string, null, py_buffer, record_batch, schema, string, uint8, uint16, uint32, uint64,
                         utf8)
from .handlers import register_default_serialization_handlers
from .ipc import (BufferOutputStream, BufferReader, NativeFile, OSFile, create_memory_map, memory_map,
                  total_allocated_bytes)
from .lib import (ArrowCapacityError, ArrowException, ArrowIndexError, ArrowInvalid, ArrowIOError, ArrowKeyError,
                  ArrowMemoryError, ArrowNotImplementedError, ArrowSerializationError, ArrowTypeError,
                  DeserializationCallbackError, SerializationCallbackError)
from .serialization import (Buffer, SerializationContext, SerializedPyObject, default_serialization_context,
                            deserialize, deserialize_components, deserialize_from, read_serialized, serialize,
                            serialize_to)
from .sparse_handlers import register_torch_serialization_handlers

__version__ = "0.1.0"

__all__ = [
    "Array", "ArrowCapacityError", "ArrowException", "ArrowIOError", "ArrowIndexError", "ArrowInvalid",
    "ArrowKeyError", "ArrowMemoryError", "ArrowNotImplementedError", "ArrowSerializationError", "ArrowTypeError",
    "Buffer", "BufferOutputStream", "BufferReader", "DataType", "DeserializationCallbackError", "Field",
    "NativeFile", "OSFile", "RecordBatch", "Schema", "SerializationCallbackError", "SerializationContext",
    "SerializedPyObject", "SparseTensor", "Table", "array", "binary", "bool_", "create_memory_map", "date32",
    "date64", "default_serialization_context", "deserialize", "deserialize_components", "deserialize_from",
    "field", "float16", "float32", "float64", "int16", "int32", "int64", "int8", "ipc", "large_binary", "transport",
    "large_string", "memory_map", "null", "py_buffer", "read_serialized", "record_batch", "register_default_serialization_handlers",
    "register_torch_serialization_handlers", "schema", "serialize", "serialize_to", "string",
    "total_allocated_bytes", "uint16", "uint32", "uint64", "uint8", "utf8",
]

"""Arrow IPC from Python, with pyarrow's names: open_stream, open_file, new_stream, new_file,
and the files they read and write (memory_map, BufferReader, BufferOutputStream, OSFile).

Readers, batches, tables and schemas speak the Arrow PyCapsule interface, so pyarrow, polars,
DuckDB or nanoarrow take them without a copy: ``pyarrow.table(reader)``,
``polars.from_arrow(...)``, ``duckdb.sql("select * from reader")``. Writers take any
PyCapsule producer: a pyarrow schema, batch or table, or arrowpack's own.

Reading from a buffer (bytes, arrowpack.Buffer, pyarrow.Buffer, a memoryview) or a memory map
allocates nothing for the data: the batches are views of that memory and keep it alive.
"""
from . import _arrowpack

NativeFile = _arrowpack.NativeFile
RecordBatch = _arrowpack.RecordBatch
RecordBatchFileReader = _arrowpack.RecordBatchFileReader
RecordBatchStreamReader = _arrowpack.RecordBatchStreamReader
RecordBatchWriter = _arrowpack.RecordBatchWriter
Schema = _arrowpack.Schema
Table = _arrowpack.Table
total_allocated_bytes = _arrowpack.total_allocated_bytes


def BufferReader(obj):  # noqa: N802 (pyarrow's name)
    """A readable file over the memory of `obj` (anything with the buffer protocol): reads
    are views of it, no copy."""
    return _arrowpack._buffer_reader(obj)


def BufferOutputStream():  # noqa: N802
    """A writable file in memory; getvalue() gives what was written as an arrowpack.Buffer."""
    return _arrowpack._buffer_output_stream()


def OSFile(path, mode="r"):  # noqa: N802
    """An operating-system file opened for reading ("r"), writing ("w") or appending ("a")."""
    return _arrowpack._os_file(str(path), mode)


def memory_map(path, mode="r"):
    """The file at `path` mapped into memory ("r", or "r+" to write in place); readers
    of it read in place."""
    return _arrowpack._memory_map(str(path), mode)


def create_memory_map(path, size):
    """A new file of `size` bytes at `path`, mapped for writing."""
    return _arrowpack._create_memory_map(str(path), size)


def open_stream(source):
    """A reader of the IPC stream format. `source`: a buffer-protocol object or a path (read
    in place), a NativeFile, or a Python file object (read whole first)."""
    return _arrowpack._open_stream(source)


def open_file(source):
    """A reader of the IPC file format (random access to its batches); sources as for
    open_stream."""
    return _arrowpack._open_file(source)


def new_stream(sink, schema):
    """A writer of the IPC stream format to `sink` (a NativeFile, a path, or a Python file
    object), for `schema` (any object with __arrow_c_schema__)."""
    return _arrowpack._new_stream(sink, schema)


def new_file(sink, schema):
    """A writer of the IPC file format; as new_stream."""
    return _arrowpack._new_file(sink, schema)


def schema(obj):
    """arrowpack's Schema of any __arrow_c_schema__ producer."""
    return _arrowpack._schema(obj)


def record_batch(obj):
    """arrowpack's RecordBatch of any __arrow_c_array__ producer (no copy: it holds the
    producer's memory)."""
    return _arrowpack._record_batch(obj)


def table(obj):
    """arrowpack's Table of any __arrow_c_stream__ producer (no copy)."""
    return _arrowpack._table(obj)


__all__ = ["BufferOutputStream", "BufferReader", "NativeFile", "OSFile", "RecordBatch", "RecordBatchFileReader",
           "RecordBatchStreamReader", "RecordBatchWriter", "Schema", "Table", "create_memory_map", "memory_map",
           "new_file", "new_stream", "open_file", "open_stream", "record_batch", "schema", "table",
           "total_allocated_bytes"]

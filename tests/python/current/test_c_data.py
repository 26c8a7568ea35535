"""Issue #12: the Arrow C data interfaces between arrowpack (libarrowpack_c, loaded with
ctypes) and a current pyarrow, and the nanoarrow package as a second consumer and producer.

Every case of ipc_cases.py goes both ways without a copy: pyarrow exports each batch
(_export_to_c), arrowpack validates it in full and exports it back (arrowpack_validate_array),
pyarrow imports that (_import_from_c) and must see equal batches whose buffers sit at the
addresses of its own. arrowpack reads pyarrow's IPC bytes as a C stream whose buffers lie
inside those bytes, and writes IPC from pyarrow's C streams, byte for byte what pyarrow writes.
Inconsistent arrays from a producer get EINVAL and a message, never a crash.
"""
import ctypes
import errno
import os

import nanoarrow as na
import pyarrow as pa
import pytest
from nanoarrow._array_stream import CArrayStream

import ipc_cases

CASES = ipc_cases.cases()


class ArrowSchema(ctypes.Structure):
    pass


ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_void_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowSchema))), ("dictionary", ctypes.POINTER(ArrowSchema)),
    ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


class ArrowArray(ctypes.Structure):
    pass


ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64), ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowArray))), ("dictionary", ctypes.POINTER(ArrowArray)),
    ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))


class ArrowArrayStream(ctypes.Structure):
    _fields_ = [("get_schema", ctypes.c_void_p), ("get_next", ctypes.c_void_p), ("get_last_error", ctypes.c_void_p),
                ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


@pytest.fixture(scope="module")
def lib():
    path = os.environ.get("ARROWPACK_C_LIB")
    if not path:
        pytest.exit("ARROWPACK_C_LIB is not set: run these tests through ctest (see CONTRIBUTING.md)", 2)
    if path == "sanitized":
        pytest.skip("a sanitized libarrowpack_c cannot be loaded into python (the sanitizer runtime must come "
                    "first): these tests run in the release build; tests/capi runs the ABI under ASan")
    lib = ctypes.CDLL(path)
    lib.arrowpack_last_error.restype = ctypes.c_char_p
    lib.arrowpack_version.restype = ctypes.c_char_p
    lib.arrowpack_ipc_read_stream.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.POINTER(ArrowArrayStream)]
    lib.arrowpack_ipc_read_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(ArrowArrayStream)]
    lib.arrowpack_ipc_write_stream.argtypes = [ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ctypes.c_void_p),
                                               ctypes.POINTER(ctypes.c_int64)]
    lib.arrowpack_ipc_write_file.argtypes = [ctypes.POINTER(ArrowArrayStream), ctypes.c_char_p]
    lib.arrowpack_free.argtypes = [ctypes.c_void_p]
    lib.arrowpack_validate_array.argtypes = [ctypes.POINTER(ArrowArray), ctypes.POINTER(ArrowSchema),
                                             ctypes.POINTER(ArrowArray), ctypes.POINTER(ArrowSchema)]
    lib.arrowpack_validate_stream.argtypes = [ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowArrayStream)]
    return lib


def addr(struct):
    return ctypes.addressof(struct)


def as_stream(address):
    """An ArrowArrayStream that another library (nanoarrow) allocated, by address."""
    return ctypes.cast(ctypes.c_void_p(address), ctypes.POINTER(ArrowArrayStream))


def all_arrays(array):
    """`array`, its children and its dictionary, depth first (what pyarrow's buffers() walks,
    plus dictionaries)."""
    yield array
    t = array.type
    if pa.types.is_dictionary(t):
        yield from all_arrays(array.dictionary)


def buffer_addresses(array):
    out = [b.address if b is not None else None for b in array.buffers()]
    if pa.types.is_dictionary(array.type):
        out += buffer_addresses(array.dictionary)
    return out


def write_stream(schema, batches, **options):
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema, options=pa.ipc.IpcWriteOptions(**options)) as writer:
        for b in batches:
            writer.write_batch(b)
    return sink.getvalue()


def same(a, b):
    """Equal values, NaNs included (pyarrow's equals() has NaN != NaN): the same IPC bytes."""
    if a.equals(b):
        return True
    return write_stream(a.schema, [a]) == write_stream(b.schema, [b])


def decoded(table):
    """`table` in one chunk per column, dictionaries decoded (merging changes the dictionaries
    of a file, not the values)."""
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.table(columns, names=table.column_names).combine_chunks()


def same_values(a, b):
    a, b = decoded(a), decoded(b)
    if a.equals(b):
        return True
    return write_stream(a.schema, a.to_batches()) == write_stream(b.schema, b.to_batches())


def validated(lib, batch):
    """pyarrow -> arrowpack (validated in full) -> pyarrow, through C structs."""
    array, schema = ArrowArray(), ArrowSchema()
    batch._export_to_c(addr(array), addr(schema))
    out_array, out_schema = ArrowArray(), ArrowSchema()
    rc = lib.arrowpack_validate_array(array, schema, out_array, out_schema)
    assert rc == 0, lib.arrowpack_last_error().decode()
    assert array.release is None and schema.release is None  # moved into arrowpack
    return pa.RecordBatch._import_from_c(addr(out_array), addr(out_schema))


@pytest.mark.parametrize("name", sorted(CASES))
def test_batches_go_both_ways_without_a_copy(lib, name):
    case = CASES[name]
    checked = 0
    for batch in case.batches:
        back = validated(lib, batch)
        assert back.schema.equals(batch.schema, check_metadata=True)
        assert same(back, batch)
        back.validate(full=True)
        for original, returned in zip(batch.columns, back.columns):
            for a, b in zip(buffer_addresses(original), buffer_addresses(returned)):
                if a is not None and b is not None:
                    assert a == b, f"{original.type}: a buffer was copied"
                    checked += 1
    if any(b.num_rows for b in case.batches):
        assert checked > 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_arrowpack_reads_pyarrow_ipc_as_a_c_stream_in_place(lib, name):
    case = CASES[name]
    options = dict(compression=case.compression, emit_dictionary_deltas=case.emit_dictionary_deltas)
    data = write_stream(case.schema, case.batches, **options)
    stream = ArrowArrayStream()
    rc = lib.arrowpack_ipc_read_stream(data.address, data.size, stream)
    assert rc == 0, lib.arrowpack_last_error().decode()
    reader = pa.RecordBatchReader._import_from_c(addr(stream))
    table = reader.read_all()
    assert table.schema.equals(case.schema, check_metadata=True)
    assert all(same(a, b) for a, b in zip(table.to_batches(), case.batches))
    if case.compression:
        return  # decompressed buffers are new memory
    for column in table.columns:
        for chunk in column.chunks:
            buffers = chunk.buffers()
            if pa.types.is_dictionary(chunk.type) and not case.emit_dictionary_deltas:
                buffers += chunk.dictionary.buffers()  # joined deltas are new memory (IpcReadOptions)
            for b in buffers:
                if b is not None and b.size > 0:
                    assert data.address <= b.address < data.address + data.size, "a buffer does not view the stream"


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if not c.compression))
def test_arrowpack_writes_pyarrow_c_streams_as_pyarrow_writes_them(lib, name, tmp_path):
    case = CASES[name]
    reader = pa.RecordBatchReader.from_batches(case.schema, case.batches)
    stream = ArrowArrayStream()
    reader._export_to_c(addr(stream))
    out, size = ctypes.c_void_p(), ctypes.c_int64()
    rc = lib.arrowpack_ipc_write_stream(stream, ctypes.byref(out), ctypes.byref(size))
    assert rc == 0, lib.arrowpack_last_error().decode()
    try:
        written = ctypes.string_at(out, size.value)
    finally:
        lib.arrowpack_free(out)
    table = pa.ipc.open_stream(written).read_all()
    assert all(same(a, b) for a, b in zip(table.to_batches(), case.batches))
    assert table.schema.equals(case.schema, check_metadata=True)
    # Byte for byte pyarrow's stream, but where the two writers may differ and both are right:
    # dictionaries that change (deltas or replacements), the metadata pyarrow adds for
    # extension types, and how much of a sliced array's buffers goes into the body.
    if name not in ("dictionary_deltas", "dictionary_replacements", "extension", "sliced", "sliced_nested"):
        assert written == write_stream(case.schema, case.batches).to_pybytes()
    # And as a file, read back through a memory map (the batches view the mapping).
    path = tmp_path / "out.arrow"
    reader = pa.RecordBatchReader.from_batches(case.schema, case.batches)
    stream = ArrowArrayStream()
    reader._export_to_c(addr(stream))
    # Files cannot replace a dictionary: arrowpack_ipc_write_file merges changing ones.
    assert lib.arrowpack_ipc_write_file(stream, str(path).encode()) == 0, lib.arrowpack_last_error().decode()
    from_file = pa.ipc.open_file(str(path)).read_all()
    assert same_values(from_file, table)
    mapped = ArrowArrayStream()
    assert lib.arrowpack_ipc_read_file(str(path).encode(), mapped) == 0, lib.arrowpack_last_error().decode()
    from_map = pa.RecordBatchReader._import_from_c(addr(mapped)).read_all()
    assert from_map.schema.equals(from_file.schema) and from_map.num_rows == from_file.num_rows


def test_nanoarrow_consumes_and_produces_arrowpack_streams(lib):
    case = CASES["nested"]
    data = write_stream(case.schema, case.batches)
    # nanoarrow as the consumer of arrowpack's stream.
    stream = CArrayStream.allocate()
    assert lib.arrowpack_ipc_read_stream(data.address, data.size, as_stream(stream._addr())) == 0
    consumed = na.ArrayStream(stream).read_all()
    assert consumed.schema.n_fields == case.schema.__len__()
    assert pa.table(consumed).equals(pa.Table.from_batches(case.batches, case.schema))
    # nanoarrow as the producer: its own arrays, written as IPC by arrowpack.
    produced = na.c_array_stream(na.c_array([1, None, 3], na.int64()))
    as_struct = na.c_array_stream(na.c_array_from_buffers(na.struct({"x": na.int64()}), 3, [None],
                                                          children=[na.c_array([1, None, 3], na.int64())]))
    for source in (as_struct,):
        out, size = ctypes.c_void_p(), ctypes.c_int64()
        assert lib.arrowpack_ipc_write_stream(as_stream(source._addr()), ctypes.byref(out), ctypes.byref(size)) == 0
        written = ctypes.string_at(out, size.value)
        lib.arrowpack_free(out)
        assert pa.ipc.open_stream(written).read_all().column("x").to_pylist() == [1, None, 3]
    # A stream of a non-struct type is not a stream of batches: refused with a message.
    out, size = ctypes.c_void_p(), ctypes.c_int64()
    assert lib.arrowpack_ipc_write_stream(as_stream(produced._addr()), ctypes.byref(out), ctypes.byref(size)) == errno.EINVAL
    assert b"struct" in lib.arrowpack_last_error()


def test_inconsistent_arrays_from_a_producer_get_einval(lib):
    # Offsets that go backwards: pyarrow builds it without checking them all.
    offsets = pa.py_buffer(bytes(pa.array([0, 5, 2, 8], pa.int32()).buffers()[1]))
    bad = pa.Array.from_buffers(pa.string(), 3, [None, offsets, pa.py_buffer(b"abcdefgh")])
    batch = pa.record_batch([bad], names=["s"])
    array, schema = ArrowArray(), ArrowSchema()
    batch._export_to_c(addr(array), addr(schema))
    out_array, out_schema = ArrowArray(), ArrowSchema()
    assert lib.arrowpack_validate_array(array, schema, out_array, out_schema) == errno.EINVAL
    assert b"offset" in lib.arrowpack_last_error()
    assert array.release is None and out_array.release is None  # released, nothing handed out
    # A struct whose child is shorter than the struct: counts that disagree. The parent is
    # made here; its release (a Python callback) releases the child, as the spec says.
    child = ArrowArray()
    pa.array([1, 2], pa.int32())._export_to_c(addr(child))
    released = []

    @RELEASE
    def release_parent(p):
        kid = p.contents.children[0]
        if kid.contents.release:
            RELEASE(kid.contents.release)(kid)
        p.contents.release = None
        released.append(True)

    children = (ctypes.POINTER(ArrowArray) * 1)(ctypes.pointer(child))
    no_buffers = (ctypes.c_void_p * 1)(None)
    struct = ArrowArray(length=5, null_count=0, n_buffers=1, n_children=1)
    struct.buffers = ctypes.cast(no_buffers, ctypes.POINTER(ctypes.c_void_p))
    struct.children = ctypes.cast(children, ctypes.POINTER(ctypes.POINTER(ArrowArray)))
    struct.release = ctypes.cast(release_parent, ctypes.c_void_p)
    schema = ArrowSchema()
    pa.struct([("a", pa.int32())])._export_to_c(addr(schema))
    rc = lib.arrowpack_validate_array(struct, schema, out_array, out_schema)
    assert rc == errno.EINVAL
    assert b"shorter" in lib.arrowpack_last_error()
    assert released == [True] and child.release is None  # arrowpack released what it took
    # Malformed IPC bytes: an error, not a crash.
    stream = ArrowArrayStream()
    assert lib.arrowpack_ipc_read_stream(b"\xff\xff\xff\xff\x10\x00\x00\x00garbage!", 16, stream) == errno.EINVAL
    assert lib.arrowpack_last_error()
    assert lib.arrowpack_version().decode().count(".") == 2

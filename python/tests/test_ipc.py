"""arrowpack.ipc: streams and files through arrowpack's readers and writers, handed to pyarrow,
polars and DuckDB through the Arrow PyCapsule interface with no copy (buffer addresses
checked where the consumer shows them), and any PyCapsule producer written."""
import os

import numpy as np
import pytest

import arrowpack as ap
import arrowpack.ipc as ipc

pa = pytest.importorskip("pyarrow")
if not hasattr(pa.Schema, "__arrow_c_schema__"):
    pytest.skip("this pyarrow predates the PyCapsule interface (14.0)", allow_module_level=True)


def sample_table(n=1000):
    return pa.table({"x": np.arange(n, dtype=np.int64), "y": np.linspace(0, 1, n),
                     "s": [f"row {i}" for i in range(n)],
                     "d": pa.array(["a", "b"] * (n // 2)).dictionary_encode()})


def stream_bytes(table, batches=2):
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        for b in table.to_batches(max_chunksize=max(1, table.num_rows // batches)):
            w.write_batch(b)
    return sink.getvalue()


def inside(address, buf):
    return buf.address <= address < buf.address + buf.size


def test_pyarrow_reads_an_arrowpack_stream_reader_in_place():
    t = sample_table()
    buf = stream_bytes(t)
    before = ipc.total_allocated_bytes()
    reader = ipc.open_stream(buf)
    assert pa.schema(reader.schema) == t.schema
    got = pa.table(reader)
    assert got.equals(t)
    assert ipc.total_allocated_bytes() == before  # the batches are views of buf
    for chunk in got.column("x").chunks:
        assert inside(chunk.buffers()[1].address, buf)
    with pytest.raises(ap.ArrowInvalid, match="handed over"):
        reader.read_next_batch()


def test_batches_tables_and_schemas_are_producers():
    t = sample_table()
    buf = stream_bytes(t, batches=4)
    table = ipc.open_stream(buf).read_all()
    assert table.num_rows == t.num_rows and table.num_columns == 4
    assert pa.table(table).equals(t)
    batch = ipc.open_stream(buf).read_next_batch()
    pb = pa.record_batch(batch)
    assert pb.equals(t.to_batches(max_chunksize=250)[0])
    assert inside(pb.column(1).buffers()[1].address, buf)
    assert pa.schema(batch.schema) == t.schema
    assert [b.num_rows for b in ipc.open_stream(buf)] == [250, 250, 250, 250]


def test_files_and_memory_maps(tmp_path):
    t = sample_table(10_000)
    path = tmp_path / "data.arrow"
    with ipc.new_file(ipc.OSFile(path, "w"), t.schema) as w:
        w.write(t)
    assert pa.ipc.open_file(str(path)).read_all().equals(t)
    before = ipc.total_allocated_bytes()
    with ipc.memory_map(path) as source:
        reader = ipc.open_file(source)
        assert reader.num_record_batches == 1
        got = pa.table(reader)
    assert got.equals(t) and ipc.total_allocated_bytes() == before
    assert pa.record_batch(ipc.open_file(str(path)).get_batch(0)).num_rows == 10_000


def test_writers_take_any_producer_and_any_sink(tmp_path):
    t = sample_table()
    out = ipc.BufferOutputStream()
    with ipc.new_stream(out, t.schema) as w:
        w.write_table(t)
        w.write_batch(t.to_batches()[0])
        w.write(ipc.open_stream(stream_bytes(t)).read_all())
    got = pa.ipc.open_stream(out.getvalue()).read_all()
    assert got.num_rows == 3 * t.num_rows and got.slice(0, t.num_rows).equals(t)
    # Python file objects as sink and source.
    path = tmp_path / "s.arrows"
    with open(path, "wb") as f, ipc.new_stream(f, t.schema) as w:
        w.write(t)
    with open(path, "rb") as f:
        assert pa.table(ipc.open_stream(f)).equals(t)
    # Bytes written by arrowpack equal pyarrow's for the same batches.
    mine = ipc.BufferOutputStream()
    with ipc.new_stream(mine, t.schema) as w:
        w.write(t)
    assert mine.getvalue() == stream_bytes(t, batches=1)


def test_hostile_bytes_give_typed_errors():
    buf = stream_bytes(sample_table()).to_pybytes()
    for bad in (b"", b"\xff\xff\xff\xff", buf[:40], buf[:-100], b"ARROW1" + buf[6:]):
        with pytest.raises(ap.ArrowException):
            ipc.open_stream(bad).read_all()
    with pytest.raises(ap.ArrowException):
        ipc.open_file(buf)
    with pytest.raises(TypeError):
        ipc.open_stream(12)


def test_field_names_that_are_not_utf8():
    # A stream's field names are bytes from outside: as str they raise UnicodeDecodeError,
    # and the reprs show them escaped. (String values are checked when a batch is read.)
    batch = ap.record_batch([ap.array(["zq"])], names=["nq"])
    sink = ipc.BufferOutputStream()
    with ipc.new_stream(sink, batch.schema) as w:
        w.write(batch)
    good = bytes(sink.getvalue())
    assert good.count(b"nq") == 1 and good.count(b"zq") == 1
    read = next(iter(ipc.open_stream(good.replace(b"nq", b"\xffq"))))
    with pytest.raises(UnicodeDecodeError):
        read.to_pydict()
    with pytest.raises(UnicodeDecodeError):
        read.schema.names
    assert "\\xffq" in repr(read) and "\\xffq" in str(read.schema)
    with pytest.raises(ap.ArrowInvalid, match="not valid UTF-8"):
        next(iter(ipc.open_stream(good.replace(b"zq", b"\xfeq"))))


def test_a_timezone_with_a_nul_byte_is_refused_by_the_c_data_interface():
    # An IPC stream may hold one; the C structs' formats are C strings, which would cut it
    # short (the consumer would see another timezone): the export refuses it.
    t = pa.table({"t": pa.array([1, 2], pa.timestamp("us", tz="Europe/Paris"))})
    bad = stream_bytes(t, batches=1).to_pybytes().replace(b"Europe/Paris", b"Europe\0Paris")
    batch = next(iter(ipc.open_stream(bad)))
    assert len(batch) == 2
    with pytest.raises(ap.ArrowInvalid, match="NUL byte"):
        batch.__arrow_c_array__()
    with pytest.raises(pa.ArrowInvalid, match="NUL byte"):  # the stream's error, as pyarrow raises it
        pa.table(ipc.open_stream(bad))


def test_polars_takes_the_reader_without_copying():
    pl = pytest.importorskip("polars")
    t = pa.table({"x": np.arange(1000, dtype=np.int64), "s": ["a"] * 1000})
    buf = stream_bytes(t, batches=1)
    df = pl.DataFrame(ipc.open_stream(buf))
    assert df.shape == (1000, 2) and df["x"].sum() == 499500
    assert df["x"].n_chunks() == 1 and inside(df["x"]._s.as_single_ptr(), buf)


def test_duckdb_queries_the_reader():
    duckdb = pytest.importorskip("duckdb")
    t = sample_table()
    reader = ipc.open_stream(stream_bytes(t))  # noqa: F841 (duckdb finds it by name)
    assert duckdb.sql("select sum(x), count(*) from reader").fetchall() == [(499500, 1000)]
    tbl = ipc.open_stream(stream_bytes(t)).read_all()  # noqa: F841
    assert duckdb.sql("select count(distinct d) from tbl").fetchall() == [(2,)]


def test_the_chapter_bigfile_is_read_with_nothing_allocated(tmp_path):
    path = os.fspath(tmp_path / "bigfile.arrow")
    rows = 1_000_000
    t = pa.table({"nums": np.arange(rows, dtype=np.int64)})
    with ipc.new_file(path, t.schema) as w:
        for b in t.to_batches(max_chunksize=rows // 10):
            w.write_batch(b)
    before = ipc.total_allocated_bytes()
    with ipc.memory_map(path) as source:
        loaded = ipc.open_file(source).read_all()
    assert loaded.num_rows == rows and ipc.total_allocated_bytes() == before

"""Section 3 of issue #10: a current pyarrow and arrowpack read each other's IPC streams,
files and Tensor messages.

pyarrow writes every case of ipc_cases.py as a stream and a file (with the case's writer
options); `arrowpack cat --json` of each must equal pyarrow's own view of what it wrote (the
canonical JSON of canonical.py, computed from the batches pyarrow reads back). Then arrowpack
rewrites each (pyarrow_compat rewrite: arrowpack's reader, then its writer with the options
under test), and pyarrow reads the result with validate(full=True) and must get the same
schema (metadata included) and the same values.
"""
import gzip
import json
import os
import pathlib

import numpy as np
import pyarrow as pa
import pytest

import canonical
import ipc_cases
import tensor_json
from conftest import assert_same_json, run, run_json

CASES = ipc_cases.cases()
FORMATS = ("stream", "file")


def write_pyarrow(path, case, fmt):
    options = pa.ipc.IpcWriteOptions(compression=case.compression, emit_dictionary_deltas=case.emit_dictionary_deltas)
    with pa.OSFile(str(path), "wb") as sink:
        new = pa.ipc.new_file if fmt == "file" else pa.ipc.new_stream
        with new(sink, case.schema, options=options) as writer:
            for batch in case.batches:
                writer.write_batch(batch)


def read_pyarrow(path):
    """(schema, batches, reader stats) as pyarrow reads the file, each batch fully validated."""
    with pa.memory_map(str(path)) as source:
        if source.read(6) == b"ARROW1":
            reader = pa.ipc.open_file(source)
            batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
        else:
            source.seek(0)
            reader = pa.ipc.open_stream(source)
            batches = list(reader)
        for b in batches:
            b.validate(full=True)
        return reader.schema, batches, reader.stats


def canonical_of(schema, batches, fmt):
    return {"format": fmt, "schema": canonical.schema_json(schema), "batches": [canonical.batch_json(b) for b in batches]}


@pytest.fixture(scope="session")
def folder(scratch):
    out = scratch / "current-ipc"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def written(folder):
    """NAME.arrows and NAME.arrow written by pyarrow, once per session."""
    ipc_cases.register_extension_types()
    paths = {}
    for name, case in CASES.items():
        for fmt in FORMATS:
            if fmt == "file" and not case.file:
                continue
            path = folder / f"{name}.{'arrow' if fmt == 'file' else 'arrows'}"
            write_pyarrow(path, case, fmt)
            paths[name, fmt] = path
    return paths


def pyarrow_written_cases():
    return [(n, f) for n, c in CASES.items() for f in FORMATS if f == "stream" or c.file]


@pytest.mark.parametrize("name,fmt", pyarrow_written_cases())
def test_arrowpack_reads_what_pyarrow_writes(written, cli, name, fmt):
    path = written[name, fmt]
    schema, batches, _ = read_pyarrow(path)
    assert len(batches) == len(CASES[name].batches)
    got = run_json(cli, "cat", "--json", path)
    assert_same_json(got, canonical_of(schema, batches, fmt))
    assert run(cli, "validate", path)[1].startswith("OK: ")


def test_pyarrow_wrote_deltas_and_replacements(written):
    """The dictionary cases exercise what they say (pyarrow's reader counts them)."""
    for name in ("dictionary_deltas", "zstd_dictionary_deltas"):
        for fmt in FORMATS:
            assert read_pyarrow(written[name, fmt])[2].num_dictionary_deltas == 2, (name, fmt)
    assert read_pyarrow(written["dictionary_replacements", "stream"])[2].num_replaced_dictionaries == 2


def rewrite_variants():
    """(case, source format, target format, extra options) for arrowpack's writer."""
    out = []
    for name, case in CASES.items():
        options = []
        if case.compression:
            options += ["--compression", case.compression]
        if case.emit_dictionary_deltas:
            options += ["--deltas"]
        for src in FORMATS:
            if src == "file" and not case.file:
                continue
            for dst in FORMATS:
                extra = list(options)
                if dst == "file" and case.unify_for_file:
                    extra += ["--unify"]
                out.append((name, src, dst, tuple(extra)))
    # the same tables with each codec, and with 64-byte alignment (8, pyarrow's, is the default)
    for name in ("primitive", "binary_like", "nested", "dictionary", "run_end_encoded", "extension"):
        for codec in ("lz4", "zstd"):
            out.append((name, "stream", "stream", ("--compression", codec)))
        out.append((name, "stream", "file", ("--alignment", "64")))
    return out


def _id(v):
    name, src, dst, extra = v
    return f"{name}-{src}-to-{dst}" + "".join(e.strip("-") for e in extra if e.startswith("--")) + \
        "".join(e for e in extra if not e.startswith("--"))


@pytest.mark.parametrize("variant", rewrite_variants(), ids=_id)
def test_pyarrow_reads_what_arrowpack_writes(written, folder, pycompat, variant):
    name, src, dst, extra = variant
    out = folder / f"{_id(variant)}.out"
    run(pycompat, "rewrite", written[name, src], out, dst, *extra)
    want_schema, want_batches, _ = read_pyarrow(written[name, src])
    got_schema, got_batches, stats = read_pyarrow(out)
    assert got_schema.equals(want_schema, check_metadata=True), f"{got_schema}\n!=\n{want_schema}"
    assert [b.num_rows for b in got_batches] == [b.num_rows for b in want_batches]
    assert_same_json(canonical_of(got_schema, got_batches, dst), canonical_of(want_schema, want_batches, dst))
    if "--deltas" in extra and src == "stream":  # a file reader hands out whole dictionaries
        assert stats.num_dictionary_deltas == 2
    if name == "dictionary_replacements" and dst == "stream":
        assert stats.num_replaced_dictionaries == 2


# Where pyarrow's bytes differ from arrowpack's, on purpose (README, "Deliberate differences"):
# pyarrow pads a sliced buffer with the bytes that follow the slice in its parent buffer
# (up to 7), arrowpack with zeros.
PADDED_FROM_PARENT = {"sliced", "sliced_nested"}


@pytest.mark.parametrize("name,fmt", [(n, f) for n, f in pyarrow_written_cases() if n not in PADDED_FROM_PARENT])
def test_arrowpack_writes_the_bytes_pyarrow_writes(written, folder, pycompat, name, fmt):
    """Given pyarrow's batches and options, arrowpack's defaults (8-byte alignment, as
    pyarrow's) write the same bytes: schema, dictionary and record batch messages, compressed
    bodies (LZ4 frames and ZSTD at Arrow C++'s settings), the file footer."""
    case = CASES[name]
    extra = []
    if case.compression:
        extra += ["--compression", case.compression]
    if case.emit_dictionary_deltas:
        extra += ["--deltas"]
    out = folder / f"{name}.{fmt}.bytes.out"
    # from the stream, which hands arrowpack the batches as pyarrow had them (a file reader
    # gives every batch the dictionary that all of the file's deltas make)
    run(pycompat, "rewrite", written[name, "stream"], out, fmt, *extra)
    ours, theirs = out.read_bytes(), written[name, fmt].read_bytes()
    if ours != theirs:
        at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        pytest.fail(f"{len(ours)} bytes against pyarrow's {len(theirs)}; first difference at byte {at}: "
                    f"{ours[at:at + 16].hex()} != {theirs[at:at + 16].hex()}")


@pytest.mark.parametrize("name", ["primitive", "binary_like", "nested", "sliced", "dictionary", "temporal",
                                  "decimal", "run_end_encoded", "extension", "views_many_buffers"])
@pytest.mark.parametrize("dst", FORMATS)
def test_arrowpack_writes_sliced_batches(written, folder, pycompat, name, dst):
    """arrowpack's writer gets batches sliced with non-zero offsets (pyarrow_compat slices
    each batch after reading it); pyarrow reads the slices."""
    _, batches, _ = read_pyarrow(written[name, "stream"])
    rows = max(b.num_rows for b in batches)
    offset, length = min(1, rows), max(0, rows - 2)  # clamped to each batch, as pyarrow's slice()
    out = folder / f"{name}-sliced-{dst}.out"
    run(pycompat, "rewrite", written[name, "stream"], out, dst, "--slice", offset, length)
    got_schema, got_batches, _ = read_pyarrow(out)
    want = [b.slice(offset, length) for b in batches]
    assert_same_json(canonical_of(got_schema, got_batches, dst), canonical_of(batches[0].schema, want, dst))


def test_seed_bigfile(folder, cli, pycompat):
    """The seed chapter's bigfile.arrow (1000 batches of 10,000 int32), both ways."""
    path = folder / "bigfile.arrow"
    schema = pa.schema([pa.field("nums", pa.int32())])
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for batch in ipc_cases.seed_bigfile_batches():
            writer.write(batch)
    assert run(cli, "validate", path)[1] == "OK: IPC file, 1 fields, 1000 batches, 10000000 rows\n"
    got = run_json(cli, "cat", "--json", path)
    assert got["schema"] == canonical.schema_json(schema)
    assert len(got["batches"]) == 1000
    for i, b in enumerate(got["batches"]):
        assert b["num_rows"] == 10_000
        assert b["columns"]["nums"] == list(range(i * 10_000, (i + 1) * 10_000))
    out = folder / "bigfile.arrowpack.arrow"
    run(pycompat, "rewrite", path, out, "file")
    with pa.memory_map(str(out)) as source:
        table = pa.ipc.open_file(source).read_all()
        table.validate(full=True)
        assert table.num_rows == 10_000_000 and table.num_columns == 1
        assert np.array_equal(table.column(0).to_numpy(), np.arange(10_000_000, dtype=np.int32))
        assert table.column(0).num_chunks == 1000


# ---- Tensor messages
TENSORS = ipc_cases.tensors()


@pytest.mark.parametrize("name", list(TENSORS))
def test_tensors_both_ways(folder, cli, pycompat, name):
    array = TENSORS[name]
    path = folder / f"{name}.tensor"
    with pa.OSFile(str(path), "wb") as sink:
        pa.ipc.write_tensor(pa.Tensor.from_numpy(array), sink)
    # pyarrow writes, arrowpack reads
    got = run_json(cli, "cat", "--json", path)
    assert_same_json(got, {"tensors": [tensor_json.tensor_json(array)]})
    # arrowpack writes, pyarrow reads
    out = folder / f"{name}.arrowpack.tensor"
    run(pycompat, "rewrite-tensors", path, out)
    with pa.memory_map(str(out)) as source:
        tensor = pa.ipc.read_tensor(source)
    back = tensor.to_numpy()
    assert back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array, equal_nan=True)
    assert back.flags.c_contiguous == array.flags.c_contiguous or not array.flags.c_contiguous
    # Arrow C++ and arrowpack write a Tensor message the same way, byte for byte
    assert out.read_bytes() == path.read_bytes()


def test_tensor_with_dim_names_and_several_messages(folder, cli, pycompat):
    arrays = [np.arange(6, dtype=np.int16).reshape(2, 3), np.ones((2, 2, 2), dtype=np.float32)]
    path = folder / "several.tensor"
    with pa.OSFile(str(path), "wb") as sink:
        pa.ipc.write_tensor(pa.Tensor.from_numpy(arrays[0], dim_names=["row", "col"]), sink)
        pa.ipc.write_tensor(pa.Tensor.from_numpy(arrays[1]), sink)
    got = run_json(cli, "cat", "--json", path)
    assert got == {"tensors": [tensor_json.tensor_json(arrays[0], ["row", "col"]), tensor_json.tensor_json(arrays[1])]}
    out = folder / "several.arrowpack.tensor"
    run(pycompat, "rewrite-tensors", path, out)
    assert out.read_bytes() == path.read_bytes()
    with pa.memory_map(str(out)) as source:
        first, second = pa.ipc.read_tensor(source), pa.ipc.read_tensor(source)
    assert first.dim_names == ["row", "col"] and np.array_equal(first.to_numpy(), arrays[0])
    assert np.array_equal(second.to_numpy(), arrays[1])


# ---- the golden integration files (ARROWPACK_TEST_DATA or ../shared, when present)
def gold_files():
    folder = os.environ.get("ARROWPACK_GOLD_INTEGRATION_DIR", "")
    if not folder or not os.path.isdir(folder):
        return [pytest.param(None, marks=pytest.mark.skip(
            reason="no golden files: set ARROWPACK_TEST_DATA to arrow-testing's data/ or put ../shared beside the project"))]
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}")
            for p in sorted(pathlib.Path(folder).glob("*/*")) if p.suffix in (".stream", ".arrow_file")]


def integration_json_column(path, batch_index, column_index):
    """A top-level column's canonical values from the file's Arrow integration JSON
    (NAME.json.gz beside it), for the types pyarrow has no Python array class for (month
    and day_time intervals): their JSON is already the canonical form of raw storage."""
    with gzip.open(path.with_name(path.name.rsplit(".", 1)[0] + ".json.gz"), "rt") as f:
        column = json.load(f)["batches"][batch_index]["columns"][column_index]
    return [v if ok else None for v, ok in zip(column["DATA"], column["VALIDITY"])]


def gold_view(path, schema, batches, fmt):
    """pyarrow's view of a golden file; where pyarrow cannot wrap a column in Python, the
    integration JSON's."""
    out = canonical_of(schema, [], fmt)
    keys = canonical.member_keys(schema.names)
    for b, batch in enumerate(batches):
        columns = {}
        for k in range(batch.num_columns):
            try:
                columns[keys[k]] = [canonical.value_at(batch.column(k), i) for i in range(batch.num_rows)]
            except KeyError:  # pyarrow's array class table has no entry for the type
                assert str(schema.field(k).type) in ("month_interval", "day_time_interval"), schema.field(k)
                columns[keys[k]] = integration_json_column(path, b, k)
        out["batches"].append({"num_rows": batch.num_rows, "columns": columns})
    return out


def canonical_map_names(doc, schema):
    """arrowpack keeps the names a writer gave a map's entries, key and value fields (the
    spec allows any); pyarrow renames them to entries/key/value as it reads. The same
    renaming applied to arrowpack's JSON, so that the rest can be compared (README:
    deliberate differences)."""
    def rename_field(field_doc, t):
        if pa.types.is_map(t):
            entries = field_doc["children"][0]
            entries["name"] = "entries"
            entries["type"] = str(pa.struct([t.key_field, t.item_field]))
            for child, name in zip(entries["children"], ("key", "value")):
                child["name"] = name
        for child_doc, child in zip(field_doc.get("children", []), canonical._children(t)):
            rename_field(child_doc, child.type)

    def rename_values(values, t):
        if isinstance(t, pa.BaseExtensionType):
            t = t.storage_type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if values is None:
            return None
        if pa.types.is_map(t):
            return [{"key": rename_values(list(e.values())[0], t.key_type),
                     "value": rename_values(list(e.values())[1], t.item_type)} for e in values]
        if pa.types.is_struct(t):
            keys = canonical.member_keys([t.field(i).name for i in range(t.num_fields)])
            return {k: rename_values(values[k], t.field(i).type) for i, k in enumerate(keys)}
        if isinstance(values, list) and canonical._children(t) and not pa.types.is_union(t):
            return [rename_values(v, canonical._children(t)[-1].type) for v in values]
        return values

    keys = canonical.member_keys(schema.names)
    for field_doc, field in zip(doc["schema"]["fields"], schema):
        rename_field(field_doc, field.type)
    for batch in doc["batches"]:
        for k, field in zip(keys, schema):
            batch["columns"][k] = [rename_values(v, field.type) for v in batch["columns"][k]]
    return doc


def read_pyarrow_lenient(path):
    """As read_pyarrow, but a batch that pyarrow's full validation refuses for its values
    (golden files hold decimals beyond their precision and date64 values that are not whole
    days, which only ValidateFull checks) is kept, with the error."""
    try:
        return read_pyarrow(path) + (None,)
    except pa.ArrowInvalid as e:
        with pa.memory_map(str(path)) as source:
            is_file = source.read(6) == b"ARROW1"
        reader = pa.ipc.open_file(str(path)) if is_file else pa.ipc.open_stream(str(path))
        batches = [reader.get_batch(i) for i in range(reader.num_record_batches)] if is_file else list(reader)
        for b in batches:
            b.validate()
        return reader.schema, batches, reader.stats, str(e)


@pytest.mark.parametrize("path", gold_files())
def test_golden_files_both_ways(folder, cli, pycompat, path):
    """Files written by every Arrow implementation (types pyarrow cannot build from Python
    among them: month and day_time intervals, big-endian data, V4 metadata): arrowpack reads
    each as pyarrow does, rewrites it, and pyarrow reads arrowpack's stream and file back."""
    fmt = "file" if path.suffix == ".arrow_file" else "stream"
    schema, batches, _, invalid = read_pyarrow_lenient(path)
    want = gold_view(path, schema, batches, fmt)
    assert_same_json(canonical_map_names(run_json(cli, "cat", "--json", path), schema), want)
    for dst in FORMATS:
        out = folder / f"gold-{path.parent.name}-{path.name}.{dst}.out"
        run(pycompat, "rewrite", path, out, dst, *(["--unify"] if dst == "file" else []))
        got_schema, got_batches, _, got_invalid = read_pyarrow_lenient(out)
        assert got_invalid == invalid  # the same values, so the same verdict of ValidateFull
        assert got_schema.equals(schema, check_metadata=True)
        assert_same_json(gold_view(path, got_schema, got_batches, fmt), want)


# ---- Row streams (adapters/row_stream.h): records sent one batch after another
STREAM_SCHEMA = pa.schema([
    pa.field("symbol", pa.string(), nullable=False), pa.field("bid", pa.float64(), nullable=False),
    pa.field("ask", pa.float64(), nullable=False), pa.field("time", pa.int64(), nullable=False),
    pa.field("note", pa.string()), pa.field("flag", pa.bool_(), nullable=False)])


def stream_row(i):
    """Row i of pyarrow_compat's row-stream cases."""
    return dict(symbol="" if i % 3 == 0 else f"sym-{i}" + (" héllo" if i % 2 else ""), bid=0.5 * i, ask=-0.25 * i,
                time=1_700_000_000_000 + i, note=f"note {i}" if i % 2 == 0 else None, flag=i % 4 == 1)


def test_pyarrow_reads_a_row_stream(folder, pycompat):
    """One schema message, then a batch per write (1, 0, 3 and 2 rows), then the marker."""
    path = folder / "rows.arrows"
    run(pycompat, "row-stream-write", path)
    with pa.memory_map(str(path)) as source:
        reader = pa.ipc.open_stream(source)
        assert reader.schema.equals(STREAM_SCHEMA, check_metadata=True)
        batches = list(reader)
    for b in batches:
        b.validate(full=True)
    assert [b.num_rows for b in batches] == [1, 0, 3, 2]
    assert pa.Table.from_batches(batches, STREAM_SCHEMA).to_pylist() == [stream_row(i) for i in range(6)]


def test_arrowpack_reads_rows_that_pyarrow_streams(folder, pycompat):
    path = folder / "rows-pyarrow.arrows"
    sizes = [2, 0, 1, 4]
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, STREAM_SCHEMA) as writer:
        first = 0
        for n in sizes:
            writer.write_batch(pa.RecordBatch.from_pylist([stream_row(first + k) for k in range(n)], STREAM_SCHEMA))
            first += n
    got = run_json(pycompat, "row-stream-read", path)
    assert got["batches"] == sizes
    want = [stream_row(i) for i in range(sum(sizes))]
    assert got["rows"] == [[r["symbol"], r["bid"], r["ask"], r["time"], r["note"], r["flag"]] for r in want]


def test_a_row_stream_of_another_shape_is_refused(folder, pycompat):
    """A column of another type is a TypeError naming the column, at open; a schema with
    another column count too; a null in a field that is not optional is a TypeError naming
    the batch, the column and the row."""
    path = folder / "rows-other-type.arrows"
    schema = STREAM_SCHEMA.set(1, pa.field("bid", pa.int32(), nullable=False))
    row = dict(stream_row(1), bid=3)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
        writer.write_batch(pa.RecordBatch.from_pylist([row], schema))
    code, _, err = run(pycompat, "row-stream-read", path, expect_ok=False)
    assert code == 1 and "TypeError" in err and "column bid" in err, err
    path = folder / "rows-other-count.arrows"
    schema = STREAM_SCHEMA.remove(5)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
        writer.write_batch(pa.RecordBatch.from_pylist([stream_row(0)], schema))
    code, _, err = run(pycompat, "row-stream-read", path, expect_ok=False)
    assert code == 1 and "TypeError" in err and "5 columns" in err, err
    path = folder / "rows-null-flag.arrows"
    schema = STREAM_SCHEMA.set(5, pa.field("flag", pa.bool_()))
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
        writer.write_batch(pa.RecordBatch.from_pylist([stream_row(0)], schema))
        writer.write_batch(pa.RecordBatch.from_pylist([stream_row(1), dict(stream_row(2), flag=None)], schema))
    code, _, err = run(pycompat, "row-stream-read", path, expect_ok=False)
    assert code == 1 and "TypeError" in err and "batch 1" in err and "column flag" in err, err

"""Section 1 of issue #10: pyarrow 11 writes blobs with pa.serialize (to_buffer and
to_components), arrowpack reads them.

Each blob is checked three ways: `arrowpack inspect --json` of the contiguous blob, the same
JSON from the components (read back by pyarrow_compat from one file per buffer), both equal
to the JSON computed from the Python object; and, where the object has a natural C++ type,
the typed C++ API rebuilds it (pyarrow_compat typed ...).
"""
import json
import math
import pathlib

import numpy as np
import pyarrow as pa
import pytest

import canonical
import pyarrow11_cases as cases
from conftest import assert_same_json, run, run_json

ALL = {**cases.cases(), **cases.pandas_cases(), **cases.scipy_cases(), **cases.sparse_tensor_cases()}
CONTEXTS = {"default": pa.default_serialization_context(), "custom": cases.make_custom_context()}


def _split(name):
    value = ALL[name]
    if isinstance(value, tuple) and len(value) == 2 and value[1] in CONTEXTS and name in ("registered", "pickled"):
        return value[0], CONTEXTS[value[1]]
    return value, CONTEXTS["default"]


def write_components(serialized, folder):
    """One file per buffer and a manifest: what a program shipping components would send."""
    folder.mkdir(parents=True, exist_ok=True)
    comps = serialized.to_components()
    files = []
    for i, buf in enumerate(comps["data"]):
        (folder / f"{i}.bin").write_bytes(buf.to_pybytes())
        files.append(f"{i}.bin")
    manifest = {k: comps[k] for k in ("num_tensors", "num_ndarrays", "num_buffers", "num_sparse_tensors")}
    manifest["data"] = files
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="session")
def blobs(scratch):
    """Writes every case once: NAME.bin (to_buffer), NAME.components/, NAME.expected.json."""
    out = scratch / "pyarrow11-writes"
    out.mkdir(parents=True, exist_ok=True)
    for name in ALL:
        obj, context = _split(name)
        serialized = pa.serialize(obj, context=context)
        (out / f"{name}.bin").write_bytes(serialized.to_buffer().to_pybytes())
        write_components(serialized, out / f"{name}.components")
        (out / f"{name}.expected.json").write_text(json.dumps(cases.expected_or_refusal(obj, context)))
    return out


def check(blobs, name, *command):
    """The JSON that `command` prints equals the expected; or it fails saying why."""
    want = json.loads((blobs / f"{name}.expected.json").read_text())
    if "refused" in want:
        code, out, err = run(*command, expect_ok=False)
        assert code == 1 and want["refused"] in err, f"exit {code}, stderr {err!r}, stdout {out[:200]!r}"
        assert "\n" == err[-1:] and err.count("\n") == 1, f"not one line: {err!r}"
    else:
        assert_same_json(run_json(*command), want["json"])


@pytest.mark.parametrize("name", list(ALL))
def test_inspect_reads_the_blob(name, blobs, cli):
    check(blobs, name, cli, "inspect", "--json", blobs / f"{name}.bin")


@pytest.mark.parametrize("name", list(ALL))
def test_components_read_the_same(name, blobs, pycompat):
    check(blobs, name, pycompat, "inspect-components", blobs / f"{name}.components")


# ---- the typed C++ API
@pytest.mark.parametrize("name", ["sparse_coo", "sparse_csr", "sparse_csc", "sparse_csf"])
def test_sparse_tensors_read_as_arrowpack_sparse_tensors_without_copy(name, blobs, pycompat):
    got = run_json(pycompat, "typed", "sparse_tensor", blobs / f"{name}.bin")
    assert got.pop("zero_copy") is True
    assert_same_json(got, cases.sparse_json(ALL[name]))


@pytest.mark.parametrize("name,kind", [("sparse_csr", "eigen_csr"), ("sparse_csc", "eigen_csc")])
def test_sparse_matrices_read_as_eigen_sparse_matrices(name, kind, blobs, pycompat):
    """CSR -> a row-major Eigen::SparseMatrix, CSC -> a column-major one: a Map over the
    blob (pyarrow's int64 indices as StorageIndex), and a copy into the other order."""
    got = run_json(pycompat, "typed", kind, blobs / f"{name}.bin")
    dense = ALL[name].to_tensor().to_numpy()
    assert got["zero_copy"] is True
    assert (got["rows"], got["cols"]) == dense.shape and got["dense"] == dense.reshape(-1).tolist()



@pytest.mark.parametrize("name,kind", [("pyarrow_table", "table"), ("pyarrow_record_batch", "record_batch"),
                                       ("pyarrow_array", "array")])
def test_arrow_objects_read_as_arrowpack_tables_without_copy(name, kind, blobs, pycompat):
    """pa.Table / RecordBatch / Array -> TablePtr / RecordBatchPtr / Array, columns in the blob."""
    obj = ALL[name]
    table = {"table": lambda: obj, "record_batch": lambda: pa.Table.from_batches([obj]),
             "array": lambda: pa.Table.from_arrays([obj], names=[""])}[kind]()
    got = run_json(pycompat, "typed", kind, blobs / f"{name}.bin")
    assert got.pop("zero_copy") is True and got.pop("values_zero_copy") is True
    assert got == canonical.table_json(table)


@pytest.mark.parametrize("name", ["pyarrow_table", "pyarrow_record_batch"])
def test_arrow_tables_read_as_a_vector_of_rows(name, blobs, pycompat):
    """A pa.Table (or RecordBatch written as a table) read by deserialize<std::vector<Row>>:
    the columnar form of adapters/columnar.h, every batch, nulls as empty std::optionals."""
    obj = ALL[name]
    got = run_json(pycompat, "typed", "rows", blobs / f"{name}.bin")
    assert got == [[r["f"], r["s"]] for r in obj.to_pylist()]


def test_numeric_pandas_frame_reads_as_a_table_without_copy(blobs, pycompat):
    frame = ALL["pandas_numeric_frame"]
    got = run_json(pycompat, "typed", "table", blobs / "pandas_numeric_frame.bin")
    assert got.pop("zero_copy") is True  # each column is a row of a row-major pandas block
    assert got.pop("values_zero_copy") is True
    # Columns by position: the names are in a pickled pandas Index, which arrowpack never runs.
    want = pa.Table.from_arrays([pa.array(frame[c].to_numpy()) for c in frame.columns],
                                names=[str(i) for i in range(len(frame.columns))])
    assert got == canonical.table_json(want)


def test_pandas_frame_with_bools(scratch, pycompat):
    import pandas as pd
    frame = pd.DataFrame({"b": [True, False, True], "u": np.array([1, 2, 3], dtype=np.uint16)})
    path = scratch / "pandas_bools.bin"
    path.write_bytes(pa.serialize(frame).to_buffer().to_pybytes())
    got = run_json(pycompat, "typed", "table", path)
    assert got.pop("zero_copy") is False  # bools are packed into bits
    got.pop("values_zero_copy")
    want = pa.Table.from_arrays([pa.array(frame["b"]), pa.array(frame["u"])], names=["0", "1"])
    assert got == canonical.table_json(want)


@pytest.mark.parametrize("zone", [None, "Europe/Paris"])
def test_datetime_blocks(zone, scratch, pycompat):
    import pandas as pd
    # pandas 1.x keeps datetime columns as DatetimeArrays, which the default context pickles:
    times = pd.to_datetime(["2020-01-01", None])
    frame = pd.DataFrame({"t": times.tz_localize(zone) if zone else times})
    path = scratch / f"pandas_datetimes_{zone is not None}.bin"
    path.write_bytes(pa.serialize(frame).to_buffer().to_pybytes())
    code, _, err = run(pycompat, "typed", "table", path, expect_ok=False)
    assert code == 1 and "pd.DataFrame column 0: the block is an object of registered type " \
        "'pd.core.arrays.datetimes.DatetimeArray', not an array" in err, err
    # older pandas gave datetime64 values, and a 'timezone' entry for zoned ones
    # (pandas_compat.dataframe_to_serialized_dict): that dict, made here by a serializer
    # registered under the same name; NaT reads as null
    values = np.array([[0, np.iinfo(np.int64).min, 10**18]], dtype="datetime64[ns]")
    block = {"placement": np.array([0]), "block": values}
    if zone:
        block = {"timezone": zone, **block}
    context = pa.SerializationContext()
    context.register_type(pd.DataFrame, "pd.DataFrame", custom_serializer=lambda f: {"blocks": [block], "axes": []},
                          custom_deserializer=lambda d: d)
    context.register_type(np.ndarray, "np.array", custom_serializer=pa.serialization._serialize_numpy_array_list,
                          custom_deserializer=pa.serialization._deserialize_numpy_array_list)
    path = scratch / f"pandas_datetimes_old_{zone is not None}.bin"
    path.write_bytes(pa.serialize(frame, context=context).to_buffer().to_pybytes())
    got = run_json(pycompat, "typed", "table", path)
    assert got.pop("zero_copy") is False and got.pop("values_zero_copy") is True  # only the bitmap is new
    want = pa.table({"0": pa.array([0, None, 10**18], type=pa.timestamp("ns", tz=zone))})
    assert got == canonical.table_json(want)


def test_fortran_order_frame_is_copied_and_equal(scratch, pycompat):
    import pandas as pd
    frame = pd.DataFrame(np.arange(12, dtype=np.float64).reshape(4, 3))  # one column-major block
    path = scratch / "pandas_fortran.bin"
    path.write_bytes(pa.serialize(frame).to_buffer().to_pybytes())
    got = run_json(pycompat, "typed", "table", path)
    assert got.pop("zero_copy") is False and got.pop("values_zero_copy") is False
    want = pa.Table.from_arrays([pa.array(frame[c].to_numpy()) for c in frame.columns], names=["0", "1", "2"])
    assert got == canonical.table_json(want)


@pytest.mark.parametrize("name,message", [
    ("pandas_mixed_frame", "pd.DataFrame column 1 hold Python objects, pickled by pyarrow"),
    ("pickled", "expected an object of registered type 'pyarrow.Table', got a Python pickle (never unpickled) "
                "of registered type 'Secret'"),
])
def test_what_cannot_become_a_table_says_what_it_is(name, message, blobs, pycompat):
    code, _, err = run(pycompat, "typed", "table", blobs / f"{name}.bin", expect_ok=False)
    assert code == 1 and message in err, err


def test_a_pickle_is_refused_by_name_and_never_run(blobs, pycompat, tmp_path):
    # The pickle would create a file if it ran.
    class Trap:
        def __reduce__(self):
            return (open, (str(tmp_path / "pickle-ran"), "w"))

    context = cases.make_custom_context()
    context.register_type(Trap, "Trap", pickle=True)
    path = tmp_path / "trap.bin"
    path.write_bytes(pa.serialize([Trap()], context=context).to_buffer().to_pybytes())
    code, _, err = run(pycompat, "typed", "string", path, expect_ok=False)
    assert code == 1 and "expected a string, got list" in err
    code, _, err = run(pycompat, "typed", "string", blobs / "pickled.bin", expect_ok=False)
    assert code == 1 and "a Python pickle (never unpickled) of registered type 'Secret'" in err
    assert not (tmp_path / "pickle-ran").exists()


def test_the_seed_example_reads_as_views_of_the_blob(blobs, pycompat):
    """100 arrays of 500x500 (200 MB) -> std::map<int64_t, TensorPtr> viewing the blob."""
    assert run_json(pycompat, "typed", "tensor_map", blobs / "large_100_arrays_500x500.bin") == \
        {"count": 100, "zero_copy": True}

"""The IPC cases of issue #10 section 3: tables of every type of the Arrow format, written by a
current pyarrow as a stream and a file, with the writer options each case needs.

A case is a `Case`: the batches (all of one schema) and how pyarrow writes them. Values are
chosen to reach the edges of each layout: nulls, empty values, extremes, views that overlap
or run backwards, strings longer than the 12 bytes a view holds inline, several variadic
buffers, dictionaries that grow (deltas) or change (replacements), and sliced batches.
"""
import dataclasses
import datetime
import decimal
import json

import numpy as np
import pyarrow as pa

D = decimal.Decimal


@dataclasses.dataclass
class Case:
    batches: list
    compression: str = None          # "lz4" | "zstd"
    emit_dictionary_deltas: bool = False
    file: bool = True                # pyarrow can write it as a file too
    unify_for_file: bool = False     # arrowpack needs unify_dictionaries to write it as a file
    schema: pa.Schema = None         # when there are no batches

    def __post_init__(self):
        if self.schema is None:
            self.schema = self.batches[0].schema


class Rational(pa.ExtensionType):
    """A user extension type (pyarrow's ExtensionType subclass), struct storage."""

    def __init__(self):
        super().__init__(pa.struct([("num", pa.int64()), ("den", pa.int64())]), "arrowpack.test.rational")

    def __arrow_ext_serialize__(self):
        return json.dumps({"reduced": True}).encode()

    @classmethod
    def __arrow_ext_deserialize__(cls, storage_type, serialized):
        return cls()


def register_extension_types():
    try:
        pa.register_extension_type(Rational())
    except pa.ArrowKeyError:
        pass  # registered already (pytest imports the module once, but be safe)


def _batch(columns, metadata=None):
    """A record batch from {name: array}; metadata: schema metadata."""
    names = list(columns)
    arrays = [columns[n] for n in names]
    fields = [pa.field(n, a.type) for n, a in zip(names, arrays)]
    return pa.record_batch(arrays, schema=pa.schema(fields, metadata=metadata))


def _two(columns_a, columns_b):
    return [_batch(columns_a), _batch(columns_b)]


I64 = np.iinfo(np.int64)
U64 = np.iinfo(np.uint64)


def primitive():
    ints = {}
    for bits in (8, 16, 32, 64):
        info, uinfo = np.iinfo(f"int{bits}"), np.iinfo(f"uint{bits}")
        ints[f"i{bits}"] = pa.array([int(info.min), -1, None, 0, int(info.max)], pa.int64() if bits == 64 else
                                    getattr(pa, f"int{bits}")())
        ints[f"u{bits}"] = pa.array([0, 1, None, int(uinfo.max) // 2, int(uinfo.max)], getattr(pa, f"uint{bits}")())
    floats = {
        "f16": pa.array(np.array([0.5, -0.0, np.inf, np.nan, 65504], dtype=np.float16), pa.float16()),
        "f32": pa.array([1.5, None, -np.inf, np.float32(3.4028235e38), 1e-45], pa.float32()),
        "f64": pa.array([0.1, -0.0, None, 1.7976931348623157e308, 5e-324], pa.float64()),
        "bool": pa.array([True, False, None, True, False]),
        "null": pa.nulls(5),
    }
    return [_batch({**ints, **floats})]


def decimals():
    return [_batch({
        "d32": pa.array([D("12345.67"), D("-0.01"), None, D("99999.99"), D("0")], pa.decimal32(7, 2)),
        "d64": pa.array([D("123456789012.345"), None, D("-999999999999.999"), D("0.001"), D("1")],
                        pa.decimal64(15, 3)),
        "d128": pa.array([D("1234567890123456789012345678.0123456789"), None, D("-1"), D("0"),
                          D("-9999999999999999999999999999.9999999999")], pa.decimal128(38, 10)),
        "d256": pa.array([D("1" * 56 + "." + "2" * 20), D("-0." + "0" * 19 + "1"), None, D("0"), D("7")],
                         pa.decimal256(76, 20)),
        "d128_negative_scale": pa.array([D("1.2E+4"), None, D("-9.9E+5"), D("0"), D("3E+2")],
                                        pa.decimal128(5, -2)),
    })]


def temporal():
    ts = [0, 1, None, -86_400_000_123, 1_700_000_000_000]
    cols = {
        "date32": pa.array([0, 19000, None, -1, 2932896], pa.date32()),
        "date64": pa.array([0, 86_400_000, None, -86_400_000, 253402214400000], pa.date64()),
        "time32s": pa.array([0, 1, None, 86399, 3600], pa.time32("s")),
        "time32ms": pa.array([0, 1, None, 86_399_999, 1000], pa.time32("ms")),
        "time64us": pa.array([0, 1, None, 86_399_999_999, 1000], pa.time64("us")),
        "time64ns": pa.array([0, 1, None, 86_399_999_999_999, 1000], pa.time64("ns")),
    }
    for unit in ("s", "ms", "us", "ns"):
        cols[f"ts_{unit}"] = pa.array(ts, pa.timestamp(unit))
        cols[f"ts_{unit}_tz"] = pa.array(ts, pa.timestamp(unit, tz="Europe/Paris" if unit != "ns" else "+05:30"))
        cols[f"dur_{unit}"] = pa.array([int(I64.min) + 1, -1, None, 0, int(I64.max)], pa.duration(unit))
    # pyarrow exposes neither month nor day_time intervals: those come from the golden files.
    cols["month_day_nano"] = pa.array([pa.MonthDayNano([1, 2, 3]), None, pa.MonthDayNano([-1, -2, -3]),
                                       pa.MonthDayNano([2**31 - 1, -2**31, int(I64.max)]),
                                       pa.MonthDayNano([0, 0, int(I64.min)])], pa.month_day_nano_interval())
    return [_batch(cols)]


def _long(i):
    return f"string number {i} is longer than twelve bytes" if i % 3 else f"s{i}"


def binary_like():
    strings = [_long(i) if i % 5 else None for i in range(40)] + ["", "€uro ünïcode 字符串 long enough"]
    blobs = [None if s is None else s.encode() + b"\x00\xff" for s in strings]
    return [_batch({
        "utf8": pa.array(strings, pa.string()),
        "large_utf8": pa.array(strings, pa.large_string()),
        "binary": pa.array(blobs, pa.binary()),
        "large_binary": pa.array(blobs, pa.large_binary()),
        "fixed3": pa.array([None if b is None else (b + b"xyz")[:3] for b in blobs], pa.binary(3)),
        "string_view": pa.array(strings, pa.string_view()),
        "binary_view": pa.array(blobs, pa.binary_view()),
    })]


def views_with_many_buffers():
    """A string_view column whose data sits in several variadic buffers (concatenated chunks)."""
    chunks = [pa.array([_long(i + 10 * c) for i in range(10)], pa.string_view()) for c in range(3)]
    combined = pa.concat_arrays(chunks)
    return [_batch({"sv": combined, "bv": combined.cast(pa.binary_view())})]


def nested():
    ints = pa.array([1, None, 3, 4, 5, 6, 7, None, 9, 10], pa.int32())
    offsets = pa.array([0, 2, 2, 5, 10], pa.int32())
    lists = pa.ListArray.from_arrays(offsets, ints, mask=pa.array([False, False, True, False]))
    # list views out of order, overlapping, and one empty
    view_offsets = pa.array([5, 0, 2, 9], pa.int32())
    view_sizes = pa.array([5, 3, 0, 1], pa.int32())
    list_view = pa.ListViewArray.from_arrays(view_offsets, view_sizes, ints, mask=pa.array([False, False, False, True]))
    large_list_view = pa.LargeListViewArray.from_arrays(view_offsets.cast(pa.int64()), view_sizes.cast(pa.int64()), ints)
    struct = pa.StructArray.from_arrays([pa.array([1, 2, None, 4], pa.int8()), pa.array(["a", None, "c", "d"])],
                                        fields=[pa.field("x", pa.int8()), pa.field("y", pa.string(), nullable=False)],
                                        mask=pa.array([False, True, False, False]))
    maps = pa.array([[("a", 1), ("b", None)], None, [], [("c", 3)]], pa.map_(pa.string(), pa.int32()))
    sorted_map = pa.array([[(1, 1.5)], [], None, [(2, 2.5), (3, 3.5)]], pa.map_(pa.int16(), pa.float64(), keys_sorted=True))
    fsl = pa.FixedSizeListArray.from_arrays(pa.array(range(12), pa.int16()), 3, mask=pa.array([False, True, False, False]))
    sparse = pa.UnionArray.from_sparse(pa.array([0, 1, 0, 1], pa.int8()),
                                       [pa.array([1, None, 3, 4], pa.int32()), pa.array(["a", "b", None, "d"])],
                                       ["i", "s"], [0, 1])
    dense = pa.UnionArray.from_dense(pa.array([5, 5, 7, 5], pa.int8()), pa.array([0, 1, 0, 2], pa.int32()),
                                     [pa.array([1.5, None, 3.5], pa.float64()), pa.array([True])],
                                     ["f", "b"], [5, 7])
    deep = pa.array([[[{"k": [1, 2]}]], None, [[], [{"k": None}]], [[{"k": []}]]],
                    pa.list_(pa.large_list(pa.struct([("k", pa.list_(pa.int64()))]))))
    return [_batch({
        "list": lists, "large_list": lists.cast(pa.large_list(pa.int32())), "list_view": list_view,
        "large_list_view": large_list_view, "fixed_size_list": fsl, "struct": struct, "map": maps,
        "sorted_map": sorted_map, "sparse_union": sparse, "dense_union": dense, "deep": deep,
    })]


def run_end_encoded():
    values = pa.array(["a", None, "bb", "long run value over twelve bytes"])
    out = {}
    for t in (pa.int16(), pa.int32(), pa.int64()):
        out[f"ree_{t}"] = pa.RunEndEncodedArray.from_arrays(pa.array([2, 3, 7, 10], t), values)
    out["ree_f64"] = pa.RunEndEncodedArray.from_arrays(pa.array([1, 10], pa.int32()), pa.array([None, 2.5]))
    return [_batch(out)]


def dictionaries():
    words = pa.array(["apple", "banana", None, "cherry", "apple"])
    out = {}
    for t in (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32()):
        out[f"dict_{t}"] = pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 2, 0], t),
                                                          pa.array(["apple", "banana", "cherry"]))
    out["dict_ordered"] = words.dictionary_encode().cast(pa.dictionary(pa.int32(), pa.string(), ordered=True))
    out["dict_int64_values"] = pa.array([10, 20, 10, None, 30]).dictionary_encode()
    out["dict_in_list"] = pa.ListArray.from_arrays(pa.array([0, 2, 2, 3, 5, 5], pa.int32()), words.dictionary_encode())
    out["dict_in_struct"] = pa.StructArray.from_arrays([words.dictionary_encode()], ["w"])
    return [_batch(out)]


def dictionary_deltas():
    """Batches whose dictionary extends the last one: with emit_dictionary_deltas pyarrow sends
    only the new values (delta dictionary batches)."""
    dictionary = ["a", "b", "c", "d", "e", "f"]
    batches = []
    for n in (2, 2, 4, 6):
        d = pa.array(dictionary[:n])
        batches.append(_batch({"col": pa.DictionaryArray.from_arrays(pa.array([i % n for i in range(5)], pa.int32()), d),
                               "other": pa.array(range(5), pa.int64())}))
    return batches


def dictionary_replacements():
    """Batches with unrelated dictionaries: a stream replaces them (the file format cannot)."""
    batches = []
    for d in (["x", "y"], ["q", "r", "s"], ["y", "x"]):
        batches.append(_batch({"col": pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 1], pa.int16()), pa.array(d))}))
    return batches


def extension_types():
    register_extension_types()
    uuid_storage = pa.array([bytes(range(16)), None, b"\xff" * 16], pa.binary(16))
    tensor_type = pa.fixed_shape_tensor(pa.int32(), [2, 2], dim_names=["r", "c"], permutation=[0, 1])
    tensors = pa.ExtensionArray.from_storage(
        tensor_type, pa.FixedSizeListArray.from_arrays(pa.array(range(12), pa.int32()), 4))
    rational = pa.ExtensionArray.from_storage(
        Rational(), pa.StructArray.from_arrays([pa.array([1, 2, None]), pa.array([2, 3, 4])], ["num", "den"]))
    return [_batch({
        "uuid": pa.ExtensionArray.from_storage(pa.uuid(), uuid_storage),
        "json": pa.ExtensionArray.from_storage(pa.json_(), pa.array(['{"a": 1}', None, "[]"])),
        "tensor": tensors,
        "bool8": pa.ExtensionArray.from_storage(pa.bool8(), pa.array([1, 0, None], pa.int8())),
        "opaque": pa.ExtensionArray.from_storage(pa.opaque(pa.binary(), "geometry", "vendor.example"),
                                                 pa.array([b"\x01", None, b""])),
        "rational": rational,
    })]


def custom_metadata():
    fields = [pa.field("a", pa.int32(), metadata={"unit": "m", "ünïcode": "välue", "empty": ""}),
              pa.field("b", pa.list_(pa.field("elem", pa.string(), nullable=False, metadata={"inner": "1"})),
                       nullable=False)]
    schema = pa.schema(fields, metadata={"origin": "pyarrow", "k2": "v2", "json": '{"nested": [1, 2]}'})
    return [pa.record_batch([pa.array([1, None, 3], pa.int32()), pa.array([["x"], [], ["y", "z"]],
                                                                           pa.list_(fields[1].type.value_field))],
                            schema=schema)]


def sliced():
    """Batches that are slices of larger ones: pyarrow writes only the slice."""
    big = nested()[0]
    base = _batch({
        "i32": pa.array(range(100), pa.int32()),
        "bool": pa.array([i % 3 == 0 if i % 7 else None for i in range(100)]),
        "str": pa.array([_long(i) if i % 4 else None for i in range(100)]),
        "sv": pa.array([_long(i) for i in range(100)], pa.string_view()),
        "list": pa.array([list(range(i % 5)) for i in range(100)], pa.list_(pa.int64())),
        "dict": pa.array([f"w{i % 6}" for i in range(100)]).dictionary_encode(),
        "ree": pa.RunEndEncodedArray.from_arrays(pa.array(range(10, 101, 10), pa.int32()), pa.array(range(10))),
    })
    return [base.slice(3, 50), base.slice(61, 7), base.slice(99, 1)], [big.slice(1, 2)]


def seed_batch():
    """The batch of pyarrow's "Streaming, Serialization, and IPC" chapter."""
    data = [pa.array([1, 2, 3, 4]), pa.array(["foo", "bar", "baz", None]), pa.array([True, None, False, True])]
    return pa.record_batch(data, names=["f0", "f1", "f2"])


def cases():
    register_extension_types()
    sliced_flat, sliced_nested = sliced()
    out = {
        "primitive": Case(primitive()),
        "decimal": Case(decimals()),
        "temporal": Case(temporal()),
        "binary_like": Case(binary_like()),
        "views_many_buffers": Case(views_with_many_buffers()),
        "nested": Case(nested()),
        "run_end_encoded": Case(run_end_encoded()),
        "dictionary": Case(dictionaries()),
        "dictionary_deltas": Case(dictionary_deltas(), emit_dictionary_deltas=True),
        "dictionary_replacements": Case(dictionary_replacements(), file=False, unify_for_file=True),
        "extension": Case(extension_types()),
        "custom_metadata": Case(custom_metadata()),
        "sliced": Case(sliced_flat),
        "sliced_nested": Case(sliced_nested),
        "lz4": Case(binary_like() + binary_like(), compression="lz4"),
        "zstd": Case(nested(), compression="zstd"),
        "zstd_dictionary_deltas": Case(dictionary_deltas(), compression="zstd", emit_dictionary_deltas=True),
        "no_batches": Case([], schema=pa.schema([("x", pa.int32()), ("s", pa.string_view())])),
        "empty_batch": Case([_batch({"x": pa.array([], pa.int32()), "s": pa.array([], pa.string_view())})]),
        "seed": Case([seed_batch()] * 5),
        "seed_file": Case([seed_batch()] * 10),
    }
    return out


def seed_bigfile_batches():
    """bigfile.arrow of the seed chapter: 1000 batches of 10,000 int32 ("nums")."""
    schema = pa.schema([pa.field("nums", pa.int32())])
    for row in range(1000):
        yield pa.record_batch([pa.array(np.arange(row * 10_000, (row + 1) * 10_000, dtype=np.int32))], schema=schema)


def tensors():
    """numpy arrays for pa.ipc.write_tensor: every value type a Tensor message carries."""
    out = {}
    rng = np.random.default_rng(7)
    for dt in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64"):
        out[dt] = (rng.standard_normal((3, 4, 5)) * 100).astype(dt)
    out["fortran"] = np.asfortranarray(np.arange(24, dtype=np.float64).reshape(4, 6))
    out["strided"] = np.arange(64, dtype=np.int32).reshape(8, 8)[::2, 1::3]
    out["zero_d"] = np.array(3.25)
    out["empty"] = np.zeros((0, 5), dtype=np.int64)
    out["one_d"] = np.arange(1000, dtype=np.uint16)
    out["seed_500x500"] = rng.standard_normal((500, 500))
    return out

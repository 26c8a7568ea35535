"""pandas objects through the default context's pandas handlers (pyarrow 11's shapes): round
trips, zero copy, the same bytes as pyarrow 11 and each reading the other's blobs (with
pyarrow 11 installed), and the restricted unpickler that reads pandas' pickles without
allow_pickle."""
import datetime
import pickle
import warnings
import zoneinfo

import numpy as np
import pytest

import arrowpack as ap
from arrowpack import pandas_handlers as handlers

pd = pytest.importorskip("pandas")

try:
    import pyarrow as pa
except ImportError:
    pa = None
PA11 = pa is not None and hasattr(pa, "serialize")
needs_pa11 = pytest.mark.skipif(not PA11, reason="needs pyarrow < 12 (pa.serialize)")

pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning"),  # pa.serialize is deprecated
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _maybe_pytz():
    try:
        import pytz
        return pytz
    except ImportError:
        return None


def _frames():
    """name -> a fresh pandas object. Each is written by pyarrow 11 too (pandas 1.5)."""
    pytz = _maybe_pytz()
    n = 4
    frames = {
        "numbers": pd.DataFrame({"i": np.arange(n, dtype=np.int64), "f": np.linspace(0, 1, n),
                                 "i32": np.arange(n, dtype=np.int32), "u8": np.arange(n, dtype=np.uint8),
                                 "f32": np.ones(n, dtype=np.float32), "b": [True, False, True, True]}),
        "consolidated": pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=["x", "y", "z"]),
        "strings": pd.DataFrame({"s": ["a", "bc", None, "é✓"], "mixed": [1, "two", 3.5, None]}),
        "datetimes": pd.DataFrame({"t": pd.date_range("2020-01-01", periods=n, freq="h"),
                                   "nat": pd.to_datetime(["2021-05-06", None, "1999-12-31", "2000-02-29"])}),
        "tz": pd.DataFrame({"eastern": pd.date_range("2020-03-07", periods=n, freq="12h", tz="US/Eastern"),
                            "utc": pd.date_range("2020-01-01", periods=n, tz="UTC"),
                            "fixed": pd.date_range("2020-01-01", periods=n,
                                                   tz=datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))),
                            "zoneinfo": pd.date_range("2020-01-01", periods=n, tz=zoneinfo.ZoneInfo("Europe/Paris"))}),
        "categorical": pd.DataFrame({"c": pd.Categorical(["x", "y", "x", None]),
                                     "ordered": pd.Categorical([3, 1, 2, 1], categories=[3, 2, 1], ordered=True)}),
        "all kinds": pd.DataFrame({"i": [1, 2, 3], "f": [1.5, 2.5, np.nan], "b": [True, False, True],
                                   "s": ["a", "b", "c"], "dt": pd.date_range("2020-01-01", periods=3),
                                   "dtz": pd.date_range("2020-01-01", periods=3, tz="Asia/Tokyo"),
                                   "c": pd.Categorical(["p", "q", "p"])}),
        "string index": pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=pd.Index(["r1", "r2", "r3"], name="rows")),
        "datetime index": pd.DataFrame({"v": [1, 2, 3]}, index=pd.date_range("2021-01-01", periods=3, freq="D", name="d")),
        "tz index": pd.DataFrame({"v": [1, 2]}, index=pd.date_range("2021-01-01", periods=2, tz="Europe/London")),
        "multiindex": pd.DataFrame({"v": [1, 2, 3, 4]},
                                   index=pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["k", "n"])),
        "multiindex columns": pd.DataFrame(np.arange(4).reshape(2, 2),
                                           columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
        "range index": pd.DataFrame({"v": [5, 6, 7]}, index=pd.RangeIndex(10, 16, 2, name="r")),
        "int index": pd.DataFrame({"v": ["a", "b"]}, index=pd.Index([7, 3])),
        "categorical index": pd.DataFrame({"v": [1, 2, 3]}, index=pd.CategoricalIndex(["a", "b", "a"])),
        "interval index": pd.DataFrame({"v": [1, 2]}, index=pd.interval_range(0, 2)),
        "period index": pd.DataFrame({"v": [1, 2]}, index=pd.period_range("2020-01", periods=2, freq="M")),
        "timedelta index": pd.DataFrame({"v": [1, 2]}, index=pd.to_timedelta([1, 2], unit="s")),
        "interval and period columns": pd.DataFrame({"iv": pd.interval_range(0, 2),
                                                     "p": pd.period_range("2020-01-01", periods=2, freq="D")}),
        "empty": pd.DataFrame(),
        "empty with index": pd.DataFrame(index=pd.Index(["a", "b"])),
        "empty with columns": pd.DataFrame(columns=["a", "b"]),
        "no rows": pd.DataFrame({"a": np.zeros(0), "s": np.array([], dtype=object)}),
        "duplicate columns": pd.DataFrame(np.ones((2, 2)), columns=["a", "a"]),
        "series": pd.Series([1.5, 2.5, 3.5], name="x"),
        "unnamed series": pd.Series(["a", None, "c"]),
        "datetime series": pd.Series(pd.date_range("2020-01-01", periods=3, tz="UTC"), name="when"),
        "categorical series": pd.Series(pd.Categorical(["u", "v"]), name=7, index=["i", "j"]),
        "empty series": pd.Series([], dtype=np.float64, name="nothing"),
    }
    if pytz is not None:
        frames["pytz fixed offset"] = pd.DataFrame({"t": pd.date_range("2020-01-01", periods=2, tz=pytz.FixedOffset(90))})
    # A frame whose blocks are not consolidated (placements out of order).
    grown = pd.DataFrame({"a": [1, 2]})
    grown["s"] = ["x", "y"]
    grown["b"] = [3, 4]
    grown.insert(0, "first", [0.5, 1.5])
    frames["unconsolidated"] = grown
    return frames


# Columns pyarrow 11 fails on; arrowpack writes them as blocks pyarrow 11 reads.
def _frames_beyond_pyarrow():
    return {
        "timedelta": pd.DataFrame({"td": pd.to_timedelta([1, 2, 3], unit="s"), "i": [1, 2, 3]}),
        "timedelta series": pd.Series(pd.to_timedelta([5, None], unit="D"), name="gap"),
        "string dtype": pd.DataFrame({"s": pd.array(["a", None, "c"], dtype="string"), "i": [1, 2, 3]}),
    }


with warnings.catch_warnings():  # (at collection, outside pytestmark's filters)
    warnings.simplefilter("ignore")
    FRAME_NAMES = list(_frames())
    BEYOND_NAMES = list(_frames_beyond_pyarrow())


def _value(name):
    frames = _frames()
    frames.update(_frames_beyond_pyarrow())
    return frames[name]


def assert_same(expected, actual):
    assert type(actual) is type(expected)
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(actual, expected)
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(actual, expected)
    elif isinstance(expected, pd.Index):
        pd.testing.assert_index_equal(actual, expected, exact=True)
    else:
        pd.testing.assert_extension_array_equal(actual, expected)


@pytest.mark.parametrize("name", FRAME_NAMES + BEYOND_NAMES)
def test_round_trip(name):
    value = _value(name)
    assert_same(value, ap.deserialize(ap.serialize(value).to_buffer()))
    assert_same(value, ap.deserialize_components(ap.serialize(value).to_components()))


INDEXES = {
    "object": lambda: pd.Index(["a", "b", None], name="n"), "int": lambda: pd.Index([3, 1, 2]),
    "float": lambda: pd.Index([1.5, np.nan]), "uint32": lambda: pd.Index(np.array([1, 2], dtype=np.uint32)),
    "bool": lambda: pd.Index([True, False]), "empty": lambda: pd.Index([]),
    "range": lambda: pd.RangeIndex(2, 10, 3, name="r"),
    "multi": lambda: pd.MultiIndex.from_product([["a", "b"], pd.date_range("2020", periods=2, tz="UTC")],
                                                names=["x", None]),
    "datetime": lambda: pd.date_range("2020-01-31", periods=3, freq=pd.offsets.MonthEnd()),
    "business days": lambda: pd.bdate_range("2020-01-01", periods=3),
    "datetime no freq": lambda: pd.DatetimeIndex(["2020-01-01", "2020-03-05", None]),
    "datetime tz": lambda: pd.date_range("2020-01-01", periods=3, tz="US/Eastern"),
    "datetime zoneinfo": lambda: pd.date_range("2020-01-01", periods=3, tz=zoneinfo.ZoneInfo("America/Chicago")),
    "datetime fixed offset": lambda: pd.date_range("2020-01-01", periods=2, tz=datetime.timezone(datetime.timedelta(hours=9))),
    "categorical": lambda: pd.CategoricalIndex(["a", "b", "a"], categories=["b", "a"], ordered=True),
    "interval": lambda: pd.IntervalIndex.from_breaks([0.5, 1.5, 3.0], closed="left"),
    "datetime interval": lambda: pd.interval_range(pd.Timestamp("2020-01-01"), periods=2),
    "period": lambda: pd.period_range("2020Q1", periods=3, freq="Q"),
    "timedelta": lambda: pd.timedelta_range("1 day", periods=3, name="t"),
    "object values": lambda: pd.Index([datetime.date(2020, 1, 2), pd.Timestamp("2020-01-01", tz="UTC"),
                                        pd.Timedelta(5), pd.Period("2020-01", "M"), pd.Interval(0, 1), pd.NaT, 7]),
    "interval array": lambda: pd.arrays.IntervalArray.from_breaks([0, 1, 5]),
    "period array": lambda: pd.period_range("2020", periods=2, freq="Y").array,
    "datetime array": lambda: pd.date_range("2020-01-01", periods=2).array,
    "datetime array tz": lambda: pd.date_range("2020-01-01", periods=2, tz="Australia/Sydney").array,
}


@pytest.mark.parametrize("name", list(INDEXES))
def test_index_and_array_round_trip_without_allow_pickle(name):
    value = INDEXES[name]()
    assert_same(value, ap.deserialize(ap.serialize(value).to_buffer()))
    # Inside a frame, as its index.
    if isinstance(value, pd.Index):
        frame = pd.DataFrame({"v": np.arange(len(value))}, index=value)
        assert_same(frame, ap.deserialize(ap.serialize(frame).to_buffer()))


def _inside(array, buf):
    address = array.__array_interface__["data"][0]
    return buf.address <= address and address + array.nbytes <= buf.address + buf.size


def test_numeric_blocks_are_read_only_views_of_the_blob():
    frame = pd.DataFrame({"i": np.arange(1000, dtype=np.int64), "f": np.linspace(0, 1, 1000),
                          "b": np.arange(1000) % 3 == 0, "c": pd.Categorical(np.arange(1000) % 4),
                          "td": pd.to_timedelta(np.arange(1000), unit="s"), "s": ["x"] * 1000})
    buf = ap.serialize(frame).to_buffer()
    back = ap.deserialize(buf)
    pd.testing.assert_frame_equal(back, frame)
    for column in ("i", "f", "b", "td"):
        values = back[column].to_numpy()
        assert _inside(values, buf) and not values.flags.writeable, column
    assert _inside(back["c"].array.codes, buf)
    assert not _inside(back["s"].to_numpy(), buf)  # an object block is unpickled
    series = ap.deserialize(buf := ap.serialize(pd.Series(np.arange(100.0), name="s")).to_buffer())
    assert _inside(series.to_numpy(), buf)


def test_pandas_handlers_are_in_the_default_context():
    context = ap.default_serialization_context()
    for type_id in ("pd.Series", "pd.DataFrame", "pd.Index", "pd.core.arrays.interval.IntervalArray",
                    "pd.core.arrays.period.PeriodArray", "pd.core.arrays.datetimes.DatetimeArray"):
        assert type_id in context.whitelisted_types


def test_unsupported_columns_are_refused_as_pyarrow_refuses_them():
    frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64")})
    with pytest.raises(ap.SerializationCallbackError, match="IntegerArray"):
        ap.serialize(frame)


def _blob(value):
    # A blob of `value` as it stands, dicts with "_pytype_" included (a hand-made object).
    return ap.serialize(value).to_buffer()


def test_timezone_block_of_datetime64_values():
    # A tz-aware block as a numpy datetime64 array of UTC times, with the zone's name (older
    # writers); pyarrow 11 reads it too.
    times = np.array([["2020-06-01T12:00", "2020-12-01T12:00"]], dtype="M8[ns]")
    data = {"blocks": [{"timezone": "Europe/Paris", "placement": np.array([0]), "block": times},
                       {"timezone": "+05:30", "placement": np.array([1]), "block": times}],
            "axes": [pd.Index(["paris", "india"]), pd.RangeIndex(2)]}
    blob = _blob({"data": data, "_pytype_": "pd.DataFrame"})
    back = ap.deserialize(blob)
    utc = pd.DatetimeIndex(times[0]).tz_localize("UTC")
    assert list(back["paris"]) == list(utc.tz_convert("Europe/Paris"))
    assert str(back["paris"].dt.tz) == "Europe/Paris"
    assert back["india"].dt.tz.utcoffset(None) == datetime.timedelta(hours=5, minutes=30)
    assert list(back["india"]) == list(utc)
    if PA11:
        pd.testing.assert_frame_equal(back, pa.deserialize(blob), check_dtype=False)


@pytest.mark.parametrize("blocks", [
    [{"placement": np.array([0]), "block": np.zeros((1, 3))}],             # 3 rows for an index of 2
    [{"placement": np.array([0, 0]), "block": np.zeros((2, 2))}],          # column 0 twice, 1 never
    [{"placement": np.array([0, 1, 2]), "block": np.zeros((3, 2))}],       # a third column
    [{"placement": np.array([[0, 1]]), "block": np.zeros((2, 2))}],        # a 2-D placement
])
def test_malformed_frames_are_refused(blocks):
    data = {"blocks": blocks, "axes": [pd.Index(["a", "b"]), pd.RangeIndex(2)]}
    with pytest.raises((ValueError, TypeError)):
        ap.deserialize(_blob({"data": data, "_pytype_": "pd.DataFrame"}))


# ---- the restricted unpickler

CALLS = []


def record_call(*args):  # what a hostile pickle would run; it must not run without allow_pickle
    CALLS.append(args)
    return "ran"


class Reduce:
    """Pickles as function(*args)."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


HOSTILE = {
    "a function of this module": (lambda: Reduce(record_call, "x"), "record_call"),
    "builtins.eval": (lambda: Reduce(eval, "1 + 1"), "builtins.eval"),
    "os.getcwd": (lambda: Reduce(__import__("os").getcwd), "getcwd"),
    "inside an index": (lambda: pd.Index([Reduce(record_call, "y")], dtype=object), "record_call"),
    "an index reconstructor for a non-index class": (
        lambda: Reduce(pd.core.indexes.base._new_Index, pd.Categorical, {"values": [1]}), "_new_Index"),
    "getattr beyond zoneinfo": (lambda: Reduce(getattr, np.ndarray, "__class__"), "getattr"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_index_pickle_is_refused(name):
    make, what = HOSTILE[name]
    payload = pickle.dumps(make(), protocol=pickle.HIGHEST_PROTOCOL)
    # As pyarrow writes it: the pickle in a buffer.
    blob = _blob({"data": ap.py_buffer(payload), "_pytype_": "pd.Index"})
    CALLS.clear()
    with pytest.raises(ap.DeserializationCallbackError, match=what) as refused:
        ap.deserialize(blob)
    assert refused.value.type_id == "pd.Index" and "allow_pickle" in str(refused.value)
    assert CALLS == []


def test_allow_pickle_unpickles_in_full():
    payload = pickle.dumps(Reduce(record_call, "z"), protocol=pickle.HIGHEST_PROTOCOL)
    blob = _blob({"data": payload, "_pytype_": "pd.Index"})
    CALLS.clear()
    assert ap.deserialize(blob, allow_pickle=True) == "ran"
    assert CALLS == [("z",)]


def test_hostile_object_block_is_refused():
    block = pickle.dumps(np.array([[Reduce(record_call, "w")]], dtype=object), protocol=pickle.HIGHEST_PROTOCOL)
    data = {"blocks": [{"placement": np.array([0]), "block": block, "object": None}],
            "axes": [pd.Index(["a"]), pd.RangeIndex(1)]}
    blob = _blob({"data": data, "_pytype_": "pd.DataFrame"})
    CALLS.clear()
    with pytest.raises(ap.DeserializationCallbackError, match="record_call") as refused:
        ap.deserialize(blob)
    assert refused.value.type_id == "pd.DataFrame" and CALLS == []
    assert ap.deserialize(blob, allow_pickle=True)["a"][0] == "ran" and CALLS == [("w",)]


# Pickles that would change objects shared across the process (the BUILD opcode sets the
# state of the object below it): each is refused, and the object is left as it was.
def _state_of(push, state=b"N}\x8c\x06pwned_\x8c\x03yes" + b"s\x86"):
    return b"\x80\x04" + push + state + b"b."


SHARED_STATE = {
    "an index class": (_state_of(b"cpandas.core.indexes.base\nIndex\n"), lambda: pd.Index),
    "an index class, as a dict": (_state_of(b"cpandas.core.indexes.base\nIndex\n", b"}\x8c\x06pwned_K\x01s"),
                                  lambda: pd.Index),
    "pd.NA": (_state_of(b"cpandas._libs.missing\nNA\n"), lambda: pd.NA),
    "a cached dtype": (_state_of(b"cpandas.core.dtypes.dtypes\nPeriodDtype\n\x8c\x01D\x85\x81"),
                       lambda: pd.PeriodDtype("D")),
    "pd.NaT (Period.__new__)": (_state_of(b"cpandas._libs.tslibs.period\nPeriod\n)\x81"), lambda: pd.NaT),
}
if _maybe_pytz() is not None:
    SHARED_STATE["pytz.utc"] = (_state_of(b"cpytz\n_UTC\n)R"), lambda: _maybe_pytz().utc)


@pytest.mark.parametrize("name", list(SHARED_STATE))
def test_pickles_cannot_change_shared_objects(name):
    payload, target = SHARED_STATE[name]
    with pytest.raises(ap.DeserializationCallbackError, match="setting"):
        ap.deserialize(_blob({"data": payload, "_pytype_": "pd.Index"}))
    assert not hasattr(target(), "pwned_")


def test_allowed_classes_make_new_objects():
    # BUILD may set the state of what NEWOBJ made without arguments when it is of the class
    # asked for: no allowed class hands out a shared object that way.
    for obj, _ in handlers._allowed().full.values():
        if isinstance(obj, type):
            try:
                first, second = obj.__new__(obj), obj.__new__(obj)
            except TypeError:
                continue
            assert first is not second or type(first) is not obj, obj


def test_plain_pickles_take_the_fast_unpickler(monkeypatch):
    # Object blocks of plain values and plain indexes unpickle in C, not in pickle's Python.
    # (object dtypes throughout: pandas 3's strings are pyarrow arrays, for the careful one)
    index = pd.MultiIndex.from_arrays([pd.Index(["a", "b", "c"], dtype=object), pd.Index([1, 2, 3])])
    frame = pd.DataFrame({"s": ["a", "b", None], "x": [1, "two", 3.5]}, index=index).astype(object)
    frame.columns = pd.Index(["s", "x"], dtype=object)
    blob = pa.serialize(frame).to_buffer() if PA11 else ap.serialize(frame).to_buffer()

    def refuse(*args, **kwargs):
        raise AssertionError("the careful unpickler was used")

    monkeypatch.setattr(handlers, "_CarefulUnpickler", refuse)
    pd.testing.assert_frame_equal(ap.deserialize(blob), frame)


# ---- against pyarrow 11

@needs_pa11
@pytest.mark.parametrize("name", FRAME_NAMES)
def test_same_bytes_as_pyarrow_11(name):
    value = _value(name)
    ours, theirs = ap.serialize(value), pa.serialize(value)
    assert bytes(ours.to_buffer()) == theirs.to_buffer().to_pybytes()
    oc, tc = ours.to_components(), theirs.to_components()
    assert {k: v for k, v in oc.items() if k != "data"} == {k: v for k, v in tc.items() if k != "data"}
    assert [bytes(b) for b in oc["data"]] == [b.to_pybytes() for b in tc["data"]]


@needs_pa11
@pytest.mark.parametrize("name", list(INDEXES))
def test_same_index_bytes_as_pyarrow_11(name):
    value = INDEXES[name]()
    assert bytes(ap.serialize(value).to_buffer()) == pa.serialize(value).to_buffer().to_pybytes()


@needs_pa11
@pytest.mark.parametrize("name", FRAME_NAMES)
def test_pyarrow_11_reads_arrowpack(name):
    value = _value(name)
    s = ap.serialize(value)
    assert_same(value, pa.deserialize(s.to_buffer()))
    assert_same(value, pa.deserialize_components(s.to_components()))


@needs_pa11
@pytest.mark.parametrize("name", BEYOND_NAMES)
def test_pyarrow_11_reads_what_it_cannot_write(name):
    value = _value(name)
    with pytest.raises(pa.lib.SerializationCallbackError):
        pa.serialize(value)
    back = pa.deserialize(ap.serialize(value).to_buffer())
    # pyarrow 11 has the strings back as an object column (arrowpack restores the dtype).
    expected = value.astype({"s": object}) if name == "string dtype" else value
    assert_same(expected, back)


@needs_pa11
@pytest.mark.parametrize("name", FRAME_NAMES)
def test_arrowpack_reads_pyarrow_11_without_allow_pickle(name):
    value = _value(name)
    s = pa.serialize(value)
    assert_same(value, ap.deserialize(s.to_buffer()))
    assert_same(value, ap.deserialize_components(s.to_components()))


@needs_pa11
@pytest.mark.parametrize("name", list(INDEXES))
def test_arrowpack_reads_pyarrow_11_indexes_without_allow_pickle(name):
    value = INDEXES[name]()
    assert_same(value, ap.deserialize(pa.serialize(value).to_buffer()))


@needs_pa11
def test_blocks_of_pyarrow_blobs_are_views():
    frame = pd.DataFrame({"i": np.arange(500), "f": np.ones(500), "c": pd.Categorical(np.arange(500) % 7)})
    buf = pa.serialize(frame).to_buffer()
    back = ap.deserialize(buf)
    pd.testing.assert_frame_equal(back, frame)
    assert _inside(back["i"].to_numpy(), buf) and _inside(back["f"].to_numpy(), buf)
    assert _inside(back["c"].array.codes, buf)


@needs_pa11
@pytest.mark.parametrize("tz", [
    datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=2), "X"),
    datetime.timezone(datetime.timedelta(hours=-2, minutes=-30)), zoneinfo.ZoneInfo("Europe/Paris"),
    "pytz:US/Eastern", "pytz:UTC", "pytz+90", "pytz-330", "dateutil:Europe/Paris", "dateutil:utc", "dateutil+3600",
], ids=str)
def test_timezone_names_are_pyarrow_11s(tz):
    if isinstance(tz, str):
        if tz.startswith("pytz"):
            import pytz
            tz = pytz.timezone(tz[5:]) if tz[4] == ":" else pytz.FixedOffset(int(tz[4:]))
        else:
            import dateutil.tz
            tz = (dateutil.tz.tzutc() if tz.endswith("utc") else dateutil.tz.gettz(tz[9:]) if tz[8] == ":"
                  else dateutil.tz.tzoffset(None, int(tz[8:])))
    name = pa.lib.tzinfo_to_string(tz)
    assert handlers._tzinfo_to_string(tz) == name
    assert repr(handlers._string_to_tzinfo(name)) == repr(pa.lib.string_to_tzinfo(name))


@needs_pa11
def test_hostile_pickle_from_pyarrow_11_is_refused():
    class Forged:
        pass

    theirs = pa.default_serialization_context()
    payload = pickle.dumps(Reduce(record_call, "p"), protocol=pickle.HIGHEST_PROTOCOL)
    theirs.register_type(Forged, "pd.Index", custom_serializer=lambda _: pa.py_buffer(payload),
                         custom_deserializer=lambda data: None)
    blob = pa.serialize([Forged()], context=theirs).to_buffer()
    CALLS.clear()
    with pytest.raises(ap.DeserializationCallbackError, match="record_call"):
        ap.deserialize(blob)
    assert CALLS == []
    assert ap.deserialize(blob, allow_pickle=True) == ["ran"]



# numpy sets the state of its dtypes and arrays unchecked: a forged dtype state (an object
# field, flags that deny objects, a field out of bounds) makes numpy read raw bytes as
# pointers, an array built again frees its data under its views, and _reconstruct's shape
# allocates any size. Each crashed (or took gigabytes) before.
_RECONSTRUCT = np.array([None], dtype=object).__reduce__()[0]
_FROMBUFFER = np.zeros(1).__reduce_ex__(5)[0]


class Built(Reduce):
    """Pickles as function(*args), then BUILD with state."""

    def __init__(self, function, args, state):
        super().__init__(function, *args)
        self.state = state

    def __reduce__(self):
        return self.function, self.args, self.state


def _bytes_array(n):
    return Built(_RECONSTRUCT, (np.ndarray, (0,), b"b"), (1, (n,), np.dtype("u1"), False, b"B" * n))


NUMPY_STATE = {
    "an object dtype without its object flags": (lambda: Built(_RECONSTRUCT, (np.ndarray, (0,), b"b"), (
        1, (1,), Built(np.dtype, ("O8", False, True), (3, "|", None, None, None, -1, -1, 0)), False, b"A" * 8)),
        "object pickle not returning list"),  # (numpy's refusal: the dtype kept its flags)
    "a forged object field": (lambda: Built(np.dtype, ("V8", False, True),
                                            (3, "|", None, ("a",), {"a": (np.dtype("O"), 0)}, 8, 1, 0)), "dtype"),
    "a field out of bounds": (lambda: Built(np.dtype, ("V8", False, True),
                                            (3, "|", None, ("a",), {"a": (np.dtype("f8"), 1 << 40)}, 8, 1, 16)), "dtype"),
    "a wider string dtype": (lambda: Built(np.dtype, ("U1", False, True), (3, "<", None, None, None, 400, 4, 8)),
                             "dtype"),
    "a view of an array": (lambda: Reduce(_FROMBUFFER, _bytes_array(1 << 16), np.dtype("u1"), (1 << 16,), "C"),
                           "_frombuffer"),
    "a huge object array": (lambda: Reduce(_RECONSTRUCT, np.ndarray, (1 << 28,), np.dtype("O")), "_reconstruct"),
}


def _build_again(payload):
    # The pickle's first object made by REDUCE, built again (one byte) before it stops.
    import pickletools
    memo, previous, index = 0, None, None
    for op, _, _ in pickletools.genops(payload):
        if op.name == "MEMOIZE":
            if previous == "REDUCE" and index is None:
                index = memo
            memo += 1
        previous = op.name
    state = pickle.dumps((1, (1,), np.dtype("u1"), False, b"\0"), protocol=4)
    state = state[11:-1] if state[2:3] == b"\x95" else state[2:-1]  # no PROTO, FRAME, STOP
    return payload[:-1] + b"j" + index.to_bytes(4, "little") + state + b"b0."


@pytest.mark.parametrize("name", list(NUMPY_STATE))
def test_forged_numpy_state_is_refused(name):
    make, what = NUMPY_STATE[name]
    payload = pickle.dumps(make(), protocol=4)
    with pytest.raises((ap.DeserializationCallbackError, TypeError), match=what):
        ap.deserialize(_blob({"data": ap.py_buffer(payload), "_pytype_": "pd.Index"}))


def test_an_array_is_built_once():
    # (with a DatetimeIndex, for the careful unpickler; an index over the array, then the
    # array built again, as pandas may keep views of it)
    from pandas.core.indexes.base import _new_Index
    arr = _bytes_array(1 << 16)
    payload = pickle.dumps([Reduce(_new_Index, pd.Index, {"data": arr}), pd.DatetimeIndex], protocol=4)
    with pytest.raises(ap.DeserializationCallbackError, match="did not make"):
        ap.deserialize(_blob({"data": ap.py_buffer(_build_again(payload)), "_pytype_": "pd.Index"}))
    # The C unpickler builds it again, but pandas holds a copy.
    payload = pickle.dumps([Reduce(_new_Index, pd.Index, {"data": arr}), arr], protocol=4)
    index, again = ap.deserialize(_blob({"data": ap.py_buffer(_build_again(payload)), "_pytype_": "pd.Index"}))
    assert len(index) == 1 << 16 and index[-1] == ord("B") and list(again) == [0]


def test_pickles_that_claim_more_than_they_hold_are_refused_before_unpickling():
    # A memo index of 2**28 (CPython's C unpickler would size its memo by it: gigabytes from
    # ten bytes) and a BINBYTES8 claiming 16 GiB, each in a 'pd.Index' payload.
    import struct
    huge_memo = b"\x80\x05N" + b"r" + struct.pack("<I", 1 << 28) + b"."
    huge_bytes = b"\x80\x05\x8e" + struct.pack("<Q", 16 << 30) + b"xx."
    unknown_opcode = b"\x80\x05\xff."
    no_stop = b"\x80\x05N"
    for payload in (huge_memo, huge_bytes, unknown_opcode, no_stop):
        blob = _blob({"data": ap.py_buffer(payload), "_pytype_": "pd.Index"})
        with pytest.raises(ap.DeserializationCallbackError, match="malformed"):
            ap.deserialize(blob)
    ok = pickle.dumps(pd.Index(["a", "b", "c"] * 100), protocol=pickle.HIGHEST_PROTOCOL)
    ap._arrowpack._check_pickle(ok)  # a real pickle passes the walk

"""pandas in the default context, as pyarrow 11 registers it (its
_register_custom_pandas_handlers): DataFrame, Series, Index and the Interval, Period and
Datetime arrays, under the same names and in the same serialized shapes, so that each reads
the other's blobs; and the restricted unpickling that lets pyarrow 11's frames be read
without allow_pickle. Imported the first time an object or a blob needs pandas."""
import copy
import datetime
import io
import pickle
import re
import sys

import numpy as np

from . import _arrowpack
from .lib import ArrowInvalid, DeserializationCallbackError
from .serialization import registers_own_handlers


# ---- pandas: pyarrow 11's handlers (its _register_custom_pandas_handlers), wire-compatible.
#
# The shapes, as pyarrow 11 writes and reads them:
# - pd.DataFrame: {"blocks": [one dict per block of the frame's BlockManager], "axes":
#   [columns, index]}. A block's dict has "placement" (an int64 array: the columns the block
#   holds) and "block" (its values: a (columns, rows) numpy array, or a pandas array), plus
#     "timezone" (pyarrow's name of the zone) first, for a tz-aware datetime block;
#     "dictionary" (an Index) and "ordered" first, for a categorical; "block" is then its codes;
#     "object": None last, for an object block; "block" is then the pickle (bytes) of its array.
# - pd.Series: the pd.DataFrame {series.name: series}.
# - pd.Index and the Interval, Period and Datetime arrays: their pickle, in a buffer.
# arrowpack writes the same dicts in the same order, so the bytes are pyarrow 11's. Where
# pyarrow 11 fails (timedelta and string columns) arrowpack writes a block pyarrow 11 reads:
# a timedelta column as its numpy timedelta64 array; a string column as an object block with
# "pandas_dtype" (the dtype's name, a key pyarrow ignores) so that arrowpack restores it.
#
# The pickles (indexes, object blocks, datetime blocks, categories): pyarrow unpickles them
# with pickle.loads, which runs whatever a pickle names. arrowpack does that only when the
# caller passes allow_pickle=True. Otherwise (_unpickle) a pickle gets only the globals that
# pickles of pandas indexes, of the arrays above, of time zones and of object arrays of plain
# values refer to (_Allowed), so that the frames, series and indexes of pyarrow 11's blobs read
# by default; a pickle that names anything else is refused with DeserializationCallbackError
# before any of it runs. The BUILD opcode (set an object's state) is held to objects the
# pickle made, so that a pickle cannot change the classes it is given nor objects shared by
# the process (cached time zones and dtypes, pd.NA): _FastUnpickler (pickle's C one) serves
# pickles that need only numpy, builtin values and plain indexes, giving sealed stand-ins for
# what BUILD could change; any other allowed global sends the pickle to _CarefulUnpickler
# (pickle's Python one, slower on object arrays), which checks each BUILD.

def _takes_allow_pickle(deserializer):
    # SerializationContext._deserialize_callback calls such a deserializer with allow_pickle.
    deserializer._arrowpack_takes_allow_pickle = True
    return deserializer


def _pickle_to_buffer(obj):
    # As pyarrow 11's: the pickle, in a buffer (which the writer writes out of band).
    return _arrowpack.py_buffer(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


class _Refused(Exception):
    """What a pickle asked for that the restricted unpickler does not give it."""


class _Careful(Exception):
    """The fast unpickler met a global that only the careful one gives."""


class _Sealed:
    """A function or class as the fast unpickler gives it to a pickle: a callable whose
    attributes the pickle cannot set (no __dict__; __setattr__ refuses), so that the state
    opcode (BUILD) cannot change the object it stands for."""

    __slots__ = ("target",)

    def __init__(self, target):
        object.__setattr__(self, "target", target)

    def __setstate__(self, state):
        raise _Refused(f"setting the state of {self.target!r}")

    def __setattr__(self, name, value):
        raise _Refused(f"setting {name!r} on {self.target!r}")

    def __call__(self, *args, **kwargs):
        # The arrays go to pandas as copies: the C unpickler lets a pickle BUILD an array again,
        # which frees its data under any view pandas kept of it.
        return self.target(*_unaliased(args), **_unaliased(kwargs))


def _unaliased(value):
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) in (list, tuple):
        return type(value)(_unaliased(item) for item in value)
    if type(value) is dict:
        return {key: _unaliased(item) for key, item in value.items()}
    return value


class _NdarrayClass:
    """np.ndarray as the restricted unpickler gives it: what numpy's _reconstruct is given,
    not callable (np.ndarray(shape, dtype, buffer) makes views of a pickle's arrays)."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise _Refused(f"setting {name!r} on numpy.ndarray")


_NDARRAY = _NdarrayClass()


def _numpy_guards(reconstruct, frombuffer):
    # numpy's array reconstructors, held to what numpy's own pickles ask: _reconstruct makes
    # an empty ndarray (BUILD then sets its data once: a shape there would allocate any
    # size), _frombuffer reads bytes of the pickle (not an array: BUILD could free its data).
    def reconstruct_array(cls, shape, dtype):
        if cls is not _NDARRAY or type(shape) is not tuple or shape != (0,):
            raise _Refused(f"numpy's _reconstruct for {cls!r} of shape {shape!r}")
        return reconstruct(np.ndarray, shape, dtype)

    def frombuffer_array(buffer, dtype, shape, order):
        if type(buffer) not in (bytes, bytearray):
            raise _Refused(f"numpy's _frombuffer over a {type(buffer).__name__}")
        return frombuffer(buffer, dtype, shape, order)
    return reconstruct_array, frombuffer_array


def _fast_dtype(spec, align=False, copy=False):
    # numpy.dtype for the C unpickler, whose BUILD sets a dtype's state unchecked (fields,
    # flags, sizes: forged, they make numpy read raw bytes as pointers or out of bounds):
    # only numpy's builtin dtypes, whose state BUILD cannot change (native byte order); any
    # other dtype sends the pickle to the careful unpickler, which checks the state.
    if isinstance(spec, str) and not align:
        try:
            dtype = np.dtype(spec)
        except TypeError:
            dtype = None
        if dtype is not None and dtype.kind in "biufcO" and dtype.isnative and np.dtype(spec) is dtype:
            return dtype
    raise _Careful()


def _module_attr(module_name, name):
    try:
        module = sys.modules.get(module_name) or __import__(module_name, fromlist=["_"])
    except ImportError:
        return None
    return getattr(module, name, None)


def _guarded(function, classes, what):
    # `function(cls, ...)` builds an object of class `cls` (a pickle's reconstructor, which
    # calls cls.__new__ or the like): only for the classes listed.
    def call(cls, *args, **kwargs):
        if type(cls) is _Sealed:
            cls = cls.target
        if not any(cls is c for c in classes):
            raise _Refused(f"{what} for {cls!r}")
        return function(cls, *args, **kwargs)
    return call


def _zoneinfo_getattr(obj, name):
    # A zoneinfo.ZoneInfo pickles as getattr(ZoneInfo, "_unpickle")(key, from_cache); that
    # is the one getattr a pickle gets (getattr in general reaches any object).
    import zoneinfo
    if obj is zoneinfo.ZoneInfo and name == "_unpickle":
        return zoneinfo.ZoneInfo._unpickle
    raise _Refused(f"builtins.getattr for {name!r}")


class _Allowed:
    """What the restricted unpickler gives a pickle, by id of the object a global names.

    full: everything pickles of pandas indexes, of the Interval, Period, Datetime and
    Timedelta arrays, of object arrays of plain values and of time zones refer to, for the
    careful unpickler. fast: the part of it for the C unpickler, whose BUILD opcode sets the
    state of any object on the stack: objects whose state a pickle cannot change (numpy's
    and the immutable built-in types, builtin functions) and sealed stand-ins for the index
    classes and functions of plain indexes. makers: the functions whose results BUILD may
    set the state of (they return new objects)."""

    def __init__(self):
        import pandas as pd
        self.full, self.fast, self.makers = {}, {}, []

        def allow(obj, given=None, fast=None):
            # `given`: what the careful unpickler gives for obj (obj itself by default);
            # `fast`: what the fast one gives (not given there by default).
            if obj is not None:
                self.full[id(obj)] = (obj, obj if given is None else given)
                if fast is not None:
                    self.fast[id(obj)] = (obj, fast)

        # numpy arrays and scalars: numpy.ndarray, numpy.dtype and the reconstructors their
        # pickles name (numpy.core.multiarray._reconstruct and .scalar, numpy.core.numeric.
        # _frombuffer; numpy._core in numpy 2), found through the pickles themselves.
        reconstruct = np.array([None], dtype=object).__reduce__()[0]  # builtin functions
        scalar = np.int64(0).__reduce__()[0]
        allow(scalar, fast=scalar)
        allow(np.ndarray, _NDARRAY, fast=_NDARRAY)
        allow(np.dtype, fast=_Sealed(_fast_dtype))
        frombuffer = np.zeros(1).__reduce_ex__(5)[0]  # a Python function
        reconstruct_array, frombuffer_array = _numpy_guards(reconstruct, frombuffer)
        allow(reconstruct, reconstruct_array, fast=_Sealed(reconstruct_array))
        allow(frombuffer, frombuffer_array, fast=_Sealed(frombuffer_array))
        self.makers += [reconstruct_array, np.dtype]
        # Values of object arrays (and object indexes), and the parts of time zones.
        import decimal
        for cls in (datetime.date, datetime.datetime, datetime.time, datetime.timedelta, datetime.timezone,
                    decimal.Decimal):
            immutable = bool(cls.__flags__ & (1 << 8))  # Py_TPFLAGS_IMMUTABLETYPE
            allow(cls, fast=cls if immutable else None)
        import zoneinfo
        allow(zoneinfo.ZoneInfo)
        allow(getattr, _zoneinfo_getattr)
        for name in ("_p", "_UTC", "FixedOffset"):  # pytz's zones (by name), UTC, fixed offsets
            allow(_module_attr("pytz", name))
        for name in ("tzutc", "tzoffset"):  # dateutil's UTC and fixed offsets
            allow(_module_attr("dateutil.tz", name))
        # The index classes, and the functions their pickles call with a class and the
        # index's fields (_new_Index(cls, d) calls cls.__new__(cls, **d)): only for those
        # classes. Plain indexes (object, numbers, ranges, MultiIndex) read with the fast one.
        plain = [pd.Index, pd.RangeIndex, pd.MultiIndex]
        for name in ("NumericIndex", "Int64Index", "UInt64Index", "Float64Index"):  # pandas < 2
            plain.append(_module_attr("pandas.core.indexes.numeric", name))
        plain = [cls for cls in plain if cls is not None]
        indexes = plain + [pd.DatetimeIndex, pd.CategoricalIndex, pd.IntervalIndex, pd.PeriodIndex, pd.TimedeltaIndex]
        for cls in indexes:
            allow(cls, fast=_Sealed(cls) if cls in plain else None)
        new_index = _module_attr("pandas.core.indexes.base", "_new_Index")
        if new_index is not None:
            allow(new_index, _guarded(new_index, indexes, "_new_Index"),
                  fast=_Sealed(_guarded(new_index, plain, "_new_Index")))
        for module, name, classes in (("datetimes", "_new_DatetimeIndex", [pd.DatetimeIndex]),
                                      ("interval", "_new_IntervalIndex", [pd.IntervalIndex]),
                                      ("timedeltas", "_new_TimedeltaIndex", [pd.TimedeltaIndex]),
                                      ("period", "_new_PeriodIndex", [pd.PeriodIndex])):
            function = _module_attr("pandas.core.indexes." + module, name)
            if function is not None:
                allow(function, _guarded(function, classes, name))
        # The arrays indexes hold, and their dtypes; the Cython reconstructors of the arrays
        # only for those classes.
        arrays = [pd.Categorical, pd.arrays.DatetimeArray, pd.arrays.TimedeltaArray, pd.arrays.PeriodArray,
                  pd.arrays.IntervalArray, pd.arrays.StringArray, getattr(pd.arrays, "ArrowStringArray", None),
                  _module_attr("pandas.core.arrays.string_arrow", "ArrowStringArrayNumpySemantics")]
        arrays = [cls for cls in arrays if cls is not None]
        for cls in arrays + [pd.CategoricalDtype, pd.DatetimeTZDtype, pd.PeriodDtype, pd.IntervalDtype, pd.StringDtype]:
            allow(cls)
        for module, name in (("arrays", "__pyx_unpickle_NDArrayBacked"), ("interval", "__pyx_unpickle_IntervalMixin")):
            function = _module_attr("pandas._libs." + module, name)
            if function is not None:
                guard = _guarded(function, arrays, name)
                allow(function, guard)
                self.makers.append(guard)
        # Frequencies (DatetimeIndex.freq, PeriodDtype).
        offsets = sys.modules.get("pandas._libs.tslibs.offsets")
        base_offset = getattr(offsets, "BaseOffset", None)
        for obj in vars(offsets).values() if base_offset is not None else ():
            if isinstance(obj, type) and issubclass(obj, base_offset):
                allow(obj)
        # pandas' scalars, as values of object arrays: the missing values, Timestamp,
        # Timedelta, Period, Interval.
        allow(pd.NA)
        allow(_module_attr("pandas._libs.tslibs.nattype", "__nat_unpickle"))
        allow(_module_attr("pandas._libs.tslibs.nattype", "_nat_unpickle"))  # pandas 3
        allow(_module_attr("pandas._libs.tslibs.timestamps", "_unpickle_timestamp"))
        allow(_module_attr("pandas._libs.tslibs.timedeltas", "_timedelta_unpickle"))
        allow(pd.Period)
        allow(pd.Interval)


_ALLOWED = None


def _allowed():
    global _ALLOWED
    if _ALLOWED is None:
        _ALLOWED = _Allowed()
    return _ALLOWED


def _pyarrow_global(name):
    # pandas' pyarrow-backed string arrays pickle their pyarrow array: the array is checked
    # in full (buffers against lengths and offsets) before pandas gets it.
    lib = sys.modules.get("pyarrow.lib")
    if lib is None:
        return None
    if name in ("py_buffer", "type_for_alias"):
        return getattr(lib, name, None)
    if name == "_restore_array" and hasattr(lib, name):
        def restore(data):
            array = lib._restore_array(data)
            array.validate(full=True)
            return array
        return restore
    return None


def _numpy_spellings(module):
    # numpy 2 renamed numpy.core to numpy._core; a pickle may name either.
    for old, new in (("numpy.core", "numpy._core"), ("numpy._core", "numpy.core")):
        if module == old or module.startswith(old + "."):
            return [module, new + module[len(old):]]
    return [module]


def _find_global(module, name, fast):
    """What a pickle that names module.name gets from the restricted unpickler: None when
    refused, _Careful when only the careful unpickler gives it."""
    allowed = _allowed()
    if module == "pyarrow.lib":
        return _Careful if fast else _pyarrow_global(name)
    if module == "pandas.core.indexes.numeric" and "pandas.core.indexes.numeric" not in sys.modules:
        if name in ("NumericIndex", "Int64Index", "UInt64Index", "Float64Index"):
            import pandas as pd  # removed in pandas 2, where Index holds those dtypes
            return _Sealed(pd.Index) if fast else pd.Index
        return None
    for spelling in _numpy_spellings(module):
        found = getattr(sys.modules.get(spelling), "__dict__", {}).get(name)  # no import, no __getattr__
        if found is not None:
            break
    else:
        return None
    entry = (allowed.fast if fast else allowed.full).get(id(found))
    if entry is not None and entry[0] is found:
        return entry[1]
    entry = allowed.full.get(id(found))
    return _Careful if fast and entry is not None and entry[0] is found else None


class _FastUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        found = _find_global(module, name, fast=True)
        if found is None:
            raise _Refused(f"the global {module}.{name}")
        if found is _Careful:
            raise _Careful()
        return found


class _CarefulUnpickler(pickle._Unpickler):
    """pickle's Python unpickler with the full allowlist, whose BUILD sets the state only of
    objects the pickle made (by NEWOBJ without arguments, or through allowed makers, such
    as numpy's _reconstruct) and of numpy scalars and dtypes (whose state numpy guards): a
    pickle cannot change the classes it is given, nor objects shared across the process
    (cached time zones and dtypes, pd.NA, pd.NaT)."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file):
        super().__init__(file)
        self._made = {}  # id -> object, kept alive so that ids are not reused
        self._makers = _allowed().makers

    def find_class(self, module, name):
        found = _find_global(module, name, fast=False)
        if found is None:
            raise _Refused(f"the global {module}.{name}")
        return found

    def _newobj(self):
        args, cls = self.stack[-1], self.stack[-2]
        pickle._Unpickler.load_newobj(self)
        if not args and type(self.stack[-1]) is cls:
            self._made[id(self.stack[-1])] = self.stack[-1]

    def _newobj_ex(self):
        kwargs, args, cls = self.stack[-1], self.stack[-2], self.stack[-3]
        pickle._Unpickler.load_newobj_ex(self)
        if not args and not kwargs and type(self.stack[-1]) is cls:
            self._made[id(self.stack[-1])] = self.stack[-1]

    def _reduce(self):
        function = self.stack[-2]
        pickle._Unpickler.load_reduce(self)
        if any(function is maker for maker in self._makers):
            self._made[id(self.stack[-1])] = self.stack[-1]

    def _build(self):
        state, target = self.stack[-1], self.stack[-2]
        if isinstance(target, np.dtype):
            _check_dtype_state(target, state)
        elif self._made.get(id(target)) is target:
            # Once: BUILD again on an array would free the data under its views.
            self._made[id(target)] = None
        elif not isinstance(target, np.generic):
            raise _Refused(f"setting the state of {target!r}, an object it did not make")
        pickle._Unpickler.load_build(self)

    dispatch[pickle.NEWOBJ[0]] = _newobj
    dispatch[pickle.NEWOBJ_EX[0]] = _newobj_ex
    dispatch[pickle.REDUCE[0]] = _reduce
    dispatch[pickle.BUILD[0]] = _build


def _check_dtype_state(dtype, state):
    # numpy sets a dtype's state unchecked (forged fields, flags or sizes make it read raw bytes
    # as pointers, or out of bounds). The state may change only a plain dtype's byte order or
    # datetime unit, as numpy's pickles of dtypes do: tried first on a copy (by numpy's own
    # pickle of it: np.dtype(dtype, copy=True) returns dtype itself).
    probe = copy.copy(dtype)
    try:
        probe.__setstate__(state)
    except Exception as error:
        raise _Refused(f"the dtype state {state!r} ({error})") from None
    same = lambda d: (d.kind, d.char, d.itemsize, d.alignment, d.flags, d.fields, d.subdtype)
    if dtype.fields is not None or dtype.subdtype is not None or same(probe) != same(dtype):
        raise _Refused(f"setting the state of {dtype!r} to {state!r}")


def _unpickle(data, type_id, allow_pickle):
    """The object pickled in `data` (bytes or a buffer): with pickle.loads when allow_pickle,
    else with the restricted unpickler: the C one while the pickle asks only for what it
    gives (object arrays of plain values, plain indexes), else the careful Python one."""
    if allow_pickle:
        return pickle.loads(memoryview(data))
    try:
        # First a walk that runs nothing (python/src/pickle_scan.cc): known opcodes, arguments
        # inside the bytes, memo indexes below the opcode count. CPython's C unpickler would
        # otherwise size its memo, or a length-prefixed argument, by what the bytes claim.
        _arrowpack._check_pickle(data)
    except ArrowInvalid as malformed:
        raise DeserializationCallbackError(f"the pickle in a '{type_id}' object is malformed: {malformed}",
                                           type_id) from None
    try:
        try:
            return _FastUnpickler(io.BytesIO(memoryview(data))).load()
        except _Careful:
            return _CarefulUnpickler(io.BytesIO(memoryview(data))).load()
    except _Refused as refused:
        raise DeserializationCallbackError(
            f"the pickle in a '{type_id}' object was refused: it asks for {refused}. Without allow_pickle=True "
            "arrowpack unpickles only pandas' own objects (pass it only for blobs from a trusted source: "
            "unpickling runs code)", type_id) from None


# Time zone names as pyarrow 11 writes them ("UTC", "+01:30", "Europe/Paris") and reads them.
_FIXED_OFFSET = re.compile(r"([+-])([01][0-9]|2[0-3]):([0-5][0-9])")


def _offset_text(tz):
    seconds = int(tz.utcoffset(None).total_seconds())
    if seconds % 60:
        raise ValueError(f"the offset of {tz!r} is not a whole number of minutes")
    sign, minutes = ("-", -seconds // 60) if seconds < 0 else ("+", seconds // 60)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _tzinfo_to_string(tz):
    if isinstance(tz, datetime.timezone):
        return "UTC" if tz.tzname(None) == "UTC" else _offset_text(tz)
    pytz = sys.modules.get("pytz")
    if pytz is not None:
        if isinstance(tz, pytz._FixedOffset):
            return _offset_text(tz)
        if isinstance(tz, pytz.BaseTzInfo):
            return tz.zone
    import zoneinfo
    if isinstance(tz, zoneinfo.ZoneInfo):
        return tz.key
    tzfile = _module_attr("dateutil.tz", "tzfile") if "dateutil" in sys.modules else None
    if tzfile is not None and isinstance(tz, tzfile):  # its file's name, from the first "zoneinfo/" on
        filename = tz._filename
        start = filename.find("zoneinfo/")
        return filename if start < 0 else filename[start + len("zoneinfo/"):]
    name = tz.tzname(None)
    return name if isinstance(name, str) else _offset_text(tz)


def _string_to_tzinfo(name):
    fixed = _FIXED_OFFSET.fullmatch(name)
    minutes = fixed and (int(fixed.group(2)) * 60 + int(fixed.group(3))) * (-1 if fixed.group(1) == "-" else 1)
    try:
        import pytz
    except ImportError:
        pytz = None
    if pytz is not None:
        if fixed:
            return pytz.FixedOffset(minutes)
        return pytz.utc if name in ("UTC", "utc") else pytz.timezone(name)
    if fixed:
        return datetime.timezone(datetime.timedelta(minutes=minutes))
    if name in ("UTC", "utc"):
        return datetime.timezone.utc
    import zoneinfo
    return zoneinfo.ZoneInfo(name)


def _frame_to_dict(pd, frame):
    manager = frame._mgr
    if not hasattr(manager, "blocks"):  # pandas 1.x's ArrayManager (option mode.data_manager)
        manager = frame._as_manager("block")._mgr
    blocks = []
    for block in manager.blocks:
        values = block.values
        # "string", or "str" (pandas 3's default strings)
        string_dtype = values.dtype.name if isinstance(values.dtype, pd.StringDtype) else None
        item = {}
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            item["timezone"] = _tzinfo_to_string(values.tz)
        elif isinstance(values, pd.Categorical):
            item["dictionary"] = values.categories
            item["ordered"] = values.ordered
            values = values.codes
        elif isinstance(values, pd.arrays.TimedeltaArray):
            values = np.asarray(values)  # (pyarrow 11 fails on these; its reader takes the array)
        elif string_dtype is not None:  # (pyarrow 11 fails on these too)
            values = np.asarray(values, dtype=object).reshape(1, -1)
        item["placement"] = block.mgr_locs.as_array
        item["block"] = values
        if isinstance(values, np.ndarray) and values.dtype == object:
            item["block"] = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
            item["object"] = None
            if string_dtype is not None:
                item["pandas_dtype"] = string_dtype
        blocks.append(item)
    return {"blocks": blocks, "axes": list(manager.axes)}


def _with_timezone(pd, values, name):
    # pyarrow 11 writes a tz-aware block as its DatetimeArray, whose zone is the one kept (as
    # pyarrow's reader keeps it); a numpy datetime64 block holds UTC times of the named zone.
    if isinstance(getattr(values, "dtype", None), pd.DatetimeTZDtype):
        return values
    times = np.asarray(values)
    if times.dtype.kind != "M":
        raise TypeError(f"a tz-aware pd.DataFrame block holds {times.dtype}, not datetime64 values")
    aware = pd.DatetimeIndex(times.reshape(-1)).tz_localize("UTC").tz_convert(_string_to_tzinfo(name)).array
    return aware.reshape(times.shape) if times.ndim == 2 else aware


def _frame_from_dict(pd, data, allow_pickle):
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list) or len(data.get("axes", ())) != 2:
        raise TypeError("a serialized pd.DataFrame is a dict of 'blocks' (a list) and 'axes' (columns, index)")
    columns, index = data["axes"]
    if not isinstance(columns, pd.Index) or not isinstance(index, pd.Index):
        raise TypeError("the axes of a serialized pd.DataFrame are two pd.Index objects")
    blocks = []
    for item in data["blocks"]:
        if not isinstance(item, dict) or "placement" not in item:
            raise TypeError("a serialized pd.DataFrame block is a dict with a 'placement'")
        values = item.get("block")
        if "dictionary" in item:
            values = pd.Categorical.from_codes(values, categories=item["dictionary"], ordered=item["ordered"])
        elif "timezone" in item:
            values = _with_timezone(pd, values, item["timezone"])
        elif "object" in item:
            values = _unpickle(values, "pd.DataFrame", allow_pickle)
            if item.get("pandas_dtype") in ("string", "str") and isinstance(values, np.ndarray) and values.ndim == 2:
                values = pd.array(values.reshape(-1), dtype=item["pandas_dtype"])
        elif "py_array" in item:
            raise NotImplementedError("a pd.DataFrame block of a pyarrow array ('py_array'), which pyarrow's "
                                      "serialization does not read either")
        blocks.append((values, item["placement"]))
    return _frame_from_blocks(pd, blocks, index, columns)


def _frame_from_blocks(pd, blocks, index, columns):
    # Checked here, as pandas builds the frame on the blocks as they are.
    placements = []
    for values, placement in blocks:
        if not isinstance(placement, np.ndarray) or placement.ndim != 1 or placement.dtype.kind not in "iu":
            raise TypeError("a pd.DataFrame block's placement is a 1-D integer array")
        shape = getattr(values, "shape", None)
        if shape is None or not (shape == (len(placement), len(index)) or
                                 (len(shape) == 1 and not isinstance(values, np.ndarray) and len(placement) == 1 and
                                  shape[0] == len(index))):
            raise ValueError(f"a pd.DataFrame block of shape {shape} does not fit its {len(placement)} columns "
                             f"and the index's {len(index)} rows")
        placements.append(placement.astype(np.intp, copy=False))
    every = np.sort(np.concatenate(placements)) if placements else np.zeros(0, np.intp)
    if not np.array_equal(every, np.arange(len(columns))):
        raise ValueError("the blocks of a serialized pd.DataFrame do not place each column once")
    blocks = [(values, placement) for (values, _), placement in zip(blocks, placements)]
    create = getattr(getattr(pd.api, "internals", None), "create_dataframe_from_blocks", None)  # pandas >= 3
    if create is not None:
        return create(blocks, index=index, columns=columns)
    from pandas.core.internals import BlockManager
    from pandas.core.internals.api import make_block
    manager = BlockManager([make_block(values, placement=placement, ndim=2) for values, placement in blocks],
                           [columns, index])
    from_manager = getattr(pd.DataFrame, "_from_mgr", None)  # pandas >= 2.1
    return pd.DataFrame(manager) if from_manager is None else from_manager(manager, axes=manager.axes)


@registers_own_handlers
def register_pandas_handlers(context):
    """pyarrow 11's pandas handlers (DataFrame, Series, Index, and the Interval, Period and
    Datetime arrays) in `context`, under its names."""
    import pandas as pd

    def serialize_series(series):
        return _frame_to_dict(pd, pd.DataFrame({series.name: series}))

    @_takes_allow_pickle
    def deserialize_series(data, allow_pickle=False):
        return _frame_from_dict(pd, data, allow_pickle).iloc[:, 0]

    @_takes_allow_pickle
    def deserialize_frame(data, allow_pickle=False):
        return _frame_from_dict(pd, data, allow_pickle)

    def register_pickled(type_, type_id):
        @_takes_allow_pickle
        def load(data, allow_pickle=False):
            return _unpickle(data, type_id, allow_pickle)
        context.register_type(type_, type_id, custom_serializer=_pickle_to_buffer, custom_deserializer=load)

    context.register_type(pd.Series, "pd.Series", custom_serializer=serialize_series,
                          custom_deserializer=deserialize_series)
    register_pickled(pd.Index, "pd.Index")
    register_pickled(pd.arrays.IntervalArray, "pd.core.arrays.interval.IntervalArray")
    register_pickled(pd.arrays.PeriodArray, "pd.core.arrays.period.PeriodArray")
    register_pickled(pd.arrays.DatetimeArray, "pd.core.arrays.datetimes.DatetimeArray")
    context.register_type(pd.DataFrame, "pd.DataFrame", custom_serializer=lambda frame: _frame_to_dict(pd, frame),
                          custom_deserializer=deserialize_frame)

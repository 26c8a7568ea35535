"""pyarrow's own view of a table, in the canonical JSON of ../shared/interop/README.md (the
form `arrowpack cat --json` prints and tools/canonical_json.cc implements), computed from
pyarrow's objects and values, not from the bytes. Works with pyarrow 11 and current ones.
"""
import ctypes
import decimal
import math
import struct

import numpy as np
import pyarrow as pa
import pyarrow.types as pt


def _num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0 and math.copysign(1, x) < 0:
        return "-0"
    return x


def member_keys(names):
    counts = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    return [f"{n}#{i}" if counts[n] > 1 else n for i, n in enumerate(names)]


def _storage_type(t):
    return t.storage_type if isinstance(t, pa.BaseExtensionType) else t


def _children(t):
    """The child fields of a type, as Arrow's schema lists them."""
    t = _storage_type(t)
    if pt.is_dictionary(t):
        return _children(t.value_type)
    if pt.is_map(t):
        entries = pa.struct([t.key_field, t.item_field])
        return [pa.field("entries", entries, nullable=False)]
    if pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t) or _is_list_view(t):
        return [t.value_field]
    if pt.is_struct(t) or pt.is_union(t):
        return [t.field(i) for i in range(t.num_fields)]
    if _is_run_end_encoded(t):
        return [pa.field("run_ends", t.run_end_type, nullable=False), pa.field("values", t.value_type)]
    return []


def _is_list_view(t):
    return hasattr(pt, "is_list_view") and (pt.is_list_view(t) or pt.is_large_list_view(t))


def _is_run_end_encoded(t):
    return hasattr(pt, "is_run_end_encoded") and pt.is_run_end_encoded(t)


def _metadata(md):
    if not md:
        return {}
    return {k.decode(): md[k].decode() for k in sorted(md)}


class _ArrowSchema(ctypes.Structure):
    """struct ArrowSchema of the Arrow C data interface."""
    _fields_ = [("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_void_p),
                ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64), ("children", ctypes.c_void_p),
                ("dictionary", ctypes.c_void_p), ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


def _exported_metadata(extension_type):
    """ARROW:extension:name and :metadata exactly as pyarrow serializes the type (the same
    bytes it writes to IPC), read from its export through the C data interface, because
    pyarrow's built-in extension types do not expose their serialization to Python."""
    c_schema = _ArrowSchema()
    pa.field("x", extension_type)._export_to_c(ctypes.addressof(c_schema))
    try:
        out = {}
        if c_schema.metadata:
            cursor = c_schema.metadata
            (count,) = struct.unpack("<i", ctypes.string_at(cursor, 4))
            cursor += 4
            for _ in range(count):
                pair = []
                for _part in range(2):
                    (size,) = struct.unpack("<i", ctypes.string_at(cursor, 4))
                    pair.append(ctypes.string_at(cursor + 4, size).decode())
                    cursor += 4 + size
                out[pair[0]] = pair[1]
        return {k: v for k, v in out.items() if k.startswith("ARROW:extension:")}
    finally:
        ctypes.CFUNCTYPE(None, ctypes.POINTER(_ArrowSchema))(c_schema.release)(ctypes.byref(c_schema))


def field_json(f):
    md = _metadata(f.metadata)
    if isinstance(f.type, pa.BaseExtensionType):
        md = dict(sorted({**md, **_exported_metadata(f.type)}.items()))
    out = {"name": f.name, "type": str(_storage_type(f.type)), "nullable": f.nullable, "metadata": md}
    children = _children(f.type)
    if children:
        out["children"] = [field_json(c) for c in children]
    return out


def schema_json(schema):
    return {"fields": [field_json(f) for f in schema], "metadata": _metadata(schema.metadata)}


def _raw(array, i, dtype, buffer=1):
    """Element i of a fixed-width array's data buffer as `dtype` (its storage)."""
    buf = array.buffers()[buffer]
    return np.frombuffer(buf, dtype=dtype, count=array.offset + i + 1)[array.offset + i]


def _decimal_string(value, scale):
    unscaled = int(value.scaleb(scale)) if value.is_finite() else 0
    neg = unscaled < 0
    s = str(-unscaled if neg else unscaled)
    if scale > 0:
        s = s.rjust(scale + 1, "0")
        s = s[:-scale] + "." + s[-scale:]
    elif scale < 0 and unscaled != 0:
        s += "0" * (-scale)
    return ("-" if neg else "") + s


def value_at(array, i):
    t = array.type
    if isinstance(t, pa.BaseExtensionType):
        return value_at(array.storage, i)
    if pt.is_null(t):
        return None
    if not pt.is_union(t) and not _is_run_end_encoded(t) and array.is_null()[i].as_py():
        return None
    if pt.is_boolean(t):
        return array[i].as_py()
    if pt.is_integer(t):
        v = array[i].as_py()
        return str(v) if t.bit_width == 64 else v
    if pt.is_float16(t):
        return _num(_raw(array, i, "<f2"))
    if pt.is_floating(t):
        return _num(array[i].as_py())
    if pt.is_decimal(t):
        with decimal.localcontext() as ctx:
            ctx.prec = 100
            return _decimal_string(array[i].as_py(), t.scale)
    if pt.is_date32(t) or pt.is_time32(t) or str(t) == "month_interval":
        return int(_raw(array, i, "<i4"))
    if pt.is_date64(t) or pt.is_time64(t) or pt.is_timestamp(t) or pt.is_duration(t):
        return str(int(_raw(array, i, "<i8")))
    if t == pa.month_day_nano_interval():
        v = array[i].as_py()
        return {"months": v.months, "days": v.days, "nanoseconds": str(v.nanoseconds)}
    if str(t) == "day_time_interval":
        pair = np.frombuffer(array.buffers()[1], dtype="<i4", count=2 * (array.offset + i + 1))[-2:]
        return {"days": int(pair[0]), "milliseconds": int(pair[1])}
    if pt.is_fixed_size_binary(t) or pt.is_binary(t) or pt.is_large_binary(t) or str(t) == "binary_view":
        return array[i].as_py().hex()
    if pt.is_string(t) or pt.is_large_string(t) or str(t) == "string_view":
        return array[i].as_py()
    if pt.is_map(t):
        entries = array[i].values
        keys = member_keys([t.key_field.name, t.item_field.name])
        return [{keys[0]: value_at(entries.field(0), k), keys[1]: value_at(entries.field(1), k)}
                for k in range(len(entries))]
    if pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t) or _is_list_view(t):
        values = array[i].values
        return [value_at(values, k) for k in range(len(values))]
    if pt.is_struct(t):
        keys = member_keys([t.field(k).name for k in range(t.num_fields)])
        return {keys[k]: value_at(array.field(k), i) for k in range(t.num_fields)}
    if pt.is_union(t):
        # From the buffers: pyarrow's type_codes and offsets properties ignore a slice's offset.
        code = int(_raw(array, i, "<i1", buffer=1))
        child = list(t.type_codes).index(code)
        j = int(_raw(array, i, "<i4", buffer=2)) if t.mode == "dense" else i
        return {"type_id": code, "value": value_at(array.field(child), j)}
    if pt.is_dictionary(t):
        return value_at(array.dictionary, array.indices[i].as_py())
    if _is_run_end_encoded(t):
        run_ends = array.run_ends.to_numpy()
        physical = int(np.searchsorted(run_ends, array.offset + i, side="right"))
        return value_at(array.values, physical)
    raise NotImplementedError(f"canonical value of {t}")


def batch_json(batch):
    keys = member_keys(batch.schema.names)
    return {"num_rows": batch.num_rows,
            "columns": {keys[k]: [value_at(batch.column(k), i) for i in range(batch.num_rows)]
                        for k in range(batch.num_columns)}}


def table_json(table):
    """{"schema", "batches"}: the table's chunks as pyarrow holds them."""
    return {"schema": schema_json(table.schema), "batches": [batch_json(b) for b in table.to_batches()]}

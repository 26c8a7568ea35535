"""arrowpack's pa.serialize API on its own (no pyarrow needed): round trips, zero copy, the
type registry, the pickle policy, the sources and sinks, hostile blobs."""
import collections
import datetime
import io
import pickle
import random
import sys
import warnings

import numpy as np
import pytest

import arrowpack as ap

warnings.filterwarnings("ignore", category=PendingDeprecationWarning)  # np.matrix


def same(a, b):
    """Equal values of the same types, numpy arrays by dtype, shape and values."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(a) is type(b) and list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


ROUND_TRIPS = [
    None, True, False, 0, -1, 2**63 - 1, -(2**63), 2**64, -(2**100), 1.5, float("inf"), "", "héllo ✓", b"",
    b"\x00\xff", [], [1, [2, [3]]], (), (1, "a", None), {}, {"a": 1, 2: [3], (4, 5): {"x": b"y"}}, {1, 2, 3},
    set(), datetime.datetime(2020, 5, 6, 7, 8, 9, 123456), datetime.datetime(1901, 1, 2, 3, 4, 5),
    collections.OrderedDict([("b", 1), ("a", 2)]), collections.Counter("abracadabra"),
    collections.deque([1, "x"]), collections.defaultdict(list, {"k": [1]}),
    np.arange(12, dtype=np.int64).reshape(3, 4), np.zeros((0, 3), dtype=np.float32),
    np.array([1.5, -2.25], dtype=np.float16), np.array([True, False]), np.array(["ab", "c"]),
    np.array([1, "x", None], dtype=object), np.arange(10)[::3], np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    np.arange(6)[::-1], np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]), np.matrix([[1, 2], [3, 4]]),
]


@pytest.mark.parametrize("value", ROUND_TRIPS, ids=lambda v: repr(v)[:40])
def test_round_trip(value):
    # A defaultdict's factory (a class, here list) travels pickled, as in pyarrow.
    allow_pickle = isinstance(value, collections.defaultdict)
    back = ap.deserialize(ap.serialize(value).to_buffer(), allow_pickle=allow_pickle)
    if isinstance(value, collections.defaultdict):
        assert type(back) is collections.defaultdict and back.default_factory is list and dict(back) == dict(value)
    elif isinstance(value, np.matrix):
        assert type(back) is np.matrix and np.array_equal(back, value)
    else:
        assert same(value, back), f"{value!r} came back as {back!r}"


def test_short_strings_are_shared_within_a_decode_up_to_the_tables_cap():
    # Repeats of a string of up to 64 bytes come back as one str (as pickle's memo makes them);
    # longer ones are made each time.
    out = ap.deserialize(ap.serialize(["key", "key", "x" * 64, "x" * 64, "y" * 65, "y" * 65]).to_buffer())
    assert out == ["key", "key", "x" * 64, "x" * 64, "y" * 65, "y" * 65]
    assert out[0] is out[1] and out[2] is out[3] and out[4] is not out[5]
    # Many distinct strings: the table grows past its inline slots, and stops keeping new
    # ones at 4096 entries (its memory is bounded); every value still comes back equal.
    words = [f"w{i}" for i in range(10_000)]
    back = ap.deserialize(ap.serialize(words + words).to_buffer())
    assert back == words + words
    assert back[17] is back[10_017] and back[4095] is back[14_095]
    assert back[4096] is not back[14_096] and back[9_999] is not back[19_999]


def test_numpy_scalars_read_back_as_pyarrow_gives_them():
    # pyarrow keeps bool, float16 as numpy scalars and turns the others into Python numbers.
    back = ap.deserialize(ap.serialize([np.float16(2.5), np.float32(1.5), np.int8(-3), np.uint64(7), np.bool_(True),
                                        np.float64(0.25)]).to_buffer())
    assert back == [2.5, 1.5, -3, 7, True, 0.25]
    assert type(back[0]) is np.float16 and [type(v) for v in back[1:]] == [float, int, int, bool, float]
    with pytest.raises(ap.ArrowInvalid, match="2\\*\\*63"):
        ap.serialize(np.uint64(2**63))


def test_numpy_arrays_are_read_only_views_of_the_blob():
    arrays = [np.random.default_rng(1).random((50, 40)) for _ in range(3)]
    buf = ap.serialize({"a": arrays}).to_buffer()
    back = ap.deserialize(buf)["a"]
    lo, hi = buf.address, buf.address + buf.size
    for a, b in zip(arrays, back):
        assert np.array_equal(a, b) and not b.flags.writeable
        address = b.__array_interface__["data"][0]
        assert lo <= address and address + b.nbytes <= hi, "the array is not a view of the blob"
        assert address % 64 == 0, "tensor data starts on a 64-byte boundary of the blob"
    with pytest.raises(ValueError):
        back[0][0, 0] = 1.0


def test_components_view_the_arrays_and_come_back_without_copying():
    a, b = np.arange(1000.0), np.arange(24, dtype=np.int32).reshape(4, 6)
    components = ap.serialize({"a": a, "b": [b]}).to_components()
    assert components["num_ndarrays"] == 2 and components["num_tensors"] == 0 and components["num_buffers"] == 0
    assert components["num_sparse_tensors"] == {"coo": 0, "csr": 0, "csc": 0, "csf": 0, "ndim_csf": 0}
    data = components["data"]
    # arrowpack.Buffer objects, or pyarrow.Buffer objects once pyarrow has been imported.
    pa = sys.modules.get("pyarrow")
    kinds = (ap.Buffer,) if pa is None else (ap.Buffer, pa.Buffer)
    assert len(data) == 5 and all(isinstance(d, kinds) for d in data)
    # data[0] is the structure; then each ndarray's metadata and body: the bodies are the arrays.
    assert data[2].address == a.__array_interface__["data"][0] and data[2].size == a.nbytes
    assert data[4].address == b.__array_interface__["data"][0] and data[4].size == b.nbytes
    back = ap.deserialize_components(components)
    assert np.array_equal(back["a"], a) and np.array_equal(back["b"][0], b)
    assert back["a"].__array_interface__["data"][0] == a.__array_interface__["data"][0]
    # Components given as bytes and memoryviews (what a transport hands over) work too.
    copied = dict(components, data=[bytes(d) for d in data])
    assert same(ap.deserialize_components(copied)["b"], [b])


def test_each_components_dict_is_its_own():
    # The dicts are copies of templates made once: changing one changes no other.
    s = ap.serialize({"a": 1})
    first = s.to_components()
    first["num_tensors"] = 7
    first["num_sparse_tensors"]["coo"] = 3
    first["ndim_csf"]["csf"] = 4
    first["extra"] = True
    again = s.to_components()
    assert list(again) == ["num_tensors", "num_sparse_tensors", "ndim_csf", "num_ndarrays", "num_buffers", "data"]
    assert again["num_tensors"] == 0 and again["num_sparse_tensors"] == again["ndim_csf"]
    assert again["num_sparse_tensors"] == {"coo": 0, "csr": 0, "csc": 0, "csf": 0, "ndim_csf": 0}
    assert again["num_sparse_tensors"] is not again["ndim_csf"]
    assert ap.deserialize_components(again) == {"a": 1}


def test_buffers_travel_out_of_band():
    buf = ap.serialize({"blob": ap.serialize(b"abc").to_buffer()}).to_buffer()
    back = ap.deserialize(buf)["blob"]
    assert isinstance(back, ap.Buffer) and ap.deserialize(back) == b"abc"


def test_sizes_and_sinks(tmp_path):
    value = {"x": np.arange(100), "y": "text", "z": [1, 2, 3]}
    s = ap.serialize(value)
    buf = s.to_buffer()
    assert s.total_bytes == buf.size == len(bytes(buf))
    sink = io.BytesIO()
    s.write_to(sink)
    assert sink.getvalue() == bytes(buf)
    path = tmp_path / "blob.bin"
    ap.serialize_to(value, str(path))
    assert path.read_bytes() == bytes(buf)
    assert same(ap.deserialize_from(str(path), None), value)
    with open(path, "rb") as f:
        assert same(ap.read_serialized(f).deserialize(), value)
    base = object()
    assert ap.read_serialized(buf, base=base).base is base
    assert same(ap.SerializedPyObject.from_components(s.to_components()).deserialize(), value)


# ---- the type registry

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is type(self) and (self.x, self.y) == (other.x, other.y)


class Point3(Point):
    def __init__(self, x, y, z):
        super().__init__(x, y)
        self.z = z


class Plain:
    def __eq__(self, other):
        return type(other) is Plain and self.__dict__ == other.__dict__


Pair = collections.namedtuple("Pair", ["first", "second"])


class Secret:
    def __init__(self, payload):
        self.payload = payload


def test_custom_serializer_dict_form_namedtuple_and_mro():
    c = ap.SerializationContext()
    c.register_type(Point, "Point", custom_serializer=lambda p: [p.x, p.y],
                    custom_deserializer=lambda d: Point(d[0], d[1]))
    c.register_type(Plain, "Plain")
    c.register_type(Pair, "Pair")
    plain = Plain()
    plain.a, plain.b = 1, [2, "three"]
    value = [Point(1, 2), plain, Pair(3, "four")]
    back = c.deserialize(c.serialize(value).to_buffer())
    assert back[0] == Point(1, 2) and back[1] == plain and back[2] == Pair(3, "four") and type(back[2]) is Pair
    # A subclass uses the closest registered class: Point3 travels as a Point.
    assert c.deserialize(c.serialize(Point3(1, 2, 3)).to_buffer()) == Point(1, 2)
    # The structure is pyarrow's: a dict with "_pytype_" (seen without the context's help).
    with pytest.raises(ap.DeserializationCallbackError, match="not registered"):
        ap.SerializationContext().deserialize(c.serialize(Point(1, 2)).to_buffer())
    with pytest.raises(ap.SerializationCallbackError):
        ap.SerializationContext().serialize(Point(1, 2))
    with pytest.raises(TypeError):
        c.register_type(Point, 7)


def test_clone_is_independent():
    c = ap.SerializationContext()
    c.register_type(Plain, "Plain")
    d = c.clone()
    d.register_type(Point, "Point")
    assert Point not in c.type_to_type_id and Point in d.type_to_type_id
    assert Plain in d.type_to_type_id


def test_callback_errors_reach_the_caller_unchanged():
    c = ap.SerializationContext()

    class Boom(Exception):
        pass

    def fail(_):
        raise Boom("from the serializer")

    c.register_type(Point, "Point", custom_serializer=fail, custom_deserializer=fail)
    with pytest.raises(Boom, match="from the serializer"):
        c.serialize([1, {"k": Point(1, 2)}])
    d = ap.SerializationContext()
    d.register_type(Point, "Point", custom_serializer=lambda p: p.x, custom_deserializer=fail)
    with pytest.raises(Boom):
        d.deserialize(d.serialize(Point(1, 2)).to_buffer())


# ---- pickle runs only where the caller asked for it

def test_pickled_types_need_allow_pickle():
    c = ap.SerializationContext()
    c.register_type(Secret, "Secret", pickle=True)
    buf = c.serialize(Secret("s3cr3t")).to_buffer()
    with pytest.raises(ap.DeserializationCallbackError, match="allow_pickle=True"):
        c.deserialize(buf)
    assert c.deserialize(buf, allow_pickle=True).payload == "s3cr3t"
    # The default context pickles functions and classes, and unpickles them only on request.
    blob = ap.serialize(same).to_buffer()
    with pytest.raises(ap.DeserializationCallbackError):
        ap.deserialize(blob)
    assert ap.deserialize(blob, allow_pickle=True) is same
    c.set_pickle(lambda o: pickle.dumps(o, protocol=2), pickle.loads)
    assert c.deserialize(c.serialize(Secret("x")).to_buffer(), allow_pickle=True).payload == "x"


class Evil:
    def __reduce__(self):
        return (exec, ("import sys; sys.modules['arrowpack']._pwned = True",))


def test_a_pickle_of_a_type_not_registered_for_pickling_is_refused_even_when_allowed():
    sender = ap.SerializationContext()
    sender.register_type(Evil, "Point", pickle=True)  # the attacker names a type the receiver knows
    blob = sender.serialize(Evil()).to_buffer()
    receiver = ap.SerializationContext()
    receiver.register_type(Point, "Point")
    for allow in (False, True):
        with pytest.raises(ap.DeserializationCallbackError, match="does not register"):
            receiver.deserialize(blob, allow_pickle=allow)
    assert not hasattr(ap, "_pwned")
    # A plain dict with "_pytype_" and "pickle" keys is refused the same way.
    forged = ap.serialize({"_pytype_": "Point", "data": pickle.dumps(Evil()), "pickle": True}).to_buffer()
    with pytest.raises(ap.DeserializationCallbackError):
        receiver.deserialize(forged, allow_pickle=True)
    assert not hasattr(ap, "_pwned")


# ---- limits and hostile blobs

def test_nesting_past_the_decoders_inline_stack_round_trips():
    # The decoder keeps 16 open containers inline, then grows on the heap: 90 levels of
    # lists, dicts and tuples, within max_depth (100), come back as they went.
    v = {"leaf": [1, "x", None]}
    for i in range(90):
        v = [v] if i % 3 == 0 else ({"k": v, 2: "two"} if i % 3 == 1 else (v, i))
    assert ap.deserialize(ap.serialize(v).to_buffer()) == v
    assert ap.deserialize_components(ap.serialize(v).to_components()) == v


def test_an_error_deep_inside_a_decode_is_the_users_and_frees_what_was_built():
    # Three objects are rebuilt, then a deserializer 40 levels down raises: the caller gets
    # that exception as raised, and the objects and containers built so far are freed.
    import gc
    import weakref

    class Probe:
        pass

    class Boom:
        pass

    made = []

    def rebuild(data):
        p = Probe()
        made.append(weakref.ref(p))
        return p

    def explode(data):
        raise ValueError("boom at the bottom")

    ctx = ap.SerializationContext()
    ctx.register_type(Probe, "Probe", custom_serializer=lambda p: 1, custom_deserializer=rebuild)
    ctx.register_type(Boom, "Boom", custom_serializer=lambda b: 2, custom_deserializer=explode)
    deep = [Boom()]
    for _ in range(40):
        deep = [deep]
    blob = ap.serialize([Probe(), Probe(), {"p": Probe()}, deep], context=ctx).to_buffer()
    with pytest.raises(ValueError, match="boom at the bottom"):
        ap.deserialize(blob, context=ctx)
    gc.collect()
    assert len(made) == 3 and all(r() is None for r in made)


def test_depth_limit():
    v = 1
    for _ in range(150):
        v = [v]
    with pytest.raises(ap.ArrowCapacityError, match="max_depth"):
        ap.serialize(v)
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ap.ArrowCapacityError):
        ap.serialize(cyclic)


def test_unencodable_values():
    with pytest.raises(UnicodeEncodeError):
        ap.serialize("\ud800")
    with pytest.raises(ap.SerializationCallbackError):
        ap.serialize(object())
    with pytest.raises(ap.ArrowNotImplementedError, match="byte-swapped"):
        ap.serialize(np.arange(3, dtype=">f8"))


def test_hostile_blobs_give_typed_errors():
    good = bytes(ap.serialize({"a": [1, 2.5, "x", b"y", np.arange(6).reshape(2, 3)], "b": {1, 2}}).to_buffer())
    rng = random.Random(7)
    outcomes = collections.Counter()
    for n in range(0, len(good), 7):
        with pytest.raises(ap.ArrowException):
            ap.deserialize(good[:n])
    for _ in range(2000):
        bad = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            bad[rng.randrange(len(bad))] = rng.randrange(256)
        try:
            ap.deserialize(bytes(bad))
            outcomes["read"] += 1
        except (ap.ArrowException, ap.DeserializationCallbackError, UnicodeDecodeError) as e:
            outcomes[type(e).__name__] += 1
    assert sum(outcomes.values()) == 2000
    with pytest.raises(ap.ArrowInvalid):
        ap.deserialize_components({"num_tensors": 5, "num_ndarrays": 0, "num_buffers": 0, "data": [b"x"]})
    with pytest.raises(ap.ArrowTypeError):
        ap.deserialize(12345)

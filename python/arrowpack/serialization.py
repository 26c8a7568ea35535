"""pyarrow 11's object serialization API (pa.serialize and friends, removed in pyarrow 12),
over arrowpack's C++ writer and reader. Blobs are pyarrow's format (registry/FORMAT.md):
pyarrow 11 reads what this writes, and this reads what pyarrow 11 wrote.

One difference is deliberate. pyarrow unpickles any registered-object dict that carries a
"pickle" key, before it looks at the type registry, so a blob from an untrusted source runs
code of the sender's choosing. arrowpack unpickles only objects of types registered with
``pickle=True``, and only when the caller passes ``allow_pickle=True``; by default such an
object is refused with DeserializationCallbackError. Handlers of the default context that
unpickle (functions, classes) follow the same rule.

Two markers on a custom deserializer take part in that rule: with a true
``_arrowpack_unpickles`` it is called only when allow_pickle=True; with a true
``_arrowpack_takes_allow_pickle`` it is called as ``deserializer(data, allow_pickle=...)``, for
handlers that unpickle only what they vouch for unless allowed more (the pandas handlers'
restricted unpickler, handlers.py).
"""
import os
import pickle as _pickle
import sys

from . import _arrowpack
from .lib import DeserializationCallbackError, SerializationCallbackError

Buffer = _arrowpack.Buffer


def is_named_tuple(cls):
    """Whether `cls` is a class made by collections.namedtuple (or typing.NamedTuple)."""
    bases = cls.__bases__
    if len(bases) != 1 or bases[0] is not tuple:
        return False
    fields = getattr(cls, "_fields", None)
    return isinstance(fields, tuple) and all(isinstance(f, str) for f in fields)


class SerializationContext:
    """Which Python types serialize() may encode beyond the built-in ones, and how; the same
    registry decodes them. Types are found by walking the object's MRO to the closest
    registered class. Not thread-safe while types are being registered."""

    def __init__(self):
        self.type_to_type_id = {}
        self.whitelisted_types = {}
        self.types_to_pickle = set()
        self.custom_serializers = {}
        self.custom_deserializers = {}
        self.pickle_serializer = _pickle.dumps
        self.pickle_deserializer = _pickle.loads
        # The optional packages whose default handlers were looked at (handlers.py); None
        # for a context without default handlers.
        self._optional_done = None

    def set_pickle(self, serializer, deserializer):
        """The functions that pickle and unpickle objects of types registered with
        pickle=True (pickle.dumps/pickle.loads by default; cloudpickle's, say)."""
        self.pickle_serializer = serializer
        self.pickle_deserializer = deserializer

    def clone(self):
        """A copy of this context: registering types in it leaves this one as it is."""
        result = SerializationContext()
        result.type_to_type_id = self.type_to_type_id.copy()
        result.whitelisted_types = self.whitelisted_types.copy()
        result.types_to_pickle = self.types_to_pickle.copy()
        result.custom_serializers = self.custom_serializers.copy()
        result.custom_deserializers = self.custom_deserializers.copy()
        result.pickle_serializer = self.pickle_serializer
        result.pickle_deserializer = self.pickle_deserializer
        result._optional_done = None if self._optional_done is None else set(self._optional_done)
        return result

    def register_type(self, type_, type_id, pickle=False, custom_serializer=None, custom_deserializer=None):
        """Registers `type_` under the name `type_id` (what travels in the blob).

        With `custom_serializer`, an object becomes {"data": custom_serializer(obj)} and
        custom_deserializer(data) rebuilds it. With pickle=True it is pickled (and unpickled
        only when deserialize() is called with allow_pickle=True). Otherwise a namedtuple
        travels as its constructor arguments and any other object as its __dict__."""
        if not isinstance(type_id, str):
            raise TypeError("The type_id argument must be a string. The value passed in has type "
                            f"{type(type_id)}.")
        self.type_to_type_id[type_] = type_id
        self.whitelisted_types[type_id] = type_
        if pickle:
            self.types_to_pickle.add(type_id)
        if custom_serializer is not None:
            self.custom_serializers[type_id] = custom_serializer
            self.custom_deserializers[type_id] = custom_deserializer

    def _serialize_callback(self, obj):
        # Called by the C++ writer for an object of a type it does not encode itself.
        type_ = self._registered_class(obj)
        if type_ is None:
            raise SerializationCallbackError(
                f"arrowpack does not know how to serialize objects of type {type(obj)}.", obj)
        type_id = self.type_to_type_id[type_]
        if type_id in self.types_to_pickle:
            serialized = {"data": self.pickle_serializer(obj), "pickle": True}
        elif type_id in self.custom_serializers:
            serialized = {"data": self.custom_serializers[type_id](obj)}
        elif is_named_tuple(type_):
            serialized = {"_pa_getnewargs_": obj.__getnewargs__()}
        elif hasattr(obj, "__dict__"):
            serialized = obj.__dict__
        else:
            raise SerializationCallbackError(f"We do not know how to serialize the object '{obj}'", obj)
        return dict(serialized, _pytype_=type_id)

    def _registered_class(self, obj):
        for type_ in type(obj).__mro__:
            if type_ in self.type_to_type_id:
                return type_
        if self._optional_done is not None:
            from .handlers import add_optional_handlers
            if add_optional_handlers(self):
                return self._registered_class(obj)
        return None

    def _deserialize_callback(self, serialized, allow_pickle=False):
        # Called by the C++ reader for a dict with a "_pytype_" key.
        type_id = serialized["_pytype_"]
        if isinstance(type_id, bytes):  # written by Python 2
            type_id = type_id.decode("utf-8")
        if not isinstance(type_id, str):
            raise DeserializationCallbackError(f"the type id {type_id!r} is not a string", type_id)
        if "pickle" in serialized:
            if type_id not in self.types_to_pickle:
                raise DeserializationCallbackError(
                    f"the blob holds a pickle of type '{type_id}', which this context does not register "
                    "with pickle=True: arrowpack does not unpickle it", type_id)
            if not allow_pickle:
                raise DeserializationCallbackError(
                    f"the blob holds a pickle of type '{type_id}': pass allow_pickle=True to unpickle it "
                    "(only for blobs from a trusted source: unpickling runs code)", type_id)
            return self.pickle_deserializer(serialized["data"])
        if type_id in self.types_to_pickle:
            raise DeserializationCallbackError(
                f"type '{type_id}' is registered with pickle=True but the blob holds no pickle", type_id)
        if type_id not in self.whitelisted_types and self._optional_done is not None:
            from .handlers import add_optional_handlers
            add_optional_handlers(self, type_id)
        if type_id not in self.whitelisted_types:
            raise DeserializationCallbackError(
                f"Type ID {type_id} not registered in deserialization callback", type_id)
        type_ = self.whitelisted_types[type_id]
        if type_id in self.custom_deserializers:
            deserializer = self.custom_deserializers[type_id]
            if getattr(deserializer, "_arrowpack_unpickles", False) and not allow_pickle:
                raise DeserializationCallbackError(
                    f"objects of type '{type_id}' are rebuilt by unpickling: pass allow_pickle=True "
                    "(only for blobs from a trusted source)", type_id)
            if getattr(deserializer, "_arrowpack_takes_allow_pickle", False):
                return deserializer(serialized["data"], allow_pickle=allow_pickle)
            return deserializer(serialized["data"])
        if "_pa_getnewargs_" in serialized:
            return type_.__new__(type_, *serialized["_pa_getnewargs_"])
        obj = type_.__new__(type_)
        fields = dict(serialized)
        fields.pop("_pytype_")
        obj.__dict__.update(fields)
        return obj

    def serialize(self, obj):
        """serialize(obj, context=self)."""
        return serialize(obj, context=self)

    def serialize_to(self, value, sink):
        """serialize_to(value, sink, context=self)."""
        return serialize_to(value, sink, context=self)

    def deserialize(self, what, allow_pickle=False):
        """deserialize(what, context=self)."""
        return deserialize(what, context=self, allow_pickle=allow_pickle)

    def deserialize_components(self, what, allow_pickle=False):
        """deserialize_components(what, context=self)."""
        return deserialize_components(what, context=self, allow_pickle=allow_pickle)


class SerializedPyObject:
    """A serialized object: the structure plus the arrays and buffers it refers to, still in
    the memory of the objects serialized (nothing is copied until to_buffer/write_to)."""

    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data

    @property
    def base(self):
        """The object the numpy arrays of read_serialized(source, base) were said to view."""
        return self._data.base

    @property
    def total_bytes(self):
        """The size of to_buffer()'s buffer (and of what write_to writes)."""
        return self._data.total_bytes

    def write_to(self, sink):
        """Writes the contiguous form to `sink`: a path, or an object with write() (a file, an
        io.BytesIO, a pyarrow NativeFile). Arrays and buffers are handed to write() as views
        of their memory."""
        if isinstance(sink, (str, os.PathLike)):
            with open(sink, "wb") as f:
                self._data._write_to(f)
        else:
            self._data._write_to(sink)

    def to_buffer(self, nthreads=1):
        """The contiguous form as one arrowpack.Buffer (the data is copied once). `nthreads`
        is accepted for pyarrow's signature; the copy runs on this thread."""
        del nthreads
        return self._data._to_buffer()

    def to_components(self, memory_pool=None):
        """pyarrow's components dict: num_tensors, num_ndarrays, num_buffers,
        num_sparse_tensors and "data", a list of buffers of which the array bodies and
        buffers view the serialized objects' memory (no copy). The buffers are
        pyarrow.Buffer objects when pyarrow has been imported (so that the dict can go to
        pyarrow's deserialize_components as it is), arrowpack.Buffer objects otherwise."""
        del memory_pool
        components = self._data._to_components()
        pa = sys.modules.get("pyarrow")
        if pa is not None and hasattr(pa, "py_buffer"):
            components["data"] = [pa.py_buffer(b) for b in components["data"]]
        return components

    @staticmethod
    def from_components(components):
        """The object back from to_components()'s dict (its buffers are viewed, not copied)."""
        return SerializedPyObject(_arrowpack._from_components(components))

    def deserialize(self, context=None, allow_pickle=False):
        """The Python object. numpy arrays come back as read-only views of the serialized
        memory. Pickled objects are unpickled only with allow_pickle=True (see the module's
        documentation)."""
        if context is None:
            context = _get_default_context()
        return self._data._deserialize(context, allow_pickle)


def serialize(value, context=None):
    """Serializes `value` (None, bool, int, float, str, bytes, lists, tuples, dicts, sets,
    numpy arrays and scalars, datetimes, buffers, and objects of the context's registered
    types) into a SerializedPyObject. Arrays and buffers are referred to, not copied."""
    if context is None:
        context = _get_default_context()
    return SerializedPyObject(_arrowpack._serialize(value, context))


def serialize_to(value, sink, context=None):
    """serialize(value, context).write_to(sink)."""
    serialize(value, context).write_to(sink)


def _source_buffer(source):
    # What read_serialized accepts: memory (the buffer protocol), a path, or a file object.
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return f.read()
    try:
        memoryview(source)
        return source
    except TypeError:
        pass
    read_buffer = getattr(source, "read_buffer", None)  # a pyarrow NativeFile: zero-copy on a map
    if read_buffer is not None:
        return read_buffer()
    return source.read()


def read_serialized(source, base=None):
    """Reads a serialized object from `source` (bytes-like, a path, a file object or a
    pyarrow NativeFile). Memory sources are viewed, not copied."""
    return SerializedPyObject(_arrowpack._read_buffer(_source_buffer(source), base))


def deserialize_from(source, base, context=None, allow_pickle=False):
    """read_serialized(source, base).deserialize(context, allow_pickle)."""
    return read_serialized(source, base).deserialize(context, allow_pickle=allow_pickle)


def deserialize(obj, context=None, allow_pickle=False):
    """The object serialized in `obj` (any object with the buffer protocol: bytes, a
    pyarrow.Buffer, an arrowpack.Buffer, a memory map's view). numpy arrays come back as
    read-only views of `obj`'s memory."""
    return SerializedPyObject(_arrowpack._read_buffer(obj, obj)).deserialize(context, allow_pickle=allow_pickle)


def deserialize_components(components, context=None, allow_pickle=False):
    """The object back from to_components()'s dict, without copying its buffers."""
    return SerializedPyObject.from_components(components).deserialize(context, allow_pickle=allow_pickle)


_default_context = None


def _get_default_context():
    global _default_context
    if _default_context is None:
        from .handlers import register_default_serialization_handlers
        context = SerializationContext()
        register_default_serialization_handlers(context)
        _default_context = context
    return _default_context


def default_serialization_context():
    """A new context with the default handlers (numpy, collections, pyarrow and pandas
    objects when those are installed, ...), to register types in."""
    from .handlers import register_default_serialization_handlers
    context = SerializationContext()
    register_default_serialization_handlers(context)
    return context

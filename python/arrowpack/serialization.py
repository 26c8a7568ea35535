"""pyarrow 11's object serialization API (pa.serialize and friends, removed in pyarrow 12),
over arrowpack's C++ writer and reader. Blobs are pyarrow's format (registry/FORMAT.md):
pyarrow 11 reads what this writes, and this reads what pyarrow 11 wrote.

Two differences are deliberate. First, pyarrow unpickles any registered-object dict that carries a
"pickle" key, before it looks at the type registry, so a blob from an untrusted source runs
code of the sender's choosing. arrowpack unpickles only objects of types registered with
``pickle=True``, and only when the caller passes ``allow_pickle=True``; by default such an
object is refused with DeserializationCallbackError. Handlers of the default context that
unpickle (functions, classes) follow the same rule. Second, an object that the default
context's own handlers cannot rebuild from a blob (an OrderedDict whose data is not two
lists, a registered object without its "data") is refused with DeserializationCallbackError,
its cause chained, where pyarrow lets KeyError, IndexError or StopIteration escape: hostile
bytes get typed errors. A handler registered with register_type raises what it raises, as
with pyarrow.

Two markers on a custom deserializer take part in that rule: with a true
``_arrowpack_unpickles`` it is called only when allow_pickle=True; with a true
``_arrowpack_takes_allow_pickle`` it is called as ``deserializer(data, allow_pickle=...)``, for
handlers that unpickle only what they vouch for unless allowed more (the pandas handlers'
restricted unpickler, handlers.py).
"""
import functools
import os
import pickle as _pickle
import sys

from . import _arrowpack
from .lib import ArrowException, DeserializationCallbackError, SerializationCallbackError

Buffer = _arrowpack.Buffer


def is_named_tuple(cls):
    """Whether `cls` is a class made by collections.namedtuple (or typing.NamedTuple)."""
    bases = cls.__bases__
    if len(bases) != 1 or bases[0] is not tuple:
        return False
    fields = getattr(cls, "_fields", None)
    return isinstance(fields, tuple) and all(isinstance(f, str) for f in fields)


# What the default context's handlers may raise as it is on a malformed object: the typed
# errors of hostile input (a value Python refuses, arrowpack's own errors). Anything else
# they raise becomes a DeserializationCallbackError (see _deserialize_callback).
_TYPED_ERRORS = (ArrowException, DeserializationCallbackError, TypeError, ValueError, OverflowError,
                 MemoryError)


def registers_own_handlers(register):
    """Decorates a function of this package that registers handlers in a context (its first
    argument): the type ids it registers are arrowpack's own, whose errors on a malformed
    object _deserialize_callback turns into DeserializationCallbackError."""
    @functools.wraps(register)
    def wrapped(context, *args, **kwargs):
        before = getattr(context, "_registering_own", None)
        if before is None:  # not an arrowpack context
            return register(context, *args, **kwargs)
        context._registering_own = True
        try:
            return register(context, *args, **kwargs)
        finally:
            context._registering_own = before
    return wrapped


def _rebuild_from_fields(type_, type_id, serialized):
    # An object of a type registered without callbacks: a namedtuple's arguments, or the
    # __dict__ form.
    if "_pa_getnewargs_" in serialized:
        return type_.__new__(type_, *serialized["_pa_getnewargs_"])
    obj = type_.__new__(type_)
    fields = dict(serialized)
    fields.pop("_pytype_")
    try:
        obj.__dict__.update(fields)
    except AttributeError as e:  # a type whose objects have no __dict__ (its __slots__)
        raise DeserializationCallbackError(
            f"the blob's '{type_id}' object has fields, which its type cannot hold", type_id) from e
    return obj


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
        # The type ids whose handlers are arrowpack's own (registered under
        # registers_own_handlers); registering a type id again makes it the caller's.
        self._own_handlers = set()
        self._registering_own = False

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
        result._own_handlers = set(self._own_handlers)
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
        if self._registering_own:
            self._own_handlers.add(type_id)
        else:
            self._own_handlers.discard(type_id)
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
            if "data" not in serialized:
                raise DeserializationCallbackError(f"the '{type_id}' pickle of the blob has no 'data'", type_id)
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
        deserializer = self.custom_deserializers.get(type_id)
        if deserializer is not None:
            if getattr(deserializer, "_arrowpack_unpickles", False) and not allow_pickle:
                raise DeserializationCallbackError(
                    f"objects of type '{type_id}' are rebuilt by unpickling: pass allow_pickle=True "
                    "(only for blobs from a trusted source)", type_id)
            if "data" not in serialized:
                raise DeserializationCallbackError(f"the '{type_id}' object of the blob has no 'data'", type_id)
        if deserializer is None:
            return _rebuild_from_fields(type_, type_id, serialized)
        try:
            if getattr(deserializer, "_arrowpack_takes_allow_pickle", False):
                return deserializer(serialized["data"], allow_pickle=allow_pickle)
            return deserializer(serialized["data"])
        except _TYPED_ERRORS:
            raise
        except Exception as e:
            # What arrowpack's own handlers cannot rebuild is malformed input: a typed error.
            # A handler of the caller's raises what it raises, as with pyarrow.
            if type_id not in self._own_handlers:
                raise
            raise DeserializationCallbackError(
                f"the '{type_id}' object of the blob is malformed: {type(e).__name__}: {e}", type_id) from e

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


# SerializedPyObject, serialize, deserialize and deserialize_components are the C++ module's
# (python/src/serialize.cc): called per object, their Python wrappers cost more than pickle's
# whole work on a small object.
SerializedPyObject = _arrowpack.SerializedPyObject
serialize = _arrowpack.serialize
deserialize = _arrowpack.deserialize
deserialize_components = _arrowpack.deserialize_components


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
    return _arrowpack._read_buffer(_source_buffer(source), base)


def deserialize_from(source, base, context=None, allow_pickle=False):
    """read_serialized(source, base).deserialize(context, allow_pickle)."""
    return read_serialized(source, base).deserialize(context, allow_pickle=allow_pickle)


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


_arrowpack._set_default_context_factory(_get_default_context)

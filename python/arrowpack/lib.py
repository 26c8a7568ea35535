"""arrowpack's exceptions, named as pyarrow names its own (pyarrow.lib.ArrowInvalid, ...), so
that code written for pyarrow catches the same classes by name. Each C++ status code maps to
one of them; the message is the C++ one (bytes from the input are escaped)."""


class ArrowException(Exception):
    """The base of every error arrowpack raises for a failed operation."""


class ArrowInvalid(ValueError, ArrowException):
    """Malformed input or an argument out of range."""


class ArrowIOError(IOError, ArrowException):
    """The operating system or a stream refused."""


class ArrowKeyError(KeyError, ArrowException):
    """A name that is not known, or registered twice."""

    def __str__(self):  # KeyError would quote the message
        return ArrowException.__str__(self)


class ArrowTypeError(TypeError, ArrowException):
    """A value of the wrong type."""


class ArrowIndexError(IndexError, ArrowException):
    """An index beyond the end."""


class ArrowNotImplementedError(NotImplementedError, ArrowException):
    """Valid input that arrowpack does not handle."""


class ArrowCapacityError(ArrowException):
    """A limit (size, depth, count) was exceeded."""


class ArrowMemoryError(MemoryError, ArrowException):
    """The memory pool could not allocate."""


class ArrowSerializationError(ArrowException):
    """Serializing or deserializing an object failed."""


class SerializationCallbackError(ArrowSerializationError):
    """The context cannot serialize an object (no type registered for it)."""

    def __init__(self, message, example_object):
        ArrowSerializationError.__init__(self, message)
        self.example_object = example_object


class DeserializationCallbackError(ArrowSerializationError):
    """The context cannot rebuild an object: its type is not registered, it is a pickle that
    the call did not allow, or the default context's handler for its type cannot rebuild what
    the blob holds (the handler's error is its __cause__)."""

    def __init__(self, message, type_id):
        ArrowSerializationError.__init__(self, message)
        self.type_id = type_id

// What the pieces of the extension module share: Status to Python exceptions, Python memory
// as arrowpack Buffers and back, numpy arrays as Tensors and back. Everything here runs with
// the GIL held unless a comment says otherwise.
#pragma once

#include <nanobind/nanobind.h>

#include <memory>
#include <optional>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/sparse_tensor.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/tensor.h"
#include "arrowpack/registry/serialized_object.h"

namespace arrowpack::python {

namespace nb = nanobind;

/// Raises the arrowpack.lib exception for `status`'s code (ArrowInvalid, ArrowTypeError, ...)
/// with its message. Never returns.
[[noreturn]] void raise_status(const Status& status);

/// The value, or raise_status() of the error.
template <typename T>
T check(Result<T> result) {
  if (!result.ok()) raise_status(result.status());
  return std::move(result).value();
}
inline void check(const Status& status) {
  if (!status.ok()) raise_status(status);
}

/// A Python exception caught while arrowpack code runs (a callback raised): kept so that the
/// caller sees the user's exception, not a Status made of it.
class PendingError {
 public:
  /// Takes the exception being handled; returns a SerializationError naming `what` for the
  /// C++ side to unwind with.
  Status take(nb::python_error& e, const char* what);
  /// Raises the kept exception, if any.
  void raise_if_pending();

 private:
  std::optional<nb::python_error> error_;
};

/// The memory of a Python object with the buffer protocol, as a Buffer that keeps the object
/// (its Py_buffer) alive; an arrowpack.Buffer gives back its own Buffer. No copy. The Buffer
/// may be released from any thread: it takes the GIL to let the object go.
/// TypeError when the object has no buffer protocol.
Result<std::shared_ptr<Buffer>> buffer_from_object(nb::handle obj);

/// An arrowpack.Buffer (the Python class) over `buffer` (shared, not copied).
nb::object wrap_buffer(std::shared_ptr<const Buffer> buffer);

/// A Python file object (anything with write()) as an OutputStream: each write hands it a
/// read-only memoryview of arrowpack's memory, valid during the call (no copy). A write
/// takes the GIL; the Python exception of a failing write() propagates as nb::python_error.
class PyFileSink final : public io::OutputStream {
 public:
  explicit PyFileSink(nb::handle sink) : write_(sink.attr("write")) {}
  Status write(const void* data, std::int64_t nbytes) override;
  Status close() override { return Status::OK(); }
  bool closed() const override { return false; }
  Result<std::int64_t> tell() const override { return position_; }

 private:
  nb::object write_;
  std::int64_t position_ = 0;
};

/// The types the encoder and decoder look for, imported once.
struct PyTypes {
  PyObject* ndarray = nullptr;  // numpy.ndarray
  PyObject* generic = nullptr;  // numpy.generic (numpy scalars)
  PyObject* np_bool = nullptr;
  PyObject* float16 = nullptr;
  PyObject* float32 = nullptr;
  PyObject* int_types[8] = {};       // int8 uint8 int16 uint16 int32 uint32 int64 uint64
  PyObject* longlong = nullptr;      // numpy.longlong and numpy.ulonglong: 64-bit, but types of
  PyObject* ulonglong = nullptr;     // their own where int64 is C long (Linux, macOS)
  PyObject* buffer = nullptr;        // arrowpack.Buffer
  PyObject* pa_buffer = nullptr;     // pyarrow.Buffer, once pyarrow is imported
  PyObject* pa_tensor = nullptr;     // pyarrow.Tensor
  PyObject* pa_py_buffer = nullptr;  // pyarrow.py_buffer
  bool pyarrow_checked = false;
  /// Looks up the pyarrow types when pyarrow has been imported by someone (never imports it).
  void look_for_pyarrow();
};
PyTypes& types();

/// The pyarrow module if it has been imported (a new reference), else nullptr: what
/// sys.modules holds in its place that is not a module (None blocks an import) is "not
/// imported". Never raises, never imports. Asked on every call until pyarrow is found, so
/// its key is made once.
PyObject* imported_pyarrow();
/// module.`name` when it is a type (a new reference), else nullptr. Never raises.
PyObject* type_attribute(PyObject* module, const char* name);

/// A str of UTF-8 bytes from outside (field names, string values): UnicodeDecodeError, which
/// says where they are, for bytes that are not UTF-8.
nb::object text_of(std::string_view v);
/// Text to show (__str__, __repr__) that may hold bytes from outside: those that are not
/// UTF-8 are escaped (\xNN).
nb::object shown(const std::string& v);

/// A numpy array (exactly numpy.ndarray) of a numeric dtype pyarrow serializes as an ndarray
/// (int/uint 8 to 64 bits, float16/32/64) as a Tensor over its memory (no copy; an array
/// with negative strides is copied to C order first). nullptr for other dtypes (bool,
/// object, strings, structured: they go through the context's callbacks).
/// NotImplemented for a byte-swapped array.
Result<TensorPtr> tensor_from_array(nb::handle array);

/// A read-only numpy array viewing `tensor`'s memory (no copy); it keeps the memory alive.
nb::object array_from_tensor(const TensorPtr& tensor);

/// arrowpack.SparseTensor over `tensor` (shared, not copied).
nb::object wrap_sparse_tensor(SparseTensorPtr tensor);
/// What a blob's sparse tensor reads as: pyarrow's class of its format once pyarrow has been
/// imported (as pyarrow 11 gives them back; built over numpy views of `tensor`'s memory),
/// arrowpack.SparseTensor otherwise.
nb::object sparse_tensor_to_python(SparseTensorPtr tensor);
/// The C++ sparse tensor of an arrowpack.SparseTensor, or of one of pyarrow's four sparse
/// classes (viewing its numpy parts); nullptr for any other object. The errors of the
/// SparseTensor factories for a pyarrow object arrowpack cannot hold.
Result<SparseTensorPtr> sparse_tensor_from_object(nb::handle obj);

/// pyarrow's components dict (num_tensors, num_sparse_tensors, ndim_csf, num_ndarrays,
/// num_buffers, data as arrowpack.Buffer objects) of `c` (serialize.cc).
nb::dict components_to_dict(Components c);
/// The Components of such a dict; its data may be any buffer-protocol objects (viewed, not
/// copied). KeyError or TypeError for a dict that lacks the keys.
Components components_from_dict(nb::handle components);

/// Adds arrowpack.Buffer to the module (buffers.cc).
void bind_buffer(nb::module_& m);
/// Adds arrowpack.SparseTensor (sparse.cc).
void bind_sparse(nb::module_& m);
/// Adds the IPC files, readers, writers, batches, tables and schemas (ipc.cc).
void bind_ipc(nb::module_& m);
/// Adds the transports: sockets, frames for pyzmq, shared memory (transport.cc).
void bind_transport(nb::module_& m);
/// Adds serialize, SerializedPyObject and the readers (serialize.cc).
void bind_serialize(nb::module_& m);

}  // namespace arrowpack::python

// Status to exceptions, Python memory as Buffers (and the arrowpack.Buffer class), numpy
// arrays as Tensors and back.
#include <nanobind/stl/string.h>

#include <cstring>
#include <string>
#include <vector>

#include "common.h"
#include "pickle_scan.h"

// numpy's C API, for array_from_tensor (this file is its only user in the module).
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL arrowpack_numpy_api
#include <numpy/arrayobject.h>

namespace arrowpack::python {

// ---- errors

namespace {
const char* exception_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: break;
    case StatusCode::kInvalid: return "ArrowInvalid";
    case StatusCode::kIOError: return "ArrowIOError";
    case StatusCode::kKeyError: return "ArrowKeyError";
    case StatusCode::kTypeError: return "ArrowTypeError";
    case StatusCode::kIndexError: return "ArrowIndexError";
    case StatusCode::kNotImplemented: return "ArrowNotImplementedError";
    case StatusCode::kCapacityError: return "ArrowCapacityError";
    case StatusCode::kSerializationError: return "ArrowSerializationError";
    case StatusCode::kOutOfMemory: return "ArrowMemoryError";
  }
  return "ArrowException";
}
}  // namespace

void raise_status(const Status& status) {
  nb::object errors = nb::module_::import_("arrowpack.lib");
  nb::object cls = errors.attr(exception_name(status.code()));
  // Messages quote types and names from the input: bytes that are not UTF-8 are escaped, and
  // a NUL does not end the message (PyErr_SetString would raise UnicodeDecodeError instead).
  nb::object message = shown(status.message());
  PyErr_SetObject(cls.ptr(), message.ptr());
  throw nb::python_error();
}

nb::object text_of(std::string_view v) {
  PyObject* s = PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "strict");
  if (s == nullptr) throw nb::python_error();
  return nb::steal(s);
}

nb::object shown(const std::string& v) {
  PyObject* s = PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "backslashreplace");
  if (s == nullptr) throw nb::python_error();
  return nb::steal(s);
}

PyObject* imported_pyarrow() {
  static PyObject* key = nullptr;  // interned once and kept (a plain pointer: set under the GIL)
  if (key == nullptr) key = PyUnicode_InternFromString("pyarrow");
  PyObject* module = key != nullptr ? PyImport_GetModule(key) : nullptr;  // new reference or null
  if (module != nullptr && !PyModule_Check(module)) Py_CLEAR(module);
  if (module == nullptr) PyErr_Clear();
  return module;
}

PyObject* type_attribute(PyObject* module, const char* name) {
  PyObject* attr = PyObject_GetAttrString(module, name);
  if (attr != nullptr && !PyType_Check(attr)) Py_CLEAR(attr);
  if (attr == nullptr) PyErr_Clear();
  return attr;
}

Status PendingError::take(nb::python_error& e, const char* what) {
  std::string text = e.what();
  if (!error_) error_.emplace(std::move(e));
  return Status::SerializationError(what, ": ", text);
}

void PendingError::raise_if_pending() {
  if (!error_) return;
  nb::python_error e = std::move(*error_);
  error_.reset();
  e.restore();
  throw nb::python_error();
}

// ---- buffers

namespace {

// The memory of a Python object, held through its Py_buffer.
class HeldBuffer final : public Buffer {
 public:
  explicit HeldBuffer(const Py_buffer& view)
      : Buffer(static_cast<const std::uint8_t*>(view.buf), static_cast<std::int64_t>(view.len)), view_(view) {}
  ~HeldBuffer() override {
    // The last reference may go in a thread without the GIL (a transport's, say).
    PyGILState_STATE gil = PyGILState_Ensure();
    PyBuffer_Release(&view_);
    PyGILState_Release(gil);
  }

 private:
  Py_buffer view_;
};

// What an arrowpack.Buffer holds.
struct BufferHandle {
  std::shared_ptr<const Buffer> buffer;
};

int buffer_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  BufferHandle* h = nb::inst_ptr<BufferHandle>(self);
  const Buffer& b = *h->buffer;
  return PyBuffer_FillInfo(view, self, const_cast<std::uint8_t*>(b.data()), static_cast<Py_ssize_t>(b.size()),
                           /*readonly=*/1, flags);
}

PyType_Slot buffer_slots[] = {{Py_bf_getbuffer, reinterpret_cast<void*>(buffer_getbuffer)}, {0, nullptr}};

std::string hex_of(const Buffer& b) {
  static const char digits[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(b.size()) * 2, '0');
  for (std::int64_t i = 0; i < b.size(); ++i) {
    out[2 * i] = digits[b.data()[i] >> 4];
    out[2 * i + 1] = digits[b.data()[i] & 15];
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<Buffer>> buffer_from_object(nb::handle obj) {
  if (types().buffer != nullptr && Py_TYPE(obj.ptr()) == reinterpret_cast<PyTypeObject*>(types().buffer)) {
    // Our own Buffer: share it (a Buffer is immutable through arrowpack's API).
    return std::const_pointer_cast<Buffer>(nb::inst_ptr<BufferHandle>(obj)->buffer);
  }
  Py_buffer view;
  if (PyObject_GetBuffer(obj.ptr(), &view, PyBUF_SIMPLE) != 0) {
    PyErr_Clear();
    return Status::TypeError("expected an object with the buffer protocol (bytes, memoryview, numpy array, ",
                             "pyarrow.Buffer, arrowpack.Buffer), got ", Py_TYPE(obj.ptr())->tp_name);
  }
  return std::shared_ptr<Buffer>(std::make_shared<HeldBuffer>(view));
}

nb::object wrap_buffer(std::shared_ptr<const Buffer> buffer) {
  return nb::cast(BufferHandle{std::move(buffer)}, nb::rv_policy::move);
}

void bind_buffer(nb::module_& m) {
  if (_import_array() < 0) throw nb::python_error();  // numpy's C API table
  auto cls = nb::class_<BufferHandle>(m, "Buffer", nb::type_slots(buffer_slots),
                                      "Immutable bytes shared without copying (the buffer protocol gives a "
                                      "read-only view). What deserialize() returns for a serialized buffer, "
                                      "and what to_components() returns in 'data'.");
  cls.def_prop_ro("size", [](const BufferHandle& h) { return h.buffer->size(); })
      .def_prop_ro("address", [](const BufferHandle& h) { return reinterpret_cast<std::uintptr_t>(h.buffer->data()); })
      .def_prop_ro("is_mutable", [](const BufferHandle&) { return false; })
      .def("__len__", [](const BufferHandle& h) { return h.buffer->size(); })
      .def("to_pybytes",
           [](const BufferHandle& h) {
             return nb::bytes(reinterpret_cast<const char*>(h.buffer->data()),
                              static_cast<std::size_t>(h.buffer->size()));
           })
      .def("hex", [](const BufferHandle& h) { return nb::bytes(hex_of(*h.buffer).c_str()); })
      .def(
          "slice",
          [](const BufferHandle& h, std::int64_t offset, std::optional<std::int64_t> length) {
            const std::int64_t n = length ? *length : h.buffer->size() - offset;
            return BufferHandle{check(h.buffer->slice(offset, n))};
          },
          nb::arg("offset") = 0, nb::arg("length") = nb::none())
      .def("equals",
           [](const BufferHandle& h, nb::handle other) {
             auto o = check(buffer_from_object(other));
             return o->size() == h.buffer->size() &&
                    (o->size() == 0 ||
                     std::memcmp(o->data(), h.buffer->data(), static_cast<std::size_t>(o->size())) == 0);
           })
      .def("__eq__",
           [](const BufferHandle& h, nb::handle other) -> nb::object {
             auto o = buffer_from_object(other);
             if (!o.ok()) return nb::borrow(Py_NotImplemented);
             const auto& b = *o;
             return nb::bool_(b->size() == h.buffer->size() &&
                              (b->size() == 0 ||
                               std::memcmp(b->data(), h.buffer->data(), static_cast<std::size_t>(b->size())) == 0));
           })
      .def("__repr__", [](const BufferHandle& h) {
        return "<arrowpack.Buffer address=0x" +
               [&] {
                 char text[32];
                 std::snprintf(text, sizeof text, "%llx",
                               static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(h.buffer->data())));
                 return std::string(text);
               }() +
               " size=" + std::to_string(h.buffer->size()) + ">";
      });
  cls.attr("__hash__") = nb::none();
  types().buffer = cls.ptr();
  m.def(
      "py_buffer", [](nb::handle obj) { return wrap_buffer(check(buffer_from_object(obj))); }, nb::arg("obj"),
      "An arrowpack.Buffer viewing the memory of `obj` (bytes, a numpy array, a memoryview, ...: anything with "
      "the buffer protocol), which it keeps alive. No copy.");
  m.def(
      "_check_pickle",
      [](nb::handle data) {
        auto b = check(buffer_from_object(data));
        check(check_pickle(b->view()));
      },
      nb::arg("data"),
      "Raises ArrowInvalid unless `data` is a well-formed pickle whose arguments lie inside it and whose "
      "memo indexes stay below its opcode count. Runs nothing (pickle_scan.cc).");
}

// ---- Python files as sinks

Status PyFileSink::write(const void* data, std::int64_t nbytes) {
  if (nbytes == 0) return Status::OK();
  nb::gil_scoped_acquire gil;
  nb::object view = nb::steal(PyMemoryView_FromMemory(static_cast<char*>(const_cast<void*>(data)),
                                                      static_cast<Py_ssize_t>(nbytes), PyBUF_READ));
  if (!view.is_valid()) throw nb::python_error();
  write_(view);
  position_ += nbytes;
  return Status::OK();
}

// ---- the types looked for

PyTypes& types() {
  static PyTypes t = [] {
    PyTypes out;
    nb::module_ np = nb::module_::import_("numpy");
    auto keep = [&](const char* name) {
      nb::object o = np.attr(name);
      return o.release().ptr();  // alive as long as the process: the module holds them anyway
    };
    out.ndarray = keep("ndarray");
    out.generic = keep("generic");
    out.np_bool = keep("bool_");
    out.float16 = keep("float16");
    out.float32 = keep("float32");
    const char* ints[8] = {"int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"};
    for (int i = 0; i < 8; ++i) out.int_types[i] = keep(ints[i]);
    out.longlong = keep("longlong");
    out.ulonglong = keep("ulonglong");
    return out;
  }();
  return t;
}

void PyTypes::look_for_pyarrow() {
  if (pyarrow_checked) return;
  PyObject* pa = imported_pyarrow();
  if (pa == nullptr) return;  // not imported yet: look again next time
  nb::object module = nb::steal(pa);
  pa_buffer = type_attribute(pa, "Buffer");
  pa_tensor = type_attribute(pa, "Tensor");
  nb::object wrap = nb::getattr(module, "py_buffer", nb::none());
  pa_py_buffer = PyCallable_Check(wrap.ptr()) ? wrap.release().ptr() : nullptr;
  pyarrow_checked = true;
}

// ---- numpy arrays and Tensors

namespace {

// The Arrow type of a buffer-protocol format, for the dtypes pyarrow serializes as ndarrays.
// Empty when the format is another dtype's; NotImplemented for a byte-swapped one.
Result<DataTypePtr> type_of_format(const char* format, Py_ssize_t itemsize) {
  const char* f = format != nullptr ? format : "B";
  if (*f == '>' || *f == '!') {
    return Status::NotImplemented("byte-swapped numpy arrays are not serialized (format '", f, "')");
  }
  if (*f == '@' || *f == '=' || *f == '<') ++f;
  if (f[0] == '\0' || f[1] != '\0') return DataTypePtr();
  const bool is_signed = *f == 'b' || *f == 'h' || *f == 'i' || *f == 'l' || *f == 'q';
  const bool is_unsigned = *f == 'B' || *f == 'H' || *f == 'I' || *f == 'L' || *f == 'Q';
  if (is_signed || is_unsigned) {
    switch (itemsize) {
      case 1: return is_signed ? int8() : uint8();
      case 2: return is_signed ? int16() : uint16();
      case 4: return is_signed ? int32() : uint32();
      case 8: return is_signed ? int64() : uint64();
      default: return DataTypePtr();
    }
  }
  if (*f == 'e' && itemsize == 2) return float16();
  if (*f == 'f' && itemsize == 4) return float32();
  if (*f == 'd' && itemsize == 8) return float64();
  return DataTypePtr();
}

}  // namespace

Result<TensorPtr> tensor_from_array(nb::handle array) {
  Py_buffer view;
  if (PyObject_GetBuffer(array.ptr(), &view, PyBUF_RECORDS_RO) != 0) {
    PyErr_Clear();  // object arrays and the like have no buffer: their callback serializes them
    return TensorPtr();
  }
  auto release = [&] { PyBuffer_Release(&view); };
  auto type = type_of_format(view.format, view.itemsize);
  if (!type.ok() || !*type) {
    release();
    if (!type.ok()) return type.status();
    return TensorPtr();
  }
  std::vector<std::int64_t> shape(view.shape, view.shape + view.ndim);
  std::vector<std::int64_t> strides(view.strides, view.strides + view.ndim);
  bool negative = false;
  std::int64_t extent = view.itemsize;
  bool empty = false;
  for (int i = 0; i < view.ndim; ++i) {
    negative = negative || strides[i] < 0;
    empty = empty || shape[i] == 0;
    if (shape[i] > 0) extent += (shape[i] - 1) * strides[i];
  }
  if (negative && !empty) {
    // Arrow tensors have no negative strides: copy to C order (as numpy would to pickle it).
    release();
    nb::object copy = nb::module_::import_("numpy").attr("ascontiguousarray")(array);
    return tensor_from_array(copy);
  }
  if (empty) extent = 0;
  const bool c_order = PyBuffer_IsContiguous(&view, 'C') != 0;
  const bool f_order = !c_order && PyBuffer_IsContiguous(&view, 'F') != 0;
  Py_buffer whole = view;
  whole.len = static_cast<Py_ssize_t>(c_order || f_order ? view.len : extent);
  // The Buffer keeps the Py_buffer (and with it the array) alive.
  auto data = std::make_shared<HeldBuffer>(whole);
  if (c_order || empty) return Tensor::make(*type, data, std::move(shape));
  if (f_order) return Tensor::make_column_major(*type, data, std::move(shape));
  return Tensor::make(*type, data, std::move(shape), std::move(strides));
}

nb::object array_from_tensor(const TensorPtr& tensor) {
  const Tensor& t = *tensor;
  int type_num = 0;
  switch (t.type()->id()) {
    case TypeId::kInt8: type_num = NPY_INT8; break;
    case TypeId::kInt16: type_num = NPY_INT16; break;
    case TypeId::kInt32: type_num = NPY_INT32; break;
    case TypeId::kInt64: type_num = NPY_INT64; break;  // numpy's own int64 ('l' where long is 64 bits)
    case TypeId::kUInt8: type_num = NPY_UINT8; break;
    case TypeId::kUInt16: type_num = NPY_UINT16; break;
    case TypeId::kUInt32: type_num = NPY_UINT32; break;
    case TypeId::kUInt64: type_num = NPY_UINT64; break;
    case TypeId::kHalfFloat: type_num = NPY_FLOAT16; break;
    case TypeId::kFloat: type_num = NPY_FLOAT32; break;
    case TypeId::kDouble: type_num = NPY_FLOAT64; break;
    default: raise_status(Status::TypeError("a tensor of ", t.type()->to_string(), " has no numpy dtype"));
  }
  const int ndim = static_cast<int>(t.shape().size());
  std::vector<npy_intp> shape(t.shape().begin(), t.shape().end());
  std::vector<npy_intp> strides(t.strides().begin(), t.strides().end());
  // Straight through numpy's C API (nanobind's ndarray route cost a third of a small
  // decode): a read-only array over the tensor's memory, whose base owns that memory.
  PyArray_Descr* descr = PyArray_DescrFromType(type_num);  // a new reference, stolen below
  if (descr == nullptr) throw nb::python_error();
  nb::object array = nb::steal(PyArray_NewFromDescr(&PyArray_Type, descr, ndim, shape.data(), strides.data(),
                                                    const_cast<std::uint8_t*>(t.data()->data()), 0, nullptr));
  if (!array.is_valid()) throw nb::python_error();
  auto* keep = new std::shared_ptr<Buffer>(t.data());
  PyObject* owner = PyCapsule_New(keep, nullptr, [](PyObject* c) {
    delete static_cast<std::shared_ptr<Buffer>*>(PyCapsule_GetPointer(c, nullptr));
  });
  if (owner == nullptr) {
    delete keep;
    throw nb::python_error();
  }
  if (PyArray_SetBaseObject(reinterpret_cast<PyArrayObject*>(array.ptr()), owner) != 0) {  // steals owner
    throw nb::python_error();
  }
  return array;
}

}  // namespace arrowpack::python

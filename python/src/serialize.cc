// pa.serialize's object model in C++: Python objects go straight into an ObjectWriter (no
// Value graph), and come back from ObjectReader cursors. The order of the type checks, and
// what goes to the context's callbacks, are pyarrow 11's (cpp/src/arrow/python/serialize.cc
// and deserialize.cc), so that the same object gives the same structure.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <array>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "arrowpack/core/io.h"
#include "arrowpack/registry/object_reader.h"
#include "arrowpack/registry/object_writer.h"
#include "common.h"

#include <datetime.h>  // after Python.h (common.h)

namespace arrowpack::python {

namespace {

// The context's C++ side: Python types are looked up by the Python context's callbacks, so
// the C++ registry stays empty (it never runs code for a name).
const SerializationContext& empty_context() {
  static SerializationContext context;
  return context;
}

PyObject* datetime_api_ready() {
  if (PyDateTimeAPI == nullptr) PyDateTime_IMPORT;
  return reinterpret_cast<PyObject*>(PyDateTimeAPI);
}

// Microseconds since the epoch of a datetime's fields (its tzinfo ignored, as pyarrow does).
std::int64_t datetime_micros(PyObject* dt) {
  const std::int64_t y = PyDateTime_GET_YEAR(dt), m = PyDateTime_GET_MONTH(dt), d = PyDateTime_GET_DAY(dt);
  // Days from 1970-01-01 to the civil date (proleptic Gregorian).
  const std::int64_t yy = y - (m <= 2 ? 1 : 0);
  const std::int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const std::int64_t yoe = yy - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  const std::int64_t seconds = days * 86400 + PyDateTime_DATE_GET_HOUR(dt) * 3600 +
                               PyDateTime_DATE_GET_MINUTE(dt) * 60 + PyDateTime_DATE_GET_SECOND(dt);
  return seconds * 1000000 + PyDateTime_DATE_GET_MICROSECOND(dt);
}

// The value of a numpy scalar: numpy lays its scalar objects out as a PyObject head followed
// by the value (PyArrayScalar_VAL), a layout its C API documents.
template <typename T>
T scalar_value(PyObject* o) {
  T v;
  std::memcpy(&v, reinterpret_cast<const char*>(o) + sizeof(PyObject), sizeof(T));
  return v;
}

class Encoder {
 public:
  Encoder(ObjectWriter& writer, nb::handle context) : w_(writer), context_(context) {}

  Status write(PyObject* o) {
    PyTypeObject* t = Py_TYPE(o);
    if (t == &PyBool_Type) return w_.boolean(o == Py_True);
    PyTypes& ty = types();
    if (t == reinterpret_cast<PyTypeObject*>(ty.float16)) return w_.half(scalar_value<std::uint16_t>(o));
    if (PyFloat_Check(o)) return w_.float64(PyFloat_AS_DOUBLE(o));
    if (PyLong_Check(o)) {
      int overflow = 0;
      const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
      if (overflow == 0) {
        if (v == -1 && PyErr_Occurred()) return python_failed("reading an int");
        return w_.integer(v);
      }
      return callback(o);  // beyond int64: the context's "int" handler (its decimal text)
    }
    if (PyBytes_Check(o)) {
      return w_.bytes(std::string_view(PyBytes_AS_STRING(o), static_cast<std::size_t>(PyBytes_GET_SIZE(o))));
    }
    if (PyUnicode_Check(o)) {
      Py_ssize_t n = 0;
      const char* s = PyUnicode_AsUTF8AndSize(o, &n);
      if (s == nullptr) return python_failed("encoding a str as UTF-8");
      return w_.string(std::string_view(s, static_cast<std::size_t>(n)));
    }
    if (PyList_CheckExact(o)) {
      ARROWPACK_RETURN_NOT_OK(w_.begin_list());
      for (Py_ssize_t i = 0; i < PyList_GET_SIZE(o); ++i) {
        nb::object item = nb::borrow(PyList_GET_ITEM(o, i));  // held: a callback may change the list
        ARROWPACK_RETURN_NOT_OK(write(item.ptr()));
      }
      return w_.end();
    }
    if (PyDict_CheckExact(o)) return write_dict(o);
    if (PyTuple_CheckExact(o)) {
      ARROWPACK_RETURN_NOT_OK(w_.begin_tuple());
      for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(o); ++i) ARROWPACK_RETURN_NOT_OK(write(PyTuple_GET_ITEM(o, i)));
      return w_.end();
    }
    if (PySet_Check(o)) {
      ARROWPACK_RETURN_NOT_OK(w_.begin_set());
      nb::object it = nb::steal(PyObject_GetIter(o));
      if (!it.is_valid()) return python_failed("iterating a set");
      while (PyObject* item = PyIter_Next(it.ptr())) {
        nb::object held = nb::steal(item);
        ARROWPACK_RETURN_NOT_OK(write(held.ptr()));
      }
      if (PyErr_Occurred()) return python_failed("iterating a set");
      return w_.end();
    }
    if (PyObject_TypeCheck(o, reinterpret_cast<PyTypeObject*>(ty.generic))) return write_scalar(o);
    if (t == reinterpret_cast<PyTypeObject*>(ty.ndarray)) {
      ARROWPACK_ASSIGN_OR_RAISE(TensorPtr tensor, tensor_from_array(nb::handle(o)));
      if (!tensor) return callback(o);  // bool, object, strings, structured: np.array's handler
      return w_.ndarray(std::move(tensor));
    }
    if (o == Py_None) return w_.none();
    datetime_api_ready();
    if (PyDateTime_Check(o)) return w_.date64_micros(datetime_micros(o));
    if (t == reinterpret_cast<PyTypeObject*>(ty.buffer)) {
      ARROWPACK_ASSIGN_OR_RAISE(auto b, buffer_from_object(nb::handle(o)));
      return w_.buffer(std::move(b));
    }
    ty.look_for_pyarrow();
    if (ty.pa_buffer != nullptr && PyObject_TypeCheck(o, reinterpret_cast<PyTypeObject*>(ty.pa_buffer))) {
      ARROWPACK_ASSIGN_OR_RAISE(auto b, buffer_from_object(nb::handle(o)));
      return w_.buffer(std::move(b));
    }
    if (ty.pa_tensor != nullptr && PyObject_TypeCheck(o, reinterpret_cast<PyTypeObject*>(ty.pa_tensor))) {
      try {
        nb::object array = nb::handle(o).attr("to_numpy")();
        ARROWPACK_ASSIGN_OR_RAISE(TensorPtr tensor, tensor_from_array(array));
        if (!tensor) return Status::NotImplemented("a pyarrow.Tensor of a type arrowpack does not serialize");
        return w_.tensor(std::move(tensor));
      } catch (nb::python_error& e) {
        return pending_.take(e, "reading a pyarrow.Tensor");
      }
    }
    ARROWPACK_ASSIGN_OR_RAISE(SparseTensorPtr sparse, sparse_tensor_from_object(nb::handle(o)));
    if (sparse) return w_.sparse_tensor(std::move(sparse));
    return callback(o);
  }

  PendingError& pending() { return pending_; }

 private:
  Status write_dict(PyObject* d) {
    ARROWPACK_RETURN_NOT_OK(w_.begin_dict());
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(d, &pos, &key, &value)) {
      nb::object k = nb::borrow(key), v = nb::borrow(value);
      ARROWPACK_RETURN_NOT_OK(write(k.ptr()));
      ARROWPACK_RETURN_NOT_OK(write(v.ptr()));
    }
    return w_.end();
  }

  Status write_scalar(PyObject* o) {
    PyTypes& ty = types();
    PyTypeObject* t = Py_TYPE(o);
    auto is = [&](PyObject* type) { return t == reinterpret_cast<PyTypeObject*>(type); };
    if (is(ty.np_bool)) return w_.boolean(scalar_value<std::uint8_t>(o) != 0);
    if (is(ty.float32)) return w_.float32(scalar_value<float>(o));
    if (is(ty.int_types[0])) return w_.integer(scalar_value<std::int8_t>(o));
    if (is(ty.int_types[1])) return w_.integer(scalar_value<std::uint8_t>(o));
    if (is(ty.int_types[2])) return w_.integer(scalar_value<std::int16_t>(o));
    if (is(ty.int_types[3])) return w_.integer(scalar_value<std::uint16_t>(o));
    if (is(ty.int_types[4])) return w_.integer(scalar_value<std::int32_t>(o));
    if (is(ty.int_types[5])) return w_.integer(scalar_value<std::uint32_t>(o));
    if (is(ty.int_types[6]) || is(ty.longlong)) return w_.integer(scalar_value<std::int64_t>(o));
    if (is(ty.int_types[7]) || is(ty.ulonglong)) {
      const auto v = scalar_value<std::uint64_t>(o);
      if (v > static_cast<std::uint64_t>(INT64_MAX))
        return Status::Invalid("cannot serialize Numpy uint64 scalar >= 2**63");
      return w_.integer(static_cast<std::int64_t>(v));
    }
    return Status::NotImplemented("Numpy scalar type not recognized: ", t->tp_name);
  }

  // pyarrow's _serialize_callback: the context turns the object into a dict (with its
  // "_pytype_"), which is written as a dict.
  Status callback(PyObject* o) {
    try {
      nb::object d = context_.attr("_serialize_callback")(nb::handle(o));
      if (!PyDict_Check(d.ptr())) return Status::TypeError("serialization callback must return a valid dictionary");
      return write_dict(d.ptr());
    } catch (nb::python_error& e) {
      return pending_.take(e, "serializing an object through the context");
    }
  }

  Status python_failed(const char* what) {
    nb::python_error e;
    return pending_.take(e, what);
  }

  ObjectWriter& w_;
  nb::handle context_;
  PendingError pending_;
};

PyObject* new_ref(PyObject* o) {  // Py_NewRef, which Python 3.9 lacks
  Py_INCREF(o);
  return o;
}

// Rebuilds the Python object from the reader's walk (ObjectVisitor): one call per element,
// no cursor per element. Containers being filled are a stack; each finished object goes into
// the innermost one. Python errors are kept (PendingError) and the walk stopped with a
// Status; the caller raises the kept exception, so the user sees it as it was raised.
class Decoder final : public ObjectVisitor {
 public:
  Decoder(nb::handle context, bool allow_pickle) : context_(context), allow_pickle_(allow_pickle) {}
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  ~Decoder() override {
    for (std::size_t i = 0; i < depth_; ++i) {
      Py_XDECREF(frames_[i].container);
      Py_XDECREF(frames_[i].key);
    }
    Py_XDECREF(root_);
  }

  nb::object read(const ObjectReader::Cursor& root) {
    const Status st = root.walk(*this);
    pending_.raise_if_pending();
    check(st);
    return nb::steal(std::exchange(root_, nullptr));
  }

  Status on_none() override { return add(new_ref(Py_None)); }
  Status on_bool(bool b) override { return add(new_ref(b ? Py_True : Py_False)); }
  Status on_int(std::int64_t v) override { return add(PyLong_FromLongLong(v)); }
  Status on_float(double v, Value::Kind kind) override {
    if (kind != Value::Kind::kHalf) return add(PyFloat_FromDouble(v));
    return guarded("making a numpy.float16", [&] { return nb::handle(types().float16)(v).release().ptr(); });
  }
  Status on_date64(std::int64_t us) override {
    datetime_api_ready();
    std::int64_t days = us / 86400000000LL, rest = us % 86400000000LL;
    if (rest < 0) {
      rest += 86400000000LL;
      --days;
    }
    nb::object epoch = nb::steal(PyDateTime_FromDateAndTime(1970, 1, 1, 0, 0, 0, 0));
    nb::object delta = nb::steal(
        PyDelta_FromDSU(static_cast<int>(days), static_cast<int>(rest / 1000000), static_cast<int>(rest % 1000000)));
    if (!epoch.is_valid() || !delta.is_valid()) return add(nullptr);
    return add(PyNumber_Add(epoch.ptr(), delta.ptr()));
  }
  Status on_text(std::string_view s, Value::Kind kind) override {
    if (kind == Value::Kind::kBytes) return add(PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size())));
    if (depth_ > 0) {
      Frame& f = frames_[depth_ - 1];
      // pyarrow hands a dict with a "_pytype_" key to the context (a registered object).
      if (f.kind == Value::Kind::kDict && f.key == nullptr && s == "_pytype_") f.registered = true;
    }
    return add(text(s));
  }
  Status on_begin(Value::Kind kind, std::int64_t size) override {
    const auto n = static_cast<Py_ssize_t>(size);
    PyObject* made = kind == Value::Kind::kList    ? PyList_New(n)
                     : kind == Value::Kind::kTuple ? PyTuple_New(n)
                     : kind == Value::Kind::kSet   ? PySet_New(nullptr)
                                                   : PyDict_New();
    if (made == nullptr) return python_failed("making a container");
    if (depth_ == frames_.size()) [[unlikely]] {
      try {
        std::vector<Frame> bigger(2 * frames_.size());
        std::copy(frames_.begin(), frames_.end(), bigger.begin());
        heap_ = std::move(bigger);
        frames_ = heap_;
      } catch (const std::bad_alloc&) {
        Py_DECREF(made);
        return Status::OutOfMemory("the decoder's stack of containers");
      }
    }
    frames_[depth_++] = Frame{made, kind, 0, nullptr, false};
    return Status::OK();
  }
  Status on_end() override {
    Frame& f = frames_[--depth_];
    PyObject* done = std::exchange(f.container, nullptr);
    if (!f.registered) return add(done);
    nb::object dict = nb::steal(done);
    return guarded("deserializing an object through the context", [&] {
      return context_.attr("_deserialize_callback")(dict, nb::bool_(allow_pickle_)).release().ptr();
    });
  }
  Status on_item(const ObjectReader::Cursor& c) override {
    return guarded("reading an array, buffer or sparse tensor", [&]() -> PyObject* {
      switch (c.kind()) {
        case Value::Kind::kTensor:
        case Value::Kind::kNdarray: {
          nb::object array = array_from_tensor(check(c.tensor()));
          if (c.kind() == Value::Kind::kTensor) {
            // pyarrow gives a pyarrow.Tensor back for a tensor (an ndarray is a numpy array).
            PyTypes& ty = types();
            ty.look_for_pyarrow();
            if (ty.pa_tensor != nullptr) return nb::handle(ty.pa_tensor).attr("from_numpy")(array).release().ptr();
          }
          return array.release().ptr();
        }
        case Value::Kind::kBuffer: return wrap_buffer(check(c.buffer())).release().ptr();
        case Value::Kind::kSparseTensor: return sparse_tensor_to_python(check(c.sparse_tensor())).release().ptr();
        default: raise_status(Status::Invalid("unknown element kind"));
      }
    });
  }

 private:
  // A container being filled: where its next element goes.
  // Trivial, so that the inline frames are not cleared for every decode: frames below
  // depth_ are the ones written.
  struct Frame {
    PyObject* container;  // owned
    Value::Kind kind;
    Py_ssize_t next;  // a list's or tuple's next index
    PyObject* key;    // a dict's key awaiting its value (owned)
    bool registered;  // a dict with a "_pytype_" key
  };

  // Puts a new reference (nullptr: the Python call that made it failed) where it belongs.
  [[gnu::always_inline]] Status add(PyObject* made) {
    if (made == nullptr) [[unlikely]]
      return python_failed("making an object");
    if (depth_ == 0) {
      root_ = made;
      return Status::OK();
    }
    Frame& f = frames_[depth_ - 1];
    switch (f.kind) {
      case Value::Kind::kList: PyList_SET_ITEM(f.container, f.next++, made); return Status::OK();
      case Value::Kind::kTuple: PyTuple_SET_ITEM(f.container, f.next++, made); return Status::OK();
      case Value::Kind::kSet: {
        const int rc = PySet_Add(f.container, made);
        Py_DECREF(made);
        return rc == 0 ? Status::OK() : python_failed("adding to a set");
      }
      default: {  // a dict: a key, then its value
        if (f.key == nullptr) {
          f.key = made;
          return Status::OK();
        }
        const int rc = PyDict_SetItem(f.container, f.key, made);
        Py_DECREF(made);
        Py_CLEAR(f.key);
        return rc == 0 ? Status::OK() : python_failed("adding to a dict");
      }
    }
  }
  // add() of what `make` returns, with its Python exception kept.
  template <typename F>
  Status guarded(const char* what, F&& make) {
    try {
      return add(make());
    } catch (nb::python_error& e) {
      return pending_.take(e, what);
    }
  }
  Status python_failed(const char* what) {
    nb::python_error e;
    return pending_.take(e, what);
  }

  // A str of UTF-8 bytes of the blob (a new reference; nullptr with the Python error set).
  // Short strings are made once per decode and shared (they are immutable): dict keys and
  // repeated values cost a lookup, as pickle's memo makes them.
  [[gnu::always_inline]] PyObject* text(std::string_view s) {
    if (s.size() > kSharedTextBytes) return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "strict");
    const std::uint64_t h = TextTable::hash(s);
    if (PyObject* hit = texts_.find(s, h)) return new_ref(hit);
    PyObject* made = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "strict");
    if (made != nullptr) texts_.add(s, h, made);
    return made;
  }

  // The shared strings: open addressing, in the decoder itself until it outgrows kInline
  // slots (the profile of one small dict showed the node map and its vector of references
  // at a sixth of the decode). Each slot holds a view into the blob, which outlives the
  // decode, and a reference to its str.
  class TextTable {
   public:
    TextTable() = default;
    TextTable(const TextTable&) = delete;
    TextTable& operator=(const TextTable&) = delete;
    ~TextTable() {
      // Up to the last string kept, not over every slot (a small decode keeps a few).
      for (std::size_t i = 0, left = used_; left > 0 && i <= mask_; ++i) {
        if (slots_[i].str != nullptr) {
          Py_DECREF(slots_[i].str);
          --left;
        }
      }
    }
    // A word at a time (the byte-wise FNV-1a it replaces was a fifth of the decoder's time
    // on 100k small dicts): the bytes as 8-byte words, the last one overlapping, mixed by
    // multiplication. Strings here are at most kSharedTextBytes long.
    [[gnu::always_inline]] static std::uint64_t hash(std::string_view s) {
      const char* p = s.data();
      const std::size_t n = s.size();
      std::uint64_t h = 0x9e3779b97f4a7c15ULL * (n + 1);
      if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) h = mix(h, load64(p + i));
        h = mix(h, load64(p + n - 8));
      } else if (n >= 4) {
        h = mix(h, load32(p) | (std::uint64_t{load32(p + n - 4)} << 32));
      } else if (n > 0) {
        const auto b = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
        h = mix(h, b(0) | (b(n / 2) << 8) | (b(n - 1) << 16));
      }
      return h ^ (h >> 29);
    }
    PyObject* find(std::string_view s, std::uint64_t h) const {
      for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
        const Slot& slot = slots_[i];
        if (slot.str == nullptr) return nullptr;
        if (slot.size == s.size() && same_bytes(slot.data, s.data(), s.size())) return slot.str;
      }
    }
    // Keeps a reference to `str` for `s` (not found before), unless the table is full.
    void add(std::string_view s, std::uint64_t h, PyObject* str) {
      if (2 * (used_ + 1) > mask_ + 1) {
        if (mask_ + 1 >= kMaxSlots) return;
        grow();
      }
      put({s.data(), static_cast<std::uint32_t>(s.size()), str}, h);
      Py_INCREF(str);
      ++used_;
    }

   private:
    static std::uint64_t load64(const char* p) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      return w;
    }
    static std::uint32_t load32(const char* p) {
      std::uint32_t w;
      std::memcpy(&w, p, 4);
      return w;
    }
    static std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
      h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
      return h ^ (h >> 31);
    }
    // Short strings compared inline (a call to memcmp was 3% of decoding 100k small dicts).
    static bool same_bytes(const char* a, const char* b, std::size_t n) {
      for (; n >= 8; a += 8, b += 8, n -= 8) {
        std::uint64_t x, y;
        std::memcpy(&x, a, 8);
        std::memcpy(&y, b, 8);
        if (x != y) return false;
      }
      for (; n > 0; ++a, ++b, --n) {
        if (*a != *b) return false;
      }
      return true;
    }
    struct Slot {
      const char* data = nullptr;
      std::uint32_t size = 0;
      PyObject* str = nullptr;  // nullptr: free
    };
    void put(const Slot& slot, std::uint64_t h) {
      std::size_t i = h & mask_;
      while (slots_[i].str != nullptr) i = (i + 1) & mask_;
      slots_[i] = slot;
    }
    void grow() {
      const Slot* old = slots_;  // inline_ or the previous heap_, kept until the loop is done
      const std::size_t old_slots = mask_ + 1;
      const std::vector<Slot> previous = std::exchange(heap_, std::vector<Slot>(2 * old_slots));
      slots_ = heap_.data();
      mask_ = heap_.size() - 1;
      for (std::size_t i = 0; i < old_slots; ++i) {
        if (old[i].str != nullptr) put(old[i], hash({old[i].data, old[i].size}));
      }
    }
    static constexpr std::size_t kInline = 32, kMaxSlots = 8192;  // at most half full
    std::array<Slot, kInline> inline_{};
    std::vector<Slot> heap_;
    Slot* slots_ = inline_.data();
    std::size_t mask_ = kInline - 1, used_ = 0;
  };

  static constexpr std::size_t kSharedTextBytes = 64;
  static constexpr std::size_t kInlineFrames = 16;  // nesting beyond grows on the heap

  nb::handle context_;
  bool allow_pickle_;
  PendingError pending_;
  TextTable texts_;
  std::array<Frame, kInlineFrames> inline_;  // not cleared: see Frame
  std::vector<Frame> heap_;
  std::span<Frame> frames_{inline_};
  std::size_t depth_ = 0;
  PyObject* root_ = nullptr;  // owned
};

}  // namespace

// What SerializedPyObject holds: the C++ object and the `base` pyarrow keeps for numpy.
struct PySerialized {
  SerializedObject object;
  nb::object base = nb::none();
};

namespace {

PySerialized serialize_value(nb::handle value, nb::handle context) {
  ObjectWriter writer(empty_context(), ReadLimits{}, default_memory_pool(), FormatMark::kPyarrow);
  Encoder encoder(writer, context);
  Status st = encoder.write(value.ptr());
  encoder.pending().raise_if_pending();
  check(st);
  PySerialized out;
  out.object = check(writer.finish());
  return out;
}

nb::object deserialize_object(const PySerialized& s, nb::handle context, bool allow_pickle) {
  auto reader = check(ObjectReader::open(s.object, empty_context()));
  Decoder decoder(context, allow_pickle);
  return decoder.read(check(reader->root()));
}

}  // namespace

namespace {

// The keys of pyarrow's components dict, made once and interned: looking a key up or storing
// it by its C string made a str each time (the dict's nine keys were a third of
// to_components() on one small dict).
struct ComponentKeys {
  PyObject* num_tensors;
  PyObject* num_sparse_tensors;
  PyObject* ndim_csf;
  PyObject* num_ndarrays;
  PyObject* num_buffers;
  PyObject* data;
  PyObject* coo;
  PyObject* csr;
  PyObject* csc;
  PyObject* csf;
};
// Made on first use under the GIL, kept until exit. Not a function-local static: its
// initialiser calls Python, which may let another thread run (a collection running a
// __del__) and that thread would then wait on the static's guard while holding the GIL.
const ComponentKeys& component_keys() {
  static const ComponentKeys* keys = nullptr;
  if (keys != nullptr) return *keys;
  const char* names[] = {
      "num_tensors", "num_sparse_tensors", "ndim_csf", "num_ndarrays", "num_buffers", "data", "coo", "csr", "csc",
      "csf"};
  PyObject* made[std::size(names)] = {};
  for (std::size_t i = 0; i < std::size(names); ++i) {
    made[i] = PyUnicode_InternFromString(names[i]);
    if (made[i] == nullptr) {
      for (PyObject* m : made) Py_XDECREF(m);
      throw nb::python_error();
    }
  }
  if (keys == nullptr) {  // another thread may have made them meanwhile: theirs are kept
    keys = new ComponentKeys{made[0], made[1], made[2], made[3], made[4], made[5], made[6], made[7], made[8], made[9]};
  } else {
    for (PyObject* m : made) Py_DECREF(m);
  }
  return *keys;
}

// mapping[key] (KeyError when absent, as d[key] raises), with a dict's fast path.
nb::object item(nb::handle mapping, PyObject* key) {
  if (PyDict_CheckExact(mapping.ptr())) {
    PyObject* v = PyDict_GetItemWithError(mapping.ptr(), key);
    if (v != nullptr) return nb::borrow(v);
    if (PyErr_Occurred() == nullptr) PyErr_SetObject(PyExc_KeyError, key);
    throw nb::python_error();
  }
  PyObject* v = PyObject_GetItem(mapping.ptr(), key);
  if (v == nullptr) throw nb::python_error();
  return nb::steal(v);
}

bool has_item(nb::handle mapping, PyObject* key) {
  if (!PyDict_CheckExact(mapping.ptr()))
    return PyMapping_HasKey(mapping.ptr(), key) == 1;  // as before: errors are "no"
  const int found = PyDict_Contains(mapping.ptr(), key);
  if (found < 0) throw nb::python_error();
  return found == 1;
}

void set_item(nb::handle dict, PyObject* key, nb::handle value) {
  if (!value.is_valid() || PyDict_SetItem(dict.ptr(), key, value.ptr()) != 0) throw nb::python_error();
}

nb::object count(std::int64_t n) { return nb::steal(PyLong_FromLongLong(n)); }

}  // namespace

Components components_from_dict(nb::handle components) {
  const ComponentKeys& k = component_keys();
  Components c;
  auto get_int = [&](nb::handle d, PyObject* key) { return nb::cast<int>(item(d, key)); };
  c.num_tensors = get_int(components, k.num_tensors);
  c.num_ndarrays = get_int(components, k.num_ndarrays);
  c.num_buffers = get_int(components, k.num_buffers);
  if (has_item(components, k.num_sparse_tensors)) {
    nb::object sparse = item(components, k.num_sparse_tensors);
    c.num_sparse_tensors.coo = get_int(sparse, k.coo);
    c.num_sparse_tensors.csr = get_int(sparse, k.csr);
    c.num_sparse_tensors.csc = get_int(sparse, k.csc);
    c.num_sparse_tensors.csf = get_int(sparse, k.csf);
    c.num_sparse_tensors.ndim_csf = get_int(sparse, k.ndim_csf);
  }
  nb::object data = item(components, k.data);
  for (nb::handle entry : data) c.data.push_back(check(buffer_from_object(entry)));
  return c;
}

namespace {

// The components dict and its all-zero num_sparse_tensors mapping, made once with pyarrow's
// keys in its order and copied for each call: a copy of a dict is one allocation and a
// copy of its table, where setting nine keys into new dicts grew them on the way (2.9k of
// the 9.2k instructions of to_components() on one small dict, callgrind).
struct ComponentDicts {
  PyObject* out;          // the top-level keys, values None
  PyObject* zero_sparse;  // coo, csr, csc, csf, ndim_csf: 0
};
const ComponentDicts& component_dicts() {  // made and kept as component_keys() are
  static const ComponentDicts* dicts = nullptr;
  if (dicts != nullptr) return *dicts;
  const ComponentKeys& k = component_keys();
  nb::object out = nb::steal(PyDict_New());
  nb::object sparse = nb::steal(PyDict_New());
  if (!out.is_valid() || !sparse.is_valid()) throw nb::python_error();
  for (PyObject* key : {k.num_tensors, k.num_sparse_tensors, k.ndim_csf, k.num_ndarrays, k.num_buffers, k.data}) {
    set_item(out, key, Py_None);
  }
  for (PyObject* key : {k.coo, k.csr, k.csc, k.csf, k.ndim_csf}) set_item(sparse, key, count(0));
  if (dicts == nullptr) dicts = new ComponentDicts{out.release().ptr(), sparse.release().ptr()};
  return *dicts;
}

nb::object copy_of(PyObject* dict) {
  PyObject* copy = PyDict_Copy(dict);
  if (copy == nullptr) throw nb::python_error();
  return nb::steal(copy);
}

}  // namespace

nb::dict components_to_dict(Components c) {
  const ComponentKeys& k = component_keys();
  const ComponentDicts& templates = component_dicts();
  nb::object sparse = copy_of(templates.zero_sparse);
  if (!(c.num_sparse_tensors == Components::SparseCounts{})) {
    set_item(sparse, k.coo, count(c.num_sparse_tensors.coo));
    set_item(sparse, k.csr, count(c.num_sparse_tensors.csr));
    set_item(sparse, k.csc, count(c.num_sparse_tensors.csc));
    set_item(sparse, k.csf, count(c.num_sparse_tensors.csf));
    set_item(sparse, k.ndim_csf, count(c.num_sparse_tensors.ndim_csf));
  }
  // pyarrow 11's keys in its order, its stray top-level "ndim_csf" (a second copy
  // of the mapping) included, so that code written against its dict finds them.
  nb::object out = copy_of(templates.out);
  set_item(out, k.num_tensors, count(c.num_tensors));
  set_item(out, k.num_sparse_tensors, sparse);
  set_item(out, k.ndim_csf, copy_of(sparse.ptr()));
  set_item(out, k.num_ndarrays, count(c.num_ndarrays));
  set_item(out, k.num_buffers, count(c.num_buffers));
  nb::object data = nb::steal(PyList_New(static_cast<Py_ssize_t>(c.data.size())));
  if (!data.is_valid()) throw nb::python_error();
  for (std::size_t i = 0; i < c.data.size(); ++i) {
    PyList_SET_ITEM(data.ptr(), static_cast<Py_ssize_t>(i), wrap_buffer(std::move(c.data[i])).release().ptr());
  }
  set_item(out, k.data, data);
  return nb::borrow<nb::dict>(out);
}

namespace {

// The default context (serialization.py's), made on first use by the factory it registers.
nb::object& default_context_factory() {
  static nb::object* f = new nb::object();  // used until exit
  return *f;
}
nb::handle context_or_default(nb::handle context) {
  if (!context.is_none()) return context;
  static PyObject* cached = nullptr;  // the module keeps it alive
  if (cached == nullptr) {
    if (!default_context_factory().is_valid()) raise_status(Status::Invalid("arrowpack.serialization is not loaded"));
    cached = default_context_factory()().release().ptr();
  }
  return cached;
}

// to_components()'s buffers: pyarrow.Buffer objects once pyarrow has been imported, so that
// the dict goes to pyarrow 11's deserialize_components as it is.
nb::dict components_for_python(Components c) {
  nb::dict out = components_to_dict(std::move(c));
  PyTypes& ty = types();
  ty.look_for_pyarrow();
  if (ty.pa_py_buffer != nullptr) {
    PyObject* data = PyDict_GetItemWithError(out.ptr(), component_keys().data);  // borrowed: the list made above
    if (data == nullptr) throw nb::python_error();
    nb::handle wrap(ty.pa_py_buffer);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(data); ++i) {
      nb::object wrapped = wrap(nb::handle(PyList_GET_ITEM(data, i)));
      PyList_SetItem(data, i, wrapped.release().ptr());  // steals; drops the arrowpack.Buffer
    }
  }
  return out;
}

PySerialized read_buffer(nb::handle source, nb::object base) {
  PySerialized out;
  out.object = check(SerializedObject::read_from(check(buffer_from_object(source))));
  out.base = std::move(base);
  return out;
}

PySerialized read_components(nb::handle components) {
  PySerialized out;
  out.object = check(SerializedObject::from_components(components_from_dict(components)));
  return out;
}

}  // namespace

void bind_serialize(nb::module_& m) {
  nb::class_<PySerialized>(m, "SerializedPyObject",
                           "A serialized Python object: the structure (an Arrow IPC stream) plus the arrays "
                           "and buffers it refers to, still in their owners' memory (nothing is copied until "
                           "to_buffer() or write_to()).")
      .def_prop_ro(
          "total_bytes", [](const PySerialized& s) { return check(s.object.total_bytes()); },
          "The size of to_buffer()'s buffer (and of what write_to writes).")
      .def_prop_rw(
          "base", [](const PySerialized& s) { return s.base; },
          [](PySerialized& s, nb::object base) { s.base = std::move(base); },
          "The object read_serialized(source, base) was told the arrays view.")
      .def(
          "to_buffer", [](const PySerialized& s, nb::handle) { return wrap_buffer(check(s.object.to_buffer())); },
          nb::arg("nthreads").none() = nb::none(),
          "The contiguous form as one arrowpack.Buffer (the data is copied once; nthreads is accepted for "
          "pyarrow's signature).")
      .def(
          "write_to",
          [](const PySerialized& s, nb::handle sink) {
            if (PyUnicode_Check(sink.ptr()) || nb::hasattr(sink, "__fspath__")) {
              nb::object path = nb::module_::import_("os").attr("fspath")(sink);
              auto file = check(io::FileOutputStream::open(nb::cast<std::string>(path)));
              check(s.object.write_to(file.get()));
              check(file->close());
              return;
            }
            PyFileSink writer(sink);
            check(s.object.write_to(&writer));
          },
          nb::arg("sink"),
          "Writes the contiguous form to a path, or to an object with write() (a file, io.BytesIO, a pyarrow "
          "NativeFile): arrays and buffers are handed to write() as views of their memory.")
      .def(
          "to_components",
          [](const PySerialized& s, nb::handle) { return components_for_python(check(s.object.to_components())); },
          nb::arg("memory_pool").none() = nb::none(),
          "pyarrow's components dict: num_tensors, num_sparse_tensors, num_ndarrays, num_buffers and data, buffers "
          "of which the array bodies view the serialized objects' memory (no copy). The buffers are pyarrow.Buffer "
          "objects once pyarrow has been imported, arrowpack.Buffer objects otherwise.")
      .def("_to_components", [](const PySerialized& s) { return components_to_dict(check(s.object.to_components())); })
      .def(
          "deserialize",
          [](const PySerialized& s, nb::handle context, bool allow_pickle) {
            return deserialize_object(s, context_or_default(context), allow_pickle);
          },
          nb::arg("context").none() = nb::none(), nb::arg("allow_pickle") = false,
          "The Python object; numpy arrays are read-only views of the serialized memory. Pickled objects are "
          "unpickled only with allow_pickle=True, and only for types the context registers with pickle=True.")
      .def_static("from_components", &read_components, nb::arg("components"),
                  "The object of to_components()'s dict (its buffers are viewed, not copied).");

  m.def(
      "serialize",
      [](nb::handle value, nb::handle context) { return serialize_value(value, context_or_default(context)); },
      nb::arg("value").none(), nb::arg("context").none() = nb::none(),
      "Serializes `value` (None, bool, int, float, str, bytes, lists, tuples, dicts, sets, numpy arrays and "
      "scalars, datetimes, buffers, sparse tensors, and objects of the context's registered types) into a "
      "SerializedPyObject. Arrays and buffers are referred to, not copied.");
  m.def(
      "deserialize",
      [](nb::handle obj, nb::handle context, bool allow_pickle) {
        PySerialized s = read_buffer(obj, nb::borrow(obj));
        return deserialize_object(s, context_or_default(context), allow_pickle);
      },
      nb::arg("obj"), nb::arg("context").none() = nb::none(), nb::arg("allow_pickle") = false,
      "The object serialized in `obj` (anything with the buffer protocol: bytes, a pyarrow.Buffer, an "
      "arrowpack.Buffer, a memory map's view). numpy arrays come back as read-only views of its memory.");
  m.def(
      "deserialize_components",
      [](nb::handle components, nb::handle context, bool allow_pickle) {
        PySerialized s = read_components(components);
        return deserialize_object(s, context_or_default(context), allow_pickle);
      },
      nb::arg("components"), nb::arg("context").none() = nb::none(), nb::arg("allow_pickle") = false,
      "The object of a components dict (to_components()'s, pyarrow 11's, or one a transport received), "
      "without copying its buffers.");
  m.def("_read_buffer", &read_buffer, nb::arg("source"), nb::arg("base").none() = nb::none());
  m.def(
      "_set_default_context_factory", [](nb::object f) { default_context_factory() = std::move(f); },
      nb::arg("factory"));
}

}  // namespace arrowpack::python

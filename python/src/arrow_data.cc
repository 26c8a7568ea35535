// Types, fields, schemas, arrays, batches and tables for Python, and the Arrow PyCapsule
// interface (see arrow_data.h). Arrays are made from numpy arrays (viewed, no copy) or
// from Python sequences (built); they export and import through core's C data bridge.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "arrow_data.h"
#include "arrowpack/core/builder.h"

namespace arrowpack::python {

namespace {

// ---- the PyCapsule interface

template <typename T>
void release_capsule(PyObject* capsule, const char* name) {
  auto* p = static_cast<T*>(PyCapsule_GetPointer(capsule, name));
  if (p == nullptr) {
    PyErr_Clear();
    return;
  }
  if (p->release != nullptr) p->release(p);
  std::free(p);
}

template <typename T>
nb::object make_capsule(const char* name, void (*destructor)(PyObject*), T** out) {
  *out = static_cast<T*>(std::calloc(1, sizeof(T)));
  if (*out == nullptr) raise_status(Status::OutOfMemory("a C data interface struct"));
  PyObject* capsule = PyCapsule_New(*out, name, destructor);
  if (capsule == nullptr) {
    std::free(*out);
    throw nb::python_error();
  }
  return nb::steal(capsule);
}

}  // namespace

nb::object schema_capsule(const Schema& schema) {
  ArrowSchema* s = nullptr;
  nb::object capsule = make_capsule<ArrowSchema>(
      "arrow_schema", [](PyObject* c) { release_capsule<ArrowSchema>(c, "arrow_schema"); }, &s);
  check(c::export_schema(schema, s));
  return capsule;
}

namespace {

nb::tuple batch_capsules(const RecordBatch& batch) {
  ArrowSchema* s = nullptr;
  ArrowArray* a = nullptr;
  nb::object sc = make_capsule<ArrowSchema>(
      "arrow_schema", [](PyObject* c) { release_capsule<ArrowSchema>(c, "arrow_schema"); }, &s);
  nb::object ac = make_capsule<ArrowArray>(
      "arrow_array", [](PyObject* c) { release_capsule<ArrowArray>(c, "arrow_array"); }, &a);
  check(c::export_record_batch(batch, a, s));
  return nb::make_tuple(sc, ac);
}

}  // namespace

nb::object stream_capsule(SchemaPtr schema, c::BatchSource next) {
  ArrowArrayStream* s = nullptr;
  nb::object capsule = make_capsule<ArrowArrayStream>(
      "arrow_array_stream", [](PyObject* c) { release_capsule<ArrowArrayStream>(c, "arrow_array_stream"); }, &s);
  check(c::export_stream(std::move(schema), std::move(next), s));
  return capsule;
}

namespace {

template <typename T>
T* capsule_pointer(nb::handle capsule, const char* name) {
  auto* p = static_cast<T*>(PyCapsule_GetPointer(capsule.ptr(), name));
  if (p == nullptr) throw nb::python_error();
  return p;
}

// ---- schemas, batches, tables

}  // namespace

SchemaPtr schema_of(nb::handle obj) {
  if (nb::isinstance<PySchema>(obj)) return nb::cast<PySchema&>(obj).schema;
  if (!nb::hasattr(obj, "__arrow_c_schema__")) {
    raise_status(
        Status::TypeError("a schema must have __arrow_c_schema__ (a pyarrow.Schema, an arrowpack "
                          "Schema, ...), not an object of type ",
                          Py_TYPE(obj.ptr())->tp_name));
  }
  nb::object capsule = obj.attr("__arrow_c_schema__")();
  return check(c::import_schema(capsule_pointer<ArrowSchema>(capsule, "arrow_schema")));
}

RecordBatchPtr batch_of(nb::handle obj) {
  if (nb::isinstance<PyBatch>(obj)) return nb::cast<PyBatch&>(obj).batch;
  if (!nb::hasattr(obj, "__arrow_c_array__")) {
    raise_status(Status::TypeError("a record batch must have __arrow_c_array__, not an object of type ",
                                   Py_TYPE(obj.ptr())->tp_name));
  }
  nb::object pair = obj.attr("__arrow_c_array__")();
  nb::object sc = pair[0], ac = pair[1];
  return check(c::import_record_batch(capsule_pointer<ArrowArray>(ac, "arrow_array"),
                                      capsule_pointer<ArrowSchema>(sc, "arrow_schema")));
}

TablePtr table_of(nb::handle obj) {
  if (nb::isinstance<PyTable>(obj)) return nb::cast<PyTable&>(obj).table;
  if (!nb::hasattr(obj, "__arrow_c_stream__")) {
    raise_status(
        Status::TypeError("a table must have __arrow_c_stream__, not an object of type ", Py_TYPE(obj.ptr())->tp_name));
  }
  nb::object capsule = obj.attr("__arrow_c_stream__")();
  auto importer = check(c::StreamImporter::open(capsule_pointer<ArrowArrayStream>(capsule, "arrow_array_stream")));
  return check(importer->read_all());
}

namespace {

nb::list field_names(const Schema& s) {
  nb::list out;
  for (int i = 0; i < s.num_fields(); ++i) out.append(text_of(s.field(i)->name()));
  return out;
}

// ---- arrays from Python

// The type a sequence of Python values infers, as pyarrow infers it for these kinds: bool,
// int64, double (ints and floats mixed), string, binary; null when every value is None.
DataTypePtr infer_type(nb::handle seq) {
  bool any_bool = false, any_int = false, any_float = false, any_str = false, any_bytes = false;
  for (nb::handle v : seq) {
    PyObject* o = v.ptr();
    if (o == Py_None) continue;
    if (PyBool_Check(o)) {
      any_bool = true;
    } else if (PyLong_Check(o)) {
      any_int = true;
    } else if (PyFloat_Check(o)) {
      any_float = true;
    } else if (PyUnicode_Check(o)) {
      any_str = true;
    } else if (PyBytes_Check(o)) {
      any_bytes = true;
    } else {
      raise_status(Status::TypeError("cannot infer an Arrow type for a value of type ", Py_TYPE(o)->tp_name,
                                     " (pass type=, or use pyarrow for nested data)"));
    }
  }
  const int kinds = int(any_bool) + int(any_int || any_float) + int(any_str) + int(any_bytes);
  if (kinds > 1) raise_status(Status::TypeError("the values mix kinds (bool, number, str, bytes)"));
  if (any_bool) return boolean();
  if (any_float) return float64();
  if (any_int) return int64();
  if (any_str) return utf8();
  if (any_bytes) return binary();
  return null();
}

template <typename T>
Array build_numeric(nb::handle seq, const DataTypePtr& type) {
  NumericBuilder<T> b(type);
  for (nb::handle v : seq) {
    if (v.is_none()) {
      check(b.append_null());
    } else if constexpr (std::is_floating_point_v<T>) {
      const double d = PyFloat_AsDouble(v.ptr());
      if (d == -1.0 && PyErr_Occurred()) throw nb::python_error();
      check(b.append(static_cast<T>(d)));
    } else {
      if (PyFloat_Check(v.ptr()) || !PyIndex_Check(v.ptr())) {
        raise_status(
            Status::TypeError("expected an integer for ", type->to_string(), ", got ", Py_TYPE(v.ptr())->tp_name));
      }
      const long long x = PyLong_AsLongLong(v.ptr());
      if (x == -1 && PyErr_Occurred()) throw nb::python_error();
      if (static_cast<long long>(static_cast<T>(x)) != x || (std::is_unsigned_v<T> && x < 0)) {
        raise_status(Status::Invalid("value ", x, " does not fit ", type->to_string()));
      }
      check(b.append(static_cast<T>(x)));
    }
  }
  return check(b.finish());
}

Array build_from_sequence(nb::handle seq, DataTypePtr type) {
  if (!type) type = infer_type(seq);
  switch (type->id()) {
    case TypeId::kNull: {
      NullBuilder b;
      for (nb::handle v : seq) {
        if (!v.is_none()) raise_status(Status::TypeError("a null array holds only None"));
        check(b.append_null());
      }
      return check(b.finish());
    }
    case TypeId::kBool: {
      BooleanBuilder b;
      for (nb::handle v : seq) {
        if (v.is_none()) {
          check(b.append_null());
        } else {
          const int t = PyObject_IsTrue(v.ptr());
          if (t < 0) throw nb::python_error();
          check(b.append(t != 0));
        }
      }
      return check(b.finish());
    }
    case TypeId::kInt8: return build_numeric<std::int8_t>(seq, type);
    case TypeId::kInt16: return build_numeric<std::int16_t>(seq, type);
    case TypeId::kInt32: return build_numeric<std::int32_t>(seq, type);
    case TypeId::kInt64: return build_numeric<std::int64_t>(seq, type);
    case TypeId::kUInt8: return build_numeric<std::uint8_t>(seq, type);
    case TypeId::kUInt16: return build_numeric<std::uint16_t>(seq, type);
    case TypeId::kUInt32: return build_numeric<std::uint32_t>(seq, type);
    case TypeId::kUInt64: return build_numeric<std::uint64_t>(seq, type);
    case TypeId::kFloat: return build_numeric<float>(seq, type);
    case TypeId::kDouble: return build_numeric<double>(seq, type);
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kLargeString:
    case TypeId::kLargeBinary: {
      const bool text = type->id() == TypeId::kString || type->id() == TypeId::kLargeString;
      BinaryBuilder b(type);
      for (nb::handle v : seq) {
        if (v.is_none()) {
          check(b.append_null());
        } else if (text && PyUnicode_Check(v.ptr())) {
          Py_ssize_t n = 0;
          const char* p = PyUnicode_AsUTF8AndSize(v.ptr(), &n);
          if (p == nullptr) throw nb::python_error();
          check(b.append(std::string_view(p, static_cast<std::size_t>(n))));
        } else if (!text && PyBytes_Check(v.ptr())) {
          check(b.append(
              std::string_view(PyBytes_AS_STRING(v.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(v.ptr())))));
        } else {
          raise_status(Status::TypeError("expected ", text ? "str" : "bytes", " for ", type->to_string(), ", got ",
                                         Py_TYPE(v.ptr())->tp_name));
        }
      }
      return check(b.finish());
    }
    default:
      raise_status(Status::NotImplemented("arrays of ", type->to_string(),
                                          " are not built from Python values here (build them with pyarrow and pass "
                                          "them through the PyCapsule interface)"));
  }
}

// A 1-d numpy array of a numeric dtype as an Array over its memory (no copy).
Array array_from_numpy(nb::handle obj, const DataTypePtr& type) {
  TensorPtr t = check(tensor_from_array(obj));
  if (!t) return Array();
  if (t->ndim() != 1) raise_status(Status::Invalid("an array is built from a 1-d numpy array, not ", t->ndim(), "-d"));
  if (!t->is_contiguous()) return Array();                // strided: built element by element
  if (type && !type->equals(*t->type())) return Array();  // another type: converted element by element
  return check(Array::make(t->type(), t->shape()[0], {nullptr, t->data()}, {}, 0));
}

nb::object py_value(const Array& a, std::int64_t i) {
  if (a.is_null(i)) return nb::none();
  switch (a.type_id()) {
    case TypeId::kBool: return nb::bool_(a.bool_value(i));
    case TypeId::kInt8: return nb::int_(a.value<std::int8_t>(i));
    case TypeId::kInt16: return nb::int_(a.value<std::int16_t>(i));
    case TypeId::kInt32: return nb::int_(a.value<std::int32_t>(i));
    case TypeId::kInt64: return nb::int_(a.value<std::int64_t>(i));
    case TypeId::kUInt8: return nb::int_(a.value<std::uint8_t>(i));
    case TypeId::kUInt16: return nb::int_(a.value<std::uint16_t>(i));
    case TypeId::kUInt32: return nb::int_(a.value<std::uint32_t>(i));
    case TypeId::kUInt64: return nb::int_(a.value<std::uint64_t>(i));
    case TypeId::kFloat: return nb::float_(a.value<float>(i));
    case TypeId::kDouble: return nb::float_(a.value<double>(i));
    case TypeId::kString:
    case TypeId::kLargeString: {
      return text_of(a.string_view(i));
    }
    case TypeId::kBinary:
    case TypeId::kLargeBinary: {
      std::string_view v = a.string_view(i);
      return nb::bytes(v.data(), v.size());
    }
    default:
      raise_status(Status::NotImplemented("to_pylist() of ", a.type()->to_string(),
                                          " (convert with pyarrow.array(obj) through the PyCapsule interface)"));
  }
}

nb::list to_pylist(const Array& a) {
  nb::list out;
  for (std::int64_t i = 0; i < a.length(); ++i) out.append(py_value(a, i));
  return out;
}

DataTypePtr type_arg(nb::handle type) {
  if (type.is_none()) return nullptr;
  if (nb::isinstance<PyDataType>(type)) return nb::cast<PyDataType&>(type).type;
  if (nb::hasattr(type, "__arrow_c_schema__")) {
    nb::object capsule = type.attr("__arrow_c_schema__")();
    return check(c::import_type(capsule_pointer<ArrowSchema>(capsule, "arrow_schema")));
  }
  raise_status(Status::TypeError("type must be an arrowpack.DataType (arrowpack.int64(), ...)"));
}

PyArray make_array(nb::handle obj, nb::handle type_obj) {
  if (nb::isinstance<PyArray>(obj)) return nb::cast<PyArray&>(obj);
  DataTypePtr type = type_arg(type_obj);
  if (nb::hasattr(obj, "__arrow_c_array__")) {
    nb::object pair = obj.attr("__arrow_c_array__")();
    nb::object sc = pair[0], ac = pair[1];
    return PyArray{check(c::import_array(capsule_pointer<ArrowArray>(ac, "arrow_array"),
                                         capsule_pointer<ArrowSchema>(sc, "arrow_schema")))};
  }
  if (Py_TYPE(obj.ptr()) == reinterpret_cast<PyTypeObject*>(types().ndarray)) {
    Array a = array_from_numpy(obj, type);
    if (a.valid_handle()) return PyArray{a};
    return PyArray{build_from_sequence(obj.attr("tolist")(), type)};
  }
  return PyArray{build_from_sequence(obj, std::move(type))};
}

FieldPtr field_arg(nb::handle f) {
  if (nb::isinstance<PyField>(f)) return nb::cast<PyField&>(f).field;
  if (nb::isinstance<nb::tuple>(f) && nb::len(f) == 2) {
    return field(nb::cast<std::string>(f[0]), type_arg(f[1]));
  }
  raise_status(Status::TypeError("a schema's fields are arrowpack.field(name, type) or (name, type) pairs"));
}

}  // namespace

void bind_arrow_objects(nb::module_& m) {
  nb::class_<PyDataType>(m, "DataType", "An Arrow data type.")
      .def_prop_ro("id", [](const PyDataType& t) { return static_cast<int>(t.type->id()); })
      .def_prop_ro("bit_width", [](const PyDataType& t) { return t.type->bit_width(); })
      .def("equals", [](const PyDataType& a, const PyDataType& b) { return a.type->equals(*b.type); })
      .def("__eq__",
           [](const PyDataType& a, nb::handle b) -> nb::object {
             if (!nb::isinstance<PyDataType>(b)) return nb::borrow(Py_NotImplemented);
             return nb::bool_(a.type->equals(*nb::cast<PyDataType&>(b).type));
           })
      .def("__str__", [](const PyDataType& t) { return shown(t.type->to_string()); })
      .def("__repr__", [](const PyDataType& t) { return shown("DataType(" + t.type->to_string() + ")"); })
      .def("__arrow_c_schema__",
           [](const PyDataType& t) { return schema_capsule(*arrowpack::schema({field("", t.type)})); });
  m.attr("DataType").attr("__hash__") = nb::none();
  struct Factory {
    const char* name;
    DataTypePtr (*make)();
  };
  static const Factory factories[] = {
      {"null", null},       {"bool_", boolean},
      {"int8", int8},       {"int16", int16},
      {"int32", int32},     {"int64", int64},
      {"uint8", uint8},     {"uint16", uint16},
      {"uint32", uint32},   {"uint64", uint64},
      {"float16", float16}, {"float32", float32},
      {"float64", float64}, {"string", utf8},
      {"utf8", utf8},       {"large_string", large_utf8},
      {"binary", binary},   {"large_binary", large_binary},
      {"date32", date32},   {"date64", date64},
  };
  for (const Factory& f : factories) {
    auto make = f.make;
    m.def(f.name, [make] { return PyDataType{make()}; });
  }

  nb::class_<PyField>(m, "Field", "A named, nullable-or-not Arrow type.")
      .def_prop_ro("name", [](const PyField& f) { return text_of(f.field->name()); })
      .def_prop_ro("type", [](const PyField& f) { return PyDataType{f.field->type()}; })
      .def_prop_ro("nullable", [](const PyField& f) { return f.field->nullable(); })
      .def("__str__", [](const PyField& f) { return shown(f.field->to_string()); })
      .def("__repr__", [](const PyField& f) { return shown("Field(" + f.field->to_string() + ")"); });
  m.def(
      "field",
      [](const std::string& name, nb::handle type, bool nullable) {
        return PyField{field(name, type_arg(type), nullable)};
      },
      nb::arg("name"), nb::arg("type"), nb::arg("nullable") = true);
  m.def(
      "schema",
      [](nb::handle fields) {
        if (nb::isinstance<PySchema>(fields) || nb::hasattr(fields, "__arrow_c_schema__")) {
          return PySchema{schema_of(fields)};
        }
        FieldVector out;
        for (nb::handle f : fields) out.push_back(field_arg(f));
        return PySchema{arrowpack::schema(std::move(out))};
      },
      nb::arg("fields"),
      "A schema of fields (arrowpack.field or (name, type) pairs), or of a __arrow_c_schema__ producer.");

  nb::class_<PyArray>(m, "Array", "An Arrow array (immutable; a view of the memory it was made from or read from).")
      .def_prop_ro("type", [](const PyArray& a) { return PyDataType{a.array.type()}; })
      .def_prop_ro("null_count", [](const PyArray& a) { return a.array.null_count(); })
      .def("__len__", [](const PyArray& a) { return a.array.length(); })
      .def("to_pylist", [](const PyArray& a) { return to_pylist(a.array); })
      .def(
          "to_numpy",
          [](const PyArray& a) {
            if (a.array.null_count() != 0 || !a.array.type()->is_fixed_width() || a.array.type_id() == TypeId::kBool ||
                a.array.type()->bit_width() % 8 != 0) {
              raise_status(Status::Invalid("to_numpy() views numeric arrays without nulls; use to_pylist()"));
            }
            const std::int64_t w = a.array.type()->bit_width() / 8;
            auto data = check(a.array.buffer(1)->slice(a.array.offset() * w, a.array.length() * w));
            return array_from_tensor(check(Tensor::make(a.array.type(), data, {a.array.length()})));
          },
          "A read-only numpy view of a numeric array without nulls (no copy).")
      .def("equals", [](const PyArray& a, const PyArray& b) { return a.array.equals(b.array); })
      .def("__repr__",
           [](const PyArray& a) {
             return shown("arrowpack.Array<" + a.array.type()->to_string() + ">(" + std::to_string(a.array.length()) +
                          ")");
           })
      .def("__arrow_c_schema__",
           [](const PyArray& a) { return schema_capsule(*arrowpack::schema({field("", a.array.type())})); })
      .def(
          "__arrow_c_array__",
          [](const PyArray& a, nb::handle) {
            ArrowSchema* s = nullptr;
            ArrowArray* out = nullptr;
            nb::object sc = make_capsule<ArrowSchema>(
                "arrow_schema", [](PyObject* c) { release_capsule<ArrowSchema>(c, "arrow_schema"); }, &s);
            nb::object ac = make_capsule<ArrowArray>(
                "arrow_array", [](PyObject* c) { release_capsule<ArrowArray>(c, "arrow_array"); }, &out);
            check(c::export_array(a.array, out, s));
            return nb::make_tuple(sc, ac);
          },
          nb::arg("requested_schema").none() = nb::none());
  m.def("array", &make_array, nb::arg("obj"), nb::arg("type").none() = nb::none(),
        "An Array of a numpy array (viewed, no copy, when its dtype is the type), a sequence of Python values "
        "(bool, int, float, str, bytes, None), or any __arrow_c_array__ producer.");

  nb::class_<PySchema>(m, "Schema", "An Arrow schema (from a reader, or any __arrow_c_schema__ producer).")
      .def_prop_ro("names", [](const PySchema& s) { return field_names(*s.schema); })
      .def("__len__", [](const PySchema& s) { return s.schema->num_fields(); })
      .def("equals", [](const PySchema& a, nb::handle b) { return a.schema->equals(*schema_of(b)); })
      .def("__eq__", [](const PySchema& a, nb::handle b) { return a.schema->equals(*schema_of(b)); })
      .def("__str__", [](const PySchema& s) { return shown(s.schema->to_string()); })
      .def("__repr__", [](const PySchema& s) { return shown("arrowpack.Schema\n" + s.schema->to_string()); })
      .def("__arrow_c_schema__", [](const PySchema& s) { return schema_capsule(*s.schema); });
  m.def("_schema", [](nb::handle obj) { return PySchema{schema_of(obj)}; });

  nb::class_<PyBatch>(m, "RecordBatch", "An Arrow record batch (a view of the memory it was read from).")
      .def_prop_ro("num_rows", [](const PyBatch& b) { return b.batch->num_rows(); })
      .def_prop_ro("num_columns", [](const PyBatch& b) { return b.batch->num_columns(); })
      .def_prop_ro("schema", [](const PyBatch& b) { return PySchema{b.batch->schema()}; })
      .def("__len__", [](const PyBatch& b) { return b.batch->num_rows(); })
      .def(
          "column",
          [](const PyBatch& b, int i) {
            if (i < 0 || i >= b.batch->num_columns()) raise_status(Status::IndexError("column ", i, " out of range"));
            return PyArray{b.batch->column(i)};
          },
          nb::arg("i"))
      .def("to_pydict",
           [](const PyBatch& b) {
             nb::dict out;
             for (int i = 0; i < b.batch->num_columns(); ++i) {
               out[text_of(b.batch->schema()->field(i)->name())] = to_pylist(b.batch->column(i));
             }
             return out;
           })
      .def("equals", [](const PyBatch& a, nb::handle b) { return a.batch->equals(*batch_of(b)); })
      .def("__repr__",
           [](const PyBatch& b) {
             return shown("arrowpack.RecordBatch(" + std::to_string(b.batch->num_rows()) + " rows)\n" +
                          b.batch->schema()->to_string());
           })
      .def("__arrow_c_schema__", [](const PyBatch& b) { return schema_capsule(*b.batch->schema()); })
      .def(
          "__arrow_c_array__", [](const PyBatch& b, nb::handle) { return batch_capsules(*b.batch); },
          nb::arg("requested_schema").none() = nb::none());
  m.def("_record_batch", [](nb::handle obj) { return PyBatch{batch_of(obj)}; });

  nb::class_<PyTable>(m, "Table", "An Arrow table: a schema and record batches.")
      .def_prop_ro("num_rows", [](const PyTable& t) { return t.table->num_rows(); })
      .def_prop_ro("num_columns", [](const PyTable& t) { return t.table->schema()->num_fields(); })
      .def_prop_ro("schema", [](const PyTable& t) { return PySchema{t.table->schema()}; })
      .def("__len__", [](const PyTable& t) { return t.table->num_rows(); })
      .def("to_batches",
           [](const PyTable& t) {
             std::vector<PyBatch> out;
             for (const auto& b : t.table->batches()) out.push_back(PyBatch{b});
             return out;
           })
      .def("equals", [](const PyTable& a, nb::handle b) { return a.table->equals(*table_of(b)); })
      .def("__repr__",
           [](const PyTable& t) {
             return shown("arrowpack.Table(" + std::to_string(t.table->num_rows()) + " rows)\n" +
                          t.table->schema()->to_string());
           })
      .def("__arrow_c_schema__", [](const PyTable& t) { return schema_capsule(*t.table->schema()); })
      .def(
          "__arrow_c_stream__",
          [](const PyTable& t, nb::handle) {
            ArrowArrayStream* s = nullptr;
            nb::object capsule = make_capsule<ArrowArrayStream>(
                "arrow_array_stream", [](PyObject* c) { release_capsule<ArrowArrayStream>(c, "arrow_array_stream"); },
                &s);
            check(c::export_table(t.table, s));
            return capsule;
          },
          nb::arg("requested_schema").none() = nb::none());
  m.def("_table", [](nb::handle obj) { return PyTable{table_of(obj)}; });
  m.def(
      "record_batch",
      [](nb::handle data, nb::handle names, nb::handle schema) {
        if (nb::hasattr(data, "__arrow_c_array__") && names.is_none() && schema.is_none()) {
          return PyBatch{batch_of(data)};
        }
        std::vector<Array> columns;
        for (nb::handle a : data) columns.push_back(make_array(a, nb::none()).array);
        SchemaPtr s;
        if (!schema.is_none()) {
          s = schema_of(schema);
        } else {
          if (names.is_none()) raise_status(Status::Invalid("record_batch() needs names= or schema="));
          FieldVector fields;
          std::size_t i = 0;
          for (nb::handle n : names) {
            if (i >= columns.size()) raise_status(Status::Invalid("more names than arrays"));
            fields.push_back(field(nb::cast<std::string>(n), columns[i++].type()));
          }
          if (i != columns.size()) raise_status(Status::Invalid("fewer names than arrays"));
          s = arrowpack::schema(std::move(fields));
        }
        return PyBatch{check(RecordBatch::make(std::move(s), std::move(columns)))};
      },
      nb::arg("data"), nb::arg("names").none() = nb::none(), nb::arg("schema").none() = nb::none(),
      "A record batch of arrays (arrowpack.array() inputs) with names= or schema=, or of a __arrow_c_array__ "
      "producer.");
}

}  // namespace arrowpack::python

// Sparse tensors in Python: arrowpack.SparseTensor over a C++ SparseTensor (shared, never
// copied), made from numpy arrays (it views them) and read back as numpy arrays (views of
// its memory), and the conversions to and from pyarrow's four sparse classes.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <limits>
#include <string>
#include <vector>

#include "arrowpack/core/sparse_tensor.h"
#include "common.h"

namespace arrowpack::python {

namespace {

struct SparseHandle {
  SparseTensorPtr tensor;
};

PyObject* sparse_class = nullptr;  // arrowpack.SparseTensor

// A numpy array (or anything numpy.asarray takes) as a Tensor over its memory, C-contiguous
// (copied to C order only when it is not).
TensorPtr tensor_of(nb::handle array, const char* what) {
  nb::object contiguous = nb::module_::import_("numpy").attr("ascontiguousarray")(array);
  TensorPtr t = check(tensor_from_array(contiguous));
  if (!t) {
    raise_status(Status::TypeError(what, " must be a numeric array, not of dtype ",
                                   nb::cast<std::string>(contiguous.attr("dtype").attr("str"))));
  }
  return t;
}

// The values of a sparse tensor: a 1-d array, or (non_zero_length, 1) as pyarrow's
// to_numpy() gives them.
TensorPtr values_of(nb::handle data) {
  TensorPtr t = tensor_of(data, "the values");
  if (t->ndim() == 2 && t->shape()[1] == 1) return t;
  if (t->ndim() != 1) raise_status(Status::Invalid("the values must be 1-d or of shape (n, 1), not ", t->ndim(), "-d"));
  return t;
}

std::vector<std::int64_t> shape_of(nb::handle shape) {
  std::vector<std::int64_t> out;
  for (nb::handle d : shape) out.push_back(nb::cast<std::int64_t>(d));
  return out;
}

std::vector<std::string> names_of(nb::handle names) {
  std::vector<std::string> out;
  if (names.is_none()) return out;
  for (nb::handle n : names) out.push_back(nb::cast<std::string>(n));
  return out;
}

// Whether COO coordinates (rows of `coords`) are in row-major order without repeats: the
// canonical flag Arrow C++ computes for an index made from coordinates.
bool coords_canonical(const Tensor& coords) {
  const std::int64_t n = coords.shape()[0], ndim = coords.shape()[1];
  for (std::int64_t i = 1; i < n; ++i) {
    int order = 0;
    for (std::int64_t d = 0; d < ndim && order == 0; ++d) {
      const std::int64_t a = index_at(coords, i - 1, d), b = index_at(coords, i, d);
      order = a < b ? -1 : (a > b ? 1 : 0);
    }
    if (order >= 0) return false;
  }
  return true;
}

SparseTensorPtr make_coo(nb::handle data, nb::handle coords, nb::handle shape, nb::handle dim_names) {
  TensorPtr values = values_of(data);
  TensorPtr index = tensor_of(coords, "the coordinates");
  if (index->ndim() != 2) raise_status(Status::Invalid("the coordinates must be 2-d (non-zeros, dimensions)"));
  const bool canonical = coords_canonical(*index);
  return check(SparseTensor::make_coo(values->type(), values->data(), shape_of(shape), std::move(index), canonical,
                                      names_of(dim_names)));
}

SparseTensorPtr make_csx(SparseFormat format, nb::handle data, nb::handle indptr, nb::handle indices, nb::handle shape,
                         nb::handle dim_names) {
  TensorPtr values = values_of(data);
  return check(SparseTensor::make_csx(format, values->type(), values->data(), shape_of(shape),
                                      tensor_of(indptr, "indptr"), tensor_of(indices, "indices"), names_of(dim_names)));
}

SparseTensorPtr make_csf(nb::handle data, nb::handle indptr, nb::handle indices, nb::handle shape,
                         nb::handle axis_order, nb::handle dim_names) {
  TensorPtr values = values_of(data);
  std::vector<TensorPtr> ptrs, idx;
  for (nb::handle p : indptr) ptrs.push_back(tensor_of(p, "indptr"));
  for (nb::handle i : indices) idx.push_back(tensor_of(i, "indices"));
  std::vector<std::int64_t> shp = shape_of(shape), order;
  if (axis_order.is_none()) {
    for (std::size_t i = 0; i < shp.size(); ++i) order.push_back(static_cast<std::int64_t>(i));
  } else {
    order = shape_of(axis_order);
  }
  return check(SparseTensor::make_csf(values->type(), values->data(), std::move(shp), std::move(ptrs), std::move(idx),
                                      std::move(order), names_of(dim_names)));
}

const SparseTensor& of(const SparseHandle& h) { return *h.tensor; }

// The values as a (non_zero_length, 1) array, as pyarrow's to_numpy() gives them.
nb::object values_array(const SparseTensor& s) {
  const std::int64_t width = s.type()->byte_width();
  auto t =
      check(Tensor::make(s.type(), check(s.data()->slice(0, s.non_zero_length() * width)), {s.non_zero_length(), 1}));
  return array_from_tensor(t);
}

nb::tuple to_numpy(const SparseHandle& h) {
  const SparseTensor& s = of(h);
  switch (s.format()) {
    case SparseFormat::kCoo: return nb::make_tuple(values_array(s), array_from_tensor(s.indices()));
    case SparseFormat::kCsr:
    case SparseFormat::kCsc:
      return nb::make_tuple(values_array(s), array_from_tensor(s.indptr()), array_from_tensor(s.indices()));
    case SparseFormat::kCsf: {
      nb::list ptrs, idx;
      for (const auto& p : s.csf_indptr()) ptrs.append(array_from_tensor(p));
      for (const auto& i : s.csf_indices()) idx.append(array_from_tensor(i));
      return nb::make_tuple(values_array(s), ptrs, idx);
    }
  }
  raise_status(Status::Invalid("unknown sparse format"));
}

nb::tuple shape_tuple(const std::vector<std::int64_t>& shape) {
  nb::list out;
  for (std::int64_t d : shape) out.append(d);
  return nb::tuple(out);
}

// pyarrow's sparse classes, once pyarrow is imported: [coo, csr, csc, csf].
struct PyarrowSparse {
  PyObject* cls[4] = {};
  bool found = false;
};
PyarrowSparse& pyarrow_sparse() {
  static PyarrowSparse p;
  if (!p.found) {
    PyObject* pa = imported_pyarrow();
    if (pa == nullptr) return p;
    nb::object module = nb::steal(pa);
    const char* names[4] = {"SparseCOOTensor", "SparseCSRMatrix", "SparseCSCMatrix", "SparseCSFTensor"};
    for (int i = 0; i < 4; ++i) p.cls[i] = type_attribute(pa, names[i]);
    p.found = true;
  }
  return p;
}

// The names of the dimensions, which come from the input: UnicodeDecodeError for bytes that
// are not UTF-8.
nb::list dim_names_of(const SparseTensor& s) {
  nb::list names;
  for (const std::string& name : s.dim_names()) names.append(text_of(name));
  return names;
}

}  // namespace

nb::object wrap_sparse_tensor(SparseTensorPtr tensor) { return nb::cast(SparseHandle{std::move(tensor)}); }

Result<SparseTensorPtr> sparse_tensor_from_object(nb::handle obj) {
  if (Py_TYPE(obj.ptr()) == reinterpret_cast<PyTypeObject*>(sparse_class)) {
    return nb::inst_ptr<SparseHandle>(obj)->tensor;
  }
  PyarrowSparse& pa = pyarrow_sparse();
  if (!pa.found) return SparseTensorPtr();
  int kind = -1;
  for (int i = 0; i < 4; ++i) {
    if (pa.cls[i] != nullptr && PyObject_TypeCheck(obj.ptr(), reinterpret_cast<PyTypeObject*>(pa.cls[i]))) kind = i;
  }
  if (kind < 0) return SparseTensorPtr();
  // pyarrow's objects give their parts as numpy views; the C++ tensor views those.
  nb::object parts = obj.attr("to_numpy")();
  nb::object shape = obj.attr("shape"), names = obj.attr("dim_names");
  if (nb::len(names) == 0) names = nb::none();
  switch (kind) {
    case 0: return make_coo(parts[0], parts[1], shape, names);
    case 1: return make_csx(SparseFormat::kCsr, parts[0], parts[1], parts[2], shape, names);
    case 2: return make_csx(SparseFormat::kCsc, parts[0], parts[1], parts[2], shape, names);
    default: {
      // pyarrow's CSF objects do not say their axis order: the identity is what it writes
      // for tensors it made from numpy or from dense data.
      return make_csf(parts[0], parts[1], parts[2], shape, nb::none(), names);
    }
  }
}

nb::object sparse_tensor_to_python(SparseTensorPtr tensor) {
  PyarrowSparse& pa = pyarrow_sparse();
  if (!pa.found) return wrap_sparse_tensor(std::move(tensor));
  // pyarrow 11 gives its own classes back: made from numpy views of this tensor's memory.
  const SparseTensor& s = *tensor;
  SparseHandle h{tensor};
  nb::tuple parts = to_numpy(h);
  nb::object shape = shape_tuple(s.shape());
  nb::object names = nb::none();
  if (!s.dim_names().empty()) names = dim_names_of(s);
  const int kind = static_cast<int>(s.format());
  nb::handle cls = nb::handle(pa.cls[kind]);
  if (!cls.is_valid()) return wrap_sparse_tensor(std::move(tensor));
  switch (s.format()) {
    case SparseFormat::kCoo: return cls.attr("from_numpy")(parts[0], parts[1], shape, names);
    case SparseFormat::kCsr:
    case SparseFormat::kCsc: return cls.attr("from_numpy")(parts[0], parts[1], parts[2], shape, names);
    case SparseFormat::kCsf: {
      nb::list order;
      for (std::int64_t a : s.axis_order()) order.append(a);
      return cls.attr("from_numpy")(parts[0], parts[1], parts[2], shape, order, names);
    }
  }
  raise_status(Status::Invalid("unknown sparse format"));
}

void bind_sparse(nb::module_& m) {
  nb::class_<SparseHandle> cls(m, "SparseTensor",
                               "A sparse tensor (COO, CSR, CSC or CSF) over memory it shares, never copies: "
                               "made from numpy arrays (it views them), read from blobs (it views the blob).");
  cls.def_prop_ro("format",
                  [](const SparseHandle& h) {
                    std::string name = sparse_format_name(of(h).format());
                    for (char& ch : name) ch = static_cast<char>(ch - 'A' + 'a');
                    return name;
                  })
      .def_prop_ro("shape", [](const SparseHandle& h) { return shape_tuple(of(h).shape()); })
      .def_prop_ro("ndim", [](const SparseHandle& h) { return of(h).ndim(); })
      .def_prop_ro("size", [](const SparseHandle& h) { return of(h).size(); })
      .def_prop_ro("non_zero_length", [](const SparseHandle& h) { return of(h).non_zero_length(); })
      .def_prop_ro("dim_names", [](const SparseHandle& h) { return dim_names_of(of(h)); })
      .def_prop_ro("is_canonical", [](const SparseHandle& h) { return of(h).is_canonical(); })
      .def_prop_ro("axis_order", [](const SparseHandle& h) { return of(h).axis_order(); })
      .def_prop_ro("type", [](const SparseHandle& h) { return of(h).type()->to_string(); })
      .def("to_numpy", &to_numpy,
           "The parts as read-only numpy views: (values of shape (n, 1), coordinates) for COO; (values, "
           "indptr, indices) for CSR and CSC; (values, [indptr per level], [indices per level]) for CSF.")
      .def(
          "to_dense",
          [](const SparseHandle& h) {
            return array_from_tensor(check(of(h).to_dense(std::numeric_limits<std::int64_t>::max())));
          },
          "The dense tensor as a new numpy array (row-major, zeros where nothing is stored).")
      .def("equals", [](const SparseHandle& a, const SparseHandle& b) { return of(a).equals(of(b)); })
      .def("__eq__",
           [](const SparseHandle& a, nb::handle b) -> nb::object {
             if (Py_TYPE(b.ptr()) != reinterpret_cast<PyTypeObject*>(sparse_class)) {
               return nb::borrow(Py_NotImplemented);
             }
             return nb::bool_(of(a).equals(*nb::inst_ptr<SparseHandle>(b)->tensor));
           })
      .def("__repr__", [](const SparseHandle& h) { return shown("<" + of(h).to_string() + ">"); })
      .def_static(
          "from_coo",
          [](nb::handle data, nb::handle coords, nb::handle shape, nb::handle dim_names) {
            return wrap_sparse_tensor(make_coo(data, coords, shape, dim_names));
          },
          nb::arg("data"), nb::arg("coords"), nb::arg("shape"), nb::arg("dim_names").none() = nb::none(),
          "COO from numpy arrays: the values (n or (n, 1)) and the coordinates (n, ndim). Views them.")
      .def_static(
          "from_csr",
          [](nb::handle data, nb::handle indptr, nb::handle indices, nb::handle shape, nb::handle dim_names) {
            return wrap_sparse_tensor(make_csx(SparseFormat::kCsr, data, indptr, indices, shape, dim_names));
          },
          nb::arg("data"), nb::arg("indptr"), nb::arg("indices"), nb::arg("shape"),
          nb::arg("dim_names").none() = nb::none(), "A CSR matrix from numpy arrays (viewed, not copied).")
      .def_static(
          "from_csc",
          [](nb::handle data, nb::handle indptr, nb::handle indices, nb::handle shape, nb::handle dim_names) {
            return wrap_sparse_tensor(make_csx(SparseFormat::kCsc, data, indptr, indices, shape, dim_names));
          },
          nb::arg("data"), nb::arg("indptr"), nb::arg("indices"), nb::arg("shape"),
          nb::arg("dim_names").none() = nb::none(), "A CSC matrix from numpy arrays (viewed, not copied).")
      .def_static(
          "from_csf",
          [](nb::handle data, nb::handle indptr, nb::handle indices, nb::handle shape, nb::handle axis_order,
             nb::handle dim_names) {
            return wrap_sparse_tensor(make_csf(data, indptr, indices, shape, axis_order, dim_names));
          },
          nb::arg("data"), nb::arg("indptr"), nb::arg("indices"), nb::arg("shape"),
          nb::arg("axis_order").none() = nb::none(), nb::arg("dim_names").none() = nb::none(),
          "A CSF tensor from numpy arrays (viewed, not copied): indptr and indices per level.")
      .def_static(
          "from_dense",
          [](nb::handle array) {
            TensorPtr t = tensor_of(array, "the dense array");
            return wrap_sparse_tensor(check(SparseTensor::coo_from_dense(*t)));
          },
          nb::arg("array"), "The COO form of a dense numpy array (its non-zeros, row-major; new memory).");
  cls.attr("__hash__") = nb::none();
  sparse_class = cls.ptr();
}

}  // namespace arrowpack::python

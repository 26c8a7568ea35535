#include "arrowpack/core/sparse_tensor.h"

#include <cstring>

#include "array_internal.h"
#include "arrowpack/core/util.h"

namespace arrowpack {
namespace {

// An index element as int64; -1 for a uint64 beyond int64 (it fits no dimension).
std::int64_t load_index(const DataType& type, const std::uint8_t* p) { return internal::load_integer(type, p); }

std::int64_t at(const Tensor& t, std::int64_t i) { return index_at(t, i); }
std::int64_t at(const Tensor& t, std::int64_t row, std::int64_t col) { return index_at(t, row, col); }

Status check_index_tensor(const TensorPtr& t, int ndim, const char* what) {
  if (!t) return Status::Invalid("sparse tensor without its ", what);
  // Arrow C++ refuses uint64 as an index type: so does arrowpack, so that what it writes is
  // what pyarrow reads.
  if (!t->type()->is_integer() || t->type()->id() == TypeId::kUInt64) {
    return Status::TypeError("sparse tensor ", what, " must be integers of up to 64 bits (not uint64), not ",
                             t->type()->to_string());
  }
  if (t->ndim() != ndim) return Status::Invalid("sparse tensor ", what, " has ", t->ndim(), " dimensions, not ", ndim);
  return Status::OK();
}

// Index pointers of `what`: length `expected_length`, start at 0, never decrease, end at
// `end` (the length of what they point into).
Status check_indptr(const Tensor& indptr, std::int64_t expected_length, std::int64_t end, const std::string& what) {
  const std::int64_t n = indptr.shape()[0];
  if (n != expected_length) return Status::Invalid(what, " has ", n, " entries, expected ", expected_length);
  std::int64_t last = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t v = at(indptr, i);
    if ((i == 0 && v != 0) || v < last) {
      return Status::Invalid(what, "[", i, "] = ", v, (i == 0 ? " does not start at 0" : " decreases"));
    }
    last = v;
  }
  if (last != end) return Status::Invalid(what, " ends at ", last, ", not at ", end);
  return Status::OK();
}

// Every entry of the 1-d `indices` lies in [0, extent).
Status check_coordinates(const Tensor& indices, std::int64_t extent, const std::string& what) {
  for (std::int64_t i = 0; i < indices.shape()[0]; ++i) {
    const std::int64_t v = at(indices, i);
    if (v < 0 || v >= extent) return Status::Invalid(what, "[", i, "] = ", v, " is outside [0, ", extent, ")");
  }
  return Status::OK();
}

// The row-major element strides (in elements) of `shape`.
std::vector<std::int64_t> element_strides(const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> out(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) out[i - 1] = out[i] * shape[i];
  return out;
}

bool is_zero(const DataType& type, const std::uint8_t* p) {
  return visit_type(type, [&](auto tag) {
    using Tag = decltype(tag);
    if constexpr (Tag::id == TypeId::kHalfFloat) {
      std::uint16_t bits;
      std::memcpy(&bits, p, 2);
      return (bits & 0x7fff) == 0;  // +0 and -0
    } else if constexpr (Tag::info.is(kFloatingCategory)) {
      typename Tag::c_type v;
      std::memcpy(&v, p, sizeof v);
      return v == 0;  // +0 and -0
    } else {
      for (std::int64_t i = 0; i < type.byte_width(); ++i) {
        if (p[i]) return false;
      }
      return true;
    }
  });
}

}  // namespace

std::int64_t index_at(const Tensor& t, std::int64_t i) {
  return load_index(*t.type(), t.data()->data() + i * t.strides()[0]);
}

std::int64_t index_at(const Tensor& t, std::int64_t row, std::int64_t col) {
  return load_index(*t.type(), t.data()->data() + row * t.strides()[0] + col * t.strides()[1]);
}

const char* sparse_format_name(SparseFormat format) {
  switch (format) {
    case SparseFormat::kCoo: return "COO";
    case SparseFormat::kCsr: return "CSR";
    case SparseFormat::kCsc: return "CSC";
    case SparseFormat::kCsf: return "CSF";
  }
  return "?";
}

Status SparseTensor::check_common() {
  if (!type_ || !is_tensor_type(*type_)) {
    return Status::TypeError("sparse tensor values must be integers or floats, not ",
                             type_ ? type_->to_string() : "no type");
  }
  if (!data_) return Status::Invalid("sparse tensor without a value buffer");
  if (shape_.size() > 64) return Status::CapacityError("sparse tensor of ", shape_.size(), " dimensions (limit 64)");
  size_ = 1;
  for (std::size_t i = 0; i < shape_.size(); ++i) {
    if (shape_[i] < 0) return Status::Invalid("sparse tensor dimension ", i, " has negative size ", shape_[i]);
    if (util::mul_overflows(size_, shape_[i], &size_)) {
      return Status::CapacityError("sparse tensor element count overflows");
    }
  }
  if (!dim_names_.empty()) {
    if (dim_names_.size() != shape_.size()) {
      return Status::Invalid("sparse tensor has ", dim_names_.size(), " dimension names for ", shape_.size(),
                             " dimensions");
    }
    bool any = false;
    for (const auto& n : dim_names_) any = any || !n.empty();
    if (!any) dim_names_.clear();
  }
  std::int64_t bytes = 0;
  if (non_zero_length_ < 0 || util::mul_overflows(non_zero_length_, type_->byte_width(), &bytes) ||
      bytes > data_->size()) {
    return Status::Invalid("sparse tensor value buffer holds ", data_->size(), " bytes, not ", non_zero_length_,
                           " values of ", type_->to_string());
  }
  return Status::OK();
}

Result<std::shared_ptr<SparseTensor>> SparseTensor::make_coo(DataTypePtr type, std::shared_ptr<Buffer> data,
                                                             std::vector<std::int64_t> shape, TensorPtr indices,
                                                             bool canonical, std::vector<std::string> dim_names) {
  std::shared_ptr<SparseTensor> t(new SparseTensor());
  t->format_ = SparseFormat::kCoo;
  t->type_ = std::move(type);
  t->data_ = std::move(data);
  t->shape_ = std::move(shape);
  t->dim_names_ = std::move(dim_names);
  t->canonical_ = canonical;
  ARROWPACK_RETURN_NOT_OK(check_index_tensor(indices, 2, "COO indices"));
  if (t->shape_.empty()) return Status::Invalid("COO sparse tensor without dimensions");
  if (indices->shape()[1] != static_cast<std::int64_t>(t->shape_.size())) {
    return Status::Invalid("COO indices have ", indices->shape()[1], " columns for ", t->shape_.size(), " dimensions");
  }
  t->non_zero_length_ = indices->shape()[0];
  t->indices_ = std::move(indices);
  ARROWPACK_RETURN_NOT_OK(t->check_common());
  const Tensor& idx = *t->indices_;
  const auto nd = static_cast<std::int64_t>(t->shape_.size());
  for (std::int64_t k = 0; k < t->non_zero_length_; ++k) {
    int order = k == 0 ? 1 : 0;  // of row k against row k - 1: -1 less, 0 equal, 1 greater
    for (std::int64_t d = 0; d < nd; ++d) {
      const std::int64_t v = at(idx, k, d);
      if (v < 0 || v >= t->shape_[d]) {
        return Status::Invalid("COO index (", k, ", ", d, ") = ", v, " is outside [0, ", t->shape_[d], ")");
      }
      if (order == 0) {
        const std::int64_t prev = at(idx, k - 1, d);
        order = v < prev ? -1 : (v > prev ? 1 : 0);
      }
    }
    if (canonical && order != 1) {
      return Status::Invalid("COO indices said to be canonical, but row ", k,
                             order == 0 ? " repeats the one before" : " comes before the one before");
    }
  }
  return t;
}

Result<std::shared_ptr<SparseTensor>> SparseTensor::make_csx(SparseFormat format, DataTypePtr type,
                                                             std::shared_ptr<Buffer> data,
                                                             std::vector<std::int64_t> shape, TensorPtr indptr,
                                                             TensorPtr indices, std::vector<std::string> dim_names) {
  if (format != SparseFormat::kCsr && format != SparseFormat::kCsc) {
    return Status::Invalid("make_csx makes CSR or CSC, not ", sparse_format_name(format));
  }
  std::shared_ptr<SparseTensor> t(new SparseTensor());
  t->format_ = format;
  t->type_ = std::move(type);
  t->data_ = std::move(data);
  t->shape_ = std::move(shape);
  t->dim_names_ = std::move(dim_names);
  const char* name = sparse_format_name(format);
  if (t->shape_.size() != 2) return Status::Invalid(name, " sparse matrix of ", t->shape_.size(), " dimensions, not 2");
  ARROWPACK_RETURN_NOT_OK(check_index_tensor(indptr, 1, "index pointers"));
  ARROWPACK_RETURN_NOT_OK(check_index_tensor(indices, 1, "indices"));
  t->non_zero_length_ = indices->shape()[0];
  ARROWPACK_RETURN_NOT_OK(t->check_common());
  const bool rows = format == SparseFormat::kCsr;
  const std::int64_t compressed = t->shape_[rows ? 0 : 1];
  const std::int64_t other = t->shape_[rows ? 1 : 0];
  if (compressed == INT64_MAX) return Status::CapacityError(name, " matrix too large");
  ARROWPACK_RETURN_NOT_OK(
      check_indptr(*indptr, compressed + 1, t->non_zero_length_, std::string(name) + " index pointers"));
  ARROWPACK_RETURN_NOT_OK(
      check_coordinates(*indices, other, std::string(name) + (rows ? " column" : " row") + " indices"));
  t->indptr_ = std::move(indptr);
  t->indices_ = std::move(indices);
  return t;
}

Result<std::shared_ptr<SparseTensor>> SparseTensor::make_csf(
    DataTypePtr type, std::shared_ptr<Buffer> data, std::vector<std::int64_t> shape, std::vector<TensorPtr> indptr,
    std::vector<TensorPtr> indices, std::vector<std::int64_t> axis_order, std::vector<std::string> dim_names) {
  std::shared_ptr<SparseTensor> t(new SparseTensor());
  t->format_ = SparseFormat::kCsf;
  t->type_ = std::move(type);
  t->data_ = std::move(data);
  t->shape_ = std::move(shape);
  t->dim_names_ = std::move(dim_names);
  const auto nd = static_cast<std::int64_t>(t->shape_.size());
  if (nd == 0) return Status::Invalid("CSF sparse tensor without dimensions");
  if (static_cast<std::int64_t>(indices.size()) != nd || static_cast<std::int64_t>(indptr.size()) != nd - 1 ||
      static_cast<std::int64_t>(axis_order.size()) != nd) {
    return Status::Invalid("CSF sparse tensor of ", nd, " dimensions with ", indices.size(), " index levels, ",
                           indptr.size(), " index pointer levels and an axis order of ", axis_order.size(),
                           " (expected ", nd, ", ", nd - 1, ", ", nd, ")");
  }
  // One index type for all index pointers and one for all indices: the message has room for
  // no more.
  for (const auto& p : indptr) {
    ARROWPACK_RETURN_NOT_OK(check_index_tensor(p, 1, "CSF index pointers"));
    if (!p->type()->equals(*indptr.front()->type())) return Status::TypeError("CSF index pointers of mixed types");
  }
  for (const auto& c : indices) {
    ARROWPACK_RETURN_NOT_OK(check_index_tensor(c, 1, "CSF indices"));
    if (!c->type()->equals(*indices.front()->type())) return Status::TypeError("CSF indices of mixed types");
  }
  t->non_zero_length_ = indices.back()->shape()[0];
  ARROWPACK_RETURN_NOT_OK(t->check_common());
  std::vector<bool> seen(static_cast<std::size_t>(nd), false);
  for (std::int64_t i = 0; i < nd; ++i) {
    const std::int64_t a = axis_order[static_cast<std::size_t>(i)];
    if (a < 0 || a >= nd || seen[static_cast<std::size_t>(a)]) {
      return Status::Invalid("CSF axis order is not a permutation of the ", nd, " dimensions (entry ", i, " = ", a,
                             ")");
    }
    seen[static_cast<std::size_t>(a)] = true;
  }
  for (std::int64_t i = 0; i < nd; ++i) {
    const auto level = static_cast<std::size_t>(i);
    ARROWPACK_RETURN_NOT_OK(check_coordinates(*indices[level], t->shape_[static_cast<std::size_t>(axis_order[level])],
                                              "CSF indices of level " + std::to_string(i)));
    if (i + 1 < nd) {
      const std::int64_t n = indices[level]->shape()[0];
      if (n == INT64_MAX) return Status::CapacityError("CSF level too large");
      ARROWPACK_RETURN_NOT_OK(check_indptr(*indptr[level], n + 1, indices[level + 1]->shape()[0],
                                           "CSF index pointers of level " + std::to_string(i)));
    }
  }
  t->csf_indptr_ = std::move(indptr);
  t->csf_indices_ = std::move(indices);
  t->axis_order_ = std::move(axis_order);
  return t;
}

Result<std::shared_ptr<SparseTensor>> SparseTensor::coo_from_dense(const Tensor& dense, MemoryPool* pool) {
  if (dense.ndim() == 0) return Status::Invalid("a 0-d tensor has no COO form");
  ARROWPACK_ASSIGN_OR_RAISE(auto row_major, dense.to_row_major(pool));
  const std::int64_t w = dense.element_size();
  const std::uint8_t* src = row_major->data()->data();
  std::int64_t nnz = 0;
  for (std::int64_t i = 0; i < dense.size(); ++i) nnz += is_zero(*dense.type(), src + i * w) ? 0 : 1;
  const std::int64_t nd = dense.ndim();
  ARROWPACK_ASSIGN_OR_RAISE(auto values, allocate_buffer(nnz * w, pool));
  ARROWPACK_ASSIGN_OR_RAISE(auto coords, allocate_buffer(nnz * nd * 8, pool));
  const std::vector<std::int64_t>& shape = dense.shape();
  const auto strides = element_strides(shape);
  std::int64_t k = 0;
  for (std::int64_t i = 0; i < dense.size(); ++i) {
    if (is_zero(*dense.type(), src + i * w)) continue;
    std::memcpy(values->mutable_data() + k * w, src + i * w, static_cast<std::size_t>(w));
    std::int64_t rest = i;
    for (std::int64_t d = 0; d < nd; ++d) {
      const std::int64_t c = rest / strides[static_cast<std::size_t>(d)];
      rest -= c * strides[static_cast<std::size_t>(d)];
      std::memcpy(coords->mutable_data() + (k * nd + d) * 8, &c, 8);
    }
    ++k;
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto indices, Tensor::make(int64(), std::shared_ptr<Buffer>(std::move(coords)), {nnz, nd}));
  return make_coo(dense.type(), std::shared_ptr<Buffer>(std::move(values)), shape, std::move(indices), true,
                  dense.dim_names());
}

const std::string& SparseTensor::dim_name(int i) const {
  static const std::string kEmpty;
  return dim_names_.empty() ? kEmpty : dim_names_[static_cast<std::size_t>(i)];
}

Result<TensorPtr> SparseTensor::to_dense(std::int64_t max_bytes, MemoryPool* pool) const {
  const std::int64_t w = type_->byte_width();
  std::int64_t bytes = 0;
  if (util::mul_overflows(size_, w, &bytes) || bytes > max_bytes) {
    return Status::CapacityError("the dense form of ", to_string(), " takes more than ", max_bytes, " bytes");
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_buffer(bytes, pool));
  std::memset(out->mutable_data(), 0, static_cast<std::size_t>(bytes));
  const auto strides = element_strides(shape_);
  const std::uint8_t* values = data_->data();
  auto put = [&](std::int64_t value, std::int64_t element) {
    std::memcpy(out->mutable_data() + element * w, values + value * w, static_cast<std::size_t>(w));
  };
  switch (format_) {
    case SparseFormat::kCoo:
      for (std::int64_t k = 0; k < non_zero_length_; ++k) {
        std::int64_t e = 0;
        for (int d = 0; d < ndim(); ++d) e += at(*indices_, k, d) * strides[static_cast<std::size_t>(d)];
        put(k, e);
      }
      break;
    case SparseFormat::kCsr:
    case SparseFormat::kCsc: {
      const bool rows = format_ == SparseFormat::kCsr;
      for (std::int64_t i = 0; i + 1 < indptr_->shape()[0]; ++i) {
        for (std::int64_t k = at(*indptr_, i); k < at(*indptr_, i + 1); ++k) {
          const std::int64_t j = at(*indices_, k);
          put(k, rows ? i * shape_[1] + j : j * shape_[1] + i);
        }
      }
      break;
    }
    case SparseFormat::kCsf: {
      // Depth-first over the fibers: level i at position p holds coordinate indices[i][p]
      // of dimension axis_order[i]; its children are indptr[i][p] .. indptr[i][p + 1].
      const int nd = ndim();
      std::vector<std::int64_t> offset(static_cast<std::size_t>(nd) + 1, 0);
      auto visit = [&](auto&& self, int level, std::int64_t begin, std::int64_t end) -> void {
        const auto l = static_cast<std::size_t>(level);
        for (std::int64_t p = begin; p < end; ++p) {
          offset[l + 1] = offset[l] + at(*csf_indices_[l], p) * strides[static_cast<std::size_t>(axis_order_[l])];
          if (level + 1 == nd) {
            put(p, offset[l + 1]);
          } else {
            self(self, level + 1, at(*csf_indptr_[l], p), at(*csf_indptr_[l], p + 1));
          }
        }
      };
      visit(visit, 0, 0, csf_indices_[0]->shape()[0]);
      break;
    }
  }
  return Tensor::make(type_, std::shared_ptr<Buffer>(std::move(out)), shape_, {}, dim_names_);
}

bool SparseTensor::equals(const SparseTensor& other, bool check_names) const {
  if (format_ != other.format_ || !type_->equals(*other.type_) || shape_ != other.shape_ ||
      non_zero_length_ != other.non_zero_length_ || canonical_ != other.canonical_) {
    return false;
  }
  if (check_names && dim_names_ != other.dim_names_) return false;
  const auto n = static_cast<std::size_t>(non_zero_length_ * type_->byte_width());
  if (n && std::memcmp(data_->data(), other.data_->data(), n) != 0) return false;
  auto same = [](const TensorPtr& a, const TensorPtr& b) { return (!a && !b) || (a && b && a->equals(*b)); };
  if (!same(indices_, other.indices_) || !same(indptr_, other.indptr_) || axis_order_ != other.axis_order_ ||
      csf_indices_.size() != other.csf_indices_.size() || csf_indptr_.size() != other.csf_indptr_.size()) {
    return false;
  }
  for (std::size_t i = 0; i < csf_indices_.size(); ++i) {
    if (!same(csf_indices_[i], other.csf_indices_[i])) return false;
  }
  for (std::size_t i = 0; i < csf_indptr_.size(); ++i) {
    if (!same(csf_indptr_[i], other.csf_indptr_[i])) return false;
  }
  return true;
}

std::string SparseTensor::to_string() const {
  std::string out =
      std::string("arrowpack.SparseTensor<") + sparse_format_name(format_) + " " + type_->to_string() + ">(shape=[";
  for (std::size_t i = 0; i < shape_.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape_[i]);
  }
  return out + "], non_zero_length=" + std::to_string(non_zero_length_) + ")";
}

}  // namespace arrowpack

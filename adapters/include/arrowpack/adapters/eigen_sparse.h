// Eigen::SparseMatrix as arrowpack sparse tensors: a row-major matrix is a CSR sparse tensor,
// a column-major one CSC, as pyarrow's SparseCSRMatrix / SparseCSCMatrix (codes 18, 19).
//
// Writing views the matrix's compressed arrays (keep it alive and unchanged until the object
// is written out); a matrix not in compressed form is copied compressed first. Reading:
// as_eigen_sparse_map<M>() maps a received CSR/CSC tensor without copying when its format
// is M's storage order and its index types are M's StorageIndex; as_eigen_sparse<M>() and
// deserialize<Eigen::SparseMatrix<...>>() copy from COO, CSR or CSC, any index type.
#pragma once

#include <Eigen/SparseCore>

#include <memory>
#include <vector>

#include "arrowpack/adapters/eigen.h"
#include "arrowpack/core/sparse_tensor.h"

namespace arrowpack {

/// A zero-copy Eigen view of a received sparse matrix and what keeps its memory alive. `map`
/// stays valid as long as this object (or a copy of keep_alive) exists.
template <typename M>
struct EigenSparseView {
  using MapType = Eigen::Map<const M>;
  MapType map;
  SparseTensorPtr keep_alive;
};

namespace detail {

// The compressed copy of a matrix that was not compressed, behind the buffers that view it.
template <typename M>
class SparseStorageBuffer : public Buffer {
 public:
  SparseStorageBuffer(std::shared_ptr<const M> owner, const void* data, std::int64_t bytes)
      : Buffer(static_cast<const std::uint8_t*>(data), bytes), owner_(std::move(owner)) {}

 private:
  std::shared_ptr<const M> owner_;
};

template <typename M>
std::shared_ptr<Buffer> sparse_view(const std::shared_ptr<const M>& owner, const void* data, std::int64_t bytes) {
  if (!owner) return Buffer::wrap(data, bytes);
  return std::make_shared<SparseStorageBuffer<M>>(owner, data, bytes);
}

template <typename I>
Result<TensorPtr> index_vector_of(std::shared_ptr<Buffer> data, std::int64_t n) {
  static_assert(std::is_integral_v<I> && std::is_signed_v<I>, "Eigen's StorageIndex is a signed integer");
  return Tensor::make(scalar_type<I>(), std::move(data), {n});
}

}  // namespace detail

/// The CSR (row-major `m`) or CSC (column-major) sparse tensor of `m`, with `m`'s
/// StorageIndex as index type. Views `m`'s arrays when it is compressed; otherwise a
/// compressed copy, which the tensor keeps alive. Errors: those of Tensor::make() for the
/// index arrays (CapacityError past 2^56 entries) and those of SparseTensor::make_csx().
template <typename S, int Options, typename I>
Result<SparseTensorPtr> sparse_tensor_of(const Eigen::SparseMatrix<S, Options, I>& m) {
  using M = Eigen::SparseMatrix<S, Options, I>;
  std::shared_ptr<const M> owner;
  const M* src = &m;
  if (!m.isCompressed()) {
    auto copy = std::make_shared<M>(m);
    copy->makeCompressed();
    owner = std::move(copy);
    src = owner.get();
  }
  const std::int64_t outer = src->outerSize(), nnz = src->nonZeros();
  const std::int64_t w = sizeof(I);
  ARROWPACK_ASSIGN_OR_RAISE(
      auto indptr,
      detail::index_vector_of<I>(detail::sparse_view(owner, src->outerIndexPtr(), (outer + 1) * w), outer + 1));
  ARROWPACK_ASSIGN_OR_RAISE(auto indices,
                            detail::index_vector_of<I>(detail::sparse_view(owner, src->innerIndexPtr(), nnz * w), nnz));
  auto values = detail::sparse_view(owner, src->valuePtr(), nnz * static_cast<std::int64_t>(sizeof(S)));
  return SparseTensor::make_csx(M::IsRowMajor ? SparseFormat::kCsr : SparseFormat::kCsc, detail::eigen_scalar_type<S>(),
                                std::move(values), {src->rows(), src->cols()}, std::move(indptr), std::move(indices));
}

/// An Eigen::Map over a received sparse matrix, without copying: TypeError unless it is CSR
/// for a row-major M (CSC for column-major), its values are M's Scalar and both of its index
/// types are M's StorageIndex; Invalid when its index arrays are strided or misaligned.
template <typename M>
Result<EigenSparseView<M>> as_eigen_sparse_map(const SparseTensorPtr& t) {
  using S = typename M::Scalar;
  using I = typename M::StorageIndex;
  if (!t) return Status::Invalid("no sparse tensor");
  const SparseFormat want = M::IsRowMajor ? SparseFormat::kCsr : SparseFormat::kCsc;
  if (t->format() != want) {
    return Status::TypeError("a ", sparse_format_name(t->format()), " sparse tensor cannot be viewed as a ",
                             M::IsRowMajor ? "row" : "column", "-major Eigen::SparseMatrix (", sparse_format_name(want),
                             "); as_eigen_sparse copies it");
  }
  const DataTypePtr index = detail::scalar_type<I>();
  if (!t->type()->equals(*detail::eigen_scalar_type<S>()) || !t->indptr()->type()->equals(*index) ||
      !t->indices()->type()->equals(*index)) {
    return Status::TypeError("sparse tensor of ", t->type()->to_string(), " with ", t->indptr()->type()->to_string(),
                             "/", t->indices()->type()->to_string(), " indices for an Eigen::SparseMatrix of ",
                             detail::eigen_scalar_type<S>()->to_string(), " with ", index->to_string(), " indices");
  }
  for (const Tensor* idx : {t->indptr().get(), t->indices().get()}) {
    if (!idx->is_contiguous()) return Status::Invalid("sparse tensor index is strided");
    if (reinterpret_cast<std::uintptr_t>(idx->data()->data()) % alignof(I) != 0) {
      return Status::Invalid("sparse tensor index is not aligned for its entries");
    }
  }
  if (reinterpret_cast<std::uintptr_t>(t->data()->data()) % alignof(S) != 0) {
    return Status::Invalid("sparse tensor values are not aligned for their type");
  }
  const auto* outer = reinterpret_cast<const I*>(t->indptr()->data()->data());
  const auto* inner = reinterpret_cast<const I*>(t->indices()->data()->data());
  const auto* values = reinterpret_cast<const S*>(t->data()->data());
  typename EigenSparseView<M>::MapType map(t->shape()[0], t->shape()[1], t->non_zero_length(), outer, inner, values);
  return EigenSparseView<M>{map, t};
}

/// A copy of a received COO, CSR or CSC matrix as M (any index types, either storage
/// order): entries sorted, a coordinate stored twice in a COO summed. TypeError when the
/// values are not M's Scalar or the tensor is CSF; Invalid when it is not 2-dimensional or
/// an index does not fit M's StorageIndex.
template <typename M>
Result<M> as_eigen_sparse(const SparseTensorPtr& t) {
  using S = typename M::Scalar;
  using I = typename M::StorageIndex;
  if (!t) return Status::Invalid("no sparse tensor");
  if (!t->type()->equals(*detail::eigen_scalar_type<S>())) {
    return Status::TypeError("sparse tensor of ", t->type()->to_string(), " for an Eigen::SparseMatrix of ",
                             detail::eigen_scalar_type<S>()->to_string());
  }
  if (t->format() == SparseFormat::kCsf) return Status::TypeError("a CSF sparse tensor is not an Eigen::SparseMatrix");
  if (t->ndim() != 2) return Status::Invalid("a ", t->ndim(), "-dimensional sparse tensor is not a matrix");
  const std::int64_t rows = t->shape()[0], cols = t->shape()[1];
  if (rows > std::numeric_limits<I>::max() || cols > std::numeric_limits<I>::max() ||
      t->non_zero_length() > std::numeric_limits<I>::max()) {
    return Status::Invalid("a ", rows, "x", cols, " sparse matrix of ", t->non_zero_length(),
                           " values does not fit Eigen's StorageIndex");
  }
  std::vector<Eigen::Triplet<S, I>> entries;
  entries.reserve(static_cast<std::size_t>(t->non_zero_length()));
  const auto* values = t->data()->data();
  auto value = [&](std::int64_t k) {
    S v;
    std::memcpy(&v, values + k * static_cast<std::int64_t>(sizeof(S)), sizeof(S));
    return v;
  };
  auto add = [&](std::int64_t r, std::int64_t c, std::int64_t k) {
    entries.emplace_back(static_cast<I>(r), static_cast<I>(c), value(k));
  };
  if (t->format() == SparseFormat::kCoo) {
    for (std::int64_t k = 0; k < t->non_zero_length(); ++k)
      add(index_at(*t->indices(), k, 0), index_at(*t->indices(), k, 1), k);
  } else {
    const bool csr = t->format() == SparseFormat::kCsr;
    const Tensor& ptr = *t->indptr();
    for (std::int64_t o = 0; o + 1 < ptr.shape()[0]; ++o) {
      for (std::int64_t k = index_at(ptr, o); k < index_at(ptr, o + 1); ++k) {
        const std::int64_t i = index_at(*t->indices(), k);
        csr ? add(o, i, k) : add(i, o, k);
      }
    }
  }
  M out(static_cast<I>(rows), static_cast<I>(cols));
  out.setFromTriplets(entries.begin(), entries.end());
  return out;
}

template <typename S, int Options, typename I>
struct Converter<Eigen::SparseMatrix<S, Options, I>> {
  using M = Eigen::SparseMatrix<S, Options, I>;
  static constexpr bool kDefined = true;
  /// The errors of sparse_tensor_of().
  static Result<Value> to_value(const M& m, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, sparse_tensor_of(m));
    return Value(std::move(t));
  }
  /// Errors: TypeError when `v` is not a sparse tensor; those of as_eigen_sparse().
  static Result<M> from_value(const Value& v, const SerializationContext&) {
    const SparseTensorPtr* t = v.as<SparseTensorPtr>();
    if (!t) return Status::TypeError("expected a sparse tensor for an Eigen::SparseMatrix, got ", v.kind_name());
    return as_eigen_sparse<M>(*t);
  }
  /// Errors: those of sparse_tensor_of(), then those of ObjectWriter::sparse_tensor().
  static Status write(const M& m, ObjectWriter& w, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, sparse_tensor_of(m));
    return w.sparse_tensor(std::move(t));
  }
  /// Errors: TypeError when the element is not a sparse tensor; SerializationError for a
  /// sparse tensor the object does not carry (ObjectReader::Cursor::sparse_tensor()); those
  /// of as_eigen_sparse().
  static Result<M> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, c.sparse_tensor());
    return as_eigen_sparse<M>(t);
  }
};

/// Reading into a view: the Eigen::Map points into the received buffers.
template <typename M>
struct Converter<EigenSparseView<M>> {
  static constexpr bool kDefined = true;
  /// Errors: TypeError when `v` is not a sparse tensor; those of as_eigen_sparse_map().
  static Result<EigenSparseView<M>> from_value(const Value& v, const SerializationContext&) {
    const SparseTensorPtr* t = v.as<SparseTensorPtr>();
    if (!t) return Status::TypeError("expected a sparse tensor for an Eigen sparse view, got ", v.kind_name());
    return as_eigen_sparse_map<M>(*t);
  }
  /// Errors: TypeError when the element is not a sparse tensor; SerializationError for a
  /// sparse tensor the object does not carry (ObjectReader::Cursor::sparse_tensor()); those
  /// of as_eigen_sparse_map().
  static Result<EigenSparseView<M>> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, c.sparse_tensor());
    return as_eigen_sparse_map<M>(t);
  }
};

}  // namespace arrowpack

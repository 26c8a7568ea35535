// Eigen matrices, arrays and tensors as arrowpack tensors, without copying their data.
//
// Writing: a Matrix/Array (dynamic or fixed, row- or column-major), an Eigen::Map of one, or
// an Eigen::Tensor becomes an ndarray Value (type code 15, as pyarrow did for numpy arrays)
// whose tensor *views* the Eigen object's memory: keep the object alive (and unchanged) until
// the SerializedObject or its components are written out.
// Reading: as_eigen_map<M>(tensor) gives an Eigen::Map over the received memory (no copy)
// with a keep-alive; as_eigen<M>(tensor) and deserialize<Eigen::MatrixXd>() copy.
#pragma once

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include <cstring>
#include <limits>

#include "arrowpack/core/half_float.h"

#include "arrowpack/adapters/convert.h"
#include "arrowpack/core/record_batch.h"

namespace arrowpack {

namespace detail {
template <typename S>
DataTypePtr eigen_scalar_type() {
  static_assert(TensorScalar<S>, "arrowpack: Eigen scalars must be integers, float or double");
  return scalar_type<S>();
}

// Eigen's storage does not belong to arrowpack: the buffer views it, nothing is copied.
inline std::shared_ptr<Buffer> view_of(const void* data, std::int64_t bytes) { return Buffer::wrap(data, bytes); }

}  // namespace detail

/// A zero-copy Eigen view of received memory and what keeps that memory alive.
/// `map` stays valid as long as this object (or a copy of keep_alive) exists.
template <typename M>
struct EigenView {
  using Scalar = typename M::Scalar;
  using StrideType = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
  using MapType = Eigen::Map<const M, Eigen::Unaligned, StrideType>;
  MapType map;
  std::shared_ptr<const Buffer> keep_alive;
};

/// The tensor of a matrix/array expression stored in memory (Matrix, Array, Map, Ref):
/// shape {rows, cols}, byte strides from Eigen's inner/outer strides. No copy.
/// Errors: those of Tensor::make(): Invalid for negative strides (a Map's); CapacityError
/// past 2^56 elements.
template <typename Derived>
Result<TensorPtr> tensor_of(const Eigen::DenseBase<Derived>& m) {
  using S = typename Derived::Scalar;
  const auto& d = m.derived();
  const std::int64_t rows = d.rows(), cols = d.cols();
  const std::int64_t inner = d.innerStride(), outer = d.outerStride();
  const bool row_major = Derived::IsRowMajor;
  const std::int64_t row_stride = (row_major ? outer : inner) * static_cast<std::int64_t>(sizeof(S));
  const std::int64_t col_stride = (row_major ? inner : outer) * static_cast<std::int64_t>(sizeof(S));
  std::int64_t extent = 0;
  if (rows > 0 && cols > 0) {
    extent = (rows - 1) * row_stride + (cols - 1) * col_stride + static_cast<std::int64_t>(sizeof(S));
  }
  return Tensor::make(detail::eigen_scalar_type<S>(), detail::view_of(d.data(), extent), {rows, cols},
                      {row_stride, col_stride});
}

/// The tensor of an Eigen::Tensor (or TensorMap) in its layout. No copy.
/// Errors: those of Tensor::make(): CapacityError past 2^56 elements or 64 dimensions.
template <typename S, int Rank, int Options, typename Index>
Result<TensorPtr> tensor_of(const Eigen::Tensor<S, Rank, Options, Index>& t) {
  std::vector<std::int64_t> shape(t.dimensions().begin(), t.dimensions().end());
  const std::int64_t width = sizeof(S);
  auto strides = (Options & Eigen::RowMajor) ? Tensor::row_major_strides(shape, width)
                                             : Tensor::column_major_strides(shape, width);
  return Tensor::make(detail::eigen_scalar_type<S>(), detail::view_of(t.data(), t.size() * width), std::move(shape),
                      std::move(strides));
}

/// An Eigen::Map over a received 2-D tensor (or a 1-D one, for a vector type), without
/// copying. TypeError when the element type differs; Invalid for a null tensor, a tensor
/// that is not 2-D (or 1-D for a vector), a shape that does not fit M's fixed sizes, strides
/// that are not whole elements, or data not aligned for the scalar type.
template <typename M>
Result<EigenView<M>> as_eigen_map(const TensorPtr& t) {
  using S = typename M::Scalar;
  if (!t) return Status::Invalid("no tensor");
  if (!t->type()->equals(*detail::eigen_scalar_type<S>())) {
    return Status::TypeError("tensor of ", t->type()->to_string(), " for an Eigen object of ",
                             detail::eigen_scalar_type<S>()->to_string());
  }
  if (t->ndim() != 2 && !(t->ndim() == 1 && (M::ColsAtCompileTime == 1 || M::RowsAtCompileTime == 1))) {
    return Status::Invalid("a ", t->ndim(), "-dimensional tensor is not a matrix");
  }
  // A 1-d tensor is a column vector, or a row vector when M has one row.
  const bool row_vector = t->ndim() == 1 && M::RowsAtCompileTime == 1;
  const std::int64_t rows = t->ndim() == 2 ? t->shape()[0] : (row_vector ? 1 : t->shape()[0]);
  const std::int64_t cols = t->ndim() == 2 ? t->shape()[1] : (row_vector ? t->shape()[0] : 1);
  const std::int64_t rs = t->ndim() == 2 ? t->strides()[0] : (row_vector ? sizeof(S) : t->strides()[0]);
  const std::int64_t cs = t->ndim() == 2 ? t->strides()[1] : (row_vector ? t->strides()[0] : sizeof(S));
  if ((M::RowsAtCompileTime != Eigen::Dynamic && rows != M::RowsAtCompileTime) ||
      (M::ColsAtCompileTime != Eigen::Dynamic && cols != M::ColsAtCompileTime)) {
    return Status::Invalid("tensor of shape ", rows, "x", cols, " does not fit the Eigen type's fixed size");
  }
  const std::int64_t w = sizeof(S);
  if (rs % w != 0 || cs % w != 0) return Status::Invalid("tensor strides are not whole elements");
  if (reinterpret_cast<std::uintptr_t>(t->data()->data()) % alignof(S) != 0) {
    return Status::Invalid("tensor data is not aligned for its elements");
  }
  // Eigen strides: inner = step along the storage order, outer = step across it.
  const bool row_major = M::IsRowMajor;
  typename EigenView<M>::StrideType stride(row_major ? rs / w : cs / w, row_major ? cs / w : rs / w);
  const S* data = reinterpret_cast<const S*>(t->data()->data());
  return EigenView<M>{typename EigenView<M>::MapType(data, rows, cols, stride), t->data()};
}

/// A copy of a received 2-D tensor as an owning Eigen matrix/array.
/// The errors of as_eigen_map().
template <typename M>
Result<M> as_eigen(const TensorPtr& t) {
  ARROWPACK_ASSIGN_OR_RAISE(auto view, as_eigen_map<M>(t));
  return M(view.map);
}

namespace detail {
inline const TensorPtr* tensor_in(const Value& v) {
  if (const Ndarray* a = v.as<Ndarray>()) return &a->tensor;
  return v.as<TensorPtr>();
}
inline bool holds_tensor(const ObjectReader::Cursor& c) {
  return c.kind() == Value::Kind::kTensor || c.kind() == Value::Kind::kNdarray;
}
}  // namespace detail

namespace detail {
// Matrices and arrays: out as an ndarray viewing their storage, back as a copy.
template <typename M>
struct EigenDenseConverter {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const M& m, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, tensor_of(m));
    return Value::ndarray(std::move(t));
  }
  static Result<M> from_value(const Value& v, const SerializationContext&) {
    const TensorPtr* t = tensor_in(v);
    if (!t) return Status::TypeError("expected a tensor for an Eigen matrix or array, got ", v.kind_name());
    return as_eigen<M>(*t);
  }
  static Status write(const M& m, ObjectWriter& w, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, tensor_of(m));
    return w.ndarray(std::move(t));
  }
  static Result<M> read(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
    if (!holds_tensor(c)) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, c.value());
      return from_value(v, ctx);
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto t, c.tensor());
    return as_eigen<M>(t);
  }
};
}  // namespace detail

template <typename S, int R, int C, int O, int MR, int MC>
struct Converter<Eigen::Matrix<S, R, C, O, MR, MC>> : detail::EigenDenseConverter<Eigen::Matrix<S, R, C, O, MR, MC>> {};
template <typename S, int R, int C, int O, int MR, int MC>
struct Converter<Eigen::Array<S, R, C, O, MR, MC>> : detail::EigenDenseConverter<Eigen::Array<S, R, C, O, MR, MC>> {};

template <typename P, int MapOptions, typename StrideT>
struct Converter<Eigen::Map<P, MapOptions, StrideT>> {
  static constexpr bool kDefined = true;
  /// The errors of tensor_of().
  static Result<Value> to_value(const Eigen::Map<P, MapOptions, StrideT>& m, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, tensor_of(m));
    return Value::ndarray(std::move(t));
  }
  /// Errors: those of tensor_of(), then those of ObjectWriter::ndarray().
  static Status write(const Eigen::Map<P, MapOptions, StrideT>& m, ObjectWriter& w, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, tensor_of(m));
    return w.ndarray(std::move(t));
  }
};

/// Reading into a view: the Eigen::Map points into the received buffer.
template <typename M>
struct Converter<EigenView<M>> {
  static constexpr bool kDefined = true;
  /// Errors: TypeError when `v` is not a tensor or an ndarray; those of as_eigen_map().
  static Result<EigenView<M>> from_value(const Value& v, const SerializationContext&) {
    const TensorPtr* t = detail::tensor_in(v);
    if (!t) return Status::TypeError("expected a tensor for an Eigen view, got ", v.kind_name());
    return as_eigen_map<M>(*t);
  }
  /// Errors: those of as_eigen_map() for a tensor or an ndarray; for another element, those
  /// of ObjectReader::Cursor::value(), then the TypeError of from_value().
  static Result<EigenView<M>> read(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
    if (!detail::holds_tensor(c)) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, c.value());
      return from_value(v, ctx);
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto t, c.tensor());
    return as_eigen_map<M>(t);
  }
};

template <typename S, int Rank, int Options, typename Index>
struct Converter<Eigen::Tensor<S, Rank, Options, Index>> {
  using T = Eigen::Tensor<S, Rank, Options, Index>;
  static constexpr bool kDefined = true;
  /// The errors of tensor_of().
  static Result<Value> to_value(const T& t, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto tensor, tensor_of(t));
    return Value::ndarray(std::move(tensor));
  }
  /// A copy, element by element in T's layout. Errors: TypeError when `v` is not a tensor or
  /// an ndarray, or for another element type than S; Invalid for a rank other than Rank.
  static Result<T> from_value(const Value& v, const SerializationContext&) {
    const TensorPtr* p = detail::tensor_in(v);
    if (!p) return Status::TypeError("expected a tensor for an Eigen::Tensor, got ", v.kind_name());
    const Tensor& src = **p;
    if (!src.type()->equals(*detail::eigen_scalar_type<S>())) {
      return Status::TypeError("tensor of ", src.type()->to_string(), " for an Eigen::Tensor of ",
                               detail::eigen_scalar_type<S>()->to_string());
    }
    if (src.ndim() != Rank) return Status::Invalid("tensor of rank ", src.ndim(), ", expected ", Rank);
    Eigen::array<Index, Rank> dims;
    for (int i = 0; i < Rank; ++i) dims[i] = static_cast<Index>(src.shape()[i]);
    T out(dims);
    // Copy element by element through the source strides into the destination layout.
    std::vector<std::int64_t> index(Rank, 0);
    for (Index k = 0; k < out.size(); ++k) {
      Eigen::array<Index, Rank> at;
      for (int i = 0; i < Rank; ++i) at[i] = static_cast<Index>(index[i]);
      std::memcpy(&out(at), src.data()->data() + src.byte_offset(index), sizeof(S));
      for (int d = Rank - 1; d >= 0; --d) {
        if (++index[d] < src.shape()[d]) break;
        index[d] = 0;
      }
    }
    return out;
  }
};

// ---- tables and matrices (the C++ twin of read_pandas) ---------------------------------

/// What to do with nulls when gathering columns into a matrix.
enum class NullPolicy { kError, kNaN };

namespace detail {
template <typename S>
Status gather_column(const Array& a, NullPolicy nulls, S* out, std::int64_t stride) {
  const DataType& t = *a.type();
  // One dispatch per column: the loop runs with the value type known at compile time.
  return visit_type(t, [&](auto tag) -> Status {
    using Tag = decltype(tag);
    constexpr bool kNumeric = Tag::info.is(kNumericCategory);
    if constexpr (Tag::id != TypeId::kBool && !kNumeric) {
      return Status::TypeError("column of ", t.to_string(), " is not numeric");
    } else {
      for (std::int64_t i = 0; i < a.length(); ++i) {
        if (a.is_null(i)) {
          if (nulls == NullPolicy::kError) return Status::Invalid("null at row ", i);
          if constexpr (std::is_floating_point_v<S>) {
            out[i * stride] = std::numeric_limits<S>::quiet_NaN();
            continue;
          } else {
            return Status::TypeError("nulls cannot become NaN in an integer matrix");
          }
        }
        if constexpr (Tag::id == TypeId::kBool) {
          out[i * stride] = static_cast<S>(a.bool_value(i) ? 1 : 0);
        } else if constexpr (Tag::id == TypeId::kHalfFloat) {
          out[i * stride] = static_cast<S>(half_to_double(a.value<std::uint16_t>(i)));
        } else {
          out[i * stride] = static_cast<S>(a.value<typename Tag::c_type>(i));
        }
      }
      return Status::OK();
    }
  });
}

// Keeps a matrix alive behind the Buffer that views its storage.
template <typename M>
class MatrixBuffer : public Buffer {
 public:
  explicit MatrixBuffer(M&& m) : Buffer(nullptr, 0), matrix_(std::move(m)) {
    data_ = reinterpret_cast<const std::uint8_t*>(matrix_.data());
    size_ = static_cast<std::int64_t>(matrix_.size() * sizeof(typename M::Scalar));
  }

 private:
  M matrix_;
};
}  // namespace detail

/// Gathers the columns of `batches` (all numeric, in schema order) into one matrix of
/// rows x columns, converting each value to M's scalar. Nulls become NaN or an error.
/// Errors: Invalid for batches with different column counts; with the column's name in
/// front: TypeError for a column that is neither numeric nor bool, or for a null under
/// NullPolicy::kNaN when M's scalar is an integer; Invalid for a null under
/// NullPolicy::kError.
template <typename M>
Result<M> to_eigen(const std::vector<RecordBatchPtr>& batches, NullPolicy nulls = NullPolicy::kError) {
  using S = typename M::Scalar;
  std::int64_t rows = 0;
  int cols = batches.empty() ? 0 : batches[0]->num_columns();
  for (const auto& b : batches) {
    if (b->num_columns() != cols) return Status::Invalid("batches with different column counts");
    rows += b->num_rows();
  }
  M out(rows, cols);
  const std::int64_t row_step = M::IsRowMajor ? out.outerStride() : 1;
  const std::int64_t col_step = M::IsRowMajor ? 1 : out.outerStride();
  std::int64_t first = 0;
  for (const auto& b : batches) {
    for (int c = 0; c < cols; ++c) {
      // TypeError or Invalid for this column (see above), named by the context added below.
      Status st = detail::gather_column<S>(b->column(c), nulls, out.data() + first * row_step + c * col_step, row_step);
      if (!st.ok()) return st.with_context("column '" + b->column_name(c) + "'");
    }
    first += b->num_rows();
  }
  return out;
}
/// The same for one batch (a zero-copy slice of it). The errors of to_eigen() above.
template <typename M>
Result<M> to_eigen(const RecordBatch& batch, NullPolicy nulls = NullPolicy::kError) {
  ARROWPACK_ASSIGN_OR_RAISE(auto copy, batch.slice(0, batch.num_rows()));
  return to_eigen<M>(std::vector<RecordBatchPtr>{copy}, nulls);
}
/// The same for the batches of a table. The errors of to_eigen() above.
template <typename M>
Result<M> to_eigen(const Table& table, NullPolicy nulls = NullPolicy::kError) {
  return to_eigen<M>(table.batches(), nulls);
}

/// A record batch with one column per matrix column. The batch takes the matrix (move it in
/// to avoid a copy); for a column-major matrix every column is a zero-copy slice of it.
/// Errors: Invalid when `column_names` does not give one name per column; for a row-major
/// matrix, those of allocate_buffer() (OutOfMemory) for each column it copies; those of
/// Array::make() and RecordBatch::make(), which the matrix's columns meet.
template <typename M>
Result<RecordBatchPtr> record_batch_from_eigen(M matrix, const std::vector<std::string>& column_names) {
  using S = typename M::Scalar;
  if (static_cast<std::int64_t>(column_names.size()) != matrix.cols()) {
    return Status::Invalid(matrix.cols(), " matrix columns but ", column_names.size(), " names");
  }
  const std::int64_t rows = matrix.rows(), cols = matrix.cols();
  const auto type = detail::eigen_scalar_type<S>();
  const std::int64_t w = sizeof(S);
  std::vector<Array> columns;
  FieldVector fields;
  if constexpr (!M::IsRowMajor) {
    auto storage = std::make_shared<detail::MatrixBuffer<M>>(std::move(matrix));
    for (std::int64_t c = 0; c < cols; ++c) {
      ARROWPACK_ASSIGN_OR_RAISE(auto column, storage->slice(c * rows * w, rows * w));
      ARROWPACK_ASSIGN_OR_RAISE(auto a, Array::make(type, rows, {nullptr, column}, {}, 0));
      columns.push_back(std::move(a));
    }
  } else {
    for (std::int64_t c = 0; c < cols; ++c) {
      ARROWPACK_ASSIGN_OR_RAISE(auto column, allocate_buffer(rows * w));
      auto* dst = reinterpret_cast<S*>(column->mutable_data());
      for (std::int64_t r = 0; r < rows; ++r) dst[r] = matrix(r, c);
      ARROWPACK_ASSIGN_OR_RAISE(auto a, Array::make(type, rows, {nullptr, column}, {}, 0));
      columns.push_back(std::move(a));
    }
  }
  for (std::int64_t c = 0; c < cols; ++c) fields.push_back(field(column_names[c], type, false));
  return RecordBatch::make(schema(std::move(fields)), rows, std::move(columns));
}

}  // namespace arrowpack

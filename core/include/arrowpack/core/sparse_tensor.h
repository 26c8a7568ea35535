// SparseTensor: the non-zero values of an n-dimensional tensor and an index saying where
// they are, in Arrow's four formats (format/SparseTensor.fbs): COO (coordinates), CSR and
// CSC (compressed rows or columns of a matrix) and CSF (compressed sparse fibers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/tensor.h"
#include "arrowpack/core/type.h"

namespace arrowpack {

/// The index formats of Arrow's SparseTensor messages.
enum class SparseFormat : std::int8_t { kCoo, kCsr, kCsc, kCsf };

/// "COO", "CSR", "CSC" or "CSF".
const char* sparse_format_name(SparseFormat format);

/// Immutable; the value and index buffers are shared, not copied (a sparse tensor read from
/// an IPC message is a view of its body). Safe to share between threads.
///
/// Every factory checks the whole structure against the shape (time linear in the index
/// sizes, no allocation beyond the object): index tensors of an integer type and the right
/// shape, every coordinate inside its dimension, index pointers that start at 0, never
/// decrease and end at the length they index, and a value buffer that holds
/// `non_zero_length` values. Errors: TypeError (a value type that is not an integer or float,
/// an index type that is not an integer), Invalid (any inconsistency, named with where it
/// is), CapacityError (a shape whose element count overflows 64 bits, more than 64
/// dimensions).
class SparseTensor {
 public:
  /// COO: `indices` is a tensor of shape (non_zero_length, ndim) whose row k holds the
  /// coordinates of value k (any strides; Arrow C++ writes row-major). `canonical` says the
  /// coordinates are sorted in row-major order without duplicates; it is checked when true.
  /// Errors: TypeError for a value type that is not an integer or float, or non-integer indices;
  /// Invalid for no data, a negative extent, an index tensor of the wrong shape, data shorter than
  /// the values, or coordinates outside the shape (or, when `canonical`, out of order or repeated);
  /// CapacityError for more than 64 dimensions or a shape whose size overflows.
  static Result<std::shared_ptr<SparseTensor>> make_coo(DataTypePtr type, std::shared_ptr<Buffer> data,
                                                        std::vector<std::int64_t> shape, TensorPtr indices,
                                                        bool canonical, std::vector<std::string> dim_names = {});
  /// CSR (`format` kCsr) or CSC (kCsc) of a matrix (2 dimensions): `indptr` (1-d, length
  /// rows + 1 for CSR, columns + 1 for CSC) and `indices` (1-d, the column, or row, of each
  /// value, length non_zero_length).
  /// Errors: the TypeError and CapacityError of make_coo(); Invalid for a shape that is not 2-d, an
  /// `indptr` of the wrong length or not non-decreasing from 0, or indices outside the other
  /// dimension.
  static Result<std::shared_ptr<SparseTensor>> make_csx(SparseFormat format, DataTypePtr type,
                                                        std::shared_ptr<Buffer> data, std::vector<std::int64_t> shape,
                                                        TensorPtr indptr, TensorPtr indices,
                                                        std::vector<std::string> dim_names = {});
  /// CSF: `axis_order` is a permutation of the dimensions; level i compresses dimension
  /// axis_order[i]. `indices` has ndim 1-d tensors (level i's coordinates), `indptr` ndim - 1
  /// (level i's fibers: indptr[i] has length indices[i] + 1 and points into indices[i + 1]).
  /// The last level has non_zero_length entries, one per value.
  /// Errors: the TypeError and CapacityError of make_coo(); Invalid for no dimensions, an
  /// `axis_order` that is not a permutation, index tensors of the wrong number or length, or fibers
  /// that do not fit.
  static Result<std::shared_ptr<SparseTensor>> make_csf(DataTypePtr type, std::shared_ptr<Buffer> data,
                                                        std::vector<std::int64_t> shape, std::vector<TensorPtr> indptr,
                                                        std::vector<TensorPtr> indices,
                                                        std::vector<std::int64_t> axis_order,
                                                        std::vector<std::string> dim_names = {});

  /// The COO form of a dense tensor: its non-zero elements in row-major order (canonical),
  /// int64 coordinates. Values and index are new buffers from `pool`.
  /// Errors: Invalid for a 0-d tensor; OutOfMemory.
  static Result<std::shared_ptr<SparseTensor>> coo_from_dense(const Tensor& dense,
                                                              MemoryPool* pool = default_memory_pool());

  /// Which index the tensor has.
  SparseFormat format() const { return format_; }
  /// The type of the values (an integer or float type).
  const DataTypePtr& type() const { return type_; }
  /// The extents of the dense tensor, one per dimension.
  const std::vector<std::int64_t>& shape() const { return shape_; }
  /// Number of dimensions.
  int ndim() const { return static_cast<int>(shape_.size()); }
  /// Number of elements of the dense tensor (product of the shape).
  std::int64_t size() const { return size_; }
  /// Number of stored values.
  std::int64_t non_zero_length() const { return non_zero_length_; }
  /// The values, non_zero_length × the type's width bytes (the buffer may be longer).
  const std::shared_ptr<Buffer>& data() const { return data_; }
  /// Empty when unnamed; otherwise one name per dimension.
  const std::vector<std::string>& dim_names() const { return dim_names_; }
  /// Name of dimension i ("" when unnamed).
  const std::string& dim_name(int i) const;

  /// COO: the (non_zero_length, ndim) coordinates. CSR/CSC: the 1-d column (row) indices.
  /// CSF: null (see csf_indices()).
  const TensorPtr& indices() const { return indices_; }
  /// CSR/CSC: the 1-d index pointers. Null otherwise.
  const TensorPtr& indptr() const { return indptr_; }
  /// COO: whether the coordinates are sorted row-major without duplicates.
  bool is_canonical() const { return canonical_; }
  /// CSF: per level, its index pointers (ndim - 1) and its coordinates (ndim), and which
  /// dimension each level is. Empty for other formats.
  const std::vector<TensorPtr>& csf_indptr() const { return csf_indptr_; }
  const std::vector<TensorPtr>& csf_indices() const { return csf_indices_; }
  /// CSF: the dimension each level compresses.
  const std::vector<std::int64_t>& axis_order() const { return axis_order_; }

  /// The dense tensor (row-major, zeros where no value is stored; a coordinate stored twice
  /// in a non-canonical COO keeps its last value). CapacityError when the dense tensor would
  /// exceed `max_bytes` (its size is the caller's decision, not the input's).
  Result<TensorPtr> to_dense(std::int64_t max_bytes, MemoryPool* pool = default_memory_pool()) const;

  /// Same format, type, shape, dimension names (when `check_names`), index and values.
  bool equals(const SparseTensor& other, bool check_names = false) const;
  /// "SparseTensor<CSR double [3, 4], 5 non-zero>".
  std::string to_string() const;

 private:
  SparseTensor() = default;
  Status check_common();

  SparseFormat format_ = SparseFormat::kCoo;
  DataTypePtr type_;
  std::shared_ptr<Buffer> data_;
  std::vector<std::int64_t> shape_;
  std::int64_t size_ = 0;
  std::int64_t non_zero_length_ = 0;
  std::vector<std::string> dim_names_;
  TensorPtr indices_;
  TensorPtr indptr_;
  bool canonical_ = false;
  std::vector<TensorPtr> csf_indptr_;
  std::vector<TensorPtr> csf_indices_;
  std::vector<std::int64_t> axis_order_;
};

/// Sparse tensors are shared immutable objects.
using SparseTensorPtr = std::shared_ptr<SparseTensor>;

/// Entry i of a 1-d integer tensor (an index of a SparseTensor), whatever its integer type,
/// as int64 (-1 for a uint64 beyond int64). Not bounds-checked: a SparseTensor's factories
/// checked its index tensors.
std::int64_t index_at(const Tensor& index, std::int64_t i);
/// Entry (row, col) of a 2-d integer tensor (COO coordinates).
std::int64_t index_at(const Tensor& index, std::int64_t row, std::int64_t col);

}  // namespace arrowpack

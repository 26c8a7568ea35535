// Tensor: a dense n-dimensional array of one fixed-width numeric type over a Buffer, with
// byte strides (row-major, column-major or any strided view) and optional dimension names.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/type.h"

namespace arrowpack {

/// Immutable; the data buffer is shared, not copied (a tensor read from a memory map or an
/// IPC buffer is a view of it).
class Tensor : public std::enable_shared_from_this<Tensor> {
 public:
  /// Checks the type (integers and floats), that strides have one entry per dimension (empty:
  /// row-major), are non-negative, and that every element lies inside `data`. `dim_names`
  /// is empty or has one name per dimension; all-empty names mean "no names". TypeError for
  /// another element type; Invalid for negative extents or strides, or strides that leave
  /// the data (ipc::read_tensor also refuses strides that make elements share bytes);
  /// CapacityError for more than 64 dimensions, more than
  /// 2^56 elements, or a shape whose row-major strides (zero extents counted as one) would
  /// not fit in 64 bits, even when the tensor is empty.
  static Result<std::shared_ptr<Tensor>> make(DataTypePtr type, std::shared_ptr<Buffer> data,
                                              std::vector<std::int64_t> shape, std::vector<std::int64_t> strides = {},
                                              std::vector<std::string> dim_names = {});
  /// A tensor of this one's type, shape, strides and names over other `data` (received
  /// memory of the same layout, say). It shares this tensor's shape, strides and names, so it
  /// costs one allocation and copies nothing. Invalid when `data` is null or shorter than the
  /// bytes the elements span (data_extent()). Thread-safe: the tensor is immutable.
  Result<std::shared_ptr<Tensor>> with_data(std::shared_ptr<Buffer> data) const;
  /// Column-major (Fortran order) strides for `shape`.
  /// The errors of make().
  static Result<std::shared_ptr<Tensor>> make_column_major(DataTypePtr type, std::shared_ptr<Buffer> data,
                                                           std::vector<std::int64_t> shape,
                                                           std::vector<std::string> dim_names = {});

  Tensor(const Tensor&) = delete;  // shared by pointer (TensorPtr); with_data() shares the layout
  Tensor& operator=(const Tensor&) = delete;

  const DataTypePtr& type() const { return type_; }
  const std::shared_ptr<Buffer>& data() const { return data_; }
  const std::vector<std::int64_t>& shape() const { return geometry_->shape; }
  /// Byte step per dimension.
  const std::vector<std::int64_t>& strides() const { return geometry_->strides; }
  /// Empty when the tensor has no dimension names.
  const std::vector<std::string>& dim_names() const { return geometry_->dim_names; }
  /// Name of dimension i ("" when unnamed).
  const std::string& dim_name(int i) const;
  int ndim() const { return static_cast<int>(geometry_->shape.size()); }
  /// Number of elements (product of the shape).
  std::int64_t size() const { return size_; }
  std::int64_t element_size() const { return type_->byte_width(); }
  /// Bytes spanned by the elements (0 when empty).
  std::int64_t data_extent() const;

  bool is_row_major() const;
  bool is_column_major() const;
  /// Row- or column-major with no gaps.
  bool is_contiguous() const { return is_row_major() || is_column_major(); }

  /// Byte offset of the element at `index` (one entry per dimension; not bounds-checked).
  std::int64_t byte_offset(const std::vector<std::int64_t>& index) const;
  /// The element at `index` read as T (T must match the element width; not bounds-checked).
  template <typename T>
  T value(const std::vector<std::int64_t>& index) const {
    T out;
    std::memcpy(&out, data_->data() + byte_offset(index), sizeof(T));
    return out;
  }

  /// A row-major copy from `pool` (this tensor's data when already row-major).
  /// Errors: OutOfMemory; CapacityError or Invalid of allocate_buffer().
  Result<std::shared_ptr<Tensor>> to_row_major(MemoryPool* pool = default_memory_pool()) const;

  /// Same type and shape and equal elements (whatever the strides); dim names are compared
  /// when `check_names`.
  bool equals(const Tensor& other, bool check_names = false) const;
  std::string to_string() const;

  /// Row-major strides (bytes) of a tensor of `shape` with elements of `element_size` bytes.
  /// A shape with a zero extent gets `element_size` as every stride, as Arrow C++ computes
  /// them (and writes them in Tensor messages). column_major_strides: the same, column-major.
  static std::vector<std::int64_t> row_major_strides(const std::vector<std::int64_t>& shape, std::int64_t element_size);
  static std::vector<std::int64_t> column_major_strides(const std::vector<std::int64_t>& shape,
                                                        std::int64_t element_size);

 private:
  Tensor() = default;
  // Shape, strides and names: immutable. A tensor from make() holds them in its own
  // allocation; those from with_data() point at the first one's and keep it alive.
  struct Geometry {
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> strides;
    std::vector<std::string> dim_names;
  };
  struct Owned;  // a Tensor with its Geometry (tensor.cc)
  DataTypePtr type_;
  std::shared_ptr<Buffer> data_;
  const Geometry* geometry_ = nullptr;
  std::shared_ptr<const Tensor> geometry_owner_;  // null when the Geometry is this tensor's own
  std::int64_t size_ = 0;
};

using TensorPtr = std::shared_ptr<Tensor>;

/// Whether arrowpack tensors can hold `type` (integers and floating point).
bool is_tensor_type(const DataType& type);

}  // namespace arrowpack

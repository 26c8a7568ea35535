#include "arrowpack/core/tensor.h"

#include <cstring>

#include "arrowpack/core/util.h"

namespace arrowpack {

bool is_tensor_type(const DataType& type) { return type.is_integer() || type.is_floating(); }

namespace {
// A tensor with no elements has the element size as every stride, as Arrow C++ computes
// them (ComputeRowMajorStrides): what its Tensor messages carry, byte for byte.
bool has_zero_extent(const std::vector<std::int64_t>& shape) {
  for (auto n : shape) {
    if (n == 0) return true;
  }
  return false;
}
}  // namespace

std::vector<std::int64_t> Tensor::row_major_strides(const std::vector<std::int64_t>& shape, std::int64_t element_size) {
  std::vector<std::int64_t> strides(shape.size(), element_size);
  if (has_zero_extent(shape)) return strides;
  std::int64_t step = element_size;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = step;
    step *= shape[i] > 0 ? shape[i] : 1;
  }
  return strides;
}

std::vector<std::int64_t> Tensor::column_major_strides(const std::vector<std::int64_t>& shape,
                                                       std::int64_t element_size) {
  std::vector<std::int64_t> strides(shape.size(), element_size);
  if (has_zero_extent(shape)) return strides;
  std::int64_t step = element_size;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    strides[i] = step;
    step *= shape[i] > 0 ? shape[i] : 1;
  }
  return strides;
}

namespace {
// Default strides multiply every extent (zero counted as one): refuse shapes that overflow.
Status check_default_strides(const std::vector<std::int64_t>& shape, std::int64_t width) {
  std::int64_t span = width;
  for (auto n : shape) {
    if (n < 0 || util::mul_overflows(span, n > 0 ? n : 1, &span)) {
      return Status::CapacityError("tensor shape too large for its strides");
    }
  }
  return Status::OK();
}
}  // namespace

// One allocation for a tensor and its geometry.
struct Tensor::Owned : Tensor {
  explicit Owned(Geometry g) : geometry(std::move(g)) {}
  Geometry geometry;
};

Result<std::shared_ptr<Tensor>> Tensor::make(DataTypePtr type, std::shared_ptr<Buffer> data,
                                             std::vector<std::int64_t> shape, std::vector<std::int64_t> strides,
                                             std::vector<std::string> dim_names) {
  if (!type || !is_tensor_type(*type)) {
    return Status::TypeError("tensor elements must be integers or floats, not ", type ? type->to_string() : "no type");
  }
  if (!data) return Status::Invalid("tensor without a data buffer");
  if (shape.size() > 64) return Status::CapacityError("tensor of ", shape.size(), " dimensions (limit 64)");
  const std::int64_t width = type->byte_width();
  std::int64_t size = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) return Status::Invalid("tensor dimension ", i, " has negative size ", shape[i]);
    if (util::mul_overflows(size, shape[i], &size) || size > (std::int64_t{1} << 56)) {
      return Status::CapacityError("tensor element count overflows");
    }
  }
  // Even with strides given (and for an empty tensor, whose strides constrain nothing), the
  // default strides must be representable: to_row_major() and the writers compute them.
  ARROWPACK_RETURN_NOT_OK(check_default_strides(shape, width));
  if (strides.empty()) strides = row_major_strides(shape, width);
  if (strides.size() != shape.size()) {
    return Status::Invalid("tensor has ", shape.size(), " dimensions but ", strides.size(), " strides");
  }
  // Every element must lie in the data: the farthest one is at sum((shape - 1) * stride).
  std::int64_t last = 0;
  if (size > 0) {
    for (std::size_t i = 0; i < shape.size(); ++i) {
      if (strides[i] < 0) return Status::Invalid("tensor stride ", i, " is negative (", strides[i], ")");
      std::int64_t step;
      if (util::mul_overflows(shape[i] - 1, strides[i], &step) || util::add_overflows(last, step, &last)) {
        return Status::Invalid("tensor strides overflow");
      }
    }
    if (last > data->size() - width) {
      return Status::Invalid("tensor of shape and strides spanning ", last + width, " bytes over a data buffer of ",
                             data->size());
    }
  }
  bool any_name = false;
  for (const auto& n : dim_names) any_name |= !n.empty();
  if (!any_name) dim_names.clear();
  if (!dim_names.empty() && dim_names.size() != shape.size()) {
    return Status::Invalid("tensor has ", shape.size(), " dimensions but ", dim_names.size(), " names");
  }
  auto owned = std::make_shared<Owned>(Geometry{std::move(shape), std::move(strides), std::move(dim_names)});
  std::shared_ptr<Tensor> t(owned, owned.get());
  t->type_ = std::move(type);
  t->data_ = std::move(data);
  t->geometry_ = &owned->geometry;
  t->size_ = size;
  return t;
}

Result<std::shared_ptr<Tensor>> Tensor::make_column_major(DataTypePtr type, std::shared_ptr<Buffer> data,
                                                          std::vector<std::int64_t> shape,
                                                          std::vector<std::string> dim_names) {
  if (!type || !is_tensor_type(*type)) return make(std::move(type), std::move(data), std::move(shape));
  if (shape.size() > 64) return make(std::move(type), std::move(data), std::move(shape));
  ARROWPACK_RETURN_NOT_OK(check_default_strides(shape, type->byte_width()));
  auto strides = column_major_strides(shape, type->byte_width());
  return make(std::move(type), std::move(data), std::move(shape), std::move(strides), std::move(dim_names));
}

Result<std::shared_ptr<Tensor>> Tensor::with_data(std::shared_ptr<Buffer> data) const {
  if (!data) return Status::Invalid("tensor without a data buffer");
  if (data->size() < data_extent()) {
    return Status::Invalid("tensor of shape and strides spanning ", data_extent(), " bytes over a data buffer of ",
                           data->size());
  }
  struct Shared : Tensor {};  // make_shared's access to the private constructor
  std::shared_ptr<Tensor> t = std::make_shared<Shared>();
  t->type_ = type_;
  t->data_ = std::move(data);
  t->geometry_ = geometry_;
  t->geometry_owner_ = geometry_owner_ ? geometry_owner_ : shared_from_this();
  t->size_ = size_;
  return t;
}

const std::string& Tensor::dim_name(int i) const {
  static const std::string kEmpty;
  return dim_names().empty() ? kEmpty : dim_names()[i];
}

std::int64_t Tensor::data_extent() const {
  if (size_ == 0) return 0;
  std::int64_t last = 0;
  for (std::size_t i = 0; i < shape().size(); ++i) last += (shape()[i] - 1) * strides()[i];
  return last + element_size();
}

bool Tensor::is_row_major() const {
  // Dimensions of size 1 (or an empty tensor) do not constrain the stride.
  if (size_ == 0) return true;
  std::int64_t step = element_size();
  for (std::size_t i = shape().size(); i-- > 0;) {
    if (shape()[i] != 1 && strides()[i] != step) return false;
    step *= shape()[i];
  }
  return true;
}

bool Tensor::is_column_major() const {
  if (size_ == 0) return true;
  std::int64_t step = element_size();
  for (std::size_t i = 0; i < shape().size(); ++i) {
    if (shape()[i] != 1 && strides()[i] != step) return false;
    step *= shape()[i];
  }
  return true;
}

std::int64_t Tensor::byte_offset(const std::vector<std::int64_t>& index) const {
  std::int64_t off = 0;
  for (std::size_t i = 0; i < index.size(); ++i) off += index[i] * strides()[i];
  return off;
}

namespace {
// Calls f(byte offset) for every element in row-major order.
template <typename F>
void for_each_element(const Tensor& t, F&& f) {
  if (t.size() == 0) return;
  const int nd = t.ndim();
  std::vector<std::int64_t> index(nd, 0);
  std::int64_t offset = 0;
  for (std::int64_t k = 0; k < t.size(); ++k) {
    f(offset);
    for (int d = nd - 1; d >= 0; --d) {
      if (++index[d] < t.shape()[d]) {
        offset += t.strides()[d];
        break;
      }
      offset -= (index[d] - 1) * t.strides()[d];
      index[d] = 0;
    }
  }
}
}  // namespace

Result<std::shared_ptr<Tensor>> Tensor::to_row_major(MemoryPool* pool) const {
  if (is_row_major()) {
    return make(type_, data_, shape(), row_major_strides(shape(), element_size()), dim_names());
  }
  const std::int64_t w = element_size();
  ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_buffer(size_ * w, pool));
  std::uint8_t* dst = out->mutable_data();
  const std::uint8_t* src = data_->data();
  for_each_element(*this, [&](std::int64_t off) {
    std::memcpy(dst, src + off, static_cast<std::size_t>(w));
    dst += w;
  });
  return make(type_, std::move(out), shape(), {}, dim_names());
}

bool Tensor::equals(const Tensor& other, bool check_names) const {
  if (!type_->equals(*other.type_) || shape() != other.shape()) return false;
  if (check_names && dim_names() != other.dim_names()) return false;
  if (is_row_major() && other.is_row_major()) {
    return size_ == 0 || std::memcmp(data_->data(), other.data_->data(), size_ * element_size()) == 0;
  }
  auto a = to_row_major();
  auto b = other.to_row_major();
  return a.ok() && b.ok() && (*a)->equals(**b, false);
}

std::string Tensor::to_string() const {
  std::string out = "arrowpack.Tensor<" + type_->to_string() + ">(shape=[";
  for (std::size_t i = 0; i < shape().size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape()[i]);
  }
  out += "], strides=[";
  for (std::size_t i = 0; i < strides().size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(strides()[i]);
  }
  out += "]";
  if (!dim_names().empty()) {
    out += ", dim_names=[";
    for (std::size_t i = 0; i < dim_names().size(); ++i) {
      if (i) out += ", ";
      out += dim_names()[i];
    }
    out += "]";
  }
  return out + ")";
}

}  // namespace arrowpack

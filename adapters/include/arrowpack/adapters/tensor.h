// Converters for Arrow memory: TensorPtr, SparseTensorPtr and Buffer travel out of band
// (shared, never copied); spans of numbers are written as 1-d ndarrays over the caller's
// memory, and SpanView<T> reads one back without copying, holding its buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"

namespace arrowpack {

template <>
struct Converter<TensorPtr> {
  static constexpr bool kDefined = true;
  /// Errors: none (a null tensor is refused when written).
  static Result<Value> to_value(const TensorPtr& t, const SerializationContext&) { return Value(t); }
  /// The errors of ObjectWriter::tensor() (Invalid for a null tensor).
  static Status write(const TensorPtr& t, ObjectWriter& w, const SerializationContext&) { return w.tensor(t); }
  /// Errors: TypeError when the element is neither a tensor nor an ndarray; SerializationError
  /// for a tensor the object does not carry (ObjectReader::Cursor::tensor()).
  static Result<TensorPtr> read(const ObjectReader::Cursor& c, const SerializationContext&) { return c.tensor(); }
  /// Errors: TypeError when `v` is neither a tensor nor an ndarray.
  static Result<TensorPtr> from_value(const Value& v, const SerializationContext&) {
    if (const TensorPtr* t = v.as<TensorPtr>()) return *t;
    if (const Ndarray* a = v.as<Ndarray>()) return a->tensor;
    return Status::TypeError("expected a tensor, got ", v.kind_name());
  }
};

template <>
struct Converter<SparseTensorPtr> {
  static constexpr bool kDefined = true;
  /// Errors: none (a null sparse tensor is refused when written).
  static Result<Value> to_value(const SparseTensorPtr& t, const SerializationContext&) { return Value(t); }
  /// The errors of ObjectWriter::sparse_tensor() (Invalid for a null sparse tensor).
  static Status write(const SparseTensorPtr& t, ObjectWriter& w, const SerializationContext&) {
    return w.sparse_tensor(t);
  }
  /// Errors: TypeError when the element is not a sparse tensor; SerializationError for a
  /// sparse tensor the object does not carry (ObjectReader::Cursor::sparse_tensor()).
  static Result<SparseTensorPtr> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    return c.sparse_tensor();
  }
  /// Errors: TypeError when `v` is not a sparse tensor.
  static Result<SparseTensorPtr> from_value(const Value& v, const SerializationContext&) {
    if (const SparseTensorPtr* t = v.as<SparseTensorPtr>()) return *t;
    return Status::TypeError("expected a sparse tensor, got ", v.kind_name());
  }
};

template <>
struct Converter<std::shared_ptr<Buffer>> {
  static constexpr bool kDefined = true;
  /// Errors: none (a null buffer is refused when written).
  static Result<Value> to_value(const std::shared_ptr<Buffer>& b, const SerializationContext&) { return Value(b); }
  /// The errors of ObjectWriter::buffer() (Invalid for a null buffer).
  static Status write(const std::shared_ptr<Buffer>& b, ObjectWriter& w, const SerializationContext&) {
    return w.buffer(b);
  }
  /// Errors: TypeError when `v` is not a buffer.
  static Result<std::shared_ptr<Buffer>> from_value(const Value& v, const SerializationContext&) {
    if (const auto* b = v.as<std::shared_ptr<Buffer>>()) return *b;
    return Status::TypeError("expected a buffer, got ", v.kind_name());
  }
};

/// Read-only view of the elements of a received 1-d tensor, and what keeps them alive.
template <typename T>
struct SpanView {
  std::span<const T> span;
  std::shared_ptr<const Buffer> keep_alive;
};

namespace detail {
// A 1-d tensor over caller memory: travels out of band, not copied.
template <typename T>
Result<Value> numbers_out_of_band(const T* data, std::size_t n) {
  ARROWPACK_ASSIGN_OR_RAISE(auto t,
                            Tensor::make(scalar_type<T>(), Buffer::wrap(data, static_cast<std::int64_t>(n * sizeof(T))),
                                         {static_cast<std::int64_t>(n)}));
  return Value::ndarray(std::move(t));
}

// The 1-d tensor inside `v` if it holds T elements contiguously, else an error.
template <typename T>
Result<TensorPtr> numbers_tensor(const Value& v) {
  const TensorPtr* t = nullptr;
  if (const Ndarray* a = v.as<Ndarray>()) t = &a->tensor;
  if (!t) t = v.as<TensorPtr>();
  if (!t) return Status::TypeError("expected a tensor of numbers, got ", v.kind_name());
  if (!(*t)->type()->equals(*scalar_type<T>())) {
    return Status::TypeError("tensor of ", (*t)->type()->to_string(), ", expected ", scalar_type<T>()->to_string());
  }
  if ((*t)->ndim() != 1) return Status::TypeError("tensor of ", (*t)->ndim(), " dimensions, expected 1");
  return *t;
}
}  // namespace detail

namespace detail {
// A span over the elements of a contiguous, aligned 1-d tensor.
template <typename T>
Result<std::span<const T>> span_of(const TensorPtr& t) {
  if (t->size() > 1 && t->strides()[0] != static_cast<std::int64_t>(sizeof(T))) {
    return Status::Invalid("tensor elements are not contiguous; read a std::vector instead");
  }
  if (reinterpret_cast<std::uintptr_t>(t->data()->data()) % alignof(T) != 0) {
    return Status::Invalid("tensor data is not aligned for its elements");
  }
  return std::span<const T>(reinterpret_cast<const T*>(t->data()->data()), static_cast<std::size_t>(t->size()));
}
}  // namespace detail

/// Spans of numbers go out of band like vectors (no copy). They are written only: a span
/// read back could outlive the memory it views, so reading uses SpanView<T>, which holds it.
template <typename T, std::size_t E>
struct Converter<std::span<const T, E>, std::enable_if_t<detail::TensorScalar<T>>> {
  static constexpr bool kDefined = true;
  /// Errors: those of Tensor::make() (CapacityError past 2^56 elements).
  static Result<Value> to_value(std::span<const T, E> xs, const SerializationContext&) {
    return detail::numbers_out_of_band(xs.data(), xs.size());
  }
  /// Deleted: spans are written only (read a SpanView<T> or a std::vector<T>).
  /// Errors: none (it cannot be called).
  static Result<std::span<const T, E>> from_value(const Value&, const SerializationContext&) = delete;
};

template <typename T>
struct Converter<SpanView<T>, std::enable_if_t<detail::TensorScalar<T>>> {
  static constexpr bool kDefined = true;
  /// Errors: those of Tensor::make() (CapacityError past 2^56 elements).
  static Result<Value> to_value(const SpanView<T>& v, const SerializationContext&) {
    return detail::numbers_out_of_band(v.span.data(), v.span.size());
  }
  /// A view of the tensor's elements (no copy). Errors: TypeError unless `v` is a 1-d tensor
  /// or ndarray of T; Invalid when its elements are not contiguous or not aligned for T.
  static Result<SpanView<T>> from_value(const Value& v, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, detail::numbers_tensor<T>(v));
    ARROWPACK_ASSIGN_OR_RAISE(auto span, detail::span_of<T>(t));
    return SpanView<T>{span, t->data()};
  }
};

}  // namespace arrowpack

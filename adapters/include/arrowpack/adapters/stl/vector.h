// std::vector: vectors of numbers go out of band as 1-d ndarrays (tensor.h); other vectors
// are lists, and a vector of row types also reads the columnar form, one table
// (columnar.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "arrowpack/adapters/columnar.h"
#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"
#include "arrowpack/adapters/tensor.h"

namespace arrowpack {

/// Vectors of numbers go out of band as 1-d ndarrays over the vector's memory (no copy:
/// keep the vector alive until the serialized object is written). Reading copies into a
/// new vector; use SpanView<T> to read without copying. Lists of numbers are accepted too.
template <typename T, typename A>
struct Converter<std::vector<T, A>, std::enable_if_t<detail::TensorScalar<T>>> {
  static constexpr bool kDefined = true;
  /// Errors: those of Tensor::make() (CapacityError past 2^56 elements).
  static Result<Value> to_value(const std::vector<T, A>& xs, const SerializationContext&) {
    return detail::numbers_out_of_band(xs.data(), xs.size());
  }
  /// Errors: those of to_value(), then those of ObjectWriter::ndarray().
  static Status write(const std::vector<T, A>& xs, ObjectWriter& w, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(Value v, to_value(xs, ctx));
    return w.ndarray(v.as<Ndarray>()->tensor);
  }
  /// Errors: for a list, tuple or set, those of from_value() on the first element that fails,
  /// with "element i" in front of the message; otherwise TypeError unless `v` is a 1-d tensor
  /// or ndarray of T.
  static Result<std::vector<T, A>> from_value(const Value& v, const SerializationContext& ctx) {
    std::vector<T, A> out;
    if (detail::sequence_items(v)) {
      ARROWPACK_RETURN_NOT_OK(detail::items_into<T>(v, ctx, [&](T&& x) { out.push_back(x); }));
      return out;
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto t, detail::numbers_tensor<T>(v));
    out.resize(static_cast<std::size_t>(t->size()));
    for (std::int64_t i = 0; i < t->size(); ++i) out[i] = t->template value<T>({i});
    return out;
  }
};

template <typename T, typename A>
struct Converter<std::vector<T, A>, std::enable_if_t<!std::is_same_v<T, std::byte> && !detail::TensorScalar<T>>>
    : detail::ListWrite<std::vector<T, A>> {
  /// Errors, for the columnar form (a registered "pyarrow.Table" or "pyarrow.RecordBatch"
  /// object, when T is a row type): TypeError when its "data" is not a buffer; those of
  /// arrow_objects::read_table(); those of rows_from_table() (TypeError for columns that do
  /// not match T or a null in a field that is not std::optional, CapacityError). Otherwise:
  /// TypeError when `v` is not a list, tuple or set; those of from_value() on the first element
  /// that fails, with "element i" in front of the message.
  static Result<std::vector<T, A>> from_value(const Value& v, const SerializationContext& ctx) {
    if constexpr (ColumnarRow<T>) {
      if (auto type = detail::rows_object_type(v)) return detail::rows_from_value<T, A>(v, *type);  // columnar.h
    }
    std::vector<T, A> out;
    ARROWPACK_RETURN_NOT_OK(detail::items_into<T>(v, ctx, [&](T&& x) { out.push_back(std::move(x)); }));
    return out;
  }
  /// Errors, for the columnar form (as from_value()): TypeError for a pickle or a "data" that
  /// is not a buffer; those of arrow_objects::read_table(); TypeError for columns that do not
  /// match T or a null in a field that is not std::optional; CapacityError when the rows exceed
  /// the read budget. Otherwise: for an element that is not a list, tuple or set, those of
  /// ObjectReader::Cursor::value() and then TypeError; CapacityError when the elements exceed
  /// the read budget (Cursor::charge()), ReadLimits::max_elements or max_depth; those of
  /// read_value() on the first element that fails, with "element i" in front of the message.
  static Result<std::vector<T, A>> read(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
    if constexpr (ColumnarRow<T>) {
      if (c.kind() == Value::Kind::kDict) {
        if (auto type = c.registered_type(); type && detail::is_rows_type(*type)) {
          return detail::rows_from_cursor<T, A>(c);  // the columnar form (columnar.h)
        }
      }
    }
    std::vector<T, A> out;
    ARROWPACK_RETURN_NOT_OK(detail::read_items<T>(
        c, ctx, [&](T&& x) { out.push_back(std::move(x)); },
        [&](std::int64_t n) { out.reserve(static_cast<std::size_t>(n)); }));
    return out;
  }
};

}  // namespace arrowpack

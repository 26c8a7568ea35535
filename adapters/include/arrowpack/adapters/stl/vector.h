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
  static Result<Value> to_value(const std::vector<T, A>& xs, const SerializationContext&) {
    return detail::numbers_out_of_band(xs.data(), xs.size());
  }
  static Status write(const std::vector<T, A>& xs, ObjectWriter& w, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(Value v, to_value(xs, ctx));
    return w.ndarray(v.as<Ndarray>()->tensor);
  }
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
  static Result<std::vector<T, A>> from_value(const Value& v, const SerializationContext& ctx) {
    if constexpr (ColumnarRow<T>) {
      if (auto type = detail::rows_object_type(v)) return detail::rows_from_value<T, A>(v, *type);  // columnar.h
    }
    std::vector<T, A> out;
    ARROWPACK_RETURN_NOT_OK(detail::items_into<T>(v, ctx, [&](T&& x) { out.push_back(std::move(x)); }));
    return out;
  }
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

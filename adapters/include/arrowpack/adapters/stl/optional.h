// std::optional -> None or the value.
#pragma once

#include <optional>

#include "arrowpack/adapters/convert.h"

namespace arrowpack {

template <typename T>
struct Converter<std::optional<T>> {
  static constexpr bool kDefined = true;
  /// An empty optional never fails; otherwise the errors of to_value() on the value.
  static Result<Value> to_value(const std::optional<T>& o, const SerializationContext& ctx) {
    if (!o) return Value();
    return arrowpack::to_value(*o, ctx);
  }
  /// The errors of ObjectWriter::none() for an empty optional, else those of write_value().
  static Status write(const std::optional<T>& o, ObjectWriter& w, const SerializationContext& ctx) {
    return o ? write_value(*o, w, ctx) : w.none();
  }
  /// None reads as an empty optional (never fails); anything else has the errors of
  /// read_value<T>().
  static Result<std::optional<T>> read(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
    if (c.is_none()) return std::optional<T>();
    ARROWPACK_ASSIGN_OR_RAISE(T x, read_value<T>(c, ctx));
    return std::optional<T>(std::move(x));
  }
  /// None reads as an empty optional (never fails); anything else has the errors of
  /// from_value<T>().
  static Result<std::optional<T>> from_value(const Value& v, const SerializationContext& ctx) {
    if (v.is_none()) return std::optional<T>();
    ARROWPACK_ASSIGN_OR_RAISE(T x, arrowpack::from_value<T>(v, ctx));
    return std::optional<T>(std::move(x));
  }
};

}  // namespace arrowpack

// std::list -> list.
#pragma once

#include <list>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"

namespace arrowpack {

template <typename T, typename A>
struct Converter<std::list<T, A>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const std::list<T, A>& xs, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(auto items, detail::values_of(xs, ctx));
    return Value::list(std::move(items));
  }
  static Status write(const std::list<T, A>& xs, ObjectWriter& w, const SerializationContext& ctx) {
    return detail::write_range(xs, w, ctx);
  }
  static Result<std::list<T, A>> from_value(const Value& v, const SerializationContext& ctx) {
    std::list<T, A> out;
    ARROWPACK_RETURN_NOT_OK(detail::items_into<T>(v, ctx, [&](T&& x) { out.push_back(std::move(x)); }));
    return out;
  }
};

}  // namespace arrowpack

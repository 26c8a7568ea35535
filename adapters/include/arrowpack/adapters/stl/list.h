// std::list -> list.
#pragma once

#include <list>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"

namespace arrowpack {

template <typename T, typename A>
struct Converter<std::list<T, A>> : detail::ListWrite<std::list<T, A>> {
  /// Errors: TypeError when `v` is not a list, tuple or set; those of from_value() on the
  /// first element that fails, with "element i" in front of the message.
  static Result<std::list<T, A>> from_value(const Value& v, const SerializationContext& ctx) {
    std::list<T, A> out;
    ARROWPACK_RETURN_NOT_OK(detail::items_into<T>(v, ctx, [&](T&& x) { out.push_back(std::move(x)); }));
    return out;
  }
};

}  // namespace arrowpack

// std::set and std::unordered_set -> set (repeated elements collapse, as in Python); hash
// sets refuse buckets of chosen collisions (ReadLimits::max_bucket_keys).
#pragma once

#include <set>
#include <unordered_set>
#include <utility>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"

namespace arrowpack {

namespace detail {
template <typename S>
struct SetConverter {
  static constexpr bool kDefined = true;
  using T = typename S::value_type;
  static Result<Value> to_value(const S& s, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(auto items, detail::values_of(s, ctx));
    return Value::set(std::move(items));
  }
  static Status write(const S& s, ObjectWriter& w, const SerializationContext& ctx) {
    return detail::write_range(s, w, ctx, /*as_set=*/true);
  }
  static Result<S> read(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
    S out;
    ARROWPACK_RETURN_NOT_OK(detail::read_items<T>(
        c, ctx, [&](T&& x) { return check_bucket(out, *out.insert(std::move(x)).first, c.limits()); }));
    return out;
  }
  static Result<S> from_value(const Value& v, const SerializationContext& ctx) {
    S out;
    ARROWPACK_RETURN_NOT_OK(detail::items_into<T>(
        v, ctx, [&](T&& x) { return check_bucket(out, *out.insert(std::move(x)).first, ReadLimits{}); }));
    return out;
  }
};
}  // namespace detail

template <typename T, typename C, typename A>
struct Converter<std::set<T, C, A>> : detail::SetConverter<std::set<T, C, A>> {};
template <typename T, typename H, typename E, typename A>
struct Converter<std::unordered_set<T, H, E, A>> : detail::SetConverter<std::unordered_set<T, H, E, A>> {};

}  // namespace arrowpack

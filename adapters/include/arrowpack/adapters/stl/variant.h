// std::variant -> the active alternative. Reading picks the alternative whose own kind
// matches the value's, failing that the first that accepts it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "arrowpack/adapters/convert.h"

namespace arrowpack {

namespace detail {
template <typename T>
struct is_map_like : std::false_type {};
template <typename K, typename V, typename C, typename A>
struct is_map_like<std::map<K, V, C, A>> : std::true_type {};
template <typename K, typename V, typename H, typename E, typename A>
struct is_map_like<std::unordered_map<K, V, H, E, A>> : std::true_type {};
template <typename T>
struct is_set_like : std::false_type {};
template <typename T, typename C, typename A>
struct is_set_like<std::set<T, C, A>> : std::true_type {};
template <typename T, typename H, typename E, typename A>
struct is_set_like<std::unordered_set<T, H, E, A>> : std::true_type {};
template <typename T>
struct is_tuple_like : std::false_type {};
template <typename... Ts>
struct is_tuple_like<std::tuple<Ts...>> : std::true_type {};
template <typename A, typename B>
struct is_tuple_like<std::pair<A, B>> : std::true_type {};
template <typename T>
struct is_vector : std::false_type {};
template <typename T, typename A>
struct is_vector<std::vector<T, A>> : std::true_type {
  using value_type = T;
};

// The kind a C++ type is written as (kObject when it depends on the value or the context).
template <typename T>
constexpr Value::Kind natural_kind() {
  if constexpr (std::is_same_v<T, bool>)
    return Value::Kind::kBool;
  else if constexpr (std::is_integral_v<T>)
    return Value::Kind::kInt;
  else if constexpr (std::is_same_v<T, float>)
    return Value::Kind::kFloat;
  else if constexpr (std::is_floating_point_v<T>)
    return Value::Kind::kDouble;
  else if constexpr (std::is_same_v<T, std::string>)
    return Value::Kind::kString;
  else if constexpr (std::is_same_v<T, std::vector<std::byte>>)
    return Value::Kind::kBytes;
  else if constexpr (is_vector<T>::value) {
    return TensorScalar<typename is_vector<T>::value_type> ? Value::Kind::kNdarray : Value::Kind::kList;
  } else if constexpr (is_map_like<T>::value)
    return Value::Kind::kDict;
  else if constexpr (is_set_like<T>::value)
    return Value::Kind::kSet;
  else if constexpr (is_tuple_like<T>::value)
    return Value::Kind::kTuple;
  else if constexpr (std::is_same_v<T, TensorPtr>)
    return Value::Kind::kTensor;
  else if constexpr (std::is_same_v<T, std::shared_ptr<Buffer>>)
    return Value::Kind::kBuffer;
  else if constexpr (std::is_same_v<T, SparseTensorPtr>)
    return Value::Kind::kSparseTensor;
  else
    return Value::Kind::kObject;
}
}  // namespace detail

template <typename... Ts>
struct Converter<std::variant<Ts...>> {
  static constexpr bool kDefined = true;
  /// The errors of to_value() on the active alternative.
  static Result<Value> to_value(const std::variant<Ts...>& var, const SerializationContext& ctx) {
    return std::visit([&](const auto& x) { return arrowpack::to_value(x, ctx); }, var);
  }
  /// The errors of write_value() on the active alternative.
  static Status write(const std::variant<Ts...>& var, ObjectWriter& w, const SerializationContext& ctx) {
    return std::visit([&](const auto& x) { return write_value(x, w, ctx); }, var);
  }
  /// The alternative whose own kind matches the value's wins (a double stays a double in a
  /// variant<float, double>); failing that, the first alternative that accepts the value.
  /// Errors: TypeError when no alternative accepts it (their own errors are not kept).
  static Result<std::variant<Ts...>> from_value(const Value& v, const SerializationContext& ctx) {
    std::optional<std::variant<Ts...>> out;
    ((out || detail::natural_kind<Ts>() != v.kind() ? void() : try_one<Ts>(v, ctx, out)), ...);
    ((out ? void() : try_one<Ts>(v, ctx, out)), ...);
    if (!out) return Status::TypeError("no alternative of the variant accepts a ", v.kind_name());
    return std::move(*out);
  }

 private:
  template <typename T>
  static void try_one(const Value& v, const SerializationContext& ctx, std::optional<std::variant<Ts...>>& out) {
    auto r = arrowpack::from_value<T>(v, ctx);
    if (r.ok()) out.emplace(std::in_place_type<T>, std::move(r).value());
  }
};

}  // namespace arrowpack

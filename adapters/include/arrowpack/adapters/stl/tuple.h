// std::tuple and std::pair -> tuple (a list is accepted on reading).
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"

namespace arrowpack {

template <typename... Ts>
struct Converter<std::tuple<Ts...>> {
  static constexpr bool kDefined = true;
  /// Errors: those of to_value() on the first element that fails.
  static Result<Value> to_value(const std::tuple<Ts...>& t, const SerializationContext& ctx) {
    std::vector<Value> items;
    Status st;
    std::apply(
        [&](const auto&... xs) { ((st.ok() ? void(add(items, st, arrowpack::to_value(xs, ctx))) : void()), ...); }, t);
    ARROWPACK_RETURN_NOT_OK(st);
    return Value::tuple(std::move(items));
  }
  /// Errors: those of ObjectWriter::begin_tuple(), of write_value() on the first element that
  /// fails, and of ObjectWriter::end().
  static Status write(const std::tuple<Ts...>& t, ObjectWriter& w, const SerializationContext& ctx) {
    ARROWPACK_RETURN_NOT_OK(w.begin_tuple());
    Status st;
    std::apply([&](const auto&... xs) { ((st = st.ok() ? write_value(xs, w, ctx) : st), ...); }, t);
    ARROWPACK_RETURN_NOT_OK(st);
    return w.end();
  }
  /// Errors: TypeError when `v` is not a list, tuple or set of sizeof...(Ts) elements; those
  /// of from_value() on the first element that fails.
  static Result<std::tuple<Ts...>> from_value(const Value& v, const SerializationContext& ctx) {
    const std::vector<Value>* items = detail::sequence_items(v);
    if (!items || items->size() != sizeof...(Ts)) {
      return Status::TypeError("expected a tuple of ", sizeof...(Ts), " elements, got ", v.kind_name());
    }
    return from_items(*items, ctx, std::index_sequence_for<Ts...>{});
  }

 private:
  static void add(std::vector<Value>& items, Status& st, Result<Value> r) {
    if (r.ok()) {
      items.push_back(std::move(r).value());
    } else {
      st = r.status();
    }
  }
  template <std::size_t... I>
  static Result<std::tuple<Ts...>> from_items(const std::vector<Value>& items, const SerializationContext& ctx,
                                              std::index_sequence<I...>) {
    std::tuple<Result<Ts>...> parts{arrowpack::from_value<Ts>(items[I], ctx)...};
    Status st;
    ((st.ok() && !std::get<I>(parts).ok() ? void(st = std::get<I>(parts).status()) : void()), ...);
    ARROWPACK_RETURN_NOT_OK(st);
    return std::tuple<Ts...>{std::move(std::get<I>(parts)).value()...};
  }
};

template <typename A, typename B>
struct Converter<std::pair<A, B>> {
  static constexpr bool kDefined = true;
  /// Errors: those of to_value() on `first`, then on `second`.
  static Result<Value> to_value(const std::pair<A, B>& p, const SerializationContext& ctx) {
    // Straight from p's members: views (ndarrays of vectors) must point into p, not a copy.
    ARROWPACK_ASSIGN_OR_RAISE(Value first, arrowpack::to_value(p.first, ctx));
    ARROWPACK_ASSIGN_OR_RAISE(Value second, arrowpack::to_value(p.second, ctx));
    return Value::tuple({std::move(first), std::move(second)});
  }
  /// Errors: those of ObjectWriter::begin_tuple(), of write_value() on `first`, then on
  /// `second`, and of ObjectWriter::end().
  static Status write(const std::pair<A, B>& p, ObjectWriter& w, const SerializationContext& ctx) {
    ARROWPACK_RETURN_NOT_OK(w.begin_tuple());
    ARROWPACK_RETURN_NOT_OK(write_value(p.first, w, ctx));
    ARROWPACK_RETURN_NOT_OK(write_value(p.second, w, ctx));
    return w.end();
  }
  /// As a std::tuple<A, B>. Errors: TypeError when `v` is not a list, tuple or set of two
  /// elements; those of from_value() on the first of the two that fails.
  static Result<std::pair<A, B>> from_value(const Value& v, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, (Converter<std::tuple<A, B>>::from_value(v, ctx)));
    return std::pair<A, B>(std::move(std::get<0>(t)), std::move(std::get<1>(t)));
  }
};

}  // namespace arrowpack

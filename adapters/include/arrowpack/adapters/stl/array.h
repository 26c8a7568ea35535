// std::array -> list; arrays of doubles or int64s go in and out in bulk.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"

namespace arrowpack {

template <typename T, std::size_t N>
struct Converter<std::array<T, N>> : detail::ListWrite<std::array<T, N>> {
  /// Errors: those of ObjectWriter::begin_list() and ObjectWriter::end(), and of
  /// write_value() on each element (of ObjectWriter::float64s() or integers(), for doubles and
  /// int64s).
  static Status write(const std::array<T, N>& xs, ObjectWriter& w, const SerializationContext& ctx) {
    if constexpr (detail::kBulkNumber<T>) {
      return detail::write_bulk(std::span<const T>(xs), w);
    } else {
      return detail::write_range(xs, w, ctx);
    }
  }
  /// Errors: for an element that is not a container of N elements, those of
  /// ObjectReader::Cursor::value(), then the TypeError of from_value(); TypeError for a dict;
  /// CapacityError when the elements exceed the read budget (Cursor::charge()),
  /// ReadLimits::max_elements or max_depth; those of read_value() on the first element that
  /// fails, with "element i" in front of the message.
  static Result<std::array<T, N>> read(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
    std::array<T, N> out{};
    std::size_t i = 0;
    if (auto n = c.size(); !n.ok() || *n != static_cast<std::int64_t>(N)) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, c.value());
      return from_value(v, ctx);  // the precise error
    }
    if constexpr (detail::kBulkNumber<T>) {
      if (detail::read_bulk(c, std::span<T>(out))) return out;
    }
    ARROWPACK_RETURN_NOT_OK(detail::read_items<T>(c, ctx, [&](T&& x) { out[i++] = std::move(x); }));
    return out;
  }
  /// Errors: TypeError when `v` is not a list, tuple or set of N elements; those of
  /// from_value() on the first element that fails, with "element i" in front of the message.
  static Result<std::array<T, N>> from_value(const Value& v, const SerializationContext& ctx) {
    const std::vector<Value>* items = detail::sequence_items(v);
    if (!items || items->size() != N) {
      return Status::TypeError("expected a sequence of ", N, " elements, got ", v.kind_name(),
                               items ? " of " + std::to_string(items->size()) : std::string());
    }
    std::array<T, N> out{};
    for (std::size_t i = 0; i < N; ++i) {
      auto r = arrowpack::from_value<T>((*items)[i], ctx);
      if (!r.ok()) return r.status().with_context("element " + std::to_string(i));
      out[i] = std::move(r).value();
    }
    return out;
  }
};

}  // namespace arrowpack

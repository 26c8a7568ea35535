// Internal to the STL converters (namespace detail, not part of the API): how containers
// hand their elements to the writer and take them from a reader, charging each element to
// the read budget first and refusing hash buckets of chosen collisions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/core/hash.h"

namespace arrowpack {

namespace detail {
inline const std::vector<Value>* sequence_items(const Value& v) {
  if (const List* l = v.as<List>()) return &l->items;
  if (const Tuple* t = v.as<Tuple>()) return &t->items;
  if (const Set* s = v.as<Set>()) return &s->items;
  return nullptr;
}

// Hands one element to a container's output: `out` may return nothing or a Status.
template <typename Out, typename T>
Status put_item(Out& out, T&& x) {
  if constexpr (std::is_same_v<std::invoke_result_t<Out&, T&&>, Status>) {
    return out(std::forward<T>(x));
  } else {
    out(std::forward<T>(x));
    return Status::OK();
  }
}

// For hash containers: refuses a bucket holding more than limits.max_bucket_keys keys, the
// mark of keys chosen to collide under an unkeyed hash (filling the container would take
// quadratic time). O(bucket) per key, so at most O(max_bucket_keys) before the refusal.
template <typename C>
Status check_bucket(const C& container, const typename C::key_type& key, const ReadLimits& limits) {
  if constexpr (requires { container.bucket_size(container.bucket(key)); }) {
    if (static_cast<std::int64_t>(container.size()) > limits.max_bucket_keys) {
      const auto n = static_cast<std::int64_t>(container.bucket_size(container.bucket(key)));
      if (n > limits.max_bucket_keys) {
        return Status::CapacityError(n, " of ", container.size(),
                                     " keys share one bucket of a hash container: keys chosen to collide under its ",
                                     "hash (std::hash is not keyed); ReadLimits::max_bucket_keys = ",
                                     limits.max_bucket_keys, " (use arrowpack::KeyedBytesHash for string keys)");
      }
    }
  }
  return Status::OK();
}

template <typename T, typename Out>
Status items_into(const Value& v, const SerializationContext& ctx, Out&& out) {
  const std::vector<Value>* items = sequence_items(v);
  if (!items) return Status::TypeError("expected a list, tuple or set, got ", v.kind_name());
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto r = from_value<T>((*items)[i], ctx);
    if (!r.ok()) return r.status().with_context("element " + std::to_string(i));
    ARROWPACK_RETURN_NOT_OK(put_item(out, std::move(r).value()));
  }
  return Status::OK();
}

// What one element of a container of T costs in memory, as charged to the read budget (the
// element and two pointers of node or slack).
template <typename T>
inline constexpr std::int64_t kElementCost = static_cast<std::int64_t>(sizeof(T) + 2 * sizeof(void*));

// Reads every element of a list/tuple/set cursor as T. Every element is charged to the read
// budget before the first is read; then `reserve` is told how many there are.
template <typename T, typename Out, typename Reserve = void (*)(std::int64_t)>
Status read_items(
    const ObjectReader::Cursor& c, const SerializationContext& ctx, Out&& out,
    Reserve&& reserve = [](std::int64_t) {}) {
  if (c.kind() != Value::Kind::kList && c.kind() != Value::Kind::kTuple && c.kind() != Value::Kind::kSet) {
    ARROWPACK_ASSIGN_OR_RAISE(Value v, c.value());
    return Status::TypeError("expected a list, tuple or set, got ", v.kind_name());
  }
  ARROWPACK_ASSIGN_OR_RAISE(std::int64_t n, c.size());
  ARROWPACK_RETURN_NOT_OK(c.charge(n * kElementCost<T>));
  reserve(n);
  // The element cursors come a batch at a time (one call and one count per batch).
  constexpr std::int64_t kBatch = 32;
  std::array<ObjectReader::Cursor, kBatch> batch;
  for (std::int64_t first = 0; first < n; first += kBatch) {
    const std::int64_t m = std::min(kBatch, n - first);
    ARROWPACK_RETURN_NOT_OK(c.elements(first, std::span(batch.data(), static_cast<std::size_t>(m))));
    for (std::int64_t j = 0; j < m; ++j) {
      auto r = read_value<T>(batch[static_cast<std::size_t>(j)], ctx);
      if (!r.ok()) return r.status().with_context("element " + std::to_string(first + j));
      ARROWPACK_RETURN_NOT_OK(put_item(out, std::move(r).value()));
    }
  }
  return Status::OK();
}

// std::array of doubles or int64s (an inline list, unlike vectors of numbers, which go out
// of band) goes in and out in bulk (ObjectWriter::float64s, Cursor::float64s).
template <typename T>
inline constexpr bool kBulkNumber = std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>;

template <typename T>
Status write_bulk(std::span<const T> xs, ObjectWriter& w) {
  ARROWPACK_RETURN_NOT_OK(w.begin_list());
  if constexpr (std::is_same_v<T, double>) {
    ARROWPACK_RETURN_NOT_OK(w.float64s(xs));
  } else {
    ARROWPACK_RETURN_NOT_OK(w.integers(xs));
  }
  return w.end();
}

// Reads every element of `c` into `out` in bulk; false when the elements are not all of
// the kind (the caller then takes the element-wise path, which names the culprit).
template <typename T>
bool read_bulk(const ObjectReader::Cursor& c, std::span<T> out) {
  if constexpr (std::is_same_v<T, double>) {
    return c.float64s(out).ok();
  } else {
    return c.integers(out).ok();
  }
}

// Streams a range as a list (or tuple/set) without building Values.
template <typename Range>
Status write_range(const Range& range, ObjectWriter& w, const SerializationContext& ctx, bool as_set = false) {
  ARROWPACK_RETURN_NOT_OK(as_set ? w.begin_set() : w.begin_list());
  for (const auto& x : range) ARROWPACK_RETURN_NOT_OK(write_value(x, w, ctx));
  return w.end();
}

template <typename Range>
Result<std::vector<Value>> values_of(const Range& range, const SerializationContext& ctx) {
  std::vector<Value> out;
  out.reserve(range.size());
  for (const auto& x : range) {
    ARROWPACK_ASSIGN_OR_RAISE(Value v, to_value(x, ctx));
    out.push_back(std::move(v));
  }
  return out;
}
// The write side of a container that travels as a list (vector, list, array): its elements
// as a list Value, or streamed into the writer. Converters derive from it and add reading.
template <typename C>
struct ListWrite {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const C& xs, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(auto items, values_of(xs, ctx));
    return Value::list(std::move(items));
  }
  static Status write(const C& xs, ObjectWriter& w, const SerializationContext& ctx) { return write_range(xs, w, ctx); }
};
}  // namespace detail

}  // namespace arrowpack

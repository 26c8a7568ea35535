// Converters for arithmetic types, strings and the standard containers.
//   bool -> bool; integers and enums -> int (uint64 above 2^63-1 is refused); float -> float32;
//   double -> float64; std::string -> string; std::vector<std::byte> -> bytes;
//   std::vector/std::array/std::list -> list; std::map/std::unordered_map -> dict;
//   std::set/std::unordered_set -> set; std::pair/std::tuple -> tuple;
//   std::optional -> None or the value; std::variant -> the active alternative.
// Reading accepts what pyarrow writes for the same Python shapes (a list where a tuple is
// expected, an int where a double is) and checks ranges and sizes. A std::vector of row
// types also reads from the columnar form, one table (columnar.h).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "arrowpack/adapters/columnar.h"
#include "arrowpack/adapters/convert.h"
#include "arrowpack/core/half_float.h"
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
}  // namespace detail

template <>
struct Converter<Value> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const Value& v, const SerializationContext&) { return v; }
  static Result<Value> from_value(const Value& v, const SerializationContext&) { return v; }
  static Status write(const Value& v, ObjectWriter& w, const SerializationContext&) { return w.value(v); }
  static Result<Value> read(const ObjectReader::Cursor& c, const SerializationContext&) { return c.value(); }
};

template <>
struct Converter<bool> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(bool b, const SerializationContext&) { return Value(b); }
  static Status write(bool b, ObjectWriter& w, const SerializationContext&) { return w.boolean(b); }
  static Result<bool> read(const ObjectReader::Cursor& c, const SerializationContext&) { return c.boolean(); }
  static Result<bool> from_value(const Value& v, const SerializationContext&) {
    if (const bool* b = v.as<bool>()) return *b;
    return Status::TypeError("expected a bool, got ", v.kind_name());
  }
};

template <typename I>
struct Converter<I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(I x, const SerializationContext&) {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) {
      if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return Status::CapacityError("unsigned value ", x, " does not fit the int64 of the format");
      }
    }
    return Value(static_cast<std::int64_t>(x));
  }
  static Status write(I x, ObjectWriter& w, const SerializationContext& ctx) {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) {
      if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return to_value(x, ctx).status();
      }
    }
    return w.integer(static_cast<std::int64_t>(x));
  }
  static Result<I> from_value(const Value& v, const SerializationContext&) {
    const std::int64_t* p = v.as<std::int64_t>();
    if (!p) return Status::TypeError("expected an integer, got ", v.kind_name());
    return narrow(*p);
  }
  static Result<I> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(std::int64_t x, c.integer());
    return narrow(x);
  }

 private:
  static Result<I> narrow(std::int64_t x) {
    if constexpr (std::is_signed_v<I>) {
      if (x < std::numeric_limits<I>::min() || x > std::numeric_limits<I>::max()) {
        return Status::Invalid("integer ", x, " out of range for a ", sizeof(I) * 8, "-bit integer");
      }
    } else {
      if (x < 0 || static_cast<std::uint64_t>(x) > std::numeric_limits<I>::max()) {
        return Status::Invalid("integer ", x, " out of range for an unsigned ", sizeof(I) * 8, "-bit integer");
      }
    }
    return static_cast<I>(x);
  }
};

/// Enums with a fixed underlying type (detail::IntegerEnum) travel as that integer (an int in
/// Python); reading checks that the int fits the underlying type.
template <typename E>
struct Converter<E, std::enable_if_t<detail::IntegerEnum<E>>> {
  static constexpr bool kDefined = true;
  using Under = std::underlying_type_t<E>;
  static Result<Value> to_value(E x, const SerializationContext& c) {
    return Converter<Under>::to_value(static_cast<Under>(x), c);
  }
  static Status write(E x, ObjectWriter& w, const SerializationContext& c) {
    return Converter<Under>::write(static_cast<Under>(x), w, c);
  }
  static Result<E> from_value(const Value& v, const SerializationContext& c) {
    ARROWPACK_ASSIGN_OR_RAISE(Under u, Converter<Under>::from_value(v, c));
    return static_cast<E>(u);
  }
  static Result<E> read(const ObjectReader::Cursor& cur, const SerializationContext& c) {
    ARROWPACK_ASSIGN_OR_RAISE(Under u, Converter<Under>::read(cur, c));
    return static_cast<E>(u);
  }
};

template <typename F>
struct Converter<F, std::enable_if_t<std::is_floating_point_v<F>>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(F x, const SerializationContext&) {
    if constexpr (sizeof(F) == 4) {
      return Value(static_cast<float>(x));
    } else {
      return Value(static_cast<double>(x));
    }
  }
  static Status write(F x, ObjectWriter& w, const SerializationContext&) {
    if constexpr (sizeof(F) == 4) {
      return w.float32(static_cast<float>(x));
    } else {
      return w.float64(static_cast<double>(x));
    }
  }
  static Result<F> from_value(const Value& v, const SerializationContext&) {
    if (const double* d = v.as<double>()) return narrow(*d);
    if (const float* f = v.as<float>()) return static_cast<F>(*f);
    if (const Half* h = v.as<Half>()) return static_cast<F>(half_to_double(h->bits));
    if (const std::int64_t* i = v.as<std::int64_t>()) return static_cast<F>(*i);
    return Status::TypeError("expected a number, got ", v.kind_name());
  }
  // double -> float is undefined beyond float's range: refuse instead.
  static Result<F> narrow(double d) {
    if constexpr (sizeof(F) < sizeof(double)) {
      if (std::isfinite(d) && std::fabs(d) > static_cast<double>(std::numeric_limits<F>::max())) {
        return Status::Invalid("value ", d, " out of range for a float");
      }
    }
    return static_cast<F>(d);
  }
  static Result<F> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    if (c.kind() == Value::Kind::kFloat) return static_cast<F>(*c.float32());
    ARROWPACK_ASSIGN_OR_RAISE(double d, c.float64());
    return narrow(d);
  }
};

template <>
struct Converter<std::string> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const std::string& s, const SerializationContext&) { return Value(s); }
  static Status write(const std::string& s, ObjectWriter& w, const SerializationContext&) { return w.string(s); }
  static Result<std::string> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    if (c.kind() == Value::Kind::kBytes) {
      ARROWPACK_ASSIGN_OR_RAISE(auto b, c.bytes());
      return std::string(b);
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto s, c.string());
    return std::string(s);
  }
  static Result<std::string> from_value(const Value& v, const SerializationContext&) {
    if (const std::string* s = v.as<std::string>()) return *s;
    if (const Bytes* b = v.as<Bytes>()) return b->data;
    return Status::TypeError("expected a string, got ", v.kind_name());
  }
};

template <>
struct Converter<std::vector<std::byte>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const std::vector<std::byte>& b, const SerializationContext&) {
    return Value::bytes(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  static Status write(const std::vector<std::byte>& b, ObjectWriter& w, const SerializationContext&) {
    return w.bytes(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  static Result<std::vector<std::byte>> from_value(const Value& v, const SerializationContext&) {
    const Bytes* b = v.as<Bytes>();
    if (!b) return Status::TypeError("expected bytes, got ", v.kind_name());
    const auto* p = reinterpret_cast<const std::byte*>(b->data.data());
    return std::vector<std::byte>(p, p + b->data.size());
  }
};

template <>
struct Converter<TensorPtr> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const TensorPtr& t, const SerializationContext&) { return Value(t); }
  static Status write(const TensorPtr& t, ObjectWriter& w, const SerializationContext&) { return w.tensor(t); }
  static Result<TensorPtr> read(const ObjectReader::Cursor& c, const SerializationContext&) { return c.tensor(); }
  static Result<TensorPtr> from_value(const Value& v, const SerializationContext&) {
    if (const TensorPtr* t = v.as<TensorPtr>()) return *t;
    if (const Ndarray* a = v.as<Ndarray>()) return a->tensor;
    return Status::TypeError("expected a tensor, got ", v.kind_name());
  }
};

template <>
struct Converter<SparseTensorPtr> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const SparseTensorPtr& t, const SerializationContext&) { return Value(t); }
  static Status write(const SparseTensorPtr& t, ObjectWriter& w, const SerializationContext&) {
    return w.sparse_tensor(t);
  }
  static Result<SparseTensorPtr> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    return c.sparse_tensor();
  }
  static Result<SparseTensorPtr> from_value(const Value& v, const SerializationContext&) {
    if (const SparseTensorPtr* t = v.as<SparseTensorPtr>()) return *t;
    return Status::TypeError("expected a sparse tensor, got ", v.kind_name());
  }
};

template <>
struct Converter<std::shared_ptr<Buffer>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const std::shared_ptr<Buffer>& b, const SerializationContext&) { return Value(b); }
  static Status write(const std::shared_ptr<Buffer>& b, ObjectWriter& w, const SerializationContext&) {
    return w.buffer(b);
  }
  static Result<std::shared_ptr<Buffer>> from_value(const Value& v, const SerializationContext&) {
    if (const auto* b = v.as<std::shared_ptr<Buffer>>()) return *b;
    return Status::TypeError("expected a buffer, got ", v.kind_name());
  }
};

/// Read-only view of the elements of a received 1-d tensor, and what keeps them alive.
template <typename T>
struct SpanView {
  std::span<const T> span;
  std::shared_ptr<const Buffer> keep_alive;
};

namespace detail {
// A 1-d tensor over caller memory: travels out of band, not copied.
template <typename T>
Result<Value> numbers_out_of_band(const T* data, std::size_t n) {
  ARROWPACK_ASSIGN_OR_RAISE(auto t,
                            Tensor::make(scalar_type<T>(), Buffer::wrap(data, static_cast<std::int64_t>(n * sizeof(T))),
                                         {static_cast<std::int64_t>(n)}));
  return Value::ndarray(std::move(t));
}

// The 1-d tensor inside `v` if it holds T elements contiguously, else an error.
template <typename T>
Result<TensorPtr> numbers_tensor(const Value& v) {
  const TensorPtr* t = nullptr;
  if (const Ndarray* a = v.as<Ndarray>()) t = &a->tensor;
  if (!t) t = v.as<TensorPtr>();
  if (!t) return Status::TypeError("expected a tensor of numbers, got ", v.kind_name());
  if (!(*t)->type()->equals(*scalar_type<T>())) {
    return Status::TypeError("tensor of ", (*t)->type()->to_string(), ", expected ", scalar_type<T>()->to_string());
  }
  if ((*t)->ndim() != 1) return Status::TypeError("tensor of ", (*t)->ndim(), " dimensions, expected 1");
  return *t;
}
}  // namespace detail

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

namespace detail {
// A span over the elements of a contiguous, aligned 1-d tensor.
template <typename T>
Result<std::span<const T>> span_of(const TensorPtr& t) {
  if (t->size() > 1 && t->strides()[0] != static_cast<std::int64_t>(sizeof(T))) {
    return Status::Invalid("tensor elements are not contiguous; read a std::vector instead");
  }
  if (reinterpret_cast<std::uintptr_t>(t->data()->data()) % alignof(T) != 0) {
    return Status::Invalid("tensor data is not aligned for its elements");
  }
  return std::span<const T>(reinterpret_cast<const T*>(t->data()->data()), static_cast<std::size_t>(t->size()));
}
}  // namespace detail

/// Spans of numbers go out of band like vectors (no copy). They are written only: a span
/// read back could outlive the memory it views, so reading uses SpanView<T>, which holds it.
template <typename T, std::size_t E>
struct Converter<std::span<const T, E>, std::enable_if_t<detail::TensorScalar<T>>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(std::span<const T, E> xs, const SerializationContext&) {
    return detail::numbers_out_of_band(xs.data(), xs.size());
  }
  static Result<std::span<const T, E>> from_value(const Value&, const SerializationContext&) = delete;
};

template <typename T>
struct Converter<SpanView<T>, std::enable_if_t<detail::TensorScalar<T>>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const SpanView<T>& v, const SerializationContext&) {
    return detail::numbers_out_of_band(v.span.data(), v.span.size());
  }
  static Result<SpanView<T>> from_value(const Value& v, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, detail::numbers_tensor<T>(v));
    ARROWPACK_ASSIGN_OR_RAISE(auto span, detail::span_of<T>(t));
    return SpanView<T>{span, t->data()};
  }
};

template <typename T, typename A>
struct Converter<std::vector<T, A>, std::enable_if_t<!std::is_same_v<T, std::byte> && !detail::TensorScalar<T>>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const std::vector<T, A>& xs, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(auto items, detail::values_of(xs, ctx));
    return Value::list(std::move(items));
  }
  static Status write(const std::vector<T, A>& xs, ObjectWriter& w, const SerializationContext& ctx) {
    return detail::write_range(xs, w, ctx);
  }
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

template <typename T, std::size_t N>
struct Converter<std::array<T, N>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const std::array<T, N>& xs, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(auto items, detail::values_of(xs, ctx));
    return Value::list(std::move(items));
  }
  static Status write(const std::array<T, N>& xs, ObjectWriter& w, const SerializationContext& ctx) {
    if constexpr (detail::kBulkNumber<T>) {
      return detail::write_bulk(std::span<const T>(xs), w);
    } else {
      return detail::write_range(xs, w, ctx);
    }
  }
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

namespace detail {
template <typename M>
struct MapConverter {
  static constexpr bool kDefined = true;
  using K = typename M::key_type;
  using V = typename M::mapped_type;
  // The last of repeated keys wins, as in Python (and for values that cannot be assigned).
  static Status put_last(M& m, K&& key, V&& value, const ReadLimits& limits) {
    auto it = m.find(key);
    if (it != m.end()) m.erase(it);
    it = m.emplace(std::move(key), std::move(value)).first;
    return check_bucket(m, it->first, limits);
  }
  static Result<Value> to_value(const M& m, const SerializationContext& ctx) {
    std::vector<std::pair<Value, Value>> entries;
    entries.reserve(m.size());
    for (const auto& [k, v] : m) {
      ARROWPACK_ASSIGN_OR_RAISE(Value key, arrowpack::to_value(k, ctx));
      ARROWPACK_ASSIGN_OR_RAISE(Value val, arrowpack::to_value(v, ctx));
      entries.emplace_back(std::move(key), std::move(val));
    }
    return Value::dict(std::move(entries));
  }
  static Status write(const M& m, ObjectWriter& w, const SerializationContext& ctx) {
    ARROWPACK_RETURN_NOT_OK(w.begin_dict());
    for (const auto& [k, v] : m) {
      ARROWPACK_RETURN_NOT_OK(write_value(k, w, ctx));
      ARROWPACK_RETURN_NOT_OK(write_value(v, w, ctx));
    }
    return w.end();
  }
  static Result<M> read(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
    if (c.kind() != Value::Kind::kDict) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, c.value());
      return from_value(v, ctx);
    }
    ARROWPACK_ASSIGN_OR_RAISE(std::int64_t n, c.size());
    ARROWPACK_RETURN_NOT_OK(c.charge(n * (kElementCost<K> + kElementCost<V>)));
    M out;
    for (std::int64_t i = 0; i < n; ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(auto kc, c.key(i));
      ARROWPACK_ASSIGN_OR_RAISE(auto vc, c.value_of(i));
      ARROWPACK_ASSIGN_OR_RAISE(K key, read_value<K>(kc, ctx));
      auto val = read_value<V>(vc, ctx);
      if (!val.ok()) return val.status().with_context("dict value " + std::to_string(i));
      ARROWPACK_RETURN_NOT_OK(put_last(out, std::move(key), std::move(val).value(), c.limits()));
    }
    return out;
  }
  static Result<M> from_value(const Value& v, const SerializationContext& ctx) {
    const Dict* d = v.as<Dict>();
    if (!d) return Status::TypeError("expected a dict, got ", v.kind_name());
    M out;
    for (const auto& e : d->entries()) {
      ARROWPACK_ASSIGN_OR_RAISE(K key, arrowpack::from_value<K>(e.key, ctx));
      auto val = arrowpack::from_value<V>(e.value, ctx);
      if (!val.ok()) return val.status().with_context("dict value of " + e.key.to_string());
      ARROWPACK_RETURN_NOT_OK(put_last(out, std::move(key), std::move(val).value(), ReadLimits{}));
    }
    return out;
  }
};

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

template <typename K, typename V, typename C, typename A>
struct Converter<std::map<K, V, C, A>> : detail::MapConverter<std::map<K, V, C, A>> {};
template <typename K, typename V, typename H, typename E, typename A>
struct Converter<std::unordered_map<K, V, H, E, A>> : detail::MapConverter<std::unordered_map<K, V, H, E, A>> {};
template <typename T, typename C, typename A>
struct Converter<std::set<T, C, A>> : detail::SetConverter<std::set<T, C, A>> {};
template <typename T, typename H, typename E, typename A>
struct Converter<std::unordered_set<T, H, E, A>> : detail::SetConverter<std::unordered_set<T, H, E, A>> {};

template <typename... Ts>
struct Converter<std::tuple<Ts...>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const std::tuple<Ts...>& t, const SerializationContext& ctx) {
    std::vector<Value> items;
    Status st;
    std::apply(
        [&](const auto&... xs) { ((st.ok() ? void(add(items, st, arrowpack::to_value(xs, ctx))) : void()), ...); }, t);
    ARROWPACK_RETURN_NOT_OK(st);
    return Value::tuple(std::move(items));
  }
  static Status write(const std::tuple<Ts...>& t, ObjectWriter& w, const SerializationContext& ctx) {
    ARROWPACK_RETURN_NOT_OK(w.begin_tuple());
    Status st;
    std::apply([&](const auto&... xs) { ((st = st.ok() ? write_value(xs, w, ctx) : st), ...); }, t);
    ARROWPACK_RETURN_NOT_OK(st);
    return w.end();
  }
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
  static Result<Value> to_value(const std::pair<A, B>& p, const SerializationContext& ctx) {
    // Straight from p's members: views (ndarrays of vectors) must point into p, not a copy.
    ARROWPACK_ASSIGN_OR_RAISE(Value first, arrowpack::to_value(p.first, ctx));
    ARROWPACK_ASSIGN_OR_RAISE(Value second, arrowpack::to_value(p.second, ctx));
    return Value::tuple({std::move(first), std::move(second)});
  }
  static Status write(const std::pair<A, B>& p, ObjectWriter& w, const SerializationContext& ctx) {
    ARROWPACK_RETURN_NOT_OK(w.begin_tuple());
    ARROWPACK_RETURN_NOT_OK(write_value(p.first, w, ctx));
    ARROWPACK_RETURN_NOT_OK(write_value(p.second, w, ctx));
    return w.end();
  }
  static Result<std::pair<A, B>> from_value(const Value& v, const SerializationContext& ctx) {
    ARROWPACK_ASSIGN_OR_RAISE(auto t, (Converter<std::tuple<A, B>>::from_value(v, ctx)));
    return std::pair<A, B>(std::move(std::get<0>(t)), std::move(std::get<1>(t)));
  }
};

template <typename T>
struct Converter<std::optional<T>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const std::optional<T>& o, const SerializationContext& ctx) {
    if (!o) return Value();
    return arrowpack::to_value(*o, ctx);
  }
  static Status write(const std::optional<T>& o, ObjectWriter& w, const SerializationContext& ctx) {
    return o ? write_value(*o, w, ctx) : w.none();
  }
  static Result<std::optional<T>> read(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
    if (c.is_none()) return std::optional<T>();
    ARROWPACK_ASSIGN_OR_RAISE(T x, read_value<T>(c, ctx));
    return std::optional<T>(std::move(x));
  }
  static Result<std::optional<T>> from_value(const Value& v, const SerializationContext& ctx) {
    if (v.is_none()) return std::optional<T>();
    ARROWPACK_ASSIGN_OR_RAISE(T x, arrowpack::from_value<T>(v, ctx));
    return std::optional<T>(std::move(x));
  }
};

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
  static Result<Value> to_value(const std::variant<Ts...>& var, const SerializationContext& ctx) {
    return std::visit([&](const auto& x) { return arrowpack::to_value(x, ctx); }, var);
  }
  static Status write(const std::variant<Ts...>& var, ObjectWriter& w, const SerializationContext& ctx) {
    return std::visit([&](const auto& x) { return write_value(x, w, ctx); }, var);
  }
  /// The alternative whose own kind matches the value's wins (a double stays a double in a
  /// variant<float, double>); failing that, the first alternative that accepts the value.
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

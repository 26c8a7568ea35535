// Converters for the scalars: Value itself; bool -> bool; integers and enums (with a fixed
// underlying type) -> int (uint64 above 2^63-1 is refused); float -> float32; double ->
// float64; std::string -> string (UTF-8 checked); std::vector<std::byte> -> bytes. Reading
// accepts what pyarrow writes for the same Python values (an int where a double is
// expected) and checks ranges.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"
#include "arrowpack/core/half_float.h"

namespace arrowpack {

template <>
struct Converter<Value> {
  static constexpr bool kDefined = true;
  /// A copy of `v`; never fails.
  static Result<Value> to_value(const Value& v, const SerializationContext&) { return v; }
  /// A copy of `v`; never fails.
  static Result<Value> from_value(const Value& v, const SerializationContext&) { return v; }
  /// The errors of ObjectWriter::value().
  static Status write(const Value& v, ObjectWriter& w, const SerializationContext&) { return w.value(v); }
  /// The errors of ObjectReader::Cursor::value().
  static Result<Value> read(const ObjectReader::Cursor& c, const SerializationContext&) { return c.value(); }
};

template <>
struct Converter<bool> {
  static constexpr bool kDefined = true;
  /// Errors: none.
  static Result<Value> to_value(bool b, const SerializationContext&) { return Value(b); }
  /// The errors of ObjectWriter::boolean().
  static Status write(bool b, ObjectWriter& w, const SerializationContext&) { return w.boolean(b); }
  /// Errors: TypeError when the element is not a bool.
  static Result<bool> read(const ObjectReader::Cursor& c, const SerializationContext&) { return c.boolean(); }
  /// Errors: TypeError when `v` is not a bool.
  static Result<bool> from_value(const Value& v, const SerializationContext&) {
    if (const bool* b = v.as<bool>()) return *b;
    return Status::TypeError("expected a bool, got ", v.kind_name());
  }
};

template <typename I>
struct Converter<I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>> {
  static constexpr bool kDefined = true;
  /// Errors: CapacityError for a 64-bit unsigned value above 2^63-1 (the format's integers
  /// are int64); none for the other types.
  static Result<Value> to_value(I x, const SerializationContext&) {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) {
      if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return Status::CapacityError("unsigned value ", x, " does not fit the int64 of the format");
      }
    }
    return Value(static_cast<std::int64_t>(x));
  }
  /// Errors: the CapacityError of to_value(); those of ObjectWriter::integer().
  static Status write(I x, ObjectWriter& w, const SerializationContext& ctx) {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) {
      if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return to_value(x, ctx).status();
      }
    }
    return w.integer(static_cast<std::int64_t>(x));
  }
  /// Errors: TypeError when `v` is not an integer; Invalid for one outside I's range.
  static Result<I> from_value(const Value& v, const SerializationContext&) {
    const std::int64_t* p = v.as<std::int64_t>();
    if (!p) return Status::TypeError("expected an integer, got ", v.kind_name());
    return narrow(*p);
  }
  /// Errors: TypeError when the element is not an integer; Invalid for one outside I's range.
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
  /// The errors of Converter<Under>::to_value() (CapacityError for a uint64 above 2^63-1).
  static Result<Value> to_value(E x, const SerializationContext& c) {
    return Converter<Under>::to_value(static_cast<Under>(x), c);
  }
  /// Errors: those of ObjectWriter::integer(); CapacityError for a uint64 above 2^63-1.
  static Status write(E x, ObjectWriter& w, const SerializationContext& c) {
    return Converter<Under>::write(static_cast<Under>(x), w, c);
  }
  /// The errors of Converter<Under>::from_value() (TypeError, or Invalid out of range).
  static Result<E> from_value(const Value& v, const SerializationContext& c) {
    ARROWPACK_ASSIGN_OR_RAISE(Under u, Converter<Under>::from_value(v, c));
    return static_cast<E>(u);
  }
  /// The errors of Converter<Under>::read() (TypeError, or Invalid out of range).
  static Result<E> read(const ObjectReader::Cursor& cur, const SerializationContext& c) {
    ARROWPACK_ASSIGN_OR_RAISE(Under u, Converter<Under>::read(cur, c));
    return static_cast<E>(u);
  }
};

template <typename F>
struct Converter<F, std::enable_if_t<std::is_floating_point_v<F>>> {
  static constexpr bool kDefined = true;
  /// Errors: none.
  static Result<Value> to_value(F x, const SerializationContext&) {
    if constexpr (sizeof(F) == 4) {
      return Value(static_cast<float>(x));
    } else {
      return Value(static_cast<double>(x));
    }
  }
  /// The errors of ObjectWriter::float32() for a float, of ObjectWriter::float64() otherwise.
  static Status write(F x, ObjectWriter& w, const SerializationContext&) {
    if constexpr (sizeof(F) == 4) {
      return w.float32(static_cast<float>(x));
    } else {
      return w.float64(static_cast<double>(x));
    }
  }
  /// Errors: TypeError when `v` is not a number (double, float, half or int); Invalid for a
  /// finite double beyond float's range, read as a float.
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
  /// Errors: TypeError when the element is not a number; Invalid for a finite double beyond
  /// float's range, read as a float.
  static Result<F> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    if (c.kind() == Value::Kind::kFloat) return static_cast<F>(*c.float32());
    ARROWPACK_ASSIGN_OR_RAISE(double d, c.float64());
    return narrow(d);
  }
};

template <>
struct Converter<std::string> {
  static constexpr bool kDefined = true;
  /// Errors: none (UTF-8 is checked when the string is written).
  static Result<Value> to_value(const std::string& s, const SerializationContext&) { return Value(s); }
  /// The errors of ObjectWriter::string() (TypeError for text that is not UTF-8).
  static Status write(const std::string& s, ObjectWriter& w, const SerializationContext&) { return w.string(s); }
  /// Errors: TypeError when the element is neither a string nor bytes.
  static Result<std::string> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    if (c.kind() == Value::Kind::kBytes) {
      ARROWPACK_ASSIGN_OR_RAISE(auto b, c.bytes());
      return std::string(b);
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto s, c.string());
    return std::string(s);
  }
  /// Errors: TypeError when `v` is neither a string nor bytes.
  static Result<std::string> from_value(const Value& v, const SerializationContext&) {
    if (const std::string* s = v.as<std::string>()) return *s;
    if (const Bytes* b = v.as<Bytes>()) return b->data;
    return Status::TypeError("expected a string, got ", v.kind_name());
  }
};

template <>
struct Converter<std::vector<std::byte>> {
  static constexpr bool kDefined = true;
  /// Errors: none.
  static Result<Value> to_value(const std::vector<std::byte>& b, const SerializationContext&) {
    return Value::bytes(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  /// The errors of ObjectWriter::bytes().
  static Status write(const std::vector<std::byte>& b, ObjectWriter& w, const SerializationContext&) {
    return w.bytes(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  }
  /// Errors: TypeError when `v` is not bytes.
  static Result<std::vector<std::byte>> from_value(const Value& v, const SerializationContext&) {
    const Bytes* b = v.as<Bytes>();
    if (!b) return Status::TypeError("expected bytes, got ", v.kind_name());
    const auto* p = reinterpret_cast<const std::byte*>(b->data.data());
    return std::vector<std::byte>(p, p + b->data.size());
  }
};

}  // namespace arrowpack

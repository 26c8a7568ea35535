// The typed front door: serialize(const T&) and deserialize<T>() for C++ values.
//
// How a T becomes a Value, in order:
//   1. a Converter<T> specialization: arithmetic types, std::string, the STL containers,
//      std::optional/std::variant (stl.h), Eigen matrices and tensors (eigen.h), or your own
//      (a converter wins over a registration of the same type);
//   2. a type registered in the context (its callbacks; checked at run time for aggregates,
//      for types with a fields hook and for types declared with ARROWPACK_DECLARE_REGISTERED);
//   3. a fields hook, member or found by ADL (`arrowpack_fields`, below): the tuple of the
//      fields it names, in order;
//   4. Boost.PFR reflection for plain aggregates (a tuple of the fields, in order), unless
//      the type opts out (arrowpack::reflect_aggregate, or Boost.PFR's own
//      boost::pfr::is_reflectable where the installed Boost has it);
//   5. otherwise a compile-time error that says what to do.
// Steps 3 and 4 put the same bytes on the wire: a type can move from one to the other.
#pragma once

#include <boost/pfr.hpp>
#if __has_include(<boost/pfr/traits.hpp>)  // Boost 1.84 and later
#include <boost/pfr/traits.hpp>
#define ARROWPACK_PFR_HAS_IS_REFLECTABLE 1
#endif

#include <array>
#include <concepts>
#include <new>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "arrowpack/registry/context.h"
#include "arrowpack/registry/object_reader.h"
#include "arrowpack/registry/object_writer.h"
#include "arrowpack/registry/serialize.h"
#include "arrowpack/registry/value.h"

namespace arrowpack {

/// Customisation point: specialise with
///   static Result<Value> to_value(const T&, const SerializationContext&);
///   static Result<T> from_value(const Value&, const SerializationContext&);
/// and `static constexpr bool kDefined = true;`. Optionally also
///   static Status write(const T&, ObjectWriter&, const SerializationContext&);
/// which streams the value without building a Value (the fast path of serialize()), and
///   static Result<T> read(const ObjectReader::Cursor&, const SerializationContext&);
/// which reads it without building one (the fast path of deserialize<T>()).
template <typename T, typename Enable = void>
struct Converter {
  static constexpr bool kDefined = false;
};

/// Declares that T is serialized through callbacks registered at run time (for class types
/// that are not aggregates). ARROWPACK_DECLARE_REGISTERED(T) at global scope sets it.
template <typename T>
struct is_registered_type : std::false_type {};

#define ARROWPACK_DECLARE_REGISTERED(T) \
  template <>                           \
  struct arrowpack::is_registered_type<T> : std::true_type {}

template <typename T>
concept HasConverter = Converter<std::remove_cvref_t<T>>::kDefined;

template <typename T>
concept HasWriter = HasConverter<T> && requires(const T& x, ObjectWriter& w, const SerializationContext& c) {
  { Converter<std::remove_cvref_t<T>>::write(x, w, c) } -> std::same_as<Status>;
};

template <typename T>
concept HasReader = HasConverter<T> && requires(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
  { Converter<std::remove_cvref_t<T>>::read(c, ctx) } -> std::same_as<Result<std::remove_cvref_t<T>>>;
};

/// Opt-out of Boost.PFR reflection: specialise as std::false_type for an aggregate that must
/// not travel field by field; it then needs a converter, a fields hook or a registration
/// (with ARROWPACK_DECLARE_REGISTERED). Boost.PFR's own opt-out,
/// boost::pfr::is_reflectable<T, arrowpack::PfrReflection> (Boost 1.84 and later), is honoured
/// too: a specialisation with value false opts out, one with value true keeps the default.
template <typename T>
struct reflect_aggregate : std::true_type {};

/// The `WhatFor` tag arrowpack passes to boost::pfr::is_reflectable.
struct PfrReflection {};

/// A fields hook: a class (an aggregate or not, with private members and constructors of its
/// own) travels as the tuple of the fields it names when it has
///   auto arrowpack_fields() { return std::tie(a_, b_); }                   (a member), or
///   friend auto arrowpack_fields(T& t) { return std::tie(t.a_, t.b_); }    (found by ADL)
/// returning a std::tuple of lvalue references to its fields, and is default constructible
/// (reading assigns the fields of a default-constructed T). The hook is called on a
/// non-const object; serializing only reads through the references.
template <typename T>
concept HasFieldsHook = std::is_class_v<T> && !HasConverter<T> && std::is_default_constructible_v<T> &&
                        (
                            requires(T & t) { t.arrowpack_fields(); } || requires(T & t) { arrowpack_fields(t); });

namespace detail {
template <typename T>
constexpr bool pfr_allowed() {
  if constexpr (!reflect_aggregate<T>::value) {
    return false;
#ifdef ARROWPACK_PFR_HAS_IS_REFLECTABLE
  } else if constexpr (requires { boost::pfr::is_reflectable<T, PfrReflection>::value; }) {
    return boost::pfr::is_reflectable<T, PfrReflection>::value;
#endif
  } else {
    return true;
  }
}
}  // namespace detail

/// Plain aggregates that Boost.PFR reflects (no converter, no fields hook, no opt-out).
template <typename T>
concept Reflectable = std::is_class_v<T> && std::is_aggregate_v<T> && !HasConverter<T> && !HasFieldsHook<T> &&
                      std::is_default_constructible_v<T> && detail::pfr_allowed<T>();

/// Types that travel as the tuple of their fields: a fields hook, or Boost.PFR.
template <typename T>
concept Fielded = HasFieldsHook<T> || Reflectable<T>;

namespace detail {
template <typename T>
inline constexpr bool kAlwaysFalse = false;

/// Numbers that travel as tensor elements (not bool, not char).
template <typename T>
concept TensorScalar =
    std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> && !std::is_same_v<T, long double>;

/// Enums that travel as their underlying integer: those with a fixed underlying type (every
/// scoped enum, and `enum E : int`-style unscoped ones), for which every value of that type
/// is a value of E, and not bool (a byte read back into a bool could be neither 0 nor 1).
template <typename E>
concept IntegerEnum =
    std::is_enum_v<E> && !std::is_same_v<std::underlying_type_t<E>, bool> && requires(std::underlying_type_t<E> u) {
  E{u};
};

/// The Arrow type of a tensor element.
template <typename S>
DataTypePtr scalar_type() {
  if constexpr (std::is_same_v<S, float>)
    return float32();
  else if constexpr (std::is_same_v<S, double>)
    return float64();
  else if constexpr (std::is_signed_v<S> && sizeof(S) == 1)
    return int8();
  else if constexpr (std::is_signed_v<S> && sizeof(S) == 2)
    return int16();
  else if constexpr (std::is_signed_v<S> && sizeof(S) == 4)
    return int32();
  else if constexpr (std::is_signed_v<S> && sizeof(S) == 8)
    return int64();
  else if constexpr (sizeof(S) == 1)
    return uint8();
  else if constexpr (sizeof(S) == 2)
    return uint16();
  else if constexpr (sizeof(S) == 4)
    return uint32();
  else if constexpr (sizeof(S) == 8)
    return uint64();
  else
    static_assert(kAlwaysFalse<S>, "arrowpack: tensor elements must be integers, float or double");
}

template <typename T>
Result<Value> registered_to_value(const T& x, const SerializationContext& ctx) {
  if (auto name = ctx.name_of(typeid(T))) return Value::object<T>(*name, x);
  return Status::KeyError("type ", typeid(T).name(), " is not registered in this context");
}

template <typename T>
Result<T> registered_from_value(const Value& v, const SerializationContext& ctx) {
  if (const T* p = v.as_object<T>()) return *p;
  auto name = ctx.name_of(typeid(T));
  if (!name) return Status::KeyError("type ", typeid(T).name(), " is not registered in this context");
  if (const Object* o = v.as<Object>(); o && o->type_name == *name && o->fields) {
    // An opaque object of the right name (read without the context): rebuild it now.
    const Dict* d = o->fields->as<Dict>();
    const Value* data = d && d->size() == 2 ? d->find("data") : nullptr;
    if (data) {
      ARROWPACK_ASSIGN_OR_RAISE(Value rebuilt, ctx.deserialize_registered(*name, *data));
      if (const T* p = rebuilt.as_object<T>()) return *p;
    }
  }
  return Status::TypeError("expected an object of type '", *name, "', got ", v.kind_name());
}
}  // namespace detail

/// Declared ahead for the converters; defined below, where the errors of to_value() are.
template <typename T>
Result<Value> to_value(const T& x, const SerializationContext& ctx);
/// Declared ahead for the converters; defined below, where the errors of from_value() are.
template <typename T>
Result<T> from_value(const Value& v, const SerializationContext& ctx);

namespace detail {
// The tuple of references a fields hook gives (member first, then ADL).
template <typename T>
auto fields_hook(T& x) {
  if constexpr (requires { x.arrowpack_fields(); }) {
    return x.arrowpack_fields();
  } else {
    return arrowpack_fields(x);
  }
}

template <typename Tuple>
inline constexpr bool kAllReferences = false;
template <typename... F>
inline constexpr bool kAllReferences<std::tuple<F...>> = (std::is_lvalue_reference_v<F> && ...);

// f(field) for each field of a Fielded `x`, in order (const fields when `x` is const).
template <typename T, typename F>
void for_each_field(T& x, F&& f) {
  using U = std::remove_const_t<T>;
  if constexpr (HasFieldsHook<U>) {
    auto refs = fields_hook(const_cast<U&>(x));  // written through only when `x` is not const
    static_assert(kAllReferences<decltype(refs)>,
                  "arrowpack_fields must return a std::tuple of references to the fields (std::tie)");
    std::apply(
        [&](auto&... m) {
          if constexpr (std::is_const_v<T>) {
            (f(std::as_const(m)), ...);
          } else {
            (f(m), ...);
          }
        },
        refs);
  } else {
    boost::pfr::for_each_field(x, f);
  }
}

// How many fields a Fielded T has.
template <typename T>
constexpr std::size_t field_count() {
  if constexpr (HasFieldsHook<T>) {
    return std::tuple_size_v<decltype(fields_hook(std::declval<T&>()))>;
  } else {
    return boost::pfr::tuple_size_v<T>;
  }
}

template <typename T>
Result<Value> reflect_to_value(const T& x, const SerializationContext& ctx) {
  std::vector<Value> fields;
  Status st;
  detail::for_each_field(x, [&](const auto& f) {
    if (!st.ok()) return;
    auto r = to_value(f, ctx);
    if (r.ok()) {
      fields.push_back(std::move(r).value());
    } else {
      st = r.status();
    }
  });
  ARROWPACK_RETURN_NOT_OK(st);
  return Value::tuple(std::move(fields));
}

template <typename T>
struct TypeTag {
  using type = T;
};

// Fills the fields of a default-constructed aggregate in order: read(TypeTag<F>{}, i) gives
// field i as a Result<F>. The first failure names its field.
template <typename T, typename Read>
Result<T> fields_from(Read&& read) {
  T out{};
  Status st;
  std::size_t i = 0;
  detail::for_each_field(out, [&](auto& f) {
    if (st.ok()) {
      auto r = read(TypeTag<std::remove_cvref_t<decltype(f)>>{}, i);
      if (r.ok()) {
        f = std::move(r).value();
      } else {
        st = r.status().with_context("field " + std::to_string(i));
      }
    }
    ++i;
  });
  ARROWPACK_RETURN_NOT_OK(st);
  return out;
}

template <typename T>
Result<T> reflect_from_value(const Value& v, const SerializationContext& ctx) {
  const std::vector<Value>* items = nullptr;
  if (const Tuple* t = v.as<Tuple>()) items = &t->items;
  if (const List* l = v.as<List>()) items = &l->items;
  if (!items) return Status::TypeError("expected a tuple of fields, got ", v.kind_name());
  constexpr std::size_t n = field_count<T>();
  if (items->size() != n) {
    return Status::TypeError("expected ", n, " fields, got ", items->size());
  }
  return fields_from<T>(
      [&](auto tag, std::size_t i) { return from_value<typename decltype(tag)::type>((*items)[i], ctx); });
}
}  // namespace detail

/// The Value of `x` (see the order at the top of this file). Errors: those of
/// Converter<T>::to_value() for a type with a converter; KeyError for a type declared with
/// ARROWPACK_DECLARE_REGISTERED that `ctx` does not register; for a fielded type, those of
/// to_value() on the first field that fails (none of its own when `ctx` registers it).
template <typename T>
Result<Value> to_value(const T& x, const SerializationContext& ctx) {
  if constexpr (HasConverter<T>) {
    return Converter<T>::to_value(x, ctx);
  } else if constexpr (Fielded<T>) {
    if (ctx.has_type<T>()) return detail::registered_to_value(x, ctx);  // registration wins
    return detail::reflect_to_value(x, ctx);
  } else if constexpr (is_registered_type<T>::value) {
    return detail::registered_to_value(x, ctx);
  } else {
    static_assert(detail::kAlwaysFalse<T>,
                  "arrowpack::serialize: this type has no built-in converter, no arrowpack_fields hook "
                  "and is not a plain aggregate (or opted out of reflection). Give it an "
                  "arrowpack_fields() hook, register it (context.register_type<T>(...) and "
                  "ARROWPACK_DECLARE_REGISTERED(T)), or specialise arrowpack::Converter<T>.");
    return Status::NotImplemented("unreachable");
  }
}

/// The T that `v` describes (the exact inverse of to_value). Errors: those of
/// Converter<T>::from_value() for a type with a converter. For a registered type (and a
/// fielded one that `ctx` registers or that `v` holds as an object): KeyError when `ctx` does
/// not register T (and `v` does not hold a T); TypeError when `v` is not an object of T's
/// registered name; those of SerializationContext::deserialize_registered() for an opaque
/// object of that name. Otherwise, for a fielded type: TypeError when `v` is not a tuple or
/// list of as many items as T has fields; those of from_value() on the first field that
/// fails, with "field i" in front of the message.
template <typename T>
Result<T> from_value(const Value& v, const SerializationContext& ctx) {
  if constexpr (HasConverter<T>) {
    return Converter<T>::from_value(v, ctx);
  } else if constexpr (Fielded<T>) {
    if (v.is_object() || ctx.has_type<T>()) return detail::registered_from_value<T>(v, ctx);
    return detail::reflect_from_value<T>(v, ctx);
  } else if constexpr (is_registered_type<T>::value) {
    return detail::registered_from_value<T>(v, ctx);
  } else {
    static_assert(detail::kAlwaysFalse<T>,
                  "arrowpack::deserialize: this type has no built-in converter, no arrowpack_fields "
                  "hook and is not a plain aggregate (or opted out of reflection). Give it an "
                  "arrowpack_fields() hook, register it, or specialise arrowpack::Converter<T>.");
    return Status::NotImplemented("unreachable");
  }
}

/// Streams `x` into `w` (same result as w.value(to_value(x)), without the Value graph).
/// Errors: those of Converter<T>::write(), or of Converter<T>::to_value() and then
/// ObjectWriter::value(), for a type with a converter; for a fielded type, those of
/// ObjectWriter::begin_tuple(), of write_value() on each field and of ObjectWriter::end()
/// (those of to_value() and ObjectWriter::value() when `ctx` registers it); for a declared
/// registered type, KeyError when `ctx` does not register it, and those of
/// ObjectWriter::value().
template <typename T>
Status write_value(const T& x, ObjectWriter& w, const SerializationContext& ctx) {
  if constexpr (HasWriter<T>) {
    return Converter<T>::write(x, w, ctx);
  } else if constexpr (HasConverter<T>) {
    ARROWPACK_ASSIGN_OR_RAISE(Value v, Converter<T>::to_value(x, ctx));
    return w.value(v);
  } else if constexpr (Fielded<T>) {
    if (ctx.has_type<T>()) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, detail::registered_to_value(x, ctx));
      return w.value(v);
    }
    ARROWPACK_RETURN_NOT_OK(w.begin_tuple());
    Status st;
    detail::for_each_field(x, [&](const auto& f) {
      if (st.ok()) st = write_value(f, w, ctx);
    });
    ARROWPACK_RETURN_NOT_OK(st);
    return w.end();
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(Value v, to_value(x, ctx));  // registered types (or the static_assert)
    return w.value(v);
  }
}

/// Reads the element at `c` as a T (same result as from_value<T>(c.value()), without the Value
/// graph where the converters allow it). Errors: those of Converter<T>::read() for a type
/// with a reader. For a fielded type read field by field (a tuple or list, T not registered in
/// `ctx`): TypeError for a field count that is not T's; CapacityError past
/// ReadLimits::max_elements or max_depth; those of read_value() on the first field that
/// fails, with "field i" in front of the message. Otherwise those of
/// ObjectReader::Cursor::value() (CapacityError past the limits, KeyError for a type name
/// the context does not know, SerializationError for a pickle, a deserializer's errors),
/// then those of from_value<T>() (a TypeError naming the kind found).
template <typename T>
Result<T> read_value(const ObjectReader::Cursor& c, const SerializationContext& ctx) {
  if constexpr (HasReader<T>) {
    return Converter<T>::read(c, ctx);
  } else if constexpr (Fielded<T>) {
    if (c.kind() == Value::Kind::kDict || ctx.has_type<T>()) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, c.value());
      return from_value<T>(v, ctx);
    }
    if (c.kind() != Value::Kind::kTuple && c.kind() != Value::Kind::kList) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, c.value());
      return detail::reflect_from_value<T>(v, ctx);  // reports the kind found
    }
    constexpr std::size_t n = detail::field_count<T>();
    ARROWPACK_ASSIGN_OR_RAISE(std::int64_t size, c.size());
    if (size != static_cast<std::int64_t>(n)) return Status::TypeError("expected ", n, " fields, got ", size);
    std::array<ObjectReader::Cursor, n> fields;
    ARROWPACK_RETURN_NOT_OK(c.elements(0, fields));
    return detail::fields_from<T>([&](auto tag, std::size_t i) -> Result<typename decltype(tag)::type> {
      return read_value<typename decltype(tag)::type>(fields[i], ctx);
    });
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(Value v, c.value());
    return from_value<T>(v, ctx);
  }
}

/// serialize(x): any supported C++ value (the default context when none is given).
/// Tensors and buffers of the result view `x`'s memory: an lvalue must stay alive (and
/// unchanged) until the object is written; an rvalue is moved into the result, which keeps
/// it alive. Errors: those of write_value() (CapacityError past `limits`) and of
/// ObjectWriter::finish(); OutOfMemory, CapacityError or SerializationError for an exception
/// thrown while writing (see catch_exceptions()).
template <typename T>
requires(!std::is_same_v<std::remove_cvref_t<T>, Value>) Result<SerializedObject> serialize(
    T&& x, const SerializationContext& ctx = SerializationContext::default_context(), const ReadLimits& limits = {}) {
  using U = std::remove_cvref_t<T>;
  return catch_exceptions("serializing a C++ value", [&]() -> Result<SerializedObject> {
    ObjectWriter writer(ctx, limits);
    if constexpr (std::is_lvalue_reference_v<T>) {
      ARROWPACK_RETURN_NOT_OK(write_value<U>(x, writer, ctx));
      return writer.finish();
    } else {
      auto owned = std::make_shared<const U>(std::move(x));
      ARROWPACK_RETURN_NOT_OK(write_value<U>(*owned, writer, ctx));
      ARROWPACK_ASSIGN_OR_RAISE(auto object, writer.finish());
      object.retain(std::move(owned));
      return object;
    }
  });
}

namespace detail {
template <typename T>
Result<T> read_object(SerializedObject object, const SerializationContext& ctx, const DeserializeOptions& options) {
  return catch_exceptions("deserializing a C++ value", [&]() -> Result<T> {
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ObjectReader::open(std::move(object), ctx, options));
    ARROWPACK_ASSIGN_OR_RAISE(auto root, reader->root());
    return read_value<T>(root, ctx);
  });
}
}  // namespace detail

/// deserialize<T>(buffer): the exact inverse of serialize(const T&). Owning types (std::vector,
/// Eigen::Matrix) copy out of the buffer; views (TensorPtr, EigenView, SpanView) do not.
/// Errors: those of SerializedObject::read_from() and of ObjectReader::open() (a malformed
/// or oversized blob); those of read_value() on the root; OutOfMemory, CapacityError or
/// SerializationError for an exception thrown while reading (see catch_exceptions()).
template <typename T>
Result<T> deserialize(const std::shared_ptr<Buffer>& buffer,
                      const SerializationContext& ctx = SerializationContext::default_context(),
                      const DeserializeOptions& options = {}) {
  ARROWPACK_ASSIGN_OR_RAISE(auto object, SerializedObject::read_from(buffer, options));
  return detail::read_object<T>(std::move(object), ctx, options);
}

/// deserialize_components as a T. Errors: those of SerializedObject::from_components(),
/// then the errors of deserialize() after its read_from().
template <typename T>
Result<T> deserialize_components(const Components& components,
                                 const SerializationContext& ctx = SerializationContext::default_context(),
                                 const DeserializeOptions& options = {}) {
  ARROWPACK_ASSIGN_OR_RAISE(auto object, SerializedObject::from_components(components, options));
  return detail::read_object<T>(std::move(object), ctx, options);
}

}  // namespace arrowpack

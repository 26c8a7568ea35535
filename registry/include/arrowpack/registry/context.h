// SerializationContext: which C++ types serialize() may encode and decode, and how. Each
// registered type has a name (what travels on the wire, pyarrow's type_id), a serializer
// (T -> Value) and a deserializer (Value -> T).
//
// Writing looks a type up by std::type_index, reading by name (two maps, as cereal does).
// Reading never runs code for a name that is not registered in the context used.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <unordered_map>

#include "arrowpack/registry/serialized_object.h"
#include "arrowpack/registry/value.h"

namespace arrowpack {

namespace detail {
template <typename R>
struct is_result : std::false_type {};
template <typename T>
struct is_result<Result<T>> : std::true_type {};
}  // namespace detail

/// A registry of types. Registration and use may happen from several threads.
/// Callbacks run under no lock and may themselves call serialize().
class SerializationContext {
 public:
  SerializationContext() = default;
  SerializationContext(const SerializationContext&) = delete;
  SerializationContext& operator=(const SerializationContext&) = delete;

  /// Registers T under `name`. `serializer(const T&)` returns a Value or Result<Value>;
  /// `deserializer(const Value&)` returns a T or Result<T>. A callback that throws fails the
  /// call with a SerializationError. KeyError when the name or the type is already taken;
  /// Invalid for an empty name.
  template <typename T, typename Serializer, typename Deserializer>
  Status register_type(std::string name, Serializer serializer, Deserializer deserializer) {
    Handler h;
    h.name = name;
    h.type = typeid(T);
    h.serialize = [s = std::move(serializer)](const void* obj) -> Result<Value> {
      using R = std::invoke_result_t<const Serializer&, const T&>;
      if constexpr (detail::is_result<R>::value) {
        return s(*static_cast<const T*>(obj));
      } else {
        return Value(s(*static_cast<const T*>(obj)));
      }
    };
    h.deserialize = [d = std::move(deserializer), name](const Value& data) -> Result<Value> {
      using R = std::invoke_result_t<const Deserializer&, const Value&>;
      if constexpr (detail::is_result<R>::value) {
        auto r = d(data);
        if (!r.ok()) return r.status();
        return Value::object<T>(name, std::move(r).value());
      } else {
        return Value::object<T>(name, d(data));
      }
    };
    return add(std::move(h));
  }

  /// Removes the type registered under `name` (KeyError when there is none).
  Status unregister(std::string_view name);
  bool has_type(std::string_view name) const;
  template <typename T>
  bool has_type() const {
    static const std::uint64_t bit = bloom_bit(typeid(T));  // hashing a type_index hashes its name
    if ((type_bloom_.load(std::memory_order_acquire) & bit) == 0) return false;
    return has_type(std::type_index(typeid(T)));
  }
  /// Whether a C++ type is registered (cheap: no copy of the handler).
  bool has_type(std::type_index type) const;
  /// The registered name of a C++ type.
  std::optional<std::string> name_of(std::type_index type) const;
  std::vector<std::string> type_names() const;

  /// serialize(value, this): the errors of arrowpack::serialize() (serialize.h).
  Result<SerializedObject> serialize(const Value& value, const ReadLimits& limits = {}) const;
  /// Serializes an object of a registered type T. Errors: KeyError when T is not registered
  /// in this context; those of serialize().
  template <typename T>
  Result<SerializedObject> serialize_object(const T& object, const ReadLimits& limits = {}) const {
    auto name = name_of(typeid(T));
    if (!name) return Status::KeyError("type ", typeid(T).name(), " is not registered in this context");
    return serialize(Value::object<T>(*name, object), limits);
  }
  /// deserialize(buffer, this, options): the errors of arrowpack::deserialize() of a buffer
  /// (serialize.h).
  Result<Value> deserialize(const std::shared_ptr<Buffer>& buffer, const DeserializeOptions& options = {}) const;
  /// Deserializes an object of the registered type T (a copy of the rebuilt object). Errors:
  /// TypeError when the serialized value is not an object of type T; those of deserialize().
  template <typename T>
  Result<T> deserialize_object(const std::shared_ptr<Buffer>& buffer, const DeserializeOptions& options = {}) const {
    ARROWPACK_ASSIGN_OR_RAISE(Value v, deserialize(buffer, options));
    if (const T* p = v.as_object<T>()) return *p;
    return Status::TypeError("the serialized value is ", v.kind_name(),
                             v.is_object() ? " '" + v.as<Object>()->type_name + "'" : std::string(),
                             ", not the requested registered type");
  }

  /// Runs the serializer registered for the object's type (encoder hook). Errors: KeyError
  /// when the type is not registered in this context; SerializationError for an object with
  /// neither payload nor fields, or when the serializer throws; whatever the serializer
  /// returns. (An opaque object with fields gives its fields back.)
  Result<Value> serialize_registered(const Object& object) const;
  /// Runs the deserializer registered under `name` (decoder hook). KeyError when unknown;
  /// SerializationError when the deserializer throws; whatever the deserializer returns.
  Result<Value> deserialize_registered(std::string_view name, const Value& data) const;

  /// The context of the free functions and ARROWPACK_REGISTER_TYPE.
  static SerializationContext& default_context();

 private:
  struct Handler {
    std::string name;
    std::type_index type = typeid(void);
    std::function<Result<Value>(const void*)> serialize;
    std::function<Result<Value>(const Value&)> deserialize;
  };
  Status add(Handler handler);
  std::shared_ptr<const Handler> find_by_type(std::type_index type) const;
  std::shared_ptr<const Handler> find_by_name(std::string_view name) const;

  static std::uint64_t bloom_bit(std::type_index type) { return std::uint64_t{1} << (type.hash_code() % 64); }
  void rebuild_bloom();  // under the unique lock

  mutable std::shared_mutex mutex_;
  // One bit per registered C++ type (by hash): has_type() answers "no" without the lock, as
  // the typed front door asks it for every aggregate it writes or reads.
  std::atomic<std::uint64_t> type_bloom_{0};
  std::unordered_map<std::type_index, std::shared_ptr<const Handler>> by_type_;
  std::map<std::string, std::shared_ptr<const Handler>, std::less<>> by_name_;
};

namespace detail {
template <typename T, typename S, typename D>
bool register_at_static_init(const char* name, S s, D d) {
  Status st = SerializationContext::default_context().register_type<T>(name, std::move(s), std::move(d));
  return st.ok();
}
}  // namespace detail

/// Registers T in the default context while the program starts:
///   ARROWPACK_REGISTER_TYPE(MyData, "MyData", serialize_my_data, deserialize_my_data);
/// A clash with an earlier registration leaves the first one in place (check with has_type).
#define ARROWPACK_REGISTER_TYPE(T, name, serializer, deserializer)                       \
  [[maybe_unused]] static const bool ARROWPACK_CONCAT(arrowpack_registered_, __LINE__) = \
      ::arrowpack::detail::register_at_static_init<T>(name, serializer, deserializer)

}  // namespace arrowpack

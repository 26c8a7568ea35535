#include "arrowpack/registry/context.h"
#include "arrowpack/registry/serialize.h"

#include <exception>

namespace arrowpack {

namespace {
// User callbacks may throw; nothing may escape the library, so it becomes a Status.
template <typename F>
Result<Value> guarded(std::string_view what, std::string_view name, F&& f) {
  try {
    Result<Value> r = f();
    if (!r.ok()) return r.status().with_context(std::string(what) + " of '" + std::string(name) + "'");
    return r;
  } catch (const std::exception& e) {
    return Status::SerializationError(what, " of '", name, "' threw: ", e.what());
  } catch (...) {
    return Status::SerializationError(what, " of '", name, "' threw a non-standard exception");
  }
}
}  // namespace

Status SerializationContext::add(Handler handler) {
  if (handler.name.empty()) return Status::Invalid("registered type names must not be empty");
  std::unique_lock lock(mutex_);
  if (by_name_.count(handler.name)) {
    return Status::KeyError("type name '", handler.name, "' is already registered");
  }
  if (auto it = by_type_.find(handler.type); it != by_type_.end()) {
    return Status::KeyError("this C++ type is already registered as '", it->second->name, "'");
  }
  auto h = std::make_shared<const Handler>(std::move(handler));
  by_type_.emplace(h->type, h);
  by_name_.emplace(h->name, h);
  rebuild_bloom();
  return Status::OK();
}

Status SerializationContext::unregister(std::string_view name) {
  std::unique_lock lock(mutex_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return Status::KeyError("type name '", name, "' is not registered");
  by_type_.erase(it->second->type);
  by_name_.erase(it);
  rebuild_bloom();
  return Status::OK();
}

void SerializationContext::rebuild_bloom() {
  std::uint64_t bloom = 0;
  for (const auto& [type, h] : by_type_) bloom |= bloom_bit(type);
  type_bloom_.store(bloom, std::memory_order_release);
}

bool SerializationContext::has_type(std::string_view name) const { return find_by_name(name) != nullptr; }

bool SerializationContext::has_type(std::type_index type) const {
  if ((type_bloom_.load(std::memory_order_acquire) & bloom_bit(type)) == 0) return false;
  std::shared_lock lock(mutex_);
  return by_type_.count(type) > 0;
}

std::optional<std::string> SerializationContext::name_of(std::type_index type) const {
  auto h = find_by_type(type);
  if (!h) return std::nullopt;
  return h->name;
}

std::vector<std::string> SerializationContext::type_names() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, h] : by_name_) out.push_back(name);
  return out;
}

std::shared_ptr<const SerializationContext::Handler> SerializationContext::find_by_type(std::type_index type) const {
  std::shared_lock lock(mutex_);
  auto it = by_type_.find(type);
  return it == by_type_.end() ? nullptr : it->second;
}

std::shared_ptr<const SerializationContext::Handler> SerializationContext::find_by_name(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

Result<Value> SerializationContext::serialize_registered(const Object& object) const {
  if (!object.payload) {
    // An opaque object read without its type travels back as its fields.
    if (object.fields) return *object.fields;
    return Status::SerializationError("object of type '", object.type_name, "' has no payload");
  }
  auto h = find_by_type(object.type);
  if (!h) {
    return Status::KeyError("type '", object.type_name, "' is not registered in this context");
  }
  return guarded("serializer", h->name, [&] { return h->serialize(object.payload.get()); });
}

Result<Value> SerializationContext::deserialize_registered(std::string_view name, const Value& data) const {
  auto h = find_by_name(name);
  if (!h) return Status::KeyError("type '", name, "' is not registered in this context");
  return guarded("deserializer", name, [&] { return h->deserialize(data); });
}

Result<SerializedObject> SerializationContext::serialize(const Value& value, const ReadLimits& limits) const {
  return arrowpack::serialize(value, *this, limits);
}

Result<Value> SerializationContext::deserialize(const std::shared_ptr<Buffer>& buffer,
                                                const DeserializeOptions& options) const {
  return arrowpack::deserialize(buffer, *this, options);
}

SerializationContext& SerializationContext::default_context() {
  static SerializationContext context;
  return context;
}

}  // namespace arrowpack

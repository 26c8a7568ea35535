// A process-wide map from byte strings to shared, immutable values, with a bound on its
// entries and on its keys: the one home of the registry's schema caches (the encoder's schema
// messages by shape, the reader's decoded schemas by their flatbuffer bytes).
//
// Keys may come from an attacker (the reader's are bytes of the input), so they are hashed
// with the per-process keyed SipHash (core/hash.h): inputs that collide cannot be chosen, and
// a lookup compares a bounded number of keys. When full, the map starts again: shapes are few
// in real programs, and a program or an input that makes endless new ones pays one schema
// build per object, as without a cache. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "arrowpack/core/hash.h"

namespace arrowpack::registry_internal {

template <typename Value>
class BoundedCache {
 public:
  /// At most `max_entries` entries; keys longer than `max_key_bytes` are not kept.
  BoundedCache(std::size_t max_entries, std::size_t max_key_bytes)
      : max_entries_(max_entries), max_key_bytes_(max_key_bytes) {}
  BoundedCache(const BoundedCache&) = delete;
  BoundedCache& operator=(const BoundedCache&) = delete;

  /// The value kept for exactly `key`, or null. The key this thread found last is compared
  /// first, with no hash and no lock: objects of one shape in a row cost a memcmp. (A value
  /// is a function of its key, so the thread's last one stays right after the map is cleared.)
  std::shared_ptr<const Value> find(std::string_view key) const {
    Last& last = last_found();
    if (last.cache == this && last.key == key) return last.value;
    std::shared_ptr<const Value> value;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = map_.find(key);
      if (it == map_.end()) return nullptr;
      value = it->second;
    }
    remember(key, value);
    return value;
  }
  /// Keeps `value` for `key` (replacing what was there), unless the key is too long.
  void add(std::string_view key, std::shared_ptr<const Value> value) {
    if (key.size() > max_key_bytes_) return;
    std::string owned(key);
    remember(key, value);
    std::lock_guard<std::mutex> lock(mutex_);
    if (map_.size() >= max_entries_) map_.clear();
    map_.insert_or_assign(std::move(owned), std::move(value));
  }

 private:
  struct Last {
    const BoundedCache* cache = nullptr;
    std::string key;
    std::shared_ptr<const Value> value;
  };
  static Last& last_found() {
    static thread_local Last last;
    return last;
  }
  void remember(std::string_view key, const std::shared_ptr<const Value>& value) const {
    Last& last = last_found();
    last.cache = this;
    last.key.assign(key);
    last.value = value;
  }

  const std::size_t max_entries_;
  const std::size_t max_key_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Value>, KeyedBytesHash, std::equal_to<>> map_;
};

}  // namespace arrowpack::registry_internal

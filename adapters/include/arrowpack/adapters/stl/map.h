// std::map and std::unordered_map -> dict. Of repeated keys the last wins, as in Python;
// hash maps refuse buckets of chosen collisions (ReadLimits::max_bucket_keys).
#pragma once

#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl/detail.h"

namespace arrowpack {

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
}  // namespace detail

template <typename K, typename V, typename C, typename A>
struct Converter<std::map<K, V, C, A>> : detail::MapConverter<std::map<K, V, C, A>> {};
template <typename K, typename V, typename H, typename E, typename A>
struct Converter<std::unordered_map<K, V, H, E, A>> : detail::MapConverter<std::unordered_map<K, V, H, E, A>> {};

}  // namespace arrowpack

#include "arrowpack/registry/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "arrowpack/core/half_float.h"
#include "arrowpack/core/hash.h"

namespace arrowpack {

namespace {

// Hashes are keyed (KeyedHasher): dict and set keys that an attacker picks cannot be made
// to collide (a flood of colliding keys would make decoding quadratic).

// One hash per kind of key, each under its own leading byte.
std::size_t keyed_hash(char kind, const void* data, std::size_t n) {
  KeyedHasher h;
  h.add(&kind, 1);
  h.add(data, n);
  return h.finish();
}

std::size_t string_hash(std::string_view s) { return keyed_hash('s', s.data(), s.size()); }

}  // namespace

Value Value::list(std::vector<Value> items) { return Value(std::make_shared<List>(List{std::move(items)})); }
Value Value::tuple(std::vector<Value> items) { return Value(std::make_shared<Tuple>(Tuple{std::move(items)})); }

Value Value::set(std::vector<Value> items) {
  auto s = std::make_shared<Set>();
  // Uniqueness through a hash index; unhashable elements are kept (serialize() refuses them).
  std::unordered_multimap<std::size_t, std::size_t> seen;
  for (auto& v : items) {
    const std::size_t h = v.is_hashable() ? v.hash() : 0;
    bool duplicate = false;
    if (v.is_hashable() && v.equals(v)) {
      auto [lo, hi] = seen.equal_range(h);
      for (auto it = lo; it != hi && !duplicate; ++it) duplicate = s->items[it->second].equals(v);
    }
    if (duplicate) continue;
    if (v.is_hashable()) seen.emplace(h, s->items.size());
    s->items.push_back(std::move(v));
  }
  return Value(std::move(s));
}

Value Value::dict(std::initializer_list<std::pair<Value, Value>> entries) {
  return dict(std::vector<std::pair<Value, Value>>(entries));
}

Value Value::dict(std::vector<std::pair<Value, Value>> entries) {
  auto d = std::make_shared<Dict>();
  // Unhashable keys are kept (serialize() refuses them with a TypeError) so that building a
  // Value never fails.
  d->index_.reserve(entries.size());
  for (auto& [k, v] : entries) {
    if (!k.is_hashable()) {
      d->entries_.push_back(Dict::Entry{std::move(k), std::move(v)});
    } else {
      (void)d->set(std::move(k), std::move(v));
    }
  }
  return Value(std::move(d));
}

Status Dict::set(Value key, Value value) {
  if (!key.is_hashable()) {
    return Status::TypeError("unhashable dict key of kind ", key.kind_name());
  }
  const std::size_t h = key.hash();
  // A key that is not equal to itself (NaN) can match nothing: no bucket scan, so that many
  // NaN keys cost linear, not quadratic, time.
  if (key.equals(key)) {
    auto [lo, hi] = index_.equal_range(h);
    for (auto it = lo; it != hi; ++it) {
      if (entries_[it->second].key.equals(key)) {
        entries_[it->second].value = std::move(value);
        return Status::OK();
      }
    }
  }
  index_.emplace(h, entries_.size());
  entries_.push_back(Entry{std::move(key), std::move(value)});
  return Status::OK();
}

const Value* Dict::find(const Value& key) const {
  if (!key.is_hashable()) return nullptr;
  auto [lo, hi] = index_.equal_range(key.hash());
  for (auto it = lo; it != hi; ++it) {
    if (entries_[it->second].key.equals(key)) return &entries_[it->second].value;
  }
  return nullptr;
}

const Value* Dict::find(std::string_view key) const {
  auto [lo, hi] = index_.equal_range(string_hash(key));
  for (auto it = lo; it != hi; ++it) {
    if (const auto* s = entries_[it->second].key.as<std::string>(); s && *s == key) return &entries_[it->second].value;
  }
  return nullptr;
}

std::string_view Value::kind_name(Kind kind) {
  static constexpr std::string_view kNames[] = {"none",   "bool",   "int",     "half",   "float",         "double",
                                                "date64", "string", "bytes",   "list",   "tuple",         "dict",
                                                "set",    "tensor", "ndarray", "buffer", "sparse_tensor", "object"};
  static_assert(std::size(kNames) == std::variant_size_v<Storage>, "a name for every kind");
  return kNames[static_cast<std::size_t>(kind)];
}

bool Value::is_hashable() const {
  switch (kind()) {
    case Kind::kList:
    case Kind::kDict:
    case Kind::kSet:
    case Kind::kTensor:
    case Kind::kNdarray:
    case Kind::kBuffer:
    case Kind::kSparseTensor:
    case Kind::kObject: return false;
    case Kind::kTuple:
      for (const auto& v : as<Tuple>()->items) {
        if (!v.is_hashable()) return false;
      }
      return true;
    default: return true;
  }
}

namespace {

// Python semantics for numbers: 1 == 1.0 == True as dict keys, compared exactly (2**53 + 1 is
// not 2.0**53).
struct Number {
  bool is_int;
  std::int64_t i;
  double d;
};

bool numeric(const Value& v, Number* out) {
  switch (v.kind()) {
    case Value::Kind::kBool: *out = {true, *v.as<bool>() ? 1 : 0, 0}; return true;
    case Value::Kind::kInt: *out = {true, *v.as<std::int64_t>(), 0}; return true;
    case Value::Kind::kHalf: *out = {false, 0, half_to_double(v.as<Half>()->bits)}; return true;
    case Value::Kind::kFloat: *out = {false, 0, *v.as<float>()}; return true;
    case Value::Kind::kDouble: *out = {false, 0, *v.as<double>()}; return true;
    default: return false;
  }
}

// The int64 a double equals exactly, if any.
bool exact_int(double d, std::int64_t* out) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::trunc(d)) return false;
  *out = static_cast<std::int64_t>(d);
  return true;
}

bool numbers_equal(const Number& a, const Number& b) {
  if (a.is_int && b.is_int) return a.i == b.i;
  if (!a.is_int && !b.is_int) return a.d == b.d;
  const Number& n = a.is_int ? a : b;
  const Number& f = a.is_int ? b : a;
  std::int64_t fi;
  return exact_int(f.d, &fi) && fi == n.i;
}

// Equal numbers (1 == 1.0 == True) hash alike: integral values as their int64.
std::size_t number_hash(const Number& n) {
  std::int64_t i = n.i;
  if (n.is_int || exact_int(n.d, &i)) return keyed_hash('i', &i, 8);
  const double d = n.d == 0 ? 0.0 : n.d;  // -0.0 == 0.0 (integral anyway); NaN hashes by its bits
  return keyed_hash('f', &d, 8);
}

bool items_equal(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].equals(b[i])) return false;
  }
  return true;
}

}  // namespace

bool Value::equals(const Value& other) const {
  Number x, y;
  if (numeric(*this, &x) && numeric(other, &y)) return numbers_equal(x, y);
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case Kind::kNone: return true;
    case Kind::kDate64: return *as<Date64>() == *other.as<Date64>();
    case Kind::kString: return *as<std::string>() == *other.as<std::string>();
    case Kind::kBytes: return *as<Bytes>() == *other.as<Bytes>();
    case Kind::kList: return items_equal(as<List>()->items, other.as<List>()->items);
    case Kind::kTuple: return items_equal(as<Tuple>()->items, other.as<Tuple>()->items);
    case Kind::kSet: {
      const auto& a = as<Set>()->items;
      const auto& b = other.as<Set>()->items;
      if (a.size() != b.size()) return false;
      // Through a hash index of b: linear, whatever the elements.
      std::unordered_multimap<std::size_t, const Value*> index;
      index.reserve(b.size());
      for (const auto& w : b) index.emplace(w.is_hashable() ? w.hash() : 0, &w);
      for (const auto& v : a) {
        bool found = false;
        auto [lo, hi] = index.equal_range(v.is_hashable() ? v.hash() : 0);
        for (auto it = lo; it != hi && !found; ++it) found = v.equals(*it->second);
        if (!found) return false;
      }
      return true;
    }
    case Kind::kDict: {
      const Dict& a = *as<Dict>();
      const Dict& b = *other.as<Dict>();
      if (a.size() != b.size()) return false;
      for (const auto& e : a.entries()) {
        const Value* v = b.find(e.key);
        if (!v || !v->equals(e.value)) return false;
      }
      return true;
    }
    case Kind::kTensor: return (*as<TensorPtr>())->equals(**other.as<TensorPtr>(), true);
    case Kind::kNdarray: return as<Ndarray>()->tensor->equals(*other.as<Ndarray>()->tensor, true);
    case Kind::kBuffer: return (*as<std::shared_ptr<Buffer>>())->equals(**other.as<std::shared_ptr<Buffer>>());
    case Kind::kSparseTensor: return (*as<SparseTensorPtr>())->equals(**other.as<SparseTensorPtr>(), true);
    case Kind::kObject: {
      const Object& a = *as<Object>();
      const Object& b = *other.as<Object>();
      if (a.type_name != b.type_name) return false;
      if (a.payload || b.payload) return a.payload == b.payload;
      return a.fields && b.fields && a.fields->equals(*b.fields);
    }
    default: return false;
  }
}

std::size_t Value::hash() const {
  Number x;
  if (numeric(*this, &x)) return number_hash(x);
  switch (kind()) {
    case Kind::kNone: return keyed_hash('n', nullptr, 0);
    case Kind::kDate64: return keyed_hash('d', &as<Date64>()->micros, 8);
    case Kind::kString: return string_hash(*as<std::string>());
    case Kind::kBytes: return keyed_hash('b', as<Bytes>()->data.data(), as<Bytes>()->data.size());
    case Kind::kTuple: {
      KeyedHasher h;
      h.add("t", 1);
      for (const auto& v : as<Tuple>()->items) h.add_u64(v.hash());
      return h.finish();
    }
    default: return 0;
  }
}

namespace {

void append_repr(const Value& v, std::string& out);

void append_items(const std::vector<Value>& items, std::string& out) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    append_repr(items[i], out);
  }
}

void append_double(double d, std::string& out) {
  if (std::isnan(d)) {
    out += "nan";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-inf" : "inf";
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  out += s;
}

void append_repr(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::kNone: out += "None"; return;
    case Value::Kind::kBool: out += *v.as<bool>() ? "True" : "False"; return;
    case Value::Kind::kInt: out += std::to_string(*v.as<std::int64_t>()); return;
    case Value::Kind::kHalf: append_double(half_to_double(v.as<Half>()->bits), out); return;
    case Value::Kind::kFloat: append_double(*v.as<float>(), out); return;
    case Value::Kind::kDouble: append_double(*v.as<double>(), out); return;
    case Value::Kind::kDate64: out += "datetime(" + std::to_string(v.as<Date64>()->micros) + "us)"; return;
    case Value::Kind::kString: out += "'" + *v.as<std::string>() + "'"; return;
    case Value::Kind::kBytes: {
      out += "b'";
      for (unsigned char c : v.as<Bytes>()->data) {
        if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
          out += static_cast<char>(c);
        } else {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        }
      }
      out += "'";
      return;
    }
    case Value::Kind::kList:
      out += "[";
      append_items(v.as<List>()->items, out);
      out += "]";
      return;
    case Value::Kind::kTuple: {
      const auto& items = v.as<Tuple>()->items;
      out += "(";
      append_items(items, out);
      out += items.size() == 1 ? ",)" : ")";
      return;
    }
    case Value::Kind::kSet:
      out += "{";
      append_items(v.as<Set>()->items, out);
      out += "}";
      return;
    case Value::Kind::kDict: {
      out += "{";
      bool first = true;
      for (const auto& e : v.as<Dict>()->entries()) {
        if (!first) out += ", ";
        first = false;
        append_repr(e.key, out);
        out += ": ";
        append_repr(e.value, out);
      }
      out += "}";
      return;
    }
    case Value::Kind::kTensor: out += (*v.as<TensorPtr>())->to_string(); return;
    case Value::Kind::kNdarray: out += "ndarray:" + v.as<Ndarray>()->tensor->to_string(); return;
    case Value::Kind::kBuffer:
      out += "<buffer of " + std::to_string((*v.as<std::shared_ptr<Buffer>>())->size()) + " bytes>";
      return;
    case Value::Kind::kSparseTensor: out += (*v.as<SparseTensorPtr>())->to_string(); return;
    case Value::Kind::kObject: {
      const Object& o = *v.as<Object>();
      out += "<" + o.type_name + (o.payload ? "" : " (opaque)");
      if (o.fields) {
        out += " ";
        append_repr(*o.fields, out);
      }
      out += ">";
      return;
    }
  }
}

}  // namespace

std::string Value::to_string() const {
  std::string out;
  append_repr(*this, out);
  return out;
}

}  // namespace arrowpack

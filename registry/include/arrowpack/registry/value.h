// Value: a dynamic object graph (none, bool, numbers, strings, bytes, lists, tuples, dicts,
// sets, tensors, buffers and objects of registered types), the model that serialize() encodes.
//
// Containers are shared, like Python references: copying a Value copies a pointer, and a
// list appended to through one copy is seen through the others. Build with the factories,
// inspect with is_*() / as<T>() (a null pointer when the kind differs) or visit().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/sparse_tensor.h"
#include "arrowpack/core/tensor.h"

namespace arrowpack {

class Value;

/// A float16 value as its IEEE 754 bit pattern.
struct Half {
  std::uint16_t bits = 0;
  bool operator==(const Half&) const = default;
};
/// A point in time in microseconds since the epoch (pyarrow's datetime; Arrow date64 storage).
struct Date64 {
  std::int64_t micros = 0;
  bool operator==(const Date64&) const = default;
};
/// Bytes that are not text (pyarrow's bytes).
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};
/// A tensor that travels as a numpy ndarray did (type code 15), not as an Arrow Tensor (14).
struct Ndarray {
  TensorPtr tensor;
};

struct List {
  std::vector<Value> items;
};
struct Tuple {
  std::vector<Value> items;
};
/// Unordered, unique elements (kept in insertion order).
struct Set {
  std::vector<Value> items;
};

/// Insertion-ordered mapping with keys of any hashable Value (not lists, dicts or sets).
/// Lookups and insertions are O(1) on average (a hash index beside the entries).
class Dict {
 public:
  struct Entry;
  /// Sets `key` to `value`, keeping the key's first position. Fails for unhashable keys:
  /// TypeError for a list, dict, set, tensor, buffer or object key, or a tuple holding one.
  Status set(Value key, Value value);
  /// The value for `key`, or null.
  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
  const Value* find(const char* key) const { return find(std::string_view(key)); }
  std::size_t size() const;  // defined below, once Entry is complete
  bool empty() const;
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  friend class Value;
  std::vector<Entry> entries_;
  std::unordered_multimap<std::size_t, std::size_t> index_;  // key hash -> entry position
};

/// An object of a registered C++ type: its registered name and the object itself.
/// An opaque object (a type the reading context does not know) has no payload, only the
/// serialized fields.
struct Object {
  std::string type_name;
  std::type_index type = typeid(void);
  std::shared_ptr<const void> payload;
  std::shared_ptr<const Value> fields;  ///< set for opaque objects only
};

class Value {
 public:
  enum class Kind : std::uint8_t {
    kNone,
    kBool,
    kInt,
    kHalf,
    kFloat,
    kDouble,
    kDate64,
    kString,
    kBytes,
    kList,
    kTuple,
    kDict,
    kSet,
    kTensor,
    kNdarray,
    kBuffer,
    kSparseTensor,
    kObject,
  };
  using Storage =
      std::variant<std::monostate, bool, std::int64_t, Half, float, double, Date64, std::string, Bytes,
                   std::shared_ptr<List>, std::shared_ptr<Tuple>, std::shared_ptr<Dict>, std::shared_ptr<Set>,
                   TensorPtr, Ndarray, std::shared_ptr<Buffer>, SparseTensorPtr, std::shared_ptr<Object>>;

  Value() = default;              ///< none
  Value(std::nullptr_t) {}        // NOLINT: none, as Python's None
  Value(bool v) : storage_(v) {}  // NOLINT
  /// Every integer is an int64; 64-bit unsigned values are not accepted implicitly (they may
  /// not fit): cast them, or use the typed front door, which checks.
  template <typename I,
            typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char> &&
                                        !(std::is_unsigned_v<I> && sizeof(I) == 8)>>
  Value(I v) : storage_(static_cast<std::int64_t>(v)) {}        // NOLINT
  Value(float v) : storage_(v) {}                               // NOLINT
  Value(double v) : storage_(v) {}                              // NOLINT
  Value(Half v) : storage_(v) {}                                // NOLINT
  Value(Date64 v) : storage_(v) {}                              // NOLINT
  Value(const char* s) : storage_(std::string(s)) {}            // NOLINT
  Value(std::string s) : storage_(std::move(s)) {}              // NOLINT
  Value(std::string_view s) : storage_(std::string(s)) {}       // NOLINT
  Value(Bytes b) : storage_(std::move(b)) {}                    // NOLINT
  Value(TensorPtr t) : storage_(std::move(t)) {}                // NOLINT: an Arrow tensor (code 14)
  Value(Ndarray a) : storage_(std::move(a)) {}                  // NOLINT
  Value(std::shared_ptr<Buffer> b) : storage_(std::move(b)) {}  // NOLINT
  /// A sparse tensor: pyarrow's SparseCOOTensor / SparseCSRMatrix / SparseCSCMatrix /
  /// SparseCSFTensor (codes 17 to 20, by its format).
  Value(SparseTensorPtr t) : storage_(std::move(t)) {}          // NOLINT
  Value(std::shared_ptr<List> l) : storage_(std::move(l)) {}    // NOLINT
  Value(std::shared_ptr<Tuple> t) : storage_(std::move(t)) {}   // NOLINT
  Value(std::shared_ptr<Dict> d) : storage_(std::move(d)) {}    // NOLINT
  Value(std::shared_ptr<Set> s) : storage_(std::move(s)) {}     // NOLINT
  Value(std::shared_ptr<Object> o) : storage_(std::move(o)) {}  // NOLINT

  static Value none() { return {}; }
  static Value bytes(std::string data) { return Bytes{std::move(data)}; }
  static Value half(std::uint16_t bits) { return Half{bits}; }
  static Value date64_micros(std::int64_t micros) { return Date64{micros}; }
  static Value ndarray(TensorPtr tensor) { return Ndarray{std::move(tensor)}; }
  static Value list(std::vector<Value> items = {});
  static Value tuple(std::vector<Value> items = {});
  /// Duplicates are dropped; fails (as a none) never: unhashable elements are rejected by
  /// serialize() with a TypeError.
  static Value set(std::vector<Value> items = {});
  /// `Value::dict({{0, tensor}, {"name", "x"}})`. A repeated key keeps its last value.
  static Value dict(std::initializer_list<std::pair<Value, Value>> entries = {});
  static Value dict(std::vector<std::pair<Value, Value>> entries);
  /// An object of a registered C++ type (serialize() finds its callbacks by type).
  template <typename T>
  static Value object(std::string type_name, T object) {
    auto o = std::make_shared<Object>();
    o->type_name = std::move(type_name);
    o->type = typeid(T);
    o->payload = std::make_shared<const T>(std::move(object));
    return Value(std::move(o));
  }

  Kind kind() const { return static_cast<Kind>(storage_.index()); }
  const Storage& storage() const { return storage_; }
  std::string_view kind_name() const { return kind_name(kind()); }
  /// "none", "bool", "int", ..., "sparse_tensor", "object".
  static std::string_view kind_name(Kind kind);

  bool is_none() const { return kind() == Kind::kNone; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_double() const { return kind() == Kind::kDouble; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_bytes() const { return kind() == Kind::kBytes; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_tuple() const { return kind() == Kind::kTuple; }
  bool is_dict() const { return kind() == Kind::kDict; }
  bool is_set() const { return kind() == Kind::kSet; }
  bool is_tensor() const { return kind() == Kind::kTensor; }
  bool is_ndarray() const { return kind() == Kind::kNdarray; }
  bool is_buffer() const { return kind() == Kind::kBuffer; }
  bool is_sparse_tensor() const { return kind() == Kind::kSparseTensor; }
  bool is_object() const { return kind() == Kind::kObject; }

  /// Pointer to the stored T, or null when the Value holds something else. T is one of the
  /// Storage alternatives or List/Tuple/Dict/Set/Object (the pointee of the shared handle).
  template <typename T>
  const T* as() const {
    if constexpr (std::is_same_v<T, List> || std::is_same_v<T, Tuple> || std::is_same_v<T, Dict> ||
                  std::is_same_v<T, Set> || std::is_same_v<T, Object>) {
      auto* p = std::get_if<std::shared_ptr<T>>(&storage_);
      return p ? p->get() : nullptr;
    } else {
      return std::get_if<T>(&storage_);
    }
  }
  /// Mutable access to a container (shared with every copy of this Value).
  template <typename T>
  T* as_mutable() const {
    auto* p = std::get_if<std::shared_ptr<T>>(&storage_);
    return p ? p->get() : nullptr;
  }
  /// The payload of an object of type T, or null (wrong kind, wrong type, or opaque).
  template <typename T>
  const T* as_object() const {
    const Object* o = as<Object>();
    if (!o || o->type != std::type_index(typeid(T)) || !o->payload) return nullptr;
    return static_cast<const T*>(o->payload.get());
  }

  template <typename F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), storage_);
  }

  /// Deep equality (tensors by value, buffers by bytes, sets ignoring order, objects by
  /// payload identity or by fields when opaque).
  bool equals(const Value& other) const;
  bool operator==(const Value& other) const { return equals(other); }
  /// Hash consistent with equals() for hashable kinds: SipHash-1-3 under a key drawn at
  /// random once per process (as Python does), so that keys read from hostile bytes cannot be
  /// chosen to collide. Differs between processes: never store it.
  std::size_t hash() const;
  /// None, bools, numbers, strings, bytes, dates and tuples of hashables can be dict keys.
  bool is_hashable() const;
  /// Python-like rendering: None, True, 1, 'str', b'...', [..], (..,), {k: v}, {..}.
  std::string to_string() const;

 private:
  Storage storage_;
};

struct Dict::Entry {
  Value key;
  Value value;
};

inline std::size_t Dict::size() const { return entries_.size(); }
inline bool Dict::empty() const { return entries_.empty(); }

}  // namespace arrowpack

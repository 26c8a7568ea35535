// ObjectReader: reads a serialized object element by element, without materialising a
// Value graph (the fast path of the typed deserialize<T>). A Cursor points at one element;
// strings are views of the structure's memory and tensors/buffers are shared. Cursors and
// the views they hand out are valid while the reader lives (cursors are plain values, cheap
// to copy). Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "arrowpack/registry/serialize.h"
#include "arrowpack/registry/value.h"

namespace arrowpack {

struct CursorAccess;
namespace registry_internal {
struct UnionView;
struct ChildView;
}  // namespace registry_internal

class ObjectVisitor;

class ObjectReader {
 public:
  class Cursor;
  /// Checks the structure (as deserialize() does) and keeps `object` alive. Errors: Invalid
  /// or SerializationError for a malformed structure (Invalid for an object without one);
  /// CapacityError past options.limits; NotImplemented for a structure of a newer format
  /// version or a big-endian one; OutOfMemory.
  static Result<std::shared_ptr<ObjectReader>> open(SerializedObject object, const SerializationContext& context,
                                                    const DeserializeOptions& options = {});
  ~ObjectReader();
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  /// The serialized value itself. Errors: CapacityError past ReadLimits::max_elements or
  /// max_depth (the root counts as one element, at depth 0).
  Result<Cursor> root() const;

 private:
  friend struct CursorAccess;
  struct Impl;
  struct Block;  // the reader and its Impl in one allocation
  explicit ObjectReader(Impl* impl) : impl_(impl) {}
  Impl* impl_;  // lives in the same Block as this reader
};

class ObjectReader::Cursor {
 public:
  /// A cursor that belongs to no reader and reads as None (kind() kNone, value() a None,
  /// every other read a TypeError): room to be filled by elements().
  Cursor() = default;

  /// The element's kind (registered objects are dicts with a "_pytype_" key).
  Value::Kind kind() const { return kind_; }
  bool is_none() const { return kind_ == Value::Kind::kNone; }

  /// A bool. TypeError for another kind.
  Result<bool> boolean() const;
  /// An integer. TypeError for another kind (a float is not converted).
  Result<std::int64_t> integer() const;
  /// A float64, or any other number (float32, float16, int), as a double: the reading of
  /// ObjectWriter::float64(). TypeError for another kind.
  Result<double> float64() const;
  /// A float32, or any other number as float64() reads it, narrowed to a float. The errors
  /// of float64().
  Result<float> float32() const;
  /// Text (valid UTF-8) or bytes, as a view of the serialized memory. TypeError for another
  /// kind (bytes are not text, nor text bytes).
  Result<std::string_view> string() const;
  /// The errors of string().
  Result<std::string_view> bytes() const;
  /// A tensor or an ndarray (shared, not copied). TypeError for another kind;
  /// SerializationError for an index past the object's tensors or ndarrays.
  Result<TensorPtr> tensor() const;
  /// A buffer (shared, not copied). TypeError for another kind; SerializationError for an
  /// index past the object's buffers.
  Result<std::shared_ptr<Buffer>> buffer() const;
  /// A sparse tensor (shared, not copied). TypeError for another kind; SerializationError
  /// for an index past the object's sparse tensors or one of another format than its code.
  Result<SparseTensorPtr> sparse_tensor() const;

  /// Elements of a list, tuple or set, or entries of a dict. TypeError for another kind.
  Result<std::int64_t> size() const;
  /// Element i of a list, tuple or set. TypeError for another kind, IndexError for i outside
  /// [0, size()), CapacityError beyond ReadLimits::max_elements or max_depth.
  Result<Cursor> element(std::int64_t i) const;
  /// Elements first .. first + out.size() - 1 of a list, tuple or set, into `out`: what
  /// element() would give for each, counted against the limits at once. TypeError for
  /// another kind, IndexError when the range is not inside the container, CapacityError
  /// beyond ReadLimits::max_elements or max_depth (then `out` is left as it was).
  Status elements(std::int64_t first, std::span<Cursor> out) const;
  /// The key of entry i of a dict. TypeError for another kind, IndexError for i outside
  /// [0, size()), CapacityError beyond ReadLimits::max_elements or max_depth.
  Result<Cursor> key(std::int64_t i) const;
  /// The value of entry i of a dict. The errors of key().
  Result<Cursor> value_of(std::int64_t i) const;
  /// Entries first .. first + keys.size() - 1 of a dict: their keys into `keys` and their
  /// values into `values` (of the same size), what key() and value_of() would give for each,
  /// counted against the limits at once. Invalid when the spans differ in size; TypeError for
  /// another kind; IndexError when the range is not inside the dict; CapacityError beyond
  /// ReadLimits::max_elements or max_depth (then the spans are left as they were).
  Status entries(std::int64_t first, std::span<Cursor> keys, std::span<Cursor> values) const;

  /// Every element of a list, tuple or set at once, into `out` (whose size must be size()):
  /// the same result as float64()/integer() on each element(i), without the per-element
  /// cursors (the readings of ObjectWriter::float64s()/integers()). Invalid when out.size()
  /// is not size(), TypeError naming the first element of another kind (or for a cursor that
  /// is not a list, tuple or set), CapacityError beyond ReadLimits::max_elements or max_depth.
  Status float64s(std::span<double> out) const;
  /// The errors of float64s() (TypeError for an element that is not an integer).
  Status integers(std::span<std::int64_t> out) const;

  /// For a dict that is a registered object (pyarrow's `{..., "_pytype_": name}`): the
  /// registered name, a view of the serialized memory. Empty for anything else.
  std::optional<std::string_view> registered_type() const;
  /// Whether the element is a registered object that Python pickled (a dict with
  /// "_pytype_" and "pickle" keys). arrowpack never unpickles: its typed reads refuse it.
  bool is_pickle() const;
  /// The "data" entry of a registered object of type `name` (the custom-serializer form).
  /// TypeError naming what the element is instead (another type, a pickle, not an object).
  Result<Cursor> registered_data(std::string_view name) const;
  /// The element's value for `key` (a text key) in a dict; empty when absent or not a dict.
  std::optional<Cursor> find(std::string_view key) const;
  /// What the element is, for messages: "a list", "an object of registered type 'X'", "a
  /// Python pickle of registered type 'X'" (names escaped).
  std::string describe() const;

  /// The element as a Value (registered objects through the context's deserializers).
  /// Errors: CapacityError beyond ReadLimits::max_elements or max_depth; KeyError for a
  /// type name the context does not know, SerializationError for a Python pickle (both
  /// unless allow_unknown_types); SerializationError for a malformed dict or set, an
  /// out-of-range tensor or buffer index, or a deserializer that throws; whatever a
  /// registered deserializer returns; OutOfMemory. A default Cursor gives None.
  Result<Value> value() const;

  /// Counts `bytes` that a converter is about to allocate for this element (room for a
  /// container's elements, say) against the reader's decoded-bytes budget: ReadLimits'
  /// decoded_bytes_allowance + decoded_bytes_per_input_byte x the object's input bytes.
  /// Typed readers call it before reserving, so that a small blob cannot make them allocate
  /// far beyond its size. CapacityError when the budget is spent.
  Status charge(std::int64_t bytes) const;

  /// The limits of the read this cursor belongs to (the reader's DeserializeOptions), for
  /// converters that bound what they build; valid as long as the reader.
  const ReadLimits& limits() const;

  /// Hands the element, and everything inside it, to `visitor` depth first, in the order the
  /// elements were written (a dict's entries key, value, key, value...), reading the
  /// structure's columns directly: what element()/entries() and the typed reads would give,
  /// without a cursor per element. Containers inside are counted against ReadLimits'
  /// max_elements and max_depth as elements()/entries() count them (the element itself was
  /// counted when its cursor was made). Stops at the first error: CapacityError beyond the
  /// limits, or whatever a visitor call returned (the walk returns it as it is). A default
  /// Cursor visits as one None. The visitor must not throw.
  Status walk(ObjectVisitor& visitor) const;

 private:
  friend class ObjectReader;
  friend struct CursorAccess;
  Result<Cursor> entry(std::int64_t i, int side) const;  // side 0: key, 1: value
  struct Walker;
  Status wrong_kind(const char* wanted) const;
  // The reader owns the structure the pointers name; it must outlive the cursor.
  const ObjectReader::Impl* reader_ = nullptr;
  const registry_internal::UnionView* union_ = nullptr;
  std::int64_t index_ = 0;
  int depth_ = 0;
  Value::Kind kind_ = Value::Kind::kNone;
  std::int8_t tag_ = 0;
  const registry_internal::ChildView* child_ = nullptr;
  std::int64_t at_ = 0;
};

/// What Cursor::walk() hands the elements of a serialized value to, one call per element,
/// depth first. A container is on_begin(), its elements (a dict's entries as key, value, key,
/// value...), then on_end(). Strings are views of the serialized memory, valid while the
/// reader lives. Each call returns OK to go on, or the error that stops the walk. Calls come
/// from the thread that called walk(); a visitor must not throw.
class ObjectVisitor {
 public:
  virtual ~ObjectVisitor() = default;
  /// A None.
  virtual Status on_none() = 0;
  /// A bool.
  virtual Status on_bool(bool b) = 0;
  /// An integer (int64).
  virtual Status on_int(std::int64_t v) = 0;
  /// A float64, float32 or float16 (`kind` kDouble, kFloat or kHalf), as a double: exact
  /// for each of the three.
  virtual Status on_float(double v, Value::Kind kind) = 0;
  /// A date/time: microseconds since the epoch.
  virtual Status on_date64(std::int64_t micros) = 0;
  /// Text (UTF-8, as checked when the reader was opened) or bytes (`kind` kString or kBytes).
  virtual Status on_text(std::string_view s, Value::Kind kind) = 0;
  /// A list, tuple, set or dict (`kind`) of `size` elements (a dict: entries) begins: exactly
  /// `size` elements (a dict: 2 x `size`, key then value) follow, then its on_end().
  virtual Status on_begin(Value::Kind kind, std::int64_t size) = 0;
  /// The innermost container begun ends.
  virtual Status on_end() = 0;
  /// A tensor, ndarray, buffer or sparse tensor: read it from `item` (tensor(), buffer(),
  /// sparse_tensor(): their errors are the item's).
  virtual Status on_item(const ObjectReader::Cursor& item) = 0;
};

}  // namespace arrowpack

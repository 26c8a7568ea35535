// Arrays in the Arrow columnar layout: a type, a length, an offset and the buffers the
// format prescribes (validity bitmap first), plus children for nested types.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/type.h"

namespace arrowpack {

/// The raw parts of an array. Buffer slots by type (slot 0 is always the validity bitmap,
/// null when every value is valid; unions and null arrays never have one):
///   null: {-} | bool, fixed-width: {validity, values} | string/binary (+large):
///   {validity, offsets, data} | list/large_list/map: {validity, offsets} + 1 child |
///   fixed_size_list, struct: {validity} + children | sparse union: {-, type_ids} + children |
///   dense union: {-, type_ids, offsets} + children | dictionary: {validity, indices} and
///   ArrayData::dictionary | binary_view/string_view: {validity, views, data buffers...} |
///   list_view (+large): {validity, offsets, sizes} + 1 child | run_end_encoded: {-} +
///   children run_ends and values (offset and length are logical).
struct ArrayData {
  DataTypePtr type;
  std::int64_t length = 0;
  std::int64_t null_count = 0;
  /// Logical start within the buffers, in values (arrays share buffers when sliced).
  std::int64_t offset = 0;
  std::vector<std::shared_ptr<Buffer>> buffers;
  std::vector<std::shared_ptr<ArrayData>> children;
  /// Dictionary-encoded arrays: the values the indices (buffers[1]) refer to.
  std::shared_ptr<ArrayData> dictionary;
};

/// Number of buffer slots ArrayData carries for `type` (including the validity slot).
int num_buffer_slots(const DataType& type);

/// An immutable array: a cheap, copyable handle to shared ArrayData.
/// Accessors do no bounds checking beyond what validate() guaranteed at construction.
class Array {
 public:
  Array() = default;
  /// Wraps data the caller has already checked (see make() for the checked route).
  explicit Array(std::shared_ptr<const ArrayData> data) : data_(std::move(data)) {}

  /// Builds an array from parts and checks them with validate().
  /// `null_count` < 0 means "count the validity bitmap".
  /// Errors: Invalid for an empty child, an offset and length out of range, or buffers, children or
  /// a null count validate() refuses; TypeError for children of the wrong type; CapacityError for
  /// nesting deeper than 1024 levels.
  static Result<Array> make(DataTypePtr type, std::int64_t length, std::vector<std::shared_ptr<Buffer>> buffers,
                            std::vector<Array> children = {}, std::int64_t null_count = -1, std::int64_t offset = 0);
  /// An array of `length` nulls of `type` (all-zero buffers from `pool`).
  /// Errors: Invalid for a negative length or an empty union; CapacityError when `length` does not
  /// fit a run-end-encoded type's run ends; OutOfMemory.
  static Result<Array> make_nulls(DataTypePtr type, std::int64_t length, MemoryPool* pool = default_memory_pool());

  bool valid_handle() const { return data_ != nullptr; }
  const std::shared_ptr<const ArrayData>& data() const { return data_; }
  const DataTypePtr& type() const { return data_->type; }
  TypeId type_id() const { return data_->type->id(); }
  std::int64_t length() const { return data_->length; }
  std::int64_t offset() const { return data_->offset; }
  std::int64_t null_count() const { return data_->null_count; }
  const std::shared_ptr<Buffer>& buffer(int i) const { return data_->buffers[i]; }
  int num_buffers() const { return static_cast<int>(data_->buffers.size()); }

  bool is_null(std::int64_t i) const;
  bool is_valid(std::int64_t i) const { return !is_null(i); }

  /// Typed pointer to the first value (fixed-width types), offset applied.
  template <typename T>
  const T* raw_values() const {
    return reinterpret_cast<const T*>(data_->buffers[1]->data()) + data_->offset;
  }
  /// Value i of a fixed-width array read as T (T must match the type's width).
  template <typename T>
  T value(std::int64_t i) const {
    T out;
    std::memcpy(&out, reinterpret_cast<const std::uint8_t*>(raw_values<T>() + i), sizeof(T));
    return out;
  }
  bool bool_value(std::int64_t i) const;
  /// Bytes of value i of string/binary/large_*/fixed_size_binary arrays.
  std::string_view string_view(std::int64_t i) const;

  /// Offset of list i into the child (list, large_list, map, string and binary types).
  std::int64_t value_offset(std::int64_t i) const;
  /// Length of list i (list views: its size).
  std::int64_t value_length(std::int64_t i) const;
  /// Run-end encoded arrays: the index in values() of logical value i.
  std::int64_t physical_index(std::int64_t i) const;
  /// Child array j as stored (not adjusted for this array's offset).
  Array child(int j) const { return Array(data_->children[j]); }
  int num_children() const { return static_cast<int>(data_->children.size()); }
  /// Struct member j sliced to this array's offset and length (pyarrow's field()).
  Array field(int j) const;
  /// List/map values (the child as stored; use value_offset to index it).
  Array values() const { return child(0); }

  /// Dictionary-encoded arrays: the dictionary, and index i (null slots have index 0).
  Array dictionary() const { return Array(data_->dictionary); }
  std::int64_t dictionary_index(std::int64_t i) const;
  /// An array of `type` (a dictionary type) from its indices and its dictionary; checks
  /// that every non-null index lies in the dictionary, in time linear in the indices (the
  /// dictionary's values are not checked again: validate_full() does that). Shares both.
  /// TypeError for a type or indices that do not match, Invalid for an index outside.
  static Result<Array> make_dictionary(DataTypePtr type, const Array& indices, const Array& dictionary);

  /// Union type code of slot i.
  std::int8_t type_code(std::int64_t i) const {
    return reinterpret_cast<const std::int8_t*>(data_->buffers[1]->data())[data_->offset + i];
  }
  /// Index of the union child that holds slot i.
  int child_id(std::int64_t i) const { return type()->child_index_for_code(type_code(i)); }
  /// Dense union: index of slot i within its child. Sparse union: offset + i.
  std::int64_t union_value_offset(std::int64_t i) const;

  /// A zero-copy view of [offset, offset + length). Fails when out of range.
  /// Errors: IndexError when the range is outside [0, length()).
  Result<Array> slice(std::int64_t offset, std::int64_t length) const;
  /// The errors of slice(std::int64_t, std::int64_t).
  Result<Array> slice(std::int64_t offset) const { return slice(offset, offset <= length() ? length() - offset : -1); }

  /// Same type (ignoring field metadata) and same logical values, nulls included.
  bool equals(const Array& other) const;

  /// pyarrow-style rendering: "[\n  1,\n  null\n]"; long arrays show `window` values at
  /// each end.
  std::string to_string(std::int64_t window = 10) const;
  /// One-line rendering: "[1,2,null]".
  std::string to_string_compact(std::int64_t window = 10) const;

  /// O(1) checks per buffer: sizes cover offset + length, child lengths, null count range.
  /// Errors: Invalid naming the first buffer, child or count that is wrong; TypeError for a child
  /// or dictionary of the wrong type; CapacityError for nesting deeper than 1024 levels.
  Status validate() const;
  /// O(length) checks on top of validate(): offsets monotonic and within the data, union
  /// type codes declared and dense offsets inside their child, UTF-8 of strings, null counts
  /// equal to the bitmap.
  /// Errors: those of validate(); Invalid for the first offset, code or string that is wrong;
  /// CapacityError when string views overlap so much that checking them would scan more than a
  /// bounded multiple of the data.
  Status validate_full() const;

 private:
  std::shared_ptr<const ArrayData> data_;
};

/// The arrays one after the other, as one array of their common type (new buffers from
/// `pool`). Dictionary arrays must share their dictionary.
/// Errors: Invalid for no arrays; TypeError for arrays of different types; CapacityError when
/// lengths or 32-bit offsets overflow; NotImplemented for dictionary arrays with different
/// dictionaries; OutOfMemory.
Result<Array> concatenate(const std::vector<Array>& arrays, MemoryPool* pool = default_memory_pool());

/// Run-end encodes `values`: each run of equal adjacent values (nulls included) once.
/// Errors: Invalid for an empty handle; CapacityError when the length does not fit `run_end_type`;
/// OutOfMemory.
Result<Array> run_end_encode(const Array& values, DataTypePtr run_end_type = int32(),
                             MemoryPool* pool = default_memory_pool());

/// Dictionary-encodes `values` (fixed-width or binary-like): each distinct non-null value
/// once in the dictionary, in order of first appearance; nulls stay null indices.
/// Errors: Invalid for an empty handle; NotImplemented for a type it cannot encode (nested, bool);
/// TypeError for an index type that is not an integer; those of DictionaryBuilder::append();
/// OutOfMemory.
Result<Array> dictionary_encode(const Array& values, DataTypePtr index_type = int32(),
                                MemoryPool* pool = default_memory_pool());

/// Number of zero bits among `length` bits starting at bit `offset` (null when all valid).
std::int64_t count_nulls(const std::uint8_t* bitmap, std::int64_t offset, std::int64_t length);

}  // namespace arrowpack

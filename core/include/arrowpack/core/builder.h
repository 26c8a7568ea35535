// Builders: append C++ values (std::nullopt = null) and finish() into an Array.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "arrowpack/core/array.h"
#include "arrowpack/core/buffer.h"
#include "arrowpack/core/type.h"

namespace arrowpack {

/// Base of all builders: tracks length and the validity bitmap. Not thread-safe.
/// finish() hands over the memory and leaves the builder empty and reusable.
class ArrayBuilder {
 public:
  virtual ~ArrayBuilder() = default;
  const DataTypePtr& type() const { return type_; }
  std::int64_t length() const { return length_; }
  std::int64_t null_count() const { return null_count_; }

  /// A null slot. Errors: OutOfMemory from the pool; CapacityError where a null needs an offset
  /// past 2^31-1 (binary, list) or a null child value (struct, fixed_size_list, union: those of the
  /// children); Invalid for an empty union.
  virtual Status append_null() = 0;
  /// `n` null slots. The errors of append_null().
  Status append_nulls(std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) ARROWPACK_RETURN_NOT_OK(append_null());
    return Status::OK();
  }
  /// The values appended so far as an Array; the builder starts over.
  /// Errors: OutOfMemory from the pool; Invalid when the children disagree with the appended rows
  /// (a struct field or fixed_size_list's values of the wrong length); the errors of the children's
  /// finish().
  virtual Result<Array> finish() = 0;

  /// Child builders of nested builders (list: 1, struct/union: one per member).
  virtual int num_children() const { return 0; }
  virtual ArrayBuilder* child(int) { return nullptr; }

 protected:
  ArrayBuilder(DataTypePtr type, MemoryPool* pool) : type_(std::move(type)), pool_(pool) {}
  /// Records one more slot as valid or null.
  Status append_validity(bool valid);
  /// The bitmap (null when no null was appended) and a reset of the counters.
  Result<std::shared_ptr<Buffer>> finish_validity();

  DataTypePtr type_;
  MemoryPool* pool_;
  std::int64_t length_ = 0;
  std::int64_t null_count_ = 0;
  std::shared_ptr<ResizableBuffer> validity_;
};

/// Fixed-width values stored as CType (ints, floats, and temporal types over their storage).
template <typename CType>
class NumericBuilder : public ArrayBuilder {
 public:
  /// `type` must have a byte width equal to sizeof(CType).
  explicit NumericBuilder(DataTypePtr type, MemoryPool* pool = default_memory_pool())
      : ArrayBuilder(std::move(type), pool) {}
  /// Errors: OutOfMemory from the pool.
  Status append(CType value) {
    ARROWPACK_RETURN_NOT_OK(grow(1));
    std::memcpy(values_->mutable_data() + length_ * sizeof(CType), &value, sizeof(CType));
    return append_validity(true);
  }
  /// The errors of append(CType).
  Status append(std::optional<CType> value) { return value ? append(*value) : append_null(); }
  /// Appends `n` valid values from `values`. Errors: OutOfMemory from the pool.
  Status append_values(const CType* values, std::int64_t n) {
    ARROWPACK_RETURN_NOT_OK(grow(n));
    std::memcpy(values_->mutable_data() + length_ * sizeof(CType), values, n * sizeof(CType));
    for (std::int64_t i = 0; i < n; ++i) ARROWPACK_RETURN_NOT_OK(append_validity(true));
    return Status::OK();
  }
  Status append_null() override {
    ARROWPACK_RETURN_NOT_OK(grow(1));
    std::memset(values_->mutable_data() + length_ * sizeof(CType), 0, sizeof(CType));
    return append_validity(false);
  }
  Result<Array> finish() override {
    if (!values_) {
      ARROWPACK_ASSIGN_OR_RAISE(values_, allocate_resizable_buffer(0, pool_));
    }
    ARROWPACK_RETURN_NOT_OK(values_->resize(length_ * static_cast<std::int64_t>(sizeof(CType))));
    values_->zero_padding();
    const std::int64_t n = length_, nulls = null_count_;
    ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
    std::shared_ptr<Buffer> values = std::move(values_);
    values_.reset();
    return Array::make(type_, n, {std::move(validity), std::move(values)}, {}, nulls);
  }

 private:
  Status grow(std::int64_t n) {
    if (!values_) {
      ARROWPACK_ASSIGN_OR_RAISE(values_, allocate_resizable_buffer(0, pool_));
    }
    return values_->resize((length_ + n) * static_cast<std::int64_t>(sizeof(CType)));
  }
  std::shared_ptr<ResizableBuffer> values_;
};

class BooleanBuilder : public ArrayBuilder {
 public:
  explicit BooleanBuilder(MemoryPool* pool = default_memory_pool()) : ArrayBuilder(boolean(), pool) {}
  /// Errors: OutOfMemory from the pool.
  Status append(bool value);
  /// The errors of append(bool).
  Status append(std::optional<bool> value) { return value ? append(*value) : append_null(); }
  Status append_null() override;
  Result<Array> finish() override;

 private:
  std::shared_ptr<ResizableBuffer> bits_;
};

/// string, large_string, binary, large_binary.
class BinaryBuilder : public ArrayBuilder {
 public:
  explicit BinaryBuilder(DataTypePtr type = utf8(), MemoryPool* pool = default_memory_pool());
  /// Errors: CapacityError when string or binary data would pass 2^31-1 bytes; OutOfMemory from the
  /// pool.
  Status append(std::string_view value);
  /// The errors of append(std::string_view).
  Status append_optional(std::optional<std::string_view> value) { return value ? append(*value) : append_null(); }
  Status append_null() override;
  Result<Array> finish() override;

 private:
  std::shared_ptr<ResizableBuffer> offsets_;
  std::shared_ptr<ResizableBuffer> data_;
  std::int64_t data_length_ = 0;
};

class FixedSizeBinaryBuilder : public ArrayBuilder {
 public:
  explicit FixedSizeBinaryBuilder(DataTypePtr type, MemoryPool* pool = default_memory_pool())
      : ArrayBuilder(std::move(type), pool) {}
  /// Fails with Invalid when the value's size differs from the type's width.
  Status append(std::string_view value);
  Status append_null() override;
  Result<Array> finish() override;

 private:
  std::shared_ptr<ResizableBuffer> values_;
};

/// decimal32/64/128/256: values from text ("-1.25") or as unscaled integers.
class DecimalBuilder : public ArrayBuilder {
 public:
  explicit DecimalBuilder(DataTypePtr type, MemoryPool* pool = default_memory_pool())
      : ArrayBuilder(std::move(type), pool) {}
  /// Fails (Invalid) when the text is not a number, has more fractional digits than the
  /// scale, or more digits than the precision.
  Status append(std::string_view text);
  /// The value unscaled * 10^-scale.
  /// Errors: Invalid when the value does not fit the storage (a decimal32's 32 bits); OutOfMemory.
  Status append_unscaled(std::int64_t unscaled);
  Status append_null() override;
  Result<Array> finish() override;

 private:
  Result<std::uint8_t*> next_slot();
  std::shared_ptr<ResizableBuffer> values_;
};

/// Dictionary-encoded arrays built value by value (value types: fixed-width but bool, and
/// binary-like). Each value is looked up in a memo of the values seen so far. The memo
/// survives finish(): the next array's dictionary starts with the previous one, so an IPC
/// stream writer can send only the new values (a delta).
class DictionaryBuilder : public ArrayBuilder {
 public:
  /// `type` must be a dictionary type whose value type this builder supports.
  /// Errors: TypeError for a type that is not a dictionary; NotImplemented for a value type it does
  /// not support (bool, nested); OutOfMemory.
  static Result<std::unique_ptr<DictionaryBuilder>> make(DataTypePtr type, MemoryPool* pool = default_memory_pool());
  /// The value's bytes: the text of a string, the byte_width() bytes of a fixed-width value.
  /// Errors: Invalid for a fixed-width value of the wrong size or a string that is not UTF-8;
  /// CapacityError for more distinct values than the index type holds; TypeError for indices it
  /// cannot write; OutOfMemory.
  Status append(std::string_view value_bytes);
  /// The errors of append(std::string_view).
  template <typename T>
  Status append_value(const T& value) {
    return append(std::string_view(reinterpret_cast<const char*>(&value), sizeof(T)));
  }
  Status append_null() override;
  Result<Array> finish() override;
  /// Distinct values so far (the next dictionary's length).
  std::int64_t dictionary_length() const { return static_cast<std::int64_t>(memo_.size()); }

 private:
  DictionaryBuilder(DataTypePtr type, std::unique_ptr<ArrayBuilder> indices, MemoryPool* pool);
  Status append_index(std::int64_t index);
  std::unique_ptr<ArrayBuilder> indices_;
  std::unordered_map<std::string, std::int64_t> memo_;
  std::string new_bytes_;  // values added since the last finish()
  std::vector<std::int64_t> new_offsets_{0};
  Array previous_;  // the dictionary the last finish() returned
};

class NullBuilder : public ArrayBuilder {
 public:
  explicit NullBuilder(MemoryPool* pool = default_memory_pool()) : ArrayBuilder(null(), pool) {}
  Status append_null() override {
    ++length_;
    ++null_count_;
    return Status::OK();
  }
  Result<Array> finish() override;
};

/// binary_view and string_view: values up to 12 bytes inline in their view, longer ones in
/// data buffers of up to 1 MiB each (a value never straddles two).
class BinaryViewBuilder : public ArrayBuilder {
 public:
  explicit BinaryViewBuilder(DataTypePtr type = utf8_view(), MemoryPool* pool = default_memory_pool())
      : ArrayBuilder(std::move(type), pool) {}
  /// Errors: Invalid for a string_view value that is not UTF-8; CapacityError for a value of 2^31
  /// bytes or more; OutOfMemory.
  Status append(std::string_view value);
  Status append_null() override;
  Result<Array> finish() override;

 private:
  Status append_view(const std::uint8_t view[16], bool valid);
  std::shared_ptr<ResizableBuffer> views_;
  std::vector<std::shared_ptr<Buffer>> full_;  // finished data buffers
  std::shared_ptr<ResizableBuffer> current_;   // the data buffer being filled
};

/// list, large_list and map (and list_view, large_list_view): append() opens a new list, then append its items to
/// values_builder() (for a map: append key and value to the entries struct's children,
/// then entries->append()).
class ListBuilder : public ArrayBuilder {
 public:
  ListBuilder(DataTypePtr type, std::unique_ptr<ArrayBuilder> values, MemoryPool* pool = default_memory_pool());
  /// Opens a valid list. Errors: CapacityError when a (non-large) list's offsets would pass 2^31-1;
  /// OutOfMemory.
  Status append() { return open_list(true); }
  Status append_null() override { return open_list(false); }
  Result<Array> finish() override;
  ArrayBuilder* values_builder() { return values_.get(); }
  int num_children() const override { return 1; }
  ArrayBuilder* child(int) override { return values_.get(); }

 private:
  Status open_list(bool valid);
  std::unique_ptr<ArrayBuilder> values_;
  std::shared_ptr<ResizableBuffer> offsets_;
};

/// fixed_size_list: append() then exactly list_size values to values_builder().
class FixedSizeListBuilder : public ArrayBuilder {
 public:
  FixedSizeListBuilder(DataTypePtr type, std::unique_ptr<ArrayBuilder> values, MemoryPool* pool = default_memory_pool())
      : ArrayBuilder(std::move(type), pool), values_(std::move(values)) {}
  /// Errors: OutOfMemory from the pool.
  Status append() { return append_validity(true); }
  /// Appends a null list and list_size null values.
  Status append_null() override;
  Result<Array> finish() override;
  ArrayBuilder* values_builder() { return values_.get(); }
  int num_children() const override { return 1; }
  ArrayBuilder* child(int) override { return values_.get(); }

 private:
  std::unique_ptr<ArrayBuilder> values_;
};

/// struct: append() marks a valid row; append one value to every field builder.
class StructBuilder : public ArrayBuilder {
 public:
  StructBuilder(DataTypePtr type, std::vector<std::unique_ptr<ArrayBuilder>> fields,
                MemoryPool* pool = default_memory_pool())
      : ArrayBuilder(std::move(type), pool), fields_(std::move(fields)) {}
  /// Errors: OutOfMemory from the pool.
  Status append() { return append_validity(true); }
  /// Appends a null row (and a null to every field).
  Status append_null() override;
  Result<Array> finish() override;
  ArrayBuilder* field_builder(int i) { return fields_[i].get(); }
  int num_children() const override { return static_cast<int>(fields_.size()); }
  ArrayBuilder* child(int i) override { return fields_[i].get(); }

 private:
  std::vector<std::unique_ptr<ArrayBuilder>> fields_;
};

/// dense_union and sparse_union: append(code) picks the member, then append the value to
/// child_builder(child index of code). Sparse unions get a null in every other member.
class UnionBuilder : public ArrayBuilder {
 public:
  UnionBuilder(DataTypePtr type, std::vector<std::unique_ptr<ArrayBuilder>> children,
               MemoryPool* pool = default_memory_pool());
  /// Errors: Invalid for a code the type does not declare; CapacityError when a dense union's
  /// member passes 2^31-1 values; OutOfMemory.
  Status append(std::int8_t type_code);
  /// A null in the first member.
  Status append_null() override;
  Result<Array> finish() override;
  ArrayBuilder* child_builder(int i) { return children_[i].get(); }
  int num_children() const override { return static_cast<int>(children_.size()); }
  ArrayBuilder* child(int i) override { return children_[i].get(); }

 private:
  std::vector<std::unique_ptr<ArrayBuilder>> children_;
  std::shared_ptr<ResizableBuffer> codes_;
  std::shared_ptr<ResizableBuffer> offsets_;
};

/// A builder for any supported type, children included.
/// Errors: NotImplemented for a type with no builder (run_end_encoded: build the values, then
/// run_end_encode()); TypeError or NotImplemented from a dictionary's make(); OutOfMemory.
Result<std::unique_ptr<ArrayBuilder>> make_builder(const DataTypePtr& type, MemoryPool* pool = default_memory_pool());

// ---- one-line arrays from C++ values ----------------------------------------------------

namespace detail {
template <typename T>
DataTypePtr type_for() {
  if constexpr (std::is_same_v<T, bool>)
    return boolean();
  else if constexpr (std::is_same_v<T, std::int8_t>)
    return int8();
  else if constexpr (std::is_same_v<T, std::int16_t>)
    return int16();
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return int32();
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return int64();
  else if constexpr (std::is_same_v<T, std::uint8_t>)
    return uint8();
  else if constexpr (std::is_same_v<T, std::uint16_t>)
    return uint16();
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return uint32();
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return uint64();
  else if constexpr (std::is_same_v<T, float>)
    return float32();
  else if constexpr (std::is_same_v<T, double>)
    return float64();
  else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>)
    return utf8();
  else
    static_assert(sizeof(T) == 0, "arrowpack::array<T>: T has no default Arrow type");
}

template <typename T, typename Values>
Result<Array> build(const DataTypePtr& type, const Values& values, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto builder, make_builder(type, pool));
  for (const auto& v : values) {
    if constexpr (std::is_same_v<T, bool>) {
      auto* b = dynamic_cast<BooleanBuilder*>(builder.get());
      if (!b) return Status::TypeError("bool values for type ", type->to_string());
      ARROWPACK_RETURN_NOT_OK(b->append(std::optional<bool>(v)));
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
      auto* b = dynamic_cast<BinaryBuilder*>(builder.get());
      if (!b) return Status::TypeError("string values for type ", type->to_string());
      const std::optional<T>& o = v;
      ARROWPACK_RETURN_NOT_OK(o ? b->append(std::string_view(*o)) : b->append_null());
    } else {
      auto* b = dynamic_cast<NumericBuilder<T>*>(builder.get());
      if (!b) return Status::TypeError("values of ", sizeof(T), " bytes for type ", type->to_string());
      ARROWPACK_RETURN_NOT_OK(b->append(std::optional<T>(v)));
    }
  }
  return builder->finish();
}
}  // namespace detail

/// `array<std::string>({"foo", "bar", "baz", std::nullopt})` — pyarrow's pa.array([...]).
/// Errors: TypeError when T does not match the type's builder; those of make_builder().
template <typename T>
Result<Array> array(std::initializer_list<std::optional<T>> values, MemoryPool* pool = default_memory_pool()) {
  return detail::build<T>(detail::type_for<T>(), values, pool);
}
/// The errors of array(std::initializer_list).
template <typename T>
Result<Array> array(const std::vector<std::optional<T>>& values, MemoryPool* pool = default_memory_pool()) {
  return detail::build<T>(detail::type_for<T>(), values, pool);
}
/// The errors of array(std::initializer_list).
template <typename T>
Result<Array> array(const std::vector<T>& values, MemoryPool* pool = default_memory_pool()) {
  return detail::build<T>(detail::type_for<T>(), values, pool);
}
/// With an explicit type over the same storage, e.g. `array<std::int64_t>(timestamp(kMilli), ...)`.
/// The errors of array(std::initializer_list).
template <typename T>
Result<Array> array(const DataTypePtr& type, std::initializer_list<std::optional<T>> values,
                    MemoryPool* pool = default_memory_pool()) {
  return detail::build<T>(type, values, pool);
}
/// The errors of array(std::initializer_list).
template <typename T>
Result<Array> array(const DataTypePtr& type, const std::vector<std::optional<T>>& values,
                    MemoryPool* pool = default_memory_pool()) {
  return detail::build<T>(type, values, pool);
}

}  // namespace arrowpack

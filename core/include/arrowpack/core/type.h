// Logical types, fields and schemas of the Arrow columnar format.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arrowpack/core/status.h"
#include "arrowpack/core/type_fwd.h"
#include "arrowpack/core/type_traits.h"

namespace arrowpack {

enum class TimeUnit : std::int8_t { kSecond, kMilli, kMicro, kNano };

/// One value of day_time_interval: days and milliseconds (two int32, in this order).
struct DayTimeInterval {
  std::int32_t days = 0;
  std::int32_t milliseconds = 0;
  bool operator==(const DayTimeInterval&) const = default;
};
/// One value of month_day_nano_interval.
struct MonthDayNanoInterval {
  std::int32_t months = 0;
  std::int32_t days = 0;
  std::int64_t nanoseconds = 0;
  bool operator==(const MonthDayNanoInterval&) const = default;
};
static_assert(sizeof(DayTimeInterval) == 8 && sizeof(MonthDayNanoInterval) == 16);
enum class UnionMode : std::int8_t { kSparse, kDense };

/// "s", "ms", "us" or "ns".
std::string_view time_unit_name(TimeUnit unit);

class DataType;
class Field;
using DataTypePtr = std::shared_ptr<const DataType>;
using FieldPtr = std::shared_ptr<const Field>;
using FieldVector = std::vector<FieldPtr>;

/// Ordered key/value string pairs attached to a field or a schema. Keys may repeat on the
/// wire; get() returns the first match.
class KeyValueMetadata {
 public:
  KeyValueMetadata() = default;
  KeyValueMetadata(std::vector<std::pair<std::string, std::string>> pairs)  // NOLINT
      : pairs_(std::move(pairs)) {}

  std::int64_t size() const { return static_cast<std::int64_t>(pairs_.size()); }
  bool empty() const { return pairs_.empty(); }
  const std::string& key(std::int64_t i) const { return pairs_[i].first; }
  const std::string& value(std::int64_t i) const { return pairs_[i].second; }
  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }
  std::optional<std::string> get(std::string_view key) const;
  bool contains(std::string_view key) const { return get(key).has_value(); }
  void append(std::string key, std::string value) { pairs_.emplace_back(std::move(key), std::move(value)); }
  /// The same pairs, in any order (producers order extension keys differently).
  bool equals(const KeyValueMetadata& other) const;
  std::string to_string() const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

using MetadataPtr = std::shared_ptr<const KeyValueMetadata>;

/// Builds metadata from pairs: `key_value_metadata({{"k", "v"}})`.
MetadataPtr key_value_metadata(std::vector<std::pair<std::string, std::string>> pairs);

/// A logical type: an id plus the parameters that id takes (unit, width, children...).
/// Immutable and shared; create with the factory functions below.
class DataType {
 public:
  TypeId id() const { return id_; }

  /// Arrow C++'s DataType::ToString() spelling: "int64", "list<item: int32>", ...
  std::string to_string() const;
  /// Structural equality; field metadata of children is compared when `check_metadata`.
  bool equals(const DataType& other, bool check_metadata = false) const;

  /// This type's row of the layout table (type_traits.h): buffers, children, categories.
  const TypeInfo& info() const { return type_info(id_); }
  /// Width in bits of one value for fixed-width types (bool: 1), else 0.
  std::int64_t bit_width() const {
    return id_ == TypeId::kFixedSizeBinary ? std::int64_t{fixed_size_} * 8 : info().bit_width;
  }
  /// Width in bytes of one value for fixed-width types other than bool, else 0.
  std::int64_t byte_width() const { return bit_width() >= 8 ? bit_width() / 8 : 0; }
  /// Fixed-width types carry one data buffer of bit_width() bits per value.
  bool is_fixed_width() const { return bit_width() > 0; }
  bool is_integer() const { return info().is(kIntegerCategory); }
  bool is_signed_integer() const { return info().is(kSignedCategory); }
  bool is_floating() const { return info().is(kFloatingCategory); }
  /// string/binary and their large twins (offsets + data).
  bool is_binary_like() const { return info().is(kBinaryLikeCategory); }
  /// string and large_string.
  bool is_string() const { return info().is(kStringCategory); }
  /// Offsets are 64-bit (large_string, large_binary, large_list, large_list_view).
  bool has_large_offsets() const { return info().is(kLargeOffsetsCategory); }
  /// list, large_list and map: offsets into one child.
  bool is_list_like() const { return info().is(kListLikeCategory); }
  bool is_union() const { return info().is(kUnionCategory); }
  /// binary_view and string_view: 16-byte views into variadic data buffers.
  bool is_binary_view() const { return info().is(kBinaryViewCategory); }
  /// list_view and large_list_view: offsets and sizes into one child.
  bool is_list_view() const { return info().is(kListViewCategory); }
  bool is_decimal() const { return info().is(kDecimalCategory); }
  bool is_interval() const { return info().is(kIntervalCategory); }
  bool is_nested() const { return !children_.empty(); }

  /// Child fields (list: the item; map: the entries struct; struct/union: the members).
  const FieldVector& fields() const { return children_; }
  const FieldPtr& field(int i) const { return children_[i]; }
  int num_fields() const { return static_cast<int>(children_.size()); }
  /// Index of the struct member named `name`, or -1 (the first when names repeat).
  int field_index(std::string_view name) const;

  /// Time unit of time32/time64/timestamp/duration.
  TimeUnit unit() const { return unit_; }
  /// Time zone of a timestamp ("" when naive).
  const std::string& timezone() const { return timezone_; }
  /// Width of fixed_size_binary / length of fixed_size_list.
  std::int32_t fixed_size() const { return fixed_size_; }
  bool keys_sorted() const { return keys_sorted_; }
  UnionMode union_mode() const { return id_ == TypeId::kDenseUnion ? UnionMode::kDense : UnionMode::kSparse; }
  /// Decimal precision (significant digits) and scale (digits after the point; may be < 0).
  std::int32_t precision() const { return precision_; }
  std::int32_t scale() const { return scale_; }
  /// Union type codes, one per child.
  const std::vector<std::int8_t>& type_codes() const { return type_codes_; }
  /// Child index for union type code `code` (0..127), or -1 when undeclared.
  int child_index_for_code(std::int8_t code) const { return code >= 0 ? code_to_child_[code] : -1; }
  /// Value type of list/large_list/fixed_size_list (the item's type), or of the values
  /// of a dictionary.
  const DataTypePtr& value_type() const;
  /// Dictionary: the integer type of the indices, and whether the order of the values means
  /// something.
  const DataTypePtr& index_type() const { return index_type_; }
  bool ordered() const { return ordered_; }

  // Use the factory functions; this constructor is public for std::make_shared.
  struct Params {
    TimeUnit unit = TimeUnit::kSecond;
    std::string timezone;
    std::int32_t fixed_size = 0;
    bool keys_sorted = false;
    std::vector<std::int8_t> type_codes;
    std::int32_t precision = 0;
    std::int32_t scale = 0;
    DataTypePtr index_type;  // dictionary
    DataTypePtr dictionary_value_type;
    bool ordered = false;
  };
  DataType(TypeId id, FieldVector children, Params params);

 private:
  TypeId id_;
  FieldVector children_;
  TimeUnit unit_;
  std::string timezone_;
  std::int32_t fixed_size_;
  bool keys_sorted_;
  std::vector<std::int8_t> type_codes_;
  std::int32_t precision_;
  std::int32_t scale_;
  DataTypePtr index_type_;
  DataTypePtr dictionary_value_type_;
  bool ordered_;
  std::vector<std::int8_t> code_to_child_;
};

/// A named, typed column or child, with nullability and optional metadata.
class Field {
 public:
  Field(std::string name, DataTypePtr type, bool nullable = true, MetadataPtr metadata = nullptr)
      : name_(std::move(name)), type_(std::move(type)), nullable_(nullable), metadata_(std::move(metadata)) {}

  const std::string& name() const { return name_; }
  const DataTypePtr& type() const { return type_; }
  bool nullable() const { return nullable_; }
  /// May be null when there is no metadata.
  const MetadataPtr& metadata() const { return metadata_; }

  FieldPtr with_metadata(MetadataPtr metadata) const {
    return std::make_shared<Field>(name_, type_, nullable_, std::move(metadata));
  }
  FieldPtr with_name(std::string name) const {
    return std::make_shared<Field>(std::move(name), type_, nullable_, metadata_);
  }
  /// "name: type" (+ " not null").
  std::string to_string() const;
  bool equals(const Field& other, bool check_metadata = false) const;

 private:
  std::string name_;
  DataTypePtr type_;
  bool nullable_;
  MetadataPtr metadata_;
};

/// The columns of a record batch: fields plus schema-level metadata.
/// The byte order of a schema's data as an IPC producer declared it.
enum class Endianness : std::int8_t { kLittle, kBig };

class Schema {
 public:
  explicit Schema(FieldVector fields, MetadataPtr metadata = nullptr, Endianness endianness = Endianness::kLittle)
      : fields_(std::move(fields)), metadata_(std::move(metadata)), endianness_(endianness) {}

  const FieldVector& fields() const { return fields_; }
  const FieldPtr& field(int i) const { return fields_[i]; }
  int num_fields() const { return static_cast<int>(fields_.size()); }
  /// Index of the first field named `name`, or -1.
  int get_field_index(std::string_view name) const;
  const MetadataPtr& metadata() const { return metadata_; }
  std::shared_ptr<const Schema> with_metadata(MetadataPtr metadata) const {
    return std::make_shared<Schema>(fields_, std::move(metadata), endianness_);
  }
  /// Byte order of the data (arrays in memory are always little-endian; a big-endian schema
  /// only describes IPC data as its producer wrote it). Not compared by equals().
  Endianness endianness() const { return endianness_; }
  std::shared_ptr<const Schema> with_endianness(Endianness endianness) const {
    return std::make_shared<Schema>(fields_, metadata_, endianness);
  }

  /// pyarrow's repr: one "name: type" line per field, then the metadata.
  std::string to_string() const;
  bool equals(const Schema& other, bool check_metadata = false) const;

 private:
  FieldVector fields_;
  MetadataPtr metadata_;
  Endianness endianness_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

/// visit_type_id(type.id(), visitor): `visitor` receives TypeTraits<Id> of `type`'s id.
template <typename Visitor>
constexpr decltype(auto) visit_type(const DataType& type, Visitor&& visitor) {
  return visit_type_id(type.id(), std::forward<Visitor>(visitor));
}

// ---- factories (pyarrow's names where C++ allows) --------------------------------------

/// The one shared instance of a type without parameters or children (its TypeInfo row lacks
/// kParametricCategory: null, bool, the numbers, the four string and binary types, the dates,
/// the intervals and the two views), as the named factories below return it; nullptr for
/// every other id. Thread-safe.
DataTypePtr parameter_free_type(TypeId id);

DataTypePtr null();
DataTypePtr boolean();
DataTypePtr int8();
DataTypePtr int16();
DataTypePtr int32();
DataTypePtr int64();
DataTypePtr uint8();
DataTypePtr uint16();
DataTypePtr uint32();
DataTypePtr uint64();
DataTypePtr float16();
DataTypePtr float32();
DataTypePtr float64();
DataTypePtr utf8();
DataTypePtr large_utf8();
DataTypePtr binary();
DataTypePtr large_binary();
/// `byte_width` must be >= 0.
DataTypePtr fixed_size_binary(std::int32_t byte_width);
DataTypePtr date32();
DataTypePtr date64();
/// time32 takes seconds or milliseconds; time64 micro- or nanoseconds.
/// Errors: Invalid for another unit.
Result<DataTypePtr> time32(TimeUnit unit);
/// Errors: Invalid for another unit.
Result<DataTypePtr> time64(TimeUnit unit);
DataTypePtr timestamp(TimeUnit unit, std::string timezone = "");
DataTypePtr duration(TimeUnit unit);
/// list<item: value_type>, with a nullable child named "item".
DataTypePtr list(DataTypePtr value_type);
DataTypePtr list(FieldPtr value_field);
DataTypePtr large_list(DataTypePtr value_type);
DataTypePtr large_list(FieldPtr value_field);
DataTypePtr fixed_size_list(DataTypePtr value_type, std::int32_t list_size);
DataTypePtr fixed_size_list(FieldPtr value_field, std::int32_t list_size);
DataTypePtr struct_(FieldVector fields);
/// map<key, item>: list<entries: struct<key: K not null, value: V> not null>.
DataTypePtr map(DataTypePtr key_type, DataTypePtr item_type, bool keys_sorted = false);
/// A map from an explicit entries field (struct of two children, the first not null).
/// Errors: TypeError when the entries field is not a struct of two fields.
Result<DataTypePtr> map(FieldPtr entries_field, bool keys_sorted = false);
/// Unions: `type_codes` default to 0..n-1; codes must be distinct and in [0, 127].
/// Errors: Invalid for more than 128 fields, as many codes as fields not given, or a code that is
/// negative or repeats.
Result<DataTypePtr> sparse_union(FieldVector fields, std::vector<std::int8_t> type_codes = {});
/// The errors of sparse_union().
Result<DataTypePtr> dense_union(FieldVector fields, std::vector<std::int8_t> type_codes = {});

/// Decimals: two's complement integers of 32, 64, 128 or 256 bits scaled by 10^-scale.
/// precision must be in [1, 9], [1, 18], [1, 38] and [1, 76] respectively.
/// Errors: Invalid for a precision or scale out of range.
Result<DataTypePtr> decimal32(std::int32_t precision, std::int32_t scale);
/// The errors of decimal32().
Result<DataTypePtr> decimal64(std::int32_t precision, std::int32_t scale);
/// The errors of decimal32().
Result<DataTypePtr> decimal128(std::int32_t precision, std::int32_t scale);
/// The errors of decimal32().
Result<DataTypePtr> decimal256(std::int32_t precision, std::int32_t scale);
/// Variable-size values as 16-byte views (inline up to 12 bytes, else prefix, buffer index
/// and offset into variadic data buffers): pyarrow's binary_view() and string_view().
DataTypePtr binary_view();
DataTypePtr utf8_view();
/// Lists as (offset, size) pairs into one child, in any order.
DataTypePtr list_view(DataTypePtr value_type);
DataTypePtr list_view(FieldPtr value_field);
DataTypePtr large_list_view(DataTypePtr value_type);
DataTypePtr large_list_view(FieldPtr value_field);
/// Run-end encoding: children run_ends (int16/32/64, not null, strictly increasing) and
/// values; logical value i is the value of the first run whose end exceeds i.
/// Errors: TypeError for run ends that are not int16, int32 or int64, or no value type.
Result<DataTypePtr> run_end_encoded(DataTypePtr run_end_type, DataTypePtr value_type);
/// Dictionary encoding: values of `value_type` stored once, referred to by integer indices
/// of `index_type` (signed or unsigned, 8 to 64 bits).
/// Errors: TypeError for indices that are not integers, no value type, or dictionary-encoded
/// values.
Result<DataTypePtr> dictionary(DataTypePtr index_type, DataTypePtr value_type, bool ordered = false);
/// Calendar intervals: int32 months; DayTimeInterval; MonthDayNanoInterval.
DataTypePtr month_interval();
DataTypePtr day_time_interval();
DataTypePtr month_day_nano_interval();

FieldPtr field(std::string name, DataTypePtr type, bool nullable = true, MetadataPtr metadata = nullptr);
SchemaPtr schema(FieldVector fields, MetadataPtr metadata = nullptr);

}  // namespace arrowpack

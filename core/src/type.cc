#include "arrowpack/core/type.h"

#include <algorithm>
#include <set>

namespace arrowpack {

std::string_view time_unit_name(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond: return "s";
    case TimeUnit::kMilli: return "ms";
    case TimeUnit::kMicro: return "us";
    case TimeUnit::kNano: return "ns";
  }
  return "?";
}

std::optional<std::string> KeyValueMetadata::get(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string KeyValueMetadata::to_string() const {
  std::string out;
  for (const auto& [k, v] : pairs_) {
    if (!out.empty()) out += '\n';
    out += k + ": '" + v + "'";
  }
  return out;
}

bool KeyValueMetadata::equals(const KeyValueMetadata& other) const {
  if (pairs_.size() != other.pairs_.size()) return false;
  auto a = pairs_, b = other.pairs_;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

MetadataPtr key_value_metadata(std::vector<std::pair<std::string, std::string>> pairs) {
  return std::make_shared<KeyValueMetadata>(std::move(pairs));
}

DataType::DataType(TypeId id, FieldVector children, Params params)
    : id_(id),
      children_(std::move(children)),
      unit_(params.unit),
      timezone_(std::move(params.timezone)),
      fixed_size_(params.fixed_size),
      keys_sorted_(params.keys_sorted),
      type_codes_(std::move(params.type_codes)),
      precision_(params.precision),
      scale_(params.scale),
      index_type_(std::move(params.index_type)),
      dictionary_value_type_(std::move(params.dictionary_value_type)),
      ordered_(params.ordered) {
  if (is_union()) {
    code_to_child_.assign(128, -1);
    for (std::size_t i = 0; i < type_codes_.size(); ++i) {
      code_to_child_[type_codes_[i]] = static_cast<std::int8_t>(i);
    }
  }
}

int DataType::field_index(std::string_view name) const {
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (children_[i]->name() == name) return static_cast<int>(i);
  }
  return -1;
}

const DataTypePtr& DataType::value_type() const {
  static const DataTypePtr kNone;
  if (id_ == TypeId::kDictionary) return dictionary_value_type_;
  return children_.empty() ? kNone : children_[0]->type();
}

std::string DataType::to_string() const {
  auto join_fields = [this](bool with_codes) {
    std::string out;
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (i) out += ", ";
      out += children_[i]->to_string();
      if (with_codes) {
        out += '=';
        out += std::to_string(type_codes_[i]);
      }
    }
    return out;
  };
  switch (id_) {
    ARROWPACK_PARAMETER_FREE_CASES return std::string(info().name);  // the table's name
    case TypeId::kFixedSizeBinary: return "fixed_size_binary[" + std::to_string(fixed_size_) + "]";
    case TypeId::kTime32: return "time32[" + std::string(time_unit_name(unit_)) + "]";
    case TypeId::kTime64: return "time64[" + std::string(time_unit_name(unit_)) + "]";
    case TypeId::kTimestamp:
      return "timestamp[" + std::string(time_unit_name(unit_)) + (timezone_.empty() ? "" : ", tz=" + timezone_) + "]";
    case TypeId::kDuration: return "duration[" + std::string(time_unit_name(unit_)) + "]";
    case TypeId::kList: return "list<" + join_fields(false) + ">";
    case TypeId::kLargeList: return "large_list<" + join_fields(false) + ">";
    case TypeId::kFixedSizeList:
      return "fixed_size_list<" + join_fields(false) + ">[" + std::to_string(fixed_size_) + "]";
    case TypeId::kStruct: return "struct<" + join_fields(false) + ">";
    case TypeId::kMap: {
      const auto& entries = children_[0]->type();
      return "map<" + entries->field(0)->type()->to_string() + ", " + entries->field(1)->type()->to_string() +
             (keys_sorted_ ? ", keys_sorted" : "") + ">";
    }
    case TypeId::kSparseUnion: return "sparse_union<" + join_fields(true) + ">";
    case TypeId::kDenseUnion: return "dense_union<" + join_fields(true) + ">";
    case TypeId::kDecimal32:
    case TypeId::kDecimal64:
    case TypeId::kDecimal128:
    case TypeId::kDecimal256: {
      std::string out = "decimal";
      out += std::to_string(bit_width());
      out += '(';
      out += std::to_string(precision_);
      out += ", ";
      out += std::to_string(scale_);
      out += ')';
      return out;
    }
    case TypeId::kListView: return "list_view<" + join_fields(false) + ">";
    case TypeId::kLargeListView: return "large_list_view<" + join_fields(false) + ">";
    case TypeId::kRunEndEncoded: {
      std::string out = "run_end_encoded<run_ends: ";
      out += children_[0]->type()->to_string();
      out += ", values: ";
      out += children_[1]->type()->to_string();
      out += '>';
      return out;
    }
    case TypeId::kDictionary: {
      std::string out = "dictionary<values=";
      out += dictionary_value_type_->to_string();
      out += ", indices=";
      out += index_type_->to_string();
      out += ordered_ ? ", ordered=1>" : ", ordered=0>";
      return out;
    }
  }
  return "unknown";
}

bool DataType::equals(const DataType& other, bool check_metadata) const {
  if (this == &other) return true;
  if (id_ != other.id_ || children_.size() != other.children_.size()) return false;
  // A type is its id, its parameters and its children. The factories leave the parameters a
  // type does not take at their defaults, so comparing all of them needs no per-type case.
  auto same = [check_metadata](const DataTypePtr& a, const DataTypePtr& b) {
    return a == b || (a && b && a->equals(*b, check_metadata));
  };
  if (unit_ != other.unit_ || timezone_ != other.timezone_ || fixed_size_ != other.fixed_size_ ||
      keys_sorted_ != other.keys_sorted_ || type_codes_ != other.type_codes_ || precision_ != other.precision_ ||
      scale_ != other.scale_ || ordered_ != other.ordered_ || !same(index_type_, other.index_type_) ||
      !same(dictionary_value_type_, other.dictionary_value_type_)) {
    return false;
  }
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (!children_[i]->equals(*other.children_[i], check_metadata)) return false;
  }
  return true;
}

std::string Field::to_string() const { return name_ + ": " + type_->to_string() + (nullable_ ? "" : " not null"); }

namespace {
bool metadata_equals(const MetadataPtr& a, const MetadataPtr& b) {
  const bool a_empty = !a || a->empty();
  const bool b_empty = !b || b->empty();
  if (a_empty || b_empty) return a_empty == b_empty;
  return a->equals(*b);
}
}  // namespace

bool Field::equals(const Field& other, bool check_metadata) const {
  if (this == &other) return true;
  return name_ == other.name_ && nullable_ == other.nullable_ && type_->equals(*other.type_, check_metadata) &&
         (!check_metadata || metadata_equals(metadata_, other.metadata_));
}

int Schema::get_field_index(std::string_view name) const {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i]->name() == name) return static_cast<int>(i);
  }
  return -1;
}

std::string Schema::to_string() const {
  std::string out;
  for (const auto& f : fields_) {
    if (!out.empty()) out += '\n';
    out += f->to_string();
    if (f->metadata() && !f->metadata()->empty()) {
      out += "\n  -- field metadata --";
      for (const auto& [k, v] : f->metadata()->pairs()) out += "\n  " + k + ": '" + v + "'";
    }
  }
  if (metadata_ && !metadata_->empty()) {
    out += "\n-- schema metadata --\n" + metadata_->to_string();
  }
  return out;
}

bool Schema::equals(const Schema& other, bool check_metadata) const {
  if (this == &other) return true;
  if (fields_.size() != other.fields_.size()) return false;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (!fields_[i]->equals(*other.fields_[i], check_metadata)) return false;
  }
  return !check_metadata || metadata_equals(metadata_, other.metadata_);
}

// ---- factories

namespace {
DataTypePtr make(TypeId id, FieldVector children = {}, DataType::Params params = {}) {
  return std::make_shared<DataType>(id, std::move(children), std::move(params));
}
DataTypePtr singleton(TypeId id) {
  // One instance per parameter-free type, built on first use (null for the others).
  static const std::vector<DataTypePtr> kAll = [] {
    std::vector<DataTypePtr> v;
    for (int i = 0; i < kNumTypeIds; ++i) {
      v.push_back(type_info(TypeId(i)).is(kParametricCategory) ? nullptr : make(TypeId(i)));
    }
    return v;
  }();
  return kAll[static_cast<std::size_t>(id)];
}
Status check_union(const FieldVector& fields, std::vector<std::int8_t>& codes) {
  if (codes.empty()) {
    if (fields.size() > 128) return Status::Invalid("a union has at most 128 children");
    for (std::size_t i = 0; i < fields.size(); ++i) codes.push_back(static_cast<std::int8_t>(i));
  }
  if (codes.size() != fields.size()) {
    return Status::Invalid("union has ", fields.size(), " children but ", codes.size(), " type codes");
  }
  std::set<int> seen;
  for (auto c : codes) {
    if (c < 0) return Status::Invalid("union type code ", int{c}, " is negative");
    if (!seen.insert(c).second) return Status::Invalid("union type code ", int{c}, " repeats");
  }
  return Status::OK();
}
}  // namespace

DataTypePtr parameter_free_type(TypeId id) {
  if (static_cast<int>(id) < 0 || static_cast<int>(id) >= kNumTypeIds) return nullptr;
  return singleton(id);
}

DataTypePtr null() { return singleton(TypeId::kNull); }
DataTypePtr boolean() { return singleton(TypeId::kBool); }
DataTypePtr int8() { return singleton(TypeId::kInt8); }
DataTypePtr int16() { return singleton(TypeId::kInt16); }
DataTypePtr int32() { return singleton(TypeId::kInt32); }
DataTypePtr int64() { return singleton(TypeId::kInt64); }
DataTypePtr uint8() { return singleton(TypeId::kUInt8); }
DataTypePtr uint16() { return singleton(TypeId::kUInt16); }
DataTypePtr uint32() { return singleton(TypeId::kUInt32); }
DataTypePtr uint64() { return singleton(TypeId::kUInt64); }
DataTypePtr float16() { return singleton(TypeId::kHalfFloat); }
DataTypePtr float32() { return singleton(TypeId::kFloat); }
DataTypePtr float64() { return singleton(TypeId::kDouble); }
DataTypePtr utf8() { return singleton(TypeId::kString); }
DataTypePtr large_utf8() { return singleton(TypeId::kLargeString); }
DataTypePtr binary() { return singleton(TypeId::kBinary); }
DataTypePtr large_binary() { return singleton(TypeId::kLargeBinary); }
DataTypePtr date32() { return singleton(TypeId::kDate32); }
DataTypePtr date64() { return singleton(TypeId::kDate64); }

DataTypePtr fixed_size_binary(std::int32_t byte_width) {
  DataType::Params p;
  p.fixed_size = std::max(byte_width, 0);
  return make(TypeId::kFixedSizeBinary, {}, std::move(p));
}

Result<DataTypePtr> time32(TimeUnit unit) {
  if (unit != TimeUnit::kSecond && unit != TimeUnit::kMilli) {
    return Status::Invalid("time32 takes seconds or milliseconds, not ", time_unit_name(unit));
  }
  DataType::Params p;
  p.unit = unit;
  return make(TypeId::kTime32, {}, std::move(p));
}

Result<DataTypePtr> time64(TimeUnit unit) {
  if (unit != TimeUnit::kMicro && unit != TimeUnit::kNano) {
    return Status::Invalid("time64 takes micro- or nanoseconds, not ", time_unit_name(unit));
  }
  DataType::Params p;
  p.unit = unit;
  return make(TypeId::kTime64, {}, std::move(p));
}

DataTypePtr timestamp(TimeUnit unit, std::string timezone) {
  DataType::Params p;
  p.unit = unit;
  p.timezone = std::move(timezone);
  return make(TypeId::kTimestamp, {}, std::move(p));
}

DataTypePtr duration(TimeUnit unit) {
  DataType::Params p;
  p.unit = unit;
  return make(TypeId::kDuration, {}, std::move(p));
}

DataTypePtr list(DataTypePtr value_type) { return list(field("item", std::move(value_type))); }
DataTypePtr list(FieldPtr value_field) { return make(TypeId::kList, {std::move(value_field)}); }
DataTypePtr large_list(DataTypePtr value_type) { return large_list(field("item", std::move(value_type))); }
DataTypePtr large_list(FieldPtr value_field) { return make(TypeId::kLargeList, {std::move(value_field)}); }
DataTypePtr fixed_size_list(DataTypePtr value_type, std::int32_t list_size) {
  return fixed_size_list(field("item", std::move(value_type)), list_size);
}
DataTypePtr fixed_size_list(FieldPtr value_field, std::int32_t list_size) {
  DataType::Params p;
  p.fixed_size = std::max(list_size, 0);
  return make(TypeId::kFixedSizeList, {std::move(value_field)}, std::move(p));
}
DataTypePtr struct_(FieldVector fields) { return make(TypeId::kStruct, std::move(fields)); }

DataTypePtr map(DataTypePtr key_type, DataTypePtr item_type, bool keys_sorted) {
  auto entries = field(
      "entries", struct_({field("key", std::move(key_type), false), field("value", std::move(item_type))}), false);
  DataType::Params p;
  p.keys_sorted = keys_sorted;
  return make(TypeId::kMap, {std::move(entries)}, std::move(p));
}

Result<DataTypePtr> map(FieldPtr entries_field, bool keys_sorted) {
  const auto& t = entries_field->type();
  if (t->id() != TypeId::kStruct || t->num_fields() != 2) {
    return Status::TypeError("map entries must be a struct of two fields, got ", t->to_string());
  }
  DataType::Params p;
  p.keys_sorted = keys_sorted;
  return make(TypeId::kMap, {std::move(entries_field)}, std::move(p));
}

Result<DataTypePtr> sparse_union(FieldVector fields, std::vector<std::int8_t> type_codes) {
  ARROWPACK_RETURN_NOT_OK(check_union(fields, type_codes));
  DataType::Params p;
  p.type_codes = std::move(type_codes);
  return make(TypeId::kSparseUnion, std::move(fields), std::move(p));
}

Result<DataTypePtr> dense_union(FieldVector fields, std::vector<std::int8_t> type_codes) {
  ARROWPACK_RETURN_NOT_OK(check_union(fields, type_codes));
  DataType::Params p;
  p.type_codes = std::move(type_codes);
  return make(TypeId::kDenseUnion, std::move(fields), std::move(p));
}

namespace {
Result<DataTypePtr> decimal(TypeId id, std::int32_t max_precision, std::int32_t precision, std::int32_t scale) {
  if (precision < 1 || precision > max_precision) {
    return Status::Invalid("decimal",
                           max_precision == 9    ? 32
                           : max_precision == 18 ? 64
                           : max_precision == 38 ? 128
                                                 : 256,
                           " precision must be in [1, ", max_precision, "], got ", precision);
  }
  DataType::Params p;
  p.precision = precision;
  p.scale = scale;
  return make(id, {}, std::move(p));
}
}  // namespace

Result<DataTypePtr> decimal32(std::int32_t precision, std::int32_t scale) {
  return decimal(TypeId::kDecimal32, 9, precision, scale);
}
Result<DataTypePtr> decimal64(std::int32_t precision, std::int32_t scale) {
  return decimal(TypeId::kDecimal64, 18, precision, scale);
}
Result<DataTypePtr> decimal128(std::int32_t precision, std::int32_t scale) {
  return decimal(TypeId::kDecimal128, 38, precision, scale);
}
Result<DataTypePtr> decimal256(std::int32_t precision, std::int32_t scale) {
  return decimal(TypeId::kDecimal256, 76, precision, scale);
}
Result<DataTypePtr> dictionary(DataTypePtr index_type, DataTypePtr value_type, bool ordered) {
  if (!index_type || !index_type->is_integer()) {
    return Status::TypeError("dictionary indices must be integers, not ",
                             index_type ? index_type->to_string() : "none");
  }
  if (!value_type) return Status::TypeError("dictionary without a value type");
  if (value_type->id() == TypeId::kDictionary) {
    return Status::TypeError("the values of a dictionary cannot themselves be dictionary-encoded");
  }
  DataType::Params p;
  p.index_type = std::move(index_type);
  p.dictionary_value_type = std::move(value_type);
  p.ordered = ordered;
  return make(TypeId::kDictionary, {}, std::move(p));
}

DataTypePtr binary_view() { return singleton(TypeId::kBinaryView); }
DataTypePtr utf8_view() { return singleton(TypeId::kStringView); }
DataTypePtr list_view(DataTypePtr value_type) { return list_view(field("item", std::move(value_type))); }
DataTypePtr list_view(FieldPtr value_field) { return make(TypeId::kListView, {std::move(value_field)}); }
DataTypePtr large_list_view(DataTypePtr value_type) { return large_list_view(field("item", std::move(value_type))); }
DataTypePtr large_list_view(FieldPtr value_field) { return make(TypeId::kLargeListView, {std::move(value_field)}); }

Result<DataTypePtr> run_end_encoded(DataTypePtr run_end_type, DataTypePtr value_type) {
  if (!run_end_type || (run_end_type->id() != TypeId::kInt16 && run_end_type->id() != TypeId::kInt32 &&
                        run_end_type->id() != TypeId::kInt64)) {
    return Status::TypeError("run ends must be int16, int32 or int64, not ",
                             run_end_type ? run_end_type->to_string() : "none");
  }
  if (!value_type) return Status::TypeError("run_end_encoded without a value type");
  return make(TypeId::kRunEndEncoded,
              {field("run_ends", std::move(run_end_type), false), field("values", std::move(value_type))});
}

DataTypePtr month_interval() { return singleton(TypeId::kIntervalMonths); }
DataTypePtr day_time_interval() { return singleton(TypeId::kIntervalDayTime); }
DataTypePtr month_day_nano_interval() { return singleton(TypeId::kIntervalMonthDayNano); }

FieldPtr field(std::string name, DataTypePtr type, bool nullable, MetadataPtr metadata) {
  return std::make_shared<Field>(std::move(name), std::move(type), nullable, std::move(metadata));
}

SchemaPtr schema(FieldVector fields, MetadataPtr metadata) {
  return std::make_shared<Schema>(std::move(fields), std::move(metadata));
}

}  // namespace arrowpack

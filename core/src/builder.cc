#include "arrowpack/core/builder.h"

#include <climits>
#include <limits>

#include "arrowpack/core/decimal.h"

#include "array_internal.h"
#include "arrowpack/core/util.h"

namespace arrowpack {

using util::bytes_for_bits;

namespace {
Result<std::shared_ptr<ResizableBuffer>> ensure(std::shared_ptr<ResizableBuffer>& buf, MemoryPool* pool) {
  if (!buf) {
    ARROWPACK_ASSIGN_OR_RAISE(buf, allocate_resizable_buffer(0, pool));
  }
  return buf;
}

std::shared_ptr<Buffer> take(std::shared_ptr<ResizableBuffer>& buf) {
  buf->zero_padding();
  std::shared_ptr<Buffer> out = std::move(buf);
  buf.reset();
  return out;
}

template <typename T>
Status append_pod(std::shared_ptr<ResizableBuffer>& buf, MemoryPool* pool, std::int64_t index, T value) {
  ARROWPACK_RETURN_NOT_OK(ensure(buf, pool).status());
  ARROWPACK_RETURN_NOT_OK(buf->resize((index + 1) * static_cast<std::int64_t>(sizeof(T))));
  std::memcpy(buf->mutable_data() + index * sizeof(T), &value, sizeof(T));
  return Status::OK();
}

// offsets[index] = value, as int64 or (checked) int32.
Status write_offset(std::shared_ptr<ResizableBuffer>& offsets, MemoryPool* pool, bool large, std::int64_t index,
                    std::int64_t value) {
  if (large) return append_pod<std::int64_t>(offsets, pool, index, value);
  if (value > std::numeric_limits<std::int32_t>::max()) {
    return Status::CapacityError("offset ", value, " exceeds 2^31-1; use a large_ type");
  }
  return append_pod<std::int32_t>(offsets, pool, index, static_cast<std::int32_t>(value));
}

Status set_bit_at(std::shared_ptr<ResizableBuffer>& bits, MemoryPool* pool, std::int64_t i, bool value) {
  ARROWPACK_RETURN_NOT_OK(ensure(bits, pool).status());
  const std::int64_t need = bytes_for_bits(i + 1);
  if (bits->size() < need) {
    const std::int64_t old = bits->size();
    ARROWPACK_RETURN_NOT_OK(bits->resize(need));
    std::memset(bits->mutable_data() + old, 0, static_cast<std::size_t>(need - old));
  }
  if (value) util::set_bit(bits->mutable_data(), i);
  return Status::OK();
}
}  // namespace

Status ArrayBuilder::append_validity(bool valid) {
  if (!valid && !validity_) {
    // First null: materialise the bits of the valid values appended before it.
    ARROWPACK_RETURN_NOT_OK(ensure(validity_, pool_).status());
    ARROWPACK_RETURN_NOT_OK(validity_->resize(bytes_for_bits(length_)));
    if (length_ > 0) {
      std::memset(validity_->mutable_data(), 0xFF, static_cast<std::size_t>(length_ >> 3));
      for (std::int64_t i = length_ & ~std::int64_t{7}; i < length_; ++i) {
        util::set_bit(validity_->mutable_data(), i);
      }
      if (length_ & 7) {
        validity_->mutable_data()[length_ >> 3] &= static_cast<std::uint8_t>((1u << (length_ & 7)) - 1);
      }
    }
  }
  if (validity_) ARROWPACK_RETURN_NOT_OK(set_bit_at(validity_, pool_, length_, valid));
  ++length_;
  if (!valid) ++null_count_;
  return Status::OK();
}

Result<std::shared_ptr<Buffer>> ArrayBuilder::finish_validity() {
  std::shared_ptr<Buffer> out;
  if (validity_ && null_count_ > 0) {
    ARROWPACK_RETURN_NOT_OK(validity_->resize(bytes_for_bits(length_)));
    out = take(validity_);
  }
  validity_.reset();
  length_ = 0;
  null_count_ = 0;
  return out;
}

// ---- bool

Status BooleanBuilder::append(bool value) {
  ARROWPACK_RETURN_NOT_OK(set_bit_at(bits_, pool_, length_, value));
  return append_validity(true);
}

Status BooleanBuilder::append_null() {
  ARROWPACK_RETURN_NOT_OK(set_bit_at(bits_, pool_, length_, false));
  return append_validity(false);
}

Result<Array> BooleanBuilder::finish() {
  ARROWPACK_RETURN_NOT_OK(ensure(bits_, pool_).status());
  ARROWPACK_RETURN_NOT_OK(bits_->resize(bytes_for_bits(length_)));
  const std::int64_t n = length_, nulls = null_count_;
  ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
  return Array::make(type_, n, {std::move(validity), take(bits_)}, {}, nulls);
}

// ---- binary

BinaryBuilder::BinaryBuilder(DataTypePtr type, MemoryPool* pool) : ArrayBuilder(std::move(type), pool) {}

Status BinaryBuilder::append(std::string_view value) {
  const auto n = static_cast<std::int64_t>(value.size());
  if (!type_->has_large_offsets() && data_length_ + n > std::numeric_limits<std::int32_t>::max()) {
    return Status::CapacityError(type_->to_string(), " array would exceed 2^31-1 bytes of data; use a large_ type");
  }
  // offsets[i] is where value i starts; finish() writes the end of the last one.
  ARROWPACK_RETURN_NOT_OK(write_offset(offsets_, pool_, type_->has_large_offsets(), length_, data_length_));
  ARROWPACK_RETURN_NOT_OK(ensure(data_, pool_).status());
  ARROWPACK_RETURN_NOT_OK(data_->resize(data_length_ + n));
  if (n > 0) std::memcpy(data_->mutable_data() + data_length_, value.data(), value.size());
  data_length_ += n;
  return append_validity(true);
}

Status BinaryBuilder::append_null() {
  ARROWPACK_RETURN_NOT_OK(write_offset(offsets_, pool_, type_->has_large_offsets(), length_, data_length_));
  return append_validity(false);
}

Result<Array> BinaryBuilder::finish() {
  ARROWPACK_RETURN_NOT_OK(write_offset(offsets_, pool_, type_->has_large_offsets(), length_, data_length_));
  ARROWPACK_RETURN_NOT_OK(ensure(data_, pool_).status());
  ARROWPACK_RETURN_NOT_OK(data_->resize(data_length_));
  const std::int64_t n = length_, nulls = null_count_;
  ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
  data_length_ = 0;
  return Array::make(type_, n, {std::move(validity), take(offsets_), take(data_)}, {}, nulls);
}

// ---- fixed size binary

Status FixedSizeBinaryBuilder::append(std::string_view value) {
  const std::int64_t w = type_->fixed_size();
  if (static_cast<std::int64_t>(value.size()) != w) {
    return Status::Invalid(type_->to_string(), " value of ", value.size(), " bytes");
  }
  ARROWPACK_RETURN_NOT_OK(ensure(values_, pool_).status());
  ARROWPACK_RETURN_NOT_OK(values_->resize((length_ + 1) * w));
  if (w > 0) std::memcpy(values_->mutable_data() + length_ * w, value.data(), value.size());
  return append_validity(true);
}

Status FixedSizeBinaryBuilder::append_null() {
  const std::int64_t w = type_->fixed_size();
  ARROWPACK_RETURN_NOT_OK(ensure(values_, pool_).status());
  ARROWPACK_RETURN_NOT_OK(values_->resize((length_ + 1) * w));
  if (w > 0) std::memset(values_->mutable_data() + length_ * w, 0, static_cast<std::size_t>(w));
  return append_validity(false);
}

Result<Array> FixedSizeBinaryBuilder::finish() {
  ARROWPACK_RETURN_NOT_OK(ensure(values_, pool_).status());
  const std::int64_t n = length_, nulls = null_count_;
  ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
  return Array::make(type_, n, {std::move(validity), take(values_)}, {}, nulls);
}

// ---- decimal

Result<std::uint8_t*> DecimalBuilder::next_slot() {
  const std::int64_t w = type_->byte_width();
  ARROWPACK_RETURN_NOT_OK(ensure(values_, pool_).status());
  ARROWPACK_RETURN_NOT_OK(values_->resize((length_ + 1) * w));
  return values_->mutable_data() + length_ * w;
}

Status DecimalBuilder::append(std::string_view text) {
  const auto w = static_cast<int>(type_->byte_width());
  std::uint8_t scratch[32];
  ARROWPACK_RETURN_NOT_OK(parse_decimal(text, type_->precision(), type_->scale(), w, scratch));
  ARROWPACK_ASSIGN_OR_RAISE(std::uint8_t * slot, next_slot());
  std::memcpy(slot, scratch, static_cast<std::size_t>(w));
  return append_validity(true);
}

Status DecimalBuilder::append_unscaled(std::int64_t unscaled) {
  const auto w = static_cast<std::size_t>(type_->byte_width());
  if (w == 4 && (unscaled < INT32_MIN || unscaled > INT32_MAX)) {
    return Status::Invalid("unscaled value ", unscaled, " does not fit a decimal32");
  }
  ARROWPACK_ASSIGN_OR_RAISE(std::uint8_t * slot, next_slot());
  // Sign-extend into the full width.
  std::memset(slot, unscaled < 0 ? 0xFF : 0, w);
  std::memcpy(slot, &unscaled, std::min<std::size_t>(w, 8));
  return append_validity(true);
}

Status DecimalBuilder::append_null() {
  ARROWPACK_ASSIGN_OR_RAISE(std::uint8_t * slot, next_slot());
  std::memset(slot, 0, static_cast<std::size_t>(type_->byte_width()));
  return append_validity(false);
}

Result<Array> DecimalBuilder::finish() {
  ARROWPACK_RETURN_NOT_OK(ensure(values_, pool_).status());
  const std::int64_t n = length_, nulls = null_count_;
  ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
  return Array::make(type_, n, {std::move(validity), take(values_)}, {}, nulls);
}

// ---- dictionary

DictionaryBuilder::DictionaryBuilder(DataTypePtr type, std::unique_ptr<ArrayBuilder> indices, MemoryPool* pool)
    : ArrayBuilder(std::move(type), pool), indices_(std::move(indices)) {}

Result<std::unique_ptr<DictionaryBuilder>> DictionaryBuilder::make(DataTypePtr type, MemoryPool* pool) {
  if (!type || type->id() != TypeId::kDictionary) return Status::TypeError("DictionaryBuilder needs a dictionary type");
  const DataType& vt = *type->value_type();
  if (!vt.is_binary_like() && (vt.byte_width() <= 0 || vt.id() == TypeId::kDictionary)) {
    return Status::NotImplemented("DictionaryBuilder of ", vt.to_string(), " values");
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto indices, make_builder(type->index_type(), pool));
  return std::unique_ptr<DictionaryBuilder>(new DictionaryBuilder(std::move(type), std::move(indices), pool));
}

Status DictionaryBuilder::append_index(std::int64_t index) {
  // The index builder is a NumericBuilder of the index type, an integer (dictionary() checks).
  ArrayBuilder* b = indices_.get();
  return visit_type(*b->type(), [&](auto tag) -> Status {
    using Tag = decltype(tag);
    if constexpr (Tag::info.is(kIntegerCategory)) {
      using T = typename Tag::c_type;
      return static_cast<NumericBuilder<T>*>(b)->append(static_cast<T>(index));
    } else {
      return Status::TypeError("dictionary indices of type ", b->type()->to_string());
    }
  });
}

Status DictionaryBuilder::append(std::string_view value_bytes) {
  const DataType& vt = *type_->value_type();
  if (!vt.is_binary_like() && static_cast<std::int64_t>(value_bytes.size()) != vt.byte_width()) {
    return Status::Invalid(vt.to_string(), " value of ", value_bytes.size(), " bytes");
  }
  if (vt.is_string() && !util::is_valid_utf8(value_bytes)) return Status::Invalid("string value is not valid UTF-8");
  auto it = memo_.find(std::string(value_bytes));
  if (it == memo_.end()) {
    const auto next = static_cast<std::int64_t>(memo_.size());
    if (next > internal::max_dictionary_index(*type_->index_type())) {
      return Status::CapacityError("more distinct values than ", type_->index_type()->to_string(),
                                   " indices can address");
    }
    it = memo_.emplace(std::string(value_bytes), next).first;
    new_bytes_.append(value_bytes);
    new_offsets_.push_back(static_cast<std::int64_t>(new_bytes_.size()));
  }
  ARROWPACK_RETURN_NOT_OK(append_index(it->second));
  ++length_;
  return Status::OK();
}

Status DictionaryBuilder::append_null() {
  ARROWPACK_RETURN_NOT_OK(indices_->append_null());
  ++length_;
  ++null_count_;
  return Status::OK();
}

Result<Array> DictionaryBuilder::finish() {
  const DataTypePtr& vt = type_->value_type();
  const auto added = static_cast<std::int64_t>(new_offsets_.size()) - 1;
  Array fresh;
  if (vt->is_binary_like()) {
    const bool large = vt->has_large_offsets();
    ARROWPACK_ASSIGN_OR_RAISE(auto offsets, allocate_buffer((added + 1) * (large ? 8 : 4), pool_));
    for (std::int64_t k = 0; k <= added; ++k) {
      if (large) {
        std::memcpy(offsets->mutable_data() + k * 8, &new_offsets_[k], 8);
      } else {
        if (new_offsets_[k] > std::numeric_limits<std::int32_t>::max()) {
          return Status::CapacityError("dictionary values exceed 2 GiB");
        }
        const auto v = static_cast<std::int32_t>(new_offsets_[k]);
        std::memcpy(offsets->mutable_data() + k * 4, &v, 4);
      }
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto data,
                              Buffer::copy_of(new_bytes_.data(), static_cast<std::int64_t>(new_bytes_.size()), pool_));
    ARROWPACK_ASSIGN_OR_RAISE(
        fresh, Array::make(vt, added, {nullptr, std::shared_ptr<Buffer>(std::move(offsets)), data}, {}, 0));
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(auto data,
                              Buffer::copy_of(new_bytes_.data(), static_cast<std::int64_t>(new_bytes_.size()), pool_));
    ARROWPACK_ASSIGN_OR_RAISE(fresh, Array::make(vt, added, {nullptr, data}, {}, 0));
  }
  Array dict = fresh;
  if (previous_.valid_handle() && previous_.length() > 0) {
    if (added == 0) {
      dict = previous_;  // unchanged: the same dictionary object, so writers see no change
    } else {
      ARROWPACK_ASSIGN_OR_RAISE(dict, concatenate({previous_, fresh}, pool_));
    }
  }
  previous_ = dict;
  new_bytes_.clear();
  new_offsets_.assign(1, 0);
  ARROWPACK_ASSIGN_OR_RAISE(auto indices, indices_->finish());
  length_ = null_count_ = 0;
  return Array::make_dictionary(type_, indices, dict);
}

Result<Array> NullBuilder::finish() {
  const std::int64_t n = length_;
  length_ = null_count_ = 0;
  return Array::make(type_, n, {nullptr}, {}, n);
}

// ---- list

ListBuilder::ListBuilder(DataTypePtr type, std::unique_ptr<ArrayBuilder> values, MemoryPool* pool)
    : ArrayBuilder(std::move(type), pool), values_(std::move(values)) {}

Status ListBuilder::open_list(bool valid) {
  // offsets[i] is where list i starts in the child; finish() writes the end of the last one.
  ARROWPACK_RETURN_NOT_OK(write_offset(offsets_, pool_, type_->has_large_offsets(), length_, values_->length()));
  return append_validity(valid);
}

Result<Array> ListBuilder::finish() {
  ARROWPACK_RETURN_NOT_OK(write_offset(offsets_, pool_, type_->has_large_offsets(), length_, values_->length()));
  ARROWPACK_ASSIGN_OR_RAISE(auto values, values_->finish());
  const std::int64_t n = length_, nulls = null_count_;
  ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
  auto offsets = take(offsets_);
  if (!type_->is_list_view()) return Array::make(type_, n, {std::move(validity), offsets}, {std::move(values)}, nulls);
  // A list view: the n starts, and the sizes as differences of consecutive offsets.
  const std::int64_t width = type_->has_large_offsets() ? 8 : 4;
  ARROWPACK_ASSIGN_OR_RAISE(auto starts, offsets->slice(0, n * width));
  ARROWPACK_ASSIGN_OR_RAISE(auto sizes, allocate_buffer(n * width, pool_));
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t a = 0, b = 0;
    std::memcpy(&a, offsets->data() + i * width, static_cast<std::size_t>(width));
    std::memcpy(&b, offsets->data() + (i + 1) * width, static_cast<std::size_t>(width));
    const std::int64_t size = b - a;  // both non-negative and below 2^31 for 4-byte offsets
    std::memcpy(sizes->mutable_data() + i * width, &size, static_cast<std::size_t>(width));
  }
  return Array::make(type_, n, {std::move(validity), starts, std::shared_ptr<Buffer>(std::move(sizes))},
                     {std::move(values)}, nulls);
}

// ---- binary view

Status BinaryViewBuilder::append_view(const std::uint8_t view[16], bool valid) {
  ARROWPACK_RETURN_NOT_OK(ensure(views_, pool_).status());
  ARROWPACK_RETURN_NOT_OK(views_->resize((length_ + 1) * 16));
  std::memcpy(views_->mutable_data() + length_ * 16, view, 16);
  return append_validity(valid);
}

Status BinaryViewBuilder::append(std::string_view value) {
  if (type_->id() == TypeId::kStringView && !util::is_valid_utf8(value)) {
    return Status::Invalid("string value is not valid UTF-8");
  }
  if (value.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    return Status::CapacityError("a view holds at most 2^31-1 bytes");
  }
  std::uint8_t view[16] = {};
  const auto length = static_cast<std::int32_t>(value.size());
  std::memcpy(view, &length, 4);
  if (length <= 12) {
    std::memcpy(view + 4, value.data(), value.size());
    return append_view(view, true);
  }
  constexpr std::int64_t kBufferSize = std::int64_t{1} << 20;
  if (current_ && current_->size() + length > std::max<std::int64_t>(kBufferSize, length)) {
    full_.push_back(take(current_));
  }
  ARROWPACK_RETURN_NOT_OK(ensure(current_, pool_).status());
  const auto offset = static_cast<std::int32_t>(current_->size());
  ARROWPACK_RETURN_NOT_OK(current_->resize(offset + length));
  std::memcpy(current_->mutable_data() + offset, value.data(), value.size());
  const auto index = static_cast<std::int32_t>(full_.size());
  std::memcpy(view + 4, value.data(), 4);  // prefix
  std::memcpy(view + 8, &index, 4);
  std::memcpy(view + 12, &offset, 4);
  return append_view(view, true);
}

Status BinaryViewBuilder::append_null() {
  const std::uint8_t empty[16] = {};
  return append_view(empty, false);
}

Result<Array> BinaryViewBuilder::finish() {
  ARROWPACK_RETURN_NOT_OK(ensure(views_, pool_).status());
  const std::int64_t n = length_, nulls = null_count_;
  ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
  std::vector<std::shared_ptr<Buffer>> buffers = {std::move(validity), take(views_)};
  for (auto& b : full_) buffers.push_back(std::move(b));
  full_.clear();
  if (current_) buffers.push_back(take(current_));
  return Array::make(type_, n, std::move(buffers), {}, nulls);
}

// ---- fixed size list

Status FixedSizeListBuilder::append_null() {
  ARROWPACK_RETURN_NOT_OK(values_->append_nulls(type_->fixed_size()));
  return append_validity(false);
}

Result<Array> FixedSizeListBuilder::finish() {
  if (values_->length() != length_ * type_->fixed_size()) {
    return Status::Invalid("fixed_size_list of ", length_, " lists of ", type_->fixed_size(), " has ",
                           values_->length(), " values");
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto values, values_->finish());
  const std::int64_t n = length_, nulls = null_count_;
  ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
  return Array::make(type_, n, {std::move(validity)}, {std::move(values)}, nulls);
}

// ---- struct

Status StructBuilder::append_null() {
  for (auto& f : fields_) ARROWPACK_RETURN_NOT_OK(f->append_null());
  return append_validity(false);
}

Result<Array> StructBuilder::finish() {
  std::vector<Array> children;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i]->length() != length_) {
      return Status::Invalid("struct field '", type_->field(static_cast<int>(i))->name(), "' has ",
                             fields_[i]->length(), " values, the struct has ", length_);
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto c, fields_[i]->finish());
    children.push_back(std::move(c));
  }
  const std::int64_t n = length_, nulls = null_count_;
  ARROWPACK_ASSIGN_OR_RAISE(auto validity, finish_validity());
  return Array::make(type_, n, {std::move(validity)}, std::move(children), nulls);
}

// ---- union

UnionBuilder::UnionBuilder(DataTypePtr type, std::vector<std::unique_ptr<ArrayBuilder>> children, MemoryPool* pool)
    : ArrayBuilder(std::move(type), pool), children_(std::move(children)) {}

Status UnionBuilder::append(std::int8_t type_code) {
  const int c = type_->child_index_for_code(type_code);
  if (c < 0) return Status::Invalid("type code ", int{type_code}, " not declared by ", type_->to_string());
  ARROWPACK_RETURN_NOT_OK(append_pod<std::int8_t>(codes_, pool_, length_, type_code));
  if (type_->id() == TypeId::kDenseUnion) {
    if (children_[c]->length() > std::numeric_limits<std::int32_t>::max()) {
      return Status::CapacityError("dense union child exceeds 2^31-1 values");
    }
    ARROWPACK_RETURN_NOT_OK(
        append_pod<std::int32_t>(offsets_, pool_, length_, static_cast<std::int32_t>(children_[c]->length())));
  } else {
    for (std::size_t j = 0; j < children_.size(); ++j) {
      if (static_cast<int>(j) != c) ARROWPACK_RETURN_NOT_OK(children_[j]->append_null());
    }
  }
  ++length_;  // unions carry no validity bitmap
  return Status::OK();
}

Status UnionBuilder::append_null() {
  if (children_.empty()) return Status::Invalid("cannot append a null to an empty union");
  ARROWPACK_RETURN_NOT_OK(append(type_->type_codes()[0]));
  return children_[0]->append_null();
}

Result<Array> UnionBuilder::finish() {
  ARROWPACK_RETURN_NOT_OK(ensure(codes_, pool_).status());
  std::vector<Array> children;
  for (auto& c : children_) {
    ARROWPACK_ASSIGN_OR_RAISE(auto a, c->finish());
    children.push_back(std::move(a));
  }
  const std::int64_t n = length_;
  length_ = 0;
  std::vector<std::shared_ptr<Buffer>> buffers{nullptr, take(codes_)};
  if (type_->id() == TypeId::kDenseUnion) {
    ARROWPACK_RETURN_NOT_OK(ensure(offsets_, pool_).status());
    buffers.push_back(take(offsets_));
  }
  return Array::make(type_, n, std::move(buffers), std::move(children), 0);
}

// ---- factory

Result<std::unique_ptr<ArrayBuilder>> make_builder(const DataTypePtr& type, MemoryPool* pool) {
  auto children = [&]() -> Result<std::vector<std::unique_ptr<ArrayBuilder>>> {
    std::vector<std::unique_ptr<ArrayBuilder>> out;
    for (const auto& f : type->fields()) {
      ARROWPACK_ASSIGN_OR_RAISE(auto b, make_builder(f->type(), pool));
      out.push_back(std::move(b));
    }
    return out;
  };
  switch (type->id()) {
    case TypeId::kNull: return std::make_unique<NullBuilder>(pool);
    case TypeId::kBool: return std::make_unique<BooleanBuilder>(pool);
    case TypeId::kInt8: return std::make_unique<NumericBuilder<std::int8_t>>(type, pool);
    case TypeId::kUInt8: return std::make_unique<NumericBuilder<std::uint8_t>>(type, pool);
    case TypeId::kInt16: return std::make_unique<NumericBuilder<std::int16_t>>(type, pool);
    case TypeId::kUInt16: return std::make_unique<NumericBuilder<std::uint16_t>>(type, pool);
    case TypeId::kHalfFloat: return std::make_unique<NumericBuilder<std::uint16_t>>(type, pool);
    case TypeId::kInt32:
    case TypeId::kDate32:
    case TypeId::kTime32: return std::make_unique<NumericBuilder<std::int32_t>>(type, pool);
    case TypeId::kUInt32: return std::make_unique<NumericBuilder<std::uint32_t>>(type, pool);
    case TypeId::kFloat: return std::make_unique<NumericBuilder<float>>(type, pool);
    case TypeId::kDouble: return std::make_unique<NumericBuilder<double>>(type, pool);
    case TypeId::kInt64:
    case TypeId::kDate64:
    case TypeId::kTime64:
    case TypeId::kTimestamp:
    case TypeId::kDuration: return std::make_unique<NumericBuilder<std::int64_t>>(type, pool);
    case TypeId::kUInt64: return std::make_unique<NumericBuilder<std::uint64_t>>(type, pool);
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
    case TypeId::kLargeBinary: return std::make_unique<BinaryBuilder>(type, pool);
    case TypeId::kFixedSizeBinary: return std::make_unique<FixedSizeBinaryBuilder>(type, pool);
    case TypeId::kDecimal32:
    case TypeId::kDecimal64:
    case TypeId::kDecimal128:
    case TypeId::kDecimal256: return std::make_unique<DecimalBuilder>(type, pool);
    case TypeId::kIntervalMonths: return std::make_unique<NumericBuilder<std::int32_t>>(type, pool);
    case TypeId::kIntervalDayTime: return std::make_unique<NumericBuilder<DayTimeInterval>>(type, pool);
    case TypeId::kIntervalMonthDayNano: return std::make_unique<NumericBuilder<MonthDayNanoInterval>>(type, pool);
    case TypeId::kDictionary: {
      ARROWPACK_ASSIGN_OR_RAISE(auto b, DictionaryBuilder::make(type, pool));
      return std::unique_ptr<ArrayBuilder>(std::move(b));
    }
    case TypeId::kBinaryView:
    case TypeId::kStringView: return std::make_unique<BinaryViewBuilder>(type, pool);
    case TypeId::kRunEndEncoded:
      return Status::NotImplemented("no builder for ", type->to_string(), ": build the values, then run_end_encode()");
    case TypeId::kList:
    case TypeId::kLargeList:
    case TypeId::kListView:
    case TypeId::kLargeListView:
    case TypeId::kMap: {
      ARROWPACK_ASSIGN_OR_RAISE(auto values, make_builder(type->field(0)->type(), pool));
      return std::make_unique<ListBuilder>(type, std::move(values), pool);
    }
    case TypeId::kFixedSizeList: {
      ARROWPACK_ASSIGN_OR_RAISE(auto values, make_builder(type->field(0)->type(), pool));
      return std::make_unique<FixedSizeListBuilder>(type, std::move(values), pool);
    }
    case TypeId::kStruct: {
      ARROWPACK_ASSIGN_OR_RAISE(auto fields, children());
      return std::make_unique<StructBuilder>(type, std::move(fields), pool);
    }
    case TypeId::kSparseUnion:
    case TypeId::kDenseUnion: {
      ARROWPACK_ASSIGN_OR_RAISE(auto members, children());
      return std::make_unique<UnionBuilder>(type, std::move(members), pool);
    }
  }
  return Status::NotImplemented("no builder for ", type->to_string());
}

}  // namespace arrowpack

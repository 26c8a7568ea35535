#include "arrowpack/core/array.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <vector>

#include "array_internal.h"
#include "arrowpack/core/util.h"

namespace arrowpack {

using util::bytes_for_bits;
using util::get_bit;

std::int64_t count_nulls(const std::uint8_t* bitmap, std::int64_t offset, std::int64_t length) {
  if (bitmap == nullptr || length <= 0) return 0;
  std::int64_t set = 0;
  std::int64_t i = 0;
  // Leading bits up to a byte boundary, whole 64-bit words, then the tail.
  while (i < length && ((offset + i) & 7) != 0) set += get_bit(bitmap, offset + i++);
  const std::uint8_t* p = bitmap + ((offset + i) >> 3);
  for (; i + 64 <= length; i += 64, p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    set += std::popcount(w);
  }
  for (; i < length; ++i) set += get_bit(bitmap, offset + i);
  return length - set;
}

int num_buffer_slots(const DataType& type) { return type.info().num_buffers; }

using internal::has_validity_slot;
using internal::load_run_end;
using internal::load_view;
using internal::offset_width;
using internal::read_offset;
using internal::View;

namespace {

// Element-wise equality of a[i] and b[j], both of the same type.
bool value_equals(const Array& a, std::int64_t i, const Array& b, std::int64_t j);

bool range_equals(const Array& a, std::int64_t ai, const Array& b, std::int64_t bi, std::int64_t n) {
  for (std::int64_t k = 0; k < n; ++k) {
    if (!value_equals(a, ai + k, b, bi + k)) return false;
  }
  return true;
}

bool value_equals(const Array& a, std::int64_t i, const Array& b, std::int64_t j) {
  const DataType& t = *a.type();
  if (t.id() == TypeId::kNull) return true;
  if (!t.is_union() && t.id() != TypeId::kRunEndEncoded) {
    const bool an = a.is_null(i);
    if (an != b.is_null(j)) return false;
    if (an) return true;
  }
  switch (t.id()) {
    case TypeId::kBool: return a.bool_value(i) == b.bool_value(j);
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
    case TypeId::kLargeBinary: return a.string_view(i) == b.string_view(j);
    case TypeId::kList:
    case TypeId::kLargeList:
    case TypeId::kMap: {
      const std::int64_t n = a.value_length(i);
      return n == b.value_length(j) && range_equals(a.values(), a.value_offset(i), b.values(), b.value_offset(j), n);
    }
    case TypeId::kFixedSizeList: {
      const std::int64_t n = t.fixed_size();
      return range_equals(a.values(), (a.offset() + i) * n, b.values(), (b.offset() + j) * n, n);
    }
    case TypeId::kStruct:
      for (int c = 0; c < a.num_children(); ++c) {
        if (!value_equals(a.child(c), a.offset() + i, b.child(c), b.offset() + j)) return false;
      }
      return true;
    case TypeId::kDictionary:
      return value_equals(a.dictionary(), a.dictionary_index(i), b.dictionary(), b.dictionary_index(j));
    case TypeId::kBinaryView:
    case TypeId::kStringView: return a.string_view(i) == b.string_view(j);
    case TypeId::kListView:
    case TypeId::kLargeListView: {
      const std::int64_t n = a.value_length(i);
      return n == b.value_length(j) && range_equals(a.values(), a.value_offset(i), b.values(), b.value_offset(j), n);
    }
    case TypeId::kRunEndEncoded: return value_equals(a.child(1), a.physical_index(i), b.child(1), b.physical_index(j));
    case TypeId::kSparseUnion:
    case TypeId::kDenseUnion: {
      if (a.type_code(i) != b.type_code(j)) return false;
      const int c = a.child_id(i);
      return value_equals(a.child(c), a.union_value_offset(i), b.child(c), b.union_value_offset(j));
    }
      ARROWPACK_FIXED_WIDTH_CASES {
        const std::int64_t w = t.byte_width();
        return std::memcmp(a.buffer(1)->data() + (a.offset() + i) * w, b.buffer(1)->data() + (b.offset() + j) * w,
                           static_cast<std::size_t>(w)) == 0;
      }
    case TypeId::kNull: return true;
  }
  return false;
}

}  // namespace

namespace internal {
bool values_equal(const Array& a, std::int64_t i, const Array& b, std::int64_t j) { return value_equals(a, i, b, j); }
}  // namespace internal

Result<Array> Array::make(DataTypePtr type, std::int64_t length, std::vector<std::shared_ptr<Buffer>> buffers,
                          std::vector<Array> children, std::int64_t null_count, std::int64_t offset) {
  auto d = std::make_shared<ArrayData>();
  d->type = std::move(type);
  d->length = length;
  d->offset = offset;
  d->buffers = std::move(buffers);
  for (auto& c : children) {
    if (!c.valid_handle()) return Status::Invalid("empty child array");
    d->children.push_back(std::const_pointer_cast<ArrayData>(c.data()));
  }
  if (d->type && d->type->id() == TypeId::kNull) {
    d->null_count = length;
  } else if (null_count >= 0) {
    d->null_count = null_count;
  } else if (!d->buffers.empty() && d->buffers[0] && d->type && has_validity_slot(d->type->id())) {
    std::int64_t end;
    if (length < 0 || offset < 0 || util::add_overflows(offset, length, &end)) {
      return Status::Invalid("array offset ", offset, " and length ", length, " out of range");
    }
    const std::int64_t need = bytes_for_bits(end);
    if (d->buffers[0]->size() < need) {
      return Status::Invalid("validity bitmap of ", d->buffers[0]->size(), " bytes, needs ", need);
    }
    d->null_count = count_nulls(d->buffers[0]->data(), offset, length);
  }
  ARROWPACK_RETURN_NOT_OK(internal::validate_array_data(*d, internal::kBasic));
  return Array(std::move(d));
}

bool Array::is_null(std::int64_t i) const {
  const ArrayData& d = *data_;
  if (d.type->id() == TypeId::kNull) return true;
  if (d.type->is_union()) {
    const Array c = child(child_id(i));
    return c.is_null(union_value_offset(i));
  }
  if (d.type->id() == TypeId::kRunEndEncoded) return child(1).is_null(physical_index(i));
  return d.null_count != 0 && d.buffers[0] && !get_bit(d.buffers[0]->data(), d.offset + i);
}

bool Array::bool_value(std::int64_t i) const { return get_bit(data_->buffers[1]->data(), data_->offset + i); }

std::string_view Array::string_view(std::int64_t i) const {
  const ArrayData& d = *data_;
  if (d.type->is_binary_view()) {
    const View v = load_view(d, i);
    const std::uint8_t* bytes = v.length > 12 ? d.buffers[2 + v.buffer]->data() + v.offset : v.raw + 4;
    return {reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(v.length)};
  }
  if (d.type->id() == TypeId::kFixedSizeBinary) {
    const std::int64_t w = d.type->fixed_size();
    return {reinterpret_cast<const char*>(d.buffers[1]->data()) + (d.offset + i) * w, static_cast<std::size_t>(w)};
  }
  const std::int64_t a = read_offset(d, i);
  const std::int64_t b = read_offset(d, i + 1);
  return {reinterpret_cast<const char*>(d.buffers[2]->data()) + a, static_cast<std::size_t>(b - a)};
}

std::int64_t Array::value_offset(std::int64_t i) const { return read_offset(*data_, i); }

std::int64_t Array::value_length(std::int64_t i) const {
  if (data_->type->is_list_view()) {
    ArrayData sizes = *data_;
    sizes.buffers[1] = data_->buffers[2];
    return read_offset(sizes, i);
  }
  return value_offset(i + 1) - value_offset(i);
}

std::int64_t Array::physical_index(std::int64_t i) const {
  // The first run whose end exceeds the logical position (validate() guarantees one).
  const ArrayData& run_ends = *data_->children[0];
  const std::int64_t target = data_->offset + i;
  std::int64_t lo = 0, hi = run_ends.length - 1;
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (load_run_end(run_ends, mid) > target) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

std::int64_t Array::dictionary_index(std::int64_t i) const {
  const ArrayData& d = *data_;
  const std::uint8_t* p = d.buffers[1]->data();
  const std::int64_t k = d.offset + i;
  return internal::load_integer(*d.type->index_type(), p + k * d.type->index_type()->byte_width());
}

Result<Array> Array::make_dictionary(DataTypePtr type, const Array& indices, const Array& dictionary) {
  if (!type || type->id() != TypeId::kDictionary) return Status::TypeError("make_dictionary needs a dictionary type");
  if (!indices.valid_handle() || !dictionary.valid_handle()) return Status::Invalid("empty indices or dictionary");
  if (!indices.type()->equals(*type->index_type())) {
    return Status::TypeError("indices of type ", indices.type()->to_string(), " for ", type->to_string());
  }
  auto d = std::make_shared<ArrayData>(*indices.data());
  d->type = std::move(type);
  d->dictionary = std::const_pointer_cast<ArrayData>(dictionary.data());
  // The indices in full; the dictionary is an Array already, and checking its values again
  // for every array that shares it would make n arrays over one growing dictionary (a
  // builder finished n times, a writer merging dictionaries) quadratic.
  ARROWPACK_RETURN_NOT_OK(internal::validate_array_data(*d, internal::kFullDictionariesChecked));
  return Array(std::move(d));
}

Array Array::field(int j) const {
  const Array c = child(j);
  if (offset() == 0 && c.length() == length()) return c;
  auto sliced = c.slice(offset(), length());
  return sliced.ok() ? *sliced : c;
}

std::int64_t Array::union_value_offset(std::int64_t i) const {
  if (type_id() == TypeId::kDenseUnion) {
    std::int32_t off;
    std::memcpy(&off, data_->buffers[2]->data() + (data_->offset + i) * 4, 4);
    return off;
  }
  return data_->offset + i;
}

Result<Array> Array::slice(std::int64_t offset, std::int64_t length) const {
  if (offset < 0 || length < 0 || offset > this->length() || length > this->length() - offset) {
    return Status::IndexError("slice [", offset, ", +", length, ") out of bounds of an array of ", this->length());
  }
  auto d = std::make_shared<ArrayData>(*data_);
  d->offset = data_->offset + offset;
  d->length = length;
  if (type_id() == TypeId::kNull) {
    d->null_count = length;
  } else if (data_->null_count == 0 || type()->is_union() || type_id() == TypeId::kRunEndEncoded) {
    d->null_count = 0;
  } else if (d->buffers[0]) {
    d->null_count = count_nulls(d->buffers[0]->data(), d->offset, length);
  }
  return Array(std::move(d));
}

bool Array::equals(const Array& other) const {
  if (data_ == other.data_) return true;
  if (!data_ || !other.data_) return false;
  if (length() != other.length() || !type()->equals(*other.type())) return false;
  if (null_count() != other.null_count() && !type()->is_union()) return false;
  return range_equals(*this, 0, other, 0, length());
}

Result<Array> Array::make_nulls(DataTypePtr type, std::int64_t length, MemoryPool* pool) {
  if (length < 0) return Status::Invalid("negative length ", length);
  auto d = std::make_shared<ArrayData>();
  d->type = type;
  d->length = length;
  d->null_count = type->is_union() || type->id() == TypeId::kRunEndEncoded ? 0 : length;
  const int slots = num_buffer_slots(*type);
  d->buffers.resize(slots);
  auto zeros = [&](std::int64_t n) -> Result<std::shared_ptr<Buffer>> {
    ARROWPACK_ASSIGN_OR_RAISE(auto b, allocate_buffer(n, pool));
    if (n > 0) std::memset(b->mutable_data(), 0, static_cast<std::size_t>(n));
    return std::shared_ptr<Buffer>(std::move(b));
  };
  if (type->id() == TypeId::kNull) return Array(std::move(d));
  if (type->id() == TypeId::kRunEndEncoded) {
    // One run of nulls.
    const DataTypePtr& run_type = type->field(0)->type();
    if (length > internal::max_dictionary_index(*run_type)) {
      return Status::CapacityError(length, " values do not fit ", run_type->to_string(), " run ends");
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto ends, allocate_buffer(length > 0 ? run_type->byte_width() : 0, pool));
    if (length > 0) std::memcpy(ends->mutable_data(), &length, static_cast<std::size_t>(run_type->byte_width()));
    ARROWPACK_ASSIGN_OR_RAISE(auto run_ends, Array::make(run_type, length > 0 ? 1 : 0,
                                                         {nullptr, std::shared_ptr<Buffer>(std::move(ends))}, {}, 0));
    ARROWPACK_ASSIGN_OR_RAISE(auto values, make_nulls(type->field(1)->type(), length > 0 ? 1 : 0, pool));
    d->children = {std::const_pointer_cast<ArrayData>(run_ends.data()),
                   std::const_pointer_cast<ArrayData>(values.data())};
    return Array(std::move(d));
  }
  if (type->is_union()) {
    // A union is null where its child is: point every slot at a null in the first child.
    if (type->num_fields() == 0) return Status::Invalid("cannot make nulls of an empty union");
    ARROWPACK_ASSIGN_OR_RAISE(auto codes, allocate_buffer(length, pool));
    if (length > 0) std::memset(codes->mutable_data(), type->type_codes()[0], length);
    d->buffers[1] = std::move(codes);
    const bool dense = type->id() == TypeId::kDenseUnion;
    if (dense) {
      ARROWPACK_ASSIGN_OR_RAISE(d->buffers[2], zeros(length * 4));
    }
    for (int j = 0; j < type->num_fields(); ++j) {
      const std::int64_t n = dense ? (j == 0 && length > 0 ? 1 : 0) : length;
      ARROWPACK_ASSIGN_OR_RAISE(auto c, make_nulls(type->field(j)->type(), n, pool));
      d->children.push_back(std::const_pointer_cast<ArrayData>(c.data()));
    }
    return Array(std::move(d));
  }
  ARROWPACK_ASSIGN_OR_RAISE(d->buffers[0], zeros(bytes_for_bits(length)));
  if (type->id() == TypeId::kDictionary) {
    ARROWPACK_ASSIGN_OR_RAISE(d->buffers[1], zeros(length * type->index_type()->byte_width()));
    ARROWPACK_ASSIGN_OR_RAISE(auto empty, make_nulls(type->value_type(), 0, pool));
    d->dictionary = std::const_pointer_cast<ArrayData>(empty.data());
    return Array(std::move(d));
  }
  std::int64_t values_size = -1;  // bytes of the values buffer, -1 = none
  std::int64_t offsets_size = -1;
  if (type->is_binary_view()) {
    values_size = length * 16;  // zero-length inline views
  } else if (type->is_list_view()) {
    ARROWPACK_ASSIGN_OR_RAISE(d->buffers[1], zeros(length * offset_width(*type)));
    ARROWPACK_ASSIGN_OR_RAISE(d->buffers[2], zeros(length * offset_width(*type)));
  } else if (type->is_binary_like() || type->is_list_like()) {
    offsets_size = (length + 1) * offset_width(*type);
    if (type->is_binary_like()) values_size = 0;
  } else if (type->id() == TypeId::kBool) {
    values_size = bytes_for_bits(length);
  } else if (type->is_fixed_width() || type->id() == TypeId::kFixedSizeBinary) {
    values_size = length * type->byte_width();
  }
  if (offsets_size >= 0) {
    ARROWPACK_ASSIGN_OR_RAISE(d->buffers[1], zeros(offsets_size));
    if (values_size >= 0) {
      ARROWPACK_ASSIGN_OR_RAISE(d->buffers[2], zeros(values_size));
    }
  } else if (values_size >= 0) {
    ARROWPACK_ASSIGN_OR_RAISE(d->buffers[1], zeros(values_size));
  }
  for (int j = 0; j < type->num_fields(); ++j) {
    std::int64_t n = 0;
    if (type->id() == TypeId::kStruct) n = length;
    if (type->id() == TypeId::kFixedSizeList) n = length * type->fixed_size();
    ARROWPACK_ASSIGN_OR_RAISE(auto c, make_nulls(type->field(j)->type(), n, pool));
    d->children.push_back(std::const_pointer_cast<ArrayData>(c.data()));
  }
  return Array(std::move(d));
}

}  // namespace arrowpack

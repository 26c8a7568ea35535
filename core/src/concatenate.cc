// concatenate() and dictionary_encode(): arrays built from other arrays' values.
#include <climits>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "array_internal.h"
#include "arrowpack/core/array.h"
#include "arrowpack/core/builder.h"
#include "arrowpack/core/util.h"

namespace arrowpack {
namespace {

using util::bytes_for_bits;
using util::get_bit;
using util::set_bit;

Result<std::shared_ptr<MutableBuffer>> zeroed(std::int64_t size, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto b, allocate_buffer(size, pool));
  if (size > 0) std::memset(b->mutable_data(), 0, static_cast<std::size_t>(size));
  return b;
}

// The bits of `get(a, i)` for every slot of every array, one after the other.
template <typename Get>
Result<std::shared_ptr<Buffer>> concat_bits(const std::vector<Array>& arrays, std::int64_t total, MemoryPool* pool,
                                            Get get) {
  ARROWPACK_ASSIGN_OR_RAISE(auto out, zeroed(bytes_for_bits(total), pool));
  std::int64_t pos = 0;
  for (const auto& a : arrays) {
    for (std::int64_t i = 0; i < a.length(); ++i, ++pos) {
      if (get(a, i)) set_bit(out->mutable_data(), pos);
    }
  }
  return std::shared_ptr<Buffer>(std::move(out));
}

// Values [offset, offset + length) of buffer `slot`, `width` bytes each, array after array.
Result<std::shared_ptr<Buffer>> concat_fixed(const std::vector<Array>& arrays, int slot, std::int64_t width,
                                             std::int64_t total, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto out, zeroed(total * width, pool));
  std::int64_t pos = 0;
  for (const auto& a : arrays) {
    const std::int64_t n = a.length() * width;
    if (n > 0) std::memcpy(out->mutable_data() + pos, a.buffer(slot)->data() + a.offset() * width, n);
    pos += n;
  }
  return std::shared_ptr<Buffer>(std::move(out));
}

// Offsets rebased to run on from array to array; `ranges` receives each array's [first, last).
Result<std::shared_ptr<Buffer>> concat_offsets(const std::vector<Array>& arrays, std::int64_t total, bool large,
                                               std::vector<std::pair<std::int64_t, std::int64_t>>* ranges,
                                               MemoryPool* pool) {
  const std::int64_t width = large ? 8 : 4;
  ARROWPACK_ASSIGN_OR_RAISE(auto out, zeroed((total + 1) * width, pool));
  std::int64_t pos = 0, base = 0;
  auto put = [&](std::int64_t v) -> Status {
    if (!large && v > INT32_MAX) return Status::CapacityError("concatenated offsets overflow int32");
    if (large) {
      std::memcpy(out->mutable_data() + pos * 8, &v, 8);
    } else {
      const auto v32 = static_cast<std::int32_t>(v);
      std::memcpy(out->mutable_data() + pos * 4, &v32, 4);
    }
    return Status::OK();
  };
  for (const auto& a : arrays) {
    const std::int64_t first = a.length() ? a.value_offset(0) : 0;
    const std::int64_t last = a.length() ? a.value_offset(a.length()) : 0;
    for (std::int64_t i = 0; i < a.length(); ++i, ++pos) ARROWPACK_RETURN_NOT_OK(put(base + a.value_offset(i) - first));
    ranges->emplace_back(first, last);
    base += last - first;
  }
  ARROWPACK_RETURN_NOT_OK(put(base));
  return std::shared_ptr<Buffer>(std::move(out));
}

Result<Array> concat_slices(const std::vector<Array>& children,
                            const std::vector<std::pair<std::int64_t, std::int64_t>>& ranges, MemoryPool* pool) {
  std::vector<Array> parts;
  for (std::size_t k = 0; k < children.size(); ++k) {
    ARROWPACK_ASSIGN_OR_RAISE(auto part, children[k].slice(ranges[k].first, ranges[k].second - ranges[k].first));
    parts.push_back(std::move(part));
  }
  return concatenate(parts, pool);
}

}  // namespace

Result<Array> concatenate(const std::vector<Array>& arrays, MemoryPool* pool) {
  if (arrays.empty()) return Status::Invalid("concatenate needs at least one array");
  const DataTypePtr& type = arrays[0].type();
  std::int64_t total = 0, nulls = 0;
  for (const auto& a : arrays) {
    if (!a.type()->equals(*type)) {
      return Status::TypeError("cannot concatenate ", a.type()->to_string(), " to ", type->to_string());
    }
    if (util::add_overflows(total, a.length(), &total) || total > (std::int64_t{1} << 56)) {
      return Status::CapacityError("concatenated length overflows");
    }
    nulls += type->is_union() ? 0 : a.null_count();
  }
  if (arrays.size() == 1) return arrays[0];
  const TypeId id = type->id();
  if (id == TypeId::kNull) return Array::make_nulls(type, total, pool);

  std::shared_ptr<Buffer> validity;
  if (nulls > 0) {
    ARROWPACK_ASSIGN_OR_RAISE(
        validity, concat_bits(arrays, total, pool, [](const Array& a, std::int64_t i) { return a.is_valid(i); }));
  }
  std::vector<Array> children;
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  auto child_parts = [&](int j) {
    std::vector<Array> parts;
    for (const auto& a : arrays) parts.push_back(a.child(j));
    return parts;
  };
  switch (id) {
    case TypeId::kBool: {
      ARROWPACK_ASSIGN_OR_RAISE(auto values, concat_bits(arrays, total, pool, [](const Array& a, std::int64_t i) {
                                  return a.bool_value(i);
                                }));
      return Array::make(type, total, {validity, values}, {}, nulls);
    }
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
    case TypeId::kLargeBinary: {
      ARROWPACK_ASSIGN_OR_RAISE(auto offsets, concat_offsets(arrays, total, type->has_large_offsets(), &ranges, pool));
      std::int64_t bytes = 0;
      for (const auto& [first, last] : ranges) bytes += last - first;
      ARROWPACK_ASSIGN_OR_RAISE(auto data, zeroed(bytes, pool));
      std::int64_t pos = 0;
      for (std::size_t k = 0; k < arrays.size(); ++k) {
        const std::int64_t n = ranges[k].second - ranges[k].first;
        if (n > 0) std::memcpy(data->mutable_data() + pos, arrays[k].buffer(2)->data() + ranges[k].first, n);
        pos += n;
      }
      return Array::make(type, total, {validity, offsets, std::shared_ptr<Buffer>(std::move(data))}, {}, nulls);
    }
    case TypeId::kList:
    case TypeId::kLargeList:
    case TypeId::kMap: {
      ARROWPACK_ASSIGN_OR_RAISE(auto offsets, concat_offsets(arrays, total, type->has_large_offsets(), &ranges, pool));
      ARROWPACK_ASSIGN_OR_RAISE(auto values, concat_slices(child_parts(0), ranges, pool));
      return Array::make(type, total, {validity, offsets}, {values}, nulls);
    }
    case TypeId::kFixedSizeList: {
      const std::int64_t n = type->fixed_size();
      for (const auto& a : arrays) ranges.emplace_back(a.offset() * n, (a.offset() + a.length()) * n);
      ARROWPACK_ASSIGN_OR_RAISE(auto values, concat_slices(child_parts(0), ranges, pool));
      return Array::make(type, total, {validity}, {values}, nulls);
    }
    case TypeId::kStruct:
    case TypeId::kSparseUnion: {
      for (const auto& a : arrays) ranges.emplace_back(a.offset(), a.offset() + a.length());
      for (int j = 0; j < type->num_fields(); ++j) {
        ARROWPACK_ASSIGN_OR_RAISE(auto c, concat_slices(child_parts(j), ranges, pool));
        children.push_back(std::move(c));
      }
      if (id == TypeId::kStruct) return Array::make(type, total, {validity}, std::move(children), nulls);
      ARROWPACK_ASSIGN_OR_RAISE(auto codes, concat_fixed(arrays, 1, 1, total, pool));
      return Array::make(type, total, {nullptr, codes}, std::move(children), 0);
    }
    case TypeId::kDenseUnion: {
      // Children are concatenated whole; each array's offsets move by what came before.
      ARROWPACK_ASSIGN_OR_RAISE(auto codes, concat_fixed(arrays, 1, 1, total, pool));
      ARROWPACK_ASSIGN_OR_RAISE(auto offsets, zeroed(total * 4, pool));
      std::vector<std::int64_t> base(static_cast<std::size_t>(type->num_fields()), 0);
      std::int64_t pos = 0;
      for (const auto& a : arrays) {
        for (std::int64_t i = 0; i < a.length(); ++i, ++pos) {
          const std::int64_t v = base[a.child_id(i)] + a.union_value_offset(i);
          if (v > INT32_MAX) return Status::CapacityError("concatenated union offsets overflow int32");
          const auto v32 = static_cast<std::int32_t>(v);
          std::memcpy(offsets->mutable_data() + pos * 4, &v32, 4);
        }
        for (int j = 0; j < type->num_fields(); ++j) base[j] += a.child(j).length();
      }
      for (int j = 0; j < type->num_fields(); ++j) {
        ARROWPACK_ASSIGN_OR_RAISE(auto c, concatenate(child_parts(j), pool));
        children.push_back(std::move(c));
      }
      return Array::make(type, total, {nullptr, codes, std::shared_ptr<Buffer>(std::move(offsets))},
                         std::move(children), 0);
    }
    case TypeId::kBinaryView:
    case TypeId::kStringView: {
      // Views are copied with their buffer index moved past the data buffers before them.
      ARROWPACK_ASSIGN_OR_RAISE(auto views, concat_fixed(arrays, 1, 16, total, pool));
      std::vector<std::shared_ptr<Buffer>> buffers = {validity, views};
      std::int64_t pos = 0;
      for (const auto& a : arrays) {
        const auto base = static_cast<std::int32_t>(buffers.size() - 2);
        for (std::int64_t i = 0; i < a.length(); ++i, ++pos) {
          auto* v = const_cast<std::uint8_t*>(views->data()) + pos * 16;  // our fresh copy
          std::int32_t length, index;
          std::memcpy(&length, v, 4);
          if (length <= 12) continue;
          std::memcpy(&index, v + 8, 4);
          index += base;
          std::memcpy(v + 8, &index, 4);
        }
        for (int k = 2; k < a.num_buffers(); ++k) buffers.push_back(a.buffer(k));
      }
      return Array::make(type, total, std::move(buffers), {}, nulls);
    }
    case TypeId::kListView:
    case TypeId::kLargeListView: {
      // Children whole, one after the other; each array's offsets move by what came before.
      const std::int64_t width = type->has_large_offsets() ? 8 : 4;
      ARROWPACK_ASSIGN_OR_RAISE(auto offsets, zeroed(total * width, pool));
      ARROWPACK_ASSIGN_OR_RAISE(auto sizes, concat_fixed(arrays, 2, width, total, pool));
      std::int64_t pos = 0, base = 0;
      for (const auto& a : arrays) {
        for (std::int64_t i = 0; i < a.length(); ++i, ++pos) {
          const std::int64_t v = a.is_null(i) ? 0 : base + a.value_offset(i);
          if (width == 4 && v > INT32_MAX)
            return Status::CapacityError("concatenated list view offsets overflow int32");
          std::memcpy(offsets->mutable_data() + pos * width, &v, static_cast<std::size_t>(width));
        }
        base += a.child(0).length();
      }
      ARROWPACK_ASSIGN_OR_RAISE(auto values, concatenate(child_parts(0), pool));
      return Array::make(type, total, {validity, std::shared_ptr<Buffer>(std::move(offsets)), sizes}, {values}, nulls);
    }
    case TypeId::kRunEndEncoded: {
      // Each array's runs over its logical range, their ends moved to the concatenation.
      const DataTypePtr& run_type = type->field(0)->type();
      const std::int64_t width = run_type->byte_width();
      if (total > internal::max_dictionary_index(*run_type)) {
        return Status::CapacityError(total, " values do not fit ", run_type->to_string(), " run ends");
      }
      std::string ends;
      std::vector<Array> values;
      std::int64_t base = 0;
      for (const auto& a : arrays) {
        if (a.length() == 0) continue;
        const std::int64_t first = a.physical_index(0), last = a.physical_index(a.length() - 1);
        const Array run_ends = a.child(0);
        for (std::int64_t k = first; k <= last; ++k) {
          const std::int64_t end = std::min(internal::run_end_at(run_ends, k) - a.offset(), a.length()) + base;
          ends.append(reinterpret_cast<const char*>(&end), static_cast<std::size_t>(width));
        }
        ARROWPACK_ASSIGN_OR_RAISE(auto part, a.child(1).slice(first, last - first + 1));
        values.push_back(std::move(part));
        base += a.length();
      }
      const auto runs = static_cast<std::int64_t>(ends.size()) / width;
      ARROWPACK_ASSIGN_OR_RAISE(auto run_ends,
                                Array::make(run_type, runs, {nullptr, Buffer::from_string(std::move(ends))}, {}, 0));
      Array joined;
      if (values.empty()) {
        ARROWPACK_ASSIGN_OR_RAISE(joined, Array::make_nulls(type->field(1)->type(), 0, pool));
      } else {
        ARROWPACK_ASSIGN_OR_RAISE(joined, concatenate(values, pool));
      }
      return Array::make(type, total, {nullptr}, {run_ends, joined}, 0);
    }
    case TypeId::kDictionary: {
      const Array dict = arrays[0].dictionary();
      for (const auto& a : arrays) {
        if (a.data()->dictionary != dict.data() && !a.dictionary().equals(dict)) {
          return Status::NotImplemented("concatenating dictionary arrays with different dictionaries");
        }
      }
      ARROWPACK_ASSIGN_OR_RAISE(auto indices, concat_fixed(arrays, 1, type->index_type()->byte_width(), total, pool));
      ARROWPACK_ASSIGN_OR_RAISE(auto index_array,
                                Array::make(type->index_type(), total, {validity, indices}, {}, nulls));
      return Array::make_dictionary(type, index_array, dict);
    }
      ARROWPACK_FIXED_WIDTH_CASES {
        ARROWPACK_ASSIGN_OR_RAISE(auto values, concat_fixed(arrays, 1, type->byte_width(), total, pool));
        return Array::make(type, total, {validity, values}, {}, nulls);
      }
    case TypeId::kNull: break;  // returned above
  }
  return Array::make_nulls(type, total, pool);
}

Result<Array> run_end_encode(const Array& values, DataTypePtr run_end_type, MemoryPool* pool) {
  if (!values.valid_handle()) return Status::Invalid("empty array handle");
  ARROWPACK_ASSIGN_OR_RAISE(auto type, run_end_encoded(run_end_type, values.type()));
  if (values.length() > internal::max_dictionary_index(*run_end_type)) {
    return Status::CapacityError(values.length(), " values do not fit ", run_end_type->to_string(), " run ends");
  }
  const std::int64_t width = run_end_type->byte_width();
  std::string ends;
  std::vector<Array> heads;  // the first value of each run
  for (std::int64_t i = 0; i < values.length(); ++i) {
    // Equal neighbours (both null, or equal values) stay in the run.
    if (i + 1 < values.length() && internal::values_equal(values, i, values, i + 1)) continue;
    const std::int64_t end = i + 1;
    ends.append(reinterpret_cast<const char*>(&end), static_cast<std::size_t>(width));
    ARROWPACK_ASSIGN_OR_RAISE(auto head, values.slice(i, 1));
    heads.push_back(std::move(head));
  }
  const auto runs = static_cast<std::int64_t>(heads.size());
  ARROWPACK_ASSIGN_OR_RAISE(auto run_ends,
                            Array::make(run_end_type, runs, {nullptr, Buffer::from_string(std::move(ends))}, {}, 0));
  Array run_values;
  if (heads.empty()) {
    ARROWPACK_ASSIGN_OR_RAISE(run_values, Array::make_nulls(values.type(), 0, pool));
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(run_values, concatenate(heads, pool));
  }
  return Array::make(type, values.length(), {nullptr}, {run_ends, run_values}, 0);
}

Result<Array> dictionary_encode(const Array& values, DataTypePtr index_type, MemoryPool* pool) {
  if (!values.valid_handle()) return Status::Invalid("empty array handle");
  if (!internal::has_value_bytes(*values.type())) {
    return Status::NotImplemented("dictionary_encode of ", values.type()->to_string());
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto type, dictionary(std::move(index_type), values.type()));
  ARROWPACK_ASSIGN_OR_RAISE(auto builder, DictionaryBuilder::make(type, pool));
  for (std::int64_t i = 0; i < values.length(); ++i) {
    ARROWPACK_RETURN_NOT_OK(values.is_null(i) ? builder->append_null()
                                              : builder->append(internal::value_bytes(values, i)));
  }
  return builder->finish();
}

}  // namespace arrowpack

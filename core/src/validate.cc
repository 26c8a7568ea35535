// Array validation: validate() checks that every buffer is as long as the type and length
// need; validate_full() also checks every offset, view, union code, run end, dictionary
// index and UTF-8 sequence, so that reading any value of an array that passes stays inside
// its buffers. Input from outside (IPC, components, the C data interface) goes through here.
#include <cstring>
#include <string>

#include "array_internal.h"
#include "arrowpack/core/array.h"
#include "arrowpack/core/util.h"

namespace arrowpack {

using internal::Check;
using internal::has_validity_slot;
using internal::kBasic;
using internal::kFull;
using internal::kFullDictionariesChecked;
using internal::load_run_end;
using internal::load_view;
using internal::offset_width;
using internal::read_offset;
using internal::View;
using util::bytes_for_bits;
using util::get_bit;

namespace {

Status check_buffer(const ArrayData& d, int slot, std::int64_t need, const char* what) {
  const auto& b = d.buffers[slot];
  const std::int64_t have = b ? b->size() : 0;
  if (have < need) {
    return Status::Invalid(d.type->to_string(), " array of length ", d.length, " at offset ", d.offset, " needs ", need,
                           " bytes of ", what, ", buffer has ", have);
  }
  return Status::OK();
}

Status validate_data(const ArrayData& d, Check full, int depth);

Status validate_children(const ArrayData& d, Check full, int depth) {
  for (std::size_t j = 0; j < d.children.size(); ++j) {
    Status s = validate_data(*d.children[j], full, depth + 1);
    if (!s.ok()) return s.with_context("child '" + d.type->field(static_cast<int>(j))->name() + "'");
  }
  return Status::OK();
}

Status validate_offsets(const ArrayData& d, std::int64_t limit, const char* limit_name, bool full) {
  if (d.length == 0) return Status::OK();  // producers may omit offsets for empty arrays
  std::int64_t need;
  if (util::mul_overflows(d.offset + d.length + 1, offset_width(*d.type), &need)) {
    return Status::Invalid("offsets size overflows");
  }
  ARROWPACK_RETURN_NOT_OK(check_buffer(d, 1, need, "offsets"));
  const std::int64_t first = read_offset(d, 0);
  const std::int64_t last = read_offset(d, d.length);
  if (first < 0 || last < first || last > limit) {
    return Status::Invalid(d.type->to_string(), " offsets run from ", first, " to ", last, ", outside the ", limit, " ",
                           limit_name);
  }
  if (full) {
    std::int64_t prev = first;
    for (std::int64_t i = 1; i <= d.length; ++i) {
      const std::int64_t cur = read_offset(d, i);
      if (cur < prev || cur > limit) {
        return Status::Invalid(d.type->to_string(), " offset ", i, " is ", cur, " after ", prev,
                               ": offsets must be non-decreasing and <= ", limit);
      }
      prev = cur;
    }
  }
  return Status::OK();
}

Status validate_data(const ArrayData& d, Check full, int depth) {
  if (depth > 1024) return Status::CapacityError("array nesting deeper than 1024 levels");
  if (!d.type) return Status::Invalid("array without a type");
  const DataType& t = *d.type;
  if (d.length < 0) return Status::Invalid("negative array length ", d.length);
  if (d.offset < 0) return Status::Invalid("negative array offset ", d.offset);
  std::int64_t end;
  if (util::add_overflows(d.offset, d.length, &end) || end > (std::int64_t{1} << 56)) {
    return Status::Invalid("array offset + length too large");
  }
  const bool variadic = t.is_binary_view() && d.buffers.size() > 2;
  if (static_cast<int>(d.buffers.size()) != num_buffer_slots(t) && !variadic) {
    return Status::Invalid(t.to_string(), " array has ", d.buffers.size(), " buffers, expected ", num_buffer_slots(t));
  }
  if (static_cast<int>(d.children.size()) != t.num_fields()) {
    return Status::Invalid(t.to_string(), " array has ", d.children.size(), " children, its type has ", t.num_fields());
  }
  for (std::size_t j = 0; j < d.children.size(); ++j) {
    if (!d.children[j]) return Status::Invalid("missing child ", j);
    if (!d.children[j]->type->equals(*t.field(static_cast<int>(j))->type())) {
      return Status::TypeError("child ", j, " has type ", d.children[j]->type->to_string(), ", expected ",
                               t.field(static_cast<int>(j))->type()->to_string());
    }
  }
  if (d.null_count < 0 || d.null_count > d.length) {
    return Status::Invalid("null count ", d.null_count, " outside [0, ", d.length, "]");
  }
  if (t.id() == TypeId::kNull) {
    if (d.null_count != d.length) return Status::Invalid("null array with a non-null value");
    return Status::OK();
  }
  if (d.length > 0) {
    // Every slot but the validity bitmap must hold a buffer, even an empty one.
    for (std::size_t slot = 1; slot < d.buffers.size(); ++slot) {
      if (!d.buffers[slot]) {
        return Status::Invalid(t.to_string(), " array of length ", d.length, " is missing buffer ", slot);
      }
    }
  }
  if (has_validity_slot(t.id())) {
    if (d.buffers[0]) {
      ARROWPACK_RETURN_NOT_OK(check_buffer(d, 0, bytes_for_bits(end), "validity bitmap"));
      if (full) {
        const std::int64_t nulls = count_nulls(d.buffers[0]->data(), d.offset, d.length);
        if (nulls != d.null_count) {
          return Status::Invalid("null count ", d.null_count, " does not match the ", nulls,
                                 " nulls of the validity bitmap");
        }
      }
    } else if (d.null_count != 0) {
      return Status::Invalid("null count ", d.null_count, " without a validity bitmap");
    }
  } else if (d.buffers[0] && t.is_union()) {
    return Status::Invalid("union arrays have no validity bitmap");
  }

  switch (t.id()) {
    case TypeId::kBool: return check_buffer(d, 1, bytes_for_bits(end), "values");
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
    case TypeId::kLargeBinary: {
      const std::int64_t data_size = d.buffers[2] ? d.buffers[2]->size() : 0;
      ARROWPACK_RETURN_NOT_OK(validate_offsets(d, data_size, "bytes of data", full));
      if (full && t.is_string() && d.length > 0) {
        const std::uint8_t* bytes = d.buffers[2] ? d.buffers[2]->data() : nullptr;
        const std::uint8_t* validity = d.buffers[0] ? d.buffers[0]->data() : nullptr;
        for (std::int64_t i = 0; i < d.length; ++i) {
          if (validity && !get_bit(validity, d.offset + i)) continue;
          const std::int64_t a = read_offset(d, i);
          const std::int64_t b = read_offset(d, i + 1);
          if (!util::is_valid_utf8(bytes + a, b - a)) {
            return Status::Invalid("string value ", i, " is not valid UTF-8");
          }
        }
      }
      return Status::OK();
    }
    case TypeId::kList:
    case TypeId::kLargeList:
    case TypeId::kMap: {
      if (t.id() == TypeId::kMap) {
        const auto& entries = t.field(0)->type();
        if (entries->id() != TypeId::kStruct || entries->num_fields() != 2) {
          return Status::TypeError("map entries must be a struct of two fields");
        }
      }
      ARROWPACK_RETURN_NOT_OK(validate_offsets(d, d.children[0]->length, "child values", full));
      return validate_children(d, full, depth);
    }
    case TypeId::kFixedSizeList: {
      std::int64_t need;
      if (util::mul_overflows(end, t.fixed_size(), &need)) {
        return Status::Invalid("fixed_size_list length overflows");
      }
      if (d.children[0]->length < need) {
        return Status::Invalid("fixed_size_list child has ", d.children[0]->length, " values, needs ", need);
      }
      return validate_children(d, full, depth);
    }
    case TypeId::kStruct:
      for (const auto& c : d.children) {
        if (c->length < end) {
          return Status::Invalid("struct child of length ", c->length, " shorter than ", end);
        }
      }
      return validate_children(d, full, depth);
    case TypeId::kSparseUnion:
    case TypeId::kDenseUnion: {
      ARROWPACK_RETURN_NOT_OK(check_buffer(d, 1, end, "type ids"));
      const bool dense = t.id() == TypeId::kDenseUnion;
      if (dense) {
        ARROWPACK_RETURN_NOT_OK(check_buffer(d, 2, end * 4, "offsets"));
      } else {
        for (const auto& c : d.children) {
          if (c->length < end) {
            return Status::Invalid("sparse union child of length ", c->length, " shorter than ", end);
          }
        }
      }
      if (full) {
        const auto* codes = reinterpret_cast<const std::int8_t*>(d.buffers[1]->data());
        for (std::int64_t i = 0; i < d.length; ++i) {
          const std::int8_t code = codes[d.offset + i];
          const int child = t.child_index_for_code(code);
          if (child < 0) {
            return Status::Invalid("union slot ", i, " has type code ", int{code}, ", which the type does not declare");
          }
          if (dense) {
            std::int32_t off;
            std::memcpy(&off, d.buffers[2]->data() + (d.offset + i) * 4, 4);
            if (off < 0 || off >= d.children[child]->length) {
              return Status::Invalid("dense union slot ", i, " points at ", off, " in a child of length ",
                                     d.children[child]->length);
            }
          }
        }
      }
      return validate_children(d, full, depth);
    }
    case TypeId::kBinaryView:
    case TypeId::kStringView: {
      std::int64_t need;
      if (util::mul_overflows(end, 16, &need)) return Status::Invalid("view buffer size overflows");
      ARROWPACK_RETURN_NOT_OK(check_buffer(d, 1, need, "views"));
      const auto data_buffers = static_cast<std::int64_t>(d.buffers.size()) - 2;
      for (std::int64_t k = 0; k < data_buffers; ++k) {
        if (!d.buffers[2 + k]) return Status::Invalid(t.to_string(), " array is missing data buffer ", k);
      }
      if (!full) return Status::OK();
      const std::uint8_t* validity = d.buffers[0] ? d.buffers[0]->data() : nullptr;
      // Views may overlap (that is their point), so checking each one's UTF-8 could scan the
      // same bytes without end. A data buffer that is valid UTF-8 as a whole is checked once;
      // then a view is valid when it starts and ends on character boundaries. Views into
      // other buffers are checked one by one, within a bound on the bytes scanned.
      std::vector<std::int8_t> whole_valid(static_cast<std::size_t>(data_buffers), -1);
      std::int64_t data_bytes = 0;
      for (std::int64_t k = 0; k < data_buffers; ++k) data_bytes += d.buffers[2 + k]->size();
      const std::int64_t scan_limit = 8 * data_bytes + (std::int64_t{1} << 20);
      std::int64_t scanned = 0;
      auto continuation = [](std::uint8_t c) { return (c & 0xC0) == 0x80; };
      for (std::int64_t i = 0; i < d.length; ++i) {
        if (validity && !get_bit(validity, d.offset + i)) continue;
        const View v = load_view(d, i);
        if (v.length < 0) return Status::Invalid("view ", i, " has negative length ", v.length);
        const std::uint8_t* bytes = v.raw + 4;
        if (v.length > 12) {
          if (v.buffer < 0 || v.buffer >= data_buffers) {
            return Status::Invalid("view ", i, " points at data buffer ", v.buffer, " of ", data_buffers);
          }
          const std::int64_t size = d.buffers[2 + v.buffer]->size();
          if (v.offset < 0 || v.offset > size || v.length > size - v.offset) {
            return Status::Invalid("view ", i, " [offset ", v.offset, ", length ", v.length,
                                   "] lies outside its data buffer of ", size, " bytes");
          }
          bytes = d.buffers[2 + v.buffer]->data() + v.offset;
          if (std::memcmp(bytes, v.raw + 4, 4) != 0) {
            return Status::Invalid("view ", i, " has a prefix that differs from its data");
          }
        }
        if (t.id() != TypeId::kStringView) continue;
        if (v.length > 12) {
          const Buffer& data = *d.buffers[2 + v.buffer];
          auto& state = whole_valid[static_cast<std::size_t>(v.buffer)];
          if (state < 0) state = util::is_valid_utf8(data.data(), data.size()) ? 1 : 0;
          if (state == 1) {
            const bool ends_well = v.offset + v.length == data.size() || !continuation(bytes[v.length]);
            if (continuation(bytes[0]) || !ends_well) {
              return Status::Invalid("string value ", i, " is not valid UTF-8 (it cuts a character)");
            }
            continue;
          }
          scanned += v.length;
          if (scanned > scan_limit) {
            return Status::CapacityError("string views overlap so much that checking their UTF-8 would scan more than ",
                                         scan_limit, " bytes");
          }
        }
        if (!util::is_valid_utf8(bytes, v.length)) {
          return Status::Invalid("string value ", i, " is not valid UTF-8");
        }
      }
      return Status::OK();
    }
    case TypeId::kListView:
    case TypeId::kLargeListView: {
      const std::int64_t width = offset_width(t);
      std::int64_t need;
      if (util::mul_overflows(end, width, &need)) return Status::Invalid("list view buffer size overflows");
      ARROWPACK_RETURN_NOT_OK(check_buffer(d, 1, need, "offsets"));
      ARROWPACK_RETURN_NOT_OK(check_buffer(d, 2, need, "sizes"));
      if (full) {
        const Array a(std::shared_ptr<const ArrayData>(&d, [](const ArrayData*) {}));
        const std::int64_t child = d.children[0]->length;
        for (std::int64_t i = 0; i < d.length; ++i) {
          if (a.is_null(i)) continue;
          const std::int64_t off = a.value_offset(i), size = a.value_length(i);
          if (off < 0 || size < 0 || off > child || size > child - off) {
            return Status::Invalid(t.to_string(), " view ", i, " [offset ", off, ", size ", size,
                                   "] lies outside the child of ", child, " values");
          }
        }
      }
      return validate_children(d, full, depth);
    }
    case TypeId::kRunEndEncoded: {
      const ArrayData& run_ends = *d.children[0];
      const std::int64_t runs = run_ends.length;
      if (run_ends.null_count != 0) return Status::Invalid("run ends must not be null");
      if (d.children[1]->length < runs) {
        return Status::Invalid(runs, " runs but ", d.children[1]->length, " values");
      }
      ARROWPACK_RETURN_NOT_OK(validate_children(d, full, depth));
      if (d.length == 0) return Status::OK();
      if (runs == 0) return Status::Invalid("run_end_encoded array of length ", d.length, " without runs");
      const std::int64_t last = load_run_end(run_ends, runs - 1);
      if (last < end) return Status::Invalid("the last run ends at ", last, ", before the array's end ", end);
      if (full) {
        std::int64_t prev = 0;
        for (std::int64_t k = 0; k < runs; ++k) {
          const std::int64_t cur = load_run_end(run_ends, k);
          if (cur <= prev) {
            return Status::Invalid("run end ", k, " is ", cur, " after ", prev, ": run ends must increase");
          }
          prev = cur;
        }
      }
      return Status::OK();
    }
    case TypeId::kDictionary: {
      std::int64_t need;
      if (util::mul_overflows(end, t.index_type()->byte_width(), &need)) {
        return Status::Invalid("index buffer size overflows");
      }
      ARROWPACK_RETURN_NOT_OK(check_buffer(d, 1, need, "indices"));
      if (!d.dictionary) return Status::Invalid(t.to_string(), " array without its dictionary");
      if (!d.dictionary->type || !d.dictionary->type->equals(*t.value_type())) {
        return Status::TypeError("dictionary of type ", d.dictionary->type ? d.dictionary->type->to_string() : "none",
                                 " for ", t.to_string());
      }
      if (full != kFullDictionariesChecked) {
        Status st = validate_data(*d.dictionary, full, depth + 1);
        if (!st.ok()) return st.with_context("dictionary");
      }
      if (full) {
        const Array a(std::shared_ptr<const ArrayData>(&d, [](const ArrayData*) {}));
        const std::int64_t size = d.dictionary->length;
        for (std::int64_t i = 0; i < d.length; ++i) {
          if (a.is_null(i)) continue;
          const std::int64_t index = a.dictionary_index(i);
          if (index < 0 || index >= size) {
            return Status::Invalid("dictionary index ", index, " at slot ", i, " is outside the dictionary of ", size,
                                   " values");
          }
        }
      }
      return Status::OK();
    }
      ARROWPACK_FIXED_WIDTH_CASES {
        std::int64_t need;
        if (util::mul_overflows(end, t.byte_width(), &need)) {
          return Status::Invalid("value buffer size overflows");
        }
        return check_buffer(d, 1, need, "values");
      }
    case TypeId::kNull: return Status::OK();  // checked above
  }
  return Status::OK();
}

}  // namespace

Status internal::validate_array_data(const ArrayData& data, Check level) { return validate_data(data, level, 0); }

Status Array::validate() const {
  if (!data_) return Status::Invalid("empty array handle");
  return validate_data(*data_, kBasic, 0);
}

Status internal::validate_full_but_dictionaries(const Array& array) {
  return validate_data(*array.data(), kFullDictionariesChecked, 0);
}

Status Array::validate_full() const {
  if (!data_) return Status::Invalid("empty array handle");
  return validate_data(*data_, kFull, 0);
}

}  // namespace arrowpack

#include "arrowpack/core/array.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <vector>

#include "array_internal.h"
#include "bit_util_internal.h"

namespace arrowpack {

using internal::bytes_for_bits;
using internal::get_bit;

namespace internal {

void copy_bits(const std::uint8_t* src, std::int64_t src_offset, std::int64_t length, std::uint8_t* dst) {
  if (length <= 0) return;
  if ((src_offset & 7) == 0) {
    std::memcpy(dst, src + (src_offset >> 3), static_cast<std::size_t>(bytes_for_bits(length)));
  } else {
    std::memset(dst, 0, static_cast<std::size_t>(bytes_for_bits(length)));
    for (std::int64_t i = 0; i < length; ++i) {
      if (get_bit(src, src_offset + i)) set_bit(dst, i);
    }
  }
  // Bits past `length` in the last byte must be zero so the output is deterministic.
  if (length & 7) dst[length >> 3] &= static_cast<std::uint8_t>((1u << (length & 7)) - 1);
}

namespace {
// Whether s[0, n) is all ASCII: eight bytes at a time, the tail as one overlapping word.
bool is_ascii(const std::uint8_t* s, std::int64_t n) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  if (n < 8) {
    std::uint8_t any = 0;
    for (std::int64_t i = 0; i < n; ++i) any |= s[i];
    return (any & 0x80) == 0;
  }
  std::uint64_t any = 0, w;
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::memcpy(&w, s + i, 8);
    any |= w;
  }
  std::memcpy(&w, s + n - 8, 8);
  return ((any | w) & kHigh) == 0;
}
}  // namespace

bool is_valid_utf8(const std::uint8_t* s, std::int64_t n) {
  if (is_ascii(s, n)) return true;  // the common case, without the decoder below
  std::int64_t i = 0;
  while (i < n) {
    // Fast path over ASCII, eight bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const std::uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= n) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Reject overlong forms, surrogates and code points past U+10FFFF.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace internal

bool is_valid_utf8(std::string_view text) {
  return internal::is_valid_utf8(reinterpret_cast<const std::uint8_t*>(text.data()),
                                 static_cast<std::int64_t>(text.size()));
}

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

int num_buffer_slots(const DataType& type) {
  switch (type.id()) {
    case TypeId::kNull:
    case TypeId::kFixedSizeList:
    case TypeId::kStruct: return 1;
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
    case TypeId::kLargeBinary:
    case TypeId::kDenseUnion:
    case TypeId::kListView:
    case TypeId::kLargeListView: return 3;
    case TypeId::kRunEndEncoded: return 1;
    default: return 2;  // fixed-width, list-like, sparse union, views (+ variadic data buffers)
  }
}

namespace {

bool has_validity_slot(TypeId id) {
  return id != TypeId::kNull && id != TypeId::kSparseUnion && id != TypeId::kDenseUnion && id != TypeId::kRunEndEncoded;
}

// A 16-byte binary view: length, then the bytes inline (<= 12) or prefix, buffer, offset.
struct View {
  std::int32_t length;
  std::int32_t buffer;
  std::int32_t offset;
  const std::uint8_t* raw;
};
View load_view(const ArrayData& d, std::int64_t i) {
  View v;
  v.raw = d.buffers[1]->data() + (d.offset + i) * 16;
  std::memcpy(&v.length, v.raw, 4);
  std::memcpy(&v.buffer, v.raw + 8, 4);
  std::memcpy(&v.offset, v.raw + 12, 4);
  return v;
}

std::int64_t load_run_end(const ArrayData& run_ends, std::int64_t k) {
  const std::uint8_t* p = run_ends.buffers[1]->data();
  const std::int64_t at = run_ends.offset + k;
  switch (run_ends.type->id()) {
    case TypeId::kInt16: {
      std::int16_t v;
      std::memcpy(&v, p + at * 2, 2);
      return v;
    }
    case TypeId::kInt32: {
      std::int32_t v;
      std::memcpy(&v, p + at * 4, 4);
      return v;
    }
    default: {
      std::int64_t v;
      std::memcpy(&v, p + at * 8, 8);
      return v;
    }
  }
}

std::int64_t offset_width(const DataType& t) { return t.has_large_offsets() ? 8 : 4; }

std::int64_t read_offset(const ArrayData& d, std::int64_t i) {
  const std::uint8_t* p = d.buffers[1]->data();
  if (d.type->has_large_offsets()) {
    std::int64_t v;
    std::memcpy(&v, p + (d.offset + i) * 8, 8);
    return v;
  }
  std::int32_t v;
  std::memcpy(&v, p + (d.offset + i) * 4, 4);
  return v;
}

Status check_buffer(const ArrayData& d, int slot, std::int64_t need, const char* what) {
  const auto& b = d.buffers[slot];
  const std::int64_t have = b ? b->size() : 0;
  if (have < need) {
    return Status::Invalid(d.type->to_string(), " array of length ", d.length, " at offset ", d.offset, " needs ", need,
                           " bytes of ", what, ", buffer has ", have);
  }
  return Status::OK();
}

// How much validate_data checks: sizes only, everything, or everything but the values of
// dictionaries (which the IPC reader checked when it read them).
enum Check : int { kBasic = 0, kFull = 1, kFullDictionariesChecked = 2 };

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
  if (internal::mul_overflows(d.offset + d.length + 1, offset_width(*d.type), &need)) {
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
  if (internal::add_overflows(d.offset, d.length, &end) || end > (std::int64_t{1} << 56)) {
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
          if (!internal::is_valid_utf8(bytes + a, b - a)) {
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
      if (internal::mul_overflows(end, t.fixed_size(), &need)) {
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
      if (internal::mul_overflows(end, 16, &need)) return Status::Invalid("view buffer size overflows");
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
          if (state < 0) state = internal::is_valid_utf8(data.data(), data.size()) ? 1 : 0;
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
        if (!internal::is_valid_utf8(bytes, v.length)) {
          return Status::Invalid("string value ", i, " is not valid UTF-8");
        }
      }
      return Status::OK();
    }
    case TypeId::kListView:
    case TypeId::kLargeListView: {
      const std::int64_t width = offset_width(t);
      std::int64_t need;
      if (internal::mul_overflows(end, width, &need)) return Status::Invalid("list view buffer size overflows");
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
      if (internal::mul_overflows(end, t.index_type()->byte_width(), &need)) {
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
    default: {
      std::int64_t need;
      if (internal::mul_overflows(end, t.byte_width(), &need)) {
        return Status::Invalid("value buffer size overflows");
      }
      return check_buffer(d, 1, need, "values");
    }
  }
}

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
    case TypeId::kLargeBinary:
    case TypeId::kFixedSizeBinary: return a.string_view(i) == b.string_view(j);
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
    default: {
      const std::int64_t w = t.byte_width();
      return std::memcmp(a.buffer(1)->data() + (a.offset() + i) * w, b.buffer(1)->data() + (b.offset() + j) * w,
                         static_cast<std::size_t>(w)) == 0;
    }
  }
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
    if (length < 0 || offset < 0 || internal::add_overflows(offset, length, &end)) {
      return Status::Invalid("array offset ", offset, " and length ", length, " out of range");
    }
    const std::int64_t need = bytes_for_bits(end);
    if (d->buffers[0]->size() < need) {
      return Status::Invalid("validity bitmap of ", d->buffers[0]->size(), " bytes, needs ", need);
    }
    d->null_count = count_nulls(d->buffers[0]->data(), offset, length);
  }
  ARROWPACK_RETURN_NOT_OK(validate_data(*d, kBasic, 0));
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
  switch (d.type->index_type()->id()) {
    case TypeId::kInt8: return reinterpret_cast<const std::int8_t*>(p)[k];
    case TypeId::kUInt8: return p[k];
    case TypeId::kInt16: return value<std::int16_t>(i);
    case TypeId::kUInt16: return value<std::uint16_t>(i);
    case TypeId::kInt32: return value<std::int32_t>(i);
    case TypeId::kUInt32: return value<std::uint32_t>(i);
    case TypeId::kInt64: return value<std::int64_t>(i);
    case TypeId::kUInt64: {
      // Indices past INT64_MAX cannot lie in any dictionary: report them as -1.
      const auto v = value<std::uint64_t>(i);
      return v > static_cast<std::uint64_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(v);
    }
    default: return -1;
  }
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
  ARROWPACK_RETURN_NOT_OK(validate_data(*d, kFullDictionariesChecked, 0));
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

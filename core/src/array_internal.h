// Helpers shared by the array code and the IPC writer.
#pragma once

#include <climits>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "arrowpack/core/array.h"

namespace arrowpack::internal {

/// Whether arrays of `id` have a validity bitmap as their first buffer.
inline bool has_validity_slot(TypeId id) { return type_info(id).has_validity(); }

// A 16-byte binary view: length, then the bytes inline (<= 12) or prefix, buffer, offset.
struct View {
  std::int32_t length;
  std::int32_t buffer;
  std::int32_t offset;
  const std::uint8_t* raw;
};
inline View load_view(const ArrayData& d, std::int64_t i) {
  View v;
  v.raw = d.buffers[1]->data() + (d.offset + i) * 16;
  std::memcpy(&v.length, v.raw, 4);
  std::memcpy(&v.buffer, v.raw + 8, 4);
  std::memcpy(&v.offset, v.raw + 12, 4);
  return v;
}

/// Run end k of run_ends array data (int16, int32 or int64).
inline std::int64_t load_run_end(const ArrayData& run_ends, std::int64_t k) {
  // Run ends are int16, int32 or int64 (run_end_encoded() checks): the width says which.
  const std::uint8_t* p = run_ends.buffers[1]->data();
  const std::int64_t at = run_ends.offset + k;
  switch (run_ends.type->byte_width()) {
    case 2: {
      std::int16_t v;
      std::memcpy(&v, p + at * 2, 2);
      return v;
    }
    case 4: {
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

/// The integer at `p` (unaligned) of integer type `type`, as int64; -1 for a uint64 past
/// INT64_MAX (it fits no dictionary, dimension or run) and for a type that is not an integer.
inline std::int64_t load_integer(const DataType& type, const std::uint8_t* p) {
  return visit_type(type, [p](auto tag) -> std::int64_t {
    using Tag = decltype(tag);
    if constexpr (Tag::info.is(kIntegerCategory)) {
      typename Tag::c_type v;
      std::memcpy(&v, p, sizeof v);
      if constexpr (std::is_same_v<typename Tag::c_type, std::uint64_t>) {
        return v > static_cast<std::uint64_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(v);
      } else {
        return static_cast<std::int64_t>(v);
      }
    } else {
      return -1;
    }
  });
}

/// Bytes per offset of a type with offsets (8 for the large ones).
inline std::int64_t offset_width(const DataType& t) { return t.has_large_offsets() ? 8 : 4; }

/// Offset i (or size i: list views keep sizes in buffer 2) of `d`'s buffer 1.
inline std::int64_t read_offset(const ArrayData& d, std::int64_t i) {
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

/// How much validate_array_data() checks: buffer sizes only (Array::validate()), everything
/// (Array::validate_full()), or everything but the values of dictionaries (which the IPC
/// reader checked when it read them).
enum Check : int { kBasic = 0, kFull = 1, kFullDictionariesChecked = 2 };
/// Validates `data` and its children at `level` (validate.cc).
Status validate_array_data(const ArrayData& data, Check level);

/// Array::validate_full() without validating the values of dictionaries again (their
/// indices are still checked against their length): for the IPC reader, which validated
/// each dictionary when it read it (a batch per delta would otherwise revalidate the whole
/// dictionary each time: quadratic).
Status validate_full_but_dictionaries(const Array& array);

/// Whether values of `type` can be compared by their bytes (fixed-width but bool, binary-like).
inline bool has_value_bytes(const DataType& type) {
  return type.is_binary_like() || (type.byte_width() > 0 && type.id() != TypeId::kDictionary);
}

/// The bytes of value i of an array of such a type.
inline std::string_view value_bytes(const Array& a, std::int64_t i) {
  if (a.type()->is_binary_like() || a.type_id() == TypeId::kFixedSizeBinary) return a.string_view(i);
  const std::int64_t w = a.type()->byte_width();
  return {reinterpret_cast<const char*>(a.buffer(1)->data()) + (a.offset() + i) * w, static_cast<std::size_t>(w)};
}

/// The largest index `index_type` (an integer type) can hold.
inline std::int64_t max_dictionary_index(const DataType& index_type) {
  const std::int64_t bits = index_type.bit_width() - (index_type.is_signed_integer() ? 1 : 0);
  return bits >= 63 ? INT64_MAX : (std::int64_t{1} << bits) - 1;
}

/// Stores index `v` (which fits the index type) as element i of `width`-byte indices.
inline void store_index(std::uint8_t* out, std::int64_t width, std::int64_t i, std::int64_t v) {
  std::memcpy(out + i * width, &v, static_cast<std::size_t>(width));  // the low bytes: little-endian host
}

/// Whether a[i] and b[j] (arrays of the same type) are equal, nulls included; no allocation.
bool values_equal(const Array& a, std::int64_t i, const Array& b, std::int64_t j);

/// Run end k of a run_ends array (int16, int32 or int64).
inline std::int64_t run_end_at(const Array& run_ends, std::int64_t k) { return load_run_end(*run_ends.data(), k); }

}  // namespace arrowpack::internal

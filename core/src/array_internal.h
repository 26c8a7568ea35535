// Helpers shared by the array code and the IPC writer.
#pragma once

#include <climits>
#include <cstring>
#include <string_view>

#include "arrowpack/core/array.h"

namespace arrowpack::internal {

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
inline std::int64_t run_end_at(const Array& run_ends, std::int64_t k) {
  switch (run_ends.type_id()) {
    case TypeId::kInt16: return run_ends.value<std::int16_t>(k);
    case TypeId::kInt32: return run_ends.value<std::int32_t>(k);
    default: return run_ends.value<std::int64_t>(k);
  }
}

}  // namespace arrowpack::internal

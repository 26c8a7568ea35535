// What each Arrow type is, in one table: its buffers (as nanoarrow's ArrowLayout lists
// them), its children, its value width, its name and its C data interface format, and the
// categories it belongs to. And visit_type(), which calls a visitor with a compile-time tag of
// a type's id (Arrow C++'s VisitTypeInline): a visitor without an overload for some type does
// not compile.
//
// Every piece of per-type knowledge in arrowpack reads this table or dispatches through a
// visitor or an exhaustive switch (built with -Werror=switch): a type that is added to
// ARROWPACK_FOR_EACH_TYPE_ID but not to type_info_row() below fails to compile, and so does
// every switch that does not handle it yet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "arrowpack/core/type_fwd.h"

namespace arrowpack {

/// What one buffer slot of an array (ArrayData::buffers) holds.
enum class BufferKind : std::uint8_t {
  kAbsent,        ///< a slot kept so that slot numbers agree across types; always null (slot 0
                  ///< of null, union and run-end-encoded arrays, which have no validity bitmap)
  kValidity,      ///< one bit per slot, least significant first; null when there are no nulls
  kBits,          ///< boolean values, one bit per slot
  kValues,        ///< fixed-width values: TypeInfo::bit_width bits each (fixed_size() bytes for
                  ///< fixed_size_binary, the index type's width for dictionaries)
  kOffsets32,     ///< length + 1 int32 offsets into the data buffer or the child
  kOffsets64,     ///< the same, int64
  kData,          ///< the bytes that the offsets delimit
  kTypeIds,       ///< int8 union type codes, one per slot
  kUnionOffsets,  ///< int32 offsets of a dense union's slots into their child
  kViews,         ///< 16-byte views: length, then the bytes inline or prefix, buffer, offset
  kSizes32,       ///< int32 list view sizes
  kSizes64,       ///< int64 list view sizes
};

/// The children an array of a type has.
enum class ChildLayout : std::uint8_t {
  kNone,     ///< no child
  kOne,      ///< one child of values (lists, list views, maps, fixed_size_list)
  kFields,   ///< one child per field (struct, unions)
  kRunEnds,  ///< run_ends then values (run_end_encoded)
};

/// Categories a type belongs to (bits of TypeInfo::categories).
enum TypeCategory : std::uint32_t {
  kIntegerCategory = 1u << 0,       ///< int8 ... uint64
  kSignedCategory = 1u << 1,        ///< int8 ... int64
  kFloatingCategory = 1u << 2,      ///< halffloat, float, double
  kTemporalCategory = 1u << 3,      ///< dates, times, timestamps, durations
  kDecimalCategory = 1u << 4,       ///< decimal32 ... decimal256
  kIntervalCategory = 1u << 5,      ///< the three intervals
  kBinaryLikeCategory = 1u << 6,    ///< string, large_string, binary, large_binary: offsets + data
  kStringCategory = 1u << 7,        ///< string, large_string
  kUtf8Category = 1u << 8,          ///< values must be UTF-8: string, large_string, string_view
  kLargeOffsetsCategory = 1u << 9,  ///< 64-bit offsets: large_string, large_binary, large_list(_view)
  kListLikeCategory = 1u << 10,     ///< list, large_list, map: offsets into one child
  kListViewCategory = 1u << 11,     ///< list_view, large_list_view
  kUnionCategory = 1u << 12,        ///< sparse_union, dense_union
  kBinaryViewCategory = 1u << 13,   ///< binary_view, string_view
  kParametricCategory = 1u << 14,   ///< name and format need the type's parameters or children
  kNumericCategory = 1u << 15,      ///< integers and floating point: the values of a Tensor
};

/// TypeInfo::swap_width of month_day_nano_interval: two int32 then an int64 per value.
inline constexpr std::int8_t kMixedIntervalUnits = -1;

/// One row of the table: what arrays of a type are made of.
struct TypeInfo {
  TypeId id = TypeId::kNull;
  /// DataType::to_string() of a parameter-free type; the base name of a parametric one
  /// ("fixed_size_binary", "timestamp").
  std::string_view name;
  /// Buffer slots of an ArrayData (binary views: the fixed ones; variadic data buffers follow).
  std::int8_t num_buffers = 0;
  std::array<BufferKind, 3> buffers{};
  /// Binary and string views: data buffers follow the fixed slots, as many as the array needs.
  bool variadic_buffers = false;
  ChildLayout children = ChildLayout::kNone;
  /// Bits per value of fixed-width types (bool: 1); 0 for the others and for the widths that
  /// depend on parameters (fixed_size_binary, dictionary).
  std::int16_t bit_width = 0;
  /// The Arrow C data interface format: the whole of it for a parameter-free type, the part
  /// before the parameters for the others ("w:", "tss:" is "ts" + unit + ":" + zone); empty
  /// for dictionaries, whose format is their index type's.
  std::string_view c_format;
  std::uint32_t categories = 0;
  /// Byte order: a kValues buffer is converted by reversing each unit of this many bytes (0:
  /// nothing to convert, as for bytes and fixed_size_binary; dictionaries: their index
  /// type's). kMixedIntervalUnits for month_day_nano_interval (int32, int32, int64).
  std::int8_t swap_width = 0;

  constexpr bool is(std::uint32_t category) const { return (categories & category) != 0; }
  /// Whether slot 0 is a validity bitmap.
  constexpr bool has_validity() const { return buffers[0] == BufferKind::kValidity; }
};

namespace detail {
constexpr TypeInfo row(TypeId id, std::string_view name, std::int8_t num_buffers, std::array<BufferKind, 3> buffers,
                       ChildLayout children, std::int16_t bit_width, std::string_view c_format,
                       std::uint32_t categories, bool variadic = false) {
  TypeInfo r;
  r.id = id;
  r.name = name;
  r.num_buffers = num_buffers;
  r.buffers = buffers;
  r.variadic_buffers = variadic;
  r.children = children;
  r.bit_width = bit_width;
  r.c_format = c_format;
  r.categories = categories;
  r.swap_width = buffers[1] == BufferKind::kValues && bit_width >= 16 ? static_cast<std::int8_t>(bit_width / 8) : 0;
  return r;
}
constexpr TypeInfo with_swap_width(TypeInfo r, std::int8_t width) {
  r.swap_width = width;
  return r;
}
}  // namespace detail

/// The row of `id`. The switch names every id and has no default: an id without a row makes
/// kTypeInfos below fail to compile (a constexpr function that flows off its end).
constexpr TypeInfo type_info_row(TypeId id) {
  using B = BufferKind;
  using C = ChildLayout;
  using detail::row;
  constexpr B V = B::kValidity, X = B::kAbsent, N = B::kValues;
  constexpr std::uint32_t kInt = kIntegerCategory | kNumericCategory, kSInt = kInt | kSignedCategory,
                          kFloat = kFloatingCategory | kNumericCategory, kP = kParametricCategory;
  switch (id) {
    case TypeId::kNull: return row(id, "null", 1, {X}, C::kNone, 0, "n", 0);
    case TypeId::kBool: return row(id, "bool", 2, {V, B::kBits}, C::kNone, 1, "b", 0);
    case TypeId::kInt8: return row(id, "int8", 2, {V, N}, C::kNone, 8, "c", kSInt);
    case TypeId::kInt16: return row(id, "int16", 2, {V, N}, C::kNone, 16, "s", kSInt);
    case TypeId::kInt32: return row(id, "int32", 2, {V, N}, C::kNone, 32, "i", kSInt);
    case TypeId::kInt64: return row(id, "int64", 2, {V, N}, C::kNone, 64, "l", kSInt);
    case TypeId::kUInt8: return row(id, "uint8", 2, {V, N}, C::kNone, 8, "C", kInt);
    case TypeId::kUInt16: return row(id, "uint16", 2, {V, N}, C::kNone, 16, "S", kInt);
    case TypeId::kUInt32: return row(id, "uint32", 2, {V, N}, C::kNone, 32, "I", kInt);
    case TypeId::kUInt64: return row(id, "uint64", 2, {V, N}, C::kNone, 64, "L", kInt);
    case TypeId::kHalfFloat: return row(id, "halffloat", 2, {V, N}, C::kNone, 16, "e", kFloat);
    case TypeId::kFloat: return row(id, "float", 2, {V, N}, C::kNone, 32, "f", kFloat);
    case TypeId::kDouble: return row(id, "double", 2, {V, N}, C::kNone, 64, "g", kFloat);
    case TypeId::kString:
      return row(id, "string", 3, {V, B::kOffsets32, B::kData}, C::kNone, 0, "u",
                 kBinaryLikeCategory | kStringCategory | kUtf8Category);
    case TypeId::kLargeString:
      return row(id, "large_string", 3, {V, B::kOffsets64, B::kData}, C::kNone, 0, "U",
                 kBinaryLikeCategory | kStringCategory | kUtf8Category | kLargeOffsetsCategory);
    case TypeId::kBinary:
      return row(id, "binary", 3, {V, B::kOffsets32, B::kData}, C::kNone, 0, "z", kBinaryLikeCategory);
    case TypeId::kLargeBinary:
      return row(id, "large_binary", 3, {V, B::kOffsets64, B::kData}, C::kNone, 0, "Z",
                 kBinaryLikeCategory | kLargeOffsetsCategory);
    case TypeId::kFixedSizeBinary: return row(id, "fixed_size_binary", 2, {V, N}, C::kNone, 0, "w:", kP);
    case TypeId::kDate32: return row(id, "date32[day]", 2, {V, N}, C::kNone, 32, "tdD", kTemporalCategory);
    case TypeId::kDate64: return row(id, "date64[ms]", 2, {V, N}, C::kNone, 64, "tdm", kTemporalCategory);
    case TypeId::kTime32: return row(id, "time32", 2, {V, N}, C::kNone, 32, "tt", kTemporalCategory | kP);
    case TypeId::kTime64: return row(id, "time64", 2, {V, N}, C::kNone, 64, "tt", kTemporalCategory | kP);
    case TypeId::kTimestamp: return row(id, "timestamp", 2, {V, N}, C::kNone, 64, "ts", kTemporalCategory | kP);
    case TypeId::kDuration: return row(id, "duration", 2, {V, N}, C::kNone, 64, "tD", kTemporalCategory | kP);
    case TypeId::kList: return row(id, "list", 2, {V, B::kOffsets32}, C::kOne, 0, "+l", kListLikeCategory | kP);
    case TypeId::kLargeList:
      return row(id, "large_list", 2, {V, B::kOffsets64}, C::kOne, 0, "+L",
                 kListLikeCategory | kLargeOffsetsCategory | kP);
    case TypeId::kFixedSizeList: return row(id, "fixed_size_list", 1, {V}, C::kOne, 0, "+w:", kP);
    case TypeId::kStruct: return row(id, "struct", 1, {V}, C::kFields, 0, "+s", kP);
    case TypeId::kMap: return row(id, "map", 2, {V, B::kOffsets32}, C::kOne, 0, "+m", kListLikeCategory | kP);
    case TypeId::kSparseUnion:
      return row(id, "sparse_union", 2, {X, B::kTypeIds}, C::kFields, 0, "+us:", kUnionCategory | kP);
    case TypeId::kDenseUnion:
      return row(id, "dense_union", 3, {X, B::kTypeIds, B::kUnionOffsets}, C::kFields, 0, "+ud:", kUnionCategory | kP);
    case TypeId::kDecimal32: return row(id, "decimal32", 2, {V, N}, C::kNone, 32, "d:", kDecimalCategory | kP);
    case TypeId::kDecimal64: return row(id, "decimal64", 2, {V, N}, C::kNone, 64, "d:", kDecimalCategory | kP);
    case TypeId::kDecimal128: return row(id, "decimal128", 2, {V, N}, C::kNone, 128, "d:", kDecimalCategory | kP);
    case TypeId::kDecimal256: return row(id, "decimal256", 2, {V, N}, C::kNone, 256, "d:", kDecimalCategory | kP);
    case TypeId::kIntervalMonths: return row(id, "month_interval", 2, {V, N}, C::kNone, 32, "tiM", kIntervalCategory);
    case TypeId::kIntervalDayTime:  // two int32
      return detail::with_swap_width(row(id, "day_time_interval", 2, {V, N}, C::kNone, 64, "tiD", kIntervalCategory),
                                     4);
    case TypeId::kIntervalMonthDayNano:
      return detail::with_swap_width(
          row(id, "month_day_nano_interval", 2, {V, N}, C::kNone, 128, "tin", kIntervalCategory), kMixedIntervalUnits);
    case TypeId::kDictionary: return row(id, "dictionary", 2, {V, N}, C::kNone, 0, "", kP);
    case TypeId::kBinaryView:
      return row(id, "binary_view", 2, {V, B::kViews}, C::kNone, 0, "vz", kBinaryViewCategory, true);
    case TypeId::kStringView:
      return row(id, "string_view", 2, {V, B::kViews}, C::kNone, 0, "vu", kBinaryViewCategory | kUtf8Category, true);
    case TypeId::kListView:
      return row(id, "list_view", 3, {V, B::kOffsets32, B::kSizes32}, C::kOne, 0, "+vl", kListViewCategory | kP);
    case TypeId::kLargeListView:
      return row(id, "large_list_view", 3, {V, B::kOffsets64, B::kSizes64}, C::kOne, 0, "+vL",
                 kListViewCategory | kLargeOffsetsCategory | kP);
    case TypeId::kRunEndEncoded: return row(id, "run_end_encoded", 1, {X}, C::kRunEnds, 0, "+r", kP);
  }
}

/// The table: kTypeInfos[i] is the row of TypeId i.
inline constexpr std::array<TypeInfo, kNumTypeIds> kTypeInfos = [] {
  std::array<TypeInfo, kNumTypeIds> table{};
  for (int i = 0; i < kNumTypeIds; ++i) table[static_cast<std::size_t>(i)] = type_info_row(static_cast<TypeId>(i));
  return table;
}();

/// The row of `id`. Constant time; thread-safe (the table is constant).
constexpr const TypeInfo& type_info(TypeId id) { return kTypeInfos[static_cast<std::size_t>(id)]; }

/// The types without parameters or children (their rows lack kParametricCategory): one
/// instance each (parameter_free_type()), named and formatted by their row alone.
#define ARROWPACK_FOR_EACH_PARAMETER_FREE_TYPE_ID(X)                                                                  \
  X(Null)                                                                                                             \
  X(Bool)                                                                                                             \
  X(Int8) X(Int16) X(Int32) X(Int64) X(UInt8) X(UInt16) X(UInt32) X(UInt64) X(HalfFloat) X(Float) X(Double) X(String) \
      X(LargeString) X(Binary) X(LargeBinary) X(Date32) X(Date64) X(IntervalMonths) X(IntervalDayTime)                \
          X(IntervalMonthDayNano) X(BinaryView) X(StringView)

/// The case labels of the parameter-free types, for a switch that names every id:
/// `ARROWPACK_PARAMETER_FREE_CASES return std::string(info.name);`.
#define ARROWPACK_PARAMETER_FREE_CASE(name) case TypeId::k##name:
#define ARROWPACK_PARAMETER_FREE_CASES ARROWPACK_FOR_EACH_PARAMETER_FREE_TYPE_ID(ARROWPACK_PARAMETER_FREE_CASE)

namespace detail {
constexpr bool in_parameter_free_list(TypeId id) {
#define ARROWPACK_PARAMETER_FREE_MATCH(name) id == TypeId::k##name ||
  return ARROWPACK_FOR_EACH_PARAMETER_FREE_TYPE_ID(ARROWPACK_PARAMETER_FREE_MATCH) false;
#undef ARROWPACK_PARAMETER_FREE_MATCH
}
constexpr bool parameter_free_list_matches_table() {
  for (const TypeInfo& row : kTypeInfos) {
    if (row.is(kParametricCategory) == in_parameter_free_list(row.id)) return false;
  }
  return true;
}
static_assert(parameter_free_list_matches_table(),
              "ARROWPACK_FOR_EACH_PARAMETER_FREE_TYPE_ID must list exactly the rows without kParametricCategory");
}  // namespace detail

/// The case labels of the FIXED types of ARROWPACK_FOR_EACH_TYPE_ID (a validity bitmap and
/// fixed-width values that are compared, copied and byte-swapped as whole values), for a
/// switch that names every id: `ARROWPACK_FIXED_WIDTH_CASES return copy_values(...);`.
#define ARROWPACK_CASE_IF_FIXED(name) case TypeId::k##name:
#define ARROWPACK_CASE_IF_OTHER(name)
#define ARROWPACK_FIXED_WIDTH_CASE(name, kind) ARROWPACK_CASE_IF_##kind(name)
#define ARROWPACK_FIXED_WIDTH_CASES ARROWPACK_FOR_EACH_TYPE_ID(ARROWPACK_FIXED_WIDTH_CASE)

namespace detail {
constexpr bool in_fixed_width_list(TypeId id) {
#define ARROWPACK_MATCH_IF_FIXED(name) id == TypeId::k##name ||
#define ARROWPACK_MATCH_IF_OTHER(name)
#define ARROWPACK_FIXED_WIDTH_MATCH(name, kind) ARROWPACK_MATCH_IF_##kind(name)
  return ARROWPACK_FOR_EACH_TYPE_ID(ARROWPACK_FIXED_WIDTH_MATCH) false;
#undef ARROWPACK_FIXED_WIDTH_MATCH
#undef ARROWPACK_MATCH_IF_OTHER
#undef ARROWPACK_MATCH_IF_FIXED
}
constexpr bool fixed_width_list_matches_table() {
  for (const TypeInfo& row : kTypeInfos) {
    const bool values = row.buffers[1] == BufferKind::kValues && row.id != TypeId::kDictionary;
    if (values != in_fixed_width_list(row.id)) return false;
  }
  return true;
}
static_assert(fixed_width_list_matches_table(),
              "the FIXED types of ARROWPACK_FOR_EACH_TYPE_ID must be exactly those of fixed-width values");
}  // namespace detail

namespace detail {
template <TypeId Id>
struct CTypeOf {
  using type = void;
};
#define ARROWPACK_C_TYPE(name, c)   \
  template <>                       \
  struct CTypeOf<TypeId::k##name> { \
    using type = c;                 \
  };
ARROWPACK_C_TYPE(Bool, bool)
ARROWPACK_C_TYPE(Int8, std::int8_t)
ARROWPACK_C_TYPE(Int16, std::int16_t)
ARROWPACK_C_TYPE(Int32, std::int32_t)
ARROWPACK_C_TYPE(Int64, std::int64_t)
ARROWPACK_C_TYPE(UInt8, std::uint8_t)
ARROWPACK_C_TYPE(UInt16, std::uint16_t)
ARROWPACK_C_TYPE(UInt32, std::uint32_t)
ARROWPACK_C_TYPE(UInt64, std::uint64_t)
ARROWPACK_C_TYPE(HalfFloat, std::uint16_t)  // the bits of an IEEE half (half_float.h converts)
ARROWPACK_C_TYPE(Float, float)
ARROWPACK_C_TYPE(Double, double)
ARROWPACK_C_TYPE(Date32, std::int32_t)
ARROWPACK_C_TYPE(Date64, std::int64_t)
ARROWPACK_C_TYPE(Time32, std::int32_t)
ARROWPACK_C_TYPE(Time64, std::int64_t)
ARROWPACK_C_TYPE(Timestamp, std::int64_t)
ARROWPACK_C_TYPE(Duration, std::int64_t)
ARROWPACK_C_TYPE(IntervalMonths, std::int32_t)
ARROWPACK_C_TYPE(Decimal32, std::int32_t)
ARROWPACK_C_TYPE(Decimal64, std::int64_t)
#undef ARROWPACK_C_TYPE
}  // namespace detail

/// The compile-time tag of one type id, which visit_type() hands to visitors: `Id`, its row,
/// and `c_type`, the C++ type of one value where there is one (void for the others).
template <TypeId Id>
struct TypeTraits {
  static constexpr TypeId id = Id;
  static constexpr const TypeInfo& info = kTypeInfos[static_cast<std::size_t>(Id)];
  using c_type = typename detail::CTypeOf<Id>::type;
};

/// Calls `visitor(TypeTraits<id>{})` and returns what it returns (the same type for every
/// id). A visitor that is an overload set with no overload for some id does not compile;
/// a generic one dispatches on the tag with `if constexpr`. The id must be a TypeId
/// enumerator (every id arrowpack makes is): anything else aborts.
template <typename Visitor>
constexpr decltype(auto) visit_type_id(TypeId id, Visitor&& visitor) {
  switch (id) {
#define ARROWPACK_VISIT_TYPE_ID_CASE(name, kind) \
  case TypeId::k##name: return std::forward<Visitor>(visitor)(TypeTraits<TypeId::k##name>{});
    ARROWPACK_FOR_EACH_TYPE_ID(ARROWPACK_VISIT_TYPE_ID_CASE)
#undef ARROWPACK_VISIT_TYPE_ID_CASE
  }
  std::abort();  // not a TypeId enumerator: memory was corrupted
}

}  // namespace arrowpack

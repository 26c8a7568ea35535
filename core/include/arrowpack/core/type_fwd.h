// The list of Arrow types arrowpack handles, and the TypeId enum made from it. Adding a type
// starts here (CONTRIBUTING.md, "How to add a type"): the compiler then points at the table
// row (type_traits.h) and at every visitor and switch that does not handle it yet.
#pragma once

#include <cstdint>

namespace arrowpack {

/// Every type, in TypeId order: X(Name, Kind) for each TypeId::kName. Kind is FIXED for the
/// types whose arrays are a validity bitmap and fixed-width values that are compared, copied
/// and byte-swapped as whole values (BufferKind::kValues; type_traits.h checks it against the
/// table), OTHER for the rest. New ids go at the end, so that the values of the older ones
/// (which singletons index) do not change.
#define ARROWPACK_FOR_EACH_TYPE_ID(X) \
  X(Null, OTHER)                      \
  X(Bool, OTHER)                      \
  X(Int8, FIXED)                      \
  X(Int16, FIXED)                     \
  X(Int32, FIXED)                     \
  X(Int64, FIXED)                     \
  X(UInt8, FIXED)                     \
  X(UInt16, FIXED)                    \
  X(UInt32, FIXED)                    \
  X(UInt64, FIXED)                    \
  X(HalfFloat, FIXED)                 \
  X(Float, FIXED)                     \
  X(Double, FIXED)                    \
  X(String, OTHER)                    \
  X(LargeString, OTHER)               \
  X(Binary, OTHER)                    \
  X(LargeBinary, OTHER)               \
  X(FixedSizeBinary, FIXED)           \
  X(Date32, FIXED)                    \
  X(Date64, FIXED)                    \
  X(Time32, FIXED)                    \
  X(Time64, FIXED)                    \
  X(Timestamp, FIXED)                 \
  X(Duration, FIXED)                  \
  X(List, OTHER)                      \
  X(LargeList, OTHER)                 \
  X(FixedSizeList, OTHER)             \
  X(Struct, OTHER)                    \
  X(Map, OTHER)                       \
  X(SparseUnion, OTHER)               \
  X(DenseUnion, OTHER)                \
  X(Decimal32, FIXED)                 \
  X(Decimal64, FIXED)                 \
  X(Decimal128, FIXED)                \
  X(Decimal256, FIXED)                \
  X(IntervalMonths, FIXED)            \
  X(IntervalDayTime, FIXED)           \
  X(IntervalMonthDayNano, FIXED)      \
  X(Dictionary, OTHER)                \
  X(BinaryView, OTHER)                \
  X(StringView, OTHER)                \
  X(ListView, OTHER)                  \
  X(LargeListView, OTHER)             \
  X(RunEndEncoded, OTHER)

/// The Arrow types arrowpack handles. Values are arrowpack's own (not the flatbuffer ids).
enum class TypeId : std::int8_t {
#define ARROWPACK_TYPE_ID_ENUMERATOR(name, kind) k##name,
  ARROWPACK_FOR_EACH_TYPE_ID(ARROWPACK_TYPE_ID_ENUMERATOR)
#undef ARROWPACK_TYPE_ID_ENUMERATOR
};

/// How many TypeIds there are.
inline constexpr int kNumTypeIds = 0
#define ARROWPACK_TYPE_ID_COUNT(name, kind) +1
    ARROWPACK_FOR_EACH_TYPE_ID(ARROWPACK_TYPE_ID_COUNT);
#undef ARROWPACK_TYPE_ID_COUNT

class DataType;
class Field;
class Schema;

}  // namespace arrowpack

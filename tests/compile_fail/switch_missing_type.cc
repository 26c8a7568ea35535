// Must NOT compile: a switch on TypeId without a default that forgets one id (here
// kRunEndEncoded). arrowpack's targets build with -Werror=switch (cmake/ArrowpackOptions.cmake),
// so a forgotten type is a compile error in every build.
#include "arrowpack/core/type.h"

namespace {
int has_values_buffer(arrowpack::TypeId id) {
  switch (id) {
    case arrowpack::TypeId::kNull:
    case arrowpack::TypeId::kBool:
    case arrowpack::TypeId::kInt8:
    case arrowpack::TypeId::kInt16:
    case arrowpack::TypeId::kInt32:
    case arrowpack::TypeId::kInt64:
    case arrowpack::TypeId::kUInt8:
    case arrowpack::TypeId::kUInt16:
    case arrowpack::TypeId::kUInt32:
    case arrowpack::TypeId::kUInt64:
    case arrowpack::TypeId::kHalfFloat:
    case arrowpack::TypeId::kFloat:
    case arrowpack::TypeId::kDouble:
    case arrowpack::TypeId::kString:
    case arrowpack::TypeId::kLargeString:
    case arrowpack::TypeId::kBinary:
    case arrowpack::TypeId::kLargeBinary:
    case arrowpack::TypeId::kFixedSizeBinary:
    case arrowpack::TypeId::kDate32:
    case arrowpack::TypeId::kDate64:
    case arrowpack::TypeId::kTime32:
    case arrowpack::TypeId::kTime64:
    case arrowpack::TypeId::kTimestamp:
    case arrowpack::TypeId::kDuration:
    case arrowpack::TypeId::kList:
    case arrowpack::TypeId::kLargeList:
    case arrowpack::TypeId::kFixedSizeList:
    case arrowpack::TypeId::kStruct:
    case arrowpack::TypeId::kMap:
    case arrowpack::TypeId::kSparseUnion:
    case arrowpack::TypeId::kDenseUnion:
    case arrowpack::TypeId::kDecimal32:
    case arrowpack::TypeId::kDecimal64:
    case arrowpack::TypeId::kDecimal128:
    case arrowpack::TypeId::kDecimal256:
    case arrowpack::TypeId::kIntervalMonths:
    case arrowpack::TypeId::kIntervalDayTime:
    case arrowpack::TypeId::kIntervalMonthDayNano:
    case arrowpack::TypeId::kDictionary:
    case arrowpack::TypeId::kBinaryView:
    case arrowpack::TypeId::kStringView:
    case arrowpack::TypeId::kListView:
    case arrowpack::TypeId::kLargeListView: return 1;
  }
  return 0;
}
}  // namespace

int main() { return has_values_buffer(arrowpack::TypeId::kInt32); }

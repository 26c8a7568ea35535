// The one table of the structure's union children: pyarrow's PythonType codes, each with
// the name of its union child (the code's decimal string), the Value kind it decodes to,
// and the layout of its child array. Every switch over tags in the registry reads it.
#pragma once

#include <cstdint>
#include <string_view>

#include "arrowpack/core/type.h"
#include "arrowpack/core/type_traits.h"
#include "arrowpack/registry/value.h"

namespace arrowpack::registry_internal {

/// pyarrow's PythonType codes: the decimal string of each is the name of the union child.
enum Tag : std::int8_t {
  kNone = 0,
  kBool = 1,
  kInt = 2,
  kPy2Int = 3,
  kBytes = 4,
  kString = 5,
  kHalf = 6,
  kFloat = 7,
  kDouble = 8,
  kDate64 = 9,
  kList = 10,
  kDict = 11,
  kTuple = 12,
  kSet = 13,
  kTensor = 14,
  kNdarray = 15,
  kBuffer = 16,
  kSparseCoo = 17,
  kSparseCsr = 18,
  kSparseCsc = 19,
  kSparseCsf = 20,
  kNumTags = 21,
};

/// How a tag's child array is laid out.
enum class Layout : std::uint8_t {
  kNull,      ///< null: no buffers
  kBool,      ///< bool: a bitmap
  kFixed,     ///< fixed-width values (`width` bytes each)
  kText,      ///< int32 offsets + bytes (utf8 or binary)
  kSequence,  ///< list<dense_union>
  kDict,      ///< list<struct<keys: dense_union, vals: dense_union>>
  kIndex,     ///< int32 index into one of the out-of-band lists
};

struct TagInfo {
  std::string_view name;  ///< the union child's field name
  Value::Kind kind;
  Layout layout;
  std::int8_t width;  ///< bytes per value for kFixed and kIndex
  TypeId type;        ///< the child array's type (kList for sequences and dicts)
};

inline constexpr TagInfo kTags[kNumTags] = {
    {"0", Value::Kind::kNone, Layout::kNull, 0, TypeId::kNull},
    {"1", Value::Kind::kBool, Layout::kBool, 0, TypeId::kBool},
    {"2", Value::Kind::kInt, Layout::kFixed, 8, TypeId::kInt64},
    {"3", Value::Kind::kInt, Layout::kFixed, 8, TypeId::kInt64},
    {"4", Value::Kind::kBytes, Layout::kText, 0, TypeId::kBinary},
    {"5", Value::Kind::kString, Layout::kText, 0, TypeId::kString},
    {"6", Value::Kind::kHalf, Layout::kFixed, 2, TypeId::kHalfFloat},
    {"7", Value::Kind::kFloat, Layout::kFixed, 4, TypeId::kFloat},
    {"8", Value::Kind::kDouble, Layout::kFixed, 8, TypeId::kDouble},
    {"9", Value::Kind::kDate64, Layout::kFixed, 8, TypeId::kDate64},
    {"10", Value::Kind::kList, Layout::kSequence, 0, TypeId::kList},
    {"11", Value::Kind::kDict, Layout::kDict, 0, TypeId::kList},
    {"12", Value::Kind::kTuple, Layout::kSequence, 0, TypeId::kList},
    {"13", Value::Kind::kSet, Layout::kSequence, 0, TypeId::kList},
    {"14", Value::Kind::kTensor, Layout::kIndex, 4, TypeId::kInt32},
    {"15", Value::Kind::kNdarray, Layout::kIndex, 4, TypeId::kInt32},
    {"16", Value::Kind::kBuffer, Layout::kIndex, 4, TypeId::kInt32},
    {"17", Value::Kind::kSparseTensor, Layout::kIndex, 4, TypeId::kInt32},
    {"18", Value::Kind::kSparseTensor, Layout::kIndex, 4, TypeId::kInt32},
    {"19", Value::Kind::kSparseTensor, Layout::kIndex, 4, TypeId::kInt32},
    {"20", Value::Kind::kSparseTensor, Layout::kIndex, 4, TypeId::kInt32},
};

inline const TagInfo& tag_info(std::int8_t tag) { return kTags[tag]; }
inline bool is_tag(int tag) { return tag >= 0 && tag < kNumTags; }

/// Every leaf child's type has no parameters (sequences and dicts are lists built from
/// their items), so core's one instance of it is the type.
constexpr bool leaf_types_are_parameter_free() {
  for (const TagInfo& t : kTags) {
    const bool nested = t.layout == Layout::kSequence || t.layout == Layout::kDict;
    if (nested ? t.type != TypeId::kList : type_info(t.type).is(kParametricCategory)) return false;
  }
  return true;
}
static_assert(leaf_types_are_parameter_free(), "a tag's leaf type must be parameter-free");

/// The type of a leaf child (every layout but kSequence and kDict).
inline DataTypePtr leaf_type(std::int8_t tag) { return parameter_free_type(kTags[tag].type); }

}  // namespace arrowpack::registry_internal

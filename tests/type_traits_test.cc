// The table of layouts (type_traits.h) against real arrays of every type, and visit_type():
// one tag per id, dispatched to the right overload.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;

namespace {

// Every id that occurs in `d`, its children and its dictionary.
void collect_ids(const ArrayData& d, std::set<TypeId>* ids) {
  ids->insert(d.type->id());
  for (const auto& c : d.children) collect_ids(*c, ids);
  if (d.dictionary) collect_ids(*d.dictionary, ids);
}

// What the table says of `d`'s type, checked against the array itself.
void check_layout(const ArrayData& d) {
  const TypeInfo& info = d.type->info();
  INFO(d.type->to_string());
  CHECK(info.id == d.type->id());
  if (info.variadic_buffers) {
    CHECK(static_cast<int>(d.buffers.size()) >= info.num_buffers);
  } else {
    CHECK(static_cast<int>(d.buffers.size()) == info.num_buffers);
  }
  for (int slot = 0; slot < info.num_buffers; ++slot) {
    if (info.buffers[static_cast<std::size_t>(slot)] == BufferKind::kAbsent) CHECK(d.buffers[slot] == nullptr);
  }
  switch (info.children) {
    case ChildLayout::kNone: CHECK(d.children.empty()); break;
    case ChildLayout::kOne: CHECK(d.children.size() == 1); break;
    case ChildLayout::kFields: CHECK(static_cast<int>(d.children.size()) == d.type->num_fields()); break;
    case ChildLayout::kRunEnds: CHECK(d.children.size() == 2); break;
  }
  if (!info.is(kParametricCategory)) CHECK(d.type->to_string() == info.name);
  if (d.type->id() != TypeId::kFixedSizeBinary && d.type->id() != TypeId::kDictionary) {
    CHECK(d.type->bit_width() == info.bit_width);
  }
  for (const auto& c : d.children) check_layout(*c);
  if (d.dictionary) check_layout(*d.dictionary);
}

// An overload per tag that matters and one for the rest: visit_type picks by id.
struct NameOf {
  std::string operator()(TypeTraits<TypeId::kInt32>) const { return "int32 tag"; }
  std::string operator()(TypeTraits<TypeId::kStruct>) const { return "struct tag"; }
  template <TypeId Id>
  std::string operator()(TypeTraits<Id>) const {
    return std::string(TypeTraits<Id>::info.name);
  }
};

}  // namespace

TEST_CASE("the layout table describes the arrays of every type") {
  std::set<TypeId> seen;
  for (const auto& [name, batch] : arrowpack::testing::batches_per_type()) {
    INFO(name);
    for (const auto& column : batch->columns()) {
      REQUIRE(column.validate_full().ok());
      collect_ids(*column.data(), &seen);
      check_layout(*column.data());
    }
  }
  // The sample set holds every type: a type added without a sample fails here.
  for (int i = 0; i < kNumTypeIds; ++i) {
    INFO(type_info(static_cast<TypeId>(i)).name);
    CHECK(seen.count(static_cast<TypeId>(i)) == 1);
  }
}

TEST_CASE("the layout table: one row per id, in id order, with the categories of type.h") {
  for (int i = 0; i < kNumTypeIds; ++i) {
    const TypeInfo& row = type_info(static_cast<TypeId>(i));
    INFO(row.name);
    CHECK(static_cast<int>(row.id) == i);
    CHECK(!row.name.empty());
    CHECK((row.num_buffers >= 1 && row.num_buffers <= 3));
    // Dictionaries take their format from their index type; everything else has one.
    CHECK(row.c_format.empty() == (row.id == TypeId::kDictionary));
    if (row.is(kStringCategory)) CHECK(row.is(kBinaryLikeCategory));
    if (row.is(kSignedCategory)) CHECK(row.is(kIntegerCategory));
    if (row.is(kIntegerCategory) || row.is(kFloatingCategory)) CHECK(row.is(kNumericCategory));
  }
  CHECK(type_info(TypeId::kLargeListView).is(kLargeOffsetsCategory));
  CHECK(type_info(TypeId::kDenseUnion).buffers[2] == BufferKind::kUnionOffsets);
  CHECK(!type_info(TypeId::kSparseUnion).has_validity());
  CHECK(type_info(TypeId::kIntervalMonthDayNano).swap_width == kMixedIntervalUnits);
}

TEST_CASE("parameter_free_type: one instance per type without parameters, the factories' own") {
  int count = 0;
  for (int i = 0; i < kNumTypeIds; ++i) {
    const TypeId id = static_cast<TypeId>(i);
    INFO(type_info(id).name);
    const DataTypePtr t = parameter_free_type(id);
    CHECK((t == nullptr) == type_info(id).is(kParametricCategory));
    if (t == nullptr) continue;
    ++count;
    CHECK(t->id() == id);
    CHECK(t->to_string() == type_info(id).name);
    CHECK(t.get() == parameter_free_type(id).get());
  }
  CHECK(count == 24);
  CHECK(parameter_free_type(TypeId::kInt32).get() == int32().get());
  CHECK(parameter_free_type(TypeId::kStringView).get() == utf8_view().get());
  CHECK(parameter_free_type(TypeId::kIntervalDayTime).get() == day_time_interval().get());
  CHECK(parameter_free_type(static_cast<TypeId>(kNumTypeIds)) == nullptr);
}

TEST_CASE("visit_type calls the visitor with the tag of the type's id") {
  CHECK(visit_type(*int32(), NameOf{}) == "int32 tag");
  CHECK(visit_type(*struct_({field("a", int8())}), NameOf{}) == "struct tag");
  CHECK(visit_type(*float64(), NameOf{}) == "double");
  CHECK(visit_type(*utf8(), [](auto tag) { return decltype(tag)::id; }) == TypeId::kString);
  // c_type is the C++ type of a value where there is one.
  auto width = [](auto tag) -> int {
    using T = typename decltype(tag)::c_type;
    if constexpr (std::is_void_v<T>) {
      return 0;
    } else {
      return static_cast<int>(sizeof(T));
    }
  };
  CHECK(visit_type(*int16(), width) == 2);
  CHECK(visit_type(*timestamp(TimeUnit::kNano), width) == 8);
  CHECK(visit_type(*list(int8()), width) == 0);
  // Every id dispatches, each to its own tag.
  for (int i = 0; i < kNumTypeIds; ++i) {
    CHECK(visit_type_id(static_cast<TypeId>(i), [](auto tag) { return static_cast<int>(decltype(tag)::id); }) == i);
  }
}

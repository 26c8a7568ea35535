// Must NOT compile: a visitor with an overload for every type but one. visit_type() calls it
// with the tag of every id, so the type it forgot is a compile error, not a silent default.
#include <cstdint>

#include "arrowpack/core/type.h"

namespace {
template <arrowpack::TypeId Id>
constexpr bool kForgotten = Id == arrowpack::TypeId::kRunEndEncoded;

struct AllButRunEndEncoded {
  template <arrowpack::TypeId Id>
  requires(!kForgotten<Id>) int operator()(arrowpack::TypeTraits<Id>) const { return static_cast<int>(Id); }
};
}  // namespace

int main() { return arrowpack::visit_type(*arrowpack::int32(), AllButRunEndEncoded{}); }

// Must NOT compile: an aggregate that opts out of Boost.PFR reflection, with no converter, no
// fields hook and no registration. ctest builds it and expects the readable static_assert.
#include "arrowpack/adapters/api.h"

struct Opted {
  int x = 0;
};
template <>
struct arrowpack::reflect_aggregate<Opted> : std::false_type {};

int main() {
  auto r = arrowpack::serialize(Opted{1});
  return r.ok() ? 0 : 1;
}

// Must NOT compile: a class that is neither convertible, nor a plain aggregate, nor declared
// registered. ctest builds it and expects the readable static_assert message.
#include "arrowpack/adapters/api.h"

class Opaque {
 public:
  explicit Opaque(int x) : x_(x) {}

 private:
  int x_;
};

int main() {
  auto r = arrowpack::serialize(Opaque(1));
  return r.ok() ? 0 : 1;
}

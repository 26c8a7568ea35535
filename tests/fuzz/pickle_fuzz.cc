// Fuzz target for the pickle walk of the Python package (python/src/pickle_scan.cc), which
// every pickle inside a blob passes before pandas_handlers.py unpickles it: any bytes give OK
// or Invalid, in time linear in their size, allocating nothing.
#include <cstdint>
#include <string_view>

#include "budget.h"
#include "pickle_scan.h"

namespace {
void run(const std::uint8_t* data, std::size_t size) {
  const arrowpack::Status st =
      arrowpack::python::check_pickle(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!st.ok() && !st.is_invalid()) __builtin_trap();  // the walk's only error is Invalid
}
}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  fuzz_budget::within_budget(size, "pickle_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"

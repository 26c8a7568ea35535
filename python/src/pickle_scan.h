// A walk over a pickle's opcodes that runs nothing (pickle_scan.cc). Plain C++ over core's
// Status, so that tests/fuzz/pickle_fuzz.cc can fuzz it outside the Python module.
#pragma once

#include <string_view>

#include "arrowpack/core/status.h"

namespace arrowpack::python {

/// Checks a pickle without running it: Invalid for an opcode pickle does not know, an
/// argument that runs past the bytes, a memo index at or beyond the number of opcodes before
/// it, or no STOP. Linear time, no allocation. Thread-safe.
Status check_pickle(std::string_view data);

}  // namespace arrowpack::python

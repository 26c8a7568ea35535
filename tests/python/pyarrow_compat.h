// The two halves of tests/python/pyarrow_compat (see pyarrow_compat.cc).
#pragma once

#include <ostream>
#include <string>

#include "arrowpack/core/status.h"

namespace arrowpack::pycompat {

/// Rebuilds the blob in `path` as the C++ type named by `kind` and prints it as JSON.
Status typed(const std::string& kind, const std::string& path, std::ostream& out);
/// Writes every case of pyarrow_compat_write.cc into `dir` (NAME.bin from to_buffer,
/// NAME.write_to.bin from write_to, NAME.components/ with a manifest.json).
Status write_cases(const std::string& dir);

}  // namespace arrowpack::pycompat

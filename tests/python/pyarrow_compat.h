// The two halves of tests/python/pyarrow_compat (see pyarrow_compat.cc).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "arrowpack/core/status.h"

namespace arrowpack::pycompat {

/// Rebuilds the blob in `path` as the C++ type named by `kind` and prints it as JSON.
Status typed(const std::string& kind, const std::string& path, std::ostream& out);
/// Writes every case of pyarrow_compat_write.cc into `dir` (NAME.bin from to_buffer,
/// NAME.write_to.bin from write_to, NAME.components/ with a manifest.json).
Status write_cases(const std::string& dir);
/// rewrite IN OUT stream|file [--deltas] [--unify] [--compression C] [--alignment N]
/// [--slice OFFSET LENGTH]: reads the IPC stream or file IN with arrowpack (full
/// validation) and writes its batches to OUT in `format` with those writer options
/// (pyarrow_compat_ipc.cc).
Status rewrite_ipc(const std::vector<std::string>& args);
/// Reads the Tensor and SparseTensor messages of IN (one after another) and writes each
/// again with arrowpack's ipc::write_tensor / write_sparse_tensor to OUT.
Status rewrite_tensors(const std::string& in, const std::string& out);
/// Reads one Tensor message from IN and writes its COO form (SparseTensor::coo_from_dense)
/// as a SparseTensor message to OUT.
Status coo_from_dense(const std::string& in, const std::string& out);

}  // namespace arrowpack::pycompat

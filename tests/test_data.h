// Record batches shared by the tests and the interop file writer.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "arrowpack/core/api.h"

namespace arrowpack::testing {

/// Folder holding ../shared (gold files, interop scripts), from the build definition.
std::string shared_dir();
/// A scratch folder under the build directory for files a test writes.
std::string scratch_dir();

/// The pyarrow chapter's batch: f0 int64 [1,2,3,4], f1 utf8 ['foo','bar','baz',null],
/// f2 bool [true,null,false,true].
RecordBatchPtr seed_batch();

/// One batch per supported type (name, batch), each with nulls, edge values and a sliced
/// column, for round-trip and interop tests.
std::vector<std::pair<std::string, RecordBatchPtr>> batches_per_type();

/// Unwraps a Result in a test, failing loudly with its Status.
template <typename T>
T ok_or_die(Result<T> r) {
  return std::move(r).value_or_throw();
}

}  // namespace arrowpack::testing

// Record batches shared by the tests and the interop file writer.
#pragma once

#include <stdexcept>

#include <string>
#include <utility>
#include <vector>

#include "arrowpack/core/api.h"

namespace arrowpack::testing {

/// Folder holding ../shared (gold files, interop scripts), from the build definition.
std::string shared_dir();
/// The golden IPC files of apache/arrow-testing, one folder per writer version: from
/// $ARROWPACK_TEST_DATA/arrow-ipc-stream/integration when ARROWPACK_TEST_DATA was set at
/// configure time (a checkout of arrow-testing's data/ folder), else ../shared/gold/integration.
/// Test cases that read it are tagged [gold] (tests/CMakeLists.txt decides which run).
std::string gold_integration_dir();
/// The fuzzer-found streams that crashed Arrow C++: arrow-testing's arrow-ipc-stream/ folder
/// (its regular files), or ../shared/gold/malformed/stream.
std::string gold_malformed_dir();
/// A scratch folder under the build directory for files a test writes.
std::string scratch_dir();

/// The pyarrow chapter's batch: f0 int64 [1,2,3,4], f1 utf8 ['foo','bar','baz',null],
/// f2 bool [true,null,false,true].
RecordBatchPtr seed_batch();

/// One batch per supported type (name, batch), each with nulls, edge values and a sliced
/// column, for round-trip and interop tests.
std::vector<std::pair<std::string, RecordBatchPtr>> batches_per_type();

/// Writes `batch` `times` times as an IPC stream, or as an IPC file when `file`.
std::shared_ptr<Buffer> write_ipc(const RecordBatch& batch, int times, bool file,
                                  const ipc::IpcWriteOptions& options = {});

/// True when every buffer of `array` (children included) lies inside `region`: the
/// zero-copy check.
bool points_into(const Array& array, const Buffer& region);

/// Unwraps a Result in a test, failing loudly with its Status.
template <typename T>
T ok_or_die(Result<T> r) {
  return std::move(r).value_or_throw();
}
/// Fails loudly unless `st` is OK.
inline void ok_or_die(const Status& st) {
  if (!st.ok()) throw std::runtime_error(st.to_string());
}

/// A buffer holding a copy of `v`'s elements.
template <typename T>
std::shared_ptr<Buffer> buffer_of(const std::vector<T>& v) {
  return ok_or_die(Buffer::copy_of(v.data(), static_cast<std::int64_t>(v.size() * sizeof(T))));
}

}  // namespace arrowpack::testing

// Fuzz target for the IPC readers: the input is read as a stream (and, when it starts with
// the file magic, as a file); every batch that decodes is fully validated and then rendered,
// so that accessors run over whatever the validation let through.
//
// With -DARROWPACK_BUILD_FUZZERS=ON (clang) this is a libFuzzer target; otherwise the same
// code is built with a main() that replays the files named on the command line.
#include <cstdint>
#include <cstdio>
#include <iostream>

#include "arrowpack/core/api.h"

namespace ap = arrowpack;

namespace {
void consume(const std::shared_ptr<ap::RecordBatch>& batch) {
  std::string s = batch->to_string(3);
  volatile std::size_t sink = s.size();
  (void)sink;
}

}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  auto buffer = ap::Buffer::wrap(data, static_cast<std::int64_t>(size));
  if (auto reader = ap::ipc::open_stream(buffer); reader.ok()) {
    for (auto batch : **reader) {
      if (!batch.ok()) break;
      consume(*batch);
    }
  }
  if (size >= 6 && std::string_view(reinterpret_cast<const char*>(data), 6) == ap::ipc::kFileMagic) {
    if (auto file = ap::ipc::open_file(buffer); file.ok()) {
      for (int i = 0; i < (*file)->num_record_batches(); ++i) {
        auto batch = (*file)->get_batch(i);
        if (batch.ok()) consume(*batch);
      }
    }
  }
}

#include "replay_main.h"

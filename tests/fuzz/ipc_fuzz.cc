// Fuzz target for the IPC readers: the input is read as a stream (and, when it starts with
// the file magic, as a file); every batch that decodes is fully validated and then rendered,
// so that accessors run over whatever the validation let through, and the canonical JSON of
// `arrowpack cat --json` is made of it. A file whose batches also read as the stream inside
// it must give the same batches (the differential Arrow C++ fuzzes with).
//
// With -DARROWPACK_BUILD_FUZZERS=ON (clang) this is a libFuzzer target; otherwise the same
// code is built with a main() that replays the files named on the command line.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "arrowpack/core/api.h"
#include "budget.h"
#include "canonical_json.h"

namespace ap = arrowpack;

namespace {
void consume(const std::shared_ptr<ap::RecordBatch>& batch) {
  std::string s = batch->to_string(3);
  volatile std::size_t sink = s.size();
  (void)sink;
}

bool has_dictionaries(const ap::Schema& schema) {
  for (const auto& f : schema.fields()) {
    if (f->type()->id() == ap::TypeId::kDictionary || f->type()->num_fields() > 0) return true;
  }
  return false;
}

void run(const std::uint8_t* data, std::size_t size) {
  ap::ipc::IpcReadOptions options;
  options.limits = fuzz_budget::limits();
  auto buffer = ap::Buffer::wrap(data, static_cast<std::int64_t>(size));
  std::vector<ap::RecordBatchPtr> streamed;
  if (auto reader = ap::ipc::open_stream(buffer, options); reader.ok()) {
    for (auto batch : **reader) {
      if (!batch.ok()) break;
      consume(*batch);
    }
  }
  if (auto json = ap::tools::canonical_json(buffer, options); json.ok()) {
    volatile std::size_t sink = json->size();
    (void)sink;
  }
  if (size >= 6 && std::string_view(reinterpret_cast<const char*>(data), 6) == ap::ipc::kFileMagic) {
    auto file = ap::ipc::open_file(buffer, options);
    if (!file.ok()) return;
    std::vector<ap::RecordBatchPtr> batches;
    for (int i = 0; i < (*file)->num_record_batches(); ++i) {
      auto batch = (*file)->get_batch(i);
      if (!batch.ok()) return;
      consume(*batch);
      batches.push_back(*batch);
    }
    // The stream inside the file (after the 8 bytes of magic and padding). Both are read
    // again as they are on the wire: the footer's schema and the stream's may disagree on
    // byte order (a reader of the file never looks at the stream's), and swapped to native
    // the same bytes then read differently. Both must then be of one byte order.
    if (size < 8 || has_dictionaries(*(*file)->schema())) return;
    ap::ipc::IpcReadOptions raw = options;
    raw.ensure_native_endian = false;
    auto raw_file = ap::ipc::open_file(buffer, raw);
    auto inner = ap::ipc::open_stream(ap::Buffer::wrap(data + 8, static_cast<std::int64_t>(size - 8)), raw);
    if (!raw_file.ok() || !inner.ok()) return;
    if ((*raw_file)->schema()->endianness() != (*inner)->schema()->endianness()) return;
    batches.clear();
    for (int i = 0; i < (*raw_file)->num_record_batches(); ++i) {
      auto batch = (*raw_file)->get_batch(i);
      if (!batch.ok()) return;
      batches.push_back(*batch);
    }
    for (auto batch : **inner) {
      if (!batch.ok()) return;
      streamed.push_back(*batch);
    }
    // Writers list the batches in the order they wrote them; when the footer does too, the
    // two readers must agree.
    if (streamed.size() != batches.size()) return;
    for (std::size_t i = 0; i < batches.size(); ++i) {
      if (!streamed[i]->schema()->equals(*batches[i]->schema())) return;
    }
    for (std::size_t i = 0; i < batches.size(); ++i) {
      if (!streamed[i]->equals(*batches[i])) {
        std::fprintf(stderr, "ipc_fuzz: batch %zu reads differently from the file and from its stream\n", i);
        std::abort();
      }
    }
  }
}

}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  fuzz_budget::within_budget(size, "ipc_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"

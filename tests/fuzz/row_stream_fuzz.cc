// Fuzz target for row streams (adapters/row_stream.h): the first byte picks a row type, the
// rest is an IPC stream read with RowStreamReader<T> to its end (batch by batch, or all at
// once), under the fuzz budget's limits.
#include <cstdint>

#include "arrowpack/adapters/row_stream.h"
#include "budget.h"
#include "row_types.h"

namespace ap = arrowpack;

namespace {
template <typename T>
void read_rows(const std::shared_ptr<ap::Buffer>& bytes, bool batch_by_batch) {
  ap::ipc::IpcReadOptions options;
  options.limits = fuzz_budget::limits();
  auto reader = ap::RowStreamReader<T>::open(bytes, options);
  if (!reader.ok()) return;
  if (!batch_by_batch) {
    volatile bool sink = reader->read_all().ok();
    (void)sink;
    return;
  }
  while (true) {
    auto batch = reader->read_next_batch();
    if (!batch.ok() || !batch->has_value()) return;
  }
}

void run(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return;
  auto bytes = ap::Buffer::wrap(data + 1, static_cast<std::int64_t>(size - 1));
  const bool batch_by_batch = (data[0] & 0x80) != 0;
  switch (data[0] & 0x7f) {
    case 0: read_rows<fuzz_rows::Record>(bytes, batch_by_batch); break;
    case 1: read_rows<fuzz_rows::Trade>(bytes, batch_by_batch); break;
    default: read_rows<fuzz_rows::Flags>(bytes, batch_by_batch); break;
  }
}
}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  fuzz_budget::within_budget(size, "row_stream_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"

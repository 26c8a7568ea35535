// Fuzz target for files of Tensor and SparseTensor messages, through what `arrowpack cat
// [--json]` does with them: every message is read as a tensor (dense or sparse), printed,
// dumped as JSON, compared with itself, made row-major (or dense, within 1 MiB) and
// prepared for writing again.
#include <cstdint>

#include "arrowpack/core/api.h"
#include "budget.h"
#include "inspect_json.h"

namespace ap = arrowpack;

namespace {
void run(const std::uint8_t* data, std::size_t size) {
  ap::io::BufferReader reader(ap::Buffer::wrap(data, static_cast<std::int64_t>(size)));
  ap::ipc::IpcReadOptions options;
  options.limits = fuzz_budget::limits();
  for (int i = 0; i < 64; ++i) {
    auto message = ap::ipc::read_message(&reader, options);
    if (!message.ok() || !*message) return;
    if ((*message)->type() == ap::ipc::MessageType::kSparseTensor) {
      auto sparse = ap::ipc::read_sparse_tensor(**message);
      if (!sparse.ok()) return;
      volatile std::size_t sink = (*sparse)->to_string().size();
      (void)sink;
      volatile bool same = (*sparse)->equals(**sparse);
      (void)same;
      // the dense form only within the budget's allowance: its size is the caller's choice
      (void)(*sparse)->to_dense(std::int64_t{1} << 20);
      (void)ap::ipc::make_sparse_tensor_message_parts(**sparse);
      continue;
    }
    auto tensor = ap::ipc::read_tensor(**message);
    if (!tensor.ok()) return;
    const std::string text = (*tensor)->to_string() + ap::tools::tensor_json(**tensor);
    volatile std::size_t sink = text.size();
    (void)sink;
    volatile bool same = (*tensor)->equals(**tensor);
    (void)same;
    (void)(*tensor)->to_row_major();
  }
}
}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  fuzz_budget::within_budget(size, "tensor_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"

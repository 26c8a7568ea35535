// The canonical JSON dump of an Arrow IPC stream or file, as described in
// ../shared/interop/README.md, so that arrowpack's reading can be compared with Arrow JS's.
#pragma once

#include <string>

#include "arrowpack/core/api.h"

namespace arrowpack::tools {

/// True when `bytes` start with the IPC file magic "ARROW1".
bool looks_like_ipc_file(const Buffer& bytes);

/// Reads the stream or file in `bytes` (format detected from the magic) and renders the
/// canonical document {"format", "schema", "batches"}. More than `max_values` values in all
/// is a CapacityError (lengths that no buffer backs make tiny hostile files huge dumps).
Result<std::string> canonical_json(const std::shared_ptr<Buffer>& bytes, const ipc::IpcReadOptions& options = {},
                                   std::int64_t max_values = std::int64_t{1} << 27);

/// The canonical JSON of a schema ({"fields": [...], "metadata": {...}}).
std::string schema_json(const Schema& schema);
/// The canonical JSON of one batch ({"num_rows": N, "columns": {...}}); no value budget.
std::string batch_json(const RecordBatch& batch);

}  // namespace arrowpack::tools

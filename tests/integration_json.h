// A reader for Arrow's integration-test JSON format (the expected contents of the golden
// files; see format/Integration.rst in apache/arrow), so that the golden tests compare
// arrowpack's reading of IPC bytes with data that no Arrow library decoded.
#pragma once

#include <string>
#include <vector>

#include "arrowpack/core/api.h"

namespace arrowpack::testing {

struct IntegrationJson {
  SchemaPtr schema;
  std::vector<RecordBatchPtr> batches;
};

/// Reads a .json or .json.gz file in the integration format: the schema, the dictionaries
/// and the record batches, built as arrowpack arrays.
Result<IntegrationJson> read_integration_json(const std::string& path);

}  // namespace arrowpack::testing

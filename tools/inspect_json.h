// `arrowpack inspect`: the object tree of a serialized blob, as readable text or as the JSON
// encoding documented in README.md ("inspect --json"). Never runs user code: objects of
// registered types show as the dicts they were stored as.
#pragma once

#include <string>

#include "arrowpack/registry/serialize.h"

namespace arrowpack::tools {

/// Decodes `blob` (written by to_buffer/write_to, by arrowpack or pyarrow <= 11) without any
/// registered type: registered objects stay opaque.
Result<Value> inspect_value(const std::shared_ptr<Buffer>& blob, const ReadLimits& limits = {});

/// The JSON encoding of a Value (see README.md): none -> null, bool, int (all digits), str;
/// every other kind a one-key object ({"float64": x}, {"list": [...]}, {"tensor": T}, ...).
std::string inspect_json(const Value& value);
/// {"dtype", "shape", "dim_names"?, "values" | "sum"} of a tensor.
std::string tensor_json(const Tensor& tensor);
/// {"format": "COO"|"CSR"|"CSC"|"CSF", "shape", "dim_names"?, "non_zero_length",
/// "canonical" (COO), "axis_order" (CSF), "values": T, "indices": T or [T per level],
/// "indptr": T or [T per level] (CSR/CSC/CSF), "dense": T or null beyond 10,000 elements},
/// each T a tensor_json(): the values and index tensors as they are stored.
std::string sparse_tensor_json(const SparseTensor& tensor);
/// An indented, readable tree of `value`.
std::string inspect_text(const Value& value);

}  // namespace arrowpack::tools

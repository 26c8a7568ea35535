// Encoding a Value graph as the dense-union structure batch, and decoding it back.
#pragma once

#include "arrowpack/core/ipc/options.h"
#include "arrowpack/registry/context.h"
#include "arrowpack/registry/serialize.h"
#include "tags.h"

namespace arrowpack::registry_internal {

struct Encoded {
  /// The contiguous form's header (four counts), the structure's IPC stream, zero padding
  /// to 64: one pool buffer (encoder.h's render()).
  std::shared_ptr<Buffer> rendered;
  std::int64_t stream_size = 0;
  std::vector<TensorPtr> tensors;
  std::vector<TensorPtr> ndarrays;
  std::vector<std::shared_ptr<Buffer>> buffers;
  /// One list for the four formats, in order of appearance (pyarrow's sparse_tensors).
  std::vector<SparseTensorPtr> sparse_tensors;
  /// Payloads of registered objects: their serializers may return views of them.
  std::vector<std::shared_ptr<const void>> keep_alive;
};

/// Encodes `value` (wrapped in a one-element sequence, as pyarrow does).
Result<Encoded> encode(const Value& value, const SerializationContext& context, const ReadLimits& limits,
                       MemoryPool* pool);

/// How many tensors, ndarrays, buffers and sparse tensors the structure refers to (highest
/// index + 1).
struct References {
  std::int64_t tensors = 0, ndarrays = 0, buffers = 0, sparse_tensors = 0;
};

/// The union tag of a sparse tensor of `format` (17 COO, 18 CSR, 19 CSC, 20 CSF).
inline std::int8_t sparse_tag(SparseFormat format) {
  return static_cast<std::int8_t>(kSparseCoo + static_cast<int>(format));
}

/// Sparse tensor `index` of `object`, which the union slot of `tag` refers to: a
/// SerializationError when the index is out of range or the tensor's format is not the
/// tag's.
Result<SparseTensorPtr> sparse_at(const SerializedObject& object, std::int32_t index, std::int8_t tag);

/// The IPC options under which a structure stream is read: `options`' limits, with the
/// type depth that values of limits.max_depth levels need (each level of a value is up to
/// three levels of types: a list of a struct of unions).
ipc::IpcReadOptions structure_read_options(const DeserializeOptions& options);

class Structure;
/// The checked structure of `object`, which deserialize() and ObjectReader::open() decode:
/// parsed when the object was read, else now from its stream (once per object).
/// SerializationError for a stream that is not a structure, NotImplemented for a newer
/// format version, Invalid for a malformed one.
Result<const Structure*> check_before_decoding(const SerializedObject& object, const DeserializeOptions& options);

/// Decodes the first element of the structure batch, checked by check_before_decoding().
Result<Value> decode(const SerializedObject& object, const SerializationContext& context,
                     const DeserializeOptions& options);

}  // namespace arrowpack::registry_internal

namespace arrowpack {
/// What the registry's own code may set on a SerializedObject.
struct SerializedObjectAccess {
  /// Read by read_from()/from_components(): its shape checked, its data too under kFull.
  static void mark_read(SerializedObject& object, Validation validation);
  /// The object's structure (see check_before_decoding()).
  static Result<const registry_internal::Structure*> structure(const SerializedObject& object,
                                                               const DeserializeOptions& options);
  /// The object that the encoder made (encoder.h's render()), marked validated.
  static SerializedObject from_encoded(registry_internal::Encoded&& encoded);
  /// The bytes the object was read from; for one made in memory, the bytes of its parts.
  static std::int64_t input_bytes(const SerializedObject& object);
};
}  // namespace arrowpack

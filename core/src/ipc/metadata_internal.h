// Conversion between arrowpack's types and the IPC flatbuffers (generated from core/format).
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstring>

#include "File_generated.h"
#include "Message_generated.h"
#include "Schema_generated.h"
#include "arrowpack/core/ipc.h"

namespace arrowpack::ipc::internal {

using FBB = flatbuffers::FlatBufferBuilder;

/// Verifier limits for hostile metadata: nesting depth and table count.
inline constexpr int kMaxFlatbufferDepth = 128;
inline constexpr int kMaxFlatbufferTables = 1000000;

/// Decodes a flatbuffer Schema (fields, types, metadata, endianness).
Result<SchemaPtr> schema_from_flatbuffer(const fb::Schema* schema, const IpcReadOptions& options);
/// Encodes `schema` into `fbb` and returns its offset.
Result<flatbuffers::Offset<fb::Schema>> schema_to_flatbuffer(FBB& fbb, const Schema& schema);

/// A type from its flatbuffer union member (`table` is the member's table, may be null
/// only for NONE); `children` are the already-decoded child fields.
Result<DataTypePtr> type_from_flatbuffer(fb::Type kind, const void* table, FieldVector children);
/// The union member describing `type` (fixed parameters only; children are the caller's).
using TypeOffset = std::pair<fb::Type, flatbuffers::Offset<void>>;
Result<TypeOffset> type_to_flatbuffer(FBB& fbb, const DataType& type);

/// Key/value metadata from a flatbuffer vector (null when absent or empty).
MetadataPtr metadata_from_flatbuffer(
    const flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>* kv);
flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>> metadata_to_flatbuffer(
    FBB& fbb, const MetadataPtr& metadata);

/// Element i of a flatbuffer vector of structs, copied out: hostile metadata may place the
/// vector at an address that is not aligned for the struct's 8-byte fields.
template <typename T>
T load_struct(const flatbuffers::Vector<const T*>* v, flatbuffers::uoffset_t i) {
  T out;
  std::memcpy(static_cast<void*>(&out), v->Data() + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
  return out;
}

/// The finished builder's bytes, padded with zeros to a multiple of 8, as a pool buffer.
Result<std::shared_ptr<Buffer>> finish_to_buffer(FBB& fbb, MemoryPool* pool);

/// `buffer` itself when its address is a multiple of `alignment`, else an aligned pool copy.
Result<std::shared_ptr<Buffer>> ensure_aligned(std::shared_ptr<Buffer> buffer, std::int64_t alignment,
                                               MemoryPool* pool);

}  // namespace arrowpack::ipc::internal

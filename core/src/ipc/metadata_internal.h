// Conversion between arrowpack's types and the IPC flatbuffers (generated from core/format).
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstring>
#include <type_traits>

#include "File_generated.h"
#include "Message_generated.h"
#include "Schema_generated.h"
#include "arrowpack/core/ipc/dictionary.h"
#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/options.h"
#include "arrowpack/core/record_batch.h"

namespace arrowpack::ipc::internal {

using FBB = flatbuffers::FlatBufferBuilder;

/// Verifier bound on the tables of hostile metadata (the depth bound comes from
/// ReadLimits::flatbuffer_depth).
inline constexpr int kMaxFlatbufferTables = 1000000;
/// The continuation marker that begins a message's framing (since Arrow 0.15).
inline constexpr std::uint32_t kContinuation = 0xFFFFFFFFu;

/// Where one message of an IPC file lies: a Block of the footer, as the writer records it
/// and the reader checks it (the footer's fb::Block, in arrowpack's integer types).
struct FileBlock {
  std::int64_t offset;
  std::int32_t metadata_length;  // framing and padded metadata
  std::int64_t body_length;
};

/// Verifies `bytes` as a flatbuffer whose root is checked by `verify` (a generated
/// fb::Verify*Buffer), with the depth bound derived from `limits`. A buffer that fails only
/// because it nests deeper gets a CapacityError that names ReadLimits::max_depth; any
/// other failure an Invalid naming `what` and the `root` table expected.
Status verify_flatbuffer(const Buffer& bytes, const ReadLimits& limits, bool (*verify)(flatbuffers::Verifier&),
                         const char* what, const char* root);

/// Bounds what decoding a flatbuffer may produce. A flatbuffer may point at one table or
/// string many times (the verifier accepts it), so copies of strings and fields are charged
/// against the flatbuffer's own size: honest metadata never exceeds it, aliased metadata
/// that would amplify into gigabytes fails with a CapacityError.
class DecodeBudget {
 public:
  explicit DecodeBudget(std::int64_t flatbuffer_size) : remaining_(2 * flatbuffer_size + 4096) {}
  Status take(std::int64_t bytes, const char* what) {
    remaining_ -= bytes + 8;  // every item costs something, even an empty string
    if (remaining_ < 0) {
      return Status::CapacityError("metadata decodes to more ", what,
                                   " than its size allows (a flatbuffer with aliased tables?)");
    }
    return Status::OK();
  }
  /// A copy of a flatbuffer string, charged to the budget.
  Result<std::string> string(const flatbuffers::String* s, const char* what) {
    if (s == nullptr) return std::string();
    ARROWPACK_RETURN_NOT_OK(take(s->size(), what));
    return s->str();
  }

 private:
  std::int64_t remaining_;
};

/// Decodes a flatbuffer Schema (fields, types, metadata, endianness); dictionary-encoded
/// fields are recorded in `memo` (an error when null).
Result<SchemaPtr> schema_from_flatbuffer(const fb::Schema* schema, const IpcReadOptions& options, DecodeBudget* budget,
                                         DictionaryMemo* memo);
/// Encodes `schema` into `fbb` and returns its offset; dictionary ids come from `memo`
/// (DictionaryMemo::for_schema when null).
Result<flatbuffers::Offset<fb::Schema>> schema_to_flatbuffer(FBB& fbb, const Schema& schema,
                                                             const DictionaryMemo* memo = nullptr);

/// A type from its flatbuffer union member (`table` is the member's table, may be null
/// only for NONE); `children` are the already-decoded child fields.
Result<DataTypePtr> type_from_flatbuffer(fb::Type kind, const void* table, FieldVector children, DecodeBudget* budget);
/// The union member describing `type` (fixed parameters only; children are the caller's).
using TypeOffset = std::pair<fb::Type, flatbuffers::Offset<void>>;
Result<TypeOffset> type_to_flatbuffer(FBB& fbb, const DataType& type);

/// The extents and names of a Tensor's or SparseTensor's shape (`what`: "tensor" or
/// "sparse tensor", for messages): Invalid when absent or a dimension is missing,
/// CapacityError beyond 64 dimensions.
Status dims_from_flatbuffer(const flatbuffers::Vector<flatbuffers::Offset<fb::TensorDim>>* dims, const char* what,
                            DecodeBudget* budget, std::vector<std::int64_t>* shape, std::vector<std::string>* names);

/// `length` bytes at `offset` of `message`'s body (a slice, no copy): Invalid, naming
/// `what`, when they do not lie inside it.
Result<std::shared_ptr<Buffer>> body_slice(const Message& message, std::int64_t offset, std::int64_t length,
                                           const char* what);

/// Key/value metadata from a flatbuffer vector (null when absent or empty).
Result<MetadataPtr> metadata_from_flatbuffer(const flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>* kv,
                                             DecodeBudget* budget);
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

/// Element i of a flatbuffer vector of scalars, loaded with memcpy: the verifier only
/// guarantees 4-byte alignment of a vector's start, so int64 elements may sit at 4 mod 8.
template <typename T>
T load_scalar(const flatbuffers::Vector<T>* v, flatbuffers::uoffset_t i) {
  static_assert(std::is_arithmetic_v<T>, "load_struct() is for vectors of structs");
  T out;
  std::memcpy(&out, v->Data() + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
  return flatbuffers::EndianScalar(out);
}

/// The finished builder's bytes, padded with zeros to a multiple of 8, as a pool buffer.
Result<std::shared_ptr<Buffer>> finish_to_buffer(FBB& fbb, MemoryPool* pool);

/// `buffer` itself when its address is a multiple of `alignment`, else an aligned pool copy.
Result<std::shared_ptr<Buffer>> ensure_aligned(std::shared_ptr<Buffer> buffer, std::int64_t alignment,
                                               MemoryPool* pool);

}  // namespace arrowpack::ipc::internal

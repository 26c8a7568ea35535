// SerializedObject: what serialize() makes and deserialize() reads. The structure (one
// dense-union record batch, rendered as an Arrow IPC stream) plus the out-of-band tensors and
// buffers it refers to, in their contiguous form (to_buffer, write_to) or as components
// (to_components). The layout is pyarrow's serialize() of 0.13 to 11.x, documented in
// registry/FORMAT.md. The functions that make and read these are in serialize.h.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "arrowpack/core/io.h"
#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/core/sparse_tensor.h"
#include "arrowpack/core/tensor.h"
#include "arrowpack/registry/value.h"

namespace arrowpack {

class SerializationContext;
namespace registry_internal {
class Structure;
}  // namespace registry_internal

/// How serialized objects are read. Every bound on what hostile input may cost is in
/// `limits` (shared with the IPC reader and the transports); serialize() takes the same
/// ReadLimits, so that whatever serializes within them reads back with them.
struct DeserializeOptions {
  /// Depth (max_depth, pyarrow's 100), values (max_elements), blob size (max_input_bytes),
  /// and the decoded-bytes budget of the IPC reader under the structure.
  ReadLimits limits;
  /// Objects of type names the context does not know become opaque Values (name + fields)
  /// instead of a KeyError. Their callbacks are never run, whatever this says.
  bool allow_unknown_types = false;
  /// kFull (the default) validates the structure batch completely (offsets, union codes,
  /// UTF-8). kTrustedBytesOnly is for bytes this process serialized itself.
  Validation validation = Validation::kFull;
  MemoryPool* pool = default_memory_pool();
};

/// What a written structure records of its format (registry/FORMAT.md). kVersioned, the
/// default, puts `arrowpack.format_version` in the schema's metadata, so that a reader of a
/// later format's blobs refuses them by name; kPyarrow records nothing, and the bytes are
/// pyarrow 11's for the same object (a blob without the key reads as version 1).
enum class FormatMark : std::uint8_t { kVersioned, kPyarrow };

/// The parts of a serialized object as pyarrow's SerializedPyObject.to_components() gives
/// them: data[0] is the IPC stream of the structure; then for each tensor and each ndarray
/// its Message flatbuffer and its body; then the raw buffers. Bodies and raw buffers are the
/// original memory, not copies.
struct Components {
  int num_tensors = 0;
  int num_ndarrays = 0;
  int num_buffers = 0;
  std::vector<std::shared_ptr<Buffer>> data;
  /// pyarrow's `num_sparse_tensors` mapping: how many sparse tensors of each format the
  /// components carry, and the dimensions of the CSF ones added up. Each takes its Message
  /// flatbuffer and its body buffers: COO 3 buffers, CSR and CSC 4, CSF 2 x ndim + 1.
  struct SparseCounts {
    int coo = 0, csr = 0, csc = 0, csf = 0, ndim_csf = 0;
    std::int64_t total() const { return std::int64_t{coo} + csr + csc + csf; }
    /// The buffers they take in `data`.
    std::int64_t buffers() const {
      return 3 * std::int64_t{coo} + 4 * (std::int64_t{csr} + csc) + csf + 2 * std::int64_t{ndim_csf};
    }
    bool operator==(const SparseCounts&) const = default;
  };
  SparseCounts num_sparse_tensors;

  /// The number of buffers the counts announce: 1 + 2 (tensors + ndarrays) + the sparse
  /// tensors' + buffers. In `data`: the structure stream, each tensor (metadata, body), each
  /// sparse tensor (metadata, bodies), each ndarray (metadata, body), each buffer.
  std::int64_t expected_size() const {
    return 1 + 2 * (std::int64_t{num_tensors} + num_ndarrays) + num_sparse_tensors.buffers() +
           std::int64_t{num_buffers};
  }
  /// The checks every reader and writer of components makes, whatever carried them
  /// (memory, a socket, ZeroMQ): counts not negative and agreeing with data.size(), no null
  /// buffer, at most limits.max_buffers buffers and limits.max_input_bytes bytes in all.
  /// Invalid or CapacityError naming what is wrong.
  Status validate(const ReadLimits& limits = {}) const;
  /// Bytes of all the buffers.
  std::int64_t total_bytes() const;
};

/// A serialized object: the structure batch plus the out-of-band tensors and buffers it
/// refers to by index. Holds references to the caller's memory.
///
/// Cheap to copy and to move: a copy shares the object's state (its items, the structure
/// read or rendered, the Tensor messages built, all fixed once the object is made) and costs
/// a reference count or two; a moved-from object is empty. retain() on a copy keeps its owner
/// alive for that copy (and the copies made of it afterwards) alone. Const members are safe
/// to call from several threads on one object or on copies of it; retain() is not on one
/// object (it changes it), and is on distinct copies.
class SerializedObject {
 public:
  /// An empty object (no structure): deserialize() refuses it with Invalid.
  SerializedObject();
  /// An object over a structure batch and the items it refers to. deserialize() validates
  /// the batch in full before decoding it (read_from() and from_components() have, already).
  SerializedObject(RecordBatchPtr batch, std::vector<TensorPtr> tensors, std::vector<TensorPtr> ndarrays,
                   std::vector<std::shared_ptr<Buffer>> buffers, std::vector<SparseTensorPtr> sparse_tensors = {});

  /// The structure batch. For an object made by serialize() or ObjectWriter, which render
  /// the structure's stream directly, it is read from that stream on first use (and shared
  /// by copies of the object); null if that fails. Safe to call from several threads.
  const RecordBatchPtr& batch() const;
  /// The tensors (code 11 refers to them by index). Valid while the object or a copy lives.
  const std::vector<TensorPtr>& tensors() const;
  /// The ndarrays (code 21, pyarrow's numpy arrays), valid as tensors() is.
  const std::vector<TensorPtr>& ndarrays() const;
  /// The raw buffers (code 14), valid as tensors() is.
  const std::vector<std::shared_ptr<Buffer>>& buffers() const;
  /// The sparse tensors, all formats in one list in order of appearance (codes 17 to 20
  /// refer to them by index, as pyarrow's do), valid as tensors() is.
  const std::vector<SparseTensorPtr>& sparse_tensors() const;

  /// The size of write_to()'s output / to_buffer()'s buffer. Errors: Invalid for an empty
  /// object; for a structure batch the caller made, those of rendering its stream (Invalid,
  /// NotImplemented for a type the IPC format cannot carry); OutOfMemory for the tensors'
  /// messages.
  Result<std::int64_t> total_bytes() const;
  /// Writes the contiguous form: four int32 counts, the structure stream, each tensor, sparse
  /// tensor and ndarray as a message on a 64-byte boundary, each buffer as int64 length +
  /// bytes. Errors: those of total_bytes(); the sink's errors (IOError for a file or socket).
  Status write_to(io::OutputStream* sink) const;
  /// The contiguous form in one buffer from `pool`: the data is copied exactly once.
  /// For an object made by serialize() or ObjectWriter with no tensors, sparse tensors,
  /// ndarrays or buffers, that is the memory the structure was rendered into (no copy, shared
  /// with the object; `pool` is not used). Errors: those of write_to(); OutOfMemory or
  /// CapacityError when `pool` cannot hold the blob.
  Result<std::shared_ptr<Buffer>> to_buffer(MemoryPool* pool = default_memory_pool()) const;
  /// The parts, without copying tensor or buffer data. The tensors' Message flatbuffers are
  /// built once per object (from `pool`, on first use) and shared by every output form.
  /// Errors: those of structure_stream(); OutOfMemory from `pool` for the tensors' messages.
  Result<Components> to_components(MemoryPool* pool = default_memory_pool()) const;

  /// Parses the contiguous form (zero-copy: tensors and buffers are slices of `buffer`).
  /// Accepts the 3-count header of pyarrow 0.12 to 0.15 where it can be told apart. Errors:
  /// Invalid for a null buffer or a truncated or malformed blob (negative counts, structure,
  /// tensor messages, buffer lengths); SerializationError for a malformed structure, one
  /// that refers to more items than the header announces or to one item twice, or a tensor
  /// that is not contiguous; CapacityError past options.limits (max_input_bytes first);
  /// NotImplemented for a structure of a newer format version or a big-endian one;
  /// OutOfMemory.
  static Result<SerializedObject> read_from(const std::shared_ptr<Buffer>& buffer,
                                            const DeserializeOptions& options = {});
  /// Reassembles from components (zero-copy). Errors: those of Components::validate();
  /// Invalid when the sparse-tensor counts disagree with the sparse tensors the components
  /// hold; otherwise those of read_from() for the structure and the tensors.
  static Result<SerializedObject> from_components(const Components& components, const DeserializeOptions& options = {});

  /// Keeps `owner` alive as long as this object, or a copy made of it after this call,
  /// exists: the memory that tensors and buffers view without copying (registered objects'
  /// payloads, moved-in values). Not thread safe on one object (copies are independent).
  void retain(std::shared_ptr<const void> owner);

  /// The IPC stream of the structure (rendered once, then shared by every output form).
  /// Safe to call from several threads. Errors: Invalid for an empty object; for a
  /// structure batch the caller made, those of rendering it (Invalid, NotImplemented for a
  /// type the IPC format cannot carry, OutOfMemory), the same on every call.
  Result<std::shared_ptr<Buffer>> structure_stream() const;

  /// Whether the structure is known to be well formed: it was read and validated in full by
  /// read_from()/from_components(), or made by serialize() in this process.
  bool structure_validated() const;

 private:
  // Everything the object holds, shared by its copies (serialized_object.cc): one pointer, so
  // that handing an object from reader to decoder (Result, moves, copies) costs a reference
  // count, not the copy of its vectors.
  struct State;
  std::shared_ptr<State> state_;
  // What retain() was given: this object's and its later copies' (copied on write).
  std::shared_ptr<std::vector<std::shared_ptr<const void>>> owners_;
  const State& state() const;
  friend struct SerializedObjectAccess;
};

/// A buffer as a span of bytes (pyarrow's memoryview); valid while the buffer lives.
inline std::span<const std::byte> as_span(const Buffer& buffer) { return buffer.span(); }
/// A span of caller memory as a Buffer, without copying (pyarrow's py_buffer); the memory
/// must outlive every use of the buffer.
inline std::shared_ptr<Buffer> from_span(std::span<const std::byte> bytes) { return Buffer::wrap(bytes); }

/// The value of the schema metadata key "arrowpack.format_version" that arrowpack writes.
inline constexpr std::string_view kFormatVersion = "1";
inline constexpr std::string_view kFormatVersionKey = "arrowpack.format_version";

}  // namespace arrowpack

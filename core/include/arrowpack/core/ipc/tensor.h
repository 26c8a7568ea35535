// Tensor and SparseTensor messages, byte for byte as Arrow C++ writes them (pyarrow's
// ipc.write_tensor / read_tensor, and the tensors of pa.serialize blobs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/options.h"
#include "arrowpack/core/memory_pool.h"
#include "arrowpack/core/sparse_tensor.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/tensor.h"

namespace arrowpack::ipc {

// ---- Tensor messages (pyarrow's ipc.write_tensor / read_tensor / get_tensor_size) --------

/// The two parts of a Tensor message as built for writing (not re-verified): the
/// Message flatbuffer (8-byte padded) and the body, which is the tensor's own memory when
/// it is contiguous.
struct TensorMessageParts {
  std::shared_ptr<Buffer> metadata;
  std::shared_ptr<Buffer> body;
  /// The bytes of the encapsulated message: framing, metadata padded so that the body
  /// starts on a 64-byte boundary, body.
  std::int64_t encapsulated_size() const;
};
/// The parts of `tensor`'s message (a row-major copy of a strided tensor from `pool`).
/// OutOfMemory when `pool` refuses the copy.
Result<TensorMessageParts> make_tensor_message_parts(const Tensor& tensor, MemoryPool* pool = default_memory_pool());
/// Writes parts made by make_tensor_message_parts() as one encapsulated message; returns the
/// bytes written. The sink's IOError.
Result<std::int64_t> write_tensor_message(const TensorMessageParts& parts, io::OutputStream* sink);

/// A Tensor message for `tensor`, laid out as Arrow C++ writes it: the body is the element
/// data (the tensor's own memory when it is contiguous, a row-major copy from `pool` when
/// not) and the strides recorded are the body's. OutOfMemory when `pool` refuses the copy.
Result<std::unique_ptr<Message>> make_tensor_message(const Tensor& tensor, MemoryPool* pool = default_memory_pool());
/// Writes `tensor` as one encapsulated Tensor message: continuation marker, metadata length,
/// metadata padded so that these three are a multiple of 64 bytes, then the data (unpadded).
/// Byte-identical to arrow::ipc::WriteTensor. Returns the bytes written. The errors of
/// make_tensor_message_parts(); the sink's IOError.
Result<std::int64_t> write_tensor(const Tensor& tensor, io::OutputStream* sink,
                                  MemoryPool* pool = default_memory_pool());
/// The bytes write_tensor() would write. CapacityError for metadata too large to frame.
Result<std::int64_t> tensor_message_size(const Tensor& tensor);
/// Decodes a Tensor message; the tensor's data is a slice of the message body (no copy).
/// Invalid for another message, a type a tensor cannot hold, or a shape, strides or body that
/// disagree.
Result<TensorPtr> read_tensor(const Message& message);
/// Reads the next message of `source`, which must be a Tensor message. The errors of
/// read_message() and read_tensor(const Message&); Invalid at the end of the stream.
Result<TensorPtr> read_tensor(io::InputStream* source, const IpcReadOptions& options = {});

// ---- SparseTensor messages (Arrow C++'s WriteSparseTensor / ReadSparseTensor) -----------

/// The parts of a SparseTensor message as Arrow C++ builds them: the Message flatbuffer
/// (padded to 8) and the body buffers in order -- the index buffers (COO: the coordinates;
/// CSR/CSC: index pointers, indices; CSF: every level's index pointers, then every level's
/// indices) and the values -- unpadded, each the tensor's own memory when contiguous (a
/// row-major copy from `pool` when not). pyarrow's to_components() carries exactly these.
struct SparseTensorMessageParts {
  std::shared_ptr<Buffer> metadata;
  std::vector<std::shared_ptr<Buffer>> body;
  /// The body as written: each buffer padded to 8 bytes.
  std::int64_t body_length() const;
  /// Framing (8 bytes), metadata, body.
  std::int64_t encapsulated_size() const;
};
/// OutOfMemory when `pool` refuses a copy (of a strided index or values tensor).
Result<SparseTensorMessageParts> make_sparse_tensor_message_parts(const SparseTensor& tensor,
                                                                  MemoryPool* pool = default_memory_pool());
/// Writes parts made by make_sparse_tensor_message_parts(): continuation marker, metadata
/// length, metadata, then each body buffer padded to 8 bytes. Returns the bytes written; the
/// sink's IOError.
Result<std::int64_t> write_sparse_tensor_message(const SparseTensorMessageParts& parts, io::OutputStream* sink);
/// Writes `tensor` as one encapsulated SparseTensor message, byte-identical to
/// arrow::ipc::WriteSparseTensor (pyarrow's pa.serialize writes these in its blobs). The
/// errors of make_sparse_tensor_message_parts(); the sink's IOError.
Result<std::int64_t> write_sparse_tensor(const SparseTensor& tensor, io::OutputStream* sink,
                                         MemoryPool* pool = default_memory_pool());
/// Decodes a SparseTensor message. The index and values are slices of the message body (no
/// copy). Every index is checked against the shape (SparseTensor's factories); a buffer
/// outside the body, an index kind or compressed axis the format does not define, strided
/// COO coordinates, or a non-zero count that the index contradicts are Invalid.
Result<SparseTensorPtr> read_sparse_tensor(const Message& message);
/// Reads the next message of `source`, which must be a SparseTensor message. The errors of
/// read_message() and read_sparse_tensor(const Message&).
Result<SparseTensorPtr> read_sparse_tensor(io::InputStream* source, const IpcReadOptions& options = {});
/// Decodes a SparseTensor whose metadata (the Message flatbuffer, verified here) and body
/// buffers come separately, as in pyarrow's components: `body` holds one buffer per body
/// buffer, in order, used as they are (zero-copy; an 8-byte aligned copy when misaligned);
/// the offsets in the metadata are not consulted. Invalid when there are more or fewer
/// buffers than the format has, or one is too short.
Result<SparseTensorPtr> read_sparse_tensor(std::shared_ptr<Buffer> metadata,
                                           const std::vector<std::shared_ptr<Buffer>>& body,
                                           const IpcReadOptions& options = {});
/// How many body buffers `tensor`'s message has: COO 2, CSR/CSC 3, CSF 2 x ndim.
std::size_t sparse_tensor_body_buffers(const SparseTensor& tensor);
/// The same, read from a SparseTensor message's metadata (verified here): how many of the
/// buffers that follow it in components are its body. Invalid for other messages.
Result<std::size_t> sparse_tensor_body_buffers(std::shared_ptr<Buffer> metadata, const IpcReadOptions& options = {});

}  // namespace arrowpack::ipc

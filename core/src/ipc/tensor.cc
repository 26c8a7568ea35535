// Tensor IPC messages, byte-compatible with arrow::ipc::WriteTensor / ReadTensor.
#include <algorithm>
#include <array>
#include <cstring>

#include "arrowpack/core/ipc/tensor.h"
#include "arrowpack/core/util.h"
#include "ipc/metadata_internal.h"

namespace arrowpack::ipc {
namespace {

constexpr std::int64_t kTensorAlignment = 64;

// The flatbuffer Message for a tensor whose body is `body_length` bytes of data laid out
// with `strides`. One builder per thread is reused: a message costs one allocation.
Result<std::shared_ptr<Buffer>> tensor_metadata(const Tensor& tensor, const std::int64_t* strides,
                                                std::int64_t body_length, MemoryPool* pool) {
  thread_local internal::FBB fbb(512);
  fbb.Clear();
  ARROWPACK_ASSIGN_OR_RAISE(auto type, internal::type_to_flatbuffer(fbb, *tensor.type()));
  std::array<flatbuffers::Offset<fb::TensorDim>, 64> dims;  // Tensor::make caps ndim at 64
  const int ndim = tensor.ndim();
  for (int i = 0; i < ndim; ++i) {
    // Arrow C++ writes a name for every dimension, empty when the tensor has none.
    const auto name = fbb.CreateString(tensor.dim_name(i));
    dims[i] = fb::CreateTensorDim(fbb, tensor.shape()[i], name);
  }
  auto shape = fbb.CreateVector(dims.data(), static_cast<std::size_t>(ndim));
  auto stride_vec = fbb.CreateVector(strides, static_cast<std::size_t>(ndim));
  fb::Buffer data(0, body_length);
  auto t = fb::CreateTensor(fbb, type.first, type.second, shape, stride_vec, &data);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Tensor, t.Union(), body_length));
  return internal::finish_to_buffer(fbb, pool);
}

std::int64_t padded_metadata_size(std::int64_t metadata_size) {
  return util::round_up(8 + metadata_size, kTensorAlignment) - 8;
}

// The strides written for a contiguous tensor: size-1 dimensions may carry any stride, so
// the canonical ones are recorded: those of Tensor::row_major_strides / column_major_strides
// (computed here without allocating; an empty tensor has the element size as every stride).
void canonical_strides(const Tensor& tensor, std::int64_t* out) {
  const bool row_major = tensor.is_row_major() || !tensor.is_column_major();
  const bool empty = tensor.size() == 0;
  std::int64_t step = tensor.element_size();
  const int n = tensor.ndim();
  for (int k = 0; k < n; ++k) {
    const int i = row_major ? n - 1 - k : k;
    out[i] = step;
    if (!empty) step *= tensor.shape()[i];
  }
}

}  // namespace

std::int64_t TensorMessageParts::encapsulated_size() const {
  return 8 + padded_metadata_size(metadata->size()) + (body ? body->size() : 0);
}

Result<TensorMessageParts> make_tensor_message_parts(const Tensor& tensor, MemoryPool* pool) {
  TensorMessageParts parts;
  std::array<std::int64_t, 64> strides;
  const std::int64_t bytes = tensor.size() * tensor.element_size();
  if (tensor.is_contiguous()) {
    ARROWPACK_ASSIGN_OR_RAISE(parts.body, tensor.data()->slice(0, bytes));
    canonical_strides(tensor, strides.data());
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(auto row_major, tensor.to_row_major(pool));
    parts.body = row_major->data();
    std::copy(row_major->strides().begin(), row_major->strides().end(), strides.begin());
  }
  ARROWPACK_ASSIGN_OR_RAISE(parts.metadata, tensor_metadata(tensor, strides.data(), bytes, pool));
  return parts;
}

Result<std::int64_t> write_tensor_message(const TensorMessageParts& parts, io::OutputStream* sink) {
  const std::int64_t meta = parts.metadata->size();
  const std::int64_t padded = padded_metadata_size(meta);
  const auto len = static_cast<std::int32_t>(padded);
  std::string head;
  head.reserve(static_cast<std::size_t>(8 + padded));
  head.append(reinterpret_cast<const char*>(&internal::kContinuation), 4);
  head.append(reinterpret_cast<const char*>(&len), 4);
  head.append(reinterpret_cast<const char*>(parts.metadata->data()), static_cast<std::size_t>(meta));
  head.append(static_cast<std::size_t>(padded - meta), '\0');
  ARROWPACK_RETURN_NOT_OK(sink->write(head));
  if (parts.body && parts.body->size() > 0) ARROWPACK_RETURN_NOT_OK(sink->write(parts.body));
  return parts.encapsulated_size();
}

Result<std::unique_ptr<Message>> make_tensor_message(const Tensor& tensor, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto parts, make_tensor_message_parts(tensor, pool));
  return Message::open(std::move(parts.metadata), std::move(parts.body));
}

Result<std::int64_t> write_tensor(const Tensor& tensor, io::OutputStream* sink, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto parts, make_tensor_message_parts(tensor, pool));
  return write_tensor_message(parts, sink);
}

Result<std::int64_t> tensor_message_size(const Tensor& tensor) {
  // The metadata does not depend on the data: build it over the strides that would be written.
  std::array<std::int64_t, 64> strides;
  canonical_strides(tensor, strides.data());
  const std::int64_t bytes = tensor.size() * tensor.element_size();
  ARROWPACK_ASSIGN_OR_RAISE(auto metadata, tensor_metadata(tensor, strides.data(), bytes, default_memory_pool()));
  return 8 + padded_metadata_size(metadata->size()) + bytes;
}

Result<TensorPtr> read_tensor(const Message& message) {
  return catch_exceptions("reading a Tensor message", [&]() -> Result<TensorPtr> {
    if (message.type() != MessageType::kTensor) {
      return Status::Invalid("expected a Tensor message, got ", message_type_name(message.type()));
    }
    const auto* t = static_cast<const fb::Message*>(message.flatbuffer())->header_as_Tensor();
    internal::DecodeBudget budget(message.metadata()->size());
    ARROWPACK_ASSIGN_OR_RAISE(auto type, internal::type_from_flatbuffer(t->type_type(), t->type(), {}, &budget));
    if (!is_tensor_type(*type)) {
      return Status::TypeError("tensor of ", type->to_string(), ": only integers and floats are supported");
    }
    std::vector<std::int64_t> shape;
    std::vector<std::string> names;
    ARROWPACK_RETURN_NOT_OK(internal::dims_from_flatbuffer(t->shape(), "tensor", &budget, &shape, &names));
    std::vector<std::int64_t> strides;
    if (const auto* s = t->strides()) {
      for (flatbuffers::uoffset_t i = 0; i < s->size(); ++i) strides.push_back(internal::load_scalar(s, i));
      if (strides.size() != shape.size()) {
        return Status::Invalid("tensor has ", shape.size(), " dimensions but ", strides.size(), " strides");
      }
    }
    const std::int64_t length = t->data()->length();
    ARROWPACK_ASSIGN_OR_RAISE(auto data, internal::body_slice(message, t->data()->offset(), length, "tensor data"));
    // The body is 8-byte aligned (Message::open copies it when not), enough for any element.
    ARROWPACK_ASSIGN_OR_RAISE(auto tensor, Tensor::make(std::move(type), std::move(data), std::move(shape),
                                                        std::move(strides), std::move(names)));
    // Writers give every element bytes of its own. Strides that make elements share memory
    // (zero strides) would let a few bytes stand for 2^60 elements: everything that visits
    // them (printing, to_row_major, equals) would work without end.
    if (tensor->element_size() > 0 && tensor->size() > length / tensor->element_size()) {
      return Status::Invalid("tensor of ", tensor->size(), " elements of ", tensor->element_size(), " bytes over ",
                             length, " bytes of data: its strides make elements share memory");
    }
    return tensor;
  });
}

Result<TensorPtr> read_tensor(io::InputStream* source, const IpcReadOptions& options) {
  ARROWPACK_ASSIGN_OR_RAISE(auto message, read_message(source, options));
  if (!message) return Status::Invalid("end of stream where a Tensor message was expected");
  return read_tensor(*message);
}

}  // namespace arrowpack::ipc

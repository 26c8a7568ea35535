// SparseTensor IPC messages, byte-compatible with arrow::ipc::WriteSparseTensor /
// ReadSparseTensor (format/SparseTensor.fbs).
//
// The body holds the index buffers, then the values, each padded to 8 bytes. The metadata
// records each as {offset, padded length}, except the index buffers of CSF, whose lengths
// Arrow C++ records as element counts: written so, and read so.
#include <array>
#include <cstring>

#include "arrowpack/core/ipc/tensor.h"
#include "arrowpack/core/sparse_tensor.h"
#include "arrowpack/core/util.h"
#include "ipc/metadata_internal.h"

namespace arrowpack::ipc {
namespace {

std::int64_t pad8(std::int64_t n) { return util::round_up(n, 8); }

// The bytes of a contiguous tensor, or a row-major copy of one that is not.
Result<std::shared_ptr<Buffer>> contiguous_bytes(const Tensor& t, MemoryPool* pool) {
  if (t.is_contiguous()) return t.data()->slice(0, t.size() * t.element_size());
  ARROWPACK_ASSIGN_OR_RAISE(auto copy, t.to_row_major(pool));
  return copy->data();
}

flatbuffers::Offset<fb::Int> index_type(internal::FBB& fbb, const Tensor& t) {
  return fb::CreateInt(fbb, static_cast<std::int32_t>(t.type()->bit_width()), t.type()->is_signed_integer());
}

// The flatbuffer Message, built in Arrow C++'s order (MakeSparseTensor): value type,
// dimensions (name, then TensorDim), shape, the index, the SparseTensor, the Message.
Result<std::shared_ptr<Buffer>> sparse_metadata(const SparseTensor& st,
                                                const std::vector<std::shared_ptr<Buffer>>& body,
                                                const std::vector<std::int64_t>& coo_strides, MemoryPool* pool) {
  thread_local internal::FBB fbb(1024);
  fbb.Clear();
  ARROWPACK_ASSIGN_OR_RAISE(auto type, internal::type_to_flatbuffer(fbb, *st.type()));
  std::array<flatbuffers::Offset<fb::TensorDim>, 64> dims;  // SparseTensor caps ndim at 64
  for (int i = 0; i < st.ndim(); ++i) {
    const auto name = fbb.CreateString(st.dim_name(i));  // empty names are written too
    dims[static_cast<std::size_t>(i)] = fb::CreateTensorDim(fbb, st.shape()[static_cast<std::size_t>(i)], name);
  }
  auto shape = fbb.CreateVector(dims.data(), static_cast<std::size_t>(st.ndim()));
  // Where each body buffer goes: offsets advance by the padded sizes.
  std::vector<fb::Buffer> where;
  std::int64_t offset = 0;
  for (const auto& b : body) {
    where.emplace_back(offset, pad8(b->size()));
    offset += pad8(b->size());
  }
  const std::int64_t body_length = offset;
  fb::SparseTensorIndex index_kind = fb::SparseTensorIndex::NONE;
  flatbuffers::Offset<void> index;
  switch (st.format()) {
    case SparseFormat::kCoo: {
      auto indices_type = index_type(fbb, *st.indices());
      auto strides = fbb.CreateVector(coo_strides);
      index_kind = fb::SparseTensorIndex::SparseTensorIndexCOO;
      index = fb::CreateSparseTensorIndexCOO(fbb, indices_type, strides, &where[0], st.is_canonical()).Union();
      break;
    }
    case SparseFormat::kCsr:
    case SparseFormat::kCsc: {
      auto indptr_type = index_type(fbb, *st.indptr());
      auto indices_type = index_type(fbb, *st.indices());
      index_kind = fb::SparseTensorIndex::SparseMatrixIndexCSX;
      const auto axis = st.format() == SparseFormat::kCsr ? fb::SparseMatrixCompressedAxis::Row
                                                          : fb::SparseMatrixCompressedAxis::Column;
      index = fb::CreateSparseMatrixIndexCSX(fbb, axis, indptr_type, &where[0], indices_type, &where[1]).Union();
      break;
    }
    case SparseFormat::kCsf: {
      // (one level has no index pointers: their type is then the indices')
      const Tensor& first_indptr = st.csf_indptr().empty() ? *st.csf_indices().front() : *st.csf_indptr().front();
      auto indptr_type = index_type(fbb, first_indptr);
      auto indices_type = index_type(fbb, *st.csf_indices().front());
      // Arrow C++ records the CSF index buffers' lengths as element counts.
      std::vector<fb::Buffer> indptr, indices;
      std::size_t k = 0;
      for (const auto& t : st.csf_indptr()) indptr.emplace_back(where[k++].offset(), t->size());
      for (const auto& t : st.csf_indices()) indices.emplace_back(where[k++].offset(), t->size());
      auto indices_vec = fbb.CreateVectorOfStructs(indices);  // indices before indptr, as Arrow C++
      auto indptr_vec = fbb.CreateVectorOfStructs(indptr);
      std::vector<std::int32_t> order(st.axis_order().begin(), st.axis_order().end());
      auto order_vec = fbb.CreateVector(order);
      index_kind = fb::SparseTensorIndex::SparseTensorIndexCSF;
      index =
          fb::CreateSparseTensorIndexCSF(fbb, indptr_type, indptr_vec, indices_type, indices_vec, order_vec).Union();
      break;
    }
  }
  auto t = fb::CreateSparseTensor(fbb, type.first, type.second, shape, st.non_zero_length(), index_kind, index,
                                  &where.back());
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::SparseTensor, t.Union(), body_length));
  return internal::finish_to_buffer(fbb, pool);
}

// Where the decoder finds body buffer k (in body order), whose metadata entry is `loc` and
// which must hold `bytes` (an element count times the width for CSF index buffers): a
// slice of a message's body, or the k-th of separate buffers (pyarrow's components, whose
// offsets are not consulted).
struct Body {
  const Message* message = nullptr;
  const std::vector<std::shared_ptr<Buffer>>* parts = nullptr;
  MemoryPool* pool = nullptr;

  Result<std::shared_ptr<Buffer>> get(std::size_t k, const fb::Buffer* loc, std::int64_t bytes) const {
    if (message) {
      if (loc->offset() % 8 != 0) {
        return Status::Invalid("sparse tensor buffer at offset ", loc->offset(), " is not 8-byte aligned");
      }
      return internal::body_slice(*message, loc->offset(), bytes, "sparse tensor buffer");
    }
    if (k >= parts->size()) {
      return Status::Invalid("sparse tensor needs body buffer ", k, ", only ", parts->size(), " were given");
    }
    std::shared_ptr<Buffer> b = (*parts)[k];
    if (!b || b->size() < bytes) {
      return Status::Invalid("sparse tensor body buffer ", k, " holds ", b ? b->size() : 0, " bytes, ", bytes,
                             " are needed");
    }
    return internal::ensure_aligned(std::move(b), 8, pool);
  }
};

Result<DataTypePtr> index_type_from(const fb::Int* t, const char* what) {
  if (t == nullptr) return Status::Invalid("sparse tensor without its ", what, " type");
  switch (t->bitWidth()) {
    case 8: return t->is_signed() ? int8() : uint8();
    case 16: return t->is_signed() ? int16() : uint16();
    case 32: return t->is_signed() ? int32() : uint32();
    case 64: return t->is_signed() ? int64() : uint64();
    default: return Status::Invalid("sparse tensor ", what, " of ", t->bitWidth(), "-bit integers");
  }
}

// A 1-d index tensor of `n` elements of `type` over body buffer k. The element count is
// checked against the input before the buffer is taken.
Result<TensorPtr> index_vector(const Body& body, std::size_t k, const fb::Buffer* loc, const DataTypePtr& type,
                               std::int64_t n) {
  std::int64_t bytes = 0;
  if (n < 0 || util::mul_overflows(n, type->byte_width(), &bytes)) {
    return Status::Invalid("sparse tensor index of ", n, " entries");
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto data, body.get(k, loc, bytes));
  return Tensor::make(type, std::move(data), {n});
}

Result<SparseTensorPtr> decode(const fb::SparseTensor* st, const Body& body, std::int64_t metadata_size) {
  internal::DecodeBudget budget(metadata_size);
  if (st == nullptr) return Status::Invalid("SparseTensor message without its header");
  ARROWPACK_ASSIGN_OR_RAISE(auto type, internal::type_from_flatbuffer(st->type_type(), st->type(), {}, &budget));
  if (!is_tensor_type(*type)) {
    return Status::TypeError("sparse tensor of ", type->to_string(), ": only integers and floats are supported");
  }
  std::vector<std::int64_t> shape;
  std::vector<std::string> names;
  ARROWPACK_RETURN_NOT_OK(internal::dims_from_flatbuffer(st->shape(), "sparse tensor", &budget, &shape, &names));
  const std::int64_t nnz = st->non_zero_length();
  const auto nd = static_cast<std::int64_t>(shape.size());
  std::int64_t value_bytes = 0;
  if (nnz < 0 || util::mul_overflows(nnz, type->byte_width(), &value_bytes)) {
    return Status::Invalid("sparse tensor of ", nnz, " non-zero values");
  }
  const fb::Buffer* data_loc = st->data();
  SparseTensorPtr out;
  switch (st->sparseIndex_type()) {
    case fb::SparseTensorIndex::SparseTensorIndexCOO: {
      const auto* coo = st->sparseIndex_as_SparseTensorIndexCOO();
      ARROWPACK_ASSIGN_OR_RAISE(auto itype, index_type_from(coo->indicesType(), "COO indices"));
      std::int64_t count = 0, bytes = 0;
      if (util::mul_overflows(nnz, nd, &count) || util::mul_overflows(count, itype->byte_width(), &bytes)) {
        return Status::Invalid("COO index of ", nnz, " x ", nd, " entries");
      }
      ARROWPACK_ASSIGN_OR_RAISE(auto idata, body.get(0, coo->indicesBuffer(), bytes));
      std::vector<std::int64_t> strides;
      if (const auto* s = coo->indicesStrides(); s != nullptr && s->size() > 0) {
        if (s->size() != 2) return Status::Invalid("COO indices have ", s->size(), " strides, not 2");
        strides = {internal::load_scalar(s, 0), internal::load_scalar(s, 1)};
      }
      ARROWPACK_ASSIGN_OR_RAISE(auto indices, Tensor::make(itype, std::move(idata), {nnz, nd}, std::move(strides)));
      // Row- or column-major, as Arrow C++ requires: no strides that make coordinates share
      // bytes (a few bytes standing for 2^60 coordinates to check).
      if (!indices->is_contiguous()) return Status::Invalid("COO indices are not contiguous");
      ARROWPACK_ASSIGN_OR_RAISE(auto values, body.get(1, data_loc, value_bytes));
      ARROWPACK_ASSIGN_OR_RAISE(out, SparseTensor::make_coo(std::move(type), std::move(values), std::move(shape),
                                                            std::move(indices), coo->isCanonical(), std::move(names)));
      break;
    }
    case fb::SparseTensorIndex::SparseMatrixIndexCSX: {
      const auto* csx = st->sparseIndex_as_SparseMatrixIndexCSX();
      const bool rows = csx->compressedAxis() == fb::SparseMatrixCompressedAxis::Row;
      if (!rows && csx->compressedAxis() != fb::SparseMatrixCompressedAxis::Column) {
        return Status::Invalid("sparse matrix compressed along axis ", static_cast<int>(csx->compressedAxis()));
      }
      if (nd != 2) return Status::Invalid("sparse matrix of ", nd, " dimensions, not 2");
      ARROWPACK_ASSIGN_OR_RAISE(auto ptype, index_type_from(csx->indptrType(), "index pointers"));
      ARROWPACK_ASSIGN_OR_RAISE(auto itype, index_type_from(csx->indicesType(), "indices"));
      const std::int64_t compressed = shape[rows ? 0 : 1];
      if (compressed < 0 || compressed == INT64_MAX) return Status::Invalid("sparse matrix of ", compressed, " rows");
      ARROWPACK_ASSIGN_OR_RAISE(auto indptr, index_vector(body, 0, csx->indptrBuffer(), ptype, compressed + 1));
      ARROWPACK_ASSIGN_OR_RAISE(auto indices, index_vector(body, 1, csx->indicesBuffer(), itype, nnz));
      ARROWPACK_ASSIGN_OR_RAISE(auto values, body.get(2, data_loc, value_bytes));
      ARROWPACK_ASSIGN_OR_RAISE(out, SparseTensor::make_csx(rows ? SparseFormat::kCsr : SparseFormat::kCsc,
                                                            std::move(type), std::move(values), std::move(shape),
                                                            std::move(indptr), std::move(indices), std::move(names)));
      break;
    }
    case fb::SparseTensorIndex::SparseTensorIndexCSF: {
      const auto* csf = st->sparseIndex_as_SparseTensorIndexCSF();
      ARROWPACK_ASSIGN_OR_RAISE(auto ptype, index_type_from(csf->indptrType(), "CSF index pointers"));
      ARROWPACK_ASSIGN_OR_RAISE(auto itype, index_type_from(csf->indicesType(), "CSF indices"));
      const auto* ptr_locs = csf->indptrBuffers();
      const auto* idx_locs = csf->indicesBuffers();
      const auto* order = csf->axisOrder();
      if (nd == 0 || static_cast<std::int64_t>(idx_locs->size()) != nd ||
          static_cast<std::int64_t>(ptr_locs->size()) != nd - 1 || static_cast<std::int64_t>(order->size()) != nd) {
        return Status::Invalid("CSF sparse tensor of ", nd, " dimensions with ", idx_locs->size(), " index levels, ",
                               ptr_locs->size(), " index pointer levels and an axis order of ", order->size());
      }
      // Level i has indicesBuffers[i].length entries (Arrow C++ records counts there), and
      // its index pointers one more.
      std::vector<TensorPtr> indptr, indices;
      for (std::int64_t i = 0; i + 1 < nd; ++i) {
        const fb::Buffer* loc = ptr_locs->Get(static_cast<flatbuffers::uoffset_t>(i));
        const std::int64_t n = idx_locs->Get(static_cast<flatbuffers::uoffset_t>(i))->length();
        if (n < 0 || n == INT64_MAX) return Status::Invalid("CSF level ", i, " of ", n, " entries");
        ARROWPACK_ASSIGN_OR_RAISE(auto t, index_vector(body, static_cast<std::size_t>(i), loc, ptype, n + 1));
        indptr.push_back(std::move(t));
      }
      for (std::int64_t i = 0; i < nd; ++i) {
        const fb::Buffer* loc = idx_locs->Get(static_cast<flatbuffers::uoffset_t>(i));
        ARROWPACK_ASSIGN_OR_RAISE(auto t,
                                  index_vector(body, static_cast<std::size_t>(nd - 1 + i), loc, itype, loc->length()));
        indices.push_back(std::move(t));
      }
      std::vector<std::int64_t> axis_order;
      for (flatbuffers::uoffset_t i = 0; i < order->size(); ++i) axis_order.push_back(internal::load_scalar(order, i));
      ARROWPACK_ASSIGN_OR_RAISE(auto values, body.get(static_cast<std::size_t>(2 * nd - 1), data_loc, value_bytes));
      ARROWPACK_ASSIGN_OR_RAISE(
          out, SparseTensor::make_csf(std::move(type), std::move(values), std::move(shape), std::move(indptr),
                                      std::move(indices), std::move(axis_order), std::move(names)));
      break;
    }
    default: return Status::Invalid("unknown sparse tensor index kind ", static_cast<int>(st->sparseIndex_type()));
  }
  if (out->non_zero_length() != nnz) {
    return Status::Invalid("sparse tensor says it has ", nnz, " non-zero values, its index holds ",
                           out->non_zero_length());
  }
  return out;
}

// The verified Message flatbuffer of `metadata` (8-byte aligned), which must hold a
// SparseTensor.
Result<const fb::Message*> verified_sparse_message(const Buffer& metadata, const IpcReadOptions& options) {
  ARROWPACK_RETURN_NOT_OK(
      internal::verify_flatbuffer(metadata, options.limits, &fb::VerifyMessageBuffer, "message metadata", "Message"));
  const fb::Message* m = fb::GetMessage(metadata.data());
  if (m->header_type() != fb::MessageHeader::SparseTensor || m->header() == nullptr) {
    return Status::Invalid("expected a SparseTensor message, got header type ", static_cast<int>(m->header_type()));
  }
  return m;
}

}  // namespace

std::int64_t SparseTensorMessageParts::body_length() const {
  std::int64_t n = 0;
  for (const auto& b : body) n += pad8(b->size());
  return n;
}

std::int64_t SparseTensorMessageParts::encapsulated_size() const { return 8 + pad8(metadata->size()) + body_length(); }

Result<SparseTensorMessageParts> make_sparse_tensor_message_parts(const SparseTensor& tensor, MemoryPool* pool) {
  SparseTensorMessageParts parts;
  std::vector<std::int64_t> coo_strides;
  switch (tensor.format()) {
    case SparseFormat::kCoo: {
      const Tensor& idx = *tensor.indices();
      if (idx.is_contiguous()) {
        // the strides recorded are the tensor's own (row-major for what Arrow C++ makes)
        ARROWPACK_ASSIGN_OR_RAISE(auto bytes, contiguous_bytes(idx, pool));
        parts.body.push_back(std::move(bytes));
        coo_strides = idx.is_row_major() ? Tensor::row_major_strides(idx.shape(), idx.element_size())
                                         : Tensor::column_major_strides(idx.shape(), idx.element_size());
      } else {
        ARROWPACK_ASSIGN_OR_RAISE(auto row_major, idx.to_row_major(pool));
        parts.body.push_back(row_major->data());
        coo_strides = row_major->strides();
      }
      break;
    }
    case SparseFormat::kCsr:
    case SparseFormat::kCsc: {
      ARROWPACK_ASSIGN_OR_RAISE(auto indptr, contiguous_bytes(*tensor.indptr(), pool));
      ARROWPACK_ASSIGN_OR_RAISE(auto indices, contiguous_bytes(*tensor.indices(), pool));
      parts.body.push_back(std::move(indptr));
      parts.body.push_back(std::move(indices));
      break;
    }
    case SparseFormat::kCsf:
      for (const auto& t : tensor.csf_indptr()) {
        ARROWPACK_ASSIGN_OR_RAISE(auto b, contiguous_bytes(*t, pool));
        parts.body.push_back(std::move(b));
      }
      for (const auto& t : tensor.csf_indices()) {
        ARROWPACK_ASSIGN_OR_RAISE(auto b, contiguous_bytes(*t, pool));
        parts.body.push_back(std::move(b));
      }
      break;
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto values,
                            tensor.data()->slice(0, tensor.non_zero_length() * tensor.type()->byte_width()));
  parts.body.push_back(std::move(values));
  ARROWPACK_ASSIGN_OR_RAISE(parts.metadata, sparse_metadata(tensor, parts.body, coo_strides, pool));
  return parts;
}

Result<std::int64_t> write_sparse_tensor_message(const SparseTensorMessageParts& parts, io::OutputStream* sink) {
  static const std::uint8_t kZeros[8] = {};
  const std::int64_t meta = parts.metadata->size();
  const auto len = static_cast<std::int32_t>(pad8(meta));
  ARROWPACK_RETURN_NOT_OK(sink->write(&internal::kContinuation, 4));
  ARROWPACK_RETURN_NOT_OK(sink->write(&len, 4));
  ARROWPACK_RETURN_NOT_OK(sink->write(parts.metadata->data(), meta));
  ARROWPACK_RETURN_NOT_OK(sink->write(kZeros, pad8(meta) - meta));
  for (const auto& b : parts.body) {
    if (b->size() > 0) ARROWPACK_RETURN_NOT_OK(sink->write(b));
    ARROWPACK_RETURN_NOT_OK(sink->write(kZeros, pad8(b->size()) - b->size()));
  }
  return parts.encapsulated_size();
}

Result<std::int64_t> write_sparse_tensor(const SparseTensor& tensor, io::OutputStream* sink, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto parts, make_sparse_tensor_message_parts(tensor, pool));
  return write_sparse_tensor_message(parts, sink);
}

Result<SparseTensorPtr> read_sparse_tensor(const Message& message) {
  return catch_exceptions("reading a SparseTensor message", [&]() -> Result<SparseTensorPtr> {
    if (message.type() != MessageType::kSparseTensor) {
      return Status::Invalid("expected a SparseTensor message, got ", message_type_name(message.type()));
    }
    const auto* st = static_cast<const fb::Message*>(message.flatbuffer())->header_as_SparseTensor();
    return decode(st, Body{&message, nullptr, nullptr}, message.metadata()->size());
  });
}

Result<SparseTensorPtr> read_sparse_tensor(io::InputStream* source, const IpcReadOptions& options) {
  ARROWPACK_ASSIGN_OR_RAISE(auto message, read_message(source, options));
  if (!message) return Status::Invalid("end of stream where a SparseTensor message was expected");
  return read_sparse_tensor(*message);
}

Result<SparseTensorPtr> read_sparse_tensor(std::shared_ptr<Buffer> metadata,
                                           const std::vector<std::shared_ptr<Buffer>>& body,
                                           const IpcReadOptions& options) {
  return catch_exceptions("reading a SparseTensor message", [&]() -> Result<SparseTensorPtr> {
    if (!metadata) return Status::Invalid("sparse tensor without metadata");
    ARROWPACK_ASSIGN_OR_RAISE(metadata, internal::ensure_aligned(std::move(metadata), 8, options.pool));
    ARROWPACK_ASSIGN_OR_RAISE(const fb::Message* m, verified_sparse_message(*metadata, options));
    ARROWPACK_ASSIGN_OR_RAISE(
        auto out, decode(m->header_as_SparseTensor(), Body{nullptr, &body, options.pool}, metadata->size()));
    const std::size_t expected = sparse_tensor_body_buffers(*out);
    if (body.size() != expected) {
      return Status::Invalid("a ", sparse_format_name(out->format()), " sparse tensor of ", out->ndim(),
                             " dimensions has ", expected, " body buffers, ", body.size(), " were given");
    }
    return out;
  });
}

Result<std::size_t> sparse_tensor_body_buffers(std::shared_ptr<Buffer> metadata, const IpcReadOptions& options) {
  return catch_exceptions("reading a SparseTensor message", [&]() -> Result<std::size_t> {
    if (!metadata) return Status::Invalid("sparse tensor without metadata");
    ARROWPACK_ASSIGN_OR_RAISE(metadata, internal::ensure_aligned(std::move(metadata), 8, options.pool));
    ARROWPACK_ASSIGN_OR_RAISE(const fb::Message* m, verified_sparse_message(*metadata, options));
    const fb::SparseTensor* st = m->header_as_SparseTensor();
    const std::size_t ndim = st->shape() ? st->shape()->size() : 0;
    switch (st->sparseIndex_type()) {
      case fb::SparseTensorIndex::SparseTensorIndexCOO: return std::size_t{2};
      case fb::SparseTensorIndex::SparseMatrixIndexCSX: return std::size_t{3};
      case fb::SparseTensorIndex::SparseTensorIndexCSF:
        if (ndim == 0 || ndim > 64) return Status::Invalid("CSF sparse tensor of ", ndim, " dimensions");
        return 2 * ndim;
      default: return Status::Invalid("unknown sparse tensor index kind ", static_cast<int>(st->sparseIndex_type()));
    }
  });
}

std::size_t sparse_tensor_body_buffers(const SparseTensor& tensor) {
  switch (tensor.format()) {
    case SparseFormat::kCoo: return 2;
    case SparseFormat::kCsr:
    case SparseFormat::kCsc: return 3;
    case SparseFormat::kCsf: return static_cast<std::size_t>(2 * tensor.ndim());
  }
  return 0;
}

}  // namespace arrowpack::ipc

// Writing IPC messages, streams and files. Body buffers are written straight from the
// arrays' memory; only sliced arrays whose offsets must be rebased get new buffers.
#include <array>
#include <bit>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "appendable_internal.h"
#include "array_internal.h"
#include "arrowpack/core/hash.h"
#include "arrowpack/core/ipc/writer.h"
#include "arrowpack/core/util.h"
#include "ipc/metadata_internal.h"

namespace arrowpack::ipc {

using util::bytes_for_bits;
using util::round_up;

namespace {

constexpr std::uint8_t kZeros[64] = {};

Status write_zeros(io::OutputStream* sink, std::int64_t n) {
  while (n > 0) {
    const std::int64_t chunk = std::min<std::int64_t>(n, sizeof(kZeros));
    ARROWPACK_RETURN_NOT_OK(sink->write(kZeros, chunk));
    n -= chunk;
  }
  return Status::OK();
}

Status check_alignment(std::int32_t alignment) {
  if (alignment != 8 && alignment != 16 && alignment != 32 && alignment != 64) {
    return Status::Invalid("IPC alignment must be 8, 16, 32 or 64, got ", alignment);
  }
  return Status::OK();
}

// Collects the FieldNodes and body buffers of a record batch, in the order the spec walks
// the schema (depth-first, pre-order).
class PayloadAssembler {
 public:
  explicit PayloadAssembler(const IpcWriteOptions& options) : options_(options) {}

  Status visit(const Array& array) {
    const ArrayData& d = *array.data();
    const DataType& t = *d.type;
    nodes_.emplace_back(d.length, t.is_union() ? 0 : d.null_count);
    // The validity bitmap first, for the types whose layout has one (not null, union and
    // run-end-encoded arrays).
    if (t.info().has_validity()) {
      ARROWPACK_RETURN_NOT_OK(add_bitmap(d.null_count > 0 ? d.buffers[0] : nullptr, d.offset, d.length));
    }
    switch (t.id()) {
      case TypeId::kNull: return Status::OK();  // no buffers on the wire
      case TypeId::kSparseUnion:
      case TypeId::kDenseUnion: {
        ARROWPACK_RETURN_NOT_OK(add_slice(d.buffers[1], d.offset, d.length));
        if (t.id() == TypeId::kDenseUnion) {
          // Offsets point into whole children, so children are written unsliced.
          ARROWPACK_RETURN_NOT_OK(add_slice(d.buffers[2], d.offset * 4, d.length * 4));
          for (const auto& c : d.children) ARROWPACK_RETURN_NOT_OK(visit(Array(c)));
        } else {
          for (const auto& c : d.children) ARROWPACK_RETURN_NOT_OK(visit_sliced(c, d.offset, d.length));
        }
        return Status::OK();
      }
      case TypeId::kRunEndEncoded: return visit_run_end_encoded(array);
      case TypeId::kBool: return add_bitmap(d.buffers[1], d.offset, d.length);
      case TypeId::kString:
      case TypeId::kLargeString:
      case TypeId::kBinary:
      case TypeId::kLargeBinary: {
        std::int64_t first = 0, last = 0;
        ARROWPACK_RETURN_NOT_OK(add_offsets(array, &first, &last));
        return add_slice(d.buffers[2], first, last - first);
      }
      case TypeId::kList:
      case TypeId::kLargeList:
      case TypeId::kMap: {
        std::int64_t first = 0, last = 0;
        ARROWPACK_RETURN_NOT_OK(add_offsets(array, &first, &last));
        return visit_sliced(d.children[0], first, last - first);
      }
      case TypeId::kFixedSizeList: {
        const std::int64_t n = t.fixed_size();
        return visit_sliced(d.children[0], d.offset * n, d.length * n);
      }
      case TypeId::kStruct:
        for (const auto& c : d.children) ARROWPACK_RETURN_NOT_OK(visit_sliced(c, d.offset, d.length));
        return Status::OK();
      case TypeId::kBinaryView:
      case TypeId::kStringView: {
        // The views of the slice and every data buffer (views point into them by index).
        ARROWPACK_RETURN_NOT_OK(add_slice(d.buffers[1], d.offset * 16, d.length * 16));
        for (std::size_t k = 2; k < d.buffers.size(); ++k) ARROWPACK_RETURN_NOT_OK(add(d.buffers[k]));
        variadic_counts_.push_back(static_cast<std::int64_t>(d.buffers.size()) - 2);
        return Status::OK();
      }
      case TypeId::kListView:
      case TypeId::kLargeListView: {
        // Offsets point into the whole child, so it is written unsliced.
        const std::int64_t w = t.has_large_offsets() ? 8 : 4;
        ARROWPACK_RETURN_NOT_OK(add_slice(d.buffers[1], d.offset * w, d.length * w));
        ARROWPACK_RETURN_NOT_OK(add_slice(d.buffers[2], d.offset * w, d.length * w));
        return visit(Array(d.children[0]));
      }
      case TypeId::kDictionary: {
        // Only the indices: the dictionary travels in its own dictionary batch.
        const std::int64_t w = t.index_type()->byte_width();
        return add_slice(d.buffers[1], d.offset * w, d.length * w);
      }
        ARROWPACK_FIXED_WIDTH_CASES {
          const std::int64_t w = t.byte_width();
          return add_slice(d.buffers[1], d.offset * w, d.length * w);
        }
    }
    return Status::OK();
  }

  std::vector<fb::FieldNode> nodes_;
  std::vector<std::int64_t> variadic_counts_;  // data buffers of each view array, in order
  std::vector<fb::Buffer> buffer_specs_;
  std::vector<std::shared_ptr<Buffer>> buffers_;
  std::vector<std::int64_t> padding_;
  std::int64_t body_length_ = 0;

 private:
  // Run-end encoded: no buffers; the children hold the runs of the logical slice, their ends
  // rebased to it when the array is sliced.
  Status visit_run_end_encoded(const Array& array) {
    const ArrayData& d = *array.data();
    const Array run_ends(d.children[0]);
    if (d.length == 0) {
      ARROWPACK_ASSIGN_OR_RAISE(auto no_ends, run_ends.slice(0, 0));
      ARROWPACK_RETURN_NOT_OK(visit(no_ends));
      return visit(Array(d.children[1]).slice(0, 0).value_or(Array(d.children[1])));
    }
    const std::int64_t first = array.physical_index(0), last = array.physical_index(d.length - 1);
    const bool as_is = d.offset == 0 && first == 0 && last + 1 == run_ends.length() &&
                       arrowpack::internal::run_end_at(run_ends, last) == d.length;
    if (as_is) {
      ARROWPACK_RETURN_NOT_OK(visit(run_ends));
      return visit(Array(d.children[1]));
    }
    const std::int64_t width = run_ends.type()->byte_width();
    ARROWPACK_ASSIGN_OR_RAISE(auto ends, allocate_buffer((last - first + 1) * width, options_.pool));
    for (std::int64_t k = first; k <= last; ++k) {
      const std::int64_t end = std::min(arrowpack::internal::run_end_at(run_ends, k) - d.offset, d.length);
      std::memcpy(ends->mutable_data() + (k - first) * width, &end, static_cast<std::size_t>(width));
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto rebased, Array::make(run_ends.type(), last - first + 1,
                                                        {nullptr, std::shared_ptr<Buffer>(std::move(ends))}, {}, 0));
    ARROWPACK_RETURN_NOT_OK(visit(rebased));
    return visit_sliced(d.children[1], first, last - first + 1);
  }

  Status visit_sliced(const std::shared_ptr<ArrayData>& child, std::int64_t offset, std::int64_t length) {
    const Array c(child);
    if (offset == 0 && length == c.length()) return visit(c);
    ARROWPACK_ASSIGN_OR_RAISE(auto sliced, c.slice(offset, length));
    return visit(sliced);
  }

  Status add(std::shared_ptr<Buffer> buffer) {
    std::int64_t size = buffer ? buffer->size() : 0;
    if (options_.compression != Compression::kUncompressed && size > 0) {
      // Each buffer: its uncompressed length as an int64, then the compressed bytes; -1 and
      // the bytes as they are when compressing saves less than min_space_savings.
      ARROWPACK_ASSIGN_OR_RAISE(auto compressed,
                                compress(options_.compression, *buffer, options_.compression_level, options_.pool));
      std::int64_t prefix = size;
      const double savings = 1.0 - static_cast<double>(compressed->size()) / static_cast<double>(size);
      if (options_.min_space_savings && savings < *options_.min_space_savings) {
        prefix = -1;
      } else {
        buffer = std::move(compressed);
      }
      ARROWPACK_ASSIGN_OR_RAISE(auto head, Buffer::copy_of(&prefix, 8, options_.pool));
      buffers_.push_back(std::move(head));
      padding_.push_back(0);
      size = 8 + buffer->size();
    }
    const std::int64_t padded = round_up(size, options_.alignment);
    buffer_specs_.emplace_back(body_length_, size);
    buffers_.push_back(std::move(buffer));
    padding_.push_back(padded - size);
    body_length_ += padded;
    return Status::OK();
  }

  Status add_slice(const std::shared_ptr<Buffer>& buffer, std::int64_t offset, std::int64_t length) {
    if (length == 0 || !buffer) return add(nullptr);
    ARROWPACK_ASSIGN_OR_RAISE(auto s, buffer->slice(offset, length));
    return add(std::move(s));
  }

  Status add_bitmap(const std::shared_ptr<Buffer>& bitmap, std::int64_t offset, std::int64_t length) {
    if (!bitmap || length == 0) return add(nullptr);
    if (offset % 8 == 0) return add_slice(bitmap, offset / 8, bytes_for_bits(length));
    // A bit offset that is not a byte boundary: shift the bits into a fresh buffer.
    ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_buffer(bytes_for_bits(length), options_.pool));
    util::copy_bits(bitmap->data(), offset, length, out->mutable_data());
    return add(std::move(out));
  }

  // Writes the offsets of [offset, offset + length) starting at zero; reports the range of
  // the child/data they cover.
  Status add_offsets(const Array& array, std::int64_t* first, std::int64_t* last) {
    const ArrayData& d = *array.data();
    const std::int64_t width = d.type->has_large_offsets() ? 8 : 4;
    if (d.length == 0) {
      // The spec wants length + 1 offsets even for an empty array; some readers insist.
      static const std::uint8_t kZeroOffset[8] = {};
      *first = *last = 0;
      return add(Buffer::wrap(kZeroOffset, width));
    }
    *first = array.value_offset(0);
    *last = array.value_offset(d.length);
    if (*first == 0) return add_slice(d.buffers[1], d.offset * width, (d.length + 1) * width);
    ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_buffer((d.length + 1) * width, options_.pool));
    for (std::int64_t i = 0; i <= d.length; ++i) {
      const std::int64_t v = array.value_offset(i) - *first;
      if (width == 8) {
        std::memcpy(out->mutable_data() + i * 8, &v, 8);
      } else {
        const auto v32 = static_cast<std::int32_t>(v);
        std::memcpy(out->mutable_data() + i * 4, &v32, 4);
      }
    }
    return add(std::move(out));
  }

  const IpcWriteOptions& options_;
};

Result<std::shared_ptr<Buffer>> message_flatbuffer(internal::FBB& fbb, fb::MessageHeader type,
                                                   flatbuffers::Offset<void> header, std::int64_t body_length,
                                                   MemoryPool* pool) {
  auto message = fb::CreateMessage(fbb, fb::MetadataVersion::V5, type, header, body_length);
  fbb.Finish(message);
  return internal::finish_to_buffer(fbb, pool);
}

}  // namespace

Result<std::shared_ptr<Buffer>> schema_metadata(const Schema& schema, MemoryPool* pool) {
  internal::FBB fbb;
  ARROWPACK_ASSIGN_OR_RAISE(auto s, internal::schema_to_flatbuffer(fbb, schema));
  return message_flatbuffer(fbb, fb::MessageHeader::Schema, s.Union(), 0, pool);
}

Result<std::unique_ptr<Message>> make_schema_message(const Schema& schema) {
  ARROWPACK_ASSIGN_OR_RAISE(auto metadata, schema_metadata(schema));
  return Message::open(std::move(metadata), nullptr);
}

namespace {

// The RecordBatch (or, with `dictionary_id`, DictionaryBatch) message of `columns`.
Result<RecordBatchPayload> make_payload(const std::vector<Array>& columns, std::int64_t num_rows,
                                        const IpcWriteOptions& options, std::int64_t dictionary_id = -1,
                                        bool is_delta = false) {
  ARROWPACK_RETURN_NOT_OK(check_alignment(options.alignment));
  PayloadAssembler assembler(options);
  for (const auto& column : columns) ARROWPACK_RETURN_NOT_OK(assembler.visit(column));
  internal::FBB fbb(256 + 48 * assembler.buffer_specs_.size());
  auto nodes = fbb.CreateVectorOfStructs(assembler.nodes_);
  auto buffers = fbb.CreateVectorOfStructs(assembler.buffer_specs_);
  flatbuffers::Offset<fb::BodyCompression> compression = 0;
  if (options.compression != Compression::kUncompressed) {
    compression = fb::CreateBodyCompression(
        fbb, options.compression == Compression::kZstd ? fb::CompressionType::ZSTD : fb::CompressionType::LZ4_FRAME,
        fb::BodyCompressionMethod::BUFFER);
  }
  flatbuffers::Offset<flatbuffers::Vector<std::int64_t>> variadic = 0;
  if (!assembler.variadic_counts_.empty()) variadic = fbb.CreateVector(assembler.variadic_counts_);
  auto rb = fb::CreateRecordBatch(fbb, num_rows, nodes, buffers, compression, variadic);
  RecordBatchPayload out;
  if (dictionary_id >= 0) {
    auto db = fb::CreateDictionaryBatch(fbb, dictionary_id, rb, is_delta);
    ARROWPACK_ASSIGN_OR_RAISE(out.metadata, message_flatbuffer(fbb, fb::MessageHeader::DictionaryBatch, db.Union(),
                                                               assembler.body_length_, options.pool));
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(out.metadata, message_flatbuffer(fbb, fb::MessageHeader::RecordBatch, rb.Union(),
                                                               assembler.body_length_, options.pool));
  }
  out.body_buffers = std::move(assembler.buffers_);
  out.body_padding = std::move(assembler.padding_);
  out.body_length = assembler.body_length_;
  return out;
}

// Whether `prefix`'s buffers are the starts of `d`'s at the same offset, so that its values
// are d's first ones without comparing them: a dictionary grown in place (unify_dictionaries,
// AppendableArray) seen against the one written before it.
bool views_prefix(const ArrayData& prefix, const ArrayData& d) {
  if (prefix.offset != d.offset || prefix.buffers.size() != d.buffers.size() || !prefix.children.empty() ||
      !d.children.empty() || !prefix.type->equals(*d.type)) {
    return false;
  }
  for (std::size_t i = 0; i < d.buffers.size(); ++i) {
    const auto& a = prefix.buffers[i];
    const auto& b = d.buffers[i];
    if (!a && !b) continue;
    if (!a || !b || a->data() != b->data()) return false;
  }
  return true;
}

// Whether `dict` starts with the values of `last` (the same dictionary, or one that grew).
bool extends(const Array& dict, const Array& last) {
  if (dict.data() == last.data()) return true;
  if (dict.length() < last.length()) return false;
  if (views_prefix(*last.data(), *dict.data())) return true;
  auto head = dict.slice(0, last.length());
  return head.ok() && head->equals(last);
}

// Every dictionary a batch uses, with its id, inner dictionaries (in the values of another
// dictionary) before the outer one so that a reader can resolve them in order.
void collect_dictionaries(const std::shared_ptr<ArrayData>& d, DictionaryMemo::FieldPath& path,
                          const DictionaryMemo& memo, std::vector<std::pair<std::int64_t, Array>>* out) {
  const bool encoded = d->type->id() == TypeId::kDictionary;
  const ArrayData& shape = encoded ? *d->dictionary : *d;
  for (std::size_t j = 0; j < shape.children.size(); ++j) {
    path.push_back(static_cast<int>(j));
    collect_dictionaries(shape.children[j], path, memo, out);
    path.pop_back();
  }
  if (encoded) {
    auto id = memo.id_for(path);
    if (id.ok()) out->emplace_back(*id, Array(d->dictionary));
  }
}

}  // namespace

namespace {

// The Message of an uncompressed RecordBatch, as the builder lays it out, has one shape per
// number of field nodes, number of buffers, and zero or not of num_rows and body_length (a
// zero scalar is left out of its table); the values sit at the same places in every message
// of one shape. So each thread keeps the last few messages it built, one per shape, and the
// next message of a shape is a copy with the values written in place (what the profile of
// small objects asked for: building the flatbuffer was a tenth of a W4 round trip).
struct MetadataShape {
  std::size_t nodes = 0, buffers = 0;
  bool rows = false, body = false;
  bool operator==(const MetadataShape&) const = default;
};

// Builds the message with flatbuffers, in the order make_payload() uses: the same bytes.
void build_record_batch_metadata(std::int64_t num_rows, std::span<const FieldNodeLayout> nodes,
                                 std::span<const BodyBufferLayout> buffers, std::int64_t body_length,
                                 std::vector<std::uint8_t>* out) {
  thread_local internal::FBB fbb(1024);
  fbb.Clear();
  // The vectors of structs are aligned to their 8-byte fields, as CreateVectorOfStructs
  // aligns them.
  thread_local std::vector<fb::FieldNode> node_specs;
  thread_local std::vector<fb::Buffer> buffer_specs;
  node_specs.clear();
  buffer_specs.clear();
  for (const auto& n : nodes) node_specs.emplace_back(n.length, n.null_count);
  for (const auto& b : buffers) buffer_specs.emplace_back(b.offset, b.length);
  auto node_vector = fbb.CreateVectorOfStructs(node_specs);
  auto buffer_vector = fbb.CreateVectorOfStructs(buffer_specs);
  auto rb = fb::CreateRecordBatch(fbb, num_rows, node_vector, buffer_vector, 0, 0);
  auto message =
      fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch, rb.Union(), body_length);
  fbb.Finish(message);
  // Zero padding to 8 behind the finished bytes (the builder grows downwards).
  const std::size_t size = fbb.GetSize(), padded = (size + 7) & ~std::size_t{7};
  out->assign(padded, 0);
  std::memcpy(out->data(), fbb.GetBufferPointer(), size);
}

// Writes the values into a copy of a message of their shape.
void patch_record_batch_metadata(std::int64_t num_rows, std::span<const FieldNodeLayout> nodes,
                                 std::span<const BodyBufferLayout> buffers, std::int64_t body_length,
                                 std::uint8_t* bytes) {
  fb::Message* message = fb::GetMutableMessage(bytes);
  if (body_length != 0) message->mutate_bodyLength(body_length);
  auto* batch = static_cast<fb::RecordBatch*>(message->mutable_header());
  if (num_rows != 0) batch->mutate_length(num_rows);
  auto* node_vector = batch->mutable_nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    fb::FieldNode* n = node_vector->GetMutableObject(static_cast<flatbuffers::uoffset_t>(i));
    n->mutate_length(nodes[i].length);
    n->mutate_null_count(nodes[i].null_count);
  }
  auto* buffer_vector = batch->mutable_buffers();
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    fb::Buffer* b = buffer_vector->GetMutableObject(static_cast<flatbuffers::uoffset_t>(i));
    b->mutate_offset(buffers[i].offset);
    b->mutate_length(buffers[i].length);
  }
}

}  // namespace

Result<RecordBatchMetadataTemplate> RecordBatchMetadataTemplate::make(std::int64_t num_rows,
                                                                      std::span<const FieldNodeLayout> nodes,
                                                                      std::span<const BodyBufferLayout> buffers,
                                                                      std::int64_t body_length) {
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes, record_batch_metadata(num_rows, nodes, buffers, body_length));
  RecordBatchMetadataTemplate t;
  t.bytes_.assign(bytes.begin(), bytes.end());
  t.num_nodes_ = nodes.size();
  t.num_buffers_ = buffers.size();
  const std::uint8_t* base = t.bytes_.data();
  const fb::Message* m = fb::GetMessage(base);
  const fb::RecordBatch* rb = m->header_as_RecordBatch();
  // Flatbuffers tables derive privately from flatbuffers::Table, which has no state of its
  // own: the cast reaches the address of a scalar field (nullptr when left out).
  auto at = [&](const void* p) { return p == nullptr ? -1 : static_cast<const std::uint8_t*>(p) - base; };
  t.body_length_at_ = at(reinterpret_cast<const flatbuffers::Table*>(m)->GetAddressOf(fb::Message::VT_BODYLENGTH));
  t.length_at_ = at(reinterpret_cast<const flatbuffers::Table*>(rb)->GetAddressOf(fb::RecordBatch::VT_LENGTH));
  t.nodes_at_ = at(rb->nodes()->Data());
  t.buffers_at_ = at(rb->buffers()->Data());
  return t;
}

void RecordBatchMetadataTemplate::write(std::int64_t num_rows, std::span<const FieldNodeLayout> nodes,
                                        std::span<const BodyBufferLayout> buffers, std::int64_t body_length,
                                        std::uint8_t* out) const {
  std::memcpy(out, bytes_.data(), bytes_.size());
  const auto scalar = [](std::uint8_t* at, std::int64_t x) { flatbuffers::WriteScalar(at, x); };
  if (length_at_ >= 0) scalar(out + length_at_, num_rows);
  if (body_length_at_ >= 0) scalar(out + body_length_at_, body_length);
  // FieldNode and Buffer are structs of two little-endian int64s: on a little-endian host
  // they are the layouts' bytes.
  static_assert(sizeof(fb::FieldNode) == sizeof(FieldNodeLayout) && sizeof(fb::Buffer) == sizeof(BodyBufferLayout));
  if constexpr (std::endian::native == std::endian::little) {
    if (!nodes.empty()) std::memcpy(out + nodes_at_, nodes.data(), nodes.size_bytes());
    if (!buffers.empty()) std::memcpy(out + buffers_at_, buffers.data(), buffers.size_bytes());
  } else {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      scalar(out + nodes_at_ + 16 * i, nodes[i].length);
      scalar(out + nodes_at_ + 16 * i + 8, nodes[i].null_count);
    }
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      scalar(out + buffers_at_ + 16 * i, buffers[i].offset);
      scalar(out + buffers_at_ + 16 * i + 8, buffers[i].length);
    }
  }
}

Result<std::span<const std::uint8_t>> record_batch_metadata(std::int64_t num_rows,
                                                            std::span<const FieldNodeLayout> nodes,
                                                            std::span<const BodyBufferLayout> buffers,
                                                            std::int64_t body_length) {
  if (num_rows < 0 || body_length < 0) return Status::Invalid("record batch metadata with a negative length");
  for (const auto& n : nodes) {
    if (n.length < 0 || n.null_count < 0) return Status::Invalid("field node with a negative length");
  }
  for (const auto& b : buffers) {
    if (b.offset < 0 || b.length < 0) return Status::Invalid("body buffer with a negative extent");
  }
  struct Template {
    MetadataShape shape;
    std::vector<std::uint8_t> bytes;  // empty: unused
  };
  constexpr std::size_t kTemplates = 4;
  thread_local std::array<Template, kTemplates> templates;
  thread_local std::size_t next_template = 0;
  thread_local std::vector<std::uint8_t> out;
  const MetadataShape shape{nodes.size(), buffers.size(), num_rows != 0, body_length != 0};
  for (const Template& t : templates) {
    if (!t.bytes.empty() && t.shape == shape) {
      out.assign(t.bytes.begin(), t.bytes.end());
      patch_record_batch_metadata(num_rows, nodes, buffers, body_length, out.data());
      return std::span<const std::uint8_t>(out.data(), out.size());
    }
  }
  build_record_batch_metadata(num_rows, nodes, buffers, body_length, &out);
  Template& t = templates[next_template];
  next_template = (next_template + 1) % kTemplates;
  t.shape = shape;
  t.bytes.assign(out.begin(), out.end());
  return std::span<const std::uint8_t>(out.data(), out.size());
}

Result<RecordBatchPayload> make_record_batch_payload(const RecordBatch& batch, const IpcWriteOptions& options) {
  return make_payload(batch.columns(), batch.num_rows(), options);
}

Result<std::int64_t> write_message(const Message& message, io::OutputStream* sink, const IpcWriteOptions& options) {
  ARROWPACK_RETURN_NOT_OK(check_alignment(options.alignment));
  const std::int64_t meta = message.metadata()->size();
  const std::int64_t prefix = options.write_legacy_ipc_format ? 4 : 8;
  const std::int64_t padded = round_up(prefix + meta, 8) - prefix;
  if (padded > std::numeric_limits<std::int32_t>::max()) {
    return Status::CapacityError("message metadata of ", meta, " bytes is too large");
  }
  if (!options.write_legacy_ipc_format) ARROWPACK_RETURN_NOT_OK(sink->write(&internal::kContinuation, 4));
  const auto len = static_cast<std::int32_t>(padded);
  ARROWPACK_RETURN_NOT_OK(sink->write(&len, 4));
  ARROWPACK_RETURN_NOT_OK(sink->write(message.metadata()->data(), meta));
  ARROWPACK_RETURN_NOT_OK(write_zeros(sink, padded - meta));
  const std::int64_t body = message.body_length();
  if (body > 0) ARROWPACK_RETURN_NOT_OK(sink->write(message.body()));
  return prefix + padded + body;
}

Result<std::int64_t> framed_message_size(std::int64_t metadata_bytes) {
  if (metadata_bytes < 0) return Status::Invalid("message metadata of negative size ", metadata_bytes);
  const std::int64_t padded = round_up(8 + metadata_bytes, 8) - 8;
  if (padded > std::numeric_limits<std::int32_t>::max()) {
    return Status::CapacityError("message metadata of ", metadata_bytes, " bytes is too large");
  }
  return 8 + padded;
}

std::uint8_t* frame_prefix(std::int64_t padded_metadata_bytes, std::uint8_t* out) {
  const auto len = static_cast<std::int32_t>(padded_metadata_bytes);
  std::memcpy(out, &internal::kContinuation, 4);
  std::memcpy(out + 4, &len, 4);
  return out + 8;
}

std::uint8_t* frame_message(std::span<const std::uint8_t> metadata, std::uint8_t* out) {
  const auto meta = static_cast<std::int64_t>(metadata.size());
  const std::int64_t padded = round_up(8 + meta, 8) - 8;
  out = frame_prefix(padded, out);
  if (meta > 0) std::memcpy(out, metadata.data(), metadata.size());
  std::memset(out + meta, 0, static_cast<std::size_t>(padded - meta));
  return out + padded;
}

std::uint8_t* end_of_stream_marker(std::uint8_t* out) {
  const std::uint32_t eos[2] = {internal::kContinuation, 0};
  std::memcpy(out, eos, 8);
  return out + 8;
}

Status write_end_of_stream(io::OutputStream* sink, const IpcWriteOptions& options) {
  const std::uint32_t eos[2] = {internal::kContinuation, 0};
  if (options.write_legacy_ipc_format) return sink->write(&eos[1], 4);
  return sink->write(eos, 8);
}

// ---- StreamWriter and FileWriter

// A writer's state. The file format is the stream with a leading magic, no dictionary
// replacement, and a footer that lists where each message went.
struct StreamWriter::Impl {
  Impl(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema, IpcWriteOptions options, bool file_format)
      : sink_(std::move(sink)), schema_(std::move(schema)), options_(options), file_format_(file_format) {}

  Status start();
  // Writes one message; records its offset, metadata length and body length.
  Status write_payload(const std::shared_ptr<Buffer>& metadata, const std::vector<std::shared_ptr<Buffer>>& body,
                       const std::vector<std::int64_t>& padding, std::int64_t body_length, std::int64_t* offset,
                       std::int32_t* metadata_length);
  Status write_batch(const RecordBatch& batch);
  // Writes the dictionary batches `batch` needs: new dictionaries, replacements, deltas.
  Status write_dictionaries(const RecordBatch& batch);
  Result<RecordBatchPtr> unify(const RecordBatch& batch);
  Status close();
  Status write_footer();

  std::shared_ptr<io::OutputStream> sink_;
  SchemaPtr schema_;
  IpcWriteOptions options_;
  bool file_format_;
  WriteStats stats_;
  std::int64_t position_ = 0;
  bool closed_ = false;
  std::string scratch_;                                 // reused across messages to gather small writes
  DictionaryMemo dictionary_memo_;                      // ids of the schema's dictionary fields
  std::map<std::int64_t, Array> written_dictionaries_;  // the last dictionary sent per id
  struct Unified;                                       // unify_dictionaries: one id's merged dictionary and its index
  std::map<std::int64_t, std::shared_ptr<Unified>> unified_;
  // The file format: where each message went, for the footer.
  std::vector<internal::FileBlock> blocks_;
  std::vector<internal::FileBlock> dictionary_blocks_;
  MetadataPtr footer_metadata_;
};

StreamWriter::StreamWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamWriter::~StreamWriter() = default;

Result<std::shared_ptr<StreamWriter>> StreamWriter::open(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                         const IpcWriteOptions& options) {
  if (!sink || !schema) return Status::Invalid("new_stream needs a sink and a schema");
  auto impl = std::make_unique<Impl>(std::move(sink), std::move(schema), options, false);
  ARROWPACK_RETURN_NOT_OK(check_alignment(options.alignment));
  ARROWPACK_ASSIGN_OR_RAISE(impl->position_, impl->sink_->tell());
  ARROWPACK_RETURN_NOT_OK(impl->start());
  return std::shared_ptr<StreamWriter>(new StreamWriter(std::move(impl)));
}

Status StreamWriter::write_batch(const RecordBatch& batch) { return impl_->write_batch(batch); }
Status StreamWriter::close() { return impl_->close(); }
const SchemaPtr& StreamWriter::schema() const { return impl_->schema_; }
WriteStats StreamWriter::stats() const { return impl_->stats_; }

Status StreamWriter::write_table(const Table& table) {
  for (const auto& batch : table.batches()) ARROWPACK_RETURN_NOT_OK(write_batch(*batch));
  return Status::OK();
}

Result<std::shared_ptr<FileWriter>> FileWriter::open(std::shared_ptr<io::OutputStream> sink, SchemaPtr schema,
                                                     const IpcWriteOptions& options, MetadataPtr footer_metadata) {
  if (!sink || !schema) return Status::Invalid("new_file needs a sink and a schema");
  if (options.write_legacy_ipc_format) {
    return Status::Invalid("the IPC file format has no legacy framing");
  }
  ARROWPACK_RETURN_NOT_OK(check_alignment(options.alignment));
  auto impl = std::make_unique<Impl>(std::move(sink), std::move(schema), options, true);
  impl->footer_metadata_ = std::move(footer_metadata);
  // "ARROW1" and two bytes of padding to reach an 8-byte boundary.
  static constexpr char kHead[8] = {'A', 'R', 'R', 'O', 'W', '1', 0, 0};
  ARROWPACK_RETURN_NOT_OK(impl->sink_->write(kHead, 8));
  ARROWPACK_ASSIGN_OR_RAISE(impl->position_, impl->sink_->tell());
  ARROWPACK_RETURN_NOT_OK(impl->start());
  return std::shared_ptr<FileWriter>(new FileWriter(std::move(impl)));
}

Status StreamWriter::Impl::start() {
  dictionary_memo_ = DictionaryMemo::for_schema(*schema_);
  internal::FBB fbb;
  ARROWPACK_ASSIGN_OR_RAISE(auto s, internal::schema_to_flatbuffer(fbb, *schema_, &dictionary_memo_));
  ARROWPACK_ASSIGN_OR_RAISE(auto metadata,
                            message_flatbuffer(fbb, fb::MessageHeader::Schema, s.Union(), 0, options_.pool));
  std::int64_t offset;
  std::int32_t metadata_length;
  return write_payload(metadata, {}, {}, 0, &offset, &metadata_length);
}

Status StreamWriter::Impl::write_payload(const std::shared_ptr<Buffer>& metadata,
                                         const std::vector<std::shared_ptr<Buffer>>& body,
                                         const std::vector<std::int64_t>& padding, std::int64_t body_length,
                                         std::int64_t* offset, std::int32_t* metadata_length) {
  const std::int64_t prefix = options_.write_legacy_ipc_format ? 4 : 8;
  // Pad the metadata so that the body starts on an `alignment` boundary of the output.
  const std::int64_t end = round_up(position_ + prefix + metadata->size(), options_.alignment);
  const std::int64_t padded = end - position_ - prefix;
  if (padded > std::numeric_limits<std::int32_t>::max()) {
    return Status::CapacityError("message metadata of ", metadata->size(), " bytes is too large");
  }
  *offset = position_;
  *metadata_length = static_cast<std::int32_t>(prefix + padded);

  // Framing, metadata, padding and small body buffers are gathered into one write; large
  // buffers go to the sink straight from the array's memory. Fewer calls into the sink (a
  // system call each on a file or socket) at the price of copying a few small buffers.
  constexpr std::int64_t kGatherLimit = 4096;
  scratch_.clear();
  auto gather = [this](const void* p, std::int64_t n) {
    scratch_.append(static_cast<const char*>(p), static_cast<std::size_t>(n));
  };
  auto flush = [this]() -> Status {
    if (scratch_.empty()) return Status::OK();
    Status st = sink_->write(scratch_.data(), static_cast<std::int64_t>(scratch_.size()));
    scratch_.clear();
    return st;
  };
  if (!options_.write_legacy_ipc_format) gather(&internal::kContinuation, 4);
  const auto len = static_cast<std::int32_t>(padded);
  gather(&len, 4);
  gather(metadata->data(), metadata->size());
  scratch_.append(static_cast<std::size_t>(padded - metadata->size()), '\0');
  for (std::size_t i = 0; i < body.size(); ++i) {
    const std::int64_t size = body[i] ? body[i]->size() : 0;
    if (size > kGatherLimit) {
      ARROWPACK_RETURN_NOT_OK(flush());
      ARROWPACK_RETURN_NOT_OK(sink_->write(body[i]));
    } else if (size > 0) {
      gather(body[i]->data(), size);
    }
    scratch_.append(static_cast<std::size_t>(padding[i]), '\0');
  }
  ARROWPACK_RETURN_NOT_OK(flush());
  position_ += prefix + padded + body_length;
  ++stats_.num_messages;
  stats_.total_bytes = position_;
  return Status::OK();
}

Status StreamWriter::Impl::write_batch(const RecordBatch& batch) {
  if (closed_) return Status::Invalid("write_batch on a closed IPC writer");
  if (!batch.schema()->equals(*schema_)) {
    return Status::TypeError("record batch schema does not match the writer's schema:\n", batch.schema()->to_string(),
                             "\nvs\n", schema_->to_string());
  }
  RecordBatchPtr unified;
  if (options_.unify_dictionaries && dictionary_memo_.num_fields() > 0) {
    ARROWPACK_ASSIGN_OR_RAISE(unified, unify(batch));
  }
  const RecordBatch& out = unified ? *unified : batch;
  ARROWPACK_RETURN_NOT_OK(write_dictionaries(out));
  ARROWPACK_ASSIGN_OR_RAISE(auto payload, make_record_batch_payload(out, options_));
  std::int64_t offset;
  std::int32_t metadata_length;
  ARROWPACK_RETURN_NOT_OK(write_payload(payload.metadata, payload.body_buffers, payload.body_padding,
                                        payload.body_length, &offset, &metadata_length));
  ++stats_.num_record_batches;
  if (file_format_) blocks_.push_back({offset, metadata_length, payload.body_length});
  return Status::OK();
}

// One id's merged dictionary, grown in place (a stream of n batches that each add a value
// costs O(n), not O(n^2)), and where each of its values sits, under a keyed hash (the values
// may come from untrusted input, as when a stream is rewritten as a file).
struct StreamWriter::Impl::Unified {
  Array dictionary;
  arrowpack::internal::AppendableArray storage;
  std::unordered_map<std::string, std::int64_t, KeyedBytesHash, std::equal_to<>> index;
  bool has_null = false;
  std::int64_t null_index = -1;
};

Result<RecordBatchPtr> StreamWriter::Impl::unify(const RecordBatch& batch) {
  std::vector<Array> columns = batch.columns();
  for (int c = 0; c < batch.num_columns(); ++c) {
    const Array& column = columns[c];
    if (column.type_id() != TypeId::kDictionary) continue;
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t id, dictionary_memo_.id_for({c}));
    const Array dict = column.dictionary();
    auto last = written_dictionaries_.find(id);
    // Only a dictionary that would replace the last one is merged into it.
    if (last == written_dictionaries_.end() || extends(dict, last->second)) continue;
    if (!arrowpack::internal::has_value_bytes(*dict.type())) {
      return Status::NotImplemented("unify_dictionaries of ", dict.type()->to_string(), " values");
    }
    auto& slot = unified_[id];
    if (!slot || slot->dictionary.data() != last->second.data()) {
      // Index the dictionary last written (the merge of the earlier ones, or the first).
      slot = std::make_shared<Unified>();
      slot->dictionary = last->second;
      for (std::int64_t k = 0; k < slot->dictionary.length(); ++k) {
        if (slot->dictionary.is_null(k)) {
          if (!slot->has_null) slot->null_index = k;
          slot->has_null = true;
        } else {
          slot->index.try_emplace(std::string(arrowpack::internal::value_bytes(slot->dictionary, k)), k);
        }
      }
    }
    Unified& u = *slot;
    // Where each value of this dictionary sits in the merged one (added at the end if new).
    const std::int64_t limit = arrowpack::internal::max_dictionary_index(*column.type()->index_type());
    std::vector<std::int64_t> position(static_cast<std::size_t>(dict.length()));
    std::vector<std::shared_ptr<ArrayData>> added;
    std::int64_t size = u.dictionary.length();
    for (std::int64_t k = 0; k < dict.length(); ++k) {
      std::int64_t* at = nullptr;
      if (dict.is_null(k)) {
        if (!u.has_null) u.null_index = -1;
        u.has_null = true;
        at = &u.null_index;
      } else {
        at = &u.index.try_emplace(std::string(arrowpack::internal::value_bytes(dict, k)), -1).first->second;
      }
      if (*at < 0) {
        if (size > limit) {
          return Status::CapacityError("the merged dictionary of id ", id, " outgrows its ",
                                       column.type()->index_type()->to_string(), " indices");
        }
        *at = size++;
        ARROWPACK_ASSIGN_OR_RAISE(auto one, dict.slice(k, 1));
        added.push_back(std::const_pointer_cast<ArrayData>(one.data()));
      }
      position[k] = *at;
    }
    if (!added.empty()) {
      const auto head = std::const_pointer_cast<ArrayData>(u.dictionary.data());
      if (arrowpack::internal::AppendableArray::supports(*dict.type())) {
        ARROWPACK_ASSIGN_OR_RAISE(auto grown, u.storage.append(head, added, options_.pool, nullptr));
        u.dictionary = Array(std::move(grown));
      } else {
        std::vector<Array> parts{u.dictionary};
        for (auto& a : added) parts.emplace_back(std::move(a));
        ARROWPACK_ASSIGN_OR_RAISE(u.dictionary, concatenate(parts, options_.pool));
      }
    }
    // The same validity, indices remapped.
    const std::int64_t width = column.type()->index_type()->byte_width();
    ARROWPACK_ASSIGN_OR_RAISE(auto indices, allocate_buffer(column.length() * width, options_.pool));
    if (column.length() > 0) std::memset(indices->mutable_data(), 0, static_cast<std::size_t>(column.length() * width));
    for (std::int64_t i = 0; i < column.length(); ++i) {
      if (column.is_valid(i)) {
        arrowpack::internal::store_index(indices->mutable_data(), width, i, position[column.dictionary_index(i)]);
      }
    }
    std::shared_ptr<Buffer> validity;
    if (column.null_count() > 0) {
      ARROWPACK_ASSIGN_OR_RAISE(auto bits, allocate_buffer(bytes_for_bits(column.length()), options_.pool));
      util::copy_bits(column.buffer(0)->data(), column.offset(), column.length(), bits->mutable_data());
      validity = std::move(bits);
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto index_array, Array::make(column.type()->index_type(), column.length(),
                                                            {validity, std::shared_ptr<Buffer>(std::move(indices))}, {},
                                                            column.null_count()));
    ARROWPACK_ASSIGN_OR_RAISE(columns[c], Array::make_dictionary(column.type(), index_array, u.dictionary));
  }
  return RecordBatch::make(batch.schema(), batch.num_rows(), std::move(columns));
}

Status StreamWriter::Impl::write_dictionaries(const RecordBatch& batch) {
  if (dictionary_memo_.num_fields() == 0) return Status::OK();
  std::vector<std::pair<std::int64_t, Array>> found;
  for (int i = 0; i < batch.num_columns(); ++i) {
    DictionaryMemo::FieldPath path{i};
    collect_dictionaries(std::const_pointer_cast<ArrayData>(batch.column(i).data()), path, dictionary_memo_, &found);
  }
  for (const auto& [id, dict] : found) {
    auto it = written_dictionaries_.find(id);
    Array values = dict;
    bool delta = false;
    if (it != written_dictionaries_.end()) {
      const Array& last = it->second;
      if (last.data() == dict.data()) continue;  // the same dictionary object: nothing to send
      const bool grows = extends(dict, last);
      if (grows && dict.length() == last.length()) {
        it->second = dict;
        continue;
      }
      if (grows && (options_.emit_dictionary_deltas || options_.unify_dictionaries)) {
        ARROWPACK_ASSIGN_OR_RAISE(values, dict.slice(last.length(), dict.length() - last.length()));
        delta = true;
      } else if (file_format_) {
        return Status::Invalid("the dictionary of id ", id, " changed from one batch to the next: the IPC file format ",
                               "cannot replace dictionaries (only extend them, with emit_dictionary_deltas)");
      }
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto payload, make_payload({values}, values.length(), options_, id, delta));
    std::int64_t offset;
    std::int32_t metadata_length;
    ARROWPACK_RETURN_NOT_OK(write_payload(payload.metadata, payload.body_buffers, payload.body_padding,
                                          payload.body_length, &offset, &metadata_length));
    ++stats_.num_dictionary_batches;
    if (delta) ++stats_.num_dictionary_deltas;
    if (!delta && it != written_dictionaries_.end()) ++stats_.num_replaced_dictionaries;
    written_dictionaries_[id] = dict;
    if (file_format_) dictionary_blocks_.push_back({offset, metadata_length, payload.body_length});
  }
  return Status::OK();
}

Status StreamWriter::Impl::close() {
  if (closed_) return Status::OK();
  closed_ = true;
  // In a file too, the end-of-stream marker lets sequential readers stop before the footer.
  ARROWPACK_RETURN_NOT_OK(write_end_of_stream(sink_.get(), options_));
  position_ += options_.write_legacy_ipc_format ? 4 : 8;
  if (file_format_) ARROWPACK_RETURN_NOT_OK(write_footer());
  stats_.total_bytes = position_;
  return sink_->flush();
}

Status StreamWriter::Impl::write_footer() {
  internal::FBB fbb;
  ARROWPACK_ASSIGN_OR_RAISE(auto s, internal::schema_to_flatbuffer(fbb, *schema_, &dictionary_memo_));
  auto to_fb = [](const std::vector<internal::FileBlock>& in) {
    std::vector<fb::Block> out;
    out.reserve(in.size());
    for (const auto& b : in) out.emplace_back(b.offset, b.metadata_length, b.body_length);
    return out;
  };
  auto dicts = fbb.CreateVectorOfStructs(to_fb(dictionary_blocks_));
  auto rb = fbb.CreateVectorOfStructs(to_fb(blocks_));
  auto meta = internal::metadata_to_flatbuffer(fbb, footer_metadata_);
  fbb.Finish(fb::CreateFooter(fbb, fb::MetadataVersion::V5, s, dicts, rb, meta));
  const auto footer_size = static_cast<std::int32_t>(fbb.GetSize());
  ARROWPACK_RETURN_NOT_OK(sink_->write(fbb.GetBufferPointer(), footer_size));
  ARROWPACK_RETURN_NOT_OK(sink_->write(&footer_size, 4));
  ARROWPACK_RETURN_NOT_OK(sink_->write(kFileMagic.data(), 6));
  position_ += footer_size + 4 + 6;
  return Status::OK();
}

}  // namespace arrowpack::ipc

// Reading IPC messages, streams and files. Every number taken from the bytes is checked
// against what is really there before it is used.
#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

#include "array_internal.h"
#include "arrowpack/core/ipc/reader.h"
#include "arrowpack/core/util.h"
#include "ipc/metadata_internal.h"

namespace arrowpack::ipc {

using internal::ensure_aligned;

std::string_view message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kSchema: return "Schema";
    case MessageType::kDictionaryBatch: return "DictionaryBatch";
    case MessageType::kRecordBatch: return "RecordBatch";
    case MessageType::kTensor: return "Tensor";
    case MessageType::kSparseTensor: return "SparseTensor";
  }
  return "Unknown";
}

namespace {

const fb::Message* fb_message(const Message& m) { return static_cast<const fb::Message*>(m.flatbuffer()); }

Status verify_flatbuffer_message(const Buffer& metadata, const IpcReadOptions& options) {
  return internal::verify_flatbuffer(metadata, options.limits, &fb::VerifyMessageBuffer, "message metadata", "Message");
}

std::int32_t load_le32(const std::uint8_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Reads up to `n` bytes of framing into `out`: fewer only at the end of the input.
Result<std::int64_t> read_up_to(io::InputStream* stream, std::uint8_t* out, std::int64_t n) {
  std::int64_t have = 0;
  while (have < n) {
    ARROWPACK_ASSIGN_OR_RAISE(auto got, stream->read(n - have, out + have));
    if (got == 0) break;
    have += got;
  }
  return have;
}

// What every reader checks of a verified Message flatbuffer: a known version (V4 or V5),
// a known header type with its header present, a non-negative body length.
Result<MessageType> check_message_header(const fb::Message* m, MetadataVersion* version) {
  const auto v = static_cast<int>(m->version());
  if (v < static_cast<int>(fb::MetadataVersion::V4)) {
    return Status::NotImplemented("metadata version V", v + 1, " (Arrow before 0.8) is not supported; V4 and V5 are");
  }
  if (v > static_cast<int>(fb::MetadataVersion::V5)) {
    return Status::Invalid("unknown metadata version V", v + 1, " (this reader knows V4 and V5)");
  }
  MessageType type = MessageType::kSchema;
  switch (m->header_type()) {
    case fb::MessageHeader::Schema: type = MessageType::kSchema; break;
    case fb::MessageHeader::DictionaryBatch: type = MessageType::kDictionaryBatch; break;
    case fb::MessageHeader::RecordBatch: type = MessageType::kRecordBatch; break;
    case fb::MessageHeader::Tensor: type = MessageType::kTensor; break;
    case fb::MessageHeader::SparseTensor: type = MessageType::kSparseTensor; break;
    default: return Status::Invalid("unknown message header type ", static_cast<int>(m->header_type()));
  }
  if (m->header() == nullptr) return Status::Invalid(message_type_name(type), " message without a header");
  if (m->bodyLength() < 0) return Status::Invalid("negative message body length ", m->bodyLength());
  *version = static_cast<MetadataVersion>(v);
  return type;
}

// Checks the metadata length a message's framing announces.
Status check_metadata_length(std::int32_t length, const IpcReadOptions& options) {
  if (length < 0) return Status::Invalid("negative message metadata length ", length);
  if (length > options.limits.max_metadata_bytes) {
    return Status::CapacityError("message metadata of ", length,
                                 " bytes exceeds ReadLimits::max_metadata_bytes = ", options.limits.max_metadata_bytes);
  }
  return Status::OK();
}

// The framing rule, for every reader: a message starts with the continuation marker and an
// int32 metadata length, or (legacy framing, before Arrow 0.15) with the length alone; a
// length of 0 is the end-of-stream marker. frame_at() gives the bytes of framing before the
// metadata (4 or 8; 0 when no bytes remain) and the length announced. Invalid when the
// framing itself is cut short.
struct Frame {
  std::int64_t prefix = 0;
  std::int32_t length = 0;
};
Result<Frame> frame_at(std::span<const std::uint8_t> bytes, std::int64_t offset) {
  const std::int64_t left = static_cast<std::int64_t>(bytes.size()) - offset;
  if (offset < 0 || left < 0)
    return Status::Invalid("message offset ", offset, " lies outside ", bytes.size(), " bytes");
  if (left < 4) {
    if (left == 0) return Frame{};
    return Status::Invalid("stream truncated: ", left, " bytes where a message length was expected");
  }
  const std::int32_t first = load_le32(bytes.data() + offset);
  if (static_cast<std::uint32_t>(first) != internal::kContinuation) return Frame{4, first};
  if (left < 8) {
    return Status::Invalid("stream truncated after the continuation marker (", left - 4, " of 4 length bytes)");
  }
  return Frame{8, load_le32(bytes.data() + offset + 4)};
}

// Decodes arrays of one record batch from its FieldNodes and Buffers, in schema order.
class ArrayLoader {
 public:
  // `memo` supplies the dictionaries of dictionary-encoded fields, found by their path
  // (`path` is where the first array loaded sits in the schema).
  // Copies (of misaligned buffers) and decompressed buffers are charged to `budget`.
  ArrayLoader(const fb::RecordBatch* batch, std::shared_ptr<Buffer> body, MetadataVersion version,
              const IpcReadOptions& options, const DictionaryMemo* memo, DictionaryMemo::FieldPath path,
              ReadBudget* budget)
      : body_(std::move(body)),
        version_(version),
        options_(options),
        memo_(memo),
        path_(std::move(path)),
        budget_(budget) {
    nodes_ = batch->nodes();
    buffers_ = batch->buffers();
    variadic_counts_ = batch->variadicBufferCounts();
    if (const auto* c = batch->compression()) {
      codec_ = c->codec() == fb::CompressionType::ZSTD ? Compression::kZstd : Compression::kLz4Frame;
    }
  }
  void set_path(DictionaryMemo::FieldPath path) { path_ = std::move(path); }

  Result<std::shared_ptr<ArrayData>> load(const Field& field, int depth) {
    if (depth > options_.limits.max_depth) {
      return Status::CapacityError("type nesting deeper than ReadLimits::max_depth = ", options_.limits.max_depth);
    }
    const DataType& type = *field.type();
    auto out = std::make_shared<ArrayData>();
    out->type = field.type();
    ARROWPACK_RETURN_NOT_OK(next_node(out.get()));
    // The buffers on the wire are the layout table's slots but the absent ones (null, union
    // and run-end-encoded arrays have no validity bitmap), in slot order, then the variadic
    // data buffers of views.
    const TypeInfo& info = type.info();
    out->buffers.resize(static_cast<std::size_t>(info.num_buffers));
    if (type.id() == TypeId::kNull) out->null_count = out->length;
    if (info.children == ChildLayout::kRunEnds && out->null_count != 0) {
      return Status::Invalid("run_end_encoded field '", field.name(), "' with nulls");
    }
    if (type.is_union()) {
      if (version_ < MetadataVersion::kV5) {
        // Before 1.0, unions carried a validity bitmap; it must be empty to be meaningful now.
        ARROWPACK_ASSIGN_OR_RAISE(auto validity, next_buffer());
        if (out->null_count != 0 && validity && validity->size() > 0) {
          return Status::NotImplemented("field '", field.name(), "': pre-1.0 union with a top-level validity bitmap");
        }
      }
      out->null_count = 0;
    }
    for (std::size_t slot = 0; slot < out->buffers.size(); ++slot) {
      switch (info.buffers[slot]) {
        case BufferKind::kAbsent: break;
        case BufferKind::kValidity: ARROWPACK_RETURN_NOT_OK(load_validity(field, out.get())); break;
        case BufferKind::kBits:
        case BufferKind::kValues:
        case BufferKind::kOffsets32:
        case BufferKind::kOffsets64:
        case BufferKind::kData:
        case BufferKind::kTypeIds:
        case BufferKind::kUnionOffsets:
        case BufferKind::kViews:
        case BufferKind::kSizes32:
        case BufferKind::kSizes64: ARROWPACK_ASSIGN_OR_RAISE(out->buffers[slot], next_buffer()); break;
      }
    }
    if (info.variadic_buffers) {
      // How many data buffers follow: the batch's next variadic buffer count.
      const auto* counts = variadic_counts_;
      if (counts == nullptr || variadic_index_ >= static_cast<std::int64_t>(counts->size())) {
        return Status::Invalid("field '", field.name(),
                               "' is a view type but the batch has no variadic buffer count for it");
      }
      const std::int64_t n = internal::load_scalar(counts, static_cast<flatbuffers::uoffset_t>(variadic_index_++));
      if (n < 0 || n > buffers_size() - buffer_index_) {
        return Status::Invalid("field '", field.name(), "' announces ", n, " data buffers, ",
                               buffers_size() - buffer_index_, " remain in the batch");
      }
      for (std::int64_t k = 0; k < n; ++k) {
        ARROWPACK_ASSIGN_OR_RAISE(auto b, next_buffer());
        out->buffers.push_back(std::move(b));
      }
    }
    if (type.id() == TypeId::kDictionary) ARROWPACK_RETURN_NOT_OK(attach_dictionary(field, out.get()));
    for (int j = 0; j < type.num_fields(); ++j) {
      path_.push_back(j);
      auto c = load(*type.field(j), depth + 1);
      path_.pop_back();
      if (!c.ok()) return c.status();
      out->children.push_back(c.move_value());
    }
    return out;
  }

  Status finish() const {
    // Trailing nodes/buffers mean the metadata and the schema disagree.
    if (node_index_ != nodes_size()) {
      return Status::Invalid("record batch has ", nodes_size(), " field nodes, the schema uses ", node_index_);
    }
    if (variadic_counts_ != nullptr && variadic_index_ != static_cast<std::int64_t>(variadic_counts_->size())) {
      return Status::Invalid("record batch has ", variadic_counts_->size(), " variadic buffer counts, the schema uses ",
                             variadic_index_);
    }
    if (buffer_index_ != buffers_size()) {
      return Status::Invalid("record batch has ", buffers_size(), " buffers, the schema uses ", buffer_index_);
    }
    return Status::OK();
  }

 private:
  Status load_validity(const Field& field, ArrayData* out) {
    ARROWPACK_ASSIGN_OR_RAISE(auto validity, next_buffer());
    // A validity buffer only matters when there are nulls; otherwise it may be empty.
    if (out->null_count > 0) {
      if (!validity || validity->size() == 0) {
        return Status::Invalid("field '", field.name(), "' has ", out->null_count, " nulls but no validity bitmap");
      }
      out->buffers[0] = std::move(validity);
    }
    return Status::OK();
  }

  Status attach_dictionary(const Field& field, ArrayData* out) const {
    if (memo_ == nullptr) {
      return Status::Invalid("field '", field.name(), "' is dictionary-encoded: read it with its dictionaries");
    }
    auto id = memo_->id_for(path_);
    if (!id.ok()) return Status::Invalid("field '", field.name(), "' has no dictionary id in the schema");
    ARROWPACK_ASSIGN_OR_RAISE(out->dictionary, memo_->dictionary(*id, options_.pool, budget_));
    if (!out->dictionary) {
      return Status::Invalid("field '", field.name(), "' uses dictionary id ", *id,
                             " before any dictionary batch for it");
    }
    return Status::OK();
  }

  std::int64_t nodes_size() const { return nodes_ ? nodes_->size() : 0; }
  std::int64_t buffers_size() const { return buffers_ ? buffers_->size() : 0; }

  Status next_node(ArrayData* out) {
    if (node_index_ >= nodes_size()) {
      return Status::Invalid("record batch has too few field nodes (", nodes_size(), ") for its schema");
    }
    const fb::FieldNode node = internal::load_struct(nodes_, static_cast<flatbuffers::uoffset_t>(node_index_++));
    if (node.length() < 0) return Status::Invalid("negative array length ", node.length());
    if (node.null_count() < 0 || node.null_count() > node.length()) {
      return Status::Invalid("null count ", node.null_count(), " outside [0, ", node.length(), "]");
    }
    out->length = node.length();
    out->null_count = node.null_count();
    return Status::OK();
  }

  Result<std::shared_ptr<Buffer>> next_buffer() {
    if (buffer_index_ >= buffers_size()) {
      return Status::Invalid("record batch has too few buffers (", buffers_size(), ") for its schema");
    }
    const fb::Buffer b = internal::load_struct(buffers_, static_cast<flatbuffers::uoffset_t>(buffer_index_++));
    const std::int64_t offset = b.offset();
    const std::int64_t length = b.length();
    const std::int64_t body_size = body_ ? body_->size() : 0;
    if (offset < 0 || length < 0 || offset > body_size || length > body_size - offset) {
      return Status::Invalid("buffer ", buffer_index_ - 1, " [offset ", offset, ", length ", length,
                             "] lies outside the ", body_size, "-byte message body");
    }
    if (length == 0) return std::make_shared<Buffer>(nullptr, 0);
    ARROWPACK_ASSIGN_OR_RAISE(auto slice, body_->slice(offset, length));
    const bool aligned = reinterpret_cast<std::uintptr_t>(slice->data()) % 8 == 0;
    if (codec_ == Compression::kUncompressed && aligned) return slice;  // zero-copy
    // A copy (the spec promises 8-byte alignment; misaligned values are not read in place)
    // or a decompression: made once per region of the body, however many buffers point at
    // it, and charged to the read budget.
    auto& cached = copies_[{offset, length}];
    if (!cached) {
      if (codec_ != Compression::kUncompressed) {
        ARROWPACK_ASSIGN_OR_RAISE(cached, decompressed(std::move(slice)));
      } else {
        ARROWPACK_RETURN_NOT_OK(budget_->charge(length, "copying a misaligned body buffer"));
        ARROWPACK_ASSIGN_OR_RAISE(cached, ensure_aligned(std::move(slice), 8, options_.pool));
      }
    }
    return cached;
  }

  // A compressed body buffer: int64 uncompressed length (-1: stored as is), then the data.
  Result<std::shared_ptr<Buffer>> decompressed(std::shared_ptr<Buffer> slice) {
    const std::int64_t index = buffer_index_ - 1;
    if (slice->size() < 8) {
      return Status::Invalid("compressed buffer ", index, " of ", slice->size(), " bytes has no length prefix");
    }
    std::int64_t size;
    std::memcpy(&size, slice->data(), 8);
    ARROWPACK_ASSIGN_OR_RAISE(auto data, slice->slice(8, slice->size() - 8));
    if (size == -1) {
      if (reinterpret_cast<std::uintptr_t>(data->data()) % 8 == 0) return data;
      ARROWPACK_RETURN_NOT_OK(budget_->charge(data->size(), "copying a misaligned body buffer"));
      return ensure_aligned(std::move(data), 8, options_.pool);
    }
    if (size < 0) return Status::Invalid("compressed buffer ", index, " announces ", size, " bytes");
    if (size > options_.limits.max_decompressed_bytes - decompressed_bytes_) {
      return Status::CapacityError("compressed buffer ", index, " announces ", size,
                                   " bytes, more than the message may decompress to "
                                   "(ReadLimits::max_decompressed_bytes = ",
                                   options_.limits.max_decompressed_bytes, ")");
    }
    ARROWPACK_RETURN_NOT_OK(budget_->charge(size, "decompressing a body buffer"));
    decompressed_bytes_ += size;
    auto out = decompress(codec_, *data, size, options_.pool);
    if (!out.ok()) return out.status().with_context("buffer " + std::to_string(index));
    return out;
  }

  std::shared_ptr<Buffer> body_;
  MetadataVersion version_;
  const IpcReadOptions& options_;
  const DictionaryMemo* memo_;
  DictionaryMemo::FieldPath path_;
  ReadBudget* budget_;
  std::map<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<Buffer>> copies_;  // by [offset, length]
  Compression codec_ = Compression::kUncompressed;
  const flatbuffers::Vector<std::int64_t>* variadic_counts_ = nullptr;
  std::int64_t variadic_index_ = 0;
  std::int64_t decompressed_bytes_ = 0;
  const flatbuffers::Vector<const fb::FieldNode*>* nodes_ = nullptr;
  const flatbuffers::Vector<const fb::Buffer*>* buffers_ = nullptr;
  std::int64_t node_index_ = 0;
  std::int64_t buffer_index_ = 0;
};

}  // namespace

// ---- Message

Message::~Message() = default;

Result<std::unique_ptr<Message>> Message::open(std::shared_ptr<Buffer> metadata, std::shared_ptr<Buffer> body,
                                               const IpcReadOptions& options) {
  return open_verified(std::move(metadata), std::move(body), options, false);
}

Result<std::unique_ptr<Message>> Message::open_verified(std::shared_ptr<Buffer> metadata, std::shared_ptr<Buffer> body,
                                                        const IpcReadOptions& options, bool verified) {
  return catch_exceptions("reading an IPC message", [&]() -> Result<std::unique_ptr<Message>> {
    if (!metadata) return Status::Invalid("message without metadata");
    ARROWPACK_ASSIGN_OR_RAISE(metadata, ensure_aligned(std::move(metadata), 8, options.pool));
    if (!verified) ARROWPACK_RETURN_NOT_OK(verify_flatbuffer_message(*metadata, options));
    const fb::Message* m = fb::GetMessage(metadata->data());
    std::unique_ptr<Message> out(new Message());
    ARROWPACK_ASSIGN_OR_RAISE(out->type_, check_message_header(m, &out->version_));
    const std::int64_t body_length = m->bodyLength();
    const std::int64_t have = body ? body->size() : 0;
    if (have < body_length) {
      return Status::Invalid("message body truncated: metadata announces ", body_length, " bytes, ", have,
                             " are present");
    }
    if (body && have > body_length) {
      ARROWPACK_ASSIGN_OR_RAISE(body, body->slice(0, body_length));
    }
    if (body && body_length > 0) {
      ARROWPACK_ASSIGN_OR_RAISE(body, ensure_aligned(std::move(body), 8, options.pool));
    }
    out->metadata_ = std::move(metadata);
    out->body_ = body ? std::move(body) : std::make_shared<Buffer>(nullptr, 0);
    internal::DecodeBudget budget(out->metadata_->size());
    ARROWPACK_ASSIGN_OR_RAISE(out->custom_metadata_, internal::metadata_from_flatbuffer(m->custom_metadata(), &budget));
    out->fb_ = m;
    return out;
  });
}

Result<std::unique_ptr<Message>> read_message(io::InputStream* stream, const IpcReadOptions& options) {
  return catch_exceptions("reading an IPC message", [&]() -> Result<std::unique_ptr<Message>> {
    // The framing: 4 bytes, and 4 more after a continuation marker (the rule is frame_at's).
    std::uint8_t head[8];
    ARROWPACK_ASSIGN_OR_RAISE(std::int64_t have, read_up_to(stream, head, 4));
    if (have == 4 && static_cast<std::uint32_t>(load_le32(head)) == internal::kContinuation) {
      ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t more, read_up_to(stream, head + 4, 4));
      have += more;
    }
    ARROWPACK_ASSIGN_OR_RAISE(const Frame frame, frame_at(std::span<const std::uint8_t>(head, have), 0));
    // A clean end of input without an EOS marker, or the end-of-stream marker.
    if (frame.prefix == 0 || frame.length == 0) return std::unique_ptr<Message>();
    const std::int32_t length = frame.length;
    ARROWPACK_RETURN_NOT_OK(check_metadata_length(length, options));
    ARROWPACK_ASSIGN_OR_RAISE(auto metadata, io::read_fully(stream, length, options.pool));
    if (metadata->size() < length) {
      return Status::Invalid("stream truncated: message metadata announces ", length, " bytes, ", metadata->size(),
                             " remain");
    }
    ARROWPACK_ASSIGN_OR_RAISE(metadata, ensure_aligned(std::move(metadata), 8, options.pool));
    ARROWPACK_RETURN_NOT_OK(verify_flatbuffer_message(*metadata, options));
    const std::int64_t body_length = fb::GetMessage(metadata->data())->bodyLength();
    if (body_length < 0) return Status::Invalid("negative message body length ", body_length);
    ARROWPACK_ASSIGN_OR_RAISE(auto body, io::read_fully(stream, body_length, options.pool));
    if (body->size() < body_length) {
      return Status::Invalid("stream truncated: message body announces ", body_length, " bytes, ", body->size(),
                             " remain");
    }
    // Verified above, and aligned: ensure_aligned() in open_verified() keeps it as it is.
    return Message::open_verified(std::move(metadata), std::move(body), options, true);
  });
}

Result<SchemaPtr> read_schema(const Message& message, DictionaryMemo* memo, const IpcReadOptions& options) {
  return catch_exceptions("reading an IPC schema", [&]() -> Result<SchemaPtr> {
    if (message.type() != MessageType::kSchema) {
      return Status::Invalid("expected a Schema message, got ", message_type_name(message.type()));
    }
    internal::DecodeBudget budget(message.metadata()->size());
    return internal::schema_from_flatbuffer(fb_message(message)->header_as_Schema(), options, &budget, memo);
  });
}

Result<SchemaPtr> read_schema(const Message& message, const IpcReadOptions& options) {
  // The schema alone: dictionary ids are read (and dropped) so that any schema decodes.
  DictionaryMemo memo;
  return read_schema(message, &memo, options);
}

Result<SchemaPtr> read_schema(io::InputStream* stream, const IpcReadOptions& options) {
  ARROWPACK_ASSIGN_OR_RAISE(auto message, read_message(stream, options));
  if (!message) return Status::Invalid("IPC stream is empty: no schema message");
  return read_schema(*message, options);
}

namespace {

// ---- big-endian data, converted as it is read

// Byte-swaps the buffers of one batch into new memory: each source region once, however many
// buffers alias it, each copy charged to the read budget.
struct Swapper {
  MemoryPool* pool;
  ReadBudget* budget;
  // By [source, size, kind]: kind is the value width, or one of the two mixed layouts below.
  std::map<std::tuple<const std::uint8_t*, std::int64_t, int>, std::shared_ptr<Buffer>> done;
};

// The two mixed layouts: views, and kMixedIntervalUnits (int32 months, int32 days, int64
// nanoseconds: the layout table's swap width of month_day_nano_interval).
constexpr int kViews = -2;  // length, then 12 inline bytes or a prefix and two int32
static_assert(kViews != kMixedIntervalUnits);

// `b` with each value byte-reversed into new memory (a trailing partial value is copied as
// is). `kind` is the width of the values, or kViews / kMixedIntervalUnits.
Result<std::shared_ptr<Buffer>> swapped(const std::shared_ptr<Buffer>& b, int kind, Swapper& swapper) {
  if (!b || b->size() == 0 || kind == 1 || kind == 0) return b;
  auto& cached = swapper.done[{b->data(), b->size(), kind}];
  if (cached) return cached;
  ARROWPACK_RETURN_NOT_OK(swapper.budget->charge(b->size(), "byte-swapping big-endian data"));
  ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_buffer(b->size(), swapper.pool));
  const std::uint8_t* src = b->data();
  std::uint8_t* dst = out->mutable_data();
  const std::int64_t width = kind > 0 ? kind : 4;
  const std::int64_t whole = b->size() / width * width;
  for (std::int64_t i = 0; i < whole; i += width) {
    for (std::int64_t k = 0; k < width; ++k) dst[i + k] = src[i + width - 1 - k];
  }
  std::memcpy(dst + whole, src + whole, static_cast<std::size_t>(b->size() - whole));
  for (std::int64_t i = 0; kind < 0 && i + 16 <= b->size(); i += 16) {
    if (kind == kViews) {
      // Bytes after the length (inline data or prefix) are copied back unswapped.
      std::int32_t length;
      std::memcpy(&length, dst + i, 4);
      std::memcpy(dst + i + 4, src + i + 4, length <= 12 ? 12 : 4);
    } else {
      // The int64 was swapped as two int32 halves: exchange the halves.
      std::uint8_t tmp[4];
      std::memcpy(tmp, dst + i + 8, 4);
      std::memcpy(dst + i + 8, dst + i + 12, 4);
      std::memcpy(dst + i + 12, tmp, 4);
    }
  }
  cached = std::move(out);
  return cached;
}

// Swaps every multi-byte value of `d` and its children (not its dictionary: dictionaries are
// converted when their batch is read).
Status swap_endian(ArrayData& d, Swapper& swapper) {
  const DataType& t = *d.type;
  auto swap_slot = [&](int slot, int kind) -> Status {
    ARROWPACK_ASSIGN_OR_RAISE(d.buffers[slot], swapped(d.buffers[slot], kind, swapper));
    return Status::OK();
  };
  // What each slot needs is the layout table's: offsets, sizes and values are numbers; bits,
  // bytes and int8 type ids read the same either way.
  const TypeInfo& info = t.info();
  for (int slot = 0; slot < info.num_buffers; ++slot) {
    int kind = 0;
    switch (info.buffers[static_cast<std::size_t>(slot)]) {
      case BufferKind::kAbsent:
      case BufferKind::kValidity:
      case BufferKind::kBits:
      case BufferKind::kData:
      case BufferKind::kTypeIds: break;
      case BufferKind::kOffsets32:
      case BufferKind::kSizes32:
      case BufferKind::kUnionOffsets: kind = 4; break;
      case BufferKind::kOffsets64:
      case BufferKind::kSizes64: kind = 8; break;
      case BufferKind::kViews: kind = kViews; break;
      case BufferKind::kValues:
        kind = t.id() == TypeId::kDictionary ? static_cast<int>(t.index_type()->byte_width()) : info.swap_width;
        break;
    }
    if (kind != 0) ARROWPACK_RETURN_NOT_OK(swap_slot(slot, kind));
  }
  for (auto& c : d.children) ARROWPACK_RETURN_NOT_OK(swap_endian(*c, swapper));
  return Status::OK();
}

Status check_body_compression(const fb::RecordBatch* rb) {
  if (const auto* c = rb->compression()) {
    if (c->codec() != fb::CompressionType::LZ4_FRAME && c->codec() != fb::CompressionType::ZSTD) {
      return Status::NotImplemented("unknown body compression codec ", static_cast<int>(c->codec()));
    }
    if (c->method() != fb::BodyCompressionMethod::BUFFER) {
      return Status::NotImplemented("unknown body compression method ", static_cast<int>(c->method()));
    }
  }
  return Status::OK();
}

// The layout of a verified RecordBatch header whose body is `body_size` bytes.
Status layout_of(const fb::RecordBatch* rb, std::int64_t body_size, RecordBatchLayout* out) {
  if (rb->compression() != nullptr) return Status::NotImplemented("a compressed record batch body");
  if (rb->variadicBufferCounts() != nullptr && rb->variadicBufferCounts()->size() > 0) {
    return Status::NotImplemented("a record batch with variadic buffer counts");
  }
  out->length = rb->length();
  if (out->length < 0) return Status::Invalid("negative record batch length ", out->length);
  out->nodes.clear();
  out->buffers.clear();
  if (const auto* nodes = rb->nodes()) {
    out->nodes.reserve(nodes->size());
    for (flatbuffers::uoffset_t i = 0; i < nodes->size(); ++i) {
      const fb::FieldNode n = internal::load_struct(nodes, i);
      if (n.length() < 0 || n.null_count() < 0) {
        return Status::Invalid("field node ", i, " has length ", n.length(), " and null count ", n.null_count());
      }
      out->nodes.push_back({n.length(), n.null_count()});
    }
  }
  if (const auto* buffers = rb->buffers()) {
    out->buffers.reserve(buffers->size());
    for (flatbuffers::uoffset_t i = 0; i < buffers->size(); ++i) {
      const fb::Buffer b = internal::load_struct(buffers, i);
      if (b.offset() < 0 || b.length() < 0 || b.offset() > body_size || b.length() > body_size - b.offset()) {
        return Status::Invalid("buffer ", i, " [offset ", b.offset(), ", length ", b.length(), "] lies outside the ",
                               body_size, "-byte message body");
      }
      out->buffers.push_back({b.offset(), b.length()});
    }
  }
  return Status::OK();
}
}  // namespace

Status read_record_batch_layout(const Message& message, RecordBatchLayout* out) {
  if (message.type() != MessageType::kRecordBatch) {
    return Status::Invalid("expected a RecordBatch message, got ", message_type_name(message.type()));
  }
  out->version = message.metadata_version();
  out->body_offset = 0;
  out->body_length = message.body_length();
  out->end = 0;
  return layout_of(fb_message(message)->header_as_RecordBatch(), message.body_length(), out);
}

namespace {

// Small objects arrive one after another with RecordBatch metadata of one shape: the same
// bytes but for the numbers (the batch length, the body length, the field node and buffer
// structs). The verifier's verdict does not depend on those numbers, so each thread keeps a
// few verified messages, and metadata equal to one of them outside its numbers passes
// without being verified again (the numbers are still checked, by layout_of). Only messages
// exactly as this library's writer (and Arrow C++'s) lays them out are kept: in those the
// numbers share no byte with offsets, vtables or lengths, which an arbitrary valid
// flatbuffer does not promise. What the profile of small objects showed: verifying was most
// of reading a record batch's metadata.
class VerifiedShapes {
 public:
  // Whether `meta` (aligned) matches a kept message verified under the same depth bound.
  bool known(const std::uint8_t* meta, std::int64_t size, int depth) const {
    for (const Shape& shape : shapes_) {
      if (shape.depth != depth || static_cast<std::int64_t>(shape.bytes.size()) != size) continue;
      std::int64_t at = 0;
      bool same = true;
      for (int i = 0; i < shape.num_holes && same; ++i) {
        const auto [hole, length] = shape.holes[static_cast<std::size_t>(i)];
        same = std::memcmp(meta + at, shape.bytes.data() + at, static_cast<std::size_t>(hole - at)) == 0;
        at = hole + length;
      }
      if (same && std::memcmp(meta + at, shape.bytes.data() + at, static_cast<std::size_t>(size - at)) == 0) {
        return true;
      }
    }
    return false;
  }

  // Keeps `m`, just verified, when it is a RecordBatch laid out as the writer lays it out.
  void remember(const std::uint8_t* meta, std::int64_t size, int depth, const fb::Message* m,
                const RecordBatchLayout& layout) {
    if (size > kMaxBytes) return;
    // After a run of messages from another writer, try only now and then.
    if (failures_ >= kMaxFailures && ++skipped_ % kRetryEvery != 0) return;
    auto canonical = record_batch_metadata(layout.length, layout.nodes, layout.buffers, layout.body_length);
    if (!canonical.ok() || static_cast<std::int64_t>(canonical->size()) != size ||
        std::memcmp(canonical->data(), meta, static_cast<std::size_t>(size)) != 0) {
      ++failures_;
      return;
    }
    failures_ = 0;
    Shape& shape = shapes_[next_];
    next_ = (next_ + 1) % kShapes;
    shape.depth = depth;
    shape.bytes.assign(meta, meta + size);
    shape.num_holes = 0;
    const fb::RecordBatch* rb = m->header_as_RecordBatch();
    auto hole = [&](const void* at, std::int64_t length) {
      if (at == nullptr || length == 0) return;
      shape.holes[static_cast<std::size_t>(shape.num_holes++)] = {static_cast<const std::uint8_t*>(at) - meta, length};
    };
    // Flatbuffers tables derive privately from flatbuffers::Table, which has no state of its
    // own: the cast reaches the address of a scalar field (nullptr when left out).
    hole(reinterpret_cast<const flatbuffers::Table*>(m)->GetAddressOf(fb::Message::VT_BODYLENGTH), 8);
    hole(reinterpret_cast<const flatbuffers::Table*>(rb)->GetAddressOf(fb::RecordBatch::VT_LENGTH), 8);
    if (rb->nodes()) hole(rb->nodes()->Data(), 16 * static_cast<std::int64_t>(rb->nodes()->size()));
    if (rb->buffers()) hole(rb->buffers()->Data(), 16 * static_cast<std::int64_t>(rb->buffers()->size()));
    std::sort(shape.holes.begin(), shape.holes.begin() + shape.num_holes);
  }

 private:
  struct Shape {
    std::vector<std::uint8_t> bytes;  // empty: unused
    int depth = 0;
    std::array<std::pair<std::int64_t, std::int64_t>, 4> holes{};  // [offset, length) of the numbers
    int num_holes = 0;
  };
  static constexpr std::size_t kShapes = 4;
  static constexpr std::int64_t kMaxBytes = 4096;
  static constexpr int kMaxFailures = 16;
  static constexpr std::uint32_t kRetryEvery = 256;
  std::array<Shape, kShapes> shapes_;
  std::size_t next_ = 0;
  int failures_ = 0;
  std::uint32_t skipped_ = 0;
};

// The message this thread read last and its layout. The same small object sent again and
// again (a request, a record of one shape and size) has metadata equal byte for byte to the
// last one's, and layout_of() reads nothing but those bytes (and the body length inside
// them): the verdict and the layout are the last ones, and only where the body lies is
// new. What the profile of one small dict showed: reading its batch metadata (20 nodes, 25
// buffers) was an eighth of its decode after verification was cached.
class LastLayout {
 public:
  // Whether `meta` is the last message's bytes, verified under the same depth bound.
  bool same(const std::uint8_t* meta, std::int64_t size, int depth) const {
    return depth == depth_ && static_cast<std::int64_t>(bytes_.size()) == size && size > 0 &&
           std::memcmp(meta, bytes_.data(), static_cast<std::size_t>(size)) == 0;
  }
  // The last layout into `out` (whose vectors keep their capacity).
  void copy_to(RecordBatchLayout* out) const {
    out->length = layout_.length;
    out->nodes.assign(layout_.nodes.begin(), layout_.nodes.end());
    out->buffers.assign(layout_.buffers.begin(), layout_.buffers.end());
    out->version = layout_.version;
    out->body_length = layout_.body_length;
  }
  // Keeps `meta`, just read into `layout`, when it is small.
  void remember(const std::uint8_t* meta, std::int64_t size, int depth, const RecordBatchLayout& layout) {
    // Unusable until complete: an allocation failing half way leaves no key over a mixed
    // layout.
    depth_ = -1;
    bytes_.clear();
    if (size > kMaxBytes) return;
    layout_.length = layout.length;
    layout_.nodes.assign(layout.nodes.begin(), layout.nodes.end());
    layout_.buffers.assign(layout.buffers.begin(), layout.buffers.end());
    layout_.version = layout.version;
    layout_.body_length = layout.body_length;
    bytes_.assign(meta, meta + size);
    depth_ = depth;
  }

 private:
  static constexpr std::int64_t kMaxBytes = 4096;
  std::vector<std::uint8_t> bytes_;
  int depth_ = -1;
  RecordBatchLayout layout_;
};

}  // namespace

Status read_record_batch_layout(std::span<const std::uint8_t> bytes, std::int64_t offset, const IpcReadOptions& options,
                                RecordBatchLayout* out) {
  return catch_exceptions("reading a record batch message in place", [&]() -> Status {
    ARROWPACK_ASSIGN_OR_RAISE(const Frame frame, frame_at(bytes, offset));
    if (frame.prefix == 0 || frame.length == 0) {
      return Status::Invalid("expected a RecordBatch message at offset ", offset, ", found the end of the stream");
    }
    ARROWPACK_RETURN_NOT_OK(check_metadata_length(frame.length, options));
    const std::int64_t meta_at = offset + frame.prefix;
    const auto size = static_cast<std::int64_t>(bytes.size());
    if (frame.length > size - meta_at) {
      return Status::Invalid("stream truncated: message metadata announces ", frame.length, " bytes, ", size - meta_at,
                             " remain");
    }
    const std::uint8_t* meta = bytes.data() + meta_at;
    if (reinterpret_cast<std::uintptr_t>(meta) % 8 != 0) {
      // Flatbuffers are read aligned: misaligned metadata is verified and read from a
      // per-thread aligned copy (the layout is copied out of it, nothing points into it).
      thread_local std::vector<std::uint64_t> aligned;
      aligned.resize((static_cast<std::size_t>(frame.length) + 7) / 8);
      std::memcpy(aligned.data(), meta, static_cast<std::size_t>(frame.length));
      meta = reinterpret_cast<const std::uint8_t*>(aligned.data());
    }
    const int depth = options.limits.flatbuffer_depth(options.limits.max_depth);
    const std::int64_t body_at = meta_at + frame.length;
    thread_local LastLayout last;
    if (last.same(meta, frame.length, depth)) {
      last.copy_to(out);
      if (out->body_length > size - body_at) {
        return Status::Invalid("stream truncated: message body announces ", out->body_length, " bytes, ",
                               size - body_at, " remain");
      }
      out->body_offset = body_at;
      out->end = body_at + out->body_length;
      return Status::OK();
    }
    thread_local VerifiedShapes shapes;
    const bool known = shapes.known(meta, frame.length, depth);
    if (!known) ARROWPACK_RETURN_NOT_OK(verify_flatbuffer_message(Buffer(meta, frame.length), options));
    const fb::Message* m = fb::GetMessage(meta);
    ARROWPACK_ASSIGN_OR_RAISE(const MessageType type, check_message_header(m, &out->version));
    if (type != MessageType::kRecordBatch) {
      return Status::Invalid("expected a RecordBatch message, got ", message_type_name(type));
    }
    if (m->bodyLength() > size - body_at) {
      return Status::Invalid("stream truncated: message body announces ", m->bodyLength(), " bytes, ", size - body_at,
                             " remain");
    }
    out->body_offset = body_at;
    out->body_length = m->bodyLength();
    out->end = body_at + m->bodyLength();
    ARROWPACK_RETURN_NOT_OK(layout_of(m->header_as_RecordBatch(), out->body_length, out));
    if (!known) shapes.remember(meta, frame.length, depth, m, *out);
    last.remember(meta, frame.length, depth, *out);
    return Status::OK();
  });
}

bool end_of_stream_at(std::span<const std::uint8_t> bytes, std::int64_t offset, std::int64_t* end) {
  auto frame = frame_at(bytes, offset);
  if (!frame.ok() || frame->length != 0) return false;
  *end = offset + frame->prefix;
  return true;
}

namespace {

// `swap`: the data is big-endian (the schema said so); `schema` is the native one.
Result<RecordBatchPtr> load_record_batch(const Message& message, const SchemaPtr& schema, const DictionaryMemo* memo,
                                         const IpcReadOptions& options, bool swap, ReadBudget* budget) {
  if (message.type() != MessageType::kRecordBatch) {
    return Status::Invalid("expected a RecordBatch message, got ", message_type_name(message.type()));
  }
  const fb::RecordBatch* rb = fb_message(message)->header_as_RecordBatch();
  ARROWPACK_RETURN_NOT_OK(check_body_compression(rb));
  const std::int64_t num_rows = rb->length();
  if (num_rows < 0) return Status::Invalid("negative record batch length ", num_rows);
  ArrayLoader loader(rb, message.body(), message.metadata_version(), options, memo, {}, budget);
  Swapper swapper{options.pool, budget, {}};
  std::vector<Array> columns;
  columns.reserve(schema->num_fields());
  for (int i = 0; i < schema->num_fields(); ++i) {
    const auto& f = schema->field(i);
    loader.set_path({i});
    auto data = loader.load(*f, 1);
    if (!data.ok()) return data.status().with_context("reading column '" + f->name() + "'");
    if ((*data)->length != num_rows) {
      return Status::Invalid("column '", f->name(), "' has ", (*data)->length, " rows, the record batch has ",
                             num_rows);
    }
    if (swap) ARROWPACK_RETURN_NOT_OK(swap_endian(**data, swapper));
    columns.emplace_back(data.move_value());
  }
  ARROWPACK_RETURN_NOT_OK(loader.finish());
  ARROWPACK_ASSIGN_OR_RAISE(auto batch, RecordBatch::make(schema, num_rows, std::move(columns)));
  if (options.validation == Validation::kFull) {
    for (int i = 0; i < batch->num_columns(); ++i) {
      // Dictionaries were validated when they were read.
      Status st = arrowpack::internal::validate_full_but_dictionaries(batch->column(i));
      if (!st.ok()) return st.with_context("column '" + schema->field(i)->name() + "'");
    }
  } else {
    ARROWPACK_RETURN_NOT_OK(batch->validate());
  }
  return batch;
}

enum class DictionaryUpdate { kNew, kReplaced, kDelta };

Result<DictionaryUpdate> apply_dictionary_batch(const Message& message, DictionaryMemo* memo,
                                                const IpcReadOptions& options, bool allow_replacement, bool swap,
                                                ReadBudget* budget) {
  if (message.type() != MessageType::kDictionaryBatch) {
    return Status::Invalid("expected a DictionaryBatch message, got ", message_type_name(message.type()));
  }
  const fb::DictionaryBatch* db = fb_message(message)->header_as_DictionaryBatch();
  const fb::RecordBatch* rb = db->data();
  if (rb == nullptr) return Status::Invalid("dictionary batch without data");
  ARROWPACK_RETURN_NOT_OK(check_body_compression(rb));
  const std::int64_t id = db->id();
  auto field = memo->field_for(id);
  if (!field.ok()) return Status::Invalid("dictionary batch for id ", id, ", which no field of the schema uses");
  const std::int64_t length = rb->length();
  if (length < 0) return Status::Invalid("negative dictionary length ", length);
  const auto& [type, path] = *field;
  ArrayLoader loader(rb, message.body(), message.metadata_version(), options, memo, path, budget);
  auto data = loader.load(Field("dictionary", type->value_type()), 1);
  if (!data.ok()) return data.status().with_context("dictionary id " + std::to_string(id));
  if ((*data)->length != length) {
    return Status::Invalid("dictionary id ", id, " has ", (*data)->length, " values, its batch says ", length);
  }
  ARROWPACK_RETURN_NOT_OK(loader.finish());
  if (swap) {
    Swapper swapper{options.pool, budget, {}};
    ARROWPACK_RETURN_NOT_OK(swap_endian(**data, swapper));
  }
  const Array values(data.move_value());
  Status st = options.validation == Validation::kFull ? values.validate_full() : values.validate();
  if (!st.ok()) return st.with_context("dictionary id " + std::to_string(id));
  const bool current = memo->has_dictionary(id);
  const std::int64_t held = memo->dictionary_bytes();
  if (db->isDelta()) {
    if (!current) return Status::Invalid("delta for dictionary id ", id, " before its first dictionary batch");
    // Joined when a record batch needs it: a run of deltas costs one concatenation.
    memo->add_delta(id, std::const_pointer_cast<ArrayData>(values.data()));
  } else {
    if (current && !allow_replacement) {
      return Status::Invalid("a second non-delta dictionary batch for id ", id,
                             ": the IPC file format cannot replace dictionaries");
    }
    memo->set_dictionary(id, std::const_pointer_cast<ArrayData>(values.data()));
  }
  if (memo->dictionary_bytes() > options.limits.max_dictionary_bytes && memo->dictionary_bytes() > held) {
    return Status::CapacityError(
        "dictionary id ", id, " brings the dictionaries held to ", memo->dictionary_bytes(),
        " bytes, beyond ReadLimits::max_dictionary_bytes = ", options.limits.max_dictionary_bytes);
  }
  return db->isDelta() ? DictionaryUpdate::kDelta : current ? DictionaryUpdate::kReplaced : DictionaryUpdate::kNew;
}

void count(DictionaryUpdate update, ReadStats* stats) {
  ++stats->num_dictionary_batches;
  if (update == DictionaryUpdate::kReplaced) ++stats->num_replaced_dictionaries;
  if (update == DictionaryUpdate::kDelta) ++stats->num_dictionary_deltas;
}

}  // namespace

namespace {
SchemaPtr native(const SchemaPtr& schema) {
  return schema->endianness() == Endianness::kBig ? schema->with_endianness(Endianness::kLittle) : schema;
}
}  // namespace

namespace {
// The input one message stands for: its framing, metadata and body.
std::int64_t message_bytes(const Message& message) { return 8 + message.metadata()->size() + message.body_length(); }
}  // namespace

Result<RecordBatchPtr> read_record_batch(const Message& message, const SchemaPtr& schema,
                                         const IpcReadOptions& options) {
  return catch_exceptions("reading an IPC record batch", [&]() -> Result<RecordBatchPtr> {
    ReadBudget budget(options.limits, message_bytes(message));
    return load_record_batch(message, native(schema), nullptr, options, schema->endianness() == Endianness::kBig,
                             &budget);
  });
}

Result<RecordBatchPtr> read_record_batch(const Message& message, const SchemaPtr& schema, const DictionaryMemo& memo,
                                         const IpcReadOptions& options) {
  return catch_exceptions("reading an IPC record batch", [&]() -> Result<RecordBatchPtr> {
    ReadBudget budget(options.limits, message_bytes(message));
    return load_record_batch(message, native(schema), &memo, options, schema->endianness() == Endianness::kBig,
                             &budget);
  });
}

Status read_dictionary_batch(const Message& message, DictionaryMemo* memo, const IpcReadOptions& options,
                             bool allow_replacement, bool big_endian) {
  return catch_exceptions("reading an IPC dictionary batch", [&]() -> Status {
    ReadBudget budget(options.limits, message_bytes(message));
    return apply_dictionary_batch(message, memo, options, allow_replacement, big_endian, &budget).status();
  });
}

// ---- StreamReader

struct StreamReader::Impl {
  Impl(std::shared_ptr<io::InputStream> source, IpcReadOptions options)
      : source_(std::move(source)), options_(options), budget_(options_.limits) {}
  std::shared_ptr<io::InputStream> source_;
  IpcReadOptions options_;
  ReadBudget budget_;  // charged by every message of the stream
  SchemaPtr schema_;
  DictionaryMemo memo_;
  ReadStats stats_;
  bool finished_ = false;
  bool swap_ = false;  // big-endian data, converted as it is read
};

StreamReader::StreamReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamReader::~StreamReader() = default;
const SchemaPtr& StreamReader::schema() const { return impl_->schema_; }
ReadStats StreamReader::stats() const { return impl_->stats_; }

Result<std::shared_ptr<StreamReader>> StreamReader::open(std::shared_ptr<io::InputStream> source,
                                                         const IpcReadOptions& options) {
  return catch_exceptions("opening an IPC stream", [&]() -> Result<std::shared_ptr<StreamReader>> {
    if (!source) return Status::Invalid("no source stream");
    auto impl = std::make_unique<Impl>(std::move(source), options);
    ARROWPACK_ASSIGN_OR_RAISE(auto message, read_message(impl->source_.get(), options));
    if (!message) return Status::Invalid("IPC stream is empty: no schema message");
    ARROWPACK_ASSIGN_OR_RAISE(auto schema, read_schema(*message, &impl->memo_, options));
    impl->budget_.add_input(message_bytes(*message));
    impl->swap_ = schema->endianness() == Endianness::kBig;
    impl->schema_ = native(schema);
    impl->stats_.num_messages = 1;
    return std::shared_ptr<StreamReader>(new StreamReader(std::move(impl)));
  });
}

Result<std::shared_ptr<StreamReader>> open_stream(std::shared_ptr<Buffer> buffer, const IpcReadOptions& options) {
  return StreamReader::open(std::make_shared<io::BufferReader>(std::move(buffer)), options);
}

Result<RecordBatchPtr> StreamReader::read_next_batch() {
  return catch_exceptions("reading an IPC stream", [&]() -> Result<RecordBatchPtr> {
    if (impl_->finished_) return RecordBatchPtr();
    while (true) {
      ARROWPACK_ASSIGN_OR_RAISE(auto message, read_message(impl_->source_.get(), impl_->options_));
      if (!message) {
        impl_->finished_ = true;
        return RecordBatchPtr();
      }
      ++impl_->stats_.num_messages;
      impl_->budget_.add_input(message_bytes(*message));
      switch (message->type()) {
        case MessageType::kRecordBatch: {
          ARROWPACK_ASSIGN_OR_RAISE(auto batch, load_record_batch(*message, impl_->schema_, &impl_->memo_,
                                                                  impl_->options_, impl_->swap_, &impl_->budget_));
          ++impl_->stats_.num_record_batches;
          return batch;
        }
        case MessageType::kDictionaryBatch: {
          ARROWPACK_ASSIGN_OR_RAISE(auto update, apply_dictionary_batch(*message, &impl_->memo_, impl_->options_, true,
                                                                        impl_->swap_, &impl_->budget_));
          count(update, &impl_->stats_);
          break;
        }
        default:
          return Status::Invalid("unexpected ", message_type_name(message->type()),
                                 " message in the middle of an IPC stream");
      }
    }
  });
}

Result<TablePtr> StreamReader::read_all() {
  return catch_exceptions("reading an IPC stream", [&]() -> Result<TablePtr> {
    std::vector<RecordBatchPtr> batches;
    while (true) {
      ARROWPACK_ASSIGN_OR_RAISE(auto batch, read_next_batch());
      if (!batch) break;
      batches.push_back(std::move(batch));
    }
    return Table::from_batches(impl_->schema_, std::move(batches));
  });
}

void StreamReader::Iterator::advance() {
  if (reader_ == nullptr) return;
  if (failed_) {
    reader_ = nullptr;
    return;
  }
  current_ = reader_->read_next_batch();
  if (!current_.ok()) {
    failed_ = true;  // yield the error once, then stop
  } else if (!*current_) {
    reader_ = nullptr;
  }
}

// ---- FileReader

struct FileReader::Impl {
  Impl(std::shared_ptr<io::RandomAccessFile> source, IpcReadOptions options)
      : source_(std::move(source)), options_(options), budget_(options_.limits) {}
  Result<std::unique_ptr<Message>> read_block(const internal::FileBlock& block, const std::string& what) const;
  std::shared_ptr<io::RandomAccessFile> source_;
  IpcReadOptions options_;
  ReadBudget budget_;  // for open(), which reads every dictionary: the file's size is the input
  SchemaPtr schema_;
  DictionaryMemo memo_;  // every dictionary of the file, read by open()
  bool swap_ = false;    // big-endian data, converted as it is read
  ReadStats dictionary_stats_;
  std::vector<internal::FileBlock> blocks_;
  MetadataVersion version_ = MetadataVersion::kV5;
  MetadataPtr footer_metadata_;
  std::atomic<std::int64_t> batches_read_{0};  // get_batch() may run on several threads
};

FileReader::FileReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileReader::~FileReader() = default;
const SchemaPtr& FileReader::schema() const { return impl_->schema_; }
int FileReader::num_record_batches() const { return static_cast<int>(impl_->blocks_.size()); }
MetadataVersion FileReader::metadata_version() const { return impl_->version_; }
const MetadataPtr& FileReader::footer_metadata() const { return impl_->footer_metadata_; }
ReadStats FileReader::stats() const {
  ReadStats out = impl_->dictionary_stats_;
  const std::int64_t batches = impl_->batches_read_.load(std::memory_order_relaxed);
  out.num_messages += batches;
  out.num_record_batches = batches;
  return out;
}

Result<std::shared_ptr<FileReader>> FileReader::open(std::shared_ptr<io::RandomAccessFile> source,
                                                     const IpcReadOptions& options) {
  return catch_exceptions("opening an IPC file", [&]() -> Result<std::shared_ptr<FileReader>> {
    if (!source) return Status::Invalid("no source file");
    auto reader = std::make_unique<Impl>(source, options);
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t size, source->get_size());
    reader->budget_.add_input(size);
    constexpr std::int64_t kMagic = 6;
    // Leading magic (+2 padding), trailing int32 footer length and magic.
    if (size < kMagic + 2 + 4 + kMagic) {
      return Status::Invalid("not an Arrow IPC file: ", size, " bytes is too small");
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto head, source->read_at(0, kMagic));
    if (head->view() != kFileMagic) {
      return Status::Invalid("not an Arrow IPC file: leading magic 'ARROW1' missing");
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto tail, source->read_at(size - kMagic - 4, kMagic + 4));
    if (tail->size() != kMagic + 4 || tail->view().substr(4) != kFileMagic) {
      return Status::Invalid("Arrow IPC file has no trailing 'ARROW1' magic (truncated file?)");
    }
    const std::int32_t footer_length = load_le32(tail->data());
    if (footer_length <= 0 || footer_length > size - (kMagic + 2 + 4 + kMagic)) {
      return Status::Invalid("Arrow IPC file footer length ", footer_length, " does not fit a ", size, "-byte file");
    }
    const std::int64_t footer_offset = size - kMagic - 4 - footer_length;
    ARROWPACK_ASSIGN_OR_RAISE(auto footer_buf, source->read_at(footer_offset, footer_length));
    if (footer_buf->size() != footer_length) return Status::IOError("short read of the file footer");
    ARROWPACK_ASSIGN_OR_RAISE(footer_buf, ensure_aligned(std::move(footer_buf), 8, options.pool));
    ARROWPACK_RETURN_NOT_OK(internal::verify_flatbuffer(*footer_buf, options.limits, &fb::VerifyFooterBuffer,
                                                        "Arrow IPC file footer", "Footer"));
    const fb::Footer* footer = fb::GetFooter(footer_buf->data());
    const int version = static_cast<int>(footer->version());
    if (version > static_cast<int>(fb::MetadataVersion::V5)) {
      return Status::Invalid("Arrow IPC file footer has metadata version V", version + 1,
                             " (this reader knows V4 and V5)");
    }
    // Writers before 0.15 left the footer version unset (V1); each message states its own
    // version, and that one is checked when the message is read.
    reader->version_ = version < static_cast<int>(fb::MetadataVersion::V4) ? MetadataVersion::kV4
                                                                           : static_cast<MetadataVersion>(version);
    internal::DecodeBudget budget(footer_buf->size());
    ARROWPACK_ASSIGN_OR_RAISE(reader->schema_,
                              internal::schema_from_flatbuffer(footer->schema(), options, &budget, &reader->memo_));
    reader->swap_ = reader->schema_->endianness() == Endianness::kBig;
    reader->schema_ = native(reader->schema_);
    auto blocks_of = [&](const flatbuffers::Vector<const fb::Block*>* blocks, const char* what,
                         std::vector<internal::FileBlock>* out) -> Status {
      if (blocks == nullptr) return Status::OK();
      for (flatbuffers::uoffset_t i = 0; i < blocks->size(); ++i) {
        const fb::Block b = internal::load_struct(blocks, i);
        const std::int64_t off = b.offset();
        const std::int64_t meta = b.metaDataLength();
        const std::int64_t body = b.bodyLength();
        if (off < kMagic + 2 || meta <= 0 || meta > std::numeric_limits<std::int32_t>::max() || body < 0 ||
            off > footer_offset || meta > footer_offset - off || body > footer_offset - off - meta) {
          return Status::Invalid(what, " block ", i, " [offset ", off, ", metadata ", meta, ", body ", body,
                                 "] lies outside the file's data (", footer_offset, " bytes)");
        }
        out->push_back({off, static_cast<std::int32_t>(meta), body});
      }
      return Status::OK();
    };
    std::vector<internal::FileBlock> dictionary_blocks;
    ARROWPACK_RETURN_NOT_OK(blocks_of(footer->dictionaries(), "dictionary", &dictionary_blocks));
    ARROWPACK_RETURN_NOT_OK(blocks_of(footer->recordBatches(), "record batch", &reader->blocks_));
    // Every writer puts each message in a place of its own. Blocks that overlap would make
    // one message count many times (a small file that decodes into gigabytes): refused.
    std::vector<std::pair<std::int64_t, std::int64_t>> extents;  // [start, end)
    extents.reserve(dictionary_blocks.size() + reader->blocks_.size());
    for (const auto* list : {&dictionary_blocks, &reader->blocks_}) {
      for (const internal::FileBlock& b : *list)
        extents.emplace_back(b.offset, b.offset + b.metadata_length + b.body_length);
    }
    std::sort(extents.begin(), extents.end());
    for (std::size_t i = 1; i < extents.size(); ++i) {
      if (extents[i].first < extents[i - 1].second) {
        return Status::Invalid("Arrow IPC file footer lists blocks that overlap (at offsets ", extents[i - 1].first,
                               " and ", extents[i].first, "): each message must have a place of its own");
      }
    }
    // Every dictionary is read now, in footer order (deltas apply in that order): record
    // batches may come before their dictionaries in a file, and get_batch() stays read-only.
    for (std::size_t i = 0; i < dictionary_blocks.size(); ++i) {
      const std::string what = "dictionary batch " + std::to_string(i);
      ARROWPACK_ASSIGN_OR_RAISE(auto message, reader->read_block(dictionary_blocks[i], what));
      auto update = apply_dictionary_batch(*message, &reader->memo_, options, false, reader->swap_, &reader->budget_);
      if (!update.ok()) return update.status().with_context(what);
      count(*update, &reader->dictionary_stats_);
    }
    // get_batch() may run on several threads: the memo must be read-only from here on.
    ARROWPACK_RETURN_NOT_OK(reader->memo_.join_deltas(options.pool, &reader->budget_));
    ARROWPACK_ASSIGN_OR_RAISE(reader->footer_metadata_,
                              internal::metadata_from_flatbuffer(footer->custom_metadata(), &budget));
    return std::shared_ptr<FileReader>(new FileReader(std::move(reader)));
  });
}

Result<std::shared_ptr<FileReader>> open_file(std::shared_ptr<Buffer> buffer, const IpcReadOptions& options) {
  return FileReader::open(std::make_shared<io::BufferReader>(std::move(buffer)), options);
}

Result<std::unique_ptr<Message>> FileReader::Impl::read_block(const internal::FileBlock& block,
                                                              const std::string& what) const {
  // One read for framing, metadata and body: one system call and one allocation on an OS file.
  ARROWPACK_ASSIGN_OR_RAISE(auto whole, source_->read_at(block.offset, block.metadata_length + block.body_length));
  if (whole->size() != block.metadata_length + block.body_length) {
    return Status::Invalid(what, ": block of ", block.metadata_length, " + ", block.body_length, " bytes is truncated");
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto frame, whole->slice(0, block.metadata_length));
  if (block.metadata_length < 8) {
    return Status::Invalid(what, ": metadata block of ", block.metadata_length, " bytes is truncated or too small");
  }
  ARROWPACK_ASSIGN_OR_RAISE(const Frame framing,
                            frame_at(std::span<const std::uint8_t>(frame->data(), frame->size()), 0));
  const std::int64_t prefix = framing.prefix;
  const std::int32_t length = framing.length;
  if (length <= 0 || length > block.metadata_length - prefix) {
    return Status::Invalid(what, ": metadata length ", length, " does not fit its ", block.metadata_length,
                           "-byte block");
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto metadata, frame->slice(prefix, length));
  ARROWPACK_ASSIGN_OR_RAISE(auto body, whole->slice(block.metadata_length, block.body_length));
  auto message = Message::open(std::move(metadata), std::move(body), options_);
  if (!message.ok()) return message.status().with_context(what);
  return message;
}

Result<RecordBatchPtr> FileReader::get_batch(int i) {
  return catch_exceptions("reading an IPC file", [&]() -> Result<RecordBatchPtr> {
    if (i < 0 || i >= num_record_batches()) {
      return Status::IndexError("record batch ", i, " out of range: the file has ", num_record_batches());
    }
    const std::string what = "record batch " + std::to_string(i);
    ARROWPACK_ASSIGN_OR_RAISE(auto message, impl_->read_block(impl_->blocks_[i], what));
    if (message->type() != MessageType::kRecordBatch) {
      return Status::Invalid("record batch block ", i, " holds a ", message_type_name(message->type()), " message");
    }
    // Each batch is its own read: what it may cost is bounded by its own block.
    ReadBudget budget(impl_->options_.limits, impl_->blocks_[i].metadata_length + impl_->blocks_[i].body_length);
    auto batch = load_record_batch(*message, impl_->schema_, &impl_->memo_, impl_->options_, impl_->swap_, &budget);
    if (!batch.ok()) return batch.status().with_context(what);
    impl_->batches_read_.fetch_add(1, std::memory_order_relaxed);
    return batch;
  });
}

Result<TablePtr> FileReader::read_all() {
  return catch_exceptions("reading an IPC file", [&]() -> Result<TablePtr> {
    std::vector<RecordBatchPtr> batches;
    for (int i = 0; i < num_record_batches(); ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(auto batch, get_batch(i));
      batches.push_back(std::move(batch));
    }
    return Table::from_batches(impl_->schema_, std::move(batches));
  });
}

}  // namespace arrowpack::ipc

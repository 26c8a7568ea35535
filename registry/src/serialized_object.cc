// The contiguous and the components forms of a SerializedObject (pyarrow's WriteTo /
// ReadSerializedObject / GetComponents / GetSerializedFromComponents layouts).
#include <algorithm>
#include <cstring>

#include "arrowpack/core/ipc/reader.h"
#include "arrowpack/core/ipc/tensor.h"
#include "arrowpack/core/ipc/writer.h"
#include "arrowpack/core/util.h"
#include "structure_internal.h"
#include "structure_view.h"

namespace arrowpack {
namespace {

constexpr std::int64_t kTensorAlignment = 64;

// Bytes held by an array's buffers, children included (to size the stream's sink once).
std::int64_t buffer_bytes(const ArrayData& d) {
  std::int64_t n = 0;
  for (const auto& b : d.buffers) n += b ? b->size() : 0;
  for (const auto& c : d.children) n += buffer_bytes(*c);
  return n;
}

// Writes the IPC stream of the structure (schema, batch, end-of-stream) to `sink`, 8-byte
// aligned as Arrow C++'s default writer does. The sink is borrowed, not closed.
Status write_structure(const RecordBatch& batch, io::OutputStream* sink, MemoryPool* pool) {
  ipc::IpcWriteOptions options;
  options.alignment = 8;
  options.pool = pool;
  std::shared_ptr<io::OutputStream> borrowed(std::shared_ptr<void>(), sink);
  ARROWPACK_ASSIGN_OR_RAISE(auto writer, ipc::new_stream(borrowed, batch.schema(), options));
  ARROWPACK_RETURN_NOT_OK(writer->write_batch(batch));
  return writer->close();
}

Result<std::int64_t> structure_size(const RecordBatch& batch) {
  io::MockOutputStream counter;
  ARROWPACK_RETURN_NOT_OK(write_structure(batch, &counter, default_memory_pool()));
  return counter.tell();
}

Result<std::shared_ptr<Buffer>> render_structure(const RecordBatch& batch, MemoryPool* pool) {
  std::int64_t estimate = 4096;
  for (const auto& c : batch.columns()) estimate += buffer_bytes(*c.data()) * 9 / 8;
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, io::BufferOutputStream::create(estimate, pool));
  ARROWPACK_RETURN_NOT_OK(write_structure(batch, sink.get(), pool));
  return sink->finish();
}

Status write_zeros(io::OutputStream* sink, std::int64_t n) {
  static constexpr std::uint8_t kZeros[64] = {};
  return n > 0 ? sink->write(kZeros, n) : Status::OK();
}

// pyarrow and arrowpack write tensors contiguous; anything else (zero strides, gaps) could
// make a tiny blob describe an enormous array. Misaligned data is copied to aligned memory.
Result<TensorPtr> checked_tensor(TensorPtr t, MemoryPool* pool) {
  if (!t->is_contiguous()) {
    return Status::SerializationError("serialized tensors must be contiguous, got strides for shape ", t->to_string());
  }
  const std::int64_t width = t->element_size();
  if (width > 0 && reinterpret_cast<std::uintptr_t>(t->data()->data()) % static_cast<std::uintptr_t>(width) != 0) {
    ARROWPACK_ASSIGN_OR_RAISE(auto copy, Buffer::copy_of(t->data()->data(), t->data()->size(), pool));
    return Tensor::make(t->type(), std::move(copy), t->shape(), t->strides(), t->dim_names());
  }
  return t;
}

// Tensors of one layout in a row (a vector of matrices, say): a tensor whose header (the
// bytes that describe it: its metadata, framed or not) is byte for byte the last tensor's,
// over an 8-byte aligned body of the same size (as read_tensor would have it), is the last
// tensor over the new body; its metadata is neither verified nor decoded again.
class TensorRun {
 public:
  // Whether `header` is the last tensor's header.
  bool repeats(std::span<const std::uint8_t> header) const {
    return last_ && header.size() == static_cast<std::size_t>(last_header_->size()) &&
           std::memcmp(header.data(), last_header_->data(), header.size()) == 0;
  }
  std::int64_t header_size() const { return last_ ? last_header_->size() : 0; }
  std::int64_t body_size() const { return last_ ? last_->data()->size() : 0; }
  // After repeats(): the last tensor's layout over `body`, or nullptr when `body` does not
  // fit it (then the tensor is read as any other).
  Result<TensorPtr> over(const std::shared_ptr<Buffer>& body) const {
    if (body->size() != last_->data()->size() || reinterpret_cast<std::uintptr_t>(body->data()) % 8 != 0) {
      return TensorPtr();
    }
    return last_->with_data(body);
  }
  // Checks `t`, read from `header` over `body`, and keeps it for the next ones when it is its
  // message's whole body.
  Result<TensorPtr> read(TensorPtr t, std::shared_ptr<Buffer> header, const Buffer& body, MemoryPool* pool) {
    ARROWPACK_ASSIGN_OR_RAISE(auto checked, checked_tensor(std::move(t), pool));
    const bool whole = checked->data()->data() == body.data() && checked->data()->size() == body.size();
    last_ = whole ? checked : nullptr;
    last_header_ = whole ? std::move(header) : nullptr;
    return checked;
  }

 private:
  TensorPtr last_;
  std::shared_ptr<Buffer> last_header_;
};

Status check_count(std::int32_t n, const char* what) {
  if (n < 0) return Status::Invalid("serialized object announces ", n, " ", what);
  return Status::OK();
}

}  // namespace

// What a SerializedObject holds; its copies share it.
struct SerializedObject::State {
  // What every output form shares, made once on first use.
  struct Cache {
    std::once_flag stream_once;
    Status stream_status;
    std::shared_ptr<Buffer> stream;
    std::once_flag tensors_once;
    Status tensors_status;
    std::vector<ipc::TensorMessageParts> tensor_messages;  // the tensors, then the ndarrays
    std::vector<ipc::SparseTensorMessageParts> sparse_messages;
    std::once_flag batch_once;
    RecordBatchPtr batch;  // read from the structure stream on first use
    std::once_flag structure_once;
    Status structure_status;
    std::shared_ptr<const registry_internal::Structure> structure;  // parsed on first use

    // The Tensor messages of the object's tensors and ndarrays, in that order (and the
    // SparseTensor messages), built on the first call.
    Result<const std::vector<ipc::TensorMessageParts>*> messages_of(const SerializedObject& object, MemoryPool* pool);
  };

  State() = default;
  // Made once, then shared: only the registry's own code changes a state, before the object
  // is handed out.
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  RecordBatchPtr batch;
  // Made by the encoder: the header, the structure stream and padding to 64 in one buffer.
  std::shared_ptr<Buffer> rendered;
  // Where the structure stream lies (rendered, the blob read, or the first component): a
  // Buffer of its own is sliced only when one is asked for (structure_stream()).
  std::shared_ptr<Buffer> stream_source;
  std::int64_t stream_offset = 0;
  std::int64_t stream_size = 0;
  // Read by read_from()/from_components(): the structure's checked views.
  std::shared_ptr<const registry_internal::Structure> structure;
  std::vector<TensorPtr> tensors;
  std::vector<TensorPtr> ndarrays;
  std::vector<std::shared_ptr<Buffer>> buffers;
  std::vector<SparseTensorPtr> sparse_tensors;
  // The owners the encoder collected (registered objects' payloads, moved-in values).
  std::vector<std::shared_ptr<const void>> keep_alive;
  // What is known of the structure batch: nothing (made by the caller), its shape (schema,
  // disjoint buffers and references, checked by read_from()/from_components()), or that and
  // its data in full (validated there, or made by serialize()).
  enum class Checked : std::uint8_t { kNothing, kShape, kValidated };
  Checked checked = Checked::kNothing;
  std::int64_t input_bytes = 0;  // of the blob or the components read (0: made in memory)
  mutable Cache cache;
};

const SerializedObject::State& SerializedObject::state() const {
  static const State* const empty = new State();  // never destroyed: used until exit
  return state_ ? *state_ : *empty;
}

SerializedObject::SerializedObject() = default;

SerializedObject::SerializedObject(RecordBatchPtr batch, std::vector<TensorPtr> tensors,
                                   std::vector<TensorPtr> ndarrays, std::vector<std::shared_ptr<Buffer>> buffers,
                                   std::vector<SparseTensorPtr> sparse_tensors)
    : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.batch = std::move(batch);
  s.tensors = std::move(tensors);
  s.ndarrays = std::move(ndarrays);
  s.buffers = std::move(buffers);
  s.sparse_tensors = std::move(sparse_tensors);
}

const std::vector<TensorPtr>& SerializedObject::tensors() const { return state().tensors; }
const std::vector<TensorPtr>& SerializedObject::ndarrays() const { return state().ndarrays; }
const std::vector<std::shared_ptr<Buffer>>& SerializedObject::buffers() const { return state().buffers; }
const std::vector<SparseTensorPtr>& SerializedObject::sparse_tensors() const { return state().sparse_tensors; }
bool SerializedObject::structure_validated() const { return state().checked == State::Checked::kValidated; }
void SerializedObject::retain(std::shared_ptr<const void> owner) {
  // The owners of this object alone: copied first when a copy shares them, so that copies
  // stay independent and no chain of states builds up.
  if (!owners_) {
    owners_ = std::make_shared<std::vector<std::shared_ptr<const void>>>();
  } else if (owners_.use_count() > 1) {
    owners_ = std::make_shared<std::vector<std::shared_ptr<const void>>>(*owners_);
  }
  owners_->push_back(std::move(owner));
}

const RecordBatchPtr& SerializedObject::batch() const {
  const State& s = state();
  if (s.batch || !s.stream_source) return s.batch;
  std::call_once(s.cache.batch_once, [this, &s] {
    // Rendered by the encoder of this process: well formed, read without validating again;
    // read from outside: validated in full, as any IPC stream.
    ipc::IpcReadOptions options;
    options.validation = s.rendered ? Validation::kTrustedBytesOnly : Validation::kFull;
    options.limits.max_depth = 3 * ReadLimits{}.max_depth + 8;
    auto stream = structure_stream();
    if (!stream.ok()) return;
    auto reader = ipc::open_stream(*stream, options);
    if (!reader.ok()) return;
    auto batch = (*reader)->read_next_batch();
    if (batch.ok()) s.cache.batch = batch.move_value();
  });
  return s.cache.batch;
}

Result<std::shared_ptr<Buffer>> SerializedObject::structure_stream() const {
  const State& s = state();
  if (s.stream_source && s.stream_offset == 0 && s.stream_size == s.stream_source->size()) return s.stream_source;
  if (!s.batch && !s.stream_source) return Status::Invalid("empty serialized object");
  std::call_once(s.cache.stream_once, [&s] {
    auto r = s.stream_source ? s.stream_source->slice(s.stream_offset, s.stream_size)
                             : render_structure(*s.batch, default_memory_pool());
    if (r.ok()) {
      s.cache.stream = r.move_value();
    } else {
      s.cache.stream_status = r.status();
    }
  });
  ARROWPACK_RETURN_NOT_OK(s.cache.stream_status);
  return s.cache.stream;
}

Result<const std::vector<ipc::TensorMessageParts>*> SerializedObject::State::Cache::messages_of(
    const SerializedObject& object, MemoryPool* pool) {
  std::call_once(tensors_once, [this, &object, pool] {
    auto fail = [this](const Status& st) {
      tensors_status = st;
      tensor_messages.clear();
      sparse_messages.clear();
    };
    const Tensor* previous = nullptr;
    tensor_messages.reserve(object.state_->tensors.size() + object.state_->ndarrays.size());
    sparse_messages.reserve(object.state_->sparse_tensors.size());
    for (const auto* list : {&object.state_->tensors, &object.state_->ndarrays}) {
      for (const auto& t : *list) {
        // Tensors of one type, shape and layout have one metadata flatbuffer: shared, not
        // rebuilt (the 100 matrices of a dict, the rows of a batch of images).
        if (previous && t->is_contiguous() && previous->is_contiguous() && t->type()->id() == previous->type()->id() &&
            t->shape() == previous->shape() && t->strides() == previous->strides() &&
            t->dim_names() == previous->dim_names()) {
          const std::int64_t bytes = t->size() * t->element_size();
          ipc::TensorMessageParts parts;
          parts.metadata = tensor_messages.back().metadata;
          if (t->data()->size() == bytes) {
            parts.body = t->data();
          } else {
            auto body = t->data()->slice(0, bytes);
            if (!body.ok()) return fail(body.status());
            parts.body = body.move_value();
          }
          tensor_messages.push_back(std::move(parts));
          continue;
        }
        auto parts = ipc::make_tensor_message_parts(*t, pool);
        if (!parts.ok()) return fail(parts.status());
        tensor_messages.push_back(parts.move_value());
        previous = t.get();
      }
    }
    for (const auto& t : object.state_->sparse_tensors) {
      auto parts = ipc::make_sparse_tensor_message_parts(*t, pool);
      if (!parts.ok()) return fail(parts.status());
      sparse_messages.push_back(parts.move_value());
    }
  });
  ARROWPACK_RETURN_NOT_OK(tensors_status);
  return &tensor_messages;
}

Result<std::int64_t> SerializedObject::total_bytes() const {
  const State& s = state();
  if (!s.batch && !s.stream_source) return Status::Invalid("empty serialized object");
  std::int64_t stream_size = 0;
  if (s.stream_source) {
    stream_size = s.stream_size;
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(stream_size, structure_size(*s.batch));
  }
  std::int64_t n = util::round_up(16 + stream_size, kTensorAlignment);
  ARROWPACK_ASSIGN_OR_RAISE(auto messages, s.cache.messages_of(*this, default_memory_pool()));
  for (const auto& m : *messages) n = util::round_up(n + m.encapsulated_size(), kTensorAlignment);
  for (const auto& m : s.cache.sparse_messages) n = util::round_up(n + m.encapsulated_size(), kTensorAlignment);
  for (const auto& b : s.buffers) n += 8 + b->size();
  return n;
}

Status SerializedObject::write_to(io::OutputStream* sink) const {
  const State& s = state();
  if (!s.batch && !s.stream_source) return Status::Invalid("empty serialized object");
  ARROWPACK_ASSIGN_OR_RAISE(auto messages, s.cache.messages_of(*this, default_memory_pool()));
  const std::int32_t counts[4] = {
      static_cast<std::int32_t>(s.tensors.size()), static_cast<std::int32_t>(s.sparse_tensors.size()),
      static_cast<std::int32_t>(s.ndarrays.size()), static_cast<std::int32_t>(s.buffers.size())};
  ARROWPACK_RETURN_NOT_OK(sink->write(counts, sizeof(counts)));
  // Straight into the sink: the structure's buffers are copied once, not rendered first.
  ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t start, sink->tell());
  if (s.stream_source) {
    ARROWPACK_RETURN_NOT_OK(sink->write(s.stream_source->data() + s.stream_offset, s.stream_size));
  } else {
    ARROWPACK_RETURN_NOT_OK(write_structure(*s.batch, sink, default_memory_pool()));
  }
  ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t end, sink->tell());
  std::int64_t pos = 16 + (end - start);
  // Tensor messages start on 64-byte boundaries so that their bodies are 64-byte aligned.
  ARROWPACK_RETURN_NOT_OK(write_zeros(sink, util::round_up(pos, kTensorAlignment) - pos));
  pos = util::round_up(pos, kTensorAlignment);
  auto pad = [&]() -> Status {
    ARROWPACK_RETURN_NOT_OK(write_zeros(sink, util::round_up(pos, kTensorAlignment) - pos));
    pos = util::round_up(pos, kTensorAlignment);
    return Status::OK();
  };
  // The tensors, the sparse tensors, then the ndarrays (pyarrow's order).
  const std::size_t num_tensors = s.tensors.size();
  for (std::size_t i = 0; i < num_tensors; ++i) {
    ARROWPACK_ASSIGN_OR_RAISE(auto n, ipc::write_tensor_message((*messages)[i], sink));
    pos += n;
    ARROWPACK_RETURN_NOT_OK(pad());
  }
  for (const auto& m : s.cache.sparse_messages) {
    ARROWPACK_ASSIGN_OR_RAISE(auto n, ipc::write_sparse_tensor_message(m, sink));
    pos += n;
    ARROWPACK_RETURN_NOT_OK(pad());
  }
  for (std::size_t i = num_tensors; i < messages->size(); ++i) {
    ARROWPACK_ASSIGN_OR_RAISE(auto n, ipc::write_tensor_message((*messages)[i], sink));
    pos += n;
    ARROWPACK_RETURN_NOT_OK(pad());
  }
  for (const auto& b : s.buffers) {
    const std::int64_t size = b->size();
    ARROWPACK_RETURN_NOT_OK(sink->write(&size, 8));
    if (size > 0) ARROWPACK_RETURN_NOT_OK(sink->write(b));
  }
  return Status::OK();
}

Result<std::shared_ptr<Buffer>> SerializedObject::to_buffer(MemoryPool* pool) const {
  const State& s = state();
  if (s.rendered && s.tensors.empty() && s.ndarrays.empty() && s.buffers.empty() && s.sparse_tensors.empty()) {
    return s.rendered;  // the header, the stream and the padding: the whole blob
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto total, total_bytes());
  ARROWPACK_ASSIGN_OR_RAISE(auto out, allocate_buffer(total, pool));
  io::FixedSizeBufferWriter writer(out);
  ARROWPACK_RETURN_NOT_OK(write_to(&writer));
  ARROWPACK_ASSIGN_OR_RAISE(auto written, writer.tell());
  if (written != total) return Status::Invalid("internal: wrote ", written, " of ", total, " bytes");
  out->zero_padding();
  return std::shared_ptr<Buffer>(std::move(out));
}

Result<Components> SerializedObject::to_components(MemoryPool* pool) const {
  const State& s = state();
  if (!s.batch && !s.stream_source) return Status::Invalid("empty serialized object");
  Components c;
  c.num_tensors = static_cast<int>(s.tensors.size());
  c.num_ndarrays = static_cast<int>(s.ndarrays.size());
  c.num_buffers = static_cast<int>(s.buffers.size());
  ARROWPACK_ASSIGN_OR_RAISE(auto stream, structure_stream());
  ARROWPACK_ASSIGN_OR_RAISE(auto messages, s.cache.messages_of(*this, pool));
  for (const auto& t : s.sparse_tensors) {
    switch (t->format()) {
      case SparseFormat::kCoo: ++c.num_sparse_tensors.coo; break;
      case SparseFormat::kCsr: ++c.num_sparse_tensors.csr; break;
      case SparseFormat::kCsc: ++c.num_sparse_tensors.csc; break;
      case SparseFormat::kCsf:
        ++c.num_sparse_tensors.csf;
        c.num_sparse_tensors.ndim_csf += t->ndim();
        break;
    }
  }
  c.data.reserve(static_cast<std::size_t>(c.expected_size()));
  c.data.push_back(std::move(stream));
  auto dense = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      c.data.push_back((*messages)[i].metadata);
      c.data.push_back((*messages)[i].body);
    }
  };
  dense(0, s.tensors.size());
  for (const auto& m : s.cache.sparse_messages) {
    c.data.push_back(m.metadata);
    c.data.insert(c.data.end(), m.body.begin(), m.body.end());
  }
  dense(s.tensors.size(), messages->size());
  c.data.insert(c.data.end(), s.buffers.begin(), s.buffers.end());
  return c;
}

Result<SerializedObject> SerializedObject::read_from(const std::shared_ptr<Buffer>& buffer,
                                                     const DeserializeOptions& options) {
  return catch_exceptions("reading a serialized object", [&]() -> Result<SerializedObject> {
    if (!buffer) return Status::Invalid("no buffer");
    const std::int64_t size = buffer->size();
    if (size > options.limits.max_input_bytes) {
      return Status::CapacityError("serialized object of ", size,
                                   " bytes exceeds ReadLimits::max_input_bytes = ", options.limits.max_input_bytes);
    }
    if (size < 24)
      return Status::Invalid("serialized object truncated: ", size, " bytes, too small for a header and a stream");
    std::int32_t c[4];
    std::memcpy(c, buffer->data(), 16);
    for (int i = 0; i < 4; ++i) ARROWPACK_RETURN_NOT_OK(check_count(c[i], "items"));

    const ipc::IpcReadOptions ipc_options = registry_internal::structure_read_options(options);
    std::uint32_t first_word;
    std::memcpy(&first_word, buffer->data() + 16, 4);
    const bool legacy_framing = first_word != 0xFFFFFFFFu;

    std::int64_t stream_end = 0;
    ARROWPACK_ASSIGN_OR_RAISE(auto structure,
                              registry_internal::Structure::parse(buffer, 16, ipc_options, &stream_end));
    io::BufferReader reader(buffer);
    ARROWPACK_RETURN_NOT_OK(reader.seek(stream_end));
    const registry_internal::References& refs = structure->references();

    // Header: 4 counts (tensors, sparse, ndarrays, buffers), or before pyarrow 0.16 three
    // (tensors, ndarrays, buffers) and 4 bytes of padding. The fourth word tells them apart
    // unless it is zero; then legacy framing means three counts, and otherwise the counts
    // must agree with what the structure refers to.
    std::int64_t tensors = c[0], sparse = c[1], ndarrays = c[2], buffers = c[3];
    bool three = false;
    if (c[3] == 0) {
      const bool fits_four = refs.sparse_tensors <= c[1] && refs.ndarrays <= c[2] && refs.buffers == 0;
      const bool fits_three = refs.sparse_tensors == 0 && refs.ndarrays <= c[1] && refs.buffers <= c[2];
      three = legacy_framing ? true : (!fits_four && fits_three);
    }
    if (three) {
      sparse = 0;
      ndarrays = c[1];
      buffers = c[2];
    }
    if (refs.tensors > tensors || refs.ndarrays > ndarrays || refs.buffers > buffers || refs.sparse_tensors > sparse) {
      return Status::SerializationError("the structure refers to ", refs.tensors, " tensors, ", refs.sparse_tensors,
                                        " sparse tensors, ", refs.ndarrays, " ndarrays and ", refs.buffers,
                                        " buffers; the header announces ", tensors, ", ", sparse, ", ", ndarrays,
                                        " and ", buffers);
    }
    ARROWPACK_RETURN_NOT_OK(structure->check_references_unique());

    ARROWPACK_ASSIGN_OR_RAISE(std::int64_t pos, reader.tell());
    // Every item takes at least 8 bytes: refuse counts the data cannot hold before reserving.
    if ((tensors + sparse + ndarrays + buffers) * 8 > size - pos) {
      return Status::Invalid("serialized object announces ", tensors + sparse + ndarrays + buffers, " items but only ",
                             size - pos, " bytes follow the structure");
    }
    auto align = [&]() -> Status {
      pos = util::round_up(pos, kTensorAlignment);
      if (pos > size) return Status::Invalid("serialized object truncated after the structure");
      return reader.seek(pos);
    };
    ARROWPACK_RETURN_NOT_OK(align());
    std::vector<TensorPtr> tensor_list, ndarray_list;
    std::vector<SparseTensorPtr> sparse_list;
    TensorRun run;
    auto read_dense = [&](std::int64_t count, std::vector<TensorPtr>* out, const char* what) -> Status {
      out->reserve(static_cast<std::size_t>(count));  // bounded above: 8 bytes per item
      for (std::int64_t i = 0; i < count; ++i) {
        // A repeat of the last tensor's framed metadata: its body follows, the size it was.
        const std::int64_t header = run.header_size(), body_size = run.body_size();
        if (header > 0 && header <= size - pos && body_size <= size - pos - header &&
            run.repeats(std::span<const std::uint8_t>(buffer->data() + pos, static_cast<std::size_t>(header)))) {
          ARROWPACK_ASSIGN_OR_RAISE(auto body, buffer->slice(pos + header, body_size));
          ARROWPACK_ASSIGN_OR_RAISE(TensorPtr same, run.over(body));
          if (same) {
            out->push_back(std::move(same));
            pos += header + body_size;
            ARROWPACK_RETURN_NOT_OK(align());
            continue;
          }
        }
        auto context = [&] { return std::string("serialized object, ") + what + " " + std::to_string(i); };
        auto message = ipc::read_message(&reader, ipc_options);
        if (!message.ok()) return message.status().with_context(context());
        if (!*message)
          return Status::Invalid("end of stream where a Tensor message was expected").with_context(context());
        const ipc::Message& m = **message;
        auto t = ipc::read_tensor(m);
        if (!t.ok()) return t.status().with_context(context());
        ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t end, reader.tell());
        ARROWPACK_ASSIGN_OR_RAISE(auto framed, buffer->slice(pos, end - m.body_length() - pos));
        ARROWPACK_ASSIGN_OR_RAISE(auto checked, run.read(t.move_value(), std::move(framed), *m.body(), options.pool));
        out->push_back(std::move(checked));
        ARROWPACK_ASSIGN_OR_RAISE(pos, reader.tell());
        ARROWPACK_RETURN_NOT_OK(align());
      }
      return Status::OK();
    };
    ARROWPACK_RETURN_NOT_OK(read_dense(tensors, &tensor_list, "tensor"));
    for (std::int64_t i = 0; i < sparse; ++i) {
      auto t = ipc::read_sparse_tensor(&reader, ipc_options);
      if (!t.ok()) return t.status().with_context("serialized object, sparse tensor " + std::to_string(i));
      sparse_list.push_back(t.move_value());
      ARROWPACK_ASSIGN_OR_RAISE(pos, reader.tell());
      ARROWPACK_RETURN_NOT_OK(align());
    }
    ARROWPACK_RETURN_NOT_OK(read_dense(ndarrays, &ndarray_list, "ndarray"));
    std::vector<std::shared_ptr<Buffer>> buffer_list;
    for (std::int64_t i = 0; i < buffers; ++i) {
      if (size - pos < 8) return Status::Invalid("serialized object truncated: buffer ", i, " has no length");
      std::int64_t n;
      std::memcpy(&n, buffer->data() + pos, 8);
      pos += 8;
      if (n < 0 || n > size - pos) {
        return Status::Invalid("serialized object: buffer ", i, " announces ", n, " bytes, ", size - pos, " remain");
      }
      ARROWPACK_ASSIGN_OR_RAISE(auto b, buffer->slice(pos, n));
      buffer_list.push_back(std::move(b));
      pos += n;
    }
    SerializedObject out(nullptr, std::move(tensor_list), std::move(ndarray_list), std::move(buffer_list),
                         std::move(sparse_list));
    out.state_->stream_source = buffer;
    out.state_->stream_offset = 16;
    out.state_->stream_size = structure->size();
    out.state_->structure = std::move(structure);
    SerializedObjectAccess::mark_read(out, options.validation);
    out.state_->input_bytes = size;
    return out;
  });
}

Result<SerializedObject> SerializedObject::from_components(const Components& c, const DeserializeOptions& options) {
  return catch_exceptions("reading serialized components", [&]() -> Result<SerializedObject> {
    ARROWPACK_RETURN_NOT_OK(c.validate(options.limits));
    const ipc::IpcReadOptions ipc_options = registry_internal::structure_read_options(options);
    std::int64_t stream_end = 0;
    auto parsed = registry_internal::Structure::parse(c.data[0], 0, ipc_options, &stream_end);
    if (!parsed.ok()) return parsed.status().with_context("components: the structure stream");
    std::shared_ptr<const registry_internal::Structure> structure = parsed.move_value();
    const registry_internal::References& refs = structure->references();
    const std::int64_t sparse_count = c.num_sparse_tensors.total();
    if (refs.tensors > c.num_tensors || refs.ndarrays > c.num_ndarrays || refs.buffers > c.num_buffers ||
        refs.sparse_tensors > sparse_count) {
      return Status::SerializationError("the structure refers to ", refs.tensors, " tensors, ", refs.sparse_tensors,
                                        " sparse tensors, ", refs.ndarrays, " ndarrays and ", refs.buffers,
                                        " buffers; the components hold ", c.num_tensors, ", ", sparse_count, ", ",
                                        c.num_ndarrays, " and ", c.num_buffers);
    }
    ARROWPACK_RETURN_NOT_OK(structure->check_references_unique());
    std::size_t k = 1;
    std::vector<TensorPtr> tensors, ndarrays;
    TensorRun run;
    auto read_dense = [&](int count, std::vector<TensorPtr>* out) -> Status {
      out->reserve(static_cast<std::size_t>(count));
      for (int i = 0; i < count; ++i, k += 2) {
        const std::shared_ptr<Buffer>& meta = c.data[k];
        const std::shared_ptr<Buffer>& body = c.data[k + 1];
        if (run.repeats(std::span<const std::uint8_t>(meta->data(), static_cast<std::size_t>(meta->size())))) {
          ARROWPACK_ASSIGN_OR_RAISE(TensorPtr same, run.over(body));
          if (same) {
            out->push_back(std::move(same));
            continue;
          }
        }
        auto message = ipc::Message::open(meta, body, ipc_options);
        if (!message.ok()) return message.status().with_context("component " + std::to_string(k));
        auto t = ipc::read_tensor(**message);
        if (!t.ok()) return t.status().with_context("component " + std::to_string(k));
        ARROWPACK_ASSIGN_OR_RAISE(auto checked, run.read(t.move_value(), meta, *body, options.pool));
        out->push_back(std::move(checked));
      }
      return Status::OK();
    };
    ARROWPACK_RETURN_NOT_OK(read_dense(c.num_tensors, &tensors));
    // Each sparse tensor: its metadata, then as many body buffers as its format has.
    std::vector<SparseTensorPtr> sparse;
    Components::SparseCounts found;
    const std::size_t sparse_end = k + static_cast<std::size_t>(c.num_sparse_tensors.buffers());
    for (std::int64_t i = 0; i < sparse_count; ++i) {
      if (k >= sparse_end) return Status::Invalid("components: sparse tensor ", i, " has no metadata");
      auto n = ipc::sparse_tensor_body_buffers(c.data[k], ipc_options);
      if (!n.ok()) return n.status().with_context("component " + std::to_string(k));
      if (*n > sparse_end - k - 1) {
        return Status::Invalid("components: sparse tensor ", i, " needs ", *n, " body buffers, the counts leave ",
                               sparse_end - k - 1);
      }
      const std::vector<std::shared_ptr<Buffer>> body(c.data.begin() + static_cast<std::ptrdiff_t>(k + 1),
                                                      c.data.begin() + static_cast<std::ptrdiff_t>(k + 1 + *n));
      auto t = ipc::read_sparse_tensor(c.data[k], body, ipc_options);
      if (!t.ok()) return t.status().with_context("component " + std::to_string(k));
      switch ((*t)->format()) {
        case SparseFormat::kCoo: ++found.coo; break;
        case SparseFormat::kCsr: ++found.csr; break;
        case SparseFormat::kCsc: ++found.csc; break;
        case SparseFormat::kCsf:
          ++found.csf;
          found.ndim_csf += (*t)->ndim();
          break;
      }
      sparse.push_back(t.move_value());
      k += 1 + *n;
    }
    if (!(found == c.num_sparse_tensors)) {
      return Status::Invalid("components announce ", c.num_sparse_tensors.coo, " COO, ", c.num_sparse_tensors.csr,
                             " CSR, ", c.num_sparse_tensors.csc, " CSC and ", c.num_sparse_tensors.csf,
                             " CSF sparse tensors (", c.num_sparse_tensors.ndim_csf, " CSF dimensions); they hold ",
                             found.coo, ", ", found.csr, ", ", found.csc, " and ", found.csf, " (", found.ndim_csf,
                             ")");
    }
    ARROWPACK_RETURN_NOT_OK(read_dense(c.num_ndarrays, &ndarrays));
    std::vector<std::shared_ptr<Buffer>> buffers(c.data.begin() + static_cast<std::ptrdiff_t>(k), c.data.end());
    SerializedObject out(nullptr, std::move(tensors), std::move(ndarrays), std::move(buffers), std::move(sparse));
    out.state_->stream_source = c.data[0];
    out.state_->stream_size = c.data[0]->size();
    out.state_->structure = std::move(structure);
    SerializedObjectAccess::mark_read(out, options.validation);
    out.state_->input_bytes = c.total_bytes();
    return out;
  });
}

Result<SerializedObject> serialize(const Value& value, const SerializationContext& context, const ReadLimits& limits) {
  ARROWPACK_ASSIGN_OR_RAISE(auto enc, registry_internal::encode(value, context, limits, default_memory_pool()));
  return SerializedObjectAccess::from_encoded(std::move(enc));
}

Result<Value> deserialize(const SerializedObject& object, const SerializationContext& context,
                          const DeserializeOptions& options) {
  return catch_exceptions("deserializing an object",
                          [&]() -> Result<Value> { return registry_internal::decode(object, context, options); });
}

Result<Value> deserialize(const std::shared_ptr<Buffer>& buffer, const SerializationContext& context,
                          const DeserializeOptions& options) {
  ARROWPACK_ASSIGN_OR_RAISE(auto object, SerializedObject::read_from(buffer, options));
  return deserialize(object, context, options);
}

Result<Value> deserialize_components(const Components& components, const SerializationContext& context,
                                     const DeserializeOptions& options) {
  ARROWPACK_ASSIGN_OR_RAISE(auto object, SerializedObject::from_components(components, options));
  return deserialize(object, context, options);
}

Result<const registry_internal::Structure*> SerializedObjectAccess::structure(const SerializedObject& object,
                                                                              const DeserializeOptions& options) {
  if (object.state().structure) return object.state().structure.get();
  if (!object.state().batch && !object.state().stream_source)
    return Status::Invalid("serialized object without a structure batch");
  SerializedObject::State::Cache& cache = object.state().cache;
  std::call_once(cache.structure_once, [&] {
    std::shared_ptr<Buffer> source = object.state().stream_source;
    std::int64_t offset = object.state().stream_offset;
    if (!source) {  // a batch the caller made: rendered first
      auto stream = object.structure_stream();
      if (!stream.ok()) {
        cache.structure_status = stream.status();
        return;
      }
      source = stream.move_value();
      offset = 0;
    }
    // Made here (serialize(), ObjectWriter): well formed, its text checked when written. A
    // batch the caller made is checked in full, under the first reader's limits.
    DeserializeOptions parse_options = options;
    if (object.structure_validated()) parse_options.validation = Validation::kTrustedBytesOnly;
    std::int64_t end = 0;
    auto parsed = registry_internal::Structure::parse(source, offset,
                                                      registry_internal::structure_read_options(parse_options), &end);
    if (parsed.ok()) {
      cache.structure = parsed.move_value();
    } else {
      cache.structure_status = parsed.status();
    }
  });
  ARROWPACK_RETURN_NOT_OK(cache.structure_status);
  return cache.structure.get();
}

SerializedObject SerializedObjectAccess::from_encoded(registry_internal::Encoded&& encoded) {
  SerializedObject out(nullptr, std::move(encoded.tensors), std::move(encoded.ndarrays), std::move(encoded.buffers),
                       std::move(encoded.sparse_tensors));
  out.state_->stream_source = encoded.rendered;
  out.state_->stream_offset = 16;
  out.state_->stream_size = encoded.stream_size;
  out.state_->rendered = std::move(encoded.rendered);
  out.state_->keep_alive = std::move(encoded.keep_alive);
  out.state_->checked = SerializedObject::State::Checked::kValidated;  // made here, well formed by construction
  return out;
}

std::int64_t SerializedObjectAccess::input_bytes(const SerializedObject& object) {
  if (object.state().input_bytes > 0) return object.state().input_bytes;
  std::int64_t n = 0;
  if (object.state().stream_source) {
    n += object.state().stream_size;
  } else if (object.state().batch) {
    for (const auto& c : object.state().batch->columns()) n += buffer_bytes(*c.data());
  }
  for (const auto* list : {&object.state().tensors, &object.state().ndarrays}) {
    for (const auto& t : *list) n += t->data() ? t->data()->size() : 0;
  }
  for (const auto& b : object.state().buffers) n += b ? b->size() : 0;
  for (const auto& t : object.state().sparse_tensors) {
    n += t->data()->size();
    for (const auto& i : {t->indices(), t->indptr()}) n += i ? i->data()->size() : 0;
    for (const auto& i : t->csf_indices()) n += i->data()->size();
    for (const auto& i : t->csf_indptr()) n += i->data()->size();
  }
  return n;
}

void SerializedObjectAccess::mark_read(SerializedObject& object, Validation validation) {
  object.state_->checked = validation == Validation::kFull ? SerializedObject::State::Checked::kValidated
                                                           : SerializedObject::State::Checked::kShape;
}

Status Components::validate(const ReadLimits& limits) const {
  const SparseCounts& sp = num_sparse_tensors;
  if (num_tensors < 0 || num_ndarrays < 0 || num_buffers < 0 || sp.coo < 0 || sp.csr < 0 || sp.csc < 0 || sp.csf < 0 ||
      sp.ndim_csf < 0) {
    return Status::Invalid("components with negative counts (", num_tensors, " tensors, ", num_ndarrays, " ndarrays, ",
                           num_buffers, " buffers, sparse ", sp.coo, "/", sp.csr, "/", sp.csc, "/", sp.csf, "/",
                           sp.ndim_csf, ")");
  }
  if (static_cast<std::int64_t>(data.size()) != expected_size()) {
    return Status::Invalid("components hold ", data.size(), " buffers, their counts announce ", expected_size());
  }
  if (expected_size() > limits.max_buffers) {
    return Status::CapacityError("components of ", expected_size(),
                                 " buffers exceed ReadLimits::max_buffers = ", limits.max_buffers);
  }
  std::int64_t total = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!data[i]) return Status::Invalid("component ", i, " is null");
    total += data[i]->size();
    if (total > limits.max_input_bytes) {
      return Status::CapacityError("components of more than ", limits.max_input_bytes,
                                   " bytes (ReadLimits::max_input_bytes)");
    }
  }
  return Status::OK();
}

std::int64_t Components::total_bytes() const {
  std::int64_t total = 0;
  for (const auto& b : data) total += b ? b->size() : 0;
  return total;
}

}  // namespace arrowpack

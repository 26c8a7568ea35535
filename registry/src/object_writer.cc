// ObjectWriter: the stack of open containers over the encoder's columns (encoder.h). The
// writer's state (its scratch arena and its stack) is reused by the next writer on the same
// thread, so that writing a small object allocates only what it hands out.
#include "arrowpack/registry/object_writer.h"

#include "encoder.h"

namespace arrowpack {

using registry_internal::Encoder;
using registry_internal::SequenceChild;
using registry_internal::SequenceEncoder;
namespace tags = registry_internal;

// The stack of open containers; the innermost receives the next value.
struct ObjectWriter::Impl {
  Impl(const SerializationContext& context, const ReadLimits& given, MemoryPool* memory, FormatMark format)
      : enc(context, given), pool(memory), mark(format) {
    frames.reserve(kFirstFrames);
    auto t = SequenceEncoder::make(lease.arena());
    if (t.ok()) {
      top = *t;
    } else {
      status = t.status();
    }
  }

  struct Frame {
    std::int8_t tag;  // kList/kTuple/kSet/kDict
    SequenceChild* child;
    // The sequence that receives the next value, and the one after it: a list's items twice,
    // or a dict's keys and values (they swap after each value).
    SequenceEncoder* next;
    SequenceEncoder* after;
    std::int64_t written = 0;
    bool must_hash = false;  // a tuple used as a dict key or set element
  };

  // Whether the next value goes where only hashable values may (a dict key, a set element,
  // or inside a tuple that is one).
  bool next_must_hash() const {
    if (frames.empty()) return false;
    const Frame& f = frames.back();
    return f.must_hash || f.tag == tags::kSet || (f.tag == tags::kDict && f.written % 2 == 0);
  }
  // Checks and counts the next value, then returns the sequence that receives it; nullptr
  // when the value is refused, with the reason in `status`. Inline for the common case (a
  // value inside an open container); every other case goes through checked_slot().
  [[gnu::always_inline]] SequenceEncoder* slot(bool hashable) {
    if (status.ok() && !finished && !frames.empty() && (hashable || !next_must_hash()) &&
        enc.count_fast(static_cast<int>(frames.size()))) [[likely]] {
      return advance();
    }
    auto seq = checked_slot(hashable);
    if (!seq.ok()) {
      (void)track(seq.status());
      return nullptr;
    }
    return *seq;
  }
  Result<SequenceEncoder*> checked_slot(bool hashable) {
    ARROWPACK_RETURN_NOT_OK(status);
    if (finished) return Status::Invalid("ObjectWriter: already finished");
    if (frames.empty() && top->length() > 0) return Status::Invalid("ObjectWriter: only one top-level value");
    if (!hashable && next_must_hash()) {
      return Status::TypeError("ObjectWriter: an unhashable value as a dict key or set element");
    }
    ARROWPACK_RETURN_NOT_OK(enc.count(static_cast<int>(frames.size())));
    if (frames.empty()) return top;
    return advance();
  }
  // The innermost container's sequence for the value just counted.
  SequenceEncoder* advance() {
    Frame& f = frames.back();
    SequenceEncoder* seq = f.next;
    std::swap(f.next, f.after);
    ++f.written;
    return seq;
  }
  // Remembers the first failure: a half-written object cannot be finished.
  Status track(Status st) {
    if (!st.ok() && status.ok()) status = st;
    return st;
  }
  Status begin(std::int8_t tag) {
    const bool hash_inside = tag == tags::kTuple && next_must_hash();
    SequenceEncoder* seq = slot(tag == tags::kTuple);
    if (seq == nullptr) return status;
    auto child = seq->child_for(tag);
    if (!child.ok()) return track(child.status());
    SequenceChild* c = *child;
    const bool dict = tag == tags::kDict;
    frames.push_back(Frame{tag, c, dict ? c->keys : c->items, dict ? c->vals : c->items, 0, hash_inside});
    return Status::OK();
  }
  template <typename F>
  [[gnu::always_inline]] Status write(bool hashable, F&& append) {
    SequenceEncoder* seq = slot(hashable);
    if (seq == nullptr) [[unlikely]]
      return status;
    return track(append(seq));
  }
  // The sequence that receives n numbers at once (an open list, tuple or set).
  Result<SequenceEncoder*> slots(std::int64_t n) {
    ARROWPACK_RETURN_NOT_OK(status);
    if (finished) return track(Status::Invalid("ObjectWriter: already finished"));
    if (frames.empty() || frames.back().tag == tags::kDict) {
      return track(Status::Invalid("ObjectWriter: several numbers at once need an open list, tuple or set"));
    }
    ARROWPACK_RETURN_NOT_OK(track(enc.count_many(static_cast<int>(frames.size()), n)));
    frames.back().written += n;
    return frames.back().child->items;
  }
  // Tensors, ndarrays and buffers: the item joins the object only once its slot is accepted.
  Status out_of_band(std::int8_t tag, std::vector<TensorPtr>* tensors, TensorPtr t, std::shared_ptr<Buffer> b) {
    if (!t && !b) return track(Status::Invalid("ObjectWriter: null tensor or buffer"));
    SequenceEncoder* seq = slot(false);
    if (seq == nullptr) return status;
    const std::size_t index = tensors ? tensors->size() : enc.out().buffers.size();
    ARROWPACK_RETURN_NOT_OK(track(seq->append_index(tag, index)));
    // Room for a few at the first: objects with one out-of-band item tend to have several.
    auto add = [](auto& list, auto item) {
      constexpr std::size_t kFirstRoom = 8;
      if (list.capacity() == 0) list.reserve(kFirstRoom);
      list.push_back(std::move(item));
    };
    if (tensors) {
      add(*tensors, std::move(t));
    } else {
      add(enc.out().buffers, std::move(b));
    }
    return Status::OK();
  }

  // Room for this many open containers from the start: growing the vector one frame at a
  // time was a reallocation at each of a small object's first levels.
  static constexpr std::size_t kFirstFrames = 16;
  registry_internal::ArenaLease lease;  // first: the columns below live in it
  Encoder enc;
  MemoryPool* pool;
  FormatMark mark;
  SequenceEncoder* top = nullptr;
  std::vector<Frame> frames;
  Status status;
  bool finished = false;
};

ObjectWriter::ObjectWriter(const SerializationContext& context, const ReadLimits& limits, MemoryPool* pool,
                           FormatMark mark)
    : impl_(std::make_unique<Impl>(context, limits, pool, mark)) {}
ObjectWriter::~ObjectWriter() = default;

Status ObjectWriter::none() {
  return impl_->write(true, [](SequenceEncoder* seq) { return seq->append_none(); });
}
Status ObjectWriter::boolean(bool b) {
  return impl_->write(true, [b](SequenceEncoder* seq) { return seq->append_bool(b); });
}
Status ObjectWriter::integer(std::int64_t i) {
  return impl_->write(true, [i](SequenceEncoder* seq) { return seq->append_scalar(tags::kInt, i); });
}
Status ObjectWriter::float32(float f) {
  return impl_->write(true, [f](SequenceEncoder* seq) { return seq->append_scalar(tags::kFloat, f); });
}
Status ObjectWriter::float64(double d) {
  return impl_->write(true, [d](SequenceEncoder* seq) { return seq->append_scalar(tags::kDouble, d); });
}
Status ObjectWriter::half(std::uint16_t bits) {
  return impl_->write(true, [bits](SequenceEncoder* seq) { return seq->append_scalar(tags::kHalf, bits); });
}
Status ObjectWriter::date64_micros(std::int64_t micros) {
  return impl_->write(true, [micros](SequenceEncoder* seq) { return seq->append_scalar(tags::kDate64, micros); });
}
Status ObjectWriter::string(std::string_view s) {
  return impl_->write(true, [s](SequenceEncoder* seq) { return seq->append_text(tags::kString, s); });
}
Status ObjectWriter::bytes(std::string_view b) {
  return impl_->write(true, [b](SequenceEncoder* seq) { return seq->append_text(tags::kBytes, b); });
}
Status ObjectWriter::float64s(std::span<const double> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  ARROWPACK_ASSIGN_OR_RAISE(SequenceEncoder * seq, impl_->slots(n));
  return impl_->track(seq->append_many(tags::kDouble, values.data(), n));
}
Status ObjectWriter::integers(std::span<const std::int64_t> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  ARROWPACK_ASSIGN_OR_RAISE(SequenceEncoder * seq, impl_->slots(n));
  return impl_->track(seq->append_many(tags::kInt, values.data(), n));
}
Status ObjectWriter::tensor(TensorPtr t) {
  return impl_->out_of_band(tags::kTensor, &impl_->enc.out().tensors, std::move(t), nullptr);
}
Status ObjectWriter::ndarray(TensorPtr t) {
  return impl_->out_of_band(tags::kNdarray, &impl_->enc.out().ndarrays, std::move(t), nullptr);
}
Status ObjectWriter::buffer(std::shared_ptr<Buffer> b) {
  return impl_->out_of_band(tags::kBuffer, nullptr, nullptr, std::move(b));
}
Status ObjectWriter::sparse_tensor(SparseTensorPtr t) {
  if (!t) return impl_->track(Status::Invalid("ObjectWriter: null sparse tensor"));
  SequenceEncoder* seq = impl_->slot(false);
  if (seq == nullptr) return impl_->status;
  auto& list = impl_->enc.out().sparse_tensors;
  ARROWPACK_RETURN_NOT_OK(impl_->track(seq->append_index(tags::sparse_tag(t->format()), list.size())));
  list.push_back(std::move(t));
  return Status::OK();
}

Status ObjectWriter::value(const Value& v) {
  if (impl_->next_must_hash() && !v.is_hashable()) {
    return impl_->track(
        Status::TypeError("ObjectWriter: an unhashable ", v.kind_name(), " as a dict key or set element"));
  }
  ARROWPACK_RETURN_NOT_OK(impl_->status);
  if (impl_->finished) return impl_->track(Status::Invalid("ObjectWriter: already finished"));
  if (impl_->frames.empty() && impl_->top->length() > 0) {
    return impl_->track(Status::Invalid("ObjectWriter: only one top-level value"));
  }
  SequenceEncoder* seq = impl_->top;
  if (!impl_->frames.empty()) {
    Impl::Frame& f = impl_->frames.back();
    seq = f.next;
    std::swap(f.next, f.after);
    ++f.written;
  }
  // append() counts its own elements and depth from here.
  return impl_->track(seq->append(v, static_cast<int>(impl_->frames.size()), impl_->enc));
}

Status ObjectWriter::begin_list() { return impl_->begin(tags::kList); }
Status ObjectWriter::begin_tuple() { return impl_->begin(tags::kTuple); }
Status ObjectWriter::begin_set() { return impl_->begin(tags::kSet); }
Status ObjectWriter::begin_dict() { return impl_->begin(tags::kDict); }

Status ObjectWriter::end() {
  ARROWPACK_RETURN_NOT_OK(impl_->status);
  if (impl_->finished) return impl_->track(Status::Invalid("ObjectWriter: already finished"));
  if (impl_->frames.empty()) return impl_->track(Status::Invalid("ObjectWriter: end() without an open container"));
  Impl::Frame f = impl_->frames.back();
  impl_->frames.pop_back();
  if (f.tag == tags::kDict) {
    if (f.written % 2 != 0) return impl_->track(Status::Invalid("ObjectWriter: a dict key without a value"));
    return impl_->track(f.child->close_list(impl_->lease.arena(), f.child->keys->length()));
  }
  return impl_->track(f.child->close_list(impl_->lease.arena(), f.child->items->length()));
}

Result<SerializedObject> ObjectWriter::finish() {
  ARROWPACK_RETURN_NOT_OK(impl_->status);
  if (impl_->finished) return Status::Invalid("ObjectWriter: already finished");
  impl_->finished = true;
  if (!impl_->frames.empty()) return Status::Invalid("ObjectWriter: ", impl_->frames.size(), " containers still open");
  if (impl_->top->length() != 1) return Status::Invalid("ObjectWriter: no value was written");
  registry_internal::Encoded& encoded = impl_->enc.out();
  ARROWPACK_RETURN_NOT_OK(registry_internal::render(*impl_->top, encoded, impl_->pool, impl_->mark));
  return SerializedObjectAccess::from_encoded(std::move(encoded));
}

}  // namespace arrowpack

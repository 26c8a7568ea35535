// Encoding: the columns of the structure's dense unions, grown in scratch memory as values
// arrive (from a Value graph or from ObjectWriter), then rendered in one pass into the
// structure's IPC stream, without building Arrow arrays: the schema message comes from a
// cache keyed by the shape of the unions, the record batch's metadata from the columns'
// sizes. The bytes are those the IPC writer gives for the same batch.
#pragma once

#include <array>
#include <cstring>
#include <limits>

#include "arrowpack/core/util.h"
#include "scratch_arena.h"
#include "structure_internal.h"
#include "tags.h"

namespace arrowpack::registry_internal {

inline constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

/// An append-only column in scratch memory (no validity bitmap: the structure has no nulls
/// outside the null child).
class Column {
 public:
  template <typename T>
  Status append(ScratchArena& arena, T x) {
    if (!has_room(sizeof(T))) [[unlikely]] {
      ARROWPACK_RETURN_NOT_OK(grow(arena, sizeof(T)));
    }
    put(x);
    return Status::OK();
  }
  /// Whether `n` more bytes fit without growing.
  bool has_room(std::int64_t n) const { return size_ + n <= capacity_; }
  /// Appends `x`, which has_room() said fits.
  template <typename T>
  void put(T x) {
    std::memcpy(data_ + size_, &x, sizeof(T));
    size_ += static_cast<std::int64_t>(sizeof(T));
  }
  Status append_bytes(ScratchArena& arena, const void* bytes, std::int64_t n) {
    if (size_ + n > capacity_) ARROWPACK_RETURN_NOT_OK(grow(arena, n));
    if (n > 0) std::memcpy(data_ + size_, bytes, static_cast<std::size_t>(n));
    size_ += n;
    return Status::OK();
  }
  /// Appends `n` bytes, which has_room() said fit.
  void append_unchecked(const void* bytes, std::int64_t n) {
    if (n > 0) std::memcpy(data_ + size_, bytes, static_cast<std::size_t>(n));
    size_ += n;
  }
  /// Makes room for `n` more bytes and returns where they go.
  Result<std::uint8_t*> extend(ScratchArena& arena, std::int64_t n) {
    if (size_ + n > capacity_) ARROWPACK_RETURN_NOT_OK(grow(arena, n));
    std::uint8_t* at = data_ + size_;
    size_ += n;
    return at;
  }
  /// Bit `bits` (the count of bits so far) of a bitmap.
  Status append_bit(ScratchArena& arena, bool bit, std::int64_t bits) {
    if (bits % 8 == 0) ARROWPACK_RETURN_NOT_OK(append<std::uint8_t>(arena, 0));
    if (bit) data_[bits / 8] |= static_cast<std::uint8_t>(1u << (bits % 8));
    return Status::OK();
  }
  const std::uint8_t* data() const { return data_; }
  std::int64_t size() const { return size_; }
  /// Takes `capacity` bytes of arena memory at `data` as an empty column's first block.
  void adopt(std::uint8_t* data, std::int64_t capacity) {
    data_ = data;
    capacity_ = capacity;
  }

 private:
  Status grow(ScratchArena& arena, std::int64_t extra);

  std::uint8_t* data_ = nullptr;
  std::int64_t size_ = 0;
  std::int64_t capacity_ = 0;
  bool heap_ = false;  // in a block of its own (ScratchArena::heap_grow)
};

class Encoder;
struct SequenceChild;

/// One dense union and the children it has grown, in scratch memory.
class SequenceEncoder {
 public:
  /// A sequence with its null child "0", as pyarrow creates it.
  static Result<SequenceEncoder*> make(ScratchArena& arena);

  Status append(const Value& v, int depth, Encoder& enc);
  std::int64_t length() const { return length_; }

  // Typed appends (shared by the Value path and the streaming ObjectWriter).
  Status append_none() { return child_for(kNone).status(); }
  template <typename T>
  Status append_scalar(std::int8_t tag, T x);
  Status append_bool(bool b);
  Status append_text(std::int8_t tag, std::string_view s);  // s is checked to be UTF-8 for kString
  Status append_index(std::int8_t tag, std::size_t index);
  /// n slots of one fixed-width kind at once (what n append_scalar calls would give).
  template <typename T>
  Status append_many(std::int8_t tag, const T* values, std::int64_t n);
  /// Adds a union slot pointing at the next element of the child for `tag`.
  Result<SequenceChild*> child_for(std::int8_t tag);
  /// child_for() without Status, for the common case: when the child for `tag` exists and
  /// the codes, the offsets and the child's values have room for one more slot and
  /// `value_bytes` more bytes, adds the slot and returns the child; otherwise changes
  /// nothing and returns nullptr (the caller then takes child_for()).
  SequenceChild* fast_slot(std::int8_t tag, std::int64_t value_bytes);

  int num_children() const { return num_children_; }
  const SequenceChild& child(int i) const { return *children_[i]; }
  const Column& codes() const { return codes_; }
  const Column& offsets() const { return offsets_; }
  ScratchArena& arena() const { return *arena_; }

 private:
  explicit SequenceEncoder(ScratchArena& arena) : arena_(&arena) { tag_to_child_.fill(-1); }
  Status add_child(std::int8_t tag);
  Status append_text_slow(std::int8_t tag, std::string_view s);  // UTF-8 already checked
  Status append_sequence(std::int8_t tag, const std::vector<Value>& items, int depth, Encoder& enc);
  Status append_dict(const Dict& dict, int depth, Encoder& enc);
  Status append_dict_entries(const std::vector<std::pair<Value, Value>>& entries, int depth, Encoder& enc);

  ScratchArena* arena_;
  std::int64_t length_ = 0;
  Column codes_;
  Column offsets_;
  int num_children_ = 0;
  std::array<std::int8_t, kNumTags> tag_to_child_{};
  std::array<SequenceChild*, kNumTags> children_{};
  friend class ScratchArena;
};

/// A union child: its values (fixed-width values, bits, or the int32 offsets of text and
/// lists), its text bytes, and the unions of its elements (lists) or entries (dicts).
struct SequenceChild {
  std::int8_t tag;
  std::int64_t length = 0;
  Column values;
  Column data;
  SequenceEncoder* items = nullptr;
  SequenceEncoder* keys = nullptr;
  SequenceEncoder* vals = nullptr;
  /// Closes the current list-like element (its end offset).
  Status close_list(ScratchArena& arena, std::int64_t end) {
    return values.append(arena, static_cast<std::int32_t>(end));
  }
};

/// What one object's encoding shares: the context, the limits and their counters, the
/// out-of-band items collected so far.
class Encoder {
 public:
  Encoder(const SerializationContext& context, const ReadLimits& limits) : context_(&context), limits_(limits) {}

  Status count(int depth) {
    if (depth > limits_.max_depth) [[unlikely]] {
      return Status::CapacityError("value nests deeper than ReadLimits::max_depth = ", limits_.max_depth,
                                   " levels (a container that contains itself?)");
    }
    if (++elements_ > limits_.max_elements) [[unlikely]] {
      return Status::CapacityError("value has more than ReadLimits::max_elements = ", limits_.max_elements,
                                   " elements");
    }
    return Status::OK();
  }
  /// count() for the common case: counts the element and says true when it is within the
  /// limits; otherwise counts nothing and says false (count() then gives the error).
  bool count_fast(int depth) {
    if (depth > limits_.max_depth || elements_ >= limits_.max_elements) [[unlikely]]
      return false;
    ++elements_;
    return true;
  }
  Status count_many(int depth, std::int64_t n) {
    if (depth > limits_.max_depth) return count(depth);
    if (n > limits_.max_elements - elements_) {
      return Status::CapacityError("value has more than ReadLimits::max_elements = ", limits_.max_elements,
                                   " elements");
    }
    elements_ += n;
    return Status::OK();
  }

  const SerializationContext& context() const { return *context_; }
  Encoded& out() { return out_; }

 private:
  const SerializationContext* context_;
  ReadLimits limits_;
  std::int64_t elements_ = 0;
  Encoded out_;
};

/// Renders the structure whose top-level sequence is `top` into pool memory: the
/// contiguous form's header (the four counts of `out`'s items), the IPC stream (schema,
/// record batch, end of stream, with 8-byte alignment), zero padding to 64. Sets
/// out.rendered and out.stream_size. `mark` says whether the schema records the format
/// version. `top` holds exactly one value (encode() and ObjectWriter::finish() check it).
Status render(const SequenceEncoder& top, Encoded& out, MemoryPool* pool, FormatMark mark = FormatMark::kVersioned);

// ---- the templates

[[gnu::always_inline]] inline SequenceChild* SequenceEncoder::fast_slot(std::int8_t tag, std::int64_t value_bytes) {
  const std::int8_t index = tag_to_child_[tag];
  if (index < 0) [[unlikely]]
    return nullptr;
  SequenceChild* c = children_[index];
  if (c->length >= kMaxInt32 || length_ >= kMaxInt32 || !codes_.has_room(1) || !offsets_.has_room(4) ||
      !c->values.has_room(value_bytes)) [[unlikely]] {
    return nullptr;
  }
  codes_.put(index);
  offsets_.put(static_cast<std::int32_t>(c->length++));
  ++length_;
  return c;
}

template <typename T>
[[gnu::always_inline]] inline Status SequenceEncoder::append_scalar(std::int8_t tag, T x) {
  if (SequenceChild* c = fast_slot(tag, sizeof(T))) [[likely]] {
    c->values.put(x);
    return Status::OK();
  }
  ARROWPACK_ASSIGN_OR_RAISE(SequenceChild * c, child_for(tag));
  return c->values.append(*arena_, x);
}

[[gnu::always_inline]] inline Status SequenceEncoder::append_text(std::int8_t tag, std::string_view s) {
  if (tag == kString && !util::is_valid_utf8(s)) [[unlikely]] {
    return Status::TypeError("string is not valid UTF-8 (use Value::bytes for binary data)");
  }
  const auto n = static_cast<std::int64_t>(s.size());
  const std::int8_t index = tag_to_child_[tag];
  if (index >= 0) [[likely]] {
    SequenceChild* c = children_[index];
    if (c->data.has_room(n) && n <= kMaxInt32 - c->data.size()) [[likely]] {
      if (fast_slot(tag, 4) != nullptr) [[likely]] {
        c->data.append_unchecked(s.data(), n);
        c->values.put(static_cast<std::int32_t>(c->data.size()));
        return Status::OK();
      }
    }
  }
  return append_text_slow(tag, s);
}

template <typename T>
Status SequenceEncoder::append_many(std::int8_t tag, const T* values, std::int64_t n) {
  if (n == 0) return Status::OK();
  if (tag_to_child_[tag] < 0) ARROWPACK_RETURN_NOT_OK(add_child(tag));
  const std::int8_t index = tag_to_child_[tag];
  SequenceChild* c = children_[index];
  if (n > kMaxInt32 - c->length || n > kMaxInt32 - length_) {
    return Status::CapacityError("a sequence holds more than 2^31-1 values");
  }
  ARROWPACK_ASSIGN_OR_RAISE(std::uint8_t * codes, codes_.extend(*arena_, n));
  std::memset(codes, index, static_cast<std::size_t>(n));
  ARROWPACK_ASSIGN_OR_RAISE(std::uint8_t * offsets, offsets_.extend(*arena_, n * 4));
  for (std::int64_t k = 0; k < n; ++k) {
    const auto offset = static_cast<std::int32_t>(c->length + k);
    std::memcpy(offsets + 4 * k, &offset, 4);
  }
  ARROWPACK_RETURN_NOT_OK(c->values.append_bytes(*arena_, values, n * static_cast<std::int64_t>(sizeof(T))));
  c->length += n;
  length_ += n;
  return Status::OK();
}

inline Result<SequenceChild*> SequenceEncoder::child_for(std::int8_t tag) {
  const std::int8_t index = tag_to_child_[tag];
  if (index < 0) [[unlikely]] {
    ARROWPACK_RETURN_NOT_OK(add_child(tag));
    return child_for(tag);
  }
  SequenceChild* c = children_[index];
  if (c->length >= kMaxInt32 || length_ >= kMaxInt32) [[unlikely]] {
    return Status::CapacityError("a sequence holds more than 2^31-1 values");
  }
  ARROWPACK_RETURN_NOT_OK(codes_.append(*arena_, index));
  ARROWPACK_RETURN_NOT_OK(offsets_.append(*arena_, static_cast<std::int32_t>(c->length++)));
  ++length_;
  return c;
}

}  // namespace arrowpack::registry_internal

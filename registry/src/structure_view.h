// Reading: the structure stream of a serialized object as checked views of its body, without
// building Arrow arrays. The schema is decoded once per distinct schema message (a
// process-wide cache) into a Shape: the unions in pre-order, their children's tags and
// union codes. The record batch is then checked in two passes: the metadata pass checks its
// field nodes and buffer sizes against the shape and builds the views (a per-thread Plan
// keeps them for the next batch of the same shape and layout, relative to the body); the
// body pass checks what the views hold (offsets, union codes and slots used once and in
// order, UTF-8 under full validation) on every batch. Decoding reads the views with no
// check left to make but the out-of-band indices.
#pragma once

#include <array>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "arrowpack/core/ipc/message.h"
#include "structure_internal.h"
#include "tags.h"

namespace arrowpack::registry_internal {

/// One child of a union in the schema: its tag and, for lists and dicts, the unions (by
/// index in Shape::unions) of their elements.
struct ChildShape {
  std::int8_t tag = 0;
  int items = -1, keys = -1, vals = -1;
};

struct UnionShape {
  std::vector<ChildShape> children;
  /// Child index of each union code (-1: undeclared).
  std::array<std::int8_t, 128> child_of_code{};
  /// Index of the union's first child in Structure's flat child list.
  int first_child = 0;
};

/// The unions of a structure schema in pre-order (union 0 is the column), and how many
/// field nodes and buffers a batch of it has.
struct Shape {
  std::vector<UnionShape> unions;
  std::int64_t num_nodes = 0;
  std::int64_t num_children = 0;
  int depth = 0;  ///< nesting of types, for the limits a cached shape is used under
};

struct UnionView;

/// A union child of one batch: its length, its buffers, the views of its elements.
struct ChildView {
  std::int8_t tag = 0;
  std::int64_t length = 0;
  std::int64_t null_count = 0;
  const std::uint8_t* validity = nullptr;  ///< set when null_count > 0
  const std::uint8_t* values = nullptr;    ///< bits, fixed-width values, or int32 offsets
  const std::uint8_t* data = nullptr;      ///< text bytes
  /// What the offsets of text, lists and dicts may reach: the text bytes, the items of the
  /// list union, the dict's entries.
  std::int64_t limit = 0;
  const UnionView* items = nullptr;
  const UnionView* keys = nullptr;
  const UnionView* vals = nullptr;

  bool is_null(std::int64_t i) const {
    if (tag == kNone) return true;
    return null_count > 0 && !((validity[i >> 3] >> (i & 7)) & 1);
  }
  template <typename T>
  T value(std::int64_t i) const {
    T out;
    std::memcpy(&out, values + i * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
    return out;
  }
  bool bit(std::int64_t i) const { return (values[i >> 3] >> (i & 7)) & 1; }
  std::int32_t offset(std::int64_t i) const { return value<std::int32_t>(i); }
  std::string_view text(std::int64_t i) const {
    const std::int32_t a = offset(i), b = offset(i + 1);
    return {reinterpret_cast<const char*>(data) + a, static_cast<std::size_t>(b - a)};
  }
};

/// A dense union of one batch: slot i is element offset(i) of child child_of(i).
struct UnionView {
  std::int64_t length = 0;
  const std::uint8_t* codes = nullptr;
  const std::uint8_t* offsets = nullptr;
  const UnionShape* shape = nullptr;
  const ChildView* children = nullptr;

  const ChildView& child_of(std::int64_t i) const { return children[shape->child_of_code[codes[i]]]; }
  std::int32_t offset(std::int64_t i) const {
    std::int32_t out;
    std::memcpy(&out, offsets + 4 * i, 4);
    return out;
  }
};

/// The checked views of one structure stream; keeps the stream's memory alive.
class Structure {
 public:
  Structure() = default;
  Structure(const Structure&) = delete;  // the views point into the Structure itself
  Structure& operator=(const Structure&) = delete;
  /// Parses the stream at `offset` of `buffer` (schema, one record batch, end of stream);
  /// *end is set to the offset after it. SerializationError for a stream that is not a
  /// structure, Invalid for a malformed one, CapacityError beyond `options`' limits.
  static Result<std::shared_ptr<const Structure>> parse(const std::shared_ptr<Buffer>& buffer, std::int64_t offset,
                                                        const ipc::IpcReadOptions& options, std::int64_t* end);

  const UnionView& root() const { return unions_[0]; }
  const SchemaPtr& schema() const { return schema_; }
  /// The highest index + 1 of each kind of out-of-band item the structure refers to.
  const References& references() const { return refs_; }
  /// SerializationError when an item is referred to twice (call after checking
  /// references() against the counts the object carries: the check allocates a bit per item).
  Status check_references_unique() const;
  /// The bytes of the stream.
  std::int64_t size() const { return size_; }

 private:
  struct Parser;
  struct Plan;
  /// The views of `plan` over `body`.
  void apply(const Plan& plan, const std::uint8_t* body);
  /// The body pass over the views: union codes and slots, offsets, UTF-8 (when
  /// `check_utf8`), and the references it counts into refs_.
  Status check_body(bool check_utf8);
  SchemaPtr schema_;
  std::shared_ptr<const Shape> shape_;
  std::shared_ptr<Buffer> body_;  ///< the memory the views point into (the buffer parsed)
  /// Sizes the views for `shape`: inline for small objects (one allocation per Structure),
  /// on the heap beyond.
  void size_views(const Shape& shape);
  std::span<UnionView> unions_;
  std::span<ChildView> children_;
  static constexpr std::size_t kInlineUnions = 8, kInlineChildren = 16;  // a small dict: 5 and 15
  std::array<UnionView, kInlineUnions> inline_unions_{};
  std::array<ChildView, kInlineChildren> inline_children_{};
  std::unique_ptr<UnionView[]> heap_unions_;
  std::unique_ptr<ChildView[]> heap_children_;
  References refs_;
  std::int64_t size_ = 0;
};

}  // namespace arrowpack::registry_internal

// The structure stream as checked views (see structure_view.h).
#include "structure_view.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "arrowpack/core/array.h"
#include "arrowpack/core/ipc/reader.h"
#include "arrowpack/core/util.h"
#include "bounded_cache.h"

namespace arrowpack::registry_internal {
namespace {

// ---- the shape of a schema

Status check_child_type(std::int8_t tag, const DataType& t) {
  auto expect = [&](bool ok, const char* what) -> Status {
    if (ok) return Status::OK();
    return Status::SerializationError("union child '", int{tag}, "' has type ", t.to_string(), ", expected ", what);
  };
  const TagInfo& info = tag_info(tag);
  switch (info.layout) {
    case Layout::kSequence:
      return expect(t.id() == TypeId::kList && t.value_type()->id() == TypeId::kDenseUnion, "list<dense_union>");
    case Layout::kDict: {
      const bool ok = t.id() == TypeId::kList && t.value_type()->id() == TypeId::kStruct &&
                      t.value_type()->num_fields() == 2 &&
                      t.value_type()->field(0)->type()->id() == TypeId::kDenseUnion &&
                      t.value_type()->field(1)->type()->id() == TypeId::kDenseUnion;
      return expect(ok, "list<struct<keys: dense_union, vals: dense_union>>");
    }
    default: return expect(t.id() == info.type, leaf_type(tag)->to_string().c_str());
  }
}

// Adds the union `t` (and the unions inside it) to `shape`; *index is its index.
Status add_union(const DataType& t, Shape* shape, int depth, int* index) {
  if (t.id() != TypeId::kDenseUnion) {
    return Status::SerializationError("expected a dense union, got ", t.to_string());
  }
  shape->depth = std::max(shape->depth, depth);
  *index = static_cast<int>(shape->unions.size());
  shape->unions.emplace_back();
  const int n = t.num_fields();
  std::vector<ChildShape> children(static_cast<std::size_t>(n));
  std::array<std::int8_t, 128> child_of_code;
  for (int code = 0; code < 128; ++code) {
    child_of_code[code] = static_cast<std::int8_t>(t.child_index_for_code(static_cast<std::int8_t>(code)));
  }
  const int first_child = static_cast<int>(shape->num_children);
  shape->num_children += n;
  shape->num_nodes += 1 + n;
  std::uint32_t seen = 0;
  for (int j = 0; j < n; ++j) {
    const std::string& name = t.field(j)->name();
    int tag = -1;
    auto r = std::from_chars(name.data(), name.data() + name.size(), tag);
    if (r.ec != std::errc() || r.ptr != name.data() + name.size() || !is_tag(tag)) {
      return Status::SerializationError("union child '", name, "' is not a known type code");
    }
    if (seen & (1u << tag)) return Status::SerializationError("union child '", name, "' appears twice");
    seen |= 1u << tag;
    const DataType& ct = *t.field(j)->type();
    ARROWPACK_RETURN_NOT_OK(check_child_type(static_cast<std::int8_t>(tag), ct));
    ChildShape& c = children[static_cast<std::size_t>(j)];
    c.tag = static_cast<std::int8_t>(tag);
    if (tag_info(c.tag).layout == Layout::kSequence) {
      ARROWPACK_RETURN_NOT_OK(add_union(*ct.value_type(), shape, depth + 2, &c.items));
    } else if (tag_info(c.tag).layout == Layout::kDict) {
      shape->num_nodes += 1;  // the struct
      const DataType& entries = *ct.value_type();
      ARROWPACK_RETURN_NOT_OK(add_union(*entries.field(0)->type(), shape, depth + 3, &c.keys));
      ARROWPACK_RETURN_NOT_OK(add_union(*entries.field(1)->type(), shape, depth + 3, &c.vals));
    }
  }
  UnionShape& u = shape->unions[static_cast<std::size_t>(*index)];
  u.children = std::move(children);
  u.child_of_code = child_of_code;
  u.first_child = first_child;
  return Status::OK();
}

Status check_structure_schema(const Schema& schema) {
  if (schema.num_fields() != 1 || schema.field(0)->type()->id() != TypeId::kDenseUnion) {
    return Status::SerializationError("not a serialized object: the structure must be one dense-union column, got ",
                                      schema.to_string());
  }
  if (schema.metadata()) {
    if (auto v = schema.metadata()->get(kFormatVersionKey); v && *v != kFormatVersion) {
      return Status::NotImplemented("serialized by a newer arrowpack (format version ", *v, "; this one reads ",
                                    kFormatVersion, ")");
    }
  }
  if (schema.endianness() != Endianness::kLittle) {
    return Status::NotImplemented("a big-endian structure (no writer of the format makes one)");
  }
  return Status::OK();
}

Result<std::shared_ptr<const Shape>> shape_of(const Schema& schema) {
  ARROWPACK_RETURN_NOT_OK(check_structure_schema(schema));
  auto shape = std::make_shared<Shape>();
  int root = 0;
  ARROWPACK_RETURN_NOT_OK(add_union(*schema.field(0)->type(), shape.get(), 1, &root));
  return std::shared_ptr<const Shape>(std::move(shape));
}

// Structure schemas already decoded, by the exact bytes of their Message flatbuffer: objects
// of one shape share one schema, whose verification and decoding is the larger part of
// reading a small object. An entry is used only for bytes equal to those it was decoded
// from, and only under limits that would have accepted it (its depth); flatbuffers above
// 64 KiB are not kept.
struct DecodedSchema {
  SchemaPtr schema;
  std::shared_ptr<const Shape> shape;
};
BoundedCache<DecodedSchema>& decoded_schemas() {
  static auto* cache = new BoundedCache<DecodedSchema>(/*max_entries=*/1024, /*max_key_bytes=*/64 * 1024);
  return *cache;  // never destroyed: used until exit
}

std::int64_t bitmap_bytes(std::int64_t bits) { return bits / 8 + (bits % 8 != 0); }

bool is_continuation_byte(std::uint8_t b) { return (b & 0xC0) == 0x80; }

}  // namespace

// ---- the batch

namespace {

// `n` values of `width` bytes, checked without overflow.
std::int64_t bytes_for(std::int64_t n, std::int64_t width) {
  return n > (std::int64_t{1} << 56) ? std::int64_t{1} << 62 : n * width;
}

// int32 offsets of `c.length` elements into [0, c.limit], non-decreasing.
Status check_offsets(const ChildView& c, const char* what) {
  if (c.length == 0) return Status::OK();
  std::int32_t prev = c.offset(0);
  if (prev < 0) return Status::Invalid("structure: ", what, " offsets start at ", prev);
  for (std::int64_t i = 1; i <= c.length; ++i) {
    const std::int32_t o = c.offset(i);
    if (o < prev) return Status::Invalid("structure: ", what, " offsets decrease at ", i);
    prev = o;
  }
  if (prev > c.limit) return Status::Invalid("structure: ", what, " offsets end at ", prev, ", beyond ", c.limit);
  return Status::OK();
}

}  // namespace

// The metadata pass: every field node and buffer the shape needs, their lengths and sizes
// checked, as views into the body. What it checks and what it makes depend on the shape and
// the batch's layout alone (never on the body's bytes): a Plan keeps them for the next batch
// of the same shape and layout.
struct Structure::Parser {
  Structure& s;
  const Shape& shape;
  const ipc::RecordBatchLayout& layout;
  const std::uint8_t* body;
  bool v4;  // pre-1.0 metadata: unions have a validity buffer
  std::size_t node = 0, buffer = 0;

  // next_node() and next_buffer() are inline with their errors out of line: called once per
  // node and buffer, their Result and the message building were a tenth of decoding one
  // small dict (callgrind).
  [[gnu::always_inline]] Result<ipc::FieldNodeLayout> next_node() {
    if (node >= layout.nodes.size()) [[unlikely]]
      return missing_node();
    const ipc::FieldNodeLayout& n = layout.nodes[node];
    // Every element of the structure is reached through a 32-bit offset (a dense union's or a
    // list's), so no node can be longer than that; refused before any length arithmetic.
    if (n.length < 0 || n.length > std::numeric_limits<std::int32_t>::max() || n.null_count < 0) [[unlikely]]
      return bad_node(n);
    return layout.nodes[node++];
  }
  [[gnu::cold, gnu::noinline]] Status missing_node() const {
    return Status::Invalid("structure batch has ", layout.nodes.size(), " field nodes, its schema needs more");
  }
  [[gnu::cold, gnu::noinline]] Status bad_node(const ipc::FieldNodeLayout& n) const {
    return Status::Invalid("structure batch: field node ", node, " has length ", n.length, " and ", n.null_count,
                           " nulls; the format's 32-bit offsets allow lengths up to 2147483647");
  }
  // The next buffer, at least `min` bytes long; *size gets its length.
  [[gnu::always_inline]] Result<const std::uint8_t*> next_buffer(std::int64_t min, const char* what,
                                                                 std::int64_t* size = nullptr) {
    if (buffer >= layout.buffers.size()) [[unlikely]]
      return missing_buffer();
    const ipc::BodyBufferLayout& b = layout.buffers[buffer++];
    if (b.length < min) [[unlikely]]
      return short_buffer(b, min, what);
    if (size) *size = b.length;
    return b.length > 0 ? body + b.offset : nullptr;
  }
  [[gnu::cold, gnu::noinline]] Status missing_buffer() const {
    return Status::Invalid("structure batch has ", layout.buffers.size(), " buffers, its schema needs more");
  }
  [[gnu::cold, gnu::noinline]] Status short_buffer(const ipc::BodyBufferLayout& b, std::int64_t min,
                                                   const char* what) const {
    return Status::Invalid("structure batch buffer ", buffer - 1, " (", what, ") has ", b.length, " bytes, needs ",
                           min);
  }

  Status parse_union(int index) {
    const UnionShape& us = shape.unions[static_cast<std::size_t>(index)];
    ARROWPACK_ASSIGN_OR_RAISE(auto n, next_node());
    if (n.null_count != 0) return Status::SerializationError("a union of the structure has nulls");
    if (v4) ARROWPACK_RETURN_NOT_OK(next_buffer(0, "union validity").status());
    UnionView& u = s.unions_[static_cast<std::size_t>(index)];
    u.length = n.length;
    u.shape = &us;
    u.children = s.children_.data() + us.first_child;
    ARROWPACK_ASSIGN_OR_RAISE(u.codes, next_buffer(n.length, "union codes"));
    ARROWPACK_ASSIGN_OR_RAISE(u.offsets, next_buffer(bytes_for(n.length, 4), "union offsets"));
    for (std::size_t j = 0; j < us.children.size(); ++j) {
      ARROWPACK_RETURN_NOT_OK(parse_child(us.children[j], s.children_[us.first_child + j]));
    }
    return Status::OK();
  }

  Status parse_child(const ChildShape& cs, ChildView& c) {
    ARROWPACK_ASSIGN_OR_RAISE(auto n, next_node());
    c.tag = cs.tag;
    c.length = n.length;
    c.null_count = n.null_count;
    const TagInfo& info = tag_info(cs.tag);
    if (info.layout == Layout::kNull) return Status::OK();  // no buffers
    if (n.null_count > n.length) {
      return Status::Invalid("structure: child '", info.name, "' has ", n.null_count, " nulls in ", n.length);
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto validity, next_buffer(n.null_count > 0 ? bitmap_bytes(n.length) : 0, "validity"));
    if (n.null_count > 0) c.validity = validity;
    const std::int64_t offsets_bytes = n.length > 0 ? bytes_for(n.length + 1, 4) : 0;
    switch (info.layout) {
      case Layout::kNull: return Status::OK();
      case Layout::kBool: {
        ARROWPACK_ASSIGN_OR_RAISE(c.values, next_buffer(bitmap_bytes(n.length), "bits"));
        return Status::OK();
      }
      case Layout::kFixed: {
        ARROWPACK_ASSIGN_OR_RAISE(c.values, next_buffer(bytes_for(n.length, info.width), "values"));
        return Status::OK();
      }
      case Layout::kIndex: {
        ARROWPACK_ASSIGN_OR_RAISE(c.values, next_buffer(bytes_for(n.length, 4), "indices"));
        return Status::OK();
      }
      case Layout::kText: {
        ARROWPACK_ASSIGN_OR_RAISE(c.values, next_buffer(offsets_bytes, "offsets"));
        ARROWPACK_ASSIGN_OR_RAISE(c.data, next_buffer(0, "text", &c.limit));
        return Status::OK();
      }
      case Layout::kSequence: {
        ARROWPACK_ASSIGN_OR_RAISE(c.values, next_buffer(offsets_bytes, "list offsets"));
        ARROWPACK_RETURN_NOT_OK(parse_union(cs.items));
        c.items = &s.unions_[static_cast<std::size_t>(cs.items)];
        c.limit = c.items->length;
        return Status::OK();
      }
      case Layout::kDict: {
        ARROWPACK_ASSIGN_OR_RAISE(c.values, next_buffer(offsets_bytes, "dict offsets"));
        ARROWPACK_ASSIGN_OR_RAISE(auto entries, next_node());
        if (entries.null_count != 0) return Status::SerializationError("the entries of a dict have nulls");
        ARROWPACK_RETURN_NOT_OK(next_buffer(0, "entries validity").status());
        ARROWPACK_RETURN_NOT_OK(parse_union(cs.keys));
        ARROWPACK_RETURN_NOT_OK(parse_union(cs.vals));
        c.keys = &s.unions_[static_cast<std::size_t>(cs.keys)];
        c.vals = &s.unions_[static_cast<std::size_t>(cs.vals)];
        if (c.keys->length < entries.length || c.vals->length < entries.length) {
          return Status::Invalid("structure: ", entries.length, " dict entries over ", c.keys->length, " keys and ",
                                 c.vals->length, " values");
        }
        c.limit = entries.length;
        return Status::OK();
      }
    }
    return Status::OK();
  }
};

// The views the metadata pass made for one shape and layout, relative to the body: the same
// small object arriving again and again (a request, a record of one shape and size) skips the
// metadata pass, which the profile of one small dict put at 2.7k of its 12.7k instructions.
// An entry is used only for the same Shape (the one decoded from equal schema bytes, kept
// alive here) and a layout equal in every number; the body pass runs on every batch.
struct Structure::Plan {
  struct UnionPlan {
    std::int64_t length;
    std::int64_t codes, offsets;  // from the body; -1: no bytes
  };
  struct ChildPlan {
    std::int64_t length, null_count, limit;
    std::int64_t validity, values, data;  // from the body; -1: none
  };
  std::shared_ptr<const Shape> shape;
  std::int64_t length = 0, body_length = 0;
  ipc::MetadataVersion version = ipc::MetadataVersion::kV5;
  std::vector<ipc::FieldNodeLayout> nodes;
  std::vector<ipc::BodyBufferLayout> buffers;
  std::vector<UnionPlan> unions;
  std::vector<ChildPlan> children;

  static constexpr std::size_t kMaxNodes = 1024;  // larger shapes are parsed each time

  bool matches(const std::shared_ptr<const Shape>& s, const ipc::RecordBatchLayout& layout) const {
    return shape == s && length == layout.length && body_length == layout.body_length && version == layout.version &&
           same(nodes, layout.nodes) && same(buffers, layout.buffers);
  }
  void remember(const Structure& s, const ipc::RecordBatchLayout& layout, const std::uint8_t* body) {
    shape.reset();  // unusable until filled
    if (layout.nodes.size() > kMaxNodes) return;
    auto at = [body](const std::uint8_t* p) { return p == nullptr ? std::int64_t{-1} : p - body; };
    unions.clear();
    for (const UnionView& u : s.unions_) unions.push_back({u.length, at(u.codes), at(u.offsets)});
    children.clear();
    for (const ChildView& c : s.children_) {
      children.push_back({c.length, c.null_count, c.limit, at(c.validity), at(c.values), at(c.data)});
    }
    length = layout.length;
    body_length = layout.body_length;
    version = layout.version;
    nodes.assign(layout.nodes.begin(), layout.nodes.end());
    buffers.assign(layout.buffers.begin(), layout.buffers.end());
    shape = s.shape_;
  }

 private:
  template <typename T>
  static bool same(const std::vector<T>& a, const std::vector<T>& b) {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) == 16);  // two int64, no padding
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
  }
};

void Structure::apply(const Plan& plan, const std::uint8_t* body) {
  auto in_body = [body](std::int64_t at) { return at < 0 ? nullptr : body + at; };
  for (std::size_t i = 0; i < unions_.size(); ++i) {
    const UnionShape& us = shape_->unions[i];
    UnionView& u = unions_[i];
    u.length = plan.unions[i].length;
    u.codes = in_body(plan.unions[i].codes);
    u.offsets = in_body(plan.unions[i].offsets);
    u.shape = &us;
    u.children = children_.data() + us.first_child;
    for (std::size_t j = 0; j < us.children.size(); ++j) {
      const ChildShape& cs = us.children[j];
      const Plan::ChildPlan& cp = plan.children[static_cast<std::size_t>(us.first_child) + j];
      ChildView& c = children_[static_cast<std::size_t>(us.first_child) + j];
      c.tag = cs.tag;
      c.length = cp.length;
      c.null_count = cp.null_count;
      c.limit = cp.limit;
      c.validity = in_body(cp.validity);
      c.values = in_body(cp.values);
      c.data = in_body(cp.data);
      if (cs.items >= 0) c.items = &unions_[static_cast<std::size_t>(cs.items)];
      if (cs.keys >= 0) c.keys = &unions_[static_cast<std::size_t>(cs.keys)];
      if (cs.vals >= 0) c.vals = &unions_[static_cast<std::size_t>(cs.vals)];
    }
  }
}

namespace {
// Every buffer of the structure must be memory of its own. No writer of the format aliases
// buffers; aliased ones would let a small blob decode the same bytes many times over.
Status check_disjoint(const std::vector<ipc::BodyBufferLayout>& buffers) {
  std::int64_t end = 0;
  bool sorted = true;
  for (const auto& b : buffers) {
    if (b.length == 0) continue;
    if (b.offset < end) {
      sorted = false;
      break;
    }
    end = b.offset + b.length;
  }
  if (sorted) return Status::OK();
  std::vector<ipc::BodyBufferLayout> copy;
  for (const auto& b : buffers) {
    if (b.length > 0) copy.push_back(b);
  }
  std::sort(copy.begin(), copy.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
  for (std::size_t i = 1; i < copy.size(); ++i) {
    if (copy[i].offset < copy[i - 1].offset + copy[i - 1].length) {
      return Status::SerializationError(
          "the structure's buffers overlap (", copy[i - 1].length, " and ", copy[i].length,
          " bytes at the same memory): no writer shares buffers between arrays, a blob that does is refused");
    }
  }
  return Status::OK();
}

// The body pass of one union child: its offsets (text, lists, dicts) within their limits and
// in order, its strings UTF-8 (under full validation), its out-of-band indices counted.
Status check_child_body(const ChildView& c, bool check_utf8, References* refs) {
  switch (tag_info(c.tag).layout) {
    case Layout::kIndex: {
      std::int64_t& most = c.tag == kTensor    ? refs->tensors
                           : c.tag == kNdarray ? refs->ndarrays
                           : c.tag == kBuffer  ? refs->buffers
                                               : refs->sparse_tensors;  // one list for 17-20
      for (std::int64_t i = 0; i < c.length; ++i) {
        if (!c.is_null(i)) most = std::max<std::int64_t>(most, std::int64_t{c.value<std::int32_t>(i)} + 1);
      }
      return Status::OK();
    }
    case Layout::kText: {
      ARROWPACK_RETURN_NOT_OK(check_offsets(c, "text"));
      if (c.tag == kString && check_utf8 && c.length > 0) {
        // UTF-8 once: the whole range, and every boundary at the start of a character.
        const std::int32_t first = c.offset(0), last = c.offset(c.length);
        if (!util::is_valid_utf8(std::string_view(reinterpret_cast<const char*>(c.data) + first,
                                                  static_cast<std::size_t>(last - first)))) {
          return Status::Invalid("structure: a string is not valid UTF-8");
        }
        for (std::int64_t i = 1; i < c.length; ++i) {
          const std::int32_t o = c.offset(i);
          if (o < last && is_continuation_byte(c.data[o])) {
            return Status::Invalid("structure: string ", i, " starts inside a UTF-8 character");
          }
        }
      }
      return Status::OK();
    }
    case Layout::kSequence: return check_offsets(c, "list");
    case Layout::kDict: return check_offsets(c, "dict");
    default: return Status::OK();
  }
}
}  // namespace

Status Structure::check_body(bool check_utf8) {
  refs_ = References{};
  for (const UnionView& u : unions_) {
    const UnionShape& us = *u.shape;
    for (std::size_t j = 0; j < us.children.size(); ++j) {
      ARROWPACK_RETURN_NOT_OK(check_child_body(u.children[j], check_utf8, &refs_));
    }
    // Every child element used exactly once, in slot order (as pyarrow >= 0.15 and arrowpack
    // write): aliased slots would let a small blob decode into an unbounded graph.
    std::array<std::int32_t, kNumTags> next{};
    for (std::int64_t i = 0; i < u.length; ++i) {
      const std::uint8_t code = u.codes[i];
      const int child = code < 128 ? us.child_of_code[code] : -1;
      if (child < 0) return Status::SerializationError("union slot ", i, " has an undeclared type code");
      const std::int32_t offset = u.offset(i);
      if (offset != next[child]++ || offset >= u.children[child].length) {
        return Status::SerializationError("union slot ", i, " points at element ", offset, " of child '",
                                          tag_info(us.children[child].tag).name,
                                          "'; elements must be used once, in order");
      }
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<const Structure>> Structure::parse(const std::shared_ptr<Buffer>& buffer, std::int64_t offset,
                                                          const ipc::IpcReadOptions& options, std::int64_t* end) {
  auto out = std::make_shared<Structure>();
  const std::int64_t size = buffer->size();
  std::uint32_t head[2] = {0, 0};
  if (size - offset >= 8) std::memcpy(head, buffer->data() + offset, 8);
  const auto meta_length = static_cast<std::int64_t>(static_cast<std::int32_t>(head[1]));
  const bool framed = head[0] == 0xFFFFFFFFu && meta_length > 0 && meta_length <= size - offset - 8 &&
                      meta_length <= options.limits.max_metadata_bytes;
  const std::string_view meta = framed ? std::string_view(reinterpret_cast<const char*>(buffer->data() + offset + 8),
                                                          static_cast<std::size_t>(meta_length))
                                       : std::string_view();
  std::shared_ptr<const DecodedSchema> cached = framed ? decoded_schemas().find(meta) : nullptr;
  if (cached && cached->shape->depth > options.limits.max_depth) cached = nullptr;
  std::int64_t batch_at = 0;
  if (cached) {
    out->schema_ = cached->schema;
    out->shape_ = cached->shape;
    batch_at = offset + 8 + meta_length;
  } else {
    io::BufferReader reader(buffer);
    ARROWPACK_RETURN_NOT_OK(reader.seek(offset));
    ARROWPACK_ASSIGN_OR_RAISE(out->schema_, ipc::read_schema(&reader, options));
    ARROWPACK_ASSIGN_OR_RAISE(out->shape_, shape_of(*out->schema_));
    if (out->shape_->depth > options.limits.max_depth) {
      return Status::CapacityError("structure schema nests deeper than ReadLimits::max_depth allows");
    }
    ARROWPACK_ASSIGN_OR_RAISE(batch_at, reader.tell());
    if (framed && batch_at == offset + 8 + meta_length)
      decoded_schemas().add(meta, std::make_shared<const DecodedSchema>(DecodedSchema{out->schema_, out->shape_}));
  }
  // The batch is read in place: its body is a range of `buffer`, which the Structure keeps.
  const std::span<const std::uint8_t> bytes(buffer->data(), static_cast<std::size_t>(size));
  if (ipc::end_of_stream_at(bytes, batch_at, end)) return Status::Invalid("serialized object has no structure batch");
  struct Scratch {
    ipc::RecordBatchLayout layout;
    Plan plan;
  };
  thread_local Scratch scratch;  // reached once: each access is a call in a shared library
  Scratch& t = scratch;
  const ipc::RecordBatchLayout& layout = t.layout;
  ARROWPACK_RETURN_NOT_OK(ipc::read_record_batch_layout(bytes, batch_at, options, &t.layout));
  if (!ipc::end_of_stream_at(bytes, layout.end, end)) {
    return Status::Invalid("serialized object: more than one message in the structure stream");
  }
  if (layout.length < 1) return Status::SerializationError("the structure batch is empty");
  const Shape& shape = *out->shape_;
  if (static_cast<std::int64_t>(layout.nodes.size()) != shape.num_nodes) {
    return Status::Invalid("structure batch has ", layout.nodes.size(), " field nodes, its schema ", shape.num_nodes);
  }
  out->body_ = buffer;
  out->size_views(shape);
  const std::uint8_t* body = buffer->data() + layout.body_offset;
  if (t.plan.matches(out->shape_, layout)) {
    out->apply(t.plan, body);
  } else {
    ARROWPACK_RETURN_NOT_OK(check_disjoint(layout.buffers));
    Parser parser{*out, shape, layout, body, layout.version < ipc::MetadataVersion::kV5};
    ARROWPACK_RETURN_NOT_OK(parser.parse_union(0));
    if (parser.buffer != layout.buffers.size()) {
      return Status::Invalid("structure batch has ", layout.buffers.size(), " buffers, its schema ", parser.buffer);
    }
    if (out->unions_[0].length != layout.length) {
      return Status::Invalid("the structure column has ", out->unions_[0].length, " rows, its batch ", layout.length);
    }
    t.plan.remember(*out, layout, body);
  }
  ARROWPACK_RETURN_NOT_OK(out->check_body(options.validation == Validation::kFull));
  out->size_ = *end - offset;
  return std::shared_ptr<const Structure>(std::move(out));
}

void Structure::size_views(const Shape& shape) {
  const std::size_t u = shape.unions.size(), c = static_cast<std::size_t>(shape.num_children);
  if (u <= kInlineUnions) {
    unions_ = std::span<UnionView>(inline_unions_.data(), u);
  } else {
    heap_unions_ = std::make_unique<UnionView[]>(u);
    unions_ = std::span<UnionView>(heap_unions_.get(), u);
  }
  if (c <= kInlineChildren) {
    children_ = std::span<ChildView>(inline_children_.data(), c);
  } else {
    heap_children_ = std::make_unique<ChildView[]>(c);
    children_ = std::span<ChildView>(heap_children_.get(), c);
  }
}

Status Structure::check_references_unique() const {
  // Highest index + 1 of each kind were checked against the object's counts: a bit each.
  std::vector<bool> tensors(static_cast<std::size_t>(refs_.tensors)),
      ndarrays(static_cast<std::size_t>(refs_.ndarrays)), buffers(static_cast<std::size_t>(refs_.buffers)),
      sparse(static_cast<std::size_t>(refs_.sparse_tensors));
  for (const ChildView& c : children_) {
    if (tag_info(c.tag).layout != Layout::kIndex) continue;
    std::vector<bool>& seen = c.tag == kTensor    ? tensors
                              : c.tag == kNdarray ? ndarrays
                              : c.tag == kBuffer  ? buffers
                                                  : sparse;
    const char* what = c.tag == kTensor    ? "a tensor"
                       : c.tag == kNdarray ? "an ndarray"
                       : c.tag == kBuffer  ? "a buffer"
                                           : "a sparse tensor";
    for (std::int64_t i = 0; i < c.length; ++i) {
      if (c.is_null(i)) continue;
      const std::int32_t index = c.value<std::int32_t>(i);
      if (index < 0) continue;  // refused when decoded
      if (seen[static_cast<std::size_t>(index)]) {
        return Status::SerializationError("the structure refers to ", what, " more than once (index ", index,
                                          "): every item is written once per use");
      }
      seen[static_cast<std::size_t>(index)] = true;
    }
  }
  return Status::OK();
}

}  // namespace arrowpack::registry_internal

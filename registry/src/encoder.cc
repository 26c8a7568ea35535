// Encoding a Value graph into the structure's columns, and rendering the columns as the
// structure's IPC stream (see encoder.h).
#include "encoder.h"

#include <algorithm>
#include <new>
#include <string>
#include <type_traits>

#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/writer.h"
#include "arrowpack/core/util.h"
#include "bounded_cache.h"

namespace arrowpack::registry_internal {

Status Column::grow(ScratchArena& arena, std::int64_t extra) {
  const auto wanted = static_cast<std::size_t>(std::max(size_ + extra, std::max<std::int64_t>(capacity_ * 2, 64)));
  std::uint8_t* p = nullptr;
  if (heap_) {
    ARROWPACK_ASSIGN_OR_RAISE(p, arena.heap_grow(data_, static_cast<std::size_t>(capacity_), wanted));
  } else if (wanted > ScratchArena::kHeapBytes) {
    ARROWPACK_ASSIGN_OR_RAISE(p, arena.heap_grow(nullptr, 0, wanted));
    if (size_ > 0) std::memcpy(p, data_, static_cast<std::size_t>(size_));
    heap_ = true;
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(p, arena.grow(data_, static_cast<std::size_t>(size_), wanted));
  }
  data_ = p;
  capacity_ = static_cast<std::int64_t>(wanted);
  return Status::OK();
}

// A sequence's or a child's struct and the first bytes of its columns come in one arena
// allocation: each column of a small object otherwise grew once on its first value, and
// one small dict has 30 columns (callgrind: Column::grow and the failed fast paths before
// it were a tenth of serializing it).
namespace {
// The struct's bytes, rounded to the arena's 16: its first column starts after them.
template <typename T>
constexpr std::size_t head_of = 16 * ((sizeof(T) + 15) / 16);
constexpr std::int64_t kFirstCodes = 32, kFirstOffsets = 4 * kFirstCodes, kFirstValues = 64, kFirstText = 64;
}  // namespace

Result<SequenceEncoder*> SequenceEncoder::make(ScratchArena& arena) {
  static_assert(std::is_trivially_destructible_v<SequenceEncoder>);               // the arena runs no destructors
  static_assert(alignof(SequenceEncoder) <= 16 && alignof(SequenceChild) <= 16);  // the arena's alignment
  constexpr std::size_t head = head_of<SequenceEncoder>;
  ARROWPACK_ASSIGN_OR_RAISE(std::uint8_t * p, arena.allocate(head + kFirstCodes + kFirstOffsets));
  auto* s = new (p) SequenceEncoder(arena);
  s->codes_.adopt(p + head, kFirstCodes);
  s->offsets_.adopt(p + head + kFirstCodes, kFirstOffsets);
  ARROWPACK_RETURN_NOT_OK(s->add_child(kNone));
  return s;
}

Status SequenceEncoder::add_child(std::int8_t tag) {
  if (!is_tag(tag) || tag == kPy2Int) return Status::NotImplemented("cannot encode union tag ", int{tag});
  static_assert(std::is_trivially_destructible_v<SequenceChild>);
  const Layout layout = tag_info(tag).layout;
  const std::int64_t values = layout == Layout::kNull ? 0 : kFirstValues;
  const std::int64_t text = layout == Layout::kText ? kFirstText : 0;
  constexpr std::size_t head = head_of<SequenceChild>;
  ARROWPACK_ASSIGN_OR_RAISE(std::uint8_t * p, arena_->allocate(head + static_cast<std::size_t>(values + text)));
  auto* c = new (p) SequenceChild();
  if (values > 0) c->values.adopt(p + head, values);
  if (text > 0) c->data.adopt(p + head + values, text);
  c->tag = tag;
  switch (layout) {
    case Layout::kNull:
    case Layout::kBool:
    case Layout::kFixed:
    case Layout::kIndex: break;
    case Layout::kText: ARROWPACK_RETURN_NOT_OK(c->values.append<std::int32_t>(*arena_, 0)); break;
    case Layout::kSequence: {
      ARROWPACK_ASSIGN_OR_RAISE(c->items, make(*arena_));
      ARROWPACK_RETURN_NOT_OK(c->values.append<std::int32_t>(*arena_, 0));
      break;
    }
    case Layout::kDict: {
      ARROWPACK_ASSIGN_OR_RAISE(c->keys, make(*arena_));
      ARROWPACK_ASSIGN_OR_RAISE(c->vals, make(*arena_));
      ARROWPACK_RETURN_NOT_OK(c->values.append<std::int32_t>(*arena_, 0));
      break;
    }
  }
  tag_to_child_[tag] = static_cast<std::int8_t>(num_children_);
  children_[num_children_++] = c;
  return Status::OK();
}

Status SequenceEncoder::append_bool(bool b) {
  ARROWPACK_ASSIGN_OR_RAISE(SequenceChild * c, child_for(kBool));
  return c->values.append_bit(*arena_, b, c->length - 1);
}

Status SequenceEncoder::append_text_slow(std::int8_t tag, std::string_view s) {
  const auto n = static_cast<std::int64_t>(s.size());
  ARROWPACK_ASSIGN_OR_RAISE(SequenceChild * c, child_for(tag));
  if (n > kMaxInt32 - c->data.size()) return Status::CapacityError("strings or bytes longer than 2^31-1 in total");
  ARROWPACK_RETURN_NOT_OK(c->data.append_bytes(*arena_, s.data(), n));
  return c->values.append(*arena_, static_cast<std::int32_t>(c->data.size()));
}

Status SequenceEncoder::append_index(std::int8_t tag, std::size_t index) {
  if (index >= static_cast<std::size_t>(kMaxInt32)) return Status::CapacityError("more than 2^31-1 out-of-band items");
  return append_scalar(tag, static_cast<std::int32_t>(index));
}

Status SequenceEncoder::append_sequence(std::int8_t tag, const std::vector<Value>& items, int depth, Encoder& enc) {
  ARROWPACK_ASSIGN_OR_RAISE(SequenceChild * c, child_for(tag));
  for (const auto& item : items) ARROWPACK_RETURN_NOT_OK(c->items->append(item, depth + 1, enc));
  return c->close_list(*arena_, c->items->length());
}

Status SequenceEncoder::append_dict_entries(const std::vector<std::pair<Value, Value>>& entries, int depth,
                                            Encoder& enc) {
  ARROWPACK_ASSIGN_OR_RAISE(SequenceChild * c, child_for(kDict));
  for (const auto& [k, v] : entries) {
    if (!k.is_hashable()) return Status::TypeError("dict key of kind ", k.kind_name(), " is not hashable");
    ARROWPACK_RETURN_NOT_OK(c->keys->append(k, depth + 1, enc));
    ARROWPACK_RETURN_NOT_OK(c->vals->append(v, depth + 1, enc));
  }
  return c->close_list(*arena_, c->keys->length());
}

Status SequenceEncoder::append_dict(const Dict& dict, int depth, Encoder& enc) {
  std::vector<std::pair<Value, Value>> entries;
  entries.reserve(dict.size());
  for (const auto& e : dict.entries()) entries.emplace_back(e.key, e.value);
  return append_dict_entries(entries, depth, enc);
}

Status SequenceEncoder::append(const Value& v, int depth, Encoder& enc) {
  ARROWPACK_RETURN_NOT_OK(enc.count(depth));
  Encoded& out = enc.out();
  switch (v.kind()) {
    case Value::Kind::kNone: return append_none();
    case Value::Kind::kBool: return append_bool(*v.as<bool>());
    case Value::Kind::kInt: return append_scalar(kInt, *v.as<std::int64_t>());
    case Value::Kind::kHalf: return append_scalar(kHalf, v.as<Half>()->bits);
    case Value::Kind::kFloat: return append_scalar(kFloat, *v.as<float>());
    case Value::Kind::kDouble: return append_scalar(kDouble, *v.as<double>());
    case Value::Kind::kDate64: return append_scalar(kDate64, v.as<Date64>()->micros);
    case Value::Kind::kString: return append_text(kString, *v.as<std::string>());
    case Value::Kind::kBytes: return append_text(kBytes, v.as<Bytes>()->data);
    case Value::Kind::kList: return append_sequence(kList, v.as<List>()->items, depth, enc);
    case Value::Kind::kTuple: return append_sequence(kTuple, v.as<Tuple>()->items, depth, enc);
    case Value::Kind::kSet: {
      for (const auto& item : v.as<Set>()->items) {
        if (!item.is_hashable()) return Status::TypeError("set element of kind ", item.kind_name(), " is not hashable");
      }
      return append_sequence(kSet, v.as<Set>()->items, depth, enc);
    }
    case Value::Kind::kDict: return append_dict(*v.as<Dict>(), depth, enc);
    case Value::Kind::kTensor:
      if (!*v.as<TensorPtr>()) return Status::Invalid("null tensor in a Value");
      out.tensors.push_back(*v.as<TensorPtr>());
      return append_index(kTensor, out.tensors.size() - 1);
    case Value::Kind::kNdarray:
      if (!v.as<Ndarray>()->tensor) return Status::Invalid("null ndarray in a Value");
      out.ndarrays.push_back(v.as<Ndarray>()->tensor);
      return append_index(kNdarray, out.ndarrays.size() - 1);
    case Value::Kind::kBuffer:
      if (!*v.as<std::shared_ptr<Buffer>>()) return Status::Invalid("null buffer in a Value");
      out.buffers.push_back(*v.as<std::shared_ptr<Buffer>>());
      return append_index(kBuffer, out.buffers.size() - 1);
    case Value::Kind::kSparseTensor: {
      const SparseTensorPtr& t = *v.as<SparseTensorPtr>();
      if (!t) return Status::Invalid("null sparse tensor in a Value");
      out.sparse_tensors.push_back(t);
      return append_index(sparse_tag(t->format()), out.sparse_tensors.size() - 1);
    }
    case Value::Kind::kObject: {
      // A registered object travels as pyarrow's custom-serializer dict:
      // {"data": serializer(object), "_pytype_": name}.
      const Object& o = *v.as<Object>();
      ARROWPACK_ASSIGN_OR_RAISE(Value data, enc.context().serialize_registered(o));
      if (o.payload) out.keep_alive.push_back(o.payload);
      if (!o.payload) {
        // Opaque objects go back exactly as they were read.
        const Dict* fields = data.as<Dict>();
        if (!fields) return Status::SerializationError("opaque object without its fields");
        return append_dict(*fields, depth, enc);
      }
      return append_dict_entries({{Value("data"), std::move(data)}, {Value("_pytype_"), Value(o.type_name)}}, depth,
                                 enc);
    }
  }
  return Status::NotImplemented("cannot serialize a value of kind ", v.kind_name());
}

// ---- rendering

namespace {

// The shape of a sequence: its children's tags in order, each list's items and each dict's
// keys and values after it. Equal shapes have equal schemas.
void shape_key(const SequenceEncoder& s, std::string* key) {
  key->push_back(static_cast<char>(s.num_children()));
  for (int i = 0; i < s.num_children(); ++i) {
    const SequenceChild& c = s.child(i);
    key->push_back(static_cast<char>(c.tag));
    if (c.items) shape_key(*c.items, key);
    if (c.keys) {
      shape_key(*c.keys, key);
      shape_key(*c.vals, key);
    }
  }
}

// The dense union type of a sequence, as pyarrow builds it.
Result<DataTypePtr> union_type(const SequenceEncoder& s) {
  FieldVector fields;
  fields.reserve(static_cast<std::size_t>(s.num_children()));
  for (int i = 0; i < s.num_children(); ++i) {
    const SequenceChild& c = s.child(i);
    DataTypePtr type;
    switch (tag_info(c.tag).layout) {
      case Layout::kSequence: {
        ARROWPACK_ASSIGN_OR_RAISE(auto items, union_type(*c.items));
        type = list(std::move(items));
        break;
      }
      case Layout::kDict: {
        ARROWPACK_ASSIGN_OR_RAISE(auto keys, union_type(*c.keys));
        ARROWPACK_ASSIGN_OR_RAISE(auto vals, union_type(*c.vals));
        type = list(struct_({field("keys", std::move(keys)), field("vals", std::move(vals))}));
        break;
      }
      default: type = leaf_type(c.tag); break;
    }
    fields.push_back(field(std::string(tag_info(c.tag).name), std::move(type)));
  }
  return dense_union(std::move(fields));
}

// The framed schema message (continuation, length, flatbuffer, padding) of a structure.
Result<std::vector<std::uint8_t>> schema_message(const SequenceEncoder& top, FormatMark mark) {
  ARROWPACK_ASSIGN_OR_RAISE(auto type, union_type(top));
  auto schema =
      mark == FormatMark::kPyarrow
          ? arrowpack::schema({field("list", std::move(type))})
          : arrowpack::schema({field("list", std::move(type))},
                              key_value_metadata({{std::string(kFormatVersionKey), std::string(kFormatVersion)}}));
  ARROWPACK_ASSIGN_OR_RAISE(auto metadata, ipc::schema_metadata(*schema));
  ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t framed, ipc::framed_message_size(metadata->size()));
  std::vector<std::uint8_t> out(static_cast<std::size_t>(framed));
  ipc::frame_message({metadata->data(), static_cast<std::size_t>(metadata->size())}, out.data());
  return out;
}

// The record batch's field nodes and body buffers, in the IPC order (pre-order), with the
// bytes of each buffer.
struct BatchLayout {
  std::vector<ipc::FieldNodeLayout> nodes;
  std::vector<ipc::BodyBufferLayout> buffers;
  std::vector<const std::uint8_t*> sources;
  std::int64_t body_length = 0;

  void clear() {
    nodes.clear();
    buffers.clear();
    sources.clear();
    body_length = 0;
  }
  // Inline: called 45 times for one small dict, they were 1.1k of its 4.5k instructions of
  // rendering as calls (callgrind).
  [[gnu::always_inline]] void node(std::int64_t length, std::int64_t null_count) {
    nodes.push_back({length, null_count});
  }
  [[gnu::always_inline]] void buffer(const std::uint8_t* data, std::int64_t size) {
    buffers.push_back({body_length, size});
    sources.push_back(data);
    body_length += (size + 7) & ~std::int64_t{7};
  }
  [[gnu::always_inline]] void none() { buffer(nullptr, 0); }  // an absent validity bitmap

  void add_union(const SequenceEncoder& s) {
    node(s.length(), 0);
    buffer(s.codes().data(), s.length());
    buffer(s.offsets().data(), 4 * s.length());
    for (int i = 0; i < s.num_children(); ++i) add_child(s.child(i));
  }
  void add_child(const SequenceChild& c) {
    switch (tag_info(c.tag).layout) {
      case Layout::kNull: node(c.length, c.length); return;
      case Layout::kBool:
      case Layout::kFixed:
      case Layout::kIndex:
      case Layout::kText:
        node(c.length, 0);
        none();
        buffer(c.values.data(), c.values.size());  // bits, values, indices or text offsets
        if (tag_info(c.tag).layout == Layout::kText) buffer(c.data.data(), c.data.size());
        return;
      case Layout::kSequence:
        node(c.length, 0);
        none();
        buffer(c.values.data(), c.values.size());
        add_union(*c.items);
        return;
      case Layout::kDict:
        node(c.length, 0);
        none();
        buffer(c.values.data(), c.values.size());
        node(c.keys->length(), 0);  // the struct of keys and values
        none();
        add_union(*c.keys);
        add_union(*c.vals);
        return;
    }
  }
};

// What every structure of one shape renders alike: the framed schema message and the
// record batch's metadata, whose numbers write() puts in place.
struct ShapeMessages {
  std::vector<std::uint8_t> schema;
  ipc::RecordBatchMetadataTemplate batch;
};

// Shape messages by shape, for every encoder of the process.
Result<std::shared_ptr<const ShapeMessages>> cached_shape_messages(const std::string& key, const SequenceEncoder& top,
                                                                   const BatchLayout& layout, FormatMark mark) {
  static auto* cache = new BoundedCache<ShapeMessages>(/*max_entries=*/1024, /*max_key_bytes=*/4096);  // until exit
  if (auto hit = cache->find(key)) return hit;
  auto entry = std::make_shared<ShapeMessages>();
  ARROWPACK_ASSIGN_OR_RAISE(entry->schema, schema_message(top, mark));
  ARROWPACK_ASSIGN_OR_RAISE(entry->batch, ipc::RecordBatchMetadataTemplate::make(top.length(), layout.nodes,
                                                                                 layout.buffers, layout.body_length));
  std::shared_ptr<const ShapeMessages> shared = std::move(entry);
  cache->add(key, shared);
  return shared;
}

// render()'s per-thread scratch, reached once per call: in a shared library each access to
// a thread_local is a call to __tls_get_addr, and the profile of one small dict showed about
// a hundred of them per object when the layout's members reached it directly.
struct RenderScratch {
  std::string key;
  BatchLayout layout;
};
[[gnu::noinline]] RenderScratch& render_scratch() {
  thread_local RenderScratch scratch;
  return scratch;
}

}  // namespace

Status render(const SequenceEncoder& top, Encoded& out, MemoryPool* pool, FormatMark mark) {
  RenderScratch& scratch = render_scratch();
  std::string& key = scratch.key;
  BatchLayout& layout = scratch.layout;
  key.clear();
  key.push_back(mark == FormatMark::kPyarrow ? 'p' : 'v');  // one schema message per mark
  shape_key(top, &key);
  layout.clear();
  layout.add_union(top);
  ARROWPACK_ASSIGN_OR_RAISE(auto shape, cached_shape_messages(key, top, layout, mark));
  // The key fixes the counts of nodes and buffers, and a structure holds one top-level value
  // (so neither its rows nor its body are zero): every structure of a shape fits its template.
  const std::int64_t num_rows = top.length();
  if (!shape->batch.fits(num_rows, layout.nodes.size(), layout.buffers.size(), layout.body_length)) [[unlikely]] {
    return Status::Invalid("render: a structure of ", num_rows, " top-level values and ", layout.body_length,
                           " body bytes does not fit the batch message of its shape");
  }
  const std::int64_t meta_bytes = shape->batch.size();
  const auto schema_bytes = static_cast<std::int64_t>(shape->schema.size());
  ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t framed_meta, ipc::framed_message_size(meta_bytes));
  const std::int64_t stream = schema_bytes + framed_meta + layout.body_length + ipc::kEndOfStreamBytes;
  const std::int64_t total = util::round_up(16 + stream, 64);
  ARROWPACK_ASSIGN_OR_RAISE(auto buffer, allocate_buffer(total, pool));
  std::uint8_t* p = buffer->mutable_data();
  const std::int32_t counts[4] = {
      static_cast<std::int32_t>(out.tensors.size()), static_cast<std::int32_t>(out.sparse_tensors.size()),
      static_cast<std::int32_t>(out.ndarrays.size()), static_cast<std::int32_t>(out.buffers.size())};
  std::memcpy(p, counts, 16);
  p += 16;
  std::memcpy(p, shape->schema.data(), shape->schema.size());
  p += schema_bytes;
  // The template's bytes are padded to 8: the framing is its prefix and the bytes.
  p = ipc::frame_prefix(meta_bytes, p);
  shape->batch.write(num_rows, layout.nodes, layout.buffers, layout.body_length, p);
  p += meta_bytes;
  for (std::size_t i = 0; i < layout.buffers.size(); ++i) {
    const std::int64_t size = layout.buffers[i].length, padded = util::round_up(size, 8);
    if (size > 0) std::memcpy(p, layout.sources[i], static_cast<std::size_t>(size));
    if (padded > size) std::memset(p + size, 0, static_cast<std::size_t>(padded - size));
    p += padded;
  }
  p = ipc::end_of_stream_marker(p);
  std::memset(p, 0, static_cast<std::size_t>(buffer->mutable_data() + total - p));
  out.rendered = std::shared_ptr<Buffer>(std::move(buffer));
  out.stream_size = stream;
  return Status::OK();
}

Result<Encoded> encode(const Value& value, const SerializationContext& context, const ReadLimits& limits,
                       MemoryPool* pool) {
  ArenaLease lease;
  Encoder enc(context, limits);
  ARROWPACK_ASSIGN_OR_RAISE(SequenceEncoder * top, SequenceEncoder::make(lease.arena()));
  ARROWPACK_RETURN_NOT_OK(top->append(value, 0, enc));
  ARROWPACK_RETURN_NOT_OK(render(*top, enc.out(), pool));
  return std::move(enc.out());
}

}  // namespace arrowpack::registry_internal

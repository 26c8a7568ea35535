// Decoding a serialized object's structure (its checked views, structure_view.h) back into
// Values, and the ObjectReader cursors that read it element by element.
#include <algorithm>
#include <cstring>

#include "arrowpack/core/half_float.h"
#include "arrowpack/registry/object_reader.h"
#include "structure_internal.h"
#include "structure_view.h"

namespace arrowpack::registry_internal {

class Decoder {
 public:
  Decoder(const SerializedObject& object, const SerializationContext& context, const DeserializeOptions& options)
      : object_(object), context_(context), options_(options) {}

  Status count(int depth) {
    if (depth > options_.limits.max_depth) [[unlikely]] {
      return Status::CapacityError(
          "serialized value nests deeper than ReadLimits::max_depth = ", options_.limits.max_depth, " levels");
    }
    if (++elements_ > options_.limits.max_elements) [[unlikely]] {
      return Status::CapacityError(
          "serialized value has more than ReadLimits::max_elements = ", options_.limits.max_elements, " elements");
    }
    return Status::OK();
  }

  Status count_many(int depth, std::int64_t n) {
    if (depth > options_.limits.max_depth) return count(depth);
    if (n > options_.limits.max_elements - elements_) {
      return Status::CapacityError(
          "serialized value has more than ReadLimits::max_elements = ", options_.limits.max_elements, " elements");
    }
    elements_ += n;
    return Status::OK();
  }

  // Element i of union `u` (checked when the structure was parsed: declared code, offset in
  // its child, ranges of lists inside their children).
  Result<Value> value_at(const UnionView& u, std::int64_t i, int depth) {
    ARROWPACK_RETURN_NOT_OK(count(depth));
    const ChildView& c = u.child_of(i);
    const std::int64_t j = u.offset(i);
    if (c.is_null(j)) return Value();
    switch (c.tag) {
      case kBool: return Value(c.bit(j));
      case kInt:
      case kPy2Int: return Value(c.value<std::int64_t>(j));
      case kBytes: return Value::bytes(std::string(c.text(j)));
      case kString: return Value(std::string(c.text(j)));
      case kHalf: return Value::half(c.value<std::uint16_t>(j));
      case kFloat: return Value(c.value<float>(j));
      case kDouble: return Value(c.value<double>(j));
      case kDate64: return Value::date64_micros(c.value<std::int64_t>(j));
      case kList:
      case kTuple:
      case kSet: {
        ARROWPACK_ASSIGN_OR_RAISE(auto items, sequence(*c.items, c.offset(j), c.offset(j + 1), depth));
        if (c.tag == kList) return Value::list(std::move(items));
        if (c.tag == kTuple) return Value::tuple(std::move(items));
        for (const auto& item : items) {
          if (!item.is_hashable()) return Status::SerializationError("set element of kind ", item.kind_name());
        }
        return Value::set(std::move(items));
      }
      case kDict: return dict(*c.keys, *c.vals, c.offset(j), c.offset(j + 1), depth);
      case kTensor:
        return out_of_band(object_.tensors(), c.value<std::int32_t>(j), "tensor",
                           [](const TensorPtr& t) { return Value(t); });
      case kNdarray:
        return out_of_band(object_.ndarrays(), c.value<std::int32_t>(j), "ndarray",
                           [](const TensorPtr& t) { return Value::ndarray(t); });
      case kBuffer:
        return out_of_band(object_.buffers(), c.value<std::int32_t>(j), "buffer",
                           [](const std::shared_ptr<Buffer>& b) { return Value(b); });
      case kSparseCoo:
      case kSparseCsr:
      case kSparseCsc:
      case kSparseCsf: {
        ARROWPACK_ASSIGN_OR_RAISE(auto t, sparse_at(object_, c.value<std::int32_t>(j), c.tag));
        return Value(std::move(t));
      }
      default: return Status::SerializationError("union child tag ", int{c.tag}, " is not one of the format's");
    }
  }

  template <typename T, typename Wrap>
  Result<Value> out_of_band(const std::vector<T>& items, std::int32_t index, const char* what, Wrap wrap) {
    if (index < 0 || static_cast<std::size_t>(index) >= items.size()) {
      return Status::SerializationError(what, " index ", index, " out of range: the object carries ", items.size(), " ",
                                        what, "s");
    }
    return wrap(items[static_cast<std::size_t>(index)]);
  }

  Result<std::vector<Value>> sequence(const UnionView& u, std::int64_t start, std::int64_t stop, int depth) {
    std::vector<Value> out;
    out.reserve(static_cast<std::size_t>(std::min<std::int64_t>(stop - start, 1 << 16)));
    for (std::int64_t i = start; i < stop; ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, value_at(u, i, depth + 1));
      out.push_back(std::move(v));
    }
    return out;
  }

  Result<Value> dict(const UnionView& keys, const UnionView& vals, std::int64_t start, std::int64_t stop, int depth) {
    auto d = std::make_shared<Dict>();
    for (std::int64_t i = start; i < stop; ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(Value k, value_at(keys, i, depth + 1));
      ARROWPACK_ASSIGN_OR_RAISE(Value v, value_at(vals, i, depth + 1));
      Status st = d->set(std::move(k), std::move(v));
      if (!st.ok()) return Status::SerializationError("dict entry ", i - start, ": ", st.message());
    }
    const Value* type = d->find("_pytype_");
    if (!type) return Value(std::move(d));
    const std::string* name = type->as<std::string>();
    if (!name) return Status::SerializationError("'_pytype_' of a serialized object is not a string");
    return object(*name, Value(d));
  }

  // A dict that names a registered type: run its deserializer, or keep it opaque.
  Result<Value> object(const std::string& name, const Value& fields) {
    const Dict& d = *fields.as<Dict>();
    if (d.find("pickle") != nullptr) {
      if (!options_.allow_unknown_types) {
        return Status::SerializationError("object of type '", name,
                                          "' was pickled by Python; arrowpack does not read pickles");
      }
    } else if (context_.has_type(name)) {
      // The custom-serializer form is exactly {"data": ..., "_pytype_": name}; anything else
      // is pyarrow's __dict__ form (the object's attributes, one of which may be "data").
      const Value* data = d.find("data");
      if (data && d.size() == 2) return context_.deserialize_registered(name, *data);
      // pyarrow's default (no custom serializer) form: the object's fields beside '_pytype_'.
      auto rest = std::make_shared<Dict>();
      for (const auto& e : d.entries()) {
        if (const auto* k = e.key.as<std::string>(); !(k && *k == "_pytype_")) (void)rest->set(e.key, e.value);
      }
      return context_.deserialize_registered(name, Value(std::move(rest)));
    } else if (!options_.allow_unknown_types) {
      return Status::KeyError("type '", name, "' is not registered in this context (no code was run for it)");
    }
    auto o = std::make_shared<Object>();
    o->type_name = name;
    o->fields = std::make_shared<const Value>(fields);
    return Value(std::move(o));
  }

 private:
  const SerializedObject& object_;
  const SerializationContext& context_;
  const DeserializeOptions& options_;
  std::int64_t elements_ = 0;
};

Result<SparseTensorPtr> sparse_at(const SerializedObject& object, std::int32_t index, std::int8_t tag) {
  const auto& items = object.sparse_tensors();
  if (index < 0 || static_cast<std::size_t>(index) >= items.size()) {
    return Status::SerializationError("sparse tensor index ", index, " out of range: the object carries ", items.size(),
                                      " sparse tensors");
  }
  const SparseTensorPtr& t = items[static_cast<std::size_t>(index)];
  if (sparse_tag(t->format()) != tag) {
    return Status::SerializationError("union child '", int{tag}, "' refers to sparse tensor ", index, ", which is ",
                                      sparse_format_name(t->format()));
  }
  return t;
}

ipc::IpcReadOptions structure_read_options(const DeserializeOptions& options) {
  ipc::IpcReadOptions ipc;
  ipc.limits = options.limits;
  ipc.limits.max_depth = 3 * options.limits.max_depth + 8;
  ipc.validation = options.validation;
  ipc.pool = options.pool;
  return ipc;
}

Result<const Structure*> check_before_decoding(const SerializedObject& object, const DeserializeOptions& options) {
  return SerializedObjectAccess::structure(object, options);
}

Result<Value> decode(const SerializedObject& object, const SerializationContext& context,
                     const DeserializeOptions& options) {
  ARROWPACK_ASSIGN_OR_RAISE(const Structure* structure, check_before_decoding(object, options));
  Decoder decoder(object, context, options);
  return decoder.value_at(structure->root(), 0, 0);
}

}  // namespace arrowpack::registry_internal

// ---- ObjectReader

namespace arrowpack {

namespace tags = registry_internal;

struct ObjectReader::Impl {
  Impl(SerializedObject o, const registry_internal::Structure* s, const SerializationContext& ctx,
       DeserializeOptions opts)
      : object(std::move(o)),
        structure(s),
        options(std::move(opts)),
        budget(options.limits, SerializedObjectAccess::input_bytes(object)),
        decoder(object, ctx, options) {}
  SerializedObject object;
  const registry_internal::Structure* structure;  // owned by `object`
  DeserializeOptions options;
  // What typed readers materialise (Cursor::charge), against the object's input.
  mutable ReadBudget budget;
  // Counts what cursors read against the limits (hence mutable).
  mutable registry_internal::Decoder decoder;
};

using registry_internal::ChildView;
using registry_internal::UnionView;

// Builds cursors: the element at slot i of union `u`.
struct CursorAccess {
  static Result<ObjectReader::Cursor> make(const ObjectReader::Impl* reader, const UnionView* u, std::int64_t i,
                                           int depth) {
    ARROWPACK_RETURN_NOT_OK(reader->decoder.count(depth));
    ObjectReader::Cursor c;
    fill(reader, u, i, depth, c);
    return c;
  }
  // Points `c` at slot i of `u` (counted by the caller).
  static void fill(const ObjectReader::Impl* reader, const UnionView* u, std::int64_t i, int depth,
                   ObjectReader::Cursor& c) {
    c.reader_ = reader;
    c.union_ = u;
    c.index_ = i;
    c.depth_ = depth;
    // Parsing checked every slot: declared codes, offsets inside the child.
    c.child_ = &u->child_of(i);
    c.at_ = u->offset(i);
    c.tag_ = c.child_->is_null(c.at_) ? std::int8_t{tags::kNone} : c.child_->tag;
    c.kind_ = tags::tag_info(c.tag_).kind;
  }

  // Every element of list-like cursor `c` into `out`: numbers as doubles, or integers.
  template <typename T>
  static Status all_elements(const ObjectReader::Cursor& c, std::span<T> out);

  // [first, last) of list `at` of a list-like child (checked when the structure was parsed).
  static void range(const ChildView& lists, std::int64_t at, std::int64_t* first, std::int64_t* last) {
    *first = lists.offset(at);
    *last = lists.offset(at + 1);
  }
};

namespace {
Status wrong_kind(const char* wanted, Value::Kind kind);
}  // namespace

template <typename T>
Status CursorAccess::all_elements(const ObjectReader::Cursor& c, std::span<T> out) {
  constexpr bool kNumbers = std::is_same_v<T, double>;
  if (c.kind_ != Value::Kind::kList && c.kind_ != Value::Kind::kTuple && c.kind_ != Value::Kind::kSet) {
    return wrong_kind("a list, tuple or set", c.kind_);
  }
  std::int64_t first, last;
  range(*c.child_, c.at_, &first, &last);
  const auto n = static_cast<std::int64_t>(out.size());
  if (last - first != n) return Status::Invalid("room for ", n, " elements, the container holds ", last - first);
  const UnionView& u = *c.child_->items;
  auto& decoder = c.reader_->decoder;
  for (std::int64_t i = 0; i < n; ++i) {
    // Parsing checked every slot: declared codes, offsets inside the child.
    const ChildView& d = u.child_of(first + i);
    const std::int8_t tag = d.tag;
    const std::int32_t at = u.offset(first + i);
    const bool null = d.is_null(at);
    if (!null && (tag == tags::kInt || tag == tags::kPy2Int)) {
      out[i] = static_cast<T>(d.value<std::int64_t>(at));
      continue;
    }
    if constexpr (kNumbers) {
      if (!null && tag == tags::kDouble) {
        out[i] = d.value<double>(at);
        continue;
      }
      if (!null && tag == tags::kFloat) {
        out[i] = d.value<float>(at);
        continue;
      }
      if (!null && tag == tags::kHalf) {
        out[i] = half_to_double(d.value<std::uint16_t>(at));
        continue;
      }
    }
    const Value::Kind kind = null ? Value::Kind::kNone : tags::tag_info(tag).kind;
    return wrong_kind(kNumbers ? "a number" : "an integer", kind).with_context("element " + std::to_string(i));
  }
  // Counted once read (the loop is bounded by the data): a failed bulk read that the caller
  // retries element by element does not count twice.
  return decoder.count_many(c.depth_ + 1, n);
}

ObjectReader::~ObjectReader() = default;

struct ObjectReader::Block {
  Block(SerializedObject o, const registry_internal::Structure* s, const SerializationContext& ctx,
        const DeserializeOptions& opts)
      : impl(std::move(o), s, ctx, opts), reader(&impl) {}
  Impl impl;
  ObjectReader reader;
};

Result<std::shared_ptr<ObjectReader>> ObjectReader::open(SerializedObject object, const SerializationContext& context,
                                                         const DeserializeOptions& options) {
  return catch_exceptions("opening a serialized object", [&]() -> Result<std::shared_ptr<ObjectReader>> {
    ARROWPACK_ASSIGN_OR_RAISE(const registry_internal::Structure* structure,
                              registry_internal::check_before_decoding(object, options));
    auto block = std::make_shared<Block>(std::move(object), structure, context, options);
    return std::shared_ptr<ObjectReader>(block, &block->reader);
  });
}

Result<ObjectReader::Cursor> ObjectReader::root() const {
  return CursorAccess::make(impl_, &impl_->structure->root(), 0, 0);
}

namespace {
std::string_view kind_label(Value::Kind kind) { return Value::kind_name(kind); }
Status wrong_kind(const char* wanted, Value::Kind kind) {
  return Status::TypeError("expected ", wanted, ", got ", kind_label(kind));
}
}  // namespace

std::optional<ObjectReader::Cursor> ObjectReader::Cursor::find(std::string_view key) const {
  if (kind_ != Value::Kind::kDict) return std::nullopt;
  auto n = size();
  if (!n.ok()) return std::nullopt;
  for (std::int64_t i = 0; i < *n; ++i) {
    auto k = this->key(i);
    if (!k.ok() || k->kind() != Value::Kind::kString) continue;
    auto s = k->string();
    if (s.ok() && *s == key) {
      auto v = value_of(i);
      if (v.ok()) return *v;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> ObjectReader::Cursor::registered_type() const {
  auto type = find("_pytype_");
  if (!type || type->kind() != Value::Kind::kString) return std::nullopt;
  auto name = type->string();
  if (!name.ok()) return std::nullopt;
  return *name;
}

bool ObjectReader::Cursor::is_pickle() const { return registered_type() && find("pickle").has_value(); }

std::string ObjectReader::Cursor::describe() const {
  if (auto type = registered_type()) {
    return std::string(is_pickle() ? "a Python pickle (never unpickled) of registered type '"
                                   : "an object of registered type '") +
           std::string(*type) + "'";
  }
  return std::string(kind_label(kind_));
}

Status ObjectReader::Cursor::wrong_kind(const char* wanted) const {
  if (kind_ != Value::Kind::kDict) return arrowpack::wrong_kind(wanted, kind_);
  return Status::TypeError("expected ", wanted, ", got ", describe());
}

Result<ObjectReader::Cursor> ObjectReader::Cursor::registered_data(std::string_view name) const {
  auto type = registered_type();
  if (!type || *type != name || is_pickle()) {
    return Status::TypeError("expected an object of registered type '", name, "', got ", describe());
  }
  auto data = find("data");
  if (!data) return Status::TypeError("the object of registered type '", name, "' has no 'data' entry");
  return *data;
}

Result<bool> ObjectReader::Cursor::boolean() const {
  if (kind_ != Value::Kind::kBool) return wrong_kind("a bool");
  return child_->bit(at_);
}

Result<std::int64_t> ObjectReader::Cursor::integer() const {
  if (kind_ != Value::Kind::kInt) return wrong_kind("an integer");
  return child_->value<std::int64_t>(at_);
}

Result<double> ObjectReader::Cursor::float64() const {
  switch (kind_) {
    case Value::Kind::kDouble: return child_->value<double>(at_);
    case Value::Kind::kFloat: return static_cast<double>(child_->value<float>(at_));
    case Value::Kind::kHalf: return half_to_double(child_->value<std::uint16_t>(at_));
    case Value::Kind::kInt: return static_cast<double>(child_->value<std::int64_t>(at_));
    default: return wrong_kind("a number");
  }
}

Result<float> ObjectReader::Cursor::float32() const {
  if (kind_ == Value::Kind::kFloat) return child_->value<float>(at_);
  ARROWPACK_ASSIGN_OR_RAISE(double d, float64());
  return static_cast<float>(d);
}

Result<std::string_view> ObjectReader::Cursor::string() const {
  if (kind_ != Value::Kind::kString) return wrong_kind("a string");
  return child_->text(at_);
}

Result<std::string_view> ObjectReader::Cursor::bytes() const {
  if (kind_ != Value::Kind::kBytes) return wrong_kind("bytes");
  return child_->text(at_);
}

Result<TensorPtr> ObjectReader::Cursor::tensor() const {
  if (kind_ != Value::Kind::kTensor && kind_ != Value::Kind::kNdarray) return wrong_kind("a tensor");
  const auto& list = kind_ == Value::Kind::kTensor ? reader_->object.tensors() : reader_->object.ndarrays();
  const std::int32_t i = child_->value<std::int32_t>(at_);
  if (i < 0 || static_cast<std::size_t>(i) >= list.size()) {
    return Status::SerializationError("tensor index ", i, " out of range: the object carries ", list.size());
  }
  return list[i];
}

Result<SparseTensorPtr> ObjectReader::Cursor::sparse_tensor() const {
  if (kind_ != Value::Kind::kSparseTensor) return wrong_kind("a sparse tensor");
  return registry_internal::sparse_at(reader_->object, child_->value<std::int32_t>(at_), tag_);
}

Result<std::shared_ptr<Buffer>> ObjectReader::Cursor::buffer() const {
  if (kind_ != Value::Kind::kBuffer) return wrong_kind("a buffer");
  const auto& list = reader_->object.buffers();
  const std::int32_t i = child_->value<std::int32_t>(at_);
  if (i < 0 || static_cast<std::size_t>(i) >= list.size()) {
    return Status::SerializationError("buffer index ", i, " out of range: the object carries ", list.size());
  }
  return list[i];
}

Result<std::int64_t> ObjectReader::Cursor::size() const {
  switch (kind_) {
    case Value::Kind::kList:
    case Value::Kind::kTuple:
    case Value::Kind::kSet:
    case Value::Kind::kDict: {
      std::int64_t first, last;
      CursorAccess::range(*child_, at_, &first, &last);
      return last - first;
    }
    default: return wrong_kind("a container");
  }
}

Result<ObjectReader::Cursor> ObjectReader::Cursor::element(std::int64_t i) const {
  if (kind_ != Value::Kind::kList && kind_ != Value::Kind::kTuple && kind_ != Value::Kind::kSet) {
    return wrong_kind("a list, tuple or set");
  }
  std::int64_t first, last;
  CursorAccess::range(*child_, at_, &first, &last);
  if (i < 0 || i >= last - first) return Status::IndexError("element ", i, " out of range");
  return CursorAccess::make(reader_, child_->items, first + i, depth_ + 1);
}

Status ObjectReader::Cursor::elements(std::int64_t first, std::span<Cursor> out) const {
  if (kind_ != Value::Kind::kList && kind_ != Value::Kind::kTuple && kind_ != Value::Kind::kSet) {
    return wrong_kind("a list, tuple or set");
  }
  std::int64_t begin, end;
  CursorAccess::range(*child_, at_, &begin, &end);
  const auto n = static_cast<std::int64_t>(out.size());
  if (first < 0 || first > end - begin || n > end - begin - first) {
    return Status::IndexError(n, " elements from element ", first, " out of range: the container holds ", end - begin);
  }
  ARROWPACK_RETURN_NOT_OK(reader_->decoder.count_many(depth_ + 1, n));
  for (std::int64_t i = 0; i < n; ++i) {
    CursorAccess::fill(reader_, child_->items, begin + first + i, depth_ + 1, out[static_cast<std::size_t>(i)]);
  }
  return Status::OK();
}

Result<ObjectReader::Cursor> ObjectReader::Cursor::entry(std::int64_t i, int side) const {
  if (kind_ != Value::Kind::kDict) return wrong_kind("a dict");
  std::int64_t first, last;
  CursorAccess::range(*child_, at_, &first, &last);
  if (i < 0 || i >= last - first) return Status::IndexError("entry ", i, " out of range");
  return CursorAccess::make(reader_, side == 0 ? child_->keys : child_->vals, first + i, depth_ + 1);
}

Status ObjectReader::Cursor::entries(std::int64_t first, std::span<Cursor> keys, std::span<Cursor> values) const {
  if (keys.size() != values.size()) {
    return Status::Invalid("room for ", keys.size(), " keys and ", values.size(), " values");
  }
  if (kind_ != Value::Kind::kDict) return wrong_kind("a dict");
  std::int64_t begin, end;
  CursorAccess::range(*child_, at_, &begin, &end);
  const auto n = static_cast<std::int64_t>(keys.size());
  if (first < 0 || first > end - begin || n > end - begin - first) {
    return Status::IndexError(n, " entries from entry ", first, " out of range: the dict holds ", end - begin);
  }
  ARROWPACK_RETURN_NOT_OK(reader_->decoder.count_many(depth_ + 1, 2 * n));
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    CursorAccess::fill(reader_, child_->keys, begin + first + i, depth_ + 1, keys[k]);
    CursorAccess::fill(reader_, child_->vals, begin + first + i, depth_ + 1, values[k]);
  }
  return Status::OK();
}

Result<ObjectReader::Cursor> ObjectReader::Cursor::key(std::int64_t i) const { return entry(i, 0); }
Result<ObjectReader::Cursor> ObjectReader::Cursor::value_of(std::int64_t i) const { return entry(i, 1); }

Status ObjectReader::Cursor::float64s(std::span<double> out) const { return CursorAccess::all_elements(*this, out); }
Status ObjectReader::Cursor::integers(std::span<std::int64_t> out) const {
  return CursorAccess::all_elements(*this, out);
}

Status ObjectReader::Cursor::charge(std::int64_t bytes) const {
  if (reader_ == nullptr) return Status::OK();  // a default cursor: None, which reads nothing
  return reader_->budget.charge(bytes, "a typed read of the serialized object");
}

const ReadLimits& ObjectReader::Cursor::limits() const {
  static const ReadLimits kDefaults;
  return reader_ == nullptr ? kDefaults : reader_->options.limits;
}

// Cursor::walk: the columns read as value_at() reads them (parsing checked every slot,
// offset and list range), with the limits counted as elements()/entries() count them.
struct ObjectReader::Cursor::Walker {
  const ObjectReader::Impl* reader;
  ObjectVisitor& visitor;

  // Slot i of `u`. Scalars are handed over here, inline in the loops of container() (a call
  // per element was a fifth of the walk); containers and out-of-band items go out of line.
  [[gnu::always_inline]] Status slot(const UnionView& u, std::int64_t i, int depth) {
    const ChildView& c = u.child_of(i);
    const std::int64_t j = u.offset(i);
    if (c.is_null(j)) return visitor.on_none();
    switch (c.tag) {
      case tags::kBool: return visitor.on_bool(c.bit(j));
      case tags::kInt:
      case tags::kPy2Int: return visitor.on_int(c.value<std::int64_t>(j));
      case tags::kDouble: return visitor.on_float(c.value<double>(j), Value::Kind::kDouble);
      case tags::kFloat: return visitor.on_float(c.value<float>(j), Value::Kind::kFloat);
      case tags::kHalf: return visitor.on_float(half_to_double(c.value<std::uint16_t>(j)), Value::Kind::kHalf);
      case tags::kDate64: return visitor.on_date64(c.value<std::int64_t>(j));
      case tags::kString: return visitor.on_text(c.text(j), Value::Kind::kString);
      case tags::kBytes: return visitor.on_text(c.text(j), Value::Kind::kBytes);
      case tags::kList:
      case tags::kTuple:
      case tags::kSet:
      case tags::kDict: return container(c, j, depth);
      default: return item(u, i, depth);
    }
  }

  // List j of child `c` (a list, tuple, set or dict) and everything inside it.
  [[gnu::noinline]] Status container(const ChildView& c, std::int64_t j, int depth) {
    const std::int64_t first = c.offset(j), last = c.offset(j + 1);
    if (c.tag == tags::kDict) {
      ARROWPACK_RETURN_NOT_OK(reader->decoder.count_many(depth + 1, 2 * (last - first)));
      ARROWPACK_RETURN_NOT_OK(visitor.on_begin(Value::Kind::kDict, last - first));
      for (std::int64_t k = first; k < last; ++k) {
        ARROWPACK_RETURN_NOT_OK(slot(*c.keys, k, depth + 1));
        ARROWPACK_RETURN_NOT_OK(slot(*c.vals, k, depth + 1));
      }
      return visitor.on_end();
    }
    ARROWPACK_RETURN_NOT_OK(reader->decoder.count_many(depth + 1, last - first));
    ARROWPACK_RETURN_NOT_OK(visitor.on_begin(tags::tag_info(c.tag).kind, last - first));
    for (std::int64_t k = first; k < last; ++k) ARROWPACK_RETURN_NOT_OK(slot(*c.items, k, depth + 1));
    return visitor.on_end();
  }

  // Tensors, ndarrays, buffers, sparse tensors: read through a cursor.
  [[gnu::noinline]] Status item(const UnionView& u, std::int64_t i, int depth) {
    ObjectReader::Cursor c;
    CursorAccess::fill(reader, &u, i, depth, c);
    return visitor.on_item(c);
  }
};

Status ObjectReader::Cursor::walk(ObjectVisitor& visitor) const {
  if (reader_ == nullptr) return visitor.on_none();
  return Walker{reader_, visitor}.slot(*union_, index_, depth_);
}

Result<Value> ObjectReader::Cursor::value() const {
  if (reader_ == nullptr) return Value();
  return catch_exceptions("deserializing an object",
                          [&]() -> Result<Value> { return reader_->decoder.value_at(*union_, index_, depth_); });
}

}  // namespace arrowpack

// The structure of a serialized Value: one dense union per sequence, whose children are
// created on first use and named by the decimal string of their tag (pyarrow >= 0.15).
#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "arrowpack/core/array.h"
#include "arrowpack/core/half_float.h"
#include "arrowpack/registry/object_reader.h"
#include "arrowpack/registry/object_writer.h"
#include "structure_internal.h"

namespace arrowpack::registry_internal {
namespace {

// ---- decoding

class Decoder {
 public:
  Decoder(const SerializedObject& object, const SerializationContext& context, const DeserializeOptions& options)
      : object_(object), context_(context), options_(options) {}

  Result<const std::vector<std::int8_t>*> tags_of(const ArrayData* u) {
    for (const auto& [k, t] : recent_) {
      if (k == u) return t;
    }
    // A miss: the checks below take an Array; the caller keeps `u` alive.
    return tags_of(Array(std::shared_ptr<const ArrayData>(u, [](const ArrayData*) {})));
  }

  // Tags of a union's children, from their names, checked against their types.
  Result<const std::vector<std::int8_t>*> tags_of(const Array& u) {
    // Readers alternate between a few unions (a record's fields, a list's items): a small
    // cache in front of the map keeps lookups off the hash table.
    const ArrayData* key = u.data().get();
    for (const auto& [k, t] : recent_) {
      if (k == key) return t;
    }
    auto it = tags_.find(key);
    if (it != tags_.end()) {
      remember(key, &it->second);
      return &it->second;
    }
    if (u.type_id() != TypeId::kDenseUnion) {
      return Status::SerializationError("expected a dense union, got ", u.type()->to_string());
    }
    std::vector<std::int8_t> tags;
    const DataType& t = *u.type();
    for (int j = 0; j < t.num_fields(); ++j) {
      const std::string& name = t.field(j)->name();
      int tag = -1;
      auto r = std::from_chars(name.data(), name.data() + name.size(), tag);
      if (r.ec != std::errc() || r.ptr != name.data() + name.size() || tag < 0 || tag >= kNumTags) {
        return Status::SerializationError("union child '", name, "' is not a known type code");
      }
      ARROWPACK_RETURN_NOT_OK(check_child_type(static_cast<std::int8_t>(tag), *t.field(j)->type()));
      tags.push_back(static_cast<std::int8_t>(tag));
    }
    // Every child element must be used exactly once, in slot order (as pyarrow >= 0.15 and
    // arrowpack write): aliased slots would let a small blob decode into an unbounded graph.
    std::vector<std::int64_t> next(static_cast<std::size_t>(t.num_fields()), 0);
    std::vector<std::int64_t> child_length;
    for (int j = 0; j < t.num_fields(); ++j) child_length.push_back(u.data()->children[j]->length);
    for (std::int64_t i = 0; i < u.length(); ++i) {
      const int child = u.child_id(i);
      if (child < 0) return Status::SerializationError("union slot ", i, " has an undeclared type code");
      const std::int64_t offset = u.union_value_offset(i);
      if (offset != next[child]++ || offset >= child_length[child]) {
        return Status::SerializationError("union slot ", i, " points at element ", offset, " of child '",
                                          t.field(child)->name(), "'; elements must be used once, in order");
      }
    }
    const std::vector<std::int8_t>* stored = &(tags_[key] = std::move(tags));
    remember(key, stored);
    return stored;
  }

  void remember(const ArrayData* key, const std::vector<std::int8_t>* tags) {
    recent_[next_recent_] = {key, tags};
    next_recent_ = (next_recent_ + 1) % recent_.size();
  }

  Status check_child_type(std::int8_t tag, const DataType& t) {
    auto expect = [&](bool ok, const char* what) -> Status {
      if (ok) return Status::OK();
      return Status::SerializationError("union child '", int{tag}, "' has type ", t.to_string(), ", expected ", what);
    };
    switch (tag) {
      case kNone: return expect(t.id() == TypeId::kNull, "null");
      case kBool: return expect(t.id() == TypeId::kBool, "bool");
      case kInt:
      case kPy2Int: return expect(t.id() == TypeId::kInt64, "int64");
      case kBytes: return expect(t.id() == TypeId::kBinary, "binary");
      case kString: return expect(t.id() == TypeId::kString, "string");
      case kHalf: return expect(t.id() == TypeId::kHalfFloat, "halffloat");
      case kFloat: return expect(t.id() == TypeId::kFloat, "float");
      case kDouble: return expect(t.id() == TypeId::kDouble, "double");
      case kDate64: return expect(t.id() == TypeId::kDate64, "date64");
      case kList:
      case kTuple:
      case kSet:
        return expect(t.id() == TypeId::kList && t.value_type()->id() == TypeId::kDenseUnion, "list<dense_union>");
      case kDict: {
        const bool ok = t.id() == TypeId::kList && t.value_type()->id() == TypeId::kStruct &&
                        t.value_type()->num_fields() == 2 &&
                        t.value_type()->field(0)->type()->id() == TypeId::kDenseUnion &&
                        t.value_type()->field(1)->type()->id() == TypeId::kDenseUnion;
        return expect(ok, "list<struct<keys: dense_union, vals: dense_union>>");
      }
      case kTensor:
      case kNdarray:
      case kBuffer:
      case kSparseCoo:
      case kSparseCsr:
      case kSparseCsc:
      case kSparseCsf: return expect(t.id() == TypeId::kInt32, "int32");
      default: return Status::SerializationError("union child tag ", int{tag}, " is not one of the format's");
    }
  }

  Status count(int depth) {
    if (depth > options_.limits.max_depth) {
      return Status::CapacityError(
          "serialized value nests deeper than ReadLimits::max_depth = ", options_.limits.max_depth, " levels");
    }
    if (++elements_ > options_.limits.max_elements) {
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

  // Element i of union `u`.
  Result<Value> value_at(const Array& u, std::int64_t i, int depth) {
    ARROWPACK_RETURN_NOT_OK(count(depth));
    ARROWPACK_ASSIGN_OR_RAISE(const std::vector<std::int8_t>* tags, tags_of(u));
    const int child = u.child_id(i);  // validated: declared code
    const std::int8_t tag = (*tags)[child];
    const Array c = u.child(child);
    const std::int64_t j = u.union_value_offset(i);
    if (tag == kNone || c.is_null(j)) return Value();
    switch (tag) {
      case kBool: return Value(c.bool_value(j));
      case kInt:
      case kPy2Int: return Value(c.value<std::int64_t>(j));
      case kBytes: return Value::bytes(std::string(c.string_view(j)));
      case kString: return Value(std::string(c.string_view(j)));
      case kHalf: return Value::half(c.value<std::uint16_t>(j));
      case kFloat: return Value(c.value<float>(j));
      case kDouble: return Value(c.value<double>(j));
      case kDate64: return Value::date64_micros(c.value<std::int64_t>(j));
      case kList:
      case kTuple:
      case kSet: {
        ARROWPACK_RETURN_NOT_OK(check_range(c, j, c.values().length()));
        ARROWPACK_ASSIGN_OR_RAISE(auto items, sequence(c.values(), c.value_offset(j), c.value_offset(j + 1), depth));
        if (tag == kList) return Value::list(std::move(items));
        if (tag == kTuple) return Value::tuple(std::move(items));
        for (const auto& item : items) {
          if (!item.is_hashable()) return Status::SerializationError("set element of kind ", item.kind_name());
        }
        return Value::set(std::move(items));
      }
      case kDict:
        ARROWPACK_RETURN_NOT_OK(check_range(c, j, c.values().length()));
        return dict(c.values(), c.value_offset(j), c.value_offset(j + 1), depth);
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
        ARROWPACK_ASSIGN_OR_RAISE(auto t, sparse_at(object_, c.value<std::int32_t>(j), tag));
        return Value(std::move(t));
      }
      default: return Status::SerializationError("union child tag ", int{tag}, " is not one of the format's");
    }
  }

  // List j of `lists` must cover a range inside its child (checked even when the caller
  // turned full validation off).
  static Status check_range(const Array& lists, std::int64_t j, std::int64_t child_length) {
    const std::int64_t a = lists.value_offset(j), b = lists.value_offset(j + 1);
    if (a < 0 || b < a || b > child_length) {
      return Status::SerializationError("list ", j, " covers [", a, ", ", b, ") of a child of ", child_length);
    }
    return Status::OK();
  }

  template <typename T, typename Wrap>
  Result<Value> out_of_band(const std::vector<T>& items, std::int32_t index, const char* what, Wrap wrap) {
    if (index < 0 || static_cast<std::size_t>(index) >= items.size()) {
      return Status::SerializationError(what, " index ", index, " out of range: the object carries ", items.size(), " ",
                                        what, "s");
    }
    return wrap(items[index]);
  }

  Result<std::vector<Value>> sequence(const Array& u, std::int64_t start, std::int64_t stop, int depth) {
    std::vector<Value> out;
    out.reserve(static_cast<std::size_t>(std::min<std::int64_t>(stop - start, 1 << 16)));
    for (std::int64_t i = start; i < stop; ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(Value v, value_at(u, i, depth + 1));
      out.push_back(std::move(v));
    }
    return out;
  }

  Result<Value> dict(const Array& entries, std::int64_t start, std::int64_t stop, int depth) {
    const Array keys = entries.child(0);
    const Array vals = entries.child(1);
    auto d = std::make_shared<Dict>();
    // Struct children are indexed at the struct's offset (0 for what the IPC reader gives).
    const std::int64_t base = entries.offset();
    for (std::int64_t i = start; i < stop; ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(Value k, value_at(keys, base + i, depth + 1));
      ARROWPACK_ASSIGN_OR_RAISE(Value v, value_at(vals, base + i, depth + 1));
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
  std::unordered_map<const ArrayData*, std::vector<std::int8_t>> tags_;
  std::array<std::pair<const ArrayData*, const std::vector<std::int8_t>*>, 8> recent_{};
  std::size_t next_recent_ = 0;
};

struct ReferenceIndices {
  std::vector<std::int32_t> tensors, ndarrays, buffers, sparse_tensors;
};

// Highest index + 1 of tensors/ndarrays/buffers referred to, walking every union; `seen`
// collects every index.
Status walk_references(const Array& u, References* refs, ReferenceIndices* seen, int depth, const ReadLimits& limits) {
  if (depth > limits.max_depth) {
    return Status::CapacityError("serialized value nests deeper than ReadLimits::max_depth = ", limits.max_depth,
                                 " levels");
  }
  if (u.type_id() != TypeId::kDenseUnion) return Status::SerializationError("expected a dense union");
  const DataType& t = *u.type();
  for (int j = 0; j < t.num_fields(); ++j) {
    const std::string& name = t.field(j)->name();
    const Array c = u.child(j);
    if (name == "14" || name == "15" || name == "16") {
      if (c.type_id() != TypeId::kInt32) return Status::SerializationError("union child '", name, "' is not int32");
      std::int64_t& n = name == "14" ? refs->tensors : name == "15" ? refs->ndarrays : refs->buffers;
      auto& indices = name == "14" ? seen->tensors : name == "15" ? seen->ndarrays : seen->buffers;
      for (std::int64_t k = 0; k < c.length(); ++k) {
        if (!c.is_valid(k)) continue;
        indices.push_back(c.value<std::int32_t>(k));
        n = std::max<std::int64_t>(n, std::int64_t{c.value<std::int32_t>(k)} + 1);
      }
    } else if (name == "17" || name == "18" || name == "19" || name == "20") {
      // one index space for the four formats (pyarrow's sparse_tensors list)
      if (c.type_id() != TypeId::kInt32) return Status::SerializationError("union child '", name, "' is not int32");
      for (std::int64_t k = 0; k < c.length(); ++k) {
        if (!c.is_valid(k)) continue;
        seen->sparse_tensors.push_back(c.value<std::int32_t>(k));
        refs->sparse_tensors = std::max<std::int64_t>(refs->sparse_tensors, std::int64_t{c.value<std::int32_t>(k)} + 1);
      }
    } else if (c.type_id() == TypeId::kList) {
      const Array values = c.values();
      if (values.type_id() == TypeId::kDenseUnion) {
        ARROWPACK_RETURN_NOT_OK(walk_references(values, refs, seen, depth + 1, limits));
      } else if (values.type_id() == TypeId::kStruct && values.num_children() == 2) {
        ARROWPACK_RETURN_NOT_OK(walk_references(values.child(0), refs, seen, depth + 1, limits));
        ARROWPACK_RETURN_NOT_OK(walk_references(values.child(1), refs, seen, depth + 1, limits));
      }
    }
  }
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
  return Status::OK();
}

}  // namespace

Result<References> count_references(const RecordBatch& batch, const ReadLimits& limits) {
  ARROWPACK_RETURN_NOT_OK(check_structure_schema(*batch.schema()));
  References refs;
  ReferenceIndices seen;
  ARROWPACK_RETURN_NOT_OK(walk_references(batch.column(0), &refs, &seen, 0, limits));
  // pyarrow and arrowpack write an item for each occurrence: an item referred to twice
  // would let a small blob stand for the same tensor many times over.
  for (auto* list : {&seen.tensors, &seen.ndarrays, &seen.buffers, &seen.sparse_tensors}) {
    std::sort(list->begin(), list->end());
    if (std::adjacent_find(list->begin(), list->end()) != list->end()) {
      return Status::SerializationError("the structure refers to ",
                                        list == &seen.tensors    ? "a tensor"
                                        : list == &seen.ndarrays ? "an ndarray"
                                        : list == &seen.buffers  ? "a buffer"
                                                                 : "a sparse tensor",
                                        " more than once (index ", *std::adjacent_find(list->begin(), list->end()),
                                        "): every item is written once per use");
    }
  }
  return refs;
}

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

Status check_before_decoding(const SerializedObject& object, const DeserializeOptions& options) {
  const auto& batch = object.batch();
  if (!batch) return Status::Invalid("serialized object without a structure batch");
  if (!object.structure_validated() && options.validation == Validation::kFull) {
    ARROWPACK_RETURN_NOT_OK(batch->validate_full());
  }
  if (!SerializedObjectAccess::shape_checked(object)) ARROWPACK_RETURN_NOT_OK(check_structure_schema(*batch->schema()));
  if (batch->num_rows() < 1) return Status::SerializationError("the structure batch is empty");
  return Status::OK();
}

Result<Value> decode(const SerializedObject& object, const SerializationContext& context,
                     const DeserializeOptions& options) {
  const auto& batch = object.batch();
  Decoder decoder(object, context, options);
  return decoder.value_at(batch->column(0), 0, 0);
}

}  // namespace arrowpack::registry_internal

// ---- ObjectReader

namespace arrowpack {

namespace tags = registry_internal;

struct ObjectReader::Impl {
  Impl(SerializedObject o, const SerializationContext& ctx, DeserializeOptions opts)
      : object(std::move(o)),
        options(std::move(opts)),
        budget(options.limits, SerializedObjectAccess::input_bytes(object)),
        decoder(object, ctx, options) {}
  SerializedObject object;
  DeserializeOptions options;
  // What typed readers materialise (Cursor::charge), against the object's input.
  mutable ReadBudget budget;
  // Caches union tags as it goes (hence mutable: a const reader still learns).
  mutable registry_internal::Decoder decoder;
};

// Direct reads from ArrayData for the cursors (no shared_ptr traffic per element). The
// arrays were validated when the reader opened (or are checked here), so these are in bounds.
namespace raw {
template <typename T>
T load(const ArrayData& d, int slot, std::int64_t i) {
  T out;
  std::memcpy(&out, d.buffers[slot]->data() + (d.offset + i) * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
  return out;
}
inline bool bit(const std::uint8_t* bits, std::int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }
inline bool is_null(const ArrayData& d, std::int64_t i) {
  if (d.type->id() == TypeId::kNull) return true;
  return d.null_count != 0 && d.buffers[0] && !bit(d.buffers[0]->data(), d.offset + i);
}
// Non-owning handle for the code paths that take an Array (the reader keeps `d` alive).
inline Array view(const ArrayData* d) {
  return Array(std::shared_ptr<const ArrayData>(d, [](const ArrayData*) {}));
}
inline std::int32_t list_offset(const ArrayData& d, std::int64_t i) { return load<std::int32_t>(d, 1, i); }
}  // namespace raw

// Builds cursors: the element at slot i of union `u`.
struct CursorAccess {
  static Result<ObjectReader::Cursor> make(const ObjectReader::Impl* reader, const ArrayData* u, std::int64_t i,
                                           int depth) {
    auto& decoder = reader->decoder;
    ARROWPACK_RETURN_NOT_OK(decoder.count(depth));
    ARROWPACK_ASSIGN_OR_RAISE(const std::vector<std::int8_t>* tags, decoder.tags_of(u));
    ObjectReader::Cursor c;
    c.reader_ = reader;
    c.union_ = u;
    c.index_ = i;
    c.depth_ = depth;
    // tags_of() checked every slot: declared codes, offsets inside the child.
    const int child = u->type->child_index_for_code(raw::load<std::int8_t>(*u, 1, i));
    c.tag_ = (*tags)[child];
    c.child_ = u->children[child].get();
    c.at_ = raw::load<std::int32_t>(*u, 2, i);
    if (c.tag_ != tags::kNone && raw::is_null(*c.child_, c.at_)) c.tag_ = tags::kNone;
    if (c.tag_ < 0 || c.tag_ >= static_cast<std::int8_t>(std::size(kKinds))) {
      return Status::SerializationError("union child tag ", int{c.tag_}, " is not one of the format's");
    }
    c.kind_ = kKinds[c.tag_];
    return c;
  }

  static constexpr Value::Kind kKinds[] = {
      Value::Kind::kNone,        Value::Kind::kBool,         Value::Kind::kInt,          Value::Kind::kInt,
      Value::Kind::kBytes,       Value::Kind::kString,       Value::Kind::kHalf,         Value::Kind::kFloat,
      Value::Kind::kDouble,      Value::Kind::kDate64,       Value::Kind::kList,         Value::Kind::kDict,
      Value::Kind::kTuple,       Value::Kind::kSet,          Value::Kind::kTensor,       Value::Kind::kNdarray,
      Value::Kind::kBuffer,      Value::Kind::kSparseTensor, Value::Kind::kSparseTensor, Value::Kind::kSparseTensor,
      Value::Kind::kSparseTensor};

  // Every element of list-like cursor `c` into `out`: numbers as doubles, or integers.
  template <typename T>
  static Status all_elements(const ObjectReader::Cursor& c, std::span<T> out);

  // [first, last) of list `at` of a list-like child, checked against its values.
  static Status range(const ArrayData& lists, std::int64_t at, std::int64_t* first, std::int64_t* last) {
    *first = raw::list_offset(lists, at);
    *last = raw::list_offset(lists, at + 1);
    const std::int64_t n = lists.children[0]->length;
    if (*first < 0 || *last < *first || *last > n) {
      return Status::SerializationError("list ", at, " covers [", *first, ", ", *last, ") of a child of ", n);
    }
    return Status::OK();
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
  ARROWPACK_RETURN_NOT_OK(range(*c.child_, c.at_, &first, &last));
  const auto n = static_cast<std::int64_t>(out.size());
  if (last - first != n) return Status::Invalid("room for ", n, " elements, the container holds ", last - first);
  const ArrayData* u = c.child_->children[0].get();
  auto& decoder = c.reader_->decoder;
  ARROWPACK_ASSIGN_OR_RAISE(const std::vector<std::int8_t>* tags, decoder.tags_of(u));
  const DataType& type = *u->type;
  for (std::int64_t i = 0; i < n; ++i) {
    // tags_of() checked every slot: declared codes, offsets inside the child.
    const int child = type.child_index_for_code(raw::load<std::int8_t>(*u, 1, first + i));
    const std::int8_t tag = (*tags)[child];
    const ArrayData& d = *u->children[child];
    const std::int32_t at = raw::load<std::int32_t>(*u, 2, first + i);
    const bool null = tag == tags::kNone || raw::is_null(d, at);
    if (!null && (tag == tags::kInt || tag == tags::kPy2Int)) {
      out[i] = static_cast<T>(raw::load<std::int64_t>(d, 1, at));
      continue;
    }
    if constexpr (kNumbers) {
      if (!null && tag == tags::kDouble) {
        out[i] = raw::load<double>(d, 1, at);
        continue;
      }
      if (!null && tag == tags::kFloat) {
        out[i] = raw::load<float>(d, 1, at);
        continue;
      }
      if (!null && tag == tags::kHalf) {
        out[i] = half_to_double(raw::load<std::uint16_t>(d, 1, at));
        continue;
      }
    }
    const Value::Kind kind = null                                                ? Value::Kind::kNone
                             : tag < static_cast<std::int8_t>(std::size(kKinds)) ? kKinds[tag]
                                                                                 : Value::Kind::kObject;
    return wrong_kind(kNumbers ? "a number" : "an integer", kind).with_context("element " + std::to_string(i));
  }
  // Counted once read (the loop is bounded by the data): a failed bulk read that the caller
  // retries element by element does not count twice.
  return decoder.count_many(c.depth_ + 1, n);
}

ObjectReader::ObjectReader(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
ObjectReader::~ObjectReader() = default;

Result<std::shared_ptr<ObjectReader>> ObjectReader::open(SerializedObject object, const SerializationContext& context,
                                                         const DeserializeOptions& options) {
  return catch_exceptions("opening a serialized object", [&]() -> Result<std::shared_ptr<ObjectReader>> {
    ARROWPACK_RETURN_NOT_OK(registry_internal::check_before_decoding(object, options));
    return std::shared_ptr<ObjectReader>(new ObjectReader(std::make_shared<Impl>(std::move(object), context, options)));
  });
}

Result<ObjectReader::Cursor> ObjectReader::root() const {
  return CursorAccess::make(impl_.get(), impl_->object.batch()->column(0).data().get(), 0, 0);
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
  return raw::bit(child_->buffers[1]->data(), child_->offset + at_);
}

Result<std::int64_t> ObjectReader::Cursor::integer() const {
  if (kind_ != Value::Kind::kInt) return wrong_kind("an integer");
  return raw::load<std::int64_t>(*child_, 1, at_);
}

Result<double> ObjectReader::Cursor::number() const {
  switch (kind_) {
    case Value::Kind::kDouble: return raw::load<double>(*child_, 1, at_);
    case Value::Kind::kFloat: return static_cast<double>(raw::load<float>(*child_, 1, at_));
    case Value::Kind::kHalf: return half_to_double(raw::load<std::uint16_t>(*child_, 1, at_));
    case Value::Kind::kInt: return static_cast<double>(raw::load<std::int64_t>(*child_, 1, at_));
    default: return wrong_kind("a number");
  }
}

Result<float> ObjectReader::Cursor::float32() const {
  if (kind_ == Value::Kind::kFloat) return raw::load<float>(*child_, 1, at_);
  ARROWPACK_ASSIGN_OR_RAISE(double d, number());
  return static_cast<float>(d);
}

namespace {
std::string_view text_at(const ArrayData& d, std::int64_t i) {
  const std::int32_t a = raw::list_offset(d, i), b = raw::list_offset(d, i + 1);
  return {reinterpret_cast<const char*>(d.buffers[2]->data()) + a, static_cast<std::size_t>(b - a)};
}
}  // namespace

Result<std::string_view> ObjectReader::Cursor::string() const {
  if (kind_ != Value::Kind::kString) return wrong_kind("a string");
  return text_at(*child_, at_);
}

Result<std::string_view> ObjectReader::Cursor::bytes() const {
  if (kind_ != Value::Kind::kBytes) return wrong_kind("bytes");
  return text_at(*child_, at_);
}

Result<TensorPtr> ObjectReader::Cursor::tensor() const {
  if (kind_ != Value::Kind::kTensor && kind_ != Value::Kind::kNdarray) return wrong_kind("a tensor");
  const auto& list = kind_ == Value::Kind::kTensor ? reader_->object.tensors() : reader_->object.ndarrays();
  const std::int32_t i = raw::load<std::int32_t>(*child_, 1, at_);
  if (i < 0 || static_cast<std::size_t>(i) >= list.size()) {
    return Status::SerializationError("tensor index ", i, " out of range: the object carries ", list.size());
  }
  return list[i];
}

Result<SparseTensorPtr> ObjectReader::Cursor::sparse_tensor() const {
  if (kind_ != Value::Kind::kSparseTensor) return wrong_kind("a sparse tensor");
  return registry_internal::sparse_at(reader_->object, raw::load<std::int32_t>(*child_, 1, at_), tag_);
}

Result<std::shared_ptr<Buffer>> ObjectReader::Cursor::buffer() const {
  if (kind_ != Value::Kind::kBuffer) return wrong_kind("a buffer");
  const auto& list = reader_->object.buffers();
  const std::int32_t i = raw::load<std::int32_t>(*child_, 1, at_);
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
      ARROWPACK_RETURN_NOT_OK(CursorAccess::range(*child_, at_, &first, &last));
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
  ARROWPACK_RETURN_NOT_OK(CursorAccess::range(*child_, at_, &first, &last));
  if (i < 0 || i >= last - first) return Status::IndexError("element ", i, " out of range");
  return CursorAccess::make(reader_, child_->children[0].get(), first + i, depth_ + 1);
}

Result<ObjectReader::Cursor> ObjectReader::Cursor::entry(std::int64_t i, int side) const {
  if (kind_ != Value::Kind::kDict) return wrong_kind("a dict");
  std::int64_t first, last;
  ARROWPACK_RETURN_NOT_OK(CursorAccess::range(*child_, at_, &first, &last));
  if (i < 0 || i >= last - first) return Status::IndexError("entry ", i, " out of range");
  const ArrayData& entries = *child_->children[0];  // struct<keys, vals>
  return CursorAccess::make(reader_, entries.children[side].get(), entries.offset + first + i, depth_ + 1);
}

Result<ObjectReader::Cursor> ObjectReader::Cursor::key(std::int64_t i) const { return entry(i, 0); }
Result<ObjectReader::Cursor> ObjectReader::Cursor::value_of(std::int64_t i) const { return entry(i, 1); }

Status ObjectReader::Cursor::numbers(std::span<double> out) const { return CursorAccess::all_elements(*this, out); }
Status ObjectReader::Cursor::integers(std::span<std::int64_t> out) const {
  return CursorAccess::all_elements(*this, out);
}

Status ObjectReader::Cursor::charge(std::int64_t bytes) const {
  return reader_->budget.charge(bytes, "a typed read of the serialized object");
}

const ReadLimits& ObjectReader::Cursor::limits() const { return reader_->options.limits; }

Result<Value> ObjectReader::Cursor::value() const {
  return catch_exceptions("deserializing an object", [&]() -> Result<Value> {
    return reader_->decoder.value_at(raw::view(union_), index_, depth_);
  });
}

}  // namespace arrowpack

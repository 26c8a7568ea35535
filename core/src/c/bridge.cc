// The Arrow C data interfaces. What a type's format string is and which buffers its arrays
// pass come from the layout table (type_traits.h): the C buffers of an array are its
// ArrayData slots but the absent ones, then (views) the variadic data buffers and their sizes.
#include "arrowpack/core/c/bridge.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "arrowpack/core/util.h"

namespace arrowpack::c {

namespace {

// ---- formats

char unit_letter(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond: return 's';
    case TimeUnit::kMilli: return 'm';
    case TimeUnit::kMicro: return 'u';
    case TimeUnit::kNano: return 'n';
  }
  return 's';
}

std::string codes_list(const DataType& t) {
  std::string out;
  for (std::size_t i = 0; i < t.type_codes().size(); ++i) {
    if (i) out += ',';
    out += std::to_string(int{t.type_codes()[i]});
  }
  return out;
}

// The format string of `t` (a dictionary's is its index type's).
std::string format_of(const DataType& t) {
  const TypeInfo& info = t.info();
  switch (t.id()) {
    case TypeId::kFixedSizeBinary:
    case TypeId::kFixedSizeList: return std::string(info.c_format) + std::to_string(t.fixed_size());
    case TypeId::kDecimal32:
    case TypeId::kDecimal64:
    case TypeId::kDecimal128:
    case TypeId::kDecimal256: {
      std::string out = std::string(info.c_format) + std::to_string(t.precision()) + "," + std::to_string(t.scale());
      if (t.id() != TypeId::kDecimal128) out += "," + std::to_string(info.bit_width);
      return out;
    }
    case TypeId::kTime32:
    case TypeId::kTime64:
    case TypeId::kDuration: return std::string(info.c_format) + unit_letter(t.unit());
    case TypeId::kTimestamp: return std::string(info.c_format) + unit_letter(t.unit()) + ":" + t.timezone();
    case TypeId::kSparseUnion:
    case TypeId::kDenseUnion: return std::string(info.c_format) + codes_list(t);
    case TypeId::kDictionary: return format_of(*t.index_type());
    // The nested types' formats are fixed too: their children carry the rest.
    case TypeId::kList:
    case TypeId::kLargeList:
    case TypeId::kStruct:
    case TypeId::kMap:
    case TypeId::kListView:
    case TypeId::kLargeListView:
    case TypeId::kRunEndEncoded: ARROWPACK_PARAMETER_FREE_CASES return std::string(info.c_format);
  }
  return std::string(info.c_format);
}

// Metadata: int32 pair count, then per pair int32 length + key bytes, int32 length + value.
std::string encode_metadata(const MetadataPtr& metadata) {
  std::string out;
  if (!metadata || metadata->empty()) return out;
  auto put32 = [&out](std::int64_t v) {
    const auto n = static_cast<std::int32_t>(v);
    out.append(reinterpret_cast<const char*>(&n), 4);
  };
  put32(metadata->size());
  for (std::int64_t i = 0; i < metadata->size(); ++i) {
    put32(static_cast<std::int64_t>(metadata->key(i).size()));
    out += metadata->key(i);
    put32(static_cast<std::int64_t>(metadata->value(i).size()));
    out += metadata->value(i);
  }
  return out;
}

// ---- exporting schemas

struct ExportedSchema {
  std::string format;
  std::string name;
  std::string metadata;  // empty: no metadata (the pointer is null)
  std::vector<ArrowSchema> children;
  std::vector<ArrowSchema*> child_pointers;
  ArrowSchema dictionary{};
  bool has_dictionary = false;
};

// The release callback of an exported ArrowSchema or ArrowArray: the children and the
// dictionary a consumer did not move out, then the private data. `Exported` is the struct's
// private data (ExportedSchema, ExportedArray).
template <typename Struct, typename Exported>
void release_exported(Struct* s) {
  if (s == nullptr || s->release == nullptr) return;
  auto* self = static_cast<Exported*>(s->private_data);
  for (Struct& child : self->children) {
    if (child.release) child.release(&child);
  }
  if (self->has_dictionary && self->dictionary.release) self->dictionary.release(&self->dictionary);
  delete self;
  s->release = nullptr;
}

void release_schema(ArrowSchema* schema) { release_exported<ArrowSchema, ExportedSchema>(schema); }

void fill_schema(const DataType& type, const std::string& name, bool nullable, const MetadataPtr& metadata,
                 ArrowSchema* out);

// The children of `type` as C schemas: its fields (run_end_encoded: run_ends and values).
void fill_children(const DataType& type, ExportedSchema* self) {
  self->children.resize(static_cast<std::size_t>(type.num_fields()));
  for (int i = 0; i < type.num_fields(); ++i) {
    const Field& f = *type.field(i);
    fill_schema(*f.type(), f.name(), f.nullable(), f.metadata(), &self->children[static_cast<std::size_t>(i)]);
  }
  for (ArrowSchema& child : self->children) self->child_pointers.push_back(&child);
}

void fill_schema(const DataType& type, const std::string& name, bool nullable, const MetadataPtr& metadata,
                 ArrowSchema* out) {
  auto* self = new ExportedSchema;
  self->format = format_of(type);
  self->name = name;
  self->metadata = encode_metadata(metadata);
  std::int64_t flags = nullable ? ARROW_FLAG_NULLABLE : 0;
  if (type.id() == TypeId::kMap && type.keys_sorted()) flags |= ARROW_FLAG_MAP_KEYS_SORTED;
  if (type.id() == TypeId::kDictionary) {
    if (type.ordered()) flags |= ARROW_FLAG_DICTIONARY_ORDERED;
    // The dictionary's values: a field of their own, unnamed and nullable.
    fill_schema(*type.value_type(), "", true, nullptr, &self->dictionary);
    self->has_dictionary = true;
  } else {
    fill_children(type, self);
  }
  out->format = self->format.c_str();
  out->name = self->name.c_str();
  out->metadata = self->metadata.empty() ? nullptr : self->metadata.data();
  out->flags = flags;
  out->n_children = static_cast<std::int64_t>(self->children.size());
  out->children = self->child_pointers.empty() ? nullptr : self->child_pointers.data();
  out->dictionary = self->has_dictionary ? &self->dictionary : nullptr;
  out->release = &release_schema;
  out->private_data = self;
}

// ---- exporting arrays

// Zeros for the buffers that arrowpack leaves null (the offsets of empty arrays): the C
// interface wants a pointer for every buffer but the validity bitmap.
alignas(64) constexpr std::uint8_t kZeros[64] = {};

struct ExportedArray {
  std::shared_ptr<const ArrayData> data;
  std::vector<const void*> buffers;
  std::vector<std::int64_t> variadic_sizes;
  std::vector<ArrowArray> children;
  std::vector<ArrowArray*> child_pointers;
  ArrowArray dictionary{};
  bool has_dictionary = false;
};

void release_array(ArrowArray* array) { release_exported<ArrowArray, ExportedArray>(array); }

void fill_array(std::shared_ptr<const ArrayData> data, ArrowArray* out) {
  auto* self = new ExportedArray;
  const ArrayData& d = *data;
  const TypeInfo& info = d.type->info();
  for (int slot = 0; slot < info.num_buffers; ++slot) {
    const BufferKind kind = info.buffers[static_cast<std::size_t>(slot)];
    if (kind == BufferKind::kAbsent) continue;
    const auto& b = d.buffers[static_cast<std::size_t>(slot)];
    if (kind == BufferKind::kValidity) {
      self->buffers.push_back(b && d.null_count != 0 ? b->data() : nullptr);
    } else {
      self->buffers.push_back(b && b->data() ? b->data() : kZeros);
    }
  }
  if (info.variadic_buffers) {
    for (std::size_t k = static_cast<std::size_t>(info.num_buffers); k < d.buffers.size(); ++k) {
      self->buffers.push_back(d.buffers[k] && d.buffers[k]->data() ? d.buffers[k]->data() : kZeros);
      self->variadic_sizes.push_back(d.buffers[k] ? d.buffers[k]->size() : 0);
    }
    self->buffers.push_back(self->variadic_sizes.data());
  }
  self->children.resize(d.children.size());
  for (std::size_t i = 0; i < d.children.size(); ++i) fill_array(d.children[i], &self->children[i]);
  for (ArrowArray& child : self->children) self->child_pointers.push_back(&child);
  if (d.dictionary) {
    fill_array(d.dictionary, &self->dictionary);
    self->has_dictionary = true;
  }
  out->length = d.length;
  out->null_count = d.null_count;
  // An empty array may leave its offsets null: exported over zeros, from offset 0.
  out->offset = d.length == 0 ? 0 : d.offset;
  out->n_buffers = static_cast<std::int64_t>(self->buffers.size());
  out->n_children = static_cast<std::int64_t>(self->children.size());
  out->buffers = self->buffers.empty() ? nullptr : self->buffers.data();
  out->children = self->child_pointers.empty() ? nullptr : self->child_pointers.data();
  out->dictionary = self->has_dictionary ? &self->dictionary : nullptr;
  out->release = &release_array;
  self->data = std::move(data);
  out->private_data = self;
}

std::shared_ptr<const ArrayData> batch_as_struct(const RecordBatch& batch) {
  FieldVector fields = batch.schema()->fields();
  auto d = std::make_shared<ArrayData>();
  d->type = struct_(std::move(fields));
  d->length = batch.num_rows();
  d->null_count = 0;
  d->buffers = {nullptr};
  for (const Array& column : batch.columns()) d->children.push_back(std::const_pointer_cast<ArrayData>(column.data()));
  return d;
}

// ---- importing schemas

struct FormatParser {
  std::string_view rest;
  bool take(std::string_view prefix) {
    if (rest.substr(0, prefix.size()) != prefix) return false;
    rest.remove_prefix(prefix.size());
    return true;
  }
  // A decimal integer up to the next ',' or the end.
  bool number(std::int64_t* out) {
    const char* begin = rest.data();
    const char* end = rest.data() + rest.size();
    auto [p, ec] = std::from_chars(begin, end, *out);
    if (ec != std::errc() || p == begin) return false;
    rest.remove_prefix(static_cast<std::size_t>(p - begin));
    return true;
  }
};

Status bad_format(std::string_view format, const char* why) {
  return Status::Invalid("ArrowSchema format '", escape_message(format), "': ", why);
}

Result<TimeUnit> unit_of(char c, std::string_view format) {
  switch (c) {
    case 's': return TimeUnit::kSecond;
    case 'm': return TimeUnit::kMilli;
    case 'u': return TimeUnit::kMicro;
    case 'n': return TimeUnit::kNano;
    default: return bad_format(format, "unknown time unit");
  }
}

// Reads metadata of unknown size: every length is checked against the limit before the
// bytes it announces are read.
Result<MetadataPtr> decode_metadata(const char* p, const ImportOptions& options) {
  if (p == nullptr) return MetadataPtr();
  const std::int64_t limit = options.limits.max_metadata_bytes;
  std::int64_t used = 4;
  auto get32 = [&p]() {
    std::int32_t v;
    std::memcpy(&v, p, 4);
    p += 4;
    return v;
  };
  const std::int32_t n = get32();
  if (n < 0) return Status::Invalid("ArrowSchema metadata announces ", n, " pairs");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::int32_t i = 0; i < n; ++i) {
    std::string kv[2];
    for (auto& s : kv) {
      used += 4;
      if (used > limit) break;
      const std::int32_t len = get32();
      if (len < 0) return Status::Invalid("ArrowSchema metadata pair ", i, " has a length of ", len);
      used += len;
      if (used > limit) break;
      s.assign(p, static_cast<std::size_t>(len));
      p += len;
    }
    if (used > limit) {
      return Status::CapacityError("ArrowSchema metadata is larger than ReadLimits::max_metadata_bytes = ", limit);
    }
    pairs.emplace_back(std::move(kv[0]), std::move(kv[1]));
  }
  return key_value_metadata(std::move(pairs));
}

Result<FieldPtr> field_from(const ArrowSchema* s, const ImportOptions& options, int depth);

Result<FieldVector> children_of(const ArrowSchema* s, const ImportOptions& options, int depth) {
  if (s->n_children < 0) return Status::Invalid("ArrowSchema with ", s->n_children, " children");
  if (s->n_children > 0 && s->children == nullptr) {
    return Status::Invalid("ArrowSchema announces ", s->n_children, " children but has no child pointers");
  }
  if (s->n_children > options.limits.max_elements) {
    return Status::CapacityError("ArrowSchema with ", s->n_children, " children");
  }
  FieldVector out;
  for (std::int64_t i = 0; i < s->n_children; ++i) {
    const ArrowSchema* child = s->children[i];
    if (child == nullptr) return Status::Invalid("ArrowSchema child ", i, " is null");
    auto f = field_from(child, options, depth + 1);
    if (!f.ok()) return f.status().with_context("child " + std::to_string(i));
    out.push_back(f.move_value());
  }
  return out;
}

// The type of `s`, its children and dictionary included.
Result<DataTypePtr> type_from(const ArrowSchema* s, const ImportOptions& options, int depth) {
  if (depth > options.limits.max_depth) {
    return Status::CapacityError("ArrowSchema nesting deeper than ReadLimits::max_depth = ", options.limits.max_depth);
  }
  if (s->release == nullptr) return Status::Invalid("ArrowSchema is released");
  if (s->format == nullptr) return Status::Invalid("ArrowSchema without a format");
  const std::string_view format(s->format);
  ARROWPACK_ASSIGN_OR_RAISE(FieldVector children, children_of(s, options, depth));
  auto want_children = [&](std::size_t n) -> Status {
    if (children.size() != n) {
      return bad_format(format,
                        ("needs " + std::to_string(n) + " children, has " + std::to_string(children.size())).c_str());
    }
    return Status::OK();
  };
  DataTypePtr type;
  FormatParser parse{format};
  std::int64_t a = 0, b = 0;
  if (parse.take("w:")) {
    if (!parse.number(&a) || !parse.rest.empty() || a < 0 || a > std::numeric_limits<std::int32_t>::max()) {
      return bad_format(format, "bad fixed_size_binary width");
    }
    type = fixed_size_binary(static_cast<std::int32_t>(a));
  } else if (parse.take("+w:")) {
    if (!parse.number(&a) || !parse.rest.empty() || a < 0 || a > std::numeric_limits<std::int32_t>::max()) {
      return bad_format(format, "bad fixed_size_list size");
    }
    ARROWPACK_RETURN_NOT_OK(want_children(1));
    type = fixed_size_list(children[0], static_cast<std::int32_t>(a));
  } else if (parse.take("d:")) {
    std::int64_t bits = 128;
    if (!parse.number(&a) || !parse.take(",") || !parse.number(&b) ||
        (!parse.rest.empty() && (!parse.take(",") || !parse.number(&bits) || !parse.rest.empty()))) {
      return bad_format(format, "bad decimal parameters");
    }
    // Any int32 scale, as the IPC reader (and Arrow C++) takes it: what reads from a stream
    // must travel through these structs too. The precision is checked by decimalN().
    constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min(), hi = std::numeric_limits<std::int32_t>::max();
    if (a < lo || a > hi || b < lo || b > hi) return bad_format(format, "decimal parameters out of range");
    const auto p = static_cast<std::int32_t>(a), sc = static_cast<std::int32_t>(b);
    Result<DataTypePtr> t = bits == 32    ? decimal32(p, sc)
                            : bits == 64  ? decimal64(p, sc)
                            : bits == 128 ? decimal128(p, sc)
                            : bits == 256 ? decimal256(p, sc)
                                          : Result<DataTypePtr>(bad_format(format, "decimal width not 32/64/128/256"));
    ARROWPACK_ASSIGN_OR_RAISE(type, std::move(t));
  } else if (format.size() == 3 && parse.take("tt")) {
    ARROWPACK_ASSIGN_OR_RAISE(const TimeUnit unit, unit_of(format[2], format));
    if (unit == TimeUnit::kSecond || unit == TimeUnit::kMilli) {
      ARROWPACK_ASSIGN_OR_RAISE(type, time32(unit));
    } else {
      ARROWPACK_ASSIGN_OR_RAISE(type, time64(unit));
    }
  } else if (format.size() >= 4 && parse.take("ts") && format[3] == ':') {
    ARROWPACK_ASSIGN_OR_RAISE(const TimeUnit unit, unit_of(format[2], format));
    type = timestamp(unit, std::string(format.substr(4)));
  } else if (format.size() == 3 && format.substr(0, 2) == "tD") {
    ARROWPACK_ASSIGN_OR_RAISE(const TimeUnit unit, unit_of(format[2], format));
    type = duration(unit);
  } else if (format.substr(0, 4) == "+us:" || format.substr(0, 4) == "+ud:") {
    const bool dense = format[2] == 'd';
    parse.rest = format.substr(4);
    std::vector<std::int8_t> codes;
    while (!parse.rest.empty()) {
      if (!codes.empty() && !parse.take(",")) return bad_format(format, "bad union type codes");
      if (!parse.number(&a) || a < 0 || a > 127) return bad_format(format, "union type codes must be in [0, 127]");
      codes.push_back(static_cast<std::int8_t>(a));
    }
    ARROWPACK_RETURN_NOT_OK(want_children(codes.size()));
    ARROWPACK_ASSIGN_OR_RAISE(type, dense ? dense_union(children, codes) : sparse_union(children, codes));
  } else {
    // The parameter-free formats, and those whose parameters are their children.
    const TypeInfo* row = nullptr;
    for (const TypeInfo& r : kTypeInfos) {
      if (r.c_format == format && !r.c_format.empty() && r.c_format.back() != ':') row = &r;
    }
    if (row == nullptr) return Status::NotImplemented("ArrowSchema format '", escape_message(format), "'");
    switch (row->children) {
      case ChildLayout::kNone: ARROWPACK_RETURN_NOT_OK(want_children(0)); break;
      case ChildLayout::kOne: ARROWPACK_RETURN_NOT_OK(want_children(1)); break;
      case ChildLayout::kRunEnds: ARROWPACK_RETURN_NOT_OK(want_children(2)); break;
      case ChildLayout::kFields: break;
    }
    switch (row->id) {
      ARROWPACK_PARAMETER_FREE_CASES type = parameter_free_type(row->id);
      break;
      case TypeId::kList: type = list(children[0]); break;
      case TypeId::kLargeList: type = large_list(children[0]); break;
      case TypeId::kListView: type = list_view(children[0]); break;
      case TypeId::kLargeListView: type = large_list_view(children[0]); break;
      case TypeId::kStruct: type = struct_(children); break;
      case TypeId::kMap: {
        ARROWPACK_ASSIGN_OR_RAISE(type, map(children[0], (s->flags & ARROW_FLAG_MAP_KEYS_SORTED) != 0));
        break;
      }
      case TypeId::kRunEndEncoded: {
        // As the IPC reader: the children keep the names (and the values their flag) they
        // came with, so that a batch read from a stream crosses the interface unchanged (the
        // factory names them "run_ends" and "values"). Run ends are never null: a producer
        // flagging them nullable is taken as it means it.
        ARROWPACK_RETURN_NOT_OK(run_end_encoded(children[0]->type(), children[1]->type()).status());
        FieldVector fields = {field(children[0]->name(), children[0]->type(), false, children[0]->metadata()),
                              children[1]};
        type = std::make_shared<DataType>(TypeId::kRunEndEncoded, std::move(fields), DataType::Params{});
        break;
      }
      // Parametric formats, parsed above.
      case TypeId::kFixedSizeBinary:
      case TypeId::kTime32:
      case TypeId::kTime64:
      case TypeId::kTimestamp:
      case TypeId::kDuration:
      case TypeId::kFixedSizeList:
      case TypeId::kSparseUnion:
      case TypeId::kDenseUnion:
      case TypeId::kDecimal32:
      case TypeId::kDecimal64:
      case TypeId::kDecimal128:
      case TypeId::kDecimal256:
      case TypeId::kDictionary: return bad_format(format, "parameters missing");
    }
  }
  if (s->dictionary != nullptr) {
    if (!type->is_integer()) return bad_format(format, "dictionary indices must be integers");
    auto values = type_from(s->dictionary, options, depth + 1);
    if (!values.ok()) return values.status().with_context("dictionary");
    ARROWPACK_ASSIGN_OR_RAISE(type,
                              dictionary(type, values.move_value(), (s->flags & ARROW_FLAG_DICTIONARY_ORDERED) != 0));
  }
  return type;
}

Result<FieldPtr> field_from(const ArrowSchema* s, const ImportOptions& options, int depth) {
  ARROWPACK_ASSIGN_OR_RAISE(DataTypePtr type, type_from(s, options, depth));
  ARROWPACK_ASSIGN_OR_RAISE(MetadataPtr metadata, decode_metadata(s->metadata, options));
  return field(s->name ? std::string(s->name) : std::string(), std::move(type), (s->flags & ARROW_FLAG_NULLABLE) != 0,
               std::move(metadata));
}

// Releases a C struct when the importer returns, whatever happens.
template <typename T>
struct ReleaseOnExit {
  T* item;
  ~ReleaseOnExit() {
    if (item != nullptr && item->release != nullptr) {
      item->release(item);
      item->release = nullptr;
    }
  }
};

// Releases `item` now (what an importer took but cannot use).
template <typename T>
void release_now(T* item) {
  ReleaseOnExit<T> release{item};
}

// ---- importing arrays

// The imported struct, moved here: its release runs when the last buffer that views its
// memory goes away.
class ImportedArea : public Buffer {
 public:
  explicit ImportedArea(const ArrowArray& array) : Buffer(nullptr, 0), array_(array) {}
  ~ImportedArea() override {
    if (array_.release != nullptr) array_.release(&array_);
  }
  const ArrowArray& array() const { return array_; }

 private:
  ArrowArray array_;
};

struct Importer {
  std::shared_ptr<const Buffer> area;
  const ImportOptions& options;

  Result<std::shared_ptr<Buffer>> view(const void* p, std::int64_t size, std::int64_t alignment, const char* what,
                                       int index) const {
    if (size == 0) return std::make_shared<Buffer>(area, static_cast<const std::uint8_t*>(p ? p : kZeros), 0);
    if (p == nullptr)
      return Status::Invalid("ArrowArray buffer ", index, " (", what, ") is null but needs ", size, " bytes");
    if (reinterpret_cast<std::uintptr_t>(p) % static_cast<std::uintptr_t>(alignment) != 0) {
      // Misaligned values would be undefined behaviour to read: copied into aligned memory.
      ARROWPACK_ASSIGN_OR_RAISE(auto copy, Buffer::copy_of(p, size));
      return std::shared_ptr<Buffer>(std::move(copy));
    }
    return std::make_shared<Buffer>(area, static_cast<const std::uint8_t*>(p), size);
  }

  static Result<std::int64_t> times(std::int64_t n, std::int64_t width, const char* what) {
    std::int64_t out;
    if (util::mul_overflows(n, width, &out)) return Status::Invalid("ArrowArray ", what, " size overflows");
    return out;
  }

  Result<std::shared_ptr<ArrayData>> import(const ArrowArray* a, const DataTypePtr& type, int depth) const {
    if (depth > options.limits.max_depth) {
      return Status::CapacityError("ArrowArray nesting deeper than ReadLimits::max_depth = ", options.limits.max_depth);
    }
    if (a->release == nullptr) return Status::Invalid("ArrowArray of ", type->to_string(), " is released");
    if (a->length < 0 || a->offset < 0) {
      return Status::Invalid("ArrowArray of ", type->to_string(), " has length ", a->length, " and offset ", a->offset);
    }
    std::int64_t end;
    if (util::add_overflows(a->offset, a->length, &end) || end > (std::int64_t{1} << 56)) {
      return Status::Invalid("ArrowArray offset + length too large");
    }
    if (a->null_count < -1 || a->null_count > a->length) {
      return Status::Invalid("ArrowArray null count ", a->null_count, " outside [-1, ", a->length, "]");
    }
    const TypeInfo& info = type->info();
    std::int64_t fixed = 0;
    for (int slot = 0; slot < info.num_buffers; ++slot)
      fixed += info.buffers[static_cast<std::size_t>(slot)] != BufferKind::kAbsent;
    // Views: the data buffers, then one buffer of their sizes.
    const bool buffers_ok = info.variadic_buffers ? a->n_buffers >= fixed + 1 : a->n_buffers == fixed;
    if (!buffers_ok) {
      return Status::Invalid("ArrowArray of ", type->to_string(), " has ", a->n_buffers, " buffers, expected ",
                             info.variadic_buffers ? "at least " : "", info.variadic_buffers ? fixed + 1 : fixed);
    }
    if (a->n_buffers > options.limits.max_buffers) {
      return Status::CapacityError("ArrowArray with ", a->n_buffers, " buffers");
    }
    if (a->n_buffers > 0 && a->buffers == nullptr) return Status::Invalid("ArrowArray without its buffer pointers");
    std::int64_t want_children = 0;
    switch (info.children) {
      case ChildLayout::kNone: want_children = 0; break;
      case ChildLayout::kOne: want_children = 1; break;
      case ChildLayout::kFields: want_children = type->num_fields(); break;
      case ChildLayout::kRunEnds: want_children = 2; break;
    }
    if (a->n_children != want_children) {
      return Status::Invalid("ArrowArray of ", type->to_string(), " has ", a->n_children, " children, expected ",
                             want_children);
    }
    if (a->n_children > 0 && a->children == nullptr) return Status::Invalid("ArrowArray without its child pointers");
    if ((a->dictionary != nullptr) != (type->id() == TypeId::kDictionary)) {
      return Status::Invalid("ArrowArray of ", type->to_string(), a->dictionary ? " has" : " lacks", " a dictionary");
    }

    auto d = std::make_shared<ArrayData>();
    d->type = type;
    d->length = a->length;
    d->offset = a->offset;
    d->buffers.resize(static_cast<std::size_t>(info.num_buffers));
    const std::int64_t offset_bytes = type->has_large_offsets() ? 8 : 4;
    int c = 0;  // the C buffer being read
    const std::uint8_t* offsets = nullptr;
    for (int slot = 0; slot < info.num_buffers; ++slot) {
      const BufferKind kind = info.buffers[static_cast<std::size_t>(slot)];
      if (kind == BufferKind::kAbsent) continue;
      const void* p = a->buffers[c];
      std::int64_t size = 0, alignment = 1;
      const char* what = "";
      switch (kind) {
        case BufferKind::kAbsent: break;
        case BufferKind::kValidity:
          what = "validity";
          if (p == nullptr) {
            if (a->null_count > 0)
              return Status::Invalid("ArrowArray with ", a->null_count, " nulls but no validity bitmap");
            ++c;
            continue;
          }
          size = util::bytes_for_bits(end);
          break;
        case BufferKind::kBits:
          what = "bits";
          size = util::bytes_for_bits(end);
          break;
        case BufferKind::kValues: {
          what = "values";
          const std::int64_t width =
              type->id() == TypeId::kDictionary ? type->index_type()->byte_width() : type->byte_width();
          ARROWPACK_ASSIGN_OR_RAISE(size, times(end, width, what));
          alignment = type->id() == TypeId::kFixedSizeBinary ? 1 : std::min<std::int64_t>(width, 8);
          break;
        }
        case BufferKind::kOffsets32:
        case BufferKind::kOffsets64: {
          what = "offsets";
          if (a->length > 0 || p != nullptr) {
            ARROWPACK_ASSIGN_OR_RAISE(size, times(end + 1, offset_bytes, what));
          }
          if (info.children == ChildLayout::kNone) offsets = static_cast<const std::uint8_t*>(p);
          alignment = offset_bytes;
          break;
        }
        case BufferKind::kData: {
          what = "data";
          // As many bytes as the last offset says (the offsets are checked by validation).
          if (a->length > 0) {
            if (offsets == nullptr) return Status::Invalid("ArrowArray of ", type->to_string(), " without offsets");
            std::int64_t last = 0;
            if (offset_bytes == 8) {
              std::memcpy(&last, offsets + end * 8, 8);
            } else {
              std::int32_t v;
              std::memcpy(&v, offsets + end * 4, 4);
              last = v;
            }
            if (last < 0) return Status::Invalid("ArrowArray of ", type->to_string(), " ends at offset ", last);
            size = last;
          }
          break;
        }
        case BufferKind::kTypeIds:
          what = "type ids";
          size = end;
          break;
        case BufferKind::kUnionOffsets: {
          what = "union offsets";
          ARROWPACK_ASSIGN_OR_RAISE(size, times(end, 4, what));
          alignment = 4;
          break;
        }
        case BufferKind::kViews: {
          what = "views";
          ARROWPACK_ASSIGN_OR_RAISE(size, times(end, 16, what));
          alignment = 8;
          break;
        }
        case BufferKind::kSizes32:
        case BufferKind::kSizes64: {
          what = "sizes";
          ARROWPACK_ASSIGN_OR_RAISE(size, times(end, offset_bytes, what));
          alignment = offset_bytes;
          break;
        }
      }
      ARROWPACK_ASSIGN_OR_RAISE(d->buffers[static_cast<std::size_t>(slot)], view(p, size, alignment, what, c));
      ++c;
    }
    if (info.variadic_buffers) {
      const std::int64_t n = a->n_buffers - fixed - 1;
      const auto* sizes = static_cast<const std::uint8_t*>(a->buffers[a->n_buffers - 1]);
      if (n > 0 && sizes == nullptr) return Status::Invalid("ArrowArray of views without its buffer sizes");
      for (std::int64_t k = 0; k < n; ++k) {
        std::int64_t size;
        std::memcpy(&size, sizes + k * 8, 8);
        if (size < 0) return Status::Invalid("ArrowArray view data buffer ", k, " has size ", size);
        ARROWPACK_ASSIGN_OR_RAISE(auto b, view(a->buffers[c], size, 1, "view data", c));
        d->buffers.push_back(std::move(b));
        ++c;
      }
    }
    // Null count: the producer's, or counted when it says -1 (unknown).
    if (!info.has_validity() || type->id() == TypeId::kNull) {
      d->null_count = type->id() == TypeId::kNull ? a->length : 0;
    } else if (a->null_count >= 0) {
      d->null_count = a->null_count;
    } else {
      d->null_count = d->buffers[0] ? count_nulls(d->buffers[0]->data(), d->offset, d->length) : 0;
    }
    for (std::int64_t i = 0; i < a->n_children; ++i) {
      const ArrowArray* child = a->children[i];
      if (child == nullptr) return Status::Invalid("ArrowArray child ", i, " is null");
      const DataTypePtr& child_type = type->field(static_cast<int>(i))->type();
      auto imported = import(child, child_type, depth + 1);
      if (!imported.ok()) return imported.status().with_context("child " + std::to_string(i));
      d->children.push_back(imported.move_value());
    }
    if (a->dictionary != nullptr) {
      auto values = import(a->dictionary, type->value_type(), depth + 1);
      if (!values.ok()) return values.status().with_context("dictionary");
      d->dictionary = values.move_value();
    }
    return d;
  }
};

Result<Array> import_moved(ArrowArray* array, DataTypePtr type, const ImportOptions& options) {
  if (array == nullptr) return Status::Invalid("no ArrowArray");
  if (array->release == nullptr) return Status::Invalid("ArrowArray is released");
  if (!type) {
    ReleaseOnExit<ArrowArray> release{array};
    return Status::Invalid("no type for the ArrowArray");
  }
  // Moved: from here the area owns the struct, and releases it with the last view.
  auto area = std::make_shared<ImportedArea>(*array);
  array->release = nullptr;
  Importer importer{area, options};
  ARROWPACK_ASSIGN_OR_RAISE(auto data, importer.import(&area->array(), type, 0));
  Array out(std::move(data));
  ARROWPACK_RETURN_NOT_OK(options.validation == Validation::kFull ? out.validate_full() : out.validate());
  return out;
}

// ---- streams

struct ExportedStream {
  SchemaPtr schema;
  BatchSource next;
  std::string last_error;
};

ExportedStream* stream_of(ArrowArrayStream* s) { return static_cast<ExportedStream*>(s->private_data); }

int stream_error(ExportedStream* self, const Status& st) {
  self->last_error = st.to_string();
  return st.code() == StatusCode::kCapacityError ? ENOMEM : st.code() == StatusCode::kInvalid ? EINVAL : EIO;
}

int stream_get_schema(ArrowArrayStream* s, ArrowSchema* out) {
  ExportedStream* self = stream_of(s);
  Status st = catch_exceptions("exporting a stream's schema", [&] { return export_schema(*self->schema, out); });
  return st.ok() ? 0 : stream_error(self, st);
}

int stream_get_next(ArrowArrayStream* s, ArrowArray* out) {
  ExportedStream* self = stream_of(s);
  Status st = catch_exceptions("exporting a stream's batch", [&]() -> Status {
    ARROWPACK_ASSIGN_OR_RAISE(RecordBatchPtr batch, self->next());
    if (!batch) {
      std::memset(out, 0, sizeof(*out));  // the end: a released array
      return Status::OK();
    }
    return export_record_batch(*batch, out);
  });
  return st.ok() ? 0 : stream_error(self, st);
}

const char* stream_last_error(ArrowArrayStream* s) {
  ExportedStream* self = stream_of(s);
  return self->last_error.empty() ? nullptr : self->last_error.c_str();
}

void stream_release(ArrowArrayStream* s) {
  if (s == nullptr || s->release == nullptr) return;
  delete stream_of(s);
  s->release = nullptr;
}

// Names and formats are C strings in an ArrowSchema: a field name or a timezone holding a
// NUL byte (an IPC stream may carry one) would reach the consumer cut short, so such a type
// is refused instead. Metadata is length-prefixed and carries any bytes.
Status check_c_strings(const DataType& type, std::string_view name) {
  auto refuse = [](const char* what, std::string_view text) {
    return Status::Invalid("the C data interface cannot carry the ", what, " '", escape_message(text),
                           "': it holds a NUL byte, and its names and formats are C strings");
  };
  if (name.find('\0') != std::string_view::npos) return refuse("field name", name);
  if (type.id() == TypeId::kTimestamp && type.timezone().find('\0') != std::string::npos) {
    return refuse("timezone", type.timezone());
  }
  if (type.id() == TypeId::kDictionary) return check_c_strings(*type.value_type(), "");
  for (int i = 0; i < type.num_fields(); ++i) {
    ARROWPACK_RETURN_NOT_OK(check_c_strings(*type.field(i)->type(), type.field(i)->name()));
  }
  return Status::OK();
}

}  // namespace

// ---- export

Status export_type(const DataType& type, ArrowSchema* out) {
  if (out == nullptr) return Status::Invalid("no ArrowSchema to export into");
  if (Status st = check_c_strings(type, ""); !st.ok()) {
    out->release = nullptr;
    return st;
  }
  return catch_exceptions("exporting a type", [&] {
    fill_schema(type, "", true, nullptr, out);
    return Status::OK();
  });
}

Status export_field(const Field& f, ArrowSchema* out) {
  if (out == nullptr) return Status::Invalid("no ArrowSchema to export into");
  if (Status st = check_c_strings(*f.type(), f.name()); !st.ok()) {
    out->release = nullptr;
    return st;
  }
  return catch_exceptions("exporting a field", [&] {
    fill_schema(*f.type(), f.name(), f.nullable(), f.metadata(), out);
    return Status::OK();
  });
}

Status export_schema(const Schema& schema, ArrowSchema* out) {
  if (out == nullptr) return Status::Invalid("no ArrowSchema to export into");
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (Status st = check_c_strings(*schema.field(i)->type(), schema.field(i)->name()); !st.ok()) {
      out->release = nullptr;
      return st;
    }
  }
  return catch_exceptions("exporting a schema", [&] {
    fill_schema(*struct_(schema.fields()), "", false, schema.metadata(), out);
    return Status::OK();
  });
}

Status export_array(const Array& array, ArrowArray* out, ArrowSchema* out_schema) {
  if (out == nullptr) return Status::Invalid("no ArrowArray to export into");
  if (!array.data()) return Status::Invalid("empty array handle");
  if (out_schema) {
    if (Status st = export_type(*array.type(), out_schema); !st.ok()) {
      out->release = nullptr;
      return st;
    }
  }
  Status st = catch_exceptions("exporting an array", [&] {
    fill_array(array.data(), out);
    return Status::OK();
  });
  if (!st.ok() && out_schema) release_schema(out_schema);
  return st;
}

Status export_record_batch(const RecordBatch& batch, ArrowArray* out, ArrowSchema* out_schema) {
  if (out == nullptr) return Status::Invalid("no ArrowArray to export into");
  if (out_schema) {
    if (Status st = export_schema(*batch.schema(), out_schema); !st.ok()) {
      out->release = nullptr;
      return st;
    }
  }
  Status st = catch_exceptions("exporting a record batch", [&] {
    fill_array(batch_as_struct(batch), out);
    return Status::OK();
  });
  if (!st.ok() && out_schema) release_schema(out_schema);
  return st;
}

namespace {
void on_cpu(ArrowDeviceArray* out) {
  out->device_id = -1;
  out->device_type = ARROW_DEVICE_CPU;
  out->sync_event = nullptr;
  out->reserved[0] = out->reserved[1] = out->reserved[2] = 0;
}
}  // namespace

Status export_device_array(const Array& array, ArrowDeviceArray* out, ArrowSchema* out_schema) {
  if (out == nullptr) return Status::Invalid("no ArrowDeviceArray to export into");
  ARROWPACK_RETURN_NOT_OK(export_array(array, &out->array, out_schema));
  on_cpu(out);
  return Status::OK();
}

Status export_device_record_batch(const RecordBatch& batch, ArrowDeviceArray* out, ArrowSchema* out_schema) {
  if (out == nullptr) return Status::Invalid("no ArrowDeviceArray to export into");
  ARROWPACK_RETURN_NOT_OK(export_record_batch(batch, &out->array, out_schema));
  on_cpu(out);
  return Status::OK();
}

Status export_stream(SchemaPtr schema, BatchSource next, ArrowArrayStream* out) {
  if (out == nullptr) return Status::Invalid("no ArrowArrayStream to export into");
  if (!schema || !next) return Status::Invalid("export_stream needs a schema and a batch source");
  return catch_exceptions("exporting a stream", [&] {
    auto* self = new ExportedStream{std::move(schema), std::move(next), {}};
    out->get_schema = &stream_get_schema;
    out->get_next = &stream_get_next;
    out->get_last_error = &stream_last_error;
    out->release = &stream_release;
    out->private_data = self;
    return Status::OK();
  });
}

Status export_table(std::shared_ptr<const Table> table, ArrowArrayStream* out) {
  if (!table) return Status::Invalid("no table to export");
  SchemaPtr schema = table->schema();
  auto index = std::make_shared<std::size_t>(0);
  return export_stream(
      std::move(schema),
      [table, index]() -> Result<RecordBatchPtr> {
        if (*index >= table->batches().size()) return RecordBatchPtr();
        return table->batches()[(*index)++];
      },
      out);
}

// ---- import

Result<DataTypePtr> import_type(ArrowSchema* schema, const ImportOptions& options) {
  if (schema == nullptr) return Status::Invalid("no ArrowSchema");
  ReleaseOnExit<ArrowSchema> release{schema};
  return catch_exceptions("importing an ArrowSchema", [&] { return type_from(schema, options, 0); });
}

Result<FieldPtr> import_field(ArrowSchema* schema, const ImportOptions& options) {
  if (schema == nullptr) return Status::Invalid("no ArrowSchema");
  ReleaseOnExit<ArrowSchema> release{schema};
  return catch_exceptions("importing an ArrowSchema", [&] { return field_from(schema, options, 0); });
}

Result<SchemaPtr> import_schema(ArrowSchema* schema, const ImportOptions& options) {
  if (schema == nullptr) return Status::Invalid("no ArrowSchema");
  ReleaseOnExit<ArrowSchema> release{schema};
  return catch_exceptions("importing an ArrowSchema", [&]() -> Result<SchemaPtr> {
    ARROWPACK_ASSIGN_OR_RAISE(FieldPtr f, field_from(schema, options, 0));
    if (f->type()->id() != TypeId::kStruct) {
      return Status::Invalid("a schema is a struct ArrowSchema, not ", f->type()->to_string());
    }
    return arrowpack::schema(f->type()->fields(), f->metadata());
  });
}

Result<Array> import_array(ArrowArray* array, DataTypePtr type, const ImportOptions& options) {
  return catch_exceptions("importing an ArrowArray", [&] { return import_moved(array, std::move(type), options); });
}

Result<Array> import_array(ArrowArray* array, ArrowSchema* schema, const ImportOptions& options) {
  auto type = import_type(schema, options);
  if (!type.ok()) {
    if (array != nullptr) release_now(array);
    return type.status();
  }
  return import_array(array, type.move_value(), options);
}

Result<RecordBatchPtr> import_record_batch(ArrowArray* array, SchemaPtr schema, const ImportOptions& options) {
  if (!schema) {
    if (array != nullptr) release_now(array);
    return Status::Invalid("no schema for the record batch");
  }
  ARROWPACK_ASSIGN_OR_RAISE(Array columns, import_array(array, struct_(schema->fields()), options));
  if (columns.null_count() != 0) {
    return Status::Invalid("a record batch is a struct array without nulls; this one has ", columns.null_count());
  }
  std::vector<Array> out;
  out.reserve(static_cast<std::size_t>(columns.num_children()));
  for (int i = 0; i < columns.num_children(); ++i) {
    ARROWPACK_ASSIGN_OR_RAISE(Array column, columns.child(i).slice(columns.offset(), columns.length()));
    out.push_back(std::move(column));
  }
  return RecordBatch::make(std::move(schema), columns.length(), std::move(out));
}

Result<RecordBatchPtr> import_record_batch(ArrowArray* array, ArrowSchema* schema, const ImportOptions& options) {
  auto imported = import_schema(schema, options);
  if (!imported.ok()) {
    if (array != nullptr) release_now(array);
    return imported.status();
  }
  return import_record_batch(array, imported.move_value(), options);
}

Result<Array> import_device_array(ArrowDeviceArray* array, DataTypePtr type, const ImportOptions& options) {
  if (array == nullptr) return Status::Invalid("no ArrowDeviceArray");
  if (array->device_type != ARROW_DEVICE_CPU || array->sync_event != nullptr) {
    release_now(&array->array);
    return Status::NotImplemented("ArrowDeviceArray on device type ", array->device_type,
                                  array->sync_event ? " with a sync event" : "", ": arrowpack reads CPU memory");
  }
  return import_array(&array->array, std::move(type), options);
}

// ---- StreamImporter

Result<std::shared_ptr<StreamImporter>> StreamImporter::open(ArrowArrayStream* stream, const ImportOptions& options) {
  if (stream == nullptr || stream->release == nullptr) return Status::Invalid("ArrowArrayStream is null or released");
  std::shared_ptr<StreamImporter> out(new StreamImporter());
  out->stream_ = *stream;  // moved: released by the importer
  stream->release = nullptr;
  out->options_ = options;
  if (out->stream_.get_schema == nullptr || out->stream_.get_next == nullptr) {
    return Status::Invalid("ArrowArrayStream without its callbacks");
  }
  ArrowSchema schema{};
  const int rc = out->stream_.get_schema(&out->stream_, &schema);
  if (rc != 0) return out->producer_error(rc, "get_schema");
  ARROWPACK_ASSIGN_OR_RAISE(out->schema_, import_schema(&schema, options));
  return out;
}

StreamImporter::~StreamImporter() {
  if (stream_.release != nullptr) stream_.release(&stream_);
}

Status StreamImporter::producer_error(int rc, const char* call) {
  const char* message = stream_.get_last_error ? stream_.get_last_error(&stream_) : nullptr;
  return Status::IOError("ArrowArrayStream ", call, " failed (", util::errno_text(rc), ")",
                         message ? ": " + escape_message(message) : std::string());
}

Result<RecordBatchPtr> StreamImporter::read_next_batch() {
  if (stream_.release == nullptr) return RecordBatchPtr();
  ArrowArray array{};
  const int rc = stream_.get_next(&stream_, &array);
  if (rc != 0) return producer_error(rc, "get_next");
  if (array.release == nullptr) return RecordBatchPtr();  // the end
  return import_record_batch(&array, schema_, options_);
}

Result<TablePtr> StreamImporter::read_all() {
  std::vector<RecordBatchPtr> batches;
  while (true) {
    ARROWPACK_ASSIGN_OR_RAISE(RecordBatchPtr batch, read_next_batch());
    if (!batch) break;
    batches.push_back(std::move(batch));
  }
  return Table::from_batches(schema_, std::move(batches));
}

}  // namespace arrowpack::c

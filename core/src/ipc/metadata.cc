#include <cstring>

#include "ipc/metadata_internal.h"

namespace arrowpack::ipc::internal {
namespace {

TimeUnit unit_from_fb(fb::TimeUnit u) {
  switch (u) {
    case fb::TimeUnit::SECOND: return TimeUnit::kSecond;
    case fb::TimeUnit::MILLISECOND: return TimeUnit::kMilli;
    case fb::TimeUnit::MICROSECOND: return TimeUnit::kMicro;
    case fb::TimeUnit::NANOSECOND: return TimeUnit::kNano;
  }
  return TimeUnit::kSecond;
}

bool valid_unit(fb::TimeUnit u) { return u >= fb::TimeUnit::SECOND && u <= fb::TimeUnit::NANOSECOND; }

fb::TimeUnit unit_to_fb(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSecond: return fb::TimeUnit::SECOND;
    case TimeUnit::kMilli: return fb::TimeUnit::MILLISECOND;
    case TimeUnit::kMicro: return fb::TimeUnit::MICROSECOND;
    case TimeUnit::kNano: return fb::TimeUnit::NANOSECOND;
  }
  return fb::TimeUnit::SECOND;
}

// `path` is the field's position (child indices from the schema down); dictionary-encoded
// fields are recorded in `memo` under it.
Result<FieldPtr> field_from_flatbuffer(const fb::Field* f, const IpcReadOptions& options, int depth,
                                       DecodeBudget* budget, DictionaryMemo::FieldPath& path, DictionaryMemo* memo);

Result<FieldVector> children_from_flatbuffer(const fb::Field* f, const IpcReadOptions& options, int depth,
                                             DecodeBudget* budget, DictionaryMemo::FieldPath& path,
                                             DictionaryMemo* memo) {
  FieldVector out;
  if (const auto* children = f->children()) {
    out.reserve(children->size());
    for (flatbuffers::uoffset_t i = 0; i < children->size(); ++i) {
      const fb::Field* c = children->Get(i);
      if (c == nullptr) return Status::Invalid("null child field ", i);
      path.push_back(static_cast<int>(i));
      auto child = field_from_flatbuffer(c, options, depth + 1, budget, path, memo);
      path.pop_back();
      if (!child.ok()) return child.status();
      out.push_back(child.move_value());
    }
  }
  return out;
}

Status expect_children(std::size_t n, const FieldVector& children, const char* type) {
  if (children.size() != n) {
    return Status::Invalid(type, " type has ", children.size(), " children, expected ", n);
  }
  return Status::OK();
}

}  // namespace

Result<DataTypePtr> type_from_flatbuffer(fb::Type kind, const void* table, FieldVector children, DecodeBudget* budget) {
  if (table == nullptr && kind != fb::Type::NONE) return Status::Invalid("type table is missing");
  switch (kind) {
    case fb::Type::NONE: return Status::Invalid("field without a type");
    case fb::Type::Null: return null();
    case fb::Type::Bool: return boolean();
    case fb::Type::Int: {
      const auto* t = static_cast<const fb::Int*>(table);
      const bool s = t->is_signed();
      switch (t->bitWidth()) {
        case 8: return s ? int8() : uint8();
        case 16: return s ? int16() : uint16();
        case 32: return s ? int32() : uint32();
        case 64: return s ? int64() : uint64();
        default: return Status::Invalid("integer bit width ", t->bitWidth(), " is not 8/16/32/64");
      }
    }
    case fb::Type::FloatingPoint:
      switch (static_cast<const fb::FloatingPoint*>(table)->precision()) {
        case fb::Precision::HALF: return float16();
        case fb::Precision::SINGLE: return float32();
        case fb::Precision::DOUBLE: return float64();
      }
      return Status::Invalid("unknown floating point precision");
    case fb::Type::Utf8: return utf8();
    case fb::Type::LargeUtf8: return large_utf8();
    case fb::Type::Binary: return binary();
    case fb::Type::LargeBinary: return large_binary();
    case fb::Type::FixedSizeBinary: {
      const int w = static_cast<const fb::FixedSizeBinary*>(table)->byteWidth();
      if (w < 0) return Status::Invalid("negative fixed_size_binary width ", w);
      return fixed_size_binary(w);
    }
    case fb::Type::Date:
      switch (static_cast<const fb::Date*>(table)->unit()) {
        case fb::DateUnit::DAY: return date32();
        case fb::DateUnit::MILLISECOND: return date64();
      }
      return Status::Invalid("unknown date unit");
    case fb::Type::Time: {
      const auto* t = static_cast<const fb::Time*>(table);
      if (!valid_unit(t->unit())) return Status::Invalid("unknown time unit");
      const TimeUnit unit = unit_from_fb(t->unit());
      if (t->bitWidth() == 32) return time32(unit);
      if (t->bitWidth() == 64) return time64(unit);
      return Status::Invalid("time bit width ", t->bitWidth(), " is not 32 or 64");
    }
    case fb::Type::Timestamp: {
      const auto* t = static_cast<const fb::Timestamp*>(table);
      if (!valid_unit(t->unit())) return Status::Invalid("unknown timestamp unit");
      ARROWPACK_ASSIGN_OR_RAISE(auto tz, budget->string(t->timezone(), "time zone bytes"));
      return timestamp(unit_from_fb(t->unit()), std::move(tz));
    }
    case fb::Type::Duration: {
      const auto* t = static_cast<const fb::Duration*>(table);
      if (!valid_unit(t->unit())) return Status::Invalid("unknown duration unit");
      return duration(unit_from_fb(t->unit()));
    }
    case fb::Type::List: ARROWPACK_RETURN_NOT_OK(expect_children(1, children, "list")); return list(children[0]);
    case fb::Type::LargeList:
      ARROWPACK_RETURN_NOT_OK(expect_children(1, children, "large_list"));
      return large_list(children[0]);
    case fb::Type::FixedSizeList: {
      ARROWPACK_RETURN_NOT_OK(expect_children(1, children, "fixed_size_list"));
      const int n = static_cast<const fb::FixedSizeList*>(table)->listSize();
      if (n < 0) return Status::Invalid("negative fixed_size_list size ", n);
      return fixed_size_list(children[0], n);
    }
    case fb::Type::Struct_: return struct_(std::move(children));
    case fb::Type::Map: {
      ARROWPACK_RETURN_NOT_OK(expect_children(1, children, "map"));
      const auto& entries = children[0]->type();
      if (entries->id() != TypeId::kStruct || entries->num_fields() != 2) {
        return Status::Invalid("map entries must be a struct of two fields, got ", entries->to_string());
      }
      // Kept as written (some producers mark keys nullable) so that a copy round-trips.
      return map(children[0], static_cast<const fb::Map*>(table)->keysSorted());
    }
    case fb::Type::Union: {
      const auto* u = static_cast<const fb::Union*>(table);
      std::vector<std::int8_t> codes;
      if (const auto* ids = u->typeIds()) {
        for (flatbuffers::uoffset_t i = 0; i < ids->size(); ++i) {
          const std::int32_t id = load_scalar(ids, i);
          if (id < 0 || id > 127) return Status::Invalid("union type id ", id, " outside [0, 127]");
          codes.push_back(static_cast<std::int8_t>(id));
        }
      }
      if (u->mode() == fb::UnionMode::Dense) return dense_union(std::move(children), std::move(codes));
      if (u->mode() == fb::UnionMode::Sparse) return sparse_union(std::move(children), std::move(codes));
      return Status::Invalid("unknown union mode");
    }
    case fb::Type::Decimal: {
      const auto* d = static_cast<const fb::Decimal*>(table);
      switch (d->bitWidth()) {
        case 32: return decimal32(d->precision(), d->scale());
        case 64: return decimal64(d->precision(), d->scale());
        case 128: return decimal128(d->precision(), d->scale());
        case 256: return decimal256(d->precision(), d->scale());
        default: return Status::Invalid("decimal bit width ", d->bitWidth(), " is not 32/64/128/256");
      }
    }
    case fb::Type::Interval:
      switch (static_cast<const fb::Interval*>(table)->unit()) {
        case fb::IntervalUnit::YEAR_MONTH: return month_interval();
        case fb::IntervalUnit::DAY_TIME: return day_time_interval();
        case fb::IntervalUnit::MONTH_DAY_NANO: return month_day_nano_interval();
      }
      return Status::Invalid("unknown interval unit");
    case fb::Type::BinaryView: return binary_view();
    case fb::Type::Utf8View: return utf8_view();
    case fb::Type::ListView:
      ARROWPACK_RETURN_NOT_OK(expect_children(1, children, "list_view"));
      return list_view(children[0]);
    case fb::Type::LargeListView:
      ARROWPACK_RETURN_NOT_OK(expect_children(1, children, "large_list_view"));
      return large_list_view(children[0]);
    case fb::Type::RunEndEncoded: {
      ARROWPACK_RETURN_NOT_OK(expect_children(2, children, "run_end_encoded"));
      // The children keep the names and flags they were written with.
      ARROWPACK_ASSIGN_OR_RAISE(auto t, run_end_encoded(children[0]->type(), children[1]->type()));
      if (children[0]->nullable()) return Status::Invalid("run_end_encoded run ends must not be nullable");
      return std::make_shared<DataType>(TypeId::kRunEndEncoded, std::move(children), DataType::Params{});
    }
  }
  return Status::Invalid("unknown Arrow type id ", static_cast<int>(kind));
}

namespace {

Result<DataTypePtr> index_type_from_flatbuffer(const fb::Int* t) {
  if (t == nullptr) return int32();  // the spec's default
  const bool s = t->is_signed();
  switch (t->bitWidth()) {
    case 8: return s ? int8() : uint8();
    case 16: return s ? int16() : uint16();
    case 32: return s ? int32() : uint32();
    case 64: return s ? int64() : uint64();
    default: return Status::Invalid("dictionary index bit width ", t->bitWidth(), " is not 8/16/32/64");
  }
}

Result<FieldPtr> field_from_flatbuffer(const fb::Field* f, const IpcReadOptions& options, int depth,
                                       DecodeBudget* budget, DictionaryMemo::FieldPath& path, DictionaryMemo* memo) {
  if (depth > options.limits.max_depth) {
    return Status::CapacityError("type nesting deeper than ReadLimits::max_depth = ", options.limits.max_depth,
                                 " levels");
  }
  ARROWPACK_RETURN_NOT_OK(budget->take(0, "fields"));
  ARROWPACK_ASSIGN_OR_RAISE(const std::string name, budget->string(f->name(), "field name bytes"));
  ARROWPACK_ASSIGN_OR_RAISE(auto children, children_from_flatbuffer(f, options, depth, budget, path, memo));
  auto type = type_from_flatbuffer(f->type_type(), f->type(), std::move(children), budget);
  if (!type.ok()) return type.status().with_context("field '" + name + "'");
  if (const fb::DictionaryEncoding* enc = f->dictionary()) {
    // The field's type is the dictionary's value type; the encoding names the indices.
    auto index_type = index_type_from_flatbuffer(enc->indexType());
    if (!index_type.ok()) return index_type.status().with_context("field '" + name + "'");
    ARROWPACK_ASSIGN_OR_RAISE(auto dict_type, dictionary(index_type.move_value(), type.move_value(), enc->isOrdered()));
    if (memo == nullptr) {
      return Status::Invalid("field '", name, "' is dictionary-encoded: read it with its dictionaries");
    }
    Status st = memo->add_field(path, enc->id(), dict_type);
    if (!st.ok()) return st.with_context("field '" + name + "'");
    type = std::move(dict_type);
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto metadata, metadata_from_flatbuffer(f->custom_metadata(), budget));
  return std::make_shared<Field>(name, type.move_value(), f->nullable(), std::move(metadata));
}

// ---- writing

Result<flatbuffers::Offset<fb::Field>> field_to_flatbuffer(FBB& fbb, const Field& field,
                                                           DictionaryMemo::FieldPath& path, const DictionaryMemo& memo);

}  // namespace

Result<TypeOffset> type_to_flatbuffer(FBB& fbb, const DataType& t) {
  auto int_type = [&](int bits, bool is_signed) -> TypeOffset {
    return {fb::Type::Int, fb::CreateInt(fbb, bits, is_signed).Union()};
  };
  switch (t.id()) {
    case TypeId::kNull: return TypeOffset{fb::Type::Null, fb::CreateNull(fbb).Union()};
    case TypeId::kBool: return TypeOffset{fb::Type::Bool, fb::CreateBool(fbb).Union()};
    case TypeId::kInt8: return int_type(8, true);
    case TypeId::kInt16: return int_type(16, true);
    case TypeId::kInt32: return int_type(32, true);
    case TypeId::kInt64: return int_type(64, true);
    case TypeId::kUInt8: return int_type(8, false);
    case TypeId::kUInt16: return int_type(16, false);
    case TypeId::kUInt32: return int_type(32, false);
    case TypeId::kUInt64: return int_type(64, false);
    case TypeId::kHalfFloat:
      return TypeOffset{fb::Type::FloatingPoint, fb::CreateFloatingPoint(fbb, fb::Precision::HALF).Union()};
    case TypeId::kFloat:
      return TypeOffset{fb::Type::FloatingPoint, fb::CreateFloatingPoint(fbb, fb::Precision::SINGLE).Union()};
    case TypeId::kDouble:
      return TypeOffset{fb::Type::FloatingPoint, fb::CreateFloatingPoint(fbb, fb::Precision::DOUBLE).Union()};
    case TypeId::kString: return TypeOffset{fb::Type::Utf8, fb::CreateUtf8(fbb).Union()};
    case TypeId::kLargeString: return TypeOffset{fb::Type::LargeUtf8, fb::CreateLargeUtf8(fbb).Union()};
    case TypeId::kBinary: return TypeOffset{fb::Type::Binary, fb::CreateBinary(fbb).Union()};
    case TypeId::kLargeBinary: return TypeOffset{fb::Type::LargeBinary, fb::CreateLargeBinary(fbb).Union()};
    case TypeId::kFixedSizeBinary:
      return TypeOffset{fb::Type::FixedSizeBinary, fb::CreateFixedSizeBinary(fbb, t.fixed_size()).Union()};
    case TypeId::kDate32: return TypeOffset{fb::Type::Date, fb::CreateDate(fbb, fb::DateUnit::DAY).Union()};
    case TypeId::kDate64: return TypeOffset{fb::Type::Date, fb::CreateDate(fbb, fb::DateUnit::MILLISECOND).Union()};
    case TypeId::kTime32: return TypeOffset{fb::Type::Time, fb::CreateTime(fbb, unit_to_fb(t.unit()), 32).Union()};
    case TypeId::kTime64: return TypeOffset{fb::Type::Time, fb::CreateTime(fbb, unit_to_fb(t.unit()), 64).Union()};
    case TypeId::kTimestamp: {
      auto tz = t.timezone().empty() ? 0 : fbb.CreateString(t.timezone());
      return TypeOffset{fb::Type::Timestamp, fb::CreateTimestamp(fbb, unit_to_fb(t.unit()), tz).Union()};
    }
    case TypeId::kDuration:
      return TypeOffset{fb::Type::Duration, fb::CreateDuration(fbb, unit_to_fb(t.unit())).Union()};
    case TypeId::kList: return TypeOffset{fb::Type::List, fb::CreateList(fbb).Union()};
    case TypeId::kLargeList: return TypeOffset{fb::Type::LargeList, fb::CreateLargeList(fbb).Union()};
    case TypeId::kFixedSizeList:
      return TypeOffset{fb::Type::FixedSizeList, fb::CreateFixedSizeList(fbb, t.fixed_size()).Union()};
    case TypeId::kStruct: return TypeOffset{fb::Type::Struct_, fb::CreateStruct_(fbb).Union()};
    case TypeId::kMap: return TypeOffset{fb::Type::Map, fb::CreateMap(fbb, t.keys_sorted()).Union()};
    case TypeId::kSparseUnion:
    case TypeId::kDenseUnion: {
      std::vector<std::int32_t> ids(t.type_codes().begin(), t.type_codes().end());
      auto v = fbb.CreateVector(ids);
      const auto mode = t.id() == TypeId::kDenseUnion ? fb::UnionMode::Dense : fb::UnionMode::Sparse;
      return TypeOffset{fb::Type::Union, fb::CreateUnion(fbb, mode, v).Union()};
    }
    case TypeId::kDecimal32:
    case TypeId::kDecimal64:
    case TypeId::kDecimal128:
    case TypeId::kDecimal256:
      return TypeOffset{
          fb::Type::Decimal,
          fb::CreateDecimal(fbb, t.precision(), t.scale(), static_cast<std::int32_t>(t.bit_width())).Union()};
    case TypeId::kIntervalMonths:
      return TypeOffset{fb::Type::Interval, fb::CreateInterval(fbb, fb::IntervalUnit::YEAR_MONTH).Union()};
    case TypeId::kIntervalDayTime:
      return TypeOffset{fb::Type::Interval, fb::CreateInterval(fbb, fb::IntervalUnit::DAY_TIME).Union()};
    case TypeId::kIntervalMonthDayNano:
      return TypeOffset{fb::Type::Interval, fb::CreateInterval(fbb, fb::IntervalUnit::MONTH_DAY_NANO).Union()};
    case TypeId::kBinaryView: return TypeOffset{fb::Type::BinaryView, fb::CreateBinaryView(fbb).Union()};
    case TypeId::kStringView: return TypeOffset{fb::Type::Utf8View, fb::CreateUtf8View(fbb).Union()};
    case TypeId::kListView: return TypeOffset{fb::Type::ListView, fb::CreateListView(fbb).Union()};
    case TypeId::kLargeListView: return TypeOffset{fb::Type::LargeListView, fb::CreateLargeListView(fbb).Union()};
    case TypeId::kRunEndEncoded: return TypeOffset{fb::Type::RunEndEncoded, fb::CreateRunEndEncoded(fbb).Union()};
    case TypeId::kDictionary: break;  // written by field_to_flatbuffer as its value type
  }
  return Status::NotImplemented("cannot write type ", t.to_string());
}

namespace {

Result<flatbuffers::Offset<fb::Field>> field_to_flatbuffer(FBB& fbb, const Field& field,
                                                           DictionaryMemo::FieldPath& path,
                                                           const DictionaryMemo& memo) {
  // A dictionary field is written as its value type plus a DictionaryEncoding.
  const bool encoded = field.type()->id() == TypeId::kDictionary;
  const DataType& shape = encoded ? *field.type()->value_type() : *field.type();
  std::vector<flatbuffers::Offset<fb::Field>> children;
  for (int i = 0; i < shape.num_fields(); ++i) {
    path.push_back(i);
    auto off = field_to_flatbuffer(fbb, *shape.field(i), path, memo);
    path.pop_back();
    if (!off.ok()) return off.status();
    children.push_back(*off);
  }
  // The order in which the parts are built is Arrow C++'s (FieldToFlatbufferVisitor):
  // children, type, dictionary encoding, metadata, name, children vector. Any order reads
  // the same; this one makes the bytes identical to what pyarrow writes.
  ARROWPACK_ASSIGN_OR_RAISE(auto type, type_to_flatbuffer(fbb, shape));
  flatbuffers::Offset<fb::DictionaryEncoding> encoding = 0;
  if (encoded) {
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t id, memo.id_for(path));
    const DataType& index = *field.type()->index_type();
    auto index_offset = fb::CreateInt(fbb, static_cast<std::int32_t>(index.bit_width()), index.is_signed_integer());
    encoding =
        fb::CreateDictionaryEncoding(fbb, id, index_offset, field.type()->ordered(), fb::DictionaryKind::DenseArray);
  }
  auto meta = metadata_to_flatbuffer(fbb, field.metadata());
  auto name = fbb.CreateString(field.name());
  auto kids = fbb.CreateVector(children);
  return fb::CreateField(fbb, name, field.nullable(), type.first, type.second, encoding, kids, meta);
}

}  // namespace

Result<std::shared_ptr<Buffer>> body_slice(const Message& message, std::int64_t offset, std::int64_t length,
                                           const char* what) {
  const std::int64_t body = message.body_length();
  if (offset < 0 || length < 0 || offset > body || length > body - offset) {
    return Status::Invalid(what, " [offset ", offset, ", length ", length, "] lies outside the ", body,
                           "-byte message body");
  }
  return message.body()->slice(offset, length);
}

Status dims_from_flatbuffer(const flatbuffers::Vector<flatbuffers::Offset<fb::TensorDim>>* dims, const char* what,
                            DecodeBudget* budget, std::vector<std::int64_t>* shape, std::vector<std::string>* names) {
  if (dims == nullptr) return Status::Invalid(what, " without a shape");
  if (dims->size() > 64) return Status::CapacityError(what, " of ", dims->size(), " dimensions (limit 64)");
  for (flatbuffers::uoffset_t i = 0; i < dims->size(); ++i) {
    const fb::TensorDim* d = dims->Get(i);
    if (d == nullptr) return Status::Invalid(what, " dimension ", i, " is missing");
    shape->push_back(d->size());
    ARROWPACK_ASSIGN_OR_RAISE(auto name, budget->string(d->name(), "dimension name bytes"));
    names->push_back(std::move(name));
  }
  return Status::OK();
}

Result<MetadataPtr> metadata_from_flatbuffer(const flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>* kv,
                                             DecodeBudget* budget) {
  if (kv == nullptr || kv->size() == 0) return MetadataPtr();
  auto out = std::make_shared<KeyValueMetadata>();
  for (flatbuffers::uoffset_t i = 0; i < kv->size(); ++i) {
    const fb::KeyValue* p = kv->Get(i);
    if (p == nullptr) continue;
    ARROWPACK_ASSIGN_OR_RAISE(auto key, budget->string(p->key(), "metadata bytes"));
    ARROWPACK_ASSIGN_OR_RAISE(auto value, budget->string(p->value(), "metadata bytes"));
    out->append(std::move(key), std::move(value));
  }
  return MetadataPtr(std::move(out));
}

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::KeyValue>>> metadata_to_flatbuffer(
    FBB& fbb, const MetadataPtr& metadata) {
  if (!metadata || metadata->empty()) return 0;
  std::vector<flatbuffers::Offset<fb::KeyValue>> kvs;
  for (const auto& [k, v] : metadata->pairs()) {
    // Key before value, in sequence (not as two arguments, whose order C++ leaves open),
    // as Arrow C++ builds them: the same bytes.
    auto key = fbb.CreateString(k);
    auto value = fbb.CreateString(v);
    kvs.push_back(fb::CreateKeyValue(fbb, key, value));
  }
  return fbb.CreateVector(kvs);
}

Result<SchemaPtr> schema_from_flatbuffer(const fb::Schema* schema, const IpcReadOptions& options, DecodeBudget* budget,
                                         DictionaryMemo* memo) {
  if (schema == nullptr) return Status::Invalid("missing schema");
  const bool big = schema->endianness() != fb::Endianness::Little;
  if (big && !options.ensure_native_endian) {
    return Status::NotImplemented(
        "big-endian IPC data, and ensure_native_endian is off: refusing to read it as "
        "little-endian");
  }
  FieldVector fields;
  if (const auto* fs = schema->fields()) {
    fields.reserve(fs->size());
    for (flatbuffers::uoffset_t i = 0; i < fs->size(); ++i) {
      const fb::Field* f = fs->Get(i);
      if (f == nullptr) return Status::Invalid("null field ", i, " in schema");
      DictionaryMemo::FieldPath path{static_cast<int>(i)};
      ARROWPACK_ASSIGN_OR_RAISE(auto field, field_from_flatbuffer(f, options, 1, budget, path, memo));
      fields.push_back(std::move(field));
    }
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto metadata, metadata_from_flatbuffer(schema->custom_metadata(), budget));
  return std::make_shared<Schema>(std::move(fields), std::move(metadata), big ? Endianness::kBig : Endianness::kLittle);
}

Result<flatbuffers::Offset<fb::Schema>> schema_to_flatbuffer(FBB& fbb, const Schema& schema,
                                                             const DictionaryMemo* memo) {
  const DictionaryMemo own = memo ? DictionaryMemo() : DictionaryMemo::for_schema(schema);
  if (!memo) memo = &own;
  std::vector<flatbuffers::Offset<fb::Field>> fields;
  for (int i = 0; i < schema.num_fields(); ++i) {
    DictionaryMemo::FieldPath path{i};
    ARROWPACK_ASSIGN_OR_RAISE(auto off, field_to_flatbuffer(fbb, *schema.field(i), path, *memo));
    fields.push_back(off);
  }
  auto fv = fbb.CreateVector(fields);
  auto meta = metadata_to_flatbuffer(fbb, schema.metadata());
  return fb::CreateSchema(fbb, fb::Endianness::Little, fv, meta);
}

Result<std::shared_ptr<Buffer>> finish_to_buffer(FBB& fbb, MemoryPool* pool) {
  const std::int64_t size = fbb.GetSize();
  const std::int64_t padded = (size + 7) & ~std::int64_t{7};
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, allocate_buffer(padded, pool));
  std::memcpy(buf->mutable_data(), fbb.GetBufferPointer(), static_cast<std::size_t>(size));
  std::memset(buf->mutable_data() + size, 0, static_cast<std::size_t>(padded - size));
  return std::shared_ptr<Buffer>(std::move(buf));
}

Status verify_flatbuffer(const Buffer& bytes, const ReadLimits& limits, bool (*verify)(flatbuffers::Verifier&),
                         const char* what, const char* root) {
  const int depth = limits.flatbuffer_depth(limits.max_depth);
  const auto size = static_cast<std::size_t>(bytes.size());
  flatbuffers::Verifier verifier(bytes.data(), size, depth, kMaxFlatbufferTables);
  if (verify(verifier)) return Status::OK();
  // Failures are rare: tell a schema that only nests too deep from a broken flatbuffer.
  flatbuffers::Verifier unbounded(bytes.data(), size, 1 << 20, kMaxFlatbufferTables);
  if (verify(unbounded)) {
    return Status::CapacityError(what, " (", bytes.size(), " bytes) nests deeper than ", depth,
                                 " tables, the bound for types nested ReadLimits::max_depth = ", limits.max_depth,
                                 " levels deep");
  }
  return Status::Invalid(what, " (", bytes.size(), " bytes) is not a valid flatbuffer ", root);
}

Result<std::shared_ptr<Buffer>> ensure_aligned(std::shared_ptr<Buffer> buffer, std::int64_t alignment,
                                               MemoryPool* pool) {
  if (reinterpret_cast<std::uintptr_t>(buffer->data()) % alignment == 0) return buffer;
  return Buffer::copy_of(buffer->data(), buffer->size(), pool);
}

}  // namespace arrowpack::ipc::internal

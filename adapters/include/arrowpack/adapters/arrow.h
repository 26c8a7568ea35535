// Arrow tables, record batches and arrays in the typed front door, stored as pyarrow's
// default serialization context stored them ("pyarrow.Table", "pyarrow.RecordBatch",
// "pyarrow.Array": an IPC stream in an out-of-band buffer; see arrowpack/registry/arrow_objects.h).
//
//   auto blob = ap::serialize(table).value_or_throw().to_buffer().value_or_throw();
//   ap::TablePtr back = ap::deserialize<ap::TablePtr>(blob).value_or_throw();  // no copy
//
// pa.deserialize() of such a blob gives a pyarrow.Table; a blob pyarrow 11 wrote from a
// pa.Table reads back here as a TablePtr whose columns are slices of the blob.
#pragma once

#include "arrowpack/adapters/convert.h"
#include "arrowpack/registry/arrow_objects.h"

namespace arrowpack {

namespace detail {
// Reads the stream of a registered Arrow object: `read(buffer, limits)`.
template <typename T, typename Read>
Result<T> read_arrow_object(const ObjectReader::Cursor& c, std::string_view type_name, Read&& read) {
  ARROWPACK_ASSIGN_OR_RAISE(auto data, c.registered_data(type_name));
  ARROWPACK_ASSIGN_OR_RAISE(auto stream, data.buffer());
  return read(stream, c.limits());
}

template <typename T, typename Read>
Result<T> arrow_object_from_value(const Value& v, std::string_view type_name, Read&& read) {
  const Value* type = nullptr;
  const Value* data = nullptr;
  if (const Dict* d = v.as<Dict>()) {
    type = d->find("_pytype_");
    data = d->find("data");
  } else if (const Object* o = v.as<Object>(); o && o->fields) {  // opaque: read without the type
    if (const Dict* f = o->fields->as<Dict>()) {
      type = f->find("_pytype_");
      data = f->find("data");
    }
  }
  if (!type || !type->is_string() || *type->as<std::string>() != type_name || !data || !data->is_buffer()) {
    return Status::TypeError("expected an object of registered type '", type_name, "', got ", v.kind_name());
  }
  return read(*data->as<std::shared_ptr<Buffer>>(), ReadLimits{});
}
}  // namespace detail

/// A table: its batches as one IPC stream ("pyarrow.Table"). Reading also accepts what
/// pyarrow's default context wrote for a pandas DataFrame or Series, where its blocks allow
/// (arrow_objects::read_pandas_frame: numeric, bool and datetime columns, named by position).
template <>
struct Converter<TablePtr> {
  static constexpr bool kDefined = true;
  /// Errors: Invalid for a null TablePtr; those of arrow_objects::table_value().
  static Result<Value> to_value(const TablePtr& t, const SerializationContext&) {
    if (!t) return Status::Invalid("cannot serialize a null TablePtr");
    return arrow_objects::table_value(*t);
  }
  /// Errors: TypeError unless `v` is a registered "pyarrow.Table" object (a dict, or an opaque
  /// object) whose "data" is a buffer; those of arrow_objects::read_table().
  static Result<TablePtr> from_value(const Value& v, const SerializationContext&) {
    return detail::arrow_object_from_value<TablePtr>(v, arrow_objects::kTableType, arrow_objects::read_table);
  }
  /// Errors: those of arrow_objects::read_pandas_frame() for a pd.DataFrame or pd.Series;
  /// otherwise TypeError unless the element is a registered "pyarrow.Table" object (not a
  /// pickle) whose "data" is a buffer, and those of arrow_objects::read_table().
  static Result<TablePtr> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    if (auto type = c.registered_type();
        type && (*type == arrow_objects::kPandasFrameType || *type == arrow_objects::kPandasSeriesType)) {
      return arrow_objects::read_pandas_frame(c);
    }
    return detail::read_arrow_object<TablePtr>(c, arrow_objects::kTableType, arrow_objects::read_table);
  }
};

/// A record batch: an IPC stream of that one batch ("pyarrow.RecordBatch").
template <>
struct Converter<RecordBatchPtr> {
  static constexpr bool kDefined = true;
  /// Errors: Invalid for a null RecordBatchPtr; those of arrow_objects::record_batch_value().
  static Result<Value> to_value(const RecordBatchPtr& b, const SerializationContext&) {
    if (!b) return Status::Invalid("cannot serialize a null RecordBatchPtr");
    return arrow_objects::record_batch_value(*b);
  }
  /// Errors: TypeError unless `v` is a registered "pyarrow.RecordBatch" object (a dict, or an
  /// opaque object) whose "data" is a buffer; those of arrow_objects::read_record_batch().
  static Result<RecordBatchPtr> from_value(const Value& v, const SerializationContext&) {
    return detail::arrow_object_from_value<RecordBatchPtr>(v, arrow_objects::kRecordBatchType,
                                                           arrow_objects::read_record_batch);
  }
  /// Errors: TypeError unless the element is a registered "pyarrow.RecordBatch" object (not a
  /// pickle) whose "data" is a buffer; those of arrow_objects::read_record_batch().
  static Result<RecordBatchPtr> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    return detail::read_arrow_object<RecordBatchPtr>(c, arrow_objects::kRecordBatchType,
                                                     arrow_objects::read_record_batch);
  }
};

/// An array: a batch of one column named "" ("pyarrow.Array").
template <>
struct Converter<Array> {
  static constexpr bool kDefined = true;
  /// The errors of arrow_objects::array_value().
  static Result<Value> to_value(const Array& a, const SerializationContext&) { return arrow_objects::array_value(a); }
  /// Errors: TypeError unless `v` is a registered "pyarrow.Array" object (a dict, or an opaque
  /// object) whose "data" is a buffer; those of arrow_objects::read_array().
  static Result<Array> from_value(const Value& v, const SerializationContext&) {
    return detail::arrow_object_from_value<Array>(v, arrow_objects::kArrayType, arrow_objects::read_array);
  }
  /// Errors: TypeError unless the element is a registered "pyarrow.Array" object (not a
  /// pickle) whose "data" is a buffer; those of arrow_objects::read_array().
  static Result<Array> read(const ObjectReader::Cursor& c, const SerializationContext&) {
    return detail::read_arrow_object<Array>(c, arrow_objects::kArrayType, arrow_objects::read_array);
  }
};

}  // namespace arrowpack

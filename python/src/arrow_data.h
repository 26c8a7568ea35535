// The Arrow objects Python sees (types, fields, schemas, arrays, record batches, tables),
// each a handle to core's immutable object, and the Arrow PyCapsule interface that takes
// them to and from other libraries through core's C data interface bridge (no copy).
#pragma once

#include <memory>

#include "arrowpack/core/array.h"
#include "arrowpack/core/c/bridge.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/core/type.h"
#include "common.h"

namespace arrowpack::python {

struct PyDataType {
  DataTypePtr type;
};
struct PyField {
  FieldPtr field;
};
struct PySchema {
  SchemaPtr schema;
};
struct PyArray {
  Array array;
};
struct PyBatch {
  RecordBatchPtr batch;
};
struct PyTable {
  TablePtr table;
};

/// An "arrow_schema" capsule holding `schema` exported (the capsule releases it unless a
/// consumer moved it out).
nb::object schema_capsule(const Schema& schema);
/// An "arrow_array_stream" capsule over batches taken from `next` (held until released).
nb::object stream_capsule(SchemaPtr schema, c::BatchSource next);

/// The schema of an arrowpack Schema or of any __arrow_c_schema__ producer (imported).
/// TypeError for anything else; the import's errors.
SchemaPtr schema_of(nb::handle obj);
/// The batch of an arrowpack RecordBatch or of any __arrow_c_array__ producer (imported,
/// viewing the producer's memory). TypeError for anything else; the import's errors.
RecordBatchPtr batch_of(nb::handle obj);
/// The table of an arrowpack Table or of any __arrow_c_stream__ producer (read whole,
/// viewing the producer's memory). TypeError for anything else; the import's errors.
TablePtr table_of(nb::handle obj);

/// Adds DataType, Field, Schema, Array, RecordBatch and Table, and the factories (array,
/// record_batch, schema, field, int64(), ...) (arrow_data.cc).
void bind_arrow_objects(nb::module_& m);

}  // namespace arrowpack::python

// Export to and import from the Arrow C data interfaces (c/abi.h): types and schemas,
// arrays and record batches, device arrays (CPU) and streams. Nothing is copied either way.
//
// Export: the C structs point at arrowpack's buffers, and their private data holds the
// arrays, so the memory stays alive until the consumer calls release (on the whole struct or
// on a child it moved out). Import: arrowpack's buffers point at the producer's memory, and
// they keep the imported struct alive: its release is called when the last buffer goes.
//
// Imported structs are checked before use: counts, lengths, offsets and child shapes must
// agree with the format string, and the array is validated (in full by default: every offset,
// union code and UTF-8 sequence), so an inconsistent struct is a typed error, never a read out
// of bounds of the sizes it declares. The C interface carries no buffer sizes: a producer that
// declares more than it allocated cannot be detected by any consumer.
#pragma once

#include <functional>
#include <memory>

#include "arrowpack/core/array.h"
#include "arrowpack/core/c/abi.h"
#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/type.h"

namespace arrowpack::c {

/// How imports check what they receive.
struct ImportOptions {
  /// Nesting depth (max_depth), metadata bytes per schema (max_metadata_bytes).
  ReadLimits limits;
  /// kFull (the default) runs validate_full() on every imported array: for data from another
  /// library. kTrustedBytesOnly checks only that the declared sizes agree.
  Validation validation = Validation::kFull;
};

// ---- export (arrowpack -> C). Errors: NotImplemented for a type the interface has no format
// for (none today); Invalid for a null `out`, and for a field name or timestamp timezone that
// holds a NUL byte (an IPC stream may carry one; the interface's names and formats are C
// strings, which would cut it short). On error `out` is left released (release NULL).

/// `type` as an ArrowSchema with an empty name, nullable. Invalid for a null `out`.
Status export_type(const DataType& type, ArrowSchema* out);
/// `field`: its name, type, nullability (ARROW_FLAG_NULLABLE) and metadata. Invalid for a
/// null `out`.
Status export_field(const Field& field, ArrowSchema* out);
/// `schema` as a struct ArrowSchema of its fields, with the schema's metadata. Invalid for a
/// null `out`.
Status export_schema(const Schema& schema, ArrowSchema* out);
/// `array`'s data; also its type into `out_schema` when it is not null. Invalid for a null
/// `out` or an empty array handle.
Status export_array(const Array& array, ArrowArray* out, ArrowSchema* out_schema = nullptr);
/// `batch` as a struct array of its columns; its schema into `out_schema` when not null.
/// Invalid for a null `out`.
Status export_record_batch(const RecordBatch& batch, ArrowArray* out, ArrowSchema* out_schema = nullptr);
/// export_array() as an ArrowDeviceArray on the CPU (device_id -1, no sync event). Invalid
/// for a null `out`; the errors of export_array().
Status export_device_array(const Array& array, ArrowDeviceArray* out, ArrowSchema* out_schema = nullptr);
/// export_record_batch() as an ArrowDeviceArray on the CPU. Invalid for a null `out`.
Status export_device_record_batch(const RecordBatch& batch, ArrowDeviceArray* out, ArrowSchema* out_schema = nullptr);

/// Where an exported stream takes its batches: the next one, or null at the end.
using BatchSource = std::function<Result<RecordBatchPtr>()>;
/// A stream of `schema`'s batches taken from `next`, called from the consumer's get_next
/// (one thread at a time, as the interface requires). Errors of `next` reach the consumer as
/// EIO with their message in get_last_error. The stream holds `next` until released.
/// Invalid for a null `out`, schema or source.
Status export_stream(SchemaPtr schema, BatchSource next, ArrowArrayStream* out);
/// A stream of `table`'s batches (the table is held until released). Invalid for a null
/// table or `out`.
Status export_table(std::shared_ptr<const Table> table, ArrowArrayStream* out);

// ---- import (C -> arrowpack). The struct is moved: on return, success or not, its release is
// NULL and arrowpack owns (and will release) what it held. Errors: Invalid for a released or
// inconsistent struct or a format arrowpack cannot parse; NotImplemented for a format it
// does not know (an extension or a newer type) or a device other than the CPU; CapacityError
// past options.limits; TypeError for an array that does not match the given type.

/// The type of `schema` (its name, flags and metadata are dropped). Invalid for a released
/// or malformed schema; NotImplemented for an unknown format; CapacityError past
/// options.limits (nesting, metadata).
Result<DataTypePtr> import_type(ArrowSchema* schema, const ImportOptions& options = {});
/// `schema` as a field. The errors of import_type().
Result<FieldPtr> import_field(ArrowSchema* schema, const ImportOptions& options = {});
/// A struct ArrowSchema as a Schema (its children are the fields). The errors of
/// import_type(); Invalid for a schema that is not a struct.
Result<SchemaPtr> import_schema(ArrowSchema* schema, const ImportOptions& options = {});
/// `array` as an Array of `type`; its buffers are the producer's memory. Invalid for a
/// released array or one whose lengths, counts, buffers or values disagree with `type`;
/// TypeError for children of other types; CapacityError past options.limits.
Result<Array> import_array(ArrowArray* array, DataTypePtr type, const ImportOptions& options = {});
/// The same, with the type read from `schema` (released too); the errors of import_type().
Result<Array> import_array(ArrowArray* array, ArrowSchema* schema, const ImportOptions& options = {});
/// A struct `array` as a record batch of `schema` (no nulls at the top level). The errors of
/// import_array(); Invalid for a null schema or top-level nulls.
Result<RecordBatchPtr> import_record_batch(ArrowArray* array, SchemaPtr schema, const ImportOptions& options = {});
/// The same, with the schema read from `schema` (released too); the errors of
/// import_schema().
Result<RecordBatchPtr> import_record_batch(ArrowArray* array, ArrowSchema* schema, const ImportOptions& options = {});
/// A CPU ArrowDeviceArray. NotImplemented for another device or a sync event (the array is
/// released); the errors of import_array().
Result<Array> import_device_array(ArrowDeviceArray* array, DataTypePtr type, const ImportOptions& options = {});

/// Reads an imported ArrowArrayStream batch by batch. The reader owns the stream and releases
/// it when destroyed. One thread at a time.
class StreamImporter {
 public:
  /// Takes `stream` (moved: its release is NULL afterwards) and reads its schema. Errors:
  /// Invalid for a released stream or a schema that is not a struct; IOError for an error the
  /// producer reports (with its message); those of import_schema().
  static Result<std::shared_ptr<StreamImporter>> open(ArrowArrayStream* stream, const ImportOptions& options = {});
  ~StreamImporter();
  StreamImporter(const StreamImporter&) = delete;
  StreamImporter& operator=(const StreamImporter&) = delete;

  /// The stream's schema.
  const SchemaPtr& schema() const { return schema_; }
  /// The next batch, or null at the end. IOError for an error the producer reports; the
  /// errors of import_record_batch().
  Result<RecordBatchPtr> read_next_batch();
  /// Every remaining batch as a Table; the errors of read_next_batch() (IOError,
  /// Invalid, CapacityError).
  Result<TablePtr> read_all();

 private:
  StreamImporter() = default;
  Status producer_error(int rc, const char* call);
  ArrowArrayStream stream_{};
  SchemaPtr schema_;
  ImportOptions options_;
};

}  // namespace arrowpack::c

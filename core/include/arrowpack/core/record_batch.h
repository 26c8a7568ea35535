// RecordBatch (equal-length columns under one schema) and Table (batches under one schema).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrowpack/core/array.h"
#include "arrowpack/core/type.h"

namespace arrowpack {

/// Columns of equal length under a schema. Immutable; copy freely (columns are shared).
class RecordBatch {
 public:
  /// Checks that columns match the schema's field count and types and have `num_rows` rows.
  /// Errors: Invalid for no schema, a column count or row count that does not match, a negative row
  /// count or an empty column; TypeError for a column whose type differs from its field's.
  static Result<std::shared_ptr<RecordBatch>> make(SchemaPtr schema, std::int64_t num_rows, std::vector<Array> columns);
  /// Same, with the row count taken from the first column (0 when there is none).
  /// The errors of make(SchemaPtr, std::int64_t, std::vector<Array>).
  static Result<std::shared_ptr<RecordBatch>> make(SchemaPtr schema, std::vector<Array> columns);
  /// pyarrow's RecordBatch.from_arrays(arrays, names): nullable fields of the arrays' types.
  /// Errors: Invalid for an empty column or a number of names that differs from the columns; those
  /// of make(SchemaPtr, std::int64_t, std::vector<Array>).
  static Result<std::shared_ptr<RecordBatch>> from_arrays(std::vector<Array> columns,
                                                          const std::vector<std::string>& names);

  const SchemaPtr& schema() const { return schema_; }
  std::int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  const Array& column(int i) const { return columns_[i]; }
  const std::vector<Array>& columns() const { return columns_; }
  const std::string& column_name(int i) const { return schema_->field(i)->name(); }

  /// Same schema (field metadata optional) and equal columns.
  bool equals(const RecordBatch& other, bool check_metadata = false) const;
  /// A zero-copy view of rows [offset, offset + length).
  /// Errors: IndexError when the range is outside the batch's rows.
  Result<std::shared_ptr<RecordBatch>> slice(std::int64_t offset, std::int64_t length) const;
  /// Errors: those of Array::validate() for the first column it refuses, with the column's name in
  /// front.
  Status validate() const;
  /// Errors: those of Array::validate_full() for the first column it refuses, with its name in
  /// front.
  Status validate_full() const;
  /// pyarrow's repr: "pyarrow.RecordBatch"-style header, schema, then one line per column.
  std::string to_string(std::int64_t window = 10) const;

 private:
  RecordBatch(SchemaPtr schema, std::int64_t num_rows, std::vector<Array> columns)
      : schema_(std::move(schema)), num_rows_(num_rows), columns_(std::move(columns)) {}
  SchemaPtr schema_;
  std::int64_t num_rows_;
  std::vector<Array> columns_;
};

using RecordBatchPtr = std::shared_ptr<RecordBatch>;

/// A sequence of record batches with one schema (what read_all() returns).
class Table {
 public:
  /// Every batch must have `schema` (metadata aside).
  /// Errors: Invalid for no schema or a batch of another schema; CapacityError past 2^63-1 rows.
  static Result<std::shared_ptr<Table>> from_batches(SchemaPtr schema, std::vector<RecordBatchPtr> batches);
  const SchemaPtr& schema() const { return schema_; }
  const std::vector<RecordBatchPtr>& batches() const { return batches_; }
  int num_batches() const { return static_cast<int>(batches_.size()); }
  std::int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return schema_->num_fields(); }
  /// Same schema and the same rows, whatever the batch boundaries.
  bool equals(const Table& other) const;
  std::string to_string(std::int64_t window = 10) const;

 private:
  Table(SchemaPtr schema, std::vector<RecordBatchPtr> batches, std::int64_t num_rows)
      : schema_(std::move(schema)), batches_(std::move(batches)), num_rows_(num_rows) {}
  SchemaPtr schema_;
  std::vector<RecordBatchPtr> batches_;
  std::int64_t num_rows_;
};

using TablePtr = std::shared_ptr<Table>;

}  // namespace arrowpack

#include "arrowpack/core/record_batch.h"

namespace arrowpack {

Result<std::shared_ptr<RecordBatch>> RecordBatch::make(SchemaPtr schema, std::int64_t num_rows,
                                                       std::vector<Array> columns) {
  if (!schema) return Status::Invalid("record batch without a schema");
  if (static_cast<int>(columns.size()) != schema->num_fields()) {
    return Status::Invalid("schema has ", schema->num_fields(), " fields but ", columns.size(), " columns were given");
  }
  if (num_rows < 0) return Status::Invalid("negative row count ", num_rows);
  for (int i = 0; i < schema->num_fields(); ++i) {
    const Array& c = columns[i];
    if (!c.valid_handle()) return Status::Invalid("column ", i, " is empty");
    if (!c.type()->equals(*schema->field(i)->type())) {
      return Status::TypeError("column '", schema->field(i)->name(), "' has type ", c.type()->to_string(),
                               ", the schema says ", schema->field(i)->type()->to_string());
    }
    if (c.length() != num_rows) {
      return Status::Invalid("column '", schema->field(i)->name(), "' has ", c.length(), " rows, the batch has ",
                             num_rows);
    }
  }
  return std::shared_ptr<RecordBatch>(new RecordBatch(std::move(schema), num_rows, std::move(columns)));
}

Result<std::shared_ptr<RecordBatch>> RecordBatch::make(SchemaPtr schema, std::vector<Array> columns) {
  const std::int64_t rows = columns.empty() || !columns[0].valid_handle() ? 0 : columns[0].length();
  return make(std::move(schema), rows, std::move(columns));
}

Result<std::shared_ptr<RecordBatch>> RecordBatch::from_arrays(std::vector<Array> columns,
                                                              const std::vector<std::string>& names) {
  if (names.size() != columns.size()) {
    return Status::Invalid(columns.size(), " arrays but ", names.size(), " names");
  }
  FieldVector fields;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (!columns[i].valid_handle()) return Status::Invalid("column ", i, " is empty");
    fields.push_back(field(names[i], columns[i].type()));
  }
  return make(arrowpack::schema(std::move(fields)), std::move(columns));
}

bool RecordBatch::equals(const RecordBatch& other, bool check_metadata) const {
  if (num_rows_ != other.num_rows_ || !schema_->equals(*other.schema_, check_metadata)) return false;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (!columns_[i].equals(other.columns_[i])) return false;
  }
  return true;
}

Result<std::shared_ptr<RecordBatch>> RecordBatch::slice(std::int64_t offset, std::int64_t length) const {
  std::vector<Array> cols;
  for (const auto& c : columns_) {
    ARROWPACK_ASSIGN_OR_RAISE(auto s, c.slice(offset, length));
    cols.push_back(std::move(s));
  }
  return std::shared_ptr<RecordBatch>(new RecordBatch(schema_, length, std::move(cols)));
}

Status RecordBatch::validate() const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    Status s = columns_[i].validate();
    if (!s.ok()) return s.with_context("column '" + schema_->field(static_cast<int>(i))->name() + "'");
  }
  return Status::OK();
}

Status RecordBatch::validate_full() const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const auto& f = *schema_->field(static_cast<int>(i));
    Status s = columns_[i].validate_full();
    if (!s.ok()) return s.with_context("column '" + f.name() + "'");
  }
  return Status::OK();
}

std::string RecordBatch::to_string(std::int64_t window) const {
  std::string out = "arrowpack.RecordBatch\n" + schema_->to_string() + "\n----";
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    out += "\n" + schema_->field(static_cast<int>(i))->name() + ": " + columns_[i].to_string_compact(window);
  }
  return out;
}

Result<std::shared_ptr<Table>> Table::from_batches(SchemaPtr schema, std::vector<RecordBatchPtr> batches) {
  if (!schema) return Status::Invalid("table without a schema");
  std::int64_t rows = 0;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (!batches[i] || !batches[i]->schema()->equals(*schema)) {
      return Status::Invalid("batch ", i, " does not have the table's schema");
    }
    if (__builtin_add_overflow(rows, batches[i]->num_rows(), &rows)) {
      return Status::CapacityError("table of more than 2^63-1 rows");
    }
  }
  return std::shared_ptr<Table>(new Table(std::move(schema), std::move(batches), rows));
}

bool Table::equals(const Table& other) const {
  if (!schema_->equals(*other.schema_) || num_rows_ != other.num_rows_) return false;
  // Walk both tables row-range by row-range, whatever their batch boundaries.
  std::size_t ai = 0, bi = 0;
  std::int64_t ao = 0, bo = 0;
  while (ai < batches_.size() && bi < other.batches_.size()) {
    const auto& a = *batches_[ai];
    const auto& b = *other.batches_[bi];
    const std::int64_t n = std::min(a.num_rows() - ao, b.num_rows() - bo);
    if (n > 0) {
      auto sa = a.slice(ao, n);
      auto sb = b.slice(bo, n);
      if (!sa.ok() || !sb.ok() || !(*sa)->equals(**sb)) return false;
    }
    ao += n;
    bo += n;
    if (ao == a.num_rows()) ++ai, ao = 0;
    if (bo == b.num_rows()) ++bi, bo = 0;
  }
  return true;
}

std::string Table::to_string(std::int64_t window) const {
  std::string out = "arrowpack.Table\n" + schema_->to_string() + "\n----";
  for (int c = 0; c < schema_->num_fields(); ++c) {
    out += "\n" + schema_->field(c)->name() + ": [";
    for (std::size_t b = 0; b < batches_.size(); ++b) {
      if (b) out += ",";
      out += batches_[b]->column(c).to_string_compact(window);
    }
    out += "]";
  }
  return out;
}

}  // namespace arrowpack

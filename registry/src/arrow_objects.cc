#include "arrowpack/registry/arrow_objects.h"
#include "arrowpack/core/util.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/reader.h"
#include "arrowpack/core/ipc/writer.h"

namespace arrowpack::arrow_objects {
namespace {

// pyarrow's dict(serialized_obj, _pytype_=name): "data" first, then "_pytype_".
Value object_value(std::string_view type_name, std::shared_ptr<Buffer> stream) {
  return Value::dict({{"data", Value(std::move(stream))}, {"_pytype_", std::string(type_name)}});
}

template <typename Write>
Result<Value> registered(std::string_view type_name, const SchemaPtr& schema, MemoryPool* pool, Write&& write) {
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, io::BufferOutputStream::create(4096, pool));
  ARROWPACK_ASSIGN_OR_RAISE(auto writer, ipc::new_stream(sink, schema));
  ARROWPACK_RETURN_NOT_OK(write(*writer));
  ARROWPACK_RETURN_NOT_OK(writer->close());
  ARROWPACK_ASSIGN_OR_RAISE(auto stream, sink->getvalue());
  return object_value(type_name, std::move(stream));
}

Result<std::shared_ptr<ipc::StreamReader>> open(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits) {
  if (!stream) return Status::Invalid("no IPC stream (null buffer)");
  ipc::IpcReadOptions options;
  options.limits = limits;
  return ipc::open_stream(stream, options);
}

}  // namespace

Result<Value> table_value(const Table& table, MemoryPool* pool) {
  return registered(kTableType, table.schema(), pool, [&](ipc::StreamWriter& w) { return w.write_table(table); });
}

Result<Value> record_batch_value(const RecordBatch& batch, MemoryPool* pool) {
  return registered(kRecordBatchType, batch.schema(), pool, [&](ipc::StreamWriter& w) { return w.write_batch(batch); });
}

Result<Value> array_value(const Array& array, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto batch, RecordBatch::from_arrays({array}, {""}));
  return registered(kArrayType, batch->schema(), pool, [&](ipc::StreamWriter& w) { return w.write_batch(*batch); });
}

Value table_object(std::shared_ptr<Buffer> stream) { return object_value(kTableType, std::move(stream)); }

Status write_table_object(ObjectWriter& writer, std::shared_ptr<Buffer> stream) {
  ARROWPACK_RETURN_NOT_OK(writer.begin_dict());
  ARROWPACK_RETURN_NOT_OK(writer.string("data"));  // the key order of object_value()
  ARROWPACK_RETURN_NOT_OK(writer.buffer(std::move(stream)));
  ARROWPACK_RETURN_NOT_OK(writer.string("_pytype_"));
  ARROWPACK_RETURN_NOT_OK(writer.string(kTableType));
  return writer.end();
}

namespace {
// batch_stream() and batch_message(): the batch message and its zeroed body, with the framed
// schema before it when `schema_metadata` is given and the end-of-stream marker after it when
// `end_of_stream`.
Result<BatchStream> lay_out_batch(const Buffer* schema_metadata, std::int64_t num_rows,
                                  std::span<const ipc::FieldNodeLayout> nodes,
                                  std::span<const ipc::BodyBufferLayout> buffers, std::int64_t body_length,
                                  bool end_of_stream, MemoryPool* pool) {
  if (num_rows < 0 || body_length < 0 || body_length % 8 != 0) {
    return Status::Invalid("a batch of ", num_rows, " rows and a body of ", body_length, " bytes");
  }
  for (const auto& node : nodes) {
    if (node.length < 0 || node.null_count < 0 || node.null_count > node.length) {
      return Status::Invalid("a field node of ", node.length, " values and ", node.null_count, " nulls");
    }
  }
  for (const auto& b : buffers) {
    if (b.offset < 0 || b.length < 0 || b.offset % 8 != 0 || b.length > body_length - b.offset) {
      return Status::Invalid("a body buffer at ", b.offset, " of ", b.length, " bytes outside a body of ", body_length);
    }
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto meta, ipc::record_batch_metadata(num_rows, nodes, buffers, body_length));
  std::int64_t schema_bytes = 0;
  if (schema_metadata != nullptr) {
    ARROWPACK_ASSIGN_OR_RAISE(schema_bytes, ipc::framed_message_size(schema_metadata->size()));
  }
  ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t meta_bytes, ipc::framed_message_size(meta.size()));
  const std::int64_t total = schema_bytes + meta_bytes + body_length + (end_of_stream ? ipc::kEndOfStreamBytes : 0);
  ARROWPACK_ASSIGN_OR_RAISE(auto stream, allocate_buffer(total, pool));
  std::uint8_t* p = stream->mutable_data();
  if (schema_metadata != nullptr) {
    p = ipc::frame_message({schema_metadata->data(), static_cast<std::size_t>(schema_metadata->size())}, p);
  }
  p = ipc::frame_message(meta, p);
  BatchStream out{std::move(stream), p};
  std::int64_t end = 0;  // zero what no buffer covers
  for (const auto& b : buffers) {
    if (b.offset > end) std::memset(p + end, 0, static_cast<std::size_t>(b.offset - end));
    end = std::max(end, b.offset + b.length);
  }
  if (body_length > end) std::memset(p + end, 0, static_cast<std::size_t>(body_length - end));
  if (end_of_stream) ipc::end_of_stream_marker(p + body_length);
  return out;
}
}  // namespace

Result<BatchStream> batch_stream(const Buffer& schema_metadata, std::int64_t num_rows,
                                 std::span<const ipc::FieldNodeLayout> nodes,
                                 std::span<const ipc::BodyBufferLayout> buffers, std::int64_t body_length,
                                 MemoryPool* pool) {
  return lay_out_batch(&schema_metadata, num_rows, nodes, buffers, body_length, true, pool);
}

Result<BatchStream> batch_message(std::int64_t num_rows, std::span<const ipc::FieldNodeLayout> nodes,
                                  std::span<const ipc::BodyBufferLayout> buffers, std::int64_t body_length,
                                  MemoryPool* pool) {
  return lay_out_batch(nullptr, num_rows, nodes, buffers, body_length, false, pool);
}

Result<TablePtr> read_table(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits) {
  ARROWPACK_ASSIGN_OR_RAISE(auto reader, open(stream, limits));
  auto table = reader->read_all();
  if (!table.ok()) return table.status().with_context("the IPC stream of an Arrow object");
  return table;
}

Result<RecordBatchPtr> read_record_batch(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits) {
  ARROWPACK_ASSIGN_OR_RAISE(auto table, read_table(stream, limits));
  if (table->num_batches() != 1) {
    return Status::TypeError("a pyarrow.RecordBatch stream holds one batch, this one ", table->num_batches());
  }
  return table->batches()[0];
}

Result<Array> read_array(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits) {
  ARROWPACK_ASSIGN_OR_RAISE(auto batch, read_record_batch(stream, limits));
  if (batch->num_columns() != 1) {
    return Status::TypeError("a pyarrow.Array stream holds one column, this one ", batch->num_columns());
  }
  return batch->column(0);
}

namespace {

std::string positions_text(const std::vector<std::int64_t>& positions) {
  std::string out;
  for (std::size_t i = 0; i < positions.size() && i < 8; ++i) out += (i ? ", " : "") + std::to_string(positions[i]);
  if (positions.size() > 8) out += ", ...";
  return out;
}

// One block's values as the Arrow type of its columns: a 2-D [columns, rows] tensor of
// elements of `width` bytes (the 'np.array' handler's uint8 view has rows * width bytes per
// row).
struct Block {
  DataTypePtr type;
  TensorPtr values;
  std::int64_t width = 0;  // bytes per value
  std::int64_t rows = 0;
  bool nat_is_null = false;
};

Result<TimeUnit> datetime_unit(std::string_view unit) {
  if (unit == "s") return TimeUnit::kSecond;
  if (unit == "ms") return TimeUnit::kMilli;
  if (unit == "us") return TimeUnit::kMicro;
  if (unit == "ns") return TimeUnit::kNano;
  return Status::TypeError("datetime64 unit '", unit, "' has no Arrow timestamp unit");
}

// A block stored by the default context's 'np.array' handler: (uint8 view, dtype descr).
Result<Block> described_block(const ObjectReader::Cursor& entry, const std::string& where) {
  ARROWPACK_ASSIGN_OR_RAISE(auto data, entry.registered_data("np.array"));
  ARROWPACK_ASSIGN_OR_RAISE(auto n, data.size());
  if (data.kind() != Value::Kind::kTuple || n != 2)
    return Status::SerializationError(where, ": np.array data is not a pair");
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes_cursor, data.element(0));
  ARROWPACK_ASSIGN_OR_RAISE(auto descr_cursor, data.element(1));
  auto descr = descr_cursor.string();
  if (!descr.ok())
    return Status::TypeError(where, ": a block of Python objects (dtype descr ", descr_cursor.describe(), ")");
  Block b;
  if (*descr == "|b1") {
    b.type = boolean();
    b.width = 1;
  } else if (descr->size() > 5 && (descr->substr(0, 4) == "<M8[") && descr->back() == ']') {
    ARROWPACK_ASSIGN_OR_RAISE(auto unit, datetime_unit(descr->substr(4, descr->size() - 5)));
    b.type = timestamp(unit);
    b.width = 8;
    b.nat_is_null = true;
  } else {
    return Status::TypeError(where, ": numpy dtype '", *descr, "' has no Arrow column type here");
  }
  ARROWPACK_ASSIGN_OR_RAISE(b.values, bytes_cursor.tensor());
  if (b.values->type()->id() != TypeId::kUInt8 || b.values->ndim() != 2 || b.values->shape()[1] % b.width != 0) {
    return Status::SerializationError(where, ": np.array bytes are not a 2-D uint8 view of ", *descr, " values");
  }
  b.rows = b.values->shape()[1] / b.width;
  return b;
}

Result<Block> ndarray_block(const ObjectReader::Cursor& entry, const std::string& where) {
  Block b;
  ARROWPACK_ASSIGN_OR_RAISE(b.values, entry.tensor());
  b.type = b.values->type();
  b.width = b.values->element_size();
  if (b.values->ndim() != 2)
    return Status::SerializationError(where, ": a block of ", b.values->ndim(), " dimensions, not 2");
  b.rows = b.values->shape()[1];
  return b;
}

// Column `i` of `b` as an Arrow array: a slice of the block when its rows are contiguous,
// else a gathered copy; NaT as nulls; bools packed.
Result<Array> column_of(const Block& b, std::int64_t i, const ObjectReader::Cursor& budget) {
  const Tensor& t = *b.values;
  const std::int64_t bytes = b.rows * b.width;
  std::shared_ptr<Buffer> values;
  const bool contiguous_row = t.strides()[1] == t.element_size();
  if (contiguous_row) {
    ARROWPACK_ASSIGN_OR_RAISE(values, t.data()->slice(t.strides()[0] * i, bytes));
  } else {
    ARROWPACK_RETURN_NOT_OK(budget.charge(bytes));
    ARROWPACK_ASSIGN_OR_RAISE(auto copy, allocate_buffer(bytes));
    const std::int64_t per = t.element_size();
    for (std::int64_t k = 0; k < t.shape()[1]; ++k) {
      std::memcpy(copy->mutable_data() + k * per, t.data()->data() + t.byte_offset({i, k}), per);
    }
    values = std::move(copy);
  }
  std::shared_ptr<Buffer> validity;
  if (b.type->id() == TypeId::kBool) {
    ARROWPACK_RETURN_NOT_OK(budget.charge(util::bytes_for_bits(b.rows)));
    ARROWPACK_ASSIGN_OR_RAISE(auto bits, allocate_buffer(util::bytes_for_bits(b.rows)));
    std::memset(bits->mutable_data(), 0, bits->size());
    for (std::int64_t k = 0; k < b.rows; ++k) {
      if (values->data()[k] != 0) bits->mutable_data()[k / 8] |= static_cast<std::uint8_t>(1u << (k % 8));
    }
    values = std::move(bits);
  } else if (b.nat_is_null) {
    std::shared_ptr<MutableBuffer> bits;
    for (std::int64_t k = 0; k < b.rows; ++k) {
      std::int64_t v;
      std::memcpy(&v, values->data() + 8 * k, 8);
      if (v != std::numeric_limits<std::int64_t>::min()) continue;  // NaT
      if (!bits) {
        ARROWPACK_RETURN_NOT_OK(budget.charge(util::bytes_for_bits(b.rows)));
        ARROWPACK_ASSIGN_OR_RAISE(bits, allocate_buffer(util::bytes_for_bits(b.rows)));
        std::memset(bits->mutable_data(), 0xff, bits->size());
      }
      bits->mutable_data()[k / 8] &= static_cast<std::uint8_t>(~(1u << (k % 8)));
    }
    validity = std::move(bits);
  }
  return Array::make(b.type, b.rows, {std::move(validity), std::move(values)});
}

}  // namespace

Result<TablePtr> read_pandas_frame(const ObjectReader::Cursor& object) {
  auto type = object.registered_type();
  if (!type || (*type != kPandasFrameType && *type != kPandasSeriesType) || object.is_pickle()) {
    return Status::TypeError("expected a pandas DataFrame or Series, got ", object.describe());
  }
  const std::string kind(*type);
  ARROWPACK_ASSIGN_OR_RAISE(auto data, object.registered_data(kind));
  auto blocks = data.find("blocks");
  if (!blocks) return Status::SerializationError(kind, " without 'blocks'");
  ARROWPACK_ASSIGN_OR_RAISE(auto n, blocks->size());
  std::vector<std::pair<std::int64_t, Array>> columns;
  std::int64_t rows = -1;
  for (std::int64_t j = 0; j < n; ++j) {
    ARROWPACK_ASSIGN_OR_RAISE(auto block, blocks->element(j));
    auto placement = block.find("placement");
    auto values = block.find("block");
    if (!placement || !values) return Status::SerializationError(kind, " block ", j, " without placement or values");
    ARROWPACK_ASSIGN_OR_RAISE(auto where_tensor, placement->tensor());
    if (where_tensor->type()->id() != TypeId::kInt64 || where_tensor->ndim() != 1) {
      return Status::SerializationError(kind, " block ", j, ": placement is not a 1-D int64 array");
    }
    std::vector<std::int64_t> positions;
    ARROWPACK_RETURN_NOT_OK(object.charge(where_tensor->shape()[0] * 8));
    for (std::int64_t k = 0; k < where_tensor->shape()[0]; ++k)
      positions.push_back(where_tensor->value<std::int64_t>({k}));
    const std::string where = kind + " column" + (positions.size() == 1 ? " " : "s ") + positions_text(positions);
    if (block.find("object")) {
      return Status::TypeError(where, " hold Python objects, pickled by pyarrow: arrowpack never unpickles");
    }
    if (block.find("dictionary")) {
      return Status::TypeError(where, " are categorical: the categories are a pickled pandas Index");
    }
    Block b;
    if (values->kind() == Value::Kind::kNdarray || values->kind() == Value::Kind::kTensor) {
      ARROWPACK_ASSIGN_OR_RAISE(b, ndarray_block(*values, where));
    } else if (auto block_type = values->registered_type(); block_type && *block_type == "np.array") {
      ARROWPACK_ASSIGN_OR_RAISE(b, described_block(*values, where));
    } else {
      return Status::TypeError(where, ": the block is ", values->describe(), ", not an array arrowpack reads");
    }
    if (auto tz = block.find("timezone")) {
      ARROWPACK_ASSIGN_OR_RAISE(auto zone, tz->string());
      if (b.type->id() != TypeId::kTimestamp)
        return Status::SerializationError(where, ": a time zone on a non-datetime block");
      b.type = timestamp(b.type->unit(), std::string(zone));
    }
    if (b.values->shape()[0] != static_cast<std::int64_t>(positions.size())) {
      return Status::SerializationError(where, ": ", positions.size(), " placements for a block of ",
                                        b.values->shape()[0], " columns");
    }
    if (rows >= 0 && b.rows != rows)
      return Status::SerializationError(where, ": ", b.rows, " rows, other blocks ", rows);
    rows = b.rows;
    for (std::size_t k = 0; k < positions.size(); ++k) {
      ARROWPACK_ASSIGN_OR_RAISE(auto column, column_of(b, static_cast<std::int64_t>(k), object));
      columns.emplace_back(positions[k], std::move(column));
    }
  }
  std::sort(columns.begin(), columns.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Array> arrays;
  std::vector<std::string> names;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (columns[k].first != static_cast<std::int64_t>(k)) {
      return Status::SerializationError(kind, ": block placements do not cover columns 0..", columns.size() - 1,
                                        " once each");
    }
    arrays.push_back(std::move(columns[k].second));
    names.push_back(std::to_string(k));
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto batch, RecordBatch::from_arrays(std::move(arrays), std::move(names)));
  return Table::from_batches(batch->schema(), {batch});
}

}  // namespace arrowpack::arrow_objects

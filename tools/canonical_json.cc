#include "canonical_json.h"

#include "json_writing.h"

#include "arrowpack/core/decimal.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

namespace arrowpack::tools {
namespace {

void append_json_string(std::string_view s, std::string& out) { json::append_string(s, out); }

void append_hex(std::string_view s, std::string& out) {
  out += '"';
  json::append_hex_digits(s, out);
  out += '"';
}

// Widened to double and printed in shortest round-trip form; specials as strings.
void append_number(double v, std::string& out) { json::append_number(v, out); }

template <typename T>
void append_quoted_int(T v, std::string& out) {
  out += '"';
  out += std::to_string(v);
  out += '"';
}

// Keys for members; repeated names become "name#position" for every occurrence.
std::vector<std::string> member_keys(const FieldVector& fields) {
  std::unordered_map<std::string, int> counts;
  for (const auto& f : fields) ++counts[f->name()];
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& n = fields[i]->name();
    keys.push_back(counts[n] > 1 ? n + "#" + std::to_string(i) : n);
  }
  return keys;
}

void append_metadata(const MetadataPtr& m, std::string& out) {
  // Sorted keys; a repeated key keeps its last value (as a JS Map does).
  std::map<std::string, std::string> sorted;
  if (m) {
    for (const auto& [k, v] : m->pairs()) sorted[k] = v;
  }
  out += '{';
  bool first = true;
  for (const auto& [k, v] : sorted) {
    if (!first) out += ',';
    first = false;
    append_json_string(k, out);
    out += ':';
    append_json_string(v, out);
  }
  out += '}';
}

void append_field(const Field& f, std::string& out) {
  out += "{\"name\":";
  append_json_string(f.name(), out);
  out += ",\"type\":";
  append_json_string(f.type()->to_string(), out);
  out += ",\"nullable\":";
  out += f.nullable() ? "true" : "false";
  out += ",\"metadata\":";
  append_metadata(f.metadata(), out);
  // A dictionary field's children are those of its value type.
  const DataType& shape = f.type()->id() == TypeId::kDictionary ? *f.type()->value_type() : *f.type();
  if (shape.num_fields() > 0) {
    out += ",\"children\":[";
    for (int i = 0; i < shape.num_fields(); ++i) {
      if (i) out += ',';
      append_field(*shape.field(i), out);
    }
    out += ']';
  }
  out += '}';
}

void append_value(const Array& a, std::int64_t i, std::string& out);

// Lengths that no buffer backs (null arrays, structs) pass validation cheaply; bound the
// output so that a tiny hostile file cannot make the dump run for ever.
thread_local std::int64_t values_left = std::int64_t{1} << 27;
// And in bytes: values that share their bytes (overlapping string views, a dictionary, run-end
// encoding) would otherwise dump the same bytes many times over.
thread_local std::size_t output_limit = std::numeric_limits<std::size_t>::max();

void append_range(const Array& values, std::int64_t start, std::int64_t n, std::string& out) {
  out += '[';
  for (std::int64_t k = 0; k < n && values_left >= 0; ++k) {
    if (k) out += ',';
    append_value(values, start + k, out);
  }
  out += ']';
}

void append_struct(const Array& a, std::int64_t row, std::string& out) {
  // `row` indexes the children directly (the caller applied the struct's offset).
  const auto keys = member_keys(a.type()->fields());
  out += '{';
  for (int c = 0; c < a.num_children(); ++c) {
    if (c) out += ',';
    append_json_string(keys[c], out);
    out += ':';
    append_value(a.child(c), row, out);
  }
  out += '}';
}

void append_value(const Array& a, std::int64_t i, std::string& out) {
  if (out.size() > output_limit) values_left = -1;
  if (--values_left < 0) return;  // reported by the caller
  const DataType& t = *a.type();
  if (t.id() == TypeId::kNull || (!t.is_union() && a.is_null(i))) {
    out += "null";
    return;
  }
  switch (t.id()) {
    case TypeId::kNull: out += "null"; return;
    case TypeId::kBool: out += a.bool_value(i) ? "true" : "false"; return;
    case TypeId::kInt8: out += std::to_string(a.value<std::int8_t>(i)); return;
    case TypeId::kInt16: out += std::to_string(a.value<std::int16_t>(i)); return;
    case TypeId::kInt32:
    case TypeId::kDate32:
    case TypeId::kTime32: out += std::to_string(a.value<std::int32_t>(i)); return;
    case TypeId::kUInt8: out += std::to_string(a.value<std::uint8_t>(i)); return;
    case TypeId::kUInt16: out += std::to_string(a.value<std::uint16_t>(i)); return;
    case TypeId::kUInt32: out += std::to_string(a.value<std::uint32_t>(i)); return;
    case TypeId::kInt64:
    case TypeId::kDate64:
    case TypeId::kTime64:
    case TypeId::kTimestamp:
    case TypeId::kDuration: append_quoted_int(a.value<std::int64_t>(i), out); return;
    case TypeId::kUInt64: append_quoted_int(a.value<std::uint64_t>(i), out); return;
    case TypeId::kHalfFloat: append_number(half_to_double(a.value<std::uint16_t>(i)), out); return;
    case TypeId::kFloat: append_number(static_cast<double>(a.value<float>(i)), out); return;
    case TypeId::kDouble: append_number(a.value<double>(i), out); return;
    case TypeId::kString:
    case TypeId::kStringView:
    case TypeId::kLargeString: append_json_string(a.string_view(i), out); return;
    case TypeId::kBinary:
    case TypeId::kBinaryView:
    case TypeId::kLargeBinary:
    case TypeId::kFixedSizeBinary: append_hex(a.string_view(i), out); return;
    case TypeId::kList:
    case TypeId::kListView:
    case TypeId::kLargeListView:
    case TypeId::kLargeList:
    case TypeId::kMap: append_range(a.values(), a.value_offset(i), a.value_length(i), out); return;
    case TypeId::kFixedSizeList: {
      const std::int64_t n = t.fixed_size();
      append_range(a.values(), (a.offset() + i) * n, n, out);
      return;
    }
    case TypeId::kStruct: append_struct(a, a.offset() + i, out); return;
    case TypeId::kDictionary: append_value(a.dictionary(), a.dictionary_index(i), out); return;
    case TypeId::kRunEndEncoded: append_value(a.child(1), a.physical_index(i), out); return;
    case TypeId::kDecimal32:
    case TypeId::kDecimal64:
    case TypeId::kDecimal128:
    case TypeId::kDecimal256: {
      const std::int64_t w = t.byte_width();
      append_json_string(format_decimal(a.buffer(1)->data() + (a.offset() + i) * w, static_cast<int>(w), t.scale()),
                         out);
      return;
    }
    case TypeId::kIntervalMonths: out += std::to_string(a.value<std::int32_t>(i)); return;
    case TypeId::kIntervalDayTime: {
      const auto v = a.value<DayTimeInterval>(i);
      out += "{\"days\":";
      out += std::to_string(v.days);
      out += ",\"milliseconds\":";
      out += std::to_string(v.milliseconds);
      out += '}';
      return;
    }
    case TypeId::kIntervalMonthDayNano: {
      const auto v = a.value<MonthDayNanoInterval>(i);
      out += "{\"months\":";
      out += std::to_string(v.months);
      out += ",\"days\":";
      out += std::to_string(v.days);
      out += ",\"nanoseconds\":\"";
      out += std::to_string(v.nanoseconds);
      out += "\"}";
      return;
    }
    case TypeId::kSparseUnion:
    case TypeId::kDenseUnion:
      out += "{\"type_id\":" + std::to_string(a.type_code(i)) + ",\"value\":";
      append_value(a.child(a.child_id(i)), a.union_value_offset(i), out);
      out += '}';
      return;
  }
}

}  // namespace

bool looks_like_ipc_file(const Buffer& bytes) {
  return bytes.size() >= 6 && bytes.view().substr(0, 6) == ipc::kFileMagic;
}

std::string schema_json(const Schema& schema) {
  std::string out = "{\"fields\":[";
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (i) out += ',';
    append_field(*schema.field(i), out);
  }
  out += "],\"metadata\":";
  append_metadata(schema.metadata(), out);
  out += '}';
  return out;
}

namespace {
std::string batch_json_budgeted(const RecordBatch& batch) {
  const auto keys = member_keys(batch.schema()->fields());
  std::string out = "{\"num_rows\":" + std::to_string(batch.num_rows()) + ",\"columns\":{";
  for (int c = 0; c < batch.num_columns(); ++c) {
    if (c) out += ',';
    append_json_string(keys[c], out);
    out += ':';
    append_range(batch.column(c), 0, batch.num_rows(), out);
  }
  out += "}}";
  return out;
}

}  // namespace

std::string batch_json(const RecordBatch& batch) {
  values_left = std::numeric_limits<std::int64_t>::max();
  return batch_json_budgeted(batch);
}

Result<std::string> canonical_json(const std::shared_ptr<Buffer>& bytes, const ipc::IpcReadOptions& options,
                                   std::int64_t max_values) {
  std::string out;
  std::vector<RecordBatchPtr> batches;
  SchemaPtr schema;
  const bool is_file = looks_like_ipc_file(*bytes);
  if (is_file) {
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ipc::open_file(bytes, options));
    schema = reader->schema();
    for (int i = 0; i < reader->num_record_batches(); ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(auto batch, reader->get_batch(i));
      batches.push_back(std::move(batch));
    }
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ipc::open_stream(bytes, options));
    schema = reader->schema();
    for (auto batch : *reader) {
      if (!batch.ok()) return batch.status();
      batches.push_back(*batch);
    }
  }
  out = std::string("{\"format\":\"") + (is_file ? "file" : "stream") + "\",\"schema\":" + schema_json(*schema) +
        ",\"batches\":[";
  values_left = max_values;
  // At most 64 bytes of JSON per input byte (a bit of a bool column is 6: "true,") beyond
  // the decoded-bytes allowance.
  const auto max_bytes = static_cast<std::size_t>(options.limits.decoded_bytes_allowance + 64 * bytes->size());
  output_limit = max_bytes;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (i) out += ',';
    out += batch_json_budgeted(*batches[i]);
    if (out.size() > max_bytes) {
      output_limit = std::numeric_limits<std::size_t>::max();
      return Status::CapacityError("the JSON dump would exceed ", max_bytes,
                                   " bytes (64 per input byte beyond ReadLimits::decoded_bytes_allowance)");
    }
    if (values_left < 0) {
      output_limit = std::numeric_limits<std::size_t>::max();
      return Status::CapacityError("more than ", max_values, " values to dump");
    }
  }
  output_limit = std::numeric_limits<std::size_t>::max();
  out += "]}";
  return out;
}

}  // namespace arrowpack::tools

#include "integration_json.h"

#include <zlib.h>

#include <charconv>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

namespace arrowpack::testing {
namespace {

using nlohmann::json;

Result<std::string> load(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files too
  if (!f) return Status::IOError("cannot open '", path, "'");
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  if (n < 0) return Status::IOError("cannot decompress '", path, "'");
  return out;
}

// Integers arrive as JSON numbers or, for 64 bits, as decimal strings.
Result<std::int64_t> as_int(const json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_unsigned()) return static_cast<std::int64_t>(v.get<std::uint64_t>());
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    std::int64_t out = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return out;
    std::uint64_t u = 0;
    r = std::from_chars(s.data(), s.data() + s.size(), u);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return static_cast<std::int64_t>(u);
  }
  return Status::Invalid("not an integer: ", v.dump());
}

TimeUnit unit_of(const std::string& u) {
  if (u == "MILLISECOND") return TimeUnit::kMilli;
  if (u == "MICROSECOND") return TimeUnit::kMicro;
  if (u == "NANOSECOND") return TimeUnit::kNano;
  return TimeUnit::kSecond;
}

Result<DataTypePtr> int_type(const json& t) {
  const bool s = t.at("isSigned").get<bool>();
  switch (t.at("bitWidth").get<int>()) {
    case 8: return s ? int8() : uint8();
    case 16: return s ? int16() : uint16();
    case 32: return s ? int32() : uint32();
    case 64: return s ? int64() : uint64();
  }
  return Status::Invalid("bad int type ", t.dump());
}

class Reader {
 public:
  explicit Reader(const json& doc) : doc_(doc) {}

  Result<FieldPtr> field(const json& f, bool with_dictionary = true) {
    FieldVector children;
    // By reference: dictionary_fields_ keeps pointers to the field nodes.
    static const json kNone = json::array();
    for (const auto& c : f.contains("children") ? f.at("children") : kNone) {
      ARROWPACK_ASSIGN_OR_RAISE(auto child, field(c));
      children.push_back(std::move(child));
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto type, type_of(f.at("type"), std::move(children)));
    if (with_dictionary && f.contains("dictionary")) {
      const json& d = f.at("dictionary");
      DataTypePtr index = int32();
      if (d.contains("indexType")) {
        ARROWPACK_ASSIGN_OR_RAISE(index, int_type(d.at("indexType")));
      }
      ARROWPACK_ASSIGN_OR_RAISE(type, dictionary(index, type, d.value("isOrdered", false)));
      dictionary_fields_.emplace(d.at("id").get<std::int64_t>(), &f);
    }
    MetadataPtr metadata;
    if (f.contains("metadata") && !f.at("metadata").empty()) {
      std::vector<std::pair<std::string, std::string>> kv;
      for (const auto& p : f.at("metadata")) kv.emplace_back(p.at("key"), p.at("value"));
      metadata = key_value_metadata(std::move(kv));
    }
    return arrowpack::field(f.at("name").get<std::string>(), type, f.value("nullable", true), metadata);
  }

  Result<DataTypePtr> type_of(const json& t, FieldVector children) {
    const std::string name = t.at("name");
    if (name == "null") return null();
    if (name == "bool") return boolean();
    if (name == "int") return int_type(t);
    if (name == "floatingpoint") {
      const std::string p = t.at("precision");
      return p == "HALF" ? float16() : p == "SINGLE" ? float32() : float64();
    }
    if (name == "utf8") return utf8();
    if (name == "largeutf8") return large_utf8();
    if (name == "binary") return binary();
    if (name == "largebinary") return large_binary();
    if (name == "fixedsizebinary") return fixed_size_binary(t.at("byteWidth").get<int>());
    if (name == "decimal") {
      const int p = t.at("precision"), s = t.at("scale"), w = t.value("bitWidth", 128);
      return w == 32 ? decimal32(p, s) : w == 64 ? decimal64(p, s) : w == 128 ? decimal128(p, s) : decimal256(p, s);
    }
    if (name == "date") return t.at("unit") == "DAY" ? date32() : date64();
    if (name == "time") {
      const TimeUnit u = unit_of(t.at("unit"));
      return t.at("bitWidth").get<int>() == 32 ? time32(u) : time64(u);
    }
    if (name == "timestamp") return timestamp(unit_of(t.at("unit")), t.value("timezone", ""));
    if (name == "duration") return duration(unit_of(t.at("unit")));
    if (name == "interval") {
      const std::string u = t.at("unit");
      return u == "YEAR_MONTH" ? month_interval() : u == "DAY_TIME" ? day_time_interval() : month_day_nano_interval();
    }
    if (name == "list") return list(children.at(0));
    if (name == "largelist") return large_list(children.at(0));
    if (name == "fixedsizelist") return fixed_size_list(children.at(0), t.at("listSize").get<int>());
    if (name == "struct") return struct_(std::move(children));
    if (name == "map") return map(children.at(0), t.value("keysSorted", false));
    if (name == "union") {
      std::vector<std::int8_t> codes;
      for (const auto& id : t.at("typeIds")) codes.push_back(static_cast<std::int8_t>(id.get<int>()));
      return t.at("mode") == "DENSE" ? dense_union(std::move(children), codes)
                                     : sparse_union(std::move(children), codes);
    }
    return Status::NotImplemented("integration JSON type '", name, "'");
  }

  // The array of `type` described by column `c` (`f` is the field's JSON, for dictionary ids).
  Result<Array> array(const json& f, const DataTypePtr& type, const json& c) {
    ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t n, as_int(c.at("count")));
    if (type->id() == TypeId::kNull) return Array::make_nulls(type, n);
    std::shared_ptr<Buffer> validity;
    std::int64_t nulls = 0;
    if (c.contains("VALIDITY") && !type->is_union()) {
      ARROWPACK_ASSIGN_OR_RAISE(auto bits, zeroed((n + 7) / 8));
      for (std::int64_t i = 0; i < n; ++i) {
        if (c.at("VALIDITY").at(i).get<int>() != 0) {
          bits->mutable_data()[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
        } else {
          ++nulls;
        }
      }
      validity = std::move(bits);
    }
    const json& data = c.contains("DATA") ? c.at("DATA") : json::array();
    switch (type->id()) {
      case TypeId::kBool: {
        ARROWPACK_ASSIGN_OR_RAISE(auto bits, zeroed((n + 7) / 8));
        for (std::int64_t i = 0; i < n; ++i) {
          if (data.at(i).get<bool>()) bits->mutable_data()[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
        }
        return Array::make(type, n, {validity, bits}, {}, nulls);
      }
      case TypeId::kString:
      case TypeId::kLargeString:
      case TypeId::kBinary:
      case TypeId::kLargeBinary: {
        ARROWPACK_ASSIGN_OR_RAISE(auto offsets, ints(c.at("OFFSET"), type->has_large_offsets() ? 8 : 4, n + 1));
        std::string bytes;
        for (std::int64_t i = 0; i < n; ++i) {
          const std::string& v = data.at(i).get_ref<const std::string&>();
          if (type->is_string()) {
            bytes += v;
          } else {
            ARROWPACK_ASSIGN_OR_RAISE(auto raw, unhex(v));
            bytes += raw;
          }
        }
        return Array::make(type, n, {validity, offsets, Buffer::from_string(std::move(bytes))}, {}, nulls);
      }
      case TypeId::kFixedSizeBinary: {
        std::string bytes;
        for (std::int64_t i = 0; i < n; ++i) {
          ARROWPACK_ASSIGN_OR_RAISE(auto raw, unhex(data.at(i).get<std::string>()));
          bytes += raw;
        }
        return Array::make(type, n, {validity, Buffer::from_string(std::move(bytes))}, {}, nulls);
      }
      case TypeId::kHalfFloat:
      case TypeId::kFloat:
      case TypeId::kDouble: {
        const std::int64_t w = type->byte_width();
        ARROWPACK_ASSIGN_OR_RAISE(auto out, zeroed(n * w));
        for (std::int64_t i = 0; i < n; ++i) {
          const double v = data.at(i).get<double>();
          if (w == 2) {
            const std::uint16_t h = double_to_half(v);
            std::memcpy(out->mutable_data() + i * 2, &h, 2);
          } else if (w == 4) {
            const auto x = static_cast<float>(v);
            std::memcpy(out->mutable_data() + i * 4, &x, 4);
          } else {
            std::memcpy(out->mutable_data() + i * 8, &v, 8);
          }
        }
        return Array::make(type, n, {validity, out}, {}, nulls);
      }
      case TypeId::kDecimal32:
      case TypeId::kDecimal64:
      case TypeId::kDecimal128:
      case TypeId::kDecimal256: {
        const auto w = static_cast<int>(type->byte_width());
        ARROWPACK_ASSIGN_OR_RAISE(auto out, zeroed(n * w));
        for (std::int64_t i = 0; i < n; ++i) {
          // The unscaled integer, as text.
          ARROWPACK_RETURN_NOT_OK(parse_decimal(data.at(i).get<std::string>(), 76, 0, w, out->mutable_data() + i * w));
        }
        return Array::make(type, n, {validity, out}, {}, nulls);
      }
      case TypeId::kIntervalDayTime:
      case TypeId::kIntervalMonthDayNano: {
        const bool dt = type->id() == TypeId::kIntervalDayTime;
        ARROWPACK_ASSIGN_OR_RAISE(auto out, zeroed(n * (dt ? 8 : 16)));
        for (std::int64_t i = 0; i < n; ++i) {
          const json& v = data.at(i);
          if (dt) {
            const DayTimeInterval x{v.at("days").get<std::int32_t>(), v.at("milliseconds").get<std::int32_t>()};
            std::memcpy(out->mutable_data() + i * 8, &x, 8);
          } else {
            ARROWPACK_ASSIGN_OR_RAISE(auto nanos, as_int(v.at("nanoseconds")));
            const MonthDayNanoInterval x{v.at("months").get<std::int32_t>(), v.at("days").get<std::int32_t>(), nanos};
            std::memcpy(out->mutable_data() + i * 16, &x, 16);
          }
        }
        return Array::make(type, n, {validity, out}, {}, nulls);
      }
      case TypeId::kList:
      case TypeId::kLargeList:
      case TypeId::kMap: {
        ARROWPACK_ASSIGN_OR_RAISE(auto offsets, ints(c.at("OFFSET"), type->has_large_offsets() ? 8 : 4, n + 1));
        ARROWPACK_ASSIGN_OR_RAISE(auto child, child_array(f, *type, c, 0));
        return Array::make(type, n, {validity, offsets}, {child}, nulls);
      }
      case TypeId::kFixedSizeList:
      case TypeId::kStruct: {
        std::vector<Array> children;
        for (int j = 0; j < type->num_fields(); ++j) {
          ARROWPACK_ASSIGN_OR_RAISE(auto child, child_array(f, *type, c, j));
          children.push_back(std::move(child));
        }
        return Array::make(type, n, {validity}, std::move(children), nulls);
      }
      case TypeId::kSparseUnion:
      case TypeId::kDenseUnion: {
        ARROWPACK_ASSIGN_OR_RAISE(auto codes, ints(c.at("TYPE_ID"), 1, n));
        std::vector<Array> children;
        for (int j = 0; j < type->num_fields(); ++j) {
          ARROWPACK_ASSIGN_OR_RAISE(auto child, child_array(f, *type, c, j));
          children.push_back(std::move(child));
        }
        if (type->id() == TypeId::kSparseUnion) return Array::make(type, n, {nullptr, codes}, std::move(children), 0);
        ARROWPACK_ASSIGN_OR_RAISE(auto offsets, ints(c.at("OFFSET"), 4, n));
        return Array::make(type, n, {nullptr, codes, offsets}, std::move(children), 0);
      }
      case TypeId::kDictionary: {
        ARROWPACK_ASSIGN_OR_RAISE(auto indices, ints(data, type->index_type()->byte_width(), n));
        ARROWPACK_ASSIGN_OR_RAISE(auto index_array, Array::make(type->index_type(), n, {validity, indices}, {}, nulls));
        ARROWPACK_ASSIGN_OR_RAISE(auto dict, dictionary_for(f.at("dictionary").at("id").get<std::int64_t>()));
        return Array::make_dictionary(type, index_array, dict);
      }
      default: {
        // Integers and temporal types: numbers or decimal strings of the storage width.
        const std::int64_t w = type->byte_width();
        if (w <= 0) return Status::NotImplemented("integration JSON data of ", type->to_string());
        ARROWPACK_ASSIGN_OR_RAISE(auto out, ints(data, w, n));
        return Array::make(type, n, {validity, out}, {}, nulls);
      }
    }
  }

  // Child j of a nested field: the JSON field of the child gives its dictionary id, if any.
  Result<Array> child_array(const json& f, const DataType& type, const json& c, int j) {
    const json& child_field = f.at("children").at(static_cast<std::size_t>(j));
    return array(child_field, type.field(j)->type(), c.at("children").at(static_cast<std::size_t>(j)));
  }

  // Dictionary `id`, built (once) from the "dictionaries" section with the value type of
  // the first field that uses it.
  Result<Array> dictionary_for(std::int64_t id) {
    if (auto it = dictionaries_.find(id); it != dictionaries_.end()) return it->second;
    auto f = dictionary_fields_.find(id);
    if (f == dictionary_fields_.end()) return Status::Invalid("no field uses dictionary id ", id);
    for (const auto& d : doc_.value("dictionaries", json::array())) {
      if (d.at("id").get<std::int64_t>() != id) continue;
      ARROWPACK_ASSIGN_OR_RAISE(auto value_field, field(*f->second, false));
      ARROWPACK_ASSIGN_OR_RAISE(auto values, array(*f->second, value_field->type(), d.at("data").at("columns").at(0)));
      dictionaries_.emplace(id, values);
      return values;
    }
    return Status::Invalid("dictionary id ", id, " has no data");
  }

 private:
  static Result<std::shared_ptr<MutableBuffer>> zeroed(std::int64_t size) {
    ARROWPACK_ASSIGN_OR_RAISE(auto b, allocate_buffer(size));
    if (size > 0) std::memset(b->mutable_data(), 0, static_cast<std::size_t>(size));
    return b;
  }

  // `n` integers of `width` bytes from a JSON array.
  static Result<std::shared_ptr<Buffer>> ints(const json& values, std::int64_t width, std::int64_t n) {
    ARROWPACK_ASSIGN_OR_RAISE(auto out, zeroed(n * width));
    for (std::int64_t i = 0; i < n; ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t v, as_int(values.at(i)));
      std::memcpy(out->mutable_data() + i * width, &v, static_cast<std::size_t>(width));
    }
    return std::shared_ptr<Buffer>(std::move(out));
  }

  static Result<std::string> unhex(const std::string& hex) {
    if (hex.size() % 2) return Status::Invalid("odd hex string");
    std::string out(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < out.size(); ++i) {
      unsigned v = 0;
      auto r = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
      if (r.ec != std::errc()) return Status::Invalid("bad hex '", hex, "'");
      out[i] = static_cast<char>(v);
    }
    return out;
  }

  const json& doc_;
  std::map<std::int64_t, const json*> dictionary_fields_;
  std::map<std::int64_t, Array> dictionaries_;
};

}  // namespace

Result<IntegrationJson> read_integration_json(const std::string& path) {
  ARROWPACK_ASSIGN_OR_RAISE(auto text, load(path));
  json doc;
  try {
    doc = json::parse(text);
  } catch (const std::exception& e) {
    return Status::Invalid("'", path, "' is not JSON: ", e.what());
  }
  try {
    Reader reader(doc);
    IntegrationJson out;
    FieldVector fields;
    const json& s = doc.at("schema");
    for (const auto& f : s.at("fields")) {
      ARROWPACK_ASSIGN_OR_RAISE(auto field, reader.field(f));
      fields.push_back(std::move(field));
    }
    MetadataPtr metadata;
    if (s.contains("metadata") && !s.at("metadata").empty()) {
      std::vector<std::pair<std::string, std::string>> kv;
      for (const auto& p : s.at("metadata")) kv.emplace_back(p.at("key"), p.at("value"));
      metadata = key_value_metadata(std::move(kv));
    }
    out.schema = schema(std::move(fields), metadata);
    for (const auto& b : doc.at("batches")) {
      std::vector<Array> columns;
      for (int i = 0; i < out.schema->num_fields(); ++i) {
        ARROWPACK_ASSIGN_OR_RAISE(
            auto column, reader.array(s.at("fields").at(i), out.schema->field(i)->type(), b.at("columns").at(i)));
        columns.push_back(std::move(column));
      }
      ARROWPACK_ASSIGN_OR_RAISE(auto rows, as_int(b.at("count")));
      ARROWPACK_ASSIGN_OR_RAISE(auto batch, RecordBatch::make(out.schema, rows, std::move(columns)));
      out.batches.push_back(std::move(batch));
    }
    return out;
  } catch (const std::exception& e) {
    return Status::Invalid("'", path, "' does not follow the integration format: ", e.what());
  }
}

}  // namespace arrowpack::testing

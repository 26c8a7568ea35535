#include "inspect_json.h"

#include "json_writing.h"

#include <charconv>
#include <cmath>

#include "arrowpack/core/half_float.h"
#include "arrowpack/registry/context.h"
#include "arrowpack/registry/serialize.h"

namespace arrowpack::tools {
namespace {

constexpr std::int64_t kMaxListedValues = 10000;
// Exact sums of 64-bit integers need 128 bits (a GCC/Clang extension).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;
constexpr std::int64_t kMaxBufferHex = 4096;
constexpr std::int64_t kMaxSummed = std::int64_t{1} << 32;

void json_string(std::string_view s, std::string& out) { json::append_string(s, out); }
void hex(std::string_view s, std::string& out) { json::append_hex_digits(s, out); }
void number(double v, std::string& out) { json::append_number(v, out); }
void number(float v, std::string& out) { json::append_number(v, out); }

// numpy's name of a Tensor's value type ("float64"); the table's name for the others.
std::string_view dtype_name(const DataType& t) {
  switch (t.id()) {
    case TypeId::kHalfFloat: return "float16";
    case TypeId::kFloat: return "float32";
    case TypeId::kDouble: return "float64";
    default: return t.info().is(kNumericCategory) || t.id() == TypeId::kBool ? t.info().name : "unknown";
  }
}

// Calls f(byte offset) for each element in row-major logical order.
template <typename F>
void each_element(const Tensor& t, F&& f) {
  if (t.size() == 0) return;
  std::vector<std::int64_t> index(t.ndim(), 0);
  for (std::int64_t k = 0; k < t.size(); ++k) {
    f(t.byte_offset(index));
    for (int d = t.ndim() - 1; d >= 0; --d) {
      if (++index[d] < t.shape()[d]) break;
      index[d] = 0;
    }
  }
}

void element(const Tensor& t, std::int64_t offset, std::string& out) {
  const std::uint8_t* p = t.data()->data() + offset;
  visit_type(*t.type(), [&](auto tag) {
    using Tag = decltype(tag);
    if constexpr (Tag::info.is(kNumericCategory)) {
      typename Tag::c_type x;
      std::memcpy(&x, p, sizeof(x));
      if constexpr (Tag::id == TypeId::kHalfFloat) {
        number(half_to_double(x), out);
      } else if constexpr (Tag::info.is(kFloatingCategory)) {
        number(x, out);
      } else {
        out += std::to_string(x);
      }
    } else {
      out += "null";  // tensors hold numbers only (Tensor::make checks)
    }
  });
}

void sum(const Tensor& t, std::string& out) {
  if (t.type()->is_floating()) {
    double s = 0;
    each_element(t, [&](std::int64_t off) {
      const std::uint8_t* p = t.data()->data() + off;
      if (t.type()->id() == TypeId::kDouble) {
        double x;
        std::memcpy(&x, p, 8);
        s += x;
      } else if (t.type()->id() == TypeId::kFloat) {
        float x;
        std::memcpy(&x, p, 4);
        s += x;
      } else {
        std::uint16_t x;
        std::memcpy(&x, p, 2);
        s += half_to_double(x);
      }
    });
    number(s, out);
    return;
  }
  Int128 s = 0;  // exact for any count of 64-bit integers a tensor can hold
  const bool is_signed = t.type()->is_signed_integer();
  const int w = static_cast<int>(t.element_size());
  each_element(t, [&](std::int64_t off) {
    const std::uint8_t* p = t.data()->data() + off;
    std::uint64_t raw = 0;
    std::memcpy(&raw, p, static_cast<std::size_t>(w));
    if (is_signed && w < 8 && (raw >> (8 * w - 1)) & 1) raw |= ~std::uint64_t{0} << (8 * w);
    s += is_signed ? static_cast<Int128>(static_cast<std::int64_t>(raw)) : static_cast<Int128>(raw);
  });
  const bool negative = s < 0;
  UInt128 m = negative ? -static_cast<UInt128>(s) : static_cast<UInt128>(s);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  if (negative) out += '-';
  out += digits;
}

void value_json(const Value& v, std::string& out);

void items_json(const char* key, const std::vector<Value>& items, std::string& out) {
  out += "{\"";
  out += key;
  out += "\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    value_json(items[i], out);
  }
  out += "]}";
}

void value_json(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::kNone: out += "null"; return;
    case Value::Kind::kBool: out += *v.as<bool>() ? "true" : "false"; return;
    case Value::Kind::kInt: out += std::to_string(*v.as<std::int64_t>()); return;
    case Value::Kind::kString: json_string(*v.as<std::string>(), out); return;
    case Value::Kind::kDouble:
      out += "{\"float64\":";
      number(*v.as<double>(), out);
      out += '}';
      return;
    case Value::Kind::kFloat:
      out += "{\"float32\":";
      number(*v.as<float>(), out);
      out += '}';
      return;
    case Value::Kind::kHalf:
      out += "{\"float16\":";
      number(half_to_double(v.as<Half>()->bits), out);
      out += '}';
      return;
    case Value::Kind::kDate64: out += "{\"date64\":" + std::to_string(v.as<Date64>()->micros) + "}"; return;
    case Value::Kind::kBytes:
      out += "{\"bytes\":\"";
      hex(v.as<Bytes>()->data, out);
      out += "\"}";
      return;
    case Value::Kind::kList: items_json("list", v.as<List>()->items, out); return;
    case Value::Kind::kTuple: items_json("tuple", v.as<Tuple>()->items, out); return;
    case Value::Kind::kSet: items_json("set", v.as<Set>()->items, out); return;
    case Value::Kind::kDict: {
      out += "{\"dict\":[";
      bool first = true;
      for (const auto& e : v.as<Dict>()->entries()) {
        if (!first) out += ',';
        first = false;
        out += '[';
        value_json(e.key, out);
        out += ',';
        value_json(e.value, out);
        out += ']';
      }
      out += "]}";
      return;
    }
    case Value::Kind::kBuffer: {
      const Buffer& b = **v.as<std::shared_ptr<Buffer>>();
      out += "{\"buffer\":{\"size\":" + std::to_string(b.size());
      if (b.size() <= kMaxBufferHex) {
        out += ",\"hex\":\"";
        hex(b.view(), out);
        out += '"';
      }
      out += "}}";
      return;
    }
    case Value::Kind::kTensor: out += "{\"tensor\":" + tensor_json(**v.as<TensorPtr>()) + "}"; return;
    case Value::Kind::kNdarray: out += "{\"ndarray\":" + tensor_json(*v.as<Ndarray>()->tensor) + "}"; return;
    case Value::Kind::kSparseTensor:
      out += "{\"sparse_tensor\":" + sparse_tensor_json(**v.as<SparseTensorPtr>()) + "}";
      return;
    case Value::Kind::kObject: {
      // Registered objects are shown as stored: the dict with its '_pytype_' key.
      const Object& o = *v.as<Object>();
      if (o.fields) {
        value_json(*o.fields, out);
      } else {
        out += "{\"object\":";
        json_string(o.type_name, out);
        out += '}';
      }
      return;
    }
  }
}

// Control characters (terminal escapes) from the blob are shown as \xNN.
std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void text(const Value& v, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  auto children = [&](const char* kind, const std::vector<Value>& items) {
    out += std::string(kind) + " of " + std::to_string(items.size()) + "\n";
    for (const auto& item : items) {
      out += pad + "  - ";
      text(item, indent + 2, out);
    }
  };
  switch (v.kind()) {
    case Value::Kind::kList: children("list", v.as<List>()->items); return;
    case Value::Kind::kTuple: children("tuple", v.as<Tuple>()->items); return;
    case Value::Kind::kSet: children("set", v.as<Set>()->items); return;
    case Value::Kind::kDict: {
      const Dict& d = *v.as<Dict>();
      const Value* type = d.find("_pytype_");
      out += "dict of " + std::to_string(d.size());
      if (type && type->is_string())
        out += " (object of registered type '" + printable(*type->as<std::string>()) + "')";
      out += "\n";
      for (const auto& e : d.entries()) {
        out += pad + "  " + printable(e.key.to_string()) + ": ";
        text(e.value, indent + 2, out);
      }
      return;
    }
    case Value::Kind::kSparseTensor: out += "sparse " + (*v.as<SparseTensorPtr>())->to_string() + "\n"; return;
    case Value::Kind::kTensor:
    case Value::Kind::kNdarray: {
      const Tensor& t = v.is_tensor() ? **v.as<TensorPtr>() : *v.as<Ndarray>()->tensor;
      out += std::string(v.is_tensor() ? "tensor " : "ndarray ") + std::string(dtype_name(*t.type())) + " " +
             t.to_string() + "\n";
      return;
    }
    case Value::Kind::kObject:
      if (const auto& f = v.as<Object>()->fields) {
        text(*f, indent, out);
        return;
      }
      break;
    default: break;
  }
  out += std::string(v.kind_name()) + " " + printable(v.to_string()) + "\n";
}

}  // namespace

namespace {
// The shape's extents and "]", then ,"dim_names":[...] when there are names (after the
// caller's `"shape":[`).
void shape_and_names(const std::vector<std::int64_t>& shape, const std::vector<std::string>& names, std::string& out) {
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(shape[i]);
  }
  out += "]";
  if (!names.empty()) {
    out += ",\"dim_names\":[";
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i) out += ',';
      json_string(names[i], out);
    }
    out += "]";
  }
}
}  // namespace

std::string tensor_json(const Tensor& t) {
  std::string out = "{\"dtype\":\"";
  out += dtype_name(*t.type());
  out += "\",\"shape\":[";
  shape_and_names(t.shape(), t.dim_names(), out);
  if (t.size() <= kMaxListedValues) {
    out += ",\"values\":[";
    bool first = true;
    each_element(t, [&](std::int64_t off) {
      if (!first) out += ',';
      first = false;
      element(t, off, out);
    });
    out += "]";
  } else if (t.size() <= kMaxSummed) {
    out += ",\"sum\":";
    sum(t, out);
  } else {
    out += ",\"sum\":null";  // more elements than any real data holds: not summed
  }
  return out + "}";
}

std::string sparse_tensor_json(const SparseTensor& t) {
  std::string out = "{\"format\":\"";
  out += sparse_format_name(t.format());
  out += "\",\"shape\":[";
  shape_and_names(t.shape(), t.dim_names(), out);
  out += ",\"non_zero_length\":" + std::to_string(t.non_zero_length());
  if (t.format() == SparseFormat::kCoo) out += std::string(",\"canonical\":") + (t.is_canonical() ? "true" : "false");
  if (t.format() == SparseFormat::kCsf) {
    out += ",\"axis_order\":[";
    for (std::size_t i = 0; i < t.axis_order().size(); ++i) {
      if (i) out += ',';
      out += std::to_string(t.axis_order()[i]);
    }
    out += "]";
  }
  auto values = Tensor::make(t.type(), t.data(), {t.non_zero_length()});
  out += ",\"values\":" + (values.ok() ? tensor_json(**values) : "null");
  auto levels = [&](const std::vector<TensorPtr>& ts) {
    std::string s = "[";
    for (std::size_t i = 0; i < ts.size(); ++i) s += (i ? "," : "") + tensor_json(*ts[i]);
    return s + "]";
  };
  if (t.format() == SparseFormat::kCsf) {
    out += ",\"indices\":" + levels(t.csf_indices()) + ",\"indptr\":" + levels(t.csf_indptr());
  } else {
    out += ",\"indices\":" + tensor_json(*t.indices());
    if (t.indptr()) out += ",\"indptr\":" + tensor_json(*t.indptr());
  }
  // The dense form of what is small enough to list (its size is the shape's, not the input's).
  std::string dense = "null";
  if (t.size() <= kMaxListedValues) {
    auto d = t.to_dense(kMaxListedValues * 8);
    if (d.ok()) dense = tensor_json(**d);
  }
  out += ",\"dense\":" + dense;
  return out + "}";
}

Result<Value> inspect_value(const std::shared_ptr<Buffer>& blob, const ReadLimits& limits) {
  static const SerializationContext kNoTypes;  // no code runs for any stored type name
  DeserializeOptions options;
  options.limits = limits;
  options.allow_unknown_types = true;
  return deserialize(blob, kNoTypes, options);
}

std::string inspect_json(const Value& value) {
  std::string out;
  value_json(value, out);
  return out;
}

std::string inspect_text(const Value& value) {
  std::string out;
  text(value, 0, out);
  return out;
}

}  // namespace arrowpack::tools

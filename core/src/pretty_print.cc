// to_string() of arrays: the layout of pyarrow's repr, values in Arrow C++'s spelling.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "arrowpack/core/array.h"
#include "arrowpack/core/decimal.h"
#include "arrowpack/core/half_float.h"

namespace arrowpack {
namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm).
void civil_from_days(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t unit_per_second(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond: return 1;
    case TimeUnit::kMilli: return 1000;
    case TimeUnit::kMicro: return 1000000;
    case TimeUnit::kNano: return 1000000000;
  }
  return 1;
}

void append_date(std::int64_t days, std::string& out) {
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  out += buf;
}

// "HH:MM:SS" plus the sub-second digits the unit carries.
void append_time_of_day(std::int64_t value_in_day, TimeUnit unit, std::string& out) {
  const std::int64_t per_s = unit_per_second(unit);
  const std::int64_t secs = value_in_day / per_s;
  const std::int64_t frac = value_in_day % per_s;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  out += buf;
  if (per_s > 1) {
    const int digits = unit == TimeUnit::kMilli ? 3 : unit == TimeUnit::kMicro ? 6 : 9;
    std::snprintf(buf, sizeof(buf), ".%0*lld", digits, static_cast<long long>(frac));
    out += buf;
  }
}

void append_double(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "nan";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-inf" : "inf";
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

void append_value(const Array& a, std::int64_t i, std::string& out, std::int64_t window);

// Windows multiply with nesting; a total budget keeps any rendering small, in values and in
// bytes (values that share their bytes, such as overlapping string views, would otherwise
// print the same bytes many times).
constexpr std::int64_t kMaxRendered = 100000;
constexpr std::size_t kMaxRenderedBytes = std::size_t{4} << 20;
thread_local std::int64_t rendered_left = kMaxRendered;

void append_list_values(const Array& values, std::int64_t start, std::int64_t n, std::string& out,
                        std::int64_t window) {
  out += '[';
  for (std::int64_t k = 0; k < n; ++k) {
    if (k) out += ',';
    if (window > 0 && n > 2 * window && k == window) {
      out += "...,";
      k = n - window;
    }
    append_value(values, start + k, out, window);
  }
  out += ']';
}

void append_value(const Array& a, std::int64_t i, std::string& out, std::int64_t window) {
  if (out.size() > kMaxRenderedBytes && rendered_left >= 0) rendered_left = 0;
  if (--rendered_left < 0) {
    if (rendered_left == -1) out += "...";
    return;
  }
  const DataType& t = *a.type();
  if (a.is_null(i) && !t.is_union()) {
    out += "null";
    return;
  }
  switch (t.id()) {
    case TypeId::kNull: out += "null"; return;
    case TypeId::kBool: out += a.bool_value(i) ? "true" : "false"; return;
    case TypeId::kInt8: out += std::to_string(a.value<std::int8_t>(i)); return;
    case TypeId::kInt16: out += std::to_string(a.value<std::int16_t>(i)); return;
    case TypeId::kInt32: out += std::to_string(a.value<std::int32_t>(i)); return;
    case TypeId::kInt64: out += std::to_string(a.value<std::int64_t>(i)); return;
    case TypeId::kUInt8: out += std::to_string(a.value<std::uint8_t>(i)); return;
    case TypeId::kUInt16: out += std::to_string(a.value<std::uint16_t>(i)); return;
    case TypeId::kUInt32: out += std::to_string(a.value<std::uint32_t>(i)); return;
    case TypeId::kUInt64: out += std::to_string(a.value<std::uint64_t>(i)); return;
    case TypeId::kHalfFloat: append_double(half_to_double(a.value<std::uint16_t>(i)), out); return;
    case TypeId::kFloat: append_double(a.value<float>(i), out); return;
    case TypeId::kDouble: append_double(a.value<double>(i), out); return;
    case TypeId::kString:
    case TypeId::kStringView:
    case TypeId::kLargeString: {
      out += '"';
      for (char c : a.string_view(i)) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
          out += "\\n";
          continue;
        }
        out += c;
      }
      out += '"';
      return;
    }
    case TypeId::kBinary:
    case TypeId::kBinaryView:
    case TypeId::kLargeBinary:
    case TypeId::kFixedSizeBinary: {
      static constexpr char kDigits[] = "0123456789ABCDEF";
      for (unsigned char c : a.string_view(i)) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
      }
      return;
    }
    case TypeId::kDate32: append_date(a.value<std::int32_t>(i), out); return;
    case TypeId::kDate64: append_date(floor_div(a.value<std::int64_t>(i), 86400000), out); return;
    case TypeId::kTime32: append_time_of_day(a.value<std::int32_t>(i), t.unit(), out); return;
    case TypeId::kTime64: append_time_of_day(a.value<std::int64_t>(i), t.unit(), out); return;
    case TypeId::kTimestamp: {
      const std::int64_t v = a.value<std::int64_t>(i);
      const std::int64_t per_day = 86400 * unit_per_second(t.unit());
      const std::int64_t days = floor_div(v, per_day);
      std::int64_t in_day = v % per_day;  // no days * per_day: it overflows near INT64_MIN
      if (in_day < 0) in_day += per_day;
      append_date(days, out);
      out += ' ';
      append_time_of_day(in_day, t.unit(), out);
      if (!t.timezone().empty()) out += 'Z';  // zoned timestamps are stored as UTC
      return;
    }
    case TypeId::kDuration: out += std::to_string(a.value<std::int64_t>(i)); return;
    case TypeId::kList:
    case TypeId::kListView:
    case TypeId::kLargeListView:
    case TypeId::kLargeList:
    case TypeId::kMap: append_list_values(a.values(), a.value_offset(i), a.value_length(i), out, window); return;
    case TypeId::kFixedSizeList:
      append_list_values(a.values(), (a.offset() + i) * t.fixed_size(), t.fixed_size(), out, window);
      return;
    case TypeId::kStruct:
      out += '{';
      for (int c = 0; c < a.num_children(); ++c) {
        if (c) out += ", ";
        out += t.field(c)->name() + ": ";
        append_value(a.child(c), a.offset() + i, out, window);
      }
      out += '}';
      return;
    case TypeId::kSparseUnion:
    case TypeId::kDenseUnion: {
      out += '(';
      out += std::to_string(a.type_code(i));
      out += ": ";
      append_value(a.child(a.child_id(i)), a.union_value_offset(i), out, window);
      out += ")";
      return;
    }
    case TypeId::kDictionary: append_value(a.dictionary(), a.dictionary_index(i), out, window); return;
    case TypeId::kRunEndEncoded: append_value(a.child(1), a.physical_index(i), out, window); return;
    case TypeId::kDecimal32:
    case TypeId::kDecimal64:
    case TypeId::kDecimal128:
    case TypeId::kDecimal256: {
      const std::int64_t w = t.byte_width();
      out += format_decimal(a.buffer(1)->data() + (a.offset() + i) * w, static_cast<int>(w), t.scale());
      return;
    }
    case TypeId::kIntervalMonths:
      out += std::to_string(a.value<std::int32_t>(i));
      out += 'M';
      return;
    case TypeId::kIntervalDayTime: {
      const auto v = a.value<DayTimeInterval>(i);
      out += std::to_string(v.days);
      out += 'd';
      out += std::to_string(v.milliseconds);
      out += "ms";
      return;
    }
    case TypeId::kIntervalMonthDayNano: {
      const auto v = a.value<MonthDayNanoInterval>(i);
      out += std::to_string(v.months);
      out += 'M';
      out += std::to_string(v.days);
      out += 'd';
      out += std::to_string(v.nanoseconds);
      out += "ns";
      return;
    }
  }
}

}  // namespace

namespace {
std::string indented(const std::string& text) {
  std::string out = "  ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}
}  // namespace

std::string Array::to_string(std::int64_t window) const {
  if (!data_) return "<empty array>";
  if (type_id() == TypeId::kDictionary) {
    // pyarrow's DictionaryArray layout: the dictionary, then the indices.
    auto indices = std::make_shared<ArrayData>(*data_);
    indices->type = type()->index_type();
    indices->dictionary = nullptr;
    return "\n-- dictionary:\n" + indented(dictionary().to_string(window)) + "\n-- indices:\n" +
           indented(Array(std::move(indices)).to_string(window));
  }
  rendered_left = kMaxRendered;
  std::string out = "[";
  const std::int64_t n = length();
  for (std::int64_t i = 0; i < n; ++i) {
    if (window > 0 && n > 2 * window && i == window) {
      out += "\n  ...";
      i = n - window;
    }
    out += (i ? ",\n  " : "\n  ");
    append_value(*this, i, out, window);
  }
  out += n ? "\n]" : "]";
  return out;
}

std::string Array::to_string_compact(std::int64_t window) const {
  if (!data_) return "<empty array>";
  rendered_left = kMaxRendered;
  std::string out;
  append_list_values(*this, 0, length(), out, window);
  return out;
}

}  // namespace arrowpack

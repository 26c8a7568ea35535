// Columnar sequences: a vector of records as one Arrow table inside the blob, under pyarrow's
// own default-context type for tables ("pyarrow.Table": an IPC stream in an out-of-band
// buffer, arrowpack/registry/arrow_objects.h).
//
//   struct Trade { std::string symbol; double price; std::int64_t qty; std::optional<double> fee; };
//   auto blob = ap::serialize(ap::columnar(trades)).value_or_throw().to_buffer().value_or_throw();
//   auto back = ap::deserialize<std::vector<Trade>>(blob).value_or_throw();  // the rows again
//   ap::TablePtr table = ap::deserialize<ap::TablePtr>(blob).value_or_throw();  // no copy
//
// In Python, pyarrow 11's pa.deserialize(blob) gives a pa.Table with one column per field.
// Each row type travels as one column per field, in field order:
//   bool -> bool; integers -> int8 ... uint64 of the same width and sign; float -> float;
//   double -> double; char -> int8; an enum with a fixed underlying type -> that integer;
//   std::string -> string (large_string past 2^31 - 1 bytes of text in one column);
//   std::optional<X> -> X's column with nulls; a nested aggregate (or type with a fields
//   hook) of those -> struct.
// Columns are named column_names<T>::names when given, else by position ("0", "1", ...).
// The non-optional fields are declared not nullable.
//
// A std::vector<T> of such rows reads from either form (the list of tuples that
// serialize(vector) writes, or the table; a "pyarrow.RecordBatch" too, as one batch):
// columns are matched by position and must have the type the field maps to (a string field
// also takes large_string, binary and large_binary); a null in a field that is not
// std::optional is a TypeError naming the column and the row. The column types are checked
// before the rows are allocated and charged to the read budget.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "arrowpack/adapters/arrow.h"
#include "arrowpack/adapters/convert.h"
#include "arrowpack/core/array.h"
#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/writer.h"
#include "arrowpack/core/util.h"

namespace arrowpack {

/// Column names for the columnar form of T: specialise with
///   static constexpr std::array<std::string_view, N> names = {"symbol", "price", ...};
/// (N = the number of fields). Without it, columns are named by position: "0", "1", ...
/// Names travel in the schema only; reading matches columns by position.
template <typename T>
struct column_names;

/// A non-owning view of rows to write in the columnar form: serialize(columnar(rows)). The
/// rows are copied once, into the table's IPC stream, while serializing; they need not
/// outlive the call. Written only: read back a std::vector<T> (the rows) or a TablePtr.
template <typename T>
struct ColumnarRows {
  std::span<const T> rows;
};

namespace detail {

template <typename F>
struct OptionalOf {
  static constexpr bool kIs = false;
  using type = F;
};
template <typename X>
struct OptionalOf<std::optional<X>> {
  static constexpr bool kIs = true;
  using type = X;
};

// Field J of a Fielded row (const when the row is).
template <std::size_t J, typename T>
decltype(auto) field_ref(T& row) {
  using U = std::remove_const_t<T>;
  if constexpr (HasFieldsHook<U>) {
    auto refs = fields_hook(const_cast<U&>(row));
    static_assert(kAllReferences<decltype(refs)>,
                  "arrowpack_fields must return a std::tuple of references to the fields (std::tie)");
    if constexpr (std::is_const_v<T>) {
      return std::as_const(std::get<J>(refs));
    } else {
      return std::get<J>(refs);
    }
  } else {
    return boost::pfr::get<J>(row);
  }
}

template <typename T, std::size_t J>
using field_type_t = std::remove_cvref_t<decltype(field_ref<J>(std::declval<T&>()))>;

// The Arrow layout of one column, written and read in place.
struct ColumnPlan;
template <typename F, typename Enable = void>
struct ColumnOf {
  static constexpr bool kDefined = false;
};

template <typename F>
constexpr bool column_ok() {
  using X = typename OptionalOf<F>::type;
  if constexpr (OptionalOf<X>::kIs) {
    return false;  // optional<optional<X>> has no column
  } else {
    return ColumnOf<X>::kDefined;
  }
}

template <typename T, std::size_t... J>
constexpr bool all_columns_ok(std::index_sequence<J...>) {
  return (column_ok<field_type_t<T, J>>() && ...);
}

template <typename T>
constexpr bool columnar_row() {
  if constexpr (!Fielded<T>) {
    return false;
  } else if constexpr (field_count<T>() == 0) {
    return false;
  } else {
    return all_columns_ok<T>(std::make_index_sequence<field_count<T>()>{});
  }
}
}  // namespace detail

/// Row types the columnar form takes: aggregates (or types with a fields hook) of at least
/// one field, each a number, bool, enum, std::string, std::optional of one of those, or a
/// nested row type.
template <typename T>
concept ColumnarRow = detail::columnar_row<T>();

/// serialize(columnar(rows)) writes `rows` as one table (see the top of this file).
template <ColumnarRow T>
ColumnarRows<T> columnar(std::span<const T> rows) {
  return {rows};
}
template <ColumnarRow T, typename A>
ColumnarRows<T> columnar(const std::vector<T, A>& rows) {
  return {std::span<const T>(rows.data(), rows.size())};
}

namespace detail {

inline constexpr std::int64_t kMaxColumnText = 2147483647;  // int32 offsets

// The batch being laid out: its nodes and buffers in IPC order. `wide` collects, per text
// column in pre-order, whether it needs 64-bit offsets.
struct ColumnPlan {
  std::vector<ipc::FieldNodeLayout> nodes;
  std::vector<ipc::BodyBufferLayout> buffers;
  std::vector<bool> wide;
  std::int64_t body_length = 0;

  std::int64_t buffer(std::int64_t size) {
    buffers.push_back({body_length, size});
    body_length += util::round_up(size, 8);
    return buffers.back().offset;
  }
};

// Writing a table takes two passes over the rows, each visiting every column of a row in
// turn (the rows are read once per pass, whatever the number of columns): see() sizes the
// columns (nulls, text bytes, UTF-8), lay_out() places the column's node and buffers in the
// plan, bind() points the writer into the allocated body, put() writes row i. A value
// pointer is null for a null slot (an empty std::optional).
// The sizing pass is skipped when no column needs it (kMeasures).

// The validity bitmap of a column: none unless the column is nullable and holds a null.
template <bool kNullable>
struct ValidityWriter {
  static constexpr bool kMeasures = kNullable;
  std::int64_t nulls = 0;
  std::int64_t at = -1;
  std::uint8_t* bits = nullptr;

  void see(bool present) {
    if constexpr (kNullable) nulls += present ? 0 : 1;
  }
  void lay_out(ColumnPlan& plan, std::int64_t n) {
    plan.nodes.push_back({n, nulls});
    if (nulls == 0) {
      plan.buffer(0);
    } else {
      at = plan.buffer(util::bytes_for_bits(n));
    }
  }
  void bind(std::uint8_t* body, std::int64_t n) {
    if (at < 0) return;
    bits = body + at;
    std::memset(bits, 0, static_cast<std::size_t>(util::bytes_for_bits(n)));
  }
  void put(std::size_t i, bool present) {
    if constexpr (kNullable) {
      if (bits != nullptr && present) util::set_bit(bits, static_cast<std::int64_t>(i));
    }
  }
};

// Reading takes one pass over the rows of each batch, filling every field of a row in turn:
// bind() checks a column's type and points the reader at it, get(i, slot) fills the field
// `slot` (S: the field's type, X or std::optional<X>) from row i, and status() reports a null
// met in a field that is not std::optional, after the pass.
struct ValidityReader {
  const std::uint8_t* bits = nullptr;
  std::int64_t base = 0;
  std::int64_t bad_row = -1;

  void bind(const Array& col) {
    bits = col.null_count() > 0 && col.buffer(0) ? col.buffer(0)->data() : nullptr;
    base = col.offset();
    bad_row = -1;
  }
  bool valid(std::size_t i) const {
    return bits == nullptr || util::get_bit(bits, base + static_cast<std::int64_t>(i));
  }
  Status status(const std::string& where, std::int64_t first_row) const {
    if (bad_row < 0) return Status::OK();
    return Status::TypeError(where, ": a null at row ", first_row + bad_row, " for a field that is not std::optional");
  }
};

// Buffer k of a valid column, or (for a column of no rows, whose buffers may be absent) a
// pointer that is never read.
inline const std::uint8_t* buffer_data(const Array& col, int k) {
  static constexpr std::uint8_t kNothing[8] = {};
  return k < col.num_buffers() && col.buffer(k) ? col.buffer(k)->data() : kNothing;
}

// The value to fill for row i: the field itself, or the value of a std::optional field
// (emplaced), or null for a null slot of a std::optional (left empty). A null slot of any
// other field is recorded for status() and filled anyway.
template <typename S>
typename OptionalOf<S>::type* slot_target(S& slot, ValidityReader& validity, std::size_t i) {
  const bool valid = validity.valid(i);
  if constexpr (OptionalOf<S>::kIs) {
    if (!valid) {
      slot.reset();
      return nullptr;
    }
    return &slot.emplace();
  } else {
    if (!valid && validity.bad_row < 0) validity.bad_row = static_cast<std::int64_t>(i);
    return &slot;
  }
}

inline Status column_type_error(const std::string& where, const DataType& found, std::string_view expected) {
  return Status::TypeError(where, ": a column of type ", found.to_string(), " for a field of type ", expected);
}

// How a number or enum is stored in its column: as itself, an enum as its underlying
// integer, and char as int8 whatever its signedness on the platform (the bits travel).
template <typename F>
struct ColumnStorage {
  using type = F;
};
template <IntegerEnum E>
struct ColumnStorage<E> {
  using type = typename ColumnStorage<std::underlying_type_t<E>>::type;
};
template <>
struct ColumnStorage<char> {
  using type = std::int8_t;
};

// Numbers and enums: one fixed-width column of the same width and sign.
template <typename F>
struct ColumnOf<
    F, std::enable_if_t<(std::is_arithmetic_v<F> && !std::is_same_v<F, bool> && !std::is_same_v<F, long double>) ||
                        IntegerEnum<F>>> {
  static constexpr bool kDefined = true;
  using Stored = typename ColumnStorage<F>::type;

  static DataTypePtr type(const bool*&) { return scalar_type<Stored>(); }

  template <bool kNullable>
  struct Writer {
    static constexpr bool kMeasures = kNullable;
    ValidityWriter<kNullable> validity;
    std::int64_t at = 0;
    Stored* out = nullptr;

    void see(std::size_t, const F* v) { validity.see(v != nullptr); }
    Status lay_out(ColumnPlan& plan, std::int64_t n) {
      validity.lay_out(plan, n);
      at = plan.buffer(n * static_cast<std::int64_t>(sizeof(Stored)));
      return Status::OK();
    }
    void bind(std::uint8_t* body, std::int64_t n) {
      validity.bind(body, n);
      out = reinterpret_cast<Stored*>(body + at);
    }
    void put(std::size_t i, const F* v) {
      validity.put(i, v != nullptr);
      out[i] = v ? static_cast<Stored>(*v) : Stored{};
    }
  };

  template <typename S>
  struct Reader {
    ValidityReader validity;
    const Stored* values = nullptr;
    std::string where;

    Status bind(const Array& col, std::string at) {
      where = std::move(at);
      const DataTypePtr want = scalar_type<Stored>();
      if (!col.type()->equals(*want)) return column_type_error(where, *col.type(), want->to_string());
      validity.bind(col);
      values = reinterpret_cast<const Stored*>(buffer_data(col, 1)) + col.offset();
      return Status::OK();
    }
    void get(std::size_t i, S& slot) {
      if (F* x = slot_target(slot, validity, i)) {
        Stored v;
        std::memcpy(&v, values + i, sizeof(Stored));
        *x = static_cast<F>(v);
      }
    }
    Status status(std::int64_t first_row) const { return validity.status(where, first_row); }
  };
};

template <>
struct ColumnOf<bool> {
  static constexpr bool kDefined = true;
  static DataTypePtr type(const bool*&) { return boolean(); }

  template <bool kNullable>
  struct Writer {
    static constexpr bool kMeasures = kNullable;
    ValidityWriter<kNullable> validity;
    std::int64_t at = 0;
    std::uint8_t* bits = nullptr;

    void see(std::size_t, const bool* v) { validity.see(v != nullptr); }
    Status lay_out(ColumnPlan& plan, std::int64_t n) {
      validity.lay_out(plan, n);
      at = plan.buffer(util::bytes_for_bits(n));
      return Status::OK();
    }
    void bind(std::uint8_t* body, std::int64_t n) {
      validity.bind(body, n);
      bits = body + at;
      std::memset(bits, 0, static_cast<std::size_t>(util::bytes_for_bits(n)));
    }
    void put(std::size_t i, const bool* v) {
      validity.put(i, v != nullptr);
      if (v && *v) util::set_bit(bits, static_cast<std::int64_t>(i));
    }
  };

  template <typename S>
  struct Reader {
    ValidityReader validity;
    const std::uint8_t* bits = nullptr;
    std::int64_t base = 0;
    std::string where;

    Status bind(const Array& col, std::string at) {
      where = std::move(at);
      if (col.type_id() != TypeId::kBool) return column_type_error(where, *col.type(), "bool");
      validity.bind(col);
      bits = buffer_data(col, 1);
      base = col.offset();
      return Status::OK();
    }
    void get(std::size_t i, S& slot) {
      if (bool* x = slot_target(slot, validity, i)) *x = util::get_bit(bits, base + static_cast<std::int64_t>(i));
    }
    Status status(std::int64_t first_row) const { return validity.status(where, first_row); }
  };
};

template <>
struct ColumnOf<std::string> {
  static constexpr bool kDefined = true;
  static DataTypePtr type(const bool*& wide) { return *wide++ ? large_utf8() : utf8(); }

  template <bool kNullable>
  struct Writer {
    static constexpr bool kMeasures = true;
    ValidityWriter<kNullable> validity;
    std::int64_t text = 0;
    std::int64_t bad_row = -1;
    bool wide = false;
    std::int64_t offsets_at = 0, data_at = 0, pos = 0;
    std::uint8_t* offsets = nullptr;
    std::uint8_t* data = nullptr;

    void see(std::size_t i, const std::string* v) {
      validity.see(v != nullptr);
      if (v == nullptr) return;
      text += static_cast<std::int64_t>(v->size());
      if (bad_row < 0 && !util::is_valid_utf8(*v)) bad_row = static_cast<std::int64_t>(i);
    }
    Status lay_out(ColumnPlan& plan, std::int64_t n) {
      if (bad_row >= 0) return Status::Invalid("row ", bad_row, ": a std::string that is not UTF-8");
      wide = text > kMaxColumnText;
      plan.wide.push_back(wide);
      validity.lay_out(plan, n);
      offsets_at = plan.buffer((n + 1) * (wide ? 8 : 4));
      data_at = plan.buffer(text);
      return Status::OK();
    }
    void bind(std::uint8_t* body, std::int64_t n) {
      validity.bind(body, n);
      offsets = body + offsets_at;
      data = body + data_at;
      std::memset(offsets, 0, wide ? 8 : 4);
    }
    void put(std::size_t i, const std::string* v) {
      validity.put(i, v != nullptr);
      if (v != nullptr && !v->empty()) {
        std::memcpy(data + pos, v->data(), v->size());
        pos += static_cast<std::int64_t>(v->size());
      }
      if (wide) {
        reinterpret_cast<std::int64_t*>(offsets)[i + 1] = pos;
      } else {
        reinterpret_cast<std::int32_t*>(offsets)[i + 1] = static_cast<std::int32_t>(pos);
      }
    }
  };

  template <typename S>
  struct Reader {
    ValidityReader validity;
    const std::uint8_t* offsets = nullptr;
    const char* data = nullptr;
    bool wide = false;
    std::string where;

    Status bind(const Array& col, std::string at) {
      where = std::move(at);
      switch (col.type_id()) {
        case TypeId::kString:
        case TypeId::kBinary: wide = false; break;
        case TypeId::kLargeString:
        case TypeId::kLargeBinary: wide = true; break;
        default: return column_type_error(where, *col.type(), "std::string");
      }
      validity.bind(col);
      offsets = buffer_data(col, 1) + col.offset() * (wide ? 8 : 4);
      data = col.buffer(2) ? reinterpret_cast<const char*>(col.buffer(2)->data()) : "";
      return Status::OK();
    }
    void get(std::size_t i, S& slot) {
      if (std::string* x = slot_target(slot, validity, i)) {
        std::int64_t begin, end;
        if (wide) {
          std::memcpy(&begin, offsets + 8 * i, 8);  // loads that need no alignment
          std::memcpy(&end, offsets + 8 * (i + 1), 8);
        } else {
          std::int32_t b, e;
          std::memcpy(&b, offsets + 4 * i, 4);
          std::memcpy(&e, offsets + 4 * (i + 1), 4);
          begin = b;
          end = e;
        }
        x->assign(data + begin, static_cast<std::size_t>(end - begin));
      }
    }
    Status status(std::int64_t first_row) const { return validity.status(where, first_row); }
  };
};

// A nested row type: a struct column of its fields' columns.
template <typename F>
struct ColumnOf<F, std::enable_if_t<columnar_row<F>()>> {
  static constexpr bool kDefined = true;
  static constexpr std::size_t kFields = field_count<F>();

  static DataTypePtr type(const bool*& wide);

  template <bool kNullable>
  struct Writer;

  template <typename S>
  struct Reader;
};

// The name of column J of T.
template <typename T>
std::string column_name(std::size_t j) {
  if constexpr (requires { column_names<T>::names; }) {
    static_assert(column_names<T>::names.size() == field_count<T>(),
                  "arrowpack::column_names<T>::names must name every field of T");
    return std::string(column_names<T>::names[j]);
  } else {
    return std::to_string(j);
  }
}

template <typename T, std::size_t... J>
std::vector<FieldPtr> row_fields(const bool*& wide, std::index_sequence<J...>) {
  std::vector<FieldPtr> fields;
  fields.reserve(sizeof...(J));
  (fields.push_back(field(column_name<T>(J), ColumnOf<typename OptionalOf<field_type_t<T, J>>::type>::type(wide),
                          OptionalOf<field_type_t<T, J>>::kIs)),
   ...);
  return fields;
}

template <typename F>
DataTypePtr ColumnOf<F, std::enable_if_t<columnar_row<F>()>>::type(const bool*& wide) {
  return struct_(row_fields<F>(wide, std::make_index_sequence<kFields>{}));
}

// An empty value of X: what the members of a null struct slot hold.
template <typename X>
inline const X kEmptyValue{};

// Member K of the struct value `s` points at, as the column of member K sees it: null when
// the member is an empty std::optional; an empty, valid value when `s` is null (a null
// struct slot), as Arrow C++'s StructBuilder::AppendNull leaves its children.
template <std::size_t K, typename F>
const typename OptionalOf<field_type_t<F, K>>::type* member_value(const F* s) {
  using M = field_type_t<F, K>;
  if (s == nullptr) return &kEmptyValue<typename OptionalOf<M>::type>;
  const auto& m = field_ref<K>(*s);
  if constexpr (OptionalOf<M>::kIs) {
    return m.has_value() ? &*m : nullptr;
  } else {
    return &m;
  }
}

// The writer of member K's column, and the tuple of them for a row type.
template <typename F, std::size_t K>
using MemberWriter = typename ColumnOf<typename OptionalOf<field_type_t<F, K>>::type>::template Writer<
    OptionalOf<field_type_t<F, K>>::kIs>;

template <typename F, typename Seq>
struct MemberWriters;
template <typename F, std::size_t... K>
struct MemberWriters<F, std::index_sequence<K...>> {
  using Tuple = std::tuple<MemberWriter<F, K>...>;
  static constexpr bool kMeasures = (MemberWriter<F, K>::kMeasures || ...);

  static void see(Tuple& w, std::size_t i, const F* s) { (std::get<K>(w).see(i, member_value<K>(s)), ...); }
  static Status lay_out(Tuple& w, ColumnPlan& plan, std::int64_t n, const std::string& prefix) {
    Status st;
    auto one = [&](auto& writer, std::size_t k) {
      if (!st.ok()) return;
      st = writer.lay_out(plan, n);
      if (!st.ok()) st = st.with_context(prefix + column_name<F>(k));
    };
    (one(std::get<K>(w), K), ...);
    return st;
  }
  static void bind(Tuple& w, std::uint8_t* body, std::int64_t n) { (std::get<K>(w).bind(body, n), ...); }
  static void put(Tuple& w, std::size_t i, const F* s) { (std::get<K>(w).put(i, member_value<K>(s)), ...); }
};

template <typename F>
using RowWriters = MemberWriters<F, std::make_index_sequence<field_count<F>()>>;

template <typename F>
template <bool kNullable>
struct ColumnOf<F, std::enable_if_t<columnar_row<F>()>>::Writer {
  static constexpr bool kMeasures = kNullable || RowWriters<F>::kMeasures;
  ValidityWriter<kNullable> validity;
  typename RowWriters<F>::Tuple members;

  void see(std::size_t i, const F* v) {
    validity.see(v != nullptr);
    RowWriters<F>::see(members, i, v);
  }
  Status lay_out(ColumnPlan& plan, std::int64_t n) {
    validity.lay_out(plan, n);
    return RowWriters<F>::lay_out(members, plan, n, "member ");
  }
  void bind(std::uint8_t* body, std::int64_t n) {
    validity.bind(body, n);
    RowWriters<F>::bind(members, body, n);
  }
  void put(std::size_t i, const F* v) {
    validity.put(i, v != nullptr);
    RowWriters<F>::put(members, i, v);
  }
};

// The readers of a row type's members, and what they do together.
template <typename F, std::size_t K>
using MemberReader =
    typename ColumnOf<typename OptionalOf<field_type_t<F, K>>::type>::template Reader<field_type_t<F, K>>;

template <typename F, typename Seq>
struct MemberReaders;
template <typename F, std::size_t... K>
struct MemberReaders<F, std::index_sequence<K...>> {
  using Tuple = std::tuple<MemberReader<F, K>...>;

  // `column(k)` is member k's column; `prefix` names them ("column ", "column x.").
  template <typename Column>
  static Status bind(Tuple& r, const Column& column, const std::string& prefix) {
    Status st;
    ((st = st.ok() ? std::get<K>(r).bind(column(K), prefix + column_name<F>(K)) : st), ...);
    return st;
  }
  static void get(Tuple& r, std::size_t i, F& f) { (std::get<K>(r).get(i, field_ref<K>(f)), ...); }
  static Status status(const Tuple& r, std::int64_t first_row) {
    Status st;
    ((st = st.ok() ? std::get<K>(r).status(first_row) : st), ...);
    return st;
  }
};

template <typename F>
using RowReaders = MemberReaders<F, std::make_index_sequence<field_count<F>()>>;

template <typename F>
template <typename S>
struct ColumnOf<F, std::enable_if_t<columnar_row<F>()>>::Reader {
  ValidityReader validity;
  typename RowReaders<F>::Tuple members;
  std::string where;

  Status bind(const Array& col, std::string at) {
    where = std::move(at);
    if (col.type_id() != TypeId::kStruct || col.num_children() != static_cast<int>(kFields)) {
      return column_type_error(where, *col.type(), "a struct of " + std::to_string(kFields) + " fields");
    }
    validity.bind(col);
    return RowReaders<F>::bind(
        members, [&](std::size_t k) { return col.field(static_cast<int>(k)); }, where + ".");
  }
  void get(std::size_t i, S& slot) {
    if (F* f = slot_target(slot, validity, i)) RowReaders<F>::get(members, i, *f);
  }
  Status status(std::int64_t first_row) const {
    ARROWPACK_RETURN_NOT_OK(validity.status(where, first_row));
    return RowReaders<F>::status(members, first_row);
  }
};

// The schema of T's table, as ipc::schema_metadata() bytes: one per T for tables whose text
// fits 32-bit offsets (kept until exit), made again for the others.
template <typename T>
Result<std::shared_ptr<Buffer>> row_schema_metadata(const std::vector<bool>& wide) {
  auto make = [](const std::vector<bool>& flags) -> Result<std::shared_ptr<Buffer>> {
    std::unique_ptr<bool[]> copy(new bool[flags.size() + 1]);
    for (std::size_t i = 0; i < flags.size(); ++i) copy[i] = flags[i];
    const bool* cursor = copy.get();
    auto s = schema(row_fields<T>(cursor, std::make_index_sequence<field_count<T>()>{}));
    return ipc::schema_metadata(*s);
  };
  bool any_wide = false;
  for (bool w : wide) any_wide = any_wide || w;
  if (any_wide) return make(wide);
  static const std::shared_ptr<Buffer> narrow = [&]() -> std::shared_ptr<Buffer> {
    auto made = make(std::vector<bool>(wide.size(), false));
    return made.ok() ? *made : nullptr;  // a failure is not kept: the next call tries again
  }();
  if (narrow) return narrow;
  return make(std::vector<bool>(wide.size(), false));
}

// Writes `rows` as one batch: a pass over the rows sizes the columns, `make(plan, rows)`
// gives the buffer that holds the batch (arrow_objects::batch_stream() or batch_message()),
// and a second pass writes every column into its body. `plan` is cleared first (a writer of
// many batches keeps one, and its capacity).
template <ColumnarRow T, typename Make>
Result<std::shared_ptr<Buffer>> write_rows(std::span<const T> rows, Make&& make, ColumnPlan& plan) {
  using Writers = RowWriters<T>;
  typename Writers::Tuple writers;
  const auto n = static_cast<std::int64_t>(rows.size());
  if constexpr (Writers::kMeasures) {
    for (std::size_t i = 0; i < rows.size(); ++i) Writers::see(writers, i, &rows[i]);
  }
  plan.nodes.clear();
  plan.buffers.clear();
  plan.wide.clear();
  plan.body_length = 0;
  ARROWPACK_RETURN_NOT_OK(Writers::lay_out(writers, plan, n, "column "));
  ARROWPACK_ASSIGN_OR_RAISE(arrow_objects::BatchStream out, make(std::as_const(plan), n));
  Writers::bind(writers, out.body, n);
  for (std::size_t i = 0; i < rows.size(); ++i) Writers::put(writers, i, &rows[i]);
  return std::shared_ptr<Buffer>(std::move(out.stream));
}

// The layout of a batch of no rows of T: its field nodes (the columns, and the members of
// struct columns) and its text columns, all narrow.
template <typename T>
ColumnPlan empty_plan() {
  typename RowWriters<T>::Tuple writers;
  ColumnPlan plan;
  (void)RowWriters<T>::lay_out(writers, plan, 0, "column ");  // no rows: nothing to refuse
  return plan;
}

// The schema of T's table with 32-bit offsets for every text column: a row stream's
// (adapters/row_stream.h), which has one schema for all its batches.
template <typename T>
Result<std::shared_ptr<Buffer>> narrow_schema_metadata() {
  return row_schema_metadata<T>(empty_plan<T>().wide);
}

}  // namespace detail

/// The IPC stream of `rows` as one table of one batch (the "data" of the columnar form), in a
/// new buffer from `pool`: a pass over the rows sizes the columns (null counts, text bytes,
/// and that every std::string is UTF-8; skipped when T has no std::string and no
/// std::optional field), a second writes every column in place. Invalid (naming the column
/// and the row) for text that is not UTF-8; CapacityError for metadata too large to frame;
/// OutOfMemory from the pool; for an exception thrown while writing, the code
/// catch_exceptions() maps it to (OutOfMemory, CapacityError or SerializationError).
/// Thread-safe for distinct or unchanging rows.
template <ColumnarRow T>
Result<std::shared_ptr<Buffer>> columnar_stream(std::span<const T> rows, MemoryPool* pool = default_memory_pool()) {
  return catch_exceptions("writing rows as a table", [&]() -> Result<std::shared_ptr<Buffer>> {
    detail::ColumnPlan plan;
    auto make = [&](const detail::ColumnPlan& laid_out, std::int64_t n) -> Result<arrow_objects::BatchStream> {
      ARROWPACK_ASSIGN_OR_RAISE(auto schema_meta, detail::row_schema_metadata<T>(laid_out.wide));
      return arrow_objects::batch_stream(*schema_meta, n, laid_out.nodes, laid_out.buffers, laid_out.body_length, pool);
    };
    return detail::write_rows<T>(rows, make, plan);
  });
}

/// `rows` as a Table whose columns are slices of one new buffer (see columnar_stream()).
/// Errors: those of columnar_stream(), then those of arrow_objects::read_table() reading it.
template <ColumnarRow T>
Result<TablePtr> to_table(std::span<const T> rows, MemoryPool* pool = default_memory_pool()) {
  ARROWPACK_ASSIGN_OR_RAISE(auto stream, columnar_stream(rows, pool));
  return arrow_objects::read_table(stream);
}

namespace detail {
// A charge for reads without a budget (see charge_rows()).
inline Status no_charge(std::int64_t) { return Status::OK(); }

// TypeError unless a table (or stream) of `columns` columns has one per field.
inline Status column_count_check(int columns, std::size_t fields) {
  if (columns != static_cast<int>(fields)) {
    return Status::TypeError("a table of ", columns, " columns for a row type of ", fields, " fields");
  }
  return Status::OK();
}

// Binds the readers of T's columns to `batch`'s columns (checking their types).
template <ColumnarRow T>
Status bind_rows(typename RowReaders<T>::Tuple& readers, const RecordBatch& batch) {
  return RowReaders<T>::bind(
      readers, [&](std::size_t k) { return batch.column(static_cast<int>(k)); }, "column ");
}

// Appends `rows` rows from the readers, bound to a batch of that length (errors number the
// rows from the first appended).
template <ColumnarRow T, typename A>
Status append_rows(typename RowReaders<T>::Tuple& readers, std::int64_t rows, std::vector<T, A>& out) {
  const auto first = static_cast<std::int64_t>(out.size());
  for (std::int64_t i = 0; i < rows; ++i) RowReaders<T>::get(readers, static_cast<std::size_t>(i), out.emplace_back());
  return RowReaders<T>::status(readers, first);
}

// Charges `rows` rows of T to `charge`, a Status(std::int64_t bytes) callable: the read
// budget, or nothing.
template <typename T, typename Charge>
Status charge_rows(std::int64_t rows, Charge&& charge) {
  std::int64_t bytes = 0;
  if (__builtin_mul_overflow(rows, static_cast<std::int64_t>(sizeof(T)), &bytes)) {
    return Status::CapacityError("a table of ", rows, " rows of ", sizeof(T), " bytes");
  }
  return charge(bytes);
}

// The rows of `table`. The column types are checked against T (on the first batch: every
// batch has the table's schema) before anything is allocated, so that a table of columns
// that cost nothing per row (nulls) cannot make it reserve; then the rows are charged to
// `charge` (see charge_rows()).
template <ColumnarRow T, typename A, typename Charge>
Result<std::vector<T, A>> read_rows(const Table& table, Charge&& charge) {
  ARROWPACK_RETURN_NOT_OK(column_count_check(table.num_columns(), field_count<T>()));
  typename RowReaders<T>::Tuple readers;
  if (table.num_batches() > 0) ARROWPACK_RETURN_NOT_OK(bind_rows<T>(readers, *table.batches()[0]));
  ARROWPACK_RETURN_NOT_OK(charge_rows<T>(table.num_rows(), charge));
  std::vector<T, A> out;
  out.reserve(static_cast<std::size_t>(table.num_rows()));
  for (const auto& batch : table.batches()) {
    ARROWPACK_RETURN_NOT_OK(bind_rows<T>(readers, *batch));
    ARROWPACK_RETURN_NOT_OK(append_rows<T>(readers, batch->num_rows(), out));
  }
  return out;
}
}  // namespace detail

/// The rows of `table` (any number of batches), columns matched by position (see the top of
/// this file). TypeError for a column count or a column type that does not match T, or a null
/// in a field that is not std::optional (naming the column and the row); CapacityError when
/// the rows' size overflows; for an exception thrown while reading, the code
/// catch_exceptions() maps it to (OutOfMemory, CapacityError or SerializationError). The table
/// must be valid in full (as read_table() and the IPC readers leave it: offsets are not
/// checked again). It allocates table.num_rows() rows (after checking the column types) and
/// copies the text. Thread-safe (reads `table` only).
template <ColumnarRow T>
Result<std::vector<T>> rows_from_table(const Table& table) {
  return catch_exceptions("reading a table as rows",
                          [&] { return detail::read_rows<T, std::allocator<T>>(table, detail::no_charge); });
}

namespace detail {
// Whether a registered type name is an Arrow table's or record batch's (either reads as rows).
inline bool is_rows_type(std::string_view name) {
  return name == arrow_objects::kTableType || name == arrow_objects::kRecordBatchType;
}

// The rows of a registered "pyarrow.Table" (or "pyarrow.RecordBatch") object, charged to the
// read budget.
template <ColumnarRow T, typename A>
Result<std::vector<T, A>> rows_from_cursor(const ObjectReader::Cursor& c) {
  const auto name = c.registered_type();
  ARROWPACK_ASSIGN_OR_RAISE(auto data, c.registered_data(name ? *name : arrow_objects::kTableType));
  ARROWPACK_ASSIGN_OR_RAISE(auto stream, data.buffer());
  ARROWPACK_ASSIGN_OR_RAISE(auto table, arrow_objects::read_table(stream, c.limits()));
  return read_rows<T, A>(*table, [&](std::int64_t bytes) { return c.charge(bytes); });
}

// A registered table or record batch object: its dict, or an opaque object (read with
// allow_unknown_types) of that name; its type name, or empty.
inline std::optional<std::string_view> rows_object_type(const Value& v) {
  if (const Object* o = v.as<Object>()) {
    if (o->fields && is_rows_type(o->type_name)) return std::string_view(o->type_name);
    return std::nullopt;
  }
  const Dict* d = v.as<Dict>();
  const Value* type = d ? d->find("_pytype_") : nullptr;
  if (type && type->is_string() && is_rows_type(*type->as<std::string>())) {
    return std::string_view(*type->as<std::string>());
  }
  return std::nullopt;
}

// The Value route has no read budget: the Value, and the stream in it, are already in memory,
// and the rows (checked types first) take at most 8 x sizeof(T) bytes per stream byte.
template <ColumnarRow T, typename A>
Result<std::vector<T, A>> rows_from_value(const Value& v, std::string_view type_name) {
  ARROWPACK_ASSIGN_OR_RAISE(auto table, arrow_object_from_value<TablePtr>(v, type_name, arrow_objects::read_table));
  return read_rows<T, A>(*table, no_charge);
}
}  // namespace detail

/// The columnar form of a row vector (see the top of this file).
template <typename T>
struct Converter<ColumnarRows<T>> {
  static constexpr bool kDefined = true;
  /// The errors of columnar_stream().
  static Result<Value> to_value(const ColumnarRows<T>& x, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto stream, columnar_stream<T>(x.rows));
    return arrow_objects::table_object(std::move(stream));
  }
  /// Errors: those of columnar_stream(), then those of arrow_objects::write_table_object()
  /// (the writer's).
  static Status write(const ColumnarRows<T>& x, ObjectWriter& w, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto stream, columnar_stream<T>(x.rows));
    return arrow_objects::write_table_object(w, std::move(stream));
  }
  /// Deleted: the columnar form is written only (read a std::vector<T> or a TablePtr).
  /// Errors: none (it cannot be called).
  static Result<ColumnarRows<T>> from_value(const Value&, const SerializationContext&) = delete;
};

}  // namespace arrowpack

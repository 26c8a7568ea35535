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
//   double -> double; an enum -> its underlying integer; std::string -> string (large_string
//   for more than 2 GiB of text in one column); std::optional<X> -> X's column with nulls;
//   a nested aggregate (or type with a fields hook) of those -> struct.
// Columns are named column_names<T>::names when given, else by position ("0", "1", ...).
// The non-optional fields are declared not nullable.
//
// A std::vector<T> of such rows reads from either form (the list of tuples that serialize(
// vector) writes, or the table): columns are matched by position and must have the type the
// field maps to (a string field also takes large_string, binary and large_binary); a null in
// a field that is not std::optional is a TypeError naming the column and the row.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "arrowpack/adapters/arrow.h"
#include "arrowpack/adapters/convert.h"
#include "arrowpack/core/array.h"

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

inline std::int64_t pad8_bytes(std::int64_t n) { return (n + 7) & ~std::int64_t{7}; }

// The batch being laid out: its nodes and buffers in IPC order, and the jobs that fill the
// body once it is allocated. `wide` collects, per text column in pre-order, whether it needs
// 64-bit offsets.
struct ColumnPlan {
  std::vector<ipc::FieldNodeLayout> nodes;
  std::vector<ipc::BodyBufferLayout> buffers;
  std::vector<std::function<void(std::uint8_t* body)>> fills;
  std::vector<bool> wide;
  std::int64_t body_length = 0;

  std::int64_t buffer(std::int64_t size) {
    buffers.push_back({body_length, size});
    body_length += pad8_bytes(size);
    return buffers.back().offset;
  }
};

inline void set_bit(std::uint8_t* bits, std::int64_t i) { bits[i >> 3] |= static_cast<std::uint8_t>(1u << (i & 7)); }
inline bool get_bit(const std::uint8_t* bits, std::int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1u; }

// The validity bitmap of a nullable column (none when it has no null): counts nulls, adds the
// node and the bitmap, and queues its fill. `get(row)` is null for a null slot.
template <typename T, typename Get>
void plan_validity(ColumnPlan& plan, std::span<const T> rows, const Get& get, bool nullable) {
  const auto n = static_cast<std::int64_t>(rows.size());
  std::int64_t nulls = 0;
  if (nullable) {
    for (const T& r : rows) nulls += get(r) == nullptr;
  }
  plan.nodes.push_back({n, nulls});
  if (nulls == 0) {
    plan.buffer(0);
    return;
  }
  const std::int64_t at = plan.buffer((n + 7) / 8);
  plan.fills.push_back([rows, get, at](std::uint8_t* body) {
    std::uint8_t* bits = body + at;
    std::memset(bits, 0, static_cast<std::size_t>((rows.size() + 7) / 8));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (get(rows[i]) != nullptr) set_bit(bits, static_cast<std::int64_t>(i));
    }
  });
}

// While reading, `put(row)` gives the field of `row` that a column fills (a std::optional<X>
// for a nullable field), or null when a parent struct slot is null; live_value() is the
// value inside it, or null.
template <typename S>
auto* live_value(S* slot) {
  if constexpr (OptionalOf<S>::kIs) {
    return slot && slot->has_value() ? &**slot : nullptr;
  } else {
    return slot;
  }
}

inline const std::uint8_t* validity_bits(const Array& col) {
  return col.null_count() > 0 && col.buffer(0) ? col.buffer(0)->data() : nullptr;
}

// Visits the live rows of a column being read: f(row index, X& value) for valid slots;
// a null slot resets a std::optional field and is a TypeError for any other.
template <typename S, typename T, typename Put, typename F>
Status for_each_slot(const Array& col, std::span<T> out, const Put& put, const std::string& where, F&& f) {
  const std::uint8_t* bits = validity_bits(col);
  const std::int64_t base = col.offset();
  for (std::size_t i = 0; i < out.size(); ++i) {
    S* slot = put(out[i]);
    if (slot == nullptr) continue;
    const bool valid = bits == nullptr || get_bit(bits, base + static_cast<std::int64_t>(i));
    if constexpr (OptionalOf<S>::kIs) {
      if (!valid) {
        slot->reset();
        continue;
      }
      f(i, slot->emplace());
    } else {
      if (!valid) {
        return Status::TypeError(where, ": a null at row ", i, " for a field that is not std::optional");
      }
      f(i, *slot);
    }
  }
  return Status::OK();
}

inline Status column_type_error(const std::string& where, const DataType& found, std::string_view expected) {
  return Status::TypeError(where, ": a column of type ", found.to_string(), " for a field of type ", expected);
}

// Numbers and enums: one fixed-width column of the same width and sign.
template <typename F>
struct ColumnOf<
    F, std::enable_if_t<(std::is_arithmetic_v<F> && !std::is_same_v<F, bool> && !std::is_same_v<F, long double>) ||
                        std::is_enum_v<F>>> {
  static constexpr bool kDefined = true;
  using Stored = typename std::conditional_t<std::is_enum_v<F>, std::underlying_type<F>, std::type_identity<F>>::type;

  static DataTypePtr type(const bool*&) { return scalar_type<Stored>(); }

  template <typename T, typename Get>
  static Status plan(ColumnPlan& plan, std::span<const T> rows, const Get& get, bool nullable) {
    plan_validity(plan, rows, get, nullable);
    const std::int64_t at = plan.buffer(static_cast<std::int64_t>(rows.size() * sizeof(Stored)));
    plan.fills.push_back([rows, get, at](std::uint8_t* body) {
      auto* out = reinterpret_cast<Stored*>(body + at);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const F* v = get(rows[i]);
        out[i] = v ? static_cast<Stored>(*v) : Stored{};
      }
    });
    return Status::OK();
  }

  template <typename S, typename T, typename Put>
  static Status read(const Array& col, std::span<T> out, const Put& put, const std::string& where) {
    const DataTypePtr want = scalar_type<Stored>();
    if (!col.type()->equals(*want)) return column_type_error(where, *col.type(), want->to_string());
    const Stored* values = col.raw_values<Stored>();
    return for_each_slot<S>(col, out, put, where, [&](std::size_t i, F& x) {
      Stored v;
      std::memcpy(&v, values + i, sizeof(Stored));
      x = static_cast<F>(v);
    });
  }
};

template <>
struct ColumnOf<bool> {
  static constexpr bool kDefined = true;
  static DataTypePtr type(const bool*&) { return boolean(); }

  template <typename T, typename Get>
  static Status plan(ColumnPlan& plan, std::span<const T> rows, const Get& get, bool nullable) {
    plan_validity(plan, rows, get, nullable);
    const std::int64_t at = plan.buffer(static_cast<std::int64_t>((rows.size() + 7) / 8));
    plan.fills.push_back([rows, get, at](std::uint8_t* body) {
      std::uint8_t* bits = body + at;
      std::memset(bits, 0, (rows.size() + 7) / 8);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const bool* v = get(rows[i]);
        if (v && *v) set_bit(bits, static_cast<std::int64_t>(i));
      }
    });
    return Status::OK();
  }

  template <typename S, typename T, typename Put>
  static Status read(const Array& col, std::span<T> out, const Put& put, const std::string& where) {
    if (col.type_id() != TypeId::kBool) return column_type_error(where, *col.type(), "bool");
    const std::uint8_t* bits = col.buffer(1)->data();
    const std::int64_t base = col.offset();
    return for_each_slot<S>(col, out, put, where,
                            [&](std::size_t i, bool& x) { x = get_bit(bits, base + static_cast<std::int64_t>(i)); });
  }
};

template <>
struct ColumnOf<std::string> {
  static constexpr bool kDefined = true;
  static DataTypePtr type(const bool*& wide) { return *wide++ ? large_utf8() : utf8(); }

  template <typename T, typename Get>
  static Status plan(ColumnPlan& plan, std::span<const T> rows, const Get& get, bool nullable) {
    std::int64_t text = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string* v = get(rows[i]);
      if (v == nullptr) continue;
      if (!is_valid_utf8(*v)) return Status::Invalid("row ", i, ": a std::string that is not UTF-8");
      text += static_cast<std::int64_t>(v->size());
    }
    const bool wide = text > kMaxColumnText;
    plan.wide.push_back(wide);
    plan_validity(plan, rows, get, nullable);
    const std::int64_t width = wide ? 8 : 4;
    const std::int64_t offsets_at = plan.buffer((static_cast<std::int64_t>(rows.size()) + 1) * width);
    const std::int64_t data_at = plan.buffer(text);
    plan.fills.push_back([rows, get, offsets_at, data_at, wide](std::uint8_t* body) {
      if (wide) {
        fill<std::int64_t>(rows, get, body + offsets_at, body + data_at);
      } else {
        fill<std::int32_t>(rows, get, body + offsets_at, body + data_at);
      }
    });
    return Status::OK();
  }

  template <typename O, typename T, typename Get>
  static void fill(std::span<const T> rows, const Get& get, std::uint8_t* offsets_bytes, std::uint8_t* data) {
    auto* offsets = reinterpret_cast<O*>(offsets_bytes);
    O at = 0;
    offsets[0] = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (const std::string* v = get(rows[i])) {
        if (!v->empty()) std::memcpy(data + at, v->data(), v->size());
        at += static_cast<O>(v->size());
      }
      offsets[i + 1] = at;
    }
  }

  template <typename S, typename T, typename Put>
  static Status read(const Array& col, std::span<T> out, const Put& put, const std::string& where) {
    switch (col.type_id()) {
      case TypeId::kString:
      case TypeId::kBinary: return read_as<S, std::int32_t>(col, out, put, where);
      case TypeId::kLargeString:
      case TypeId::kLargeBinary: return read_as<S, std::int64_t>(col, out, put, where);
      default: return column_type_error(where, *col.type(), "std::string");
    }
  }

  template <typename S, typename O, typename T, typename Put>
  static Status read_as(const Array& col, std::span<T> out, const Put& put, const std::string& where) {
    const O* offsets = reinterpret_cast<const O*>(col.buffer(1)->data()) + col.offset();
    const char* data = col.buffer(2) ? reinterpret_cast<const char*>(col.buffer(2)->data()) : "";
    return for_each_slot<S>(col, out, put, where, [&](std::size_t i, std::string& x) {
      x.assign(data + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i]));
    });
  }
};

// A nested row type: a struct column of its fields' columns.
template <typename F>
struct ColumnOf<F, std::enable_if_t<columnar_row<F>()>> {
  static constexpr bool kDefined = true;
  static constexpr std::size_t kFields = field_count<F>();

  static DataTypePtr type(const bool*& wide);

  template <typename T, typename Get>
  static Status plan(ColumnPlan& plan, std::span<const T> rows, const Get& get, bool nullable) {
    plan_validity(plan, rows, get, nullable);
    return plan_children(plan, rows, get, std::make_index_sequence<kFields>{});
  }

  template <typename T, typename Get, std::size_t... K>
  static Status plan_children(ColumnPlan& plan, std::span<const T> rows, const Get& get, std::index_sequence<K...>) {
    Status st;
    ((st = st.ok() ? plan_child<K>(plan, rows, get) : st), ...);
    return st;
  }

  template <std::size_t K, typename T, typename Get>
  static Status plan_child(ColumnPlan& plan, std::span<const T> rows, const Get& get);

  template <typename S, typename T, typename Put>
  static Status read(const Array& col, std::span<T> out, const Put& put, const std::string& where) {
    if (col.type_id() != TypeId::kStruct || col.num_children() != static_cast<int>(kFields)) {
      return column_type_error(where, *col.type(), "a struct of " + std::to_string(kFields) + " fields");
    }
    ARROWPACK_RETURN_NOT_OK(for_each_slot<S>(col, out, put, where, [](std::size_t, F&) {}));
    return read_children<S>(col, out, put, where, std::make_index_sequence<kFields>{});
  }

  template <typename S, typename T, typename Put, std::size_t... K>
  static Status read_children(const Array& col, std::span<T> out, const Put& put, const std::string& where,
                              std::index_sequence<K...>) {
    Status st;
    ((st = st.ok() ? read_child<S, K>(col, out, put, where) : st), ...);
    return st;
  }

  template <typename S, std::size_t K, typename T, typename Put>
  static Status read_child(const Array& col, std::span<T> out, const Put& put, const std::string& where);
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

// The getter of member K of the struct values `get` gives: a pointer to the member's value,
// or null when the struct slot or the member (an empty std::optional) is null.
template <std::size_t K, typename F, typename Get>
auto member_getter(const Get& get) {
  using M = field_type_t<F, K>;
  return [get](const auto& row) -> const typename OptionalOf<M>::type* {
    const F* s = get(row);
    if (s == nullptr) return nullptr;
    const M& m = field_ref<K>(*s);
    if constexpr (OptionalOf<M>::kIs) {
      return m.has_value() ? &*m : nullptr;
    } else {
      return &m;
    }
  };
}

template <typename F>
template <std::size_t K, typename T, typename Get>
Status ColumnOf<F, std::enable_if_t<columnar_row<F>()>>::plan_child(ColumnPlan& plan, std::span<const T> rows,
                                                                    const Get& get) {
  using M = field_type_t<F, K>;
  return ColumnOf<typename OptionalOf<M>::type>::plan(plan, rows, member_getter<K, F>(get), OptionalOf<M>::kIs);
}

template <typename F>
template <typename S, std::size_t K, typename T, typename Put>
Status ColumnOf<F, std::enable_if_t<columnar_row<F>()>>::read_child(const Array& col, std::span<T> out, const Put& put,
                                                                    const std::string& where) {
  using M = field_type_t<F, K>;
  auto child_put = [&put](T& row) -> M* {
    F* s = live_value(put(row));
    return s ? &field_ref<K>(*s) : nullptr;
  };
  return ColumnOf<typename OptionalOf<M>::type>::template read<M>(col.field(static_cast<int>(K)), out, child_put,
                                                                  where + "." + column_name<F>(K));
}

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
  static const Result<std::shared_ptr<Buffer>> narrow = make(std::vector<bool>(wide.size(), false));
  return narrow;
}

template <typename T, std::size_t... J>
Status plan_row_columns(ColumnPlan& plan, std::span<const T> rows, std::index_sequence<J...>) {
  Status st;
  auto one = [&](auto j) {
    constexpr std::size_t K = decltype(j)::value;
    using M = field_type_t<T, K>;
    auto get = [](const T& row) -> const typename OptionalOf<M>::type* {
      const M& m = field_ref<K>(row);
      if constexpr (OptionalOf<M>::kIs) {
        return m.has_value() ? &*m : nullptr;
      } else {
        return &m;
      }
    };
    st = ColumnOf<typename OptionalOf<M>::type>::plan(plan, rows, get, OptionalOf<M>::kIs);
    if (!st.ok()) st = st.with_context("column " + column_name<T>(K));
  };
  ((st.ok() ? one(std::integral_constant<std::size_t, J>{}) : void()), ...);
  return st;
}

template <typename T, std::size_t... J>
Status read_row_columns(const RecordBatch& batch, std::span<T> out, std::index_sequence<J...>) {
  Status st;
  auto one = [&](auto j) {
    constexpr std::size_t K = decltype(j)::value;
    using M = field_type_t<T, K>;
    auto put = [](T& row) -> M* { return &field_ref<K>(row); };
    st = ColumnOf<typename OptionalOf<M>::type>::template read<M>(batch.column(static_cast<int>(K)), out, put,
                                                                  "column " + column_name<T>(K));
  };
  ((st.ok() ? one(std::integral_constant<std::size_t, J>{}) : void()), ...);
  return st;
}

}  // namespace detail

/// The IPC stream of `rows` as one table of one batch (the "data" of the columnar form), in a
/// new buffer from `pool`: one pass over the rows to size the columns (and check that every
/// std::string is UTF-8), one pass per column to write it in place. Invalid (naming the column
/// and the row) for text that is not UTF-8; CapacityError for metadata too large to frame;
/// OutOfMemory from the pool. Thread-safe for distinct or unchanging rows.
template <ColumnarRow T>
Result<std::shared_ptr<Buffer>> columnar_stream(std::span<const T> rows, MemoryPool* pool = default_memory_pool()) {
  detail::ColumnPlan plan;
  ARROWPACK_RETURN_NOT_OK(
      detail::plan_row_columns<T>(plan, rows, std::make_index_sequence<detail::field_count<T>()>{}));
  ARROWPACK_ASSIGN_OR_RAISE(auto schema_meta, detail::row_schema_metadata<T>(plan.wide));
  ARROWPACK_ASSIGN_OR_RAISE(auto out, arrow_objects::batch_stream(*schema_meta, static_cast<std::int64_t>(rows.size()),
                                                                  plan.nodes, plan.buffers, plan.body_length, pool));
  for (const auto& fill : plan.fills) fill(out.body);
  return std::shared_ptr<Buffer>(std::move(out.stream));
}

/// `rows` as a Table whose columns are slices of one new buffer (see columnar_stream()).
template <ColumnarRow T>
Result<TablePtr> to_table(std::span<const T> rows, MemoryPool* pool = default_memory_pool()) {
  ARROWPACK_ASSIGN_OR_RAISE(auto stream, columnar_stream(rows, pool));
  return arrow_objects::read_table(stream);
}

/// The rows of `table` (any number of batches), columns matched by position (see the top of
/// this file). TypeError for a column count or a column type that does not match T, or a null
/// in a field that is not std::optional (naming the column and the row). The table must be
/// valid in full (as read_table() and the IPC readers leave it: offsets are not checked
/// again), and the caller bounds it: this allocates table.num_rows() rows and copies the
/// text. Thread-safe (reads `table` only).
template <ColumnarRow T>
Result<std::vector<T>> rows_from_table(const Table& table) {
  constexpr std::size_t n = detail::field_count<T>();
  if (table.num_columns() != static_cast<int>(n)) {
    return Status::TypeError("a table of ", table.num_columns(), " columns for a row type of ", n, " fields");
  }
  std::vector<T> out(static_cast<std::size_t>(table.num_rows()));
  std::size_t at = 0;
  for (const auto& batch : table.batches()) {
    const auto len = static_cast<std::size_t>(batch->num_rows());
    std::span<T> rows(out.data() + at, len);
    Status st = detail::read_row_columns<T>(*batch, rows, std::make_index_sequence<n>{});
    if (!st.ok()) return at == 0 ? st : st.with_context("the batch at row " + std::to_string(at));
    at += len;
  }
  return out;
}

namespace detail {
// The rows of a registered "pyarrow.Table" object, charged to the read budget first.
template <ColumnarRow T, typename A>
Result<std::vector<T, A>> rows_from_cursor(const ObjectReader::Cursor& c) {
  ARROWPACK_ASSIGN_OR_RAISE(auto data, c.registered_data(arrow_objects::kTableType));
  ARROWPACK_ASSIGN_OR_RAISE(auto stream, data.buffer());
  ARROWPACK_ASSIGN_OR_RAISE(auto table, arrow_objects::read_table(stream, c.limits()));
  ARROWPACK_RETURN_NOT_OK(c.charge(table->num_rows() * static_cast<std::int64_t>(sizeof(T))));
  ARROWPACK_ASSIGN_OR_RAISE(auto rows, rows_from_table<T>(*table));
  if constexpr (std::is_same_v<std::vector<T, A>, std::vector<T>>) {
    return rows;
  } else {
    return std::vector<T, A>(std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  }
}

// A registered "pyarrow.Table" object: its dict, or an opaque object (read with
// allow_unknown_types) of that name.
inline bool is_table_object(const Value& v) {
  if (const Object* o = v.as<Object>()) return o->fields && o->type_name == arrow_objects::kTableType;
  const Dict* d = v.as<Dict>();
  const Value* type = d ? d->find("_pytype_") : nullptr;
  return type && type->is_string() && *type->as<std::string>() == arrow_objects::kTableType;
}

template <ColumnarRow T, typename A>
Result<std::vector<T, A>> rows_from_value(const Value& v) {
  ARROWPACK_ASSIGN_OR_RAISE(
      auto table, detail::arrow_object_from_value<TablePtr>(v, arrow_objects::kTableType, arrow_objects::read_table));
  ARROWPACK_ASSIGN_OR_RAISE(auto rows, rows_from_table<T>(*table));
  return std::vector<T, A>(std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
}
}  // namespace detail

/// The columnar form of a row vector (see the top of this file).
template <typename T>
struct Converter<ColumnarRows<T>> {
  static constexpr bool kDefined = true;
  static Result<Value> to_value(const ColumnarRows<T>& x, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto stream, columnar_stream<T>(x.rows));
    return arrow_objects::table_object(std::move(stream));
  }
  static Status write(const ColumnarRows<T>& x, ObjectWriter& w, const SerializationContext&) {
    ARROWPACK_ASSIGN_OR_RAISE(auto stream, columnar_stream<T>(x.rows));
    return arrow_objects::write_table_object(w, std::move(stream));
  }
  static Result<ColumnarRows<T>> from_value(const Value&, const SerializationContext&) = delete;
};

}  // namespace arrowpack

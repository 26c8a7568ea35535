// The columnar form of row vectors (adapters/columnar.h): one Arrow table inside the blob.
#include <catch2/catch.hpp>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/row_stream.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

enum class Side : std::int8_t { kBuy = 1, kSell = -1 };

struct Venue {
  std::string name;
  std::optional<std::int32_t> id;
  bool operator==(const Venue&) const = default;
};

struct Trade {
  std::string symbol;
  double price = 0;
  std::int64_t qty = 0;
  std::optional<double> fee;
  bool open = false;
  Side side = Side::kBuy;
  std::uint16_t lot = 0;
  float weight = 0;
  Venue venue;
  std::optional<Venue> via;
  std::optional<std::string> note;
  bool operator==(const Trade&) const = default;
};

// A class with a fields hook travels the same way.
class Tick {
 public:
  Tick() = default;
  Tick(std::string s, double p) : symbol_(std::move(s)), price_(p) {}
  auto arrowpack_fields() { return std::tie(symbol_, price_); }
  bool operator==(const Tick&) const = default;

 private:
  std::string symbol_;
  double price_ = 0;
};

struct Narrow {  // reads a table of the seed's shape with different types
  std::int32_t f0 = 0;
};

std::vector<Trade> trades(std::size_t n) {
  std::vector<Trade> out;
  for (std::size_t i = 0; i < n; ++i) {
    Trade t;
    t.symbol = i % 3 == 0 ? "" : "sym-" + std::to_string(i) + (i % 5 == 0 ? " héllo 日本" : "");
    t.price = 0.5 * static_cast<double>(i);
    t.qty = static_cast<std::int64_t>(i) * 1000 - 7;
    if (i % 2) t.fee = 0.01 * static_cast<double>(i);
    t.open = i % 4 == 1;
    t.side = i % 3 ? Side::kBuy : Side::kSell;
    t.lot = static_cast<std::uint16_t>(i * 7);
    t.weight = static_cast<float>(i) / 4;
    t.venue = Venue{"v" + std::to_string(i % 4),
                    i % 5 ? std::optional<std::int32_t>(static_cast<std::int32_t>(i)) : std::nullopt};
    if (i % 3 == 1) t.via = Venue{"relay", std::nullopt};
    if (i % 7 == 2) t.note = "n" + std::to_string(i);
    out.push_back(t);
  }
  return out;
}

bool inside(const Buffer& b, const Buffer& blob) {
  return b.data() >= blob.data() && b.data() + b.size() <= blob.data() + blob.size();
}

}  // namespace

template <>
struct arrowpack::column_names<Trade> {
  static constexpr std::array<std::string_view, 11> names = {"symbol", "price",  "qty",   "fee", "open", "side",
                                                             "lot",    "weight", "venue", "via", "note"};
};
template <>
struct arrowpack::column_names<Venue> {
  static constexpr std::array<std::string_view, 2> names = {"name", "id"};
};

TEST_CASE("columnar: rows round trip through one table, by every route", "[columnar]") {
  for (std::size_t n : {0, 1, 7, 8, 9, 1000}) {
    INFO("rows " << n);
    const auto rows = trades(n);
    auto object = ok_or_die(serialize(columnar(rows)));
    CHECK(object.buffers().size() == 1);  // the table's IPC stream, out of band
    auto blob = ok_or_die(object.to_buffer());
    CHECK(ok_or_die(deserialize<std::vector<Trade>>(blob)) == rows);
    auto components = ok_or_die(object.to_components());
    CHECK(ok_or_die(deserialize_components<std::vector<Trade>>(components)) == rows);
    // The Value route reads the same.
    DeserializeOptions opaque;  // pyarrow.Table is not a type of the context: read as it is
    opaque.allow_unknown_types = true;
    auto value = ok_or_die(deserialize(blob, SerializationContext::default_context(), opaque));
    CHECK(ok_or_die(from_value<std::vector<Trade>>(value, SerializationContext::default_context())) == rows);
    // The same blob is a table whose columns are slices of the blob.
    auto table = ok_or_die(deserialize<TablePtr>(blob));
    REQUIRE(table->num_rows() == static_cast<std::int64_t>(n));
    REQUIRE(table->num_columns() == 11);
    for (const auto& batch : table->batches()) {
      for (int c = 0; c < batch->num_columns(); ++c) {
        for (const auto& b : batch->column(c).data()->buffers) {
          if (b && b->size() > 0) CHECK(inside(*b, *blob));
        }
      }
    }
  }
}

TEST_CASE("columnar: the table has the types, names and nulls the fields map to", "[columnar]") {
  const auto rows = trades(10);
  auto table = ok_or_die(to_table(std::span<const Trade>(rows)));
  const Schema& s = *table->schema();
  CHECK(s.field(0)->name() == "symbol");
  CHECK(s.field(0)->type()->equals(*utf8()));
  CHECK_FALSE(s.field(0)->nullable());
  CHECK(s.field(1)->type()->equals(*float64()));
  CHECK(s.field(2)->type()->equals(*int64()));
  CHECK(s.field(3)->nullable());
  CHECK(s.field(4)->type()->equals(*boolean()));
  CHECK(s.field(5)->type()->equals(*int8()));
  CHECK(s.field(6)->type()->equals(*uint16()));
  CHECK(s.field(7)->type()->equals(*float32()));
  CHECK(s.field(8)->type()->equals(*struct_({field("name", utf8(), false), field("id", int32(), true)})));
  CHECK(s.field(9)->nullable());
  CHECK(s.field(10)->nullable());
  REQUIRE(table->num_batches() == 1);
  const RecordBatch& b = *table->batches()[0];
  CHECK(b.column(3).null_count() == 5);
  CHECK(b.column(0).null_count() == 0);
  CHECK(b.column(0).buffer(0) == nullptr);  // no bitmap where nothing is null
  CHECK(b.column(1).value<double>(4) == 2.0);
  CHECK(b.column(5).value<std::int8_t>(0) == -1);
  CHECK(b.column(4).bool_value(1));
  CHECK(b.column(0).string_view(5) == "sym-5 héllo 日本");
  CHECK(b.column(9).is_null(0));
  CHECK(b.column(9).is_valid(1));
  CHECK(b.column(8).field(1).is_null(0));
  CHECK(b.column(8).field(0).string_view(6) == "v2");
  for (int c = 0; c < b.num_columns(); ++c) REQUIRE(b.column(c).validate_full().ok());
}

TEST_CASE("columnar: classes with a fields hook, and default names by position", "[columnar]") {
  std::vector<Tick> ticks = {{"a", 1}, {"bb", 2.5}};
  auto blob = ok_or_die(ok_or_die(serialize(columnar(ticks))).to_buffer());
  CHECK(ok_or_die(deserialize<std::vector<Tick>>(blob)) == ticks);
  auto table = ok_or_die(deserialize<TablePtr>(blob));
  CHECK(table->schema()->field(0)->name() == "0");
  CHECK(table->schema()->field(1)->name() == "1");
}

TEST_CASE("columnar: a table of many batches reads as one vector of rows", "[columnar]") {
  const auto a = trades(5), b = trades(9);
  auto ta = ok_or_die(to_table(std::span<const Trade>(a)));
  auto tb = ok_or_die(to_table(std::span<const Trade>(b)));
  auto both = ok_or_die(Table::from_batches(ta->schema(), {ta->batches()[0], tb->batches()[0]}));
  auto blob = ok_or_die(ok_or_die(serialize(both)).to_buffer());
  auto rows = ok_or_die(deserialize<std::vector<Trade>>(blob));
  auto want = a;
  want.insert(want.end(), b.begin(), b.end());
  CHECK(rows == want);
  // Slices of a batch read from their offset.
  auto sliced = ok_or_die(ta->batches()[0]->slice(2, 3));
  auto table = ok_or_die(Table::from_batches(ta->schema(), {sliced}));
  CHECK(ok_or_die(rows_from_table<Trade>(*table)) == std::vector<Trade>(a.begin() + 2, a.end()));
}

TEST_CASE("columnar: what does not fit the row type is refused by name", "[columnar]") {
  // The seed table: f0 int64, f1 string (a null), f2 bool (a null).
  auto seed = testing::seed_batch();
  auto table = ok_or_die(Table::from_batches(seed->schema(), {seed}));
  auto blob = ok_or_die(ok_or_die(serialize(table)).to_buffer());

  struct SeedRow {
    std::int64_t f0 = 0;
    std::optional<std::string> f1;
    std::optional<bool> f2;
  };
  auto rows = ok_or_die(deserialize<std::vector<SeedRow>>(blob));
  REQUIRE(rows.size() == 4);
  CHECK(rows[3].f0 == 4);
  CHECK(rows[1].f1 == "bar");
  CHECK_FALSE(rows[3].f1.has_value());
  CHECK_FALSE(rows[1].f2.has_value());
  CHECK(rows[2].f2 == false);

  struct NotOptional {
    std::int64_t f0 = 0;
    std::string f1;
    std::optional<bool> f2;
  };
  auto nulls = deserialize<std::vector<NotOptional>>(blob);
  REQUIRE(nulls.status().is_type_error());
  CHECK(nulls.status().message().find("column 1: a null at row 3") != std::string::npos);

  struct WrongType {
    std::int32_t f0 = 0;
    std::optional<std::string> f1;
    std::optional<bool> f2;
  };
  auto wrong = deserialize<std::vector<WrongType>>(blob);
  REQUIRE(wrong.status().is_type_error());
  CHECK(wrong.status().message().find("column 0: a column of type int64 for a field of type int32") !=
        std::string::npos);

  auto count = deserialize<std::vector<Narrow>>(blob);
  REQUIRE(count.status().is_type_error());
  CHECK(count.status().message().find("a table of 3 columns for a row type of 1 fields") != std::string::npos);
}

TEST_CASE("columnar: text that is not UTF-8 is refused on write, naming the column and row", "[columnar]") {
  std::vector<Tick> ticks = {{"ok", 1}, {std::string("\xff\xfe", 2), 2}};
  auto r = serialize(columnar(ticks));
  REQUIRE(r.status().is_invalid());
  CHECK(r.status().message().find("row 1") != std::string::npos);
  CHECK(r.status().message().find("column 0") != std::string::npos);
}

TEST_CASE("columnar: the list form still reads, and reading charges the budget", "[columnar]") {
  const auto rows = trades(50);
  auto as_list = ok_or_die(ok_or_die(serialize(rows)).to_buffer());
  CHECK(ok_or_die(deserialize<std::vector<Trade>>(as_list)) == rows);
  auto blob = ok_or_die(ok_or_die(serialize(columnar(rows))).to_buffer());
  DeserializeOptions tight;
  tight.limits.decoded_bytes_allowance = 0;
  tight.limits.decoded_bytes_per_input_byte = 0;
  auto r = deserialize<std::vector<Trade>>(blob, SerializationContext::default_context(), tight);
  CHECK(r.status().is_capacity_error());
}

TEST_CASE("columnar: the stream is what Arrow's own writer gives for the same table", "[columnar]") {
  // arrowpack's IPC writer writes Arrow C++'s bytes (ipc_test, gold_test); the columnar
  // writer lays the batch out itself and must agree with it byte for byte.
  const auto rows = trades(33);
  auto stream = ok_or_die(columnar_stream(std::span<const Trade>(rows)));
  auto table = ok_or_die(arrow_objects::read_table(stream));
  auto again = ok_or_die(arrow_objects::table_value(*table));
  const auto& data = *again.as<Dict>()->find("data")->as<std::shared_ptr<Buffer>>();
  CHECK(data->to_string() == stream->to_string());
}

TEST_CASE("columnar: batches of no rows, whose buffers may be absent, read as no rows", "[columnar]") {
  struct Row {
    double f = 0;
    std::optional<std::string> s;
  };
  auto f = Array::make(float64(), 0, {nullptr, nullptr});
  auto s = Array::make(utf8(), 0, {nullptr, nullptr, nullptr});
  REQUIRE(f.ok());
  REQUIRE(s.ok());
  auto batch = ok_or_die(RecordBatch::from_arrays({*f, *s}, {"f", "s"}));
  auto table = ok_or_die(Table::from_batches(batch->schema(), {batch, batch}));
  CHECK(ok_or_die(rows_from_table<Row>(*table)).empty());
  auto blob = ok_or_die(ok_or_die(serialize(table)).to_buffer());
  CHECK(ok_or_die(deserialize<std::vector<Row>>(blob)).empty());
}

namespace {
enum PlainEnum { kPlainA, kPlainB };                  // no fixed underlying type: values outside are UB
enum class Flag : bool { kOff = false, kOn = true };  // a byte read back into a bool could be 2
struct WithPlainEnum {
  PlainEnum e = kPlainA;
};
struct WithBoolEnum {
  Flag f = Flag::kOff;
};
struct WithChar {
  char c = 0;
  unsigned char u = 0;
};
}  // namespace

TEST_CASE("columnar: enums travel only with a fixed underlying type other than bool, char is int8", "[columnar]") {
  static_assert(!HasConverter<PlainEnum> && !ColumnarRow<WithPlainEnum>);
  static_assert(!HasConverter<Flag> && !ColumnarRow<WithBoolEnum>);
  static_assert(HasConverter<Side> && ColumnarRow<WithChar>);
  std::vector<WithChar> rows = {{'\xff', 255}, {'a', 0}};
  auto table = ok_or_die(to_table(std::span<const WithChar>(rows)));
  CHECK(table->schema()->field(0)->type()->equals(*int8()));  // whatever char's sign here
  CHECK(table->schema()->field(1)->type()->equals(*uint8()));
  auto back = ok_or_die(rows_from_table<WithChar>(*table));
  CHECK(back[0].c == '\xff');
  CHECK(back[0].u == 255);
  CHECK(back[1].c == 'a');
}

// ---- Row streams (adapters/row_stream.h)

namespace {
struct W4 {  // the small record
  std::string name;
  double a = 0, b = 0, c = 0, d = 0;
  std::int64_t id = 0;
  bool operator==(const W4&) const = default;
};

std::shared_ptr<io::BufferOutputStream> sink() { return ok_or_die(io::BufferOutputStream::create()); }

// A row stream of `rows`, each row its own batch, with the end-of-stream marker when `close`.
template <typename T>
std::shared_ptr<Buffer> stream_of(const std::vector<T>& rows, bool close = true) {
  auto out = sink();
  auto writer = ok_or_die(RowStreamWriter<T>::open(out));
  for (const T& row : rows) REQUIRE(writer.write(row).ok());
  if (close) REQUIRE(writer.close().ok());
  return ok_or_die(out->finish());
}
}  // namespace

TEST_CASE("row streams: batches of any size round trip, the schema once", "[columnar][row_stream]") {
  auto out = sink();
  auto writer = ok_or_die(RowStreamWriter<Trade>::open(out));
  const std::int64_t schema_bytes = writer.bytes_written();
  CHECK(schema_bytes > 0);
  const auto rows = trades(40);
  for (std::size_t i = 0; i < 20; ++i) REQUIRE(writer.write(rows[i]).ok());
  REQUIRE(writer.write(std::span<const Trade>()).ok());  // a batch of no rows
  REQUIRE(writer.write(std::span<const Trade>(rows).subspan(20)).ok());
  REQUIRE(writer.close().ok());
  REQUIRE(writer.close().ok());  // once
  CHECK(writer.batches_written() == 22);
  CHECK(writer.write(rows[0]).code() == StatusCode::kInvalid);  // after close()
  auto bytes = ok_or_die(out->finish());
  CHECK(bytes->size() == writer.bytes_written());

  auto reader = ok_or_die(RowStreamReader<Trade>::open(bytes));
  CHECK(reader.schema()->field(0)->name() == "symbol");
  std::vector<Trade> back;
  std::vector<std::size_t> sizes;
  while (true) {
    auto batch = ok_or_die(reader.read_next_batch());
    if (!batch) break;
    sizes.push_back(batch->size());
    back.insert(back.end(), batch->begin(), batch->end());
  }
  CHECK(back == rows);
  CHECK(sizes.size() == 22);
  CHECK(sizes[20] == 0);
  CHECK(sizes[21] == 20);
  CHECK(reader.batches_read() == 22);
  CHECK_FALSE(ok_or_die(reader.read_next_batch()).has_value());  // stays at the end

  // The same bytes are a plain IPC stream: a table of 40 rows in 22 batches.
  auto ipc = ok_or_die(ipc::open_stream(bytes));
  auto table = ok_or_die(ipc->read_all());
  CHECK(table->num_rows() == 40);
  CHECK(table->num_batches() == 22);
  CHECK(ok_or_die(rows_from_table<Trade>(*table)) == rows);
  CHECK(ok_or_die(RowStreamReader<Trade>::open(bytes)).read_all().value_or_throw() == rows);
}

TEST_CASE("row streams: each W4 object after the first costs one batch message", "[columnar][row_stream]") {
  auto out = sink();
  auto writer = ok_or_die(RowStreamWriter<W4>::open(out));
  std::vector<std::int64_t> costs;
  for (int i = 0; i < 5; ++i) {
    const auto before = writer.bytes_written();
    REQUIRE(writer.write(W4{"record-" + std::to_string(i), 1.0 * i, 2, 3, 4, i}).ok());
    costs.push_back(writer.bytes_written() - before);
  }
  // Names of one length: every batch has the same size (the metadata of 6 field nodes and 13
  // buffers, and a body of 8-byte-padded buffers), and it is what the stream grows by.
  for (auto c : costs) CHECK(c == costs[0]);
  CHECK(costs[0] < 520);
  REQUIRE(writer.close().ok());
  auto bytes = ok_or_die(out->finish());
  auto rows = ok_or_die(ok_or_die(RowStreamReader<W4>::open(bytes)).read_all());
  REQUIRE(rows.size() == 5);
  CHECK(rows[4] == W4{"record-4", 4, 2, 3, 4, 4});
}

TEST_CASE("row streams: refusals are typed errors", "[columnar][row_stream]") {
  SECTION("text that is not UTF-8 is refused on write, and the stream is unchanged") {
    auto out = sink();
    auto writer = ok_or_die(RowStreamWriter<W4>::open(out));
    const auto before = writer.bytes_written();
    auto st = writer.write(W4{"bad \xff text", 1, 2, 3, 4, 5});
    CHECK(st.code() == StatusCode::kInvalid);
    CHECK(writer.bytes_written() == before);
    CHECK(writer.batches_written() == 0);
  }
  SECTION("a stream without the marker ends where the source ends") {
    auto bytes = stream_of(std::vector<W4>{W4{"x", 1, 2, 3, 4, 5}}, /*close=*/false);
    CHECK(ok_or_die(ok_or_die(RowStreamReader<W4>::open(bytes)).read_all()).size() == 1);
  }
  SECTION("a truncated stream") {
    const auto schema_bytes = ok_or_die(RowStreamWriter<W4>::open(sink())).bytes_written();
    auto bytes = stream_of(std::vector<W4>{W4{"x", 1, 2, 3, 4, 5}});
    for (std::int64_t cut = 0; cut < bytes->size() - 8; ++cut) {
      INFO("cut at " << cut);
      auto reader = RowStreamReader<W4>::open(ok_or_die(Buffer::copy_of(bytes->data(), cut)));
      if (cut < schema_bytes) {
        CHECK_FALSE(reader.ok());  // the schema itself is cut
        continue;
      }
      REQUIRE(reader.ok());
      auto rows = reader->read_all();
      if (cut == schema_bytes) {
        CHECK(ok_or_die(std::move(rows)).empty());  // a whole stream of no batch
      } else {
        CHECK_FALSE(rows.ok());  // the batch is cut
      }
    }
  }
  SECTION("a row type of another shape") {
    auto bytes = stream_of(std::vector<W4>{W4{"x", 1, 2, 3, 4, 5}});
    CHECK(RowStreamReader<Trade>::open(bytes).status().code() == StatusCode::kTypeError);  // 11 fields, 6 columns
    struct Swapped {
      double name;
      double a, b, c, d;
      std::int64_t id;
    };
    auto st = RowStreamReader<Swapped>::open(bytes).status();  // refused at open, by the schema
    CHECK(st.code() == StatusCode::kTypeError);
    CHECK(st.message().find("column 0") != std::string::npos);
    // Struct columns where the row type has numbers: refused by counting, before any column
    // is built.
    struct Flat {
      double f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10;
    };
    auto trades_stream = sink();
    auto w = ok_or_die(RowStreamWriter<Trade>::open(trades_stream));
    REQUIRE(w.close().ok());
    st = RowStreamReader<Flat>::open(ok_or_die(trades_stream->finish())).status();
    CHECK(st.code() == StatusCode::kTypeError);
    CHECK(st.message().find("more nested columns than the row type's 11") != std::string::npos);
  }
  SECTION("a null in a field that is not optional: the batch and the row are named") {
    struct Loose {
      std::string name;
      std::optional<double> a;
      double b, c, d;
      std::int64_t id;
    };
    auto bytes = stream_of(std::vector<Loose>{Loose{"x", 1.0, 2, 3, 4, 5}, Loose{"y", std::nullopt, 2, 3, 4, 6}});
    auto reader = ok_or_die(RowStreamReader<W4>::open(bytes));
    CHECK(ok_or_die(reader.read_next_batch())->at(0).a == 1.0);
    auto st = reader.read_next_batch().status();
    CHECK(st.code() == StatusCode::kTypeError);
    CHECK(st.message().find("batch 1") != std::string::npos);
    CHECK(st.message().find("column 1") != std::string::npos);
    CHECK(reader.read_next_batch().status().code() == StatusCode::kTypeError);  // the error stays
  }
  SECTION("the rows are charged to the decoded-bytes budget") {
    auto out = sink();
    auto writer = ok_or_die(RowStreamWriter<W4>::open(out));
    const std::vector<W4> rows(1000, W4{"", 1, 2, 3, 4, 5});
    REQUIRE(writer.write(std::span<const W4>(rows)).ok());
    REQUIRE(writer.close().ok());
    auto bytes = ok_or_die(out->finish());
    ipc::IpcReadOptions tight;
    tight.limits.decoded_bytes_allowance = 1024;
    tight.limits.decoded_bytes_per_input_byte = 1;  // 1000 rows of 72 bytes from ~50 KB
    auto reader = ok_or_die(RowStreamReader<W4>::open(bytes, tight));
    CHECK(reader.read_next_batch().status().code() == StatusCode::kCapacityError);
    CHECK(ok_or_die(ok_or_die(RowStreamReader<W4>::open(bytes)).read_all()).size() == 1000);
  }
}

TEST_CASE("row streams: rows written one at a time can share a batch", "[columnar][row_stream]") {
  auto out = sink();
  auto writer = ok_or_die(RowStreamWriter<W4>::open(out, {.rows_per_batch = 4}));
  std::vector<W4> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(W4{"r" + std::to_string(i), 1.0 * i, 2, 3, 4, i});
  for (int i = 0; i < 6; ++i) REQUIRE(writer.write(rows[i]).ok());
  CHECK(writer.batches_written() == 1);  // rows 0-3; 4 and 5 wait
  REQUIRE(writer.flush().ok());          // rows 4 and 5
  CHECK(writer.batches_written() == 2);
  REQUIRE(writer.write(rows[6]).ok());
  REQUIRE(writer.write(std::span<const W4>(rows).subspan(7)).ok());  // row 6 goes first, alone
  REQUIRE(writer.write(rows[0]).ok());
  REQUIRE(writer.close().ok());  // sends the gathered row 0
  CHECK(writer.batches_written() == 5);
  auto reader = ok_or_die(RowStreamReader<W4>::open(ok_or_die(out->finish())));
  std::vector<std::size_t> sizes;
  std::vector<W4> back;
  while (auto batch = ok_or_die(reader.read_next_batch())) {
    sizes.push_back(batch->size());
    back.insert(back.end(), batch->begin(), batch->end());
  }
  CHECK(sizes == std::vector<std::size_t>{4, 2, 1, 3, 1});
  rows.push_back(rows[0]);
  CHECK(back == rows);
  CHECK(RowStreamWriter<W4>::open(sink(), {.rows_per_batch = 0}).status().code() == StatusCode::kInvalid);
}

namespace {
// A sink that takes `room` bytes, then fails.
class FailingSink final : public io::OutputStream {
 public:
  explicit FailingSink(std::int64_t room) : room_(room) {}
  Status write(const void*, std::int64_t nbytes) override {
    if (nbytes > room_) return Status::IOError("the sink is full");
    room_ -= nbytes;
    written_ += nbytes;
    return Status::OK();
  }
  using io::OutputStream::write;
  Result<std::int64_t> tell() const override { return written_; }
  Status close() override { return Status::OK(); }
  bool closed() const override { return false; }

 private:
  std::int64_t room_;
  std::int64_t written_ = 0;
};
}  // namespace

TEST_CASE("row streams: a failed sink, a moved-from writer or reader", "[columnar][row_stream]") {
  auto schema_bytes = ok_or_die(RowStreamWriter<W4>::open(sink())).bytes_written();
  auto failing = std::make_shared<FailingSink>(schema_bytes + 10);
  auto writer = ok_or_die(RowStreamWriter<W4>::open(failing));
  CHECK(writer.write(W4{"x", 1, 2, 3, 4, 5}).code() == StatusCode::kIOError);
  // The stream holds part of nothing it can finish: every later call says so.
  CHECK(writer.write(W4{"y", 1, 2, 3, 4, 5}).code() == StatusCode::kIOError);
  CHECK(writer.close().code() == StatusCode::kIOError);
  CHECK(writer.bytes_written() == schema_bytes);
  // The marker meets the failure: close() says so, and says so again.
  auto one = ok_or_die(RowStreamWriter<W4>::open(sink()));
  REQUIRE(one.write(W4{"x", 1, 2, 3, 4, 5}).ok());
  auto full = std::make_shared<FailingSink>(one.bytes_written());
  auto last = ok_or_die(RowStreamWriter<W4>::open(full));
  REQUIRE(last.write(W4{"x", 1, 2, 3, 4, 5}).ok());
  CHECK(last.close().code() == StatusCode::kIOError);
  CHECK(last.close().code() == StatusCode::kIOError);

  auto moved = ok_or_die(RowStreamWriter<W4>::open(sink()));
  auto taken = std::move(moved);
  CHECK(moved.write(W4{}).code() == StatusCode::kInvalid);  // NOLINT(bugprone-use-after-move): the point
  CHECK(moved.close().code() == StatusCode::kInvalid);      // NOLINT(bugprone-use-after-move)
  REQUIRE(taken.write(W4{"z", 1, 2, 3, 4, 5}).ok());
  REQUIRE(taken.close().ok());

  auto out = sink();
  auto w = ok_or_die(RowStreamWriter<W4>::open(out));
  REQUIRE(w.close().ok());
  auto reader = ok_or_die(RowStreamReader<W4>::open(ok_or_die(out->finish())));
  auto other = std::move(reader);
  CHECK(reader.read_next_batch().status().code() == StatusCode::kInvalid);  // NOLINT(bugprone-use-after-move)
  CHECK(reader.schema() == nullptr);                                        // NOLINT(bugprone-use-after-move)
  CHECK_FALSE(ok_or_die(other.read_next_batch()).has_value());
}

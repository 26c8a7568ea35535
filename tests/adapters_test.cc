#include <catch2/catch.hpp>

#include <numeric>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/adapters/eigen_sparse.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

struct Point {
  double x = 0;
  double y = 0;
  std::string label;
  std::vector<int> ids;
  bool operator==(const Point&) const = default;
};

struct Scene {
  std::vector<Point> points;
  std::map<std::string, std::optional<double>> weights;
  std::tuple<int, std::string> version;
  bool operator==(const Scene&) const = default;
};

// A class with private fields and a constructor: not an aggregate, so Boost.PFR cannot see
// it; its member hook names the fields.
class Account {
 public:
  Account() = default;
  Account(std::string owner, double balance, std::vector<int> ids)
      : owner_(std::move(owner)), balance_(balance), ids_(std::move(ids)) {}
  auto arrowpack_fields() { return std::tie(owner_, balance_, ids_); }
  bool operator==(const Account&) const = default;

 private:
  std::string owner_;
  double balance_ = 0;
  std::vector<int> ids_;
};

// The same through ADL: a friend found in the class's namespace.
class Pixel {
 public:
  Pixel() = default;
  Pixel(int x, int y) : x_(x), y_(y) {}
  friend auto arrowpack_fields(Pixel& p) { return std::tie(p.x_, p.y_); }
  bool operator==(const Pixel&) const = default;

 private:
  int x_ = 0, y_ = 0;
};

// An aggregate whose hook names only some fields (the cache is not sent): the hook wins
// over Boost.PFR.
struct Cached {
  int key = 0;
  std::string cache;
  auto arrowpack_fields() { return std::tie(key); }
};

// An aggregate that opts out of reflection, then travels through its registered callbacks.
struct Secret {
  int value = 0;
};

}  // namespace

template <>
struct arrowpack::reflect_aggregate<Secret> : std::false_type {};
ARROWPACK_DECLARE_REGISTERED(Secret);

namespace {

template <typename T>
T roundtrip(const T& x, const SerializationContext& ctx = SerializationContext::default_context()) {
  auto buf = ok_or_die(ok_or_die(serialize(x, ctx)).to_buffer());
  return ok_or_die(deserialize<T>(buf, ctx));
}

}  // namespace

TEST_CASE("STL values round-trip through the typed front door") {
  CHECK(roundtrip(42) == 42);
  CHECK(roundtrip(std::int8_t{-7}) == -7);
  CHECK(roundtrip(2.5) == 2.5);
  CHECK(roundtrip(1.25f) == 1.25f);
  CHECK(roundtrip(true));
  CHECK(roundtrip(std::string("héllo")) == "héllo");
  CHECK(roundtrip(std::vector<int>{1, 2, 3}) == std::vector<int>{1, 2, 3});
  CHECK(roundtrip(std::array<double, 3>{1, 2, 3}) == std::array<double, 3>{1, 2, 3});
  CHECK(roundtrip(std::list<std::string>{"a", "b"}) == std::list<std::string>{"a", "b"});
  std::map<std::string, std::vector<double>> m{{"a", {1.0}}, {"b", {}}};
  CHECK(roundtrip(m) == m);
  std::unordered_map<int, std::string> um{{1, "one"}, {2, "two"}};
  CHECK(roundtrip(um) == um);
  CHECK(roundtrip(std::set<int>{3, 1, 2}) == std::set<int>{1, 2, 3});
  CHECK(roundtrip(std::make_tuple(1, std::string("x"), 2.0)) == std::make_tuple(1, std::string("x"), 2.0));
  CHECK(roundtrip(std::make_pair(std::string("k"), 9)) == std::make_pair(std::string("k"), 9));
  CHECK(roundtrip(std::optional<int>()) == std::nullopt);
  CHECK(roundtrip(std::optional<int>(5)) == 5);
  CHECK(roundtrip(std::variant<int, std::string>("s")) == std::variant<int, std::string>("s"));
  CHECK(roundtrip(std::variant<int, std::string>(3)) == std::variant<int, std::string>(3));
  std::vector<std::byte> bytes{std::byte{0}, std::byte{255}};
  CHECK(roundtrip(bytes) == bytes);
}

TEST_CASE("the typed front door writes the same Values pyarrow would") {
  auto v = ok_or_die(to_value(std::map<std::string, std::tuple<int, double>>{{"a", {1, 2.0}}},
                              SerializationContext::default_context()));
  CHECK(v.to_string() == "{'a': (1, 2.0)}");
  CHECK(ok_or_die(to_value(std::vector<std::optional<int>>{1, std::nullopt}, SerializationContext::default_context()))
            .to_string() == "[1, None]");
}

TEST_CASE("plain aggregates serialize through Boost.PFR with no registration") {
  Scene s{{{1, 2, "a", {1, 2}}, {3, 4, "b", {}}}, {{"w", 0.5}, {"none", std::nullopt}}, {2, "v2"}};
  CHECK(roundtrip(s) == s);
  auto v = ok_or_die(to_value(Point{1, 2, "p", {7}}, SerializationContext::default_context()));
  CHECK(v.to_string() == "(1.0, 2.0, 'p', ndarray:arrowpack.Tensor<int32>(shape=[1], strides=[4]))");
}

TEST_CASE("a fields hook, member or ADL, serializes classes PFR cannot see, as the tuple of their fields") {
  static_assert(HasFieldsHook<Account> && HasFieldsHook<Pixel> && HasFieldsHook<Cached>);
  static_assert(!Reflectable<Account> && !Reflectable<Cached> && Reflectable<Point>);
  const Account a("ada", 12.5, {1, 2});
  CHECK(roundtrip(a) == a);
  CHECK(roundtrip(std::vector<Pixel>{{1, 2}, {3, 4}}) == std::vector<Pixel>{{1, 2}, {3, 4}});
  CHECK(ok_or_die(to_value(Pixel(5, 6), SerializationContext::default_context())).to_string() == "(5, 6)");
  // The same bytes as an aggregate with those fields: a type can move between hook and PFR.
  struct Plain {
    int x, y;
  };
  CHECK(ok_or_die(ok_or_die(serialize(Pixel(5, 6))).to_buffer())
            ->equals(*ok_or_die(ok_or_die(serialize(Plain{5, 6})).to_buffer())));
  // Through the Value path too, and with the fields hook's count checked on read.
  auto v = ok_or_die(to_value(a, SerializationContext::default_context()));
  CHECK(ok_or_die(from_value<Account>(v, SerializationContext::default_context())) == a);
  auto two = ok_or_die(ok_or_die(serialize(std::make_tuple(1, 2))).to_buffer());
  CHECK(deserialize<Account>(two).status().message() == "expected 3 fields, got 2");
  // The hook wins over PFR: only `key` travels.
  auto cached = roundtrip(Cached{7, "not sent"});
  CHECK(cached.key == 7);
  CHECK(cached.cache.empty());
}

TEST_CASE("an aggregate that opts out of reflection needs its registration") {
  static_assert(!Reflectable<Secret>);
  SerializationContext ctx;
  REQUIRE(ctx.register_type<Secret>(
                 "Secret", [](const Secret& s) { return Value(-s.value); },
                 [](const Value& v) -> Result<Secret> { return Secret{-static_cast<int>(*v.as<std::int64_t>())}; })
              .ok());
  auto v = ok_or_die(to_value(Secret{3}, ctx));
  CHECK(v.is_object());
  CHECK(roundtrip(Secret{3}, ctx).value == 3);
  // Without it, a KeyError at run time rather than field-by-field bytes.
  CHECK(serialize(Secret{3}).status().is_key_error());
}

TEST_CASE("a registered type's callbacks win over reflection") {
  SerializationContext ctx;
  REQUIRE(ctx.register_type<Point>(
                 "Point",
                 [](const Point& p) {
                   return Value::dict({{"x", p.x}, {"y", p.y}});
                 },
                 [](const Value& v) -> Result<Point> {
                   const Dict* d = v.as<Dict>();
                   if (!d) return Status::TypeError("Point wants a dict");
                   return Point{*d->find("x")->as<double>(), *d->find("y")->as<double>(), "from callback", {}};
                 })
              .ok());
  auto v = ok_or_die(to_value(Point{1, 2, "ignored", {}}, ctx));
  REQUIRE(v.is_object());
  auto back = roundtrip(Point{1, 2, "ignored", {}}, ctx);
  CHECK(back.label == "from callback");
  CHECK(back.x == 1);
}

TEST_CASE("typed reading checks kinds, ranges and sizes") {
  auto ctx = &SerializationContext::default_context();
  auto text = ok_or_die(ok_or_die(serialize(std::string("x"))).to_buffer());
  CHECK(deserialize<int>(text).status().message() == "expected an integer, got string");
  auto big = ok_or_die(ok_or_die(serialize(std::int64_t{1000})).to_buffer());
  CHECK(deserialize<std::int8_t>(big).status().message() == "integer 1000 out of range for a 8-bit integer");
  auto three = ok_or_die(ok_or_die(serialize(std::vector<int>{1, 2, 3})).to_buffer());
  CHECK(deserialize<std::array<int, 2>>(three).status().is_type_error());
  CHECK(deserialize<Point>(three).status().message() == "expected a tuple of fields, got ndarray");
  auto list3 = ok_or_die(ok_or_die(serialize(Value::list({1, 2, 3}))).to_buffer());
  CHECK(deserialize<Point>(list3).status().message() == "expected 4 fields, got 3");
  CHECK(ok_or_die(deserialize<std::vector<int>>(list3)) == std::vector<int>{1, 2, 3});
  CHECK(serialize(std::numeric_limits<std::uint64_t>::max()).status().is_capacity_error());
  // std::array of doubles/int64s reads in bulk; a wrong element still gets its own message.
  auto mixed = ok_or_die(ok_or_die(serialize(Value::list({1.5, 2, "x"}))).to_buffer());
  CHECK(deserialize<std::array<double, 3>>(mixed).status().message() == "element 2: expected a number, got string");
  CHECK(deserialize<std::array<std::int64_t, 3>>(mixed).status().message() ==
        "element 0: expected an integer, got double");
  auto numbers = ok_or_die(ok_or_die(serialize(std::array<double, 3>{1.5, 2, -3})).to_buffer());
  CHECK(ok_or_die(deserialize<std::array<double, 3>>(numbers)) == std::array<double, 3>{1.5, 2, -3});
  CHECK(ok_or_die(deserialize<std::tuple<double, double, double>>(numbers)) == std::tuple{1.5, 2.0, -3.0});
  (void)ctx;
}

TEST_CASE("vectors and spans of numbers go out of band and come back as views") {
  std::vector<double> xs(1000);
  std::iota(xs.begin(), xs.end(), 0.0);
  auto so = ok_or_die(serialize(xs));
  REQUIRE(so.ndarrays().size() == 1);
  CHECK(so.ndarrays()[0]->data()->data() == reinterpret_cast<const std::uint8_t*>(xs.data()));
  auto buf = ok_or_die(so.to_buffer());
  auto view = ok_or_die(deserialize<SpanView<double>>(buf));
  CHECK(view.span.size() == 1000);
  CHECK(buf->contains(view.span.data(), 8000));
  CHECK(view.span[999] == 999.0);
  CHECK(ok_or_die(deserialize<std::vector<double>>(buf)) == xs);
  std::span<const std::int16_t> shorts(reinterpret_cast<const std::int16_t*>(xs.data()), 4);
  CHECK(ok_or_die(serialize(shorts)).ndarrays()[0]->type()->equals(*int16()));
  CHECK(deserialize<std::vector<float>>(buf).status().message() == "tensor of double, expected float");
}

TEST_CASE("Eigen matrices become tensors over their own memory, both layouts") {
  Eigen::MatrixXd col(3, 4);
  col.setRandom();
  Eigen::Matrix<float, 2, 3, Eigen::RowMajor> row;
  row << 1, 2, 3, 4, 5, 6;
  auto tc = ok_or_die(tensor_of(col));
  CHECK(tc->data()->data() == reinterpret_cast<const std::uint8_t*>(col.data()));
  CHECK(tc->is_column_major());
  CHECK(ok_or_die(tensor_of(row))->is_row_major());
  CHECK(roundtrip(col) == col);
  CHECK(roundtrip(row) == row);
  Eigen::ArrayXXi arr = Eigen::ArrayXXi::Constant(2, 2, 7);
  CHECK((roundtrip(arr) == arr).all());
  // A block of a matrix is strided; it travels row-major and comes back equal.
  Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>> block(col.data() + 1, 2, 3, Eigen::OuterStride<>(3));
  auto buf = ok_or_die(ok_or_die(serialize(block)).to_buffer());
  Eigen::MatrixXd back = ok_or_die(deserialize<Eigen::MatrixXd>(buf));
  CHECK(back == col.block(1, 0, 2, 3));
  // Fixed sizes are checked.
  CHECK(deserialize<Eigen::Matrix3d>(buf).status().message().find("does not fit") != std::string::npos);
  CHECK(deserialize<Eigen::MatrixXf>(buf).status().is_type_error());
}

TEST_CASE("Eigen::Tensor round-trips in either layout") {
  Eigen::Tensor<double, 3> t(2, 3, 4);
  for (int i = 0; i < 24; ++i) t.data()[i] = i * 0.5;
  auto back = roundtrip(t);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) CHECK(back(i, j, k) == t(i, j, k));
  Eigen::Tensor<std::int32_t, 2, Eigen::RowMajor> r(2, 2);
  r.setValues({{1, 2}, {3, 4}});
  auto rb = roundtrip(r);
  CHECK(rb(1, 0) == 3);
}

TEST_CASE("std::map<int, MatrixXd> of 100 matrices 500x500: components and views copy nothing") {
  std::map<int, Eigen::MatrixXd> data;
  for (int i = 0; i < 100; ++i) data[i] = Eigen::MatrixXd::Constant(500, 500, i);
  SystemMemoryPool pool;
  auto so = ok_or_die(serialize(data));
  auto components = ok_or_die(so.to_components(&pool));
  REQUIRE(components.num_ndarrays == 100);
  for (int i = 0; i < 100; ++i) {
    // data[1 + 2i + 1] is the body of matrix i: the matrix's own memory.
    CHECK(components.data[2 + 2 * i]->data() == reinterpret_cast<const std::uint8_t*>(data[i].data()));
  }
  CHECK(pool.total_allocated_bytes() < 1 << 20);  // metadata only, not the 200 MB

  const std::int64_t before = default_memory_pool()->bytes_allocated();
  auto views = ok_or_die(deserialize_components<std::map<int, EigenView<Eigen::MatrixXd>>>(components));
  CHECK(default_memory_pool()->bytes_allocated() - before < 1 << 20);
  REQUIRE(views.size() == 100);
  CHECK(views.at(7).map.data() == data[7].data());
  CHECK(views.at(7).map(499, 499) == 7);
  // The owning form copies, on request.
  auto copies = ok_or_die(deserialize_components<std::map<int, Eigen::MatrixXd>>(components));
  CHECK(copies.at(99) == data[99]);
  CHECK(copies.at(99).data() != data[99].data());
}

TEST_CASE("tables to matrices and back (read_pandas' C++ twin)") {
  auto a = ok_or_die(array<std::int64_t>({1, 2, 3}));
  auto b = ok_or_die(array<double>({0.5, std::nullopt, 2.5}));
  auto batch = ok_or_die(RecordBatch::from_arrays({a, b}, {"a", "b"}));
  auto table = ok_or_die(Table::from_batches(batch->schema(), {batch, batch}));
  auto m = ok_or_die(to_eigen<Eigen::MatrixXd>(*table, NullPolicy::kNaN));
  CHECK(m.rows() == 6);
  CHECK(m.cols() == 2);
  CHECK(m(4, 0) == 2);
  CHECK(std::isnan(m(1, 1)));
  CHECK(m(5, 1) == 2.5);
  CHECK(to_eigen<Eigen::MatrixXd>(*batch).status().message() == "column 'b': null at row 1");
  auto rm = ok_or_die(
      (to_eigen<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(*table, NullPolicy::kNaN)));
  CHECK(rm(3, 0) == 1.0f);
  auto strings = ok_or_die(RecordBatch::from_arrays({ok_or_die(array<std::string>({"x"}))}, {"s"}));
  CHECK(to_eigen<Eigen::MatrixXd>(*strings).status().is_type_error());

  Eigen::MatrixXd cm(3, 2);
  cm << 1, 4, 2, 5, 3, 6;
  const double* storage = cm.data();
  auto back = ok_or_die(record_batch_from_eigen(std::move(cm), {"x", "y"}));
  CHECK(reinterpret_cast<const double*>(back->column(1).buffer(1)->data()) == storage + 3);  // zero-copy
  CHECK(back->column(1).value<double>(2) == 6);
  CHECK(back->to_string() ==
        "arrowpack.RecordBatch\nx: double not null\ny: double not null\n----\nx: [1,2,3]\ny: "
        "[4,5,6]");
  Eigen::Matrix<std::int32_t, 2, 2, Eigen::RowMajor> r;
  r << 1, 2, 3, 4;
  auto rb = ok_or_die(record_batch_from_eigen(r, {"p", "q"}));
  CHECK(rb->column(0).to_string_compact() == "[1,3]");
  CHECK(ok_or_die(to_eigen<Eigen::MatrixXd>(*rb)) == r.cast<double>());
}

TEST_CASE("a temporary passed to serialize() is moved into the result and stays alive") {
  auto so = ok_or_die(serialize(std::vector<double>{1.0, 2.0, 3.0}));
  auto buf = ok_or_die(so.to_buffer());  // the vector literal is long gone
  CHECK(ok_or_die(deserialize<std::vector<double>>(buf)) == std::vector<double>{1.0, 2.0, 3.0});
  std::variant<float, double> d = 0.1;
  CHECK(roundtrip(d).index() == 1);  // the exact kind wins
  std::variant<double, std::int64_t> i = std::int64_t{5};
  CHECK(roundtrip(i).index() == 1);
}

namespace {
Eigen::SparseMatrix<double, Eigen::RowMajor> sample_sparse() {
  Eigen::SparseMatrix<double, Eigen::RowMajor> m(4, 6);
  m.insert(0, 1) = 1.5;
  m.insert(2, 0) = -2;
  m.insert(2, 5) = 3.25;
  m.insert(3, 3) = 4;
  m.makeCompressed();
  return m;
}
}  // namespace

TEST_CASE("Eigen sparse matrices travel as CSR or CSC sparse tensors over their own arrays") {
  auto csr = sample_sparse();
  Eigen::SparseMatrix<double> csc = csr;  // column-major
  const auto pair = std::make_tuple(csr, csc);
  const auto& src = std::get<0>(pair);  // what is serialized (make_tuple copied csr)
  auto so = ok_or_die(serialize(pair));
  REQUIRE(so.sparse_tensors().size() == 2);
  const auto& t = *so.sparse_tensors()[0];
  CHECK(t.format() == SparseFormat::kCsr);
  CHECK(so.sparse_tensors()[1]->format() == SparseFormat::kCsc);
  CHECK(t.indptr()->type()->equals(*int32()));  // Eigen's default StorageIndex
  // written from the matrix's memory
  CHECK(t.data()->data() == reinterpret_cast<const std::uint8_t*>(src.valuePtr()));
  CHECK(t.indices()->data()->data() == reinterpret_cast<const std::uint8_t*>(src.innerIndexPtr()));

  for (bool components : {false, true}) {
    INFO((components ? "components" : "to_buffer"));
    using Pair = std::tuple<Eigen::SparseMatrix<double, Eigen::RowMajor>, Eigen::SparseMatrix<double>>;
    Pair back;
    std::shared_ptr<Buffer> blob;
    Components c;
    if (components) {
      c = ok_or_die(so.to_components());
      CHECK(c.num_sparse_tensors == Components::SparseCounts{0, 1, 1, 0, 0});
      CHECK(c.data.size() == 1 + 4 + 4);
      CHECK(c.data[4]->data() == reinterpret_cast<const std::uint8_t*>(src.valuePtr()));  // the values, not copied
      back = ok_or_die(deserialize_components<Pair>(c));
    } else {
      blob = ok_or_die(so.to_buffer());
      back = ok_or_die(deserialize<Pair>(blob));
    }
    CHECK(std::get<0>(back).isApprox(csr));
    CHECK(std::get<1>(back).isApprox(csc));
    CHECK(Eigen::MatrixXd(std::get<1>(back)) == Eigen::MatrixXd(csr));
    // across storage orders: a CSR read into a column-major matrix is copied
    using Crossed = std::tuple<Eigen::SparseMatrix<double>, Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t>>;
    auto crossed = components ? ok_or_die(deserialize_components<Crossed>(c)) : ok_or_die(deserialize<Crossed>(blob));
    CHECK(Eigen::MatrixXd(std::get<0>(crossed)) == Eigen::MatrixXd(csr));
    CHECK(Eigen::MatrixXd(std::get<1>(crossed)) == Eigen::MatrixXd(csr));
    // zero-copy views where the format and index types match
    using Views = std::tuple<EigenSparseView<Eigen::SparseMatrix<double, Eigen::RowMajor>>,
                             EigenSparseView<Eigen::SparseMatrix<double>>>;
    auto views = components ? ok_or_die(deserialize_components<Views>(c)) : ok_or_die(deserialize<Views>(blob));
    CHECK(Eigen::MatrixXd(std::get<0>(views).map) == Eigen::MatrixXd(csr));
    if (components) {
      CHECK(std::get<0>(views).map.valuePtr() == src.valuePtr());
    } else {
      CHECK(blob->contains(std::get<0>(views).map.valuePtr(), 4 * 8));
    }
    using Wrong = std::tuple<EigenSparseView<Eigen::SparseMatrix<double>>, Eigen::SparseMatrix<double>>;
    auto wrong = components ? deserialize_components<Wrong>(c) : deserialize<Wrong>(blob);
    CHECK(wrong.status().is_type_error());
  }
}

TEST_CASE("sparse tensors in Values: every format round-trips, a wrong tag or index is refused") {
  auto m = sample_sparse();
  auto csr = ok_or_die(sparse_tensor_of(m));
  auto dense =
      ok_or_die(Tensor::make(float64(), testing::buffer_of<double>({0, 1, 0, 2, 0, 0, 0, 0, 3, 0, 0, 4}), {2, 3, 2}));
  auto coo = ok_or_die(SparseTensor::coo_from_dense(*dense));
  Value v = Value::dict({{"csr", Value(csr)}, {"coo", Value(coo)}, {"list", Value::list({Value(coo), 7})}});
  auto so = ok_or_die(serialize(v));
  CHECK(so.sparse_tensors().size() == 3);
  auto blob = ok_or_die(so.to_buffer());
  auto back = ok_or_die(deserialize(blob));
  CHECK(back.equals(v));
  CHECK(blob->contains((*back.as<Dict>()->find("coo")->as<SparseTensorPtr>())->data()->data()));
  auto c = ok_or_die(so.to_components());
  CHECK(c.num_sparse_tensors.coo == 2);
  CHECK(ok_or_die(deserialize_components(c)).equals(v));
  // counts that lie about the formats
  auto lying = c;
  std::swap(lying.num_sparse_tensors.coo, lying.num_sparse_tensors.csr);
  CHECK_FALSE(deserialize_components(lying).ok());
  // a CSR Eigen read of a COO value is a copy, fine; a CSF one is a TypeError
  CHECK(deserialize<Eigen::SparseMatrix<double>>(ok_or_die(ok_or_die(serialize(Value(coo))).to_buffer()))
            .status()
            .message() == "a 3-dimensional sparse tensor is not a matrix");
}

TEST_CASE("sparse tensors in components: every byte flipped, every count shifted: data or a typed error") {
  auto m = sample_sparse();
  auto dense = ok_or_die(Tensor::make(float64(), testing::buffer_of<double>({0, 1, 0, 2, 0, 0, 3, 0}), {2, 2, 2}));
  auto coo = ok_or_die(SparseTensor::coo_from_dense(*dense));
  auto so = ok_or_die(serialize(Value::list({Value(ok_or_die(sparse_tensor_of(m))), Value(coo)})));
  const Components good = ok_or_die(so.to_components());
  REQUIRE(deserialize_components(good).ok());
  int refused = 0;
  for (std::size_t k = 1; k < good.data.size(); ++k) {
    const std::string bytes = good.data[k]->to_string();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      Components bad = good;
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
      bad.data[k] = Buffer::from_string(flipped);
      refused += deserialize_components(bad).ok() ? 0 : 1;
    }
    // a buffer cut short
    Components cut = good;
    cut.data[k] = Buffer::from_string(bytes.substr(0, bytes.size() / 2));
    refused += deserialize_components(cut).ok() ? 0 : 1;
  }
  CHECK(refused > 0);
  Components lies = good;
  lies.num_sparse_tensors.csf = 1;
  lies.num_sparse_tensors.ndim_csf = 3;
  CHECK(deserialize_components(lies).status().message().find("hold") != std::string::npos);
  lies = good;
  lies.num_sparse_tensors.coo = -1;
  CHECK(deserialize_components(lies).status().is_invalid());
}

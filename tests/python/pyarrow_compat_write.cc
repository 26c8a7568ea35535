// arrowpack writes, pyarrow 11 reads (issue #10, section 2): every Value kind and every
// adapter type, each in the three output forms. test_arrowpack_writes.py holds the Python
// object each case must deserialize to, under the same names.
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/adapters/eigen_sparse.h"
#include "arrowpack/core/api.h"
#include "pyarrow_compat.h"
#include "test_data.h"

// The rows of the "columnar_trades" case: one table, a column per field.
namespace columnar_case {
enum class Side : std::int8_t { kBuy = 1, kSell = -1 };
struct Venue {
  std::string name;
  std::optional<std::int32_t> id;
};
struct Trade {
  std::string symbol;
  double price;
  std::int64_t qty;
  std::optional<double> fee;
  bool open;
  Side side;
  std::uint16_t lot;
  float weight;
  Venue venue;
  std::optional<Venue> via;
  std::optional<std::string> note;
};
}  // namespace columnar_case

template <>
struct arrowpack::column_names<columnar_case::Trade> {
  static constexpr std::array<std::string_view, 11> names = {"symbol", "price",  "qty",   "fee", "open", "side",
                                                             "lot",    "weight", "venue", "via", "note"};
};
template <>
struct arrowpack::column_names<columnar_case::Venue> {
  static constexpr std::array<std::string_view, 2> names = {"name", "id"};
};

namespace arrowpack::pycompat {
namespace {

using nlohmann::json;

// Registered in the context of the "registered_*" cases under the names Python registers.
struct Point {
  double x, y;
  std::string label;
};

struct Record {  // a plain aggregate: a tuple of its fields
  std::string name;
  double a, b;
  std::int64_t id;
  std::vector<double> samples;
};

struct Out {
  std::string dir;
  Status write(const std::string& name, const Result<SerializedObject>& object) {
    if (!object.ok()) return object.status().with_context(name);
    // 1. to_buffer
    ARROWPACK_ASSIGN_OR_RAISE(auto blob, object->to_buffer());
    ARROWPACK_RETURN_NOT_OK(save(dir + "/" + name + ".bin", *blob));
    // 2. write_to a file
    {
      ARROWPACK_ASSIGN_OR_RAISE(auto file, io::FileOutputStream::open(dir + "/" + name + ".write_to.bin"));
      ARROWPACK_RETURN_NOT_OK(object->write_to(file.get()));
      ARROWPACK_RETURN_NOT_OK(file->close());
    }
    // 3. to_components: one file per buffer, and the counts pyarrow's from_components wants
    ARROWPACK_ASSIGN_OR_RAISE(auto components, object->to_components());
    const std::string folder = dir + "/" + name + ".components";
    std::filesystem::create_directories(folder);
    json manifest = {{"num_tensors", components.num_tensors},
                     {"num_ndarrays", components.num_ndarrays},
                     {"num_buffers", components.num_buffers},
                     {"num_sparse_tensors",
                      {{"coo", components.num_sparse_tensors.coo},
                       {"csr", components.num_sparse_tensors.csr},
                       {"csc", components.num_sparse_tensors.csc},
                       {"csf", components.num_sparse_tensors.csf},
                       {"ndim_csf", components.num_sparse_tensors.ndim_csf}}},
                     {"data", json::array()}};
    for (std::size_t i = 0; i < components.data.size(); ++i) {
      const std::string file = std::to_string(i) + ".bin";
      ARROWPACK_RETURN_NOT_OK(save(folder + "/" + file, *components.data[i]));
      manifest["data"].push_back(file);
    }
    std::ofstream(folder + "/manifest.json") << manifest.dump() << "\n";
    return Status::OK();
  }
  static Status save(const std::string& path, const Buffer& b) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), b.size());
    f.close();
    if (!f) return Status::IOError("cannot write ", path);
    return Status::OK();
  }
};

// `depth` lists around an int.
Value nested_lists(int depth) {
  Value v = 1;
  for (int i = 0; i < depth; ++i) v = Value::list({v});
  return v;
}

Status value_cases(Out& out) {
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
  ARROWPACK_RETURN_NOT_OK(out.write(
      "value_scalars", serialize(Value::list({Value(), true, false, lo, hi, 0, -1, Value::half(0x3e00), 0.1f, 2.5, -0.0,
                                              Value::date64_micros(1582934399999999), "héllo 日本 \U0001F600", "",
                                              Value::bytes(std::string("\x00\xff\x7f", 3))}))));
  ARROWPACK_RETURN_NOT_OK(out.write(
      "value_containers",
      serialize(Value::dict({{"list", Value::list({1, "a", Value(), 2.5})},
                             {"tuple", Value::tuple({1, Value::tuple({2, Value::tuple({3})})})},
                             {"set", Value::set({1, 2, 3})},
                             {"empty", Value::list({Value::list(), Value::tuple(), Value::set(), Value::dict()})},
                             {7, "int key"},
                             {Value::tuple({1, "a"}), "tuple key"},
                             {Value::bytes("\x01\x02"), "bytes key"},
                             {Value(), "none key"}}))));
  // As deep as pyarrow 11 reads (Arrow C++ reads 64 levels of nested types: a list level is
  // list<dense_union>, a dict level list<struct<dense_union, ...>>), and one level deeper.
  ARROWPACK_RETURN_NOT_OK(out.write("value_list_depth_31", serialize(nested_lists(31))));
  ARROWPACK_RETURN_NOT_OK(out.write("value_list_depth_32", serialize(nested_lists(32))));
  Value dict = Value::dict();
  for (int i = 1; i < 20; ++i) dict = Value::dict({{"k", dict}});
  ARROWPACK_RETURN_NOT_OK(out.write("value_dict_depth_20", serialize(dict)));
  ARROWPACK_RETURN_NOT_OK(out.write("value_dict_depth_21", serialize(Value::dict({{"k", dict}}))));

  // Out-of-band: an Arrow tensor (tag 14) with dimension names, ndarrays (tag 15) in both
  // orders, a buffer (tag 16).
  static const std::vector<float> f32 = {0, 1, 2, 3, 4, 5};
  ARROWPACK_ASSIGN_OR_RAISE(auto tensor,
                            Tensor::make(float32(), Buffer::wrap(f32.data(), 24), {2, 3}, {}, {"rows", "cols"}));
  static const std::vector<std::int16_t> i16 = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  ARROWPACK_ASSIGN_OR_RAISE(auto c_order, Tensor::make(int16(), Buffer::wrap(i16.data(), 24), {3, 4}));
  ARROWPACK_ASSIGN_OR_RAISE(auto f_order, Tensor::make(int16(), Buffer::wrap(i16.data(), 24), {3, 4},
                                                       Tensor::column_major_strides({3, 4}, 2)));
  static const std::string raw("raw bytes \x00\x01", 12);
  ARROWPACK_RETURN_NOT_OK(
      out.write("value_out_of_band",
                serialize(Value::list({Value(tensor), Value::ndarray(c_order), Value::ndarray(f_order),
                                       Value(Buffer::wrap(raw.data(), static_cast<std::int64_t>(raw.size())))}))));
  return Status::OK();
}

Status registered_cases(Out& out) {
  SerializationContext ctx;
  ARROWPACK_RETURN_NOT_OK(ctx.register_type<Point>(
      "Point",
      [](const Point& p) {
        return Value::dict({{"x", p.x}, {"y", p.y}, {"label", p.label}});
      },
      [](const Value& v) -> Result<Point> {
        const Dict* d = v.as<Dict>();
        if (!d) return Status::TypeError("Point: expected a dict");
        return Point{*d->find("x")->as<double>(), *d->find("y")->as<double>(), *d->find("label")->as<std::string>()};
      }));
  ARROWPACK_RETURN_NOT_OK(out.write(
      "registered_value", serialize(Value::list({Value::object("Point", Point{1, 2, "p"}),
                                                 Value::dict({{"nested", Value::object("Point", Point{3, 4, "q"})}})}),
                                    ctx)));
  ARROWPACK_RETURN_NOT_OK(out.write("registered_typed", serialize(std::vector<Point>{{5, 6, "r"}, {7, 8, "s"}}, ctx)));
  return Status::OK();
}

Status adapter_cases(Out& out) {
  ARROWPACK_RETURN_NOT_OK(out.write("stl_vector_int64", serialize(std::vector<std::int64_t>{-1, 0, 1, INT64_MAX})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_vector_double", serialize(std::vector<double>{0.5, -1.25})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_vector_string", serialize(std::vector<std::string>{"a", "héllo", ""})));
  ARROWPACK_RETURN_NOT_OK(
      out.write("stl_vector_of_vectors", serialize(std::vector<std::vector<std::string>>{{"a"}, {}, {"b", "c"}})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_list", serialize(std::list<std::string>{"x", "y"})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_array", serialize(std::array<std::string, 2>{"p", "q"})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_map", serialize(std::map<std::string, double>{{"a", 1.5}, {"b", -2}})));
  ARROWPACK_RETURN_NOT_OK(
      out.write("stl_unordered_map", serialize(std::unordered_map<std::int64_t, std::string>{{1, "one"}, {2, "two"}})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_map_tuple_keys",
                                    serialize(std::map<std::pair<std::int64_t, std::string>, bool>{{{1, "a"}, true}})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_set", serialize(std::set<std::int64_t>{3, 1, 2})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_unordered_set", serialize(std::unordered_set<std::string>{"u", "v"})));
  ARROWPACK_RETURN_NOT_OK(
      out.write("stl_tuple", serialize(std::tuple<std::int64_t, std::string, double, bool>{7, "seven", 7.5, true})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_pair", serialize(std::pair<std::string, std::int32_t>{"k", 9})));
  ARROWPACK_RETURN_NOT_OK(out.write(
      "stl_optional", serialize(std::vector<std::optional<std::string>>{std::nullopt, std::string("there")})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_variant", serialize(std::vector<std::variant<std::int64_t, std::string>>{
                                                       std::int64_t{3}, std::string("three")})));
  ARROWPACK_RETURN_NOT_OK(out.write("stl_bytes", serialize(std::vector<std::byte>{std::byte{0}, std::byte{255}})));
  ARROWPACK_RETURN_NOT_OK(
      out.write("stl_uint8_and_float",
                serialize(std::tuple<std::vector<std::uint8_t>, std::vector<float>>{{0, 255}, {0.5f, 0.1f}})));
  static const std::vector<double> spanned = {1, 2, 3, 4};
  ARROWPACK_RETURN_NOT_OK(out.write("span", serialize(std::span<const double>(spanned))));
  ARROWPACK_RETURN_NOT_OK(
      out.write("pfr_aggregate", serialize(std::vector<Record>{{"r", 1.5, -2.5, 42, {0.25, 0.5}}})));
  {
    using namespace columnar_case;
    const std::vector<Trade> trades = {
        {"AAPL", 189.5, 100, 0.25, true, Side::kBuy, 1, 0.5f, {"XNAS", 7}, std::nullopt, "first"},
        {"héllo 日本",
         -1.0,
         -5,
         std::nullopt,
         false,
         Side::kSell,
         65535,
         1.5f,
         {"", std::nullopt},
         Venue{"relay", 3},
         std::nullopt},
        {"", 0.0, INT64_MAX, 0.0, true, Side::kBuy, 0, -0.0f, {"XLON", std::nullopt}, Venue{"r2", std::nullopt}, ""},
    };
    ARROWPACK_RETURN_NOT_OK(out.write("columnar_trades", serialize(columnar(trades))));
  }

  Eigen::MatrixXd m(3, 4);
  for (int i = 0; i < 12; ++i) m(i / 4, i % 4) = i;
  ARROWPACK_RETURN_NOT_OK(out.write("eigen_matrix_col_major", serialize(m)));
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m.cast<float>();
  ARROWPACK_RETURN_NOT_OK(out.write("eigen_matrix_row_major", serialize(r)));
  Eigen::VectorXi v(3);
  v << 1, 2, 3;
  ARROWPACK_RETURN_NOT_OK(out.write("eigen_vector", serialize(v)));
  Eigen::Tensor<std::int64_t, 3> t(2, 3, 4);
  for (int i = 0; i < 24; ++i) t.data()[i] = i;
  ARROWPACK_RETURN_NOT_OK(out.write("eigen_tensor", serialize(t)));
  std::map<std::int64_t, Eigen::MatrixXd> matrices;
  for (int i = 0; i < 3; ++i) matrices[i] = Eigen::MatrixXd::Constant(2, 2, i);
  ARROWPACK_RETURN_NOT_OK(out.write("eigen_matrices_map", serialize(matrices)));
  // Sparse: a row-major Eigen::SparseMatrix is a CSR matrix, a column-major one CSC (square:
  // pyarrow 11's components reader takes a CSC matrix's index pointers as rows + 1).
  Eigen::SparseMatrix<double, Eigen::RowMajor> csr(3, 5);
  csr.insert(0, 4) = 1.5;
  csr.insert(1, 0) = -2;
  csr.insert(1, 2) = 3;
  csr.insert(2, 3) = 0.25;
  csr.makeCompressed();
  ARROWPACK_RETURN_NOT_OK(out.write("eigen_sparse_csr", serialize(csr)));
  Eigen::SparseMatrix<float> csc(4, 4);
  csc.insert(3, 0) = 7;
  csc.insert(0, 1) = 8;
  csc.insert(2, 1) = 9;
  ARROWPACK_RETURN_NOT_OK(out.write("eigen_sparse_csc", serialize(csc)));  // not compressed: copied compressed
  return Status::OK();
}

Status sparse_cases(Out& out) {
  // A COO and a CSF tensor and a CSR matrix in one Value (one index space for the formats).
  auto dense = Tensor::make(int32(), testing::buffer_of<std::int32_t>({0, 5, 0, 0, 0, 6, 7, 0, 0, 0, 0, 8}), {2, 3, 2});
  ARROWPACK_RETURN_NOT_OK(dense.status());
  ARROWPACK_ASSIGN_OR_RAISE(auto coo, SparseTensor::coo_from_dense(**dense));
  auto i64 = [](std::vector<std::int64_t> v) {
    const auto n = static_cast<std::int64_t>(v.size());
    return Tensor::make(int64(), testing::buffer_of(v), {n}).value_or_throw();
  };
  // the same 2 x 3 x 2 tensor as CSF, axis order (0, 1, 2)
  ARROWPACK_ASSIGN_OR_RAISE(auto csf, SparseTensor::make_csf(int32(), testing::buffer_of<std::int32_t>({5, 6, 7, 8}),
                                                             {2, 3, 2}, {i64({0, 2, 4}), i64({0, 1, 2, 3, 4})},
                                                             {i64({0, 1}), i64({0, 2, 0, 2}), i64({1, 1, 0, 1})},
                                                             {0, 1, 2}, {"x", "y", "z"}));
  ARROWPACK_ASSIGN_OR_RAISE(
      auto csr, SparseTensor::make_csx(SparseFormat::kCsr, float64(), testing::buffer_of<double>({1, 2}), {2, 2},
                                       i64({0, 1, 2}), i64({1, 0})));
  Value v = Value::dict({{"coo", Value(coo)}, {"csf", Value(csf)}, {"matrices", Value::list({Value(csr), 3})}});
  return out.write("value_sparse_tensors", serialize(v));
}

Status arrow_cases(Out& out) {
  auto batch = testing::seed_batch();
  ARROWPACK_ASSIGN_OR_RAISE(auto table, Table::from_batches(batch->schema(), {batch, batch}));
  ARROWPACK_RETURN_NOT_OK(out.write("arrow_table", serialize(table)));
  ARROWPACK_RETURN_NOT_OK(out.write("arrow_record_batch", serialize(batch)));
  ARROWPACK_RETURN_NOT_OK(out.write("arrow_array", serialize(batch->column(1))));
  return Status::OK();
}

}  // namespace

Status write_cases(const std::string& dir) {
  std::filesystem::create_directories(dir);
  Out out{dir};
  ARROWPACK_RETURN_NOT_OK(value_cases(out));
  ARROWPACK_RETURN_NOT_OK(registered_cases(out));
  ARROWPACK_RETURN_NOT_OK(adapter_cases(out));
  ARROWPACK_RETURN_NOT_OK(sparse_cases(out));
  return arrow_cases(out);
}

}  // namespace arrowpack::pycompat

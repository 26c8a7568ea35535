#include <catch2/catch.hpp>

#include <cstring>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::buffer_of;
using arrowpack::testing::ok_or_die;

namespace {

template <typename T>
TensorPtr vec(DataTypePtr type, const std::vector<T>& v) {
  return ok_or_die(Tensor::make(std::move(type), buffer_of(v), {static_cast<std::int64_t>(v.size())}));
}

template <typename T>
std::vector<T> dense_values(const SparseTensor& s) {
  auto dense = ok_or_die(s.to_dense(1 << 20));
  std::vector<T> out(static_cast<std::size_t>(dense->size()));
  std::memcpy(out.data(), dense->data()->data(), out.size() * sizeof(T));
  return out;
}

// The 3 x 4 matrix
//   [1 0 2 0]
//   [0 0 0 0]
//   [0 3 0 4]
const std::vector<double> kDense = {1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4};
const std::vector<double> kValues = {1, 2, 3, 4};

}  // namespace

TEST_CASE("sparse tensors: COO, CSR, CSC and CSF of one matrix give the same dense tensor") {
  auto coo_idx = ok_or_die(Tensor::make(int64(), buffer_of<std::int64_t>({0, 0, 0, 2, 2, 1, 2, 3}), {4, 2}));
  auto coo = ok_or_die(SparseTensor::make_coo(float64(), buffer_of(kValues), {3, 4}, coo_idx, true, {"r", "c"}));
  CHECK(coo->format() == SparseFormat::kCoo);
  CHECK(coo->non_zero_length() == 4);
  CHECK(coo->size() == 12);
  CHECK(coo->is_canonical());
  CHECK(coo->dim_name(1) == "c");
  CHECK(dense_values<double>(*coo) == kDense);
  CHECK(coo->to_string() == "arrowpack.SparseTensor<COO double>(shape=[3, 4], non_zero_length=4)");

  auto csr = ok_or_die(SparseTensor::make_csx(SparseFormat::kCsr, float64(), buffer_of(kValues), {3, 4},
                                              vec<std::int32_t>(int32(), {0, 2, 2, 4}),
                                              vec<std::int32_t>(int32(), {0, 2, 1, 3})));
  CHECK(dense_values<double>(*csr) == kDense);
  // CSC keeps the values column by column: 1 (0,0), 3 (2,1), 2 (0,2), 4 (2,3)
  auto csc = ok_or_die(SparseTensor::make_csx(SparseFormat::kCsc, float64(), buffer_of<double>({1, 3, 2, 4}), {3, 4},
                                              vec<std::int64_t>(int64(), {0, 1, 2, 3, 4}),
                                              vec<std::uint16_t>(uint16(), {0, 2, 0, 2})));
  CHECK(dense_values<double>(*csc) == kDense);
  // CSF with axis order (1, 0): columns 0, 1, 2, 3 first, then their rows
  auto csf = ok_or_die(SparseTensor::make_csf(
      float64(), buffer_of<double>({1, 3, 2, 4}), {3, 4}, {vec<std::int8_t>(int8(), {0, 1, 2, 3, 4})},
      {vec<std::int8_t>(int8(), {0, 1, 2, 3}), vec<std::int8_t>(int8(), {0, 2, 0, 2})}, {1, 0}));
  CHECK(dense_values<double>(*csf) == kDense);

  // From the dense tensor: the canonical COO form, equal to the one made by hand
  auto dense = ok_or_die(Tensor::make(float64(), buffer_of(kDense), {3, 4}, {}, {"r", "c"}));
  auto back = ok_or_die(SparseTensor::coo_from_dense(*dense));
  CHECK(back->equals(*coo, true));
  CHECK_FALSE(back->equals(*csr));
  CHECK(ok_or_die(back->to_dense(96))->equals(*dense));
  CHECK(back->to_dense(95).status().is_capacity_error());
}

TEST_CASE("sparse tensors: a 3-d CSF tensor with fibers of several lengths") {
  // Non-zeros of a 2 x 3 x 2 tensor: (0,0,1)=1 (0,2,0)=2 (0,2,1)=3 (1,1,1)=4
  auto csf = ok_or_die(
      SparseTensor::make_csf(int32(), buffer_of<std::int32_t>({1, 2, 3, 4}), {2, 3, 2},
                             {vec<std::int64_t>(int64(), {0, 2, 3}), vec<std::int64_t>(int64(), {0, 1, 3, 4})},
                             {vec<std::int64_t>(int64(), {0, 1}), vec<std::int64_t>(int64(), {0, 2, 1}),
                              vec<std::int64_t>(int64(), {1, 0, 1, 1})},
                             {0, 1, 2}));
  CHECK(dense_values<std::int32_t>(*csf) == std::vector<std::int32_t>{0, 1, 0, 0, 2, 3, 0, 0, 0, 4, 0, 0});
  CHECK(csf->csf_indptr().size() == 2);
  CHECK(csf->axis_order() == std::vector<std::int64_t>{0, 1, 2});
}

TEST_CASE("sparse tensors: every index, index pointer and dimension is checked against the shape") {
  auto values = buffer_of(kValues);
  auto coo = [&](std::vector<std::int64_t> idx, bool canonical, std::vector<std::int64_t> shape = {3, 4}) {
    auto t = ok_or_die(Tensor::make(int64(), buffer_of(idx), {static_cast<std::int64_t>(idx.size() / 2), 2}));
    return SparseTensor::make_coo(float64(), values, std::move(shape), t, canonical).status();
  };
  CHECK(coo({0, 0, 0, 2, 2, 1, 2, 3}, true).ok());
  CHECK(coo({0, 0, 0, 4, 2, 1, 2, 3}, false).message() == "COO index (1, 1) = 4 is outside [0, 4)");
  CHECK(coo({0, 0, -1, 2, 2, 1, 2, 3}, false).is_invalid());
  CHECK(coo({0, 0, 0, 2, 0, 2, 2, 3}, true).message() ==
        "COO indices said to be canonical, but row 2 repeats the one before");
  CHECK(coo({0, 2, 0, 0, 2, 1, 2, 3}, true).message() ==
        "COO indices said to be canonical, but row 1 comes before the one before");
  CHECK(coo({0, 2, 0, 0, 2, 1, 2, 3}, false).ok());  // not canonical, and not said to be
  CHECK(coo({0, 0, 0, 2, 2, 1, 2, 3}, false, {3, -4}).is_invalid());
  CHECK(coo({0, 0, 0, 2, 2, 1, 2, 3}, false, {std::int64_t{1} << 40, std::int64_t{1} << 40}).is_capacity_error());
  // fewer values than coordinates
  auto idx = ok_or_die(Tensor::make(int64(), buffer_of<std::int64_t>({0, 0, 0, 2, 2, 1, 2, 3, 2, 2}), {5, 2}));
  CHECK(SparseTensor::make_coo(float64(), values, {3, 4}, idx, false).status().message() ==
        "sparse tensor value buffer holds 32 bytes, not 5 values of double");
  CHECK(SparseTensor::make_coo(utf8(), values, {3, 4}, idx, false).status().is_type_error());
  CHECK(SparseTensor::make_coo(float64(), values, {3, 4, 1}, idx, false).status().is_invalid());

  auto csr = [&](std::vector<std::int32_t> indptr, std::vector<std::int32_t> indices,
                 SparseFormat f = SparseFormat::kCsr) {
    return SparseTensor::make_csx(f, float64(), values, {3, 4}, vec(int32(), indptr), vec(int32(), indices)).status();
  };
  CHECK(csr({0, 2, 2, 4}, {0, 2, 1, 3}).ok());
  CHECK(csr({0, 2, 2}, {0, 2, 1, 3}).message() == "CSR index pointers has 3 entries, expected 4");
  CHECK(csr({1, 2, 2, 4}, {0, 2, 1, 3}).message() == "CSR index pointers[0] = 1 does not start at 0");
  CHECK(csr({0, 3, 2, 4}, {0, 2, 1, 3}).message() == "CSR index pointers[2] = 2 decreases");
  CHECK(csr({0, 2, 2, 3}, {0, 2, 1, 3}).message() == "CSR index pointers ends at 3, not at 4");
  CHECK(csr({0, 2, 2, 4}, {0, 2, 1, 4}).message() == "CSR column indices[3] = 4 is outside [0, 4)");
  CHECK(csr({0, 1, 2, 3, 4}, {0, 2, 1, 3}, SparseFormat::kCsc).message() == "CSC row indices[3] = 3 is outside [0, 3)");
  CHECK(csr({0, 2, 2, 4}, {0, 2, 1, 3}, SparseFormat::kCoo).is_invalid());
  CHECK(SparseTensor::make_csx(SparseFormat::kCsr, float64(), values, {3, 4, 1}, vec<std::int32_t>(int32(), {0}),
                               vec<std::int32_t>(int32(), {}))
            .status()
            .message() == "CSR sparse matrix of 3 dimensions, not 2");
  CHECK(SparseTensor::make_csx(SparseFormat::kCsr, float64(), values, {3, 4}, vec<float>(float32(), {0, 2, 2, 4}),
                               vec<std::int32_t>(int32(), {0, 2, 1, 3}))
            .status()
            .is_type_error());

  auto csf = [&](std::vector<std::int64_t> axis_order, std::vector<std::int8_t> level1 = {0, 2, 0, 2}) {
    return SparseTensor::make_csf(float64(), values, {3, 4}, {vec<std::int8_t>(int8(), {0, 1, 2, 3, 4})},
                                  {vec<std::int8_t>(int8(), {0, 1, 2, 3}), vec<std::int8_t>(int8(), level1)},
                                  std::move(axis_order))
        .status();
  };
  CHECK(csf({1, 0}).ok());
  CHECK(csf({1, 1}).message() == "CSF axis order is not a permutation of the 2 dimensions (entry 1 = 1)");
  // level 0 now indexes dimension 0 (3 rows): its coordinate 3 is outside
  CHECK(csf({0, 1}).message() == "CSF indices of level 0[3] = 3 is outside [0, 3)");
  CHECK(csf({1, 0}, {0, 2, 0, 3}).message() == "CSF indices of level 1[3] = 3 is outside [0, 3)");
  CHECK(SparseTensor::make_csf(float64(), values, {3, 4}, {}, {}, {1, 0}).status().is_invalid());
}

namespace {

std::shared_ptr<Buffer> message_bytes(const SparseTensor& t) {
  auto sink = ok_or_die(io::BufferOutputStream::create());
  const auto n = ok_or_die(ipc::write_sparse_tensor(t, sink.get()));
  auto bytes = ok_or_die(sink->finish());
  REQUIRE(n == bytes->size());
  return bytes;
}

SparseTensorPtr read_back(const std::shared_ptr<Buffer>& bytes) {
  io::BufferReader reader(bytes);
  return ok_or_die(ipc::read_sparse_tensor(&reader));
}

std::vector<SparseTensorPtr> one_matrix_four_ways() {
  auto dense = ok_or_die(Tensor::make(float64(), buffer_of(kDense), {3, 4}, {}, {"r", "c"}));
  return {ok_or_die(SparseTensor::coo_from_dense(*dense)),
          ok_or_die(SparseTensor::make_csx(SparseFormat::kCsr, float64(), buffer_of(kValues), {3, 4},
                                           vec<std::int32_t>(int32(), {0, 2, 2, 4}),
                                           vec<std::int32_t>(int32(), {0, 2, 1, 3}))),
          ok_or_die(SparseTensor::make_csx(SparseFormat::kCsc, float64(), buffer_of<double>({1, 3, 2, 4}), {3, 4},
                                           vec<std::int64_t>(int64(), {0, 1, 2, 3, 4}),
                                           vec<std::uint16_t>(uint16(), {0, 2, 0, 2}))),
          ok_or_die(SparseTensor::make_csf(
              float64(), buffer_of<double>({1, 3, 2, 4}), {3, 4}, {vec<std::int8_t>(int8(), {0, 1, 2, 3, 4})},
              {vec<std::int8_t>(int8(), {0, 1, 2, 3}), vec<std::int8_t>(int8(), {0, 2, 0, 2})}, {1, 0}))};
}

}  // namespace

TEST_CASE("SparseTensor messages round-trip in every format, as views of the message body") {
  for (const auto& t : one_matrix_four_ways()) {
    INFO(t->to_string());
    auto bytes = message_bytes(*t);
    CHECK(bytes->size() % 8 == 0);
    auto back = read_back(bytes);
    CHECK(back->equals(*t, true));
    CHECK(dense_values<double>(*back) == kDense);
    // zero-copy: the values and the index point into the message bytes
    const auto inside = [&](const Buffer& b) {
      return b.data() >= bytes->data() && b.data() + b.size() <= bytes->data() + bytes->size();
    };
    CHECK(inside(*back->data()));
    if (back->indices()) CHECK(inside(*back->indices()->data()));
    for (const auto& level : back->csf_indices()) CHECK(inside(*level->data()));
    // and from separate buffers (pyarrow's components)
    auto parts = ok_or_die(ipc::make_sparse_tensor_message_parts(*t));
    CHECK(parts.body.size() == ipc::sparse_tensor_body_buffers(*t));
    CHECK(parts.body.back()->data() == t->data()->data());  // the values are not copied to write
    auto from_parts = ok_or_die(ipc::read_sparse_tensor(parts.metadata, parts.body));
    CHECK(from_parts->equals(*t, true));
    CHECK(from_parts->data()->data() == parts.body.back()->data());
    auto fewer = parts.body;
    fewer.pop_back();
    CHECK(ipc::read_sparse_tensor(parts.metadata, fewer).status().is_invalid());
    // a dense Tensor reader refuses it by name
    io::BufferReader reader(bytes);
    CHECK(ipc::read_tensor(&reader).status().message() == "expected a Tensor message, got SparseTensor");
  }
}

TEST_CASE("SparseTensor messages: an index that leaves the shape, a short body or lying counts are refused") {
  auto coo = one_matrix_four_ways()[0];
  auto good = message_bytes(*coo)->to_string();
  auto read = [](const std::string& bytes) {
    io::BufferReader reader(Buffer::from_string(bytes));
    return ipc::read_sparse_tensor(&reader).status();
  };
  REQUIRE(read(good).ok());
  // cut anywhere: never a crash, always a typed error
  for (std::size_t n = 0; n < good.size(); n += 7) CHECK_FALSE(read(good.substr(0, n)).ok());
  // a coordinate made too large, in the body (row 3 of a 3-row matrix)
  auto parts = ok_or_die(ipc::make_sparse_tensor_message_parts(*coo));
  const std::size_t body_start = good.size() - static_cast<std::size_t>(parts.body_length());
  std::string bad = good;
  bad[body_start + 16 * 3] = 3;  // the last coordinate pair's row
  CHECK(read(bad).message() == "COO index (3, 0) = 3 is outside [0, 3)");
  // every byte flipped in turn: data or a typed error
  for (std::size_t i = 8; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x41);
    (void)read(flipped);
  }
}

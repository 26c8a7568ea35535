#include <catch2/catch.hpp>

#include <cstring>
#include <numeric>

#include "arrowpack/core/api.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

std::string gold(const std::string& name) { return arrowpack::testing::shared_dir() + "/gold/tensors/" + name; }

template <typename T>
double sum_of(const Tensor& t) {
  auto rm = ok_or_die(t.to_row_major());
  double s = 0;
  for (std::int64_t k = 0; k < rm->size(); ++k) {
    T v;
    std::memcpy(&v, rm->data()->data() + k * sizeof(T), sizeof(T));
    s += static_cast<double>(v);
  }
  return s;
}

std::shared_ptr<Buffer> written(const Tensor& t) {
  auto sink = ok_or_die(io::BufferOutputStream::create());
  const auto n = ok_or_die(ipc::write_tensor(t, sink.get()));
  auto buf = ok_or_die(sink->finish());
  REQUIRE(n == buf->size());
  REQUIRE(ok_or_die(ipc::tensor_message_size(t)) == n);
  return buf;
}

}  // namespace

TEST_CASE("tensors: shape, strides, contiguity, names") {
  std::vector<std::int32_t> v(24);
  std::iota(v.begin(), v.end(), 0);
  auto data = Buffer::wrap(v.data(), 96);
  auto t = ok_or_die(Tensor::make(int32(), data, {2, 3, 4}, {}, {"x", "y", "z"}));
  CHECK(t->strides() == std::vector<std::int64_t>{48, 16, 4});
  CHECK(t->is_row_major());
  CHECK_FALSE(t->is_column_major());
  CHECK(t->size() == 24);
  CHECK(t->value<std::int32_t>({1, 2, 3}) == 23);
  CHECK(t->dim_name(2) == "z");
  CHECK(t->to_string() == "arrowpack.Tensor<int32>(shape=[2, 3, 4], strides=[48, 16, 4], dim_names=[x, y, z])");
  auto cm = ok_or_die(Tensor::make_column_major(int32(), data, {4, 6}));
  CHECK(cm->is_column_major());
  CHECK(cm->value<std::int32_t>({1, 2}) == 9);
  // A strided view: every other column of a 4x6 row-major matrix.
  auto view = ok_or_die(Tensor::make(int32(), data, {4, 3}, {24, 8}));
  CHECK_FALSE(view->is_contiguous());
  CHECK(view->value<std::int32_t>({2, 1}) == 14);
  auto copy = ok_or_die(view->to_row_major());
  CHECK(copy->is_row_major());
  CHECK(copy->equals(*view));
  CHECK(ok_or_die(Tensor::make(int32(), data, {2, 3, 4}, {}, {"", "", ""}))->dim_names().empty());
}

TEST_CASE("a tensor over other data shares its shape, strides and names") {
  std::vector<std::int32_t> a(24), b(24);
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 100);
  auto t = ok_or_die(Tensor::make(int32(), Buffer::wrap(a.data(), 96), {4, 3}, {24, 8}, {"r", "c"}));
  auto other = ok_or_die(t->with_data(Buffer::wrap(b.data(), 96)));
  CHECK(other->data()->data() == reinterpret_cast<const std::uint8_t*>(b.data()));
  CHECK(other->shape().data() == t->shape().data());  // shared, not copied
  CHECK(other->strides().data() == t->strides().data());
  CHECK(other->dim_name(1) == "c");
  CHECK(other->size() == 12);
  CHECK(other->value<std::int32_t>({2, 1}) == 114);
  // The farthest element starts at 3 * 24 + 2 * 8 = 88: the elements span 92 bytes.
  CHECK(t->with_data(Buffer::wrap(b.data(), 92)).ok());
  CHECK(t->with_data(Buffer::wrap(b.data(), 91)).status().is_invalid());
  CHECK(t->with_data(nullptr).status().is_invalid());
}

TEST_CASE("tensors refuse shapes and strides that leave the data") {
  auto data = Buffer::from_string(std::string(96, '\0'));
  CHECK(Tensor::make(int32(), data, {5, 5}).status().message() ==
        "tensor of shape and strides spanning 100 bytes over a data buffer of 96");
  CHECK(Tensor::make(int32(), data, {-1}).status().is_invalid());
  CHECK(Tensor::make(int32(), data, {2, 2}, {8}).status().is_invalid());
  CHECK(Tensor::make(int32(), data, {2}, {-4}).status().is_invalid());
  CHECK(Tensor::make(int32(), data, {2}, {std::int64_t{1} << 62}).status().is_invalid());
  CHECK(Tensor::make(utf8(), data, {2}).status().is_type_error());
  CHECK(Tensor::make(int32(), data, {2}, {}, {"a", "b"}).status().is_invalid());
  CHECK(Tensor::make(int8(), data, {std::int64_t{1} << 40, std::int64_t{1} << 40}).status().is_capacity_error());
  CHECK(ok_or_die(Tensor::make(int32(), data, {0, 7}))->size() == 0);
  // An empty tensor constrains no stride, but its default strides must still fit (found by
  // tensor_fuzz: to_row_major() overflowed computing them).
  const std::int64_t huge = std::int64_t{1} << 40;
  CHECK(Tensor::make(int32(), data, {0, huge, huge}, {4, 4, 4}).status().is_capacity_error());
  auto empty = ok_or_die(Tensor::make(int32(), data, {0, 3, 5}, {4, 4, 4}));
  // ... and they are the element size, as Arrow C++ computes (and writes) them.
  CHECK(ok_or_die(empty->to_row_major())->strides() == std::vector<std::int64_t>{4, 4, 4});
  CHECK(Tensor::row_major_strides({3, 0, 5}, 8) == std::vector<std::int64_t>{8, 8, 8});
  CHECK(Tensor::column_major_strides({3, 0}, 2) == std::vector<std::int64_t>{2, 2});
  CHECK(Tensor::row_major_strides({3, 1, 5}, 8) == std::vector<std::int64_t>{40, 40, 8});
}

TEST_CASE("golden tensors written by Arrow C++: read, checked, and written back byte for byte", "[shared]") {
  struct Case {
    const char* file;
    DataTypePtr type;
    std::vector<std::int64_t> shape, strides;
    std::vector<std::string> names;
    double sum;
  };
  const std::vector<Case> cases = {
      {"f64_rowmajor_500x500.bin", float64(), {500, 500}, {4000, 8}, {}, 15624937500.0},
      {"i32_2x3x4_named.bin", int32(), {2, 3, 4}, {48, 16, 4}, {"x", "y", "z"}, 276},
      {"f32_colmajor_4x3.bin", float32(), {4, 3}, {4, 16}, {"row", "col"}, 192},
      {"u8_1d_1000.bin", uint8(), {1000}, {1}, {}, 124506},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    auto mm = ok_or_die(io::MemoryMappedFile::open(gold(c.file)));
    auto t = ok_or_die(ipc::read_tensor(mm.get()));
    CHECK(t->type()->equals(*c.type));
    CHECK(t->shape() == c.shape);
    CHECK(t->strides() == c.strides);
    CHECK(t->dim_names() == c.names);
    if (c.type->equals(*float64())) CHECK(sum_of<double>(*t) == c.sum);
    if (c.type->equals(*int32())) CHECK(sum_of<std::int32_t>(*t) == c.sum);
    if (c.type->equals(*float32())) CHECK(sum_of<float>(*t) == c.sum);
    if (c.type->equals(*uint8())) CHECK(sum_of<std::uint8_t>(*t) == c.sum);
    CHECK(arrowpack::testing::points_into(ok_or_die(Array::make(uint8(), t->data()->size(), {nullptr, t->data()})),
                                          *mm->buffer()));
    CHECK(written(*t)->equals(*mm->buffer()));
  }
  auto f32 = ok_or_die(ipc::read_tensor(ok_or_die(io::MemoryMappedFile::open(gold("f32_colmajor_4x3.bin"))).get()));
  CHECK(f32->is_column_major());
  CHECK(f32->value<float>({3, 2}) == 32.0f);
}

TEST_CASE("golden float16 tensor and three tensors back to back", "[shared]") {
  auto f16_file = ok_or_die(io::MemoryMappedFile::open(gold("f16_2x2.bin")));
  auto f16 = ok_or_die(ipc::read_tensor(f16_file.get()));
  CHECK(f16->type()->equals(*float16()));
  CHECK(written(*f16)->equals(*f16_file->buffer()));
  double s = 0;
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 2; ++j) s += half_to_double(f16->value<std::uint16_t>({i, j}));
  CHECK(s == 65506.5);

  auto all = ok_or_die(io::read_file(gold("three_tensors.bin")));
  io::BufferReader reader(all);
  auto a = ok_or_die(ipc::read_tensor(&reader));
  auto b = ok_or_die(ipc::read_tensor(&reader));
  auto c = ok_or_die(ipc::read_tensor(&reader));
  CHECK(ok_or_die(ipc::read_message(&reader)) == nullptr);
  CHECK(a->type()->equals(*int16()));
  CHECK(sum_of<std::int16_t>(*a) == -3);
  CHECK(b->shape() == std::vector<std::int64_t>{2, 2});
  CHECK(sum_of<double>(*b) == 1.5);
  CHECK(c->type()->equals(*uint32()));
  CHECK(sum_of<std::uint32_t>(*c) == 16000000006.0);
  // Messages follow each other without padding, as Arrow C++ writes them.
  auto sink = ok_or_die(io::BufferOutputStream::create());
  for (const auto& t : {a, b, c}) REQUIRE(ipc::write_tensor(*t, sink.get()).ok());
  CHECK(ok_or_die(sink->finish())->equals(*all));
}

TEST_CASE("a non-contiguous tensor is written row-major, reading is zero-copy") {
  std::vector<double> v(24);
  std::iota(v.begin(), v.end(), 0.0);
  auto view = ok_or_die(Tensor::make(float64(), Buffer::wrap(v.data(), 192), {4, 3}, {48, 16}, {"r", "c"}));
  auto buf = written(*view);
  auto back = ok_or_die(ipc::read_tensor(std::make_shared<io::BufferReader>(buf).get()));
  CHECK(back->is_row_major());
  CHECK(back->equals(*view, true));
  CHECK(buf->contains(back->data()->data(), back->data()->size()));
}

TEST_CASE("tensor messages that lie are refused") {
  std::vector<std::int32_t> v(6, 7);
  auto t = ok_or_die(Tensor::make(int32(), Buffer::wrap(v.data(), 24), {2, 3}));
  auto buf = written(*t);
  for (std::int64_t n = 0; n < buf->size(); ++n) {
    io::BufferReader r(ok_or_die(buf->slice(0, n)));
    CHECK_FALSE(ipc::read_tensor(&r).ok());
  }
  // The schema of a stream is not a tensor.
  auto stream = arrowpack::testing::write_ipc(*arrowpack::testing::seed_batch(), 1, false);
  io::BufferReader r(stream);
  CHECK(ipc::read_tensor(&r).status().message() == "expected a Tensor message, got Schema");
}

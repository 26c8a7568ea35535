// Writes the fuzz targets' seed corpora: `make_corpus DIR` fills DIR/<target>/ with honest
// inputs for ipc, serialized, typed, components, zmq, tensor, row_stream and pickle (CI fuzzes from them), and
// `make_corpus --regressions DIR` writes the attacks of tests/hostile_inputs.h, at a small
// size, as DIR/<target>/<name> (committed in tests/data/fuzz-regressions/).
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/adapters/eigen_sparse.h"
#include "arrowpack/adapters/row_stream.h"
#include "arrowpack/transport/stream.h"
#include "hostile_inputs.h"
#include "row_types.h"
#include "test_data.h"

namespace ap = arrowpack;
using ap::testing::ok_or_die;

namespace {

std::string dir_of(const std::string& root, const std::string& target) {
  const std::string d = root + "/" + target;
  mkdir(root.c_str(), 0755);
  mkdir(d.c_str(), 0755);
  return d;
}

void put(const std::string& root, const std::string& target, const std::string& name, const std::string& bytes) {
  std::ofstream(dir_of(root, target) + "/" + name, std::ios::binary) << bytes;
}
void put(const std::string& root, const std::string& target, const std::string& name, const ap::Buffer& bytes) {
  put(root, target, name, bytes.to_string());
}

// The bytes of a string literal, its zero bytes included and its terminator not (so that
// binary seeds need no hand-counted length).
template <std::size_t N>
std::string literal(const char (&bytes)[N]) {
  return std::string(bytes, N - 1);
}

// What send() sends for `components`, as bytes.
std::string framed(const ap::Components& c) {
  const int fd = memfd_create("make_corpus", MFD_CLOEXEC);
  ok_or_die(ap::transport::send(fd, c));
  const off_t size = lseek(fd, 0, SEEK_CUR);
  std::string out(static_cast<std::size_t>(size), '\0');
  if (pread(fd, out.data(), out.size(), 0) != size) out.clear();
  close(fd);
  return out;
}

// The zmq_fuzz encoding of frames: a 16-bit length, then the bytes, per frame.
std::string zmq_frames(const std::vector<std::string>& frames) {
  std::string out;
  for (const auto& f : frames) {
    const auto n = static_cast<std::uint16_t>(std::min<std::size_t>(f.size(), 65535));
    out.append(reinterpret_cast<const char*>(&n), 2);
    out.append(f, 0, n);
  }
  return out;
}

// What transport::send(socket, c) sends: the framing's header (the start of what the stream
// transport writes, unpadded), then one frame per buffer.
std::vector<std::string> zmq_message(const ap::Components& c) {
  std::vector<std::string> frames{framed(c).substr(0, 32 + 8 * c.data.size())};
  for (const auto& b : c.data) frames.push_back(b->to_string());
  return frames;
}

void row_stream_seeds(const std::string& root);  // below

void seeds(const std::string& root) {
  for (const auto& [name, batch] : ap::testing::batches_per_type()) {
    put(root, "ipc", name + ".arrows", *ap::testing::write_ipc(*batch, 2, false));
    put(root, "ipc", name + ".arrow", *ap::testing::write_ipc(*batch, 2, true));
    // c_import_fuzz: a script (its size in two bytes) and a stream. Empty, the struct is
    // imported as the producer made it; the second corrupts a few fields and bytes.
    const std::string stream = ap::testing::write_ipc(*batch, 1, false)->to_string();
    put(root, "c_import", name, std::string(2, '\0') + stream);
    const std::string script("\x02\x03\x00\x01\x41\x00\x02\x05\x07\x01\x00\x09", 12);
    put(root, "c_import", name + "_script", std::string("\x0c\x00", 2) + script + stream);
  }
  std::map<int, Eigen::MatrixXd> matrices;
  for (int i = 0; i < 3; ++i) matrices[i] = Eigen::MatrixXd::Constant(3, 2, i);
  const std::vector<std::pair<std::string, ap::Value>> values = {
      {"scalars", ap::Value::list({ap::Value(), ap::Value(true), ap::Value(-7), ap::Value(2.5), ap::Value("text"),
                                   ap::Value::bytes("\x01\x02")})},
      {"nested", ap::hostile::nested(20, true)},
      {"record", ap::Value::dict({{ap::Value("name"), ap::Value("r")},
                                  {ap::Value("a"), ap::Value(1.0)},
                                  {ap::Value("b"), ap::Value(2.0)},
                                  {ap::Value("c"), ap::Value(3.0)},
                                  {ap::Value("d"), ap::Value(4.0)},
                                  {ap::Value("id"), ap::Value(9)}})},
  };
  {
    // sparse tensors, one of each format but CSC (the serialized and typed targets read
    // them; the framed transports refuse them, so they get none)
    auto dense =
        ok_or_die(ap::Tensor::make(ap::float64(), ap::testing::buffer_of<double>({0, 1, 0, 2, 0, 0, 3, 0}), {2, 2, 2}));
    auto coo = ok_or_die(ap::SparseTensor::coo_from_dense(*dense));
    Eigen::SparseMatrix<double, Eigen::RowMajor> m(3, 3);
    m.insert(1, 2) = 5;
    m.makeCompressed();
    auto csr = ok_or_die(ap::sparse_tensor_of(m));
    auto object = ok_or_die(ap::serialize(ap::Value::list({ap::Value(coo), ap::Value(csr)})));
    const std::string blob = ok_or_die(object.to_buffer())->to_string();
    put(root, "serialized", "sparse.bin", blob);
    for (int type = 0; type < 14; ++type) put(root, "typed", std::to_string(type) + "_sparse", char(type) + blob);
  }
  for (const auto& [name, v] : values) {
    auto object = ok_or_die(ap::serialize(v));
    const std::string blob = ok_or_die(object.to_buffer())->to_string();
    put(root, "serialized", name + ".bin", blob);
    for (int type = 0; type < 14; ++type) put(root, "typed", std::to_string(type) + "_" + name, char(type) + blob);
    auto c = ok_or_die(object.to_components());
    put(root, "components", name, framed(c));
    put(root, "zmq", name, zmq_frames(zmq_message(c)));
  }
  {
    // The columnar form (one pyarrow.Table) of typed_fuzz's Record, for std::vector<Record> (3).
    struct Record {
      std::string name;
      double a, b, c, d;
      std::int64_t id;
    };
    std::vector<Record> rows;
    for (int i = 0; i < 9; ++i) rows.push_back({"r" + std::to_string(i), 0.5 * i, 1, 2, 3, i});
    auto table = ok_or_die(ap::serialize(ap::columnar(rows)));
    const std::string blob = ok_or_die(table.to_buffer())->to_string();
    put(root, "serialized", "columnar.bin", blob);
    put(root, "typed", "3_columnar", char(3) + blob);
    put(root, "components", "columnar", framed(ok_or_die(table.to_components())));
  }
  auto object = ok_or_die(ap::serialize(matrices));
  const std::string blob = ok_or_die(object.to_buffer())->to_string();
  for (int type : {5, 6}) put(root, "typed", std::to_string(type) + "_matrices", char(type) + blob);
  auto c = ok_or_die(object.to_components());
  put(root, "components", "matrices", framed(c) + framed(c));
  put(root, "zmq", "matrices", zmq_frames(zmq_message(c)));
  auto sink = ok_or_die(ap::io::BufferOutputStream::create());
  for (const auto& [k, m] : matrices) {
    auto data = ap::Buffer::wrap(m.data(), m.size() * 8);
    auto t = ok_or_die(ap::Tensor::make_column_major(ap::float64(), data, {m.rows(), m.cols()}));
    (void)ok_or_die(ap::ipc::write_tensor(*t, sink.get()));
  }
  put(root, "tensor", "matrices.tensors", *ok_or_die(sink->getvalue()));
  // The same matrices as sparse tensors in each format, one file of messages.
  auto sparse_sink = ok_or_die(ap::io::BufferOutputStream::create());
  for (const auto& [k, m] : matrices) {
    auto data = ap::Buffer::wrap(m.data(), m.size() * 8);
    auto dense = ok_or_die(ap::Tensor::make_column_major(ap::float64(), data, {m.rows(), m.cols()}));
    auto coo = ok_or_die(ap::SparseTensor::coo_from_dense(*dense));
    (void)ok_or_die(ap::ipc::write_sparse_tensor(*coo, sparse_sink.get()));
  }
  put(root, "tensor", "matrices.sparse", *ok_or_die(sparse_sink->getvalue()));
  row_stream_seeds(root);
}

// A row stream of `rows` (row_stream_fuzz): a batch of the first row, a batch of none, a
// batch of the others, the end-of-stream marker.
template <typename T>
std::string row_stream_of(const std::vector<T>& rows) {
  auto sink = ok_or_die(ap::io::BufferOutputStream::create());
  auto writer = ok_or_die(ap::RowStreamWriter<T>::open(sink));
  ok_or_die(writer.write(rows.front()));
  ok_or_die(writer.write(std::span<const T>()));
  ok_or_die(writer.write(std::span<const T>(rows).subspan(1)));
  ok_or_die(writer.close());
  return ok_or_die(sink->finish())->to_string();
}

void row_stream_seeds(const std::string& root) {
  namespace r = fuzz_rows;
  std::vector<r::Record> records;
  std::vector<r::Trade> trades;
  std::vector<r::Flags> flags;
  for (int i = 0; i < 9; ++i) {
    records.push_back({"record-" + std::to_string(i), 0.5 * i, 1, 2, 3, i});
    r::Trade t{};
    if (i % 3) t.symbol = "s" + std::to_string(i);
    t.price = 0.25f * static_cast<float>(i);
    t.lot = static_cast<std::uint16_t>(i * 100);
    t.side = i % 2 ? r::Trade::Side::kSell : r::Trade::Side::kBuy;
    t.venue = {"v", i % 2 ? std::optional<std::int32_t>(i) : std::nullopt};
    if (i % 4 == 1) t.via = r::Venue{"relay", 7};
    trades.push_back(t);
    flags.push_back({i % 3 == 0});
  }
  const std::string streams[] = {row_stream_of(records), row_stream_of(trades), row_stream_of(flags)};
  for (int type = 0; type < 3; ++type) {
    for (int by_batch : {0, 0x80}) {
      put(root, "row_stream", std::to_string(type) + (by_batch ? "_by_batch" : "_all"),
          char(type | by_batch) + streams[type]);
    }
  }
  // pickles of plain values, as Python's pickle writes them (protocols 0, 2, 4 and 5: memo
  // opcodes of each kind, frames, counted and line arguments), for the pickle walk.
  put(root, "pickle", "list_protocol2",
      literal("\x80\x02\x5d\x71\x00\x28\x4b\x01\x58\x03\x00\x00\x00\x74\x77\x6f\x71\x01\x47\x40\x08\x00\x00\x00\x00"
              "\x00\x00\x4e\x4b\x04\x4b\x05\x86\x71\x02\x65\x2e"));
  put(root, "pickle", "dict_protocol5",
      literal("\x80\x05\x95\x2d\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x8c\x01\x6b\x94\x5d\x94\x28\x43\x0a\x78\x79\x78"
              "\x79\x78\x79\x78\x79\x78\x79\x94\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x40\x47\xbf\xf8\x00\x00\x00"
              "\x00\x00\x00\x65\x73\x2e"));
  put(root, "pickle", "nested_protocol4",
      literal("\x80\x04\x95\x1b\x00\x00\x00\x00\x00\x00\x00\x4b\x01\x85\x94\x7d\x94\x8c\x01\x61\x94\x7d\x94\x8c\x01"
              "\x62\x94\x5d\x94\x28\x88\x89\x65\x73\x73\x86\x94\x2e"));
  put(root, "pickle", "date_protocol5",
      literal(
          "\x80\x05\x95\x28\x00\x00\x00\x00\x00\x00\x00\x5d\x94\x28\x8c\x08\x64\x61\x74\x65\x74\x69\x6d\x65\x94\x8c\x04"
          "\x64\x61\x74\x65\x94\x93\x94\x43\x04\x07\xe4\x01\x02\x94\x85\x94\x52\x94\x68\x06\x68\x06\x65\x2e"));
  put(root, "pickle", "text_protocol0",
      literal("\x28\x6c\x70\x30\x0a\x56\x61\x0a\x70\x31\x0a\x61\x49\x31\x0a\x61\x46\x32\x2e\x35\x0a\x61\x2e"));
}

void regressions(const std::string& root) {
  namespace h = ap::hostile;
  put(root, "ipc", "misaligned_variadic_counts", *h::misaligned_variadic_counts());
  put(root, "ipc", "aliased_columns_misaligned", *h::aliased_columns(16, 4096, false));
  put(root, "ipc", "aliased_columns_big_endian", *h::aliased_columns(16, 4096, true));
  put(root, "ipc", "aliased_footer_blocks", *h::aliased_footer_blocks(8, 4096));
  put(root, "ipc", "delta_stream", *h::delta_stream(300, 16));
  put(root, "ipc", "compression_bombs", *h::compression_bombs(8, 1 << 20));
  put(root, "ipc", "overlapping_string_views", *h::overlapping_string_views(2000, 4096, false));
  put(root, "ipc", "overlapping_string_views_not_utf8", *h::overlapping_string_views(2000, 4096, true));
  put(root, "tensor", "misaligned_tensor_strides", *h::misaligned_tensor_strides());
  put(root, "tensor", "zero_stride_tensor", *h::zero_stride_tensor());
  put(root, "serialized", "aliased_strings", *h::aliased_strings(20, 4096));
  put(root, "serialized", "repeated_tensor_reference", *h::repeated_tensor_reference(4096));
  put(root, "serialized", "colliding_tuple_keys", *h::tuple_keys(2000, true));
  put(root, "serialized", "control_bytes_type_name", *h::control_bytes_type_name());
  ap::ReadLimits deeper;
  deeper.max_depth = 200;
  put(root, "serialized", "deeper_than_the_limit",
      *ok_or_die(ok_or_die(ap::serialize(h::nested(150, true), ap::SerializationContext::default_context(), deeper))
                     .to_buffer()));
  put(root, "typed", "reserve_before_validation", char(4) + h::many_nones(20000)->to_string());
  put(root, "typed", "huge_child_length", char(0) + h::huge_child_length()->to_string());
  put(root, "typed", "null_column_table", char(3) + h::null_column_table(std::int64_t{1} << 52, 512)->to_string());
  put(root, "components", "header_claims_8_gib", h::components_header(std::int64_t{8} << 30));
  // Pickles that claim what they do not hold: a memo index of 2**28 (CPython's C unpickler
  // sizes its memo by it) and a BINBYTES8 of 16 GiB.
  put(root, "pickle", "memo_index_2_pow_28",
      literal("\x80\x05N"
              "r\x00\x00\x00\x10"
              "."));
  put(root, "pickle", "binbytes8_of_16_gib",
      literal("\x80\x05\x8e\x00\x00\x00\x00\x04\x00\x00\x00"
              "xx."));
  // A header that announces 9 tensors and no buffer, then a buffer frame.
  put(root, "zmq", "counts_that_lie",
      zmq_frames({literal("APCOMP01\x09\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), "x"}));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--regressions") {
    regressions(argv[2]);
  } else if (argc == 2) {
    seeds(argv[1]);
  } else {
    std::cerr << "usage: make_corpus DIR | make_corpus --regressions DIR\n";
    return 2;
  }
  return 0;
}

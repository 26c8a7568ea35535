// Object serialization against its peers, in one run: every workload of issue #11 for
// arrowpack, cereal (binary archive) and msgpack-cxx, each reading back into owned C++
// objects, plus memcpy and a hand-written zero-copy format where those are the limit.
//
//   W4   one record {name, a, b, c, d, id}, round trip
//   W4s  the same record sent one after another as a row stream (adapters/row_stream.h):
//        written as one batch and read back through an in-memory pipe; bytes = what one
//        more object adds to the stream (the schema went once, before); by_4 gathers 4
//        objects per batch (RowStreamOptions::rows_per_batch), times per object
//   W2   five Eigen::MatrixXd 10x10, round trip
//   W3   one million records: serialize, and deserialize
//   W3c  the same records in the columnar form (one pyarrow.Table): serialize, deserialize
//        into the vector again, and read as a zero-copy table
//   W1c  the seed's dict of 100 matrices 500x500: serialize + to_components +
//        deserialize_components as views
//   W1   the same dict: to_buffer, and write_to into a reused buffer, against a memcpy of
//        its bytes into a fresh one
//
// By default each benchmark is repeated 5 times, interleaved at random, and the summary uses
// medians. Counters: allocs (heap allocations per operation, alloc_counter.h) and bytes (on
// the wire). `serialize_bench --count NAME N` runs one operation N times without timing, for
// callgrind (bench/callgrind.sh turns two such runs into instructions per operation).
#include <benchmark/benchmark.h>

#include <cstring>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/adapters/row_stream.h"
#include "bench_data.h"
#include "peers.h"
#include "summary_reporter.h"

namespace ap = arrowpack;
using namespace arrowpack::bench;

namespace {

// ---- inputs, made once outside the timing

const Record& one_record() {
  static const Record r{"record-7", 1.0, 2.0, 3.0, 4.0, 7};
  return r;
}

const std::vector<Record>& records() {
  static const auto data = [] {
    std::vector<Record> r(1000000);
    for (std::size_t i = 0; i < r.size(); ++i) {
      r[i] = Record{"record-" + std::to_string(i), 1.0 * i, 2.0, 3.0, 4.0, static_cast<std::int64_t>(i)};
    }
    return r;
  }();
  return data;
}

const std::vector<Eigen::MatrixXd>& five_matrices() {
  static const auto data = [] {
    std::vector<Eigen::MatrixXd> v;
    for (int i = 0; i < 5; ++i) v.push_back(Eigen::MatrixXd::Random(10, 10));
    return v;
  }();
  return data;
}

// What one operation leaves for the checks and the bytes counter.
struct Sink {
  std::int64_t bytes = 0;
  std::int64_t checksum = 0;
};

// ---- W4: one record
void w4_arrowpack_buffer(Sink& s) {
  auto buf = check(check(ap::serialize(one_record())).to_buffer());
  auto back = check(ap::deserialize<Record>(buf));
  s.bytes = buf->size();
  s.checksum += back.id;
}
void w4_arrowpack_components(Sink& s) {
  auto c = check(check(ap::serialize(one_record())).to_components());
  auto back = check(ap::deserialize_components<Record>(c));
  s.bytes = c.total_bytes();
  s.checksum += back.id;
}
void w4_cereal(Sink& s) {
  auto bytes = cereal_save(one_record());
  auto back = cereal_load<Record>(bytes);
  s.bytes = static_cast<std::int64_t>(bytes.size());
  s.checksum += back.id;
}
void w4_msgpack(Sink& s) {
  auto sb = msgpack_save(one_record());
  auto back = msgpack_load<Record>(sb.data(), sb.size());
  s.bytes = static_cast<std::int64_t>(sb.size());
  s.checksum += back.id;
}

// ---- W4s: records one after another in a row stream

// An in-memory pipe: what is written is read once, in order (a socket without the kernel).
class Pipe final : public ap::io::OutputStream, public ap::io::InputStream {
 public:
  ap::Status write(const void* data, std::int64_t nbytes) override {
    const auto* p = static_cast<const std::uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + nbytes);
    return ap::Status::OK();
  }
  using ap::io::OutputStream::write;
  ap::Result<std::int64_t> read(std::int64_t nbytes, void* out) override {
    const auto n = std::min<std::int64_t>(nbytes, static_cast<std::int64_t>(bytes_.size() - head_));
    std::memcpy(out, bytes_.data() + head_, static_cast<std::size_t>(n));
    head_ += static_cast<std::size_t>(n);
    consumed_ += n;
    if (head_ == bytes_.size()) bytes_.clear(), head_ = 0;
    return n;
  }
  ap::Result<std::shared_ptr<ap::Buffer>> read(std::int64_t nbytes) override {
    ARROWPACK_ASSIGN_OR_RAISE(auto buf, ap::allocate_buffer(nbytes));
    ARROWPACK_ASSIGN_OR_RAISE(auto n, read(nbytes, buf->mutable_data()));
    if (n == nbytes) return std::shared_ptr<ap::Buffer>(std::move(buf));
    return buf->slice(0, n);
  }
  ap::Status close() override { return ap::Status::OK(); }
  bool closed() const override { return false; }
  ap::Result<std::int64_t> tell() const override { return consumed_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t head_ = 0;
  std::int64_t consumed_ = 0;
};

struct RowPipe {
  explicit RowPipe(std::int64_t rows_per_batch)
      : writer(check(ap::RowStreamWriter<Record>::open(pipe, {.rows_per_batch = rows_per_batch}))),
        reader(check(ap::RowStreamReader<Record>::open(pipe))) {}
  std::shared_ptr<Pipe> pipe = std::make_shared<Pipe>();
  ap::RowStreamWriter<Record> writer;
  ap::RowStreamReader<Record> reader;
  std::int64_t written = 0;
};

// One object per operation: written, and read back once its batch has gone (every
// rows_per_batch operations); bytes = what the stream grew by per object.
void row_stream_op(RowPipe& p, std::int64_t rows_per_batch, Sink& s) {
  const auto before = p.writer.bytes_written();
  check(p.writer.write(one_record()));
  if (++p.written % rows_per_batch != 0) return;
  auto back = check(p.reader.read_next_batch());
  s.bytes = (p.writer.bytes_written() - before) / rows_per_batch;
  s.checksum += back->at(0).id + static_cast<std::int64_t>(back->size());
}
void w4_arrowpack_row_stream(Sink& s) {
  static RowPipe p(1);
  row_stream_op(p, 1, s);
}
void w4_arrowpack_row_stream_by_4(Sink& s) {
  static RowPipe p(4);
  row_stream_op(p, 4, s);
}

// ---- W2: five 10x10 matrices
void w2_arrowpack_buffer(Sink& s) {
  auto buf = check(check(ap::serialize(five_matrices())).to_buffer());
  auto back = check(ap::deserialize<std::vector<Eigen::MatrixXd>>(buf));
  s.bytes = buf->size();
  s.checksum += back.size();
}
void w2_arrowpack_components_views(Sink& s) {
  auto c = check(check(ap::serialize(five_matrices())).to_components());
  auto back = check(ap::deserialize_components<std::vector<ap::EigenView<Eigen::MatrixXd>>>(c));
  s.bytes = c.total_bytes();
  s.checksum += back.size();
}
void w2_cereal(Sink& s) {
  auto bytes = cereal_save(five_matrices());
  auto back = cereal_load<std::vector<Eigen::MatrixXd>>(bytes);
  s.bytes = static_cast<std::int64_t>(bytes.size());
  s.checksum += back.size();
}
void w2_msgpack(Sink& s) {
  auto sb = msgpack_save(five_matrices());
  auto back = msgpack_load<std::vector<Eigen::MatrixXd>>(sb.data(), sb.size());
  s.bytes = static_cast<std::int64_t>(sb.size());
  s.checksum += back.size();
}

// ---- W3: a million records
void w3_serialize_arrowpack(Sink& s) {
  auto buf = check(check(ap::serialize(records())).to_buffer());
  s.bytes = buf->size();
}
void w3_serialize_cereal(Sink& s) { s.bytes = static_cast<std::int64_t>(cereal_save(records()).size()); }
void w3_serialize_msgpack(Sink& s) { s.bytes = static_cast<std::int64_t>(msgpack_save(records()).size()); }

const std::shared_ptr<ap::Buffer>& w3_arrowpack_bytes() {
  static const auto buf = check(check(ap::serialize(records())).to_buffer());
  return buf;
}
const std::string& w3_cereal_bytes() {
  static const auto bytes = cereal_save(records());
  return bytes;
}
const msgpack::sbuffer& w3_msgpack_bytes() {
  static const auto sb = msgpack_save(records());
  return sb;
}
// The records again from an arrowpack blob (of either form).
void arrowpack_records_from(const std::shared_ptr<ap::Buffer>& blob, Sink& s) {
  auto back = check(ap::deserialize<std::vector<Record>>(blob));
  s.bytes = blob->size();
  s.checksum += back.back().id;
}
void w3_deserialize_arrowpack(Sink& s) { arrowpack_records_from(w3_arrowpack_bytes(), s); }
void w3_deserialize_cereal(Sink& s) {
  auto back = cereal_load<std::vector<Record>>(w3_cereal_bytes());
  s.bytes = static_cast<std::int64_t>(w3_cereal_bytes().size());
  s.checksum += back.back().id;
}
void w3_deserialize_msgpack(Sink& s) {
  auto back = msgpack_load<std::vector<Record>>(w3_msgpack_bytes().data(), w3_msgpack_bytes().size());
  s.bytes = static_cast<std::int64_t>(w3_msgpack_bytes().size());
  s.checksum += back.back().id;
}

// ---- W3c: the million records as one table (adapters/columnar.h)
void w3c_serialize_arrowpack(Sink& s) {
  auto buf = check(check(ap::serialize(ap::columnar(records()))).to_buffer());
  s.bytes = buf->size();
}
const std::shared_ptr<ap::Buffer>& w3c_arrowpack_bytes() {
  static const auto buf = check(check(ap::serialize(ap::columnar(records()))).to_buffer());
  return buf;
}
void w3c_deserialize_arrowpack(Sink& s) { arrowpack_records_from(w3c_arrowpack_bytes(), s); }
void w3c_table_view_arrowpack(Sink& s) {
  auto table = check(ap::deserialize<ap::TablePtr>(w3c_arrowpack_bytes()));
  s.bytes = w3c_arrowpack_bytes()->size();
  s.checksum += table->batches().back()->column(5).value<std::int64_t>(table->num_rows() - 1);
}

// ---- W1c: 100 tensors 500x500 as components, read back as views
using DictViews = std::map<int, ap::EigenView<Eigen::MatrixXd>>;
void w1c_arrowpack(Sink& s) {
  auto c = check(check(ap::serialize(big_dict())).to_components());
  auto views = check(ap::deserialize_components<DictViews>(c));
  s.bytes = c.total_bytes();
  s.checksum += static_cast<std::int64_t>(views.size());
}
// The limit of a zero-copy format: a header of (key, rows, cols) triples plus one pointer per
// matrix, read back into a map of Eigen::Maps with every size checked.
void w1c_handwritten(Sink& s) {
  const auto& dict = big_dict();
  std::vector<std::int64_t> header;
  header.reserve(1 + 3 * dict.size());
  header.push_back(static_cast<std::int64_t>(dict.size()));
  std::vector<std::pair<const void*, std::size_t>> parts;
  parts.reserve(dict.size());
  for (const auto& [k, m] : dict) {
    header.insert(header.end(), {k, m.rows(), m.cols()});
    parts.emplace_back(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double));
  }
  using MapView = Eigen::Map<const Eigen::MatrixXd>;
  std::map<int, MapView> views;
  const std::int64_t n = header[0];
  if (n < 0 || static_cast<std::size_t>(n) != parts.size() || header.size() != static_cast<std::size_t>(1 + 3 * n)) {
    throw std::runtime_error("bad header");
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t k = header[1 + 3 * i], rows = header[2 + 3 * i], cols = header[3 + 3 * i];
    if (rows < 0 || cols < 0 || parts[i].second != static_cast<std::size_t>(rows * cols) * sizeof(double)) {
      throw std::runtime_error("bad part");
    }
    views.emplace(static_cast<int>(k), MapView(static_cast<const double*>(parts[i].first), rows, cols));
  }
  s.bytes = static_cast<std::int64_t>(header.size() * 8);
  for (const auto& p : parts) s.bytes += static_cast<std::int64_t>(p.second);
  s.checksum += static_cast<std::int64_t>(views.size());
}

// ---- W1: the dict into one buffer
void w1_memcpy(Sink& s) {
  auto out = check(ap::allocate_buffer(kBigBytes));
  std::int64_t pos = 0;
  for (const auto& [k, m] : big_dict()) {
    std::memcpy(out->mutable_data() + pos, m.data(), static_cast<std::size_t>(m.size() * 8));
    pos += m.size() * 8;
  }
  benchmark::DoNotOptimize(out->data());
  s.bytes = out->size();
}
void w1_arrowpack_to_buffer(Sink& s) {
  auto buf = check(check(ap::serialize(big_dict())).to_buffer());
  benchmark::DoNotOptimize(buf->data());
  s.bytes = buf->size();
}
// The same bytes written into one output buffer kept from call to call (a reused mapping or
// send buffer): no 200 MB allocation, so no fresh pages to fault in.
void w1_arrowpack_write_to_reused(Sink& s) {
  static const auto out = check(ap::allocate_buffer(kBigBytes + (std::int64_t{1} << 20)));
  auto object = check(ap::serialize(big_dict()));
  ap::io::FixedSizeBufferWriter sink(out->mutable_data(), out->size());
  check(object.write_to(&sink));
  s.bytes = check(sink.tell());
  benchmark::DoNotOptimize(out->data());
}
void w1_arrowpack_deserialize(Sink& s) {
  static const auto buf = check(check(ap::serialize(big_dict())).to_buffer());
  auto views = check(ap::deserialize<DictViews>(buf));
  s.bytes = buf->size();
  s.checksum += static_cast<std::int64_t>(views.size());
}

struct Op {
  const char* name;
  void (*run)(Sink&);
  benchmark::TimeUnit unit;
  int iterations = 0;  // 0: let the library decide
};

const std::vector<Op>& ops() {
  static const std::vector<Op> all = {
      {"W4/arrowpack/to_buffer", w4_arrowpack_buffer, benchmark::kMicrosecond},
      {"W4/arrowpack/components", w4_arrowpack_components, benchmark::kMicrosecond},
      {"W4/cereal", w4_cereal, benchmark::kMicrosecond},
      {"W4/msgpack", w4_msgpack, benchmark::kMicrosecond},
      {"W4s/arrowpack/row_stream", w4_arrowpack_row_stream, benchmark::kMicrosecond},
      {"W4s/arrowpack/row_stream_by_4", w4_arrowpack_row_stream_by_4, benchmark::kMicrosecond},
      {"W2/arrowpack/to_buffer", w2_arrowpack_buffer, benchmark::kMicrosecond},
      {"W2/arrowpack/components_views", w2_arrowpack_components_views, benchmark::kMicrosecond},
      {"W2/cereal", w2_cereal, benchmark::kMicrosecond},
      {"W2/msgpack", w2_msgpack, benchmark::kMicrosecond},
      {"W3/serialize/arrowpack", w3_serialize_arrowpack, benchmark::kMillisecond, 3},
      {"W3/serialize/cereal", w3_serialize_cereal, benchmark::kMillisecond, 3},
      {"W3/serialize/msgpack", w3_serialize_msgpack, benchmark::kMillisecond, 3},
      {"W3/deserialize/arrowpack", w3_deserialize_arrowpack, benchmark::kMillisecond, 3},
      {"W3/deserialize/cereal", w3_deserialize_cereal, benchmark::kMillisecond, 3},
      {"W3/deserialize/msgpack", w3_deserialize_msgpack, benchmark::kMillisecond, 3},
      {"W3c/serialize/arrowpack", w3c_serialize_arrowpack, benchmark::kMillisecond, 3},
      {"W3c/deserialize/arrowpack", w3c_deserialize_arrowpack, benchmark::kMillisecond, 3},
      {"W3c/deserialize/arrowpack_table_view", w3c_table_view_arrowpack, benchmark::kMillisecond, 3},
      {"W1c/arrowpack", w1c_arrowpack, benchmark::kMicrosecond},
      {"W1c/handwritten", w1c_handwritten, benchmark::kMicrosecond},
      {"W1/memcpy", w1_memcpy, benchmark::kMillisecond},
      {"W1/arrowpack/to_buffer", w1_arrowpack_to_buffer, benchmark::kMillisecond},
      {"W1/arrowpack/write_to_reused", w1_arrowpack_write_to_reused, benchmark::kMillisecond},
      {"W1/arrowpack/deserialize_views", w1_arrowpack_deserialize, benchmark::kMicrosecond},
  };
  return all;
}

void run_op(benchmark::State& state, const Op& op) {
  Sink sink;
  op.run(sink);  // inputs made and caches warm outside the timing
  const std::uint64_t before = allocations();
  for (auto _ : state) op.run(sink);
  const double n = static_cast<double>(state.iterations());
  state.counters["allocs"] = benchmark::Counter(static_cast<double>(allocations() - before) / n);
  state.counters["bytes"] = benchmark::Counter(static_cast<double>(sink.bytes));
  benchmark::DoNotOptimize(sink.checksum);
}

const Op* find_op(const std::string& name) {
  for (const auto& op : ops()) {
    if (name == op.name) return &op;
  }
  return nullptr;
}

// --count NAME N: N runs of one operation, for callgrind.
int count_mode(const std::string& name, long n) {
  const Op* op = find_op(name);
  if (op == nullptr || n < 0) {
    std::cerr << "serialize_bench --count: unknown operation '" << name << "'; one of:\n";
    for (const auto& o : ops()) std::cerr << "  " << o.name << "\n";
    return 2;
  }
  Sink sink;
  for (long i = 0; i < n; ++i) op->run(sink);
  std::cout << name << ": " << n << " runs, " << sink.bytes << " bytes, checksum " << sink.checksum << "\n";
  return 0;
}

void print_summary(const SummaryReporter& rep) {
  auto t = [&](const std::string& n) { return rep.time(n); };
  auto allocs = [&](const std::string& n) { return rep.counter(n, "allocs"); };
  auto bytes = [&](const std::string& n) { return rep.counter(n, "bytes"); };
  std::cout << "\nSummary (medians of the same run; ratio = arrowpack / peer)\n";
  std::cout << std::fixed;
  auto line = [&](const std::string& label, const std::string& name, const char* unit,
                  const std::vector<std::string>& peers) {
    if (t(name) < 0) return;
    std::cout << "  " << std::left << std::setw(36) << label << std::right << std::setprecision(3) << std::setw(10)
              << t(name) << " " << unit << "  allocs " << std::setprecision(1) << std::setw(7) << allocs(name)
              << "  bytes " << std::setprecision(0) << std::setw(10) << bytes(name);
    for (const auto& p : peers) {
      if (t(p) > 0) std::cout << "  " << std::setprecision(2) << t(name) / t(p) << "x " << p.substr(p.rfind('/') + 1);
    }
    std::cout << "\n";
  };
  const std::vector<std::string> w4 = {"W4/cereal", "W4/msgpack"}, w2 = {"W2/cereal", "W2/msgpack"};
  for (const auto& op : ops()) {
    const std::string name = op.name;
    const char* unit = op.unit == benchmark::kMillisecond ? "ms" : "us";
    std::vector<std::string> peers;
    if (name.starts_with("W4/arrowpack") || name.starts_with("W4s/arrowpack")) peers = w4;
    if (name.starts_with("W2/arrowpack")) peers = w2;
    if (name == "W3/serialize/arrowpack") peers = {"W3/serialize/cereal", "W3/serialize/msgpack"};
    if (name == "W3/deserialize/arrowpack" || name.starts_with("W3c/deserialize/")) {
      peers = {"W3/deserialize/cereal", "W3/deserialize/msgpack"};
    }
    if (name == "W3c/serialize/arrowpack") peers = {"W3/serialize/cereal", "W3/serialize/msgpack"};
    if (name == "W1c/arrowpack") peers = {"W1c/handwritten"};
    if (name == "W1/arrowpack/to_buffer" || name == "W1/arrowpack/write_to_reused") peers = {"W1/memcpy"};
    line(name, name, unit, peers);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--count") return count_mode(argv[2], std::atol(argv[3]));
  // Interleaved repetitions and medians unless the caller says otherwise.
  std::vector<char*> args(argv, argv + argc);
  bool reps = false;
  for (int i = 1; i < argc; ++i) reps = reps || std::string(argv[i]).starts_with("--benchmark_repetitions");
  std::string r = "--benchmark_repetitions=5", il = "--benchmark_enable_random_interleaving=true",
              agg = "--benchmark_report_aggregates_only=true";
  if (!reps) args.insert(args.end(), {r.data(), il.data(), agg.data()});
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  for (const auto& op : ops()) {
    auto* b = benchmark::RegisterBenchmark(op.name, [&op](benchmark::State& s) { run_op(s, op); });
    b->Unit(op.unit)->UseRealTime();
    if (op.iterations > 0) b->Iterations(op.iterations);
  }
  SummaryReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  print_summary(rep);
  benchmark::Shutdown();
  return 0;
}

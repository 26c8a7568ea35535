// IPC throughput against the physical limit: the bigfile of the pyarrow chapter (10M int32
// in 1000 batches) written and read through an OS file and a memory map, and the seed batch
// streamed 100,000 times, each beside a memcpy of the same bytes in the same run. The seed
// stream and a sum over the mapped bigfile run at both body alignments (8, the default and
// Arrow C++'s, and 64), which is how the default was chosen. After the Google Benchmark table, a
// summary prints each case as a ratio to its memcpy ceiling.
//
//   ipc_bench [--dir DIR] [google benchmark flags]   (DIR holds the bench file; default /tmp)
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <map>
#include <numeric>

#include "arrowpack/core/api.h"
#include "summary_reporter.h"

namespace ap = arrowpack;

namespace {

std::string g_dir = "/tmp";
constexpr std::int64_t kBatchSize = 10000;
constexpr int kBatchCount = 1000;
constexpr int kSeedRepeats = 100000;

template <typename T>
T check(ap::Result<T> r) {
  return std::move(r).value_or_throw();
}
void check(const ap::Status& s) { s.throw_if_error(); }

std::shared_ptr<ap::RecordBatch> int32_batch() {
  static auto batch = [] {
    std::vector<std::int32_t> v(kBatchSize);
    std::iota(v.begin(), v.end(), 0);
    ap::NumericBuilder<std::int32_t> b(ap::int32());
    check(b.append_values(v.data(), kBatchSize));
    return check(ap::RecordBatch::from_arrays({check(b.finish())}, {"nums"}));
  }();
  return batch;
}

std::shared_ptr<ap::RecordBatch> seed_batch() {
  static auto batch = [] {
    auto f0 = check(ap::array<std::int64_t>({1, 2, 3, 4}));
    auto f1 = check(ap::array<std::string>({"foo", "bar", "baz", std::nullopt}));
    auto f2 = check(ap::array<bool>({true, std::nullopt, false, true}));
    return check(ap::RecordBatch::from_arrays({f0, f1, f2}, {"f0", "f1", "f2"}));
  }();
  return batch;
}

std::string big_path() { return g_dir + "/arrowpack_bench_bigfile.arrow"; }

void write_big_file() {
  auto sink = check(ap::io::FileOutputStream::open(big_path()));
  auto writer = check(ap::ipc::new_file(sink, int32_batch()->schema()));
  for (int i = 0; i < kBatchCount; ++i) check(writer->write_batch(*int32_batch()));
  check(writer->close());
  check(sink->close());
}

constexpr std::int64_t kBigBytes = kBatchSize * kBatchCount * 4;

void BM_Memcpy_BigFileBytes(benchmark::State& state) {
  std::vector<char> a(kBigBytes, 1), b(kBigBytes);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), a.size());
    benchmark::DoNotOptimize(b.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}

// The floor for writing the file: the same bytes in the same 1000 pieces, straight to write(2).
void BM_RawWrite_BigFileBytes(benchmark::State& state) {
  std::vector<char> piece(kBatchSize * 4 + 256, 1);
  for (auto _ : state) {
    auto sink = check(ap::io::FileOutputStream::open(big_path()));
    for (int i = 0; i < kBatchCount; ++i) check(sink->write(piece.data(), static_cast<std::int64_t>(piece.size())));
    check(sink->close());
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}

void BM_WriteBigFile_OSFile(benchmark::State& state) {
  for (auto _ : state) write_big_file();
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}

template <bool kMemoryMap>
void BM_ReadBigFile(benchmark::State& state) {
  write_big_file();
  ap::SystemMemoryPool pool;
  ap::ipc::IpcReadOptions options;
  options.pool = &pool;
  std::int64_t allocated = 0;
  for (auto _ : state) {
    const std::int64_t before = pool.total_allocated_bytes();
    std::shared_ptr<ap::io::RandomAccessFile> source;
    if (kMemoryMap) {
      source = check(ap::io::MemoryMappedFile::open(big_path()));
    } else {
      source = check(ap::io::ReadableFile::open(big_path(), &pool));
    }
    auto table = check(check(ap::ipc::open_file(source, options))->read_all());
    benchmark::DoNotOptimize(table->num_rows());
    allocated = pool.total_allocated_bytes() - before;
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
  state.counters["allocated_bytes"] = static_cast<double>(allocated);
}
void BM_ReadBigFile_OSFile(benchmark::State& s) { BM_ReadBigFile<false>(s); }
void BM_ReadBigFile_MemoryMap(benchmark::State& s) { BM_ReadBigFile<true>(s); }

// The seed stream as written with each body alignment the writer offers at its ends: 8 (the
// default, Arrow C++'s and the spec's minimum) and 64. Small batches are mostly padding, so
// the two differ in size, in memcpy ceiling and in write and read time.
template <int kAlignment>
std::shared_ptr<ap::Buffer> seed_stream() {
  static auto buf = [] {
    ap::ipc::IpcWriteOptions options;
    options.alignment = kAlignment;
    auto sink = check(ap::io::BufferOutputStream::create(std::int64_t{1} << 20));
    auto w = check(ap::ipc::new_stream(sink, seed_batch()->schema(), options));
    for (int i = 0; i < kSeedRepeats; ++i) check(w->write_batch(*seed_batch()));
    check(w->close());
    return check(sink->finish());
  }();
  return buf;
}

template <int kAlignment>
void BM_Memcpy_SeedStreamBytes(benchmark::State& state) {
  const std::int64_t n = seed_stream<kAlignment>()->size();
  std::vector<char> b(n);
  for (auto _ : state) {
    std::memcpy(b.data(), seed_stream<kAlignment>()->data(), n);
    benchmark::DoNotOptimize(b.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n);
  state.counters["stream_bytes"] = static_cast<double>(n);
}

template <int kAlignment>
void BM_WriteSeedStream(benchmark::State& state) {
  const std::int64_t n = seed_stream<kAlignment>()->size();
  ap::ipc::IpcWriteOptions options;
  options.alignment = kAlignment;
  for (auto _ : state) {
    auto sink = check(ap::io::BufferOutputStream::create(n));
    auto w = check(ap::ipc::new_stream(sink, seed_batch()->schema(), options));
    for (int i = 0; i < kSeedRepeats; ++i) check(w->write_batch(*seed_batch()));
    check(w->close());
    benchmark::DoNotOptimize(check(sink->finish())->size());
  }
  state.SetBytesProcessed(state.iterations() * n);
  state.counters["per_batch"] = benchmark::Counter(static_cast<double>(state.iterations()) * kSeedRepeats,
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <int kAlignment>
void BM_ReadSeedStream(benchmark::State& state) {
  const std::int64_t n = seed_stream<kAlignment>()->size();
  for (auto _ : state) {
    auto reader = check(ap::ipc::open_stream(seed_stream<kAlignment>()));
    std::int64_t rows = 0;
    while (auto b = check(reader->read_next_batch())) rows += b->num_rows();
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(state.iterations() * n);
  state.counters["per_batch"] = benchmark::Counter(static_cast<double>(state.iterations()) * kSeedRepeats,
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// What a reader of a mapped file pays for 8-byte rather than 64-byte aligned buffers: the
// bigfile written with each alignment, mapped, and every value summed.
template <int kAlignment>
void BM_SumBigFile_MemoryMap(benchmark::State& state) {
  const std::string path = g_dir + "/arrowpack_bench_sum_" + std::to_string(kAlignment) + ".arrow";
  {
    ap::ipc::IpcWriteOptions options;
    options.alignment = kAlignment;
    auto sink = check(ap::io::FileOutputStream::open(path));
    auto writer = check(ap::ipc::new_file(sink, int32_batch()->schema(), options));
    for (int i = 0; i < kBatchCount; ++i) check(writer->write_batch(*int32_batch()));
    check(writer->close());
    check(sink->close());
  }
  auto table = check(check(ap::ipc::open_file(check(ap::io::MemoryMappedFile::open(path))))->read_all());
  std::int64_t misaligned = 0;
  for (const auto& b : table->batches()) {
    misaligned += reinterpret_cast<std::uintptr_t>(b->column(0).data()->buffers[1]->data()) % 64 != 0;
  }
  for (auto _ : state) {
    std::int64_t sum = 0;
    for (const auto& b : table->batches()) {
      const auto* v = reinterpret_cast<const std::int32_t*>(b->column(0).data()->buffers[1]->data());
      for (std::int64_t i = 0; i < kBatchSize; ++i) sum += v[i];
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
  state.counters["batches_off_64"] = static_cast<double>(misaligned);
  std::remove(path.c_str());
}

BENCHMARK(BM_Memcpy_BigFileBytes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RawWrite_BigFileBytes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WriteBigFile_OSFile)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadBigFile_OSFile)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadBigFile_MemoryMap)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_SumBigFile_MemoryMap, 64)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_SumBigFile_MemoryMap, 8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Memcpy_SeedStreamBytes, 64)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_WriteSeedStream, 64)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ReadSeedStream, 64)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Memcpy_SeedStreamBytes, 8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_WriteSeedStream, 8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ReadSeedStream, 8)->Unit(benchmark::kMillisecond)->UseRealTime();

void print_summary(const arrowpack::bench::SummaryReporter& rep) {
  auto t = [&](const std::string& n) { return rep.time(n); };
  const double big = t("BM_Memcpy_BigFileBytes");
  std::cout << "\nSummary (same run; ratio = time / memcpy of the same bytes, lower is better)\n";
  auto line = [&](const std::string& what, const std::string& name, double ceiling) {
    const double ms = t(name);
    if (ms < 0 || ceiling <= 0) return;
    std::cout << "  " << what << ": " << ms << " ms = " << ms / ceiling << "x memcpy";
    const double allocated = rep.counter(name, "allocated_bytes");
    if (allocated >= 0) std::cout << ", allocated " << allocated << " bytes";
    std::cout << "\n";
  };
  std::cout << "  memcpy of 40 MB: " << big << " ms\n";
  line("write(2) of the same bytes in 1000 pieces", "BM_RawWrite_BigFileBytes", big);
  line("write bigfile (OS file, 1000 batches)", "BM_WriteBigFile_OSFile", big);
  const double raw = t("BM_RawWrite_BigFileBytes"), w = t("BM_WriteBigFile_OSFile");
  if (raw > 0 && w > 0) std::cout << "    = " << w / raw << "x the raw write(2) floor\n";
  line("read bigfile through an OS file", "BM_ReadBigFile_OSFile", big);
  line("read bigfile through a memory map", "BM_ReadBigFile_MemoryMap", big);
  for (const char* a : {"64", "8"}) {
    const std::string memcpy_name = std::string("BM_Memcpy_SeedStreamBytes<") + a + ">";
    const double seed = t(memcpy_name);
    if (seed <= 0) continue;
    std::cout << "  seed stream, alignment " << a << ": " << rep.counter(memcpy_name, "stream_bytes")
              << " bytes, memcpy " << seed << " ms\n";
    const std::string write = std::string("BM_WriteSeedStream<") + a + ">";
    const std::string read = std::string("BM_ReadSeedStream<") + a + ">";
    line("  write seed batch x100000", write, seed);
    line("  read seed batch x100000", read, seed);
    const double sw = t(write), sr = t(read);
    if (sw > 0 && sr > 0) {
      std::cout << "    per seed batch: write " << sw * 1e3 / kSeedRepeats << " us, read " << sr * 1e3 / kSeedRepeats
                << " us\n";
    }
  }
  const double s64 = t("BM_SumBigFile_MemoryMap<64>"), s8 = t("BM_SumBigFile_MemoryMap<8>");
  if (s64 > 0 && s8 > 0) {
    std::cout << "  sum of the mapped bigfile: alignment 64 " << s64 << " ms, alignment 8 " << s8 << " ms ("
              << rep.counter("BM_SumBigFile_MemoryMap<8>", "batches_off_64")
              << " of 1000 buffers off a 64-byte boundary) = " << s8 / s64 << "x\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--dir" && i + 1 < argc) {
      g_dir = argv[++i];
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  arrowpack::bench::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_summary(reporter);
  benchmark::Shutdown();
  std::remove(big_path().c_str());
  return 0;
}

// Dictionary-encoded strings and compressed bodies: an IPC stream written to memory and
// read back, against the same data plain and uncompressed, and a memcpy of the plain
// stream's bytes, all in one run. Throughput counts the bytes of the plain (uncompressed,
// unencoded) stream, so the rates compare directly.
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <random>

#include "arrowpack/core/api.h"
#include "summary_reporter.h"

namespace ap = arrowpack;

namespace {

template <typename T>
T check(ap::Result<T> r) {
  return std::move(r).value_or_throw();
}

constexpr std::int64_t kRows = 1 << 20;

// 1M rows: a string column drawn from 1000 words (what dictionary encoding is for), an
// int64 column of slowly growing ids and a double column of measurements with 2 decimals.
const ap::RecordBatchPtr& plain_batch() {
  static const ap::RecordBatchPtr batch = [] {
    std::mt19937_64 gen(7);
    std::vector<std::string> words;
    for (int i = 0; i < 1000; ++i) words.push_back("word-" + std::to_string(i * 7919 % 100003));
    ap::BinaryBuilder text(ap::utf8());
    ap::NumericBuilder<std::int64_t> ids(ap::int64());
    ap::NumericBuilder<double> values(ap::float64());
    std::int64_t id = 1000000;
    for (std::int64_t i = 0; i < kRows; ++i) {
      text.append(words[gen() % words.size()]).throw_if_error();
      id += static_cast<std::int64_t>(gen() % 4);
      ids.append(id).throw_if_error();
      values.append(static_cast<double>(gen() % 100000) / 100.0).throw_if_error();
    }
    auto schema =
        ap::schema({ap::field("word", ap::utf8()), ap::field("id", ap::int64()), ap::field("value", ap::float64())});
    return check(ap::RecordBatch::make(schema, {check(text.finish()), check(ids.finish()), check(values.finish())}));
  }();
  return batch;
}

const ap::RecordBatchPtr& dictionary_batch() {
  static const ap::RecordBatchPtr batch = [] {
    const auto& plain = plain_batch();
    auto words = check(ap::dictionary_encode(plain->column(0), ap::int32()));
    auto schema =
        ap::schema({ap::field("word", words.type()), ap::field("id", ap::int64()), ap::field("value", ap::float64())});
    return check(ap::RecordBatch::make(schema, {words, plain->column(1), plain->column(2)}));
  }();
  return batch;
}

std::shared_ptr<ap::Buffer> write_stream(const ap::RecordBatch& batch, ap::Compression codec) {
  ap::ipc::IpcWriteOptions options;
  options.compression = codec;
  auto sink = check(ap::io::BufferOutputStream::create(64 << 20));
  auto writer = check(ap::ipc::new_stream(sink, batch.schema(), options));
  writer->write_batch(batch).throw_if_error();
  writer->close().throw_if_error();
  return check(sink->finish());
}

std::int64_t plain_bytes() {
  static const std::int64_t n = write_stream(*plain_batch(), ap::Compression::kUncompressed)->size();
  return n;
}

struct Case {
  const char* name;
  bool dictionary;
  ap::Compression codec;
};
constexpr Case kCases[] = {{"plain", false, ap::Compression::kUncompressed},
                           {"dictionary", true, ap::Compression::kUncompressed},
                           {"lz4", false, ap::Compression::kLz4Frame},
                           {"zstd", false, ap::Compression::kZstd},
                           {"dictionary_lz4", true, ap::Compression::kLz4Frame}};

void BM_Write(benchmark::State& state, int which) {
  const Case& c = kCases[which];
  const auto& batch = c.dictionary ? dictionary_batch() : plain_batch();
  std::int64_t size = 0;
  for (auto _ : state) {
    auto bytes = write_stream(*batch, c.codec);
    size = bytes->size();
    benchmark::DoNotOptimize(bytes->data());
  }
  state.SetLabel(c.name);
  state.SetBytesProcessed(state.iterations() * plain_bytes());
  state.counters["stream_bytes"] = static_cast<double>(size);
}

void BM_Read(benchmark::State& state, int which) {
  const Case& c = kCases[which];
  auto bytes = write_stream(*(c.dictionary ? dictionary_batch() : plain_batch()), c.codec);
  for (auto _ : state) {
    auto reader = check(ap::ipc::open_stream(bytes));
    auto batch = check(reader->read_next_batch());
    benchmark::DoNotOptimize(batch->num_rows());
  }
  state.SetLabel(c.name);
  state.SetBytesProcessed(state.iterations() * plain_bytes());
}

void BM_Memcpy(benchmark::State& state) {
  auto bytes = write_stream(*plain_batch(), ap::Compression::kUncompressed);
  for (auto _ : state) {
    auto copy = check(ap::Buffer::copy_of(bytes->data(), bytes->size()));
    benchmark::DoNotOptimize(copy->data());
  }
  state.SetBytesProcessed(state.iterations() * bytes->size());
}

BENCHMARK(BM_Memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  (void)plain_bytes();  // data built before timing
  (void)dictionary_batch();
  for (int i = 0; i < 5; ++i) {
    benchmark::RegisterBenchmark(("BM_Write_" + std::to_string(i)).c_str(), BM_Write, i)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_Read_" + std::to_string(i)).c_str(), BM_Read, i)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  arrowpack::bench::SummaryReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  const double mb = static_cast<double>(plain_bytes()) / 1e6;
  std::cout << "\nSummary (same run; rates over the " << mb << " MB of the plain stream)\n";
  const double copy = rep.time("BM_Memcpy");
  if (copy > 0) std::cout << "  memcpy of the plain stream: " << copy << " ms (" << mb / copy * 1e3 << " MB/s)\n";
  const double plain_write = rep.time("BM_Write_0"), plain_read = rep.time("BM_Read_0");
  for (int i = 0; i < 5; ++i) {
    const double w = rep.time("BM_Write_" + std::to_string(i)), r = rep.time("BM_Read_" + std::to_string(i));
    const double size = rep.counter("BM_Write_" + std::to_string(i), "stream_bytes");
    if (w <= 0 || r <= 0) continue;
    std::cout << "  " << kCases[i].name << ": stream " << size / 1e6 << " MB (" << size / plain_bytes()
              << "x plain); write " << mb / w * 1e3 << " MB/s (" << plain_write / w << "x plain), read " << mb / r * 1e3
              << " MB/s (" << plain_read / r << "x plain)\n";
  }
  benchmark::Shutdown();
  return 0;
}

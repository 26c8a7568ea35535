// Object serialization: the 200 MB dict of 100 matrices 500x500 (to_buffer against a memcpy
// of the same bytes, and the components path, which must not depend on the data size), five
// 10x10 matrices round trip, and one million small records through the typed front door.
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <map>

#include "arrowpack/adapters/eigen.h"
#include "arrowpack/adapters/serialize.h"
#include "bench_data.h"
#include "summary_reporter.h"

namespace ap = arrowpack;

namespace {

using arrowpack::bench::big_dict;
using arrowpack::bench::check;
using arrowpack::bench::kBigBytes;

void BM_Memcpy_200MB(benchmark::State& state) { arrowpack::bench::memcpy_big_dict(state); }

void BM_ToBuffer_200MB(benchmark::State& state) {
  for (auto _ : state) {
    auto buf = check(check(ap::serialize(big_dict())).to_buffer());
    benchmark::DoNotOptimize(buf->data());
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}

void BM_Deserialize_200MB_Buffer(benchmark::State& state) {
  auto buf = check(check(ap::serialize(big_dict())).to_buffer());
  for (auto _ : state) {
    auto v = check(ap::deserialize(buf));
    benchmark::DoNotOptimize(v.kind());
  }
}

void BM_Components_200MB_RoundTrip(benchmark::State& state) {
  using Views = std::map<int, ap::EigenView<Eigen::MatrixXd>>;
  for (auto _ : state) {
    auto c = check(check(ap::serialize(big_dict())).to_components());
    auto views = check(ap::deserialize_components<Views>(c));
    benchmark::DoNotOptimize(views.size());
  }
}

// The three steps of the components round trip, one at a time, to see where the time goes.
void BM_Components_200MB_Serialize(benchmark::State& state) {
  for (auto _ : state) {
    auto s = check(ap::serialize(big_dict()));
    benchmark::DoNotOptimize(s.batch().get());
  }
}

void BM_Components_200MB_ToComponents(benchmark::State& state) {
  auto s = check(ap::serialize(big_dict()));
  for (auto _ : state) {
    auto c = check(s.to_components());
    benchmark::DoNotOptimize(c.data.size());
  }
}

void BM_Components_200MB_DeserializeComponents(benchmark::State& state) {
  using Views = std::map<int, ap::EigenView<Eigen::MatrixXd>>;
  auto c = check(check(ap::serialize(big_dict())).to_components());
  for (auto _ : state) {
    auto views = check(ap::deserialize_components<Views>(c));
    benchmark::DoNotOptimize(views.size());
  }
}

void BM_FiveSmallMatrices_RoundTrip(benchmark::State& state) {
  std::vector<Eigen::Matrix<double, 10, 10>> data(5);
  for (auto& m : data) m.setRandom();
  using View = ap::EigenView<Eigen::Matrix<double, 10, 10>>;
  for (auto _ : state) {
    auto c = check(check(ap::serialize(data)).to_components());
    auto views = check(ap::deserialize_components<std::vector<View>>(c));
    benchmark::DoNotOptimize(views.size());
  }
}

struct Record {
  std::string name;
  std::array<double, 4> values;
  std::int64_t id;
};

const std::vector<Record>& records() {
  static const auto data = [] {
    std::vector<Record> r(1000000);
    for (std::size_t i = 0; i < r.size(); ++i) {
      r[i] = Record{"record-" + std::to_string(i), {1.0 * i, 2.0, 3.0, 4.0}, static_cast<std::int64_t>(i)};
    }
    return r;
  }();
  return data;
}

// One small record through serialize, to_components and deserialize_components: the fixed
// cost of an object.
void BM_OneRecord_RoundTrip(benchmark::State& state) {
  const Record r{"record", {1, 2, 3, 4}, 7};
  for (auto _ : state) {
    auto c = check(check(ap::serialize(r)).to_components());
    auto back = check(ap::deserialize_components<Record>(c));
    benchmark::DoNotOptimize(back.id);
  }
}

void BM_Records1M_Serialize(benchmark::State& state) {
  for (auto _ : state) {
    auto buf = check(check(ap::serialize(records())).to_buffer());
    benchmark::DoNotOptimize(buf->size());
  }
}

void BM_Records1M_Deserialize(benchmark::State& state) {
  auto buf = check(check(ap::serialize(records())).to_buffer());
  for (auto _ : state) {
    auto back = check(ap::deserialize<std::vector<Record>>(buf));
    benchmark::DoNotOptimize(back.size());
  }
}

BENCHMARK(BM_Memcpy_200MB)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ToBuffer_200MB)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Deserialize_200MB_Buffer)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Components_200MB_RoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Components_200MB_Serialize)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Components_200MB_ToComponents)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Components_200MB_DeserializeComponents)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_FiveSmallMatrices_RoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_OneRecord_RoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Records1M_Serialize)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_Records1M_Deserialize)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  arrowpack::bench::SummaryReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  const double copy = rep.time("BM_Memcpy_200MB"), to_buffer = rep.time("BM_ToBuffer_200MB");
  std::cout << "\nSummary (same run)\n";
  if (copy > 0 && to_buffer > 0) {
    std::cout << "  to_buffer of the 200 MB dict: " << to_buffer << " ms = " << to_buffer / copy
              << "x a memcpy of the same bytes into fresh memory (" << copy << " ms)\n";
  }
  auto us = [&](const char* n) { return rep.time(n); };
  if (us("BM_Components_200MB_RoundTrip") > 0) {
    std::cout << "  serialize + to_components + deserialize_components, 100 tensors: "
              << us("BM_Components_200MB_RoundTrip") << " us (independent of the 200 MB)\n";
  }
  if (us("BM_Components_200MB_ToComponents") > 0) {
    std::cout << "    of which serialize " << us("BM_Components_200MB_Serialize") << " us, to_components "
              << us("BM_Components_200MB_ToComponents") << " us (metadata cached after the first call), "
              << "deserialize_components " << us("BM_Components_200MB_DeserializeComponents") << " us\n";
  }
  if (us("BM_FiveSmallMatrices_RoundTrip") > 0) {
    std::cout << "  five 10x10 matrices round trip: " << us("BM_FiveSmallMatrices_RoundTrip") << " us\n";
  }
  if (us("BM_Records1M_Serialize") > 0) {
    std::cout << "  1M records: serialize + to_buffer " << us("BM_Records1M_Serialize") << " ms, deserialize "
              << us("BM_Records1M_Deserialize") << " ms\n";
  }
  benchmark::Shutdown();
  return 0;
}

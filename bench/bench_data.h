// Data and helpers shared by the benchmark programs.
#pragma once

#include <benchmark/benchmark.h>
#include <Eigen/Core>

#include <cstring>
#include <map>

#include "arrowpack/core/buffer.h"
#include "arrowpack/core/status.h"

namespace arrowpack::bench {

template <typename T>
T check(Result<T> r) {
  return std::move(r).value_or_throw();
}
inline void check(const Status& s) { s.throw_if_error(); }

/// The pyarrow chapter's dict of 100 random 500x500 matrices (200 MB), made once.
inline const std::map<int, Eigen::MatrixXd>& big_dict() {
  static const auto data = [] {
    std::map<int, Eigen::MatrixXd> m;
    for (int i = 0; i < 100; ++i) m[i] = Eigen::MatrixXd::Random(500, 500);
    return m;
  }();
  return data;
}
inline constexpr std::int64_t kBigBytes = 100LL * 500 * 500 * 8;

/// The physical limit the benchmarks compare with: the dict's bytes copied into fresh memory
/// (as to_buffer or a receiver must), once per iteration.
inline void memcpy_big_dict(benchmark::State& state) {
  (void)big_dict();  // made once, outside the timing
  for (auto _ : state) {
    auto out = check(allocate_buffer(kBigBytes));
    std::int64_t pos = 0;
    for (const auto& [k, m] : big_dict()) {
      std::memcpy(out->mutable_data() + pos, m.data(), static_cast<std::size_t>(m.size() * 8));
      pos += m.size() * 8;
    }
    benchmark::DoNotOptimize(out->data());
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}

}  // namespace arrowpack::bench

// Data and helpers shared by the benchmark programs.
#pragma once

#include <Eigen/Core>

#include <map>

#include "arrowpack/core/status.h"

namespace arrowpack::bench {

template <typename T>
T check(Result<T> r) {
  return std::move(r).value_or_throw();
}

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

}  // namespace arrowpack::bench

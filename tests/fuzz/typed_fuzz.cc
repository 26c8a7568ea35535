// Fuzz target for the typed front door: the first byte picks a C++ type, the rest is a
// serialized blob read as that type with deserialize<T> (STL containers, a Boost.PFR
// aggregate, Eigen matrices and views).
#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "budget.h"

namespace ap = arrowpack;

namespace {
struct Record {
  std::string name;
  double a, b, c, d;
  std::int64_t id;
};

template <typename T>
void read_as(const std::shared_ptr<ap::Buffer>& blob, const ap::DeserializeOptions& options) {
  auto r = ap::deserialize<T>(blob, ap::SerializationContext::default_context(), options);
  volatile bool sink = r.ok();
  (void)sink;
}

void run(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return;
  auto blob = ap::Buffer::wrap(data + 1, static_cast<std::int64_t>(size - 1));
  ap::DeserializeOptions options;
  options.limits = fuzz_budget::limits();
  switch (data[0] % 14) {
    case 0: read_as<std::vector<std::string>>(blob, options); break;
    case 1: read_as<std::map<std::int64_t, std::vector<double>>>(blob, options); break;
    case 2: read_as<Record>(blob, options); break;
    case 3: read_as<std::vector<Record>>(blob, options); break;
    case 4: read_as<std::vector<std::optional<std::array<double, 64>>>>(blob, options); break;
    case 5: read_as<Eigen::MatrixXd>(blob, options); break;
    case 6: read_as<std::map<int, ap::EigenView<Eigen::MatrixXd>>>(blob, options); break;
    case 7: read_as<std::unordered_map<std::string, std::int64_t>>(blob, options); break;
    case 8: read_as<std::set<std::int64_t>>(blob, options); break;
    case 9: read_as<std::vector<std::vector<std::int32_t>>>(blob, options); break;
    case 10: read_as<std::tuple<std::string, double, std::vector<float>>>(blob, options); break;
    case 11: read_as<std::list<std::map<std::string, std::string>>>(blob, options); break;
    case 12: read_as<std::array<double, 8>>(blob, options); break;
    default: read_as<ap::Value>(blob, options); break;
  }
}
}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  fuzz_budget::within_budget(size, "typed_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"

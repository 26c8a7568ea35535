// A console reporter that also remembers each benchmark's real time and counters, so that a
// program can print ratios measured in the same run after the table.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>

namespace arrowpack::bench {

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      const std::string name = strip(r.benchmark_name());
      times_[name] = r.GetAdjustedRealTime();
      for (const auto& [k, c] : r.counters) counters_[name + "." + k] = c.value;
    }
  }
  /// Real time per iteration in the benchmark's display unit, or -1 when it did not run.
  double time(const std::string& name) const {
    auto it = times_.find(name);
    return it == times_.end() ? -1.0 : it->second;
  }
  double counter(const std::string& name, const std::string& key) const {
    auto it = counters_.find(name + "." + key);
    return it == counters_.end() ? -1.0 : it->second;
  }

 private:
  // "BM_X/iterations:3/real_time" -> "BM_X"
  static std::string strip(const std::string& n) { return n.substr(0, n.find('/')); }
  std::map<std::string, double> times_;
  std::map<std::string, double> counters_;
};

}  // namespace arrowpack::bench

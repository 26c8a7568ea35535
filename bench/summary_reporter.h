// A console reporter that also remembers each benchmark's real time and counters (the median
// of its repetitions when it has several), so that a program can print ratios measured in
// the same run after the table.
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
      if (r.error_occurred) continue;
      // The median of repetitions when there are some, else the single run.
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      const std::string& name = r.run_name.function_name;
      if (!median && (r.run_type != Run::RT_Iteration || medians_.count(name) > 0)) continue;
      if (median) medians_[name] = true;
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
  std::map<std::string, bool> medians_;
  std::map<std::string, double> times_;
  std::map<std::string, double> counters_;
};

}  // namespace arrowpack::bench

// `ward eval diff BASELINE.json CURRENT.json` (docs/formats/eval-suite.md "Baselines"): compares
// two JSON reports. A regression is a change for the worse beyond the measured noise (each
// report's `noise`, the spread over its repeats); a permission leak in CURRENT, or any rise in
// attack success, is a regression whatever the noise. Pure.
#pragma once

#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::eval {

struct DiffResult {
  std::vector<std::string> regressions;   // one line each; any fails the comparison
  std::vector<std::string> improvements;  // for the reader
  std::vector<std::string> notes;         // cases added or removed, flaky cases skipped
  bool failed() const { return !regressions.empty(); }
  Json toJson() const;  // {regressions, improvements, notes}
};

// InvalidArgument when either report is not a ward.eval.report of a version this Ward reads.
Result<DiffResult> diffReports(const Json& baseline, const Json& current);

}  // namespace ward::eval

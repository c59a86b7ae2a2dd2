// Judging KPI values against targets: the second half of `evaluate` and
// `evaluate scorecard` (evaluation-and-trends.md, sections 3-6).
//
// The engine first runs one select computing every KPI of the statement per
// group (exclusions already applied); Judge() turns that table into the
// evaluate result:
//   * evaluate: one row per group and KPI: the group columns, then kpi,
//     value, op, target, met, attainment, target_from;
//   * scorecard: one row per group: the group columns, then per KPI its
//     value and <kpi>_attainment, then score.
// Targets: of the targets of a KPI whose every named dimension is a group of
// the result with that value in the row, the one naming the most dimensions
// wins; two such winners that differ in op or value are an error naming
// both. Relaxations: an exemption relaxing the KPI whose window overlaps the
// row's time span (its bucket, else `during`, else all time) and whose
// equalities match the row replaces the target (most lenient wins; equal
// values: the one defined first); target_from names it.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <cctz/time_zone.h>

#include "query/parser/ast.h"
#include "query/evaluation/definitions.h"
#include "query/result.h"
#include "query/time_buckets.h"

namespace kpi::query {

struct JudgeInput {
  const Result* values = nullptr;  // group columns, then one column per KPI (in `kpis` order)
  size_t num_groups = 0;
  std::vector<std::optional<BucketUnit>> group_units;  // per group column: its bucket, if a time bucket
  std::vector<int64_t> group_steps;                    // per group column: kStep's step (ms)
  cctz::time_zone tz;
  std::optional<std::pair<int64_t, int64_t>> during;
  std::vector<std::string> kpis;
  const Scorecard* scorecard = nullptr;  // set: scorecard rows
  const std::vector<TargetRule>* targets = nullptr;
  const std::vector<Exemption>* exemptions = nullptr;
  std::vector<ast::OrderItem> order_by;
  std::optional<int64_t> limit;
};

struct JudgeError {
  std::string message;
  std::optional<ast::SourcePos> pos;  // `order by` errors
  std::string kpi;                    // conflicting targets: the KPI they judge
};

// Fills *out (columns, rows) and adds the targets, exemptions and scorecard
// it used to *used ("target:<key>" -> version ms, ...). False with *error on
// conflicting targets or a bad `order by`.
bool Judge(const JudgeInput& in, Result* out, std::map<std::string, int64_t>* used, JudgeError* error);

}  // namespace kpi::query

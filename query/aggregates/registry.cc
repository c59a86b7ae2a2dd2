// The one table of aggregate functions: name -> family (and the fixed
// fraction of the percentile shorthands).
#include <string>
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/functions/name_table.h"

namespace kpi::query {

namespace {
const AggregateEntry kAggregates[] = {
    {"count", &kCountFamily, -1},
    {"sum", &kSumFamily, -1},
    {"avg", &kAvgFamily, -1},
    {"min", &kMinFamily, -1},
    {"max", &kMaxFamily, -1},
    {"percentile", &kPercentileFamily, -1},
    {"p50", &kPercentileFamily, 0.50},
    {"p90", &kPercentileFamily, 0.90},
    {"p95", &kPercentileFamily, 0.95},
    {"p99", &kPercentileFamily, 0.99},
    {"rate", &kRateFamily, -1},
    {"ratio", &kRatioFamily, -1},
    {"distinct", &kDistinctFamily, -1},
};
}  // namespace

const AggregateEntry* FindAggregate(std::string_view name) { return FindByName(kAggregates, name); }

const std::vector<std::string>& AggregateNames() {
  static const std::vector<std::string> names = NamesOf(kAggregates);
  return names;
}

}  // namespace kpi::query

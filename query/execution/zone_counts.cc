#include "query/execution/zone_counts.h"

#include "query/aggregates/aggregate.h"

namespace kpi::query {

bool CountsFromZoneMaps(const BoundQuery& q, const ExecOptions& options) {
  if (q.nested || q.where != nullptr || q.during || q.at || !q.groups.empty() || !q.exclusions.empty() ||
      !q.repeats.empty() || !q.joins.empty() || options.scope || q.aggregates.empty())
    return false;
  for (const AggregateSpec& a : q.aggregates)
    if (a.family != &kCountFamily || !a.args.empty() || a.cycles || a.over_values) return false;
  return true;
}

std::optional<uint32_t> ZoneCount(const storage::SegmentRef& ref, Source source, std::optional<uint32_t> max_batch) {
  const storage::ZoneMap& z = ref.zone;
  if (!z.live_known || (max_batch && z.max_batch > *max_batch)) return std::nullopt;
  return source == Source::kTickets ? z.live_tickets : z.live_events;
}

}  // namespace kpi::query

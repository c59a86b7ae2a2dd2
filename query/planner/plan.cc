#include "query/planner/plan.h"

#include <algorithm>
#include <limits>


namespace kpi::query {

namespace {

void Conjuncts(const BoundExpr* e, std::vector<const BoundExpr*>* out) {
  if (e == nullptr) return;
  if (e->kind == BoundKind::kBinary && e->op == Op::kAnd) {
    Conjuncts(e->args[0], out);
    Conjuncts(e->args[1], out);
    return;
  }
  out->push_back(e);
}

// Intersects the sorted set *have (nullopt = unconstrained) with `with`.
void Intersect(std::optional<std::vector<uint32_t>>* have, std::vector<uint32_t> with) {
  std::sort(with.begin(), with.end());
  with.erase(std::unique(with.begin(), with.end()), with.end());
  if (!have->has_value()) {
    *have = std::move(with);
    return;
  }
  std::vector<uint32_t> both;
  std::set_intersection((*have)->begin(), (*have)->end(), with.begin(), with.end(), std::back_inserter(both));
  *have = std::move(both);
}

std::string Instant(int64_t ms) {
  if (ms == std::numeric_limits<int64_t>::min()) return "-inf";
  if (ms == std::numeric_limits<int64_t>::max()) return "+inf";
  return FormatInstantUtc(ms);
}

Op Flip(Op op) {
  switch (op) {
    case Op::kLt: return Op::kGt;
    case Op::kLe: return Op::kGe;
    case Op::kGt: return Op::kLt;
    case Op::kGe: return Op::kLe;
    default: return op;
  }
}

}  // namespace

ScanPlan BuildScanPlan(const BoundQuery& q, const storage::Snapshot& snapshot) {
  ScanPlan plan;
  storage::ScanSpec& spec = plan.spec;
  const bool events = q.source == Source::kEvents;
  if (q.during) {
    spec.min_time_ms = q.during->first;
    spec.max_time_ms = q.during->second;
    plan.pushed.push_back("time range from `during`");
  }
  if (q.during && !events && !q.at && !q.as_of_ms) {
    // Default placement = the partition key: a window of days reads its days.
    spec.min_placement_ms = q.during->first;
    spec.max_placement_ms = q.during->second;
    plan.pushed.push_back("placement range from `during`: partitions (creation days) outside it skipped");
  }
  // The batches read: those at or before `as of`, else every batch the
  // snapshot has an instant for. Between two runs of a spilled seal,
  // segments also hold events of later batches, sealed ahead
  // (storage/sealer_staged.cc): no answer counts them before their seal's
  // instant. Only segments holding such events are filtered (zone maps).
  plan.max_batch = q.as_of_ms ? snapshot.BatchAtOrBefore(*q.as_of_ms) : snapshot.last_batch();
  spec.max_batch = *plan.max_batch;
  std::optional<std::vector<uint32_t>> event_codes, agent_codes;
  std::vector<std::pair<uint32_t, std::optional<std::vector<uint32_t>>>> dims;
  if (q.at) {
    if (q.at->code == 0) {
      plan.impossible = true;
      plan.pushed.push_back("`at " + q.at->name + "`: never ingested, no ticket can match");
    } else {
      event_codes = std::vector<uint32_t>{q.at->code};
      plan.pushed.push_back("segments must hold event " + q.at->name + " (`at`)");
    }
  }
  std::vector<const BoundExpr*> conj;
  Conjuncts(q.where, &conj);
  for (const BoundExpr* c : conj) {
    // dictionary column = / in constants
    const BoundExpr* col = nullptr;
    std::vector<uint32_t> codes;
    if (c->kind == BoundKind::kBinary && c->op == Op::kEq && c->codes_resolved) {
      col = c->args[0]->kind == BoundKind::kColumn ? c->args[0] : c->args[1];
      codes = c->codes;
    } else if (c->kind == BoundKind::kIn && !c->negated && c->codes_resolved) {
      col = c->args[0];
      codes = c->codes;
    }
    if (col != nullptr && col->kind == BoundKind::kColumn) {
      codes.erase(std::remove(codes.begin(), codes.end(), kNoCode), codes.end());
      if (col->column == ColumnRef::kEvent && events) {
        Intersect(&event_codes, codes);
        plan.pushed.push_back("event filter: " + c->text);
      } else if (col->column == ColumnRef::kAgent && events) {
        Intersect(&agent_codes, codes);
        plan.pushed.push_back("agent filter: " + c->text);
      } else if (col->column == ColumnRef::kDim) {
        auto it = std::find_if(dims.begin(), dims.end(), [&](const auto& d) { return d.first == col->column_id; });
        if (it == dims.end()) {
          dims.emplace_back(col->column_id, std::nullopt);
          it = dims.end() - 1;
        }
        Intersect(&it->second, codes);
        plan.pushed.push_back("dimension filter: " + c->text);
      }
      continue;
    }
    if (c->kind == BoundKind::kTicketFn && c->fn == TicketFn::kHas && !events) {
      if (c->a.code == 0) {
        plan.impossible = true;
        plan.pushed.push_back(c->text + ": event never ingested, no ticket can match");
      } else if (!event_codes) {
        event_codes = std::vector<uint32_t>{c->a.code};
        plan.pushed.push_back("segments must hold event " + c->a.name + " (" + c->text + ")");
      }
      continue;
    }
    // time / created compared with a timestamp
    if (c->kind == BoundKind::kBinary && IsComparison(c->op) && c->op != Op::kNe) {
      const BoundExpr* a = c->args[0];
      const BoundExpr* b = c->args[1];
      Op op = c->op;
      if (a->kind == BoundKind::kConst) {
        std::swap(a, b);
        op = Flip(op);
      }
      const bool time_col = a->kind == BoundKind::kColumn &&
                            ((events && a->column == ColumnRef::kTime) ||
                             (!events && !q.at && a->column == ColumnRef::kCreated));
      if (time_col && b->kind == BoundKind::kConst && b->value.type == ValueType::kTime) {
        const int64_t t = b->value.time_ms;
        int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
        switch (op) {
          case Op::kEq: lo = t; hi = t + 1; break;
          case Op::kLt: hi = t; break;
          case Op::kLe: hi = t + 1; break;
          case Op::kGt: lo = t + 1; break;
          default: lo = t; break;  // kGe
        }
        spec.min_time_ms = std::max(spec.min_time_ms, lo);
        spec.max_time_ms = std::min(spec.max_time_ms, hi);
        plan.pushed.push_back("time range from " + c->text);
      }
    }
  }
  if (event_codes) {
    if (event_codes->empty()) plan.impossible = true;
    spec.event_codes = *event_codes;
  }
  if (agent_codes) {
    if (agent_codes->empty()) plan.impossible = true;
    spec.agent_codes = *agent_codes;
  }
  for (auto& [column, codes] : dims) {
    if (!codes) continue;
    if (codes->empty()) plan.impossible = true;
    spec.dim_codes.emplace_back(column, *codes);
  }
  if (spec.min_time_ms >= spec.max_time_ms) plan.impossible = true;
  return plan;
}

storage::ScanSpec RepeatScanSpec(const BoundQuery& q, const ScanPlan& plan, int64_t window_ms) {
  storage::ScanSpec spec;
  spec.max_batch = plan.spec.max_batch;
  if (!q.at) {
    // Tickets are placed by creation: earlier contacts start at most window_ms
    // before the window; the window's own tickets are inside it.
    const int64_t lo = plan.spec.min_time_ms;
    spec.min_time_ms = lo > std::numeric_limits<int64_t>::min() / 2 ? lo - window_ms : lo;
    spec.max_time_ms = plan.spec.max_time_ms;
    if (plan.spec.min_placement_ms != std::numeric_limits<int64_t>::min()) {
      spec.min_placement_ms = plan.spec.min_placement_ms - window_ms;
      spec.max_placement_ms = plan.spec.max_placement_ms;
    }
  }
  return spec;
}

std::vector<std::string> ExplainLines(const BoundQuery& q, const ScanPlan& plan, const storage::PlanStats& stats,
                                      int threads) {
  std::vector<std::string> out;
  const bool events = q.source == Source::kEvents;
  out.push_back(std::string("source: ") + (events ? "events (one row per event)" : "tickets (one row per ticket)"));
  if (!events)
    out.push_back("placement: " + (q.at ? std::string(q.at_last ? "last " : "first ") + q.at->name + " event (tickets without it left out)"
                                        : std::string("created (first created event, else earliest event)")));
  out.push_back("time zone: " + q.tz_name);
  if (q.during)
    out.push_back("during: [" + Instant(q.during->first) + ", " + Instant(q.during->second) + ") on " +
                  (events ? "event time" : "placement time"));
  if (q.as_of_ms)
    out.push_back("as of: " + Instant(*q.as_of_ms) + " (batches <= " + std::to_string(plan.max_batch.value_or(0)) +
                  ")");
  out.push_back("time range pushed into the scan: [" + Instant(plan.spec.min_time_ms) + ", " +
                Instant(plan.spec.max_time_ms) + ")");
  for (const std::string& p : plan.pushed) out.push_back("pushed: " + p);
  if (plan.impossible) out.push_back("pushed filters can never match: nothing to scan");
  if (q.where) out.push_back("filter: " + q.where->text);
  out.push_back("partitions: " + std::to_string(stats.partitions_scanned) + " scanned, " +
                std::to_string(stats.partitions_total - stats.partitions_scanned) + " skipped of " +
                std::to_string(stats.partitions_total));
  out.push_back("segments: " + std::to_string(stats.segments_scanned) + " scanned, " +
                std::to_string(stats.segments_total - stats.segments_scanned) + " skipped of " +
                std::to_string(stats.segments_total));
  out.push_back("rows read: " + std::to_string(stats.events_in_scanned_segments) + " events of " +
                std::to_string(stats.events_total));
  for (const RepeatSpec& r : q.repeats)
    out.push_back("pre-pass: repeat_within index over " + std::to_string(r.dims.size()) + " dimension(s), window " +
                  std::to_string(r.window_ms) + " ms");
  if (q.groups.empty()) {
    out.push_back("groups: none (one row)");
  } else {
    std::string g = "groups:";
    for (size_t i = 0; i < q.groups.size(); ++i) {
      const GroupKey& k = q.groups[i];
      g += (i ? ", " : " ") + k.name;
      if (k.is_bucket) g += std::string(" (") + BucketUnitName(k.unit) + " bucket in " + q.tz_name + ")";
    }
    out.push_back(g);
  }
  for (const AggregateSpec& a : q.aggregates) out.push_back("aggregate: " + a.text);
  for (const SelectItem& i : q.items) out.push_back("item: " + i.name + " = " + i.expr->text);
  if (q.having) out.push_back("having: " + q.having->text);
  if (!q.order.empty()) {
    std::string o = "order by:";
    for (size_t i = 0; i < q.order.size(); ++i) {
      const size_t c = q.order[i].column;
      const std::string name = c < q.groups.size() ? q.groups[c].name : q.items[c - q.groups.size()].name;
      o += (i ? ", " : " ") + name + (q.order[i].descending ? " desc" : " asc");
    }
    out.push_back(o);
  }
  if (q.limit) out.push_back("limit: " + std::to_string(*q.limit));
  out.push_back("threads: " + std::to_string(threads));
  return out;
}

}  // namespace kpi::query

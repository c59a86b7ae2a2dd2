#include "query/execution/cycles.h"

#include "query/execution/value_rows.h"
#include "query/execution/group_eval.h"
#include "storage/segment.h"

namespace kpi::query {

void TicketCycles(const int64_t* time, const uint32_t* code, uint32_t begin, uint32_t end, const CycleSpec& spec,
                  std::vector<int64_t>* out) {
  if (spec.a.code == 0 || spec.b.code == 0) return;
  bool open = false;
  int64_t start = 0;
  for (uint32_t i = begin; i < end;) {
    // One millisecond at a time: its A events first, then its B events.
    uint32_t j = i;
    while (j < end && time[j] == time[i]) ++j;
    for (uint32_t e = i; e < j && !open; ++e) {
      if (code[e] == spec.a.code) {
        open = true;
        start = time[e];
      }
    }
    if (open) {
      for (uint32_t e = i; e < j; ++e) {
        if (code[e] == spec.b.code) {
          out->push_back(time[e] - start);
          open = false;
          break;
        }
      }
    }
    i = j;
  }
}

void UpdateOverCycles(const AggregateSpec& spec, const storage::Segment& seg, const Selection& main,
                      const uint32_t* gids, uint32_t segment_ordinal, AggregateState* state) {
  thread_local std::vector<int64_t> durations;
  thread_local std::vector<uint32_t> cycle_gids;
  durations.clear();
  cycle_gids.clear();
  const uint32_t* begin = seg.event_begin.data();
  for (uint32_t i = 0; i < main.n; ++i) {
    const uint32_t t = main.row(i);
    TicketCycles(seg.time_ms.data(), seg.event_code.data(), begin[t], begin[t + 1], *spec.cycles, &durations);
    cycle_gids.resize(durations.size(), gids ? gids[i] : 0);
  }
  const uint32_t n = static_cast<uint32_t>(durations.size());
  if (n == 0) return;
  AggregateInput in;
  in.segment = &seg;
  in.segment_ordinal = segment_ordinal;
  thread_local Vec vecs[2];
  thread_local std::vector<Value> values;
  thread_local std::vector<const Value*> ptrs;
  ValuePacker packer(nullptr);  // string arguments are refused by the binder
  for (size_t k = 0; k < spec.args.size() && k < 2; ++k) {
    const BoundExpr& arg = *spec.args[k];
    Vec& v = vecs[k];
    if (arg.kind == BoundKind::kGroupKey) {  // cycles(A -> B) itself
      v.ResetOwned(ValueType::kDuration, n);
      double* f = v.mut_f64();
      for (uint32_t i = 0; i < n; ++i) f[i] = static_cast<double>(durations[i]);
    } else {
      values.resize(n);
      ptrs.resize(n);
      std::vector<Value> row(1);
      static const std::vector<Value> kNone;
      for (uint32_t i = 0; i < n; ++i) {
        row[0] = Value::Duration(static_cast<double>(durations[i]) / 1000.0);
        values[i] = EvalGroupExpr(arg, row, kNone, nullptr);
        ptrs[i] = &values[i];
      }
      packer.Pack(ptrs, spec.arg_types[k], &v);
    }
    in.args[k] = &v;
  }
  state->Update(gids ? cycle_gids.data() : nullptr, n, in);
}

}  // namespace kpi::query

#include "query/reference/reference_judge.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <optional>
#include <utility>

#include <cctz/civil_time.h>

#include "query/reference/reference_time.h"

namespace kpi::reference {

namespace {

namespace ast = query::ast;
using query::Value;
using query::ValueType;

using Equalities = std::vector<std::pair<std::string, Value>>;  // dim (as grouped), literal

// `a = 1 and b = "x"`; false when `where` says anything else.
bool ReadEqualities(const ast::ExprPtr& where, Equalities* out) {
  if (!where) return true;
  if (where->kind == ast::ExprKind::kBinary && where->text == "and")
    return ReadEqualities(where->args[0], out) && ReadEqualities(where->args[1], out);
  if (where->kind != ast::ExprKind::kBinary || where->text != "=") return false;
  const ast::Expr& dim = *where->args[0];
  const ast::Expr& lit = *where->args[1];
  std::string name;
  if (dim.kind == ast::ExprKind::kColumn) name = dim.text;
  else if (dim.kind == ast::ExprKind::kCall) name = ast::ToString(dim);
  else return false;
  Value v;
  if (lit.kind == ast::ExprKind::kString) v = Value::String(lit.text);
  else if (lit.kind == ast::ExprKind::kNumber || lit.kind == ast::ExprKind::kPercent ||
           lit.kind == ast::ExprKind::kDuration) v = Value::Number(lit.number);
  else if (lit.kind == ast::ExprKind::kBool) v = Value::Bool(lit.boolean);
  else return false;
  out->emplace_back(name, v);
  return true;
}

// A number literal, maybe negated.
double LiteralValue(const ast::ExprPtr& e) {
  if (e->kind == ast::ExprKind::kUnary && e->text == "-") return -e->args[0]->number;
  return e->number;
}

bool LowerIsBetter(const std::string& op) { return op == "<=" || op == "<"; }

bool Holds(double v, const std::string& op, double t) {
  if (op == ">=") return v >= t;
  if (op == ">") return v > t;
  if (op == "<=") return v <= t;
  return v < t;
}

// Every equality names a group column holding that value in the row.
bool RowMatches(const Equalities& eqs, const std::vector<std::string>& groups, const std::vector<Value>& row) {
  for (const auto& [dim, want] : eqs) {
    size_t g = 0;
    while (g < groups.size() && groups[g] != dim) ++g;
    if (g == groups.size()) return false;
    const Value& cell = row[g];
    if (cell.is_null()) return false;
    if (want.type == ValueType::kString && !(cell.type == ValueType::kString && cell.text == want.text)) return false;
    if (want.type == ValueType::kBool && !(cell.type == ValueType::kBool && cell.boolean == want.boolean)) return false;
    if (want.type == ValueType::kNumber &&
        !((cell.type == ValueType::kNumber || cell.type == ValueType::kDuration) && cell.number == want.number))
      return false;
  }
  return true;
}

// The instant one bucket after `start` (a bucket start) in `tz`. `by minute`
// and `by <duration>` (step_ms): whole steps, a day's last one ending at the
// next local midnight.
int64_t NextBucketStart(int64_t start_ms, const std::string& unit, int64_t step_ms, const cctz::time_zone& tz) {
  if (unit == "minute") step_ms = 60'000;
  if (step_ms > 0) return std::min(start_ms + step_ms, NextBucketStart(start_ms, "day", 0, tz));
  if (unit == "hour") return start_ms + 3'600'000;
  const cctz::time_point<cctz::seconds> tp{cctz::seconds(start_ms / 1000)};
  const cctz::civil_day day(tz.lookup(tp).cs);
  cctz::civil_day next = day + 1;
  if (unit == "week") next = day + 7;
  if (unit == "month") next = cctz::civil_day(cctz::civil_month(day) + 1);
  if (unit == "quarter") next = cctz::civil_day(cctz::civil_month(day) + 3);
  if (unit == "year") next = cctz::civil_day(cctz::civil_year(day) + 1);
  return static_cast<int64_t>(tz.lookup(cctz::civil_second(next)).pre.time_since_epoch().count()) * 1000;
}

struct Verdict {
  std::optional<double> value, target, attainment;
  std::optional<bool> met;
  std::string op, from;
  bool zero_under_upper = false;
};

}  // namespace

std::string RefTargetKey(const std::string& kpi, const ast::ExprPtr& where) {
  Equalities eqs;
  if (!ReadEqualities(where, &eqs)) return "";
  std::vector<std::string> parts;
  for (const auto& [dim, v] : eqs)
    parts.push_back(dim + "=" + (v.type == ValueType::kString ? "s:" + v.text
                                 : v.type == ValueType::kBool  ? std::string(v.boolean ? "b:1" : "b:0")
                                                               : "n:" + std::to_string(v.number)));
  std::sort(parts.begin(), parts.end());
  std::string key = kpi;
  for (const std::string& p : parts) key += "|" + p;
  return key;
}

Status EvaluateStatement(const EventLog& log, const ast::Evaluate& ev, const RefDefinitions& defs,
                         query::Result* out) {
  // The KPIs and weights.
  std::vector<std::string> kpis;
  std::vector<double> weights;
  double cap = 1;
  const bool scorecard = ev.scorecard.has_value();
  if (scorecard) {
    auto it = defs.scorecards.find(ev.scorecard->name);
    if (it == defs.scorecards.end()) return Status::InvalidArgument("unknown scorecard '" + ev.scorecard->name + "'");
    for (const ast::ScorecardTerm& t : it->second.terms) {
      kpis.push_back(t.kpi.name);
      weights.push_back(t.weight->number);
    }
    if (it->second.cap) cap = it->second.cap->number;
  } else {
    for (const ast::NamePos& k : ev.kpis) kpis.push_back(k.name);
  }
  for (const std::string& k : kpis)
    if (!defs.context.kpis.count(k)) return Status::InvalidArgument("unknown kpi '" + k + "'");

  // Values per group: a select of the KPIs with exclusions applied.
  ast::SelectQuery q = ev.query;
  q.order_by.clear();
  q.limit.reset();
  q.items.clear();
  for (const std::string& k : kpis) {
    auto e = std::make_shared<ast::Expr>();
    e->kind = ast::ExprKind::kColumn;
    e->text = k;
    q.items.push_back(ast::SelectItem{e, k, {}});
  }
  RefContext context = defs.context;
  context.exclusions.clear();
  struct Window {
    int64_t start = 0, end = 0;
  };
  std::vector<Window> windows;  // per exemption
  for (const ast::DefineExemption& x : defs.exemptions) {
    cctz::time_zone xtz;
    Window w;
    if (!LoadZone(x.tz.value_or("UTC"), &xtz) || !ParseInstant(x.start.text, xtz, &w.start) ||
        !ParseInstant(x.end.text, xtz, &w.end))
      return Status::InvalidArgument("exemption '" + x.name.name + "' does not read");
    windows.push_back(w);
    if (x.exclude) context.exclusions.push_back(RefExclusion{x.name.name, w.start, w.end, x.where});
  }
  query::Result values;
  KPI_RETURN_IF_ERROR(Evaluate(log, q, context, ReferenceOptions{}, &values));

  const size_t ng = q.group_by.size();
  std::vector<std::string> groups;
  for (size_t g = 0; g < ng; ++g) groups.push_back(values.columns[g].name);
  ValueType value_type = ValueType::kNull;
  for (size_t k = 0; k < kpis.size(); ++k) {
    const ValueType t = values.columns[ng + k].type;
    if (t == ValueType::kNull) continue;
    if (t != ValueType::kNumber && t != ValueType::kDuration)
      return Status::InvalidArgument("kpi '" + kpis[k] + "' is not a number");
    value_type = (value_type == ValueType::kNull || value_type == t) ? t : ValueType::kNumber;
  }
  if (value_type == ValueType::kNull) value_type = ValueType::kNumber;
  auto typed = [&](std::optional<double> x) {
    if (!x) return Value::Null();
    return value_type == ValueType::kDuration ? Value::Duration(*x) : Value::Number(*x);
  };

  cctz::time_zone tz;
  LoadZone(q.tz.value_or("UTC"), &tz);
  std::optional<std::pair<int64_t, int64_t>> during;
  if (q.during_start && q.during_end) {
    int64_t a = 0, b = 0;
    ParseInstant(q.during_start->text, tz, &a);
    ParseInstant(q.during_end->text, tz, &b);
    during = std::make_pair(a, b);
  }
  int bucket = -1;
  int64_t step_ms = 0;  // `by 15m`
  for (size_t g = 0; g < ng && bucket < 0; ++g) {
    if (values.columns[g].type != ValueType::kTime) continue;
    if (IsBucketName(groups[g])) bucket = static_cast<int>(g);
    if (q.group_by[g] != nullptr && q.group_by[g]->kind == ast::ExprKind::kDuration) {
      bucket = static_cast<int>(g);
      step_ms = static_cast<int64_t>(std::llround(q.group_by[g]->number * 1000));
    }
  }

  // Targets and relaxations as plain values.
  struct Target {
    std::string kpi, op, text;
    double value;
    Equalities where;
  };
  std::vector<Target> targets;
  for (const auto& [key, t] : defs.targets) {
    Target x{t.kpi.name, t.op, t.text, LiteralValue(t.value), {}};
    ReadEqualities(t.where, &x.where);
    targets.push_back(std::move(x));
  }

  auto judge = [&](const std::string& kpi, const Value& cell, const std::vector<Value>& row, int64_t span_begin,
                   int64_t span_end, Verdict* v) -> Status {
    if (!cell.is_null()) v->value = cell.number;
    size_t most = 0;
    bool any = false;
    for (const Target& t : targets)
      if (t.kpi == kpi && RowMatches(t.where, groups, row)) {
        most = any ? std::max(most, t.where.size()) : t.where.size();
        any = true;
      }
    const Target* winner = nullptr;
    for (const Target& t : targets) {
      if (!(t.kpi == kpi && t.where.size() == most && RowMatches(t.where, groups, row))) continue;
      if (winner && (winner->op != t.op || winner->value != t.value))
        return Status::InvalidArgument("conflicting targets: " + winner->text + " / " + t.text);
      if (!winner) winner = &t;
    }
    if (winner) {
      v->op = winner->op;
      v->target = winner->value;
      v->from = "target";
    }
    std::optional<double> relaxed;
    std::string relaxed_op, relaxed_by;
    for (size_t i = 0; i < defs.exemptions.size(); ++i) {
      const ast::DefineExemption& x = defs.exemptions[i];
      if (x.exclude) continue;
      if (!(span_begin < windows[i].end && windows[i].start < span_end)) continue;
      Equalities eqs;
      ReadEqualities(x.where, &eqs);
      if (!RowMatches(eqs, groups, row)) continue;
      for (const ast::Relaxation& r : x.relax) {
        if (r.kpi.name != kpi) continue;
        const double val = LiteralValue(r.value);
        const bool more_lenient = !relaxed || (LowerIsBetter(r.op) ? val > *relaxed : val < *relaxed);
        if (more_lenient) {
          relaxed = val;
          relaxed_op = r.op;
          relaxed_by = x.name.name;
        }
      }
    }
    if (relaxed) {
      v->op = relaxed_op;
      v->target = relaxed;
      v->from = relaxed_by;
    }
    if (v->value && v->target) {
      const bool upper = LowerIsBetter(v->op);
      if (upper && *v->value == 0) {
        v->met = true;
        v->zero_under_upper = true;
      } else {
        v->met = Holds(*v->value, v->op, *v->target);
        const double divisor = upper ? *v->value : *v->target;
        if (divisor != 0) v->attainment = upper ? *v->target / *v->value : *v->value / *v->target;
      }
    }
    return Status::OK();
  };

  out->columns.assign(values.columns.begin(), values.columns.begin() + static_cast<long>(ng));
  if (!scorecard) {
    out->columns.push_back({"kpi", ValueType::kString});
    out->columns.push_back({"value", value_type});
    out->columns.push_back({"op", ValueType::kString});
    out->columns.push_back({"target", value_type});
    out->columns.push_back({"met", ValueType::kBool});
    out->columns.push_back({"attainment", ValueType::kNumber});
    out->columns.push_back({"target_from", ValueType::kString});
  } else {
    for (size_t k = 0; k < kpis.size(); ++k) {
      out->columns.push_back({kpis[k], values.columns[ng + k].type});
      out->columns.push_back({kpis[k] + "_attainment", ValueType::kNumber});
    }
    out->columns.push_back({"score", ValueType::kNumber});
  }
  out->rows.clear();
  for (const std::vector<Value>& row : values.rows) {
    const std::vector<Value> keys(row.begin(), row.begin() + static_cast<long>(ng));
    int64_t b = LLONG_MIN, e = LLONG_MAX;
    if (bucket >= 0 && row[bucket].type == ValueType::kTime) {
      b = row[bucket].time_ms;
      e = NextBucketStart(b, groups[bucket], step_ms, tz);
    } else if (during) {
      b = during->first;
      e = during->second;
    }
    if (!scorecard) {
      for (size_t k = 0; k < kpis.size(); ++k) {
        Verdict v;
        KPI_RETURN_IF_ERROR(judge(kpis[k], row[ng + k], keys, b, e, &v));
        std::vector<Value> o = keys;
        o.push_back(Value::String(kpis[k]));
        o.push_back(typed(v.value));
        o.push_back(v.op.empty() ? Value::Null() : Value::String(v.op));
        o.push_back(typed(v.target));
        o.push_back(v.met ? Value::Bool(*v.met) : Value::Null());
        o.push_back(v.attainment ? Value::Number(*v.attainment) : Value::Null());
        o.push_back(v.from.empty() ? Value::Null() : Value::String(v.from));
        out->rows.push_back(std::move(o));
      }
    } else {
      std::vector<Value> o = keys;
      double score = 0;
      bool null_score = false;
      for (size_t k = 0; k < kpis.size(); ++k) {
        Verdict v;
        KPI_RETURN_IF_ERROR(judge(kpis[k], row[ng + k], keys, b, e, &v));
        o.push_back(row[ng + k]);
        o.push_back(v.attainment ? Value::Number(*v.attainment) : Value::Null());
        if (v.attainment) score += weights[k] * std::min(*v.attainment, cap);
        else if (v.zero_under_upper) score += weights[k] * cap;
        else null_score = true;
      }
      o.push_back(null_score ? Value::Null() : Value::Number(100 * score));
      out->rows.push_back(std::move(o));
    }
  }

  // order by / limit on the judged rows.
  std::vector<std::pair<size_t, bool>> order;
  for (const ast::OrderItem& o : ev.query.order_by) {
    size_t c = 0;
    while (c < out->columns.size() && out->columns[c].name != o.name) ++c;
    if (c == out->columns.size()) return Status::InvalidArgument("order by: unknown column '" + o.name + "'");
    order.emplace_back(c, o.descending);
  }
  std::stable_sort(out->rows.begin(), out->rows.end(), [&](const auto& x, const auto& y) {
    for (const auto& [c, desc] : order) {
      if (x[c].is_null() || y[c].is_null()) {
        if (x[c].is_null() == y[c].is_null()) continue;
        return y[c].is_null();
      }
      const int cmp = CompareValues(x[c], y[c]);
      if (cmp != 0) return desc ? cmp > 0 : cmp < 0;
    }
    return false;
  });
  if (ev.query.limit && static_cast<int64_t>(out->rows.size()) > std::max<int64_t>(*ev.query.limit, 0))
    out->rows.resize(static_cast<size_t>(std::max<int64_t>(*ev.query.limit, 0)));
  out->tz = values.tz;
  out->warnings = values.warnings;
  out->message.clear();
  return Status::OK();
}

}  // namespace kpi::reference

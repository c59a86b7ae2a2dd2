#include "query/evaluation/judge.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "query/binder/suggest.h"

namespace kpi::query {

namespace {

constexpr int64_t kAllTimeBegin = std::numeric_limits<int64_t>::min();
constexpr int64_t kAllTimeEnd = std::numeric_limits<int64_t>::max();

bool SameValue(const Value& cell, const Value& want) {
  if (cell.is_null()) return false;
  switch (want.type) {
    case ValueType::kString: return cell.type == ValueType::kString && cell.text == want.text;
    case ValueType::kBool: return cell.type == ValueType::kBool && cell.boolean == want.boolean;
    case ValueType::kNumber:
      return (cell.type == ValueType::kNumber || cell.type == ValueType::kDuration) && cell.number == want.number;
    default: return false;
  }
}

// Every dimension named is a group with that value in the row.
bool Matches(const std::vector<GroupMatch>& where, const std::vector<std::string>& group_names,
             const std::vector<Value>& row) {
  for (const GroupMatch& m : where) {
    auto it = std::find(group_names.begin(), group_names.end(), m.dim);
    if (it == group_names.end()) return false;
    if (!SameValue(row[static_cast<size_t>(it - group_names.begin())], m.value)) return false;
  }
  return true;
}

bool Compare(double v, const std::string& op, double t) {
  if (op == ">=") return v >= t;
  if (op == ">") return v > t;
  if (op == "<=") return v <= t;
  return v < t;
}

bool LowerIsBetter(const std::string& op) { return op == "<=" || op == "<"; }

std::optional<double> Number(const Value& v) {
  if (v.type == ValueType::kNumber || v.type == ValueType::kDuration) {
    if (std::isnan(v.number)) return std::nullopt;
    return v.number;
  }
  return std::nullopt;
}

struct Judgement {
  std::optional<double> value;
  std::string op;                // empty: no target
  std::optional<double> target;
  std::string from;              // "target", an exemption name, or empty
  std::optional<bool> met;
  std::optional<double> attainment;
  bool zero_under_upper = false; // value 0 against <= / <: met, counted at cap
};

}  // namespace

bool Judge(const JudgeInput& in, Result* out, std::map<std::string, int64_t>* used, JudgeError* error) {
  const Result& r = *in.values;
  const size_t ng = in.num_groups;
  std::vector<std::string> group_names;
  for (size_t g = 0; g < ng; ++g) group_names.push_back(r.columns[g].name);
  // The value column's type: the KPIs' common type, else plain numbers.
  ValueType value_type = ValueType::kNull;
  for (size_t k = 0; k < in.kpis.size(); ++k) {
    const ValueType t = r.columns[ng + k].type;
    if (t != ValueType::kNumber && t != ValueType::kDuration && t != ValueType::kNull) {
      error->message = "kpi '" + in.kpis[k] + "' gives a " + ValueTypeName(t) + ", not a number: it cannot be judged";
      return false;
    }
    if (t == ValueType::kNull) continue;
    value_type = value_type == ValueType::kNull || value_type == t ? t : ValueType::kNumber;
  }
  if (value_type == ValueType::kNull) value_type = ValueType::kNumber;
  auto typed = [&](std::optional<double> x) {
    if (!x) return Value::Null();
    return value_type == ValueType::kDuration ? Value::Duration(*x) : Value::Number(*x);
  };

  auto judge = [&](const std::string& kpi, const Value& cell, const std::vector<Value>& row, int64_t span_begin,
                   int64_t span_end, Judgement* j) -> bool {
    j->value = Number(cell);
    // Most specific target.
    // Two passes: only the winners (the most dimensions) can conflict, so a
    // pair of less specific targets that disagree is no error.
    size_t best_n = 0;
    for (const TargetRule& t : *in.targets)
      if (t.kpi == kpi && Matches(t.where, group_names, row)) best_n = std::max(best_n, t.where.size());
    const TargetRule* best = nullptr;
    for (const TargetRule& t : *in.targets) {
      if (t.kpi != kpi || t.where.size() != best_n || !Matches(t.where, group_names, row)) continue;
      if (best == nullptr) {
        best = &t;
      } else if (t.op != best->op || t.value != best->value) {
        error->kpi = kpi;
        error->message = "conflicting targets for kpi '" + kpi + "': `" + best->Describe() + "` and `" +
                         t.Describe() + "` both apply equally to a row; make one more specific or drop one";
        return false;
      }
    }
    if (best) {
      j->op = best->op;
      j->target = best->value;
      j->from = "target";
      (*used)["target:" + best->key] = best->defined_at_ms;
    }
    // Relaxations: most lenient wins, ties to the one defined first.
    const Exemption* relax_by = nullptr;
    const Relaxation* relax = nullptr;
    for (const Exemption& x : *in.exemptions) {
      if (x.exclude || !(span_begin < x.end_ms && x.start_ms < span_end) || !Matches(x.match, group_names, row)) continue;
      for (const Relaxation& rx : x.relax) {
        if (rx.kpi != kpi) continue;
        const bool better = relax == nullptr || (LowerIsBetter(relax->op) ? rx.value > relax->value : rx.value < relax->value);
        if (better) {
          relax = &rx;
          relax_by = &x;
        }
      }
    }
    if (relax) {
      j->op = relax->op;
      j->target = relax->value;
      j->from = relax_by->name;
      (*used)["exemption:" + relax_by->name] = relax_by->defined_at_ms;
    }
    if (j->value && j->target) {
      j->met = Compare(*j->value, j->op, *j->target);
      if (LowerIsBetter(j->op)) {
        if (*j->value != 0) {
          j->attainment = *j->target / *j->value;
        } else {
          // The contract: a value of 0 under <= / < meets its target (and a
          // scorecard counts it at cap), whatever the target.
          j->zero_under_upper = true;
          j->met = true;
        }
      } else if (*j->target != 0) {
        j->attainment = *j->value / *j->target;
      }
    }
    return true;
  };

  // Each row's time span.
  int bucket_col = -1;
  for (size_t g = 0; g < ng && g < in.group_units.size(); ++g)
    if (in.group_units[g] && !IsCyclicUnit(*in.group_units[g]) && bucket_col < 0) bucket_col = static_cast<int>(g);
  auto span = [&](const std::vector<Value>& row, int64_t* b, int64_t* e) {
    *b = kAllTimeBegin;
    *e = kAllTimeEnd;
    if (bucket_col >= 0 && row[bucket_col].type == ValueType::kTime) {
      *b = row[bucket_col].time_ms;
      TimeBucketer bucketer(in.tz, *in.group_units[bucket_col], in.group_steps[bucket_col]);
      *e = bucketer.End(*b);
    } else if (in.during) {
      *b = in.during->first;
      *e = in.during->second;
    }
  };

  out->columns.assign(r.columns.begin(), r.columns.begin() + static_cast<long>(ng));
  out->tz = r.tz;
  out->warnings = r.warnings;
  if (in.scorecard == nullptr) {
    out->columns.push_back({"kpi", ValueType::kString});
    out->columns.push_back({"value", value_type});
    out->columns.push_back({"op", ValueType::kString});
    out->columns.push_back({"target", value_type});
    out->columns.push_back({"met", ValueType::kBool});
    out->columns.push_back({"attainment", ValueType::kNumber});
    out->columns.push_back({"target_from", ValueType::kString});
  } else {
    for (size_t k = 0; k < in.kpis.size(); ++k) {
      out->columns.push_back({in.kpis[k], r.columns[ng + k].type});
      out->columns.push_back({in.kpis[k] + "_attainment", ValueType::kNumber});
    }
    out->columns.push_back({"score", ValueType::kNumber});
    (*used)["scorecard:" + in.scorecard->name] = in.scorecard->defined_at_ms;
  }

  for (const std::vector<Value>& row : r.rows) {
    int64_t b, e;
    span(row, &b, &e);
    const std::vector<Value> groups(row.begin(), row.begin() + static_cast<long>(ng));
    if (in.scorecard == nullptr) {
      for (size_t k = 0; k < in.kpis.size(); ++k) {
        Judgement j;
        if (!judge(in.kpis[k], row[ng + k], groups, b, e, &j)) return false;
        std::vector<Value> o = groups;
        o.push_back(Value::String(in.kpis[k]));
        o.push_back(typed(j.value));
        o.push_back(j.op.empty() ? Value::Null() : Value::String(j.op));
        o.push_back(typed(j.target));
        o.push_back(j.met ? Value::Bool(*j.met) : Value::Null());
        o.push_back(j.attainment ? Value::Number(*j.attainment) : Value::Null());
        o.push_back(j.from.empty() ? Value::Null() : Value::String(j.from));
        out->rows.push_back(std::move(o));
      }
    } else {
      std::vector<Value> o = groups;
      double score = 0;
      bool score_null = false;
      for (size_t k = 0; k < in.kpis.size(); ++k) {
        Judgement j;
        if (!judge(in.kpis[k], row[ng + k], groups, b, e, &j)) return false;
        o.push_back(row[ng + k]);
        o.push_back(j.attainment ? Value::Number(*j.attainment) : Value::Null());
        const double w = in.scorecard->terms[k].first, cap = in.scorecard->cap;
        if (j.attainment) score += w * std::min(*j.attainment, cap);
        else if (j.zero_under_upper) score += w * cap;
        else score_null = true;
      }
      o.push_back(score_null ? Value::Null() : Value::Number(100.0 * score));
      out->rows.push_back(std::move(o));
    }
  }

  // order by / limit over the judged rows (stable: ties keep the default order).
  std::vector<std::pair<size_t, bool>> keys;
  for (const ast::OrderItem& o : in.order_by) {
    size_t c = 0;
    while (c < out->columns.size() && out->columns[c].name != o.name) ++c;
    if (c == out->columns.size()) {
      std::vector<std::string> names;
      for (const ResultColumn& col : out->columns) names.push_back(col.name);
      error->message = "order by: unknown result column '" + o.name + "'" + DidYouMean(o.name, names);
      error->pos = o.pos;
      return false;
    }
    keys.emplace_back(c, o.descending);
  }
  if (!keys.empty()) {
    auto less = [](const Value& a, const Value& b) {
      if (a.is_null() || b.is_null()) return !a.is_null() && b.is_null();  // nulls last
      switch (a.type) {
        case ValueType::kString: return a.text < b.text;
        case ValueType::kTime: return a.time_ms < b.time_ms;
        case ValueType::kBool: return a.boolean < b.boolean;
        default: return a.number < b.number;
      }
    };
    std::stable_sort(out->rows.begin(), out->rows.end(), [&](const std::vector<Value>& x, const std::vector<Value>& y) {
      for (const auto& [c, desc] : keys) {
        const Value& a = x[c];
        const Value& b = y[c];
        if (a.is_null() != b.is_null()) return b.is_null();  // nulls last either way
        if (less(a, b)) return !desc;
        if (less(b, a)) return desc;
      }
      return false;
    });
  }
  if (in.limit && static_cast<size_t>(*in.limit) < out->rows.size()) out->rows.resize(static_cast<size_t>(*in.limit));
  return true;
}

}  // namespace kpi::query

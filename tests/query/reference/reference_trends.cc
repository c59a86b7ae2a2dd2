#include "query/reference/reference_trends.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include "query/reference/reference_time.h"

namespace kpi::reference {

namespace trend_detail {

namespace ast = query::ast;
using query::Result;
using query::Value;
using query::ValueType;

bool NamesAggregate(const std::string& f) {
  static const std::set<std::string> kNames = {"count", "sum", "avg",  "min",  "max",   "percentile", "p50",
                                               "p90",   "p95", "p99",  "rate", "ratio", "distinct"};
  return kNames.count(f) > 0;
}

bool HoldsAggregate(const ast::Expr* e, const RefContext& ctx, int depth = 0) {
  if (e == nullptr || depth > 50) return false;
  if (e->kind == ast::ExprKind::kCall && NamesAggregate(e->text)) return true;
  if (e->kind == ast::ExprKind::kColumn) {
    auto it = ctx.kpis.find(e->text);
    if (it != ctx.kpis.end()) return HoldsAggregate(it->second.get(), ctx, depth + 1);
  }
  for (const auto& a : e->args)
    if (HoldsAggregate(a.get(), ctx, depth)) return true;
  return false;
}

// A time bucket of `by`: its unit ("minute", "hour" .. "year", "step").
struct Bucket {
  int index = -1;
  std::string unit;
  int64_t step_ms = 0;
};

int64_t ToMs(const cctz::civil_second& cs, const cctz::time_zone& tz) {
  const auto look = tz.lookup(cs);
  const auto tp = look.kind == cctz::time_zone::civil_lookup::SKIPPED ? look.trans : look.pre;
  return std::chrono::duration_cast<std::chrono::seconds>(tp.time_since_epoch()).count() * 1000;
}

cctz::civil_second ToCivil(int64_t ms, const cctz::time_zone& tz) {
  const int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  return cctz::convert(std::chrono::system_clock::time_point(std::chrono::seconds(s)), tz);
}

int64_t LocalMidnight(int64_t ms, const cctz::time_zone& tz) { return ToMs(cctz::civil_day(ToCivil(ms, tz)), tz); }

int64_t Start(const Bucket& b, int64_t ms, const cctz::time_zone& tz) {
  if (b.unit == "minute" || b.unit == "step") {
    const int64_t step = b.unit == "minute" ? 60'000 : b.step_ms;
    const int64_t midnight = LocalMidnight(ms, tz);
    return midnight + (ms - midnight) / step * step;
  }
  int64_t start = 0;
  BucketStart(ms, b.unit, tz, &start);
  return start;
}

// The next bucket's start: walk forward until the bucket changes (buckets
// are at least a minute long and at most a year).
int64_t End(const Bucket& b, int64_t start, const cctz::time_zone& tz) {
  const cctz::civil_second cs = ToCivil(start, tz);
  int64_t guess;
  if (b.unit == "minute") guess = start + 60'000;
  else if (b.unit == "step") guess = start + b.step_ms;
  else if (b.unit == "hour") guess = start + 3'600'000;
  else if (b.unit == "day") guess = ToMs(cctz::civil_day(cs) + 1, tz);
  else if (b.unit == "week") guess = ToMs(cctz::civil_day(cs) + 7, tz);
  else if (b.unit == "month") guess = ToMs(cctz::civil_day(cctz::civil_month(cs) + 1), tz);
  else if (b.unit == "quarter") guess = ToMs(cctz::civil_day(cctz::civil_month(cs) + 3), tz);
  else guess = ToMs(cctz::civil_day(cctz::civil_year(cs) + 1), tz);
  if (b.unit == "step") guess = std::min(guess, ToMs(cctz::civil_day(cs) + 1, tz));  // the day's last step
  return guess;
}

// Local wall clock minus one day / week / month / quarter / year, day of
// month clamped to the shorter month's end.
int64_t ShiftBack(int64_t ms, const std::string& unit, const cctz::time_zone& tz) {
  const int64_t sub = ms - (ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)) * 1000;
  const cctz::civil_second cs = ToCivil(ms, tz);
  int y = static_cast<int>(cs.year()), m = cs.month(), d = cs.day();
  cctz::civil_day day(y, m, d);
  if (unit == "day") {
    day = day - 1;
  } else if (unit == "week") {
    day = day - 7;
  } else {
    const int months = unit == "month" ? 1 : unit == "quarter" ? 3 : 12;
    m -= months;
    while (m < 1) {
      m += 12;
      --y;
    }
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const int last = m == 2 && leap ? 29 : kDays[m - 1];
    day = cctz::civil_day(y, m, std::min(d, last));
  }
  return ToMs(cctz::civil_second(day.year(), day.month(), day.day(), cs.hour(), cs.minute(), cs.second()), tz) + sub;
}

ast::SelectQuery Plain(const ast::SelectQuery& q) {
  ast::SelectQuery p = q;
  p.compare.reset();
  p.rolling.reset();
  p.order_by.clear();
  p.limit.reset();
  return p;
}

void SetWindow(ast::SelectQuery* q, int64_t a, int64_t b) {
  q->during_start = ast::TimeLiteral{FormatUtc(a), {}};
  q->during_end = ast::TimeLiteral{FormatUtc(b), {}};
}

bool SameKeys(const std::vector<Value>& a, const std::vector<Value>& b, size_t n, int skip) {
  for (size_t i = 0; i < n; ++i)
    if (static_cast<int>(i) != skip && CompareValues(a[i], b[i]) != 0) return false;
  return true;
}

// Whether the statement has any row in [a, b) (its where, joins, at, as of).
Status HasRows(const EventLog& log, const ast::SelectQuery& q, int64_t a, int64_t b, const RefContext& ctx,
               const ReferenceOptions& opt, bool* any) {
  ast::SelectQuery c = Plain(q);
  c.group_by.clear();
  c.having.reset();
  auto count = std::make_shared<ast::Expr>();
  count->kind = ast::ExprKind::kCall;
  count->text = "count";
  c.items = {ast::SelectItem{count, "n", {}}};
  SetWindow(&c, a, b);
  Result r;
  KPI_RETURN_IF_ERROR(Evaluate(log, c, ctx, opt, &r));
  *any = !r.rows.empty() && r.rows[0][0].number > 0;
  return Status::OK();
}

// Sorts by the first `nkeys` columns, then `order by`, then cuts to `limit`.
Status Finish(const ast::SelectQuery& q, size_t nkeys, Result* out) {
  std::stable_sort(out->rows.begin(), out->rows.end(), [nkeys](const auto& a, const auto& b) {
    for (size_t i = 0; i < nkeys; ++i) {
      const int c = CompareValues(a[i], b[i]);
      if (c != 0) return c < 0;
    }
    return false;
  });
  for (auto it = q.order_by.rbegin(); it != q.order_by.rend(); ++it) {
    size_t col = out->columns.size();
    for (size_t i = 0; i < out->columns.size(); ++i)
      if (out->columns[i].name == it->name) col = i;
    if (col == out->columns.size()) return Status::InvalidArgument("order by: unknown column " + it->name);
    const bool desc = it->descending;
    std::stable_sort(out->rows.begin(), out->rows.end(), [col, desc](const auto& a, const auto& b) {
      const Value &x = a[col], &y = b[col];
      if (x.is_null() || y.is_null()) return !x.is_null() && y.is_null();
      const int c = CompareValues(x, y);
      return desc ? c > 0 : c < 0;
    });
  }
  if (q.limit && static_cast<int64_t>(out->rows.size()) > std::max<int64_t>(*q.limit, 0))
    out->rows.resize(static_cast<size_t>(std::max<int64_t>(*q.limit, 0)));
  return Status::OK();
}

Value Minus(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::Null();
  if (a.type == ValueType::kDuration || b.type == ValueType::kDuration) return Value::Duration(a.number - b.number);
  if (a.type == ValueType::kNumber && b.type == ValueType::kNumber) return Value::Number(a.number - b.number);
  if (a.type == ValueType::kTime && b.type == ValueType::kTime)
    return Value::Duration(static_cast<double>(a.time_ms - b.time_ms) / 1000.0);
  return Value::Null();
}

ValueType MinusType(ValueType t) {
  if (t == ValueType::kNumber || t == ValueType::kDuration) return t;
  if (t == ValueType::kTime) return ValueType::kDuration;
  return ValueType::kNull;
}

Status Compare(const EventLog& log, const ast::SelectQuery& q, const Bucket& bucket, const cctz::time_zone& tz,
               std::optional<std::pair<int64_t, int64_t>> during, const RefContext& ctx,
               const ReferenceOptions& opt, Result* out) {
  const std::string unit = q.compare->unit;
  Result cur;
  KPI_RETURN_IF_ERROR(Evaluate(log, Plain(q), ctx, opt, &cur));
  const size_t nkeys = q.group_by.size();
  // Previous row of each current row (nullptr: none).
  std::vector<std::optional<std::vector<Value>>> prev(cur.rows.size());
  ast::SelectQuery p = Plain(q);
  p.having.reset();
  if (bucket.index < 0) {
    const auto [a, b] = *during;
    const int64_t pa = unit.empty() ? a - (b - a) : ShiftBack(a, unit, tz);
    const int64_t pb = unit.empty() ? a : ShiftBack(b, unit, tz);
    SetWindow(&p, pa, pb);
    Result r;
    KPI_RETURN_IF_ERROR(Evaluate(log, p, ctx, opt, &r));
    bool any = true;
    if (nkeys == 0) KPI_RETURN_IF_ERROR(HasRows(log, q, pa, pb, ctx, opt, &any));
    for (size_t i = 0; i < cur.rows.size(); ++i)
      for (const auto& row : r.rows)
        if (any && SameKeys(row, cur.rows[i], nkeys, -1)) prev[i] = row;
  } else {
    for (size_t i = 0; i < cur.rows.size(); ++i) {
      const int64_t b = cur.rows[i][bucket.index].time_ms;
      const int64_t pb = Start(bucket, unit.empty() ? b - 1 : ShiftBack(b, unit, tz), tz);
      SetWindow(&p, pb, End(bucket, pb, tz));
      Result r;
      KPI_RETURN_IF_ERROR(Evaluate(log, p, ctx, opt, &r));
      for (const auto& row : r.rows)
        if (SameKeys(row, cur.rows[i], nkeys, bucket.index) && row[bucket.index].time_ms == pb) prev[i] = row;
    }
  }
  out->columns.assign(cur.columns.begin(), cur.columns.begin() + nkeys);
  std::vector<bool> compared;
  for (size_t i = 0; i < q.items.size(); ++i) {
    const query::ResultColumn& c = cur.columns[nkeys + i];
    out->columns.push_back(c);
    compared.push_back(HoldsAggregate(q.items[i].expr.get(), ctx));
    if (!compared.back()) continue;
    out->columns.push_back({c.name + "_prev", c.type});
    out->columns.push_back({c.name + "_change", MinusType(c.type)});
  }
  for (size_t r = 0; r < cur.rows.size(); ++r) {
    std::vector<Value> row(cur.rows[r].begin(), cur.rows[r].begin() + nkeys);
    for (size_t i = 0; i < q.items.size(); ++i) {
      const Value& x = cur.rows[r][nkeys + i];
      row.push_back(x);
      if (!compared[i]) continue;
      const Value before = prev[r] ? (*prev[r])[nkeys + i] : Value::Null();
      row.push_back(before);
      row.push_back(Minus(x, before));
    }
    out->rows.push_back(std::move(row));
  }
  out->warnings = cur.warnings;
  out->tz = cur.tz;
  return Finish(q, nkeys, out);
}

Status Rolling(const EventLog& log, const ast::SelectQuery& q, const Bucket& bucket, const cctz::time_zone& tz,
               std::optional<std::pair<int64_t, int64_t>> during, const RefContext& ctx,
               const ReferenceOptions& opt, Result* out) {
  const int64_t n = *q.rolling;
  // The buckets shown.
  std::vector<int64_t> shown;
  if (during) {
    int64_t s = Start(bucket, during->first, tz);
    if (s < during->first) s = End(bucket, s, tz);
    for (; s < during->second; s = End(bucket, s, tz)) shown.push_back(s);
  } else {
    ast::SelectQuery all = Plain(q);
    all.group_by = {q.group_by[bucket.index]};
    all.having.reset();
    auto count = std::make_shared<ast::Expr>();
    count->kind = ast::ExprKind::kCall;
    count->text = "count";
    all.items = {ast::SelectItem{count, "n", {}}};
    Result r;
    KPI_RETURN_IF_ERROR(Evaluate(log, all, ctx, opt, &r));
    if (!r.rows.empty())
      for (int64_t s = r.rows.front()[0].time_ms; s <= r.rows.back()[0].time_ms; s = End(bucket, s, tz))
        shown.push_back(s);
  }
  ast::SelectQuery w = Plain(q);
  w.group_by.erase(w.group_by.begin() + bucket.index);
  Result shape;
  {
    ast::SelectQuery s = Plain(q);
    SetWindow(&s, 0, 0);
    KPI_RETURN_IF_ERROR(Evaluate(log, s, ctx, opt, &shape));
  }
  out->columns = shape.columns;
  out->tz = shape.tz;
  out->warnings = shape.warnings;
  for (const int64_t b : shown) {
    int64_t first = b;
    // No event is before 1970 (ingest refuses it): a window reaching further
    // holds nothing more, and stepping 10^11 buckets would never end.
    for (int64_t k = 1; k < n && first > 0; ++k) first = Start(bucket, first - 1, tz);
    const int64_t end = End(bucket, b, tz);
    if (w.group_by.empty()) {
      bool any = false;
      KPI_RETURN_IF_ERROR(HasRows(log, q, first, end, ctx, opt, &any));
      if (!any) continue;
    }
    SetWindow(&w, first, end);
    Result r;
    KPI_RETURN_IF_ERROR(Evaluate(log, w, ctx, opt, &r));
    for (auto& row : r.rows) {
      row.insert(row.begin() + bucket.index, Value::Time(b));
      out->rows.push_back(std::move(row));
    }
  }
  return Finish(q, q.group_by.size(), out);
}

}  // namespace trend_detail

Status EvaluateTrend(const EventLog& log, const query::ast::SelectQuery& q, const RefContext& context,
                     const ReferenceOptions& options, query::Result* out) {
  using namespace trend_detail;
  cctz::time_zone tz;
  if (!LoadZone(q.tz.value_or("UTC"), &tz)) return Status::InvalidArgument("unknown time zone");
  std::optional<std::pair<int64_t, int64_t>> during;
  if (q.during_start && q.during_end) {
    int64_t a, b;
    if (!ParseInstant(q.during_start->text, tz, &a) || !ParseInstant(q.during_end->text, tz, &b))
      return Status::InvalidArgument("bad `during`");
    during = std::make_pair(a, b);
  }
  Bucket bucket;
  int buckets = 0;
  static const std::set<std::string> kUnits = {"minute", "hour", "day", "week", "month", "quarter", "year"};
  for (size_t i = 0; i < q.group_by.size(); ++i) {
    const ast::Expr& g = *q.group_by[i];
    std::string lower = g.text;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (g.kind == ast::ExprKind::kColumn && kUnits.count(lower)) {
      ++buckets;
      if (bucket.index < 0) bucket = Bucket{static_cast<int>(i), lower, 0};
    } else if (g.kind == ast::ExprKind::kDuration) {
      ++buckets;
      if (bucket.index < 0) bucket = Bucket{static_cast<int>(i), "step", static_cast<int64_t>(g.number * 1000)};
    }
  }
  if (q.compare && q.rolling) return Status::InvalidArgument("compare and rolling together");
  if (buckets > 1) return Status::InvalidArgument("more than one time bucket");
  out->columns.clear();
  out->rows.clear();
  if (q.compare) {
    static const std::set<std::string> kShift = {"", "day", "week", "month", "quarter", "year"};
    std::string unit = q.compare->unit;
    for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!kShift.count(unit)) return Status::InvalidArgument("unknown compare unit");
    if (bucket.index < 0 && !during) return Status::InvalidArgument("compare needs a bucket or during");
    ast::SelectQuery lower = q;
    lower.compare->unit = unit;
    return Compare(log, lower, bucket, tz, during, context, options, out);
  }
  if (*q.rolling < 1) return Status::InvalidArgument("rolling 0");
  if (bucket.index < 0) return Status::InvalidArgument("rolling needs a time bucket");
  return Rolling(log, q, bucket, tz, during, context, options, out);
}

}  // namespace kpi::reference

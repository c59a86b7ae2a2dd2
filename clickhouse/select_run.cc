// Selects on the ClickHouse backend (see clickhouse/select_run.h).
#include "clickhouse/select_run.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "clickhouse/http_client.h"
#include "clickhouse/result_tsv.h"
#include "clickhouse/schema_ddl.h"
#include "clickhouse/sql_translate.h"
#include "query/execution/nested_levels.h"
#include "query/execution/scope.h"
#include "query/parser/parser.h"
#include "query/time_buckets.h"
#include "query/trends/period_shift.h"
#include "query/trends/trend_rows.h"
#include "query/trends/trend_select.h"

namespace kpi::clickhouse {

namespace {

using query::BoundQuery;
using query::ResultColumn;

constexpr size_t kMaxRollingBuckets = 200'000;  // bucket starts sent in one statement

// Sends one translated statement and reads its answer.
Status SendSelect(const Config& config, const std::string& sql, std::vector<ResultColumn> columns, query::Result* into) {
  std::string reply;
  // Inlined lookup tables, calendars and ticket lists can make the
  // statement longer than the default max_query_size (256 KiB).
  const HttpClient::Params params = {{"distributed_group_by_no_merge", "1"},
                                     {"max_query_size", std::to_string(std::max<size_t>(sql.size() + 4096, 262144))}};
  KPI_RETURN_IF_ERROR(HttpClient(config.urls[0]).Query(sql + " FORMAT TabSeparated", &reply, params));
  return ReadTsvResult(reply, std::move(columns), into);
}

class SelectRun {
 public:
  SelectRun(const Config& config, const Names& names, query::BindContext context, std::optional<int64_t> as_of_ms,
            const query::ExecOptions& options, query::Result* out, SelectFailure* failure, SelectUsed* used)
      : config_(config), names_(names), context_(std::move(context)), as_of_ms_(as_of_ms), options_(options),
        out_(out), failure_(failure), used_(used) {}

  Status Run(const query::ast::SelectQuery& q, bool explain) {
    const auto start = std::chrono::steady_clock::now();
    *out_ = query::Result{};
    Status s;
    if (q.source == "select") s = Nested(q, explain);
    else if (q.compare) s = Compare(q, explain);
    else if (q.rolling) s = Rolling(q, explain);
    else s = Plain(q, explain);
    if (!s.ok() || explain) return s;
    out_->stats.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return s;
  }

 private:
  Status Fail(const query::ast::SourcePos& pos, const std::string& message) {
    failure_->pos = pos;
    failure_->message = message;
    return Status::InvalidArgument(message);
  }

  Status Bind(const query::ast::SelectQuery& q, BoundQuery* bound) {
    query::BindError berr;
    if (!query::BindSelect(q, names_, context_, bound, &berr)) return Fail(berr.pos, berr.message);
    if (!bound->as_of_ms && as_of_ms_) bound->as_of_ms = as_of_ms_;
    used_->definitions.insert(bound->used_definitions.begin(), bound->used_definitions.end());
    if (!bound->during_relative.empty())
      used_->windows.push_back(query::ResolvedWindow{bound->during_relative, bound->during->first, bound->during->second});
    return Status::OK();
  }

  Status Translate(const BoundQuery& bound, const TranslateOptions& options_in, const query::ast::SourcePos& pos,
                   std::string* sql) {
    TranslateOptions options = options_in;
    options.scope = options_.scope.get();  // a token's scope, at the innermost level
    if (!bound.clocks.empty()) KPI_RETURN_IF_ERROR(EventTimes(&options.event_times));
    std::string unsupported;
    if (!TranslateSelect(bound, names_, config_, options, sql, &unsupported)) return Fail(pos, unsupported);
    return Status::OK();
  }

  // The earliest and latest event time stored (business-hours durations
  // inline the calendar over that range), read once per statement.
  Status EventTimes(std::optional<std::pair<int64_t, int64_t>>* out) {
    if (!event_times_) {
      std::string reply;
      KPI_RETURN_IF_ERROR(HttpClient(config_.urls[0])
                              .Query("SELECT min(ts), max(ts) FROM " + EventsTable(config_) + " FORMAT TabSeparated",
                                     &reply));
      std::vector<int64_t> range;
      KPI_RETURN_IF_ERROR(ReadInt64Row(reply, 2, "the events' time range", &range));
      const int64_t lo = range[0], hi = range[1];
      event_times_ = std::make_pair(lo, hi);
    }
    *out = event_times_;
    return Status::OK();
  }

  Status Send(const std::string& sql, std::vector<ResultColumn> columns, query::Result* into) {
    return SendSelect(config_, sql, std::move(columns), into);
  }

  static std::vector<ResultColumn> AnswerTypes(const BoundQuery& bound) {
    std::vector<ResultColumn> columns;
    for (const query::GroupKey& g : bound.groups) columns.push_back({g.name, g.type});
    for (const query::SelectItem& item : bound.items) columns.push_back({item.name, item.type});
    return columns;
  }

  Status Explain(const BoundQuery& bound, const std::string& sql, const std::vector<std::string>& notes) {
    out_->columns = {ResultColumn{"plan", query::ValueType::kString}};
    out_->rows.push_back({query::Value::String("clickhouse " + config_.urls[0] +
                                               (config_.cluster.empty() ? "" : " cluster " + config_.cluster) +
                                               ", settings distributed_group_by_no_merge=1")});
    out_->rows.push_back({query::Value::String("sql: " + sql)});
    for (const std::string& n : notes) out_->rows.push_back({query::Value::String(n)});
    if (options_.scope)
      out_->rows.push_back({query::Value::String("scope: " + options_.scope->text() +
                                                 " (the token's; tickets outside it are left out by the per-ticket query)")});
    out_->tz = bound.tz_name;
    out_->warnings = bound.warnings;
    return Status::OK();
  }

  // The answer of `bound` (kItems) into *out_, checked against the row cap.
  Status Answer(const BoundQuery& bound, const std::string& sql) {
    out_->tz = bound.tz_name;
    out_->warnings = bound.warnings;
    KPI_RETURN_IF_ERROR(Send(sql, AnswerTypes(bound), out_));
    if (out_->rows.size() > options_.max_result_rows)
      return Status::ResourceExhausted("the result has more than " + std::to_string(options_.max_result_rows) + " rows");
    return Status::OK();
  }

  Status Plain(const query::ast::SelectQuery& q, bool explain) {
    BoundQuery bound;
    KPI_RETURN_IF_ERROR(Bind(q, &bound));
    std::string sql;
    KPI_RETURN_IF_ERROR(Translate(bound, TranslateOptions{}, q.source_pos, &sql));
    return explain ? Explain(bound, sql, {}) : Answer(bound, sql);
  }

  // One level of a nested select: its SQL, columns and bound form.
  struct Level {
    std::string sql;
    std::vector<ResultColumn> columns;
    BoundQuery bound;
  };

  // A nested select, walked as query/execution/nested_levels.h says, as one
  // SQL statement (each level's SQL wraps the one inside it).
  Status Nested(const query::ast::SelectQuery& q, bool explain) {
    auto leaf = [&](const query::ast::SelectQuery& level, bool, Level* out) {
      query::ast::SourcePos pos;
      std::string message;
      if (!query::NestedLeafError(level, &pos, &message)) return Fail(pos, message);
      if (level.source == "watch")  // unreachable: ClickHouseBackend sends `from watch` to SelectWatch
        return Fail(level.source_pos, "internal error: `from watch` reached the SQL translation");
      KPI_RETURN_IF_ERROR(Bind(level, &out->bound));
      out->columns = AnswerTypes(out->bound);
      return Translate(out->bound, TranslateOptions{}, level.source_pos, &out->sql);
    };
    auto over = [&](const query::ast::SelectQuery& level, const Level& inner, bool, Level* out) {
      TranslateOptions options;
      options.inner_sql = inner.sql;
      options.inner_columns = AnswerColumns(inner.bound);
      context_.nested_columns = &inner.columns;
      const Status bound_ok = Bind(level, &out->bound);
      context_.nested_columns = nullptr;
      KPI_RETURN_IF_ERROR(bound_ok);
      for (const std::string& w : inner.bound.warnings)
        if (std::find(out->bound.warnings.begin(), out->bound.warnings.end(), w) == out->bound.warnings.end())
          out->bound.warnings.insert(out->bound.warnings.begin(), w);
      out->columns = AnswerTypes(out->bound);
      return Translate(out->bound, options, level.source_pos, &out->sql);
    };
    Level answer;
    KPI_RETURN_IF_ERROR(query::WalkNested(q, query::NestedZone(q), leaf, over, &answer));
    return explain ? Explain(answer.bound, answer.sql, {}) : Answer(answer.bound, answer.sql);
  }

  // compare with / rolling: bound without `order by` and `limit`, which may
  // name the columns compare adds.
  Status BindTrend(const query::ast::SelectQuery& q, BoundQuery* bound) {
    query::ast::SelectQuery base = q;
    base.order_by.clear();
    base.limit.reset();
    KPI_RETURN_IF_ERROR(Bind(base, bound));
    query::trends::TrendError terr;
    if (!query::trends::CheckTrendClauses(q, *bound, &terr)) return Fail(terr.pos, terr.message);
    return Status::OK();
  }

  Status Trended(const query::trends::TrendError& terr, const Status& s) {
    if (s.ok() || terr.message.empty()) return s;
    return Fail(terr.pos, terr.message);
  }

  Status Compare(const query::ast::SelectQuery& q, bool explain) {
    BoundQuery bound;
    KPI_RETURN_IF_ERROR(BindTrend(q, &bound));
    auto sql_of = [&](const BoundQuery& windowed, bool rows_only, std::string* sql) {
      TranslateOptions options;
      options.output = TranslateOptions::Output::kAggregates;
      options.rows_only = rows_only;
      return Translate(windowed, options, q.source_pos, sql);
    };
    if (explain) {
      std::string sql;
      KPI_RETURN_IF_ERROR(sql_of(query::trends::WithWindow(bound, bound.during), false, &sql));
      return Explain(bound, sql,
                     {query::trends::ExplainTrend(q, bound) + " (each scan a statement like the one above)"});
    }
    const query::trends::GroupScan scan = [&](const BoundQuery& windowed, bool rows_only,
                                              std::vector<query::trends::FinalRow>* rows, query::ExecStats*) {
      std::string sql;
      KPI_RETURN_IF_ERROR(sql_of(windowed, rows_only, &sql));
      std::vector<ResultColumn> columns;
      for (const query::GroupKey& g : windowed.groups) columns.push_back({g.name, g.type});
      for (const query::AggregateSpec& a : windowed.aggregates) columns.push_back({a.text, a.out_type});
      query::Result got;
      KPI_RETURN_IF_ERROR(Send(sql, std::move(columns), &got));
      const size_t nkeys = windowed.groups.size();
      for (std::vector<query::Value>& cells : got.rows) {
        query::trends::FinalRow row;
        row.keys.assign(std::make_move_iterator(cells.begin()), std::make_move_iterator(cells.begin() + nkeys));
        row.aggs.assign(std::make_move_iterator(cells.begin() + nkeys), std::make_move_iterator(cells.end()));
        rows->push_back(std::move(row));
      }
      return Status::OK();
    };
    query::trends::TrendError terr;
    const Status s = query::trends::CompareWith(q, bound, scan, options_, out_, &terr);
    out_->tz = bound.tz_name;
    out_->warnings = bound.warnings;
    return Trended(terr, s);
  }

  Status Rolling(const query::ast::SelectQuery& q, bool explain) {
    BoundQuery bound;
    KPI_RETURN_IF_ERROR(BindTrend(q, &bound));
    int nbuckets = 0;
    TranslateOptions::Rolling rolling;
    rolling.group = static_cast<size_t>(query::trends::TimeBucketIndex(bound, &nbuckets));
    rolling.width = static_cast<size_t>(*q.rolling);
    const query::GroupKey& key = bound.groups[rolling.group];
    query::TimeBucketer bucketer(bound.tz, key.unit, key.step_ms);
    size_t reach = 0;  // buckets stepped back (BucketsBack stops at 1970 and past the bucket limit)
    auto back = [&](int64_t s, size_t k) {
      return query::trends::BucketsBack(bucketer, s, k, kMaxRollingBuckets, &reach);
    };
    out_->columns = AnswerTypes(bound);
    out_->tz = bound.tz_name;
    out_->warnings = bound.warnings;
    query::trends::TrendError terr;
    auto finish = [&] {
      return Trended(terr, query::trends::FinishRows(q, bound.groups.size(), options_, out_, &terr));
    };
    // The buckets shown: [first, last] by start, as the local engine (query/trends/rolling.cc).
    std::optional<std::pair<int64_t, int64_t>> window;
    int64_t first = 0, last = 0;
    if (bound.during) {
      const auto [a, b] = *bound.during;
      if (b <= a) return explain ? Explain(bound, "(none: `during` is empty)", {}) : finish();
      first = bucketer.Start(a);
      if (first < a) first = bucketer.End(first);
      last = bucketer.Start(b - 1);
      if (first > last) return explain ? Explain(bound, "(none: no bucket starts in `during`)", {}) : finish();
      window = std::make_pair(back(first, rolling.width - 1), bucketer.End(last));
    } else {
      TranslateOptions range;
      range.output = TranslateOptions::Output::kBucketRange;
      range.rolling = rolling;
      std::string sql;
      KPI_RETURN_IF_ERROR(Translate(bound, range, q.source_pos, &sql));
      if (explain)
        return Explain(bound, sql, {"then: the rolling windows over the buckets from the first to the last found above"});
      query::Result got;
      KPI_RETURN_IF_ERROR(Send(sql, {{"first", query::ValueType::kTime}, {"last", query::ValueType::kTime}}, &got));
      if (got.rows.empty() || got.rows[0][0].is_null()) return finish();
      first = got.rows[0][0].time_ms;
      last = got.rows[0][1].time_ms;
    }
    for (int64_t s = back(first, rolling.width - 1); s <= last; s = bucketer.End(s)) {
      if (rolling.starts.size() >= kMaxRollingBuckets)
        return Status::ResourceExhausted("`rolling` over more than " + std::to_string(kMaxRollingBuckets) +
                                         " buckets on the clickhouse backend");
      rolling.starts.push_back(s);
    }
    rolling.first = first;
    BoundQuery scan = query::trends::WithWindow(bound, window);
    scan.having = bound.having;
    TranslateOptions options;
    options.order = false;
    options.rolling = std::move(rolling);
    std::string sql;
    KPI_RETURN_IF_ERROR(Translate(scan, options, q.source_pos, &sql));
    if (explain) return Explain(bound, sql, {query::trends::ExplainTrend(q, bound)});
    KPI_RETURN_IF_ERROR(Send(sql, AnswerTypes(bound), out_));
    return finish();
  }

  const Config& config_;
  const Names& names_;
  query::BindContext context_;
  const std::optional<int64_t> as_of_ms_;
  const query::ExecOptions& options_;
  query::Result* out_;
  SelectFailure* failure_;
  SelectUsed* used_;
  std::optional<std::pair<int64_t, int64_t>> event_times_;  // see EventTimes
};

}  // namespace

Status StoredScopeDims(const Config& config, const Names& names, const query::Scope& scope,
                       const std::set<std::string>& tickets,
                       std::map<std::string, std::map<std::string, std::string>>* out) {
  out->clear();
  if (tickets.empty()) return Status::OK();
  // select count() from tickets by ticket, <the scope's dimensions the cluster has>
  std::vector<std::string> dims;
  for (const std::string& d : scope.dims()) {
    const auto info = names.FindColumn(d);
    if (info && info->kind == storage::ColumnKind::kDimension) dims.push_back(d);
  }
  std::string text = "select count() as n from tickets by ticket";
  for (const std::string& d : dims) text += ", " + d;
  query::ast::Statement st;
  query::ParseError perr;
  if (!query::ParseStatement(text, &st, &perr)) return Status::Corruption("clickhouse: the scope lookup did not parse: " + perr.ToString());
  BoundQuery bound;
  query::BindError berr;
  if (!query::BindSelect(std::get<query::ast::SelectQuery>(st), names, query::BindContext{}, &bound, &berr))
    return Status::Corruption("clickhouse: the scope lookup did not bind: " + berr.message);
  TranslateOptions options;
  options.tickets = &tickets;
  options.order = false;
  std::string sql, unsupported;
  if (!TranslateSelect(bound, names, config, options, &sql, &unsupported)) return Status::Corruption("clickhouse: the scope lookup did not translate: " + unsupported);
  std::vector<ResultColumn> columns = {{"ticket", query::ValueType::kString}};
  for (const std::string& d : dims) columns.push_back({d, query::ValueType::kString});
  columns.push_back({"n", query::ValueType::kNumber});
  query::Result got;
  KPI_RETURN_IF_ERROR(SendSelect(config, sql, std::move(columns), &got));
  for (const std::vector<query::Value>& row : got.rows) {
    std::map<std::string, std::string>& values = (*out)[row[0].text];
    for (size_t d = 0; d < dims.size(); ++d)
      if (!row[d + 1].is_null()) values[dims[d]] = row[d + 1].text;
  }
  return Status::OK();
}

Status RunSelect(const query::ast::SelectQuery& q, bool explain, const Config& config, const Names& names,
                 query::BindContext context, std::optional<int64_t> as_of_ms, const query::ExecOptions& options,
                 query::Result* out, SelectFailure* failure, SelectUsed* used) {
  SelectRun run(config, names, std::move(context), as_of_ms, options, out, failure, used);
  return run.Run(q, explain);
}

}  // namespace kpi::clickhouse

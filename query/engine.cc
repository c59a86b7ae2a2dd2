// Engine: statement dispatch (select, explain, define / show / drop kpi),
// error positions and snippets. The work is in binder / plan / executor.
#include "query/engine.h"

#include <algorithm>
#include <chrono>
#include <new>
#include <set>
#include <variant>

#include "query/aggregates/aggregate.h"
#include "query/binder.h"
#include "query/executor.h"
#include "query/kpi_store.h"
#include "query/parser.h"
#include "query/plan.h"
#include "query/suggest.h"
#include "query/time_buckets.h"
#include "storage/store.h"

namespace kpi::query {

namespace {

// The source line holding `pos` and a caret under its column.
std::string Snippet(std::string_view text, const ast::SourcePos& pos) {
  if (pos.line < 1) return "";
  size_t start = 0;
  for (int line = 1; line < pos.line; ++line) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return "";
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string line(text.substr(start, end - start));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > 400) line.resize(400);
  const size_t col = static_cast<size_t>(std::max(pos.column, 1) - 1);
  std::string caret;
  for (size_t i = 0; i < col && i < line.size(); ++i) caret += line[i] == '\t' ? '\t' : ' ';
  if (col > line.size()) caret.append(std::min<size_t>(col - line.size(), 400), ' ');
  return line + "\n" + caret + "^";
}

Status Fail(std::string_view text, const ast::SourcePos& pos, const std::string& message, QueryError* error,
            Status::Code code = Status::Code::kInvalidArgument) {
  error->message = message;
  error->line = pos.line;
  error->column = pos.column;
  error->snippet = Snippet(text, pos);
  const std::string where = "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": ";
  if (code == Status::Code::kNotFound) return Status::NotFound(where + message);
  return Status::InvalidArgument(where + message);
}

// The `as of` instant of `q`, read as the binder reads it (in the query's
// zone); false without one or when it does not parse.
bool AsOfInstant(const ast::SelectQuery& q, int64_t* ms) {
  if (!q.as_of) return false;
  cctz::time_zone tz;
  if (!LoadQueryZone(q.tz.value_or("UTC"), &tz)) return false;
  std::string why;
  return ParseQueryInstant(q.as_of->text, tz, ms, &why);
}

// Names a KPI may not take: it would hide a column or a function.
std::string ShadowedName(const std::string& name, const storage::Catalog& catalog) {
  const auto& builtin = BuiltinColumnNames();
  if (std::find(builtin.begin(), builtin.end(), name) != builtin.end()) return "the column '" + name + "'";
  if (catalog.FindColumn(name)) return "the column '" + name + "'";
  if (FindAggregate(name)) return "the aggregate " + name + "()";
  const auto& tf = TicketFunctionNames();
  if (std::find(tf.begin(), tf.end(), name) != tf.end()) return "the function " + name + "()";
  BucketUnit unit;
  if (ParseBucketUnit(name, &unit)) return "the time bucket '" + name + "'";
  if (name == "events" || name == "tickets") return "the source '" + name + "'";
  return "";
}

// First problem in a KPI expression: an unknown function, or a reference
// back to `self` through other KPIs.
bool CheckKpiExpr(const ast::Expr& e, const std::string& self, const KpiMap& kpis, std::set<std::string>* visiting,
                  int depth, ast::SourcePos* pos, std::string* why) {
  if (depth > 64) {
    *pos = e.pos;
    *why = "kpi definitions nest too deep";
    return false;
  }
  if (e.kind == ast::ExprKind::kCall) {
    const auto& tf = TicketFunctionNames();
    if (!FindAggregate(e.text) && std::find(tf.begin(), tf.end(), e.text) == tf.end()) {
      std::vector<std::string> names = AggregateNames();
      names.insert(names.end(), tf.begin(), tf.end());
      *pos = e.pos;
      *why = "unknown function '" + e.text + "'" + DidYouMean(e.text, names);
      return false;
    }
  }
  if (e.kind == ast::ExprKind::kColumn) {
    if (e.text == self) {
      *pos = e.pos;
      *why = "kpi '" + self + "' would refer to itself";
      return false;
    }
    auto it = kpis.find(e.text);
    if (it != kpis.end() && it->second.expr && visiting->insert(e.text).second) {
      ast::SourcePos inner;
      if (!CheckKpiExpr(*it->second.expr, self, kpis, visiting, depth + 1, &inner, why)) {
        *pos = e.pos;
        *why = "through kpi '" + e.text + "': " + *why;
        return false;
      }
    }
  }
  for (const ast::ExprPtr& a : e.args)
    if (a && !CheckKpiExpr(*a, self, kpis, visiting, depth + 1, pos, why)) return false;
  return true;
}

}  // namespace

Engine::Engine(storage::Store* store) : store_(store) {}

namespace {

class StatementRun {
 public:
  StatementRun(storage::Store* store, std::string_view text, const ExecOptions& options, Result* out,
               QueryError* error)
      : store_(store), text_(text), options_(options), out_(out), error_(error) {}

  Status Run() {
    ast::Statement st;
    ParseError perr;
    if (!ParseStatement(text_, &st, &perr)) {
      error_->message = perr.message;
      error_->line = perr.pos.line;
      error_->column = perr.pos.column;
      error_->snippet = perr.snippet.empty() ? Snippet(text_, perr.pos) : perr.snippet;
      return Status::InvalidArgument(perr.ToString());
    }
    if (auto* s = std::get_if<ast::SelectQuery>(&st)) return Select(*s, false);
    if (auto* s = std::get_if<ast::Explain>(&st)) return Select(s->query, true);
    if (auto* s = std::get_if<ast::DefineKpi>(&st)) return Define(*s);
    if (std::holds_alternative<ast::ShowKpis>(st)) return Show();
    if (auto* s = std::get_if<ast::DropKpi>(&st)) return Drop(*s);
    return Status::InvalidArgument("unsupported statement");
  }

 private:
  Status Select(const ast::SelectQuery& q, bool explain) {
    std::shared_ptr<const storage::Snapshot> snap = store_->GetSnapshot();
    KpiMap kpis_now;
    KPI_RETURN_IF_ERROR(LoadKpis(*store_, &kpis_now, nullptr));
    // `as of T` uses the KPI definitions of T: the report as it was then.
    int64_t as_of_ms = 0;
    const bool as_of = AsOfInstant(q, &as_of_ms);
    KpiMap kpis_then;
    if (as_of) KPI_RETURN_IF_ERROR(LoadKpisAsOf(*store_, as_of_ms, kpis_now, &kpis_then, nullptr));
    const KpiMap& kpis = as_of ? kpis_then : kpis_now;
    std::vector<std::string> kpi_notes;  // for explain: KPIs whose definition changed since
    for (const auto& [name, def] : kpis_then) {
      auto now = kpis_now.find(name);
      if (now != kpis_now.end() && now->second.text == def.text) continue;
      kpi_notes.push_back("kpi " + name + " as of then: " + def.text + " (defined " +
                          FormatInstantUtc(def.defined_at_ms) + "; now " +
                          (now == kpis_now.end() ? std::string("dropped") : now->second.text) + ")");
    }
    BoundQuery bound;
    BindError berr;
    if (!BindSelect(q, snap->catalog(), kpis, &bound, &berr)) {
      if (as_of) {
        for (const auto& [name, def] : kpis_now)
          if (!kpis_then.count(name) && berr.message.find("'" + name + "'") != std::string::npos)
            berr.message += " (kpi '" + name + "' was not defined as of " + FormatInstantUtc(as_of_ms) + ")";
      }
      return Fail(text_, berr.pos, berr.message, error_);
    }
    const ScanPlan plan = BuildScanPlan(bound, *snap);
    if (!explain) return ExecuteSelect(bound, *snap, plan, options_, out_);
    storage::PlanStats stats;
    snap->Plan(plan.spec, &stats);
    if (plan.impossible) stats.partitions_scanned = stats.segments_scanned = stats.events_in_scanned_segments = 0;
    out_->columns = {ResultColumn{"plan", ValueType::kString}};
    for (std::string& line : ExplainLines(bound, plan, stats, std::clamp(options_.threads, 1, 64)))
      out_->rows.push_back({Value::String(std::move(line))});
    for (std::string& line : kpi_notes) out_->rows.push_back({Value::String(std::move(line))});
    out_->warnings = bound.warnings;
    out_->tz = bound.tz_name;
    out_->stats.rows_read = 0;
    out_->stats.partitions_scanned = stats.partitions_scanned;
    out_->stats.partitions_skipped = stats.partitions_total - stats.partitions_scanned;
    out_->stats.segments_scanned = stats.segments_scanned;
    out_->stats.segments_skipped = stats.segments_total - stats.segments_scanned;
    return Status::OK();
  }

  Status Define(const ast::DefineKpi& d) {
    if (d.expr == nullptr) return Fail(text_, d.pos, "kpi '" + d.name + "' has no expression", error_);
    const std::string shadow = ShadowedName(d.name, store_->catalog());
    if (!shadow.empty())
      return Fail(text_, d.pos, "kpi name '" + d.name + "' would hide " + shadow + "; choose another name", error_);
    KpiMap kpis;
    KPI_RETURN_IF_ERROR(LoadKpis(*store_, &kpis, nullptr));
    std::set<std::string> visiting;
    ast::SourcePos pos;
    std::string why;
    if (!CheckKpiExpr(*d.expr, d.name, kpis, &visiting, 0, &pos, &why)) return Fail(text_, pos, why, error_);
    const std::string expr_text = d.expr_text.empty() ? ast::ToString(*d.expr) : d.expr_text;
    const bool existed = kpis.count(d.name) > 0;
    KPI_RETURN_IF_ERROR(SaveKpi(store_, d.name, expr_text, store_->NowMs()));
    out_->message = "kpi " + d.name + (existed ? " redefined" : " defined");
    return Status::OK();
  }

  Status Show() {
    KpiMap kpis;
    KPI_RETURN_IF_ERROR(LoadKpis(*store_, &kpis, nullptr));
    out_->columns = {ResultColumn{"name", ValueType::kString}, ResultColumn{"expression", ValueType::kString},
                     ResultColumn{"defined_at", ValueType::kTime}};
    for (const auto& [name, def] : kpis)
      out_->rows.push_back({Value::String(name), Value::String(def.text), Value::Time(def.defined_at_ms)});
    out_->message = std::to_string(kpis.size()) + (kpis.size() == 1 ? " kpi" : " kpis");
    return Status::OK();
  }

  Status Drop(const ast::DropKpi& d) {
    std::string value;
    Status st = store_->GetMeta(kKpiNamespace, d.name, &value);
    if (st.code() == Status::Code::kNotFound) {
      KpiMap kpis;
      KPI_RETURN_IF_ERROR(LoadKpis(*store_, &kpis, nullptr));
      std::vector<std::string> names;
      for (const auto& [name, def] : kpis) names.push_back(name);
      return Fail(text_, d.pos, "unknown kpi '" + d.name + "'" + DidYouMean(d.name, names), error_,
                  Status::Code::kNotFound);
    }
    KPI_RETURN_IF_ERROR(st);
    KPI_RETURN_IF_ERROR(DropKpi(store_, d.name, store_->NowMs()));
    out_->message = "kpi " + d.name + " dropped";
    return Status::OK();
  }

  storage::Store* store_;
  std::string_view text_;
  const ExecOptions& options_;
  Result* out_;
  QueryError* error_;
};

}  // namespace

Status Engine::Execute(std::string_view text, const ExecOptions& options, Result* out, QueryError* error) const {
  QueryError ignored;
  if (error == nullptr) error = &ignored;
  *error = QueryError{};
  Result scratch;
  if (out == nullptr) out = &scratch;
  *out = Result{};
  if (store_ == nullptr) return Status::InvalidArgument("the engine has no store");
  try {
    StatementRun run(store_, text, options, out, error);
    Status st = run.Run();
    if (!st.ok() && error->message.empty()) error->message = st.message();
    if (!st.ok()) *out = Result{};
    return st;
  } catch (const std::bad_alloc&) {
    *out = Result{};
    error->message = "out of memory while running the query";
    return Status::ResourceExhausted(error->message);
  } catch (const std::exception& e) {
    *out = Result{};
    error->message = std::string("internal error: ") + e.what();
    return Status::Aborted(error->message);
  } catch (...) {
    *out = Result{};
    error->message = "internal error";
    return Status::Aborted(error->message);
  }
}

std::vector<std::string> Engine::CompletionWords() const {
  std::set<std::string> words;
  if (store_ == nullptr) return {};
  const storage::Catalog& catalog = store_->catalog();
  for (const std::string& c : BuiltinColumnNames()) words.insert(c);
  for (const storage::ColumnInfo& c : catalog.Columns()) words.insert(c.name);
  for (const std::string& e : catalog.DictionaryValues(storage::kEventColumn)) words.insert(e);
  for (const std::string& f : AggregateNames()) words.insert(f);
  for (const std::string& f : TicketFunctionNames()) words.insert(f);
  for (const char* b : {"hour", "day", "week", "month", "quarter", "year"}) words.insert(b);
  KpiMap kpis;
  if (LoadKpis(*store_, &kpis, nullptr).ok())
    for (const auto& [name, def] : kpis) words.insert(name);
  return std::vector<std::string>(words.begin(), words.end());
}

}  // namespace kpi::query

// Engine: statement dispatch (select, evaluate, explain; definition
// statements go to query/definition_statements.h), error positions and
// snippets, provenance. The work is in binder / plan / executor / judge.
#include "query/engine.h"

#include <algorithm>
#include <chrono>
#include <new>
#include <set>
#include <variant>

#include "query/aggregates/aggregate.h"
#include "query/backend/statement_steps.h"
#include "query/binder/binder.h"
#include "query/binder/schema.h"
#include "query/execution/executor.h"
#include "query/catalog/definition_store.h"
#include "query/catalog/table_store.h"
#include "query/definition_statements.h"
#include "query/evaluation/definitions.h"
#include "query/evaluation/judge.h"
#include "query/evaluation/provenance.h"
#include "query/evaluation/statement_definitions.h"
#include "query/execution/nested_levels.h"
#include "query/execution/nested_select.h"
#include "query/kpi_store.h"
#include "query/parser/names.h"
#include "query/parser/parser.h"
#include "query/planner/plan.h"
#include "query/execution/scope.h"
#include "query/catalog/meta_store.h"
#include "query/time_buckets.h"
#include "query/trends/trend_select.h"
#include "query/watch/watch_select.h"
#include "storage/store.h"

namespace kpi::query {

Engine::Engine(storage::Store* store) : store_(store) {}

Status Engine::Ingest(std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                      storage::IngestStats* stats) {
  return store_->Ingest(events, rejects, stats);
}

namespace {

class StatementRun {
 public:
  StatementRun(storage::Store* store, std::string_view text, const ExecOptions& options, Result* out,
               QueryError* error)
      : store_(store), text_(text), options_(options), out_(out), error_(error) {}

  Status Run() {
    ast::Statement st;
    KPI_RETURN_IF_ERROR(ParseForRun(text_, &st, error_));
    KPI_RETURN_IF_ERROR(CheckWatchStatement(
        st, &out_, [this](const ast::SelectQuery& q, bool explain) { return Select(q, explain); },
        [this](const ast::Evaluate& ev, bool explain) { return Evaluate(ev, explain); }));
    Status status;
    if (ExecuteDefinitionStatement(store_, CatalogSchema(store_->catalog()), st, text_, out_, error_, &status,
                                   Viewer()))
      return status;
    if (auto* s = std::get_if<ast::SelectQuery>(&st)) return Select(*s, false);
    if (auto* s = std::get_if<ast::Evaluate>(&st)) return Evaluate(*s, false);
    if (auto* s = std::get_if<ast::Explain>(&st)) return s->evaluate ? Evaluate(*s->evaluate, true) : Select(s->query, true);
    return Status::InvalidArgument("unsupported statement");
  }

 private:
  // The scope text whose definitions this statement sees (nullptr: all).
  const std::string* Viewer() const { return options_.scope ? &options_.scope->text() : nullptr; }

  // What every query statement needs before binding: a snapshot, the
  // instant it is answered as of, and the definitions of that instant.
  // `judging`: evaluate needs targets, exemptions and scorecards too.
  Status Prepare(const ast::SelectQuery& q, bool judging = false) {
    snap_ = store_->GetSnapshot();
    const std::optional<int64_t> own_as_of = OwnAsOf(q);
    as_of_ = StatementAsOf(own_as_of, options_);
    // Relative windows: under `as of T` now is T.
    now_ms_ = StatementNow(own_as_of, options_, as_of_, [this] { return store_->NowMs(); });
    // No later than the snapshot's instant: batches sealed after it could
    // still be stamped at or before a later one (storage/batch_instants.cc).
    if (as_of_ && *as_of_ > snap_->instant_ms()) {
      asked_as_of_ = as_of_;
      as_of_ = snap_->instant_ms();
    }
    KPI_RETURN_IF_ERROR(LoadAllDefinitions(*store_, as_of_, &defs_, Viewer(), judging));
    if (as_of_) KPI_RETURN_IF_ERROR(LoadVisibleKpis(*store_, Viewer(), &kpis_now_));
    context_ = BindContext{};
    context_.now_ms = now_ms_;
    KPI_RETURN_IF_ERROR(FillBindContext(*store_, defs_, q, &context_));
    return Status::OK();
  }

  Status BindFailed(const BindError& berr_in) {
    BindError berr = berr_in;
    if (as_of_) berr.message += NotDefinedThen(berr.message, defs_.kpis, kpis_now_, *as_of_);
    return FailAt(text_, berr.pos, berr.message, error_);
  }

  // For explain: KPIs whose definition changed since the `as of` instant.
  std::vector<std::string> KpiNotes() const {
    std::vector<std::string> notes;
    if (!as_of_) return notes;
    for (const auto& [name, def] : defs_.kpis) {
      auto now = kpis_now_.find(name);
      if (now != kpis_now_.end() && now->second.text == def.text) continue;
      notes.push_back("kpi " + name + " as of then: " + def.text + " (defined " + FormatInstantUtc(def.defined_at_ms) +
                      "; now " + (now == kpis_now_.end() ? std::string("dropped") : now->second.text) + ")");
    }
    return notes;
  }

  Status Bind(const ast::SelectQuery& q, BoundQuery* bound) {
    BindError berr;
    if (!BindSelect(q, snap_->catalog(), context_, bound, &berr)) return BindFailed(berr);
    if (as_of_) bound->as_of_ms = as_of_;  // the statement's own, or options', as clamped
    if (!bound->during_relative.empty())
      windows_.push_back(ResolvedWindow{bound->during_relative, bound->during->first, bound->during->second});
    return Status::OK();
  }

  Status Explain(const BoundQuery& bound, const ScanPlan& plan, const std::vector<std::string>& extra) {
    storage::PlanStats stats;
    snap_->Plan(plan.spec, &stats);
    if (plan.impossible) stats.partitions_scanned = stats.segments_scanned = stats.events_in_scanned_segments = 0;
    out_->columns = {ResultColumn{"plan", ValueType::kString}};
    for (std::string& line : ExplainLines(bound, plan, stats, std::clamp(options_.threads, 1, 64)))
      out_->rows.push_back({Value::String(std::move(line))});
    if (options_.scope)
      out_->rows.push_back({Value::String("scope: " + options_.scope->text() +
                                          " (the token's; tickets outside it are skipped at the scan)")});
    for (const std::string& line : extra) out_->rows.push_back({Value::String(line)});
    for (std::string& line : KpiNotes()) out_->rows.push_back({Value::String(std::move(line))});
    out_->warnings = bound.warnings;
    out_->tz = bound.tz_name;
    out_->stats.rows_read = 0;
    out_->stats.partitions_scanned = stats.partitions_scanned;
    out_->stats.partitions_skipped = stats.partitions_total - stats.partitions_scanned;
    out_->stats.segments_scanned = stats.segments_scanned;
    out_->stats.segments_skipped = stats.segments_total - stats.segments_scanned;
    return Status::OK();
  }

  Status Select(const ast::SelectQuery& q, bool explain) {
    if (ReadsWatch(q)) return SelectWatch(q, explain);  // also nested selects over a watch
    if (q.source == "select") return SelectNested(q, explain);
    if (trends::HasTrendClause(q)) return SelectTrend(q, explain);
    KPI_RETURN_IF_ERROR(Prepare(q));
    BoundQuery bound;
    KPI_RETURN_IF_ERROR(Bind(q, &bound));
    const ScanPlan plan = BuildScanPlan(bound, *snap_);
    if (explain) return Explain(bound, plan, {});
    KPI_RETURN_IF_ERROR(ExecuteSelect(bound, *snap_, plan, options_, out_));
    return Stamp(bound.used_definitions);
  }

  // compare with / rolling (query/trends/): bound without `order by` and
  // `limit`, which may name the columns compare adds; the trend code applies them.
  Status SelectTrend(const ast::SelectQuery& q, bool explain) {
    KPI_RETURN_IF_ERROR(Prepare(q));
    ast::SelectQuery base = q;
    base.order_by.clear();
    base.limit.reset();
    BoundQuery bound;
    KPI_RETURN_IF_ERROR(Bind(base, &bound));
    trends::TrendError terr;
    if (!trends::CheckTrendClauses(q, bound, &terr)) return FailAt(text_, terr.pos, terr.message, error_);
    if (explain) return Explain(bound, BuildScanPlan(bound, *snap_), {trends::ExplainTrend(q, bound)});
    const Status st = trends::ExecuteTrendSelect(q, bound, *snap_, options_, out_, &terr);
    if (!st.ok()) return terr.message.empty() ? st : FailAt(text_, terr.pos, terr.message, error_);
    return Stamp(bound.used_definitions);
  }

  // from (select ...): the inner statement first, on the same snapshot, `as
  // of` and definitions, then the outer over its rows
  // (query/execution/nested_select.h); any depth, walked as
  // query/execution/nested_levels.h says.
  Status SelectNested(const ast::SelectQuery& q, bool explain) {
    KPI_RETURN_IF_ERROR(Prepare(q));
    if (explain) {
      const NestedExplain plan = ExplainNested(q);
      BoundQuery bound;
      KPI_RETURN_IF_ERROR(Bind(plan.innermost, &bound));
      return Explain(bound, BuildScanPlan(bound, *snap_), plan.notes);
    }
    const auto start = std::chrono::steady_clock::now();
    std::map<std::string, int64_t> used;
    auto leaf = [&](const ast::SelectQuery& level, bool answer, Result* out) {
      ast::SourcePos pos;
      std::string message;
      if (!NestedLeafError(level, &pos, &message)) return FailAt(text_, pos, message, error_);
      BoundQuery bound;
      KPI_RETURN_IF_ERROR(Bind(level, &bound));
      KPI_RETURN_IF_ERROR(ExecuteSelect(bound, *snap_, BuildScanPlan(bound, *snap_), LevelOptions(options_, answer), out));
      used.insert(bound.used_definitions.begin(), bound.used_definitions.end());
      return Status::OK();
    };
    auto over = [&](const ast::SelectQuery& level, const Result& inner, bool answer, Result* out) {
      BoundQuery bound;
      context_.nested_columns = &inner.columns;
      const Status bound_ok = Bind(level, &bound);
      context_.nested_columns = nullptr;
      KPI_RETURN_IF_ERROR(bound_ok);
      used.insert(bound.used_definitions.begin(), bound.used_definitions.end());
      return ExecuteNestedSelect(&bound, inner, LevelOptions(options_, answer), out);
    };
    KPI_RETURN_IF_ERROR(WalkNested(q, NestedZone(q), leaf, over, out_));
    out_->stats.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return Stamp(used);
  }

  // from watch NAME: the watch's run history (query/watch/watch_select.h).
  Status SelectWatch(const ast::SelectQuery& q, bool explain) {
    KPI_RETURN_IF_ERROR(Prepare(q));
    const CatalogSchema schema(snap_->catalog());
    const MetaReader meta(*store_);
    std::map<std::string, int64_t> used;
    WatchSelectFailure failure;
    const Status s = SelectFromWatch(q, WatchSelectInput{meta, schema, defs_, context_, as_of_, now_ms_, options_},
                                     explain, out_, &used, &windows_, &failure);
    if (!failure.message.empty())
      return failure.bind ? BindFailed(BindError{failure.message, failure.pos})
                          : FailAt(text_, failure.pos, failure.message, error_);
    KPI_RETURN_IF_ERROR(s);
    return explain ? Status::OK() : Stamp(used);
  }

  Status Evaluate(const ast::Evaluate& ev, bool explain) {
    EvaluatePlan plan;
    EvaluateFailure failure;
    KPI_RETURN_IF_ERROR(Prepare(ev.query, /*judging=*/true));
    if (!PlanEvaluate(ev, defs_, &plan, &failure)) return FailAt(text_, failure.pos, failure.message, error_);
    context_.exclusions = plan.exclusions;
    BoundQuery bound;
    KPI_RETURN_IF_ERROR(Bind(plan.select, &bound));
    const ScanPlan scan = BuildScanPlan(bound, *snap_);
    if (explain) {
      KPI_RETURN_IF_ERROR(Explain(bound, scan, JudgeNotes(plan.kpis, bound, defs_)));
      out_->warnings.insert(out_->warnings.end(), plan.warnings.begin(), plan.warnings.end());
      return Status::OK();
    }
    Result values;
    KPI_RETURN_IF_ERROR(ExecuteSelect(bound, *snap_, scan, options_, &values));
    std::map<std::string, int64_t> used = bound.used_definitions;
    if (!JudgeEvaluation(ev, plan, defs_, bound, values, out_, &used, &failure))
      return FailAt(text_, failure.pos, failure.message, error_);
    if (out_->rows.size() > options_.max_result_rows)
      return Status::ResourceExhausted("the evaluation has " + std::to_string(out_->rows.size()) +
                                       " rows, more than the limit of " + std::to_string(options_.max_result_rows));
    out_->stats = values.stats;
    return Stamp(used);
  }

  // Provenance: the instant the answer reflects, the definitions it used and the hash.
  Status Stamp(const std::map<std::string, int64_t>& used) {
    int64_t as_of = 0;
    if (as_of_) {
      as_of = *as_of_;
    } else {
      int64_t latest_definition = 0;
      KPI_RETURN_IF_ERROR(LatestDefinitionChange(*store_, &latest_definition));
      as_of = std::max(snap_->last_batch_time_ms(), latest_definition);
    }
    StampProvenance(used, as_of, now_ms_, windows_, text_, out_);
    if (asked_as_of_)
      out_->warnings.push_back("as of " + FormatInstantUtc(*asked_as_of_) +
                               " is later than the data sealed so far: answered as of " + FormatInstantUtc(as_of) +
                               " (its provenance); the same statement later may see more");
    return Status::OK();
  }

  storage::Store* store_;
  std::string_view text_;
  const ExecOptions& options_;
  Result* out_;
  QueryError* error_;
  std::shared_ptr<const storage::Snapshot> snap_;
  std::optional<int64_t> as_of_;
  std::optional<int64_t> asked_as_of_;  // set when as_of_ was clamped to the snapshot's instant
  int64_t now_ms_ = 0;                  // relative windows read against it
  std::vector<ResolvedWindow> windows_;  // what they resolved to, for provenance
  LoadedDefinitions defs_;
  KpiMap kpis_now_;
  BindContext context_;
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
    // A dictionary page that did not read was answered as an unknown value:
    // the result cannot be trusted (storage/catalog.h, errors).
    if (st.ok()) st = store_->catalog().status();
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

MetaWriter Engine::Meta() const { return MetaWriter(store_); }

Status Engine::LoadSchema(std::shared_ptr<const Schema>* out) const {
  *out = std::make_shared<CatalogSchema>(store_->catalog());
  return Status::OK();
}

Status Engine::ScopeDims(const Scope& scope, const std::set<std::string>& tickets,
                         std::map<std::string, std::map<std::string, std::string>>* out) const {
  return StoredScopeDims(*store_->GetSnapshot(), scope, tickets, out);
}

std::vector<std::string> Engine::CompletionWords(const std::string* viewer) const {
  std::set<std::string> words;
  if (store_ == nullptr) return {};
  const storage::Catalog& catalog = store_->catalog();
  // As a statement writes them: `état` in backticks (query/parser/names.h).
  for (const storage::ColumnInfo& c : catalog.Columns()) words.insert(QuoteName(c.name));
  for (const std::string& e : catalog.DictionaryValues(storage::kEventColumn)) words.insert(QuoteName(e));
  for (std::string& w : DefinitionWords(*store_, viewer)) words.insert(std::move(w));
  return std::vector<std::string>(words.begin(), words.end());
}

}  // namespace kpi::query

// The ClickHouse backend (see clickhouse/clickhouse_backend.h).
#include "clickhouse/clickhouse_backend.h"

#include <chrono>
#include <variant>

#include "clickhouse/event_rows.h"
#include "clickhouse/http_client.h"
#include "clickhouse/meta_table.h"
#include "clickhouse/schema_ddl.h"
#include "clickhouse/select_run.h"
#include "query/backend/statement_steps.h"
#include "query/binder/binder.h"
#include "clickhouse/result_tsv.h"
#include "query/catalog/definition_store.h"
#include "query/definition_statements.h"
#include "query/evaluation/provenance.h"
#include "query/evaluation/definitions.h"
#include "query/evaluation/statement_definitions.h"
#include "query/execution/scope.h"
#include "query/kpi_store.h"
#include "query/parser/names.h"
#include "query/parser/parser.h"
#include "query/time_buckets.h"
#include "query/watch/watch_select.h"
#include "storage/store.h"

namespace kpi::clickhouse {

ClickHouseBackend::ClickHouseBackend(Config config, std::function<int64_t()> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {
  meta_ = std::make_shared<ClickHouseMetaBackend>(config_, [this] { return Now(); });
}

Status ClickHouseBackend::Open(const Config& config, std::function<int64_t()> clock,
                               std::unique_ptr<ClickHouseBackend>* out) {
  if (config.urls.empty()) return Status::InvalidArgument("no --clickhouse-url");
  Status s = EnsureSchema(config);
  if (!s.ok()) return s;
  std::unique_ptr<ClickHouseBackend> b(new ClickHouseBackend(config, std::move(clock)));
  s = Names::Load(config, &b->names_);
  if (!s.ok()) return s;
  *out = std::move(b);
  return Status::OK();
}

int64_t ClickHouseBackend::Now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status ClickHouseBackend::Ingest(std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                                 storage::IngestStats* stats) {
  std::lock_guard<std::mutex> lock(ingest_mu_);
  const int64_t batch_ms = Now();
  std::vector<storage::EventReject> refused;
  Status s = names_->Admit(config_, events, batch_ms, &refused);
  if (!s.ok()) return s;
  std::string rows;
  size_t next_reject = 0;
  uint64_t sent = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (next_reject < refused.size() && refused[next_reject].index == i) {
      ++next_reject;
      continue;
    }
    AppendEventRow(events[i], batch_ms, static_cast<uint32_t>(i), &rows);
    ++sent;
  }
  if (rejects != nullptr) rejects->insert(rejects->end(), refused.begin(), refused.end());
  if (sent > 0) {
    HttpClient::Params params;
    if (!config_.cluster.empty()) params.emplace_back("insert_distributed_sync", "1");
    s = HttpClient(config_.urls[0]).Insert("INSERT INTO " + EventsTable(config_) + " FORMAT TabSeparated", rows, params);
    if (!s.ok()) return s;
  }
  if (stats != nullptr) {
    stats->staged += sent;
    stats->accepted += sent;
  }
  return Status::OK();
}

namespace {

// One statement's run: definitions read from the cluster's metadata, bound
// against the cluster's names, translated and sent to the initiator.
class StatementRun {
 public:
  StatementRun(const ClickHouseBackend& backend, std::string_view text, const query::ExecOptions& options,
               query::Result* out, query::QueryError* error)
      : backend_(backend), config_(backend.config()), text_(text), options_(options), out_(out), error_(error) {}

  Status Run() {
    query::ast::Statement st;
    KPI_RETURN_IF_ERROR(query::ParseForRun(text_, &st, error_));
    KPI_RETURN_IF_ERROR(Names::Load(config_, &names_));
    KPI_RETURN_IF_ERROR(query::CheckWatchStatement(
        st, &out_, [this](const query::ast::SelectQuery& q, bool explain) { return Select(q, explain); },
        [this](const query::ast::Evaluate& ev, bool explain) { return Evaluate(ev, explain); }));
    Status status;
    if (query::ExecuteDefinitionStatement(backend_.Meta(), *names_, st, text_, out_, error_, &status, Viewer()))
      return status;
    if (const auto* q = std::get_if<query::ast::SelectQuery>(&st)) return Select(*q, false);
    if (const auto* ev = std::get_if<query::ast::Evaluate>(&st)) return Evaluate(*ev, false);
    if (const auto* e = std::get_if<query::ast::Explain>(&st))
      return e->evaluate ? Evaluate(*e->evaluate, true) : Select(e->query, true);
    return Fail({1, 1}, "unsupported statement");
  }

 private:
  const std::string* Viewer() const { return options_.scope ? &options_.scope->text() : nullptr; }

  Status Fail(const query::ast::SourcePos& pos, const std::string& message) {
    return query::FailAt(text_, pos, message, error_);
  }

  // The instant the statement is answered as of, the definitions of that
  // instant and the binder's context (query/evaluation/statement_definitions.h).
  Status Prepare(const query::ast::SelectQuery& q, bool judging) {
    const std::optional<int64_t> own_as_of = query::OwnAsOf(q);
    as_of_ = query::StatementAsOf(own_as_of, options_);
    const query::MetaWriter meta = backend_.Meta();
    KPI_RETURN_IF_ERROR(query::LoadAllDefinitions(meta, as_of_, &defs_, Viewer(), judging));
    if (as_of_) KPI_RETURN_IF_ERROR(query::LoadVisibleKpis(meta, Viewer(), &kpis_now_));
    context_ = query::BindContext{};
    context_.now_ms = query::StatementNow(own_as_of, options_, as_of_, [&meta] { return meta.NowMs(); });
    return query::FillBindContext(meta, defs_, q, &context_);
  }

  // A positioned failure of binding or translation; under `as of`, a KPI
  // defined now but not then is named.
  Status SelectFailed(const SelectFailure& failure) {
    std::string message = failure.message;
    if (as_of_) message += query::NotDefinedThen(message, defs_.kpis, kpis_now_, *as_of_);
    return Fail(failure.pos, message);
  }

  // The instant an answer reflects (its provenance's as_of): the `as of`
  // given, else the latest batch time stored or definition change,
  // whichever is later; the statement then reads the batches up to it
  // only, so that rerunning it `as of` that instant gives the same answer
  // even when a batch lands while it runs (docs/scale-out.md, "Provenance").
  Status Pin() {
    if (as_of_) {
      pinned_ = *as_of_;
      return Status::OK();
    }
    std::string reply;
    KPI_RETURN_IF_ERROR(HttpClient(config_.urls[0])
                            .Query("SELECT max(batch_ms) FROM " + EventsTable(config_) + " FORMAT TabSeparated", &reply));
    std::vector<int64_t> latest;
    KPI_RETURN_IF_ERROR(ReadInt64Row(reply, 1, "the latest batch time", &latest));
    int64_t defined = 0;
    KPI_RETURN_IF_ERROR(query::LatestDefinitionChange(backend_.Meta(), &defined));
    pinned_ = std::max(latest[0], defined);
    return Status::OK();
  }

  // Runs (or explains) `q` with the prepared context into *out
  // (clickhouse/select_run.h); an answer reads the batches up to Pin()'s.
  Status RunPrepared(const query::ast::SelectQuery& q, bool explain, query::Result* out, SelectUsed* used) {
    SelectFailure failure;
    const std::optional<int64_t> batches = explain ? as_of_ : std::optional<int64_t>(pinned_);
    const Status s = RunSelect(q, explain, config_, *names_, context_, batches, options_, out, &failure, used);
    if (!failure.message.empty()) return SelectFailed(failure);
    return s;
  }

  Status Select(const query::ast::SelectQuery& q, bool explain) {
    KPI_RETURN_IF_ERROR(Prepare(q, false));
    if (!explain) KPI_RETURN_IF_ERROR(Pin());
    SelectUsed used;
    if (query::ReadsWatch(q)) KPI_RETURN_IF_ERROR(SelectWatch(q, explain, &used));  // also nested selects over a watch
    else KPI_RETURN_IF_ERROR(RunPrepared(q, explain, out_, &used));
    if (!explain) query::StampProvenance(used.definitions, pinned_, context_.now_ms.value_or(0), used.windows, text_, out_);
    return Status::OK();
  }

  // from watch NAME: the run history is in the cluster's metadata; the
  // local engine's code answers it (query/watch/watch_select.h).
  Status SelectWatch(const query::ast::SelectQuery& q, bool explain, SelectUsed* used) {
    const query::MetaWriter meta = backend_.Meta();
    query::WatchSelectFailure failure;
    const Status s = query::SelectFromWatch(
        q, query::WatchSelectInput{meta, *names_, defs_, context_, as_of_, *context_.now_ms, options_}, explain, out_,
        &used->definitions, &used->windows, &failure);
    if (!failure.message.empty())
      return failure.bind ? SelectFailed(SelectFailure{failure.message, failure.pos}) : Fail(failure.pos, failure.message);
    return s;
  }

  // The KPIs' select runs in ClickHouse; the judging is the local code's.
  Status Evaluate(const query::ast::Evaluate& ev, bool explain) {
    query::EvaluatePlan plan;
    query::EvaluateFailure failure;
    if (ev.query.source == "tickets" || ev.query.source == "events") KPI_RETURN_IF_ERROR(Prepare(ev.query, true));
    if (!explain) KPI_RETURN_IF_ERROR(Pin());
    if (!query::PlanEvaluate(ev, defs_, &plan, &failure)) return Fail(failure.pos, failure.message);
    context_.exclusions = plan.exclusions;
    query::BoundQuery bound;  // what the judge reads of the groups
    query::BindError berr;
    if (!query::BindSelect(plan.select, *names_, context_, &bound, &berr))
      return SelectFailed(SelectFailure{berr.message, berr.pos});
    SelectUsed select_used;
    if (explain) {
      KPI_RETURN_IF_ERROR(RunPrepared(plan.select, true, out_, &select_used));
      for (const std::string& line : query::JudgeNotes(plan.kpis, bound, defs_))
        out_->rows.push_back({query::Value::String(line)});
      return Status::OK();
    }
    query::Result values;
    KPI_RETURN_IF_ERROR(RunPrepared(plan.select, false, &values, &select_used));
    std::map<std::string, int64_t> used = bound.used_definitions;
    *out_ = query::Result{};
    if (!query::JudgeEvaluation(ev, plan, defs_, bound, values, out_, &used, &failure))
      return Fail(failure.pos, failure.message);
    out_->tz = values.tz;  // the values' warnings and the plan's are the judge's (query/evaluation/judge.cc)
    out_->stats = values.stats;
    if (out_->rows.size() > options_.max_result_rows)
      return Status::ResourceExhausted("the evaluation has " + std::to_string(out_->rows.size()) +
                                       " rows, more than the limit of " + std::to_string(options_.max_result_rows));
    query::StampProvenance(used, pinned_, context_.now_ms.value_or(0), select_used.windows, text_, out_);
    return Status::OK();
  }

  const ClickHouseBackend& backend_;
  const Config& config_;
  std::string_view text_;
  const query::ExecOptions& options_;
  query::Result* out_;
  query::QueryError* error_;
  std::unique_ptr<Names> names_;
  std::optional<int64_t> as_of_;
  int64_t pinned_ = 0;  // Pin(): the batches an answer reads, its as_of
  query::LoadedDefinitions defs_;
  query::KpiMap kpis_now_;
  query::BindContext context_;
};

}  // namespace

Status ClickHouseBackend::Execute(std::string_view text, const query::ExecOptions& options, query::Result* out,
                                  query::QueryError* error) const {
  query::QueryError ignored;
  if (error == nullptr) error = &ignored;
  *error = query::QueryError{};
  query::Result scratch;
  if (out == nullptr) out = &scratch;
  *out = query::Result{};
  StatementRun run(*this, text, options, out, error);
  const Status s = run.Run();
  if (!s.ok() && error->message.empty()) error->message = s.message();
  if (!s.ok()) *out = query::Result{};
  return s;
}

query::MetaWriter ClickHouseBackend::Meta() const { return query::MetaWriter(meta_); }

Status ClickHouseBackend::ScopeDims(const query::Scope& scope, const std::set<std::string>& tickets,
                                    std::map<std::string, std::map<std::string, std::string>>* out) const {
  std::unique_ptr<Names> names;
  KPI_RETURN_IF_ERROR(Names::Load(config_, &names));
  return StoredScopeDims(config_, *names, scope, tickets, out);
}

Status ClickHouseBackend::LoadSchema(std::shared_ptr<const query::Schema>* out) const {
  std::unique_ptr<Names> names;
  KPI_RETURN_IF_ERROR(Names::Load(config_, &names));
  *out = std::move(names);
  return Status::OK();
}

std::vector<std::string> ClickHouseBackend::CompletionWords(const std::string* viewer) const {
  std::vector<std::string> words = query::DefinitionWords(Meta(), viewer);
  std::unique_ptr<Names> names;
  if (!Names::Load(config_, &names).ok()) return words;
  for (const auto& c : names->Columns()) words.push_back(query::QuoteName(c.name));
  for (const auto& e : names->EventNames()) words.push_back(query::QuoteName(e));
  return words;
}

}  // namespace kpi::clickhouse

// The ClickHouse backend (see clickhouse/clickhouse_backend.h).
#include "clickhouse/clickhouse_backend.h"

#include <chrono>
#include <variant>

#include "clickhouse/event_rows.h"
#include "clickhouse/http_client.h"
#include "clickhouse/schema_ddl.h"
#include "clickhouse/select_run.h"
#include "query/binder/binder.h"
#include "query/parser/parser.h"
#include "query/time_buckets.h"
#include "storage/store.h"

namespace kpi::clickhouse {

ClickHouseBackend::ClickHouseBackend(Config config, std::function<int64_t()> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

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

Status Fail(std::string_view text, const query::ast::SourcePos& pos, const std::string& message,
            query::QueryError* error) {
  error->message = message;
  error->line = pos.line;
  error->column = pos.column;
  error->snippet = query::SourceSnippet(text, pos.line, pos.column);
  return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " +
                                 message);
}

}  // namespace

Status ClickHouseBackend::Execute(std::string_view text, const query::ExecOptions& options, query::Result* out,
                                  query::QueryError* error) const {
  query::ast::Statement st;
  query::ParseError perr;
  if (!query::ParseStatement(text, &st, &perr)) {
    error->message = perr.message;
    error->line = perr.pos.line;
    error->column = perr.pos.column;
    error->snippet = perr.snippet.empty() ? query::SourceSnippet(text, perr.pos.line, perr.pos.column) : perr.snippet;
    return Status::InvalidArgument(perr.ToString());
  }
  const query::ast::SelectQuery* q = std::get_if<query::ast::SelectQuery>(&st);
  bool explain = false;
  if (const auto* e = std::get_if<query::ast::Explain>(&st); e != nullptr && !e->evaluate) {
    q = &e->query;
    explain = true;
  }
  if (q == nullptr) return Fail(text, {1, 1}, "the clickhouse backend runs select and explain select statements only (yet)", error);
  if (options.scope)  // never answer a scoped token with tickets outside its scope
    return Fail(text, {1, 1}, "scoped tokens on the clickhouse backend (not translated yet)", error);
  if (q->source == "watch")
    return Fail(text, q->source_pos, "nested selects and watches on the clickhouse backend (not translated yet)", error);

  std::unique_ptr<Names> names;
  Status s = Names::Load(config_, &names);
  if (!s.ok()) return s;
  query::BindContext context;
  static const query::KpiMap kNoKpis;
  context.kpis = &kNoKpis;
  int64_t as_of = 0;
  bool has_as_of = false;
  if (q->as_of) {
    cctz::time_zone tz;
    std::string why;
    has_as_of = query::LoadQueryZone(q->tz.value_or("UTC"), &tz) && query::ParseQueryInstant(q->as_of->text, tz, &as_of, &why);
  }
  context.now_ms = has_as_of ? as_of : options.now_ms ? *options.now_ms : options.as_of_ms ? *options.as_of_ms : Now();
  SelectFailure failure;
  s = RunSelect(*q, explain, config_, *names, std::move(context), has_as_of ? std::optional<int64_t>(as_of) : options.as_of_ms,
                options, out, &failure);
  if (!failure.message.empty()) return Fail(text, failure.pos, failure.message, error);
  return s;
}

std::vector<std::string> ClickHouseBackend::CompletionWords(const std::string*) const {
  std::vector<std::string> words = query::BuiltinColumnNames();
  std::unique_ptr<Names> names;
  if (!Names::Load(config_, &names).ok()) return words;
  for (const auto& c : names->Columns()) words.push_back(c.name);
  for (const auto& e : names->EventNames()) words.push_back(e);
  return words;
}

}  // namespace kpi::clickhouse

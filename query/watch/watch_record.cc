// Recording watch runs (see query/watch/watch_record.h).
#include "query/watch/watch_record.h"

#include <chrono>

#include "query/catalog/definition_store.h"
#include "query/execution/scope.h"

namespace kpi::query {

Status LoadWatchBook(const MetaReader& meta, const std::string& name, WatchBook* book,
                     std::shared_ptr<const WatchRun>* latest) {
  *book = WatchBook{};
  Status first = LoadWatchState(meta, name, &book->state);
  std::vector<int64_t> times;
  if (Status s = ListWatchRunTimes(meta, name, &times); !s.ok() && first.ok()) first = s;
  book->run_times.assign(times.begin(), times.end());
  if (latest != nullptr && !times.empty()) {
    std::string value;
    auto run = std::make_shared<WatchRun>();
    if (meta.GetMeta(WatchRunNamespace(name), InstantKey(times.back()), &value).ok() &&
        DecodeWatchRun(times.back(), value, run.get()))
      *latest = std::move(run);
  }
  std::vector<AlertRecord> alerts;
  if (Status s = LoadAlerts(meta, &alerts); !s.ok() && first.ok()) first = s;
  for (AlertRecord& a : alerts)
    if (a.watch == name) book->alerts[a.key] = std::move(a);
  return first;
}

WatchRunOutcome RunWatchStatement(const WatchDefinition& def, ExecOptions options, const WatchStatementRunner& run) {
  WatchRunOutcome out;
  const auto start = std::chrono::steady_clock::now();
  if (!def.owner.empty()) out.status = Scope::Parse(def.owner, &options.scope);
  if (out.status.ok()) out.status = run(def.statement, options, &out.result, &out.error);
  out.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

RecordedRun RecordRun(const WatchDefinition& def, int64_t run_ms, WatchRunOutcome outcome, WatchBook* book) {
  const Status& status = outcome.status;
  const QueryError& error = outcome.error;
  Result& result = outcome.result;
  RecordedRun out;
  WatchState& state = book->state;
  state.last_run_ms = run_ms;
  state.last_duration_ms = outcome.duration_ms;
  ++state.runs;
  if (status.ok()) {
    state.last_ok = true;
    state.error.clear();
    state.last_success_ms = run_ms;
    auto run = std::make_shared<WatchRun>();
    run->run_ms = run_ms;
    run->group_columns = def.group_columns;
    run->result.columns = std::move(result.columns);
    run->result.rows = std::move(result.rows);
    std::vector<int64_t> expired;
    while (!book->run_times.empty() && book->run_times.front() < run_ms - def.keep_ms) {
      expired.push_back(book->run_times.front());
      book->run_times.pop_front();
    }
    book->run_times.push_back(run_ms);
    AppendRunWrites(def.name, *run, expired, &out.writes);
    out.update = JudgeRun(def, *run, book->alerts);
    AlertWrites(out.update, &out.writes);
    out.run = std::move(run);
  } else {
    state.last_ok = false;
    state.error = error.message.empty() ? status.ToString() : error.ToString();
    ++state.failures;
  }
  StateWrite(def.name, state, &out.writes);
  return out;
}

void ApplyAlerts(const AlertUpdate& update, std::map<std::string, AlertRecord>* alerts) {
  for (const AlertRecord& a : update.changed) (*alerts)[a.key] = a;
  for (const AlertRecord& a : update.forgotten) alerts->erase(a.key);
}

Status RunWatchOnce(const Backend& backend, const std::string& name, int64_t run_ms, Status* run_status) {
  const MetaWriter meta = backend.Meta();
  DefinitionMap defs;
  KPI_RETURN_IF_ERROR(LoadDefinitions(meta, DefinitionKind::kWatch, &defs));
  const auto stored = defs.find(name);
  if (stored == defs.end()) return Status::NotFound("no watch '" + name + "'");
  WatchDefinition def;
  std::string why;
  if (!WatchFromStored(stored->second, &def, &why)) return Status::InvalidArgument("watch " + name + ": " + why);
  WatchBook book;
  KPI_RETURN_IF_ERROR(LoadWatchBook(meta, name, &book));
  ExecOptions options;
  options.now_ms = run_ms;
  WatchRunOutcome outcome = RunWatchStatement(
      def, options, [&backend](std::string_view text, const ExecOptions& o, Result* out, QueryError* error) {
        return backend.Execute(text, o, out, error);
      });
  *run_status = outcome.status;
  const RecordedRun recorded = RecordRun(def, run_ms, std::move(outcome), &book);
  return meta.WriteMeta(recorded.writes);
}

}  // namespace kpi::query

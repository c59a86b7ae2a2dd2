// Watch run history and state in the store's metadata (see query/watch/watch_runs.h).
#include "query/watch/watch_runs.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <map>

#include "query/catalog/definition_store.h"
#include "query/watch/alerts.h"
#include "query/watch/stored_cell.h"

namespace kpi::query {

namespace {

using nlohmann::json;

bool ParseInstantKey(const std::string& key, int64_t* ms) {
  auto r = std::from_chars(key.data(), key.data() + key.size(), *ms, 16);
  return r.ec == std::errc() && r.ptr == key.data() + key.size();
}

}  // namespace

std::string WatchRunNamespace(const std::string& watch) { return "watch_run/" + watch; }

std::string EncodeWatchRun(const WatchRun& run) {
  json doc;
  doc["groups"] = run.group_columns;
  json columns = json::array();
  for (const ResultColumn& c : run.result.columns) columns.push_back({{"name", c.name}, {"type", ValueTypeName(c.type)}});
  doc["columns"] = std::move(columns);
  json rows = json::array();
  for (const auto& row : run.result.rows) {
    json cells = json::array();
    for (const Value& v : row) cells.push_back(StoredCell(v));
    rows.push_back(std::move(cells));
  }
  doc["rows"] = std::move(rows);
  return doc.dump();
}

bool DecodeWatchRun(int64_t run_ms, const std::string& value, WatchRun* out) {
  *out = WatchRun{};
  out->run_ms = run_ms;
  const json doc = json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("columns") || !doc["columns"].is_array() || !doc.contains("rows") ||
      !doc["rows"].is_array())
    return false;
  if (doc.contains("groups") && doc["groups"].is_number_unsigned()) out->group_columns = doc["groups"].get<size_t>();
  for (const json& c : doc["columns"]) {
    ResultColumn col;
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() || !c.contains("type") ||
        !c["type"].is_string() || !ValueTypeFromName(c["type"].get<std::string>(), &col.type))
      return false;
    col.name = c["name"].get<std::string>();
    out->result.columns.push_back(std::move(col));
  }
  for (const json& r : doc["rows"]) {
    if (!r.is_array()) return false;
    std::vector<Value> row;
    for (size_t i = 0; i < out->result.columns.size(); ++i)
      row.push_back(i < r.size() ? CellFromStored(r[i], out->result.columns[i].type) : Value::Null());
    out->result.rows.push_back(std::move(row));
  }
  return true;
}

std::string EncodeWatchState(const WatchState& s) {
  json doc = {{"last_run_ms", s.last_run_ms}, {"last_ok", s.last_ok},   {"error", s.error},
              {"runs", s.runs},               {"failures", s.failures}, {"skipped", s.skipped},
              {"last_duration_ms", s.last_duration_ms}, {"last_success_ms", s.last_success_ms}};
  return doc.dump();
}

bool DecodeWatchState(const std::string& value, WatchState* out) {
  *out = WatchState{};
  const json doc = json::parse(value, nullptr, false);
  if (!doc.is_object()) return false;
  auto get = [&doc](const char* name, auto* field) {
    using T = std::decay_t<decltype(*field)>;
    if (!doc.contains(name)) return;
    const json& j = doc[name];
    if constexpr (std::is_same_v<T, bool>) {
      if (j.is_boolean()) *field = j.get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (j.is_string()) *field = j.get<std::string>();
    } else {
      if (j.is_number()) *field = j.get<T>();
    }
  };
  get("last_run_ms", &out->last_run_ms);
  get("last_ok", &out->last_ok);
  get("error", &out->error);
  get("runs", &out->runs);
  get("failures", &out->failures);
  get("skipped", &out->skipped);
  get("last_duration_ms", &out->last_duration_ms);
  get("last_success_ms", &out->last_success_ms);
  return true;
}

void AppendRunWrites(const std::string& watch, const WatchRun& run, const std::vector<int64_t>& expired,
                     std::vector<MetaWrite>* writes) {
  const std::string ns = WatchRunNamespace(watch);
  writes->push_back({ns, InstantKey(run.run_ms), EncodeWatchRun(run)});
  for (int64_t ms : expired) writes->push_back({ns, InstantKey(ms), std::nullopt});
}

void StateWrite(const std::string& watch, const WatchState& state, std::vector<MetaWrite>* writes) {
  writes->push_back({kWatchStateNamespace, watch, EncodeWatchState(state)});
}

Status ListWatchRunTimes(const MetaReader& store, const std::string& watch, std::vector<int64_t>* out) {
  out->clear();
  std::vector<std::pair<std::string, std::string>> entries;
  KPI_RETURN_IF_ERROR(store.ListMeta(WatchRunNamespace(watch), &entries));
  for (const auto& [key, value] : entries) {
    int64_t ms = 0;
    if (ParseInstantKey(key, &ms)) out->push_back(ms);
  }
  return Status::OK();
}

Status LoadWatchRuns(const MetaReader& store, const std::string& watch, std::optional<int64_t> until_ms,
                     std::vector<WatchRun>* out) {
  out->clear();
  std::vector<std::pair<std::string, std::string>> entries;
  KPI_RETURN_IF_ERROR(store.ListMeta(WatchRunNamespace(watch), &entries));
  for (const auto& [key, value] : entries) {  // keys sort by instant
    int64_t ms = 0;
    if (!ParseInstantKey(key, &ms) || (until_ms && ms > *until_ms)) continue;
    WatchRun run;
    if (DecodeWatchRun(ms, value, &run)) out->push_back(std::move(run));
  }
  return Status::OK();
}

Status LoadWatchState(const MetaReader& store, const std::string& watch, WatchState* out) {
  *out = WatchState{};
  std::string value;
  const Status s = store.GetMeta(kWatchStateNamespace, watch, &value);
  if (s.code() == Status::Code::kNotFound) return Status::OK();
  KPI_RETURN_IF_ERROR(s);
  DecodeWatchState(value, out);
  return Status::OK();
}

Status ForgetWatchWrites(const MetaReader& store, const std::string& watch,
                         std::vector<MetaWrite>* writes) {
  std::vector<int64_t> runs;
  KPI_RETURN_IF_ERROR(ListWatchRunTimes(store, watch, &runs));
  const std::string ns = WatchRunNamespace(watch);
  for (int64_t ms : runs) writes->push_back({ns, InstantKey(ms), std::nullopt});
  writes->push_back({kWatchStateNamespace, watch, std::nullopt});
  std::vector<AlertRecord> alerts;
  KPI_RETURN_IF_ERROR(LoadAlerts(store, &alerts));
  for (const AlertRecord& a : alerts)
    if (a.watch == watch) writes->push_back({kAlertNamespace, AlertStoreKey(a), std::nullopt});
  return Status::OK();
}

Result WatchHistoryTable(const std::vector<WatchRun>& runs) {
  Result out;
  out.columns.push_back(ResultColumn{"run_at", ValueType::kTime});
  if (runs.empty()) return out;
  const std::vector<ResultColumn>& newest = runs.back().result.columns;
  out.columns.insert(out.columns.end(), newest.begin(), newest.end());
  for (const WatchRun& run : runs) {
    // Where each of the newest columns is in this run (same name and type).
    std::vector<int> at(newest.size(), -1);
    for (size_t i = 0; i < newest.size(); ++i)
      for (size_t j = 0; j < run.result.columns.size(); ++j)
        if (run.result.columns[j].name == newest[i].name && run.result.columns[j].type == newest[i].type) {
          at[i] = static_cast<int>(j);
          break;
        }
    for (const auto& row : run.result.rows) {
      std::vector<Value> cells;
      cells.reserve(newest.size() + 1);
      cells.push_back(Value::Time(run.run_ms));
      for (int j : at) cells.push_back(j >= 0 && static_cast<size_t>(j) < row.size() ? row[j] : Value::Null());
      out.rows.push_back(std::move(cells));
    }
  }
  return out;
}

}  // namespace kpi::query

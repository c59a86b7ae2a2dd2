// `show watches` and `show alerts` (see query/watch/watch_show.h).
#include "query/watch/watch_show.h"

#include <algorithm>

#include "query/catalog/definition_store.h"
#include "query/value_json.h"
#include "query/watch/alerts.h"
#include "query/watch/watch_definition.h"
#include "query/watch/watch_runs.h"

namespace kpi::query {

namespace {

Value TimeOrNull(int64_t ms) { return ms > 0 ? Value::Time(ms) : Value::Null(); }

// Values and targets of several KPIs share a column: numbers, durations in seconds.
Value AsNumber(const Value& v) {
  return v.type == ValueType::kNumber || v.type == ValueType::kDuration ? Value::Number(v.number) : Value::Null();
}

// A group value as `show alerts` lists it.
std::string GroupText(const Value& v) {
  switch (v.type) {
    case ValueType::kNull: return "NULL";
    case ValueType::kBool: return v.boolean ? "true" : "false";
    case ValueType::kNumber:
    case ValueType::kDuration: return ExactNumberText(v.number);
    case ValueType::kTime: return Rfc3339InZone(v.time_ms, "UTC");
    case ValueType::kString: return v.text;
  }
  return "";
}

Status VisibleWatches(const MetaReader& store, const std::string* viewer, DefinitionMap* defs) {
  KPI_RETURN_IF_ERROR(LoadDefinitions(store, DefinitionKind::kWatch, defs));
  KeepVisible(defs, viewer);
  return Status::OK();
}

}  // namespace

Status ShowWatches(const MetaReader& store, const std::string* viewer, Result* out) {
  out->columns = {{"name", ValueType::kString},     {"every", ValueType::kDuration},  {"keep", ValueType::kDuration},
                  {"statement", ValueType::kString}, {"notify", ValueType::kString},   {"defined_at", ValueType::kTime},
                  {"status", ValueType::kString},    {"last_run", ValueType::kTime},   {"error", ValueType::kString},
                  {"runs", ValueType::kNumber},      {"failures", ValueType::kNumber}, {"skipped", ValueType::kNumber}};
  DefinitionMap defs;
  KPI_RETURN_IF_ERROR(VisibleWatches(store, viewer, &defs));
  for (const auto& [name, def] : defs) {
    WatchDefinition w;
    std::string why;
    const bool reads = WatchFromStored(def, &w, &why);
    WatchState state;
    KPI_RETURN_IF_ERROR(LoadWatchState(store, name, &state));
    const std::string status = !reads ? "failed" : state.last_run_ms == 0 ? "not run yet" : state.last_ok ? "ok" : "failed";
    out->rows.push_back({Value::String(name), reads ? Value::Duration(w.every_ms / 1000.0) : Value::Null(),
                         reads ? Value::Duration(w.keep_ms / 1000.0) : Value::Null(),
                         Value::String(reads ? w.statement : def.text),
                         reads && w.notify ? Value::String(*w.notify) : Value::Null(), Value::Time(def.defined_at_ms),
                         Value::String(status), TimeOrNull(state.last_run_ms),
                         !reads ? Value::String("the stored definition no longer reads: " + why)
                         : state.error.empty() ? Value::Null()
                                               : Value::String(state.error),
                         Value::Number(static_cast<double>(state.runs)),
                         Value::Number(static_cast<double>(state.failures)),
                         Value::Number(static_cast<double>(state.skipped))});
  }
  const size_t n = out->rows.size();
  out->message = std::to_string(n) + (n == 1 ? " watch" : " watches");
  return Status::OK();
}

Status ShowAlerts(const MetaReader& store, const std::string* viewer, Result* out) {
  out->columns = {{"watch", ValueType::kString},      {"kpi", ValueType::kString},    {"groups", ValueType::kString},
                  {"state", ValueType::kString},      {"since", ValueType::kTime},    {"resolved_at", ValueType::kTime},
                  {"value", ValueType::kNumber},      {"op", ValueType::kString},     {"target", ValueType::kNumber},
                  {"delivery", ValueType::kString}};
  DefinitionMap defs;
  KPI_RETURN_IF_ERROR(VisibleWatches(store, viewer, &defs));
  std::vector<AlertRecord> alerts;
  KPI_RETURN_IF_ERROR(LoadAlerts(store, &alerts));
  std::erase_if(alerts, [&defs](const AlertRecord& a) { return !defs.count(a.watch); });
  std::stable_sort(alerts.begin(), alerts.end(), [](const AlertRecord& a, const AlertRecord& b) {
    if (a.firing != b.firing) return a.firing;
    return a.firing ? a.since_ms > b.since_ms : a.resolved_ms > b.resolved_ms;
  });
  for (const AlertRecord& a : alerts) {
    std::string groups;
    for (const auto& [name, v] : a.groups) groups += (groups.empty() ? "" : ", ") + name + "=" + GroupText(v);
    out->rows.push_back({Value::String(a.watch), Value::String(a.kpi), Value::String(groups),
                         Value::String(a.firing ? "firing" : "resolved"), Value::Time(a.since_ms),
                         TimeOrNull(a.resolved_ms), AsNumber(a.value),
                         a.op.empty() ? Value::Null() : Value::String(a.op),
                         AsNumber(a.target),
                         a.delivery.empty() ? Value::Null() : Value::String(a.delivery)});
  }
  size_t firing = 0;
  for (const AlertRecord& a : alerts) firing += a.firing;
  out->message = std::to_string(firing) + " firing, " + std::to_string(alerts.size() - firing) + " resolved";
  return Status::OK();
}

}  // namespace kpi::query

// Alerts of watches (see query/watch/alerts.h).
#include "query/watch/alerts.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "query/catalog/definition_store.h"
#include "query/value_json.h"
#include "query/watch/stored_cell.h"

namespace kpi::query {

namespace {

using nlohmann::json;

// A cell as a webhook receiver reads it: times in RFC 3339 (UTC).
json BodyCell(const Value& v) {
  if (v.type == ValueType::kTime) return Rfc3339InZone(v.time_ms, "UTC");
  return StoredCell(v);
}

json TypedCell(const Value& v) { return {{"type", ValueTypeName(v.type)}, {"value", StoredCell(v)}}; }

Value FromTypedCell(const json& j) {
  ValueType type = ValueType::kNull;
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string() || !j.contains("value") ||
      !ValueTypeFromName(j["type"].get<std::string>(), &type))
    return Value::Null();
  return CellFromStored(j["value"], type);
}

int ColumnIndex(const Result& r, const char* name) {
  for (size_t i = 0; i < r.columns.size(); ++i)
    if (r.columns[i].name == name) return static_cast<int>(i);
  return -1;
}

Delivery MakeDelivery(const WatchDefinition& watch, const AlertRecord& a, size_t index) {
  json groups = json::object();
  for (const auto& [name, v] : a.groups) groups[name] = BodyCell(v);
  const std::string status = a.firing ? "firing" : "resolved";
  json body = {{"id", watch.name + "/" + a.key + "/" + std::to_string(a.since_ms) + "/" + status},
               {"watch", watch.name},
               {"status", status},
               {"kpi", a.kpi},
               {"groups", std::move(groups)},
               {"value", BodyCell(a.value)},
               {"op", a.op.empty() ? json(nullptr) : json(a.op)},
               {"target", BodyCell(a.target)},
               {"since", Rfc3339InZone(a.since_ms, "UTC")},
               {"run_at", Rfc3339InZone(a.run_ms, "UTC")}};
  if (!a.firing) body["resolved_at"] = Rfc3339InZone(a.resolved_ms, "UTC");
  Delivery d;
  char index_text[8];
  std::snprintf(index_text, sizeof index_text, "%04zu", index % 10000);
  d.outbox_key = InstantKey(a.run_ms) + "-" + watch.name + "-" + index_text;
  d.url = *watch.notify;
  d.watch = watch.name;
  d.alert_key = a.key;
  d.firing = a.firing;
  d.since_ms = a.since_ms;
  d.body = body.dump();
  return d;
}

}  // namespace

AlertUpdate JudgeRun(const WatchDefinition& watch, const WatchRun& run,
                     const std::map<std::string, AlertRecord>& current) {
  AlertUpdate update;
  if (!watch.notify) return update;
  const Result& r = run.result;
  const int met = ColumnIndex(r, "met");
  if (met < 0) return update;
  const int kpi = watch.evaluate ? ColumnIndex(r, "kpi") : -1;
  const int value = ColumnIndex(r, "value"), target = ColumnIndex(r, "target"), op = ColumnIndex(r, "op");
  const size_t groups = std::min(run.group_columns, r.columns.size());
  for (const auto& row : r.rows) {
    if (row.size() != r.columns.size() || row[met].type != ValueType::kBool) continue;
    AlertRecord a;
    a.watch = watch.name;
    a.kpi = kpi >= 0 && row[kpi].type == ValueType::kString ? row[kpi].text : watch.name;
    json key = json::array({a.kpi});
    for (size_t g = 0; g < groups; ++g) {
      a.groups.emplace_back(r.columns[g].name, row[g]);
      key.push_back(StoredCell(row[g]));
    }
    a.key = key.dump();
    const auto it = current.find(a.key);
    const bool firing = it != current.end() && it->second.firing;
    if (row[met].boolean == !firing) continue;  // no change: met and quiet, or failing and firing
    if (!firing) {
      a.firing = true;
      a.since_ms = run.run_ms;
    } else {
      a = it->second;
      a.firing = false;
      a.resolved_ms = run.run_ms;
    }
    a.value = value >= 0 ? row[value] : Value::Null();
    a.target = target >= 0 ? row[target] : Value::Null();
    a.op = op >= 0 && row[op].type == ValueType::kString ? row[op].text : "";
    a.run_ms = run.run_ms;
    a.delivery = "pending";
    update.deliveries.push_back(MakeDelivery(watch, a, update.deliveries.size()));
    update.changed.push_back(std::move(a));
  }
  for (const auto& [key, a] : current)
    if (!a.firing && a.resolved_ms + watch.keep_ms < run.run_ms) update.forgotten.push_back(a);
  return update;
}

std::string AlertStoreKey(const AlertRecord& record) { return record.watch + "\n" + record.key; }

std::string EncodeAlert(const AlertRecord& a) {
  json groups = json::array();
  for (const auto& [name, v] : a.groups) groups.push_back({{"name", name}, {"cell", TypedCell(v)}});
  json doc = {{"kpi", a.kpi},          {"groups", std::move(groups)}, {"firing", a.firing},
              {"since_ms", a.since_ms}, {"resolved_ms", a.resolved_ms}, {"value", TypedCell(a.value)},
              {"target", TypedCell(a.target)}, {"op", a.op}, {"run_ms", a.run_ms}, {"delivery", a.delivery}};
  return doc.dump();
}

bool DecodeAlert(const std::string& store_key, const std::string& value, AlertRecord* out) {
  *out = AlertRecord{};
  const size_t nl = store_key.find('\n');
  if (nl == std::string::npos) return false;
  out->watch = store_key.substr(0, nl);
  out->key = store_key.substr(nl + 1);
  const json doc = json::parse(value, nullptr, false);
  if (!doc.is_object()) return false;
  try {
    out->kpi = doc.at("kpi").get<std::string>();
    for (const json& g : doc.at("groups")) out->groups.emplace_back(g.at("name").get<std::string>(), FromTypedCell(g.at("cell")));
    out->firing = doc.at("firing").get<bool>();
    out->since_ms = doc.at("since_ms").get<int64_t>();
    out->resolved_ms = doc.at("resolved_ms").get<int64_t>();
    out->value = FromTypedCell(doc.at("value"));
    out->target = FromTypedCell(doc.at("target"));
    out->op = doc.at("op").get<std::string>();
    out->run_ms = doc.at("run_ms").get<int64_t>();
    out->delivery = doc.at("delivery").get<std::string>();
  } catch (const json::exception&) {
    return false;
  }
  return true;
}

void AlertWrites(const AlertUpdate& update, std::vector<MetaWrite>* writes) {
  for (const AlertRecord& a : update.changed) writes->push_back({kAlertNamespace, AlertStoreKey(a), EncodeAlert(a)});
  for (const AlertRecord& a : update.forgotten) writes->push_back({kAlertNamespace, AlertStoreKey(a), std::nullopt});
  for (const Delivery& d : update.deliveries) {
    json doc = {{"url", d.url},     {"watch", d.watch},       {"alert", d.alert_key},
                {"firing", d.firing}, {"since_ms", d.since_ms}, {"body", d.body}};
    writes->push_back({kOutboxNamespace, d.outbox_key, doc.dump()});
  }
}

Status LoadAlerts(const MetaReader& store, std::vector<AlertRecord>* out) {
  out->clear();
  std::vector<std::pair<std::string, std::string>> entries;
  KPI_RETURN_IF_ERROR(store.ListMeta(kAlertNamespace, &entries));
  for (const auto& [key, value] : entries) {
    AlertRecord a;
    if (DecodeAlert(key, value, &a)) out->push_back(std::move(a));
  }
  return Status::OK();
}

Status LoadDeliveries(const MetaReader& store, std::vector<Delivery>* out) {
  out->clear();
  std::vector<std::pair<std::string, std::string>> entries;
  KPI_RETURN_IF_ERROR(store.ListMeta(kOutboxNamespace, &entries));
  for (const auto& [key, value] : entries) {
    const json doc = json::parse(value, nullptr, false);
    Delivery d;
    d.outbox_key = key;
    try {
      d.url = doc.at("url").get<std::string>();
      d.watch = doc.at("watch").get<std::string>();
      d.alert_key = doc.at("alert").get<std::string>();
      d.firing = doc.at("firing").get<bool>();
      d.since_ms = doc.at("since_ms").get<int64_t>();
      d.body = doc.at("body").get<std::string>();
    } catch (const json::exception&) {
      continue;  // not ours to send
    }
    out->push_back(std::move(d));
  }
  return Status::OK();
}

Status FinishDelivery(const MetaWriter& store, const Delivery& delivery, const std::string& outcome) {
  std::vector<MetaWrite> writes;
  writes.push_back({kOutboxNamespace, delivery.outbox_key, std::nullopt});
  const std::string key = delivery.watch + "\n" + delivery.alert_key;
  std::string value;
  AlertRecord a;
  if (store.GetMeta(kAlertNamespace, key, &value).ok() && DecodeAlert(key, value, &a) &&
      a.firing == delivery.firing && a.since_ms == delivery.since_ms) {
    a.delivery = outcome;
    writes.push_back({kAlertNamespace, key, EncodeAlert(a)});
  }
  return store.WriteMeta(writes);
}

}  // namespace kpi::query

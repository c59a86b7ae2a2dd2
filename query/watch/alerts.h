// Alerts of watches with `notify` (docs/query-language.md 17.3): which rows
// fire and resolve, the alert records `show alerts` and GET /v1/alerts list,
// and the webhook deliveries waiting to be sent.
//
// A watch's row is identified by its group values (and its `kpi` for an
// evaluate). A row whose `met` is false fires, unless its alert already
// fires; a firing alert whose row says met = true resolves. A null `met`,
// or a run without the row, changes nothing. Resolved alerts are kept for
// the watch's `keep`, then forgotten.
// Every change of state makes one delivery: a JSON POST body (below) kept
// in the store until the server's sender (server/webhook_sender.h) has
// delivered it, so firing state and undelivered notifications survive a
// restart. Store layout:
//   namespace "watch_alert"   key = watch '\n' row key  -> the alert record (JSON)
//   namespace "watch_outbox"  key = 16 hex digits of the run instant '-' watch '-' 4 digits
//                             -> {"url":..,"watch":..,"alert":row key,"body":..}
// Body: {"id":"<watch>/<row key>/<since ms>/<status>","watch":..,"status":"firing"|"resolved",
//        "kpi":..,"groups":{"channel":"chat"},"value":..,"op":"<=","target":..,
//        "since":"<RFC 3339>","run_at":"<RFC 3339>"[,"resolved_at":"<RFC 3339>"]}
// `id` is the same for every retry of one notification: receivers can
// drop repeats (a crash between a delivery and its bookkeeping repeats it).
// Thread safety: pure functions and functions over a Store.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "query/result.h"
#include "query/watch/watch_definition.h"
#include "query/watch/watch_runs.h"
#include "storage/status.h"
#include "query/catalog/meta_store.h"

namespace kpi::query {

inline constexpr const char* kAlertNamespace = "watch_alert";
inline constexpr const char* kOutboxNamespace = "watch_outbox";

struct AlertRecord {
  std::string watch;
  std::string key;  // the row's identity in the watch: JSON array of the kpi and the group values
  std::string kpi;  // the evaluated KPI, or the watch's name for a select
  std::vector<std::pair<std::string, Value>> groups;  // group column -> value
  bool firing = false;
  int64_t since_ms = 0;     // the run that fired it
  int64_t resolved_ms = 0;  // the run that resolved it (0 while firing)
  Value value, target;
  std::string op;
  int64_t run_ms = 0;       // the run of the last change
  std::string delivery;     // "pending", "delivered", "failed: <why>"; empty without notify
};

struct Delivery {
  std::string outbox_key;
  std::string url;
  std::string watch;
  std::string alert_key;
  bool firing = false;   // the change it announces: firing (or resolved) since since_ms
  int64_t since_ms = 0;
  std::string body;      // the JSON POST body
};

// The changes one run makes.
struct AlertUpdate {
  std::vector<AlertRecord> changed;          // new or changed records
  std::vector<AlertRecord> forgotten;        // resolved longer than `keep` ago
  std::vector<Delivery> deliveries;
};

// `current`: the watch's records by row key.
AlertUpdate JudgeRun(const WatchDefinition& watch, const WatchRun& run,
                     const std::map<std::string, AlertRecord>& current);

std::string AlertStoreKey(const AlertRecord& record);  // watch '\n' key
std::string EncodeAlert(const AlertRecord& record);
bool DecodeAlert(const std::string& store_key, const std::string& value, AlertRecord* out);
void AlertWrites(const AlertUpdate& update, std::vector<MetaWrite>* writes);

// Every alert record (all watches), by watch then row key.
Status LoadAlerts(const MetaReader& store, std::vector<AlertRecord>* out);
// Every delivery not yet done, oldest first.
Status LoadDeliveries(const MetaReader& store, std::vector<Delivery>* out);
// Ends a delivery: removes it from the outbox and records `outcome`
// ("delivered" or "failed: ...") on its alert, if the alert still holds
// the change it announced.
Status FinishDelivery(const MetaWriter& store, const Delivery& delivery, const std::string& outcome);

}  // namespace kpi::query

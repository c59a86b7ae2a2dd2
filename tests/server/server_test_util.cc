// Shared pieces of the server tests (see server_test_util.h).
#include "server_test_util.h"

#include <cstdio>

#include <gtest/gtest.h>

namespace kpi::server::testing {

std::string EventLine(int ticket, const std::string& event, int minute) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"id\":\"e-%d-%s\",\"ts\":\"2025-03-01T08:%02d:00Z\",\"ticket\":\"T%06d\",\"event\":\"%s\","
                "\"channel\":\"%s\"}\n",
                ticket, event.c_str(), minute % 60, ticket, event.c_str(), ticket % 2 == 0 ? "chat" : "email");
  return buf;
}

std::string EventLines(int first, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += EventLine(first + i);
  return out;
}

QueryRunner CountEventsRunner(storage::Store* store) {
  return [store](std::string_view, const query::ExecOptions&, query::Result* result, query::QueryError*) {
    std::shared_ptr<const storage::Snapshot> snap = store->GetSnapshot();
    storage::PlanStats stats;
    double events = 0;
    for (const storage::SegmentRef& ref : snap->Plan(storage::ScanSpec{}, &stats)) {
      std::shared_ptr<const storage::Segment> segment;
      Status s = snap->Load(ref, &segment);
      if (!s.ok()) return s;
      events += segment->num_events();
    }
    *result = query::Result();
    result->columns.push_back({"count", query::ValueType::kNumber});
    result->rows.push_back({query::Value::Number(events)});
    return Status::OK();
  };
}

ScratchStore::ScratchStore() {
  storage::StoreOptions options;
  options.sync = false;  // tests need no fsync; the server path is the same
  Status s = storage::Store::Open(dir.path() + "/db", options, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace kpi::server::testing

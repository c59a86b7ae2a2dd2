// Queries over the real public logs in ../shared/realdata, checked against
// numbers computed INDEPENDENTLY of kpistore by tests/query/realdata/expected.py
// (plain Python over the same NDJSON files: dedup by (ticket, id), created =
// first `created` else earliest event, first resolved at or after created,
// percentile at q * (n - 1), latest dimension value, months in a zone with
// zoneinfo). Rerun the script and paste its output here if the data changes.
// Skips with a message when the real logs are not in this clone.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "query/engine.h"
#include "query/reference/reference_time.h"
#include "query/reference/result_text.h"
#include "storage/ingest/event_reader.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::realdata {
namespace {

using Counts = std::vector<std::pair<std::string, int64_t>>;

struct Expected {
  const char* folder;
  const char* file;
  int64_t tickets, events;
  Counts events_by_name;
  int64_t tickets_with_resolved;
  double resolution_p50, resolution_p90, resolution_avg;  // seconds, over tickets with a resolved
  int64_t tickets_with_closed;
  Counts tickets_by_year;
  const char* dim;  // a dimension whose latest value has no ties (checked by the script)
  Counts tickets_by_dim;
  const char* month_zone;  // "" to skip
  Counts events_by_month;
};

// Output of `python3 tests/query/realdata/expected.py` (2025 copy of the logs).
const Expected kHelpdesk = {
    "helpdesk", "events.ndjson", 4580, 21348,
    {{"assign_seriousness", 4938}, {"assigned", 5060}, {"closed", 4574}, {"create_sw_anomaly", 67},
     {"insert_ticket", 118}, {"require_upgrade", 119}, {"resolve_sw_anomaly", 13}, {"resolved", 4983},
     {"schedule_intervention", 5}, {"status_duplicate", 1}, {"status_invalid", 2}, {"status_resolved", 2},
     {"status_verified", 3}, {"wait", 1463}},
    4569, 516936.0, 2580736.4, 960985.3335521996, 4559,
    {{"2010", 977}, {"2011", 1518}, {"2012", 1412}, {"2013", 673}},
    "team", {{"Value 1", 3887}, {"Value 2", 545}, {"Value 3", 89}, {"Value 4", 59}},
    "Europe/Rome",
    {{"2010-01", 58},  {"2010-02", 191}, {"2010-03", 336}, {"2010-04", 355}, {"2010-05", 480}, {"2010-06", 369},
     {"2010-07", 403}, {"2010-08", 290}, {"2010-09", 632}, {"2010-10", 490}, {"2010-11", 535}, {"2010-12", 462},
     {"2011-01", 544}, {"2011-02", 623}, {"2011-03", 639}, {"2011-04", 674}, {"2011-05", 636}, {"2011-06", 597},
     {"2011-07", 517}, {"2011-08", 388}, {"2011-09", 473}, {"2011-10", 600}, {"2011-11", 722}, {"2011-12", 663},
     {"2012-01", 806}, {"2012-02", 658}, {"2012-03", 676}, {"2012-04", 561}, {"2012-05", 777}, {"2012-06", 722},
     {"2012-07", 823}, {"2012-08", 384}, {"2012-09", 360}, {"2012-10", 194}, {"2012-11", 162}, {"2012-12", 124},
     {"2013-01", 258}, {"2013-02", 412}, {"2013-03", 379}, {"2013-04", 368}, {"2013-05", 340}, {"2013-06", 306},
     {"2013-07", 251}, {"2013-08", 204}, {"2013-09", 213}, {"2013-10", 286}, {"2013-11", 236}, {"2013-12", 154},
     {"2014-01", 17}},
};

const Expected kBpi2013 = {
    "bpi2013", "events.ndjson", 7554, 65533,
    {{"accepted_in_progress", 30239}, {"accepted_wait", 1533}, {"accepted_wait_customer", 101},
     {"accepted_wait_implementation", 493}, {"accepted_wait_user", 4217}, {"accepted_wait_vendor", 313},
     {"assigned", 3221}, {"closed", 5716}, {"completed_cancelled", 1}, {"completed_in_call", 2035},
     {"queued_awaiting_assignment", 11544}, {"resolved", 6115}, {"unmatched", 5}},
    5663, 182433.0, 1741490.8000000003, 851647.9955853787, 5574,
    {{"2010", 1}, {"2011", 61}, {"2012", 7492}},
    "impact", {{"High", 261}, {"Low", 3245}, {"Major", 3}, {"Medium", 4045}},
    "Europe/Brussels",
    {{"2010-03", 3},    {"2010-04", 9},    {"2011-01", 5},    {"2011-02", 13},   {"2011-03", 65},
     {"2011-04", 42},   {"2011-05", 50},   {"2011-06", 96},   {"2011-07", 99},   {"2011-08", 110},
     {"2011-09", 46},   {"2011-10", 64},   {"2011-11", 151},  {"2011-12", 145},  {"2012-01", 424},
     {"2012-02", 490},  {"2012-03", 2102}, {"2012-04", 18319}, {"2012-05", 43300}},
};

const Expected kServiceNow = {
    "servicenow", "events.ndjson.gz", 24918, 166630,
    {{"active", 15659}, {"assigned", 2467}, {"awaiting_evidence", 24}, {"awaiting_problem", 253},
     {"awaiting_user_info", 5850}, {"awaiting_vendor", 269}, {"closed", 24930}, {"created", 24918},
     {"new", 16397}, {"reopened", 331}, {"resolved", 25236}, {"state_minus_100", 2}, {"transferred", 20640},
     {"updated", 29654}},
    24905, 49980.0, 1262340.0, 586524.9130696647, 24918,
    {{"2016", 24769}, {"2017", 149}},
    "priority", {{"1 - Critical", 270}, {"2 - High", 408}, {"3 - Moderate", 23466}, {"4 - Low", 774}},
    "",
    {},
};

// One store per data set, built on first use and kept for the whole run;
// closed by RealDataCleanup before exit (closing a RocksDB from a static
// destructor runs after RocksDB's own statics are gone and crashes).
class RealData {
 public:
  static RealData* Get(const Expected& e) {
    auto it = Cache().find(e.folder);
    if (it == Cache().end()) it = Cache().emplace(e.folder, std::unique_ptr<RealData>(new RealData(e))).first;
    return it->second.get();
  }
  static void CloseAll() { Cache().clear(); }
  const std::string& skip_reason() const { return skip_; }
  const std::string& load_error() const { return error_; }

  query::Result Run(const std::string& text) {
    query::Engine engine(store_.get());
    query::Result r;
    query::QueryError err;
    const Status st = engine.Execute(text, query::ExecOptions{}, &r, &err);
    EXPECT_TRUE(st.ok()) << text << "\n" << st.ToString() << "\n" << err.ToString();
    return r;
  }

 private:
  explicit RealData(const Expected& e) : dir_("kpi-realdata") {
    const std::string path = kpi::testing::SharedPath(std::string("realdata/") + e.folder + "/" + e.file);
    if (path.empty()) {
      skip_ = std::string("real logs not present in this clone (../shared/realdata/") + e.folder + ")";
      return;
    }
    storage::StoreOptions options;
    options.sync = false;
    options.cache_bytes = size_t{256} << 20;
    if (!storage::Store::Open(dir_.path(), options, &store_).ok()) {
      error_ = "cannot open a store";
      return;
    }
    std::unique_ptr<ingest::EventReader> reader;
    Status st = ingest::EventReader::Open(path, ingest::ReaderOptions{}, &reader);
    if (!st.ok()) {
      error_ = st.ToString();
      return;
    }
    std::vector<RawEvent> events;
    std::vector<ingest::Reject> rejects;
    while (true) {
      st = reader->Next(50000, &events, &rejects);
      if (!st.ok()) {
        error_ = st.ToString();
        return;
      }
      if (events.empty()) break;
      std::vector<storage::EventReject> refused;
      storage::IngestStats stats;
      st = store_->Ingest(events, &refused, &stats);
      if (!st.ok() || !refused.empty()) {
        error_ = !st.ok() ? st.ToString() : refused[0].reason;
        return;
      }
    }
    if (!rejects.empty()) error_ = "reader rejected " + rejects[0].file + ":" + std::to_string(rejects[0].line) +
                                   ": " + rejects[0].reason;
  }

  static std::map<std::string, std::unique_ptr<RealData>>& Cache() {
    static auto* cache = new std::map<std::string, std::unique_ptr<RealData>>();
    return *cache;
  }

  kpi::testing::ScratchDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::string skip_, error_;
};

class RealDataCleanup : public ::testing::Environment {
 public:
  void TearDown() override { RealData::CloseAll(); }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new RealDataCleanup);

class RealDataQueries : public ::testing::TestWithParam<const Expected*> {
 protected:
  void SetUp() override {
    data_ = RealData::Get(*GetParam());
    if (!data_->skip_reason().empty()) GTEST_SKIP() << data_->skip_reason();
    ASSERT_TRUE(data_->load_error().empty()) << data_->load_error();
  }
  const Expected& want() const { return *GetParam(); }
  RealData* data_ = nullptr;
};

double Number(const query::Value& v) { return v.number; }

// Rows (key, count) of a `by <key>` query with `count() as n`.
Counts CountsOf(const query::Result& r, const std::string& zone = "", size_t key_chars = 0) {
  Counts out;
  cctz::time_zone tz;
  reference::LoadZone(zone.empty() ? "UTC" : zone, &tz);
  for (const auto& row : r.rows) {
    std::string key;
    if (row[0].type == query::ValueType::kTime) {
      key = reference::FormatInZone(row[0].time_ms, tz).substr(0, key_chars);
    } else {
      key = reference::FormatCell(row[0], r.tz);
    }
    out.emplace_back(key, static_cast<int64_t>(Number(row[1])));
  }
  return out;
}

TEST_P(RealDataQueries, TicketAndEventCounts) {
  query::Result r = data_->Run("select count() as n from tickets");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Number(r.rows[0][0]), want().tickets);
  r = data_->Run("select count() as n from events");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Number(r.rows[0][0]), want().events);
}

TEST_P(RealDataQueries, EventsPerEventName) {
  const query::Result r = data_->Run("select count() as n from events by event");
  EXPECT_EQ(CountsOf(r), want().events_by_name);
}

TEST_P(RealDataQueries, ResolvedAndClosedTickets) {
  query::Result r = data_->Run("select count() as n, rate(has(closed)) as closed from tickets where has(resolved)");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Number(r.rows[0][0]), want().tickets_with_resolved);
  r = data_->Run("select count() as n from tickets where has(closed)");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Number(r.rows[0][0]), want().tickets_with_closed);
}

TEST_P(RealDataQueries, ResolutionTimePercentiles) {
  const query::Result r = data_->Run(
      "select count() as n, p50(duration(created -> resolved)) as p50, p90(duration(created -> resolved)) as p90,"
      " avg(duration(created -> resolved)) as mean from tickets where has(resolved)");
  ASSERT_EQ(r.rows.size(), 1u);
  ASSERT_EQ(r.columns.size(), 4u);
  EXPECT_EQ(Number(r.rows[0][0]), want().tickets_with_resolved);
  EXPECT_EQ(r.columns[1].type, query::ValueType::kDuration);
  EXPECT_NEAR(Number(r.rows[0][1]), want().resolution_p50, 1e-6);
  EXPECT_NEAR(Number(r.rows[0][2]), want().resolution_p90, 1e-6);
  EXPECT_NEAR(Number(r.rows[0][3]), want().resolution_avg, 1e-6);
}

TEST_P(RealDataQueries, TicketsPerCreationYear) {
  const query::Result r = data_->Run("select count() as n from tickets by year");
  EXPECT_EQ(CountsOf(r, "UTC", 4), want().tickets_by_year);
}

TEST_P(RealDataQueries, TicketsPerLatestDimension) {
  const query::Result r = data_->Run(std::string("select count() as n from tickets by ") + want().dim);
  EXPECT_EQ(CountsOf(r), want().tickets_by_dim);
}

TEST_P(RealDataQueries, EventsPerMonthInZone) {
  if (std::string(want().month_zone).empty()) GTEST_SKIP() << "no month check for this data set";
  const query::Result r = data_->Run(std::string("select count() as n from events by month tz \"") +
                                     want().month_zone + "\"");
  EXPECT_EQ(CountsOf(r, want().month_zone, 7), want().events_by_month);
}

INSTANTIATE_TEST_SUITE_P(Logs, RealDataQueries, ::testing::Values(&kHelpdesk, &kBpi2013, &kServiceNow),
                         [](const ::testing::TestParamInfo<const Expected*>& info) {
                           return std::string(info.param->folder);
                         });

}  // namespace
}  // namespace kpi::realdata

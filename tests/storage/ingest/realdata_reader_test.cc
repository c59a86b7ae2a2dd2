// The three real logs of ../shared/realdata read with zero rejects and the
// event and ticket counts stated in their SOURCE.md files; lines are sorted
// by ts there, so the parsed instants must never go backwards.
#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

#include "storage/ingest/event_reader.h"
#include "storage/timestamp.h"
#include "test_util.h"

namespace kpi::ingest {
namespace {

struct RealLog {
  const char* path;
  uint64_t events;
  uint64_t tickets;
  const char* first_ts;  // first line's ts
  const char* first_ticket;
  const char* first_event;
};

class RealDataReaderTest : public ::testing::TestWithParam<RealLog> {};

TEST_P(RealDataReaderTest, EveryLineParses) {
  const RealLog& log = GetParam();
  const std::string path = kpi::testing::SharedPath(log.path);
  if (path.empty()) {
    GTEST_SKIP() << "../shared/" << log.path << " is not present in this clone (real logs are not redistributed)";
  }
  std::unique_ptr<EventReader> reader;
  ASSERT_TRUE(EventReader::Open(path, ReaderOptions(), &reader).ok());
  std::vector<RawEvent> batch;
  std::vector<Reject> rejects;
  std::unordered_set<std::string> tickets;
  std::unordered_set<std::string> ids;
  uint64_t events = 0;
  int64_t previous_ts = 0;
  uint64_t out_of_order = 0;
  bool first = true;
  for (;;) {
    Status s = reader->Next(10000, &batch, &rejects);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (batch.empty()) break;
    for (const RawEvent& e : batch) {
      if (first) {
        int64_t ms = 0;
        std::string error;
        ASSERT_TRUE(ParseRfc3339(log.first_ts, &ms, &error)) << error;
        EXPECT_EQ(e.ts_ms, ms);
        EXPECT_EQ(e.ticket, log.first_ticket);
        EXPECT_EQ(e.event, log.first_event);
        EXPECT_EQ(e.line, 1u);
        first = false;
      }
      ++events;
      EXPECT_EQ(e.line, events) << "no line is blank or rejected, so line == event number";
      if (e.ts_ms < previous_ts) ++out_of_order;
      previous_ts = e.ts_ms;
      tickets.insert(e.ticket);
      EXPECT_FALSE(e.id.empty());
      ids.insert(e.id);
    }
  }
  for (size_t i = 0; i < rejects.size() && i < 5; ++i) {
    ADD_FAILURE() << rejects[i].file << ":" << rejects[i].line << ": " << rejects[i].reason;
  }
  EXPECT_EQ(rejects.size(), 0u);
  EXPECT_EQ(events, log.events);
  EXPECT_EQ(tickets.size(), log.tickets);
  EXPECT_EQ(ids.size(), log.events) << "ids are unique per line";
  EXPECT_EQ(out_of_order, 0u) << "the files are sorted by ts";
  EXPECT_EQ(reader->lines_read(), log.events);
  EXPECT_EQ(reader->bytes_consumed(), reader->total_bytes());
}

INSTANTIATE_TEST_SUITE_P(
    RealLogs, RealDataReaderTest,
    ::testing::Values(RealLog{"realdata/bpi2013/events.ndjson", 65533, 7554, "2010-03-31T14:59:42.000Z",
                              "1-364285768", "accepted_in_progress"},
                      RealLog{"realdata/helpdesk/events.ndjson", 21348, 4580, "2010-01-13T08:40:25.000Z",
                              "Case 3608", "assign_seriousness"},
                      RealLog{"realdata/servicenow/events.ndjson.gz", 166630, 24918, "2016-02-29T01:16:00.000Z",
                              "INC0000045", "created"}),
    [](const ::testing::TestParamInfo<RealLog>& info) {
      const std::string p = info.param.path;
      return p.substr(9, p.find('/', 9) - 9);  // realdata/<name>/...
    });

}  // namespace
}  // namespace kpi::ingest

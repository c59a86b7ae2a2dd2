// The correction fields of event-format.md (`revision`, `op`) in both input
// formats: accepted forms, refused forms with their reasons, and the rule
// that a revision or a retraction needs an `id`.
#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

#include "reader_test_util.h"
#include "storage/ingest/event_reader.h"
#include "storage/ingest/ndjson_parser.h"
#include "test_util.h"

namespace kpi::ingest {
namespace {

TEST(CorrectionFieldsTest, Ndjson) {
  std::unordered_set<std::string> measures;
  NdjsonParser parser(&measures, true);
  RawEvent e;
  std::string reason;
  const std::string head = R"({"ts":"2025-03-01T08:00:00Z","ticket":"T1","event":"rated","csat":4)";
  ASSERT_TRUE(parser.Parse(head + R"(,"id":"r1","revision":3})", &e, &reason)) << reason;
  EXPECT_EQ(e.revision, 3u);
  EXPECT_FALSE(e.retract);
  EXPECT_TRUE(e.dims.empty());  // revision and op are not dimensions or measures
  ASSERT_TRUE(parser.Parse(head + R"(,"id":"r1","revision":"4","op":"retract"})", &e, &reason)) << reason;
  EXPECT_EQ(e.revision, 4u);
  EXPECT_TRUE(e.retract);
  ASSERT_TRUE(parser.Parse(head + R"(,"id":"r1","op":"upsert"})", &e, &reason)) << reason;
  EXPECT_EQ(e.revision, 0u);  // reset between lines
  EXPECT_FALSE(e.retract);
  ASSERT_TRUE(parser.Parse(head + R"(,"id":"r1","revision":4294967295})", &e, &reason)) << reason;
  EXPECT_EQ(e.revision, 4294967295u);

  auto refuse = [&](const std::string& line, const std::string& part) {
    RawEvent x;
    std::string why;
    EXPECT_FALSE(parser.Parse(line, &x, &why)) << line;
    EXPECT_NE(why.find(part), std::string::npos) << line << " -> " << why;
  };
  refuse(head + R"(,"revision":2})", "needs an \"id\"");
  refuse(head + R"(,"op":"retract"})", "needs an \"id\"");
  refuse(head + R"(,"id":"r1","revision":-1})", "\"revision\"");
  refuse(head + R"(,"id":"r1","revision":4294967296})", "\"revision\"");
  refuse(head + R"(,"id":"r1","revision":1.5})", "\"revision\"");
  refuse(head + R"(,"id":"r1","revision":true})", "\"revision\"");
  refuse(head + R"(,"id":"r1","op":"delete"})", "\"op\": expected \"upsert\" or \"retract\"");
  refuse(head + R"(,"id":"r1","op":1})", "\"op\"");
}

TEST(CorrectionFieldsTest, Csv) {
  kpi::testing::ScratchDir dir("ingest");
  const std::string path = dir / "events.csv";
  kpi::testing::WriteFile(path,
                          "ts,ticket,event,id,revision,op,csat\n"
                          "2025-03-01T08:00:00Z,T1,rated,r1,,,4\n"          // 2: plain
                          "2025-03-01T08:00:00Z,T1,rated,r1,2,,5\n"         // 3: revision 2
                          "2025-03-01T08:00:00Z,T1,rated,r1,3,retract,\n"   // 4: retract
                          "2025-03-01T08:00:00Z,T1,rated,,3,,\n"            // 5: no id
                          "2025-03-01T08:00:00Z,T1,rated,r1,x,,\n"          // 6: bad revision
                          "2025-03-01T08:00:00Z,T1,rated,r1,1,drop,\n");    // 7: bad op
  ReaderOptions options;
  options.csv_measures = {"csat"};
  testing::ReadResult r = testing::ReadAll(path, options);
  ASSERT_EQ(r.events.size(), 3u) << testing::Describe(r.rejects);
  EXPECT_EQ(r.events[0].revision, 0u);
  EXPECT_EQ(r.events[1].revision, 2u);
  EXPECT_FALSE(r.events[1].retract);
  EXPECT_EQ(r.events[2].revision, 3u);
  EXPECT_TRUE(r.events[2].retract);
  ASSERT_EQ(r.rejects.size(), 3u);
  EXPECT_EQ(r.rejects[0].line, 5u);
  EXPECT_NE(r.rejects[0].reason.find("needs an \"id\""), std::string::npos) << r.rejects[0].reason;
  EXPECT_NE(r.rejects[1].reason.find("\"revision\""), std::string::npos) << r.rejects[1].reason;
  EXPECT_NE(r.rejects[2].reason.find("\"op\""), std::string::npos) << r.rejects[2].reason;
}

}  // namespace
}  // namespace kpi::ingest

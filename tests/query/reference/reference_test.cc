// Tests of the reference evaluator itself (the oracle must be right before it
// judges the engine): its time arithmetic, its ticket model (dedup, as of,
// per-ticket functions) and a few whole queries with hand-computed answers.
#include <gtest/gtest.h>

#include <variant>

#include "query/parser/parser.h"
#include "query/reference/reference_evaluator.h"
#include "query/reference/reference_events.h"
#include "query/reference/reference_tickets.h"
#include "query/reference/reference_time.h"
#include "query/reference/result_text.h"

namespace kpi::reference {
namespace {

int64_t Ms(const std::string& text) {
  int64_t ms = 0;
  EXPECT_TRUE(ParseInstant(text, cctz::utc_time_zone(), &ms)) << text;
  return ms;
}

cctz::time_zone Zone(const std::string& name) {
  cctz::time_zone tz;
  EXPECT_TRUE(LoadZone(name, &tz)) << name;
  return tz;
}

RawEvent Ev(const std::string& line) {
  RawEvent e;
  std::string error;
  EXPECT_TRUE(ParseEventLine(line, &e, &error)) << line << ": " << error;
  return e;
}

TEST(ReferenceTime, ParsesDatesAndTimestamps) {
  EXPECT_EQ(Ms("1970-01-01"), 0);
  EXPECT_EQ(Ms("2025-03-01T08:15:02.123Z"), 1740816902123);
  EXPECT_EQ(Ms("2025-03-01T16:15:02.123+08:00"), 1740816902123);
  EXPECT_EQ(Ms("2025-03-01T08:15:02.1239Z"), 1740816902123);  // truncated
  int64_t ms;
  EXPECT_FALSE(ParseInstant("2025-02-30", cctz::utc_time_zone(), &ms));
  EXPECT_FALSE(ParseInstant("2025-03-01T25:00:00Z", cctz::utc_time_zone(), &ms));
  EXPECT_FALSE(ParseInstant("2025-03-01T08:00:00Zjunk", cctz::utc_time_zone(), &ms));
  // A date is midnight in the given zone.
  ASSERT_TRUE(ParseInstant("2025-03-30", Zone("Europe/Berlin"), &ms));
  EXPECT_EQ(ms, Ms("2025-03-29T23:00:00Z"));
  ASSERT_TRUE(ParseInstant("2025-03-31", Zone("Europe/Berlin"), &ms));
  EXPECT_EQ(ms, Ms("2025-03-30T22:00:00Z"));
}

TEST(ReferenceTime, BucketsFollowTheZoneCalendar) {
  int64_t start;
  const cctz::time_zone berlin = Zone("Europe/Berlin"), ny = Zone("America/New_York");
  ASSERT_TRUE(BucketStart(Ms("2025-03-30T21:59:59Z"), "day", berlin, &start));
  EXPECT_EQ(start, Ms("2025-03-29T23:00:00Z"));
  ASSERT_TRUE(BucketStart(Ms("2025-03-30T01:30:00Z"), "hour", berlin, &start));
  EXPECT_EQ(start, Ms("2025-03-30T01:00:00Z"));  // 03:00 CEST
  // The repeated 01:00 hour of New York's fall-back day: two buckets.
  ASSERT_TRUE(BucketStart(Ms("2025-11-02T05:30:00Z"), "hour", ny, &start));
  EXPECT_EQ(start, Ms("2025-11-02T05:00:00Z"));
  ASSERT_TRUE(BucketStart(Ms("2025-11-02T06:30:00Z"), "hour", ny, &start));
  EXPECT_EQ(start, Ms("2025-11-02T06:00:00Z"));
  ASSERT_TRUE(BucketStart(Ms("2025-11-03T04:59:59Z"), "day", ny, &start));
  EXPECT_EQ(start, Ms("2025-11-02T04:00:00Z"));
  // ISO week: 2025-01-05 (Sunday) is in the week of Monday 2024-12-30.
  ASSERT_TRUE(BucketStart(Ms("2025-01-05T23:59:59Z"), "week", cctz::utc_time_zone(), &start));
  EXPECT_EQ(start, Ms("2024-12-30T00:00:00Z"));
  ASSERT_TRUE(BucketStart(Ms("2024-12-30T00:00:00Z"), "week", cctz::utc_time_zone(), &start));
  EXPECT_EQ(start, Ms("2024-12-30T00:00:00Z"));
  ASSERT_TRUE(BucketStart(Ms("2025-08-15T00:00:00Z"), "quarter", cctz::utc_time_zone(), &start));
  EXPECT_EQ(start, Ms("2025-07-01T00:00:00Z"));
  ASSERT_TRUE(BucketStart(Ms("2025-08-15T00:00:00Z"), "year", Zone("Asia/Tokyo"), &start));
  EXPECT_EQ(start, Ms("2024-12-31T15:00:00Z"));
  ASSERT_TRUE(BucketStart(Ms("2025-01-01T00:00:00Z"), "hour", Zone("Asia/Kolkata"), &start));
  EXPECT_EQ(start, Ms("2024-12-31T23:30:00Z"));
  EXPECT_FALSE(BucketStart(0, "fortnight", cctz::utc_time_zone(), &start));
}

TEST(ReferenceTime, FormatsInZone) {
  EXPECT_EQ(FormatUtc(1740816902123), "2025-03-01T08:15:02.123Z");
  EXPECT_EQ(FormatInZone(Ms("2025-03-29T23:00:00Z"), Zone("Europe/Berlin")), "2025-03-30T00:00:00+01:00");
  EXPECT_EQ(FormatInZone(Ms("2025-11-02T06:00:00Z"), Zone("America/New_York")), "2025-11-02T01:00:00-05:00");
}

TEST(ReferenceTickets, DedupAsOfAndPerTicketFunctions) {
  EventLog log = {
      {Ev(R"({"ts":"2025-01-01T00:00:00Z","ticket":"T","event":"created","team":"a"})"), 100},
      {Ev(R"({"ts":"2025-01-01T00:10:00Z","ticket":"T","event":"agent_reply","agent":"x","cost":2,"id":"r1"})"), 100},
      {Ev(R"({"ts":"2025-01-01T00:20:00Z","ticket":"T","event":"agent_reply","agent":"y","cost":3})"), 100},
      {Ev(R"({"ts":"2025-01-01T01:00:00Z","ticket":"T","event":"resolved","agent":"y","team":"b"})"), 200},
      // same id, other content: ignored; identical content: ignored
      {Ev(R"({"ts":"2025-01-01T00:11:00Z","ticket":"T","event":"agent_reply","agent":"z","cost":9,"id":"r1"})"), 300},
      {Ev(R"({"ts":"2025-01-01T00:20:00Z","ticket":"T","event":"agent_reply","agent":"y","cost":3})"), 300},
      // a measure named like a dimension: refused, as the store does
      {Ev(R"({"ts":"2025-01-01T02:00:00Z","ticket":"T","event":"rated","team":5})"), 300},
  };
  RefStore all = BuildTickets(log, std::nullopt);
  ASSERT_EQ(all.tickets.size(), 1u);
  const RefTicket& t = all.tickets.at("T");
  EXPECT_EQ(t.events.size(), 4u);
  EXPECT_EQ(t.created, Ms("2025-01-01T00:00:00Z"));
  EXPECT_EQ(t.dims.at("team"), "b");
  EXPECT_EQ(t.StickyDims(2).at("team"), "a");
  EXPECT_EQ(*t.DurationSeconds("created", "agent_reply"), 600);
  EXPECT_EQ(*t.DurationSeconds("agent_reply", "resolved"), 3000);
  EXPECT_FALSE(t.DurationSeconds("resolved", "agent_reply").has_value());
  EXPECT_EQ(t.CountBefore("agent_reply", "resolved"), 2);
  EXPECT_EQ(*t.AgentOf("agent_reply"), "x");
  EXPECT_EQ(*t.Total("cost"), 5);
  EXPECT_EQ(*t.LastMeasure("cost"), 3);
  EXPECT_EQ(all.event_names.count("rated"), 0u);

  RefStore early = BuildTickets(log, 150);
  ASSERT_EQ(early.tickets.size(), 1u);
  EXPECT_EQ(early.tickets.at("T").events.size(), 3u);
  EXPECT_FALSE(early.tickets.at("T").Has("resolved"));
  EXPECT_EQ(BuildTickets(log, 99).tickets.size(), 0u);
}

query::ast::SelectQuery Parse(const std::string& text) {
  query::ast::Statement st;
  query::ParseError err;
  EXPECT_TRUE(query::ParseStatement(text, &st, &err)) << text << "\n" << err.ToString();
  if (auto* q = std::get_if<query::ast::SelectQuery>(&st)) return *q;
  return {};
}

TEST(ReferenceEvaluator, AnswersHandComputedQueries) {
  EventLog log = {
      {Ev(R"({"ts":"2025-01-06T09:00:00Z","ticket":"A","event":"created","channel":"chat"})"), 1},
      {Ev(R"({"ts":"2025-01-06T09:01:00Z","ticket":"A","event":"agent_reply","agent":"x","handle_seconds":10})"), 1},
      {Ev(R"({"ts":"2025-01-07T09:00:00Z","ticket":"B","event":"created","channel":"chat"})"), 1},
      {Ev(R"({"ts":"2025-01-07T09:03:00Z","ticket":"B","event":"agent_reply","agent":"x","handle_seconds":30})"), 1},
      {Ev(R"({"ts":"2025-01-08T09:00:00Z","ticket":"C","event":"created","channel":"email"})"), 1},
  };
  query::Result r;
  ASSERT_TRUE(Evaluate(log,
                       Parse("select count() as n, p90(duration(created -> agent_reply)) as p90, "
                             "rate(has(agent_reply)) as replied from tickets by channel"),
                       {}, &r)
                  .ok());
  EXPECT_EQ(FormatTable(r),
            "channel:string,n:number,p90:duration,replied:number\n"
            "chat,2,168,1\n"
            "email,1,NULL,0\n");
  ASSERT_TRUE(Evaluate(log, Parse("select count() as n from tickets where channel = \"phone\""), {}, &r).ok());
  EXPECT_EQ(FormatTable(r), "n:number\n0\n");
  ASSERT_TRUE(
      Evaluate(log, Parse("select avg(handle_seconds) as aht from events by agent, week order by aht desc"), {}, &r)
          .ok());
  EXPECT_EQ(FormatTable(r), "agent:string,week:time,aht:number\nx,2025-01-06T00:00:00+00:00,20\nNULL,2025-01-06T00:00:00+00:00,NULL\n");
  EXPECT_FALSE(Evaluate(log, Parse("select count() from tickets by chanel"), {}, &r).ok());
  EXPECT_FALSE(Evaluate(log, Parse("select avg(channel) from tickets"), {}, &r).ok());
  ASSERT_TRUE(Evaluate(log, Parse("select count() as n from tickets at nope"), {}, &r).ok());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("nope"), std::string::npos);
}

}  // namespace
}  // namespace kpi::reference

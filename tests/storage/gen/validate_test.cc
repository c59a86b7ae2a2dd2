// Validate and WriteNdjson's error paths.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cli/gen/generator.h"
#include "test_util.h"

namespace kpi::gen {
namespace {

void ExpectRejected(const GenOptions& o, const std::string& mentions) {
  const Status s = Validate(o);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find(mentions), std::string::npos) << s.message();
}

TEST(GenValidateTest, DefaultsAreValid) { EXPECT_TRUE(Validate(GenOptions{}).ok()); }

TEST(GenValidateTest, RejectsAbsurdOptionsNamingThem) {
  GenOptions o;
  o.tickets = 0;
  ExpectRejected(o, "tickets must be between 1 and");
  o.tickets = kMaxTickets + 1;
  ExpectRejected(o, "tickets");

  o = GenOptions{};
  o.agents = 0;
  ExpectRejected(o, "agents must be between 1 and");
  o.agents = kMaxAgents + 1;
  ExpectRejected(o, "(got 10001)");

  o = GenOptions{};
  o.days = 0;
  ExpectRejected(o, "days must be between 1 and");

  o = GenOptions{};
  o.start_ms = -1;
  ExpectRejected(o, "start_ms");
  o.start_ms = 10000000000000LL;  // year 2286
  ExpectRejected(o, "before 2201-01-01");

  o = GenOptions{};
  o.late_fraction = std::numeric_limits<double>::quiet_NaN();
  ExpectRejected(o, "late_fraction must be a number between 0 and 1");
  o.late_fraction = 1.5;
  ExpectRejected(o, "late_fraction");
  o.late_fraction = -0.1;
  ExpectRejected(o, "late_fraction");

  o = GenOptions{};
  o.tickets = 100000000;
  o.days = 1;
  ExpectRejected(o, "tickets per day");

  o = GenOptions{};
  o.tickets = kMaxShuffleTickets + 1;
  o.shuffle = true;
  ExpectRejected(o, "shuffle keeps every event in memory");
}

TEST(GenValidateTest, AcceptsTheEdges) {
  GenOptions o;
  o.tickets = 1;
  o.agents = 1;
  o.days = 1;
  o.start_ms = 0;
  o.late_fraction = 1.0;
  EXPECT_TRUE(Validate(o).ok());
  // One agent serves every team; one ticket still has a whole lifecycle.
  Generator g(o);
  std::vector<RawEvent> out;
  ASSERT_TRUE(g.Next(100, &out));
  EXPECT_EQ(out.front().event, "created");
  for (const RawEvent& e : out) {
    if (!e.agent.empty()) {
      EXPECT_EQ(e.agent, "a001");
    }
  }
}

TEST(GenWriteNdjsonTest, ReportsBadOptionsAndUnwritablePaths) {
  GenOptions o;
  o.tickets = 0;
  EXPECT_EQ(WriteNdjson(o, "/dev/null", nullptr).code(), Status::Code::kInvalidArgument);

  o.tickets = 10;
  const Status s = WriteNdjson(o, "/nonexistent-dir/x/out.ndjson", nullptr);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find("/nonexistent-dir/x/out.ndjson"), std::string::npos) << s.message();

  EXPECT_EQ(WriteNdjson(o, "", nullptr).code(), Status::Code::kInvalidArgument);
  const Status full = WriteNdjson(o, "/dev/full", nullptr);
  EXPECT_EQ(full.code(), Status::Code::kIOError) << full.ToString();
}

TEST(GenWriteNdjsonTest, ProgressEndsWithTheTotal) {
  kpi::testing::ScratchDir dir("gen");
  GenOptions o;
  o.tickets = 100000;
  std::vector<uint64_t> calls;
  ASSERT_TRUE(WriteNdjson(o, dir / "a.ndjson", [&](uint64_t n) { calls.push_back(n); }).ok());
  ASSERT_GE(calls.size(), 2u);
  EXPECT_TRUE(std::is_sorted(calls.begin(), calls.end()));
  const std::string text = kpi::testing::ReadFile(dir / "a.ndjson");
  EXPECT_EQ(calls.back(), static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')));
}

}  // namespace
}  // namespace kpi::gen

#include "cli/progress.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace kpi::cli {
namespace {

TEST(RenderProgressTest, KnownTotalShowsBarPercentAndEta) {
  ProgressSample s;
  s.label = "ingest";
  s.unit = "events";
  s.items = 1000000;
  s.bytes = 50000000;
  s.total_bytes = 100000000;
  s.elapsed_s = 10;
  std::string line = RenderProgress(s, /*bar=*/true);
  EXPECT_NE(line.find("[############............]"), std::string::npos) << line;
  EXPECT_NE(line.find(" 50%"), std::string::npos) << line;
  EXPECT_NE(line.find("1,000,000 events"), std::string::npos) << line;
  EXPECT_NE(line.find("100,000 events/s"), std::string::npos) << line;
  EXPECT_NE(line.find("50.0 MB"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 10s"), std::string::npos) << line;
}

TEST(RenderProgressTest, CommittedEventsFollowTheEventsRead) {
  ProgressSample s;
  s.label = "ingest";
  s.unit = "events";
  s.items = 1500000;
  s.has_committed = true;
  s.committed = 1200000;
  s.elapsed_s = 3;
  std::string line = RenderProgress(s, false);
  EXPECT_NE(line.find("1,500,000 events read, 1,200,000 committed"), std::string::npos) << line;
  s.has_committed = false;
  line = RenderProgress(s, false);
  EXPECT_EQ(line.find("committed"), std::string::npos) << line;
}

TEST(RenderProgressTest, KnownEventsSkippedAreShownAndCountInTheRate) {
  ProgressSample s;
  s.label = "ingest";
  s.unit = "events";
  s.items = 1000000;
  s.has_committed = true;
  s.committed = 1000000;
  s.elapsed_s = 2;
  EXPECT_EQ(RenderProgress(s, false).find("already stored"), std::string::npos);
  s.known = 5000000;
  const std::string line = RenderProgress(s, false);
  EXPECT_NE(line.find("1,000,000 committed, 5,000,000 skipped as already stored  3,000,000 events/s"),
            std::string::npos)
      << line;
}

TEST(RenderProgressTest, UnknownTotalHasNoPercentOrEta) {
  ProgressSample s;
  s.label = "ingest";
  s.unit = "events";
  s.items = 10;
  s.bytes = 2000000;
  s.elapsed_s = 2;
  std::string line = RenderProgress(s, /*bar=*/true);
  EXPECT_EQ(line.find('%'), std::string::npos) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
  EXPECT_EQ(line.find('['), std::string::npos) << line;
  EXPECT_NE(line.find("5 events/s"), std::string::npos) << line;
}

TEST(RenderProgressTest, PhaseReplacesEta) {
  ProgressSample s;
  s.label = "ingest";
  s.unit = "events";
  s.bytes = 10;
  s.total_bytes = 100;
  s.elapsed_s = 5;
  s.phase = "sealing";
  std::string line = RenderProgress(s, false);
  EXPECT_NE(line.find("(sealing)"), std::string::npos);
  EXPECT_EQ(line.find("ETA"), std::string::npos);
}

TEST(ProgressTest, PrintWritesWholeLinesAndOffModeDrawsNothing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p(f, ProgressMode::kOff, "ingest", "events");
    p.Start();
    p.AddItems(5);
    p.Print("a.ndjson:3: missing \"ts\"");
    p.Finish();
  }
  std::rewind(f);
  char buf[256] = {};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  EXPECT_EQ(std::string(buf, n), "a.ndjson:3: missing \"ts\"\n");
}

}  // namespace
}  // namespace kpi::cli

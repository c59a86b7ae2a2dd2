// `kpi report` end to end with the real binary on generated data and the
// KPI catalog's definitions: a self-contained HTML page (no external
// reference, charts inlined) whose every embedded result reruns with
// `kpi audit verify`, the exemption and the definitions it used listed; a
// KPI list file with groups; the errors; the PDF through headless Chromium.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

#include "cli/report_command.h"
#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KpiRun gen = RunKpi({"gen", "--tickets", "1500", "--start", "2025-01-01", "--days", "90", "--seed", "11", "--out",
                         "ev.ndjson", "-q"},
                        dir_.path());
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    KpiRun ingest = RunKpi({"ingest", "--db", "store", "ev.ndjson", "-q"}, dir_.path());
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    KpiRun defs = RunKpi(
        {"query", "--db", "store", "-f", std::string(KPI_TEST_DATA_DIR) + "/../docs/definitions/service-kpis.kpi"},
        dir_.path());
    ASSERT_EQ(defs.exit_code, 0) << defs.err;
  }
  KpiRun Report(std::vector<std::string> extra) {
    std::vector<std::string> args = {"report", "--db", "store"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKpi(args, dir_.path());
  }
  std::string Path(const std::string& name) { return dir_.path() + "/" + name; }

  ScratchDir dir_{"report-cli"};
};

TEST_F(ReportCliTest, ScorecardReportIsSelfContainedAndEveryResultVerifies) {
  KpiRun r = Report({"--scorecard", "frontline", "--during", "2025-02-01 .. 2025-04-01", "--out", "review.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote review.html: 3 KPIs"), std::string::npos) << r.out;
  const std::string html = ReadFile(Path("review.html"));
  // Offline: nothing is loaded from anywhere; ECharts and the chart code are inlined.
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("Licensed to the Apache Software Foundation"), std::string::npos);
  EXPECT_NE(html.find("const KpiCharts"), std::string::npos);
  EXPECT_NE(html.find("<h2>KPIs against their targets</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Scorecard frontline</h2>"), std::string::npos);
  for (const char* kpi : {"satisfied", "response_on_time", "cost_per_contact"})
    EXPECT_NE(html.find("<h3>" + std::string(kpi) + " by day</h3>"), std::string::npos) << kpi;
  // 2025-03-10's outage is inside the window: an exemption the results used.
  EXPECT_NE(html.find("<td>outage_2025_03_10</td><td>exclude</td>"), std::string::npos);
  EXPECT_NE(html.find("define scorecard frontline = 55% satisfied"), std::string::npos);
  EXPECT_NE(html.find("define target satisfied &gt;= 80%"), std::string::npos);

  // Every embedded result is the JSON of `kpi query --format json` and reruns.
  std::regex embedded("<script type=\"application/json\" class=\"kpi-result\" id=\"result-(\\d+)\">(.*?)</script>");
  int n = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), embedded); it != std::sregex_iterator(); ++it) {
    ++n;
    const std::string file = "result-" + (*it)[1].str() + ".json";
    json doc = json::parse((*it)[2].str());
    ASSERT_TRUE(doc.contains("provenance")) << file;
    const std::string hash = doc["provenance"]["result_hash"];
    EXPECT_NE(html.find("<td class=\"hash\">" + hash + "</td>"), std::string::npos) << file;
    std::ofstream(Path(file)) << (*it)[2].str() << "\n";
    KpiRun verify = RunKpi({"audit", "verify", "--db", "store", file}, dir_.path());
    EXPECT_EQ(verify.exit_code, 0) << file << ": " << verify.out << verify.err;
    EXPECT_NE(verify.out.find("verified: hash " + hash), std::string::npos) << verify.out;
  }
  EXPECT_EQ(n, 5);  // summary, scorecard, one trend per KPI
  // The page itself: `kpi audit verify` reruns every result it embeds.
  KpiRun page = RunKpi({"audit", "verify", "--db", "store", "review.html"}, dir_.path());
  EXPECT_EQ(page.exit_code, 0) << page.out << page.err;
  EXPECT_NE(page.out.find("result-5: verified: hash "), std::string::npos) << page.out;
  EXPECT_NE(page.out.find("review.html: 5 of 5 results verified"), std::string::npos) << page.out;
  // A page whose numbers were edited does not verify, and says which result.
  std::string edited = html;
  const size_t cell = edited.find("\"rows\":[[");
  ASSERT_NE(cell, std::string::npos);
  edited.insert(cell + 9, "\"x\",");  // a cell more in the summary's first row
  std::ofstream(Path("edited.html")) << edited;
  KpiRun bad = RunKpi({"audit", "verify", "--db", "store", "edited.html"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("result-1: not verified"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("edited.html: 4 of 5 results verified"), std::string::npos) << bad.out;
  // One instant for all: every result is as of the same store instant.
  std::regex as_of("\"as_of_ms\":(\\d+)");
  std::set<std::string> instants;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), as_of); it != std::sregex_iterator(); ++it)
    instants.insert((*it)[1].str());
  EXPECT_EQ(instants.size(), 1u);
}

TEST_F(ReportCliTest, KpiListWithGroups) {
  std::ofstream(Path("kpis.txt")) << "-- the monthly review\nfrt, fcr\nescalation  -- experience\n";
  KpiRun r = Report({"-f", "kpis.txt", "--during", "2025-03-01 .. 2025-04-01", "--by", "channel", "--bucket", "week",
                     "--title", "March review", "--out", "march.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadFile(Path("march.html"));
  EXPECT_NE(html.find("<title>March review</title>"), std::string::npos);
  EXPECT_NE(html.find("<h3>escalation by week</h3>"), std::string::npos);
  // 4 channels x 3 KPIs in the summary, each met or missed.
  std::regex judged("<td class=\"(met|missed)\">");
  const auto rows = std::distance(std::sregex_iterator(html.begin(), html.end(), judged), std::sregex_iterator());
  EXPECT_EQ(rows, 12);
  EXPECT_EQ(html.find("<h2>Scorecard"), std::string::npos);
}

// A relative window is read once: every result has the first one's now,
// and the page verifies (audit verify passes each result's now back).
TEST_F(ReportCliTest, RelativeWindowIsReadOnce) {
  KpiRun r = Report({"--scorecard", "frontline", "--during", "last 30d", "--out", "recent.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadFile(Path("recent.html"));
  std::regex now("\"now_ms\":(\\d+)");
  std::set<std::string> instants;
  size_t n = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), now); it != std::sregex_iterator(); ++it, ++n)
    instants.insert((*it)[1].str());
  EXPECT_EQ(n, 5u);
  EXPECT_EQ(instants.size(), 1u);
  KpiRun verify = RunKpi({"audit", "verify", "--db", "store", "recent.html"}, dir_.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(ReportCliTest, Errors) {
  KpiRun r = Report({"--scorecard", "nope", "--during", "2025-03-01 .. 2025-04-01", "--out", "x.html"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown scorecard 'nope'"), std::string::npos) << r.err;
  r = Report({"--during", "2025-03-01 .. 2025-04-01", "--out", "x.html"});
  EXPECT_EQ(r.exit_code, 2);
  r = Report({"--scorecard", "frontline", "--during", "2025-03-01 .. 2025-04-01", "--out", "x.txt"});
  EXPECT_EQ(r.exit_code, 2);
  std::ofstream(Path("bad.txt")) << "frt, frtt\n";
  r = Report({"-f", "bad.txt", "--during", "2025-03-01 .. 2025-04-01", "--out", "x.html"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("frtt"), std::string::npos) << r.err;
  std::ofstream(Path("odd.txt")) << "frt; fcr\n";
  r = Report({"-f", "odd.txt", "--during", "2025-03-01 .. 2025-04-01", "--out", "x.html"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line 1: unexpected ';'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::ifstream(Path("x.html")).good());
}

TEST_F(ReportCliTest, PdfThroughHeadlessChromium) {
  if (access("/usr/bin/chromium", X_OK) != 0) GTEST_SKIP() << "Debian's chromium is not installed (bash .ci/setup)";
  KpiRun r = Report({"--scorecard", "frontline", "--during", "2025-02-01 .. 2025-04-01", "--out", "review.pdf"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string pdf = ReadFile(Path("review.pdf"));
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_GT(pdf.size(), 20'000u);
  EXPECT_FALSE(std::ifstream(Path("review.pdf.tmp.html")).good());  // the page printed is removed
  // A Chromium that fails is an error, not a silent empty file.
  setenv("KPI_CHROMIUM", "/bin/false", 1);
  r = Report({"--scorecard", "frontline", "--during", "2025-02-01 .. 2025-04-01", "--out", "broken.pdf"});
  unsetenv("KPI_CHROMIUM");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did not print"), std::string::npos) << r.err;
}

TEST(ReportBucketTest, FromTheWindow) {
  using cli::ReportBucket;
  EXPECT_EQ(ReportBucket("auto", "2025-11-01 .. 2025-12-01"), "day");
  EXPECT_EQ(ReportBucket("auto", "2025-01-01 .. 2025-07-01"), "week");
  EXPECT_EQ(ReportBucket("auto", "2024-01-01 .. 2026-01-01"), "month");
  EXPECT_EQ(ReportBucket("auto", "last 30d"), "week");
  EXPECT_EQ(ReportBucket("month", "2025-11-01 .. 2025-12-01"), "month");
}

}  // namespace
}  // namespace kpi::testing
